//! The navigation guard through `app()`: a navigation to a scripted route
//! (`/replay/`, `/policy/`, `/log/`) gets a plain-text 403, by each of the
//! three detection rules; the same URL fetched gets exactly its scripted
//! answer; the seed routes and `/frame` still answer navigations. And the
//! log keeps whole request heads.

// Tests may unwrap and panic: a failure is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

mod common;

use axum::Router;
use axum::http::StatusCode;
use common::{Answer, enc, send};
use corslab_server::navigation::refusal;
use corslab_server::{Config, app, log};

const PAGE: &str = "http://localhost:5050";
const SCRIPT: &str = "<script>document.title='pwned';document.cookie='pwned=1'</script>";

fn server() -> Router {
    app(Config::default())
}

/// The crafted link of the report: a replay whose answer is an HTML page.
fn crafted(run: &str) -> String {
    format!("/replay/{run}?origin={}&s=200&h={}&b={}", enc(PAGE), enc("Content-Type:text/html"), enc(SCRIPT))
}

/// What a navigation sends, by each rule: what Chromium sends for a
/// top-level navigation (rule 1 and 2 at once), the mode alone, each
/// document destination alone, and an old browser's `Accept` alone.
fn navigations() -> Vec<Vec<(&'static str, &'static str)>> {
    let mut all = vec![
        vec![
            ("accept", "text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8"),
            ("sec-fetch-dest", "document"),
            ("sec-fetch-mode", "navigate"),
            ("sec-fetch-site", "cross-site"),
            ("sec-fetch-user", "?1"),
            ("upgrade-insecure-requests", "1"),
        ],
        vec![("sec-fetch-mode", "navigate")],
        vec![("sec-fetch-mode", "Navigate")],
        vec![("sec-fetch-mode", "nested-navigate")],
        vec![("accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
        vec![("accept", "TEXT/HTML")],
    ];
    for dest in ["document", "iframe", "frame", "embed", "object", "DOCUMENT"] {
        all.push(vec![("sec-fetch-dest", dest)]);
    }
    all
}

/// What `fetch()` sends: Fetch Metadata saying `cors`, even with an
/// `Accept` that asks for HTML.
const FETCH: &[(&str, &str)] = &[
    ("accept", "text/html"),
    ("origin", PAGE),
    ("sec-fetch-dest", "empty"),
    ("sec-fetch-mode", "cors"),
    ("sec-fetch-site", "same-site"),
];

fn assert_refused(answer: &Answer, route: &str, what: &str) {
    assert_eq!(answer.status, StatusCode::FORBIDDEN, "{what}: {}", answer.body);
    assert_eq!(answer.header("content-type"), Some("text/plain; charset=utf-8"), "{what}");
    assert_eq!(answer.header("x-content-type-options"), Some("nosniff"), "{what}");
    assert_eq!(answer.body, refusal(route), "{what}");
    assert!(!answer.has_cors_headers(), "{what}");
}

#[tokio::test]
async fn navigations_to_scripted_routes_get_a_plain_text_403_by_each_rule() {
    let app = server();
    let policy = format!("?origin={}", enc(PAGE));
    let routes = [
        (crafted("nav"), "/replay/{run}"),
        (format!("/policy/nav{policy}"), "/policy/{run}"),
        (format!("/policy/nav/deeper/still{policy}"), "/policy/{run}/{*rest}"),
        ("/log/nav".to_owned(), "/log/{run}"),
    ];
    for headers in navigations() {
        for (uri, route) in &routes {
            let what = format!("GET {uri} with {headers:?}");
            assert_refused(&send(&app, "GET", uri, &headers).await, route, &what);
        }
        // A form's POST navigation too.
        assert_refused(&send(&app, "POST", &crafted("nav"), &headers).await, "/replay/{run}", "POST");
    }
    let refused = send(&app, "GET", &crafted("nav"), &[("sec-fetch-mode", "navigate")]).await;
    assert!(!refused.body.contains("<script") && !refused.body.contains("pwned") && !refused.body.contains(PAGE), "no echo: {}", refused.body);
    // The routes never saw the navigations: nothing logged.
    let log = send(&app, "GET", "/log/nav", FETCH).await;
    assert_eq!((log.status, log.body.as_str()), (StatusCode::OK, "[]"));
}

#[tokio::test]
async fn the_same_urls_fetched_get_exactly_their_scripted_answers() {
    let app = server();
    let fetches: [&[(&str, &str)]; 4] = [FETCH, &[("sec-fetch-mode", "cors")], &[], &[("accept", "*/*")]];
    for headers in fetches {
        let replay = send(&app, "GET", &crafted("fetched"), headers).await;
        assert_eq!(replay.status, StatusCode::OK, "{headers:?}");
        assert_eq!(
            replay.lines(),
            [
                ("content-type".to_owned(), "text/html".to_owned()),
                ("content-length".to_owned(), SCRIPT.len().to_string()),
            ],
            "{headers:?}: the scripted headers and nothing else"
        );
        assert_eq!(replay.body, SCRIPT);
    }

    let policy = format!("/policy/fetched?origin={}&method=PUT", enc(PAGE));
    let preflight = [FETCH, &[("access-control-request-method", "PUT")][..]].concat();
    let preflight = send(&app, "OPTIONS", &policy, &preflight).await;
    assert_eq!(preflight.status, StatusCode::NO_CONTENT);
    assert_eq!(preflight.header("access-control-allow-origin"), Some(PAGE));
    let actual = send(&app, "PUT", &policy, FETCH).await;
    assert_eq!((actual.status, actual.body.as_str()), (StatusCode::OK, "ok"));
    let other = send(&app, "GET", &format!("/policy/fetched/x?origin={}", enc("https://other.test")), FETCH).await;
    assert_eq!((other.status, other.has_cors_headers()), (StatusCode::OK, false), "not allowed: 200 without CORS headers");

    let log = send(&app, "GET", "/log/fetched", FETCH).await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(log.header("access-control-allow-origin"), Some("*"));
    assert_eq!(log.json().as_array().unwrap().len(), 7, "4 replays, 3 policy requests");
}

#[tokio::test]
async fn the_seed_routes_and_the_frame_still_answer_navigations() {
    let app = server();
    for headers in navigations() {
        for uri in ["/", "/allow/origin", "/allow/any", "/allow/list", "/frame"] {
            let answer = send(&app, "GET", uri, &headers).await;
            assert_eq!(answer.status, StatusCode::OK, "GET {uri} with {headers:?}");
            assert!(!answer.body.contains("fetch() requests only"), "GET {uri}");
        }
    }
    let frame = send(&app, "GET", "/frame", &[("sec-fetch-dest", "iframe"), ("sec-fetch-mode", "navigate")]).await;
    assert_eq!(frame.header("content-type"), Some("text/html; charset=utf-8"));
}

#[tokio::test]
async fn unknown_paths_are_not_the_guards_business() {
    let answer = send(&server(), "GET", "/replay", &[("sec-fetch-mode", "navigate")]).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- whole heads in the log

#[tokio::test]
async fn the_log_keeps_the_whole_request_head_in_order() {
    let app = server();
    let head = [
        ("host", "localhost:8080"),
        ("connection", "keep-alive"),
        ("sec-ch-ua-platform", "\"Linux\""),
        ("user-agent", "Mozilla/5.0 (X11; Linux x86_64) HeadlessChrome/140.0.0.0 Safari/537.36"),
        ("accept", "*/*"),
        ("origin", PAGE),
        ("sec-fetch-site", "same-site"),
        ("sec-fetch-mode", "cors"),
        ("sec-fetch-dest", "empty"),
        ("referer", "http://localhost:5050/"),
        ("accept-encoding", "gzip, deflate, br, zstd"),
        ("accept-language", "en-US,en;q=0.9"),
    ];
    let answer = send(&app, "GET", &crafted("head"), &head).await;
    assert_eq!(answer.status, StatusCode::OK);
    let entries = send(&app, "GET", "/log/head", FETCH).await.json();
    let entry = &entries[0];
    let expected: Vec<(String, String)> = head.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect();
    assert_eq!(serde_json::from_value::<Vec<(String, String)>>(entry["headers"].clone()).unwrap(), expected);
    assert_eq!(entry["truncated"], false);
    assert_eq!(entry["origin"], PAGE, "the page's fields stay");
}

#[tokio::test]
async fn the_log_cuts_a_huge_head_and_says_so() {
    let app = server();
    let names: Vec<String> = (0..200).map(|i| format!("x-h{i}")).collect();
    let many: Vec<(&str, &str)> = names.iter().map(|n| (n.as_str(), "v")).collect();
    send(&app, "GET", &format!("/policy/huge?origin={}", enc(PAGE)), &many).await;
    let big = "b".repeat(1 << 20);
    send(&app, "GET", &format!("/policy/huge?origin={}", enc(PAGE)), &[("x-big", &big), ("x-after", "1")]).await;
    let entries = send(&app, "GET", "/log/huge", FETCH).await.json();
    let many = entries[0]["headers"].as_array().unwrap();
    assert_eq!(many.len(), log::MAX_HEADERS);
    assert_eq!(many[63], serde_json::json!(["x-h63", "v"]));
    assert_eq!(entries[0]["truncated"], true);
    let big = entries[1]["headers"].as_array().unwrap();
    assert_eq!(big.len(), 1, "x-after is cut");
    assert_eq!(big[0][1].as_str().unwrap().len(), log::MAX_HEAD_TEXT_LEN - "x-big".len());
    assert_eq!(entries[1]["truncated"], true);
}
