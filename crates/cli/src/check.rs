//! `corslab check`: sends what a browser would send to a real server, and
//! says what each browser would do with the answers, why, and what to
//! change on the server. Every rule is the core's (its judge decides, its
//! fix says what to change, its audit reads the probes); this module reads
//! flags and prints.
//!
//! ```text
//! corslab check URL --origin ORIGIN [-X METHOD] [-H 'Name: value']... [--data BODY]
//!   [--mode cors|no-cors|same-origin] [--credentials omit|same-origin|include]
//!   [-b COOKIES] [-e PAGE-URL] [--browser chrome|firefox|spec|all] [--json] [--audit]
//!   [--cacert FILE] [--insecure] [--max-time SECONDS] [--from-curl 'curl …'] [--from-fetch 'fetch(…)']
//! ```
//!
//! Exit status: 0 every chosen browser gives the page what its mode can
//! give; 1 a browser blocks it; 2 a usage error; 3 a network failure; 4
//! (with `--audit`) it passes but a `high` or `critical` finding was raised.

use std::fmt::Write as _;
use std::process::ExitCode;
use std::time::Duration;

use corslab::diagnosis::audit::Severity;
use corslab::diagnosis::check::{BrowserCheck, CheckRequest};
use corslab::fetch::wire::{WireKind, WireRequest};
use corslab::fix::Fix;
use corslab::formats::check::CheckReport;
use corslab::{Browser, CredentialsMode, FetchCall, Origin, RequestMode};
use corslab_net::{CheckOptions, CheckRun, Client, ClientOptions};

use crate::explain::write_steps;
use crate::terminal::shown;

pub(crate) const USAGE: &str = "corslab check URL --origin ORIGIN [-X METHOD] [-H 'Name: value']... [--data BODY]
         [--mode cors|no-cors|same-origin] [--credentials omit|same-origin|include] [-b COOKIES]
         [-e PAGE-URL] [--browser chrome|firefox|spec|all] [--json] [--audit] [--cacert FILE] [--insecure]
         [--max-time SECONDS] [--from-curl 'curl …'] [--from-fetch 'fetch(…)'] [--fix express|fastapi|flask|django|nginx|axum]";

/// Exit statuses.
const BLOCKED: u8 = 1;
const USAGE_ERROR: u8 = 2;
const NETWORK: u8 = 3;
const AUDIT_FINDING: u8 = 4;

/// What the flags asked for.
#[derive(Debug, Default)]
struct Flags {
    url: Option<String>,
    origin: Option<String>,
    method: Option<String>,
    headers: Vec<(String, String)>,
    data: Option<String>,
    mode: Option<RequestMode>,
    credentials: Option<CredentialsMode>,
    cookies: Option<String>,
    referer: Option<String>,
    browsers: Vec<Browser>,
    json: bool,
    audit: bool,
    /// `--fix STACK`: the fix as that stack's configuration.
    fix: Option<corslab::fix::stacks::Stack>,
    client: ClientOptions,
}

/// Runs `corslab check`; prints the report and returns the exit status.
pub(crate) fn check_command(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: {USAGE}\n\nExit status: 0 passes in every browser checked, 1 blocked, 2 usage error, 3 network failure, 4 passes but --audit found a high or critical problem.");
        return ExitCode::SUCCESS;
    }
    let flags = match parse(args) {
        Ok(flags) => flags,
        Err(message) => {
            eprintln!("corslab check: {message}\n{USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let request = match request(&flags) {
        Ok(request) => request,
        Err(message) => {
            eprintln!("corslab check: {message}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let client = match Client::new(&flags.client) {
        Ok(client) => client,
        Err(e) => {
            eprintln!("corslab check: {e}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("corslab check: cannot start the runtime: {e}");
            return ExitCode::from(NETWORK);
        }
    };
    let options = CheckOptions { browsers: flags.browsers.clone(), audit: flags.audit };
    let run = match runtime.block_on(corslab_net::check(&client, &request, &options)) {
        Ok(run) => run,
        Err(e) => {
            eprintln!("corslab check: {}", shown(&e.to_string()));
            return ExitCode::from(NETWORK);
        }
    };
    for (probe, error) in &run.probe_errors {
        eprintln!("corslab check: audit probe not answered ({probe}): {}", shown(&error.to_string()));
    }
    let mut text = if flags.json {
        match serde_json::to_string_pretty(&run.report) {
            Ok(json) => json + "\n",
            Err(e) => {
                eprintln!("corslab check: {e}");
                return ExitCode::from(NETWORK);
            }
        }
    } else {
        human(&request, &run)
    };
    if let Some(stack) = flags.fix {
        // The JSON stays one document: the snippet goes to stderr then.
        let block = crate::fix::for_check(stack, &run.report, &request.call.url);
        if flags.json { eprint!("{block}") } else { text.push_str(&block) }
    }
    if let Err(e) = crate::write_stdout(&text) {
        eprintln!("corslab check: {e}");
    }
    ExitCode::from(status(&run.report))
}

/// The exit status a report comes to.
fn status(report: &CheckReport) -> u8 {
    if !report.passed {
        BLOCKED
    } else if report.findings.iter().any(|f| f.severity >= Severity::High) {
        AUDIT_FINDING
    } else {
        0
    }
}

fn parse(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags::default();
    let mut from_curl = None;
    let mut from_fetch = None;
    let mut data: Vec<String> = Vec::new();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        // `-XPUT`, `-HName: v`, `-bcookie` and `--flag=value` forms too.
        let (flag, attached) = split_flag(arg);
        let mut value = |name: &str| -> Result<String, String> {
            match &attached {
                Some(v) => Ok(v.clone()),
                None => args.next().cloned().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match flag {
            "--origin" => flags.origin = Some(value("--origin")?),
            "-X" | "--request" => flags.method = Some(value("-X")?),
            "-H" | "--header" => flags.headers.push(header(&value("-H")?)?),
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-ascii" => {
                let body = value(flag)?;
                if flag != "--data-raw" && body.starts_with('@') {
                    return Err(format!("{flag} {body:?}: reading the body from a file is not supported; pass the text"));
                }
                data.push(body);
            }
            "--mode" => {
                flags.mode = Some(match value("--mode")?.as_str() {
                    "cors" => RequestMode::Cors,
                    "no-cors" => RequestMode::NoCors,
                    "same-origin" => RequestMode::SameOrigin,
                    other => return Err(format!("--mode {other:?}: expected cors, no-cors or same-origin")),
                });
            }
            "--credentials" => {
                flags.credentials = Some(match value("--credentials")?.as_str() {
                    "omit" => CredentialsMode::Omit,
                    "same-origin" => CredentialsMode::SameOrigin,
                    "include" => CredentialsMode::Include,
                    other => return Err(format!("--credentials {other:?}: expected omit, same-origin or include")),
                });
            }
            "-b" | "--cookie" => {
                let cookies = value("-b")?;
                if !cookies.contains('=') {
                    return Err(format!("-b {cookies:?}: give the cookies as name=value pairs (reading a cookie file is not supported)"));
                }
                flags.cookies = Some(cookies);
            }
            "--browser" => {
                let name = value("--browser")?;
                if name == "all" {
                    flags.browsers = Browser::ALL.to_vec();
                } else {
                    for one in name.split(',') {
                        let browser: Browser = one.trim().parse().map_err(|e| format!("--browser: {e}"))?;
                        if !flags.browsers.contains(&browser) {
                            flags.browsers.push(browser);
                        }
                    }
                }
            }
            "-e" | "--referer" => flags.referer = Some(value("--referer")?),
            "--json" => flags.json = true,
            "--audit" => flags.audit = true,
            "--fix" => flags.fix = Some(value("--fix")?.parse().map_err(|e| format!("--fix: {e}"))?),
            "--cacert" => flags.client.cacert = Some(value("--cacert")?.into()),
            "-k" | "--insecure" => flags.client.insecure = true,
            "-m" | "--max-time" => {
                let raw = value("--max-time")?;
                let seconds: f64 = raw.parse().map_err(|_| format!("--max-time {raw:?}: not a number of seconds"))?;
                if !(0.1..=300.0).contains(&seconds) {
                    return Err(format!("--max-time {raw}: expected 0.1 to 300 seconds"));
                }
                flags.client.timeout = Duration::from_secs_f64(seconds);
            }
            "--from-curl" => from_curl = Some(value("--from-curl")?),
            "--from-fetch" => from_fetch = Some(value("--from-fetch")?),
            other if other.starts_with('-') && other.len() > 1 => return Err(format!("unknown flag {other:?}")),
            url if flags.url.is_none() => flags.url = Some(url.to_owned()),
            extra => return Err(format!("unexpected argument {extra:?} (one URL per check)")),
        }
    }
    if !data.is_empty() {
        // curl joins repeated data with `&`.
        flags.data = Some(data.join("&"));
    }
    // A DevTools copy, as cURL or as fetch: one way to apply either.
    let copied = match (from_curl, from_fetch) {
        (Some(_), Some(_)) => return Err("--from-curl and --from-fetch: give one copy".to_owned()),
        (Some(text), None) => {
            Some(corslab::formats::curl::CopiedRequest::parse(&text).map_err(|e| format!("--from-curl: {e}"))?)
        }
        (None, Some(text)) => {
            Some(corslab::formats::fetch_copy::parse_fetch_copy(&text).map_err(|e| format!("--from-fetch: {e}"))?)
        }
        (None, None) => None,
    };
    if let Some(copied) = &copied {
        apply_copy(&mut flags, copied);
    }
    if flags.browsers.is_empty() {
        flags.browsers.push(Browser::Chrome);
    }
    Ok(flags)
}

/// `-XPUT` → (`-X`, `PUT`); `--origin=x` → (`--origin`, `x`).
fn split_flag(arg: &str) -> (&str, Option<String>) {
    if let Some(rest) = arg.strip_prefix("--") {
        if let Some((name, value)) = rest.split_once('=') {
            return (&arg[..name.len() + 2], Some(value.to_owned()));
        }
        return (arg, None);
    }
    if arg.len() > 2 && arg.starts_with('-') && matches!(&arg[1..2], "X" | "H" | "d" | "b" | "m" | "e") {
        return (&arg[..2], Some(arg[2..].to_owned()));
    }
    (arg, None)
}

/// `Name: value` (curl's `Name;` is an empty value).
fn header(raw: &str) -> Result<(String, String), String> {
    if let Some(name) = raw.strip_suffix(';')
        && !name.contains(':')
    {
        return Ok((name.trim().to_owned(), String::new()));
    }
    let (name, value) =
        raw.split_once(':').ok_or_else(|| format!("-H {raw:?}: expected 'Name: value'"))?;
    if name.trim().is_empty() {
        return Err(format!("-H {raw:?}: the header has no name"));
    }
    Ok((name.trim().to_owned(), value.trim_start().to_owned()))
}

/// Fills in what a DevTools copy says ("Copy as cURL" or "Copy as fetch",
/// both read by the core into one `CopiedRequest`); flags given explicitly
/// win.
fn apply_copy(flags: &mut Flags, copied: &corslab::formats::curl::CopiedRequest) {
    // What fetch() could not have set, one line per reason.
    let mut reasons: Vec<(String, Vec<&str>)> = Vec::new();
    for dropped in &copied.dropped {
        let why = dropped.reason.describe();
        match reasons.iter_mut().find(|(w, _)| *w == why) {
            Some((_, names)) => names.push(&dropped.name),
            None => reasons.push((why, vec![&dropped.name])),
        }
    }
    for (why, names) in &reasons {
        eprintln!("corslab check: from the copy, left out {} ({why})", shown(&names.join(", ")));
    }
    for warning in &copied.warnings {
        eprintln!("corslab check: from the copy: {}", shown(&warning.to_string()));
    }
    if flags.url.is_none() {
        flags.url = Some(copied.url.clone());
    }
    if flags.method.is_none() {
        flags.method = Some(copied.method.clone());
    }
    if flags.headers.is_empty() {
        flags.headers.clone_from(&copied.headers);
    }
    if flags.data.is_none() {
        flags.data.clone_from(&copied.body);
    }
    if flags.origin.is_none() {
        flags.origin.clone_from(&copied.origin);
    }
    // The page's URL (a fetch copy's referrer, a Referer header), when it
    // is on the page's origin.
    if flags.referer.is_none() && flags.origin.is_some() && flags.origin == copied.origin {
        flags.referer.clone_from(&copied.page_url);
    }
    if flags.cookies.is_none() {
        flags.cookies.clone_from(&copied.cookies);
    }
    if flags.credentials.is_none() {
        flags.credentials = copied.credentials_hint;
    }
    if flags.mode.is_none() {
        flags.mode = copied.mode_hint;
    }
    if flags.browsers.is_empty()
        && let Some(browser) = copied.browser
    {
        flags.browsers.push(browser);
    }
}

/// The request to check, from the flags, with every value validated.
fn request(flags: &Flags) -> Result<CheckRequest, String> {
    let url = flags.url.clone().ok_or("a URL is required")?;
    let parsed = url::Url::parse(&url).map_err(|e| format!("URL {url:?}: {e}"))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(format!("URL {url:?}: only http and https URLs can be checked"));
    }
    // The page's URL (`-e`, curl's --referer) names its origin too.
    let page_url = match &flags.referer {
        Some(raw) => Some(url::Url::parse(raw).map_err(|e| format!("--referer {raw:?}: {e}"))?),
        None => None,
    };
    let from_url = page_url.as_ref().map(Origin::from_url);
    let page = match (flags.origin.as_deref(), from_url) {
        (Some(origin), from_url) => {
            let page = Origin::parse(origin).map_err(|e| format!("--origin {origin:?}: {e}"))?;
            if from_url.is_some_and(|o| o != page) {
                return Err(format!("--referer is a page on another origin than --origin {origin}"));
            }
            page
        }
        (None, Some(page)) => page,
        (None, None) => {
            return Err(
                "--origin is required: the origin of the page that makes the request (e.g. http://localhost:5050)".to_owned(),
            );
        }
    };
    // `--data` makes the method POST unless -X says otherwise (curl's rule).
    let method = flags.method.clone().unwrap_or_else(|| if flags.data.is_some() { "POST" } else { "GET" }.to_owned());
    let credentials = flags.credentials.unwrap_or_default();
    if flags.cookies.is_some() && credentials != CredentialsMode::Include {
        eprintln!(
            "corslab check: note: cookies go only with --credentials include (or to the page's own origin); the page's fetch() sends credentials: \"{}\"",
            credentials.as_str()
        );
    }
    Ok(CheckRequest {
        call: FetchCall {
            url: parsed.to_string(),
            method,
            headers: flags.headers.clone(),
            mode: flags.mode.unwrap_or_default(),
            credentials,
            body: flags.data.clone(),
        },
        page,
        cookies: flags.cookies.clone(),
        page_url: page_url.map(String::from),
    })
}

/// The report for people.
fn human(request: &CheckRequest, run: &CheckRun) -> String {
    let report = &run.report;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "corslab check: {} {} from the page origin {}",
        shown(&request.call.method),
        shown(&report.url),
        report.origin
    );
    if let Some(ip) = run.address {
        let _ = writeln!(out, "   (the host resolves to {ip})");
    }
    // The steps once, and again for a browser whose steps went otherwise.
    let shape = |steps: &[corslab::trace::Step]| steps.iter().map(|s| (s.id, s.verdict)).collect::<Vec<_>>();
    let mut shown_shapes: Vec<Vec<(&str, corslab::Verdict)>> = Vec::new();
    for (browser, steps) in &run.steps {
        if shown_shapes.contains(&shape(steps)) {
            continue;
        }
        shown_shapes.push(shape(steps));
        let _ = writeln!(out, "\nSteps ({}):", browser.profile().name);
        write_steps(&mut out, steps, "   ");
    }
    for (browser, result) in &report.browsers {
        let _ = writeln!(out, "\n━━ {}", browser.profile().name);
        for exchange in &result.exchanges {
            exchange_lines(&mut out, &exchange.request, &exchange.response);
        }
        verdict(&mut out, request, result);
    }
    let fix = &report.fix;
    if !report.passed {
        let _ = writeln!(out, "\nWhat to change on the server:");
        fix_lines(&mut out, fix);
    }
    if report.audited {
        let _ = writeln!(out, "\nAudit ({} finding{}):", report.findings.len(), if report.findings.len() == 1 { "" } else { "s" });
        if report.findings.is_empty() {
            let _ = writeln!(out, "   none: every probe origin was refused, and the answers are consistent");
        }
        for finding in &report.findings {
            let _ = writeln!(out, "   [{}] {}: {}", finding.severity, finding.id, shown(&finding.probe));
            let _ = writeln!(out, "       evidence: {}", shown(&finding.evidence));
            let _ = writeln!(out, "       fix: {}", finding.fix);
        }
    }
    let blocked: Vec<&str> = report.browsers.iter().filter(|(_, r)| !r.passed).map(|(b, _)| b.as_str()).collect();
    let _ = writeln!(
        out,
        "\n{}",
        if blocked.is_empty() {
            "Result: passes in every browser checked".to_owned()
        } else {
            format!("Result: blocked in {}", blocked.join(", "))
        }
    );
    out
}

fn exchange_lines(out: &mut String, request: &WireRequest, response: &corslab::fetch::wire::WireResponse) {
    let what = match request.kind {
        WireKind::Preflight => "preflight",
        WireKind::Request => "request",
    };
    let _ = writeln!(out, "   → {what}: {} {}", request.method, shown(&request.url));
    for (name, value) in &request.headers {
        let lower = name.to_ascii_lowercase();
        if lower == "origin" || lower.starts_with("access-control-") || lower == "cookie" {
            let value = if lower == "cookie" { "(the cookies given)".to_owned() } else { shown(value) };
            let _ = writeln!(out, "       {name}: {value}");
        }
    }
    let _ = writeln!(out, "   ← {} ({} body bytes)", response.status, response.body_bytes);
    for (name, value) in &response.headers {
        let _ = writeln!(out, "       {}: {}", shown(name), shown(value));
    }
}

fn verdict(out: &mut String, request: &CheckRequest, result: &BrowserCheck) {
    let e = &result.expect;
    let outcome = match (e.outcome.as_str(), result.passed) {
        ("ok", _) => "passes: fetch() resolves with a readable response".to_owned(),
        ("opaque", true) => "passes: fetch() resolves with an opaque response (no-cors: nothing is readable)".to_owned(),
        ("cors-error", _) => format!("BLOCKED ({})", e.cors_error.as_deref().unwrap_or("CORS error")),
        ("type-error", _) => "BLOCKED: fetch() throws a TypeError before sending anything".to_owned(),
        ("network-error", _) => "BLOCKED: a network error, not a CORS one".to_owned(),
        ("pending", _) => "PENDING: the browser waits for the user's permission (Local Network Access)".to_owned(),
        (other, _) => format!("cannot tell ({other}): {}", result.reason.as_deref().unwrap_or_default()),
    };
    let _ = writeln!(out, "   ⇒ {outcome}");
    if let Some(parameter) = &e.failed_parameter {
        let _ = writeln!(out, "     failed parameter: {}", shown(parameter));
    }
    if let Some(console) = &e.console {
        let _ = writeln!(out, "     console: {}", shown(console));
    }
    if matches!(e.outcome.as_str(), "ok" | "opaque") {
        let headers = if e.visible_headers.is_empty() { "(none)".to_owned() } else { e.visible_headers.join(", ") };
        let _ = writeln!(
            out,
            "     the page reads: status {}, type {}, headers {headers}",
            e.status.map_or("-".to_owned(), |s| s.to_string()),
            e.response_type.as_deref().unwrap_or("-"),
        );
    }
    for line in &result.unreadable {
        let _ = writeln!(out, "     note: answer header {:?} left out: {}", shown(&line.name), line.problem);
    }
    if request.call.mode == RequestMode::NoCors && e.outcome == "opaque" {
        let _ = writeln!(out, "     note: a no-cors response can never be read by the page; use mode cors to read it");
    }
}

fn fix_lines(out: &mut String, fix: &Fix) {
    if let Some(why) = &fix.not_on_the_server {
        let _ = writeln!(out, "   nothing: {why}");
        return;
    }
    if fix.changes.is_empty() {
        let _ = writeln!(out, "   (no change found: see the steps above)");
        return;
    }
    for (i, change) in fix.changes.iter().enumerate() {
        let _ = writeln!(out, "   {}. {}", i + 1, shown(&change.describe()));
        let _ = writeln!(out, "      why: {}", change.why());
    }
    if let Some(policy) = &fix.policy {
        let _ = writeln!(
            out,
            "   as a CORS middleware policy: origins {} methods {} headers {} credentials {}",
            policy.origins.join(", "),
            if policy.methods.is_empty() { "(safelisted only)".to_owned() } else { policy.methods.join(", ") },
            if policy.headers.is_empty() { "(none)".to_owned() } else { policy.headers.join(", ") },
            policy.credentials
        );
    }
}
