//! `corslab explain-error`: a console line the developer already has, read
//! back and explained: the browser, the error, what the browser saw, the
//! usual causes, what to change on the server, and the `corslab check`
//! command that would confirm it. Every rule is the core's
//! (`browsers::console` reads, `diagnosis::console` explains); this module
//! reads flags and prints.
//!
//! ```text
//! corslab explain-error 'LINE' [--json]
//! corslab explain-error [-] [--json] < lines.txt
//! ```
//!
//! Exit status: 0 the line was read; 1 it was not (the answer says what was
//! recognised); 2 a usage error.

use std::fmt::Write as _;
use std::io::{IsTerminal as _, Read as _};
use std::process::ExitCode;

use corslab::browsers::console::{LineKind, parse_console_line};
use corslab::diagnosis::console::{ConsoleReport, FORMAT};

use crate::terminal::shown;

pub(crate) const USAGE: &str = "corslab explain-error 'LINE' [--json]   (or the lines on stdin: corslab explain-error [-] [--json])";

/// The most read from stdin (1 MiB); the core reads 64 KiB of it at most.
const MAX_STDIN: u64 = 1 << 20;

const NOT_RECOGNISED: u8 = 1;
const USAGE_ERROR: u8 = 2;

/// The widest a paragraph is wrapped to.
const WIDTH: usize = 96;

/// Runs `corslab explain-error`.
pub(crate) fn explain_error_command(args: &[String]) -> ExitCode {
    let mut json = false;
    let mut words: Vec<&str> = Vec::new();
    for arg in args {
        match arg.as_str() {
            "-h" | "--help" => {
                println!("usage: {USAGE}\n\nPaste a CORS line from the browser's console (Chromium, Firefox or Safari); quote it, or give it on stdin.\nExit status: 0 read and explained, 1 not recognised, 2 usage error.");
                return ExitCode::SUCCESS;
            }
            "--json" => json = true,
            "-" => words.push("-"),
            flag if flag.starts_with("--") || (flag.starts_with('-') && flag.len() == 2) => {
                eprintln!("corslab explain-error: unknown flag {:?}\nusage: {USAGE}", shown(flag));
                return ExitCode::from(USAGE_ERROR);
            }
            word => words.push(word),
        }
    }
    let text = match words.as_slice() {
        [] | ["-"] => match read_stdin() {
            Ok(text) => text,
            Err(message) => {
                eprintln!("corslab explain-error: {message}");
                return ExitCode::from(if message.contains("1 MiB") { NOT_RECOGNISED } else { USAGE_ERROR });
            }
        },
        _ if words.contains(&"-") => {
            eprintln!("corslab explain-error: give the line as an argument or on stdin (-), not both\nusage: {USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
        // Unquoted, the shell split the line into words: put them back.
        _ => words.join(" "),
    };
    let split_by_shell = words.len() > 1;

    match parse_console_line(&text) {
        Ok(parsed) => {
            let report = ConsoleReport::new(parsed);
            let out = if json {
                match serde_json::to_string_pretty(&report) {
                    Ok(json) => json + "\n",
                    Err(e) => {
                        eprintln!("corslab explain-error: {e}");
                        return ExitCode::from(USAGE_ERROR);
                    }
                }
            } else {
                human(&report)
            };
            if let Err(e) = crate::write_stdout(&out) {
                eprintln!("corslab explain-error: {e}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let hint = if split_by_shell {
                "\n(the line came as several arguments: quote it in double quotes, or paste it on stdin: corslab explain-error -)"
            } else {
                ""
            };
            if json {
                let document = serde_json::json!({
                    "format": FORMAT,
                    "error": {
                        "kind": e.kind(),
                        "message": e.to_string(),
                        "browser": e.browser(),
                        "recognised": e.recognised(),
                        "url": e.url(),
                        "origin": e.origin(),
                        "excerpt": e.excerpt(),
                    }
                });
                let out = serde_json::to_string_pretty(&document).unwrap_or_default() + "\n";
                if let Err(e) = crate::write_stdout(&out) {
                    eprintln!("corslab explain-error: {e}");
                }
            }
            eprintln!("corslab explain-error: {}{hint}", shown(&e.to_string()));
            ExitCode::from(NOT_RECOGNISED)
        }
    }
}

/// Stdin, at most [`MAX_STDIN`] bytes, invalid UTF-8 replaced.
fn read_stdin() -> Result<String, String> {
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("corslab explain-error: paste the console line, then Ctrl-D");
    }
    let mut bytes = Vec::new();
    stdin.lock().take(MAX_STDIN + 1).read_to_end(&mut bytes).map_err(|e| format!("stdin: {e}"))?;
    if bytes.len() as u64 > MAX_STDIN {
        return Err("the input is longer than 1 MiB: paste the console line alone".to_owned());
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// The explanation for people.
fn human(report: &ConsoleReport) -> String {
    let (p, e) = (&report.parsed, &report.explained);
    let mut out = String::new();
    let browser = match p.browser.as_str() {
        "chrome" => "Chromium (Chrome, Edge, Opera, Brave)",
        "firefox" => "Firefox",
        "webkit" => "Safari (WebKit)",
        other => other,
    };
    let what = match p.kind {
        LineKind::Error => "error",
        LineKind::Warning => "warning",
        LineKind::Info => "notice",
        LineKind::Generic => "network line",
    };
    let _ = writeln!(out, "{browser} {what}: {}", p.cors_error.unwrap_or(p.name));
    let mut field = |name: &str, value: Option<String>| {
        if let Some(value) = value {
            let _ = writeln!(out, "   {name:<19}{}", shown(&value));
        }
    };
    field("failed parameter:", Some(p.failed_parameter.clone().unwrap_or_else(|| "(none)".to_owned())));
    field("request URL:", p.url.clone());
    field("redirected from:", p.redirected_from.clone());
    field("page origin:", Some(p.origin.clone().unwrap_or_else(|| "(the line does not say)".to_owned())));
    field("page URL:", p.page_url.clone());
    field("method:", p.method.clone());
    field(
        "about:",
        p.preflight.map(|pre| if pre { "the preflight (OPTIONS) answer" } else { "the response" }.to_owned()),
    );
    field("status:", p.status.map(|s| s.to_string()));
    field("detail:", p.detail.clone());
    field("network error:", p.net_error.clone());
    field("MDN:", p.mdn.clone());
    if !p.also.is_empty() {
        field("also pasted:", Some(p.also.join(", ")));
    }

    let _ = writeln!(out, "\n{}", shown(&e.summary));
    let _ = writeln!(out, "\nWhat the browser saw:");
    wrap(&mut out, &shown(&e.explanation), "   ", "   ");
    let _ = writeln!(out, "\nUsual causes:");
    for (i, cause) in e.causes.iter().enumerate() {
        wrap(&mut out, &shown(cause), &format!("   {}. ", i + 1), "      ");
    }
    let _ = writeln!(out, "\nWhat to change:");
    for (i, fix) in e.fix.iter().enumerate() {
        wrap(&mut out, &shown(&fix.text), &format!("   {}. ", i + 1), "      ");
        wrap(&mut out, &shown(&format!("why: {}", fix.why)), "      ", "      ");
    }
    let _ = writeln!(out, "\nConfirm it against the server:");
    let _ = writeln!(out, "   {}", shown(&e.check));
    for note in &e.check_notes {
        wrap(&mut out, &shown(&format!("({note})")), "   ", "    ");
    }
    out
}

/// `text` wrapped at [`WIDTH`], the first line after `first`, the others
/// after `rest`.
fn wrap(out: &mut String, text: &str, first: &str, rest: &str) {
    let mut line = first.to_owned();
    let mut empty = true;
    // A `code span` is never broken: its words stay together.
    let mut words: Vec<String> = Vec::new();
    let mut open = false;
    for word in text.split(' ') {
        match words.last_mut() {
            Some(last) if open => {
                last.push(' ');
                last.push_str(word);
            }
            _ => words.push(word.to_owned()),
        }
        if word.matches('`').count() % 2 == 1 {
            open = !open;
        }
    }
    for word in &words {
        if !empty && line.chars().count() + 1 + word.chars().count() > WIDTH {
            out.push_str(&line);
            out.push('\n');
            line = rest.to_owned();
            empty = true;
        }
        if !empty {
            line.push(' ');
        }
        line.push_str(word);
        empty = false;
    }
    out.push_str(&line);
    out.push('\n');
}

#[cfg(test)]
mod tests {
    use super::wrap;

    #[test]
    fn paragraphs_wrap_at_word_boundaries() {
        let mut out = String::new();
        let text = "word ".repeat(40);
        wrap(&mut out, text.trim_end(), "   1. ", "      ");
        assert!(out.lines().all(|l| l.chars().count() <= super::WIDTH), "{out}");
        assert!(out.starts_with("   1. word"));
        assert!(out.lines().skip(1).all(|l| l.starts_with("      word")));
        // A word longer than a line stays whole.
        let mut out = String::new();
        wrap(&mut out, &"x".repeat(200), "", "");
        assert_eq!(out.trim_end().len(), 200);
        // Nor is a code span.
        let mut out = String::new();
        wrap(&mut out, &format!("{} send `Access-Control-Allow-Origin: http://localhost:3000` now", "a".repeat(60)), "", "");
        assert!(out.lines().any(|l| l.starts_with("`Access-Control-Allow-Origin: http://localhost:3000`")), "{out}");
    }
}
