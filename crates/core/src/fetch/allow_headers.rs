//! `Access-Control-Allow-Headers`: which request headers a preflight allows.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-allow-headers>

use serde::Serialize;

use crate::http::header::{HeaderList, HeaderName, eq_lower};
use crate::browsers::profile::{AuthorizationUnderWildcard, Profile};
use crate::fetch::safelist::is_cors_non_wildcard_request_header_name;
use crate::http::token::{TokenList, parse_header_token_list};

const NAME: HeaderName = HeaderName::known("access-control-allow-headers");

/// The header names a preflight response lists, as written and borrowed
/// from the response: names match case-insensitively, so they are compared
/// that way rather than lower-cased (which would allocate per name on the
/// server's path); the cache stores them lower-cased.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AllowHeaders<'a>(pub TokenList<'a>);

/// Parses `Access-Control-Allow-Headers` (every line, as one list):
/// `Ok(None)` when absent.
///
/// # Errors
///
/// The first element that is not a header-name token.
pub fn parse_allow_headers(headers: &HeaderList) -> Result<Option<AllowHeaders<'_>>, String> {
    parse_header_token_list(headers, &NAME).map(|list| list.map(AllowHeaders)).map_err(str::to_owned)
}

/// The verdict on the request's unsafe headers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum HeadersMatch {
    /// Every unsafe header is allowed.
    Allowed {
        /// Whether `*` did it (without credentials).
        wildcard: bool,
        /// Whether `Authorization` got through only under `*` (a browser
        /// departure from the standard; Firefox warns about it).
        authorization_under_wildcard: bool,
    },
    /// This header is not allowed.
    NotAllowed(HeaderName),
}

impl AllowHeaders<'_> {
    /// Whether the list names `name`, in any case.
    pub fn lists(&self, name: &str) -> bool {
        self.0.iter().any(|n| n.eq_ignore_ascii_case(name))
    }

    /// [`lists`](Self::lists) for a name known to be lower-case (a
    /// [`HeaderName`]): only the listed side needs folding.
    fn lists_lower(&self, name: &str) -> bool {
        self.0.iter().any(|listed| eq_lower(listed, name))
    }

    /// Whether the list holds `*`.
    pub fn has_wildcard(&self) -> bool {
        self.lists("*")
    }

    /// Checks the request's unsafe header names, in the order the profile
    /// checks them, against this list.
    ///
    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0> (the two header steps)
    pub fn check(&self, unsafe_names: &[HeaderName], credentials: bool, profile: &Profile) -> HeadersMatch {
        let wildcard = !credentials && self.has_wildcard();
        // `Authorization` is a CORS non-wildcard request-header name: the
        // standard checks it before the other names and never lets `*` cover it.
        if profile.authorization_under_wildcard == AuthorizationUnderWildcard::NotCovered
            && let Some(name) = unsafe_names
                .iter()
                .find(|n| is_cors_non_wildcard_request_header_name(n.as_str()) && !self.lists_lower(n.as_str()))
            {
                return HeadersMatch::NotAllowed(name.clone());
            }
        let mut authorization_under_wildcard = false;
        for name in unsafe_names {
            if self.lists_lower(name.as_str()) {
                continue;
            }
            if wildcard {
                if !is_cors_non_wildcard_request_header_name(name.as_str()) {
                    continue;
                }
                match profile.authorization_under_wildcard {
                    AuthorizationUnderWildcard::NotCovered => {}
                    AuthorizationUnderWildcard::Covered | AuthorizationUnderWildcard::CoveredWithWarning => {
                        authorization_under_wildcard = true;
                        continue;
                    }
                }
            }
            return HeadersMatch::NotAllowed(name.clone());
        }
        HeadersMatch::Allowed { wildcard, authorization_under_wildcard }
    }
}
