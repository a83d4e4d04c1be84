//! Decision traces: every check the engine makes, in order, with its
//! verdict, the values it compared and the spec section it implements.
//!
//! The engine is generic over a [`Tracer`]: [`NoTrace`] compiles the steps
//! away (the path a server takes), a `Vec<Step>` keeps them (the explainer).

use serde::Serialize;

use crate::browsers::chromium::ChromiumError;
use crate::browsers::firefox::FirefoxError;
use crate::browsers::webkit::WebkitError;

/// How a step came out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// The check passed.
    Pass,
    /// The check failed: the request is blocked here (or `fetch()` threw).
    Fail,
    /// The check did not apply.
    Skipped,
    /// A fact the decision depends on, not a check.
    Info,
}

/// One value a step looked at.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Compared {
    /// What it is (`request origin`, `Access-Control-Allow-Origin`).
    pub what: &'static str,
    /// Its value, as text (`(absent)` when missing).
    pub value: String,
}

/// What the browsers say when a step fails.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct FailureReport {
    /// A neutral sentence.
    pub summary: String,
    /// Chromium's CorsError name, failed parameter and console message.
    pub chromium: ChromiumError,
    /// Firefox's reason code, console line and MDN link.
    pub firefox: FirefoxError,
    /// WebKit's template name, failed parameter and console lines.
    pub webkit: WebkitError,
}

/// One step of a decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Step {
    /// A stable identifier (`preflight.allow-origin`), for tests and links.
    pub id: &'static str,
    /// What the step checks, for people.
    pub title: &'static str,
    /// How it came out.
    pub verdict: Verdict,
    /// The values it compared.
    pub compared: Vec<Compared>,
    /// Why it came out that way.
    pub detail: String,
    /// The spec section it implements.
    pub spec: &'static str,
    /// On failure, what each browser reports.
    pub failure: Option<FailureReport>,
}

impl Step {
    /// A step with no compared values yet.
    pub fn new(id: &'static str, title: &'static str, verdict: Verdict, spec: &'static str) -> Step {
        Step { id, title, verdict, compared: Vec::new(), detail: String::new(), spec, failure: None }
    }

    /// Adds a compared value.
    #[must_use]
    pub fn compare(mut self, what: &'static str, value: impl Into<String>) -> Step {
        self.compared.push(Compared { what, value: value.into() });
        self
    }

    /// Sets the explanation.
    #[must_use]
    pub fn detail(mut self, detail: impl Into<String>) -> Step {
        self.detail = detail.into();
        self
    }
}

/// Where the engine sends its steps.
pub trait Tracer {
    /// Records the step `make` builds; a tracer that keeps nothing never
    /// calls `make`, so the trace costs nothing when it is not wanted.
    fn record(&mut self, make: impl FnOnce() -> Step);

    /// Attaches browser reports to the last step (a failing one).
    fn fail_last(&mut self, make: impl FnOnce() -> FailureReport);
}

/// A tracer that keeps nothing.
#[derive(Clone, Copy, Debug, Default)]
pub struct NoTrace;

impl Tracer for NoTrace {
    #[inline(always)]
    fn record(&mut self, _make: impl FnOnce() -> Step) {}

    #[inline(always)]
    fn fail_last(&mut self, _make: impl FnOnce() -> FailureReport) {}
}

impl Tracer for Vec<Step> {
    fn record(&mut self, make: impl FnOnce() -> Step) {
        self.push(make());
    }

    fn fail_last(&mut self, make: impl FnOnce() -> FailureReport) {
        if let Some(last) = self.last_mut() {
            last.failure = Some(make());
        }
    }
}

/// Keeps the steps when `Some`, nothing when `None`: whether to trace is
/// decided at run time, so one copy of the engine serves both ways (the
/// page's wasm carries the engine once rather than once per tracer). When
/// `None`, `make` is never called, as with [`NoTrace`].
impl Tracer for Option<Vec<Step>> {
    fn record(&mut self, make: impl FnOnce() -> Step) {
        if let Some(steps) = self {
            steps.push(make());
        }
    }

    fn fail_last(&mut self, make: impl FnOnce() -> FailureReport) {
        if let Some(last) = self.as_mut().and_then(|steps| steps.last_mut()) {
            last.failure = Some(make());
        }
    }
}

/// Spec links, one constant per section, so a newcomer can grep a rule's
/// anchor and find both the rule and every step that cites it.
pub mod spec {
    /// `fetch()` and the `Request` constructor.
    pub const REQUEST_CONSTRUCTOR: &str = "https://fetch.spec.whatwg.org/#dom-request";
    /// Method normalization.
    pub const METHOD_NORMALIZE: &str = "https://fetch.spec.whatwg.org/#concept-method-normalize";
    /// Forbidden methods.
    pub const FORBIDDEN_METHOD: &str = "https://fetch.spec.whatwg.org/#forbidden-method";
    /// CORS-safelisted methods.
    pub const SAFELISTED_METHOD: &str = "https://fetch.spec.whatwg.org/#cors-safelisted-method";
    /// Appending to a `Headers` object (the guard).
    pub const HEADERS_APPEND: &str = "https://fetch.spec.whatwg.org/#concept-headers-append";
    /// Forbidden request-headers.
    pub const FORBIDDEN_REQUEST_HEADER: &str = "https://fetch.spec.whatwg.org/#forbidden-request-header";
    /// no-CORS-safelisted request-headers.
    pub const NO_CORS_SAFELISTED: &str = "https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header";
    /// Extracting a body (the added `Content-Type`).
    pub const BODY_EXTRACT: &str = "https://fetch.spec.whatwg.org/#concept-bodyinit-extract";
    /// Same origin.
    pub const SAME_ORIGIN: &str = "https://html.spec.whatwg.org/multipage/browsers.html#same-origin";
    /// Main fetch: the mode switch.
    pub const MAIN_FETCH: &str = "https://fetch.spec.whatwg.org/#main-fetch";
    /// CORS-safelisted request-headers.
    pub const SAFELISTED_REQUEST_HEADER: &str = "https://fetch.spec.whatwg.org/#cors-safelisted-request-header";
    /// CORS-unsafe request-header names.
    pub const UNSAFE_NAMES: &str = "https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names";
    /// The CORS-preflight cache.
    pub const PREFLIGHT_CACHE: &str = "https://fetch.spec.whatwg.org/#cors-preflight-cache";
    /// The CORS-preflight fetch.
    pub const PREFLIGHT_FETCH: &str = "https://fetch.spec.whatwg.org/#cors-preflight-fetch-0";
    /// The CORS check.
    pub const CORS_CHECK: &str = "https://fetch.spec.whatwg.org/#concept-cors-check";
    /// Ok status.
    pub const OK_STATUS: &str = "https://fetch.spec.whatwg.org/#ok-status";
    /// Redirect status.
    pub const REDIRECT_STATUS: &str = "https://fetch.spec.whatwg.org/#redirect-status";
    /// `Access-Control-Allow-Methods`.
    pub const ALLOW_METHODS: &str = "https://fetch.spec.whatwg.org/#http-access-control-allow-methods";
    /// `Access-Control-Allow-Headers`.
    pub const ALLOW_HEADERS: &str = "https://fetch.spec.whatwg.org/#http-access-control-allow-headers";
    /// `Access-Control-Max-Age`.
    pub const MAX_AGE: &str = "https://fetch.spec.whatwg.org/#http-access-control-max-age";
    /// CORS non-wildcard request-header name.
    pub const NON_WILDCARD: &str = "https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name";
    /// Response tainting.
    pub const TAINTING: &str = "https://fetch.spec.whatwg.org/#concept-request-response-tainting";
    /// CORS filtered responses and the exposed header names.
    pub const CORS_FILTERED: &str = "https://fetch.spec.whatwg.org/#concept-filtered-response-cors";
    /// `Access-Control-Expose-Headers`.
    pub const EXPOSE_HEADERS: &str = "https://fetch.spec.whatwg.org/#http-access-control-expose-headers";
    /// HTTP-redirect fetch.
    pub const REDIRECT_FETCH: &str = "https://fetch.spec.whatwg.org/#http-redirect-fetch";
    /// A response's location URL.
    pub const LOCATION_URL: &str = "https://fetch.spec.whatwg.org/#concept-response-location-url";
    /// A request's redirect mode.
    pub const REDIRECT_MODE: &str = "https://fetch.spec.whatwg.org/#concept-request-redirect-mode";
    /// Opaque-redirect filtered responses (`redirect: "manual"`).
    pub const OPAQUE_REDIRECT: &str = "https://fetch.spec.whatwg.org/#concept-filtered-response-opaque-redirect";
    /// A request's redirect-taint (the tainted origin).
    pub const REDIRECT_TAINT: &str = "https://fetch.spec.whatwg.org/#concept-request-tainted-origin";
    /// Serializing a request origin (`null` once tainted).
    pub const SERIALIZE_REQUEST_ORIGIN: &str = "https://fetch.spec.whatwg.org/#serializing-a-request-origin";
    /// Opaque origins (sandboxed and `data:` documents).
    pub const OPAQUE_ORIGIN: &str = "https://html.spec.whatwg.org/multipage/browsers.html#concept-origin-opaque";
    /// Local Network Access: the check on a fetch.
    pub const LOCAL_NETWORK_ACCESS: &str = "https://wicg.github.io/local-network-access/#integration-fetch";
    /// Local Network Access: IP address spaces.
    pub const ADDRESS_SPACE: &str = "https://wicg.github.io/local-network-access/#ip-address-space";
}
