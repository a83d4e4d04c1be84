//! The decision, as one straight line: what `fetch()` builds, whether CORS
//! applies, the preflight (or the cache), the response, what the page sees;
//! and when the answer redirects, the same again for the next URL (the
//! standard's main fetch, called again by HTTP-redirect fetch), each URL
//! checked for Local Network Access first.
//!
//! <https://fetch.spec.whatwg.org/#main-fetch>

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use url::Url;

use crate::browsers::failure::{Failure, LocalNetworkNotice, Place, Stage, Warning};
use crate::browsers::profile::{
    AuthorizationUnderWildcard, Browser, ClearCache, LocalNetworkGate, Profile, RedirectCredentials,
    RedirectPreflight, RedirectPreflightOrigin,
};
use crate::fetch::cache::{CacheEntry, CacheLookup, PreflightCache};
use crate::fetch::classify::{PreflightReason, classify};
use crate::fetch::client::{Client, ContextKind};
use crate::fetch::cors_check::cors_check;
use crate::fetch::expose_headers::visible_header_names;
use crate::fetch::local_network::{self, LocalNetworkVerdict, NetworkEnvironment};
use crate::fetch::preflight::{PreflightRequest, evaluate_preflight};
use crate::fetch::redirect::{self, MAX_REDIRECTS, RedirectMode, includes_credentials, location_url};
use crate::fetch::request::{FetchCall, FetchRequest, FetchTypeError, RequestMode};
use crate::fetch::response::{ResponseType, ServerResponse, Tainting};
use crate::fetch::wire::{SentNames, WireKind};
use crate::http::header::HeaderName;
use crate::origin::{Origin, OriginComparison};
use crate::trace::{NoTrace, Step, Tracer, Verdict, spec};

/// How the servers answer: the engine asks, the caller decides (a
/// scenario's scripted responses, or a server policy). Each question carries
/// its URL ([`PreflightRequest::url`], [`FetchRequest::url`]): after a
/// redirect the engine asks about the next URL, which a caller with several
/// servers answers by URL. The engine takes it as a trait object: one copy
/// of the decision code whatever answers (the page ships as wasm, where
/// every monomorphized copy costs bytes).
pub trait Server {
    /// The answer to a preflight (to `preflight.url`).
    fn preflight(&self, preflight: &PreflightRequest) -> Cow<'_, ServerResponse>;
    /// The answer to the request itself (to `request.url`).
    fn respond(&self, request: &FetchRequest) -> Cow<'_, ServerResponse>;
}

/// How `fetch()` ends.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// It resolves with a readable response.
    Ok,
    /// It resolves with an opaque response (`opaque`, or `opaqueredirect`
    /// under `redirect: "manual"`).
    Opaque,
    /// It rejects because of CORS.
    CorsError,
    /// It rejects for another reason than CORS, after the fetch started
    /// (`redirect: "error"`, too many redirects, a redirect to a URL that is
    /// not HTTP(S), in the browsers that do not call these CORS errors).
    NetworkError,
    /// It throws before any network activity.
    TypeError,
    /// It neither resolves nor rejects while watched (a permission prompt
    /// nobody answers: Firefox's Local Network Access in a headless browser).
    Pending,
    /// The engine does not model what happens (it says why).
    Unknown,
}

impl Outcome {
    /// `ok`, `opaque`, `cors-error`, `network-error`, `type-error`, `pending`
    /// or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Ok => "ok",
            Outcome::Opaque => "opaque",
            Outcome::CorsError => "cors-error",
            Outcome::NetworkError => "network-error",
            Outcome::TypeError => "type-error",
            Outcome::Pending => "pending",
            Outcome::Unknown => "unknown",
        }
    }
}

/// What a request's preflight came to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct PreflightSummary {
    /// Why a preflight is needed (empty: a simple request), at the first URL
    /// the CORS protocol applies to (after a redirect, for a request that
    /// started same-origin).
    pub reasons: Vec<PreflightReason>,
    /// The preflight the browser needs, when it needs one (the last one, after
    /// redirects).
    pub request: Option<PreflightRequest>,
    /// What the cache said, when it was asked.
    pub cache: Option<CacheLookup>,
    /// Whether a preflight was actually sent (not served from the cache), on
    /// any URL.
    pub sent: bool,
}

/// One request a server received during the fetch: what a scenario's
/// `served` lists.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sent {
    /// Which URL of the fetch: 0 for the request's own, N after N redirects.
    pub hop: usize,
    /// The URL.
    pub url: String,
    /// Preflight or request.
    pub kind: WireKind,
    /// The method.
    pub method: String,
    /// The `Origin` header's value, if any.
    pub origin: Option<String>,
    /// Every header name sent, lower-case, sorted.
    pub headers: Vec<HeaderName>,
    /// Whether a non-empty body went with it.
    pub body: bool,
}

impl Sent {
    /// The preflight `asked` as it reached the server at `target`.
    fn preflight(hop: usize, asked: &PreflightRequest, page: &Origin, target: &Origin, profile: &Profile) -> Sent {
        let SentNames { names, origin } = SentNames::preflight(asked, page, target, profile);
        Sent { hop, url: asked.url.clone(), kind: WireKind::Preflight, method: "OPTIONS".to_owned(), origin, headers: names, body: false }
    }

    /// The request itself as it reached the server at `target`.
    fn request(hop: usize, request: &FetchRequest, target: &Origin, profile: &Profile) -> Sent {
        let SentNames { names, origin } = SentNames::request(request, target, profile);
        Sent {
            hop,
            url: request.url_str().to_owned(),
            kind: WireKind::Request,
            method: request.method.as_str().to_owned(),
            origin,
            headers: names,
            body: request.body.as_ref().is_some_and(|b| !b.is_empty()),
        }
    }
}

/// Everything the engine decided about one `fetch()`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Decision {
    /// The profile.
    pub browser: Browser,
    /// The request URL (the first, before any redirect).
    pub url: String,
    /// The page's serialized origin: the fetch's client's (`null` in a
    /// sandboxed or `data:` iframe).
    pub page_origin: String,
    /// Where the page runs the fetch.
    pub context: ContextKind,
    /// The top-level page's serialized origin.
    pub top_origin: String,
    /// The request `fetch()` built (absent when it threw).
    pub request: Option<FetchRequest>,
    /// The request as it went to the last URL, when redirects led there.
    pub redirected_request: Option<FetchRequest>,
    /// How the page's origin compares with the URL's.
    pub origin_comparison: Option<OriginComparison>,
    /// The response tainting (and so the response type), once known: the
    /// last URL's.
    pub tainting: Option<Tainting>,
    /// The preflight.
    pub preflight: PreflightSummary,
    /// How `fetch()` ends.
    pub outcome: Outcome,
    /// The status the page sees (0 for opaque), when it gets a response.
    pub status: Option<u16>,
    /// `response.type`, when it gets a response.
    pub response_type: Option<ResponseType>,
    /// `response.url` (empty for an opaque response), when it gets one.
    pub response_url: Option<String>,
    /// `response.redirected`, when it gets a response.
    pub redirected: Option<bool>,
    /// Every URL fetched, in order (the request's URL list).
    pub url_list: Vec<String>,
    /// Every request the servers received, in order.
    pub served: Vec<Sent>,
    /// The header names the page can read, lower-case, sorted (names, not
    /// text: a well-known name costs no allocation, another shares the
    /// response's).
    pub visible_headers: Vec<HeaderName>,
    /// The failure, when the fetch rejected.
    pub failure: Option<Failure>,
    /// The failure in each browser's words.
    pub report: Option<crate::trace::FailureReport>,
    /// Chromium's network error text (`net::ERR_FAILED`) when the fetch
    /// rejected, in a profile that reports one.
    pub net_error: Option<String>,
    /// The `TypeError`, when `fetch()` threw.
    pub type_error: Option<FetchTypeError>,
    /// Problems and notices reported without blocking.
    pub warnings: Vec<Warning>,
    /// Why the outcome is unknown.
    pub unknown_reason: Option<String>,
    /// The preflight cache's entries for this origin and URL after the request.
    pub cache: Vec<CacheEntry>,
}

impl Decision {
    fn new(browser: Browser, url: &str, client: &Client) -> Decision {
        Decision {
            browser,
            url: url.to_owned(),
            page_origin: client.origin.ascii_serialization(),
            context: client.kind,
            top_origin: client.top_origin.ascii_serialization(),
            request: None,
            redirected_request: None,
            origin_comparison: None,
            tainting: None,
            preflight: PreflightSummary::default(),
            outcome: Outcome::Unknown,
            status: None,
            response_type: None,
            response_url: None,
            redirected: None,
            url_list: Vec::new(),
            served: Vec::new(),
            visible_headers: Vec::new(),
            failure: None,
            report: None,
            net_error: None,
            type_error: None,
            warnings: Vec::new(),
            unknown_reason: None,
            cache: Vec::new(),
        }
    }

    /// The URL of the document that made the request, as Firefox's
    /// same-origin message names it (the page at its origin's root, or an
    /// opaque origin's null principal).
    pub fn page_url(&self) -> String {
        let top = Origin::parse(&self.top_origin).unwrap_or(Origin::Opaque);
        let client = Client::new(self.context, &top);
        crate::browsers::firefox::document_url(&client.origin, &client.top_origin)
    }

    /// The console message the profile's browser prints, if any: the first
    /// line of a rejection it logs, else a warning's or notice's.
    pub fn console(&self) -> Option<String> {
        let report = self.report.as_ref();
        let line = match self.browser {
            // Firefox logs a line only for what it calls a CORS error; the
            // others rejections are silent.
            Browser::Firefox => report
                .filter(|_| self.outcome == Outcome::CorsError)
                .map(|r| r.firefox.console.clone())
                .or_else(|| self.warnings.first().map(|w| w.firefox_console(&self.url))),
            Browser::Webkit => report.map(|r| r.webkit.console.clone()),
            Browser::Chrome | Browser::Spec => report.map(|r| r.chromium.console.clone()),
        };
        line.filter(|l| !l.is_empty())
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

/// What surrounds a `fetch()` beyond its call, each at its default in a
/// `cors-scenarios/1` fetch: the redirect mode (`fetch()`'s `redirect`),
/// where the page runs it, and the network it runs in.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Setup {
    /// `init.redirect`.
    pub redirect: RedirectMode,
    /// The window, or an iframe of it.
    pub context: ContextKind,
    /// Address spaces, permissions, browser switches.
    pub network: NetworkEnvironment,
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

/// The decision, generic over the tracer, for the top-level page with the
/// default [`Setup`].
pub fn decide_with(
    call: &FetchCall,
    page: &Origin,
    server: &dyn Server,
    profile: &Profile,
    context: Context<'_>,
    trace: &mut impl Tracer,
) -> Decision {
    decide_in(call, page, &Setup::default(), server, profile, context, trace)
}

/// The decision of `call` made in `setup` (the redirect mode, the context
/// inside the page at `page`, the network), generic over the tracer.
pub fn decide_in(
    call: &FetchCall,
    page: &Origin,
    setup: &Setup,
    server: &dyn Server,
    profile: &Profile,
    context: Context<'_>,
    trace: &mut impl Tracer,
) -> Decision {
    let Context { cache, now_ms } = context;
    let client = Client::new(setup.context, page);
    let mut decision = Decision::new(profile.browser, &call.url, &client);

    // 0. The client: the page, or an iframe of it, with its own origin.
    if setup.context != ContextKind::Window {
        trace.record(|| {
            let detail = if client.origin.is_opaque() {
                "an opaque origin: the request's Origin is null, and only Access-Control-Allow-Origin: null or * lets it read"
            } else {
                "about:blank inherits the origin of the page that made it"
            };
            Step::new("client.origin", "The fetch's client and its origin", Verdict::Info, spec::OPAQUE_ORIGIN)
                .compare("context", setup.context.as_str())
                .compare("top-level page", client.top_origin.to_string())
                .compare("origin", client.origin.to_string())
                .detail(detail)
        });
    }

    // 1. fetch() builds the request, or throws.
    let mut request = match FetchRequest::build(call, &client.origin, profile, trace) {
        Ok(request) => request,
        Err(error) => {
            decision.outcome = Outcome::TypeError;
            decision.type_error = Some(error);
            return decision;
        }
    };
    request.redirect = setup.redirect;
    // (Into the buffer that held the URL as written: usually as long.)
    request.url_str().clone_into(&mut decision.url);
    let last = run(&mut decision, request, &client, setup, server, profile, cache, now_ms, trace);
    // `run` kept the first request when a redirect replaced it.
    if decision.request.is_some() {
        decision.redirected_request = Some(last);
    } else {
        decision.request = Some(as_built(last));
    }
    if let Some(first) = &decision.request {
        decision.cache = cache.entries_for(&first.origin_serialized, first.url_str());
    }
    decision
}

/// The first request as `fetch()` built it: before `run` settled its
/// response tainting, which is all `run` changes in it.
fn as_built(request: FetchRequest) -> FetchRequest {
    FetchRequest { tainting: None, ..request }
}

/// Everything after `fetch()` built the request: main fetch for its URL,
/// and again for each URL a redirect leads to. Returns the request as it
/// went to the last URL; when a redirect replaced the first, that one is
/// in `decision.request`.
#[allow(clippy::too_many_arguments)]
fn run(
    decision: &mut Decision,
    mut request: FetchRequest,
    client: &Client,
    setup: &Setup,
    server: &dyn Server,
    profile: &Profile,
    cache: &mut PreflightCache,
    now_ms: u64,
    trace: &mut impl Tracer,
) -> FetchRequest {
    // Whether an earlier URL of this fetch needed a preflight.
    let mut preflighted = false;
    loop {
        let hop = request.redirect_count();
        decision.url_list.push(request.url_str().to_owned());

        // 2. Same origin or cross-origin?
        let target = Origin::from_url(&request.url);
        let comparison = request.origin.compare(&target);
        if hop == 0 {
            decision.origin_comparison = Some(comparison);
        }
        trace.record(|| {
            let verdict = Verdict::Info;
            let detail = if comparison.is_same_origin() {
                "same origin: CORS does not apply".to_owned()
            } else if request.origin.is_opaque() {
                "the page's origin is opaque: every URL is cross-origin to it".to_owned()
            } else {
                format!("cross-origin: they differ in {}", comparison.differing_parts().join(" and "))
            };
            Step::new("origin.compare", "Is the request same-origin?", verdict, spec::SAME_ORIGIN)
                .compare("page origin", request.origin.to_string())
                .compare("URL origin", target.to_string())
                .detail(detail)
        });
        if !matches!(request.url.scheme(), "http" | "https") {
            decision.unknown_reason = Some(format!("the {} scheme is not modelled (only http and https)", request.url.scheme()));
            return request;
        }

        // 3. The mode decides what happens to a cross-origin request; once
        // CORS applied, it applies to every later URL.
        let was_basic = request.tainting.is_none_or(|t| t == Tainting::Basic);
        let tainting = match (comparison.is_same_origin() && was_basic, request.mode) {
            (true, _) => Tainting::Basic,
            (false, RequestMode::SameOrigin) => {
                trace.record(|| {
                    Step::new("mode", "The request mode allows another origin", Verdict::Fail, spec::MAIN_FETCH)
                        .compare("mode", "same-origin")
                        .detail("same-origin mode refuses other origins before any request is made")
                });
                fail(decision, &request, client, Failure::DisallowedByMode, None, profile, trace);
                return request;
            }
            (false, RequestMode::NoCors) => {
                if request.redirect != RedirectMode::Follow {
                    trace.record(|| {
                        Step::new("mode", "A no-cors request follows redirects", Verdict::Fail, spec::MAIN_FETCH)
                            .compare("mode", "no-cors")
                            .compare("redirect", request.redirect.as_str())
                            .detail("a no-cors request must follow redirects: fetch() rejects before any request is made")
                    });
                    let failure = Failure::NoCorsRedirectMode { redirect: request.redirect.as_str().to_owned() };
                    fail(decision, &request, client, failure, None, profile, trace);
                    return request;
                }
                Tainting::Opaque
            }
            (false, RequestMode::Cors) => Tainting::Cors,
        };
        request.tainting = Some(tainting);
        decision.tainting = Some(tainting);
        trace.record(|| {
            let detail = match tainting {
                Tainting::Basic => "same-origin: a basic response, every header readable but Set-Cookie",
                Tainting::Opaque => "no-cors: no preflight, no CORS check, and an opaque response the page cannot read",
                Tainting::Cors if hop > 0 && comparison.is_same_origin() => {
                    "back on the page's origin after a redirect, the CORS protocol still applies"
                }
                Tainting::Cors => "cross-origin in cors mode: the CORS protocol applies",
            };
            Step::new("mode", "The request mode decides the response tainting", Verdict::Info, spec::TAINTING)
                .compare("mode", request.mode.as_str())
                .compare("response tainting", tainting.as_str())
                .detail(detail)
        });

        // 4. Does it need a preflight, or does the cache cover it?
        let mut preflight = None;
        if tainting == Tainting::Cors {
            let classification = classify(&request, profile, trace);
            let carried = hop > 0 && preflighted && profile.redirect_preflight == RedirectPreflight::OncePreflighted;
            // The reasons of the first URL the CORS protocol applies to: a
            // same-origin request redirected across origins is classified
            // only there (found by the `decide` property test).
            if hop == 0 || decision.preflight.reasons.is_empty() {
                decision.preflight.reasons = classification.reasons.clone();
            }
            if classification.needs_preflight() || carried {
                preflighted = true;
                if carried && !classification.needs_preflight() {
                    trace.record(|| {
                        Step::new("redirect.preflight", "A preflight for the new URL", Verdict::Info, spec::REDIRECT_FETCH)
                            .compare("method", request.method.as_str())
                            .detail("this browser preflights every URL after a redirect once the request needed a preflight")
                    });
                }
                let mut asked = PreflightRequest::new(&request, &classification.headers.names);
                // Firefox's preflight names the page's origin even where the
                // request's is null (a redirect tainted it; otherwise the
                // request's serialized origin is the page's).
                if profile.redirect_preflight_origin == RedirectPreflightOrigin::PageOrigin && request.origin_serialized == "null" {
                    asked.origin = request.origin.ascii_serialization();
                }
                let origin = asked.origin.as_str();
                let credentials = request.includes_credentials();
                let lookup =
                    cache.lookup(origin, request.url_str(), credentials, &request.method, &classification.headers.names, now_ms);
                trace.record(|| {
                    let (verdict, detail) = match &lookup {
                        CacheLookup::Hit => (Verdict::Pass, "a cached preflight covers this request: no preflight is sent".to_owned()),
                        CacheLookup::NoEntry => (Verdict::Info, "nothing cached for this origin and URL: the preflight is sent".to_owned()),
                        CacheLookup::MethodNotCovered => {
                            (Verdict::Info, format!("the cached entry does not cover {}: the preflight is sent", request.method))
                        }
                        CacheLookup::HeaderNotCovered { header } => {
                            (Verdict::Info, format!("the cached entry does not cover {header}: the preflight is sent"))
                        }
                    };
                    Step::new("preflight.cache", "A cached preflight covers the request", verdict, spec::PREFLIGHT_CACHE)
                        .compare("key", format!("{origin} {}{}", request.url_str(), if credentials { " (credentials)" } else { "" }))
                        .detail(detail)
                });
                let hit = lookup == CacheLookup::Hit;
                decision.preflight.cache = Some(lookup);
                // The decision keeps the preflight; step 6 sends it from there.
                decision.preflight.request = Some(asked);
                if !hit {
                    preflight = Some(classification);
                }
            } else {
                trace.record(|| {
                    Step::new("preflight.needed", "A preflight is needed", Verdict::Skipped, spec::MAIN_FETCH)
                        .detail("a simple request: safelisted method and headers go without a preflight")
                });
            }
        }

        // 5. Local Network Access: may the page reach this URL's address space?
        let lna = local_network::check(profile, &setup.network, client, &target);
        if lna.initiator.is_some() && lna.target.is_some() && lna.initiator != lna.target {
            trace.record(|| {
                let (verdict, detail) = match lna.verdict {
                    LocalNetworkVerdict::NotLocal => (Verdict::Pass, "no step into a more private address space that this browser gates".to_owned()),
                    LocalNetworkVerdict::Allowed { .. } => (Verdict::Pass, "a local network request, let through (granted, or not blocked)".to_owned()),
                    LocalNetworkVerdict::Denied => (Verdict::Fail, "a local network request without the permission: refused at once (no prompt headless)".to_owned()),
                    LocalNetworkVerdict::InsecureContext => (Verdict::Fail, "a local network request from a page that is not a secure context: refused".to_owned()),
                    LocalNetworkVerdict::Pending => (Verdict::Fail, "a local network request: the browser asks the user, and nobody answers; the fetch waits".to_owned()),
                    LocalNetworkVerdict::PromptTimedOut => (Verdict::Fail, "a local network request: the unanswered permission prompt gave up".to_owned()),
                };
                Step::new("lna.check", "Local Network Access allows the request", verdict, spec::LOCAL_NETWORK_ACCESS)
                    .compare("page's address space", lna.initiator.map_or("(unknown)", |s| s.as_str()))
                    .compare("target's address space", lna.target.map_or("(unknown)", |s| s.as_str()))
                    .compare("address", local_network::address(&request.url, &target))
                    .compare("permission", lna.permission.unwrap_or("(none needed)"))
                    .detail(detail)
            });
        }
        let notice = || LocalNetworkNotice {
            top_level_site: crate::browsers::firefox::document_url(&client.top_origin, &client.top_origin),
            initiator: crate::browsers::firefox::document_url(&client.origin, &client.top_origin),
            target: request.url_str().to_owned(),
            address: local_network::address(&request.url, &target),
            secure_context: lna.secure_context,
            prompt_action: match lna.verdict {
                LocalNetworkVerdict::Allowed { prompt_action } => prompt_action,
                _ => None,
            },
        };
        // Firefox notes each local network request it makes (its preflights' notes never reach the page's console).
        let noted = profile.local_network == LocalNetworkGate::Prompt;
        let space = lna.target.unwrap_or(local_network::AddressSpace::Loopback);
        match lna.verdict {
            LocalNetworkVerdict::NotLocal | LocalNetworkVerdict::Allowed { .. } => {}
            LocalNetworkVerdict::Denied => {
                fail(decision, &request, client, Failure::LocalNetworkDenied { space }, None, profile, trace);
                return request;
            }
            LocalNetworkVerdict::InsecureContext => {
                fail(decision, &request, client, Failure::LocalNetworkInsecure { space }, None, profile, trace);
                return request;
            }
            LocalNetworkVerdict::PromptTimedOut => {
                fail(decision, &request, client, Failure::LocalNetworkPromptTimeout { space }, None, profile, trace);
                return request;
            }
            LocalNetworkVerdict::Pending => {
                if noted && preflight.is_none() {
                    decision.warnings.push(Warning::LocalNetworkPermissionRequired(notice()));
                }
                decision.outcome = Outcome::Pending;
                return request;
            }
        }

        // 6. The preflight, when one is sent.
        if let (Some(classification), Some(asked)) = (preflight, decision.preflight.request.as_ref()) {
            decision.preflight.sent = true;
            trace.record(|| {
                Step::new("preflight.send", "The browser sends the preflight", Verdict::Info, spec::PREFLIGHT_FETCH)
                    .compare("request", asked.to_http().trim_end().replace("\r\n", "\n"))
                    .detail("OPTIONS with the method and the unsafe header names; no credentials, no body, no header values")
            });
            decision.served.push(Sent::preflight(hop, asked, &request.origin, &target, profile));
            let answer = server.preflight(asked);
            // The preflight's CORS check compares the origin it sent.
            let subject = if asked.origin == request.origin_serialized {
                Cow::Borrowed(&request)
            } else {
                Cow::Owned(FetchRequest { origin_serialized: asked.origin.clone(), ..request.clone() })
            };
            let checked = classification.checked_headers(profile);
            match evaluate_preflight(&subject, checked, &answer, profile, trace) {
                Ok(grant) => {
                    if grant.authorization_under_wildcard
                        && profile.authorization_under_wildcard == AuthorizationUnderWildcard::CoveredWithWarning
                    {
                        decision.warnings.push(Warning::AuthorizationCoveredByWildcard);
                    }
                    let credentials = request.includes_credentials();
                    cache.store(&asked.origin, request.url_str(), credentials, &grant.methods.0, &grant.headers.0, grant.max_age.seconds, now_ms);
                }
                Err(failure) => {
                    if profile.clear_cache_on_failure != ClearCache::Never {
                        cache.clear(&asked.origin, request.url_str());
                    }
                    fail(decision, &request, client, failure, None, profile, trace);
                    return request;
                }
            }
        }

        // 7. The request itself, and its response.
        decision.served.push(Sent::request(hop, &request, &target, profile));
        if noted && lna.verdict != LocalNetworkVerdict::NotLocal {
            decision.warnings.push(Warning::LocalNetworkDetected(notice()));
        }
        let response = server.respond(&request);
        let location = location_url(&response, &request.url);
        if location.is_none() && !(200..=599).contains(&response.status) {
            decision.unknown_reason = Some(format!("status {} is not a final HTTP status", response.status));
            return request;
        }
        // The CORS check applies to a redirect answer as to any other.
        if tainting == Tainting::Cors
            && let Err(failure) = cors_check(&request, &response, Stage::Actual, trace)
        {
            let to = location.as_ref().map(|l| l.as_ref().map_or_else(Clone::clone, Url::to_string));
            fail_and_clear(decision, &request, client, failure, to, profile, preflighted, cache, trace);
            return request;
        }

        // 8. A redirect: by the redirect mode, refused, left to the page, or followed.
        let Some(location) = location else {
            respond(decision, &request, tainting, &response, ResponseType::from(tainting), trace);
            return request;
        };
        trace.record(|| {
            let to = location.as_ref().map_or_else(Clone::clone, Url::to_string);
            Step::new("redirect.location", "The answer redirects", Verdict::Info, spec::LOCATION_URL)
                .compare("status", response.status.to_string())
                .compare("Location", to)
                .compare("redirect mode", request.redirect.as_str())
        });
        match request.redirect {
            RedirectMode::Error => {
                trace.record(|| {
                    Step::new("redirect.mode", "The redirect mode allows redirects", Verdict::Fail, spec::REDIRECT_MODE)
                        .compare("redirect", "error")
                        .detail("redirect: \"error\" makes any redirect a network error")
                });
                let to = location.as_ref().map_or_else(Clone::clone, Url::to_string);
                let failure = Failure::RedirectModeError { status: response.status, location: to };
                fail(decision, &request, client, failure, None, profile, trace);
                return request;
            }
            RedirectMode::Manual => {
                trace.record(|| {
                    Step::new("redirect.mode", "The redirect mode allows redirects", Verdict::Info, spec::OPAQUE_REDIRECT)
                        .compare("redirect", "manual")
                        .detail("redirect: \"manual\" hands the page an opaque-redirect response: status 0, nothing readable")
                });
                respond(decision, &request, tainting, &response, ResponseType::OpaqueRedirect, trace);
                return request;
            }
            RedirectMode::Follow => {}
        }
        let next = match follow(&request, tainting, location, profile, trace) {
            Ok(next) => next,
            Err(failure) => {
                fail(decision, &request, client, failure, None, profile, trace);
                return request;
            }
        };
        let (next, rewrite) = redirect::redirected(&request, response.status, next);
        trace.record(|| {
            let changed = rewrite.method_from.as_ref().map_or_else(
                || format!("{} stays {}", request.method, next.method),
                |from| format!("a {} turns {from} into GET{}", response.status, if rewrite.body_dropped { " and drops the body" } else { "" }),
            );
            Step::new("redirect.method", "The method after the redirect", Verdict::Info, spec::REDIRECT_FETCH)
                .compare("status", response.status.to_string())
                .compare("method", next.method.as_str())
                .detail(changed)
        });
        if !rewrite.dropped_headers.is_empty() {
            trace.record(|| {
                Step::new("redirect.headers", "Headers dropped on the way to another origin", Verdict::Info, spec::REDIRECT_FETCH)
                    .compare("dropped", rewrite.dropped_headers.join(", "))
                    .detail("Authorization never follows a redirect to another origin")
            });
        }
        trace.record(|| {
            let tainted = next.origin_serialized == "null" && !next.origin.is_opaque();
            let detail = if tainted {
                "a redirect from another origin to yet another one: the request's origin serializes as null from now on, so only Access-Control-Allow-Origin: null or * lets it read"
            } else {
                "no redirect between two origins other than the page's: the Origin stays the page's"
            };
            Step::new("redirect.tainted-origin", "The request's origin after the redirect", Verdict::Info, spec::REDIRECT_TAINT)
                .compare("URL list", next.redirected_from.iter().chain([&next.url]).map(Url::as_str).collect::<Vec<_>>().join(" → "))
                .compare("serialized origin", next.origin_serialized.clone())
                .detail(detail)
        });
        trace.record(|| {
            Step::new("redirect.hop", "The browser fetches the new URL", Verdict::Info, spec::REDIRECT_FETCH)
                .compare("redirect", format!("{} of {MAX_REDIRECTS}", next.redirect_count()))
                .compare("request", format!("{} {}", next.method, next.url))
                .detail("main fetch again, for the new URL: the same checks, in the same order")
        });
        // The first request is the decision's record: kept, not copied.
        let previous = std::mem::replace(&mut request, next);
        if hop == 0 {
            decision.request = Some(as_built(previous));
        }
    }
}

/// HTTP-redirect fetch's refusals (steps 4 to 10): the location URL as
/// parsed, or why the redirect is not followed.
fn follow(
    request: &FetchRequest,
    tainting: Tainting,
    location: Result<Url, String>,
    profile: &Profile,
    trace: &mut impl Tracer,
) -> Result<Url, Failure> {
    let location = location.map_err(|raw| {
        trace.record(|| {
            Step::new("redirect.location", "The Location is a URL", Verdict::Fail, spec::LOCATION_URL)
                .compare("Location", raw.clone())
                .detail("a Location that does not parse is a network error")
        });
        Failure::RedirectScheme { location: raw.clone() }
    })?;
    if !matches!(location.scheme(), "http" | "https") {
        trace.record(|| {
            Step::new("redirect.scheme", "The new URL is HTTP(S)", Verdict::Fail, spec::REDIRECT_FETCH)
                .compare("Location", location.as_str())
                .detail("a redirect to a scheme other than http or https is a network error")
        });
        return Err(Failure::RedirectScheme { location: location.to_string() });
    }
    if request.redirect_count() >= MAX_REDIRECTS {
        trace.record(|| {
            Step::new("redirect.count", "Fewer than 20 redirects so far", Verdict::Fail, spec::REDIRECT_FETCH)
                .compare("redirects", request.redirect_count().to_string())
                .detail("fetch follows at most 20 redirects: the 21st is a network error")
        });
        return Err(Failure::TooManyRedirects { location: location.to_string() });
    }
    if includes_credentials(&location) {
        let cross_origin = request.mode == RequestMode::Cors && !request.origin.is_same_origin(&Origin::from_url(&location));
        if cross_origin || tainting == Tainting::Cors {
            trace.record(|| {
                Step::new("redirect.credentials", "The new URL has no username or password", Verdict::Fail, spec::REDIRECT_FETCH)
                    .compare("Location", location.as_str())
                    .detail("a CORS request may not follow a redirect to a URL with credentials")
            });
            return Err(Failure::RedirectCredentials { location: location.to_string() });
        }
        if profile.redirect_credentials == RedirectCredentials::Abort {
            trace.record(|| {
                Step::new("redirect.credentials", "The new URL has no username or password", Verdict::Fail, spec::REDIRECT_FETCH)
                    .compare("Location", location.as_str())
                    .detail("the standard lets a same-origin or no-cors request follow it; this browser aborts the load")
            });
            return Err(Failure::RedirectCredentialsAborted { location: location.to_string() });
        }
    }
    Ok(location)
}

/// The final answer: what the page sees.
fn respond(
    decision: &mut Decision,
    request: &FetchRequest,
    tainting: Tainting,
    response: &ServerResponse,
    response_type: ResponseType,
    trace: &mut impl Tracer,
) {
    let opaque = matches!(response_type, ResponseType::Opaque | ResponseType::OpaqueRedirect);
    decision.visible_headers = if opaque {
        Vec::new()
    } else {
        visible_header_names(&response.headers, tainting, request.includes_credentials()).into_iter().cloned().collect()
    };
    let (outcome, status) = if opaque { (Outcome::Opaque, 0) } else { (Outcome::Ok, response.status) };
    decision.outcome = outcome;
    decision.status = Some(status);
    decision.response_type = Some(response_type);
    // An opaque response has an empty URL list; an opaque-redirect one keeps
    // its internal response's (the URL that redirected).
    let (url, redirected) = match response_type {
        ResponseType::Opaque => (String::new(), false),
        _ => (request.url_str().to_owned(), request.redirect_count() > 0),
    };
    decision.response_url = Some(url);
    decision.redirected = Some(redirected);
    trace.record(|| {
        let detail = match response_type {
            ResponseType::Opaque => "fetch() resolves with an opaque response: status 0, no headers, no body".to_owned(),
            ResponseType::OpaqueRedirect => {
                "fetch() resolves with an opaque-redirect response: status 0, no headers, the redirect not followed".to_owned()
            }
            ResponseType::Basic => "fetch() resolves; every header but Set-Cookie is readable".to_owned(),
            ResponseType::Cors => {
                "fetch() resolves; the page reads the CORS-safelisted headers and those Access-Control-Expose-Headers names".to_owned()
            }
        };
        Step::new("response.visible-headers", "What the page can read", Verdict::Pass, spec::CORS_FILTERED)
            .compare("status", status.to_string())
            .compare("response type", response_type.as_str())
            .compare("readable headers", decision.visible_headers.iter().map(HeaderName::as_str).collect::<Vec<_>>().join(", "))
            .detail(detail)
    });
}

/// Fails on the actual response, clearing the URL's cache entries when the
/// profile does for this kind of request.
#[allow(clippy::too_many_arguments)]
fn fail_and_clear(
    decision: &mut Decision,
    request: &FetchRequest,
    client: &Client,
    failure: Failure,
    location: Option<String>,
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
    fail(decision, request, client, failure, location, profile, trace);
}

/// Rejects the fetch on `failure` of `request` (whose answer redirected to
/// `location`, if it did), in each browser's words.
fn fail(
    decision: &mut Decision,
    request: &FetchRequest,
    client: &Client,
    failure: Failure,
    location: Option<String>,
    profile: &Profile,
    trace: &mut impl Tracer,
) {
    let cors = request.tainting == Some(Tainting::Cors);
    let place = Place {
        url: request.url_str().to_owned(),
        first_url: (request.redirect_count() > 0).then(|| request.first_url().to_string()),
        initiator: request.origin.ascii_serialization(),
        origin: request.origin_serialized.clone(),
        top_origin: client.top_origin.ascii_serialization(),
        page_url: crate::browsers::firefox::document_url(&client.origin, &client.top_origin),
        location,
        cors,
    };
    let report = failure.report(request, &place);
    trace.fail_last(|| report.clone());
    decision.outcome = failure.outcome(profile, cors);
    decision.net_error = if !profile.net_errors {
        None
    } else if failure == Failure::DisallowedByMode && request.redirect_count() > 0 {
        // After a redirect the mode refuses a request that was made.
        Some("net::ERR_FAILED".to_owned())
    } else {
        crate::browsers::chromium::net_error(&failure).map(str::to_owned)
    };
    decision.failure = Some(failure);
    decision.report = Some(report);
}
