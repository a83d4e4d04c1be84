//! `corslab verify`: replays scenarios in headless Chromium against the
//! companion server and compares what the browser did with the engine's
//! prediction, field by field.
//!
//! The page is served from an origin other than the server's (or from the
//! server's own origin for same-origin scenarios); each scenario's requests go
//! to a replay URL unique to the run, so no scenario's preflight cache touches
//! another's.

mod driver;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use corslab::Browser;
use corslab::diagnosis::check::CheckRequest;
use corslab_net::{CheckOptions, Client, ClientOptions};
use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{Expectation, Scenario, ScenarioFile, run};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use driver::{BrowserDriver, Chromium, DriverError, FetchObservation, FetchSpec};

/// What `corslab verify` was asked to do.
#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) record: Option<PathBuf>,
    pub(crate) chromium: PathBuf,
    pub(crate) server_port: u16,
    pub(crate) page_port: u16,
    pub(crate) timeout: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            files: Vec::new(),
            record: None,
            chromium: PathBuf::from("/usr/bin/chromium"),
            server_port: 18090,
            page_port: 18091,
            timeout: Duration::from_secs(10),
        }
    }
}

/// The blank page the fetches run in (an inline icon: no favicon request).
const PAGE: &str = "<!doctype html><html lang=en><head><meta charset=utf-8><link rel=icon href=\"data:,\"><title>CORS Lab verify</title></head><body></body></html>";
const PAGE_PATH: &str = "/__verify";

/// Runs the verify command; `Ok(true)` when every scenario agrees.
pub(crate) fn verify(options: &Options) -> Result<bool, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(verify_async(options))
}

/// One scenario to replay, with where it came from.
struct Item {
    file: String,
    scenario: Scenario,
}

async fn verify_async(options: &Options) -> Result<bool, String> {
    let items = load(&options.files)?;
    if items.is_empty() {
        return Err("no scenarios to verify".to_owned());
    }
    let server_origin = format!("http://localhost:{}", options.server_port);
    let page_origin = format!("http://localhost:{}", options.page_port);

    // The companion server (with the same-origin page) and the page's server.
    let server_router = Router::new().route(PAGE_PATH, get(|| async { Html(PAGE) })).merge(corslab_server::app(
        corslab_server::Config::default(),
    ));
    let server = Served::start(server_router, options.server_port, "the companion server").await?;
    let page_router = Router::new().route(PAGE_PATH, get(|| async { Html(PAGE) }));
    let page = match Served::start(page_router, options.page_port, "the page").await {
        Ok(page) => page,
        Err(e) => {
            server.stop().await;
            return Err(e);
        }
    };

    let started = Instant::now();
    let result = match Chromium::launch(&options.chromium).await {
        Ok(mut browser) => {
            let browser_up = started.elapsed();
            let outcome = replay_all(&mut browser, &items, &server_origin, &page_origin, options).await;
            if let Err(e) = browser.close().await {
                eprintln!("corslab verify: {e}");
            }
            outcome.map(|(agree, report)| (agree, report, browser_up))
        }
        Err(e) => Err(e.to_string()),
    };
    page.stop().await;
    server.stop().await;
    let (agree, report, browser_up) = result?;
    print!("{report}");
    println!("(Chromium started in {:.2} s)", browser_up.as_secs_f64());
    Ok(agree)
}

/// Replays every item (twice when recording) and reports.
async fn replay_all(
    browser: &mut Chromium,
    items: &[Item],
    server_origin: &str,
    page_origin: &str,
    options: &Options,
) -> Result<(bool, String), String> {
    let passes = if options.record.is_some() { 2 } else { 1 };
    let mut observed: Vec<Vec<Observed>> = Vec::new();
    let started = Instant::now();
    let nonce = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() % 1_000_000_000)
        .unwrap_or(0);
    for pass in 0..passes {
        // Cross-origin scenarios first, then same-origin ones: one page load each.
        let mut results: Vec<Option<Observed>> = vec![None; items.len()];
        for same_origin in [false, true] {
            let page_url = if same_origin {
                format!("{server_origin}{PAGE_PATH}")
            } else {
                format!("{page_origin}{PAGE_PATH}")
            };
            let mut opened = false;
            for (index, item) in items.iter().enumerate() {
                if item.scenario.is_same_origin() != same_origin {
                    continue;
                }
                if !opened {
                    browser.open(&page_url).await.map_err(|e| e.to_string())?;
                    opened = true;
                }
                let live_origin = if same_origin { server_origin } else { page_origin };
                let run_id = format!("v{nonce}-{pass}-{index}");
                let observation =
                    replay_one(browser, &item.scenario, live_origin, server_origin, &page_url, &run_id, options).await;
                if matches!(observation.error, Some(ReplayError::Hung(_))) {
                    // A hung fetch may leave the page busy: start afresh.
                    browser.open(&page_url).await.map_err(|e| e.to_string())?;
                }
                results[index] = Some(observation);
            }
        }
        observed.push(results.into_iter().flatten().collect());
    }
    let elapsed = started.elapsed();
    let runs = observed.first().map_or(0, Vec::len) * passes;

    // Compare each observation with the engine's prediction.
    let mut report = String::new();
    let (mut agree, mut disagree) = (0, 0);
    let (mut checked, mut check_requests, mut check_disagree) = (0, 0, 0);
    let first = &observed[0];
    for (item, obs) in items.iter().zip(first) {
        if let Some(check) = &obs.check {
            checked += 1;
            check_requests += check.requests;
            if !check.differences.is_empty() {
                check_disagree += 1;
            }
            for line in &check.differences {
                let _ = writeln!(report, "{} {}: {line}", item.file, item.scenario.id);
            }
        }
        let differences = compare(item, obs);
        if differences.is_empty() {
            agree += 1;
        } else {
            disagree += 1;
            for line in differences {
                let _ = writeln!(report, "{} {}: {line}", item.file, item.scenario.id);
            }
        }
        for left_out in &obs.left_out {
            let _ = writeln!(report, "note: {} {}: not replayed: {left_out}", item.file, item.scenario.id);
        }
    }

    if let Some(out) = &options.record {
        let second = &observed[1];
        let unstable: Vec<&str> = items
            .iter()
            .zip(first.iter().zip(second))
            .filter(|(_, (a, b))| a.recorded != b.recorded)
            .map(|(item, _)| item.scenario.id.as_str())
            .collect();
        if !unstable.is_empty() {
            return Err(format!(
                "recording is not deterministic: two runs differ for {}",
                unstable.join(", ")
            ));
        }
        write_recording(out, items, first)?;
        let _ = writeln!(report, "recorded {} scenarios to {}", items.len(), out.display());
    }
    let _ = writeln!(
        report,
        "check: {} of {checked} scenarios agree with Chromium, verdict and request heads ({check_requests} requests compared)",
        checked - check_disagree
    );
    let rate = runs as f64 / elapsed.as_secs_f64().max(1e-9);
    let _ = writeln!(
        report,
        "{agree} agree, {disagree} disagree ({runs} scenario runs in {:.2} s: {rate:.1} scenarios/s)",
        elapsed.as_secs_f64()
    );
    Ok((disagree == 0 && check_disagree == 0, report))
}

/// What one scenario did in the browser.
#[derive(Clone, Debug)]
struct Observed {
    /// The engine's prediction for the replayed scenario at the live origins.
    predicted: Expectation,
    /// What the browser did, in the same terms.
    actual: Expectation,
    /// The observation with the live origin and URL turned back into
    /// placeholders, as a recording stores it.
    recorded: Expectation,
    /// Headers the replay could not send.
    left_out: Vec<String>,
    error: Option<ReplayError>,
    /// How `check` compared, where it ran.
    check: Option<CheckComparison>,
}

#[derive(Clone, Debug)]
enum ReplayError {
    Hung(Duration),
    Other(String),
}

async fn replay_one(
    browser: &mut Chromium,
    scenario: &Scenario,
    live_origin: &str,
    server_origin: &str,
    page_url: &str,
    run_id: &str,
    options: &Options,
) -> Observed {
    let (spec, left_out) = ReplaySpec::from_scenario(scenario, live_origin);
    let url = format!("{server_origin}{}", spec.path_and_query(run_id));
    let url = url::Url::parse(&url).map(|u| u.to_string()).unwrap_or(url);
    let left_out: Vec<String> = left_out.iter().map(|l| format!("{} header {}", l.answer, l.name)).collect();

    // The engine's prediction for exactly what is replayed.
    let predicted = spec
        .scenario(scenario)
        .prepare_at(live_origin, &url)
        .ok()
        .and_then(|prepared| run(&prepared, Browser::Chrome, false).prediction(&scenario.id))
        .map_or_else(Expectation::unknown, |p| p.expect);

    let fetch = FetchSpec {
        url: url.clone(),
        method: scenario.request.method.clone(),
        headers: scenario.request.headers.clone(),
        mode: scenario.request.mode.as_str(),
        credentials: scenario.request.credentials.as_str(),
        body: scenario.request.body.clone(),
    };
    let mut last = None;
    let mut preflights = 0;
    let mut error = None;
    for _ in 0..scenario.repeat() {
        match browser.fetch(&fetch, options.timeout).await {
            Ok(observation) => {
                preflights += observation.preflights;
                last = Some(observation);
            }
            Err(DriverError::Hung(timeout)) => {
                error = Some(ReplayError::Hung(timeout));
                break;
            }
            Err(e) => {
                error = Some(ReplayError::Other(e.to_string()));
                break;
            }
        }
    }
    let actual = match (&last, &error) {
        (Some(observation), None) => as_expectation(observation, scenario.repeat() > 1, preflights),
        (_, Some(ReplayError::Hung(timeout))) => failed_run(format!("hung (no answer within {} s)", timeout.as_secs())),
        (_, Some(ReplayError::Other(message))) => failed_run(message.clone()),
        (None, None) => failed_run("no fetch ran".to_owned()),
    };
    let recorded = placeholders(&actual, live_origin, &url);
    // `check` beside the browser, for what a single fetch of a faithful
    // replay shows: its verdict and the very requests it sends.
    let check = if scenario.repeat() == 1 && left_out.is_empty() && error.is_none() {
        let run = CheckRun { scenario, spec: &spec, live_origin, server_origin, page_url, run_id };
        Some(run.compare(&recorded).await)
    } else {
        None
    };
    Observed { predicted, actual, recorded, left_out, error, check }
}

/// `corslab check` run on the same replay as the browser, under a run id
/// of its own.
struct CheckRun<'a> {
    scenario: &'a Scenario,
    spec: &'a ReplaySpec,
    live_origin: &'a str,
    server_origin: &'a str,
    page_url: &'a str,
    run_id: &'a str,
}

/// How `check` compared with the browser on one scenario.
#[derive(Clone, Debug, Default)]
struct CheckComparison {
    /// Requests whose heads were compared.
    requests: usize,
    /// Every difference, as a line.
    differences: Vec<String>,
}

/// Header names left out of the comparison of request heads: the browser's
/// identity and its compression (the rule), nothing else.
fn compared_header(name: &str) -> bool {
    !(name == "user-agent" || name.starts_with("sec-ch-ua") || name == "accept-encoding")
}

impl CheckRun<'_> {
    async fn compare(&self, browser_recorded: &Expectation) -> CheckComparison {
        let mut out = CheckComparison::default();
        let check_run = format!("{}k", self.run_id);
        let url = format!("{}{}", self.server_origin, self.spec.path_and_query(&check_run));
        let url = url::Url::parse(&url).map(String::from).unwrap_or(url);
        let Ok(page) = corslab::Origin::parse(self.live_origin) else {
            out.differences.push(format!("page origin {:?} does not parse", self.live_origin));
            return out;
        };
        let request = CheckRequest {
            call: corslab::FetchCall {
                url: url.clone(),
                method: self.scenario.request.method.clone(),
                headers: self.scenario.request.headers.clone(),
                mode: self.scenario.request.mode,
                credentials: self.scenario.request.credentials,
                body: self.scenario.request.body.clone(),
            },
            page,
            cookies: None,
            page_url: Some(self.page_url.to_owned()),
        };
        let client = match Client::new(&ClientOptions::default()) {
            Ok(client) => client,
            Err(e) => {
                out.differences.push(format!("check: {e}"));
                return out;
            }
        };
        let options = CheckOptions { browsers: vec![Browser::Chrome], audit: false };
        let run = match corslab_net::check(&client, &request, &options).await {
            Ok(run) => run,
            Err(e) => {
                out.differences.push(format!("check failed: {e}"));
                return out;
            }
        };
        // The verdict: the browser's own, placeholders for the live values.
        if let Some(checked) = run.report.browsers.get(&Browser::Chrome) {
            let checked = placeholders(&checked.expect, self.live_origin, &url);
            for (field, browser, check) in browser_recorded.differences(&checked) {
                out.differences.push(format!("check's {field}: Chromium {browser}, check {check}"));
            }
        }
        // The requests: what the server received from each, head by head.
        let (browser_log, check_log) = (self.log(&client, self.run_id).await, self.log(&client, &check_run).await);
        match (browser_log, check_log) {
            (Ok(browser), Ok(check)) => {
                if browser.len() != check.len() {
                    out.differences.push(format!("Chromium sent {} requests, check {}", browser.len(), check.len()));
                }
                for (b, c) in browser.iter().zip(&check) {
                    out.requests += 1;
                    let (b_method, c_method) = (b["method"].as_str().unwrap_or(""), c["method"].as_str().unwrap_or(""));
                    if b_method != c_method {
                        out.differences.push(format!("method: Chromium {b_method}, check {c_method}"));
                    }
                    let (b_head, c_head) = (head(b), head(c));
                    for line in b_head.iter().filter(|l| !c_head.contains(l)) {
                        out.differences.push(format!("{b_method}: Chromium sent {}: {}, check did not", line.0, line.1));
                    }
                    for line in c_head.iter().filter(|l| !b_head.contains(l)) {
                        out.differences.push(format!("{c_method}: check sent {}: {}, Chromium did not", line.0, line.1));
                    }
                }
            }
            (Err(e), _) | (_, Err(e)) => out.differences.push(format!("run log: {e}")),
        }
        out
    }

    async fn log(&self, client: &Client, run: &str) -> Result<Vec<serde_json::Value>, String> {
        let (status, body) = client.get_text(&format!("{}/log/{run}", self.server_origin)).await.map_err(|e| e.to_string())?;
        if status != 200 {
            return Err(format!("GET /log/{run}: {status}"));
        }
        serde_json::from_str(&body).map_err(|e| format!("/log/{run}: {e}"))
    }
}

/// A logged request's compared header lines, sorted (names lower-case).
fn head(entry: &serde_json::Value) -> Vec<(String, String)> {
    let mut lines: Vec<(String, String)> = entry["headers"]
        .as_array()
        .map(|pairs| {
            pairs
                .iter()
                .filter_map(|p| Some((p[0].as_str()?.to_ascii_lowercase(), p[1].as_str()?.to_owned())))
                .filter(|(n, _)| compared_header(n))
                .collect()
        })
        .unwrap_or_default();
    lines.sort();
    lines
}

fn as_expectation(observation: &FetchObservation, repeated: bool, preflights: u32) -> Expectation {
    Expectation {
        preflight: observation.preflights > 0,
        outcome: observation.outcome.clone(),
        cors_error: observation.cors_error.clone(),
        failed_parameter: observation.failed_parameter.clone(),
        console: observation.console.clone(),
        status: observation.status,
        response_type: observation.response_type.clone(),
        visible_headers: observation.visible_headers.clone(),
        preflight_count: repeated.then_some(preflights),
    }
}

fn failed_run(message: String) -> Expectation {
    Expectation { outcome: format!("error: {message}"), ..Expectation::unknown() }
}

/// The live origin and URL turned back into `{origin}` and `{url}`.
fn placeholders(e: &Expectation, origin: &str, url: &str) -> Expectation {
    let back = |s: &Option<String>| s.as_ref().map(|v| v.replace(url, "{url}").replace(origin, "{origin}"));
    Expectation {
        cors_error: back(&e.cors_error),
        failed_parameter: back(&e.failed_parameter),
        console: back(&e.console),
        ..e.clone()
    }
}

fn compare(_item: &Item, observed: &Observed) -> Vec<String> {
    observed
        .predicted
        .differences(&observed.actual)
        .into_iter()
        .map(|(field, predicted, actual)| format!("{field}: predicted {predicted}, observed {actual}"))
        .collect()
}

fn write_recording(out: &PathBuf, items: &[Item], observed: &[Observed]) -> Result<(), String> {
    let scenarios = items
        .iter()
        .zip(observed)
        .map(|(item, obs)| {
            let mut scenario = item.scenario.clone();
            scenario.expect = BTreeMap::from([("chrome".to_owned(), obs.recorded.clone())]);
            scenario
        })
        .collect();
    let file = ScenarioFile {
        format: corslab::formats::scenario::SCENARIOS_FORMAT.to_owned(),
        recorded_with: BTreeMap::from([("chrome".to_owned(), chromium_version())]),
        scenarios,
    };
    let json = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    std::fs::write(out, json + "\n").map_err(|e| format!("{}: {e}", out.display()))
}

fn chromium_version() -> String {
    std::process::Command::new("chromium")
        .arg("--version")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .map(|v| format!("{} headless", v.trim()))
        .unwrap_or_else(|| "Chromium headless".to_owned())
}

fn load(files: &[PathBuf]) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = ScenarioFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        items.extend(file.scenarios.into_iter().map(|scenario| Item { file: name.clone(), scenario }));
    }
    Ok(items)
}

/// A router served on 127.0.0.1 until stopped.
struct Served {
    stop: oneshot::Sender<()>,
    task: JoinHandle<()>,
}

impl Served {
    async fn start(router: Router, port: u16, what: &str) -> Result<Served, String> {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| format!("cannot bind {addr} for {what}: {e}"))?;
        let (stop, stopped) = oneshot::channel::<()>();
        // The companion server's own loop: no automatic Date header, so a
        // replay sends exactly the scripted headers.
        let task = tokio::spawn(async move {
            let _ = corslab_server::serve(listener, router, async {
                let _ = stopped.await;
            })
            .await;
        });
        Ok(Served { stop, task })
    }

    async fn stop(self) {
        let _ = self.stop.send(());
        if tokio::time::timeout(Duration::from_secs(5), self.task).await.is_err() {
            eprintln!("corslab verify: a server did not stop within 5 s");
        }
    }
}
