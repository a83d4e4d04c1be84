//! `corslab test-fixes`: every generated fix, proven against the real
//! stack. For each stack and each policy of [`cases`], the app
//! `corslab fix` writes is started on 127.0.0.1 (the stacks installed by
//! `.ci/setup fixes` into `.tools/fixes/`: npm, a Python venv, Debian's
//! nginx; the axum apps built once into one binary, a module per policy);
//! then the policy's conformance table is sent (preflights and requests from
//! allowed and refused origins, the audit's probe origins among them), as
//! each browser profile sends it, and each answer is judged by the engine:
//! the page must be let through exactly when the policy itself, asked as a
//! server, lets it through, read every exposed header then, and cache the
//! preflight as long. One `--audit` run per app must raise nothing `high`
//! or `critical`. Every process is stopped by its PID.
//!
//! ```text
//! corslab test-fixes [--stack NAME]... [--policy NAME]... [--tools DIR] [--work DIR]
//! ```
//!
//! It ends with one line, `fixes: S stacks × P policies, N exchanges, all
//! conform` (or the failures); exit status 0 when all conform, 1 otherwise,
//! 2 for a usage error.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

use corslab::diagnosis::audit::{self, Severity};
use corslab::diagnosis::check::{CheckRequest, passes};
use corslab::fetch::cache::PreflightCache;
use corslab::fetch::wire::WireKind;
use corslab::fix::stacks::origin_regex::OriginParts;
use corslab::fix::stacks::{AppOptions, GeneratedApp, Stack, generate};
use corslab::policy::{CorsHeader, CorsPolicy, PolicyConfig};
use corslab::{Browser, Context, CredentialsMode, FetchCall, Origin, RequestMode, decide};
use corslab_net::{CheckOptions, Client, ClientOptions};
use futures::StreamExt;

const USAGE: &str = "corslab test-fixes [--stack NAME]... [--policy NAME]... [--tools DIR] [--work DIR]";

/// Rows checked at once against one app.
const ROWS_IN_FLIGHT: usize = 6;
/// How long an app may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(60);

/// One policy of the table.
#[derive(Clone, Debug)]
pub(crate) struct Case {
    /// Its name (the axum module is named after it).
    pub(crate) name: &'static str,
    /// The policy.
    pub(crate) config: PolicyConfig,
}

/// The policies every stack is proven on: the seed's three (one origin,
/// any origin, a list), then credentials, methods and request headers,
/// exposed headers, max-age, patterns, all of it without credentials (the
/// policy of the snippets in `docs/fixes.md`) and with them.
pub(crate) fn cases() -> Vec<Case> {
    let app = "https://app.example.com";
    vec![
        Case { name: "one-origin", config: PolicyConfig::new().allow_origin("http://localhost:5050") },
        Case { name: "any-origin", config: PolicyConfig::new().allow_origin("*") },
        Case {
            name: "allowlist",
            config: PolicyConfig::new()
                .allow_origin("http://localhost:5050")
                .allow_origin(app)
                .allow_origin("https://admin.example.com"),
        },
        Case {
            name: "credentials-allowlist",
            config: PolicyConfig::new().allow_origin(app).allow_origin("https://admin.example.com").credentials(true),
        },
        Case {
            name: "methods-headers",
            config: PolicyConfig::new()
                .allow_origin(app)
                .allow_method("PUT")
                .allow_method("PATCH")
                .allow_method("DELETE")
                .allow_header("X-Custom")
                .allow_header("Content-Type")
                .allow_header("Authorization"),
        },
        Case {
            name: "exposed-headers",
            config: PolicyConfig::new().allow_origin(app).expose_header("X-Request-Id").expose_header("X-Total-Count"),
        },
        Case {
            name: "max-age",
            config: PolicyConfig::new().allow_origin(app).allow_method("PUT").allow_header("X-Custom").max_age(600),
        },
        Case {
            name: "subdomain-pattern",
            config: PolicyConfig::new().allow_origin("https://*.example.com").allow_origin("http://localhost:*"),
        },
        Case {
            name: "combined",
            config: PolicyConfig::new()
                .allow_origin(app)
                .allow_origin("https://*.example.org")
                .allow_origin("http://localhost:*")
                .allow_method("PUT")
                .allow_method("DELETE")
                .allow_header("X-Custom")
                .allow_header("Content-Type")
                .expose_header("X-Request-Id")
                .max_age(600),
        },
        Case {
            name: "credentials-everything",
            config: PolicyConfig::new()
                .allow_origin(app)
                .allow_origin("http://localhost:5050")
                .allow_method("PUT")
                .allow_header("X-Custom")
                .allow_header("Content-Type")
                .expose_header("X-Request-Id")
                .credentials(true)
                .max_age(300),
        },
    ]
}

#[derive(Debug)]
struct Options {
    stacks: Vec<Stack>,
    policies: Vec<String>,
    tools: PathBuf,
    work: PathBuf,
}

/// Runs `corslab test-fixes`.
pub(crate) fn test_fixes_command(args: &[String]) -> ExitCode {
    let options = match parse(args) {
        Ok(options) => options,
        Err(message) => {
            eprintln!("corslab test-fixes: {message}\nusage: {USAGE}");
            return ExitCode::from(2);
        }
    };
    match run(&options) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(message) => {
            eprintln!("corslab test-fixes: {message}");
            println!("fixes: could not run: {message}");
            ExitCode::from(1)
        }
    }
}

fn parse(args: &[String]) -> Result<Options, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let root = std::fs::canonicalize(&root).unwrap_or(root);
    let mut options = Options { stacks: Vec::new(), policies: Vec::new(), tools: root.join(".tools/fixes"), work: root.join("target/fixes") };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(|| format!("{arg} needs a value"));
        match arg.as_str() {
            "--stack" => {
                for name in value()?.split(',') {
                    options.stacks.push(name.parse().map_err(|e| format!("--stack: {e}"))?);
                }
            }
            "--policy" => {
                for name in value()?.split(',') {
                    if !cases().iter().any(|c| c.name == name) {
                        let names: Vec<&str> = cases().iter().map(|c| c.name).collect();
                        return Err(format!("--policy {name:?}: expected one of {}", names.join(", ")));
                    }
                    options.policies.push(name.to_owned());
                }
            }
            "--tools" => options.tools = value()?.into(),
            "--work" => options.work = value()?.into(),
            "-h" | "--help" => return Err("help".to_owned()),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    if options.stacks.is_empty() {
        options.stacks = Stack::ALL.to_vec();
    }
    Ok(options)
}

/// What one stack came to.
#[derive(Debug, Default)]
struct StackResult {
    versions: String,
    exchanges: usize,
    failures: Vec<String>,
    notes: Vec<(String, Severity, &'static str)>,
    widened: Vec<String>,
    seconds: f64,
}

fn run(options: &Options) -> Result<bool, String> {
    let started = Instant::now();
    let cases: Vec<Case> = cases()
        .into_iter()
        .filter(|c| options.policies.is_empty() || options.policies.iter().any(|p| p == c.name))
        .collect();
    std::fs::create_dir_all(&options.work).map_err(|e| format!("{}: {e}", options.work.display()))?;
    println!(
        "== test-fixes: {} stacks × {} policies (stacks from {}, apps in {})",
        options.stacks.len(),
        cases.len(),
        options.tools.display(),
        options.work.display()
    );
    // The axum binary builds (once, a module per policy) while the other
    // stacks run.
    let axum_build = options.stacks.contains(&Stack::Axum).then(|| {
        let tools = options.tools.clone();
        let cases = cases.clone();
        std::thread::spawn(move || build_axum(&tools, &cases))
    });
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let client = Client::new(&ClientOptions::default()).map_err(|e| e.to_string())?;
    let mut results: BTreeMap<Stack, StackResult> = BTreeMap::new();
    let mut axum_build = axum_build;
    for stack in &options.stacks {
        let stack_started = Instant::now();
        let mut result = StackResult::default();
        let launcher = if *stack == Stack::Axum {
            match axum_build.take().map(|b| b.join()) {
                Some(Ok(Ok(built))) => Launcher::Axum(built),
                Some(Ok(Err(e))) => {
                    result.failures.push(format!("axum: the apps did not build: {e}"));
                    Launcher::Missing
                }
                _ => {
                    result.failures.push("axum: the build thread failed".to_owned());
                    Launcher::Missing
                }
            }
        } else {
            Launcher::for_stack(*stack, &options.tools)
        };
        match launcher.versions(*stack, &options.tools) {
            Ok(versions) => result.versions = versions,
            Err(e) => result.failures.push(format!("{stack}: {e}")),
        }
        if result.failures.is_empty() {
            for case in &cases {
                let outcome = run_case(&runtime, &client, *stack, case, &launcher, &options.work);
                match outcome {
                    Ok(case_result) => {
                        result.exchanges += case_result.exchanges;
                        result.failures.extend(case_result.failures);
                        result.notes.extend(case_result.notes.into_iter().map(|(s, id)| (case.name.to_owned(), s, id)));
                        if case_result.widened {
                            result.widened.push(case.name.to_owned());
                        }
                    }
                    Err(e) => result.failures.push(format!("{stack} / {}: {e}", case.name)),
                }
            }
        }
        result.seconds = stack_started.elapsed().as_secs_f64();
        let verdict = if result.failures.is_empty() {
            "all conform".to_owned()
        } else {
            format!("{} failure{}", result.failures.len(), if result.failures.len() == 1 { "" } else { "s" })
        };
        println!(
            "{stack} ({}): {} policies, {} exchanges, {verdict} ({:.1} s)",
            result.versions,
            cases.len(),
            result.exchanges,
            result.seconds
        );
        if !result.widened.is_empty() {
            println!(
                "   judged against the policy as the stack widens it (its notes say how): {}",
                result.widened.join(", ")
            );
        }
        for failure in result.failures.iter().take(25) {
            println!("   FAIL {failure}");
        }
        if result.failures.len() > 25 {
            println!("   … and {} more", result.failures.len() - 25);
        }
        results.insert(*stack, result);
    }
    // Findings below high, grouped: (policy, severity, id) → stacks.
    let mut notes: BTreeMap<(String, Severity, &str), Vec<Stack>> = BTreeMap::new();
    for (stack, result) in &results {
        for (case, severity, id) in &result.notes {
            notes.entry((case.clone(), *severity, id)).or_default().push(*stack);
        }
    }
    if !notes.is_empty() {
        println!("audit findings below high (allowed; by policy):");
        for ((case, severity, id), stacks) in &notes {
            let which = if stacks.len() == results.len() {
                "every stack".to_owned()
            } else {
                stacks.iter().map(|s| s.as_str()).collect::<Vec<_>>().join(", ")
            };
            println!("   {case}: [{severity}] {id} ({which})");
        }
    }
    let exchanges: usize = results.values().map(|r| r.exchanges).sum();
    let failures: usize = results.values().map(|r| r.failures.len()).sum();
    println!("test-fixes took {:.1} s", started.elapsed().as_secs_f64());
    let line = format!("fixes: {} stacks × {} policies, {exchanges} exchanges", results.len(), cases.len());
    if failures == 0 {
        println!("{line}, all conform");
        Ok(true)
    } else {
        let failing: Vec<&str> = results.iter().filter(|(_, r)| !r.failures.is_empty()).map(|(s, _)| s.as_str()).collect();
        println!("{line}, {failures} failures ({})", failing.join(", "));
        Ok(false)
    }
}

/// How a stack's app starts.
#[derive(Debug)]
enum Launcher {
    Node(PathBuf),
    Python(PathBuf),
    Nginx(PathBuf),
    Axum(PathBuf),
    Missing,
}

impl Launcher {
    fn for_stack(stack: Stack, tools: &Path) -> Launcher {
        match stack {
            Stack::Express => Launcher::Node(tools.join("node/node_modules")),
            Stack::FastApi | Stack::Flask | Stack::Django => Launcher::Python(tools.join("venv/bin/python")),
            Stack::Nginx => {
                let system = PathBuf::from("/usr/sbin/nginx");
                Launcher::Nginx(if system.exists() { system } else { PathBuf::from("nginx") })
            }
            Stack::Axum => Launcher::Missing,
        }
    }

    /// The installed versions, checked against the ones the apps are
    /// written for.
    fn versions(&self, stack: Stack, tools: &Path) -> Result<String, String> {
        let missing = "not installed: run .ci/setup fixes";
        let pinned = stack.packages();
        let found: Vec<(String, String)> = match self {
            Launcher::Node(modules) => {
                let mut found = Vec::new();
                for (name, _) in pinned {
                    let text = std::fs::read_to_string(modules.join(name).join("package.json")).map_err(|_| missing.to_owned())?;
                    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| e.to_string())?;
                    found.push(((*name).to_owned(), json["version"].as_str().unwrap_or("?").to_owned()));
                }
                found
            }
            Launcher::Python(python) => {
                let names: Vec<&str> = pinned.iter().map(|(n, _)| *n).collect();
                let output = Command::new(python)
                    .args(["-c", "import importlib.metadata as m, sys; print(' '.join(m.version(p) for p in sys.argv[1:]))"])
                    .args(&names)
                    .output()
                    .map_err(|_| missing.to_owned())?;
                if !output.status.success() {
                    return Err(missing.to_owned());
                }
                let text = String::from_utf8_lossy(&output.stdout);
                names.iter().map(|n| (*n).to_owned()).zip(text.split_whitespace().map(str::to_owned)).collect()
            }
            Launcher::Nginx(nginx) => {
                let output = Command::new(nginx).arg("-v").output().map_err(|_| missing.to_owned())?;
                let text = String::from_utf8_lossy(&output.stderr);
                let version = text.trim().rsplit('/').next().unwrap_or("?").to_owned();
                return Ok(format!("nginx {version}, Debian's: not pinnable"));
            }
            Launcher::Axum(_) => {
                let lock = std::fs::read_to_string(tools.join("axum/Cargo.lock")).map_err(|e| format!("axum: {e}"))?;
                pinned.iter().map(|(name, _)| ((*name).to_owned(), locked_version(&lock, name).unwrap_or("?").to_owned())).collect()
            }
            Launcher::Missing => return Err(missing.to_owned()),
        };
        let mut wrong = Vec::new();
        for ((name, want), (_, have)) in pinned.iter().zip(&found) {
            // "1" pins a major version (tokio, regex in the axum app).
            let ok = if want.contains('.') { have == want } else { have.split('.').next() == Some(want) };
            if !ok {
                wrong.push(format!("{name} {have} where the apps are written for {want}"));
            }
        }
        if !wrong.is_empty() {
            return Err(format!("{} (run .ci/setup fixes)", wrong.join(", ")));
        }
        let mut text = found.iter().map(|(n, v)| format!("{n} {v}")).collect::<Vec<_>>().join(", ");
        if let Launcher::Node(_) = self
            && let Ok(out) = Command::new("node").arg("--version").output()
        {
            let _ = write!(text, "; node {}", String::from_utf8_lossy(&out.stdout).trim());
        }
        if let Launcher::Python(python) = self
            && let Ok(out) = Command::new(python).arg("--version").output()
        {
            let _ = write!(text, "; {}", String::from_utf8_lossy(&out.stdout).trim());
        }
        Ok(text)
    }

    fn command(&self, app: &GeneratedApp, dir: &Path, case: &Case, port: u16) -> Result<Command, String> {
        let mut command = match self {
            Launcher::Node(modules) => {
                let mut c = Command::new("node");
                c.arg(&app.entry).env("NODE_PATH", modules);
                c
            }
            Launcher::Python(python) => {
                let mut c = Command::new(python);
                c.arg(&app.entry).env("PYTHONDONTWRITEBYTECODE", "1").env("PYTHONUNBUFFERED", "1");
                c
            }
            Launcher::Nginx(nginx) => {
                let mut c = Command::new(nginx);
                c.arg("-p").arg(dir).arg("-c").arg(dir.join(&app.entry)).args(["-e", "stderr"]);
                c
            }
            Launcher::Axum(binary) => {
                let mut c = Command::new(binary);
                c.arg(case.name).arg(port.to_string());
                c
            }
            Launcher::Missing => return Err("not installed".to_owned()),
        };
        command.current_dir(dir).stdin(Stdio::null());
        Ok(command)
    }
}

/// A version in a Cargo.lock.
fn locked_version<'a>(lock: &'a str, name: &str) -> Option<&'a str> {
    let at = lock.find(&format!("name = \"{name}\"\nversion = \""))?;
    let rest = &lock[at..];
    let start = rest.find("version = \"")? + "version = \"".len();
    let end = rest[start..].find('"')?;
    Some(&rest[start..start + end])
}

/// A running app, stopped by its PID when dropped.
struct Running {
    child: Child,
}

impl Drop for Running {
    fn drop(&mut self) {
        if let Ok(Some(_)) = self.child.try_wait() {
            return;
        }
        // SIGTERM first: nginx's master stops its workers then (SIGKILL
        // would leave them behind); the others exit as well.
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).stderr(Stdio::null()).status();
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A free port on 127.0.0.1 (bound, then let go).
fn free_port() -> Result<u16, String> {
    let listener = TcpListener::bind("127.0.0.1:0").map_err(|e| format!("no free port: {e}"))?;
    listener.local_addr().map(|a| a.port()).map_err(|e| e.to_string())
}

fn start(command: &mut Command, port: u16, log: &Path) -> Result<Running, String> {
    let out = std::fs::File::create(log).map_err(|e| format!("{}: {e}", log.display()))?;
    let err = out.try_clone().map_err(|e| e.to_string())?;
    let child = command.stdout(out).stderr(err).spawn().map_err(|e| format!("cannot start {command:?}: {e}"))?;
    let mut running = Running { child };
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    let deadline = Instant::now() + START_TIMEOUT;
    loop {
        if let Ok(Some(status)) = running.child.try_wait() {
            let mut text = String::new();
            let _ = std::fs::File::open(log).and_then(|mut f| f.read_to_string(&mut text));
            return Err(format!("the app exited ({status}) before listening:\n{}", text.trim_end()));
        }
        if TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok() {
            return Ok(running);
        }
        if Instant::now() > deadline {
            return Err(format!("nothing listens on {address} after {} s (log: {})", START_TIMEOUT.as_secs(), log.display()));
        }
        std::thread::sleep(Duration::from_millis(25));
    }
}

/// The axum apps: one Cargo project, a module per policy (each the
/// `src/cors.rs` that `corslab fix --stack axum` writes), one binary that
/// takes the policy's name and a port. Built once; offline once built.
fn build_axum(tools: &Path, cases: &[Case]) -> Result<PathBuf, String> {
    let project = tools.join("axum");
    std::fs::create_dir_all(project.join("src")).map_err(|e| format!("{}: {e}", project.display()))?;
    let mut main = String::from(
        "//! The axum apps of `corslab test-fixes`: a module per policy, each the\n\
         //! `src/cors.rs` that `corslab fix --stack axum` writes. Written by the harness.\n\n",
    );
    let mut arms = String::new();
    for case in cases {
        let app = generate(Stack::Axum, &case.config, &AppOptions::default()).map_err(|e| format!("{}: {e}", case.name))?;
        let module = format!("p_{}", case.name.replace('-', "_"));
        write_if_changed(&project.join(format!("src/{module}.rs")), app.entry_text())?;
        let _ = writeln!(main, "mod {module};");
        let _ = writeln!(arms, "        \"{}\" => {module}::app(),", case.name);
    }
    let _ = write!(
        main,
        "\n#[tokio::main]\nasync fn main() -> std::io::Result<()> {{\n    let mut args = std::env::args().skip(1);\n    \
         let policy = args.next().unwrap_or_default();\n    \
         let port: u16 = args.next().and_then(|p| p.parse().ok()).unwrap_or(8000);\n    \
         let app = match policy.as_str() {{\n{arms}        other => {{\n            eprintln!(\"unknown policy {{other:?}}\");\n            std::process::exit(2);\n        }}\n    }};\n    \
         let listener = tokio::net::TcpListener::bind((\"127.0.0.1\", port)).await?;\n    axum::serve(listener, app).await\n}}\n"
    );
    write_if_changed(&project.join("src/main.rs"), &main)?;
    let cargo = "[package]\nname = \"corslab-fixes-axum\"\nversion = \"0.1.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [dependencies]\naxum = \"0.8.9\"\ntower-http = { version = \"0.7.1\", features = [\"cors\"] }\n\
                 tokio = { version = \"1\", features = [\"macros\", \"rt-multi-thread\", \"net\"] }\nregex = \"1\"\n\n\
                 # Its own project, not a member of the CORS Lab workspace.\n[workspace]\n";
    write_if_changed(&project.join("Cargo.toml"), cargo)?;
    let log = project.join("build.log");
    let build = |offline: bool| -> Result<bool, String> {
        let out = std::fs::File::create(&log).map_err(|e| e.to_string())?;
        let mut command = Command::new("cargo");
        command.arg("build").arg("--quiet");
        if offline {
            command.arg("--offline");
        }
        let status = command
            .current_dir(&project)
            .env("CARGO_TARGET_DIR", project.join("target"))
            .stdout(out.try_clone().map_err(|e| e.to_string())?)
            .stderr(out)
            .status()
            .map_err(|e| format!("cannot run cargo: {e}"))?;
        Ok(status.success())
    };
    if !build(true)? && !build(false)? {
        let mut text = String::new();
        let _ = std::fs::File::open(&log).and_then(|mut f| f.read_to_string(&mut text));
        return Err(format!("cargo build failed:\n{}", text.trim_end()));
    }
    Ok(project.join("target/debug/corslab-fixes-axum"))
}

fn write_if_changed(path: &Path, text: &str) -> Result<(), String> {
    if std::fs::read_to_string(path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

/// What one (stack, policy) came to.
#[derive(Debug, Default)]
struct CaseResult {
    exchanges: usize,
    failures: Vec<String>,
    notes: Vec<(Severity, &'static str)>,
    widened: bool,
}

fn run_case(
    runtime: &tokio::runtime::Runtime,
    client: &Client,
    stack: Stack,
    case: &Case,
    launcher: &Launcher,
    work: &Path,
) -> Result<CaseResult, String> {
    let port = free_port()?;
    let app = generate(stack, &case.config, &AppOptions { port }).map_err(|e| e.to_string())?;
    let dir = work.join(stack.as_str()).join(case.name);
    let _ = std::fs::remove_dir_all(&dir);
    crate::fix::write_app(&app, &dir)?;
    let mut command = launcher.command(&app, &dir, case, port)?;
    let _running = start(&mut command, port, &dir.join("server.log"))?;
    // The policy the answers must match: the policy itself, or what the
    // stack widens it to (and says so in its notes).
    let judged_by = app.widened.clone().unwrap_or_else(|| case.config.clone());
    let policy = CorsPolicy::new(&judged_by).map_err(|e| e.to_string())?;
    let url = format!("http://127.0.0.1:{port}/data");
    let rows = rows(case, &policy, &url);
    let mut result = runtime.block_on(check_rows(client, &policy, &app, rows));
    result.widened = app.widened.is_some();
    let (exchanges, failures, notes) = runtime.block_on(audit_app(client, case, &policy, &url));
    result.exchanges += exchanges;
    result.failures.extend(failures);
    result.notes = notes;
    for failure in &mut result.failures {
        *failure = format!("{stack} / {}: {failure}", case.name);
    }
    Ok(result)
}

/// One request of the conformance table.
#[derive(Clone, Debug)]
struct Row {
    origin: String,
    call: FetchCall,
}

impl Row {
    fn describe(&self) -> String {
        let headers: Vec<String> = self.call.headers.iter().map(|(n, v)| format!("{n}: {v}")).collect();
        format!(
            "{} from {}{}{}",
            self.call.method,
            self.origin,
            if headers.is_empty() { String::new() } else { format!(" with {}", headers.join(", ")) },
            if self.call.credentials == CredentialsMode::Include { ", credentials" } else { "" }
        )
    }

    fn request(&self) -> CheckRequest {
        CheckRequest {
            call: self.call.clone(),
            page: Origin::parse(&self.origin).unwrap_or(Origin::Opaque),
            cookies: (self.call.credentials == CredentialsMode::Include).then(|| "session=corslab".to_owned()),
            page_url: None,
        }
    }
}

/// The origins a case is checked from: what it allows (one example per
/// pattern, and a deeper one), the audit's probe origins derived from the
/// first, and plain strangers.
fn origins(policy: &CorsPolicy) -> (String, Vec<String>) {
    let mut allowed: Vec<String> = Vec::new();
    if policy.origins().is_any() {
        allowed.push("https://app.example.com".to_owned());
        allowed.push("http://localhost:5050".to_owned());
    }
    for entry in policy.origins().entries() {
        let Some(parts) = OriginParts::parse(entry) else { continue };
        allowed.push(parts.example());
        if parts.subdomains {
            let deeper = OriginParts { host: format!("a.b.{}", parts.host), subdomains: false, ..parts.clone() };
            allowed.push(deeper.example());
        }
    }
    let legit = allowed.first().cloned().unwrap_or_else(|| "https://app.example.com".to_owned());
    let mut all = allowed;
    if let Ok(page) = Origin::parse(&legit) {
        for finding in [
            "origin-reflected", "null-origin-allowed", "prefix-match", "suffix-match", "unescaped-dot", "http-origin-trusted",
            "any-subdomain-trusted",
        ] {
            all.extend(audit::probe_origin(finding, &page));
        }
    }
    all.extend(["https://evil.example".to_owned(), "http://localhost:5051".to_owned(), "null".to_owned()]);
    let mut seen = Vec::new();
    all.retain(|o| !seen.contains(o) && {
        seen.push(o.clone());
        true
    });
    (legit, all)
}

fn call(url: &str, method: &str, headers: &[(&str, &str)], body: Option<&str>, credentials: bool) -> FetchCall {
    FetchCall {
        url: url.to_owned(),
        method: method.to_owned(),
        headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
        mode: RequestMode::Cors,
        credentials: if credentials { CredentialsMode::Include } else { CredentialsMode::Omit },
        body: body.map(str::to_owned),
    }
}

/// The value a page sends for a header (one that makes it CORS-unsafe).
fn header_value(name: &str) -> &'static str {
    match name.to_ascii_lowercase().as_str() {
        "content-type" => "application/json",
        "authorization" => "Bearer corslab",
        _ => "1",
    }
}

/// The request shapes: simple ones, each allowed method and header, and a
/// method and headers the policy does not allow.
fn shapes(case: &Case, url: &str, full: bool) -> Vec<FetchCall> {
    let credentials = case.config.credentials;
    let any_method = case.config.methods.iter().any(|m| m == "*");
    let methods: Vec<&str> = if case.config.methods.is_empty() || any_method {
        vec!["PUT"]
    } else {
        case.config.methods.iter().map(String::as_str).collect()
    };
    let json = [("Content-Type", "application/json")];
    let mut out = vec![
        call(url, "GET", &[], None, false),
        call(url, "GET", &[], None, true),
        call(url, methods[0], &json, Some("{}"), credentials),
    ];
    if !full {
        return out;
    }
    out.push(call(url, "POST", &[("Content-Type", "text/plain")], Some("x"), false));
    // JSON: a preflight for Content-Type, which the policy may not list.
    out.push(call(url, "POST", &json, Some("{}"), credentials));
    for method in &methods[1..] {
        out.push(call(url, method, &[], Some("x"), credentials));
    }
    if !any_method && !methods.contains(&"DELETE") {
        out.push(call(url, "DELETE", &[], None, false));
    }
    let listed: Vec<&str> = case.config.headers.iter().map(String::as_str).filter(|h| *h != "*").collect();
    for header in listed.iter().copied().chain(["X-Custom"]).take(listed.len().max(1)) {
        out.push(call(url, "GET", &[(header, header_value(header))], None, credentials));
    }
    out.push(call(url, "GET", &[("X-Unlisted", "1")], None, false));
    if !listed.iter().any(|h| h.eq_ignore_ascii_case("authorization")) {
        out.push(call(url, "GET", &[("Authorization", "Bearer corslab")], None, false));
    }
    if listed.len() > 1 {
        let all: Vec<(&str, &str)> = listed.iter().map(|h| (*h, header_value(h))).collect();
        out.push(call(url, "POST", &all, Some("{}"), credentials));
    }
    out
}

fn rows(case: &Case, policy: &CorsPolicy, url: &str) -> Vec<Row> {
    let (legit, origins) = origins(policy);
    let mut out = Vec::new();
    for origin in origins {
        let full = origin == legit || origin == "https://evil.example";
        for call in shapes(case, url, full) {
            out.push(Row { origin: origin.clone(), call });
        }
    }
    out
}

/// What the engine says a page gets from the policy itself.
fn expected(policy: &CorsPolicy, row: &Row, browser: Browser) -> bool {
    let page = Origin::parse(&row.origin).unwrap_or(Origin::Opaque);
    let mut cache = PreflightCache::new(browser.profile());
    let decision = decide(&row.call, &page, policy, browser, Context { cache: &mut cache, now_ms: 0 });
    passes(decision.outcome, row.call.mode)
}

/// The seconds a preflight answer may be cached for (5 when absent).
fn cached_for(value: Option<&str>) -> Option<u64> {
    match value {
        None => Some(5),
        Some(v) => v.trim().parse().ok(),
    }
}

async fn check_rows(client: &Client, policy: &CorsPolicy, app: &GeneratedApp, rows: Vec<Row>) -> CaseResult {
    let options = CheckOptions { browsers: Browser::ALL.to_vec(), audit: false };
    let checked: Vec<(Row, Result<corslab_net::CheckRun, corslab_net::NetError>)> = futures::stream::iter(rows)
        .map(|row| {
            let options = &options;
            async move {
                let request = row.request();
                let run = corslab_net::check(client, &request, options).await;
                (row, run)
            }
        })
        .buffer_unordered(ROWS_IN_FLIGHT)
        .collect()
        .await;
    let mut result = CaseResult::default();
    for (row, run) in checked {
        let run = match run {
            Ok(run) => run,
            Err(e) => {
                result.failures.push(format!("{}: no answer: {e}", row.describe()));
                continue;
            }
        };
        for (browser, check) in &run.report.browsers {
            result.exchanges += check.exchanges.len();
            let want = expected(policy, &row, *browser);
            if check.passed != want {
                let answers: Vec<String> = check
                    .exchanges
                    .iter()
                    .map(|e| {
                        let cors: Vec<String> = e
                            .response
                            .headers
                            .iter()
                            .filter(|(n, _)| n.to_ascii_lowercase().starts_with("access-control-"))
                            .map(|(n, v)| format!("{n}: {v}"))
                            .collect();
                        format!("{} → {} [{}]", e.request.method, e.response.status, cors.join("; "))
                    })
                    .collect();
                result.failures.push(format!(
                    "{} in {}: the policy says {}, the app {} ({}); answers: {}",
                    row.describe(),
                    browser.as_str(),
                    if want { "pass" } else { "block" },
                    if check.passed { "passes" } else { "blocks" },
                    check.expect.cors_error.as_deref().unwrap_or(&check.expect.outcome),
                    answers.join(" | ")
                ));
                continue;
            }
            if !check.passed {
                continue;
            }
            // Let through: the exposed headers are readable…
            for header in &app.sets_headers {
                if !check.expect.visible_headers.iter().any(|v| v.eq_ignore_ascii_case(header)) {
                    result.failures.push(format!(
                        "{} in {}: {header} is exposed but the page cannot read it (reads {})",
                        row.describe(),
                        browser.as_str(),
                        check.expect.visible_headers.join(", ")
                    ));
                }
            }
            // … and the preflight is cached as long as the policy says.
            if let Some(preflight) = check.exchanges.iter().find(|e| e.request.kind == WireKind::Preflight) {
                let method = preflight.request.header("access-control-request-method").unwrap_or("GET");
                let answer = policy.preflight(&row.origin, method, preflight.request.header("access-control-request-headers"));
                let want = cached_for(answer.header(CorsHeader::MaxAge));
                let got = cached_for(preflight.response.values("access-control-max-age").next());
                if want != got {
                    result.failures.push(format!(
                        "{} in {}: the preflight is cached {got:?} s, the policy says {want:?} s",
                        row.describe(),
                        browser.as_str()
                    ));
                }
            }
        }
    }
    result
}

/// One `--audit` run from the policy's first allowed origin: no finding of
/// severity high or critical; the lower ones are noted.
async fn audit_app(
    client: &Client,
    case: &Case,
    policy: &CorsPolicy,
    url: &str,
) -> (usize, Vec<String>, Vec<(Severity, &'static str)>) {
    let (legit, _) = origins(policy);
    let Ok(page) = Origin::parse(&legit) else { return (0, vec![format!("audit: {legit} is not an origin")], Vec::new()) };
    let shape = shapes(case, url, false).swap_remove(2);
    let request = CheckRequest {
        call: shape,
        page,
        cookies: case.config.credentials.then(|| "session=corslab".to_owned()),
        page_url: None,
    };
    let options = CheckOptions { browsers: vec![Browser::Chrome], audit: true };
    let run = match corslab_net::check(client, &request, &options).await {
        Ok(run) => run,
        Err(e) => return (0, vec![format!("audit: no answer: {e}")], Vec::new()),
    };
    let profile = Browser::Chrome.profile();
    let probes = audit::probes(&request).iter().filter(|p| p.to_wire(&request, profile).is_some()).count();
    let exchanges = run.report.browsers.values().map(|b| b.exchanges.len()).sum::<usize>() + probes - run.probe_errors.len();
    let mut failures: Vec<String> = run.probe_errors.iter().map(|(p, e)| format!("audit probe not answered ({p}): {e}")).collect();
    let mut notes = Vec::new();
    for finding in &run.report.findings {
        if finding.severity >= Severity::High {
            failures.push(format!("audit: [{}] {}: {} ({})", finding.severity, finding.id, finding.probe, finding.evidence));
        } else if finding.id != "local-network-access" {
            notes.push((finding.severity, finding.id));
        }
    }
    (exchanges, failures, notes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_stack_expresses_every_policy_of_the_table() {
        for case in cases() {
            for stack in Stack::ALL {
                let app = generate(stack, &case.config, &AppOptions { port: 9000 });
                assert!(app.is_ok(), "{stack} / {}: {:?}", case.name, app.err());
            }
        }
    }

    #[test]
    fn the_docs_show_what_the_generators_write() {
        let docs = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/fixes.md")).unwrap();
        let combined = cases().into_iter().find(|c| c.name == "combined").unwrap();
        let json = docs.split("```json\n").nth(1).and_then(|rest| rest.split("\n```").next()).unwrap();
        assert_eq!(serde_json::from_str::<PolicyConfig>(json).unwrap(), combined.config, "docs/fixes.md: the policy");
        for stack in Stack::ALL {
            let app = generate(stack, &combined.config, &AppOptions::default()).unwrap();
            assert!(
                docs.contains(app.entry_text().trim_end()),
                "docs/fixes.md: the {stack} snippet is not what `corslab fix --stack {stack}` writes now: refresh it"
            );
        }
    }

    #[test]
    fn rows_cover_allowed_and_refused_origins_and_shapes() {
        let case = cases().into_iter().find(|c| c.name == "subdomain-pattern").unwrap();
        let policy = CorsPolicy::new(&case.config).unwrap();
        let rows = rows(&case, &policy, "http://127.0.0.1:1/data");
        let origins: Vec<&str> = rows.iter().map(|r| r.origin.as_str()).collect();
        for origin in ["https://app.example.com", "https://a.b.example.com", "http://localhost:3000", "null", "https://evil.example"] {
            assert!(origins.contains(&origin), "{origin}");
        }
        assert!(origins.contains(&"https://app.example.com.evil.example"), "the audit's prefix probe");
        let passing = rows.iter().filter(|r| expected(&policy, r, Browser::Chrome)).count();
        assert!(passing > 5 && passing < rows.len() - 5, "{passing} of {} rows pass", rows.len());
    }
}
