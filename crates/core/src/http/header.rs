//! Header names and header lists, normalised once when built: names are
//! validated tokens stored lower-case, values are trimmed of HTTP
//! whitespace. Nothing downstream compares names case-insensitively again.
//!
//! <https://fetch.spec.whatwg.org/#terminology-headers>

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::http::token::{is_byte_string, is_token, is_valid_header_value, normalize_value};

/// A header name: a token, lower-cased.
///
/// Built once, then cheap to copy around: a well-known name (one the
/// engine, a browser or a CORS server names itself) points at a static
/// string, and so does a name the crate writes in its code; any other
/// shares one allocation among its clones. Records copying names (the
/// unsafe-header verdicts, the requests a server received, a cloned
/// request or response) do not allocate.
///
/// # Examples
///
/// ```
/// use corslab::HeaderName;
///
/// let name = HeaderName::parse("X-Custom").unwrap();
/// assert_eq!(name.as_str(), "x-custom");
/// assert!(HeaderName::parse("X Custom").is_err());
/// ```
#[derive(Clone)]
pub struct HeaderName(Repr);

#[derive(Clone)]
enum Repr {
    /// A lower-case token with a static home: a well-known name (see
    /// [`well_known`]), or one the crate writes in its code.
    Static(&'static str),
    /// Any other lower-case token.
    Shared(Arc<str>),
}

/// The names whose parse allocates nothing: the request headers browsers
/// send, the CORS protocol's, and the response headers the engine reads.
/// (A table, not a `match`: the match compiled to 6 KB of the page's wasm.)
const WELL_KNOWN: [&str; 41] = [
    "accept",
    "accept-encoding",
    "accept-language",
    "access-control-allow-credentials",
    "access-control-allow-headers",
    "access-control-allow-methods",
    "access-control-allow-origin",
    "access-control-allow-private-network",
    "access-control-expose-headers",
    "access-control-max-age",
    "access-control-request-headers",
    "access-control-request-method",
    "authorization",
    "cache-control",
    "connection",
    "content-language",
    "content-length",
    "content-type",
    "cookie",
    "date",
    "etag",
    "expires",
    "host",
    "last-modified",
    "location",
    "origin",
    "pragma",
    "priority",
    "range",
    "referer",
    "sec-ch-ua",
    "sec-ch-ua-mobile",
    "sec-ch-ua-platform",
    "sec-fetch-dest",
    "sec-fetch-mode",
    "sec-fetch-site",
    "server",
    "set-cookie",
    "user-agent",
    "vary",
    "x-requested-with",
];

/// The static home of the lower-case name `lower`, when it is well known.
fn well_known(lower: &[u8]) -> Option<&'static str> {
    WELL_KNOWN.iter().copied().find(|known| known.as_bytes() == lower)
}

/// The longest name lower-cased on the stack (a longer one, rare, goes
/// through a String).
const STACK_NAME_LEN: usize = 64;

/// A header name that is not a token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidHeaderName;

impl fmt::Display for InvalidHeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid header name (not an HTTP token)")
    }
}

impl std::error::Error for InvalidHeaderName {}

/// A header value with NUL, CR or LF, or a character above U+00FF.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InvalidHeaderValue;

impl fmt::Display for InvalidHeaderValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("invalid header value (NUL, CR, LF or a character above U+00FF)")
    }
}

impl std::error::Error for InvalidHeaderValue {}

impl HeaderName {
    /// Validates a header name and lower-cases it.
    ///
    /// # Errors
    ///
    /// [`InvalidHeaderName`] when `name` is not a token.
    pub fn parse(name: &str) -> Result<HeaderName, InvalidHeaderName> {
        if !is_token(name) {
            return Err(InvalidHeaderName);
        }
        let bytes = name.as_bytes();
        if bytes.len() > STACK_NAME_LEN {
            return Ok(HeaderName(Repr::Shared(Arc::from(name.to_ascii_lowercase()))));
        }
        let mut buffer = [0_u8; STACK_NAME_LEN];
        let lower = &mut buffer[..bytes.len()];
        lower.copy_from_slice(bytes);
        lower.make_ascii_lowercase();
        if let Some(known) = well_known(lower) {
            return Ok(HeaderName(Repr::Static(known)));
        }
        // A token is ASCII, and so is its lower case.
        let lower = std::str::from_utf8(lower).map_err(|_| InvalidHeaderName)?;
        Ok(HeaderName(Repr::Shared(Arc::from(lower))))
    }

    /// A name known to be a lower-case token.
    pub(crate) fn from_static(name: &'static str) -> HeaderName {
        debug_assert!(is_token(name) && name.bytes().all(|b| !b.is_ascii_uppercase()));
        HeaderName(Repr::Static(name))
    }

    /// The lower-case name.
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Static(name) => name,
            Repr::Shared(name) => name,
        }
    }
}

// Names compare, hash and order as their text, however they are held.
impl PartialEq for HeaderName {
    fn eq(&self, other: &HeaderName) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for HeaderName {}

impl std::hash::Hash for HeaderName {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        self.as_str().hash(state);
    }
}

impl PartialOrd for HeaderName {
    fn partial_cmp(&self, other: &HeaderName) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for HeaderName {
    fn cmp(&self, other: &HeaderName) -> std::cmp::Ordering {
        // The text's order. Most names differ in their first byte: compared
        // there first, sorting a request's names seldom calls memcmp.
        let (a, b) = (self.as_str().as_bytes(), other.as_str().as_bytes());
        a.first().cmp(&b.first()).then_with(|| a.cmp(b))
    }
}

impl fmt::Debug for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("HeaderName").field(&self.as_str()).finish()
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for HeaderName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for HeaderName {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        HeaderName::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Normalizes a header value and checks it is one `fetch()` or a server can
/// carry.
///
/// # Errors
///
/// [`InvalidHeaderValue`] for NUL, CR, LF inside, or a character above U+00FF.
pub fn parse_header_value(value: &str) -> Result<String, InvalidHeaderValue> {
    let value = normalize_value(value);
    if is_valid_header_value(value) && is_byte_string(value) {
        Ok(value.to_owned())
    } else {
        Err(InvalidHeaderValue)
    }
}

/// An ordered list of headers; a name may appear more than once.
///
/// <https://fetch.spec.whatwg.org/#concept-header-list>
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeaderList(Vec<(HeaderName, String)>);

impl HeaderList {
    /// An empty list.
    pub fn new() -> HeaderList {
        HeaderList(Vec::new())
    }

    /// Builds a list from raw pairs, validating each name and normalizing each
    /// value.
    ///
    /// # Errors
    ///
    /// The index of the first bad pair and what is wrong with it.
    pub fn from_pairs<N: AsRef<str>, V: AsRef<str>>(
        pairs: &[(N, V)],
    ) -> Result<HeaderList, (usize, HeaderError)> {
        let mut list = HeaderList::new();
        for (i, (name, value)) in pairs.iter().enumerate() {
            let name = HeaderName::parse(name.as_ref()).map_err(|e| (i, HeaderError::Name(e)))?;
            let value = parse_header_value(value.as_ref()).map_err(|e| (i, HeaderError::Value(e)))?;
            list.append(name, value);
        }
        Ok(list)
    }

    /// Appends a header.
    pub fn append(&mut self, name: HeaderName, value: String) {
        self.0.push((name, value));
    }

    /// Whether the list holds `name`.
    pub fn contains(&self, name: &str) -> bool {
        self.0.iter().any(|(n, _)| n.as_str() == name)
    }

    /// [Gets](https://fetch.spec.whatwg.org/#concept-header-list-get) `name`:
    /// the values of every header with that name joined by `, `, or `None`.
    pub fn get(&self, name: &str) -> Option<String> {
        let mut values = self.values(name);
        let first = values.next()?;
        let mut combined = first.to_owned();
        for value in values {
            combined.push_str(", ");
            combined.push_str(value);
        }
        Some(combined)
    }

    /// Like [`get`](Self::get), borrowing when there is a single line (the
    /// common case, so the server's path does not allocate).
    pub fn get_ref(&self, name: &str) -> Option<std::borrow::Cow<'_, str>> {
        let mut values = self.values(name);
        let first = values.next()?;
        match values.next() {
            None => Some(std::borrow::Cow::Borrowed(first)),
            Some(second) => {
                let mut combined = format!("{first}, {second}");
                for value in values {
                    combined.push_str(", ");
                    combined.push_str(value);
                }
                Some(std::borrow::Cow::Owned(combined))
            }
        }
    }

    /// The value of each header named `name`, one per line, in order.
    pub fn values<'a>(&'a self, name: &str) -> impl Iterator<Item = &'a str> {
        self.0.iter().filter(move |(n, _)| n.as_str() == name).map(|(_, v)| v.as_str())
    }

    /// The headers, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&HeaderName, &str)> {
        self.0.iter().map(|(n, v)| (n, v.as_str()))
    }

    /// How many headers (lines) the list holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether the list is empty.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The list with repeated names combined into one header (`a, b`) at the
    /// place of the first, the way Chromium hands request headers to its
    /// network stack. Borrowed when no name repeats (the usual list).
    pub fn combined(&self) -> std::borrow::Cow<'_, HeaderList> {
        let repeats = self.0.iter().enumerate().any(|(i, (name, _))| self.0[..i].iter().any(|(n, _)| n == name));
        if !repeats {
            return std::borrow::Cow::Borrowed(self);
        }
        let mut out: Vec<(HeaderName, String)> = Vec::with_capacity(self.0.len());
        for (name, value) in &self.0 {
            match out.iter_mut().find(|(n, _)| n == name) {
                Some((_, existing)) => {
                    existing.push_str(", ");
                    existing.push_str(value);
                }
                None => out.push((name.clone(), value.clone())),
            }
        }
        std::borrow::Cow::Owned(HeaderList(out))
    }

    /// The distinct names, in first-appearance order.
    pub fn names(&self) -> Vec<&HeaderName> {
        let mut names: Vec<&HeaderName> = Vec::new();
        for (name, _) in &self.0 {
            if !names.contains(&name) {
                names.push(name);
            }
        }
        names
    }
}

/// What is wrong with one header pair.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// The name.
    Name(InvalidHeaderName),
    /// The value.
    Value(InvalidHeaderValue),
}

impl fmt::Display for HeaderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HeaderError::Name(e) => e.fmt(f),
            HeaderError::Value(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for HeaderError {}

#[cfg(test)]
mod tests {
    use super::*;

    /// However a name is held (static, shared), it is its lower-case text:
    /// equal, hashed and ordered as that text.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn names_are_their_lower_case_text_however_held() {
        use std::collections::hash_map::DefaultHasher;
        use std::hash::{Hash, Hasher};
        let hash = |n: &HeaderName| {
            let mut h = DefaultHasher::new();
            n.hash(&mut h);
            h.finish()
        };
        let long = "X-".repeat(STACK_NAME_LEN);
        for raw in ["Content-Type", "VARY", "x-a", "X-Request-Id", "Sec-CH-UA", long.as_str()] {
            let parsed = HeaderName::parse(raw).unwrap();
            assert_eq!(parsed.as_str(), raw.to_ascii_lowercase());
            let lower: &'static str = Box::leak(raw.to_ascii_lowercase().into_boxed_str());
            let held = HeaderName::from_static(lower);
            assert_eq!(parsed, held);
            assert_eq!(hash(&parsed), hash(&held));
            assert_eq!(parsed.cmp(&held), std::cmp::Ordering::Equal);
            assert_eq!(format!("{parsed:?}"), format!("HeaderName({lower:?})"));
        }
        assert!(HeaderName::parse("accept").unwrap() < HeaderName::parse("X-A").unwrap());
        // Every well-known name is a lower-case token, known as itself.
        for name in WELL_KNOWN {
            assert!(is_token(name) && name.bytes().all(|b| !b.is_ascii_uppercase()), "{name}");
            assert_eq!(well_known(name.as_bytes()), Some(name));
        }
        assert!(matches!(HeaderName::parse("Content-Type").unwrap().0, Repr::Static("content-type")));
        assert!(matches!(HeaderName::parse("X-Custom").unwrap().0, Repr::Shared(_)));
        assert_eq!(HeaderName::parse(&format!("{long}\u{e9}")), Err(InvalidHeaderName));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn get_combines_repeated_headers() {
        let list = HeaderList::from_pairs(&[("Accept", "a"), ("X-A", "1"), ("accept", " b ")]).unwrap();
        assert_eq!(list.get("accept").as_deref(), Some("a, b"));
        assert_eq!(list.get("x-b"), None);
        let combined = list.combined();
        assert_eq!(combined.len(), 2);
        assert_eq!(combined.iter().next().map(|(n, v)| (n.as_str(), v)), Some(("accept", "a, b")));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn bad_pairs_are_reported_with_their_index() {
        assert_eq!(
            HeaderList::from_pairs(&[("ok", "1"), ("bad name", "2")]),
            Err((1, HeaderError::Name(InvalidHeaderName)))
        );
        assert_eq!(
            HeaderList::from_pairs(&[("x", "a\r\nb")]),
            Err((0, HeaderError::Value(InvalidHeaderValue)))
        );
        assert_eq!(
            HeaderList::from_pairs(&[("x", "snow ☃")]),
            Err((0, HeaderError::Value(InvalidHeaderValue)))
        );
    }
}
