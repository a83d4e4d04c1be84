//! Header names and header lists, normalised once when built: names are
//! validated tokens stored lower-case, values are trimmed of HTTP
//! whitespace. Nothing downstream compares names case-insensitively again.
//!
//! <https://fetch.spec.whatwg.org/#terminology-headers>

use std::fmt;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::http::token::{is_byte_string, is_tchar, is_token, is_valid_header_value, normalize_value};

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
pub struct HeaderName {
    text: Repr,
    /// A well-known name's place in [`WELL_KNOWN`], [`NOT_KNOWN`] for any
    /// other. Two well-known names compare as two bytes, and a rule over
    /// well-known names (a safelist, say) is a bit test: the lookups and
    /// rules a server runs on every answer compare no text. Every
    /// constructor looks in the table first, so a name has an index exactly
    /// when its text is well known.
    index: u8,
}

/// The `index` of a name that is not well known.
const NOT_KNOWN: u8 = u8::MAX;

#[derive(Clone)]
enum Repr {
    /// A lower-case token with a static home: a well-known name (see
    /// [`WELL_KNOWN`]), or one the crate writes in its code.
    Static(&'static str),
    /// Any other lower-case token.
    Shared(Arc<str>),
}

/// The names whose parse allocates nothing: the request headers browsers
/// send, the CORS protocol's, and the response headers the engine reads.
/// (A table, not a `match`: the match compiled to 6 KB of the page's wasm.)
/// Sorted, so that indexes order as the text does; at most 64, so that a
/// [`KnownSet`] is one word.
const WELL_KNOWN: [&str; 42] = [
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
    "set-cookie2",
    "user-agent",
    "vary",
    "x-requested-with",
];

/// The index in [`WELL_KNOWN`] of the lower-case name `lower`, when it is
/// well known: a look in [`KNOWN_SLOTS`], and one comparison of text
/// (rarely two or three). Every name a request or a response carries goes
/// through here once.
// (Inlined natively: see `wire::Headers::push`.)
#[cfg_attr(not(target_family = "wasm"), inline(always))]
fn well_known(lower: &[u8]) -> Option<u8> {
    let mut slot = known_slot(lower)?;
    loop {
        let index = KNOWN_SLOTS[slot].checked_sub(1)?;
        if WELL_KNOWN[usize::from(index)].as_bytes() == lower {
            return Some(index);
        }
        slot = (slot + 1) % KNOWN_SLOTS.len();
    }
}

/// Where a name's search in [`KNOWN_SLOTS`] starts: a hash of its length
/// and three of its bytes (each well-known name sits within three slots of
/// its start: a test checks it). `None` for a name shorter than two bytes, which is never well
/// known.
const fn known_slot(name: &[u8]) -> Option<usize> {
    let len = name.len();
    if len < 2 {
        return None;
    }
    Some(((len << 2) ^ name[len - 2] as usize ^ ((name[len - 1] as usize) << 1) ^ ((name[0] as usize) << 3)) % 128)
}

/// An open-addressed hash table of [`WELL_KNOWN`]: each slot holds a name's
/// index plus one, or 0 when empty (a third of the slots are used, so a
/// search for an unknown name soon meets an empty one).
const KNOWN_SLOTS: [u8; 128] = {
    let mut slots = [0_u8; 128];
    let mut i = 0;
    while i < WELL_KNOWN.len() {
        let Some(mut slot) = known_slot(WELL_KNOWN[i].as_bytes()) else { panic!("a one-byte well-known name") };
        while slots[slot] != 0 {
            slot = (slot + 1) % 128;
        }
        slots[slot] = i as u8 + 1;
        i += 1;
    }
    slots
};

/// [`well_known`] for constants: the index of `name`, which must be well
/// known (a compile error otherwise).
#[expect(clippy::panic, reason = "evaluated in constants, where the panic is a compile error")]
const fn known_index(name: &str) -> u8 {
    let name = name.as_bytes();
    let mut i = 0;
    while i < WELL_KNOWN.len() {
        let known = WELL_KNOWN[i].as_bytes();
        if known.len() == name.len() {
            let mut j = 0;
            while j < known.len() && known[j] == name[j] {
                j += 1;
            }
            if j == known.len() {
                return i as u8;
            }
        }
        i += 1;
    }
    panic!("not a well-known header name")
}

/// Whether `any_case` is `lower` (a lower-case name: a [`HeaderName`]'s
/// text) in any case, `X-Request-Id` for `x-request-id`: how the names a
/// response lists are matched. Only `any_case` needs folding, eight bytes
/// at a time.
#[inline]
pub(crate) fn eq_lower(any_case: &str, lower: &str) -> bool {
    let (any_case, lower) = (any_case.as_bytes(), lower.as_bytes());
    if any_case.len() != lower.len() {
        return false;
    }
    let mut i = 0;
    while let (Some(a), Some(b)) = (any_case.get(i..i + 8), lower.get(i..i + 8)) {
        let (Ok(a), Ok(b)) = (<[u8; 8]>::try_from(a), <[u8; 8]>::try_from(b)) else { return false };
        if ascii_lowercase_word(u64::from_le_bytes(a)) != u64::from_le_bytes(b) {
            return false;
        }
        i += 8;
    }
    any_case[i..].iter().zip(&lower[i..]).all(|(a, b)| a.to_ascii_lowercase() == *b)
}

/// Eight bytes lower-cased at once, each as `u8::to_ascii_lowercase` does
/// it: `A`-`Z` gain 0x20, every other byte (0x80 and above too) is kept.
fn ascii_lowercase_word(word: u64) -> u64 {
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let low = word & !HIGH;
    // Bit 7 of each byte: at least `A` (0x41 + 0x3f = 0x80), above `Z`
    // (0x5b + 0x25 = 0x80). With bit 7 cleared first, neither sum carries
    // into the next byte; a byte that had bit 7 set is left out.
    let at_least_a = low.wrapping_add(0x3f3f_3f3f_3f3f_3f3f);
    let above_z = low.wrapping_add(0x2525_2525_2525_2525);
    let upper = at_least_a & !above_z & !word & HIGH;
    word | (upper >> 2)
}

/// A set of well-known header names, one bit each: what a rule over
/// well-known names (a safelist) compiles to, so that applying it to a
/// [`HeaderName`] is a bit test. Build it in a constant from the rule's list
/// of names, which stays the rule's one written form.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct KnownSet(u64);

const _: () = assert!(WELL_KNOWN.len() <= 64);

impl KnownSet {
    /// The set of `names`, each of which must be well known (a compile
    /// error otherwise, in a constant).
    pub(crate) const fn of(names: &[&str]) -> KnownSet {
        let mut bits = 0_u64;
        let mut i = 0;
        while i < names.len() {
            bits |= 1 << known_index(names[i]);
            i += 1;
        }
        KnownSet(bits)
    }

    /// Whether `name` is in the set (a name that is not well known never is).
    pub(crate) fn contains(self, name: &HeaderName) -> bool {
        name.known_bit().is_some_and(|bit| self.0 & bit != 0)
    }
}

/// Header names gathered into a [sorted-lowercase set](https://fetch.spec.whatwg.org/#convert-header-names-to-a-sorted-lowercase-set):
/// a well-known name is one bit (the table is in the text's order, so the
/// bits read in order are sorted), any other is kept aside and put in its
/// place at the end. A browser's request holds a dozen names, nearly all well known:
/// gathering them costs no comparison, where sorting them cost thousands of
/// instructions.
#[derive(Clone, Debug, Default)]
pub(crate) struct SortedNameSet {
    known: KnownSet,
    others: Vec<HeaderName>,
}

impl SortedNameSet {
    /// Adds `name` (once: adding it again changes nothing).
    pub(crate) fn insert(&mut self, name: HeaderName) {
        match name.known_bit() {
            Some(bit) => self.known.0 |= bit,
            None => self.others.push(name),
        }
    }

    /// The names, sorted, each once.
    pub(crate) fn into_vec(self) -> Vec<HeaderName> {
        let SortedNameSet { known: KnownSet(mut known), others } = self;
        let mut names = Vec::with_capacity(known.count_ones() as usize + others.len());
        while known != 0 {
            // (Below 64: a set bit's place.)
            let index = known.trailing_zeros() as u8;
            known &= known - 1;
            names.push(HeaderName { text: Repr::Static(WELL_KNOWN[usize::from(index)]), index });
        }
        // The others (a page's own headers, a few) go in their places.
        for name in others {
            if let Err(at) = names.binary_search(&name) {
                names.insert(at, name);
            }
        }
        names
    }
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
        let bytes = name.as_bytes();
        if bytes.len() > STACK_NAME_LEN {
            if !is_token(name) {
                return Err(InvalidHeaderName);
            }
            return Ok(HeaderName { text: Repr::Shared(Arc::from(name.to_ascii_lowercase())), index: NOT_KNOWN });
        }
        if bytes.is_empty() {
            return Err(InvalidHeaderName);
        }
        // One pass: each byte checked to be a tchar and lower-cased.
        let mut buffer = [0_u8; STACK_NAME_LEN];
        let lower = &mut buffer[..bytes.len()];
        for (slot, &byte) in lower.iter_mut().zip(bytes) {
            if !is_tchar(byte) {
                return Err(InvalidHeaderName);
            }
            *slot = byte.to_ascii_lowercase();
        }
        if let Some(known) = well_known(lower) {
            return Ok(HeaderName { text: Repr::Static(WELL_KNOWN[usize::from(known)]), index: known });
        }
        // A token is ASCII, and so is its lower case.
        let lower = std::str::from_utf8(lower).map_err(|_| InvalidHeaderName)?;
        Ok(HeaderName { text: Repr::Shared(Arc::from(lower)), index: NOT_KNOWN })
    }

    /// A name known to be a lower-case token.
    // (Inlined natively: see `wire::Headers::push`.)
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    pub(crate) fn from_static(name: &'static str) -> HeaderName {
        debug_assert!(is_token(name) && name.bytes().all(|b| !b.is_ascii_uppercase()));
        HeaderName { text: Repr::Static(name), index: well_known(name.as_bytes()).unwrap_or(NOT_KNOWN) }
    }

    /// A well-known name, for a constant (a compile error when `name` is
    /// not in the table).
    pub(crate) const fn known(name: &str) -> HeaderName {
        let index = known_index(name);
        HeaderName { text: Repr::Static(WELL_KNOWN[index as usize]), index }
    }

    /// A well-known name's bit in a [`KnownSet`]; `None` for any other
    /// (`NOT_KNOWN` is past the last bit).
    fn known_bit(&self) -> Option<u64> {
        1_u64.checked_shl(u32::from(self.index))
    }

    /// The name's text as it is held: static (a well-known name, or one
    /// the crate wrote) or shared.
    pub(crate) fn into_text(self) -> Result<&'static str, Arc<str>> {
        match self.text {
            Repr::Static(name) => Ok(name),
            Repr::Shared(name) => Err(name),
        }
    }

    /// The lower-case name.
    pub fn as_str(&self) -> &str {
        match &self.text {
            Repr::Static(name) => name,
            Repr::Shared(name) => name,
        }
    }
}

// Names compare, hash and order as their text, however they are held.
impl PartialEq for HeaderName {
    #[inline]
    fn eq(&self, other: &HeaderName) -> bool {
        // (A name has an index exactly when its text is well known.)
        if self.index != NOT_KNOWN || other.index != NOT_KNOWN {
            return self.index == other.index;
        }
        self.as_str() == other.as_str()
    }
}

impl Eq for HeaderName {}

/// A name equals text that names it, in any case (as hyperium/http's
/// `HeaderName` does): `Content-Type` names `content-type`.
impl PartialEq<str> for HeaderName {
    fn eq(&self, other: &str) -> bool {
        eq_lower(other, self.as_str())
    }
}

impl PartialEq<&str> for HeaderName {
    fn eq(&self, other: &&str) -> bool {
        eq_lower(other, self.as_str())
    }
}

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
        // The text's order: the table's, between two well-known names. Most
        // other names differ in their first byte: compared there first,
        // sorting a request's names seldom calls memcmp.
        if self.index != NOT_KNOWN && other.index != NOT_KNOWN {
            return self.index.cmp(&other.index);
        }
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

/// `x-request-id` → `X-Request-Id`: how header names read on the wire and
/// in copies for people (HTTP/1.1 names are case-insensitive).
pub(crate) fn title_case(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut upper = true;
    for c in name.chars() {
        out.push(if upper { c.to_ascii_uppercase() } else { c });
        upper = c == '-';
    }
    out
}

/// A name to look a header up by: a lower-case `str`, or a [`HeaderName`]
/// (compared by index when well known, which is why the engine's own
/// lookups pass one).
pub trait AsHeaderName: sealed::Sealed {
    /// Whether `name` is this one.
    fn is(&self, name: &HeaderName) -> bool;
}

impl AsHeaderName for str {
    fn is(&self, name: &HeaderName) -> bool {
        name.as_str() == self
    }
}

impl AsHeaderName for HeaderName {
    #[inline]
    fn is(&self, name: &HeaderName) -> bool {
        self == name
    }
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for str {}
    impl Sealed for super::HeaderName {}
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
    pub fn contains(&self, name: &(impl AsHeaderName + ?Sized)) -> bool {
        self.0.iter().any(|(n, _)| name.is(n))
    }

    /// [Gets](https://fetch.spec.whatwg.org/#concept-header-list-get) `name`:
    /// the values of every header with that name joined by `, `, or `None`.
    pub fn get(&self, name: &(impl AsHeaderName + ?Sized)) -> Option<String> {
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
    pub fn get_ref(&self, name: &(impl AsHeaderName + ?Sized)) -> Option<std::borrow::Cow<'_, str>> {
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
    pub fn values<'a>(&'a self, name: &(impl AsHeaderName + ?Sized)) -> impl Iterator<Item = &'a str> {
        self.0.iter().filter(move |(n, _)| name.is(n)).map(|(_, v)| v.as_str())
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
        // Every well-known name is a lower-case token, known as itself, in
        // the text's order (so that indexes order as the text does).
        for (i, name) in WELL_KNOWN.iter().enumerate() {
            assert!(is_token(name) && name.bytes().all(|b| !b.is_ascii_uppercase()), "{name}");
            assert_eq!(well_known(name.as_bytes()), Some(i as u8), "{name}");
            assert_eq!(known_index(name), i as u8);
            assert!(i == 0 || WELL_KNOWN[i - 1] < *name, "{name} out of order");
            assert_eq!(usize::from(HeaderName::parse(&name.to_ascii_uppercase()).unwrap().index), i);
            assert_eq!(usize::from(HeaderName::from_static(name).index), i);
            let start = known_slot(name.as_bytes()).unwrap();
            let at = KNOWN_SLOTS.iter().position(|&slot| usize::from(slot) == i + 1).unwrap();
            assert!((at + KNOWN_SLOTS.len() - start) % KNOWN_SLOTS.len() < 3, "{name} is {start} to {at}");
            // Near misses are not well known.
            for near in [&name[1..], &name[..name.len() - 1], &format!("{name}s"), &format!("x{name}")] {
                assert_eq!(well_known(near.as_bytes()).is_some(), WELL_KNOWN.contains(&near), "{near}");
            }
        }
        for unknown in ["", "a", "x-custom", "set-cookie3", "Accept", "sec-ch-ua-arch"] {
            assert_eq!(well_known(unknown.as_bytes()), None, "{unknown}");
        }
        let content_type = HeaderName::parse("Content-Type").unwrap();
        assert!(matches!(content_type.text, Repr::Static("content-type")) && content_type.index != NOT_KNOWN);
        let invalid = HeaderName::from_static("x-invalid");
        assert!(matches!(invalid.text, Repr::Static("x-invalid")) && invalid.index == NOT_KNOWN);
        let custom = HeaderName::parse("X-Custom").unwrap();
        assert!(matches!(custom.text, Repr::Shared(_)) && custom.index == NOT_KNOWN);
        assert_eq!(HeaderName::parse(&format!("{long}\u{e9}")), Err(InvalidHeaderName));
    }

    /// Names order as their text whichever way each is held (well known
    /// by index, static, shared), and equal only when their text is.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn names_held_every_way_order_and_compare_as_their_text() {
        let texts =
            ["vary", "x-custom", "accept", "content-type", "a", "zz", "set-cookie2", "set-cookie", "sec-ch-ua", "sec-ch", "origin", "origins"];
        let mut names: Vec<HeaderName> = texts.iter().map(|t| HeaderName::parse(t).unwrap()).collect();
        names.push(HeaderName::from_static("x-invalid"));
        names.push(HeaderName::from_static("host"));
        for a in &names {
            for b in &names {
                assert_eq!(a.cmp(b), a.as_str().cmp(b.as_str()), "{a} {b}");
                assert_eq!(a == b, a.as_str() == b.as_str(), "{a} {b}");
            }
        }
    }

    /// A sorted-lowercase set holds what sorting and deduplicating the
    /// same names gives, whatever mix of well-known and other names, in
    /// whatever order and with whatever repeats.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_sorted_name_set_is_the_names_sorted_each_once() {
        let pool: Vec<HeaderName> = WELL_KNOWN
            .iter()
            .map(|name| HeaderName::parse(name).unwrap())
            .chain(["a", "accepts", "access-control", "b-", "sec-ch", "x-request-id", "zz", "x-"].map(|n| HeaderName::parse(n).unwrap()))
            .chain([HeaderName::from_static("host"), HeaderName::from_static("x-invalid")])
            .collect();
        let mut next = crate::sort::xorshift(0x2545_f491_4f6c_dd1d);
        for len in 0..40 {
            for _ in 0..20 {
                let names: Vec<HeaderName> = (0..len).map(|_| pool[next() as usize % pool.len()].clone()).collect();
                let mut want = names.clone();
                want.sort_by(|a, b| a.as_str().cmp(b.as_str()));
                want.dedup();
                let mut set = SortedNameSet::default();
                for name in names {
                    set.insert(name);
                }
                let got = set.into_vec();
                assert_eq!(got.iter().map(HeaderName::as_str).collect::<Vec<_>>(), want.iter().map(HeaderName::as_str).collect::<Vec<_>>());
                assert!(got.iter().zip(&want).all(|(g, w)| g.index == w.index));
            }
        }
    }

    /// `eq_lower` is the standard library's ASCII case-insensitive
    /// equality against a lower-case name, at every length around its
    /// eight-byte steps, for every byte a token may hold and the bytes next
    /// to the letters (`@`, `[`, `` ` ``, `{`, `^` against `~`).
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn eq_lower_is_ascii_case_insensitive_equality() {
        let alphabet: Vec<u8> = (0x20..0x7f_u8).collect();
        let mut next = crate::sort::xorshift(0x9e37_79b9_7f4a_7c15);
        for len in 0..34 {
            for _ in 0..200 {
                let lower: Vec<u8> = (0..len).map(|_| alphabet[next() as usize % alphabet.len()].to_ascii_lowercase()).collect();
                let mut any: Vec<u8> = lower.iter().map(|&b| if next().is_multiple_of(2) { b.to_ascii_uppercase() } else { b }).collect();
                if len > 0 && next().is_multiple_of(2) {
                    let at = next() as usize % len;
                    any[at] = alphabet[next() as usize % alphabet.len()];
                }
                let (any, lower) = (std::str::from_utf8(&any).unwrap(), std::str::from_utf8(&lower).unwrap());
                assert_eq!(eq_lower(any, lower), any.eq_ignore_ascii_case(lower), "{any:?} {lower:?}");
            }
        }
        for (a, b) in [("^", "~"), ("@", "`"), ("[", "{"), ("X-A^B-CDEFG", "x-a~b-cdefg"), ("ABCDEFGH", "abcdefgh")] {
            assert_eq!(eq_lower(a, b), a.eq_ignore_ascii_case(b), "{a} {b}");
        }
        for (a, b) in [("x-é", "x-\u{c9}"), ("X-ÉTAG-ABCD", "x-étag-abcd"), ("\u{c1}bcdefgh", "\u{e1}bcdefgh")] {
            assert_eq!(eq_lower(a, b), a.eq_ignore_ascii_case(b), "{a} {b}");
        }
    }

    /// The one-pass name parser against the definition: a name parses
    /// exactly when it is a token, into its ASCII lower case, on either side
    /// of the stack buffer's length.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn names_parse_when_tokens_into_lower_case() {
        let pieces = ["a", "Z", "-", "9", "!", "~", " ", ":", "\u{e9}", "\t", "(", "\u{7f}", "_"];
        let mut next = crate::sort::xorshift(0x2545_f491_4f6c_dd1d);
        for len in (0..8).chain([STACK_NAME_LEN - 1, STACK_NAME_LEN, STACK_NAME_LEN + 1]) {
            for _ in 0..300 {
                let name: String = (0..len).map(|_| pieces[next() as usize % pieces.len()]).collect();
                match HeaderName::parse(&name) {
                    Ok(parsed) => {
                        assert!(is_token(&name), "{name:?} parsed");
                        assert_eq!(parsed.as_str(), name.to_ascii_lowercase());
                    }
                    Err(InvalidHeaderName) => assert!(!is_token(&name), "{name:?} refused"),
                }
            }
        }
    }

    /// A name equals text naming it in any case, and no other.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_name_equals_its_text_in_any_case() {
        for raw in ["Content-Type", "x-request-id", "X-A"] {
            let name = HeaderName::parse(raw).unwrap();
            assert!(name == *raw && name == raw && name == raw.to_ascii_uppercase().as_str(), "{raw}");
            assert!(name != "content-typ" && name != "x-a-" && name != "", "{raw}");
        }
    }

    /// A value is accepted exactly when, normalized, it is a valid header
    /// value and a byte string; it is kept normalized.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn values_parse_as_the_definition_says() {
        let pieces = ["a", " ", "\t", "\n", "\r", "\0", "\u{e9}", "\u{ff}", "\u{100}", "\u{1f600}", ",", "\u{b}"];
        let mut next = crate::sort::xorshift(0x1405_7b7e_f767_814f);
        for len in 0..9 {
            for _ in 0..400 {
                let raw: String = (0..len).map(|_| pieces[next() as usize % pieces.len()]).collect();
                let normalized = raw.trim_matches(|c| matches!(c, '\n' | '\r' | '\t' | ' '));
                assert_eq!(normalize_value(&raw), normalized, "{raw:?}");
                let valid = is_valid_header_value(normalized) && normalized.chars().all(|c| u32::from(c) <= 0xFF);
                assert_eq!(parse_header_value(&raw), if valid { Ok(normalized.to_owned()) } else { Err(InvalidHeaderValue) }, "{raw:?}");
            }
        }
    }

    /// Header names read in Title-Case as the wire and copies write them.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn title_case_capitalises_each_word() {
        assert_eq!(title_case("x-request-id"), "X-Request-Id");
        assert_eq!(title_case("content-type"), "Content-Type");
        assert_eq!(title_case("-a--b"), "-A--B");
        assert_eq!(title_case(""), "");
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
