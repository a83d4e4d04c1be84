//! Internationalised domain names in the page: the browser's own
//! [domain to ASCII](https://url.spec.whatwg.org/#concept-domain-to-ascii).
//!
//! The page's wasm carries no Unicode tables (`crates/idna-adapter`): there
//! the core's URL parser refuses a host that is not ASCII. The browser the
//! page runs in has those tables, and its URL parser is the one its own
//! `fetch()` parses the URL with, so a URL or origin the user types with
//! non-ASCII text is first handed to it (`new URL(text)`), and the core gets
//! the ASCII serialization, `http://bücher.example` becoming
//! `http://xn--bcher-kva.example`, as the browser would send it; so is text
//! with a percent sign (`https://%e2%98%83` is a non-ASCII host too). Other
//! ASCII text is left as typed; text the browser cannot parse is left too,
//! and the core says what is wrong with it.
//!
//! One difference remains: an origin listed in a policy's query
//! (`origin=http://bücher.example`) is not made ASCII here, so the page calls
//! it invalid where the CLI and the server accept it; the `Origin` header a
//! browser sends is ASCII, so the policy should list the Punycode form anyway.
//!
//! Natively (the unit tests) the url crate, which keeps its Unicode back end
//! there, stands in for the browser.

use std::borrow::Cow;

/// Whether `text` may hold a host that is not ASCII: non-ASCII text, or a
/// percent sign (a host is percent-decoded before domain to ASCII).
pub fn needs_the_browser(text: &str) -> bool {
    !text.is_ascii() || text.contains('%')
}

/// `text`, a URL, serialized in ASCII by the browser's URL parser (unchanged
/// when [it needs no browser](needs_the_browser) or is not a URL).
pub fn ascii_url(text: &str) -> Cow<'_, str> {
    if !needs_the_browser(text) {
        return Cow::Borrowed(text);
    }
    parse(text).map_or(Cow::Borrowed(text), |(href, _)| Cow::Owned(href))
}

/// `text`, an origin (`scheme://host[:port]`), as the ASCII serialization
/// of the origin the browser's URL parser gives it (unchanged when already
/// ASCII or not a URL).
pub fn ascii_origin(text: &str) -> Cow<'_, str> {
    if !needs_the_browser(text) {
        return Cow::Borrowed(text);
    }
    parse(text).map_or(Cow::Borrowed(text), |(_, origin)| Cow::Owned(origin))
}

/// Replaces `text` with its ASCII form (`ascii`), in place.
pub fn make_ascii(text: &mut String, ascii: fn(&str) -> Cow<'_, str>) {
    if let Cow::Owned(converted) = ascii(text) {
        *text = converted;
    }
}

/// The browser's `href` and `origin` of `text`.
#[cfg(target_arch = "wasm32")]
fn parse(text: &str) -> Option<(String, String)> {
    let url = web_sys::Url::new(text).ok()?;
    Some((url.href(), url.origin()))
}

/// The url crate's, natively.
#[cfg(not(target_arch = "wasm32"))]
fn parse(text: &str) -> Option<(String, String)> {
    let url = url::Url::parse(text).ok()?;
    Some((url.to_string(), url.origin().ascii_serialization()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_ascii_hosts_become_punycode_and_ascii_text_is_kept() {
        assert_eq!(ascii_url("http://bücher.example/ä?q=ü"), "http://xn--bcher-kva.example/%C3%A4?q=%C3%BC");
        assert_eq!(ascii_origin("https://faß.ExAmPlE"), "https://xn--fa-hia.example");
        assert_eq!(ascii_origin("http://Ｇｏ.com:8080"), "http://go.com:8080");
        assert_eq!(ascii_origin("https://%e2%98%83"), "https://xn--n3h");
        // ASCII is the core's to judge, as typed (a trailing slash, a bad port).
        assert!(matches!(ascii_url("http://EXAMPLE.com"), Cow::Borrowed("http://EXAMPLE.com")));
        assert!(matches!(ascii_origin("http://a:99999"), Cow::Borrowed(_)));
        // Not a URL: left for the core to refuse, with its own message.
        assert_eq!(ascii_url("nöt a url"), "nöt a url");
        let mut text = "http://münchen.example".to_owned();
        make_ascii(&mut text, ascii_origin);
        assert_eq!(text, "http://xn--mnchen-3ya.example");
    }
}
