//! DevTools' "Copy as cURL (bash)" read back into the page's `fetch()` call.
//!
//! The copies below are exactly what the browsers emit: the two from the
//! brief, and others produced by the generators themselves (Chromium 156's
//! `NetworkLogView.generateCurlCommand`, served by the browser's own
//! DevTools front-end, and Firefox 153.8's `devtools/client/shared/curl.js`
//! from its `omni.ja`) run on the requests they describe.

use corslab::fetch::forbidden::ForbiddenRequestHeader;
use corslab::formats::curl::{CopiedRequest, CopyDropReason, CopyWarning, CurlErrorKind, MAX_INPUT_LEN};
use corslab::trace::NoTrace;
use corslab::{Browser, CredentialsMode, FetchRequest, Origin, RequestMode};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CHROMIUM_UA: &str =
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36";

/// The brief's Chromium 156 copy.
const CHROMIUM_PUT: &str = r#"curl 'http://localhost:8080/data' \
  -X 'PUT' \
  -H 'Accept: */*' \
  -H 'Accept-Language: en-US,en;q=0.9' \
  -H 'Connection: keep-alive' \
  -H 'Content-Type: application/json' \
  -H 'Origin: http://localhost:5050' \
  -H 'Referer: http://localhost:5050/' \
  -H 'Sec-Fetch-Dest: empty' \
  -H 'Sec-Fetch-Mode: cors' \
  -H 'Sec-Fetch-Site: same-site' \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' \
  -H 'X-Request-Id: 42' \
  -H 'sec-ch-ua: "Chromium";v="156", "Not-A.Brand";v="24"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  --data-raw '{"a":1}'"#;

/// Chromium 156's generator on the same request with a cookie and an empty
/// header, over plain HTTP: `--url`, `-b`, `Name;` and `--insecure`.
const CHROMIUM_PUT_GENERATED: &str = r#"curl --url 'http://localhost:8080/data' \
  -X 'PUT' \
  -H 'Accept: */*' \
  -H 'Accept-Language: en-US,en;q=0.9' \
  -H 'Connection: keep-alive' \
  -H 'Content-Type: application/json' \
  -b 'a=1; b=2' \
  -H 'Origin: http://localhost:5050' \
  -H 'Referer: http://localhost:5050/' \
  -H 'Sec-Fetch-Dest: empty' \
  -H 'Sec-Fetch-Mode: cors' \
  -H 'Sec-Fetch-Site: same-site' \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' \
  -H 'X-Empty;' \
  -H 'X-Request-Id: 42' \
  -H 'sec-ch-ua: "Chromium";v="156", "Not-A.Brand";v="24"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  --data-raw '{"a":1}' \
  --insecure"#;

/// The brief's Firefox 153 copy, on one line.
const FIREFOX_PUT: &str = r#"curl 'http://localhost:8080/data' -X PUT -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0' -H 'Accept: */*' -H 'Accept-Language: en-US,en;q=0.5' -H 'Accept-Encoding: gzip, deflate, br, zstd' -H 'Content-Type: application/json' -H 'X-Request-Id: 42' -H 'Origin: http://localhost:5050' -H 'Connection: keep-alive' -H 'Referer: http://localhost:5050/' -H 'Sec-Fetch-Dest: empty' -H 'Sec-Fetch-Mode: cors' -H 'Sec-Fetch-Site: same-site' -H 'Priority: u=4' --data-raw '{"a":1}'"#;

/// The same request from Firefox 153.8's generator, with its ` \` lines.
const FIREFOX_PUT_LINES: &str = r#"curl 'http://localhost:8080/data' \
  -X PUT \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0' \
  -H 'Accept: */*' \
  -H 'Accept-Language: en-US,en;q=0.5' \
  -H 'Accept-Encoding: gzip, deflate, br, zstd' \
  -H 'Content-Type: application/json' \
  -H 'X-Request-Id: 42' \
  -H 'Origin: http://localhost:5050' \
  -H 'Connection: keep-alive' \
  -H 'Referer: http://localhost:5050/' \
  -H 'Sec-Fetch-Dest: empty' \
  -H 'Sec-Fetch-Mode: cors' \
  -H 'Sec-Fetch-Site: same-site' \
  -H 'Priority: u=4' \
  --data-raw '{"a":1}'"#;

#[track_caller]
fn parse(text: &str) -> CopiedRequest {
    CopiedRequest::parse(text).map_err(|e| format!("{e}\n{text}")).expect("the command parses")
}

fn error(text: &str) -> (CurlErrorKind, String, usize) {
    let e = CopiedRequest::parse(text).expect_err(text);
    (e.kind(), e.token().to_owned(), e.offset())
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

fn dropped(copied: &CopiedRequest) -> Vec<(&str, CopyDropReason)> {
    copied.dropped.iter().map(|d| (d.name.as_str(), d.reason.clone())).collect()
}

const LISTED: CopyDropReason = CopyDropReason::Forbidden(ForbiddenRequestHeader::Listed);
const SEC: CopyDropReason = CopyDropReason::Forbidden(ForbiddenRequestHeader::Prefix { prefix: "sec-" });

#[wasm_bindgen_test(unsupported = test)]
fn chromium_put_as_the_brief_shows_it() {
    let copied = parse(CHROMIUM_PUT);
    assert_eq!(copied.url, "http://localhost:8080/data");
    assert_eq!(copied.method, "PUT");
    assert_eq!(copied.headers, pairs(&[("Content-Type", "application/json"), ("X-Request-Id", "42")]));
    assert_eq!(copied.body.as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(copied.origin.as_deref(), Some("http://localhost:5050"));
    assert_eq!(copied.cookies, None);
    assert_eq!(copied.credentials_hint, None);
    assert_eq!(copied.mode_hint, Some(RequestMode::Cors));
    assert_eq!(copied.browser, Some(Browser::Chrome));
    assert_eq!(copied.user, None);
    assert_eq!(
        dropped(&copied),
        [
            ("Accept", CopyDropReason::DefaultAccept),
            ("Accept-Language", CopyDropReason::AddedByBrowser),
            ("Connection", LISTED),
            ("Origin", LISTED),
            ("Referer", LISTED),
            ("Sec-Fetch-Dest", SEC),
            ("Sec-Fetch-Mode", SEC),
            ("Sec-Fetch-Site", SEC),
            ("User-Agent", CopyDropReason::Forbidden(ForbiddenRequestHeader::UserAgent)),
            ("sec-ch-ua", SEC),
            ("sec-ch-ua-mobile", SEC),
            ("sec-ch-ua-platform", SEC),
        ]
    );
    assert_eq!(copied.dropped[8].value, CHROMIUM_UA);
    assert!(copied.ignored_flags.is_empty());
    assert!(copied.warnings.is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn chromium_generated_copy_with_url_flag_cookie_and_empty_header() {
    let copied = parse(CHROMIUM_PUT_GENERATED);
    let brief = parse(CHROMIUM_PUT);
    assert_eq!(copied.url, brief.url);
    assert_eq!(copied.method, "PUT");
    assert_eq!(copied.headers, pairs(&[("Content-Type", "application/json"), ("X-Empty", ""), ("X-Request-Id", "42")]));
    assert_eq!(copied.body, brief.body);
    assert_eq!(copied.cookies.as_deref(), Some("a=1; b=2"));
    // Cross-origin (5050 to 8080) and cookies sent: credentials: 'include'.
    assert_eq!(copied.credentials_hint, Some(CredentialsMode::Include));
    assert_eq!(copied.dropped, brief.dropped);
    assert_eq!(copied.ignored_flags, ["--insecure"]);
    assert!(copied.warnings.is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn firefox_put_on_one_line_and_on_several() {
    let copied = parse(FIREFOX_PUT);
    assert_eq!(copied, parse(FIREFOX_PUT_LINES));
    assert_eq!(copied.url, "http://localhost:8080/data");
    assert_eq!(copied.method, "PUT");
    assert_eq!(copied.headers, pairs(&[("Content-Type", "application/json"), ("X-Request-Id", "42")]));
    assert_eq!(copied.body.as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(copied.origin.as_deref(), Some("http://localhost:5050"));
    assert_eq!(copied.mode_hint, Some(RequestMode::Cors));
    assert_eq!(copied.browser, Some(Browser::Firefox));
    assert_eq!(
        dropped(&copied),
        [
            // Firefox lets a page set User-Agent, but sends its own on every request.
            ("User-Agent", CopyDropReason::AddedByBrowser),
            ("Accept", CopyDropReason::DefaultAccept),
            ("Accept-Language", CopyDropReason::AddedByBrowser),
            ("Accept-Encoding", LISTED),
            ("Origin", LISTED),
            ("Connection", LISTED),
            ("Referer", LISTED),
            ("Sec-Fetch-Dest", SEC),
            ("Sec-Fetch-Mode", SEC),
            ("Sec-Fetch-Site", SEC),
            ("Priority", CopyDropReason::AddedByBrowser),
        ]
    );
    assert!(copied.warnings.is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn both_browsers_give_the_same_call() {
    let chromium = parse(CHROMIUM_PUT).fetch_call();
    let firefox = parse(FIREFOX_PUT).fetch_call();
    assert_eq!(chromium, firefox);
    assert_eq!((chromium.mode, chromium.credentials), (RequestMode::Cors, CredentialsMode::SameOrigin));

    // The engine builds it without dropping anything: the browser's headers
    // are already out.
    let page = Origin::parse("http://localhost:5050").unwrap_or_else(|e| panic!("{e}"));
    for browser in Browser::ALL {
        let request = FetchRequest::build(&chromium, &page, browser.profile(), &mut NoTrace)
            .unwrap_or_else(|e| panic!("{browser}: {e}"));
        assert!(request.dropped.is_empty(), "{browser}: {:?}", request.dropped);
        assert_eq!(request.headers.len(), 2);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn get_without_method_flag() {
    let copied = parse(
        r#"curl --url 'http://localhost:8080/allow/any' \
  -H 'Accept: */*' \
  -H 'Accept-Language: en-US,en;q=0.9' \
  -H 'Connection: keep-alive' \
  -H 'Origin: http://localhost:5050' \
  -H 'Referer: http://localhost:5050/' \
  -H 'Sec-Fetch-Dest: empty' \
  -H 'Sec-Fetch-Mode: cors' \
  -H 'Sec-Fetch-Site: same-site' \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' \
  -H 'sec-ch-ua: "Chromium";v="156", "Not-A.Brand";v="24"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"'"#,
    );
    assert_eq!(copied.method, "GET");
    assert_eq!(copied.url, "http://localhost:8080/allow/any");
    assert!(copied.headers.is_empty());
    assert_eq!(copied.body, None);
    assert_eq!(copied.dropped.len(), 12);
    assert_eq!(copied.browser, Some(Browser::Chrome));
}

#[wasm_bindgen_test(unsupported = test)]
fn post_implied_by_data_with_cookies_via_b_and_the_cache_pair() {
    let copied = parse(
        r#"curl --url 'http://localhost:8080/allow/origin' \
  -H 'Accept: */*' \
  -H 'Accept-Language: en-US,en;q=0.9' \
  -H 'Cache-Control: no-cache' \
  -H 'Connection: keep-alive' \
  -H 'Content-Type: text/plain;charset=UTF-8' \
  -b 'session=abc; theme=dark' \
  -H 'Origin: http://localhost:5050' \
  -H 'Pragma: no-cache' \
  -H 'Referer: http://localhost:5050/' \
  -H 'Sec-Fetch-Dest: empty' \
  -H 'Sec-Fetch-Mode: cors' \
  -H 'Sec-Fetch-Site: same-site' \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36' \
  -H 'sec-ch-ua: "Chromium";v="156", "Not-A.Brand";v="24"' \
  -H 'sec-ch-ua-mobile: ?0' \
  -H 'sec-ch-ua-platform: "Linux"' \
  --data-raw $'name=it\'s&x=1'"#,
    );
    assert_eq!(copied.method, "POST");
    assert_eq!(copied.body.as_deref(), Some("name=it's&x=1"));
    assert_eq!(copied.headers, pairs(&[("Content-Type", "text/plain;charset=UTF-8")]));
    assert_eq!(copied.cookies.as_deref(), Some("session=abc; theme=dark"));
    assert_eq!(copied.credentials_hint, Some(CredentialsMode::Include));
    let reasons = dropped(&copied);
    assert!(reasons.contains(&("Cache-Control", CopyDropReason::CacheMode)));
    assert!(reasons.contains(&("Pragma", CopyDropReason::CacheMode)));

    let call = copied.fetch_call();
    assert_eq!((call.mode, call.credentials), (RequestMode::Cors, CredentialsMode::Include));
    let page = Origin::parse("http://localhost:5050").unwrap_or_else(|e| panic!("{e}"));
    let built = FetchRequest::build(&call, &page, Browser::Chrome.profile(), &mut NoTrace);
    assert!(built.is_ok_and(|r| r.includes_credentials()));
}

#[wasm_bindgen_test(unsupported = test)]
fn firefox_head_with_a_cookie_header_and_revalidation() {
    let copied = parse(
        r#"curl 'http://localhost:8080/allow/list' \
  -I \
  -H 'User-Agent: Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0' \
  -H 'Accept: */*' \
  -H 'Accept-Language: en-US,en;q=0.5' \
  -H 'Accept-Encoding: gzip, deflate, br, zstd' \
  -H 'Origin: http://localhost:5050' \
  -H 'Connection: keep-alive' \
  -H 'Referer: http://localhost:5050/' \
  -H 'Cookie: session=abc' \
  -H 'Sec-Fetch-Dest: empty' \
  -H 'Sec-Fetch-Mode: cors' \
  -H 'Sec-Fetch-Site: same-site' \
  -H 'If-None-Match: "v1"' \
  -H 'Priority: u=4'"#,
    );
    assert_eq!(copied.method, "HEAD");
    assert!(copied.headers.is_empty());
    assert_eq!(copied.cookies.as_deref(), Some("session=abc"));
    assert_eq!(copied.credentials_hint, Some(CredentialsMode::Include));
    assert!(dropped(&copied).contains(&("Cookie", LISTED)));
    assert!(dropped(&copied).contains(&("If-None-Match", CopyDropReason::Revalidation)));
}

#[wasm_bindgen_test(unsupported = test)]
fn same_origin_cookies_need_no_include() {
    let by_site = parse(
        "curl 'https://app.test/api' -X POST -H 'Cookie: s=1' -H 'Sec-Fetch-Site: same-origin' \
         -H 'Sec-Fetch-Mode: cors' --data-raw x",
    );
    assert_eq!(by_site.credentials_hint, Some(CredentialsMode::SameOrigin));
    let by_origin = parse("curl https://app.test/api -b s=1 -H 'Origin: https://app.test' -d x");
    assert_eq!(by_origin.credentials_hint, Some(CredentialsMode::SameOrigin));
    assert_eq!(by_origin.cookies.as_deref(), Some("s=1"));
    let unknown = parse("curl https://app.test/api -b 's=1' -b 't=2'");
    assert_eq!(unknown.cookies.as_deref(), Some("s=1;t=2"));
    assert_eq!(unknown.credentials_hint, Some(CredentialsMode::Include));
    // curl sends the Cookie header and forgets -b.
    let both = parse("curl https://app.test/api -b s=1 -H 'Cookie: c=3'");
    assert_eq!(both.cookies.as_deref(), Some("c=3"));
    assert_eq!(both.warnings, [CopyWarning::CookieOptionIgnored]);
}

#[wasm_bindgen_test(unsupported = test)]
fn ansi_c_quoting_from_both_generators() {
    let expected_url = "http://localhost:8080/q?a[0]={x}&b=it's";
    let expected_body = "it's café!\n\u{1}☃😀 a&b \\ end";
    let expected_headers = pairs(&[("Content-Type", "text/plain;charset=UTF-8"), ("X-Note", "it's 100%!")]);
    // Chromium: `$'…'` with `\uXXXX` for controls and `!`, `\[` for curl's globs.
    let chromium = parse(
        r#"curl --url $'http://localhost:8080/q?a\[0\]=\{x\}&b=it\'s' \
  -H 'Content-Type: text/plain;charset=UTF-8' \
  -H $'X-Note: it\'s 100%\u0021' \
  --data-raw $'it\'s café\u0021\n\u0001☃😀 a&b \\ end'"#,
    );
    // Firefox: `\xHH` below U+0100, `\041` for `!`, UTF-16 `\u` pairs, `--globoff`.
    let firefox = parse(
        r#"curl $'http://localhost:8080/q?a[0]={x}&b=it\'s' \
  --globoff \
  -X POST \
  -H 'Content-Type: text/plain;charset=UTF-8' \
  -H $'X-Note: it\'s 100%\041' \
  --data-raw $'it\'s caf\xe9\041\n\x01\u2603\ud83d\ude00 a&b \\ end'"#,
    );
    for copied in [chromium, firefox] {
        assert_eq!(copied.url, expected_url);
        assert_eq!(copied.method, "POST");
        assert_eq!(copied.headers, expected_headers);
        assert_eq!(copied.body.as_deref(), Some(expected_body));
    }
    let typed = parse(r"curl http://a.test/ -H $'X-A: \x41\u00e9\t\101\e!' -d $'\r\n'");
    assert_eq!(typed.headers, pairs(&[("X-A", "Aé\tA\u{1b}!")]));
    assert_eq!(typed.body.as_deref(), Some("\r\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn typed_commands() {
    let copied = parse(
        "/usr/bin/curl -sSL -k --compressed -i -v --http1.1 --http2 --location -o out.txt \
         -XPOST -HX-A:1 --header 'X-B: 2' -A 'my-agent' -e 'http://page.test/;auto' \
         https://api.test/x --data a=1 -d '' --data-binary b --data-urlencode 'q=a b&c' --data-ascii z",
    );
    assert_eq!(copied.method, "POST");
    assert_eq!(copied.headers, pairs(&[("X-A", "1"), ("X-B", "2")]));
    assert_eq!(copied.body.as_deref(), Some("a=1&&b&q=a+b%26c&z"));
    assert_eq!(
        copied.ignored_flags,
        ["-s", "-S", "-L", "-k", "--compressed", "-i", "-v", "--http1.1", "--http2", "--location", "-o"]
    );
    // -A and -e make headers the page could not (Referer) or would not (User-Agent) set.
    assert_eq!(dropped(&copied), [("User-Agent", CopyDropReason::AddedByBrowser), ("Referer", LISTED)]);
    assert_eq!(copied.dropped[1].value, "http://page.test/");
    assert_eq!(copied.browser, None);

    let get = parse("curl -G https://api.test/x?k=v -d a=1 --data-urlencode 'b=x y'");
    assert_eq!((get.method.as_str(), get.url.as_str(), get.body), ("GET", "https://api.test/x?k=v&a=1&b=x+y", None));

    let json = parse(r#"curl https://api.test/x --json '{"a":1}' --json '{"b":2}' -H 'Accept: text/plain'"#);
    assert_eq!(json.body.as_deref(), Some(r#"{"a":1}{"b":2}"#));
    assert_eq!(json.headers, pairs(&[("Accept", "text/plain"), ("Content-Type", "application/json")]));

    let put = parse("curl -sXPUT 'https://api.test/x' -H 'X-Empty:' -r 0-99");
    assert_eq!(put.method, "PUT");
    assert_eq!(put.headers, pairs(&[("X-Empty", ""), ("Range", "bytes=0-99")]));
    assert_eq!(put.warnings, [CopyWarning::EmptyValueAfterColon { name: "X-Empty".to_owned() }]);

    // Windows line endings and a trailing comment.
    let crlf = parse("curl 'https://api.test/x' \\\r\n  -X DELETE \\\r\n  -H 'X-A: 1'\r\n# done\r\n");
    assert_eq!((crlf.method.as_str(), crlf.headers.len()), ("DELETE", 1));
}

#[wasm_bindgen_test(unsupported = test)]
fn warnings() {
    let user = parse("curl -u alice:secret https://api.test/x");
    assert_eq!(user.user.as_deref(), Some("alice:secret"));
    assert_eq!(user.warnings, [CopyWarning::UserOption]);
    assert_eq!(parse("curl https://alice:secret@api.test/x").warnings, [CopyWarning::UrlCredentials]);
    let navigation = parse("curl https://app.test/ -H 'Sec-Fetch-Mode: navigate' -H 'Upgrade-Insecure-Requests: 1'");
    assert_eq!(navigation.warnings, [CopyWarning::NotAFetch { sec_fetch_mode: "navigate".to_owned() }]);
    assert_eq!(navigation.mode_hint, None);
    assert_eq!(dropped(&navigation)[1], ("Upgrade-Insecure-Requests", CopyDropReason::AddedByBrowser));
    let preflight = parse(
        "curl https://api.test/x -X OPTIONS -H 'Access-Control-Request-Method: PUT' \
         -H 'Access-Control-Request-Headers: content-type' -H 'Origin: https://app.test'",
    );
    assert_eq!(preflight.warnings, [CopyWarning::PreflightCopy]);
}

#[wasm_bindgen_test(unsupported = test)]
fn headers_the_page_set_are_kept() {
    let copied = parse(
        "curl https://api.test/x -X PUT -H 'Accept: application/json' -H 'Cache-Control: no-cache' \
         -H 'If-None-Match: \"v1\"' -H 'Authorization: Bearer t' -H 'X-Requested-With: XMLHttpRequest' \
         -H 'DPR: 2' -H 'bad name: x' -d x",
    );
    // Cache-Control alone is the page's (the browser adds it with Pragma);
    // If-None-Match on a PUT is the page's.
    assert_eq!(
        copied.headers,
        pairs(&[
            ("Accept", "application/json"),
            ("Cache-Control", "no-cache"),
            ("If-None-Match", "\"v1\""),
            ("Authorization", "Bearer t"),
            ("X-Requested-With", "XMLHttpRequest"),
            ("bad name", "x"),
        ])
    );
    assert_eq!(dropped(&copied), [("DPR", CopyDropReason::ClientHint)]);
}

#[wasm_bindgen_test(unsupported = test)]
fn precise_errors() {
    use CurlErrorKind as K;
    let e = |kind: K, token: &str, offset: usize| (kind, token.to_owned(), offset);
    assert_eq!(error("curl 'http://a.test/"), e(K::UnbalancedQuote, "'http://a.test/", 5));
    assert_eq!(error("curl http://a.test/ -H \"X-A: 1"), e(K::UnbalancedQuote, "\"X-A: 1", 23));
    assert_eq!(error("curl http://a.test/ --data-raw $'x\\'"), e(K::UnbalancedQuote, "$'x\\'", 31));
    assert_eq!(error("curl http://a.test/ --frobnicate"), e(K::UnknownFlag, "--frobnicate", 20));
    assert_eq!(error("curl http://a.test/ -sQ"), e(K::UnknownFlag, "-Q", 20));
    assert_eq!(error("curl http://a.test/ --request=PUT"), e(K::UnknownFlag, "--request=PUT", 20));
    assert_eq!(error("curl http://a.test/ -F a=b"), e(K::UnsupportedFlag, "-F", 20));
    assert_eq!(error("curl http://a.test/ -d @body.json"), e(K::FileArgument, "@body.json", 23));
    assert_eq!(error("curl http://a.test/ --data-binary @-"), e(K::FileArgument, "@-", 34));
    assert_eq!(error("curl http://a.test/ --data-urlencode n@f"), e(K::FileArgument, "n@f", 37));
    assert_eq!(error("curl http://a.test/ -b cookies.txt"), e(K::FileArgument, "cookies.txt", 23));
    assert_eq!(error("curl http://a.test/ -H @headers.txt"), e(K::FileArgument, "@headers.txt", 23));
    assert_eq!(error("curl -X PUT"), e(K::MissingUrl, "", 11));
    assert_eq!(error("curl http://a.test/ http://b.test/"), e(K::TwoUrls, "http://b.test/", 20));
    assert_eq!(error("curl --url http://a.test/ --url http://b.test/"), e(K::TwoUrls, "http://b.test/", 32));
    assert_eq!(error("curl http://a.test/ -H"), e(K::MissingValue, "-H", 20));
    assert_eq!(error("curl http://a.test/ --data-raw"), e(K::MissingValue, "--data-raw", 20));
    assert_eq!(error("curl http://a.test/ -H X-A"), e(K::InvalidHeader, "X-A", 23));
    assert_eq!(error("curl http://a.test/ -H 'X-A;b'"), e(K::InvalidHeader, "X-A;b", 23));
    assert_eq!(error("curl 'http://a.test/{a,b}'"), e(K::UrlGlob, "http://a.test/{a,b}", 5));
    assert_eq!(error("curl 'http://a.test/[1-3]'"), e(K::UrlGlob, "http://a.test/[1-3]", 5));
    assert_eq!(error("curl a.test/x"), e(K::InvalidUrl, "a.test/x", 5));
    assert_eq!(error("curl ftp://a.test/x"), e(K::InvalidUrl, "ftp://a.test/x", 5));
    assert_eq!(error("curl http://a.test/ -I -d x"), e(K::ConflictingMethods, "-I", 23));
    assert_eq!(error("wget http://a.test/"), e(K::NotCurl, "wget", 0));
    assert_eq!(error("$ curl http://a.test/"), e(K::NotCurl, "$", 0));
    assert_eq!(error("  \n # nothing\n"), e(K::Empty, "", 14));
    assert_eq!(error("curl http://a.test/ -H \"X-A: $TOKEN\""), e(K::ShellExpansion, "$TOKEN\"", 29));
    assert_eq!(error("curl http://a.test/ | jq ."), e(K::ShellOperator, "| jq .", 20));
    assert_eq!(error("curl http://a.test/\ncurl http://b.test/"), e(K::TrailingInput, "curl http://b.test/", 20));

    let message = CopiedRequest::parse("curl http://a.test/ -H $'X-\\x01'").map_err(|e| e.to_string());
    assert_eq!(message, Err("header is neither 'Name: value' nor 'Name;': \"X-\\u{1}\" (at byte 23)".to_owned()));
}

#[wasm_bindgen_test(unsupported = test)]
fn other_flavours_are_named() {
    // Chromium 156, "Copy as cURL (cmd)".
    let chromium_cmd = "curl --url ^\"http://localhost:8080/data^\" ^\n  -X ^\"PUT^\" ^\n  -H ^\"Accept: */*^\"";
    assert_eq!(error(chromium_cmd), (CurlErrorKind::WindowsCmd, "^\"http://localhost:8080/data^\" ^".to_owned(), 11));
    // Firefox 153, "Copy as cURL (Windows)".
    let firefox_cmd = "curl.exe ^\"http://localhost:8080/data^\" ^\n  -X PUT";
    assert_eq!(error(firefox_cmd).0, CurlErrorKind::WindowsCmd);
    // An older Chromium wrote plain `"` and `^` line ends.
    assert_eq!(error("curl \"http://a.test/\" ^\n  -H \"X-A: 1\"").0, CurlErrorKind::WindowsCmd);
    let powershell = "$session = New-Object Microsoft.PowerShell.Commands.WebRequestSession\n\
                      Invoke-WebRequest -UseBasicParsing -Uri \"http://localhost:8080/data\"";
    assert_eq!(error(powershell).0, CurlErrorKind::PowerShell);
    assert_eq!(error("Invoke-WebRequest -UseBasicParsing -Uri \"http://a.test/\"").0, CurlErrorKind::PowerShell);
    assert_eq!(error("fetch(\"http://a.test/\", {\n  \"method\": \"PUT\"\n});").0, CurlErrorKind::JavaScript);
    assert_eq!(error("await fetch(\"http://a.test/\", {});").0, CurlErrorKind::JavaScript);
}

#[wasm_bindgen_test(unsupported = test)]
fn input_is_bounded_to_one_mebibyte() {
    let body = "a".repeat(MAX_INPUT_LEN);
    let over = format!("curl http://a.test/ --data-raw '{body}'");
    assert_eq!(error(&over), (CurlErrorKind::TooLong, String::new(), MAX_INPUT_LEN));
    let prefix = "curl http://a.test/ --data-raw ''";
    let under = format!("{prefix}{}", &body[..MAX_INPUT_LEN - prefix.len()]);
    assert_eq!(under.len(), MAX_INPUT_LEN);
    assert_eq!(parse(&under).body.map(|b| b.len()), Some(MAX_INPUT_LEN - prefix.len()));
}

/// Properties over generated inputs (native only: proptest does not run in
/// the browser). Case counts are small so that the file runs in well under
/// two seconds.
#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use corslab::formats::curl::CopiedRequest;
    use proptest::prelude::*;

    fn config(cases: u32) -> ProptestConfig {
        ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
    }

    /// Characters that stress the quoting: quotes, backslashes, `!`,
    /// controls, NUL, Latin-1, the BMP and beyond.
    fn tricky_char() -> impl Strategy<Value = char> {
        prop_oneof![
            4 => prop::char::range(' ', '~'),
            2 => prop::sample::select(vec!['\'', '"', '\\', '!', '$', '`', '\n', '\r', '\t', '\0', '^', '{', '[']),
            1 => prop::char::range('\u{1}', '\u{1f}'),
            1 => prop::char::range('\u{7f}', '\u{ff}'),
            1 => any::<char>(),
        ]
    }

    fn tricky_string(max: usize) -> impl Strategy<Value = String> {
        prop::collection::vec(tricky_char(), 0..max).prop_map(|chars| chars.into_iter().collect())
    }

    /// Header pairs no rule drops: `X-P…` names, values without the spaces
    /// and tabs curl's reading removes around them.
    fn header_pairs() -> impl Strategy<Value = Vec<(String, String)>> {
        prop::collection::vec(
            ("X-P[A-Za-z0-9-]{0,10}", tricky_string(24).prop_map(|v| v.trim_matches([' ', '\t']).to_owned())),
            0..6,
        )
    }

    /// `'…'`, with `'` written `'\''`.
    fn single_quoted(s: &str) -> String {
        format!("'{}'", s.replace('\'', r"'\''"))
    }

    /// Chromium 156's `escapeStringPosix`.
    fn chromium_quoted(s: &str) -> String {
        let special = |c: char| matches!(c, '\0'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '!');
        if !s.chars().any(|c| special(c) || c == '\'') {
            return format!("'{s}'");
        }
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\\' => out.push_str(r"\\"),
                '\'' => out.push_str(r"\'"),
                '\n' => out.push_str(r"\n"),
                '\r' => out.push_str(r"\r"),
                c if special(c) => out.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => out.push(c),
            }
        }
        out.push('\'');
        out
    }

    /// Firefox 153's `escapeStringPosix` (with `escapeStringifNeeded`).
    fn firefox_quoted(s: &str) -> String {
        if !s.is_empty() && s.chars().all(|c| c.is_ascii_alphabetic() || c == '-') {
            return s.to_owned();
        }
        if !s.chars().any(|c| !(' '..='~').contains(&c) || c == '!' || c == '\'') {
            return format!("'{s}'");
        }
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\\' => out.push_str(r"\\"),
                '\'' => out.push_str(r"\'"),
                '\n' => out.push_str(r"\n"),
                '\r' => out.push_str(r"\r"),
                '!' => out.push_str(r"\041"),
                ' '..='~' => out.push(c),
                c if u32::from(c) < 256 => out.push_str(&format!("\\x{:02x}", u32::from(c))),
                c => {
                    for unit in c.encode_utf16(&mut [0; 2]) {
                        out.push_str(&format!("\\u{unit:04x}"));
                    }
                }
            }
        }
        out.push('\'');
        out
    }

    /// A quoting function.
    type Quoter = fn(&str) -> String;

    fn render(headers: &[(String, String)], body: &str, quote: Quoter) -> String {
        let mut command = format!("curl {} \\\n  -X PATCH", quote("https://api.test/x?q=1"));
        for (name, value) in headers {
            let line = if value.is_empty() { format!("{name};") } else { format!("{name}: {value}") };
            command.push_str(&format!(" \\\n  -H {}", quote(&line)));
        }
        command.push_str(&format!(" \\\n  --data-raw {}", quote(body)));
        command
    }

    /// Two Latin-1 characters in a row can form UTF-8 once Firefox writes
    /// them as `\xHH` bytes (`Ã©` reads back as `é`): the one ambiguity of
    /// its quoting.
    fn latin1_pair(s: &str) -> bool {
        let latin1 = |c: char| ('\u{80}'..='\u{ff}').contains(&c);
        s.chars().zip(s.chars().skip(1)).any(|(a, b)| latin1(a) && latin1(b))
    }

    proptest! {
        #![proptest_config(config(200))]

        #[test]
        fn rendered_commands_parse_back(headers in header_pairs(), body in tricky_string(40)) {
            let quoters: [(&str, Quoter); 3] =
                [("single", single_quoted), ("chromium", chromium_quoted), ("firefox", firefox_quoted)];
            for (label, quote) in quoters {
                if label == "firefox" && (latin1_pair(&body) || headers.iter().any(|(_, v)| latin1_pair(v))) {
                    continue;
                }
                let command = render(&headers, &body, quote);
                let copied = CopiedRequest::parse(&command)
                    .map_err(|e| TestCaseError::fail(format!("{label}: {e}\n{command}")))?;
                prop_assert_eq!(&copied.url, "https://api.test/x?q=1", "{}", label);
                prop_assert_eq!(&copied.method, "PATCH", "{}", label);
                prop_assert_eq!(&copied.headers, &headers, "{}\n{}", label, command);
                prop_assert_eq!(copied.body.as_deref(), Some(body.as_str()), "{}\n{}", label, command);
                prop_assert!(copied.dropped.is_empty());
            }
        }

        #[test]
        fn no_input_panics(text in any::<String>()) {
            let _ = CopiedRequest::parse(&text);
        }

        #[test]
        fn no_curlish_input_panics(tail in "[ a-zA-Z0-9:/.@=;,#*?~-]{0,6}|(['\"$\\\\^{}\\[\\]\n\r\t ]|-[XHdbIGgAe]|--[a-z-]{1,12}|\\\\[uUxc0-7]|[a-z:/.]{1,8}){0,24}") {
            let _ = CopiedRequest::parse(&format!("curl {tail}"));
            let _ = CopiedRequest::parse(&format!("curl 'http://a.test/' $'{tail}"));
        }
    }
}
