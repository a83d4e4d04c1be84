//! CORS Lab's network side, shared by `corslab check` and the companion
//! server's `/probe`: it sends what a browser would send (the core's
//! [`WireRequest`](corslab::fetch::wire::WireRequest)s, headers in order,
//! nothing added) over HTTP/1.1 and HTTPS, within a time and body limit,
//! and loops with the core's judge until it has decided. Every rule stays
//! in the core; this crate only moves bytes.

mod client;
mod error;
mod run;
mod tls;

pub use client::{Client, ClientOptions, DEFAULT_MAX_BODY, DEFAULT_TIMEOUT, MAX_HEAD, Target};
pub use error::NetError;
pub use run::{CheckOptions, CheckRun, PROBES_IN_FLIGHT, check};
