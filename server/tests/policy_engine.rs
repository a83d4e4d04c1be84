//! The policy engine (`corslab::policy`): a table of (policy, request) →
//! expected response headers or refusal covering every rule; the browser
//! engine's verdict against policies; and a property test that a policy
//! never sends `*` with credentials and never echoes an origin it does not
//! allow.

// Tests may unwrap and panic: a failure is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

use corslab::policy::{AnswerKind, CorsHeader, CorsPolicy, PolicyConfig};
use corslab::{Browser, Context, CredentialsMode, FetchCall, Origin, Outcome, RequestMode, fetch::cache::PreflightCache, decide};
use proptest::prelude::*;

/// `ACAO`, `ACAC`, ... for short rows.
fn name(short: &str) -> CorsHeader {
    match short {
        "ACAO" => CorsHeader::AllowOrigin,
        "ACAC" => CorsHeader::AllowCredentials,
        "ACAM" => CorsHeader::AllowMethods,
        "ACAH" => CorsHeader::AllowHeaders,
        "ACMA" => CorsHeader::MaxAge,
        "ACEH" => CorsHeader::ExposeHeaders,
        "Vary" => CorsHeader::Vary,
        other => panic!("unknown short name {other}"),
    }
}

const VP: &str = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

enum Expect {
    /// 204 with exactly these headers, in order.
    Allowed(&'static [(&'static str, &'static str)]),
    /// 403 with this refusal and only `Vary`.
    Refused(&'static str),
    /// Not a preflight: exactly these headers added.
    Actual(&'static [(&'static str, &'static str)]),
}
use Expect::{Actual, Allowed, Refused};

/// (policy query, method, Origin, ACRM, ACRH, expected)
type Row = (&'static str, &'static str, Option<&'static str>, Option<&'static str>, Option<&'static str>, Expect);

const EXACT: &str = "origin=https%3A%2F%2Fapp.example.com&method=PUT&header=X-Custom&expose=X-Request-Id";
const CRED: &str = "origin=https%3A%2F%2Fapp.example.com&origin=http%3A%2F%2Flocalhost%3A5050&method=PUT&header=X-Custom&expose=X-Request-Id&credentials=true&max_age=600";
const SUB: &str = "origin=https%3A%2F%2F*.example.com";
const SUB_ANY_PORT: &str = "origin=https%3A%2F%2F*.example.com%3A*";
const SUB_PORT: &str = "origin=https%3A%2F%2F*.example.com%3A8443";
const ANY_PORT: &str = "origin=http%3A%2F%2Flocalhost%3A*";
const ANY: &str = "origin=*&method=*&header=*&expose=*";
const APP: Option<&str> = Some("https://app.example.com");

fn rows() -> Vec<Row> {
    vec![
        // -- origins: exact
        (EXACT, "OPTIONS", APP, Some("PUT"), Some("x-custom"), Allowed(&[("ACAO", "https://app.example.com"), ("ACAM", "PUT"), ("ACAH", "x-custom"), ("Vary", VP)])),
        (EXACT, "OPTIONS", Some("https://evil.example"), Some("PUT"), None, Refused("origin-not-allowed")),
        (EXACT, "OPTIONS", Some("https://APP.example.com"), Some("PUT"), None, Refused("origin-not-allowed")),
        (EXACT, "OPTIONS", Some("https://app.example.com/"), Some("PUT"), None, Refused("origin-not-allowed")),
        (EXACT, "OPTIONS", Some("https://app.example.com:443"), Some("PUT"), None, Refused("origin-not-allowed")),
        (EXACT, "OPTIONS", Some("http://app.example.com"), Some("PUT"), None, Refused("origin-not-allowed")),
        (EXACT, "OPTIONS", Some("https://app.example.com, https://app.example.com"), Some("PUT"), None, Refused("origin-not-allowed")),
        (EXACT, "OPTIONS", Some("null"), Some("PUT"), None, Refused("origin-not-allowed")),
        (EXACT, "OPTIONS", Some(""), Some("PUT"), None, Refused("origin-not-allowed")),
        // -- origins: subdomain patterns
        (SUB, "OPTIONS", Some("https://a.example.com"), Some("GET"), None, Allowed(&[("ACAO", "https://a.example.com"), ("Vary", VP)])),
        (SUB, "OPTIONS", Some("https://a.b.example.com"), Some("GET"), None, Allowed(&[("ACAO", "https://a.b.example.com"), ("Vary", VP)])),
        (SUB, "OPTIONS", Some("https://example.com"), Some("GET"), None, Refused("origin-not-allowed")),
        (SUB, "OPTIONS", Some("https://evilexample.com"), Some("GET"), None, Refused("origin-not-allowed")),
        (SUB, "OPTIONS", Some("https://a.example.com.evil.test"), Some("GET"), None, Refused("origin-not-allowed")),
        (SUB, "OPTIONS", Some("http://a.example.com"), Some("GET"), None, Refused("origin-not-allowed")),
        (SUB, "OPTIONS", Some("https://a.example.com:8443"), Some("GET"), None, Refused("origin-not-allowed")),
        (SUB, "OPTIONS", Some("https://A.example.com"), Some("GET"), None, Refused("origin-not-allowed")),
        (SUB, "OPTIONS", Some("https://.example.com"), Some("GET"), None, Refused("origin-not-allowed")),
        (SUB_PORT, "OPTIONS", Some("https://a.example.com:8443"), Some("GET"), None, Allowed(&[("ACAO", "https://a.example.com:8443"), ("Vary", VP)])),
        (SUB_PORT, "OPTIONS", Some("https://a.example.com"), Some("GET"), None, Refused("origin-not-allowed")),
        (SUB_ANY_PORT, "OPTIONS", Some("https://a.example.com:9"), Some("GET"), None, Allowed(&[("ACAO", "https://a.example.com:9"), ("Vary", VP)])),
        (SUB_ANY_PORT, "OPTIONS", Some("https://a.example.com"), Some("GET"), None, Allowed(&[("ACAO", "https://a.example.com"), ("Vary", VP)])),
        // -- origins: any-port patterns
        (ANY_PORT, "OPTIONS", Some("http://localhost:3000"), Some("GET"), None, Allowed(&[("ACAO", "http://localhost:3000"), ("Vary", VP)])),
        (ANY_PORT, "OPTIONS", Some("http://localhost"), Some("GET"), None, Allowed(&[("ACAO", "http://localhost"), ("Vary", VP)])),
        (ANY_PORT, "OPTIONS", Some("https://localhost:3000"), Some("GET"), None, Refused("origin-not-allowed")),
        (ANY_PORT, "OPTIONS", Some("http://127.0.0.1:3000"), Some("GET"), None, Refused("origin-not-allowed")),
        (ANY_PORT, "OPTIONS", Some("http://a.localhost:3000"), Some("GET"), None, Refused("origin-not-allowed")),
        (ANY_PORT, "OPTIONS", Some("http://localhost:99999"), Some("GET"), None, Refused("origin-not-allowed")),
        // -- origins: any
        (ANY, "OPTIONS", Some("https://x.test"), Some("DELETE"), Some("x-a,authorization-2"), Allowed(&[("ACAO", "*"), ("ACAM", "DELETE"), ("ACAH", "x-a,authorization-2"), ("Vary", VP)])),
        (ANY, "OPTIONS", Some("null"), Some("GET"), None, Allowed(&[("ACAO", "*"), ("Vary", VP)])),
        // -- methods
        (EXACT, "OPTIONS", APP, Some("GET"), None, Allowed(&[("ACAO", "https://app.example.com"), ("Vary", VP)])),
        (EXACT, "OPTIONS", APP, Some("HEAD"), None, Allowed(&[("ACAO", "https://app.example.com"), ("Vary", VP)])),
        (EXACT, "OPTIONS", APP, Some("POST"), Some("x-custom"), Allowed(&[("ACAO", "https://app.example.com"), ("ACAH", "x-custom"), ("Vary", VP)])),
        (EXACT, "OPTIONS", APP, Some("DELETE"), None, Refused("method-not-allowed")),
        (EXACT, "OPTIONS", APP, Some("put"), None, Refused("method-not-allowed")),
        (EXACT, "OPTIONS", APP, Some("get"), None, Refused("method-not-allowed")),
        (EXACT, "OPTIONS", APP, Some("P UT"), None, Refused("malformed-request-method")),
        (EXACT, "OPTIONS", APP, Some(""), None, Refused("malformed-request-method")),
        ("origin=*&method=patch", "OPTIONS", APP, Some("patch"), None, Allowed(&[("ACAO", "*"), ("ACAM", "patch"), ("Vary", VP)])),
        ("origin=*&method=patch", "OPTIONS", APP, Some("PATCH"), None, Refused("method-not-allowed")),
        ("origin=*&method=put", "OPTIONS", APP, Some("PUT"), None, Allowed(&[("ACAO", "*"), ("ACAM", "PUT"), ("Vary", VP)])),
        ("origin=*&method=FOO", "OPTIONS", APP, Some("FOO"), None, Allowed(&[("ACAO", "*"), ("ACAM", "FOO"), ("Vary", VP)])),
        // -- request headers
        (EXACT, "OPTIONS", APP, Some("PUT"), Some("X-CUSTOM"), Allowed(&[("ACAO", "https://app.example.com"), ("ACAM", "PUT"), ("ACAH", "x-custom"), ("Vary", VP)])),
        (EXACT, "OPTIONS", APP, Some("PUT"), Some(""), Allowed(&[("ACAO", "https://app.example.com"), ("ACAM", "PUT"), ("Vary", VP)])),
        (EXACT, "OPTIONS", APP, Some("PUT"), Some("x-custom,x-other"), Refused("header-not-allowed")),
        (EXACT, "OPTIONS", APP, Some("PUT"), Some("content-type"), Refused("header-not-allowed")),
        (EXACT, "OPTIONS", APP, Some("PUT"), Some("x-custom;x"), Refused("malformed-request-headers")),
        (EXACT, "OPTIONS", APP, Some("PUT"), Some("x custom"), Refused("malformed-request-headers")),
        (ANY, "OPTIONS", APP, Some("GET"), Some("authorization"), Refused("header-not-allowed")),
        ("origin=*&header=*&header=Authorization", "OPTIONS", APP, Some("GET"), Some("authorization,x-a"), Allowed(&[("ACAO", "*"), ("ACAH", "authorization,x-a"), ("Vary", VP)])),
        // -- credentials and max-age
        (CRED, "OPTIONS", Some("http://localhost:5050"), Some("PUT"), Some("x-custom"), Allowed(&[("ACAO", "http://localhost:5050"), ("ACAC", "true"), ("ACAM", "PUT"), ("ACAH", "x-custom"), ("ACMA", "600"), ("Vary", VP)])),
        (CRED, "OPTIONS", Some("http://localhost:5051"), Some("PUT"), None, Refused("origin-not-allowed")),
        ("origin=*&max_age=-1", "OPTIONS", APP, Some("GET"), None, Allowed(&[("ACAO", "*"), ("ACMA", "0"), ("Vary", VP)])),
        ("origin=*&max_age=0", "OPTIONS", APP, Some("GET"), None, Allowed(&[("ACAO", "*"), ("Vary", VP)])),
        ("origin=*&max_age=86400", "OPTIONS", APP, Some("GET"), None, Allowed(&[("ACAO", "*"), ("ACMA", "86400"), ("Vary", VP)])),
        // -- actual requests
        (EXACT, "PUT", APP, None, None, Actual(&[("ACAO", "https://app.example.com"), ("ACEH", "x-request-id"), ("Vary", "Origin")])),
        (EXACT, "GET", Some("https://evil.example"), None, None, Actual(&[("Vary", "Origin")])),
        (EXACT, "GET", None, None, None, Actual(&[("Vary", "Origin")])),
        (EXACT, "GET", Some("null"), None, None, Actual(&[("Vary", "Origin")])),
        (CRED, "POST", Some("http://localhost:5050"), None, None, Actual(&[("ACAO", "http://localhost:5050"), ("ACAC", "true"), ("ACEH", "x-request-id"), ("Vary", "Origin")])),
        (CRED, "POST", Some("http://localhost:5051"), None, None, Actual(&[("Vary", "Origin")])),
        (ANY, "GET", Some("https://x.test"), None, None, Actual(&[("ACAO", "*"), ("ACEH", "*")])),
        (ANY, "GET", None, None, None, Actual(&[("ACAO", "*"), ("ACEH", "*")])),
        (SUB, "GET", Some("https://a.example.com"), None, None, Actual(&[("ACAO", "https://a.example.com"), ("Vary", "Origin")])),
        // -- what is a preflight
        (EXACT, "OPTIONS", APP, None, Some("x-custom"), Actual(&[("ACAO", "https://app.example.com"), ("ACEH", "x-request-id"), ("Vary", "Origin")])),
        (EXACT, "OPTIONS", None, Some("PUT"), None, Actual(&[("Vary", "Origin")])),
        (EXACT, "GET", APP, Some("PUT"), Some("x-other"), Actual(&[("ACAO", "https://app.example.com"), ("ACEH", "x-request-id"), ("Vary", "Origin")])),
    ]
}

#[test]
fn the_policy_table() {
    for (i, (query, method, origin, acrm, acrh, expect)) in rows().into_iter().enumerate() {
        let policy = CorsPolicy::from_query(query).unwrap_or_else(|e| panic!("row {i}: {query}: {e}"));
        let answer = policy.answer(method, origin, acrm, acrh);
        let got: Vec<(CorsHeader, &str)> = answer.headers.iter().collect();
        let context = format!("row {i}: {query} / {method} {origin:?} {acrm:?} {acrh:?}");
        let (kind, headers): (AnswerKind, Vec<(CorsHeader, &str)>) = match expect {
            Allowed(h) => (AnswerKind::Preflight, h.iter().map(|(n, v)| (name(n), *v)).collect()),
            Actual(h) => (AnswerKind::Actual, h.iter().map(|(n, v)| (name(n), *v)).collect()),
            Refused(refusal) => {
                assert_eq!(answer.refusal.as_ref().map(|r| r.kind()), Some(refusal), "{context}");
                assert!(!answer.refusal.as_ref().unwrap().to_string().is_empty());
                (AnswerKind::Refused, vec![(CorsHeader::Vary, VP)])
            }
        };
        assert_eq!(answer.kind, kind, "{context}");
        assert_eq!(got, headers, "{context}");
    }
}

/// A page at `page` calling `fetch(url, {method, headers, credentials})`
/// against `policy`: what the browser engine decides.
fn browser_outcome(policy: &str, page: &str, method: &str, headers: &[(&str, &str)], credentials: CredentialsMode) -> Outcome {
    let policy = CorsPolicy::from_query(policy).unwrap();
    let call = FetchCall {
        url: "http://localhost:8080/policy/r".to_owned(),
        method: method.to_owned(),
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        mode: RequestMode::Cors,
        credentials,
        body: None,
    };
    let page = Origin::parse(page).unwrap();
    let mut results = Vec::new();
    for browser in [Browser::Chrome, Browser::Firefox, Browser::Spec] {
        let mut cache = PreflightCache::new(browser.profile());
        results.push(decide(&call, &page, &policy, browser, Context { cache: &mut cache, now_ms: 0 }).outcome);
    }
    assert!(results.windows(2).all(|w| w[0] == w[1]), "browsers disagree: {results:?}");
    results[0]
}

/// What the policy allows, every browser accepts; what it refuses, every
/// browser blocks.
#[test]
fn browsers_accept_what_a_policy_allows_and_block_what_it_refuses() {
    use CredentialsMode::{Include, Omit};
    const PAGE: &str = "http://localhost:5050";
    for (policy, page, method, headers, credentials, outcome) in [
        (CRED, PAGE, "PUT", &[("X-Custom", "1")][..], Include, Outcome::Ok),
        (CRED, PAGE, "GET", &[], Include, Outcome::Ok),
        (CRED, PAGE, "DELETE", &[], Include, Outcome::CorsError),
        (CRED, PAGE, "PUT", &[("X-Other", "1")], Include, Outcome::CorsError),
        (CRED, "http://localhost:5051", "GET", &[], Omit, Outcome::CorsError),
        (ANY, PAGE, "PATCH", &[("X-A", "1"), ("Content-Type", "application/json")], Omit, Outcome::Ok),
        (ANY, PAGE, "GET", &[("Authorization", "Bearer x")], Omit, Outcome::CorsError),
        ("origin=*&header=*&header=Authorization", PAGE, "GET", &[("Authorization", "Bearer x")], Omit, Outcome::Ok),
        ("origin=*&method=PATCH", PAGE, "patch", &[], Omit, Outcome::CorsError),
        ("origin=*&method=PATCH", PAGE, "PATCH", &[], Omit, Outcome::Ok),
        ("origin=*&method=put", PAGE, "put", &[], Omit, Outcome::Ok),
        (ANY_PORT, "http://localhost:3000", "GET", &[], Omit, Outcome::Ok),
        (SUB, "https://a.example.com", "GET", &[], Omit, Outcome::Ok),
        (SUB, "https://example.com", "GET", &[], Omit, Outcome::CorsError),
    ] {
        assert_eq!(
            browser_outcome(policy, page, method, headers, credentials),
            outcome,
            "{policy} / {page} {method} {headers:?} {credentials:?}"
        );
    }
}

// ------------------------------------------------------------- property

const ORIGIN_ENTRIES: &[&str] = &[
    "*",
    "https://app.example.com",
    "http://localhost:5050",
    "http://a.test",
    "https://*.example.com",
    "https://*.example.com:*",
    "http://localhost:*",
];
const REQUEST_ORIGINS: &[&str] = &[
    "https://app.example.com",
    "https://a.b.example.com",
    "https://example.com",
    "https://evilexample.com",
    "https://a.example.com:8443",
    "http://localhost:5050",
    "http://localhost:1",
    "http://localhost",
    "http://a.test",
    "HTTP://A.TEST",
    "http://a.test/",
    "null",
    "",
    "https://app.example.com, http://a.test",
    " http://a.test",
];

fn entries(pool: &'static [&'static str]) -> impl Strategy<Value = Vec<String>> {
    proptest::sample::subsequence(pool, 0..=pool.len().min(3)).prop_map(|v| v.into_iter().map(str::to_owned).collect())
}

fn configs() -> impl Strategy<Value = PolicyConfig> {
    (
        entries(ORIGIN_ENTRIES),
        entries(&["PUT", "patch", "*", "DELETE"]),
        entries(&["X-Custom", "*", "Authorization", "X-Other"]),
        entries(&["X-Request-Id", "*"]),
        any::<bool>(),
        proptest::option::of(-1i64..=700),
    )
        .prop_map(|(origins, methods, headers, expose, credentials, max_age)| PolicyConfig {
            origins,
            methods,
            headers,
            expose,
            credentials,
            max_age: max_age.map(|m| m.to_string()),
        })
}

/// An oracle independent of the policy's code: does an allowed entry cover
/// this request origin?
fn oracle_allows(config: &PolicyConfig, origin: &str) -> bool {
    if config.origins.iter().any(|o| o == "*") {
        return true;
    }
    let Ok(Origin::Tuple(t)) = Origin::parse(origin) else { return false };
    config.origins.iter().any(|entry| {
        if entry == origin {
            return true;
        }
        let Some((scheme, rest)) = entry.split_once("://") else { return false };
        let (host, port) = match rest.strip_suffix(":*") {
            Some(host) => (host, None),
            None => (rest, Some(if scheme == "https" { 443 } else { 80 })),
        };
        let host_ok = match host.strip_prefix("*.") {
            Some(base) => t.host().ends_with(&format!(".{base}")),
            None => t.host() == host,
        };
        t.scheme() == scheme && host_ok && port.is_none_or(|p| p == t.port())
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// (Construction errors are covered elsewhere: the pools here hold only
    /// entries that are valid alone, so most generated policies build.)
    #[test]
    fn never_a_wildcard_with_credentials_never_a_disallowed_origin(
        config in configs(),
        method in proptest::sample::select(&["OPTIONS", "GET", "PUT"][..]),
        origin in proptest::option::of(proptest::sample::select(REQUEST_ORIGINS)),
        acrm in proptest::option::of(proptest::sample::select(&["PUT", "GET", "patch", "DELETE", "P T"][..])),
        acrh in proptest::option::of(proptest::sample::select(&["x-custom", "authorization", "x-custom,x-other", "X-Custom", ""][..])),
    ) {
        let Ok(policy) = CorsPolicy::new(&config) else { return Ok(()) };
        let answer = policy.answer(method, origin, acrm, acrh);
        let acao = answer.header(CorsHeader::AllowOrigin);
        let acac = answer.header(CorsHeader::AllowCredentials);
        // Never `*` together with credentials.
        prop_assert!(!(config.credentials && config.origins.iter().any(|o| o == "*")));
        if acao == Some("*") {
            prop_assert!(acac.is_none());
            prop_assert!(!config.credentials);
        }
        for (name, value) in answer.headers.iter() {
            if config.credentials && name != CorsHeader::Vary {
                prop_assert_ne!(value, "*", "{:?} is * with credentials", name);
            }
        }
        // Never echo an origin the policy does not allow.
        if let Some(acao) = acao.filter(|a| *a != "*") {
            prop_assert_eq!(Some(acao), origin);
            prop_assert!(oracle_allows(&config, acao), "echoed {} not allowed by {:?}", acao, config.origins);
            prop_assert_ne!(acao, "null");
        }
        // And never refuse an origin it allows, on an actual request.
        if let (Some(o), AnswerKind::Actual) = (origin, answer.kind) {
            prop_assert_eq!(acao.is_some(), oracle_allows(&config, o) || !policy.varies_on_origin());
        }
        // A refusal carries no CORS header.
        if answer.kind == AnswerKind::Refused {
            prop_assert!(answer.headers.iter().all(|(n, _)| n == CorsHeader::Vary));
        }
    }
}
