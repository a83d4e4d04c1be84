//! DOM helpers over web-sys.

use wasm_bindgen::JsValue;
use web_sys::Document;

/// The window's document.
pub fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// The page's own origin, as `location.origin` reports it.
pub fn page_origin() -> Result<String, JsValue> {
    web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?.location().origin()
}
