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
//!
//! What each route answers is [`corslab::policy::article::ArticleRoute`]: the
//! explainer predicts these routes with the very same code.

use std::sync::Arc;

use axum::Router;
use axum::extract::{RawQuery, State};
use axum::http::header::ORIGIN;
use axum::http::{HeaderMap, HeaderName, HeaderValue};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use corslab::Origin;
use corslab::policy::article::ArticleRoute;

use crate::Config;
use crate::query::{BadRequest, pairs};

/// The body of every seed route, as in the article.
pub use corslab::policy::article::HELLO;

pub(crate) fn routes(config: Config) -> Router {
    Router::new()
        .route("/", get(no_cors))
        .route("/allow/origin", get(allow_origin))
        .route("/allow/any", get(allow_any))
        .route("/allow/list", get(allow_list))
        .with_state(Arc::new(config))
}

/// Reads the `origin` query parameters, each a strictly serialized origin.
fn query_origins(query: Option<&str>) -> Result<Vec<Origin>, BadRequest> {
    pairs(query, &["origin"])?
        .into_iter()
        .map(|(_, value)| {
            Origin::parse(&value).map_err(|e| BadRequest(format!("query parameter origin={value:?}: {e}")))
        })
        .collect()
}

/// The request's `Origin`, when it is a valid serialized origin.
fn request_origin(headers: &HeaderMap) -> Option<Origin> {
    headers.get(ORIGIN).and_then(|v| v.to_str().ok()).and_then(|v| Origin::parse(v).ok())
}

/// Sends what the core says the route answers.
fn answer(route: &ArticleRoute, headers: &HeaderMap) -> Response {
    let answer = route.answer(request_origin(headers).as_ref());
    let mut out = HeaderMap::new();
    for (name, value) in answer.headers.iter() {
        // The body sets Content-Length itself.
        if name.as_str() == "content-length" {
            continue;
        }
        if let (Ok(name), Ok(value)) = (HeaderName::try_from(name.as_str()), HeaderValue::try_from(value)) {
            out.append(name, value);
        }
    }
    (out, answer.body.unwrap_or_default()).into_response()
}

async fn no_cors(RawQuery(query): RawQuery, headers: HeaderMap) -> Result<Response, BadRequest> {
    pairs(query.as_deref(), &[])?;
    Ok(answer(&ArticleRoute::NoCors, &headers))
}

async fn allow_any(RawQuery(query): RawQuery, headers: HeaderMap) -> Result<Response, BadRequest> {
    pairs(query.as_deref(), &[])?;
    Ok(answer(&ArticleRoute::AllowAny, &headers))
}

async fn allow_origin(
    State(config): State<Arc<Config>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, BadRequest> {
    let named = query_origins(query.as_deref())?;
    let origin = match named.as_slice() {
        [] => config.allowed_origins.first().cloned(),
        [one] => Some(one.clone()),
        _ => return Err(BadRequest("give at most one origin= parameter".to_owned())),
    };
    let route = match origin {
        Some(origin) => ArticleRoute::AllowOrigin(origin),
        None => ArticleRoute::NoCors,
    };
    Ok(answer(&route, &headers))
}

async fn allow_list(
    State(config): State<Arc<Config>>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Result<Response, BadRequest> {
    let named = query_origins(query.as_deref())?;
    let list = if named.is_empty() { config.allowed_origins.clone() } else { named };
    Ok(answer(&ArticleRoute::AllowList(list), &headers))
}
