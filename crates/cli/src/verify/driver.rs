//! Browser drivers: run one `fetch()` in a real browser and report what the
//! page, the browser's protocol and its console saw.
//!
//! [`BrowserDriver`] is the small interface the verify command needs; each
//! browser implements it in a module of its own: Chromium over the DevTools
//! protocol (`super::chromium`), Firefox over WebDriver BiDi
//! (`super::firefox`), WebKitGTK through a Python driver script under Xvfb
//! (`super::webkit`). Every browser gets a fresh profile and is stopped by
//! PID, its profile removed.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use corslab::Browser;
use serde::{Deserialize, Serialize};
use tokio::process::{Child, Command};

/// One `fetch()` to run: exactly what the page passes.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FetchSpec {
    pub(crate) url: String,
    pub(crate) method: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) mode: &'static str,
    pub(crate) credentials: &'static str,
    pub(crate) body: Option<String>,
}

/// What one `fetch()` came to, as the browser showed it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct FetchObservation {
    /// `ok`, `opaque`, `cors-error`, `type-error`, or `network-error`
    /// (rejected with no CORS error reported).
    pub(crate) outcome: String,
    pub(crate) status: Option<u16>,
    pub(crate) response_type: Option<String>,
    pub(crate) visible_headers: Vec<String>,
    pub(crate) cors_error: Option<String>,
    pub(crate) failed_parameter: Option<String>,
    pub(crate) console: Option<String>,
    /// Preflights the browser reported for this fetch; `None` when it
    /// reports none of its requests (WebKit): verify then counts them in
    /// the companion server's run log.
    pub(crate) preflights: Option<u32>,
    /// The page's error message, when fetch() rejected or threw.
    pub(crate) error: Option<String>,
}

/// Why a driver could not do its job.
#[derive(Debug)]
pub(crate) enum DriverError {
    /// A program the driver needs is missing.
    NotFound {
        /// What it is (`Chromium`, `Firefox ESR`, `Xvfb`, ...).
        what: &'static str,
        path: PathBuf,
        /// How to get it.
        hint: &'static str,
    },
    /// The browser did not start or the protocol failed.
    Browser(String),
    /// The fetch did not settle in time.
    Hung(Duration),
}

impl std::fmt::Display for DriverError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DriverError::NotFound { what, path, hint } => {
                write!(f, "{what} not found at {}: {hint}", path.display())
            }
            DriverError::Browser(message) => write!(f, "browser: {message}"),
            DriverError::Hung(timeout) => write!(f, "the fetch did not settle within {} s", timeout.as_secs_f32()),
        }
    }
}

impl std::error::Error for DriverError {}

impl DriverError {
    /// The message without the `browser: ` of [`DriverError::Browser`].
    pub(crate) fn detail(&self) -> String {
        match self {
            DriverError::Browser(message) => message.clone(),
            other => other.to_string(),
        }
    }
}

/// A browser the verify command can drive.
pub(crate) trait BrowserDriver {
    /// The engine profile that predicts this browser.
    fn browser(&self) -> Browser;
    /// The installed browser, as a recording's `recorded_with` names it
    /// (`Firefox 153.8.0esr headless`).
    fn version(&self) -> &str;
    /// Loads `url` in the page that runs the fetches.
    async fn open(&mut self, url: &str) -> Result<(), DriverError>;
    /// Runs one fetch in the open page and observes it.
    async fn fetch(&mut self, spec: &FetchSpec, timeout: Duration) -> Result<FetchObservation, DriverError>;
    /// Closes the browser; nothing is left running, its profile is removed.
    async fn close(self) -> Result<(), DriverError>;
}

/// The function each fetch runs in the page, given the [`FetchSpec`] as an
/// object. A `TypeError` from the `Request` constructor is `fetch()`
/// refusing before any network activity.
pub(crate) const FETCH_JS: &str = r#"async (spec) => {
  const init = { method: spec.method, headers: spec.headers, mode: spec.mode, credentials: spec.credentials };
  if (spec.body !== null) init.body = spec.body;
  let request;
  try { request = new Request(spec.url, init); }
  catch (e) { return { kind: "type-error", message: String(e) }; }
  try {
    const response = await fetch(request);
    const headers = [...new Set([...response.headers.keys()].map((k) => k.toLowerCase()))].sort();
    try { await response.arrayBuffer(); } catch (e) {}
    return { kind: "resolved", status: response.status, type: response.type, headers };
  } catch (e) {
    return { kind: "rejected", message: String(e) };
  }
}"#;

/// What [`FETCH_JS`] returns.
#[derive(Debug, Deserialize)]
pub(crate) struct PageResult {
    pub(crate) kind: String,
    pub(crate) status: Option<u16>,
    #[serde(rename = "type")]
    pub(crate) type_: Option<String>,
    pub(crate) headers: Option<Vec<String>>,
    pub(crate) message: Option<String>,
}

impl PageResult {
    /// Whether `fetch()` rejected (a network or CORS failure), as opposed to
    /// resolving or throwing before any request.
    pub(crate) fn rejected(&self) -> bool {
        self.kind == "rejected"
    }

    /// The observation as far as the page can tell: the outcome (a rejection
    /// is a `network-error` until the browser names a CORS error), status,
    /// type and readable headers.
    pub(crate) fn observation(self) -> FetchObservation {
        let mut observation = FetchObservation::default();
        match self.kind.as_str() {
            "resolved" => {
                let type_ = self.type_.unwrap_or_default();
                observation.outcome = if type_ == "opaque" { "opaque" } else { "ok" }.to_owned();
                observation.status = self.status;
                observation.response_type = Some(type_);
                observation.visible_headers = self.headers.unwrap_or_default();
            }
            "type-error" => {
                observation.outcome = "type-error".to_owned();
                observation.error = self.message;
            }
            _ => {
                observation.outcome = "network-error".to_owned();
                observation.error = self.message;
            }
        }
        observation
    }
}

/// A browser's fresh profile folder, removed when dropped: after a normal
/// close, and also when a run ends early (an error, Ctrl-C: verify then
/// drops its drivers, and every process it started is killed on drop).
#[derive(Debug)]
pub(crate) struct Profile(PathBuf);

impl Profile {
    /// A fresh, empty folder for one browser run.
    pub(crate) fn fresh(browser: &str) -> Result<Profile, DriverError> {
        let dir = std::env::temp_dir().join(format!(
            "corslab-verify-{browser}-{}-{}",
            std::process::id(),
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0)
        ));
        std::fs::create_dir(&dir).map_err(|e| DriverError::Browser(format!("profile {}: {e}", dir.display())))?;
        Ok(Profile(dir))
    }

    pub(crate) fn path(&self) -> &Path {
        &self.0
    }

    pub(crate) fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }

    /// The last lines of a log file in the profile, for an error message.
    pub(crate) fn log_tail(&self, name: &str) -> String {
        let log = std::fs::read_to_string(self.join(name)).unwrap_or_default();
        let mut tail: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).rev().take(5).collect();
        tail.reverse();
        tail.join(" | ")
    }
}

impl Drop for Profile {
    fn drop(&mut self) {
        match std::fs::remove_dir_all(&self.0) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                eprintln!("corslab verify: cannot remove {}: {e}", self.0.display());
            }
            _ => {}
        }
    }
}

/// Stops a process we started, by its PID: SIGTERM (so it cleans up after
/// itself: Xvfb its lock file and socket, Firefox its children), up to
/// `grace` to exit, then SIGKILL. Waits for it either way.
pub(crate) async fn stop(child: &mut Child, grace: Duration) {
    if matches!(child.try_wait(), Ok(Some(_))) {
        return;
    }
    if let Some(pid) = child.id() {
        // std and tokio only send SIGKILL, and this crate has no unsafe
        // code for kill(2): the `kill` utility sends SIGTERM to this PID.
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .await;
    }
    if tokio::time::timeout(grace, child.wait()).await.is_err() {
        let _ = child.start_kill();
        let _ = child.wait().await;
    }
}

/// The first line of `program --version` (trimmed), if it runs.
pub(crate) fn version_line(program: &Path) -> Option<String> {
    std::process::Command::new(program)
        .arg("--version")
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|v| v.lines().next().map(|l| l.trim().to_owned()))
        .filter(|l| !l.is_empty())
}
