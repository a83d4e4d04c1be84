//! The companion server's `POST /probe`, from the page's side: what to ask
//! it, and its `cors-check/1` answer judged again here.
//!
//! A page cannot send a request with another page's `Origin`, nor see the
//! headers behind a CORS error; the companion server can. It sends what each
//! browser would send and reports every exchange. The page keeps only the
//! exchanges and asks the core for the verdicts itself, with the very code
//! the server ran ([`judge`], [`BrowserCheck::new`], [`CheckReport::new`]):
//! so it has every profile's steps without a second round trip.
//!
//! Never called here: `Need::to_wire` and the request builders of
//! `corslab::fetch::wire`, which link the Public Suffix List (hundreds of
//! KB of wasm). The server builds the wire requests; the page only reads
//! them.


use corslab::diagnosis::check::{BrowserCheck, CheckRequest, Exchange, Need, judge};
use corslab::fetch::preflight::PreflightRequest;
use corslab::formats::check::{CHECK_FORMAT, CheckReport};
use corslab::trace::Step;
use corslab::{Browser, Decision, FetchCall, Origin, PerBrowser};
use serde::{Deserialize, Serialize};
use web_sys::{RequestCredentials, RequestMode};

use crate::SERVER;
use crate::net::{FetchInit, FetchOutcome, fetch};

/// One profile's decision, judged here from the exchanges the server
/// reported.
#[derive(Clone, Debug)]
pub struct Judged {
    /// The profile.
    pub browser: Browser,
    /// What the engine decided.
    pub decision: Decision,
    /// Every step of it.
    pub steps: Vec<Step>,
}

/// A finished check.
#[derive(Clone, Debug)]
pub struct Probed {
    /// The report as the core builds it from the exchanges: each profile's
    /// verdict, exchanges and fix, the fix for them all, whether all passed.
    pub report: CheckReport,
    /// Each profile's decision and steps, in [`Browser::ALL`]'s order.
    pub judged: Vec<Judged>,
    /// The profiles whose verdict the server reported otherwise (a server
    /// running another version of the engine).
    pub disagreements: Vec<Browser>,
}

impl Probed {
    /// `browser`'s decision and steps, when it was checked.
    pub fn judged(&self, browser: Browser) -> Option<&Judged> {
        self.judged.iter().find(|j| j.browser == browser)
    }
}

/// A check and what came of it: the report, or one sentence saying why
/// there is none.
#[derive(Clone, Debug)]
pub struct Probe {
    /// What was checked.
    pub check: CheckRequest,
    /// The report, or why there is none.
    pub result: Result<Probed, String>,
}

/// `url` as `/probe` reads it: an absolute `http` or `https` URL.
///
/// # Errors
///
/// What is wrong with it (the caller names the URL).
pub fn parse_url(url: &str) -> Result<url::Url, String> {
    let parsed = url::Url::parse(url).map_err(|e| e.to_string())?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err("only http and https URLs can be checked".to_owned());
    }
    Ok(parsed)
}

/// The check of `call` (to any `http` or `https` URL) from a page at
/// `origin` (whose URL is `page_url`, when known), as `/probe` builds it
/// from the JSON [`request_json`] writes: the URL serialized as the server
/// serializes it, no cookies.
///
/// # Errors
///
/// One sentence when the URL or the origin is not valid.
pub fn check_request(call: &FetchCall, origin: &str, page_url: Option<String>) -> Result<CheckRequest, String> {
    let url = parse_url(&call.url).map_err(|e| format!("the URL {:?}: {e}", call.url))?;
    let page = Origin::parse(origin).map_err(|e| format!("the origin {origin:?}: {e}"))?;
    Ok(CheckRequest { call: FetchCall { url: url.to_string(), ..call.clone() }, page, cookies: None, page_url })
}

/// The JSON body of `POST /probe`.
#[derive(Serialize)]
struct ProbeBody<'a> {
    url: &'a str,
    origin: String,
    method: &'a str,
    headers: &'a [(String, String)],
    body: Option<&'a str>,
    mode: &'static str,
    credentials: &'static str,
    browsers: [&'static str; Browser::ALL.len()],
    page_url: Option<&'a str>,
}

/// The JSON body of `POST /probe` for `check`, every profile asked.
pub fn request_json(check: &CheckRequest) -> String {
    let call = &check.call;
    crate::json::to_string(&ProbeBody {
        url: &call.url,
        origin: check.page.to_string(),
        method: &call.method,
        headers: &call.headers,
        body: call.body.as_deref(),
        mode: call.mode.as_str(),
        credentials: call.credentials.as_str(),
        browsers: Browser::ALL.map(Browser::as_str),
        page_url: check.page_url.as_deref(),
    })
}

/// Reads `/probe`'s answer (`status`, `body`) to `check`: the exchanges
/// of each profile, judged here.
///
/// # Errors
///
/// The server's own sentence for an error status (with the status), or
/// what is wrong with the answer.
pub fn read_answer(check: &CheckRequest, status: u16, body: &str) -> Result<Probed, String> {
    if status != 200 {
        return Err(match crate::json::parse::<Refusal>(body) {
            Ok(refusal) => format!("{} (HTTP {status})", refusal.error),
            Err(_) => format!("the companion server answered HTTP {status}, without saying why"),
        });
    }
    let answer: Answer = crate::json::parse(body).map_err(|e| format!("the companion server's answer is not a report: {e}"))?;
    if answer.format != CHECK_FORMAT {
        return Err(format!("the companion server's answer is not a {CHECK_FORMAT} report"));
    }
    let mut browsers = PerBrowser::new();
    let mut judged = Vec::new();
    let mut disagreements = Vec::new();
    for browser in Browser::ALL {
        let Some(one) = answer.browsers.get(browser) else { continue };
        let judgement = judge(check, browser, &one.exchanges, true);
        if judgement.need.is_some() {
            return Err(format!("the report stops before {} has decided", browser.profile().name));
        }
        let verdict = BrowserCheck::new(check, &judgement, one.exchanges.clone());
        if one.outcome.as_deref() != Some(verdict.expect.outcome.as_str()) || one.passed != Some(verdict.passed) {
            disagreements.push(browser);
        }
        judged.push(Judged { browser, decision: judgement.decision, steps: judgement.steps });
        browsers.insert(browser, verdict);
    }
    if browsers.is_empty() {
        return Err("the companion server's report judges no browser".to_owned());
    }
    Ok(Probed { report: CheckReport::new(check, browsers, None), judged, disagreements })
}

/// What the page reads of a `cors-check/1` report (every other field is
/// judged again here, or not needed).
#[derive(Deserialize)]
struct Answer {
    format: String,
    browsers: Reports,
}

/// The report's `browsers`, by profile (a struct rather than a map: no map
/// code for it in the wasm; a profile this page does not know is ignored).
#[derive(Deserialize)]
struct Reports {
    chrome: Option<Reported>,
    firefox: Option<Reported>,
    webkit: Option<Reported>,
    spec: Option<Reported>,
}

impl Reports {
    fn get(&self, browser: Browser) -> Option<&Reported> {
        match browser {
            Browser::Chrome => self.chrome.as_ref(),
            Browser::Firefox => self.firefox.as_ref(),
            Browser::Webkit => self.webkit.as_ref(),
            Browser::Spec => self.spec.as_ref(),
        }
    }
}

/// What the page reads of one browser's verdict.
#[derive(Deserialize)]
struct Reported {
    exchanges: Vec<Exchange>,
    outcome: Option<String>,
    passed: Option<bool>,
}

/// `/probe`'s error answer.
#[derive(Deserialize)]
struct Refusal {
    error: String,
}

/// Asks the companion server to check `check`.
///
/// # Errors
///
/// One sentence: the server's refusal (403, 400, 429, 502, 504…) or why
/// it could not be reached.
pub async fn probe(check: &CheckRequest) -> Result<Probed, String> {
    let body = request_json(check);
    let headers = [("Content-Type".to_owned(), "application/json".to_owned())];
    let init = FetchInit {
        method: "POST",
        headers: &headers,
        mode: RequestMode::Cors,
        credentials: RequestCredentials::Omit,
        body: Some(&body),
        ..FetchInit::default()
    };
    match fetch(&format!("{SERVER}/probe"), &init).await {
        FetchOutcome::Resolved { status, body, .. } => read_answer(check, status, &body),
        FetchOutcome::Rejected { error } | FetchOutcome::Refused { error } => Err(format!(
            "cannot reach the companion server's /probe at {SERVER} ({error}): is it running, and does its --page-origin list name this page's origin?"
        )),
    }
}

/// The preflight `browser` sends first for `check`, if any: the engine's
/// first question, asked before any answer is known.
pub fn preflight_of(check: &CheckRequest, browser: Browser) -> Option<PreflightRequest> {
    // Traced, as everywhere in the page: one copy of the engine in the wasm.
    match judge(check, browser, &[], true).need {
        Some(Need::Preflight(preflight)) => Some(preflight),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use corslab::fetch::wire::{WireKind, WireResponse};
    use corslab::{CredentialsMode, RequestMode};
    use serde_json::Value;

    use super::*;

    const APP: &str = "http://localhost:3000";

    fn put(url: &str) -> FetchCall {
        FetchCall {
            url: url.to_owned(),
            method: "PUT".to_owned(),
            headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            body: Some("{}".to_owned()),
        }
    }

    /// What the server's `/probe` answers for `check` when the target
    /// answers the preflight and the request with `acao` (natively, the
    /// wire requests built as the server builds them).
    fn report(check: &CheckRequest, acao: Option<&str>) -> String {
        let mut browsers = PerBrowser::new();
        for browser in Browser::ALL {
            let mut exchanges = Vec::new();
            while let Some(need) = judge(check, browser, &exchanges, false).need {
                let request = need.to_wire(check, browser.profile());
                let mut headers: Vec<(String, String)> = acao.map(|a| ("access-control-allow-origin".to_owned(), a.to_owned())).into_iter().collect();
                let status = if request.kind == WireKind::Preflight {
                    headers.push(("access-control-allow-methods".to_owned(), "PUT".to_owned()));
                    headers.push(("access-control-allow-headers".to_owned(), "content-type".to_owned()));
                    204
                } else {
                    200
                };
                exchanges.push(Exchange { request, response: WireResponse { status, headers, body_bytes: 2, remote_addr: None } });
            }
            let judgement = judge(check, browser, &exchanges, false);
            browsers.insert(browser, BrowserCheck::new(check, &judgement, exchanges));
        }
        serde_json::to_string(&CheckReport::new(check, browsers, None)).expect("JSON")
    }

    #[test]
    fn the_page_judges_the_servers_exchanges_as_the_server_did() {
        let check = check_request(&put("https://api.example.com/items/1"), APP, None).expect("a check");
        let blocked = read_answer(&check, 200, &report(&check, Some("http://localhost:5050"))).expect("a report");
        assert!(!blocked.report.passed);
        assert!(blocked.disagreements.is_empty(), "{:?}", blocked.disagreements);
        assert_eq!(blocked.judged.len(), Browser::ALL.len());
        let chrome = blocked.judged(Browser::Chrome).expect("chrome");
        assert_eq!(chrome.decision.report.as_ref().map(|r| r.chromium.name), Some("PreflightAllowOriginMismatch"));
        assert!(chrome.steps.iter().any(|s| s.id == "preflight.allow-origin"), "{:?}", chrome.steps.iter().map(|s| s.id).collect::<Vec<_>>());
        let changes: Vec<String> = blocked.report.fix.changes.iter().map(|c| c.describe()).collect();
        assert!(changes.iter().any(|c| c.contains("`Access-Control-Allow-Origin: http://localhost:3000`")), "{changes:?}");
        let passing = read_answer(&check, 200, &report(&check, Some(APP))).expect("a report");
        assert!(passing.report.passed && passing.report.fix.is_empty());
    }

    #[test]
    fn a_refusal_is_one_sentence_with_its_status() {
        let check = check_request(&put("http://localhost:8081/x"), APP, None).expect("a check");
        let refused = read_answer(&check, 403, r#"{"error":"/probe answers only the explainer's pages"}"#);
        assert_eq!(refused.err().as_deref(), Some("/probe answers only the explainer's pages (HTTP 403)"));
        let busy = read_answer(&check, 429, "busy");
        assert_eq!(busy.err().as_deref(), Some("the companion server answered HTTP 429, without saying why"));
        assert!(read_answer(&check, 200, r#"{"format":"other"}"#).is_err());
        assert!(read_answer(&check, 200, r#"{"format":"cors-check/1","browsers":{}}"#).is_err());
    }

    #[test]
    fn the_request_is_what_probe_reads() {
        let check = check_request(&put("HTTP://LOCALHOST:3001/a b"), "null", Some("http://localhost:5050/".to_owned())).expect("a check");
        assert_eq!(check.call.url, "http://localhost:3001/a%20b");
        let json: Value = serde_json::from_str(&request_json(&check)).expect("JSON");
        assert_eq!(json["origin"], "null");
        assert_eq!(json["mode"], "cors");
        assert_eq!(json["credentials"], "same-origin");
        assert_eq!(json["browsers"], serde_json::json!(Browser::ALL.map(Browser::as_str)));
        assert_eq!(json["browsers"][0], "chrome");
        assert_eq!(json["headers"], serde_json::json!([["Content-Type", "application/json"]]));
        for bad in ["ftp://example.com/", "/relative", ""] {
            assert!(check_request(&put(bad), APP, None).is_err(), "{bad}");
        }
        assert!(check_request(&put("http://localhost:3001/"), "http://localhost:3000/", None).is_err());
        let preflight = preflight_of(&check, Browser::Chrome).expect("a preflight");
        assert_eq!(preflight.access_control_request_method, "PUT");
    }
}
