//! Scenario files (`cors-scenarios/1`) and predictions (`cors-predictions/1`).
//!
//! A scenario says what a page asks `fetch()` to do, what the server answers,
//! and (in recordings) what real browsers did. [`predict`] runs the engine on
//! one scenario for one browser profile.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::fetch::cache::PreflightCache;
use crate::fetch::engine::{Context, Decision, Outcome, Server, decide, decide_traced};
use crate::http::header::{HeaderList, HeaderName};
use crate::origin::Origin;
use crate::fetch::preflight::PreflightRequest;
use crate::browsers::profile::Browser;
use crate::fetch::request::{CredentialsMode, FetchCall, FetchRequest, RequestMode};
use crate::fetch::response::ServerResponse;
use crate::trace::Step;

/// The format tag of scenario files.
pub const SCENARIOS_FORMAT: &str = "cors-scenarios/1";
/// The format tag of prediction output.
pub const PREDICTIONS_FORMAT: &str = "cors-predictions/1";
/// The page's origin when a scenario names none.
pub const DEFAULT_PAGE_ORIGIN: &str = "http://localhost:5050";
/// The server's origin when a scenario names none.
pub const DEFAULT_SERVER_ORIGIN: &str = "http://localhost:8080";
/// The most times a scenario may repeat its request.
pub const MAX_REPEAT: u32 = 100;

/// A `cors-scenarios/1` file.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScenarioFile {
    /// Always `cors-scenarios/1`.
    pub format: String,
    /// Browser name → version that recorded the expectations.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub recorded_with: BTreeMap<String, String>,
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
            ScenarioFileError::Json(e) => write!(f, "not a cors-scenarios/1 file: {e}"),
            ScenarioFileError::Format(found) => {
                write!(f, "format is {found:?}, expected {SCENARIOS_FORMAT:?}")
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
        if file.format != SCENARIOS_FORMAT {
            return Err(ScenarioFileError::Format(file.format));
        }
        let mut ids: Vec<&str> = file.scenarios.iter().map(|s| s.id.as_str()).collect();
        ids.sort_unstable();
        if let Some(pair) = ids.windows(2).find(|w| w[0] == w[1]) {
            return Err(ScenarioFileError::DuplicateId(pair[0].to_owned()));
        }
        Ok(file)
    }
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
    /// What each browser did.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub expect: BTreeMap<String, Expectation>,
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
    /// `ok`, `opaque`, `cors-error`, `type-error` (or `unknown` in predictions).
    pub outcome: String,
    /// The browser's error name, or `null`.
    pub cors_error: Option<String>,
    /// The parameter the error names, or `null`.
    pub failed_parameter: Option<String>,
    /// The console message, or `null`.
    pub console: Option<String>,
    /// The status the page saw, or `null`.
    pub status: Option<u16>,
    /// `basic`, `cors`, `opaque` or `null`.
    pub response_type: Option<String>,
    /// Readable header names, lower-case, sorted.
    pub visible_headers: Vec<String>,
    /// Preflights seen in all, where the request repeats.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub preflight_count: Option<u32>,
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
        }
    }

    /// The expectation with `{origin}` and `{url}` replaced.
    pub fn substituted(&self, origin: &str, url: &str) -> Expectation {
        let sub = |s: &Option<String>| s.as_ref().map(|v| substitute(v, origin, url));
        Expectation {
            cors_error: sub(&self.cors_error),
            failed_parameter: sub(&self.failed_parameter),
            console: sub(&self.console),
            ..self.clone()
        }
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
        out
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

/// One prediction of a `cors-predictions/1` file.
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

/// A `cors-predictions/1` document.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Predictions {
    /// Always `cors-predictions/1`.
    pub format: String,
    /// The profile.
    pub browser: Browser,
    /// One per scenario, in the file's order.
    pub results: Vec<Prediction>,
}

/// A scenario ready to run: origins parsed, URL built, responses scripted.
#[derive(Clone, Debug)]
pub struct Prepared {
    /// The page's origin.
    pub page: Origin,
    /// What the page passes to `fetch()`.
    pub call: FetchCall,
    /// How the server answers.
    pub responder: Responder,
    /// How many times the request is made.
    pub repeat: u32,
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

    /// The scenario with the server at `server_origin` + `path` instead, and
    /// the page at `page_origin`: how a live replay runs it.
    pub fn prepare_at(&self, page_origin: &str, url: &str) -> Result<Prepared, Undecidable> {
        let page = Origin::parse(page_origin)
            .map_err(|e| Undecidable(format!("page origin {page_origin:?}: {e}")))?;
        let parsed = url::Url::parse(url).map_err(|e| Undecidable(format!("request URL {url:?}: {e}")))?;
        let url = parsed.as_str();
        let origin = page.to_string();
        if self.repeat() > MAX_REPEAT {
            return Err(Undecidable(format!("repeat {} is over the limit of {MAX_REPEAT}", self.repeat())));
        }
        let script = |r: &ScriptedResponse, what: &str| -> Result<ServerResponse, Undecidable> {
            let pairs: Vec<(String, String)> =
                r.headers.iter().map(|(n, v)| (n.clone(), substitute(v, &origin, url))).collect();
            let mut headers = HeaderList::from_pairs(&pairs).map_err(|(i, e)| {
                Undecidable(format!("{what} header #{} ({:?}): {e}", i + 1, r.headers[i].0))
            })?;
            let body = r.body.as_ref().map(|b| substitute(b, &origin, url));
            // A replaying server adds Content-Length unless the scenario gives one.
            if !headers.contains("content-length") {
                let len = body.as_ref().map_or(0, String::len);
                headers.append(HeaderName::from_static("content-length"), len.to_string());
            }
            Ok(ServerResponse { status: r.status, headers, body })
        };
        let preflight = match &self.preflight_response {
            Some(r) => script(r, "preflight_response")?,
            // Without a scripted preflight answer, OPTIONS gets a plain 404.
            None => script(&ScriptedResponse { status: 404, headers: Vec::new(), body: None }, "preflight_response")?,
        };
        let response = script(&self.response, "response")?;
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
            responder: Responder { preflight, response },
            repeat: self.repeat(),
        })
    }

    /// The scenario as written: page and server at their named origins.
    pub fn prepare(&self) -> Result<Prepared, Undecidable> {
        let path = &self.request.path;
        if !path.starts_with('/') {
            return Err(Undecidable(format!("path {path:?} must start with '/'")));
        }
        self.prepare_at(self.page_origin(), &format!("{}{path}", self.server_origin()))
    }
}

/// A server that answers as a scenario scripts it: every `OPTIONS` request
/// gets the preflight answer, every other request the response.
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

    /// How many preflights were sent in all.
    pub fn preflight_count(&self) -> u32 {
        u32::try_from(self.decisions.iter().filter(|d| d.preflight.sent).count()).unwrap_or(u32::MAX)
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
    run_against(&prepared.call, &prepared.page, &prepared.responder, prepared.repeat, browser, traced)
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
    let mut cache = PreflightCache::new(browser.profile());
    let mut decisions = Vec::new();
    let mut steps = Vec::new();
    for i in 0..u64::from(repeat.clamp(1, MAX_REPEAT)) {
        let context = Context { cache: &mut cache, now_ms: i * 10 };
        if traced {
            let (decision, trace) = decide_traced(call, page, server, browser, context);
            decisions.push(decision);
            steps.push(trace);
        } else {
            decisions.push(decide(call, page, server, browser, context));
        }
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
            response_type: if responded { decision.tainting.map(|t| t.as_str().to_owned()) } else { None },
            visible_headers: if responded { decision.visible_headers.clone() } else { Vec::new() },
            preflight_count: None,
        },
        reason: decision.unknown_reason.clone(),
    }
}

fn unknown(scenario: &Scenario, reason: String) -> Prediction {
    Prediction {
        id: scenario.id.clone(),
        expect: Expectation::unknown(),
        reason: Some(reason),
    }
}

/// Predicts every scenario of a file given as JSON, leniently: a scenario
/// that does not have the `cors-scenarios/1` shape (an unknown mode, a
/// status that is not a number) still gets a result, `unknown` with the
/// reason, and the others are predicted as usual.
///
/// # Errors
///
/// Only when the file as a whole is not JSON, has another format, or has no
/// `scenarios` array.
pub fn predict_json(json: &str, browser: Browser) -> Result<Predictions, ScenarioFileError> {
    let value: serde_json::Value = serde_json::from_str(json).map_err(ScenarioFileError::Json)?;
    let format = value.get("format").and_then(serde_json::Value::as_str).unwrap_or_default();
    if format != SCENARIOS_FORMAT {
        return Err(ScenarioFileError::Format(format.to_owned()));
    }
    let Some(scenarios) = value.get("scenarios").and_then(serde_json::Value::as_array) else {
        return Err(ScenarioFileError::Format(format!("{format} without a \"scenarios\" array")));
    };
    let results = scenarios
        .iter()
        .enumerate()
        .map(|(i, raw)| match serde_json::from_value::<Scenario>(raw.clone()) {
            Ok(scenario) => predict(&scenario, browser),
            Err(e) => {
                let id = raw.get("id").and_then(serde_json::Value::as_str).map_or_else(|| format!("#{}", i + 1), str::to_owned);
                Prediction { id, expect: Expectation::unknown(), reason: Some(format!("not a cors-scenarios/1 scenario: {e}")) }
            }
        })
        .collect();
    Ok(Predictions { format: PREDICTIONS_FORMAT.to_owned(), browser, results })
}

/// Predicts every scenario of a file.
pub fn predict_file(file: &ScenarioFile, browser: Browser) -> Predictions {
    Predictions {
        format: PREDICTIONS_FORMAT.to_owned(),
        browser,
        results: file.scenarios.iter().map(|s| predict(s, browser)).collect(),
    }
}
