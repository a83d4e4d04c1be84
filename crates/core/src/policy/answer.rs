//! What a policy answers to one request: a status (for preflights), the
//! CORS headers to add, and for a refusal, which rule refused it and why.
//!
//! Answers borrow from the policy (pre-rendered values) and from the
//! request (the echoed origin, method and header names), and hold their
//! headers inline: evaluating a request does not allocate unless header
//! names must be lower-cased.

use std::borrow::Cow;
use std::fmt;

use super::error::shown;

/// A header a policy may add.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum CorsHeader {
    /// `Access-Control-Allow-Origin`.
    AllowOrigin,
    /// `Access-Control-Allow-Credentials`.
    AllowCredentials,
    /// `Access-Control-Allow-Methods`.
    AllowMethods,
    /// `Access-Control-Allow-Headers`.
    AllowHeaders,
    /// `Access-Control-Max-Age`.
    MaxAge,
    /// `Access-Control-Expose-Headers`.
    ExposeHeaders,
    /// `Vary`.
    Vary,
}

impl CorsHeader {
    /// The lower-case name.
    pub fn as_str(self) -> &'static str {
        match self {
            CorsHeader::AllowOrigin => "access-control-allow-origin",
            CorsHeader::AllowCredentials => "access-control-allow-credentials",
            CorsHeader::AllowMethods => "access-control-allow-methods",
            CorsHeader::AllowHeaders => "access-control-allow-headers",
            CorsHeader::MaxAge => "access-control-max-age",
            CorsHeader::ExposeHeaders => "access-control-expose-headers",
            CorsHeader::Vary => "vary",
        }
    }
}

/// The most headers one answer holds.
const MAX: usize = 6;

/// The headers of an answer, in order, held inline.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct AnswerHeaders<'a> {
    items: [Option<(CorsHeader, Cow<'a, str>)>; MAX],
    len: usize,
}

impl<'a> AnswerHeaders<'a> {
    pub(crate) fn push(&mut self, name: CorsHeader, value: impl Into<Cow<'a, str>>) {
        // Every answer adds at most MAX headers by construction; a slot
        // past the end would be a bug, never input-dependent.
        if let Some(slot) = self.items.get_mut(self.len) {
            *slot = Some((name, value.into()));
            self.len += 1;
        }
    }

    /// The headers, in order.
    pub fn iter(&self) -> impl Iterator<Item = (CorsHeader, &str)> {
        self.items.iter().flatten().map(|(n, v)| (*n, v.as_ref()))
    }

    /// The value of `name`, if added.
    pub fn get(&self, name: CorsHeader) -> Option<&str> {
        self.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }

    /// How many headers.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// What kind of answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnswerKind {
    /// An allowed preflight: answer 204 with the headers, no body.
    Preflight,
    /// A refused preflight: answer 403 with the headers (only `Vary`) and
    /// the refusal as the body.
    Refused,
    /// Not a preflight: let the request through and add the headers to its
    /// response, whatever it is.
    Actual,
}

/// Why a preflight is refused: the first rule it breaks, in Fetch's order
/// (origin, method, headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal<'a> {
    /// The `Origin` is not one the policy allows.
    OriginNotAllowed {
        /// The request's `Origin`.
        origin: &'a str,
    },
    /// `Access-Control-Request-Method` is not a token.
    MalformedRequestMethod {
        /// Its value.
        method: &'a str,
    },
    /// The method is not one the policy allows.
    MethodNotAllowed {
        /// The method.
        method: &'a str,
    },
    /// `Access-Control-Request-Headers` is over the length limit.
    RequestHeadersTooLarge {
        /// Its length in bytes.
        len: usize,
    },
    /// `Access-Control-Request-Headers` lists too many names.
    TooManyRequestHeaders,
    /// An element of `Access-Control-Request-Headers` is not a token.
    MalformedRequestHeaders {
        /// The element.
        item: &'a str,
    },
    /// A requested header is not one the policy allows.
    HeaderNotAllowed {
        /// The name as requested.
        name: &'a str,
        /// It is `Authorization` and the policy allows `*` (which never
        /// covers it).
        authorization_under_wildcard: bool,
    },
}

impl Refusal<'_> {
    /// A stable, kebab-case name for the rule.
    pub fn kind(&self) -> &'static str {
        match self {
            Refusal::OriginNotAllowed { .. } => "origin-not-allowed",
            Refusal::MalformedRequestMethod { .. } => "malformed-request-method",
            Refusal::MethodNotAllowed { .. } => "method-not-allowed",
            Refusal::RequestHeadersTooLarge { .. } => "request-headers-too-large",
            Refusal::TooManyRequestHeaders => "too-many-request-headers",
            Refusal::MalformedRequestHeaders { .. } => "malformed-request-headers",
            Refusal::HeaderNotAllowed { .. } => "header-not-allowed",
        }
    }
}

impl fmt::Display for Refusal<'_> {
    /// One sentence saying which rule refused the preflight.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use super::allow_headers::{MAX_REQUEST_HEADERS_LEN, MAX_REQUEST_HEADER_NAMES};
        match self {
            Refusal::OriginNotAllowed { origin } => {
                write!(f, "preflight refused: origin {} is not allowed by this policy", shown(origin))
            }
            Refusal::MalformedRequestMethod { method } => write!(
                f,
                "preflight refused: Access-Control-Request-Method {} is not a method (an HTTP token)",
                shown(method)
            ),
            Refusal::MethodNotAllowed { method } => {
                write!(f, "preflight refused: method {} is not allowed by this policy", shown(method))
            }
            Refusal::RequestHeadersTooLarge { len } => write!(
                f,
                "preflight refused: Access-Control-Request-Headers is {len} bytes, over the {MAX_REQUEST_HEADERS_LEN}-byte limit"
            ),
            Refusal::TooManyRequestHeaders => write!(
                f,
                "preflight refused: Access-Control-Request-Headers lists more than {MAX_REQUEST_HEADER_NAMES} names"
            ),
            Refusal::MalformedRequestHeaders { item } => write!(
                f,
                "preflight refused: Access-Control-Request-Headers holds {}, which is not a header name (an HTTP token)",
                shown(item)
            ),
            Refusal::HeaderNotAllowed { name, authorization_under_wildcard } => {
                write!(f, "preflight refused: request header {} is not allowed by this policy", shown(name))?;
                if *authorization_under_wildcard {
                    f.write_str(" (header=* never covers Authorization: list it)")?;
                }
                Ok(())
            }
        }
    }
}

/// What a policy answers to one request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PolicyAnswer<'a> {
    /// Preflight, refused preflight, or actual request.
    pub kind: AnswerKind,
    /// The headers to send (or, for an actual request, to add).
    pub headers: AnswerHeaders<'a>,
    /// Why a refused preflight is refused.
    pub refusal: Option<Refusal<'a>>,
}

impl<'a> PolicyAnswer<'a> {
    pub(crate) fn new(kind: AnswerKind) -> PolicyAnswer<'a> {
        PolicyAnswer { kind, headers: AnswerHeaders::default(), refusal: None }
    }

    /// 204 for an allowed preflight, 403 for a refused one, `None` for an
    /// actual request (its handler decides).
    pub fn status(&self) -> Option<u16> {
        match self.kind {
            AnswerKind::Preflight => Some(204),
            AnswerKind::Refused => Some(403),
            AnswerKind::Actual => None,
        }
    }

    /// The value of one header, if the answer adds it.
    pub fn header(&self, name: CorsHeader) -> Option<&str> {
        self.headers.get(name)
    }
}
