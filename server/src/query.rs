//! Strict query-string reading: every parameter must be one the route knows.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

/// A request the server refuses, with a message saying why (400).
#[derive(Debug)]
pub(crate) struct BadRequest(pub(crate) String);

impl IntoResponse for BadRequest {
    fn into_response(self) -> Response {
        (StatusCode::BAD_REQUEST, [("content-type", "text/plain; charset=utf-8")], self.0)
            .into_response()
    }
}

/// Splits a query string into decoded pairs, refusing any name not in
/// `known`.
pub(crate) fn pairs(query: Option<&str>, known: &[&str]) -> Result<Vec<(String, String)>, BadRequest> {
    let pairs: Vec<(String, String)> = url::form_urlencoded::parse(query.unwrap_or("").as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    if let Some((name, _)) = pairs.iter().find(|(k, _)| !known.contains(&k.as_str())) {
        return Err(BadRequest(format!(
            "unknown query parameter {name:?}: this route accepts {}",
            if known.is_empty() { "none".to_owned() } else { known.join(", ") }
        )));
    }
    Ok(pairs)
}
