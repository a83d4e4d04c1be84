//! What a server answers, and what the page may see of it: response
//! tainting, the response type and the readable headers.
//!
//! <https://fetch.spec.whatwg.org/#concept-request-response-tainting>

use serde::{Deserialize, Serialize};

use crate::http::header::HeaderList;

/// A server's answer to one request.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerResponse {
    /// The status code.
    pub status: u16,
    /// The header lines, in order (a name may repeat).
    pub headers: HeaderList,
    /// The body, if any.
    pub body: Option<String>,
}

impl ServerResponse {
    /// A response with this status and no headers or body.
    pub fn with_status(status: u16) -> ServerResponse {
        ServerResponse { status, headers: HeaderList::new(), body: None }
    }

    /// The `Location` of a [redirect status](https://fetch.spec.whatwg.org/#redirect-status)
    /// (301, 302, 303, 307, 308) that has one: what makes a browser follow it.
    pub fn redirect_location(&self) -> Option<&str> {
        if is_redirect_status(self.status) {
            self.headers.values("location").next().filter(|l| !l.is_empty())
        } else {
            None
        }
    }
}

/// A [redirect status](https://fetch.spec.whatwg.org/#redirect-status).
pub fn is_redirect_status(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

/// An [ok status](https://fetch.spec.whatwg.org/#ok-status): 200 to 299.
pub fn is_ok_status(status: u16) -> bool {
    (200..=299).contains(&status)
}

/// A request's [response tainting](https://fetch.spec.whatwg.org/#concept-request-response-tainting),
/// which becomes the `type` of the response the page gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Tainting {
    /// Same-origin: every header but `Set-Cookie` is readable.
    Basic,
    /// Cross-origin through CORS: safelisted and exposed headers are readable.
    Cors,
    /// Cross-origin `no-cors`: nothing is readable, the status reads 0.
    Opaque,
}

impl Tainting {
    /// `basic`, `cors` or `opaque`.
    pub fn as_str(self) -> &'static str {
        match self {
            Tainting::Basic => "basic",
            Tainting::Cors => "cors",
            Tainting::Opaque => "opaque",
        }
    }
}

/// A response's [type](https://fetch.spec.whatwg.org/#concept-response-type),
/// as `response.type` reads it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ResponseType {
    /// A basic filtered response.
    Basic,
    /// A CORS filtered response.
    Cors,
    /// An opaque filtered response.
    Opaque,
    /// An [opaque-redirect filtered response](https://fetch.spec.whatwg.org/#concept-filtered-response-opaque-redirect):
    /// a redirect under `redirect: "manual"`.
    OpaqueRedirect,
}

impl ResponseType {
    /// `basic`, `cors`, `opaque` or `opaqueredirect`.
    pub fn as_str(self) -> &'static str {
        match self {
            ResponseType::Basic => "basic",
            ResponseType::Cors => "cors",
            ResponseType::Opaque => "opaque",
            ResponseType::OpaqueRedirect => "opaqueredirect",
        }
    }
}

impl From<Tainting> for ResponseType {
    fn from(tainting: Tainting) -> ResponseType {
        match tainting {
            Tainting::Basic => ResponseType::Basic,
            Tainting::Cors => ResponseType::Cors,
            Tainting::Opaque => ResponseType::Opaque,
        }
    }
}
