//! A console line explained: what the browser saw, the usual causes on the
//! server's side, what to change, and the `corslab check` command that would
//! confirm it against the real server.
//!
//! The line is read by [`parse_console_line`](crate::browsers::console::parse_console_line);
//! this module maps each browser's error name to one neutral [`Problem`]
//! (Chromium's `PreflightMissingAllowOriginHeader`, Firefox's
//! `CORSMissingAllowOrigin` and WebKit's `AllowOriginMismatch` are one
//! problem seen three ways) and says it in the line's own values: its URL,
//! its origin (or `<your page's origin>` where the line names none, as
//! Firefox's do), its failed parameter, its status. The changes are
//! [`ServerChange`]s, as `check`'s fix writes them.
//!
//! # Examples
//!
//! ```
//! use corslab::browsers::console::parse_console_line;
//! use corslab::diagnosis::console::{explain, Problem};
//!
//! let line = "Access to fetch at 'https://api.example.com/items/7' from origin 'http://localhost:3000' \
//!     has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in \
//!     preflight response.";
//! let explained = explain(&parse_console_line(line).unwrap());
//! assert_eq!(explained.problem, Problem::MethodNotAllowed);
//! assert_eq!(explained.check, "corslab check https://api.example.com/items/7 --origin http://localhost:3000 -X PUT");
//! assert_eq!(explained.fix[0].text, "in the preflight (OPTIONS) answer, send `Access-Control-Allow-Methods: PUT` (with the other methods the page uses)");
//! ```

use std::fmt::Write as _;

use serde::Serialize;

use crate::browsers::console::ParsedConsole;
use crate::browsers::failure::Stage;
use crate::browsers::profile::Browser;
use crate::fix::ServerChange;

/// The format name of the JSON document ([`ConsoleReport`]).
pub const FORMAT: &str = "cors-console/1";

/// What stands for the page's origin where the line names none.
pub const UNKNOWN_ORIGIN: &str = "<your page's origin>";

/// What stands for the URL in the check command where the line names
/// none (WebKit).
pub const CHECK_URL: &str = "<request URL>";

/// What stands for the page's origin in the check command where the line
/// names none.
pub const CHECK_ORIGIN: &str = "<page origin>";

/// One problem, whichever browser reported it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Problem {
    /// No `Access-Control-Allow-Origin`.
    NoAllowOrigin,
    /// `Access-Control-Allow-Origin` names another origin.
    AllowOriginMismatch,
    /// WebKit's one line for a missing, empty, `null` or other origin.
    AllowOriginNotAllowed,
    /// More than one origin.
    AllowOriginMultiple,
    /// A value that is no origin.
    AllowOriginInvalid,
    /// `*` for a credentialed request.
    WildcardWithCredentials,
    /// No `Access-Control-Allow-Credentials: true` for a credentialed request.
    AllowCredentials,
    /// The preflight's status is not 2xx.
    PreflightStatus,
    /// The preflight was redirected.
    PreflightRedirect,
    /// The preflight does not allow the method.
    MethodNotAllowed,
    /// The preflight does not allow a header.
    HeaderNotAllowed,
    /// `Access-Control-Allow-Methods` does not parse.
    AllowMethodsInvalid,
    /// `Access-Control-Allow-Headers` does not parse.
    AllowHeadersInvalid,
    /// `mode: "same-origin"` to another origin.
    SameOriginMode,
    /// No HTTP answer at all (Firefox's `CORSDidNotSucceed`).
    NoResponse,
    /// A redirect to a URL with a username and password.
    RedirectCredentials,
    /// A redirect answer that failed the CORS check (WebKit).
    RedirectDenied,
    /// A redirect to a URL that is not HTTP(S).
    RedirectScheme,
    /// `redirect: "error"` and the server redirected.
    RedirectMode,
    /// A redirect loop.
    TooManyRedirects,
    /// A page or URL that is not HTTP(S) (`file://`).
    NotHttp,
    /// Local Network Access refused.
    LocalNetwork,
    /// Local Network Access from a page that is not a secure context.
    InsecureLocalNetwork,
    /// Firefox's Local Network Access notices.
    LocalNetworkNotice,
    /// CORS is turned off in the browser.
    CorsDisabled,
    /// Firefox could not add `Origin`.
    OriginNotAdded,
    /// `Authorization` under `Access-Control-Allow-Headers: *`, passed with a
    /// warning.
    AuthorizationUnderWildcard,
    /// A line that only says the load failed.
    LoadFailed,
}

impl Problem {
    /// The problem a browser's error (or message) name stands for.
    pub fn of(browser: Browser, name: &str) -> Option<Problem> {
        use Problem::*;
        let problem = match (browser, name) {
            (_, "MissingAllowOriginHeader" | "PreflightMissingAllowOriginHeader" | "CORSMissingAllowOrigin") => {
                NoAllowOrigin
            }
            (Browser::Webkit, "AllowOriginMismatch") => AllowOriginNotAllowed,
            (_, "AllowOriginMismatch" | "PreflightAllowOriginMismatch" | "CORSAllowOriginNotMatchingOrigin") => {
                AllowOriginMismatch
            }
            (
                _,
                "MultipleAllowOriginValues"
                | "PreflightMultipleAllowOriginValues"
                | "CORSMultipleAllowOriginNotAllowed"
                | "AllowOriginMultipleValues",
            ) => AllowOriginMultiple,
            (_, "InvalidAllowOriginValue" | "PreflightInvalidAllowOriginValue") => AllowOriginInvalid,
            (
                _,
                "WildcardOriginNotAllowed"
                | "PreflightWildcardOriginNotAllowed"
                | "CORSNotSupportingCredentials"
                | "AllowOriginWildcardWithCredentials",
            ) => WildcardWithCredentials,
            (
                _,
                "InvalidAllowCredentials"
                | "PreflightInvalidAllowCredentials"
                | "CORSMissingAllowCredentials"
                | "AllowCredentialsNotTrue",
            ) => AllowCredentials,
            (_, "PreflightInvalidStatus" | "CORSPreflightDidNotSucceed" | "PreflightNotSuccessful") => PreflightStatus,
            (_, "PreflightDisallowedRedirect" | "CORSExternalRedirectNotAllowed") => PreflightRedirect,
            (_, "MethodDisallowedByPreflightResponse" | "CORSMethodNotFound" | "MethodNotAllowed") => MethodNotAllowed,
            (_, "HeaderDisallowedByPreflightResponse" | "CORSMissingAllowHeaderFromPreflight" | "HeaderNotAllowed") => {
                HeaderNotAllowed
            }
            (_, "InvalidAllowMethodsPreflightResponse" | "CORSInvalidAllowMethod" | "AllowMethodsInvalid") => {
                AllowMethodsInvalid
            }
            (_, "InvalidAllowHeadersPreflightResponse" | "CORSInvalidAllowHeader" | "AllowHeadersInvalid") => {
                AllowHeadersInvalid
            }
            (_, "DisallowedByMode" | "CheckSameOriginError" | "FetchCannotLoad") => SameOriginMode,
            (_, "CORSDidNotSucceed") => NoResponse,
            (_, "RedirectContainsCredentials" | "RedirectURLHasCredentials") => RedirectCredentials,
            (_, "RedirectDenied") => RedirectDenied,
            (_, "RedirectNonCorsScheme") => RedirectScheme,
            (_, "RedirectModeError" | "NoCorsRedirectMode") => RedirectMode,
            (_, "TooManyRedirects") => TooManyRedirects,
            (_, "CorsDisabledScheme" | "CORSRequestNotHttp") => NotHttp,
            (_, "LocalNetworkAccessPermissionDenied") => LocalNetwork,
            (_, "InsecureLocalNetwork") => InsecureLocalNetwork,
            (_, "LocalNetworkAccessPermissionRequired" | "LocalNetworkAccessDetected") => LocalNetworkNotice,
            (_, "CORSDisabled") => CorsDisabled,
            (_, "CORSOriginHeaderNotAdded") => OriginNotAdded,
            (_, "CORSAllowHeaderFromPreflightDeprecation") => AuthorizationUnderWildcard,
            (_, "FailedToLoadResource" | "AccessControlChecks") => LoadFailed,
            _ => return None,
        };
        Some(problem)
    }
}

/// One thing to change, for people and as data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsoleFix {
    /// The change, as one line.
    pub text: String,
    /// Why.
    pub why: String,
    /// The change as `check`'s fix writes it, when it is a header or a
    /// status on the server (`now` only where the line says it).
    pub change: Option<ServerChange>,
}

/// A console line explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsoleExplanation {
    /// The neutral problem.
    pub problem: Problem,
    /// The problem in one line.
    pub summary: String,
    /// What the browser saw and did.
    pub explanation: String,
    /// The usual causes on the server's side (or the page's), likeliest
    /// first.
    pub causes: Vec<String>,
    /// What to change.
    pub fix: Vec<ConsoleFix>,
    /// The `corslab check` command line that would confirm it (placeholders
    /// in `<…>` where the line does not say).
    pub check: String,
    /// What to add to that command, or to know about it.
    pub check_notes: Vec<String>,
}

/// The `cors-console/1` document: the line read back and explained.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ConsoleReport {
    /// `cors-console/1`.
    pub format: &'static str,
    /// What the line says.
    #[serde(flatten)]
    pub parsed: ParsedConsole,
    /// What it means.
    #[serde(flatten)]
    pub explained: ConsoleExplanation,
}

impl ConsoleReport {
    /// The document for a line read back.
    pub fn new(parsed: ParsedConsole) -> ConsoleReport {
        let explained = explain(&parsed);
        ConsoleReport { format: FORMAT, parsed, explained }
    }
}

/// How people call a browser in a sentence (the page's import panel
/// names a line's browser with it too).
pub fn browser_name(browser: Browser) -> &'static str {
    match browser {
        Browser::Chrome | Browser::Spec => "Chromium",
        Browser::Firefox => "Firefox",
        Browser::Webkit => "Safari (WebKit)",
    }
}

/// The line's values, with placeholders where it names none.
struct Facts<'a> {
    parsed: &'a ParsedConsole,
    browser: &'static str,
    url: &'a str,
    origin: &'a str,
    origin_known: bool,
    parameter: Option<&'a str>,
}

impl Facts<'_> {
    /// Which answer the line is about.
    fn stage(&self) -> Stage {
        if self.parsed.preflight == Some(true) { Stage::Preflight } else { Stage::Actual }
    }

    /// `the preflight's answer` / `the response`, for a title.
    fn short_answer(&self) -> &'static str {
        match self.stage() {
            Stage::Preflight => "The preflight's answer",
            Stage::Actual => "The response",
        }
    }

    /// `the preflight's answer` / `the response`.
    fn answer(&self) -> &'static str {
        match self.stage() {
            Stage::Preflight => "the answer to the preflight (the OPTIONS request sent first)",
            Stage::Actual => "the response",
        }
    }

    /// ` (status 404)`, when known.
    fn status(&self) -> String {
        self.parsed.status.map(|s| format!(" (status {s})")).unwrap_or_default()
    }

    /// What happened to the request itself.
    fn consequence(&self) -> &'static str {
        match self.stage() {
            Stage::Preflight => "so it never sent the request itself, and fetch() rejected with a TypeError",
            Stage::Actual => {
                "so it kept the answer from the page: fetch() rejected with a TypeError. The request did reach the server and ran there; only reading the answer was refused"
            }
        }
    }

    /// A header change on the answer the line is about.
    fn set(&self, stage: Stage, header: &'static str, value: &str, now: Option<&str>, why: &str) -> ConsoleFix {
        let which = match stage {
            Stage::Preflight => "preflight (OPTIONS) answer",
            Stage::Actual => "response",
        };
        let mut text = format!("in the {which}, send `{header}: {value}`");
        if let Some(now) = now {
            let _ = write!(text, " (now: {})", if now.is_empty() { "empty" } else { now });
        }
        ConsoleFix {
            text,
            why: why.to_owned(),
            change: Some(ServerChange::SetHeader {
                response: stage,
                header,
                value: value.to_owned(),
                now: now.map(str::to_owned),
                seen: true,
                required: header != "Vary",
                why: why.to_owned(),
            }),
        }
    }

    /// Why the answer must name the origin.
    fn origin_why(&self) -> &'static str {
        match self.stage() {
            Stage::Preflight => "the browser sends the request only if the preflight's answer names the page's origin",
            Stage::Actual => "the browser lets the page read a cross-origin answer only if it names the page's origin",
        }
    }

    /// `Access-Control-Allow-Origin: <origin>` where the line failed, on
    /// the response too after a preflight, and `Vary: Origin`.
    fn allow_origin(&self, now: Option<&str>, why: &str) -> Vec<ConsoleFix> {
        let mut fix = vec![self.set(self.stage(), "Access-Control-Allow-Origin", self.origin, now, why)];
        if self.stage() == Stage::Preflight {
            fix.push(self.set(
                Stage::Actual,
                "Access-Control-Allow-Origin",
                self.origin,
                None,
                "the request itself needs it too, once the preflight passes",
            ));
        }
        fix.push(self.vary());
        fix
    }

    fn vary(&self) -> ConsoleFix {
        let mut vary =
            self.set(Stage::Actual, "Vary", "Origin", None, "the answer names one origin, so a shared cache must not give it to another origin");
        vary.text = "in the response, also send `Vary: Origin` (or add Origin to the Vary it has)".to_owned();
        vary
    }

    fn note(&self, text: &str, why: &str) -> ConsoleFix {
        ConsoleFix { text: text.to_owned(), why: why.to_owned(), change: None }
    }
}

/// Explains a line read back.
pub fn explain(parsed: &ParsedConsole) -> ConsoleExplanation {
    let facts = Facts {
        parsed,
        browser: browser_name(parsed.browser),
        url: parsed.url.as_deref().unwrap_or("the URL"),
        origin: parsed.origin.as_deref().unwrap_or(UNKNOWN_ORIGIN),
        origin_known: parsed.origin.is_some(),
        parameter: parsed.failed_parameter.as_deref(),
    };
    let problem = Problem::of(parsed.browser, parsed.name).unwrap_or(Problem::LoadFailed);
    let text = texts(problem, &facts);
    let (check, check_notes) = check_command(problem, &facts);
    ConsoleExplanation {
        problem,
        summary: text.summary,
        explanation: text.saw,
        causes: text.causes,
        fix: text.fix,
        check,
        check_notes,
    }
}

struct Texts {
    summary: String,
    saw: String,
    causes: Vec<String>,
    fix: Vec<ConsoleFix>,
}

/// Sentences written out in full, as owned text (one call per list: the
/// table of texts below is the largest function in the page).
fn owned(sentences: &[&str]) -> Vec<String> {
    sentences.iter().map(|s| (*s).to_owned()).collect()
}

/// The words for each problem, in the line's values.
#[allow(clippy::too_many_lines)] // one arm per problem, each a few sentences
fn texts(problem: Problem, f: &Facts<'_>) -> Texts {
    let (b, url, origin) = (f.browser, f.url, f.origin);
    let preflight = f.stage() == Stage::Preflight;
    let own = |s: &str| s.to_owned();
    match problem {
        Problem::NoAllowOrigin => {
            let mut causes = vec![
                own("The server, or this route, has no CORS handling at all: nothing adds Access-Control-Allow-Origin."),
                own("The CORS headers are added only to successful answers, and this one is an error (a 4xx or 5xx from an exception, an authentication check, a validation error): nginx's `add_header` skips error statuses unless it ends with `always`, an error handler runs before the CORS middleware, a framework's error page bypasses it."),
                format!("The CORS configuration allows a list of origins and {origin} is not on it: most middlewares then send no Access-Control-Allow-Origin at all."),
                own("The request reaches something else than the application: a wrong host, port or path (a 404 from another server), a reverse proxy, load balancer, API gateway or CDN that answers by itself or drops the headers."),
                own("A redirect to a page without CORS headers: a login page after an expired session, http to https, a trailing slash."),
            ];
            if preflight {
                causes.insert(
                    1,
                    own("The server does not treat OPTIONS: the CORS middleware is not applied to OPTIONS requests, the router answers them itself, or an authentication check rejects them (a preflight never carries cookies or Authorization)."),
                );
            }
            if f.parsed.status.is_some_and(|s| s >= 400) {
                causes.swap(0, 1);
            }
            Texts {
                summary: format!("{} has no Access-Control-Allow-Origin header", f.short_answer()),
                saw: format!(
                    "{b} sent the request from the page at {origin} to {url}; {}{} carried no Access-Control-Allow-Origin header, {}.",
                    f.answer(),
                    f.status(),
                    f.consequence()
                ),
                causes,
                fix: {
                    let mut fix = f.allow_origin(None, f.origin_why());
                    fix.push(f.note(
                        "send the CORS headers on error answers too (nginx: `add_header … always`; the CORS middleware before the error handlers and authentication)",
                        "an error the page cannot read is reported as a CORS error, hiding the real status",
                    ));
                    fix
                },
            }
        }
        Problem::AllowOriginMismatch => {
            let value = f.parameter.unwrap_or("");
            let mut causes = vec![
                format!("The server allows one fixed origin ('{value}', production's or a teammate's) and the page runs on another one: another port (localhost:3000 and localhost:5173), http and https, www and the bare domain."),
                own("The value is written differently from the page's origin: a trailing slash or a path ('https://app.example/'), `127.0.0.1` for `localhost`, a default port written out (':443'): the comparison is character for character."),
                own("A cache or CDN served an answer made for another origin: the server echoes the request's Origin but does not send `Vary: Origin`."),
            ];
            if f.parsed.browser == Browser::Firefox {
                causes.push(own("Firefox reports this way also a comma-separated list of origins and an empty value: send exactly one origin."));
            }
            Texts {
                summary: format!("Access-Control-Allow-Origin names another origin ('{value}')"),
                saw: format!(
                    "{b} sent the request from the page at {origin} to {url}; {}{} carried `Access-Control-Allow-Origin: {value}`, which is not the page's origin (they must be equal: scheme, host and port, nothing more), {}.",
                    f.answer(),
                    f.status(),
                    f.consequence()
                ),
                causes,
                fix: f.allow_origin(Some(value), &format!("'{value}' is not the page's origin, which must match exactly (scheme, host and port)")),
            }
        }
        Problem::AllowOriginNotAllowed => Texts {
            summary: format!("The answer's Access-Control-Allow-Origin does not allow {origin}"),
            saw: format!(
                "{b} sent the request from the page at {origin}; the answer{} did not allow that origin: its Access-Control-Allow-Origin is missing, empty, `null` or another origin (Safari's line does not say which), {}.",
                f.status(),
                f.consequence()
            ),
            causes: vec![
                own("No CORS handling for this route, or only on successful answers (an error status written without the CORS headers; nginx's `add_header` without `always`)."),
                format!("A fixed allowed origin that is not {origin} (another port, http and https, a trailing slash)."),
                own("The request reaches something else than the application (a wrong URL, a proxy or CDN that drops the headers), or is redirected to a page without them."),
            ],
            fix: f.allow_origin(None, f.origin_why()),
        },
        Problem::AllowOriginMultiple => {
            let now = f.parameter;
            Texts {
                summary: "Access-Control-Allow-Origin holds more than one origin".to_owned(),
                saw: format!(
                    "{b} got {}{} with {} in Access-Control-Allow-Origin, where exactly one origin (or *) on one line is allowed, {}.",
                    f.answer(),
                    f.status(),
                    now.map_or("several values".to_owned(), |v| format!("'{v}'")),
                    f.consequence()
                ),
                causes: owned(&[
                    "The header is added twice: by the application and by a reverse proxy or gateway (nginx `add_header`, Apache `Header set`, a CDN rule), or by two middlewares: the browser joins the two lines.",
                    "The server sends its whole allow-list (`https://a.example, https://b.example`) instead of the one entry that matches the request's Origin.",
                ]),
                fix: {
                    let mut fix = f.allow_origin(now, "only one Access-Control-Allow-Origin value is allowed: the request's origin, from one place");
                    fix.insert(1, f.note("remove the second source of the header (the proxy's or the application's)", "two sources make two lines, which count as two values"));
                    fix
                },
            }
        }
        Problem::AllowOriginInvalid => {
            let value = f.parameter.unwrap_or("");
            Texts {
                summary: format!("Access-Control-Allow-Origin is not an origin ('{value}')"),
                saw: format!(
                    "{b} got {}{} with `Access-Control-Allow-Origin: {value}`, which is not a valid origin (an origin is scheme://host[:port], or `*`, or `null`), {}.",
                    f.answer(),
                    f.status(),
                    f.consequence()
                ),
                causes: owned(&[
                    "An empty value: the server echoes a request header that was absent, or a configuration variable is unset.",
                    "A host without its scheme ('example.com', 'localhost:3000').",
                    "A pattern ('*.example.com', 'https://*.example.com'): browsers take no patterns; the server must compare the request's Origin with its list and echo it.",
                    "`NULL` in capitals, or a quoted value.",
                ]),
                fix: f.allow_origin(Some(value), "the value must be the request's origin, exactly"),
            }
        }
        Problem::WildcardWithCredentials => Texts {
            summary: "Access-Control-Allow-Origin is * on a request with credentials".to_owned(),
            saw: format!(
                "The page sent the request with credentials (`credentials: 'include'`, or `withCredentials` in XMLHttpRequest and axios); {}{} allows any origin with `*`, which a credentialed request may not use, {}.",
                f.answer(),
                f.status(),
                f.consequence()
            ),
            causes: owned(&[
                "The server's CORS is a permissive default (`Access-Control-Allow-Origin: *`, `cors()` without options) and the page sends cookies or HTTP authentication.",
                "The page asks for credentials without needing them (a shared fetch wrapper, `axios.defaults.withCredentials = true`).",
            ]),
            fix: {
                let mut fix = vec![f.set(
                    f.stage(),
                    "Access-Control-Allow-Origin",
                    origin,
                    Some("*"),
                    "a credentialed request may not use *: name the origin itself",
                )];
                fix.push(f.set(
                    f.stage(),
                    "Access-Control-Allow-Credentials",
                    "true",
                    None,
                    "the request sends credentials, so the answer must say `true`",
                ));
                fix.push(f.vary());
                fix.push(f.note(
                    "or, if the request needs no cookies, drop `credentials: 'include'` (or `withCredentials`) in the page",
                    "without credentials, * is allowed",
                ));
                fix
            },
        },
        Problem::AllowCredentials => {
            let now = if f.parsed.browser == Browser::Chrome { Some(f.parameter.unwrap_or("")) } else { None };
            Texts {
                summary: "Access-Control-Allow-Credentials is not `true` on a request with credentials".to_owned(),
                saw: format!(
                    "The page sent the request with credentials, so {}{} must say `Access-Control-Allow-Credentials: true`; {}, {}.",
                    f.answer(),
                    f.status(),
                    match now {
                        Some("") => "it has none".to_owned(),
                        Some(v) => format!("it says '{v}'"),
                        None => "it does not".to_owned(),
                    },
                    f.consequence()
                ),
                causes: owned(&[
                    "The CORS configuration does not enable credentials (`cors({ credentials: true })`, Spring's `allowCredentials`, Flask-CORS's `supports_credentials`).",
                    "It is sent on the response but not on the preflight's answer, or the other way round.",
                    "A value other than `true` in lower case (`True`, `1`, `yes`).",
                ]),
                fix: vec![f.set(
                    f.stage(),
                    "Access-Control-Allow-Credentials",
                    "true",
                    now,
                    "the request sends credentials, so the answer must say `true` (exactly, lower-case)",
                )],
            }
        }
        Problem::PreflightStatus => {
            let status = f.parsed.status;
            let mut causes = owned(&[
                "The route has no OPTIONS handler: 404 Not Found or 405 Method Not Allowed (the router knows only GET, POST …).",
                "An authentication, CSRF or firewall check rejects the OPTIONS request (401, 403): a preflight never carries cookies or an Authorization header, so it must pass before those checks.",
                "The server fails on OPTIONS (500): it reads a body or a header a preflight does not have.",
            ]);
            if status.is_some_and(|s| (401..=403).contains(&s)) {
                causes.swap(0, 1);
            } else if status.is_some_and(|s| s >= 500) {
                causes.swap(0, 2);
            }
            if f.parsed.browser != Browser::Chrome {
                causes.push(own("A redirect (3xx) of the preflight: this browser reports it as a failed status; the page must call the final URL."));
            }
            Texts {
                summary: format!("The preflight (OPTIONS) was answered{} with a status that is not 2xx", f.status()),
                saw: format!(
                    "Before the request itself, {b} sent an OPTIONS preflight to {url} from the page at {origin}; the answer{} is not an ok status (200-299), so it never sent the request itself, and fetch() rejected with a TypeError.",
                    f.status()
                ),
                causes,
                fix: {
                    let mut fix = vec![match status {
                        Some(now) => ConsoleFix {
                            text: format!("answer the preflight (OPTIONS) with 204 No Content or another 2xx (now: {now})"),
                            why: "a preflight passes only with an ok status (200-299)".to_owned(),
                            change: Some(ServerChange::OkStatus { now, why: "a preflight passes only with an ok status (200-299)".to_owned() }),
                        },
                        None => f.note(
                            "answer the preflight (OPTIONS) with 204 No Content or another 2xx",
                            "a preflight passes only with an ok status (200-299)",
                        ),
                    }];
                    fix.push(f.set(
                        Stage::Preflight,
                        "Access-Control-Allow-Origin",
                        origin,
                        None,
                        "the preflight's answer is checked for the origin too",
                    ));
                    fix.push(f.note(
                        "with `Access-Control-Allow-Methods` and `Access-Control-Allow-Headers` listing the method and the headers the page uses",
                        "they are what the preflight asks about",
                    ));
                    fix
                },
            }
        }
        Problem::PreflightRedirect => Texts {
            summary: "The preflight (OPTIONS) was answered with a redirect".to_owned(),
            saw: format!(
                "Before the request itself, {b} sent an OPTIONS preflight to {url}; the answer was a redirect, which browsers never follow for a preflight, so it never sent the request itself, and fetch() rejected with a TypeError."
            ),
            causes: owned(&[
                "http to https: the page calls `http://` and the server redirects to `https://`.",
                "A trailing slash (`/api/items` to `/api/items/`), or www and the bare domain.",
                "An authentication middleware redirects to a login page before CORS runs.",
            ]),
            fix: vec![
                f.note(
                    "call the final URL (where the redirect points) directly from the page",
                    "the preflight goes to the URL the page names; a redirect is never followed",
                ),
                f.note(
                    "or answer OPTIONS at this URL itself with 204 and the CORS headers instead of redirecting it",
                    "browsers never follow a redirect of a preflight",
                ),
            ],
        },
        Problem::MethodNotAllowed => {
            let method = f.parameter;
            let shown = method.unwrap_or("the request's method");
            let mut causes = owned(&[
                "The CORS configuration allows only the default methods (GET, HEAD, POST): PUT, PATCH and DELETE must be listed.",
                "`Access-Control-Allow-Methods` is sent on the response but not on the OPTIONS answer.",
                "`Access-Control-Allow-Methods: *` together with credentials: then * is the method named '*', not a wildcard.",
            ]);
            if let Some(m) = method
                && m != m.to_ascii_uppercase()
            {
                causes.insert(
                    0,
                    format!("Methods match case for case: the page sends `{m}` (fetch() upper-cases only DELETE, GET, HEAD, OPTIONS, POST and PUT) and the server lists `{}`; write it in upper case in the page.", m.to_ascii_uppercase()),
                );
            }
            Texts {
                summary: format!("The preflight does not allow the method {shown}"),
                saw: format!(
                    "The page's request uses {}, which is not CORS-safelisted (only GET, HEAD and POST are), so {b} first sent an OPTIONS preflight to {url}; its answer's Access-Control-Allow-Methods does not list it, so it never sent the request itself, and fetch() rejected with a TypeError.",
                    method.map_or("a method".to_owned(), |m| format!("the method {m}"))
                ),
                causes,
                fix: vec![{
                    let mut fix = f.set(
                        Stage::Preflight,
                        "Access-Control-Allow-Methods",
                        method.unwrap_or("<the request's method>"),
                        None,
                        "a method that is not CORS-safelisted must be allowed by name (case for case)",
                    );
                    fix.text.push_str(" (with the other methods the page uses)");
                    fix
                }],
            }
        }
        Problem::HeaderNotAllowed => {
            let header = f.parameter.unwrap_or("<the header>");
            let lower = header.to_ascii_lowercase();
            let why_unsafe = match lower.as_str() {
                "content-type" => " (its value is not application/x-www-form-urlencoded, multipart/form-data or text/plain: a JSON body's `application/json` needs a preflight)",
                "authorization" => " (credentials in a header always need a preflight)",
                _ => "",
            };
            let mut causes = vec![
                format!("The CORS configuration allows no request headers, or a list without {header}: add it to the allowed headers."),
                own("`Access-Control-Allow-Headers` is sent on the response but not on the OPTIONS answer."),
                own("`Access-Control-Allow-Headers: *` with credentials: then * is the header named '*', not a wildcard; and * never covers Authorization in the Fetch standard."),
                own("The page sends a header it does not need, often added by a library (`X-Requested-With`, tracing's `traceparent`, `sentry-trace`, `baggage`, an axios default): remove it in the page instead."),
            ];
            if lower == "content-type" {
                causes.insert(0, own("The page sends JSON with `Content-Type: application/json`, which needs a preflight; the server must allow `Content-Type`."));
            }
            Texts {
                summary: format!("The preflight does not allow the request header {header}"),
                saw: format!(
                    "The page's request sets the header {header}, which is not CORS-safelisted{why_unsafe}, so {b} first sent an OPTIONS preflight to {url}; its answer's Access-Control-Allow-Headers does not list it, so it never sent the request itself, and fetch() rejected with a TypeError."
                ),
                causes,
                fix: vec![{
                    let mut fix = f.set(
                        Stage::Preflight,
                        "Access-Control-Allow-Headers",
                        &lower,
                        None,
                        "every header the page sets that is not CORS-safelisted must be allowed by name",
                    );
                    fix.text.push_str(" (with the other headers the page sets)");
                    fix
                }],
            }
        }
        Problem::AllowMethodsInvalid | Problem::AllowHeadersInvalid => {
            let header =
                if problem == Problem::AllowMethodsInvalid { "Access-Control-Allow-Methods" } else { "Access-Control-Allow-Headers" };
            let example = if problem == Problem::AllowMethodsInvalid { "GET, POST, PUT, DELETE" } else { "content-type, authorization" };
            Texts {
                summary: format!("{header} does not parse"),
                saw: format!(
                    "{b} sent an OPTIONS preflight to {url}; its answer's {header} is not a comma-separated list of names{}, so nothing is allowed: it never sent the request itself, and fetch() rejected with a TypeError.",
                    f.parameter.map(|t| format!(" ('{t}' is not one)")).unwrap_or_default()
                ),
                causes: owned(&[
                    "A separator other than a comma (`GET;POST`, `GET POST`), or a trailing `;`.",
                    "Quotes, brackets or other punctuation around the names (a list printed as an array: `[\"GET\",\"POST\"]`).",
                    "A value built from a configuration string with stray characters.",
                ]),
                fix: vec![f.note(
                    &format!("send a comma-separated list of names: `{header}: {example}` (the ones the page uses)"),
                    "the header is a list of tokens separated by commas",
                )],
            }
        }
        Problem::SameOriginMode => Texts {
            summary: "The page asked for mode 'same-origin' and the URL is on another origin".to_owned(),
            saw: format!(
                "The fetch() call sets `mode: 'same-origin'`, which refuses any other origin; {url} is not on the page's origin ({origin}), so {b} refused before sending anything."
            ),
            causes: owned(&[
                "`mode: 'same-origin'` set on purpose, or copied from an example.",
                "The URL is on another origin than meant: another port, http and https, a hard-coded absolute URL.",
            ]),
            fix: vec![f.note(
                "nothing on the server: in the page, drop `mode: 'same-origin'` (the default, 'cors', lets the server allow the page), or call a URL on the page's own origin (a same-origin proxy)",
                "this mode never lets a request leave the page's origin, whatever the server answers",
            )],
        },
        Problem::NoResponse => Texts {
            summary: "The request got no HTTP answer at all".to_owned(),
            saw: match f.parsed.status {
                None => format!(
                    "{b}'s request to {url} did not complete: no HTTP answer came back (the status is `(null)`). No header is involved: the connection failed, or the browser stopped the request."
                ),
                Some(status) => format!(
                    "{b} reports the request to {url} as failed although an answer came (status {status}): it logs this line after another CORS line for the same request, and that line says why."
                ),
            },
            causes: owned(&[
                "The server is not listening there (connection refused), the host does not resolve, or it timed out.",
                "TLS failed: a self-signed or expired certificate on an https URL (open the URL in a tab to see, and to accept a development certificate).",
                "An https page calling an http URL (mixed content), or the other way round by mistake.",
                "A browser extension (an ad or privacy blocker), a firewall or a proxy blocked it.",
                "Local Network Access: a page on the internet reaching localhost or a LAN address waits for the user's permission, and fails when it is refused or never given.",
                "Firefox logs this line also after another CORS line for the same request: that other line is the reason.",
            ]),
            fix: vec![f.note(
                "make the URL answer first: open it in a tab, or run `curl -v` on it",
                "there is no answer whose headers could be changed yet",
            )],
        },
        Problem::RedirectCredentials => Texts {
            summary: "The request was redirected to a URL with a username and password".to_owned(),
            saw: format!(
                "{b} followed a redirect from {url} whose Location holds `user:password@`, which a cross-origin request may not follow, and fetch() rejected."
            ),
            causes: owned(&["The server builds the Location from a URL that carries credentials (a configuration value, a proxy's upstream URL)."]),
            fix: vec![f.note(
                "redirect to a URL without a username and password (send credentials in an Authorization header instead)",
                "credentials in a redirect's URL end a cross-origin request",
            )],
        },
        Problem::RedirectDenied => {
            let reason = f.parameter.unwrap_or("the redirect's answer failed the CORS check");
            Texts {
                summary: "A redirect's own answer failed the CORS check".to_owned(),
                saw: format!(
                    "{b} was redirected to {url}; the redirect answer itself is checked like any answer, and it failed: {reason}. fetch() rejected with a TypeError."
                ),
                causes: owned(&[
                    "The redirect (3xx) is sent without the CORS headers: they are added only to 2xx answers, or by a layer that does not see redirects.",
                    "A redirect to a login page or to another host that nobody meant the page to call.",
                ]),
                fix: vec![
                    f.set(
                        Stage::Actual,
                        "Access-Control-Allow-Origin",
                        origin,
                        None,
                        "every answer on the way, the redirect included, must allow the page's origin",
                    ),
                    f.note("or call the final URL directly from the page", "no redirect, no redirect check"),
                ],
            }
        }
        Problem::RedirectScheme => Texts {
            summary: "The request was redirected to a URL that is not HTTP".to_owned(),
            saw: format!("{b} was redirected to {url}, which is not an http or https URL, so a CORS request may not follow it."),
            causes: owned(&["The server redirects to a `data:`, `file:` or custom-scheme URL (an app deep link)."]),
            fix: vec![f.note("redirect to an http or https URL, or return the data itself", "CORS requests follow only HTTP redirects")],
        },
        Problem::RedirectMode => Texts {
            summary: "The page refused redirects and the server redirected".to_owned(),
            saw: format!(
                "The fetch() call sets `redirect: 'error'` (or `'manual'` with `mode: 'no-cors'`, which must follow redirects) and {url} answered with a redirect, so {b} failed the request."
            ),
            causes: owned(&["The URL moved (http to https, a trailing slash, a login page)."]),
            fix: vec![f.note(
                "call the final URL from the page, or let fetch() follow redirects (drop the `redirect` option)",
                "the page asked not to follow the redirect",
            )],
        },
        Problem::TooManyRedirects => Texts {
            summary: "Too many redirects".to_owned(),
            saw: format!("{b} followed 20 redirects and stopped: the server redirects in a loop."),
            causes: owned(&["A redirect loop: http to https and back (a proxy that speaks http to the application), a login page that redirects to itself."]),
            fix: vec![f.note("break the loop on the server (`curl -vL` on the URL shows it)", "a loop never ends")],
        },
        Problem::NotHttp => Texts {
            summary: "The page or the URL is not HTTP (a file opened from disk?)".to_owned(),
            saw: format!(
                "{b} refused a CORS request to {url} from the page at {origin}: CORS works only between http and https URLs{}.",
                f.parsed.detail.as_deref().map(|d| format!(" (and {d})")).unwrap_or_default()
            ),
            causes: owned(&[
                "The page is a file opened from disk (`file://`, origin `null`), fetching another file or a server.",
                "The URL is not http(s): a `file:`, `ftp:` or custom-scheme URL, or a relative URL resolved against a `file:` page.",
            ]),
            fix: vec![f.note(
                "serve the page from a web server (`python3 -m http.server`, `npx serve`, your framework's dev server) instead of opening the file, and call http(s) URLs",
                "a file page has an opaque origin and no CORS",
            )],
        },
        Problem::LocalNetwork => Texts {
            summary: "Local Network Access was refused".to_owned(),
            saw: format!(
                "The page at {origin} fetched {url}, an address in the `{}` address space, more private than the page's; {b} needs the user's permission for that (Local Network Access), and it was refused (or, headless, never given).",
                f.parsed.detail.as_deref().unwrap_or("local")
            ),
            causes: owned(&[
                "A page served from the internet (or from an address the browser treats as public) calls localhost or a LAN device.",
                "The user blocked the permission prompt, or a policy denies it.",
            ]),
            fix: vec![f.note(
                "nothing in the CORS headers: allow local network access for the page's site (site settings), or serve the page from the same network as the server (e.g. both on localhost)",
                "Chromium 142 and later ask the user before a public page reaches a local address; the old Private Network Access headers do nothing any more",
            )],
        },
        Problem::InsecureLocalNetwork => Texts {
            summary: "A page that is not a secure context fetched a more private address".to_owned(),
            saw: format!(
                "The page at {origin} is not a secure context (http) and {url} is in the more private `{}` address space, so {b} refused.",
                f.parsed.detail.as_deref().unwrap_or("local")
            ),
            causes: owned(&["The page is served over plain http from a public address and calls a local one."]),
            fix: vec![f.note("serve the page over https (or from localhost)", "only secure contexts may reach more private addresses")],
        },
        Problem::LocalNetworkNotice => Texts {
            summary: "Firefox's Local Network Access notice".to_owned(),
            saw: format!(
                "The page at {origin} reached (or asked to reach) {url}, a local address. With \"permission required\" Firefox waits for the user's answer to a prompt; refused or unanswered, the request then fails with CORSDidNotSucceed."
            ),
            causes: owned(&["A page on a public address calls localhost or a LAN device."]),
            fix: vec![f.note(
                "allow the permission in the prompt (or the site's permissions), or serve the page from the same network",
                "not a CORS header matter",
            )],
        },
        Problem::CorsDisabled => Texts {
            summary: "CORS is turned off in this Firefox".to_owned(),
            saw: format!("Firefox refused the request to {url} because CORS is disabled in its settings."),
            causes: owned(&["`content.cors.disable` is true in about:config (set by hand, by a policy or a test profile)."]),
            fix: vec![f.note("set `content.cors.disable` back to false in about:config", "not the server's to fix")],
        },
        Problem::OriginNotAdded => Texts {
            summary: "Firefox could not add the Origin header".to_owned(),
            saw: format!("Firefox could not add the Origin header to the request to {url}, which every CORS request needs."),
            causes: owned(&["The request comes from privileged code (an extension, the browser's own pages), not an ordinary page."]),
            fix: vec![f.note("make the request from an ordinary page", "not the server's to fix")],
        },
        Problem::AuthorizationUnderWildcard => Texts {
            summary: "Authorization is allowed only by `Access-Control-Allow-Headers: *` (a warning: the request passed)".to_owned(),
            saw: format!(
                "The request to {url} passed, but the page sends an Authorization header that the preflight allowed only with `Access-Control-Allow-Headers: *`; the Fetch standard says * never covers Authorization, and Firefox warns it will stop allowing it."
            ),
            causes: owned(&["The CORS configuration allows any header with * instead of listing them."]),
            fix: vec![f.set(
                Stage::Preflight,
                "Access-Control-Allow-Headers",
                "authorization",
                Some("*"),
                "* never covers Authorization in the Fetch standard: list it by name (with the other headers the page sets)",
            )],
        },
        Problem::LoadFailed => {
            let net = f.parsed.net_error.as_deref();
            let meaning = match net {
                Some("net::ERR_FAILED") | None => "a generic failure, which every CORS error shows too",
                Some(e) if e.starts_with("net::ERR_CERT") => "the server's TLS certificate is not trusted (self-signed, expired, another host's)",
                Some("net::ERR_CONNECTION_REFUSED") => "nothing listens on that host and port",
                Some("net::ERR_NAME_NOT_RESOLVED") => "the host name does not resolve (DNS)",
                Some("net::ERR_BLOCKED_BY_CLIENT") => "a browser extension (an ad or privacy blocker) blocked it",
                Some("net::ERR_TOO_MANY_REDIRECTS") => "the server redirects in a loop",
                Some("net::ERR_UNSAFE_REDIRECT") => "a redirect to a URL that is not http(s) (a data: or file: URL)",
                Some(_) => "a network failure, not a CORS one",
            };
            let generic = matches!(net, Some("net::ERR_FAILED") | None);
            let next = match (f.parsed.browser, generic) {
                (Browser::Webkit, _) => "Safari prints the specific line (\"Origin … is not allowed by Access-Control-Allow-Origin.\", \"Preflight response is not successful.\" …) just before it: paste that one.",
                (_, true) => "Chromium prints the CORS line (\"Access to fetch at … has been blocked by CORS policy: …\") next to it, if there is one: paste that one.",
                (_, false) => "No header can fix it: the request never got an answer a CORS check could read.",
            };
            Texts {
                summary: format!("The load failed{}", net.map(|n| format!(" ({n})")).unwrap_or_default()),
                saw: format!("This line only says that the request to {url} failed: {meaning}. {next}"),
                causes: vec![{
                    // The meanings are English (ASCII): no Unicode case
                    // tables in the page's wasm for one capital letter.
                    let mut cause = format!("{meaning}.");
                    if let Some(first) = cause.get_mut(..1) {
                        first.make_ascii_uppercase();
                    }
                    cause
                }],
                fix: vec![if generic {
                    f.note("paste the browser's CORS line to know what to change", "this line does not say")
                } else {
                    f.note("make the URL answer first: open it in a tab, or run `curl -v` on it", "the failure is in the network, not in CORS")
                }],
            }
        }
    }
}

/// The `corslab check` command line that would confirm it, and what to add.
fn check_command(problem: Problem, f: &Facts<'_>) -> (String, Vec<String>) {
    let mut notes = Vec::new();
    let url = f.parsed.url.as_deref().unwrap_or(CHECK_URL);
    let origin = if f.origin_known { f.origin } else { CHECK_ORIGIN };
    let mut command = format!("corslab check {} --origin {}", shell_word(url), shell_word(origin));
    if f.parsed.url.is_none() {
        notes.push(format!("replace {CHECK_URL} with the URL the page fetched (this browser's line does not name it)"));
    }
    if !f.origin_known {
        notes.push(format!("replace {CHECK_ORIGIN} with the page's origin: scheme://host:port, as in the address bar"));
    }
    let method = match (problem, f.parameter) {
        (Problem::MethodNotAllowed, Some(method)) => Some(method),
        _ => f.parsed.method.as_deref().filter(|m| *m != "GET"),
    };
    if let Some(method) = method {
        let _ = write!(command, " -X {}", shell_word(method));
    }
    if problem == Problem::HeaderNotAllowed
        && let Some(header) = f.parameter
    {
        let value = match header.to_ascii_lowercase().as_str() {
            "content-type" => "application/json",
            "authorization" => "Bearer …",
            _ => "…",
        };
        let _ = write!(command, " -H {}", shell_word(&format!("{header}: {value}")));
    }
    if problem == Problem::AuthorizationUnderWildcard {
        let _ = write!(command, " -H {}", shell_word("Authorization: Bearer …"));
    }
    if matches!(problem, Problem::WildcardWithCredentials | Problem::AllowCredentials) {
        command.push_str(" --credentials include");
    }
    if problem == Problem::SameOriginMode {
        command.push_str(" --mode same-origin");
    }
    match f.parsed.browser {
        Browser::Firefox => command.push_str(" --browser firefox"),
        Browser::Webkit => command.push_str(" --browser webkit"),
        Browser::Chrome | Browser::Spec => {}
    }
    if f.parsed.preflight == Some(true) && method.is_none() && !matches!(problem, Problem::HeaderNotAllowed) {
        notes.push(
            "the request was preflighted: add its method (-X) and the headers the page sets (-H), or give DevTools' copy instead: corslab check --from-curl '…' (Copy as cURL) or --from-fetch '…' (Copy as fetch)"
                .to_owned(),
        );
    }
    if let Some(first) = &f.parsed.redirected_from {
        notes.push(format!("the request was redirected from {first}: this checks the URL that failed"));
    }
    if matches!(
        problem,
        Problem::NoResponse | Problem::LoadFailed | Problem::LocalNetwork | Problem::InsecureLocalNetwork | Problem::LocalNetworkNotice
    ) {
        notes.push("check sends the same requests from this machine: it shows whether the server answers at all, and what".to_owned());
    }
    (command, notes)
}

/// `text` as one shell word: as is when it is plain, else in single quotes.
fn shell_word(text: &str) -> String {
    let plain = !text.is_empty()
        && text.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '/' | ':' | '@' | '%' | '+' | '=' | ',' | '-'));
    if plain { text.to_owned() } else { format!("'{}'", text.replace('\'', r"'\''")) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browsers::console::parse_console_line;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn words_are_quoted_for_the_shell() {
        assert_eq!(shell_word("http://a.test:8080/x?y=1"), "'http://a.test:8080/x?y=1'");
        assert_eq!(shell_word("http://a.test/x"), "http://a.test/x");
        assert_eq!(shell_word("it's"), r"'it'\''s'");
        assert_eq!(shell_word(""), "''");
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_firefox_line_without_origin_says_so() {
        let line = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:8080/data. (Reason: header ‘x-custom’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).";
        let explained = explain(&parse_console_line(line).unwrap());
        assert_eq!(explained.problem, Problem::HeaderNotAllowed);
        assert_eq!(
            explained.check,
            "corslab check http://localhost:8080/data --origin '<page origin>' -H 'x-custom: …' --browser firefox"
        );
        assert!(explained.check_notes[0].contains(CHECK_ORIGIN));
        assert_eq!(explained.fix[0].text, "in the preflight (OPTIONS) answer, send `Access-Control-Allow-Headers: x-custom` (with the other headers the page sets)");
    }
}
