//! The `idna` crate's Unicode back end, one of two chosen per build:
//!
//! - [`unicode.rs`](unicode.rs): idna_adapter 1.2.2 from crates.io,
//!   verbatim (ICU4X's normalizer and properties): every build but one;
//! - [`ascii_only.rs`](ascii_only.rs): idna_adapter 1.0.0 from crates.io,
//!   verbatim (no Unicode data: `idna` then refuses a non-ASCII domain and
//!   does not check Punycode labels against UTS 46): a wasm32 build with the
//!   `ascii-only-on-wasm` feature, which only the page's crate asks for.
//!
//! Upstream picks the back end by the version the top-level `Cargo.lock`
//! pins, for every crate of the workspace at once; the page alone must drop
//! the tables (about 47 KB of its gzipped wasm) while the core, the CLI and
//! the server keep full IDNA and the WPT URL vectors, natively and in wasm.
//! See README.md.

#![no_std]
// Upstream code, as published: it calls ICU4X methods that ICU4X has since
// deprecated (crates.io dependencies compile with lints capped; a path one
// does not).
#![allow(deprecated)]

#[cfg(not(all(feature = "ascii-only-on-wasm", target_arch = "wasm32")))]
mod unicode;
#[cfg(not(all(feature = "ascii-only-on-wasm", target_arch = "wasm32")))]
pub use unicode::*;

#[cfg(all(feature = "ascii-only-on-wasm", target_arch = "wasm32"))]
mod ascii_only;
#[cfg(all(feature = "ascii-only-on-wasm", target_arch = "wasm32"))]
pub use ascii_only::*;
