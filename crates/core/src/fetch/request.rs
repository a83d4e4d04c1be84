//! The request `fetch()` builds from what the page passes: method
//! normalization, the `Headers` guard (what it drops), modes and
//! credentials, and the `TypeError`s it throws before any network.
//!
//! <https://fetch.spec.whatwg.org/#dom-request>

use std::fmt;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::fetch::forbidden::{ForbiddenRequestHeader, forbidden_request_header};
use crate::fetch::redirect::RedirectMode;
use crate::fetch::response::Tainting;
use crate::http::header::{HeaderList, HeaderName, parse_header_value};
use crate::http::method::{InvalidMethod, Method};
use crate::origin::Origin;
use crate::browsers::profile::Profile;
use crate::fetch::safelist::is_no_cors_safelisted;
use crate::trace::{Step, Tracer, Verdict, spec};

/// A request's [mode](https://fetch.spec.whatwg.org/#concept-request-mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RequestMode {
    /// Cross-origin requests use the CORS protocol (the `fetch()` default).
    #[default]
    Cors,
    /// Cross-origin requests give an opaque response.
    NoCors,
    /// Cross-origin requests fail.
    SameOrigin,
}

impl RequestMode {
    /// `cors`, `no-cors` or `same-origin`.
    pub fn as_str(self) -> &'static str {
        match self {
            RequestMode::Cors => "cors",
            RequestMode::NoCors => "no-cors",
            RequestMode::SameOrigin => "same-origin",
        }
    }
}

/// A request's [credentials mode](https://fetch.spec.whatwg.org/#concept-request-credentials-mode).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialsMode {
    /// Never send cookies.
    Omit,
    /// Send them to the page's own origin only (the `fetch()` default).
    #[default]
    SameOrigin,
    /// Always send them; CORS then demands more of the server.
    Include,
}

impl CredentialsMode {
    /// `omit`, `same-origin` or `include`.
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialsMode::Omit => "omit",
            CredentialsMode::SameOrigin => "same-origin",
            CredentialsMode::Include => "include",
        }
    }
}

/// What a page passes to `fetch(url, init)`, unvalidated.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct FetchCall {
    /// The absolute URL.
    pub url: String,
    /// `init.method`, as written.
    pub method: String,
    /// `init.headers`, as ordered pairs.
    pub headers: Vec<(String, String)>,
    /// `init.mode`.
    pub mode: RequestMode,
    /// `init.credentials`.
    pub credentials: CredentialsMode,
    /// `init.body`, a string or nothing.
    pub body: Option<String>,
}

/// Why `fetch()` threw a `TypeError` before sending anything.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum FetchTypeError {
    /// The URL does not parse.
    InvalidUrl {
        /// The URL.
        url: String,
    },
    /// The URL has a username or a password.
    UrlWithCredentials {
        /// The URL.
        url: String,
    },
    /// The method is not a token.
    InvalidMethod {
        /// The method.
        method: String,
    },
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod {
        /// The method.
        method: String,
    },
    /// A `no-cors` request with a method other than GET, HEAD or POST.
    NoCorsMethod {
        /// The method.
        method: String,
    },
    /// A header name that is not a token.
    InvalidHeaderName {
        /// The name.
        name: String,
    },
    /// A header value with NUL, CR, LF or a character above U+00FF.
    InvalidHeaderValue {
        /// The header's name.
        name: String,
    },
    /// A body on a GET or HEAD request.
    BodyWithGetOrHead,
}

impl fmt::Display for FetchTypeError {
    /// The message Chromium's `TypeError` carries.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Failed to execute 'fetch' on 'Window': ")?;
        match self {
            FetchTypeError::InvalidUrl { url } => write!(f, "Failed to parse URL from {url}"),
            FetchTypeError::UrlWithCredentials { url } => {
                write!(f, "Request cannot be constructed from a URL that includes credentials: {url}")
            }
            FetchTypeError::InvalidMethod { method } => write!(f, "'{method}' is not a valid HTTP method."),
            FetchTypeError::ForbiddenMethod { method } => write!(f, "'{method}' HTTP method is unsupported."),
            FetchTypeError::NoCorsMethod { method } => write!(f, "'{method}' is unsupported in no-cors mode."),
            FetchTypeError::InvalidHeaderName { name } => write!(f, "Invalid name: {name:?}"),
            FetchTypeError::InvalidHeaderValue { name } => write!(f, "Invalid value for header {name:?}"),
            FetchTypeError::BodyWithGetOrHead => f.write_str("Request with GET/HEAD method cannot have body."),
        }
    }
}

impl std::error::Error for FetchTypeError {}

/// Why the `Headers` guard left a header out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum DropReason {
    /// A forbidden request-header.
    Forbidden(ForbiddenRequestHeader),
    /// Not no-CORS-safelisted, in a `no-cors` request (this is also what
    /// keeps the privileged `Range` header out of them).
    NotNoCorsSafelisted,
}

/// A header the page set that `fetch()` does not send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DroppedHeader {
    /// Its name.
    pub name: HeaderName,
    /// Its value.
    pub value: String,
    /// Why.
    pub reason: DropReason,
}

/// The request `fetch()` built: what the browser will send.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FetchRequest {
    /// The URL.
    pub url: Url,
    /// The page's origin (the request's origin).
    pub origin: Origin,
    /// Its serialization, as the `Origin` header carries it.
    pub origin_serialized: String,
    /// The normalized method.
    pub method: Method,
    /// The headers after the guard, plus any `Content-Type` the body added.
    pub headers: HeaderList,
    /// The mode.
    pub mode: RequestMode,
    /// The credentials mode.
    pub credentials: CredentialsMode,
    /// The body.
    pub body: Option<String>,
    /// Headers the page set that are not sent.
    pub dropped: Vec<DroppedHeader>,
    /// The kept headers' names as the page spelled them (WebKit's messages
    /// name a header that way; everything else reads the normalised names).
    pub written_names: Vec<(HeaderName, String)>,
    /// The redirect mode (`fetch()`'s `redirect`).
    pub redirect: RedirectMode,
    /// The URLs redirects led from, first to last ([`url`](Self::url) is
    /// the current one): the request's URL list but its last.
    pub redirected_from: Vec<Url>,
    /// The [response tainting](https://fetch.spec.whatwg.org/#concept-request-response-tainting)
    /// once the engine settled it for this URL (`None` before: a request
    /// as `fetch()` built it).
    pub tainting: Option<Tainting>,
}

impl FetchRequest {
    /// Builds the request as the `Request` constructor would for a page at
    /// `origin`, recording each step.
    ///
    /// # Errors
    ///
    /// The [`FetchTypeError`] `fetch()` would throw.
    pub fn build(
        call: &FetchCall,
        origin: &Origin,
        profile: &Profile,
        trace: &mut impl Tracer,
    ) -> Result<FetchRequest, FetchTypeError> {
        let url = Url::parse(&call.url).map_err(|_| FetchTypeError::InvalidUrl { url: call.url.clone() })?;
        // A URL with credentials is refused (the page may not put them there;
        // only a redirect's `Location` can).
        if crate::fetch::redirect::includes_credentials(&url) {
            trace.record(|| {
                Step::new("request.url", "The URL has no username or password", Verdict::Fail, spec::REQUEST_CONSTRUCTOR)
                    .compare("URL", url.as_str())
                    .detail("fetch() throws a TypeError: a request URL may not include credentials")
            });
            return Err(FetchTypeError::UrlWithCredentials { url: call.url.clone() });
        }

        // The method: a token, not forbidden, then normalized.
        let method = match Method::parse(&call.method) {
            Ok(method) => method,
            Err(e) => {
                let error = match e {
                    InvalidMethod::NotAToken => FetchTypeError::InvalidMethod { method: call.method.clone() },
                    InvalidMethod::Forbidden => FetchTypeError::ForbiddenMethod { method: call.method.clone() },
                };
                trace.record(|| {
                    Step::new("request.method", "The method is one fetch() accepts", Verdict::Fail, spec::FORBIDDEN_METHOD)
                        .compare("method", &call.method)
                        .detail(format!("fetch() throws a TypeError: {}", e.message()))
                });
                return Err(error);
            }
        };
        trace.record(|| {
            let verdict = Verdict::Info;
            let detail = if method.as_str() == call.method {
                format!("{method} is sent as written")
            } else {
                format!("fetch() normalizes {} to {method}", call.method)
            };
            Step::new("request.method", "fetch() normalizes the method", verdict, spec::METHOD_NORMALIZE)
                .compare("method passed", &call.method)
                .compare("method sent", method.as_str())
                .detail(detail)
        });

        // A no-cors request may only use a CORS-safelisted method.
        if call.mode == RequestMode::NoCors && !method.is_cors_safelisted() {
            trace.record(|| {
                Step::new("request.no-cors-method", "no-cors mode allows GET, HEAD and POST only", Verdict::Fail, spec::REQUEST_CONSTRUCTOR)
                    .compare("method", method.as_str())
                    .detail("fetch() throws a TypeError before any request is made")
            });
            return Err(FetchTypeError::NoCorsMethod { method: method.as_str().to_owned() });
        }

        // The headers, through the guard ("request" or "request-no-cors").
        let mut headers = HeaderList::new();
        let mut dropped = Vec::new();
        let mut written_names: Vec<(HeaderName, String)> = Vec::new();
        for (raw_name, raw_value) in &call.headers {
            let Ok(name) = HeaderName::parse(raw_name).map_err(|_| ()).and_then(|n| {
                if crate::http::token::is_byte_string(raw_name) { Ok(n) } else { Err(()) }
            }) else {
                trace.record(|| {
                    Step::new("request.header", "The header name is valid", Verdict::Fail, spec::HEADERS_APPEND)
                        .compare("name", raw_name)
                        .detail("fetch() throws a TypeError: a header name must be an HTTP token")
                });
                return Err(FetchTypeError::InvalidHeaderName { name: raw_name.clone() });
            };
            let Ok(value) = parse_header_value(raw_value) else {
                trace.record(|| {
                    Step::new("request.header", "The header value is valid", Verdict::Fail, spec::HEADERS_APPEND)
                        .compare("name", name.as_str())
                        .compare("value", raw_value)
                        .detail("fetch() throws a TypeError: a header value cannot hold NUL, CR, LF or characters above U+00FF")
                });
                return Err(FetchTypeError::InvalidHeaderValue { name: raw_name.clone() });
            };
            let reason = if call.mode == RequestMode::NoCors {
                let combined = match headers.get(name.as_str()) {
                    Some(existing) => format!("{existing}, {value}"),
                    None => value.clone(),
                };
                (!is_no_cors_safelisted(&name, &combined, profile)).then_some(DropReason::NotNoCorsSafelisted)
            } else {
                forbidden_request_header(&name, &value, profile).map(DropReason::Forbidden)
            };
            match reason {
                Some(reason) => {
                    trace.record(|| {
                        let (spec_link, why) = match &reason {
                            DropReason::Forbidden(ForbiddenRequestHeader::UserAgent) => (
                                spec::FORBIDDEN_REQUEST_HEADER,
                                "User-Agent is dropped silently by this browser (the standard no longer forbids it)".to_owned(),
                            ),
                            DropReason::Forbidden(ForbiddenRequestHeader::Prefix { prefix }) => (
                                spec::FORBIDDEN_REQUEST_HEADER,
                                format!("names starting with {prefix} are forbidden request-headers: dropped silently"),
                            ),
                            DropReason::Forbidden(ForbiddenRequestHeader::MethodOverride { method }) => (
                                spec::FORBIDDEN_REQUEST_HEADER,
                                format!("it names the forbidden method {method}: dropped silently"),
                            ),
                            DropReason::Forbidden(ForbiddenRequestHeader::BrowserSpecific) => (
                                spec::FORBIDDEN_REQUEST_HEADER,
                                "this browser forbids it too (beyond the standard's list): dropped silently".to_owned(),
                            ),
                            DropReason::Forbidden(ForbiddenRequestHeader::Listed) => (
                                spec::FORBIDDEN_REQUEST_HEADER,
                                "a forbidden request-header: the browser keeps control of it, fetch() drops it silently".to_owned(),
                            ),
                            DropReason::NotNoCorsSafelisted => (
                                spec::NO_CORS_SAFELISTED,
                                "no-cors requests carry only safelisted Accept, Accept-Language, Content-Language and Content-Type: dropped silently".to_owned(),
                            ),
                        };
                        Step::new("request.header", "The header is sent", Verdict::Info, spec_link)
                            .compare("header", format!("{name}: {value}"))
                            .detail(why)
                    });
                    dropped.push(DroppedHeader { name, value, reason });
                }
                None => {
                    trace.record(|| {
                        Step::new("request.header", "The header is sent", Verdict::Pass, spec::HEADERS_APPEND)
                            .compare("header", format!("{name}: {value}"))
                    });
                    if !written_names.iter().any(|(n, _)| *n == name) {
                        written_names.push((name.clone(), raw_name.clone()));
                    }
                    headers.append(name, value);
                }
            }
        }

        // A body is not allowed on GET or HEAD.
        if call.body.is_some() && matches!(method.as_str(), "GET" | "HEAD") {
            trace.record(|| {
                Step::new("request.body", "GET and HEAD requests have no body", Verdict::Fail, spec::REQUEST_CONSTRUCTOR)
                    .compare("method", method.as_str())
                    .detail("fetch() throws a TypeError: Request with GET/HEAD method cannot have body")
            });
            return Err(FetchTypeError::BodyWithGetOrHead);
        }
        // A string body brings its own Content-Type unless the page set one.
        if call.body.is_some() && !headers.contains("content-type") {
            headers.append(HeaderName::from_static("content-type"), "text/plain;charset=UTF-8".to_owned());
            trace.record(|| {
                Step::new("request.body", "A string body adds a Content-Type", Verdict::Info, spec::BODY_EXTRACT)
                    .compare("header", "content-type: text/plain;charset=UTF-8")
                    .detail("the page set no Content-Type, so fetch() sends the body's own, which is safelisted")
            });
        }
        Ok(FetchRequest {
            origin: origin.clone(),
            origin_serialized: origin.ascii_serialization(),
            url,
            method,
            headers,
            mode: call.mode,
            credentials: call.credentials,
            body: call.body.clone(),
            dropped,
            written_names,
            redirect: RedirectMode::Follow,
            redirected_from: Vec::new(),
            tainting: None,
        })
    }

    /// The request URL, serialized.
    pub fn url_str(&self) -> &str {
        self.url.as_str()
    }

    /// The name `name` as the page first spelled it (`name` itself for a
    /// header `fetch()` added, such as a body's `Content-Type`).
    pub fn written_name<'a>(&'a self, name: &'a str) -> &'a str {
        self.written_names.iter().find(|(n, _)| n.as_str() == name).map_or(name, |(_, w)| w.as_str())
    }

    /// Whether credentials mode is `include`.
    pub fn includes_credentials(&self) -> bool {
        self.credentials == CredentialsMode::Include
    }

    /// The request's first URL (its own before any redirect).
    pub fn first_url(&self) -> &Url {
        self.redirected_from.first().unwrap_or(&self.url)
    }

    /// How many redirects led here.
    pub fn redirect_count(&self) -> usize {
        self.redirected_from.len()
    }
}
