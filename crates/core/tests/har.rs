//! The committed HARs of `testdata/har/` (see the README there: recorded
//! from headless Chromium through playwright-core's `recordHar` and through
//! the DevTools protocol in the shape DevTools exports, and one in Firefox's
//! shape) read back: each request's report equals what the browser really
//! did, the recorded scenario's `expect`, for every field the HAR can tell;
//! what it cannot tell is reported as missing, never guessed.

// Helpers outside the #[test] functions panic too, with the input that failed.
#![allow(clippy::panic)]

use corslab::Browser;
use corslab::formats::har::{HarOptions, HarReport, HarRequestReport, read_report};
use corslab::formats::scenario::{Expectation, ScenarioFile};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const RECORDED: &str = include_str!("../testdata/scenarios/recorded.json");
const DEVTOOLS: &str = include_str!("../testdata/har/chromium-devtools.har");
const PLAYWRIGHT: &str = include_str!("../testdata/har/chromium-playwright.har");
const FIREFOX: &str = include_str!("../testdata/har/firefox-shape.har");

fn report(har: &str, browser: Browser) -> HarReport {
    let report = read_report(har.as_bytes(), &HarOptions { browsers: vec![browser], scenarios: false });
    assert_eq!(report.error, None);
    report
}

/// The scenario id a request replays (its replay URL's `id`).
fn scenario_id(request: &HarRequestReport) -> String {
    url::Url::parse(&request.url)
        .ok()
        .and_then(|u| u.query_pairs().find(|(k, _)| k == "id").map(|(_, v)| v.into_owned()))
        .unwrap_or_else(|| panic!("{} is not a replay URL", request.url))
}

/// What `browser` really did for the request's scenario, at the HAR's origin and URL.
fn expected(request: &HarRequestReport, browser: Browser) -> Expectation {
    let file = ScenarioFile::parse(RECORDED).unwrap_or_else(|e| panic!("{e}"));
    let id = scenario_id(request);
    let scenario = file.scenarios.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("no scenario {id}"));
    scenario.expect.get(browser.as_str()).expect("a recorded expectation for each browser").substituted(&request.page_origin, &request.url)
}

fn differences(request: &HarRequestReport, browser: Browser) -> Vec<String> {
    let got = &request.browsers.get(&browser).expect("a verdict for each browser judged").expect;
    expected(request, browser)
        .differences(got)
        .into_iter()
        .map(|(field, want, got)| format!("{}: {field}: recorded {want}, reported {got}", scenario_id(request)))
        .collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn devtools_har_reports_what_chromium_did_field_for_field() {
    let report = report(DEVTOOLS, Browser::Chrome);
    assert_eq!(report.source.exporter, "chromium-devtools");
    assert_eq!(report.requests.len(), 18);
    let mut failures = Vec::new();
    for request in &report.requests {
        // Every preflight the browser sent is its own entry here.
        assert_eq!(request.preflight, expected(request, Browser::Chrome).preflight, "{}", scenario_id(request));
        failures.extend(differences(request, Browser::Chrome));
        let verdict = request.browsers.get(&Browser::Chrome).expect("a verdict for each browser judged");
        assert_eq!(verdict.basis, "answers", "{}", scenario_id(request));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The sanitized export dropped Authorization; the preflight named it.
    let auth = report.requests.iter().find(|r| scenario_id(r) == "authorization-preflight").map(|r| &r.missing);
    assert!(auth.is_some_and(|m| m.iter().any(|l| l.contains("authorization"))), "{auth:?}");
    let s = &report.summary;
    assert_eq!((s.entries, s.requests, s.cross_origin, s.preflighted, s.blocked), (30, 18, 18, 11, 9));
    assert_eq!(s.unpaired_preflights, 0);
}

#[wasm_bindgen_test(unsupported = test)]
fn playwright_har_reports_what_it_holds_and_says_what_it_cannot_know() {
    let report = report(PLAYWRIGHT, Browser::Chrome);
    assert_eq!(report.source.exporter, "playwright");
    assert_eq!(report.source.guess, Some(Browser::Chrome));
    assert_eq!(report.requests.len(), 18);
    let mut failures = Vec::new();
    let mut blocked = 0;
    for request in &report.requests {
        let id = scenario_id(request);
        let want = expected(request, Browser::Chrome);
        let verdict = request.browsers.get(&Browser::Chrome).expect("a verdict for each browser judged");
        assert!(!request.preflight, "{id}: Playwright keeps no preflight entries");
        if request.recorded.error.is_none() {
            // Answered: every field, the preflight inferred where one was sent.
            failures.extend(differences(request, Browser::Chrome));
            let basis = if want.preflight { "inferred-preflight" } else { "answers" };
            assert_eq!(verdict.basis, basis, "{id}");
        } else {
            // Blocked: Playwright kept no header of it. The outcome and
            // whether a preflight went are known; why is not.
            blocked += 1;
            assert_eq!(request.recorded.error.as_deref(), Some("net::ERR_FAILED"), "{id}");
            assert_eq!((verdict.expect.outcome.as_str(), verdict.basis), ("cors-error", "recorded-failure"), "{id}");
            assert_eq!(verdict.expect.outcome, want.outcome, "{id}");
            assert_eq!(verdict.expect.preflight, want.preflight, "{id}");
            assert_eq!((&verdict.expect.cors_error, &verdict.expect.console), (&None, &None), "{id}");
            assert!(
                request.missing.iter().any(|m| m.contains("holds no response headers") && m.contains("corslab check ")),
                "{id}: {:?}",
                request.missing
            );
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert_eq!(blocked, 9);
    assert_eq!(report.summary.blocked, 9);
}

#[wasm_bindgen_test(unsupported = test)]
fn firefox_shaped_har_reports_what_firefox_did_field_for_field() {
    let report = report(FIREFOX, Browser::Firefox);
    assert_eq!((report.source.exporter, report.source.guess), ("firefox-devtools", Some(Browser::Firefox)));
    assert_eq!(report.requests.len(), 6);
    let mut failures = Vec::new();
    for request in &report.requests {
        failures.extend(differences(request, Browser::Firefox));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    // The Cookie Firefox keeps says credentials "include".
    let cred = report.requests.iter().find(|r| scenario_id(r) == "cred-simple-acao-star");
    assert_eq!(cred.map(|r| r.request.credentials.as_str()), Some("include"));
    assert_eq!(report.summary.blocked, 3);
}

#[wasm_bindgen_test(unsupported = test)]
fn every_browser_is_judged_and_unknowns_say_why() {
    let report = read_report(PLAYWRIGHT.as_bytes(), &HarOptions::default());
    for request in &report.requests {
        assert_eq!(request.browsers.len(), Browser::ALL.len());
        for (browser, verdict) in &request.browsers {
            if verdict.expect.outcome == "unknown" {
                assert!(verdict.reason.is_some(), "{browser} {}", scenario_id(request));
            }
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn malformed_input_is_an_error_or_a_report_never_a_panic() {
    let cuts = [0, 1, 10, DEVTOOLS.len() / 3, DEVTOOLS.len() / 2, DEVTOOLS.len() - 2];
    for cut in cuts {
        let text = &DEVTOOLS.as_bytes()[..cut];
        let report = read_report(text, &HarOptions::default());
        assert!(report.error.is_some(), "cut at {cut} read as whole");
    }
    for text in ["", "null", "[]", "{}", r#"{"log": 1}"#, r#"{"log": {"entries": {}}}"#, r#"{"log": {"entries": [1, "x", null, {}]}}"#] {
        let report = read_report(text.as_bytes(), &HarOptions::default());
        assert!(report.requests.is_empty(), "{text}");
    }
    let odd = r#"{"log": {"entries": [{"request": {"method": "GET", "url": "http://a.test/", "headers": [{"name": "Origin", "value": "null"}]},
        "response": {"status": 302, "headers": [{"name": "Location", "value": "http://b.test/"}], "redirectURL": "http://b.test/"}, "_resourceType": "fetch"}]}}"#;
    let report = read_report(odd.as_bytes(), &HarOptions::default());
    assert_eq!(report.requests.len(), 1);
    assert!(report.requests[0].notes.iter().any(|n| n.contains("not modelled yet")), "{:?}", report.requests[0].notes);
}

/// A HAR as the page holds it: read whole by another JSON reader (here
/// serde_json; in the page the browser's `JSON.parse`), its log's members
/// and each entry deserialized on their own.
fn parsed_report(har: &str, options: &HarOptions) -> HarReport {
    use corslab::formats::har::{HarEntry, HarLogInfo, read_parsed_report};
    let json: serde_json::Value = serde_json::from_str(har).unwrap_or_else(|e| panic!("{e}"));
    let log = &json["log"];
    let info = HarLogInfo {
        version: log["version"].as_str().unwrap_or_default().to_owned(),
        creator: serde_json::from_value(log["creator"].clone()).unwrap_or_default(),
        browser: serde_json::from_value(log["browser"].clone()).ok(),
        pages: log["pages"].as_array().into_iter().flatten().map(|p| serde_json::from_value(p.clone()).unwrap_or_default()).collect(),
    };
    let entries = log["entries"].as_array().unwrap_or_else(|| panic!("no entries"));
    let entries = entries.iter().map(|e| serde_json::from_value::<HarEntry>(e.clone()).unwrap_or_else(HarEntry::not_har_shaped));
    read_parsed_report(&info, entries, options)
}

#[wasm_bindgen_test(unsupported = test)]
fn a_har_read_whole_by_another_json_reader_gives_the_streamed_report() {
    let options = HarOptions { browsers: Browser::ALL.to_vec(), scenarios: true };
    for har in [DEVTOOLS, PLAYWRIGHT, FIREFOX] {
        let streamed = read_report(har.as_bytes(), &options);
        let parsed = parsed_report(har, &options);
        assert!(!streamed.requests.is_empty());
        let as_json = |r: &HarReport| serde_json::to_value(r).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(as_json(&parsed), as_json(&streamed));
        let scenarios = |r: &HarReport| r.requests.iter().map(|q| q.scenario.clone()).collect::<Vec<_>>();
        assert_eq!(scenarios(&parsed), scenarios(&streamed));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn an_entry_read_whole_is_cut_to_the_streaming_readers_bounds() {
    let header = r#"{"name": "X-A", "value": "1"}"#;
    let headers = vec![header; 200].join(",");
    let long = "é".repeat(10_000);
    let har = format!(
        r#"{{"log": {{"version": "1.2", "creator": {{"name": "WebInspector", "version": 7}}, "entries": [
          {{"startedDateTime": "2026-01-01T00:00:00.000Z", "_resourceType": "fetch",
            "request": {{"method": "POST", "url": "http://b.test/{long}", "bodySize": "12", "headers": [{{"name": "Origin", "value": "http://a.test"}},
              {headers}], "postData": {{"mimeType": "text/plain", "text": "{body}"}}}},
            "response": {{"status": 200.0, "headers": [5, null, [], {{"name": "A", "value": true}}], "content": {{"size": 1e3}}}}}},
          {{"startedDateTime": "2026-01-01T00:00:01.000Z", "_resourceType": "fetch", "request": {{"method": "GET", "url": "http://b.test/",
            "headers": [{{"name": "Origin", "value": "http://a.test"}}]}}, "response": {{"status": "404", "headers": {{"not": "a list"}}}}}},
          {{"request": "not an object"}}
        ]}}}}"#,
        body = "x".repeat(100_000)
    );
    let options = HarOptions { browsers: vec![Browser::Chrome], scenarios: false };
    let streamed = read_report(har.as_bytes(), &options);
    let parsed = parsed_report(&har, &options);
    let as_json = |r: &HarReport| serde_json::to_value(r).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(as_json(&parsed), as_json(&streamed));
    assert_eq!((parsed.summary.entries, parsed.summary.malformed), (3, 1));
    let notes = &parsed.requests[0].notes;
    for cut in ["request.url (20014 bytes, 16384 kept)", "request.headers (201 items, 128 kept)", "request.postData.text (100000 bytes, 65536 kept)"] {
        assert!(notes.iter().any(|n| n.ends_with(cut)), "{cut} in {notes:?}");
    }
}
