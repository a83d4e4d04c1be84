//! JSON in the page. Every JSON text the page reads comes from JavaScript
//! (a fetched file, the companion server's answers, the URL fragment, a
//! `postMessage`), so the browser's own `JSON.parse` reads it and
//! serde-wasm-bindgen turns the result into Rust values; what the page
//! writes goes through `JSON.stringify`. The wasm then carries no JSON
//! parser or printer of its own: serde_json's, monomorphized for every type
//! it reads, was the largest part of the page's weight.
//!
//! Natively (the crate's unit tests, where there is no JavaScript) serde_json
//! does the same work. The browser suite runs the wasm path.

use serde::Serialize;
use serde::de::DeserializeOwned;

/// Reads `text` as JSON into a `T`.
///
/// # Errors
///
/// Why `text` is not JSON, or not a `T`, in one line.
pub fn parse<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    #[cfg(target_arch = "wasm32")]
    {
        let value = js_sys::JSON::parse(text).map_err(|e| crate::net::describe_error(&e))?;
        serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::from_str(text).map_err(|e| e.to_string())
    }
}

/// `value` as JSON text (maps as objects, `None` as `null`, as serde_json
/// writes them); empty if it cannot be written.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    #[cfg(target_arch = "wasm32")]
    {
        value
            .serialize(&serde_wasm_bindgen::Serializer::json_compatible())
            .ok()
            .and_then(|v| js_sys::JSON::stringify(&v).ok())
            .and_then(|s| s.as_string())
            .unwrap_or_default()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        serde_json::to_string(value).unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_reads_and_writes_as_serde_json_does() {
        assert_eq!(to_string(&Some(204_u16)), "204");
        assert_eq!(to_string(&None::<String>), "null");
        assert_eq!(to_string(&("a\"b", vec![true])), r#"["a\"b",[true]]"#);
        assert_eq!(parse::<Vec<(String, String)>>(r#"[["a","b"]]"#), Ok(vec![("a".to_owned(), "b".to_owned())]));
        assert!(parse::<u16>("70000").is_err());
        assert!(parse::<u16>("{").is_err());
    }
}
