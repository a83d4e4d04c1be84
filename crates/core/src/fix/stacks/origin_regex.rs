//! The one place where a policy's origin entries become regular
//! expressions, for the stacks that match origins with one (Express's
//! `cors`, Starlette's `allow_origin_regex`, Flask-CORS, django-cors-headers,
//! nginx's `map`, the axum predicate).
//!
//! Every regex is anchored at both ends, so that neither
//! `https://app.example.com.evil.example` (a prefix match) nor
//! `https://evilexample.com` (a suffix match) gets in, and escapes every dot.
//! On every origin a browser can send (a canonical serialized origin, or
//! `null`), the regex of an entry matches exactly when the entry allows the
//! origin in [`AllowOrigin::allows`](crate::policy::AllowOrigin::allows);
//! `crates/core/tests/fix_stacks.rs` checks this on many origins.
//!
//! - an exact origin is itself, escaped;
//! - `scheme://*.example.com` is `scheme://[^/:]+\.example\.com`: one or
//!   more characters before the dot, none a `/` or `:` (a canonical host
//!   never holds them, and a port or path cannot sneak in), at any depth,
//!   never the bare `example.com`;
//! - `:*` (any port) is `(?::[0-9]+)?`: any port, or none (the scheme's
//!   default port is left out of a serialized origin).

/// The regex dialect of a stack: how it anchors the end, and what its
/// literal syntax needs escaped.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    /// A JavaScript regex literal (`/…/`): `/` escaped, `$` ends the input
    /// (no `m` flag).
    JavaScript,
    /// Python's `re`, in a raw string: `\Z` ends the string (`$` would also
    /// match before a final newline).
    Python,
    /// PCRE, as nginx's `map` uses it (in a double-quoted string).
    Pcre,
    /// Rust's `regex` crate: `$` ends the text (no `m` flag).
    Rust,
}

impl Flavor {
    fn end(self) -> &'static str {
        match self {
            Flavor::Python => r"\Z",
            Flavor::JavaScript | Flavor::Pcre | Flavor::Rust => "$",
        }
    }
}

/// Which port a pattern allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PortRule {
    /// The scheme's default port (no port in the origin).
    Default,
    /// This port.
    Exact(u16),
    /// Any port, the default one included (`:*`).
    Any,
}

/// An origin entry of a checked policy, in parts: an exact origin is a
/// pattern without `*`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OriginParts {
    /// `http` or `https` (or another tuple scheme for an exact origin).
    pub scheme: String,
    /// Whether any subdomain of [`host`](Self::host) matches (and not the host itself).
    pub subdomains: bool,
    /// The host, or the base domain of a subdomain pattern.
    pub host: String,
    /// The port rule.
    pub port: PortRule,
}

impl OriginParts {
    /// Reads an entry of a checked policy (as [`AllowOrigin::entries`](crate::policy::AllowOrigin::entries)
    /// lists it: canonical, so the text is enough); `None` for `*` or
    /// anything else that is not an origin or a pattern.
    pub fn parse(entry: &str) -> Option<OriginParts> {
        let (scheme, rest) = entry.split_once("://")?;
        let (subdomains, rest) = match rest.strip_prefix("*.") {
            Some(rest) => (true, rest),
            None => (false, rest),
        };
        let (rest, any_port) = match rest.strip_suffix(":*") {
            Some(rest) => (rest, true),
            None => (rest, false),
        };
        // The host ends at the port's colon (after the `]` of an IPv6 address).
        let host_end = if rest.starts_with('[') { rest.find(']').map(|i| i + 1)? } else { rest.find(':').unwrap_or(rest.len()) };
        let (host, port) = rest.split_at(host_end);
        let port = match (any_port, port.strip_prefix(':')) {
            (true, None) => PortRule::Any,
            (false, None) if port.is_empty() => PortRule::Default,
            (false, Some(digits)) => PortRule::Exact(digits.parse().ok()?),
            _ => return None,
        };
        if host.is_empty() || host.contains('*') {
            return None;
        }
        Some(OriginParts { scheme: scheme.to_owned(), subdomains, host: host.to_owned(), port })
    }

    /// The regex body (no anchors) in `flavor`.
    fn body(&self, flavor: Flavor) -> String {
        let mut out = escape(&format!("{}://", self.scheme), flavor);
        if self.subdomains {
            out.push_str(if flavor == Flavor::JavaScript { r"[^\/:]+\." } else { r"[^/:]+\." });
        }
        out.push_str(&escape(&self.host, flavor));
        match self.port {
            PortRule::Default => {}
            PortRule::Exact(port) => out.push_str(&format!(":{port}")),
            PortRule::Any => out.push_str("(?::[0-9]+)?"),
        }
        out
    }

    /// An example origin this entry allows (`app.` before a subdomain
    /// pattern's base; port 3000 for any port).
    pub fn example(&self) -> String {
        let host = if self.subdomains { format!("app.{}", self.host) } else { self.host.clone() };
        match self.port {
            PortRule::Default => format!("{}://{host}", self.scheme),
            PortRule::Exact(port) => format!("{}://{host}:{port}", self.scheme),
            PortRule::Any => format!("{}://{host}:3000", self.scheme),
        }
    }

    /// Says what the entry allows, for a comment.
    pub fn describe(&self) -> String {
        let host = if self.subdomains { format!("any subdomain of {}", self.host) } else { self.host.clone() };
        let port = match self.port {
            PortRule::Default => String::new(),
            PortRule::Exact(port) => format!(", port {port}"),
            PortRule::Any => ", any port".to_owned(),
        };
        format!("{}: {host}{port}", self.scheme)
    }
}

/// Escapes `text` so that it matches itself in `flavor`.
pub fn escape(text: &str, flavor: Flavor) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if matches!(c, '\\' | '.' | '+' | '*' | '?' | '(' | ')' | '|' | '[' | ']' | '{' | '}' | '^' | '$')
            || (c == '/' && flavor == Flavor::JavaScript)
        {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The anchored regex for one origin entry (an exact origin or a pattern)
/// of a checked policy; `None` for `*`.
///
/// # Examples
///
/// ```
/// use corslab::fix::stacks::origin_regex::{Flavor, entry_regex};
///
/// assert_eq!(entry_regex("https://*.example.com", Flavor::Python).unwrap(), r"^https://[^/:]+\.example\.com\Z");
/// assert_eq!(entry_regex("http://localhost:*", Flavor::Pcre).unwrap(), r"^http://localhost(?::[0-9]+)?$");
/// assert_eq!(entry_regex("https://app.example.com", Flavor::JavaScript).unwrap(), r"^https:\/\/app\.example\.com$");
/// assert_eq!(entry_regex("*", Flavor::Rust), None);
/// ```
pub fn entry_regex(entry: &str, flavor: Flavor) -> Option<String> {
    let parts = OriginParts::parse(entry)?;
    Some(format!("^{}{}", parts.body(flavor), flavor.end()))
}

/// One anchored regex for several entries (an alternation, for stacks that
/// take a single regex, like Starlette's `allow_origin_regex`); `None` when
/// `entries` holds `*` or nothing.
pub fn entries_regex<'a>(entries: impl IntoIterator<Item = &'a str>, flavor: Flavor) -> Option<String> {
    let bodies: Option<Vec<String>> = entries.into_iter().map(|e| OriginParts::parse(e).map(|p| p.body(flavor))).collect();
    let bodies = bodies.filter(|b| !b.is_empty())?;
    Some(match bodies.as_slice() {
        [one] => format!("^{one}{}", flavor.end()),
        many => format!("^(?:{}){}", many.join("|"), flavor.end()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn entries_read_back_into_parts() {
        let p = OriginParts::parse("https://*.example.com:8443").unwrap();
        assert_eq!(
            p,
            OriginParts { scheme: "https".into(), subdomains: true, host: "example.com".into(), port: PortRule::Exact(8443) }
        );
        assert_eq!(OriginParts::parse("http://[::1]:*").unwrap().host, "[::1]");
        assert_eq!(OriginParts::parse("http://[::1]:*").unwrap().port, PortRule::Any);
        assert_eq!(OriginParts::parse("http://[::1]:8080").unwrap().port, PortRule::Exact(8080));
        assert_eq!(OriginParts::parse("https://*.example.com:*").unwrap().port, PortRule::Any);
        assert_eq!(OriginParts::parse("*"), None);
        assert_eq!(OriginParts::parse("null"), None);
        assert_eq!(p.example(), "https://app.example.com:8443");
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn flavors_escape_and_anchor() {
        assert_eq!(entry_regex("http://[::1]:*", Flavor::Rust).unwrap(), r"^http://\[::1\](?::[0-9]+)?$");
        assert_eq!(entry_regex("https://*.example.com", Flavor::JavaScript).unwrap(), r"^https:\/\/[^\/:]+\.example\.com$");
        assert_eq!(
            entries_regex(["https://a.example", "https://*.b.example"], Flavor::Python).unwrap(),
            r"^(?:https://a\.example|https://[^/:]+\.b\.example)\Z"
        );
        assert_eq!(entries_regex(Vec::<&str>::new(), Flavor::Python), None);
        assert_eq!(entries_regex(["*"], Flavor::Python), None);
    }
}
