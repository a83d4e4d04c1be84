//! Headers a page may not set, and response headers it may never read.
//!
//! <https://fetch.spec.whatwg.org/#forbidden-request-header>

use serde::Serialize;

use crate::http::header::{HeaderName, KnownSet};
use crate::http::method::is_forbidden_method;
use crate::browsers::profile::{Profile, UserAgentHeader};
use crate::http::token::get_decode_split;

/// Why `fetch()` silently drops a request header.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ForbiddenRequestHeader {
    /// One of the names the browser keeps control of (`Cookie`, `Host`,
    /// `Origin`, `Referer`, ...).
    Listed,
    /// A name starting with `proxy-` or `sec-`.
    Prefix {
        /// The prefix.
        prefix: &'static str,
    },
    /// `X-HTTP-Method(-Override)` / `X-Method-Override` naming a forbidden method.
    MethodOverride {
        /// The forbidden method named.
        method: String,
    },
    /// `User-Agent`, which Chromium still drops though the standard allows it.
    UserAgent,
    /// Another name only this browser forbids.
    BrowserSpecific,
}

/// The names of the [forbidden request-header](https://fetch.spec.whatwg.org/#forbidden-request-header)
/// list, lower-case.
pub const FORBIDDEN_REQUEST_HEADER_NAMES: [&str; 21] = [
    "accept-charset",
    "accept-encoding",
    "access-control-request-headers",
    "access-control-request-method",
    "connection",
    "content-length",
    "cookie",
    "cookie2",
    "date",
    "dnt",
    "expect",
    "host",
    "keep-alive",
    "origin",
    "referer",
    "set-cookie",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "via",
];

/// Whether (`name`, `value`) is a [forbidden request-header](https://fetch.spec.whatwg.org/#forbidden-request-header)
/// under `profile`, and why.
///
/// # Examples
///
/// ```
/// use corslab::{Browser, HeaderName, fetch::forbidden::forbidden_request_header};
///
/// let cookie = HeaderName::parse("Cookie").unwrap();
/// assert!(forbidden_request_header(&cookie, "a=b", Browser::Spec.profile()).is_some());
/// let ua = HeaderName::parse("User-Agent").unwrap();
/// assert!(forbidden_request_header(&ua, "x", Browser::Chrome.profile()).is_some());
/// assert!(forbidden_request_header(&ua, "x", Browser::Firefox.profile()).is_none());
/// ```
pub fn forbidden_request_header(
    name: &HeaderName,
    value: &str,
    profile: &Profile,
) -> Option<ForbiddenRequestHeader> {
    let name = name.as_str();
    if FORBIDDEN_REQUEST_HEADER_NAMES.contains(&name) {
        return Some(ForbiddenRequestHeader::Listed);
    }
    for prefix in ["proxy-", "sec-"] {
        if name.starts_with(prefix) {
            return Some(ForbiddenRequestHeader::Prefix { prefix });
        }
    }
    if matches!(name, "x-http-method" | "x-http-method-override" | "x-method-override")
        && let Some(method) = get_decode_split(value).into_iter().find(|m| is_forbidden_method(m)) {
            return Some(ForbiddenRequestHeader::MethodOverride { method });
        }
    if name == "user-agent" && profile.user_agent == UserAgentHeader::Dropped {
        return Some(ForbiddenRequestHeader::UserAgent);
    }
    if profile.extra_forbidden_request_headers.contains(&name) {
        return Some(ForbiddenRequestHeader::BrowserSpecific);
    }
    None
}

/// The [forbidden response-header names](https://fetch.spec.whatwg.org/#forbidden-response-header-name):
/// `Set-Cookie` and `Set-Cookie2`, which a page never reads.
pub const FORBIDDEN_RESPONSE_HEADER_NAMES: [&str; 2] = ["set-cookie", "set-cookie2"];

/// [`FORBIDDEN_RESPONSE_HEADER_NAMES`] as a bit set over well-known names.
const FORBIDDEN_RESPONSE_HEADERS: KnownSet = KnownSet::of(&FORBIDDEN_RESPONSE_HEADER_NAMES);

/// A [forbidden response-header name](https://fetch.spec.whatwg.org/#forbidden-response-header-name)
/// (lower-case): `Set-Cookie` or `Set-Cookie2`, which a page never reads.
pub fn is_forbidden_response_header_name(name: &str) -> bool {
    FORBIDDEN_RESPONSE_HEADER_NAMES.contains(&name)
}

/// [`is_forbidden_response_header_name`] for a parsed name: a bit test.
pub fn is_forbidden_response_header(name: &HeaderName) -> bool {
    FORBIDDEN_RESPONSE_HEADERS.contains(name)
}
