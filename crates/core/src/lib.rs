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
//! The crate's rooms:
//!
//! - [`origin`]: origins, parsed strictly and compared;
//! - [`http`]: tokens, header names and lists, methods, MIME types, ranges;
//! - [`fetch`]: the browser's fetch, decided as one straight line in
//!   [`fetch::engine`]: the request `fetch()` builds, simple or preflighted,
//!   the preflight and its cache, the CORS check, what the page reads;
//! - [`browsers`]: the profiles (every departure from the standard is a
//!   named switch), neutral failures and each browser's words for them;
//! - [`policy`]: the server's side, a CORS policy checked when built;
//! - [`formats`]: scenario files, predictions, replay URLs, check reports;
//! - [`diagnosis`]: a real server's answers judged by the engine (`check`)
//!   and its misconfigurations found by probes (the audit);
//! - [`fix`]: what a request needs from the server, and what to change;
//! - [`trace`]: the steps of a decision, each with its spec link;
//! - [`sort`] and [`sorted_map`]: one small sort, and a map kept as a
//!   sorted list, for the short lists and maps the others keep.
//!
//! # Examples
//!
//! ```
//! use corslab::{Browser, formats::scenario::{ScenarioFile, predict}};
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

pub mod browsers;
pub mod diagnosis;
pub mod fetch;
pub mod fix;
pub mod formats;
pub mod http;
pub mod origin;
pub mod policy;
pub mod sort;
pub mod sorted_map;
pub mod trace;

pub use browsers::failure::{Failure, Stage, Warning};
pub use browsers::per_browser::PerBrowser;
pub use sorted_map::SortedMap;
pub use browsers::profile::{Browser, Profile};
pub use fetch::engine::{Context, Decision, Outcome, Server, decide, decide_traced};
pub use fetch::request::{CredentialsMode, FetchCall, FetchRequest, RequestMode};
pub use fetch::response::{ServerResponse, Tainting};
pub use http::header::{HeaderList, HeaderName};
pub use http::method::Method;
pub use origin::{Origin, OriginComparison, OriginParseError, TupleOrigin, default_port};
pub use trace::{Step, Verdict};

// The unit tests run in headless Chromium too (`make test`).
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
