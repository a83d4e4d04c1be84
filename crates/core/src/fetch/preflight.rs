//! The CORS-preflight fetch: the `OPTIONS` request a browser sends first, and
//! how it judges the answer.
//!
//! <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>

use serde::Serialize;

use crate::fetch::allow_headers::{AllowHeaders, HeadersMatch, parse_allow_headers};
use crate::fetch::allow_methods::{AllowMethods, MethodMatch, parse_allow_methods};
use crate::fetch::classify::join_names;
use crate::fetch::cors_check::cors_check;
use crate::browsers::failure::{Failure, Stage};
use crate::http::header::HeaderName;
use crate::fetch::max_age::{MaxAge, max_age};
use crate::browsers::profile::{AllowListOrder, PreflightCheckOrder, PreflightRedirect, Profile};
use crate::fetch::request::FetchRequest;
use crate::fetch::response::{ServerResponse, is_ok_status};
use crate::trace::{Step, Tracer, Verdict, spec};

/// The preflight a browser sends before a request that needs one.
///
/// It carries the request's origin, method and unsafe header *names* — never
/// their values, never the body, never cookies or other credentials.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PreflightRequest {
    /// The request URL (the preflight goes to the same URL).
    pub url: String,
    /// `Origin`.
    pub origin: String,
    /// `Access-Control-Request-Method`: the request's method.
    pub access_control_request_method: String,
    /// `Access-Control-Request-Headers`: the unsafe names, lower-case,
    /// sorted, joined by `,` without spaces; absent when there are none.
    pub access_control_request_headers: Option<String>,
}

impl PreflightRequest {
    /// The preflight for `request`, whose unsafe header names are `unsafe_names`
    /// (sorted, lower-case).
    pub fn new(request: &FetchRequest, unsafe_names: &[HeaderName]) -> PreflightRequest {
        PreflightRequest {
            url: request.url_str().to_owned(),
            origin: request.origin_serialized.clone(),
            access_control_request_method: request.method.as_str().to_owned(),
            access_control_request_headers: (!unsafe_names.is_empty()).then(|| join_names(unsafe_names)),
        }
    }

    /// Its CORS-relevant headers, in the order browsers send them.
    pub fn headers(&self) -> Vec<(&'static str, &str)> {
        let mut headers = vec![
            ("Accept", "*/*"),
            ("Access-Control-Request-Method", self.access_control_request_method.as_str()),
        ];
        if let Some(names) = &self.access_control_request_headers {
            headers.push(("Access-Control-Request-Headers", names.as_str()));
        }
        headers.push(("Origin", self.origin.as_str()));
        headers.push(("Sec-Fetch-Mode", "cors"));
        headers
    }

    /// The preflight as HTTP/1.1 text, for people.
    pub fn to_http(&self) -> String {
        let (host, target) = match url::Url::parse(&self.url) {
            Ok(url) => {
                let host = match url.port() {
                    Some(port) => format!("{}:{port}", url.host_str().unwrap_or_default()),
                    None => url.host_str().unwrap_or_default().to_owned(),
                };
                let mut target = url.path().to_owned();
                if let Some(query) = url.query() {
                    target.push('?');
                    target.push_str(query);
                }
                (host, target)
            }
            Err(_) => (String::new(), self.url.clone()),
        };
        let mut text = format!("OPTIONS {target} HTTP/1.1\r\nHost: {host}\r\n");
        for (name, value) in self.headers() {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        text
    }
}

/// What a successful preflight grants (borrowing the response).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PreflightGrant<'a> {
    /// `Access-Control-Allow-Methods`, as listed.
    pub methods: AllowMethods<'a>,
    /// `Access-Control-Allow-Headers`, as listed.
    pub headers: AllowHeaders<'a>,
    /// How long it may be cached.
    pub max_age: MaxAge,
    /// Whether `Authorization` got through only under `*`.
    pub authorization_under_wildcard: bool,
}

/// Judges the answer to a preflight for `request`, checking its unsafe
/// headers in `checked_headers` order.
///
/// # Errors
///
/// The first check that fails, in the profile's order.
pub fn evaluate_preflight<'r>(
    request: &FetchRequest,
    checked_headers: &[HeaderName],
    response: &'r ServerResponse,
    profile: &Profile,
    trace: &mut impl Tracer,
) -> Result<PreflightGrant<'r>, Failure> {
    // Chromium's network stack reports a redirect before anything else.
    if profile.preflight_redirect == PreflightRedirect::BeforeCorsCheck {
        check_redirect(response, trace)?;
    }
    // WebKit checks the status before the allow-origin.
    let status_first = profile.preflight_check_order == PreflightCheckOrder::StatusFirst;
    if status_first {
        check_ok_status(response, trace)?;
    }
    // The CORS check runs on the preflight with the *request's* credentials mode.
    cors_check(request, response, Stage::Preflight, trace)?;
    if profile.preflight_redirect == PreflightRedirect::AfterCorsCheck {
        check_redirect(response, trace)?;
    }
    // An ok status (200-299).
    if !status_first {
        check_ok_status(response, trace)?;
    }

    let credentials = request.includes_credentials();
    let (methods, headers, headers_match) = match profile.allow_list_order {
        AllowListOrder::ParseBothThenMatch => {
            let methods = parse_methods(response, trace)?;
            let headers = parse_headers(response, trace)?;
            check_method(request, &methods, credentials, trace)?;
            let matched = check_headers(checked_headers, &headers, credentials, profile, trace)?;
            (methods, headers, matched)
        }
        AllowListOrder::MethodsThenHeaders => {
            let methods = parse_methods(response, trace)?;
            check_method(request, &methods, credentials, trace)?;
            let headers = parse_headers(response, trace)?;
            let matched = check_headers(checked_headers, &headers, credentials, profile, trace)?;
            (methods, headers, matched)
        }
    };
    let max_age = max_age(&response.headers, profile);
    trace.record(|| {
        Step::new("preflight.max-age", "Access-Control-Max-Age sets how long to cache", Verdict::Info, spec::MAX_AGE)
            .compare(
                "Access-Control-Max-Age",
                response.headers.get("access-control-max-age").unwrap_or_else(|| "(absent)".to_owned()),
            )
            .compare("cached for", format!("{} s", max_age.seconds))
            .detail(format!(
                "{:?}: default {} s, cap {}",
                max_age.reading,
                profile.max_age_default,
                profile.max_age_cap.map_or("none".to_owned(), |c| format!("{c} s"))
            ))
    });
    let authorization_under_wildcard =
        matches!(headers_match, HeadersMatch::Allowed { authorization_under_wildcard: true, .. });
    Ok(PreflightGrant { methods, headers, max_age, authorization_under_wildcard })
}

/// An [ok status](https://fetch.spec.whatwg.org/#ok-status): 200 to 299.
fn check_ok_status(response: &ServerResponse, trace: &mut impl Tracer) -> Result<(), Failure> {
    if !is_ok_status(response.status) {
        let failure = Failure::PreflightStatus { status: response.status };
        trace.record(|| {
            Step::new("preflight.status", "The preflight has an ok status (200-299)", Verdict::Fail, spec::OK_STATUS)
                .compare("status", response.status.to_string())
                .detail(failure.summary())
        });
        return Err(failure);
    }
    trace.record(|| {
        Step::new("preflight.status", "The preflight has an ok status (200-299)", Verdict::Pass, spec::OK_STATUS)
            .compare("status", response.status.to_string())
    });
    Ok(())
}

fn check_redirect(response: &ServerResponse, trace: &mut impl Tracer) -> Result<(), Failure> {
    if let Some(location) = response.redirect_location() {
        let failure = Failure::PreflightRedirect { status: response.status, location: location.to_owned() };
        trace.record(|| {
            Step::new("preflight.redirect", "The preflight is not redirected", Verdict::Fail, spec::REDIRECT_STATUS)
                .compare("status", response.status.to_string())
                .compare("Location", location)
                .detail(failure.summary())
        });
        return Err(failure);
    }
    Ok(())
}

fn parse_methods<'r>(response: &'r ServerResponse, trace: &mut impl Tracer) -> Result<AllowMethods<'r>, Failure> {
    let raw = || response.headers.get("access-control-allow-methods").unwrap_or_else(|| "(absent)".to_owned());
    match parse_allow_methods(&response.headers) {
        Ok(methods) => Ok(methods.unwrap_or_default()),
        Err(token) => {
            let failure = Failure::AllowMethodsUnparsable { token, value: raw() };
            trace.record(|| {
                Step::new("preflight.allow-methods.parse", "Access-Control-Allow-Methods is a list of methods", Verdict::Fail, spec::ALLOW_METHODS)
                    .compare("Access-Control-Allow-Methods", raw())
                    .detail(failure.summary())
            });
            Err(failure)
        }
    }
}

fn parse_headers<'r>(response: &'r ServerResponse, trace: &mut impl Tracer) -> Result<AllowHeaders<'r>, Failure> {
    let raw = || response.headers.get("access-control-allow-headers").unwrap_or_else(|| "(absent)".to_owned());
    match parse_allow_headers(&response.headers) {
        Ok(headers) => Ok(headers.unwrap_or_default()),
        Err(token) => {
            let failure = Failure::AllowHeadersUnparsable { token, value: raw() };
            trace.record(|| {
                Step::new("preflight.allow-headers.parse", "Access-Control-Allow-Headers is a list of header names", Verdict::Fail, spec::ALLOW_HEADERS)
                    .compare("Access-Control-Allow-Headers", raw())
                    .detail(failure.summary())
            });
            Err(failure)
        }
    }
}

fn check_method(
    request: &FetchRequest,
    methods: &AllowMethods<'_>,
    credentials: bool,
    trace: &mut impl Tracer,
) -> Result<(), Failure> {
    let matched = methods.allows(&request.method, credentials);
    let listed = || if methods.0.is_empty() { "(none)".to_owned() } else { methods.0.join(", ") };
    if matched == MethodMatch::NotAllowed {
        let failure = Failure::MethodNotAllowed { method: request.method.as_str().to_owned() };
        trace.record(|| {
            let mut detail = failure.summary();
            if methods.has_wildcard() && credentials {
                detail.push_str("; * is only a wildcard for requests without credentials");
            } else if methods.0.iter().any(|m| m.eq_ignore_ascii_case(request.method.as_str())) {
                detail.push_str("; methods match case-sensitively");
            }
            Step::new("preflight.method", "Access-Control-Allow-Methods allows the method", Verdict::Fail, spec::PREFLIGHT_FETCH)
                .compare("method", request.method.as_str())
                .compare("Access-Control-Allow-Methods", listed())
                .detail(detail)
        });
        return Err(failure);
    }
    trace.record(|| {
        let detail = match matched {
            MethodMatch::Listed => "listed (methods match case-sensitively)",
            MethodMatch::Safelisted => "a CORS-safelisted method needs no listing",
            MethodMatch::Wildcard => "* allows any method without credentials",
            MethodMatch::NotAllowed => "",
        };
        Step::new("preflight.method", "Access-Control-Allow-Methods allows the method", Verdict::Pass, spec::PREFLIGHT_FETCH)
            .compare("method", request.method.as_str())
            .compare("Access-Control-Allow-Methods", listed())
            .detail(detail)
    });
    Ok(())
}

fn check_headers(
    checked_headers: &[HeaderName],
    headers: &AllowHeaders<'_>,
    credentials: bool,
    profile: &Profile,
    trace: &mut impl Tracer,
) -> Result<HeadersMatch, Failure> {
    let listed = || if headers.0.is_empty() { "(none)".to_owned() } else { headers.0.join(", ") };
    let matched = headers.check(checked_headers, credentials, profile);
    if let HeadersMatch::NotAllowed(name) = &matched {
        let failure = Failure::HeaderNotAllowed { header: name.as_str().to_owned() };
        trace.record(|| {
            let mut detail = failure.summary();
            if headers.has_wildcard() && credentials {
                detail.push_str("; * is only a wildcard for requests without credentials");
            } else if headers.has_wildcard() {
                detail.push_str("; * never covers Authorization in the Fetch standard");
            }
            Step::new("preflight.headers", "Access-Control-Allow-Headers allows every unsafe header", Verdict::Fail, spec::PREFLIGHT_FETCH)
                .compare("unsafe headers", join_names(checked_headers))
                .compare("Access-Control-Allow-Headers", listed())
                .detail(detail)
        });
        return Err(failure);
    }
    trace.record(|| {
        let verdict = if checked_headers.is_empty() { Verdict::Skipped } else { Verdict::Pass };
        let detail = match &matched {
            _ if checked_headers.is_empty() => "no unsafe headers to allow",
            HeadersMatch::Allowed { authorization_under_wildcard: true, .. } => {
                "allowed; Authorization only under *, which the standard does not allow (this browser does)"
            }
            HeadersMatch::Allowed { wildcard: true, .. } => "* allows any header without credentials",
            _ => "each unsafe header is listed (names match case-insensitively)",
        };
        Step::new("preflight.headers", "Access-Control-Allow-Headers allows every unsafe header", verdict, spec::PREFLIGHT_FETCH)
            .compare("unsafe headers", join_names(checked_headers))
            .compare("Access-Control-Allow-Headers", listed())
            .detail(detail)
    });
    Ok(matched)
}
