//! Console lines: `parse_console_line` (Chromium's, Firefox's and Safari's
//! CORS lines, quoted or among other lines), then `explain` and the
//! `cors-console/1` report.

use corslab::browsers::console::parse_console_line;
use corslab::diagnosis::console::{ConsoleReport, explain};

use crate::text;

/// The target.
pub fn run(data: &[u8]) {
    let Some(text) = text(data) else { return };
    match parse_console_line(&text) {
        Ok(parsed) => {
            let explanation = explain(&parsed);
            let _ = serde_json::to_string(&explanation);
            let _ = serde_json::to_string(&ConsoleReport::new(parsed));
        }
        Err(e) => {
            let _ = (e.kind(), e.browser(), e.recognised(), e.excerpt(), e.url(), e.origin());
            let _ = e.to_string();
        }
    }
}
