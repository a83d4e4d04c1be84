//! Each cross-origin fetch of a HAR judged: its preflight found, its call
//! rebuilt, the engine's [`judge`] run on the answers the HAR recorded, for
//! each browser profile, and what the HAR cannot tell said.

use std::collections::VecDeque;

use serde::Serialize;

use crate::browsers::per_browser::PerBrowser;
use crate::browsers::profile::Browser;
use crate::diagnosis::check::{BrowserCheck, CheckRequest, Exchange, Need, judge};
use crate::fetch::preflight::PreflightRequest;
use crate::fetch::request::{CredentialsMode, FetchCall, RequestMode};
use crate::fetch::wire::{UnreadableHeader, WireKind, WireRequest, WireResponse};
use crate::fix::Fix;
use crate::formats::scenario::{Expectation, Scenario, ScenarioRequest, ScriptedResponse};
use crate::origin::Origin;
use crate::sorted_map::SortedMap;

use super::reader::{HarEntry, HarPage};
use super::rebuild::{CredentialsFrom, Findings, OriginFrom, RebuiltCall, page_origin, rebuild, shell_quote};
use super::{HarSource, HarSummary};

/// How far apart (in the HAR's time) a preflight and its request may be.
const PAIR_WINDOW_MS: i64 = 60_000;
/// A request waits this long (in the HAR's time) for its preflight entry,
/// which Chromium's export sorts after it (issued a moment later).
const SETTLE_MS: i64 = 5_000;
/// The most requests waiting for a preflight at once, and the most
/// preflights waiting for their request: the memory bound of the pairing.
const MAX_WAITING: usize = 256;

/// One browser's verdict on one request of the HAR.
#[derive(Clone, Debug, Serialize)]
pub struct HarVerdict {
    /// The same fields, with the same meanings, as a scenario's `expect`
    /// (and `cors-check/1`'s).
    #[serde(flatten)]
    pub expect: Expectation,
    /// Why the outcome is `unknown`, or what it rests on.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether the page gets what its mode can give.
    pub passed: bool,
    /// What to change on the server (empty when it passed or cannot be told).
    pub fix: Fix,
    /// What the verdict rests on: `answers` (the engine judged the answers
    /// the HAR holds), `inferred-preflight` (the same, with a passing
    /// preflight the HAR does not hold but the browser's sending the
    /// request proves), `recorded-failure` (the HAR says the fetch failed
    /// and holds nothing to judge: only the outcome is known), `none`.
    pub basis: &'static str,
    /// Answer lines the engine could not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableHeader>,
}

/// What the HAR recorded of the request and its preflight.
#[derive(Clone, Debug, Default, Serialize)]
pub struct Recorded {
    /// The response's status (`None` when no response was recorded).
    pub status: Option<u16>,
    /// The network error text (`_error`, `_failureText`), if any.
    pub error: Option<String>,
    /// How many response header lines the HAR holds.
    pub response_headers: usize,
    /// The preflight's status, when a preflight entry was found.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preflight_status: Option<u16>,
}

/// One cross-origin request of the HAR, judged (an entry of `cors-har/1`'s
/// `requests`).
#[derive(Clone, Debug, Serialize)]
pub struct HarRequestReport {
    /// Its index in `log.entries`, from 0.
    pub entry: usize,
    /// `startedDateTime`.
    pub started: String,
    /// The URL.
    pub url: String,
    /// The method, as sent.
    pub method: String,
    /// The page's serialized origin.
    pub page_origin: String,
    /// Where the page's origin was read.
    pub origin_from: OriginFrom,
    /// Whether a preflight entry was found for it.
    pub preflight: bool,
    /// The preflight entry's index.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preflight_entry: Option<usize>,
    /// What the HAR recorded.
    pub recorded: Recorded,
    /// The page's `fetch()` call as rebuilt.
    pub request: RebuiltCall,
    /// Each browser's verdict.
    pub browsers: PerBrowser<HarVerdict>,
    /// What to change on the server, over every browser.
    pub fix: Fix,
    /// What the HAR does not hold that a verdict needs.
    pub missing: Vec<String>,
    /// How the request was read.
    pub notes: Vec<String>,
    /// The request as a `cors-scenarios/1` scenario, when asked for and
    /// when the HAR holds its answers.
    #[serde(skip)]
    pub scenario: Option<Scenario>,
}

impl HarRequestReport {
    /// Whether a browser blocks it (an outcome that is a failure, not
    /// `unknown`).
    pub fn blocked(&self) -> bool {
        self.browsers.values().any(is_block)
    }
}

fn is_block(v: &HarVerdict) -> bool {
    !v.passed && v.expect.outcome != "unknown"
}

/// How an entry counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Fetch,
    Preflight,
    Other,
}

fn kind(e: &HarEntry) -> Kind {
    let acrm = e.request_header("access-control-request-method").is_some();
    let rt = e.resource_type.as_deref().map(str::to_ascii_lowercase);
    if rt.as_deref() == Some("preflight") || (e.request.method.eq_ignore_ascii_case("OPTIONS") && acrm && e.request_header("origin").is_some()) {
        return Kind::Preflight;
    }
    match rt.as_deref() {
        Some("fetch" | "xhr") => Kind::Fetch,
        Some(_) => Kind::Other,
        None => match e.request_header("sec-fetch-dest") {
            Some(dest) if dest.eq_ignore_ascii_case("empty") => Kind::Fetch,
            Some(_) => Kind::Other,
            None if e.request_header("origin").is_some() => Kind::Fetch,
            None => Kind::Other,
        },
    }
}

/// Whether the HAR says the request failed: a network error text, or no
/// status (0, -1).
pub(super) fn failed(e: &HarEntry) -> bool {
    error_text(e).is_some() || e.response.status <= 0
}

fn error_text(e: &HarEntry) -> Option<&str> {
    [e.response.error.as_deref(), e.response.failure_text.as_deref()].into_iter().flatten().find(|t| !t.trim().is_empty())
}

fn status(e: &HarEntry) -> Option<u16> {
    u16::try_from(e.response.status).ok().filter(|s| (100..1000).contains(s))
}

/// A request waiting for its preflight entry.
struct Waiting {
    index: usize,
    time: Option<i64>,
    entry: HarEntry,
    page: Origin,
    origin_from: OriginFrom,
    preflight: Option<(usize, HarEntry)>,
}

/// A preflight waiting for its request.
struct WaitingPreflight {
    index: usize,
    time: Option<i64>,
    entry: HarEntry,
}

/// The analysis as entries stream in.
pub(super) struct Analyzer {
    browsers: Vec<Browser>,
    scenarios: bool,
    source: HarSource,
    requests: VecDeque<Waiting>,
    preflights: VecDeque<WaitingPreflight>,
    latest: Option<i64>,
    pub(super) summary: HarSummary,
}

impl Analyzer {
    pub(super) fn new(browsers: Vec<Browser>, scenarios: bool, source: HarSource) -> Analyzer {
        let blocked_in = browsers.iter().map(|b| (*b, 0)).collect();
        let summary = HarSummary { blocked_in, ..HarSummary::default() };
        Analyzer { browsers, scenarios, source, requests: VecDeque::new(), preflights: VecDeque::new(), latest: None, summary }
    }

    pub(super) fn source(&self) -> &HarSource {
        &self.source
    }

    /// Takes entry `index`; returns the requests ready to report, in order.
    pub(super) fn push(&mut self, index: usize, entry: HarEntry, pages: &[HarPage]) -> Vec<HarRequestReport> {
        self.summary.entries += 1;
        if entry.cut.iter().any(|c| c.starts_with("not a HAR entry")) {
            self.summary.malformed += 1;
        }
        if self.source.guess.is_none() {
            self.source.guess_from_user_agent(&entry);
        }
        let time = parse_time(&entry.started);
        if let Some(t) = time {
            self.latest = Some(self.latest.map_or(t, |l| l.max(t)));
        }
        match kind(&entry) {
            Kind::Preflight => self.preflight(index, time, entry),
            Kind::Fetch => {
                self.summary.requests += 1;
                self.request(index, time, entry, pages);
            }
            Kind::Other => {}
        }
        self.ready(false)
    }

    /// Every request still waiting.
    pub(super) fn finish(&mut self) -> Vec<HarRequestReport> {
        let out = self.ready(true);
        self.summary.unpaired_preflights += self.preflights.len();
        self.preflights.clear();
        out
    }

    fn preflight(&mut self, index: usize, time: Option<i64>, entry: HarEntry) {
        let acrm = entry.request_header("access-control-request-method").unwrap_or_default().trim().to_owned();
        let url = entry.request.url.clone();
        let found = self.requests.iter_mut().rev().find(|w| {
            w.preflight.is_none() && w.entry.request.url == url && same_method(&w.entry.request.method, &acrm) && near(w.time, time)
        });
        match found {
            Some(waiting) => waiting.preflight = Some((index, entry)),
            None => {
                self.preflights.push_back(WaitingPreflight { index, time, entry });
                if self.preflights.len() > MAX_WAITING {
                    self.preflights.pop_front();
                    self.summary.unpaired_preflights += 1;
                }
            }
        }
    }

    fn request(&mut self, index: usize, time: Option<i64>, entry: HarEntry, pages: &[HarPage]) {
        let Some((page, origin_from)) = page_origin(&entry, pages) else {
            self.summary.origin_unknown += 1;
            return;
        };
        let target = Origin::from_url_str(&entry.request.url).unwrap_or(Origin::Opaque);
        if !page.is_opaque() && page.is_same_origin(&target) {
            return;
        }
        self.summary.cross_origin += 1;
        let method = entry.request.method.clone();
        let url = entry.request.url.clone();
        let paired = self
            .preflights
            .iter()
            .rposition(|p| p.entry.request.url == url && near(p.time, time) && {
                let acrm = p.entry.request_header("access-control-request-method").unwrap_or_default();
                same_method(&method, acrm.trim())
            })
            .and_then(|i| self.preflights.remove(i))
            .map(|p| (p.index, p.entry));
        self.requests.push_back(Waiting { index, time, entry, page, origin_from, preflight: paired });
    }

    fn ready(&mut self, all: bool) -> Vec<HarRequestReport> {
        let mut out = Vec::new();
        while let Some(front) = self.requests.front() {
            let settled = all
                || front.preflight.is_some()
                || self.requests.len() > MAX_WAITING
                || matches!((front.time, self.latest), (Some(t), Some(l)) if l - t > SETTLE_MS);
            if !settled {
                break;
            }
            if let Some(waiting) = self.requests.pop_front() {
                let report = self.judge(waiting);
                self.count(&report);
                out.push(report);
            }
        }
        out
    }

    fn count(&mut self, report: &HarRequestReport) {
        if report.preflight {
            self.summary.preflighted += 1;
        }
        if report.blocked() {
            self.summary.blocked += 1;
        }
        if report.browsers.values().all(|v| v.expect.outcome == "unknown") {
            self.summary.undecided += 1;
        }
        for (browser, verdict) in &report.browsers {
            if is_block(verdict) {
                let blocked = self.summary.blocked_in.get(browser).map_or(1, |n| n + 1);
                self.summary.blocked_in.insert(*browser, blocked);
            }
        }
    }

    /// Judges one request.
    fn judge(&self, w: Waiting) -> HarRequestReport {
        let entry = &w.entry;
        let preflight = w.preflight.as_ref().map(|(_, p)| p);
        let recorder = self.source.guess.unwrap_or(Browser::Chrome);
        let mut found = Findings::default();
        found.notes.extend(entry.cut.iter().map(|c| format!("cut to fit the bounds: {c}")));
        let mut call = rebuild(entry, preflight, self.source.guess, &mut found);
        let page_origin = w.page.to_string();
        let recorded = Recorded {
            status: status(entry),
            error: error_text(entry).map(str::to_owned),
            response_headers: entry.response.headers.len(),
            preflight_status: preflight.and_then(status),
        };

        let mut exchanges = Vec::new();
        if let Some(p) = preflight.and_then(|p| exchange(WireKind::Preflight, p)) {
            exchanges.push(p);
        }
        let answered = exchange(WireKind::Request, entry);
        if let Some(r) = answered.clone() {
            exchanges.push(r);
        }
        // Whether the recording browser's fetch passed, as far as the HAR
        // says: Chromium's exports mark a CORS failure (`net::ERR_FAILED`);
        // Firefox's keep a blocked response's status and headers as if it
        // had passed, so only its failures without an answer tell.
        let signal = if failed(entry) {
            Some(false)
        } else if self.source.marks_cors_failures() {
            Some(true)
        } else {
            None
        };

        let mut browsers = PerBrowser::new();
        let null_origin = w.page.is_opaque();
        if null_origin {
            found.notes.push(
                "the page's origin is opaque (Origin: null, a sandboxed or data: frame): not modelled yet (the frontier issue); no verdict".to_owned(),
            );
        }
        let redirected = status(entry).is_some_and(|s| (300..400).contains(&s))
            && (!entry.response.redirect_url.is_empty() || entry.response.headers.iter().any(|h| h.name.eq_ignore_ascii_case("location")));
        if redirected {
            found.notes.push(format!(
                "redirected to {}: redirects are not modelled yet (the frontier issue); the verdict covers this hop only, the next hop is its own entry",
                if entry.response.redirect_url.is_empty() { "another URL" } else { entry.response.redirect_url.as_str() }
            ));
        }

        if !null_origin {
            // The credentials mode, where the HAR does not show it.
            if call.credentials_from == CredentialsFrom::Default
                && call.mode == RequestMode::Cors
                && let Some(passed) = signal
            {
                // Whether the recorded outcome is what `credentials` gives:
                // judged from the answers; or, where DevTools holds no answer
                // (it keeps even a blocked one), the request was never sent,
                // which a verdict that needs its answer contradicts.
                let consistent = |credentials| {
                    let mut c = call.clone();
                    c.credentials = credentials;
                    let check = check_request(entry, &c, &w.page);
                    let j = judge(&check, recorder, &exchanges, false);
                    match j.need {
                        None => Some(BrowserCheck::new(&check, &j, exchanges.clone()).passed == passed),
                        Some(Need::Request(_)) if answered.is_none() && self.source.exporter == "chromium-devtools" => Some(false),
                        Some(_) => None,
                    }
                };
                // (`include` is tried only when the default does not fit.)
                if consistent(CredentialsMode::SameOrigin) == Some(false) && consistent(CredentialsMode::Include) == Some(true) {
                    call.credentials = CredentialsMode::Include;
                    call.credentials_from = CredentialsFrom::Outcome;
                    found.notes.push(format!(
                        "credentials: the HAR holds no Cookie header (an export may leave it out), but the recorded {} is what credentials \"include\" gives",
                        if passed { "success" } else { "failure" }
                    ));
                }
            }
            let check = check_request(entry, &call, &w.page);
            let mut inferred = false;
            for &browser in &self.browsers {
                let verdict = self.verdict(&check, browser, &exchanges, entry, &mut inferred);
                browsers.insert(browser, verdict);
            }
            if inferred {
                found.notes.push(format!(
                    "no preflight entry in the HAR{}: {} sent the request, so its preflight passed (or came from its preflight cache); the verdict assumes an answer that allows exactly this request",
                    if self.source.exporter == "playwright" { " (Playwright's HARs keep none)" } else { "" },
                    recorder.profile().name
                ));
            }
            if answered.is_none() && browsers.values().any(|v| v.basis == "recorded-failure" || v.expect.outcome == "unknown") {
                found.missing.push(format!(
                    "the HAR holds no response headers for this request{}: the browser blocked it before they were recorded; run `{}` to see them",
                    if preflight.is_none() && browsers.values().any(|v| v.expect.preflight) { " nor its preflight" } else { "" },
                    check_command(&call, &entry.request.url, &entry.request.method, &page_origin)
                ));
            }
            // Where the HAR's own record and the engine disagree.
            if let (Some(passed), Some(v)) = (signal, browsers.get(&recorder))
                && v.expect.outcome != "unknown"
                && v.basis != "recorded-failure"
                && v.passed != passed
            {
                found.notes.push(format!(
                    "the HAR shows the fetch {} in {}, but the engine, from the answers it holds, says it {}",
                    if passed { "succeeded".to_owned() } else { format!("failed ({})", error_text(entry).unwrap_or("no status")) },
                    recorder.profile().name,
                    if v.passed { "passes" } else { "is blocked" }
                ));
            }
        } else {
            for &browser in &self.browsers {
                browsers.insert(browser, unknown_verdict("null origins are not modelled yet (the frontier issue)", false));
            }
        }

        let fix = browsers.values().map(|v| &v.fix).fold(Fix::default(), |all, one| all.merge(one));
        let scenario = self.scenarios.then(|| scenario_of(&w, &call, preflight, &page_origin)).flatten();
        HarRequestReport {
            entry: w.index,
            started: entry.started.clone(),
            url: entry.request.url.clone(),
            method: entry.request.method.clone(),
            page_origin,
            origin_from: w.origin_from,
            preflight: preflight.is_some(),
            preflight_entry: w.preflight.as_ref().map(|(i, _)| *i),
            recorded,
            request: call,
            browsers,
            fix,
            missing: found.missing,
            notes: found.notes,
            scenario,
        }
    }

    /// `browser`'s verdict from `exchanges` (the answers `entry` and its
    /// preflight hold); `inferred` is set when a passing preflight had to be
    /// assumed.
    fn verdict(&self, check: &CheckRequest, browser: Browser, exchanges: &[Exchange], entry: &HarEntry, inferred: &mut bool) -> HarVerdict {
        let recorder = self.source.guess.unwrap_or(Browser::Chrome);
        let answered = exchanges.iter().any(|e| e.request.kind == WireKind::Request);
        let j = judge(check, browser, exchanges, false);
        let need = match j.need {
            None => return from_check(BrowserCheck::new(check, &j, exchanges.to_vec()), "answers"),
            Some(need) => need,
        };
        let needs_preflight = matches!(need, Need::Preflight(_)) || exchanges.iter().any(|e| e.request.kind == WireKind::Preflight);
        if let Need::Preflight(preflight) = &need
            && answered
            && browser == recorder
        {
            let mut with = exchanges.to_vec();
            with.insert(0, passing_preflight(preflight, check));
            let j = judge(check, browser, &with, false);
            if j.need.is_none() {
                *inferred = true;
                return from_check(BrowserCheck::new(check, &j, with), "inferred-preflight");
            }
        }
        let error = error_text(entry);
        let cors_failure = error.is_none_or(|t| t == "net::ERR_FAILED");
        if browser == recorder && failed(entry) && cors_failure && check.call.mode != RequestMode::NoCors {
            let mut v = unknown_verdict(
                "the HAR shows the fetch failed but holds no answer to judge: the CORS error's name and console line cannot be told from it",
                needs_preflight,
            );
            v.expect.outcome = "cors-error".to_owned();
            v.basis = "recorded-failure";
            return v;
        }
        let why = match (error, cors_failure) {
            (Some(text), false) => format!("the request failed with {text} before any answer came: not a CORS failure"),
            _ if matches!(need, Need::Preflight(_)) => format!(
                "the HAR holds no answer to the preflight {} would send",
                browser.profile().name
            ),
            _ => "the HAR holds no answer to the request".to_owned(),
        };
        unknown_verdict(&why, needs_preflight)
    }
}

fn from_check(check: BrowserCheck, basis: &'static str) -> HarVerdict {
    HarVerdict { expect: check.expect, reason: check.reason, passed: check.passed, fix: check.fix, basis, unreadable: check.unreadable }
}

fn unknown_verdict(why: &str, preflight: bool) -> HarVerdict {
    HarVerdict {
        expect: Expectation { preflight, ..Expectation::unknown() },
        reason: Some(why.to_owned()),
        passed: false,
        fix: Fix::default(),
        basis: "none",
        unreadable: Vec::new(),
    }
}

/// The answer that lets exactly `preflight` through.
fn passing_preflight(preflight: &PreflightRequest, check: &CheckRequest) -> Exchange {
    let mut headers = vec![("access-control-allow-origin".to_owned(), preflight.origin.clone())];
    headers.push(("access-control-allow-methods".to_owned(), preflight.access_control_request_method.as_str().to_owned()));
    if let Some(names) = &preflight.access_control_request_headers {
        headers.push(("access-control-allow-headers".to_owned(), names.clone()));
    }
    if check.call.credentials == CredentialsMode::Include {
        headers.push(("access-control-allow-credentials".to_owned(), "true".to_owned()));
    }
    Exchange {
        request: WireRequest { kind: WireKind::Preflight, method: "OPTIONS".to_owned(), url: preflight.url.clone(), headers: Vec::new(), body: None },
        response: WireResponse { status: 204, headers, body_bytes: 0, remote_addr: None },
    }
}

fn check_request(entry: &HarEntry, call: &RebuiltCall, page: &Origin) -> CheckRequest {
    CheckRequest {
        call: FetchCall {
            url: entry.request.url.clone(),
            method: entry.request.method.clone(),
            headers: call.headers.clone(),
            mode: call.mode,
            credentials: call.credentials,
            body: call.body_text.clone(),
        },
        page: page.clone(),
        cookies: None,
        page_url: None,
    }
}

/// The entry as an exchange, when it holds an answer (a status).
fn exchange(kind: WireKind, e: &HarEntry) -> Option<Exchange> {
    let status = status(e)?;
    let headers = e
        .response
        .headers
        .iter()
        .filter(|h| !h.name.starts_with(':'))
        .map(|h| (h.name.to_ascii_lowercase(), h.value.clone()))
        .collect();
    Some(Exchange {
        request: WireRequest {
            kind,
            method: e.request.method.clone(),
            url: e.request.url.clone(),
            headers: e.request.headers.iter().map(|h| (h.name.clone(), h.value.clone())).collect(),
            body: None,
        },
        response: WireResponse {
            status,
            headers,
            body_bytes: u64::try_from(e.response.content.size).unwrap_or(0),
            remote_addr: None,
        },
    })
}

/// `corslab check` for the same request.
fn check_command(call: &RebuiltCall, url: &str, method: &str, origin: &str) -> String {
    let mut out = format!("corslab check {} --origin {}", shell_quote(url), shell_quote(origin));
    if method != "GET" {
        out.push_str(&format!(" -X {}", shell_quote(method)));
    }
    for (name, value) in &call.headers {
        out.push_str(&format!(" -H {}", shell_quote(&format!("{name}: {value}"))));
    }
    if let Some(body) = &call.body_text {
        if body.len() <= 256 {
            out.push_str(&format!(" --data {}", shell_quote(body)));
        } else {
            out.push_str(" --data …");
        }
    }
    if call.mode != RequestMode::Cors {
        out.push_str(&format!(" --mode {}", call.mode.as_str()));
    }
    if call.credentials == CredentialsMode::Include {
        out.push_str(" --credentials include");
    }
    out
}

/// The request as a scenario: its call, the answers the HAR holds (a
/// passing preflight where the browser's sending the request proves one),
/// `expect` left empty.
fn scenario_of(w: &Waiting, call: &RebuiltCall, preflight: Option<&HarEntry>, page_origin: &str) -> Option<Scenario> {
    let entry = &w.entry;
    let response = status(entry).map(|s| scripted(s, entry, page_origin))?;
    let url = url::Url::parse(&entry.request.url).ok()?;
    let server_origin = Origin::from_url(&url).to_string();
    let path = match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_owned(),
    };
    let mut note = format!("HAR entry #{}: {} {}", w.index, entry.request.method, entry.request.url);
    let preflight_response = match preflight.and_then(|p| status(p).map(|s| scripted(s, p, page_origin))) {
        Some(answer) => Some(answer),
        None if needs_preflight(call, entry, &w.page) => {
            note.push_str("; no preflight in the HAR: the one written allows exactly this request (the browser sent it)");
            let check = check_request(entry, call, &w.page);
            let j = judge(&check, Browser::Chrome, &[], false);
            match j.need {
                Some(Need::Preflight(p)) => {
                    let e = passing_preflight(&p, &check);
                    Some(ScriptedResponse {
                        status: e.response.status,
                        headers: e.response.headers.into_iter().map(|(n, v)| (n, if v == page_origin { "{origin}".to_owned() } else { v })).collect(),
                        body: None,
                    })
                }
                _ => None,
            }
        }
        None => None,
    };
    let slug: String = url
        .path_segments()
        .and_then(|mut s| s.next_back().map(str::to_owned))
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "root".to_owned())
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' })
        .take(40)
        .collect();
    Some(Scenario {
        id: format!("{slug}-{}", w.index),
        note: Some(note),
        request: ScenarioRequest {
            method: entry.request.method.clone(),
            path,
            headers: call.headers.clone(),
            mode: call.mode,
            credentials: call.credentials,
            body: call.body_text.clone(),
            page_origin: Some(page_origin.to_owned()),
            server_origin: Some(server_origin),
            redirect: Default::default(),
            context: Default::default(),
        },
        repeat: None,
        preflight_response,
        response,
        hops: Vec::new(),
        environment: Default::default(),
        expect: SortedMap::new(),
    })
}

fn needs_preflight(call: &RebuiltCall, entry: &HarEntry, page: &Origin) -> bool {
    let check = check_request(entry, call, page);
    matches!(judge(&check, Browser::Chrome, &[], false).need, Some(Need::Preflight(_)))
}

/// An answer as a scenario scripts it: the page's origin as `{origin}`,
/// without the lines a replay makes itself (framing, connection) or never
/// sends (`Set-Cookie`); the body is not in the HAR's kept part.
fn scripted(status: u16, e: &HarEntry, page_origin: &str) -> ScriptedResponse {
    let headers = e
        .response
        .headers
        .iter()
        .filter(|h| {
            let n = h.name.to_ascii_lowercase();
            !n.starts_with(':')
                && !matches!(
                    n.as_str(),
                    "content-length" | "content-encoding" | "transfer-encoding" | "connection" | "keep-alive" | "set-cookie" | "date"
                )
        })
        .map(|h| (h.name.clone(), if h.value == page_origin { "{origin}".to_owned() } else { h.value.clone() }))
        .collect();
    ScriptedResponse { status, headers, body: None }
}

fn same_method(method: &str, acrm: &str) -> bool {
    method == acrm || method.eq_ignore_ascii_case(acrm)
}

fn near(a: Option<i64>, b: Option<i64>) -> bool {
    match (a, b) {
        (Some(a), Some(b)) => (a - b).abs() <= PAIR_WINDOW_MS,
        _ => true,
    }
}

/// Milliseconds since the epoch of an ISO 8601 date-time as HARs write it
/// (`2026-12-03T08:49:38.163Z`, `…+01:00`).
pub(super) fn parse_time(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let num = |from: usize, len: usize| -> Option<i64> {
        let s = text.get(from..from + len)?;
        s.bytes().all(|c| c.is_ascii_digit()).then(|| s.parse().ok()).flatten()
    };
    if b.len() < 19 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (y, m, d) = (num(0, 4)?, num(5, 2)?, num(8, 2)?);
    let (hh, mm, ss) = (num(11, 2)?, num(14, 2)?, num(17, 2)?);
    let mut i = 19;
    let mut ms = 0i64;
    if b.get(i) == Some(&b'.') {
        i += 1;
        let start = i;
        while b.get(i).is_some_and(u8::is_ascii_digit) {
            i += 1;
        }
        let digits = text.get(start..i)?;
        let first3: String = digits.chars().chain("000".chars()).take(3).collect();
        ms = first3.parse().ok()?;
    }
    let offset_min = match b.get(i) {
        None | Some(b'Z' | b'z') => 0,
        Some(sign @ (b'+' | b'-')) => {
            let h = num(i + 1, 2)?;
            let m = if b.get(i + 3) == Some(&b':') { num(i + 4, 2)? } else { num(i + 3, 2).unwrap_or(0) };
            let total = h * 60 + m;
            if *sign == b'+' { total } else { -total }
        }
        _ => return None,
    };
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((m + 9) % 12) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(((days * 86_400 + hh * 3600 + mm * 60 + ss - offset_min * 60) * 1000) + ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn times_as_hars_write_them() {
        assert_eq!(parse_time("1970-01-01T00:00:00.000Z"), Some(0));
        assert_eq!(parse_time("2026-12-03T08:49:38.163Z"), Some(1_796_287_778_163));
        assert_eq!(parse_time("2026-12-03T09:49:38.163+01:00"), Some(1_796_287_778_163));
        assert_eq!(parse_time("2026-12-03T08:49:38.1634Z"), Some(1_796_287_778_163));
        assert_eq!(parse_time("not a time"), None);
    }
}
