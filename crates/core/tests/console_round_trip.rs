//! Console lines read back: for every scenario of every recorded file and
//! every browser profile, the console line the engine renders parses back to
//! the prediction's error name and failed parameter (and to the scenario's
//! URL and page origin where the line names them); every console line
//! recorded in the files parses to its recording's name and parameter; and
//! input that is not a console line gets a clean error, never a panic.

use corslab::browsers::console::{ConsoleErrorKind, LineKind, MAX_CONSOLE_LEN, ParsedConsole, parse_console_line};
use corslab::diagnosis::console::{Problem, explain};
use corslab::formats::scenario::{ScenarioFile, predict, substitute};
use corslab::{Browser, Failure, Stage};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

include!(concat!(env!("OUT_DIR"), "/scenario_files.rs"));

/// The browser whose words a profile's lines are in (the standard's profile
/// names its errors in Chromium's).
fn words_of(browser: Browser) -> Browser {
    match browser {
        Browser::Spec => Browser::Chrome,
        other => other,
    }
}

#[wasm_bindgen_test(unsupported = test)]
fn every_rendered_console_line_parses_back_to_its_prediction() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file_name, json) in SCENARIO_FILES {
        let file = ScenarioFile::parse(json).unwrap_or_else(|e| panic!("{file_name}: {e}"));
        for scenario in &file.scenarios {
            let values = scenario.placeholders();
            for browser in Browser::ALL {
                let prediction = predict(scenario, browser);
                let Some(line) = &prediction.expect.console else { continue };
                let at = format!("{file_name} {} [{browser}]", scenario.id);
                let parsed = match parse_console_line(line) {
                    Ok(parsed) => parsed,
                    Err(e) => {
                        failures.push(format!("{at}: {e}\n    {line}"));
                        continue;
                    }
                };
                let expect = &prediction.expect;
                let mut differ = |field: &str, want: Option<&str>, got: Option<&str>| {
                    if want != got {
                        failures.push(format!("{at} {field}: predicted {want:?}, parsed {got:?}\n    {line}"));
                    }
                };
                differ("browser", Some(words_of(browser).as_str()), Some(parsed.browser.as_str()));
                differ("cors_error", expect.cors_error.as_deref(), parsed.cors_error);
                differ("failed_parameter", expect.failed_parameter.as_deref(), parsed.failed_parameter.as_deref());
                let blocked = expect.outcome == "cors-error";
                // The URL: the request's or a hop's (after a redirect), or
                // where a redirect pointed; every browser's blocking line but
                // WebKit's names one.
                let written = serde_json::to_string(scenario).unwrap_or_default();
                match &parsed.url {
                    Some(url) if !values.hops.contains(url) && !written.contains(&format!("\"{url}\"")) => {
                        failures.push(format!("{at} url: {url:?} is none of the scenario's {:?}\n    {line}", values.hops));
                    }
                    None if blocked && words_of(browser) != Browser::Webkit => {
                        failures.push(format!("{at} url: none read\n    {line}"));
                    }
                    _ => {}
                }
                // The origin: the fetching context's (or the top page's, or
                // `null` once a redirect tainted it); Chromium's lines name it.
                let origins = [values.origin.as_str(), values.top_origin.as_str(), "null"];
                match parsed.origin.as_deref() {
                    Some(origin) if !origins.contains(&origin) => {
                        failures.push(format!("{at} origin: {origin:?} is none of {origins:?}\n    {line}"));
                    }
                    None if blocked && words_of(browser) == Browser::Chrome => {
                        failures.push(format!("{at} origin: none read\n    {line}"));
                    }
                    _ => {}
                }
                explained(&parsed, &at, &mut failures);
                if (parsed.kind == LineKind::Error) != blocked {
                    failures.push(format!("{at}: a {} line read as {:?}", expect.outcome, parsed.kind));
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 150, "expected at least 150 rendered lines, checked {checked}");
    assert!(failures.is_empty(), "{} of {checked} lines do not read back:\n{}", failures.len(), failures.join("\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn every_recorded_console_line_parses_to_its_recording() {
    let mut checked = 0;
    let mut failures = Vec::new();
    for (file_name, json) in SCENARIO_FILES {
        let file = ScenarioFile::parse(json).unwrap_or_else(|e| panic!("{file_name}: {e}"));
        for scenario in &file.scenarios {
            let values = scenario.placeholders();
            for (browser, recorded) in &scenario.expect {
                let recorded = recorded.substituted_in(&values);
                let Some(line) = &recorded.console else { continue };
                let at = format!("{file_name} {} [{browser}]", scenario.id);
                match parse_console_line(line) {
                    Ok(parsed) => {
                        if (parsed.cors_error, parsed.failed_parameter.as_deref())
                            != (recorded.cors_error.as_deref(), recorded.failed_parameter.as_deref())
                            || parsed.browser.as_str() != browser
                        {
                            failures.push(format!(
                                "{at}: recorded ({:?}, {:?}), parsed ({:?}, {:?}) as {}\n    {line}",
                                recorded.cors_error, recorded.failed_parameter, parsed.cors_error, parsed.failed_parameter, parsed.browser
                            ));
                        }
                    }
                    Err(e) => failures.push(format!("{at}: {e}\n    {line}")),
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 100, "expected at least 100 recorded lines, checked {checked}");
    assert!(failures.is_empty(), "{} of {checked} recorded lines do not read back:\n{}", failures.len(), failures.join("\n"));
}

/// Every line read back is explained: its name is a known problem, and the
/// explanation names its URL and origin where the line has them.
fn explained(parsed: &ParsedConsole, at: &str, failures: &mut Vec<String>) {
    if Problem::of(parsed.browser, parsed.name).is_none() {
        failures.push(format!("{at}: no problem for {} {}", parsed.browser, parsed.name));
    }
    let explained = explain(parsed);
    for (what, value) in [("url", &parsed.url), ("origin", &parsed.origin)] {
        if let Some(value) = value
            && !explained.check.contains(value.as_str())
            && !explained.check.contains(&format!("'{value}'"))
        {
            failures.push(format!("{at}: the check command lacks the {what}: {}", explained.check));
        }
    }
    if explained.causes.is_empty() || explained.fix.is_empty() || explained.explanation.is_empty() {
        failures.push(format!("{at}: an empty explanation"));
    }
}

/// (scenario, browser, console, cors_error, failed_parameter).
type Recorded = (&'static str, &'static str, &'static str, Option<&'static str>, Option<&'static str>);

/// Every distinct console line of `../shared/scenarios/next/frontier.json`
/// (redirects, opaque origins, Local Network Access), as recorded: kept here
/// whole, so that these lines stay covered whatever the test data holds.
const FRONTIER: &[Recorded] = &[
    ("redir-cross-to-cross-acao-origin", "chrome", r#"Access to fetch at '{hop1}' (redirected from '{url}') from origin '{origin}' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '{origin}' that is not equal to the supplied origin. Have the server send the header with a valid value."#, Some("AllowOriginMismatch"), Some("{origin}")),
    ("redir-cross-to-cross-acao-origin", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {hop1}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘{origin}’)."#, Some("CORSAllowOriginNotMatchingOrigin"), Some("{origin}")),
    ("redir-cross-to-cross-acao-origin", "webkit", r#"Origin null is not allowed by Access-Control-Allow-Origin. Status code: 200"#, Some("AllowOriginMismatch"), None),
    ("redir-cross-redirect-no-acao", "chrome", r#"Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."#, Some("MissingAllowOriginHeader"), None),
    ("redir-cross-redirect-no-acao", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 302."#, Some("CORSMissingAllowOrigin"), None),
    ("redir-cross-redirect-no-acao", "webkit", r#"Cross-origin redirection to {hop1} denied by Cross-Origin Resource Sharing policy: Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: 302"#, Some("RedirectDenied"), Some("Origin {origin} is not allowed by Access-Control-Allow-Origin. Status code: 302")),
    ("redir-cross-to-page-origin-no-acao", "chrome", r#"Access to fetch at '{hop1}' (redirected from '{url}') from origin '{origin}' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."#, Some("MissingAllowOriginHeader"), None),
    ("redir-cross-to-page-origin-no-acao", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {hop1}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."#, Some("CORSMissingAllowOrigin"), None),
    ("redir-userinfo-cross", "chrome", r#"Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Redirect location '' contains a username and password, which is disallowed for cross-origin requests."#, Some("RedirectContainsCredentials"), None),
    ("redir-userinfo-cross", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS request did not succeed). Status code: (null)."#, Some("CORSDidNotSucceed"), None),
    ("redir-userinfo-cross", "webkit", r#"Cross-origin redirection to {hop1} denied by Cross-Origin Resource Sharing policy: redirection URL {hop1} has credentials"#, Some("RedirectURLHasCredentials"), None),
    ("redir-307-preflight-cross-404", "chrome", r#"Access to fetch at '{hop1}' (redirected from '{url}') from origin '{origin}' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource."#, Some("PreflightMissingAllowOriginHeader"), None),
    ("redir-307-preflight-cross-404", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {hop1}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 404."#, Some("CORSMissingAllowOrigin"), None),
    ("redir-307-preflight-cross-404", "webkit", r#"Preflight response is not successful. Status code: 404"#, Some("PreflightNotSuccessful"), None),
    ("redir-mode-error", "chrome", r#"Failed to load resource: net::ERR_FAILED"#, None, None),
    ("redir-mode-error", "webkit", r#"Not allowed to follow a redirection while loading {url}"#, Some("RedirectModeError"), None),
    ("redir-to-data-url", "chrome", r#"Failed to load resource: net::ERR_UNSAFE_REDIRECT"#, None, None),
    ("redir-to-data-url", "webkit", r#"Cross-origin redirection to data:text/plain,hello denied by Cross-Origin Resource Sharing policy: not allowed to follow a cross-origin CORS redirection with non CORS scheme"#, Some("RedirectNonCorsScheme"), None),
    ("redir-credentials-star", "chrome", r#"Access to fetch at '{hop1}' (redirected from '{url}') from origin '{origin}' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Origin' header in the response must not be the wildcard '*' when the request's credentials mode is 'include'."#, Some("WildcardOriginNotAllowed"), None),
    ("redir-credentials-star", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ‘{hop1}’. (Reason: Credential is not supported if the CORS header ‘Access-Control-Allow-Origin’ is ‘*’)."#, Some("CORSNotSupportingCredentials"), None),
    ("redir-credentials-star", "webkit", r#"Cannot use wildcard in Access-Control-Allow-Origin when credentials flag is true."#, Some("AllowOriginWildcardWithCredentials"), None),
    ("opaque-sandbox-acao-top-origin", "chrome", r#"Access to fetch at '{url}' from origin 'null' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value '{top_origin}' that is not equal to the supplied origin. Have the server send the header with a valid value."#, Some("AllowOriginMismatch"), Some("{top_origin}")),
    ("opaque-sandbox-acao-top-origin", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘{top_origin}’)."#, Some("CORSAllowOriginNotMatchingOrigin"), Some("{top_origin}")),
    ("opaque-sandbox-acao-null-upper", "chrome", r#"Access to fetch at '{url}' from origin 'null' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header contains the invalid value 'NULL'. Have the server send the header with a valid value."#, Some("InvalidAllowOriginValue"), Some("NULL")),
    ("opaque-sandbox-acao-null-upper", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ does not match ‘NULL’)."#, Some("CORSAllowOriginNotMatchingOrigin"), Some("NULL")),
    ("opaque-sandbox-no-acao", "chrome", r#"Access to fetch at '{url}' from origin 'null' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource."#, Some("MissingAllowOriginHeader"), None),
    ("opaque-sandbox-no-acao", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: CORS header ‘Access-Control-Allow-Origin’ missing). Status code: 200."#, Some("CORSMissingAllowOrigin"), None),
    ("opaque-sandbox-cred-null-no-acac", "chrome", r#"Access to fetch at '{url}' from origin 'null' has been blocked by CORS policy: The value of the 'Access-Control-Allow-Credentials' header in the response is '' which must be 'true' when the request's credentials mode is 'include'."#, Some("InvalidAllowCredentials"), None),
    ("opaque-sandbox-cred-null-no-acac", "firefox", r#"Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at {url}. (Reason: expected ‘true’ in CORS header ‘Access-Control-Allow-Credentials’)."#, Some("CORSMissingAllowCredentials"), None),
    ("opaque-sandbox-cred-null-no-acac", "webkit", r#"Credentials flag is true, but Access-Control-Allow-Credentials is not "true"."#, Some("AllowCredentialsNotTrue"), None),
    ("opaque-sandbox-same-origin-mode", "chrome", r#"Fetch API cannot load {url}. Request mode is "same-origin" but the URL's origin is not same as the request origin null."#, Some("DisallowedByMode"), None),
    ("opaque-sandbox-same-origin-mode", "firefox", r#"Security Error: Content at moz-nullprincipal:{uuid}?{top_origin} may not load data from {url}."#, Some("CheckSameOriginError"), None),
    ("opaque-sandbox-same-origin-mode", "webkit", r#"Fetch API cannot load {url}."#, Some("FetchCannotLoad"), None),
    ("lna-public-to-loopback-get", "chrome", r#"Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space."#, Some("LocalNetworkAccessPermissionDenied"), None),
    ("lna-public-to-loopback-get", "firefox", r#"Local Network Access permission required: top-level site “{origin}/”, initiator “{origin}/”, attempting to access target “{url}” (127.0.0.1:8080) via fetch. Secure context: True"#, None, None),
    ("lna-granted-loopbackNetwork-get", "firefox", r#"Local Network Access detected: top-level site “{origin}/”, initiator “{origin}/”, accessing target “{url}” (127.0.0.1:8080) via fetch. Secure context: True, prompt action: auto_allow"#, None, None),
    ("lna-public-to-local-get", "chrome", r#"Access to fetch at '{url}' from origin '{origin}' has been blocked by CORS policy: Permission was denied for this request to access the `local` address space."#, Some("LocalNetworkAccessPermissionDenied"), None),
    ("lna-public-redirect-to-loopback", "chrome", r#"Access to fetch at '{hop1}' (redirected from '{url}') from origin '{origin}' has been blocked by CORS policy: Permission was denied for this request to access the `loopback` address space."#, Some("LocalNetworkAccessPermissionDenied"), None),
    ("lna-public-redirect-to-loopback", "firefox", r#"Local Network Access permission required: top-level site “{origin}/”, initiator “{origin}/”, attempting to access target “{hop1}” (127.0.0.1:8081) via fetch. Secure context: True"#, None, None),
    ("lna-ff-blocking-off", "firefox", r#"Local Network Access detected: top-level site “{origin}/”, initiator “{origin}/”, accessing target “{url}” (127.0.0.1:8080) via fetch. Secure context: True, prompt action: (null)"#, None, None),
];

/// The frontier's placeholders, filled as a replay fills them.
fn fill(text: &str) -> String {
    substitute(text, "http://localhost:5050", "http://localhost:8080/start")
        .replace("{hop1}", "http://localhost:8081/end")
        .replace("{top_origin}", "http://localhost:5050")
        .replace("{uuid}", "{5c4e7f0a-1b2c-4d3e-9f8a-0b1c2d3e4f5a}")
}

#[wasm_bindgen_test(unsupported = test)]
fn every_frontier_console_line_parses_to_its_recording() {
    let mut failures = Vec::new();
    for (id, browser, line, cors_error, parameter) in FRONTIER {
        let line = fill(line);
        let parameter = parameter.map(fill);
        match parse_console_line(&line) {
            Ok(parsed) => {
                explained(&parsed, id, &mut failures);
                if (parsed.cors_error, parsed.failed_parameter.as_deref()) != (*cors_error, parameter.as_deref())
                    || parsed.browser.as_str() != *browser
                {
                    failures.push(format!(
                        "{id} [{browser}]: recorded ({cors_error:?}, {parameter:?}), parsed ({:?}, {:?}) as {}",
                        parsed.cors_error, parsed.failed_parameter, parsed.browser
                    ));
                }
            }
            Err(e) => failures.push(format!("{id} [{browser}]: {e}")),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[wasm_bindgen_test(unsupported = test)]
fn the_frontier_lines_give_their_urls_and_origins() {
    let parsed = parse_console_line(&fill(FRONTIER[0].2)).unwrap();
    assert_eq!(parsed.url.as_deref(), Some("http://localhost:8081/end"));
    assert_eq!(parsed.redirected_from.as_deref(), Some("http://localhost:8080/start"));
    assert_eq!(parsed.origin.as_deref(), Some("http://localhost:5050"));

    let lna = FRONTIER.iter().find(|l| l.3 == Some("LocalNetworkAccessPermissionDenied")).unwrap();
    let parsed = parse_console_line(&fill(lna.2)).unwrap();
    assert_eq!(parsed.detail.as_deref(), Some("loopback"));

    let security = FRONTIER.iter().find(|l| l.3 == Some("CheckSameOriginError")).unwrap();
    let parsed = parse_console_line(&fill(security.2)).unwrap();
    assert_eq!(parsed.origin.as_deref(), Some("null"));
    assert_eq!(parsed.url.as_deref(), Some("http://localhost:8080/start"));

    let required = FRONTIER.iter().find(|l| l.2.starts_with("Local Network Access permission required")).unwrap();
    let parsed = parse_console_line(&fill(required.2)).unwrap();
    assert_eq!(parsed.kind, LineKind::Info);
    assert_eq!(parsed.origin.as_deref(), Some("http://localhost:5050"));
    assert_eq!(parsed.url.as_deref(), Some("http://localhost:8080/start"));
}

const CHROMIUM_PUT: &str = "Access to fetch at 'https://api.example.com/items/7' from origin 'http://localhost:3000' has been blocked by CORS policy: Method PUT is not allowed by Access-Control-Allow-Methods in preflight response.";

#[wasm_bindgen_test(unsupported = test)]
fn what_people_paste_from_chromium() {
    // The console's copy: the source link first, the network line after, CRLF.
    let pasted = format!(
        "  (index):1 {CHROMIUM_PUT}\r\n(index):12  PUT https://api.example.com/items/7 net::ERR_FAILED\r\nUncaught (in promise) TypeError: Failed to fetch\r\n    at save ((index):12:5)\r\n"
    );
    let parsed = parse_console_line(&pasted).unwrap();
    assert_eq!(parsed.cors_error, Some("MethodDisallowedByPreflightResponse"));
    assert_eq!(parsed.failed_parameter.as_deref(), Some("PUT"));
    assert_eq!(parsed.url.as_deref(), Some("https://api.example.com/items/7"));
    assert_eq!(parsed.origin.as_deref(), Some("http://localhost:3000"));
    assert_eq!(parsed.method.as_deref(), Some("PUT"));
    assert_eq!(parsed.preflight, Some(true));
    assert_eq!(parsed.also, ["FailedToLoadResource"]);

    // The network line gives the status of an answer without ACAO.
    let pasted = "Access to fetch at 'http://localhost:8080/' from origin 'http://localhost:5050' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.\nGET http://localhost:8080/ net::ERR_FAILED 200 (OK)";
    let parsed = parse_console_line(pasted).unwrap();
    assert_eq!((parsed.cors_error, parsed.status, parsed.preflight), (Some("MissingAllowOriginHeader"), Some(200), Some(false)));

    // Smart quotes from a chat, an XMLHttpRequest (axios), older endings.
    let pasted = "Access to XMLHttpRequest at ‘https://api.example.com/me’ from origin ‘https://app.example.com’ has been blocked by CORS policy: The value of the ‘Access-Control-Allow-Origin’ header in the response must not be the wildcard ‘*’ when the request’s credentials mode is ‘include’. The credentials mode of requests initiated by the XMLHttpRequest is controlled by the withCredentials attribute.";
    let parsed = parse_console_line(pasted).unwrap();
    assert_eq!(parsed.cors_error, Some("WildcardOriginNotAllowed"));
    assert_eq!(parsed.initiator.as_deref(), Some("XMLHttpRequest"));
    assert_eq!(parsed.url.as_deref(), Some("https://api.example.com/me"));
    let older = "Access to fetch at 'https://api.example.com/' from origin 'http://localhost:3000' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource. If an opaque response serves your needs, set the request's mode to 'no-cors' to fetch the resource with CORS disabled.";
    assert_eq!(parse_console_line(older).unwrap().cors_error, Some("MissingAllowOriginHeader"));

    // A line broken in two: at a blank (a chat), anywhere (a terminal).
    for at in [88, 90] {
        let (a, b) = CHROMIUM_PUT.split_at(at);
        let parsed = parse_console_line(&format!("{a}\n{}", b.trim_start())).unwrap();
        assert_eq!(parsed.cors_error, Some("MethodDisallowedByPreflightResponse"));
    }

    // A page opened from a file.
    let file = "Access to fetch at 'file:///C:/app/data.json' from origin 'null' has been blocked by CORS policy: Cross origin requests are only supported for protocol schemes: chrome, chrome-extension, chrome-untrusted, data, http, https, isolated-app.";
    let parsed = parse_console_line(file).unwrap();
    assert_eq!((parsed.cors_error, parsed.origin.as_deref()), (Some("CorsDisabledScheme"), Some("null")));
}

#[wasm_bindgen_test(unsupported = test)]
fn what_people_paste_from_firefox() {
    // Straight quotes, as forums and MDN write them.
    let straight = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at https://api.example.com/items. (Reason: CORS header 'Access-Control-Allow-Origin' does not match 'https://www.example.com').";
    let parsed = parse_console_line(straight).unwrap();
    assert_eq!(parsed.cors_error, Some("CORSAllowOriginNotMatchingOrigin"));
    assert_eq!(parsed.failed_parameter.as_deref(), Some("https://www.example.com"));
    assert_eq!(parsed.origin, None);

    // Two lines, the link text, the page's error.
    let pasted = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:8080/data. (Reason: CORS preflight response did not succeed). Status code: 404. [Learn More]\nCross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:8080/data. (Reason: CORS request did not succeed). Status code: (null). [Learn More]\nTypeError: NetworkError when attempting to fetch resource.";
    let parsed = parse_console_line(pasted).unwrap();
    assert_eq!((parsed.cors_error, parsed.status, parsed.preflight), (Some("CORSPreflightDidNotSucceed"), Some(404), Some(true)));
    assert_eq!(parsed.also, ["CORSDidNotSucceed"]);
    assert!(parsed.mdn.as_deref().is_some_and(|m| m.ends_with("/CORSPreflightDidNotSucceed")));
}

#[wasm_bindgen_test(unsupported = test)]
fn malformed_input_gets_a_clean_error() {
    // A megabyte-long URL: refused before it is read.
    let huge = format!("Access to fetch at 'https://a.test/{}' from origin 'http://b.test' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.", "x".repeat(1 << 20));
    let e = parse_console_line(&huge).unwrap_err();
    assert_eq!(e.kind(), ConsoleErrorKind::TooLong);
    assert!(e.to_string().contains("64 KiB"), "{e}");
    // Just under the limit, a long URL is read.
    let long = huge.replacen(&"x".repeat((1 << 20) - (MAX_CONSOLE_LEN - 400)), "", 1);
    assert!(long.len() <= MAX_CONSOLE_LEN);
    assert_eq!(parse_console_line(&long).unwrap().cors_error, Some("MissingAllowOriginHeader"));

    let e = parse_console_line("Access to fetch at 'http://a.test/\0' from origin 'http://b.test'").unwrap_err();
    assert_eq!(e.kind(), ConsoleErrorKind::ControlCharacter);
    assert!(e.to_string().contains("NUL"), "{e}");

    for blank in ["", "   ", "\r\n\r\n"] {
        assert_eq!(parse_console_line(blank).unwrap_err().kind(), ConsoleErrorKind::Empty);
    }

    // Half a line: recognised as Chromium's, cut short.
    let e = parse_console_line("Access to fetch at 'http://a.test/x' from origin 'http://b.test' has been bl").unwrap_err();
    assert_eq!((e.kind(), e.browser()), (ConsoleErrorKind::Incomplete, Some(Browser::Chrome)));
    assert!(e.to_string().starts_with("a Chromium CORS line, but"), "{e}");
    let e = parse_console_line("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://a.test/x").unwrap_err();
    assert_eq!((e.kind(), e.browser()), (ConsoleErrorKind::Incomplete, Some(Browser::Firefox)));

    // A sentence nobody knows: what was recognised, and the sentence.
    let e = parse_console_line("Access to fetch at 'http://a.test/x' from origin 'http://b.test' has been blocked by CORS policy: The moon is full.").unwrap_err();
    assert_eq!(e.kind(), ConsoleErrorKind::UnknownSentence);
    assert_eq!((e.url(), e.origin()), (Some("http://a.test/x"), Some("http://b.test")));
    assert_eq!(
        e.to_string(),
        "a Chromium CORS line (fetch at 'http://a.test/x' from origin 'http://b.test'), but its sentence is not one CORS Lab knows: \"The moon is full.\""
    );
    let e = parse_console_line("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://a.test/x. (Reason: The moon is full).").unwrap_err();
    assert_eq!((e.kind(), e.browser()), (ConsoleErrorKind::UnknownSentence, Some(Browser::Firefox)));

    // Only the page's error.
    let e = parse_console_line("Uncaught (in promise) TypeError: Failed to fetch").unwrap_err();
    assert_eq!(e.kind(), ConsoleErrorKind::NotACorsLine);
    assert!(e.to_string().contains("only the page's error"), "{e}");
    let e = parse_console_line("hello world").unwrap_err();
    assert_eq!(e.kind(), ConsoleErrorKind::NotACorsLine);
    assert!(e.to_string().contains("\"hello world\""), "{e}");
}

/// Every failure in every stage, rendered by each browser with values that
/// hold quotes, spaces and the templates' own words, reads back.
#[wasm_bindgen_test(unsupported = test)]
fn awkward_values_read_back() {
    let values = [
        "",
        "*",
        "null",
        "http://a.test, http://b.test",
        "x' that is not equal to the supplied origin. Have the server send the header with a valid value.",
        "‘quoted’ and \"double\"",
        "). Status code: 200.",
    ];
    for value in values {
        for stage in [Stage::Preflight, Stage::Actual] {
            let failures = [
                Failure::AllowOrigin { stage, status: 200, lines: vec![value.to_owned()], credentials: true },
                Failure::AllowOrigin { stage, status: 500, lines: vec![value.to_owned(), "x".to_owned()], credentials: false },
                Failure::AllowCredentials { stage, value: Some(value.to_owned()) },
                Failure::AllowMethodsUnparsable { token: value.to_owned(), value: value.to_owned() },
                Failure::AllowHeadersUnparsable { token: value.to_owned(), value: value.to_owned() },
            ];
            for failure in &failures {
                let chromium = failure.chromium("http://a.test/x", "http://b.test");
                let parsed = parse_console_line(&chromium.console).unwrap_or_else(|e| panic!("{e}\n{}", chromium.console));
                assert_eq!((parsed.cors_error, &parsed.failed_parameter), (Some(chromium.name), &chromium.failed_parameter), "{}", chromium.console);
                let firefox = failure.firefox("http://a.test/x", "http://b.test/");
                let parsed = parse_console_line(&firefox.console).unwrap_or_else(|e| panic!("{e}\n{}", firefox.console));
                assert_eq!((parsed.cors_error, &parsed.failed_parameter), (Some(firefox.code), &firefox.failed_parameter), "{}", firefox.console);
            }
        }
    }
}

/// Properties over generated input (native only).
#[cfg(not(target_arch = "wasm32"))]
mod properties {
    use corslab::browsers::console::parse_console_line;
    use corslab::{Failure, Stage};
    use proptest::prelude::*;

    fn config(cases: u32) -> ProptestConfig {
        ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
    }

    /// Pieces of real lines, to get deep into the parsers.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("Access to fetch at '".to_owned()),
            Just("' from origin '".to_owned()),
            Just("' (redirected from '".to_owned()),
            Just("' has been blocked by CORS policy: ".to_owned()),
            Just("Response to preflight request doesn't pass access control check: ".to_owned()),
            Just("Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at ".to_owned()),
            Just(". (Reason: ".to_owned()),
            Just("). Status code: ".to_owned()),
            Just("Origin ".to_owned()),
            Just(" is not allowed by Access-Control-Allow-Origin. Status code: ".to_owned()),
            Just("Fetch API cannot load ".to_owned()),
            Just("‘".to_owned()),
            Just("’".to_owned()),
            Just("\n".to_owned()),
            "[a-z:/.' ]{0,12}",
            any::<String>(),
        ]
    }

    proptest! {
        #![proptest_config(config(1000))]

        #[test]
        fn no_input_makes_it_panic(pieces in proptest::collection::vec(piece(), 0..12)) {
            let text = pieces.concat();
            let _ = parse_console_line(&text);
        }

        #[test]
        fn a_header_not_allowed_reads_back(header in "[!#$%&'*+.^_`|~0-9A-Za-z-]{1,40}", preflight_status in 100u16..1000) {
            for failure in [
                Failure::HeaderNotAllowed { header: header.clone() },
                Failure::PreflightStatus { status: preflight_status },
                Failure::AllowOrigin { stage: Stage::Actual, status: preflight_status, lines: vec![], credentials: false },
            ] {
                let chromium = failure.chromium("https://api.test/p?q=1", "https://page.test");
                let parsed = parse_console_line(&chromium.console).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(parsed.cors_error, Some(chromium.name));
                prop_assert_eq!(parsed.failed_parameter, chromium.failed_parameter);
                let firefox = failure.firefox("https://api.test/p?q=1", "https://page.test/");
                let parsed = parse_console_line(&firefox.console).map_err(|e| TestCaseError::fail(e.to_string()))?;
                prop_assert_eq!(parsed.cors_error, Some(firefox.code));
                prop_assert_eq!(parsed.failed_parameter, firefox.failed_parameter);
            }
        }
    }
}
