//! Why a CORS request failed, in neutral terms: which check, which values.
//!
//! The engine decides *that* a check failed and records the facts; the
//! [`chromium`](crate::browsers::chromium) and [`firefox`](crate::browsers::firefox) modules
//! render the facts in each browser's own words (error name, failed
//! parameter, console message).

use serde::Serialize;

use crate::browsers::chromium::ChromiumError;
use crate::browsers::firefox::FirefoxError;

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
    pub fn webkit(&self, request: &crate::fetch::request::FetchRequest) -> crate::browsers::webkit::WebkitError {
        crate::browsers::webkit::render(self, request)
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
}

impl Warning {
    /// The console line a browser prints for it, if any.
    pub fn firefox_console(&self, url: &str) -> String {
        crate::browsers::firefox::warning(self, url)
    }
}
