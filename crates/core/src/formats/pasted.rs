//! What a developer pasted, told by its first words before any parser reads
//! it: one of DevTools' copies of a request ("Copy as cURL" for bash or
//! Windows `cmd`, "Copy as PowerShell", "Copy as fetch"), or something else
//! (a console line, for the page). The page picks its parser by it, and each
//! copy parser refuses the other kinds by it, naming the right one.

/// The kind of a pasted text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PastedKind {
    /// A `curl` command ("Copy as cURL", bash or Windows `cmd`: both start
    /// with `curl`).
    Curl,
    /// "Copy as PowerShell": `Invoke-WebRequest`, or the `$session` and
    /// `$headers` lines before it.
    PowerShell,
    /// "Copy as fetch": `fetch(…)`, `await fetch(…)` or `window.fetch(…)`.
    Fetch,
    /// Anything else.
    Other,
}

/// The kind of `text`, by its first words (any case, after blanks).
///
/// # Examples
///
/// ```
/// use corslab::formats::pasted::{PastedKind, pasted_kind};
///
/// assert_eq!(pasted_kind("curl 'http://a.test/' -H 'X: 1'"), PastedKind::Curl);
/// assert_eq!(pasted_kind("  await fetch(\"http://a.test/\", {})"), PastedKind::Fetch);
/// assert_eq!(pasted_kind("Invoke-WebRequest -UseBasicParsing -Uri \"http://a.test/\""), PastedKind::PowerShell);
/// assert_eq!(pasted_kind("Access to fetch at 'http://a.test/' from origin …"), PastedKind::Other);
/// ```
pub fn pasted_kind(text: &str) -> PastedKind {
    let text = text.trim_start();
    // The longest prefix looked at is `invoke-webrequest` (17 bytes).
    let mut head = [0u8; 24];
    let len = text.len().min(head.len());
    head[..len].copy_from_slice(&text.as_bytes()[..len]);
    head.make_ascii_lowercase();
    let head = &head[..len];
    let word_ends = |rest: &[u8]| rest.first().is_none_or(|b| b.is_ascii_whitespace() || matches!(b, b'\\' | b'^'));
    if let Some(rest) = head.strip_prefix(b"curl.exe").or_else(|| head.strip_prefix(b"curl"))
        && word_ends(rest)
    {
        return PastedKind::Curl;
    }
    if [&b"invoke-webrequest"[..], b"invoke-restmethod", b"$session", b"$headers"].iter().any(|p| head.starts_with(p)) {
        return PastedKind::PowerShell;
    }
    let call = head.strip_prefix(b"await").map_or(head, |rest| rest.trim_ascii_start());
    let call = call.strip_prefix(b"window.").unwrap_or(call);
    if call.strip_prefix(b"fetch").is_some_and(|rest| rest.trim_ascii_start().starts_with(b"(")) {
        return PastedKind::Fetch;
    }
    PastedKind::Other
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn each_copy_by_its_first_words() {
        for (text, kind) in [
            ("curl 'http://a.test/'", PastedKind::Curl),
            ("curl\t'http://a.test/'", PastedKind::Curl),
            ("curl \\\n  'http://a.test/'", PastedKind::Curl),
            ("curl\\\n 'http://a.test/'", PastedKind::Curl),
            ("CURL 'http://a.test/'", PastedKind::Curl),
            ("curl ^\"http://a.test/^\"", PastedKind::Curl),
            ("curl.exe 'http://a.test/'", PastedKind::Curl),
            ("curl", PastedKind::Curl),
            ("curly braces", PastedKind::Other),
            ("$session = New-Object Microsoft.PowerShell.Commands.WebRequestSession", PastedKind::PowerShell),
            ("Invoke-RestMethod -Uri x", PastedKind::PowerShell),
            ("fetch(\"http://a.test/\")", PastedKind::Fetch),
            ("fetch (\"http://a.test/\")", PastedKind::Fetch),
            ("await fetch(\"http://a.test/\")", PastedKind::Fetch),
            ("await  window.fetch(\"http://a.test/\")", PastedKind::Fetch),
            ("fetcher()", PastedKind::Other),
            ("Access to fetch at 'http://a.test/' from origin 'http://b.test' has been blocked by CORS policy", PastedKind::Other),
            ("", PastedKind::Other),
            ("é", PastedKind::Other),
        ] {
            assert_eq!(pasted_kind(text), kind, "{text:?}");
        }
    }
}
