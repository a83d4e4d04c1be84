//! WebKit's vocabulary (Safari's engine, as WebKitGTK 2.50 prints it):
//! WebKit has no error codes, so a failure's name is the name of the
//! console message's template (`../shared/reference/browsers.md`, WebKit
//! section, lists them; the names are CORS Lab's), its failed parameter is
//! what that template names, and its console line the first specific line.
//! Every failure is followed by a generic second line,
//! `Fetch API cannot load {url} due to access control checks.`, which names
//! the URL (the first never does, but for `FetchCannotLoad`).

use serde::Serialize;

use crate::browsers::failure::{Failure, Place};
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

/// `Cross-origin redirection to {location} denied by Cross-Origin Resource Sharing policy: {reason}`.
pub(crate) const REDIRECT_DENIED: &str = "denied by Cross-Origin Resource Sharing policy:";
/// A redirect under `redirect: "error"`.
pub(crate) const REDIRECT_MODE_ERROR: &str = "Not allowed to follow a redirection while loading";
/// The 21st redirect.
pub(crate) const TOO_MANY_REDIRECTS: &str = "Load cannot follow more than 20 redirections";
/// `Method {m} is not allowed by Access-Control-Allow-Methods.` (`{}`: the method).
pub(crate) const METHOD_NOT_ALLOWED: &str = "Method {} is not allowed by Access-Control-Allow-Methods.";
/// `{}`: the header as the page spelled it.
pub(crate) const HEADER_NOT_ALLOWED: &str = "Request header field {} is not allowed by Access-Control-Allow-Headers.";
/// `{}`: the whole value.
pub(crate) const METHODS_INVALID: &str = "Header Access-Control-Allow-Methods has an invalid value: {}";
/// `{}`: the whole value.
pub(crate) const HEADERS_INVALID: &str = "Header Access-Control-Allow-Headers has an invalid value: {}";
/// `{}`: the URL.
pub(crate) const FETCH_CANNOT_LOAD: &str = "Fetch API cannot load {}.";
/// The generic second line (`{}`: the URL).
pub(crate) const SECOND_LINE: &str = "Fetch API cannot load {} due to access control checks.";

/// `template` with its `{}` filled.
fn fill(template: &str, value: &str) -> String {
    template.replacen("{}", value, 1)
}

/// Renders `failure` of `request` at `place` in WebKit's words: the
/// request's serialized origin there (`null` once a redirect tainted it),
/// and, for an answer that was a redirect, the redirection's own message
/// around the reason.
pub(crate) fn render(failure: &Failure, request: &FetchRequest, place: &Place) -> WebkitError {
    let url = place.url.as_str();
    let origin = place.origin.as_str();
    let redirection = |location: &str, reason: &str| format!("Cross-origin redirection to {location} {REDIRECT_DENIED} {reason}");
    let (name, parameter, console) = match failure {
        Failure::DisallowedByMode => ("FetchCannotLoad", None, fill(FETCH_CANNOT_LOAD, url)),
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
            fill(METHODS_INVALID, value),
        ),
        Failure::AllowHeadersUnparsable { value, .. } => (
            "AllowHeadersInvalid",
            Some(value.clone()),
            fill(HEADERS_INVALID, value),
        ),
        Failure::MethodNotAllowed { method } => (
            "MethodNotAllowed",
            Some(method.clone()),
            fill(METHOD_NOT_ALLOWED, method),
        ),
        Failure::HeaderNotAllowed { header } => {
            // WebKit names the header as the page spelled it.
            let written = request.written_name(header).to_owned();
            let console = fill(HEADER_NOT_ALLOWED, &written);
            ("HeaderNotAllowed", Some(written), console)
        }
        Failure::RedirectCredentials { location } | Failure::RedirectCredentialsAborted { location } => (
            "RedirectURLHasCredentials",
            None,
            redirection(location, &format!("redirection URL {location} has credentials")),
        ),
        Failure::RedirectScheme { location } => (
            "RedirectNonCorsScheme",
            None,
            redirection(location, "not allowed to follow a cross-origin CORS redirection with non CORS scheme"),
        ),
        Failure::RedirectModeError { .. } => ("RedirectModeError", None, format!("{REDIRECT_MODE_ERROR} {url}")),
        Failure::TooManyRedirects { .. } => ("TooManyRedirects", None, TOO_MANY_REDIRECTS.to_owned()),
        // Refused before any load: no line (as for a no-cors PUT).
        Failure::NoCorsRedirectMode { .. } => ("FetchCannotLoad", None, String::new()),
        // Not WebKit's refusals (it has no Local Network Access gate): its
        // generic words.
        Failure::LocalNetworkDenied { .. }
        | Failure::LocalNetworkInsecure { .. }
        | Failure::LocalNetworkPromptTimeout { .. } => ("FetchCannotLoad", None, fill(FETCH_CANNOT_LOAD, url)),
    };
    // The CORS check of an answer that redirects: WebKit refuses the
    // redirection, naming the check's message as its reason.
    let (name, parameter, console) = match (&place.location, failure) {
        (Some(location), Failure::AllowOrigin { .. } | Failure::AllowCredentials { .. }) => {
            ("RedirectDenied", Some(console.clone()), redirection(location, &console))
        }
        _ => (name, parameter, console),
    };
    WebkitError {
        name,
        failed_parameter: parameter.filter(|p| !p.is_empty()),
        console,
        second_line: fill(SECOND_LINE, url),
    }
}
