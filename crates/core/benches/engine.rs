//! How fast the engine decides: classifying a request, the trace-free path a
//! server takes (preflight evaluation, CORS check, readable headers), the
//! same with a full trace, and whole decisions.
//!
//! `cargo bench -p corslab --bench engine` (add
//! `-- --warm-up-time 1 --measurement-time 3` for a quicker run).

use std::hint::black_box;

use corslab::fetch::cache::PreflightCache;
use corslab::fetch::classify::classify;
use corslab::fetch::cors_check::cors_check;
use corslab::fetch::expose_headers::{visible_header_names, visible_headers};
use corslab::fetch::preflight::evaluate_preflight;
use corslab::formats::scenario::Responder;
use corslab::trace::{NoTrace, Step};
use corslab::{
    Browser, Context, CredentialsMode, FetchCall, FetchRequest, HeaderList, Origin, RequestMode, ServerResponse, Stage,
    Tainting, decide, decide_traced,
};
use criterion::{BenchmarkId, Criterion, criterion_group, criterion_main};

const PAGE: &str = "https://app.example.com";

fn page() -> Origin {
    Origin::parse(PAGE).expect("page origin")
}

/// A typical preflighted call: a credentialed JSON `PUT` with a bearer token
/// and a request id.
fn typical_call() -> FetchCall {
    FetchCall {
        url: "https://api.example.com/v1/items/42?expand=owner".to_owned(),
        method: "PUT".to_owned(),
        headers: [
            ("Content-Type", "application/json"),
            ("Authorization", "Bearer eyJhbGciOiJIUzI1NiJ9.e30.abc"),
            ("X-Request-Id", "7f3c2a9e-5b1d-4c8e-9f0a-1b2c3d4e5f60"),
            ("Accept", "application/json"),
        ]
        .iter()
        .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
        .collect(),
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Include,
        body: Some("{\"name\":\"widget\"}".to_owned()),
    }
}

fn response(status: u16, pairs: &[(&str, &str)]) -> ServerResponse {
    ServerResponse { status, headers: HeaderList::from_pairs(pairs).expect("valid headers"), body: None }
}

/// What a well-configured API answers to the preflight...
fn preflight_response() -> ServerResponse {
    response(
        204,
        &[
            ("Access-Control-Allow-Origin", PAGE),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Allow-Methods", "GET, POST, PUT, DELETE"),
            ("Access-Control-Allow-Headers", "Content-Type, Authorization, X-Request-Id"),
            ("Access-Control-Max-Age", "600"),
            ("Vary", "Origin"),
        ],
    )
}

/// ...and to the request itself.
fn actual_response() -> ServerResponse {
    response(
        200,
        &[
            ("Access-Control-Allow-Origin", PAGE),
            ("Access-Control-Allow-Credentials", "true"),
            ("Access-Control-Expose-Headers", "X-Request-Id, ETag"),
            ("Content-Type", "application/json"),
            ("Content-Length", "42"),
            ("Cache-Control", "no-store"),
            ("ETag", "\"v1\""),
            ("X-Request-Id", "7f3c2a9e-5b1d-4c8e-9f0a-1b2c3d4e5f60"),
            ("Date", "Thu, 01 Jan 1970 00:00:00 GMT"),
            ("Vary", "Origin"),
        ],
    )
}

/// (a) What `fetch()` builds, and simple-or-preflighted.
fn bench_classify(c: &mut Criterion) {
    let call = typical_call();
    let page = page();
    let profile = Browser::Chrome.profile();
    let request = FetchRequest::build(&call, &page, profile, &mut NoTrace).expect("valid request");
    let mut group = c.benchmark_group("classify");
    group.bench_function("build", |b| {
        b.iter(|| FetchRequest::build(black_box(&call), black_box(&page), profile, &mut NoTrace))
    });
    group.bench_function("classify", |b| b.iter(|| classify(black_box(&request), profile, &mut NoTrace)));
    group.bench_function("build+classify", |b| {
        b.iter(|| {
            let request = FetchRequest::build(black_box(&call), black_box(&page), profile, &mut NoTrace)
                .expect("valid request");
            classify(&request, profile, &mut NoTrace)
        })
    });
    group.finish();
}

/// (b) and (c): the checks a server runs on pre-built inputs, without and
/// with a trace.
fn bench_server_path(c: &mut Criterion) {
    let call = typical_call();
    let page = page();
    for browser in [Browser::Chrome, Browser::Firefox, Browser::Spec] {
        let profile = browser.profile();
        let request = FetchRequest::build(&call, &page, profile, &mut NoTrace).expect("valid request");
        let classification = classify(&request, profile, &mut NoTrace);
        let checked = classification.checked_headers(profile).to_vec();
        let preflight = preflight_response();
        let actual = actual_response();
        let credentials = request.includes_credentials();
        assert!(evaluate_preflight(&request, &checked, &preflight, profile, &mut NoTrace).is_ok());
        assert!(cors_check(&request, &actual, Stage::Actual, &mut NoTrace).is_ok());

        let mut group = c.benchmark_group(format!("server_path_no_trace/{browser}"));
        group.bench_function("evaluate_preflight", |b| {
            b.iter(|| evaluate_preflight(black_box(&request), black_box(&checked), black_box(&preflight), profile, &mut NoTrace))
        });
        group.bench_function("cors_check", |b| {
            b.iter(|| cors_check(black_box(&request), black_box(&actual), Stage::Actual, &mut NoTrace))
        });
        group.bench_function("visible_header_names", |b| {
            b.iter(|| visible_header_names(black_box(&actual.headers), Tainting::Cors, black_box(credentials)))
        });
        group.bench_function("all", |b| {
            b.iter(|| {
                let grant = evaluate_preflight(black_box(&request), black_box(&checked), black_box(&preflight), profile, &mut NoTrace);
                let checked_ok = cors_check(black_box(&request), black_box(&actual), Stage::Actual, &mut NoTrace);
                let visible = visible_header_names(black_box(&actual.headers), Tainting::Cors, credentials);
                (grant, checked_ok, visible)
            })
        });
        group.finish();

        let mut group = c.benchmark_group(format!("server_path_traced/{browser}"));
        group.bench_function("evaluate_preflight", |b| {
            b.iter(|| {
                let mut steps: Vec<Step> = Vec::new();
                let grant = evaluate_preflight(black_box(&request), black_box(&checked), black_box(&preflight), profile, &mut steps);
                (grant, steps)
            })
        });
        group.bench_function("all", |b| {
            b.iter(|| {
                let mut steps: Vec<Step> = Vec::new();
                let grant = evaluate_preflight(black_box(&request), black_box(&checked), black_box(&preflight), profile, &mut steps);
                let checked_ok = cors_check(black_box(&request), black_box(&actual), Stage::Actual, &mut steps);
                let visible = visible_headers(black_box(&actual.headers), Tainting::Cors, credentials);
                (grant, checked_ok, visible, steps)
            })
        });
        group.finish();
    }
}

/// (d) Whole decisions on a typical preflighted request, on a fresh cache
/// (so the preflight is sent and evaluated every time).
fn bench_decide(c: &mut Criterion) {
    let call = typical_call();
    let page = page();
    let server = Responder { preflight: preflight_response(), response: actual_response() };
    let mut group = c.benchmark_group("decide");
    for browser in Browser::ALL {
        group.bench_with_input(BenchmarkId::new("decide", browser), &browser, |b, &browser| {
            b.iter(|| {
                let mut cache = PreflightCache::new(browser.profile());
                decide(black_box(&call), black_box(&page), &server, browser, Context { cache: &mut cache, now_ms: 0 })
            })
        });
        group.bench_with_input(BenchmarkId::new("decide_traced", browser), &browser, |b, &browser| {
            b.iter(|| {
                let mut cache = PreflightCache::new(browser.profile());
                decide_traced(black_box(&call), black_box(&page), &server, browser, Context { cache: &mut cache, now_ms: 0 })
            })
        });
    }
    group.finish();
}

criterion_group!(benches, bench_classify, bench_server_path, bench_decide);
criterion_main!(benches);
