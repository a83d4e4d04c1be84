//! Header lists and every `Access-Control-*` value, as the engine reads
//! them from an answer: `Access-Control-Allow-Methods`, `-Allow-Headers`,
//! `-Max-Age`, `-Expose-Headers` (and `-Allow-Origin`, `-Allow-Credentials`
//! through the token and list readers), plus the request side's safelist.
//!
//! Each input line `Name: value` is one header line of a list (lines that
//! are no valid header are left out, as `check` leaves them out); the first
//! line, whole, is also the value of each `Access-Control-*` header alone,
//! so the fuzzer need not spell the names.

use corslab::fetch::allow_headers::parse_allow_headers;
use corslab::fetch::allow_methods::parse_allow_methods;
use corslab::fetch::expose_headers::{exposed, visible_header_names, visible_headers};
use corslab::fetch::max_age::max_age;
use corslab::fetch::safelist::{check_safelisted, cors_unsafe_request_header_names, is_no_cors_safelisted};
use corslab::http::header::parse_header_value;
use corslab::http::range::parse_single_range;
use corslab::http::token::{collect_http_quoted_string, get_decode_split, is_token, parse_header_token_list, split_list};
use corslab::{Browser, HeaderList, HeaderName, Method, Tainting};

use crate::text;

/// The headers a CORS decision reads from an answer.
const CORS_NAMES: [&str; 6] = [
    "Access-Control-Allow-Origin",
    "Access-Control-Allow-Credentials",
    "Access-Control-Allow-Methods",
    "Access-Control-Allow-Headers",
    "Access-Control-Max-Age",
    "Access-Control-Expose-Headers",
];

/// Methods asked about an allow-methods list.
const METHODS: [&str; 6] = ["GET", "PUT", "put", "DELETE", "PATCH", "X-CUSTOM"];

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let mut list = HeaderList::new();
    for line in text.split('\n') {
        let (name, value) = line.split_once(':').unwrap_or((line, ""));
        if let (Ok(name), Ok(value)) = (HeaderName::parse(name), parse_header_value(value)) {
            list.append(name, value);
        }
    }
    read(&list);
    let first = text.split('\n').next().unwrap_or_default();
    if let Ok(value) = parse_header_value(first) {
        for name in CORS_NAMES {
            if let Ok(name) = HeaderName::parse(name) {
                let mut one = HeaderList::new();
                one.append(name, value.clone());
                read(&one);
            }
        }
    }
}

/// Everything the engine reads from a header list.
fn read(list: &HeaderList) {
    let combined = list.combined();
    assert!(combined.len() <= list.len(), "combining never adds a line");
    // What no profile changes.
    let methods = parse_allow_methods(list);
    let headers = parse_allow_headers(list);
    for credentials in [false, true] {
        if let Ok(Some(methods)) = &methods {
            let _ = methods.has_wildcard();
            for method in METHODS {
                if let Ok(method) = Method::parse(method) {
                    let _ = methods.allows(&method, credentials);
                }
            }
        }
        let _ = exposed(list, credentials);
        for tainting in [Tainting::Basic, Tainting::Cors, Tainting::Opaque] {
            let _ = visible_headers(list, tainting, credentials);
            let _ = visible_header_names(list, tainting, credentials);
        }
    }
    for name in CORS_NAMES {
        let _ = list.get(name);
        let _ = parse_header_token_list(list, name);
    }
    for (_, value) in list.iter() {
        let _ = split_list(value).count();
        let _ = get_decode_split(value);
        let _ = parse_single_range(value, false);
        let _ = parse_single_range(value, true);
        if value.starts_with('"') {
            let _ = collect_http_quoted_string(value, true);
            let _ = collect_http_quoted_string(value, false);
        }
    }
    // What each profile reads its own way.
    for browser in Browser::ALL {
        let profile = browser.profile();
        // The request side: which of these headers a preflight must name.
        let unsafe_names = cors_unsafe_request_header_names(list, profile);
        for name in &unsafe_names.names {
            assert!(is_token(name.as_str()), "an unsafe header name is a token");
        }
        if let Ok(Some(headers)) = &headers {
            let _ = headers.has_wildcard();
            let _ = headers.lists("x-custom");
            for credentials in [false, true] {
                let _ = headers.check(&unsafe_names.names, credentials, profile);
            }
        }
        let _ = max_age(list, profile);
        for (name, value) in list.iter() {
            let _ = check_safelisted(name, value, profile);
            let _ = is_no_cors_safelisted(name, value, profile);
        }
    }
}
