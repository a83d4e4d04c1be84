//! `GET /frame/fetch`: a fixed page that runs one `fetch()` for the page
//! that frames it, in an opaque origin, and posts the result back. `corslab
//! verify` frames it with `<iframe sandbox="allow-scripts">` to replay a
//! scenario's `sandboxed-iframe` context (`cors-scenarios/2`), and writes
//! the same page into a `data:` URL for its `data-iframe` context.
//!
//! The page is the same for everyone (no parameter shapes it), and it is
//! always sandboxed: its answer carries `Content-Security-Policy: sandbox
//! allow-scripts`, so even opened on its own or framed without `sandbox`
//! it runs in an opaque origin (`null`), never with this server's. What its
//! script can do for a parent (a `fetch()` with `Origin: null` and no
//! cookies of this origin) any website can do with a sandboxed iframe of
//! its own. It is no scripted route: it answers navigations (a frame is
//! one), which the scripted routes refuse.

use axum::http::HeaderValue;
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

/// The function that runs one `fetch()`, given what the page passes
/// (`url`, `method`, `headers`, `mode`, `credentials`, `redirect`, `body`),
/// and returns what the page can see of it: `{kind: "resolved", status,
/// type, headers, redirected, url}`, `{kind: "rejected", message}`, or
/// `{kind: "type-error", message}` when the `Request` constructor refuses
/// (before any network activity). The verify command's drivers run the same
/// function in the top-level page and in `about:blank` frames.
pub const FETCH_JS: &str = r#"async (spec) => {
  const init = { method: spec.method, headers: spec.headers, mode: spec.mode, credentials: spec.credentials };
  if (spec.redirect) init.redirect = spec.redirect;
  if (spec.body !== null && spec.body !== undefined) init.body = spec.body;
  let request;
  try { request = new Request(spec.url, init); }
  catch (e) { return { kind: "type-error", message: String(e) }; }
  try {
    const response = await fetch(request);
    const headers = [...new Set([...response.headers.keys()].map((k) => k.toLowerCase()))].sort();
    try { await response.arrayBuffer(); } catch (e) {}
    return { kind: "resolved", status: response.status, type: response.type, headers, redirected: response.redirected, url: response.url };
  } catch (e) {
    return { kind: "rejected", message: String(e) };
  }
}"#;

/// The page's script: it waits for a message from its parent (a JSON
/// object with an `id` and the fetch), runs [`FETCH_JS`], and posts back
/// `{id, result}` as JSON.
pub fn frame_script() -> String {
    format!(
        r#"const run = {FETCH_JS};
addEventListener("message", async (event) => {{
  if (event.source !== parent || parent === self) return;
  let spec;
  try {{ spec = JSON.parse(event.data); }} catch (e) {{ return; }}
  if (!spec || typeof spec.id !== "string") return;
  const result = await run(spec);
  parent.postMessage(JSON.stringify({{ id: spec.id, result }}), "*");
}});"#
    )
}

/// The whole page, as `/frame/fetch` serves it (and as a `data:` URL holds it).
pub fn frame_html() -> String {
    format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><link rel=icon href=\"data:,\"><title>CORS Lab: fetch in a frame</title></head><body><script>{}</script></body></html>",
        frame_script()
    )
}

/// `GET /frame/fetch`.
pub(crate) async fn page() -> Response {
    let mut response = frame_html().into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    // Always an opaque origin, however it is opened.
    headers.insert(CONTENT_SECURITY_POLICY, HeaderValue::from_static("sandbox allow-scripts"));
    // Any page may read it (the explainer writes it into a `data:` frame):
    // it is the same fixed text for everyone, read without credentials.
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}
