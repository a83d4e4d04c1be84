//! The page's floor: what the page's wasm would weigh if its user interface
//! weighed nothing.
//!
//! Each export calls the core as the page does (crates/explainer): a whole
//! traced decision for each recorded scenario, the nearest simple request
//! and the replay's query; a HAR read from the browser's `JSON.parse`; a
//! pasted console line explained, a copied cURL or fetch() call read; a
//! request decided against a composed policy; a probe's exchanges judged for each browser; the
//! narrowest policy for a request. Nothing is rendered: each result is
//! handed to `std::hint::black_box`, so it is computed in full and no code
//! that would show it is linked. With `--features to-js` each result goes to
//! JavaScript through serde-wasm-bindgen instead, what a page whose interface
//! were written in JavaScript would need.
//!
//! It calls less than the page does (the page also composes requests,
//! compares expectations, reads its state from the URL), so its weight is a
//! lower bound for the core's part of the page. `make size` prints it
//! beside the page's.

use corslab::browsers::console::parse_console_line;
use corslab::diagnosis::check::{BrowserCheck, CheckRequest, Exchange, judge};
use corslab::diagnosis::console::explain;
use corslab::fetch::simplify::nearest_simple_request;
use corslab::fix::Needs;
use corslab::formats::curl::CopiedRequest;
use corslab::formats::fetch_copy::parse_fetch_copy;
use corslab::formats::har::{HarEntry, HarLogInfo, HarOptions, read_parsed_report};
use corslab::formats::pasted::pasted_kind;
use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{ScenarioFile, prediction_of, run, run_against};
use corslab::policy::CorsPolicy;
use corslab::trace::NoTrace;
use corslab::{Browser, CredentialsMode, FetchCall, FetchRequest, Origin, RequestMode};
use wasm_bindgen::prelude::*;

/// A result kept whole and never shown.
#[cfg(not(feature = "to-js"))]
fn keep<T: serde::Serialize>(value: &T) {
    std::hint::black_box(value);
}

/// A result handed to JavaScript.
#[cfg(feature = "to-js")]
fn keep<T: serde::Serialize>(value: &T) {
    std::hint::black_box(serde_wasm_bindgen::to_value(value).ok());
}

fn browser(index: u32) -> Browser {
    Browser::ALL[index as usize % Browser::ALL.len()]
}

fn json<T: serde::de::DeserializeOwned>(text: &str) -> Option<T> {
    serde_wasm_bindgen::from_value(js_sys::JSON::parse(text).ok()?).ok()
}

fn put(url: &str) -> FetchCall {
    FetchCall {
        url: url.to_owned(),
        method: "PUT".to_owned(),
        headers: vec![("Content-Type".to_owned(), "application/json".to_owned())],
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        body: None,
    }
}

/// Each scenario of a recorded file: its traced run, its prediction, the
/// replay's query and the nearest simple request.
#[wasm_bindgen]
pub fn predict(file: &str, page: &str, browser_index: u32) {
    let Some(file) = json::<ScenarioFile>(file).and_then(|file| file.checked().ok()) else { return };
    let Ok(origin) = Origin::parse(page) else { return };
    let browser = browser(browser_index);
    for scenario in &file.scenarios {
        let Ok(url) = scenario.url() else { continue };
        let Ok(prepared) = scenario.prepare_at(page, &url) else { continue };
        let run = run(&prepared, browser, true);
        if let Some(decision) = run.last() {
            keep(decision);
            keep(&prediction_of(&scenario.id, decision));
        }
        keep(&ReplaySpec::from_scenario(scenario, page).0.to_query());
        keep(&nearest_simple_request(&put(&url), &origin, browser.profile()));
    }
}

/// A HAR's report (its log's entries as `JSON.parse` reads them).
#[wasm_bindgen]
pub fn har(entries: &str, browser_index: u32) {
    let entries: Vec<HarEntry> = json(entries).unwrap_or_default();
    let options = HarOptions { browsers: vec![browser(browser_index)], scenarios: true };
    keep(&read_parsed_report(&HarLogInfo::default(), entries, &options));
}

/// A pasted console line, cURL command or fetch() call.
#[wasm_bindgen]
pub fn pasted(text: &str) {
    keep(&(pasted_kind(text) as u8));
    match parse_console_line(text) {
        Ok(parsed) => keep(&explain(&parsed)),
        Err(e) => keep(&e.to_string()),
    }
    match CopiedRequest::parse(text) {
        Ok(copied) => keep(&copied.fetch_call()),
        Err(e) => keep(&e.to_string()),
    }
    match parse_fetch_copy(text) {
        Ok(copied) => keep(&copied.fetch_call()),
        Err(e) => keep(&e.to_string()),
    }
}

/// A request decided against a composed policy, as the page predicts it.
#[wasm_bindgen]
pub fn policy(query: &str, url: &str, page: &str, browser_index: u32) {
    let Ok(origin) = Origin::parse(page) else { return };
    match CorsPolicy::from_query(query) {
        Ok(policy) => keep(&run_against(&put(url), &origin, &policy, 1, browser(browser_index), true).last()),
        Err(e) => keep(&e.to_string()),
    }
}

/// The probe's exchanges (the companion server's, as JSON) judged for each
/// browser.
#[wasm_bindgen]
pub fn check(url: &str, page: &str, exchanges: &str) {
    let Ok(page) = Origin::parse(page) else { return };
    let check = CheckRequest { call: put(url), page, cookies: None, page_url: None };
    let exchanges: Vec<Exchange> = json(exchanges).unwrap_or_default();
    for browser in Browser::ALL {
        keep(&judge(&check, browser, &exchanges, false).need.is_some());
        let judgement = judge(&check, browser, &exchanges, true);
        keep(&BrowserCheck::new(&check, &judgement, exchanges.clone()));
    }
}

/// The narrowest policy that lets a request through.
#[wasm_bindgen]
pub fn fix(url: &str, page: &str, browser_index: u32) {
    let profile = browser(browser_index).profile();
    let Ok(page) = Origin::parse(page) else { return };
    let Ok(request) = FetchRequest::build(&put(url), &page, profile, &mut NoTrace) else { return };
    if let Some(needs) = Needs::of(&request, profile) {
        keep(&needs.policy());
    }
}
