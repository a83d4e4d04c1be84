//! The page's `fetch()` call, rebuilt from what a HAR entry recorded of the
//! request the browser sent: the page's origin, the headers the page set,
//! the body, the mode and the credentials mode, each with where it came
//! from.
//!
//! Which recorded headers the page set is the one rule DevTools' "Copy as
//! cURL" reader applies ([`CopiedRequest`], `formats/curl/headers.rs`): the
//! entry is handed to it as the copy DevTools would make of it, so a
//! header `fetch()` could not set is left out for the same reason in both.
//! Two facts a HAR adds: a preflight's `Access-Control-Request-Headers`
//! names the page's unsafe headers (also those an export left out, as
//! Chromium's sanitized export leaves out `Authorization`), and a header
//! the browser adds on its own (`Accept-Language`, a client hint) with a
//! value the browser never sends (not CORS-safelisted) was the page's.


use serde::Serialize;
use url::Url;

use crate::browsers::profile::Browser;
use crate::fetch::request::{CredentialsMode, RequestMode};
use crate::fetch::safelist::check_safelisted;
use crate::formats::curl::{CopiedRequest, CopyDropReason, CopyParts};
use crate::http::header::{HeaderName, title_case};
use crate::origin::Origin;

use super::reader::{HarEntry, HarPage};

/// The value given to a header the page set but the HAR left out.
pub const UNKNOWN_VALUE: &str = "(value not in the HAR)";

/// Where the page's origin was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum OriginFrom {
    /// The request's `Origin` header.
    OriginHeader,
    /// The origin of the request's `Referer`.
    Referer,
    /// The URL of the entry's page (`log.pages[].title`).
    Page,
}

impl OriginFrom {
    /// For people.
    pub fn describe(self) -> &'static str {
        match self {
            OriginFrom::OriginHeader => "from the Origin header",
            OriginFrom::Referer => "from the Referer: no Origin header in the HAR",
            OriginFrom::Page => "from the page's URL: no Origin or Referer in the HAR",
        }
    }
}

/// Where the credentials mode was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CredentialsFrom {
    /// A `Cookie` header went to another origin: only `include` sends one.
    CookieHeader,
    /// No cookie in the HAR and nothing else to tell: `fetch()`'s default.
    Default,
    /// No cookie in the HAR; `include` is what makes the recorded failure
    /// (or success) come out, and the default does not.
    Outcome,
}

/// The page's origin for an entry, and where it was read.
pub(super) fn page_origin(entry: &HarEntry, pages: &[HarPage]) -> Option<(Origin, OriginFrom)> {
    if let Some(origin) = entry.request_header("origin") {
        return Some((Origin::parse(origin.trim()).unwrap_or(Origin::Opaque), OriginFrom::OriginHeader));
    }
    let tuple = |url: &str| Url::parse(url).ok().map(|u| Origin::from_url(&u)).filter(|o| !o.is_opaque());
    if let Some(origin) = entry.request_header("referer").and_then(tuple) {
        return Some((origin, OriginFrom::Referer));
    }
    let page = entry.pageref.as_deref().and_then(|id| pages.iter().find(|p| p.id == id))?;
    tuple(&page.title).map(|o| (o, OriginFrom::Page))
}

/// The call, as far as the HAR tells it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct RebuiltCall {
    /// The headers the page set, in order.
    pub headers: Vec<(String, String)>,
    /// The mode.
    pub mode: RequestMode,
    /// How the mode was read: `sec-fetch-mode`, `origin-header`, `failure`
    /// or `assumed`.
    pub mode_from: &'static str,
    /// The credentials mode.
    pub credentials: CredentialsMode,
    /// How it was read.
    pub credentials_from: CredentialsFrom,
    /// Whether a `Cookie` header is in the HAR.
    pub cookies: bool,
    /// Whether the request had a body.
    pub body: bool,
    /// The body's text as far as it was kept (skipped in reports).
    #[serde(skip)]
    pub body_text: Option<String>,
}

/// What rebuilding found worth saying.
#[derive(Debug, Default)]
pub(super) struct Findings {
    pub(super) notes: Vec<String>,
    pub(super) missing: Vec<String>,
}

/// Rebuilds the call of `entry` (a fetch or XHR), with the preflight sent
/// for it when there is one, as `browser` sent it.
pub(super) fn rebuild(entry: &HarEntry, preflight: Option<&HarEntry>, browser: Option<Browser>, found: &mut Findings) -> RebuiltCall {
    let copied = copy_of(entry);
    let (mut headers, dropped) = match &copied {
        Ok(c) => (c.headers.clone(), c.dropped.iter().map(|d| (d.name.clone(), d.value.clone(), d.reason.clone())).collect()),
        Err(e) => {
            found.notes.push(format!("the request headers could not be sorted ({e}): none is taken as the page's"));
            (Vec::new(), Vec::new())
        }
    };
    let profile = copied.as_ref().ok().and_then(|c| c.browser).or(browser).unwrap_or(Browser::Spec).profile();
    // A header the browser adds on its own, with a value it never sends.
    for (name, value, reason) in &dropped {
        let browser_adds = matches!(reason, CopyDropReason::ClientHint)
            || (matches!(reason, CopyDropReason::AddedByBrowser) && name.eq_ignore_ascii_case("accept-language"));
        let unsafe_value = HeaderName::parse(name).is_ok_and(|n| check_safelisted(&n, value, profile).is_err());
        if browser_adds && unsafe_value {
            headers.push((name.clone(), value.clone()));
            found.notes.push(format!("{name}: {value} is taken as the page's: the browser never sends this value on its own"));
        }
    }
    // The preflight names the page's unsafe headers.
    if let Some(acrh) = preflight.and_then(|p| p.request_header("access-control-request-headers")) {
        for name in acrh.split(',').map(str::trim).filter(|n| !n.is_empty()) {
            if headers.iter().any(|(n, _)| n.eq_ignore_ascii_case(name)) {
                continue;
            }
            match dropped.iter().find(|(n, _, _)| n.eq_ignore_ascii_case(name)) {
                Some((n, v, _)) => {
                    headers.push((n.clone(), v.clone()));
                    found.notes.push(format!("{n} is taken as the page's: the preflight's Access-Control-Request-Headers names it"));
                }
                None => {
                    headers.push((title_case(name), UNKNOWN_VALUE.to_owned()));
                    found.missing.push(format!(
                        "the page set {name} (the preflight's Access-Control-Request-Headers names it) but the HAR leaves it out of the request (Chromium's export drops Authorization and Cookie by default): its value is unknown"
                    ));
                }
            }
        }
    }

    // The body.
    let post = entry.request.post_data.as_ref();
    let body_text = match post.and_then(|p| p.text.clone()) {
        Some(text) => Some(text),
        None if post.is_some() || entry.request.body_size > 0 => {
            found.missing.push("the request had a body the HAR does not hold".to_owned());
            Some(String::new())
        }
        None => None,
    };

    // The mode.
    let failed = super::analyze::failed(entry);
    let (mode, mode_from) = match copied.as_ref().ok().and_then(|c| c.mode_hint) {
        Some(mode) => (mode, "sec-fetch-mode"),
        None if entry.request_header("origin").is_some() => (RequestMode::Cors, "origin-header"),
        None if failed => (RequestMode::Cors, "failure"),
        None => {
            found.notes.push("mode: the HAR has no Sec-Fetch-Mode or Origin header for this request; cors is assumed".to_owned());
            (RequestMode::Cors, "assumed")
        }
    };
    let cookies = copied.as_ref().is_ok_and(|c| c.cookies.is_some());
    let (credentials, credentials_from) =
        if cookies { (CredentialsMode::Include, CredentialsFrom::CookieHeader) } else { (CredentialsMode::SameOrigin, CredentialsFrom::Default) };
    RebuiltCall { headers, mode, mode_from, credentials, credentials_from, cookies, body: body_text.is_some(), body_text }
}

/// The entry's request as a copied request: its header lines sorted into
/// the page's and the browser's by the one rule the "Copy as cURL" and
/// "Copy as fetch" readers use ([`CopiedRequest::assemble`]).
fn copy_of(entry: &HarEntry) -> Result<CopiedRequest, String> {
    let parsed = url::Url::parse(&entry.request.url).map_err(|e| format!("URL {:?}: {e}", entry.request.url))?;
    let headers = entry
        .request
        .headers
        .iter()
        .map(|h| (h.name.trim().to_owned(), h.value.clone()))
        // HTTP/2 pseudo-headers (`:authority` …) are not header lines.
        .filter(|(name, _)| !name.is_empty() && !name.starts_with(':'))
        .collect();
    Ok(CopiedRequest::assemble(CopyParts {
        headers,
        ..CopyParts::new(entry.request.url.clone(), parsed, entry.request.method.clone())
    }))
}

/// `text` quoted for a POSIX shell (`'…'`).
pub(super) fn shell_quote(text: &str) -> String {
    if !text.is_empty() && text.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_./:=,@%+".contains(&b)) {
        return text.to_owned();
    }
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::har::reader::HarHeader;

    fn entry(method: &str, headers: &[(&str, &str)]) -> HarEntry {
        let mut e = HarEntry::default();
        e.request.method = method.to_owned();
        e.request.url = "http://localhost:8080/data?a=[1]".to_owned();
        e.request.headers =
            headers.iter().map(|(n, v)| HarHeader { name: (*n).to_owned(), value: (*v).to_owned() }).collect();
        e.response.status = 200;
        e
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn the_page_headers_are_what_fetch_could_set() {
        let e = entry("PUT", &[
            (":authority", "localhost:8080"),
            ("Accept", "*/*"),
            ("Accept-Language", "en_US"),
            ("Origin", "http://localhost:5050"),
            ("Sec-Fetch-Mode", "cors"),
            ("X-Custom", "it's \"1\"\tok"),
            ("Cookie", "sid=1"),
            ("User-Agent", "Mozilla/5.0 Chrome/156.0.0.0"),
        ]);
        let mut found = Findings::default();
        let call = rebuild(&e, None, None, &mut found);
        assert_eq!(
            call.headers,
            [("X-Custom".to_owned(), "it's \"1\"\tok".to_owned()), ("Accept-Language".to_owned(), "en_US".to_owned())]
        );
        assert_eq!((call.mode, call.credentials, call.cookies), (RequestMode::Cors, CredentialsMode::Include, true));
        assert_eq!(found.notes.len(), 1, "{:?}", found.notes);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn the_preflight_names_headers_the_export_left_out() {
        let e = entry("GET", &[("Origin", "http://localhost:5050"), ("Sec-Fetch-Mode", "cors")]);
        let p = entry("OPTIONS", &[("Access-Control-Request-Method", "GET"), ("Access-Control-Request-Headers", "authorization")]);
        let mut found = Findings::default();
        let call = rebuild(&e, Some(&p), Some(Browser::Chrome), &mut found);
        assert_eq!(call.headers, [("Authorization".to_owned(), UNKNOWN_VALUE.to_owned())]);
        assert_eq!(found.missing.len(), 1);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn origins_from_origin_referer_or_page() {
        let pages = [HarPage { id: "p".into(), title: "https://app.test/x".into() }];
        let (o, from) = page_origin(&entry("GET", &[("Referer", "http://localhost:5050/a")]), &pages).unwrap_or((Origin::Opaque, OriginFrom::Page));
        assert_eq!((o.to_string().as_str(), from), ("http://localhost:5050", OriginFrom::Referer));
        let mut e = entry("GET", &[]);
        e.pageref = Some("p".into());
        assert_eq!(page_origin(&e, &pages).map(|(o, f)| (o.to_string(), f)), Some(("https://app.test".into(), OriginFrom::Page)));
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
    }
}
