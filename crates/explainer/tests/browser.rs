//! The explainer in headless Chromium, against the companion server that
//! `make test` starts (configured to allow this test page's origin,
//! `http://127.0.0.1:<port>`).

// Assertion helpers outside #[test] functions panic on purpose.
#![allow(clippy::panic)]

use corslab::Browser;
use corslab::formats::scenario::{ScenarioFile, prediction_of, run_against};
use corslab_explainer::net::{FetchInit, FetchOutcome, fetch};
use corslab_explainer::predict::{call, live_url, predict};
use corslab_explainer::reality::send;
use corslab_explainer::state::Composition;
use corslab_explainer::{SERVER, dom, tour, view};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const HELLO: &str = "Hello from the server!";
const RECORDED: &str = include_str!("../../core/testdata/scenarios/recorded.json");

async fn get(path: &str) -> FetchOutcome {
    fetch(&format!("{SERVER}{path}"), &FetchInit::default()).await
}

fn assert_hello(outcome: &FetchOutcome) {
    match outcome {
        FetchOutcome::Resolved { status, response_type, body, .. } => {
            assert_eq!(*status, 200);
            assert_eq!(response_type, "cors");
            assert_eq!(body, HELLO);
        }
        other => panic!("expected the hello body, got {other:?}"),
    }
}

fn assert_blocked(outcome: &FetchOutcome) {
    match outcome {
        FetchOutcome::Rejected { error } => assert!(error.starts_with("TypeError"), "{error}"),
        other => panic!("expected a CORS failure, got {other:?}"),
    }
}

fn page() -> String {
    dom::page_origin().expect("location.origin")
}

// The seed article's routes, for real.

#[wasm_bindgen_test]
async fn root_without_cors_headers_is_blocked() {
    assert_blocked(&get("/").await);
}

#[wasm_bindgen_test]
async fn allow_any_succeeds() {
    assert_hello(&get("/allow/any").await);
}

#[wasm_bindgen_test]
async fn allow_origin_naming_this_page_succeeds() {
    assert_hello(&get("/allow/origin").await);
}

#[wasm_bindgen_test]
async fn allow_origin_naming_another_origin_fails() {
    assert_blocked(&get("/allow/origin?origin=http%3A%2F%2Flocalhost%3A5050").await);
}

#[wasm_bindgen_test]
async fn allow_list_with_this_page_listed_succeeds() {
    assert_hello(&get("/allow/list").await);
}

#[wasm_bindgen_test]
async fn allow_list_without_this_page_fails() {
    assert_blocked(&get("/allow/list?origin=http%3A%2F%2Flocalhost%3A5050").await);
}

#[wasm_bindgen_test]
async fn only_safelisted_headers_are_readable_cross_origin() {
    match get("/allow/list").await {
        FetchOutcome::Resolved { visible_headers, .. } => {
            assert_eq!(visible_headers, vec!["content-length", "content-type"]);
        }
        other => panic!("{other:?}"),
    }
}

#[wasm_bindgen_test]
fn the_core_says_why_the_request_is_cross_origin() {
    let verdict = tour::cross_origin_verdict(&page(), SERVER);
    assert!(verdict.starts_with("cross-origin"), "{verdict}");
    assert!(verdict.contains("port"), "{verdict}");
}

// The tour: each stop's prediction agrees with what the browser does.

#[wasm_bindgen_test]
async fn every_tour_stop_is_predicted_right() {
    let page = page();
    let origin = corslab::Origin::parse(&page).expect("page origin");
    for step in 0..tour::STEPS.len() {
        let (route, url) = tour::route(step, &origin);
        let call = corslab::FetchCall {
            url,
            method: "GET".into(),
            headers: vec![],
            mode: Default::default(),
            credentials: Default::default(),
            body: None,
        };
        let server = ArticleServer(route);
        let result = run_against(&call, &origin, &server, 1, Browser::Chrome, false);
        let expectation = prediction_of("tour", result.last().expect("a decision")).expect;
        let reality = send(&call, 1, None).await;
        assert!(reality.agrees_with(&expectation), "stop {step}: predicted {expectation:?}, got {reality:?}");
        assert_eq!(expectation.outcome, if step == 0 { "cors-error" } else { "ok" }, "stop {step}");
    }
}

#[derive(Debug)]
struct ArticleServer(corslab::policy::article::ArticleRoute);

impl corslab::fetch::engine::Server for ArticleServer {
    fn preflight(&self, _: &corslab::fetch::preflight::PreflightRequest) -> std::borrow::Cow<'_, corslab::ServerResponse> {
        std::borrow::Cow::Owned(corslab::ServerResponse::with_status(405))
    }
    fn respond(&self, request: &corslab::FetchRequest) -> std::borrow::Cow<'_, corslab::ServerResponse> {
        std::borrow::Cow::Owned(self.0.answer(Some(&request.origin)))
    }
}

// Rendering of decision steps.

fn recorded(id: &str) -> Composition {
    let file = ScenarioFile::parse(RECORDED).expect("recorded scenarios");
    let scenario = file.scenarios.iter().find(|s| s.id == id).expect("scenario");
    Composition::from_scenario(scenario, Browser::Chrome)
}

fn render(c: &Composition) -> web_sys::Element {
    let document = dom::document().expect("document");
    let (url, _) = live_url(c, &page(), SERVER, "render");
    let predicted = predict(c, &page(), &url);
    let element = document.create_element("section").expect("element");
    element.set_inner_html(&view::prediction_panel(c, &predicted));
    element
}

fn text(element: &web_sys::Element, selector: &str) -> String {
    element
        .query_selector(selector)
        .ok()
        .flatten()
        .and_then(|e| e.text_content())
        .unwrap_or_default()
}

#[wasm_bindgen_test]
fn a_failing_scenario_renders_its_failed_step_and_the_browsers_messages() {
    let panel = render(&recorded("preflight-status-200-no-acao"));
    assert!(text(&panel, "[data-role=verdict]").starts_with("Blocked by CORS"));
    let failed = panel.query_selector("li.step.fail").ok().flatten().expect("a failed step");
    assert_eq!(failed.get_attribute("data-step").as_deref(), Some("preflight.allow-origin"));
    let console = text(&panel, "[data-role=chromium-console]");
    assert!(
        console.ends_with("Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."),
        "{console}"
    );
    assert!(text(&panel, "[data-role=firefox-console]").contains("(Reason: CORS header ‘Access-Control-Allow-Origin’ missing)"));
    assert!(text(&panel, "[data-role=preflight-http]").starts_with("OPTIONS /replay/render?"));
}

#[wasm_bindgen_test]
fn a_passing_scenario_renders_passing_steps_only() {
    let panel = render(&recorded("method-put-preflight"));
    assert!(text(&panel, "[data-role=verdict]").starts_with("fetch() resolves: status 200"), "{}", text(&panel, "[data-role=verdict]"));
    assert!(panel.query_selector("li.step.fail").ok().flatten().is_none());
    assert!(panel.query_selector("li.step.pass[data-step=\"preflight.method\"]").ok().flatten().is_some());
    assert_eq!(panel.query_selector_all("table.browsers tbody tr").expect("rows").length(), 3);
}

// A real send whose reality agrees with the prediction.

#[wasm_bindgen_test]
async fn a_real_send_agrees_with_the_prediction() {
    for id in ["method-put-preflight", "acah-missing", "expose-list", "cred-simple-acao-star"] {
        let c = recorded(id);
        let run = format!("t{}", (js_sys::Math::random() * 1e9) as u64);
        let (url, _) = live_url(&c, &page(), SERVER, &run);
        let predicted = predict(&c, &page(), &url);
        let expectation = predicted.per_browser.iter().find(|(b, _)| *b == Browser::Chrome).map(|(_, e)| e.clone()).expect("chrome");
        let reality = send(&call(&c, &url), c.repeat, Some(&format!("{SERVER}/log/{run}"))).await;
        assert!(reality.agrees_with(&expectation), "{id}: predicted {expectation:?}, reality {reality:?}");
        assert!(reality.log.is_some(), "{id}: the server's log for the run was not read");
        let panel = view::reality_panel(&reality, Some(&expectation));
        assert!(!panel.contains("aria-label=\"disagrees\""), "{id}: {panel}");
    }
}

#[wasm_bindgen_test]
fn the_page_mounts_every_panel() {
    let document = dom::document().expect("document");
    let root = document.create_element("div").expect("div");
    document.body().expect("body").append_child(&root).expect("append");
    corslab_explainer::app::mount(&root).expect("mount");
    for id in ["tour", "request-panel", "server-panel", "prediction", "reality", "avoid", "recorded-select"] {
        assert!(document.get_element_by_id(id).is_some(), "missing #{id}");
    }
    assert_eq!(root.query_selector_all("#tour button").expect("buttons").length(), 4);
    assert_eq!(root.query_selector_all("#avoid button").expect("buttons").length(), 4);
    // Every input, select and textarea has a label.
    let fields = root.query_selector_all("input:not([type=radio]):not([type=checkbox]), select, textarea").expect("fields");
    for i in 0..fields.length() {
        let field: web_sys::Element = wasm_bindgen::JsCast::dyn_into(fields.get(i).expect("node")).expect("element");
        let id = field.id();
        assert!(!id.is_empty() && root.query_selector(&format!("label[for=\"{id}\"]")).ok().flatten().is_some(), "unlabelled field #{id}");
    }
    root.remove();
}
