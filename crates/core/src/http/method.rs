//! Methods: normalization, the CORS-safelisted ones and the forbidden ones.
//!
//! <https://fetch.spec.whatwg.org/#methods>

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::http::token::is_token;

/// A request method, as `fetch()` sends it: a token, normalized (the six
/// methods [`normalize`] knows are upper-cased, any other keeps its case, so
/// `patch` stays `patch`).
///
/// # Examples
///
/// ```
/// use corslab::Method;
///
/// assert_eq!(Method::parse("put").unwrap().as_str(), "PUT");
/// assert_eq!(Method::parse("patch").unwrap().as_str(), "patch");
/// assert!(Method::parse("GET").unwrap().is_cors_safelisted());
/// assert!(Method::parse("bad method").is_err());
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Method(String);

/// Why a string is not a method `fetch()` accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidMethod {
    /// Not a token: `fetch()` throws `TypeError: '<m>' is not a valid HTTP method.`
    NotAToken,
    /// `CONNECT`, `TRACE` or `TRACK`: `fetch()` throws
    /// `TypeError: '<m>' HTTP method is unsupported.`
    Forbidden,
}

impl InvalidMethod {
    /// The fixed message of this error.
    pub fn message(self) -> &'static str {
        match self {
            InvalidMethod::NotAToken => "method is not a valid HTTP token",
            InvalidMethod::Forbidden => "method is forbidden (CONNECT, TRACE, TRACK)",
        }
    }
}

impl fmt::Display for InvalidMethod {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for InvalidMethod {}

impl Method {
    /// Validates and [normalizes](normalize) a method as the `Request`
    /// constructor does.
    ///
    /// <https://fetch.spec.whatwg.org/#dom-request> (steps on `init["method"]`)
    ///
    /// # Errors
    ///
    /// [`InvalidMethod`] when `fetch()` would throw.
    pub fn parse(method: &str) -> Result<Method, InvalidMethod> {
        if !is_token(method) {
            return Err(InvalidMethod::NotAToken);
        }
        if is_forbidden_method(method) {
            return Err(InvalidMethod::Forbidden);
        }
        Ok(Method(normalize(method)))
    }

    /// `GET`.
    pub fn get() -> Method {
        Method("GET".to_owned())
    }

    /// `OPTIONS`, the preflight's method.
    pub fn options() -> Method {
        Method("OPTIONS".to_owned())
    }

    /// The method's bytes.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is a [CORS-safelisted method](https://fetch.spec.whatwg.org/#cors-safelisted-method).
    pub fn is_cors_safelisted(&self) -> bool {
        is_cors_safelisted_method(&self.0)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Method {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Method {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Method::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A [CORS-safelisted method](https://fetch.spec.whatwg.org/#cors-safelisted-method):
/// `GET`, `HEAD` or `POST`, compared case-sensitively (methods are normalized
/// before they get here).
pub fn is_cors_safelisted_method(method: &str) -> bool {
    matches!(method, "GET" | "HEAD" | "POST")
}

/// A [forbidden method](https://fetch.spec.whatwg.org/#forbidden-method):
/// `CONNECT`, `TRACE` or `TRACK`, in any case.
pub fn is_forbidden_method(method: &str) -> bool {
    ["CONNECT", "TRACE", "TRACK"].iter().any(|m| m.eq_ignore_ascii_case(method))
}

/// [Normalizes](https://fetch.spec.whatwg.org/#concept-method-normalize) a
/// method: `DELETE`, `GET`, `HEAD`, `OPTIONS`, `POST` and `PUT` are upper-cased
/// whatever their case; any other method is kept as written.
pub fn normalize(method: &str) -> String {
    const NORMALIZED: [&str; 6] = ["DELETE", "GET", "HEAD", "OPTIONS", "POST", "PUT"];
    match NORMALIZED.iter().find(|m| m.eq_ignore_ascii_case(method)) {
        Some(m) => (*m).to_owned(),
        None => method.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn normalize_upper_cases_only_the_six() {
        for (input, expected) in [
            ("get", "GET"), ("Post", "POST"), ("put", "PUT"), ("delete", "DELETE"),
            ("head", "HEAD"), ("options", "OPTIONS"), ("patch", "patch"), ("Foo", "Foo"),
        ] {
            assert_eq!(normalize(input), expected);
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn cors_safelisted_method_is_case_sensitive_after_normalization() {
        assert!(is_cors_safelisted_method("POST"));
        assert!(!is_cors_safelisted_method("post"));
        assert!(Method::parse("post").unwrap().is_cors_safelisted());
        assert!(!Method::parse("PATCH").unwrap().is_cors_safelisted());
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn forbidden_methods_are_refused_in_any_case() {
        assert_eq!(Method::parse("connect"), Err(InvalidMethod::Forbidden));
        assert_eq!(Method::parse("TRACK"), Err(InvalidMethod::Forbidden));
        assert_eq!(Method::parse("tRaCe"), Err(InvalidMethod::Forbidden));
        assert_eq!(Method::parse(""), Err(InvalidMethod::NotAToken));
        assert_eq!(Method::parse("GE T"), Err(InvalidMethod::NotAToken));
    }
}
