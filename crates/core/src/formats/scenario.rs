//! Scenario files (`cors-scenarios/1` and `/2`) and predictions
//! (`cors-predictions/1` and `/2`).
//!
//! A scenario says what a page asks `fetch()` to do, what the server answers,
//! and (in recordings) what real browsers did. [`predict`] runs the engine on
//! one scenario for one browser profile.
//!
//! `cors-scenarios/2` adds, each optional with a default that means "as in
//! v1": the request's `redirect` mode and `context` (the window, or a
//! sandboxed, `data:` or `about:blank` iframe), `hops` (the URLs redirects
//! lead to, each with its answers), the browser `environment` (address
//! spaces, permissions, switches), and four expectation fields (`redirected`,
//! `url`, `net_error`, `served`). A v1 file reads as a v2 file.
//!
//! Predictions follow the file: a `cors-scenarios/1` file gets a
//! `cors-predictions/1` document, field for field as before (the four v2
//! fields left out), a `cors-scenarios/2` file a `cors-predictions/2` one,
//! with the four fields in every result.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::browsers::profile::Browser;
use crate::fetch::cache::PreflightCache;
use crate::fetch::client::{Client, ContextKind};
use crate::fetch::engine::{Context, Decision, Outcome, Server, Setup, decide_in};
use crate::fetch::local_network::NetworkEnvironment;
use crate::fetch::preflight::PreflightRequest;
use crate::fetch::redirect::RedirectMode;
use crate::fetch::request::{CredentialsMode, FetchCall, FetchRequest, RequestMode};
use crate::fetch::response::ServerResponse;
use crate::fetch::wire::WireKind;
use crate::http::header::{HeaderList, HeaderName};
use crate::origin::Origin;
use crate::sorted_map::SortedMap;
use crate::trace::Step;

/// The format tag of `cors-scenarios/1` files.
pub const SCENARIOS_FORMAT: &str = "cors-scenarios/1";
/// The format tag of `cors-scenarios/2` files (redirects, contexts, environments).
pub const SCENARIOS_FORMAT_2: &str = "cors-scenarios/2";
/// The format tag of prediction output for a `cors-scenarios/1` file.
pub const PREDICTIONS_FORMAT: &str = "cors-predictions/1";
/// The format tag of prediction output for a `cors-scenarios/2` file.
pub const PREDICTIONS_FORMAT_2: &str = "cors-predictions/2";
/// The page's origin when a scenario names none.
pub const DEFAULT_PAGE_ORIGIN: &str = "http://localhost:5050";
/// The server's origin when a scenario names none.
pub const DEFAULT_SERVER_ORIGIN: &str = "http://localhost:8080";
/// The most times a scenario may repeat its request.
pub const MAX_REPEAT: u32 = 100;

/// A `cors-scenarios/1` or `cors-scenarios/2` file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioFile {
    /// `cors-scenarios/1` or `cors-scenarios/2`.
    pub format: String,
    /// Browser name → version that recorded the expectations.
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub recorded_with: SortedMap<String, String>,
    /// The scenarios.
    pub scenarios: Vec<Scenario>,
}

/// Why a scenario file cannot be read.
#[derive(Debug)]
pub enum ScenarioFileError {
    /// Not JSON, or not the expected shape.
    Json(serde_json::Error),
    /// Another format tag.
    Format(String),
    /// Two scenarios share an id.
    DuplicateId(String),
}

impl fmt::Display for ScenarioFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ScenarioFileError::Json(e) => write!(f, "not a cors-scenarios file: {e}"),
            ScenarioFileError::Format(found) => {
                write!(f, "format is {found:?}, expected {SCENARIOS_FORMAT:?} or {SCENARIOS_FORMAT_2:?}")
            }
            ScenarioFileError::DuplicateId(id) => write!(f, "scenario id {id:?} appears twice"),
        }
    }
}

impl std::error::Error for ScenarioFileError {}

impl ScenarioFile {
    /// Parses a scenario file.
    ///
    /// # Errors
    ///
    /// [`ScenarioFileError`] for bad JSON, another format or duplicate ids.
    pub fn parse(json: &str) -> Result<ScenarioFile, ScenarioFileError> {
        let file: ScenarioFile = serde_json::from_str(json).map_err(ScenarioFileError::Json)?;
        file.checked()
    }

    /// The file, once its format and ids are checked: what [`parse`](Self::parse)
    /// does after reading the JSON, for a file deserialized another way (the
    /// page reads it with the browser's `JSON.parse`, so its wasm carries no
    /// JSON parser).
    ///
    /// # Errors
    ///
    /// [`ScenarioFileError::Format`] for another format,
    /// [`ScenarioFileError::DuplicateId`] for two scenarios with one id.
    pub fn checked(self) -> Result<ScenarioFile, ScenarioFileError> {
        if !is_scenarios_format(&self.format) {
            return Err(ScenarioFileError::Format(self.format));
        }
        let mut ids: Vec<&str> = self.scenarios.iter().map(|s| s.id.as_str()).collect();
        crate::sort::sort(&mut ids);
        if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(ScenarioFileError::DuplicateId(pair[0].to_owned()));
        }
        Ok(self)
    }

    /// Whether the file is `cors-scenarios/2`.
    pub fn is_v2(&self) -> bool {
        self.format == SCENARIOS_FORMAT_2
    }
}

/// Whether `format` is a scenario file format this reader reads.
pub fn is_scenarios_format(format: &str) -> bool {
    format == SCENARIOS_FORMAT || format == SCENARIOS_FORMAT_2
}

/// One scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scenario {
    /// A unique id.
    pub id: String,
    /// What it shows.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// What the page asks `fetch()` to do.
    pub request: ScenarioRequest,
    /// How many times the page issues the request, one after the other.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repeat: Option<u32>,
    /// What the server answers to `OPTIONS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight_response: Option<ScriptedResponse>,
    /// What the server answers to every other request.
    pub response: ScriptedResponse,
    /// The URLs redirects lead to (v2): hop 1, hop 2, …, each with its
    /// answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<Hop>,
    /// What the browser is started with (v2): address spaces, permissions,
    /// prefs and switches.
    #[serde(default, skip_serializing_if = "NetworkEnvironment::is_empty")]
    pub environment: NetworkEnvironment,
    /// What each browser did.
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub expect: SortedMap<String, Expectation>,
}

/// A URL a redirect leads to (v2), answered by the same rules as the
/// request's own: `OPTIONS` gets `preflight_response` (404 when absent),
/// every other request `response` (404 when absent).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Hop {
    /// Its server's origin.
    pub server_origin: String,
    /// Path and query there.
    pub path: String,
    /// `user:pass`, put before the host in the hop's URL.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo: Option<String>,
    /// What it answers to `OPTIONS`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight_response: Option<ScriptedResponse>,
    /// What it answers to every other request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub response: Option<ScriptedResponse>,
}

impl Hop {
    /// The hop's absolute URL, with `user:pass@` when it has `userinfo`.
    ///
    /// # Errors
    ///
    /// [`Undecidable`] when the origin and path make no URL.
    pub fn url(&self) -> Result<String, Undecidable> {
        absolute_url(&self.server_origin, &self.path, self.userinfo.as_deref())
    }
}

/// `origin` + `path` as a serialized absolute URL, with `userinfo`.
fn absolute_url(origin: &str, path: &str, userinfo: Option<&str>) -> Result<String, Undecidable> {
    if !path.starts_with('/') {
        return Err(Undecidable(format!("path {path:?} must start with '/'")));
    }
    let text = format!("{origin}{path}");
    let mut url = url::Url::parse(&text).map_err(|e| Undecidable(format!("URL {text:?}: {e}")))?;
    if let Some(userinfo) = userinfo {
        let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
        let refused = || Undecidable(format!("userinfo {userinfo:?} cannot go in {text:?}"));
        url.set_username(user).map_err(|()| refused())?;
        if !pass.is_empty() {
            url.set_password(Some(pass)).map_err(|()| refused())?;
        }
    }
    Ok(url.to_string())
}

/// The `request` of a scenario.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioRequest {
    /// The method as the page passes it.
    pub method: String,
    /// Path and query on the server.
    pub path: String,
    /// Header pairs, in order.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The mode.
    #[serde(default)]
    pub mode: RequestMode,
    /// The credentials mode.
    #[serde(default)]
    pub credentials: CredentialsMode,
    /// The body.
    #[serde(default)]
    pub body: Option<String>,
    /// The page's origin, when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub page_origin: Option<String>,
    /// The server's origin, when not the default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_origin: Option<String>,
    /// `fetch()`'s `redirect` option (v2; default `follow`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub redirect: RedirectMode,
    /// Where the page runs the `fetch()` (v2; default `window`).
    #[serde(default, skip_serializing_if = "is_default")]
    pub context: ContextKind,
}

fn is_default<T: Default + PartialEq>(value: &T) -> bool {
    *value == T::default()
}

/// A scripted answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptedResponse {
    /// The status.
    pub status: u16,
    /// Header pairs in order; a name may repeat. Values may hold `{origin}`
    /// and `{url}`.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

/// What a browser did (or what the engine predicts it does).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Expectation {
    /// Whether an `OPTIONS` preflight preceded the (last) request.
    pub preflight: bool,
    /// `ok`, `opaque`, `cors-error`, `type-error`, and in v2 `network-error`
    /// and `pending` (or `unknown` in predictions).
    pub outcome: String,
    /// The browser's error name, or `null`.
    pub cors_error: Option<String>,
    /// The parameter the error names, or `null`.
    pub failed_parameter: Option<String>,
    /// The console message, or `null`.
    pub console: Option<String>,
    /// The status the page saw, or `null`.
    pub status: Option<u16>,
    /// `basic`, `cors`, `opaque`, `opaqueredirect` or `null`.
    pub response_type: Option<String>,
    /// Readable header names, lower-case, sorted.
    pub visible_headers: Vec<String>,
    /// Preflights seen in all, where the request repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight_count: Option<u32>,
    /// `response.redirected`, `null` on an error (v2; absent: not recorded).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "present")]
    pub redirected: Option<Option<bool>>,
    /// `response.url` (`""` for an opaque response), `null` on an error (v2).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "present")]
    pub url: Option<Option<String>>,
    /// Chromium's network error text on a rejected fetch, else `null` (v2).
    #[serde(default, skip_serializing_if = "Option::is_none", with = "present")]
    pub net_error: Option<Option<String>>,
    /// Every request the servers received, in order (v2).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub served: Option<Vec<Served>>,
}

/// One request a server received, as a v2 expectation lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Served {
    /// Which hop's URL (0: the request's own).
    pub hop: usize,
    /// The method received.
    pub method: String,
    /// Whether it was a preflight (`OPTIONS` with `Access-Control-Request-Method`).
    pub preflight: bool,
    /// The `Origin` header's value, `null` when absent.
    pub origin: Option<String>,
    /// The lower-cased names, sorted, of the headers received among those
    /// the page set, `content-type`, `authorization`,
    /// `access-control-request-private-network` and
    /// `access-control-request-local-network`.
    pub headers: Vec<String>,
    /// Whether a non-empty body arrived.
    pub body: bool,
}

/// The request headers a v2 expectation's `served` names besides the
/// page's own.
pub const SERVED_HEADERS: [&str; 4] =
    ["content-type", "authorization", "access-control-request-private-network", "access-control-request-local-network"];

/// A field that may be absent (outer `None`) or `null` (`Some(None)`).
mod present {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    pub(super) fn serialize<T: Serialize, S: Serializer>(value: &Option<Option<T>>, serializer: S) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    pub(super) fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(deserializer: D) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}

impl Expectation {
    /// An `unknown` outcome with every other field empty.
    pub fn unknown() -> Expectation {
        Expectation {
            preflight: false,
            outcome: Outcome::Unknown.as_str().to_owned(),
            cors_error: None,
            failed_parameter: None,
            console: None,
            status: None,
            response_type: None,
            visible_headers: Vec::new(),
            preflight_count: None,
            redirected: None,
            url: None,
            net_error: None,
            served: None,
        }
    }

    /// The expectation with `{origin}` and `{url}` replaced.
    pub fn substituted(&self, origin: &str, url: &str) -> Expectation {
        self.substituted_in(&Placeholders::new(origin, url))
    }

    /// The expectation with every placeholder of `values` replaced, in
    /// `cors_error`, `failed_parameter`, `console`, `url` and each served
    /// request's `origin`.
    pub fn substituted_in(&self, values: &Placeholders) -> Expectation {
        let sub = |s: &Option<String>| s.as_ref().map(|v| values.fill(v));
        Expectation {
            cors_error: sub(&self.cors_error),
            failed_parameter: sub(&self.failed_parameter),
            console: sub(&self.console),
            url: self.url.as_ref().map(sub),
            served: self.served.as_ref().map(|served| {
                served.iter().map(|s| Served { origin: sub(&s.origin), ..s.clone() }).collect()
            }),
            ..self.clone()
        }
    }

    /// The expectation without the four v2 fields (as a v1 file records it).
    pub fn without_v2(&self) -> Expectation {
        Expectation { redirected: None, url: None, net_error: None, served: None, ..self.clone() }
    }

    /// The fields where `self` and `other` differ: (field, self, other).
    pub fn differences(&self, other: &Expectation) -> Vec<(&'static str, String, String)> {
        let mut out = Vec::new();
        let mut field = |name: &'static str, a: String, b: String| {
            if a != b {
                out.push((name, a, b));
            }
        };
        let json = |v: &dyn erased::Json| v.json();
        field("preflight", json(&self.preflight), json(&other.preflight));
        field("outcome", json(&self.outcome), json(&other.outcome));
        field("cors_error", json(&self.cors_error), json(&other.cors_error));
        field("failed_parameter", json(&self.failed_parameter), json(&other.failed_parameter));
        field("console", json(&self.console), json(&other.console));
        field("status", json(&self.status), json(&other.status));
        field("response_type", json(&self.response_type), json(&other.response_type));
        field("visible_headers", json(&self.visible_headers), json(&other.visible_headers));
        field("preflight_count", json(&self.preflight_count), json(&other.preflight_count));
        // The v2 fields count only where both sides have them.
        if self.redirected.is_some() && other.redirected.is_some() {
            field("redirected", json(&self.redirected), json(&other.redirected));
        }
        if self.url.is_some() && other.url.is_some() {
            field("url", json(&self.url), json(&other.url));
        }
        if self.net_error.is_some() && other.net_error.is_some() {
            field("net_error", json(&self.net_error), json(&other.net_error));
        }
        if let (Some(a), Some(b)) = (&self.served, &other.served) {
            field("served", json(a), json(b));
        }
        out
    }

    /// Which v2 fields `self` has that `other` lacks.
    pub fn v2_fields_missing_in(&self, other: &Expectation) -> Vec<&'static str> {
        let mut missing = Vec::new();
        for (name, here, there) in [
            ("redirected", self.redirected.is_some(), other.redirected.is_some()),
            ("url", self.url.is_some(), other.url.is_some()),
            ("net_error", self.net_error.is_some(), other.net_error.is_some()),
            ("served", self.served.is_some(), other.served.is_some()),
        ] {
            if here && !there {
                missing.push(name);
            }
        }
        missing
    }
}

mod erased {
    /// Anything serializable, as JSON text (for difference reports).
    pub(super) trait Json {
        fn json(&self) -> String;
    }
    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> String {
            serde_json::to_string(self).unwrap_or_default()
        }
    }
}

/// Replaces the `{origin}` and `{url}` placeholders.
pub fn substitute(text: &str, origin: &str, url: &str) -> String {
    if text.contains('{') {
        text.replace("{origin}", origin).replace("{url}", url)
    } else {
        text.to_owned()
    }
}

/// The values of a scenario's placeholders: `{origin}` (the fetching
/// context's serialized origin, `null` in an opaque one), `{top_origin}`,
/// `{url}` (the URL being answered, or hop 0's in an expectation) and
/// `{hopN}` (hop N's URL, with its userinfo). Any other `{…}` (Firefox's
/// `{uuid}`) stays as written.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Placeholders {
    /// `{origin}`.
    pub origin: String,
    /// `{top_origin}`.
    pub top_origin: String,
    /// `{url}`.
    pub url: String,
    /// `{hop0}`, `{hop1}`, …
    pub hops: Vec<String>,
}

impl Placeholders {
    /// `{origin}` and `{url}` (and `{top_origin}` = `{origin}`, `{hop0}` =
    /// `{url}`), as in v1.
    pub fn new(origin: &str, url: &str) -> Placeholders {
        Placeholders { origin: origin.to_owned(), top_origin: origin.to_owned(), url: url.to_owned(), hops: vec![url.to_owned()] }
    }

    /// `text` with every known placeholder replaced.
    pub fn fill(&self, text: &str) -> String {
        if !text.contains('{') {
            return text.to_owned();
        }
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(open) = rest.find('{') {
            out.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                let value = match name {
                    "origin" => Some(self.origin.as_str()),
                    "top_origin" => Some(self.top_origin.as_str()),
                    "url" => Some(self.url.as_str()),
                    _ => name.strip_prefix("hop").and_then(|n| n.parse::<usize>().ok()).and_then(|n| self.hops.get(n)).map(String::as_str),
                };
                value.map(|v| (v, close))
            });
            match value {
                Some((value, close)) => {
                    out.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    out.push('{');
                    rest = after;
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// One prediction of a `cors-predictions/1` (or `/2`) file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prediction {
    /// The scenario's id.
    pub id: String,
    /// The predicted fields.
    #[serde(flatten)]
    pub expect: Expectation,
    /// Why the outcome is `unknown`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// A `cors-predictions/1` or `cors-predictions/2` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Predictions {
    /// `cors-predictions/1` for a `cors-scenarios/1` file, `/2` for a `/2` one.
    pub format: String,
    /// The profile.
    pub browser: Browser,
    /// One per scenario, in the file's order.
    pub results: Vec<Prediction>,
}

/// A scenario ready to run: origins parsed, URLs built, responses scripted.
/// It is the scenario's servers too ([`Server`]): hop 0's URL is answered by
/// [`responder`](Self::responder), each hop's URL by its own, any other URL
/// with a 404.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The (top-level) page's origin.
    pub page: Origin,
    /// What the page passes to `fetch()`.
    pub call: FetchCall,
    /// How the request's own URL (hop 0) answers.
    pub responder: Responder,
    /// How many times the request is made.
    pub repeat: u32,
    /// The redirect mode, the context, the network (v2).
    pub setup: Setup,
    /// Hops 1..n: each URL (with its userinfo) and how it answers.
    pub hops: Vec<(String, Responder)>,
    /// What a URL that is no hop gets.
    pub not_found: Responder,
}

/// Why a scenario cannot be run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Undecidable(pub String);

impl fmt::Display for Undecidable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Undecidable {}

impl Scenario {
    /// The page's origin, as written (default `http://localhost:5050`).
    pub fn page_origin(&self) -> &str {
        self.request.page_origin.as_deref().unwrap_or(DEFAULT_PAGE_ORIGIN)
    }

    /// The server's origin, as written (default `http://localhost:8080`).
    pub fn server_origin(&self) -> &str {
        self.request.server_origin.as_deref().unwrap_or(DEFAULT_SERVER_ORIGIN)
    }

    /// Whether the page and the server share an origin.
    pub fn is_same_origin(&self) -> bool {
        self.page_origin() == self.server_origin()
    }

    /// How many times the request is made (at least 1).
    pub fn repeat(&self) -> u32 {
        self.repeat.unwrap_or(1).max(1)
    }

    /// Whether the scenario uses what only `cors-scenarios/2` can say:
    /// hops, a context other than the window, an environment, a redirect
    /// mode other than `follow`.
    pub fn uses_v2(&self) -> bool {
        !self.hops.is_empty()
            || self.request.context != ContextKind::Window
            || !self.environment.is_empty()
            || self.request.redirect != RedirectMode::Follow
    }

    /// Why a live replay as `cors-scenarios/1` knows it (one server, the
    /// top-level page) cannot run the scenario yet, if it cannot: its hops,
    /// its context, its environment, its redirect mode, or an answer that
    /// redirects.
    pub fn not_replayable(&self) -> Option<&'static str> {
        let redirects = |r: &ScriptedResponse| {
            crate::fetch::response::is_redirect_status(r.status)
                && r.headers.iter().any(|(n, v)| n.eq_ignore_ascii_case("location") && !v.is_empty())
        };
        if !self.hops.is_empty() {
            Some("hops")
        } else if self.request.context != ContextKind::Window {
            Some("context")
        } else if !self.environment.is_empty() {
            Some("environment")
        } else if self.request.redirect != RedirectMode::Follow {
            Some("redirect mode")
        } else if redirects(&self.response) {
            Some("a redirect answer")
        } else {
            None
        }
    }

    /// The URL of hop 0 (the request's own) as written, serialized.
    ///
    /// # Errors
    ///
    /// [`Undecidable`] when the server's origin and the path make no URL.
    pub fn url(&self) -> Result<String, Undecidable> {
        absolute_url(self.server_origin(), &self.request.path, None)
    }

    /// The placeholders' values for the scenario as written.
    pub fn placeholders(&self) -> Placeholders {
        let url = self.url().unwrap_or_else(|_| format!("{}{}", self.server_origin(), self.request.path));
        self.placeholders_at(self.page_origin(), &url)
    }

    /// The placeholders' values with the page at `page_origin` and hop 0 at
    /// `url`.
    pub fn placeholders_at(&self, page_origin: &str, url: &str) -> Placeholders {
        let top = Origin::parse(page_origin).unwrap_or(Origin::Opaque);
        let client = Client::new(self.request.context, &top);
        let mut hops = vec![url.to_owned()];
        hops.extend(self.hops.iter().map(|h| h.url().unwrap_or_else(|_| format!("{}{}", h.server_origin, h.path))));
        Placeholders { origin: client.origin.to_string(), top_origin: top.to_string(), url: url.to_owned(), hops }
    }

    /// The scenario with the server at `server_origin` + `path` instead, and
    /// the page at `page_origin`: how a live replay runs it (the hops stay
    /// at their own URLs).
    pub fn prepare_at(&self, page_origin: &str, url: &str) -> Result<Prepared, Undecidable> {
        let page = Origin::parse(page_origin)
            .map_err(|e| Undecidable(format!("page origin {page_origin:?}: {e}")))?;
        let parsed = url::Url::parse(url).map_err(|e| Undecidable(format!("request URL {url:?}: {e}")))?;
        let url = parsed.as_str();
        if self.repeat() > MAX_REPEAT {
            return Err(Undecidable(format!("repeat {} is over the limit of {MAX_REPEAT}", self.repeat())));
        }
        let mut values = self.placeholders_at(page_origin, url);
        for (i, hop) in self.hops.iter().enumerate() {
            values.hops[i + 1] = hop.url().map_err(|e| Undecidable(format!("hop {}: {e}", i + 1)))?;
        }
        let not_found = ScriptedResponse { status: 404, headers: Vec::new(), body: None };
        // Each URL answers with its own `{url}`.
        let responder = |at: &str, preflight: Option<&ScriptedResponse>, response: Option<&ScriptedResponse>, what: &str| {
            let values = Placeholders { url: at.to_owned(), ..values.clone() };
            // Without a scripted answer, a plain 404.
            Ok::<_, Undecidable>(Responder {
                preflight: script(preflight.unwrap_or(&not_found), &values, &format!("{what}preflight_response"))?,
                response: script(response.unwrap_or(&not_found), &values, &format!("{what}response"))?,
            })
        };
        let first = responder(url, self.preflight_response.as_ref(), Some(&self.response), "")?;
        let mut hops = Vec::new();
        for (i, hop) in self.hops.iter().enumerate() {
            let at = values.hops[i + 1].clone();
            let answers = responder(&at, hop.preflight_response.as_ref(), hop.response.as_ref(), &format!("hop {} ", i + 1))?;
            hops.push((at, answers));
        }
        Ok(Prepared {
            page,
            call: FetchCall {
                url: url.to_owned(),
                method: self.request.method.clone(),
                headers: self.request.headers.clone(),
                mode: self.request.mode,
                credentials: self.request.credentials,
                body: self.request.body.clone(),
            },
            responder: first,
            repeat: self.repeat(),
            setup: Setup {
                redirect: self.request.redirect,
                context: self.request.context,
                network: self.environment.clone(),
            },
            hops,
            not_found: responder("", None, None, "")?,
        })
    }

    /// The scenario as written: page and servers at their named origins.
    pub fn prepare(&self) -> Result<Prepared, Undecidable> {
        let url = self.url()?;
        self.prepare_at(self.page_origin(), &url)
    }
}

/// A scripted answer with its placeholders filled, and the `Content-Length`
/// a replaying server adds unless the scenario gives one.
fn script(r: &ScriptedResponse, values: &Placeholders, what: &str) -> Result<ServerResponse, Undecidable> {
    let pairs: Vec<(String, String)> = r.headers.iter().map(|(n, v)| (n.clone(), values.fill(v))).collect();
    let mut headers = HeaderList::from_pairs(&pairs)
        .map_err(|(i, e)| Undecidable(format!("{what} header #{} ({:?}): {e}", i + 1, r.headers[i].0)))?;
    let body = r.body.as_ref().map(|b| values.fill(b));
    if !headers.contains("content-length") {
        let len = body.as_ref().map_or(0, String::len);
        headers.append(HeaderName::from_static("content-length"), len.to_string());
    }
    Ok(ServerResponse { status: r.status, headers, body })
}

impl Prepared {
    /// The answers of the server at `url`: hop 0's, a hop's, or the 404s.
    pub fn responder_at(&self, url: &str) -> &Responder {
        if url == self.call.url {
            return &self.responder;
        }
        self.hops.iter().find(|(at, _)| at == url).map_or(&self.not_found, |(_, r)| r)
    }
}

impl Server for Prepared {
    fn preflight(&self, preflight: &PreflightRequest) -> Cow<'_, ServerResponse> {
        Cow::Borrowed(&self.responder_at(&preflight.url).preflight)
    }

    fn respond(&self, request: &FetchRequest) -> Cow<'_, ServerResponse> {
        Cow::Borrowed(self.responder_at(request.url_str()).answer(request.method.as_str()))
    }
}

/// A server that answers as a scenario scripts it for one URL: every
/// `OPTIONS` request gets the preflight answer, every other request the
/// response. As a [`Server`] on its own it answers whatever URL it is asked
/// about (a single-server scenario); a [`Prepared`] scenario picks one per
/// URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Responder {
    /// The answer to `OPTIONS`.
    pub preflight: ServerResponse,
    /// The answer to everything else.
    pub response: ServerResponse,
}

impl Responder {
    /// The answer to a request with `method`.
    pub fn answer(&self, method: &str) -> &ServerResponse {
        if method == "OPTIONS" { &self.preflight } else { &self.response }
    }
}

impl Server for Responder {
    fn preflight(&self, _: &PreflightRequest) -> Cow<'_, ServerResponse> {
        Cow::Borrowed(&self.preflight)
    }

    fn respond(&self, request: &FetchRequest) -> Cow<'_, ServerResponse> {
        Cow::Borrowed(self.answer(request.method.as_str()))
    }
}

/// Each run of a (possibly repeated) scenario.
#[derive(Clone, Debug)]
pub struct Run {
    /// The decision of each request, in order.
    pub decisions: Vec<Decision>,
    /// The steps of each request, in order (empty unless traced).
    pub steps: Vec<Vec<Step>>,
}

impl Run {
    /// The last decision (what `expect` describes).
    pub fn last(&self) -> Option<&Decision> {
        self.decisions.last()
    }

    /// How many preflights the servers saw in all.
    pub fn preflight_count(&self) -> u32 {
        let sent = self.decisions.iter().flat_map(|d| &d.served).filter(|s| s.kind == WireKind::Preflight).count();
        u32::try_from(sent).unwrap_or(u32::MAX)
    }

    /// The prediction the run comes to: the last request's facts, plus the
    /// preflight count when the request was repeated (as `expect` records
    /// it); `None` when no request was made.
    pub fn prediction(&self, id: &str) -> Option<Prediction> {
        let mut prediction = prediction_of(id, self.last()?);
        if self.decisions.len() > 1 {
            prediction.expect.preflight_count = Some(self.preflight_count());
        }
        Some(prediction)
    }
}

/// Runs a prepared scenario under `browser`, its requests 10 ms apart on a
/// fresh cache; `traced` keeps every step.
pub fn run(prepared: &Prepared, browser: Browser, traced: bool) -> Run {
    run_in(&prepared.call, &prepared.page, &prepared.setup, prepared, prepared.repeat, browser, traced)
}

/// Runs `call` from a page at `page` against any [`Server`] (scripted
/// answers, a policy), `repeat` times 10 ms apart on a fresh cache.
pub fn run_against(
    call: &FetchCall,
    page: &Origin,
    server: &dyn Server,
    repeat: u32,
    browser: Browser,
    traced: bool,
) -> Run {
    run_in(call, page, &Setup::default(), server, repeat, browser, traced)
}

/// Runs `call` in `setup` (redirect mode, context, network) from the page
/// at `page` against any [`Server`], `repeat` times 10 ms apart on a fresh
/// cache.
pub fn run_in(
    call: &FetchCall,
    page: &Origin,
    setup: &Setup,
    server: &dyn Server,
    repeat: u32,
    browser: Browser,
    traced: bool,
) -> Run {
    let profile = browser.profile();
    let mut cache = PreflightCache::new(profile);
    let mut decisions = Vec::new();
    let mut steps = Vec::new();
    for i in 0..u64::from(repeat.clamp(1, MAX_REPEAT)) {
        let context = Context { cache: &mut cache, now_ms: i * 10 };
        // One tracer type for both ways: one copy of the engine.
        let mut trace = traced.then(Vec::new);
        decisions.push(decide_in(call, page, setup, server, profile, context, &mut trace));
        steps.extend(trace);
    }
    Run { decisions, steps }
}

/// Predicts one scenario for one browser profile.
///
/// # Examples
///
/// ```
/// use corslab::{Browser, formats::scenario::{ScenarioFile, predict}};
///
/// let file = ScenarioFile::parse(r#"{"format": "cors-scenarios/1", "scenarios": [{
///   "id": "no-acao",
///   "request": {"method": "GET", "path": "/", "headers": [], "mode": "cors", "credentials": "same-origin", "body": null},
///   "response": {"status": 200, "headers": [["Content-Type", "text/plain"]], "body": "hi"}
/// }]}"#).unwrap();
/// let prediction = predict(&file.scenarios[0], Browser::Chrome);
/// assert_eq!(prediction.expect.outcome, "cors-error");
/// assert_eq!(prediction.expect.cors_error.as_deref(), Some("MissingAllowOriginHeader"));
/// ```
pub fn predict(scenario: &Scenario, browser: Browser) -> Prediction {
    let prepared = match scenario.prepare() {
        Ok(prepared) => prepared,
        Err(why) => return unknown(scenario, why.0),
    };
    run(&prepared, browser, false)
        .prediction(&scenario.id)
        .unwrap_or_else(|| unknown(scenario, "no request was made".to_owned()))
}

/// The prediction fields of a decision, in its browser's vocabulary (the
/// spec profile uses Chromium's names).
pub fn prediction_of(id: &str, decision: &Decision) -> Prediction {
    let (cors_error, failed_parameter) = match (&decision.report, decision.browser) {
        (None, _) => (None, None),
        (Some(report), Browser::Firefox) => {
            (Some(report.firefox.code.to_owned()), report.firefox.failed_parameter.clone())
        }
        (Some(report), Browser::Webkit) => (Some(report.webkit.name.to_owned()), report.webkit.failed_parameter.clone()),
        (Some(report), Browser::Chrome | Browser::Spec) => {
            (Some(report.chromium.name.to_owned()), report.chromium.failed_parameter.clone())
        }
    };
    // Only a CORS error has a name; a network error is the network's.
    let (cors_error, failed_parameter) =
        if decision.outcome == Outcome::CorsError { (cors_error, failed_parameter) } else { (None, None) };
    let responded = matches!(decision.outcome, Outcome::Ok | Outcome::Opaque);
    Prediction {
        id: id.to_owned(),
        expect: Expectation {
            preflight: decision.preflight.sent,
            outcome: decision.outcome.as_str().to_owned(),
            cors_error,
            failed_parameter,
            console: decision.console(),
            status: if responded { decision.status } else { None },
            response_type: if responded { decision.response_type.map(|t| t.as_str().to_owned()) } else { None },
            visible_headers: if responded {
                decision.visible_headers.iter().map(|name| name.as_str().to_owned()).collect()
            } else {
                Vec::new()
            },
            preflight_count: None,
            redirected: Some(decision.redirected.filter(|_| responded)),
            url: Some(decision.response_url.clone().filter(|_| responded)),
            net_error: Some(decision.net_error.clone()),
            served: Some(served_of(decision)),
        },
        reason: decision.unknown_reason.clone(),
    }
}

/// The requests the servers received, as a v2 expectation lists them: only
/// the header names the page set, and [`SERVED_HEADERS`].
pub fn served_of(decision: &Decision) -> Vec<Served> {
    let page_set: Vec<&str> = decision
        .request
        .as_ref()
        .map(|r| {
            let kept = r.written_names.iter().map(|(n, _)| n.as_str());
            kept.chain(r.dropped.iter().map(|d| d.name.as_str())).collect()
        })
        .unwrap_or_default();
    decision
        .served
        .iter()
        .map(|sent| Served {
            hop: sent.hop,
            method: sent.method.clone(),
            preflight: sent.kind == WireKind::Preflight,
            origin: sent.origin.clone(),
            headers: sent
                .headers
                .iter()
                .map(HeaderName::as_str)
                .filter(|h| page_set.contains(h) || SERVED_HEADERS.contains(h))
                .map(str::to_owned)
                .collect(),
            body: sent.body,
        })
        .collect()
}

fn unknown(scenario: &Scenario, reason: String) -> Prediction {
    Prediction {
        id: scenario.id.clone(),
        expect: Expectation::unknown(),
        reason: Some(reason),
    }
}

/// Predicts every scenario of a file given as JSON, leniently: a scenario
/// that does not have the `cors-scenarios` shape (an unknown mode, a
/// status that is not a number) still gets a result, `unknown` with the
/// reason, and the others are predicted as usual. A `cors-scenarios/1` file
/// gets `cors-predictions/1` (without the v2 fields), a `/2` file
/// `cors-predictions/2`.
///
/// # Errors
///
/// Only when the file as a whole is not JSON, has another format, or has no
/// `scenarios` array.
pub fn predict_json(json: &str, browser: Browser) -> Result<Predictions, ScenarioFileError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(ScenarioFileError::Json)?;
    let format = value.get("format").and_then(serde_json::Value::as_str).unwrap_or_default();
    if !is_scenarios_format(format) {
        return Err(ScenarioFileError::Format(format.to_owned()));
    }
    let v2 = format == SCENARIOS_FORMAT_2;
    let Some(scenarios) = value.get("scenarios").and_then(serde_json::Value::as_array) else {
        return Err(ScenarioFileError::Format(format!("{format} without a \"scenarios\" array")));
    };
    let results = scenarios
        .iter()
        .enumerate()
        .map(|(i, raw)| match serde_json::from_value::<Scenario>(raw.clone()) {
            Ok(scenario) => in_format(predict(&scenario, browser), v2),
            Err(e) => {
                let id = raw.get("id").and_then(serde_json::Value::as_str).map_or_else(|| format!("#{}", i + 1), str::to_owned);
                Prediction { id, expect: Expectation::unknown(), reason: Some(format!("not a {format} scenario: {e}")) }
            }
        })
        .collect();
    Ok(Predictions { format: predictions_format(v2).to_owned(), browser, results })
}

/// Predicts every scenario of a file (`cors-predictions/1` for a v1 file,
/// `/2` for a v2 one).
pub fn predict_file(file: &ScenarioFile, browser: Browser) -> Predictions {
    let v2 = file.is_v2();
    Predictions {
        format: predictions_format(v2).to_owned(),
        browser,
        results: file.scenarios.iter().map(|s| in_format(predict(s, browser), v2)).collect(),
    }
}

fn predictions_format(v2: bool) -> &'static str {
    if v2 { PREDICTIONS_FORMAT_2 } else { PREDICTIONS_FORMAT }
}

/// A prediction as its file's format writes it: a v1 file's without the v2
/// fields.
fn in_format(prediction: Prediction, v2: bool) -> Prediction {
    if v2 { prediction } else { Prediction { expect: prediction.expect.without_v2(), ..prediction } }
}

/// Reads a `cors-predictions/1` or `/2` document.
///
/// # Errors
///
/// The JSON error, or [`ScenarioFileError::Format`] for another format.
pub fn parse_predictions(json: &str) -> Result<Predictions, ScenarioFileError> {
    let predictions: Predictions = serde_json::from_str(json).map_err(ScenarioFileError::Json)?;
    if predictions.format != PREDICTIONS_FORMAT && predictions.format != PREDICTIONS_FORMAT_2 {
        return Err(ScenarioFileError::Format(predictions.format));
    }
    Ok(predictions)
}
