//! Sending the composed request for real, and what the page and the server
//! saw of it.

use corslab::formats::scenario::Expectation;
use serde_json::Value;
use web_sys::{RequestCredentials, RequestMode};

use crate::net::{FetchInit, FetchOutcome, fetch, get_text};

/// What really happened to a request (the last one, when repeated).
#[derive(Clone, Debug, Default)]
pub struct Reality {
    /// Where it went.
    pub url: String,
    /// `ok`, `opaque`, `cors-error` (fetch rejected: a page sees only a
    /// TypeError), or `type-error` (fetch refused before sending).
    pub outcome: String,
    /// The status the page saw.
    pub status: Option<u16>,
    /// `response.type`.
    pub response_type: Option<String>,
    /// The header names the page could read.
    pub visible_headers: Vec<String>,
    /// The body (the first 200 characters).
    pub body: String,
    /// The error, when rejected.
    pub error: Option<String>,
    /// The server's log for the run, one line per request, when it has one.
    pub log: Option<Vec<String>>,
    /// Preflights in the server's log.
    pub preflights: Option<u32>,
    /// Whether the last request was preceded by a preflight, per the log.
    pub last_preflighted: Option<bool>,
    /// How many requests were sent.
    pub sent: u32,
}

impl Reality {
    /// The outcome in words.
    pub fn describe(&self) -> String {
        match self.outcome.as_str() {
            "ok" => format!(
                "fetch() resolved: {} ({})",
                self.status.unwrap_or_default(),
                self.response_type.as_deref().unwrap_or_default()
            ),
            "opaque" => "fetch() resolved with an opaque response: status 0, nothing readable".to_owned(),
            "type-error" => format!("fetch() threw before sending: {}", self.error.as_deref().unwrap_or_default()),
            _ => format!(
                "fetch() rejected: {} — the browser's console says why (the page is told nothing more)",
                self.error.as_deref().unwrap_or("TypeError")
            ),
        }
    }

    /// Each fact the page (and the server's log) can check against the
    /// prediction: (fact, predicted, observed or `None` when invisible).
    pub fn facts(&self, predicted: &Expectation) -> Vec<(&'static str, String, Option<String>)> {
        let json = |v: &dyn ErasedJson| v.json();
        let mut facts = vec![
            ("outcome", predicted.outcome.clone(), Some(self.outcome.clone())),
            ("status", json(&predicted.status), Some(json(&self.status))),
            ("response type", json(&predicted.response_type), Some(json(&self.response_type))),
            ("readable headers", list(&predicted.visible_headers), Some(list(&self.visible_headers))),
            (
                "preflight",
                json(&predicted.preflight),
                self.last_preflighted.map(|p| json(&p)),
            ),
        ];
        if let Some(count) = predicted.preflight_count {
            facts.push(("preflights in all", count.to_string(), self.preflights.map(|p| p.to_string())));
        }
        facts.push(("error name", json(&predicted.cors_error), None));
        facts.push(("console message", json(&predicted.console), None));
        facts
    }

    /// Whether every visible fact agrees with `predicted`.
    pub fn agrees_with(&self, predicted: &Expectation) -> bool {
        self.facts(predicted).iter().all(|(_, p, o)| o.as_ref().is_none_or(|o| o == p))
    }
}

/// Names joined by `, `, or `(none)`.
fn list(names: &[String]) -> String {
    if names.is_empty() { "(none)".to_owned() } else { names.join(", ") }
}

/// JSON text of anything serializable.
trait ErasedJson {
    fn json(&self) -> String;
}

impl<T: serde::Serialize> ErasedJson for T {
    fn json(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

/// `web_sys` modes for the core's.
fn modes(call: &corslab::FetchCall) -> (RequestMode, RequestCredentials) {
    let mode = match call.mode {
        corslab::RequestMode::Cors => RequestMode::Cors,
        corslab::RequestMode::NoCors => RequestMode::NoCors,
        corslab::RequestMode::SameOrigin => RequestMode::SameOrigin,
    };
    let credentials = match call.credentials {
        corslab::CredentialsMode::Omit => RequestCredentials::Omit,
        corslab::CredentialsMode::SameOrigin => RequestCredentials::SameOrigin,
        corslab::CredentialsMode::Include => RequestCredentials::Include,
    };
    (mode, credentials)
}

/// Sends `call` `repeat` times in a row, then reads the server's log of
/// `log_url` (when given).
pub async fn send(call: &corslab::FetchCall, repeat: u32, log_url: Option<&str>) -> Reality {
    let (mode, credentials) = modes(call);
    let init = FetchInit {
        method: &call.method,
        headers: &call.headers,
        mode,
        credentials,
        body: call.body.as_deref(),
    };
    let mut reality = Reality { url: call.url.clone(), ..Reality::default() };
    for _ in 0..repeat.max(1) {
        reality.sent += 1;
        let outcome = fetch(&call.url, &init).await;
        match outcome {
            FetchOutcome::Resolved { status, response_type, visible_headers, body } => {
                reality.outcome = if response_type == "opaque" { "opaque" } else { "ok" }.to_owned();
                reality.status = Some(status);
                reality.response_type = Some(response_type);
                reality.visible_headers = visible_headers;
                reality.body = body.chars().take(200).collect();
                reality.error = None;
            }
            FetchOutcome::Rejected { error } => {
                reality = Reality { url: call.url.clone(), outcome: "cors-error".to_owned(), error: Some(error), sent: reality.sent, ..Reality::default() };
            }
            FetchOutcome::Refused { error } => {
                reality = Reality { url: call.url.clone(), outcome: "type-error".to_owned(), error: Some(error), sent: reality.sent, ..Reality::default() };
                break;
            }
        }
    }
    if let Some(log_url) = log_url {
        read_log(&mut reality, log_url).await;
    }
    reality
}

/// Reads `/log/{run}` into `reality`: one line per request, the preflight count,
/// and whether the last request had one.
async fn read_log(reality: &mut Reality, log_url: &str) {
    let Some(text) = get_text(log_url).await else { return };
    let Ok(Value::Array(entries)) = serde_json::from_str::<Value>(&text) else { return };
    let field = |e: &Value, name: &str| e.get(name).and_then(Value::as_str).map(str::to_owned);
    let mut lines = Vec::new();
    let mut preflights = 0;
    let mut last_preflighted = None;
    let mut previous_was_preflight = false;
    for entry in &entries {
        let preflight = entry.get("preflight").and_then(Value::as_bool).unwrap_or(false);
        let mut line = format!(
            "{} {}{}",
            field(entry, "method").unwrap_or_default(),
            field(entry, "path").unwrap_or_default().split('?').next().unwrap_or_default(),
            if preflight { " — a preflight" } else { "" }
        );
        if let Some(origin) = field(entry, "origin") {
            line.push_str(&format!(", Origin: {origin}"));
        }
        if let Some(method) = field(entry, "access_control_request_method") {
            line.push_str(&format!(", Access-Control-Request-Method: {method}"));
        }
        if let Some(headers) = field(entry, "access_control_request_headers") {
            line.push_str(&format!(", Access-Control-Request-Headers: {headers}"));
        }
        lines.push(line);
        if preflight {
            preflights += 1;
        } else {
            last_preflighted = Some(previous_was_preflight);
        }
        previous_was_preflight = preflight;
    }
    reality.log = Some(lines);
    reality.preflights = Some(preflights);
    reality.last_preflighted = match reality.outcome.as_str() {
        // A blocked request may never have left the browser after its
        // preflight: the last thing logged is then the preflight itself.
        "cors-error" | "type-error" => Some(previous_was_preflight || last_preflighted.unwrap_or(false))
            .filter(|_| !entries.is_empty())
            .or(Some(false)),
        _ => last_preflighted.or(Some(false)),
    };
}
