//! # CORS Lab fuzz targets
//!
//! One target per parser of the core that reads text strangers write, each
//! a plain `fn(&[u8])` that must return for every input: no panic, no hang,
//! bounded memory. The AFL binary (`src/bin/corslab-fuzz.rs`, built by
//! `cargo afl build --features afl`) runs one of them per process, named on
//! its command line; the corpus test (`tests/corpus.rs`) runs every file of
//! every target's committed corpus through the same functions in a plain
//! `cargo test`, so what the fuzzer found stays found.
//!
//! The bounds, per input:
//!
//! - **size**: inputs over [`MAX_INPUT_LEN`] (1 MiB, AFL++'s own maximum)
//!   are not parsed (the core's parsers have smaller limits of their own:
//!   a cURL copy 64 KiB, a replay query 16 KiB…);
//! - **time**: [`TIME_BOUND_MS`] in a release build (AFL's `-t`); the
//!   corpus test allows a debug build [`DEBUG_TIME_BOUND_MS`];
//! - **memory**: [`MEMORY_BOUND_MB`] for the whole fuzzed process (AFL's
//!   `-m`, an address-space limit, so an input that allocates past it
//!   aborts and is a crash); the corpus test measures each input's peak
//!   heap and fails over [`HEAP_BOUND_BYTES`].
//!
//! Where a parse succeeds the target goes on with what the program does
//! next (a parsed cURL copy is judged for every browser, a policy answers
//! requests, a console line is explained), and asserts the round trips the
//! formats promise (an origin serializes back to its input, a MIME type's
//! serialization parses back to itself, a replay query read back equals
//! itself): a broken promise is a crash too.

// A broken promise is reported the only way a fuzzer hears: a panic.
#![allow(clippy::panic)]

use std::time::Duration;

pub mod input;
pub mod targets;

/// The largest input a target parses (1 MiB, AFL++'s `MAX_FILE`).
pub const MAX_INPUT_LEN: usize = 1 << 20;

/// The time one input may take in a release build (AFL's `-t`, in ms).
pub const TIME_BOUND_MS: u64 = 1_000;

/// The time one input may take in the corpus test's debug build.
pub const DEBUG_TIME_BOUND_MS: u64 = 10_000;

/// The address space the fuzzed process may use (AFL's `-m`, in MB).
pub const MEMORY_BOUND_MB: u64 = 1_024;

/// The peak heap one input may use in the corpus test.
pub const HEAP_BOUND_BYTES: usize = 256 << 20;

/// A fuzz target: its name (its corpus folder under `corpus/`), what it
/// reaches, and the function AFL and the corpus test call.
#[derive(Clone, Copy)]
pub struct Target {
    /// The name on the command line and the corpus folder.
    pub name: &'static str,
    /// What it fuzzes, for `--list` and the README.
    pub about: &'static str,
    /// The target itself: returns for every input.
    pub run: fn(&[u8]),
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Target").field("name", &self.name).finish_non_exhaustive()
    }
}

/// Every target, in the order `make fuzz` runs them.
pub const TARGETS: &[Target] = &[
    Target { name: "origin", about: "Origin::parse, serialization and comparison", run: targets::origin::run },
    Target { name: "mime", about: "http::mime: parse a MIME type, serialize, the Content-Type safelist", run: targets::mime::run },
    Target {
        name: "headers",
        about: "header lists and every Access-Control-* value: allow-methods, allow-headers, max-age, expose-headers, tokens, the safelist",
        run: targets::headers::run,
    },
    Target { name: "replay", about: "ReplaySpec::parse_query (the replay URL), its answers and round trip", run: targets::replay::run },
    Target {
        name: "policy",
        about: "PolicyConfig::from_query and the JSON form, CorsPolicy::new, the policy's answers",
        run: targets::policy::run,
    },
    Target { name: "scenario", about: "ScenarioFile::parse and predict_json for every browser", run: targets::scenario::run },
    Target { name: "har", about: "HarReader and read_report (every browser, scenarios on)", run: targets::har::run },
    Target {
        name: "console",
        about: "browsers::console::parse_console_line and diagnosis::console::explain",
        run: targets::console::run,
    },
    Target { name: "curl", about: "CopiedRequest::parse (Copy as cURL), then the check's first request", run: targets::curl::run },
    Target { name: "fetch-copy", about: "parse_fetch_copy (Copy as fetch), then the check's first request", run: targets::curl::run_fetch },
    Target {
        name: "check",
        about: "WireResponse::to_server_response + diagnosis::check::judge over arbitrary answers, the audit's findings",
        run: targets::check::run,
    },
    Target {
        name: "decide",
        about: "decide_in on an arbitrary call, page, setup and servers, traced and not",
        run: targets::decide::run,
    },
];

/// The target named `name`.
pub fn target(name: &str) -> Option<&'static Target> {
    TARGETS.iter().find(|t| t.name == name)
}

/// The release build's time bound.
pub fn time_bound() -> Duration {
    Duration::from_millis(TIME_BOUND_MS)
}

/// The input as text: inputs over [`MAX_INPUT_LEN`] give `None`; bytes that
/// are not UTF-8 are replaced (U+FFFD), so every input reaches the parser.
pub fn text(data: &[u8]) -> Option<std::borrow::Cow<'_, str>> {
    (data.len() <= MAX_INPUT_LEN).then(|| String::from_utf8_lossy(data))
}
