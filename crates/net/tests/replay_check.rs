//! `check` against the companion server's replay of every recorded
//! single-request scenario: over real sockets, for each browser the
//! scenario records, `check` must come to exactly the recorded expectation.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::path::PathBuf;

use corslab::diagnosis::check::CheckRequest;
use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{Scenario, ScenarioFile};
use corslab::{Browser, FetchCall, Origin};
use corslab_net::{CheckOptions, Client, ClientOptions};

fn scenarios() -> Vec<Scenario> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../core/testdata/scenarios");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    paths.sort();
    paths
        .into_iter()
        .flat_map(|p| ScenarioFile::parse(&std::fs::read_to_string(&p).unwrap()).unwrap().scenarios)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_against_the_replay_agrees_with_every_recording() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(corslab_server::serve(listener, corslab_server::app(corslab_server::Config::default()), async {
        let _ = stopped.await;
    }));
    let server_origin = format!("http://localhost:{port}");
    let client = Client::new(&ClientOptions::default()).unwrap();
    let (mut checked, mut skipped) = (0, Vec::new());
    let mut failures = Vec::new();
    for (i, scenario) in scenarios().into_iter().enumerate() {
        // Only what the replay serves faithfully: one request, every header.
        let same_origin = scenario.is_same_origin();
        let page = if same_origin { server_origin.clone() } else { scenario.page_origin().to_owned() };
        let (spec, left_out) = ReplaySpec::from_scenario(&scenario, &page);
        // Nor hops, iframes, browser environments (cors-scenarios/2): the
        // replay serves one URL to the top-level page.
        if scenario.repeat() > 1 || !left_out.is_empty() || scenario.not_replayable().is_some() {
            skipped.push(scenario.id.clone());
            continue;
        }
        let url = url::Url::parse(&format!("{server_origin}{}", spec.path_and_query(&format!("c{i}")))).unwrap().to_string();
        let request = CheckRequest {
            call: FetchCall {
                url: url.clone(),
                method: scenario.request.method.clone(),
                headers: scenario.request.headers.clone(),
                mode: scenario.request.mode,
                credentials: scenario.request.credentials,
                body: scenario.request.body.clone(),
            },
            page: Origin::parse(&page).unwrap(),
            cookies: None,
            page_url: None,
        };
        let browsers: Vec<Browser> = scenario.expect.keys().map(|b| b.parse().unwrap()).collect();
        let run = corslab_net::check(&client, &request, &CheckOptions { browsers, audit: false })
            .await
            .unwrap_or_else(|e| panic!("{}: {e}", scenario.id));
        for (name, recorded) in &scenario.expect {
            let browser: Browser = name.parse().unwrap();
            let want = recorded.substituted(&page, &url);
            let got = &run.report.browsers.get(&browser).expect("a verdict for each browser judged").expect;
            for (field, w, g) in want.differences(got) {
                failures.push(format!("{} [{name}] {field}: recorded {w}, check says {g}", scenario.id));
            }
            checked += 1;
        }
    }
    let _ = stop.send(());
    let _ = server.await;
    assert!(failures.is_empty(), "{} disagreements:\n{}", failures.len(), failures.join("\n"));
    assert!(checked >= 190, "checked {checked} (skipped {skipped:?})");
    println!("check agreed with {checked} recorded expectations; skipped {} scenarios: {}", skipped.len(), skipped.join(", "));
}
