//! Chromium's vocabulary: `network::mojom::CorsError` names as DevTools
//! reports them, the failed parameter, and the console message built by
//! `cors_error_string.cc`, as Chromium 156 prints them for `fetch()`.

use serde::Serialize;

use crate::browsers::failure::{Failure, Stage};

/// A failure as Chromium reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ChromiumError {
    /// The `CorsError` name without its `k` (`PreflightMissingAllowOriginHeader`).
    pub name: &'static str,
    /// `CorsErrorStatus.failed_parameter`; `None` where Chromium reports `""`.
    pub failed_parameter: Option<String>,
    /// The exact console message.
    pub console: String,
}

const PREFLIGHT_PREFIX: &str = "Response to preflight request doesn't pass access control check: ";
const VALID_VALUE_HINT: &str = " Have the server send the header with a valid value.";

/// Renders `failure` for a request to `url` from `origin`.
pub(crate) fn render(failure: &Failure, url: &str, origin: &str) -> ChromiumError {
    let (name, parameter, sentence, preflight) = match failure {
        Failure::DisallowedByMode => {
            // fetch() refuses before any request exists: Blink's own message.
            return ChromiumError {
                name: "DisallowedByMode",
                failed_parameter: None,
                console: format!(
                    "Fetch API cannot load {url}. Request mode is \"same-origin\" but the URL's origin is not same as the request origin {origin}."
                ),
            };
        }
        Failure::PreflightRedirect { .. } => (
            "PreflightDisallowedRedirect",
            None,
            "Redirect is not allowed for a preflight request.".to_owned(),
            true,
        ),
        Failure::AllowOrigin { stage, lines, credentials, .. } => {
            let preflight = *stage == Stage::Preflight;
            let (name, parameter, sentence) = allow_origin(lines, *credentials, preflight);
            (name, parameter, sentence, preflight)
        }
        Failure::AllowCredentials { stage, value } => {
            let preflight = *stage == Stage::Preflight;
            let value = value.clone().unwrap_or_default();
            let sentence = format!(
                "The value of the 'Access-Control-Allow-Credentials' header in the response is '{value}' which must be 'true' when the request's credentials mode is 'include'."
            );
            let name = if preflight { "PreflightInvalidAllowCredentials" } else { "InvalidAllowCredentials" };
            (name, Some(value), sentence, preflight)
        }
        Failure::PreflightStatus { .. } => {
            ("PreflightInvalidStatus", None, "It does not have HTTP ok status.".to_owned(), true)
        }
        Failure::AllowMethodsUnparsable { .. } => (
            "InvalidAllowMethodsPreflightResponse",
            None,
            "Cannot parse Access-Control-Allow-Methods response header field in preflight response.".to_owned(),
            false,
        ),
        Failure::AllowHeadersUnparsable { .. } => (
            "InvalidAllowHeadersPreflightResponse",
            None,
            "Cannot parse Access-Control-Allow-Headers response header field in preflight response.".to_owned(),
            false,
        ),
        Failure::MethodNotAllowed { method } => (
            "MethodDisallowedByPreflightResponse",
            Some(method.clone()),
            format!("Method {method} is not allowed by Access-Control-Allow-Methods in preflight response."),
            false,
        ),
        Failure::HeaderNotAllowed { header } => (
            "HeaderDisallowedByPreflightResponse",
            Some(header.clone()),
            format!("Request header field {header} is not allowed by Access-Control-Allow-Headers in preflight response."),
            false,
        ),
    };
    let prefix = if preflight { PREFLIGHT_PREFIX } else { "" };
    ChromiumError {
        name,
        failed_parameter: parameter.filter(|p| !p.is_empty()),
        console: format!(
            "Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: {prefix}{sentence}"
        ),
    }
}

/// How Chromium's `CheckAccess` names a failing `Access-Control-Allow-Origin`:
/// it looks at the combined value (lines joined by `, `).
fn allow_origin(lines: &[String], credentials: bool, preflight: bool) -> (&'static str, Option<String>, String) {
    let pick = |plain: &'static str, pre: &'static str| if preflight { pre } else { plain };
    if lines.is_empty() {
        return (
            pick("MissingAllowOriginHeader", "PreflightMissingAllowOriginHeader"),
            None,
            "No 'Access-Control-Allow-Origin' header is present on the requested resource.".to_owned(),
        );
    }
    let value = lines.join(", ");
    if value == "*" && credentials {
        return (
            pick("WildcardOriginNotAllowed", "PreflightWildcardOriginNotAllowed"),
            None,
            "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.".to_owned(),
        );
    }
    if value.contains([' ', ',']) {
        let sentence = format!(
            "The 'Access-Control-Allow-Origin' header contains multiple values '{value}', but only one is allowed.{VALID_VALUE_HINT}"
        );
        return (pick("MultipleAllowOriginValues", "PreflightMultipleAllowOriginValues"), Some(value), sentence);
    }
    // "null" is checked before URL validity, as GURL finds it invalid.
    if value != "null" && url::Url::parse(&value).is_err() {
        let sentence = format!(
            "The 'Access-Control-Allow-Origin' header contains the invalid value '{value}'.{VALID_VALUE_HINT}"
        );
        return (pick("InvalidAllowOriginValue", "PreflightInvalidAllowOriginValue"), Some(value), sentence);
    }
    let sentence = format!(
        "The 'Access-Control-Allow-Origin' header has a value '{value}' that is not equal to the supplied origin.{VALID_VALUE_HINT}"
    );
    (pick("AllowOriginMismatch", "PreflightAllowOriginMismatch"), Some(value), sentence)
}
