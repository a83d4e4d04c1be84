//! Sites: which origins a browser counts as "the same site", how it says so
//! in `Sec-Fetch-Site`, and which origins are potentially trustworthy (a
//! secure context, where Chromium also sends its client hints).
//!
//! <https://html.spec.whatwg.org/multipage/browsers.html#sites>

use serde::Serialize;

use crate::origin::{Origin, TupleOrigin};

/// The value of [`Sec-Fetch-Site`](https://w3c.github.io/webappsec-fetch-metadata/#sec-fetch-site-header):
/// how the request's initiator relates to its target.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FetchSite {
    /// Same origin.
    SameOrigin,
    /// Another origin of the same (schemeful) site.
    SameSite,
    /// Another site, or an opaque initiator.
    CrossSite,
}

impl FetchSite {
    /// `same-origin`, `same-site` or `cross-site`.
    pub fn as_str(self) -> &'static str {
        match self {
            FetchSite::SameOrigin => "same-origin",
            FetchSite::SameSite => "same-site",
            FetchSite::CrossSite => "cross-site",
        }
    }
}

/// How `initiator` relates to `target`, as `Sec-Fetch-Site` says it.
///
/// <https://w3c.github.io/webappsec-fetch-metadata/#abstract-opdef-set-site>
///
/// # Examples
///
/// ```
/// use corslab::Origin;
/// use corslab::fetch::site::{FetchSite, fetch_site};
///
/// let page = Origin::parse("https://app.example.com").unwrap();
/// let api = Origin::parse("https://api.example.com").unwrap();
/// let other = Origin::parse("https://example.org").unwrap();
/// assert_eq!(fetch_site(&page, &api), FetchSite::SameSite);
/// assert_eq!(fetch_site(&page, &other), FetchSite::CrossSite);
/// // Ports do not make another site; schemes do.
/// let local = Origin::parse("http://localhost:5050").unwrap();
/// assert_eq!(fetch_site(&local, &Origin::parse("http://localhost:8080").unwrap()), FetchSite::SameSite);
/// assert_eq!(fetch_site(&local, &Origin::parse("https://localhost:8080").unwrap()), FetchSite::CrossSite);
/// ```
pub fn fetch_site(initiator: &Origin, target: &Origin) -> FetchSite {
    if initiator.is_same_origin(target) {
        return FetchSite::SameOrigin;
    }
    match (initiator.tuple(), target.tuple()) {
        (Some(a), Some(b)) if is_same_site(a, b) => FetchSite::SameSite,
        _ => FetchSite::CrossSite,
    }
}

/// [Schemelessly same site](https://html.spec.whatwg.org/multipage/browsers.html#schemelessly-same-site)
/// plus equal schemes: [same site](https://html.spec.whatwg.org/multipage/browsers.html#same-site).
pub fn is_same_site(a: &TupleOrigin, b: &TupleOrigin) -> bool {
    a.scheme() == b.scheme() && site_host(a) == site_host(b)
}

/// The host part of an origin's site: its [registrable domain](https://url.spec.whatwg.org/#host-registrable-domain)
/// from the Public Suffix List, or the host itself when it has none (an IP
/// address, `localhost`, a public suffix).
pub fn site_host(origin: &TupleOrigin) -> &str {
    let host = origin.host();
    if origin.ip().is_some() {
        return host;
    }
    // A trailing dot names the same host; the list is read without it.
    let trimmed = host.strip_suffix('.').unwrap_or(host);
    match psl::domain_str(trimmed) {
        Some(domain) => domain,
        None => host,
    }
}

/// Whether an origin is [potentially trustworthy](https://w3c.github.io/webappsec-secure-contexts/#is-origin-trustworthy):
/// `https`/`wss`, or a loopback host (`127.0.0.0/8`, `::1`, `localhost` and
/// its subdomains). A page there is a secure context.
pub fn is_potentially_trustworthy(origin: &Origin) -> bool {
    let Some(tuple) = origin.tuple() else { return false };
    if matches!(tuple.scheme(), "https" | "wss") {
        return true;
    }
    if let Some(ip) = tuple.ip() {
        return ip.is_loopback();
    }
    let host = tuple.host();
    let host = host.strip_suffix('.').unwrap_or(host);
    host == "localhost" || host.ends_with(".localhost")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(s: &str) -> Origin {
        Origin::parse(s).unwrap_or(Origin::Opaque)
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn sites_follow_the_public_suffix_list() {
        let site = |host: &str| {
            let o = origin(&format!("https://{host}"));
            o.tuple().map(|t| site_host(t).to_owned()).unwrap_or_default()
        };
        assert_eq!(site("app.example.com"), "example.com");
        assert_eq!(site("a.b.example.co.uk"), "example.co.uk");
        // github.io is a public suffix: each user is a site of its own.
        assert_eq!(site("alice.github.io"), "alice.github.io");
        assert_ne!(site("alice.github.io"), site("bob.github.io"));
        assert_eq!(site("localhost"), "localhost");
        // An address is its own site, even one whose last part could be
        // read as a public suffix.
        assert_eq!(site("127.0.0.1"), "127.0.0.1");
        assert_eq!(site("10.0.0.1"), "10.0.0.1");
        assert_eq!(site("[::1]"), "[::1]");
        assert_eq!(site("[2001:db8::1]"), "[2001:db8::1]");
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn sec_fetch_site_values() {
        let page = origin("http://localhost:5050");
        assert_eq!(fetch_site(&page, &page), FetchSite::SameOrigin);
        assert_eq!(fetch_site(&page, &origin("http://127.0.0.1:5050")), FetchSite::CrossSite);
        assert_eq!(fetch_site(&Origin::Opaque, &page), FetchSite::CrossSite);
        assert_eq!(
            fetch_site(&origin("https://alice.github.io"), &origin("https://bob.github.io")),
            FetchSite::CrossSite
        );
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn trustworthy_origins() {
        for yes in ["https://example.com", "http://localhost:5050", "http://127.0.0.2", "http://[::1]:8080", "http://a.localhost"] {
            assert!(is_potentially_trustworthy(&origin(yes)), "{yes}");
        }
        for no in ["http://example.com", "http://10.0.0.1", "http://localhost.example"] {
            assert!(!is_potentially_trustworthy(&origin(no)), "{no}");
        }
        assert!(!is_potentially_trustworthy(&Origin::Opaque));
    }
}
