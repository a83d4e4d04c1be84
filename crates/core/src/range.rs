//! `Range` request headers, as far as the CORS safelist cares: one
//! `bytes=start-[end]` range.
//!
//! <https://fetch.spec.whatwg.org/#simple-range-header-value>

/// A single byte range: `start` and `end` as written (either may be absent,
/// not both).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SingleRange {
    /// The first byte, `None` for a suffix range (`bytes=-500`).
    pub start: Option<u128>,
    /// The last byte, `None` for an open range (`bytes=500-`).
    pub end: Option<u128>,
}

/// [Parses a single range header value](https://fetch.spec.whatwg.org/#simple-range-header-value);
/// `None` is failure. With `allow_whitespace` false, as the safelist asks, no
/// whitespace may appear anywhere.
///
/// # Examples
///
/// ```
/// use corslab::range::{parse_single_range, SingleRange};
///
/// assert_eq!(parse_single_range("bytes=0-100", false), Some(SingleRange { start: Some(0), end: Some(100) }));
/// assert_eq!(parse_single_range("bytes=-500", false), Some(SingleRange { start: None, end: Some(500) }));
/// assert_eq!(parse_single_range("bytes=100-200,300-400", false), None);
/// ```
pub fn parse_single_range(value: &str, allow_whitespace: bool) -> Option<SingleRange> {
    let skip_ws = |s: &str| -> usize {
        if allow_whitespace { s.len() - s.trim_start_matches(['\t', ' ']).len() } else { 0 }
    };
    let digits = |s: &str| -> usize { s.len() - s.trim_start_matches(|c: char| c.is_ascii_digit()).len() };
    // 2. Starts with "bytes".
    let mut rest = value.strip_prefix("bytes")?;
    rest = &rest[skip_ws(rest)..];
    rest = rest.strip_prefix('=')?;
    rest = &rest[skip_ws(rest)..];
    let start_len = digits(rest);
    let (start, after) = rest.split_at(start_len);
    rest = after;
    rest = &rest[skip_ws(rest)..];
    rest = rest.strip_prefix('-')?;
    rest = &rest[skip_ws(rest)..];
    let end_len = digits(rest);
    let (end, after) = rest.split_at(end_len);
    if !after.is_empty() {
        return None;
    }
    // Numbers beyond u128 cannot be compared; they are far beyond the
    // 128-byte value limit of the safelist anyway, so treat them as failure.
    let number = |s: &str| -> Option<Option<u128>> {
        if s.is_empty() { Some(None) } else { s.parse::<u128>().ok().map(Some) }
    };
    let start = number(start)?;
    let end = number(end)?;
    match (start, end) {
        (None, None) => None,
        (Some(s), Some(e)) if s > e => None,
        (start, end) => Some(SingleRange { start, end }),
    }
}
