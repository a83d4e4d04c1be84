//! `http::mime`: the WHATWG "parse a MIME type" algorithm, and the
//! `Content-Type` safelist that reads it. A parsed MIME type serializes to
//! text that parses back to the same MIME type.

use corslab::http::header::parse_header_value;
use corslab::http::mime::parse_mime_type;
use corslab::{Browser, HeaderName};

use crate::text;

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    if let Some(mime) = parse_mime_type(&text) {
        let _ = mime.essence();
        let serialized = mime.to_string();
        assert_eq!(parse_mime_type(&serialized).as_ref(), Some(&mime), "a serialized MIME type parses back to itself");
    }
    // As the value of a request's Content-Type.
    if let Ok(value) = parse_header_value(&text)
        && let Ok(name) = HeaderName::parse("Content-Type")
    {
        for browser in Browser::ALL {
            let _ = corslab::fetch::safelist::check_safelisted(&name, &value, browser.profile());
            let _ = corslab::fetch::safelist::is_no_cors_safelisted(&name, &value, browser.profile());
        }
    }
}
