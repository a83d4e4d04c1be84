//! `Range` request headers, as far as the CORS safelist cares: one
//! `bytes=start-[end]` range.
//!
//! <https://fetch.spec.whatwg.org/#simple-range-header-value>

use std::cmp::Ordering;

/// A single byte range: `start` and `end` as the digits written (either may
/// be absent, not both). Numbers have no size limit, so they stay digits.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SingleRange<'a> {
    /// The first byte, `None` for a suffix range (`bytes=-500`).
    pub start: Option<&'a str>,
    /// The last byte, `None` for an open range (`bytes=500-`).
    pub end: Option<&'a str>,
}

/// Compares two runs of ASCII digits as decimal numbers, of any length.
fn cmp_decimal(a: &str, b: &str) -> Ordering {
    let a = a.trim_start_matches('0');
    let b = b.trim_start_matches('0');
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// [Parses a single range header value](https://fetch.spec.whatwg.org/#simple-range-header-value);
/// `None` is failure. With `allow_whitespace` false, as the safelist asks, no
/// whitespace may appear anywhere.
///
/// # Examples
///
/// ```
/// use corslab::http::range::{parse_single_range, SingleRange};
///
/// assert_eq!(parse_single_range("bytes=0-100", false), Some(SingleRange { start: Some("0"), end: Some("100") }));
/// assert_eq!(parse_single_range("bytes=-500", false), Some(SingleRange { start: None, end: Some("500") }));
/// assert_eq!(parse_single_range("bytes=100-200,300-400", false), None);
/// assert_eq!(parse_single_range("bytes=200-100", false), None);
/// ```
pub fn parse_single_range(value: &str, allow_whitespace: bool) -> Option<SingleRange<'_>> {
    let skip_ws = |s: &str| -> usize {
        if allow_whitespace { s.len() - s.trim_start_matches(['\t', ' ']).len() } else { 0 }
    };
    let digits = |s: &str| -> usize { s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len() };
    // 2. Starts with "bytes".
    let mut rest = value.strip_prefix("bytes")?;
    rest = &rest[skip_ws(rest)..];
    rest = rest.strip_prefix('=')?;
    rest = &rest[skip_ws(rest)..];
    let (start, after) = rest.split_at(digits(rest));
    rest = after;
    rest = &rest[skip_ws(rest)..];
    rest = rest.strip_prefix('-')?;
    rest = &rest[skip_ws(rest)..];
    let (end, after) = rest.split_at(digits(rest));
    if !after.is_empty() {
        return None;
    }
    let start = (!start.is_empty()).then_some(start);
    let end = (!end.is_empty()).then_some(end);
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if cmp_decimal(s, e) == Ordering::Greater => None,
        (start, end) => Some(SingleRange { start, end }),
    }
}
