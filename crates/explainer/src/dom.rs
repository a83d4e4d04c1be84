//! A few DOM helpers over web-sys: build elements, set text, find things.

use wasm_bindgen::JsValue;
use web_sys::{Document, Element};

/// The window's document.
pub fn document() -> Result<Document, JsValue> {
    web_sys::window()
        .and_then(|w| w.document())
        .ok_or_else(|| JsValue::from_str("no document"))
}

/// Creates `<tag>` with the given attributes and text.
pub fn element(tag: &str, attributes: &[(&str, &str)], text: &str) -> Result<Element, JsValue> {
    let element = document()?.create_element(tag)?;
    for (name, value) in attributes {
        element.set_attribute(name, value)?;
    }
    if !text.is_empty() {
        element.set_text_content(Some(text));
    }
    Ok(element)
}

/// Appends each child to `parent`, returning `parent`.
pub fn append(parent: &Element, children: &[&Element]) -> Result<(), JsValue> {
    for child in children {
        parent.append_child(child)?;
    }
    Ok(())
}

/// The page's own origin, as `location.origin` reports it.
pub fn page_origin() -> Result<String, JsValue> {
    web_sys::window().ok_or_else(|| JsValue::from_str("no window"))?.location().origin()
}
