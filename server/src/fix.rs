//! `GET /fix/{stack}?{policy}`: the core's fix for a CORS policy in one
//! stack (`corslab::fix::stacks`, the text `corslab fix` writes and
//! `corslab test-fixes` runs on the real stacks), as JSON, for the
//! explainer's "Fix it in…" tabs. The generators' text stays here rather
//! than in the page's wasm (a fifth of its weight).
//!
//! The policy is the `/policy/` route's query (`origin=…&method=…`). The
//! answer is a pure function of the URL, readable from any origin
//! (`Access-Control-Allow-Origin: *`, no credentials):
//! - 200 `{"stack", "title", "entry", "run", "text", "notes", "tested_with"}`;
//! - 200 `{"stack", "title", "unsupported": [why, …]}` when the stack
//!   cannot express the policy exactly;
//! - 400 `{"error"}` for an unknown stack or a policy that does not check
//!   out (every problem).

use axum::extract::{Path, RawQuery};
use axum::http::header::{ACCESS_CONTROL_ALLOW_ORIGIN, CACHE_CONTROL};
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use corslab::fix::stacks::{AppOptions, GenerateError, Stack, generate};
use corslab::policy::PolicyConfig;
use serde::Serialize;

/// The fix, or why there is none.
#[derive(Debug, Serialize)]
struct FixAnswer {
    stack: &'static str,
    title: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    entry: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    run: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    text: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    notes: Vec<String>,
    /// The packages it is written for and tested with (`name version`).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    tested_with: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    unsupported: Vec<String>,
}

/// `GET /fix/{stack}`.
pub(crate) async fn handle(Path(stack): Path<String>, RawQuery(query): RawQuery) -> Response {
    let answer = match answer(&stack, query.as_deref().unwrap_or_default()) {
        Ok(answer) => (StatusCode::OK, serde_json::to_string(&answer).unwrap_or_default()),
        Err(error) => (StatusCode::BAD_REQUEST, serde_json::json!({ "error": error }).to_string()),
    };
    let mut response = (answer.0, [("content-type", "application/json")], answer.1).into_response();
    let headers = response.headers_mut();
    headers.insert(ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    response
}

fn answer(stack: &str, query: &str) -> Result<FixAnswer, String> {
    let stack: Stack = stack.parse().map_err(|e| format!("{e}"))?;
    let policy = PolicyConfig::from_query(query).map_err(|errors| format!("the policy does not check out: {errors}"))?;
    let mut answer = FixAnswer {
        stack: stack.as_str(),
        title: stack.title(),
        entry: None,
        run: None,
        text: None,
        notes: Vec::new(),
        tested_with: stack.packages().iter().map(|(name, version)| format!("{name} {version}")).collect(),
        unsupported: Vec::new(),
    };
    match generate(stack, &policy, &AppOptions::default()) {
        Ok(app) => {
            answer.text = Some(app.entry_text().to_owned());
            answer.entry = Some(app.entry);
            answer.run = Some(app.run);
            answer.notes = app.notes;
        }
        Err(GenerateError::Unsupported { why, .. }) => answer.unsupported = why,
        Err(GenerateError::Invalid(errors)) => return Err(format!("the policy does not check out: {errors}")),
    }
    Ok(answer)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_policy_in_every_stack_or_why_not() {
        let policy = PolicyConfig::new().allow_origin("http://localhost:5050").allow_method("PUT").to_query();
        for stack in Stack::ALL {
            let answer = answer(stack.as_str(), &policy).expect("an answer");
            assert!(answer.text.as_deref().is_some_and(|t| t.contains("localhost:5050")), "{stack}");
        }
        let star = PolicyConfig::new().allow_origin("*").allow_header("*").to_query();
        assert!(!answer("fastapi", &star).expect("an answer").unsupported.is_empty());
        assert!(answer("spring", &policy).expect_err("unknown").contains("spring"));
        assert!(answer("express", "origin=*&credentials=true").is_err());
        assert!(answer("express", "nonsense=1").is_err());
    }
}
