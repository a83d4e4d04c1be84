//! Every crash the fuzzers found (`crates/fuzz`, `make fuzz`), as a test
//! that calls the core directly with the minimised input. The inputs are
//! also in `crates/fuzz/corpus/TARGET/crash-*`, run through their targets
//! by `make test`; `crates/fuzz/CAMPAIGN.md` lists them.

use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::ScenarioFile;

/// `scenario` target, 2026-12-03: a scripted header whose name holds a
/// colon (`Access-Co:ntrol-Allow-Origin`) went into the replay query as
/// `Name:value`, which reads back as another header (`Access-Co` with the
/// value `ntrol-Allow-Origin:{origin}`): `verify` would have replayed a
/// header the scenario does not have. Such a name is no header name, so
/// the replay leaves it out and says so.
#[test]
fn a_header_name_with_a_colon_is_left_out_of_the_replay() {
    let text = include_str!("../../fuzz/corpus/scenario/crash-header-name-with-colon");
    let file = ScenarioFile::parse(text).expect("the file reads");
    let scenario = &file.scenarios[0];
    let (spec, left_out) = ReplaySpec::from_scenario(scenario, scenario.page_origin());
    assert!(spec.response.headers.is_empty(), "{:?}", spec.response.headers);
    assert_eq!(left_out.len(), 1);
    assert_eq!(left_out[0].name, "Access-Co:ntrol-Allow-Origin");
    assert_eq!(ReplaySpec::parse_query(&spec.to_query()).expect("the query reads back"), spec);
}
