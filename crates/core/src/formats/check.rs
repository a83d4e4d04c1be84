//! `cors-check/1`: the report `corslab check --json` prints and the
//! companion server's `/probe` answers. Documented, with its JSON Schema, in
//! `docs/cors-check.md`; fields are only ever added.


use serde::Serialize;

use crate::browsers::per_browser::PerBrowser;
use crate::diagnosis::audit::Finding;
use crate::diagnosis::check::{BrowserCheck, CheckRequest};
use crate::fetch::request::{CredentialsMode, RequestMode};
use crate::fix::Fix;

/// The format tag.
pub const CHECK_FORMAT: &str = "cors-check/1";

/// One `cors-check/1` document.
#[derive(Clone, Debug, Serialize)]
pub struct CheckReport {
    /// Always `cors-check/1`.
    pub format: &'static str,
    /// The URL checked.
    pub url: String,
    /// The page's origin the requests were sent with.
    pub origin: String,
    /// What the page asked `fetch()` to do.
    pub request: CheckedCall,
    /// Each chosen browser's verdict, keyed `chrome`, `firefox`, `spec`.
    pub browsers: PerBrowser<BrowserCheck>,
    /// Whether the audit ran.
    pub audited: bool,
    /// What the audit found, most severe first (empty without `--audit`).
    pub findings: Vec<Finding>,
    /// What to change on the server so that every chosen browser passes.
    pub fix: Fix,
    /// Whether every chosen browser gave the page what its mode can give.
    pub passed: bool,
}

/// The page's `fetch()` call, as checked.
#[derive(Clone, Debug, Serialize)]
pub struct CheckedCall {
    /// The method, as the page passes it.
    pub method: String,
    /// The headers the page sets, in order.
    pub headers: Vec<(String, String)>,
    /// `cors`, `no-cors` or `same-origin`.
    pub mode: RequestMode,
    /// `omit`, `same-origin` or `include`.
    pub credentials: CredentialsMode,
    /// The body.
    pub body: Option<String>,
    /// Whether cookies were given (their values are not repeated here).
    pub cookies: bool,
}

impl CheckReport {
    /// The report of `check` from each browser's verdict.
    pub fn new(check: &CheckRequest, browsers: PerBrowser<BrowserCheck>, findings: Option<Vec<Finding>>) -> CheckReport {
        let fix = browsers.values().map(|b| &b.fix).fold(Fix::default(), |all, one| all.merge(one));
        let passed = browsers.values().all(|b| b.passed);
        CheckReport {
            format: CHECK_FORMAT,
            url: check.call.url.clone(),
            origin: check.page.to_string(),
            request: CheckedCall {
                method: check.call.method.clone(),
                headers: check.call.headers.clone(),
                mode: check.call.mode,
                credentials: check.call.credentials,
                body: check.call.body.clone(),
                cookies: check.cookies.is_some(),
            },
            browsers,
            audited: findings.is_some(),
            findings: findings.unwrap_or_default(),
            fix,
            passed,
        }
    }
}
