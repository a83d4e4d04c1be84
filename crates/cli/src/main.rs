//! `corslab`: CORS Lab on the command line.
//!
//! ```text
//! corslab predict FILE [--browser chrome|firefox|spec] [--explain]
//! corslab check URL --origin ORIGIN [curl-like flags] [--json] [--audit] [--fix STACK]
//! corslab fix --stack STACK [policy flags] [--out DIR]
//! corslab test-fixes
//! corslab verify [FILE...] [--browser chrome|firefox|webkit|all]
//! corslab e2e --page URL
//! ```
//!
//! `predict` prints the `cors-predictions/1` JSON for a `cors-scenarios/1`
//! file on stdout and nothing else; `--explain` prints each decision's steps
//! for people instead.

use std::process::ExitCode;

use corslab::Browser;
use corslab::formats::scenario::{ScenarioFile, predict_json};

mod check;
mod e2e;
mod explain;
mod explain_error;
mod fix;
mod har;
mod terminal;
mod test_fixes;
mod verify;

const USAGE: &str = "usage: corslab predict FILE [--browser chrome|firefox|spec] [--explain]
       corslab check URL --origin ORIGIN [-X METHOD] [-H 'Name: value']... [--data BODY] [--audit] [--json] ... (corslab check --help)
       corslab fix --stack express|fastapi|flask|django|nginx|axum [--origin O]... [--policy FILE.json] [--out DIR] ... (corslab fix --help)
       corslab test-fixes [--stack NAME]... [--policy NAME]... (every generated fix against the real stacks)
       corslab explain-error 'CONSOLE LINE' [--json]   (or the lines on stdin)
       corslab har FILE.har|- [--json] [--browser chrome|firefox|webkit|spec|all] [--to-scenarios OUT.json]
       corslab verify [FILE...] [--browser chrome|firefox|webkit|all]... [--record OUT] [--chromium PATH] [--firefox PATH]
                      [--python PATH] [--xvfb PATH] [--server-port N] [--page-port N] [--second-port N]
                      [--timeout SECONDS] [--parallel N]
       corslab e2e --page URL [--static-page URL] [--screenshot PNG] [--import-screenshot PNG] [--har-screenshot PNG] [--chromium PATH] [--server URL]";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    // `check` has exit statuses of its own (0 passes, 1 blocked, 2 usage,
    // 3 network, 4 audit finding).
    if args.first().is_some_and(|a| a == "check") {
        return check::check_command(&args[1..]);
    }
    // `explain-error`: 0 read, 1 not recognised, 2 usage.
    if args.first().is_some_and(|a| a == "explain-error") {
        return explain_error::explain_error_command(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "har") {
        return har::har_command(&args[1..]);
    }
    // `fix`: 0 written, 1 the stack cannot express the policy, 2 usage.
    if args.first().is_some_and(|a| a == "fix") {
        return fix::fix_command(&args[1..]);
    }
    if args.first().is_some_and(|a| a == "test-fixes") {
        return test_fixes::test_fixes_command(&args[1..]);
    }
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
        "verify" => verify_command(rest),
        "e2e" => e2e_command(rest),
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
    let text = if explain {
        let scenarios = ScenarioFile::parse(&text).map_err(|e| format!("{path}: {e}"))?;
        explain::explain_file(&scenarios, browser)
    } else {
        let predictions = predict_json(&text, browser).map_err(|e| format!("{path}: {e}"))?;
        serde_json::to_string_pretty(&predictions).map_err(|e| e.to_string())? + "\n"
    };
    write_stdout(&text)
}

fn e2e_command(args: &[String]) -> Result<(), String> {
    let mut options = e2e::Options {
        page: String::new(),
        static_page: None,
        chromium: "/usr/bin/chromium".into(),
        screenshot: None,
        import_screenshot: None,
        har_screenshot: None,
        server: None,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--page" => options.page = value()?,
            "--static-page" => options.static_page = Some(value()?),
            "--screenshot" => options.screenshot = Some(value()?.into()),
            "--import-screenshot" => options.import_screenshot = Some(value()?.into()),
            "--har-screenshot" => options.har_screenshot = Some(value()?.into()),
            "--chromium" => options.chromium = value()?.into(),
            "--server" => options.server = Some(value()?),
            other => return Err(format!("unexpected argument {other:?}\n{USAGE}")),
        }
    }
    if options.page.is_empty() {
        return Err(format!("--page is required\n{USAGE}"));
    }
    e2e::e2e(&options)
}

fn verify_command(args: &[String]) -> Result<(), String> {
    let mut options = verify::Options::default();
    // `--browser` may repeat (or list names): the first one replaces the default (all).
    let mut browsers_given = false;
    let mut args = args.iter();
    let number = |flag: &str, value: Option<&String>| -> Result<u64, String> {
        let value = value.ok_or_else(|| format!("{flag} needs a value"))?;
        value.parse().map_err(|_| format!("{flag}: {value:?} is not a number"))
    };
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--record" => options.record = Some(args.next().ok_or("--record needs a file")?.into()),
            "--browser" => {
                let value = args.next().ok_or("--browser needs a value (chrome, firefox, webkit or all)")?;
                if !browsers_given {
                    options.browsers.clear();
                    browsers_given = true;
                }
                for name in value.split(',') {
                    let chosen = match name {
                        "all" => verify::BROWSERS.to_vec(),
                        name => match name.parse::<Browser>() {
                            Ok(Browser::Spec) | Err(_) => {
                                return Err(format!("--browser: {name:?} is not chrome, firefox, webkit or all"));
                            }
                            Ok(browser) => vec![browser],
                        },
                    };
                    for browser in chosen {
                        if !options.browsers.contains(&browser) {
                            options.browsers.push(browser);
                        }
                    }
                }
            }
            "--chromium" => options.chromium = args.next().ok_or("--chromium needs a path")?.into(),
            "--firefox" => options.firefox = args.next().ok_or("--firefox needs a path")?.into(),
            "--python" => options.python = args.next().ok_or("--python needs a path")?.into(),
            "--xvfb" => options.xvfb = args.next().ok_or("--xvfb needs a path")?.into(),
            "--server-port" => {
                options.server_port = u16::try_from(number(arg, args.next())?).map_err(|_| "--server-port: not a port")?;
            }
            "--page-port" => {
                options.page_port = u16::try_from(number(arg, args.next())?).map_err(|_| "--page-port: not a port")?;
            }
            "--second-port" => {
                options.second_port = u16::try_from(number(arg, args.next())?).map_err(|_| "--second-port: not a port")?;
            }
            // How long a fetch is watched before it counts as pending (8 s, as recorded).
            "--timeout" => options.timeout = std::time::Duration::from_secs(number(arg, args.next())?.max(1)),
            // How many browsers of their own (one per environment) run at once.
            "--parallel" => options.parallel = usize::try_from(number(arg, args.next())?.max(1)).unwrap_or(1),
            flag if flag.starts_with('-') => return Err(format!("unknown flag {flag:?}\n{USAGE}")),
            file => options.files.push(file.into()),
        }
    }
    if options.files.is_empty() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../core/testdata/scenarios");
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .map_err(|e| format!("{}: {e}", dir.display()))?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        options.files = files;
    }
    let ports = [options.server_port, options.page_port, options.second_port];
    if ports[0] == ports[1] || ports[0] == ports[2] || ports[1] == ports[2] {
        return Err("the page, the server and the second cross origin need different ports".to_owned());
    }
    if verify::verify(&options)? { Ok(()) } else { Err("some scenarios disagree".to_owned()) }
}

/// Writes to stdout; a closed pipe (`| head`) is not an error.
fn write_stdout(text: &str) -> Result<(), String> {
    use std::io::Write as _;
    match std::io::stdout().lock().write_all(text.as_bytes()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(format!("stdout: {e}")),
        _ => Ok(()),
    }
}
