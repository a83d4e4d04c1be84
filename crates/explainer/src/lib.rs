//! CORS Lab's in-page explainer, compiled to wasm.
//!
//! The page composes requests, asks the core what the browser will do, sends
//! them for real with `fetch()` and shows both side by side. This crate only
//! deals with the DOM and `fetch()`; every CORS rule comes from `corslab`.

use wasm_bindgen::prelude::*;

pub mod app;
pub mod avoid;
pub mod dom;
pub mod domain;
pub mod fixes;
pub mod har;
pub mod frame;
pub mod import;
pub mod json;
pub mod net;
pub mod predict;
pub mod probe;
pub mod reality;
pub mod running;
pub mod state;
pub mod tour;
pub mod view;
pub mod yours;

/// The companion server's origin, fixed when the page is built
/// (`CORSLAB_SERVER`, default `http://localhost:8080`, the seed article's).
pub const SERVER: &str = match option_env!("CORSLAB_SERVER") {
    Some(server) => server,
    None => "http://localhost:8080",
};

/// The second cross origin a composed redirect can lead to: the companion
/// server under its other name (`localhost` and `127.0.0.1` swapped), an
/// origin of its own on the same server and port, so `make run` needs no
/// second port. The replay answers a hop at whichever name it is reached by.
pub fn second_origin() -> String {
    if SERVER.contains("://localhost") {
        SERVER.replacen("://localhost", "://127.0.0.1", 1)
    } else if SERVER.contains("://127.0.0.1") {
        SERVER.replacen("://127.0.0.1", "://localhost", 1)
    } else {
        // Another host: no second name known; the same origin.
        SERVER.to_owned()
    }
}

/// Mounts the page into `#cors-lab` when the document has one (the test
/// harness's page has none, and gets nothing).
#[wasm_bindgen(start)]
pub fn start() -> Result<(), JsValue> {
    console_error_panic_hook::set_once();
    let document = dom::document()?;
    if let Some(root) = document.get_element_by_id("cors-lab") {
        app::mount(&root)?;
    }
    Ok(())
}
