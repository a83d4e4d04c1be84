//! CORS Lab's companion server.
//!
//! [`app`] builds the whole router from a [`Config`], so tests drive it with
//! `tower::ServiceExt::oneshot` without a socket; `main.rs` only wires
//! tracing, flags, the bind and graceful shutdown.

use std::time::Duration;

use axum::Router;
use axum::extract::Request;
use axum::middleware::{self, Next};
use axum::response::Response;
use corslab::Origin;
use tower_http::timeout::TimeoutLayer;

mod query;
mod seed;

pub use seed::HELLO;

/// What the server is told at start-up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The origins the seed routes allow: `/allow/origin` names the first,
    /// `/allow/list` echoes any of them.
    pub allowed_origins: Vec<Origin>,
}

impl Config {
    /// The seed article's page origins: the page on port 5050, reached as
    /// `localhost` or as `127.0.0.1`.
    pub fn default_allowed_origins() -> Vec<Origin> {
        ["http://localhost:5050", "http://127.0.0.1:5050"]
            .into_iter()
            .filter_map(|o| Origin::parse(o).ok())
            .collect()
    }
}

impl Default for Config {
    fn default() -> Self {
        Config { allowed_origins: Config::default_allowed_origins() }
    }
}

/// How long one request may take before the server answers 408; this also
/// bounds how long graceful shutdown can wait.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

/// The whole application.
pub fn app(config: Config) -> Router {
    Router::new()
        .merge(seed::routes(config))
        .layer(middleware::from_fn(log_request))
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            REQUEST_TIMEOUT,
        ))
}

/// One log line per request: method, path, Origin, status.
async fn log_request(request: Request, next: Next) -> Response {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let origin = request
        .headers()
        .get(axum::http::header::ORIGIN)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("-")
        .to_owned();
    let response = next.run(request).await;
    tracing::info!(%method, %path, %origin, status = response.status().as_u16(), "request");
    response
}
