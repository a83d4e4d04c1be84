//! What the user composed: the request, how the server answers, the browser
//! profile. It round-trips through the URL fragment, so a link shares it.

use corslab::formats::replay;
use corslab::fetch::local_network::{AddressSpace, NetworkEnvironment};
use corslab::formats::replay::MAX_HOPS;
use corslab::formats::scenario::{self, Hop, Scenario, ScenarioRequest, ScriptedResponse};
use corslab::{Browser, CredentialsMode, Origin, RequestMode};
use serde::{Deserialize, Serialize};

use crate::domain::{ascii_origin, ascii_url, make_ascii};

// What a composition may ask for. A link is text anyone can craft, so every
// count and size is clamped when a composition is read (from a link, the
// form or a scenario file), and the page shows and sends the clamped value.

/// The most times the page sends a request in a row: the form's choices
/// (once, twice, three times). The send loop is bounded by it too.
pub const MAX_REPEAT: u32 = 3;
const _: () = assert!(MAX_REPEAT <= scenario::MAX_REPEAT, "the page repeats no more than the core runs");
/// The most header rows in one list (the request's, each scripted answer's):
/// the replay server's limit.
pub const MAX_HEADER_ROWS: usize = replay::MAX_HEADERS;
/// The longest header value, in bytes: the replay server's limit.
pub const MAX_VALUE_LEN: usize = replay::MAX_VALUE_LEN;
/// The longest header name, in bytes (no core limit; real names are short).
pub const MAX_NAME_LEN: usize = 256;
/// The longest body (the request's, each scripted answer's), in bytes: the
/// replay server's limit.
pub const MAX_BODY_LEN: usize = replay::MAX_BODY_LEN;
/// The longest policy query, in bytes: the policy route's limit.
pub const MAX_POLICY_QUERY_LEN: usize = corslab::policy::MAX_POLICY_QUERY_LEN;
/// The longest method, in bytes (a token; real ones are short).
pub const MAX_METHOD_LEN: usize = 64;
/// The longest path, in bytes.
pub const MAX_PATH_LEN: usize = 2048;
/// The longest label, in bytes.
pub const MAX_ID_LEN: usize = 128;
/// The most hops a composition redirects through: the replay server's
/// limit (more than any browser follows: Chromium and Firefox stop after 20).
pub const MAX_PAGE_HOPS: usize = MAX_HOPS;
/// The longest URL of your server, in bytes.
pub const MAX_URL_LEN: usize = 2048;
/// The longest origin of your app, in bytes (a scheme, a host of at most
/// 253 bytes and a port fit in far less).
pub const MAX_ORIGIN_LEN: usize = 512;

/// This page's origin, in a browser (`None` natively, in unit tests).
pub(crate) fn this_page_origin() -> Option<String> {
    #[cfg(target_arch = "wasm32")]
    {
        crate::dom::page_origin().ok()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        None
    }
}

/// Cuts `text` to at most `max` bytes, on a character boundary.
fn clip(text: &mut String, max: usize) {
    text.truncate(text.floor_char_boundary(max));
}

/// Clamps a header list: at most [`MAX_HEADER_ROWS`] rows, each name and
/// value cut to its limit.
fn clip_headers(headers: &mut Vec<(String, String)>) {
    headers.truncate(MAX_HEADER_ROWS);
    for (name, value) in headers {
        clip(name, MAX_NAME_LEN);
        clip(value, MAX_VALUE_LEN);
    }
}

fn clip_answer(answer: &mut ScriptedResponse) {
    clip_headers(&mut answer.headers);
    if let Some(body) = &mut answer.body {
        clip(body, MAX_BODY_LEN);
    }
}

/// Cuts a query string to at most `max` bytes at a parameter boundary (a
/// parameter cut in half would mean something else).
fn clip_query(query: &mut String, max: usize) {
    if query.len() > max {
        clip(query, max);
        let cut = query.rfind('&').unwrap_or(0);
        query.truncate(cut);
    }
}

/// How the server answers the composed request: the companion server, as
/// scripted or by a policy, or the user's own server.
// Read by hand (below): serde's derive for an internally tagged enum
// buffers the whole value first (its private `Content` machinery and a
// second copy of every field's deserializer), which weighed ~10 KB of the
// page's gzipped wasm.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum ServerSetup {
    /// Scripted answers, replayed by `/replay/{run}`.
    Scripted {
        /// The answer to `OPTIONS`; `None`: a plain 404.
        preflight: Option<ScriptedResponse>,
        /// The answer to the request.
        response: ScriptedResponse,
    },
    /// A CORS policy, applied by `/policy/{run}` (its query string).
    Policy {
        /// The policy as a query string (`origin=...&method=...`).
        query: String,
    },
    /// Your own server at any URL, answering for itself: checked by the
    /// companion server's `/probe` (from your app's origin) and by a real
    /// `fetch()` from this page.
    Yours {
        /// The URL (`http` or `https`; any host, `localhost` and the LAN too).
        url: String,
        /// The origin of the app that makes the request.
        app_origin: String,
    },
}

impl<'de> Deserialize<'de> for ServerSetup {
    /// The JSON the derived `Serialize` writes: `{"kind": "scripted" |
    /// "policy" | "yours", ...that variant's fields}`, read as one flat
    /// object (fields of other variants are ignored, as the derive would).
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error;

        #[derive(Deserialize)]
        struct Flat {
            kind: String,
            #[serde(default)]
            preflight: Option<ScriptedResponse>,
            response: Option<ScriptedResponse>,
            query: Option<String>,
            url: Option<String>,
            app_origin: Option<String>,
        }
        fn required<T, E: Error>(value: Option<T>, field: &'static str) -> Result<T, E> {
            value.ok_or_else(|| E::missing_field(field))
        }
        let flat = Flat::deserialize(deserializer)?;
        Ok(match flat.kind.as_str() {
            "scripted" => ServerSetup::Scripted { preflight: flat.preflight, response: required(flat.response, "response")? },
            "policy" => ServerSetup::Policy { query: required(flat.query, "query")? },
            "yours" => ServerSetup::Yours { url: required(flat.url, "url")?, app_origin: required(flat.app_origin, "app_origin")? },
            other => return Err(D::Error::unknown_variant(other, &["scripted", "policy", "yours"])),
        })
    }
}

impl ServerSetup {
    /// Your server, at `url`, called by an app at `app_origin`.
    pub fn yours(url: impl Into<String>, app_origin: impl Into<String>) -> ServerSetup {
        ServerSetup::Yours { url: url.into(), app_origin: app_origin.into() }
    }

    /// Whether this is [`Yours`](ServerSetup::Yours).
    pub fn is_yours(&self) -> bool {
        matches!(self, ServerSetup::Yours { .. })
    }
}

/// Everything the page shows, in one value.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Composition {
    /// A label (a recorded scenario's id, or `custom`).
    pub id: String,
    /// What the page asks `fetch()` to do.
    pub request: ScenarioRequest,
    /// How the server answers.
    pub server: ServerSetup,
    /// How many times the request is sent in a row (1 to [`MAX_REPEAT`]
    /// once [clamped](Composition::clamped)).
    #[serde(default = "one")]
    pub repeat: u32,
    /// The profile the prediction follows.
    pub browser: Browser,
    /// Where the scripted answer redirects to, hop by hop (hop 1 first;
    /// `{hop1}` in an answer's `Location` leads there). Scripted only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hops: Vec<Hop>,
    /// The address spaces the browser puts the page and the server in, for
    /// Local Network Access: predicted, never sent (the page cannot change
    /// how its browser classifies addresses).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub spaces: Option<Spaces>,
}

/// The address spaces of a composition (Local Network Access), and whether
/// the user granted the permission.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Spaces {
    /// The page's address space.
    pub page: AddressSpace,
    /// The server's.
    pub server: AddressSpace,
    /// The permissions the user granted the page's origin, by the names a
    /// scenario's `environment.grant` uses (one of [`Spaces::GRANTS`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grants: Vec<String>,
}

impl Spaces {
    /// The permissions a page can be granted, by the names a scenario's
    /// `environment.grant` uses (the core's, read by its profiles).
    pub const GRANTS: [&'static str; 3] = corslab::fetch::local_network::PERMISSIONS;

    /// As a scenario's environment, for a page at `page_origin` and a
    /// server at `server_origin`.
    pub fn environment(&self, page_origin: &str, server_origin: &str) -> NetworkEnvironment {
        let mut environment = NetworkEnvironment::default();
        environment.address_space.insert(page_origin.to_owned(), self.page);
        environment.address_space.insert(server_origin.to_owned(), self.server);
        environment.grant = self.grants.iter().filter(|g| Spaces::GRANTS.contains(&g.as_str())).cloned().collect();
        environment
    }

    /// What a scenario's environment says of `page_origin` and
    /// `server_origin`, when it names either (the other in the space its
    /// address is in, as the browser classifies it; public for a name).
    pub fn of(environment: &NetworkEnvironment, page_origin: &str, server_origin: &str) -> Option<Spaces> {
        if environment.address_space.is_empty() && environment.grant.is_empty() {
            return None;
        }
        let space = |origin: &str| {
            Origin::parse(origin).ok().map_or(AddressSpace::Public, |o| environment.space_of(&o).unwrap_or(AddressSpace::Public))
        };
        Some(Spaces { page: space(page_origin), server: space(server_origin), grants: environment.grant.clone() })
    }
}

fn one() -> u32 {
    1
}

impl Default for Composition {
    /// A PUT with a JSON body and a custom header to a server that allows
    /// the page's origin: a preflighted request that succeeds.
    fn default() -> Self {
        Composition {
            id: "custom".to_owned(),
            request: ScenarioRequest {
                method: "PUT".to_owned(),
                path: "/data".to_owned(),
                headers: vec![
                    ("Content-Type".to_owned(), "application/json".to_owned()),
                    ("X-Request-Id".to_owned(), "42".to_owned()),
                ],
                mode: RequestMode::Cors,
                credentials: CredentialsMode::SameOrigin,
                body: Some("{\"a\":1}".to_owned()),
                page_origin: None,
                server_origin: None,
                redirect: Default::default(),
                context: Default::default(),
            },
            hops: Vec::new(),
            spaces: None,
            server: ServerSetup::Scripted {
                preflight: Some(ScriptedResponse {
                    status: 204,
                    headers: vec![
                        ("Access-Control-Allow-Origin".to_owned(), "{origin}".to_owned()),
                        ("Access-Control-Allow-Methods".to_owned(), "PUT".to_owned()),
                        ("Access-Control-Allow-Headers".to_owned(), "content-type, x-request-id".to_owned()),
                    ],
                    body: None,
                }),
                response: ScriptedResponse {
                    status: 200,
                    headers: vec![
                        ("Access-Control-Allow-Origin".to_owned(), "{origin}".to_owned()),
                        ("Content-Type".to_owned(), "text/plain".to_owned()),
                    ],
                    body: Some("saved".to_owned()),
                },
            },
            repeat: 1,
            browser: Browser::Chrome,
        }
    }
}

impl Composition {
    /// The composition with every count and size within the page's limits:
    /// `repeat` in 1..=[`MAX_REPEAT`], at most [`MAX_HEADER_ROWS`] headers
    /// per list, names, values, bodies, method, path, label, policy query,
    /// your server's URL and your app's origin cut to their limits (on a
    /// character boundary), and no page or server
    /// origin of its own (the page uses its own and [`SERVER`](crate::SERVER)).
    /// The origins and the URL the user types are made ASCII by the browser
    /// ([`crate::domain`]): the page's core has no Unicode tables.
    #[must_use]
    pub fn clamped(mut self) -> Composition {
        self.repeat = self.repeat.clamp(1, MAX_REPEAT);
        clip(&mut self.id, MAX_ID_LEN);
        let request = &mut self.request;
        clip(&mut request.method, MAX_METHOD_LEN);
        clip(&mut request.path, MAX_PATH_LEN);
        clip_headers(&mut request.headers);
        if let Some(body) = &mut request.body {
            clip(body, MAX_BODY_LEN);
        }
        request.page_origin = None;
        request.server_origin = None;
        self.hops.truncate(MAX_HOPS);
        for hop in &mut self.hops {
            clip(&mut hop.server_origin, MAX_ORIGIN_LEN);
            make_ascii(&mut hop.server_origin, ascii_origin);
            clip(&mut hop.server_origin, MAX_ORIGIN_LEN);
            clip(&mut hop.path, MAX_PATH_LEN);
            if let Some(userinfo) = &mut hop.userinfo {
                clip(userinfo, MAX_ORIGIN_LEN);
            }
            for answer in [&mut hop.preflight_response, &mut hop.response].into_iter().flatten() {
                clip_answer(answer);
            }
        }
        if !matches!(self.server, ServerSetup::Scripted { .. }) {
            self.hops.clear();
        }
        match &mut self.server {
            ServerSetup::Scripted { preflight, response } => {
                if let Some(preflight) = preflight {
                    clip_answer(preflight);
                }
                clip_answer(response);
            }
            ServerSetup::Policy { query } => clip_query(query, MAX_POLICY_QUERY_LEN),
            ServerSetup::Yours { url, app_origin } => {
                clip(url, MAX_URL_LEN);
                clip(app_origin, MAX_ORIGIN_LEN);
                make_ascii(url, ascii_url);
                make_ascii(app_origin, ascii_origin);
                clip(url, MAX_URL_LEN);
                clip(app_origin, MAX_ORIGIN_LEN);
            }
        }
        self
    }

    /// A recorded scenario, to look at and replay (clamped).
    ///
    /// Its hops go where the page can serve them: the recorded server's
    /// origin to the companion server's ([`SERVER`](crate::SERVER)), the
    /// recorded page's to this page's, any other to the
    /// [second origin](crate::second_origin); its address spaces, when its
    /// environment gives the page's and the server's, come along.
    pub fn from_scenario(scenario: &Scenario, browser: Browser) -> Composition {
        let page = this_page_origin().unwrap_or_else(|| scenario.page_origin().to_owned());
        let live = |recorded: &str| -> String {
            if recorded == scenario.server_origin() {
                crate::SERVER.to_owned()
            } else if recorded == scenario.page_origin() {
                page.clone()
            } else {
                crate::second_origin()
            }
        };
        Composition {
            id: scenario.id.clone(),
            request: ScenarioRequest { page_origin: None, server_origin: None, ..scenario.request.clone() },
            server: ServerSetup::Scripted {
                preflight: scenario.preflight_response.clone(),
                response: scenario.response.clone(),
            },
            repeat: scenario.repeat(),
            browser,
            hops: scenario.hops.iter().map(|hop| Hop { server_origin: live(&hop.server_origin), ..hop.clone() }).collect(),
            spaces: Spaces::of(&scenario.environment, scenario.page_origin(), scenario.server_origin()),
        }
        .clamped()
    }

    /// The composition as a scenario (scripted answers only).
    pub fn scenario(&self) -> Option<Scenario> {
        let ServerSetup::Scripted { preflight, response } = &self.server else { return None };
        Some(Scenario {
            id: self.id.clone(),
            note: None,
            request: self.request.clone(),
            repeat: (self.repeat > 1).then_some(self.repeat),
            preflight_response: preflight.clone(),
            response: response.clone(),
            hops: self.hops.clone(),
            // Set where the page's origin is known (`predict`).
            environment: Default::default(),
            expect: Default::default(),
        })
    }

    /// The URL fragment that restores this composition.
    pub fn to_fragment(&self) -> String {
        let json = crate::json::to_string(self);
        let encoded: String = url::form_urlencoded::byte_serialize(json.as_bytes()).collect();
        format!("#lab={encoded}")
    }

    /// Reads a fragment made by [`to_fragment`](Self::to_fragment), clamped;
    /// `None` for anything else (a bad link leaves the default in place).
    pub fn from_fragment(fragment: &str) -> Option<Composition> {
        let encoded = fragment.strip_prefix('#').unwrap_or(fragment).strip_prefix("lab=")?;
        let json: String = url::form_urlencoded::parse(format!("x={encoded}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())?;
        crate::json::parse(&json).ok().map(Composition::clamped)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_composition_round_trips_through_the_fragment() {
        let composition = Composition::default();
        let fragment = composition.to_fragment();
        assert!(fragment.starts_with("#lab="));
        assert_eq!(Composition::from_fragment(&fragment), Some(composition));
        assert_eq!(Composition::from_fragment("#nonsense"), None);
        assert_eq!(Composition::from_fragment("#lab=%7Bbroken"), None);
    }

    #[test]
    fn a_server_setup_reads_as_the_derive_wrote_it() {
        let read = |server: &str| crate::json::parse::<ServerSetup>(server);
        let response = ScriptedResponse { status: 200, headers: Vec::new(), body: None };
        assert_eq!(read(r#"{"kind":"scripted","response":{"status":200}}"#), Ok(ServerSetup::Scripted { preflight: None, response: response.clone() }));
        assert_eq!(
            read(r#"{"response":{"status":200},"preflight":null,"query":"ignored","kind":"scripted"}"#),
            Ok(ServerSetup::Scripted { preflight: None, response })
        );
        assert_eq!(read(r#"{"kind":"policy","query":"origin=*"}"#), Ok(ServerSetup::Policy { query: "origin=*".to_owned() }));
        for bad in [r#"{"kind":"scripted"}"#, r#"{"kind":"policy"}"#, r#"{"kind":"yours","url":"http://x/"}"#, r#"{"kind":"other"}"#, r#"{"query":"x"}"#, "[]"] {
            assert!(read(bad).is_err(), "{bad}");
        }
        for setup in [Composition::default().server, ServerSetup::Policy { query: "origin=*".to_owned() }, ServerSetup::yours("http://h/", "null")] {
            assert_eq!(read(&crate::json::to_string(&setup)), Ok(setup));
        }
    }
}

#[cfg(test)]
mod clamp_tests {
    use super::*;

    /// A composition as a crafted link carries it.
    fn from_link(c: &Composition) -> Composition {
        Composition::from_fragment(&c.to_fragment()).expect("a composition")
    }

    #[test]
    fn a_link_repeat_is_clamped_to_the_forms_range() {
        for (asked, got) in [(1_000_000, MAX_REPEAT), (u32::MAX, MAX_REPEAT), (4, MAX_REPEAT), (0, 1), (2, 2)] {
            let c = from_link(&Composition { repeat: asked, ..Composition::default() });
            assert_eq!(c.repeat, got, "repeat={asked}");
        }
        // A raw fragment, as someone would write it by hand.
        let json = r#"{"id":"x","request":{"method":"GET","path":"/","headers":[],"mode":"cors","credentials":"same-origin","body":null},"server":{"kind":"policy","query":"origin=*"},"repeat":1000000,"browser":"chrome"}"#;
        let encoded: String = url::form_urlencoded::byte_serialize(json.as_bytes()).collect();
        let c = Composition::from_fragment(&format!("#lab={encoded}")).expect("a composition");
        assert_eq!(c.repeat, MAX_REPEAT);
    }

    #[test]
    fn a_link_header_lists_are_clamped_in_count_and_size() {
        let many: Vec<(String, String)> = (0..1000).map(|i| (format!("X-{i}"), "v".to_owned())).collect();
        let mut c = Composition::default();
        c.request.headers = many.clone();
        c.request.headers[0] = ("N".repeat(10_000), "é".repeat(10_000));
        let ServerSetup::Scripted { preflight: Some(preflight), response } = &mut c.server else { unreachable!() };
        preflight.headers = many.clone();
        response.headers = many;
        let c = from_link(&c);
        assert_eq!(c.request.headers.len(), MAX_HEADER_ROWS);
        assert_eq!(c.request.headers[0].0.len(), MAX_NAME_LEN);
        // Cut on a character boundary: 'é' is two bytes.
        assert_eq!(c.request.headers[0].1, "é".repeat(MAX_VALUE_LEN / 2));
        assert_eq!(c.request.headers[1], ("X-1".to_owned(), "v".to_owned()));
        let ServerSetup::Scripted { preflight: Some(preflight), response } = &c.server else { unreachable!() };
        assert_eq!(preflight.headers.len(), MAX_HEADER_ROWS);
        assert_eq!(response.headers.len(), MAX_HEADER_ROWS);
    }

    #[test]
    fn a_link_bodies_method_path_and_label_are_clamped() {
        let mut c = Composition { id: "i".repeat(1000), ..Composition::default() };
        c.request.method = "M".repeat(1000);
        c.request.path = format!("/{}", "p".repeat(100_000));
        c.request.body = Some(format!("x{}", "☃".repeat(100_000)));
        c.request.page_origin = Some("http://evil.test".to_owned());
        c.request.server_origin = Some("http://evil.test".to_owned());
        let ServerSetup::Scripted { preflight: Some(preflight), response } = &mut c.server else { unreachable!() };
        preflight.body = Some("b".repeat(100_000));
        response.body = Some("b".repeat(100_000));
        let c = from_link(&c);
        assert_eq!(c.id.len(), MAX_ID_LEN);
        assert_eq!(c.request.method.len(), MAX_METHOD_LEN);
        assert_eq!(c.request.path.len(), MAX_PATH_LEN);
        let body = c.request.body.as_deref().expect("a body");
        // 'x' then whole snowmen (three bytes each) up to the limit.
        assert!(body.len() <= MAX_BODY_LEN && body.len() > MAX_BODY_LEN - 3, "{}", body.len());
        assert!(body.starts_with('x') && body[1..].chars().all(|c| c == '☃'));
        assert_eq!((c.request.page_origin.as_deref(), c.request.server_origin.as_deref()), (None, None));
        let ServerSetup::Scripted { preflight: Some(preflight), response } = &c.server else { unreachable!() };
        assert_eq!(preflight.body.as_deref().map(str::len), Some(MAX_BODY_LEN));
        assert_eq!(response.body.as_deref().map(str::len), Some(MAX_BODY_LEN));
    }

    #[test]
    fn a_link_policy_query_is_clamped_at_a_parameter_boundary() {
        let query: Vec<String> = (0..2000).map(|i| format!("header=x-h{i}")).collect();
        let query = query.join("&");
        let c = from_link(&Composition { server: ServerSetup::Policy { query: query.clone() }, ..Composition::default() });
        let ServerSetup::Policy { query: clamped } = &c.server else { unreachable!() };
        assert!(clamped.len() <= MAX_POLICY_QUERY_LEN, "{}", clamped.len());
        assert!(query.starts_with(clamped.as_str()) && query[clamped.len()..].starts_with('&'), "cut mid-parameter");
        // A short query is left alone.
        let c = from_link(&Composition { server: ServerSetup::Policy { query: "origin=*".to_owned() }, ..Composition::default() });
        assert_eq!(c.server, ServerSetup::Policy { query: "origin=*".to_owned() });
    }

    #[test]
    fn a_link_to_your_server_round_trips_and_is_clamped() {
        let yours = Composition { server: ServerSetup::yours("http://localhost:3001/api", "http://localhost:3000"), ..Composition::default() };
        assert_eq!(from_link(&yours), yours);
        let long = Composition {
            // The origin is no URL (no scheme): kept as typed, cut on a character boundary.
            server: ServerSetup::yours(format!("https://example.com/{}", "u".repeat(100_000)), "é".repeat(10_000)),
            ..Composition::default()
        };
        let ServerSetup::Yours { url, app_origin } = from_link(&long).server else { unreachable!() };
        assert_eq!(url.len(), MAX_URL_LEN);
        assert!(app_origin.len() <= MAX_ORIGIN_LEN && app_origin.len() > MAX_ORIGIN_LEN - 2, "{}", app_origin.len());
        // International names reach the core in ASCII, as the browser sends them.
        let idn = Composition { server: ServerSetup::yours("http://bücher.example/ä", "https://münchen.example"), ..Composition::default() };
        assert_eq!(from_link(&idn).server, ServerSetup::yours("http://xn--bcher-kva.example/%C3%A4", "https://xn--mnchen-3ya.example"));
        // As someone would write it by hand.
        let json = r#"{"id":"x","request":{"method":"GET","path":"/","headers":[],"mode":"cors","credentials":"same-origin","body":null},"server":{"kind":"yours","url":"http://192.168.1.20:8000/x","app_origin":"https://app.example.com"},"browser":"firefox"}"#;
        let encoded: String = url::form_urlencoded::byte_serialize(json.as_bytes()).collect();
        let c = Composition::from_fragment(&format!("#lab={encoded}")).expect("a composition");
        assert_eq!(c.server, ServerSetup::yours("http://192.168.1.20:8000/x", "https://app.example.com"));
        assert!(c.scenario().is_none(), "your server is no scenario: it answers for itself");
    }

    #[test]
    fn a_composition_within_the_limits_is_left_alone() {
        let c = Composition::default();
        assert_eq!(c.clone().clamped(), c);
    }
}
