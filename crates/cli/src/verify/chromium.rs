//! Headless Chromium over the DevTools protocol (`chromiumoxide`): the page
//! result, `Network.loadingFailed`'s CORS error, the DevTools CORS issue for
//! errors raised before any request, preflights as DevTools reports them,
//! and the console line.

use std::collections::{HashMap, HashSet};
use std::path::Path;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::audits::{EnableParams as AuditsEnable, EventIssueAdded};
use chromiumoxide::cdp::browser_protocol::log::{EventEntryAdded, LogEntryLevel};
use chromiumoxide::cdp::browser_protocol::network::{EventLoadingFailed, EventRequestWillBeSent, InitiatorType};
use chromiumoxide::browser::BrowserConfigBuilder;
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::types::MethodId;
use chromiumoxide::{Browser, BrowserConfig, Command, Method, Page};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::driver::{
    BrowserDriver, DriverError, Environment, FetchObservation, FetchSpec, PageResult, Profile, page_function, version_line,
};

/// A DevTools event the driver cares about.
#[derive(Debug)]
enum Event {
    Request { id: String, url: String, preflight: bool },
    Failed { id: String, cors_error: Option<(String, String)>, error_text: String },
    Console { text: String, request_id: Option<String>, url: Option<String>, level: LogEntryLevel },
    /// A DevTools CORS issue: how Chromium reports errors raised before any
    /// request exists (`DisallowedByMode`).
    Issue { url: String, cors_error: (String, String) },
}

/// Headless Chromium over the DevTools protocol.
pub(crate) struct Chromium {
    browser: Browser,
    handler: JoinHandle<()>,
    listeners: Vec<JoinHandle<()>>,
    page: Page,
    events: mpsc::UnboundedReceiver<Event>,
    /// Last: removed once the browser is gone.
    profile: Profile,
    version: String,
}

impl std::fmt::Debug for Chromium {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Chromium").field("profile", &self.profile).finish_non_exhaustive()
    }
}

/// Flags that keep Chromium from reaching for hosts this network refuses
/// (see ../shared/TOOLCHAIN.md), passed without their leading `--`.
const CHROMIUM_FLAGS: [&str; 6] = [
    "disable-background-networking",
    "disable-component-update",
    "disable-sync",
    "no-first-run",
    "disable-quic",
    "disable-gpu",
];

/// Chromium puts an `<iframe sandbox>` in a renderer process of its own
/// (`IsolateSandboxedIframes`), a target chromiumoxide attaches to but
/// cannot send commands to: its `Network`, `Log` and `Audits` events would
/// never be enabled, so a `sandboxed-iframe` fetch would show no CORS error
/// and no console line. Without it the frame stays in the page's renderer,
/// whose events the page's session carries. It changes where the frame's
/// script runs, not what its fetch does: CORS is decided in the network
/// service, and the console lines are Blink's either way.
const SANDBOXED_FRAMES_IN_PROCESS: &str = "--disable-features=IsolateSandboxedIframes";

/// CDP `Browser.grantPermissions`, sent as is: the permission names go
/// through by name, whatever the generated protocol types know.
#[derive(Debug, serde::Serialize)]
struct GrantPermissions {
    permissions: Vec<String>,
    origin: String,
}

impl Method for GrantPermissions {
    fn identifier(&self) -> MethodId {
        "Browser.grantPermissions".into()
    }
}

impl Command for GrantPermissions {
    type Response = serde_json::Value;
}

/// `--name=a,b` as an argument chromiumoxide merges with its own (its
/// `--disable-features` and `--enable-features` are lists too).
fn switch(builder: BrowserConfigBuilder, text: &str) -> BrowserConfigBuilder {
    let text = text.trim_start_matches('-');
    match text.split_once('=') {
        Some((name, values)) => {
            let values: Vec<&str> = values.split(',').collect();
            builder.arg((name, values.as_slice()))
        }
        None => builder.arg(text.to_owned()),
    }
}

impl Chromium {
    /// Starts headless Chromium with a fresh profile, with the switches
    /// and permissions of `environment`.
    pub(crate) async fn launch(executable: &Path, environment: &Environment) -> Result<Chromium, DriverError> {
        if !executable.exists() {
            return Err(DriverError::NotFound {
                what: "Chromium",
                path: executable.to_owned(),
                hint: "install it with `make setup` (Debian: apt-get install chromium chromium-driver) or pass --chromium PATH",
            });
        }
        // `Chromium 156.0.8078.114 built on Debian ...` -> `Chromium 156.0.8078.114 headless`.
        let version = version_line(executable)
            .map(|v| format!("{} headless", v.split_whitespace().take(2).collect::<Vec<_>>().join(" ")))
            .unwrap_or_else(|| "Chromium headless".to_owned());
        let profile = Profile::fresh("chromium")?;
        let mut config = BrowserConfig::builder()
            .chrome_executable(executable)
            .no_sandbox()
            .user_data_dir(profile.path())
            .args(CHROMIUM_FLAGS)
            .launch_timeout(Duration::from_secs(30));
        config = switch(config, SANDBOXED_FRAMES_IN_PROCESS);
        for text in &environment.chromium_switches {
            config = switch(config, text);
        }
        let config = config.build().map_err(DriverError::Browser)?;
        let (mut browser, mut handler) = Browser::launch(config)
            .await
            .map_err(|e| DriverError::Browser(format!("cannot start {}: {e}", executable.display())))?;
        // The handler must be polled for anything to happen.
        let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
        let attached = match Self::grant(&browser, environment).await {
            Ok(()) => Self::attach(&browser).await,
            Err(e) => Err(e),
        };
        match attached {
            Ok((page, events, listeners)) => Ok(Chromium { browser, handler, listeners, page, events, profile, version }),
            Err(e) => {
                let _ = browser.close().await;
                let _ = browser.wait().await;
                handler.abort();
                Err(e)
            }
        }
    }

    /// Grants the environment's permissions to the page's origin.
    async fn grant(browser: &Browser, environment: &Environment) -> Result<(), DriverError> {
        if environment.grants.is_empty() {
            return Ok(());
        }
        let grant = GrantPermissions { permissions: environment.grants.clone(), origin: environment.page_origin.clone() };
        browser
            .execute(grant)
            .await
            .map(|_| ())
            .map_err(|e| DriverError::Browser(format!("Browser.grantPermissions {:?}: {e}", environment.grants)))
    }

    /// Opens the page and subscribes to the events the driver reads.
    async fn attach(
        browser: &Browser,
    ) -> Result<(Page, mpsc::UnboundedReceiver<Event>, Vec<JoinHandle<()>>), DriverError> {
        let page = browser.new_page("about:blank").await.map_err(|e| DriverError::Browser(e.to_string()))?;
        let (tx, events) = mpsc::unbounded_channel();
        let mut listeners = Vec::new();
        let mut requests = page
            .event_listener::<EventRequestWillBeSent>()
            .await
            .map_err(|e| DriverError::Browser(e.to_string()))?;
        let sender = tx.clone();
        listeners.push(tokio::spawn(async move {
            while let Some(event) = requests.next().await {
                let preflight = matches!(event.initiator.r#type, InitiatorType::Preflight)
                    || (event.request.method == "OPTIONS"
                        && event
                            .request
                            .headers
                            .inner()
                            .as_object()
                            .is_some_and(|h| h.keys().any(|k| k.eq_ignore_ascii_case("access-control-request-method"))));
                let _ = sender.send(Event::Request {
                    id: event.request_id.inner().clone(),
                    url: event.request.url.clone(),
                    preflight,
                });
            }
        }));
        let mut failures =
            page.event_listener::<EventLoadingFailed>().await.map_err(|e| DriverError::Browser(e.to_string()))?;
        let sender = tx.clone();
        listeners.push(tokio::spawn(async move {
            while let Some(event) = failures.next().await {
                let cors_error = event
                    .cors_error_status
                    .as_ref()
                    .map(|s| (s.cors_error.as_ref().to_owned(), s.failed_parameter.clone()));
                let _ = sender.send(Event::Failed {
                    id: event.request_id.inner().clone(),
                    cors_error,
                    error_text: event.error_text.clone(),
                });
            }
        }));
        let mut issues =
            page.event_listener::<EventIssueAdded>().await.map_err(|e| DriverError::Browser(e.to_string()))?;
        let sender = tx.clone();
        listeners.push(tokio::spawn(async move {
            while let Some(event) = issues.next().await {
                if let Some(cors) = &event.issue.details.cors_issue_details {
                    if cors.is_warning {
                        continue;
                    }
                    let status = &cors.cors_error_status;
                    let _ = sender.send(Event::Issue {
                        url: cors.request.url.clone(),
                        cors_error: (status.cors_error.as_ref().to_owned(), status.failed_parameter.clone()),
                    });
                }
            }
        }));
        page.execute(AuditsEnable::default()).await.map_err(|e| DriverError::Browser(format!("Audits.enable: {e}")))?;
        if std::env::var_os("CORSLAB_VERIFY_DEBUG").is_some() {
            let mut attached = page
                .event_listener::<chromiumoxide::cdp::browser_protocol::target::EventAttachedToTarget>()
                .await
                .map_err(|e| DriverError::Browser(e.to_string()))?;
            listeners.push(tokio::spawn(async move {
                while let Some(event) = attached.next().await {
                    eprintln!("attached: {} {}", event.target_info.r#type, event.target_info.url);
                }
            }));
        }
        let mut console =
            page.event_listener::<EventEntryAdded>().await.map_err(|e| DriverError::Browser(e.to_string()))?;
        let sender = tx;
        listeners.push(tokio::spawn(async move {
            while let Some(event) = console.next().await {
                let _ = sender.send(Event::Console {
                    text: event.entry.text.clone(),
                    request_id: event.entry.network_request_id.as_ref().map(|id| id.inner().clone()),
                    url: event.entry.url.clone(),
                    level: event.entry.level.clone(),
                });
            }
        }));
        Ok((page, events, listeners))
    }

    fn drain(&mut self) {
        while self.events.try_recv().is_ok() {}
    }
}

/// Whether a console line is the CORS explanation (not the generic
/// "Failed to load resource" line DevTools adds for every failed load).
fn is_cors_console_line(text: &str) -> bool {
    !text.starts_with("Failed to load resource")
}

/// Whether a console line is the one DevTools writes for a load that failed
/// in the network (`Failed to load resource: net::ERR_…`): a recording's
/// `console` where Chromium logs no CORS line.
fn is_network_error_line(text: &str) -> bool {
    text.starts_with("Failed to load resource: net::")
}

/// A console line kept for this fetch: its text, request id and URL.
type Line = (String, Option<String>, Option<String>);

/// Whether a console line belongs to this fetch: by its request id, by its
/// URL, or by naming one of its URLs (Blink's own "Fetch API cannot load"
/// line has no id).
fn is_ours(line: &Line, ours: &HashSet<String>, spec: &FetchSpec) -> bool {
    let (text, request_id, url) = line;
    request_id.as_deref().is_some_and(|id| ours.contains(id))
        || url.as_deref().is_some_and(|u| spec.is_ours(u))
        || spec.names_ours(text)
}

impl BrowserDriver for Chromium {
    fn browser(&self) -> corslab::Browser {
        corslab::Browser::Chrome
    }

    fn version(&self) -> &str {
        &self.version
    }

    async fn open(&mut self, url: &str) -> Result<(), DriverError> {
        self.page.goto(url).await.map_err(|e| DriverError::Browser(format!("cannot load {url}: {e}")))?;
        self.drain();
        Ok(())
    }

    async fn fetch(&mut self, spec: &FetchSpec, window: Duration) -> Result<FetchObservation, DriverError> {
        self.drain();
        let argument = serde_json::to_string(spec).map_err(|e| DriverError::Browser(e.to_string()))?;
        let params = EvaluateParams::builder()
            .expression(format!("({})({argument})", page_function()))
            .await_promise(true)
            .return_by_value(true)
            .build()
            .map_err(DriverError::Browser)?;
        let evaluation = tokio::time::timeout(window, self.page.evaluate(params)).await;
        let result: Option<PageResult> = match evaluation {
            // Not settled within the window: pending.
            Err(_) => None,
            Ok(Err(e)) => return Err(DriverError::Browser(format!("evaluate: {e}"))),
            Ok(Ok(value)) => Some(value.into_value().map_err(|e| DriverError::Browser(format!("page result: {e}")))?),
        };
        if let Some(PageResult { kind, message, .. }) = &result
            && kind == "driver-error"
        {
            return Err(DriverError::Browser(format!("page: {}", message.as_deref().unwrap_or_default())));
        }
        let rejected = result.as_ref().is_some_and(PageResult::rejected);
        let pending = result.is_none();
        let mut observation = result.map_or_else(FetchObservation::pending, PageResult::observation);
        let mut preflights = 0;

        // Collect this fetch's events. DevTools may deliver them just after
        // the promise settles: a rejection waits (bounded) for its CORS error
        // and console line; then a short quiet period catches stragglers.
        let mut ours: HashSet<String> = HashSet::new();
        let mut preflight_ids: HashSet<String> = HashSet::new();
        let mut failed: HashMap<String, (Option<(String, String)>, String)> = HashMap::new();
        let mut console: Vec<Line> = Vec::new();
        let mut issue: Option<(String, String)> = None;
        let start = tokio::time::Instant::now();
        let hard_deadline = start + if rejected { Duration::from_millis(1500) } else { Duration::from_millis(50) };
        let mut quiet_deadline = (!rejected).then(|| start + Duration::from_millis(if pending { 30 } else { 8 }));
        loop {
            let until = quiet_deadline.map_or(hard_deadline, |q| q.min(hard_deadline));
            let Ok(Some(event)) = tokio::time::timeout_at(until, self.events.recv()).await else { break };
            if std::env::var_os("CORSLAB_VERIFY_DEBUG").is_some() {
                eprintln!("[{:>4} ms] {event:?}", start.elapsed().as_millis());
            }
            match event {
                Event::Request { id, url, preflight } => {
                    if spec.is_ours(&url) {
                        if preflight {
                            preflights += 1;
                            preflight_ids.insert(id.clone());
                        }
                        ours.insert(id);
                    }
                }
                Event::Failed { id, cors_error, error_text } => {
                    failed.insert(id, (cors_error, error_text));
                }
                Event::Console { text, request_id, url, level } => {
                    if matches!(level, LogEntryLevel::Error | LogEntryLevel::Warning)
                        && (is_cors_console_line(&text) || is_network_error_line(&text))
                    {
                        console.push((text, request_id, url));
                    }
                }
                Event::Issue { url, cors_error } => {
                    if spec.is_ours(&url) && issue.is_none() {
                        issue = Some(cors_error);
                    }
                }
            }
            let cors_line = console.iter().any(|l| is_cors_console_line(&l.0) && is_ours(l, &ours, spec));
            let explained = (issue.is_some() || failed.iter().any(|(id, (e, _))| ours.contains(id) && e.is_some()))
                && cors_line;
            // A network error without a CORS error: its line, once the
            // request's failure is in.
            let network = failed.iter().any(|(id, (e, _))| ours.contains(id) && !preflight_ids.contains(id) && e.is_none())
                && console.iter().any(|l| is_network_error_line(&l.0) && is_ours(l, &ours, spec));
            if quiet_deadline.is_none() && (explained || network) {
                quiet_deadline = Some(tokio::time::Instant::now() + Duration::from_millis(15));
            }
        }
        if let Some((name, parameter)) = failed
            .iter()
            .filter(|(id, _)| ours.contains(*id))
            .find_map(|(_, (e, _))| e.clone())
            .or(issue)
        {
            observation.cors_error = Some(name);
            observation.failed_parameter = Some(parameter).filter(|p| !p.is_empty());
        }
        observation.preflights = Some(preflights);
        if rejected && observation.cors_error.is_some() {
            observation.outcome = "cors-error".to_owned();
        }
        if rejected {
            // The request's own failure (not a preflight's).
            observation.net_error = failed
                .iter()
                .filter(|(id, _)| ours.contains(*id) && !preflight_ids.contains(*id))
                .map(|(_, (_, text))| text.clone())
                .find(|text| !text.is_empty());
        }
        // The CORS line; where there is none, the network error's.
        let mine: Vec<&Line> = console.iter().filter(|l| is_ours(l, &ours, spec)).collect();
        observation.console = mine
            .iter()
            .find(|l| is_cors_console_line(&l.0))
            .or_else(|| mine.iter().find(|l| is_network_error_line(&l.0)))
            .map(|l| l.0.clone());
        Ok(observation)
    }

    async fn close(mut self) -> Result<(), DriverError> {
        for listener in &self.listeners {
            listener.abort();
        }
        let closed = self.browser.close().await;
        let _ = self.browser.wait().await;
        self.handler.abort();
        closed.map(|_| ()).map_err(|e| DriverError::Browser(format!("close: {e}")))
    }
}
