//! `GET /frame`: a small page on the server's own origin for the explainer's
//! iframe demo. A page from an allowed origin posts it a request; it fetches
//! that path on its own origin (same-origin: no CORS, no preflight) and posts
//! the result back to that page only.
//!
//! It answers messages only from the configured allowed origins, only
//! fetches paths on its own origin, and may be framed only by those origins
//! (`Content-Security-Policy: frame-ancestors`).

use std::sync::Arc;

use axum::extract::State;
use axum::http::HeaderValue;
use axum::http::header::{CACHE_CONTROL, CONTENT_SECURITY_POLICY, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};

use crate::Config;

const SCRIPT: &str = r#"
const allowed = JSON.parse(document.getElementById("allowed").textContent);
addEventListener("message", async (event) => {
  if (!allowed.includes(event.origin)) return;
  let message;
  try { message = JSON.parse(event.data); } catch (e) { return; }
  const request = message && message.request;
  const reply = (result) => event.source.postMessage(JSON.stringify(Object.assign({ id: message.id }, result)), event.origin);
  if (!request || typeof request.path !== "string" || !request.path.startsWith("/") || request.path.startsWith("//")) {
    reply({ error: "only paths on this origin" });
    return;
  }
  try {
    const init = { method: request.method || "GET", headers: request.headers || [] };
    if (request.body !== null && request.body !== undefined) init.body = request.body;
    const response = await fetch(request.path, init);
    const body = await response.text();
    reply({ status: response.status, type: response.type, headers: [...response.headers.keys()].sort(), body: body.slice(0, 1000) });
  } catch (e) {
    reply({ error: String(e) });
  }
});
"#;

/// The page.
pub(crate) async fn frame(State(config): State<Arc<Config>>) -> Response {
    let allowed: Vec<String> = config.allowed_origins.iter().map(ToString::to_string).collect();
    // Origins are validated serializations: no quotes, no `<`.
    let json = serde_json::to_string(&allowed).unwrap_or_else(|_| "[]".to_owned());
    let html = format!(
        "<!doctype html><html lang=en><head><meta charset=utf-8><title>CORS Lab: same-origin requests</title></head><body><script type=\"application/json\" id=\"allowed\">{json}</script><script>{SCRIPT}</script></body></html>"
    );
    let ancestors = if allowed.is_empty() { "'none'".to_owned() } else { allowed.join(" ") };
    let csp = format!("default-src 'self'; script-src 'unsafe-inline'; frame-ancestors {ancestors}");
    let mut response = html.into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::try_from(csp) {
        headers.insert(CONTENT_SECURITY_POLICY, value);
    }
    response
}
