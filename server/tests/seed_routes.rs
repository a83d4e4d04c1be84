//! The seed article's routes, driven through `app()` without a socket, and
//! once over a real socket.

// Tests may unwrap and panic: a failure is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

use axum::body::Body;
use axum::http::{Request, StatusCode};
use corslab::Origin;
use corslab_server::{Config, HELLO, app};
use http_body_util::BodyExt;
use tower::ServiceExt;

struct Answer {
    status: StatusCode,
    headers: axum::http::HeaderMap,
    body: String,
}

async fn get(config: Config, uri: &str, origin: Option<&str>) -> Answer {
    let mut request = Request::get(uri);
    if let Some(origin) = origin {
        request = request.header("origin", origin);
    }
    let response = app(config).oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    Answer { status, headers, body: String::from_utf8(body.to_vec()).unwrap() }
}

fn header<'a>(answer: &'a Answer, name: &str) -> Option<&'a str> {
    answer.headers.get(name).map(|v| v.to_str().unwrap())
}

const PAGE: &str = "http://localhost:5050";

#[tokio::test]
async fn root_says_hello_without_cors_headers() {
    let answer = get(Config::default(), "/", Some(PAGE)).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, HELLO);
    assert_eq!(header(&answer, "content-type"), Some("text/plain"));
    assert!(answer.headers.keys().all(|k| !k.as_str().starts_with("access-control-")));
}

#[tokio::test]
async fn allow_origin_names_the_first_configured_origin() {
    let answer = get(Config::default(), "/allow/origin", Some("http://evil.example")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, HELLO);
    assert_eq!(header(&answer, "access-control-allow-origin"), Some(PAGE));
    assert_eq!(header(&answer, "vary"), None);
}

#[tokio::test]
async fn allow_origin_query_names_another_origin() {
    let answer = get(Config::default(), "/allow/origin?origin=https%3A%2F%2Fa.example", None).await;
    assert_eq!(header(&answer, "access-control-allow-origin"), Some("https://a.example"));
}

#[tokio::test]
async fn allow_any_sends_a_wildcard() {
    let answer = get(Config::default(), "/allow/any", Some(PAGE)).await;
    assert_eq!(answer.body, HELLO);
    assert_eq!(header(&answer, "access-control-allow-origin"), Some("*"));
}

#[tokio::test]
async fn allow_list_echoes_listed_origins_only() {
    for listed in ["http://localhost:5050", "http://127.0.0.1:5050"] {
        let answer = get(Config::default(), "/allow/list", Some(listed)).await;
        assert_eq!(header(&answer, "access-control-allow-origin"), Some(listed));
        assert_eq!(header(&answer, "vary"), Some("Origin"));
    }
    let answer = get(Config::default(), "/allow/list", Some("http://localhost:3000")).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
    assert_eq!(header(&answer, "vary"), Some("Origin"), "caches must key on Origin either way");
    let answer = get(Config::default(), "/allow/list", None).await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn allow_list_compares_whole_serialized_origins() {
    // Near misses of a listed origin: other case, trailing slash, default
    // port written out, another port, a list.
    for origin in [
        "HTTP://LOCALHOST:5050",
        "http://localhost:5050/",
        "http://localhost:5051",
        "http://localhost:5050, http://127.0.0.1:5050",
        "null",
    ] {
        let answer = get(Config::default(), "/allow/list", Some(origin)).await;
        assert_eq!(header(&answer, "access-control-allow-origin"), None, "origin {origin:?}");
    }
}

#[tokio::test]
async fn allow_list_query_replaces_the_configured_list() {
    let uri = "/allow/list?origin=http%3A%2F%2Fa.test&origin=http%3A%2F%2Fb.test";
    let answer = get(Config::default(), uri, Some("http://b.test")).await;
    assert_eq!(header(&answer, "access-control-allow-origin"), Some("http://b.test"));
    let answer = get(Config::default(), uri, Some(PAGE)).await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn configured_origins_replace_the_defaults() {
    let config = Config { allowed_origins: vec![Origin::parse("http://127.0.0.1:8099").unwrap()], ..Config::default() };
    let answer = get(config.clone(), "/allow/origin", None).await;
    assert_eq!(header(&answer, "access-control-allow-origin"), Some("http://127.0.0.1:8099"));
    let answer = get(config, "/allow/list", Some(PAGE)).await;
    assert_eq!(header(&answer, "access-control-allow-origin"), None);
}

#[tokio::test]
async fn nonsense_queries_get_a_clear_400() {
    for (uri, needle) in [
        ("/?x=1", "unknown query parameter \"x\""),
        ("/allow/any?origin=http%3A%2F%2Fa.test", "unknown query parameter \"origin\""),
        ("/allow/origin?origin=localhost%3A5050", "no scheme"),
        ("/allow/origin?origin=http%3A%2F%2Fa.test%2F", "must not end with '/'"),
        ("/allow/origin?origin=http%3A%2F%2Fa.test&origin=http%3A%2F%2Fb.test", "at most one"),
        ("/allow/list?origins=x", "unknown query parameter \"origins\""),
    ] {
        let answer = get(Config::default(), uri, None).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
        assert!(answer.body.contains(needle), "{uri}: {}", answer.body);
    }
}

#[tokio::test]
async fn other_methods_are_refused() {
    let request = Request::post("/allow/any").body(Body::empty()).unwrap();
    let response = app(Config::default()).oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn serves_over_a_real_socket() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(corslab_server::serve(listener, app(Config::default()), std::future::pending()));
    let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    stream
        .write_all(b"GET /allow/any HTTP/1.1\r\nHost: x\r\nOrigin: http://localhost:5050\r\nConnection: close\r\n\r\n")
        .await
        .unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).await.unwrap();
    server.abort();
    assert!(raw.starts_with("HTTP/1.1 200 OK"), "{raw}");
    assert!(raw.to_ascii_lowercase().contains("access-control-allow-origin: *"), "{raw}");
    assert!(raw.ends_with(HELLO), "{raw}");
}

#[tokio::test]
async fn the_frame_page_trusts_only_the_allowed_origins() {
    let answer = get(Config::default(), "/frame", None).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(header(&answer, "content-type"), Some("text/html; charset=utf-8"));
    let csp = header(&answer, "content-security-policy").unwrap_or_default();
    assert!(csp.contains("frame-ancestors http://localhost:5050 http://127.0.0.1:5050"), "{csp}");
    assert!(answer.body.contains(r#"["http://localhost:5050","http://127.0.0.1:5050"]"#), "{}", answer.body);
    assert!(answer.body.contains("allowed.includes(event.origin)"));
    let config = Config { allowed_origins: vec![], ..Config::default() };
    let answer = get(config, "/frame", None).await;
    assert!(header(&answer, "content-security-policy").unwrap_or_default().contains("frame-ancestors 'none'"));
}
