//! HAR files (HTTP Archive 1.2, as Chromium's DevTools, Playwright and
//! Firefox's DevTools write them) judged request by request: `cors-har/1`,
//! the report `corslab har` prints (documented in `docs/cors-har.md`).
//!
//! A HAR entry is a recorded exchange: what the browser sent and what the
//! server answered. For each cross-origin `fetch()` or XHR of the file,
//! [`HarStream`]:
//!
//! 1. reads the entry without holding the file ([`HarReader`]: one entry at
//!    a time, response bodies skipped unread, every kept string bounded);
//! 2. finds its preflight: an `OPTIONS` entry with
//!    `Access-Control-Request-Method` equal to the request's method, to the
//!    same URL, within a minute (Chromium marks it `_resourceType:
//!    "preflight"` and sorts it just *after* its request, which it issued
//!    first); Playwright's HARs hold no preflights;
//! 3. rebuilds the page's call: the page's origin (the `Origin` header,
//!    else the `Referer`'s origin, else the page's URL), the headers the
//!    page set (the rule of DevTools' "Copy as cURL" reader, plus what the
//!    preflight's `Access-Control-Request-Headers` names), the body, the
//!    mode (`Sec-Fetch-Mode`), the credentials mode (a `Cookie` sent);
//! 4. judges it with the engine's [`judge`](crate::diagnosis::check::judge)
//!    on the answers the entries hold, for each browser profile, and says
//!    what to change ([`BrowserCheck`](crate::diagnosis::check::BrowserCheck)'s
//!    verdict and fix);
//! 5. says what the HAR does not hold: a blocked response Playwright kept no
//!    headers of, a preflight it left out, a header the export dropped,
//!    with the `corslab check` command that would show them.
//!
//! Memory is bounded by the entry (about 3 MiB at most, whatever the file
//! holds) and by 256 requests (`MAX_WAITING`) waiting for their
//! preflight, not by the file: a 50 MB HAR of 10,000 entries streams
//! through.
//!
//! # Examples
//!
//! ```
//! use corslab::Browser;
//! use corslab::formats::har::{HarOptions, read_report};
//!
//! let har = r#"{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
//!   "pages": [{"id": "page_1", "title": "http://localhost:5050/"}],
//!   "entries": [{"startedDateTime": "2026-01-01T00:00:00.000Z", "_resourceType": "fetch",
//!     "request": {"method": "GET", "url": "http://localhost:8080/data", "headers": [
//!       {"name": "Origin", "value": "http://localhost:5050"}, {"name": "Sec-Fetch-Mode", "value": "cors"}]},
//!     "response": {"status": 200, "headers": [{"name": "Content-Type", "value": "text/plain"}],
//!       "content": {"size": 2, "mimeType": "text/plain"}, "_error": "net::ERR_FAILED"}}]}}"#;
//! let report = read_report(har.as_bytes(), &HarOptions::default());
//! let request = &report.requests[0];
//! assert_eq!(request.page_origin, "http://localhost:5050");
//! let chrome = request.browsers.get(&Browser::Chrome).expect("a verdict for each browser judged");
//! assert_eq!(chrome.expect.cors_error.as_deref(), Some("MissingAllowOriginHeader"));
//! assert_eq!(report.summary.blocked, 1);
//! ```

mod analyze;
mod json;
mod reader;
mod rebuild;

use std::collections::VecDeque;
use std::io::Read;

use serde::Serialize;

use crate::browsers::per_browser::PerBrowser;
use crate::browsers::profile::Browser;
use crate::formats::scenario::{SCENARIOS_FORMAT, Scenario, ScenarioFile};
use crate::sorted_map::SortedMap;

pub use analyze::{HarRequestReport, HarVerdict, Recorded};
pub use json::{JsonError, JsonErrorKind};
pub use reader::{
    HarContent, HarEntry, HarError, HarHeader, HarInitiator, HarLogInfo, HarPage, HarPostData, HarReader, HarRequest, HarResponse,
    HarTool, MAX_BODY, MAX_HEADERS, MAX_PAGES, MAX_VALUE,
};
pub use rebuild::{CredentialsFrom, OriginFrom, RebuiltCall, UNKNOWN_VALUE};

/// The format tag.
pub const HAR_FORMAT: &str = "cors-har/1";

/// What to judge.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HarOptions {
    /// The browser profiles to judge each request for (default: all).
    pub browsers: Vec<Browser>,
    /// Whether to build each request's scenario ([`HarRequestReport::scenario`]).
    pub scenarios: bool,
}

impl Default for HarOptions {
    fn default() -> Self {
        HarOptions { browsers: Browser::ALL.to_vec(), scenarios: false }
    }
}

/// Who wrote the HAR.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HarSource {
    /// `log.creator`.
    pub creator: HarTool,
    /// `log.browser`, when given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub browser: Option<HarTool>,
    /// The browser that recorded it, guessed from `log.browser`,
    /// `log.creator` or a `User-Agent` (`None` when nothing tells).
    pub guess: Option<Browser>,
    /// `chromium-devtools`, `playwright`, `firefox-devtools` or `other`.
    pub exporter: &'static str,
}

impl HarSource {
    fn of(info: &HarLogInfo) -> HarSource {
        let creator = info.creator.name.to_ascii_lowercase();
        let browser_name = info.browser.as_ref().map(|b| b.name.to_ascii_lowercase()).unwrap_or_default();
        let by_name = |name: &str| {
            if name.contains("firefox") {
                Some(Browser::Firefox)
            } else if name.contains("chrom") || name.contains("edge") {
                Some(Browser::Chrome)
            } else if name.contains("webkit") || name.contains("safari") {
                Some(Browser::Webkit)
            } else {
                None
            }
        };
        let (exporter, guess) = if creator == "webinspector" {
            ("chromium-devtools", Some(Browser::Chrome))
        } else if creator == "playwright" {
            ("playwright", by_name(&browser_name))
        } else if creator.contains("firefox") {
            ("firefox-devtools", Some(Browser::Firefox))
        } else {
            ("other", by_name(&browser_name).or_else(|| by_name(&creator)))
        };
        HarSource { creator: info.creator.clone(), browser: info.browser.clone(), guess, exporter }
    }

    fn guess_from_user_agent(&mut self, entry: &HarEntry) {
        if let Some(ua) = entry.request_header("user-agent") {
            if ua.contains("Firefox/") {
                self.guess = Some(Browser::Firefox);
            } else if ua.contains("Chrome/") {
                self.guess = Some(Browser::Chrome);
            }
        }
    }

    /// Whether the exporter marks a CORS failure on the entry (Chromium's
    /// `_error`, Playwright's `_failureText`): then an entry without one
    /// passed. Firefox keeps a blocked response as it came.
    pub fn marks_cors_failures(&self) -> bool {
        self.guess == Some(Browser::Chrome) && matches!(self.exporter, "chromium-devtools" | "playwright")
    }
}

/// The counts at the end of a report.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct HarSummary {
    /// Entries read.
    pub entries: usize,
    /// Of them, `fetch()` and XHR requests (preflights not counted).
    pub requests: usize,
    /// Of them, to another origin than the page's (the ones reported).
    pub cross_origin: usize,
    /// Of those, with a preflight entry found.
    pub preflighted: usize,
    /// Of those, blocked in at least one browser judged.
    pub blocked: usize,
    /// Blocked, per browser.
    pub blocked_in: PerBrowser<usize>,
    /// Of those, with no verdict in any browser.
    pub undecided: usize,
    /// Requests whose page origin nothing in the HAR tells (not reported).
    pub origin_unknown: usize,
    /// Preflight entries no request was found for.
    pub unpaired_preflights: usize,
    /// Entries that are valid JSON but not HAR-shaped.
    pub malformed: usize,
}

/// A whole `cors-har/1` report, in memory (`corslab har --json` writes
/// the same shape as it streams).
#[derive(Clone, Debug, Serialize)]
pub struct HarReport {
    /// Always `cors-har/1`.
    pub format: &'static str,
    /// Who wrote the HAR.
    pub source: HarSource,
    /// One per cross-origin request, in the HAR's order.
    pub requests: Vec<HarRequestReport>,
    /// The counts.
    pub summary: HarSummary,
    /// Why the file could not be read to its end, if it could not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
}

impl HarReport {
    /// The report on a file that could not be read up to its entries:
    /// nothing in it but why.
    pub fn unread(why: String) -> HarReport {
        HarReport {
            format: HAR_FORMAT,
            source: HarSource::default(),
            requests: Vec::new(),
            summary: HarSummary::default(),
            error: Some(why),
        }
    }
}

/// The requests of a HAR, judged as its entries stream in.
///
/// # Examples
///
/// ```
/// use corslab::formats::har::{HarOptions, HarStream};
///
/// let mut stream = HarStream::new(&br#"{"log": {"entries": []}}"#[..], HarOptions::default()).unwrap();
/// assert!(stream.next().is_none());
/// assert_eq!(stream.summary().entries, 0);
/// ```
pub struct HarStream<R> {
    reader: HarReader<R>,
    analyzer: analyze::Analyzer,
    ready: VecDeque<HarRequestReport>,
    index: usize,
    done: bool,
    pending_error: Option<HarError>,
}

impl<R> std::fmt::Debug for HarStream<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HarStream").field("reader", &self.reader).field("summary", &self.analyzer.summary).finish_non_exhaustive()
    }
}

impl<R: Read> HarStream<R> {
    /// Reads the log up to its first entry.
    ///
    /// # Errors
    ///
    /// [`HarError`] when the file is not a HAR, or broken before its entries.
    pub fn new(source: R, options: HarOptions) -> Result<HarStream<R>, HarError> {
        let reader = HarReader::new(source)?;
        let source = HarSource::of(reader.info());
        Ok(HarStream {
            reader,
            analyzer: analyze::Analyzer::new(options.browsers, options.scenarios, source),
            ready: VecDeque::new(),
            index: 0,
            done: false,
            pending_error: None,
        })
    }

    /// Who wrote the HAR (the browser guess may sharpen as entries come).
    pub fn source(&self) -> &HarSource {
        self.analyzer.source()
    }

    /// The counts so far (final once the stream has ended).
    pub fn summary(&self) -> &HarSummary {
        &self.analyzer.summary
    }
}

impl<R: Read> Iterator for HarStream<R> {
    type Item = Result<HarRequestReport, HarError>;

    /// The next cross-origin request judged; an error ends the stream
    /// (the requests read before it have been given).
    fn next(&mut self) -> Option<Self::Item> {
        loop {
            if let Some(report) = self.ready.pop_front() {
                return Some(Ok(report));
            }
            if self.done {
                return self.pending_error.take().map(Err);
            }
            match self.reader.next() {
                Some(Ok(entry)) => {
                    let index = self.index;
                    self.index += 1;
                    let reports = self.analyzer.push(index, entry, &self.reader.info().pages);
                    self.ready.extend(reports);
                }
                Some(Err(e)) => {
                    // What was read is still reported, then the error.
                    self.done = true;
                    self.ready.extend(self.analyzer.finish());
                    self.pending_error = Some(e);
                }
                None => {
                    self.done = true;
                    self.ready.extend(self.analyzer.finish());
                }
            }
        }
    }
}

/// Reads a whole HAR into one report (for small files, tests and the page;
/// [`HarStream`] for large ones). Never fails: a file that cannot be read
/// to its end gives the requests read before the problem and the
/// problem in [`HarReport::error`].
pub fn read_report<R: Read>(source: R, options: &HarOptions) -> HarReport {
    let mut stream = match HarStream::new(source, options.clone()) {
        Ok(stream) => stream,
        Err(e) => return HarReport::unread(e.to_string()),
    };
    let mut requests = Vec::new();
    let mut error = None;
    for item in &mut stream {
        match item {
            Ok(report) => requests.push(report),
            Err(e) => error = Some(e.to_string()),
        }
    }
    HarReport { format: HAR_FORMAT, source: stream.source().clone(), requests, summary: stream.summary().clone(), error }
}

/// Judges a HAR another JSON reader has read (the page reads it with the
/// browser's `JSON.parse`, and each entry with serde-wasm-bindgen into a
/// [`HarEntry`]): the same report as [`read_report`] gives for the same
/// file. Each entry is first cut to the bounds the streaming reader keeps
/// ([`HarEntry::keep_within_bounds`]); an entry that is not HAR-shaped is
/// [`HarEntry::not_har_shaped`].
///
/// # Examples
///
/// ```
/// use corslab::formats::har::{HarEntry, HarLogInfo, HarOptions, read_parsed_report};
///
/// let report = read_parsed_report(&HarLogInfo::default(), [HarEntry::not_har_shaped("a number")], &HarOptions::default());
/// assert_eq!((report.summary.entries, report.summary.malformed), (1, 1));
/// ```
pub fn read_parsed_report(info: &HarLogInfo, entries: impl IntoIterator<Item = HarEntry>, options: &HarOptions) -> HarReport {
    let mut analyzer = analyze::Analyzer::new(options.browsers.clone(), options.scenarios, HarSource::of(info));
    let mut requests = Vec::new();
    for (index, mut entry) in entries.into_iter().enumerate() {
        entry.keep_within_bounds();
        requests.extend(analyzer.push(index, entry, &info.pages));
    }
    requests.extend(analyzer.finish());
    HarReport { format: HAR_FORMAT, source: analyzer.source().clone(), requests, summary: analyzer.summary.clone(), error: None }
}

/// The scenarios of a report's requests as a `cors-scenarios/1` file
/// (requests the HAR holds no answer for are left out).
pub fn scenario_file(scenarios: Vec<Scenario>) -> ScenarioFile {
    ScenarioFile { format: SCENARIOS_FORMAT.to_owned(), recorded_with: SortedMap::new(), scenarios }
}
