//! DevTools' "Copy as fetch" read back into the page's `fetch()` call.
//!
//! Chromium and Firefox copy a request as a JavaScript `fetch()` call:
//!
//! ```text
//! fetch("http://localhost:8080/data", {            // Chromium 156
//!   "headers": { "accept": "*/*", "content-type": "application/json" },
//!   "referrer": "http://localhost:5050/",
//!   "body": "{\"a\":1}",
//!   "method": "PUT",
//!   "mode": "cors",
//!   "credentials": "omit"
//! });
//! await fetch("http://localhost:8080/data", {      // Firefox 153
//!     "credentials": "omit",
//!     "headers": { "User-Agent": "…", "Accept": "*/*", "Sec-Fetch-Mode": "cors", … },
//!     "referrer": "http://localhost:5050/",
//!     "method": "PUT",
//!     "mode": "cors"
//! });
//! ```
//!
//! Both are `JSON.stringify` of an options object (Chromium's
//! `NetworkLogView.generateFetchCall`, 2-space indent; Firefox's
//! `RequestListContextMenu.generateFetchString`, 4-space indent, `await`);
//! Chromium's "Copy as fetch (Node.js)" puts `cookie` and `Referer` among
//! the headers and has no `mode` or `credentials`. Chromium leaves out the
//! headers `fetch()` may not set (its `FORBIDDEN_HEADER_RULES`, and
//! `User-Agent`) and lower-cases and sorts the rest; Firefox leaves out only
//! its short list (`Origin`, `Cookie`, `Referer`, `Host` …) and keeps
//! `User-Agent`, `Accept-Language`, `Sec-Fetch-*`, `Priority`. Both write
//! `mode: "cors"` whatever the page used, and `credentials: "include"` when
//! the request carried cookies or an `Authorization` header, else `"omit"`.
//!
//! The headers are then sorted by the very rule the cURL reader uses
//! (`CopiedRequest::assemble`): what `fetch()` could not have set is left
//! out and named ([`CopiedRequest::dropped`]). The page's origin comes from
//! the `referrer` (the copy has no `Origin`), its cookies from a `cookie`
//! header (Node.js flavour only).
//!
//! # Syntax
//!
//! A strict reading of what the generators write, and of what a person does
//! to it: `fetch(URL)` or `fetch(URL, OPTIONS)`, with an optional `await`,
//! trailing `;`, comments (`//`, `/* */`) and blanks anywhere; strings in
//! `"…"`, `'…'` or `` `…` `` (without `${…}`) with every JavaScript escape
//! (`\n` `\t` `\xHH` `\uHHHH` `\u{H…}` `\0`, a line continuation; a UTF-16
//! surrogate pair is one character, a lone surrogate U+FFFD); keys quoted or
//! bare; trailing commas; `null`, `undefined`, `true`, `false` and numbers.
//! `headers` is an object or an array of `[name, value]` pairs. Anything
//! computed (`JSON.stringify(x)`, a variable, `+`) is refused: the copy must
//! hold values, and no JavaScript is ever run. An unknown option is refused
//! by name; those the engine does not model (`referrerPolicy`, `cache`,
//! `redirect`, `keepalive`, `integrity`, `priority`, `signal`, `duplex`,
//! `window`) are listed in [`CopiedRequest::ignored_flags`].
//!
//! # Bounds
//!
//! Input longer than [`MAX_INPUT_LEN`] (1 MiB) is refused before it is read;
//! objects nest at most [`MAX_DEPTH`] deep; the rest is one pass. No input
//! makes it panic.
//!
//! # Examples
//!
//! ```
//! use corslab::formats::fetch_copy::parse_fetch_copy;
//! use corslab::{Browser, CredentialsMode, RequestMode};
//!
//! let copied = parse_fetch_copy(r#"fetch("http://localhost:8080/data", {
//!   "headers": {
//!     "accept": "*/*",
//!     "content-type": "application/json",
//!     "sec-ch-ua-mobile": "?0"
//!   },
//!   "referrer": "http://localhost:5050/",
//!   "body": "{\"a\":1}",
//!   "method": "PUT",
//!   "mode": "cors",
//!   "credentials": "omit"
//! });"#).unwrap();
//! assert_eq!(copied.method, "PUT");
//! assert_eq!(copied.headers, [("content-type".to_owned(), "application/json".to_owned())]);
//! assert_eq!(copied.origin.as_deref(), Some("http://localhost:5050"));
//! assert_eq!(copied.browser, Some(Browser::Chrome));
//! assert_eq!(copied.dropped.len(), 2);
//! let call = copied.fetch_call();
//! assert_eq!((call.mode, call.credentials), (RequestMode::Cors, CredentialsMode::Omit));
//! assert_eq!(call.body.as_deref(), Some(r#"{"a":1}"#));
//! ```

use std::fmt;

use serde::Serialize;
use url::Url;

use crate::browsers::profile::Browser;
use crate::fetch::request::{CredentialsMode, RequestMode};
use crate::formats::curl::{CopiedRequest, CopyParts, CopyWarning};
use crate::formats::pasted::{PastedKind, pasted_kind};

pub use crate::formats::curl::MAX_INPUT_LEN;

/// How deep objects and arrays may nest (the options, `headers`, a pair).
pub const MAX_DEPTH: usize = 4;

/// The rule a pasted `fetch()` call broke.
///
/// Flat and `Copy`, one fixed lower-case message each; the text and place
/// travel beside it in [`FetchCopyError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum FetchCopyErrorKind {
    /// Longer than [`MAX_INPUT_LEN`].
    TooLong,
    /// Nothing but blanks and comments.
    Empty,
    /// A curl command ("Copy as cURL").
    Curl,
    /// Not a `fetch(…)` call.
    NotFetch,
    /// Text where the syntax wants something else.
    Unexpected,
    /// A string that is never closed.
    UnterminatedString,
    /// A `/* …` comment that is never closed.
    UnterminatedComment,
    /// A backslash escape JavaScript does not have (or a legacy octal one).
    InvalidEscape,
    /// Code where a value belongs: a variable, a call, `${…}`, an operator.
    Expression,
    /// An option `fetch()` does not have.
    UnknownOption,
    /// An option with a value of the wrong kind, or not one it takes.
    InvalidValue,
    /// Objects nested deeper than [`MAX_DEPTH`].
    TooDeep,
    /// A second `fetch()` call ("Copy all as fetch").
    SeveralCalls,
    /// Text after the call.
    TrailingInput,
    /// A URL that is not an absolute `http:` or `https:` URL.
    InvalidUrl,
}

impl FetchCopyErrorKind {
    /// The fixed, lower-case message of this kind.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooLong => "input is longer than 1 MiB",
            Self::Empty => "input holds no fetch() call",
            Self::Curl => "this is a curl command (copy as cURL): use --from-curl",
            Self::NotFetch => "input is not a fetch() call (copy as fetch)",
            Self::Unexpected => "unexpected text",
            Self::UnterminatedString => "string is never closed",
            Self::UnterminatedComment => "comment is never closed",
            Self::InvalidEscape => "escape is not one javascript has",
            Self::Expression => "code where a value belongs (the copy must hold values; nothing is run)",
            Self::UnknownOption => "fetch() has no such option",
            Self::InvalidValue => "option has a value it does not take",
            Self::TooDeep => "objects nest too deep",
            Self::SeveralCalls => "a second fetch() call (copy as fetch one request, not all)",
            Self::TrailingInput => "text after the fetch() call",
            Self::InvalidUrl => "url is not an absolute http or https url",
        }
    }
}

impl fmt::Display for FetchCopyErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Why a pasted `fetch()` call could not be read: the rule it broke, what
/// was expected, the text that broke it and its byte offset.
///
/// # Examples
///
/// ```
/// use corslab::formats::fetch_copy::{parse_fetch_copy, FetchCopyErrorKind};
///
/// let e = parse_fetch_copy(r#"fetch("https://a.test/", {"body": JSON.stringify(data)})"#).unwrap_err();
/// assert_eq!(e.kind(), FetchCopyErrorKind::Expression);
/// assert_eq!(e.to_string(), "code where a value belongs (the copy must hold values; nothing is run): \"JSON\" (at byte 34)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct FetchCopyError {
    kind: FetchCopyErrorKind,
    expected: Option<&'static str>,
    token: String,
    offset: usize,
}

/// The longest token an error carries, in characters.
const MAX_TOKEN_CHARS: usize = 60;

impl FetchCopyError {
    fn new(kind: FetchCopyErrorKind, token: &str, offset: usize) -> FetchCopyError {
        let token = match token.char_indices().nth(MAX_TOKEN_CHARS) {
            Some((end, _)) => format!("{}…", &token[..end]),
            None => token.to_owned(),
        };
        FetchCopyError { kind, expected: None, token, offset }
    }

    fn expected(mut self, what: &'static str) -> FetchCopyError {
        self.expected = Some(what);
        self
    }

    /// The rule that was broken.
    pub fn kind(&self) -> FetchCopyErrorKind {
        self.kind
    }

    /// What the syntax wanted there, if it says.
    pub fn expected_text(&self) -> Option<&'static str> {
        self.expected
    }

    /// The offending text (cut to a few dozen characters); may be empty.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The byte offset in the input where the offending text starts.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for FetchCopyError {
    /// `message[: expected …, found "token"] (at byte N)`, the token with
    /// control characters escaped.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.kind.message())?;
        match (self.expected, self.token.is_empty()) {
            (Some(what), true) => write!(f, ": expected {what}")?,
            (Some(what), false) => write!(f, ": expected {what}, found {:?}", self.token)?,
            (None, false) => write!(f, ": {:?}", self.token)?,
            (None, true) => {}
        }
        write!(f, " (at byte {})", self.offset)
    }
}

impl std::error::Error for FetchCopyError {}

/// Reads a "Copy as fetch" (or "Copy as fetch (Node.js)") call.
///
/// # Errors
///
/// A [`FetchCopyError`] for input over [`MAX_INPUT_LEN`], a curl command,
/// anything but one `fetch(URL[, OPTIONS])` call, a string or comment never
/// closed, an escape JavaScript does not have, code where a value belongs,
/// an unknown option or a value an option does not take, nesting deeper
/// than [`MAX_DEPTH`], or a URL that is not absolute `http(s)`.
pub fn parse_fetch_copy(text: &str) -> Result<CopiedRequest, FetchCopyError> {
    if text.len() > MAX_INPUT_LEN {
        return Err(FetchCopyError::new(FetchCopyErrorKind::TooLong, "", MAX_INPUT_LEN));
    }
    let mut reader = Reader { text, at: 0 };
    reader.blanks()?;
    if reader.rest().is_empty() {
        return Err(FetchCopyError::new(FetchCopyErrorKind::Empty, "", text.len()));
    }
    let call = reader.call()?;
    reader.blanks()?;
    if reader.eat(";") {
        reader.blanks()?;
    }
    if !reader.rest().is_empty() {
        let start = reader.at;
        let word = reader.peek_word();
        let kind = if word == "fetch" || word == "await" {
            FetchCopyErrorKind::SeveralCalls
        } else {
            FetchCopyErrorKind::TrailingInput
        };
        return Err(FetchCopyError::new(kind, excerpt(reader.rest()), start));
    }
    build(call)
}

/// A JavaScript value, as far as a copy holds them.
#[derive(Clone, Debug, PartialEq)]
enum Value {
    Str(String),
    /// A number, as written.
    Number(String),
    Bool(bool),
    /// `null` or `undefined`.
    Nothing,
    Object(Vec<Member>),
    Array(Vec<(Value, usize)>),
}

/// `key: value`, with the key's and the value's offsets.
#[derive(Clone, Debug, PartialEq)]
struct Member {
    key: String,
    key_at: usize,
    value: Value,
    value_at: usize,
}

/// `fetch(url, options)`, as read.
#[derive(Debug)]
struct Call {
    awaited: bool,
    url: String,
    url_at: usize,
    options: Vec<Member>,
}

/// A cursor over the input.
struct Reader<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Reader<'a> {
    fn rest(&self) -> &'a str {
        &self.text[self.at..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn eat(&mut self, literal: &str) -> bool {
        if self.rest().starts_with(literal) {
            self.at += literal.len();
            true
        } else {
            false
        }
    }

    /// The identifier at the cursor (not consumed), or "".
    fn peek_word(&self) -> &'a str {
        let rest = self.rest();
        let end = rest.find(|c: char| !is_identifier_char(c)).unwrap_or(rest.len());
        if rest.chars().next().is_some_and(|c| c.is_ascii_digit()) { "" } else { &rest[..end] }
    }

    fn word(&mut self) -> &'a str {
        let word = self.peek_word();
        self.at += word.len();
        word
    }

    fn error(&self, kind: FetchCopyErrorKind) -> FetchCopyError {
        FetchCopyError::new(kind, excerpt(self.rest()), self.at)
    }

    fn unexpected(&self, what: &'static str) -> FetchCopyError {
        let rest = self.rest();
        let token = match rest.chars().next() {
            None => "",
            Some(c) if is_identifier_char(c) => self.peek_word(),
            Some(c) => &rest[..c.len_utf8()],
        };
        FetchCopyError::new(FetchCopyErrorKind::Unexpected, token, self.at).expected(what)
    }

    /// Blanks and comments.
    fn blanks(&mut self) -> Result<(), FetchCopyError> {
        loop {
            let rest = self.rest();
            let trimmed = rest.trim_start();
            self.at += rest.len() - trimmed.len();
            if self.rest().starts_with("//") {
                let rest = self.rest();
                self.at += rest.find(['\n', '\r', '\u{2028}', '\u{2029}']).unwrap_or(rest.len());
            } else if self.rest().starts_with("/*") {
                match self.rest()[2..].find("*/") {
                    Some(end) => self.at += end + 4,
                    None => return Err(FetchCopyError::new(FetchCopyErrorKind::UnterminatedComment, "/*", self.at)),
                }
            } else {
                return Ok(());
            }
        }
    }

    /// `[await] fetch(URL[, OPTIONS][,])`.
    fn call(&mut self) -> Result<Call, FetchCopyError> {
        if pasted_kind(self.rest()) == PastedKind::Curl {
            return Err(self.error(FetchCopyErrorKind::Curl));
        }
        let mut awaited = false;
        let start = self.at;
        let mut word = self.word();
        if word == "await" {
            awaited = true;
            self.blanks()?;
            word = self.word();
        }
        if word == "window" && self.eat(".") {
            word = self.word();
        }
        if word != "fetch" {
            return Err(FetchCopyError::new(FetchCopyErrorKind::NotFetch, excerpt(&self.text[start..]), start));
        }
        self.blanks()?;
        if !self.eat("(") {
            return Err(self.unexpected("'(' after fetch"));
        }
        self.blanks()?;
        let url_at = self.at;
        let url = match self.value(0)? {
            Value::Str(url) => url,
            _ => return Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, "", url_at).expected("the URL, a string")),
        };
        self.blanks()?;
        let mut options = Vec::new();
        if self.eat(",") {
            self.blanks()?;
            if self.peek() != Some(')') {
                let at = self.at;
                match self.value(0)? {
                    Value::Object(members) => options = members,
                    Value::Nothing => {}
                    _ => {
                        return Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, "", at)
                            .expected("the options, an object"));
                    }
                }
                self.blanks()?;
                if self.eat(",") {
                    self.blanks()?;
                }
            }
        }
        if !self.eat(")") {
            return Err(self.after_value("')' closing fetch("));
        }
        Ok(Call { awaited, url, url_at, options })
    }

    /// A value: a string, a number, `null`, `undefined`, `true`, `false`,
    /// an object or an array.
    fn value(&mut self, depth: usize) -> Result<Value, FetchCopyError> {
        let at = self.at;
        match self.peek() {
            Some('"' | '\'' | '`') => self.string().map(Value::Str),
            Some('{') => self.object(depth + 1).map(Value::Object),
            Some('[') => self.array(depth + 1).map(Value::Array),
            Some(c) if c.is_ascii_digit() || c == '-' => {
                let rest = self.rest();
                let end = rest[1..].find(|c: char| !(c.is_ascii_digit() || c == '.')).map_or(rest.len(), |e| e + 1);
                self.at += end;
                Ok(Value::Number(rest[..end].to_owned()))
            }
            Some(c) if is_identifier_char(c) => match self.word() {
                "null" | "undefined" => Ok(Value::Nothing),
                "true" => Ok(Value::Bool(true)),
                "false" => Ok(Value::Bool(false)),
                word => Err(FetchCopyError::new(FetchCopyErrorKind::Expression, word, at)),
            },
            None => Err(self.unexpected("a value")),
            Some(_) => Err(self.unexpected("a value")),
        }
    }

    /// `{ key: value, … }`.
    fn object(&mut self, depth: usize) -> Result<Vec<Member>, FetchCopyError> {
        if depth > MAX_DEPTH {
            return Err(self.error(FetchCopyErrorKind::TooDeep));
        }
        self.at += 1; // `{`
        let mut members = Vec::new();
        loop {
            self.blanks()?;
            if self.eat("}") {
                return Ok(members);
            }
            let key_at = self.at;
            let key = match self.peek() {
                Some('"' | '\'') => self.string()?,
                Some('`') => return Err(self.unexpected("a key")),
                Some(c) if is_identifier_char(c) && !c.is_ascii_digit() => self.word().to_owned(),
                _ => return Err(self.unexpected("a key or '}'")),
            };
            self.blanks()?;
            if !self.eat(":") {
                return Err(self.unexpected("':' after a key"));
            }
            self.blanks()?;
            let value_at = self.at;
            let value = self.value(depth)?;
            members.push(Member { key, key_at, value, value_at });
            self.blanks()?;
            if self.eat("}") {
                return Ok(members);
            }
            if !self.eat(",") {
                return Err(self.after_value("',' or '}'"));
            }
        }
    }

    /// `[ value, … ]`.
    fn array(&mut self, depth: usize) -> Result<Vec<(Value, usize)>, FetchCopyError> {
        if depth > MAX_DEPTH {
            return Err(self.error(FetchCopyErrorKind::TooDeep));
        }
        self.at += 1; // `[`
        let mut items = Vec::new();
        loop {
            self.blanks()?;
            if self.eat("]") {
                return Ok(items);
            }
            let at = self.at;
            items.push((self.value(depth)?, at));
            self.blanks()?;
            if self.eat("]") {
                return Ok(items);
            }
            if !self.eat(",") {
                return Err(self.after_value("',' or ']'"));
            }
        }
    }

    /// After a value, where an operator means code (`"a" + b`).
    fn after_value(&self, what: &'static str) -> FetchCopyError {
        match self.peek() {
            Some('+' | '-' | '*' | '/' | '.' | '(' | '?' | '|' | '&') => self.error(FetchCopyErrorKind::Expression),
            _ => self.unexpected(what),
        }
    }

    /// A string literal, its escapes read.
    fn string(&mut self) -> Result<String, FetchCopyError> {
        let start = self.at;
        let Some(quote) = self.peek() else { return Err(self.unexpected("a string")) };
        self.at += 1;
        let mut out = String::new();
        // A high surrogate waiting for its low half.
        let mut high: Option<u32> = None;
        let unterminated = || FetchCopyError::new(FetchCopyErrorKind::UnterminatedString, excerpt(&self.text[start..]), start);
        loop {
            let Some(c) = self.peek() else { return Err(unterminated()) };
            let escape_at = self.at;
            self.at += c.len_utf8();
            let unit = match c {
                c if c == quote => {
                    push_unit(&mut out, &mut high, None);
                    return Ok(out);
                }
                '\n' | '\r' if quote != '`' => return Err(unterminated()),
                '$' if quote == '`' && self.peek() == Some('{') => {
                    return Err(FetchCopyError::new(FetchCopyErrorKind::Expression, "${", escape_at));
                }
                '\\' => match self.escape(escape_at)? {
                    Escape::Unit(unit) => unit,
                    Escape::Char(c) => {
                        push_unit(&mut out, &mut high, None);
                        out.push(c);
                        continue;
                    }
                    Escape::Nothing => continue,
                },
                c => {
                    push_unit(&mut out, &mut high, None);
                    out.push(c);
                    continue;
                }
            };
            push_unit(&mut out, &mut high, Some(unit));
        }
    }

    /// After a backslash: what it stands for.
    fn escape(&mut self, at: usize) -> Result<Escape, FetchCopyError> {
        let invalid = |len: usize| FetchCopyError::new(FetchCopyErrorKind::InvalidEscape, self.text.get(at..at + len).unwrap_or("\\"), at);
        let Some(c) = self.peek() else {
            return Err(FetchCopyError::new(FetchCopyErrorKind::UnterminatedString, "\\", at));
        };
        self.at += c.len_utf8();
        let escaped = match c {
            'n' => '\n',
            'r' => '\r',
            't' => '\t',
            'b' => '\u{8}',
            'f' => '\u{c}',
            'v' => '\u{b}',
            '0' if !self.peek().is_some_and(|d| d.is_ascii_digit()) => '\0',
            '1'..='9' | '0' => return Err(invalid(2)),
            // A line continuation: nothing.
            '\n' | '\u{2028}' | '\u{2029}' => return Ok(Escape::Nothing),
            '\r' => {
                self.eat("\n");
                return Ok(Escape::Nothing);
            }
            'x' => {
                let hex = self.rest().get(..2).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit())).ok_or_else(|| invalid(2))?;
                self.at += 2;
                let value = u32::from_str_radix(hex, 16).map_err(|_| invalid(4))?;
                return Ok(Escape::Char(char::from_u32(value).unwrap_or(char::REPLACEMENT_CHARACTER)));
            }
            'u' if self.eat("{") => {
                let rest = self.rest();
                let end = rest.find('}').filter(|&e| (1..=6).contains(&e)).ok_or_else(|| invalid(3))?;
                let value = u32::from_str_radix(&rest[..end], 16).map_err(|_| invalid(end + 4))?;
                self.at += end + 1;
                return match char::from_u32(value) {
                    Some(c) => Ok(Escape::Char(c)),
                    None if value <= 0xFFFF => Ok(Escape::Unit(value)),
                    None => Err(invalid(end + 4)),
                };
            }
            'u' => {
                let hex = self.rest().get(..4).filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit())).ok_or_else(|| invalid(2))?;
                self.at += 4;
                let value = u32::from_str_radix(hex, 16).map_err(|_| invalid(6))?;
                return Ok(Escape::Unit(value));
            }
            // `\"`, `\'`, `\\`, `\/` and every other character: itself.
            other => other,
        };
        Ok(Escape::Char(escaped))
    }
}

/// What an escape stands for.
enum Escape {
    /// A character.
    Char(char),
    /// A UTF-16 code unit (half a surrogate pair, maybe).
    Unit(u32),
    /// Nothing (a line continuation).
    Nothing,
}

/// Appends a UTF-16 unit, pairing surrogates; a lone one is U+FFFD. `None`
/// flushes a waiting high surrogate.
fn push_unit(out: &mut String, high: &mut Option<u32>, unit: Option<u32>) {
    match (high.take(), unit) {
        (Some(h), Some(l)) if (0xDC00..=0xDFFF).contains(&l) => {
            let c = 0x10000 + ((h - 0xD800) << 10) + (l - 0xDC00);
            out.push(char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER));
            return;
        }
        (Some(_), _) => out.push(char::REPLACEMENT_CHARACTER),
        (None, _) => {}
    }
    match unit {
        Some(h) if (0xD800..=0xDBFF).contains(&h) => *high = Some(h),
        Some(u) => out.push(char::from_u32(u).unwrap_or(char::REPLACEMENT_CHARACTER)),
        None => {}
    }
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '$'
}

fn excerpt(text: &str) -> &str {
    match text.char_indices().nth(MAX_TOKEN_CHARS) {
        Some((end, _)) => &text[..end],
        None => text,
    }
}

/// The options the engine does not model: listed, not refused.
const IGNORED_OPTIONS: &[&str] =
    &["referrerPolicy", "cache", "redirect", "integrity", "keepalive", "priority", "signal", "duplex", "window"];

/// The request, from the call as read.
fn build(call: Call) -> Result<CopiedRequest, FetchCopyError> {
    let parsed_url = Url::parse(&call.url)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .ok_or_else(|| FetchCopyError::new(FetchCopyErrorKind::InvalidUrl, &call.url, call.url_at))?;
    // JavaScript keeps the last of a repeated key.
    let option = |name: &str| call.options.iter().rev().find(|m| m.key == name);
    for member in &call.options {
        if !matches!(member.key.as_str(), "headers" | "body" | "method" | "mode" | "credentials" | "referrer")
            && !IGNORED_OPTIONS.contains(&member.key.as_str())
        {
            return Err(FetchCopyError::new(FetchCopyErrorKind::UnknownOption, &member.key, member.key_at));
        }
    }
    let string = |name: &'static str| -> Result<Option<(&str, usize)>, FetchCopyError> {
        match option(name) {
            None => Ok(None),
            Some(Member { value: Value::Str(s), value_at, .. }) => Ok(Some((s.as_str(), *value_at))),
            Some(Member { value: Value::Nothing, .. }) => Ok(None),
            Some(m) => Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, name, m.value_at).expected("a string")),
        }
    };
    let one_of = |name: &'static str, expected: &'static str, allowed: &[&str]| -> Result<Option<String>, FetchCopyError> {
        match string(name)? {
            Some((value, _)) if allowed.contains(&value) => Ok(Some(value.to_owned())),
            Some((value, at)) => Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, value, at).expected(expected)),
            None => Ok(None),
        }
    };

    let method = string("method")?.map_or("GET", |(m, _)| m).to_owned();
    let body = match option("body") {
        None => None,
        Some(Member { value: Value::Str(s), .. }) => Some(s.clone()),
        Some(Member { value: Value::Nothing, .. }) => None,
        Some(m) => {
            return Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, "body", m.value_at).expected("a string or null"));
        }
    };
    let mut warnings = Vec::new();
    let mode = one_of("mode", "cors, no-cors, same-origin or navigate", &["cors", "no-cors", "same-origin", "navigate"])?;
    let mode = match mode.as_deref() {
        Some("cors") => Some(RequestMode::Cors),
        Some("no-cors") => Some(RequestMode::NoCors),
        Some("same-origin") => Some(RequestMode::SameOrigin),
        Some(other) => {
            warnings.push(CopyWarning::NotAFetch { sec_fetch_mode: other.to_owned() });
            None
        }
        None => None,
    };
    let credentials = match one_of("credentials", "omit, same-origin or include", &["omit", "same-origin", "include"])?.as_deref() {
        Some("omit") => Some(CredentialsMode::Omit),
        Some("same-origin") => Some(CredentialsMode::SameOrigin),
        Some("include") => Some(CredentialsMode::Include),
        _ => None,
    };
    // `about:client` is the default, "" no referrer: neither names a page.
    let page_url = string("referrer")?.map(|(r, _)| r).filter(|r| !r.is_empty() && *r != "about:client").map(str::to_owned);

    let headers = match option("headers") {
        None => Vec::new(),
        Some(member) => header_pairs(member)?,
    };
    let mut ignored = Vec::new();
    for member in &call.options {
        if IGNORED_OPTIONS.contains(&member.key.as_str()) {
            ignored.push(match &member.value {
                Value::Str(s) => format!("{}: {s}", member.key),
                Value::Bool(b) => format!("{}: {b}", member.key),
                Value::Number(n) => format!("{}: {n}", member.key),
                _ => member.key.clone(),
            });
        }
    }
    let authorization = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    let cookie = headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("cookie"));
    if credentials == Some(CredentialsMode::Include) && authorization && !cookie {
        warnings.push(CopyWarning::CredentialsFromDevtools);
    }
    let first_key = call.options.first().map(|m| m.key.as_str());
    let browser = if call.awaited || first_key == Some("credentials") {
        Some(Browser::Firefox)
    } else if matches!(first_key, Some("headers" | "referrer" | "body")) {
        Some(Browser::Chrome)
    } else {
        None
    };
    Ok(CopiedRequest::assemble(CopyParts {
        headers,
        body,
        ignored,
        warnings,
        browser,
        mode,
        credentials,
        page_url,
        ..CopyParts::new(call.url, parsed_url, method)
    }))
}

/// `headers`: an object of names and values, or an array of pairs.
fn header_pairs(member: &Member) -> Result<Vec<(String, String)>, FetchCopyError> {
    let text = |value: &Value, at: usize| -> Result<Option<String>, FetchCopyError> {
        match value {
            Value::Str(s) | Value::Number(s) => Ok(Some(s.clone())),
            Value::Bool(b) => Ok(Some(b.to_string())),
            Value::Nothing => Ok(None),
            _ => Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, "", at).expected("a header value, a string")),
        }
    };
    match &member.value {
        Value::Nothing => Ok(Vec::new()),
        Value::Object(members) => {
            let mut out = Vec::new();
            for m in members {
                // `{"x-a": undefined}` sends nothing in fetch() either… it
                // sends "undefined"; a copy never holds it, so refuse.
                match text(&m.value, m.value_at)? {
                    Some(value) => out.push((m.key.clone(), value)),
                    None => {
                        return Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, &m.key, m.value_at)
                            .expected("a header value, a string"));
                    }
                }
            }
            Ok(out)
        }
        Value::Array(items) => {
            let mut out = Vec::new();
            for (item, at) in items {
                match item {
                    Value::Array(pair) if pair.len() == 2 => {
                        let name = match &pair[0].0 {
                            Value::Str(s) => s.clone(),
                            _ => {
                                return Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, "", pair[0].1)
                                    .expected("a header name, a string"));
                            }
                        };
                        let value = text(&pair[1].0, pair[1].1)?.ok_or_else(|| {
                            FetchCopyError::new(FetchCopyErrorKind::InvalidValue, &name, pair[1].1).expected("a header value, a string")
                        })?;
                        out.push((name, value));
                    }
                    _ => {
                        return Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, "", *at)
                            .expected("a [name, value] pair"));
                    }
                }
            }
            Ok(out)
        }
        _ => Err(FetchCopyError::new(FetchCopyErrorKind::InvalidValue, "headers", member.value_at)
            .expected("an object of headers, or an array of [name, value] pairs")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn string(text: &str) -> Result<String, FetchCopyError> {
        Reader { text, at: 0 }.string()
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn javascript_escapes() {
        assert_eq!(string(r#""a\"b\\c\/d\n\t\x41\u00e9\u{1F600}""#).unwrap(), "a\"b\\c/d\n\tAé😀");
        assert_eq!(string(r#""\uD83D\uDE00""#).unwrap(), "😀");
        assert_eq!(string(r#""\uD83Dx""#).unwrap(), "\u{FFFD}x");
        assert_eq!(string(r#""\uDE00""#).unwrap(), "\u{FFFD}");
        assert_eq!(string("'it\\'s'").unwrap(), "it's");
        assert_eq!(string("`two\nlines`").unwrap(), "two\nlines");
        assert_eq!(string("\"a\\\nb\"").unwrap(), "ab");
        assert_eq!(string(r#""\0""#).unwrap(), "\0");
        assert_eq!(string(r#""\q""#).unwrap(), "q");
        assert_eq!(string(r#""\07""#).unwrap_err().kind(), FetchCopyErrorKind::InvalidEscape);
        assert_eq!(string(r#""\xZZ""#).unwrap_err().kind(), FetchCopyErrorKind::InvalidEscape);
        assert_eq!(string(r#""\u{110000}""#).unwrap_err().kind(), FetchCopyErrorKind::InvalidEscape);
        assert_eq!(string("\"open").unwrap_err().kind(), FetchCopyErrorKind::UnterminatedString);
        assert_eq!(string("\"two\nlines\"").unwrap_err().kind(), FetchCopyErrorKind::UnterminatedString);
        assert_eq!(string("`a${b}`").unwrap_err().kind(), FetchCopyErrorKind::Expression);
        assert_eq!(string("\"\\").unwrap_err().kind(), FetchCopyErrorKind::UnterminatedString);
    }
}
