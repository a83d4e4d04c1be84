//! HTTP's smallest pieces: tokens, whitespace, comma-separated lists, and the
//! isomorphic byte/string conversions the Fetch standard uses.
//!
//! <https://fetch.spec.whatwg.org/#terminology-http>

/// `TCHAR[b]`: whether byte `b` may appear in a token (a table: this runs
/// for every byte of every method and header name a server sends).
const TCHAR: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = matches!(c,
            b'!' | b'#' | b'$' | b'%' | b'&' | b'\'' | b'*' | b'+' | b'-' | b'.' | b'^' | b'_' | b'`'
            | b'|' | b'~' | b'0'..=b'9' | b'A'..=b'Z' | b'a'..=b'z');
        b += 1;
    }
    table
};

/// Whether `b` is a `tchar`, a byte allowed in a token.
///
/// <https://httpwg.org/specs/rfc9110.html#tokens>
#[inline]
pub fn is_tchar(b: u8) -> bool {
    TCHAR[usize::from(b)]
}

/// Whether `s` is a non-empty token (a method, a header name).
///
/// # Examples
///
/// ```
/// assert!(corslab::http::token::is_token("X-Custom"));
/// assert!(!corslab::http::token::is_token("X-Custom;"));
/// assert!(!corslab::http::token::is_token(""));
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
    trim_ascii_bytes(value, |b| is_http_whitespace(char::from(b)))
}

/// Whether a normalized value is a valid [header value](https://fetch.spec.whatwg.org/#header-value):
/// no NUL, CR or LF, and no leading or trailing tab or space.
pub fn is_valid_header_value(value: &str) -> bool {
    // (Byte-wise: NUL, CR and LF are single bytes in UTF-8, never part of another character.)
    !value.bytes().any(|b| matches!(b, b'\0' | b'\r' | b'\n')) && value.trim_matches(is_http_tab_or_space) == value
}

/// Whether every character of `s` fits in one byte (U+0000 to U+00FF), as
/// Web IDL's `ByteString` requires of header names and values.
pub fn is_byte_string(s: &str) -> bool {
    // ASCII, the usual text, is checked a word at a time.
    s.is_ascii() || s.chars().all(|c| u32::from(c) <= 0xFF)
}

/// The length in bytes of the [isomorphic encoding](https://infra.spec.whatwg.org/#isomorphic-encode)
/// of `s`: one byte per character. `s` must be a [`is_byte_string`].
pub fn isomorphic_len(s: &str) -> usize {
    if s.is_ascii() { s.len() } else { s.chars().count() }
}

/// Splits a comma-separated header list value (`#element`), trimming optional
/// whitespace around each element and skipping empty ones (`a,,b` and a
/// trailing `,` are allowed by the list syntax).
///
/// <https://httpwg.org/specs/rfc9110.html#abnf.extension>
pub fn split_list(value: &str) -> impl Iterator<Item = &str> {
    value.split(',').map(trim_tab_or_space).filter(|item| !item.is_empty())
}

/// Trims HTTP tabs and spaces, byte-wise.
fn trim_tab_or_space(s: &str) -> &str {
    trim_ascii_bytes(s, |b| is_http_tab_or_space(char::from(b)))
}

/// `s` without the leading and trailing bytes `strip` matches, which must
/// be ASCII bytes: no byte of a longer UTF-8 character is ASCII, so the ends
/// stay on character boundaries.
fn trim_ascii_bytes(s: &str, strip: impl Fn(u8) -> bool) -> &str {
    let bytes = s.as_bytes();
    let start = bytes.iter().position(|&b| !strip(b)).unwrap_or(bytes.len());
    let end = bytes.iter().rposition(|&b| !strip(b)).map_or(start, |i| i + 1);
    &s[start..end]
}

/// The elements of a comma-separated header list, borrowed from its lines:
/// up to eight inline (a usual `Access-Control-Allow-Methods`, `-Headers`
/// or `-Expose-Headers` list), more on the heap, so that reading the usual
/// answer allocates nothing.
pub type TokenList<'a> = smallvec::SmallVec<[&'a str; 8]>;

/// Parses every `name` header of `headers` as one comma-separated list of
/// tokens (`Access-Control-Allow-Methods`, `-Allow-Headers`, `-Expose-Headers`),
/// borrowing the tokens: `Ok(None)` when there is no such header.
///
/// # Errors
///
/// The first element that is not a token.
pub fn parse_header_token_list<'a>(
    headers: &'a crate::http::header::HeaderList,
    name: &(impl crate::http::header::AsHeaderName + ?Sized),
) -> Result<Option<TokenList<'a>>, &'a str> {
    let mut lines = headers.values(name).peekable();
    if lines.peek().is_none() {
        return Ok(None);
    }
    let mut tokens = TokenList::new();
    for line in lines {
        for_each_token(line, |token| tokens.push(token))?;
    }
    Ok(Some(tokens))
}

/// Calls `each` with every element of the list `line` (as [`split_list`]
/// splits it) in one pass over its bytes: blanks, a run of tchars (the
/// usual element, read in a tight loop), blanks, then a comma or the end.
///
/// # Errors
///
/// The first element that is not a token (elements before it were given
/// to `each`).
pub(crate) fn for_each_token<'a>(line: &'a str, mut each: impl FnMut(&'a str)) -> Result<(), &'a str> {
    let bytes = line.as_bytes();
    let blank = |b: u8| b == b' ' || b == b'\t';
    let mut i = 0;
    while i < bytes.len() {
        while i < bytes.len() && blank(bytes[i]) {
            i += 1;
        }
        let start = i;
        while i < bytes.len() && is_tchar(bytes[i]) {
            i += 1;
        }
        let token_end = i;
        while i < bytes.len() && blank(bytes[i]) {
            i += 1;
        }
        match bytes.get(i) {
            None | Some(b',') => {
                // (An empty element, `a,,b`, is skipped.) The ends sit next
                // to ASCII bytes: char boundaries.
                if token_end > start {
                    each(&line[start..token_end]);
                }
                i += 1;
            }
            Some(_) => {
                // Not a token (a byte that is not a tchar, or a blank inside):
                // the element up to its comma, trimmed.
                let end = bytes[i..].iter().position(|&b| b == b',').map_or(bytes.len(), |p| i + p);
                return Err(trim_tab_or_space(&line[start..end]));
            }
        }
    }
    Ok(())
}

/// [Collects an HTTP quoted string](https://fetch.spec.whatwg.org/#collect-an-http-quoted-string)
/// from `input`, which starts with `"`. With `extract`, returns the unquoted,
/// unescaped value; without, the quoted text as written. Also returns what
/// follows the closing quote.
pub fn collect_http_quoted_string(input: &str, extract: bool) -> (String, &str) {
    let mut value = String::new();
    let mut chars = input.char_indices().skip(1);
    let mut end = input.len();
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => {
                end = i + 1;
                break;
            }
            '\\' => match chars.next() {
                Some((_, escaped)) => value.push(escaped),
                None => {
                    value.push('\\');
                    break;
                }
            },
            c => value.push(c),
        }
    }
    let rest = &input[end..];
    if extract { (value, rest) } else { (input[..end].to_owned(), rest) }
}

/// [Gets, decodes, and splits](https://fetch.spec.whatwg.org/#header-value-get-decode-and-split)
/// a header value: commas separate values, except inside quoted strings.
///
/// # Examples
///
/// ```
/// assert_eq!(corslab::http::token::get_decode_split(r#"A, "1,2", 3"#), ["A", r#""1,2""#, "3"]);
/// ```
pub fn get_decode_split(value: &str) -> Vec<String> {
    let mut values = Vec::new();
    let mut temporary = String::new();
    let mut rest = value;
    loop {
        let stop = rest.find(['"', ',']).unwrap_or(rest.len());
        temporary.push_str(&rest[..stop]);
        rest = &rest[stop..];
        if rest.starts_with('"') {
            let (quoted, after) = collect_http_quoted_string(rest, false);
            temporary.push_str(&quoted);
            rest = after;
            if !rest.is_empty() {
                continue;
            }
        }
        values.push(temporary.trim_matches(is_http_tab_or_space).to_owned());
        temporary.clear();
        match rest.strip_prefix(',') {
            Some(after) => rest = after,
            None => return values,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn token_lists_skip_empty_elements_and_reject_non_tokens() {
        let list = |lines: &[&str]| {
            let pairs: Vec<(&str, &str)> = lines.iter().map(|l| ("x-list", *l)).collect();
            let headers = crate::http::header::HeaderList::from_pairs(&pairs).unwrap();
            parse_header_token_list(&headers, "x-list").map(|l| l.map(|l| l.join("|"))).map_err(str::to_owned)
        };
        assert_eq!(list(&["PUT,"]), Ok(Some("PUT".to_owned())));
        assert_eq!(list(&[" GET , PUT,,DELETE "]), Ok(Some("GET|PUT|DELETE".to_owned())));
        assert_eq!(list(&["GET", "PUT"]), Ok(Some("GET|PUT".to_owned())));
        assert_eq!(list(&["PUT;"]), Err("PUT;".to_owned()));
        assert_eq!(list(&["a b"]), Err("a b".to_owned()));
        assert_eq!(list(&[""]), Ok(Some(String::new())));
        assert_eq!(list(&[]), Ok(None));
    }

    /// The one-pass reader against the definition: the list split at its
    /// commas, each element trimmed, empty ones skipped, every one a token
    /// (else the first that is not), on every line of up to four pieces.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn token_lists_read_in_one_pass_as_the_definition_says() {
        let pieces = [" ", "\t", ",", "a", "B-c", ";", "é", "x y", "*"];
        let mut lines = vec![String::new()];
        for _ in 0..4 {
            let longer: Vec<String> = lines.iter().flat_map(|l| pieces.iter().map(move |p| format!("{l}{p}"))).collect();
            lines.extend(longer);
        }
        for line in &lines {
            let mut read = Vec::new();
            let got = for_each_token(line, |t| read.push(t)).map(|()| read);
            let defined = split_list(line).try_fold(Vec::new(), |mut tokens, element| {
                if is_token(element) {
                    tokens.push(element);
                    Ok(tokens)
                } else {
                    Err(element)
                }
            });
            assert_eq!(got, defined, "{line:?}");
        }
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
