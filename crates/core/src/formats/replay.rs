//! Replay URLs: a URL that says everything a server must answer to a
//! scenario's preflight and request, so the server stays stateless and the
//! browser's preflight and request, which share their URL, get their answers.
//!
//! ```text
//! /replay/{run}?origin=http%3A%2F%2Flocalhost%3A5050
//!   &ps=204&ph=Access-Control-Allow-Origin%3A%7Borigin%7D     (the preflight answer)
//!   &s=200&h=Access-Control-Allow-Origin%3A%7Borigin%7D&b=ok  (the answer to the rest)
//! ```
//!
//! - `origin`: the page's origin, what `{origin}` stands for;
//! - `ps`, `ph` (repeatable, `Name:value`, in order), `pb`: the answer to
//!   every `OPTIONS` request; without `ps`, `OPTIONS` gets a plain 404;
//! - `s`, `h`, `b`: the answer to every other request;
//! - `id`: a label for the log.
//!
//! The same module builds these URLs (for the page, the tests and the verify
//! command) and reads them (for the server), with the server's safety rules.
//! A replay sends what a real server sends, so any header name and value and
//! any final status (200 to 999) may be scripted, as long as the server stays
//! safe to run while any website can link to it:
//! - bounded: [`MAX_QUERY_LEN`], [`MAX_HEADERS`], [`MAX_VALUE_LEN`],
//!   [`MAX_BODY_LEN`];
//! - no CR, LF or NUL anywhere (no header injection);
//! - no header that changes the connection's framing or the browser's own
//!   state beyond this run ([`refused_header`]: hop-by-hop headers,
//!   `Transfer-Encoding`, `Clear-Site-Data`, the reporting headers);
//! - a `Set-Cookie` goes out with its `Path` forced to the run's replay
//!   path and no `Domain`, so the cookie cannot reach any other app on
//!   `localhost` (cookies ignore ports) — [`scope_cookie`];
//! - the scripted routes never serve a navigation (the server's guard), so a
//!   replay is never a page.

use std::fmt;

use serde::Serialize;

use crate::http::header::{HeaderList, HeaderName, parse_header_value};
use crate::origin::Origin;
use crate::formats::scenario::{Scenario, ScriptedResponse, substitute};

/// The longest replay query the server reads, in bytes.
pub const MAX_QUERY_LEN: usize = 16 * 1024;
/// The most header lines one scripted answer may have.
pub const MAX_HEADERS: usize = 64;
/// The longest header value, in bytes.
pub const MAX_VALUE_LEN: usize = 4096;
/// The longest body, in bytes.
pub const MAX_BODY_LEN: usize = 8 * 1024;
/// The longest run id.
pub const MAX_RUN_ID_LEN: usize = 64;

/// Why a replay never sends a header with this (lower-case) name, if it
/// does not: a replay URL is a link anyone can craft.
pub fn refused_header(name: &str) -> Option<&'static str> {
    match name {
        // HTTP/1.1 framing and hop-by-hop headers are the server's own.
        "connection" | "keep-alive" | "transfer-encoding" | "te" | "trailer" | "upgrade" | "proxy-connection" => {
            Some("a hop-by-hop header: the server's HTTP stack writes its own")
        }
        // It would wipe the cookies and storage of every app on localhost.
        "clear-site-data" => Some("it would clear the data of every site on this host"),
        // They would make the browser report later requests elsewhere.
        "nel" | "report-to" | "reporting-endpoints" => Some("it would make the browser report later requests to another URL"),
        _ => None,
    }
}

/// Whether a replay may send a header with this (lower-case) name.
pub fn is_replayable_header(name: &str) -> bool {
    refused_header(name).is_none()
}

/// A scripted `Set-Cookie` value scoped to the replay path `path`: its
/// `Path` and `Domain` attributes replaced by `Path=<path>`, so the cookie
/// reaches only this run's URL (cookies ignore ports: an unscoped one on
/// `localhost` would reach every other app there).
///
/// <https://httpwg.org/specs/rfc6265.html#sane-set-cookie>
pub fn scope_cookie(value: &str, path: &str) -> String {
    let mut parts = value.split(';');
    let mut out = parts.next().unwrap_or_default().trim().to_owned();
    for attribute in parts {
        let name = attribute.split('=').next().unwrap_or_default().trim();
        if name.eq_ignore_ascii_case("path") || name.eq_ignore_ascii_case("domain") {
            continue;
        }
        out.push(';');
        out.push_str(attribute);
    }
    out.push_str("; Path=");
    out.push_str(path);
    out
}

/// A run id: 1 to 64 of `A-Z a-z 0-9 - _`.
pub fn is_valid_run_id(run: &str) -> bool {
    !run.is_empty()
        && run.len() <= MAX_RUN_ID_LEN
        && run.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What a replay URL describes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplaySpec {
    /// The page's origin (`{origin}`).
    pub origin: String,
    /// The answer to `OPTIONS`, or `None` for a plain 404.
    pub preflight: Option<ScriptedResponse>,
    /// The answer to every other request.
    pub response: ScriptedResponse,
    /// A label for the log.
    pub id: Option<String>,
}

/// A header the URL builder left out because the server would refuse it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// `preflight_response` or `response`.
    pub answer: &'static str,
    /// The header's name as written.
    pub name: String,
}

/// Why a replay URL is refused (the server answers 400 with this message).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ReplayError {
    /// The query is longer than [`MAX_QUERY_LEN`].
    TooLong {
        /// Its length.
        len: usize,
    },
    /// A parameter the replay does not know.
    UnknownParameter {
        /// Its name.
        name: String,
    },
    /// A parameter that may appear once appears again.
    Repeated {
        /// Its name.
        name: String,
    },
    /// A required parameter is missing.
    Missing {
        /// Its name.
        name: &'static str,
    },
    /// `origin` is not a serialized origin.
    BadOrigin {
        /// What is wrong.
        message: String,
    },
    /// A status that is not a number from 200 to 999.
    BadStatus {
        /// The parameter.
        param: &'static str,
        /// Its value.
        value: String,
    },
    /// A header parameter without `:`.
    BadHeaderPair {
        /// Its value.
        value: String,
    },
    /// A header name that is not a token.
    BadHeaderName {
        /// The name.
        name: String,
    },
    /// A header the replay never sends.
    RefusedHeader {
        /// The name.
        name: String,
    },
    /// CR, LF or NUL (or a character above U+00FF) in a header value.
    BadHeaderValue {
        /// The header's name.
        name: String,
    },
    /// More than [`MAX_HEADERS`] headers in one answer.
    TooManyHeaders,
    /// A header value over [`MAX_VALUE_LEN`] bytes.
    ValueTooLong {
        /// The header's name.
        name: String,
    },
    /// A body over [`MAX_BODY_LEN`] bytes.
    BodyTooLong,
    /// A `Content-Length` that is not the body's length.
    ContentLengthMismatch {
        /// The value given.
        given: String,
        /// The body's length.
        actual: usize,
    },
    /// An answer parameter (`ph`, `pb`, `h`, `b`) without its status.
    OrphanParameter {
        /// Its name.
        name: String,
    },
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::TooLong { len } => write!(f, "replay query is {len} bytes, over the {MAX_QUERY_LEN}-byte limit"),
            ReplayError::UnknownParameter { name } => write!(
                f,
                "unknown replay parameter {name:?} (known: origin, id, ps, ph, pb, s, h, b)"
            ),
            ReplayError::Repeated { name } => write!(f, "replay parameter {name:?} may appear only once"),
            ReplayError::Missing { name } => write!(f, "replay parameter {name:?} is required"),
            ReplayError::BadOrigin { message } => write!(f, "replay parameter \"origin\": {message}"),
            ReplayError::BadStatus { param, value } => {
                write!(f, "replay parameter {param:?}: status {value:?} is not a number from 200 to 999")
            }
            ReplayError::BadHeaderPair { value } => {
                write!(f, "header parameter {value:?} is not of the form Name:value")
            }
            ReplayError::BadHeaderName { name } => write!(f, "header name {name:?} is not an HTTP token"),
            ReplayError::RefusedHeader { name } => write!(
                f,
                "refused header {name:?}: {}",
                refused_header(&name.to_ascii_lowercase()).unwrap_or("not replayable")
            ),
            ReplayError::BadHeaderValue { name } => write!(
                f,
                "header {name:?}: values cannot hold CR, LF, NUL or characters above U+00FF"
            ),
            ReplayError::TooManyHeaders => write!(f, "more than {MAX_HEADERS} headers in one answer"),
            ReplayError::ValueTooLong { name } => {
                write!(f, "header {name:?}: value over {MAX_VALUE_LEN} bytes")
            }
            ReplayError::BodyTooLong => write!(f, "body over {MAX_BODY_LEN} bytes"),
            ReplayError::ContentLengthMismatch { given, actual } => {
                write!(f, "Content-Length {given:?} is not the body's length {actual}")
            }
            ReplayError::OrphanParameter { name } => {
                write!(f, "replay parameter {name:?} needs its status ({})", if name.starts_with('p') { "ps" } else { "s" })
            }
        }
    }
}

impl std::error::Error for ReplayError {}

impl ReplaySpec {
    /// The replay of `scenario` for a page at `page_origin`, leaving out the
    /// headers a replay never sends (and saying which). Placeholders stay in
    /// place: the server substitutes them.
    pub fn from_scenario(scenario: &Scenario, page_origin: &str) -> (ReplaySpec, Vec<LeftOut>) {
        let mut left_out = Vec::new();
        let mut keep = |answer: &'static str, r: &ScriptedResponse| -> ScriptedResponse {
            let headers = r
                .headers
                .iter()
                .filter(|(name, _)| {
                    let ok = is_replayable_header(&name.to_ascii_lowercase());
                    if !ok {
                        left_out.push(LeftOut { answer, name: name.clone() });
                    }
                    ok
                })
                .cloned()
                .collect();
            ScriptedResponse { status: r.status, headers, body: r.body.clone() }
        };
        let preflight = scenario.preflight_response.as_ref().map(|r| keep("preflight_response", r));
        let response = keep("response", &scenario.response);
        let spec = ReplaySpec { origin: page_origin.to_owned(), preflight, response, id: Some(scenario.id.clone()) };
        (spec, left_out)
    }

    /// `base` as this replay plays it: its request, with the answers the
    /// replay sends (what the engine must predict to compare with a browser).
    pub fn scenario(&self, base: &Scenario) -> Scenario {
        Scenario { preflight_response: self.preflight.clone(), response: self.response.clone(), ..base.clone() }
    }

    /// The query string (without `?`).
    pub fn to_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("origin", &self.origin);
        if let Some(id) = &self.id {
            query.append_pair("id", id);
        }
        let mut answer = |r: &ScriptedResponse, s: &str, h: &str, b: &str| {
            query.append_pair(s, &r.status.to_string());
            for (name, value) in &r.headers {
                query.append_pair(h, &format!("{name}:{value}"));
            }
            if let Some(body) = &r.body {
                query.append_pair(b, body);
            }
        };
        if let Some(preflight) = &self.preflight {
            answer(preflight, "ps", "ph", "pb");
        }
        answer(&self.response, "s", "h", "b");
        query.finish()
    }

    /// The path and query for run `run`.
    pub fn path_and_query(&self, run: &str) -> String {
        format!("/replay/{run}?{}", self.to_query())
    }

    /// Reads a replay query, applying every safety rule.
    ///
    /// # Errors
    ///
    /// The first [`ReplayError`].
    pub fn parse_query(query: &str) -> Result<ReplaySpec, ReplayError> {
        if query.len() > MAX_QUERY_LEN {
            return Err(ReplayError::TooLong { len: query.len() });
        }
        let mut origin = None;
        let mut id = None;
        let mut pre = Partial::default();
        let mut res = Partial::default();
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let (name, value) = (name.as_ref(), value.into_owned());
            let once = |slot: &mut Option<String>, name: &str, value: String| {
                if slot.replace(value).is_some() {
                    Err(ReplayError::Repeated { name: name.to_owned() })
                } else {
                    Ok(())
                }
            };
            match name {
                "origin" => once(&mut origin, name, value)?,
                "id" => once(&mut id, name, value)?,
                "ps" => once(&mut pre.status, name, value)?,
                "pb" => once(&mut pre.body, name, value)?,
                "ph" => pre.headers.push(value),
                "s" => once(&mut res.status, name, value)?,
                "b" => once(&mut res.body, name, value)?,
                "h" => res.headers.push(value),
                other => return Err(ReplayError::UnknownParameter { name: other.to_owned() }),
            }
        }
        let origin = origin.ok_or(ReplayError::Missing { name: "origin" })?;
        Origin::parse(&origin).map_err(|e| ReplayError::BadOrigin { message: e.to_string() })?;
        let preflight = pre.finish("ps", "ph", "pb")?;
        let response = res.finish("s", "h", "b")?.ok_or(ReplayError::Missing { name: "s" })?;
        Ok(ReplaySpec { origin, preflight, response, id })
    }

    /// The answer to a request with `method` at `url` (the full URL as the
    /// browser asked for it): placeholders substituted, `Content-Length`
    /// added when the script gives none. `OPTIONS` without a scripted
    /// preflight answer gets a plain 404.
    pub fn answer(&self, method: &str, url: &str) -> (u16, HeaderList, String) {
        let scripted = if method == "OPTIONS" { self.preflight.as_ref() } else { Some(&self.response) };
        let Some(scripted) = scripted else {
            let mut headers = HeaderList::new();
            headers.append(HeaderName::from_static("content-length"), "0".to_owned());
            return (404, headers, String::new());
        };
        let body = scripted.body.as_deref().map(|b| substitute(b, &self.origin, url)).unwrap_or_default();
        let path = url::Url::parse(url).map(|u| u.path().to_owned()).unwrap_or_else(|_| "/".to_owned());
        let mut headers = HeaderList::new();
        for (name, value) in &scripted.headers {
            // Validated when parsed; a substitution cannot add CR or LF as
            // the origin and URL are validated too.
            if let (Ok(name), Ok(value)) =
                (HeaderName::parse(name), parse_header_value(&substitute(value, &self.origin, url)))
            {
                let value = if name.as_str() == "set-cookie" { scope_cookie(&value, &path) } else { value };
                headers.append(name, value);
            }
        }
        if !headers.contains("content-length") {
            headers.append(HeaderName::from_static("content-length"), body.len().to_string());
        }
        (scripted.status, headers, body)
    }
}

/// One answer while its parameters are read.
#[derive(Default)]
struct Partial {
    status: Option<String>,
    headers: Vec<String>,
    body: Option<String>,
}

impl Partial {
    fn finish(self, s: &'static str, h: &'static str, b: &'static str) -> Result<Option<ScriptedResponse>, ReplayError> {
        let Some(status) = self.status else {
            if !self.headers.is_empty() {
                return Err(ReplayError::OrphanParameter { name: h.to_owned() });
            }
            if self.body.is_some() {
                return Err(ReplayError::OrphanParameter { name: b.to_owned() });
            }
            return Ok(None);
        };
        let status = status
            .parse::<u16>()
            .ok()
            .filter(|s| (200..=999).contains(s))
            .ok_or(ReplayError::BadStatus { param: s, value: status })?;
        if self.headers.len() > MAX_HEADERS {
            return Err(ReplayError::TooManyHeaders);
        }
        let body = self.body;
        if body.as_ref().is_some_and(|b| b.len() > MAX_BODY_LEN) {
            return Err(ReplayError::BodyTooLong);
        }
        let mut headers = Vec::with_capacity(self.headers.len());
        for pair in self.headers {
            let Some((name, value)) = pair.split_once(':') else {
                return Err(ReplayError::BadHeaderPair { value: pair });
            };
            let header = HeaderName::parse(name).map_err(|_| ReplayError::BadHeaderName { name: name.to_owned() })?;
            if !is_replayable_header(header.as_str()) {
                return Err(ReplayError::RefusedHeader { name: name.to_owned() });
            }
            if value.len() > MAX_VALUE_LEN {
                return Err(ReplayError::ValueTooLong { name: name.to_owned() });
            }
            if parse_header_value(value).is_err() {
                return Err(ReplayError::BadHeaderValue { name: name.to_owned() });
            }
            if header.as_str() == "content-length" {
                let actual = body.as_ref().map_or(0, String::len);
                if value.trim() != actual.to_string() {
                    return Err(ReplayError::ContentLengthMismatch { given: value.to_owned(), actual });
                }
            }
            headers.push((name.to_owned(), value.to_owned()));
        }
        Ok(Some(ScriptedResponse { status, headers, body }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spec() -> ReplaySpec {
        ReplaySpec {
            origin: "http://localhost:5050".to_owned(),
            preflight: Some(ScriptedResponse {
                status: 204,
                headers: vec![
                    ("Access-Control-Allow-Origin".to_owned(), "{origin}".to_owned()),
                    ("Access-Control-Allow-Origin".to_owned(), "http://b.test".to_owned()),
                ],
                body: None,
            }),
            response: ScriptedResponse {
                status: 200,
                headers: vec![("Content-Type".to_owned(), "text/plain; charset=utf-8".to_owned())],
                body: Some("a&b=c ☃".to_owned()),
            },
            id: Some("x".to_owned()),
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_replay_query_round_trips() {
        let spec = spec();
        assert_eq!(ReplaySpec::parse_query(&spec.to_query()), Ok(spec));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn answers_substitute_placeholders_and_add_content_length() {
        let (status, headers, body) = spec().answer("OPTIONS", "http://localhost:8080/replay/r?x");
        assert_eq!(status, 204);
        assert_eq!(
            headers.get("access-control-allow-origin").as_deref(),
            Some("http://localhost:5050, http://b.test")
        );
        assert_eq!(headers.get("content-length").as_deref(), Some("0"));
        assert_eq!(body, "");
        let (status, headers, body) = spec().answer("GET", "u");
        assert_eq!((status, body.as_str()), (200, "a&b=c ☃"));
        assert_eq!(headers.get("content-length").as_deref(), Some("9"));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn unsafe_replays_are_refused() {
        let origin = "origin=http%3A%2F%2Fa.test";
        for (query, expected) in [
            ("s=200".to_owned(), ReplayError::Missing { name: "origin" }),
            (origin.to_string(), ReplayError::Missing { name: "s" }),
            (format!("{origin}&s=200&x=1"), ReplayError::UnknownParameter { name: "x".to_owned() }),
            (format!("{origin}&s=200&s=201"), ReplayError::Repeated { name: "s".to_owned() }),
            (format!("{origin}&s=99"), ReplayError::BadStatus { param: "s", value: "99".to_owned() }),
            (format!("{origin}&s=1000"), ReplayError::BadStatus { param: "s", value: "1000".to_owned() }),
            (format!("{origin}&s=abc"), ReplayError::BadStatus { param: "s", value: "abc".to_owned() }),
            (format!("{origin}&s=200&h=Transfer-Encoding%3Achunked"), ReplayError::RefusedHeader { name: "Transfer-Encoding".to_owned() }),
            (format!("{origin}&s=200&h=Connection%3Aclose"), ReplayError::RefusedHeader { name: "Connection".to_owned() }),
            (format!("{origin}&s=200&h=Clear-Site-Data%3A%22cookies%22"), ReplayError::RefusedHeader { name: "Clear-Site-Data".to_owned() }),
            (format!("{origin}&s=200&h=X-A%3Aa%0D%0AX-B%3Ab"), ReplayError::BadHeaderValue { name: "X-A".to_owned() }),
            (format!("{origin}&s=200&h=X-A%3Aa%00"), ReplayError::BadHeaderValue { name: "X-A".to_owned() }),
            (format!("{origin}&s=200&h=X%20A%3Ab"), ReplayError::BadHeaderName { name: "X A".to_owned() }),
            (format!("{origin}&s=200&h=nocolon"), ReplayError::BadHeaderPair { value: "nocolon".to_owned() }),
            (format!("{origin}&ph=X-A%3A1&s=200"), ReplayError::OrphanParameter { name: "ph".to_owned() }),
            (format!("{origin}&s=200&b=ok&h=Content-Length%3A5"), ReplayError::ContentLengthMismatch { given: "5".to_owned(), actual: 2 }),
            ("origin=localhost%3A5050&s=200".to_owned(), ReplayError::BadOrigin { message: "origin has no scheme (expected scheme://host[:port])".to_owned() }),
        ] {
            assert_eq!(ReplaySpec::parse_query(&query), Err(expected), "{query}");
        }
        let long = format!("{origin}&s=200&b={}", "x".repeat(MAX_QUERY_LEN));
        assert!(matches!(ReplaySpec::parse_query(&long), Err(ReplayError::TooLong { .. })));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn any_header_and_status_a_server_sends_is_replayed_and_cookies_stay_in_their_run() {
        let origin = "origin=http%3A%2F%2Fa.test";
        let query = format!("{origin}&s=999&h=Server%3Ascripted&h=Date%3AThu&h=Foo-Bar%3A1&h=Set-Cookie%3Aa%3Db%3B%20Path%3D%2F%3B%20Domain%3Dlocalhost%3B%20HttpOnly");
        let spec = ReplaySpec::parse_query(&query).expect("a replay");
        let (status, headers, _) = spec.answer("GET", "http://localhost:8080/replay/r1?x=1");
        assert_eq!(status, 999);
        assert_eq!(headers.get("server").as_deref(), Some("scripted"));
        assert_eq!(headers.get("foo-bar").as_deref(), Some("1"));
        assert_eq!(headers.get("set-cookie").as_deref(), Some("a=b; HttpOnly; Path=/replay/r1"));
        assert_eq!(scope_cookie("sid=1", "/replay/r"), "sid=1; Path=/replay/r");
        assert_eq!(scope_cookie("sid=1;path=/;DOMAIN=.x; Secure", "/replay/r"), "sid=1; Secure; Path=/replay/r");
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn run_ids_are_short_and_plain() {
        assert!(is_valid_run_id("run-1_a"));
        assert!(!is_valid_run_id(""));
        assert!(!is_valid_run_id("a/b"));
        assert!(!is_valid_run_id(&"a".repeat(65)));
    }
}
