//! WPT's "parse a MIME type" vectors (`mimesniff/mime-types/resources/*.json`):
//! each input parses to exactly the expected serialization, or fails.
//! Content-Type safelisting depends on this parser.

use corslab::http::mime::parse_mime_type;
use serde_json::Value;
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn check(file: &str, json: &str) -> usize {
    let records: Vec<Value> = serde_json::from_str(json).expect("valid JSON");
    let mut failures = Vec::new();
    let mut checked = 0;
    for record in records.iter().filter_map(Value::as_object) {
        let input = record["input"].as_str().expect("input");
        let expected = record["output"].as_str();
        let got = parse_mime_type(input).map(|m| m.to_string());
        if got.as_deref() != expected {
            failures.push(format!("{input:?}: expected {expected:?}, got {got:?}"));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{file}: {} of {checked} failed:\n{}", failures.len(), failures.join("\n"));
    checked
}

#[wasm_bindgen_test(unsupported = test)]
fn wpt_mime_types() {
    let n = check("mime-types.json", include_str!("../testdata/wpt/mime-types.json"));
    assert!(n > 50, "only {n} vectors");
}

#[wasm_bindgen_test(unsupported = test)]
fn wpt_generated_mime_types() {
    let n = check("generated-mime-types.json", include_str!("../testdata/wpt/generated-mime-types.json"));
    assert!(n > 500, "only {n} vectors");
}
