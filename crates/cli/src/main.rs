//! `corslab`: CORS Lab on the command line.
//!
//! ```text
//! corslab predict FILE [--browser chrome|firefox|spec] [--explain]
//! ```
//!
//! `predict` prints the `cors-predictions/1` JSON for a `cors-scenarios/1`
//! file on stdout and nothing else; `--explain` prints each decision's steps
//! for people instead.

use std::process::ExitCode;

use corslab::Browser;
use corslab::scenario::{ScenarioFile, predict_file};

mod explain;

const USAGE: &str = "usage: corslab predict FILE [--browser chrome|firefox|spec] [--explain]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("corslab: {message}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let Some((command, rest)) = args.split_first() else { return Err(USAGE.to_owned()) };
    match command.as_str() {
        "predict" => predict(rest),
        "-h" | "--help" | "help" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(format!("unknown command {other:?}\n{USAGE}")),
    }
}

fn predict(args: &[String]) -> Result<(), String> {
    let mut file = None;
    let mut browser = Browser::Chrome;
    let mut explain = false;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--browser" => {
                let value = args.next().ok_or("--browser needs a value (chrome, firefox or spec)")?;
                browser = value.parse().map_err(|e| format!("{e}"))?;
            }
            "--explain" => explain = true,
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag:?}\n{USAGE}")),
            path if file.is_none() => file = Some(path.to_owned()),
            extra => return Err(format!("unexpected argument {extra:?}\n{USAGE}")),
        }
    }
    let path = file.ok_or(USAGE)?;
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    let scenarios = ScenarioFile::parse(&text).map_err(|e| format!("{path}: {e}"))?;
    let text = if explain {
        explain::explain_file(&scenarios, browser)
    } else {
        let predictions = predict_file(&scenarios, browser);
        serde_json::to_string_pretty(&predictions).map_err(|e| e.to_string())? + "\n"
    };
    write_stdout(&text)
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<(), String> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("stdout: {e}")),
        _ => Ok(()),
    }
}
