//! Which copied headers the page's `fetch()` call set, and which the
//! browser added.
//!
//! DevTools copies every header the browser *sent*, which is the page's
//! headers plus the browser's own. A header is the browser's when:
//!
//! - `fetch()` could not have set it: a
//!   [forbidden request-header](https://fetch.spec.whatwg.org/#forbidden-request-header),
//!   decided by [`forbidden_request_header`] under the copying browser's
//!   profile (the one rule, in one place). `Origin` and `Cookie` are among
//!   them and are kept aside, as the page's origin and its cookies;
//! - or the page could have set it but the browser adds it anyway and a
//!   copy cannot tell the two apart: see [`CopyDropReason`], which names
//!   each such case. Every header left out is listed, with its reason.

use serde::Serialize;

use crate::browsers::profile::Browser;
use crate::fetch::forbidden::{ForbiddenRequestHeader, forbidden_request_header};
use crate::fetch::request::RequestMode;
use crate::http::header::HeaderName;


/// Why a copied header is not one the page's `fetch()` call set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CopyDropReason {
    /// A [forbidden request-header](https://fetch.spec.whatwg.org/#forbidden-request-header)
    /// under the copying browser's profile: `fetch()` drops it, so the
    /// browser set it (`Host`, `Connection`, `Accept-Encoding`, `Referer`,
    /// `Origin`, `Cookie`, `Sec-Fetch-*`, `sec-ch-ua*`, Chromium's
    /// `User-Agent` …).
    Forbidden(ForbiddenRequestHeader),
    /// `Accept: */*`, the value `fetch()` itself sets when the page sets no
    /// `Accept` ([fetch](https://fetch.spec.whatwg.org/#fetching), step
    /// "if request's header list does not contain `Accept`"). Any other
    /// `Accept` is kept.
    DefaultAccept,
    /// A header the browser adds to its requests and a page practically
    /// never sets: `Accept-Language` (the user's languages, added by
    /// [fetch](https://fetch.spec.whatwg.org/#fetching) when absent),
    /// `User-Agent` where it is not forbidden (Firefox sends it on every
    /// request), `Priority` (RFC 9218, Firefox and Chromium over HTTP/2+),
    /// `Upgrade-Insecure-Requests` (navigations), `Alt-Used` (Firefox, over
    /// an alternative service) and `X-Client-Data` (Chromium, to Google
    /// hosts).
    AddedByBrowser,
    /// `Pragma: no-cache` together with `Cache-Control: no-cache`: the pair
    /// the browser adds when the request's cache mode is `no-store` or
    /// `reload`, or DevTools' "Disable cache" is on
    /// ([HTTP-network-or-cache fetch](https://fetch.spec.whatwg.org/#http-network-or-cache-fetch)).
    /// Either one alone, or another value, was set by the page and is kept.
    CacheMode,
    /// `If-None-Match` or `If-Modified-Since` on a GET or HEAD: the HTTP
    /// cache revalidating a stored response
    /// ([HTTP-network-or-cache fetch](https://fetch.spec.whatwg.org/#http-network-or-cache-fetch)).
    /// On other methods they are the page's and are kept.
    Revalidation,
    /// A client hint without the `Sec-CH-` prefix (`DPR`, `Save-Data`,
    /// `Device-Memory`, `Viewport-Width`, `Width`, `RTT`, `Downlink`, `ECT`):
    /// Chromium adds them after a server opts in with `Accept-CH`. The
    /// `Sec-CH-*` hints are [`Forbidden`](Self::Forbidden) by their prefix.
    ClientHint,
}

impl CopyDropReason {
    /// Why the header is left out, for people.
    pub fn describe(&self) -> String {
        match self {
            CopyDropReason::Forbidden(_) => "a forbidden request-header: the browser sets it, fetch() cannot".to_owned(),
            CopyDropReason::DefaultAccept => "Accept: */* is what fetch() sends when the page sets none".to_owned(),
            CopyDropReason::AddedByBrowser => "the browser adds it to its requests".to_owned(),
            CopyDropReason::CacheMode => "the browser's no-cache pair (cache mode or DevTools' \"Disable cache\")".to_owned(),
            CopyDropReason::Revalidation => "the HTTP cache revalidating a stored answer".to_owned(),
            CopyDropReason::ClientHint => "a client hint the browser adds after Accept-CH".to_owned(),
        }
    }
}

impl std::fmt::Display for DroppedCopyHeader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "left out {}: {}", self.name, self.reason.describe())
    }
}

/// A copied header that the page's `fetch()` call did not set.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct DroppedCopyHeader {
    /// Its name, as written.
    pub name: String,
    /// Its value.
    pub value: String,
    /// Why it is left out.
    pub reason: CopyDropReason,
}

/// The copied headers, sorted out.
#[derive(Clone, Debug, Default)]
pub(super) struct SortedHeaders {
    /// The page's headers, in order, names as written.
    pub(super) kept: Vec<(String, String)>,
    /// The browser's.
    pub(super) dropped: Vec<DroppedCopyHeader>,
    /// The first `Origin` header's value.
    pub(super) origin: Option<String>,
    /// The `Cookie` headers' values.
    pub(super) cookies: Vec<String>,
    /// The first `Sec-Fetch-Mode` header's value.
    pub(super) sec_fetch_mode: Option<String>,
    /// The first `Sec-Fetch-Site` header's value.
    pub(super) sec_fetch_site: Option<String>,
    /// The first `Referer` header's value.
    pub(super) referer: Option<String>,
    /// Whether an `Access-Control-Request-Method` header was sent.
    pub(super) has_acrm: bool,
}

/// Which browser made the copy, from the headers it sent: its
/// `User-Agent` (`Firefox/…`, or `Chrome/…` for every Chromium-based
/// browser), else any `sec-ch-ua*` client hint (Chromium only).
pub(super) fn detect_browser(lines: &[(String, String)]) -> Option<Browser> {
    let ua = lines.iter().find(|(name, _)| name.eq_ignore_ascii_case("user-agent")).map(|(_, value)| value.as_str());
    match ua {
        Some(ua) if ua.contains("Firefox/") => Some(Browser::Firefox),
        Some(ua) if ua.contains("Chrome/") || ua.contains("Chromium/") => Some(Browser::Chrome),
        _ if lines.iter().any(|(name, _)| starts_with_ignore_case(name, "sec-ch-ua")) => Some(Browser::Chrome),
        _ => None,
    }
}

/// Sorts the copied header lines of a request with `method` made by
/// `browser` (the standard's rules when unknown).
pub(super) fn sort(lines: Vec<(String, String)>, method: &str, browser: Option<Browser>) -> SortedHeaders {
    let profile = browser.unwrap_or(Browser::Spec).profile();
    let is = |(line_name, line_value): &(String, String), name: &str, value: &str| {
        line_name.eq_ignore_ascii_case(name) && line_value.eq_ignore_ascii_case(value)
    };
    let cache_pair =
        lines.iter().any(|l| is(l, "pragma", "no-cache")) && lines.iter().any(|l| is(l, "cache-control", "no-cache"));
    let get_or_head = ["GET", "HEAD"].iter().any(|m| method.eq_ignore_ascii_case(m));

    let mut out = SortedHeaders::default();
    for line in lines {
        let (raw_name, value) = line;
        // A name that is not a token stays: `fetch()` would throw on it, and
        // building the request reports that.
        let Ok(name) = HeaderName::parse(&raw_name) else {
            out.kept.push((raw_name, value));
            continue;
        };
        let reason = if let Some(rule) = forbidden_request_header(&name, &value, profile) {
            let first = |slot: &mut Option<String>| {
                slot.get_or_insert_with(|| value.clone());
            };
            match name.as_str() {
                "origin" => first(&mut out.origin),
                "cookie" => out.cookies.push(value.clone()),
                "sec-fetch-mode" => first(&mut out.sec_fetch_mode),
                "sec-fetch-site" => first(&mut out.sec_fetch_site),
                "referer" => first(&mut out.referer),
                "access-control-request-method" => out.has_acrm = true,
                _ => {}
            }
            Some(CopyDropReason::Forbidden(rule))
        } else {
            match name.as_str() {
                "accept" if value == "*/*" => Some(CopyDropReason::DefaultAccept),
                "accept-language"
                | "user-agent"
                | "priority"
                | "upgrade-insecure-requests"
                | "alt-used"
                | "x-client-data" => Some(CopyDropReason::AddedByBrowser),
                "pragma" | "cache-control" if cache_pair && value.eq_ignore_ascii_case("no-cache") => {
                    Some(CopyDropReason::CacheMode)
                }
                "if-none-match" | "if-modified-since" if get_or_head => Some(CopyDropReason::Revalidation),
                "dpr" | "save-data" | "device-memory" | "viewport-width" | "width" | "rtt" | "downlink" | "ect" => {
                    Some(CopyDropReason::ClientHint)
                }
                _ => None,
            }
        };
        match reason {
            Some(reason) => out.dropped.push(DroppedCopyHeader { name: raw_name, value, reason }),
            None => out.kept.push((raw_name, value)),
        }
    }
    out
}

/// The request's mode from its `Sec-Fetch-Mode` value, when it is one a
/// `fetch()` call has.
///
/// <https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-mode-header>
pub(super) fn mode_from_sec_fetch_mode(value: &str) -> Option<RequestMode> {
    match value {
        "cors" => Some(RequestMode::Cors),
        "no-cors" => Some(RequestMode::NoCors),
        "same-origin" => Some(RequestMode::SameOrigin),
        _ => None,
    }
}

fn starts_with_ignore_case(text: &str, prefix: &str) -> bool {
    text.get(..prefix.len()).is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}
