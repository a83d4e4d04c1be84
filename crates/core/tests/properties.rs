//! Properties of the engine over generated inputs (native only: proptest
//! does not run in the browser). Sizes are bounded so the whole file runs in
//! a few seconds.

#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;

use corslab::fetch::cache::PreflightCache;
use corslab::fetch::classify::classify;
use corslab::fetch::max_age::max_age;
use corslab::fetch::preflight::PreflightRequest;
use corslab::fetch::safelist::check_safelisted;
use corslab::formats::scenario::Responder;
use corslab::http::token::is_token;
use corslab::trace::NoTrace;
use corslab::{
    Browser, Context, CredentialsMode, Decision, FetchCall, FetchRequest, HeaderList, HeaderName, Origin,
    Outcome, RequestMode, ServerResponse, decide, decide_traced,
};
use proptest::prelude::*;

const PAGE: &str = "http://page.test";
const URL: &str = "http://api.test/data";

fn page() -> Origin {
    Origin::parse(PAGE).expect("page origin")
}

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

// ---------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------

/// Header names: the interesting ones in any case, random tokens, and
/// arbitrary (mostly invalid) strings.
fn header_name() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "Accept", "accept", "Accept-Language", "Content-Language", "Content-Type", "content-type", "Range",
            "Authorization", "X-Custom", "x-custom", "User-Agent", "DPR", "Save-Data", "Width", "Viewport-Width",
            "Device-Memory", "Cookie", "Host", "Sec-Foo", "Proxy-Foo", "X-HTTP-Method-Override", "Intervention",
        ])
        .prop_map(str::to_owned),
        3 => "[A-Za-z0-9!#$%&'*+.^_`|~-]{1,12}",
        1 => any::<String>().prop_map(|s| s.chars().take(12).collect()),
    ]
}

/// Header values: interesting ones, printable ASCII, Latin-1 (controls
/// included), near the 128-byte limit, and arbitrary strings.
fn header_value() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec![
            "", "*", "text/plain", "application/json", "TEXT/PLAIN;charset=UTF-8", "multipart/form-data",
            "bytes=0-100", "bytes=-5", "bytes=5-", "en-US,en;q=0.9", "en_US", "on", "off", "2", "1.5", "abc",
            "true", "True", "TRACE", "GET, trace", "Bearer x", "http://page.test", "null",
        ])
        .prop_map(str::to_owned),
        3 => "[ -~]{0,40}",
        2 => "[\\x00-\\xff]{0,24}",
        1 => "[a-z]{120,140}",
        1 => any::<String>().prop_map(|s| s.chars().take(24).collect()),
    ]
}

fn method() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            "GET", "get", "HEAD", "POST", "post", "PUT", "put", "DELETE", "OPTIONS", "PATCH", "patch", "FOO",
            "CONNECT", "trace",
        ])
        .prop_map(str::to_owned),
        1 => "[A-Za-z]{1,8}",
        1 => any::<String>().prop_map(|s| s.chars().take(8).collect()),
    ]
}

fn mode() -> impl Strategy<Value = RequestMode> {
    prop::sample::select(vec![RequestMode::Cors, RequestMode::Cors, RequestMode::NoCors, RequestMode::SameOrigin])
}

fn credentials() -> impl Strategy<Value = CredentialsMode> {
    prop::sample::select(vec![CredentialsMode::Omit, CredentialsMode::SameOrigin, CredentialsMode::Include])
}

fn url() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => Just(URL.to_owned()),
        1 => Just(format!("{PAGE}/same")),
        1 => "[a-z0-9/?=&%.-]{0,20}".prop_map(|path| format!("http://api.test/{path}")),
        1 => any::<String>().prop_map(|s| s.chars().take(20).collect()),
    ]
}

fn call() -> impl Strategy<Value = FetchCall> {
    (
        url(),
        method(),
        prop::collection::vec((header_name(), header_value()), 0..8),
        mode(),
        credentials(),
        prop::option::of("[ -~]{0,16}"),
    )
        .prop_map(|(url, method, headers, mode, credentials, body)| FetchCall { url, method, headers, mode, credentials, body })
}

/// Response header names a CORS decision reads, plus a few others.
fn response_header_name() -> impl Strategy<Value = &'static str> {
    prop::sample::select(vec![
        "Access-Control-Allow-Origin",
        "Access-Control-Allow-Credentials",
        "Access-Control-Allow-Methods",
        "Access-Control-Allow-Headers",
        "Access-Control-Max-Age",
        "Access-Control-Expose-Headers",
        "Location",
        "Content-Type",
        "Set-Cookie",
        "X-Foo",
    ])
}

/// A response value: often a plausible CORS value, sometimes anything valid.
fn response_value() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => prop::sample::select(vec![
            PAGE, "*", "null", "true", "PUT", "PUT, DELETE", "*, PUT", "x-custom", "X-Custom, Authorization",
            "content-type", "600", "0", "-1", "abc", "X-Foo", "PUT;", "http://api.test/moved",
        ])
        .prop_map(str::to_owned),
        1 => "[ -~]{0,24}",
    ]
}

fn server_response() -> impl Strategy<Value = ServerResponse> {
    (
        prop_oneof![
            3 => prop::sample::select(vec![200u16, 204, 206, 299, 300, 301, 302, 304, 307, 308, 400, 404, 500]),
            1 => 100u16..700,
        ],
        prop::collection::vec((response_header_name(), response_value()), 0..8),
    )
        .prop_map(|(status, pairs)| {
            let headers = HeaderList::from_pairs(&pairs).unwrap_or_default();
            ServerResponse { status, headers, body: None }
        })
}

fn responder() -> impl Strategy<Value = Responder> {
    (server_response(), server_response()).prop_map(|(preflight, response)| Responder { preflight, response })
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

fn decide_both(call: &FetchCall, server: &Responder, browser: Browser) -> Decision {
    let mut cache = PreflightCache::new(browser.profile());
    let plain = decide(call, &page(), server, browser, Context { cache: &mut cache, now_ms: 0 });
    let mut cache = PreflightCache::new(browser.profile());
    let (traced, steps) = decide_traced(call, &page(), server, browser, Context { cache: &mut cache, now_ms: 0 });
    assert_eq!(plain, traced, "the trace changed the decision");
    if traced.outcome == Outcome::CorsError {
        assert_eq!(steps.iter().filter(|s| s.failure.is_some()).count(), 1, "one step carries the failure");
    }
    plain
}

fn assert_sorted_lowercase_unique(names: &[HeaderName]) {
    assert!(names.windows(2).all(|w| w[0] < w[1]), "not sorted and unique: {names:?}");
    assert!(names.iter().all(|n| is_token(n.as_str()) && !n.as_str().bytes().any(|b| b.is_ascii_uppercase())));
}

// ---------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(384))]

    /// Any fetch() against any server: no panic, the trace changes nothing,
    /// and the decision is internally consistent.
    #[test]
    fn decide_never_panics_and_is_consistent(call in call(), server in responder()) {
        for browser in Browser::ALL {
            let d = decide_both(&call, &server, browser);
            match d.outcome {
                Outcome::Ok | Outcome::Opaque => {
                    prop_assert!(d.status.is_some());
                    prop_assert!(d.failure.is_none() && d.report.is_none());
                }
                Outcome::CorsError | Outcome::NetworkError => prop_assert!(d.failure.is_some() && d.report.is_some()),
                Outcome::Pending => prop_assert!(d.failure.is_none() && d.status.is_none()),
                Outcome::TypeError => {
                    prop_assert!(d.type_error.is_some() && d.request.is_none());
                    prop_assert!(!d.preflight.sent);
                }
                Outcome::Unknown => prop_assert!(d.unknown_reason.is_some()),
            }
            if d.outcome == Outcome::Opaque {
                prop_assert_eq!(d.status, Some(0));
                prop_assert!(d.visible_headers.is_empty());
            }
            prop_assert!(d.visible_headers.windows(2).all(|w| w[0] < w[1]));
            prop_assert!(!d.visible_headers.iter().any(|h| h == "set-cookie"));
            if d.preflight.sent {
                let preflight = d.preflight.request.as_ref().expect("a sent preflight is recorded");
                prop_assert!(!d.preflight.reasons.is_empty());
                if let Some(acrh) = &preflight.access_control_request_headers {
                    prop_assert!(!acrh.is_empty() && !acrh.contains(' '));
                    let parts: Vec<&str> = acrh.split(',').collect();
                    prop_assert!(parts.windows(2).all(|w| w[0] < w[1]), "ACRH {} not sorted", acrh);
                }
                // Names only: every ACRH item is the name of a header the request carries.
                if let (Some(request), Some(acrh)) = (&d.request, &preflight.access_control_request_headers) {
                    for item in acrh.split(',') {
                        prop_assert!(request.headers.contains(item), "{} is not a request header name", item);
                    }
                }
                prop_assert_eq!(&preflight.origin, PAGE);
            }
            if let Some(request) = &d.request {
                // What fetch() sends: lower-case token names, normalized values.
                for (name, value) in request.headers.iter() {
                    prop_assert!(is_token(name.as_str()));
                    prop_assert!(!name.as_str().bytes().any(|b| b.is_ascii_uppercase()));
                    prop_assert!(!value.contains(['\0', '\r', '\n']));
                    prop_assert_eq!(value.trim_matches([' ', '\t']), value);
                }
            }
        }
    }

    /// `Access-Control-Request-Headers` is exactly the CORS-unsafe names:
    /// lower-case, sorted, unique, comma-joined without spaces.
    #[test]
    fn acrh_is_sorted_lowercase_unique_and_equals_unsafe_names(
        pairs in prop::collection::vec((header_name(), header_value()), 0..10),
        method in prop::sample::select(vec!["GET", "POST", "PUT"]),
    ) {
        let body = (method != "GET").then(|| "x".to_owned());
        let call = FetchCall {
            url: URL.to_owned(),
            method: method.to_owned(),
            headers: pairs,
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            body,
        };
        for browser in Browser::ALL {
            let profile = browser.profile();
            let Ok(request) = FetchRequest::build(&call, &page(), profile, &mut NoTrace) else { continue };
            let classification = classify(&request, profile, &mut NoTrace);
            let names = &classification.headers.names;
            assert_sorted_lowercase_unique(names);
            // An oracle, straight from the definition.
            // Chromium and WebKit combine repeated values before the checks.
            let combined = profile.repeated_request_headers == corslab::browsers::profile::RepeatedRequestHeaders::Combined;
            let list = if combined { request.headers.combined().into_owned() } else { request.headers.clone() };
            let mut unsafe_names = BTreeSet::new();
            let mut potentially = BTreeSet::new();
            let mut total = 0;
            for (name, value) in list.iter() {
                match check_safelisted(name, value, profile) {
                    Ok(_) => {
                        potentially.insert(name.as_str().to_owned());
                        total += value.chars().count();
                    }
                    Err(_) => {
                        unsafe_names.insert(name.as_str().to_owned());
                    }
                }
            }
            if profile.safelist_total_limit.is_some_and(|limit| total > limit) {
                unsafe_names.extend(potentially);
            }
            let expected: Vec<String> = unsafe_names.into_iter().collect();
            let got: Vec<String> = names.iter().map(|n| n.as_str().to_owned()).collect();
            prop_assert_eq!(&got, &expected);
            let preflight = PreflightRequest::new(&request, names);
            let acrh = (!expected.is_empty()).then(|| expected.join(","));
            prop_assert_eq!(preflight.access_control_request_headers, acrh);
            // The request-order list holds the same names.
            let mut request_order: Vec<String> =
                classification.headers.request_order.iter().map(|n| n.as_str().to_owned()).collect();
            request_order.sort();
            prop_assert_eq!(request_order, expected);
        }
    }

    /// A request whose method and every header are safelisted never
    /// preflights, in any profile.
    #[test]
    fn safelisted_method_and_headers_never_preflight(
        method in prop::sample::select(vec!["GET", "get", "HEAD", "head", "POST", "post", "Post"]),
        accept in prop::option::of("[a-zA-Z0-9/*+.,;= -]{0,100}"),
        accept_language in prop::option::of("[a-zA-Z0-9 *,.;=-]{0,100}"),
        content_language in prop::option::of("[a-zA-Z0-9 *,.;=-]{0,100}"),
        content_type in prop::option::of(prop::sample::select(vec![
            "text/plain", "TEXT/PLAIN", "Text/Plain;charset=UTF-8", "multipart/form-data; boundary=abc",
            "application/x-www-form-urlencoded", "APPLICATION/X-WWW-FORM-URLENCODED;a=b",
        ])),
        range in prop::option::of((0u64..1_000_000_000, prop::option::of(0u64..1_000_000_000))),
        credentials in credentials(),
        server in responder(),
        seed in any::<u64>(),
    ) {
        let mut pairs: Vec<(String, String)> = Vec::new();
        let mut push = |name: &str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name.to_owned(), value));
            }
        };
        push("Accept", accept);
        push("Accept-Language", accept_language);
        push("Content-Language", content_language);
        push("Content-Type", content_type.map(str::to_owned));
        push("Range", range.map(|(start, len)| match len {
            Some(len) => format!("bytes={start}-{}", start + len),
            None => format!("bytes={start}-"),
        }));
        // Any order.
        let n = pairs.len();
        if n > 1 {
            for i in 0..n {
                let j = usize::try_from((seed >> (i % 16 * 4)) % (n as u64)).unwrap_or(0);
                pairs.swap(i, j);
            }
        }
        let body = method.eq_ignore_ascii_case("post").then(|| "x".to_owned());
        let call = FetchCall { url: URL.to_owned(), method: method.to_owned(), headers: pairs, mode: RequestMode::Cors, credentials, body };
        for browser in Browser::ALL {
            let profile = browser.profile();
            let request = FetchRequest::build(&call, &page(), profile, &mut NoTrace).expect("a valid request");
            prop_assert!(request.dropped.is_empty());
            let classification = classify(&request, profile, &mut NoTrace);
            prop_assert!(!classification.needs_preflight(), "{browser}: {:?}", classification.reasons);
            let d = decide_both(&call, &server, browser);
            prop_assert!(!d.preflight.sent);
            prop_assert!(d.preflight.request.is_none());
        }
    }

    /// The `Request` constructor never panics on arbitrary strings.
    #[test]
    fn fetch_request_build_never_panics_on_arbitrary_strings(
        url in any::<String>(),
        method in any::<String>(),
        headers in prop::collection::vec((any::<String>(), any::<String>()), 0..6),
        body in prop::option::of(any::<String>()),
        mode in mode(),
        credentials in credentials(),
    ) {
        let call = FetchCall { url, method, headers, mode, credentials, body };
        for browser in Browser::ALL {
            let _ = FetchRequest::build(&call, &page(), browser.profile(), &mut NoTrace);
            let mut steps = Vec::new();
            let _ = FetchRequest::build(&call, &Origin::Opaque, browser.profile(), &mut steps);
        }
    }

    /// Max-Age: never above the profile's cap, and a plain number within the
    /// cap is taken as is.
    #[test]
    fn max_age_within_cap(value in prop_oneof!["[0-9]{1,25}", "[ -~]{0,12}"], twice in any::<bool>()) {
        let mut pairs = vec![("Access-Control-Max-Age", value.as_str())];
        if twice {
            pairs.push(("Access-Control-Max-Age", "10"));
        }
        let Ok(list) = HeaderList::from_pairs(&pairs) else { return Ok(()) };
        for browser in Browser::ALL {
            let profile = browser.profile();
            let got = max_age(&list, profile);
            if let Some(cap) = profile.max_age_cap {
                prop_assert!(got.seconds <= cap);
            }
            let single = list.values("access-control-max-age").count() == 1;
            if let Ok(n) = value.trim().parse::<u64>() {
                let plain = single && value.trim().bytes().all(|b| b.is_ascii_digit());
                if plain && profile.max_age_cap.is_none_or(|cap| n <= cap) {
                    prop_assert_eq!(got.seconds, n, "{} in {}", value, browser);
                }
            }
        }
    }

    /// A preflight that lists the method and grants Max-Age N is reused for
    /// N seconds (or the profile's cap, if lower) and not after, in every
    /// profile.
    #[test]
    fn explicit_grant_reused_for_max_age(seconds in 1u64..3600, method in prop::sample::select(vec!["PUT", "DELETE", "PATCH"])) {
        let call = FetchCall {
            url: URL.to_owned(),
            method: method.to_owned(),
            headers: vec![("X-Custom".to_owned(), "1".to_owned())],
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            body: None,
        };
        let max = seconds.to_string();
        let preflight = HeaderList::from_pairs(&[
            ("Access-Control-Allow-Origin", PAGE),
            ("Access-Control-Allow-Methods", method),
            ("Access-Control-Allow-Headers", "x-custom"),
            ("Access-Control-Max-Age", max.as_str()),
        ]).expect("headers");
        let response = HeaderList::from_pairs(&[("Access-Control-Allow-Origin", PAGE)]).expect("headers");
        let server = Responder {
            preflight: ServerResponse { status: 204, headers: preflight, body: None },
            response: ServerResponse { status: 200, headers: response, body: None },
        };
        for browser in Browser::ALL {
            let kept = browser.profile().max_age_cap.map_or(seconds, |cap| seconds.min(cap));
            let mut cache = PreflightCache::new(browser.profile());
            let mut at = |now_ms: u64| decide(&call, &page(), &server, browser, Context { cache: &mut cache, now_ms });
            prop_assert!(at(0).preflight.sent);
            prop_assert!(!at(kept * 1000 - 1).preflight.sent, "{browser}");
            prop_assert!(at(kept * 1000).preflight.sent, "{browser}");
        }
    }
}

proptest! {
    // Each case pushes several MiB through every profile; the debug build
    // spends ~0.1 s per pass over a MiB, so two cases suffice.
    #![proptest_config(config(2))]

    /// 1 MiB values, names, methods, URLs and bodies: `fetch()` never panics,
    /// and a 1 MiB name or value only ever makes a header unsafe.
    #[test]
    fn one_mib_inputs_do_not_panic(seed in "[\\x00-\\xff]{1,8}", token in "[a-z]{1,4}") {
        const MIB: usize = 1 << 20;
        let big = |s: &str| s.repeat(MIB / s.len() + 1);
        let value = big(&seed);
        let name = big(&token);
        let call = FetchCall {
            url: format!("http://api.test/{name}"),
            method: big(&token.to_ascii_uppercase()),
            headers: vec![
                ("Accept".to_owned(), value.clone()),
                (name.clone(), value.clone()),
                (value.clone(), "1".to_owned()),
            ],
            mode: RequestMode::Cors,
            credentials: CredentialsMode::Include,
            body: Some(value.clone()),
        };
        for browser in Browser::ALL {
            let profile = browser.profile();
            if let Ok(request) = FetchRequest::build(&call, &page(), profile, &mut NoTrace) {
                let classification = classify(&request, profile, &mut NoTrace);
                prop_assert!(classification.needs_preflight());
            }
        }
        // A whole decision with a 1 MiB header name and a 1 MiB Accept value.
        let big_headers = FetchCall {
            url: URL.to_owned(),
            method: "PUT".to_owned(),
            headers: vec![(name.clone(), "1".to_owned()), ("Accept".to_owned(), big("a"))],
            body: Some("x".to_owned()),
            ..call
        };
        let pairs = [
            ("Access-Control-Allow-Origin", PAGE.to_owned()),
            ("Access-Control-Allow-Credentials", "true".to_owned()),
            ("Access-Control-Allow-Methods", "PUT".to_owned()),
            ("Access-Control-Allow-Headers", format!("accept, {name}")),
            ("Access-Control-Expose-Headers", "*".to_owned()),
        ];
        let headers = HeaderList::from_pairs(&pairs).expect("valid response headers");
        let server = Responder {
            preflight: ServerResponse { status: 204, headers: headers.clone(), body: None },
            response: ServerResponse { status: 200, headers, body: None },
        };
        for browser in Browser::ALL {
            let d = if browser == Browser::Chrome {
                decide_both(&big_headers, &server, browser)
            } else {
                let mut cache = PreflightCache::new(browser.profile());
                decide(&big_headers, &page(), &server, browser, Context { cache: &mut cache, now_ms: 0 })
            };
            prop_assert_eq!(d.outcome, Outcome::Ok, "{}", browser);
            // The 1 MiB Accept value is not safelisted: it is in ACRH, next to the 1 MiB name.
            let acrh = d.preflight.request.and_then(|p| p.access_control_request_headers).unwrap_or_default();
            let items: Vec<&str> = acrh.split(',').collect();
            prop_assert_eq!(items.len(), 2, "{}", browser);
            prop_assert!(items.contains(&"accept") && items.contains(&name.as_str()), "{}", browser);
        }
    }
}

/// Found by `decide_never_panics_and_is_consistent`: a same-origin POST with
/// a custom header, redirected (301) to another origin, becomes a GET there
/// that still carries the header, so it is preflighted at the new URL; the
/// decision must say why (the reasons of the first URL CORS applies to).
#[test]
fn a_request_preflighted_only_after_a_redirect_says_why() {
    let call = FetchCall {
        url: "http://page.test/same".to_owned(),
        method: "POST".to_owned(),
        headers: vec![("X-Custom".to_owned(), String::new())],
        mode: RequestMode::Cors,
        credentials: CredentialsMode::Omit,
        body: None,
    };
    let moved = [("Location".to_owned(), "http://api.test/moved".to_owned())];
    let server = Responder {
        preflight: ServerResponse { status: 200, headers: HeaderList::default(), body: None },
        response: ServerResponse { status: 301, headers: HeaderList::from_pairs(&moved).expect("headers"), body: None },
    };
    for browser in Browser::ALL {
        let d = decide_both(&call, &server, browser);
        assert!(d.preflight.sent, "{browser}: preflighted at the new URL");
        assert!(!d.preflight.reasons.is_empty(), "{browser}: no reasons for the preflight");
    }
}
