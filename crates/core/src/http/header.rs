//! Header names and header lists, normalised once when built: names are
//! validated tokens stored lower-case, values are trimmed of HTTP
//! whitespace. Nothing downstream compares names case-insensitively again.
//!
//! <https://fetch.spec.whatwg.org/#terminology-headers>

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::http::token::{is_byte_string, is_token, is_valid_header_value, normalize_value};

/// A header name: a token, lower-cased.
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
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HeaderName(String);

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
        if is_token(name) {
            Ok(HeaderName(name.to_ascii_lowercase()))
        } else {
            Err(InvalidHeaderName)
        }
    }

    /// A name known to be a lower-case token.
    pub(crate) fn from_static(name: &'static str) -> HeaderName {
        debug_assert!(is_token(name) && name.bytes().all(|b| !b.is_ascii_uppercase()));
        HeaderName(name.to_owned())
    }

    /// The lower-case name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for HeaderName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for HeaderName {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
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
