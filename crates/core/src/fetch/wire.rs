//! The requests a browser puts on the wire for one `fetch()`: the preflight
//! and the request itself, with every header the browser adds around the
//! page's own (`Origin`, `Accept`, `Sec-Fetch-*`, `Referer`, its identity).
//!
//! This is what `corslab check` sends to a real server, so that the server
//! answers it exactly as it would answer the browser.
//!
//! <https://fetch.spec.whatwg.org/#http-network-or-cache-fetch>

use serde::{Deserialize, Serialize};

use crate::browsers::profile::{HeaderOrder, Profile};
use crate::fetch::preflight::PreflightRequest;
use crate::fetch::request::{CredentialsMode, FetchRequest, RequestMode};
use crate::fetch::response::{ServerResponse, Tainting};
use crate::http::header::{HeaderList, HeaderName, SortedNameSet, parse_header_value, title_case};
use crate::fetch::site::{FetchSite, fetch_site, is_potentially_trustworthy};
use crate::origin::Origin;

/// Which of a `fetch()`'s requests this is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum WireKind {
    /// The `OPTIONS` preflight.
    Preflight,
    /// The request itself.
    Request,
}

/// One HTTP request as the browser sends it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireRequest {
    /// Preflight or request.
    pub kind: WireKind,
    /// The method.
    pub method: String,
    /// The absolute URL.
    pub url: String,
    /// Every header, in the browser's order, names as the browser writes
    /// them (`Host` included).
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
}

impl WireRequest {
    /// The value of the first header named `name` (any case).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The preflight for `preflight`, from a page at `page` (whose URL is
    /// `page_url`, when known), as `profile`'s browser sends it: no
    /// credentials, no body, no header values.
    ///
    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>
    pub fn preflight(preflight: &PreflightRequest, page: &Origin, page_url: Option<&str>, profile: &Profile) -> WireRequest {
        let target = Origin::from_url_str(&preflight.url).unwrap_or(Origin::Opaque);
        WireRequest::preflight_in(preflight, page, &target, page_url, profile, Written::Whole(fetch_site(page, &target)))
    }

    /// [`preflight`](Self::preflight) to `target` (the URL's origin) with
    /// this `Sec-Fetch-Site`.
    pub(crate) fn preflight_in(
        preflight: &PreflightRequest,
        page: &Origin,
        target: &Origin,
        page_url: Option<&str>,
        profile: &Profile,
        written: Written,
    ) -> WireRequest {
        let mut h = Headers::new(written);
        write_preflight(preflight, page, target, page_url, profile, &mut h);
        WireRequest {
            kind: WireKind::Preflight,
            method: "OPTIONS".to_owned(),
            url: preflight.url.clone(),
            headers: h.lines,
            body: None,
        }
    }

    /// The request `fetch()` built, from a page whose URL is `page_url`
    /// (when known), as `profile`'s browser sends it, with `cookies` (the
    /// `Cookie` header's value) when its credentials mode sends them.
    pub fn request(request: &FetchRequest, page_url: Option<&str>, cookies: Option<&str>, profile: &Profile) -> WireRequest {
        let site = fetch_site(&request.origin, &Origin::from_url(&request.url));
        WireRequest::request_in(request, page_url, cookies, profile, Written::Whole(site))
    }

    /// [`request`](Self::request) as `written` says (see
    /// [`preflight_in`](Self::preflight_in)).
    pub(crate) fn request_in(
        request: &FetchRequest,
        page_url: Option<&str>,
        cookies: Option<&str>,
        profile: &Profile,
        written: Written,
    ) -> WireRequest {
        let mut h = Headers::new(written);
        write_request(request, &Origin::from_url(&request.url), page_url, cookies, profile, &mut h);
        WireRequest {
            kind: WireKind::Request,
            method: request.method.as_str().to_owned(),
            url: request.url_str().to_owned(),
            headers: h.lines,
            body: request.body.clone(),
        }
    }
}

/// What the engine records of a request a server received
/// ([`Sent`](crate::fetch::engine::Sent)): the names of the headers
/// [`WireRequest`] writes, lower-case, sorted, each once, and `Origin`'s
/// value. Written by the same code as the whole request, without copying a
/// value, parsing the URL for `Host` or working out `Sec-Fetch-Site` (so
/// the Public Suffix List is not linked into the page's wasm).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct SentNames {
    pub(crate) names: Vec<HeaderName>,
    pub(crate) origin: Option<String>,
}

impl SentNames {
    /// The names of [`WireRequest::preflight_in`]'s request.
    pub(crate) fn preflight(preflight: &PreflightRequest, page: &Origin, target: &Origin, profile: &Profile) -> SentNames {
        let mut h = Headers::new(Written::Names);
        write_preflight(preflight, page, target, None, profile, &mut h);
        h.into_names()
    }

    /// The names of [`WireRequest::request_in`]'s request to `target` (the
    /// URL's origin).
    pub(crate) fn request(request: &FetchRequest, target: &Origin, profile: &Profile) -> SentNames {
        let mut h = Headers::new(Written::Names);
        write_request(request, target, None, None, profile, &mut h);
        h.into_names()
    }
}

/// The preflight's lines, in the browser's order: no credentials, no body,
/// no header values.
///
/// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>
fn write_preflight(
    preflight: &PreflightRequest,
    page: &Origin,
    target: &Origin,
    page_url: Option<&str>,
    profile: &Profile,
    h: &mut Headers,
) {
    let id = &profile.wire;
    let site = h.site();
    let referer = h.referrer(page, page_url, target);
    h.push_host(&preflight.url);
    let acrm = preflight.access_control_request_method.as_str();
    let acrh = preflight.access_control_request_headers.as_deref();
    match id.order {
        HeaderOrder::Chromium => {
            h.push("connection", "keep-alive");
            h.push("accept", "*/*");
            h.push("access-control-request-method", acrm);
            h.push_opt("access-control-request-headers", acrh);
            h.push("origin", &preflight.origin);
            h.push("user-agent", id.user_agent);
            h.push("sec-fetch-mode", "cors");
            h.push("sec-fetch-site", site);
            h.push("sec-fetch-dest", "empty");
            h.push_opt("referer", referer.as_deref());
            h.push("accept-encoding", id.accept_encoding);
            h.push("accept-language", id.accept_language);
        }
        HeaderOrder::Firefox => {
            h.push("user-agent", id.user_agent);
            h.push("accept", "*/*");
            h.push("accept-language", id.accept_language);
            h.push("accept-encoding", id.accept_encoding);
            h.push("access-control-request-method", acrm);
            h.push_opt("access-control-request-headers", acrh);
            h.push_opt("referer", referer.as_deref());
            h.push("origin", &preflight.origin);
            h.push("connection", "keep-alive");
            h.push("sec-fetch-dest", "empty");
            h.push("sec-fetch-mode", "cors");
            h.push("sec-fetch-site", site);
            h.push_opt("priority", id.priority);
        }
    }
}

/// The request's lines to `target` (the URL's origin), in the browser's
/// order: the page's headers among those the browser adds.
fn write_request(
    request: &FetchRequest,
    target: &Origin,
    page_url: Option<&str>,
    cookies: Option<&str>,
    profile: &Profile,
    h: &mut Headers,
) {
    let page = &request.origin;
    let same_origin = page.is_same_origin(target);
    let id = &profile.wire;
    let referer = h.referrer(page, page_url, target);
    let origin = sends_origin(request, same_origin).then_some(request.origin_serialized.as_str());
    let cookies = cookies.filter(|_| sends_credentials(request.credentials, same_origin)).filter(|c| !c.is_empty());
    let site = h.site();
    // Only whether there is one, when the names are written.
    let length = request.body.as_ref().map(|b| if h.names_only { String::new() } else { b.len().to_string() });
    let page_set = |name: &str| request.headers.contains(name);
    let hints: &[(&str, &str)] = if is_potentially_trustworthy(target) { id.client_hints } else { &[] };
    let accept = (!page_set("accept")).then_some("*/*");
    let language = (!page_set("accept-language")).then_some(id.accept_language);
    let agent = (!page_set("user-agent")).then_some(id.user_agent);
    let mode = request.mode.as_str();

    h.push_host(request.url_str());
    match id.order {
        HeaderOrder::Chromium => {
            h.push("connection", "keep-alive");
            h.push_opt("content-length", length.as_deref());
            h.page(request);
            for (name, value) in hints {
                h.push_as_written(name, value);
            }
            h.push_opt("user-agent", agent);
            h.push_opt("accept", accept);
            h.push_opt("origin", origin);
            h.push("sec-fetch-site", site);
            h.push("sec-fetch-mode", mode);
            h.push("sec-fetch-dest", "empty");
            h.push_opt("referer", referer.as_deref());
            h.push("accept-encoding", id.accept_encoding);
            h.push_opt("accept-language", language);
            h.push_opt("cookie", cookies);
        }
        HeaderOrder::Firefox => {
            h.push_opt("user-agent", agent);
            h.push_opt("accept", accept);
            h.push_opt("accept-language", language);
            h.push("accept-encoding", id.accept_encoding);
            h.push_opt("referer", referer.as_deref());
            h.page(request);
            h.push_opt("content-length", length.as_deref());
            h.push_opt("origin", origin);
            h.push("connection", "keep-alive");
            h.push_opt("cookie", cookies);
            h.push("sec-fetch-dest", "empty");
            h.push("sec-fetch-mode", mode);
            h.push("sec-fetch-site", site);
            h.push_opt("priority", id.priority);
        }
    }
}

/// One HTTP response as it came back over the wire.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct WireResponse {
    /// The status code.
    pub status: u16,
    /// Every header line, in order, as received (names lower-case, values
    /// as text: each byte one character, so nothing is lost).
    pub headers: Vec<(String, String)>,
    /// How many body bytes arrived.
    #[serde(default)]
    pub body_bytes: u64,
    /// The address the answer came from (`ip:port`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remote_addr: Option<String>,
}

/// A response header line the engine could not read (a name that is not a
/// token, a value with a NUL, CR or LF): left out of what the engine
/// judges, and reported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct UnreadableHeader {
    /// The name as received.
    pub name: String,
    /// What is wrong.
    pub problem: String,
}

impl WireResponse {
    /// The values of every line named `name` (any case).
    pub fn values<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> {
        self.headers.iter().filter(move |(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// The response as the engine reads it, and the lines it could not read.
    pub fn to_server_response(&self) -> (ServerResponse, Vec<UnreadableHeader>) {
        let mut headers = HeaderList::new();
        let mut unreadable = Vec::new();
        for (name, value) in &self.headers {
            match (HeaderName::parse(name), parse_header_value(value)) {
                (Ok(name), Ok(value)) => headers.append(name, value),
                (Err(e), _) => unreadable.push(UnreadableHeader { name: name.clone(), problem: e.to_string() }),
                (_, Err(e)) => unreadable.push(UnreadableHeader { name: name.clone(), problem: e.to_string() }),
            }
        }
        (ServerResponse { status: self.status, headers, body: None }, unreadable)
    }
}

/// What a wire request is written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Written {
    /// Every line with its value, as the server receives it, with this
    /// `Sec-Fetch-Site`.
    Whole(FetchSite),
    /// What the engine records of a request a server received
    /// ([`Sent`](crate::fetch::engine::Sent)): the header names,
    /// lower-case, and `Origin`'s value. No other value is copied, no URL
    /// parsed for `Host`, and `Sec-Fetch-Site` is not worked out (so the
    /// Public Suffix List is not linked into the page's wasm).
    Names,
}

impl Written {
    fn site(self) -> &'static str {
        match self {
            Written::Whole(site) => site.as_str(),
            Written::Names => "",
        }
    }
}

/// Header lines being written: whole, or the names only.
struct Headers {
    /// Whole: each line as the browser writes it.
    lines: Vec<(String, String)>,
    /// Names: each name, lower-case, and `Origin`'s value.
    names: SortedNameSet,
    origin: Option<String>,
    names_only: bool,
    site: &'static str,
}

impl Headers {
    fn new(written: Written) -> Headers {
        let names_only = written == Written::Names;
        Headers {
            lines: Vec::with_capacity(if names_only { 0 } else { 16 }),
            names: SortedNameSet::default(),
            origin: None,
            names_only,
            site: written.site(),
        }
    }

    /// `Sec-Fetch-Site`'s value (empty when the names are written).
    fn site(&self) -> &'static str {
        self.site
    }

    /// A header the browser adds, by its lower-case `name`: on the wire in
    /// Title-Case (`Sec-Fetch-Site`), as every browser writes these.
    ///
    /// Inlined natively (with `push_opt`, `push_name` and the name's search
    /// in the well-known table), so that the search for a literal name
    /// folds away when compiled: 2,400 instructions of a whole `decide`.
    /// The page's wasm keeps one copy of each, 2.4 KB lighter gzipped.
    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    fn push(&mut self, name: &'static str, value: &str) {
        if self.names_only {
            self.push_name(name, value);
        } else {
            self.lines.push((title_case(name), value.to_owned()));
        }
    }

    /// A header the browser writes lower-case (Chromium's client hints).
    fn push_as_written(&mut self, name: &'static str, value: &str) {
        if self.names_only {
            self.push_name(name, value);
        } else {
            self.lines.push((name.to_owned(), value.to_owned()));
        }
    }

    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    fn push_name(&mut self, name: &'static str, value: &str) {
        if name == "origin" {
            self.origin = Some(value.to_owned());
        }
        self.names.insert(HeaderName::from_static(name));
    }

    #[cfg_attr(not(target_family = "wasm"), inline(always))]
    fn push_opt(&mut self, name: &'static str, value: Option<&str>) {
        if let Some(value) = value {
            self.push(name, value);
        }
    }

    /// `Referer`'s value ([`referrer`]); only whether there is one when
    /// the names are written.
    fn referrer(&self, page: &Origin, page_url: Option<&str>, target: &Origin) -> Option<String> {
        if self.names_only { sends_referrer(page, target).then(String::new) } else { referrer(page, page_url, target) }
    }

    /// `Host`: the URL's host and port.
    fn push_host(&mut self, url: &str) {
        if self.names_only {
            self.names.insert(HeaderName::from_static("host"));
        } else {
            self.lines.push(("Host".to_owned(), host(url)));
        }
    }

    /// The headers the page set that `fetch()` kept, a repeated name sent
    /// once with its values joined by `, ` (Chromium and Firefox both do,
    /// as the header list's [combined value](https://fetch.spec.whatwg.org/#concept-header-list-combine)).
    fn page(&mut self, request: &FetchRequest) {
        if self.names_only {
            // (A repeated name is one name of the set.)
            for (name, _) in request.headers.iter() {
                self.names.insert(name.clone());
            }
            return;
        }
        for (name, value) in request.headers.combined().iter() {
            self.lines.push((title_case(name.as_str()), value.to_owned()));
        }
    }

    /// The names, sorted, each once, and `Origin`'s value.
    fn into_names(self) -> SentNames {
        SentNames { names: self.names.into_vec(), origin: self.origin }
    }
}

/// `Host`: the URL's host and port (the port only when not the default).
fn host(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(url) => match (url.host_str(), url.port()) {
            (Some(host), Some(port)) => format!("{host}:{port}"),
            (Some(host), None) => host.to_owned(),
            _ => String::new(),
        },
        Err(_) => String::new(),
    }
}

/// Whether the browser [appends an `Origin` header](https://fetch.spec.whatwg.org/#append-a-request-origin-header):
/// always for a CORS request (response tainting `cors`: to another origin,
/// or to any URL once a redirect made it one), otherwise only for methods
/// other than GET and HEAD.
fn sends_origin(request: &FetchRequest, same_origin: bool) -> bool {
    let cors = match request.tainting {
        Some(tainting) => tainting == Tainting::Cors,
        None => !same_origin && request.mode == RequestMode::Cors,
    };
    cors || !matches!(request.method.as_str(), "GET" | "HEAD")
}

/// Whether cookies go with the request: `include` always, `same-origin`
/// only to the page's own origin.
///
/// <https://fetch.spec.whatwg.org/#concept-request-credentials-mode>
fn sends_credentials(mode: CredentialsMode, same_origin: bool) -> bool {
    match mode {
        CredentialsMode::Include => true,
        CredentialsMode::SameOrigin => same_origin,
        CredentialsMode::Omit => false,
    }
}

/// `Referer` under the default policy, `strict-origin-when-cross-origin`:
/// to the page's own origin, the page's URL (without its fragment; the
/// origin and `/` when the URL is not known); to another origin, the
/// page's origin and `/` only; from an `https` page to an `http` URL,
/// nothing.
///
/// <https://w3c.github.io/webappsec-referrer-policy/#referrer-policy-strict-origin-when-cross-origin>
fn referrer(page: &Origin, page_url: Option<&str>, target: &Origin) -> Option<String> {
    if !sends_referrer(page, target) {
        return None;
    }
    let tuple = page.tuple()?;
    let full = page_url
        .filter(|_| page.is_same_origin(target))
        .and_then(|u| url::Url::parse(u).ok())
        .filter(|u| Origin::from_url(u) == *page)
        .map(|mut u| {
            u.set_fragment(None);
            String::from(u)
        });
    Some(full.unwrap_or_else(|| format!("{}/", Origin::Tuple(tuple.clone()))))
}

/// Whether [`referrer`] gives a `Referer`: from a page with an origin
/// (not opaque), except from `https` to anything else.
fn sends_referrer(page: &Origin, target: &Origin) -> bool {
    page.tuple().is_some_and(|tuple| tuple.scheme() != "https" || target.tuple().is_some_and(|t| t.scheme() == "https"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::browsers::profile::Browser;
    use crate::fetch::request::FetchCall;
    use crate::trace::NoTrace;

    fn built(url: &str, method: &str, headers: &[(&str, &str)], body: Option<&str>, credentials: CredentialsMode) -> FetchRequest {
        built_at("http://localhost:5050", url, method, headers, body, credentials)
    }

    /// [`built`] from a page at `page`.
    fn built_at(page: &str, url: &str, method: &str, headers: &[(&str, &str)], body: Option<&str>, credentials: CredentialsMode) -> FetchRequest {
        let call = FetchCall {
            url: url.to_owned(),
            method: method.to_owned(),
            headers: headers.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect(),
            mode: RequestMode::Cors,
            credentials,
            body: body.map(str::to_owned),
        };
        let page = Origin::parse(page).unwrap_or(Origin::Opaque);
        FetchRequest::build(&call, &page, Browser::Chrome.profile(), &mut NoTrace).unwrap_or_else(|e| panic!("{e}"))
    }

    fn names(wire: &WireRequest) -> Vec<&str> {
        wire.headers.iter().map(|(n, _)| n.as_str()).collect()
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn chromium_sends_what_it_was_seen_sending() {
        let request = built(
            "http://localhost:8080/b",
            "PUT",
            &[("Content-Type", "application/json"), ("X-Request-Id", "42")],
            Some("{\"a\":1}"),
            CredentialsMode::SameOrigin,
        );
        let wire = WireRequest::request(&request, None, Some("a=1"), Browser::Chrome.profile());
        assert_eq!(
            names(&wire),
            [
                "Host", "Connection", "Content-Length", "Content-Type", "X-Request-Id", "sec-ch-ua-platform", "sec-ch-ua",
                "sec-ch-ua-mobile", "User-Agent", "Accept", "Origin", "Sec-Fetch-Site", "Sec-Fetch-Mode", "Sec-Fetch-Dest",
                "Referer", "Accept-Encoding", "Accept-Language"
            ]
        );
        assert_eq!(wire.header("host"), Some("localhost:8080"));
        assert_eq!(wire.header("sec-fetch-site"), Some("same-site"));
        assert_eq!(wire.header("referer"), Some("http://localhost:5050/"));
        assert_eq!(wire.header("content-length"), Some("7"));
        // same-origin credentials: no cookie to another origin.
        assert_eq!(wire.header("cookie"), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn cookies_go_with_include_and_never_with_the_preflight() {
        let request = built("http://localhost:8080/c", "PUT", &[], None, CredentialsMode::Include);
        let wire = WireRequest::request(&request, None, Some("sid=1"), Browser::Firefox.profile());
        assert_eq!(wire.header("cookie"), Some("sid=1"));
        assert_eq!(wire.header("priority"), Some("u=4"));
        let preflight = PreflightRequest::new(&request, &[]);
        let wire = WireRequest::preflight(&preflight, &request.origin, None, Browser::Firefox.profile());
        assert_eq!(wire.header("cookie"), None);
        assert_eq!(wire.header("access-control-request-method"), Some("PUT"));
        assert_eq!(wire.header("access-control-request-headers"), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn page_set_accept_replaces_the_default_and_get_has_no_length() {
        let request = built("http://localhost:8080/i", "GET", &[("Accept", "application/json")], None, CredentialsMode::Omit);
        let wire = WireRequest::request(&request, None, None, Browser::Chrome.profile());
        assert_eq!(wire.headers.iter().filter(|(n, _)| n.eq_ignore_ascii_case("accept")).count(), 1);
        assert_eq!(wire.header("accept"), Some("application/json"));
        assert_eq!(wire.header("content-length"), None);
    }

    /// The engine's record is written with the names only: the same names
    /// as the whole request (lower-case, a repeated page header once), and
    /// the same `Origin`, for every profile.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn names_only_writes_the_names_the_whole_request_has() {
        let names = |wire: &WireRequest| {
            let mut names: Vec<String> = wire.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
            names.sort_unstable();
            names.dedup();
            names
        };
        let recorded = |record: &SentNames| record.names.iter().map(|n| n.as_str().to_owned()).collect::<Vec<_>>();
        // To another https origin (a `Referer`), and from https to http (none).
        for url in ["https://api.example:8443/i?q", "http://api.example/i"] {
            let headers = [("X-A", "1"), ("Content-Type", "application/json"), ("x-a", "2"), ("Accept-Language", "fr")];
            let request = built_at("https://app.example", url, "PUT", &headers, Some("{}"), CredentialsMode::Include);
            let page = request.origin.clone();
            assert_eq!(sends_referrer(&page, &Origin::from_url(&request.url)), url.starts_with("https"));
            for browser in Browser::ALL {
                let profile = browser.profile();
                let site = Written::Whole(FetchSite::CrossSite);
                // (The engine's servers get no cookies.)
                let whole = WireRequest::request_in(&request, None, None, profile, site);
                let record = SentNames::request(&request, &Origin::from_url(&request.url), profile);
                assert_eq!(recorded(&record), names(&whole), "{browser}");
                assert_eq!(record.origin.as_deref(), whole.header("origin"), "{browser}");
                let preflight = PreflightRequest::new(&request, &[HeaderName::from_static("content-type"), HeaderName::from_static("x-a")]);
                let target = Origin::from_url(&request.url);
                let whole = WireRequest::preflight_in(&preflight, &page, &target, None, profile, site);
                let record = SentNames::preflight(&preflight, &page, &target, profile);
                assert_eq!(recorded(&record), names(&whole), "{browser}");
                assert_eq!(record.origin.as_deref(), whole.header("origin"), "{browser}");
            }
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn no_referrer_from_https_to_http_and_no_hints_to_an_insecure_url() {
        let https = Origin::parse("https://app.example").unwrap_or(Origin::Opaque);
        assert_eq!(referrer(&https, None, &Origin::parse("http://api.example").unwrap_or(Origin::Opaque)), None);
        // The page's full URL goes to its own origin only.
        let page_url = Some("https://app.example/a/b?q#frag");
        assert_eq!(referrer(&https, page_url, &https).as_deref(), Some("https://app.example/a/b?q"));
        let other = Origin::parse("https://api.example").unwrap_or(Origin::Opaque);
        assert_eq!(referrer(&https, page_url, &other).as_deref(), Some("https://app.example/"));
        let call = FetchCall {
            url: "http://api.example.com/x".to_owned(),
            method: "GET".to_owned(),
            headers: Vec::new(),
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            body: None,
        };
        let page = Origin::parse("http://app.example.com").unwrap_or(Origin::Opaque);
        let request = FetchRequest::build(&call, &page, Browser::Chrome.profile(), &mut NoTrace).unwrap_or_else(|e| panic!("{e}"));
        let wire = WireRequest::request(&request, None, None, Browser::Chrome.profile());
        assert_eq!(wire.header("sec-ch-ua"), None);
        assert_eq!(wire.header("sec-fetch-site"), Some("same-site"));
    }
}
