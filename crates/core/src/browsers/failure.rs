//! Why a CORS request failed, in neutral terms: which check, which values.
//!
//! The engine decides *that* a check failed and records the facts; the
//! [`chromium`](crate::browsers::chromium) and [`firefox`](crate::browsers::firefox) modules
//! render the facts in each browser's own words (error name, failed
//! parameter, console message).

use serde::Serialize;

use crate::browsers::chromium::ChromiumError;
use crate::browsers::firefox::FirefoxError;
use crate::browsers::profile::{Profile, RefusedRedirect};
use crate::fetch::engine::Outcome;
use crate::fetch::local_network::AddressSpace;
use crate::fetch::request::FetchRequest;
use crate::trace::FailureReport;

/// Which response a check looked at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Stage {
    /// The answer to the `OPTIONS` preflight.
    Preflight,
    /// The answer to the request itself.
    Actual,
}

/// A CORS failure: the request is blocked and `fetch()` rejects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Failure {
    /// A `same-origin` mode request to another origin.
    DisallowedByMode,
    /// The preflight was answered with a redirect.
    PreflightRedirect {
        /// The 3xx status.
        status: u16,
        /// Where it pointed.
        location: String,
    },
    /// `Access-Control-Allow-Origin` is missing, repeated, or does not
    /// allow the request's origin (or is `*` for a credentialed request).
    AllowOrigin {
        /// Which response.
        stage: Stage,
        /// That response's status.
        status: u16,
        /// Each `Access-Control-Allow-Origin` line's value (trimmed), in order.
        lines: Vec<String>,
        /// Whether the request's credentials mode is `include`.
        credentials: bool,
    },
    /// A credentialed request whose response lacks
    /// `Access-Control-Allow-Credentials: true`.
    AllowCredentials {
        /// Which response.
        stage: Stage,
        /// The header's value, `None` when absent.
        value: Option<String>,
    },
    /// The preflight's status is not an ok status (200-299).
    PreflightStatus {
        /// The status.
        status: u16,
    },
    /// `Access-Control-Allow-Methods` is not a list of tokens.
    AllowMethodsUnparsable {
        /// The first element that is not a token.
        token: String,
        /// The whole value (every line, joined), which WebKit names.
        value: String,
    },
    /// `Access-Control-Allow-Headers` is not a list of tokens.
    AllowHeadersUnparsable {
        /// The first element that is not a token.
        token: String,
        /// The whole value (every line, joined), which WebKit names.
        value: String,
    },
    /// The preflight does not allow the request's method.
    MethodNotAllowed {
        /// The request's method.
        method: String,
    },
    /// The preflight does not allow one of the request's headers.
    HeaderNotAllowed {
        /// The (lower-case) header name.
        header: String,
    },
    /// A redirect to a URL with a username or password where CORS forbids
    /// it: a `cors` request to another origin than the page's, or any
    /// request once CORS applies.
    ///
    /// <https://fetch.spec.whatwg.org/#http-redirect-fetch> (steps 9 and 10)
    RedirectCredentials {
        /// The location URL.
        location: String,
    },
    /// A redirect to a URL with credentials that the standard lets through,
    /// aborted anyway (Chromium blocks subresource URLs with credentials).
    RedirectCredentialsAborted {
        /// The location URL.
        location: String,
    },
    /// A redirect while the request's redirect mode is `error`.
    RedirectModeError {
        /// The redirect status.
        status: u16,
        /// The location URL.
        location: String,
    },
    /// A `Location` that is not an HTTP(S) URL (`data:`), or not a URL.
    RedirectScheme {
        /// The location, as resolved (or as written when it does not parse).
        location: String,
    },
    /// A 21st redirect.
    TooManyRedirects {
        /// Where it pointed.
        location: String,
    },
    /// A `no-cors` request whose redirect mode is not `follow`.
    NoCorsRedirectMode {
        /// The redirect mode.
        redirect: String,
    },
    /// Local Network Access: a step into a more private address space
    /// without the permission it needs.
    LocalNetworkDenied {
        /// The target's address space.
        space: AddressSpace,
    },
    /// Local Network Access: such a step from a page that is not a secure
    /// context.
    LocalNetworkInsecure {
        /// The target's address space.
        space: AddressSpace,
    },
    /// Local Network Access: the permission prompt nobody answered gave up.
    LocalNetworkPromptTimeout {
        /// The target's address space.
        space: AddressSpace,
    },
}

/// Where in a fetch a failure happened: what the browsers' messages name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Place {
    /// The URL being fetched when it failed.
    pub url: String,
    /// The fetch's first URL, when redirects led to [`url`](Self::url).
    pub first_url: Option<String>,
    /// The page's serialized origin (the fetch's client's): where Chromium
    /// says the request came from.
    pub initiator: String,
    /// The request's serialized origin here, `null` once a redirect tainted
    /// it: what the CORS check compared, what WebKit names.
    pub origin: String,
    /// The top-level page's serialized origin.
    pub top_origin: String,
    /// The document's URL as Firefox names it.
    pub page_url: String,
    /// Where the failing answer redirected to, when it was a redirect.
    pub location: Option<String>,
    /// Whether the request was in CORS here (response tainting `cors`).
    pub cors: bool,
}

impl Place {
    /// A failure of a request to `url` from a page at `origin`, before any
    /// redirect (what the renderers' short forms assume).
    pub fn simple(url: &str, origin: &str, page_url: &str) -> Place {
        Place {
            url: url.to_owned(),
            first_url: None,
            initiator: origin.to_owned(),
            origin: origin.to_owned(),
            top_origin: origin.to_owned(),
            page_url: page_url.to_owned(),
            location: None,
            cors: true,
        }
    }
}

impl Failure {
    /// This failure in Chromium's words.
    pub fn chromium(&self, url: &str, origin: &str) -> ChromiumError {
        crate::browsers::chromium::render(self, url, origin)
    }

    /// This failure in Firefox's words. `page_url` is the document's URL,
    /// which one of Firefox's messages names.
    pub fn firefox(&self, url: &str, page_url: &str) -> FirefoxError {
        crate::browsers::firefox::render(self, url, page_url)
    }

    /// This failure of `request` in WebKit's words.
    pub fn webkit(&self, request: &FetchRequest) -> crate::browsers::webkit::WebkitError {
        let origin = request.origin_serialized.as_str();
        let place = Place::simple(request.url_str(), origin, &format!("{origin}/"));
        crate::browsers::webkit::render(self, request, &place)
    }

    /// This failure of `request` at `place`, in every browser's words.
    pub fn report(&self, request: &FetchRequest, place: &Place) -> FailureReport {
        FailureReport {
            summary: self.summary(),
            chromium: crate::browsers::chromium::render_at(self, place),
            firefox: crate::browsers::firefox::render_at(self, place),
            webkit: crate::browsers::webkit::render(self, request, place),
        }
    }

    /// Whether the standard refuses it as a network error before or apart
    /// from any CORS check (a redirect rule, `no-cors` with a redirect mode
    /// other than `follow`): browsers report these each their own way.
    pub fn is_refused_redirect(&self) -> bool {
        matches!(
            self,
            Failure::RedirectModeError { .. }
                | Failure::RedirectScheme { .. }
                | Failure::TooManyRedirects { .. }
                | Failure::RedirectCredentialsAborted { .. }
                | Failure::NoCorsRedirectMode { .. }
        )
    }

    /// How `profile`'s browser ends the fetch on this failure; `cors`: the
    /// request was in CORS (response tainting `cors`) when it failed.
    pub fn outcome(&self, profile: &Profile, cors: bool) -> Outcome {
        match self {
            // Refused before any request, with no CORS error: what the
            // recordings call a `type-error` (as a no-cors PUT).
            Failure::NoCorsRedirectMode { .. } => Outcome::TypeError,
            Failure::RedirectCredentialsAborted { .. } => Outcome::NetworkError,
            Failure::LocalNetworkPromptTimeout { .. } if !cors => Outcome::NetworkError,
            _ if self.is_refused_redirect() => match profile.refused_redirect {
                RefusedRedirect::NetworkError => Outcome::NetworkError,
                RefusedRedirect::CorsErrorInCors => {
                    // redirect: "error" is the fetch's own cancellation: no CORS line.
                    if cors && !matches!(self, Failure::RedirectModeError { .. }) {
                        Outcome::CorsError
                    } else {
                        Outcome::NetworkError
                    }
                }
                RefusedRedirect::AccessControl => Outcome::CorsError,
            },
            _ => Outcome::CorsError,
        }
    }

    /// A short sentence for people, browser-neutral.
    pub fn summary(&self) -> String {
        match self {
            Failure::DisallowedByMode => {
                "mode is \"same-origin\" but the URL is on another origin".to_owned()
            }
            Failure::PreflightRedirect { status, .. } => {
                format!("the preflight was answered with a {status} redirect, which is never followed")
            }
            Failure::AllowOrigin { stage, lines, credentials, .. } => {
                let which = stage_name(*stage);
                match lines.as_slice() {
                    [] => format!("the {which} has no Access-Control-Allow-Origin header"),
                    [one] if one == "*" && *credentials => format!(
                        "the {which} allows any origin (*), which a credentialed request may not use"
                    ),
                    [one] => format!("the {which}'s Access-Control-Allow-Origin '{one}' is not the request's origin"),
                    many => format!(
                        "the {which} has {} Access-Control-Allow-Origin values where one is allowed",
                        many.len()
                    ),
                }
            }
            Failure::AllowCredentials { stage, value } => match value {
                None => format!(
                    "the {} lacks Access-Control-Allow-Credentials: true, required with credentials",
                    stage_name(*stage)
                ),
                Some(v) => format!(
                    "the {}'s Access-Control-Allow-Credentials is '{v}', not 'true'",
                    stage_name(*stage)
                ),
            },
            Failure::PreflightStatus { status } => {
                format!("the preflight's status {status} is not an ok status (200-299)")
            }
            Failure::AllowMethodsUnparsable { token, .. } => {
                format!("Access-Control-Allow-Methods holds '{token}', which is not a method token")
            }
            Failure::AllowHeadersUnparsable { token, .. } => {
                format!("Access-Control-Allow-Headers holds '{token}', which is not a header name")
            }
            Failure::MethodNotAllowed { method } => {
                format!("the preflight's Access-Control-Allow-Methods does not allow {method}")
            }
            Failure::HeaderNotAllowed { header } => {
                format!("the preflight's Access-Control-Allow-Headers does not allow {header}")
            }
            Failure::RedirectCredentials { location } => format!(
                "the redirect goes to {location}, whose username and password a CORS request may not follow"
            ),
            Failure::RedirectCredentialsAborted { location } => format!(
                "the redirect goes to {location}, a URL with a username and password, which this browser never loads for a page"
            ),
            Failure::RedirectModeError { status, .. } => {
                format!("the answer is a {status} redirect and the request's redirect mode is \"error\"")
            }
            Failure::RedirectScheme { location } => {
                format!("the redirect goes to {location}, which is not an http or https URL")
            }
            Failure::TooManyRedirects { .. } => "a 21st redirect: fetch follows at most 20".to_owned(),
            Failure::NoCorsRedirectMode { redirect } => {
                format!("a no-cors request must follow redirects, and its redirect mode is \"{redirect}\"")
            }
            Failure::LocalNetworkDenied { space } => format!(
                "the request goes into the more private {space} address space, and the page has not been granted the permission"
            ),
            Failure::LocalNetworkInsecure { space } => format!(
                "the request goes into the more private {space} address space from a page that is not a secure context"
            ),
            Failure::LocalNetworkPromptTimeout { space } => format!(
                "the request goes into the more private {space} address space, and the permission prompt was never answered"
            ),
        }
    }
}

fn stage_name(stage: Stage) -> &'static str {
    match stage {
        Stage::Preflight => "preflight response",
        Stage::Actual => "response",
    }
}

/// A problem a browser reports without blocking the request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Warning {
    /// `Authorization` was let through by `Access-Control-Allow-Headers: *`,
    /// which the standard says must not cover it.
    AuthorizationCoveredByWildcard,
    /// A Local Network Access request let through (Firefox notes it).
    LocalNetworkDetected(LocalNetworkNotice),
    /// A Local Network Access request waiting for the permission (Firefox
    /// notes it; nobody answers the prompt headless).
    LocalNetworkPermissionRequired(LocalNetworkNotice),
}

/// What Firefox's Local Network Access lines name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocalNetworkNotice {
    /// The top-level document's URL (`http://localhost:5050/`).
    pub top_level_site: String,
    /// The initiating document's.
    pub initiator: String,
    /// The request's URL.
    pub target: String,
    /// The address connected to, `ip:port`.
    pub address: String,
    /// Whether the page is a secure context.
    pub secure_context: bool,
    /// The prompt's action when it was not asked (`auto_allow` when
    /// granted); `None` when blocking is off.
    pub prompt_action: Option<&'static str>,
}

impl Warning {
    /// The console line a browser prints for it, if any.
    pub fn firefox_console(&self, url: &str) -> String {
        crate::browsers::firefox::warning(self, url)
    }
}
