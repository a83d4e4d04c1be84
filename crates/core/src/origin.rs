//! Origins: the tuple (scheme, host, port) or an opaque origin.
//!
//! <https://html.spec.whatwg.org/multipage/browsers.html#concept-origin>
//!
//! Two ways in: [`Origin::from_url`] derives the origin of a URL the way the
//! URL standard does (through the `url` crate), and [`Origin::parse`] reads a
//! *serialized* origin as it appears in an `Origin` request header, strictly:
//! exactly the bytes a browser would send, nothing more.

use std::fmt;
use std::net::IpAddr;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use url::Url;

/// An origin: opaque (serialized as `null`) or a tuple of scheme, host and port.
///
/// Values are normalised when built: the scheme and host are lower-case (the
/// host in its ASCII, punycode form) and the port is always the effective
/// port, so equality is plain field equality.
///
/// # Examples
///
/// ```
/// use corslab::Origin;
///
/// let page = Origin::parse("http://localhost:5050").unwrap();
/// let api = Origin::from_url_str("http://localhost:8080/data?x=1").unwrap();
/// assert_eq!(api.to_string(), "http://localhost:8080");
/// let diff = page.compare(&api);
/// assert!(!diff.is_same_origin());
/// assert_eq!(diff.differing_parts(), vec!["port"]);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Origin {
    /// An opaque origin: a sandboxed document, a `data:` URL, a `file:` URL.
    /// It serializes as `null` and is same-origin with nothing we can name.
    Opaque,
    /// A tuple origin.
    Tuple(TupleOrigin),
}

/// The (scheme, host, port) of a tuple origin.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct TupleOrigin {
    /// One of the special schemes with tuple origins ([`default_port`]).
    scheme: &'static str,
    /// Shared: origins are copied into every record the engine keeps (the
    /// request's, the client's, each cache entry's), and a copy then costs
    /// no allocation.
    host: Arc<str>,
    port: u16,
    /// The address the host is, when it is an IP address: the URL parser
    /// told it apart when the origin was built, so no rule reads the host
    /// text again to find out.
    ip: Option<IpAddr>,
}

impl TupleOrigin {
    /// The scheme, lower-case, without `:`.
    pub fn scheme(&self) -> &str {
        self.scheme
    }

    /// The host as the URL standard serializes it (domains in lower-case
    /// ASCII, IPv6 addresses in brackets).
    pub fn host(&self) -> &str {
        &self.host
    }

    /// The effective port (the scheme's default port when the URL named none).
    pub fn port(&self) -> u16 {
        self.port
    }

    /// The IP address the host is (an [IPv4 or IPv6 host](https://url.spec.whatwg.org/#concept-host)),
    /// or `None` for a domain.
    pub fn ip(&self) -> Option<IpAddr> {
        self.ip
    }

    /// Whether [`port`](Self::port) is the default port of the scheme, and so
    /// left out of the serialization.
    pub fn is_default_port(&self) -> bool {
        default_port(self.scheme) == Some(self.port)
    }
}

/// The default port of a special scheme that has tuple origins.
///
/// <https://url.spec.whatwg.org/#default-port>
pub fn default_port(scheme: &str) -> Option<u16> {
    tuple_scheme(scheme).map(|(_, port)| port)
}

/// A special scheme that has tuple origins, as a static string, with its
/// default port.
///
/// <https://url.spec.whatwg.org/#special-scheme>
fn tuple_scheme(scheme: &str) -> Option<(&'static str, u16)> {
    Some(match scheme {
        "http" => ("http", 80),
        "ws" => ("ws", 80),
        "https" => ("https", 443),
        "wss" => ("wss", 443),
        "ftp" => ("ftp", 21),
        _ => return None,
    })
}

/// What is wrong with a string that should be a serialized origin.
///
/// Each variant has one fixed message, so a user sees exactly which rule the
/// value broke.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum OriginParseError {
    /// The value is empty.
    Empty,
    /// The value starts or ends with whitespace.
    SurroundingWhitespace,
    /// The value holds a comma or a space: a list, where one origin belongs.
    List,
    /// No `://` after a scheme.
    MissingScheme,
    /// The scheme has a character a scheme cannot hold.
    InvalidScheme,
    /// The scheme has no tuple origin (`file`, `data`, `blob`, `foo`, ...).
    UnsupportedScheme,
    /// Nothing between `://` and the end or the port.
    MissingHost,
    /// The host is not a valid domain or IP address.
    InvalidHost,
    /// The port is not a number from 0 to 65535.
    InvalidPort,
    /// `user:password@` before the host.
    Userinfo,
    /// A `/` after the host: origins have no path, not even `/`.
    TrailingSlash,
    /// A path after the host.
    Path,
    /// A `?query` after the host.
    Query,
    /// A `#fragment` after the host.
    Fragment,
    /// The scheme's default port is written out (`:80` for `http`).
    DefaultPort,
    /// Upper-case letters, or another spelling the browser would never send
    /// (a non-punycode host, an IPv4 address in another notation).
    NotCanonical,
}

impl OriginParseError {
    /// The fixed, lower-case message of this error.
    pub fn message(self) -> &'static str {
        match self {
            Self::Empty => "origin is empty",
            Self::SurroundingWhitespace => "origin has leading or trailing whitespace",
            Self::List => "origin holds a comma or space: only one origin is allowed",
            Self::MissingScheme => "origin has no scheme (expected scheme://host[:port])",
            Self::InvalidScheme => "origin has an invalid scheme",
            Self::UnsupportedScheme => {
                "origin scheme has no tuple origin (use http, https, ws, wss or ftp)"
            }
            Self::MissingHost => "origin has no host",
            Self::InvalidHost => "origin host is not a valid domain or IP address",
            Self::InvalidPort => "origin port is not a number from 0 to 65535",
            Self::Userinfo => "origin must not contain a username or password",
            Self::TrailingSlash => "origin must not end with '/'",
            Self::Path => "origin must not contain a path",
            Self::Query => "origin must not contain a query",
            Self::Fragment => "origin must not contain a fragment",
            Self::DefaultPort => "origin must leave out the scheme's default port",
            Self::NotCanonical => {
                "origin is not in canonical form (lower-case scheme and host, punycode, canonical IP)"
            }
        }
    }
}

impl fmt::Display for OriginParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for OriginParseError {}

impl Origin {
    /// Parses a serialized origin, as found in an `Origin` header or an
    /// `Access-Control-Allow-Origin` value, strictly: `null`, or
    /// `scheme://host[:port]` exactly as a browser serializes it.
    ///
    /// <https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin>
    ///
    /// # Errors
    ///
    /// Returns the first rule the value breaks, as an [`OriginParseError`].
    ///
    /// # Examples
    ///
    /// ```
    /// use corslab::{Origin, OriginParseError};
    ///
    /// assert!(Origin::parse("https://example.com").is_ok());
    /// assert_eq!(Origin::parse("null"), Ok(Origin::Opaque));
    /// assert_eq!(Origin::parse("https://example.com/"), Err(OriginParseError::TrailingSlash));
    /// assert_eq!(Origin::parse("http://example.com:80"), Err(OriginParseError::DefaultPort));
    /// assert_eq!(Origin::parse("example.com"), Err(OriginParseError::MissingScheme));
    /// ```
    pub fn parse(input: &str) -> Result<Origin, OriginParseError> {
        if input.is_empty() {
            return Err(OriginParseError::Empty);
        }
        if input.trim() != input {
            return Err(OriginParseError::SurroundingWhitespace);
        }
        if input == "null" {
            return Ok(Origin::Opaque);
        }
        if input.contains([',', ' ']) {
            return Err(OriginParseError::List);
        }
        let (scheme, rest) = input.split_once("://").ok_or(OriginParseError::MissingScheme)?;
        if scheme.is_empty()
            || !scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            || !scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        {
            return Err(OriginParseError::InvalidScheme);
        }
        if default_port(&scheme.to_ascii_lowercase()).is_none() {
            return Err(OriginParseError::UnsupportedScheme);
        }
        // Structural checks on the raw text come first, so that the error names
        // what the user wrote rather than what the URL parser made of it.
        if let Some(at) = rest.find('@')
            && rest[..at].find(['/', '?', '#']).is_none() {
                return Err(OriginParseError::Userinfo);
            }
        if let Some(pos) = rest.find(['/', '?', '#', '\\']) {
            return Err(match &rest[pos..] {
                "/" => OriginParseError::TrailingSlash,
                tail if tail.starts_with('?') => OriginParseError::Query,
                tail if tail.starts_with('#') => OriginParseError::Fragment,
                _ => OriginParseError::Path,
            });
        }
        let authority = rest;
        let host_part = host_of_authority(authority);
        if host_part.is_empty() {
            return Err(OriginParseError::MissingHost);
        }
        if let Some(port) = authority[host_part.len()..].strip_prefix(':')
            && (port.is_empty() || !port.bytes().all(|b| b.is_ascii_digit())) {
                return Err(OriginParseError::InvalidPort);
            }
        let url = Url::parse(input).map_err(|e| match e {
            url::ParseError::InvalidPort => OriginParseError::InvalidPort,
            url::ParseError::EmptyHost => OriginParseError::MissingHost,
            _ => OriginParseError::InvalidHost,
        })?;
        let origin = Origin::from_url(&url);
        let Origin::Tuple(tuple) = &origin else {
            return Err(OriginParseError::UnsupportedScheme);
        };
        if origin.ascii_serialization() != input {
            // Same origin, other spelling: say which spelling rule it broke.
            let explicit_default = authority[host_part.len()..]
                .strip_prefix(':')
                .and_then(|p| p.parse::<u16>().ok())
                .is_some_and(|p| Some(p) == default_port(tuple.scheme()));
            return Err(if explicit_default {
                OriginParseError::DefaultPort
            } else {
                OriginParseError::NotCanonical
            });
        }
        Ok(origin)
    }

    /// The origin of a URL.
    ///
    /// <https://url.spec.whatwg.org/#concept-url-origin>
    ///
    /// `blob:` URLs take the origin of the URL inside them; `file:` and every
    /// non-special scheme yield an opaque origin.
    pub fn from_url(url: &Url) -> Origin {
        if url.scheme() == "blob" {
            // The URL standard narrows what `url::Url::origin` allows here: only
            // an http(s) or file URL inside a blob: URL lends it its origin.
            return match Url::parse(url.path()) {
                Ok(inner) if matches!(inner.scheme(), "http" | "https" | "file") => {
                    Origin::from_url(&inner)
                }
                _ => Origin::Opaque,
            };
        }
        // The special schemes have tuple origins: the URL's scheme, host and
        // port (or the scheme's default); `file:` and every other scheme an
        // opaque one. (What `url::Url::origin` does, without building its
        // Strings to copy.)
        let (Some((scheme, default)), Some(host), Some(host_text)) =
            (tuple_scheme(url.scheme()), url.host(), url.host_str())
        else {
            return Origin::Opaque;
        };
        let ip = match host {
            url::Host::Ipv4(ip) => Some(IpAddr::V4(ip)),
            url::Host::Ipv6(ip) => Some(IpAddr::V6(ip)),
            url::Host::Domain(_) => None,
        };
        // `host_str` is the host as the URL serializes it, an IPv6 address
        // in brackets.
        Origin::Tuple(TupleOrigin { scheme, host: host_text.into(), port: url.port().unwrap_or(default), ip })
    }

    /// Parses `input` as an absolute URL and returns its origin.
    ///
    /// # Errors
    ///
    /// The URL parser's error when `input` is not a valid absolute URL.
    pub fn from_url_str(input: &str) -> Result<Origin, url::ParseError> {
        Url::parse(input).map(|url| Origin::from_url(&url))
    }

    /// The tuple, or `None` for an opaque origin.
    pub fn tuple(&self) -> Option<&TupleOrigin> {
        match self {
            Origin::Opaque => None,
            Origin::Tuple(t) => Some(t),
        }
    }

    /// Whether this is an opaque origin.
    pub fn is_opaque(&self) -> bool {
        matches!(self, Origin::Opaque)
    }

    /// Compares two origins part by part.
    ///
    /// <https://html.spec.whatwg.org/multipage/browsers.html#same-origin>
    pub fn compare(&self, other: &Origin) -> OriginComparison {
        match (self, other) {
            (Origin::Tuple(a), Origin::Tuple(b)) => OriginComparison::Tuples {
                scheme_differs: a.scheme != b.scheme,
                host_differs: a.host != b.host,
                port_differs: a.port != b.port,
            },
            _ => OriginComparison::Opaque,
        }
    }

    /// Whether the two origins are [same origin](https://html.spec.whatwg.org/multipage/browsers.html#same-origin).
    ///
    /// An opaque origin is same-origin only with itself; as this type does not
    /// track the identity of opaque origins, it is same-origin with nothing.
    pub fn is_same_origin(&self, other: &Origin) -> bool {
        self.compare(other).is_same_origin()
    }
}

/// The host of `scheme://authority`, without the port: an IPv6 literal keeps
/// its brackets and may hold colons.
fn host_of_authority(authority: &str) -> &str {
    if authority.starts_with('[') {
        match authority.find(']') {
            Some(end) => &authority[..=end],
            None => authority,
        }
    } else {
        authority.split(':').next().unwrap_or_default()
    }
}

/// The result of [`Origin::compare`]: which parts of two origins differ.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OriginComparison {
    /// Both are tuple origins.
    Tuples {
        /// The schemes differ (`http` vs `https`).
        scheme_differs: bool,
        /// The hosts differ (`localhost` vs `127.0.0.1`).
        host_differs: bool,
        /// The effective ports differ (`5050` vs `8080`).
        port_differs: bool,
    },
    /// At least one is opaque: never same-origin with another origin.
    Opaque,
}

impl OriginComparison {
    /// Whether the origins are the same.
    pub fn is_same_origin(self) -> bool {
        matches!(
            self,
            OriginComparison::Tuples { scheme_differs: false, host_differs: false, port_differs: false }
        )
    }

    /// The names of the parts that differ: `scheme`, `host`, `port`, or
    /// `opaque` when one side is an opaque origin.
    pub fn differing_parts(self) -> Vec<&'static str> {
        match self {
            OriginComparison::Opaque => vec!["opaque"],
            OriginComparison::Tuples { scheme_differs, host_differs, port_differs } => {
                [(scheme_differs, "scheme"), (host_differs, "host"), (port_differs, "port")]
                    .into_iter()
                    .filter_map(|(differs, name)| differs.then_some(name))
                    .collect()
            }
        }
    }
}

impl Origin {
    /// The [ASCII serialization](https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin)
    /// of the origin: `null`, or `scheme://host` with `:port` unless it is
    /// the scheme's default. Written into a string of the right size, piece
    /// by piece, only a port through the formatter (the engine serializes
    /// origins into every record it keeps; `to_string` went through the
    /// formatter for each piece, growing the string as it went).
    pub fn ascii_serialization(&self) -> String {
        let Origin::Tuple(t) = self else { return "null".to_owned() };
        let mut out = String::with_capacity(t.scheme.len() + "://".len() + t.host.len() + ":65535".len());
        out.push_str(t.scheme);
        out.push_str("://");
        out.push_str(&t.host);
        if !t.is_default_port() {
            // (Writing to a `String` cannot fail.)
            let _ = fmt::Write::write_fmt(&mut out, format_args!(":{}", t.port));
        }
        out
    }
}

impl fmt::Display for Origin {
    /// The ASCII serialization of the origin ([`Origin::ascii_serialization`]).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.ascii_serialization())
    }
}

impl std::str::FromStr for Origin {
    type Err = OriginParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Origin::parse(s)
    }
}

impl Serialize for Origin {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Origin::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn serialization_elides_default_port() {
        let o = Origin::from_url_str("https://Example.COM:443/a/b").unwrap();
        assert_eq!(o.to_string(), "https://example.com");
        let o = Origin::from_url_str("http://localhost:5050/").unwrap();
        assert_eq!(o.to_string(), "http://localhost:5050");
    }

    /// The serialization is the URL standard's origin serialization (the
    /// url crate's), at every width of port and for every kind of host.
    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn serialization_is_the_url_standards() {
        for host in ["example.com", "127.0.0.1", "[::1]", "xn--nxasmq6b.example", "a.b-c.d"] {
            for scheme in ["http", "https", "ws", "wss"] {
                for port in ["", ":0", ":1", ":9", ":10", ":80", ":443", ":999", ":8080", ":10000", ":65535"] {
                    let url = url::Url::parse(&format!("{scheme}://{host}{port}/p?q")).unwrap();
                    let ours = Origin::from_url(&url);
                    assert_eq!(ours.ascii_serialization(), url.origin().ascii_serialization(), "{url}");
                    assert_eq!(ours.to_string(), ours.ascii_serialization());
                    assert_eq!(Origin::parse(&ours.ascii_serialization()), Ok(ours));
                }
            }
        }
        assert_eq!(Origin::Opaque.ascii_serialization(), "null");
        assert_eq!(Origin::Opaque.to_string(), "null");
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn same_origin_names_the_differing_parts() {
        let page = Origin::parse("http://localhost:5050").unwrap();
        let server = Origin::parse("http://127.0.0.1:8080").unwrap();
        assert_eq!(page.compare(&server).differing_parts(), vec!["host", "port"]);
        let secure = Origin::parse("https://localhost").unwrap();
        assert_eq!(page.compare(&secure).differing_parts(), vec!["scheme", "port"]);
        assert!(page.is_same_origin(&page.clone()));
        assert!(!Origin::Opaque.is_same_origin(&Origin::Opaque));
        assert_eq!(page.compare(&Origin::Opaque).differing_parts(), vec!["opaque"]);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn default_and_explicit_ports_compare_equal() {
        let a = Origin::from_url_str("http://a.test/").unwrap();
        let b = Origin::from_url_str("http://a.test:80/x").unwrap();
        assert!(a.is_same_origin(&b));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn ipv6_origins_parse_with_and_without_port() {
        assert!(Origin::parse("http://[::1]").is_ok());
        assert!(Origin::parse("http://[::1]:8080").is_ok());
        assert_eq!(Origin::parse("http://[::1"), Err(OriginParseError::InvalidHost));
    }
}
