//! `ReplaySpec::parse_query`: the companion server's `/replay/{run}?…`
//! query, every safety rule applied. A query that reads writes back to a
//! query that reads back the same.

use corslab::formats::replay::{ReplayError, ReplaySpec};

use crate::text;

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let Ok(spec) = ReplaySpec::parse_query(&text) else { return };
    let query = spec.to_query();
    match ReplaySpec::parse_query(&query) {
        Ok(again) => assert_eq!(again, spec, "a replay query read back is the same"),
        // Written out, the same query may be longer (each byte escaped).
        Err(ReplayError::TooLong { .. }) => {}
        Err(e) => panic!("the query a replay spec writes does not read back: {e}"),
    }
    let _ = spec.path_and_query("run");
    for method in ["OPTIONS", "GET", "PUT"] {
        let _ = spec.answer(method, "http://api.test/replay/run?x");
    }
}
