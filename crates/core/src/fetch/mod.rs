//! The browser's fetch: what `fetch()` builds from the page's call, whether
//! a preflight is needed, the preflight and its cache, the CORS check and
//! what the page may read, decided in one straight line by [`engine`].
//!
//! <https://fetch.spec.whatwg.org/#fetching>
//!
//! [`client`] (the context the page runs the fetch in, and its origin),
//! [`request`] (what `fetch()` builds, via [`forbidden`]), [`classify`]
//! (simple or preflighted, via [`safelist`]), [`cache`], [`preflight`] (with
//! [`cors_check`], [`allow_methods`], [`allow_headers`], [`max_age`]), then
//! the response ([`cors_check`] again, [`expose_headers`]), a redirect
//! ([`redirect`]: the next URL, and the same again), each URL's address
//! space ([`local_network`]); [`simplify`]
//! finds the nearest request that needs no preflight; [`wire`] writes the
//! requests as the browser sends them (with [`site`] for `Sec-Fetch-Site`).

pub mod allow_headers;
pub mod allow_methods;
pub mod cache;
pub mod classify;
pub mod client;
pub mod cors_check;
pub mod engine;
pub mod expose_headers;
pub mod forbidden;
pub mod local_network;
pub mod max_age;
pub mod preflight;
pub mod redirect;
pub mod request;
pub mod response;
pub mod safelist;
pub mod simplify;
pub mod site;
pub mod wire;
