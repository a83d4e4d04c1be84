//! A policy as the browser engine's [`Server`]: the explainer predicts what
//! a browser does against a policy by asking the policy, exactly as the
//! companion server's `/policy/` route answers.

use std::borrow::Cow;

use crate::fetch::engine::Server;
use crate::http::header::{HeaderList, HeaderName};
use crate::fetch::preflight::PreflightRequest;
use crate::fetch::request::FetchRequest;
use crate::fetch::response::ServerResponse;

use super::CorsPolicy;
use super::answer::{AnswerKind, PolicyAnswer};

/// The body of the answer to an actual request on a policy route.
pub const ACTUAL_BODY: &str = "ok";
/// Its `Content-Type`.
pub const ACTUAL_CONTENT_TYPE: &str = "text/plain; charset=utf-8";

impl PolicyAnswer<'_> {
    /// The whole response the companion server sends for this answer: 204
    /// with the headers; 403 with the refusal as a plain-text body; or, for
    /// an actual request, 200 with the headers and [`ACTUAL_BODY`].
    pub fn to_server_response(&self) -> ServerResponse {
        let mut headers = HeaderList::new();
        for (name, value) in self.headers.iter() {
            headers.append(HeaderName::from_static(name.as_str()), value.to_owned());
        }
        let (status, body) = match self.kind {
            AnswerKind::Preflight => (204, None),
            AnswerKind::Refused => (403, Some(self.refusal.as_ref().map(ToString::to_string).unwrap_or_default())),
            AnswerKind::Actual => (200, Some(ACTUAL_BODY.to_owned())),
        };
        if let Some(body) = &body {
            headers.append(HeaderName::from_static("content-type"), ACTUAL_CONTENT_TYPE.to_owned());
            headers.append(HeaderName::from_static("content-length"), body.len().to_string());
        }
        ServerResponse { status, headers, body }
    }
}

/// A policy answers the engine's preflights and requests as the companion
/// server would.
///
/// # Examples
///
/// ```
/// use corslab::{Browser, FetchCall, Origin, Outcome, fetch::cache::PreflightCache, decide, Context};
/// use corslab::policy::{CorsPolicy, PolicyConfig};
///
/// let policy = CorsPolicy::new(&PolicyConfig::new().allow_origin("http://localhost:5050").allow_method("PUT")).unwrap();
/// let call = FetchCall {
///     url: "http://localhost:8080/policy/r".to_owned(), method: "PUT".to_owned(), headers: vec![],
///     mode: Default::default(), credentials: Default::default(), body: None,
/// };
/// let page = Origin::parse("http://localhost:5050").unwrap();
/// let mut cache = PreflightCache::new(Browser::Chrome.profile());
/// let decision = decide(&call, &page, &policy, Browser::Chrome, Context { cache: &mut cache, now_ms: 0 });
/// assert_eq!(decision.outcome, Outcome::Ok);
/// ```
impl Server for CorsPolicy {
    fn preflight(&self, preflight: &PreflightRequest) -> Cow<'_, ServerResponse> {
        let answer = self.answer(
            "OPTIONS",
            Some(&preflight.origin),
            Some(&preflight.access_control_request_method),
            preflight.access_control_request_headers.as_deref(),
        );
        Cow::Owned(answer.to_server_response())
    }

    fn respond(&self, request: &FetchRequest) -> Cow<'_, ServerResponse> {
        let answer = self.answer(request.method.as_str(), Some(&request.origin_serialized), None, None);
        Cow::Owned(answer.to_server_response())
    }
}
