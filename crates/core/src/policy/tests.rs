// Tests may unwrap and panic: a failure is the point.
#![allow(clippy::unwrap_used, clippy::panic)]

use super::*;

fn policy(query: &str) -> CorsPolicy {
    match CorsPolicy::from_query(query) {
        Ok(policy) => policy,
        Err(e) => panic!("{query}: {e}"),
    }
}

fn kinds(config: &PolicyConfig) -> Vec<&'static str> {
    match CorsPolicy::new(config) {
        Ok(_) => Vec::new(),
        Err(errors) => errors.iter().map(PolicyError::kind).collect(),
    }
}

#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
fn every_problem_is_reported_at_once() {
    let config = PolicyConfig::new()
        .allow_origin("*")
        .allow_origin("https://a.example")
        .allow_method("TRACE")
        .allow_method("GE T")
        .allow_method("*")
        .allow_header("Cookie")
        .allow_header("X A")
        .allow_header("*")
        .expose_header("Set-Cookie")
        .expose_header("*")
        .credentials(true)
        .max_age(86_401);
    assert_eq!(
        kinds(&config),
        [
            "wildcard-origin-with-credentials",
            "wildcard-origin-among-others",
            "wildcard-method-with-credentials",
            "forbidden-request-header",
            "invalid-header-name",
            "wildcard-header-with-credentials",
            "forbidden-response-header",
            "wildcard-expose-with-credentials",
            "max-age-out-of-range",
        ]
    );
    assert_eq!(
        kinds(&PolicyConfig::new().allow_origin("https://a.example").allow_method("TRACE").allow_method("GE T")),
        ["forbidden-method", "invalid-method"]
    );
}

#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
fn origins_and_patterns_are_checked() {
    for (origin, credentials, expected) in [
        ("https://a.example", true, vec![]),
        ("http://localhost:5050", true, vec![]),
        ("http://127.0.0.1:5050", true, vec![]),
        ("http://[::1]:5050", true, vec![]),
        ("http://localhost:*", true, vec![]),
        ("http://a.example", true, vec!["insecure-origin-with-credentials"]),
        ("http://*.example.com", true, vec!["insecure-origin-with-credentials"]),
        ("http://a.example", false, vec![]),
        ("null", false, vec!["null-origin"]),
        ("https://a.example/", false, vec!["malformed-origin"]),
        ("HTTPS://A.EXAMPLE", false, vec!["malformed-origin"]),
        ("https://a.example:443", false, vec!["malformed-origin"]),
        ("a.example", false, vec!["malformed-origin"]),
        ("https://*.example.com", false, vec![]),
        ("https://*.example.com:8443", false, vec![]),
        ("https://*.example.com:*", false, vec![]),
        ("https://*.com", false, vec!["public-suffix-pattern"]),
        ("https://*.co.uk", false, vec!["public-suffix-pattern"]),
        ("https://*.github.io", false, vec!["public-suffix-pattern"]),
        ("https://*.localhost", false, vec!["public-suffix-pattern"]),
        ("https://a.*.example.com", false, vec!["malformed-pattern"]),
        ("https://*example.com", false, vec!["malformed-pattern"]),
        ("https://*.Example.com", false, vec!["malformed-pattern"]),
        ("https://*.example.com:443", false, vec!["malformed-pattern"]),
        ("https://*.127.0.0.1", false, vec!["malformed-pattern"]),
        ("ftp://*.example.com", false, vec!["malformed-pattern"]),
        ("*.example.com", false, vec!["malformed-pattern"]),
        ("https://*", false, vec!["malformed-pattern"]),
    ] {
        let config = PolicyConfig::new().allow_origin(origin).credentials(credentials);
        assert_eq!(kinds(&config), expected, "{origin} credentials={credentials}");
    }
    assert_eq!(kinds(&PolicyConfig::new()), ["no-origin"]);
}

#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
fn max_age_is_rendered_once() {
    for (max_age, expected) in [("-1", Some("0")), ("0", None), ("600", Some("600")), ("86400", Some("86400"))] {
        let p = policy(&format!("origin=*&method=PUT&max_age={max_age}"));
        let answer = p.preflight("https://a.example", "PUT", None);
        assert_eq!(answer.header(CorsHeader::MaxAge), expected, "{max_age}");
    }
    for bad in ["-2", "86401", "1e3", "ten"] {
        assert!(CorsPolicy::from_query(&format!("origin=*&max_age={bad}")).is_err(), "{bad}");
    }
}

#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
fn queries_are_strict() {
    let errors = PolicyConfig::from_query("origin=*&bogus=1&credentials=yes&max_age=1&max_age=2").unwrap_err();
    let kinds: Vec<_> = errors.iter().map(PolicyError::kind).collect();
    assert_eq!(kinds, ["unknown-parameter", "repeated-parameter", "invalid-credentials"]);
    let long = format!("origin={}", "a".repeat(MAX_POLICY_QUERY_LEN));
    assert!(PolicyConfig::from_query(&long).unwrap_err().has("too-large"));
    let many = (0..=MAX_ENTRIES).map(|i| format!("header=x-{i}")).collect::<Vec<_>>().join("&");
    assert!(PolicyConfig::from_query(&format!("origin=*&{many}")).unwrap_err().has("too-large"));
}

#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
fn request_headers_are_echoed_lower_case() {
    let p = policy("origin=*&header=X-A&header=x-b");
    let answer = p.preflight("https://a.example", "GET", Some("x-a,x-b"));
    assert_eq!(answer.header(CorsHeader::AllowHeaders), Some("x-a,x-b"));
    let answer = p.preflight("https://a.example", "GET", Some(" X-B , ,x-A"));
    assert_eq!(answer.header(CorsHeader::AllowHeaders), Some("x-b,x-a"));
    let answer = p.preflight("https://a.example", "GET", Some(""));
    assert_eq!(answer.kind, AnswerKind::Preflight);
    assert_eq!(answer.header(CorsHeader::AllowHeaders), None);
}

#[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
fn huge_request_headers_are_refused_at_once() {
    let p = policy("origin=*&header=*");
    let huge = "x-a,".repeat(256 * 1024);
    let answer = p.preflight("https://a.example", "GET", Some(&huge));
    assert_eq!(answer.refusal, Some(Refusal::RequestHeadersTooLarge { len: huge.len() }));
    let many = (0..=allow_headers::MAX_REQUEST_HEADER_NAMES).map(|i| format!("x-{i}")).collect::<Vec<_>>().join(",");
    let answer = p.preflight("https://a.example", "GET", Some(&many));
    assert_eq!(answer.refusal, Some(Refusal::TooManyRequestHeaders));
}
