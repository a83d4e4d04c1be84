//! The seed article's routes: a server without CORS, then fixed three ways.
//!
//! - `GET /`: `Hello from the server!`, no CORS headers (the browser blocks it);
//! - `/allow/origin`: `Access-Control-Allow-Origin` naming one origin;
//! - `/allow/any`: `Access-Control-Allow-Origin: *`;
//! - `/allow/list`: echoes the request's `Origin` when it is in the allowlist.
//!
//! `/allow/origin?origin=O` names `O` instead of the configured origin, and
//! `/allow/list?origin=A&origin=B` uses that list instead of the configured
//! one, so a page (or a test) can show both the fix and the failure.

use std::sync::Arc;

use axum::extract::{RawQuery, State};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CONTENT_TYPE, ORIGIN, VARY};
use axum::http::{HeaderMap, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use corslab::Origin;

use crate::Config;
use crate::query::{BadRequest, pairs};

/// The body of every seed route, as in the article.
pub const HELLO: &str = "Hello from the server!";

pub(crate) fn routes(config: Config) -> Router {
    Router::new()
        .route("/", get(no_cors))
        .route("/allow/origin", get(allow_origin))
        .route("/allow/any", get(allow_any))
        .route("/allow/list", get(allow_list))
        .with_state(Arc::new(config))
}

fn hello() -> (HeaderMap, &'static str) {
    let mut headers = HeaderMap::new();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
    (headers, HELLO)
}

/// Reads the `origin` query parameters, each a strictly serialized origin.
fn query_origins(query: Option<&str>) -> Result<Vec<Origin>, BadRequest> {
    pairs(query, &["origin"])?
        .into_iter()
        .map(|(_, value)| {
            Origin::parse(&value)
                .map_err(|e| BadRequest(format!("query parameter origin={value:?}: {e}")))
        })
        .collect()
}

async fn no_cors(RawQuery(query): RawQuery) -> Result<Response, BadRequest> {
    pairs(query.as_deref(), &[])?;
    Ok(hello().into_response())
}

async fn allow_any(RawQuery(query): RawQuery) -> Result<Response, BadRequest> {
    pairs(query.as_deref(), &[])?;
    let (mut headers, body) = hello();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    Ok((headers, body).into_response())
}

async fn allow_origin(
    State(config): State<Arc<Config>>,
    RawQuery(query): RawQuery,
) -> Result<Response, BadRequest> {
    let named = query_origins(query.as_deref())?;
    let origin = match named.as_slice() {
        [] => config.allowed_origins.first().cloned(),
        [one] => Some(one.clone()),
        _ => return Err(BadRequest("give at most one origin= parameter".to_owned())),
    };
    let (mut headers, body) = hello();
    if let Some(value) = origin.and_then(|o| HeaderValue::try_from(o.to_string()).ok()) {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    Ok((headers, body).into_response())
}

async fn allow_list(
    State(config): State<Arc<Config>>,
    RawQuery(query): RawQuery,
    request_headers: HeaderMap,
) -> Result<Response, BadRequest> {
    let named = query_origins(query.as_deref())?;
    let list = if named.is_empty() { &config.allowed_origins } else { &named };
    let (mut headers, body) = hello();
    // The answer depends on the request's Origin, so caches must key on it:
    // Vary goes on every answer, allowed or not.
    headers.insert(VARY, HeaderValue::from_static("Origin"));
    let request_origin = request_headers
        .get(ORIGIN)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| Origin::parse(v).ok());
    if let Some(origin) = request_origin.filter(|o| list.contains(o))
        && let Ok(value) = HeaderValue::try_from(origin.to_string())
    {
        headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, value);
    }
    Ok((headers, body).into_response())
}
