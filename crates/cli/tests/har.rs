//! `corslab har` as a user runs it: the report of a real HAR (JSON and
//! text), exit statuses, `--to-scenarios`, broken input, and a 50 MB HAR of
//! 10,000 entries going through in bounded memory.

// Helpers outside the #[test] functions panic too, with the input that failed.
#![allow(clippy::panic)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use corslab::Browser;
use corslab::formats::har::{HarOptions, read_report};
use corslab::formats::scenario::{ScenarioFile, predict};

fn corslab() -> Command {
    Command::new(env!("CARGO_BIN_EXE_corslab"))
}

fn testdata(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/testdata/har").join(name)
}

fn run(args: &[&str]) -> Output {
    corslab().args(args).output().unwrap_or_else(|e| panic!("corslab: {e}"))
}

fn temp(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("corslab-har-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("{e}"));
    dir.join(name)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn json_is_one_cors_har_document_with_the_cores_report() {
    let path = testdata("chromium-devtools.har");
    let output = run(&["har", path.to_str().unwrap_or_default(), "--json"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert_eq!(doc["format"], "cors-har/1");
    let requests = doc["requests"].as_array().cloned().unwrap_or_default();
    assert_eq!(requests.len(), 18);
    for request in &requests {
        for field in ["url", "method", "page_origin", "origin_from", "preflight", "browsers", "fix", "missing", "notes"] {
            assert!(request.get(field).is_some(), "no {field} in {request}");
        }
        for browser in Browser::ALL {
            let verdict = &request["browsers"][browser.as_str()];
            for field in ["outcome", "cors_error", "failed_parameter", "console", "status", "response_type", "visible_headers", "preflight", "passed", "fix", "basis"] {
                assert!(verdict.get(field).is_some(), "no {browser}.{field} in {request}");
            }
        }
    }
    assert_eq!(doc["summary"]["blocked"], 9);
    assert_eq!(doc["source"]["exporter"], "chromium-devtools");
    // The streamed document is the core's report, value for value.
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let core = serde_json::to_value(read_report(text.as_bytes(), &HarOptions::default())).unwrap_or_default();
    assert_eq!(doc, core);
}

#[test]
fn text_report_says_blocked_why_the_console_line_the_fix_and_the_summary() {
    let output = run(&["har", testdata("chromium-devtools.har").to_str().unwrap_or_default(), "--browser", "chrome"]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let text = String::from_utf8_lossy(&output.stdout);
    for needle in [
        "chrome   BLOCKED (MissingAllowOriginHeader)",
        "console: Access to fetch at 'http://localhost:18570/replay/",
        "fix 1. in the response, send `Access-Control-Allow-Origin: http://localhost:18571` (now: absent)",
        "chrome   BLOCKED (PreflightMissingAllowOriginHeader) [preflighted]",
        "credentials: the HAR holds no Cookie header",
        "Summary: 30 entries, 18 requests, 18 cross-origin, 11 preflighted, 9 blocked (chrome 9), 0 undecided",
    ] {
        assert!(text.contains(needle), "missing {needle:?} in\n{text}");
    }
    let output = run(&["har", testdata("chromium-playwright.har").to_str().unwrap_or_default(), "--browser", "chrome"]);
    let text = String::from_utf8_lossy(&output.stdout);
    assert!(text.contains("BLOCKED (the HAR does not say why)"), "{text}");
    assert!(text.contains("missing: the HAR holds no response headers for this request"), "{text}");
    assert!(text.contains("[preflight inferred]"), "{text}");
}

#[test]
fn nothing_blocked_exits_0_and_stdin_works() {
    let har = r#"{"log": {"creator": {"name": "WebInspector", "version": "537.36"}, "entries": [{"_resourceType": "fetch",
      "startedDateTime": "2026-01-01T00:00:00.000Z",
      "request": {"method": "GET", "url": "http://api.test/x", "headers": [{"name": "Origin", "value": "http://app.test"}, {"name": "Sec-Fetch-Mode", "value": "cors"}]},
      "response": {"status": 200, "headers": [{"name": "Access-Control-Allow-Origin", "value": "*"}], "_error": null}}]}}"#;
    let mut child = corslab()
        .args(["har", "-", "--browser", "chrome,firefox"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    if let Some(mut stdin) = child.stdin.take() {
        stdin.write_all(har.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    }
    let output = child.wait_with_output().unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(output.status.code(), Some(0), "{}", stderr(&output));
    assert!(String::from_utf8_lossy(&output.stdout).contains("0 blocked (chrome 0, firefox 0)"));
}

#[test]
fn to_scenarios_writes_replayable_scenarios_that_predict_what_the_har_shows() {
    let out = temp("devtools.scenarios.json");
    let path = testdata("chromium-devtools.har");
    let output = run(&["har", path.to_str().unwrap_or_default(), "--browser", "chrome", "--to-scenarios", out.to_str().unwrap_or_default()]);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(stderr(&output).contains("wrote 13 scenarios to "), "{}", stderr(&output));
    assert!(stderr(&output).contains("(5 left out: the HAR holds no answer to them)"), "{}", stderr(&output));
    let file = ScenarioFile::parse(&std::fs::read_to_string(&out).unwrap_or_default()).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read_to_string(&path).unwrap_or_default();
    let report = read_report(text.as_bytes(), &HarOptions { browsers: vec![Browser::Chrome], scenarios: false });
    for scenario in &file.scenarios {
        assert!(scenario.expect.is_empty());
        let index: usize = scenario.id.rsplit('-').next().and_then(|n| n.parse().ok()).unwrap_or(usize::MAX);
        let request = report.requests.iter().find(|r| r.entry == index).unwrap_or_else(|| panic!("{}", scenario.id));
        let judged = &request.browsers.get(&Browser::Chrome).expect("a verdict for each browser judged").expect;
        let predicted = predict(scenario, Browser::Chrome).expect;
        assert_eq!((&predicted.outcome, &predicted.cors_error), (&judged.outcome, &judged.cors_error), "{}", scenario.id);
        assert_eq!(predicted.visible_headers, judged.visible_headers, "{}", scenario.id);
    }
}

#[test]
fn broken_input_is_a_clear_error_never_a_panic() {
    let whole = std::fs::read(testdata("chromium-devtools.har")).unwrap_or_default();
    let cut = temp("truncated.har");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap_or_else(|e| panic!("{e}"));
    let output = run(&["har", cut.to_str().unwrap_or_default(), "--json"]);
    assert_eq!(output.status.code(), Some(3));
    assert!(stderr(&output).contains("the JSON ends early at byte"), "{}", stderr(&output));
    // The requests read before the cut are reported, in a valid document.
    let doc: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap_or_else(|e| panic!("not JSON: {e}"));
    assert!(doc["error"].as_str().is_some_and(|e| e.contains("ends early")));
    assert!(!doc["requests"].as_array().is_none_or(Vec::is_empty));

    for (name, content) in [("empty.har", ""), ("array.har", "[]"), ("nolog.har", r#"{"version": 1}"#), ("garbage.har", "\u{1b}[2J not json")] {
        let path = temp(name);
        std::fs::write(&path, content).unwrap_or_else(|e| panic!("{e}"));
        let output = run(&["har", path.to_str().unwrap_or_default()]);
        assert_eq!(output.status.code(), Some(3), "{name}");
        let err = stderr(&output);
        assert!(!err.contains("panicked") && err.starts_with("corslab har: "), "{name}: {err}");
    }
    let output = run(&["har", "/no/such/file.har"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(run(&["har"]).status.code(), Some(2));
    assert_eq!(run(&["har", "a.har", "--browser", "opera"]).status.code(), Some(2));
    assert_eq!(run(&["har", "a.har", "--bogus"]).status.code(), Some(2));
}

/// Writes a HAR of `count` entries of about 5 KB each (a 3 KB response body
/// the reader must skip, a dozen header lines): as in a real page's HAR,
/// most are the page's own resources; every fifth is a cross-origin fetch,
/// alternately blocked and passing, every other one of them a preflighted
/// PUT with its preflight entry.
fn big_har(path: &Path, count: usize) -> u64 {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{e}"));
    let mut out = std::io::BufWriter::new(file);
    let body = "x".repeat(3000);
    let browser_headers = [
        ("Accept", "*/*"),
        ("Accept-Encoding", "gzip, deflate, br, zstd"),
        ("Accept-Language", "en-US,en;q=0.9"),
        ("Connection", "keep-alive"),
        ("Referer", "http://app.test/"),
        ("Sec-Fetch-Dest", "empty"),
        ("Sec-Fetch-Site", "cross-site"),
        ("User-Agent", "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36"),
        ("sec-ch-ua", "\"Chromium\";v=\"156\""),
        ("sec-ch-ua-mobile", "?0"),
        ("sec-ch-ua-platform", "\"Linux\""),
    ];
    let request_headers = browser_headers
        .iter()
        .map(|(n, v)| format!(r#"{{"name": "{n}", "value": {}}}"#, serde_json::Value::from(*v)))
        .collect::<Vec<_>>()
        .join(", ");
    let fillers = (0..12).map(|i| format!(r#"{{"name": "X-Filler-{i}", "value": "{}"}}"#, "v".repeat(60))).collect::<Vec<_>>().join(", ");
    let _ = write!(out, r#"{{"log": {{"version": "1.2", "creator": {{"name": "WebInspector", "version": "537.36"}}, "pages": [{{"id": "page_1", "title": "http://app.test/"}}], "entries": ["#);
    for i in 0..count {
        let ms = i * 10;
        let time = format!("2026-01-01T00:{:02}:{:02}.{:03}Z", ms / 60_000 % 60, ms / 1000 % 60, ms % 1000);
        if i > 0 {
            let _ = write!(out, ",");
        }
        if i % 5 != 0 {
            let _ = write!(
                out,
                r#"{{"_resourceType": "image", "startedDateTime": "{time}", "pageref": "page_1", "request": {{"method": "GET", "url": "http://app.test/img/{i}.png", "headers": [{request_headers}]}},
                  "response": {{"status": 200, "headers": [{{"name": "Content-Type", "value": "image/png"}}, {fillers}], "content": {{"size": 3000, "mimeType": "image/png", "text": "{body}"}}, "_error": null}}}}"#
            );
            continue;
        }
        let url = format!("http://api.test/items/{i}");
        let passes = i % 10 == 0;
        let acao = if passes { r#"{"name": "Access-Control-Allow-Origin", "value": "http://app.test"}, "# } else { "" };
        let error = if passes { "null" } else { r#""net::ERR_FAILED""# };
        let preflighted = i % 20 == 0 || i % 20 == 5;
        let method = if preflighted { "PUT" } else { "GET" };
        let _ = write!(
            out,
            r#"{{"_resourceType": "fetch", "startedDateTime": "{time}", "pageref": "page_1", "request": {{"method": "{method}", "url": "{url}", "headers": [{{"name": "Origin", "value": "http://app.test"}}, {{"name": "Sec-Fetch-Mode", "value": "cors"}}, {request_headers}]}},
              "response": {{"status": 200, "headers": [{acao}{{"name": "Content-Type", "value": "text/plain"}}, {fillers}], "content": {{"size": 3000, "mimeType": "text/plain", "text": "{body}"}}, "_error": {error}}}}}"#
        );
        if preflighted {
            let _ = write!(
                out,
                r#",{{"_resourceType": "preflight", "startedDateTime": "{time}", "request": {{"method": "OPTIONS", "url": "{url}", "headers": [{{"name": "Origin", "value": "http://app.test"}}, {{"name": "Access-Control-Request-Method", "value": "PUT"}}]}},
                  "response": {{"status": 204, "headers": [{{"name": "Access-Control-Allow-Origin", "value": "http://app.test"}}, {{"name": "Access-Control-Allow-Methods", "value": "PUT"}}], "content": {{"size": 0, "mimeType": "x-unknown"}}, "_error": null}}}}"#
            );
        }
    }
    let _ = write!(out, "]}}}}");
    let _ = out.flush();
    drop(out);
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// Peak resident memory of `corslab har FILE --json` in KiB, from
/// `/usr/bin/time -v`'s "Maximum resident set size", or else by polling
/// `/proc/PID/status` (VmHWM) until it exits.
fn peak_rss_kib(file: &Path) -> (u64, Option<i32>) {
    if Path::new("/usr/bin/time").exists() {
        let output = Command::new("/usr/bin/time")
            .arg("-v")
            .arg(env!("CARGO_BIN_EXE_corslab"))
            .args(["har", file.to_str().unwrap_or_default(), "--json"])
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .output()
            .unwrap_or_else(|e| panic!("{e}"));
        let err = stderr(&output);
        let peak = err
            .lines()
            .find_map(|l| l.trim().strip_prefix("Maximum resident set size (kbytes):"))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or_else(|| panic!("no peak in {err}"));
        // time exits with the command's status.
        return (peak, output.status.code());
    }
    let mut child = corslab()
        .args(["har", file.to_str().unwrap_or_default(), "--json"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap_or_else(|e| panic!("{e}"));
    let status_file = format!("/proc/{}/status", child.id());
    let mut peak = 0;
    loop {
        if let Ok(status) = std::fs::read_to_string(&status_file)
            && let Some(kib) = status.lines().find_map(|l| l.strip_prefix("VmHWM:")).and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        {
            peak = peak.max(kib);
        }
        if let Ok(Some(status)) = child.try_wait() {
            return (peak, status.code());
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
}

/// The bound: 64 MiB for a 50 MB file (the reader holds one entry, the
/// pairing at most 256 waiting requests, the output streams).
const PEAK_BOUND_KIB: u64 = 64 * 1024;

#[test]
fn a_50_mb_har_of_10000_entries_streams_in_bounded_memory() {
    let path = temp("big.har");
    let size = big_har(&path, 10_000);
    assert!(size > 50_000_000, "only {size} bytes");
    let started = std::time::Instant::now();
    let (peak, code) = peak_rss_kib(&path);
    let elapsed = started.elapsed();
    eprintln!("corslab har on a {:.1} MB HAR of 10,000 entries: peak RSS {:.1} MiB, {:.1} s", size as f64 / 1e6, peak as f64 / 1024.0, elapsed.as_secs_f64());
    assert_eq!(code, Some(1), "half of the cross-origin requests are blocked");
    assert!(peak < PEAK_BOUND_KIB, "peak RSS {peak} KiB over the {PEAK_BOUND_KIB} KiB bound");
    let _ = std::fs::remove_file(&path);
}
