//! Which response headers a policy exposes to the page, as
//! `Access-Control-Expose-Headers` on actual responses.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-expose-headers>

use crate::fetch::forbidden::is_forbidden_response_header_name;
use crate::http::header::HeaderName;

use super::error::PolicyError;

/// Which response headers a policy exposes; the value is rendered once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ExposeHeaders {
    names: Vec<String>,
    /// `Access-Control-Expose-Headers`, or `None` when nothing is exposed.
    value: Option<String>,
}

impl ExposeHeaders {
    /// Reads the `expose` entries of a policy, recording every problem.
    pub(crate) fn from_entries(entries: &[String], credentials: bool, errors: &mut Vec<PolicyError>) -> ExposeHeaders {
        let mut names: Vec<String> = Vec::new();
        for entry in entries {
            let name = if entry == "*" {
                if credentials {
                    errors.push(PolicyError::WildcardExposeWithCredentials);
                }
                "*".to_owned()
            } else {
                match HeaderName::parse(entry) {
                    Ok(name) if is_forbidden_response_header_name(name.as_str()) => {
                        errors.push(PolicyError::ForbiddenResponseHeader { value: entry.clone() });
                        continue;
                    }
                    Ok(name) => name.as_str().to_owned(),
                    Err(_) => {
                        errors.push(PolicyError::InvalidHeaderName { param: "expose", value: entry.clone() });
                        continue;
                    }
                }
            };
            if !names.contains(&name) {
                names.push(name);
            }
        }
        let value = (!names.is_empty()).then(|| names.join(", "));
        ExposeHeaders { names, value }
    }

    /// The `Access-Control-Expose-Headers` value, if any.
    pub fn header_value(&self) -> Option<&str> {
        self.value.as_deref()
    }

    /// The names, lower-case, for display.
    pub fn entries(&self) -> Vec<&str> {
        self.names.iter().map(String::as_str).collect()
    }
}
