//! HAR files: the streaming reader (`HarReader`) under `read_report`, every
//! entry judged (for one browser, picked by the input's length) with its
//! scenario built, the report written as `cors-har/1` JSON. The bytes go in
//! as they are (a HAR is read as bytes, not text).

use corslab::formats::har::{HarOptions, HarReader, read_report};

use crate::MAX_INPUT_LEN;
use crate::input::pick_browser;

/// The target.
pub fn run(data: &[u8]) {
    if data.len() > MAX_INPUT_LEN {
        return;
    }
    // One browser per input, picked by its length (as `decide` does).
    let options = HarOptions { browsers: vec![pick_browser(data.len())], scenarios: true };
    let report = read_report(data, &options);
    let _ = serde_json::to_string(&report);
    // The reader alone, to its end.
    if let Ok(reader) = HarReader::new(data) {
        for entry in reader {
            if entry.is_err() {
                break;
            }
        }
    }
}
