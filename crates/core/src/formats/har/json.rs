//! A pull reader of JSON text with bounds, for HAR files that do not fit in
//! memory: it reads one value at a time from any [`Read`], keeps only the
//! object members a [`Rule`] asks for, cuts kept strings at a length, and
//! skips everything else (a response body of any size included) without
//! holding it.
//!
//! serde_json reads a string whole into a scratch buffer before a visitor
//! sees it, so even a skipped 100 MB `content.text` would cost 100 MB; here
//! a skipped string costs nothing and a kept one at most its cap. Skipping
//! is iterative (no recursion), kept values nest at most [`MAX_DEPTH`]
//! deep. Every error names the byte offset where the text broke the rule.
//!
//! <https://www.rfc-editor.org/rfc/rfc8259>

use std::fmt;
use std::io::Read;

use serde_json::{Map, Number, Value};

/// The deepest a kept value may nest.
pub(super) const MAX_DEPTH: usize = 32;
/// The bytes read from the source at a time.
const CHUNK: usize = 64 * 1024;

/// What to do with a member of an object being kept.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Rule {
    /// Skip it without keeping anything.
    Skip,
    /// Keep it, strings cut at `string_cap` bytes and arrays at
    /// `items_cap` elements.
    Keep { string_cap: usize, items_cap: usize },
}

/// Why the JSON text cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct JsonError {
    /// The byte offset where it broke.
    pub offset: u64,
    /// What was wrong.
    pub kind: JsonErrorKind,
}

/// What was wrong with the JSON text.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// The text ends inside a value: the file is truncated.
    Truncated,
    /// A byte that cannot start or continue the value here.
    Unexpected {
        /// The byte found.
        found: u8,
        /// What was expected.
        expected: &'static str,
    },
    /// An escape that is not JSON's.
    BadEscape,
    /// A number that does not parse.
    BadNumber,
    /// Values nested deeper than 32 levels (`MAX_DEPTH`) where they are kept.
    TooDeep,
    /// The source could not be read.
    Io(String),
}

impl fmt::Display for JsonError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            JsonErrorKind::Truncated => write!(f, "the JSON ends early at byte {} (truncated file?)", self.offset),
            JsonErrorKind::Unexpected { found, expected } => {
                let shown = if found.is_ascii_graphic() { format!("'{}'", char::from(*found)) } else { format!("byte 0x{found:02x}") };
                write!(f, "invalid JSON at byte {}: found {shown}, expected {expected}", self.offset)
            }
            JsonErrorKind::BadEscape => write!(f, "invalid JSON at byte {}: a string escape that JSON does not have", self.offset),
            JsonErrorKind::BadNumber => write!(f, "invalid JSON at byte {}: a malformed number", self.offset),
            JsonErrorKind::TooDeep => write!(f, "invalid HAR at byte {}: values nested over {MAX_DEPTH} deep", self.offset),
            JsonErrorKind::Io(e) => write!(f, "read error at byte {}: {e}", self.offset),
        }
    }
}

impl std::error::Error for JsonError {}

/// The JSON reader over a byte source.
pub(super) struct Scanner<R> {
    source: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// Bytes consumed before `buf[0]`.
    base: u64,
    eof: bool,
}

type Result<T> = std::result::Result<T, JsonError>;

impl<R: Read> Scanner<R> {
    pub(super) fn new(source: R) -> Scanner<R> {
        Scanner { source, buf: vec![0; CHUNK], pos: 0, len: 0, base: 0, eof: false }
    }

    /// The offset of the next byte.
    pub(super) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    fn error(&self, kind: JsonErrorKind) -> JsonError {
        JsonError { offset: self.offset(), kind }
    }

    /// The next byte, without consuming it; `None` at the end.
    fn peek_raw(&mut self) -> Result<Option<u8>> {
        if self.pos < self.len {
            return Ok(Some(self.buf[self.pos]));
        }
        if self.eof {
            return Ok(None);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.source.read(&mut self.buf) {
                Ok(0) => {
                    self.eof = true;
                    return Ok(None);
                }
                Ok(n) => {
                    self.len = n;
                    return Ok(Some(self.buf[0]));
                }
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(self.error(JsonErrorKind::Io(e.to_string()))),
            }
        }
    }

    fn next_raw(&mut self) -> Result<u8> {
        match self.peek_raw()? {
            Some(b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(self.error(JsonErrorKind::Truncated)),
        }
    }

    /// The next byte that is not whitespace, without consuming it.
    pub(super) fn peek(&mut self) -> Result<Option<u8>> {
        loop {
            match self.peek_raw()? {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                // A byte order mark at the very start (DevTools never
                // writes one; editors sometimes do).
                Some(0xEF) if self.offset() == 0 => {
                    self.pos += 1;
                    for _ in 0..2 {
                        let _ = self.next_raw()?;
                    }
                }
                other => return Ok(other),
            }
        }
    }

    /// Consumes `byte` (after whitespace), or fails saying `expected`.
    pub(super) fn expect(&mut self, byte: u8, expected: &'static str) -> Result<()> {
        match self.peek()? {
            Some(b) if b == byte => {
                self.pos += 1;
                Ok(())
            }
            Some(found) => Err(self.error(JsonErrorKind::Unexpected { found, expected })),
            None => Err(self.error(JsonErrorKind::Truncated)),
        }
    }

    /// Whether the text has ended (whitespace aside).
    pub(super) fn at_end(&mut self) -> Result<bool> {
        Ok(self.peek()?.is_none())
    }

    /// Inside an object or array after a member: `true` when another
    /// follows (a comma was read), `false` at the closing `close`.
    pub(super) fn more(&mut self, close: u8) -> Result<bool> {
        match self.peek()? {
            Some(b',') => {
                self.pos += 1;
                Ok(true)
            }
            Some(b) if b == close => {
                self.pos += 1;
                Ok(false)
            }
            Some(found) => Err(self.error(JsonErrorKind::Unexpected {
                found,
                expected: if close == b'}' { "',' or '}'" } else { "',' or ']'" },
            })),
            None => Err(self.error(JsonErrorKind::Truncated)),
        }
    }

    /// Opens an object: `true` when it has a first member.
    pub(super) fn begin_object(&mut self) -> Result<bool> {
        self.expect(b'{', "'{'")?;
        if self.peek()? == Some(b'}') {
            self.pos += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Opens an array: `true` when it has a first element.
    pub(super) fn begin_array(&mut self) -> Result<bool> {
        self.expect(b'[', "'['")?;
        if self.peek()? == Some(b']') {
            self.pos += 1;
            return Ok(false);
        }
        Ok(true)
    }

    /// Reads a member's key and its colon (keys are cut at 256 bytes).
    pub(super) fn key(&mut self) -> Result<String> {
        let (key, _) = self.string(256)?;
        self.expect(b':', "':'")?;
        Ok(key)
    }

    /// What kind of value comes next.
    pub(super) fn next_is(&mut self, byte: u8) -> Result<bool> {
        Ok(self.peek()? == Some(byte))
    }

    /// Reads a string, keeping at most `cap` bytes of it (cut at a
    /// character boundary); also returns its whole length in bytes.
    pub(super) fn string(&mut self, cap: usize) -> Result<(String, usize)> {
        self.expect(b'"', "a string")?;
        let mut kept: Vec<u8> = Vec::new();
        let mut total = 0usize;
        let mut push = |kept: &mut Vec<u8>, bytes: &[u8]| {
            total += bytes.len();
            if kept.len() < cap.saturating_add(4) {
                kept.extend_from_slice(bytes);
            }
        };
        loop {
            // Fast path: a run of plain bytes in the buffer.
            if self.pos < self.len {
                let start = self.pos;
                let end = self.buf[start..self.len]
                    .iter()
                    .position(|&b| b == b'"' || b == b'\\' || b < 0x20)
                    .map_or(self.len, |i| start + i);
                if end > start {
                    let run = &self.buf[start..end];
                    push(&mut kept, run);
                    self.pos = end;
                    continue;
                }
            }
            let b = self.next_raw()?;
            match b {
                b'"' => break,
                b'\\' => {
                    let c = self.escape()?;
                    let mut utf8 = [0u8; 4];
                    push(&mut kept, c.encode_utf8(&mut utf8).as_bytes());
                }
                0x00..=0x1f => {
                    self.pos -= 1;
                    return Err(self.error(JsonErrorKind::Unexpected { found: b, expected: "an escaped control character" }));
                }
                _ => push(&mut kept, &[b]),
            }
        }
        let mut text = String::from_utf8_lossy(&kept).into_owned();
        text.truncate(text.floor_char_boundary(cap));
        Ok((text, total))
    }

    /// After a backslash: the escaped character.
    fn escape(&mut self) -> Result<char> {
        let c = match self.next_raw()? {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => {
                let high = self.hex4()?;
                if (0xD800..0xDC00).contains(&high) {
                    // A surrogate pair, or a lone high surrogate.
                    if self.peek_raw()? == Some(b'\\') {
                        self.pos += 1;
                        if self.next_raw()? != b'u' {
                            return Err(self.error(JsonErrorKind::BadEscape));
                        }
                        let low = self.hex4()?;
                        if (0xDC00..0xE000).contains(&low) {
                            let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
                            return Ok(char::from_u32(code).unwrap_or('\u{FFFD}'));
                        }
                        return Ok('\u{FFFD}');
                    }
                    '\u{FFFD}'
                } else {
                    char::from_u32(high).unwrap_or('\u{FFFD}')
                }
            }
            _ => return Err(self.error(JsonErrorKind::BadEscape)),
        };
        Ok(c)
    }

    fn hex4(&mut self) -> Result<u32> {
        let mut value = 0u32;
        for _ in 0..4 {
            let b = self.next_raw()?;
            let digit = char::from(b).to_digit(16).ok_or_else(|| self.error(JsonErrorKind::BadEscape))?;
            value = value * 16 + digit;
        }
        Ok(value)
    }

    /// Skips a string without keeping it.
    fn skip_string(&mut self) -> Result<()> {
        self.expect(b'"', "a string")?;
        loop {
            if self.pos < self.len {
                let start = self.pos;
                match self.buf[start..self.len].iter().position(|&b| b == b'"' || b == b'\\') {
                    Some(i) => self.pos = start + i,
                    None => {
                        self.pos = self.len;
                        continue;
                    }
                }
            }
            match self.next_raw()? {
                b'"' => return Ok(()),
                b'\\' => {
                    let _ = self.next_raw()?;
                }
                _ => {}
            }
        }
    }

    /// Reads a number's text (at most 64 bytes are kept).
    fn number(&mut self) -> Result<Value> {
        let mut text = String::new();
        while let Some(b) = self.peek_raw()? {
            if !matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E') {
                break;
            }
            if text.len() >= 64 {
                return Err(self.error(JsonErrorKind::BadNumber));
            }
            text.push(char::from(b));
            self.pos += 1;
        }
        if let Ok(n) = text.parse::<i64>() {
            return Ok(Value::Number(Number::from(n)));
        }
        match text.parse::<f64>() {
            Ok(f) if !text.is_empty() => Ok(Number::from_f64(f).map_or(Value::Null, Value::Number)),
            _ => Err(self.error(JsonErrorKind::BadNumber)),
        }
    }

    fn literal(&mut self, word: &'static [u8], value: Value) -> Result<Value> {
        for &expected in word {
            let b = self.next_raw()?;
            if b != expected {
                self.pos -= 1;
                return Err(self.error(JsonErrorKind::Unexpected { found: b, expected: "true, false or null" }));
            }
        }
        Ok(value)
    }

    /// Skips one value of any size, holding nothing (iterative, so any
    /// nesting depth is fine).
    pub(super) fn skip_value(&mut self) -> Result<()> {
        // The closing brackets still expected, innermost last.
        let mut stack: Vec<u8> = Vec::new();
        loop {
            // One value.
            match self.peek()? {
                None => return Err(self.error(JsonErrorKind::Truncated)),
                Some(b'"') => self.skip_string()?,
                Some(b'{') => {
                    self.pos += 1;
                    if self.peek()? == Some(b'}') {
                        self.pos += 1;
                    } else {
                        self.skip_string()?;
                        self.expect(b':', "':'")?;
                        stack.push(b'}');
                        continue;
                    }
                }
                Some(b'[') => {
                    self.pos += 1;
                    if self.peek()? == Some(b']') {
                        self.pos += 1;
                    } else {
                        stack.push(b']');
                        continue;
                    }
                }
                Some(b't') => {
                    self.literal(b"true", Value::Null)?;
                }
                Some(b'f') => {
                    self.literal(b"false", Value::Null)?;
                }
                Some(b'n') => {
                    self.literal(b"null", Value::Null)?;
                }
                Some(b'-' | b'0'..=b'9') => {
                    self.number()?;
                }
                Some(found) => return Err(self.error(JsonErrorKind::Unexpected { found, expected: "a value" })),
            }
            // After a value: close what ends here, or go on to the next member.
            loop {
                let Some(&close) = stack.last() else { return Ok(()) };
                if self.more(close)? {
                    if close == b'}' {
                        self.skip_string()?;
                        self.expect(b':', "':'")?;
                    }
                    break;
                }
                stack.pop();
            }
        }
    }

    /// Reads one value, keeping what `rule` asks for at each object member
    /// (`path` is the keys from the value read first); returns the kept
    /// value and, for every string or array cut, its path.
    pub(super) fn value(
        &mut self,
        rule: &dyn Fn(&[&str]) -> Rule,
        path: &mut Vec<String>,
        caps: (usize, usize),
        cut: &mut Vec<String>,
    ) -> Result<Value> {
        self.value_at(rule, path, caps, cut, 0)
    }

    fn value_at(
        &mut self,
        rule: &dyn Fn(&[&str]) -> Rule,
        path: &mut Vec<String>,
        caps: (usize, usize),
        cut: &mut Vec<String>,
        depth: usize,
    ) -> Result<Value> {
        if depth > MAX_DEPTH {
            return Err(self.error(JsonErrorKind::TooDeep));
        }
        let (string_cap, items_cap) = caps;
        match self.peek()? {
            None => Err(self.error(JsonErrorKind::Truncated)),
            Some(b'"') => {
                let (text, total) = self.string(string_cap)?;
                if total > text.len() {
                    cut.push(format!("{} ({total} bytes, {} kept)", path.join("."), text.len()));
                }
                Ok(Value::String(text))
            }
            Some(b'{') => {
                let mut map = Map::new();
                if self.begin_object()? {
                    loop {
                        let key = self.key()?;
                        path.push(key);
                        let refs: Vec<&str> = path.iter().map(String::as_str).collect();
                        match rule(&refs) {
                            Rule::Skip => self.skip_value()?,
                            Rule::Keep { string_cap, items_cap } => {
                                let v = self.value_at(rule, path, (string_cap, items_cap), cut, depth + 1)?;
                                if let Some(key) = path.last() {
                                    map.insert(key.clone(), v);
                                }
                            }
                        }
                        path.pop();
                        if !self.more(b'}')? {
                            break;
                        }
                    }
                }
                Ok(Value::Object(map))
            }
            Some(b'[') => {
                let mut items = Vec::new();
                let mut count = 0usize;
                if self.begin_array()? {
                    loop {
                        if count < items_cap {
                            items.push(self.value_at(rule, path, caps, cut, depth + 1)?);
                        } else {
                            self.skip_value()?;
                        }
                        count += 1;
                        if !self.more(b']')? {
                            break;
                        }
                    }
                }
                if count > items_cap {
                    cut.push(format!("{} ({count} items, {items_cap} kept)", path.join(".")));
                }
                Ok(Value::Array(items))
            }
            Some(b't') => self.literal(b"true", Value::Bool(true)),
            Some(b'f') => self.literal(b"false", Value::Bool(false)),
            Some(b'n') => self.literal(b"null", Value::Null),
            Some(b'-' | b'0'..=b'9') => self.number(),
            Some(found) => Err(self.error(JsonErrorKind::Unexpected { found, expected: "a value" })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keep_all(_: &[&str]) -> Rule {
        Rule::Keep { string_cap: 8, items_cap: 2 }
    }

    fn read(text: &str) -> Result<(Value, Vec<String>)> {
        let mut s = Scanner::new(text.as_bytes());
        let mut cut = Vec::new();
        let v = s.value(&keep_all, &mut Vec::new(), (8, 2), &mut cut)?;
        Ok((v, cut))
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn values_are_read_and_cut() {
        let (v, cut) = read(r#"{"a": "0123456789", "b": [1, 2.5, -3], "c": {"d": true, "e": null}, "u": "\u00e9\ud83d\ude00"}"#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v["a"], "01234567");
        assert_eq!(v["b"], serde_json::json!([1, 2.5]));
        assert_eq!(v["c"]["d"], true);
        assert_eq!(v["u"], "é😀");
        assert_eq!(cut, ["a (10 bytes, 8 kept)", "b (3 items, 2 kept)"]);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn skipped_values_hold_nothing_and_nest_freely() {
        let deep = "[".repeat(10_000) + &"]".repeat(10_000);
        let text = format!(r#"{{"skip": {deep}, "x": {{"y": "a\"b\\", "z": [{{}}, []]}}, "k": 1}}"#);
        let mut s = Scanner::new(text.as_bytes());
        let rule = |p: &[&str]| if p == ["k"] { Rule::Keep { string_cap: 8, items_cap: 8 } } else { Rule::Skip };
        let v = s.value(&rule, &mut Vec::new(), (8, 8), &mut Vec::new()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(v, serde_json::json!({"k": 1}));
        assert!(s.at_end().unwrap_or(false));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn truncated_and_broken_text_is_an_error_with_its_offset() {
        for (text, offset) in [(r#"{"a": "abc"#, 10), (r#"{"a": [1, 2"#, 11), ("{\"a\" 1}", 5), (r#"{"a": tru}"#, 9)] {
            let e = read(text).err().unwrap_or_else(|| panic!("{text} read"));
            assert_eq!(e.offset, offset, "{text}: {e}");
        }
        let deep = "[".repeat(100);
        assert_eq!(read(&deep).err().map(|e| e.kind), Some(JsonErrorKind::TooDeep));
        let mut s = Scanner::new(&b"[[[[\"x"[..]);
        assert_eq!(s.skip_value().err().map(|e| e.kind), Some(JsonErrorKind::Truncated));
    }
}
