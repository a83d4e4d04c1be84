//! Console lines read back: the inverse of the renderers. A line a browser
//! printed for a CORS failure (or pasted from a forum, a chat, a bug
//! report) gives back the browser, the error name exactly as
//! `expect.<browser>.cors_error` spells it, the failed parameter, the URL
//! and the page's origin where the line names them.
//!
//! Each browser's lines are read next to where they are written:
//! [`chromium`] and [`firefox`] parse with
//! the very constants they render with, so a template changed there breaks
//! the round-trip test at once. WebKit's lines (Safari's engine) have no
//! renderer in the engine yet; their templates are here, from the WebKitGTK
//! 2.50 recordings (`../shared/reference/browsers.md`, WebKit section).
//!
//! What people paste is read too: a leading `(index):1 ` or `[Error] `, the
//! lines printed with it (`GET <url> net::ERR_FAILED 200 (OK)`, `Uncaught
//! (in promise) TypeError: Failed to fetch`, Firefox's `CORSDidNotSucceed`,
//! WebKit's `Fetch API cannot load <url> due to access control checks.`),
//! which add the method, the status or the URL; `\r\n`; surrounding blanks;
//! curly or straight quotes alike; a line broken in two.
//!
//! # Bounds
//!
//! Input over [`MAX_CONSOLE_LEN`] (64 KiB) is refused before it is read; a
//! control character (a NUL byte, an escape) is refused; the rest costs at
//! most a few passes over each line per template. No input makes it panic.
//!
//! # Examples
//!
//! ```
//! use corslab::Browser;
//! use corslab::browsers::console::parse_console_line;
//!
//! let parsed = parse_console_line("(index):1 Access to fetch at 'http://localhost:8080/data' \
//!     from origin 'http://localhost:3000' has been blocked by CORS policy: Response to preflight \
//!     request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is \
//!     present on the requested resource.").unwrap();
//! assert_eq!(parsed.browser, Browser::Chrome);
//! assert_eq!(parsed.cors_error, Some("PreflightMissingAllowOriginHeader"));
//! assert_eq!(parsed.url.as_deref(), Some("http://localhost:8080/data"));
//! assert_eq!(parsed.origin.as_deref(), Some("http://localhost:3000"));
//! assert_eq!(parsed.preflight, Some(true));
//!
//! let e = parse_console_line("Access to fetch at 'http://a.test/' from origin 'http://b.test' \
//!     has been blocked by CORS policy: Something new.").unwrap_err();
//! assert!(e.to_string().starts_with("a Chromium CORS line"), "{e}");
//! ```

use std::fmt;

use serde::Serialize;

use super::profile::Browser;
use super::{chromium, firefox};

/// The longest input read, in bytes (64 KiB): a console line with a long
/// URL and the lines printed with it fit; anything longer is refused with
/// [`ConsoleErrorKind::TooLong`].
pub const MAX_CONSOLE_LEN: usize = 64 * 1024;

/// What the line reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LineKind {
    /// A CORS failure: the request was blocked, `fetch()` rejected.
    Error,
    /// A warning on a request that passed (Firefox's `Authorization` under
    /// `Access-Control-Allow-Headers: *`).
    Warning,
    /// Information (Firefox's Local Network Access lines).
    Info,
    /// A line that only says the load failed (Chromium's `Failed to load
    /// resource: net::ERR_FAILED` and `GET <url> net::ERR_FAILED`, WebKit's
    /// `… due to access control checks.`): the specific line is printed
    /// beside it.
    Generic,
}

/// A console line read back.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ParsedConsole {
    /// Whose line it is: `chrome` (every Chromium-based browser), `firefox`
    /// or `webkit` (Safari); never `spec`.
    pub browser: Browser,
    /// What it reports.
    pub kind: LineKind,
    /// The name of the line's template: the error name for an
    /// [`Error`](LineKind::Error), else the message's own name
    /// (`CORSAllowHeaderFromPreflightDeprecation`, `FailedToLoadResource` …).
    pub name: &'static str,
    /// The error name exactly as the browser reports it (and
    /// `expect.<browser>.cors_error` spells it): Chromium's `CorsError`,
    /// Firefox's reason code (or `CheckSameOriginError`), WebKit's template
    /// name; `None` for a line that is not an error.
    pub cors_error: Option<&'static str>,
    /// The method, header or value the error names (as
    /// `expect.<browser>.failed_parameter`), `None` where it names none or
    /// an empty one.
    pub failed_parameter: Option<String>,
    /// The request's URL where the line names it (after a redirect: the URL
    /// that failed; WebKit's lines name none but their generic second line
    /// does).
    pub url: Option<String>,
    /// The URL first requested, when Chromium says `(redirected from …)`.
    pub redirected_from: Option<String>,
    /// The page's origin where the line names it (Chromium's lines, WebKit's
    /// `Origin … is not allowed`, Firefox's `Security Error` and Local
    /// Network Access lines, by their page).
    pub origin: Option<String>,
    /// The page's URL, where Firefox names it.
    pub page_url: Option<String>,
    /// Whether the line is about the preflight's answer (`None`: it does not
    /// say).
    pub preflight: Option<bool>,
    /// The HTTP status the lines name (Firefox's and WebKit's `Status code:
    /// N`, Chromium's network line).
    pub status: Option<u16>,
    /// A value the line names that is not the failed parameter: the address
    /// space of a Local Network Access error, a redirect location, the
    /// schemes CORS supports.
    pub detail: Option<String>,
    /// What made the request, where Chromium says (`fetch`,
    /// `XMLHttpRequest`, `script` …).
    pub initiator: Option<String>,
    /// The request's method, from Chromium's network line.
    pub method: Option<String>,
    /// Chromium's network error (`net::ERR_FAILED`), from its network line.
    pub net_error: Option<String>,
    /// The MDN page of a Firefox reason.
    pub mdn: Option<String>,
    /// The line read, as given (trimmed, any prefix cut).
    pub line: String,
    /// The names of the other lines recognised in the input.
    pub also: Vec<String>,
}

impl ParsedConsole {
    /// A line of `browser` of `kind` named `name`, nothing else known yet.
    pub(crate) fn new(browser: Browser, kind: LineKind, name: &'static str, line: &str) -> ParsedConsole {
        ParsedConsole {
            browser,
            kind,
            name,
            cors_error: (kind == LineKind::Error && !name.is_empty()).then_some(name),
            failed_parameter: None,
            url: None,
            redirected_from: None,
            origin: None,
            page_url: None,
            preflight: None,
            status: None,
            detail: None,
            initiator: None,
            method: None,
            net_error: None,
            mdn: None,
            line: line.to_owned(),
            also: Vec::new(),
        }
    }
}

/// Why an input is not a console line CORS Lab can read.
///
/// Flat and `Copy`, one fixed message each; what was recognised travels
/// beside it in [`ConsoleParseError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum ConsoleErrorKind {
    /// Longer than [`MAX_CONSOLE_LEN`].
    TooLong,
    /// Nothing but blanks.
    Empty,
    /// A control character (a NUL byte, an escape …) no console line has.
    ControlCharacter,
    /// No line of the input is a console line CORS Lab knows.
    NotACorsLine,
    /// A browser's CORS line, cut short or broken.
    Incomplete,
    /// A browser's CORS line whose sentence (or reason) is not one CORS Lab
    /// knows.
    UnknownSentence,
}

impl ConsoleErrorKind {
    /// The fixed, lower-case message of this kind.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooLong => "the input is longer than 64 KiB: paste the console line alone",
            Self::Empty => "the input holds no console line",
            Self::ControlCharacter => "the input holds a control character (a NUL byte, an escape), which no console line has",
            Self::NotACorsLine => "not a CORS console line CORS Lab knows",
            Self::Incomplete => "a CORS console line, cut short or broken",
            Self::UnknownSentence => "a CORS console line whose sentence CORS Lab does not know",
        }
    }

    /// How far the reading got, to pick the most telling error of several
    /// lines.
    fn rank(self) -> u8 {
        match self {
            Self::UnknownSentence => 3,
            Self::Incomplete => 2,
            _ => 0,
        }
    }
}

/// Why an input could not be read, and what of it was recognised.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsoleParseError {
    kind: ConsoleErrorKind,
    browser: Option<Browser>,
    recognised: String,
    excerpt: String,
    url: Option<String>,
    origin: Option<String>,
}

/// The longest excerpt an error carries, in characters.
const MAX_EXCERPT_CHARS: usize = 120;

impl ConsoleParseError {
    /// An error of `kind`: `recognised` says what was (a phrase, may be
    /// empty), `text` is the part that could not be read (cut short here).
    pub(crate) fn new(
        kind: ConsoleErrorKind,
        browser: Option<Browser>,
        recognised: String,
        text: &str,
    ) -> ConsoleParseError {
        ConsoleParseError { kind, browser, recognised, excerpt: excerpt(text), url: None, origin: None }
    }

    /// The same, with the URL and origin read before it failed.
    pub(crate) fn with_place(mut self, url: Option<String>, origin: Option<String>) -> ConsoleParseError {
        self.url = url;
        self.origin = origin;
        self
    }

    /// The rule that was broken.
    pub fn kind(&self) -> ConsoleErrorKind {
        self.kind
    }

    /// The browser whose line it seems to be, if any.
    pub fn browser(&self) -> Option<Browser> {
        self.browser
    }

    /// What was recognised, for people (may be empty).
    pub fn recognised(&self) -> &str {
        &self.recognised
    }

    /// The text that could not be read (cut to 120 characters).
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }

    /// The request's URL, if it was read before the failure.
    pub fn url(&self) -> Option<&str> {
        self.url.as_deref()
    }

    /// The page's origin, if it was read before the failure.
    pub fn origin(&self) -> Option<&str> {
        self.origin.as_deref()
    }
}

impl fmt::Display for ConsoleParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ConsoleErrorKind::UnknownSentence => {
                write!(f, "{}, but its sentence is not one CORS Lab knows: \"{}\"", self.recognised, self.excerpt)
            }
            ConsoleErrorKind::Incomplete => write!(f, "{}: \"{}\"", self.recognised, self.excerpt),
            ConsoleErrorKind::NotACorsLine => {
                f.write_str(self.kind.message())?;
                if !self.recognised.is_empty() {
                    write!(f, " ({})", self.recognised)?;
                }
                f.write_str(
                    ": it reads Chromium's \"Access to fetch at …\", Firefox's \"Cross-Origin Request Blocked: …\" and \"Security Error: Content at …\", and Safari's \"Origin … is not allowed by Access-Control-Allow-Origin.\" and its other CORS lines",
                )?;
                if !self.excerpt.is_empty() {
                    write!(f, "; got \"{}\"", self.excerpt)?;
                }
                Ok(())
            }
            _ if self.recognised.is_empty() => f.write_str(self.kind.message()),
            _ => write!(f, "{} ({})", self.kind.message(), self.recognised),
        }
    }
}

impl std::error::Error for ConsoleParseError {}

/// Reads a console line (or a few lines pasted together) back.
///
/// # Errors
///
/// A [`ConsoleParseError`] for input over [`MAX_CONSOLE_LEN`], with a
/// control character, blank, or holding no line CORS Lab knows; for a line
/// recognised as a browser's CORS line but cut short, or whose sentence is
/// unknown, it says what was recognised (the browser, the URL, the origin).
pub fn parse_console_line(text: &str) -> Result<ParsedConsole, ConsoleParseError> {
    if text.len() > MAX_CONSOLE_LEN {
        let what = format!("{} bytes", text.len());
        return Err(ConsoleParseError::new(ConsoleErrorKind::TooLong, None, what, ""));
    }
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| c.is_control() && !matches!(c, '\n' | '\r' | '\t')) {
        let what = format!("U+{:04X} at byte {at}", u32::from(c));
        return Err(ConsoleParseError::new(ConsoleErrorKind::ControlCharacter, None, what, ""));
    }
    let lines: Vec<&str> = text.split(['\n', '\r']).map(clean).filter(|l| !l.is_empty()).collect();
    if lines.is_empty() {
        return Err(ConsoleParseError::new(ConsoleErrorKind::Empty, None, String::new(), ""));
    }

    let mut found: Vec<ParsedConsole> = Vec::new();
    let mut errors: Vec<ConsoleParseError> = Vec::new();
    let mut page_errors: Vec<&str> = Vec::new();
    for line in &lines {
        match parse_line(line) {
            Some(Ok(parsed)) => found.push(parsed),
            Some(Err(e)) => errors.push(e),
            None if is_page_error(line) => page_errors.push(line),
            None => {}
        }
    }
    if found.iter().all(|p| p.kind == LineKind::Generic) && lines.len() > 1 {
        // A line broken in two (at a blank by a chat or a mail, anywhere by
        // a terminal): read it whole.
        let whole = [" ", ""].iter().find_map(|glue| match parse_line(&lines.join(glue)) {
            Some(Ok(parsed)) if parsed.kind != LineKind::Generic => Some(parsed),
            _ => None,
        });
        if let Some(parsed) = whole {
            found.insert(0, parsed);
        }
    }

    // The most specific line, the first of its rank, with what the others add.
    let rank = |p: &ParsedConsole| match p.kind {
        LineKind::Error | LineKind::Warning => 0,
        LineKind::Info => 1,
        LineKind::Generic => 2,
    };
    let Some(best) = found.iter().enumerate().min_by_key(|(i, p)| (rank(p), *i)).map(|(i, _)| i) else {
        return Err(nothing_found(errors, &page_errors, &lines));
    };
    let mut parsed = found.remove(best);
    for other in &found {
        merge(&mut parsed, other);
    }
    Ok(parsed)
}

/// A line with its blanks and what people paste around the text cut.
fn clean(line: &str) -> &str {
    let mut line = line.trim();
    // Firefox's console link, copied with the message.
    for tail in ["[Learn More]", "[Learn more]", "Learn More"] {
        if let Some(rest) = line.strip_suffix(tail) {
            line = rest.trim_end();
        }
    }
    line
}

/// Where each browser's lines start, to cut what comes before (`(index):1 `,
/// `Uncaught `, a timestamp).
const STARTS: &[&str] = &[
    chromium::HEAD_START,
    chromium::SAME_ORIGIN_START,
    chromium::FAILED_TO_LOAD,
    firefox::BLOCKED,
    firefox::WARNING_START,
    firefox::SECURITY_START,
    firefox::LNA_START,
    "XMLHttpRequest cannot load ",
];

/// One line read: `None` when no browser knows it.
fn parse_line(line: &str) -> Option<Result<ParsedConsole, ConsoleParseError>> {
    let start = STARTS.iter().filter_map(|s| line.find(s)).min().unwrap_or(0);
    let cut = &line[start..];
    chromium::parse(cut).or_else(|| firefox::parse(cut)).or_else(|| webkit::parse(webkit::without_prefixes(cut)))
}

/// The error the page itself sees, which every CORS failure gives.
fn is_page_error(line: &str) -> bool {
    ["Failed to fetch", "NetworkError when attempting to fetch resource", "Load failed", "Network Error"]
        .iter()
        .any(|e| line.contains(e))
}

/// The error for an input where no line was read.
fn nothing_found(errors: Vec<ConsoleParseError>, page_errors: &[&str], lines: &[&str]) -> ConsoleParseError {
    if let Some(best) = errors.into_iter().max_by_key(|e| e.kind.rank()) {
        return best;
    }
    if let Some(page) = page_errors.first() {
        let what = format!(
            "only the page's error ({}), which every CORS failure gives; the browser prints the line that says why next to it",
            excerpt(page)
        );
        return ConsoleParseError::new(ConsoleErrorKind::NotACorsLine, None, what, "");
    }
    ConsoleParseError::new(ConsoleErrorKind::NotACorsLine, None, String::new(), lines.first().copied().unwrap_or_default())
}

/// What another line of the same paste adds.
fn merge(parsed: &mut ParsedConsole, other: &ParsedConsole) {
    parsed.also.push(other.name.to_owned());
    let same_url = match (&parsed.url, &other.url) {
        (Some(a), Some(b)) => a == b || parsed.redirected_from.as_ref() == Some(b),
        _ => true,
    };
    if other.browser != parsed.browser || !same_url {
        return;
    }
    if parsed.url.is_none() {
        parsed.url.clone_from(&other.url);
    }
    if parsed.method.is_none() {
        parsed.method.clone_from(&other.method);
    }
    if parsed.net_error.is_none() {
        parsed.net_error.clone_from(&other.net_error);
    }
    if parsed.status.is_none() && other.kind == LineKind::Generic {
        parsed.status = other.status;
    }
}

/// `text` cut to a few dozen characters, for an error.
pub(crate) fn excerpt(text: &str) -> String {
    match text.char_indices().nth(MAX_EXCERPT_CHARS) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_owned(),
    }
}

// Matching, with every kind of quote alike: people paste through editors
// and chats that turn ' into ’, and Firefox writes ‘’ “” where forums write
// '' "".

fn same_char(template: char, text: char) -> bool {
    const SINGLE: [char; 3] = ['\'', '‘', '’'];
    const DOUBLE: [char; 3] = ['"', '“', '”'];
    template == text
        || (SINGLE.contains(&template) && SINGLE.contains(&text))
        || (DOUBLE.contains(&template) && DOUBLE.contains(&text))
        || (template == ' ' && text == '\u{a0}')
}

/// `text` after `literal`, quotes alike.
pub(crate) fn strip_prefix<'a>(text: &'a str, literal: &str) -> Option<&'a str> {
    let mut chars = text.chars();
    for t in literal.chars() {
        if !same_char(t, chars.next()?) {
            return None;
        }
    }
    Some(chars.as_str())
}

/// `text` before `literal`, quotes alike.
pub(crate) fn strip_suffix<'a>(text: &'a str, literal: &str) -> Option<&'a str> {
    let mut chars = text.chars();
    for t in literal.chars().rev() {
        if !same_char(t, chars.next_back()?) {
            return None;
        }
    }
    Some(chars.as_str())
}

/// `text` around the first `literal`, quotes alike. Linear in `text` for a
/// fixed `literal` (a template's few dozen characters).
pub(crate) fn split_once<'a>(text: &'a str, literal: &str) -> Option<(&'a str, &'a str)> {
    let first = literal.chars().next()?;
    text.char_indices()
        .filter(|&(_, c)| same_char(first, c))
        .find_map(|(i, _)| strip_prefix(&text[i..], literal).map(|rest| (&text[..i], rest)))
}

/// The value of `template`'s `{}` if `text` is `template` (`Some(None)`
/// when it has no hole), quotes alike.
pub(crate) fn match_template<'a>(text: &'a str, template: &str) -> Option<Option<&'a str>> {
    match template.split_once("{}") {
        None => strip_prefix(text, template)?.is_empty().then_some(None),
        Some((before, after)) => {
            let rest = strip_prefix(text, before)?;
            strip_suffix(rest, after).map(Some)
        }
    }
}

/// WebKit's lines (Safari). The renderer (`browsers/webkit.rs`) writes
/// some of its templates inline, so those are repeated here; the
/// round-trip test reads every line it renders back. The names are the ones
/// `expect.webkit.cors_error` uses (CORS Lab's: WebKit has no error codes).
mod webkit {
    use super::{Browser, ConsoleErrorKind, ConsoleParseError, LineKind, ParsedConsole};
    use crate::browsers::webkit::{
        CREDENTIALS_NOT_TRUE, FETCH_CANNOT_LOAD, HEADER_NOT_ALLOWED, HEADERS_INVALID, METHOD_NOT_ALLOWED, METHODS_INVALID,
        MULTIPLE_ORIGINS, ORIGIN_NOT_ALLOWED, PREFLIGHT_NOT_SUCCESSFUL, SECOND_LINE, WILDCARD_WITH_CREDENTIALS,
    };

    /// Safari's console prefixes, and the second form of each line.
    const PREFIXES: &[&str] = &["[Error] ", "[Warning] ", "[Log] ", "Failed to load resource: "];

    /// `Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: N`.
    const ORIGIN_START: &str = "Origin ";
    /// What [`ORIGIN_NOT_ALLOWED`] and [`PREFLIGHT_NOT_SUCCESSFUL`] end with;
    /// older Safari versions stopped before it.
    const STATUS: &str = " Status code:";
    const REDIRECT_START: &str = "Cross-origin redirection to ";
    const REDIRECT_MIDDLE: &str = " denied by Cross-Origin Resource Sharing policy: ";
    const REDIRECT_NON_CORS: &str = "not allowed to follow a cross-origin CORS redirection with non CORS scheme";
    const REDIRECT_CREDENTIALS: &str = "redirection URL {} has credentials";
    const GENERIC: &[&str] =
        &[SECOND_LINE, "XMLHttpRequest cannot load {} due to access control checks."];

    /// (name, template, what `{}` is, whether it is about the preflight).
    const SENTENCES: &[(&str, &str, Hole, Option<bool>)] = &[
        ("AllowOriginMultipleValues", MULTIPLE_ORIGINS, Hole::None, None),
        ("AllowOriginWildcardWithCredentials", WILDCARD_WITH_CREDENTIALS, Hole::None, None),
        ("AllowCredentialsNotTrue", CREDENTIALS_NOT_TRUE, Hole::None, None),
        ("MethodNotAllowed", METHOD_NOT_ALLOWED, Hole::Parameter, Some(true)),
        ("HeaderNotAllowed", HEADER_NOT_ALLOWED, Hole::Parameter, Some(true)),
        ("AllowMethodsInvalid", METHODS_INVALID, Hole::Parameter, Some(true)),
        ("AllowHeadersInvalid", HEADERS_INVALID, Hole::Parameter, Some(true)),
        ("FetchCannotLoad", FETCH_CANNOT_LOAD, Hole::Url, None),
        ("RedirectModeError", "Not allowed to follow a redirection while loading {}", Hole::Url, None),
        ("TooManyRedirects", "Load cannot follow more than 20 redirections", Hole::None, None),
    ];

    #[derive(Clone, Copy, Debug, PartialEq, Eq)]
    enum Hole {
        None,
        Parameter,
        Url,
    }

    pub(super) fn without_prefixes(mut line: &str) -> &str {
        for prefix in PREFIXES {
            if let Some(rest) = line.strip_prefix(prefix) {
                line = rest.trim_start();
            }
        }
        line
    }

    pub(super) fn parse(line: &str) -> Option<Result<ParsedConsole, ConsoleParseError>> {
        let new = |kind, name| ParsedConsole::new(Browser::Webkit, kind, name, line);
        // The generic second line first: `Fetch API cannot load {}.` would
        // take it.
        for template in GENERIC {
            if let Some(Some(url)) = super::match_template(line, template) {
                let mut parsed = new(LineKind::Generic, "AccessControlChecks");
                parsed.url = Some(url.to_owned());
                return Some(Ok(parsed));
            }
        }
        let without_status = |template: &'static str| template.strip_suffix(STATUS).unwrap_or(template);
        if let Some(rest) = super::strip_prefix(line, ORIGIN_START)
            && let Some((origin, status)) = super::split_once(rest, &format!(" {}", without_status(ORIGIN_NOT_ALLOWED)))
        {
            let mut parsed = new(LineKind::Error, "AllowOriginMismatch");
            parsed.origin = Some(origin.to_owned());
            return Some(with_status(parsed, status));
        }
        if let Some(status) = super::strip_prefix(line, without_status(PREFLIGHT_NOT_SUCCESSFUL)) {
            let mut parsed = new(LineKind::Error, "PreflightNotSuccessful");
            parsed.preflight = Some(true);
            return Some(with_status(parsed, status));
        }
        if let Some(rest) = super::strip_prefix(line, REDIRECT_START) {
            let Some((hop, reason)) = super::split_once(rest, REDIRECT_MIDDLE) else {
                let what = "a WebKit redirect line, but without \"denied by Cross-Origin Resource Sharing policy:\"";
                return Some(Err(ConsoleParseError::new(
                    ConsoleErrorKind::Incomplete,
                    Some(Browser::Webkit),
                    what.to_owned(),
                    line,
                )));
            };
            let mut parsed = if reason == REDIRECT_NON_CORS {
                new(LineKind::Error, "RedirectNonCorsScheme")
            } else if super::match_template(reason, REDIRECT_CREDENTIALS).is_some() {
                new(LineKind::Error, "RedirectURLHasCredentials")
            } else {
                let mut parsed = new(LineKind::Error, "RedirectDenied");
                parsed.failed_parameter = Some(reason.to_owned()).filter(|r| !r.is_empty());
                parsed
            };
            parsed.url = Some(hop.to_owned());
            return Some(Ok(parsed));
        }
        for &(name, template, hole, preflight) in SENTENCES {
            let Some(value) = super::match_template(line, template) else { continue };
            let mut parsed = new(LineKind::Error, name);
            parsed.preflight = preflight;
            match hole {
                Hole::Parameter => parsed.failed_parameter = value.filter(|v| !v.is_empty()).map(str::to_owned),
                // A URL has no blanks: a longer line is someone else's.
                Hole::Url if value.is_some_and(|v| v.contains(char::is_whitespace)) => continue,
                Hole::Url => parsed.url = value.map(str::to_owned),
                Hole::None => {}
            }
            return Some(Ok(parsed));
        }
        None
    }

    /// `parsed` with the ` Status code: N` that ends `rest`, if any.
    fn with_status(mut parsed: ParsedConsole, rest: &str) -> Result<ParsedConsole, ConsoleParseError> {
        if rest.is_empty() {
            return Ok(parsed);
        }
        match super::strip_prefix(rest, STATUS).and_then(|s| s.trim().trim_end_matches('.').parse().ok()) {
            Some(status) => {
                parsed.status = Some(status);
                Ok(parsed)
            }
            None => {
                let what = format!("a WebKit line ({}), but with text after it", parsed.name);
                Err(ConsoleParseError::new(ConsoleErrorKind::Incomplete, Some(Browser::Webkit), what, rest)
                    .with_place(None, parsed.origin))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn quotes_match_alike() {
        assert_eq!(strip_prefix("‘a’ b", "'a' "), Some("b"));
        assert_eq!(strip_suffix("x “y”", " \"y\""), Some("x"));
        assert_eq!(split_once("a ‘b’ c", "'b'"), Some(("a ", " c")));
        assert_eq!(match_template("Method PUT is ok.", "Method {} is ok."), Some(Some("PUT")));
        assert_eq!(match_template("Method is ok.", "Method {} is ok."), None);
        assert_eq!(match_template("Done.", "Done."), Some(None));
        assert_eq!(match_template("Done. More", "Done."), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn webkit_lines_as_recorded() {
        let parsed = parse_console_line("[Error] Origin http://localhost:5050 is not allowed by Access-Control-Allow-Origin. Status code: 200\n[Error] Fetch API cannot load http://localhost:8080/x due to access control checks.").unwrap();
        assert_eq!((parsed.browser, parsed.cors_error), (Browser::Webkit, Some("AllowOriginMismatch")));
        assert_eq!(parsed.origin.as_deref(), Some("http://localhost:5050"));
        assert_eq!(parsed.url.as_deref(), Some("http://localhost:8080/x"));
        assert_eq!((parsed.status, parsed.failed_parameter), (Some(200), None));
        let parsed = parse_console_line("Request header field X-Custom is not allowed by Access-Control-Allow-Headers.").unwrap();
        assert_eq!(parsed.cors_error, Some("HeaderNotAllowed"));
        assert_eq!(parsed.failed_parameter.as_deref(), Some("X-Custom"));
        let parsed = parse_console_line("Fetch API cannot load http://localhost:8080/x.").unwrap();
        assert_eq!((parsed.cors_error, parsed.url.as_deref()), (Some("FetchCannotLoad"), Some("http://localhost:8080/x")));
    }
}
