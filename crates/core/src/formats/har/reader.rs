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

use std::io::Read;

use serde::Deserialize;
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
            return Err(HarError::NotHar("no \"log\" object"));
        }
        // Find `log`, skipping anything else at the top level.
        loop {
            let key = scanner.key()?;
            if key == "log" {
                break;
            }
            scanner.skip_value()?;
            if !scanner.more(b'}')? {
                return Err(HarError::NotHar("no \"log\" object"));
            }
        }
        if !scanner.begin_object()? {
            return Err(HarError::NotHar("no \"log.entries\" array"));
        }
        let mut reader = HarReader { scanner, info: HarLogInfo::default(), state: State::Done, count: 0 };
        // The log's members up to `entries`.
        loop {
            let key = reader.scanner.key()?;
            if key == "entries" {
                if !reader.scanner.next_is(b'[')? {
                    return Err(HarError::NotHar("\"log.entries\" is not an array"));
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
                return Err(HarError::NotHar("no \"log.entries\" array"));
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
            Err(e) => {
                // The JSON is fine but this entry is not HAR-shaped: kept as
                // an empty entry whose `cut` says why.
                let mut entry = HarEntry::default();
                entry.cut.push(format!("not a HAR entry: {e}"));
                entry
            }
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
// belongs (or `null`) loses that field, not the entry.

fn text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => String::new(),
    })
}

fn opt_text<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => Some(s),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    })
}

fn number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64)).unwrap_or(-1),
        Value::String(s) => s.trim().parse().unwrap_or(-1),
        _ => -1,
    })
}

fn headers<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<HarHeader>, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::Array(items) => items.into_iter().filter_map(|v| serde_json::from_value(v).ok()).collect(),
        _ => Vec::new(),
    })
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
