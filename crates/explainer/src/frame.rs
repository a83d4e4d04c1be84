//! A `fetch()` from another context than the page itself, for real: the
//! contexts of `cors-scenarios/2` (`request.context`), as `corslab verify`
//! replays them.
//!
//! - `sandboxed-iframe`: `<iframe sandbox="allow-scripts">` of the companion
//!   server's fixed page `/frame/fetch` (an opaque origin: `Origin: null`),
//!   sent the request by `postMessage`, posting back what its `fetch()` saw;
//! - `data-iframe`: the same page, as a `data:` URL (opaque too);
//! - `blank-iframe`: an `<iframe>` without `src` (`about:blank`, this page's
//!   origin), whose own `fetch` runs the request.
//!
//! The frame reports what a page sees (the kind of outcome, status, type,
//! readable header names, `redirected`), never the body.

use std::cell::RefCell;
use std::rc::Rc;

use corslab::fetch::client::ContextKind;
use serde::Deserialize;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{HtmlIFrameElement, MessageEvent};

use crate::net::{FetchInit, FetchOutcome, describe_error, get_text};

/// How long the page waits for a frame's answer.
const FRAME_TIMEOUT_MS: i32 = 15_000;

/// What the frame's fetch function posts back (the companion server's
/// `FETCH_JS`): `{kind: "resolved", status, type, headers, redirected,
/// url}`, `{kind: "rejected", message}` or `{kind: "type-error", message}`.
#[derive(Debug, Deserialize)]
struct FrameResult {
    kind: String,
    #[serde(default)]
    status: Option<u16>,
    #[serde(default, rename = "type")]
    response_type: Option<String>,
    #[serde(default)]
    headers: Option<Vec<String>>,
    #[serde(default)]
    message: Option<String>,
    #[serde(default)]
    redirected: Option<bool>,
}

/// The message the frame's page reads: the request, and an id to answer with.
#[derive(serde::Serialize)]
struct FrameRequest<'a> {
    id: &'a str,
    url: &'a str,
    method: &'a str,
    headers: &'a [(String, String)],
    mode: &'a str,
    credentials: &'a str,
    redirect: &'a str,
    body: Option<&'a str>,
}

/// Runs `fetch(url, init)` in a frame of `context` (the companion server at
/// `server` serves the opaque frames' page); `window` runs in the page.
pub async fn fetch_in(context: ContextKind, server: &str, url: &str, init: &FetchInit<'_>, modes: [&str; 3]) -> FetchOutcome {
    match run(context, server, url, init, modes).await {
        Ok(outcome) => outcome,
        Err(error) => FetchOutcome::Rejected { error: format!("the frame could not run the fetch: {}", describe_error(&error)) },
    }
}

async fn run(context: ContextKind, server: &str, url: &str, init: &FetchInit<'_>, modes: [&str; 3]) -> Result<FetchOutcome, JsValue> {
    if context == ContextKind::Window {
        return Ok(crate::net::fetch(url, init).await);
    }
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    let document = window.document().ok_or_else(|| JsValue::from_str("no document"))?;
    for old in [document.query_selector_all("iframe[data-corslab-frame]")?] {
        for i in 0..old.length() {
            if let Some(node) = old.get(i).and_then(|n| n.dyn_into::<web_sys::Element>().ok()) {
                node.remove();
            }
        }
    }
    let frame: HtmlIFrameElement = document.create_element("iframe")?.dyn_into()?;
    frame.set_attribute("data-corslab-frame", context.as_str())?;
    frame.set_attribute("title", "CORS Lab: the fetch's context")?;
    frame.set_attribute("hidden", "")?;
    match context {
        ContextKind::SandboxedIframe => {
            frame.set_attribute("sandbox", "allow-scripts")?;
            frame.set_src(&format!("{server}/frame/fetch"));
        }
        ContextKind::DataIframe => {
            let html = get_text(&format!("{server}/frame/fetch")).await.ok_or_else(|| JsValue::from_str("the companion server's /frame/fetch did not answer"))?;
            frame.set_src(&format!("data:text/html,{}", String::from(js_sys::encode_uri_component(&html))));
        }
        _ => {}
    }
    let loaded = once_event(&frame, "load");
    document.body().ok_or_else(|| JsValue::from_str("no body"))?.append_child(&frame)?;
    if context == ContextKind::BlankIframe {
        // about:blank is this page's origin: its own fetch runs the request.
        let content = frame.content_window().ok_or_else(|| JsValue::from_str("the frame has no window"))?;
        return Ok(blank_fetch(&content, url, init).await);
    }
    JsFuture::from(loaded).await?;
    // Only now: the frame's document (another process, maybe) is the one
    // that answers.
    let content = frame.content_window().ok_or_else(|| JsValue::from_str("the frame has no window"))?;
    let id = format!("{}", (js_sys::Math::random() * 1e15) as u64);
    let [mode, credentials, redirect] = modes;
    let request = FrameRequest { id: &id, url, method: init.method, headers: init.headers, mode, credentials, redirect, body: init.body };
    let answer = answer_from(&frame, id.clone());
    content.post_message(&JsValue::from_str(&crate::json::to_string(&request)), "*")?;
    let text = JsFuture::from(answer).await?.as_string().ok_or_else(|| JsValue::from_str("no answer from the frame within 15 s"))?;
    frame.remove();
    #[derive(Deserialize)]
    struct Answer {
        result: FrameResult,
    }
    let answer: Answer = crate::json::parse(&text).map_err(|e| JsValue::from_str(&format!("the frame's answer: {e}")))?;
    let result = answer.result;
    Ok(match result.kind.as_str() {
        "resolved" => FetchOutcome::Resolved {
            status: result.status.unwrap_or(0),
            response_type: result.response_type.unwrap_or_default(),
            visible_headers: result.headers.unwrap_or_default(),
            body: String::new(),
            redirected: result.redirected.unwrap_or(false),
        },
        "type-error" => FetchOutcome::Refused { error: result.message.unwrap_or_default() },
        _ => FetchOutcome::Rejected { error: result.message.unwrap_or_default() },
    })
}

/// A promise that resolves at the first `kind` event of `target`.
fn once_event(target: &web_sys::EventTarget, kind: &str) -> js_sys::Promise {
    let target = target.clone();
    let kind = kind.to_owned();
    js_sys::Promise::new(&mut |resolve, _reject| {
        let options = web_sys::AddEventListenerOptions::new();
        options.set_once(true);
        let _ = target.add_event_listener_with_callback_and_add_event_listener_options(&kind, &resolve, &options);
    })
}

/// A `message` listener, kept until it has its answer (then removed).
type Listener = Closure<dyn FnMut(MessageEvent)>;

/// A promise of the text `frame` posts back with `id` (the
/// whole message, a JSON object), or `undefined` after the timeout.
fn answer_from(frame: &HtmlIFrameElement, id: String) -> js_sys::Promise {
    let frame = frame.clone();
    js_sys::Promise::new(&mut |resolve, _reject| {
        let Some(window) = web_sys::window() else { return };
        let slot: Rc<RefCell<Option<Listener>>> = Rc::new(RefCell::new(None));
        let resolve_message = resolve.clone();
        let (frame, id, slot_in) = (frame.clone(), id.clone(), slot.clone());
        let listener = Listener::new(move |event: MessageEvent| {
            let from_frame = match (event.source(), frame.content_window()) {
                (Some(source), Some(content)) => js_sys::Object::is(&source, &content),
                _ => false,
            };
            let Some(text) = event.data().as_string() else { return };
            if !from_frame || !text.contains(&format!("\"id\":\"{id}\"")) {
                return;
            }
            let _ = resolve_message.call1(&JsValue::NULL, &JsValue::from_str(&text));
            if let (Some(window), Some(listener)) = (web_sys::window(), slot_in.borrow_mut().take()) {
                let _ = window.remove_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
            }
        });
        let _ = window.add_event_listener_with_callback("message", listener.as_ref().unchecked_ref());
        *slot.borrow_mut() = Some(listener);
        // Gives up after the timeout (the listener goes with the page's
        // next frame send, or stays idle).
        let timeout = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(timeout.unchecked_ref(), FRAME_TIMEOUT_MS);
    })
}

/// The request run by an `about:blank` frame's own `fetch`. The `Request`
/// is built here first, only to tell a `TypeError` of its constructor
/// (the same rules in every realm); the frame's `fetch` gets the URL and
/// the options, so its own realm makes the request.
async fn blank_fetch(content: &web_sys::Window, url: &str, init: &FetchInit<'_>) -> FetchOutcome {
    if let Err(error) = crate::net::build_request(url, init) {
        return FetchOutcome::Refused { error: describe_error(&error) };
    }
    match crate::net::fetch_in_realm(content, url, init).await {
        Ok(outcome) => outcome,
        Err(error) => FetchOutcome::Rejected { error: describe_error(&error) },
    }
}
