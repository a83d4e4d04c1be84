//! Every scenario of every file under `testdata/scenarios/` is predicted
//! exactly, field for field, for every browser it has expectations for:
//! the v1 fields, and in a `cors-scenarios/2` file `redirected`, `url`,
//! `net_error` and `served` too. The recordings are ground truth: a mismatch
//! is the engine's bug.

use corslab::Browser;
use corslab::formats::scenario::{ScenarioFile, predict};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

include!(concat!(env!("OUT_DIR"), "/scenario_files.rs"));

#[wasm_bindgen_test(unsupported = test)]
fn every_recorded_scenario_is_predicted_exactly() {
    assert!(!SCENARIO_FILES.is_empty(), "no scenario files found under testdata/scenarios/");
    let mut checked = 0;
    let mut failures = Vec::new();
    // (file, browser) -> (agreeing, checked)
    let mut tally: std::collections::BTreeMap<(&str, String), (usize, usize)> = std::collections::BTreeMap::new();
    for (file_name, json) in SCENARIO_FILES {
        let file = ScenarioFile::parse(json).unwrap_or_else(|e| panic!("{file_name}: {e}"));
        for scenario in &file.scenarios {
            for (browser_name, expected) in &scenario.expect {
                let Ok(browser) = browser_name.parse::<Browser>() else {
                    failures.push(format!("{file_name} {}: unknown browser {browser_name:?}", scenario.id));
                    continue;
                };
                let prediction = predict(scenario, browser);
                // `{origin}`, `{top_origin}`, `{url}`, `{hopN}` (v1 files have the first and the third).
                let expected = expected.substituted_in(&scenario.placeholders());
                let before = failures.len();
                // A v2 recording's four fields must be predicted, not skipped.
                for field in expected.v2_fields_missing_in(&prediction.expect) {
                    failures.push(format!("{file_name} {} [{browser_name}] {field}: recorded, not predicted", scenario.id));
                }
                for (field, want, got) in expected.differences(&prediction.expect) {
                    failures.push(format!(
                        "{file_name} {} [{browser_name}] {field}: recorded {want}, predicted {got}{}",
                        scenario.id,
                        prediction.reason.as_ref().map(|r| format!(" ({r})")).unwrap_or_default()
                    ));
                }
                let entry = tally.entry((file_name, browser_name.clone())).or_default();
                entry.0 += usize::from(failures.len() == before);
                entry.1 += 1;
                checked += 1;
            }
        }
    }
    for ((file_name, browser), (agree, of)) in &tally {
        println!("{file_name} [{browser}]: {agree}/{of} predicted exactly");
    }
    assert!(checked >= 200, "expected at least 200 (scenario, browser) pairs, checked {checked}");
    assert!(failures.is_empty(), "{} mismatches over {checked} predictions:\n{}", failures.len(), failures.join("\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn a_malformed_scenario_gets_an_unknown_result_and_the_rest_are_predicted() {
    let json = r#"{"format":"cors-scenarios/1","scenarios":[
      {"id":"navigate","request":{"method":"GET","path":"/","mode":"navigate"},"response":{"status":200,"headers":[]}},
      {"request":{"method":"GET","path":"/"},"response":{"status":99999}},
      {"id":"ok","request":{"method":"GET","path":"/"},"response":{"status":200,"headers":[["Access-Control-Allow-Origin","*"]]}}
    ]}"#;
    let predictions = corslab::formats::scenario::predict_json(json, Browser::Chrome).expect("a scenario file");
    let summary: Vec<(&str, &str, bool)> = predictions
        .results
        .iter()
        .map(|p| (p.id.as_str(), p.expect.outcome.as_str(), p.reason.is_some()))
        .collect();
    assert_eq!(summary, [("navigate", "unknown", true), ("#2", "unknown", true), ("ok", "ok", false)]);
    assert!(corslab::formats::scenario::predict_json("{}", Browser::Chrome).is_err());
    assert!(corslab::formats::scenario::predict_json("not json", Browser::Chrome).is_err());
}
