//! Every record of WPT's `urltestdata.json` that names an `origin` must give
//! exactly that ASCII serialization through [`Origin::from_url`].
//!
//! The same test runs natively and, compiled to wasm, in headless Chromium.

use corslab::Origin;
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const URL_TEST_DATA: &str = include_str!("../testdata/wpt/urltestdata.json");

#[wasm_bindgen_test(unsupported = test)]
fn wpt_urltestdata_origins() {
    let records: Vec<Value> = serde_json::from_str(URL_TEST_DATA).expect("valid JSON");
    let mut checked = 0;
    let mut failures = Vec::new();
    for record in records.iter().filter_map(Value::as_object) {
        let Some(expected) = record.get("origin").and_then(Value::as_str) else { continue };
        let input = record["input"].as_str().expect("input is a string");
        let base = record.get("base").and_then(Value::as_str);
        let parsed = match base {
            Some(base) => url::Url::parse(base).and_then(|b| b.join(input)),
            None => url::Url::parse(input),
        };
        let got = match parsed {
            Ok(url) => Origin::from_url(&url).to_string(),
            Err(e) => format!("<parse error: {e}>"),
        };
        if got != expected {
            failures.push(format!("{input:?} (base {base:?}): expected {expected}, got {got}"));
        }
        checked += 1;
    }
    assert!(checked > 300, "expected the WPT file to hold over 300 origin records, saw {checked}");
    assert!(failures.is_empty(), "{} of {checked} failed:\n{}", failures.len(), failures.join("\n"));
}
