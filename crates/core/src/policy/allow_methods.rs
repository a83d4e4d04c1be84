//! Which methods a policy allows in preflights, and the
//! `Access-Control-Allow-Methods` it answers with.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-allow-methods>
//!
//! Methods are normalised once, as `fetch()` normalises the request's method
//! (`put` becomes `PUT`, `patch` stays `patch`), and then compared
//! byte for byte with `Access-Control-Request-Method`, as the browser
//! compares its method with the answer: a policy allowing `PATCH` does not
//! allow a page's `fetch(url, {method: "patch"})`.

use crate::http::method::{InvalidMethod, Method, is_cors_safelisted_method};
use crate::http::token::is_token;

use super::error::PolicyError;

/// Which methods a policy allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowMethods(Inner);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Inner {
    Any,
    List(Vec<Method>),
}

impl AllowMethods {
    /// Only the CORS-safelisted methods, which need no listing.
    pub fn safelisted() -> AllowMethods {
        AllowMethods(Inner::List(Vec::new()))
    }

    /// Reads the `method` entries of a policy, recording every problem.
    pub(crate) fn from_entries(entries: &[String], credentials: bool, errors: &mut Vec<PolicyError>) -> AllowMethods {
        if entries.iter().any(|e| e == "*") {
            if credentials {
                errors.push(PolicyError::WildcardMethodWithCredentials);
            }
            return AllowMethods(Inner::Any);
        }
        let mut list: Vec<Method> = Vec::new();
        for entry in entries {
            match Method::parse(entry) {
                Ok(method) => {
                    if !list.contains(&method) {
                        list.push(method);
                    }
                }
                Err(InvalidMethod::Forbidden) => errors.push(PolicyError::ForbiddenMethod { value: entry.clone() }),
                Err(_) => errors.push(PolicyError::InvalidMethod { value: entry.clone() }),
            }
        }
        AllowMethods(Inner::List(list))
    }

    /// Whether a preflight for `method` (an `Access-Control-Request-Method`
    /// value, already a token) is allowed: a [CORS-safelisted method](https://fetch.spec.whatwg.org/#cors-safelisted-method)
    /// always is, as browsers never need it listed.
    pub fn allows(&self, method: &str) -> bool {
        is_cors_safelisted_method(method)
            || match &self.0 {
                Inner::Any => is_token(method),
                Inner::List(list) => list.iter().any(|m| m.as_str() == method),
            }
    }

    /// The `Access-Control-Allow-Methods` value answering a preflight for
    /// `method`: the method itself, or nothing for a safelisted method (the
    /// browser allows those without it). Echoing the one method keeps the
    /// answer minimal and right with or without credentials.
    pub fn header_value<'a>(&self, method: &'a str) -> Option<&'a str> {
        (!is_cors_safelisted_method(method)).then_some(method)
    }

    /// The methods, for display (`*` for any).
    pub fn entries(&self) -> Vec<&str> {
        match &self.0 {
            Inner::Any => vec!["*"],
            Inner::List(list) => list.iter().map(Method::as_str).collect(),
        }
    }
}
