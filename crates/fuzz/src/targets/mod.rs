//! The targets, one module per parser (`fetch-copy` shares `curl`'s).

pub mod check;
pub mod console;
pub mod curl;
pub mod decide;
pub mod har;
pub mod headers;
pub mod mime;
pub mod origin;
pub mod policy;
pub mod replay;
pub mod scenario;
