//! `Access-Control-Allow-Methods`: which methods a preflight allows.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-allow-methods>

use serde::Serialize;

use crate::http::header::{HeaderList, HeaderName};
use crate::http::method::{Method, is_cors_safelisted_method};
use crate::http::token::{TokenList, parse_header_token_list};

const NAME: HeaderName = HeaderName::known("access-control-allow-methods");

/// The methods a preflight response lists, case kept (methods match
/// case-sensitively), borrowed from the response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AllowMethods<'a>(pub TokenList<'a>);

/// Parses `Access-Control-Allow-Methods` (every line, as one list):
/// `Ok(None)` when absent.
///
/// # Errors
///
/// The first element that is not a method token.
pub fn parse_allow_methods(headers: &HeaderList) -> Result<Option<AllowMethods<'_>>, String> {
    parse_header_token_list(headers, &NAME).map(|list| list.map(AllowMethods)).map_err(str::to_owned)
}

/// How a method got through (or not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MethodMatch {
    /// Listed by name, same case.
    Listed,
    /// A CORS-safelisted method needs no listing.
    Safelisted,
    /// Covered by `*` (only without credentials).
    Wildcard,
    /// Not allowed.
    NotAllowed,
}

impl AllowMethods<'_> {
    /// Whether `method` is allowed for a request with (`credentials`) or
    /// without credentials: listed (case-sensitively), safelisted, or under
    /// `*` when the request has no credentials.
    ///
    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0> (the method step)
    pub fn allows(&self, method: &Method, credentials: bool) -> MethodMatch {
        if self.0.iter().any(|m| *m == method.as_str()) {
            MethodMatch::Listed
        } else if is_cors_safelisted_method(method.as_str()) {
            MethodMatch::Safelisted
        } else if !credentials && self.has_wildcard() {
            MethodMatch::Wildcard
        } else {
            MethodMatch::NotAllowed
        }
    }

    /// Whether the list holds `*`.
    pub fn has_wildcard(&self) -> bool {
        self.0.contains(&"*")
    }
}
