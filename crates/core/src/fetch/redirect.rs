//! HTTP-redirect fetch: what a browser makes of a redirect answer. The
//! location URL, the redirect mode (`follow`, `error`, `manual`), the
//! redirect count, credentials in the location, method and body rewriting,
//! the headers dropped on the way to another origin, and the redirect-taint
//! that turns the request's `Origin` into `null`.
//!
//! <https://fetch.spec.whatwg.org/#http-redirect-fetch>

use serde::{Deserialize, Serialize};
use url::Url;

use crate::fetch::request::FetchRequest;
use crate::fetch::response::ServerResponse;
use crate::fetch::site::fetch_site;
use crate::fetch::site::FetchSite;
use crate::http::header::HeaderList;
use crate::http::method::Method;
use crate::origin::Origin;

/// The most redirects a fetch follows: the 21st is a network error.
///
/// <https://fetch.spec.whatwg.org/#http-redirect-fetch> (step 7)
pub const MAX_REDIRECTS: usize = 20;

/// A request's [redirect mode](https://fetch.spec.whatwg.org/#concept-request-redirect-mode):
/// `fetch()`'s `redirect` option.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RedirectMode {
    /// Follow redirects (the default).
    #[default]
    Follow,
    /// A redirect is a network error.
    Error,
    /// A redirect gives the page an `opaqueredirect` response.
    Manual,
}

impl RedirectMode {
    /// `follow`, `error` or `manual`.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectMode::Follow => "follow",
            RedirectMode::Error => "error",
            RedirectMode::Manual => "manual",
        }
    }
}

/// A response's [location URL](https://fetch.spec.whatwg.org/#concept-response-location-url):
/// `None` when it is not a redirect (no redirect status, or no `Location`),
/// `Some(Err(location))` when the `Location` does not parse against the
/// current URL.
pub fn location_url(response: &ServerResponse, current: &Url) -> Option<Result<Url, String>> {
    let location = response.redirect_location()?;
    Some(match current.join(location) {
        Ok(mut url) => {
            // The location inherits the current URL's fragment when it has none.
            if url.fragment().is_none() && current.fragment().is_some() {
                url.set_fragment(current.fragment());
            }
            Ok(url)
        }
        Err(_) => Err(location.to_owned()),
    })
}

/// Whether a URL [includes credentials](https://url.spec.whatwg.org/#include-credentials):
/// a username or a password.
pub fn includes_credentials(url: &Url) -> bool {
    !url.username().is_empty() || url.password().is_some()
}

/// A request's [redirect-taint](https://fetch.spec.whatwg.org/#concept-request-tainted-origin),
/// from its origin and its URL list.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum RedirectTaint {
    /// Never left for another origin from an origin that is not the page's.
    SameOrigin,
    /// Such a step, within one site.
    SameSite,
    /// Such a step to another site.
    CrossSite,
}

impl RedirectTaint {
    /// `same-origin`, `same-site` or `cross-site`.
    pub fn as_str(self) -> &'static str {
        match self {
            RedirectTaint::SameOrigin => "same-origin",
            RedirectTaint::SameSite => "same-site",
            RedirectTaint::CrossSite => "cross-site",
        }
    }
}

/// Whether a request from `origin` along `urls` has a
/// [redirect-tainted origin](https://fetch.spec.whatwg.org/#concept-request-tainted-origin):
/// a step from a URL that is not on the request's origin to a URL on yet
/// another origin. Origins only, no sites: what `Origin` serializes to
/// (`null` once tainted), and all the engine needs (the sites of
/// [`redirect_taint`] need the Public Suffix List, which the page's wasm
/// never links).
pub fn has_redirect_tainted_origin<'a>(origin: &Origin, urls: impl IntoIterator<Item = &'a Url>) -> bool {
    let mut last: Option<Origin> = None;
    for url in urls {
        let here = Origin::from_url(url);
        if let Some(last) = last.replace(here.clone())
            && !here.is_same_origin(&last)
            && !origin.is_same_origin(&last)
        {
            return true;
        }
    }
    false
}

/// The redirect-taint of a request from `origin` along `urls`: a step from
/// a URL that is not on the request's origin to a URL on yet another origin
/// taints it.
///
/// <https://fetch.spec.whatwg.org/#concept-request-tainted-origin>
pub fn redirect_taint<'a>(origin: &Origin, urls: impl IntoIterator<Item = &'a Url>) -> RedirectTaint {
    let mut taint = RedirectTaint::SameOrigin;
    let mut last: Option<Origin> = None;
    for url in urls {
        let here = Origin::from_url(url);
        if let Some(last) = last.replace(here.clone()) {
            let site = |a: &Origin, b: &Origin| fetch_site(a, b) != FetchSite::CrossSite;
            if !site(&here, &last) && !site(origin, &last) {
                return RedirectTaint::CrossSite;
            }
            if !here.is_same_origin(&last) && !origin.is_same_origin(&last) {
                taint = RedirectTaint::SameSite;
            }
        }
    }
    taint
}

/// How [HTTP-redirect fetch](https://fetch.spec.whatwg.org/#http-redirect-fetch)
/// changed the request for its next URL.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Rewrite {
    /// The method before, when a 301/302 `POST` or a 303 turned it into `GET`.
    pub method_from: Option<String>,
    /// Whether the body (and the request-body headers) was dropped.
    pub body_dropped: bool,
    /// Headers dropped on the way to another origin (`authorization`).
    pub dropped_headers: Vec<String>,
}

/// The [request-body-header names](https://fetch.spec.whatwg.org/#request-body-header-name).
const REQUEST_BODY_HEADERS: [&str; 4] = ["content-encoding", "content-language", "content-location", "content-type"];

/// The request for `location` after a `status` redirect of `request`
/// (steps 11 to 19 of HTTP-redirect fetch; the refusals before them are the
/// engine's): `GET` without a body after a 301/302 `POST` or a 303,
/// `Authorization` dropped on the way to another origin, the URL list grown,
/// and the serialized origin `null` once the redirect-taint is not
/// same-origin.
pub fn redirected(request: &FetchRequest, status: u16, location: Url) -> (FetchRequest, Rewrite) {
    let mut next = request.clone();
    let mut rewrite = Rewrite::default();
    let method = request.method.as_str();
    if (matches!(status, 301 | 302) && method == "POST") || (status == 303 && !matches!(method, "GET" | "HEAD")) {
        rewrite.method_from = Some(method.to_owned());
        next.method = Method::get();
        rewrite.body_dropped = next.body.take().is_some();
        next.headers = without(&next.headers, |name| REQUEST_BODY_HEADERS.contains(&name));
    }
    // Another origin: the CORS non-wildcard request-header names go.
    if !Origin::from_url(&request.url).is_same_origin(&Origin::from_url(&location)) {
        for (name, _) in next.headers.iter() {
            if name.as_str() == "authorization" && !rewrite.dropped_headers.iter().any(|d| d == "authorization") {
                rewrite.dropped_headers.push(name.as_str().to_owned());
            }
        }
        next.headers = without(&next.headers, |name| name == "authorization");
    }
    next.written_names.retain(|(name, _)| next.headers.contains(name.as_str()));
    next.redirected_from.push(request.url.clone());
    next.url = location;
    let tainted = has_redirect_tainted_origin(&next.origin, next.redirected_from.iter().chain([&next.url]));
    next.origin_serialized = if tainted { "null".to_owned() } else { next.origin.ascii_serialization() };
    (next, rewrite)
}

fn without(headers: &HeaderList, drop: impl Fn(&str) -> bool) -> HeaderList {
    let mut kept = HeaderList::new();
    for (name, value) in headers.iter() {
        if !drop(name.as_str()) {
            kept.append(name.clone(), value.to_owned());
        }
    }
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap_or_else(|e| panic!("{s}: {e}"))
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn taint_needs_a_step_between_two_other_origins() {
        let page = Origin::parse("http://localhost:5050").unwrap_or(Origin::Opaque);
        let taint = |urls: &[&str]| redirect_taint(&page, urls.iter().map(|u| url(u)).collect::<Vec<_>>().iter());
        // From the page's own origin to another: not tainted.
        assert_eq!(taint(&["http://localhost:5050/a", "http://localhost:8080/b"]), RedirectTaint::SameOrigin);
        // Same origin all along.
        assert_eq!(taint(&["http://localhost:8080/a", "http://localhost:8080/b"]), RedirectTaint::SameOrigin);
        // A -> B: localhost is one site.
        assert_eq!(taint(&["http://localhost:8080/a", "http://localhost:8081/b"]), RedirectTaint::SameSite);
        // A -> the page's origin: tainted too.
        assert_eq!(taint(&["http://localhost:8080/a", "http://localhost:5050/b"]), RedirectTaint::SameSite);
        // The first URL is the page's site: within it, the step is same-site.
        assert_eq!(taint(&["http://localhost:8080/a", "http://example.com/b"]), RedirectTaint::SameSite);
        assert_eq!(taint(&["http://api.example.com/a", "http://cdn.example.com/b"]), RedirectTaint::SameSite);
        assert_eq!(taint(&["http://api.example.com/a", "http://other.org/b"]), RedirectTaint::CrossSite);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn locations_resolve_against_the_current_url() {
        let current = url("http://a.test/x/y#f");
        let answer = |location: &str| ServerResponse {
            status: 302,
            headers: HeaderList::from_pairs(&[("Location", location)]).unwrap_or_default(),
            body: None,
        };
        assert_eq!(location_url(&answer("/z"), &current), Some(Ok(url("http://a.test/z#f"))));
        assert_eq!(location_url(&answer("http://b.test/#g"), &current), Some(Ok(url("http://b.test/#g"))));
        assert_eq!(location_url(&answer("http://[::1"), &current), Some(Err("http://[::1".to_owned())));
        assert_eq!(location_url(&ServerResponse::with_status(302), &current), None);
        assert!(includes_credentials(&url("http://u:p@a.test/")) && !includes_credentials(&current));
    }
}
