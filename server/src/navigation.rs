//! The navigation guard: routes that echo the request into their answer
//! serve `fetch()` requests only, never a page.
//!
//! A replay URL scripts its own status, headers and body, so without this
//! guard a crafted link (`/replay/x?…&h=Content-Type:text/html&b=<script>…`)
//! would be a page on this server's origin: any site the user visits while
//! the server runs could navigate the user there and run script on
//! `localhost:8080`, reading and setting the cookies of every other app on
//! `localhost` (cookies ignore ports). The same goes, less directly, for
//! `/policy/` (its 403 body echoes the origin) and `/log/` (it echoes what
//! was logged).
//!
//! So a *navigation* ([`is_navigation`]) to a guarded route gets a plain-text
//! 403 ([`refusal`]) and never reaches the route; every other request (every
//! `fetch()`, preflights included) reaches it untouched, so a replay stays
//! byte-exact for the requests the verify command compares. The guard adds no
//! header to the answers it lets through.
//!
//! # Applying it
//!
//! [`FetchOnlyLayer`] is a `route_layer`: in `app()` the scripted routes form
//! one router with `.route_layer(navigation::FetchOnlyLayer)`, so a new
//! scripted route (such as a future `/probe`) is guarded by adding it to that
//! router. A route built elsewhere can take it on its own:
//! `.route("/probe", get(probe).route_layer(FetchOnlyLayer))`, or
//! `.route_service("/probe", FetchOnlyLayer.layer(service))`. As a
//! `route_layer` it sees the route's template ([`MatchedPath`]) and names it
//! in the refusal; requests that match no route (404) are not its business.
//!
//! A refused navigation is not logged in the run log: the route never sees it.
//!
//! One limit: the guard works on requests that reach the server. A replay
//! may script `Cache-Control`, so a browser could in principle serve a
//! cached scripted answer to a later navigation without asking; browsers key
//! their HTTP cache by top-level site and frame (and Chromium also by
//! credentials mode, which differs between a default `fetch()` and a
//! navigation), which keeps another site's fetches out of a navigation's way.

use std::convert::Infallible;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use axum::extract::{MatchedPath, Request};
use axum::http::header::{ACCEPT, CACHE_CONTROL, CONTENT_TYPE, X_CONTENT_TYPE_OPTIONS};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use tower::{Layer, Service};

/// `Sec-Fetch-Mode` values that are navigations: `navigate`, and
/// `nested-navigate`, which early Fetch Metadata drafts (and the Chromium
/// versions that shipped them, 76 to 79) sent for frame navigations before
/// the mode became `navigate` with `Sec-Fetch-Dest: iframe`.
const NAVIGATION_MODES: &[&str] = &["navigate", "nested-navigate"];

/// `Sec-Fetch-Dest` values whose answer the browser renders as a document:
/// `document`, `iframe`, `frame`, `embed`, `object`, and `fencedframe`
/// (Chromium's fenced frames; they also send `Sec-Fetch-Mode: navigate`, so
/// listing it only makes the rule independent of the mode).
const DOCUMENT_DESTINATIONS: &[&str] = &["document", "iframe", "frame", "embed", "object", "fencedframe"];

/// <https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-mode-header>
static SEC_FETCH_MODE: HeaderName = HeaderName::from_static("sec-fetch-mode");
/// <https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-dest-header>
static SEC_FETCH_DEST: HeaderName = HeaderName::from_static("sec-fetch-dest");

/// Whether a request with `headers` is a navigation: its answer would become
/// a document (a page, a frame, an embedded object) rather than data handed
/// to a script.
///
/// A navigation is:
/// 1. `Sec-Fetch-Mode: navigate` (or `nested-navigate`, see
///    [`NAVIGATION_MODES`]); or
/// 2. `Sec-Fetch-Dest` one of `document`, `iframe`, `frame`, `embed`,
///    `object` (or `fencedframe`); or
/// 3. with no `Sec-Fetch-*` header at all (a browser from before Fetch
///    Metadata, or not a browser), an `Accept` that contains `text/html`:
///    every browser asks for HTML when it navigates, and `fetch()` sends
///    `*/*` unless a script says otherwise.
///
/// Decisions:
/// - Values compare ASCII case-insensitively and after trimming spaces, and
///   a value holding a comma-separated list counts if any item matches.
///   Browsers send these lower-case tokens alone (and Structured Fields
///   tokens are case-sensitive, so `Navigate` is strictly no token of the
///   spec), but the `Sec-` headers are forbidden request headers: only the
///   browser sets them, and no `fetch()` ever sends any spelling of these
///   values, so reading them loosely refuses nothing that should pass and
///   fails closed on anything odd. A repeated header counts if any line
///   matches, for the same reason. Media types are case-insensitive, so
///   `Accept: TEXT/HTML` counts too.
/// - Rule 3 applies only when no `Sec-Fetch-*` header is present: a modern
///   browser's `fetch()` may ask for `text/html` (a scenario may set
///   `Accept`), and its `Sec-Fetch-Mode: cors` already says it is no
///   navigation. Without Fetch Metadata, a script can send any `Accept`, so a
///   command-line client that asks for HTML is refused; it gets the scripted
///   answer with `Sec-Fetch-Mode: cors` (or any `Accept` without HTML).
/// - A gap of rule 3: a browser without Fetch Metadata (Safari before 16.4,
///   Firefox before 90) may load `<embed>` or `<object>` with `Accept: */*`;
///   the guard cannot tell that from a `fetch()`.
pub fn is_navigation(headers: &HeaderMap) -> bool {
    let lists_any = |value: &HeaderValue, wanted: &[&str]| {
        value.as_bytes().split(|b| *b == b',').any(|item| {
            let item = item.trim_ascii();
            wanted.iter().any(|w| item.eq_ignore_ascii_case(w.as_bytes()))
        })
    };
    // One pass over the head: this runs on every request to a guarded route.
    let (mut fetch_metadata, mut asks_for_html) = (false, false);
    for (name, value) in headers {
        if *name == ACCEPT {
            asks_for_html |= contains_ignore_ascii_case(value.as_bytes(), b"text/html");
        } else if name.as_str().starts_with("sec-fetch-") {
            fetch_metadata = true;
            if (*name == SEC_FETCH_MODE && lists_any(value, NAVIGATION_MODES))
                || (*name == SEC_FETCH_DEST && lists_any(value, DOCUMENT_DESTINATIONS))
            {
                return true;
            }
        }
    }
    !fetch_metadata && asks_for_html
}

/// Whether `haystack` contains `needle` (lower-case), ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|window| window.eq_ignore_ascii_case(needle))
}

/// The refusal's one sentence, naming `route` (a route template such as
/// `/replay/{run}`, never request data).
pub fn refusal(route: &str) -> String {
    format!(
        "{route} serves fetch() requests only: a navigation to it is refused, so that no scripted answer runs as a page on this server's origin."
    )
}

/// The 403 a navigation gets: plain text, not to be sniffed as anything
/// else, not to be cached.
fn refused(route: &str) -> Response {
    let mut response = (StatusCode::FORBIDDEN, refusal(route)).into_response();
    let headers = response.headers_mut();
    headers.insert(CONTENT_TYPE, HeaderValue::from_static("text/plain; charset=utf-8"));
    headers.insert(X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

/// Refuses navigations to the routes it wraps (see the [module](self) docs
/// for how to apply it).
#[derive(Clone, Copy, Debug, Default)]
pub struct FetchOnlyLayer;

impl<S> Layer<S> for FetchOnlyLayer {
    type Service = FetchOnly<S>;

    fn layer(&self, inner: S) -> FetchOnly<S> {
        FetchOnly { inner }
    }
}

/// The service [`FetchOnlyLayer`] wraps around a route.
#[derive(Clone, Debug)]
pub struct FetchOnly<S> {
    inner: S,
}

impl<S> Service<Request> for FetchOnly<S>
where
    S: Service<Request, Response = Response, Error = Infallible>,
    S::Future: Unpin,
{
    type Response = Response;
    type Error = Infallible;
    type Future = FetchOnlyFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request) -> FetchOnlyFuture<S::Future> {
        if is_navigation(request.headers()) {
            let route = request.extensions().get::<MatchedPath>().map_or("this route", MatchedPath::as_str);
            return FetchOnlyFuture { state: FetchOnlyState::Refused(Some(refused(route))) };
        }
        FetchOnlyFuture { state: FetchOnlyState::Allowed(self.inner.call(request)) }
    }
}

/// The response future of [`FetchOnly`]: the refusal, or the route's own
/// future untouched (no allocation either way).
pub struct FetchOnlyFuture<F> {
    state: FetchOnlyState<F>,
}

enum FetchOnlyState<F> {
    Refused(Option<Response>),
    Allowed(F),
}

impl<F> std::fmt::Debug for FetchOnlyFuture<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("FetchOnlyFuture")
    }
}

impl<F> Future for FetchOnlyFuture<F>
where
    F: Future<Output = Result<Response, Infallible>> + Unpin,
{
    type Output = Result<Response, Infallible>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        match &mut self.get_mut().state {
            FetchOnlyState::Allowed(future) => Pin::new(future).poll(cx),
            // Polled again after it answered: a caller's bug, answered, not a panic.
            FetchOnlyState::Refused(response) => {
                Poll::Ready(Ok(response.take().unwrap_or_else(|| StatusCode::INTERNAL_SERVER_ERROR.into_response())))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs.iter().map(|(n, v)| (HeaderName::from_static(n), HeaderValue::from_static(v))).collect()
    }

    #[test]
    fn navigations_by_each_rule_in_any_case() {
        for pairs in [
            &[("sec-fetch-mode", "navigate")][..],
            &[("sec-fetch-mode", "NAVIGATE")],
            &[("sec-fetch-mode", " nested-navigate ")],
            &[("sec-fetch-mode", "navigate"), ("sec-fetch-mode", "cors")],
            &[("sec-fetch-mode", "cors, navigate")],
            &[("sec-fetch-mode", "no-cors"), ("sec-fetch-dest", "iframe")],
            &[("sec-fetch-dest", "Document")],
            &[("sec-fetch-dest", "frame")],
            &[("sec-fetch-dest", "embed")],
            &[("sec-fetch-dest", "object")],
            &[("sec-fetch-dest", "fencedframe")],
            &[("accept", "text/html,application/xhtml+xml,*/*;q=0.8")],
            &[("accept", "Text/HTML")],
            &[("accept", "*/*"), ("accept", "text/html")],
        ] {
            assert!(is_navigation(&headers(pairs)), "{pairs:?}");
        }
    }

    #[test]
    fn fetches_are_not_navigations() {
        for pairs in [
            &[][..],
            &[("accept", "*/*")],
            &[("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty")],
            &[("sec-fetch-mode", "cors"), ("sec-fetch-dest", "empty"), ("accept", "text/html")],
            &[("sec-fetch-site", "cross-site"), ("accept", "text/html")],
            &[("accept", "text/html"), ("sec-fetch-site", "cross-site")],
            &[("sec-fetch-mode", "no-cors"), ("sec-fetch-dest", "image")],
            &[("sec-fetch-mode", "navigated")],
        ] {
            assert!(!is_navigation(&headers(pairs)), "{pairs:?}");
        }
    }
}
