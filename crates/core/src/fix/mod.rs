//! Fixes: what a server must answer for a request to pass, and what to
//! change when it does not.
//!
//! [`needs`] says what one request needs from the server's CORS answers
//! and nothing wider (the narrowest policy); [`change`] compares that with
//! what the server answered and lists the headers and statuses to change.

pub mod change;
pub mod needs;
pub mod stacks;

pub use change::{Fix, ServerChange};
pub use needs::{Needs, PreflightNeeds};
