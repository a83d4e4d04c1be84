//! `Access-Control-Max-Age`: how long a preflight's answer may be reused.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-max-age>

use serde::Serialize;

use crate::http::header::{HeaderList, HeaderName};
use crate::browsers::profile::{MaxAgeSyntax, Profile};

const NAME: HeaderName = HeaderName::known("access-control-max-age");

/// How the header was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum MaxAgeReading {
    /// Absent: the profile's default.
    Absent,
    /// A number within the cap.
    Parsed,
    /// A number above the cap: the cap.
    Capped,
    /// A negative number: no caching.
    Negative,
    /// Not a number this profile reads: the default.
    InvalidDefault,
    /// Not a number this profile reads: no caching.
    InvalidNoCache,
}

/// The cache lifetime a preflight response grants.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
pub struct MaxAge {
    /// Seconds the answer may be reused; 0 means not at all.
    pub seconds: u64,
    /// Why.
    pub reading: MaxAgeReading,
}

/// Reads `Access-Control-Max-Age` as `profile` does.
///
/// # Examples
///
/// ```
/// use corslab::{Browser, HeaderList, fetch::max_age::max_age};
///
/// let abc = HeaderList::from_pairs(&[("Access-Control-Max-Age", "abc")]).unwrap();
/// assert_eq!(max_age(&abc, Browser::Chrome.profile()).seconds, 5);
/// assert_eq!(max_age(&abc, Browser::Firefox.profile()).seconds, 0);
/// let huge = HeaderList::from_pairs(&[("Access-Control-Max-Age", "999999999")]).unwrap();
/// assert_eq!(max_age(&huge, Browser::Chrome.profile()).seconds, 7200);
/// assert_eq!(max_age(&huge, Browser::Firefox.profile()).seconds, 86400);
/// ```
pub fn max_age(headers: &HeaderList, profile: &Profile) -> MaxAge {
    let default = MaxAge { seconds: profile.max_age_default, reading: MaxAgeReading::Absent };
    let Some(value) = headers.get_ref(&NAME) else { return default };
    // (Two lines or more come back combined, as an owned value.)
    let one_line = matches!(value, std::borrow::Cow::Borrowed(_));
    let capped = |seconds: u64| match profile.max_age_cap {
        Some(cap) if seconds > cap => MaxAge { seconds: cap, reading: MaxAgeReading::Capped },
        _ => MaxAge { seconds, reading: MaxAgeReading::Parsed },
    };
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    match profile.max_age_syntax {
        // delta-seconds = 1*DIGIT; a second header is failure too (the ABNF
        // allows one); failure means 5 seconds.
        MaxAgeSyntax::DeltaSeconds => {
            if digits && one_line {
                capped(value.parse::<u64>().unwrap_or(u64::MAX))
            } else {
                MaxAge { seconds: profile.max_age_default, reading: MaxAgeReading::InvalidDefault }
            }
        }
        // base::StringToInt64: sign and digits, no spaces; overflow and
        // anything else is unparsable (the default); negative is 0.
        MaxAgeSyntax::SignedInteger => match value.parse::<i64>() {
            Ok(n) if n < 0 => MaxAge { seconds: 0, reading: MaxAgeReading::Negative },
            Ok(n) => capped(n.unsigned_abs()),
            Err(_) => MaxAge { seconds: profile.max_age_default, reading: MaxAgeReading::InvalidDefault },
        },
        // Firefox: empty is the default; any non-digit means no caching.
        MaxAgeSyntax::DigitsOrNoCache => {
            if value.is_empty() {
                default
            } else if digits {
                capped(value.parse::<u64>().unwrap_or(u64::MAX))
            } else {
                MaxAge { seconds: 0, reading: MaxAgeReading::InvalidNoCache }
            }
        }
    }
}
