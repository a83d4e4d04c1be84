//! Firefox's vocabulary: the reason codes MDN documents, the console lines of
//! `security.properties`, and the MDN page of each.

use serde::Serialize;

use crate::browsers::failure::{Failure, Warning};

/// A failure as Firefox reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FirefoxError {
    /// The reason code (`CORSMissingAllowOrigin`), or `CheckSameOriginError`.
    pub code: &'static str,
    /// The origin, token or header name the message names, if any.
    pub failed_parameter: Option<String>,
    /// The first console line Firefox logs for the request.
    pub console: String,
    /// The MDN page explaining the reason.
    pub mdn: Option<String>,
}

const BLOCKED: &str = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at";

/// The MDN page of a reason code.
pub fn mdn_url(code: &str) -> String {
    format!("https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/{code}")
}

/// Renders `failure` for a request to `url` from the document at `page_url`.
pub(crate) fn render(failure: &Failure, url: &str, page_url: &str) -> FirefoxError {
    let blocked = |reason: &str| format!("{BLOCKED} {url}. (Reason: {reason}).");
    let (code, parameter, console) = match failure {
        Failure::DisallowedByMode => {
            return FirefoxError {
                code: "CheckSameOriginError",
                failed_parameter: None,
                console: format!("Security Error: Content at {page_url} may not load data from {url}."),
                mdn: None,
            };
        }
        Failure::PreflightRedirect { .. } => (
            "CORSExternalRedirectNotAllowed",
            None,
            blocked("CORS request external redirect not allowed"),
        ),
        Failure::AllowOrigin { status, lines, credentials, .. } => match lines.as_slice() {
            [] => (
                "CORSMissingAllowOrigin",
                None,
                format!("{} Status code: {status}.", blocked("CORS header ‘Access-Control-Allow-Origin’ missing")),
            ),
            [one] if one == "*" && *credentials => (
                "CORSNotSupportingCredentials",
                None,
                format!(
                    "{BLOCKED} ‘{url}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."
                ),
            ),
            [one] => (
                "CORSAllowOriginNotMatchingOrigin",
                Some(one.clone()),
                blocked(&format!("CORS header ‘Access-Control-Allow-Origin’ does not match ‘{one}’")),
            ),
            _ => (
                "CORSMultipleAllowOriginNotAllowed",
                None,
                blocked("Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed"),
            ),
        },
        Failure::AllowCredentials { .. } => (
            "CORSMissingAllowCredentials",
            None,
            blocked("expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’"),
        ),
        Failure::PreflightStatus { status } => (
            "CORSPreflightDidNotSucceed",
            None,
            format!("{} Status code: {status}.", blocked("CORS preflight response did not succeed")),
        ),
        Failure::AllowMethodsUnparsable { token, .. } => (
            "CORSInvalidAllowMethod",
            Some(token.clone()),
            blocked(&format!("invalid token ‘{token}’ in CORS header ‘Access-Control-Allow-Methods’")),
        ),
        Failure::AllowHeadersUnparsable { token, .. } => (
            "CORSInvalidAllowHeader",
            Some(token.clone()),
            blocked(&format!("invalid token ‘{token}’ in CORS header ‘Access-Control-Allow-Headers’")),
        ),
        Failure::MethodNotAllowed { .. } => (
            "CORSMethodNotFound",
            None,
            blocked("Did not find method in CORS header ‘Access-Control-Allow-Methods’"),
        ),
        Failure::HeaderNotAllowed { header } => (
            "CORSMissingAllowHeaderFromPreflight",
            Some(header.clone()),
            blocked(&format!(
                "header ‘{header}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response"
            )),
        ),
    };
    FirefoxError {
        code,
        failed_parameter: parameter.filter(|p| !p.is_empty()),
        console,
        mdn: Some(mdn_url(code)),
    }
}

/// The console line of a warning.
pub(crate) fn warning(warning: &Warning, url: &str) -> String {
    match warning {
        Warning::AuthorizationCoveredByWildcard => format!(
            "Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at {url} soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`)."
        ),
    }
}
