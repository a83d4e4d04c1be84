//! Firefox's vocabulary: the reason codes MDN documents, the console lines of
//! `security.properties` (and `caps.properties`, `necko.properties`), and
//! the MDN page of each.
//!
//! The same constants render a failure (`render`, `warning`) and read a
//! pasted console line back (`parse`): a line changed here changes both,
//! and the round-trip test (`tests/console_round_trip.rs`) notices at once.
//! The texts are Firefox 153's English ones, read from its `omni.ja`.

use serde::Serialize;

use crate::browsers::console::{self, ConsoleErrorKind, ConsoleParseError, LineKind, ParsedConsole};
use crate::browsers::profile::Browser;
use crate::browsers::failure::{Failure, Place, Warning};
use crate::origin::Origin;

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

/// Every CORS line starts so; the URL follows.
pub(crate) const BLOCKED: &str = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ";
const REASON_START: &str = ". (Reason: ";
const REASON_END: &str = ").";
const STATUS_START: &str = " Status code: ";
const STATUS_END: &str = ".";

/// `CheckSameOriginError` (`caps.properties`):
/// `Security Error: Content at <page> may not load data from <url>.`
pub(crate) const SECURITY_START: &str = "Security Error: Content at ";
const SECURITY_MIDDLE: &str = " may not load data from ";
const SECURITY_END: &str = ".";

/// `CORSAllowHeaderFromPreflightDeprecation`, a warning on a request that
/// passes.
pub(crate) const WARNING_START: &str =
    "Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at ";
const WARNING_MIDDLE: &str = " soon. (Reason: ";
const WARNING_AUTHORIZATION: &str = "When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`";
const WARNING_NAME: &str = "CORSAllowHeaderFromPreflightDeprecation";

/// Local Network Access (`necko.properties`), informational lines.
pub(crate) const LNA_START: &str = "Local Network Access ";
const LNA_REQUIRED: &str = "permission required: top-level site “";
const LNA_DETECTED: &str = "detected: top-level site “";
const LNA_INITIATOR: &str = "”, initiator “";
const LNA_TARGET_REQUIRED: &str = "”, attempting to access target “";
const LNA_TARGET_DETECTED: &str = "”, accessing target “";
const LNA_TARGET_END: &str = "” (";

/// One `(Reason: …)`: its code, its text (`{}` for the value it names),
/// whether a status follows, whether the URL is quoted.
#[derive(Debug)]
struct Reason {
    code: &'static str,
    text: &'static str,
    /// ` Status code: N.` follows (`(null)` when there was no response).
    status: bool,
    /// The URL is written `‘<url>’` (only `CORSNotSupportingCredentials`).
    quoted_url: bool,
    /// Whether the reason is about the preflight's answer (`None`: either).
    preflight: Option<bool>,
}

const fn reason(code: &'static str, text: &'static str) -> Reason {
    Reason { code, text, status: false, quoted_url: false, preflight: None }
}

const MISSING_ALLOW_ORIGIN: Reason =
    Reason { status: true, ..reason("CORSMissingAllowOrigin", "CORS header ‘Access-Control-Allow-Origin’ missing") };
const NOT_SUPPORTING_CREDENTIALS: Reason = Reason {
    quoted_url: true,
    ..reason(
        "CORSNotSupportingCredentials",
        "Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’",
    )
};
const NOT_MATCHING_ORIGIN: Reason =
    reason("CORSAllowOriginNotMatchingOrigin", "CORS header ‘Access-Control-Allow-Origin’ does not match ‘{}’");
const MULTIPLE_ALLOW_ORIGIN: Reason =
    reason("CORSMultipleAllowOriginNotAllowed", "Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed");
const MISSING_ALLOW_CREDENTIALS: Reason =
    reason("CORSMissingAllowCredentials", "expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’");
const PREFLIGHT_DID_NOT_SUCCEED: Reason = Reason {
    status: true,
    preflight: Some(true),
    ..reason("CORSPreflightDidNotSucceed", "CORS preflight response did not succeed")
};
const INVALID_ALLOW_METHOD: Reason = Reason {
    preflight: Some(true),
    ..reason("CORSInvalidAllowMethod", "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Methods’")
};
const INVALID_ALLOW_HEADER: Reason = Reason {
    preflight: Some(true),
    ..reason("CORSInvalidAllowHeader", "invalid token ‘{}’ in CORS header ‘Access-Control-Allow-Headers’")
};
const METHOD_NOT_FOUND: Reason = Reason {
    preflight: Some(true),
    ..reason("CORSMethodNotFound", "Did not find method in CORS header ‘Access-Control-Allow-Methods’")
};
const MISSING_ALLOW_HEADER: Reason = Reason {
    preflight: Some(true),
    ..reason(
        "CORSMissingAllowHeaderFromPreflight",
        "header ‘{}’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response",
    )
};
const EXTERNAL_REDIRECT: Reason =
    reason("CORSExternalRedirectNotAllowed", "CORS request external redirect not allowed");
// Reasons the engine does not produce (no response, a disabled or
// impossible CORS), read from what people paste.
const DID_NOT_SUCCEED: Reason = Reason { status: true, ..reason("CORSDidNotSucceed", "CORS request did not succeed") };
const DISABLED: Reason = reason("CORSDisabled", "CORS disabled");
const ORIGIN_NOT_ADDED: Reason = reason("CORSOriginHeaderNotAdded", "CORS header ‘Origin’ cannot be added");
const NOT_HTTP: Reason = reason("CORSRequestNotHttp", "CORS request not http");

/// Every reason read back.
const REASONS: &[&Reason] = &[
    &MISSING_ALLOW_ORIGIN,
    &NOT_SUPPORTING_CREDENTIALS,
    &NOT_MATCHING_ORIGIN,
    &MULTIPLE_ALLOW_ORIGIN,
    &MISSING_ALLOW_CREDENTIALS,
    &PREFLIGHT_DID_NOT_SUCCEED,
    &INVALID_ALLOW_METHOD,
    &INVALID_ALLOW_HEADER,
    &METHOD_NOT_FOUND,
    &MISSING_ALLOW_HEADER,
    &EXTERNAL_REDIRECT,
    &DID_NOT_SUCCEED,
    &DISABLED,
    &ORIGIN_NOT_ADDED,
    &NOT_HTTP,
];

/// The MDN page of a reason code.
pub fn mdn_url(code: &str) -> String {
    format!("https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/{code}")
}

/// The line of `reason` for `url`, naming `value` and `status` where the
/// reason has them.
fn blocked(reason: &Reason, url: &str, value: &str, status: Option<u16>) -> String {
    let url = if reason.quoted_url { format!("‘{url}’") } else { url.to_owned() };
    let text = reason.text.replacen("{}", value, 1);
    let status = match (reason.status, status) {
        (true, Some(status)) => format!("{STATUS_START}{status}{STATUS_END}"),
        (true, None) => format!("{STATUS_START}(null){STATUS_END}"),
        (false, _) => String::new(),
    };
    format!("{BLOCKED}{url}{REASON_START}{text}{REASON_END}{status}")
}

/// Renders `failure` for a request to `url` from the document at `page_url`.
pub(crate) fn render(failure: &Failure, url: &str, page_url: &str) -> FirefoxError {
    let (reason, parameter, status): (&Reason, Option<String>, Option<u16>) = match failure {
        Failure::DisallowedByMode => {
            return FirefoxError {
                code: "CheckSameOriginError",
                failed_parameter: None,
                console: format!("{SECURITY_START}{page_url}{SECURITY_MIDDLE}{url}{SECURITY_END}"),
                mdn: None,
            };
        }
        Failure::PreflightRedirect { .. } => (&EXTERNAL_REDIRECT, None, None),
        Failure::AllowOrigin { status, lines, credentials, .. } => match lines.as_slice() {
            [] => (&MISSING_ALLOW_ORIGIN, None, Some(*status)),
            [one] if one == "*" && *credentials => (&NOT_SUPPORTING_CREDENTIALS, None, None),
            [one] => (&NOT_MATCHING_ORIGIN, Some(one.clone()), None),
            _ => (&MULTIPLE_ALLOW_ORIGIN, None, None),
        },
        Failure::AllowCredentials { .. } => (&MISSING_ALLOW_CREDENTIALS, None, None),
        Failure::PreflightStatus { status } => (&PREFLIGHT_DID_NOT_SUCCEED, None, Some(*status)),
        Failure::AllowMethodsUnparsable { token, .. } => (&INVALID_ALLOW_METHOD, Some(token.clone()), None),
        Failure::AllowHeadersUnparsable { token, .. } => (&INVALID_ALLOW_HEADER, Some(token.clone()), None),
        Failure::MethodNotAllowed { .. } => (&METHOD_NOT_FOUND, None, None),
        Failure::HeaderNotAllowed { header } => (&MISSING_ALLOW_HEADER, Some(header.clone()), None),
        // A redirect refused by the channel, a prompt that gave up: the
        // request did not succeed, and there is no status to name.
        Failure::RedirectCredentials { .. }
        | Failure::RedirectScheme { .. }
        | Failure::TooManyRedirects { .. }
        | Failure::LocalNetworkDenied { .. }
        | Failure::LocalNetworkInsecure { .. }
        | Failure::LocalNetworkPromptTimeout { .. } => (&DID_NOT_SUCCEED, None, None),
        // The fetch cancels itself (`redirect: "error"`), or never starts:
        // no line at all.
        Failure::RedirectModeError { .. } | Failure::NoCorsRedirectMode { .. } | Failure::RedirectCredentialsAborted { .. } => {
            return FirefoxError { code: "", failed_parameter: None, console: String::new(), mdn: None };
        }
    };
    FirefoxError {
        code: reason.code,
        console: blocked(reason, url, parameter.as_deref().unwrap_or_default(), status),
        failed_parameter: parameter.filter(|p| !p.is_empty()),
        mdn: Some(mdn_url(reason.code)),
    }
}

/// The console line of a warning.
pub(crate) fn warning(warning: &Warning, url: &str) -> String {
    match warning {
        Warning::AuthorizationCoveredByWildcard => {
            format!("{WARNING_START}{url}{WARNING_MIDDLE}{WARNING_AUTHORIZATION}{REASON_END}")
        }
        Warning::LocalNetworkPermissionRequired(n) => format!(
            "{LNA_START}{LNA_REQUIRED}{}{LNA_INITIATOR}{}{LNA_TARGET_REQUIRED}{}{LNA_TARGET_END}{}) via fetch. Secure context: {}",
            n.top_level_site,
            n.initiator,
            n.target,
            n.address,
            if n.secure_context { "True" } else { "False" }
        ),
        Warning::LocalNetworkDetected(n) => format!(
            "{LNA_START}{LNA_DETECTED}{}{LNA_INITIATOR}{}{LNA_TARGET_DETECTED}{}{LNA_TARGET_END}{}) via fetch. Secure context: {}, prompt action: {}",
            n.top_level_site,
            n.initiator,
            n.target,
            n.address,
            if n.secure_context { "True" } else { "False" },
            n.prompt_action.unwrap_or("(null)")
        ),
    }
}

/// Renders `failure` at `place` (Firefox names the URL that failed and the
/// document; it says nothing of the redirects before).
pub(crate) fn render_at(failure: &Failure, place: &Place) -> FirefoxError {
    render(failure, &place.url, &place.page_url)
}

/// The document that fetches, as Firefox's messages name it: the page's
/// URL (its origin and `/`), or for an opaque origin its null principal,
/// `moz-nullprincipal:{uuid}?<the top-level page's origin>` (`{uuid}` stands
/// for a UUID made up each time).
pub(crate) fn document_url(origin: &Origin, top_origin: &Origin) -> String {
    match origin {
        Origin::Opaque => format!("moz-nullprincipal:{{uuid}}?{top_origin}"),
        Origin::Tuple(_) => format!("{origin}/"),
    }
}

/// Reads one of Firefox's console lines, `line` starting where its text
/// does: a `Cross-Origin Request Blocked` line, the warning, the `Security
/// Error` of a `same-origin` request, or a Local Network Access line.
/// Curly quotes (‘’ “”) and straight ones are read alike.
///
/// `None` when the line is none of these.
pub(crate) fn parse(line: &str) -> Option<Result<ParsedConsole, ConsoleParseError>> {
    if let Some(rest) = console::strip_prefix(line, BLOCKED) {
        return Some(parse_blocked(line, rest));
    }
    if let Some(rest) = console::strip_prefix(line, WARNING_START) {
        return Some(parse_warning(line, rest));
    }
    if let Some(rest) = console::strip_prefix(line, SECURITY_START) {
        let parsed = console::split_once(rest, SECURITY_MIDDLE).and_then(|(page, rest)| {
            let url = console::strip_suffix(rest, SECURITY_END)?;
            let mut parsed = ParsedConsole::new(Browser::Firefox, LineKind::Error, "CheckSameOriginError", line);
            parsed.cors_error = Some("CheckSameOriginError");
            parsed.origin = Some(page_origin(page));
            parsed.page_url = Some(page.to_owned());
            parsed.url = Some(url.to_owned());
            Some(parsed)
        });
        return Some(parsed.ok_or_else(|| incomplete(line, "a Security Error line without \"may not load data from <url>.\"")));
    }
    if let Some(rest) = console::strip_prefix(line, LNA_START) {
        return parse_local_network(line, rest);
    }
    None
}

/// `… resource at <url>. (Reason: <reason>).[ Status code: <n>.]`
fn parse_blocked(line: &str, rest: &str) -> Result<ParsedConsole, ConsoleParseError> {
    // A URL never holds a space, so the first ". (Reason: " ends it.
    let Some((url, reason_part)) = console::split_once(rest, REASON_START) else {
        return Err(incomplete(line, "the line stops before \"(Reason: …)\""));
    };
    let quoted = console::strip_prefix(url, "‘").and_then(|u| console::strip_suffix(u, "’"));
    let url = quoted.unwrap_or(url);
    let mut parsed = ParsedConsole::new(Browser::Firefox, LineKind::Error, "", line);
    parsed.url = Some(url.to_owned());
    for reason in REASONS {
        let Some((value, status)) = match_reason(reason, reason_part) else { continue };
        parsed.name = reason.code;
        parsed.cors_error = Some(reason.code);
        parsed.failed_parameter = value.filter(|v| !v.is_empty()).map(str::to_owned);
        parsed.status = status;
        parsed.preflight = reason.preflight;
        parsed.mdn = Some(mdn_url(reason.code));
        return Ok(parsed);
    }
    let what = format!("a Firefox CORS line (the resource at {})", console::excerpt(url));
    Err(ConsoleParseError::new(ConsoleErrorKind::UnknownSentence, Some(Browser::Firefox), what, reason_part)
        .with_place(parsed.url, None))
}

/// The reason's value and status, if `text` (after `(Reason: `) is it.
fn match_reason<'a>(reason: &Reason, text: &'a str) -> Option<(Option<&'a str>, Option<u16>)> {
    let separator = format!("{REASON_END}{STATUS_START}");
    if reason.status
        && let Some((inner, status)) = text.rsplit_once(&separator)
        && let Some(status) = console::strip_suffix(status, STATUS_END)
        && let Some(value) = console::match_template(inner, reason.text)
    {
        // `(null)` when there was no response at all.
        let status = if status == "(null)" { None } else { Some(status.parse().ok()?) };
        return Some((value, status));
    }
    // Without a status: Firefox before 111 wrote none.
    let inner = console::strip_suffix(text, REASON_END)?;
    console::match_template(inner, reason.text).map(|value| (value, None))
}

/// `… resource at <url> soon. (Reason: When the … `Access-Control-Allow-Headers`).`
fn parse_warning(line: &str, rest: &str) -> Result<ParsedConsole, ConsoleParseError> {
    let Some((url, reason)) = console::split_once(rest, WARNING_MIDDLE) else {
        return Err(incomplete(line, "the warning stops before \"soon. (Reason: …)\""));
    };
    if console::strip_suffix(reason, REASON_END).and_then(|r| console::match_template(r, WARNING_AUTHORIZATION)).is_none() {
        let what = format!("a Firefox CORS warning (the resource at {})", console::excerpt(url));
        return Err(ConsoleParseError::new(ConsoleErrorKind::UnknownSentence, Some(Browser::Firefox), what, reason)
            .with_place(Some(url.to_owned()), None));
    }
    let mut parsed = ParsedConsole::new(Browser::Firefox, LineKind::Warning, WARNING_NAME, line);
    parsed.url = Some(url.to_owned());
    parsed.preflight = Some(true);
    Ok(parsed)
}

/// `Local Network Access permission required: top-level site “<top>”, initiator “<page>”, attempting to access target “<url>” (<ip>:<port>) via fetch. …`
fn parse_local_network(line: &str, rest: &str) -> Option<Result<ParsedConsole, ConsoleParseError>> {
    let (name, rest, target) = if let Some(rest) = console::strip_prefix(rest, LNA_REQUIRED) {
        ("LocalNetworkAccessPermissionRequired", rest, LNA_TARGET_REQUIRED)
    } else if let Some(rest) = console::strip_prefix(rest, LNA_DETECTED) {
        ("LocalNetworkAccessDetected", rest, LNA_TARGET_DETECTED)
    } else {
        return None;
    };
    let parsed = console::split_once(rest, LNA_INITIATOR).and_then(|(top, rest)| {
        let (initiator, rest) = console::split_once(rest, target)?;
        let (url, _) = console::split_once(rest, LNA_TARGET_END)?;
        let mut parsed = ParsedConsole::new(Browser::Firefox, LineKind::Info, name, line);
        parsed.page_url = Some(top.to_owned());
        parsed.origin = Some(page_origin(initiator));
        parsed.url = Some(url.to_owned());
        Some(parsed)
    });
    Some(parsed.ok_or_else(|| incomplete(line, "a Local Network Access line without its initiator and target")))
}

/// The origin of the page Firefox names: its URL's origin, `null` for a
/// null principal (`moz-nullprincipal:{…}`), or the text itself.
fn page_origin(page: &str) -> String {
    if page.starts_with("moz-nullprincipal:") {
        return "null".to_owned();
    }
    match url::Url::parse(page) {
        Ok(url) => url.origin().ascii_serialization(),
        Err(_) => page.to_owned(),
    }
}

fn incomplete(line: &str, what: &str) -> ConsoleParseError {
    ConsoleParseError::new(
        ConsoleErrorKind::Incomplete,
        Some(Browser::Firefox),
        format!("a Firefox CORS line, but {what}"),
        line,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn every_reason_has_at_most_one_hole() {
        for reason in REASONS {
            assert!(reason.text.matches("{}").count() <= 1, "{}", reason.code);
            assert!(!(reason.status && reason.text.contains("{}")), "{}", reason.code);
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_status_is_read_and_null_is_no_status() {
        let line = blocked(&DID_NOT_SUCCEED, "http://a.test/", "", None);
        assert!(line.ends_with("(Reason: CORS request did not succeed). Status code: (null)."), "{line}");
        let parsed = parse(&line).unwrap().unwrap();
        assert_eq!((parsed.name, parsed.status), ("CORSDidNotSucceed", None));
        let line = blocked(&MISSING_ALLOW_ORIGIN, "http://a.test/", "", Some(503));
        assert_eq!(parse(&line).unwrap().unwrap().status, Some(503));
        // Firefox before 111: no status.
        let old = line.replace(" Status code: 503.", "");
        let parsed = parse(&old).unwrap().unwrap();
        assert_eq!((parsed.name, parsed.status), ("CORSMissingAllowOrigin", None));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn page_origins() {
        assert_eq!(page_origin("http://localhost:5050/app/x.html"), "http://localhost:5050");
        assert_eq!(page_origin("moz-nullprincipal:{1234}?http://localhost:5050"), "null");
    }
}
