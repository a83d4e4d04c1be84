//! The text the `decide` and `check` targets read: a `fetch()` call, the
//! page, the setup and the servers' answers, one fact per line, so that
//! every string the engine sees (a URL, a method, a header name or value, a
//! status) comes from the fuzzer unchecked, and AFL's mutations stay
//! meaningful. A line is a keyword, one space, and the rest of the line as
//! is; an unknown keyword or a value that does not read is skipped.
//!
//! ```text
//! page http://page.test                 the page's origin (default; `null` too)
//! url http://api.test/data              fetch()'s URL, as written
//! method PUT                            init.method, as written
//! header X-Custom: 1                    init.headers (name and value as written)
//! body x                                init.body
//! mode cors|no-cors|same-origin
//! credentials omit|same-origin|include
//! redirect follow|error|manual
//! context window|sandboxed-iframe|data-iframe|blank-iframe
//! space ORIGIN public|local|loopback    the network (Local Network Access)
//! grant NAME | pref NAME JSON | switch --disable-features=…
//! repeat N                              the same call again, 10 ms apart
//! browser chrome|firefox|webkit|spec    (none: one, by the input's length)
//! cookies a=1 | page-url URL | address 127.0.0.1 | audit   (check only)
//! at URL                                the answers below are this URL's
//! preflight 204                         an answer to OPTIONS, then its lines:
//! h Access-Control-Allow-Origin: *      a header line, name and value as received
//! response 200                          an answer to the request itself
//! ```
//!
//! `decide` answers each URL with its first `preflight` and `response`;
//! `check` hands the answers out in order, one per request the browser
//! sends, whatever their kind (a real server answers whatever it is asked).

use std::collections::BTreeMap;
use std::net::IpAddr;

use corslab::Browser;
use corslab::fetch::client::ContextKind;
use corslab::fetch::engine::Setup;
use corslab::fetch::local_network::AddressSpace;
use corslab::fetch::redirect::RedirectMode;
use corslab::fetch::wire::WireResponse;
use corslab::{CredentialsMode, FetchCall, Origin, RequestMode};

/// The page's origin when the input names none (or one that does not parse).
pub const DEFAULT_PAGE: &str = "http://page.test";
/// fetch()'s URL when the input names none.
pub const DEFAULT_URL: &str = "http://api.test/data";

/// At most this many answers and header lines are read (the rest is
/// skipped), so one input cannot make the engine's work unbounded.
pub const MAX_ANSWERS: usize = 64;
/// At most this many header lines per answer, and request headers.
pub const MAX_HEADERS: usize = 64;

/// One scripted answer.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Answer {
    /// The URL it answers (`None`: fetch()'s own URL).
    pub at: Option<String>,
    /// An answer to a preflight (`OPTIONS`), else to the request.
    pub preflight: bool,
    /// The status and header lines, as received.
    pub wire: WireResponse,
}

/// What an input describes.
#[derive(Clone, Debug)]
pub struct Input {
    /// The page's origin.
    pub page: Origin,
    /// What the page passes to `fetch()`.
    pub call: FetchCall,
    /// The redirect mode, the context, the network.
    pub setup: Setup,
    /// How many times the call is made.
    pub repeat: u32,
    /// The browsers to decide for (empty: all).
    pub browsers: Vec<Browser>,
    /// The `Cookie` the browser holds (check).
    pub cookies: Option<String>,
    /// The page's URL (check).
    pub page_url: Option<String>,
    /// The target's address (check's audit).
    pub address: Option<IpAddr>,
    /// Whether to run the audit's probes (check).
    pub audit: bool,
    /// The answers, in order.
    pub answers: Vec<Answer>,
}

impl Input {
    /// Reads an input; never fails.
    pub fn parse(text: &str) -> Input {
        let mut input = Input {
            page: Origin::parse(DEFAULT_PAGE).unwrap_or(Origin::Opaque),
            call: FetchCall {
                url: DEFAULT_URL.to_owned(),
                method: "GET".to_owned(),
                headers: Vec::new(),
                mode: RequestMode::Cors,
                credentials: CredentialsMode::SameOrigin,
                body: None,
            },
            setup: Setup::default(),
            repeat: 1,
            browsers: Vec::new(),
            cookies: None,
            page_url: None,
            address: None,
            audit: false,
            answers: Vec::new(),
        };
        let mut at: Option<String> = None;
        for line in text.split('\n') {
            let (keyword, value) = line.split_once(' ').unwrap_or((line, ""));
            match keyword {
                "page" => {
                    if let Ok(page) = Origin::parse(value) {
                        input.page = page;
                    }
                }
                "url" => input.call.url = value.to_owned(),
                "method" => input.call.method = value.to_owned(),
                "header" if input.call.headers.len() < MAX_HEADERS => input.call.headers.push(pair(value)),
                "body" => input.call.body = Some(value.to_owned()),
                "mode" => {
                    input.call.mode = match value {
                        "no-cors" => RequestMode::NoCors,
                        "same-origin" => RequestMode::SameOrigin,
                        _ => RequestMode::Cors,
                    };
                }
                "credentials" => {
                    input.call.credentials = match value {
                        "omit" => CredentialsMode::Omit,
                        "include" => CredentialsMode::Include,
                        _ => CredentialsMode::SameOrigin,
                    };
                }
                "redirect" => {
                    input.setup.redirect = match value {
                        "error" => RedirectMode::Error,
                        "manual" => RedirectMode::Manual,
                        _ => RedirectMode::Follow,
                    };
                }
                "context" => {
                    input.setup.context = match value {
                        "sandboxed-iframe" => ContextKind::SandboxedIframe,
                        "data-iframe" => ContextKind::DataIframe,
                        "blank-iframe" => ContextKind::BlankIframe,
                        _ => ContextKind::Window,
                    };
                }
                "space" => {
                    let (origin, space) = value.rsplit_once(' ').unwrap_or((value, ""));
                    let space = match space {
                        "local" => AddressSpace::Local,
                        "loopback" => AddressSpace::Loopback,
                        _ => AddressSpace::Public,
                    };
                    input.setup.network.address_space.insert(origin.to_owned(), space);
                }
                "grant" => input.setup.network.grant.push(value.to_owned()),
                "pref" => {
                    let (name, json) = value.split_once(' ').unwrap_or((value, ""));
                    if let Ok(json) = serde_json::from_str(json) {
                        input.setup.network.firefox_prefs.insert(name.to_owned(), json);
                    }
                }
                "switch" => input.setup.network.chromium_switches.push(value.to_owned()),
                "repeat" => input.repeat = value.parse().unwrap_or(1),
                "browser" => {
                    if let Ok(browser) = value.parse::<Browser>()
                        && !input.browsers.contains(&browser)
                    {
                        input.browsers.push(browser);
                    }
                }
                "cookies" => input.cookies = Some(value.to_owned()),
                "page-url" => input.page_url = Some(value.to_owned()),
                "address" => input.address = value.parse().ok(),
                "audit" => input.audit = true,
                "at" => at = Some(value.to_owned()),
                "preflight" | "response" if input.answers.len() < MAX_ANSWERS => input.answers.push(Answer {
                    at: at.clone(),
                    preflight: keyword == "preflight",
                    wire: WireResponse {
                        status: value.parse().unwrap_or(0),
                        headers: Vec::new(),
                        body_bytes: 0,
                        remote_addr: None,
                    },
                }),
                "h" => {
                    if let Some(answer) = input.answers.last_mut()
                        && answer.wire.headers.len() < MAX_HEADERS
                    {
                        answer.wire.headers.push(pair(value));
                    }
                }
                _ => {}
            }
        }
        input
    }

    /// The browsers to decide for: those the input names, else one picked
    /// by the input's length (each run decides for one browser, four times
    /// faster; the campaign covers all four).
    pub fn browsers(&self, len: usize) -> Vec<Browser> {
        if self.browsers.is_empty() { vec![pick_browser(len)] } else { self.browsers.clone() }
    }

    /// The first answer of each kind per URL (`None`: fetch()'s own URL),
    /// in the order the URLs first appear.
    pub fn by_url(&self) -> Vec<(Option<&str>, Option<&WireResponse>, Option<&WireResponse>)> {
        let mut order: Vec<Option<&str>> = Vec::new();
        let mut first: BTreeMap<(Option<&str>, bool), &WireResponse> = BTreeMap::new();
        for answer in &self.answers {
            let at = answer.at.as_deref();
            if !order.contains(&at) {
                order.push(at);
            }
            first.entry((at, answer.preflight)).or_insert(&answer.wire);
        }
        order.into_iter().map(|at| (at, first.get(&(at, true)).copied(), first.get(&(at, false)).copied())).collect()
    }
}

/// The browser an input of `len` bytes is decided for when it names none.
pub fn pick_browser(len: usize) -> Browser {
    Browser::ALL[len % Browser::ALL.len()]
}

/// `Name: value` → (`Name`, `value`), split at the first colon, one space
/// after it dropped (the rest as is); a line without a colon is all name.
fn pair(text: &str) -> (String, String) {
    match text.split_once(':') {
        Some((name, value)) => (name.to_owned(), value.strip_prefix(' ').unwrap_or(value).to_owned()),
        None => (text.to_owned(), String::new()),
    }
}
