//! The file and URL formats CORS Lab reads and writes: scenario files and
//! predictions ([`scenario`]) and replay URLs ([`replay`]).
//!
//! [`curl`] reads DevTools' "Copy as cURL" (bash) back into the page's
//! `fetch()` call.

pub mod check;
pub mod curl;
pub mod fetch_copy;
pub mod har;
pub mod pasted;
pub mod replay;
pub mod scenario;
