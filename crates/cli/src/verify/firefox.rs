//! Firefox ESR over WebDriver BiDi, which Firefox speaks natively
//! (`--remote-debugging-port`; no geckodriver): the page result from
//! `script.callFunction`, preflights from `network.beforeRequestSent`, and
//! the console lines.
//!
//! The console lines are the one thing BiDi does not give whole: its
//! `log.entryAdded` carries error-level lines only (checked with Firefox
//! 153.8: the `Cross-Origin Request Warning` that `Authorization` under
//! `Access-Control-Allow-Headers: *` logs never arrives), and a recording's
//! `console` is the first line, warnings included. So Firefox starts with
//! `-remote-allow-system-access`, and a script in the browser's own (chrome)
//! realm listens to the console service, which sees every line, errors and
//! warnings in the order Firefox logged them; the driver reads them after
//! each fetch. The reason code and the failed parameter are read from the
//! text of the first line that blocks (`super::console`).

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use corslab::Browser;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::process::{Child, Command};

use super::bidi::Bidi;
use super::console::firefox_error;
use super::driver::{
    BrowserDriver, DriverError, Environment, FetchObservation, FetchSpec, PageResult, Profile, page_function, stop,
    version_line,
};

/// Preferences written to the fresh profile's `user.js`: no first-run pages,
/// no update, telemetry, experiment or safe-browsing traffic (this network
/// refuses it, and it would only slow the run down). Nothing here changes
/// how Firefox applies CORS: the recordings were made with Firefox's
/// defaults (the remote agent adds its own recommended automation prefs,
/// none about CORS).
const USER_JS: &str = r#"user_pref("browser.shell.checkDefaultBrowser", false);
user_pref("browser.startup.homepage_override.mstone", "ignore");
user_pref("browser.startup.page", 0);
user_pref("browser.aboutwelcome.enabled", false);
user_pref("datareporting.policy.dataSubmissionEnabled", false);
user_pref("datareporting.healthreport.uploadEnabled", false);
user_pref("toolkit.telemetry.enabled", false);
user_pref("toolkit.telemetry.unified", false);
user_pref("app.normandy.enabled", false);
user_pref("app.update.disabledForTesting", true);
user_pref("app.update.auto", false);
user_pref("messaging-system.rsexperimentloader.enabled", false);
user_pref("services.settings.server", "data:,#remote-settings-dummy/v1");
user_pref("browser.region.network.url", "");
user_pref("browser.region.update.enabled", false);
user_pref("network.captive-portal-service.enabled", false);
user_pref("network.connectivity-service.enabled", false);
user_pref("browser.safebrowsing.malware.enabled", false);
user_pref("browser.safebrowsing.phishing.enabled", false);
user_pref("browser.safebrowsing.downloads.enabled", false);
user_pref("browser.safebrowsing.update.enabled", false);
user_pref("extensions.update.enabled", false);
user_pref("extensions.getAddons.cache.enabled", false);
user_pref("browser.newtabpage.enabled", false);
user_pref("browser.topsites.contile.enabled", false);
user_pref("network.dns.disablePrefetch", true);
user_pref("network.prefetch-next", false);
user_pref("network.http.speculative-parallel-limit", 0);
"#;

/// Registers (once) a console-service listener in the chrome realm; each
/// entry keeps the text and whether it is a warning.
const CONSOLE_LISTENER_JS: &str = r#"(() => {
  if (globalThis.__corslabConsole) return "present";
  const buffer = [];
  const listener = {
    observe(message) {
      if (!(message instanceof Ci.nsIScriptError)) return;
      buffer.push({ text: message.errorMessage, warning: (message.flags & Ci.nsIScriptError.warningFlag) !== 0 });
    },
    QueryInterface: ChromeUtils.generateQI(["nsIConsoleListener"]),
  };
  Services.console.registerListener(listener);
  globalThis.__corslabConsole = buffer;
  return "ok";
})()"#;

/// Grants a permission (`loopback-network`, `local-network`) to an origin,
/// from the chrome realm: `(origin, permission) => "ok"`.
const GRANT_JS: &str = r#"(origin, permission) => {
  const principal = Services.scriptSecurityManager.createContentPrincipalFromOrigin(origin);
  Services.perms.addFromPrincipal(principal, permission, Services.perms.ALLOW_ACTION);
  return Services.perms.testExactPermissionFromPrincipal(principal, permission) === Services.perms.ALLOW_ACTION ? "ok" : "not granted";
}"#;

/// Firefox's permission for a CDP `PermissionType` name, if it has one
/// (`../shared/scenarios/README.md`: other names grant nothing).
fn firefox_permission(cdp: &str) -> Option<&'static str> {
    match cdp {
        "loopbackNetwork" => Some("loopback-network"),
        "localNetwork" => Some("local-network"),
        _ => None,
    }
}

/// Takes every console entry gathered so far.
const CONSOLE_DRAIN_JS: &str = "JSON.stringify(globalThis.__corslabConsole.splice(0))";

/// How long protocol commands other than the fetch may take.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// A console entry.
#[derive(Debug, Deserialize)]
struct ConsoleEntry {
    text: String,
    warning: bool,
}

/// Headless Firefox ESR over WebDriver BiDi.
pub(crate) struct Firefox {
    /// Killed if dropped running (an interrupted run).
    child: Child,
    bidi: Bidi,
    /// The tab that runs the fetches.
    content: String,
    /// The browser window's chrome context (the console listener).
    chrome: String,
    version: String,
    /// Last: removed once Firefox is gone.
    profile: Profile,
}

impl std::fmt::Debug for Firefox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Firefox").field("profile", &self.profile).field("version", &self.version).finish_non_exhaustive()
    }
}

impl Firefox {
    /// Starts headless Firefox with a fresh profile (the environment's prefs
    /// written into it) and opens a BiDi session; then grants the
    /// environment's permissions.
    pub(crate) async fn launch(executable: &Path, environment: &Environment) -> Result<Firefox, DriverError> {
        if !executable.exists() {
            return Err(DriverError::NotFound {
                what: "Firefox ESR",
                path: executable.to_owned(),
                hint: "install it with `make setup` (Debian: apt-get install firefox-esr) or pass --firefox PATH",
            });
        }
        // `Mozilla Firefox 153.8.0esr` -> `Firefox 153.8.0esr headless`.
        let version = version_line(executable)
            .map(|v| format!("{} headless", v.trim_start_matches("Mozilla ")))
            .unwrap_or_else(|| "Firefox headless".to_owned());
        let profile = Profile::fresh("firefox")?;
        let io = |e: std::io::Error| DriverError::Browser(format!("{}: {e}", profile.path().display()));
        let mut user_js = USER_JS.to_owned();
        for (name, value) in &environment.firefox_prefs {
            // A JSON string, number or boolean is the same in user.js.
            let name = serde_json::to_string(name).map_err(|e| DriverError::Browser(e.to_string()))?;
            user_js.push_str(&format!("user_pref({name}, {value});\n"));
        }
        std::fs::write(profile.join("user.js"), user_js).map_err(io)?;
        let log = std::fs::File::create(profile.join("firefox.log")).map_err(io)?;
        let log_err = log.try_clone().map_err(io)?;
        let mut child = Command::new(executable)
            .args(["--headless", "--no-remote", "--remote-debugging-port", "0", "-remote-allow-system-access"])
            .arg("--profile")
            .arg(profile.path())
            .stdin(Stdio::null())
            .stdout(log)
            .stderr(log_err)
            .kill_on_drop(true)
            .spawn()
            .map_err(|e| DriverError::Browser(format!("cannot start {}: {e}", executable.display())))?;
        let started = match Self::session(&mut child, profile.path()).await {
            Ok((mut bidi, content, chrome)) => match grant(&mut bidi, &chrome, environment).await {
                Ok(()) => Ok((bidi, content, chrome)),
                Err(e) => Err(e),
            },
            Err(e) => Err(e),
        };
        match started {
            Ok((bidi, content, chrome)) => Ok(Firefox { child, bidi, content, chrome, version, profile }),
            Err(e) => {
                stop(&mut child, Duration::from_secs(5)).await;
                Err(DriverError::Browser(format!("Firefox: {} (its last output: {})", e.detail(), profile.log_tail("firefox.log"))))
            }
        }
    }

    /// Waits for the BiDi port, opens a session, installs the console
    /// listener and subscribes to the network events.
    async fn session(child: &mut Child, profile: &Path) -> Result<(Bidi, String, String), DriverError> {
        let port_file = profile.join("WebDriverBiDiServer.json");
        let deadline = Instant::now() + Duration::from_secs(30);
        let endpoint = loop {
            if let Ok(Some(status)) = child.try_wait() {
                return Err(DriverError::Browser(format!("Firefox exited at start ({status})")));
            }
            let found = std::fs::read_to_string(&port_file)
                .ok()
                .and_then(|text| serde_json::from_str::<Value>(&text).ok())
                .and_then(|v| Some((v["ws_host"].as_str()?.to_owned(), v["ws_port"].as_u64()?)));
            if let Some((host, port)) = found {
                break format!("ws://{host}:{port}/session");
            }
            if Instant::now() > deadline {
                return Err(DriverError::Browser("no WebDriverBiDiServer.json in the profile after 30 s".to_owned()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        };
        let mut bidi = Bidi::connect(&endpoint).await?;
        bidi.command("session.new", json!({ "capabilities": {} }), COMMAND_TIMEOUT).await?;
        let tree = bidi.command("browsingContext.getTree", json!({ "moz:scope": "chrome" }), COMMAND_TIMEOUT).await?;
        let chrome = first_context(&tree)?;
        let installed = evaluate(&mut bidi, &chrome, CONSOLE_LISTENER_JS).await?;
        if installed.as_str() != Some("ok") {
            return Err(DriverError::Browser(format!("console listener: {installed}")));
        }
        let tree = bidi.command("browsingContext.getTree", json!({}), COMMAND_TIMEOUT).await?;
        let content = first_context(&tree)?;
        bidi.command(
            "session.subscribe",
            json!({ "events": ["network.beforeRequestSent"], "contexts": [content] }),
            COMMAND_TIMEOUT,
        )
        .await?;
        Ok((bidi, content, chrome))
    }

    /// Every console entry logged since the last call.
    async fn console(&mut self) -> Result<Vec<ConsoleEntry>, DriverError> {
        let value = evaluate(&mut self.bidi, &self.chrome, CONSOLE_DRAIN_JS).await?;
        let text = value.as_str().ok_or_else(|| DriverError::Browser(format!("console drain: {value}")))?;
        serde_json::from_str(text).map_err(|e| DriverError::Browser(format!("console drain: {e}")))
    }

    /// Forgets the events and console entries gathered so far.
    async fn forget(&mut self) -> Result<(), DriverError> {
        while self.bidi.try_event().is_some() {}
        self.console().await.map(|_| ())
    }
}

/// Grants the environment's permissions that Firefox has to its page's
/// origin, with `Services.perms` in the chrome realm.
async fn grant(bidi: &mut Bidi, chrome: &str, environment: &Environment) -> Result<(), DriverError> {
    for permission in environment.grants.iter().filter_map(|g| firefox_permission(g)) {
        let call = json!({
            "functionDeclaration": GRANT_JS,
            "awaitPromise": false,
            "target": { "context": chrome },
            "arguments": [
                { "type": "string", "value": environment.page_origin },
                { "type": "string", "value": permission },
            ],
            "resultOwnership": "none",
        });
        let granted = script_value(bidi.command("script.callFunction", call, COMMAND_TIMEOUT).await?)?;
        if granted.as_str() != Some("ok") {
            return Err(DriverError::Browser(format!("{permission} for {}: {granted}", environment.page_origin)));
        }
    }
    Ok(())
}

/// Whether a console line is one of Firefox's Local Network Access notes
/// (`LocalNetworkAccessPermissionRequired`, `LocalNetworkAccessDetected`).
fn is_local_network_line(text: &str) -> bool {
    text.starts_with("Local Network Access ")
}

/// A line's text up to its first line break (what follows is the JS stack
/// of the fetch that triggered it).
fn first_line(text: &str) -> String {
    text.split('\n').next().unwrap_or_default().trim_end().to_owned()
}

/// The first browsing context of a `browsingContext.getTree` result.
fn first_context(tree: &Value) -> Result<String, DriverError> {
    tree["contexts"][0]["context"]
        .as_str()
        .map(str::to_owned)
        .ok_or_else(|| DriverError::Browser(format!("no browsing context in {tree}")))
}

/// Evaluates `expression` in `context` and returns its (primitive) value.
async fn evaluate(bidi: &mut Bidi, context: &str, expression: &str) -> Result<Value, DriverError> {
    let result = bidi
        .command(
            "script.evaluate",
            json!({ "expression": expression, "target": { "context": context }, "awaitPromise": false, "resultOwnership": "none" }),
            COMMAND_TIMEOUT,
        )
        .await?;
    script_value(result)
}

/// The value of a script result, or its exception as an error.
fn script_value(mut result: Value) -> Result<Value, DriverError> {
    if result["type"] == "exception" {
        return Err(DriverError::Browser(format!("script: {}", result["exceptionDetails"]["text"])));
    }
    Ok(result["result"]["value"].take())
}

/// Whether a `network.beforeRequestSent` is a preflight of one of the
/// fetch's URLs: `OPTIONS` with `Access-Control-Request-Method`.
fn is_preflight_of(params: &Value, spec: &FetchSpec) -> bool {
    let request = &params["request"];
    request["url"].as_str().is_some_and(|url| spec.is_ours(url))
        && request["method"] == "OPTIONS"
        && request["headers"].as_array().is_some_and(|headers| {
            headers.iter().any(|h| h["name"].as_str().is_some_and(|n| n.eq_ignore_ascii_case("access-control-request-method")))
        })
}

impl BrowserDriver for Firefox {
    fn browser(&self) -> Browser {
        Browser::Firefox
    }

    fn version(&self) -> &str {
        &self.version
    }

    async fn open(&mut self, url: &str) -> Result<(), DriverError> {
        self.bidi
            .command(
                "browsingContext.navigate",
                json!({ "context": self.content, "url": url, "wait": "complete" }),
                COMMAND_TIMEOUT,
            )
            .await
            .map_err(|e| DriverError::Browser(format!("cannot load {url}: {e}")))?;
        self.forget().await
    }

    async fn fetch(&mut self, spec: &FetchSpec, window: Duration) -> Result<FetchObservation, DriverError> {
        self.forget().await?;
        let argument = serde_json::to_string(spec).map_err(|e| DriverError::Browser(e.to_string()))?;
        let call = json!({
            "functionDeclaration": format!("async (text) => JSON.stringify(await ({})(JSON.parse(text)))", page_function()),
            "awaitPromise": true,
            "target": { "context": self.content },
            "arguments": [{ "type": "string", "value": argument }],
            "resultOwnership": "none",
        });
        let result: Option<PageResult> = match self.bidi.command("script.callFunction", call, window).await {
            // Not settled within the window: pending.
            Err(DriverError::Hung(_)) => None,
            Err(e) => return Err(e),
            Ok(answer) => {
                let value = script_value(answer)?;
                let text = value.as_str().ok_or_else(|| DriverError::Browser(format!("page result: {value}")))?;
                Some(serde_json::from_str(text).map_err(|e| DriverError::Browser(format!("page result: {e}")))?)
            }
        };
        if let Some(PageResult { kind, message, .. }) = &result
            && kind == "driver-error"
        {
            return Err(DriverError::Browser(format!("page: {}", message.as_deref().unwrap_or_default())));
        }
        let rejected = result.as_ref().is_some_and(PageResult::rejected);
        let pending = result.is_none();
        let mut observation = result.map_or_else(FetchObservation::pending, PageResult::observation);

        // This fetch's preflights and console lines. The network events and
        // the console lines come before the page's result as a rule; a
        // rejection still waits (bounded) for the line that explains it,
        // then a short quiet period catches stragglers.
        let start = Instant::now();
        let hard_deadline = if rejected { Duration::from_millis(1500) } else { Duration::from_millis(100) };
        let quiet = Duration::from_millis(if pending { 30 } else { 15 });
        let mut preflights = 0;
        let mut lines: Vec<ConsoleEntry> = Vec::new();
        loop {
            while let Some(event) = self.bidi.try_event() {
                if event.method == "network.beforeRequestSent" && is_preflight_of(&event.params, spec) {
                    preflights += 1;
                }
            }
            // Every CORS line names a URL of the fetch (the same-origin
            // `Security Error` and the Local Network Access lines too):
            // lines about other loads are not ours.
            lines.extend(self.console().await?.into_iter().filter(|entry| spec.names_ours(&entry.text)));
            if std::env::var_os("CORSLAB_VERIFY_DEBUG").is_some() {
                eprintln!("[{:>4} ms] firefox: {} preflights, lines {lines:?}", start.elapsed().as_millis(), preflights);
            }
            let explained = !rejected || lines.iter().any(|l| !l.warning && firefox_error(&l.text).is_some());
            let elapsed = start.elapsed();
            if (explained && elapsed >= quiet) || elapsed >= hard_deadline {
                break;
            }
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        observation.preflights = Some(preflights);
        // The first CORS line (a warning counts); Firefox's Local Network
        // Access lines are informational: the first of them only where no
        // CORS line came, and without the JS stack Firefox appends to them.
        observation.console = lines
            .iter()
            .find(|l| !is_local_network_line(&l.text))
            .or_else(|| lines.first())
            .map(|l| if is_local_network_line(&l.text) { first_line(&l.text) } else { l.text.clone() });
        if let Some((code, parameter)) = lines.iter().filter(|l| !l.warning).find_map(|l| firefox_error(&l.text)) {
            observation.cors_error = Some(code);
            observation.failed_parameter = parameter;
            if rejected {
                observation.outcome = "cors-error".to_owned();
            }
        }
        Ok(observation)
    }

    async fn close(mut self) -> Result<(), DriverError> {
        let closed = self.bidi.command("browser.close", json!({}), Duration::from_secs(5)).await;
        self.bidi.close().await;
        // Firefox quits by itself after browser.close; a stuck one is
        // stopped by its PID.
        if tokio::time::timeout(Duration::from_secs(10), self.child.wait()).await.is_err() {
            stop(&mut self.child, Duration::from_secs(5)).await;
        }
        // (The profile goes when `self` is dropped, now.)
        closed.map(|_| ())
    }
}
