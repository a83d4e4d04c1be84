//! Benchmark only: the same route as the policy endpoint with no CORS at
//! all (preflights get an empty 204): the limit of this machine and stack.
//!
//! `cargo run --profile bench -p corslab-server --example bench_bare -- PORT`

use axum::Router;
use axum::http::{Method, StatusCode};
use axum::routing::any;

#[path = "support/bench.rs"]
mod bench_common;

async fn answer(method: Method) -> (StatusCode, &'static str) {
    if method == Method::OPTIONS { (StatusCode::NO_CONTENT, "") } else { (StatusCode::OK, "ok") }
}

#[tokio::main]
async fn main() {
    let app = Router::new().route("/policy/{run}", any(answer)).route("/policy/{run}/{*rest}", any(answer));
    bench_common::run("bench_bare", app).await;
}
