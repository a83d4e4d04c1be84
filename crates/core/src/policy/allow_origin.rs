//! Which origins a policy allows, and the `Access-Control-Allow-Origin` it
//! answers with.
//!
//! <https://fetch.spec.whatwg.org/#http-access-control-allow-origin>
//!
//! Four kinds of entry:
//! - `*`: any origin;
//! - an exact origin, `https://app.example.com`, spelled as a browser sends
//!   it (checked with [`Origin::parse`]);
//! - a subdomain pattern, `https://*.example.com`: any origin whose host ends
//!   in `.example.com` (at any depth; not `example.com` itself), with that
//!   scheme and port;
//! - an any-port pattern, `http://localhost:*`: that scheme and host, any
//!   port; the two combine (`https://*.example.com:*`).

use crate::fetch::site::is_potentially_trustworthy;
use crate::origin::{Origin, TupleOrigin};

use super::error::PolicyError;

/// The multi-label public suffixes the policy knows. A subdomain pattern
/// over one of these (or over a single label, `*.com`) is refused.
///
/// This is a short, built-in list of the suffixes most often met (country
/// second levels and popular hosting platforms), not the Public Suffix
/// List: a pattern over a suffix missing here is not caught.
pub const PUBLIC_SUFFIXES: &[&str] = &[
    "ac.uk", "co.uk", "gov.uk", "ltd.uk", "me.uk", "net.uk", "org.uk", "plc.uk", "sch.uk",
    "com.au", "net.au", "org.au", "edu.au", "gov.au", "co.nz", "net.nz", "org.nz",
    "co.jp", "ne.jp", "or.jp", "ac.jp", "go.jp", "co.kr", "or.kr", "com.cn", "net.cn", "org.cn",
    "com.hk", "com.tw", "com.sg", "com.my", "co.in", "net.in", "org.in", "co.id", "co.th",
    "com.br", "net.br", "org.br", "com.ar", "com.mx", "com.co", "com.pe", "co.za", "org.za",
    "com.tr", "co.il", "com.ua", "com.pl", "co.at", "or.at", "com.es", "com.pt", "com.ru",
    "github.io", "gitlab.io", "githubusercontent.com", "herokuapp.com", "netlify.app",
    "vercel.app", "pages.dev", "workers.dev", "web.app", "firebaseapp.com", "appspot.com",
    "blogspot.com", "cloudfront.net", "azurewebsites.net", "azurestaticapps.net",
    "s3.amazonaws.com", "elasticbeanstalk.com", "fly.dev", "onrender.com", "glitch.me",
    "repl.co", "ngrok.io", "ngrok-free.app", "trycloudflare.com", "surge.sh", "now.sh",
    "codesandbox.io", "stackblitz.io", "deno.dev", "railway.app", "web.core.windows.net",
];

/// Whether `domain` (lower-case) is a public suffix as far as this module
/// knows: a single label, or one of [`PUBLIC_SUFFIXES`].
pub fn is_public_suffix(domain: &str) -> bool {
    !domain.contains('.') || PUBLIC_SUFFIXES.contains(&domain)
}

/// How the host of a pattern matches.
#[derive(Clone, Debug, PartialEq, Eq)]
enum HostPattern {
    /// Exactly this host.
    Exact(String),
    /// Any host ending in `.` + this domain.
    Subdomains(String),
}

/// An origin pattern: scheme, host pattern, port (`None`: any).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginPattern {
    scheme: String,
    host: HostPattern,
    port: Option<u16>,
    written: String,
    /// Whether the origins it matches are potentially trustworthy (all of
    /// them are, or none: `https`, or a loopback host).
    trustworthy: bool,
}

impl OriginPattern {
    /// Parses `scheme://*.domain[:port|:*]` or `scheme://host:*`.
    ///
    /// # Errors
    ///
    /// [`PolicyError::MalformedPattern`], or [`PolicyError::PublicSuffixPattern`]
    /// for a subdomain pattern over a public suffix.
    ///
    /// # Examples
    ///
    /// ```
    /// use corslab::Origin;
    /// use corslab::policy::OriginPattern;
    ///
    /// let p = OriginPattern::parse("https://*.example.com").unwrap();
    /// assert!(p.matches(&Origin::parse("https://a.b.example.com").unwrap()));
    /// assert!(!p.matches(&Origin::parse("https://example.com").unwrap()));
    /// assert!(OriginPattern::parse("https://*.co.uk").is_err());
    /// let p = OriginPattern::parse("http://localhost:*").unwrap();
    /// assert!(p.matches(&Origin::parse("http://localhost:3000").unwrap()));
    /// ```
    pub fn parse(input: &str) -> Result<OriginPattern, PolicyError> {
        let bad = |reason: &'static str| PolicyError::MalformedPattern { value: input.to_owned(), reason };
        let (scheme, rest) = input.split_once("://").ok_or(bad("no scheme (expected scheme://*.domain or scheme://host:*)"))?;
        if !matches!(scheme, "http" | "https") {
            return Err(bad("patterns take the http or https scheme, lower-case"));
        }
        // `None`: any port; `Some("")`: the scheme's default; `Some(n)`.
        let (host, port) = match rest.strip_suffix(":*") {
            Some(host) => (host, None),
            None => {
                let host_end = if rest.starts_with('[') { rest.find(']').map_or(rest.len(), |i| i + 1) } else { rest.find(':').unwrap_or(rest.len()) };
                let (host, tail) = rest.split_at(host_end);
                (host, Some(tail.strip_prefix(':').unwrap_or(tail)))
            }
        };
        let (host_pattern, host) = match host.strip_prefix("*.") {
            Some(base) => (true, base),
            None => (false, host),
        };
        if host.contains('*') {
            return Err(bad("* stands only for the leading labels (*.example.com) or the port (:*)"));
        }
        if !host_pattern && port.is_some() {
            // No * at all: that is an exact origin, handled elsewhere.
            return Err(bad("a pattern needs *. before the domain or :* as the port"));
        }
        // The rest must be a canonical origin once the stars are gone.
        let concrete = match port {
            Some("") | None => format!("{scheme}://{host}"),
            Some(port) => format!("{scheme}://{host}:{port}"),
        };
        let origin = Origin::parse(&concrete).map_err(|e| PolicyError::MalformedPattern {
            value: input.to_owned(),
            reason: e.message(),
        })?;
        let Some(tuple) = origin.tuple() else {
            return Err(bad("not a tuple origin"));
        };
        let host = tuple.host().to_owned();
        if host_pattern {
            if tuple.ip().is_some() {
                return Err(bad("an IP address has no subdomains"));
            }
            if is_public_suffix(&host) {
                return Err(PolicyError::PublicSuffixPattern { value: input.to_owned(), suffix: host });
            }
        }
        Ok(OriginPattern {
            scheme: tuple.scheme().to_owned(),
            host: if host_pattern { HostPattern::Subdomains(host) } else { HostPattern::Exact(host) },
            port: port.map(|_| tuple.port()),
            written: input.to_owned(),
            // `*.localhost` names subdomains of a loopback name: as
            // trustworthy as `localhost` is.
            trustworthy: is_potentially_trustworthy(&origin),
        })
    }

    /// Whether `origin` matches the pattern.
    pub fn matches(&self, origin: &Origin) -> bool {
        origin.tuple().is_some_and(|t| self.matches_tuple(t))
    }

    fn matches_tuple(&self, t: &TupleOrigin) -> bool {
        t.scheme() == self.scheme
            && self.port.is_none_or(|p| p == t.port())
            && match &self.host {
                HostPattern::Exact(host) => t.host() == host,
                HostPattern::Subdomains(base) => t
                    .host()
                    .strip_suffix(base.as_str())
                    .is_some_and(|label| label.len() > 1 && label.ends_with('.')),
            }
    }

    /// The scheme.
    pub fn scheme(&self) -> &str {
        &self.scheme
    }

    /// The host, or the base domain of a subdomain pattern.
    pub fn host(&self) -> &str {
        match &self.host {
            HostPattern::Exact(h) | HostPattern::Subdomains(h) => h,
        }
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.written
    }
}

/// Which origins a policy allows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AllowOrigin(Inner);

#[derive(Clone, Debug, PartialEq, Eq)]
enum Inner {
    Any,
    List {
        /// Exact origins, serialized (a valid `Origin` header equals its
        /// serialization, so matching is a string comparison).
        exact: Vec<String>,
        patterns: Vec<OriginPattern>,
    },
}

impl AllowOrigin {
    /// Any origin (`*`).
    pub fn any() -> AllowOrigin {
        AllowOrigin(Inner::Any)
    }

    /// Reads the `origin` entries of a policy, recording every problem in
    /// `errors`.
    pub(crate) fn from_entries(entries: &[String], credentials: bool, errors: &mut Vec<PolicyError>) -> AllowOrigin {
        if entries.is_empty() {
            errors.push(PolicyError::NoOrigin);
        }
        if entries.iter().any(|e| e == "*") {
            if credentials {
                errors.push(PolicyError::WildcardOriginWithCredentials);
            }
            if entries.iter().any(|e| e != "*") {
                errors.push(PolicyError::WildcardOriginAmongOthers);
            }
            return AllowOrigin::any();
        }
        let mut exact: Vec<String> = Vec::new();
        let mut patterns: Vec<OriginPattern> = Vec::new();
        for entry in entries {
            let trustworthy = if entry.contains('*') {
                match OriginPattern::parse(entry) {
                    Ok(pattern) => {
                        let trustworthy = pattern.trustworthy;
                        if !patterns.contains(&pattern) {
                            patterns.push(pattern);
                        }
                        trustworthy
                    }
                    Err(e) => {
                        errors.push(e);
                        continue;
                    }
                }
            } else {
                match Origin::parse(entry) {
                    Ok(Origin::Opaque) => {
                        errors.push(PolicyError::NullOrigin);
                        continue;
                    }
                    Ok(origin @ Origin::Tuple(_)) => {
                        if !exact.contains(entry) {
                            exact.push(entry.clone());
                        }
                        is_potentially_trustworthy(&origin)
                    }
                    Err(e) => {
                        errors.push(PolicyError::MalformedOrigin { value: entry.clone(), reason: e.message() });
                        continue;
                    }
                }
            };
            if credentials && !trustworthy {
                errors.push(PolicyError::InsecureOriginWithCredentials { value: entry.clone() });
            }
        }
        AllowOrigin(Inner::List { exact, patterns })
    }

    /// Whether every origin is allowed.
    pub fn is_any(&self) -> bool {
        matches!(self.0, Inner::Any)
    }

    /// Whether the `Origin` request header `origin` is allowed. The `null`
    /// origin and any value that is not a canonical serialized origin never
    /// are (except under `*`, which allows every value).
    pub fn allows(&self, origin: &str) -> bool {
        match &self.0 {
            Inner::Any => true,
            Inner::List { exact, patterns } => {
                if exact.iter().any(|e| e == origin) {
                    return true;
                }
                // Patterns need the parsed origin; skip the parse when no
                // pattern could match (wrong scheme).
                if patterns.is_empty() || !patterns.iter().any(|p| origin.starts_with(p.scheme.as_str())) {
                    return false;
                }
                match Origin::parse(origin) {
                    Ok(Origin::Tuple(t)) => patterns.iter().any(|p| p.matches_tuple(&t)),
                    _ => false,
                }
            }
        }
    }

    /// The entries, for display: exact origins then patterns (empty for `*`).
    pub fn entries(&self) -> Vec<&str> {
        match &self.0 {
            Inner::Any => vec!["*"],
            Inner::List { exact, patterns } => {
                exact.iter().map(String::as_str).chain(patterns.iter().map(OriginPattern::as_str)).collect()
            }
        }
    }
}

