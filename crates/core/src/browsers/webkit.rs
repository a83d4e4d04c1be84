//! WebKit's vocabulary (Safari's engine, as WebKitGTK 2.50 prints it):
//! WebKit has no error codes, so a failure's name is the name of the
//! console message's template (`../shared/reference/browsers.md`, WebKit
//! section, lists them; the names are CORS Lab's), its failed parameter is
//! what that template names, and its console line the first specific line.
//! Every failure is followed by a generic second line,
//! `Fetch API cannot load {url} due to access control checks.`, which names
//! the URL (the first never does, but for `FetchCannotLoad`).

use serde::Serialize;

use crate::browsers::failure::Failure;
use crate::fetch::request::FetchRequest;

/// A failure as WebKit reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct WebkitError {
    /// The template's name (`AllowOriginMismatch`).
    pub name: &'static str,
    /// What the template names (a method, a header as the page wrote it,
    /// an invalid value), if anything.
    pub failed_parameter: Option<String>,
    /// The first console line.
    pub console: String,
    /// The generic second line.
    pub second_line: String,
}

/// `Origin {origin} is not allowed by Access-Control-Allow-Origin.`
pub(crate) const ORIGIN_NOT_ALLOWED: &str = "is not allowed by Access-Control-Allow-Origin. Status code:";
/// A list of origins where one belongs.
pub(crate) const MULTIPLE_ORIGINS: &str = "Access-Control-Allow-Origin cannot contain more than one origin.";
/// `*` with credentials.
pub(crate) const WILDCARD_WITH_CREDENTIALS: &str =
    "Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true.";
/// No `Access-Control-Allow-Credentials: true`.
pub(crate) const CREDENTIALS_NOT_TRUE: &str =
    "Credentials flag is true, but Access-Control-Allow-Credentials is not \"true\".";
/// A non-2xx preflight.
pub(crate) const PREFLIGHT_NOT_SUCCESSFUL: &str = "Preflight response is not successful. Status code:";

/// Renders `failure` of `request` in WebKit's words.
pub(crate) fn render(failure: &Failure, request: &FetchRequest) -> WebkitError {
    let url = request.url_str();
    let origin = request.origin_serialized.as_str();
    let (name, parameter, console) = match failure {
        Failure::DisallowedByMode => ("FetchCannotLoad", None, format!("Fetch API cannot load {url}.")),
        // A redirected preflight is only "not successful" to WebKit.
        Failure::PreflightRedirect { status, .. } | Failure::PreflightStatus { status } => {
            ("PreflightNotSuccessful", None, format!("{PREFLIGHT_NOT_SUCCESSFUL} {status}"))
        }
        Failure::AllowOrigin { status, lines, credentials, .. } => {
            let value = lines.join(", ");
            if lines.len() > 1 || value.contains(',') {
                ("AllowOriginMultipleValues", None, MULTIPLE_ORIGINS.to_owned())
            } else if value == "*" && *credentials {
                ("AllowOriginWildcardWithCredentials", None, WILDCARD_WITH_CREDENTIALS.to_owned())
            } else {
                // Missing, empty, `null` or another origin: one template.
                ("AllowOriginMismatch", None, format!("Origin {origin} {ORIGIN_NOT_ALLOWED} {status}"))
            }
        }
        Failure::AllowCredentials { .. } => ("AllowCredentialsNotTrue", None, CREDENTIALS_NOT_TRUE.to_owned()),
        Failure::AllowMethodsUnparsable { value, .. } => (
            "AllowMethodsInvalid",
            Some(value.clone()),
            format!("Header Access-Control-Allow-Methods has an invalid value: {value}"),
        ),
        Failure::AllowHeadersUnparsable { value, .. } => (
            "AllowHeadersInvalid",
            Some(value.clone()),
            format!("Header Access-Control-Allow-Headers has an invalid value: {value}"),
        ),
        Failure::MethodNotAllowed { method } => (
            "MethodNotAllowed",
            Some(method.clone()),
            format!("Method {method} is not allowed by Access-Control-Allow-Methods."),
        ),
        Failure::HeaderNotAllowed { header } => {
            // WebKit names the header as the page spelled it.
            let written = request.written_name(header).to_owned();
            let console = format!("Request header field {written} is not allowed by Access-Control-Allow-Headers.");
            ("HeaderNotAllowed", Some(written), console)
        }
    };
    WebkitError {
        name,
        failed_parameter: parameter.filter(|p| !p.is_empty()),
        console,
        second_line: format!("Fetch API cannot load {url} due to access control checks."),
    }
}
