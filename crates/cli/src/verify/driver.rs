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

/// One `fetch()` to run: exactly what the page passes, and where.
#[derive(Clone, Debug, Serialize)]
pub(crate) struct FetchSpec {
    pub(crate) url: String,
    pub(crate) method: String,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) mode: &'static str,
    pub(crate) credentials: &'static str,
    /// `follow`, `error` or `manual`.
    pub(crate) redirect: &'static str,
    pub(crate) body: Option<String>,
    /// Where the fetch runs: `window`, `sandboxed-iframe`, `data-iframe`
    /// or `blank-iframe` (see [`page_function`]).
    pub(crate) context: &'static str,
    /// The fixed page a `sandboxed-iframe` loads (the companion server's
    /// `/frame/fetch` on the top page's origin).
    pub(crate) frame_url: String,
    /// Every URL the fetch may reach (hop 0, then each hop), so a driver
    /// tells this fetch's requests and console lines from others'. Not
    /// passed to the page.
    #[serde(skip)]
    pub(crate) hop_urls: Vec<String>,
}

impl FetchSpec {
    /// Whether `text` names one of this fetch's URLs (with or without the
    /// userinfo a hop's URL may carry).
    pub(crate) fn names_ours(&self, text: &str) -> bool {
        text.contains(&self.url) || self.hop_urls.iter().any(|u| text.contains(u.as_str()) || text.contains(&without_userinfo(u)))
    }

    /// Whether `url` is one of this fetch's URLs (as a browser reports a
    /// request: without userinfo).
    pub(crate) fn is_ours(&self, url: &str) -> bool {
        url == self.url || self.hop_urls.iter().any(|u| u == url || without_userinfo(u) == url)
    }
}

/// `url` without its `user:pass@`.
pub(crate) fn without_userinfo(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut parsed) if !parsed.username().is_empty() || parsed.password().is_some() => {
            let _ = parsed.set_username("");
            let _ = parsed.set_password(None);
            parsed.to_string()
        }
        _ => url.to_owned(),
    }
}

/// What one `fetch()` came to, as the browser showed it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub(crate) struct FetchObservation {
    /// `ok`, `opaque`, `cors-error`, `type-error`, `network-error`
    /// (rejected with no CORS error reported), or `pending` (neither
    /// resolved nor rejected within the observation window).
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
    /// `response.redirected`, when it resolved.
    pub(crate) redirected: Option<bool>,
    /// `response.url`, when it resolved.
    pub(crate) url: Option<String>,
    /// The browser's network error text for a rejected fetch (Chromium's
    /// `loadingFailed.errorText`; no other browser reports one).
    pub(crate) net_error: Option<String>,
}

impl FetchObservation {
    /// A fetch that had not settled when the window closed: what the
    /// drivers then fill in is what was seen meanwhile.
    pub(crate) fn pending() -> FetchObservation {
        FetchObservation { outcome: "pending".to_owned(), ..FetchObservation::default() }
    }
}

/// What a browser is started with for a scenario's `environment`
/// (`cors-scenarios/2`), at the live origins: verify starts a browser of its
/// own for each environment.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub(crate) struct Environment {
    /// Chromium's extra switches, as written (`--name=value`): the address
    /// space overrides and the scenario's own.
    pub(crate) chromium_switches: Vec<String>,
    /// Firefox's prefs for the fresh profile: the address space overrides
    /// and the scenario's own, values as JSON.
    pub(crate) firefox_prefs: Vec<(String, serde_json::Value)>,
    /// Permissions granted to [`page_origin`](Self::page_origin) before the
    /// first fetch, by CDP `PermissionType` name.
    pub(crate) grants: Vec<String>,
    /// The top-level page's origin.
    pub(crate) page_origin: String,
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
    /// Runs one fetch in the open page and observes it for at most
    /// `window`: a fetch that has not settled by then is `pending`, with
    /// what was seen meanwhile (the page must then be opened again).
    async fn fetch(&mut self, spec: &FetchSpec, window: Duration) -> Result<FetchObservation, DriverError>;
    /// Closes the browser; nothing is left running, its profile is removed.
    async fn close(self) -> Result<(), DriverError>;
}

/// The function each fetch runs in the top-level page, given the
/// [`FetchSpec`] as an object: [`FETCH_JS`] in the page itself (`window`),
/// or in an iframe the page makes for it: `<iframe sandbox="allow-scripts"
/// src="/frame/fetch">` (`sandboxed-iframe`: an opaque origin) or an
/// `<iframe src="data:text/html,…">` holding the same fixed page
/// (`data-iframe`: opaque too), each sent the spec by `postMessage` and
/// posting the result back; or an `<iframe>` without `src` (`blank-iframe`:
/// `about:blank`, the page's own origin), whose own realm runs the fetch.
/// A frame stays until the next fetch, so nothing it logs late is lost.
pub(crate) fn page_function() -> &'static str {
    static FUNCTION: std::sync::LazyLock<String> = std::sync::LazyLock::new(|| {
        let frame_html = serde_json::to_string(&corslab_server::fetch_frame::frame_html()).unwrap_or_default();
        format!(
            r#"async (spec) => {{
  const run = {FETCH_JS};
  for (const old of document.querySelectorAll("iframe[data-corslab]")) old.remove();
  if (!spec.context || spec.context === "window") return run(spec);
  const frame = document.createElement("iframe");
  frame.setAttribute("data-corslab", spec.context);
  if (spec.context === "sandboxed-iframe") {{
    frame.setAttribute("sandbox", "allow-scripts");
    frame.src = spec.frame_url;
  }} else if (spec.context === "data-iframe") {{
    frame.src = "data:text/html," + encodeURIComponent({frame_html});
  }} else if (spec.context !== "blank-iframe") {{
    return {{ kind: "driver-error", message: "unknown context " + spec.context }};
  }}
  const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, {{ once: true }}));
  document.body.appendChild(frame);
  if (spec.context === "blank-iframe") {{
    const inner = frame.contentWindow.eval("(" + run.toString() + ")");
    return JSON.parse(JSON.stringify(await inner(spec)));
  }}
  await loaded;
  const id = String(Math.random()).slice(2);
  const answer = new Promise((resolve) => {{
    addEventListener("message", function listen(event) {{
      if (event.source !== frame.contentWindow) return;
      let data;
      try {{ data = JSON.parse(event.data); }} catch (e) {{ return; }}
      if (!data || data.id !== id) return;
      removeEventListener("message", listen);
      resolve(data.result);
    }});
  }});
  frame.contentWindow.postMessage(JSON.stringify(Object.assign({{ id }}, spec)), "*");
  return answer;
}}"#
        )
    });
    FUNCTION.as_str()
}

/// The function that runs one `fetch()` (the companion server's, which its
/// fixed frame page runs too).
pub(crate) use corslab_server::fetch_frame::FETCH_JS;

/// What [`FETCH_JS`] returns.
#[derive(Debug, Deserialize)]
pub(crate) struct PageResult {
    pub(crate) kind: String,
    pub(crate) status: Option<u16>,
    #[serde(rename = "type")]
    pub(crate) type_: Option<String>,
    pub(crate) headers: Option<Vec<String>>,
    pub(crate) message: Option<String>,
    pub(crate) redirected: Option<bool>,
    pub(crate) url: Option<String>,
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
                // `opaqueredirect` (redirect: "manual") is recorded `opaque` too.
                observation.outcome = if type_.starts_with("opaque") { "opaque" } else { "ok" }.to_owned();
                observation.status = self.status;
                observation.response_type = Some(type_);
                observation.visible_headers = self.headers.unwrap_or_default();
                observation.redirected = self.redirected;
                observation.url = self.url;
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
