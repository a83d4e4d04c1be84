//! `/policy/{run}[/...]?<policy>`: answers as a correct CORS middleware with
//! the policy in the query would (see [`corslab::policy`] for the format).
//!
//! - a preflight (`OPTIONS` + `Origin` + `Access-Control-Request-Method`)
//!   gets 204 with only the headers needed, or 403 with a sentence saying
//!   which rule refused it;
//! - any other request gets 200, `ok`, and the `Access-Control-*` headers
//!   its origin earns, with `Vary: Origin` when the answer depends on it;
//! - an invalid policy gets 400 with a JSON body listing every problem.
//!
//! Policies are compiled once per distinct query and kept in a small
//! bounded cache (per worker thread), so a load test does not re-parse on
//! every request; each keeps the response to the last preflight it
//! answered, given again to the same preflight ([`Compiled`]).

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::rc::Rc;

use axum::body::Body;
use std::convert::Infallible;
use std::future::{Ready, ready};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::extract::Request;
use axum::http::header::{
    ACCESS_CONTROL_ALLOW_CREDENTIALS, ACCESS_CONTROL_ALLOW_HEADERS, ACCESS_CONTROL_ALLOW_METHODS,
    ACCESS_CONTROL_ALLOW_ORIGIN, ACCESS_CONTROL_EXPOSE_HEADERS, ACCESS_CONTROL_MAX_AGE,
    ACCESS_CONTROL_REQUEST_HEADERS, ACCESS_CONTROL_REQUEST_METHOD, CONTENT_TYPE, ORIGIN, VARY,
};
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use corslab::policy::{ACTUAL_BODY, ACTUAL_CONTENT_TYPE, AnswerKind, CorsHeader, CorsPolicy, PolicyAnswer, PolicyErrors};
use corslab::formats::replay::is_valid_run_id;
use tower::Service;

use crate::log::{Fnv, RequestLog};
use crate::query::BadRequest;

/// How many compiled policies each worker thread keeps.
pub const POLICY_CACHE_SIZE: usize = 64;

thread_local! {
    /// Compiled policies by query string, newest first, bounded (the oldest
    /// compiled goes first); invalid policies are not kept.
    ///
    /// One cache per worker thread rather than one shared map: a policy is a
    /// pure function of its query, and a shared map costs every request a
    /// lock and a reference count on memory both workers write (measured:
    /// it showed in the benchmark). Memory stays bounded: this many entries
    /// per worker thread, each query at most 8 KiB.
    static POLICIES: RefCell<VecDeque<(Box<str>, Rc<Compiled>)>> = const { RefCell::new(VecDeque::new()) };
}

/// A policy compiled from a query, with the last preflight answered under it
/// on this thread.
#[derive(Debug)]
pub(crate) struct Compiled {
    policy: CorsPolicy,
    /// A policy's answer to a preflight depends on its `Origin`,
    /// `Access-Control-Request-Method` and `Access-Control-Request-Headers`
    /// alone, and a client sends the same preflight again and again (a
    /// browser whose cache has expired, a load test): the answer is kept for
    /// the same three values, whole, as the response's status, headers and
    /// body, and copied out instead of computed again.
    last_preflight: RefCell<Option<PreflightMemo>>,
    /// A fingerprint of the last preflight's three values when they were not
    /// kept: they are kept the second time in a row they come, so that
    /// preflights that take turns (two origins, say) do not pay for a memo
    /// each that the next one replaces.
    unkept: Cell<u64>,
}

/// One preflight's three values and the response they got.
#[derive(Debug)]
struct PreflightMemo {
    origin: Box<str>,
    request_method: Box<str>,
    request_headers: Option<Box<str>>,
    status: StatusCode,
    headers: HeaderMap,
    body: axum::body::Bytes,
}

/// The longest three values a preflight's answer is kept for (together, in
/// bytes): a usual preflight's are well under it, and a memo stays small.
const MAX_MEMO_INPUT_LEN: usize = 1024;

impl PreflightMemo {
    /// A fingerprint of a preflight's three values (the run log's FNV-1a,
    /// each value followed by a byte no header value holds, an absent one
    /// written as a byte no UTF-8 text holds).
    fn fingerprint(inputs: &CorsInputs<'_>) -> u64 {
        use std::hash::Hasher as _;
        let mut hash = Fnv::default();
        for value in [inputs.origin_str, inputs.request_method_str, inputs.request_headers_str.as_deref()] {
            hash.write(value.map_or(&[0xff_u8][..], str::as_bytes));
            hash.write(b"\n");
        }
        hash.finish()
    }

    fn answers(&self, inputs: &CorsInputs<'_>) -> bool {
        inputs.origin_str == Some(&*self.origin)
            && inputs.request_method_str == Some(&*self.request_method)
            && inputs.request_headers_str.as_deref() == self.request_headers.as_deref()
    }

    fn response(&self) -> Response {
        let mut response = Response::new(Body::from(self.body.clone()));
        *response.status_mut() = self.status;
        *response.headers_mut() = self.headers.clone();
        response
    }
}

impl Compiled {
    /// The response to a preflight (allowed or refused) as this policy
    /// answers it, from the memo when the last preflight had the same
    /// three values; `None` for an actual request.
    fn preflight_response(&self, inputs: &CorsInputs<'_>, method: &str) -> Option<Response> {
        let (Some(origin), Some(request_method)) = (inputs.origin_str, inputs.request_method_str) else {
            return None;
        };
        if method != "OPTIONS" {
            return None;
        }
        if let Some(memo) = self.last_preflight.borrow().as_ref()
            && memo.answers(inputs)
        {
            return Some(memo.response());
        }
        let answer = inputs.answer(&self.policy, method);
        let response = inputs.preflight_response(&answer)?;
        let fingerprint = PreflightMemo::fingerprint(inputs);
        if self.unkept.replace(fingerprint) != fingerprint {
            return Some(response);
        }
        let request_headers = inputs.request_headers_str.as_deref();
        // Owned copies of the values: an echoed one would otherwise keep the
        // request's read buffer alive. (A copy cannot fail; if it did, no
        // memo is kept.)
        let owned: Option<HeaderMap> = response
            .headers()
            .iter()
            .map(|(name, value)| Some((name.clone(), HeaderValue::from_bytes(value.as_bytes()).ok()?)))
            .collect();
        if let Some(headers) = owned
            && origin.len() + request_method.len() + request_headers.map_or(0, str::len) <= MAX_MEMO_INPUT_LEN
        {
            let body = answer.refusal.as_ref().map(ToString::to_string).unwrap_or_default();
            *self.last_preflight.borrow_mut() = Some(PreflightMemo {
                origin: origin.into(),
                request_method: request_method.into(),
                request_headers: request_headers.map(Into::into),
                status: response.status(),
                headers,
                body: body.into(),
            });
        }
        Some(response)
    }
}

/// The compiled policy for `query`, compiled now or earlier on this thread.
pub(crate) fn compiled(query: &str) -> Result<Rc<Compiled>, PolicyErrors> {
    POLICIES.with(|cache| {
        if let Some((_, policy)) = cache.borrow().iter().find(|(q, _)| **q == *query) {
            return Ok(Rc::clone(policy));
        }
        let policy = Rc::new(Compiled { policy: CorsPolicy::from_query(query)?, last_preflight: RefCell::new(None), unkept: Cell::new(0) });
        let mut cache = cache.borrow_mut();
        if cache.len() >= POLICY_CACHE_SIZE {
            cache.pop_back();
        }
        cache.push_front((query.into(), Rc::clone(&policy)));
        Ok(policy)
    })
}

#[cfg(test)]
fn cached() -> usize {
    POLICIES.with(|cache| cache.borrow().len())
}

/// The CORS request headers of a request, as a policy reads them, with
/// the header values they came from (an echo reuses the value, uncopied).
#[derive(Debug)]
pub(crate) struct CorsInputs<'a> {
    origin: Option<&'a HeaderValue>,
    request_method: Option<&'a HeaderValue>,
    request_headers: Option<&'a HeaderValue>,
    /// `Origin`, `Access-Control-Request-Method`: a value that is not
    /// visible ASCII, or a repeated header, reads as the empty string, which
    /// no policy allows.
    origin_str: Option<&'a str>,
    request_method_str: Option<&'a str>,
    /// `Access-Control-Request-Headers`, repeated lines combined.
    request_headers_str: Option<Cow<'a, str>>,
}

impl<'a> CorsInputs<'a> {
    /// Reads `Origin`, `Access-Control-Request-Method` and
    /// `Access-Control-Request-Headers`.
    pub(crate) fn from_headers(headers: &'a HeaderMap) -> CorsInputs<'a> {
        let single = |name: &HeaderName| -> (Option<&'a HeaderValue>, Option<&'a str>) {
            let mut values = headers.get_all(name).iter();
            let Some(first) = values.next() else { return (None, None) };
            if values.next().is_some() {
                return (None, Some(""));
            }
            (Some(first), Some(first.to_str().unwrap_or("")))
        };
        let (origin, origin_str) = single(&ORIGIN);
        let (request_method, request_method_str) = single(&ACCESS_CONTROL_REQUEST_METHOD);
        let mut values = headers.get_all(ACCESS_CONTROL_REQUEST_HEADERS).iter();
        let request_headers = values.next();
        // Not visible ASCII: NUL, which is no token, so the preflight is refused.
        let text = |v: &'a HeaderValue| v.to_str().unwrap_or("\u{0}");
        let request_headers_str = request_headers.map(|first| match values.next() {
            None => Cow::Borrowed(text(first)),
            Some(second) => {
                let mut all = format!("{},{}", text(first), text(second));
                for value in values {
                    all.push(',');
                    all.push_str(text(value));
                }
                Cow::Owned(all)
            }
        });
        CorsInputs { origin, request_method, request_headers, origin_str, request_method_str, request_headers_str }
    }

    /// What `policy` answers to a request with `method` and these headers.
    pub(crate) fn answer<'p>(&'p self, policy: &'p CorsPolicy, method: &str) -> PolicyAnswer<'p> {
        policy.answer(method, self.origin_str, self.request_method_str, self.request_headers_str.as_deref())
    }

    /// The `HeaderValue` for one value of an answer, without copying where
    /// it can: an echoed origin, method or header list is the request's own
    /// header value (shared, not copied), and the fixed values are static.
    fn header_value(&self, value: &str) -> Option<HeaderValue> {
        use corslab::policy::vary;
        match value {
            "*" => return Some(HeaderValue::from_static("*")),
            "true" => return Some(HeaderValue::from_static("true")),
            vary::PREFLIGHT => return Some(HeaderValue::from_static(vary::PREFLIGHT)),
            vary::ACTUAL => return Some(HeaderValue::from_static(vary::ACTUAL)),
            _ => {}
        }
        for original in [self.origin, self.request_method, self.request_headers].into_iter().flatten() {
            if std::ptr::eq(original.as_bytes(), value.as_bytes()) {
                return Some(original.clone());
            }
        }
        // Every value is a token list or an origin that came in as a valid
        // header value: from_str cannot fail, but a failure only drops it.
        HeaderValue::from_str(value).ok()
    }

    /// Adds the answer's headers to `headers` (appending to any `Vary`).
    pub(crate) fn add_headers(&self, answer: &PolicyAnswer<'_>, headers: &mut HeaderMap) {
        headers.reserve(answer.headers.len());
        for (name, value) in answer.headers.iter() {
            if let Some(value) = self.header_value(value) {
                headers.append(header_name(name), value);
            }
        }
    }

    /// The whole response to a preflight (allowed or refused); `None` for
    /// an actual request, whose handler answers.
    pub(crate) fn preflight_response(&self, answer: &PolicyAnswer<'_>) -> Option<Response> {
        let (status, body) = match answer.kind {
            AnswerKind::Preflight => (StatusCode::NO_CONTENT, Body::empty()),
            AnswerKind::Refused => (
                StatusCode::FORBIDDEN,
                Body::from(answer.refusal.as_ref().map(ToString::to_string).unwrap_or_default()),
            ),
            AnswerKind::Actual => return None,
        };
        let mut response = Response::new(body);
        *response.status_mut() = status;
        if answer.kind == AnswerKind::Refused {
            response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(ACTUAL_CONTENT_TYPE));
        }
        self.add_headers(answer, response.headers_mut());
        Some(response)
    }
}

fn header_name(name: CorsHeader) -> HeaderName {
    match name {
        CorsHeader::AllowOrigin => ACCESS_CONTROL_ALLOW_ORIGIN,
        CorsHeader::AllowCredentials => ACCESS_CONTROL_ALLOW_CREDENTIALS,
        CorsHeader::AllowMethods => ACCESS_CONTROL_ALLOW_METHODS,
        CorsHeader::AllowHeaders => ACCESS_CONTROL_ALLOW_HEADERS,
        CorsHeader::MaxAge => ACCESS_CONTROL_MAX_AGE,
        CorsHeader::ExposeHeaders => ACCESS_CONTROL_EXPOSE_HEADERS,
        CorsHeader::Vary => VARY,
    }
}

/// 400 with every problem of a policy, as JSON.
fn invalid_policy(errors: &PolicyErrors) -> Response {
    let body = serde_json::json!({
        "error": "invalid CORS policy",
        "message": errors.to_string(),
        "problems": errors,
    });
    (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
}

/// The run id of `/policy/{run}[/...]`.
fn run_of(path: &str) -> &str {
    let rest = path.strip_prefix("/policy/").unwrap_or("");
    rest.split('/').next().unwrap_or("")
}

/// `/policy/{run}` and `/policy/{run}/{*rest}`, any method: a plain tower
/// service answering at once (a ready future: no handler state machine,
/// no extractors), as it never waits for anything.
#[derive(Clone, Debug)]
pub(crate) struct PolicyRoute {
    pub(crate) log: Arc<RequestLog>,
}

impl Service<Request> for PolicyRoute {
    type Response = Response;
    type Error = Infallible;
    type Future = Ready<Result<Response, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        ready(Ok(answer(&self.log, &request)))
    }
}

fn answer(log: &RequestLog, request: &Request) -> Response {
    let run = run_of(request.uri().path());
    if !is_valid_run_id(run) {
        return BadRequest(format!("invalid run id {run:?}: 1 to 64 of A-Z a-z 0-9 - _")).into_response();
    }
    log.record(run, request.method(), request.uri().path(), request.headers());
    let policy = match compiled(request.uri().query().unwrap_or("")) {
        Ok(policy) => policy,
        Err(errors) => return invalid_policy(&errors),
    };
    let inputs = CorsInputs::from_headers(request.headers());
    if let Some(response) = policy.preflight_response(&inputs, request.method().as_str()) {
        return response;
    }
    let answer = inputs.answer(&policy.policy, request.method().as_str());
    let mut response = Response::new(Body::from(ACTUAL_BODY));
    response.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static(ACTUAL_CONTENT_TYPE));
    inputs.add_headers(&answer, response.headers_mut());
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn the_cache_is_bounded_and_keeps_only_valid_policies() {
        for i in 0..(POLICY_CACHE_SIZE + 10) {
            assert!(compiled(&format!("origin=https%3A%2F%2Fa{i}.example")).is_ok());
        }
        assert_eq!(cached(), POLICY_CACHE_SIZE);
        assert!(compiled("origin=null").is_err());
        assert_eq!(cached(), POLICY_CACHE_SIZE);
        let first = compiled("origin=*").unwrap();
        assert!(Rc::ptr_eq(&first, &compiled("origin=*").unwrap()), "compiled once");
    }

    /// A response's status, headers in order and body.
    async fn parts(response: Response) -> (StatusCode, Vec<(String, Vec<u8>)>, Vec<u8>) {
        let (head, body) = response.into_parts();
        let headers = head.headers.iter().map(|(n, v)| (n.to_string(), v.as_bytes().to_vec())).collect();
        let body = axum::body::to_bytes(body, usize::MAX).await.unwrap().to_vec();
        (head.status, headers, body)
    }

    fn preflight(query: &str, origin: &str, request_headers: Option<&str>) -> Request {
        let mut builder = axum::http::Request::builder()
            .method("OPTIONS")
            .uri(format!("/policy/memo/x?{query}"))
            .header("origin", origin)
            .header("access-control-request-method", "PUT");
        if let Some(names) = request_headers {
            builder = builder.header("access-control-request-headers", names);
        }
        builder.body(Body::empty()).unwrap()
    }

    #[tokio::test]
    async fn a_repeated_preflight_is_answered_from_the_memo_and_only_the_same_one() {
        let log = RequestLog::default();
        let query = "origin=https%3A%2F%2Fapp.example&method=PUT&header=X-Custom&max_age=60&credentials=true";
        let page = "https://app.example";
        let cases = [(page, Some("x-custom")), (page, Some("x-other")), ("https://evil.example", Some("x-custom")), (page, None)];
        // Each answer computed afresh, without the memo.
        let policy = CorsPolicy::from_query(query).unwrap();
        let mut fresh = Vec::new();
        for (origin, names) in cases {
            let request = preflight(query, origin, names);
            let inputs = CorsInputs::from_headers(request.headers());
            fresh.push(parts(inputs.preflight_response(&inputs.answer(&policy, "OPTIONS")).unwrap()).await);
        }
        let statuses: Vec<_> = fresh.iter().map(|(status, _, body)| (status.as_u16(), body.is_empty())).collect();
        assert_eq!(statuses, [(204, true), (403, false), (403, false), (204, true)]);
        // The same preflights through the route, repeated and interleaved:
        // each gets its own answer, whether the memo holds its values or
        // another preflight's.
        for round in 0..2 {
            for (i, want) in [0, 0, 1, 2, 2, 3, 3, 0].into_iter().enumerate() {
                let (origin, names) = cases[want];
                let got = parts(answer(&log, &preflight(query, origin, names))).await;
                assert_eq!(got, fresh[want], "round {round}, request {i}");
            }
        }
        let kept = || {
            let compiled = compiled(query).unwrap();
            let memo = compiled.last_preflight.borrow();
            memo.as_ref().map(|m| (m.origin.to_string(), m.request_headers.as_deref().map(str::to_owned)))
        };
        // Kept: the last preflight that came twice in a row.
        assert_eq!(kept(), Some((page.to_owned(), None)));
        // Preflights taking turns replace no memo.
        for want in [1, 0, 1, 0] {
            let (origin, names) = cases[want];
            assert_eq!(parts(answer(&log, &preflight(query, origin, names))).await, fresh[want]);
        }
        assert_eq!(kept(), Some((page.to_owned(), None)));
        let (origin, names) = cases[1];
        for _ in 0..2 {
            assert_eq!(parts(answer(&log, &preflight(query, origin, names))).await, fresh[1]);
        }
        assert_eq!(kept(), Some((page.to_owned(), Some("x-other".to_owned()))), "the same twice in a row is kept");
    }

    #[test]
    fn run_ids_come_from_the_first_segment() {
        assert_eq!(run_of("/policy/r1"), "r1");
        assert_eq!(run_of("/policy/r1/a/b"), "r1");
        assert_eq!(run_of("/policy/"), "");
    }
}
