//! How long a browser may cache a policy's preflight answers, as
//! `Access-Control-Max-Age`.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-max-age>

use super::error::PolicyError;

/// The longest max-age a policy may ask for, in seconds (a day; browsers
/// cap it lower: Chromium at 2 hours, Firefox at 1 day).
pub const MAX_MAX_AGE: i64 = 86_400;

/// `Access-Control-Max-Age`, rendered once.
///
/// - `-1`: disable caching, sent as `0` (`-1` is not a valid value);
/// - `0` or absent: send nothing, the browser's default (5 s) applies;
/// - 1 to 86400: sent as is.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MaxAge(Option<String>);

impl MaxAge {
    /// Reads a `max_age` entry, recording a problem when it is not an
    /// integer from -1 to 86400.
    pub(crate) fn from_entry(entry: Option<&str>, errors: &mut Vec<PolicyError>) -> MaxAge {
        let Some(entry) = entry else { return MaxAge(None) };
        match entry.parse::<i64>() {
            Ok(-1) => MaxAge(Some("0".to_owned())),
            Ok(0) => MaxAge(None),
            Ok(n @ 1..=MAX_MAX_AGE) => MaxAge(Some(n.to_string())),
            Ok(n) => {
                errors.push(PolicyError::MaxAgeOutOfRange { value: n });
                MaxAge(None)
            }
            Err(_) => {
                errors.push(PolicyError::InvalidMaxAge { value: entry.to_owned() });
                MaxAge(None)
            }
        }
    }

    /// The header value, if one is sent.
    pub fn header_value(&self) -> Option<&str> {
        self.0.as_deref()
    }
}
