//! HAR 1.2 read one entry at a time: the log's `creator`, `browser` and
//! `pages` first, then each of `entries`, holding only what a CORS verdict
//! needs (the request's method, URL, headers and body, the response's
//! status and headers, the exporters' `_resourceType`, `_initiator`,
//! `_error` and `_failureText`). Response bodies are skipped unread, a
//! request body is kept up to [`MAX_BODY`] bytes, a header value up to
//! [`MAX_VALUE`], an entry's headers up to [`MAX_HEADERS`] each way: one
//! entry never holds more than about 3 MiB, whatever the file holds.
//!
//! <http://www.softwareishard.com/blog/har-12-spec/>

use std::fmt;
use std::io::Read;

use serde::Deserialize;
use serde::de::value::MapAccessDeserializer;
use serde::de::{IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

use super::json::{JsonError, Rule, Scanner};

/// The longest request body kept, in bytes.
pub const MAX_BODY: usize = 64 * 1024;
/// The longest header value (or URL) kept, in bytes.
pub const MAX_VALUE: usize = 16 * 1024;
/// The most header lines kept per request and per response.
pub const MAX_HEADERS: usize = 128;
/// The most pages kept from `log.pages`.
pub const MAX_PAGES: usize = 1024;

/// Why a HAR cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum HarError {
    /// The JSON text is broken (truncated, invalid).
    Json(JsonError),
    /// Valid JSON, but not a HAR: no `log` object, or no `log.entries` array.
    NotHar(&'static str),
}

impl HarError {
    /// The JSON holds no `log` object.
    pub const NO_LOG: HarError = HarError::NotHar("no \"log\" object");
    /// The log holds no `entries` array.
    pub const NO_ENTRIES: HarError = HarError::NotHar("no \"log.entries\" array");
    /// The log's `entries` is something else than an array.
    pub const ENTRIES_NOT_A_LIST: HarError = HarError::NotHar("\"log.entries\" is not an array");
}

impl std::fmt::Display for HarError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            HarError::Json(e) => e.fmt(f),
            HarError::NotHar(what) => write!(f, "not a HAR file: {what}"),
        }
    }
}

impl std::error::Error for HarError {}

impl From<JsonError> for HarError {
    fn from(e: JsonError) -> Self {
        HarError::Json(e)
    }
}

/// A name and version (`log.creator`, `log.browser`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize, serde::Serialize)]
pub struct HarTool {
    /// The name.
    #[serde(default)]
    pub name: String,
    /// The version.
    #[serde(default)]
    pub version: String,
}

/// One of `log.pages`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HarPage {
    /// Its id (what entries' `pageref` names).
    #[serde(default)]
    pub id: String,
    /// Its title: the page's URL in Chromium's and Firefox's exports, the
    /// document's title in Playwright's.
    #[serde(default)]
    pub title: String,
}

/// What the log says about itself.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HarLogInfo {
    /// `log.version`.
    pub version: String,
    /// `log.creator`.
    pub creator: HarTool,
    /// `log.browser`, when given.
    pub browser: Option<HarTool>,
    /// `log.pages` read so far (at most [`MAX_PAGES`]).
    pub pages: Vec<HarPage>,
}

/// A header line.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HarHeader {
    /// The name, as written.
    #[serde(default, deserialize_with = "text")]
    pub name: String,
    /// The value.
    #[serde(default, deserialize_with = "text")]
    pub value: String,
}

/// `request.postData`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HarPostData {
    /// Its MIME type.
    #[serde(default, rename = "mimeType", deserialize_with = "text")]
    pub mime_type: String,
    /// Its text, cut at [`MAX_BODY`] bytes.
    #[serde(default, deserialize_with = "opt_text")]
    pub text: Option<String>,
}

/// An entry's `request`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HarRequest {
    /// The method.
    #[serde(default, deserialize_with = "text")]
    pub method: String,
    /// The absolute URL.
    #[serde(default, deserialize_with = "text")]
    pub url: String,
    /// The header lines, in order.
    #[serde(default, deserialize_with = "headers")]
    pub headers: Vec<HarHeader>,
    /// The body, when there was one.
    #[serde(default, rename = "postData")]
    pub post_data: Option<HarPostData>,
    /// The body's size in bytes (-1 when unknown).
    #[serde(default = "minus_one", rename = "bodySize", deserialize_with = "number")]
    pub body_size: i64,
}

/// `response.content`, without its text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HarContent {
    /// The decoded size.
    #[serde(default = "minus_one", deserialize_with = "number")]
    pub size: i64,
    /// Its MIME type.
    #[serde(default, rename = "mimeType", deserialize_with = "text")]
    pub mime_type: String,
}

/// An entry's `response`.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HarResponse {
    /// The status; 0 (Firefox, DevTools) or -1 (Playwright) when none came.
    #[serde(default, deserialize_with = "number")]
    pub status: i64,
    /// The header lines, in order.
    #[serde(default, deserialize_with = "headers")]
    pub headers: Vec<HarHeader>,
    /// `content` (its text is never read).
    #[serde(default)]
    pub content: HarContent,
    /// `redirectURL`.
    #[serde(default, rename = "redirectURL", deserialize_with = "text")]
    pub redirect_url: String,
    /// Chromium DevTools' `_error`: the network error text of a failed
    /// request (`net::ERR_FAILED` for a CORS failure), else `null`.
    #[serde(default, rename = "_error", deserialize_with = "opt_text")]
    pub error: Option<String>,
    /// Playwright's `_failureText`: the same, for its HARs.
    #[serde(default, rename = "_failureText", deserialize_with = "opt_text")]
    pub failure_text: Option<String>,
}

/// Chromium's `_initiator` (type and URL only).
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HarInitiator {
    /// `parser`, `script`, `preflight`, `other`…
    #[serde(default, rename = "type", deserialize_with = "text")]
    pub kind: String,
    /// For a preflight, the URL of the request it is for.
    #[serde(default, deserialize_with = "opt_text")]
    pub url: Option<String>,
}

/// One entry, as much as is kept of it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Deserialize)]
pub struct HarEntry {
    /// `startedDateTime`.
    #[serde(default, rename = "startedDateTime", deserialize_with = "text")]
    pub started: String,
    /// `pageref`.
    #[serde(default, deserialize_with = "opt_text")]
    pub pageref: Option<String>,
    /// The request.
    #[serde(default)]
    pub request: HarRequest,
    /// The response.
    #[serde(default)]
    pub response: HarResponse,
    /// Chromium's and Playwright's `_resourceType` (`fetch`, `xhr`,
    /// `preflight`, `document`…).
    #[serde(default, rename = "_resourceType", deserialize_with = "opt_text")]
    pub resource_type: Option<String>,
    /// Chromium's `_initiator`.
    #[serde(default, rename = "_initiator")]
    pub initiator: Option<HarInitiator>,
    /// What was cut to fit the bounds, by path (`request.url (… bytes, …
    /// kept)`).
    #[serde(skip)]
    pub cut: Vec<String>,
}

impl HarEntry {
    /// The first request header named `name` (any case).
    pub fn request_header(&self, name: &str) -> Option<&str> {
        self.request.headers.iter().find(|h| h.name.eq_ignore_ascii_case(name)).map(|h| h.value.as_str())
    }

    /// An entry that is valid JSON but not HAR-shaped: empty, its `cut`
    /// saying why (the entry counts, and nothing is judged of it).
    pub fn not_har_shaped(why: impl fmt::Display) -> HarEntry {
        HarEntry { cut: vec![format!("not a HAR entry: {why}")], ..HarEntry::default() }
    }

    /// Cuts an entry another JSON reader read whole (the page's, the
    /// browser's `JSON.parse`) to the bounds [`HarReader`] keeps while it
    /// reads: values at [`MAX_VALUE`] bytes, the request body at
    /// [`MAX_BODY`], header lists at [`MAX_HEADERS`] lines; `cut` says what
    /// was cut, in the reader's words. An entry within them is unchanged.
    pub fn keep_within_bounds(&mut self) {
        // In the order Chromium's DevTools writes the members, so that the
        // notes come in the streaming reader's order for its files. (A list
        // over the bound counts its header lines here, where the streaming
        // reader counts every item, lines or not.)
        let cut = &mut self.cut;
        if let Some(initiator) = &mut self.initiator {
            cap(cut, "_initiator.type", &mut initiator.kind, MAX_VALUE);
            if let Some(url) = &mut initiator.url {
                cap(cut, "_initiator.url", url, MAX_VALUE);
            }
        }
        for (path, value) in [("_resourceType", &mut self.resource_type), ("pageref", &mut self.pageref)] {
            if let Some(value) = value {
                cap(cut, path, value, MAX_VALUE);
            }
        }
        let request = &mut self.request;
        cap(cut, "request.method", &mut request.method, MAX_VALUE);
        cap(cut, "request.url", &mut request.url, MAX_VALUE);
        cap_lines(cut, "request.headers", &mut request.headers);
        if let Some(post) = &mut request.post_data {
            cap(cut, "request.postData.mimeType", &mut post.mime_type, MAX_VALUE);
            if let Some(body) = &mut post.text {
                cap(cut, "request.postData.text", body, MAX_BODY);
            }
        }
        let response = &mut self.response;
        cap_lines(cut, "response.headers", &mut response.headers);
        cap(cut, "response.content.mimeType", &mut response.content.mime_type, MAX_VALUE);
        cap(cut, "response.redirectURL", &mut response.redirect_url, MAX_VALUE);
        for (path, value) in [("response._error", &mut response.error), ("response._failureText", &mut response.failure_text)] {
            if let Some(value) = value {
                cap(cut, path, value, MAX_VALUE);
            }
        }
        cap(cut, "startedDateTime", &mut self.started, MAX_VALUE);
    }
}

/// Cuts a header list to [`MAX_HEADERS`] lines, and each name and value to
/// [`MAX_VALUE`] bytes.
fn cap_lines(cut: &mut Vec<String>, path: &'static str, lines: &mut Vec<HarHeader>) {
    if lines.len() > MAX_HEADERS {
        cut.push(format!("{path} ({} items, {MAX_HEADERS} kept)", lines.len()));
        lines.truncate(MAX_HEADERS);
    }
    let (names, values) = if path.starts_with("request") {
        ("request.headers.name", "request.headers.value")
    } else {
        ("response.headers.name", "response.headers.value")
    };
    for line in lines.iter_mut() {
        cap(cut, names, &mut line.name, MAX_VALUE);
        cap(cut, values, &mut line.value, MAX_VALUE);
    }
}

/// Cuts `value` to at most `max` bytes (at a character's edge), saying so
/// in `cut` as the streaming reader does.
fn cap(cut: &mut Vec<String>, path: &str, value: &mut String, max: usize) {
    if value.len() > max {
        let total = value.len();
        value.truncate(value.floor_char_boundary(max));
        cut.push(format!("{path} ({total} bytes, {} kept)", value.len()));
    }
}

/// Reads a HAR's entries one at a time.
///
/// # Examples
///
/// ```
/// use corslab::formats::har::HarReader;
///
/// let har = r#"{"log": {"version": "1.2", "creator": {"name": "WebInspector", "version": "537.36"},
///   "pages": [{"id": "page_1", "title": "http://localhost:5050/"}],
///   "entries": [{"startedDateTime": "2026-01-01T00:00:00.000Z",
///     "request": {"method": "GET", "url": "http://localhost:8080/", "headers": []},
///     "response": {"status": 200, "headers": [], "content": {"size": 5, "text": "hello"}}}]}}"#;
/// let mut reader = HarReader::new(har.as_bytes()).unwrap();
/// assert_eq!(reader.info().creator.name, "WebInspector");
/// let entry = reader.next().unwrap().unwrap();
/// assert_eq!(entry.response.status, 200);
/// assert!(reader.next().is_none());
/// ```
pub struct HarReader<R> {
    scanner: Scanner<R>,
    info: HarLogInfo,
    state: State,
    /// How many entries were read.
    count: usize,
}

impl<R> std::fmt::Debug for HarReader<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HarReader").field("info", &self.info).field("entries_read", &self.count).finish_non_exhaustive()
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    /// Before the next entry, inside `entries`.
    InEntries { first: bool },
    /// After the entries (or failed): nothing more comes.
    Done,
}

impl<R: Read> HarReader<R> {
    /// Reads the log up to its first entry.
    ///
    /// # Errors
    ///
    /// [`HarError::Json`] for broken JSON, [`HarError::NotHar`] for JSON
    /// without `log` or `log.entries`.
    pub fn new(source: R) -> Result<HarReader<R>, HarError> {
        let mut scanner = Scanner::new(source);
        let mut info = HarLogInfo::default();
        if !scanner.next_is(b'{')? {
            // Let the scanner say what it found.
            scanner.expect(b'{', "a JSON object (a HAR file)")?;
        }
        if !scanner.begin_object()? {
            return Err(HarError::NO_LOG);
        }
        // Find `log`, skipping anything else at the top level.
        loop {
            let key = scanner.key()?;
            if key == "log" {
                break;
            }
            scanner.skip_value()?;
            if !scanner.more(b'}')? {
                return Err(HarError::NO_LOG);
            }
        }
        if !scanner.begin_object()? {
            return Err(HarError::NO_ENTRIES);
        }
        let mut reader = HarReader { scanner, info: HarLogInfo::default(), state: State::Done, count: 0 };
        // The log's members up to `entries`.
        loop {
            let key = reader.scanner.key()?;
            if key == "entries" {
                if !reader.scanner.next_is(b'[')? {
                    return Err(HarError::ENTRIES_NOT_A_LIST);
                }
                let any = reader.scanner.begin_array()?;
                reader.state = if any { State::InEntries { first: true } } else { State::Done };
                if !any {
                    reader.finish_log(&mut info)?;
                }
                break;
            }
            reader.log_member(&key, &mut info)?;
            if !reader.scanner.more(b'}')? {
                return Err(HarError::NO_ENTRIES);
            }
        }
        reader.info = info;
        Ok(reader)
    }

    /// The log's `version`, `creator`, `browser` and `pages` (members after
    /// `entries` show up once the entries are read).
    pub fn info(&self) -> &HarLogInfo {
        &self.info
    }

    /// The byte offset reached.
    pub fn offset(&self) -> u64 {
        self.scanner.offset()
    }

    /// How many entries were read so far.
    pub fn entries_read(&self) -> usize {
        self.count
    }

    fn log_member(&mut self, key: &str, info: &mut HarLogInfo) -> Result<(), HarError> {
        let small = Rule::Keep { string_cap: 256, items_cap: 16 };
        match key {
            "version" => info.version = text_of(self.read_kept(small)?),
            "creator" => info.creator = serde_json::from_value(self.read_kept(small)?).unwrap_or_default(),
            "browser" => info.browser = serde_json::from_value(self.read_kept(small)?).ok(),
            "pages" => {
                if !self.scanner.next_is(b'[')? {
                    self.scanner.skip_value()?;
                    return Ok(());
                }
                if self.scanner.begin_array()? {
                    loop {
                        if info.pages.len() < MAX_PAGES {
                            let rule = |p: &[&str]| match p {
                                ["id" | "title"] => Rule::Keep { string_cap: MAX_VALUE, items_cap: 0 },
                                _ => Rule::Skip,
                            };
                            let page = self.scanner.value(&rule, &mut Vec::new(), (MAX_VALUE, 0), &mut Vec::new())?;
                            info.pages.push(serde_json::from_value(page).unwrap_or_default());
                        } else {
                            self.scanner.skip_value()?;
                        }
                        if !self.scanner.more(b']')? {
                            break;
                        }
                    }
                }
            }
            _ => self.scanner.skip_value()?,
        }
        Ok(())
    }

    fn read_kept(&mut self, rule: Rule) -> Result<Value, HarError> {
        let Rule::Keep { string_cap, items_cap } = rule else { return Ok(Value::Null) };
        let keep_all = move |_: &[&str]| rule;
        Ok(self.scanner.value(&keep_all, &mut Vec::new(), (string_cap, items_cap), &mut Vec::new())?)
    }

    /// The log's members after `entries`, then the end of the file.
    fn finish_log(&mut self, info: &mut HarLogInfo) -> Result<(), HarError> {
        while self.scanner.more(b'}')? {
            let key = self.scanner.key()?;
            self.log_member(&key, info)?;
        }
        // The rest of the top-level object.
        while self.scanner.more(b'}')? {
            let _ = self.scanner.key()?;
            self.scanner.skip_value()?;
        }
        if !self.scanner.at_end()? {
            let offset = self.scanner.offset();
            return Err(HarError::Json(JsonError {
                offset,
                kind: super::json::JsonErrorKind::Unexpected { found: b'?', expected: "the end of the file" },
            }));
        }
        Ok(())
    }

    fn read_entry(&mut self) -> Result<Option<HarEntry>, HarError> {
        let State::InEntries { first } = self.state else { return Ok(None) };
        if !first && !self.scanner.more(b']')? {
            self.state = State::Done;
            let mut info = std::mem::take(&mut self.info);
            let end = self.finish_log(&mut info);
            self.info = info;
            end?;
            return Ok(None);
        }
        self.state = State::InEntries { first: false };
        let mut cut = Vec::new();
        let value = self.scanner.value(&entry_rule, &mut Vec::new(), (MAX_VALUE, 0), &mut cut)?;
        self.count += 1;
        let mut entry = match serde_json::from_value::<HarEntry>(value) {
            Ok(entry) => entry,
            // The JSON is fine but this entry is not HAR-shaped.
            Err(e) => HarEntry::not_har_shaped(e),
        };
        entry.cut.extend(cut);
        Ok(Some(entry))
    }
}

impl<R: Read> Iterator for HarReader<R> {
    type Item = Result<HarEntry, HarError>;

    /// The next entry; after an error, nothing more.
    fn next(&mut self) -> Option<Self::Item> {
        match self.read_entry() {
            Ok(Some(entry)) => Some(Ok(entry)),
            Ok(None) => None,
            Err(e) => {
                self.state = State::Done;
                Some(Err(e))
            }
        }
    }
}

/// Which members of an entry are kept, and how much of each.
fn entry_rule(path: &[&str]) -> Rule {
    let value = Rule::Keep { string_cap: MAX_VALUE, items_cap: 0 };
    let headers = Rule::Keep { string_cap: MAX_VALUE, items_cap: MAX_HEADERS };
    match path {
        ["startedDateTime" | "pageref" | "_resourceType"] => value,
        ["_initiator"] => value,
        ["_initiator", "type" | "url"] => value,
        ["request" | "response"] => value,
        ["request", "method" | "url" | "bodySize"] => value,
        ["request" | "response", "headers"] => headers,
        ["request" | "response", "headers", "name" | "value"] => value,
        ["request", "postData"] => value,
        ["request", "postData", "mimeType"] => value,
        ["request", "postData", "text"] => Rule::Keep { string_cap: MAX_BODY, items_cap: 0 },
        ["response", "status" | "redirectURL" | "_error" | "_failureText" | "content"] => value,
        ["response", "content", "size" | "mimeType"] => value,
        _ => Rule::Skip,
    }
}

fn text_of(value: Value) -> String {
    match value {
        Value::String(s) => s,
        _ => String::new(),
    }
}

fn minus_one() -> i64 {
    -1
}

// Lenient field readers: a HAR writer that puts a number where a string
// belongs (or `null`) loses that field, not the entry. They read any
// deserializer (serde_json's values here, the browser's `JSON.parse` result
// in the page through serde-wasm-bindgen), without a JSON value type.

/// Any JSON value, as much of it as a lenient reader looks at.
enum Scalar {
    Text(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    /// `null`, an array or an object (read and dropped).
    Other,
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Scalar, D::Error> {
        d.deserialize_any(ScalarVisitor)
    }
}

struct ScalarVisitor;

impl<'de> Visitor<'de> for ScalarVisitor {
    type Value = Scalar;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
        Ok(Scalar::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
        Ok(Scalar::Int(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
        Ok(i64::try_from(v).map_or(Scalar::Float(v as f64), Scalar::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
        // The browser's JSON.parse gives every number as a double.
        Ok(if v.fract() == 0.0 && v.abs() < 9_007_199_254_740_992.0 { Scalar::Int(v as i64) } else { Scalar::Float(v) })
    }
    fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
        Ok(Scalar::Text(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Scalar, E> {
        Ok(Scalar::Text(v))
    }
    fn visit_unit<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_none<E>(self) -> Result<Scalar, E> {
        Ok(Scalar::Other)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Scalar, D::Error> {
        Scalar::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Scalar, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Scalar, A::Error> {
        while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
        Ok(Scalar::Other)
    }
}

fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Text(s) => s,
        Scalar::Int(n) => n.to_string(),
        Scalar::Bool(b) => b.to_string(),
        // A fraction is no text a HAR field holds (and writing one would
        // link the float formatter into the page).
        Scalar::Float(_) | Scalar::Other => String::new(),
    })
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Text(s) => Some(s),
        Scalar::Int(n) => Some(n.to_string()),
        Scalar::Float(_) | Scalar::Bool(_) | Scalar::Other => None,
    })
}

fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match Scalar::deserialize(d)? {
        Scalar::Int(n) => n,
        // Saturating, as `as` is.
        Scalar::Float(n) => n as i64,
        Scalar::Text(s) => s.trim().parse().unwrap_or(-1),
        Scalar::Bool(_) | Scalar::Other => -1,
    })
}

/// The `visit_*` methods of a visitor that makes `$empty` of any value but
/// the ones it reads (a list, an object).
macro_rules! empty_from_scalars {
    ($value:ty, $empty:expr) => {
        fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<$value, D::Error> {
            d.deserialize_any(self)
        }
        fn visit_none<E>(self) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_unit<E>(self) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_bool<E>(self, _: bool) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_i64<E>(self, _: i64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_u64<E>(self, _: u64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_f64<E>(self, _: f64) -> Result<$value, E> {
            Ok($empty)
        }
        fn visit_str<E>(self, _: &str) -> Result<$value, E> {
            Ok($empty)
        }
    };
}

/// A header list: its objects read as header lines, anything else in it
/// dropped; anything but a list is no headers.
fn headers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<HarHeader>, D::Error> {
    struct Lines;
    impl<'de> Visitor<'de> for Lines {
        type Value = Vec<HarHeader>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a list of header lines")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<HarHeader>, A::Error> {
            let mut lines = Vec::new();
            while let Some(line) = seq.next_element_seed(Line)? {
                lines.extend(line);
            }
            Ok(lines)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Vec<HarHeader>, A::Error> {
            ScalarVisitor.visit_map(map).map(|_| Vec::new())
        }
        empty_from_scalars!(Vec<HarHeader>, Vec::new());
    }

    /// One item of a header list: a line if it is an object.
    #[derive(Clone, Copy)]
    struct Line;
    impl<'de> serde::de::DeserializeSeed<'de> for Line {
        type Value = Option<HarHeader>;
        fn deserialize<D: serde::Deserializer<'de>>(self, d: D) -> Result<Option<HarHeader>, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Line {
        type Value = Option<HarHeader>;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("a header line")
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Option<HarHeader>, A::Error> {
            HarHeader::deserialize(MapAccessDeserializer::new(map)).map(Some)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Option<HarHeader>, A::Error> {
            ScalarVisitor.visit_seq(seq).map(|_| None)
        }
        empty_from_scalars!(Option<HarHeader>, None);
    }

    d.deserialize_any(Lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn entries_stream_and_bodies_are_skipped() {
        let body = "x".repeat(200_000);
        let har = format!(
            r#"{{"log": {{"version": "1.2", "creator": {{"name": "Firefox", "version": "153"}}, "entries": [
              {{"startedDateTime": "t1", "request": {{"method": "POST", "url": "http://a.test/", "headers": [{{"name": "A", "value": "1"}}],
                "postData": {{"mimeType": "text/plain", "text": "{body}"}}}},
               "response": {{"status": 200, "headers": [], "content": {{"size": 1, "text": "{body}"}}}}}},
              {{"startedDateTime": "t2", "request": {{"method": "GET", "url": 7}}, "response": {{"status": "-1"}}}}
            ], "pages": [{{"id": "p", "title": "http://a.test/"}}]}}}}"#
        );
        let mut reader = HarReader::new(har.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
        let first = reader.next().and_then(Result::ok).unwrap_or_default();
        assert_eq!(first.request.headers, [HarHeader { name: "A".into(), value: "1".into() }]);
        assert_eq!(first.request.post_data.and_then(|p| p.text).map(|t| t.len()), Some(MAX_BODY));
        assert_eq!(first.cut, ["request.postData.text (200000 bytes, 65536 kept)"]);
        let second = reader.next().and_then(Result::ok).unwrap_or_default();
        assert_eq!((second.request.url.as_str(), second.response.status), ("7", -1));
        assert!(reader.next().is_none());
        assert_eq!(reader.info().pages.len(), 1);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn not_a_har_and_truncated_files_are_errors() {
        assert_eq!(HarReader::new(&b"{\"x\": 1}"[..]).err(), Some(HarError::NotHar("no \"log\" object")));
        assert!(matches!(HarReader::new(&b"[1]"[..]).err(), Some(HarError::Json(_))));
        let mut reader = HarReader::new(&br#"{"log": {"entries": [{"request": {"url": "http://a"#[..]).unwrap_or_else(|e| panic!("{e}"));
        assert!(matches!(reader.next(), Some(Err(HarError::Json(_)))));
        assert!(reader.next().is_none());
    }
}
