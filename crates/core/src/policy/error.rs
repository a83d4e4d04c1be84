//! What is wrong with a policy: every problem at once, each named.
//!
//! A policy is checked when it is built ([`CorsPolicy::new`](super::CorsPolicy::new)),
//! the way jub0bs/cors does: nothing insecure or meaningless gets through,
//! and the caller sees all that is wrong, not only the first thing.

use std::fmt;

use serde::ser::{SerializeSeq, SerializeStruct};
use serde::{Serialize, Serializer};

/// One problem in a policy. Each variant has one fixed message and an
/// explanation saying why the rule exists.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum PolicyError {
    /// A query parameter the policy does not know.
    UnknownParameter {
        /// Its name.
        name: String,
    },
    /// `credentials` or `max_age` given twice.
    RepeatedParameter {
        /// Its name.
        name: &'static str,
    },
    /// The query, or one list in it, is over its limit.
    TooLarge {
        /// What is too large (`query`, `origin`, `method`, `header`, `expose`).
        what: &'static str,
    },
    /// No `origin` at all: the policy would allow nothing.
    NoOrigin,
    /// `origin=*` beside other origins, which it makes pointless.
    WildcardOriginAmongOthers,
    /// `origin=*` with `credentials=true`.
    WildcardOriginWithCredentials,
    /// The `null` origin.
    NullOrigin,
    /// An origin that is not a serialized origin as a browser sends it.
    MalformedOrigin {
        /// The value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A pattern (`https://*.example.com`, `http://localhost:*`) that does
    /// not parse.
    MalformedPattern {
        /// The value.
        value: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// A subdomain pattern over a public suffix (`https://*.com`,
    /// `https://*.github.io`): anyone can register a name under it.
    PublicSuffixPattern {
        /// The value.
        value: String,
        /// The suffix.
        suffix: String,
    },
    /// A plain-`http` origin (other than loopback) with credentials.
    InsecureOriginWithCredentials {
        /// The value.
        value: String,
    },
    /// A method that is not a token.
    InvalidMethod {
        /// The value.
        value: String,
    },
    /// `CONNECT`, `TRACE` or `TRACK`.
    ForbiddenMethod {
        /// The value.
        value: String,
    },
    /// `method=*` with credentials.
    WildcardMethodWithCredentials,
    /// A header name that is not a token.
    InvalidHeaderName {
        /// `header` or `expose`.
        param: &'static str,
        /// The value.
        value: String,
    },
    /// A forbidden request-header (`Cookie`, `Host`, `Sec-*`, ...) as an
    /// allowed request header: browsers never let a page send it.
    ForbiddenRequestHeader {
        /// The value.
        value: String,
    },
    /// `Set-Cookie` or `Set-Cookie2` as an exposed header: browsers never
    /// expose it.
    ForbiddenResponseHeader {
        /// The value.
        value: String,
    },
    /// `header=*` with credentials.
    WildcardHeaderWithCredentials,
    /// `expose=*` with credentials.
    WildcardExposeWithCredentials,
    /// `credentials` other than `true` or `false`.
    InvalidCredentials {
        /// The value.
        value: String,
    },
    /// `max_age` that is not an integer.
    InvalidMaxAge {
        /// The value.
        value: String,
    },
    /// `max_age` outside -1..=86400.
    MaxAgeOutOfRange {
        /// The value.
        value: i64,
    },
}

impl PolicyError {
    /// A stable, kebab-case name for the rule (the JSON `kind`).
    pub fn kind(&self) -> &'static str {
        match self {
            PolicyError::UnknownParameter { .. } => "unknown-parameter",
            PolicyError::RepeatedParameter { .. } => "repeated-parameter",
            PolicyError::TooLarge { .. } => "too-large",
            PolicyError::NoOrigin => "no-origin",
            PolicyError::WildcardOriginAmongOthers => "wildcard-origin-among-others",
            PolicyError::WildcardOriginWithCredentials => "wildcard-origin-with-credentials",
            PolicyError::NullOrigin => "null-origin",
            PolicyError::MalformedOrigin { .. } => "malformed-origin",
            PolicyError::MalformedPattern { .. } => "malformed-pattern",
            PolicyError::PublicSuffixPattern { .. } => "public-suffix-pattern",
            PolicyError::InsecureOriginWithCredentials { .. } => "insecure-origin-with-credentials",
            PolicyError::InvalidMethod { .. } => "invalid-method",
            PolicyError::ForbiddenMethod { .. } => "forbidden-method",
            PolicyError::WildcardMethodWithCredentials => "wildcard-method-with-credentials",
            PolicyError::InvalidHeaderName { .. } => "invalid-header-name",
            PolicyError::ForbiddenRequestHeader { .. } => "forbidden-request-header",
            PolicyError::ForbiddenResponseHeader { .. } => "forbidden-response-header",
            PolicyError::WildcardHeaderWithCredentials => "wildcard-header-with-credentials",
            PolicyError::WildcardExposeWithCredentials => "wildcard-expose-with-credentials",
            PolicyError::InvalidCredentials { .. } => "invalid-credentials",
            PolicyError::InvalidMaxAge { .. } => "invalid-max-age",
            PolicyError::MaxAgeOutOfRange { .. } => "max-age-out-of-range",
        }
    }

    /// Why the rule exists, in a sentence or two.
    pub fn explanation(&self) -> &'static str {
        match self {
            PolicyError::UnknownParameter { .. } => {
                "a policy URL takes origin, method, header, expose, credentials and max_age; anything else is probably a typo"
            }
            PolicyError::RepeatedParameter { .. } => "credentials and max_age hold one value each",
            PolicyError::TooLarge { .. } => "policy URLs are bounded so that the server's memory and time stay bounded",
            PolicyError::NoOrigin => "without an allowed origin the policy allows nothing; give origin=... (or origin=* for any)",
            PolicyError::WildcardOriginAmongOthers => "* already allows every origin: the others listed beside it would do nothing",
            PolicyError::WildcardOriginWithCredentials => {
                "browsers refuse Access-Control-Allow-Origin: * on a request with credentials, and echoing any origin instead would let every site read authenticated responses; list the origins"
            }
            PolicyError::NullOrigin => {
                "sandboxed documents, data: and file: pages all send Origin: null, so allowing null allows any site that sandboxes itself"
            }
            PolicyError::MalformedOrigin { .. } => {
                "browsers send the origin as scheme://host[:port], lower-case, without path or default port; a policy listing any other spelling never matches"
            }
            PolicyError::MalformedPattern { .. } => {
                "patterns are scheme://*.domain[:port] (subdomains at any depth) or scheme://host:* (any port)"
            }
            PolicyError::PublicSuffixPattern { .. } => {
                "anyone can register a name under a public suffix, so the pattern would allow origins you do not control (the built-in suffix list is short: check yours)"
            }
            PolicyError::InsecureOriginWithCredentials { .. } => {
                "a network attacker can impersonate a plain-http origin and read the user's authenticated responses; only loopback (localhost, 127.0.0.1, [::1]) is exempt"
            }
            PolicyError::InvalidMethod { .. } => "a method is an HTTP token: letters, digits and !#$%&'*+-.^_`|~",
            PolicyError::ForbiddenMethod { .. } => "fetch() refuses CONNECT, TRACE and TRACK outright, so allowing them does nothing",
            PolicyError::WildcardMethodWithCredentials => {
                "with credentials, browsers read Access-Control-Allow-Methods: * as the method named \"*\"; list the methods"
            }
            PolicyError::InvalidHeaderName { .. } => "a header name is an HTTP token: letters, digits and !#$%&'*+-.^_`|~",
            PolicyError::ForbiddenRequestHeader { .. } => {
                "a page can never set a forbidden request-header (Cookie, Host, Origin, Sec-*, Proxy-*, ...): the browser keeps control of it"
            }
            PolicyError::ForbiddenResponseHeader { .. } => "browsers never let a page read Set-Cookie or Set-Cookie2, exposed or not",
            PolicyError::WildcardHeaderWithCredentials => {
                "with credentials, browsers read Access-Control-Allow-Headers: * as the header named \"*\"; list the headers"
            }
            PolicyError::WildcardExposeWithCredentials => {
                "with credentials, browsers read Access-Control-Expose-Headers: * as the header named \"*\"; list the headers"
            }
            PolicyError::InvalidCredentials { .. } => "credentials is true or false",
            PolicyError::InvalidMaxAge { .. } => "max_age is a whole number of seconds",
            PolicyError::MaxAgeOutOfRange { .. } => {
                "max_age is -1 (disable caching), 0 or absent (browser default), or 1 to 86400 seconds; browsers cap it lower anyway (Chromium at 7200)"
            }
        }
    }

    /// The spec section the rule comes from.
    pub fn spec(&self) -> &'static str {
        match self {
            PolicyError::WildcardOriginWithCredentials => "https://fetch.spec.whatwg.org/#cors-protocol-and-credentials",
            PolicyError::NullOrigin | PolicyError::MalformedOrigin { .. } => {
                "https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin"
            }
            PolicyError::InvalidMethod { .. } | PolicyError::ForbiddenMethod { .. } => {
                "https://fetch.spec.whatwg.org/#forbidden-method"
            }
            PolicyError::WildcardMethodWithCredentials => "https://fetch.spec.whatwg.org/#http-access-control-allow-methods",
            PolicyError::ForbiddenRequestHeader { .. } => "https://fetch.spec.whatwg.org/#forbidden-request-header",
            PolicyError::ForbiddenResponseHeader { .. } => "https://fetch.spec.whatwg.org/#forbidden-response-header-name",
            PolicyError::WildcardHeaderWithCredentials | PolicyError::InvalidHeaderName { param: "header", .. } => {
                "https://fetch.spec.whatwg.org/#http-access-control-allow-headers"
            }
            PolicyError::WildcardExposeWithCredentials | PolicyError::InvalidHeaderName { .. } => {
                "https://fetch.spec.whatwg.org/#http-access-control-expose-headers"
            }
            PolicyError::MaxAgeOutOfRange { .. } | PolicyError::InvalidMaxAge { .. } => {
                "https://fetch.spec.whatwg.org/#http-access-control-max-age"
            }
            _ => "https://fetch.spec.whatwg.org/#http-cors-protocol",
        }
    }

    /// The value at fault, when there is one.
    pub fn value(&self) -> Option<String> {
        match self {
            PolicyError::UnknownParameter { name } => Some(name.clone()),
            PolicyError::RepeatedParameter { name } => Some((*name).to_owned()),
            PolicyError::TooLarge { what } => Some((*what).to_owned()),
            PolicyError::MalformedOrigin { value, .. }
            | PolicyError::MalformedPattern { value, .. }
            | PolicyError::PublicSuffixPattern { value, .. }
            | PolicyError::InsecureOriginWithCredentials { value }
            | PolicyError::InvalidMethod { value }
            | PolicyError::ForbiddenMethod { value }
            | PolicyError::InvalidHeaderName { value, .. }
            | PolicyError::ForbiddenRequestHeader { value }
            | PolicyError::ForbiddenResponseHeader { value }
            | PolicyError::InvalidCredentials { value }
            | PolicyError::InvalidMaxAge { value } => Some(value.clone()),
            PolicyError::MaxAgeOutOfRange { value } => Some(value.to_string()),
            PolicyError::NoOrigin
            | PolicyError::WildcardOriginAmongOthers
            | PolicyError::WildcardOriginWithCredentials
            | PolicyError::NullOrigin
            | PolicyError::WildcardMethodWithCredentials
            | PolicyError::WildcardHeaderWithCredentials
            | PolicyError::WildcardExposeWithCredentials => None,
        }
    }
}

/// Values in messages are cut to this many characters.
const SHOWN: usize = 100;

/// `value` in quotes, cut to [`SHOWN`] characters.
pub(crate) fn shown(value: &str) -> String {
    match value.char_indices().nth(SHOWN) {
        Some((end, _)) => format!("{:?}...", &value[..end]),
        None => format!("{value:?}"),
    }
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::UnknownParameter { name } => write!(f, "unknown policy parameter {}", shown(name)),
            PolicyError::RepeatedParameter { name } => write!(f, "policy parameter {name:?} may appear only once"),
            PolicyError::TooLarge { what } => write!(f, "too large: {what}"),
            PolicyError::NoOrigin => f.write_str("the policy allows no origin"),
            PolicyError::WildcardOriginAmongOthers => f.write_str("origin * is listed beside other origins"),
            PolicyError::WildcardOriginWithCredentials => f.write_str("origin * cannot be combined with credentials"),
            PolicyError::NullOrigin => f.write_str("the null origin cannot be allowed"),
            PolicyError::MalformedOrigin { value, reason } => write!(f, "malformed origin {}: {reason}", shown(value)),
            PolicyError::MalformedPattern { value, reason } => {
                write!(f, "malformed origin pattern {}: {reason}", shown(value))
            }
            PolicyError::PublicSuffixPattern { value, suffix } => {
                write!(f, "origin pattern {} covers the public suffix {suffix:?}", shown(value))
            }
            PolicyError::InsecureOriginWithCredentials { value } => {
                write!(f, "insecure origin {} cannot be combined with credentials", shown(value))
            }
            PolicyError::InvalidMethod { value } => write!(f, "invalid method {}", shown(value)),
            PolicyError::ForbiddenMethod { value } => write!(f, "forbidden method {}", shown(value)),
            PolicyError::WildcardMethodWithCredentials => f.write_str("method * cannot be combined with credentials"),
            PolicyError::InvalidHeaderName { param, value } => {
                write!(f, "invalid header name {} in {param}", shown(value))
            }
            PolicyError::ForbiddenRequestHeader { value } => {
                write!(f, "forbidden request header {} cannot be allowed", shown(value))
            }
            PolicyError::ForbiddenResponseHeader { value } => {
                write!(f, "forbidden response header {} cannot be exposed", shown(value))
            }
            PolicyError::WildcardHeaderWithCredentials => f.write_str("header * cannot be combined with credentials"),
            PolicyError::WildcardExposeWithCredentials => f.write_str("expose * cannot be combined with credentials"),
            PolicyError::InvalidCredentials { value } => {
                write!(f, "credentials {} is not true or false", shown(value))
            }
            PolicyError::InvalidMaxAge { value } => write!(f, "max_age {} is not an integer", shown(value)),
            PolicyError::MaxAgeOutOfRange { value } => write!(f, "max_age {value} is outside -1..=86400"),
        }
    }
}

impl std::error::Error for PolicyError {}

impl Serialize for PolicyError {
    /// `{"kind", "value"?, "message", "explanation", "spec"}`.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let value = self.value();
        let mut s = serializer.serialize_struct("PolicyError", 5)?;
        s.serialize_field("kind", self.kind())?;
        if let Some(value) = &value {
            s.serialize_field("value", value)?;
        } else {
            s.skip_field("value")?;
        }
        s.serialize_field("message", &self.to_string())?;
        s.serialize_field("explanation", self.explanation())?;
        s.serialize_field("spec", self.spec())?;
        s.end()
    }
}

/// Every problem of a policy, in the order of its parameters (never empty
/// when returned as an error).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PolicyErrors(pub Vec<PolicyError>);

impl PolicyErrors {
    /// The problems.
    pub fn iter(&self) -> std::slice::Iter<'_, PolicyError> {
        self.0.iter()
    }

    /// How many.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// Whether a problem of this [`kind`](PolicyError::kind) is listed.
    pub fn has(&self, kind: &str) -> bool {
        self.0.iter().any(|e| e.kind() == kind)
    }

    pub(crate) fn push(&mut self, error: PolicyError) {
        if !self.0.contains(&error) {
            self.0.push(error);
        }
    }
}

impl fmt::Display for PolicyErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        write!(f, "invalid CORS policy ({n} problem{}): ", if n == 1 { "" } else { "s" })?;
        for (i, e) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            e.fmt(f)?;
        }
        Ok(())
    }
}

impl std::error::Error for PolicyErrors {}

impl Serialize for PolicyErrors {
    /// A JSON array of problems.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut seq = serializer.serialize_seq(Some(self.0.len()))?;
        for e in &self.0 {
            seq.serialize_element(e)?;
        }
        seq.end()
    }
}
