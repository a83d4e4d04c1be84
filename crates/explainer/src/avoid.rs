//! The article's four ways to avoid the preflight, each done for real:
//! ask less (a simple request), cache it (`Access-Control-Max-Age`), go
//! through a proxy (same-origin: no CORS at all), or let a page on the
//! server's own origin make the request (an iframe and `postMessage`).

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;

use corslab::Origin;
use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{Expectation, Scenario, ScenarioRequest, ScriptedResponse, run};
use corslab::fetch::simplify::nearest_simple_request;
use corslab::{Browser, FetchCall};
use serde::{Deserialize, Serialize};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;

use crate::app::{Shared, new_run_id, set_status};
use crate::dom::document;
use crate::reality::{Reality, send};
use crate::{SERVER, view};

/// The demos: (id, title, what it does).
pub const DEMOS: [(&str, &str, &str); 4] = [
    ("simplify", "Ask less", "Propose the nearest request that needs no preflight (safelisted method and headers), and send it."),
    ("cache", "Cache the preflight", "Send the same preflighted request twice; the server answers Access-Control-Max-Age: 600, so it sees one preflight."),
    ("proxy", "Use a proxy", "Send the request to this page's own origin, which trunk's proxy forwards to the server: same-origin, so no CORS at all."),
    ("iframe", "Ask a page on the server's origin", "A small page served by the server (in an iframe) makes the request on its own origin and hands the result back with postMessage."),
];

/// Renders the demos' section.
pub fn render() {
    let mut html = String::from("<h2 id=\"avoid-title\">Avoiding the preflight</h2><p class=\"hint\">The starting point: a PUT with a JSON body and a custom header, which needs a preflight.</p>");
    for (id, title, what) in DEMOS {
        let _ = write!(
            html,
            "<article class=\"demo\" id=\"demo-{id}\"><h3>{}</h3><p>{}</p><button type=\"button\" data-action=\"avoid\" data-demo=\"{id}\">Show me</button><div class=\"demo-result\" id=\"avoid-{id}\" aria-live=\"polite\"></div></article>",
            view::esc(title),
            view::esc(what)
        );
    }
    if let Some(section) = document().ok().and_then(|d| d.get_element_by_id("avoid")) {
        section.set_inner_html(&html);
    }
}

fn set(id: &str, html: &str) {
    if let Some(element) = document().ok().and_then(|d| d.get_element_by_id(&format!("avoid-{id}"))) {
        element.set_inner_html(html);
    }
}

/// The preflighted request every demo starts from: the page's default
/// composition (a PUT with a JSON body and a custom header).
fn base_request() -> ScenarioRequest {
    crate::state::Composition::default().request
}

/// The URL the page shows for a demo's request to the server at `origin`:
/// the base request's path there (the request really goes to a replay URL
/// on that origin; see `predict`'s module documentation).
fn shown(origin: &str) -> String {
    crate::predict::shown_url(origin, &base_request().path)
}

/// A server that allows the request, optionally caching the preflight.
fn allowing_scenario(request: ScenarioRequest, max_age: Option<&str>, repeat: u32) -> Scenario {
    let h = |n: &str, v: &str| (n.to_owned(), v.to_owned());
    let mut preflight = vec![
        h("Access-Control-Allow-Origin", "{origin}"),
        h("Access-Control-Allow-Methods", "PUT"),
        h("Access-Control-Allow-Headers", "content-type, x-request-id"),
    ];
    if let Some(max_age) = max_age {
        preflight.push(h("Access-Control-Max-Age", max_age));
    }
    Scenario {
        id: "avoid".to_owned(),
        note: None,
        request,
        repeat: (repeat > 1).then_some(repeat),
        preflight_response: Some(ScriptedResponse { status: 204, headers: preflight, body: None }),
        response: ScriptedResponse {
            status: 200,
            headers: vec![h("Access-Control-Allow-Origin", "{origin}"), h("Content-Type", "text/plain")],
            body: Some("saved".to_owned()),
        },
        hops: Vec::new(),
        environment: Default::default(),
        expect: Default::default(),
    }
}

fn call_of(scenario: &Scenario, url: &str) -> FetchCall {
    FetchCall {
        url: url.to_owned(),
        method: scenario.request.method.clone(),
        headers: scenario.request.headers.clone(),
        mode: scenario.request.mode,
        credentials: scenario.request.credentials,
        body: scenario.request.body.clone(),
    }
}

/// Predicts `scenario` sent to `url` from `page` under `browser`.
fn predict(scenario: &Scenario, page: &str, url: &str, browser: Browser) -> Option<(Expectation, corslab::formats::scenario::Run)> {
    let prepared = scenario.prepare_at(page, url).ok()?;
    let result = run(&prepared, browser, true);
    let expectation = result.prediction(&scenario.id)?.expect;
    Some((expectation, result))
}

fn result_html(expectation: &Expectation, reality: &Reality) -> String {
    let mut html = String::new();
    let _ = write!(
        html,
        "<p class=\"banner {}\" data-role=\"demo-verdict\">{}</p>",
        if reality.agrees_with(expectation) { "pass" } else { "fail" },
        view::esc(&if reality.agrees_with(expectation) {
            "Reality agrees with the prediction.".to_owned()
        } else {
            "Reality differs from the prediction.".to_owned()
        })
    );
    html.push_str(&view::reality_body(reality, Some(expectation)));
    html
}

/// Runs demo `demo`.
pub async fn run_demo(shared: &Shared, demo: &str) {
    let (page, browser) = {
        let app = shared.borrow();
        (app.page_origin.clone(), app.composition.browser)
    };
    set(demo, "<p>Working…</p>");
    match demo {
        "simplify" => simplify(&page, browser).await,
        "cache" => cache(&page, browser).await,
        "proxy" => proxy(&page, browser).await,
        "iframe" => iframe(&page).await,
        _ => {}
    }
    set_status(&format!("Demo done: {demo}."));
}

async fn simplify(page: &str, browser: Browser) {
    let base = allowing_scenario(base_request(), None, 1);
    let Ok(origin) = Origin::parse(page) else { return };
    let run_id = new_run_id();
    let (spec, _) = ReplaySpec::from_scenario(&base, page);
    let url = format!("{SERVER}{}", spec.path_and_query(&run_id));
    let shown_url = shown(SERVER);
    let Some(simple) = nearest_simple_request(&call_of(&base, &shown_url), &origin, browser.profile()) else { return };
    let mut html = String::from("<p>The nearest request without a preflight:</p><ul data-role=\"changes\">");
    for change in &simple.changes {
        let _ = write!(html, "<li>{}</li>", view::esc(&change.describe()));
    }
    html.push_str("</ul>");
    // The same server, asked the simpler request (built afresh: no clone
    // of a whole scenario).
    let simple_scenario = allowing_scenario(
        ScenarioRequest { method: simple.call.method.clone(), headers: simple.call.headers.clone(), ..base_request() },
        None,
        1,
    );
    let Some((expectation, _)) = predict(&simple_scenario, page, &shown_url, browser) else { return };
    let _ = write!(
        html,
        "<p>Predicted: <strong data-role=\"demo-preflight\">{}</strong>, outcome <code>{}</code>.</p>",
        if expectation.preflight { "a preflight" } else { "no preflight" },
        view::esc(&expectation.outcome)
    );
    let reality = send(&call_of(&simple_scenario, &url), &shown_url, 1, Some(&format!("{SERVER}/log/{run_id}"))).await;
    html.push_str(&result_html(&expectation, &reality));
    set("simplify", &html);
}

async fn cache(page: &str, browser: Browser) {
    let scenario = allowing_scenario(base_request(), Some("600"), 2);
    let run_id = new_run_id();
    let (spec, _) = ReplaySpec::from_scenario(&scenario, page);
    let url = format!("{SERVER}{}", spec.path_and_query(&run_id));
    let shown_url = shown(SERVER);
    let Some((expectation, _)) = predict(&scenario, page, &shown_url, browser) else { return };
    let mut html = String::from("<p>How long each browser keeps the preflight's answer:</p><ul data-role=\"cache-entries\">");
    for profile_browser in Browser::ALL {
        if let Some((e, result)) = predict(&scenario, page, &shown_url, profile_browser) {
            let entry = result.last().and_then(|d| d.cache.first().cloned());
            let _ = write!(
                html,
                "<li><strong>{}</strong>: {} preflight(s) for two requests; {}</li>",
                view::esc(profile_browser.profile().name),
                e.preflight_count.unwrap_or_default(),
                view::esc(&entry.map_or("nothing cached".to_owned(), |entry| format!(
                    "cached for {} s (methods {}, headers {})",
                    entry.expires_ms() / 1000,
                    entry.methods.iter().map(|t| &*t.token).collect::<Vec<_>>().join(", "),
                    entry.headers.iter().map(|t| &*t.token).collect::<Vec<_>>().join(", ")
                )))
            );
        }
    }
    html.push_str("</ul>");
    let reality = send(&call_of(&scenario, &url), &shown_url, 2, Some(&format!("{SERVER}/log/{run_id}"))).await;
    html.push_str(&result_html(&expectation, &reality));
    set("cache", &html);
}

async fn proxy(page: &str, browser: Browser) {
    let scenario = allowing_scenario(base_request(), None, 1);
    let run_id = new_run_id();
    let (spec, _) = ReplaySpec::from_scenario(&scenario, page);
    // trunk's [[proxy]] forwards /api/... on this page's origin to the server.
    let url = format!("{page}/api{}", spec.path_and_query(&run_id));
    let shown_url = crate::predict::shown_url(page, &format!("/api{}", base_request().path));
    // The proxy is an HTTP server of its own: it adds a Date header, which a
    // same-origin page can read.
    let mut proxied = allowing_scenario(base_request(), None, 1);
    proxied.response.headers.push(("Date".to_owned(), "(added by the proxy)".to_owned()));
    let Some((expectation, _)) = predict(&proxied, page, &shown_url, browser) else { return };
    let mut html = format!(
        "<p>Same request, sent to <code>{}/api/…</code> on this page's own origin: predicted <strong data-role=\"demo-preflight\">{}</strong>, a <code>{}</code> response.</p>",
        view::esc(page),
        if expectation.preflight { "a preflight" } else { "no preflight, no CORS" },
        view::esc(expectation.response_type.as_deref().unwrap_or("none"))
    );
    let reality = send(&call_of(&scenario, &url), &shown_url, 1, Some(&format!("{SERVER}/log/{run_id}"))).await;
    if reality.status == Some(404) || reality.log.as_ref().is_some_and(Vec::is_empty) {
        html.push_str("<p class=\"note\" data-role=\"proxy-missing\">No proxy answers here: this demo needs the page served by <code>make run</code> (trunk serve with its [[proxy]]).</p>");
    }
    html.push_str(&result_html(&expectation, &reality));
    set("proxy", &html);
}

/// A `message` listener, kept alive until its answer arrives.
type MessageListener = Closure<dyn Fn(web_sys::MessageEvent)>;

/// What the page posts to the server's `/frame` page: the request to make
/// there, on the server's own origin.
#[derive(Serialize)]
struct FrameRequest<'a> {
    path: &'a str,
    method: &'a str,
    headers: &'a [(String, String)],
    body: Option<&'a str>,
}

/// The message around it, with the id its answer carries back.
#[derive(Serialize)]
struct FrameMessage<'a> {
    id: &'a str,
    request: FrameRequest<'a>,
}

/// What the page reads of the `/frame` page's answer.
#[derive(Deserialize)]
struct FrameAnswer {
    id: Option<String>,
    #[serde(default)]
    status: u16,
    #[serde(default, rename = "type")]
    response_type: String,
    #[serde(default)]
    body: String,
}

/// The iframe's answer, or why there is none.
async fn ask_frame(request: FrameRequest<'_>) -> Result<FrameAnswer, String> {
    let document = document().map_err(|_| "no document".to_owned())?;
    let window = web_sys::window().ok_or("no window")?;
    let frame = match document.get_element_by_id("server-frame") {
        Some(frame) => frame,
        None => {
            let frame = document.create_element("iframe").map_err(|_| "cannot create an iframe")?;
            frame.set_id("server-frame");
            let _ = frame.set_attribute("title", "A page on the server's origin");
            let _ = frame.set_attribute("hidden", "");
            let _ = frame.set_attribute("src", &format!("{SERVER}/frame"));
            let loaded = js_sys::Promise::new(&mut |resolve, _| {
                let _ = frame.add_event_listener_with_callback("load", &resolve);
            });
            document.body().ok_or("no body")?.append_child(&frame).map_err(|_| "cannot add the iframe")?;
            wasm_bindgen_futures::JsFuture::from(loaded).await.map_err(|_| "the iframe did not load")?;
            frame
        }
    };
    let target = frame
        .dyn_into::<web_sys::HtmlIFrameElement>()
        .ok()
        .and_then(|f| f.content_window())
        .ok_or("the iframe has no window")?;
    let id = new_run_id();
    let message = crate::json::to_string(&FrameMessage { id: &id, request });
    let answer: Rc<RefCell<Option<MessageListener>>> = Rc::new(RefCell::new(None));
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let expected_id = id.clone();
        let slot = answer.clone();
        let listener = Closure::<dyn Fn(web_sys::MessageEvent)>::new(move |event: web_sys::MessageEvent| {
            // Only the server's page may answer, and only to this request.
            if event.origin() != SERVER {
                return;
            }
            let data = event.data();
            let text = data.as_string().unwrap_or_default();
            let Ok(answer) = crate::json::parse::<FrameAnswer>(&text) else { return };
            if answer.id.as_deref() != Some(expected_id.as_str()) {
                return;
            }
            let _ = resolve.call1(&JsValue::NULL, &JsValue::from_str(&text));
            let _ = slot.borrow_mut().take();
        });
        if let Some(w) = web_sys::window() {
            let _ = w.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
        }
        *answer.borrow_mut() = Some(listener);
    });
    target
        .post_message(&JsValue::from_str(&message), SERVER)
        .map_err(|_| "postMessage failed")?;
    let timeout = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 5000);
    });
    let settled = wasm_bindgen_futures::JsFuture::from(js_sys::Promise::race(&js_sys::Array::of2(&promise, &timeout)))
        .await
        .map_err(|_| "no answer")?;
    let text = settled.as_string().ok_or("the server's page did not answer within 5 s")?;
    crate::json::parse(&text)
}

async fn iframe(page: &str) {
    let scenario = allowing_scenario(base_request(), None, 1);
    let run_id = new_run_id();
    let (spec, _) = ReplaySpec::from_scenario(&scenario, SERVER);
    let path = spec.path_and_query(&run_id);
    let request = FrameRequest {
        path: &path,
        method: &scenario.request.method,
        headers: &scenario.request.headers,
        body: scenario.request.body.as_deref(),
    };
    let mut html = format!(
        "<p>This page ({}) posts the request to a page on {SERVER}, which fetches <code>{}</code> on its own origin: same-origin, no CORS.</p>",
        view::esc(page),
        // The path the request stands for (it really goes to a replay URL).
        view::esc(&scenario.request.path)
    );
    match ask_frame(request).await {
        Ok(answer) => {
            let (status, type_, body) = (answer.status, answer.response_type.as_str(), answer.body.as_str());
            let log = crate::net::get_text(&format!("{SERVER}/log/{run_id}")).await.unwrap_or_default();
            let preflights = crate::json::parse::<Vec<crate::reality::LogEntry>>(&log)
                .map(|entries| entries.iter().filter(|e| e.preflight).count())
                .unwrap_or_default();
            let _ = write!(
                html,
                "<p class=\"banner {}\" data-role=\"demo-verdict\">The server's page answered: {status} ({}), body <code>{}</code>; the server saw <strong data-role=\"demo-preflight\">{}</strong>.</p>",
                if type_ == "basic" && preflights == 0 { "pass" } else { "fail" },
                view::esc(type_),
                view::esc(body),
                if preflights == 0 { "no preflight".to_owned() } else { format!("{preflights} preflight(s)") }
            );
        }
        Err(why) => {
            let _ = write!(html, "<p class=\"banner fail\" data-role=\"demo-verdict\">{}</p>", view::esc(&why));
        }
    }
    set("iframe", &html);
}
