//! HTTP's vocabulary as the Fetch standard reads it: tokens and header
//! values, header names and lists, methods, and the two header values the
//! CORS safelist parses (MIME types and byte ranges).
//!
//! <https://fetch.spec.whatwg.org/#http>

pub mod header;
pub mod method;
pub mod mime;
pub mod range;
pub mod token;
