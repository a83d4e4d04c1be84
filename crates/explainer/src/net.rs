//! Real requests with `fetch()`, and what the page could see of them.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{RequestCredentials, RequestInit, RequestMode, RequestRedirect, Response, ResponseType};

/// What `fetch()` gave the page.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FetchOutcome {
    /// The promise resolved.
    Resolved {
        /// `response.status` (0 for an opaque response).
        status: u16,
        /// `response.type`: `basic`, `cors`, `opaque`, ...
        response_type: String,
        /// The names `response.headers` lets the page read, lower-case, sorted.
        visible_headers: Vec<String>,
        /// `await response.text()` (empty from a frame, which reports no body).
        body: String,
        /// `response.redirected`.
        redirected: bool,
    },
    /// The promise rejected (a CORS failure shows up as a bare `TypeError`).
    Rejected {
        /// The error's `name: message`.
        error: String,
    },
    /// `fetch()` refused before any network activity (the `Request`
    /// constructor threw).
    Refused {
        /// The error's `name: message`.
        error: String,
    },
}

/// What to ask `fetch()` for.
#[derive(Clone, Debug)]
pub struct FetchInit<'a> {
    /// The method, passed as written.
    pub method: &'a str,
    /// Header pairs, in order.
    pub headers: &'a [(String, String)],
    /// `mode`.
    pub mode: RequestMode,
    /// `credentials`.
    pub credentials: RequestCredentials,
    /// The body, if any.
    pub body: Option<&'a str>,
    /// `redirect`: `follow`, `error` or `manual`.
    pub redirect: RequestRedirect,
}

impl Default for FetchInit<'_> {
    fn default() -> Self {
        FetchInit {
            method: "GET",
            headers: &[],
            mode: RequestMode::Cors,
            credentials: RequestCredentials::SameOrigin,
            body: None,
            redirect: RequestRedirect::Follow,
        }
    }
}

/// Calls `fetch(url, init)` and reports what the page saw.
pub async fn fetch(url: &str, init: &FetchInit<'_>) -> FetchOutcome {
    let request = match build_request(url, init) {
        Ok(request) => request,
        Err(error) => return FetchOutcome::Refused { error: describe_error(&error) },
    };
    match try_fetch(&request).await {
        Ok(outcome) => outcome,
        Err(error) => FetchOutcome::Rejected { error: describe_error(&error) },
    }
}

/// `new Request(url, init)`: where `fetch()` throws its TypeErrors.
pub(crate) fn build_request(url: &str, init: &FetchInit<'_>) -> Result<web_sys::Request, JsValue> {
    let request_init = request_init(init);
    let headers = web_sys::Headers::new()?;
    for (name, value) in init.headers {
        headers.append(name, value)?;
    }
    request_init.set_headers(&headers);
    web_sys::Request::new_with_str_and_init(url, &request_init)
}

/// `init` as `fetch()`'s options, but for the headers, which each caller
/// sets in the form its realm needs.
fn request_init(init: &FetchInit<'_>) -> RequestInit {
    let request_init = RequestInit::new();
    request_init.set_method(init.method);
    request_init.set_mode(init.mode);
    request_init.set_credentials(init.credentials);
    request_init.set_redirect(init.redirect);
    if let Some(body) = init.body {
        request_init.set_body(&JsValue::from_str(body));
    }
    request_init
}

async fn try_fetch(request: &web_sys::Request) -> Result<FetchOutcome, JsValue> {
    let window = web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?;
    fetch_with(&window, request).await
}

/// `window.fetch(request)`, in the realm of `window` (this page's, or a
/// frame's), and what the page saw.
async fn fetch_with(window: &web_sys::Window, request: &web_sys::Request) -> Result<FetchOutcome, JsValue> {
    let response: Response = JsFuture::from(window.fetch_with_request(request)).await?.dyn_into()?;
    read_response(response).await
}

/// What the page can see of `response`.
async fn read_response(response: Response) -> Result<FetchOutcome, JsValue> {
    let mut visible_headers = Vec::new();
    if let Ok(Some(iterator)) = js_sys::try_iter(&response.headers()) {
        for entry in iterator {
            // `[name, value]`, from whichever realm made the response.
            let entry: js_sys::Array = entry?.unchecked_into();
            if let Some(name) = entry.get(0).as_string() {
                visible_headers.push(name.to_ascii_lowercase());
            }
        }
    }
    corslab::sort::sort_dedup(&mut visible_headers);
    let response_type = match response.type_() {
        ResponseType::Basic => "basic",
        ResponseType::Cors => "cors",
        ResponseType::Default => "default",
        ResponseType::Error => "error",
        ResponseType::Opaque => "opaque",
        ResponseType::Opaqueredirect => "opaqueredirect",
        _ => "unknown",
    }
    .to_owned();
    let status = response.status();
    let redirected = response.redirected();
    let body = JsFuture::from(response.text()?).await?.as_string().unwrap_or_default();
    Ok(FetchOutcome::Resolved { status, response_type, visible_headers, body, redirected })
}

/// Fetches `url` and returns its body as text, or `None` on any failure.
pub async fn get_text(url: &str) -> Option<String> {
    match fetch(url, &FetchInit::default()).await {
        FetchOutcome::Resolved { status: 200, body, .. } => Some(body),
        _ => None,
    }
}

/// `window.fetch(url, init)` with the options as a plain object, so that
/// `window`'s realm (a frame's) builds the request.
pub(crate) async fn fetch_in_realm(window: &web_sys::Window, url: &str, init: &FetchInit<'_>) -> Result<FetchOutcome, JsValue> {
    let request_init = request_init(init);
    // Plain `[name, value]` pairs: the frame's realm reads them.
    let headers = js_sys::Array::new();
    for (name, value) in init.headers {
        headers.push(&js_sys::Array::of2(&JsValue::from_str(name), &JsValue::from_str(value)));
    }
    request_init.set_headers(&headers);
    // The frame's realm made it: not an `instanceof` this realm's Response.
    let response: Response = JsFuture::from(window.fetch_with_str_and_init(url, &request_init)).await?.unchecked_into();
    read_response(response).await
}

/// `TypeError: Failed to fetch`, or whatever the value says of itself.
pub fn describe_error(error: &JsValue) -> String {
    match error.dyn_ref::<js_sys::Error>() {
        Some(e) => format!("{}: {}", String::from(e.name()), String::from(e.message())),
        None => error.as_string().unwrap_or_else(|| format!("{error:?}")),
    }
}
