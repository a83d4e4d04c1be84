//! curl's command-line flags: which ones a copy can hold, what each does to
//! the request, and the rules curl applies when it reads them.
//!
//! <https://curl.se/docs/manpage.html>
//!
//! Each rule below was checked against curl 7.88 sending to a local socket:
//! repeated data is joined with `&` (not before `--json` data); `--json`
//! adds `Content-Type` and `Accept: application/json`; a `Cookie` header
//! given with `-H` replaces every `-b`; `-H` beats `-A` and `-e`;
//! `-e 'url;auto'` sends `url`; `-I` with data is refused.

use super::error::{CurlErrorKind, CurlParseError};
use super::shell::Word;

/// What a flag does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Action {
    /// `-X`: the method, sent as written.
    Request,
    /// `-H`: one header line.
    Header,
    /// `-d` / `--data` / `--data-ascii`: data; `@file` reads a file.
    Data,
    /// `--data-binary`: the same, `@file` read without stripping newlines.
    DataBinary,
    /// `--data-raw`: data, `@` is just a character.
    DataRaw,
    /// `--data-urlencode`: data, percent-encoded.
    DataUrlencode,
    /// `--json`: data, appended without `&`, plus JSON headers.
    Json,
    /// `-b`: cookies (`name=value`), or a file to read them from.
    Cookie,
    /// `--url`.
    Url,
    /// `-u`: `user:password` for HTTP authentication.
    User,
    /// `-A`: the `User-Agent` header.
    UserAgent,
    /// `-e`: the `Referer` header.
    Referer,
    /// `-r`: a `Range: bytes=…` header.
    Range,
    /// `-I`: a HEAD request.
    Head,
    /// `-G`: the data goes into the URL's query.
    Get,
    /// `-g`: the URL is not a glob pattern.
    Globoff,
    /// Changes what curl does with the request or the response, not the
    /// request a browser made.
    Ignore,
    /// The same, with a value.
    IgnoreWithValue,
    /// A real curl flag a browser copy never holds, which changes the
    /// request in a way this parser does not reproduce.
    Unsupported,
}

impl Action {
    fn takes_value(self) -> bool {
        !matches!(self, Action::Head | Action::Get | Action::Globoff | Action::Ignore | Action::Unsupported)
    }
}

/// One flag: its short letter, its long name, what it does.
type Flag = (Option<char>, &'static str, Action);

/// The flags read. Anything else is an [`UnknownFlag`](CurlErrorKind::UnknownFlag).
const FLAGS: &[Flag] = &[
    (Some('X'), "request", Action::Request),
    (Some('H'), "header", Action::Header),
    (Some('d'), "data", Action::Data),
    (None, "data-ascii", Action::Data),
    (None, "data-binary", Action::DataBinary),
    (None, "data-raw", Action::DataRaw),
    (None, "data-urlencode", Action::DataUrlencode),
    (None, "json", Action::Json),
    (Some('b'), "cookie", Action::Cookie),
    (None, "url", Action::Url),
    (Some('u'), "user", Action::User),
    (Some('A'), "user-agent", Action::UserAgent),
    (Some('e'), "referer", Action::Referer),
    (Some('r'), "range", Action::Range),
    (Some('I'), "head", Action::Head),
    (Some('G'), "get", Action::Get),
    (Some('g'), "globoff", Action::Globoff),
    // Transfer, output and connection details: the browser's request is the same.
    (None, "compressed", Action::Ignore),
    (Some('i'), "include", Action::Ignore),
    (Some('k'), "insecure", Action::Ignore),
    (Some('s'), "silent", Action::Ignore),
    (Some('S'), "show-error", Action::Ignore),
    (Some('L'), "location", Action::Ignore),
    (None, "location-trusted", Action::Ignore),
    (Some('v'), "verbose", Action::Ignore),
    (Some('f'), "fail", Action::Ignore),
    (None, "fail-with-body", Action::Ignore),
    (Some('N'), "no-buffer", Action::Ignore),
    (Some('#'), "progress-bar", Action::Ignore),
    (None, "no-progress-meter", Action::Ignore),
    (Some('0'), "http1.0", Action::Ignore),
    (None, "http1.1", Action::Ignore),
    (None, "http2", Action::Ignore),
    (None, "http2-prior-knowledge", Action::Ignore),
    (None, "http3", Action::Ignore),
    (None, "http3-only", Action::Ignore),
    (Some('4'), "ipv4", Action::Ignore),
    (Some('6'), "ipv6", Action::Ignore),
    (Some('O'), "remote-name", Action::Ignore),
    (None, "path-as-is", Action::Ignore),
    (None, "raw", Action::Ignore),
    (None, "tcp-nodelay", Action::Ignore),
    (None, "no-keepalive", Action::Ignore),
    (None, "basic", Action::Ignore),
    (Some('o'), "output", Action::IgnoreWithValue),
    (Some('m'), "max-time", Action::IgnoreWithValue),
    (None, "connect-timeout", Action::IgnoreWithValue),
    (None, "retry", Action::IgnoreWithValue),
    (None, "retry-delay", Action::IgnoreWithValue),
    (None, "retry-max-time", Action::IgnoreWithValue),
    (None, "max-redirs", Action::IgnoreWithValue),
    (Some('w'), "write-out", Action::IgnoreWithValue),
    (Some('c'), "cookie-jar", Action::IgnoreWithValue),
    (Some('D'), "dump-header", Action::IgnoreWithValue),
    (None, "trace", Action::IgnoreWithValue),
    (None, "trace-ascii", Action::IgnoreWithValue),
    (None, "stderr", Action::IgnoreWithValue),
    (Some('x'), "proxy", Action::IgnoreWithValue),
    (None, "resolve", Action::IgnoreWithValue),
    (None, "connect-to", Action::IgnoreWithValue),
    (None, "cacert", Action::IgnoreWithValue),
    (None, "capath", Action::IgnoreWithValue),
    (Some('E'), "cert", Action::IgnoreWithValue),
    (None, "key", Action::IgnoreWithValue),
    // Multipart bodies, uploads, config files, several requests, other auth.
    (Some('F'), "form", Action::Unsupported),
    (None, "form-string", Action::Unsupported),
    (Some('T'), "upload-file", Action::Unsupported),
    (Some('K'), "config", Action::Unsupported),
    (Some('C'), "continue-at", Action::Unsupported),
    (Some('z'), "time-cond", Action::Unsupported),
    (Some('Z'), "parallel", Action::Unsupported),
    (Some(':'), "next", Action::Unsupported),
    (Some('n'), "netrc", Action::Unsupported),
    (None, "oauth2-bearer", Action::Unsupported),
    (None, "aws-sigv4", Action::Unsupported),
    (None, "digest", Action::Unsupported),
    (None, "ntlm", Action::Unsupported),
    (None, "negotiate", Action::Unsupported),
    (None, "anyauth", Action::Unsupported),
];

/// A header line from `-H` (or made from `-A`, `-e`, `-r`, `--json`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct HeaderLine {
    /// The name, as written.
    pub(super) name: String,
    /// The value, without surrounding spaces and tabs.
    pub(super) value: String,
    /// Written `Name:` with nothing after the colon.
    pub(super) empty_after_colon: bool,
}

/// Everything the flags said, before the headers are sorted out.
#[derive(Clone, Debug, Default)]
pub(super) struct CurlArgs {
    /// The URL, as curl received it, and its offset.
    pub(super) url: Option<(String, usize)>,
    /// `-X`.
    pub(super) method: Option<String>,
    /// `-I`.
    pub(super) head: bool,
    /// `-G`.
    pub(super) get: bool,
    /// `-g`.
    pub(super) globoff: bool,
    /// The header lines, in order.
    pub(super) headers: Vec<HeaderLine>,
    /// The data, joined as curl joins it.
    pub(super) data: Option<String>,
    /// The offset of the first data flag (for an error about it).
    pub(super) data_offset: usize,
    /// `--json` was given.
    pub(super) json: bool,
    /// The `-b` values.
    pub(super) cookies: Vec<String>,
    /// `-u`.
    pub(super) user: Option<String>,
    /// `-A`.
    pub(super) user_agent: Option<String>,
    /// `-e`, without `;auto`.
    pub(super) referer: Option<String>,
    /// `-r`.
    pub(super) range: Option<String>,
    /// The flags that changed nothing, as written.
    pub(super) ignored: Vec<String>,
}

/// Reads the flags and the URL that follow `curl`.
pub(super) fn read(words: &[Word]) -> Result<CurlArgs, CurlParseError> {
    let mut args = CurlArgs::default();
    let mut rest = words.iter();
    while let Some(word) = rest.next() {
        let text = word.text.as_str();
        if let Some(long) = text.strip_prefix("--") {
            let Some(&(_, _, action)) = FLAGS.iter().find(|(_, name, _)| *name == long) else {
                return Err(CurlParseError::new(CurlErrorKind::UnknownFlag, text, word.offset));
            };
            let value = if action.takes_value() {
                let next = value_of(rest.next(), word)?;
                Some((next.text.as_str(), next.offset))
            } else {
                None
            };
            args.apply(action, text, word.offset, value)?;
        } else if let Some(cluster) = text.strip_prefix('-').filter(|c| !c.is_empty()) {
            // `-sSL`, `-XPOST`, `-HName: v`: letters until one takes a value,
            // which is the rest of the word or else the next word.
            for (i, letter) in cluster.char_indices() {
                let Some(&(_, _, action)) = FLAGS.iter().find(|(short, _, _)| *short == Some(letter)) else {
                    return Err(CurlParseError::new(CurlErrorKind::UnknownFlag, &format!("-{letter}"), word.offset));
                };
                let flag = format!("-{letter}");
                if action.takes_value() {
                    let attached = &cluster[i + letter.len_utf8()..];
                    let value = if attached.is_empty() {
                        let next = value_of(rest.next(), word)?;
                        (next.text.as_str(), next.offset)
                    } else {
                        (attached, word.offset)
                    };
                    args.apply(action, &flag, word.offset, Some(value))?;
                    break;
                }
                args.apply(action, &flag, word.offset, None)?;
            }
        } else if text == "-" {
            return Err(CurlParseError::new(CurlErrorKind::UnknownFlag, text, word.offset));
        } else {
            args.set_url(text, word.offset)?;
        }
    }
    Ok(args)
}

/// The word after a flag that takes a value.
fn value_of<'a>(next: Option<&'a Word>, flag: &Word) -> Result<&'a Word, CurlParseError> {
    next.ok_or_else(|| CurlParseError::new(CurlErrorKind::MissingValue, &flag.text, flag.offset))
}

impl CurlArgs {
    fn set_url(&mut self, url: &str, offset: usize) -> Result<(), CurlParseError> {
        if self.url.is_some() {
            return Err(CurlParseError::new(CurlErrorKind::TwoUrls, url, offset));
        }
        self.url = Some((url.to_owned(), offset));
        Ok(())
    }

    /// Applies one flag, written `flag` at `offset`, with its value and the
    /// value's offset (errors about the value point at it).
    fn apply(
        &mut self,
        action: Action,
        flag: &str,
        offset: usize,
        value: Option<(&str, usize)>,
    ) -> Result<(), CurlParseError> {
        let (value, value_offset) = value.unwrap_or(("", offset));
        let file_error = || CurlParseError::new(CurlErrorKind::FileArgument, value, value_offset);
        match action {
            Action::Request => self.method = Some(value.to_owned()),
            Action::Header => {
                if value.starts_with('@') {
                    return Err(file_error());
                }
                let line = header_line(value)
                    .ok_or_else(|| CurlParseError::new(CurlErrorKind::InvalidHeader, value, value_offset))?;
                self.headers.push(line);
            }
            Action::Data | Action::DataBinary => {
                if value.starts_with('@') {
                    return Err(file_error());
                }
                self.add_data(value, false, offset);
            }
            Action::DataRaw => self.add_data(value, false, offset),
            Action::DataUrlencode => {
                // `name=content`, `=content`, `content`; `name@file`, `@file`.
                let encoded = match value.split_once('=') {
                    Some(("", content)) => urlencode(content),
                    Some((name, content)) => format!("{name}={}", urlencode(content)),
                    None if value.contains('@') => return Err(file_error()),
                    None => urlencode(value),
                };
                self.add_data(&encoded, false, offset);
            }
            Action::Json => {
                if value.starts_with('@') {
                    return Err(file_error());
                }
                self.json = true;
                self.add_data(value, true, offset);
            }
            Action::Cookie => {
                // Without `=` curl reads a cookie file.
                if !value.contains('=') {
                    return Err(file_error());
                }
                self.cookies.push(value.to_owned());
            }
            Action::Url => self.set_url(value, value_offset)?,
            Action::User => self.user = Some(value.to_owned()),
            Action::UserAgent => self.user_agent = Some(value.to_owned()),
            Action::Referer => {
                let referer = value.strip_suffix(";auto").unwrap_or(value);
                self.referer = (!referer.is_empty()).then(|| referer.to_owned());
            }
            Action::Range => self.range = Some(value.to_owned()),
            Action::Head => self.head = true,
            Action::Get => self.get = true,
            Action::Globoff => self.globoff = true,
            Action::Ignore | Action::IgnoreWithValue => self.ignored.push(flag.to_owned()),
            Action::Unsupported => return Err(CurlParseError::new(CurlErrorKind::UnsupportedFlag, flag, offset)),
        }
        Ok(())
    }

    /// Appends data as curl does: `&` between pieces, except before `--json`
    /// data (an empty earlier piece still gets its `&`).
    fn add_data(&mut self, piece: &str, json: bool, offset: usize) {
        match &mut self.data {
            Some(data) => {
                if !json {
                    data.push('&');
                }
                data.push_str(piece);
            }
            None => {
                self.data = Some(piece.to_owned());
                self.data_offset = offset;
            }
        }
    }
}

/// A `-H` value: `Name: value` (spaces and tabs around the value dropped),
/// or `Name;` for an empty value. curl silently sends nothing for any other
/// shape; here it is an error.
fn header_line(text: &str) -> Option<HeaderLine> {
    let trim = |s: &str| s.trim_matches([' ', '\t']).to_owned();
    if let Some((name, value)) = text.split_once(':') {
        let value = trim(value);
        return (!name.is_empty()).then(|| HeaderLine {
            name: name.to_owned(),
            empty_after_colon: value.is_empty(),
            value,
        });
    }
    let name = text.strip_suffix(';')?;
    (!name.is_empty() && !name.contains(';')).then(|| HeaderLine {
        name: name.to_owned(),
        value: String::new(),
        empty_after_colon: false,
    })
}

/// `--data-urlencode`'s encoding: `A-Z a-z 0-9 - . _ ~` kept, space as `+`,
/// every other byte of the UTF-8 as `%XX`.
fn urlencode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => out.push(char::from(b)),
            b' ' => out.push('+'),
            _ => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                out.push('%');
                out.push(char::from(HEX[usize::from(b >> 4)]));
                out.push(char::from(HEX[usize::from(b & 0xf)]));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn urlencode_as_curl_7_88() {
        assert_eq!(urlencode("x y*~'!()-._+/?%é"), "x+y%2A~%27%21%28%29-._%2B%2F%3F%25%C3%A9");
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn header_lines() {
        let line = |name: &str, value: &str, empty| {
            Some(HeaderLine { name: name.to_owned(), value: value.to_owned(), empty_after_colon: empty })
        };
        assert_eq!(header_line("X-A:  v  "), line("X-A", "v", false));
        assert_eq!(header_line("X-A: a:b"), line("X-A", "a:b", false));
        assert_eq!(header_line("X-A;"), line("X-A", "", false));
        assert_eq!(header_line("X-A:"), line("X-A", "", true));
        assert_eq!(header_line("X-A;b: c"), line("X-A;b", "c", false));
        assert_eq!(header_line("X-A"), None);
        assert_eq!(header_line("X-A;b"), None);
        assert_eq!(header_line("X-A;b;"), None);
        assert_eq!(header_line(": v"), None);
        assert_eq!(header_line(";"), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn every_flag_is_listed_once() {
        for (i, (short, long, _)) in FLAGS.iter().enumerate() {
            assert!(FLAGS[i + 1..].iter().all(|(s, l, _)| l != long && (short.is_none() || s != short)), "{long}");
        }
    }
}
