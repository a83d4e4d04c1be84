//! `POST /probe`: `corslab check`, run by the server for the explainer page.
//!
//! A page cannot send a request with another page's `Origin`, nor see the
//! headers behind a CORS error; the server can. The page posts what to
//! check (the URL, the app's origin, the request); the server sends what
//! each browser would send, exactly as `corslab check` does (the same
//! [`corslab_net::check`]), and answers the `cors-check/1` report.
//!
//! An open relay unless guarded, so it:
//! - answers only requests whose `Origin` is one of the explainer's own
//!   origins ([`Config::page_origins`](crate::Config), `--page-origin`): 403
//!   otherwise, and a navigation gets the scripted routes' 403 too;
//! - reaches only `http` and `https` URLs;
//! - bounds every exchange ([`EXCHANGE_TIMEOUT`], [`MAX_TARGET_BODY`]) and
//!   the whole check ([`DEADLINE`]), reads at most [`MAX_REQUEST_BODY`] of
//!   the page's JSON, and runs at most [`IN_FLIGHT`] checks at once (429
//!   beyond);
//! - never forwards a cookie it was not given in the JSON (the `Cookie`
//!   header of the request to `/probe` is never read).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Bytes;
use axum::extract::{Request, State};
use axum::http::StatusCode;
use axum::http::header::{CONTENT_TYPE, ORIGIN};
use axum::response::{IntoResponse, Response};
use corslab::diagnosis::check::CheckRequest;
use corslab::{Browser, CredentialsMode, FetchCall, Origin, RequestMode};
use corslab_net::{CheckOptions, Client, ClientOptions};
use http_body_util::BodyExt;
use serde::Deserialize;
use tokio::sync::Semaphore;

/// The longest one exchange with the target may take.
pub const EXCHANGE_TIMEOUT: Duration = Duration::from_secs(5);
/// The longest a whole probe may take (with the audit's probes).
pub const DEADLINE: Duration = Duration::from_secs(20);
/// The most body bytes read from the target per answer.
pub const MAX_TARGET_BODY: u64 = 1024 * 1024;
/// The most bytes of JSON the page may post.
pub const MAX_REQUEST_BODY: usize = 64 * 1024;
/// The most probes running at once.
pub const IN_FLIGHT: usize = 4;
/// The most headers the page's request may set.
pub const MAX_HEADERS: usize = 64;

/// What the page asks to check.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProbeRequest {
    /// The URL to check (http or https).
    pub url: String,
    /// The origin of the page that makes the request (the user's app, or
    /// the explainer page itself).
    pub origin: String,
    /// The method, as the page passes it to `fetch()`.
    #[serde(default = "get")]
    pub method: String,
    /// The headers the page sets.
    #[serde(default)]
    pub headers: Vec<(String, String)>,
    /// The body.
    #[serde(default)]
    pub body: Option<String>,
    /// The mode.
    #[serde(default)]
    pub mode: RequestMode,
    /// The credentials mode.
    #[serde(default)]
    pub credentials: CredentialsMode,
    /// The cookies to send where credentials go (never taken from the
    /// request to `/probe`).
    #[serde(default)]
    pub cookies: Option<String>,
    /// The browser profiles (default: every one).
    #[serde(default)]
    pub browsers: Vec<Browser>,
    /// The page's URL, for the `Referer` of same-origin requests.
    #[serde(default)]
    pub page_url: Option<String>,
    /// Whether to send the audit's probes too.
    #[serde(default)]
    pub audit: bool,
    /// Accept any TLS certificate (a development server's own).
    #[serde(default)]
    pub insecure: bool,
}

fn get() -> String {
    "GET".to_owned()
}

/// What `/probe` shares: its clients, its permits, the page origins.
#[derive(Debug)]
pub(crate) struct Probe {
    client: Client,
    insecure_client: Client,
    permits: Semaphore,
    page_origins: Vec<String>,
}

impl Probe {
    /// The probe's state; an error only if TLS cannot be set up at all
    /// (`/probe` then answers 500 saying so; the other routes work).
    pub(crate) fn new(page_origins: &[Origin]) -> Result<Probe, String> {
        let options = ClientOptions { timeout: EXCHANGE_TIMEOUT, max_body: MAX_TARGET_BODY, ..ClientOptions::default() };
        let client = Client::new(&options).map_err(|e| e.to_string())?;
        let insecure_client = Client::new(&ClientOptions { insecure: true, ..options }).map_err(|e| e.to_string())?;
        Ok(Probe {
            client,
            insecure_client,
            permits: Semaphore::new(IN_FLIGHT),
            page_origins: page_origins.iter().map(ToString::to_string).collect(),
        })
    }
}

/// An error answer: a status and one sentence, as JSON.
fn refuse(status: StatusCode, message: impl Into<String>) -> Response {
    let body = serde_json::json!({ "error": message.into() });
    (status, [(CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// `POST /probe`.
pub(crate) async fn handle(State(probe): State<Arc<Result<Probe, String>>>, request: Request) -> Response {
    let probe = match probe.as_ref() {
        Ok(probe) => probe,
        Err(e) => return refuse(StatusCode::INTERNAL_SERVER_ERROR, format!("/probe cannot run here: {e}")),
    };
    // 1. Only the explainer's own pages.
    let origin = request.headers().get(ORIGIN).and_then(|o| o.to_str().ok()).unwrap_or_default().to_owned();
    if !probe.page_origins.contains(&origin) {
        let shown = if origin.is_empty() { "no Origin".to_owned() } else { format!("Origin {origin:?}") };
        return refuse(
            StatusCode::FORBIDDEN,
            format!("/probe answers only the explainer's pages ({}); this request has {shown}", probe.page_origins.join(", ")),
        );
    }
    // 2. Bounded JSON.
    let bytes = match read_body(request).await {
        Ok(bytes) => bytes,
        Err(response) => return response,
    };
    let asked: ProbeRequest = match serde_json::from_slice(&bytes) {
        Ok(asked) => asked,
        Err(e) => return refuse(StatusCode::BAD_REQUEST, format!("not a probe request: {e}")),
    };
    let check = match validate(&asked) {
        Ok(check) => check,
        Err(message) => return refuse(StatusCode::BAD_REQUEST, message),
    };
    // 3. A few at a time.
    let Ok(_permit) = probe.permits.try_acquire() else {
        return refuse(StatusCode::TOO_MANY_REQUESTS, format!("{IN_FLIGHT} probes are running: try again in a moment"));
    };
    let browsers = if asked.browsers.is_empty() { Browser::ALL.to_vec() } else { asked.browsers.clone() };
    let options = CheckOptions { browsers, audit: asked.audit };
    let client = if asked.insecure { &probe.insecure_client } else { &probe.client };
    match tokio::time::timeout(DEADLINE, corslab_net::check(client, &check, &options)).await {
        Err(_) => refuse(
            StatusCode::GATEWAY_TIMEOUT,
            format!("the check did not finish within {} s", DEADLINE.as_secs()),
        ),
        Ok(Err(e)) => refuse(StatusCode::BAD_GATEWAY, e.to_string()),
        Ok(Ok(run)) => match serde_json::to_string(&run.report) {
            Ok(json) => ([(CONTENT_TYPE, "application/json")], json).into_response(),
            Err(e) => refuse(StatusCode::INTERNAL_SERVER_ERROR, e.to_string()),
        },
    }
}

async fn read_body(request: Request) -> Result<Bytes, Response> {
    let limited = http_body_util::Limited::new(request.into_body(), MAX_REQUEST_BODY);
    match limited.collect().await {
        Ok(collected) => Ok(collected.to_bytes()),
        Err(_) => Err(refuse(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("a probe request is at most {MAX_REQUEST_BODY} bytes of JSON"),
        )),
    }
}

/// The check the page asked for, every value validated.
fn validate(asked: &ProbeRequest) -> Result<CheckRequest, String> {
    let url = url::Url::parse(&asked.url).map_err(|e| format!("url {:?}: {e}", asked.url))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!("url {:?}: /probe reaches only http and https URLs", asked.url));
    }
    let page = Origin::parse(&asked.origin).map_err(|e| format!("origin {:?}: {e}", asked.origin))?;
    if asked.headers.len() > MAX_HEADERS {
        return Err(format!("at most {MAX_HEADERS} headers"));
    }
    if asked.browsers.len() > Browser::ALL.len() {
        return Err("each browser once".to_owned());
    }
    Ok(CheckRequest {
        call: FetchCall {
            url: url.to_string(),
            method: asked.method.clone(),
            headers: asked.headers.clone(),
            mode: asked.mode,
            credentials: asked.credentials,
            body: asked.body.clone(),
        },
        page,
        cookies: asked.cookies.clone(),
        page_url: asked.page_url.clone(),
    })
}
