//! The engine beyond one request (`cors-scenarios/2`): redirects followed
//! hop by hop, opaque-origin contexts, Local Network Access; the trace of
//! each, the scenario servers answering by URL, `check` following
//! redirects, and the prediction formats.

use corslab::Browser;
use corslab::diagnosis::check::{CheckRequest, Exchange, MAX_EXCHANGES, judge};
use corslab::fetch::client::{Client, ContextKind};
use corslab::fetch::local_network::{self, AddressSpace, LocalNetworkVerdict, NetworkEnvironment};
use corslab::fetch::wire::{WireKind, WireResponse};
use corslab::formats::scenario::{Placeholders, ScenarioFile, predict, predict_json, run};
use corslab::{Origin, Outcome};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const PAGE: &str = "http://localhost:5050";

/// A v2 file of one scenario: `request` and `rest` as JSON fragments.
fn scenario(request: &str, rest: &str) -> ScenarioFile {
    let json = format!(
        r#"{{"format": "cors-scenarios/2", "scenarios": [{{"id": "s", "request": {{"method": "GET", "path": "/start", "headers": [] {request}}}, {rest}}}]}}"#
    );
    ScenarioFile::parse(&json).expect("a cors-scenarios/2 file")
}

const A_TO_B: &str = r#""response": {"status": 302, "headers": [["Location", "{hop1}"], ["Access-Control-Allow-Origin", "{origin}"]]},
  "hops": [{"server_origin": "http://localhost:8081", "path": "/end",
            "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "null"]], "body": "ok"}}]"#;

#[wasm_bindgen_test(unsupported = test)]
fn a_redirect_is_traced_hop_by_hop_with_spec_links() {
    let file = scenario("", A_TO_B);
    let prepared = file.scenarios[0].prepare().expect("prepared");
    let run = run(&prepared, Browser::Chrome, true);
    let decision = run.last().expect("a decision");
    assert_eq!(decision.outcome, Outcome::Ok);
    assert_eq!(decision.url_list, ["http://localhost:8080/start", "http://localhost:8081/end"]);
    assert_eq!(decision.redirected, Some(true));
    let steps = &run.steps[0];
    let step = |id: &str| steps.iter().find(|s| s.id == id).unwrap_or_else(|| panic!("no {id} step"));
    assert_eq!(step("redirect.location").spec, "https://fetch.spec.whatwg.org/#concept-response-location-url");
    assert_eq!(step("redirect.hop").spec, "https://fetch.spec.whatwg.org/#http-redirect-fetch");
    let taint = step("redirect.tainted-origin");
    assert_eq!(taint.spec, "https://fetch.spec.whatwg.org/#concept-request-tainted-origin");
    assert!(taint.compared.iter().any(|c| c.value == "null"), "{taint:?}");
    assert_eq!(step("redirect.method").spec, "https://fetch.spec.whatwg.org/#http-redirect-fetch");
    // The CORS check runs on each answer: the 302's and the last one's.
    assert_eq!(steps.iter().filter(|s| s.id == "response.allow-origin").count(), 2);
    // What each server saw: the Origin turns null at the second hop.
    let origins: Vec<Option<&str>> = decision.served.iter().map(|s| s.origin.as_deref()).collect();
    assert_eq!(origins, [Some(PAGE), Some("null")]);
}

#[wasm_bindgen_test(unsupported = test)]
fn local_network_access_is_a_traced_step_and_each_browser_gates_its_way() {
    let file = scenario("", r#""response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "*"]]},
        "environment": {"address_space": {"http://localhost:5050": "public"}}"#);
    let prepared = file.scenarios[0].prepare().expect("prepared");
    let traced = run(&prepared, Browser::Chrome, true);
    let lna = traced.steps[0].iter().find(|s| s.id == "lna.check").expect("an lna.check step");
    assert_eq!(lna.spec, "https://wicg.github.io/local-network-access/#integration-fetch");
    assert!(lna.failure.is_some(), "the failing step carries the browsers' words");
    let outcome = |browser| predict(&file.scenarios[0], browser).expect.outcome;
    assert_eq!(outcome(Browser::Chrome), "cors-error");
    assert_eq!(outcome(Browser::Firefox), "pending");
    assert_eq!(outcome(Browser::Webkit), "ok");
}

#[wasm_bindgen_test(unsupported = test)]
fn address_spaces_permissions_and_switches() {
    let top = Origin::parse("http://localhost:5050").expect("origin");
    let client = Client::window(&top);
    let url = url::Url::parse("http://localhost:8080/x").expect("url");
    let env = |json: &str| -> NetworkEnvironment { serde_json::from_str(json).expect("an environment") };
    let verdict = |browser: Browser, e: &NetworkEnvironment| local_network::check(browser.profile(), e, &client, &Origin::from_url(&url)).verdict;
    // No environment: loopback to loopback.
    assert_eq!(verdict(Browser::Chrome, &NetworkEnvironment::default()), LocalNetworkVerdict::NotLocal);
    let public = env(r#"{"address_space": {"http://localhost:5050": "public"}}"#);
    assert_eq!(verdict(Browser::Chrome, &public), LocalNetworkVerdict::Denied);
    assert_eq!(verdict(Browser::Firefox, &public), LocalNetworkVerdict::Pending);
    assert_eq!(verdict(Browser::Webkit, &public), LocalNetworkVerdict::NotLocal);
    let granted = env(r#"{"address_space": {"http://localhost:5050": "public"}, "grant": ["loopbackNetwork"]}"#);
    assert_eq!(verdict(Browser::Chrome, &granted), LocalNetworkVerdict::Allowed { prompt_action: None });
    assert_eq!(verdict(Browser::Firefox, &granted), LocalNetworkVerdict::Allowed { prompt_action: Some("auto_allow") });
    // localNetwork does not cover loopback.
    let local_only = env(r#"{"address_space": {"http://localhost:5050": "public"}, "grant": ["localNetwork"]}"#);
    assert_eq!(verdict(Browser::Chrome, &local_only), LocalNetworkVerdict::Denied);
    let off = env(r#"{"address_space": {"http://localhost:5050": "public"}, "chromium_switches": ["--disable-features=LocalNetworkAccessChecks"],
                    "firefox_prefs": {"network.lna.blocking": false}}"#);
    assert_eq!(verdict(Browser::Chrome, &off), LocalNetworkVerdict::NotLocal);
    assert_eq!(verdict(Browser::Firefox, &off), LocalNetworkVerdict::Allowed { prompt_action: None });
    let short = env(r#"{"address_space": {"http://localhost:5050": "public"}, "firefox_prefs": {"network.lna.prompt.timeout": 2000}}"#);
    assert_eq!(verdict(Browser::Firefox, &short), LocalNetworkVerdict::PromptTimedOut);
    // `private` reads as `local`.
    let private = env(r#"{"address_space": {"http://localhost:8080": "private"}}"#);
    assert_eq!(private.space_of(&Origin::parse("http://localhost:8080").expect("origin")), Some(AddressSpace::Local));
    // A name only DNS resolves has no known space: nothing is gated.
    assert_eq!(NetworkEnvironment::default().space_of(&Origin::parse("https://example.com").expect("origin")), None);
}

#[wasm_bindgen_test(unsupported = test)]
fn an_opaque_context_sends_null_and_reads_with_null_or_star() {
    let top = Origin::parse(PAGE).expect("origin");
    assert!(Client::new(ContextKind::DataIframe, &top).origin.is_opaque());
    assert_eq!(Client::new(ContextKind::BlankIframe, &top).origin, top);
    for (acao, want) in [("null", "ok"), ("*", "ok"), ("{top_origin}", "cors-error"), ("{origin}", "ok")] {
        let file = scenario(
            r#", "context": "sandboxed-iframe""#,
            &format!(r#""response": {{"status": 200, "headers": [["Access-Control-Allow-Origin", "{acao}"]]}}"#),
        );
        for browser in [Browser::Chrome, Browser::Firefox, Browser::Webkit, Browser::Spec] {
            let p = predict(&file.scenarios[0], browser);
            assert_eq!(p.expect.outcome, want, "{acao} [{browser}]");
            assert_eq!(p.expect.served.as_ref().and_then(|s| s[0].origin.as_deref()), Some("null"));
        }
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn scenario_servers_answer_by_url_and_404_elsewhere() {
    let file = scenario("", A_TO_B);
    let prepared = file.scenarios[0].prepare().expect("prepared");
    assert_eq!(prepared.responder_at("http://localhost:8080/start").response.status, 302);
    assert_eq!(prepared.responder_at("http://localhost:8081/end").response.status, 200);
    assert_eq!(prepared.responder_at("http://localhost:8081/elsewhere").response.status, 404);
    // A hop's userinfo is part of its URL.
    let file = scenario(
        "",
        r#""response": {"status": 302, "headers": [["Location", "{hop1}"]]},
           "hops": [{"server_origin": "http://localhost:8080", "path": "/end", "userinfo": "user:pass"}]"#,
    );
    let prepared = file.scenarios[0].prepare().expect("prepared");
    assert_eq!(prepared.hops[0].0, "http://user:pass@localhost:8080/end");
    assert_eq!(
        prepared.responder.response.headers.get("location").as_deref(),
        Some("http://user:pass@localhost:8080/end")
    );
}

#[wasm_bindgen_test(unsupported = test)]
fn placeholders_fill_known_names_and_keep_the_rest() {
    let values = Placeholders {
        origin: "null".to_owned(),
        top_origin: PAGE.to_owned(),
        url: "http://a.test/0".to_owned(),
        hops: vec!["http://a.test/0".to_owned(), "http://b.test/1".to_owned()],
    };
    assert_eq!(
        values.fill("{origin} {top_origin} {url} {hop1} {hop10} {uuid} {"),
        "null http://localhost:5050 http://a.test/0 http://b.test/1 {hop10} {uuid} {"
    );
}

fn wire(status: u16, headers: &[(&str, &str)]) -> WireResponse {
    WireResponse {
        status,
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        body_bytes: 0,
        remote_addr: None,
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn check_follows_redirects_and_a_loop_costs_one_exchange() {
    let page = Origin::parse("http://localhost:3000").expect("origin");
    let call = corslab::FetchCall {
        url: "http://localhost:8080/loop".to_owned(),
        method: "GET".to_owned(),
        headers: Vec::new(),
        mode: corslab::RequestMode::Cors,
        credentials: corslab::CredentialsMode::SameOrigin,
        body: None,
    };
    let check = CheckRequest { call, page, cookies: None, page_url: None };
    for browser in Browser::ALL {
        let mut exchanges: Vec<Exchange> = Vec::new();
        while let Some(need) = judge(&check, browser, &exchanges, false).need {
            let request = need.to_wire(&check, browser.profile());
            assert_eq!(request.kind, WireKind::Request);
            let response = wire(302, &[("location", "/loop"), ("access-control-allow-origin", "*")]);
            exchanges.push(Exchange { request, response });
            assert!(exchanges.len() <= MAX_EXCHANGES);
        }
        // The same URL is asked once; the engine follows it 20 times.
        assert_eq!(exchanges.len(), 1, "{browser}");
        let decision = judge(&check, browser, &exchanges, false).decision;
        assert_eq!(decision.url_list.len(), 21, "{browser}");
        let want = if browser == Browser::Chrome || browser == Browser::Spec { Outcome::NetworkError } else { Outcome::CorsError };
        assert_eq!(decision.outcome, want, "{browser}");
    }
    // A chain of 20 redirects and a preflight on each URL fits.
    const { assert!(MAX_EXCHANGES >= 2 * 21) };
}

#[wasm_bindgen_test(unsupported = test)]
fn predictions_follow_their_file_format() {
    let v1 = r#"{"format": "cors-scenarios/1", "scenarios": [{"id": "a", "request": {"method": "GET", "path": "/"},
                 "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "*"]]}}]}"#;
    let p = predict_json(v1, Browser::Chrome).expect("predictions");
    assert_eq!(p.format, "cors-predictions/1");
    let json = serde_json::to_value(&p).expect("json");
    assert!(json["results"][0].get("served").is_none() && json["results"][0].get("net_error").is_none());
    let v2 = v1.replace("cors-scenarios/1", "cors-scenarios/2");
    let p = predict_json(&v2, Browser::Chrome).expect("predictions");
    assert_eq!(p.format, "cors-predictions/2");
    let json = serde_json::to_value(&p).expect("json");
    let result = &json["results"][0];
    assert_eq!(result["redirected"], false);
    assert_eq!(result["url"], "http://localhost:8080/");
    assert!(result["net_error"].is_null() && result.get("net_error").is_some());
    assert_eq!(result["served"][0]["origin"], "http://localhost:5050");
    // Read back, the fields survive; null stays null.
    let back = corslab::formats::scenario::parse_predictions(&json.to_string()).expect("read back");
    assert_eq!(back.results[0].expect.net_error, Some(None));
    assert_eq!(back.results[0].expect.redirected, Some(Some(false)));
}
