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
use chromiumoxide::cdp::js_protocol::runtime::EvaluateParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use super::driver::{BrowserDriver, DriverError, FETCH_JS, FetchObservation, FetchSpec, PageResult, Profile, version_line};

/// A DevTools event the driver cares about.
#[derive(Debug)]
enum Event {
    Request { id: String, url: String, preflight: bool },
    Failed { id: String, cors_error: Option<(String, String)> },
    Console { text: String, request_id: Option<String>, level: LogEntryLevel },
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

impl Chromium {
    /// Starts headless Chromium with a fresh profile.
    pub(crate) async fn launch(executable: &Path) -> Result<Chromium, DriverError> {
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
        let config = BrowserConfig::builder()
            .chrome_executable(executable)
            .no_sandbox()
            .user_data_dir(profile.path())
            .args(CHROMIUM_FLAGS)
            .launch_timeout(Duration::from_secs(30))
            .build()
            .map_err(DriverError::Browser)?;
        let (mut browser, mut handler) = Browser::launch(config)
            .await
            .map_err(|e| DriverError::Browser(format!("cannot start {}: {e}", executable.display())))?;
        // The handler must be polled for anything to happen.
        let handler = tokio::spawn(async move { while handler.next().await.is_some() {} });
        match Self::attach(&browser).await {
            Ok((page, events, listeners)) => Ok(Chromium { browser, handler, listeners, page, events, profile, version }),
            Err(e) => {
                let _ = browser.close().await;
                let _ = browser.wait().await;
                handler.abort();
                Err(e)
            }
        }
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
                let _ = sender.send(Event::Failed { id: event.request_id.inner().clone(), cors_error });
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
        let mut console =
            page.event_listener::<EventEntryAdded>().await.map_err(|e| DriverError::Browser(e.to_string()))?;
        let sender = tx;
        listeners.push(tokio::spawn(async move {
            while let Some(event) = console.next().await {
                let _ = sender.send(Event::Console {
                    text: event.entry.text.clone(),
                    request_id: event.entry.network_request_id.as_ref().map(|id| id.inner().clone()),
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

/// Whether a console line belongs to this fetch: by its request id, or by
/// naming the URL (Blink's own "Fetch API cannot load" line has no id).
fn is_ours(text: &str, request_id: Option<&str>, ours: &HashSet<String>, url: &str) -> bool {
    request_id.is_some_and(|id| ours.contains(id)) || text.contains(url)
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

    async fn fetch(&mut self, spec: &FetchSpec, timeout: Duration) -> Result<FetchObservation, DriverError> {
        self.drain();
        let argument = serde_json::to_string(spec).map_err(|e| DriverError::Browser(e.to_string()))?;
        let params = EvaluateParams::builder()
            .expression(format!("({FETCH_JS})({argument})"))
            .await_promise(true)
            .return_by_value(true)
            .build()
            .map_err(DriverError::Browser)?;
        let evaluation = tokio::time::timeout(timeout, self.page.evaluate(params)).await;
        let result: PageResult = match evaluation {
            Err(_) => return Err(DriverError::Hung(timeout)),
            Ok(Err(e)) => return Err(DriverError::Browser(format!("evaluate: {e}"))),
            Ok(Ok(value)) => value.into_value().map_err(|e| DriverError::Browser(format!("page result: {e}")))?,
        };
        let rejected = result.rejected();
        let mut observation = result.observation();
        let mut preflights = 0;

        // Collect this fetch's events. DevTools may deliver them just after
        // the promise settles: a rejection waits (bounded) for its CORS error
        // and console line; then a short quiet period catches stragglers.
        let mut ours: HashSet<String> = HashSet::new();
        let mut failed: HashMap<String, Option<(String, String)>> = HashMap::new();
        let mut console: Vec<(String, Option<String>)> = Vec::new();
        let mut issue: Option<(String, String)> = None;
        let start = tokio::time::Instant::now();
        let hard_deadline = start + if rejected { Duration::from_millis(1500) } else { Duration::from_millis(50) };
        let mut quiet_deadline = (!rejected).then(|| start + Duration::from_millis(8));
        loop {
            let until = quiet_deadline.map_or(hard_deadline, |q| q.min(hard_deadline));
            let Ok(Some(event)) = tokio::time::timeout_at(until, self.events.recv()).await else { break };
            if std::env::var_os("CORSLAB_VERIFY_DEBUG").is_some() {
                eprintln!("[{:>4} ms] {event:?}", start.elapsed().as_millis());
            }
            match event {
                Event::Request { id, url, preflight } => {
                    if url == spec.url {
                        preflights += u32::from(preflight);
                        ours.insert(id);
                    }
                }
                Event::Failed { id, cors_error } => {
                    failed.insert(id, cors_error);
                }
                Event::Console { text, request_id, level } => {
                    if matches!(level, LogEntryLevel::Error | LogEntryLevel::Warning) && is_cors_console_line(&text) {
                        console.push((text, request_id));
                    }
                }
                Event::Issue { url, cors_error } => {
                    if url == spec.url && issue.is_none() {
                        issue = Some(cors_error);
                    }
                }
            }
            let explained = (issue.is_some() || failed.iter().any(|(id, e)| ours.contains(id) && e.is_some()))
                && console.iter().any(|(text, id)| is_ours(text, id.as_deref(), &ours, &spec.url));
            if quiet_deadline.is_none() && explained {
                quiet_deadline = Some(tokio::time::Instant::now() + Duration::from_millis(15));
            }
        }
        if let Some((name, parameter)) =
            failed.iter().filter(|(id, _)| ours.contains(*id)).find_map(|(_, e)| e.clone()).or(issue)
        {
            observation.cors_error = Some(name);
            observation.failed_parameter = Some(parameter).filter(|p| !p.is_empty());
        }
        observation.preflights = Some(preflights);
        if rejected && observation.cors_error.is_some() {
            observation.outcome = "cors-error".to_owned();
        }
        observation.console =
            console.into_iter().find(|(text, id)| is_ours(text, id.as_deref(), &ours, &spec.url)).map(|(text, _)| text);
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
