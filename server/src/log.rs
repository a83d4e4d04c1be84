//! The request log: what the replay and policy routes received, by run.
//!
//! A caller picks a run id (a path segment: `/replay/{run}`,
//! `/policy/{run}`) and reads back `GET /log/{run}`: one entry per request,
//! preflights included, which is what a page cannot see for itself.
//!
//! Bounded: at most [`MAX_RUNS`] runs (the run created longest ago is
//! dropped first), [`MAX_ENTRIES`] entries per run (oldest dropped first),
//! and every logged value cut to [`MAX_VALUE_LEN`] bytes, so memory stays
//! under about `MAX_RUNS × MAX_ENTRIES × 4 × MAX_VALUE_LEN` (32 MiB, plus
//! a few dozen bytes per entry)
//! whatever the traffic.

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::{Mutex, PoisonError};

use axum::http::{HeaderMap, Method};
use serde::Serialize;

/// The most runs kept.
pub const MAX_RUNS: usize = 256;
/// The most entries kept per run.
pub const MAX_ENTRIES: usize = 128;
/// The longest logged value (path or header), in bytes; longer ones are cut.
pub const MAX_VALUE_LEN: usize = 256;

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
}

/// An entry as kept: its text fields in one allocation.
#[derive(Debug)]
struct Stored {
    seq: u64,
    method: Method,
    /// Path, Origin, Access-Control-Request-Method and
    /// Access-Control-Request-Headers, one after the other (a full run
    /// reuses its oldest entry's buffer: no allocation in steady state).
    text: String,
    /// Where each field ends in `text`, or `None` when the header was absent.
    ends: [Option<u16>; 4],
    preflight: bool,
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
        LogEntry {
            seq: self.seq,
            method: self.method.as_str().to_owned(),
            path: next().unwrap_or_default(),
            origin: next(),
            access_control_request_method: next(),
            access_control_request_headers: next(),
            preflight: self.preflight,
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
#[derive(Debug, Default)]
struct Fnv(u64);

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

/// The bounded request log, shared by every route.
#[derive(Debug, Default)]
pub struct RequestLog {
    inner: Mutex<Inner>,
}

/// `value` as text, cut to [`MAX_VALUE_LEN`] bytes at a character
/// boundary; bytes that are not UTF-8 (obs-text) are replaced.
fn cut(value: &[u8]) -> Cow<'_, str> {
    let value = &value[..value.len().min(MAX_VALUE_LEN)];
    match std::str::from_utf8(value) {
        Ok(text) => Cow::Borrowed(text),
        // Cut inside a character, or not UTF-8 at all.
        Err(e) if e.error_len().is_none() => Cow::Borrowed(std::str::from_utf8(&value[..e.valid_up_to()]).unwrap_or("")),
        Err(_) => {
            let lossy = String::from_utf8_lossy(value);
            let mut end = lossy.len().min(MAX_VALUE_LEN);
            while !lossy.is_char_boundary(end) {
                end -= 1;
            }
            Cow::Owned(lossy[..end].to_owned())
        }
    }
}

impl RequestLog {
    /// Records one request under `run` (a valid run id).
    pub fn record(&self, run: &str, method: &Method, path: &str, headers: &HeaderMap) {
        use axum::http::header::{ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, ORIGIN};
        let origin = headers.get(ORIGIN);
        let acrm = headers.get(ACCESS_CONTROL_REQUEST_METHOD);
        let acrh = headers.get(ACCESS_CONTROL_REQUEST_HEADERS);
        let preflight = method == Method::OPTIONS && origin.is_some() && acrm.is_some();
        let fields = [Some(path.as_bytes()), origin.map(|v| v.as_bytes()), acrm.map(|v| v.as_bytes()), acrh.map(|v| v.as_bytes())]
            .map(|field| field.map(cut));
        let len: usize = fields.iter().flatten().map(|f| f.len()).sum();
        let mut inner = self.inner.lock().unwrap_or_else(PoisonError::into_inner);
        let state = &mut *inner;
        let log = match state.runs.get_mut(run) {
            Some(log) => log,
            None => {
                if state.order.len() >= MAX_RUNS
                    && let Some(oldest) = state.order.pop_front()
                {
                    state.runs.remove(&oldest);
                }
                state.order.push_back(run.to_owned());
                state.runs.entry(run.to_owned()).or_default()
            }
        };
        log.next_seq += 1;
        // A full run gives its oldest entry's buffer to the new one.
        let mut text = if log.entries.len() >= MAX_ENTRIES {
            log.entries.pop_front().map(|old| old.text).unwrap_or_default()
        } else {
            String::new()
        };
        text.clear();
        text.reserve(len);
        let mut ends = [None; 4];
        for (end, field) in ends.iter_mut().zip(&fields) {
            if let Some(field) = field {
                text.push_str(field);
                *end = u16::try_from(text.len()).ok();
            }
        }
        log.entries.push_back(Stored { seq: log.next_seq, method: method.clone(), text, ends, preflight });
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
mod tests {
    use super::*;

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
}
