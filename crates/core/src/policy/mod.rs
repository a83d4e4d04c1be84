//! Server-side CORS policies: what a correct CORS middleware answers, next
//! to the browser's side in the rest of this crate.
//!
//! <https://fetch.spec.whatwg.org/#http-cors-protocol>
//!
//! A [`PolicyConfig`] says what a server allows; [`CorsPolicy::new`] checks
//! it (returning every problem at once, as [`PolicyErrors`]) and renders
//! what it can once; then [`CorsPolicy::answer`] answers each request:
//!
//! - a *preflight* is an `OPTIONS` request with `Origin` and
//!   `Access-Control-Request-Method` (any other `OPTIONS` request is an
//!   ordinary one). It is checked in Fetch's order, origin, method, headers,
//!   and answered 204 with only the headers needed, or refused with 403, no
//!   CORS headers and a [`Refusal`] saying why;
//! - an *actual* request gets `Access-Control-Allow-Origin` (and
//!   `-Credentials`, `-Expose-Headers`) when its origin is allowed, and
//!   `Vary: Origin` whenever the answer depends on the origin.
//!
//! The module is laid out like tower-http's `cors`: one file per response
//! header ([`allow_origin`], [`allow_methods`], [`allow_headers`],
//! [`expose_headers`], [`max_age`], [`vary`]; credentials are one `bool`).
//! Unlike it, a preflight is refused when it must be, and an insecure
//! policy cannot be built.
//!
//! # Policy URLs
//!
//! The companion server answers `/policy/{run}[/anything]?<query>` with the
//! policy the query describes ([`PolicyConfig::from_query`]):
//!
//! ```text
//! /policy/{run}?origin=https%3A%2F%2Fapp.example.com&origin=http%3A%2F%2Flocalhost%3A*
//!   &method=PUT&method=PATCH&header=X-Custom&expose=X-Request-Id
//!   &credentials=true&max_age=600
//! ```
//!
//! - `origin` (repeatable, at least one): `*` for any origin; an exact
//!   origin (`https://app.example.com`); a subdomain pattern
//!   (`https://*.example.com`, not over a public suffix); an any-port
//!   pattern (`http://localhost:*`);
//! - `method` (repeatable): methods beyond GET, HEAD and POST, compared
//!   case-sensitively after `fetch()`'s normalisation; `*` for any;
//! - `header` (repeatable): request headers, any case; `*` for any but
//!   `Authorization`;
//! - `expose` (repeatable): response headers the page may read; `*` for all;
//! - `credentials`: `true` or `false` (default);
//! - `max_age`: -1 (sent as 0: no caching), 0 (default: sent as nothing),
//!   or 1 to 86400 seconds.
//!
//! Refused: `*` origins, methods, headers or exposed headers with
//! credentials, the `null` origin, malformed origins and patterns, patterns
//! over public suffixes (from a short built-in list: see
//! [`allow_origin::PUBLIC_SUFFIXES`]), plain-`http` origins other than
//! loopback with credentials, methods and header names that are not
//! tokens, `CONNECT`/`TRACE`/`TRACK`, forbidden request headers as allowed
//! headers, `Set-Cookie` as exposed header, and a max-age outside
//! -1..=86400.
//!
//! # Examples
//!
//! ```
//! use corslab::policy::{AnswerKind, CorsHeader, CorsPolicy, PolicyConfig};
//!
//! let policy = CorsPolicy::from_query("origin=https%3A%2F%2F*.example.com&method=PUT&header=X-Custom").unwrap();
//! let answer = policy.answer("OPTIONS", Some("https://app.example.com"), Some("PUT"), Some("x-custom"));
//! assert_eq!(answer.status(), Some(204));
//! assert_eq!(answer.header(CorsHeader::AllowOrigin), Some("https://app.example.com"));
//! assert_eq!(answer.header(CorsHeader::AllowHeaders), Some("x-custom"));
//!
//! let refused = policy.answer("OPTIONS", Some("https://example.org"), Some("PUT"), None);
//! assert_eq!(refused.status(), Some(403));
//! assert_eq!(refused.refusal.unwrap().kind(), "origin-not-allowed");
//!
//! let errors = CorsPolicy::new(&PolicyConfig::new().allow_origin("*").credentials(true).max_age(100_000)).unwrap_err();
//! assert!(errors.has("wildcard-origin-with-credentials") && errors.has("max-age-out-of-range"));
//! ```

pub mod allow_headers;
pub mod allow_methods;
pub mod allow_origin;
mod answer;
pub mod article;
mod config;
mod error;
pub mod expose_headers;
pub mod max_age;
mod server;
pub mod vary;

pub use allow_headers::AllowHeaders;
pub use allow_methods::AllowMethods;
pub use allow_origin::{AllowOrigin, OriginPattern};
pub use answer::{AnswerHeaders, AnswerKind, CorsHeader, PolicyAnswer, Refusal};
pub use config::{MAX_ENTRIES, MAX_POLICY_QUERY_LEN, PolicyConfig};
pub use error::{PolicyError, PolicyErrors};
pub use expose_headers::ExposeHeaders;
pub use max_age::MaxAge;
pub use server::{ACTUAL_BODY, ACTUAL_CONTENT_TYPE};

use crate::http::token::is_token;

/// A checked CORS policy, ready to answer requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CorsPolicy {
    origins: AllowOrigin,
    methods: AllowMethods,
    headers: AllowHeaders,
    expose: ExposeHeaders,
    credentials: bool,
    max_age: MaxAge,
    config: PolicyConfig,
}

impl CorsPolicy {
    /// Checks `config` and builds the policy.
    ///
    /// # Errors
    ///
    /// [`PolicyErrors`] listing every problem, in the order of the entries.
    ///
    /// # Examples
    ///
    /// ```
    /// use corslab::policy::{CorsPolicy, PolicyConfig};
    ///
    /// let ok = CorsPolicy::new(&PolicyConfig::new().allow_origin("https://a.example").allow_method("PUT"));
    /// assert!(ok.is_ok());
    /// let errors = CorsPolicy::new(
    ///     &PolicyConfig::new().allow_origin("null").allow_method("TRACE").allow_header("Cookie"),
    /// ).unwrap_err();
    /// let kinds: Vec<_> = errors.iter().map(|e| e.kind()).collect();
    /// assert_eq!(kinds, ["null-origin", "forbidden-method", "forbidden-request-header"]);
    /// ```
    pub fn new(config: &PolicyConfig) -> Result<CorsPolicy, PolicyErrors> {
        let mut errors = Vec::new();
        let credentials = config.credentials;
        for (what, list) in [
            ("origin", &config.origins),
            ("method", &config.methods),
            ("header", &config.headers),
            ("expose", &config.expose),
        ] {
            if list.len() > config::MAX_ENTRIES {
                errors.push(PolicyError::TooLarge { what });
            }
        }
        let origins = AllowOrigin::from_entries(&config.origins, credentials, &mut errors);
        let methods = AllowMethods::from_entries(&config.methods, credentials, &mut errors);
        let headers = AllowHeaders::from_entries(&config.headers, credentials, &mut errors);
        let expose = ExposeHeaders::from_entries(&config.expose, credentials, &mut errors);
        let max_age = MaxAge::from_entry(config.max_age.as_deref(), &mut errors);
        if !errors.is_empty() {
            let mut all = PolicyErrors::default();
            for e in errors {
                all.push(e);
            }
            return Err(all);
        }
        Ok(CorsPolicy { origins, methods, headers, expose, credentials, max_age, config: config.clone() })
    }

    /// Reads and checks a policy URL's query.
    ///
    /// # Errors
    ///
    /// Every problem of the query and of its values.
    pub fn from_query(query: &str) -> Result<CorsPolicy, PolicyErrors> {
        CorsPolicy::new(&PolicyConfig::from_query(query)?)
    }

    /// The configuration the policy was built from.
    pub fn config(&self) -> &PolicyConfig {
        &self.config
    }

    /// The allowed origins.
    pub fn origins(&self) -> &AllowOrigin {
        &self.origins
    }

    /// Whether credentials are allowed.
    pub fn allows_credentials(&self) -> bool {
        self.credentials
    }

    /// Whether the answers depend on the request's `Origin` (all but the
    /// any-origin-without-credentials policy), so caches must `Vary` on it.
    pub fn varies_on_origin(&self) -> bool {
        !self.origins.is_any() || self.credentials
    }

    /// Answers a request: a preflight when `method` is `OPTIONS` and both
    /// `origin` and `request_method` are present, an actual request
    /// otherwise.
    ///
    /// `origin`, `request_method` and `request_headers` are the values of
    /// `Origin`, `Access-Control-Request-Method` and
    /// `Access-Control-Request-Headers`.
    pub fn answer<'a>(
        &'a self,
        method: &str,
        origin: Option<&'a str>,
        request_method: Option<&'a str>,
        request_headers: Option<&'a str>,
    ) -> PolicyAnswer<'a> {
        match (method, origin, request_method) {
            ("OPTIONS", Some(origin), Some(request_method)) => self.preflight(origin, request_method, request_headers),
            _ => self.actual(origin),
        }
    }

    /// Answers a preflight.
    ///
    /// <https://fetch.spec.whatwg.org/#cors-preflight-fetch-0>
    pub fn preflight<'a>(
        &'a self,
        origin: &'a str,
        request_method: &'a str,
        request_headers: Option<&'a str>,
    ) -> PolicyAnswer<'a> {
        let refuse = |refusal: Refusal<'a>| {
            let mut answer = PolicyAnswer::new(AnswerKind::Refused);
            answer.headers.push(CorsHeader::Vary, vary::PREFLIGHT);
            answer.refusal = Some(refusal);
            answer
        };
        // 1. The origin (the CORS check the browser runs first).
        if !self.origins.allows(origin) {
            return refuse(Refusal::OriginNotAllowed { origin });
        }
        // 2. The method.
        if !is_token(request_method) {
            return refuse(Refusal::MalformedRequestMethod { method: request_method });
        }
        if !self.methods.allows(request_method) {
            return refuse(Refusal::MethodNotAllowed { method: request_method });
        }
        // 3. The header names.
        let allow_headers = match request_headers.map(|h| self.headers.check(h)) {
            None => None,
            Some(Ok(value)) => value,
            Some(Err(refusal)) => return refuse(refusal),
        };
        // Allowed: 204 with only what the browser needs.
        let mut answer = PolicyAnswer::new(AnswerKind::Preflight);
        self.push_allow_origin(&mut answer, origin);
        if let Some(method) = self.methods.header_value(request_method) {
            answer.headers.push(CorsHeader::AllowMethods, method);
        }
        if let Some(names) = allow_headers {
            answer.headers.push(CorsHeader::AllowHeaders, names);
        }
        if let Some(max_age) = self.max_age.header_value() {
            answer.headers.push(CorsHeader::MaxAge, max_age);
        }
        answer.headers.push(CorsHeader::Vary, vary::PREFLIGHT);
        answer
    }

    /// Answers an actual (non-preflight) request: the headers to add to its
    /// response.
    ///
    /// <https://fetch.spec.whatwg.org/#http-responses>
    pub fn actual<'a>(&'a self, origin: Option<&'a str>) -> PolicyAnswer<'a> {
        let mut answer = PolicyAnswer::new(AnswerKind::Actual);
        if let Some(origin) = origin.filter(|o| self.origins.allows(o)) {
            self.push_allow_origin(&mut answer, origin);
            if let Some(expose) = self.expose.header_value() {
                answer.headers.push(CorsHeader::ExposeHeaders, expose);
            }
        } else if !self.varies_on_origin() {
            // Any origin without credentials: `*` for everyone, even
            // without an Origin header.
            answer.headers.push(CorsHeader::AllowOrigin, "*");
            if let Some(expose) = self.expose.header_value() {
                answer.headers.push(CorsHeader::ExposeHeaders, expose);
            }
        }
        if self.varies_on_origin() {
            answer.headers.push(CorsHeader::Vary, vary::ACTUAL);
        }
        answer
    }

    /// `Access-Control-Allow-Origin` (and `-Credentials`) for an allowed
    /// origin: `*` when any origin is allowed without credentials, the
    /// origin itself otherwise; never `*` with credentials.
    fn push_allow_origin<'a>(&'a self, answer: &mut PolicyAnswer<'a>, origin: &'a str) {
        if self.varies_on_origin() {
            answer.headers.push(CorsHeader::AllowOrigin, origin);
        } else {
            answer.headers.push(CorsHeader::AllowOrigin, "*");
        }
        if self.credentials {
            answer.headers.push(CorsHeader::AllowCredentials, "true");
        }
    }
}

#[cfg(test)]
mod tests;
