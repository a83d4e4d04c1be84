//! `corslab e2e`: drives the built explainer page in headless Chromium
//! through the article's tour and the four ways to avoid a preflight, and
//! checks what the page shows — and that the console stays clean; that no
//! route of the lab's shows on the page or in its snippets; that a crafted
//! link is clamped to what the form offers; that arrow keys keep focus; and
//! the "your server" mode, checked from an app's origin by the companion
//! server's `/probe` and sent for real from the page. Last, it navigates a
//! tab to a crafted replay link on the companion server and checks that the
//! server refused to be that page (no script ran).

use std::path::PathBuf;
use std::time::Duration;

use chromiumoxide::cdp::browser_protocol::input::{DispatchKeyEventParams, DispatchKeyEventType};
use chromiumoxide::cdp::browser_protocol::log::{EventEntryAdded, LogEntryLevel};
use chromiumoxide::cdp::browser_protocol::page::CaptureScreenshotFormat;
use chromiumoxide::cdp::js_protocol::runtime::{EventConsoleApiCalled, EventExceptionThrown};
use chromiumoxide::page::ScreenshotParams;
use chromiumoxide::{Browser, BrowserConfig, Page};
use futures::StreamExt;
use tokio::sync::mpsc;

/// What `corslab e2e` was asked to do.
#[derive(Debug)]
pub(crate) struct Options {
    /// The page (served by trunk, with its proxy).
    pub(crate) page: String,
    /// Also load this static copy of the page and check it loads cleanly.
    pub(crate) static_page: Option<String>,
    pub(crate) chromium: PathBuf,
    pub(crate) screenshot: Option<PathBuf>,
    /// Where to save the "Start from what you have" panel, a console line
    /// read and explained (`docs/start-from-what-you-have.png`).
    pub(crate) import_screenshot: Option<PathBuf>,
    /// Where to write the screenshot of the same panel with DevTools' HAR
    /// export opened and a blocked request picked
    /// (`docs/start-from-a-har.png`).
    pub(crate) har_screenshot: Option<PathBuf>,
    /// The companion server's origin (`--server`); `None`: `CORSLAB_SERVER`,
    /// else `http://localhost:8080` ([`server_origin`]).
    pub(crate) server: Option<String>,
}

/// The companion server's origin: `--server`, else `CORSLAB_SERVER` (what
/// `.ci/test` exports for the run's server), else the seed article's
/// `http://localhost:8080`.
fn server_origin(options: &Options) -> String {
    let server = options.server.clone().or_else(|| std::env::var("CORSLAB_SERVER").ok().filter(|s| !s.is_empty()));
    server.unwrap_or_else(|| "http://localhost:8080".to_owned()).trim_end_matches('/').to_owned()
}

/// The run id of the navigation check's replay link.
const NAVIGATION_RUN: &str = "e2e-navigation";

/// A page that, if it ever ran on the server's origin, would say so in its
/// title, a global and a cookie.
const CRAFTED_PAGE: &str = "<!doctype html><title>pwned</title><script>document.title = 'pwned'; window.pwned = 1; document.cookie = 'pwned=1; path=/';</script><p>pwned</p>";

/// The crafted link of the navigation guard's report: a replay on `server`
/// scripted to answer [`CRAFTED_PAGE`] as `text/html`.
fn crafted_link(server: &str, page_origin: &str) -> String {
    let spec = corslab::formats::replay::ReplaySpec {
        origin: page_origin.to_owned(),
        preflight: None,
        response: corslab::formats::scenario::ScriptedResponse {
            status: 200,
            headers: vec![("Content-Type".to_owned(), "text/html".to_owned())],
            body: Some(CRAFTED_PAGE.to_owned()),
        },
        id: None,
        top_origin: None,
        at: None,
        hops: Vec::new(),
    };
    format!("{server}/replay/{NAVIGATION_RUN}?{}", spec.to_query())
}

/// A console line: (level, text).
type Console = (String, String);

struct Session {
    page: Page,
    console: mpsc::UnboundedReceiver<Console>,
    seen: Vec<Console>,
}

impl Session {
    async fn open(browser: &Browser, url: &str) -> Result<Session, String> {
        let page = browser.new_page("about:blank").await.map_err(|e| e.to_string())?;
        let (tx, console) = mpsc::unbounded_channel();
        let mut log = page.event_listener::<EventEntryAdded>().await.map_err(|e| e.to_string())?;
        let sender = tx.clone();
        tokio::spawn(async move {
            while let Some(e) = log.next().await {
                let level = match e.entry.level {
                    LogEntryLevel::Error => "error",
                    LogEntryLevel::Warning => "warning",
                    _ => continue,
                };
                let _ = sender.send((level.to_owned(), e.entry.text.clone()));
            }
        });
        let mut api = page.event_listener::<EventConsoleApiCalled>().await.map_err(|e| e.to_string())?;
        let sender = tx.clone();
        tokio::spawn(async move {
            while let Some(e) = api.next().await {
                let level = format!("{:?}", e.r#type).to_ascii_lowercase();
                if level == "error" || level == "warning" || level == "assert" {
                    let text = e.args.iter().filter_map(|a| a.value.as_ref().map(ToString::to_string)).collect::<Vec<_>>().join(" ");
                    let _ = sender.send((level, text));
                }
            }
        });
        let mut exceptions = page.event_listener::<EventExceptionThrown>().await.map_err(|e| e.to_string())?;
        let sender = tx;
        tokio::spawn(async move {
            while let Some(e) = exceptions.next().await {
                let _ = sender.send(("exception".to_owned(), e.exception_details.text.clone()));
            }
        });
        page.enable_runtime().await.map_err(|e| e.to_string())?;
        page.goto(url).await.map_err(|e| format!("cannot load {url}: {e}"))?;
        Ok(Session { page, console, seen: Vec::new() })
    }

    fn drain(&mut self) -> Vec<Console> {
        let mut new = Vec::new();
        while let Ok(line) = self.console.try_recv() {
            new.push(line);
        }
        self.seen.extend(new.iter().cloned());
        new
    }

    async fn eval<T: serde::de::DeserializeOwned>(&self, js: &str) -> Result<T, String> {
        let result = self.page.evaluate(js).await.map_err(|e| format!("evaluate {js}: {e}"))?;
        result.into_value().map_err(|e| format!("evaluate {js}: {e}"))
    }

    /// Waits until `condition` (a JS expression) is true.
    async fn wait(&self, condition: &str, what: &str, timeout: Duration) -> Result<(), String> {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            if self.eval::<bool>(&format!("!!({condition})")).await.unwrap_or(false) {
                return Ok(());
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(format!("timed out after {} s waiting for {what}", timeout.as_secs()));
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    async fn text(&self, selector: &str) -> String {
        let js = format!("(document.querySelector({}) || {{}}).textContent || ''", json(selector));
        self.eval::<String>(&js).await.unwrap_or_default()
    }

    async fn count(&self, selector: &str) -> usize {
        self.eval::<usize>(&format!("document.querySelectorAll({}).length", json(selector))).await.unwrap_or(0)
    }

    async fn click(&self, selector: &str) -> Result<(), String> {
        let ok: bool = self.eval(&format!("(e => {{ if (!e) return false; e.click(); return true; }})(document.querySelector({}))", json(selector))).await?;
        if ok { Ok(()) } else { Err(format!("nothing to click at {selector}")) }
    }

    /// Types `value` into the field at `selector` as a paste would: its
    /// value set, then an `input` event.
    async fn set_value(&self, selector: &str, value: &str) -> Result<(), String> {
        let js = format!(
            "(e => {{ if (!e) return false; e.value = {}; e.dispatchEvent(new Event('input', {{bubbles: true}})); return true; }})(document.querySelector({}))",
            json(value),
            json(selector)
        );
        if self.eval::<bool>(&js).await? { Ok(()) } else { Err(format!("no field at {selector}")) }
    }

    /// Scrolls the element at `selector` to the top of the window (8 px
    /// below it) and saves what the window shows as a PNG at `path`.
    async fn screenshot_of(&self, selector: &str, path: &std::path::Path) -> Result<(), String> {
        self.eval::<bool>(&format!("(() => {{ document.querySelector({}).scrollIntoView(); window.scrollBy(0, -8); return true; }})()", json(selector))).await?;
        let png = self
            .page
            .screenshot(ScreenshotParams::builder().format(CaptureScreenshotFormat::Png).full_page(false).build())
            .await
            .map_err(|e| format!("screenshot: {e}"))?;
        std::fs::write(path, png).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Focuses the element at `selector`, then presses `key` for real (CDP
    /// key events, as a keyboard user does), and lets the page react.
    async fn press(&self, selector: &str, key: &str) -> Result<(), String> {
        // Key events go to the focused element of the page in front.
        self.page.bring_to_front().await.map_err(|e| format!("bring the page to front: {e}"))?;
        let js = format!(
            "(e => {{ if (!e) return 'no element'; e.focus(); return document.activeElement === e ? '' : 'focus is on #' + (document.activeElement && document.activeElement.id); }})(document.querySelector({}))",
            json(selector)
        );
        let refused: String = self.eval(&js).await?;
        if !refused.is_empty() {
            return Err(format!("cannot focus {selector}: {refused}"));
        }
        let key_definition = chromiumoxide::keys::get_key_definition(key).ok_or_else(|| format!("no key named {key}"))?;
        for kind in [DispatchKeyEventType::RawKeyDown, DispatchKeyEventType::KeyUp] {
            let event = DispatchKeyEventParams::builder()
                .r#type(kind)
                .key(key_definition.key)
                .code(key_definition.code)
                .windows_virtual_key_code(key_definition.key_code)
                .native_virtual_key_code(key_definition.key_code)
                .build()
                .map_err(|e| format!("{key}: {e}"))?;
            self.page.execute(event).await.map_err(|e| format!("{key} on {selector}: {e}"))?;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
        Ok(())
    }

    /// The id of the focused element.
    async fn focused(&self) -> String {
        self.eval::<String>("(document.activeElement && document.activeElement.id) || ''").await.unwrap_or_default()
    }
}

/// The page at `page` with the composition `json` in its fragment, as the
/// page's "Copy link" writes it.
fn page_link(page: &str, json: &str) -> String {
    let encoded: String = url::form_urlencoded::byte_serialize(json.as_bytes()).collect();
    format!("{}/#lab={encoded}", page.trim_end_matches('/'))
}

fn json(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

/// Checks one condition, collecting failures instead of stopping.
struct Checks {
    failures: Vec<String>,
    passed: usize,
}

impl Checks {
    fn check(&mut self, ok: bool, what: impl Into<String>) {
        if ok {
            self.passed += 1;
        } else {
            self.failures.push(what.into());
        }
    }
}

/// Console lines a demo is expected to cause: the browser explaining the
/// CORS failures the tour and the failing scenario provoke on purpose.
fn expected_console(text: &str) -> bool {
    text.starts_with("Access to fetch at ") || text == "Failed to load resource: net::ERR_FAILED"
}

pub(crate) fn e2e(options: &Options) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().map_err(|e| e.to_string())?;
    runtime.block_on(async {
        if !options.chromium.exists() {
            return Err(format!("Chromium not found at {}: run `make setup`", options.chromium.display()));
        }
        let profile = std::env::temp_dir().join(format!("corslab-e2e-{}", std::process::id()));
        let config = BrowserConfig::builder()
            .chrome_executable(&options.chromium)
            .no_sandbox()
            .user_data_dir(&profile)
            .window_size(1280, 800)
            .viewport(chromiumoxide::handler::viewport::Viewport { width: 1280, height: 800, ..Default::default() })
            .args(["disable-background-networking", "disable-component-update", "disable-sync", "no-first-run", "disable-quic", "disable-gpu"])
            .build()
            .map_err(|e| e.to_string())?;
        let (mut browser, mut handler) = Browser::launch(config).await.map_err(|e| format!("cannot start Chromium: {e}"))?;
        let handler_task = tokio::spawn(async move { while handler.next().await.is_some() {} });
        let result = run(&browser, options).await;
        let _ = browser.close().await;
        let _ = browser.wait().await;
        handler_task.abort();
        let _ = std::fs::remove_dir_all(&profile);
        result
    })
}

async fn run(browser: &Browser, options: &Options) -> Result<(), String> {
    let mut checks = Checks { failures: Vec::new(), passed: 0 };
    let long = Duration::from_secs(20);

    // 1. The page loads, with no console error or warning.
    let mut s = Session::open(browser, &options.page).await?;
    s.wait("document.querySelectorAll('#tour button').length === 4", "the page to start", long).await?;
    s.wait("document.querySelectorAll('#recorded-select option').length > 10", "the recorded scenarios", long).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let load_console = s.drain();
    checks.check(load_console.is_empty(), format!("console during load: {load_console:?}"));
    checks.check(s.text("#page-origin").await.contains(options.page.trim_end_matches('/')), "the page shows its origin");

    // 2. The tour: the error, then the three fixes, each agreeing with its prediction.
    for step in 0..4 {
        s.click(&format!("#tour-{step}")).await?;
        s.wait(
            &format!("document.querySelector('#tour-reality [data-role=reality-verdict]') && document.querySelector('#tour-stop').textContent.startsWith('{}.')", step + 1),
            &format!("tour stop {}", step + 1),
            long,
        )
        .await?;
        let reality = s.text("#tour-reality [data-role=reality-verdict]").await;
        let predicted = s.text("#tour-result [data-role=verdict]").await;
        if step == 0 {
            checks.check(reality.starts_with("fetch() rejected"), format!("tour 1: reality {reality:?}"));
            checks.check(predicted.starts_with("Blocked by CORS"), format!("tour 1: prediction {predicted:?}"));
            let console = s.text("#tour-result [data-role=chromium-console]").await;
            checks.check(console.ends_with("No 'Access-Control-Allow-Origin' header is present on the requested resource."), format!("tour 1: console {console:?}"));
        } else {
            checks.check(reality.starts_with("fetch() resolved: 200 (cors)"), format!("tour {}: reality {reality:?}", step + 1));
            checks.check(s.text("#tour-reality [data-role=reality-body]").await == "Hello from the server!", format!("tour {}: body", step + 1));
        }
        checks.check(s.text("#tour-result [data-role=cross-origin]").await.starts_with("cross-origin"), format!("tour {}: cross-origin verdict", step + 1));
        checks.check(s.count("#tour-result [aria-label=disagrees]").await == 0, format!("tour {}: reality disagrees with the prediction", step + 1));
    }

    // 3. The four ways to avoid the preflight.
    for demo in ["simplify", "cache", "proxy", "iframe"] {
        s.click(&format!("[data-demo={demo}]")).await?;
        s.wait(&format!("document.querySelector('#avoid-{demo} [data-role=demo-verdict]')"), &format!("the {demo} demo"), long).await?;
        let verdict = s.text(&format!("#avoid-{demo} [data-role=demo-verdict]")).await;
        let passed = s.count(&format!("#avoid-{demo} [data-role=demo-verdict].pass")).await == 1;
        checks.check(passed, format!("{demo}: {verdict:?}"));
        let log: Vec<String> = s
            .eval(&format!("[...document.querySelectorAll('#avoid-{demo} [data-role=server-log] li')].map(l => l.textContent)"))
            .await
            .unwrap_or_default();
        let lines = |prefix: &str| log.iter().filter(|l| l.starts_with(prefix)).count();
        let preflights = log.iter().filter(|l| l.contains("— a preflight")).count();
        match demo {
            "simplify" => {
                checks.check(s.text("#avoid-simplify [data-role=demo-preflight]").await == "no preflight", "simplify: predicted no preflight");
                checks.check(s.count("#avoid-simplify [data-role=changes] li").await == 3, "simplify: three changes");
                checks.check(preflights == 0 && lines("POST ") == 1, format!("simplify: server log {log:?}"));
            }
            "cache" => {
                checks.check(preflights == 1 && lines("PUT ") == 2, format!("cache: server log {log:?}"));
                let entries = s.text("#avoid-cache [data-role=cache-entries]").await;
                checks.check(entries.contains("cached for 600 s"), format!("cache: entries {entries:?}"));
            }
            "proxy" => {
                checks.check(s.count("#avoid-proxy [data-role=proxy-missing]").await == 0, "proxy: the proxy answered");
                checks.check(s.text("#avoid-proxy [data-role=reality-verdict]").await.contains("(basic)"), "proxy: a basic (same-origin) response");
                checks.check(preflights == 0 && lines("PUT ") == 1, format!("proxy: server log {log:?}"));
            }
            _ => checks.check(s.text("#avoid-iframe [data-role=demo-preflight]").await == "no preflight", format!("iframe: {verdict:?}")),
        }
    }

    // 4. A failing recorded scenario, predicted and sent: the screenshot.
    s.eval::<bool>("(() => { const s = document.querySelector('#recorded-select'); s.value = 'preflight-status-200-no-acao'; s.dispatchEvent(new Event('change', {bubbles: true})); return true; })()").await?;
    s.wait("document.querySelector('#prediction [data-role=verdict]') && document.querySelector('#prediction [data-role=verdict]').textContent.startsWith('Blocked')", "the failing scenario's prediction", long).await?;
    s.click("#send").await?;
    s.wait("document.querySelector('#reality [data-role=reality-verdict]')", "the failing scenario's reality", long).await?;
    checks.check(s.count("#reality [aria-label=disagrees]").await == 0, "failing scenario: reality disagrees with the prediction");
    checks.check(s.text("#reality [data-role=server-log]").await.contains("a preflight"), "failing scenario: the server saw the preflight");
    // No machinery on screen: the composed URL, never the routes that script
    // the server's answer.
    for section in ["#lab", "#avoid"] {
        let shown: String = s.eval(&format!("document.querySelector({}).innerText", json(section))).await.unwrap_or_default();
        checks.check(
            !shown.is_empty() && !shown.contains("/replay/") && !shown.contains("/policy/"),
            format!("{section} shows the lab's routes: {:?}", shown.lines().filter(|l| l.contains("/replay/") || l.contains("/policy/")).collect::<Vec<_>>()),
        );
    }
    let preflight = s.text("#prediction [data-role=preflight-http]").await;
    checks.check(preflight.starts_with("OPTIONS /data HTTP/1.1"), format!("the preflight shown: {preflight:?}"));
    let fragment: String = s.eval("location.hash").await.unwrap_or_default();
    checks.check(fragment.starts_with("#lab="), "the scenario lives in the URL fragment");
    // Readable at 1280x800: the two panels side by side, nothing wider than the window.
    let wide: (u32, u32) = s.eval("[document.documentElement.scrollWidth, document.querySelectorAll('#lab > .grid')[1].children[1].getBoundingClientRect().left > 600 ? 2 : 1]").await.map(|v: Vec<u32>| (v[0], v[1])).unwrap_or((0, 0));
    checks.check(wide.0 <= 1280 && wide.1 == 2, format!("1280x800: scroll width {} and {} column(s)", wide.0, wide.1));
    if let Some(path) = &options.screenshot {
        s.screenshot_of("#prediction", path).await?;
    }
    // Readable at 400 px wide: nothing overflows sideways.
    s.page
        .execute(chromiumoxide::cdp::browser_protocol::emulation::SetDeviceMetricsOverrideParams::new(400, 800, 1.0, false))
        .await
        .map_err(|e| format!("narrow viewport: {e}"))?;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let narrow: u32 = s.eval("document.documentElement.scrollWidth").await.unwrap_or(0);
    checks.check(narrow <= 400, format!("400 px wide: the page is {narrow} px wide"));
    s.page
        .execute(chromiumoxide::cdp::browser_protocol::emulation::ClearDeviceMetricsOverrideParams::default())
        .await
        .map_err(|e| format!("viewport: {e}"))?;
    // Copy as curl and as fetch(): the composed URL, no route of the lab's.
    let server = server_origin(options);
    for action in ["copy-curl", "copy-fetch"] {
        s.eval::<bool>("(() => { const e = document.querySelector('#snippet'); e.textContent = ''; return true; })()").await?;
        s.click(&format!("[data-action={action}]")).await?;
        s.wait("document.querySelector('#snippet').textContent.length > 0 && !document.querySelector('#snippet').hidden", &format!("the {action} snippet"), long).await?;
        let snippet = s.text("#snippet").await;
        checks.check(
            snippet.contains(&format!("{server}/data")) && !snippet.contains("/replay/") && !snippet.contains("/policy/"),
            format!("{action}: {snippet:?}"),
        );
    }
    // Reload restores the composition from the fragment.
    // (The mark tells the reloaded page from the one before it.)
    s.eval::<bool>("(() => { window.corslabBeforeReload = true; location.reload(); return true; })()").await?;
    s.wait("!window.corslabBeforeReload && document.querySelector('#prediction [data-role=verdict]') && document.querySelector('#prediction [data-role=verdict]').textContent.startsWith('Blocked')", "the restored scenario", long).await?;
    checks.check(s.eval::<String>("document.querySelector('#pre-status').value").await.unwrap_or_default() == "200", "reload restores the scripted preflight answer");

    // Real arrow keys keep focus where they were pressed: on the preset
    // select (which re-renders only the answer below it)...
    s.press("#srv-preset", "ArrowDown").await?;
    checks.check(s.focused().await == "srv-preset", format!("ArrowDown on #srv-preset moved focus to #{}", s.focused().await));
    let preset: String = s.eval("document.querySelector('#srv-preset').value").await.unwrap_or_default();
    checks.check(preset == "allow", format!("ArrowDown on #srv-preset chose {preset:?}, not the first preset"));
    // ...and on the profile radios, from one to the next.
    s.press("#profile-chrome", "ArrowRight").await?;
    let moved: (String, bool) = s
        .eval("[document.activeElement.id, document.querySelector('#profile-firefox').checked]")
        .await
        .map(|v: Vec<serde_json::Value>| (v[0].as_str().unwrap_or_default().to_owned(), v[1].as_bool().unwrap_or(false)))
        .unwrap_or_default();
    checks.check(moved == ("profile-firefox".to_owned(), true), format!("ArrowRight on #profile-chrome: focus on #{}, Firefox checked: {}", moved.0, moved.1));

    let demo_console: Vec<Console> = s.drain().into_iter().filter(|(_, text)| !expected_console(text)).collect();
    checks.check(demo_console.is_empty(), format!("unexpected console lines: {demo_console:?}"));

    // 4b. Start from what you have: a DevTools cURL copy becomes the
    // composition against its own server, then a console line is explained
    // (the screenshot of the panel).
    let curl = "curl 'http://localhost:3000/api/items' -X 'PUT' -H 'Origin: http://localhost:5173' -H 'Content-Type: application/json' -H 'X-Token: 1' -H 'Sec-Fetch-Mode: cors' --data-raw '{}'";
    s.set_value("#import-text", curl).await?;
    s.click("[data-action=import-text]").await?;
    s.wait("document.querySelector('#import-result [data-role=import-copied]')", "the cURL copy read", long).await?;
    let dropped = s.text("#import-result [data-role=import-dropped]").await;
    checks.check(dropped.contains("Origin") && dropped.contains("Sec-Fetch-Mode"), format!("cURL copy: what fetch() could not set, named: {dropped:?}"));
    let yours: (String, String) = s
        .eval("[document.querySelector('#yours-url') ? document.querySelector('#yours-url').value : '', document.querySelector('#yours-origin') ? document.querySelector('#yours-origin').value : '']")
        .await
        .map(|v: Vec<String>| (v[0].clone(), v[1].clone()))
        .unwrap_or_default();
    checks.check(yours == ("http://localhost:3000/api/items".to_owned(), "http://localhost:5173".to_owned()), format!("cURL copy: the lab points at its server: {yours:?}"));
    let line = "Access to fetch at 'http://localhost:3000/api/items' from origin 'http://localhost:5173' has been blocked by CORS policy: Response to preflight request doesn't pass access control check: No 'Access-Control-Allow-Origin' header is present on the requested resource.";
    s.set_value("#import-text", line).await?;
    s.click("[data-action=import-text]").await?;
    s.wait("document.querySelector('#import-result [data-role=import-console]')", "the console line explained", long).await?;
    let named = s.text("#import-result [data-role=import-console]").await;
    checks.check(named.contains("PreflightMissingAllowOriginHeader"), format!("console line: the error named: {named:?}"));
    checks.check(s.count("#import-result [data-role=import-fix] li").await >= 1, "console line: a fix");
    s.set_value("#import-text", "this is not a console line").await?;
    s.click("[data-action=import-text]").await?;
    s.wait("document.querySelector('#import-result .banner.fail')", "the unreadable text answered", long).await?;
    checks.check(s.text("#import-result").await.contains("Not a console line"), "unreadable text: said so");
    if let Some(path) = &options.import_screenshot {
        s.set_value("#import-text", line).await?;
        s.click("[data-action=import-text]").await?;
        s.wait("document.querySelector('#import-result [data-role=import-console]')", "the console line explained", long).await?;
        s.screenshot_of("#import", path).await?;
    }

    // 4c. A HAR file: DevTools' export of a recorded session
    // (testdata/har/chromium-devtools.har), put in the file picker as a
    // drop or a choice puts it; its requests listed, a blocked one picked.
    s.set_value("#import-text", "").await?;
    let har = include_str!("../../core/testdata/har/chromium-devtools.har");
    let open = format!(
        "(() => {{ const files = new DataTransfer(); files.items.add(new File([{}], 'session.har', {{type: 'application/json'}})); \
         const input = document.querySelector('#import-file'); input.files = files.files; \
         input.dispatchEvent(new Event('change', {{bubbles: true}})); return true; }})()",
        serde_json::to_string(har).map_err(|e| e.to_string())?
    );
    s.eval::<bool>(&open).await?;
    s.wait("document.querySelector('#import-result [data-role=import-har-summary]')", "the HAR file read", long).await?;
    let summary = s.text("#import-result [data-role=import-har-summary]").await;
    let options_listed = s.count("#import-har-select option").await;
    checks.check(summary.contains("cross-origin") && summary.contains("written by chromium-devtools") && options_listed > 1, format!("HAR file: its requests listed ({options_listed} options): {summary:?}"));
    let picked: i64 = s
        .eval(
            "(() => { const select = document.querySelector('#import-har-select'); \
             const blocked = [...select.options].find(o => o.value !== '' && !o.text.endsWith('passes')); \
             if (!blocked) return -1; select.value = blocked.value; \
             select.dispatchEvent(new Event('change', {bubbles: true})); return Number(blocked.value); })()",
        )
        .await?;
    checks.check(picked >= 0, "HAR file: a blocked request listed");
    if picked >= 0 {
        s.wait("document.querySelector('#import-har-request [data-role=import-har-verdict]')", "the HAR request's verdict", long).await?;
        let verdict = s.text("#import-har-request [data-role=import-har-verdict]").await;
        checks.check(verdict.contains("has been blocked by CORS policy"), format!("HAR file: the picked request's console line: {verdict:?}"));
        if let Some(path) = &options.har_screenshot {
            s.screenshot_of("#import", path).await?;
        }
    }

    // 5. A crafted link asking for a million sends: the form shows, and the
    // page sends, three.
    crafted_repeat(browser, options, &mut checks).await?;

    // 6. Your server: checked from your app's origin, then sent from the page.
    your_server(browser, options, &mut checks).await?;

    // 7. The static build beside the server loads cleanly too.
    if let Some(static_page) = &options.static_page {
        let mut st = Session::open(browser, static_page).await?;
        st.wait("document.querySelectorAll('#tour button').length === 4", "the static page to start", long).await?;
        st.wait("document.querySelectorAll('#recorded-select option').length > 10", "the static page's scenarios", long).await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let console = st.drain();
        checks.check(console.is_empty(), format!("console during the static page's load: {console:?}"));
        st.click("#tour-2").await?;
        st.wait("document.querySelector('#tour-reality [data-role=reality-verdict]')", "the static page's tour", long).await?;
        checks.check(st.text("#tour-reality [data-role=reality-verdict]").await.starts_with("fetch() resolved: 200"), "static page: tour stop 3 works");
    }

    // 8. The companion server is no page for a crafted link: a navigation to
    // a replay scripted as an HTML page gets the plain-text refusal, and no
    // script runs on the server's origin; fetch() still gets the page's bytes.
    navigation_guard(browser, options, &mut checks).await?;
    frontier_from_the_page(&mut s, &mut checks).await?;

    if checks.failures.is_empty() {
        println!("e2e: {} checks passed", checks.passed);
        Ok(())
    } else {
        for failure in &checks.failures {
            eprintln!("e2e: FAILED {failure}");
        }
        Err(format!("{} of {} e2e checks failed", checks.failures.len(), checks.failures.len() + checks.passed))
    }
}

/// The frontier scenarios the built page sends for real (issue 12): every
/// one with a redirect chain or a frame context, its origins kept apart,
/// no address spaces (predicted only) and no hop on the page's own origin
/// (the static page has no replay), chosen from the recorded list and sent:
/// reality agrees with the prediction, and from an opaque frame the server
/// saw `Origin: null`.
async fn frontier_from_the_page(s: &mut Session, checks: &mut Checks) -> Result<(), String> {
    let long = Duration::from_secs(30);
    let file = corslab::formats::scenario::ScenarioFile::parse(include_str!("../../core/testdata/scenarios/frontier.json"))
        .map_err(|e| format!("frontier.json: {e}"))?;
    let mut sent = 0;
    for scenario in &file.scenarios {
        let framed = scenario.request.context != corslab::fetch::client::ContextKind::Window;
        let page_hop = scenario.hops.iter().any(|h| h.server_origin == scenario.page_origin());
        let frontier = framed || !scenario.hops.is_empty();
        if !frontier || scenario.is_same_origin() || page_hop || !scenario.environment.is_empty() {
            continue;
        }
        let id = json(&scenario.id);
        s.eval::<bool>(&format!("(() => {{ const s = document.querySelector('#recorded-select'); s.value = {id}; s.dispatchEvent(new Event('change', {{bubbles: true}})); return s.value === {id}; }})()")).await?;
        s.wait("document.querySelector('#prediction [data-role=verdict]')", "a frontier scenario's prediction", long).await?;
        s.eval::<bool>("(() => { document.querySelector('#reality').innerHTML = ''; return true; })()").await?;
        s.click("#send").await?;
        s.wait("document.querySelector('#reality [data-role=reality-verdict]')", "a frontier scenario's reality", long).await?;
        let disagrees: Vec<String> = s
            .eval("[...document.querySelectorAll('#reality [data-role=agreement] tr')].filter(r => r.querySelector('[aria-label=disagrees]')).map(r => r.innerText)")
            .await
            .unwrap_or_default();
        checks.check(disagrees.is_empty(), format!("frontier {}: reality disagrees with the prediction: {disagrees:?}", scenario.id));
        if scenario.request.context.is_opaque() && scenario.request.mode == corslab::RequestMode::Cors {
            let log = s.text("#reality [data-role=server-log]").await;
            checks.check(log.contains("Origin: null"), format!("frontier {}: the server saw no Origin: null: {log:?}", scenario.id));
        }
        let _ = s.drain();
        sent += 1;
    }
    checks.check(sent >= 20, format!("only {sent} frontier scenarios sent from the page"));
    Ok(())
}

/// Opens the page from a crafted link whose composition asks for a million
/// sends: the form shows three (the most it offers), and a send sends three.
async fn crafted_repeat(browser: &Browser, options: &Options, checks: &mut Checks) -> Result<(), String> {
    let long = Duration::from_secs(20);
    let composition = r#"{"id":"crafted","request":{"method":"GET","path":"/data","headers":[],"mode":"cors","credentials":"same-origin","body":null},"server":{"kind":"scripted","preflight":null,"response":{"status":200,"headers":[["Access-Control-Allow-Origin","{origin}"]],"body":"ok"}},"repeat":1000000,"browser":"chrome"}"#;
    let mut tab = Session::open(browser, &page_link(&options.page, composition)).await?;
    tab.wait("document.querySelector('#req-repeat') && document.querySelector('#prediction [data-role=verdict]')", "the crafted link's page", long).await?;
    let repeat: String = tab.eval("document.querySelector('#req-repeat').value").await?;
    checks.check(repeat == "3", format!("crafted link: #req-repeat is {repeat:?}, not 3"));
    tab.click("#send").await?;
    tab.wait("document.querySelector('#reality [data-role=server-log]')", "the crafted link's send", long).await?;
    let log: Vec<String> = tab.eval("[...document.querySelectorAll('#reality [data-role=server-log] li')].map(l => l.textContent)").await.unwrap_or_default();
    let requests = log.iter().filter(|l| l.starts_with("GET /data") && !l.contains("a preflight")).count();
    checks.check(requests == 3, format!("crafted link: the server logged {requests} requests, not 3: {log:?}"));
    let console: Vec<Console> = tab.drain().into_iter().filter(|(_, text)| !expected_console(text)).collect();
    checks.check(console.is_empty(), format!("crafted link: unexpected console lines: {console:?}"));
    let _ = tab.page.close().await;
    Ok(())
}

/// Your server, at a real route of the companion server that names one
/// origin in `Access-Control-Allow-Origin`: checked from an app on another
/// origin (blocked: Chromium's console line, the fix naming the app's
/// origin), then from the origin the route names (passes), then sent for
/// real from this page beside the prediction for this page's origin.
async fn your_server(browser: &Browser, options: &Options, checks: &mut Checks) -> Result<(), String> {
    let long = Duration::from_secs(30);
    let server = server_origin(options);
    let url = format!("{server}/allow/origin");
    let app = "http://localhost:3000";
    let composition = serde_json::json!({
        "id": "custom",
        "request": {"method": "GET", "path": "/", "headers": [], "mode": "cors", "credentials": "same-origin", "body": null},
        "server": {"kind": "yours", "url": url, "app_origin": app},
        "repeat": 1,
        "browser": "chrome",
    });
    let mut tab = Session::open(browser, &page_link(&options.page, &composition.to_string())).await?;
    tab.wait("document.querySelector('#yours-url') && document.querySelector('#prediction-body')", "the your-server link's page", long).await?;
    let restored: Vec<String> = tab.eval("[document.querySelector('#yours-url').value, document.querySelector('#yours-origin').value]").await?;
    checks.check(restored == [url.as_str(), app], format!("your server: the link restores {restored:?}"));
    checks.check(tab.count("#check-app:not([hidden])").await == 1, "your server: Check from your app is offered");
    checks.check(tab.text("#prediction-title").await == "From your app" && tab.text("#reality-title").await == "From this page", "your server: the two views are labelled");

    // From an app on another origin: blocked, the headers behind the error
    // shown, and the fix.
    let checked = "document.querySelector('#prediction [data-role=check-verdict], #prediction [data-role=probe-error]')";
    tab.click("#check-app").await?;
    tab.wait(checked, "the check from your app", long).await?;
    let error = tab.text("#prediction [data-role=probe-error]").await;
    checks.check(error.is_empty(), format!("your server: /probe failed: {error:?}"));
    checks.check(tab.text("#prediction [data-role=sent-by]").await.contains("not by this browser"), "your server: the view says the companion server sent it");
    let verdict = tab.text("#prediction [data-role=verdict]").await;
    checks.check(verdict.starts_with("Blocked by CORS"), format!("your server from {app}: verdict {verdict:?}"));
    let console = tab.text("#prediction [data-role=chromium-console]").await;
    checks.check(
        console.starts_with(&format!("Access to fetch at '{url}' from origin '{app}'")) && console.contains("header has a value") && console.contains("that is not equal to the supplied origin"),
        format!("your server from {app}: Chromium's console line {console:?}"),
    );
    let chrome = tab.text("#prediction [data-role=per-browser] [data-browser=chrome]").await;
    checks.check(chrome.contains("AllowOriginMismatch"), format!("your server from {app}: Chromium's row {chrome:?}"));
    let fix = tab.text("#prediction [data-role=fix]").await;
    checks.check(fix.contains(&format!("Access-Control-Allow-Origin: {app}")), format!("your server from {app}: the fix {fix:?}"));
    let sent = tab.text("#prediction [data-role=exchanges] [data-role=sent]").await;
    checks.check(sent.starts_with("GET /allow/origin HTTP/1.1") && sent.contains(&format!("Origin: {app}")), format!("your server: what was sent {sent:?}"));
    // The origin the route names, read from the answer the page could not see.
    let received = tab.text("#prediction [data-role=exchanges] [data-role=received]").await;
    let allowed = received.lines().find_map(|l| l.strip_prefix("access-control-allow-origin: ")).unwrap_or_default().to_owned();
    checks.check(allowed.starts_with("http"), format!("your server: the answer's Access-Control-Allow-Origin in {received:?}"));

    // From the origin the route names: passes, nothing to change.
    tab.set_value("#yours-origin", &allowed).await?;
    if let Err(e) = tab.wait("document.querySelector('#prediction [data-role=yours-hint]')", "the stale check to be set aside", long).await {
        return Err(format!("{e}: the origin {allowed:?} from {received:?}; the panel says {:?}", tab.text("#prediction-body").await));
    }
    tab.click("#check-app").await?;
    tab.wait(checked, "the second check from your app", long).await?;
    let verdict = tab.text("#prediction [data-role=verdict]").await;
    checks.check(
        tab.count("#prediction [data-role=check-verdict].pass").await == 1 && verdict.starts_with("fetch() resolves: status 200"),
        format!("your server from {allowed}: verdict {verdict:?}"),
    );
    checks.check(tab.text("#prediction [data-role=fix]").await.starts_with("Nothing"), "your server: a passing check has nothing to change");

    // Sent for real from this page: what fetch() did, beside the prediction
    // for this page's origin; they agree (blocked at /allow/origin, which
    // names another origin; read at /allow/list, which lists this page's).
    for (path, outcome) in [("/allow/origin", "fetch() rejected"), ("/allow/list", "fetch() resolved: 200 (cors)")] {
        tab.set_value("#yours-url", &format!("{server}{path}")).await?;
        tab.eval::<bool>("(() => { document.querySelector('#reality').textContent = ''; return true; })()").await?;
        tab.click("#send").await?;
        tab.wait("document.querySelector('#reality [data-role=reality-verdict]')", &format!("the send from this page to {path}"), long).await?;
        let error = tab.text("#reality [data-role=probe-error]").await;
        checks.check(error.is_empty(), format!("from this page, {path}: /probe failed: {error:?}"));
        let reality = tab.text("#reality [data-role=reality-verdict]").await;
        checks.check(reality.starts_with(outcome), format!("from this page, {path}: fetch() {reality:?}"));
        checks.check(tab.count("#reality [data-role=verdict]").await == 1, format!("from this page, {path}: no prediction for this page's origin"));
        let agree = (tab.count("#reality [aria-label=agrees]").await, tab.count("#reality [aria-label=disagrees]").await);
        checks.check(agree.0 >= 4 && agree.1 == 0, format!("from this page, {path}: {} facts agree, {} disagree", agree.0, agree.1));
        checks.check(tab.count("#reality [data-role=server-log]").await == 0, format!("from this page, {path}: a server log for your server"));
    }

    // A check that cannot reach its URL says why, in one sentence.
    tab.set_value("#yours-url", "http://127.0.0.1:9/nothing-here").await?;
    tab.click("#check-app").await?;
    tab.wait("document.querySelector('#prediction [data-role=probe-error]')", "the failed check's sentence", long).await?;
    let error = tab.text("#prediction [data-role=probe-error]").await;
    checks.check(error.ends_with("(HTTP 502)"), format!("your server, nothing listening: {error:?}"));

    // The browser logs the 502 of the check that could not reach its URL.
    let console: Vec<Console> = tab
        .drain()
        .into_iter()
        .filter(|(_, text)| !expected_console(text) && text != "Failed to load resource: the server responded with a status of 502 (Bad Gateway)")
        .collect();
    checks.check(console.is_empty(), format!("your server: unexpected console lines: {console:?}"));
    let _ = tab.page.close().await;
    Ok(())
}

/// Navigates a tab to [`crafted_link`] and checks that the server refused
/// it: the document is the 403's plain text, and the crafted script set no
/// title, no global and no cookie; then, as the control, that `fetch()` of
/// the same link from that tab gets the scripted HTML (so the refusal, not
/// a broken link, is what kept the script from running).
async fn navigation_guard(browser: &Browser, options: &Options, checks: &mut Checks) -> Result<(), String> {
    let server = server_origin(options);
    let page_origin = options.page.trim_end_matches('/');
    let link = crafted_link(&server, page_origin);
    let tab = Session::open(browser, &link).await?;
    tab.wait("document.readyState === 'complete'", "the crafted link to load", Duration::from_secs(20)).await?;
    let expected = corslab_server::navigation::refusal("/replay/{run}");
    let (content_type, text): (String, String) = tab
        .eval("[document.contentType, (document.body ? document.body.innerText : '').trim()]")
        .await
        .map(|v: Vec<String>| (v.first().cloned().unwrap_or_default(), v.get(1).cloned().unwrap_or_default()))?;
    checks.check(content_type == "text/plain", format!("crafted link: a {content_type:?} document, not text/plain"));
    checks.check(text == expected, format!("crafted link: the page says {text:?}, not the refusal {expected:?}"));
    let title: String = tab.eval("document.title").await?;
    checks.check(title != "pwned", "crafted link: its script set document.title");
    let global: bool = tab.eval("typeof window.pwned !== 'undefined'").await?;
    checks.check(!global, "crafted link: its script set a global");
    let cookie: String = tab.eval("document.cookie").await?;
    let jar = tab.page.get_cookies().await.map_err(|e| format!("cookies of {server}: {e}"))?;
    checks.check(
        !cookie.contains("pwned") && !jar.iter().any(|c| c.name == "pwned"),
        format!("crafted link: its script set a cookie ({cookie:?})"),
    );
    let fetched: Vec<String> = tab
        .eval(&format!(
            "fetch({}).then(async r => [String(r.status), r.headers.get('content-type') || '', await r.text()])",
            json(&link)
        ))
        .await?;
    checks.check(
        fetched == ["200", "text/html", CRAFTED_PAGE],
        format!("crafted link fetched: {fetched:?}, not the scripted page"),
    );
    Ok(())
}
