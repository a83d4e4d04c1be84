//! The request log: what the replay and policy routes received, by run.
//!
//! A caller picks a run id (a path segment: `/replay/{run}`,
//! `/policy/{run}`) and reads back `GET /log/{run}`: one entry per request,
//! preflights included, which is what a page cannot see for itself. Each
//! entry keeps the fields the page reads (method, path, `Origin`,
//! `Access-Control-Request-*`) and the whole request head
//! ([`LogEntry::headers`]), so a client can be compared header by header
//! with what a browser sent.
//!
//! Bounded: at most [`MAX_RUNS`] runs (the run created longest ago is
//! dropped first), [`MAX_ENTRIES`] entries per run (oldest dropped first);
//! the method, the path and the three CORS fields cut to [`MAX_VALUE_LEN`]
//! bytes each, and the head to its first [`MAX_HEADERS`] headers and
//! [`MAX_HEAD_TEXT_LEN`] bytes of names and values. So an entry's text is at
//! most `5 × MAX_VALUE_LEN + MAX_HEAD_TEXT_LEN + 2 × MAX_HEADERS` bytes
//! (5504, the last term for the separators), and memory stays under about
//! `MAX_RUNS × MAX_ENTRIES × 5.6 KB` (87 MiB, a few dozen bytes per entry
//! included) whatever the traffic, plus one spare entry buffer per thread
//! that records. `MAX_RUNS` was 256 before the log kept
//! whole heads; it was halved to keep that bound under 100 MiB.

use std::borrow::Cow;
use std::cell::Cell;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, PoisonError};

use axum::http::{HeaderMap, HeaderValue, Method};
use serde::Serialize;

/// The most runs kept.
pub const MAX_RUNS: usize = 128;
/// The most entries kept per run.
pub const MAX_ENTRIES: usize = 128;
/// The longest logged method, path or CORS field, in bytes; longer ones are
/// cut.
pub const MAX_VALUE_LEN: usize = 256;
/// The most headers kept per entry in [`LogEntry::headers`]; the rest are
/// cut (and the entry says [`LogEntry::truncated`]).
pub const MAX_HEADERS: usize = 64;
/// The most bytes of header names and values (as stored: UTF-8) kept per
/// entry in [`LogEntry::headers`]; the header that crosses it keeps its name
/// and the start of its value, and the rest is cut.
pub const MAX_HEAD_TEXT_LEN: usize = 4 * 1024;

/// The longest text one entry stores: five fields, then the head with a `:`
/// and a `\n` per header. Positions in it fit in a `u16`.
const MAX_TEXT_LEN: usize = 5 * MAX_VALUE_LEN + MAX_HEAD_TEXT_LEN + 2 * MAX_HEADERS;
const _: () = assert!(MAX_TEXT_LEN <= u16::MAX as usize);

/// One request, as received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LogEntry {
    /// Its number in the run, from 1 (numbers of dropped entries are not reused).
    pub seq: u64,
    /// The method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// `Origin`, if sent.
    pub origin: Option<String>,
    /// `Access-Control-Request-Method`, if sent.
    pub access_control_request_method: Option<String>,
    /// `Access-Control-Request-Headers`, if sent.
    pub access_control_request_headers: Option<String>,
    /// Whether it was a preflight: `OPTIONS` with `Origin` and
    /// `Access-Control-Request-Method`.
    pub preflight: bool,
    /// Every request header as received: (name, value), names lower-case
    /// (as hyper gives them), values as text (bytes that are not UTF-8
    /// become U+FFFD). In the order received, except that the lines of a
    /// repeated name come together at the place of the first (how
    /// `HeaderMap` keeps them). Within [`MAX_HEADERS`] and
    /// [`MAX_HEAD_TEXT_LEN`]; serialized as `[["host", "…"], …]`.
    pub headers: Vec<(String, String)>,
    /// Whether [`headers`](Self::headers) was cut: a header dropped, or the
    /// last one's value shortened.
    pub truncated: bool,
}

/// An entry as kept: its text in one allocation.
#[derive(Debug)]
struct Stored {
    seq: u64,
    /// The method, the path, Origin, Access-Control-Request-Method and
    /// Access-Control-Request-Headers, one after the other, then the head as
    /// `name:value\n` lines (a name never holds `:`, a header value never
    /// holds a line feed). The buffer a full run gives up is reused by the
    /// next entry of the same thread ([`SPARE`]).
    text: String,
    /// Where each field ends in `text`, or `None` when the header was absent.
    ends: [Option<u16>; 5],
    /// Where the head's lines start in `text`.
    head_start: u16,
    preflight: bool,
    truncated: bool,
}

impl Stored {
    fn entry(&self) -> LogEntry {
        let mut start = 0;
        let mut fields = self.ends.iter().map(|end| {
            end.map(|end| {
                let end = usize::from(end);
                let field = self.text.get(start..end).unwrap_or_default().to_owned();
                start = end;
                field
            })
        });
        let mut next = || fields.next().flatten();
        let method = next().unwrap_or_default();
        let path = next().unwrap_or_default();
        let origin = next();
        let access_control_request_method = next();
        let access_control_request_headers = next();
        let head = self.text.get(usize::from(self.head_start)..).unwrap_or_default();
        let headers = head
            .split_terminator('\n')
            .filter_map(|line| line.split_once(':'))
            .map(|(name, value)| (name.to_owned(), value.to_owned()))
            .collect();
        LogEntry {
            seq: self.seq,
            method,
            path,
            origin,
            access_control_request_method,
            access_control_request_headers,
            preflight: self.preflight,
            headers,
            truncated: self.truncated,
        }
    }
}

#[derive(Debug, Default)]
struct Run {
    next_seq: u64,
    entries: VecDeque<Stored>,
}

/// FNV-1a: run ids are short, and the map holds at most [`MAX_RUNS`] of
/// them, so even chosen collisions cost at most that many comparisons;
/// SipHash's protection is not worth its time on every request here.
/// (`/policy/` fingerprints its preflights with it too.)
#[derive(Debug, Default)]
pub(crate) struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut hash = if self.0 == 0 { 0xcbf2_9ce4_8422_2325 } else { self.0 };
        for byte in bytes {
            hash ^= u64::from(*byte);
            hash = hash.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = hash;
    }
}

#[derive(Debug, Default)]
struct Inner {
    runs: HashMap<String, Run, BuildHasherDefault<Fnv>>,
    /// Run ids, oldest first.
    order: VecDeque<String>,
}

thread_local! {
    /// The text buffer of the last entry a full run gave back on this
    /// thread, reused by the next entry this thread records: a full run
    /// allocates nothing in steady state. At most one per thread, of at most
    /// `MAX_TEXT_LEN` bytes.
    static SPARE: Cell<String> = const { Cell::new(String::new()) };
}

/// The bounded request log, shared by every route.
#[derive(Debug, Default)]
pub struct RequestLog {
    inner: Mutex<Inner>,
}

/// Feeds `sink` with `value` as text, at most `limit` bytes of it, cut at a
/// character boundary; bytes that are not UTF-8 (obs-text) become U+FFFD,
/// as `String::from_utf8_lossy` does. Returns the bytes fed and whether
/// anything was cut. Reads at most `limit + 4` bytes of `value`, so a
/// megabyte costs no more than a short value.
fn lossy_into(value: &[u8], limit: usize, sink: &mut impl FnMut(&str)) -> (usize, bool) {
    // The usual value: UTF-8 (ASCII, in practice) that fits, fed whole
    // without the chunked walk below: `record` went from 3,349 to 3,002
    // instructions per request (callgrind, `make bench-server`'s preflight).
    if value.len() <= limit
        && let Ok(text) = std::str::from_utf8(value)
    {
        sink(text);
        return (text.len(), false);
    }
    // Output is never shorter than the input it comes from, so nothing past
    // `limit` input bytes can fit; 4 more let the last character that starts
    // before the limit be read whole (a character sliced by this cut becomes
    // a U+FFFD that starts past the limit, which is cut all the same).
    let read = &value[..value.len().min(limit.saturating_add(4))];
    let mut used = 0;
    for chunk in read.utf8_chunks() {
        let valid = chunk.valid();
        let room = limit - used;
        if valid.len() > room {
            let end = valid.floor_char_boundary(room);
            sink(&valid[..end]);
            return (used + end, true);
        }
        sink(valid);
        used += valid.len();
        if !chunk.invalid().is_empty() {
            if limit - used < '\u{fffd}'.len_utf8() {
                return (used, true);
            }
            sink("\u{fffd}");
            used += '\u{fffd}'.len_utf8();
        }
    }
    (used, read.len() < value.len())
}

/// `text` cut to [`MAX_VALUE_LEN`] bytes at a character boundary.
fn cut_str(text: &str) -> Cow<'_, str> {
    Cow::Borrowed(&text[..text.floor_char_boundary(MAX_VALUE_LEN)])
}

/// A header value as [`cut`] gives it, through `HeaderValue`'s own check
/// for the usual value (visible ASCII), a tighter loop than `from_utf8`'s.
fn cut_value(value: &HeaderValue) -> Cow<'_, str> {
    match value.to_str() {
        Ok(text) => Cow::Borrowed(&text[..text.len().min(MAX_VALUE_LEN)]),
        Err(_) => cut(value.as_bytes()),
    }
}

/// `value` as text, cut to [`MAX_VALUE_LEN`] bytes at a character
/// boundary; bytes that are not UTF-8 (obs-text) are replaced.
fn cut(value: &[u8]) -> Cow<'_, str> {
    if let Ok(text) = std::str::from_utf8(&value[..value.len().min(MAX_VALUE_LEN)]) {
        return Cow::Borrowed(text);
    }
    // Cut inside a character, or not UTF-8.
    let mut text = String::new();
    lossy_into(value, MAX_VALUE_LEN, &mut |piece| text.push_str(piece));
    Cow::Owned(text)
}

/// Feeds `sink` with the part of `headers` an entry keeps, as `name:value\n`
/// lines: the first [`MAX_HEADERS`], within [`MAX_HEAD_TEXT_LEN`] bytes of
/// names and values. Returns whether anything was cut.
///
/// A header value never holds a line feed (`HeaderValue` refuses one, and
/// hyper's parser too), so the lines read back unambiguously.
fn head_into(headers: &HeaderMap, sink: &mut impl FnMut(&str)) -> bool {
    let mut budget = MAX_HEAD_TEXT_LEN;
    for (i, (name, value)) in headers.iter().enumerate() {
        let name = name.as_str();
        if i == MAX_HEADERS || name.len() > budget {
            return true;
        }
        budget -= name.len();
        sink(name);
        sink(":");
        // The usual value, visible ASCII that fits, goes in whole.
        let (used, cut) = match value.to_str() {
            Ok(text) if text.len() <= budget => {
                sink(text);
                (text.len(), false)
            }
            _ => lossy_into(value.as_bytes(), budget, sink),
        };
        budget -= used;
        sink("\n");
        if cut {
            return true;
        }
    }
    false
}

impl RequestLog {
    /// Records one request under `run` (a valid run id).
    pub fn record(&self, run: &str, method: &Method, path: &str, headers: &HeaderMap) {
        use axum::http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
        // One pass over the head: the first value of each CORS field, and
        // the length of the lines kept.
        let (mut origin, mut acrm, mut acrh) = (None, None, None);
        let mut head_len = 0;
        for (i, (name, value)) in headers.iter().enumerate() {
            if i < MAX_HEADERS {
                head_len += name.as_str().len() + value.len() + 2;
            }
            let field = if *name == ORIGIN {
                &mut origin
            } else if *name == ACCESS_CONTROL_REQUEST_METHOD {
                &mut acrm
            } else if *name == ACCESS_CONTROL_REQUEST_HEADERS {
                &mut acrh
            } else {
                continue;
            };
            field.get_or_insert(value);
        }
        let preflight = method == Method::OPTIONS && origin.is_some() && acrm.is_some();
        let fields = [
            Some(cut_str(method.as_str())),
            Some(cut_str(path)),
            origin.map(cut_value),
            acrm.map(cut_value),
            acrh.map(cut_value),
        ];
        // Sized before taking the lock from the raw lengths, so the entry's
        // text is allocated once: exact for the usual head (UTF-8 values, not
        // cut), more than needed for a cut one, and short only when obs-text
        // turns bytes into U+FFFD (the one case that grows the text).
        let fields_len: usize = fields.iter().flatten().map(|f| f.len()).sum();
        let len = fields_len + head_len.min(MAX_HEAD_TEXT_LEN + 2 * MAX_HEADERS);
        // The text is written before the lock is taken, into this thread's
        // spare buffer (the last one a full run gave back), so the lock is
        // held only to file the entry: every route's requests and every
        // worker thread share this one lock.
        let mut text = SPARE.take();
        text.clear();
        text.reserve_exact(len);
        let mut ends = [None; 5];
        for (end, field) in ends.iter_mut().zip(&fields) {
            if let Some(field) = field {
                text.push_str(field);
                *end = u16::try_from(text.len()).ok();
            }
        }
        // Within MAX_TEXT_LEN, which fits (asserted above).
        let head_start = u16::try_from(text.len()).unwrap_or(u16::MAX);
        let truncated = head_into(headers, &mut |piece| text.push_str(piece));
        // A cut head, obs-text, or a larger buffer reused: no byte more than
        // the text is kept.
        if text.capacity() > text.len() {
            text.shrink_to_fit();
        }
        let entry = Stored { seq: 0, text, ends, head_start, preflight, truncated };
        let (given_back, dropped_run) = self.file(run, entry);
        // Freed, or kept for the next entry, after the lock is released.
        if let Some(old) = given_back {
            SPARE.set(old.text);
        }
        drop(dropped_run);
    }

    /// Files `entry` under `run`, numbered; returns the entry a full run gave
    /// up and the run dropped to make room for a new one, for the caller to
    /// free once the lock is released.
    fn file(&self, run: &str, mut entry: Stored) -> (Option<Stored>, Option<Run>) {
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let state = &mut *inner;
        let mut dropped_run = None;
        let log = match state.runs.get_mut(run) {
            Some(log) => log,
            None => {
                if state.order.len() >= MAX_RUNS
                    && let Some(oldest) = state.order.pop_front()
                {
                    dropped_run = state.runs.remove(&oldest);
                }
                state.order.push_back(run.to_owned());
                state.runs.entry(run.to_owned()).or_default()
            }
        };
        log.next_seq += 1;
        entry.seq = log.next_seq;
        let given_back = if log.entries.len() >= MAX_ENTRIES { log.entries.pop_front() } else { None };
        log.entries.push_back(entry);
        (given_back, dropped_run)
    }

    /// The entries of `run`, oldest first (empty for an unknown run).
    pub fn entries(&self, run: &str) -> Vec<LogEntry> {
        let inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        inner.runs.get(run).map(|r| r.entries.iter().map(Stored::entry).collect()).unwrap_or_default()
    }

    /// How many runs are kept.
    pub fn run_count(&self) -> usize {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner).runs.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use axum::http::{HeaderName, HeaderValue};

    use super::*;

    fn head(lines: &[(&str, &[u8])]) -> HeaderMap {
        lines
            .iter()
            .map(|(n, v)| (HeaderName::from_bytes(n.as_bytes()).unwrap(), HeaderValue::from_bytes(v).unwrap()))
            .collect()
    }

    fn recorded(headers: &HeaderMap) -> LogEntry {
        let log = RequestLog::default();
        log.record("r", &Method::GET, "/p", headers);
        log.entries("r").pop().unwrap()
    }

    #[test]
    fn values_are_cut_at_a_character_boundary_and_never_panic() {
        let accents = "é".repeat(200);
        let cut_accents = cut(accents.as_bytes());
        assert!(cut_accents.len() <= MAX_VALUE_LEN && cut_accents.chars().all(|c| c == 'é'));
        assert_eq!(cut(b"a\xffb"), "a\u{fffd}b");
        assert_eq!(cut(&[0xff; 1000]).len(), MAX_VALUE_LEN - MAX_VALUE_LEN % 3);
        assert_eq!(cut(b"plain"), "plain");
    }

    #[test]
    fn a_full_run_reuses_its_oldest_entry() {
        let log = RequestLog::default();
        let headers = HeaderMap::new();
        for i in 0..(MAX_ENTRIES + 3) {
            log.record("r", &Method::GET, &format!("/p/{i}"), &headers);
        }
        let entries = log.entries("r");
        assert_eq!(entries.len(), MAX_ENTRIES);
        assert_eq!((entries[0].seq, entries[0].path.as_str()), (4, "/p/3"));
        let last = &entries[MAX_ENTRIES - 1];
        assert_eq!((last.seq, last.path.clone(), last.origin.clone()), ((MAX_ENTRIES + 3) as u64, format!("/p/{}", MAX_ENTRIES + 2), None));
    }

    #[test]
    fn a_head_is_kept_whole_in_order_with_obs_text_replaced() {
        let headers = head(&[
            ("host", b"localhost:8080"),
            ("origin", b"http://localhost:5050"),
            ("accept", b"*/*"),
            ("x-colon", b"a:b:c"),
            ("x-obs", b"caf\xe9"),
            ("x-empty", b""),
            ("accept", b"text/plain"),
        ]);
        let entry = recorded(&headers);
        let pairs: Vec<(&str, &str)> = entry.headers.iter().map(|(n, v)| (n.as_str(), v.as_str())).collect();
        assert_eq!(
            pairs,
            [
                ("host", "localhost:8080"),
                ("origin", "http://localhost:5050"),
                // A repeated name's lines come together, at the first's place.
                ("accept", "*/*"),
                ("accept", "text/plain"),
                ("x-colon", "a:b:c"),
                ("x-obs", "caf\u{fffd}"),
                ("x-empty", ""),
            ]
        );
        assert!(!entry.truncated);
        assert_eq!((entry.method.as_str(), entry.path.as_str()), ("GET", "/p"));
        assert_eq!(entry.origin.as_deref(), Some("http://localhost:5050"));
    }

    #[test]
    fn the_cors_fields_are_the_first_lines_wherever_they_stand() {
        let names: Vec<String> = (0..100).map(|i| format!("x-header-{i}")).collect();
        let mut lines: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"value"[..])).collect();
        // Past the kept head, a repeated Origin, obs-text in the method.
        lines.push(("origin", b"https://first.example"));
        lines.push(("access-control-request-method", b"P\xe9T"));
        lines.push(("origin", b"https://second.example"));
        let entry = recorded(&head(&lines));
        assert_eq!(entry.origin.as_deref(), Some("https://first.example"));
        assert_eq!(entry.access_control_request_method.as_deref(), Some("P\u{fffd}T"));
        assert_eq!(entry.access_control_request_headers, None);
        assert!(entry.truncated && !entry.preflight);
    }

    #[test]
    fn a_head_of_200_headers_keeps_the_first_64() {
        let names: Vec<String> = (0..200).map(|i| format!("x-header-{i}")).collect();
        let lines: Vec<(&str, &[u8])> = names.iter().map(|n| (n.as_str(), &b"value"[..])).collect();
        let entry = recorded(&head(&lines));
        assert_eq!(entry.headers.len(), MAX_HEADERS);
        assert_eq!(entry.headers[MAX_HEADERS - 1], ("x-header-63".to_owned(), "value".to_owned()));
        assert!(entry.truncated);
        // Exactly 64 is not cut.
        let entry = recorded(&head(&lines[..MAX_HEADERS]));
        assert_eq!((entry.headers.len(), entry.truncated), (MAX_HEADERS, false));
    }

    #[test]
    fn a_megabyte_value_is_cut_to_the_head_budget() {
        let big = vec![b'm'; 1 << 20];
        let entry = recorded(&head(&[("x-first", b"1"), ("x-big", &big), ("x-after", b"2")]));
        let used = "x-first".len() + 1 + "x-big".len();
        assert_eq!(entry.headers.len(), 2, "x-after is cut");
        assert_eq!(entry.headers[1].0, "x-big");
        assert_eq!(entry.headers[1].1.len(), MAX_HEAD_TEXT_LEN - used);
        assert!(entry.truncated);
        let text: usize = entry.headers.iter().map(|(n, v)| n.len() + v.len()).sum();
        assert_eq!(text, MAX_HEAD_TEXT_LEN);
        // A megabyte of obs-text (each byte a U+FFFD, three bytes) too,
        // cut at a character boundary; and a value exactly at the budget is
        // whole.
        let entry = recorded(&head(&[("x-obs", &[0xff; 1 << 20][..])]));
        let value = &entry.headers[0].1;
        assert!(value.len() <= MAX_HEAD_TEXT_LEN - 5 && value.len() > MAX_HEAD_TEXT_LEN - 5 - 3);
        assert!(value.chars().all(|c| c == '\u{fffd}') && entry.truncated);
        let exact = vec![b'e'; MAX_HEAD_TEXT_LEN - 1];
        let entry = recorded(&head(&[("x", &exact)]));
        assert_eq!((entry.headers[0].1.len(), entry.truncated), (MAX_HEAD_TEXT_LEN - 1, false));
    }

    #[test]
    fn a_name_that_does_not_fit_is_dropped_whole() {
        let fill = vec![b'f'; MAX_HEAD_TEXT_LEN - 10];
        let entry = recorded(&head(&[("x-f", &fill[..MAX_HEAD_TEXT_LEN - 10 - 3]), ("x-long-name-here", b"v")]));
        assert_eq!(entry.headers.len(), 1);
        assert!(entry.truncated);
    }

    #[test]
    fn lossy_cuts_match_from_utf8_lossy() {
        let cases: [&[u8]; 6] = [b"plain", b"caf\xc3\xa9", b"a\xffb", b"ends in \xe2\x82", "\u{1f600}x".as_bytes(), b"\xf0\x9f\x98"];
        for value in cases {
            let whole = String::from_utf8_lossy(value);
            for limit in 0..=whole.len() + 2 {
                let mut text = String::new();
                let (used, cut) = lossy_into(value, limit, &mut |piece| text.push_str(piece));
                assert_eq!(used, text.len());
                assert!(whole.starts_with(&text) && text.len() <= limit, "{value:?} at {limit}: {text:?}");
                assert_eq!(cut, text.len() < whole.len(), "{value:?} at {limit}");
                // The longest prefix of whole characters that fits.
                let best = whole.char_indices().map(|(i, c)| i + c.len_utf8()).filter(|end| *end <= limit).max().unwrap_or(0);
                assert_eq!(text.len(), best, "{value:?} at {limit}");
            }
        }
    }

    #[test]
    fn an_entry_costs_its_exact_length() {
        let big = vec![b'z'; 1 << 20];
        let headers = head(&[("x-big", &big), ("origin", &big)]);
        let log = RequestLog::default();
        log.record("r", &Method::GET, "/p", &headers);
        let inner = log.inner.lock().unwrap();
        let stored = &inner.runs["r"].entries[0];
        assert!(stored.text.len() <= MAX_TEXT_LEN);
        assert_eq!(stored.text.capacity(), stored.text.len());
    }
}
