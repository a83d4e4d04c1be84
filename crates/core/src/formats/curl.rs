//! DevTools' "Copy as cURL" (the bash flavour), read back into the
//! `fetch()` call the page made.
//!
//! Chromium and Firefox copy a request as a curl command holding every
//! header the browser sent: the page's, and the browser's own (`Origin`,
//! `Cookie`, `Sec-Fetch-*`, `User-Agent`, `Accept-Language` …). This module
//! reads that text as bash and then curl would, and sorts the headers into
//! the ones the page set and the ones the browser added, naming each of
//! the latter with its reason ([`CopyDropReason`]). The `Origin` header
//! becomes the page's origin and the cookies a credentials hint, so that
//! [`CopiedRequest::to_fetch_call`] gives the call the engine decides on.
//!
//! The shapes read are what the two browsers emit (checked against the
//! generators of Chromium 156 and Firefox 153.8) and what a person types
//! around them. Anything else is a [`CurlParseError`] naming the text that
//! broke the rule: an unknown flag is never skipped silently.
//!
//! # Shell syntax
//!
//! As bash reads it (`shell.rs`; compared with bash 5.2 on generated
//! input): blanks, `\`-newline continuations (also `\` + CRLF), `#`
//! comments, `\x` outside quotes, `'…'`, `"…"`, `$'…'` (every ANSI-C
//! escape: `\n` `\r` `\t` `\\` `\'` `\"` `\xHH` `\uHHHH` `\UHHHHHHHH`
//! `\NNN` `\e` `\a` `\b` `\f` `\v` `\?` `\cX`) and `$"…"`. The first word
//! is `curl` (or `curl.exe`, or a path to either). Refused: expansions
//! (`$VAR`, `$(…)`, backquotes, `~`, `{a,b}`), operators (`|`, `;` …), a
//! second command, a backslash ending the input, and the Windows `cmd`,
//! PowerShell and JavaScript ("Copy as fetch") flavours, each by name.
//! Departures from bash, for the browser's meaning over the shell's: a CR
//! outside quotes is a blank; a NUL is kept; a UTF-16 surrogate pair
//! `\uD83D\uDE00` (Firefox) is one character, a lone surrogate U+FFFD;
//! bytes from `\xHH` that are not UTF-8 are Latin-1 (Firefox writes `é` as
//! `\xe9`).
//!
//! # curl flags
//!
//! As curl 7.88 applies them (`options.rs`): `-X`; `-H` (`Name: value`,
//! `Name;` for an empty value); `-d`/`--data`/`--data-ascii`/`--data-binary`
//! (`@file` refused: curl would read a file, and strip its newlines for
//! `-d`), `--data-raw`, `--data-urlencode`, `--json`, joined with `&` as
//! curl joins them; `-b` (a cookie file refused); `--url`; `-u`; `-A`, `-e`,
//! `-r`; `-I`, `-G`, `-g`; combined short flags (`-sSL`, `-XPOST`,
//! `-HName:v`). Flags that change only how curl transfers or shows the
//! response (`--compressed`, `-i`, `-k`, `-s`, `-S`, `-L`, `-v`, `--http2`,
//! `-o FILE` …) are listed in [`CopiedRequest::ignored_flags`]; a handful
//! of real flags a copy never holds (`-F`, `-T`, `-K`, `--next` …) are
//! refused as unsupported; anything else is unknown. The URL must be one
//! absolute `http:` or `https:` URL, curl's glob escapes (`\[`, `\{` …,
//! which Chromium writes) removed, an unescaped glob refused.
//!
//! # Bounds
//!
//! Input longer than [`MAX_INPUT_LEN`] (1 MiB) is refused before it is
//! read, and the rest is linear in its length. No input makes it panic.
//!
//! # Examples
//!
//! ```
//! use corslab::formats::curl::{CopiedRequest, CopyDropReason};
//! use corslab::{Browser, CredentialsMode, RequestMode};
//!
//! let copied = CopiedRequest::parse(r#"curl 'http://localhost:8080/data' \
//!   -X 'PUT' \
//!   -H 'Accept: */*' \
//!   -H 'Content-Type: application/json' \
//!   -H 'Origin: http://localhost:5050' \
//!   -H 'Sec-Fetch-Mode: cors' \
//!   -H 'sec-ch-ua-mobile: ?0' \
//!   -b 'session=1' \
//!   --data-raw '{"a":1}'"#).unwrap();
//! assert_eq!(copied.method, "PUT");
//! assert_eq!(copied.headers, [("Content-Type".to_owned(), "application/json".to_owned())]);
//! assert_eq!(copied.origin.as_deref(), Some("http://localhost:5050"));
//! assert_eq!(copied.cookies.as_deref(), Some("session=1"));
//! assert_eq!(copied.credentials_hint, Some(CredentialsMode::Include));
//! assert_eq!(copied.browser, Some(Browser::Chrome));
//! assert_eq!(copied.dropped[0].reason, CopyDropReason::DefaultAccept);
//!
//! let call = copied.fetch_call();
//! assert_eq!(call.mode, RequestMode::Cors);
//! assert_eq!(call.body.as_deref(), Some(r#"{"a":1}"#));
//! ```

mod error;
mod headers;
mod options;
mod shell;

use serde::Serialize;
use url::Url;

use crate::browsers::profile::Browser;
use crate::fetch::request::{CredentialsMode, FetchCall, RequestMode};
use crate::origin::Origin;

pub use error::{CurlErrorKind, CurlParseError};
pub use headers::{CopyDropReason, DroppedCopyHeader};

use options::{CurlArgs, HeaderLine};

/// The longest input read, in bytes (1 MiB): a copied request with a large
/// body fits; anything longer is refused with [`CurlErrorKind::TooLong`].
pub const MAX_INPUT_LEN: usize = 1 << 20;

/// What a copy said, in its format's terms, before its headers are sorted:
/// what the cURL and fetch readers hand to [`CopiedRequest::assemble`].
#[derive(Clone, Debug)]
pub(crate) struct CopyParts {
    /// The absolute URL, as written.
    pub(crate) url: String,
    /// It, parsed (an `http:` or `https:` URL).
    pub(crate) parsed_url: Url,
    /// The method.
    pub(crate) method: String,
    /// Every copied header line, in order, names as written.
    pub(crate) headers: Vec<(String, String)>,
    /// The body.
    pub(crate) body: Option<String>,
    /// curl's `-b` values.
    pub(crate) cookie_option: Vec<String>,
    /// curl's `-u`.
    pub(crate) user: Option<String>,
    /// Flags or options that change nothing the engine decides.
    pub(crate) ignored: Vec<String>,
    /// What the reader found to say.
    pub(crate) warnings: Vec<CopyWarning>,
    /// The browser the copy's shape tells (when its headers do not).
    pub(crate) browser: Option<Browser>,
    /// A fetch copy's `mode`.
    pub(crate) mode: Option<RequestMode>,
    /// A fetch copy's `credentials`.
    pub(crate) credentials: Option<CredentialsMode>,
    /// A fetch copy's `referrer`.
    pub(crate) page_url: Option<String>,
}

impl CopyParts {
    /// A request to `url` with `method`, nothing else said yet.
    pub(crate) fn new(url: String, parsed_url: Url, method: String) -> CopyParts {
        CopyParts {
            url,
            parsed_url,
            method,
            headers: Vec::new(),
            body: None,
            cookie_option: Vec::new(),
            user: None,
            ignored: Vec::new(),
            warnings: Vec::new(),
            browser: None,
            mode: None,
            credentials: None,
            page_url: None,
        }
    }
}

/// The request a "Copy as cURL" command (or a "Copy as fetch" call, read
/// by [`fetch_copy`](super::fetch_copy)) describes, as the page's `fetch()`
/// call made it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct CopiedRequest {
    /// The absolute URL, as written (curl's `\[` `\]` `\{` `\}` glob escapes
    /// removed; with `-G`, the data appended to the query).
    pub url: String,
    /// The method: `-X` as written, else `HEAD` for `-I`, else `POST` when
    /// there is data (curl's rule), else `GET`.
    pub method: String,
    /// The headers the page set, in order, names as written, values
    /// without surrounding spaces and tabs.
    pub headers: Vec<(String, String)>,
    /// The body: every data flag's value, joined as curl joins them.
    pub body: Option<String>,
    /// The page's origin: the `Origin` header's value, else the origin of
    /// the page's URL ([`page_url`](Self::page_url)), if the copy has either.
    pub origin: Option<String>,
    /// The page's URL, as far as the copy says: a fetch copy's `referrer`,
    /// else the `Referer` header (often only the page's origin and `/`, as
    /// the referrer policy cuts it cross-origin).
    pub page_url: Option<String>,
    /// The cookies sent: the `Cookie` headers' values joined by `; `, or
    /// else the `-b` values joined by `;` (curl sends only the header when
    /// both are given).
    pub cookies: Option<String>,
    /// The credentials mode: a fetch copy's own `credentials` (which
    /// DevTools writes `include` when the request carried cookies or an
    /// `Authorization` header, else `omit`); else, for the cookies sent,
    /// `same-origin` (the default) when the request was same-origin
    /// (`Sec-Fetch-Site: same-origin`, or an origin equal to the URL's),
    /// else `include`. `None` when neither says.
    pub credentials_hint: Option<CredentialsMode>,
    /// The mode, from the `Sec-Fetch-Mode` header when it names one a
    /// `fetch()` call has, else a fetch copy's own `mode` (which DevTools
    /// always writes `cors`).
    pub mode_hint: Option<RequestMode>,
    /// The browser that made the copy, from its `User-Agent` or client
    /// hints; its profile decides which headers were forbidden (the
    /// standard's rules when `None`).
    pub browser: Option<Browser>,
    /// `-u` / `--user`, as written.
    pub user: Option<String>,
    /// Every copied header the page did not set, with why, in order.
    pub dropped: Vec<DroppedCopyHeader>,
    /// The flags that do not change the request `fetch()` makes
    /// (`--compressed`, `-s`, `-L`, `--insecure`, `--http2` …), as written;
    /// combined short flags one by one. For a fetch copy, the options the
    /// engine does not model (`referrerPolicy`, `cache`, `keepalive` …).
    pub ignored_flags: Vec<String>,
    /// What the command says that `fetch()` could not have done, or that
    /// this reading had to decide.
    pub warnings: Vec<CopyWarning>,
}

/// Something in the command that a `fetch()` call could not have done, or
/// a reading that had to be chosen.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
#[non_exhaustive]
pub enum CopyWarning {
    /// `-u user:password`: curl sends it as `Authorization: Basic …`.
    /// `fetch()` cannot send credentials from a URL (it throws a
    /// `TypeError` for a URL with a username or password); a page sends
    /// them as an `Authorization` header, which is not safelisted and so
    /// needs a preflight cross-origin.
    UserOption,
    /// The URL holds a username or password: `fetch()` throws a
    /// `TypeError` for it ([Request constructor](https://fetch.spec.whatwg.org/#dom-request),
    /// "includes credentials").
    UrlCredentials,
    /// `Sec-Fetch-Mode` names a request no `fetch()` call makes
    /// (`navigate`, `websocket` …): the copy is of something else.
    NotAFetch {
        /// The header's value.
        sec_fetch_mode: String,
    },
    /// An `OPTIONS` request with `Access-Control-Request-Method`: the copy
    /// is of a CORS preflight, which the browser sends on its own; copy the
    /// request that followed it instead.
    PreflightCopy,
    /// `-H 'Name:'` with nothing after the colon: curl would send no such
    /// header (it means "remove curl's own"), but Firefox copies an empty
    /// value this way, so it is read as an empty value.
    EmptyValueAfterColon {
        /// The header's name.
        name: String,
    },
    /// `-b` together with a `Cookie` header: curl sends only the header.
    CookieOptionIgnored,
    /// A fetch copy's `credentials: "include"` with an `Authorization`
    /// header and no cookie: DevTools writes `include` for either, so the
    /// page may well have used the default (`same-origin`).
    CredentialsFromDevtools,
}

impl std::fmt::Display for CopyWarning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CopyWarning::UserOption => f.write_str("-u sends Basic credentials; a page sends them as an Authorization header, which needs a preflight cross-origin"),
            CopyWarning::UrlCredentials => f.write_str("the URL holds a username or password: fetch() throws a TypeError for it"),
            CopyWarning::NotAFetch { sec_fetch_mode } => write!(f, "Sec-Fetch-Mode: {sec_fetch_mode} is not a fetch(): the copy is of another kind of request"),
            CopyWarning::PreflightCopy => f.write_str("this is a copy of a preflight, which the browser sends on its own: copy the request that followed it"),
            CopyWarning::EmptyValueAfterColon { name } => write!(f, "-H '{name}:' is read as an empty value (as Firefox copies it)"),
            CopyWarning::CookieOptionIgnored => f.write_str("-b and a Cookie header: curl sends only the header, and so does this"),
            CopyWarning::CredentialsFromDevtools => f.write_str("credentials: \"include\" is DevTools' guess from the Authorization header; if the page's fetch() did not ask for it, use --credentials same-origin"),
        }
    }
}

impl CopiedRequest {
    /// Reads a "Copy as cURL (bash)" command.
    ///
    /// # Errors
    ///
    /// A [`CurlParseError`] for input over [`MAX_INPUT_LEN`], the Windows
    /// `cmd`, PowerShell or JavaScript flavours, shell syntax that cannot be
    /// read (unbalanced quotes, expansions, operators, a second command), an
    /// unknown or unsupported flag, a flag without its value, a file
    /// argument (`@file`), a missing, second, invalid or globbing URL, a
    /// malformed header, or `-I` with data.
    ///
    /// # Examples
    ///
    /// ```
    /// use corslab::formats::curl::{CopiedRequest, CurlErrorKind};
    ///
    /// let copied = CopiedRequest::parse("curl -sS https://api.test/x -d a=1 -d b=2").unwrap();
    /// assert_eq!((copied.method.as_str(), copied.body.as_deref()), ("POST", Some("a=1&b=2")));
    /// assert_eq!(copied.ignored_flags, ["-s", "-S"]);
    ///
    /// let e = CopiedRequest::parse("curl https://api.test/x -d @body.json").unwrap_err();
    /// assert_eq!(e.kind(), CurlErrorKind::FileArgument);
    /// ```
    pub fn parse(text: &str) -> Result<CopiedRequest, CurlParseError> {
        if text.len() > MAX_INPUT_LEN {
            return Err(CurlParseError::new(CurlErrorKind::TooLong, "", MAX_INPUT_LEN));
        }
        let words = shell::split(text)?;
        let Some((command, rest)) = words.split_first() else {
            return Err(CurlParseError::new(CurlErrorKind::Empty, "", text.len()));
        };
        let program = command.text.rsplit('/').next().unwrap_or_default();
        if program != "curl" && program != "curl.exe" {
            return Err(CurlParseError::new(CurlErrorKind::NotCurl, &command.text, command.offset));
        }
        let args = options::read(rest)?;
        CopiedRequest::from_args(args, text.len())
    }

    /// Builds the request from what the flags said.
    fn from_args(mut args: CurlArgs, end: usize) -> Result<CopiedRequest, CurlParseError> {
        let mut warnings = Vec::new();

        // The URL: one, curl's glob escapes removed, absolute http(s).
        let (raw_url, url_offset) =
            args.url.take().ok_or_else(|| CurlParseError::new(CurlErrorKind::MissingUrl, "", end))?;
        let mut url = if args.globoff {
            raw_url
        } else {
            unglob(&raw_url).ok_or_else(|| CurlParseError::new(CurlErrorKind::UrlGlob, &raw_url, url_offset))?
        };
        let parsed = Url::parse(&url)
            .ok()
            .filter(|u| matches!(u.scheme(), "http" | "https"))
            .ok_or_else(|| CurlParseError::new(CurlErrorKind::InvalidUrl, &url, url_offset))?;
        // The method and the body, by curl's rules.
        if args.head && args.data.is_some() && !args.get {
            return Err(CurlParseError::new(CurlErrorKind::ConflictingMethods, "-I", args.data_offset));
        }
        let mut body = args.data.take();
        if args.get
            && let Some(query) = body.take()
        {
            url = with_query(&url, &query);
        }
        let method = match args.method.take() {
            Some(method) => method,
            None if args.head => "HEAD".to_owned(),
            None if body.is_some() => "POST".to_owned(),
            None => "GET".to_owned(),
        };

        // The header lines: -H first, then what -A, -e, -r and --json add
        // when -H did not set the same header.
        let mut lines = std::mem::take(&mut args.headers);
        for line in &lines {
            if line.empty_after_colon {
                warnings.push(CopyWarning::EmptyValueAfterColon { name: line.name.clone() });
            }
        }
        let json_headers = [("Content-Type", "application/json"), ("Accept", "application/json")];
        let added = [
            ("User-Agent", args.user_agent.take()),
            ("Referer", args.referer.take()),
            ("Range", args.range.take().map(|r| format!("bytes={r}"))),
        ]
        .into_iter()
        .chain(json_headers.into_iter().filter(|_| args.json).map(|(n, v)| (n, Some(v.to_owned()))));
        let mut extra = Vec::new();
        for (name, value) in added {
            if let Some(value) = value
                && !lines.iter().any(|l| l.name.eq_ignore_ascii_case(name))
            {
                extra.push(HeaderLine { name: name.to_owned(), value, empty_after_colon: false });
            }
        }
        lines.extend(extra);
        if args.user.is_some() {
            warnings.push(CopyWarning::UserOption);
        }

        Ok(CopiedRequest::assemble(CopyParts {
            headers: lines.into_iter().map(|l| (l.name, l.value)).collect(),
            body,
            cookie_option: args.cookies,
            user: args.user,
            ignored: args.ignored,
            warnings,
            ..CopyParts::new(url, parsed, method)
        }))
    }

    /// The request a copy describes, from what its format said: the one
    /// place where copied headers are sorted into the page's and the
    /// browser's, for cURL and fetch copies alike.
    pub(crate) fn assemble(parts: CopyParts) -> CopiedRequest {
        let CopyParts {
            url,
            parsed_url,
            method,
            headers,
            body,
            cookie_option,
            user,
            ignored,
            mut warnings,
            browser: shape_browser,
            mode,
            credentials,
            page_url,
        } = parts;
        if !parsed_url.username().is_empty() || parsed_url.password().is_some() {
            warnings.insert(0, CopyWarning::UrlCredentials);
        }

        // Sort them into the page's and the browser's.
        let browser = headers::detect_browser(&headers).or(shape_browser);
        let sorted = headers::sort(headers, &method, browser);

        let cookies = if !sorted.cookies.is_empty() {
            if !cookie_option.is_empty() {
                warnings.push(CopyWarning::CookieOptionIgnored);
            }
            Some(sorted.cookies.join("; "))
        } else if !cookie_option.is_empty() {
            Some(cookie_option.join(";"))
        } else {
            None
        };
        let page_url = page_url.or(sorted.referer).filter(|p| !p.is_empty());
        let origin = sorted.origin.or_else(|| {
            let page = Url::parse(page_url.as_deref()?).ok()?;
            Some(Origin::from_url(&page).to_string()).filter(|o| o != "null")
        });
        let same_origin = sorted.sec_fetch_site.as_deref() == Some("same-origin")
            || origin
                .as_deref()
                .and_then(|o| Origin::parse(o).ok())
                .is_some_and(|o| o.is_same_origin(&Origin::from_url(&parsed_url)));
        let credentials_hint = credentials.or_else(|| {
            cookies.as_ref().map(|_| if same_origin { CredentialsMode::SameOrigin } else { CredentialsMode::Include })
        });

        let mode_hint = sorted.sec_fetch_mode.as_deref().and_then(headers::mode_from_sec_fetch_mode).or(mode);
        if let Some(fetch_mode) = &sorted.sec_fetch_mode
            && headers::mode_from_sec_fetch_mode(fetch_mode).is_none()
        {
            warnings.push(CopyWarning::NotAFetch { sec_fetch_mode: fetch_mode.clone() });
        }
        if method.eq_ignore_ascii_case("OPTIONS") && sorted.has_acrm {
            warnings.push(CopyWarning::PreflightCopy);
        }
        // Keep the order the warnings had before they were shared: the
        // user option last.
        if let Some(i) = warnings.iter().position(|w| *w == CopyWarning::UserOption) {
            let user_warning = warnings.remove(i);
            warnings.push(user_warning);
        }

        CopiedRequest {
            url,
            method,
            headers: sorted.kept,
            body,
            origin,
            page_url,
            cookies,
            credentials_hint,
            mode_hint,
            browser,
            user,
            dropped: sorted.dropped,
            ignored_flags: ignored,
            warnings,
        }
    }

    /// The `fetch()` call with the given mode and credentials mode.
    pub fn to_fetch_call(&self, mode: RequestMode, credentials: CredentialsMode) -> FetchCall {
        FetchCall {
            url: self.url.clone(),
            method: self.method.clone(),
            headers: self.headers.clone(),
            mode,
            credentials,
            body: self.body.clone(),
        }
    }

    /// The `fetch()` call with the hinted mode and credentials mode, or
    /// `fetch()`'s defaults (`cors`, `same-origin`) where there is no hint.
    pub fn fetch_call(&self) -> FetchCall {
        self.to_fetch_call(self.mode_hint.unwrap_or_default(), self.credentials_hint.unwrap_or_default())
    }
}

/// Removes curl's glob escapes (`\[`, `\]`, `\{`, `\}`, which Chromium
/// writes for every bracket and brace); `None` for an unescaped `{` or `[`,
/// which curl would expand into several URLs, except the `[` of an IPv6
/// host.
///
/// <https://everything.curl.dev/cmdline/globbing.html>
fn unglob(url: &str) -> Option<String> {
    let ipv6_bracket = url.find("://").map(|i| i + 3).filter(|&i| url[i..].starts_with('['));
    let mut out = String::with_capacity(url.len());
    let mut chars = url.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' if chars.peek().is_some_and(|&(_, n)| matches!(n, '[' | ']' | '{' | '}')) => {
                if let Some((_, n)) = chars.next() {
                    out.push(n);
                }
            }
            '{' => return None,
            '[' if Some(i) != ipv6_bracket => return None,
            _ => out.push(c),
        }
    }
    Some(out)
}

/// `url` with `query` appended to its query (before any fragment), as `-G`
/// does.
fn with_query(url: &str, query: &str) -> String {
    let (base, fragment) = match url.find('#') {
        Some(i) => url.split_at(i),
        None => (url, ""),
    };
    let separator = if base.contains('?') { '&' } else { '?' };
    format!("{base}{separator}{query}{fragment}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn unglob_as_curl() {
        assert_eq!(unglob(r"http://a.test/q?a\[0\]=\{x\}").as_deref(), Some("http://a.test/q?a[0]={x}"));
        assert_eq!(unglob("http://[::1]:8080/x").as_deref(), Some("http://[::1]:8080/x"));
        assert_eq!(unglob("http://a.test/]}").as_deref(), Some("http://a.test/]}"));
        assert_eq!(unglob(r"http://a.test/\x").as_deref(), Some(r"http://a.test/\x"));
        assert_eq!(unglob("http://a.test/{a,b}"), None);
        assert_eq!(unglob("http://a.test/[1-3]"), None);
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn get_appends_before_the_fragment() {
        assert_eq!(with_query("http://a.test/p", "a=1"), "http://a.test/p?a=1");
        assert_eq!(with_query("http://a.test/p?x=1#f", "a=1"), "http://a.test/p?x=1&a=1#f");
    }
}
