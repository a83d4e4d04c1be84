//! The decision, as one straight line: what `fetch()` builds, whether CORS
//! applies, the preflight (or the cache), the response, what the page sees.
//!
//! <https://fetch.spec.whatwg.org/#main-fetch>

use std::borrow::Cow;

use serde::Serialize;

use crate::fetch::cache::{CacheEntry, CacheLookup, PreflightCache};
use crate::fetch::classify::{PreflightReason, classify};
use crate::fetch::cors_check::cors_check;
use crate::fetch::expose_headers::visible_headers;
use crate::browsers::failure::{Failure, Stage, Warning};
use crate::origin::{Origin, OriginComparison};
use crate::fetch::preflight::{PreflightRequest, evaluate_preflight};
use crate::browsers::profile::{AuthorizationUnderWildcard, Browser, ClearCache, Profile};
use crate::fetch::request::{FetchCall, FetchRequest, FetchTypeError, RequestMode};
use crate::fetch::response::{ServerResponse, Tainting};
use crate::trace::{FailureReport, NoTrace, Step, Tracer, Verdict, spec};

/// How the server answers: the engine asks, the caller decides (a scenario's
/// scripted responses, or a server policy). The engine takes it as a trait
/// object: one copy of the decision code whatever answers (the page ships
/// as wasm, where every monomorphized copy costs bytes).
pub trait Server {
    /// The answer to a preflight.
    fn preflight(&self, preflight: &PreflightRequest) -> Cow<'_, ServerResponse>;
    /// The answer to the request itself.
    fn respond(&self, request: &FetchRequest) -> Cow<'_, ServerResponse>;
}

/// How `fetch()` ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// It resolves with a readable response.
    Ok,
    /// It resolves with an opaque response.
    Opaque,
    /// It rejects because of CORS.
    CorsError,
    /// It throws before any network activity.
    TypeError,
    /// The engine does not model what happens (it says why).
    Unknown,
}

impl Outcome {
    /// `ok`, `opaque`, `cors-error`, `type-error` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Opaque => "opaque",
            Outcome::CorsError => "cors-error",
            Outcome::TypeError => "type-error",
            Outcome::Unknown => "unknown",
        }
    }
}

/// What a request's preflight came to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PreflightSummary {
    /// Why a preflight is needed (empty: a simple request).
    pub reasons: Vec<PreflightReason>,
    /// The preflight the browser needs, when it needs one.
    pub request: Option<PreflightRequest>,
    /// What the cache said, when it was asked.
    pub cache: Option<CacheLookup>,
    /// Whether the preflight was actually sent (not served from the cache).
    pub sent: bool,
}

/// Everything the engine decided about one `fetch()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The profile.
    pub browser: Browser,
    /// The request URL.
    pub url: String,
    /// The page's serialized origin.
    pub page_origin: String,
    /// The request `fetch()` built (absent when it threw).
    pub request: Option<FetchRequest>,
    /// How the page's origin compares with the URL's.
    pub origin_comparison: Option<OriginComparison>,
    /// The response tainting (and so the response type), once known.
    pub tainting: Option<Tainting>,
    /// The preflight.
    pub preflight: PreflightSummary,
    /// How `fetch()` ends.
    pub outcome: Outcome,
    /// The status the page sees (0 for opaque), when it gets a response.
    pub status: Option<u16>,
    /// The header names the page can read, sorted.
    pub visible_headers: Vec<String>,
    /// The CORS failure, when blocked.
    pub failure: Option<Failure>,
    /// The failure in each browser's words.
    pub report: Option<FailureReport>,
    /// The `TypeError`, when `fetch()` threw.
    pub type_error: Option<FetchTypeError>,
    /// Problems reported without blocking.
    pub warnings: Vec<Warning>,
    /// Why the outcome is unknown.
    pub unknown_reason: Option<String>,
    /// The preflight cache's entries for this origin and URL after the request.
    pub cache: Vec<CacheEntry>,
}

impl Decision {
    fn new(browser: Browser, url: &str, page: &Origin) -> Decision {
        Decision {
            browser,
            url: url.to_owned(),
            page_origin: page.to_string(),
            request: None,
            origin_comparison: None,
            tainting: None,
            preflight: PreflightSummary::default(),
            outcome: Outcome::Unknown,
            status: None,
            visible_headers: Vec::new(),
            failure: None,
            report: None,
            type_error: None,
            warnings: Vec::new(),
            unknown_reason: None,
            cache: Vec::new(),
        }
    }

    /// The URL of the document that made the request, as Firefox's
    /// same-origin message names it (the page at its origin's root).
    pub fn page_url(&self) -> String {
        format!("{}/", self.page_origin)
    }

    /// The console message the profile's browser prints, if any (a blocking
    /// error, or a warning on success).
    pub fn console(&self) -> Option<String> {
        let report = self.report.as_ref();
        match self.browser {
            Browser::Firefox => report.map(|r| r.firefox.console.clone()).or_else(|| {
                self.warnings.first().map(|w| w.firefox_console(&self.url))
            }),
            Browser::Webkit => report.map(|r| r.webkit.console.clone()),
            Browser::Chrome | Browser::Spec => report.map(|r| r.chromium.console.clone()),
        }
    }
}

/// The moment of a decision on the cache's clock, and the cache itself.
#[derive(Debug)]
pub struct Context<'a> {
    /// The browser's preflight cache, carried from one request to the next.
    pub cache: &'a mut PreflightCache,
    /// Now, in milliseconds.
    pub now_ms: u64,
}

/// Decides `call` from a page at `page` against `server`, under `browser`,
/// without a trace (the fast path).
pub fn decide(call: &FetchCall, page: &Origin, server: &dyn Server, browser: Browser, context: Context<'_>) -> Decision {
    decide_with(call, page, server, browser.profile(), context, &mut NoTrace)
}

/// Decides `call` and returns every step too.
pub fn decide_traced(
    call: &FetchCall,
    page: &Origin,
    server: &dyn Server,
    browser: Browser,
    context: Context<'_>,
) -> (Decision, Vec<Step>) {
    let mut steps = Vec::new();
    let decision = decide_with(call, page, server, browser.profile(), context, &mut steps);
    (decision, steps)
}

/// The decision, generic over the tracer.
pub fn decide_with(
    call: &FetchCall,
    page: &Origin,
    server: &dyn Server,
    profile: &Profile,
    context: Context<'_>,
    trace: &mut impl Tracer,
) -> Decision {
    let Context { cache, now_ms } = context;
    let mut decision = Decision::new(profile.browser, &call.url, page);

    // 1. fetch() builds the request, or throws.
    let request = match FetchRequest::build(call, page, profile, trace) {
        Ok(request) => request,
        Err(error) => {
            decision.outcome = Outcome::TypeError;
            decision.type_error = Some(error);
            return decision;
        }
    };
    decision.url = request.url_str().to_owned();
    run(&mut decision, &request, server, profile, cache, now_ms, trace);
    decision.cache = cache.entries_for(&request.origin_serialized, request.url_str());
    decision.request = Some(request);
    decision
}

/// Everything after `fetch()` built the request.
fn run(
    decision: &mut Decision,
    request: &FetchRequest,
    server: &dyn Server,
    profile: &Profile,
    cache: &mut PreflightCache,
    now_ms: u64,
    trace: &mut impl Tracer,
) {
    let page = &request.origin;

    // 2. Same origin or cross-origin?
    let target = Origin::from_url(&request.url);
    let comparison = page.compare(&target);
    decision.origin_comparison = Some(comparison);
    trace.record(|| {
        let verdict = Verdict::Info;
        let detail = if comparison.is_same_origin() {
            "same origin: CORS does not apply".to_owned()
        } else {
            format!("cross-origin: they differ in {}", comparison.differing_parts().join(" and "))
        };
        Step::new("origin.compare", "Is the request same-origin?", verdict, spec::SAME_ORIGIN)
            .compare("page origin", &request.origin_serialized)
            .compare("URL origin", target.to_string())
            .detail(detail)
    });
    if !matches!(request.url.scheme(), "http" | "https") {
        decision.unknown_reason = Some(format!("the {} scheme is not modelled (only http and https)", request.url.scheme()));
        return;
    }

    // 3. The mode decides what happens to a cross-origin request.
    let tainting = match (comparison.is_same_origin(), request.mode) {
        (true, _) => Tainting::Basic,
        (false, RequestMode::SameOrigin) => {
            trace.record(|| {
                Step::new("mode", "The request mode allows another origin", Verdict::Fail, spec::MAIN_FETCH)
                    .compare("mode", "same-origin")
                    .detail("same-origin mode refuses other origins before any request is made")
            });
            fail(decision, request, Failure::DisallowedByMode, trace);
            return;
        }
        (false, RequestMode::NoCors) => Tainting::Opaque,
        (false, RequestMode::Cors) => Tainting::Cors,
    };
    decision.tainting = Some(tainting);
    trace.record(|| {
        let detail = match tainting {
            Tainting::Basic => "same-origin: a basic response, every header readable but Set-Cookie",
            Tainting::Opaque => "no-cors: no preflight, no CORS check, and an opaque response the page cannot read",
            Tainting::Cors => "cross-origin in cors mode: the CORS protocol applies",
        };
        Step::new("mode", "The request mode decides the response tainting", Verdict::Info, spec::TAINTING)
            .compare("mode", request.mode.as_str())
            .compare("response tainting", tainting.as_str())
            .detail(detail)
    });

    // 4. The preflight, for a CORS request that needs one.
    let mut preflight_path = false;
    if tainting == Tainting::Cors {
        let classification = classify(request, profile, trace);
        preflight_path = classification.needs_preflight();
        if classification.needs_preflight() {
            let preflight = PreflightRequest::new(request, &classification.headers.names);
            let origin = request.origin_serialized.as_str();
            let credentials = request.includes_credentials();
            let lookup = cache.lookup(
                origin,
                request.url_str(),
                credentials,
                &request.method,
                &classification.headers.names,
                now_ms,
            );
            trace.record(|| {
                let (verdict, detail) = match &lookup {
                    CacheLookup::Hit => (Verdict::Pass, "a cached preflight covers this request: no preflight is sent".to_owned()),
                    CacheLookup::NoEntry => (Verdict::Info, "nothing cached for this origin and URL: the preflight is sent".to_owned()),
                    CacheLookup::MethodNotCovered => (Verdict::Info, format!("the cached entry does not cover {}: the preflight is sent", request.method)),
                    CacheLookup::HeaderNotCovered { header } => (Verdict::Info, format!("the cached entry does not cover {header}: the preflight is sent")),
                };
                Step::new("preflight.cache", "A cached preflight covers the request", verdict, spec::PREFLIGHT_CACHE)
                    .compare("key", format!("{origin} {}{}", request.url_str(), if credentials { " (credentials)" } else { "" }))
                    .detail(detail)
            });
            let hit = lookup == CacheLookup::Hit;
            decision.preflight.cache = Some(lookup);
            decision.preflight.request = Some(preflight.clone());
            if !hit {
                decision.preflight.sent = true;
                trace.record(|| {
                    Step::new("preflight.send", "The browser sends the preflight", Verdict::Info, spec::PREFLIGHT_FETCH)
                        .compare("request", preflight.to_http().trim_end().replace("\r\n", "\n"))
                        .detail("OPTIONS with the method and the unsafe header names; no credentials, no body, no header values")
                });
                let answer = server.preflight(&preflight);
                let checked = classification.checked_headers(profile);
                match evaluate_preflight(request, checked, &answer, profile, trace) {
                    Ok(grant) => {
                        if grant.authorization_under_wildcard
                            && profile.authorization_under_wildcard == AuthorizationUnderWildcard::CoveredWithWarning
                        {
                            decision.warnings.push(Warning::AuthorizationCoveredByWildcard);
                        }
                        let methods: Vec<String> = grant.methods.0.iter().map(|m| (*m).to_owned()).collect();
                        let headers: Vec<String> = grant.headers.0.iter().map(|h| (*h).to_owned()).collect();
                        cache.store(
                            origin,
                            request.url_str(),
                            credentials,
                            &methods,
                            &headers,
                            grant.max_age.seconds,
                            now_ms,
                        );
                    }
                    Err(failure) => {
                        if profile.clear_cache_on_failure != ClearCache::Never {
                            cache.clear(origin, request.url_str());
                        }
                        fail(decision, request, failure, trace);
                        decision.preflight.reasons = classification.reasons;
                        return;
                    }
                }
            }
        } else {
            trace.record(|| {
                Step::new("preflight.needed", "A preflight is needed", Verdict::Skipped, spec::MAIN_FETCH)
                    .detail("a simple request: safelisted method and headers go without a preflight")
            });
        }
        decision.preflight.reasons = classification.reasons;
    }

    // 5. The request itself, and its response.
    let response = server.respond(request);
    if let Some(location) = response.redirect_location() {
        if tainting == Tainting::Cors
            && let Err(failure) = cors_check(request, &response, Stage::Actual, trace) {
                fail_and_clear(decision, request, failure, profile, preflight_path, cache, trace);
                return;
            }
        decision.unknown_reason = Some(format!(
            "the response redirects ({}) to {location}; following redirects is not modelled",
            response.status
        ));
        return;
    }
    if !(200..=599).contains(&response.status) {
        decision.unknown_reason = Some(format!("status {} is not a final HTTP status", response.status));
        return;
    }
    if tainting == Tainting::Cors
        && let Err(failure) = cors_check(request, &response, Stage::Actual, trace) {
            fail_and_clear(decision, request, failure, profile, preflight_path, cache, trace);
            return;
        }

    // 6. What the page sees.
    decision.visible_headers = visible_headers(&response.headers, tainting, request.includes_credentials());
    let (outcome, status) = match tainting {
        Tainting::Opaque => (Outcome::Opaque, 0),
        Tainting::Basic | Tainting::Cors => (Outcome::Ok, response.status),
    };
    decision.outcome = outcome;
    decision.status = Some(status);
    trace.record(|| {
        let detail = match tainting {
            Tainting::Opaque => "fetch() resolves with an opaque response: status 0, no headers, no body".to_owned(),
            Tainting::Basic => "fetch() resolves; every header but Set-Cookie is readable".to_owned(),
            Tainting::Cors => {
                "fetch() resolves; the page reads the CORS-safelisted headers and those Access-Control-Expose-Headers names".to_owned()
            }
        };
        Step::new("response.visible-headers", "What the page can read", Verdict::Pass, spec::CORS_FILTERED)
            .compare("status", status.to_string())
            .compare("response type", tainting.as_str())
            .compare("readable headers", decision.visible_headers.join(", "))
            .detail(detail)
    });
}

/// Fails on the actual response, clearing the URL's cache entries when the
/// profile does for this kind of request.
fn fail_and_clear(
    decision: &mut Decision,
    request: &FetchRequest,
    failure: Failure,
    profile: &Profile,
    preflight_path: bool,
    cache: &mut PreflightCache,
    trace: &mut impl Tracer,
) {
    let clear = match profile.clear_cache_on_failure {
        ClearCache::Never => false,
        ClearCache::PreflightedRequests => preflight_path,
        ClearCache::AnyRequest => true,
    };
    if clear {
        cache.clear(&request.origin_serialized, request.url_str());
    }
    fail(decision, request, failure, trace);
}

fn fail(decision: &mut Decision, request: &FetchRequest, failure: Failure, trace: &mut impl Tracer) {
    let report = FailureReport {
        summary: failure.summary(),
        chromium: failure.chromium(request.url_str(), &request.origin_serialized),
        firefox: failure.firefox(request.url_str(), &decision.page_url()),
        webkit: failure.webkit(request),
    };
    trace.fail_last(|| report.clone());
    decision.outcome = Outcome::CorsError;
    decision.failure = Some(failure);
    decision.report = Some(report);
}
