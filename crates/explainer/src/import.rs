//! "Start from what you have": the evidence a developer already holds,
//! read by the core's own parsers (the same ones `corslab explain-error`
//! and `corslab check --from-curl`/`--from-fetch` use) and turned into a
//! composition the page predicts, explains and can send.
//!
//! - a console line (Chromium's, Firefox's or WebKit's): explained
//!   (`corslab::diagnosis::console`); where it names the URL and the page's
//!   origin, the lab points at that server ("your server" mode);
//! - a DevTools "Copy as cURL" (bash) or "Copy as fetch": the request
//!   `fetch()` made, without the headers it could not have set (named), to
//!   that server;
//! - a HAR file ("Save all as HAR"): [`crate::har`].

use std::fmt::Write as _;

use corslab::browsers::console::parse_console_line;
use corslab::diagnosis::console::{ConsoleReport, browser_name};
use corslab::formats::curl::CopiedRequest;
use corslab::formats::fetch_copy::parse_fetch_copy;
use corslab::formats::pasted::{PastedKind, pasted_kind};
use corslab::formats::scenario::ScenarioRequest;
use corslab::{Browser, Origin};

use crate::state::{Composition, ServerSetup};
use crate::view::esc;

/// The longest pasted text the page reads, in bytes (a console line with a
/// long URL, a cURL command with a body): the core's bound for copied
/// requests, which the CLI keeps too.
pub use corslab::formats::curl::MAX_INPUT_LEN as MAX_TEXT_LEN;

/// What a pasted text turned out to be.
#[derive(Debug)]
pub enum Pasted {
    /// A request copied from DevTools, as the composition it makes, with
    /// what was left out.
    Copied { composition: Composition, html: String },
    /// A console line, explained; the composition when the line names the
    /// URL and the page's origin.
    Console { composition: Option<Composition>, html: String },
}

/// The panel's skeleton: the text box, the file picker, the result.
pub fn skeleton() -> String {
    "<h2 id=\"import-title\">Start from what you have</h2>\
<p class=\"hint\">Paste the red console line, or a request from the Network panel (<em>Copy as cURL</em> or <em>Copy as fetch</em>), or open a HAR file (<em>Save all as HAR</em>): read in this page, nothing is uploaded.</p>\
<label for=\"import-text\">Console line, cURL or fetch copy</label><textarea id=\"import-text\" rows=\"3\" spellcheck=\"false\"></textarea>\
<div class=\"actions\"><button type=\"button\" data-action=\"import-text\">Read it</button>\
<label for=\"import-file\">…or a HAR file (at most 50 MB)</label><input type=\"file\" id=\"import-file\" accept=\".har,application/json\"></div>\
<div id=\"import-result\" aria-live=\"polite\"></div>"
        .to_owned()
}

/// Reads a pasted text: a cURL or fetch copy by its first word, anything
/// else as a console line. `base` is the composition it amends (its
/// profile; for a console line that names no URL, its request).
///
/// # Errors
///
/// The parser's message, and what was recognised, as HTML.
pub fn read_text(text: &str, base: &Composition) -> Result<Pasted, String> {
    let text = text.trim();
    if text.is_empty() {
        return Err("<p class=\"banner skip\">Nothing to read: paste a console line, a cURL command or a fetch() copy.</p>".to_owned());
    }
    if text.len() > MAX_TEXT_LEN {
        return Err(format!("<p class=\"banner skip\">That is {} bytes; the page reads at most {MAX_TEXT_LEN} (a console line or a copied request is far shorter).</p>", text.len()));
    }
    match pasted_kind(text) {
        PastedKind::Curl | PastedKind::PowerShell => {
            // (The cURL reader says what to copy instead of PowerShell.)
            let copied = CopiedRequest::parse(text).map_err(|e| format!("<p class=\"banner fail\">This reads as a copied request, but: {}</p>", esc(&e.to_string())))?;
            return Ok(copied_composition(&copied, base, "cURL"));
        }
        PastedKind::Fetch => {
            let copied = parse_fetch_copy(text).map_err(|e| format!("<p class=\"banner fail\">This reads as a fetch() copy, but: {}</p>", esc(&e.to_string())))?;
            return Ok(copied_composition(&copied, base, "fetch()"));
        }
        PastedKind::Other => {}
    }
    let parsed = parse_console_line(text).map_err(|e| {
        format!(
            "<p class=\"banner fail\">Not a console line CORS Lab knows, nor a cURL or fetch() copy: {}</p><p class=\"hint\">It reads Chromium's, Firefox's and WebKit's CORS and Local Network Access lines as the browsers print them; a cURL copy starts with <code>curl</code>, a fetch copy with <code>fetch(</code>.</p>",
            esc(&e.to_string())
        )
    })?;
    let report = ConsoleReport::new(parsed);
    let mut html = String::new();
    let p = &report.parsed;
    let _ = write!(
        html,
        "<p class=\"banner fail\" data-role=\"import-console\">{browser}: <code>{name}</code>{param}</p><p><strong>{summary}</strong></p><p>{explanation}</p>",
        browser = esc(browser_name(p.browser)),
        name = esc(p.cors_error.unwrap_or(p.name)),
        param = p.failed_parameter.as_deref().map_or_else(String::new, |v| format!(" (<code>{}</code>)", esc(v))),
        summary = esc(&report.explained.summary),
        explanation = esc(&report.explained.explanation),
    );
    if !report.explained.causes.is_empty() {
        html.push_str("<p>Usual causes:</p><ul>");
        for cause in &report.explained.causes {
            let _ = write!(html, "<li>{}</li>", esc(cause));
        }
        html.push_str("</ul>");
    }
    if !report.explained.fix.is_empty() {
        html.push_str("<p>The fix:</p><ul data-role=\"import-fix\">");
        for fix in &report.explained.fix {
            let _ = write!(html, "<li><strong>{}</strong> {}</li>", esc(&fix.text), esc(&fix.why));
        }
        html.push_str("</ul>");
    }
    let _ = write!(html, "<p>Confirm it against the server: <code>{}</code></p>", esc(&report.explained.check));
    let composition = match (&p.url, &p.origin) {
        (Some(url), Some(origin)) if Origin::parse(origin).is_ok() => {
            html.push_str("<p class=\"hint\">The lab now points at that server (your server mode): check it from your app, or send it from this page.</p>");
            Some(Composition { id: "console".to_owned(), server: ServerSetup::yours(url.clone(), origin.clone()), browser: browser_of(p.browser), ..base.clone() }.clamped())
        }
        _ => {
            html.push_str("<p class=\"hint\">The line does not name both the URL and the page's origin, so the composition stays as it was.</p>");
            None
        }
    };
    Ok(Pasted::Console { composition, html })
}

/// The profile for a line's browser.
fn browser_of(browser: Browser) -> Browser {
    if browser == Browser::Spec { Browser::Chrome } else { browser }
}

/// A copied request as a composition against its own server, and the
/// sentence that says what was read and left out.
fn copied_composition(copied: &CopiedRequest, base: &Composition, what: &str) -> Pasted {
    let call = copied.fetch_call();
    let path = url::Url::parse(&call.url).map_or_else(|_| "/".to_owned(), |u| {
        let mut path = u.path().to_owned();
        if let Some(query) = u.query() {
            path.push('?');
            path.push_str(query);
        }
        path
    });
    let origin = copied.origin.clone().unwrap_or_else(|| base_origin(base));
    let composition = Composition {
        id: "copied".to_owned(),
        request: ScenarioRequest {
            method: call.method.clone(),
            path,
            headers: call.headers.clone(),
            mode: call.mode,
            credentials: call.credentials,
            body: call.body.clone(),
            ..base.request.clone()
        },
        server: ServerSetup::yours(call.url.clone(), origin.clone()),
        repeat: 1,
        browser: copied.browser.map_or(base.browser, browser_of),
        hops: Vec::new(),
        spaces: None,
    }
    .clamped();
    let mut html = format!(
        "<p class=\"banner pass\" data-role=\"import-copied\">Read a {what} copy: <code>{} {}</code> from <code>{}</code>{}.</p>",
        esc(&call.method),
        esc(&call.url),
        esc(&origin),
        if copied.origin.is_some() { "" } else { " (the copy names no page origin: this lab's app origin is kept; change it below)" },
    );
    if !copied.dropped.is_empty() {
        html.push_str("<p>Left out (the page did not set them):</p><ul data-role=\"import-dropped\">");
        for dropped in &copied.dropped {
            let _ = write!(html, "<li><code>{}</code>: {}</li>", esc(&dropped.name), esc(&dropped.reason.describe()));
        }
        html.push_str("</ul>");
    }
    if !copied.warnings.is_empty() {
        let _ = write!(html, "<p class=\"note\">{} thing(s) in the copy a fetch() could not have done; <code>corslab check --from-curl</code> names each.</p>", copied.warnings.len());
    }
    html.push_str("<p class=\"hint\">The lab now points at that server (your server mode): check it from your app, or send it from this page.</p>");
    Pasted::Copied { composition, html }
}

/// The app origin a composition already names (your server's), else none.
fn base_origin(base: &Composition) -> String {
    match &base.server {
        ServerSetup::Yours { app_origin, .. } => app_origin.clone(),
        _ => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_curl_copy_becomes_a_request_to_its_server() {
        let curl = "curl 'http://localhost:3000/api/items' -X 'PUT' -H 'Origin: http://localhost:5173' -H 'Content-Type: application/json' -H 'X-Token: 1' -H 'Sec-Fetch-Mode: cors' --data-raw '{}'";
        let Ok(Pasted::Copied { composition, html }) = read_text(curl, &Composition::default()) else { panic!("not read") };
        assert_eq!(composition.server, ServerSetup::yours("http://localhost:3000/api/items", "http://localhost:5173"));
        assert_eq!(composition.request.method, "PUT");
        assert_eq!(composition.request.path, "/api/items");
        assert!(composition.request.headers.iter().any(|(n, _)| n == "X-Token"));
        assert!(!composition.request.headers.iter().any(|(n, _)| n.eq_ignore_ascii_case("origin")));
        assert!(html.contains("<code>Origin</code>") && html.contains("<code>Sec-Fetch-Mode</code>"), "{html}");
    }

    #[test]
    fn a_fetch_copy_is_read_too() {
        let copy = r#"fetch("http://localhost:3000/data", {"headers": {"x-a": "1"}, "referrer": "http://localhost:5173/", "body": null, "method": "GET", "mode": "cors", "credentials": "include"});"#;
        let Ok(Pasted::Copied { composition, .. }) = read_text(copy, &Composition::default()) else { panic!("not read") };
        assert_eq!(composition.request.credentials, corslab::CredentialsMode::Include);
        assert_eq!(composition.server, ServerSetup::yours("http://localhost:3000/data", "http://localhost:5173"));
    }

    #[test]
    fn a_console_line_is_explained_and_points_at_its_server() {
        let line = "Access to fetch at 'http://localhost:3000/data' from origin 'http://localhost:5173' has been blocked by CORS policy: No 'Access-Control-Allow-Origin' header is present on the requested resource.";
        let Ok(Pasted::Console { composition, html }) = read_text(line, &Composition::default()) else { panic!("not read") };
        assert!(html.contains("MissingAllowOriginHeader"), "{html}");
        assert!(html.contains("data-role=\"import-fix\""), "{html}");
        let c = composition.expect("a composition");
        assert_eq!(c.server, ServerSetup::yours("http://localhost:3000/data", "http://localhost:5173"));
        assert_eq!(c.browser, Browser::Chrome);
    }

    #[test]
    fn anything_else_gets_a_clear_answer() {
        for text in ["", "hello", "curl 'http://x/ -H 'A: b", &"x".repeat(MAX_TEXT_LEN + 1)] {
            let html = read_text(text, &Composition::default()).expect_err(text.get(..20).unwrap_or(text));
            assert!(html.contains("banner"), "{html}");
        }
    }

}
