//! DevTools' "Copy as fetch" read back into the page's `fetch()` call.
//!
//! The copies below are exactly what the browsers emit: Chromium 156's
//! `NetworkLogView.generateFetchCall` (served by its own DevTools front-end,
//! `/devtools/panels/network/network.js`) and Firefox 153.8's
//! `RequestListContextMenu.generateFetchString` (from `browser/omni.ja`),
//! run on the requests they describe, headers as each browser sent them.

use corslab::fetch::forbidden::ForbiddenRequestHeader;
use corslab::formats::curl::{CopiedRequest, CopyDropReason, CopyWarning};
use corslab::formats::fetch_copy::{FetchCopyErrorKind, MAX_INPUT_LEN, parse_fetch_copy};
use corslab::{Browser, CredentialsMode, RequestMode};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Chromium 156's "Copy as fetch" of the PUT the cURL tests copy.
const CHROMIUM_PUT: &str = r##"fetch("http://localhost:8080/data", {
  "headers": {
    "accept": "*/*",
    "accept-language": "en-US,en;q=0.9",
    "content-type": "application/json",
    "x-request-id": "42"
  },
  "referrer": "http://localhost:5050/",
  "body": "{\"a\":1}",
  "method": "PUT",
  "mode": "cors",
  "credentials": "omit"
});"##;

/// The same request, "Copy as fetch (Node.js)": `Referer` among the headers, no mode or credentials.
const CHROMIUM_PUT_NODE: &str = r##"fetch("http://localhost:8080/data", {
  "headers": {
    "accept": "*/*",
    "accept-language": "en-US,en;q=0.9",
    "content-type": "application/json",
    "x-request-id": "42",
    "Referer": "http://localhost:5050/"
  },
  "body": "{\"a\":1}",
  "method": "PUT"
});"##;

/// A credentialed GET (cookies, `Authorization`), a repeated header (combined), a quote, a backslash, a tab, an é.
const CHROMIUM_GET_CREDENTIALS: &str = r##"fetch("https://api.example.com/me?fields=a%2Cb&q=%C3%A9", {
  "headers": {
    "accept": "application/json",
    "accept-language": "en-US,en;q=0.9",
    "authorization": "Bearer abc.def",
    "x-quote": "say \"hi\" \\ café\ttab",
    "x-trace": "a, b"
  },
  "referrer": "https://app.example.com/",
  "body": null,
  "method": "GET",
  "mode": "cors",
  "credentials": "include"
});"##;

/// The same, "Copy as fetch (Node.js)": the `cookie` header is kept.
const CHROMIUM_GET_CREDENTIALS_NODE: &str = r##"fetch("https://api.example.com/me?fields=a%2Cb&q=%C3%A9", {
  "headers": {
    "accept": "application/json",
    "accept-language": "en-US,en;q=0.9",
    "authorization": "Bearer abc.def",
    "x-quote": "say \"hi\" \\ café\ttab",
    "x-trace": "a, b",
    "cookie": "session=1; theme=dark",
    "Referer": "https://app.example.com/"
  },
  "body": null,
  "method": "GET"
});"##;

/// A DELETE with no referrer (`referrerPolicy: "no-referrer"`): no page origin.
const CHROMIUM_DELETE_NO_REFERRER: &str = r##"fetch("https://api.example.com/items/7", {
  "headers": {
    "accept": "*/*"
  },
  "body": null,
  "method": "DELETE",
  "mode": "cors",
  "credentials": "omit"
});"##;

/// A form POST whose body ends with a newline, from a page with a path and a query.
const CHROMIUM_POST_FORM: &str = r##"fetch("https://api.example.com/form", {
  "headers": {
    "accept": "*/*",
    "content-type": "application/x-www-form-urlencoded"
  },
  "referrer": "https://app.example.com/signup?step=2",
  "body": "name=J%C3%BCrgen&note=line1%0Aline2\n",
  "method": "POST",
  "mode": "cors",
  "credentials": "omit"
});"##;

/// Firefox 153.8's "Copy as Fetch" of the same PUT.
const FIREFOX_PUT: &str = r##"await fetch("http://localhost:8080/data", {
    "credentials": "omit",
    "headers": {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        "Accept": "*/*",
        "Accept-Language": "en-US,en;q=0.5",
        "Content-Type": "application/json",
        "X-Request-Id": "42",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "same-site",
        "Priority": "u=4"
    },
    "referrer": "http://localhost:5050/",
    "body": "{\"a\":1}",
    "method": "PUT",
    "mode": "cors"
});"##;

/// Firefox's credentialed GET: the cookie is left out of the copy, `credentials` says it.
const FIREFOX_GET_CREDENTIALS: &str = r##"await fetch("https://api.example.com/me?fields=a%2Cb&q=%C3%A9", {
    "credentials": "include",
    "headers": {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        "Accept": "application/json",
        "Accept-Language": "en-US,en;q=0.5",
        "Authorization": "Bearer abc.def",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "cors",
        "Sec-Fetch-Site": "same-site",
        "Priority": "u=4"
    },
    "referrer": "https://app.example.com/",
    "method": "GET",
    "mode": "cors"
});"##;

/// Firefox's copy of a `no-cors` request: DevTools writes `mode: "cors"`, `Sec-Fetch-Mode` tells the truth.
const FIREFOX_NO_CORS: &str = r##"await fetch("https://cdn.example.net/pixel.gif", {
    "credentials": "omit",
    "headers": {
        "User-Agent": "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        "Accept": "*/*",
        "Accept-Language": "en-US,en;q=0.5",
        "Sec-Fetch-Dest": "empty",
        "Sec-Fetch-Mode": "no-cors",
        "Sec-Fetch-Site": "cross-site"
    },
    "referrer": "https://app.example.com/",
    "method": "GET",
    "mode": "cors"
});"##;

#[track_caller]
fn parse(text: &str) -> CopiedRequest {
    parse_fetch_copy(text).map_err(|e| format!("{e}\n{text}")).expect("the copy parses")
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

fn dropped(copied: &CopiedRequest) -> Vec<(&str, &CopyDropReason)> {
    copied.dropped.iter().map(|d| (d.name.as_str(), &d.reason)).collect()
}

#[wasm_bindgen_test(unsupported = test)]
fn chromium_put() {
    let copied = parse(CHROMIUM_PUT);
    assert_eq!(copied.url, "http://localhost:8080/data");
    assert_eq!(copied.method, "PUT");
    assert_eq!(copied.headers, pairs(&[("content-type", "application/json"), ("x-request-id", "42")]));
    assert_eq!(dropped(&copied), [("accept", &CopyDropReason::DefaultAccept), ("accept-language", &CopyDropReason::AddedByBrowser)]);
    assert_eq!(copied.body.as_deref(), Some(r#"{"a":1}"#));
    assert_eq!(copied.origin.as_deref(), Some("http://localhost:5050"));
    assert_eq!(copied.page_url.as_deref(), Some("http://localhost:5050/"));
    assert_eq!(copied.browser, Some(Browser::Chrome));
    assert_eq!((copied.mode_hint, copied.credentials_hint), (Some(RequestMode::Cors), Some(CredentialsMode::Omit)));
    assert_eq!(copied.cookies, None);
    assert!(copied.warnings.is_empty() && copied.ignored_flags.is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn the_same_request_copied_as_curl_and_as_fetch_is_the_same_call() {
    let curl = CopiedRequest::parse(r#"curl 'http://localhost:8080/data' \
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
  --data-raw '{"a":1}'"#)
    .unwrap();
    for fetch in [parse(CHROMIUM_PUT), parse(CHROMIUM_PUT_NODE), parse(FIREFOX_PUT)] {
        let (a, b) = (curl.fetch_call(), fetch.fetch_call());
        assert_eq!((&a.url, &a.method, &a.body, a.mode), (&b.url, &b.method, &b.body, b.mode));
        let lower = |h: &[(String, String)]| h.iter().map(|(n, v)| (n.to_ascii_lowercase(), v.clone())).collect::<Vec<_>>();
        assert_eq!(lower(&a.headers), lower(&b.headers));
        assert_eq!(curl.origin, fetch.origin);
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn chromium_node_flavour() {
    let copied = parse(CHROMIUM_PUT_NODE);
    assert_eq!(copied.headers, pairs(&[("content-type", "application/json"), ("x-request-id", "42")]));
    assert_eq!(copied.dropped.last().map(|d| (d.name.as_str(), &d.reason)), Some(("Referer", &CopyDropReason::Forbidden(ForbiddenRequestHeader::Listed))));
    assert_eq!(copied.origin.as_deref(), Some("http://localhost:5050"));
    assert_eq!((copied.mode_hint, copied.credentials_hint), (None, None));

    let copied = parse(CHROMIUM_GET_CREDENTIALS_NODE);
    assert_eq!(copied.cookies.as_deref(), Some("session=1; theme=dark"));
    // Cookies to another origin: only with credentials: "include".
    assert_eq!(copied.credentials_hint, Some(CredentialsMode::Include));
}

#[wasm_bindgen_test(unsupported = test)]
fn chromium_credentialed_get() {
    let copied = parse(CHROMIUM_GET_CREDENTIALS);
    assert_eq!(copied.url, "https://api.example.com/me?fields=a%2Cb&q=%C3%A9");
    assert_eq!(copied.method, "GET");
    assert_eq!(
        copied.headers,
        pairs(&[
            ("accept", "application/json"),
            ("authorization", "Bearer abc.def"),
            ("x-quote", "say \"hi\" \\ café\ttab"),
            ("x-trace", "a, b"),
        ])
    );
    assert_eq!(copied.body, None);
    assert_eq!(copied.credentials_hint, Some(CredentialsMode::Include));
    assert_eq!(copied.origin.as_deref(), Some("https://app.example.com"));
    assert_eq!(copied.warnings, [CopyWarning::CredentialsFromDevtools]);
}

#[wasm_bindgen_test(unsupported = test)]
fn chromium_without_referrer_and_a_form() {
    let copied = parse(CHROMIUM_DELETE_NO_REFERRER);
    assert_eq!((copied.method.as_str(), copied.origin.as_deref(), copied.page_url.as_deref()), ("DELETE", None, None));
    assert!(copied.headers.is_empty());

    let copied = parse(CHROMIUM_POST_FORM);
    assert_eq!(copied.body.as_deref(), Some("name=J%C3%BCrgen&note=line1%0Aline2\n"));
    assert_eq!(copied.origin.as_deref(), Some("https://app.example.com"));
    assert_eq!(copied.page_url.as_deref(), Some("https://app.example.com/signup?step=2"));
    assert_eq!(copied.headers, pairs(&[("content-type", "application/x-www-form-urlencoded")]));
}

#[wasm_bindgen_test(unsupported = test)]
fn firefox_put() {
    let copied = parse(FIREFOX_PUT);
    assert_eq!(copied.method, "PUT");
    assert_eq!(copied.headers, pairs(&[("Content-Type", "application/json"), ("X-Request-Id", "42")]));
    let names: Vec<&str> = copied.dropped.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["User-Agent", "Accept", "Accept-Language", "Sec-Fetch-Dest", "Sec-Fetch-Mode", "Sec-Fetch-Site", "Priority"]);
    assert_eq!(copied.browser, Some(Browser::Firefox));
    assert_eq!(copied.origin.as_deref(), Some("http://localhost:5050"));
    assert_eq!((copied.mode_hint, copied.credentials_hint), (Some(RequestMode::Cors), Some(CredentialsMode::Omit)));
}

#[wasm_bindgen_test(unsupported = test)]
fn firefox_credentials_and_no_cors() {
    let copied = parse(FIREFOX_GET_CREDENTIALS);
    assert_eq!(copied.headers, pairs(&[("Accept", "application/json"), ("Authorization", "Bearer abc.def")]));
    assert_eq!(copied.credentials_hint, Some(CredentialsMode::Include));
    assert_eq!(copied.cookies, None);

    // DevTools writes mode: "cors"; Sec-Fetch-Mode says what the page did.
    let copied = parse(FIREFOX_NO_CORS);
    assert_eq!(copied.mode_hint, Some(RequestMode::NoCors));
    assert!(copied.headers.is_empty());
}

#[wasm_bindgen_test(unsupported = test)]
fn what_people_do_to_a_copy() {
    // Single quotes, bare keys, trailing commas, comments, no semicolon,
    // headers as pairs, an option the engine does not model.
    let copied = parse(
        "// from DevTools\nawait fetch('https://api.test/x', {\n  method: 'PATCH', /* was PUT */\n  headers: [['X-A', '1'], ['Content-Type', `text/plain`]],\n  body: 'a\\u00e9',\n  redirect: 'manual',\n  credentials: 'include',\n})",
    );
    assert_eq!(copied.method, "PATCH");
    assert_eq!(copied.headers, pairs(&[("X-A", "1"), ("Content-Type", "text/plain")]));
    assert_eq!(copied.body.as_deref(), Some("aé"));
    assert_eq!(copied.ignored_flags, ["redirect: manual"]);
    assert_eq!(copied.credentials_hint, Some(CredentialsMode::Include));

    // No options: a GET.
    let copied = parse(r#"fetch("https://api.test/")"#);
    assert_eq!((copied.method.as_str(), copied.headers.len()), ("GET", 0));

    // Chromium's commented flavour: the forbidden headers commented out.
    let commented = "fetch(\"https://api.test/\", {\n  \"headers\": {\n    // All sec-* headers are set by the browser\n    // \"sec-fetch-mode\": \"cors\",\n    \"x-a\": \"1\"\n  },\n  \"method\": \"GET\"\n});";
    assert_eq!(parse(commented).headers, pairs(&[("x-a", "1")]));
}

#[wasm_bindgen_test(unsupported = test)]
fn what_is_refused_and_why() {
    let cases: &[(&str, FetchCopyErrorKind)] = &[
        ("", FetchCopyErrorKind::Empty),
        ("  // nothing\n", FetchCopyErrorKind::Empty),
        ("curl 'https://a.test/'", FetchCopyErrorKind::Curl),
        ("Invoke-WebRequest -Uri \"https://a.test/\"", FetchCopyErrorKind::NotFetch),
        ("fetch(\"https://a.test/\", {\"body\": JSON.stringify(x)})", FetchCopyErrorKind::Expression),
        ("fetch(url)", FetchCopyErrorKind::Expression),
        ("fetch(\"https://a.test/\" + path)", FetchCopyErrorKind::Expression),
        ("fetch(`https://a.test/${id}`)", FetchCopyErrorKind::Expression),
        ("fetch(\"https://a.test/\", {\"method\": \"GET\"", FetchCopyErrorKind::Unexpected),
        ("fetch(\"https://a.test/", FetchCopyErrorKind::UnterminatedString),
        ("fetch(\"https://a.test/\" /* open", FetchCopyErrorKind::UnterminatedComment),
        ("fetch(\"https://a.test/\\08\")", FetchCopyErrorKind::InvalidEscape),
        ("fetch(\"https://a.test/\", {\"mehtod\": \"GET\"})", FetchCopyErrorKind::UnknownOption),
        ("fetch(\"https://a.test/\", {\"mode\": \"cros\"})", FetchCopyErrorKind::InvalidValue),
        ("fetch(\"https://a.test/\", {\"headers\": \"x\"})", FetchCopyErrorKind::InvalidValue),
        ("fetch(\"https://a.test/\", {\"headers\": {\"a\": {\"b\": {\"c\": {}}}}})", FetchCopyErrorKind::TooDeep),
        ("fetch(\"https://a.test/\", {}) ;\nfetch(\"https://a.test/2\", {});", FetchCopyErrorKind::SeveralCalls),
        ("fetch(\"https://a.test/\", {}); alert(1)", FetchCopyErrorKind::TrailingInput),
        ("fetch(\"/relative\")", FetchCopyErrorKind::InvalidUrl),
        ("fetch(\"file:///etc/passwd\")", FetchCopyErrorKind::InvalidUrl),
    ];
    for (text, kind) in cases {
        let e = parse_fetch_copy(text).expect_err(text);
        assert_eq!(e.kind(), *kind, "{text}: {e}");
    }
    let e = parse_fetch_copy("fetch(\"https://a.test/\", {\"mehtod\": \"GET\"})").unwrap_err();
    assert_eq!(e.to_string(), "fetch() has no such option: \"mehtod\" (at byte 26)");
    let e = parse_fetch_copy("fetch(\"https://a.test/\", {\"method\": \"GET\" \"mode\": 1})").unwrap_err();
    assert_eq!(e.to_string(), "unexpected text: expected ',' or '}', found \"\\\"\" (at byte 42)");

    let long = format!("fetch(\"https://a.test/\", {{\"body\": \"{}\"}})", "x".repeat(MAX_INPUT_LEN));
    assert_eq!(parse_fetch_copy(&long).unwrap_err().kind(), FetchCopyErrorKind::TooLong);
    // Just under the bound, a large body is read.
    let large = format!("fetch(\"https://a.test/\", {{\"body\": \"{}\"}})", "x".repeat(MAX_INPUT_LEN - 100));
    assert_eq!(parse(&large).body.map(|b| b.len()), Some(MAX_INPUT_LEN - 100));
    // Deep nesting is refused before any recursion gets deep.
    let deep = format!("fetch(\"https://a.test/\", {{\"headers\": {}}})", "[".repeat(100_000));
    assert_eq!(parse_fetch_copy(&deep).unwrap_err().kind(), FetchCopyErrorKind::TooDeep);
}

/// Properties over generated input (native only).
#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use corslab::formats::fetch_copy::parse_fetch_copy;
    use proptest::prelude::*;

    fn config(cases: u32) -> ProptestConfig {
        ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
    }

    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("fetch(".to_owned()),
            Just("await ".to_owned()),
            Just("\"https://a.test/\"".to_owned()),
            Just(", ".to_owned()),
            Just("{".to_owned()),
            Just("}".to_owned()),
            Just("[".to_owned()),
            Just("]".to_owned()),
            Just(")".to_owned()),
            Just(";".to_owned()),
            Just("\"headers\": ".to_owned()),
            Just("\"method\": ".to_owned()),
            Just("\"body\": ".to_owned()),
            Just("null".to_owned()),
            Just("\\u{".to_owned()),
            Just("\\uD83D".to_owned()),
            Just("\\x".to_owned()),
            Just("\"".to_owned()),
            Just("'".to_owned()),
            Just("`".to_owned()),
            Just("/*".to_owned()),
            Just("//".to_owned()),
            Just("\n".to_owned()),
            "[a-z:/.\\\\\"' ]{0,8}",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(config(1000))]

        #[test]
        fn no_input_makes_it_panic(pieces in proptest::collection::vec(piece(), 0..16)) {
            let _ = parse_fetch_copy(&pieces.concat());
        }

        /// Any header value and body, written as JSON.stringify writes them,
        /// read back as they were.
        #[test]
        fn json_strings_read_back(value in "[ -~é😀\u{2028}]{0,40}", body in any::<String>()) {
            let quoted = |s: &str| serde_json::to_string(s).unwrap_or_default();
            let text = format!(
                "fetch(\"https://a.test/p\", {{\"headers\": {{\"x-a\": {}}}, \"body\": {}, \"method\": \"POST\"}});",
                quoted(&value),
                quoted(&body)
            );
            let copied = parse_fetch_copy(&text).map_err(|e| TestCaseError::fail(e.to_string()))?;
            prop_assert_eq!(copied.body.as_deref(), Some(body.as_str()));
            prop_assert_eq!(copied.headers, vec![("x-a".to_owned(), value)]);
        }
    }
}
