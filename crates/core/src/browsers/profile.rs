//! Browser profiles: where Chromium, Firefox and the Fetch standard differ,
//! each difference one named, documented switch.
//!
//! The switches come from the recordings under `testdata/scenarios/` (what
//! Chromium 156 and Firefox 153 really did) and from the browsers' sources;
//! see `../shared/reference/browsers.md`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// Which browser a decision simulates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Browser {
    /// Chromium 156.
    Chrome,
    /// Firefox 153 ESR.
    Firefox,
    /// WebKit as in WebKitGTK 2.50 (the engine behind Safari 26).
    Webkit,
    /// The Fetch standard as written (`fetch.bs`). Errors are named with
    /// Chromium's vocabulary, as the standard names none.
    Spec,
}

impl Browser {
    /// Every profile, in display order.
    pub const ALL: [Browser; 4] = [Browser::Chrome, Browser::Firefox, Browser::Webkit, Browser::Spec];

    /// The profile's switches.
    pub fn profile(self) -> &'static Profile {
        match self {
            Browser::Chrome => &CHROME,
            Browser::Firefox => &FIREFOX,
            Browser::Webkit => &WEBKIT,
            Browser::Spec => &SPEC,
        }
    }

    /// `chrome`, `firefox` or `spec`.
    pub fn as_str(self) -> &'static str {
        match self {
            Browser::Chrome => "chrome",
            Browser::Firefox => "firefox",
            Browser::Webkit => "webkit",
            Browser::Spec => "spec",
        }
    }
}

impl fmt::Display for Browser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A browser name that is not `chrome`, `firefox` or `spec`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownBrowser(pub String);

impl fmt::Display for UnknownBrowser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown browser {:?} (expected chrome, firefox, webkit or spec)", self.0)
    }
}

impl std::error::Error for UnknownBrowser {}

impl FromStr for Browser {
    type Err = UnknownBrowser;

    fn from_str(s: &str) -> Result<Browser, UnknownBrowser> {
        match s {
            "chrome" | "chromium" => Ok(Browser::Chrome),
            "firefox" => Ok(Browser::Firefox),
            "webkit" | "safari" => Ok(Browser::Webkit),
            "spec" => Ok(Browser::Spec),
            other => Err(UnknownBrowser(other.to_owned())),
        }
    }
}

/// What a page-set `User-Agent` request header does.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum UserAgentHeader {
    /// Treated as a forbidden request-header: `fetch()` drops it silently
    /// (Chromium; the standard stopped forbidding it).
    Dropped,
    /// An ordinary, non-safelisted header: it needs a preflight and is sent.
    Unsafe,
}

/// Which value the 128-byte limit of the safelist measures when a page sets
/// the same header twice.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RepeatedRequestHeaders {
    /// Each value on its own (the standard, Firefox).
    Separate,
    /// The combined value `a, b` (Chromium merges repeated request headers
    /// before its network stack sees them).
    Combined,
}

/// Whether `Access-Control-Allow-Headers: *` covers `Authorization`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AuthorizationUnderWildcard {
    /// Never: it must be listed by name (the standard's
    /// [CORS non-wildcard request-header name](https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name)).
    NotCovered,
    /// Covered, silently (Chromium 156 as recorded).
    Covered,
    /// Covered, with a console warning (Firefox).
    CoveredWithWarning,
}

/// When a redirect answer to a preflight is reported.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreflightRedirect {
    /// Before any other check (Chromium: `PreflightDisallowedRedirect` even
    /// without `Access-Control-Allow-Origin`).
    BeforeCorsCheck,
    /// After the CORS check of the 3xx response (Firefox).
    AfterCorsCheck,
    /// Not at all: a 3xx is just not an ok status (the standard's
    /// CORS-preflight fetch does not follow redirects).
    NotOkStatus,
}

/// Which of the preflight's first two checks comes first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum PreflightCheckOrder {
    /// The CORS check, then the ok status (the standard, Chromium, Firefox):
    /// a 404 without `Access-Control-Allow-Origin` fails on the origin.
    CorsCheckFirst,
    /// The ok status, then the CORS check (WebKit): a 404 or a 3xx without
    /// `Access-Control-Allow-Origin` fails on the status.
    StatusFirst,
}

/// In which order the preflight's allow-lists are parsed and matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AllowListOrder {
    /// Parse `-Methods` and `-Headers`, then match the method, then the
    /// headers (the standard, Chromium).
    ParseBothThenMatch,
    /// Parse and match `-Methods`, then parse and match `-Headers` (Firefox).
    MethodsThenHeaders,
}

/// In which order request headers are checked against
/// `Access-Control-Allow-Headers`, which decides the one an error names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderCheckOrder {
    /// Sorted, as the CORS-unsafe request-header names are (the standard, Firefox).
    Sorted,
    /// The order the page set them in (Chromium).
    RequestOrder,
}

/// How `Access-Control-Max-Age` is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaxAgeSyntax {
    /// `delta-seconds` per the standard: digits only; anything else (or two
    /// headers) is failure, which means the default.
    DeltaSeconds,
    /// Chromium's `base::StringToInt64`: an optional sign and digits, no
    /// spaces. Unparsable (or overflowing) means the default; negative means 0.
    SignedInteger,
    /// Firefox: digits only; any other byte means "do not cache"; 0 too.
    DigitsOrNoCache,
}

/// How the preflight cache stores and matches entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CacheModel {
    /// The standard: one entry per (origin, URL, credentials, method or
    /// header name); a later request may use a credentialed entry.
    SpecEntries,
    /// Chromium: one entry per (origin, URL) that a new preflight replaces;
    /// it remembers whether it was credentialed. `*` works from the cache.
    ChromiumPerUrl,
    /// Firefox: keyed by credentials flag, origin and URL; tokens merge, each
    /// with its own expiry; `*` is stored literally, so it never hits. `GET`
    /// and `POST` always pass.
    FirefoxTokens,
}

/// Which failures [clear the cache entries](https://fetch.spec.whatwg.org/#concept-cache-clear)
/// of a URL.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ClearCache {
    /// None (Chromium keeps its entries until they expire or fall short).
    Never,
    /// Failures of requests that took the preflight path (the standard: main
    /// fetch clears on its CORS-with-preflight branch only).
    PreflightedRequests,
    /// Every CORS failure, preflight or actual response (Firefox).
    AnyRequest,
}

/// Whether a later hop of a redirected request gets a preflight of its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectPreflight {
    /// When the hop's own request needs one (the standard's main fetch,
    /// Chromium): a 303 that turns a preflighted `PUT` into a `GET` goes on
    /// without one (`redir-303-put`).
    WhenNeeded,
    /// On every later hop once the request needed one (Firefox, WebKit: the
    /// `GET` after `redir-303-put`'s 303 is preflighted too).
    OncePreflighted,
}

/// The `Origin` a preflight carries on a hop after a redirect tainted the
/// request's origin.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectPreflightOrigin {
    /// The serialized request origin, `null` once tainted (the standard,
    /// Chromium, WebKit: `redir-307-preflight-cross`).
    RequestOrigin,
    /// The page's own origin, even after a tainting redirect, while the
    /// request itself says `null` (Firefox: `redir-307-preflight-cross`).
    PageOrigin,
}

/// A redirect to a URL with a username or password that the standard lets
/// through (a same-origin request, `no-cors`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectCredentials {
    /// Followed (the standard, Firefox, WebKit).
    Follow,
    /// Aborted: `net::ERR_ABORTED`, a network error with no console line
    /// (Chromium blocks subresource URLs with credentials:
    /// `redir-userinfo-same-origin`, `redir-userinfo-no-cors`).
    Abort,
}

/// How a fetch refused by a redirect rule is reported: `redirect: "error"`,
/// a 21st redirect, a `Location` that is not HTTP(S), credentials in it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RefusedRedirect {
    /// A network error (the standard; Chromium, with its `net::ERR_*` and
    /// `Failed to load resource` line, `RedirectContainsCredentials` aside,
    /// which is a CORS error: `redir-mode-error`, `redir-to-data-url`).
    NetworkError,
    /// A CORS error, `CORSDidNotSucceed`, when the request is in CORS (the
    /// channel's CORS listener logs it); a network error with no line
    /// otherwise, and for `redirect: "error"`, which the fetch cancels
    /// silently (Firefox: `redir-to-data-url`, `redir-userinfo-cross`,
    /// `redir-mode-error`).
    CorsErrorInCors,
    /// An access-control failure with its own message, always a CORS error
    /// (WebKit: `redir-mode-error`, `redir-to-data-url`).
    AccessControl,
}

/// How a request into a more private address space is gated (Local Network
/// Access).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LocalNetworkGate {
    /// Not at all (WebKit: every `lna-*` recording behaves as without an
    /// environment).
    None,
    /// Refused at once unless the permission was granted: no prompt in a
    /// headless browser (Chromium 156: `LocalNetworkAccessPermissionDenied`;
    /// the standard profile: a permission not granted is denied).
    Deny,
    /// A permission prompt, which nobody answers headless: the fetch stays
    /// pending until `network.lna.prompt.timeout` (Firefox 153:
    /// `lna-public-to-loopback-get`, `lna-ff-prompt-timeout`).
    Prompt,
}

/// How a browser identifies itself on the wire: the headers it adds to every
/// `fetch()` request besides the CORS ones (measured from headless Chromium
/// 156 and Firefox 153.8 ESR on 2026-12-03: a page on `localhost:5050`
/// fetching `localhost:8080`, heads read off the server).
#[derive(Clone, Debug, Serialize)]
pub struct WireIdentity {
    /// `User-Agent` (the desktop browser's, not the headless one's).
    pub user_agent: &'static str,
    /// `Accept-Language` when the page set none.
    pub accept_language: &'static str,
    /// `Accept-Encoding`.
    pub accept_encoding: &'static str,
    /// The user-agent client hints sent to a potentially trustworthy
    /// origin (Chromium's `sec-ch-ua*`; none for the others).
    pub client_hints: &'static [(&'static str, &'static str)],
    /// `Priority` on `fetch()` requests (Firefox's `u=4`), if any.
    pub priority: Option<&'static str>,
    /// Where the header block goes: Chromium puts `Host` and `Connection`
    /// first, Firefox `Connection` after `Origin` (only looks; servers
    /// must not care, and comparisons ignore order).
    pub order: HeaderOrder,
}

/// The order a browser writes its request headers in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum HeaderOrder {
    /// Host, Connection, Content-Length, the page's headers, client hints,
    /// Accept, Origin, Sec-Fetch-*, Referer, Accept-Encoding,
    /// Accept-Language, Cookie.
    Chromium,
    /// Host, User-Agent, Accept, Accept-Language, Accept-Encoding, Referer,
    /// the page's headers, Content-Length, Origin, Connection, Cookie,
    /// Sec-Fetch-*, Priority.
    Firefox,
}

/// Every place a browser departs from another, as data.
#[derive(Clone, Debug, Serialize)]
pub struct Profile {
    /// Which browser.
    pub browser: Browser,
    /// Human name and version.
    pub name: &'static str,
    /// A page-set `User-Agent`.
    pub user_agent: UserAgentHeader,
    /// Names this browser forbids beyond the standard's list.
    pub extra_forbidden_request_headers: &'static [&'static str],
    /// Whether Chromium's extra safelisted request headers are: the client
    /// hints (`DPR`, `Save-Data`, `Device-Memory`, `Viewport-Width`, `Width`,
    /// `RTT`, `Downlink`, `ECT`) when their values are valid, and `Intervention`.
    pub client_hints_safelisted: bool,
    /// What the 128-byte limit measures for repeated request headers.
    pub repeated_request_headers: RepeatedRequestHeaders,
    /// The total size of safelisted values above which they all need a
    /// preflight (1024 in the standard and Chromium, none in Firefox).
    pub safelist_total_limit: Option<usize>,
    /// `Authorization` under `Access-Control-Allow-Headers: *`.
    pub authorization_under_wildcard: AuthorizationUnderWildcard,
    /// A redirect answer to a preflight.
    pub preflight_redirect: PreflightRedirect,
    /// The preflight's status check before or after its CORS check.
    pub preflight_check_order: PreflightCheckOrder,
    /// Allow-list parse and match order.
    pub allow_list_order: AllowListOrder,
    /// Which disallowed header an error names first.
    pub header_check_order: HeaderCheckOrder,
    /// Max-Age syntax.
    pub max_age_syntax: MaxAgeSyntax,
    /// Cache time when Max-Age is absent (or unparsable, where that means
    /// the default), in seconds.
    pub max_age_default: u64,
    /// The longest cache time, in seconds; `None`: no limit imposed.
    pub max_age_cap: Option<u64>,
    /// How the preflight cache works.
    pub cache_model: CacheModel,
    /// Which failed CORS requests clear the preflight cache entries of their
    /// URL.
    pub clear_cache_on_failure: ClearCache,
    /// The most entries the preflight cache holds (Chromium 1024, Firefox 100).
    pub cache_capacity: usize,
    /// Whether a later hop of a redirected request is preflighted.
    pub redirect_preflight: RedirectPreflight,
    /// The `Origin` of a preflight after a tainting redirect.
    pub redirect_preflight_origin: RedirectPreflightOrigin,
    /// A redirect to a URL with credentials the standard lets through.
    pub redirect_credentials: RedirectCredentials,
    /// How a fetch refused by a redirect rule is reported.
    pub refused_redirect: RefusedRedirect,
    /// Whether a rejected fetch reports Chromium's network error text
    /// (`net::ERR_FAILED`, DevTools' `loadingFailed.errorText`): the
    /// recordings' `net_error`, `null` in the other browsers.
    pub net_errors: bool,
    /// Local Network Access.
    pub local_network: LocalNetworkGate,
    /// Whether a page in the `local` space needs the permission to reach
    /// `loopback` (the draft; Firefox, which gates any step towards the
    /// machine); Chromium lets it through (`../shared/reference/browsers.md`,
    /// Local Network Access; not recorded).
    pub local_to_loopback_gated: bool,
    /// The headers it adds on the wire.
    pub wire: WireIdentity,
}

/// Chromium 156, as recorded.
pub static CHROME: Profile = Profile {
    browser: Browser::Chrome,
    name: "Chromium 156",
    user_agent: UserAgentHeader::Dropped,
    extra_forbidden_request_headers: &["access-control-request-private-network"],
    client_hints_safelisted: true,
    repeated_request_headers: RepeatedRequestHeaders::Combined,
    safelist_total_limit: Some(1024),
    authorization_under_wildcard: AuthorizationUnderWildcard::Covered,
    preflight_redirect: PreflightRedirect::BeforeCorsCheck,
    preflight_check_order: PreflightCheckOrder::CorsCheckFirst,
    allow_list_order: AllowListOrder::ParseBothThenMatch,
    header_check_order: HeaderCheckOrder::RequestOrder,
    max_age_syntax: MaxAgeSyntax::SignedInteger,
    max_age_default: 5,
    max_age_cap: Some(7200),
    cache_model: CacheModel::ChromiumPerUrl,
    clear_cache_on_failure: ClearCache::Never,
    cache_capacity: 1024,
    redirect_preflight: RedirectPreflight::WhenNeeded,
    redirect_preflight_origin: RedirectPreflightOrigin::RequestOrigin,
    redirect_credentials: RedirectCredentials::Abort,
    refused_redirect: RefusedRedirect::NetworkError,
    net_errors: true,
    local_network: LocalNetworkGate::Deny,
    local_to_loopback_gated: false,
    wire: WireIdentity {
        user_agent: "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36",
        accept_language: "en-US,en;q=0.9",
        accept_encoding: "gzip, deflate, br, zstd",
        client_hints: &[
            ("sec-ch-ua-platform", "\"Linux\""),
            ("sec-ch-ua", "\"Not:A-Brand\";v=\"8\", \"Chromium\";v=\"156\""),
            ("sec-ch-ua-mobile", "?0"),
        ],
        priority: None,
        order: HeaderOrder::Chromium,
    },
};

/// Firefox 153 ESR, as recorded.
pub static FIREFOX: Profile = Profile {
    browser: Browser::Firefox,
    name: "Firefox 153",
    user_agent: UserAgentHeader::Unsafe,
    extra_forbidden_request_headers: &[],
    client_hints_safelisted: false,
    repeated_request_headers: RepeatedRequestHeaders::Separate,
    safelist_total_limit: None,
    authorization_under_wildcard: AuthorizationUnderWildcard::CoveredWithWarning,
    preflight_redirect: PreflightRedirect::AfterCorsCheck,
    preflight_check_order: PreflightCheckOrder::CorsCheckFirst,
    allow_list_order: AllowListOrder::MethodsThenHeaders,
    header_check_order: HeaderCheckOrder::Sorted,
    max_age_syntax: MaxAgeSyntax::DigitsOrNoCache,
    max_age_default: 5,
    max_age_cap: Some(86_400),
    cache_model: CacheModel::FirefoxTokens,
    clear_cache_on_failure: ClearCache::AnyRequest,
    cache_capacity: 100,
    redirect_preflight: RedirectPreflight::OncePreflighted,
    redirect_preflight_origin: RedirectPreflightOrigin::PageOrigin,
    redirect_credentials: RedirectCredentials::Follow,
    refused_redirect: RefusedRedirect::CorsErrorInCors,
    net_errors: false,
    local_network: LocalNetworkGate::Prompt,
    local_to_loopback_gated: true,
    wire: WireIdentity {
        user_agent: "Mozilla/5.0 (X11; Linux x86_64; rv:153.0) Gecko/20100101 Firefox/153.0",
        accept_language: "en-US,en;q=0.9",
        accept_encoding: "gzip, deflate, br, zstd",
        client_hints: &[],
        priority: Some("u=4"),
        order: HeaderOrder::Firefox,
    },
};

/// WebKit as recorded in WebKitGTK 2.50.6 (Safari 26's WebCore): see
/// `../shared/reference/browsers.md`, WebKit section.
pub static WEBKIT: Profile = Profile {
    browser: Browser::Webkit,
    name: "WebKit 2.50 (Safari 26)",
    // A page-set User-Agent never causes a preflight (as in Chromium).
    user_agent: UserAgentHeader::Dropped,
    extra_forbidden_request_headers: &[],
    // Save-Data, DPR, Device-Memory, Width need a preflight, as in Firefox.
    client_hints_safelisted: false,
    // Repeated values are combined before the 128-byte check, as in Chromium.
    repeated_request_headers: RepeatedRequestHeaders::Combined,
    safelist_total_limit: Some(1024),
    // Authorization under `*` passes, with no warning at all.
    authorization_under_wildcard: AuthorizationUnderWildcard::Covered,
    // Any non-2xx preflight, 3xx included, is "not successful".
    preflight_redirect: PreflightRedirect::NotOkStatus,
    // ... and the status is checked before the allow-origin.
    preflight_check_order: PreflightCheckOrder::StatusFirst,
    allow_list_order: AllowListOrder::ParseBothThenMatch,
    // Only one disallowed header per recording: the page's order, as
    // WebKit's HTTPHeaderMap keeps it (not observed with two).
    header_check_order: HeaderCheckOrder::RequestOrder,
    // A non-numeric value gets the default, as in Chromium.
    max_age_syntax: MaxAgeSyntax::SignedInteger,
    max_age_default: 5,
    // CrossOriginPreflightResultCache caps at 600 s (WebCore's source).
    max_age_cap: Some(600),
    cache_model: CacheModel::ChromiumPerUrl,
    clear_cache_on_failure: ClearCache::Never,
    // No limit in WebCore's cache; a limit this high is never reached.
    cache_capacity: 1024,
    // Safari's identity (WebKitGTK's own differs in its platform token);
    // header order as Chromium's, not measured.
    redirect_preflight: RedirectPreflight::OncePreflighted,
    redirect_preflight_origin: RedirectPreflightOrigin::RequestOrigin,
    redirect_credentials: RedirectCredentials::Follow,
    refused_redirect: RefusedRedirect::AccessControl,
    net_errors: false,
    local_network: LocalNetworkGate::None,
    local_to_loopback_gated: false,
    wire: WireIdentity {
        user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/26.0 Safari/605.1.15",
        accept_language: "en-US,en;q=0.9",
        accept_encoding: "gzip, deflate, br",
        client_hints: &[],
        priority: None,
        order: HeaderOrder::Chromium,
    },
};

/// The Fetch standard.
pub static SPEC: Profile = Profile {
    browser: Browser::Spec,
    name: "Fetch standard",
    user_agent: UserAgentHeader::Unsafe,
    extra_forbidden_request_headers: &[],
    client_hints_safelisted: false,
    repeated_request_headers: RepeatedRequestHeaders::Separate,
    safelist_total_limit: Some(1024),
    authorization_under_wildcard: AuthorizationUnderWildcard::NotCovered,
    preflight_redirect: PreflightRedirect::NotOkStatus,
    preflight_check_order: PreflightCheckOrder::CorsCheckFirst,
    allow_list_order: AllowListOrder::ParseBothThenMatch,
    header_check_order: HeaderCheckOrder::Sorted,
    max_age_syntax: MaxAgeSyntax::DeltaSeconds,
    max_age_default: 5,
    max_age_cap: None,
    cache_model: CacheModel::SpecEntries,
    clear_cache_on_failure: ClearCache::PreflightedRequests,
    cache_capacity: 1024,
    // The standard names no user agent: a plain one, and no client hints.
    redirect_preflight: RedirectPreflight::WhenNeeded,
    redirect_preflight_origin: RedirectPreflightOrigin::RequestOrigin,
    redirect_credentials: RedirectCredentials::Follow,
    refused_redirect: RefusedRedirect::NetworkError,
    // Named in Chromium's vocabulary, as its errors are.
    net_errors: true,
    local_network: LocalNetworkGate::Deny,
    local_to_loopback_gated: true,
    wire: WireIdentity {
        user_agent: "Mozilla/5.0 (compatible; corslab; Fetch standard profile)",
        accept_language: "en-US,en;q=0.9",
        accept_encoding: "gzip, deflate, br, zstd",
        client_hints: &[],
        priority: None,
        order: HeaderOrder::Chromium,
    },
};
