//! WebKitGTK, driven the way `expect.webkit` was recorded: a WebKitWebView
//! in Debian's `/usr/bin/python3` (`python3-gi`, `gir1.2-webkit2-4.1`)
//! under an Xvfb this driver starts and stops by PID. The Python side
//! (`webkit_driver.py`, written into the fresh profile) runs each fetch it
//! is sent and answers with the page's result and the console lines
//! WebKit printed meanwhile: `enable-write-console-messages-to-stdout` on
//! a non-ephemeral context is the one way found to see WebKit's console
//! (WebKitWebDriver sees fetch results but no console).
//!
//! WebKit reports no requests to its embedder: the preflights are counted
//! by verify in the companion server's run log (`preflights: None`). WebKit
//! has no error codes either: `cors_error` is the name of the first line's
//! message template, read from its text (`super::console`).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use corslab::Browser;
use serde::Deserialize;
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, Lines};
use tokio::process::{Child, ChildStdin, ChildStdout, Command};

use super::console::{webkit_error, webkit_is_generic, webkit_text};
use super::driver::{BrowserDriver, DriverError, FetchObservation, FetchSpec, PageResult, Profile, page_function, stop};

/// The Python side, written into each run's profile.
const DRIVER_PY: &str = include_str!("webkit_driver.py");

/// How long the driver may take to start or to load a page.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// What the driver script answers.
#[derive(Debug, Default, Deserialize)]
struct Reply {
    #[serde(default)]
    ready: bool,
    version: Option<String>,
    #[serde(default)]
    ok: bool,
    error: Option<String>,
    result: Option<PageResult>,
    #[serde(default)]
    hung: bool,
    #[serde(default)]
    console: Vec<String>,
}

/// Where the programs are.
#[derive(Clone, Debug)]
pub(crate) struct WebkitPrograms {
    /// A Python with `gi` and WebKit2 4.1 (Debian's `/usr/bin/python3`).
    pub(crate) python: PathBuf,
    /// `Xvfb`.
    pub(crate) xvfb: PathBuf,
}

/// WebKitGTK in a Python driver under Xvfb.
pub(crate) struct Webkit {
    /// Killed if dropped running (an interrupted run), as is Xvfb.
    driver: Child,
    stdin: ChildStdin,
    replies: Lines<BufReader<ChildStdout>>,
    version: String,
    xvfb: Xvfb,
    /// Last: removed once the driver and Xvfb are gone.
    profile: Profile,
}

/// Our Xvfb, and the lock file and socket it keeps for its display.
struct Xvfb {
    child: Child,
    display: u32,
    /// Whether it was stopped cleanly (by SIGTERM it removes its own files;
    /// killed, it cannot).
    stopped: bool,
}

impl Xvfb {
    async fn stop(&mut self) {
        stop(&mut self.child, Duration::from_secs(5)).await;
        self.stopped = true;
    }
}

impl Drop for Xvfb {
    /// Dropped running (an interrupted run): killed on drop, so its display's
    /// files are removed here. (After a clean stop they are gone already and
    /// the display may be another Xvfb's by now: nothing is touched.)
    fn drop(&mut self) {
        if !self.stopped {
            let _ = self.child.start_kill();
            let _ = std::fs::remove_file(format!("/tmp/.X{}-lock", self.display));
            let _ = std::fs::remove_file(format!("/tmp/.X11-unix/X{}", self.display));
        }
    }
}

impl std::fmt::Debug for Webkit {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webkit").field("profile", &self.profile).field("version", &self.version).finish_non_exhaustive()
    }
}

impl Webkit {
    /// Starts Xvfb on a free display, then the driver with a fresh profile.
    pub(crate) async fn launch(programs: &WebkitPrograms) -> Result<Webkit, DriverError> {
        for (what, path, hint) in [
            (
                "Python with WebKitGTK",
                &programs.python,
                "install python3-gi and gir1.2-webkit2-4.1 with `make setup` (Debian's /usr/bin/python3), or pass --python PATH",
            ),
            ("Xvfb", &programs.xvfb, "install xvfb with `make setup` (Debian: apt-get install xvfb), or pass --xvfb PATH"),
        ] {
            if !path.exists() {
                return Err(DriverError::NotFound { what, path: path.clone(), hint });
            }
        }
        let profile = Profile::fresh("webkit")?;
        let mut child = start_xvfb(&programs.xvfb).await?;
        let display = match read_display(&mut child).await {
            Ok(display) => display,
            Err(e) => {
                stop(&mut child, Duration::from_secs(5)).await;
                return Err(e);
            }
        };
        let mut xvfb = Xvfb { child, display, stopped: false };
        match start_driver(&programs.python, &profile, display).await {
            Ok((driver, stdin, replies, version)) => {
                Ok(Webkit { driver, stdin, replies, version: format!("WebKitGTK {version} (Xvfb)"), xvfb, profile })
            }
            Err(e) => {
                xvfb.stop().await;
                Err(DriverError::Browser(format!("WebKit driver: {} (its last output: {})", e.detail(), profile.log_tail("driver.log"))))
            }
        }
    }

    /// Sends one request and waits for its reply.
    async fn ask(&mut self, request: serde_json::Value, timeout: Duration) -> Result<Reply, DriverError> {
        ask(&mut self.stdin, &mut self.replies, &request, timeout).await
    }
}

/// Starts `Xvfb` on the first free display; it writes the display's number
/// to its stdout (`-displayfd 1`) once it accepts clients.
async fn start_xvfb(xvfb: &Path) -> Result<Child, DriverError> {
    Command::new(xvfb)
        .args(["-displayfd", "1", "-nolisten", "tcp", "-screen", "0", "1280x1024x24"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| DriverError::Browser(format!("cannot start {}: {e}", xvfb.display())))
}

async fn read_display(xvfb: &mut Child) -> Result<u32, DriverError> {
    let stdout = xvfb.stdout.take().ok_or_else(|| DriverError::Browser("Xvfb: no stdout".to_owned()))?;
    let mut lines = BufReader::new(stdout).lines();
    match tokio::time::timeout(START_TIMEOUT, lines.next_line()).await {
        Ok(Ok(Some(line))) => {
            line.trim().parse::<u32>().map_err(|_| DriverError::Browser(format!("Xvfb did not start (said {line:?})")))
        }
        Ok(Ok(other)) => Err(DriverError::Browser(format!("Xvfb did not start (said {other:?})"))),
        Ok(Err(e)) => Err(DriverError::Browser(format!("Xvfb: {e}"))),
        Err(_) => Err(DriverError::Browser("Xvfb did not start within 30 s".to_owned())),
    }
}

/// Starts the Python driver on `display`, everything it writes kept inside
/// the profile (WebKit's data and cache, GLib's XDG folders, its log).
async fn start_driver(
    python: &Path,
    profile: &Profile,
    display: u32,
) -> Result<(Child, ChildStdin, Lines<BufReader<ChildStdout>>, String), DriverError> {
    let io = |e: std::io::Error| DriverError::Browser(format!("{}: {e}", profile.path().display()));
    let script = profile.join("webkit_driver.py");
    std::fs::write(&script, DRIVER_PY).map_err(io)?;
    for dir in ["xdg-cache", "xdg-data", "xdg-config", "xdg-runtime"] {
        std::fs::create_dir(profile.join(dir)).map_err(io)?;
    }
    let log = std::fs::File::create(profile.join("driver.log")).map_err(io)?;
    let mut child = Command::new(python)
        .arg(&script)
        .arg(profile.path())
        .env("DISPLAY", format!(":{display}"))
        .env("GDK_BACKEND", "x11")
        .env("NO_AT_BRIDGE", "1")
        .env("XDG_CACHE_HOME", profile.join("xdg-cache"))
        .env("XDG_DATA_HOME", profile.join("xdg-data"))
        .env("XDG_CONFIG_HOME", profile.join("xdg-config"))
        .env("XDG_RUNTIME_DIR", profile.join("xdg-runtime"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(log)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| DriverError::Browser(format!("cannot start {}: {e}", python.display())))?;
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        stop(&mut child, Duration::from_secs(5)).await;
        return Err(DriverError::Browser("no pipes to the driver".to_owned()));
    };
    let mut replies = BufReader::new(stdout).lines();
    let ready = match tokio::time::timeout(START_TIMEOUT, replies.next_line()).await {
        Ok(Ok(Some(line))) => serde_json::from_str::<Reply>(&line).ok().filter(|r| r.ready),
        _ => None,
    };
    match ready {
        Some(reply) => Ok((child, stdin, replies, reply.version.unwrap_or_else(|| "?".to_owned()))),
        None => {
            stop(&mut child, Duration::from_secs(5)).await;
            Err(DriverError::Browser("the driver did not start".to_owned()))
        }
    }
}

async fn ask(
    stdin: &mut ChildStdin,
    replies: &mut Lines<BufReader<ChildStdout>>,
    request: &serde_json::Value,
    timeout: Duration,
) -> Result<Reply, DriverError> {
    let line = request.to_string() + "\n";
    stdin.write_all(line.as_bytes()).await.map_err(|e| DriverError::Browser(format!("driver: {e}")))?;
    stdin.flush().await.map_err(|e| DriverError::Browser(format!("driver: {e}")))?;
    match tokio::time::timeout(timeout, replies.next_line()).await {
        Err(_) => Err(DriverError::Browser(format!("the driver did not answer within {} s", timeout.as_secs()))),
        Ok(Err(e)) => Err(DriverError::Browser(format!("driver: {e}"))),
        Ok(Ok(None)) => Err(DriverError::Browser("the driver exited".to_owned())),
        Ok(Ok(Some(line))) => {
            let reply: Reply =
                serde_json::from_str(&line).map_err(|e| DriverError::Browser(format!("driver said {line:?}: {e}")))?;
            match reply.error {
                Some(error) => Err(DriverError::Browser(error)),
                None => Ok(reply),
            }
        }
    }
}

impl BrowserDriver for Webkit {
    fn browser(&self) -> Browser {
        Browser::Webkit
    }

    fn version(&self) -> &str {
        &self.version
    }

    async fn open(&mut self, url: &str) -> Result<(), DriverError> {
        let reply = self.ask(json!({ "cmd": "open", "url": url }), START_TIMEOUT).await?;
        if reply.ok { Ok(()) } else { Err(DriverError::Browser(format!("cannot load {url}"))) }
    }

    async fn fetch(&mut self, spec: &FetchSpec, window: Duration) -> Result<FetchObservation, DriverError> {
        let request = json!({
            "cmd": "fetch",
            "spec": spec,
            // The script hands the spec over as JSON text.
            "function": format!("async (text) => ({})(JSON.parse(text))", page_function()),
            "timeout_ms": u64::try_from(window.as_millis()).unwrap_or(u64::MAX),
        });
        // The script gives up on the fetch after the window, then waits for
        // the console to settle: a little more for its answer.
        let reply = self.ask(request, window + Duration::from_secs(5)).await?;
        let texts: Vec<&str> = reply.console.iter().filter_map(|line| webkit_text(line)).collect();
        if std::env::var_os("CORSLAB_VERIFY_DEBUG").is_some() {
            eprintln!("webkit: {texts:?}");
        }
        let (mut observation, rejected) = if reply.hung {
            (FetchObservation::pending(), false)
        } else {
            let result = reply.result.ok_or_else(|| DriverError::Browser("the driver gave no result".to_owned()))?;
            if result.kind == "driver-error" {
                return Err(DriverError::Browser(format!("evaluate: {}", result.message.unwrap_or_default())));
            }
            let rejected = result.rejected();
            (result.observation(), rejected)
        };
        // The first specific line: every failure ends with a generic one.
        observation.console = texts.iter().find(|t| !webkit_is_generic(t)).map(|t| (*t).to_owned());
        if let Some((name, parameter)) = texts.iter().find_map(|t| webkit_error(t)) {
            observation.cors_error = Some(name);
            observation.failed_parameter = parameter;
            if rejected {
                observation.outcome = "cors-error".to_owned();
            }
        }
        Ok(observation)
    }

    async fn close(mut self) -> Result<(), DriverError> {
        let quit = self.stdin.write_all(b"{\"cmd\": \"quit\"}\n").await;
        drop(self.stdin);
        if quit.is_err() || tokio::time::timeout(Duration::from_secs(10), self.driver.wait()).await.is_err() {
            stop(&mut self.driver, Duration::from_secs(5)).await;
        }
        self.xvfb.stop().await;
        // (The profile goes when `self` is dropped, now.)
        Ok(())
    }
}
