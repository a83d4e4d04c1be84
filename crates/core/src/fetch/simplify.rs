//! Avoiding the preflight by asking less: the nearest request that a browser
//! sends without a preflight, and what changed to get there.
//!
//! <https://fetch.spec.whatwg.org/#cors-safelisted-method>,
//! <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>

use serde::Serialize;

use crate::fetch::classify::classify;
use crate::http::header::HeaderName;
use crate::origin::Origin;
use crate::browsers::profile::Profile;
use crate::fetch::request::{FetchCall, FetchRequest};
use crate::fetch::safelist::{NotSafelisted, check_safelisted};
use crate::trace::NoTrace;

/// One change that makes the request simple.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Change {
    /// A safelisted method instead of the request's.
    Method {
        /// The method asked for.
        from: String,
        /// The method sent instead.
        to: &'static str,
    },
    /// `Content-Type: text/plain` instead of an unsafe type; the body is
    /// unchanged (a server can still parse it).
    ContentType {
        /// The type asked for.
        from: String,
    },
    /// A header left out; its information must travel elsewhere (the URL,
    /// the body, a cookie).
    DropHeader {
        /// The header.
        name: String,
        /// Why it forced a preflight.
        why: String,
    },
}

impl Change {
    /// The change in words.
    pub fn describe(&self) -> String {
        match self {
            Change::Method { from, to } => {
                format!("use {to} instead of {from} (the server must accept {to} for this resource)")
            }
            Change::ContentType { from } => format!(
                "send Content-Type: text/plain instead of {from} (the body is unchanged; the server parses it anyway)"
            ),
            Change::DropHeader { name, why } => {
                format!("leave out {name} ({why}); put its value in the URL or the body instead")
            }
        }
    }
}

/// The nearest simple request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Simplification {
    /// The request to send instead.
    pub call: FetchCall,
    /// What changed, in order.
    pub changes: Vec<Change>,
}

/// The nearest request to `call` that needs no preflight under `profile`, or
/// `None` when `call` needs none already (or `fetch()` would refuse it).
///
/// # Examples
///
/// ```
/// use corslab::{Browser, CredentialsMode, FetchCall, Origin, RequestMode, fetch::simplify::nearest_simple_request};
///
/// let call = FetchCall {
///     url: "http://localhost:8080/data".into(),
///     method: "PUT".into(),
///     headers: vec![("Content-Type".into(), "application/json".into()), ("X-Trace".into(), "1".into())],
///     mode: RequestMode::Cors,
///     credentials: CredentialsMode::SameOrigin,
///     body: Some("{}".into()),
/// };
/// let page = Origin::parse("http://localhost:5050").unwrap();
/// let simple = nearest_simple_request(&call, &page, Browser::Chrome.profile()).unwrap();
/// assert_eq!(simple.call.method, "POST");
/// assert_eq!(simple.call.headers, vec![("Content-Type".to_owned(), "text/plain".to_owned())]);
/// assert_eq!(simple.changes.len(), 3);
/// ```
pub fn nearest_simple_request(call: &FetchCall, page: &Origin, profile: &Profile) -> Option<Simplification> {
    let request = FetchRequest::build(call, page, profile, &mut NoTrace).ok()?;
    if !classify(&request, profile, &mut NoTrace).needs_preflight() {
        return None;
    }
    let mut changes = Vec::new();
    let mut simple = call.clone();
    if !request.method.is_cors_safelisted() {
        let to = if call.body.is_some() { "POST" } else { "GET" };
        changes.push(Change::Method { from: request.method.as_str().to_owned(), to });
        simple.method = to.to_owned();
    }
    // Keep the headers the page set that are safelisted; fix Content-Type;
    // drop the rest (forbidden ones are dropped by fetch() anyway).
    let mut headers = Vec::new();
    for (raw_name, value) in &call.headers {
        let Ok(name) = HeaderName::parse(raw_name) else { return None };
        if !request.headers.contains(name.as_str()) {
            continue;
        }
        match check_safelisted(&name, value.trim(), profile) {
            Ok(_) => headers.push((raw_name.clone(), value.clone())),
            Err(NotSafelisted::MimeEssence { essence }) => {
                changes.push(Change::ContentType { from: essence });
                headers.push((raw_name.clone(), "text/plain".to_owned()));
            }
            Err(why) => changes.push(Change::DropHeader { name: raw_name.clone(), why: why.to_string() }),
        }
    }
    simple.headers = headers;
    // Over the size budget: drop the longest safelisted values until it fits.
    while let Ok(built) = FetchRequest::build(&simple, page, profile, &mut NoTrace) {
        if !classify(&built, profile, &mut NoTrace).needs_preflight() {
            return Some(Simplification { call: simple, changes });
        }
        let longest = simple.headers.iter().enumerate().max_by_key(|(_, (_, v))| v.len()).map(|(i, _)| i)?;
        let (name, _) = simple.headers.remove(longest);
        changes.push(Change::DropHeader { name, why: "the safelisted values together are too long".to_owned() });
    }
    None
}
