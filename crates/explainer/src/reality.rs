//! Sending the composed request for real, and what the page and the server
//! saw of it.

use corslab::formats::scenario::Expectation;
use serde::Deserialize;
use corslab::fetch::client::ContextKind;
use corslab::fetch::redirect::RedirectMode;
use web_sys::{RequestCredentials, RequestMode, RequestRedirect};

use crate::net::{FetchInit, FetchOutcome, fetch, get_text};
use crate::state::MAX_REPEAT;

/// What really happened to a request (the last one, when repeated).
#[derive(Clone, Debug, Default)]
pub struct Reality {
    /// The URL the page shows: the one the user composed (the companion
    /// server's origin and the composed path), or the seed route itself.
    pub url: String,
    /// Where the lab really sent it (a replay or policy URL, whose query
    /// scripts the server): the same origin as `url`. Never shown.
    pub sent_to: String,
    /// Whether `sent_to` differs from `url` (the request went through the
    /// server's replay or policy route).
    pub routed: bool,
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
    /// `response.redirected`, when it resolved.
    pub redirected: Option<bool>,
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
        // A rejection is a bare TypeError to the page, whatever its cause:
        // a network error looks exactly like a CORS error.
        let outcome = if self.outcome == "cors-error" && predicted.outcome == "network-error" { "network-error" } else { self.outcome.as_str() };
        let mut facts = vec![
            ("outcome", predicted.outcome.clone(), Some(outcome.to_owned())),
            ("status", json(&predicted.status), Some(json(&self.status))),
            ("response type", json(&predicted.response_type), Some(json(&self.response_type))),
            ("readable headers", list(&predicted.visible_headers), Some(list(&self.visible_headers))),
            (
                "preflight",
                json(&predicted.preflight),
                self.last_preflighted.map(|p| json(&p)),
            ),
        ];
        if let Some(Some(redirected)) = predicted.redirected {
            facts.push(("redirected", json(&redirected), self.redirected.map(|r| json(&r))));
        }
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
        crate::json::to_string(self)
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

/// Sends `call` `repeat` times in a row (1 to [`MAX_REPEAT`], whatever is
/// asked), then reads the server's log of `log_url` (when given). The result
/// shows `shown_url` (the composed URL) where `call.url` is the live one.
pub async fn send(call: &corslab::FetchCall, shown_url: &str, repeat: u32, log_url: Option<&str>) -> Reality {
    send_from(call, Sending::default(), shown_url, repeat, log_url).await
}

/// Where and how a composed request is sent beyond its [`FetchCall`]: the
/// `redirect` option, and the context the `fetch()` runs in (a frame, see
/// [`crate::frame`]).
#[derive(Clone, Copy, Debug, Default)]
pub struct Sending {
    /// `redirect`.
    pub redirect: RedirectMode,
    /// The context.
    pub context: ContextKind,
}

/// As [`send`], with a redirect mode and from a context.
pub async fn send_from(call: &corslab::FetchCall, sending: Sending, shown_url: &str, repeat: u32, log_url: Option<&str>) -> Reality {
    let (mode, credentials) = modes(call);
    let init = FetchInit {
        method: &call.method,
        headers: &call.headers,
        mode,
        credentials,
        body: call.body.as_deref(),
        redirect: match sending.redirect {
            RedirectMode::Follow => RequestRedirect::Follow,
            RedirectMode::Error => RequestRedirect::Error,
            RedirectMode::Manual => RequestRedirect::Manual,
        },
    };
    let names = [call.mode.as_str(), call.credentials.as_str(), sending.redirect.as_str()];
    let fresh = || Reality {
        url: shown_url.to_owned(),
        sent_to: call.url.clone(),
        routed: shown_url != call.url,
        ..Reality::default()
    };
    let mut reality = fresh();
    // Bounded here too, so no caller can make the page loop for long.
    for _ in 0..repeat.clamp(1, MAX_REPEAT) {
        reality.sent += 1;
        let outcome = if sending.context == ContextKind::Window {
            fetch(&call.url, &init).await
        } else {
            crate::frame::fetch_in(sending.context, crate::SERVER, &call.url, &init, names).await
        };
        match outcome {
            FetchOutcome::Resolved { status, response_type, visible_headers, body, redirected } => {
                reality.outcome = if response_type.starts_with("opaque") { "opaque" } else { "ok" }.to_owned();
                reality.redirected = Some(redirected);
                reality.status = Some(status);
                reality.response_type = Some(response_type);
                reality.visible_headers = visible_headers;
                reality.body = body.chars().take(200).collect();
                reality.error = None;
            }
            FetchOutcome::Rejected { error } => {
                reality = Reality { outcome: "cors-error".to_owned(), error: Some(error), sent: reality.sent, ..fresh() };
            }
            FetchOutcome::Refused { error } => {
                reality = Reality { outcome: "type-error".to_owned(), error: Some(error), sent: reality.sent, ..fresh() };
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
    apply_log(reality, &text);
}

/// The path a log line shows: the composed URL's when the request was routed
/// (every entry of a run's log is that one request, or its preflight), the
/// logged one otherwise.
fn shown_path(reality: &Reality, logged: &str) -> String {
    let logged = logged.split('?').next().unwrap_or_default();
    if !reality.routed {
        return logged.to_owned();
    }
    url::Url::parse(&reality.url).map(|u| u.path().to_owned()).unwrap_or_else(|_| "/".to_owned())
}

/// What the page reads of one entry of the server's log (`/log/{run}`).
#[derive(Deserialize)]
pub(crate) struct LogEntry {
    #[serde(default)]
    method: String,
    #[serde(default)]
    path: String,
    #[serde(default)]
    pub(crate) preflight: bool,
    origin: Option<String>,
    access_control_request_method: Option<String>,
    access_control_request_headers: Option<String>,
}

/// [`read_log`]'s work on the log's JSON text.
fn apply_log(reality: &mut Reality, text: &str) {
    let Ok(entries) = crate::json::parse::<Vec<LogEntry>>(text) else { return };
    let mut lines = Vec::new();
    let mut preflights = 0;
    let mut last_preflighted = None;
    let mut previous_was_preflight = false;
    for entry in &entries {
        let preflight = entry.preflight;
        let mut line = format!(
            "{} {}{}",
            entry.method,
            shown_path(reality, &entry.path),
            if preflight { " — a preflight" } else { "" }
        );
        if let Some(origin) = &entry.origin {
            line.push_str(&format!(", Origin: {origin}"));
        }
        if let Some(method) = &entry.access_control_request_method {
            line.push_str(&format!(", Access-Control-Request-Method: {method}"));
        }
        if let Some(headers) = &entry.access_control_request_headers {
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
    // Sent once, the run's log is that one fetch: every hop of its redirect
    // chain, each with its own preflight where one was sent.
    if reality.sent == 1 {
        reality.last_preflighted = Some(preflights > 0);
        return;
    }
    reality.last_preflighted = match reality.outcome.as_str() {
        // A blocked request may never have left the browser after its
        // preflight: the last thing logged is then the preflight itself.
        "cors-error" | "type-error" => Some(previous_was_preflight || last_preflighted.unwrap_or(false))
            .filter(|_| !entries.is_empty())
            .or(Some(false)),
        _ => last_preflighted.or(Some(false)),
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn routed() -> Reality {
        Reality {
            url: "http://localhost:8080/data".to_owned(),
            sent_to: "http://localhost:8080/replay/p1?origin=http%3A%2F%2Flocalhost%3A5050&ps=204".to_owned(),
            routed: true,
            outcome: "ok".to_owned(),
            ..Reality::default()
        }
    }

    const LOG: &str = r#"[
        {"method": "OPTIONS", "path": "/replay/p1?origin=x&ps=204", "preflight": true, "origin": "http://localhost:5050", "access_control_request_method": "PUT"},
        {"method": "PUT", "path": "/replay/p1?origin=x&ps=204", "preflight": false, "origin": "http://localhost:5050"}
    ]"#;

    #[test]
    fn a_routed_requests_log_shows_the_composed_path() {
        let mut reality = routed();
        apply_log(&mut reality, LOG);
        assert_eq!(
            reality.log.as_deref(),
            Some(
                &[
                    "OPTIONS /data — a preflight, Origin: http://localhost:5050, Access-Control-Request-Method: PUT".to_owned(),
                    "PUT /data, Origin: http://localhost:5050".to_owned(),
                ][..]
            )
        );
        assert_eq!((reality.preflights, reality.last_preflighted), (Some(1), Some(true)));
        let html = crate::view::reality_panel(&reality, None, "");
        assert!(!html.contains("/replay/") && !html.contains("/policy/"), "{html}");
        assert!(html.contains("Sent to <code class=\"url\">http://localhost:8080/data</code>"), "{html}");
        assert!(html.contains("data-role=\"routed\""), "{html}");
    }

    #[test]
    fn a_seed_routes_log_shows_its_own_path() {
        let mut reality = Reality { url: "http://localhost:8080/allow/any".to_owned(), sent_to: "http://localhost:8080/allow/any".to_owned(), ..routed() };
        reality.routed = false;
        apply_log(&mut reality, r#"[{"method": "GET", "path": "/allow/any?x=1", "preflight": false}]"#);
        assert_eq!(reality.log.as_deref(), Some(&["GET /allow/any".to_owned()][..]));
        assert!(!crate::view::reality_panel(&reality, None, "").contains("data-role=\"routed\""));
    }
}
