//! Firefox's and WebKit's console lines read back into what the recordings
//! store: an error name and the parameter it names.
//!
//! Neither browser reports a CORS error to a driver as data (Chromium's
//! DevTools does): Firefox's reason code and WebKit's template are in the
//! text of the line. The reading is the core's
//! ([`corslab::browsers::console`], the inverse of its renderers); this
//! module only picks what verify needs from it and frames WebKit's output.

use corslab::Browser;
use corslab::browsers::console::{LineKind, ParsedConsole, parse_console_line};

/// An error name and the parameter it names.
pub(crate) type Named = (String, Option<String>);

/// `browser`'s line, if the core reads it as that browser's.
fn read(line: &str, browser: Browser) -> Option<ParsedConsole> {
    parse_console_line(line).ok().filter(|parsed| parsed.browser == browser)
}

/// The error of a blocking line.
fn named(parsed: &ParsedConsole) -> Option<Named> {
    (parsed.kind == LineKind::Error).then(|| {
        (parsed.cors_error.unwrap_or(parsed.name).to_owned(), parsed.failed_parameter.clone().filter(|p| !p.is_empty()))
    })
}

/// The reason code and failed parameter of a Firefox console line, if it
/// blocks the request (a `Cross-Origin Request Blocked` reason, or the
/// `Security Error` of a `same-origin` request to another origin); `None`
/// for a warning. A blocking line the core cannot read still blocks: its
/// name then says so, and the comparison shows the line.
pub(crate) fn firefox_error(line: &str) -> Option<Named> {
    match parse_console_line(line) {
        Ok(parsed) if parsed.browser == Browser::Firefox => named(&parsed),
        Ok(_) => None,
        Err(e) if line.starts_with("Cross-Origin Request Blocked: ") => {
            Some((format!("unreadable Firefox line ({e})"), None))
        }
        Err(_) => None,
    }
}

/// The text of a WebKit console line as the driver script reports it,
/// `CONSOLE <SOURCE> <LEVEL> <text>` (the source may be several words), or
/// `None` for anything else.
pub(crate) fn webkit_text(line: &str) -> Option<&str> {
    let rest = line.strip_prefix("CONSOLE ")?;
    [" ERROR ", " WARN ", " WARNING ", " LOG ", " INFO ", " DEBUG "]
        .iter()
        .filter_map(|level| rest.find(level).map(|at| (at, level.len())))
        .min()
        .map(|(at, len)| &rest[at + len..])
}

/// Whether a WebKit text is the generic second line every failure ends with
/// (`Fetch API cannot load {url} due to access control checks.`).
pub(crate) fn webkit_is_generic(text: &str) -> bool {
    read(text, Browser::Webkit).is_some_and(|parsed| parsed.kind == LineKind::Generic)
}

/// The template name and failed parameter of a WebKit console text, if it
/// is one of WebKit's access-control errors.
pub(crate) fn webkit_error(text: &str) -> Option<Named> {
    read(text, Browser::Webkit).as_ref().and_then(named)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every Firefox and WebKit line of the recorded corpus reads back as
    /// the error name and parameter recorded beside it.
    #[test]
    fn recorded_lines_read_back() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../core/testdata/scenarios/recorded.json");
        let text = std::fs::read_to_string(path).expect("recorded.json");
        let file = corslab::formats::scenario::ScenarioFile::parse(&text).expect("a scenario file");
        let mut read = 0;
        for scenario in &file.scenarios {
            for (browser, reader) in
                [("firefox", firefox_error as fn(&str) -> Option<Named>), ("webkit", webkit_error as fn(&str) -> Option<Named>)]
            {
                let Some(expect) = scenario.expect.get(browser) else { continue };
                let Some(console) = &expect.console else { continue };
                // As the browser printed it: the placeholders filled in.
                let console = console
                    .replace("{url}", "http://localhost:8080/replay/r?origin=x&s=200")
                    .replace("{origin}", "http://localhost:5050");
                let want = expect.cors_error.clone().map(|name| {
                    let parameter = expect.failed_parameter.as_ref().map(|p| p.replace("{origin}", "http://localhost:5050"));
                    (name, parameter)
                });
                assert_eq!(reader(&console), want, "{} in {browser}: {console}", scenario.id);
                read += 1;
            }
        }
        assert!(read > 50, "only {read} lines read");
    }

    #[test]
    fn webkit_lines_split() {
        assert_eq!(
            webkit_text("CONSOLE SECURITY ERROR Preflight response is not successful. Status code: 404"),
            Some("Preflight response is not successful. Status code: 404")
        );
        let generic = "Fetch API cannot load http://localhost:8080/r?a=1 due to access control checks.";
        assert_eq!(webkit_text(&format!("CONSOLE JS ERROR {generic}")), Some(generic));
        assert_eq!(webkit_text("something else"), None);
        assert!(webkit_is_generic(generic));
        assert_eq!(webkit_error(generic), None);
        assert_eq!(webkit_error("Fetch API cannot load http://localhost:8080/r."), Some(("FetchCannotLoad".to_owned(), None)));
    }

    #[test]
    fn firefox_warnings_do_not_block() {
        let warning = "Cross-Origin Request Warning: The Same Origin Policy will disallow reading the remote resource at http://localhost:8080/r soon. (Reason: When the `Access-Control-Allow-Headers` is `*`, the `Authorization` header is not covered. To include the `Authorization` header, it must be explicitly listed in CORS header `Access-Control-Allow-Headers`).";
        assert_eq!(firefox_error(warning), None);
    }
}
