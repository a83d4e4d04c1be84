//! The CORS-preflight cache: what a later request can reuse of an earlier
//! preflight, per browser.
//!
//! <https://fetch.spec.whatwg.org/#cors-preflight-cache>

use std::sync::Arc;

use serde::{Serialize, Serializer};

use crate::http::header::HeaderName;
use crate::http::method::{Method, is_cors_safelisted_method};
use crate::browsers::profile::{CacheModel, Profile};
use crate::fetch::safelist::is_cors_non_wildcard_request_header_name;

/// Chromium never caches the preflight of a URL this long or longer
/// (`kMaxKeyLength` in services/network/cors/preflight_cache.cc).
pub const CHROMIUM_MAX_URL_LEN: usize = 1024;

/// A token (method or header name) and when it stops being usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CachedToken {
    /// The method (case kept) or header name (lower-case).
    pub token: TokenText,
    /// When it expires, in milliseconds on the simulation's clock.
    pub expires_ms: u64,
}

/// A cached token's text, read as a `str`.
///
/// Every decision keeps a copy of the entries for its URL
/// ([`PreflightCache::entries_for`]), so the text is never copied: the
/// tokens a preflight usually lists (a method the standard names, `*`, a
/// well-known header name) come from static tables, and any other is
/// shared (`Arc<str>`). Storing the usual preflight's grant then allocates
/// nothing per token.
#[derive(Clone)]
pub struct TokenText(Text);

#[derive(Clone)]
enum Text {
    Static(&'static str),
    Shared(Arc<str>),
}

/// The methods a preflight usually lists, and `*`: cached without an
/// allocation. (Methods keep their case: `patch` is not `PATCH`.)
const COMMON_METHODS: [&str; 8] = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "*"];

impl TokenText {
    /// A method, as listed (methods match case-sensitively).
    fn method(token: &str) -> TokenText {
        match COMMON_METHODS.iter().find(|m| **m == token) {
            Some(common) => TokenText(Text::Static(common)),
            None => TokenText(Text::Shared(token.into())),
        }
    }

    /// A header name (or `*`), lower-cased: names match in any case.
    fn header_name(token: &str) -> TokenText {
        if token == "*" {
            return TokenText(Text::Static("*"));
        }
        // A listed name is a token (the list was parsed), so it parses; a
        // well-known one comes back static.
        match HeaderName::parse(token).map(HeaderName::into_text) {
            Ok(Ok(name)) => TokenText(Text::Static(name)),
            Ok(Err(name)) => TokenText(Text::Shared(name)),
            Err(_) => TokenText(Text::Shared(token.to_ascii_lowercase().into())),
        }
    }
}

impl std::ops::Deref for TokenText {
    type Target = str;

    fn deref(&self) -> &str {
        match &self.0 {
            Text::Static(text) => text,
            Text::Shared(text) => text,
        }
    }
}

// Tokens compare as their text, however it is held.
impl PartialEq for TokenText {
    fn eq(&self, other: &TokenText) -> bool {
        **self == **other
    }
}

impl Eq for TokenText {}

impl std::fmt::Debug for TokenText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(&**self, f)
    }
}

/// As a JSON string, as a `String` writes.
impl Serialize for TokenText {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self)
    }
}

/// What the cache holds for one (origin, URL, credentials) key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CacheEntry {
    /// The request's serialized origin.
    #[serde(serialize_with = "as_str")]
    pub origin: Arc<str>,
    /// The request URL.
    #[serde(serialize_with = "as_str")]
    pub url: Arc<str>,
    /// Whether it came from a credentialed preflight.
    pub credentials: bool,
    /// Allowed methods.
    pub methods: Vec<CachedToken>,
    /// Allowed header names.
    pub headers: Vec<CachedToken>,
}

/// Shared text as a JSON string, as a `String` reads.
fn as_str<S: Serializer>(text: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(text)
}

impl CacheEntry {
    /// Whether it is the entry of `origin` and `url`.
    fn is_for(&self, origin: &str, url: &str) -> bool {
        *self.origin == *origin && *self.url == *url
    }

    fn live_methods(&self, now_ms: u64) -> impl Iterator<Item = &str> {
        self.methods.iter().filter(move |t| t.expires_ms > now_ms).map(|t| &*t.token)
    }

    fn live_headers(&self, now_ms: u64) -> impl Iterator<Item = &str> {
        self.headers.iter().filter(move |t| t.expires_ms > now_ms).map(|t| &*t.token)
    }

    /// When the last of its tokens expires.
    pub fn expires_ms(&self) -> u64 {
        self.methods.iter().chain(&self.headers).map(|t| t.expires_ms).max().unwrap_or(0)
    }
}

/// The result of a lookup.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum CacheLookup {
    /// A live entry covers the method and every unsafe header: no preflight.
    Hit,
    /// No live entry for this origin, URL and credentials.
    NoEntry,
    /// An entry exists but does not cover the method.
    MethodNotCovered,
    /// An entry exists but does not cover this header.
    HeaderNotCovered {
        /// The header.
        header: String,
    },
}

/// A browser's preflight cache, on a simulated clock (milliseconds).
#[derive(Clone, Debug, Serialize)]
pub struct PreflightCache {
    model: CacheModel,
    capacity: usize,
    entries: Vec<CacheEntry>,
}

impl PreflightCache {
    /// An empty cache that behaves as `profile`'s browser.
    pub fn new(profile: &Profile) -> PreflightCache {
        PreflightCache { model: profile.cache_model, capacity: profile.cache_capacity.max(1), entries: Vec::new() }
    }

    /// The entries, expired ones included, least recently used first.
    pub fn entries(&self) -> &[CacheEntry] {
        &self.entries
    }

    /// The entries for one origin and URL.
    pub fn entries_for(&self, origin: &str, url: &str) -> Vec<CacheEntry> {
        self.entries.iter().filter(|e| e.is_for(origin, url)).cloned().collect()
    }

    /// Drops every expired entry.
    pub fn purge_expired(&mut self, now_ms: u64) {
        self.entries.retain(|e| e.expires_ms() > now_ms);
    }

    /// Looks up whether a request may skip its preflight.
    pub fn lookup(
        &mut self,
        origin: &str,
        url: &str,
        credentials: bool,
        method: &Method,
        unsafe_headers: &[HeaderName],
        now_ms: u64,
    ) -> CacheLookup {
        let method = method.as_str();
        let same_target = |e: &CacheEntry| e.is_for(origin, url);
        let result = match self.model {
            // A credentialed entry serves both; an uncredentialed one only
            // requests without credentials. One entry per URL.
            CacheModel::ChromiumPerUrl => {
                let Some(index) = self.entries.iter().position(same_target) else {
                    return CacheLookup::NoEntry;
                };
                let entry = &self.entries[index];
                let result = if entry.expires_ms() <= now_ms || (!entry.credentials && credentials) {
                    CacheLookup::NoEntry
                } else {
                    let wildcard = !entry.credentials;
                    let method_ok = is_cors_safelisted_method(method)
                        || entry.live_methods(now_ms).any(|m| m == method || (wildcard && m == "*"));
                    // From the cache, `*` never covers Authorization.
                    let missing = unsafe_headers.iter().find(|h| {
                        !entry.live_headers(now_ms).any(|n| {
                            n == h.as_str()
                                || (wildcard && n == "*" && !is_cors_non_wildcard_request_header_name(h.as_str()))
                        })
                    });
                    match (method_ok, missing) {
                        (false, _) => CacheLookup::MethodNotCovered,
                        (true, Some(h)) => CacheLookup::HeaderNotCovered { header: h.as_str().to_owned() },
                        (true, None) => CacheLookup::Hit,
                    }
                };
                // A stale or insufficient entry is erased on the spot.
                if result != CacheLookup::Hit {
                    self.entries.remove(index);
                }
                return result;
            }
            // Keyed by credentials; GET and POST always pass; tokens literal;
            // a hit makes the entry the most recently used.
            CacheModel::FirefoxTokens => {
                let Some(index) = self.entries.iter().position(|e| same_target(e) && e.credentials == credentials) else {
                    return CacheLookup::NoEntry;
                };
                let entry = &self.entries[index];
                let method_ok = matches!(method, "GET" | "POST") || entry.live_methods(now_ms).any(|m| m == method);
                let missing = unsafe_headers.iter().find(|h| !entry.live_headers(now_ms).any(|n| n == h.as_str()));
                if method_ok && missing.is_none() {
                    let entry = self.entries.remove(index);
                    self.entries.push(entry);
                    return CacheLookup::Hit;
                }
                (method_ok, missing)
            }
            // The standard: entries match when credentialed or the request
            // is not; methods match by name or `*`, headers by name or `*`
            // (never for Authorization).
            CacheModel::SpecEntries => {
                let usable: Vec<&CacheEntry> =
                    self.entries.iter().filter(|e| same_target(e) && (e.credentials || !credentials)).collect();
                if usable.is_empty() {
                    return CacheLookup::NoEntry;
                }
                let method_ok = is_cors_safelisted_method(method)
                    || usable.iter().any(|e| e.live_methods(now_ms).any(|m| m == method || m == "*"));
                let missing = unsafe_headers.iter().find(|h| {
                    !usable.iter().any(|e| {
                        e.live_headers(now_ms).any(|n| {
                            n == h.as_str() || (n == "*" && !is_cors_non_wildcard_request_header_name(h.as_str()))
                        })
                    })
                });
                (method_ok, missing)
            }
        };
        match result {
            (false, _) => CacheLookup::MethodNotCovered,
            (true, Some(h)) => CacheLookup::HeaderNotCovered { header: h.as_str().to_owned() },
            (true, None) => CacheLookup::Hit,
        }
    }

    /// Stores what a successful preflight allowed, for `max_age_s` seconds.
    #[allow(clippy::too_many_arguments)]
    /// Methods keep their case; header names are stored lower-case.
    pub fn store(
        &mut self,
        origin: &str,
        url: &str,
        credentials: bool,
        methods: &[&str],
        headers: &[&str],
        max_age_s: u64,
        now_ms: u64,
    ) {
        let expires_ms = now_ms.saturating_add(max_age_s.saturating_mul(1000));
        match self.model {
            CacheModel::ChromiumPerUrl => {
                if url.len() >= CHROMIUM_MAX_URL_LEN {
                    return;
                }
                // The new result replaces the whole entry (even with max-age 0).
                self.entries.retain(|e| !e.is_for(origin, url));
                self.push(now_ms, CacheEntry {
                    origin: origin.into(),
                    url: url.into(),
                    credentials,
                    methods: methods.iter().map(|m| CachedToken { token: Case::Kept.stored(m), expires_ms }).collect(),
                    headers: headers.iter().map(|h| CachedToken { token: Case::Lower.stored(h), expires_ms }).collect(),
                });
            }
            CacheModel::FirefoxTokens | CacheModel::SpecEntries => {
                // Firefox does not cache at all with age 0.
                if max_age_s == 0 && self.model == CacheModel::FirefoxTokens {
                    return;
                }
                let index = match self
                    .entries
                    .iter()
                    .position(|e| e.is_for(origin, url) && e.credentials == credentials)
                {
                    Some(index) => index,
                    None => {
                        self.push(now_ms, CacheEntry {
                            origin: origin.into(),
                            url: url.into(),
                            credentials,
                            methods: Vec::new(),
                            headers: Vec::new(),
                        });
                        self.entries.len() - 1
                    }
                };
                let entry = &mut self.entries[index];
                merge(&mut entry.methods, methods, Case::Kept, expires_ms);
                merge(&mut entry.headers, headers, Case::Lower, expires_ms);
            }
        }
    }

    /// [Clears the cache entries](https://fetch.spec.whatwg.org/#concept-cache-clear)
    /// of an origin and URL (with and without credentials).
    pub fn clear(&mut self, origin: &str, url: &str) {
        self.entries.retain(|e| !e.is_for(origin, url));
    }

    /// Adds an entry; when full, expired entries go first, then the least
    /// recently used. (Chromium evicts 10 entries from a random place; a
    /// simulation wants the same answer every time, so it evicts the oldest.)
    fn push(&mut self, now_ms: u64, entry: CacheEntry) {
        if self.entries.len() >= self.capacity {
            self.purge_expired(now_ms);
        }
        while self.entries.len() >= self.capacity {
            self.entries.remove(0);
        }
        self.entries.push(entry);
    }
}

/// How a token is stored: methods as listed (they match case-sensitively),
/// header names lower-case (they match in any case).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Case {
    Kept,
    Lower,
}

impl Case {
    /// `token` as the cache keeps it.
    fn stored(self, token: &str) -> TokenText {
        match self {
            Case::Kept => TokenText::method(token),
            Case::Lower => TokenText::header_name(token),
        }
    }

    /// Whether `stored` (kept this way) is `token`: a stored header name is
    /// lower-case, so equal to `token` in any case is equal to its
    /// lower-case form.
    fn matches(self, stored: &str, token: &str) -> bool {
        match self {
            Case::Kept => stored == token,
            Case::Lower => stored.eq_ignore_ascii_case(token),
        }
    }
}

/// Adds tokens, refreshing the expiry of those already there.
fn merge(into: &mut Vec<CachedToken>, tokens: &[&str], case: Case, expires_ms: u64) {
    for token in tokens {
        match into.iter_mut().find(|t| case.matches(&t.token, token)) {
            Some(existing) => existing.expires_ms = expires_ms,
            None => into.push(CachedToken { token: case.stored(token), expires_ms }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A cached token is its text (methods as listed, header names
    /// lower-case), however it is held; the usual ones are static.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn tokens_are_their_text_however_held() {
        let is_static = |t: &TokenText| matches!(t.0, Text::Static(_));
        for (method, common) in [("GET", true), ("PUT", true), ("DELETE", true), ("*", true), ("patch", false), ("PROPFIND", false)] {
            let token = Case::Kept.stored(method);
            assert_eq!(&*token, method);
            assert_eq!(is_static(&token), common, "{method}");
        }
        for (name, lower, known) in [
            ("Content-Type", "content-type", true),
            ("AUTHORIZATION", "authorization", true),
            ("*", "*", true),
            ("X-Request-Id", "x-request-id", false),
        ] {
            let token = Case::Lower.stored(name);
            assert_eq!(&*token, lower);
            assert_eq!(is_static(&token), known, "{name}");
        }
        assert_eq!(TokenText(Text::Static("GET")), TokenText(Text::Shared("GET".into())));
        assert_ne!(TokenText(Text::Static("GET")), TokenText(Text::Shared("get".into())));
        assert_eq!(serde_json::to_string(&Case::Lower.stored("X-A")).unwrap(), "\"x-a\"");
        assert_eq!(format!("{:?}", Case::Kept.stored("PUT")), "\"PUT\"");
    }
}
