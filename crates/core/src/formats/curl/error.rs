//! What can be wrong with a pasted command: one kind per rule, each with a
//! fixed message, plus where in the text it went wrong.

use std::fmt;

use serde::Serialize;

/// The rule a pasted command broke.
///
/// Flat and `Copy`, with one fixed lower-case message per kind (as
/// `url::ParseError`); the text and place that broke it travel beside it in
/// [`CurlParseError`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CurlErrorKind {
    /// Longer than [`MAX_INPUT_LEN`](super::MAX_INPUT_LEN).
    TooLong,
    /// Nothing but blanks and comments.
    Empty,
    /// The first word is not `curl` (or a path to it).
    NotCurl,
    /// The Windows `cmd` flavour (`^"…^"` quoting, `^` line continuations).
    WindowsCmd,
    /// A PowerShell command ("Copy as PowerShell").
    PowerShell,
    /// A JavaScript `fetch()` call ("Copy as fetch").
    JavaScript,
    /// A quote (`'`, `"` or `$'`) that is never closed.
    UnbalancedQuote,
    /// A backslash with nothing after it.
    DanglingBackslash,
    /// A shell expansion (`$VAR`, `$(…)`, `` `…` ``, `~`, `{a,b}`): its value
    /// depends on the shell that would run it.
    ShellExpansion,
    /// A shell operator (`|`, `&`, `;`, `<`, `>`, `(`, `)`).
    ShellOperator,
    /// More text after the command ended at a line without a trailing `\`.
    TrailingInput,
    /// A flag curl does not have (or this parser does not know).
    UnknownFlag,
    /// A curl flag that changes the request in a way a `fetch()` copy never
    /// does (multipart forms, uploads, config files, several requests).
    UnsupportedFlag,
    /// A flag that takes a value, last on the line.
    MissingValue,
    /// `@file` (or `-b file`): curl would read a file, which cannot be done here.
    FileArgument,
    /// No URL.
    MissingUrl,
    /// A second URL: curl would make two requests.
    TwoUrls,
    /// A URL that is not an absolute `http:` or `https:` URL.
    InvalidUrl,
    /// An unescaped curl glob (`{a,b}`, `[1-3]`) in the URL.
    UrlGlob,
    /// A `-H` value that is neither `Name: value` nor `Name;`.
    InvalidHeader,
    /// `-I` (HEAD) together with data: curl refuses it too.
    ConflictingMethods,
}

impl CurlErrorKind {
    /// The fixed, lower-case message of this kind.
    pub fn message(self) -> &'static str {
        match self {
            Self::TooLong => "input is longer than 1 MiB",
            Self::Empty => "input holds no command",
            Self::NotCurl => "command is not curl",
            Self::WindowsCmd => {
                "this is the windows cmd flavour of copy as cURL (^\" quoting): use copy as cURL (bash)"
            }
            Self::PowerShell => "this is a powershell command (copy as powershell): use copy as cURL (bash)",
            Self::JavaScript => "this is a javascript fetch() call (copy as fetch): use copy as cURL (bash)",
            Self::UnbalancedQuote => "quote is never closed",
            Self::DanglingBackslash => "backslash at the end of the input",
            Self::ShellExpansion => {
                "shell expansion ($var, $(...), `...`, ~, {a,b}) depends on the shell: quote the text"
            }
            Self::ShellOperator => "shell operator (| & ; < > ( )) is not part of a curl command",
            Self::TrailingInput => "text after the end of the command (a line without a trailing \\ ends it)",
            Self::UnknownFlag => "unknown curl flag",
            Self::UnsupportedFlag => "curl flag changes the request in a way a fetch() copy never does",
            Self::MissingValue => "curl flag needs a value",
            Self::FileArgument => "curl would read a file here, which cannot be done: paste its content instead",
            Self::MissingUrl => "command has no url",
            Self::TwoUrls => "command has a second url (curl would make two requests)",
            Self::InvalidUrl => "url is not an absolute http or https url",
            Self::UrlGlob => "url holds a curl glob ({a,b} or [1-3]): escape it with \\ or add --globoff",
            Self::InvalidHeader => "header is neither 'Name: value' nor 'Name;'",
            Self::ConflictingMethods => "-I (HEAD) cannot be combined with data (curl refuses it too)",
        }
    }
}

impl fmt::Display for CurlErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

/// Why a pasted command could not be read: the rule it broke, the text that
/// broke it and the byte offset of that text in the input.
///
/// # Examples
///
/// ```
/// use corslab::formats::curl::{CopiedRequest, CurlErrorKind};
///
/// let e = CopiedRequest::parse("curl 'http://a.test/' --frobnicate").unwrap_err();
/// assert_eq!(e.kind(), CurlErrorKind::UnknownFlag);
/// assert_eq!(e.token(), "--frobnicate");
/// assert_eq!(e.offset(), 22);
/// assert_eq!(e.to_string(), "unknown curl flag: \"--frobnicate\" (at byte 22)");
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
pub struct CurlParseError {
    kind: CurlErrorKind,
    token: String,
    offset: usize,
}

/// The longest token an error carries, in characters.
const MAX_TOKEN_CHARS: usize = 60;

impl CurlParseError {
    /// An error of `kind` about `token` (cut to a few dozen characters)
    /// found at byte `offset` of the input.
    pub(crate) fn new(kind: CurlErrorKind, token: &str, offset: usize) -> CurlParseError {
        let token = match token.char_indices().nth(MAX_TOKEN_CHARS) {
            Some((end, _)) => format!("{}…", &token[..end]),
            None => token.to_owned(),
        };
        CurlParseError { kind, token, offset }
    }

    /// The rule that was broken.
    pub fn kind(&self) -> CurlErrorKind {
        self.kind
    }

    /// The offending text, as the shell read it (or an excerpt of the input
    /// where no word was formed yet); may be empty.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// The byte offset in the input where the offending text starts.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl fmt::Display for CurlParseError {
    /// `message: "token" (at byte N)`, the token with control characters
    /// escaped so that it prints safely on a terminal.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.token.is_empty() {
            write!(f, "{} (at byte {})", self.kind.message(), self.offset)
        } else {
            write!(f, "{}: {:?} (at byte {})", self.kind.message(), self.token, self.offset)
        }
    }
}

impl std::error::Error for CurlParseError {}
