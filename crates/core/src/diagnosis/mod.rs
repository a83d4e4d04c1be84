//! Diagnosis of a real server: its answers judged by the engine
//! ([`check`]), and its misconfigurations found by the probes security
//! scanners send ([`audit`]). The network is the caller's: these modules
//! say what to send and what the answers mean.

pub mod audit;
pub mod check;
pub mod console;

pub use audit::{Finding, Probe, ProbeKind, Severity};
pub use check::{BrowserCheck, CheckRequest, Exchange, Judgement, Need, judge};
