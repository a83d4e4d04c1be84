//! A policy as written: raw entries, not yet checked. [`PolicyConfig`] is
//! built in code or read from a policy URL's query, and becomes a
//! [`CorsPolicy`](super::CorsPolicy) once every entry is checked.

use serde::{Deserialize, Serialize};

use super::error::{PolicyError, PolicyErrors};

/// The longest policy query the server reads, in bytes.
pub const MAX_POLICY_QUERY_LEN: usize = 8 * 1024;
/// The most entries of one kind (origins, methods, headers, exposed headers).
pub const MAX_ENTRIES: usize = 64;

/// A CORS policy as written, before it is checked.
///
/// # Examples
///
/// ```
/// use corslab::policy::{CorsPolicy, PolicyConfig};
///
/// let config = PolicyConfig::new()
///     .allow_origin("https://app.example.com")
///     .allow_origin("http://localhost:*")
///     .allow_method("PUT")
///     .allow_header("X-Custom")
///     .expose_header("X-Request-Id")
///     .credentials(true)
///     .max_age(600);
/// assert_eq!(PolicyConfig::from_query(&config.to_query()), Ok(config.clone()));
/// assert!(CorsPolicy::new(&config).is_ok());
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PolicyConfig {
    /// Allowed origins: `*`, exact origins, or patterns.
    #[serde(default)]
    pub origins: Vec<String>,
    /// Allowed methods beyond the safelisted GET, HEAD and POST (`*`: any).
    #[serde(default)]
    pub methods: Vec<String>,
    /// Allowed request headers (`*`: any but `Authorization`).
    #[serde(default)]
    pub headers: Vec<String>,
    /// Exposed response headers (`*`: any, without credentials).
    #[serde(default)]
    pub expose: Vec<String>,
    /// Whether credentialed requests are allowed.
    #[serde(default)]
    pub credentials: bool,
    /// `max_age` as written (an integer from -1 to 86400), if given.
    #[serde(default)]
    pub max_age: Option<String>,
}

impl PolicyConfig {
    /// An empty policy (which allows nothing until an origin is added).
    pub fn new() -> PolicyConfig {
        PolicyConfig::default()
    }

    /// Adds an allowed origin or pattern.
    #[must_use]
    pub fn allow_origin(mut self, origin: impl Into<String>) -> PolicyConfig {
        self.origins.push(origin.into());
        self
    }

    /// Adds an allowed method.
    #[must_use]
    pub fn allow_method(mut self, method: impl Into<String>) -> PolicyConfig {
        self.methods.push(method.into());
        self
    }

    /// Adds an allowed request header.
    #[must_use]
    pub fn allow_header(mut self, header: impl Into<String>) -> PolicyConfig {
        self.headers.push(header.into());
        self
    }

    /// Adds an exposed response header.
    #[must_use]
    pub fn expose_header(mut self, header: impl Into<String>) -> PolicyConfig {
        self.expose.push(header.into());
        self
    }

    /// Allows credentials or not.
    #[must_use]
    pub fn credentials(mut self, allow: bool) -> PolicyConfig {
        self.credentials = allow;
        self
    }

    /// Sets the max-age in seconds.
    #[must_use]
    pub fn max_age(mut self, seconds: i64) -> PolicyConfig {
        self.max_age = Some(seconds.to_string());
        self
    }

    /// Reads a policy URL's query (without `?`):
    /// `origin=...&method=...&header=...&expose=...&credentials=true&max_age=600`,
    /// the first four repeatable.
    ///
    /// # Errors
    ///
    /// Every unknown or repeated parameter, a `credentials` other than
    /// `true`/`false`, and a query or list over its limit, all at once. The
    /// values themselves are checked by [`CorsPolicy::new`](super::CorsPolicy::new).
    pub fn from_query(query: &str) -> Result<PolicyConfig, PolicyErrors> {
        let mut errors = PolicyErrors::default();
        if query.len() > MAX_POLICY_QUERY_LEN {
            errors.push(PolicyError::TooLarge { what: "query" });
            return Err(errors);
        }
        let mut config = PolicyConfig::new();
        let mut credentials: Option<String> = None;
        for (name, value) in url::form_urlencoded::parse(query.as_bytes()) {
            let value = value.into_owned();
            let (list, what) = match name.as_ref() {
                "origin" => (&mut config.origins, "origin"),
                "method" => (&mut config.methods, "method"),
                "header" => (&mut config.headers, "header"),
                "expose" => (&mut config.expose, "expose"),
                "credentials" => {
                    if credentials.replace(value).is_some() {
                        errors.push(PolicyError::RepeatedParameter { name: "credentials" });
                    }
                    continue;
                }
                "max_age" => {
                    if config.max_age.replace(value).is_some() {
                        errors.push(PolicyError::RepeatedParameter { name: "max_age" });
                    }
                    continue;
                }
                other => {
                    errors.push(PolicyError::UnknownParameter { name: other.to_owned() });
                    continue;
                }
            };
            if list.len() >= MAX_ENTRIES {
                errors.push(PolicyError::TooLarge { what });
            } else {
                list.push(value);
            }
        }
        match credentials.as_deref() {
            None | Some("false") => {}
            Some("true") => config.credentials = true,
            Some(other) => errors.push(PolicyError::InvalidCredentials { value: other.to_owned() }),
        }
        if errors.is_empty() { Ok(config) } else { Err(errors) }
    }

    /// The query string (without `?`) that [`from_query`](Self::from_query)
    /// reads back.
    pub fn to_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, list) in
            [("origin", &self.origins), ("method", &self.methods), ("header", &self.headers), ("expose", &self.expose)]
        {
            for value in list {
                query.append_pair(name, value);
            }
        }
        if self.credentials {
            query.append_pair("credentials", "true");
        }
        if let Some(max_age) = &self.max_age {
            query.append_pair("max_age", max_age);
        }
        query.finish()
    }

    /// The path and query of this policy for run `run` on the companion
    /// server.
    pub fn path_and_query(&self, run: &str) -> String {
        format!("/policy/{run}?{}", self.to_query())
    }
}
