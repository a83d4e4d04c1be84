//! HTTP's smallest pieces: tokens, whitespace, comma-separated lists, and the
//! isomorphic byte/string conversions the Fetch standard uses.
//!
//! <https://fetch.spec.whatwg.org/#terminology-http>

/// Whether `b` is a `tchar`, a byte allowed in a token.
///
/// <https://httpwg.org/specs/rfc9110.html#tokens>
pub fn is_tchar(b: u8) -> bool {
    matches!(b,
        b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`'
        | b'|' | b'~' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z')
}

/// Whether `s` is a non-empty token (a method, a header name).
///
/// # Examples
///
/// ```
/// assert!(corslab::token::is_token("X-Custom"));
/// assert!(!corslab::token::is_token("X-Custom;"));
/// assert!(!corslab::token::is_token(""));
/// ```
pub fn is_token(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(is_tchar)
}

/// An [HTTP whitespace byte](https://fetch.spec.whatwg.org/#http-whitespace-byte):
/// LF, CR, tab or space.
pub fn is_http_whitespace(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\t' | ' ')
}

/// An [HTTP tab or space](https://fetch.spec.whatwg.org/#http-tab-or-space).
pub fn is_http_tab_or_space(c: char) -> bool {
    matches!(c, '\t' | ' ')
}

/// Removes leading and trailing [HTTP whitespace bytes](https://fetch.spec.whatwg.org/#http-whitespace-byte).
///
/// <https://fetch.spec.whatwg.org/#concept-header-value-normalize>
pub fn normalize_value(value: &str) -> &str {
    value.trim_matches(is_http_whitespace)
}

/// Whether a normalized value is a valid [header value](https://fetch.spec.whatwg.org/#header-value):
/// no NUL, CR or LF, and no leading or trailing tab or space.
pub fn is_valid_header_value(value: &str) -> bool {
    !value.contains(['\0', '\r', '\n']) && value.trim_matches(is_http_tab_or_space) == value
}

/// Whether every character of `s` fits in one byte (U+0000 to U+00FF), as
/// Web IDL's `ByteString` requires of header names and values.
pub fn is_byte_string(s: &str) -> bool {
    s.chars().all(|c| u32::from(c) <= 0xFF)
}

/// The length in bytes of the [isomorphic encoding](https://infra.spec.whatwg.org/#isomorphic-encode)
/// of `s`: one byte per character. `s` must be a [`is_byte_string`].
pub fn isomorphic_len(s: &str) -> usize {
    s.chars().count()
}

/// Splits a comma-separated header list value (`#element`), trimming optional
/// whitespace around each element and skipping empty ones (`a,,b` and a
/// trailing `,` are allowed by the list syntax).
///
/// <https://httpwg.org/specs/rfc9110.html#abnf.extension>
pub fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(|item| item.trim_matches(is_http_tab_or_space)).filter(|item| !item.is_empty())
}

/// Parses a comma-separated list of tokens.
///
/// # Errors
///
/// The first element that is not a token.
pub fn parse_token_list(value: &str) -> Result<Vec<&str>, &str> {
    split_list(value).map(|item| if is_token(item) { Ok(item) } else { Err(item) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn token_lists_skip_empty_elements_and_reject_non_tokens() {
        assert_eq!(parse_token_list("PUT,"), Ok(vec!["PUT"]));
        assert_eq!(parse_token_list(" GET , PUT,,DELETE "), Ok(vec!["GET", "PUT", "DELETE"]));
        assert_eq!(parse_token_list("PUT;"), Err("PUT;"));
        assert_eq!(parse_token_list("a b"), Err("a b"));
        assert_eq!(parse_token_list(""), Ok(vec![]));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn header_values_are_normalized_and_validated() {
        assert_eq!(normalize_value(" \tvalue\r\n"), "value");
        assert!(is_valid_header_value("a b"));
        assert!(!is_valid_header_value("a\nb"));
        assert!(!is_valid_header_value("a\0b"));
        assert!(!is_valid_header_value(" a"));
    }
}
