//! `Vary`: which request headers a policy's answer depends on, so that a
//! shared cache never serves one origin's answer to another.
//!
//! <https://fetch.spec.whatwg.org/#cors-protocol-and-http-caches>

/// On every preflight answer, allowed or refused: it depends on the origin,
/// the method and the header names asked for.
pub const PREFLIGHT: &str = "Origin, Access-Control-Request-Method, Access-Control-Request-Headers";

/// On every actual response whose CORS headers depend on the origin (that
/// is, unless any origin is allowed without credentials), allowed or not.
pub const ACTUAL: &str = "Origin";
