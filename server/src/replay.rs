//! `/replay/{run}?<replay>` and `/replay/{run}/{hop}?<replay>`: answer
//! exactly as the URL says (see [`corslab::formats::replay`] for the format
//! and its safety rules).
//!
//! Every `OPTIONS` request gets the scripted preflight answer (or a plain
//! 404 without one), every other request the scripted response, with
//! `{origin}`, `{top_origin}`, `{url}` and `{hopN}` substituted (hop N's
//! URL: its origin, `/replay/{run}/N`, the query this request came with),
//! `Content-Length` added unless scripted, and a scripted `Set-Cookie`
//! scoped to the URL's path (see [`corslab::formats::replay`] for what a
//! replay may send). Hop N (from 1) answers with the replay's `N.`
//! answers, so one URL carries a whole redirect chain, wherever each hop is
//! served. Nothing else is added: the server runs hyper without its
//! `Date` header. Header lines go out in the scripted order, a repeated name
//! as separate lines; one limit of the HTTP stack: lines of one name are
//! sent together, at the place of the first (every recorded scenario
//! repeats a name only on adjacent lines).

use axum::body::Body;
use axum::extract::{Path, Request, State};
use axum::http::header::HOST;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use corslab::formats::replay::{MAX_HOPS, ReplaySpec, Served, is_valid_run_id};

use crate::AppState;
use crate::query::BadRequest;

/// `/replay/{run}`, any method: hop 0.
pub(crate) async fn handle(State(state): State<AppState>, Path(run): Path<String>, request: Request) -> Response {
    answer(&state, &run, 0, &request)
}

/// `/replay/{run}/{hop}`, any method: hop 1 to [`MAX_HOPS`].
pub(crate) async fn handle_hop(
    State(state): State<AppState>,
    Path((run, hop)): Path<(String, String)>,
    request: Request,
) -> Response {
    // Written as the replay names hops: 1 to MAX_HOPS, no leading zero.
    match hop.parse::<usize>() {
        Ok(n) if (1..=MAX_HOPS).contains(&n) && !hop.starts_with('0') => answer(&state, &run, n, &request),
        _ => BadRequest(format!("invalid hop {hop:?}: a number from 1 to {MAX_HOPS}")).into_response(),
    }
}

fn answer(state: &AppState, run: &str, hop: usize, request: &Request) -> Response {
    if !is_valid_run_id(run) {
        return BadRequest(format!("invalid run id {run:?}: 1 to 64 of A-Z a-z 0-9 - _")).into_response();
    }
    state.log.record(run, request.method(), request.uri().path(), request.headers());
    let query = request.uri().query().unwrap_or("");
    let spec = match ReplaySpec::parse_query(query) {
        Ok(spec) => spec,
        Err(e) => return BadRequest(e.to_string()).into_response(),
    };
    // The URL as the browser asked for it, for `{url}`.
    let host = request.headers().get(HOST).and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    let url = format!("http://{host}{}", request.uri().path_and_query().map_or("/", |p| p.as_str()));
    let (status, headers, body) = spec.answer_at(hop, request.method().as_str(), &url, Some(Served { run, query }));
    let Ok(status) = StatusCode::from_u16(status) else {
        return BadRequest(format!("status {status} cannot be sent")).into_response();
    };
    let mut response = Response::new(Body::from(body));
    *response.status_mut() = status;
    let out = response.headers_mut();
    for (name, value) in headers.iter() {
        // Both were validated by parse_query and answer (tokens; no CR, LF
        // or NUL); a value that still fails here is refused, not dropped.
        // Values are text whose characters are bytes (ISO-8859-1): sent as
        // those bytes, so an obs-text value goes out as scripted.
        let bytes: Vec<u8> = value.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(b'?')).collect();
        match (HeaderName::from_bytes(name.as_str().as_bytes()), HeaderValue::from_bytes(&bytes)) {
            (Ok(name), Ok(value)) => {
                out.append(name, value);
            }
            _ => return BadRequest(format!("header {:?} cannot be sent", name.as_str())).into_response(),
        }
    }
    response
}
