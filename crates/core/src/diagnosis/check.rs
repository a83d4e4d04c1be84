//! `check`: a real server's answers, judged by the engine.
//!
//! The engine decides what the browser sends; the caller (the command line,
//! the companion server's `/probe`) sends it over the network and hands back
//! what came back; the engine decides again, through the same
//! [`decide`](crate::decide) as every prediction, with a [`Server`] backed by
//! the answers received. No verdict is made anywhere else: the I/O side only
//! asks [`judge`] what to send next until it says it has decided.
//!
//! ```text
//! exchanges = []
//! loop { match judge(&check, browser, &exchanges).need {
//!     Some(need) => exchanges.push(Exchange { request: need.to_wire(..), response: send(..)? }),
//!     None => break,   // decided
//! } }
//! ```
//!
//! A redirect is followed as the browser follows it: the engine asks about
//! the next URL (each [`Need`] carries its URL, with the `Origin` the
//! browser would send there, `null` once tainted), and an answer is found
//! again by what was asked and where (a preflight or the request, and the
//! URL). The same question never needs asking twice, so a chain of redirects
//! costs one exchange per URL (two with a preflight), at most
//! [`MAX_EXCHANGES`].

use std::borrow::Cow;
use std::cell::RefCell;

use serde::{Deserialize, Serialize};

use crate::browsers::failure::Failure;
use crate::browsers::profile::{Browser, Profile};
use crate::fetch::cache::PreflightCache;
use crate::fetch::engine::{Context, Decision, Outcome, Server, decide_with};
use crate::fetch::preflight::PreflightRequest;
use crate::fetch::redirect::MAX_REDIRECTS;
use crate::fetch::request::{FetchCall, FetchRequest, RequestMode};
use crate::fetch::response::ServerResponse;
use crate::fetch::wire::{UnreadableHeader, WireKind, WireRequest, WireResponse};
use crate::fix::{Fix, Needs};
use crate::formats::scenario::{Expectation, prediction_of};
use crate::origin::Origin;
use crate::trace::Step;

/// The most requests one checked `fetch()` may take: a preflight and the
/// request on each of its URLs, the request's own and the 20 redirects lead
/// to. A judge asking for more is a bug, reported rather than looped on.
pub const MAX_EXCHANGES: usize = 2 * (MAX_REDIRECTS + 1);

/// What to check: the page's call, the page's origin, and the cookies the
/// browser holds for the server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckRequest {
    /// What the page passes to `fetch()` (the URL is the server's).
    pub call: FetchCall,
    /// The page's origin.
    pub page: Origin,
    /// The `Cookie` header the browser would send where credentials go.
    pub cookies: Option<String>,
    /// The page's URL, when known (the `Referer` of same-origin requests);
    /// a URL on another origin than [`page`](Self::page) is ignored.
    pub page_url: Option<String>,
}

/// One request sent and its answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    /// What was sent.
    pub request: WireRequest,
    /// What came back.
    pub response: WireResponse,
}

/// A request the engine needs the answer to before it can decide.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Need {
    /// The preflight.
    Preflight(PreflightRequest),
    /// The request itself.
    Request(Box<FetchRequest>),
}

impl Need {
    /// The URL the request goes to.
    pub fn url(&self) -> &str {
        match self {
            Need::Preflight(preflight) => &preflight.url,
            Need::Request(request) => request.url_str(),
        }
    }

    /// Whether it is the preflight or the request.
    pub fn kind(&self) -> WireKind {
        match self {
            Need::Preflight(_) => WireKind::Preflight,
            Need::Request(_) => WireKind::Request,
        }
    }

    /// The request as `profile`'s browser puts it on the wire.
    pub fn to_wire(&self, check: &CheckRequest, profile: &Profile) -> WireRequest {
        match self {
            Need::Preflight(preflight) => WireRequest::preflight(preflight, &check.page, check.page_url.as_deref(), profile),
            Need::Request(request) => {
                WireRequest::request(request, check.page_url.as_deref(), check.cookies.as_deref(), profile)
            }
        }
    }
}

/// Where a judgement stands.
#[derive(Debug)]
pub struct Judgement {
    /// The decision (meaningless while [`need`](Self::need) is set).
    pub decision: Decision,
    /// The steps, when traced.
    pub steps: Vec<Step>,
    /// The request whose answer is still missing, if any.
    pub need: Option<Need>,
    /// Answer lines the engine could not read.
    pub unreadable: Vec<UnreadableHeader>,
}

/// Judges `check` under `browser` from the answers in `exchanges`, keeping
/// every step when `traced`.
pub fn judge(check: &CheckRequest, browser: Browser, exchanges: &[Exchange], traced: bool) -> Judgement {
    let mut unreadable = Vec::new();
    let mut answers: Vec<(WireKind, &str, ServerResponse)> = Vec::new();
    for exchange in exchanges {
        let (kind, url) = (exchange.request.kind, exchange.request.url.as_str());
        // The first answer to a question is the one the engine reads.
        if answers.iter().any(|(k, u, _)| *k == kind && *u == url) {
            continue;
        }
        let (response, lines) = exchange.response.to_server_response();
        unreadable.extend(lines);
        answers.push((kind, url, response));
    }
    let server = Recorded { answers, need: RefCell::new(None) };
    let mut cache = PreflightCache::new(browser.profile());
    let context = Context { cache: &mut cache, now_ms: 0 };
    // One tracer type for both ways: one copy of the engine.
    let mut trace = traced.then(Vec::new);
    let decision = decide_with(&check.call, &check.page, &server, browser.profile(), context, &mut trace);
    Judgement { decision, steps: trace.unwrap_or_default(), need: server.need.into_inner(), unreadable }
}

/// The answers received so far, by question and URL; a question without one
/// is noted as the next request to send (and answered with a placeholder:
/// the decision is then not used).
struct Recorded<'a> {
    answers: Vec<(WireKind, &'a str, ServerResponse)>,
    need: RefCell<Option<Need>>,
}

impl Recorded<'_> {
    fn answer(&self, kind: WireKind, url: &str) -> Option<&ServerResponse> {
        self.answers.iter().find(|(k, u, _)| *k == kind && *u == url).map(|(_, _, r)| r)
    }

    fn missing(&self, need: Need) -> Cow<'_, ServerResponse> {
        let mut slot = self.need.borrow_mut();
        if slot.is_none() {
            *slot = Some(need);
        }
        Cow::Owned(ServerResponse::with_status(0))
    }
}

impl Server for Recorded<'_> {
    fn preflight(&self, preflight: &PreflightRequest) -> Cow<'_, ServerResponse> {
        match self.answer(WireKind::Preflight, &preflight.url) {
            Some(answer) => Cow::Borrowed(answer),
            None => self.missing(Need::Preflight(preflight.clone())),
        }
    }

    fn respond(&self, request: &FetchRequest) -> Cow<'_, ServerResponse> {
        match self.answer(WireKind::Request, request.url_str()) {
            Some(answer) => Cow::Borrowed(answer),
            None => self.missing(Need::Request(Box::new(request.clone()))),
        }
    }
}

/// One browser's verdict on a checked request.
#[derive(Clone, Debug, Serialize)]
pub struct BrowserCheck {
    /// Every request this browser would send, as sent, with its answer.
    pub exchanges: Vec<Exchange>,
    /// The same fields, with the same meanings, as a scenario's `expect`.
    #[serde(flatten)]
    pub expect: Expectation,
    /// Why the outcome is `unknown`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// Whether the page gets what its mode can give: a readable response
    /// (`cors`, `same-origin`), an opaque one (`no-cors`).
    pub passed: bool,
    /// What to change on the server (empty when it passed).
    pub fix: Fix,
    /// Answer lines the engine could not read.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub unreadable: Vec<UnreadableHeader>,
}

impl BrowserCheck {
    /// The verdict of a finished judgement over `exchanges`.
    pub fn new(check: &CheckRequest, judgement: &Judgement, exchanges: Vec<Exchange>) -> BrowserCheck {
        let decision = &judgement.decision;
        let prediction = prediction_of("check", decision);
        let passed = passes(decision.outcome, check.call.mode);
        let fix = if passed { Fix::default() } else { fix_for(decision, &exchanges) };
        BrowserCheck {
            exchanges,
            // cors-check/1 keeps the v1 fields; each hop is in `exchanges`.
            expect: prediction.expect.without_v2(),
            reason: prediction.reason,
            passed,
            fix,
            unreadable: judgement.unreadable.clone(),
        }
    }
}

/// Whether an outcome gives the page what `mode` can give.
pub fn passes(outcome: Outcome, mode: RequestMode) -> bool {
    match outcome {
        Outcome::Ok => true,
        Outcome::Opaque => mode == RequestMode::NoCors,
        Outcome::CorsError | Outcome::NetworkError | Outcome::TypeError | Outcome::Pending | Outcome::Unknown => false,
    }
}

/// What to change so that the decided request passes, from the answers it
/// got.
pub fn fix_for(decision: &Decision, exchanges: &[Exchange]) -> Fix {
    if let Some(error) = &decision.type_error {
        return Fix::not_on_the_server(format!("fetch() throws before any request is sent, so no server change helps: {error}"));
    }
    if decision.failure == Some(Failure::DisallowedByMode) {
        return Fix::not_on_the_server(
            "mode \"same-origin\" refuses every other origin before any request is sent: use mode \"cors\" (fetch()'s default) on the page",
        );
    }
    if decision.outcome == Outcome::Unknown {
        return Fix::default();
    }
    match &decision.failure {
        Some(Failure::LocalNetworkDenied { space } | Failure::LocalNetworkInsecure { space } | Failure::LocalNetworkPromptTimeout { space }) => {
            return Fix::not_on_the_server(format!(
                "the browser refuses a public page's requests into the {space} address space until the user grants the permission (Local Network Access); the page must ask for it, from a secure context"
            ));
        }
        Some(Failure::RedirectModeError { .. } | Failure::NoCorsRedirectMode { .. }) => {
            return Fix::not_on_the_server(
                "the page's redirect option refuses the redirect: let fetch() follow it (redirect: \"follow\", the default), or have the server answer without redirecting",
            );
        }
        // The server's redirect itself is the problem; no header fixes it.
        Some(failure) if failure.is_refused_redirect() || matches!(failure, Failure::RedirectCredentials { .. }) => {
            return Fix::default();
        }
        _ => {}
    }
    if decision.outcome == Outcome::Pending {
        return Fix::not_on_the_server(
            "the browser is waiting for the user to allow local network access (Local Network Access): nothing the server sends changes that",
        );
    }
    // What failed is the last URL's request and its answers.
    let Some(request) = decision.redirected_request.as_ref().or(decision.request.as_ref()) else { return Fix::default() };
    let Some(needs) = Needs::of(request, decision.browser.profile()) else { return Fix::default() };
    let answer = |kind: WireKind| {
        exchanges
            .iter()
            .find(|e| e.request.kind == kind && e.request.url == request.url_str())
            .map(|e| e.response.to_server_response().0)
    };
    let preflight = answer(WireKind::Preflight);
    let response = answer(WireKind::Request);
    Fix::for_needs(&needs, preflight.as_ref(), response.as_ref())
}
