//! Fixes in the user's own stack: from a checked policy (a [`PolicyConfig`],
//! origin patterns included), a complete, runnable minimal app or
//! configuration for Express, FastAPI/Starlette, Flask, Django, nginx or
//! axum, with the placement rules that matter written beside the code as
//! comments. Text out, no I/O: the command line writes the files, and
//! `corslab test-fixes` runs each one against the real stack.
//!
//! Each app listens on `127.0.0.1:PORT`, answers 200 with a small body at
//! `/data` and `/items` (with every exposed header set, so a page can read
//! it), and leaves every other path to the framework's own 404, so that the
//! audit's error-path probe meets the stack's real not-found handling.
//!
//! A policy a stack cannot express exactly gets an explanation
//! ([`GenerateError::Unsupported`]) instead of a snippet that would let a
//! different set of requests through: Starlette and Flask-CORS echo every
//! requested header for `*` (the policy's `*` leaves `Authorization` out, as
//! browsers do), and so on. What a stack does differently without changing
//! which requests pass is said in [`GeneratedApp::notes`].
//!
//! # Examples
//!
//! ```
//! use corslab::fix::stacks::{AppOptions, Stack, generate};
//! use corslab::policy::PolicyConfig;
//!
//! let policy = PolicyConfig::new().allow_origin("https://*.example.com").allow_method("PUT");
//! let app = generate(Stack::FastApi, &policy, &AppOptions { port: 8000 }).unwrap();
//! assert!(app.entry_text().contains(r#"allow_origin_regex=r"^https://[^/:]+\.example\.com\Z""#));
//! assert_eq!(app.run, "python3 -m venv .venv && .venv/bin/pip install -r requirements.txt && .venv/bin/python app.py");
//!
//! let star = PolicyConfig::new().allow_origin("*").allow_header("*");
//! assert!(generate(Stack::FastApi, &star, &AppOptions::default()).is_err());
//! ```

mod axum;
mod django;
mod express;
mod fastapi;
mod flask;
mod nginx;
pub mod origin_regex;

use std::fmt;
use std::str::FromStr;

use crate::http::method::is_cors_safelisted_method;
use crate::policy::allow_headers::AllowHeaders;
use crate::policy::allow_methods::AllowMethods;
use crate::policy::expose_headers::ExposeHeaders;
use crate::policy::max_age::MaxAge;
use crate::policy::{CorsPolicy, PolicyConfig, PolicyErrors};

use origin_regex::OriginParts;

/// A server stack a fix can be written for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Stack {
    /// Express 5 with the `cors` package.
    Express,
    /// FastAPI on Starlette's `CORSMiddleware`, served by uvicorn.
    FastApi,
    /// Flask with Flask-CORS.
    Flask,
    /// Django 5.2 LTS with django-cors-headers.
    Django,
    /// nginx (`map $http_origin`, `add_header … always`).
    Nginx,
    /// axum 0.8 with tower-http 0.7's `CorsLayer`.
    Axum,
}

impl Stack {
    /// Every stack, in the order they are listed.
    pub const ALL: [Stack; 6] = [Stack::Express, Stack::FastApi, Stack::Flask, Stack::Django, Stack::Nginx, Stack::Axum];

    /// The name on the command line: `express`, `fastapi`, `flask`,
    /// `django`, `nginx`, `axum`.
    pub fn as_str(self) -> &'static str {
        match self {
            Stack::Express => "express",
            Stack::FastApi => "fastapi",
            Stack::Flask => "flask",
            Stack::Django => "django",
            Stack::Nginx => "nginx",
            Stack::Axum => "axum",
        }
    }

    /// The stack as people name it.
    pub fn title(self) -> &'static str {
        match self {
            Stack::Express => "Express 5 + cors",
            Stack::FastApi => "FastAPI / Starlette CORSMiddleware",
            Stack::Flask => "Flask + Flask-CORS",
            Stack::Django => "Django 5.2 LTS + django-cors-headers",
            Stack::Nginx => "nginx",
            Stack::Axum => "axum + tower-http CorsLayer",
        }
    }

    /// The packages the app depends on, each at the version it is written
    /// for and tested with (`.ci/setup fixes` installs the same ones; nginx
    /// is Debian's and has none).
    pub fn packages(self) -> &'static [(&'static str, &'static str)] {
        match self {
            Stack::Express => &[("express", "5.3.0"), ("cors", "2.8.6")],
            Stack::FastApi => &[("fastapi", "0.163.2"), ("starlette", "1.10.0"), ("uvicorn", "0.54.0")],
            Stack::Flask => &[("flask", "3.1.3"), ("flask-cors", "6.0.5")],
            Stack::Django => &[("django", "5.2.19"), ("django-cors-headers", "4.9.0")],
            Stack::Nginx => &[],
            Stack::Axum => &[("axum", "0.8.9"), ("tower-http", "0.7.1"), ("tokio", "1"), ("regex", "1")],
        }
    }
}

impl fmt::Display for Stack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A stack name that is not one of [`Stack::ALL`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnknownStack(pub String);

impl fmt::Display for UnknownStack {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let names: Vec<&str> = Stack::ALL.iter().map(|s| s.as_str()).collect();
        write!(f, "unknown stack {:?} (expected {})", self.0, names.join(", "))
    }
}

impl std::error::Error for UnknownStack {}

impl FromStr for Stack {
    type Err = UnknownStack;

    fn from_str(s: &str) -> Result<Stack, UnknownStack> {
        Stack::ALL.into_iter().find(|stack| stack.as_str() == s).ok_or_else(|| UnknownStack(s.to_owned()))
    }
}

/// How the generated app runs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AppOptions {
    /// The port it listens on, on 127.0.0.1.
    pub port: u16,
}

impl Default for AppOptions {
    fn default() -> AppOptions {
        AppOptions { port: 8000 }
    }
}

/// A complete app: its files (relative paths, `RUN` among them), the file
/// that holds the CORS configuration, how to run it, and notes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedApp {
    /// The stack.
    pub stack: Stack,
    /// Every file, as (relative path, contents): the entry file, the
    /// dependency list with pinned versions, and `RUN`.
    pub files: Vec<(String, String)>,
    /// The path of the file with the CORS configuration (the snippet).
    pub entry: String,
    /// One shell line, run in the app's folder, that starts it.
    pub run: String,
    /// What the stack does differently from the policy, and what to keep in
    /// mind when copying.
    pub notes: Vec<String>,
    /// Response headers the app sets on `/data` and `/items` (the exposed
    /// ones it can set), so that a page can read them.
    pub sets_headers: Vec<String>,
    /// When the stack lets through more than the policy in a way it cannot
    /// turn off (and [`notes`](Self::notes) says so), the policy its answers
    /// implement: Starlette always allows the four CORS-safelisted
    /// request-header names in a preflight, whatever their value.
    pub widened: Option<PolicyConfig>,
}

impl GeneratedApp {
    /// The text of the file at `path`.
    pub fn file(&self, path: &str) -> Option<&str> {
        self.files.iter().find(|(p, _)| p == path).map(|(_, text)| text.as_str())
    }

    /// The entry file's text (the snippet to copy).
    pub fn entry_text(&self) -> &str {
        self.file(&self.entry).unwrap_or_default()
    }
}

/// Why no app was written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GenerateError {
    /// The policy does not check out: every problem.
    Invalid(PolicyErrors),
    /// The stack cannot express the policy exactly.
    Unsupported {
        /// The stack.
        stack: Stack,
        /// Why, one reason per line, each saying what would work instead.
        why: Vec<String>,
    },
}

impl fmt::Display for GenerateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GenerateError::Invalid(errors) => write!(f, "the policy is not valid: {errors}"),
            GenerateError::Unsupported { stack, why } => {
                write!(f, "{} cannot express this policy exactly: {}", stack.title(), why.join("; "))
            }
        }
    }
}

impl std::error::Error for GenerateError {}

/// Writes the app for `config` in `stack`.
///
/// # Errors
///
/// [`GenerateError::Invalid`] with every problem when the policy does not
/// check out ([`CorsPolicy::new`]); [`GenerateError::Unsupported`] when the
/// stack cannot express it exactly.
pub fn generate(stack: Stack, config: &PolicyConfig, options: &AppOptions) -> Result<GeneratedApp, GenerateError> {
    let policy = CorsPolicy::new(config).map_err(GenerateError::Invalid)?;
    let plan = Plan::new(&policy, options);
    let app = match stack {
        Stack::Express => express::generate(&plan),
        Stack::FastApi => fastapi::generate(&plan),
        Stack::Flask => flask::generate(&plan),
        Stack::Django => django::generate(&plan),
        Stack::Nginx => nginx::generate(&plan),
        Stack::Axum => axum::generate(&plan),
    };
    let mut app = app.map_err(|why| GenerateError::Unsupported { stack, why })?;
    app.files.push(("RUN".to_owned(), format!("{}\n", app.run)));
    app.sets_headers = plan.demo_headers().into_iter().map(str::to_owned).collect();
    Ok(app)
}

/// Which origins, in the shapes the stacks need.
#[derive(Clone, Debug)]
pub(crate) enum Origins {
    /// `*`.
    Any,
    /// Exact origins and patterns.
    List {
        /// Exact origins, serialized.
        exact: Vec<String>,
        /// Patterns, in parts.
        patterns: Vec<OriginParts>,
        /// The pattern entries as written.
        written: Vec<String>,
    },
}

/// A checked policy, normalised once for the generators: methods as
/// `fetch()` sends them, header names lower-case, max-age as sent.
#[derive(Clone, Debug)]
pub(crate) struct Plan {
    /// The policy as written.
    pub(crate) config: PolicyConfig,
    pub(crate) origins: Origins,
    /// `None`: any method (`*`); else the methods beyond GET, HEAD, POST.
    pub(crate) methods: Option<Vec<String>>,
    pub(crate) any_header: bool,
    /// Listed request headers, lower-case.
    pub(crate) headers: Vec<String>,
    /// Exposed headers, lower-case (`*` among them for any).
    pub(crate) expose: Vec<String>,
    pub(crate) credentials: bool,
    /// `Access-Control-Max-Age` as sent (`None`: not sent).
    pub(crate) max_age: Option<String>,
    pub(crate) port: u16,
}

/// Response headers a demo app never sets itself (the framework does, or
/// they are safelisted anyway).
const NOT_DEMO_HEADERS: &[&str] = &[
    "cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma",
    "date", "server", "connection", "transfer-encoding", "vary", "keep-alive", "content-encoding", "etag",
];

impl Plan {
    fn new(policy: &CorsPolicy, options: &AppOptions) -> Plan {
        let config = policy.config();
        let credentials = policy.allows_credentials();
        // The policy checked out, so these find nothing wrong.
        let mut ignored = Vec::new();
        let methods = AllowMethods::from_entries(&config.methods, credentials, &mut ignored);
        let headers = AllowHeaders::from_entries(&config.headers, credentials, &mut ignored);
        let expose = ExposeHeaders::from_entries(&config.expose, credentials, &mut ignored);
        let max_age = MaxAge::from_entry(config.max_age.as_deref(), &mut ignored);
        let origins = if policy.origins().is_any() {
            Origins::Any
        } else {
            let entries = policy.origins().entries();
            let (written, exact): (Vec<&str>, Vec<&str>) = entries.iter().partition(|e| e.contains('*'));
            Origins::List {
                exact: exact.iter().map(|e| (*e).to_owned()).collect(),
                patterns: written.iter().filter_map(|e| OriginParts::parse(e)).collect(),
                written: written.iter().map(|e| (*e).to_owned()).collect(),
            }
        };
        let method_entries = methods.entries();
        let methods = if method_entries == ["*"] {
            None
        } else {
            Some(method_entries.into_iter().filter(|m| !is_cors_safelisted_method(m)).map(str::to_owned).collect())
        };
        let header_entries = headers.entries();
        Plan {
            config: config.clone(),
            origins,
            methods,
            any_header: header_entries.first() == Some(&"*"),
            headers: header_entries.into_iter().filter(|h| *h != "*").map(str::to_owned).collect(),
            expose: expose.entries().into_iter().map(str::to_owned).collect(),
            credentials,
            max_age: max_age.header_value().map(str::to_owned),
            port: options.port,
        }
    }

    /// The methods to list: GET, HEAD, POST, then the policy's (`None`:
    /// any).
    pub(crate) fn method_list(&self) -> Option<Vec<String>> {
        let extra = self.methods.as_ref()?;
        Some(["GET", "HEAD", "POST"].iter().map(|m| (*m).to_owned()).chain(extra.iter().cloned()).collect())
    }

    /// The headers to list in `Access-Control-Allow-Headers` (`*` first
    /// when any).
    pub(crate) fn header_list(&self) -> Vec<String> {
        let star = self.any_header.then(|| "*".to_owned());
        star.into_iter().chain(self.headers.iter().cloned()).collect()
    }

    /// Exposed headers the demo app sets on `/data` and `/items`, so a page
    /// can read them.
    pub(crate) fn demo_headers(&self) -> Vec<&str> {
        self.expose.iter().map(String::as_str).filter(|h| *h != "*" && !NOT_DEMO_HEADERS.contains(h) && !h.starts_with("access-control-")).collect()
    }

    /// Whether the answers depend on the request's origin.
    pub(crate) fn varies(&self) -> bool {
        !matches!(self.origins, Origins::Any) || self.credentials
    }

    /// The policy in a few comment lines (without the comment marker).
    pub(crate) fn describe(&self) -> Vec<String> {
        let origins = match &self.origins {
            Origins::Any => "any (*)".to_owned(),
            Origins::List { exact, patterns, written } => exact
                .iter()
                .cloned()
                .chain(written.iter().zip(patterns).map(|(w, p)| format!("{w} ({})", p.describe())))
                .collect::<Vec<_>>()
                .join(", "),
        };
        let methods = match self.method_list() {
            None => "any (*)".to_owned(),
            Some(list) => list.join(", "),
        };
        let headers = if self.any_header && self.headers.is_empty() {
            "any but Authorization (*)".to_owned()
        } else if self.header_list().is_empty() {
            "the CORS-safelisted ones only".to_owned()
        } else {
            self.header_list().join(", ")
        };
        let expose = if self.expose.is_empty() { "none".to_owned() } else { self.expose.join(", ") };
        let max_age = match self.max_age.as_deref() {
            None => "not sent (browsers keep a preflight 5 s)".to_owned(),
            Some("0") => "0 (no preflight caching)".to_owned(),
            Some(n) => format!("{n} s"),
        };
        vec![
            format!("origins:         {origins}"),
            format!("methods:         {methods}"),
            format!("request headers: {headers}"),
            format!("exposed headers: {expose}"),
            format!("credentials:     {}", if self.credentials { "allowed" } else { "not allowed" }),
            format!("max-age:         {max_age}"),
        ]
    }

    /// The header comment of an entry file: what it is, the policy.
    pub(crate) fn banner(&self, marker: &str, stack: Stack) -> String {
        let versions: Vec<String> = stack.packages().iter().map(|(n, v)| format!("{n} {v}")).collect();
        let versions = if versions.is_empty() { String::new() } else { format!(" ({})", versions.join(", ")) };
        let mut out = format!(
            "{marker} CORS for this policy, written by `corslab fix --stack {stack}`{versions}.\n{marker} Proven against the real stack by `corslab test-fixes`.\n{marker}\n"
        );
        for line in self.describe() {
            out.push_str(&format!("{marker}   {line}\n"));
        }
        out
    }
}

/// A string literal for JavaScript, Python or JSON (ASCII values: origins,
/// tokens).
pub(crate) fn quoted(text: &str) -> String {
    serde_json::to_string(text).unwrap_or_else(|_| format!("\"{text}\""))
}

/// A list of string literals, comma-separated.
pub(crate) fn quoted_list<S: AsRef<str>>(items: &[S]) -> String {
    items.iter().map(|i| quoted(i.as_ref())).collect::<Vec<_>>().join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn an_invalid_policy_gets_every_problem() {
        let config = PolicyConfig::new().allow_origin("*").credentials(true).allow_method("TRACE");
        match generate(Stack::Express, &config, &AppOptions::default()) {
            Err(GenerateError::Invalid(errors)) => {
                assert!(errors.has("wildcard-origin-with-credentials") && errors.has("forbidden-method"));
            }
            other => panic!("expected the policy's errors, got {other:?}"),
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn every_stack_writes_an_entry_a_dependency_list_and_run() {
        let config = PolicyConfig::new()
            .allow_origin("https://app.example.com")
            .allow_origin("https://*.example.org")
            .allow_method("put")
            .allow_header("X-Custom")
            .expose_header("X-Request-Id")
            .credentials(true)
            .max_age(600);
        for stack in Stack::ALL {
            let app = generate(stack, &config, &AppOptions { port: 18_123 }).unwrap();
            assert!(app.files.iter().any(|(_, text)| text.contains("18123")), "{stack}: the port");
            assert!(app.entry_text().contains("x-custom") || app.entry_text().contains("X-Custom"), "{stack}");
            assert_eq!(app.file("RUN"), Some(format!("{}\n", app.run).as_str()));
            for (package, version) in stack.packages() {
                let listed = app.files.iter().any(|(_, text)| text.contains(package) && text.contains(version));
                assert!(listed, "{stack}: {package} {version} pinned");
            }
            // `put` is sent as PUT by fetch(): the stacks list PUT.
            assert!(app.entry_text().contains("PUT"), "{stack}: PUT");
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn stack_names_round_trip() {
        for stack in Stack::ALL {
            assert_eq!(stack.as_str().parse::<Stack>(), Ok(stack));
        }
        assert!("spring".parse::<Stack>().is_err());
    }
}
