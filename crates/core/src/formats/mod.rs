//! The file and URL formats CORS Lab reads and writes: scenario files and
//! predictions ([`scenario`]) and replay URLs ([`replay`]).

pub mod check;
pub mod replay;
pub mod scenario;
