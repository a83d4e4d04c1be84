//! `POST /probe`: `check` for the explainer's own pages, and nobody else's;
//! http(s) targets only; bounded in time; no cookie it was not given.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use common::{send, send_body};
use corslab_server::{Config, app};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PAGE: &str = "http://localhost:5050";

/// A target on 127.0.0.1 that records every request head it receives and
/// answers with CORS for the page (or never, when `hang`).
async fn target(hang: bool) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let heads = Arc::new(Mutex::new(Vec::new()));
    let seen = Arc::clone(&heads);
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            let seen = Arc::clone(&seen);
            tokio::spawn(async move {
                let mut buf = vec![0; 16 * 1024];
                let n = stream.read(&mut buf).await.unwrap_or(0);
                seen.lock().unwrap().push(String::from_utf8_lossy(&buf[..n]).into_owned());
                if hang {
                    tokio::time::sleep(Duration::from_secs(60)).await;
                    return;
                }
                let answer = format!(
                    "HTTP/1.1 200 OK\r\nAccess-Control-Allow-Origin: {PAGE}\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok"
                );
                let _ = stream.write_all(answer.as_bytes()).await;
            });
        }
    });
    (port, heads)
}

fn probe_json(url: &str) -> String {
    serde_json::json!({ "url": url, "origin": PAGE, "browsers": ["chrome", "firefox"] }).to_string()
}

#[tokio::test]
async fn the_page_gets_a_check_report() {
    let (port, heads) = target(false).await;
    let app = app(Config::default());
    let body = probe_json(&format!("http://127.0.0.1:{port}/data"));
    let got = send_body(&app, "POST", "/probe", &[("origin", PAGE), ("content-type", "application/json"), ("sec-fetch-mode", "cors")], &body).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    assert_eq!(got.header("access-control-allow-origin"), Some(PAGE));
    let report = got.json();
    assert_eq!(report["format"], "cors-check/1");
    assert_eq!(report["browsers"]["chrome"]["outcome"], "ok");
    assert_eq!(report["browsers"]["firefox"]["outcome"], "ok");
    // One request per browser, each with the page's origin.
    {
        let heads = heads.lock().unwrap();
        assert_eq!(heads.len(), 2);
        assert!(heads.iter().all(|h| h.contains(&format!("origin: {PAGE}")) || h.contains(&format!("Origin: {PAGE}"))), "{heads:?}");
    }

    // Its preflight, from the page.
    let pre = send(
        &app,
        "OPTIONS",
        "/probe",
        &[("origin", PAGE), ("access-control-request-method", "POST"), ("access-control-request-headers", "content-type")],
    )
    .await;
    assert_eq!(pre.status, StatusCode::NO_CONTENT);
    assert_eq!(pre.header("access-control-allow-origin"), Some(PAGE));
}

#[tokio::test]
async fn a_foreign_origin_a_file_url_and_a_navigation_are_refused() {
    let (port, heads) = target(false).await;
    let app = app(Config::default());
    let body = probe_json(&format!("http://127.0.0.1:{port}/data"));
    for origin in ["https://evil.example", "null", "http://localhost:5051"] {
        let got = send_body(&app, "POST", "/probe", &[("origin", origin), ("content-type", "application/json")], &body).await;
        assert_eq!(got.status, StatusCode::FORBIDDEN, "{origin}");
        assert!(got.json()["error"].as_str().unwrap().contains("only the explainer's pages"));
        assert_eq!(got.header("access-control-allow-origin"), None);
    }
    let got = send_body(&app, "POST", "/probe", &[("content-type", "application/json")], &body).await;
    assert_eq!(got.status, StatusCode::FORBIDDEN, "no Origin at all");
    assert!(heads.lock().unwrap().is_empty(), "nothing was sent for a refused probe");

    for url in ["file:///etc/passwd", "ftp://127.0.0.1/", "data:text/plain,x", "not a url"] {
        let body = serde_json::json!({ "url": url, "origin": PAGE }).to_string();
        let got = send_body(&app, "POST", "/probe", &[("origin", PAGE)], &body).await;
        assert_eq!(got.status, StatusCode::BAD_REQUEST, "{url}: {}", got.body);
    }
    // A bad app origin, unknown fields, and JSON over the limit.
    let got = send_body(&app, "POST", "/probe", &[("origin", PAGE)], r#"{"url":"http://127.0.0.1/","origin":"localhost:3000"}"#).await;
    assert_eq!(got.status, StatusCode::BAD_REQUEST);
    let got = send_body(&app, "POST", "/probe", &[("origin", PAGE)], r#"{"url":"http://127.0.0.1/","origin":"http://a.test","forward":true}"#).await;
    assert_eq!(got.status, StatusCode::BAD_REQUEST);
    let huge = format!(r#"{{"url":"http://127.0.0.1/","origin":"http://a.test","body":"{}"}}"#, "x".repeat(100_000));
    let got = send_body(&app, "POST", "/probe", &[("origin", PAGE)], &huge).await;
    assert!(matches!(got.status, StatusCode::PAYLOAD_TOO_LARGE), "{}", got.status);

    // A navigation to it (a form post from another tab) gets the guard's 403.
    let got = send_body(&app, "POST", "/probe", &[("origin", PAGE), ("sec-fetch-mode", "navigate"), ("sec-fetch-dest", "document")], &body).await;
    assert_eq!(got.status, StatusCode::FORBIDDEN);
    assert!(got.body.contains("fetch()"), "{}", got.body);
}

#[tokio::test]
async fn cookies_go_only_when_given_in_the_request() {
    let (port, heads) = target(false).await;
    let app = app(Config::default());
    let url = format!("http://127.0.0.1:{port}/data");
    let body = serde_json::json!({ "url": url, "origin": PAGE, "credentials": "include", "browsers": ["chrome"] }).to_string();
    let got = send_body(&app, "POST", "/probe", &[("origin", PAGE), ("cookie", "session=SECRET")], &body).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let with = serde_json::json!({ "url": url, "origin": PAGE, "credentials": "include", "cookies": "given=1", "browsers": ["chrome"] }).to_string();
    let got = send_body(&app, "POST", "/probe", &[("origin", PAGE), ("cookie", "session=SECRET")], &with).await;
    assert_eq!(got.status, StatusCode::OK, "{}", got.body);
    let heads = heads.lock().unwrap();
    assert!(heads.iter().all(|h| !h.contains("SECRET")), "{heads:?}");
    assert!(!heads[0].to_ascii_lowercase().contains("cookie:"), "{}", heads[0]);
    assert!(heads[1].contains("given=1"), "{}", heads[1]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_slow_target_is_cut_off_and_probes_are_few_at_a_time() {
    let (port, _) = target(true).await;
    let app = app(Config::default());
    let body = serde_json::json!({ "url": format!("http://127.0.0.1:{port}/"), "origin": PAGE, "browsers": ["chrome"] }).to_string();
    let started = Instant::now();
    let calls: Vec<_> = (0..6)
        .map(|_| {
            let app = app.clone();
            let body = body.clone();
            tokio::spawn(async move { send_body(&app, "POST", "/probe", &[("origin", PAGE)], &body).await })
        })
        .collect();
    let mut statuses = Vec::new();
    for call in calls {
        let got = call.await.unwrap();
        if got.status == StatusCode::BAD_GATEWAY {
            assert!(got.json()["error"].as_str().unwrap().contains("timed out"), "{}", got.body);
        }
        statuses.push(got.status);
    }
    let elapsed = started.elapsed();
    assert!(elapsed < corslab_server::probe::EXCHANGE_TIMEOUT + Duration::from_secs(3), "took {elapsed:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::BAD_GATEWAY).count(), corslab_server::probe::IN_FLIGHT, "{statuses:?}");
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count(), 2, "{statuses:?}");
}
