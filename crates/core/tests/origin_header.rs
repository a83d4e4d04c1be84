//! Strict parsing of serialized origins as they appear in an `Origin` header.

use corslab::{Origin, OriginParseError as E};
use wasm_bindgen_test::wasm_bindgen_test;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen_test(unsupported = test)]
fn valid_origins_round_trip() {
    for input in [
        "http://localhost:5050",
        "http://127.0.0.1:8080",
        "https://example.com",
        "https://xn--nxasmq6b.example",
        "http://[::1]:8080",
        "wss://chat.example:8443",
        "ftp://files.example",
        "http://localhost:0",
        "http://localhost:65535",
    ] {
        let origin = Origin::parse(input).unwrap_or_else(|e| panic!("{input}: {e}"));
        assert_eq!(origin.to_string(), input);
    }
    assert_eq!(Origin::parse("null"), Ok(Origin::Opaque));
}

#[wasm_bindgen_test(unsupported = test)]
fn malformed_origins_are_rejected_with_a_specific_error() {
    let table: &[(&str, E)] = &[
        ("", E::Empty),
        (" http://a.test", E::SurroundingWhitespace),
        ("http://a.test\t", E::SurroundingWhitespace),
        ("http://a.test, http://b.test", E::List),
        ("http://a.test,http://b.test", E::List),
        ("a.test", E::MissingScheme),
        ("localhost:5050", E::MissingScheme),
        ("//a.test", E::MissingScheme),
        ("http:/a.test", E::MissingScheme),
        ("1http://a.test", E::InvalidScheme),
        ("ht_tp://a.test", E::InvalidScheme),
        ("://a.test", E::InvalidScheme),
        ("file://a.test", E::UnsupportedScheme),
        ("foo://a.test", E::UnsupportedScheme),
        ("blob://a.test", E::UnsupportedScheme),
        ("http://", E::MissingHost),
        ("http://:8080", E::MissingHost),
        ("http://a b.test", E::List),
        ("http://a%zz.test", E::InvalidHost),
        ("http://exa<mple.com", E::InvalidHost),
        ("http://[::1", E::InvalidHost),
        ("http://a.test:", E::InvalidPort),
        ("http://a.test:99999", E::InvalidPort),
        ("http://a.test:8o", E::InvalidPort),
        ("http://a.test:-1", E::InvalidPort),
        ("http://user@a.test", E::Userinfo),
        ("http://user:pass@a.test", E::Userinfo),
        ("http://a.test/", E::TrailingSlash),
        ("http://a.test/path", E::Path),
        ("http://a.test:8080/index.html", E::Path),
        ("http://a.test\\x", E::Path),
        ("http://a.test?x=1", E::Query),
        ("http://a.test#top", E::Fragment),
        ("http://a.test:80", E::DefaultPort),
        ("https://a.test:443", E::DefaultPort),
        ("http://a.test:080", E::DefaultPort),
        ("http://a.test:08080", E::NotCanonical),
        ("HTTP://a.test", E::NotCanonical),
        ("http://A.TEST", E::NotCanonical),
        ("HTTP://LOCALHOST:5050", E::NotCanonical),
        ("http://bücher.example", E::NotCanonical),
        ("http://0x7f.1", E::NotCanonical),
    ];
    for &(input, expected) in table {
        assert_eq!(Origin::parse(input), Err(expected), "input {input:?}");
        assert!(!expected.message().is_empty());
    }
}
