//! Which response headers a page can read: the CORS-safelisted response
//! header names, plus what `Access-Control-Expose-Headers` exposes.
//!
//! <https://fetch.spec.whatwg.org/#concept-filtered-response-cors>

use crate::fetch::forbidden::is_forbidden_response_header;
use crate::fetch::response::Tainting;
use crate::fetch::safelist::is_cors_safelisted_response_header;
use crate::http::header::{HeaderList, HeaderName, eq_lower};
use crate::http::token::{TokenList, parse_header_token_list};

const NAME: HeaderName = HeaderName::known("access-control-expose-headers");

/// What `Access-Control-Expose-Headers` exposes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Exposed<'a> {
    /// Nothing beyond the safelist (absent, or not a valid list).
    Nothing,
    /// These names (any case), borrowed from the response.
    Names(TokenList<'a>),
    /// Every header (`*` without credentials).
    All,
}

/// Reads `Access-Control-Expose-Headers` for a request with or without
/// credentials. An invalid list exposes nothing (both browsers discard it).
pub fn exposed(headers: &HeaderList, credentials: bool) -> Exposed<'_> {
    let Ok(Some(names)) = parse_header_token_list(headers, &NAME) else { return Exposed::Nothing };
    if names.is_empty() {
        Exposed::Nothing
    } else if !credentials && names.contains(&"*") {
        Exposed::All
    } else {
        Exposed::Names(names)
    }
}

/// The header names the page can read from `response.headers`: lower-case,
/// sorted, without duplicates.
///
/// # Examples
///
/// ```
/// use corslab::{HeaderList, fetch::response::Tainting, fetch::expose_headers::visible_headers};
///
/// let headers = HeaderList::from_pairs(&[
///     ("Content-Type", "text/plain"), ("X-Foo", "1"), ("X-Bar", "2"),
///     ("Access-Control-Expose-Headers", "X-Foo"), ("Set-Cookie", "a=b"),
/// ]).unwrap();
/// assert_eq!(visible_headers(&headers, Tainting::Cors, false), ["content-type", "x-foo"]);
/// assert_eq!(visible_headers(&headers, Tainting::Opaque, false), Vec::<String>::new());
/// assert_eq!(
///     visible_headers(&headers, Tainting::Basic, false),
///     ["access-control-expose-headers", "content-type", "x-bar", "x-foo"]
/// );
/// ```
pub fn visible_headers(headers: &HeaderList, tainting: Tainting, credentials: bool) -> Vec<String> {
    visible_header_names(headers, tainting, credentials).into_iter().map(|name| name.as_str().to_owned()).collect()
}

/// [`visible_headers`], borrowing the names from the response (no
/// allocation per name: the path a server takes).
pub fn visible_header_names(headers: &HeaderList, tainting: Tainting, credentials: bool) -> Vec<&HeaderName> {
    let exposed = match tainting {
        Tainting::Opaque => return Vec::new(),
        Tainting::Basic => Exposed::All,
        Tainting::Cors => exposed(headers, credentials),
    };
    let mut names: Vec<&HeaderName> = Vec::with_capacity(headers.len());
    for (name, _) in headers.iter() {
        let visible = is_cors_safelisted_response_header(name)
            || (!is_forbidden_response_header(name)
                && match &exposed {
                    Exposed::Nothing => false,
                    Exposed::All => true,
                    Exposed::Names(list) => {
                        let name = name.as_str();
                        list.iter().any(|listed| eq_lower(listed, name))
                    }
                });
        if visible {
            names.push(name);
        }
    }
    crate::sort::sort_dedup(&mut names);
    names
}
