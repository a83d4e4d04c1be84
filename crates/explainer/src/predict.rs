//! Asking the core what the browser will do with the composed request, and
//! the request as `fetch()` and `curl` snippets.
//!
//! Two URLs are involved. The *live* URL is where the lab really sends the
//! request: `/replay/{run}?…` or `/policy/{run}…?…` on the companion server,
//! whose query scripts the server's answer. The *shown* URL is the one the
//! user composed: the server's origin and the composed path. The page shows
//! only the shown URL (preflight, console lines, snippets, reality).
//!
//! Why predict at the shown URL, rather than predict at the live URL and
//! rewrite the text: the engine's decisions depend on a URL only through its
//! origin (same-origin or not, the `Origin` sent) and as text (console
//! messages, the preflight's request line, `{url}` in scripted values). The
//! shown URL is built on the live URL's own origin, so every decision is the
//! same, and the text comes out right by construction, with no string
//! surgery over messages whose wording the core owns. The one input that
//! differs is `{url}` in a scripted answer: the server fills in the live URL,
//! the prediction the shown one; such a value never decides a compared fact
//! (a URL is never an origin, a method, a header name or a number, and
//! redirects are not modelled), only its text (or a `Content-Length`) changes.
//! `tests::every_recorded_scenario_is_predicted_alike_at_both_urls` checks
//! the compared facts agree at the two URLs.

use std::fmt::Write as _;

use corslab::Browser;
use corslab::Origin;
use corslab::policy::CorsPolicy;
use corslab::formats::replay::ReplaySpec;
use corslab::formats::scenario::{Expectation, Prepared, Run, run, run_against};
use corslab::{CredentialsMode, FetchCall, RequestMode};

use crate::state::{Composition, ServerSetup};

/// How the server answers a prediction: the replay's scripted answers, or a
/// policy.
// Built once per prediction and matched on: boxing the larger variant would
// only add an allocation.
#[allow(clippy::large_enum_variant)]
enum Answering {
    Replay(Prepared),
    Policy(CorsPolicy),
}

/// The prediction for one composition.
#[derive(Debug)]
pub struct Predicted {
    /// The URL the page shows: the server's origin and the composed path
    /// (what the prediction, its messages and the snippets use).
    pub url: String,
    /// Where the lab really sends the request (the replay or policy URL, its
    /// query scripting the server). Never shown.
    pub live_url: String,
    /// The profile's run (a decision and a trace per repeat).
    pub run: Option<Run>,
    /// The last request's predicted facts, per profile (Chromium, Firefox,
    /// the standard), for the summary table.
    pub per_browser: Vec<(Browser, Expectation)>,
    /// Headers the replay leaves out, or why nothing can be predicted.
    pub notes: Vec<String>,
    /// Why there is no prediction.
    pub error: Option<String>,
}

/// The live URL of a composition for run `run_id` on `server`.
pub fn live_url(c: &Composition, page_origin: &str, server: &str, run_id: &str) -> (String, Vec<String>) {
    match &c.server {
        ServerSetup::Scripted { .. } => {
            let Some(scenario) = c.scenario() else { return (String::new(), Vec::new()) };
            let (spec, left_out) = ReplaySpec::from_scenario(&scenario, page_origin);
            let notes = left_out
                .iter()
                .map(|l| format!("the replay server never sends {} (in the {}): it is left out", l.name, l.answer))
                .collect();
            (format!("{server}{}", spec.path_and_query(run_id)), notes)
        }
        ServerSetup::Policy { query } => {
            let path = if c.request.path.starts_with('/') && c.request.path != "/" { c.request.path.as_str() } else { "" };
            let path = path.split(['?', '#']).next().unwrap_or_default();
            (format!("{server}/policy/{run_id}{path}?{query}"), Vec::new())
        }
        // The user's own server: the request goes where they said.
        ServerSetup::Yours { url, .. } => (url.clone(), Vec::new()),
    }
}

/// The URL the page shows for a request to `path` on the server that `live`
/// (the live URL) is on: that origin and the composed path (a `/` put in
/// front when missing, the fragment dropped), as `fetch()` would resolve it.
/// After the origin and a `/`, nothing can change the host: `@evil.test`
/// and `//evil.test` stay paths.
pub fn shown_url(live: &str, path: &str) -> String {
    let Ok(origin) = Origin::from_url_str(live) else { return live.to_owned() };
    let path = path.trim().split('#').next().unwrap_or_default();
    let slash = if path.starts_with('/') { "" } else { "/" };
    url::Url::parse(&format!("{origin}{slash}{path}")).map_or_else(|_| format!("{origin}/"), String::from)
}

/// The call `fetch()` gets for a composition at `url`.
pub fn call(c: &Composition, url: &str) -> FetchCall {
    FetchCall {
        url: url.to_owned(),
        method: c.request.method.clone(),
        headers: c.request.headers.clone(),
        mode: c.request.mode,
        credentials: c.request.credentials,
        body: c.request.body.clone(),
    }
}

/// Predicts `c` for a page at `page_origin` whose request really goes to
/// `live_url`; the prediction is made at the composed URL on the same origin
/// (see the module's documentation for why).
pub fn predict(c: &Composition, page_origin: &str, live_url: &str) -> Predicted {
    let shown = shown_url(live_url, &c.request.path);
    let mut predicted = predict_at(c, page_origin, &shown);
    predicted.live_url = live_url.to_owned();
    predicted
}

/// Predicts `c` for a page at `page_origin` sending to `url`.
fn predict_at(c: &Composition, page_origin: &str, url: &str) -> Predicted {
    let mut predicted = Predicted {
        url: url.to_owned(),
        live_url: url.to_owned(),
        run: None,
        per_browser: Vec::new(),
        notes: Vec::new(),
        error: None,
    };
    let page = match Origin::parse(page_origin) {
        Ok(page) => page,
        Err(e) => {
            predicted.error = Some(format!("this page's origin {page_origin:?}: {e}"));
            return predicted;
        }
    };
    // How the server answers, built once for the three profiles.
    let server = match &c.server {
        ServerSetup::Scripted { .. } => c
            .scenario()
            .ok_or_else(|| "no scenario".to_owned())
            .map(|mut scenario| {
                // The address spaces, keyed by the origins predicted here.
                if let (Some(spaces), Ok(server)) = (&c.spaces, Origin::from_url_str(url)) {
                    scenario.environment = spaces.environment(page_origin, &server.to_string());
                }
                scenario
            })
            .and_then(|scenario| {
                let (spec, _) = ReplaySpec::from_scenario(&scenario, page_origin);
                spec.scenario(&scenario).prepare_at(page_origin, url).map_err(|e| e.to_string())
            })
            .map(Answering::Replay),
        ServerSetup::Policy { query } => CorsPolicy::from_query(query)
            .map_err(|errors| {
                let list: Vec<String> = errors.iter().map(ToString::to_string).collect();
                format!("the policy is invalid: {}", list.join("; "))
            })
            .map(Answering::Policy),
        // Nothing to predict locally: the user's server answers for itself,
        // through /probe (see `yours`).
        ServerSetup::Yours { .. } => Err("your server is checked from your app (the companion server's /probe), not predicted here".to_owned()),
    };
    let server = match server {
        Ok(server) => server,
        Err(e) => {
            predicted.error = Some(e);
            return predicted;
        }
    };
    let call = call(c, url);
    for browser in Browser::ALL {
        let traced = browser == c.browser;
        let result = match &server {
            Answering::Replay(prepared) => run(prepared, browser, traced),
            Answering::Policy(policy) => run_against(&call, &page, policy, c.repeat, browser, traced),
        };
        if let Some(prediction) = result.prediction(&c.id) {
            predicted.per_browser.push((browser, prediction.expect));
        }
        if traced {
            predicted.run = Some(result);
        }
    }
    predicted
}

/// The `init` object of a `fetch()` call, as JavaScript source.
pub fn fetch_snippet(call: &FetchCall) -> String {
    let mut init = vec![format!("  method: {},", js_string(&call.method))];
    if !call.headers.is_empty() {
        let pairs: Vec<String> =
            call.headers.iter().map(|(n, v)| format!("[{}, {}]", js_string(n), js_string(v))).collect();
        init.push(format!("  headers: [{}],", pairs.join(", ")));
    }
    if call.mode != RequestMode::Cors {
        init.push(format!("  mode: {},", js_string(call.mode.as_str())));
    }
    if call.credentials != CredentialsMode::SameOrigin {
        init.push(format!("  credentials: {},", js_string(call.credentials.as_str())));
    }
    if let Some(body) = &call.body {
        init.push(format!("  body: {},", js_string(body)));
    }
    format!("await fetch({}, {{\n{}\n}});", js_string(&call.url), init.join("\n"))
}

/// The request (and its preflight) as `curl` commands.
pub fn curl_snippet(call: &FetchCall, page_origin: &str, preflight: Option<&corslab::fetch::preflight::PreflightRequest>) -> String {
    let mut out = String::new();
    if let Some(preflight) = preflight {
        out.push_str("# the preflight the browser sends first\n");
        out.push_str(&format!("curl -i -X OPTIONS {}", shell(&preflight.url)));
        for (name, value) in preflight.headers() {
            out.push_str(&format!(" \\\n  -H {}", shell(&format!("{name}: {value}"))));
        }
        out.push_str("\n\n# the request itself\n");
    }
    out.push_str(&format!("curl -i -X {} {}", shell(&call.method), shell(&call.url)));
    out.push_str(&format!(" \\\n  -H {}", shell(&format!("Origin: {page_origin}"))));
    for (name, value) in &call.headers {
        out.push_str(&format!(" \\\n  -H {}", shell(&format!("{name}: {value}"))));
    }
    if let Some(body) = &call.body {
        out.push_str(&format!(" \\\n  --data-raw {}", shell(body)));
    }
    out.push('\n');
    out
}

/// Whether `c` must never reach a terminal or a console raw: the control
/// characters (C0, DEL, C1), the line and paragraph separators, and the
/// bidirectional formatting characters, which can hide or reorder what a
/// reader sees (Trojan Source).
pub(crate) fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c, '\u{2028}' | '\u{2029}' | '\u{061c}' | '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// A JavaScript string literal (also valid JSON): `"` and `\` escaped, and
/// every [unsafe](is_unsafe_char) character as `\uHHHH`, so a paste into a
/// console sees no raw control, no line terminator (U+2028 and U+2029 end a
/// line in older engines) and no bidi override.
fn js_string(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => {
                // Every unsafe character is in the Basic Multilingual Plane.
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// One shell word for bash and zsh that is exactly `s` and is safe to paste
/// into a terminal: `'…'` when `s` holds no [unsafe](is_unsafe_char)
/// character, otherwise ANSI-C quoting `$'…'` where `\` and `'` are escaped,
/// `\n` and `\t` are written so, and each unsafe character is written as the
/// `\xHH` escapes of its UTF-8 bytes (byte-exact whatever the locale, where
/// `\uHHHH` depends on it). Inside `$'…'` the quote is written `\x27` (not
/// `\'`) and `!` as `\x21`: interactive bash's history expansion reads
/// `\'` as the end of a quoted string and would expand a `!` after it.
fn shell(s: &str) -> String {
    if !s.chars().any(is_unsafe_char) {
        return format!("'{}'", s.replace('\'', "'\\''"));
    }
    let mut out = String::with_capacity(s.len() + 3);
    out.push_str("$'");
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\x27"),
            '!' => out.push_str("\\x21"),
            '\n' => out.push_str("\\n"),
            '\t' => out.push_str("\\t"),
            c if is_unsafe_char(c) => {
                let mut bytes = [0; 4];
                for byte in c.encode_utf8(&mut bytes).bytes() {
                    let _ = write!(out, "\\x{byte:02x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('\'');
    out
}

#[cfg(test)]
mod tests {
    use corslab::formats::scenario::ScenarioFile;
    use corslab::policy::PolicyConfig;

    use super::*;
    use crate::SERVER;

    const PAGE: &str = "http://localhost:5050";
    const RECORDED: &str = include_str!("../../core/testdata/scenarios/recorded.json");

    /// Every kind of character that must not reach a terminal raw, with the
    /// characters the quoting itself must get right.
    const NASTY: &str = "a\x03b\x1b[2Jc\rd\u{2028}e\u{202e}f\u{2029}g\x7fh\u{85}i\u{9b}j\u{2066}k\u{200f}l\tm\nn'o!p\\q$(id)r\"s☃\x00t";

    /// Decodes the shell words of `curl` commands as bash would (only what
    /// `shell` writes: `'…'`, `\'` between them, `$'…'` with
    /// `\\ \' \n \t \xHH`, and backslash-newline continuations).
    fn words(command: &str) -> Vec<String> {
        let mut words = Vec::new();
        let mut word: Option<Vec<u8>> = None;
        let mut chars = command.chars().peekable();
        while let Some(c) = chars.next() {
            match c {
                '\\' if chars.peek() == Some(&'\n') => {
                    chars.next();
                }
                ' ' | '\n' => {
                    if let Some(w) = word.take() {
                        words.push(String::from_utf8(w).expect("UTF-8"));
                    }
                }
                '\'' => {
                    let w = word.get_or_insert_with(Vec::new);
                    for c in chars.by_ref() {
                        if c == '\'' {
                            break;
                        }
                        w.extend(c.to_string().bytes());
                    }
                }
                '$' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    let w = word.get_or_insert_with(Vec::new);
                    while let Some(c) = chars.next() {
                        match c {
                            '\'' => break,
                            '\\' => match chars.next().expect("an escape") {
                                'x' => {
                                    let hex: String = [chars.next().expect("hex"), chars.next().expect("hex")].iter().collect();
                                    w.push(u8::from_str_radix(&hex, 16).expect("hex"));
                                }
                                'n' => w.push(b'\n'),
                                't' => w.push(b'\t'),
                                '\\' => w.push(b'\\'),
                                '\'' => w.push(b'\''),
                                other => panic!("unexpected escape \\{other}"),
                            },
                            c => w.extend(c.to_string().bytes()),
                        }
                    }
                }
                '\\' => word.get_or_insert_with(Vec::new).extend(chars.next().expect("an escaped character").to_string().bytes()),
                c => word.get_or_insert_with(Vec::new).extend(c.to_string().bytes()),
            }
        }
        if let Some(w) = word {
            words.push(String::from_utf8(w).expect("UTF-8"));
        }
        words
    }

    fn call_with(body: &str, header: &str) -> FetchCall {
        FetchCall {
            url: format!("{SERVER}/data"),
            method: "PUT".to_owned(),
            headers: vec![("X-Note".to_owned(), header.to_owned())],
            mode: RequestMode::Cors,
            credentials: CredentialsMode::SameOrigin,
            body: Some(body.to_owned()),
        }
    }

    /// No unsafe character anywhere, except the line breaks between the
    /// snippet's own lines.
    fn assert_no_raw_controls(snippet: &str) {
        for (i, c) in snippet.chars().enumerate() {
            assert!(c == '\n' || !is_unsafe_char(c), "raw {c:?} at {i} in {snippet}");
        }
    }

    #[test]
    fn curl_quotes_controls_with_ansi_c_quoting_and_round_trips() {
        let snippet = curl_snippet(&call_with(NASTY, "v\x1b]0;title\x07w"), PAGE, None);
        assert_no_raw_controls(&snippet);
        for raw in ['\x03', '\x1b', '\r', '\u{2028}', '\u{202e}'] {
            assert!(!snippet.contains(raw), "{raw:?} in {snippet}");
        }
        // Each argument is on its own line: the body's newline is escaped.
        assert_eq!(snippet.lines().count(), 4, "{snippet}");
        let words = words(&snippet);
        assert_eq!(words[..5], ["curl", "-i", "-X", "PUT", &format!("{SERVER}/data")]);
        let after = |flag: &str| words.iter().position(|w| w == flag).map(|i| words[i + 1].clone());
        assert_eq!(after("--data-raw").as_deref(), Some(NASTY));
        assert!(words.contains(&"X-Note: v\x1b]0;title\x07w".to_owned()), "{words:?}");
        assert!(words.contains(&format!("Origin: {PAGE}")), "{words:?}");
        // The body's argument is ANSI-C quoted, its quote and `!` escaped
        // as bytes (history expansion reads `\'` as a closing quote).
        assert!(snippet.contains("--data-raw $'a\\x03b\\x1b[2Jc\\x0dd\\xe2\\x80\\xa8e\\xe2\\x80\\xaef"), "{snippet}");
        assert!(snippet.contains("n\\x27o\\x21p\\\\q$(id)r\"s☃\\x00t'"), "{snippet}");
    }

    #[test]
    fn curl_keeps_plain_quoting_without_controls() {
        let snippet = curl_snippet(&call_with("it's $(id) `id` ☃", "a 'b'"), PAGE, None);
        assert!(snippet.contains("--data-raw 'it'\\''s $(id) `id` ☃'"), "{snippet}");
        assert!(snippet.contains("-H 'X-Note: a '\\''b'\\'''"), "{snippet}");
        assert!(!snippet.contains("$'"), "{snippet}");
        let words = words(&snippet);
        assert!(words.contains(&"it's $(id) `id` ☃".to_owned()), "{words:?}");
    }

    #[test]
    fn fetch_escapes_controls_and_line_separators_and_round_trips() {
        let snippet = fetch_snippet(&call_with(NASTY, "v\u{2029}w"));
        assert_no_raw_controls(&snippet);
        assert!(snippet.contains("\\u2028") && snippet.contains("\\u2029") && snippet.contains("\\u202e"), "{snippet}");
        assert!(snippet.contains("\\u001b") && snippet.contains("\\u007f") && snippet.contains("\\u0085"), "{snippet}");
        // Each literal is valid JSON (so valid JavaScript) for the same text.
        let body = snippet.lines().find_map(|l| l.trim().strip_prefix("body: ")).expect("a body line");
        let body: String = serde_json::from_str(body.trim_end_matches(',')).expect("a JSON string");
        assert_eq!(body, NASTY);
        let headers = snippet.lines().find_map(|l| l.trim().strip_prefix("headers: ")).expect("a headers line");
        let headers: Vec<(String, String)> = serde_json::from_str(headers.trim_end_matches(',')).expect("JSON pairs");
        assert_eq!(headers, [("X-Note".to_owned(), "v\u{2029}w".to_owned())]);
    }

    #[test]
    fn the_shown_url_is_the_composed_path_on_the_servers_origin() {
        let live = format!("{SERVER}/replay/p1?origin=x&s=200");
        assert_eq!(shown_url(&live, "/data"), format!("{SERVER}/data"));
        assert_eq!(shown_url(&live, "/a b?q=1#frag"), format!("{SERVER}/a%20b?q=1"));
        assert_eq!(shown_url(&live, "data"), format!("{SERVER}/data"));
        assert_eq!(shown_url(&live, ""), format!("{SERVER}/"));
        // Never another origin.
        assert_eq!(shown_url(&live, "@evil.test/x"), format!("{SERVER}/@evil.test/x"));
        assert_eq!(shown_url(&live, "//evil.test/x"), format!("{SERVER}//evil.test/x"));
    }

    fn recorded() -> Vec<Composition> {
        let file = ScenarioFile::parse(RECORDED).expect("recorded scenarios");
        file.scenarios.iter().map(|s| Composition::from_scenario(s, Browser::Chrome)).collect()
    }

    fn policies() -> Vec<Composition> {
        let page = PolicyConfig::new().allow_origin(PAGE).allow_method("PUT").allow_header("content-type").allow_header("x-request-id");
        [
            page.clone(),
            page.clone().credentials(true).max_age(600),
            PolicyConfig::new().allow_origin("*").allow_method("PUT"),
            PolicyConfig::new().allow_origin("https://app.example.com").allow_method("PUT"),
        ]
        .into_iter()
        .map(|config| Composition { server: ServerSetup::Policy { query: config.to_query() }, repeat: 2, ..Composition::default() })
        .collect()
    }

    /// The compared facts (all but the console message and the response
    /// URL, which name the URL).
    fn facts(p: &Predicted) -> Vec<(Browser, Expectation)> {
        p.per_browser.iter().map(|(b, e)| (*b, Expectation { console: None, url: None, ..e.clone() })).collect()
    }

    #[test]
    fn every_recorded_scenario_is_predicted_alike_at_both_urls() {
        let compositions: Vec<Composition> = recorded().into_iter().chain(policies()).collect();
        assert!(compositions.len() > 100);
        for c in compositions {
            let (live, _) = live_url(&c, PAGE, SERVER, "p123");
            let shown = predict(&c, PAGE, &live);
            let at_live = predict_at(&c, PAGE, &live);
            assert_eq!(shown.error, at_live.error, "{}", c.id);
            assert_eq!(facts(&shown), facts(&at_live), "{}", c.id);
            assert_eq!(shown.per_browser.len(), Browser::ALL.len(), "{}", c.id);
            assert_eq!(shown.url, format!("{SERVER}{}", c.request.path), "{}", c.id);
            assert_eq!(shown.live_url, live);
            for (_, e) in &shown.per_browser {
                let console = e.console.as_deref().unwrap_or_default();
                assert!(!console.contains("/replay/") && !console.contains("/policy/"), "{}: {console}", c.id);
            }
        }
    }

    /// Every frontier scenario the page can compose (its origins kept
    /// apart as recorded: not a same-origin one, whose server the page
    /// moves to the companion server; no browser prefs or switches, which
    /// the page does not carry), loaded as the page loads it (hops on the
    /// companion server, the second origin or this page's), is predicted
    /// as recorded, for every browser: outcome, error, parameter,
    /// preflight, status, redirected.
    #[test]
    fn the_frontier_scenarios_are_predicted_as_recorded_from_the_page() {
        let file = ScenarioFile::parse(include_str!("../../core/testdata/scenarios/frontier.json")).expect("frontier scenarios");
        let mut compared = 0;
        for scenario in &file.scenarios {
            let env = &scenario.environment;
            if scenario.is_same_origin() || !env.firefox_prefs.is_empty() || !env.chromium_switches.is_empty() {
                continue;
            }
            let c = Composition::from_scenario(scenario, Browser::Chrome);
            assert_eq!(c.hops.len(), scenario.hops.len(), "{}", c.id);
            let (live, _) = live_url(&c, PAGE, SERVER, "p123");
            let predicted = predict(&c, PAGE, &live);
            assert_eq!(predicted.error, None, "{}", c.id);
            for (browser, e) in &predicted.per_browser {
                let Some(recorded) = scenario.expect.get(browser.as_str()) else { continue };
                let fact = |e: &Expectation| (e.outcome.clone(), e.cors_error.clone(), e.preflight, e.status, e.redirected);
                assert_eq!(fact(e), fact(recorded), "{} in {browser}", c.id);
            }
            compared += 1;
        }
        assert!(compared >= 30, "only {compared} frontier scenarios compared");
    }
}
