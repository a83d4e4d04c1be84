//! Benchmark only: the benchmark's policy (origin http://localhost:5050,
//! method PUT, header X-Custom, max-age 600) with tower-http's `CorsLayer`
//! on the same route as the policy endpoint.
//!
//! Note what it does not do: it answers every OPTIONS request as a
//! preflight, and answers a disallowed origin, method or header with 200
//! and its CORS headers all the same (the browser then blocks).
//!
//! `cargo run --profile bench -p corslab-server --example bench_towerhttp -- PORT`

use std::time::Duration;

use axum::Router;
use axum::http::{HeaderName, HeaderValue, Method};
use axum::routing::any;
use tower_http::cors::CorsLayer;

#[path = "support/bench.rs"]
mod bench_common;

#[tokio::main]
async fn main() {
    let cors = CorsLayer::new()
        .allow_origin(HeaderValue::from_static("http://localhost:5050"))
        .allow_methods([Method::PUT])
        .allow_headers([HeaderName::from_static("x-custom")])
        .max_age(Duration::from_secs(600));
    let app = Router::new()
        .route("/policy/{run}", any(|| async { "ok" }))
        .route("/policy/{run}/{*rest}", any(|| async { "ok" }))
        .layer(cors);
    bench_common::run("bench_towerhttp", app).await;
}
