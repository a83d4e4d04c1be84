//! The seed article's example, for real, in headless Chromium, against the
//! companion server that `make test` starts. The server is configured to
//! allow this test page's origin (`http://127.0.0.1:<port>`).

use corslab_explainer::net::{FetchInit, FetchOutcome, fetch};
use corslab_explainer::{SERVER, seed};
use wasm_bindgen_test::{wasm_bindgen_test, wasm_bindgen_test_configure};

wasm_bindgen_test_configure!(run_in_browser);

const HELLO: &str = "Hello from the server!";

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
        FetchOutcome::Rejected { error } => panic!("expected the hello body, fetch rejected: {error}"),
    }
}

fn assert_blocked(outcome: &FetchOutcome) {
    match outcome {
        FetchOutcome::Rejected { error } => assert!(error.starts_with("TypeError"), "{error}"),
        FetchOutcome::Resolved { .. } => panic!("expected a CORS failure, got {outcome:?}"),
    }
}

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
    let page = corslab_explainer::dom::page_origin().unwrap();
    let verdict = seed::cross_origin_verdict(&page, SERVER);
    assert!(verdict.starts_with("cross-origin"), "{verdict}");
    assert!(verdict.contains("port"), "{verdict}");
}

#[wasm_bindgen_test]
fn the_seed_panel_has_four_buttons() {
    let document = corslab_explainer::dom::document().unwrap();
    let root = document.create_element("div").unwrap();
    document.body().unwrap().append_child(&root).unwrap();
    seed::mount(&root).unwrap();
    let buttons = root.query_selector_all("button").unwrap();
    assert_eq!(buttons.length(), 4);
    root.remove();
}
