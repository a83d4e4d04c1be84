//! Which request headers a cross-origin request may carry without a
//! preflight, and which response headers a page may always read.
//!
//! <https://fetch.spec.whatwg.org/#cors-safelisted-request-header>

use std::fmt;

use serde::Serialize;

use crate::http::header::{HeaderList, HeaderName, KnownSet};
use crate::http::mime::parse_mime_type;
use crate::browsers::profile::{Profile, RepeatedRequestHeaders};
use crate::http::range::parse_single_range;
use crate::http::token::isomorphic_len;

/// The longest value a safelisted request header may have, in bytes.
pub const MAX_SAFELISTED_VALUE_LEN: usize = 128;

/// A request header that passed the safelist, by kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SafelistedHeader {
    /// `Accept` without CORS-unsafe bytes.
    Accept,
    /// `Accept-Language` in the language alphabet.
    AcceptLanguage,
    /// `Content-Language` in the language alphabet.
    ContentLanguage,
    /// `Content-Type` whose essence is one of the three.
    ContentType,
    /// `Range` with one `bytes=start-[end]` range.
    Range,
    /// A Chromium client hint with a valid value.
    ClientHint,
}

/// Why a request header is not safelisted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum NotSafelisted {
    /// The value is over 128 bytes.
    TooLong {
        /// Its length.
        len: usize,
    },
    /// The name is not on the safelist.
    Name,
    /// The value holds a [CORS-unsafe request-header byte](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte).
    UnsafeByte {
        /// The byte.
        byte: u8,
    },
    /// A language header holds a byte outside `0-9 A-Z a-z space * , - . ; =`.
    LanguageByte {
        /// The byte.
        byte: u8,
    },
    /// `Content-Type` does not parse as a MIME type.
    MimeTypeUnparsable,
    /// `Content-Type` has an essence other than the three safelisted ones.
    MimeEssence {
        /// The essence.
        essence: String,
    },
    /// `Range` is not one `bytes=start-[end]` range.
    RangeSyntax,
    /// `Range` is a suffix range (`bytes=-500`), which browsers never sent.
    RangeSuffix,
    /// A client hint with a value the browser does not accept.
    ClientHintValue,
    /// The safelisted values together exceed 1024 bytes.
    TotalTooLong {
        /// The total.
        total: usize,
    },
}

impl fmt::Display for NotSafelisted {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NotSafelisted::TooLong { len } => write!(f, "its value is {len} bytes, over the 128-byte limit"),
            NotSafelisted::Name => f.write_str("its name is not on the CORS safelist"),
            NotSafelisted::UnsafeByte { byte } => {
                write!(f, "its value holds the CORS-unsafe byte {}", describe_byte(*byte))
            }
            NotSafelisted::LanguageByte { byte } => write!(
                f,
                "its value holds {}, outside 0-9 A-Z a-z space * , - . ; =",
                describe_byte(*byte)
            ),
            NotSafelisted::MimeTypeUnparsable => f.write_str("its value is not a valid MIME type"),
            NotSafelisted::MimeEssence { essence } => write!(
                f,
                "its MIME type {essence} is not application/x-www-form-urlencoded, multipart/form-data or text/plain"
            ),
            NotSafelisted::RangeSyntax => f.write_str("its value is not one bytes=start-[end] range"),
            NotSafelisted::RangeSuffix => f.write_str("it is a suffix range (bytes=-N), which is not safelisted"),
            NotSafelisted::ClientHintValue => f.write_str("its value is not a valid client-hint value"),
            NotSafelisted::TotalTooLong { total } => {
                write!(f, "the safelisted values total {total} bytes, over the 1024-byte limit")
            }
        }
    }
}

fn describe_byte(byte: u8) -> String {
    if byte.is_ascii_graphic() {
        format!("'{}'", byte as char)
    } else {
        format!("0x{byte:02X}")
    }
}

/// A [CORS-unsafe request-header byte](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-byte).
pub fn is_cors_unsafe_request_header_byte(byte: u8) -> bool {
    CORS_UNSAFE_REQUEST_HEADER_BYTES[usize::from(byte)]
}

/// [`is_cors_unsafe_request_header_byte`] as a table, built at compile
/// time from the standard's list: every byte of a request's `Accept` and
/// `Content-Type` values goes through it.
const CORS_UNSAFE_REQUEST_HEADER_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        let byte = i as u8;
        table[i] = (byte < 0x20 && byte != 0x09)
            || matches!(
                byte,
                b'"' | b'(' | b')' | b':' | b'<' | b'>' | b'?' | b'@' | b'[' | b'\\' | b']' | b'{' | b'}' | 0x7F
            );
        i += 1;
    }
    table
};

/// The bytes of a value as the header carries them (isomorphic encoding:
/// one byte per character, all below U+0100 once validated).
fn value_bytes(value: &str) -> impl Iterator<Item = u8> + '_ {
    value.chars().map(|c| u8::try_from(u32::from(c)).unwrap_or(0xFF))
}

fn first_unsafe_byte(value: &str) -> Option<u8> {
    if value.is_ascii() {
        // One byte per character already.
        return value.bytes().find(|b| is_cors_unsafe_request_header_byte(*b));
    }
    value_bytes(value).find(|b| is_cors_unsafe_request_header_byte(*b))
}

/// Decides whether (`name`, `value`) is a [CORS-safelisted request-header](https://fetch.spec.whatwg.org/#cors-safelisted-request-header)
/// under `profile`.
///
/// # Examples
///
/// ```
/// use corslab::{Browser, HeaderName, fetch::safelist::check_safelisted};
///
/// let ct = HeaderName::parse("Content-Type").unwrap();
/// let spec = Browser::Spec.profile();
/// assert!(check_safelisted(&ct, "text/plain;charset=UTF-8", spec).is_ok());
/// assert!(check_safelisted(&ct, "application/json", spec).is_err());
/// ```
///
/// # Errors
///
/// [`NotSafelisted`] says which rule the header breaks.
pub fn check_safelisted(
    name: &HeaderName,
    value: &str,
    profile: &Profile,
) -> Result<SafelistedHeader, NotSafelisted> {
    // 1. Values over 128 bytes are never safelisted.
    let len = isomorphic_len(value);
    if len > MAX_SAFELISTED_VALUE_LEN {
        return Err(NotSafelisted::TooLong { len });
    }
    // 2. Switch on the lower-case name.
    match name.as_str() {
        "accept" => match first_unsafe_byte(value) {
            Some(byte) => Err(NotSafelisted::UnsafeByte { byte }),
            None => Ok(SafelistedHeader::Accept),
        },
        "accept-language" | "content-language" => {
            let allowed = |b: u8| b.is_ascii_alphanumeric() || b" *,-.;=".contains(&b);
            match value_bytes(value).find(|b| !allowed(*b)) {
                Some(byte) => Err(NotSafelisted::LanguageByte { byte }),
                None if name.as_str() == "accept-language" => Ok(SafelistedHeader::AcceptLanguage),
                None => Ok(SafelistedHeader::ContentLanguage),
            }
        }
        "content-type" => {
            if let Some(byte) = first_unsafe_byte(value) {
                return Err(NotSafelisted::UnsafeByte { byte });
            }
            let mime = parse_mime_type(value).ok_or(NotSafelisted::MimeTypeUnparsable)?;
            if is_safelisted_essence(mime.type_(), mime.subtype()) {
                Ok(SafelistedHeader::ContentType)
            } else {
                Err(NotSafelisted::MimeEssence { essence: mime.essence() })
            }
        }
        "range" => match parse_single_range(value, false) {
            None => Err(NotSafelisted::RangeSyntax),
            Some(range) if range.start.is_none() => Err(NotSafelisted::RangeSuffix),
            Some(_) => Ok(SafelistedHeader::Range),
        },
        hint if profile.client_hints_safelisted && is_client_hint(hint) => {
            if client_hint_value_ok(hint, value) {
                Ok(SafelistedHeader::ClientHint)
            } else {
                Err(NotSafelisted::ClientHintValue)
            }
        }
        _ => Err(NotSafelisted::Name),
    }
}

/// The three MIME type essences a simple request may declare.
fn is_safelisted_essence(type_: &str, subtype: &str) -> bool {
    matches!(
        (type_, subtype),
        ("application", "x-www-form-urlencoded") | ("multipart", "form-data") | ("text", "plain")
    )
}

/// Chromium's extra safelisted request headers (`safe_names` in
/// services/network/public/cpp/cors/cors.cc): client hints, and
/// `Intervention`, which Chrome adds itself.
fn is_client_hint(name: &str) -> bool {
    matches!(
        name,
        "device-memory" | "dpr" | "width" | "viewport-width" | "rtt" | "downlink" | "ect" | "save-data" | "intervention"
    )
}

/// Chromium's value rules for the client hints it safelists.
fn client_hint_value_ok(name: &str, value: &str) -> bool {
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let decimal = |s: &str| match s.split_once('.') {
        Some((int, frac)) => digits(int) && digits(frac),
        None => digits(s),
    };
    match name {
        "device-memory" | "dpr" | "downlink" => decimal(value),
        "width" | "viewport-width" | "rtt" => digits(value),
        "ect" => matches!(value, "4g" | "3g" | "2g" | "slow-2g"),
        "save-data" => value.eq_ignore_ascii_case("on"),
        "intervention" => true,
        _ => false,
    }
}

/// A [no-CORS-safelisted request-header](https://fetch.spec.whatwg.org/#no-cors-safelisted-request-header):
/// one of `Accept`, `Accept-Language`, `Content-Language`, `Content-Type`
/// with a safelisted value. Other headers are dropped from `no-cors` requests.
pub fn is_no_cors_safelisted(name: &HeaderName, value: &str, profile: &Profile) -> bool {
    matches!(name.as_str(), "accept" | "accept-language" | "content-language" | "content-type")
        && check_safelisted(name, value, profile).is_ok()
}

/// The verdict on each request header, and the resulting
/// [CORS-unsafe request-header names](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct UnsafeHeaders {
    /// Each header (combined first where the profile combines repeated
    /// headers) with its verdict, in request order.
    pub verdicts: Vec<(HeaderName, Result<SafelistedHeader, NotSafelisted>)>,
    /// The total length of the values that passed the safelist.
    pub safelisted_total: usize,
    /// Whether that total broke the profile's limit, making them all unsafe.
    pub over_total: bool,
    /// The unsafe names: lower-case, sorted, without duplicates. These go in
    /// `Access-Control-Request-Headers`.
    pub names: Vec<HeaderName>,
    /// The same names in the order the page set them (Chromium checks them
    /// against `Access-Control-Allow-Headers` in this order).
    pub request_order: Vec<HeaderName>,
}

/// Computes the [CORS-unsafe request-header names](https://fetch.spec.whatwg.org/#cors-unsafe-request-header-names)
/// of `headers` under `profile`, keeping why each header is or is not safe.
pub fn cors_unsafe_request_header_names(headers: &HeaderList, profile: &Profile) -> UnsafeHeaders {
    let combined;
    let headers = match profile.repeated_request_headers {
        RepeatedRequestHeaders::Combined => {
            combined = headers.combined();
            &*combined
        }
        RepeatedRequestHeaders::Separate => headers,
    };
    let mut out = UnsafeHeaders { verdicts: Vec::with_capacity(headers.len()), ..UnsafeHeaders::default() };
    for (name, value) in headers.iter() {
        let verdict = check_safelisted(name, value, profile);
        match verdict {
            Ok(_) => out.safelisted_total += isomorphic_len(value),
            Err(_) => out.names.push(name.clone()),
        }
        out.verdicts.push((name.clone(), verdict));
    }
    if profile.safelist_total_limit.is_some_and(|limit| out.safelisted_total > limit) {
        out.over_total = true;
        // The potentially unsafe ones (those that passed the safelist) too.
        let passed = out.verdicts.iter().filter(|(_, verdict)| verdict.is_ok()).map(|(name, _)| name.clone());
        out.names.extend(passed);
    }
    for name in &out.names {
        if !out.request_order.contains(name) {
            out.request_order.push(name.clone());
        }
    }
    // "Convert header names to a sorted-lowercase set": names are already
    // lower-case.
    // Equal names are identical: an unstable sort orders them alike.
    crate::sort::sort_dedup(&mut out.names);
    out
}

/// The [CORS-safelisted response-header names](https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name),
/// readable before any `Access-Control-Expose-Headers`.
pub const CORS_SAFELISTED_RESPONSE_HEADER_NAMES: [&str; 7] =
    ["cache-control", "content-language", "content-length", "content-type", "expires", "last-modified", "pragma"];

/// [`CORS_SAFELISTED_RESPONSE_HEADER_NAMES`] as a bit set over well-known names.
const CORS_SAFELISTED_RESPONSE_HEADERS: KnownSet = KnownSet::of(&CORS_SAFELISTED_RESPONSE_HEADER_NAMES);

/// A [CORS-safelisted response-header name](https://fetch.spec.whatwg.org/#cors-safelisted-response-header-name)
/// (lower-case), before any `Access-Control-Expose-Headers`.
pub fn is_cors_safelisted_response_header_name(name: &str) -> bool {
    CORS_SAFELISTED_RESPONSE_HEADER_NAMES.contains(&name)
}

/// [`is_cors_safelisted_response_header_name`] for a parsed name: a bit
/// test (a page's every response header goes through it).
pub fn is_cors_safelisted_response_header(name: &HeaderName) -> bool {
    CORS_SAFELISTED_RESPONSE_HEADERS.contains(name)
}

/// A [CORS non-wildcard request-header name](https://fetch.spec.whatwg.org/#cors-non-wildcard-request-header-name):
/// `Authorization`, which `Access-Control-Allow-Headers: *` does not cover.
pub fn is_cors_non_wildcard_request_header_name(name: &str) -> bool {
    name == "authorization"
}
