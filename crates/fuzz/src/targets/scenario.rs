//! Scenario files (`cors-scenarios/1` and `/2`): `ScenarioFile::parse`,
//! then every scenario predicted for every browser (`predict_json`'s work)
//! and written as the predictions JSON, and each scenario's replay URL
//! (what `verify` asks the companion server for) read back.

use corslab::Browser;
use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{ScenarioFile, predict_file};

use crate::text;

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(file) = ScenarioFile::parse(&text) else { return };
    for browser in Browser::ALL {
        let predictions = predict_file(&file, browser);
        assert_eq!(predictions.results.len(), file.scenarios.len(), "one prediction per scenario");
        let _ = serde_json::to_string(&predictions);
    }
    for scenario in &file.scenarios {
        let (spec, _left_out) = ReplaySpec::from_scenario(scenario, scenario.page_origin());
        // A scenario may hold what a replay URL refuses (too long, a
        // header the server never sends): `verify` reports it.
        if let Ok(again) = ReplaySpec::parse_query(&spec.to_query()) {
            assert_eq!(again, spec, "a scenario's replay query reads back the same");
        }
    }
}
