//! `corslab verify`: replays scenarios in real browsers (headless Chromium,
//! headless Firefox ESR, WebKitGTK under Xvfb) against the companion server
//! and compares what each browser did with the engine's prediction for that
//! browser's profile, field by field.
//!
//! The page is served from an origin other than the server's (or from the
//! server's own origin for same-origin scenarios); each scenario's requests go
//! to a replay URL unique to the run and the browser, so no scenario's
//! preflight cache touches another's. A scenario is replayed in each browser
//! it records (`expect.<browser>`), or in every chosen browser when it
//! records none or when recording. Every disagreement names the installed
//! browser and the one that made the recording (`recorded_with`): Debian
//! serves only its current browsers, so a security update can change what
//! a browser does with no change of ours.
//!
//! `cors-scenarios/2` replays too: three listeners serve one companion
//! server (the page's origin, the server's, and a second cross origin for
//! redirects), each hop answered from the one replay URL ([`live`] maps the
//! recorded origins to them); the `sandboxed-iframe`, `data-iframe` and
//! `blank-iframe` contexts run the fetch in a frame the page makes
//! ([`driver::page_function`]); and each distinct `environment` gets a
//! browser of its own, started with it (Chromium's switches and granted
//! permissions, Firefox's prefs and permissions; WebKit has no Local
//! Network Access gate and replays those scenarios as it replays any). A
//! fetch that has not settled after the recordings' 8 s is `pending`;
//! browsers of their own run side by side, so their 8 s windows overlap.
//! What the servers received (`served`) comes from the run log.

mod bidi;
mod chromium;
mod console;
mod driver;
mod firefox;
mod live;
mod webkit;

use std::fmt::Write as _;
use std::future::Future;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::response::Html;
use axum::routing::get;
use corslab::Browser;
use corslab::diagnosis::check::CheckRequest;
use corslab::fetch::local_network::PENDING_AFTER_MS;
use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{Expectation, SCENARIOS_FORMAT, SCENARIOS_FORMAT_2, Scenario, ScenarioFile, run};
use corslab_net::{CheckOptions, Client, ClientOptions};
use futures::StreamExt;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use chromium::Chromium;
use driver::{BrowserDriver, DriverError, Environment, FetchObservation, FetchSpec};
use firefox::Firefox;
use live::{OriginMap, Origins};
use webkit::{Webkit, WebkitPrograms};

/// The browsers verify drives, in the order it drives them.
pub(crate) const BROWSERS: [Browser; 3] = [Browser::Chrome, Browser::Firefox, Browser::Webkit];

/// What `corslab verify` was asked to do.
#[derive(Debug)]
pub(crate) struct Options {
    pub(crate) files: Vec<PathBuf>,
    pub(crate) record: Option<PathBuf>,
    /// The browsers to replay in (`--browser`, default all three).
    pub(crate) browsers: Vec<Browser>,
    pub(crate) chromium: PathBuf,
    pub(crate) firefox: PathBuf,
    /// The Python that has WebKitGTK's bindings (Debian's).
    pub(crate) python: PathBuf,
    pub(crate) xvfb: PathBuf,
    pub(crate) server_port: u16,
    pub(crate) page_port: u16,
    /// The second cross origin's port (where redirects lead).
    pub(crate) second_port: u16,
    /// How long a fetch is watched: one that has neither resolved nor
    /// rejected by then is `pending` (the recordings watched 8 s).
    pub(crate) timeout: Duration,
    /// How many browsers of their own (one per environment) run at once.
    pub(crate) parallel: usize,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            files: Vec::new(),
            record: None,
            browsers: BROWSERS.to_vec(),
            chromium: PathBuf::from("/usr/bin/chromium"),
            firefox: PathBuf::from("/usr/bin/firefox-esr"),
            python: PathBuf::from("/usr/bin/python3"),
            xvfb: PathBuf::from("/usr/bin/Xvfb"),
            server_port: 18090,
            page_port: 18091,
            second_port: 18092,
            timeout: Duration::from_millis(PENDING_AFTER_MS),
            parallel: 6,
        }
    }
}

/// The blank page the fetches run in (an inline icon: no favicon request).
const PAGE: &str = "<!doctype html><html lang=en><head><meta charset=utf-8><link rel=icon href=\"data:,\"><title>CORS Lab verify</title></head><body></body></html>";
/// Where the page is on the companion server (same-origin scenarios; `/`
/// there is the seed route).
const PAGE_PATH: &str = "/__verify";
/// Where the page is on the page's own origin: its root, as the recordings
/// had it (Firefox's same-origin error names the page: `{origin}/`).
const CROSS_PAGE_PATH: &str = "/";

/// Runs the verify command; `Ok(true)` when every scenario agrees.
pub(crate) fn verify(options: &Options) -> Result<bool, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| format!("tokio runtime: {e}"))?;
    runtime.block_on(async {
        // Ctrl-C drops the run: each driver's browser, driver script and
        // Xvfb are killed on drop and its profile is removed (`Profile`).
        tokio::select! {
            result = verify_async(options) => result,
            _ = tokio::signal::ctrl_c() => Err("interrupted".to_owned()),
        }
    })
}

/// One scenario to replay, with where it came from.
struct Item {
    file: String,
    /// The file's `recorded_with`: browser → the version that recorded it.
    recorded_with: Arc<corslab::SortedMap<String, String>>,
    /// Whether its file is `cors-scenarios/2`: its expectations then hold
    /// `redirected`, `url`, `net_error` and `served`, and are compared.
    v2: bool,
    scenario: Scenario,
}

impl Item {
    /// Whether verify replays this item in `browser`.
    fn replayed_in(&self, browser: Browser, recording: bool) -> bool {
        recording || self.scenario.expect.is_empty() || self.scenario.expect.contains_key(browser.as_str())
    }
}

/// What the replay needs besides the scenario: where things are.
struct Live<'a> {
    server_origin: String,
    page_origin: String,
    /// The three live origins.
    origins: Origins,
    options: &'a Options,
    /// For the server's run log.
    client: Client,
    /// Distinguishes this verify run's replay URLs from any other's.
    nonce: u128,
}

/// How one browser's replay went.
struct BrowserRun {
    browser: Browser,
    version: String,
    started_in: Duration,
    closed_in: Duration,
    /// Disagreement and note lines.
    report: String,
    agree: usize,
    disagree: usize,
    /// Runs whose deciding facts the browser did not let verify see (see
    /// [`console_unseen`]): neither agreeing nor disagreeing.
    unseen: usize,
    runs: usize,
    elapsed: Duration,
    /// How `check` compared, beside Chromium only: (scenarios, requests, disagreeing).
    check: Option<(usize, usize, usize)>,
    /// Each item's recorded observation (first pass), when recording.
    recorded: Vec<Option<Expectation>>,
    /// Scenarios replayed in browsers of their own (an environment each),
    /// how many such browsers, and the wall time they took side by side.
    environments: (usize, usize, Duration),
}

async fn verify_async(options: &Options) -> Result<bool, String> {
    let items = load(&options.files)?;
    if items.is_empty() {
        return Err("no scenarios to verify".to_owned());
    }
    let recording = options.record.is_some();
    let client = Client::new(&ClientOptions::default()).map_err(|e| format!("HTTP client: {e}"))?;
    let live = Live {
        server_origin: format!("http://localhost:{}", options.server_port),
        page_origin: format!("http://localhost:{}", options.page_port),
        origins: Origins {
            page: format!("http://localhost:{}", options.page_port),
            server: format!("http://localhost:{}", options.server_port),
            second: format!("http://localhost:{}", options.second_port),
        },
        options,
        client,
        nonce: std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() % 1_000_000_000)
            .unwrap_or(0),
    };

    // One companion server (with the same-origin page) on three
    // listeners: its own origin, the page's (the page at its root, as the
    // recordings had it; the rest is the companion server, so a redirect
    // may lead there) and a second cross origin. One app: one run log.
    let server_router = Router::new().route(PAGE_PATH, get(|| async { Html(PAGE) })).merge(corslab_server::app(
        corslab_server::Config::default(),
    ));
    let page_router = Router::new().route(CROSS_PAGE_PATH, get(|| async { Html(PAGE) })).fallback_service(server_router.clone());
    let mut listeners: Vec<Served> = Vec::new();
    for (router, port, what) in [
        (server_router.clone(), options.server_port, "the companion server"),
        (page_router, options.page_port, "the page"),
        (server_router, options.second_port, "the second cross origin"),
    ] {
        match Served::start(router, port, what).await {
            Ok(served) => listeners.push(served),
            Err(e) => {
                for served in listeners {
                    served.stop().await;
                }
                return Err(e);
            }
        }
    }

    // One browser after the other (two cores: running them at once would
    // only make each one's timing noisier).
    let mut runs: Vec<Result<BrowserRun, String>> = Vec::new();
    for &browser in &options.browsers {
        let chosen: Vec<usize> =
            (0..items.len()).filter(|&i| items[i].replayed_in(browser, recording)).collect();
        let outcome = if chosen.is_empty() {
            Ok(BrowserRun::empty(browser))
        } else if browser == Browser::Spec {
            Err("spec is a profile, not a browser: verify replays in chrome, firefox and webkit".to_owned())
        } else {
            replay_in(browser, &items, &chosen, &live).await
        };
        let outcome = outcome.map_err(|e| format!("{browser}: {e}"));
        // Each browser's disagreements as soon as it is done.
        match &outcome {
            Ok(run) => print!("{}", run.report),
            Err(e) => println!("error: {e}"),
        }
        let _ = std::io::Write::flush(&mut std::io::stdout());
        runs.push(outcome);
    }
    for served in listeners {
        served.stop().await;
    }

    // The summary: `check`'s line, one line per browser, the totals, and
    // the one line `make test` shows.
    let mut all_agree = true;
    let mut out = String::new();
    let mut summary = Vec::new();
    let (mut agree, mut disagree, mut total_runs, mut elapsed) = (0, 0, 0, Duration::ZERO);
    for run in &runs {
        match run {
            Ok(run) => {
                all_agree &= run.disagree == 0;
                agree += run.agree;
                disagree += run.disagree;
                total_runs += run.runs;
                elapsed += run.elapsed;
                let unseen = if run.unseen == 0 { String::new() } else { format!(" ({} not observable)", run.unseen) };
                summary.push(format!("{} {}/{}{unseen}", run.browser, run.agree, run.agree + run.disagree + run.unseen));
            }
            Err(e) => {
                all_agree = false;
                summary.push(format!("{} not run", e.split(':').next().unwrap_or("?")));
            }
        }
    }
    for run in runs.iter().flatten() {
        if let Some((checked, requests, check_disagree)) = run.check {
            all_agree &= check_disagree == 0;
            let _ = writeln!(
                out,
                "check: {} of {checked} scenarios agree with Chromium, verdict and request heads ({requests} requests compared)",
                checked - check_disagree
            );
        }
    }
    for run in runs.iter().flatten() {
        let rate = run.runs as f64 / run.elapsed.as_secs_f64().max(1e-9);
        let (env_runs, env_browsers, env_elapsed) = run.environments;
        let environments = if env_browsers == 0 {
            String::new()
        } else {
            format!(
                "; {env_runs} of them in {env_browsers} browsers of their own (environments), side by side in {:.2} s",
                env_elapsed.as_secs_f64()
            )
        };
        let _ = writeln!(
            out,
            "{}: {} agree, {} disagree{} ({} scenario runs in {:.2} s: {rate:.1} scenarios/s; {} started in {:.2} s, stopped in {:.2} s{environments})",
            run.browser,
            run.agree,
            run.disagree,
            if run.unseen == 0 { String::new() } else { format!(", {} not observable", run.unseen) },
            run.runs,
            run.elapsed.as_secs_f64(),
            run.version,
            run.started_in.as_secs_f64(),
            run.closed_in.as_secs_f64()
        );
    }
    if let Some(path) = &options.record {
        let done: Vec<&BrowserRun> = runs.iter().flatten().collect();
        if done.len() == runs.len() {
            write_recording(path, &items, &done)?;
            let _ = writeln!(out, "recorded {} scenarios in {} to {}", items.len(), summary_browsers(&done), path.display());
        } else {
            let _ = writeln!(out, "nothing recorded: a browser did not run");
        }
    }
    let rate = total_runs as f64 / elapsed.as_secs_f64().max(1e-9);
    let _ = writeln!(
        out,
        "{agree} agree, {disagree} disagree ({total_runs} scenario runs in {:.2} s: {rate:.1} scenarios/s)",
        elapsed.as_secs_f64()
    );
    let _ = writeln!(out, "verify: {}", summary.join(", "));
    print!("{out}");
    let not_run: Vec<&str> =
        runs.iter().filter_map(|r| r.as_ref().err()).map(|e| e.split(':').next().unwrap_or("?")).collect();
    if !not_run.is_empty() {
        return Err(format!("verify could not run in {} (see the error above)", not_run.join(", ")));
    }
    Ok(all_agree)
}

fn summary_browsers(runs: &[&BrowserRun]) -> String {
    runs.iter().map(|r| r.browser.as_str()).collect::<Vec<_>>().join(", ")
}

impl BrowserRun {
    fn empty(browser: Browser) -> BrowserRun {
        BrowserRun {
            browser,
            version: String::new(),
            started_in: Duration::ZERO,
            closed_in: Duration::ZERO,
            report: String::new(),
            agree: 0,
            disagree: 0,
            unseen: 0,
            runs: 0,
            elapsed: Duration::ZERO,
            check: None,
            recorded: Vec::new(),
            environments: (0, 0, Duration::ZERO),
        }
    }
}

/// What one browser (the one for the scenarios without an environment, or
/// one of an environment's) saw.
struct Observations {
    version: String,
    started_in: Duration,
    closed_in: Duration,
    /// The replay's time, launch and close aside.
    elapsed: Duration,
    /// Per pass, per item (by index).
    observed: Vec<Vec<Option<Observed>>>,
}

/// The environment a scenario is replayed in by `browser`, or `None` for
/// none: WebKit has no Local Network Access gate, so every scenario runs
/// there as any other does; in Chromium and Firefox a scenario with a
/// non-empty `environment` was recorded in a browser of its own.
fn environment_of(item: &Item, browser: Browser, live: &Live<'_>) -> Option<(String, Environment)> {
    if browser == Browser::Webkit || item.scenario.environment.is_empty() {
        return None;
    }
    let page = if item.scenario.is_same_origin() { &live.server_origin } else { &live.page_origin };
    let environment = match OriginMap::new(&item.scenario, page, &live.origins) {
        Ok(map) => live::environment(&map.scenario(&item.scenario).environment, page),
        Err(_) => Environment { page_origin: page.clone(), ..Environment::default() },
    };
    let key = format!("{}@{page}", serde_json::to_string(&item.scenario.environment).unwrap_or_default());
    Some((key, environment))
}

/// Replays the chosen items in `browser`: those without an environment in
/// one browser, then each distinct environment's in a browser of its own,
/// several side by side (a Firefox `pending` costs its 8 s once for all);
/// then compares each observation with the prediction.
async fn replay_in(browser: Browser, items: &[Item], chosen: &[usize], live: &Live<'_>) -> Result<BrowserRun, String> {
    let mut plain: Vec<usize> = Vec::new();
    let mut environments: Vec<(String, Environment, Vec<usize>)> = Vec::new();
    for &index in chosen {
        match environment_of(&items[index], browser, live) {
            None => plain.push(index),
            Some((key, environment)) => match environments.iter_mut().find(|(k, _, _)| *k == key) {
                Some((_, _, indices)) => indices.push(index),
                None => environments.push((key, environment, vec![index])),
            },
        }
    }
    let main = if plain.is_empty() {
        None
    } else {
        Some(observe_in(browser, &Environment::default(), items, &plain, live).await?)
    };
    let side_by_side = Instant::now();
    let separate: Vec<Result<Observations, String>> = futures::stream::iter(&environments)
        .map(|(_, environment, indices)| observe_in(browser, environment, items, indices, live))
        .buffer_unordered(live.options.parallel.max(1))
        .collect()
        .await;
    let separate_elapsed = side_by_side.elapsed();
    let separate: Vec<Observations> = separate.into_iter().collect::<Result<_, _>>()?;

    // One table of observations: per pass, per item.
    let passes = if live.options.record.is_some() { 2 } else { 1 };
    let mut observed: Vec<Vec<Option<Observed>>> = vec![vec![None; items.len()]; passes];
    for part in main.iter().chain(&separate) {
        for (pass, results) in part.observed.iter().enumerate() {
            for (index, result) in results.iter().enumerate() {
                if result.is_some() {
                    observed[pass][index].clone_from(result);
                }
            }
        }
    }
    let first = main.as_ref().or(separate.first());
    let version = first.map(|o| o.version.clone()).unwrap_or_default();
    let mut run = compare_all(browser, &version, items, chosen, &observed, live)?;
    if let Some(main) = &main {
        run.started_in = main.started_in;
        run.closed_in = main.closed_in;
    }
    run.elapsed = main.as_ref().map_or(Duration::ZERO, |m| m.elapsed) + if environments.is_empty() { Duration::ZERO } else { separate_elapsed };
    let separate_runs = environments.iter().map(|(_, _, indices)| indices.len()).sum::<usize>() * passes;
    run.environments = (separate_runs, environments.len(), if environments.is_empty() { Duration::ZERO } else { separate_elapsed });
    Ok(run)
}

/// Launches `browser` with `environment`, replays `indices` in it, closes it.
async fn observe_in(
    browser: Browser,
    environment: &Environment,
    items: &[Item],
    indices: &[usize],
    live: &Live<'_>,
) -> Result<Observations, String> {
    let options = live.options;
    match browser {
        Browser::Chrome => drive(Chromium::launch(&options.chromium, environment), items, indices, live).await,
        Browser::Firefox => drive(Firefox::launch(&options.firefox, environment), items, indices, live).await,
        Browser::Webkit => {
            let programs = WebkitPrograms { python: options.python.clone(), xvfb: options.xvfb.clone() };
            drive(Webkit::launch(&programs), items, indices, live).await
        }
        Browser::Spec => Err("spec is a profile, not a browser".to_owned()),
    }
}

/// Launches a browser, replays the chosen items in it, then closes it.
async fn drive<D: BrowserDriver>(
    launch: impl Future<Output = Result<D, DriverError>>,
    items: &[Item],
    chosen: &[usize],
    live: &Live<'_>,
) -> Result<Observations, String> {
    let started = Instant::now();
    let mut browser = launch.await.map_err(|e| e.to_string())?;
    let started_in = started.elapsed();
    let outcome = observe_all(&mut browser, items, chosen, live).await;
    let closing = Instant::now();
    let version = browser.version().to_owned();
    let closed = browser.close().await;
    let (observed, elapsed) = outcome?;
    closed.map_err(|e| format!("close: {e}"))?;
    if std::env::var_os("CORSLAB_VERIFY_DEBUG").is_some() {
        eprintln!(
            "browser: started in {:.2} s, {} scenarios in {:.2} s, closed in {:.2} s",
            started_in.as_secs_f64(),
            chosen.len(),
            elapsed.as_secs_f64(),
            closing.elapsed().as_secs_f64()
        );
    }
    Ok(Observations { version, started_in, closed_in: closing.elapsed(), elapsed, observed })
}

/// Replays every chosen item (twice when recording) in an open browser.
async fn observe_all<D: BrowserDriver>(
    browser: &mut D,
    items: &[Item],
    chosen: &[usize],
    live: &Live<'_>,
) -> Result<(Vec<Vec<Option<Observed>>>, Duration), String> {
    let which = browser.browser();
    let passes = if live.options.record.is_some() { 2 } else { 1 };
    let mut observed: Vec<Vec<Option<Observed>>> = Vec::new();
    let started = Instant::now();
    for pass in 0..passes {
        // Cross-origin scenarios first, then same-origin ones: one page load each.
        let mut results: Vec<Option<Observed>> = vec![None; items.len()];
        for same_origin in [false, true] {
            let page_url = if same_origin {
                format!("{}{PAGE_PATH}", live.server_origin)
            } else {
                format!("{}{CROSS_PAGE_PATH}", live.page_origin)
            };
            let mut opened = false;
            for &index in chosen {
                let item = &items[index];
                if item.scenario.is_same_origin() != same_origin {
                    continue;
                }
                if !opened {
                    browser.open(&page_url).await.map_err(|e| e.to_string())?;
                    opened = true;
                }
                let live_origin = if same_origin { &live.server_origin } else { &live.page_origin };
                let run_id = format!("v{}-{which}-{pass}-{index}", live.nonce);
                let place = Place { live_origin, page_url: &page_url, run_id: &run_id };
                let observation = replay_one(browser, item, &place, live).await;
                if matches!(observation.error, Some(ReplayError::Hung(_))) || observation.actual.outcome == "pending" {
                    // A fetch still waiting may leave the page busy: start afresh.
                    browser.open(&page_url).await.map_err(|e| e.to_string())?;
                }
                results[index] = Some(observation);
            }
        }
        observed.push(results);
    }
    Ok((observed, started.elapsed()))
}

/// Compares each observation with the engine's prediction (and, when
/// recording, the two passes with each other).
fn compare_all(
    which: Browser,
    version: &str,
    items: &[Item],
    chosen: &[usize],
    observed: &[Vec<Option<Observed>>],
    live: &Live<'_>,
) -> Result<BrowserRun, String> {
    let passes = observed.len();
    let mut run = BrowserRun::empty(which);
    run.version = version.to_owned();
    run.runs = chosen.len() * passes;
    let (mut checked, mut check_requests, mut check_disagree) = (0, 0, 0);
    let first = &observed[0];
    for &index in chosen {
        let (item, Some(obs)) = (&items[index], &first[index]) else { continue };
        let recorded_with = item.recorded_with.get(which.as_str()).map_or("no recording", String::as_str);
        let label = format!("{} {} [{which}: installed {version}, recorded with {recorded_with}]", item.file, item.scenario.id);
        if let Some(check) = &obs.check {
            checked += 1;
            check_requests += check.requests;
            if !check.differences.is_empty() {
                check_disagree += 1;
            }
            for line in &check.differences {
                let _ = writeln!(run.report, "{label}: {line}");
            }
        }
        let differences = compare(item, which, obs);
        if differences.is_empty() {
            run.agree += 1;
        } else if let Some(why) = console_unseen(which, obs, &differences) {
            run.unseen += 1;
            let _ = writeln!(run.report, "note: {label}: not observable: {why}");
        } else {
            run.disagree += 1;
            for line in differences {
                let _ = writeln!(run.report, "{label}: {line}");
            }
        }
        for left_out in &obs.left_out {
            let _ = writeln!(run.report, "note: {} {}: not replayed: {left_out}", item.file, item.scenario.id);
        }
    }
    if which == Browser::Chrome {
        run.check = Some((checked, check_requests, check_disagree));
    }

    if live.options.record.is_some() {
        let second = &observed[1];
        let unstable: Vec<&str> = chosen
            .iter()
            .filter(|&&i| first[i].as_ref().map(|o| &o.recorded) != second[i].as_ref().map(|o| &o.recorded))
            .map(|&i| items[i].scenario.id.as_str())
            .collect();
        if !unstable.is_empty() {
            return Err(format!("recording is not deterministic: two runs differ for {}", unstable.join(", ")));
        }
        run.recorded = first.iter().map(|o| o.as_ref().map(|o| o.recorded.clone())).collect();
    }
    Ok(run)
}

/// Where one scenario is replayed.
struct Place<'a> {
    /// The page's origin for this scenario (the server's for same-origin ones).
    live_origin: &'a str,
    page_url: &'a str,
    run_id: &'a str,
}

/// What one scenario did in the browser.
#[derive(Clone, Debug)]
struct Observed {
    /// The engine's prediction for the replayed scenario at the live origins,
    /// in a recording's terms (as [`recorded`](Self::recorded)): a
    /// recording's `{hopN}` stands for the hop's URL with or without its
    /// userinfo (WebKit writes it once without, once with, in one line), so
    /// prediction and observation are compared as a recording would hold
    /// them.
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

async fn replay_one<D: BrowserDriver>(browser: &mut D, item: &Item, place: &Place<'_>, live: &Live<'_>) -> Observed {
    let which = browser.browser();
    let scenario = &item.scenario;
    let live_origin = place.live_origin;
    // The scenario at the live origins, its replay URL, and the same
    // scenario as the replay plays it (each hop at its live URL).
    let map = match OriginMap::new(scenario, live_origin, &live.origins) {
        Ok(map) => map,
        Err(e) => return Observed::failed(e),
    };
    let live_scenario = map.scenario(scenario);
    let (spec, left_out) = ReplaySpec::from_scenario(&live_scenario, live_origin);
    let url = format!("{}{}", live_scenario.server_origin(), spec.path_and_query(place.run_id));
    let url = url::Url::parse(&url).map(|u| u.to_string()).unwrap_or(url);
    let left_out: Vec<String> = left_out.iter().map(|l| format!("{} header {}", l.answer, l.name)).collect();
    let replayed = spec.scenario_at(&live_scenario, place.run_id);
    let values = replayed.placeholders_at(live_origin, &url);

    // The engine's prediction, in this browser's profile, for exactly what
    // is replayed (a v1 file's without the v2 fields, as it records them).
    let predicted = replayed
        .prepare_at(live_origin, &url)
        .ok()
        .and_then(|prepared| run(&prepared, which, false).prediction(&scenario.id))
        .map_or_else(Expectation::unknown, |p| p.expect);
    let predicted = if item.v2 { predicted } else { predicted.without_v2() };

    let fetch = FetchSpec {
        url: url.clone(),
        method: scenario.request.method.clone(),
        headers: scenario.request.headers.clone(),
        mode: scenario.request.mode.as_str(),
        credentials: scenario.request.credentials.as_str(),
        redirect: scenario.request.redirect.as_str(),
        body: scenario.request.body.clone(),
        context: scenario.request.context.as_str(),
        frame_url: format!("{live_origin}/frame/fetch"),
        hop_urls: values.hops.clone(),
    };
    let mut last: Option<(FetchObservation, u32)> = None;
    let mut preflights = 0;
    // The run log: how many entries came before the last fetch's.
    let mut logged: Vec<serde_json::Value> = Vec::new();
    let mut before_last = 0;
    let mut error = None;
    for _ in 0..scenario.repeat() {
        match browser.fetch(&fetch, live.options.timeout).await {
            Ok(observation) => {
                let before = logged.len();
                logged = match run_log(&live.client, &live.server_origin, place.run_id).await {
                    Ok(entries) => entries,
                    Err(e) => {
                        error = Some(ReplayError::Other(e));
                        break;
                    }
                };
                // The preflights the server logged for this run since the
                // last fetch: for a browser that reports no requests, and
                // for a v2 recording, whose `preflight` is one that reached
                // a server (a Chromium preflight refused by Local Network
                // Access before it left shows in DevTools, not there).
                let logged_preflights = || {
                    let this = logged.iter().skip(before).filter(|e| e["preflight"] == true).count();
                    u32::try_from(this).unwrap_or(u32::MAX)
                };
                let this = match observation.preflights {
                    Some(n) if !item.v2 => n,
                    _ => logged_preflights(),
                };
                preflights += this;
                before_last = before;
                last = Some((observation, this));
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
        (Some((observation, this)), None) => {
            let actual = as_expectation(observation, *this, scenario.repeat() > 1, preflights);
            if item.v2 {
                let served = live::served(logged.get(before_last..).unwrap_or_default(), scenario);
                live::without_uuids(&Expectation {
                    redirected: Some(observation.redirected),
                    url: Some(observation.url.clone()),
                    net_error: Some(observation.net_error.clone()),
                    served: Some(served),
                    ..actual
                })
            } else {
                live::without_uuids(&actual)
            }
        }
        (_, Some(ReplayError::Hung(timeout))) => failed_run(format!("hung (no answer within {} s)", timeout.as_secs())),
        (_, Some(ReplayError::Other(message))) => failed_run(message.clone()),
        (None, None) => failed_run("no fetch ran".to_owned()),
    };
    let recorded = live::recorded(&actual, &values, scenario.request.context.is_opaque(), &map);
    let predicted = live::recorded(&predicted, &values, scenario.request.context.is_opaque(), &map);
    // `check` beside Chromium, for what a single fetch of a faithful replay
    // shows: its verdict and the very requests it sends. (Its wire requests
    // are Chromium's; the other browsers' heads differ by design.) Only where
    // one URL answers the top-level page, as a `cors-scenarios/1` replay
    // does: `check` sends no request from an iframe or a browser
    // environment, follows every redirect, and its heads after a redirect
    // do not carry the chain (`Sec-Fetch-Site` stays `same-origin` back at
    // the page's origin, where Chromium sends `same-site`).
    let checkable = scenario.not_replayable().is_none();
    let check = if which == Browser::Chrome && checkable && scenario.repeat() == 1 && left_out.is_empty() && error.is_none() {
        let run = CheckRun {
            scenario,
            spec: &spec,
            live_origin,
            server_origin: &live.server_origin,
            page_url: place.page_url,
            run_id: place.run_id,
        };
        Some(run.compare(&recorded.without_v2()).await)
    } else {
        None
    };
    Observed { predicted, actual, recorded, left_out, error, check }
}

impl Observed {
    /// A scenario that could not be replayed at all.
    fn failed(message: String) -> Observed {
        Observed {
            predicted: Expectation::unknown(),
            actual: failed_run(message.clone()),
            recorded: failed_run(message.clone()),
            left_out: Vec::new(),
            error: Some(ReplayError::Other(message)),
            check: None,
        }
    }
}

/// The companion server's log of `run`.
async fn run_log(client: &Client, server_origin: &str, run: &str) -> Result<Vec<serde_json::Value>, String> {
    let (status, body) = client.get_text(&format!("{server_origin}/log/{run}")).await.map_err(|e| e.to_string())?;
    if status != 200 {
        return Err(format!("GET /log/{run}: {status}"));
    }
    serde_json::from_str(&body).map_err(|e| format!("/log/{run}: {e}"))
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
        let (browser_log, check_log) = (
            run_log(&client, self.server_origin, self.run_id).await,
            run_log(&client, self.server_origin, &check_run).await,
        );
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

/// An observation in a recording's terms; `preflight` is whether the last
/// fetch sent one (`this`), `preflight_count` all of them where it repeats.
fn as_expectation(observation: &FetchObservation, this: u32, repeated: bool, preflights: u32) -> Expectation {
    Expectation {
        preflight: this > 0,
        outcome: observation.outcome.clone(),
        cors_error: observation.cors_error.clone(),
        failed_parameter: observation.failed_parameter.clone(),
        console: observation.console.clone(),
        status: observation.status,
        response_type: observation.response_type.clone(),
        visible_headers: observation.visible_headers.clone(),
        preflight_count: repeated.then_some(preflights),
        // The v2 fields (redirects, served requests) are not observed yet.
        ..Expectation::unknown()
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

/// Why a WebKit run's differences are only what verify could not see, if
/// they are: the fetch rejected before any request (the servers saw what
/// was predicted), the engine predicts a CORS error, and WebKit wrote no
/// console line at all, not even the generic `Fetch API cannot load …`
/// every failure it reports ends with. WebKit's console reaches verify only
/// through its stdout (see `webkit`), and for some refusals in a sandboxed
/// frame it writes nothing there; the error's name and even whether it was a
/// CORS error are read from that line, so without it the run shows a bare
/// `TypeError` and proves neither the prediction nor its opposite. Every
/// other field must agree.
fn console_unseen(browser: Browser, observed: &Observed, differences: &[String]) -> Option<String> {
    let console_fields = ["outcome:", "cors_error:", "failed_parameter:", "console:"];
    let only_console = differences.iter().all(|line| console_fields.iter().any(|field| line.starts_with(field)));
    let actual = &observed.actual;
    (browser == Browser::Webkit
        && only_console
        && observed.predicted.outcome == "cors-error"
        && actual.outcome == "network-error"
        && actual.console.is_none()
        && actual.cors_error.is_none())
    .then(|| {
        format!(
            "the fetch rejected with no console line from WebKit (predicted and recorded: {} {}); everything else agrees",
            observed.predicted.cors_error.as_deref().unwrap_or("no error name"),
            observed.predicted.console.as_deref().map_or_else(String::new, |c| format!("{c:?}")),
        )
    })
}

/// Each field where the browser did not do what the engine predicted, with
/// what the recording of that browser says, so a line tells an engine
/// mistake (the recording agrees with the browser) from a browser that
/// changed (it agrees with the prediction).
fn compare(item: &Item, browser: Browser, observed: &Observed) -> Vec<String> {
    let recorded = item.scenario.expect.get(browser.as_str());
    let recorded_fields: Vec<(&'static str, String, String)> =
        recorded.map(|r| observed.recorded.differences(r)).unwrap_or_default();
    observed
        .predicted
        .differences(&observed.recorded)
        .into_iter()
        .map(|(field, predicted, actual)| {
            let recording = match recorded {
                None => String::new(),
                Some(_) => match recorded_fields.iter().find(|(f, _, _)| *f == field) {
                    // The recording holds placeholders: shown as recorded.
                    Some((_, _, was)) => format!(", recorded {was}"),
                    None => ", as recorded".to_owned(),
                },
            };
            format!("{field}: predicted {predicted}, observed {actual}{recording}")
        })
        .collect()
}

/// Writes the recording: every scenario with what each browser did (first
/// of the two runs, which agreed), and the browsers' versions.
fn write_recording(out: &PathBuf, items: &[Item], runs: &[&BrowserRun]) -> Result<(), String> {
    let scenarios = items
        .iter()
        .enumerate()
        .map(|(index, item)| {
            let mut scenario = item.scenario.clone();
            scenario.expect = runs
                .iter()
                .filter_map(|run| {
                    let recorded = run.recorded.get(index)?.clone()?;
                    Some((run.browser.as_str().to_owned(), recorded))
                })
                .collect();
            scenario
        })
        .collect();
    // A v2 recording when anything replayed needs v2 to say it.
    let v2 = items.iter().any(|item| item.v2 || item.scenario.uses_v2());
    let file = ScenarioFile {
        format: if v2 { SCENARIOS_FORMAT_2 } else { SCENARIOS_FORMAT }.to_owned(),
        recorded_with: runs.iter().map(|run| (run.browser.as_str().to_owned(), run.version.clone())).collect(),
        scenarios,
    };
    let json = serde_json::to_string_pretty(&file).map_err(|e| e.to_string())?;
    std::fs::write(out, json + "\n").map_err(|e| format!("{}: {e}", out.display()))
}

fn load(files: &[PathBuf]) -> Result<Vec<Item>, String> {
    let mut items = Vec::new();
    for path in files {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let file = ScenarioFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let name = path.file_name().map_or_else(|| path.display().to_string(), |n| n.to_string_lossy().into_owned());
        let v2 = file.is_v2();
        let recorded_with = Arc::new(file.recorded_with);
        items.extend(file.scenarios.into_iter().map(|scenario| Item {
            file: name.clone(),
            recorded_with: Arc::clone(&recorded_with),
            v2,
            scenario,
        }));
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

