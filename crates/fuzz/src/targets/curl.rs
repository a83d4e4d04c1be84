//! DevTools' copies: "Copy as cURL" (`CopiedRequest::parse`, a shell
//! command line) and "Copy as fetch" (`parse_fetch_copy`, a JavaScript
//! call). A copy that reads becomes what `corslab check --from-curl` /
//! `--from-fetch` checks: the page's call from its origin, and the first
//! request each browser would send, as sent.

use corslab::diagnosis::check::{CheckRequest, judge};
use corslab::formats::curl::CopiedRequest;
use corslab::formats::fetch_copy::parse_fetch_copy;
use corslab::{Browser, Origin};

use crate::input::DEFAULT_PAGE;
use crate::text;

/// The cURL target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    match CopiedRequest::parse(&text) {
        Ok(copied) => checked(&copied),
        Err(e) => {
            let _ = (e.kind(), e.to_string());
        }
    }
}

/// The fetch-copy target.
pub fn run_fetch(data: &[u8]) {
    let Some(text) = text(data) else { return };
    match parse_fetch_copy(&text) {
        Ok(copied) => checked(&copied),
        Err(e) => {
            let _ = (e.kind(), e.expected_text(), e.token(), e.offset(), e.to_string());
        }
    }
}

/// What `check` does with a copy first.
fn checked(copied: &CopiedRequest) {
    let page = copied
        .origin
        .as_deref()
        .and_then(|o| Origin::parse(o).ok())
        .unwrap_or_else(|| Origin::parse(DEFAULT_PAGE).unwrap_or(Origin::Opaque));
    let check =
        CheckRequest { call: copied.fetch_call(), page, cookies: copied.cookies.clone(), page_url: copied.page_url.clone() };
    for browser in Browser::ALL {
        if let Some(need) = judge(&check, browser, &[], false).need {
            let _ = need.to_wire(&check, browser.profile());
        }
    }
}
