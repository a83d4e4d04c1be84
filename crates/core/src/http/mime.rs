//! MIME types: the WHATWG "parse a MIME type" algorithm, which decides
//! whether a `Content-Type` request header is safelisted.
//!
//! <https://mimesniff.spec.whatwg.org/#parsing-a-mime-type>

use std::borrow::Cow;
use std::fmt;

use crate::http::token::{collect_http_quoted_string, is_http_whitespace, is_tchar};

/// A parsed MIME type: lower-case type and subtype, and parameters in order
/// (the first of duplicate names wins).
///
/// The type and subtype borrow the input when it is already lower-case
/// (`application/json`, as a page writes it): a request's `Content-Type`
/// is parsed on every `fetch()`, to decide whether it is safelisted.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MimeType<'a> {
    type_: Cow<'a, str>,
    subtype: Cow<'a, str>,
    parameters: Vec<(String, String)>,
}

/// `text` in ASCII lower case, borrowed when it already is.
fn ascii_lowercase(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_uppercase()) { Cow::Owned(text.to_ascii_lowercase()) } else { Cow::Borrowed(text) }
}

impl MimeType<'_> {
    /// The type (`text`).
    pub fn type_(&self) -> &str {
        &self.type_
    }

    /// The subtype (`plain`).
    pub fn subtype(&self) -> &str {
        &self.subtype
    }

    /// The [essence](https://mimesniff.spec.whatwg.org/#mime-type-essence):
    /// `type/subtype`.
    pub fn essence(&self) -> String {
        [&*self.type_, &*self.subtype].join("/")
    }

    /// The parameters, in order.
    pub fn parameters(&self) -> &[(String, String)] {
        &self.parameters
    }
}

/// An [HTTP token code point](https://mimesniff.spec.whatwg.org/#http-token-code-point).
fn is_token_code_point(c: char) -> bool {
    c.is_ascii() && is_tchar(c as u8)
}

/// An [HTTP quoted-string token code point](https://mimesniff.spec.whatwg.org/#http-quoted-string-token-code-point).
fn is_quoted_string_token_code_point(c: char) -> bool {
    matches!(c, '\t' | ' '..='~' | '\u{80}'..='\u{FF}')
}

/// Parses a MIME type; `None` is the algorithm's failure.
///
/// <https://mimesniff.spec.whatwg.org/#parse-a-mime-type>
///
/// # Examples
///
/// ```
/// use corslab::http::mime::parse_mime_type;
///
/// let mime = parse_mime_type("TEXT/Plain ; charset=UTF-8").unwrap();
/// assert_eq!(mime.essence(), "text/plain");
/// assert_eq!(mime.to_string(), "text/plain;charset=UTF-8");
/// assert!(parse_mime_type("text /plain").is_none());
/// ```
pub fn parse_mime_type(input: &str) -> Option<MimeType<'_>> {
    // 1. Remove leading and trailing HTTP whitespace.
    let input = input.trim_matches(is_http_whitespace);
    // 3-4. The type: up to "/", a non-empty run of token code points.
    let (type_, rest) = input.split_once('/')?;
    if type_.is_empty() || !type_.chars().all(is_token_code_point) {
        return None;
    }
    // 7-9. The subtype: up to ";", trailing whitespace removed.
    let (subtype, mut rest) = match rest.find(';') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, ""),
    };
    let subtype = subtype.trim_end_matches(is_http_whitespace);
    if subtype.is_empty() || !subtype.chars().all(is_token_code_point) {
        return None;
    }
    let mut mime = MimeType {
        type_: ascii_lowercase(type_),
        subtype: ascii_lowercase(subtype),
        parameters: Vec::new(),
    };
    // 11. Parameters.
    while let Some(after_semicolon) = rest.strip_prefix(';') {
        let after_ws = after_semicolon.trim_start_matches(is_http_whitespace);
        let name_end = after_ws.find([';', '=']).unwrap_or(after_ws.len());
        let name = after_ws[..name_end].to_ascii_lowercase();
        rest = &after_ws[name_end..];
        if rest.starts_with(';') {
            continue;
        }
        let Some(value_start) = rest.strip_prefix('=') else { break };
        if value_start.is_empty() {
            break;
        }
        let value;
        if value_start.starts_with('"') {
            let (extracted, after) = collect_http_quoted_string(value_start, true);
            value = extracted;
            rest = match after.find(';') {
                Some(i) => &after[i..],
                None => "",
            };
        } else {
            let end = value_start.find(';').unwrap_or(value_start.len());
            let raw = value_start[..end].trim_end_matches(is_http_whitespace);
            rest = &value_start[end..];
            if raw.is_empty() {
                continue;
            }
            value = raw.to_owned();
        }
        if !name.is_empty()
            && name.chars().all(is_token_code_point)
            && value.chars().all(is_quoted_string_token_code_point)
            && !mime.parameters.iter().any(|(n, _)| *n == name)
        {
            mime.parameters.push((name, value));
        }
    }
    Some(mime)
}

impl fmt::Display for MimeType<'_> {
    /// [Serializes](https://mimesniff.spec.whatwg.org/#serialize-a-mime-type) the MIME type.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.type_, self.subtype)?;
        for (name, value) in &self.parameters {
            write!(f, ";{name}=")?;
            if !value.is_empty() && value.chars().all(is_token_code_point) {
                f.write_str(value)?;
            } else {
                f.write_str("\"")?;
                for c in value.chars() {
                    if c == '"' || c == '\\' {
                        f.write_str("\\")?;
                    }
                    write!(f, "{c}")?;
                }
                f.write_str("\"")?;
            }
        }
        Ok(())
    }
}
