//! Which request headers a policy allows in preflights, and the
//! `Access-Control-Allow-Headers` it answers with.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-allow-headers>
//!
//! Reading `Access-Control-Request-Headers` is bounded: a value over
//! [`MAX_REQUEST_HEADERS_LEN`] bytes or with more than
//! [`MAX_REQUEST_HEADER_NAMES`] names is refused before it is split, and
//! every later step is linear in the value (each name is compared with the
//! few the policy lists), so a 1 MiB value costs one length comparison.

use std::borrow::Cow;

use crate::fetch::forbidden::forbidden_request_header;
use crate::http::header::HeaderName;
use crate::browsers::profile::Browser;
use crate::fetch::safelist::is_cors_non_wildcard_request_header_name;
use crate::http::token::{is_http_tab_or_space, is_token};

use super::answer::Refusal;
use super::error::PolicyError;

/// The longest `Access-Control-Request-Headers` a policy reads, in bytes.
/// Browsers send the names of the headers a page set, lower-case and
/// joined by `,`: a page setting that many custom headers is far past any
/// real use.
pub const MAX_REQUEST_HEADERS_LEN: usize = 4096;
/// The most names an `Access-Control-Request-Headers` may list.
pub const MAX_REQUEST_HEADER_NAMES: usize = 64;

/// Which request headers a policy allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowHeaders {
    /// `*`: every name but `Authorization` (which browsers never let `*`
    /// cover, so neither does the policy: list it to allow it).
    any: bool,
    /// Listed names, lower-case.
    names: Vec<HeaderName>,
}

impl AllowHeaders {
    /// No header beyond the safelisted ones.
    pub fn none() -> AllowHeaders {
        AllowHeaders { any: false, names: Vec::new() }
    }

    /// Reads the `header` entries of a policy, recording every problem.
    pub(crate) fn from_entries(entries: &[String], credentials: bool, errors: &mut Vec<PolicyError>) -> AllowHeaders {
        let mut allow = AllowHeaders::none();
        for entry in entries {
            if entry == "*" {
                if credentials {
                    errors.push(PolicyError::WildcardHeaderWithCredentials);
                }
                allow.any = true;
                continue;
            }
            match HeaderName::parse(entry) {
                Ok(name) => {
                    // The value matters only for the method-override
                    // headers, which are forbidden only with a forbidden
                    // method as value: the name alone is fine.
                    if forbidden_request_header(&name, "", Browser::Spec.profile()).is_some() {
                        errors.push(PolicyError::ForbiddenRequestHeader { value: entry.clone() });
                    } else if !allow.names.contains(&name) {
                        allow.names.push(name);
                    }
                }
                Err(_) => errors.push(PolicyError::InvalidHeaderName { param: "header", value: entry.clone() }),
            }
        }
        allow
    }

    /// Whether the request-header name `name` (a token, any case) is allowed.
    pub fn allows(&self, name: &str) -> bool {
        self.names.iter().any(|n| n.as_str().eq_ignore_ascii_case(name))
            || self.any && !is_non_wildcard(name)
    }

    /// Checks an `Access-Control-Request-Headers` value and returns the
    /// `Access-Control-Allow-Headers` value to answer with: the requested
    /// names, lower-case, joined by `,` (borrowed when the browser already
    /// sent them that way, as it does), or `None` when none were requested.
    ///
    /// # Errors
    ///
    /// The [`Refusal`]: too large, too many names, a name that is not a
    /// token, or a name the policy does not allow.
    pub fn check<'a>(&self, requested: &'a str) -> Result<Option<Cow<'a, str>>, Refusal<'a>> {
        if requested.len() > MAX_REQUEST_HEADERS_LEN {
            return Err(Refusal::RequestHeadersTooLarge { len: requested.len() });
        }
        let mut count = 0;
        let mut rewrite = false;
        for item in requested.split(',') {
            let name = item.trim_matches(is_http_tab_or_space);
            if name.len() != item.len() || name.is_empty() {
                rewrite = true;
            }
            if name.is_empty() {
                continue;
            }
            count += 1;
            if count > MAX_REQUEST_HEADER_NAMES {
                return Err(Refusal::TooManyRequestHeaders);
            }
            if !is_token(name) {
                return Err(Refusal::MalformedRequestHeaders { item: name });
            }
            if !self.allows(name) {
                return Err(Refusal::HeaderNotAllowed {
                    name,
                    authorization_under_wildcard: self.any && is_non_wildcard(name),
                });
            }
            rewrite |= name.bytes().any(|b| b.is_ascii_uppercase());
        }
        if count == 0 {
            return Ok(None);
        }
        if !rewrite {
            return Ok(Some(Cow::Borrowed(requested)));
        }
        let mut out = String::with_capacity(requested.len());
        for name in requested.split(',').map(|i| i.trim_matches(is_http_tab_or_space)).filter(|n| !n.is_empty()) {
            if !out.is_empty() {
                out.push(',');
            }
            out.extend(name.chars().map(|c| c.to_ascii_lowercase()));
        }
        Ok(Some(Cow::Owned(out)))
    }

    /// The names, for display (`*` first when present).
    pub fn entries(&self) -> Vec<&str> {
        let star = self.any.then_some("*");
        star.into_iter().chain(self.names.iter().map(HeaderName::as_str)).collect()
    }
}

/// A [CORS non-wildcard request-header name](https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name),
/// in any case.
fn is_non_wildcard(name: &str) -> bool {
    name.len() == "authorization".len() && is_cors_non_wildcard_request_header_name(&name.to_ascii_lowercase())
}
