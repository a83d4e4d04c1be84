//! `Origin::parse`: an origin parses only in its canonical spelling, so
//! what parses serializes back to the input exactly.

use corslab::Origin;
use corslab::diagnosis::audit::probe_origin;
use corslab::policy::OriginPattern;

use crate::text;

/// The audit's origin probes (`diagnosis::audit`).
const PROBES: [&str; 7] = [
    "origin-reflected",
    "null-origin-allowed",
    "prefix-match",
    "suffix-match",
    "unescaped-dot",
    "http-origin-trusted",
    "any-subdomain-trusted",
];

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    let page = Origin::parse("https://page.test").unwrap_or(Origin::Opaque);
    // The policy's origin patterns (`https://*.example.com`, `http://localhost:*`).
    let pattern = OriginPattern::parse(&text).ok();
    match Origin::parse(&text) {
        Ok(origin) => {
            assert_eq!(origin.to_string(), text, "an origin that parses serializes back to its input");
            let comparison = origin.compare(&page);
            let _ = comparison.differing_parts();
            assert_eq!(comparison.is_same_origin(), origin.is_same_origin(&page));
            assert!(origin.is_same_origin(&origin) != origin.is_opaque(), "an origin is same-origin with itself unless opaque");
            if let Some(pattern) = &pattern {
                let _ = pattern.matches(&origin);
            }
            for finding in PROBES {
                if let Some(probe) = probe_origin(finding, &origin) {
                    let _ = Origin::parse(&probe);
                }
            }
        }
        Err(e) => {
            let _ = e.message();
        }
    }
    // The origin of a URL (what a request's URL gives).
    if let Ok(origin) = Origin::from_url_str(&text) {
        let _ = origin.to_string();
    }
}
