//! A HAR file in the page ("Save all as HAR"), read with the File API:
//! nothing is uploaded. The core's HAR analysis judges it, the same one
//! `corslab har` streams files through; the page lists its cross-origin
//! requests, and the one picked becomes the composition, with the answers
//! the HAR holds as the scripted server.
//!
//! The browser's `JSON.parse` reads the file, and serde-wasm-bindgen each
//! entry into the core's `HarEntry` ([`read_parsed_report`]): the page
//! carries no JSON parser of its own (the core's streaming reader is for
//! files of any size, which the File API cannot hand over anyway). Natively
//! (the unit tests) the core's streaming reader reads the text.

use std::cell::RefCell;
use std::fmt::Write as _;

use corslab::Browser;
use corslab::formats::har::{HarOptions, HarReport};

use crate::state::Composition;
use crate::view::esc;

/// The largest HAR the page reads, in bytes: the File API hands a file over
/// whole, so a bigger one is refused before it is read (`corslab har`
/// streams any size).
pub const MAX_HAR_BYTES: f64 = 50.0 * 1024.0 * 1024.0;

thread_local! {
    /// The last HAR's report, for picking its requests.
    static LAST: RefCell<Option<HarReport>> = const { RefCell::new(None) };
}

fn options(browser: Browser) -> HarOptions {
    HarOptions { browsers: vec![browser], scenarios: true }
}

/// Judges a HAR's text for `browser` (the browser's `JSON.parse` reads it):
/// the report is kept for [`pick`]; the list to pick from, as HTML.
#[cfg(target_arch = "wasm32")]
pub fn read_js(text: &wasm_bindgen::JsValue, browser: Browser) -> String {
    show(parsed(text, &options(browser)), browser)
}

/// Judges a HAR's text for `browser` (the core's streaming reader reads
/// it): the report is kept for [`pick`]; the list to pick from, as HTML.
#[cfg(not(target_arch = "wasm32"))]
pub fn read_text(text: &str, browser: Browser) -> String {
    show(corslab::formats::har::read_report(text.as_bytes(), &options(browser)), browser)
}

/// The HAR as the browser's `JSON.parse` reads it: the log's members as
/// the core's reader takes them, then each entry (one that is not
/// HAR-shaped counts, as nothing).
#[cfg(target_arch = "wasm32")]
fn parsed(text: &wasm_bindgen::JsValue, options: &HarOptions) -> HarReport {
    use corslab::formats::har::{HarEntry, HarError, HarLogInfo, MAX_PAGES, read_parsed_report};
    use js_sys::{Array, Function, Reflect};
    use wasm_bindgen::{JsCast, JsValue};

    let get = |object: &JsValue, key: &str| Reflect::get(object, &JsValue::from_str(key)).unwrap_or(JsValue::UNDEFINED);
    // JSON.parse called on the JavaScript string: the file's text is never
    // copied into the wasm's memory.
    let json = get(&js_sys::global(), "JSON");
    let Some(parse) = get(&json, "parse").dyn_into::<Function>().ok() else {
        return HarReport::unread("this browser has no JSON.parse".to_owned());
    };
    let value = match parse.call1(&json, text) {
        Ok(value) => value,
        Err(e) => return HarReport::unread(format!("not JSON: {}", crate::net::describe_error(&e))),
    };
    // (`log` of anything but an object, `null` included, reads as undefined.)
    let log = get(&value, "log");
    if !log.is_object() {
        return HarReport::unread(HarError::NO_LOG.to_string());
    }
    let entries = get(&log, "entries");
    if entries.is_undefined() {
        return HarReport::unread(HarError::NO_ENTRIES.to_string());
    }
    let Some(entries) = entries.dyn_ref::<Array>() else {
        return HarReport::unread(HarError::ENTRIES_NOT_A_LIST.to_string());
    };
    let pages = get(&log, "pages");
    let info = HarLogInfo {
        version: get(&log, "version").as_string().unwrap_or_default(),
        creator: serde_wasm_bindgen::from_value(get(&log, "creator")).unwrap_or_default(),
        browser: serde_wasm_bindgen::from_value(get(&log, "browser")).ok(),
        pages: pages.dyn_ref::<Array>().map_or_else(Vec::new, |pages| {
            pages.iter().take(MAX_PAGES).map(|page| serde_wasm_bindgen::from_value(page).unwrap_or_default()).collect()
        }),
    };
    let entries = entries.iter().map(|entry| serde_wasm_bindgen::from_value::<HarEntry>(entry).unwrap_or_else(HarEntry::not_har_shaped));
    read_parsed_report(&info, entries, options)
}

/// The report kept, and its summary and list of requests as HTML.
fn show(report: HarReport, browser: Browser) -> String {
    let mut html = String::new();
    if let Some(error) = &report.error {
        let _ = write!(html, "<p class=\"banner fail\" data-role=\"import-har-error\">This HAR could not be read whole: {}</p>", esc(error));
    }
    let s = &report.summary;
    let _ = write!(
        html,
        "<p data-role=\"import-har-summary\">{} entries: {} fetch or XHR requests, {} of them cross-origin, {} preflighted, {} blocked (written by {}).</p>",
        s.entries, s.requests, s.cross_origin, s.preflighted, s.blocked, report.source.exporter,
    );
    if report.requests.is_empty() {
        html.push_str("<p class=\"hint\">No cross-origin fetch or XHR in it: nothing for CORS to decide.</p>");
    } else {
        html.push_str("<label for=\"import-har-select\">Its cross-origin requests</label><select id=\"import-har-select\"><option value=\"\">Pick a request…</option>");
        for (i, request) in report.requests.iter().enumerate() {
            let verdict = request.browsers.get(&browser).map_or("unknown", |v| {
                if v.passed { "passes" } else { v.expect.cors_error.as_deref().unwrap_or(v.expect.outcome.as_str()) }
            });
            let _ = write!(html, "<option value=\"{i}\">{}. {} {} — {}</option>", i + 1, esc(&request.method), esc(&request.url), esc(verdict));
        }
        html.push_str("</select><div id=\"import-har-request\"></div>");
    }
    LAST.with(|last| *last.borrow_mut() = Some(report));
    html
}

/// The last HAR's request at `index`: what the report says of it, as HTML,
/// and its composition when the HAR holds its answers.
pub fn pick(index: usize, browser: Browser) -> Option<(Option<Composition>, String)> {
    LAST.with(|last| {
        let last = last.borrow();
        let request = last.as_ref()?.requests.get(index)?;
        let mut html = String::new();
        if let Some(verdict) = request.browsers.get(&browser) {
            let said = match (&verdict.expect.console, verdict.passed) {
                (_, true) => "The page got what it asked for.",
                (Some(console), false) => console.as_str(),
                (None, false) => verdict.reason.as_deref().unwrap_or(verdict.expect.outcome.as_str()),
            };
            let class = if verdict.passed { "pass" } else { "fail" };
            let _ = write!(html, "<p class=\"banner {class}\" data-role=\"import-har-verdict\">{}</p>", esc(said));
            if !verdict.fix.is_empty() {
                html.push_str("<ul data-role=\"import-har-fix\">");
                for change in &verdict.fix.changes {
                    let _ = write!(html, "<li>{}</li>", esc(&change.describe()));
                }
                if let Some(why) = &verdict.fix.not_on_the_server {
                    let _ = write!(html, "<li>{}</li>", esc(why));
                }
                html.push_str("</ul>");
            }
        }
        for note in request.missing.iter().chain(&request.notes) {
            let _ = write!(html, "<p class=\"note\">{}</p>", esc(note));
        }
        let composition = request.scenario.as_ref().map(|scenario| {
            let mut c = Composition::from_scenario(scenario, browser);
            c.id = format!("har-{}", index + 1);
            c
        });
        if composition.is_some() {
            html.push_str("<p class=\"hint\">Loaded below with the HAR's answers as the scripted server: the prediction runs at this page's origin; edit it and send it for real.</p>");
        }
        Some((composition, html))
    })
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use crate::state::ServerSetup;

    #[test]
    fn a_har_lists_its_cross_origin_requests_and_loads_one() {
        let har = r#"{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
          "pages": [{"id": "page_1", "title": "http://localhost:5050/"}],
          "entries": [{"startedDateTime": "2026-01-01T00:00:00.000Z", "_resourceType": "fetch",
            "request": {"method": "GET", "url": "http://localhost:8080/data", "headers": [
              {"name": "Origin", "value": "http://localhost:5050"}, {"name": "Sec-Fetch-Mode", "value": "cors"}]},
            "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "text/plain"}],
              "content": {"size": 2, "mimeType": "text/plain"}, "_error": "net::ERR_FAILED"}}]}}"#;
        let html = read_text(har, Browser::Chrome);
        assert!(html.contains("1 of them cross-origin") && html.contains("1 blocked"), "{html}");
        assert!(html.contains("MissingAllowOriginHeader"), "{html}");
        let (composition, html) = pick(0, Browser::Chrome).expect("the first request");
        assert!(html.contains("No &#39;Access-Control-Allow-Origin&#39; header"), "{html}");
        assert!(html.contains("data-role=\"import-har-fix\""), "{html}");
        let c = composition.expect("a composition");
        assert_eq!((c.id.as_str(), c.request.path.as_str()), ("har-1", "/data"));
        assert!(matches!(c.server, ServerSetup::Scripted { .. }));
        assert!(pick(1, Browser::Chrome).is_none());
        let broken = read_text("{\"log\": {", Browser::Chrome);
        assert!(broken.contains("import-har-error"), "{broken}");
        assert!(pick(0, Browser::Chrome).is_none(), "a new file replaces the last one");
    }
}
