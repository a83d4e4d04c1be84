//! The seed article's story: a page calls a server, the browser blocks it,
//! and the server is fixed three ways. One button per server variant.

use corslab::Origin;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::Element;

use crate::dom::{append, element, page_origin};
use crate::net::{FetchInit, FetchOutcome, fetch};
use crate::SERVER;

/// The four server variants of the article, as (button label, path).
pub const VARIANTS: [(&str, &str); 4] = [
    ("No CORS headers (GET /)", "/"),
    ("Allow one origin (/allow/origin)", "/allow/origin"),
    ("Allow any origin (/allow/any)", "/allow/any"),
    ("Allow a list (/allow/list)", "/allow/list"),
];

/// The core's verdict on a request from `page` to `server`, in words.
pub fn cross_origin_verdict(page: &str, server: &str) -> String {
    let (page, server) = match (Origin::from_url_str(page), Origin::from_url_str(server)) {
        (Ok(p), Ok(s)) => (p, s),
        _ => return "cannot parse the page's or the server's origin".to_owned(),
    };
    let comparison = page.compare(&server);
    if comparison.is_same_origin() {
        format!("same-origin: {page} and {server} are the same origin, CORS does not apply")
    } else {
        format!(
            "cross-origin: {page} → {server} differ in {}, so the browser applies CORS",
            comparison.differing_parts().join(" and ")
        )
    }
}

/// Builds the seed panel inside `root`.
pub fn mount(root: &Element) -> Result<(), JsValue> {
    let page = page_origin()?;
    let section = element("section", &[("id", "seed"), ("aria-labelledby", "seed-title")], "")?;
    let title = element("h2", &[("id", "seed-title")], "The article's example")?;
    let origins = element("p", &[("class", "origins")], "")?;
    let page_line = element("span", &[("id", "page-origin")], &format!("This page: {page}"))?;
    let server_line = element("span", &[("id", "server-origin")], &format!("Server: {SERVER}"))?;
    append(&origins, &[&page_line, &element("br", &[], "")?, &server_line])?;
    let buttons = element("div", &[("class", "buttons"), ("role", "group")], "")?;
    for (index, (label, path)) in VARIANTS.iter().enumerate() {
        let button = element(
            "button",
            &[("type", "button"), ("data-path", path), ("id", &format!("seed-{index}"))],
            label,
        )?;
        append(&buttons, &[&button])?;
    }
    let result = element("pre", &[("id", "seed-result"), ("aria-live", "polite")], "")?;
    append(&section, &[&title, &origins, &buttons, &result])?;
    append(root, &[&section])?;

    // One listener on the group (event delegation): no closure per button.
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let Some(path) = event
            .target()
            .and_then(|t| t.dyn_into::<Element>().ok())
            .and_then(|e| e.closest("button").ok().flatten())
            .and_then(|b| b.get_attribute("data-path"))
        else {
            return;
        };
        let result = result.clone();
        let page = page.clone();
        wasm_bindgen_futures::spawn_local(async move {
            let url = format!("{SERVER}{path}");
            result.set_text_content(Some(&format!("GET {url} …")));
            let outcome = fetch(&url, &FetchInit::default()).await;
            result.set_text_content(Some(&describe(&url, &page, &outcome)));
        });
    });
    buttons.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref())?;
    // The panel lives as long as the page: its one listener does too.
    on_click.forget();
    Ok(())
}

/// The text shown after a click: the outcome, then the core's verdict.
pub fn describe(url: &str, page: &str, outcome: &FetchOutcome) -> String {
    let verdict = cross_origin_verdict(page, url);
    match outcome {
        FetchOutcome::Resolved { status, response_type, body, .. } => {
            format!("GET {url}\n→ {status} ({response_type}): {body}\n\n{verdict}")
        }
        FetchOutcome::Rejected { error } => format!(
            "GET {url}\n→ blocked: fetch() rejected with {error}\n  (the console says why: a CORS error)\n\n{verdict}"
        ),
    }
}
