//! `corslab har`: every cross-origin `fetch()` and XHR of a HAR file judged
//! by the engine, with the answers the HAR recorded: blocked or not, why,
//! the console line, the fix, and what the HAR does not hold. The core
//! reads and judges (`corslab::formats::har`); this module reads flags,
//! streams the file through and prints as it goes, so a file of any size
//! goes through in bounded memory.
//!
//! ```text
//! corslab har FILE.har|- [--json] [--browser chrome|firefox|webkit|spec|all] [--to-scenarios OUT.json]
//! ```
//!
//! Exit status: 0 nothing blocked, 1 a request is blocked in a browser
//! judged, 2 a usage error, 3 the file cannot be read (missing, not a HAR,
//! broken or truncated JSON; what was read before the problem is still
//! reported).

use std::fmt::Write as _;
use std::io::{BufReader, BufWriter, Read, Write};
use std::process::ExitCode;

use corslab::Browser;
use corslab::fix::Fix;
use corslab::formats::har::{HAR_FORMAT, HarOptions, HarRequestReport, HarSource, HarStream, HarSummary, HarVerdict, scenario_file};

use crate::terminal::shown;

pub(crate) const USAGE: &str =
    "corslab har FILE.har|- [--json] [--browser chrome|firefox|webkit|spec|all] [--to-scenarios OUT.json]";

const BLOCKED: u8 = 1;
const USAGE_ERROR: u8 = 2;
const UNREADABLE: u8 = 3;

#[derive(Debug, Default)]
struct Flags {
    file: Option<String>,
    json: bool,
    browsers: Vec<Browser>,
    scenarios: Option<String>,
}

fn parse(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags::default();
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, attached) = match arg.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| attached.clone().or_else(|| args.next().cloned()).ok_or_else(|| format!("{name} needs a value"));
        match flag {
            "--json" => flags.json = true,
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
            "--to-scenarios" => flags.scenarios = Some(value("--to-scenarios")?),
            "-" if flags.file.is_none() => flags.file = Some("-".to_owned()),
            other if other.starts_with('-') => return Err(format!("unknown flag {other:?}")),
            path if flags.file.is_none() => flags.file = Some(path.to_owned()),
            extra => return Err(format!("unexpected argument {extra:?} (one HAR file at a time)")),
        }
    }
    if flags.file.is_none() {
        return Err("a HAR file is required (or - for stdin)".to_owned());
    }
    if flags.browsers.is_empty() {
        flags.browsers = Browser::ALL.to_vec();
    }
    Ok(flags)
}

/// Runs `corslab har`; prints the report and returns the exit status.
pub(crate) fn har_command(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!(
            "usage: {USAGE}\n\nJudges every cross-origin fetch()/XHR of a HAR 1.2 file (Chromium DevTools, Playwright, Firefox) with the answers it recorded.\nExit status: 0 nothing blocked, 1 something blocked, 2 usage error, 3 unreadable file."
        );
        return ExitCode::SUCCESS;
    }
    let flags = match parse(args) {
        Ok(flags) => flags,
        Err(message) => {
            eprintln!("corslab har: {message}\nusage: {USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let path = flags.file.clone().unwrap_or_default();
    let source: Box<dyn Read> = if path == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        match std::fs::File::open(&path) {
            Ok(file) => Box::new(file),
            Err(e) => {
                eprintln!("corslab har: {path}: {e}");
                return ExitCode::from(UNREADABLE);
            }
        }
    };
    let options = HarOptions { browsers: flags.browsers.clone(), scenarios: flags.scenarios.is_some() };
    let mut stream = match HarStream::new(BufReader::with_capacity(256 * 1024, source), options) {
        Ok(stream) => stream,
        Err(e) => {
            eprintln!("corslab har: {path}: {e}");
            return ExitCode::from(UNREADABLE);
        }
    };
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut printer = Printer { json: flags.json, first: true, path: &path };
    let mut scenarios = Vec::new();
    let mut left_out = 0usize;
    let mut error = None;
    let mut closed = printer.start(&mut out, stream.source()).is_err();
    for item in &mut stream {
        match item {
            Ok(mut report) => {
                if flags.scenarios.is_some() {
                    match report.scenario.take() {
                        Some(scenario) => scenarios.push(scenario),
                        None => left_out += 1,
                    }
                }
                if !closed {
                    closed = printer.request(&mut out, &report).is_err();
                }
            }
            Err(e) => error = Some(e.to_string()),
        }
    }
    let summary = stream.summary().clone();
    if !closed {
        let _ = printer.end(&mut out, stream.source(), &summary, error.as_deref());
    }
    let _ = out.flush();
    drop(out);
    if let Some(e) = &error {
        eprintln!("corslab har: {path}: {e}");
    }
    if let Some(target) = &flags.scenarios {
        let count = scenarios.len();
        let file = scenario_file(scenarios);
        let written = serde_json::to_string_pretty(&file)
            .map_err(|e| e.to_string())
            .and_then(|json| std::fs::write(target, json + "\n").map_err(|e| e.to_string()));
        match written {
            Ok(()) => eprintln!(
                "corslab har: wrote {count} scenario{} to {target}{}",
                if count == 1 { "" } else { "s" },
                if left_out > 0 { format!(" ({left_out} left out: the HAR holds no answer to them)") } else { String::new() }
            ),
            Err(e) => {
                eprintln!("corslab har: {target}: {e}");
                return ExitCode::from(UNREADABLE);
            }
        }
    }
    if error.is_some() {
        ExitCode::from(UNREADABLE)
    } else if summary.blocked > 0 {
        ExitCode::from(BLOCKED)
    } else {
        ExitCode::SUCCESS
    }
}

/// Writes the report as the requests come.
struct Printer<'a> {
    json: bool,
    first: bool,
    path: &'a str,
}

impl Printer<'_> {
    fn start(&mut self, out: &mut impl Write, source: &HarSource) -> std::io::Result<()> {
        if self.json {
            writeln!(out, "{{\n  \"format\": {},\n  \"requests\": [", json(&HAR_FORMAT))
        } else {
            let by = source.guess.map_or_else(|| "an unknown browser".to_owned(), |b| b.profile().name.to_owned());
            writeln!(
                out,
                "corslab har: {} ({} {}, {}; recorded by {by})",
                shown(self.path),
                shown(&source.creator.name),
                shown(&source.creator.version),
                source.exporter
            )
        }
    }

    fn request(&mut self, out: &mut impl Write, report: &HarRequestReport) -> std::io::Result<()> {
        if self.json {
            let text = serde_json::to_string_pretty(report).unwrap_or_else(|e| format!("{{\"error\": {}}}", json(&e.to_string())));
            let separator = if self.first { "" } else { ",\n" };
            self.first = false;
            write!(out, "{separator}{}", indent(&text, "    "))
        } else {
            out.write_all(human(report).as_bytes())
        }
    }

    fn end(&mut self, out: &mut impl Write, source: &HarSource, summary: &HarSummary, error: Option<&str>) -> std::io::Result<()> {
        if self.json {
            let newline = if self.first { "" } else { "\n" };
            write!(out, "{newline}  ],\n  \"source\": {},\n  \"summary\": {}", indent(&pretty(source), "  ").trim_start(), indent(&pretty(summary), "  ").trim_start())?;
            if let Some(error) = error {
                write!(out, ",\n  \"error\": {}", json(&error))?;
            }
            writeln!(out, "\n}}")
        } else {
            writeln!(out, "\n{}", summary_line(summary))
        }
    }
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

fn pretty<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_string_pretty(value).unwrap_or_default()
}

fn indent(text: &str, prefix: &str) -> String {
    text.lines().map(|l| format!("{prefix}{l}")).collect::<Vec<_>>().join("\n")
}

/// One request, for people.
fn human(report: &HarRequestReport) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "\nentry #{}: {} {}", report.entry, shown(&report.method), shown(&report.url));
    let recorded = &report.recorded;
    let what = match (recorded.status, &recorded.error) {
        (Some(status), Some(error)) => format!("status {status}, then {}", shown(error)),
        (Some(status), None) => format!("status {status}, {} header lines", recorded.response_headers),
        (None, Some(error)) => format!("no response, {}", shown(error)),
        (None, None) => "no response".to_owned(),
    };
    let preflight = match (report.preflight_entry, recorded.preflight_status) {
        (Some(i), Some(s)) => format!("entry #{i} ({s})"),
        (Some(i), None) => format!("entry #{i} (no answer)"),
        _ => "none in the HAR".to_owned(),
    };
    let _ = writeln!(out, "   page {} ({})", shown(&report.page_origin), report.origin_from.describe());
    let _ = writeln!(out, "   recorded: {what}; preflight: {preflight}");
    let call = &report.request;
    let mut call_line = format!("mode {} credentials {}", call.mode.as_str(), call.credentials.as_str());
    if !call.headers.is_empty() {
        let names: Vec<&str> = call.headers.iter().map(|(n, _)| n.as_str()).collect();
        let _ = write!(call_line, ", page headers {}", shown(&names.join(", ")));
    }
    if call.body {
        call_line.push_str(", a body");
    }
    let _ = writeln!(out, "   fetch(): {call_line}");
    for (browser, verdict) in &report.browsers {
        verdict_lines(&mut out, *browser, verdict);
    }
    if !report.fix.is_empty() {
        fix_lines(&mut out, &report.fix);
    }
    for line in &report.missing {
        let _ = writeln!(out, "   missing: {}", shown(line));
    }
    for line in &report.notes {
        let _ = writeln!(out, "   note: {}", shown(line));
    }
    out
}

fn verdict_lines(out: &mut String, browser: Browser, v: &HarVerdict) {
    let e = &v.expect;
    let mut line = match (e.outcome.as_str(), v.passed) {
        ("ok", _) => format!(
            "passes: status {}, type {}, the page reads {}",
            e.status.map_or("-".to_owned(), |s| s.to_string()),
            e.response_type.as_deref().unwrap_or("-"),
            if e.visible_headers.is_empty() { "no header".to_owned() } else { e.visible_headers.join(", ") }
        ),
        ("opaque", true) => "passes: an opaque response (no-cors: nothing is readable)".to_owned(),
        ("cors-error", _) if v.basis == "recorded-failure" => "BLOCKED (the HAR does not say why)".to_owned(),
        ("cors-error", _) => format!("BLOCKED ({})", e.cors_error.as_deref().unwrap_or("CORS error")),
        ("type-error", _) => "BLOCKED: fetch() throws a TypeError before sending anything".to_owned(),
        ("unknown", _) => format!("cannot tell: {}", v.reason.as_deref().unwrap_or("-")),
        (other, _) => format!("{other}: {}", v.reason.as_deref().unwrap_or("-")),
    };
    if e.preflight {
        line.push_str(" [preflighted]");
    }
    if v.basis == "inferred-preflight" {
        line.push_str(" [preflight inferred]");
    }
    let _ = writeln!(out, "   {:<8} {}", browser.as_str(), shown(&line));
    if let Some(parameter) = &e.failed_parameter {
        let _ = writeln!(out, "            failed parameter: {}", shown(parameter));
    }
    if let Some(console) = &e.console {
        let _ = writeln!(out, "            console: {}", shown(console));
    }
    for line in &v.unreadable {
        let _ = writeln!(out, "            note: answer header {:?} left out: {}", shown(&line.name), line.problem);
    }
}

fn fix_lines(out: &mut String, fix: &Fix) {
    if let Some(why) = &fix.not_on_the_server {
        let _ = writeln!(out, "   fix: nothing on the server: {why}");
        return;
    }
    for (i, change) in fix.changes.iter().enumerate() {
        let _ = writeln!(out, "   fix {}. {}", i + 1, shown(&change.describe()));
        let _ = writeln!(out, "          why: {}", change.why());
    }
}

fn summary_line(s: &HarSummary) -> String {
    let per: Vec<String> = s.blocked_in.iter().map(|(b, n)| format!("{b} {n}")).collect();
    let mut line = format!(
        "Summary: {} entries, {} requests, {} cross-origin, {} preflighted, {} blocked ({}), {} undecided",
        s.entries,
        s.requests,
        s.cross_origin,
        s.preflighted,
        s.blocked,
        per.join(", "),
        s.undecided
    );
    for (count, what) in [
        (s.origin_unknown, "without a page origin"),
        (s.unpaired_preflights, "preflights without their request"),
        (s.malformed, "malformed entries"),
    ] {
        if count > 0 {
            let _ = write!(line, ", {count} {what}");
        }
    }
    line
}
