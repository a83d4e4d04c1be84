//! Chromium's vocabulary: `network::mojom::CorsError` names as DevTools
//! reports them, the failed parameter, and the console message built by
//! `cors_error_string.cc`, as Chromium 156 prints them for `fetch()`.
//!
//! The same constants render a failure (`render`) and read a pasted
//! console line back (`parse`): a sentence changed here changes both, and
//! the round-trip test (`tests/console_round_trip.rs`) notices at once.

use serde::Serialize;

use crate::browsers::console::{self, ConsoleErrorKind, ConsoleParseError, LineKind, ParsedConsole};
use crate::browsers::profile::Browser;
use crate::browsers::failure::{Failure, Place, Stage};

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

/// `Access to fetch at '<url>' from origin '<origin>' has been blocked by CORS policy: `,
/// in pieces. `fetch` is the initiator (`XMLHttpRequest`, `script`, `font`
/// … for other loads).
pub(crate) const HEAD_START: &str = "Access to ";
const HEAD_AT: &str = " at '";
const HEAD_REDIRECTED: &str = "' (redirected from '";
const HEAD_FROM: &str = " from origin '";
const HEAD_BLOCKED: &str = "' has been blocked by CORS policy: ";
const PREFLIGHT_PREFIX: &str = "Response to preflight request doesn't pass access control check: ";
const VALID_VALUE_HINT: &str = " Have the server send the header with a valid value.";

/// Blink's own message for a `same-origin` mode request to another origin:
/// `Fetch API cannot load <url>. Request mode is "same-origin" but the URL's origin is not same as the request origin <origin>.`
pub(crate) const SAME_ORIGIN_START: &str = "Fetch API cannot load ";
const SAME_ORIGIN_MIDDLE: &str =
    ". Request mode is \"same-origin\" but the URL's origin is not same as the request origin ";
const SAME_ORIGIN_END: &str = ".";

/// Blink's line for a `no-cors` request whose redirect mode is not
/// `follow`: `Fetch API cannot load <url>. Request mode is "no-cors" but the redirect mode is not "follow".`
const NO_CORS_REDIRECT: &str = ". Request mode is \"no-cors\" but the redirect mode is not \"follow\".";

/// The network panel's line printed with every failed load:
/// `Failed to load resource: net::ERR_FAILED`.
pub(crate) const FAILED_TO_LOAD: &str = "Failed to load resource: ";

/// Endings older Chromium versions (before about 120) put after some
/// sentences, and the `XMLHttpRequest` one; read, never rendered.
const OPAQUE_HINT: &str =
    " If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.";
const OLD_VALID_VALUE_HINT: &str = " Have the server send the header with a valid value, or, if an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.";
const XHR_CREDENTIALS_HINT: &str =
    " The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.";

/// What the `{}` of a sentence holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Hole {
    /// The sentence names no value.
    None,
    /// `CorsErrorStatus.failed_parameter`.
    Parameter,
    /// A value Chromium does not report as the failed parameter (an address
    /// space, a redirect location, the schemes CORS supports).
    Detail,
}

/// Which response a sentence is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum About {
    /// The preflight's when [`PREFLIGHT_PREFIX`] comes first, else the
    /// request's.
    Prefix,
    /// Always the preflight's (whether or not the prefix is there).
    Preflight,
    /// Neither in particular (a redirect, the page, the network).
    Other,
}

/// One of Chromium's sentences (`cors_error_string.cc`): the names it is
/// reported under and its text, `{}` standing for the value it names.
#[derive(Debug)]
struct Sentence {
    /// The name after no prefix (or the only name).
    name: &'static str,
    /// The name after [`PREFLIGHT_PREFIX`].
    preflight_name: &'static str,
    /// The text, with at most one `{}`.
    text: &'static str,
    hole: Hole,
    about: About,
    /// What Chromium 156 puts after the text.
    tail: &'static str,
    /// Other endings read (older versions, `XMLHttpRequest`).
    older_tails: &'static [&'static str],
}

impl Sentence {
    /// The sentence with its `{}` filled.
    fn fill(&self, value: &str) -> String {
        format!("{}{}", self.text.replacen("{}", value, 1), self.tail)
    }
}

const fn sentence(name: &'static str, preflight_name: &'static str, text: &'static str, hole: Hole) -> Sentence {
    Sentence { name, preflight_name, text, hole, about: About::Prefix, tail: "", older_tails: &[] }
}

const MISSING_ALLOW_ORIGIN: Sentence = Sentence {
    older_tails: &[OPAQUE_HINT],
    ..sentence(
        "MissingAllowOriginHeader",
        "PreflightMissingAllowOriginHeader",
        "No 'Access-Control-Allow-Origin' header is present on the requested resource.",
        Hole::None,
    )
};
const WILDCARD_ORIGIN: Sentence = Sentence {
    older_tails: &[XHR_CREDENTIALS_HINT],
    ..sentence(
        "WildcardOriginNotAllowed",
        "PreflightWildcardOriginNotAllowed",
        "The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'.",
        Hole::None,
    )
};
const MULTIPLE_ALLOW_ORIGIN: Sentence = Sentence {
    tail: VALID_VALUE_HINT,
    older_tails: &[OLD_VALID_VALUE_HINT],
    ..sentence(
        "MultipleAllowOriginValues",
        "PreflightMultipleAllowOriginValues",
        "The 'Access-Control-Allow-Origin' header contains multiple values '{}', but only one is allowed.",
        Hole::Parameter,
    )
};
const INVALID_ALLOW_ORIGIN: Sentence = Sentence {
    tail: VALID_VALUE_HINT,
    older_tails: &[OLD_VALID_VALUE_HINT],
    ..sentence(
        "InvalidAllowOriginValue",
        "PreflightInvalidAllowOriginValue",
        "The 'Access-Control-Allow-Origin' header contains the invalid value '{}'.",
        Hole::Parameter,
    )
};
const ALLOW_ORIGIN_MISMATCH: Sentence = Sentence {
    tail: VALID_VALUE_HINT,
    older_tails: &[OLD_VALID_VALUE_HINT],
    ..sentence(
        "AllowOriginMismatch",
        "PreflightAllowOriginMismatch",
        "The 'Access-Control-Allow-Origin' header has a value '{}' that is not equal to the supplied origin.",
        Hole::Parameter,
    )
};
const INVALID_ALLOW_CREDENTIALS: Sentence = Sentence {
    older_tails: &[XHR_CREDENTIALS_HINT],
    ..sentence(
        "InvalidAllowCredentials",
        "PreflightInvalidAllowCredentials",
        "The value of the 'Access-Control-Allow-Credentials' header in the response is '{}' which must be 'true' when the request's credentials mode is 'include'.",
        Hole::Parameter,
    )
};
const PREFLIGHT_STATUS: Sentence = Sentence {
    about: About::Preflight,
    ..sentence("PreflightInvalidStatus", "PreflightInvalidStatus", "It does not have HTTP ok status.", Hole::None)
};
const PREFLIGHT_REDIRECT: Sentence = Sentence {
    about: About::Preflight,
    ..sentence(
        "PreflightDisallowedRedirect",
        "PreflightDisallowedRedirect",
        "Redirect is not allowed for a preflight request.",
        Hole::None,
    )
};
const ALLOW_METHODS_UNPARSABLE: Sentence = Sentence {
    about: About::Preflight,
    ..sentence(
        "InvalidAllowMethodsPreflightResponse",
        "InvalidAllowMethodsPreflightResponse",
        "Cannot parse Access-Control-Allow-Methods response header field in preflight response.",
        Hole::None,
    )
};
const ALLOW_HEADERS_UNPARSABLE: Sentence = Sentence {
    about: About::Preflight,
    ..sentence(
        "InvalidAllowHeadersPreflightResponse",
        "InvalidAllowHeadersPreflightResponse",
        "Cannot parse Access-Control-Allow-Headers response header field in preflight response.",
        Hole::None,
    )
};
const METHOD_DISALLOWED: Sentence = Sentence {
    about: About::Preflight,
    ..sentence(
        "MethodDisallowedByPreflightResponse",
        "MethodDisallowedByPreflightResponse",
        "Method {} is not allowed by Access-Control-Allow-Methods in preflight response.",
        Hole::Parameter,
    )
};
const HEADER_DISALLOWED: Sentence = Sentence {
    about: About::Preflight,
    ..sentence(
        "HeaderDisallowedByPreflightResponse",
        "HeaderDisallowedByPreflightResponse",
        "Request header field {} is not allowed by Access-Control-Allow-Headers in preflight response.",
        Hole::Parameter,
    )
};

// Sentences the engine does not produce yet (redirects, Local Network
// Access, pages without an HTTP origin), read from what people paste; their
// texts are Chromium 156's, as recorded in `../shared/scenarios/next/`.
const REDIRECT_CREDENTIALS: Sentence = Sentence {
    about: About::Other,
    ..sentence(
        "RedirectContainsCredentials",
        "RedirectContainsCredentials",
        "Redirect location '{}' contains a username and password, which is disallowed for cross-origin requests.",
        Hole::Detail,
    )
};
const LOCAL_NETWORK_DENIED: Sentence = Sentence {
    about: About::Other,
    ..sentence(
        "LocalNetworkAccessPermissionDenied",
        "LocalNetworkAccessPermissionDenied",
        "Permission was denied for this request to access the `{}` address space.",
        Hole::Detail,
    )
};
const INSECURE_LOCAL_NETWORK: Sentence = Sentence {
    about: About::Other,
    ..sentence(
        "InsecureLocalNetwork",
        "InsecureLocalNetwork",
        "The request client is not a secure context and the resource is in more-private address space `{}`.",
        Hole::Detail,
    )
};
const CORS_DISABLED_SCHEME: Sentence = Sentence {
    about: About::Other,
    ..sentence(
        "CorsDisabledScheme",
        "CorsDisabledScheme",
        "Cross origin requests are only supported for protocol schemes: {}.",
        Hole::Detail,
    )
};
const DISALLOWED_BY_MODE: Sentence = Sentence {
    about: About::Other,
    ..sentence(
        "DisallowedByMode",
        "DisallowedByMode",
        "Cross origin requests are not allowed by request mode.",
        Hole::None,
    )
};

/// Every sentence read back.
const SENTENCES: &[&Sentence] = &[
    &MISSING_ALLOW_ORIGIN,
    &WILDCARD_ORIGIN,
    &MULTIPLE_ALLOW_ORIGIN,
    &INVALID_ALLOW_ORIGIN,
    &ALLOW_ORIGIN_MISMATCH,
    &INVALID_ALLOW_CREDENTIALS,
    &PREFLIGHT_STATUS,
    &PREFLIGHT_REDIRECT,
    &ALLOW_METHODS_UNPARSABLE,
    &ALLOW_HEADERS_UNPARSABLE,
    &METHOD_DISALLOWED,
    &HEADER_DISALLOWED,
    &REDIRECT_CREDENTIALS,
    &LOCAL_NETWORK_DENIED,
    &INSECURE_LOCAL_NETWORK,
    &CORS_DISABLED_SCHEME,
    &DISALLOWED_BY_MODE,
];

/// Renders `failure` for a request to `url` from `origin`.
pub(crate) fn render(failure: &Failure, url: &str, origin: &str) -> ChromiumError {
    let (sentence, parameter, preflight): (&Sentence, Option<String>, bool) = match failure {
        Failure::DisallowedByMode => {
            // fetch() refuses before any request exists: Blink's own message.
            return ChromiumError {
                name: "DisallowedByMode",
                failed_parameter: None,
                console: format!("{SAME_ORIGIN_START}{url}{SAME_ORIGIN_MIDDLE}{origin}{SAME_ORIGIN_END}"),
            };
        }
        Failure::PreflightRedirect { .. } => (&PREFLIGHT_REDIRECT, None, true),
        Failure::AllowOrigin { stage, lines, credentials, .. } => {
            let (sentence, parameter) = allow_origin(lines, *credentials);
            (sentence, parameter, *stage == Stage::Preflight)
        }
        Failure::AllowCredentials { stage, value } => {
            (&INVALID_ALLOW_CREDENTIALS, Some(value.clone().unwrap_or_default()), *stage == Stage::Preflight)
        }
        Failure::PreflightStatus { .. } => (&PREFLIGHT_STATUS, None, true),
        Failure::AllowMethodsUnparsable { .. } => (&ALLOW_METHODS_UNPARSABLE, None, false),
        Failure::AllowHeadersUnparsable { .. } => (&ALLOW_HEADERS_UNPARSABLE, None, false),
        Failure::MethodNotAllowed { method } => (&METHOD_DISALLOWED, Some(method.clone()), false),
        Failure::HeaderNotAllowed { header } => (&HEADER_DISALLOWED, Some(header.clone()), false),
        // Chromium 156 leaves the location out of the sentence: `''`.
        Failure::RedirectCredentials { .. } => return detailed(&REDIRECT_CREDENTIALS, "", url, origin),
        Failure::LocalNetworkDenied { space } => return detailed(&LOCAL_NETWORK_DENIED, space.as_str(), url, origin),
        Failure::LocalNetworkInsecure { space } => return detailed(&INSECURE_LOCAL_NETWORK, space.as_str(), url, origin),
        Failure::RedirectCredentialsAborted { .. }
        | Failure::RedirectModeError { .. }
        | Failure::RedirectScheme { .. }
        | Failure::TooManyRedirects { .. }
        | Failure::NoCorsRedirectMode { .. }
        | Failure::LocalNetworkPromptTimeout { .. } => return network_error(failure, url),
    };
    let name = if preflight { sentence.preflight_name } else { sentence.name };
    let prefix = if preflight { PREFLIGHT_PREFIX } else { "" };
    let text = sentence.fill(parameter.as_deref().unwrap_or_default());
    ChromiumError {
        name,
        failed_parameter: parameter.filter(|p| !p.is_empty()),
        console: format!("{HEAD_START}fetch{HEAD_AT}{url}'{HEAD_FROM}{origin}{HEAD_BLOCKED}{prefix}{text}"),
    }
}

/// How Chromium's `CheckAccess` names a failing `Access-Control-Allow-Origin`:
/// it looks at the combined value (lines joined by `, `).
fn allow_origin(lines: &[String], credentials: bool) -> (&'static Sentence, Option<String>) {
    if lines.is_empty() {
        return (&MISSING_ALLOW_ORIGIN, None);
    }
    let value = lines.join(", ");
    if value == "*" && credentials {
        return (&WILDCARD_ORIGIN, None);
    }
    if value.contains([' ', ',']) {
        return (&MULTIPLE_ALLOW_ORIGIN, Some(value));
    }
    // "null" is checked before URL validity, as GURL finds it invalid.
    if value != "null" && url::Url::parse(&value).is_err() {
        return (&INVALID_ALLOW_ORIGIN, Some(value));
    }
    (&ALLOW_ORIGIN_MISMATCH, Some(value))
}

/// Reads one of Chromium's console lines, `line` starting where its text
/// does (any `(index):1 ` before it already cut): a CORS line (`Access to
/// fetch at …`), Blink's `same-origin` line, or a network line (`Failed to
/// load resource: net::…`, `GET <url> net::ERR_FAILED 200 (OK)`).
///
/// `None` when the line is none of these.
pub(crate) fn parse(line: &str) -> Option<Result<ParsedConsole, ConsoleParseError>> {
    if let Some(rest) = console::strip_prefix(line, HEAD_START) {
        return Some(parse_cors(line, rest));
    }
    if let Some(rest) = console::strip_prefix(line, SAME_ORIGIN_START)
        && let Some((url, after)) = console::split_once(rest, SAME_ORIGIN_MIDDLE)
    {
        let Some(origin) = console::strip_suffix(after, SAME_ORIGIN_END) else {
            return Some(Err(incomplete(line, "the line stops before the request's origin ends with '.'")));
        };
        let mut parsed = ParsedConsole::new(Browser::Chrome, LineKind::Error, DISALLOWED_BY_MODE.name, line);
        parsed.url = Some(url.to_owned());
        parsed.origin = Some(origin.to_owned());
        return Some(Ok(parsed));
    }
    if let Some(rest) = console::strip_prefix(line, SAME_ORIGIN_START)
        && let Some((url, "")) = console::split_once(rest, NO_CORS_REDIRECT)
    {
        // Blink's own line, no CORS error: `no-cors` must follow redirects.
        let mut parsed = ParsedConsole::new(Browser::Chrome, LineKind::Generic, "NoCorsRedirectMode", line);
        parsed.url = Some(url.to_owned());
        return Some(Ok(parsed));
    }
    if let Some(rest) = console::strip_prefix(line, FAILED_TO_LOAD)
        && rest.starts_with("net::")
    {
        let mut parsed = ParsedConsole::new(Browser::Chrome, LineKind::Generic, "FailedToLoadResource", line);
        parsed.net_error = Some(rest.trim_end_matches('.').to_owned());
        return Some(Ok(parsed));
    }
    network_line(line).map(Ok)
}

/// `Access to <initiator> at '<url>'[ (redirected from '<first>')] from origin '<origin>' has been blocked by CORS policy: <sentence>`.
fn parse_cors(line: &str, rest: &str) -> Result<ParsedConsole, ConsoleParseError> {
    let Some((initiator, rest)) = console::split_once(rest, HEAD_AT) else {
        return Err(incomplete(line, "no \" at '<url>'\" after \"Access to\""));
    };
    if initiator.is_empty() || initiator.len() > 40 || !initiator.chars().all(|c| c.is_ascii_alphabetic() || c == ' ') {
        return Err(not_chromium(line));
    }
    let Some((head, text)) = console::split_once(rest, HEAD_BLOCKED) else {
        return Err(incomplete(line, "the line stops before \"has been blocked by CORS policy:\""));
    };
    // The URL has no spaces (it is serialized), so the first " from origin '"
    // ends it; the origin has no quote.
    let Some((urls, origin)) = console::split_once(head, HEAD_FROM) else {
        return Err(incomplete(line, "no \"from origin '<origin>'\" before \"has been blocked\""));
    };
    let (url, redirected_from) = if let Some(both) = console::strip_suffix(urls, "')") {
        match console::split_once(both, HEAD_REDIRECTED) {
            Some((hop, first)) => (hop, Some(first)),
            None => return Err(incomplete(line, "a \"(redirected from\" without its URL")),
        }
    } else if let Some(url) = console::strip_suffix(urls, "'") {
        (url, None)
    } else {
        return Err(incomplete(line, "the request's URL is not closed by a quote"));
    };
    let (prefixed, text) = match console::strip_prefix(text, PREFLIGHT_PREFIX) {
        Some(text) => (true, text),
        None => (false, text),
    };
    let mut parsed = ParsedConsole::new(Browser::Chrome, LineKind::Error, "", line);
    parsed.initiator = Some(initiator.to_owned());
    parsed.url = Some(url.to_owned());
    parsed.redirected_from = redirected_from.map(str::to_owned);
    parsed.origin = Some(origin.to_owned());
    let Some((sentence, value)) = SENTENCES.iter().find_map(|s| match_sentence(s, text).map(|v| (*s, v))) else {
        let what = format!(
            "a Chromium CORS line ({initiator} at '{}' from origin '{}')",
            console::excerpt(url),
            console::excerpt(origin)
        );
        return Err(ConsoleParseError::new(ConsoleErrorKind::UnknownSentence, Some(Browser::Chrome), what, text)
            .with_place(parsed.url.clone(), parsed.origin.clone()));
    };
    parsed.name = if prefixed { sentence.preflight_name } else { sentence.name };
    parsed.cors_error = Some(parsed.name);
    parsed.preflight = match sentence.about {
        About::Prefix => Some(prefixed),
        About::Preflight => Some(true),
        About::Other => None,
    };
    match sentence.hole {
        Hole::Parameter => parsed.failed_parameter = value.filter(|v| !v.is_empty()).map(str::to_owned),
        Hole::Detail => parsed.detail = value.filter(|v| !v.is_empty()).map(str::to_owned),
        Hole::None => {}
    }
    Ok(parsed)
}

/// The sentence's value (`Some(None)` when it has no hole) if `text` is it,
/// with one of its endings.
fn match_sentence<'a>(sentence: &Sentence, text: &'a str) -> Option<Option<&'a str>> {
    let tails = std::iter::once(sentence.tail).chain(sentence.older_tails.iter().copied()).chain([""]);
    for tail in tails {
        let Some(body) = console::strip_suffix(text, tail) else { continue };
        if let Some(value) = console::match_template(body, sentence.text) {
            return Some(value);
        }
    }
    None
}

/// Chromium's network line: `GET https://api.test/x net::ERR_FAILED 200 (OK)`
/// (after the console's own `(index):12 ` link, if any).
fn network_line(line: &str) -> Option<ParsedConsole> {
    let words: Vec<&str> = line.split_whitespace().collect();
    let at = words.iter().position(|w| w.starts_with("net::"))?;
    let [method, url] = words.get(at.checked_sub(2)?..at)? else { return None };
    if !method.bytes().all(|b| b.is_ascii_alphabetic()) || !(url.starts_with("http://") || url.starts_with("https://")) {
        return None;
    }
    let mut parsed = ParsedConsole::new(Browser::Chrome, LineKind::Generic, "FailedToLoadResource", line);
    parsed.method = Some((*method).to_owned());
    parsed.url = Some((*url).to_owned());
    parsed.net_error = Some(words[at].to_owned());
    parsed.status = words.get(at + 1).and_then(|s| s.parse().ok()).filter(|s: &u16| (100..=999).contains(s));
    Some(parsed)
}

fn incomplete(line: &str, what: &str) -> ConsoleParseError {
    ConsoleParseError::new(ConsoleErrorKind::Incomplete, Some(Browser::Chrome), format!("a Chromium CORS line, but {what}"), line)
}

fn not_chromium(line: &str) -> ConsoleParseError {
    ConsoleParseError::new(ConsoleErrorKind::NotACorsLine, None, "a line starting \"Access to\" that is not Chromium's".to_owned(), line)
}

/// Renders `failure` at `place`: on a URL that redirects led to, Chromium
/// names the first URL too (`… at '<url>' (redirected from '<first>') from
/// origin '<page>' …`), and says the request came from the page's origin
/// even where the request's own is `null`.
pub(crate) fn render_at(failure: &Failure, place: &Place) -> ChromiumError {
    let Some(first) = &place.first_url else {
        return render(failure, &place.url, &place.initiator);
    };
    let url = place.url.as_str();
    let mut error = match failure {
        // After a redirect the network service refuses it, in a CORS line.
        Failure::DisallowedByMode => ChromiumError {
            name: DISALLOWED_BY_MODE.name,
            failed_parameter: None,
            console: format!(
                "{HEAD_START}fetch{HEAD_AT}{url}'{HEAD_FROM}{}{HEAD_BLOCKED}{}",
                place.initiator,
                DISALLOWED_BY_MODE.fill("")
            ),
        },
        _ => render(failure, url, &place.initiator),
    };
    let plain = format!("{HEAD_AT}{url}'{HEAD_FROM}");
    let redirected = format!("{HEAD_AT}{url}{HEAD_REDIRECTED}{first}'){HEAD_FROM}");
    error.console = error.console.replacen(&plain, &redirected, 1);
    error
}

/// DevTools' `loadingFailed.errorText` for a fetch `failure` rejected
/// (`None` where no request was made).
pub(crate) fn net_error(failure: &Failure) -> Option<&'static str> {
    match failure {
        Failure::DisallowedByMode | Failure::NoCorsRedirectMode { .. } => None,
        Failure::TooManyRedirects { .. } => Some("net::ERR_TOO_MANY_REDIRECTS"),
        Failure::RedirectScheme { location } if url::Url::parse(location).is_err() => Some("net::ERR_INVALID_REDIRECT"),
        Failure::RedirectScheme { .. } => Some("net::ERR_UNSAFE_REDIRECT"),
        Failure::RedirectCredentialsAborted { .. } => Some("net::ERR_ABORTED"),
        _ => Some("net::ERR_FAILED"),
    }
}

/// A CORS line whose sentence names a detail (an address space, a
/// location) that Chromium does not report as the failed parameter.
fn detailed(sentence: &Sentence, detail: &str, url: &str, origin: &str) -> ChromiumError {
    ChromiumError {
        name: sentence.name,
        failed_parameter: None,
        console: format!("{HEAD_START}fetch{HEAD_AT}{url}'{HEAD_FROM}{origin}{HEAD_BLOCKED}{}", sentence.fill(detail)),
    }
}

/// A failure Chromium reports as a network error, not a CORS one: the
/// network panel's line (`Failed to load resource: net::ERR_FAILED`), none
/// for an aborted load, Blink's own line for a `no-cors` request that may
/// not follow redirects. `name` is the line's, as the console parser names it.
fn network_error(failure: &Failure, url: &str) -> ChromiumError {
    let console = match failure {
        Failure::NoCorsRedirectMode { .. } => format!("{SAME_ORIGIN_START}{url}{NO_CORS_REDIRECT}"),
        Failure::RedirectCredentialsAborted { .. } => String::new(),
        _ => net_error(failure).map(|e| format!("{FAILED_TO_LOAD}{e}")).unwrap_or_default(),
    };
    ChromiumError { name: "FailedToLoadResource", failed_parameter: None, console }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn every_sentence_has_at_most_one_hole_and_its_names() {
        for sentence in SENTENCES {
            assert!(sentence.text.matches("{}").count() <= 1, "{}", sentence.name);
            assert_eq!(sentence.text.contains("{}"), sentence.hole != Hole::None, "{}", sentence.name);
            assert!(!sentence.name.is_empty() && !sentence.preflight_name.is_empty());
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_sentence_is_read_with_any_of_its_endings() {
        let text = format!("{}{OLD_VALID_VALUE_HINT}", ALLOW_ORIGIN_MISMATCH.text.replace("{}", "http://a.test"));
        assert_eq!(match_sentence(&ALLOW_ORIGIN_MISMATCH, &text), Some(Some("http://a.test")));
        let text = ALLOW_ORIGIN_MISMATCH.fill("http://a.test");
        assert_eq!(match_sentence(&ALLOW_ORIGIN_MISMATCH, &text), Some(Some("http://a.test")));
        assert_eq!(match_sentence(&MISSING_ALLOW_ORIGIN, &text), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn the_network_line_gives_the_method_and_status() {
        let parsed = network_line("GET https://api.test/x net::ERR_FAILED 200 (OK)").unwrap();
        assert_eq!(parsed.method.as_deref(), Some("GET"));
        assert_eq!(parsed.status, Some(200));
        assert_eq!(parsed.net_error.as_deref(), Some("net::ERR_FAILED"));
        assert!(network_line("POST https://api.test/x net::ERR_FAILED").unwrap().status.is_none());
        assert!(network_line("Access to fetch at").is_none());
    }
}
