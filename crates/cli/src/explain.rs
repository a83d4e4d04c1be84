//! Decisions for people: each scenario's steps, verdicts and messages.

use std::fmt::Write as _;

use corslab::Browser;
use corslab::formats::scenario::{ScenarioFile, prediction_of, run};
use corslab::trace::{Step, Verdict};

/// Every scenario of `file`, decided under `browser`, as text.
pub(crate) fn explain_file(file: &ScenarioFile, browser: Browser) -> String {
    let mut out = String::new();
    for scenario in &file.scenarios {
        let _ = writeln!(out, "━━ {} ({browser})", scenario.id);
        if let Some(note) = &scenario.note {
            let _ = writeln!(out, "   {note}");
        }
        let prepared = match scenario.prepare() {
            Ok(prepared) => prepared,
            Err(why) => {
                let _ = writeln!(out, "   cannot decide: {why}\n");
                continue;
            }
        };
        let result = run(&prepared, browser, true);
        for (i, (decision, steps)) in result.decisions.iter().zip(&result.steps).enumerate() {
            if result.decisions.len() > 1 {
                let _ = writeln!(out, "   ── request {} of {}", i + 1, result.decisions.len());
            }
            write_steps(&mut out, steps, "   ");
            let p = prediction_of(&scenario.id, decision);
            let _ = writeln!(out, "   ⇒ {}{}", p.expect.outcome, p.expect.cors_error.map(|e| format!(" ({e})")).unwrap_or_default());
            if let Some(console) = p.expect.console {
                let _ = writeln!(out, "     console: {console}");
            }
            if let Some(reason) = p.reason {
                let _ = writeln!(out, "     reason: {reason}");
            }
        }
        let _ = writeln!(out);
    }
    out
}

/// Each step as `explain` prints it: a mark, the title and id, the values
/// compared, why, and the spec link; every line starts with `indent`.
pub(crate) fn write_steps(out: &mut String, steps: &[Step], indent: &str) {
    for step in steps {
        let mark = match step.verdict {
            Verdict::Pass => "✔",
            Verdict::Fail => "✘",
            Verdict::Skipped => "–",
            Verdict::Info => "ℹ",
        };
        let _ = writeln!(out, "{indent}{mark} {} [{}]", step.title, step.id);
        for compared in &step.compared {
            let value = crate::terminal::shown(&compared.value).replace('\n', &format!("\n{indent}     "));
            let _ = writeln!(out, "{indent}    {}: {value}", compared.what);
        }
        if !step.detail.is_empty() {
            let _ = writeln!(out, "{indent}    → {}", crate::terminal::shown(&step.detail));
        }
        let _ = writeln!(out, "{indent}    {}", step.spec);
    }
}
