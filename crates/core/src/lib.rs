//! # CORS Lab core
//!
//! The Fetch standard's CORS rules as a pure library: no I/O, no DOM, no
//! sockets. It builds for the host and for `wasm32-unknown-unknown`, and the
//! explainer page, the companion server and the command line all call it.
//!
//! Every rule lives in a module named after its spec concept, with the spec
//! link on the code that implements it; grep a spec anchor (for example
//! `cors-safelisted-request-header`) to find the rule.
//!
//! The decision runs as one straight line in [`engine`]: [`request`] (what
//! `fetch()` builds), [`origin`] (same-origin or not), [`classify`] (simple or
//! preflighted, via [`safelist`]), [`cache`], [`preflight`] (with
//! [`cors_check`], [`allow_methods`], [`allow_headers`], [`max_age`]), then the
//! response ([`cors_check`] again, [`expose_headers`]). Where browsers
//! differ, [`profile`] holds the switch; [`failure`] says what failed, and
//! [`chromium`] and [`firefox`] say it in each browser's words.
//!
//! # Examples
//!
//! ```
//! use corslab::{Browser, scenario::{ScenarioFile, predict}};
//!
//! let file = ScenarioFile::parse(r#"{"format": "cors-scenarios/1", "scenarios": [{
//!   "id": "put-needs-preflight",
//!   "request": {"method": "PUT", "path": "/data", "headers": [], "mode": "cors",
//!               "credentials": "same-origin", "body": "x"},
//!   "preflight_response": {"status": 204, "headers": [["Access-Control-Allow-Origin", "{origin}"]]},
//!   "response": {"status": 200, "headers": [["Access-Control-Allow-Origin", "{origin}"]], "body": "ok"}
//! }]}"#).unwrap();
//! let p = predict(&file.scenarios[0], Browser::Chrome);
//! assert!(p.expect.preflight);
//! assert_eq!(p.expect.cors_error.as_deref(), Some("MethodDisallowedByPreflightResponse"));
//! ```

pub mod allow_headers;
pub mod allow_methods;
pub mod article;
pub mod cache;
pub mod chromium;
pub mod classify;
pub mod cors_check;
pub mod engine;
pub mod expose_headers;
pub mod failure;
pub mod firefox;
pub mod forbidden;
pub mod header;
pub mod max_age;
pub mod method;
pub mod mime;
pub mod origin;
pub mod policy;
pub mod preflight;
pub mod profile;
pub mod range;
pub mod replay;
pub mod request;
pub mod response;
pub mod safelist;
pub mod scenario;
pub mod simplify;
pub mod token;
pub mod trace;

pub use engine::{Context, Decision, Outcome, Server, decide, decide_traced};
pub use failure::{Failure, Stage, Warning};
pub use header::{HeaderList, HeaderName};
pub use method::Method;
pub use origin::{Origin, OriginComparison, OriginParseError, TupleOrigin, default_port};
pub use profile::{Browser, Profile};
pub use request::{CredentialsMode, FetchCall, FetchRequest, RequestMode};
pub use response::{ServerResponse, Tainting};
pub use trace::{Step, Verdict};

// The unit tests run in headless Chromium too (`make test`).
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
