//! `corslab explain-error` end to end, on console lines real browsers
//! printed (Chromium 156 against the companion server; Firefox 153.8 during
//! `corslab verify`, its URL and origin filled back in), and `corslab check
//! --from-fetch` with DevTools' "Copy as fetch" against a server made here.

#![allow(clippy::unwrap_used, clippy::panic, clippy::expect_used)]

use std::io::{BufRead as _, BufReader, Read as _, Write as _};
use std::net::TcpListener;
use std::process::{Command, Stdio};

/// Chromium 156, a page on :5059 fetching the companion server's `/` with
/// `PUT` and a JSON body.
const CHROMIUM_PREFLIGHT: &str = "Access to fetch at 'http://localhost:8089/' from origin 'http://localhost:5059' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.";

/// Chromium 156, the same page fetching `/allow/origin`.
const CHROMIUM_MISMATCH: &str = "Access to fetch at 'http://localhost:8089/allow/origin' from origin 'http://localhost:5059' has been blocked by CORS policy: The 'Access-Control-Allow-Origin' header has a value 'http://localhost:5050' that is not equal to the supplied origin. Have the server send the header with a valid value.";

/// Firefox 153.8, a PUT with `X-Request-Id` whose preflight allows no header.
const FIREFOX_HEADER: &str = "Cross-Origin Request Blocked: The Same Origin Policy disallows reading the remote resource at http://localhost:8080/items/7. (Reason: header ‘x-request-id’ is not allowed according to header ‘Access-Control-Allow-Headers’ from CORS preflight response).";

/// Firefox 153.8, `mode: "same-origin"` to another origin.
const FIREFOX_SAME_ORIGIN: &str =
    "Security Error: Content at http://localhost:5050/ may not load data from http://localhost:8080/data.";

struct Ran {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Ran {
    fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| panic!("{e}\nstdout: {}\nstderr: {}", self.stdout, self.stderr))
    }
}

fn corslab(args: &[&str], stdin: Option<&[u8]>) -> Ran {
    let mut child = Command::new(env!("CARGO_BIN_EXE_corslab"))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    if let Some(input) = stdin {
        let mut pipe = child.stdin.take().unwrap();
        let input = input.to_vec();
        // The command may stop reading early (over 1 MiB): a closed pipe is fine.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&input);
        });
    }
    let out = child.wait_with_output().unwrap();
    Ran {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn explain(line: &str) -> Ran {
    corslab(&["explain-error", line], None)
}

#[test]
fn a_chromium_preflight_line_is_explained() {
    let ran = explain(CHROMIUM_PREFLIGHT);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    let out = &ran.stdout;
    assert!(out.starts_with("Chromium (Chrome, Edge, Opera, Brave) error: PreflightMissingAllowOriginHeader\n"), "{out}");
    for expected in [
        "request URL:       http://localhost:8089/",
        "page origin:       http://localhost:5059",
        "about:             the preflight (OPTIONS) answer",
        "What the browser saw:",
        "Usual causes:",
        "nginx's `add_header`",
        "send `Access-Control-Allow-Origin: http://localhost:5059`",
        "corslab check http://localhost:8089/ --origin http://localhost:5059\n",
        "the request was preflighted: add its method (-X)",
    ] {
        assert!(out.contains(expected), "{expected:?} not in\n{out}");
    }

    let json = corslab(&["explain-error", CHROMIUM_PREFLIGHT, "--json"], None).json();
    assert_eq!(json["format"], "cors-console/1");
    assert_eq!(json["browser"], "chrome");
    assert_eq!(json["cors_error"], "PreflightMissingAllowOriginHeader");
    assert_eq!(json["failed_parameter"], serde_json::Value::Null);
    assert_eq!(json["url"], "http://localhost:8089/");
    assert_eq!(json["origin"], "http://localhost:5059");
    assert_eq!(json["preflight"], true);
    assert_eq!(json["status"], serde_json::Value::Null);
    assert_eq!(json["problem"], "no-allow-origin");
    assert!(json["explanation"].as_str().unwrap().contains("never sent the request itself"));
    assert!(json["causes"].as_array().unwrap().len() >= 4);
    assert_eq!(json["fix"][0]["change"]["header"], "Access-Control-Allow-Origin");
    assert_eq!(json["fix"][0]["change"]["value"], "http://localhost:5059");
    assert_eq!(json["fix"][0]["change"]["response"], "preflight");
    assert_eq!(json["check"], "corslab check http://localhost:8089/ --origin http://localhost:5059");
}

#[test]
fn chromium_names_the_value_it_refused() {
    let json = corslab(&["explain-error", CHROMIUM_MISMATCH, "--json"], None).json();
    assert_eq!(json["cors_error"], "AllowOriginMismatch");
    assert_eq!(json["failed_parameter"], "http://localhost:5050");
    assert_eq!(json["preflight"], false);
    assert_eq!(json["fix"][0]["change"]["now"], "http://localhost:5050");
    assert_eq!(json["fix"][0]["change"]["value"], "http://localhost:5059");
}

#[test]
fn a_firefox_line_without_the_origin() {
    let ran = explain(FIREFOX_HEADER);
    assert_eq!(ran.code, 0, "{}", ran.stderr);
    assert!(ran.stdout.starts_with("Firefox error: CORSMissingAllowHeaderFromPreflight\n"), "{}", ran.stdout);
    assert!(ran.stdout.contains("failed parameter:  x-request-id"), "{}", ran.stdout);
    assert!(ran.stdout.contains("page origin:       (the line does not say)"), "{}", ran.stdout);
    assert!(ran.stdout.contains("MDN:               https://developer.mozilla.org/en-US/docs/Web/HTTP/Guides/CORS/Errors/CORSMissingAllowHeaderFromPreflight"));
    assert!(
        ran.stdout.contains("corslab check http://localhost:8080/items/7 --origin '<page origin>' -H 'x-request-id: …' --browser firefox"),
        "{}",
        ran.stdout
    );
    let json = corslab(&["explain-error", FIREFOX_HEADER, "--json"], None).json();
    assert_eq!((json["browser"].as_str(), json["origin"].as_str()), (Some("firefox"), None));
    assert_eq!(json["failed_parameter"], "x-request-id");
    assert_eq!(json["fix"][0]["change"]["header"], "Access-Control-Allow-Headers");
    assert_eq!(json["fix"][0]["change"]["value"], "x-request-id");
}

#[test]
fn firefox_same_origin_security_error() {
    let json = corslab(&["explain-error", FIREFOX_SAME_ORIGIN, "--json"], None).json();
    assert_eq!(json["cors_error"], "CheckSameOriginError");
    assert_eq!(json["origin"], "http://localhost:5050");
    assert_eq!(json["page_url"], "http://localhost:5050/");
    assert_eq!(json["url"], "http://localhost:8080/data");
    assert_eq!(json["fix"][0]["change"], serde_json::Value::Null);
    assert!(json["fix"][0]["text"].as_str().unwrap().starts_with("nothing on the server"));
    assert_eq!(json["check"], "corslab check http://localhost:8080/data --origin http://localhost:5050 --mode same-origin --browser firefox");
}

#[test]
fn stdin_takes_what_the_console_copy_holds() {
    let paste = format!(
        "(index):1 {CHROMIUM_MISMATCH}\r\n(index):9  GET http://localhost:8089/allow/origin net::ERR_FAILED 200 (OK)\r\nUncaught (in promise) TypeError: Failed to fetch\r\n"
    );
    for args in [&["explain-error"][..], &["explain-error", "-", "--json"][..]] {
        let ran = corslab(args, Some(paste.as_bytes()));
        assert_eq!(ran.code, 0, "{}", ran.stderr);
        if args.contains(&"--json") {
            let json = ran.json();
            assert_eq!(json["status"], 200);
            assert_eq!(json["method"], "GET");
            assert_eq!(json["also"], serde_json::json!(["FailedToLoadResource"]));
        } else {
            assert!(ran.stdout.contains("status:            200"), "{}", ran.stdout);
        }
    }
    // Unquoted, the shell splits the line: put back together.
    let words: Vec<&str> = FIREFOX_SAME_ORIGIN.split(' ').collect();
    let mut args = vec!["explain-error"];
    args.extend(&words);
    assert_eq!(corslab(&args, None).code, 0);
}

#[test]
fn what_cannot_be_read_says_what_was_recognised() {
    let ran = explain("Access to fetch at 'http://a.test/x' from origin 'http://b.test' has been blocked by CORS policy: The moon is full.");
    assert_eq!(ran.code, 1);
    assert!(ran.stdout.is_empty());
    assert_eq!(
        ran.stderr.trim_end(),
        "corslab explain-error: a Chromium CORS line (fetch at 'http://a.test/x' from origin 'http://b.test'), but its sentence is not one CORS Lab knows: \"The moon is full.\""
    );
    let ran = corslab(&["explain-error", "--json", "Uncaught (in promise) TypeError: Failed to fetch"], None);
    assert_eq!(ran.code, 1);
    let json = ran.json();
    assert_eq!(json["format"], "cors-console/1");
    assert_eq!(json["error"]["kind"], "not-a-cors-line");
    assert!(json["error"]["message"].as_str().unwrap().contains("only the page's error"), "{json}");

    // A control character is refused, never echoed to the terminal.
    let ran = explain("Access to fetch at 'http://a.test/\u{1b}[2J' from origin 'x'");
    assert_eq!(ran.code, 1);
    assert!(!ran.stderr.contains('\u{1b}'), "{:?}", ran.stderr);

    // A megabyte-long URL: a clear error, at once.
    let huge = format!("Access to fetch at 'https://a.test/{}' from origin 'http://b.test' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.", "x".repeat(1 << 20));
    let ran = corslab(&["explain-error"], Some(huge.as_bytes()));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("longer than"), "{}", ran.stderr);
    let ran = corslab(&["explain-error", "-"], Some(&vec![b'a'; (1 << 20) + 10]));
    assert_eq!(ran.code, 1, "{}", ran.stderr);
    assert!(ran.stderr.contains("longer than 1 MiB"), "{}", ran.stderr);
}

#[test]
fn usage_errors() {
    assert_eq!(corslab(&["explain-error", "--frobnicate", "x"], None).code, 2);
    assert_eq!(corslab(&["explain-error", "-", CHROMIUM_MISMATCH], Some(b"")).code, 2);
    let ran = corslab(&["explain-error", "--help"], None);
    assert_eq!(ran.code, 0);
    assert!(ran.stdout.starts_with("usage: corslab explain-error"));
    // Empty stdin: nothing to read.
    let ran = corslab(&["explain-error"], Some(b"\n\n"));
    assert_eq!(ran.code, 1);
    assert!(ran.stderr.contains("no console line"), "{}", ran.stderr);
}

/// A server that allows `http://localhost:5050` with PUT and
/// `content-type`, `x-request-id`; one request per connection.
fn cors_server() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut head = Vec::new();
            let mut length = 0;
            loop {
                let mut line = String::new();
                if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
                    break;
                }
                if let Some(v) = line.to_ascii_lowercase().strip_prefix("content-length:") {
                    length = v.trim().parse().unwrap_or(0);
                }
                head.push(line);
            }
            let mut body = vec![0; length];
            let _ = reader.read_exact(&mut body);
            let origin = head.iter().find_map(|l| {
                let (name, value) = l.split_once(':')?;
                name.eq_ignore_ascii_case("origin").then(|| value.trim().to_owned())
            });
            let allow = match origin.as_deref() {
                Some("http://localhost:5050") => "Access-Control-Allow-Origin: http://localhost:5050\r\nVary: Origin\r\n",
                _ => "Vary: Origin\r\n",
            };
            let response = if head.first().is_some_and(|l| l.starts_with("OPTIONS")) {
                format!("HTTP/1.1 204 No Content\r\n{allow}Access-Control-Allow-Methods: PUT\r\nAccess-Control-Allow-Headers: content-type, x-request-id\r\nConnection: close\r\n\r\n")
            } else {
                format!("HTTP/1.1 200 OK\r\n{allow}Content-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok")
            };
            let _ = stream.write_all(response.as_bytes());
        }
    });
    port
}

#[test]
fn check_takes_a_copy_as_fetch() {
    let port = cors_server();
    // Chromium 156's "Copy as fetch" of a preflighted PUT from a page on :5050.
    let copy = format!(
        "fetch(\"http://127.0.0.1:{port}/data\", {{\n  \"headers\": {{\n    \"accept\": \"*/*\",\n    \"accept-language\": \"en-US,en;q=0.9\",\n    \"content-type\": \"application/json\",\n    \"x-request-id\": \"42\"\n  }},\n  \"referrer\": \"http://localhost:5050/\",\n  \"body\": \"{{\\\"a\\\":1}}\",\n  \"method\": \"PUT\",\n  \"mode\": \"cors\",\n  \"credentials\": \"omit\"\n}});"
    );
    let ran = corslab(&["check", "--from-fetch", &copy, "--json"], None);
    assert_eq!(ran.code, 0, "{}\n{}", ran.stdout, ran.stderr);
    let json = ran.json();
    assert_eq!(json["origin"], "http://localhost:5050");
    assert_eq!(json["request"]["method"], "PUT");
    assert_eq!(json["request"]["body"], "{\"a\":1}");
    assert_eq!(json["request"]["headers"], serde_json::json!([["content-type", "application/json"], ["x-request-id", "42"]]));
    assert_eq!(json["browsers"]["chrome"]["preflight"], true);
    // What fetch() could not have set (or DevTools' defaults) is named.
    assert!(ran.stderr.contains("left out accept-language"), "{}", ran.stderr);

    // Firefox's copy of the same request, from another origin: blocked.
    let copy = format!(
        "await fetch(\"http://127.0.0.1:{port}/data\", {{\n    \"credentials\": \"omit\",\n    \"headers\": {{\n        \"User-Agent\": \"Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0\",\n        \"Content-Type\": \"application/json\",\n        \"Sec-Fetch-Mode\": \"cors\"\n    }},\n    \"referrer\": \"http://localhost:3000/\",\n    \"body\": \"{{}}\",\n    \"method\": \"PUT\",\n    \"mode\": \"cors\"\n}});"
    );
    let ran = corslab(&["check", "--from-fetch", &copy, "--json"], None);
    assert_eq!(ran.code, 1, "{}\n{}", ran.stdout, ran.stderr);
    let json = ran.json();
    assert_eq!(json["origin"], "http://localhost:3000");
    assert!(json["browsers"]["firefox"].is_object(), "{json}");

    // A broken copy is a usage error naming what is wrong; so are two copies.
    let ran = corslab(&["check", "--from-fetch", "fetch(\"http://a.test/\", {\"mehtod\": \"PUT\"})"], None);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
    assert!(ran.stderr.starts_with("corslab check: --from-fetch: fetch() has no such option: \"mehtod\""), "{}", ran.stderr);
    let ran = corslab(&["check", "--from-fetch", "fetch(\"http://a.test/\")", "--from-curl", "curl http://a.test/"], None);
    assert_eq!(ran.code, 2, "{}", ran.stderr);
}
