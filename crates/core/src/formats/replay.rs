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
//! - `origin`: the fetching context's origin, what `{origin}` stands for
//!   (`null` in an opaque one);
//! - `top`: the top-level page's origin, what `{top_origin}` stands for,
//!   when it is not `origin`;
//! - `ps`, `ph` (repeatable, `Name:value`, in order), `pb`: the answer to
//!   every `OPTIONS` request; without `ps`, `OPTIONS` gets a plain 404;
//! - `s`, `h`, `b`: the answer to every other request;
//! - `id`: a label for the log.
//!
//! A scenario's redirects (`cors-scenarios/2` hops) travel in the same URL,
//! so every hop's URL carries every hop's answers and the server needs no
//! state to follow a chain: hop N (from 1, at most [`MAX_HOPS`]) is
//! answered at `/replay/{run}/N` with the same query, and its parameters
//! are hop 0's with an `N.` in front: `N.at` (required: the origin that
//! serves it), `N.u` (`user:pass` written into its URL), `N.ps`, `N.ph`,
//! `N.pb`, `N.s`, `N.h`, `N.b` (a hop without `N.s` answers 404, as one
//! without `N.ps` answers `OPTIONS`). `at` is hop 0's origin. `{hopN}` in
//! any answer is hop N's URL ([`ReplaySpec::hop_url`]), built from the run
//! and the query the request came with: the URL the browser is sent to is
//! the one the server answers.
//!
//! The same module builds these URLs (for the page, the tests and the verify
//! command) and reads them (for the server), with the server's safety rules.
//! A replay sends what a real server sends, so any header name and value and
//! any final status (200 to 999) may be scripted, as long as the server stays
//! safe to run while any website can link to it:
//! - bounded: [`MAX_QUERY_LEN`], [`MAX_HEADERS`], [`MAX_VALUE_LEN`],
//!   [`MAX_BODY_LEN`], [`MAX_HOPS`];
//! - no CR, LF or NUL anywhere (no header injection); the origins and the
//!   userinfo that `{hopN}` writes are validated, and every value is checked
//!   again once its placeholders are filled in;
//! - no header that changes the connection's framing or the browser's own
//!   state beyond this run ([`refused_header`]: hop-by-hop headers,
//!   `Transfer-Encoding`, `Clear-Site-Data`, the reporting headers);
//! - a `Set-Cookie` goes out with its `Path` forced to the URL's replay
//!   path and no `Domain`, so the cookie cannot reach any other app on
//!   `localhost` (cookies ignore ports) — [`scope_cookie`];
//! - the scripted routes never serve a navigation (the server's guard), so a
//!   replay is never a page.

use std::fmt;

use serde::Serialize;

use crate::formats::scenario::{Hop, Placeholders, Scenario, ScriptedResponse};
use crate::http::header::{HeaderList, HeaderName, parse_header_value};
use crate::origin::Origin;

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
/// The most hops (redirect targets) one replay may script: fetch follows at
/// most 20 redirects, and one more shows the 21st refused.
pub const MAX_HOPS: usize = 32;
/// The longest `N.u` (userinfo), in bytes.
pub const MAX_USERINFO_LEN: usize = 256;

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
    /// The fetching context's origin (`{origin}`; `null` in an opaque one).
    pub origin: String,
    /// The top-level page's origin (`{top_origin}`), when not [`origin`](Self::origin).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_origin: Option<String>,
    /// The answer to `OPTIONS`, or `None` for a plain 404.
    pub preflight: Option<ScriptedResponse>,
    /// The answer to every other request.
    pub response: ScriptedResponse,
    /// A label for the log.
    pub id: Option<String>,
    /// The origin that serves hop 0 (for `{hop0}`), when there are hops.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// Hops 1..n: the URLs redirects lead to, each with its answers.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<ReplayHop>,
}

/// A hop of a replay (from 1): where it is served and what it answers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ReplayHop {
    /// The origin that serves it (`N.at`).
    pub at: String,
    /// `user:pass` written into its URL (`N.u`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub userinfo: Option<String>,
    /// The answer to `OPTIONS`, or `None` for a plain 404.
    pub preflight: Option<ScriptedResponse>,
    /// The answer to every other request, or `None` for a plain 404.
    pub response: Option<ScriptedResponse>,
}

/// A header the URL builder left out because the server would refuse it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LeftOut {
    /// `preflight_response` or `response` (`hop preflight_response`, `hop
    /// response` for a hop's).
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
    /// `top` or `at` (or a hop's `at`) is not the serialized origin of an
    /// `http` or `https` URL (`top` may be `null` too).
    BadOriginParameter {
        /// The parameter.
        name: &'static str,
        /// What is wrong.
        message: String,
    },
    /// A hop number over [`MAX_HOPS`].
    TooManyHops {
        /// The number.
        hop: usize,
    },
    /// A userinfo (`N.u`) that is not `user[:pass]` of printable ASCII
    /// without `@`, `/`, `?` or `#`, or is over [`MAX_USERINFO_LEN`] bytes.
    BadUserinfo,
    /// A problem in hop N's parameters (`N.…`).
    Hop {
        /// The hop's number.
        hop: usize,
        /// The problem, named as for hop 0.
        error: Box<ReplayError>,
    },
}

impl fmt::Display for ReplayError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReplayError::TooLong { len } => write!(f, "replay query is {len} bytes, over the {MAX_QUERY_LEN}-byte limit"),
            ReplayError::UnknownParameter { name } => write!(
                f,
                "unknown replay parameter {name:?} (known: origin, top, id, at, ps, ph, pb, s, h, b, and N.at, N.u, N.ps, N.ph, N.pb, N.s, N.h, N.b for hop N from 1)"
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
            ReplayError::BadOriginParameter { name, message } => write!(f, "replay parameter {name:?}: {message}"),
            ReplayError::TooManyHops { hop } => write!(f, "hop {hop} is over the limit of {MAX_HOPS} hops"),
            ReplayError::BadUserinfo => write!(
                f,
                "userinfo must be user[:pass] in printable ASCII without @ / ? #, at most {MAX_USERINFO_LEN} bytes"
            ),
            ReplayError::Hop { hop, error } => write!(f, "hop {hop}: {error}"),
        }
    }
}

impl std::error::Error for ReplayError {}

impl ReplaySpec {
    /// The replay of `scenario` for a page at `page_origin`, leaving out the
    /// headers a replay never sends, and any name that is not a header name
    /// (saying which). Placeholders stay in
    /// place: the server substitutes them. `{origin}` is the fetching
    /// context's origin (`null` in a sandboxed or `data:` iframe); each hop
    /// is served by its `server_origin` as written (a live replay writes the
    /// live origins in first).
    pub fn from_scenario(scenario: &Scenario, page_origin: &str) -> (ReplaySpec, Vec<LeftOut>) {
        let mut left_out = Vec::new();
        let mut keep = |answer: &'static str, r: &ScriptedResponse| -> ScriptedResponse {
            let headers = r
                .headers
                .iter()
                .filter(|(name, _)| {
                    // A name that is no header name (`Access-Co:ntrol`) could
                    // not be sent as written, and in the query's `Name:value`
                    // it would read back as another header (found by the
                    // `scenario` fuzz target): left out, and said.
                    let ok = HeaderName::parse(name).is_ok() && is_replayable_header(&name.to_ascii_lowercase());
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
        let hops: Vec<ReplayHop> = scenario
            .hops
            .iter()
            .map(|hop| ReplayHop {
                at: hop.server_origin.clone(),
                userinfo: hop.userinfo.clone(),
                preflight: hop.preflight_response.as_ref().map(|r| keep("hop preflight_response", r)),
                response: hop.response.as_ref().map(|r| keep("hop response", r)),
            })
            .collect();
        // `{origin}` is the context's; `{top_origin}` the page's, when they differ.
        let (origin, top_origin) = if scenario.request.context.is_opaque() {
            (Origin::Opaque.to_string(), Some(page_origin.to_owned()))
        } else {
            (page_origin.to_owned(), None)
        };
        let at = (!hops.is_empty()).then(|| scenario.server_origin().to_owned());
        let spec = ReplaySpec { origin, top_origin, preflight, response, id: Some(scenario.id.clone()), at, hops };
        (spec, left_out)
    }

    /// `base` as this replay plays it: its request, with the answers the
    /// replay sends (what the engine must predict to compare with a browser).
    /// Hops stay as `base` has them: see [`scenario_at`](Self::scenario_at).
    pub fn scenario(&self, base: &Scenario) -> Scenario {
        Scenario { preflight_response: self.preflight.clone(), response: self.response.clone(), ..base.clone() }
    }

    /// `base` as this replay plays it for run `run`: the answers the replay
    /// sends, and each hop at the URL the server answers it at (its origin,
    /// `/replay/{run}/N` and this query, its userinfo), so that
    /// [`Scenario::prepare_at`] with hop 0's URL predicts exactly what is
    /// replayed.
    pub fn scenario_at(&self, base: &Scenario, run: &str) -> Scenario {
        let query = self.to_query();
        let hops = self
            .hops
            .iter()
            .enumerate()
            .map(|(i, hop)| Hop {
                server_origin: hop.at.clone(),
                path: format!("{}?{query}", hop_path(run, i + 1)),
                userinfo: hop.userinfo.clone(),
                preflight_response: hop.preflight.clone(),
                response: hop.response.clone(),
            })
            .collect();
        Scenario { hops, ..self.scenario(base) }
    }

    /// The query string (without `?`).
    pub fn to_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.append_pair("origin", &self.origin);
        if let Some(top) = &self.top_origin {
            query.append_pair("top", top);
        }
        if let Some(id) = &self.id {
            query.append_pair("id", id);
        }
        if let Some(at) = &self.at {
            query.append_pair("at", at);
        }
        let mut answer = |r: &ScriptedResponse, prefix: &str, [s, h, b]: [&str; 3]| {
            query.append_pair(&format!("{prefix}{s}"), &r.status.to_string());
            for (name, value) in &r.headers {
                query.append_pair(&format!("{prefix}{h}"), &format!("{name}:{value}"));
            }
            if let Some(body) = &r.body {
                query.append_pair(&format!("{prefix}{b}"), body);
            }
        };
        if let Some(preflight) = &self.preflight {
            answer(preflight, "", ["ps", "ph", "pb"]);
        }
        answer(&self.response, "", ["s", "h", "b"]);
        for (i, hop) in self.hops.iter().enumerate() {
            let prefix = format!("{}.", i + 1);
            query.append_pair(&format!("{prefix}at"), &hop.at);
            if let Some(userinfo) = &hop.userinfo {
                query.append_pair(&format!("{prefix}u"), userinfo);
            }
            let mut answer = |r: &ScriptedResponse, [s, h, b]: [&str; 3]| {
                query.append_pair(&format!("{prefix}{s}"), &r.status.to_string());
                for (name, value) in &r.headers {
                    query.append_pair(&format!("{prefix}{h}"), &format!("{name}:{value}"));
                }
                if let Some(body) = &r.body {
                    query.append_pair(&format!("{prefix}{b}"), body);
                }
            };
            if let Some(preflight) = &hop.preflight {
                answer(preflight, ["ps", "ph", "pb"]);
            }
            if let Some(response) = &hop.response {
                answer(response, ["s", "h", "b"]);
            }
        }
        query.finish()
    }

    /// The path and query for run `run` (hop 0's).
    pub fn path_and_query(&self, run: &str) -> String {
        format!("{}?{}", hop_path(run, 0), self.to_query())
    }

    /// The URL of hop `hop` for run `run` when the replay's query is `query`
    /// (as the request came with it): its origin, [`hop_path`], the query,
    /// and its userinfo. `None` for a hop the replay does not have, or hop 0
    /// without `at`.
    pub fn hop_url(&self, hop: usize, run: &str, query: &str) -> Option<String> {
        let (at, userinfo) = match hop {
            0 => (self.at.as_deref()?, None),
            n => {
                let hop = self.hops.get(n - 1)?;
                (hop.at.as_str(), hop.userinfo.as_deref())
            }
        };
        let mut url = url::Url::parse(&format!("{at}{}?{query}", hop_path(run, hop))).ok()?;
        if let Some(userinfo) = userinfo {
            let (user, pass) = userinfo.split_once(':').unwrap_or((userinfo, ""));
            url.set_username(user).ok()?;
            if !pass.is_empty() {
                url.set_password(Some(pass)).ok()?;
            }
        }
        Some(url.to_string())
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
        let mut top = None;
        let mut id = None;
        let mut at = None;
        let mut pre = Partial::default();
        let mut res = Partial::default();
        let mut hops: Vec<PartialHop> = Vec::new();
        let once = |slot: &mut Option<String>, name: &str, value: String| {
            if slot.replace(value).is_some() {
                Err(ReplayError::Repeated { name: name.to_owned() })
            } else {
                Ok(())
            }
        };
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let (name, value) = (name.as_ref(), value.into_owned());
            // `N.field`: hop N's (from 1, no leading zero).
            if let Some((number, field)) = name.split_once('.').filter(|(n, _)| {
                !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) && !n.starts_with('0')
            }) {
                let unknown = || ReplayError::UnknownParameter { name: name.to_owned() };
                let hop: usize = number.parse().map_err(|_| ReplayError::TooManyHops { hop: usize::MAX })?;
                if hop > MAX_HOPS {
                    return Err(ReplayError::TooManyHops { hop });
                }
                if hops.len() < hop {
                    hops.resize_with(hop, PartialHop::default);
                }
                let slot = &mut hops[hop - 1];
                match field {
                    "at" => once(&mut slot.at, name, value)?,
                    "u" => once(&mut slot.userinfo, name, value)?,
                    "ps" => once(&mut slot.pre.status, name, value)?,
                    "pb" => once(&mut slot.pre.body, name, value)?,
                    "ph" => slot.pre.headers.push(value),
                    "s" => once(&mut slot.res.status, name, value)?,
                    "b" => once(&mut slot.res.body, name, value)?,
                    "h" => slot.res.headers.push(value),
                    _ => return Err(unknown()),
                }
                continue;
            }
            match name {
                "origin" => once(&mut origin, name, value)?,
                "top" => once(&mut top, name, value)?,
                "id" => once(&mut id, name, value)?,
                "at" => once(&mut at, name, value)?,
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
        if let Some(top) = &top {
            Origin::parse(top).map_err(|e| ReplayError::BadOriginParameter { name: "top", message: e.to_string() })?;
        }
        if let Some(at) = &at {
            check_served_origin(at)?;
        }
        let preflight = pre.finish("ps", "ph", "pb")?;
        let response = res.finish("s", "h", "b")?.ok_or(ReplayError::Missing { name: "s" })?;
        let hops = hops
            .into_iter()
            .enumerate()
            .map(|(i, hop)| hop.finish().map_err(|error| ReplayError::Hop { hop: i + 1, error: Box::new(error) }))
            .collect::<Result<Vec<ReplayHop>, ReplayError>>()?;
        Ok(ReplaySpec { origin, top_origin: top, preflight, response, id, at, hops })
    }

    /// The answer to a request with `method` at `url` (the full URL as the
    /// browser asked for it) on hop 0: placeholders substituted,
    /// `Content-Length` added when the script gives none. `OPTIONS` without
    /// a scripted preflight answer gets a plain 404. (`{hopN}` stays as
    /// written: see [`answer_at`](Self::answer_at).)
    pub fn answer(&self, method: &str, url: &str) -> (u16, HeaderList, String) {
        self.answer_at(0, method, url, None)
    }

    /// The answer of hop `hop` (0: the request's own URL) to a request with
    /// `method` at `url`, with `{hopN}` filled in from `served`: the run
    /// and the query the request came with (see [`hop_url`](Self::hop_url)).
    /// A hop without the scripted answer, or one the replay does not have,
    /// answers a plain 404.
    pub fn answer_at(&self, hop: usize, method: &str, url: &str, served: Option<Served<'_>>) -> (u16, HeaderList, String) {
        let (preflight, response) = match hop {
            0 => (self.preflight.as_ref(), Some(&self.response)),
            n => self.hops.get(n - 1).map_or((None, None), |h| (h.preflight.as_ref(), h.response.as_ref())),
        };
        let scripted = if method == "OPTIONS" { preflight } else { response };
        let Some(scripted) = scripted else {
            let mut headers = HeaderList::new();
            headers.append(HeaderName::from_static("content-length"), "0".to_owned());
            return (404, headers, String::new());
        };
        let mut values = Placeholders::new(&self.origin, url);
        if let Some(top) = &self.top_origin {
            values.top_origin.clone_from(top);
        }
        values.hops = match served {
            // Each hop's URL with its userinfo, as the scenario's `{hopN}`
            // (a hop 0 without `at`: the URL asked for, or `{hop0}` kept).
            Some(served) => (0..=self.hops.len())
                .map(|n| {
                    self.hop_url(n, served.run, served.query)
                        .or_else(|| (n == hop).then(|| url.to_owned()))
                        .unwrap_or_else(|| format!("{{hop{n}}}"))
                })
                .collect(),
            None => vec![url.to_owned()],
        };
        let body = scripted.body.as_deref().map(|b| values.fill(b)).unwrap_or_default();
        let path = url::Url::parse(url).map(|u| u.path().to_owned()).unwrap_or_else(|_| "/".to_owned());
        let mut headers = HeaderList::new();
        for (name, value) in &scripted.headers {
            // Validated when parsed; a filled-in value is checked again (the
            // origins and userinfo are validated too, and URLs are escaped).
            if let (Ok(name), Ok(value)) = (HeaderName::parse(name), parse_header_value(&values.fill(value))) {
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

/// Where a request was served, for `{hopN}`: its run and the replay query
/// it came with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Served<'a> {
    /// The run id.
    pub run: &'a str,
    /// The query, as received (without `?`).
    pub query: &'a str,
}

/// The path hop `hop` of run `run` is served at: `/replay/{run}` for hop 0,
/// `/replay/{run}/{hop}` after.
pub fn hop_path(run: &str, hop: usize) -> String {
    if hop == 0 { format!("/replay/{run}") } else { format!("/replay/{run}/{hop}") }
}

/// An origin that serves a hop (`at`, `N.at`): an `http` or `https` origin.
fn check_served_origin(at: &str) -> Result<(), ReplayError> {
    let bad = |message: String| ReplayError::BadOriginParameter { name: "at", message };
    let origin = Origin::parse(at).map_err(|e| bad(e.to_string()))?;
    match origin.tuple() {
        Some(tuple) if matches!(tuple.scheme(), "http" | "https") => Ok(()),
        _ => Err(bad(format!("{at:?} is not an http or https origin"))),
    }
}

/// Whether `userinfo` is `user[:pass]` a URL can carry as given.
fn is_valid_userinfo(userinfo: &str) -> bool {
    !userinfo.is_empty()
        && userinfo.len() <= MAX_USERINFO_LEN
        && userinfo.bytes().all(|b| b.is_ascii_graphic() && !matches!(b, b'@' | b'/' | b'?' | b'#' | b'\\'))
}

/// One hop while its parameters are read.
#[derive(Default)]
struct PartialHop {
    at: Option<String>,
    userinfo: Option<String>,
    pre: Partial,
    res: Partial,
}

impl PartialHop {
    fn finish(self) -> Result<ReplayHop, ReplayError> {
        let at = self.at.ok_or(ReplayError::Missing { name: "at" })?;
        check_served_origin(&at)?;
        if self.userinfo.as_deref().is_some_and(|u| !is_valid_userinfo(u)) {
            return Err(ReplayError::BadUserinfo);
        }
        Ok(ReplayHop {
            at,
            userinfo: self.userinfo,
            preflight: self.pre.finish("ps", "ph", "pb")?,
            response: self.res.finish("s", "h", "b")?,
        })
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
            top_origin: None,
            at: None,
            hops: Vec::new(),
        }
    }

    /// A replay with two hops: hop 0 (on :8080) redirects to hop 1 (on
    /// :8081, with userinfo), which redirects to hop 2 (back on :8080).
    fn chain() -> ReplaySpec {
        let answer = |status: u16, headers: &[(&str, &str)], body: Option<&str>| ScriptedResponse {
            status,
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            body: body.map(str::to_owned),
        };
        ReplaySpec {
            origin: "null".to_owned(),
            top_origin: Some("http://localhost:5050".to_owned()),
            preflight: None,
            response: answer(302, &[("Location", "{hop1}"), ("Access-Control-Allow-Origin", "{origin}")], None),
            id: Some("chain".to_owned()),
            at: Some("http://localhost:8080".to_owned()),
            hops: vec![
                ReplayHop {
                    at: "http://localhost:8081".to_owned(),
                    userinfo: Some("user:pass".to_owned()),
                    preflight: Some(answer(204, &[("Access-Control-Allow-Origin", "*")], None)),
                    response: Some(answer(307, &[("Location", "{hop2}"), ("X-Top", "{top_origin}")], Some("{url}"))),
                },
                ReplayHop { at: "http://localhost:8080".to_owned(), userinfo: None, preflight: None, response: None },
            ],
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn a_chain_of_hops_round_trips_and_each_hop_answers_with_the_next_ones_url() {
        let spec = chain();
        let query = spec.to_query();
        assert_eq!(ReplaySpec::parse_query(&query), Ok(spec.clone()));
        let served = Served { run: "r1", query: &query };
        assert_eq!(hop_path("r1", 0), "/replay/r1");
        assert_eq!(hop_path("r1", 2), "/replay/r1/2");
        let hop1 = spec.hop_url(1, "r1", &query).expect("hop 1's URL");
        assert_eq!(hop1, format!("http://user:pass@localhost:8081/replay/r1/1?{query}"));
        assert_eq!(spec.hop_url(3, "r1", &query), None);
        // Hop 0 sends the browser to hop 1, userinfo included.
        let (status, headers, _) = spec.answer_at(0, "GET", &format!("http://localhost:8080/replay/r1?{query}"), Some(served));
        assert_eq!(status, 302);
        assert_eq!(headers.get("location").as_deref(), Some(hop1.as_str()));
        assert_eq!(headers.get("access-control-allow-origin").as_deref(), Some("null"));
        // Hop 1 answers its preflight and its request, and names hop 2.
        let at1 = format!("http://localhost:8081/replay/r1/1?{query}");
        assert_eq!(spec.answer_at(1, "OPTIONS", &at1, Some(served)).0, 204);
        let (status, headers, body) = spec.answer_at(1, "GET", &at1, Some(served));
        assert_eq!(status, 307);
        assert_eq!(headers.get("location"), Some(format!("http://localhost:8080/replay/r1/2?{query}")));
        assert_eq!(headers.get("x-top").as_deref(), Some("http://localhost:5050"));
        assert_eq!(body, at1);
        // Hop 2 scripts nothing, a hop past the last does not exist: 404.
        for hop in [2, 3] {
            assert_eq!(spec.answer_at(hop, "GET", "http://localhost:8080/x", Some(served)).0, 404);
        }
        // Without where it was served, `{hopN}` stays as written.
        assert_eq!(spec.answer("GET", "http://localhost:8080/x").1.get("location").as_deref(), Some("{hop1}"));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn unsafe_hops_are_refused() {
        let base = "origin=null&top=http%3A%2F%2Fa.test&s=302";
        let hop = |error: ReplayError| ReplayError::Hop { hop: 1, error: Box::new(error) };
        for (query, expected) in [
            (format!("{base}&1.s=200"), hop(ReplayError::Missing { name: "at" })),
            (format!("{base}&2.at=http%3A%2F%2Fb.test"), hop(ReplayError::Missing { name: "at" })),
            (format!("{base}&1.at=null"), hop(ReplayError::BadOriginParameter { name: "at", message: "\"null\" is not an http or https origin".to_owned() })),
            (format!("{base}&1.at=http%3A%2F%2Fb.test&1.u=a%40b"), hop(ReplayError::BadUserinfo)),
            (format!("{base}&1.at=http%3A%2F%2Fb.test&1.u=a%0D%0Ab"), hop(ReplayError::BadUserinfo)),
            (format!("{base}&1.at=http%3A%2F%2Fb.test&1.h=Connection%3Aclose&1.s=200"), hop(ReplayError::RefusedHeader { name: "Connection".to_owned() })),
            (format!("{base}&1.at=http%3A%2F%2Fb.test&1.ph=X%3A1"), hop(ReplayError::OrphanParameter { name: "ph".to_owned() })),
            (format!("{base}&1.at=http%3A%2F%2Fb.test&1.at=http%3A%2F%2Fc.test"), ReplayError::Repeated { name: "1.at".to_owned() }),
            (format!("{base}&1.x=1"), ReplayError::UnknownParameter { name: "1.x".to_owned() }),
            (format!("{base}&01.s=200"), ReplayError::UnknownParameter { name: "01.s".to_owned() }),
            (format!("{base}&0.s=200"), ReplayError::UnknownParameter { name: "0.s".to_owned() }),
            (format!("{base}&33.s=200"), ReplayError::TooManyHops { hop: 33 }),
            (format!("{base}&at=ftp%3A%2F%2Fb.test"), ReplayError::BadOriginParameter { name: "at", message: "\"ftp://b.test\" is not an http or https origin".to_owned() }),
        ] {
            assert_eq!(ReplaySpec::parse_query(&query), Err(expected), "{query}");
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
