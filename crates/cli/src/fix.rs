//! `corslab fix`: the CORS configuration for a policy in the user's own
//! stack, as a complete, runnable minimal app (the core writes it, see
//! [`corslab::fix::stacks`]; this module reads flags and writes files).
//!
//! ```text
//! corslab fix --stack express|fastapi|flask|django|nginx|axum
//!   [--policy FILE.json] [--origin ORIGIN]... [--method M]... [--header NAME]...
//!   [--expose NAME]... [--credentials] [--max-age SECONDS] [--port N] [--out DIR]
//! ```
//!
//! The policy flags mirror the companion server's `/policy/` query; `--policy`
//! reads the same policy as JSON (`{"origins": [...], "methods": [...],
//! "headers": [...], "expose": [...], "credentials": true, "max_age": "600"}`),
//! and flags add to it. Without `--out` the entry file (the snippet) is
//! printed; with it, every file of the app and `DIR/RUN`.
//!
//! Exit status: 0 written; 1 the stack cannot express the policy exactly
//! (the explanation on stderr); 2 a usage error or an invalid policy (every
//! problem on stderr).

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use corslab::fix::stacks::{AppOptions, GenerateError, GeneratedApp, Stack, generate};
use corslab::formats::check::CheckReport;
use corslab::policy::PolicyConfig;

pub(crate) const USAGE: &str = "corslab fix --stack express|fastapi|flask|django|nginx|axum [--policy FILE.json]
         [--origin ORIGIN]... [--method M]... [--header NAME]... [--expose NAME]... [--credentials]
         [--max-age SECONDS] [--port N] [--out DIR]";

const UNSUPPORTED: u8 = 1;
const USAGE_ERROR: u8 = 2;

#[derive(Debug, Default)]
struct Flags {
    stack: Option<Stack>,
    policy: PolicyConfig,
    port: Option<u16>,
    out: Option<PathBuf>,
}

/// Runs `corslab fix`.
pub(crate) fn fix_command(args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "-h" || a == "--help") {
        println!("usage: {USAGE}\n\nExit status: 0 written, 1 the stack cannot express the policy exactly, 2 usage error or invalid policy.");
        return ExitCode::SUCCESS;
    }
    let flags = match parse(args) {
        Ok(flags) => flags,
        Err(message) => {
            eprintln!("corslab fix: {message}\n{USAGE}");
            return ExitCode::from(USAGE_ERROR);
        }
    };
    let Some(stack) = flags.stack else {
        eprintln!("corslab fix: --stack is required\n{USAGE}");
        return ExitCode::from(USAGE_ERROR);
    };
    let options = AppOptions { port: flags.port.unwrap_or(AppOptions::default().port) };
    let app = match generate(stack, &flags.policy, &options) {
        Ok(app) => app,
        Err(error) => return report_error(&error),
    };
    match &flags.out {
        None => {
            eprint!("{}", notes_text(&app, "note: "));
            if let Err(e) = crate::write_stdout(app.entry_text()) {
                eprintln!("corslab fix: {e}");
                return ExitCode::from(USAGE_ERROR);
            }
        }
        Some(dir) => match write_app(&app, dir) {
            Ok(written) => {
                println!("corslab fix: wrote {}", written.join(", "));
                println!("run: cd {} && {}", dir.display(), app.run);
                eprint!("{}", notes_text(&app, "note: "));
            }
            Err(e) => {
                eprintln!("corslab fix: {e}");
                return ExitCode::from(USAGE_ERROR);
            }
        },
    }
    ExitCode::SUCCESS
}

/// What `corslab check … --fix STACK` prints after the report: nothing when
/// the check passed; else the app for the report's narrowest policy
/// (listening on the checked URL's port), or why the stack cannot express
/// it, or why no server change helps.
pub(crate) fn for_check(stack: Stack, report: &CheckReport, url: &str) -> String {
    if report.passed {
        return String::new();
    }
    let mut out = format!("\nThe fix in {} (corslab fix --stack {stack}):\n", stack.title());
    let Some(policy) = &report.fix.policy else {
        out.push_str("   no server configuration: the change is not the server's to make (see above)\n");
        return out;
    };
    let port = url::Url::parse(url).ok().and_then(|u| u.port_or_known_default()).unwrap_or(AppOptions::default().port);
    match generate(stack, policy, &AppOptions { port }) {
        Ok(app) => {
            out.push_str(&format!("── {} ──\n", app.entry));
            out.push_str(app.entry_text());
            out.push_str(&notes_text(&app, "note: "));
            out.push_str(&format!("(the whole runnable app: corslab fix --stack {stack} {} --out DIR)\n", policy_flags(policy)));
        }
        Err(GenerateError::Invalid(errors)) => out.push_str(&format!("   the needed policy does not check out: {errors}\n")),
        Err(GenerateError::Unsupported { why, .. }) => {
            for reason in why {
                out.push_str(&format!("   cannot be written exactly: {reason}\n"));
            }
        }
    }
    out
}

/// A policy as `corslab fix` flags.
fn policy_flags(policy: &PolicyConfig) -> String {
    let mut flags = Vec::new();
    for (flag, list) in [("--origin", &policy.origins), ("--method", &policy.methods), ("--header", &policy.headers), ("--expose", &policy.expose)] {
        flags.extend(list.iter().map(|v| format!("{flag} '{}'", v.replace('\'', "'\\''"))));
    }
    if policy.credentials {
        flags.push("--credentials".to_owned());
    }
    if let Some(max_age) = &policy.max_age {
        flags.push(format!("--max-age {max_age}"));
    }
    flags.join(" ")
}

/// Prints why no app was written; the exit status.
pub(crate) fn report_error(error: &GenerateError) -> ExitCode {
    match error {
        GenerateError::Invalid(errors) => {
            eprintln!("corslab fix: the policy is not valid:");
            for e in errors.iter() {
                eprintln!("   {e}");
            }
            ExitCode::from(USAGE_ERROR)
        }
        GenerateError::Unsupported { stack, why } => {
            eprintln!("corslab fix: {} cannot express this policy exactly:", stack.title());
            for reason in why {
                eprintln!("   {reason}");
            }
            ExitCode::from(UNSUPPORTED)
        }
    }
}

/// The notes, one per line after `prefix`, with the run line.
pub(crate) fn notes_text(app: &GeneratedApp, prefix: &str) -> String {
    let mut out = String::new();
    for note in &app.notes {
        out.push_str(&format!("{prefix}{note}\n"));
    }
    out
}

/// Writes every file of `app` under `dir`; the paths written.
///
/// # Errors
///
/// The first file that cannot be written.
pub(crate) fn write_app(app: &GeneratedApp, dir: &Path) -> Result<Vec<String>, String> {
    let mut written = Vec::new();
    for (path, text) in &app.files {
        let target = dir.join(path);
        if let Some(parent) = target.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&target, text).map_err(|e| format!("{}: {e}", target.display()))?;
        written.push(target.display().to_string());
    }
    Ok(written)
}

fn parse(args: &[String]) -> Result<Flags, String> {
    let mut flags = Flags::default();
    let mut from_flags = PolicyConfig::new();
    let mut file = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, attached) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_owned())),
            _ => (arg.as_str(), None),
        };
        let mut value = |name: &str| -> Result<String, String> {
            match &attached {
                Some(v) => Ok(v.clone()),
                None => args.next().cloned().ok_or_else(|| format!("{name} needs a value")),
            }
        };
        match flag {
            "--stack" => flags.stack = Some(value("--stack")?.parse().map_err(|e| format!("--stack: {e}"))?),
            "--policy" => file = Some(value("--policy")?),
            "--origin" => from_flags.origins.push(value("--origin")?),
            "--method" => from_flags.methods.push(value("--method")?),
            "--header" => from_flags.headers.push(value("--header")?),
            "--expose" => from_flags.expose.push(value("--expose")?),
            "--credentials" => {
                from_flags.credentials = match attached.as_deref() {
                    None | Some("true") => true,
                    Some("false") => false,
                    Some(other) => return Err(format!("--credentials={other}: expected true or false")),
                };
            }
            "--max-age" => from_flags.max_age = Some(value("--max-age")?),
            "--port" => {
                let raw = value("--port")?;
                flags.port = Some(raw.parse().map_err(|_| format!("--port {raw:?}: expected a port number"))?);
            }
            "--out" => flags.out = Some(value("--out")?.into()),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    let mut policy = match file {
        Some(path) => {
            let text = std::fs::read_to_string(&path).map_err(|e| format!("--policy {path}: {e}"))?;
            serde_json::from_str::<PolicyConfig>(&text).map_err(|e| format!("--policy {path}: {e}"))?
        }
        None => PolicyConfig::new(),
    };
    policy.origins.extend(from_flags.origins);
    policy.methods.extend(from_flags.methods);
    policy.headers.extend(from_flags.headers);
    policy.expose.extend(from_flags.expose);
    policy.credentials |= from_flags.credentials;
    if from_flags.max_age.is_some() {
        policy.max_age = from_flags.max_age;
    }
    flags.policy = policy;
    Ok(flags)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn flags_mirror_the_policy_query() {
        let flags = parse(&args(&[
            "--stack", "nginx", "--origin", "https://a.example", "--origin=http://localhost:*", "--method", "PUT",
            "--header", "X-Custom", "--expose", "X-Id", "--credentials", "--max-age", "600", "--port", "9000",
        ]))
        .unwrap();
        assert_eq!(flags.stack, Some(Stack::Nginx));
        assert_eq!(flags.port, Some(9000));
        let expected = PolicyConfig::new()
            .allow_origin("https://a.example")
            .allow_origin("http://localhost:*")
            .allow_method("PUT")
            .allow_header("X-Custom")
            .expose_header("X-Id")
            .credentials(true)
            .max_age(600);
        assert_eq!(flags.policy, expected);
        assert!(parse(&args(&["--stack", "spring"])).unwrap_err().contains("unknown stack"));
        assert!(parse(&args(&["--credentials=yes"])).is_err());
    }

    #[test]
    fn a_policy_file_is_the_policy_json() {
        let dir = std::env::temp_dir().join(format!("corslab-fix-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("policy.json");
        std::fs::write(&file, r#"{"origins": ["https://*.example.com"], "methods": ["PATCH"], "credentials": true, "max_age": "60"}"#)
            .unwrap();
        let flags = parse(&args(&["--stack", "axum", "--policy", file.to_str().unwrap(), "--header", "X-A"])).unwrap();
        assert_eq!(flags.policy.origins, ["https://*.example.com"]);
        assert_eq!(flags.policy.headers, ["X-A"]);
        assert_eq!(flags.policy.max_age.as_deref(), Some("60"));
        assert!(flags.policy.credentials);
        let app = generate(Stack::Axum, &flags.policy, &AppOptions::default()).unwrap();
        let written = write_app(&app, &dir.join("app")).unwrap();
        assert!(written.iter().any(|w| w.ends_with("RUN")));
        assert!(dir.join("app/src/cors.rs").exists() && dir.join("app/Cargo.toml").exists());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
