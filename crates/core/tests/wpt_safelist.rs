//! WPT's CORS-safelisted request-header vectors: whether a header on a
//! cross-origin `fetch()` needs a preflight, under the standard's profile.
//!
//! As in rust-url's WPT runner, vectors the standard as copied here
//! (`../shared/reference/fetch.bs`) disagrees with are listed in
//! `EXPECTED_FAILURES` with the reason, and an *unexpected pass* fails the
//! test too, so the list never goes stale.

use corslab::fetch::classify::classify;
use corslab::trace::NoTrace;
use corslab::{Browser, CredentialsMode, FetchCall, FetchRequest, Origin, RequestMode};
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// (header, value, why the standard says otherwise than the vector).
const EXPECTED_FAILURES: &[(&str, &str, &str)] = &[(
    "last-event-id",
    "abc123",
    "the vector predates the removal of Last-Event-ID from the CORS safelist; fetch.bs no longer lists it (Chromium does not either)",
)];

/// Whether `fetch(url, {method, headers: [[name, value]], body})` from
/// another origin needs a preflight under the standard's profile.
fn needs_preflight(method: &str, name: &str, value: &str, body: Option<&str>) -> bool {
    let call = FetchCall {
        url: "http://api.test/resource".to_owned(),
        method: method.to_owned(),
        headers: vec![(name.to_owned(), value.to_owned())],
        mode: RequestMode::Cors,
        credentials: CredentialsMode::SameOrigin,
        body: body.map(str::to_owned),
    };
    let page = Origin::parse("http://page.test").expect("origin");
    let profile = Browser::Spec.profile();
    let request = FetchRequest::build(&call, &page, profile, &mut NoTrace).expect("fetch() accepts the request");
    classify(&request, profile, &mut NoTrace).needs_preflight()
}

#[wasm_bindgen_test(unsupported = test)]
fn wpt_cors_safelisted_request_header() {
    let data: Value = serde_json::from_str(include_str!("../testdata/wpt/cors-safelisted-request-header.json"))
        .expect("valid JSON");
    let cases = data["cases"].as_array().expect("cases");
    let mut failures = Vec::new();
    let mut expected_failures_seen = Vec::new();
    for case in cases {
        let name = case["header"].as_str().expect("header");
        let value = case["value"].as_str().expect("value");
        let expected = case["preflight"].as_bool().expect("preflight");
        let got = needs_preflight("POST", name, value, Some("data"));
        let listed = EXPECTED_FAILURES.iter().find(|(n, v, _)| *n == name && *v == value);
        match (got == expected, listed) {
            (true, None) => {}
            (false, Some(_)) => expected_failures_seen.push((name, value)),
            (true, Some((_, _, why))) => failures.push(format!("{name}: {value:?} passes now, remove it from EXPECTED_FAILURES ({why})")),
            (false, None) => failures.push(format!("{name}: {value:?}: expected preflight={expected}, got {got}")),
        }
    }
    assert!(cases.len() > 40, "only {} cases", cases.len());
    assert_eq!(expected_failures_seen.len(), EXPECTED_FAILURES.len(), "an expected failure is no longer in the data");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn wpt_not_cors_safelisted() {
    let data: Value =
        serde_json::from_str(include_str!("../testdata/wpt/not-cors-safelisted.json")).expect("valid JSON");
    let cases = data["cases"].as_array().expect("cases");
    assert!(cases.len() > 10);
    for case in cases {
        let name = case[0].as_str().expect("name");
        let value = case[1].as_str().expect("value");
        // The WPT test sends these on a GET; a body would add its own Content-Type.
        assert!(needs_preflight("GET", name, value, None), "{name}: {value:?} must need a preflight");
    }
}
