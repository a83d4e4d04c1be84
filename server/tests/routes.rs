//! Every route through `app()` without a socket: replay, policy, log, the
//! limits, every policy validation error and every refused replay header;
//! then once over a real socket.

// Tests may unwrap and panic: a failure is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::StatusCode;
use axum::routing::put;
use common::{Answer, enc, send};
use corslab::policy::{CorsPolicy, PolicyConfig};
use corslab::formats::replay::{MAX_QUERY_LEN, ReplaySpec};
use corslab::formats::scenario::ScriptedResponse;
use corslab_server::{Config, CorsPolicyLayer, MAX_URI_LEN, app, log};

const PAGE: &str = "http://localhost:5050";

fn server() -> Router {
    app(Config::default())
}

fn replay_query(preflight: Option<ScriptedResponse>, response: ScriptedResponse) -> String {
    ReplaySpec {
        origin: PAGE.to_owned(),
        top_origin: None,
        preflight,
        response,
        id: Some("t".to_owned()),
        at: None,
        hops: Vec::new(),
    }
    .to_query()
}

fn scripted(status: u16, headers: &[(&str, &str)], body: Option<&str>) -> ScriptedResponse {
    ScriptedResponse {
        status,
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        body: body.map(str::to_owned),
    }
}

// ---------------------------------------------------------------- replay

#[tokio::test]
async fn replay_answers_preflight_and_request_from_one_url() {
    let app = server();
    let query = replay_query(
        Some(scripted(
            204,
            &[
                ("Access-Control-Allow-Origin", "{origin}"),
                ("Access-Control-Allow-Methods", "PUT"),
                ("X-Seen", "{url}"),
            ],
            None,
        )),
        scripted(
            201,
            &[
                ("Access-Control-Allow-Origin", "{origin}"),
                ("Access-Control-Allow-Origin", "http://b.test"),
                ("Content-Type", "text/plain"),
            ],
            Some("made"),
        ),
    );
    let uri = format!("/replay/r1?{query}");
    let pre = send(&app, "OPTIONS", &uri, &[("host", "localhost:8080"), ("origin", PAGE)]).await;
    assert_eq!(pre.status, StatusCode::NO_CONTENT);
    assert_eq!(
        pre.lines(),
        [
            ("access-control-allow-origin".to_owned(), PAGE.to_owned()),
            ("access-control-allow-methods".to_owned(), "PUT".to_owned()),
            ("x-seen".to_owned(), format!("http://localhost:8080{uri}")),
            ("content-length".to_owned(), "0".to_owned()),
        ]
    );
    let actual = send(&app, "PUT", &uri, &[("origin", PAGE)]).await;
    assert_eq!(actual.status, StatusCode::CREATED);
    assert_eq!(actual.body, "made");
    assert_eq!(
        actual.lines(),
        [
            ("access-control-allow-origin".to_owned(), PAGE.to_owned()),
            ("access-control-allow-origin".to_owned(), "http://b.test".to_owned()),
            ("content-type".to_owned(), "text/plain".to_owned()),
            ("content-length".to_owned(), "4".to_owned()),
        ]
    );
}

#[tokio::test]
async fn replay_without_a_scripted_preflight_answers_options_with_404() {
    let query = replay_query(None, scripted(200, &[], Some("x")));
    let answer = send(&server(), "OPTIONS", &format!("/replay/r?{query}"), &[]).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    assert_eq!(answer.lines(), [("content-length".to_owned(), "0".to_owned())]);
}

#[tokio::test]
async fn replay_head_keeps_the_length_and_drops_the_body() {
    let query = replay_query(None, scripted(200, &[("Content-Type", "text/plain")], Some("hello")));
    let answer = send(&server(), "HEAD", &format!("/replay/r?{query}"), &[]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("content-length"), Some("5"));
    assert_eq!(answer.body, "");
}

#[tokio::test]
async fn replay_sends_every_allowed_header() {
    let allowed = [
        ("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Whatever", "1"),
        ("Vary", "Origin"),
        ("Cache-Control", "no-store"),
        ("Content-Type", "text/plain"),
        ("Content-Language", "en"),
        ("Expires", "0"),
        ("Last-Modified", "Wed, 21 Oct 2015 07:28:00 GMT"),
        ("Pragma", "no-cache"),
        ("Location", "/elsewhere"),
        ("X-Anything", "ok"),
    ];
    let query = replay_query(None, scripted(307, &allowed, None));
    let answer = send(&server(), "GET", &format!("/replay/r?{query}"), &[]).await;
    assert_eq!(answer.status, StatusCode::TEMPORARY_REDIRECT);
    for (name, value) in allowed {
        assert_eq!(answer.header(name), Some(value), "{name}");
    }
}

#[tokio::test]
async fn replay_refuses_only_what_would_reach_beyond_its_run() {
    for name in [
        "Connection",
        "Keep-Alive",
        "Transfer-Encoding",
        "TE",
        "Trailer",
        "Upgrade",
        "Proxy-Connection",
        "Clear-Site-Data",
        "NEL",
        "Report-To",
        "Reporting-Endpoints",
    ] {
        for preflight in [false, true] {
            let pair = format!("{name}:x");
            let query = if preflight {
                format!("origin={}&ps=204&ph={}&s=200", enc(PAGE), enc(&pair))
            } else {
                format!("origin={}&s=200&h={}", enc(PAGE), enc(&pair))
            };
            let answer = send(&server(), "GET", &format!("/replay/r?{query}"), &[]).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{name}");
            assert!(answer.body.contains(&format!("refused header {name:?}")), "{name}: {}", answer.body);
            assert!(!answer.has_cors_headers());
        }
    }
}

#[tokio::test]
async fn replay_sends_what_real_servers_send_with_cookies_kept_in_their_run() {
    let sent = [
        ("Date", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Server", "scripted"),
        ("Content-Security-Policy", "default-src 'none'"),
        ("Cross-Origin-Resource-Policy", "cross-origin"),
        ("WWW-Authenticate", "Basic realm=x"),
        ("Link", "</a>; rel=preload"),
        ("Foo-Bar", "custom names too"),
        ("Origin", "x"),
    ];
    let mut headers: Vec<(&str, &str)> = sent.to_vec();
    headers.push(("Set-Cookie", "sid=1; Path=/; Domain=localhost; HttpOnly"));
    let query = replay_query(None, scripted(299, &headers, None));
    let answer = send(&server(), "GET", &format!("/replay/r?{query}"), &[]).await;
    assert_eq!(answer.status.as_u16(), 299);
    for (name, value) in sent {
        assert_eq!(answer.header(name), Some(value), "{name}");
    }
    // Its Path forced to this run's, its Domain gone: no other app on
    // localhost ever sees it.
    assert_eq!(answer.header("set-cookie"), Some("sid=1; HttpOnly; Path=/replay/r"));
    // A status a real server may send, up to 999.
    let query = replay_query(None, scripted(999, &[], None));
    assert_eq!(send(&server(), "GET", &format!("/replay/r?{query}"), &[]).await.status.as_u16(), 999);
}

#[tokio::test]
async fn replay_refuses_bad_urls_with_a_clear_400() {
    let origin = format!("origin={}", enc(PAGE));
    for (query, needle) in [
        (format!("{origin}&s=200&h={}", enc("X-A:a\r\nSet-Cookie: a=b")), "cannot hold CR, LF, NUL"),
        (format!("{origin}&s=200&h={}", enc("X-A:a\nb")), "cannot hold CR, LF, NUL"),
        (format!("{origin}&s=200&h={}", enc("X-A:a\0b")), "cannot hold CR, LF, NUL"),
        (format!("{origin}&s=200&h={}", enc("X-A:a\rb")), "cannot hold CR, LF, NUL"),
        (format!("{origin}&s=200&h={}", enc("X A:b")), "not an HTTP token"),
        (format!("{origin}&s=200&h=nocolon"), "not of the form Name:value"),
        (format!("{origin}&s=99"), "not a number from 200 to 999"),
        (format!("{origin}&s=1000"), "not a number from 200 to 999"),
        (format!("{origin}&s=200&x=1"), "unknown replay parameter \"x\""),
        (format!("{origin}&s=200&s=201"), "may appear only once"),
        (format!("{origin}&ph=X-A%3A1&s=200"), "needs its status"),
        ("s=200".to_owned(), "\"origin\" is required"),
        (origin.clone(), "\"s\" is required"),
        ("origin=null%2F&s=200".to_owned(), "replay parameter \"origin\""),
        (format!("{origin}&s=200&b=ok&h=Content-Length%3A5"), "not the body's length"),
        (format!("{origin}&s=200&h={}", enc(&format!("X-A:{}", "v".repeat(5000)))), "value over 4096 bytes"),
        (format!("{origin}&s=200&b={}", "b".repeat(9000)), "body over 8192 bytes"),
        (format!("{origin}&s=200{}", "&h=X-A%3A1".repeat(65)), "more than 64 headers"),
        (format!("{origin}&s=200&b={}", "b".repeat(MAX_QUERY_LEN)), "over the 16384-byte limit"),
    ] {
        let answer = send(&server(), "GET", &format!("/replay/r?{query}"), &[]).await;
        assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query:.80}");
        assert!(answer.body.contains(needle), "{query:.80}: {}", answer.body);
    }
}

#[tokio::test]
async fn invalid_run_ids_get_400_on_every_route() {
    let long = "a".repeat(65);
    for route in ["replay", "policy", "log"] {
        for run in ["a.b", "%20", long.as_str(), "a%2Fb"] {
            let uri = format!("/{route}/{run}?origin=*");
            let method = if route == "log" { "GET" } else { "OPTIONS" };
            let answer = send(&server(), method, &uri, &[]).await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{uri}");
            assert!(answer.body.contains("invalid run id"), "{uri}: {}", answer.body);
        }
    }
}

// ---------------------------------------------------------------- policy

fn policy_uri(run: &str, config: &PolicyConfig) -> String {
    config.path_and_query(run)
}

fn the_policy() -> PolicyConfig {
    PolicyConfig::new()
        .allow_origin(PAGE)
        .allow_origin("https://*.example.com")
        .allow_method("PUT")
        .allow_header("X-Custom")
        .expose_header("X-Request-Id")
        .credentials(true)
        .max_age(600)
}

#[tokio::test]
async fn policy_answers_an_allowed_preflight_with_204_and_only_what_is_needed() {
    let uri = policy_uri("p", &the_policy());
    let answer = send(
        &server(),
        "OPTIONS",
        &uri,
        &[
            ("origin", "https://a.example.com"),
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "x-custom"),
        ],
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.body, "");
    assert_eq!(
        answer.lines(),
        [
            ("access-control-allow-origin", "https://a.example.com"),
            ("access-control-allow-credentials", "true"),
            ("access-control-allow-methods", "PUT"),
            ("access-control-allow-headers", "x-custom"),
            ("access-control-max-age", "600"),
            ("vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers"),
        ]
        .map(|(n, v)| (n.to_owned(), v.to_owned()))
    );
}

#[tokio::test]
async fn policy_refuses_preflights_with_403_no_cors_headers_and_a_reason() {
    let uri = policy_uri("p", &the_policy());
    for (origin, method, headers, needle) in [
        ("https://evil.test", "PUT", None, "origin \"https://evil.test\" is not allowed"),
        ("https://example.com", "PUT", None, "origin \"https://example.com\" is not allowed"),
        (PAGE, "DELETE", None, "method \"DELETE\" is not allowed"),
        (PAGE, "put", None, "method \"put\" is not allowed"),
        (PAGE, "P UT", None, "is not a method"),
        (PAGE, "PUT", Some("x-custom,x-other"), "request header \"x-other\" is not allowed"),
        (PAGE, "PUT", Some("x-custom;"), "not a header name"),
        ("null", "PUT", None, "origin \"null\" is not allowed"),
    ] {
        let mut request = vec![("origin", origin), ("access-control-request-method", method)];
        if let Some(headers) = headers {
            request.push(("access-control-request-headers", headers));
        }
        let answer = send(&server(), "OPTIONS", &uri, &request).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin} {method} {headers:?}");
        assert!(!answer.has_cors_headers(), "{origin} {method} {headers:?}");
        assert!(answer.body.contains(needle), "{}", answer.body);
        assert_eq!(answer.header("vary"), Some("Origin, Access-Control-Request-Method, Access-Control-Request-Headers"));
    }
}

#[tokio::test]
async fn policy_answers_actual_requests_with_the_headers_their_origin_earns() {
    let app = server();
    let uri = policy_uri("p", &the_policy());
    let answer = send(&app, "PUT", &uri, &[("origin", PAGE)]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "ok");
    assert_eq!(answer.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(answer.header("access-control-allow-credentials"), Some("true"));
    assert_eq!(answer.header("access-control-expose-headers"), Some("x-request-id"));
    assert_eq!(answer.header("vary"), Some("Origin"));
    for origin in [Some("https://evil.test"), None] {
        let headers: Vec<(&str, &str)> = origin.map(|o| ("origin", o)).into_iter().collect();
        let answer = send(&app, "GET", &uri, &headers).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert!(!answer.has_cors_headers(), "{origin:?}");
        assert_eq!(answer.header("vary"), Some("Origin"));
    }
    // An OPTIONS without Access-Control-Request-Method is an ordinary request.
    let answer = send(&app, "OPTIONS", &uri, &[("origin", PAGE)]).await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(answer.header("access-control-allow-methods"), None);
    // The path may go on after the run id.
    let deeper = uri.replacen("/policy/p?", "/policy/p/a/b?", 1);
    let answer = send(&app, "GET", &deeper, &[("origin", PAGE)]).await;
    assert_eq!(answer.header("access-control-allow-origin"), Some(PAGE));
}

#[tokio::test]
async fn any_origin_without_credentials_sends_a_wildcard_and_no_vary() {
    let uri = "/policy/p?origin=*&method=PATCH";
    let answer = send(&server(), "GET", uri, &[("origin", "https://x.test")]).await;
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.header("vary"), None);
    let answer = send(
        &server(),
        "OPTIONS",
        uri,
        &[("origin", "https://x.test"), ("access-control-request-method", "PATCH")],
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.header("access-control-allow-methods"), Some("PATCH"));
}

#[tokio::test]
async fn a_megabyte_of_request_headers_is_refused_quickly() {
    use axum::body::Body;
    use tower::ServiceExt;
    let app = server();
    let uri = "/policy/p?origin=*&header=*";
    let huge = "x-a,".repeat(256 * 1024);
    // Warm up (the first request compiles the policy).
    send(&app, "GET", uri, &[]).await;
    // The fastest of three, timing the server alone (building a request
    // with a 1 MiB header is the test's work, not the server's).
    let mut fastest = Duration::MAX;
    for _ in 0..3 {
        let request = axum::http::Request::options(uri)
            .header("origin", PAGE)
            .header("access-control-request-method", "GET")
            .header("access-control-request-headers", &huge)
            .body(Body::empty())
            .unwrap();
        let started = Instant::now();
        let response = app.clone().oneshot(request).await.unwrap();
        fastest = fastest.min(started.elapsed());
        assert_eq!(response.status(), StatusCode::FORBIDDEN);
        let body = http_body_util::BodyExt::collect(response.into_body()).await.unwrap().to_bytes();
        assert!(String::from_utf8_lossy(&body).contains("over the 4096-byte limit"));
    }
    assert!(fastest < Duration::from_millis(50), "took {fastest:?}");
}

/// Each validation error, alone in a policy URL, gets a 400 naming it.
#[tokio::test]
async fn every_policy_validation_error_gets_400_with_json() {
    let many_origins = (0..65).map(|i| format!("origin=https%3A%2F%2Fa{i}.test")).collect::<Vec<_>>().join("&");
    let long = format!("origin=*&header={}", "x".repeat(9000));
    for (query, kind) in [
        ("origin=*&colour=red".to_owned(), "unknown-parameter"),
        ("origin=*&credentials=false&credentials=false".to_owned(), "repeated-parameter"),
        ("origin=*&max_age=1&max_age=1".to_owned(), "repeated-parameter"),
        (many_origins, "too-large"),
        (long, "too-large"),
        ("method=PUT".to_owned(), "no-origin"),
        (String::new(), "no-origin"),
        (format!("origin=*&origin={}", enc(PAGE)), "wildcard-origin-among-others"),
        ("origin=*&credentials=true".to_owned(), "wildcard-origin-with-credentials"),
        ("origin=null".to_owned(), "null-origin"),
        (format!("origin={}", enc("https://a.test/")), "malformed-origin"),
        (format!("origin={}", enc("HTTPS://A.TEST")), "malformed-origin"),
        (format!("origin={}", enc("https://a.test:443")), "malformed-origin"),
        (format!("origin={}", enc("https://a.*.test")), "malformed-pattern"),
        (format!("origin={}", enc("https://*.com")), "public-suffix-pattern"),
        (format!("origin={}", enc("https://*.co.uk")), "public-suffix-pattern"),
        (format!("origin={}", enc("https://*.github.io")), "public-suffix-pattern"),
        (format!("origin={}&credentials=true", enc("http://a.test")), "insecure-origin-with-credentials"),
        ("origin=*&method=GE%20T".to_owned(), "invalid-method"),
        ("origin=*&method=CONNECT".to_owned(), "forbidden-method"),
        ("origin=*&method=trace".to_owned(), "forbidden-method"),
        ("origin=*&method=TRACK".to_owned(), "forbidden-method"),
        (format!("origin={}&method=*&credentials=true", enc(PAGE)), "wildcard-method-with-credentials"),
        ("origin=*&header=X%20Y".to_owned(), "invalid-header-name"),
        ("origin=*&expose=X%3A".to_owned(), "invalid-header-name"),
        ("origin=*&header=Cookie".to_owned(), "forbidden-request-header"),
        ("origin=*&header=Sec-Fetch-Mode".to_owned(), "forbidden-request-header"),
        ("origin=*&header=Proxy-Authorization".to_owned(), "forbidden-request-header"),
        ("origin=*&expose=Set-Cookie".to_owned(), "forbidden-response-header"),
        (format!("origin={}&header=*&credentials=true", enc(PAGE)), "wildcard-header-with-credentials"),
        (format!("origin={}&expose=*&credentials=true", enc(PAGE)), "wildcard-expose-with-credentials"),
        ("origin=*&credentials=yes".to_owned(), "invalid-credentials"),
        ("origin=*&max_age=soon".to_owned(), "invalid-max-age"),
        ("origin=*&max_age=-2".to_owned(), "max-age-out-of-range"),
        ("origin=*&max_age=86401".to_owned(), "max-age-out-of-range"),
    ] {
        for method in ["GET", "OPTIONS"] {
            let answer = send(
                &server(),
                method,
                &format!("/policy/p?{query}"),
                &[("origin", PAGE), ("access-control-request-method", "PUT")],
            )
            .await;
            assert_eq!(answer.status, StatusCode::BAD_REQUEST, "{query:.80}");
            assert_eq!(answer.header("content-type"), Some("application/json"));
            let json = answer.json();
            let kinds: Vec<&str> = json["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
            assert!(kinds.contains(&kind), "{query:.80}: {kinds:?}");
            for problem in json["problems"].as_array().unwrap() {
                assert!(problem["message"].as_str().is_some_and(|m| !m.is_empty()));
                assert!(problem["explanation"].as_str().is_some_and(|m| !m.is_empty()));
            }
        }
    }
}

#[tokio::test]
async fn an_invalid_policy_lists_every_problem_at_once() {
    let query = "origin=null&origin=https%3A%2F%2F*.com&method=TRACE&header=Cookie&expose=Set-Cookie&max_age=99999";
    let answer = send(&server(), "GET", &format!("/policy/p?{query}"), &[]).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    let json = answer.json();
    let kinds: Vec<&str> = json["problems"].as_array().unwrap().iter().map(|p| p["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "null-origin",
            "public-suffix-pattern",
            "forbidden-method",
            "forbidden-request-header",
            "forbidden-response-header",
            "max-age-out-of-range"
        ]
    );
    assert!(json["message"].as_str().unwrap().starts_with("invalid CORS policy (6 problems)"));
}

#[tokio::test]
async fn the_policy_layer_answers_like_the_route() {
    let policy = CorsPolicy::new(&PolicyConfig::new().allow_origin(PAGE).allow_method("PUT")).unwrap();
    let app: Router =
        Router::new().route("/data", put(|| async { "stored" })).layer(CorsPolicyLayer::new(Arc::new(policy)));
    let pre = send(&app, "OPTIONS", "/data", &[("origin", PAGE), ("access-control-request-method", "PUT")]).await;
    assert_eq!(pre.status, StatusCode::NO_CONTENT);
    assert_eq!(pre.header("access-control-allow-methods"), Some("PUT"));
    let refused =
        send(&app, "OPTIONS", "/data", &[("origin", PAGE), ("access-control-request-method", "DELETE")]).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let actual = send(&app, "PUT", "/data", &[("origin", PAGE)]).await;
    assert_eq!(actual.body, "stored");
    assert_eq!(actual.header("access-control-allow-origin"), Some(PAGE));
    assert_eq!(actual.header("vary"), Some("Origin"));
}

// ---------------------------------------------------------------- log

#[tokio::test]
async fn the_log_records_every_replay_and_policy_request_by_run() {
    let app = server();
    let policy = policy_uri("run-a", &the_policy());
    send(
        &app,
        "OPTIONS",
        &policy,
        &[("origin", PAGE), ("access-control-request-method", "PUT"), ("access-control-request-headers", "x-custom")],
    )
    .await;
    send(&app, "PUT", &policy.replacen("run-a?", "run-a/deeper?", 1), &[("origin", PAGE)]).await;
    send(&app, "OPTIONS", "/replay/run-a?s=200", &[]).await; // a 400, logged all the same
    send(&app, "GET", &policy.replacen("run-a", "run-b", 1), &[]).await;
    send(&app, "GET", "/allow/any", &[]).await; // seed routes are not logged

    let log = send(&app, "GET", "/log/run-a", &[("origin", "https://anyone.test")]).await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(log.header("access-control-allow-origin"), Some("*"));
    let entries = log.json();
    assert_eq!(
        entries,
        serde_json::json!([
            {"seq": 1, "method": "OPTIONS", "path": "/policy/run-a", "origin": PAGE,
             "access_control_request_method": "PUT", "access_control_request_headers": "x-custom", "preflight": true,
             "headers": [["origin", PAGE], ["access-control-request-method", "PUT"], ["access-control-request-headers", "x-custom"]],
             "truncated": false},
            {"seq": 2, "method": "PUT", "path": "/policy/run-a/deeper", "origin": PAGE,
             "access_control_request_method": null, "access_control_request_headers": null, "preflight": false,
             "headers": [["origin", PAGE]], "truncated": false},
            {"seq": 3, "method": "OPTIONS", "path": "/replay/run-a", "origin": null,
             "access_control_request_method": null, "access_control_request_headers": null, "preflight": false,
             "headers": [], "truncated": false},
        ])
    );
    let other = send(&app, "GET", "/log/run-b", &[]).await.json();
    assert_eq!(other.as_array().unwrap().len(), 1);
    let empty = send(&app, "GET", "/log/never", &[]).await;
    assert_eq!(empty.body, "[]");
}

#[tokio::test]
async fn the_log_is_bounded() {
    let app = server();
    let huge = "h".repeat(10_000);
    for i in 0..(log::MAX_ENTRIES + 5) {
        let answer = send(&app, "GET", &format!("/policy/busy/{i}?origin=*"), &[("origin", &huge)]).await;
        assert_eq!(answer.status, StatusCode::OK);
    }
    let entries = send(&app, "GET", "/log/busy", &[]).await.json();
    let entries = entries.as_array().unwrap();
    assert_eq!(entries.len(), log::MAX_ENTRIES);
    assert_eq!(entries[0]["seq"], 6, "the oldest entries go first");
    assert_eq!(entries[0]["origin"].as_str().unwrap().len(), log::MAX_VALUE_LEN);
    for run in 0..(log::MAX_RUNS + 3) {
        send(&app, "GET", &format!("/policy/r{run}?origin=*"), &[]).await;
    }
    // The oldest runs were evicted ("busy", then r0, r1, r2), the newest kept.
    assert_eq!(send(&app, "GET", "/log/busy", &[]).await.body, "[]");
    assert_eq!(send(&app, "GET", "/log/r2", &[]).await.body, "[]");
    assert_eq!(send(&app, "GET", "/log/r3", &[]).await.json().as_array().unwrap().len(), 1);
    let last = format!("/log/r{}", log::MAX_RUNS + 2);
    assert_eq!(send(&app, "GET", &last, &[]).await.json().as_array().unwrap().len(), 1);
}

// ---------------------------------------------------------------- limits

#[tokio::test]
async fn over_long_urls_get_414() {
    let uri = format!("/replay/r?origin=x&b={}", "b".repeat(MAX_URI_LEN));
    let answer: Answer = send(&server(), "GET", &uri, &[]).await;
    assert_eq!(answer.status, StatusCode::URI_TOO_LONG);
    assert!(answer.body.contains("over the"), "{}", answer.body);
}

#[tokio::test]
async fn over_large_bodies_get_413() {
    use axum::body::Body;
    use tower::ServiceExt;
    let request = axum::http::Request::post("/policy/r?origin=*")
        .header("content-length", (corslab_server::MAX_BODY_LEN + 1).to_string())
        .body(Body::from(vec![b'x'; 1024]))
        .unwrap();
    let response = server().oneshot(request).await.unwrap();
    assert_eq!(response.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

// ---------------------------------------------------------------- socket

/// Over a real socket: no `Date` or other added header on a replay, the
/// policy route, and a 1 MiB header refused by the HTTP layer; then a
/// graceful shutdown.
#[tokio::test]
async fn serves_over_a_real_socket_without_added_headers() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(corslab_server::serve(listener, server(), async {
        let _ = stopped.await;
    }));
    async fn exchange(addr: std::net::SocketAddr, request: &[u8]) -> String {
        let mut stream = tokio::net::TcpStream::connect(addr).await.unwrap();
        stream.write_all(request).await.unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).await.unwrap();
        String::from_utf8_lossy(&raw).into_owned()
    }
    let query = replay_query(
        None,
        scripted(200, &[("Access-Control-Allow-Origin", "{origin}"), ("X-A", "1"), ("X-A", "2")], Some("hi")),
    );
    let raw = exchange(
        addr,
        format!("GET /replay/s?{query} HTTP/1.1\r\nHost: x\r\nOrigin: {PAGE}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    let head = raw.split("\r\n\r\n").next().unwrap();
    assert_eq!(
        head,
        format!(
            "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: {PAGE}\r\nX-A: 1\r\nX-A: 2\r\nContent-Length: 2\r\nConnection: close"
        ),
        "{raw}"
    );
    assert!(raw.ends_with("\r\n\r\nhi"), "{raw}");

    let raw = exchange(
        addr,
        format!(
            "OPTIONS /policy/s?origin=*&method=PUT HTTP/1.1\r\nHost: x\r\nOrigin: {PAGE}\r\nAccess-Control-Request-Method: PUT\r\nConnection: close\r\n\r\n"
        )
        .as_bytes(),
    )
    .await;
    assert_eq!(
        raw,
        format!(
            "HTTP/1.1 204 No Content\r\nAccess-Control-Allow-Origin: *\r\nAccess-Control-Allow-Methods: PUT\r\nVary: Origin, Access-Control-Request-Method, Access-Control-Request-Headers\r\nConnection: close\r\n\r\n"
        )
    );

    let huge = "x-a,".repeat(256 * 1024);
    let started = Instant::now();
    let raw = exchange(
        addr,
        format!("OPTIONS /policy/s?origin=*&header=* HTTP/1.1\r\nHost: x\r\nOrigin: {PAGE}\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: {huge}\r\nConnection: close\r\n\r\n").as_bytes(),
    )
    .await;
    assert!(raw.is_empty() || raw.starts_with("HTTP/1.1 431"), "{raw:.200}");
    assert!(started.elapsed() < Duration::from_secs(2));

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(5), server).await.unwrap().unwrap().unwrap();
}
