//! Why a request could not be sent or its answer not read: one variant per
//! way the network fails, each a one-line reason for people.

use std::fmt;
use std::time::Duration;

/// A network failure (the command line's exit status 3).
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum NetError {
    /// The URL does not parse, or has no host.
    InvalidUrl {
        /// The URL.
        url: String,
        /// What is wrong.
        reason: String,
    },
    /// Not `http` or `https`.
    UnsupportedScheme {
        /// The scheme.
        scheme: String,
    },
    /// The host name does not resolve.
    Dns {
        /// The host.
        host: String,
        /// The resolver's words.
        reason: String,
    },
    /// Nothing listens there.
    Refused {
        /// `host:port`.
        address: String,
    },
    /// Connecting failed otherwise (unreachable, reset).
    Connect {
        /// `host:port`.
        address: String,
        /// The system's words.
        reason: String,
    },
    /// The TLS handshake failed (certificate, protocol).
    Tls {
        /// The host.
        host: String,
        /// rustls's words.
        reason: String,
    },
    /// A `--cacert` file that cannot be read or holds no certificate.
    CaCert {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// No answer (or no whole answer) in time.
    Timeout {
        /// What was being waited for.
        waiting_for: &'static str,
        /// The limit.
        after: Duration,
    },
    /// The body is longer than the limit.
    BodyTooLarge {
        /// The limit, in bytes.
        limit: u64,
    },
    /// The server closed the connection before the answer was complete, or
    /// sent something that is not HTTP/1.1.
    Protocol {
        /// hyper's words.
        reason: String,
    },
}

impl fmt::Display for NetError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetError::InvalidUrl { url, reason } => write!(f, "invalid URL {url:?}: {reason}"),
            NetError::UnsupportedScheme { scheme } => {
                write!(f, "unsupported scheme {scheme:?}: only http and https URLs can be checked")
            }
            NetError::Dns { host, reason } => write!(f, "cannot resolve {host}: {reason}"),
            NetError::Refused { address } => write!(f, "connection refused by {address}: is the server running?"),
            NetError::Connect { address, reason } => write!(f, "cannot connect to {address}: {reason}"),
            NetError::Tls { host, reason } => write!(f, "TLS handshake with {host} failed: {reason}"),
            NetError::CaCert { path, reason } => write!(f, "--cacert {path}: {reason}"),
            NetError::Timeout { waiting_for, after } => {
                write!(f, "timed out after {:.1} s waiting for {waiting_for}", after.as_secs_f64())
            }
            NetError::BodyTooLarge { limit } => write!(
                f,
                "the answer's body is larger than {} MiB: stopped reading (CORS needs only the headers; is this the right URL?)",
                limit / (1024 * 1024)
            ),
            NetError::Protocol { reason } => write!(f, "the server's answer is broken: {reason}"),
        }
    }
}

impl std::error::Error for NetError {}
