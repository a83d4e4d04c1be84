//! One test per CORS rule, named after the rule, each asserting concrete
//! values for every browser profile it concerns.
//!
//! The expectations come from the Fetch standard (`../shared/reference/fetch.bs`)
//! for the `spec` profile, and from the recordings
//! (`testdata/scenarios/recorded.json`) and the browser fact sheets for
//! `chrome` and `firefox`. Where the engine disagrees with them, the test
//! keeps the correct expectation and is marked
//! `
use std::borrow::Cow;
use std::cell::{Cell, RefCell};

use corslab::fetch::allow_headers::{AllowHeaders, HeadersMatch, parse_allow_headers};
use corslab::fetch::allow_methods::{AllowMethods, MethodMatch, parse_allow_methods};
use corslab::browsers::profile::{CacheModel, ClearCache};
use corslab::fetch::cache::{CacheLookup, PreflightCache};
use corslab::fetch::classify::{Classification, PreflightReason, classify};
use corslab::fetch::cors_check::cors_check;
use corslab::fetch::engine::Server;
use corslab::fetch::expose_headers::{Exposed, exposed, visible_headers};
use corslab::fetch::forbidden::{
    FORBIDDEN_REQUEST_HEADER_NAMES, ForbiddenRequestHeader, forbidden_request_header,
    is_forbidden_response_header, is_forbidden_response_header_name,
};
use corslab::fetch::max_age::{MaxAge, MaxAgeReading, max_age};
use corslab::http::method::{InvalidMethod, is_cors_safelisted_method, is_forbidden_method, normalize};
use corslab::fetch::preflight::{PreflightRequest, evaluate_preflight};
use corslab::http::range::{SingleRange, parse_single_range};
use corslab::fetch::request::{DropReason, FetchTypeError};
use corslab::fetch::safelist::{
    MAX_SAFELISTED_VALUE_LEN, NotSafelisted, SafelistedHeader, check_safelisted,
    cors_unsafe_request_header_names, is_cors_non_wildcard_request_header_name,
    is_cors_safelisted_response_header, is_cors_safelisted_response_header_name, is_cors_unsafe_request_header_byte,
    is_no_cors_safelisted,
};
use corslab::formats::scenario::Responder;
use corslab::trace::{NoTrace, Step, Verdict};
use corslab::{
    Browser, Context, CredentialsMode, Decision, FetchCall, FetchRequest, Failure, HeaderList, HeaderName,
    Method, Origin, Outcome, RequestMode, ServerResponse, Stage, Tainting, Warning, decide, decide_traced,
};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

const PAGE: &str = "http://page.test";
const URL: &str = "http://api.test/data";
const OTHER: &str = "http://other.test";
const ACAO: &str = "Access-Control-Allow-Origin";
const ACAC: &str = "Access-Control-Allow-Credentials";
const ACAM: &str = "Access-Control-Allow-Methods";
const ACAH: &str = "Access-Control-Allow-Headers";
const ACMA: &str = "Access-Control-Max-Age";
const ACEH: &str = "Access-Control-Expose-Headers";

fn page() -> Origin {
    Origin::parse(PAGE).expect("the page origin parses")
}

fn hn(name: &str) -> HeaderName {
    HeaderName::parse(name).expect("a header name")
}

fn hns(names: &[&str]) -> Vec<HeaderName> {
    names.iter().map(|n| hn(n)).collect()
}

fn strs(names: &[HeaderName]) -> Vec<&str> {
    names.iter().map(HeaderName::as_str).collect()
}

fn headers(pairs: &[(&str, &str)]) -> HeaderList {
    HeaderList::from_pairs(pairs).expect("valid header pairs")
}

fn resp(status: u16, pairs: &[(&str, &str)]) -> ServerResponse {
    ServerResponse { status, headers: headers(pairs), body: None }
}

fn call_with(
    method: &str,
    pairs: &[(&str, &str)],
    body: Option<&str>,
    mode: RequestMode,
    credentials: CredentialsMode,
) -> FetchCall {
    FetchCall {
        url: URL.to_owned(),
        method: method.to_owned(),
        headers: pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        mode,
        credentials,
        body: body.map(str::to_owned),
    }
}

/// A `cors`-mode call with the default credentials mode (`same-origin`).
fn call(method: &str, pairs: &[(&str, &str)], body: Option<&str>) -> FetchCall {
    call_with(method, pairs, body, RequestMode::Cors, CredentialsMode::SameOrigin)
}

fn build(call: &FetchCall, browser: Browser) -> Result<FetchRequest, FetchTypeError> {
    FetchRequest::build(call, &page(), browser.profile(), &mut NoTrace)
}

fn req(call: &FetchCall, browser: Browser) -> FetchRequest {
    build(call, browser).expect("fetch() accepts the request")
}

fn classification(call: &FetchCall, browser: Browser) -> Classification {
    classify(&req(call, browser), browser.profile(), &mut NoTrace)
}

fn needs_preflight(call: &FetchCall, browser: Browser) -> bool {
    classification(call, browser).needs_preflight()
}

fn responder(preflight: ServerResponse, response: ServerResponse) -> Responder {
    Responder { preflight, response }
}

/// One `fetch()` on a fresh cache at t = 0.
fn decide_once(call: &FetchCall, browser: Browser, server: &impl Server) -> Decision {
    let mut cache = PreflightCache::new(browser.profile());
    decide(call, &page(), server, browser, Context { cache: &mut cache, now_ms: 0 })
}

/// The error name in the profile's vocabulary (the spec profile uses Chromium's).
fn error_name(decision: &Decision) -> Option<&'static str> {
    decision.report.as_ref().map(|r| match decision.browser {
        Browser::Firefox => r.firefox.code,
        Browser::Webkit => r.webkit.name,
        Browser::Chrome | Browser::Spec => r.chromium.name,
    })
}

fn failed_parameter(decision: &Decision) -> Option<String> {
    decision.report.as_ref().and_then(|r| match decision.browser {
        Browser::Firefox => r.firefox.failed_parameter.clone(),
        Browser::Webkit => r.webkit.failed_parameter.clone(),
        Browser::Chrome | Browser::Spec => r.chromium.failed_parameter.clone(),
    })
}

/// A successful response to the request itself.
fn ok_response() -> ServerResponse {
    resp(200, &[(ACAO, PAGE), ("Content-Type", "text/plain")])
}

fn safelisted(name: &str, value: &str, browser: Browser) -> Result<SafelistedHeader, NotSafelisted> {
    check_safelisted(&hn(name), value, browser.profile())
}

/// `{url}` and `{origin}` replaced, as in the recordings.
fn sub(template: &str) -> String {
    template.replace("{url}", URL).replace("{origin}", PAGE)
}

/// A server that records what it was asked.
#[derive(Debug)]
struct Recording {
    responder: Responder,
    preflights: RefCell<Vec<PreflightRequest>>,
    requests: Cell<u32>,
}

impl Recording {
    fn new(preflight: ServerResponse, response: ServerResponse) -> Recording {
        Recording { responder: responder(preflight, response), preflights: RefCell::new(Vec::new()), requests: Cell::new(0) }
    }
}

impl Server for Recording {
    fn preflight(&self, preflight: &PreflightRequest) -> Cow<'_, ServerResponse> {
        self.preflights.borrow_mut().push(preflight.clone());
        Cow::Borrowed(&self.responder.preflight)
    }

    fn respond(&self, _: &FetchRequest) -> Cow<'_, ServerResponse> {
        self.requests.set(self.requests.get() + 1);
        Cow::Borrowed(&self.responder.response)
    }
}

/// A browser session: one cache carried across requests.
#[derive(Debug)]
struct Session {
    browser: Browser,
    cache: PreflightCache,
}

impl Session {
    fn new(browser: Browser) -> Session {
        Session { browser, cache: PreflightCache::new(browser.profile()) }
    }

    fn fetch(&mut self, call: &FetchCall, server: &impl Server, now_ms: u64) -> Decision {
        decide(call, &page(), server, self.browser, Context { cache: &mut self.cache, now_ms })
    }
}

// ---------------------------------------------------------------------------
// Methods
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn cors_safelisted_method() {
    for m in ["GET", "HEAD", "POST"] {
        assert!(is_cors_safelisted_method(m), "{m}");
    }
    // Byte-exact after normalization: lower-case forms are not safelisted...
    for m in ["get", "Post", "head", "PUT", "DELETE", "PATCH", "OPTIONS", "FOO", ""] {
        assert!(!is_cors_safelisted_method(m), "{m}");
    }
    // ...but fetch() normalizes them first.
    assert!(Method::parse("post").expect("post").is_cors_safelisted());
    assert!(!Method::parse("patch").expect("patch").is_cors_safelisted());
    for browser in Browser::ALL {
        assert!(!needs_preflight(&call("get", &[], None), browser), "{browser}");
        assert!(!needs_preflight(&call("post", &[], Some("x")), browser), "{browser}");
        assert!(!needs_preflight(&call("HEAD", &[], None), browser), "{browser}");
        let put = classification(&call("PUT", &[], Some("x")), browser);
        assert!(put.method_unsafe);
        assert_eq!(put.reasons, vec![PreflightReason::Method { method: "PUT".to_owned() }]);
        let options = classification(&call("options", &[], None), browser);
        assert_eq!(options.reasons, vec![PreflightReason::Method { method: "OPTIONS".to_owned() }]);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn forbidden_method() {
    for m in ["CONNECT", "connect", "Trace", "TRACE", "track", "TrAcK"] {
        assert!(is_forbidden_method(m), "{m}");
        assert_eq!(Method::parse(m), Err(InvalidMethod::Forbidden), "{m}");
    }
    for m in ["GET", "TRACES", "CONNECTS", "TRAC", "OPTIONS"] {
        assert!(!is_forbidden_method(m), "{m}");
    }
    for browser in Browser::ALL {
        let err = build(&call("trace", &[], None), browser).expect_err("TRACE is forbidden");
        assert_eq!(err, FetchTypeError::ForbiddenMethod { method: "trace".to_owned() });
        assert_eq!(err.to_string(), "Failed to execute 'fetch' on 'Window': 'trace' HTTP method is unsupported.");
        let err = build(&call("GE T", &[], None), browser).expect_err("not a token");
        assert_eq!(err, FetchTypeError::InvalidMethod { method: "GE T".to_owned() });
        assert_eq!(err.to_string(), "Failed to execute 'fetch' on 'Window': 'GE T' is not a valid HTTP method.");
        assert_eq!(
            build(&call("", &[], None), browser),
            Err(FetchTypeError::InvalidMethod { method: String::new() })
        );
        let d = decide_once(&call("CONNECT", &[], None), browser, &responder(resp(204, &[]), ok_response()));
        assert_eq!(d.outcome, Outcome::TypeError);
        assert!(!d.preflight.sent);
        assert_eq!(d.type_error, Some(FetchTypeError::ForbiddenMethod { method: "CONNECT".to_owned() }));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn method_normalize() {
    for (input, expected) in [
        ("get", "GET"),
        ("Get", "GET"),
        ("post", "POST"),
        ("head", "HEAD"),
        ("put", "PUT"),
        ("dElEtE", "DELETE"),
        ("options", "OPTIONS"),
        ("patch", "patch"),
        ("Patch", "Patch"),
        ("PATCH", "PATCH"),
        ("foo", "foo"),
    ] {
        assert_eq!(normalize(input), expected, "{input}");
        assert_eq!(Method::parse(input).expect("a method").as_str(), expected, "{input}");
        assert_eq!(req(&call(input, &[], None), Browser::Spec).method.as_str(), expected, "{input}");
    }
    // The preflight carries the normalized method, case kept otherwise.
    let d = decide_once(&call("patch", &[], Some("x")), Browser::Chrome, &responder(resp(204, &[(ACAO, PAGE)]), ok_response()));
    assert_eq!(d.preflight.request.as_ref().map(|p| p.access_control_request_method.as_str()), Some("patch"));
    let d = decide_once(&call("put", &[], Some("x")), Browser::Chrome, &responder(resp(204, &[(ACAO, PAGE)]), ok_response()));
    assert_eq!(d.preflight.request.as_ref().map(|p| p.access_control_request_method.as_str()), Some("PUT"));
}

// ---------------------------------------------------------------------------
// Forbidden request-headers
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn forbidden_request_header_listed_prefix_and_method_override() {
    assert_eq!(FORBIDDEN_REQUEST_HEADER_NAMES.len(), 21);
    for browser in Browser::ALL {
        let profile = browser.profile();
        for name in FORBIDDEN_REQUEST_HEADER_NAMES {
            let upper = name.to_ascii_uppercase();
            assert_eq!(forbidden_request_header(&hn(&upper), "x", profile), Some(ForbiddenRequestHeader::Listed), "{upper} in {browser}");
        }
        assert_eq!(
            forbidden_request_header(&hn("Proxy-Authorization"), "x", profile),
            Some(ForbiddenRequestHeader::Prefix { prefix: "proxy-" })
        );
        assert_eq!(
            forbidden_request_header(&hn("SEC-Custom"), "x", profile),
            Some(ForbiddenRequestHeader::Prefix { prefix: "sec-" })
        );
        for name in ["Secret", "X-Proxy-Foo", "Proxy", "X-Sec-Foo", "Cookies", "Authorization", "X-Custom"] {
            assert_eq!(forbidden_request_header(&hn(name), "x", profile), None, "{name} in {browser}");
        }
        for (name, value, method) in [
            ("X-HTTP-Method-Override", "GET, trace", "trace"),
            ("X-HTTP-Method", "CONNECT", "CONNECT"),
            ("x-method-override", "PUT,\tTrack", "Track"),
        ] {
            assert_eq!(
                forbidden_request_header(&hn(name), value, profile),
                Some(ForbiddenRequestHeader::MethodOverride { method: method.to_owned() }),
                "{name}: {value}"
            );
        }
        for (name, value) in [
            ("X-HTTP-Method-Override", "PUT"),
            ("X-HTTP-Method-Override", "TRACES, GET"),
            ("X-Method-Override-Foo", "TRACE"),
            ("X-Custom", "TRACE"),
        ] {
            assert_eq!(forbidden_request_header(&hn(name), value, profile), None, "{name}: {value}");
        }
        // fetch() drops them silently: no TypeError, no preflight, not sent.
        let c = call(
            "GET",
            &[("Cookie", "a=b"), ("Host", "evil.test"), ("Sec-Custom", "1"), ("X-HTTP-Method-Override", "TRACE"), ("Origin", OTHER)],
            None,
        );
        let request = req(&c, browser);
        assert!(request.headers.is_empty(), "{browser}: {:?}", request.headers);
        let reasons: Vec<(&str, &DropReason)> = request.dropped.iter().map(|d| (d.name.as_str(), &d.reason)).collect();
        assert_eq!(
            reasons,
            vec![
                ("cookie", &DropReason::Forbidden(ForbiddenRequestHeader::Listed)),
                ("host", &DropReason::Forbidden(ForbiddenRequestHeader::Listed)),
                ("sec-custom", &DropReason::Forbidden(ForbiddenRequestHeader::Prefix { prefix: "sec-" })),
                (
                    "x-http-method-override",
                    &DropReason::Forbidden(ForbiddenRequestHeader::MethodOverride { method: "TRACE".to_owned() })
                ),
                ("origin", &DropReason::Forbidden(ForbiddenRequestHeader::Listed)),
            ]
        );
        assert!(!classify(&request, profile, &mut NoTrace).needs_preflight());
        // The Origin header sent is the page's, whatever the page tried.
        assert_eq!(request.origin_serialized, PAGE);
    }
}

/// fetch.bs, forbidden request-header, step 3: the override header's value
/// is split with "get, decode, and split", which keeps a quoted string
/// (commas included) as one value: `"x, TRACE, y"` is one value, not a list
/// naming TRACE.
#[wasm_bindgen_test(unsupported = test)]
fn forbidden_request_header_method_override_split_respects_quoted_strings_in_spec() {
    let spec = Browser::Spec.profile();
    assert_eq!(forbidden_request_header(&hn("X-HTTP-Method-Override"), "\"x, TRACE, y\"", spec), None);
    assert_eq!(forbidden_request_header(&hn("X-HTTP-Method-Override"), "\"1,2\", PUT", spec), None);
    // An unquoted element still counts.
    assert_eq!(
        forbidden_request_header(&hn("X-HTTP-Method-Override"), "\"1,2\", TRACE", spec),
        Some(ForbiddenRequestHeader::MethodOverride { method: "TRACE".to_owned() })
    );
}

/// Chromium's `net::HttpUtil::IsSafeHeader` also refuses
/// `Access-Control-Request-Private-Network` (research/browser-facts.md §5);
/// Firefox's list does not have it (§12).
#[wasm_bindgen_test(unsupported = test)]
fn forbidden_request_header_access_control_request_private_network_in_chromium() {
    let name = hn("Access-Control-Request-Private-Network");
    assert!(forbidden_request_header(&name, "true", Browser::Chrome.profile()).is_some());
    assert_eq!(forbidden_request_header(&name, "true", Browser::Firefox.profile()), None);
    assert_eq!(forbidden_request_header(&name, "true", Browser::Spec.profile()), None);
    let c = call("GET", &[("Access-Control-Request-Private-Network", "true")], None);
    assert!(!needs_preflight(&c, Browser::Chrome));
    assert!(needs_preflight(&c, Browser::Firefox));
}

#[wasm_bindgen_test(unsupported = test)]
fn user_agent_dropped_by_chrome_unsafe_elsewhere() {
    let c = call("GET", &[("User-Agent", "corslab/1")], None);
    let chrome = req(&c, Browser::Chrome);
    assert!(!chrome.headers.contains("user-agent"));
    assert_eq!(chrome.dropped.len(), 1);
    assert_eq!(chrome.dropped[0].reason, DropReason::Forbidden(ForbiddenRequestHeader::UserAgent));
    assert!(!needs_preflight(&c, Browser::Chrome));
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAH, "user-agent")]), ok_response());
    let d = decide_once(&c, Browser::Chrome, &server);
    assert!(!d.preflight.sent);
    assert_eq!(d.outcome, Outcome::Ok);
    for browser in [Browser::Firefox, Browser::Spec] {
        let request = req(&c, browser);
        assert_eq!(request.headers.get("user-agent").as_deref(), Some("corslab/1"));
        assert!(request.dropped.is_empty());
        let cl = classify(&request, browser.profile(), &mut NoTrace);
        assert_eq!(strs(&cl.headers.names), ["user-agent"]);
        assert_eq!(cl.headers.verdicts[0].1, Err(NotSafelisted::Name));
        let d = decide_once(&c, browser, &server);
        assert!(d.preflight.sent, "{browser}");
        assert_eq!(
            d.preflight.request.as_ref().and_then(|p| p.access_control_request_headers.as_deref()),
            Some("user-agent")
        );
        assert_eq!(d.outcome, Outcome::Ok);
    }
}

// ---------------------------------------------------------------------------
// CORS-safelisted request-headers
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn cors_unsafe_request_header_byte() {
    let listed = b"\"():<>?@[\\]{}";
    let mut unsafe_count = 0;
    for byte in 0..=255u8 {
        let expected = (byte < 0x20 && byte != 0x09) || listed.contains(&byte) || byte == 0x7F;
        assert_eq!(is_cors_unsafe_request_header_byte(byte), expected, "byte 0x{byte:02X}");
        if expected {
            unsafe_count += 1;
        }
    }
    // 31 control bytes (all but HT), 13 delimiters, DEL.
    assert_eq!(unsafe_count, 45);
    // The delimiters the standard leaves out on purpose.
    for byte in [b',', b'/', b';', b'=', b'\t', b' ', 0x80, 0xFF] {
        assert!(!is_cors_unsafe_request_header_byte(byte), "byte 0x{byte:02X}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_safelisted_request_header_accept() {
    for browser in Browser::ALL {
        for value in ["text/html", "*/*", "application/json, text/plain;q=0.9", "a\tb", "caf\u{e9}", ""] {
            assert_eq!(safelisted("Accept", value, browser), Ok(SafelistedHeader::Accept), "{value:?} in {browser}");
        }
        assert_eq!(safelisted("ACCEPT", "text/html", browser), Ok(SafelistedHeader::Accept));
        for (value, byte) in [
            ("application/json; profile=\"x\"", b'"'),
            ("a@b", b'@'),
            ("a:b", b':'),
            ("text/{x}", b'{'),
            ("a\u{7f}b", 0x7F),
            ("a\u{1}b", 0x01),
        ] {
            assert_eq!(safelisted("Accept", value, browser), Err(NotSafelisted::UnsafeByte { byte }), "{value:?} in {browser}");
        }
        // As recorded: `Accept: application/json; profile="x"` needs a preflight.
        assert!(needs_preflight(&call("GET", &[("Accept", "application/json; profile=\"x\"")], None), browser));
        assert!(!needs_preflight(&call("GET", &[("Accept", "application/json")], None), browser));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_safelisted_request_header_accept_language_and_content_language_alphabet() {
    for browser in Browser::ALL {
        for value in ["en-US,en;q=0.9", "de-DE", "*", "", "a b.c=d;e,f-g*0Z9"] {
            assert_eq!(safelisted("Accept-Language", value, browser), Ok(SafelistedHeader::AcceptLanguage), "{value:?}");
            assert_eq!(safelisted("Content-Language", value, browser), Ok(SafelistedHeader::ContentLanguage), "{value:?}");
        }
        for (value, byte) in [("en_US", b'_'), ("de/DE", b'/'), ("en\"", b'"'), ("fr\tCA", b'\t'), ("\u{e9}", 0xE9), ("a(b)", b'(')] {
            assert_eq!(safelisted("Accept-Language", value, browser), Err(NotSafelisted::LanguageByte { byte }), "{value:?}");
            assert_eq!(safelisted("Content-Language", value, browser), Err(NotSafelisted::LanguageByte { byte }), "{value:?}");
        }
        // As recorded.
        assert!(!needs_preflight(&call("GET", &[("Accept-Language", "en-US,en;q=0.9")], None), browser));
        assert!(needs_preflight(&call("GET", &[("Accept-Language", "en_US")], None), browser));
        assert!(!needs_preflight(&call("GET", &[("Content-Language", "de-DE")], None), browser));
        assert!(needs_preflight(&call("GET", &[("Content-Language", "de/DE")], None), browser));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_safelisted_request_header_content_type_three_essences() {
    for browser in Browser::ALL {
        for value in [
            "text/plain",
            "TEXT/PLAIN",
            "Text/Plain; a=b",
            "text/plain;charset=UTF-8",
            "multipart/form-data",
            "multipart/form-data; boundary=x",
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded;charset=UTF-8",
        ] {
            assert_eq!(safelisted("Content-Type", value, browser), Ok(SafelistedHeader::ContentType), "{value:?} in {browser}");
        }
        for (value, essence) in [
            ("application/json", "application/json"),
            ("text/html", "text/html"),
            ("application/csp-report", "application/csp-report"),
            ("Multipart/Related", "multipart/related"),
        ] {
            assert_eq!(
                safelisted("Content-Type", value, browser),
                Err(NotSafelisted::MimeEssence { essence: essence.to_owned() }),
                "{value:?}"
            );
        }
        for value in ["text", "text /plain", "/plain", "text/", "text/plain, application/json"] {
            assert_eq!(safelisted("Content-Type", value, browser), Err(NotSafelisted::MimeTypeUnparsable), "{value:?}");
        }
        // The unsafe-byte check comes before parsing.
        assert_eq!(safelisted("Content-Type", "text/plain; a={b}", browser), Err(NotSafelisted::UnsafeByte { byte: b'{' }));
        assert_eq!(
            safelisted("Content-Type", "text/plain;charset=\"utf-8\"", browser),
            Err(NotSafelisted::UnsafeByte { byte: b'"' })
        );
        // As recorded: each of the three goes without a preflight.
        for ct in ["application/x-www-form-urlencoded", "multipart/form-data", "TEXT/PLAIN"] {
            assert!(!needs_preflight(&call("POST", &[("Content-Type", ct)], Some("a=1")), browser), "{ct}");
        }
        assert!(needs_preflight(&call("POST", &[("Content-Type", "application/json")], Some("{}")), browser));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_safelisted_request_header_range_single_bytes_range() {
    for browser in Browser::ALL {
        for value in ["bytes=0-100", "bytes=200-", "bytes=0-0", "bytes=007-9"] {
            assert_eq!(safelisted("Range", value, browser), Ok(SafelistedHeader::Range), "{value:?} in {browser}");
        }
        assert_eq!(safelisted("Range", "bytes=-500", browser), Err(NotSafelisted::RangeSuffix));
        for value in [
            "bytes=0-1,2-3",
            "bytes= 0-1",
            "bytes =0-1",
            "bytes=0 -1",
            "bytes=5-3",
            "Bytes=0-1",
            "items=0-1",
            "bytes=",
            "bytes=-",
            "bytes=a-b",
            "bytes=0-1 ",
            "bytes=0-1,",
        ] {
            assert_eq!(safelisted("Range", value, browser), Err(NotSafelisted::RangeSyntax), "{value:?} in {browser}");
        }
        // As recorded.
        assert!(!needs_preflight(&call("GET", &[("Range", "bytes=0-100")], None), browser));
        assert!(!needs_preflight(&call("GET", &[("Range", "bytes=200-")], None), browser));
        assert!(needs_preflight(&call("GET", &[("Range", "bytes=-500")], None), browser));
    }
    // The parser itself, with and without whitespace allowed.
    assert_eq!(parse_single_range("bytes=5-", false), Some(SingleRange { start: Some("5"), end: None }));
    assert_eq!(parse_single_range("bytes=-5", false), Some(SingleRange { start: None, end: Some("5") }));
    assert_eq!(parse_single_range("bytes = 1 - 2", true), Some(SingleRange { start: Some("1"), end: Some("2") }));
    assert_eq!(parse_single_range("bytes = 1 - 2", false), None);
    assert_eq!(parse_single_range("bytes=2-1", true), None);
}

/// fetch.bs, parse a single range header value: rangeStart is "interpreted
/// as decimal number", with no size limit; a 50-digit end fits easily in the
/// 128-byte value limit. range.rs claims such numbers are "far beyond the
/// 128-byte value limit", but u128 holds only 39 digits.
#[wasm_bindgen_test(unsupported = test)]
fn cors_safelisted_request_header_range_numbers_beyond_u128_in_spec() {
    let big = "9".repeat(50);
    let value = format!("bytes=0-{big}");
    assert!(value.len() <= MAX_SAFELISTED_VALUE_LEN);
    assert_eq!(safelisted("Range", &value, Browser::Spec), Ok(SafelistedHeader::Range));
    let value = format!("bytes=1{}-", "0".repeat(45));
    assert_eq!(safelisted("Range", &value, Browser::Spec), Ok(SafelistedHeader::Range));
    // Still a failure when the start is greater than the end.
    let value = format!("bytes=2{z}-1{z}", z = "0".repeat(45));
    assert_eq!(safelisted("Range", &value, Browser::Spec), Err(NotSafelisted::RangeSyntax));
    assert!(!needs_preflight(&call("GET", &[("Range", &format!("bytes=0-{big}"))], None), Browser::Spec));
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_safelisted_request_header_value_over_128_bytes() {
    assert_eq!(MAX_SAFELISTED_VALUE_LEN, 128);
    for browser in Browser::ALL {
        let ok = "a".repeat(128);
        let long = "a".repeat(129);
        assert_eq!(safelisted("Accept", &ok, browser), Ok(SafelistedHeader::Accept));
        assert_eq!(safelisted("Accept", &long, browser), Err(NotSafelisted::TooLong { len: 129 }));
        // The length is checked before the value rules.
        assert_eq!(safelisted("Accept-Language", &"_".repeat(129), browser), Err(NotSafelisted::TooLong { len: 129 }));
        assert_eq!(safelisted("Content-Language", &long, browser), Err(NotSafelisted::TooLong { len: 129 }));
        let ct = format!("text/plain;a={}", "b".repeat(115));
        assert_eq!(ct.len(), 128);
        assert_eq!(safelisted("Content-Type", &ct, browser), Ok(SafelistedHeader::ContentType));
        assert_eq!(safelisted("Content-Type", &format!("{ct}b"), browser), Err(NotSafelisted::TooLong { len: 129 }));
        // Length is in bytes of the isomorphic encoding: 128 'é' is 128 bytes
        // on the wire (256 in UTF-8).
        assert_eq!(safelisted("Accept", &"\u{e9}".repeat(128), browser), Ok(SafelistedHeader::Accept));
        assert_eq!(safelisted("Accept", &"\u{e9}".repeat(129), browser), Err(NotSafelisted::TooLong { len: 129 }));
        assert!(needs_preflight(&call("GET", &[("Accept", &long)], None), browser));
        assert!(!needs_preflight(&call("GET", &[("Accept", &ok)], None), browser));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn chromium_client_hints_with_valid_values() {
    let valid = [
        ("DPR", "2"),
        ("DPR", "1.5"),
        ("Save-Data", "on"),
        ("Save-Data", "ON"),
        ("Device-Memory", "8"),
        ("Device-Memory", "0.5"),
        ("Width", "100"),
        ("Viewport-Width", "1024"),
        ("RTT", "50"),
        ("Downlink", "10.0"),
        ("ECT", "4g"),
        ("ECT", "slow-2g"),
    ];
    let invalid = [
        ("DPR", "abc"),
        ("DPR", ".5"),
        ("DPR", "2."),
        ("DPR", "1.5.1"),
        ("Save-Data", "off"),
        ("Width", "100.5"),
        ("Width", ""),
        ("Viewport-Width", "-1"),
        ("ECT", "4G"),
        ("ECT", "5g"),
    ];
    for (name, value) in valid {
        assert_eq!(safelisted(name, value, Browser::Chrome), Ok(SafelistedHeader::ClientHint), "{name}: {value}");
        for browser in [Browser::Firefox, Browser::Spec] {
            assert_eq!(safelisted(name, value, browser), Err(NotSafelisted::Name), "{name}: {value} in {browser}");
        }
    }
    for (name, value) in invalid {
        assert_eq!(safelisted(name, value, Browser::Chrome), Err(NotSafelisted::ClientHintValue), "{name}: {value}");
    }
    // As recorded: DPR 2, Save-Data on, Device-Memory 8, Width 100 go
    // without a preflight in Chromium only; Save-Data off and DPR abc need one.
    for (name, value) in [("Save-Data", "on"), ("DPR", "2"), ("Device-Memory", "8"), ("Width", "100")] {
        let c = call("GET", &[(name, value)], None);
        assert!(!needs_preflight(&c, Browser::Chrome), "{name}");
        assert!(needs_preflight(&c, Browser::Firefox), "{name}");
        assert!(needs_preflight(&c, Browser::Spec), "{name}");
    }
    for (name, value) in [("Save-Data", "off"), ("DPR", "abc")] {
        for browser in Browser::ALL {
            assert!(needs_preflight(&call("GET", &[(name, value)], None), browser), "{name}: {value} in {browser}");
        }
    }
}

/// Chromium's `IsCorsSafelistedHeader` also safelists `Intervention`, any
/// value up to 128 bytes ("[Block 2 - Intervention] Treat 'Intervention' as
/// a CORS-safelisted header, since it is added by Chrome";
/// research/browser-facts.md §5 lists it in `safe_names`).
#[wasm_bindgen_test(unsupported = test)]
fn chromium_safelists_intervention_header() {
    let value = "<https://www.chromestatus.com/feature/5718547946799104>; level=\"warning\"";
    assert!(safelisted("Intervention", value, Browser::Chrome).is_ok());
    assert_eq!(safelisted("Intervention", value, Browser::Firefox), Err(NotSafelisted::Name));
    assert_eq!(safelisted("Intervention", value, Browser::Spec), Err(NotSafelisted::Name));
    let c = call("GET", &[("Intervention", value)], None);
    assert!(!needs_preflight(&c, Browser::Chrome));
    assert!(needs_preflight(&c, Browser::Firefox));
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_unsafe_request_header_names_sorted_lowercase_unique() {
    let list = headers(&[
        ("X-B", "1"),
        ("x-a", "1"),
        ("X-A", "2"),
        ("Accept", "text/html"),
        ("Content-Type", "application/json"),
        ("Authorization", "Bearer t"),
    ]);
    for browser in Browser::ALL {
        let unsafe_headers = cors_unsafe_request_header_names(&list, browser.profile());
        assert_eq!(strs(&unsafe_headers.names), ["authorization", "content-type", "x-a", "x-b"], "{browser}");
        assert_eq!(strs(&unsafe_headers.request_order), ["x-b", "x-a", "content-type", "authorization"], "{browser}");
        assert!(!unsafe_headers.over_total);
        assert_eq!(unsafe_headers.safelisted_total, "text/html".len());
    }
    // Chromium combines the two X-A lines first: one verdict fewer.
    assert_eq!(cors_unsafe_request_header_names(&list, Browser::Spec.profile()).verdicts.len(), 6);
    assert_eq!(cors_unsafe_request_header_names(&list, Browser::Firefox.profile()).verdicts.len(), 6);
    let chrome = cors_unsafe_request_header_names(&list, Browser::Chrome.profile());
    assert_eq!(chrome.verdicts.len(), 5);
    assert_eq!(chrome.verdicts[1].0.as_str(), "x-a");
    // The preflight's Access-Control-Request-Headers: joined by `,`, no spaces.
    let c = call(
        "GET",
        &[("X-B", "1"), ("x-a", "1"), ("X-A", "2"), ("Accept", "text/html"), ("Content-Type", "application/json"), ("Authorization", "Bearer t")],
        None,
    );
    for browser in Browser::ALL {
        let request = req(&c, browser);
        let cl = classify(&request, browser.profile(), &mut NoTrace);
        let preflight = PreflightRequest::new(&request, &cl.headers.names);
        assert_eq!(preflight.access_control_request_headers.as_deref(), Some("authorization,content-type,x-a,x-b"));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn safelisted_values_over_1024_bytes_all_unsafe() {
    // Nine separate `Accept` values of 114 bytes: 1026 bytes in all.
    let accept = format!("application/{}", "e".repeat(102));
    assert_eq!(accept.len(), 114);
    let nine: Vec<(&str, &str)> = (0..9).map(|_| ("Accept", accept.as_str())).collect();
    let c = call("GET", &nine, None);
    let spec = classification(&c, Browser::Spec);
    assert!(spec.headers.over_total);
    assert_eq!(spec.headers.safelisted_total, 1026);
    assert_eq!(strs(&spec.headers.names), ["accept"]);
    assert_eq!(spec.reasons.len(), 9);
    assert_eq!(
        spec.reasons[0],
        PreflightReason::Header { name: hn("accept"), why: NotSafelisted::TotalTooLong { total: 1026 } }
    );
    // Firefox has no total limit (as recorded: no preflight).
    let firefox = classification(&c, Browser::Firefox);
    assert!(!firefox.headers.over_total);
    assert_eq!(firefox.headers.safelisted_total, 1026);
    assert!(firefox.headers.names.is_empty());
    assert!(!firefox.needs_preflight());
    // Exactly 1024 is not over the limit.
    let full = "a".repeat(128);
    let eight: Vec<(&str, &str)> = (0..8).map(|_| ("Accept", full.as_str())).collect();
    let spec = classification(&call("GET", &eight, None), Browser::Spec);
    assert_eq!(spec.headers.safelisted_total, 1024);
    assert!(!spec.needs_preflight());

    // Chromium: nine distinct safelisted names (it combines repeats), 1026 bytes.
    let lang = "a".repeat(128);
    let ct = format!("text/plain;a={}", "c".repeat(115));
    let digits = |d: &str| d.repeat(128);
    let (w, vw, dpr, dm) = (digits("1"), digits("2"), digits("3"), digits("4"));
    let mut distinct: Vec<(&str, &str)> = vec![
        ("Accept", &full),
        ("Accept-Language", &lang),
        ("Content-Language", &lang),
        ("Content-Type", &ct),
        ("Width", &w),
        ("Viewport-Width", &vw),
        ("DPR", &dpr),
        ("Device-Memory", &dm),
    ];
    let chrome = classification(&call("POST", &distinct, Some("x")), Browser::Chrome);
    assert_eq!(chrome.headers.safelisted_total, 1024);
    assert!(!chrome.needs_preflight());
    distinct.push(("Save-Data", "on"));
    let chrome = classification(&call("POST", &distinct, Some("x")), Browser::Chrome);
    assert!(chrome.headers.over_total);
    assert_eq!(chrome.headers.safelisted_total, 1026);
    assert_eq!(
        strs(&chrome.headers.names),
        [
            "accept",
            "accept-language",
            "content-language",
            "content-type",
            "device-memory",
            "dpr",
            "save-data",
            "viewport-width",
            "width"
        ]
    );
    // Firefox: the client hints are unsafe by name; the rest never add up.
    let firefox = classification(&call("POST", &distinct, Some("x")), Browser::Firefox);
    assert!(!firefox.headers.over_total);
    assert_eq!(strs(&firefox.headers.names), ["device-memory", "dpr", "save-data", "viewport-width", "width"]);
}

#[wasm_bindgen_test(unsupported = test)]
fn repeated_request_headers_combined_before_128_byte_check_in_chrome() {
    let value = format!("application/{}", "d".repeat(88));
    assert_eq!(value.len(), 100);
    let c = call("GET", &[("Accept", &value), ("Accept", &value)], None);
    let chrome = classification(&c, Browser::Chrome);
    assert_eq!(chrome.headers.verdicts.len(), 1);
    assert_eq!(chrome.headers.verdicts[0], (hn("accept"), Err(NotSafelisted::TooLong { len: 202 })));
    assert_eq!(strs(&chrome.headers.names), ["accept"]);
    for browser in [Browser::Firefox, Browser::Spec] {
        let cl = classification(&c, browser);
        assert_eq!(cl.headers.verdicts.len(), 2, "{browser}");
        assert!(!cl.needs_preflight(), "{browser}");
    }
    // As recorded (safelist-accept-twice-100-bytes).
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAH, "accept")]), ok_response());
    let d = decide_once(&c, Browser::Chrome, &server);
    assert!(d.preflight.sent);
    assert_eq!(d.preflight.request.as_ref().and_then(|p| p.access_control_request_headers.as_deref()), Some("accept"));
    assert!(!decide_once(&c, Browser::Firefox, &server).preflight.sent);
    // Two short lines stay safelisted once combined.
    let c = call("GET", &[("Accept", "text/html"), ("accept", "text/plain")], None);
    assert!(!needs_preflight(&c, Browser::Chrome));
}

// ---------------------------------------------------------------------------
// What fetch() builds
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn no_cors_guard_drops_non_safelisted_headers() {
    let long_accept = format!("application/{}", "x".repeat(110));
    for browser in Browser::ALL {
        let c = call_with(
            "GET",
            &[
                ("X-Custom", "1"),
                ("Accept", "text/html"),
                ("Range", "bytes=0-1"),
                ("Content-Type", "application/json"),
                ("Accept-Language", "en"),
                ("Cookie", "a=b"),
                ("Accept", &long_accept),
                ("Content-Language", "de"),
            ],
            None,
            RequestMode::NoCors,
            CredentialsMode::Include,
        );
        let request = req(&c, browser);
        let kept: Vec<(&str, &str)> = request.headers.iter().map(|(n, v)| (n.as_str(), v)).collect();
        assert_eq!(kept, [("accept", "text/html"), ("accept-language", "en"), ("content-language", "de")], "{browser}");
        let dropped: Vec<&str> = request.dropped.iter().map(|d| d.name.as_str()).collect();
        // The second Accept makes the combined value over 128 bytes.
        assert_eq!(dropped, ["x-custom", "range", "content-type", "cookie", "accept"], "{browser}");
        assert!(request.dropped.iter().all(|d| d.reason == DropReason::NotNoCorsSafelisted));
        // No preflight, no CORS: an opaque response.
        let d = decide_once(&c, browser, &responder(resp(204, &[]), resp(200, &[("Content-Type", "text/plain")])));
        assert_eq!(d.outcome, Outcome::Opaque);
        assert_eq!(d.tainting, Some(Tainting::Opaque));
        assert!(!d.preflight.sent);
        assert!(d.preflight.reasons.is_empty());
        assert_eq!(d.status, Some(0));
        assert!(d.visible_headers.is_empty());
        // A string body's own Content-Type is no-CORS-safelisted, so it stays.
        let post = call_with("POST", &[("Content-Type", "application/json")], Some("{}"), RequestMode::NoCors, CredentialsMode::Omit);
        let request = req(&post, browser);
        assert_eq!(request.headers.get("content-type").as_deref(), Some("text/plain;charset=UTF-8"));
    }
    assert!(is_no_cors_safelisted(&hn("Accept"), "text/html", Browser::Spec.profile()));
    assert!(!is_no_cors_safelisted(&hn("Range"), "bytes=0-1", Browser::Spec.profile()));
    assert!(!is_no_cors_safelisted(&hn("DPR"), "2", Browser::Chrome.profile()));
}

#[wasm_bindgen_test(unsupported = test)]
fn no_cors_method_restriction_type_error() {
    for browser in Browser::ALL {
        let put = call_with("PUT", &[], Some("x"), RequestMode::NoCors, CredentialsMode::SameOrigin);
        let err = build(&put, browser).expect_err("PUT in no-cors");
        assert_eq!(err, FetchTypeError::NoCorsMethod { method: "PUT".to_owned() });
        assert_eq!(err.to_string(), "Failed to execute 'fetch' on 'Window': 'PUT' is unsupported in no-cors mode.");
        let patch = call_with("patch", &[], Some("x"), RequestMode::NoCors, CredentialsMode::SameOrigin);
        assert_eq!(build(&patch, browser), Err(FetchTypeError::NoCorsMethod { method: "patch".to_owned() }));
        for method in ["post", "GET", "head"] {
            let body = (method == "post").then_some("x");
            let ok = call_with(method, &[], body, RequestMode::NoCors, CredentialsMode::SameOrigin);
            assert!(build(&ok, browser).is_ok(), "{method} in {browser}");
        }
        let server = Recording::new(resp(204, &[]), resp(200, &[]));
        let d = decide_once(&put, browser, &server);
        assert_eq!(d.outcome, Outcome::TypeError);
        assert!(!d.preflight.sent);
        assert!(d.request.is_none());
        assert_eq!(server.requests.get(), 0);
        assert!(server.preflights.borrow().is_empty());
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn body_with_get_or_head_type_error() {
    for browser in Browser::ALL {
        for method in ["GET", "get", "HEAD", "head"] {
            let err = build(&call(method, &[], Some("x")), browser).expect_err("a body on GET/HEAD");
            assert_eq!(err, FetchTypeError::BodyWithGetOrHead, "{method}");
            assert_eq!(err.to_string(), "Failed to execute 'fetch' on 'Window': Request with GET/HEAD method cannot have body.");
        }
        // An empty string is a body too.
        assert_eq!(build(&call("GET", &[], Some("")), browser), Err(FetchTypeError::BodyWithGetOrHead));
        assert!(build(&call("GET", &[], None), browser).is_ok());
        assert!(build(&call("POST", &[], Some("x")), browser).is_ok());
        assert!(build(&call("DELETE", &[], Some("x")), browser).is_ok());
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn string_body_adds_text_plain_content_type() {
    for browser in Browser::ALL {
        let request = req(&call("POST", &[], Some("hello")), browser);
        let cts: Vec<&str> = request.headers.values("content-type").collect();
        assert_eq!(cts, ["text/plain;charset=UTF-8"]);
        assert!(!classify(&request, browser.profile(), &mut NoTrace).needs_preflight());
        // The page's own Content-Type wins; none is added next to it.
        let request = req(&call("POST", &[("Content-Type", "application/json")], Some("{}")), browser);
        let cts: Vec<&str> = request.headers.values("content-type").collect();
        assert_eq!(cts, ["application/json"]);
        assert_eq!(strs(&classify(&request, browser.profile(), &mut NoTrace).headers.names), ["content-type"]);
        // No body, no Content-Type.
        assert!(!req(&call("DELETE", &[], None), browser).headers.contains("content-type"));
        // An empty body still adds one.
        assert!(req(&call("PUT", &[], Some("")), browser).headers.contains("content-type"));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn header_name_and_value_validation_type_error() {
    for browser in Browser::ALL {
        assert_eq!(
            build(&call("GET", &[("X Bad", "1")], None), browser),
            Err(FetchTypeError::InvalidHeaderName { name: "X Bad".to_owned() })
        );
        assert_eq!(
            build(&call("GET", &[("", "1")], None), browser),
            Err(FetchTypeError::InvalidHeaderName { name: String::new() })
        );
        for value in ["a\r\nb", "a\0b", "snow \u{2603}"] {
            assert_eq!(
                build(&call("GET", &[("X-A", value)], None), browser),
                Err(FetchTypeError::InvalidHeaderValue { name: "X-A".to_owned() }),
                "{value:?}"
            );
        }
        // Values are normalized (HTTP whitespace trimmed), names lower-cased.
        let request = req(&call("GET", &[("X-Custom", " \t v \r\n")], None), browser);
        let got: Vec<(&str, &str)> = request.headers.iter().map(|(n, v)| (n.as_str(), v)).collect();
        assert_eq!(got, [("x-custom", "v")]);
    }
}

// ---------------------------------------------------------------------------
// The CORS check
// ---------------------------------------------------------------------------

/// Runs the CORS check on an actual response with these
/// `Access-Control-Allow-Origin` and `-Credentials` lines.
fn check(credentials: CredentialsMode, acao: &[&str], acac: &[&str]) -> Result<(), Failure> {
    let request = req(&call_with("GET", &[], None, RequestMode::Cors, credentials), Browser::Spec);
    let mut pairs: Vec<(&str, &str)> = acao.iter().map(|v| (ACAO, *v)).collect();
    pairs.extend(acac.iter().map(|v| (ACAC, *v)));
    cors_check(&request, &resp(200, &pairs), Stage::Actual, &mut NoTrace)
}

fn chromium_of(failure: &Failure) -> (&'static str, Option<String>) {
    let e = failure.chromium(URL, PAGE);
    (e.name, e.failed_parameter)
}

fn firefox_of(failure: &Failure) -> (&'static str, Option<String>) {
    let e = failure.firefox(URL, &format!("{PAGE}/"));
    (e.code, e.failed_parameter)
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_missing_allow_origin() {
    let failure = check(CredentialsMode::SameOrigin, &[], &[]).expect_err("no ACAO");
    assert_eq!(
        failure,
        Failure::AllowOrigin { stage: Stage::Actual, status: 200, lines: vec![], credentials: false }
    );
    assert_eq!(chromium_of(&failure), ("MissingAllowOriginHeader", None));
    assert_eq!(firefox_of(&failure), ("CORSMissingAllowOrigin", None));
    // ACAC alone does not help.
    assert!(check(CredentialsMode::Include, &[], &["true"]).is_err());
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_multiple_lines() {
    let failure = check(CredentialsMode::SameOrigin, &[PAGE, PAGE], &[]).expect_err("two ACAO lines");
    assert_eq!(
        failure,
        Failure::AllowOrigin { stage: Stage::Actual, status: 200, lines: vec![PAGE.to_owned(), PAGE.to_owned()], credentials: false }
    );
    assert_eq!(chromium_of(&failure), ("MultipleAllowOriginValues", Some(format!("{PAGE}, {PAGE}"))));
    assert_eq!(firefox_of(&failure), ("CORSMultipleAllowOriginNotAllowed", None));
    // Two `*` lines are not `*` either.
    assert!(check(CredentialsMode::Omit, &["*", "*"], &[]).is_err());
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_comma_list() {
    let value = format!("{PAGE}, {OTHER}");
    let failure = check(CredentialsMode::SameOrigin, &[&value], &[]).expect_err("a list");
    assert_eq!(chromium_of(&failure), ("MultipleAllowOriginValues", Some(value.clone())));
    // Firefox counts header lines, not list items: one line is a mismatch.
    assert_eq!(firefox_of(&failure), ("CORSAllowOriginNotMatchingOrigin", Some(value)));
    // A space anywhere is a list for Chromium.
    let failure = check(CredentialsMode::SameOrigin, &[&format!("{PAGE} {OTHER}")], &[]).expect_err("a list");
    assert_eq!(chromium_of(&failure).0, "MultipleAllowOriginValues");
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_mismatch() {
    for value in [OTHER, "http://page.test/", "http://page.test:80", "https://page.test", "http://api.test"] {
        let failure = check(CredentialsMode::SameOrigin, &[value], &[]).expect_err("another origin");
        assert_eq!(chromium_of(&failure), ("AllowOriginMismatch", Some(value.to_owned())), "{value}");
        assert_eq!(firefox_of(&failure), ("CORSAllowOriginNotMatchingOrigin", Some(value.to_owned())), "{value}");
    }
    // Values GURL cannot parse are "invalid" for Chromium, a mismatch for Firefox.
    for value in ["page.test", "foo", "https://"] {
        let failure = check(CredentialsMode::SameOrigin, &[value], &[]).expect_err("not an origin");
        assert_eq!(chromium_of(&failure), ("InvalidAllowOriginValue", Some(value.to_owned())), "{value}");
        assert_eq!(firefox_of(&failure).0, "CORSAllowOriginNotMatchingOrigin", "{value}");
    }
    // An empty value: Chromium reports '' as no parameter.
    let failure = check(CredentialsMode::SameOrigin, &[""], &[]).expect_err("empty");
    assert_eq!(chromium_of(&failure), ("InvalidAllowOriginValue", None));
    assert_eq!(firefox_of(&failure), ("CORSAllowOriginNotMatchingOrigin", None));
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_case_sensitive() {
    for value in ["HTTP://PAGE.TEST", "http://Page.test", "Http://page.test"] {
        let failure = check(CredentialsMode::SameOrigin, &[value], &[]).expect_err("byte comparison");
        assert_eq!(chromium_of(&failure), ("AllowOriginMismatch", Some(value.to_owned())), "{value}");
    }
    assert_eq!(check(CredentialsMode::SameOrigin, &[PAGE], &[]), Ok(()));
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_wildcard_without_credentials() {
    assert_eq!(check(CredentialsMode::Omit, &["*"], &[]), Ok(()));
    assert_eq!(check(CredentialsMode::SameOrigin, &["*"], &[]), Ok(()));
    // Allow-Credentials is never looked at without credentials.
    assert_eq!(check(CredentialsMode::SameOrigin, &["*"], &["false"]), Ok(()));
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_wildcard_with_credentials() {
    let failure = check(CredentialsMode::Include, &["*"], &["true"]).expect_err("* with credentials");
    assert_eq!(
        failure,
        Failure::AllowOrigin { stage: Stage::Actual, status: 200, lines: vec!["*".to_owned()], credentials: true }
    );
    assert_eq!(chromium_of(&failure), ("WildcardOriginNotAllowed", None));
    assert_eq!(firefox_of(&failure), ("CORSNotSupportingCredentials", None));
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_null() {
    let failure = check(CredentialsMode::SameOrigin, &["null"], &[]).expect_err("null is not the page's origin");
    assert_eq!(chromium_of(&failure), ("AllowOriginMismatch", Some("null".to_owned())));
    assert_eq!(firefox_of(&failure), ("CORSAllowOriginNotMatchingOrigin", Some("null".to_owned())));
    // An opaque origin serializes as `null`, which then matches.
    let opaque = FetchRequest::build(&call("GET", &[], None), &Origin::Opaque, Browser::Spec.profile(), &mut NoTrace)
        .expect("fetch() from an opaque origin");
    assert_eq!(opaque.origin_serialized, "null");
    assert_eq!(cors_check(&opaque, &resp(200, &[(ACAO, "null")]), Stage::Actual, &mut NoTrace), Ok(()));
    assert!(cors_check(&opaque, &resp(200, &[(ACAO, PAGE)]), Stage::Actual, &mut NoTrace).is_err());
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_surrounding_whitespace_trimmed() {
    for value in ["  http://page.test  ", "\thttp://page.test", "http://page.test \t"] {
        assert_eq!(check(CredentialsMode::SameOrigin, &[value], &[]), Ok(()), "{value:?}");
    }
    assert_eq!(check(CredentialsMode::Include, &[PAGE], &[" true\t"]), Ok(()));
    // Inside the value, whitespace counts.
    assert!(check(CredentialsMode::SameOrigin, &["http:// page.test"], &[]).is_err());
}

#[wasm_bindgen_test(unsupported = test)]
fn cors_check_credentials_true_exact_and_case_sensitive() {
    assert_eq!(check(CredentialsMode::Include, &[PAGE], &["true"]), Ok(()));
    for (lines, value) in [
        (&["True"][..], Some("True")),
        (&["TRUE"][..], Some("TRUE")),
        (&["1"][..], Some("1")),
        (&["true, true"][..], Some("true, true")),
        (&["true", "true"][..], Some("true, true")),
        (&[][..], None),
    ] {
        let failure = check(CredentialsMode::Include, &[PAGE], lines).expect_err("not exactly true");
        assert_eq!(
            failure,
            Failure::AllowCredentials { stage: Stage::Actual, value: value.map(str::to_owned) },
            "{lines:?}"
        );
        assert_eq!(chromium_of(&failure), ("InvalidAllowCredentials", value.map(str::to_owned)));
        assert_eq!(firefox_of(&failure), ("CORSMissingAllowCredentials", None));
    }
    // Only checked with credentials.
    assert_eq!(check(CredentialsMode::SameOrigin, &[PAGE], &[]), Ok(()));
    assert_eq!(check(CredentialsMode::Omit, &[PAGE], &["false"]), Ok(()));
}

// ---------------------------------------------------------------------------
// The preflight's allow-lists
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn allow_methods_token_list_and_empty_elements() {
    // The parsed list borrows the header list: keep each one alive for the test.
    let list = |pairs: &[(&str, &str)]| parse_allow_methods(Box::leak(Box::new(headers(pairs))));
    assert_eq!(list(&[]), Ok(None));
    assert_eq!(list(&[(ACAM, "")]), Ok(Some(AllowMethods(vec![].into()))));
    assert_eq!(
        list(&[(ACAM, "GET, PUT,,DELETE ,")]),
        Ok(Some(AllowMethods(vec!["GET", "PUT", "DELETE"].into())))
    );
    assert_eq!(list(&[(ACAM, "PUT"), (ACAM, "patch")]), Ok(Some(AllowMethods(vec!["PUT", "patch"].into()))));
    assert_eq!(list(&[(ACAM, "PUT;")]), Err("PUT;".to_owned()));
    assert_eq!(list(&[(ACAM, "GET PUT")]), Err("GET PUT".to_owned()));
    assert_eq!(list(&[(ACAM, "PUT"), (ACAM, "DE(LETE")]), Err("DE(LETE".to_owned()));
    // Headers the same way (names kept as written; they match in any case).
    let acah = headers(&[(ACAH, "X-A, ,x-B,")]);
    let parsed = parse_allow_headers(&acah).expect("a list").expect("present");
    assert_eq!(parsed, AllowHeaders(vec!["X-A", "x-B"].into()));
    assert!(parsed.lists("x-a") && parsed.lists("X-B") && !parsed.lists("x-c"));
    assert_eq!(parse_allow_headers(&headers(&[(ACAH, "X-Custom;")])), Err("X-Custom;".to_owned()));
    // As recorded: a trailing comma is fine; `PUT;` is a parse error.
    let put = call("PUT", &[], Some("x"));
    for browser in Browser::ALL {
        let d = decide_once(&put, browser, &responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT,")]), ok_response()));
        assert_eq!(d.outcome, Outcome::Ok, "{browser}");
        let d = decide_once(&put, browser, &responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT;")]), ok_response()));
        assert_eq!(d.failure, Some(Failure::AllowMethodsUnparsable { token: "PUT;".to_owned(), value: "PUT;".to_owned() }), "{browser}");
    }
    let d = decide_once(&put, Browser::Chrome, &responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT;")]), ok_response()));
    assert_eq!((error_name(&d), failed_parameter(&d)), (Some("InvalidAllowMethodsPreflightResponse"), None));
    let d = decide_once(&put, Browser::Firefox, &responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT;")]), ok_response()));
    assert_eq!((error_name(&d), failed_parameter(&d)), (Some("CORSInvalidAllowMethod"), Some("PUT;".to_owned())));
}

#[wasm_bindgen_test(unsupported = test)]
fn method_match_case_sensitive() {
    let put = Method::parse("PUT").expect("PUT");
    let patch = Method::parse("patch").expect("patch");
    let list = |items: &[&'static str]| AllowMethods(items.into());
    assert_eq!(list(&["put"]).allows(&put, false), MethodMatch::NotAllowed);
    assert_eq!(list(&["PUT"]).allows(&put, false), MethodMatch::Listed);
    assert_eq!(list(&["PATCH"]).allows(&patch, false), MethodMatch::NotAllowed);
    assert_eq!(list(&["patch"]).allows(&patch, false), MethodMatch::Listed);
    assert_eq!(list(&[]).allows(&Method::parse("post").expect("post"), true), MethodMatch::Safelisted);
    // As recorded: `patch` vs `PATCH`, and `PUT` vs `put`.
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "PATCH")]), ok_response());
    let d = decide_once(&call("patch", &[], Some("x")), Browser::Chrome, &server);
    assert_eq!((error_name(&d), failed_parameter(&d)), (Some("MethodDisallowedByPreflightResponse"), Some("patch".to_owned())));
    let d = decide_once(&call("patch", &[], Some("x")), Browser::Firefox, &server);
    assert_eq!((error_name(&d), failed_parameter(&d)), (Some("CORSMethodNotFound"), None));
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "put")]), ok_response());
    for browser in Browser::ALL {
        let d = decide_once(&call("PUT", &[], Some("x")), browser, &server);
        assert_eq!(d.failure, Some(Failure::MethodNotAllowed { method: "PUT".to_owned() }), "{browser}");
        // `put` is normalized to PUT before it is compared.
        let d = decide_once(&call("put", &[], Some("x")), browser, &server);
        assert_eq!(d.outcome, Outcome::CorsError, "{browser}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn method_wildcard_only_without_credentials() {
    let put = Method::parse("PUT").expect("PUT");
    let star = AllowMethods(vec!["*"].into());
    assert_eq!(star.allows(&put, false), MethodMatch::Wildcard);
    assert_eq!(star.allows(&put, true), MethodMatch::NotAllowed);
    assert_eq!(AllowMethods(vec!["*", "PUT"].into()).allows(&put, true), MethodMatch::Listed);
    for browser in Browser::ALL {
        let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "*")]), ok_response());
        assert_eq!(decide_once(&call("PUT", &[], Some("x")), browser, &server).outcome, Outcome::Ok);
        let cred = call_with("PUT", &[], Some("x"), RequestMode::Cors, CredentialsMode::Include);
        let server = responder(
            resp(204, &[(ACAO, PAGE), (ACAM, "*"), (ACAC, "true")]),
            resp(200, &[(ACAO, PAGE), (ACAC, "true")]),
        );
        let d = decide_once(&cred, browser, &server);
        assert_eq!(d.failure, Some(Failure::MethodNotAllowed { method: "PUT".to_owned() }), "{browser}");
        // As recorded: `*, PUT` with credentials is fine.
        let server = responder(
            resp(204, &[(ACAO, PAGE), (ACAM, "*, PUT"), (ACAC, "true")]),
            resp(200, &[(ACAO, PAGE), (ACAC, "true")]),
        );
        assert_eq!(decide_once(&cred, browser, &server).outcome, Outcome::Ok, "{browser}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn allow_headers_case_insensitive() {
    let acah = headers(&[(ACAH, "X-Custom, CONTENT-TYPE")]);
    let parsed = parse_allow_headers(&acah)
        .expect("a list")
        .expect("present");
    assert_eq!(parsed, AllowHeaders(vec!["X-Custom", "CONTENT-TYPE"].into()));
    assert!(parsed.lists("content-type"));
    for browser in Browser::ALL {
        assert_eq!(
            parsed.check(&hns(&["content-type", "x-custom"]), false, browser.profile()),
            HeadersMatch::Allowed { wildcard: false, authorization_under_wildcard: false }
        );
        let c = call("POST", &[("x-custom", "1"), ("Content-Type", "application/json")], Some("{}"));
        let server = responder(resp(204, &[(ACAO, PAGE), (ACAH, "X-CUSTOM, Content-Type")]), ok_response());
        assert_eq!(decide_once(&c, browser, &server).outcome, Outcome::Ok, "{browser}");
        // As recorded: two header lines make one list.
        let c = call("GET", &[("X-A", "1"), ("X-B", "2")], None);
        let server = responder(resp(204, &[(ACAO, PAGE), (ACAH, "X-A"), (ACAH, "X-B")]), ok_response());
        assert_eq!(decide_once(&c, browser, &server).outcome, Outcome::Ok, "{browser}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn header_wildcard_only_without_credentials() {
    let star = AllowHeaders(vec!["*"].into());
    for browser in Browser::ALL {
        assert_eq!(
            star.check(&hns(&["x-custom"]), false, browser.profile()),
            HeadersMatch::Allowed { wildcard: true, authorization_under_wildcard: false }
        );
        assert_eq!(star.check(&hns(&["x-custom"]), true, browser.profile()), HeadersMatch::NotAllowed(hn("x-custom")));
        // As recorded (acah-star-with-credentials).
        let c = call_with("GET", &[("X-Custom", "1")], None, RequestMode::Cors, CredentialsMode::Include);
        let server = responder(
            resp(204, &[(ACAO, PAGE), (ACAH, "*"), (ACAC, "true")]),
            resp(200, &[(ACAO, PAGE), (ACAC, "true")]),
        );
        let d = decide_once(&c, browser, &server);
        assert_eq!(d.failure, Some(Failure::HeaderNotAllowed { header: "x-custom".to_owned() }), "{browser}");
        // WebKit names the header as the page spelled it (as recorded).
        let named = if browser == Browser::Webkit { "X-Custom" } else { "x-custom" };
        assert_eq!(failed_parameter(&d).as_deref(), Some(named));
    }
}

/// WebKit's message names a refused header as the page spelled it, in
/// whatever case (the request keeps each name's spelling as written).
#[wasm_bindgen_test(unsupported = test)]
fn webkit_names_a_header_as_the_page_spelled_it() {
    for spelled in ["x-custom", "X-CUSTOM", "x-Custom", "X-Custom", "X-custom"] {
        let c = call_with("GET", &[(spelled, "1")], None, RequestMode::Cors, CredentialsMode::Include);
        let server = responder(resp(204, &[(ACAO, PAGE), (ACAC, "true")]), resp(200, &[(ACAO, PAGE), (ACAC, "true")]));
        let d = decide_once(&c, Browser::Webkit, &server);
        assert_eq!(d.failure, Some(Failure::HeaderNotAllowed { header: "x-custom".to_owned() }), "{spelled}");
        assert_eq!(failed_parameter(&d).as_deref(), Some(spelled));
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn authorization_not_covered_by_wildcard_in_spec() {
    assert!(is_cors_non_wildcard_request_header_name("authorization"));
    assert!(!is_cors_non_wildcard_request_header_name("x-custom"));
    let star = AllowHeaders(vec!["*"].into());
    let auth = hns(&["authorization", "x-custom"]);
    assert_eq!(star.check(&auth, false, Browser::Spec.profile()), HeadersMatch::NotAllowed(hn("authorization")));
    for browser in [Browser::Chrome, Browser::Firefox] {
        assert_eq!(
            star.check(&auth, false, browser.profile()),
            HeadersMatch::Allowed { wildcard: true, authorization_under_wildcard: true },
            "{browser}"
        );
    }
    // Listed by name, it is covered everywhere and nobody warns.
    let listed = AllowHeaders(vec!["*", "authorization"].into());
    for browser in Browser::ALL {
        assert_eq!(
            listed.check(&auth, false, browser.profile()),
            HeadersMatch::Allowed { wildcard: true, authorization_under_wildcard: false }
        );
    }
    // The standard checks Authorization before the other names.
    let list = AllowHeaders(vec!["x"].into());
    assert_eq!(
        list.check(&hns(&["a-first", "authorization"]), false, Browser::Spec.profile()),
        HeadersMatch::NotAllowed(hn("authorization"))
    );

    // Whole decisions, as recorded for chrome and firefox (acah-star-authorization).
    let c = call("GET", &[("Authorization", "Bearer abc")], None);
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAH, "*")]), ok_response());
    let spec = decide_once(&c, Browser::Spec, &server);
    assert_eq!((error_name(&spec), failed_parameter(&spec)), (Some("HeaderDisallowedByPreflightResponse"), Some("authorization".to_owned())));
    let chrome = decide_once(&c, Browser::Chrome, &server);
    assert_eq!(chrome.outcome, Outcome::Ok);
    assert!(chrome.warnings.is_empty());
    assert_eq!(chrome.console(), None);
    let firefox = decide_once(&c, Browser::Firefox, &server);
    assert_eq!(firefox.outcome, Outcome::Ok);
    assert_eq!(firefox.warnings, vec![Warning::AuthorizationCoveredByWildcard]);
    assert_eq!(
        firefox.console().as_deref(),
        Some(sub("Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at {url} soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`).").as_str())
    );
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAH, "*, Authorization")]), ok_response());
    for browser in Browser::ALL {
        let d = decide_once(&c, browser, &server);
        assert_eq!(d.outcome, Outcome::Ok, "{browser}");
        assert!(d.warnings.is_empty(), "{browser}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn allow_list_parse_and_match_order_per_profile() {
    // The method is not allowed AND Allow-Headers does not parse: Chromium
    // and the standard parse both lists first; Firefox matches the method
    // before it parses Allow-Headers.
    let c = call("PUT", &[("X-Custom", "1")], Some("x"));
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "GET"), (ACAH, "X-Custom;")]), ok_response());
    assert_eq!(error_name(&decide_once(&c, Browser::Chrome, &server)), Some("InvalidAllowHeadersPreflightResponse"));
    assert_eq!(error_name(&decide_once(&c, Browser::Spec, &server)), Some("InvalidAllowHeadersPreflightResponse"));
    assert_eq!(error_name(&decide_once(&c, Browser::Firefox, &server)), Some("CORSMethodNotFound"));
    // The method is checked before the headers everywhere.
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "GET")]), ok_response());
    for browser in Browser::ALL {
        assert_eq!(
            decide_once(&c, browser, &server).failure,
            Some(Failure::MethodNotAllowed { method: "PUT".to_owned() }),
            "{browser}"
        );
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn disallowed_header_named_in_profile_order() {
    // Set in the order X-B, X-A; neither allowed. Chromium names the first
    // set, the standard and Firefox the first in sorted order.
    let c = call("GET", &[("X-B", "1"), ("X-A", "1")], None);
    let server = responder(resp(204, &[(ACAO, PAGE)]), ok_response());
    let named = |b| failed_parameter(&decide_once(&c, b, &server));
    assert_eq!(named(Browser::Chrome).as_deref(), Some("x-b"));
    assert_eq!(named(Browser::Firefox).as_deref(), Some("x-a"));
    assert_eq!(named(Browser::Spec).as_deref(), Some("x-a"));
}

// ---------------------------------------------------------------------------
// The preflight request and its status
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn preflight_ok_status_range() {
    let put = call("PUT", &[], Some("x"));
    for status in [200, 204, 206, 299] {
        for browser in Browser::ALL {
            let server = responder(resp(status, &[(ACAO, PAGE), (ACAM, "PUT")]), ok_response());
            let d = decide_once(&put, browser, &server);
            assert_eq!(d.outcome, Outcome::Ok, "{status} in {browser}");
            assert!(d.preflight.sent);
        }
    }
    // Not ok, with a valid Access-Control-Allow-Origin (and, for 3xx, no Location).
    for status in [300, 301, 302, 304, 307, 308, 400, 403, 404, 500, 503] {
        let server = responder(resp(status, &[(ACAO, PAGE), (ACAM, "PUT")]), ok_response());
        for browser in Browser::ALL {
            let d = decide_once(&put, browser, &server);
            assert_eq!(d.failure, Some(Failure::PreflightStatus { status }), "{status} in {browser}");
        }
        assert_eq!(error_name(&decide_once(&put, Browser::Chrome, &server)), Some("PreflightInvalidStatus"));
        assert_eq!(error_name(&decide_once(&put, Browser::Spec, &server)), Some("PreflightInvalidStatus"));
        let firefox = decide_once(&put, Browser::Firefox, &server);
        assert_eq!(error_name(&firefox), Some("CORSPreflightDidNotSucceed"));
        assert!(firefox.console().is_some_and(|c| c.ends_with(&format!("Status code: {status}."))));
    }
    // 4xx and 5xx without Access-Control-Allow-Origin: the CORS check fails first.
    for status in [400, 404, 500] {
        let server = responder(resp(status, &[]), ok_response());
        assert_eq!(error_name(&decide_once(&put, Browser::Chrome, &server)), Some("PreflightMissingAllowOriginHeader"));
        assert_eq!(error_name(&decide_once(&put, Browser::Spec, &server)), Some("PreflightMissingAllowOriginHeader"));
        assert_eq!(error_name(&decide_once(&put, Browser::Firefox, &server)), Some("CORSMissingAllowOrigin"));
    }
    // The same through evaluate_preflight directly.
    let request = req(&put, Browser::Spec);
    let answer = resp(404, &[(ACAO, PAGE)]);
    let got = evaluate_preflight(&request, &[], &answer, Browser::Spec.profile(), &mut NoTrace);
    assert_eq!(got, Err(Failure::PreflightStatus { status: 404 }));
}

#[wasm_bindgen_test(unsupported = test)]
fn preflight_redirect_ordering_per_profile() {
    let put = call("PUT", &[], Some("x"));
    let location = format!("{URL}?moved=1");
    let names = |server: &Responder| -> [Option<&'static str>; 3] {
        [Browser::Chrome, Browser::Firefox, Browser::Spec].map(|b| error_name(&decide_once(&put, b, server)))
    };
    // A redirect with valid CORS headers (as recorded for 301 and 307).
    for status in [301, 302, 303, 307, 308] {
        let server = responder(resp(status, &[(ACAO, PAGE), (ACAM, "PUT"), ("Location", &location)]), ok_response());
        assert_eq!(
            names(&server),
            [Some("PreflightDisallowedRedirect"), Some("CORSExternalRedirectNotAllowed"), Some("PreflightInvalidStatus")],
            "{status}"
        );
        let chrome = decide_once(&put, Browser::Chrome, &server);
        assert_eq!(chrome.failure, Some(Failure::PreflightRedirect { status, location: location.clone() }));
    }
    // A redirect without Access-Control-Allow-Origin: Chromium reports the
    // redirect before anything else, Firefox the CORS check of the 3xx.
    for status in [301, 307] {
        let server = responder(resp(status, &[(ACAM, "PUT"), ("Location", &location)]), ok_response());
        assert_eq!(
            names(&server),
            [Some("PreflightDisallowedRedirect"), Some("CORSMissingAllowOrigin"), Some("PreflightMissingAllowOriginHeader")],
            "{status}"
        );
        let firefox = decide_once(&put, Browser::Firefox, &server);
        assert!(firefox.console().is_some_and(|c| c.ends_with(&format!("Status code: {status}."))));
    }
    // Not a redirect: 3xx without Location, and 300 even with one.
    for (status, with_location) in [(302, false), (307, false), (300, true)] {
        let mut pairs = vec![(ACAO, PAGE), (ACAM, "PUT")];
        if with_location {
            pairs.push(("Location", &location));
        }
        let server = responder(resp(status, &pairs), ok_response());
        assert_eq!(
            names(&server),
            [Some("PreflightInvalidStatus"), Some("CORSPreflightDidNotSucceed"), Some("PreflightInvalidStatus")],
            "{status}"
        );
    }
    // An empty Location does not make a redirect.
    let server = responder(resp(301, &[(ACAO, PAGE), (ACAM, "PUT"), ("Location", "")]), ok_response());
    assert_eq!(error_name(&decide_once(&put, Browser::Chrome, &server)), Some("PreflightInvalidStatus"));
}

#[wasm_bindgen_test(unsupported = test)]
fn preflight_request_carries_method_and_sorted_unsafe_names_only() {
    let mut c = call_with(
        "PUT",
        &[
            ("X-B", "secret-b"),
            ("Authorization", "Bearer secret-token"),
            ("x-a", "secret-a"),
            ("Accept", "text/html"),
            ("Cookie", "session=secret-cookie"),
            ("Content-Type", "application/json"),
        ],
        Some("secret-payload"),
        RequestMode::Cors,
        CredentialsMode::Include,
    );
    c.url = "http://api.test:8080/data?q=1".to_owned();
    for browser in Browser::ALL {
        let server = Recording::new(
            resp(204, &[(ACAO, PAGE), (ACAC, "true"), (ACAM, "PUT"), (ACAH, "authorization, content-type, x-a, x-b")]),
            resp(200, &[(ACAO, PAGE), (ACAC, "true")]),
        );
        let d = decide_once(&c, browser, &server);
        assert_eq!(d.outcome, Outcome::Ok, "{browser}");
        let seen = server.preflights.borrow();
        assert_eq!(seen.len(), 1);
        let preflight = &seen[0];
        assert_eq!(d.preflight.request.as_ref(), Some(preflight));
        assert_eq!(preflight.url, "http://api.test:8080/data?q=1");
        assert_eq!(preflight.origin, PAGE);
        assert_eq!(preflight.access_control_request_method, "PUT");
        assert_eq!(preflight.access_control_request_headers.as_deref(), Some("authorization,content-type,x-a,x-b"));
        assert_eq!(
            preflight.headers(),
            vec![
                ("Accept", "*/*"),
                ("Access-Control-Request-Method", "PUT"),
                ("Access-Control-Request-Headers", "authorization,content-type,x-a,x-b"),
                ("Origin", PAGE),
                ("Sec-Fetch-Mode", "cors"),
            ]
        );
        let http = preflight.to_http();
        assert!(http.starts_with("OPTIONS /data?q=1 HTTP/1.1\r\nHost: api.test:8080\r\n"), "{http}");
        assert!(http.ends_with("\r\n\r\n"));
        for secret in ["secret", "Bearer", "session", "Cookie", "Content-Type:", "text/html", "application/json"] {
            assert!(!http.contains(secret), "{secret} leaked into the preflight:\n{http}");
        }
        assert_eq!(server.requests.get(), 1);
    }
    // Only the method is unsafe: no Access-Control-Request-Headers at all.
    let d = decide_once(&call("DELETE", &[], None), Browser::Spec, &responder(resp(204, &[(ACAO, PAGE), (ACAM, "DELETE")]), ok_response()));
    let preflight = d.preflight.request.expect("a preflight");
    assert_eq!(preflight.access_control_request_headers, None);
    assert!(preflight.headers().iter().all(|(n, _)| *n != "Access-Control-Request-Headers"));
    assert!(!preflight.to_http().contains("Access-Control-Request-Headers"));
}

// ---------------------------------------------------------------------------
// Access-Control-Max-Age and the preflight cache
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn max_age_parsing_per_profile() {
    use MaxAgeReading::{Absent, Capped, InvalidDefault, InvalidNoCache, Negative, Parsed};
    let m = |seconds, reading| MaxAge { seconds, reading };
    // Lines of Access-Control-Max-Age → [chrome, firefox, spec].
    let table: &[(&[&str], [MaxAge; 3])] = &[
        (&[], [m(5, Absent), m(5, Absent), m(5, Absent)]),
        (&["0"], [m(0, Parsed), m(0, Parsed), m(0, Parsed)]),
        (&["600"], [m(600, Parsed), m(600, Parsed), m(600, Parsed)]),
        (&["-1"], [m(0, Negative), m(0, InvalidNoCache), m(5, InvalidDefault)]),
        (&["abc"], [m(5, InvalidDefault), m(0, InvalidNoCache), m(5, InvalidDefault)]),
        (&["1.5"], [m(5, InvalidDefault), m(0, InvalidNoCache), m(5, InvalidDefault)]),
        (&["10s"], [m(5, InvalidDefault), m(0, InvalidNoCache), m(5, InvalidDefault)]),
        (&["7200"], [m(7200, Parsed), m(7200, Parsed), m(7200, Parsed)]),
        (&["7201"], [m(7200, Capped), m(7201, Parsed), m(7201, Parsed)]),
        (&["86401"], [m(7200, Capped), m(86_400, Capped), m(86_401, Parsed)]),
        (&["999999999"], [m(7200, Capped), m(86_400, Capped), m(999_999_999, Parsed)]),
        // Overflowing i64: Chromium's StringToInt64 fails, so the default.
        (&["99999999999999999999"], [m(5, InvalidDefault), m(86_400, Capped), m(u64::MAX, Parsed)]),
        // Two headers: combined `10, 20` for the browsers, two values for the standard.
        (&["10", "20"], [m(5, InvalidDefault), m(0, InvalidNoCache), m(5, InvalidDefault)]),
    ];
    let browsers = [Browser::Chrome, Browser::Firefox, Browser::Spec];
    for (lines, expected) in table {
        let pairs: Vec<(&str, &str)> = lines.iter().map(|v| (ACMA, *v)).collect();
        let list = headers(&pairs);
        for (browser, want) in browsers.iter().zip(expected) {
            assert_eq!(max_age(&list, browser.profile()), *want, "{lines:?} in {browser}");
        }
    }
    // An empty value is the default everywhere (not "no cache" in Firefox).
    let empty = headers(&[(ACMA, "")]);
    for browser in browsers {
        assert_eq!(max_age(&empty, browser.profile()).seconds, 5, "{browser}");
    }
    // As recorded: `abc` caches in Chromium (5 s), not in Firefox.
    let put = call("PUT", &[], Some("x"));
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT"), (ACMA, "abc")]), ok_response());
    for (browser, second_sent) in [(Browser::Chrome, false), (Browser::Firefox, true), (Browser::Spec, false)] {
        let mut session = Session::new(browser);
        assert!(session.fetch(&put, &server, 0).preflight.sent);
        assert_eq!(session.fetch(&put, &server, 10).preflight.sent, second_sent, "{browser}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_hit_within_max_age_then_expiry() {
    let put = call("PUT", &[], Some("x"));
    for browser in Browser::ALL {
        let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT"), (ACMA, "10")]), ok_response());
        let mut session = Session::new(browser);
        let first = session.fetch(&put, &server, 0);
        assert!(first.preflight.sent);
        assert_eq!(first.preflight.cache, Some(CacheLookup::NoEntry));
        let second = session.fetch(&put, &server, 9_999);
        assert!(!second.preflight.sent, "{browser}");
        assert_eq!(second.preflight.cache, Some(CacheLookup::Hit));
        assert_eq!(second.outcome, Outcome::Ok);
        assert!(session.fetch(&put, &server, 10_000).preflight.sent, "{browser}: expired at 10 s");
        // Absent: 5 s everywhere.
        let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT")]), ok_response());
        let mut session = Session::new(browser);
        assert!(session.fetch(&put, &server, 0).preflight.sent);
        assert!(!session.fetch(&put, &server, 4_999).preflight.sent, "{browser}");
        assert!(session.fetch(&put, &server, 5_000).preflight.sent, "{browser}");
        // Max-Age 0: never reused (as recorded: two preflights).
        let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT"), (ACMA, "0")]), ok_response());
        let mut session = Session::new(browser);
        assert!(session.fetch(&put, &server, 0).preflight.sent);
        assert!(session.fetch(&put, &server, 0).preflight.sent, "{browser}");
        // A failed preflight is not cached (as recorded).
        let server = responder(resp(204, &[(ACAM, "PUT"), (ACMA, "600")]), ok_response());
        let mut session = Session::new(browser);
        assert_eq!(session.fetch(&put, &server, 0).outcome, Outcome::CorsError);
        assert!(session.fetch(&put, &server, 10).preflight.sent, "{browser}");
        assert!(session.cache.entries().is_empty(), "{browser}");
    }
    // Another URL or another page origin is another key.
    let server = responder(resp(204, &[(ACAO, "*"), (ACAM, "PUT"), (ACMA, "600")]), resp(200, &[(ACAO, "*")]));
    for browser in Browser::ALL {
        let mut session = Session::new(browser);
        assert!(session.fetch(&put, &server, 0).preflight.sent);
        let mut elsewhere = put.clone();
        elsewhere.url = format!("{URL}?page=2");
        assert!(session.fetch(&elsewhere, &server, 10).preflight.sent, "{browser}");
        let other_page = Origin::parse(OTHER).expect("origin");
        let d = decide(&put, &other_page, &server, browser, Context { cache: &mut session.cache, now_ms: 20 });
        assert!(d.preflight.sent, "{browser}");
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_credentials_mismatch_per_profile() {
    let put = Method::parse("PUT").expect("PUT");
    let store = |browser: Browser, credentials: bool| {
        let mut cache = PreflightCache::new(browser.profile());
        cache.store(PAGE, URL, credentials, &["PUT"], &[], 600, 0);
        cache
    };
    let lookup = |cache: &mut PreflightCache, credentials: bool| cache.lookup(PAGE, URL, credentials, &put, &[], 10);
    // Chromium: one entry per URL that remembers its credentials; a
    // credentialed entry serves both, an uncredentialed one is erased when a
    // credentialed request finds it.
    let mut cache = store(Browser::Chrome, false);
    assert_eq!(lookup(&mut cache, true), CacheLookup::NoEntry);
    assert!(cache.entries().is_empty());
    let mut cache = store(Browser::Chrome, true);
    assert_eq!(lookup(&mut cache, false), CacheLookup::Hit);
    assert_eq!(lookup(&mut cache, true), CacheLookup::Hit);
    // Firefox: the credentials flag is part of the key, both ways.
    let mut cache = store(Browser::Firefox, false);
    assert_eq!(lookup(&mut cache, true), CacheLookup::NoEntry);
    assert_eq!(lookup(&mut cache, false), CacheLookup::Hit);
    let mut cache = store(Browser::Firefox, true);
    assert_eq!(lookup(&mut cache, false), CacheLookup::NoEntry);
    assert_eq!(lookup(&mut cache, true), CacheLookup::Hit);
    // The standard: a credentialed entry matches any request, an
    // uncredentialed one only requests without credentials.
    let mut cache = store(Browser::Spec, false);
    assert_eq!(lookup(&mut cache, true), CacheLookup::NoEntry);
    assert_eq!(lookup(&mut cache, false), CacheLookup::Hit);
    let mut cache = store(Browser::Spec, true);
    assert_eq!(lookup(&mut cache, false), CacheLookup::Hit);
    assert_eq!(lookup(&mut cache, true), CacheLookup::Hit);
}

#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_firefox_get_and_post_always_pass() {
    let custom = hns(&["x-custom"]);
    let method = |m: &str| Method::parse(m).expect("method");
    for browser in Browser::ALL {
        let mut cache = PreflightCache::new(browser.profile());
        cache.store(PAGE, URL, false, &[], &["x-custom"], 600, 0);
        for m in ["GET", "POST"] {
            assert_eq!(cache.lookup(PAGE, URL, false, &method(m), &custom, 10), CacheLookup::Hit, "{m} in {browser}");
        }
        // HEAD is safelisted in Chromium and the standard, but Firefox's cache
        // only waives GET and POST.
        let head = cache.lookup(PAGE, URL, false, &method("HEAD"), &custom, 10);
        let expected = if browser == Browser::Firefox { CacheLookup::MethodNotCovered } else { CacheLookup::Hit };
        assert_eq!(head, expected, "HEAD in {browser}");
        assert_eq!(cache.lookup(PAGE, URL, false, &method("PUT"), &custom, 10), CacheLookup::MethodNotCovered, "{browser}");
    }
    // No entry at all is still no entry.
    let mut cache = PreflightCache::new(Browser::Firefox.profile());
    assert_eq!(cache.lookup(PAGE, URL, false, &method("GET"), &custom, 0), CacheLookup::NoEntry);
}

#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_chromium_replaces_entry_per_url() {
    let method = |m: &str| Method::parse(m).expect("method");
    for browser in Browser::ALL {
        let mut cache = PreflightCache::new(browser.profile());
        cache.store(PAGE, URL, false, &["PUT"], &[], 600, 0);
        cache.store(PAGE, URL, false, &["DELETE"], &[], 600, 10);
        assert_eq!(cache.entries().len(), 1, "{browser}");
        assert_eq!(cache.lookup(PAGE, URL, false, &method("DELETE"), &[], 20), CacheLookup::Hit);
        let put = cache.lookup(PAGE, URL, false, &method("PUT"), &[], 20);
        let per_url = browser.profile().cache_model == CacheModel::ChromiumPerUrl;
        let expected = if per_url { CacheLookup::MethodNotCovered } else { CacheLookup::Hit };
        assert_eq!(put, expected, "{browser}");
    }
    // Through whole requests: PUT, DELETE, PUT again.
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT"), (ACMA, "600")]), ok_response());
    let delete_server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "DELETE"), (ACMA, "600")]), ok_response());
    let put = call("PUT", &[], Some("x"));
    let delete = call("DELETE", &[], None);
    for browser in Browser::ALL {
        let mut session = Session::new(browser);
        assert!(session.fetch(&put, &server, 0).preflight.sent);
        assert!(session.fetch(&delete, &delete_server, 10).preflight.sent);
        let per_url = browser.profile().cache_model == CacheModel::ChromiumPerUrl;
        assert_eq!(session.fetch(&put, &server, 20).preflight.sent, per_url, "{browser}");
    }
    // Chromium stores even a zero max-age, replacing a good entry.
    let mut cache = PreflightCache::new(Browser::Chrome.profile());
    cache.store(PAGE, URL, false, &["PUT"], &[], 600, 0);
    cache.store(PAGE, URL, false, &["PUT"], &[], 0, 10);
    assert_eq!(cache.lookup(PAGE, URL, false, &method("PUT"), &[], 20), CacheLookup::NoEntry);
}

#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_cleared_on_failure_in_firefox_and_spec_not_chromium() {
    let put = call("PUT", &[], Some("x"));
    let preflight = resp(204, &[(ACAO, PAGE), (ACAM, "PUT"), (ACMA, "600")]);
    let good = responder(preflight.clone(), ok_response());
    let bad = responder(preflight, resp(200, &[("Content-Type", "text/plain")]));
    for browser in Browser::ALL {
        let mut session = Session::new(browser);
        assert_eq!(session.fetch(&put, &good, 0).outcome, Outcome::Ok);
        let failed = session.fetch(&put, &bad, 10);
        assert!(!failed.preflight.sent, "{browser}: served from the cache");
        assert_eq!(failed.outcome, Outcome::CorsError);
        let cleared = browser.profile().clear_cache_on_failure != ClearCache::Never;
        assert_eq!(session.cache.entries().is_empty(), cleared, "{browser}");
        assert_eq!(failed.cache.is_empty(), cleared, "{browser}");
        assert_eq!(session.fetch(&put, &good, 20).preflight.sent, cleared, "{browser}");
    }
    // Clearing removes the entries with and without credentials.
    for browser in [Browser::Firefox, Browser::Spec] {
        let mut cache = PreflightCache::new(browser.profile());
        cache.store(PAGE, URL, false, &["PUT"], &[], 600, 0);
        cache.store(PAGE, URL, true, &["PUT"], &[], 600, 0);
        cache.store(PAGE, "http://api.test/other", false, &["PUT"], &[], 600, 0);
        assert_eq!(cache.entries().len(), 3);
        cache.clear(PAGE, URL);
        assert_eq!(cache.entries().len(), 1);
        assert_eq!(&*cache.entries()[0].url, "http://api.test/other");
    }
}

/// fetch.bs, main fetch: "clear cache entries" is a step of the
/// preflight-capable branch only (use-CORS-preflight flag, or an unsafe
/// request whose method or headers are not safelisted). A simple CORS
/// request takes the "Otherwise" branch, which has no such step, so its
/// failure leaves the cache alone.
#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_not_cleared_by_simple_request_failure_in_spec() {
    let put = call("PUT", &[], Some("x"));
    let good = responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT"), (ACMA, "600")]), ok_response());
    let no_acao = responder(resp(204, &[]), resp(200, &[("Content-Type", "text/plain")]));
    let mut session = Session::new(Browser::Spec);
    assert!(session.fetch(&put, &good, 0).preflight.sent);
    let simple = session.fetch(&call("GET", &[], None), &no_acao, 10);
    assert!(simple.preflight.reasons.is_empty());
    assert_eq!(simple.outcome, Outcome::CorsError);
    assert_eq!(session.cache.entries().len(), 1);
    assert!(!session.fetch(&put, &good, 20).preflight.sent);
}

#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_wildcard_usable_from_chromium_cache_not_firefox() {
    let put = call("PUT", &[], Some("x"));
    let delete = call("DELETE", &[], None);
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "*"), (ACMA, "600")]), ok_response());
    for (browser, reused) in [(Browser::Chrome, true), (Browser::Firefox, false), (Browser::Spec, true)] {
        let mut session = Session::new(browser);
        assert!(session.fetch(&put, &server, 0).preflight.sent);
        assert_eq!(session.fetch(&put, &server, 10).preflight.sent, !reused, "PUT in {browser}");
        assert_eq!(session.fetch(&delete, &server, 20).preflight.sent, !reused, "DELETE in {browser}");
    }
    // Headers: `*` from the cache covers X-Custom in Chromium, never Authorization.
    let custom = call("GET", &[("X-Custom", "1")], None);
    let auth = call("GET", &[("Authorization", "Bearer t")], None);
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAH, "*"), (ACMA, "600")]), ok_response());
    let mut session = Session::new(Browser::Chrome);
    assert!(session.fetch(&custom, &server, 0).preflight.sent);
    assert!(!session.fetch(&custom, &server, 10).preflight.sent);
    let mut session = Session::new(Browser::Chrome);
    assert_eq!(session.fetch(&auth, &server, 0).outcome, Outcome::Ok);
    assert!(session.fetch(&auth, &server, 10).preflight.sent);
    let mut session = Session::new(Browser::Firefox);
    assert!(session.fetch(&custom, &server, 0).preflight.sent);
    assert!(session.fetch(&custom, &server, 10).preflight.sent);
    // A `*` from a credentialed Chromium preflight is only a literal.
    let mut cache = PreflightCache::new(Browser::Chrome.profile());
    cache.store(PAGE, URL, true, &["*"], &["*"], 600, 0);
    let m = Method::parse("PUT").expect("PUT");
    assert_eq!(cache.lookup(PAGE, URL, false, &m, &[], 10), CacheLookup::MethodNotCovered);
    let mut cache = PreflightCache::new(Browser::Chrome.profile());
    cache.store(PAGE, URL, true, &["*"], &["*"], 600, 0);
    assert_eq!(
        cache.lookup(PAGE, URL, false, &Method::get(), &hns(&["x-custom"]), 10),
        CacheLookup::HeaderNotCovered { header: "x-custom".to_owned() }
    );
}

/// research/browser-facts.md §4 (Chromium preflight_cache.cc):
/// `constexpr size_t kMaxKeyLength = 1024u;` "URLs with
/// `url_spec.length() >= kMaxKeyLength` are never cached."
#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_chromium_never_caches_urls_of_1024_bytes_or_more() {
    let mut put = call("PUT", &[], Some("x"));
    put.url = format!("http://api.test/{}", "a".repeat(1024));
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAM, "PUT"), (ACMA, "600")]), ok_response());
    let mut session = Session::new(Browser::Chrome);
    assert!(session.fetch(&put, &server, 0).preflight.sent);
    assert!(session.fetch(&put, &server, 10).preflight.sent);
    // Firefox has no such limit.
    let mut session = Session::new(Browser::Firefox);
    assert!(session.fetch(&put, &server, 0).preflight.sent);
    assert!(!session.fetch(&put, &server, 10).preflight.sent);
}

/// research/browser-facts.md §10 (nsCORSListenerProxy.cpp):
/// `#define PREFLIGHT_CACHE_SIZE 100`; when full, expired entries are purged
/// first, then the least recently used one.
#[wasm_bindgen_test(unsupported = test)]
fn preflight_cache_firefox_holds_at_most_100_entries() {
    let mut cache = PreflightCache::new(Browser::Firefox.profile());
    for i in 0..101 {
        cache.store(PAGE, &format!("http://api.test/{i}"), false, &["PUT"], &[], 600, 0);
    }
    assert_eq!(cache.entries().len(), 100);
    let m = Method::parse("PUT").expect("PUT");
    assert_eq!(cache.lookup(PAGE, "http://api.test/0", false, &m, &[], 10), CacheLookup::NoEntry);
    assert_eq!(cache.lookup(PAGE, "http://api.test/100", false, &m, &[], 10), CacheLookup::Hit);
}

// ---------------------------------------------------------------------------
// The response the page sees
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn response_tainting_basic_cors_opaque() {
    let answer = resp(404, &[(ACAO, PAGE), ("Content-Type", "text/plain"), ("X-Foo", "1"), ("Set-Cookie", "a=b")]);
    for browser in Browser::ALL {
        // Same origin: basic, no preflight even for PUT with a custom header.
        let mut same = call("PUT", &[("X-Custom", "1")], Some("x"));
        same.url = format!("{PAGE}/data");
        let server = Recording::new(resp(500, &[]), answer.clone());
        let d = decide_once(&same, browser, &server);
        assert_eq!(d.tainting, Some(Tainting::Basic));
        assert_eq!(d.outcome, Outcome::Ok);
        assert_eq!(d.status, Some(404));
        assert!(!d.preflight.sent);
        assert!(server.preflights.borrow().is_empty());
        assert_eq!(d.visible_headers, ["access-control-allow-origin", "content-type", "x-foo"]);
        // Cross-origin cors: a 404 with a good ACAO is an ok fetch() (as recorded).
        let d = decide_once(&call("GET", &[], None), browser, &responder(resp(204, &[]), answer.clone()));
        assert_eq!(d.tainting, Some(Tainting::Cors));
        assert_eq!(d.outcome, Outcome::Ok);
        assert_eq!(d.status, Some(404));
        assert_eq!(d.visible_headers, ["content-type"]);
        // Cross-origin no-cors: opaque, status 0, nothing readable.
        let no_cors = call_with("GET", &[], None, RequestMode::NoCors, CredentialsMode::Include);
        let d = decide_once(&no_cors, browser, &responder(resp(204, &[]), answer.clone()));
        assert_eq!(d.tainting, Some(Tainting::Opaque));
        assert_eq!(d.outcome, Outcome::Opaque);
        assert_eq!(d.status, Some(0));
        assert!(d.visible_headers.is_empty());
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn visible_headers_safelisted_plus_exposed_never_set_cookie() {
    let list = headers(&[
        ("Cache-Control", "no-cache"),
        ("Content-Language", "en"),
        ("Content-Length", "2"),
        ("Content-Type", "text/plain"),
        ("Expires", "0"),
        ("Last-Modified", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("Pragma", "no-cache"),
        ("Date", "Thu, 01 Jan 1970 00:00:00 GMT"),
        ("X-Foo", "1"),
        ("X-Bar", "2"),
        ("Set-Cookie", "a=b"),
        ("Set-Cookie2", "c=d"),
        (ACEH, "X-Foo, Set-Cookie, set-cookie2, X-Missing"),
    ]);
    let safelisted = ["cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"];
    for name in safelisted {
        assert!(is_cors_safelisted_response_header_name(name));
    }
    assert!(!is_cors_safelisted_response_header_name("date"));
    assert!(is_forbidden_response_header_name("set-cookie") && is_forbidden_response_header_name("set-cookie2"));
    // A parsed name, however held, gets the same answer as its text.
    for raw in safelisted.iter().copied().chain(["Date", "X-Foo", "Set-Cookie", "SET-COOKIE2", "set-cookie3", "Expires", "pragmas"]) {
        let name = HeaderName::parse(raw).unwrap();
        assert_eq!(is_cors_safelisted_response_header(&name), is_cors_safelisted_response_header_name(name.as_str()), "{raw}");
        assert_eq!(is_forbidden_response_header(&name), is_forbidden_response_header_name(name.as_str()), "{raw}");
    }
    let mut expected: Vec<&str> = safelisted.to_vec();
    expected.push("x-foo");
    for credentials in [false, true] {
        assert_eq!(visible_headers(&list, Tainting::Cors, credentials), expected);
    }
    assert_eq!(
        visible_headers(&list, Tainting::Basic, false),
        [
            "access-control-expose-headers",
            "cache-control",
            "content-language",
            "content-length",
            "content-type",
            "date",
            "expires",
            "last-modified",
            "pragma",
            "x-bar",
            "x-foo"
        ]
    );
    assert!(visible_headers(&list, Tainting::Opaque, false).is_empty());
    // Two lines make one list; an invalid list exposes nothing extra.
    let two = headers(&[("X-Foo", "1"), ("X-Bar", "2"), (ACEH, "x-foo"), (ACEH, "X-BAR")]);
    assert_eq!(visible_headers(&two, Tainting::Cors, false), ["x-bar", "x-foo"]);
    let bad = headers(&[("X-Foo", "1"), ("Content-Type", "text/plain"), (ACEH, "X-Foo;")]);
    assert_eq!(exposed(&bad, false), Exposed::Nothing);
    assert_eq!(visible_headers(&bad, Tainting::Cors, false), ["content-type"]);
    let bad_line = headers(&[("X-Foo", "1"), (ACEH, "X-Foo"), (ACEH, "a b")]);
    assert!(visible_headers(&bad_line, Tainting::Cors, false).is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn expose_headers_wildcard_only_without_credentials_includes_access_control_headers() {
    let list = headers(&[
        (ACAO, PAGE),
        (ACAC, "true"),
        ("Content-Type", "text/plain"),
        ("X-Foo", "1"),
        ("Set-Cookie", "a=b"),
        (ACEH, "*"),
    ]);
    assert_eq!(exposed(&list, false), Exposed::All);
    assert_eq!(exposed(&list, true), Exposed::Names(vec!["*"].into()));
    assert_eq!(
        visible_headers(&list, Tainting::Cors, false),
        [
            "access-control-allow-credentials",
            "access-control-allow-origin",
            "access-control-expose-headers",
            "content-type",
            "x-foo"
        ]
    );
    assert_eq!(visible_headers(&list, Tainting::Cors, true), ["content-type"]);
    // `*` next to names, with credentials, still exposes the names.
    let mixed = headers(&[("X-Foo", "1"), ("X-Bar", "2"), (ACEH, "*, X-Foo")]);
    assert_eq!(visible_headers(&mixed, Tainting::Cors, true), ["x-foo"]);
    assert_eq!(visible_headers(&mixed, Tainting::Cors, false), ["access-control-expose-headers", "x-bar", "x-foo"]);
}

#[wasm_bindgen_test(unsupported = test)]
fn same_origin_mode_cross_origin_disallowed_by_mode() {
    let c = call_with("PUT", &[("X-Custom", "1")], Some("x"), RequestMode::SameOrigin, CredentialsMode::SameOrigin);
    for browser in Browser::ALL {
        let server = Recording::new(resp(204, &[(ACAO, PAGE)]), ok_response());
        let d = decide_once(&c, browser, &server);
        assert_eq!(d.outcome, Outcome::CorsError);
        assert_eq!(d.failure, Some(Failure::DisallowedByMode));
        assert!(!d.preflight.sent);
        assert_eq!(d.tainting, None);
        assert!(server.preflights.borrow().is_empty());
        assert_eq!(server.requests.get(), 0, "{browser}: nothing is sent");
    }
    let chrome = decide_once(&c, Browser::Chrome, &responder(resp(204, &[]), ok_response()));
    assert_eq!(error_name(&chrome), Some("DisallowedByMode"));
    assert_eq!(
        chrome.console().as_deref(),
        Some("Fetch API cannot load http://api.test/data. Request mode is \"same-origin\" but the URL's origin is not same as the request origin http://page.test.")
    );
    let firefox = decide_once(&c, Browser::Firefox, &responder(resp(204, &[]), ok_response()));
    assert_eq!(error_name(&firefox), Some("CheckSameOriginError"));
    assert_eq!(
        firefox.console().as_deref(),
        Some("Security Error: Content at http://page.test/ may not load data from http://api.test/data.")
    );
    // To its own origin, same-origin mode is fine.
    let mut same = c.clone();
    same.url = format!("{PAGE}/data");
    for browser in Browser::ALL {
        let d = decide_once(&same, browser, &responder(resp(204, &[]), resp(200, &[])));
        assert_eq!((d.outcome, d.tainting), (Outcome::Ok, Some(Tainting::Basic)));
    }
}

// ---------------------------------------------------------------------------
// Console messages, exactly as recorded
// ---------------------------------------------------------------------------

/// A request, the server's answers, and what each browser logs (the
/// recordings' text with `{url}` and `{origin}`).
#[derive(Debug)]
struct ConsoleCase {
    what: &'static str,
    call: FetchCall,
    preflight: ServerResponse,
    response: ServerResponse,
    chrome: Option<&'static str>,
    firefox: Option<&'static str>,
}

fn console_cases() -> Vec<ConsoleCase> {
    let get = call("GET", &[], None);
    let put = call("PUT", &[], Some("x"));
    let cred_get = call_with("GET", &[], None, RequestMode::Cors, CredentialsMode::Include);
    let cred_put = call_with("PUT", &[], Some("x"), RequestMode::Cors, CredentialsMode::Include);
    let custom = call("GET", &[("X-Custom", "1")], None);
    let none = || resp(204, &[]);
    let put_ok = || resp(204, &[(ACAO, PAGE), (ACAM, "PUT")]);
    let moved = format!("{URL}?moved=1");
    vec![
        ConsoleCase {
            what: "missing ACAO",
            call: get.clone(),
            preflight: none(),
            response: resp(200, &[("Content-Type", "text/plain")]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."),
        },
        ConsoleCase {
            what: "ACAO mismatch",
            call: get.clone(),
            preflight: none(),
            response: resp(200, &[(ACAO, OTHER)]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'http://other.test' that is not equal to the supplied origin. Have the server send the header with a valid value."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘http://other.test’)."),
        },
        ConsoleCase {
            what: "two ACAO lines",
            call: get.clone(),
            preflight: none(),
            response: resp(200, &[(ACAO, PAGE), (ACAO, OTHER)]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header contains multiple values '{origin}, http://other.test', but only one is allowed. Have the server send the header with a valid value."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed)."),
        },
        ConsoleCase {
            what: "empty ACAO",
            call: get.clone(),
            preflight: none(),
            response: resp(200, &[(ACAO, "")]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header contains the invalid value ''. Have the server send the header with a valid value."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘’)."),
        },
        ConsoleCase {
            what: "ACAO * with credentials",
            call: cred_get.clone(),
            preflight: none(),
            response: resp(200, &[(ACAO, "*"), (ACAC, "true")]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘{url}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."),
        },
        ConsoleCase {
            what: "no ACAC with credentials",
            call: cred_get.clone(),
            preflight: none(),
            response: resp(200, &[(ACAO, PAGE)]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."),
        },
        ConsoleCase {
            what: "ACAC True",
            call: cred_get,
            preflight: none(),
            response: resp(200, &[(ACAO, PAGE), (ACAC, "True")]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Credentials' header in the response is 'True' which must be 'true' when the request's credentials mode is 'include'."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."),
        },
        ConsoleCase {
            what: "preflight without ACAO",
            call: put.clone(),
            preflight: resp(200, &[(ACAM, "PUT")]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."),
        },
        ConsoleCase {
            what: "preflight 400",
            call: put.clone(),
            preflight: resp(400, &[(ACAO, PAGE), (ACAM, "PUT")]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS preflight response did not succeed). Status code: 400."),
        },
        ConsoleCase {
            what: "preflight 307",
            call: put.clone(),
            preflight: resp(307, &[(ACAO, PAGE), (ACAM, "PUT"), ("Location", &moved)]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: Redirect is not allowed for a preflight request."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS request external redirect not allowed)."),
        },
        ConsoleCase {
            what: "ACAM does not parse",
            call: put.clone(),
            preflight: resp(204, &[(ACAO, PAGE), (ACAM, "PUT;")]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Cannot parse Access-Control-Allow-Methods response header field in preflight response."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: invalid token ‘PUT;’ in CORS header ‘Access-Control-Allow-Methods’)."),
        },
        ConsoleCase {
            what: "ACAH does not parse",
            call: custom.clone(),
            preflight: resp(204, &[(ACAO, PAGE), (ACAH, "X-Custom;")]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Cannot parse Access-Control-Allow-Headers response header field in preflight response."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: invalid token ‘X-Custom;’ in CORS header ‘Access-Control-Allow-Headers’)."),
        },
        ConsoleCase {
            what: "method not allowed",
            call: put.clone(),
            preflight: resp(204, &[(ACAO, PAGE)]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: Did not find method in CORS header ‘Access-Control-Allow-Methods’)."),
        },
        ConsoleCase {
            what: "header not allowed",
            call: custom,
            preflight: resp(204, &[(ACAO, PAGE)]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Request header field x-custom is not allowed by Access-Control-Allow-Headers in preflight response."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: header ‘x-custom’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response)."),
        },
        ConsoleCase {
            what: "preflight ACAO * with credentials",
            call: cred_put.clone(),
            preflight: resp(204, &[(ACAO, "*"), (ACAM, "PUT"), (ACAC, "true")]),
            response: resp(200, &[(ACAO, PAGE), (ACAC, "true")]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘{url}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."),
        },
        ConsoleCase {
            what: "preflight without ACAC",
            call: cred_put.clone(),
            preflight: put_ok(),
            response: resp(200, &[(ACAO, PAGE), (ACAC, "true")]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."),
        },
        ConsoleCase {
            what: "two preflight ACAO lines",
            call: put.clone(),
            preflight: resp(204, &[(ACAO, PAGE), (ACAO, PAGE), (ACAM, "PUT")]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The 'Access-Control-Allow-Origin' header contains multiple values '{origin}, {origin}', but only one is allowed. Have the server send the header with a valid value."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: Multiple CORS header ‘Access-Control-Allow-Origin’ not allowed)."),
        },
        ConsoleCase {
            what: "preflight ACAO null",
            call: put.clone(),
            preflight: resp(204, &[(ACAO, "null"), (ACAM, "PUT")]),
            response: ok_response(),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: The 'Access-Control-Allow-Origin' header has a value 'null' that is not equal to the supplied origin. Have the server send the header with a valid value."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘null’)."),
        },
        ConsoleCase {
            what: "actual response without ACAC after a good preflight",
            call: cred_put,
            preflight: resp(204, &[(ACAO, PAGE), (ACAM, "PUT"), (ACAC, "true")]),
            response: resp(200, &[(ACAO, PAGE)]),
            chrome: Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."),
            firefox: Some("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."),
        },
        ConsoleCase {
            what: "success logs nothing",
            call: put,
            preflight: put_ok(),
            response: ok_response(),
            chrome: None,
            firefox: None,
        },
    ]
}

#[wasm_bindgen_test(unsupported = test)]
fn chromium_console_messages_exact() {
    for case in console_cases() {
        let server = responder(case.preflight.clone(), case.response.clone());
        let d = decide_once(&case.call, Browser::Chrome, &server);
        assert_eq!(d.console(), case.chrome.map(sub), "{}", case.what);
        // The spec profile speaks Chromium's words; only a redirected
        // preflight differs, as the standard sees a non-ok status there.
        let spec = decide_once(&case.call, Browser::Spec, &server);
        let expected = if case.what == "preflight 307" {
            Some("Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: It does not have HTTP ok status.")
        } else {
            case.chrome
        };
        assert_eq!(spec.console(), expected.map(sub), "{} (spec)", case.what);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn firefox_console_messages_exact() {
    for case in console_cases() {
        let server = responder(case.preflight.clone(), case.response.clone());
        let d = decide_once(&case.call, Browser::Firefox, &server);
        assert_eq!(d.console(), case.firefox.map(sub), "{}", case.what);
        if let Some(report) = &d.report {
            assert_eq!(
                report.firefox.mdn.as_deref(),
                Some(format!("https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/{}", report.firefox.code).as_str())
            );
        }
    }
}

// ---------------------------------------------------------------------------
// The trace
// ---------------------------------------------------------------------------

#[wasm_bindgen_test(unsupported = test)]
fn decision_trace_ends_at_failing_step_with_browser_reports() {
    let c = call("PUT", &[("X-Custom", "1")], Some("x"));
    let server = responder(resp(204, &[(ACAO, PAGE), (ACAH, "x-custom")]), ok_response());
    for browser in Browser::ALL {
        let mut cache = PreflightCache::new(browser.profile());
        let (traced, steps) = decide_traced(&c, &page(), &server, browser, Context { cache: &mut cache, now_ms: 0 });
        assert_eq!(traced, decide_once(&c, browser, &server), "{browser}");
        let ids: Vec<&str> = steps.iter().map(|s| s.id).collect();
        for id in ["request.method", "origin.compare", "mode", "classify.method", "classify.headers", "preflight.cache", "preflight.send", "preflight.allow-origin", "preflight.status"] {
            assert!(ids.contains(&id), "{browser}: {id} missing from {ids:?}");
        }
        let last: &Step = steps.last().expect("steps");
        assert_eq!(last.id, "preflight.method");
        assert_eq!(last.verdict, Verdict::Fail);
        let report = last.failure.as_ref().expect("the failing step carries the reports");
        assert_eq!(report.chromium.name, "MethodDisallowedByPreflightResponse");
        assert_eq!(report.firefox.code, "CORSMethodNotFound");
        assert_eq!(Some(report), traced.report.as_ref());
        // Only the blocking step carries reports (classify.* steps fail
        // too, meaning "needs a preflight", without blocking).
        assert_eq!(steps.iter().filter(|s| s.failure.is_some()).count(), 1);
        assert!(steps.iter().all(|s| s.spec.starts_with("https://")), "{browser}");
    }
}

// ---------------------------------------------------------------------------
// The decision's record of the request
// ---------------------------------------------------------------------------

/// Redirects `URL` to `OTHER` once, then answers; both answers allow any origin.
#[derive(Debug)]
struct RedirectOnce;

impl Server for RedirectOnce {
    fn preflight(&self, _: &PreflightRequest) -> Cow<'_, ServerResponse> {
        Cow::Owned(resp(204, &[(ACAO, "*"), (ACAH, "*")]))
    }

    fn respond(&self, request: &FetchRequest) -> Cow<'_, ServerResponse> {
        if request.url_str() == URL {
            Cow::Owned(resp(302, &[(ACAO, "*"), ("Location", &format!("{OTHER}/moved"))]))
        } else {
            Cow::Owned(resp(200, &[(ACAO, "*")]))
        }
    }
}

/// `decision.request` is the request as `fetch()` built it (no tainting
/// settled yet), with or without redirects; `redirected_request` is the
/// one that went to the last URL, only when a redirect led there.
#[wasm_bindgen_test(unsupported = test)]
fn decision_records_the_request_as_built_and_as_redirected() {
    let c = call("GET", &[("X-Custom", "1")], None);
    for browser in Browser::ALL {
        let built = req(&c, browser);
        assert_eq!(built.tainting, None);
        let direct = decide_once(&c, browser, &responder(resp(204, &[(ACAO, "*"), (ACAH, "*")]), resp(200, &[(ACAO, "*")])));
        assert_eq!(direct.request.as_ref(), Some(&built), "{browser}");
        assert_eq!(direct.redirected_request, None, "{browser}");
        let redirected = decide_once(&c, browser, &RedirectOnce);
        assert_eq!(redirected.outcome, Outcome::Ok, "{browser}");
        assert_eq!(redirected.request.as_ref(), Some(&built), "{browser}");
        let last = redirected.redirected_request.expect("the request to the last URL");
        assert_eq!((last.url_str(), last.redirect_count()), ("http://other.test/moved", 1), "{browser}");
        assert_eq!(last.tainting, Some(Tainting::Cors), "{browser}");
        assert_eq!(redirected.url_list, [URL, "http://other.test/moved"], "{browser}");
    }
}
