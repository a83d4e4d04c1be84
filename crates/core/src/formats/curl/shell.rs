//! Splitting a command line into words the way bash does, for the subset of
//! bash that "Copy as cURL" produces and that people type around it.
//!
//! <https://www.gnu.org/software/bash/manual/html_node/Quoting.html>
//!
//! Read: blanks, `\`-newline continuations (also `\` + CRLF), `#` comments,
//! `\x` escapes outside quotes, `'…'`, `"…"` (with `\"`, `\\`, `\$`, `` \` ``
//! and `\`-newline), `$'…'` ([ANSI-C quoting](https://www.gnu.org/software/bash/manual/html_node/ANSI_002dC-Quoting.html))
//! and `$"…"` (read as `"…"`, its C-locale meaning).
//!
//! Refused, because their value depends on the shell that would run them:
//! parameter and command substitution, backquotes, tilde and brace
//! expansion; refused because they are not one curl command: operators and
//! a second command on another line. Pathname expansion is not done: an
//! unquoted `*` or `?` stays as written (bash's default when nothing matches).
//!
//! Departures from bash, each deliberate:
//!
//! - a carriage return outside quotes is a blank, so a command pasted with
//!   CRLF line endings reads as it was written;
//! - a backslash ending the input is an error: `bash -c` would keep it as
//!   a `\`, an interactive bash would wait for the next line; here it is
//!   most likely a copy cut short;
//! - a NUL (`$'\0'`, `\x00`, `\u0000`) is kept: bash would end the word
//!   there, but the browser wrote it because the page sent it;
//! - `$'\uD83D\uDE00'` (Firefox writes characters outside the BMP as
//!   UTF-16 surrogate pairs) is the one character it stands for; a lone
//!   surrogate or a value above U+10FFFF becomes U+FFFD, as `fetch()` turns
//!   a lone surrogate in a string body into U+FFFD;
//! - bytes from `\xHH` or octal escapes that do not form UTF-8 are read as
//!   Latin-1 (byte 0xE9 is `é`): Firefox writes the characters U+0080 to
//!   U+00FF that way, and a header value is a byte string in which each byte
//!   is such a character. So `$'\xc3\xa9'` is `é` (valid UTF-8) while
//!   `$'\xe9'` is `é` too.

use crate::formats::pasted::{PastedKind, pasted_kind};

use super::error::{CurlErrorKind, CurlParseError};

/// A word of the command, quotes removed and escapes applied.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct Word {
    /// The text curl would receive as one argument.
    pub(super) text: String,
    /// The byte offset of its first character in the input.
    pub(super) offset: usize,
}

/// Splits one command into words.
pub(super) fn split(input: &str) -> Result<Vec<Word>, CurlParseError> {
    refuse_other_flavours(input)?;
    let mut cursor = Cursor { input, pos: 0 };
    let mut words = Vec::new();
    while let Some(ch) = cursor.peek() {
        match ch {
            ' ' | '\t' | '\r' => cursor.bump_char(),
            '\\' if cursor.continuation_len() > 0 => cursor.pos += cursor.continuation_len(),
            '\n' if words.is_empty() => cursor.bump_char(),
            '\n' => {
                cursor.bump_char();
                cursor.expect_only_blanks()?;
                break;
            }
            '#' => cursor.skip_comment(),
            _ => words.push(cursor.word()?),
        }
    }
    Ok(words)
}

/// Refuses PowerShell and JavaScript with an error naming them (the Windows
/// `cmd` flavour is recognised while reading words, by its `^`).
fn refuse_other_flavours(input: &str) -> Result<(), CurlParseError> {
    let start = input.len() - input.trim_start().len();
    let kind = match pasted_kind(input) {
        PastedKind::PowerShell => CurlErrorKind::PowerShell,
        PastedKind::Fetch => CurlErrorKind::JavaScript,
        PastedKind::Curl | PastedKind::Other => return Ok(()),
    };
    Err(CurlParseError::new(kind, first_line(&input[start..]), start))
}

/// The text up to the end of its line.
fn first_line(text: &str) -> &str {
    text.split(['\n', '\r']).next().unwrap_or_default()
}

/// Whether an unquoted `c` is a shell operator.
fn is_operator(c: char) -> bool {
    matches!(c, '|' | '&' | ';' | '<' | '>' | '(' | ')')
}

/// Whether `$c` starts a parameter expansion or a command substitution.
fn starts_expansion(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '_' | '{' | '(' | '[' | '@' | '*' | '#' | '?' | '$' | '!' | '-')
}

/// Whether the text inside `{…}` is a brace-expansion sequence: `1..9`,
/// `a..z`, either with a `..step`.
fn is_sequence(inner: &str) -> bool {
    let int = |s: &str| {
        let digits = s.strip_prefix(['-', '+']).unwrap_or(s);
        !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())
    };
    let letter = |s: &str| s.len() == 1 && s.bytes().all(|b| b.is_ascii_alphabetic());
    let parts: Vec<&str> = inner.split("..").collect();
    let (from, to, step) = match parts.as_slice() {
        [from, to] => (*from, *to, None),
        [from, to, step] => (*from, *to, Some(*step)),
        _ => return false,
    };
    step.is_none_or(int) && ((int(from) && int(to)) || (letter(from) && letter(to)))
}

/// A position in the input, always on a character boundary.
struct Cursor<'a> {
    input: &'a str,
    pos: usize,
}

impl Cursor<'_> {
    fn rest(&self) -> &str {
        self.input.get(self.pos..).unwrap_or_default()
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn peek_second(&self) -> Option<char> {
        self.rest().chars().nth(1)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.pos += c.len_utf8();
        Some(c)
    }

    fn bump_char(&mut self) {
        self.bump();
    }

    /// The length of a `\`-newline (or `\`-CRLF) line continuation here, or 0.
    fn continuation_len(&self) -> usize {
        let rest = self.rest();
        if rest.starts_with("\\\n") {
            2
        } else if rest.starts_with("\\\r\n") {
            3
        } else {
            0
        }
    }

    /// Whether an unquoted `^` here is the Windows `cmd` escape: `^"` or a
    /// `^` ending the line.
    fn at_cmd_caret(&self) -> bool {
        let rest = self.rest();
        rest.starts_with("^\"") || rest.starts_with("^\n") || rest.starts_with("^\r\n")
    }

    fn skip_comment(&mut self) {
        let len = self.rest().find('\n').unwrap_or(self.rest().len());
        self.pos += len;
    }

    /// After the newline that ended the command: only blanks and comments
    /// may follow.
    fn expect_only_blanks(&mut self) -> Result<(), CurlParseError> {
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' => self.bump_char(),
                '#' => self.skip_comment(),
                _ => return Err(self.error_here(CurlErrorKind::TrailingInput)),
            }
        }
        Ok(())
    }

    /// An error about the text from here to the end of the line.
    fn error_here(&self, kind: CurlErrorKind) -> CurlParseError {
        self.error_at(kind, self.pos)
    }

    fn error_at(&self, kind: CurlErrorKind, at: usize) -> CurlParseError {
        CurlParseError::new(kind, first_line(self.input.get(at..).unwrap_or_default()), at)
    }

    /// Reads one word; the cursor is on its first character, which is not a
    /// blank, a newline or `#`.
    fn word(&mut self) -> Result<Word, CurlParseError> {
        let start = self.pos;
        let mut text = Bytes::default();
        // Brace expansion needs an unquoted `{`, then an unquoted `,` (a
        // list) or a sequence `x..y[..n]`, then an unquoted `}`.
        let mut brace: Option<usize> = None;
        let mut brace_list = false;
        while let Some(c) = self.peek() {
            match c {
                ' ' | '\t' | '\r' | '\n' => break,
                c if is_operator(c) => return Err(self.error_here(CurlErrorKind::ShellOperator)),
                '\\' => {
                    let continuation = self.continuation_len();
                    if continuation > 0 {
                        self.pos += continuation;
                        continue;
                    }
                    self.bump_char();
                    match self.bump() {
                        Some(escaped) => text.push_char(escaped),
                        None => return Err(self.error_at(CurlErrorKind::DanglingBackslash, self.pos - 1)),
                    }
                }
                '\'' => self.single_quoted(&mut text)?,
                '"' => self.double_quoted(&mut text)?,
                '$' => match self.peek_second() {
                    Some('\'') => self.ansi_c_quoted(&mut text)?,
                    Some('"') => {
                        self.bump_char();
                        self.double_quoted(&mut text)?;
                    }
                    Some(next) if starts_expansion(next) => {
                        return Err(self.error_here(CurlErrorKind::ShellExpansion));
                    }
                    _ => {
                        self.bump_char();
                        text.push_char('$');
                    }
                },
                '`' => return Err(self.error_here(CurlErrorKind::ShellExpansion)),
                '~' if self.pos == start => return Err(self.error_here(CurlErrorKind::ShellExpansion)),
                '^' if self.at_cmd_caret() => return Err(self.error_here(CurlErrorKind::WindowsCmd)),
                _ => {
                    match c {
                        '{' => {
                            brace = Some(self.pos);
                            brace_list = false;
                        }
                        ',' => brace_list |= brace.is_some(),
                        '}' => {
                            if let Some(open) = brace.take()
                                && (brace_list || is_sequence(self.input.get(open + 1..self.pos).unwrap_or_default()))
                            {
                                return Err(self.error_at(CurlErrorKind::ShellExpansion, open));
                            }
                        }
                        _ => {}
                    }
                    self.bump_char();
                    text.push_char(c);
                }
            }
        }
        Ok(Word { text: text.into_string(), offset: start })
    }

    /// `'…'`: everything up to the next `'`, as written.
    fn single_quoted(&mut self, text: &mut Bytes) -> Result<(), CurlParseError> {
        let open = self.pos;
        self.bump_char();
        let Some(len) = self.rest().find('\'') else {
            return Err(self.error_at(CurlErrorKind::UnbalancedQuote, open));
        };
        text.push_str(&self.rest()[..len]);
        self.pos += len + 1;
        Ok(())
    }

    /// `"…"`: `\` escapes only `"`, `\`, `$`, `` ` `` and a newline; `$` and
    /// `` ` `` still expand (refused).
    fn double_quoted(&mut self, text: &mut Bytes) -> Result<(), CurlParseError> {
        let open = self.pos;
        self.bump_char();
        loop {
            let at = self.pos;
            match self.bump() {
                None => return Err(self.error_at(CurlErrorKind::UnbalancedQuote, open)),
                Some('"') => return Ok(()),
                Some('\\') => match self.peek() {
                    Some(c @ ('"' | '\\' | '$' | '`')) => {
                        self.bump_char();
                        text.push_char(c);
                    }
                    Some('\n') => self.bump_char(),
                    Some('\r') if self.peek_second() == Some('\n') => self.pos += 2,
                    _ => text.push_char('\\'),
                },
                Some('$') if self.peek().is_some_and(starts_expansion) => {
                    return Err(self.error_at(CurlErrorKind::ShellExpansion, at));
                }
                Some('`') => return Err(self.error_at(CurlErrorKind::ShellExpansion, at)),
                Some(c) => text.push_char(c),
            }
        }
    }

    /// `$'…'`: ANSI-C escapes, as bash 5 reads them.
    ///
    /// <https://www.gnu.org/software/bash/manual/html_node/ANSI_002dC-Quoting.html>
    fn ansi_c_quoted(&mut self, text: &mut Bytes) -> Result<(), CurlParseError> {
        let open = self.pos;
        self.pos += 2; // `$'`
        loop {
            match self.bump() {
                None => return Err(self.error_at(CurlErrorKind::UnbalancedQuote, open)),
                Some('\'') => return Ok(()),
                Some('\\') => {
                    let Some(e) = self.bump() else {
                        return Err(self.error_at(CurlErrorKind::UnbalancedQuote, open));
                    };
                    match e {
                        'a' => text.push_byte(0x07),
                        'b' => text.push_byte(0x08),
                        'e' | 'E' => text.push_byte(0x1b),
                        'f' => text.push_byte(0x0c),
                        'n' => text.push_byte(b'\n'),
                        'r' => text.push_byte(b'\r'),
                        't' => text.push_byte(b'\t'),
                        'v' => text.push_byte(0x0b),
                        '\\' | '\'' | '"' | '?' => text.push_char(e),
                        '0'..='7' => {
                            let mut value = u32::from(e) - u32::from('0');
                            for _ in 0..2 {
                                match self.peek().and_then(|c| c.to_digit(8)) {
                                    Some(d) => {
                                        value = value * 8 + d;
                                        self.bump_char();
                                    }
                                    None => break,
                                }
                            }
                            // `\400` wraps to 0, as bash's eight-bit char does.
                            text.push_byte((value & 0xff) as u8);
                        }
                        'x' => match self.hex_digits(2) {
                            Some(value) => text.push_byte((value & 0xff) as u8),
                            None => text.push_str("\\x"),
                        },
                        'u' => match self.hex_digits(4) {
                            Some(value) => {
                                let value = self.low_surrogate_after(value);
                                text.push_char(char::from_u32(value).unwrap_or('\u{fffd}'));
                            }
                            None => text.push_str("\\u"),
                        },
                        'U' => match self.hex_digits(8) {
                            Some(value) => text.push_char(char::from_u32(value).unwrap_or('\u{fffd}')),
                            None => text.push_str("\\U"),
                        },
                        'c' => self.control_char(text),
                        other => {
                            text.push_char('\\');
                            text.push_char(other);
                        }
                    }
                }
                Some(c) => text.push_char(c),
            }
        }
    }

    /// Up to `max` hex digits, or `None` when there is none.
    fn hex_digits(&mut self, max: usize) -> Option<u32> {
        let mut value: Option<u32> = None;
        for _ in 0..max {
            let Some(d) = self.peek().and_then(|c| c.to_digit(16)) else { break };
            self.bump_char();
            value = Some(value.unwrap_or(0) * 16 + d);
        }
        value
    }

    /// A high surrogate from `\uD8xx` followed by `\uDCxx`: the character
    /// the pair encodes (the cursor moves past the second escape).
    fn low_surrogate_after(&mut self, high: u32) -> u32 {
        if !(0xd800..0xdc00).contains(&high) {
            return high;
        }
        let rest = self.rest();
        let low = rest
            .strip_prefix("\\u")
            .and_then(|r| r.get(..4))
            .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
            .and_then(|h| u32::from_str_radix(h, 16).ok())
            .filter(|low| (0xdc00..0xe000).contains(low));
        match low {
            Some(low) => {
                self.pos += 6;
                0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00)
            }
            None => high,
        }
    }

    /// `\cX`: the control character of `X` (`\c?` is DEL, `\c\\` is 0x1C);
    /// `\c` before the closing quote stays as written.
    fn control_char(&mut self, text: &mut Bytes) {
        match self.peek() {
            None | Some('\'') => text.push_str("\\c"),
            Some('?') => {
                self.bump_char();
                text.push_byte(0x7f);
            }
            Some('\\') => {
                self.bump_char();
                if self.peek() == Some('\\') {
                    self.bump_char();
                }
                text.push_byte(0x1c);
            }
            Some(c) => {
                self.bump_char();
                let mut utf8 = [0u8; 4];
                let bytes = c.encode_utf8(&mut utf8).as_bytes();
                // Bash takes the first byte of a multi-byte character.
                text.push_byte(bytes[0].to_ascii_uppercase() & 0x1f);
                for &b in &bytes[1..] {
                    text.push_byte(b);
                }
            }
        }
    }
}

/// The bytes of a word being built: escapes can produce any byte, so the
/// word is bytes until it is finished.
#[derive(Default)]
struct Bytes(Vec<u8>);

impl Bytes {
    fn push_byte(&mut self, b: u8) {
        self.0.push(b);
    }

    fn push_char(&mut self, c: char) {
        let mut utf8 = [0u8; 4];
        self.0.extend_from_slice(c.encode_utf8(&mut utf8).as_bytes());
    }

    fn push_str(&mut self, s: &str) {
        self.0.extend_from_slice(s.as_bytes());
    }

    /// UTF-8 where the bytes are UTF-8, each other byte as its Latin-1 character.
    fn into_string(self) -> String {
        match String::from_utf8(self.0) {
            Ok(s) => s,
            Err(e) => latin1_fallback(e.as_bytes()),
        }
    }
}

fn latin1_fallback(mut bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    loop {
        match std::str::from_utf8(bytes) {
            Ok(valid) => {
                out.push_str(valid);
                return out;
            }
            Err(e) => {
                let (valid, rest) = bytes.split_at(e.valid_up_to());
                out.push_str(std::str::from_utf8(valid).unwrap_or_default());
                let bad = e.error_len().unwrap_or(rest.len()).max(1).min(rest.len());
                out.extend(rest[..bad].iter().map(|&b| char::from(b)));
                bytes = &rest[bad..];
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(input: &str) -> Vec<String> {
        split(input).unwrap_or_else(|e| panic!("{input:?}: {e}")).into_iter().map(|w| w.text).collect()
    }

    fn kind(input: &str) -> CurlErrorKind {
        split(input).expect_err(input).kind()
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn quoting_forms() {
        assert_eq!(words(r#"a 'b c' "d \"e\" \$ \\ \x" f\ g"#), ["a", "b c", r#"d "e" $ \ \x"#, "f g"]);
        assert_eq!(words("a'b'\"c\"$'d'"), ["abcd"]);
        assert_eq!(words("'' \"\""), ["", ""]);
        assert_eq!(words("a \\\n  b \\\r\n c"), ["a", "b", "c"]);
        assert_eq!(words("a\\\nb"), ["ab"]);
        assert_eq!(words("\n\n  a # comment\n"), ["a"]);
        assert_eq!(words("a$ b$"), ["a$", "b$"]);
        assert_eq!(words("$\"x\""), ["x"]);
        assert_eq!(words("'*' ? a*b"), ["*", "?", "a*b"]);
        assert_eq!(words("{a} a,b {\"a,b\"}"), ["{a}", "a,b", "{a,b}"]);
        assert_eq!(words("{a..} {..} {1..b} {a.b}"), ["{a..}", "{..}", "{1..b}", "{a.b}"]);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn ansi_c_escapes_as_bash_reads_them() {
        // Each checked against `printf %s $'…' | od -c` in bash 5.2.
        let table: &[(&str, &str)] = &[
            (r"$'\a\b\e\E\f\n\r\t\v'", "\x07\x08\x1b\x1b\x0c\n\r\t\x0b"),
            (r#"$'\\\'\"\?'"#, "\\'\"?"),
            (r"$'\101\1010\0'", "AA0\0"),
            (r"$'\777'", "\u{ff}"),
            (r"$'\400'", "\0"),
            (r"$'\x41\x414\x4g'", "AA4\x04g"),
            (r"$'\x' $'\xZ'", "\\x"),
            (r"$'\u00e9\u41\u2603'", "éA☃"),
            (r"$'\u'", "\\u"),
            (r"$'\U1F600\U0041'", "😀A"),
            (r"$'\ud83d\ude00'", "😀"),
            (r"$'\ud83d' $'\udc00' $'\U110000'", "\u{fffd}"),
            (r"$'\ca\cA\c?\c[\c\\x'", "\x01\x01\x7f\x1b\x1cx"),
            (r"$'\c'", "\\c"),
            (r"$'\z\['", "\\z\\["),
            (r"$'\xe9'", "é"),
            (r"$'\xc3\xa9'", "é"),
            (r"$'\xff\xfe!'", "\u{ff}\u{fe}!"),
        ];
        for (input, expected) in table {
            assert_eq!(words(input)[0], *expected, "{input}");
        }
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn refusals() {
        assert_eq!(kind("a 'b"), CurlErrorKind::UnbalancedQuote);
        assert_eq!(kind("a \"b"), CurlErrorKind::UnbalancedQuote);
        assert_eq!(kind("a $'b\\'"), CurlErrorKind::UnbalancedQuote);
        assert_eq!(kind("a \\"), CurlErrorKind::DanglingBackslash);
        assert_eq!(kind("a $HOME"), CurlErrorKind::ShellExpansion);
        assert_eq!(kind("a \"$(id)\""), CurlErrorKind::ShellExpansion);
        assert_eq!(kind("a `id`"), CurlErrorKind::ShellExpansion);
        assert_eq!(kind("a ~/x"), CurlErrorKind::ShellExpansion);
        assert_eq!(kind("a x{1,2}"), CurlErrorKind::ShellExpansion);
        assert_eq!(kind("a {1..3}"), CurlErrorKind::ShellExpansion);
        assert_eq!(kind("a {a..e..2}"), CurlErrorKind::ShellExpansion);
        assert_eq!(kind("a | jq"), CurlErrorKind::ShellOperator);
        assert_eq!(kind("a;b"), CurlErrorKind::ShellOperator);
        assert_eq!(kind("a\nb"), CurlErrorKind::TrailingInput);
        assert_eq!(kind("curl ^\"x^\""), CurlErrorKind::WindowsCmd);
        assert_eq!(kind("curl \"x\" ^\n  -H \"a: b\""), CurlErrorKind::WindowsCmd);
        assert_eq!(kind("Invoke-WebRequest -Uri \"x\""), CurlErrorKind::PowerShell);
        assert_eq!(kind("$session = New-Object x"), CurlErrorKind::PowerShell);
        assert_eq!(kind("await fetch(\"x\")"), CurlErrorKind::JavaScript);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn offsets_point_into_the_input() {
        let w = split("curl  'a b' \\\n  -H").unwrap_or_default();
        assert_eq!(w.iter().map(|w| w.offset).collect::<Vec<_>>(), [0, 6, 16]);
        assert_eq!(split("a 'b").map_err(|e| e.offset()), Err(2));
    }
}
