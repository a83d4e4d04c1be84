//! Untrusted text on a terminal: a server's headers, a HAR's values, a
//! pasted command. Control characters are shown escaped, never sent to the
//! terminal, so an answer cannot move the cursor, rewrite a line or run
//! an escape sequence.

/// `text` with every control character (C0 but newline and tab, DEL, C1)
/// and every bidirectional or line-breaking format character escaped as
/// `\xHH` or `\u{HHHH}`.
pub(crate) fn shown(text: &str) -> String {
    if !text.chars().any(needs_escape) {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if needs_escape(c) {
            let code = u32::from(c);
            if code < 0x100 {
                out.push_str(&format!("\\x{code:02x}"));
            } else {
                out.push_str(&format!("\\u{{{code:04x}}}"));
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::shown;

    #[test]
    fn escape_sequences_and_bidi_controls_are_shown_not_sent() {
        assert_eq!(shown("plain: value"), "plain: value");
        assert_eq!(shown("a\x1b[2Jb"), "a\\x1b[2Jb");
        assert_eq!(shown("x\ry\x7f\u{85}"), "x\\x0dy\\x7f\\x85");
        assert_eq!(shown("evil\u{202e}txt"), "evil\\u{202e}txt");
        assert_eq!(shown("two\nlines\ttab"), "two\nlines\ttab");
    }
}
