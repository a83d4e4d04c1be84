//! The explainer in headless Chromium, against the companion server that
//! `make test` starts (configured to allow this test page's origin,
//! `http://127.0.0.1:<port>`).

// Assertion helpers outside #[test] functions panic on purpose.
#![allow(clippy::panic)]

use corslab::Browser;
use corslab::formats::scenario::{ScenarioFile, prediction_of, run_against};
use corslab::policy::PolicyConfig;
use corslab_explainer::app::Shared;
use corslab_explainer::net::{FetchInit, FetchOutcome, fetch};
use corslab_explainer::predict::{call, live_url, predict};
use corslab_explainer::reality::send;
use corslab_explainer::state::{Composition, MAX_BODY_LEN, MAX_HEADER_ROWS, MAX_REPEAT, ServerSetup};
use corslab_explainer::{SERVER, dom, probe, tour, view};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};
use web_sys::{Element, HtmlElement, HtmlInputElement, HtmlSelectElement, HtmlTextAreaElement};

wasm_bindgen_test_configure!(run_in_browser);

const HELLO: &str = "Hello from the server!";
const RECORDED: &str = include_str!("../../core/testdata/scenarios/recorded.json");
const FRONTIER: &str = include_str!("../../core/testdata/scenarios/frontier.json");

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
        let reality = send(&call, &call.url, 1, None).await;
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
    // The URL the user composed, never the replay URL the lab sends to.
    assert!(text(&panel, "[data-role=preflight-http]").starts_with("OPTIONS /data HTTP/1.1"), "{}", text(&panel, "[data-role=preflight-http]"));
    assert!(console.starts_with(&format!("Access to fetch at '{SERVER}/data' from origin")), "{console}");
    let html = panel.inner_html();
    assert!(!html.contains("/replay/") && !html.contains("/policy/"), "{html}");
}

#[wasm_bindgen_test]
fn a_passing_scenario_renders_passing_steps_only() {
    let panel = render(&recorded("method-put-preflight"));
    assert!(text(&panel, "[data-role=verdict]").starts_with("fetch() resolves: status 200"), "{}", text(&panel, "[data-role=verdict]"));
    assert!(panel.query_selector("li.step.fail").ok().flatten().is_none());
    assert!(panel.query_selector("li.step.pass[data-step=\"preflight.method\"]").ok().flatten().is_some());
    assert_eq!(panel.query_selector_all("table.browsers tbody tr").expect("rows").length() as usize, Browser::ALL.len());
}

// A real send whose reality agrees with the prediction.

#[wasm_bindgen_test]
async fn a_real_send_agrees_with_the_prediction() {
    let policy = |query: String| Composition { id: "policy".into(), server: ServerSetup::Policy { query }, repeat: 2, ..Composition::default() };
    let allowing = PolicyConfig::new().allow_origin(page()).allow_method("PUT").allow_header("content-type").allow_header("x-request-id").max_age(600);
    let refusing = PolicyConfig::new().allow_origin("https://app.example.com").allow_method("PUT");
    let compositions = ["method-put-preflight", "acah-missing", "expose-list", "cred-simple-acao-star"]
        .map(recorded)
        .into_iter()
        .chain([policy(allowing.to_query()), policy(refusing.to_query())]);
    // The suite runs in Chromium and in Firefox: reality is compared with
    // the prediction for the browser it runs in, which the page names.
    let running = corslab_explainer::running::this_browser().expect("a browser the core has a profile for");
    assert!(matches!(running.0, Browser::Chrome | Browser::Firefox), "{running:?}");
    for c in compositions {
        let id = c.id.clone();
        let run = format!("t{}", (js_sys::Math::random() * 1e9) as u64);
        let (url, _) = live_url(&c, &page(), SERVER, &run);
        let predicted = predict(&c, &page(), &url);
        assert_eq!(predicted.url, format!("{SERVER}{}", c.request.path));
        let expectation = predicted.per_browser.iter().find(|(b, _)| *b == running.0).map(|(_, e)| e.clone()).expect("this browser's");
        // Sent to the live URL, shown at the composed one.
        let reality = send(&call(&c, &predicted.live_url), &predicted.url, c.repeat, Some(&format!("{SERVER}/log/{run}"))).await;
        assert!(reality.agrees_with(&expectation), "{id}: predicted {expectation:?}, reality {reality:?}");
        assert!(reality.log.as_ref().is_some_and(|l| !l.is_empty()), "{id}: the server's log for the run was not read");
        let sentence = corslab_explainer::running::compared_with(Some(&running), Browser::Chrome);
        let panel = view::reality_panel(&reality, Some(&expectation), &sentence);
        assert!(panel.contains(&format!("This page runs in {}", running.1)), "{id}: {panel}");
        assert!(!panel.contains("aria-label=\"disagrees\""), "{id}: {panel}");
        assert!(!panel.contains("/replay/") && !panel.contains("/policy/"), "{id}: {panel}");
        assert!(panel.contains(&format!("{SERVER}/data")), "{id}: {panel}");
    }
}

#[wasm_bindgen_test]
fn the_page_mounts_every_panel() {
    let document = dom::document().expect("document");
    let root = document.create_element("div").expect("div");
    document.body().expect("body").append_child(&root).expect("append");
    corslab_explainer::app::mount(&root).expect("mount");
    for id in ["tour", "request-panel", "server-panel", "server-answer", "prediction", "prediction-body", "reality", "avoid", "recorded-select", "profile-chrome", "profile-firefox", "profile-webkit", "profile-spec", "fix", "fix-tab-express", "fix-panel", "import", "import-text", "import-file", "import-result"] {
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

// The page mounted, driven as a keyboard user drives it.

/// The app mounted into a fresh element, removed again when dropped (also
/// when an assertion fails, so no other test sees its ids).
struct Mounted {
    root: Element,
    app: Shared,
}

impl Drop for Mounted {
    fn drop(&mut self) {
        self.root.remove();
    }
}

fn mounted() -> Mounted {
    let document = dom::document().expect("document");
    let root = document.create_element("div").expect("div");
    document.body().expect("body").append_child(&root).expect("append");
    let app = corslab_explainer::app::mount(&root).expect("mount");
    Mounted { root, app }
}

fn element<T: JsCast>(id: &str) -> T {
    dom::document().expect("document").get_element_by_id(id).unwrap_or_else(|| panic!("no #{id}")).dyn_into().unwrap_or_else(|_| panic!("#{id}: another kind of element"))
}

fn active_id() -> String {
    dom::document().expect("document").active_element().map(|e| e.id()).unwrap_or_default()
}

/// Fires `input` then `change`, bubbling, as the browser does when an arrow
/// key moves a closed select or a radio group.
fn changed(target: &Element) {
    let document = dom::document().expect("document");
    for kind in ["input", "change"] {
        let event = document.create_event("Event").expect("event");
        event.init_event_with_bubbles(kind, true);
        target.dispatch_event(&event).expect("dispatch");
    }
}

#[wasm_bindgen_test]
fn choosing_a_preset_with_the_arrow_keys_keeps_focus_on_the_select() {
    let m = mounted();
    let select: HtmlSelectElement = element("srv-preset");
    select.focus().expect("focus");
    assert_eq!(active_id(), "srv-preset");
    for value in ["allow", "no-cors", "preflight-no-acao", "policy-this-origin", "policy-any", "max-age"] {
        select.set_value(value);
        changed(&select);
        assert_eq!(active_id(), "srv-preset", "focus lost after choosing {value}");
        let current: HtmlSelectElement = element("srv-preset");
        assert!(current == select, "the select was re-rendered after {value}");
        assert_eq!(current.value(), value, "the select no longer shows {value}, so the next arrow key starts over");
        let policy = value.starts_with("policy");
        assert_eq!(matches!(m.app.borrow().composition.server, ServerSetup::Policy { .. }), policy, "{value}");
        assert_eq!(element::<HtmlInputElement>("srv-kind-policy").checked(), policy, "{value}");
        assert_eq!(dom::document().expect("document").get_element_by_id("pol-origins").is_some(), policy, "{value}");
    }
    assert!(element::<HtmlInputElement>("pre-on").checked(), "max-age scripts the preflight");
}

#[wasm_bindgen_test]
fn choosing_a_profile_with_the_arrow_keys_keeps_focus_on_the_radio() {
    let m = mounted();
    for browser in [Browser::Firefox, Browser::Spec, Browser::Chrome] {
        let radio: HtmlInputElement = element(&format!("profile-{}", browser.as_str()));
        radio.focus().expect("focus");
        radio.set_checked(true);
        changed(&radio);
        assert_eq!(active_id(), format!("profile-{}", browser.as_str()), "focus lost after choosing {browser:?}");
        assert!(element::<HtmlInputElement>(&format!("profile-{}", browser.as_str())).checked());
        assert_eq!(m.app.borrow().composition.browser, browser);
        let verdict = m.root.query_selector("#prediction-body [data-role=verdict]").ok().flatten();
        assert!(verdict.is_some(), "no prediction after choosing {browser:?}");
    }
}

#[wasm_bindgen_test]
fn switching_scripted_and_policy_with_the_arrow_keys_keeps_focus_on_the_radio() {
    let m = mounted();
    let select: HtmlSelectElement = element("srv-preset");
    select.set_value("no-cors");
    changed(&select);
    for (id, policy) in [("srv-kind-policy", true), ("srv-kind-scripted", false)] {
        let radio: HtmlInputElement = element(id);
        radio.focus().expect("focus");
        radio.set_checked(true);
        changed(&radio);
        assert_eq!(active_id(), id);
        assert_eq!(matches!(m.app.borrow().composition.server, ServerSetup::Policy { .. }), policy);
        assert_eq!(dom::document().expect("document").get_element_by_id("pol-origins").is_some(), policy);
        assert_eq!(element::<HtmlSelectElement>("srv-preset").value(), "", "the preset no longer describes the server");
    }
}

#[wasm_bindgen_test]
fn a_field_over_its_limit_is_cut_where_it_is_typed_and_keeps_focus() {
    let m = mounted();
    let area: HtmlTextAreaElement = element("req-body");
    area.focus().expect("focus");
    // Under maxlength in UTF-16 units, over the limit in UTF-8 bytes.
    area.set_value(&"é".repeat(MAX_BODY_LEN - 1));
    changed(&area);
    assert_eq!(active_id(), "req-body");
    let shown = element::<HtmlTextAreaElement>("req-body").value();
    assert_eq!(shown.len(), MAX_BODY_LEN);
    assert_eq!(m.app.borrow().composition.request.body.as_deref(), Some(shown.as_str()), "the form shows what is sent");
}

#[wasm_bindgen_test]
fn a_crafted_link_is_clamped_and_the_form_shows_what_is_sent() {
    let window = web_sys::window().expect("window");
    let history = window.history().expect("history");
    let location = window.location();
    let clean = format!("{}{}", location.pathname().expect("path"), location.search().expect("search"));
    let mut crafted = Composition { repeat: 1_000_000, ..Composition::default() };
    crafted.request.headers = (0..500).map(|i| (format!("X-{i}"), "v".to_owned())).collect();
    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&crafted.to_fragment())).expect("fragment");
    let m = mounted();
    history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&clean)).expect("restore");
    let c = m.app.borrow().composition.clone();
    assert_eq!(c.repeat, MAX_REPEAT);
    assert_eq!(element::<HtmlSelectElement>("req-repeat").value(), MAX_REPEAT.to_string());
    assert_eq!(c.request.headers.len(), MAX_HEADER_ROWS);
    assert_eq!(m.root.query_selector_all("[data-rows=req-h] .row").expect("rows").length() as usize, MAX_HEADER_ROWS);
    let add: HtmlElement = m.root.query_selector("[data-rows=req-h] > button[data-action=add-row]").ok().flatten().expect("add button").dyn_into().expect("button");
    assert!(add.has_attribute("disabled"));
}

#[wasm_bindgen_test]
async fn the_send_loop_is_bounded_whatever_it_is_asked() {
    let c = recorded("method-put-preflight");
    let run = format!("t{}", (js_sys::Math::random() * 1e9) as u64);
    let (url, _) = live_url(&c, &page(), SERVER, &run);
    let reality = send(&call(&c, &url), &format!("{SERVER}/data"), 1_000_000, Some(&format!("{SERVER}/log/{run}"))).await;
    assert_eq!(reality.sent, MAX_REPEAT);
    let log = reality.log.expect("the run's log");
    assert_eq!(log.iter().filter(|l| l.starts_with("PUT /data")).count(), MAX_REPEAT as usize, "{log:?}");
}

// Your server: the companion server's /probe, judged again in the page.

fn get_call(url: &str) -> corslab::FetchCall {
    corslab::FetchCall {
        url: url.to_owned(),
        method: "GET".into(),
        headers: vec![],
        mode: Default::default(),
        credentials: Default::default(),
        body: None,
    }
}

#[wasm_bindgen_test]
async fn probe_checks_a_route_from_your_app_and_from_this_page() {
    let url = format!("{SERVER}/allow/origin");
    // Another origin than the one the route names: blocked, and the fix.
    let check = probe::check_request(&get_call(&url), "http://localhost:3000", None).expect("a check");
    let probed = probe::probe(&check).await.expect("a report");
    assert!(!probed.report.passed);
    assert!(probed.disagreements.is_empty(), "{:?}", probed.disagreements);
    let chrome = probed.judged(Browser::Chrome).expect("chrome");
    assert_eq!(chrome.decision.report.as_ref().map(|r| r.chromium.name), Some("AllowOriginMismatch"));
    assert!(!chrome.steps.is_empty());
    let changes: Vec<String> = probed.report.fix.changes.iter().map(|c| c.describe()).collect();
    assert!(changes.iter().any(|c| c.contains("`Access-Control-Allow-Origin: http://localhost:3000`")), "{changes:?}");
    // This page's origin is the one the route names: it passes, and a real
    // fetch() agrees with the check.
    let check = probe::check_request(&get_call(&url), &page(), None).expect("a check");
    let probed = probe::probe(&check).await.expect("a report");
    assert!(probed.report.passed, "{:?}", probed.report.browsers);
    let reality = send(&check.call, &check.call.url, 1, None).await;
    let expect = &probed.report.browsers.get(&Browser::Chrome).expect("a verdict for each browser judged").expect;
    assert!(reality.agrees_with(expect), "predicted {expect:?}, reality {reality:?}");
}

#[wasm_bindgen_test]
async fn a_probe_that_cannot_reach_the_url_says_why_in_one_sentence() {
    // Nothing listens on port 9 (discard): the server answers 502.
    let check = probe::check_request(&get_call("http://127.0.0.1:9/x"), "http://localhost:3000", None).expect("a check");
    let error = probe::probe(&check).await.expect_err("nothing listens there");
    assert!(error.ends_with("(HTTP 502)") && !error.contains('\n'), "{error}");
}

fn text_of(id: &str) -> String {
    element::<Element>(id).text_content().unwrap_or_default()
}

/// Puts the page's URL back as it was when dropped (the page keeps its
/// composition in the fragment, and the next mount reads it).
struct CleanUrl(String);

impl CleanUrl {
    fn new() -> CleanUrl {
        let location = web_sys::window().expect("window").location();
        CleanUrl(format!("{}{}", location.pathname().expect("path"), location.search().expect("search")))
    }
}

impl Drop for CleanUrl {
    fn drop(&mut self) {
        if let Ok(history) = web_sys::window().expect("window").history() {
            let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&self.0));
        }
    }
}

#[wasm_bindgen_test]
fn your_server_is_chosen_with_the_arrow_keys_and_its_fields_keep_focus() {
    let _clean = CleanUrl::new();
    let m = mounted();
    let radio: HtmlInputElement = element("srv-kind-yours");
    radio.focus().expect("focus");
    radio.set_checked(true);
    changed(&radio);
    assert_eq!(active_id(), "srv-kind-yours");
    assert!(m.app.borrow().composition.server.is_yours());
    let document = dom::document().expect("document");
    assert!(document.get_element_by_id("req-path").is_none(), "your server's URL replaces the path");
    assert!(!element::<HtmlElement>("check-app").hidden());
    assert_eq!(text_of("send"), "Send for real from this page");
    assert_eq!(text_of("prediction-title"), "From your app");
    assert_eq!(text_of("reality-title"), "From this page");
    assert!(text_of("prediction-body").contains("not by this browser"), "{}", text_of("prediction-body"));
    for id in ["yours-url", "yours-origin"] {
        assert!(m.root.query_selector(&format!("label[for=\"{id}\"]")).ok().flatten().is_some(), "unlabelled field #{id}");
    }
    // An origin with a slash: its problem shown, the field kept (and focused).
    let origin: HtmlInputElement = element("yours-origin");
    origin.focus().expect("focus");
    origin.set_value("http://localhost:3000/");
    changed(&origin);
    assert_eq!(active_id(), "yours-origin");
    assert!(element::<HtmlInputElement>("yours-origin") == origin, "the field was re-rendered");
    let problems = m.root.query_selector("[data-role=yours-problems]").ok().flatten().and_then(|e| e.text_content()).unwrap_or_default();
    assert!(problems.contains("must not end with '/'"), "{problems}");
    // A public app calling the companion server on this machine: the Local
    // Network Access note, and no problem left.
    origin.set_value("https://app.example.com");
    changed(&origin);
    assert_eq!(active_id(), "yours-origin");
    assert!(m.root.query_selector("[data-role=yours-problems]").ok().flatten().is_none());
    assert!(m.root.query_selector("[data-role=local-network]").ok().flatten().is_some());
    assert_eq!(m.app.borrow().composition.server, ServerSetup::yours(format!("{SERVER}/allow/origin"), "https://app.example.com"));
    // Back to scripted answers: the path is back, the check button hidden.
    let scripted: HtmlInputElement = element("srv-kind-scripted");
    scripted.focus().expect("focus");
    scripted.set_checked(true);
    changed(&scripted);
    assert_eq!(active_id(), "srv-kind-scripted");
    assert!(document.get_element_by_id("req-path").is_some());
    assert!(element::<HtmlElement>("check-app").hidden());
    assert_eq!(text_of("prediction-title"), "Prediction");
    assert_eq!(text_of("reality-title"), "Reality");
    // ...and coming back restores what was typed.
    let radio: HtmlInputElement = element("srv-kind-yours");
    radio.set_checked(true);
    changed(&radio);
    assert_eq!(element::<HtmlInputElement>("yours-origin").value(), "https://app.example.com");
}

// JSON in the page: the browser's JSON.parse and JSON.stringify (through
// serde-wasm-bindgen), where the core and the native tests use serde_json.

#[wasm_bindgen_test]
fn the_page_reads_every_recorded_file_as_the_core_does() {
    for text in [RECORDED, FRONTIER] {
        let core = ScenarioFile::parse(text).expect("a scenario file").scenarios;
        let page = corslab_explainer::app::recorded_scenarios(text).expect("the page reads it");
        assert_eq!(page.len(), core.len());
        for (page, core) in page.iter().zip(&core) {
            // The page reads no expectations, nor the browsers' prefs and
            // switches (verify's).
            let environment = corslab::fetch::local_network::NetworkEnvironment {
                address_space: core.environment.address_space.clone(),
                grant: core.environment.grant.clone(),
                ..Default::default()
            };
            let without = corslab::formats::scenario::Scenario { environment, expect: Default::default(), ..core.clone() };
            assert_eq!(*page, without, "{}", core.id);
        }
    }
    assert_eq!(corslab_explainer::app::recorded_scenarios("{\"format\": \"cors-scenarios/1\", \"scenarios\": [{\"id\": 1}]}"), None);
}

#[wasm_bindgen_test]
fn the_page_writes_json_as_serde_json_does() {
    use corslab_explainer::json;
    let mut c = Composition::default();
    c.request.body = Some("\"quoted\" \\ \u{1b}\n\u{2028} é ☃".to_owned());
    c.request.headers.push(("X-Empty".to_owned(), String::new()));
    for c in [c.clone(), Composition { server: ServerSetup::Policy { query: "origin=*".to_owned() }, ..c.clone() }, Composition { server: ServerSetup::yours("http://localhost:3001/", "null"), ..c }] {
        assert_eq!(json::to_string(&c), serde_json::to_string(&c).expect("JSON"));
        assert_eq!(json::parse::<Composition>(&serde_json::to_string(&c).expect("JSON")), Ok(c.clone()));
        assert_eq!(Composition::from_fragment(&c.to_fragment()), Some(c));
    }
    assert_eq!(json::to_string(&None::<u16>), "null");
    assert!(json::parse::<u16>("70000").is_err());
    assert!(json::parse::<Composition>("{").is_err());
    assert!(json::parse::<Composition>(r#"{"id":"x","request":{"method":"GET","path":"/"},"server":{"kind":"elsewhere"},"browser":"chrome"}"#).is_err());
    // A value of the wrong type is named as serde names it, a float as "a
    // number" (crates/serde-wasm-bindgen: no float formatter in the wasm).
    assert_eq!(json::parse::<String>("1.5"), Err("Error: invalid type: a number, expected a string".to_owned()));
    assert_eq!(json::parse::<u16>("true"), Err("Error: invalid type: boolean `true`, expected u16".to_owned()));
    assert_eq!(json::parse::<u16>("\"7\""), Err("Error: invalid type: string \"7\", expected u16".to_owned()));
}

/// Waits up to 5 s for `ready`, checking every 20 ms.
async fn until(what: &str, ready: impl Fn() -> bool) {
    for _ in 0..250 {
        if ready() {
            return;
        }
        let pause = js_sys::Promise::new(&mut |resolve, _| {
            let _ = web_sys::window().expect("window").set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 20);
        });
        let _ = wasm_bindgen_futures::JsFuture::from(pause).await;
    }
    panic!("waited 5 s for {what}");
}

#[wasm_bindgen_test]
async fn the_fix_tabs_follow_the_composition_and_keep_focus() {
    let m = mounted();
    let snippet = || m.root.query_selector("#fix-panel [data-role=fix-snippet]").ok().flatten().map(|e| e.text_content().unwrap_or_default());
    // The default composition passes: its narrowest policy, from the
    // companion server's /fix/, in Express first.
    until("the Express fix", || snippet().is_some()).await;
    let express = snippet().expect("an Express snippet");
    assert!(express.contains("cors("), "{express}");
    for stack in ["fastapi", "flask", "django", "nginx", "axum", "express"] {
        let tab: web_sys::HtmlElement = element(&format!("fix-tab-{stack}"));
        tab.click();
        assert_eq!(active_id(), format!("fix-tab-{stack}"), "focus lost after choosing {stack}");
        assert_eq!(element::<Element>(&format!("fix-tab-{stack}")).get_attribute("aria-selected").as_deref(), Some("true"));
        until(&format!("the {stack} fix"), || snippet().is_some_and(|t| t.contains("x-request-id") || t.contains("X-Request-Id"))).await;
    }
    // A policy that lets any origin in: written as composed, regenerated.
    let select: HtmlSelectElement = element("srv-preset");
    select.set_value("policy-any");
    changed(&select);
    let nginx: web_sys::HtmlElement = element("fix-tab-nginx");
    nginx.click();
    until("the nginx fix", || snippet().is_some_and(|t| t.contains("add_header") && t.contains("always"))).await;
}

#[wasm_bindgen_test]
async fn the_frontier_is_sent_for_real_and_agrees() {
    use corslab_explainer::reality::{Sending, send_from};
    let running = corslab_explainer::running::this_browser().expect("a browser the core has a profile for").0;
    let file = ScenarioFile::parse(include_str!("../../core/testdata/scenarios/frontier.json")).expect("frontier scenarios");
    let mut sent = 0;
    for scenario in &file.scenarios {
        let c = Composition::from_scenario(scenario, running);
        let framed = c.request.context != corslab::fetch::client::ContextKind::Window;
        // Firefox here rejects a redirect to `user:pass@127.0.0.1` (this
        // harness's server) that verify, at `localhost`, sees followed as
        // recorded: a gap the note of issue 12 names, left visible on the
        // page (which shows the disagreement) rather than predicted.
        let userinfo = c.hops.iter().any(|h| h.userinfo.is_some()) && running == Browser::Firefox;
        if framed || userinfo || c.spaces.is_some() || scenario.is_same_origin() || c.hops.iter().any(|h| h.server_origin == page()) {
            continue;
        }
        let run = format!("f{}", (js_sys::Math::random() * 1e9) as u64);
        let (url, _) = live_url(&c, &page(), SERVER, &run);
        let predicted = predict(&c, &page(), &url);
        let expectation = predicted.per_browser.iter().find(|(b, _)| *b == running).map(|(_, e)| e.clone()).expect("this browser's");
        let sending = Sending { redirect: c.request.redirect, context: c.request.context };
        let reality = send_from(&call(&c, &predicted.live_url), sending, &predicted.url, c.repeat, Some(&format!("{SERVER}/log/{run}"))).await;
        assert!(reality.agrees_with(&expectation), "{} in {running:?}: predicted {expectation:?}, reality {reality:?}", c.id);
        sent += 1;
    }
    assert!(sent >= 15, "only {sent} frontier scenarios sent");
}

/// What the user types for "your server" reaches the core in ASCII, made so
/// by this browser's URL parser, and the prediction names the Punycode host.
#[wasm_bindgen_test]
fn an_international_server_name_is_predicted_in_ascii() {
    let c = Composition { server: ServerSetup::yours("http://bücher.example/ä", "https://münchen.example"), ..Composition::default() }.clamped();
    assert_eq!(c.server, ServerSetup::yours("http://xn--bcher-kva.example/%C3%A4", "https://xn--mnchen-3ya.example"));
    let ServerSetup::Yours { url, app_origin } = &c.server else { unreachable!() };
    let request = probe::check_request(&call(&c, url), app_origin, None).expect("the core reads both");
    assert_eq!(request.call.url, "http://xn--bcher-kva.example/%C3%A4");
    assert_eq!(request.page.to_string(), "https://xn--mnchen-3ya.example");
}

/// WPT's `urltestdata.json` through the page's own path: the page's core has
/// no Unicode tables (`crates/idna-adapter`), so what the user types with
/// non-ASCII text (or a percent sign) is made ASCII by this browser's URL parser first
/// (`domain::ascii_url`), then parsed by the core. Every record that names
/// an origin must still give it (the core's own wasm run checks the same
/// vectors with full IDNA).
#[wasm_bindgen_test]
fn wpt_url_origins_through_the_pages_ascii_path() {
    use corslab::Origin;
    use corslab_explainer::domain::{ascii_url, needs_the_browser};
    let records: Vec<serde_json::Value> =
        serde_json::from_str(include_str!("../../core/testdata/wpt/urltestdata.json")).expect("valid JSON");
    let (mut checked, mut through_the_browser) = (0, 0);
    let mut failures = Vec::new();
    for record in records.iter().filter_map(serde_json::Value::as_object) {
        let Some(expected) = record.get("origin").and_then(serde_json::Value::as_str) else { continue };
        let input = record["input"].as_str().expect("input is a string");
        let base = record.get("base").and_then(serde_json::Value::as_str);
        let parsed = if !needs_the_browser(input) && !base.is_some_and(needs_the_browser) {
            match base {
                Some(base) => url::Url::parse(base).and_then(|b| b.join(input)),
                None => url::Url::parse(input),
            }
        } else {
            through_the_browser += 1;
            // What the page does with a URL typed against a base: the browser
            // resolves it, then the core parses the ASCII result.
            let absolute = match base {
                Some(base) => web_sys::Url::new_with_base(input, base).map(|u| u.href()).unwrap_or_else(|_| input.to_owned()),
                None => ascii_url(input).into_owned(),
            };
            url::Url::parse(&absolute)
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
    assert!(checked > 300 && through_the_browser > 20, "{checked} records, {through_the_browser} through the browser");
    assert!(failures.is_empty(), "{} of {checked} failed:\n{}", failures.len(), failures.join("\n"));
}

#[wasm_bindgen_test]
fn start_from_what_you_have_reads_a_copy_and_a_console_line() {
    let _clean = CleanUrl::new();
    let m = mounted();
    let text: HtmlTextAreaElement = element("import-text");
    let read: HtmlElement = m.root.query_selector("[data-action=import-text]").ok().flatten().expect("the read button").dyn_into().expect("a button");
    // A cURL copy: the lab points at its server, without what fetch() could not set.
    text.set_value("curl 'http://localhost:3000/api/items' -X 'PUT' -H 'Origin: http://localhost:5173' -H 'X-Token: 1' -H 'Sec-Fetch-Mode: cors'");
    read.click();
    assert_eq!(m.app.borrow().composition.server, ServerSetup::yours("http://localhost:3000/api/items", "http://localhost:5173"));
    assert_eq!(m.app.borrow().composition.request.method, "PUT");
    let dropped = element::<Element>("import-result").text_content().unwrap_or_default();
    assert!(m.root.query_selector("#import-result [data-role=import-copied]").ok().flatten().is_some(), "{dropped}");
    assert!(dropped.contains("Sec-Fetch-Mode"), "the header fetch() could not set is named: {dropped}");
    // A fetch copy (Firefox's shape).
    text.set_value(r#"await fetch("http://localhost:3000/data", {"credentials": "include", "headers": {"X-A": "1"}, "referrer": "http://localhost:5173/", "method": "GET", "mode": "cors"});"#);
    read.click();
    assert_eq!(m.app.borrow().composition.server, ServerSetup::yours("http://localhost:3000/data", "http://localhost:5173"));
    assert_eq!(m.app.borrow().composition.request.credentials, corslab::CredentialsMode::Include);
    // A console line: explained, with the fix, and the lab points at its server.
    text.set_value("Access to fetch at 'http://localhost:4000/items' from origin 'http://localhost:5173' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.");
    read.click();
    let result = element::<Element>("import-result").text_content().unwrap_or_default();
    assert!(result.contains("MissingAllowOriginHeader"), "{result}");
    assert!(m.root.query_selector("#import-result [data-role=import-fix]").ok().flatten().is_some(), "{result}");
    assert_eq!(m.app.borrow().composition.server, ServerSetup::yours("http://localhost:4000/items", "http://localhost:5173"));
    // Text it cannot read: said so, and the composition stays.
    for bad in ["hello", "curl 'http://x/ -H 'A: b"] {
        text.set_value(bad);
        read.click();
        let result = element::<Element>("import-result").text_content().unwrap_or_default();
        assert!(m.root.query_selector("#import-result .banner.fail").ok().flatten().is_some(), "{bad}: {result}");
        assert_eq!(m.app.borrow().composition.server, ServerSetup::yours("http://localhost:4000/items", "http://localhost:5173"), "{bad}");
    }
    // A megabyte and more: refused before it is parsed.
    text.set_value(&format!("Access to fetch at 'http://a.test/{}' from origin 'http://b.test' has been blocked by CORS policy: x", "a".repeat(1 << 20)));
    read.click();
    let result = element::<Element>("import-result").text_content().unwrap_or_default();
    assert!(result.contains("at most 1048576"), "{}", result.get(..200).unwrap_or(&result));
}

/// A HAR file as the File API hands it over: read by this browser's
/// `JSON.parse` into the core's HAR analysis, its cross-origin requests
/// listed as `corslab har` reports them, one loaded; a broken file and one
/// over 50 MB said so.
#[wasm_bindgen_test]
async fn start_from_what_you_have_reads_a_har_file() {
    let _clean = CleanUrl::new();
    let m = mounted();
    let file = |name: &str, bytes: &js_sys::Uint8Array| {
        web_sys::File::new_with_u8_array_sequence(&js_sys::Array::of1(bytes), name).expect("a file")
    };
    let har = include_str!("../../core/testdata/har/chromium-devtools.har");
    let expected = corslab::formats::har::read_report(har.as_bytes(), &corslab::formats::har::HarOptions { browsers: vec![Browser::Chrome], scenarios: true });
    corslab_explainer::app::read_har_file(&m.app, file("export.har", &js_sys::Uint8Array::from(har.as_bytes()))).await;
    let select: HtmlSelectElement = element("import-har-select");
    assert_eq!(select.length() as usize, expected.requests.len() + 1, "the placeholder and each cross-origin request");
    let summary = element::<Element>("import-result").text_content().unwrap_or_default();
    assert!(summary.contains(&format!("{} blocked", expected.summary.blocked)), "{summary}");
    let blocked = expected.requests.iter().position(|r| r.blocked() && r.scenario.is_some()).expect("a blocked request with its answers");
    select.set_value(&blocked.to_string());
    changed(&select);
    assert_eq!(m.app.borrow().composition.id, format!("har-{}", blocked + 1));
    let verdict = element::<Element>("import-har-request").text_content().unwrap_or_default();
    let console = expected.requests[blocked].browsers.get(&Browser::Chrome).expect("a verdict for each browser judged").expect.console.clone().unwrap_or_default();
    assert!(!console.is_empty() && verdict.contains(&console), "{verdict}");
    // Not JSON: said so.
    corslab_explainer::app::read_har_file(&m.app, file("broken.har", &js_sys::Uint8Array::from(&b"{\"log\": {"[..]))).await;
    assert!(m.root.query_selector("#import-result [data-role=import-har-error]").ok().flatten().is_some());
    // Over 50 MB: refused unread.
    corslab_explainer::app::read_har_file(&m.app, file("huge.har", &js_sys::Uint8Array::new_with_length(50 * 1024 * 1024 + 1))).await;
    let result = element::<Element>("import-result").text_content().unwrap_or_default();
    assert!(result.contains("up to 50 MB"), "{result}");
}
