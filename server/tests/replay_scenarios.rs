//! Every recorded scenario replayed through `/replay/`: the server answers
//! each preflight and actual request with exactly the scenario's status,
//! header lines (in order, repeated names as separate lines, placeholders
//! substituted, `Content-Length` added unless scripted) and body.
//!
//! Every header a recording holds is replayed (`Date`, `Server`, custom
//! names, `Set-Cookie` scoped to the run's path), so nothing is left out.

// Tests may unwrap and panic: a failure is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::path::PathBuf;

use common::send;
use corslab::Method;
use corslab::formats::replay::{ReplaySpec, scope_cookie};
use corslab::formats::scenario::{Scenario, ScenarioFile};
use corslab_server::{Config, app};

/// Where the replay is reached in these tests.
const SERVER: &str = "http://localhost:8080";

fn scenario_files() -> Vec<(PathBuf, ScenarioFile)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../crates/core/testdata/scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "no scenario files in {}", dir.display());
    paths
        .into_iter()
        .map(|p| {
            let file = ScenarioFile::parse(&std::fs::read_to_string(&p).unwrap()).unwrap();
            (p, file)
        })
        .collect()
}

/// The headers a browser sends with the scenario's request, as far as
/// the replay cares: `Origin`, and for a preflight the request's method.
fn request_method(scenario: &Scenario) -> String {
    Method::parse(&scenario.request.method)
        .map(|m| m.as_str().to_owned())
        .unwrap_or_else(|_| scenario.request.method.clone())
}

#[tokio::test]
async fn every_scenario_replays_exactly() {
    let app = app(Config::default());
    let mut replayed = 0;
    for (path, file) in scenario_files() {
        for scenario in &file.scenarios {
            // Hops, iframes, browser environments (cors-scenarios/2) are not
            // replayed yet: one URL's answers to the top-level page are.
            if scenario.not_replayable().is_some() {
                continue;
            }
            let page = scenario.page_origin();
            let (spec, left_out) = ReplaySpec::from_scenario(scenario, page);
            let run = format!("s{replayed}");
            let uri = spec.path_and_query(&run);
            let url = format!("{SERVER}{uri}");
            // What the scenario says the server answers, with the replayable
            // headers only: the engine's own reading of the scenario.
            let mut replayable = scenario.clone();
            replayable.preflight_response = spec.preflight.clone();
            replayable.response = spec.response.clone();
            let expected = replayable.prepare_at(page, &url).unwrap_or_else(|e| panic!("{}: {e}", scenario.id));
            let method = request_method(scenario);
            for (label, request_method, headers, want) in [
                (
                    "preflight",
                    "OPTIONS",
                    vec![("host", "localhost:8080"), ("origin", page), ("access-control-request-method", method.as_str())],
                    &expected.responder.preflight,
                ),
                ("request", method.as_str(), vec![("host", "localhost:8080"), ("origin", page)], &expected.responder.response),
            ] {
                let got = send(&app, request_method, &uri, &headers).await;
                let context = format!("{} ({}) {label}", scenario.id, path.display());
                assert_eq!(got.status.as_u16(), want.status, "{context}: {}", got.body);
                // A scripted cookie goes out scoped to the run's path.
                let path = uri.split('?').next().unwrap_or_default();
                let want_lines: Vec<(String, String)> = want
                    .headers
                    .iter()
                    .map(|(n, v)| {
                        let v = if n.as_str() == "set-cookie" { scope_cookie(v, path) } else { v.to_owned() };
                        (n.as_str().to_owned(), v)
                    })
                    .collect();
                assert_eq!(got.lines(), want_lines, "{context}");
                let want_body = if request_method == "HEAD" { "" } else { want.body.as_deref().unwrap_or("") };
                assert_eq!(got.body, want_body, "{context}");
            }
            assert!(left_out.is_empty(), "{}: {left_out:?}", scenario.id);
            replayed += 1;
        }
    }
    assert!(replayed >= 112, "{replayed} scenarios replayed");
}
