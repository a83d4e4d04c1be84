//! CORS Lab's companion server.
//!
//! [`app`] builds the whole router from a [`Config`], so tests drive it with
//! `tower::ServiceExt::oneshot` without a socket; [`serve`] runs it on a
//! listener; `main.rs` only wires tracing, flags, the bind and the signals.
//!
//! Routes:
//! - the seed article's: `GET /`, `/allow/origin`, `/allow/any`, `/allow/list`;
//! - `/replay/{run}?...` and `/replay/{run}/{hop}?...` (any method): answer
//!   exactly as the URL scripts them, a redirect chain hop by hop
//!   ([`corslab::formats::replay`]);
//! - `/policy/{run}[/...]?...` (any method): answers as a correct CORS
//!   middleware with the policy in the URL ([`corslab::policy`]);
//! - `GET /log/{run}`: what the replay and policy routes received for that
//!   run, as JSON, readable from any origin;
//! - `POST /probe`: `corslab check` run by the server for the explainer's
//!   own pages only ([`probe`]);
//! - `GET /fix/{stack}?{policy}`: the core's fix for a policy in one stack,
//!   as JSON, readable from any origin ([`fix`]);
//! - `GET /frame` (the explainer's iframe demo) and `GET /frame/fetch` (a
//!   fixed page that runs one `fetch()` for its parent, always in an opaque
//!   origin: [`fetch_frame`]).
//!
//! The last three echo the request into their answer, so they serve
//! `fetch()` only: a navigation to them gets a plain-text 403
//! ([`navigation`]). The seed routes and the two frame pages answer
//! navigations too.
//!
//! Limits: URLs up to [`MAX_URI_LEN`] bytes (414 beyond), request heads up
//! to [`MAX_HEAD_LEN`] bytes (hyper answers 431 beyond), a declared body
//! up to [`MAX_BODY_LEN`] bytes (413 beyond; no route reads a body, so none
//! is ever buffered), [`REQUEST_TIMEOUT`] per request (408) and for reading
//! a request head.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{any, get};
use corslab::Origin;
use corslab::formats::replay::is_valid_run_id;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use navigation::FetchOnlyLayer;
use tower::Layer;

mod guard;
mod fix;
mod frame;
pub mod fetch_frame;
pub mod log;
pub mod navigation;
mod policy;
mod policy_layer;
pub mod probe;
mod query;
mod replay;
mod seed;

pub use log::{LogEntry, RequestLog};
pub use policy::POLICY_CACHE_SIZE;
pub use policy_layer::{CorsPolicyLayer, CorsPolicyService};
pub use seed::HELLO;

/// What the server is told at start-up.
#[derive(Clone, Debug)]
pub struct Config {
    /// The origins the seed routes allow: `/allow/origin` names the first,
    /// `/allow/list` echoes any of them.
    pub allowed_origins: Vec<Origin>,
    /// The explainer page's own origins: the only ones `/probe` answers.
    pub page_origins: Vec<Origin>,
}

impl Config {
    /// The seed article's page origins: the page on port 5050, reached as
    /// `localhost` or as `127.0.0.1`.
    pub fn default_allowed_origins() -> Vec<Origin> {
        ["http://localhost:5050", "http://127.0.0.1:5050"]
            .into_iter()
            .filter_map(|o| Origin::parse(o).ok())
            .collect()
    }
}

impl Default for Config {
    fn default() -> Self {
        // The explainer runs on :5050, as the seed article's page did.
        Config { allowed_origins: Config::default_allowed_origins(), page_origins: Config::default_allowed_origins() }
    }
}

/// How long one request may take before the server answers 408; this also
/// bounds how long reading a request head and graceful shutdown can take.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest request target (path and query), in bytes: a replay query at
/// its limit plus room for the path.
pub const MAX_URI_LEN: usize = corslab::formats::replay::MAX_QUERY_LEN + 1024;
/// The longest request head (request line and headers), in bytes.
pub const MAX_HEAD_LEN: usize = 64 * 1024;
/// The longest request body, in bytes (no route reads one).
pub const MAX_BODY_LEN: u64 = 64 * 1024;

/// What the routes share.
#[derive(Clone, Debug)]
pub(crate) struct AppState {
    pub(crate) log: Arc<RequestLog>,
}

/// The whole application.
pub fn app(config: Config) -> Router {
    let state = AppState { log: Arc::new(RequestLog::default()) };
    let policy = policy::PolicyRoute { log: Arc::clone(&state.log) };
    // The scripted routes: they echo the request, so fetch() only.
    let scripted = Router::new()
        .route("/replay/{run}", any(replay::handle))
        .route("/replay/{run}/{hop}", any(replay::handle_hop))
        .route("/log/{run}", get(read_log))
        .route_layer(navigation::FetchOnlyLayer)
        .with_state(state)
        // `/policy/` takes the same guard on its service, not as a
        // route_layer, which would box the route once more: axum clones a
        // route's boxed service for every request, and this is the hot path.
        .route_service("/policy/{run}", FetchOnlyLayer.layer(policy.clone()))
        .route_service("/policy/{run}/{*rest}", FetchOnlyLayer.layer(policy));
    let routes = Router::new()
        .merge(scripted)
        .merge(probe_route(&config.page_origins))
        .merge(seed::routes(config.clone()))
        .route("/frame", get(frame::frame).with_state(Arc::new(config)))
        .route("/frame/fetch", get(fetch_frame::page))
        .route("/fix/{stack}", get(fix::handle));
    // The limits wrap the whole router once. (`Router::layer` would wrap each
    // route's boxed service in another: one more clone per request.)
    let guard = guard::GuardLayer { max_uri_len: MAX_URI_LEN, max_body_len: MAX_BODY_LEN, timeout: REQUEST_TIMEOUT };
    Router::new().fallback_service(guard.layer(routes))
}

/// `POST /probe`, guarded: only the explainer's pages may call it (its
/// CORS policy lets them read the answer; [`probe`] refuses every other
/// origin), and never as a navigation.
fn probe_route(page_origins: &[Origin]) -> Router {
    let state = Arc::new(probe::Probe::new(page_origins));
    let config = page_origins
        .iter()
        .fold(corslab::policy::PolicyConfig::new(), |c, o| c.allow_origin(o.to_string()))
        .allow_header("content-type")
        .max_age(600);
    let route = Router::new().route("/probe", axum::routing::post(probe::handle)).with_state(state);
    let route = route.route_layer(navigation::FetchOnlyLayer);
    match corslab::policy::CorsPolicy::new(&config) {
        Ok(policy) => route.route_layer(CorsPolicyLayer::new(Arc::new(policy))),
        // No page origin is valid for a policy (`null`, say): nothing may
        // read /probe, which still refuses every request by its Origin.
        Err(_) => route,
    }
}

/// `GET /log/{run}`: the run's entries as a JSON array, oldest first,
/// readable from any origin (it holds nothing secret).
async fn read_log(State(state): State<AppState>, Path(run): Path<String>) -> Response {
    let mut response = if is_valid_run_id(&run) {
        axum::Json(state.log.entries(&run)).into_response()
    } else {
        query::BadRequest(format!("invalid run id {run:?}: 1 to 64 of A-Z a-z 0-9 - _")).into_response()
    };
    response.headers_mut().insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    response
}

/// Serves `app` on `listener` over HTTP/1.1 until `shutdown` resolves, then
/// lets open requests finish (for at most [`REQUEST_TIMEOUT`]).
///
/// hyper runs with its automatic `Date` header off, so a replay sends
/// exactly the headers it scripts, and writes header names in Title-Case
/// (`Access-Control-Allow-Origin`) where it would lower-case them: the
/// recorders' servers did (every name in the corpus is written so), and
/// Firefox tells the two apart: it finds a repeated
/// `Access-Control-Allow-Origin` by comparing names as received with that
/// exact spelling (`CORSMultipleAllowOriginNotAllowed`), and reads two
/// lower-case lines as one combined value (`CORSAllowOriginNotMatchingOrigin`
/// on `a, b`). Chromium and WebKit read names case-insensitively.
///
/// # Errors
///
/// None so far: accept errors are logged and retried.
pub async fn serve(
    listener: tokio::net::TcpListener,
    app: Router,
    shutdown: impl Future<Output = ()> + Send,
) -> std::io::Result<()> {
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(REQUEST_TIMEOUT)
        .max_buf_size(MAX_HEAD_LEN)
        .auto_date_header(false)
        .title_case_headers(true);
    let graceful = GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => {
                    // Small answers: send them now rather than wait for more.
                    let _ = stream.set_nodelay(true);
                    let service = TowerToHyperService::new(app.clone());
                    let connection = graceful.watch(http.serve_connection(TokioIo::new(stream), service));
                    tokio::spawn(async move {
                        if let Err(e) = connection.await {
                            tracing::debug!(error = %e, "connection closed with an error");
                        }
                    });
                }
                Err(e) => {
                    // Out of file descriptors, most likely: wait a little.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            () = &mut shutdown => break,
        }
    }
    drop(listener);
    tokio::select! {
        () = graceful.shutdown() => {}
        () = tokio::time::sleep(REQUEST_TIMEOUT) => {
            tracing::warn!("open connections did not finish in {REQUEST_TIMEOUT:?}; closing them");
        }
    }
    Ok(())
}
