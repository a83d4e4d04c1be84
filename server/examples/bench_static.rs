//! Benchmark only: the policy endpoint's answer to the benchmark's
//! preflight, its five headers written as constants, with no CORS logic at
//! all (no origin read, nothing checked, nothing logged): what the same
//! route costs when it only has to write the answer. Each of the five is
//! owed: the policy refuses other origins, methods and headers (so the
//! answer varies by all three: `Vary`), allows a method and a header that
//! are not safelisted, and asks for a max-age. No implementation that sends
//! this answer can be faster on this stack.
//!
//! `cargo run --profile bench -p corslab-server --example bench_static -- PORT`

use axum::Router;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS, ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_MAX_AGE, VARY,
};
use axum::http::{HeaderValue, Method, StatusCode};
use axum::response::IntoResponse;
use axum::routing::any;

#[path = "support/bench.rs"]
mod bench_common;

async fn answer(method: Method) -> axum::response::Response {
    if method != Method::OPTIONS {
        return (StatusCode::OK, "ok").into_response();
    }
    (
        StatusCode::NO_CONTENT,
        [
            (ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("http://localhost:5050")),
            (ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static("PUT")),
            (ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static("x-custom")),
            (ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static("600")),
            (VARY, HeaderValue::from_static("Origin, Access-Control-Request-Method, Access-Control-Request-Headers")),
        ],
    )
        .into_response()
}

#[tokio::main]
async fn main() {
    let app = Router::new().route("/policy/{run}", any(answer)).route("/policy/{run}/{*rest}", any(answer));
    bench_common::run("bench_static", app).await;
}
