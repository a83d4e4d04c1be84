//! A scenario at the live origins, and what the live run shows written back
//! in a recording's terms.
//!
//! A recording names three origins: the page (`http://localhost:5050`), the
//! server (`http://localhost:8080`) and a second cross origin
//! (`http://localhost:8081`, where redirects lead). verify serves them on
//! its own ports ([`Origins`]), so each scenario is replayed with its
//! origins mapped ([`OriginMap`]): the hops' origins, the environment's
//! address spaces, any origin an answer writes out. The core predicts the
//! replayed scenario at the live origins; the browser's observation is
//! compared with that, and written back with placeholders (`{url}`,
//! `{hopN}`, `{origin}`, `{top_origin}`, `{uuid}`, the recorded ports) to be
//! compared with the recording or recorded anew.

use corslab::Origin;
use corslab::fetch::local_network::{AddressSpace, NetworkEnvironment, address_of};
use corslab::formats::scenario::{Expectation, Placeholders, SERVED_HEADERS, Scenario, ScriptedResponse, Served};
use serde_json::Value;

use super::driver::{Environment, without_userinfo};

/// The live origins verify serves: the page's, the companion server's and
/// the second cross origin's (all on 127.0.0.1, named `localhost`).
#[derive(Clone, Debug)]
pub(crate) struct Origins {
    pub(crate) page: String,
    pub(crate) server: String,
    pub(crate) second: String,
}

/// The recorded origins of one scenario and the live origin each is
/// replayed at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct OriginMap {
    /// (recorded, live), serialized origins.
    pairs: Vec<(String, String)>,
}

/// `origin` serialized the way the core serializes it (so that
/// `HTTP://LOCALHOST:5050` and `http://localhost:5050` are one).
/// A serialized origin is all scheme and host, both case-insensitive, so
/// it is lowered before parsing (the core's parser takes the `Origin`
/// header's strict lowercase form).
fn canonical(origin: &str) -> String {
    let lowered = origin.to_ascii_lowercase();
    Origin::parse(&lowered).map_or(lowered, |o| o.to_string())
}

impl OriginMap {
    /// The map for `scenario` with its top page at `live_page`: the page's
    /// origin there, the server's at the companion server (or the page's,
    /// for a same-origin scenario), and every other origin the hops and
    /// the environment name at the live origins left, in order.
    ///
    /// # Errors
    ///
    /// When the scenario names more origins than verify serves.
    pub(crate) fn new(scenario: &Scenario, live_page: &str, origins: &Origins) -> Result<OriginMap, String> {
        let mut pairs: Vec<(String, String)> = vec![(canonical(scenario.page_origin()), live_page.to_owned())];
        let mut spare: Vec<&str> =
            [origins.server.as_str(), origins.page.as_str(), origins.second.as_str()].into_iter().filter(|o| *o != live_page).collect();
        let named = std::iter::once(scenario.server_origin().to_owned())
            .chain(scenario.hops.iter().map(|h| h.server_origin.clone()))
            .chain(scenario.environment.address_space.keys().cloned());
        for recorded in named {
            let recorded = canonical(&recorded);
            if pairs.iter().any(|(r, _)| *r == recorded) {
                continue;
            }
            if spare.is_empty() {
                return Err(format!("the scenario names more than three origins ({recorded} is one too many)"));
            }
            pairs.push((recorded, spare.remove(0).to_owned()));
        }
        Ok(OriginMap { pairs })
    }

    /// The live origin of a recorded one (`None`: not one of the scenario's).
    pub(crate) fn live(&self, recorded: &str) -> Option<&str> {
        let recorded = canonical(recorded);
        self.pairs.iter().find(|(r, _)| *r == recorded).map(|(_, l)| l.as_str())
    }

    /// `text` with every recorded origin written out in it replaced by its
    /// live one (`http://localhost:8080` but not `http://localhost:80801`).
    fn text(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for (recorded, live) in &self.pairs {
            if recorded == live || !out.contains(recorded.as_str()) {
                continue;
            }
            let mut replaced = String::with_capacity(out.len());
            let mut rest = out.as_str();
            while let Some(at) = rest.find(recorded.as_str()) {
                let after = &rest[at + recorded.len()..];
                replaced.push_str(&rest[..at]);
                if after.starts_with(|c: char| c.is_ascii_digit()) {
                    replaced.push_str(recorded);
                } else {
                    replaced.push_str(live);
                }
                rest = after;
            }
            replaced.push_str(rest);
            out = replaced;
        }
        out
    }

    fn answer(&self, r: &ScriptedResponse) -> ScriptedResponse {
        ScriptedResponse {
            status: r.status,
            headers: r.headers.iter().map(|(n, v)| (n.clone(), self.text(v))).collect(),
            body: r.body.as_deref().map(|b| self.text(b)),
        }
    }

    /// The scenario at the live origins: its page and server, each hop's
    /// origin, the environment's address spaces, and any recorded origin
    /// an answer writes out.
    pub(crate) fn scenario(&self, scenario: &Scenario) -> Scenario {
        let mut live = scenario.clone();
        let live_of = |o: &str| self.live(o).map_or_else(|| o.to_owned(), str::to_owned);
        live.request.page_origin = Some(live_of(scenario.page_origin()));
        live.request.server_origin = Some(live_of(scenario.server_origin()));
        live.preflight_response = scenario.preflight_response.as_ref().map(|r| self.answer(r));
        live.response = self.answer(&scenario.response);
        for hop in &mut live.hops {
            hop.server_origin = live_of(&hop.server_origin);
            hop.preflight_response = hop.preflight_response.as_ref().map(|r| self.answer(r));
            hop.response = hop.response.as_ref().map(|r| self.answer(r));
        }
        live.environment.address_space =
            scenario.environment.address_space.iter().map(|(origin, space)| (live_of(origin), *space)).collect();
        live
    }

    /// (live port, recorded port) of each origin whose port changed.
    fn ports(&self) -> Vec<(u16, u16)> {
        let port = |o: &str| Origin::parse(o).ok().and_then(|o| o.tuple().map(|t| t.port()));
        self.pairs
            .iter()
            .filter_map(|(recorded, live)| Some((port(live)?, port(recorded)?)))
            .filter(|(live, recorded)| live != recorded)
            .collect()
    }
}

/// How a browser is started for a live scenario's environment: Chromium's
/// `--ip-address-space-overrides` and Firefox's
/// `network.lna.address_space.*.override` for its address spaces (on the
/// live ports), its own switches and prefs, its grants for the page.
pub(crate) fn environment(env: &NetworkEnvironment, page_origin: &str) -> Environment {
    let mut out = Environment { page_origin: page_origin.to_owned(), grants: env.grant.clone(), ..Environment::default() };
    // 127.0.0.1:PORT for each origin, by space.
    let mut spaces: Vec<(AddressSpace, String)> = Vec::new();
    for (origin, space) in &env.address_space {
        let Ok(parsed) = Origin::parse(origin) else { continue };
        let (Some(ip), Some(tuple)) = (address_of(&parsed), parsed.tuple()) else { continue };
        let address = if ip.is_ipv6() { format!("[{ip}]:{}", tuple.port()) } else { format!("{ip}:{}", tuple.port()) };
        spaces.push((*space, address));
    }
    if !spaces.is_empty() {
        let list: Vec<String> = spaces.iter().map(|(space, address)| format!("{address}={}", space.as_str())).collect();
        out.chromium_switches.push(format!("--ip-address-space-overrides={}", list.join(",")));
        // Firefox calls the local space `private` and loopback `local`.
        for (space, pref) in [
            (AddressSpace::Public, "network.lna.address_space.public.override"),
            (AddressSpace::Local, "network.lna.address_space.private.override"),
            (AddressSpace::Loopback, "network.lna.address_space.local.override"),
        ] {
            let addresses: Vec<&str> = spaces.iter().filter(|(s, _)| *s == space).map(|(_, a)| a.as_str()).collect();
            if !addresses.is_empty() {
                out.firefox_prefs.push((pref.to_owned(), Value::String(addresses.join(","))));
            }
        }
    }
    out.chromium_switches.extend(env.chromium_switches.iter().cloned());
    out.firefox_prefs.extend(env.firefox_prefs.iter().map(|(k, v)| (k.clone(), v.to_json())));
    out
}

/// The requests the companion server logged for one fetch, as a v2
/// expectation's `served` lists them: hop from the path (`/replay/{run}`
/// is hop 0, `/replay/{run}/N` hop N), method, preflight, `Origin`, the
/// names among those the page set and [`SERVED_HEADERS`], and whether a
/// body came (a `Content-Length` over 0, or chunks).
pub(crate) fn served(entries: &[Value], scenario: &Scenario) -> Vec<Served> {
    let page_set: Vec<String> = scenario.request.headers.iter().map(|(n, _)| n.to_ascii_lowercase()).collect();
    entries
        .iter()
        .map(|entry| {
            let path = entry["path"].as_str().unwrap_or_default();
            let hop = path
                .strip_prefix("/replay/")
                .and_then(|rest| rest.split_once('/'))
                .and_then(|(_, n)| n.parse().ok())
                .unwrap_or(0);
            let pairs: Vec<(String, String)> = entry["headers"]
                .as_array()
                .map(|pairs| {
                    pairs
                        .iter()
                        .filter_map(|p| Some((p[0].as_str()?.to_ascii_lowercase(), p[1].as_str()?.to_owned())))
                        .collect()
                })
                .unwrap_or_default();
            let mut headers: Vec<String> = pairs
                .iter()
                .map(|(n, _)| n.clone())
                .filter(|n| page_set.contains(n) || SERVED_HEADERS.contains(&n.as_str()))
                .collect();
            headers.sort();
            headers.dedup();
            let body = pairs.iter().any(|(n, v)| {
                (n == "content-length" && v.trim().parse::<u64>().is_ok_and(|len| len > 0)) || n == "transfer-encoding"
            });
            Served {
                hop,
                method: entry["method"].as_str().unwrap_or_default().to_owned(),
                preflight: entry["preflight"] == true,
                origin: entry["origin"].as_str().map(str::to_owned),
                headers,
                body,
            }
        })
        .collect()
}

/// `text` with each Firefox null principal's UUID written `{uuid}`, as
/// the recordings and the core write it
/// (`moz-nullprincipal:{0b2c…}` → `moz-nullprincipal:{uuid}`).
pub(crate) fn uuid_placeholder(text: &str) -> String {
    const PREFIX: &str = "moz-nullprincipal:{";
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(PREFIX) {
        out.push_str(&rest[..at + PREFIX.len()]);
        rest = &rest[at + PREFIX.len()..];
        match rest.find('}') {
            Some(end) if end > 0 && rest[..end].bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') => {
                out.push_str("uuid");
                rest = &rest[end..];
            }
            _ => {}
        }
    }
    out.push_str(rest);
    out
}

/// An observation with Firefox's null principal UUIDs written `{uuid}`.
pub(crate) fn without_uuids(e: &Expectation) -> Expectation {
    let sub = |s: &Option<String>| s.as_deref().map(uuid_placeholder);
    Expectation { console: sub(&e.console), failed_parameter: sub(&e.failed_parameter), ..e.clone() }
}

/// The observation with the live values turned back into a recording's
/// placeholders: each hop's URL `{hopN}` (hop 0's `{url}`), with or without
/// its userinfo; the page's origin `{origin}` (`{top_origin}` in an opaque
/// context, whose own origin `null` stays); `127.0.0.1:PORT` on the
/// recorded port.
pub(crate) fn recorded(e: &Expectation, values: &Placeholders, opaque: bool, map: &OriginMap) -> Expectation {
    let ports = map.ports();
    let back = |text: &str| -> String {
        let mut out = text.to_owned();
        // Longer URLs first: hop 10's is not hop 1's with a 0 after it
        // (`/1?` and `/10?` differ), but order costs nothing.
        let mut hops: Vec<(usize, &String)> = values.hops.iter().enumerate().collect();
        hops.sort_by_key(|(_, url)| std::cmp::Reverse(url.len()));
        for (n, url) in hops {
            let name = if n == 0 { "{url}".to_owned() } else { format!("{{hop{n}}}") };
            out = out.replace(url.as_str(), &name);
            let bare = without_userinfo(url);
            if bare != *url {
                out = out.replace(&bare, &name);
            }
        }
        let top = if opaque { "{top_origin}" } else { "{origin}" };
        out = out.replace(values.top_origin.as_str(), top);
        for (live, recorded) in &ports {
            out = out.replace(&format!("127.0.0.1:{live}"), &format!("127.0.0.1:{recorded}"));
        }
        uuid_placeholder(&out)
    };
    let sub = |s: &Option<String>| s.as_deref().map(back);
    Expectation {
        cors_error: sub(&e.cors_error),
        failed_parameter: sub(&e.failed_parameter),
        console: sub(&e.console),
        url: e.url.as_ref().map(sub),
        served: e.served.as_ref().map(|served| served.iter().map(|s| Served { origin: sub(&s.origin), ..s.clone() }).collect()),
        ..e.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origins() -> Origins {
        Origins {
            page: "http://localhost:18091".to_owned(),
            server: "http://localhost:18090".to_owned(),
            second: "http://localhost:18092".to_owned(),
        }
    }

    fn scenario(json: &str) -> Scenario {
        serde_json::from_str(json).expect("a scenario")
    }

    #[test]
    fn recorded_origins_map_to_the_live_ones() {
        let s = scenario(
            r#"{"id": "x", "request": {"method": "GET", "path": "/start"},
                "response": {"status": 302, "headers": [["Location", "http://localhost:8081/end"], ["X", "http://localhost:80801"]]},
                "hops": [{"server_origin": "http://localhost:8081", "path": "/end"}],
                "environment": {"address_space": {"http://localhost:5050": "public", "http://localhost:8080": "local"}}}"#,
        );
        let o = origins();
        let map = OriginMap::new(&s, &o.page, &o).expect("a map");
        assert_eq!(map.live("http://localhost:5050"), Some("http://localhost:18091"));
        assert_eq!(map.live("HTTP://LOCALHOST:8080"), Some("http://localhost:18090"));
        assert_eq!(map.live("http://localhost:8081"), Some("http://localhost:18092"));
        let live = map.scenario(&s);
        assert_eq!(live.hops[0].server_origin, "http://localhost:18092");
        assert_eq!(live.response.headers[0].1, "http://localhost:18092/end");
        assert_eq!(live.response.headers[1].1, "http://localhost:80801");
        let env = environment(&live.environment, &o.page);
        assert_eq!(env.chromium_switches, ["--ip-address-space-overrides=127.0.0.1:18090=local,127.0.0.1:18091=public"]);
        assert_eq!(
            env.firefox_prefs,
            [
                ("network.lna.address_space.public.override".to_owned(), Value::from("127.0.0.1:18091")),
                ("network.lna.address_space.private.override".to_owned(), Value::from("127.0.0.1:18090")),
            ]
        );
        // A same-origin scenario: the page is the server; the server's
        // recorded origin still gets an origin of its own.
        let same = scenario(
            r#"{"id": "y", "request": {"method": "GET", "path": "/start", "server_origin": "http://localhost:5050"},
                "response": {"status": 302}, "hops": [{"server_origin": "http://localhost:8080", "path": "/end"}]}"#,
        );
        let map = OriginMap::new(&same, &o.server, &o).expect("a map");
        assert_eq!(map.live("http://localhost:5050"), Some("http://localhost:18090"));
        assert_eq!(map.live("http://localhost:8080"), Some("http://localhost:18091"));
    }

    #[test]
    fn uuids_become_placeholders() {
        assert_eq!(
            uuid_placeholder("Content at moz-nullprincipal:{0b2c5e1a-1c8e-4b7e-9d1a-2f3e4d5c6b7a}?http://localhost:1 may not"),
            "Content at moz-nullprincipal:{uuid}?http://localhost:1 may not"
        );
        assert_eq!(uuid_placeholder("moz-nullprincipal:{uuid}"), "moz-nullprincipal:{uuid}");
        assert_eq!(uuid_placeholder("moz-nullprincipal:{x y}"), "moz-nullprincipal:{x y}");
    }

    #[test]
    fn served_requests_are_read_from_the_log() {
        let s = scenario(r#"{"id": "x", "request": {"method": "PUT", "path": "/", "headers": [["X-A", "1"]]}, "response": {"status": 200}}"#);
        let log: Vec<Value> = serde_json::from_str(
            r#"[{"method": "OPTIONS", "path": "/replay/r", "origin": "null", "preflight": true,
                 "headers": [["host", "x"], ["access-control-request-method", "PUT"]]},
                {"method": "PUT", "path": "/replay/r/2", "origin": null, "preflight": false,
                 "headers": [["x-a", "1"], ["content-type", "text/plain"], ["content-length", "1"], ["accept", "*/*"]]}]"#,
        )
        .expect("a log");
        let served = served(&log, &s);
        assert_eq!((served[0].hop, served[0].preflight, served[0].origin.as_deref(), served[0].body), (0, true, Some("null"), false));
        assert_eq!((served[1].hop, served[1].headers.clone(), served[1].body), (2, vec!["content-type".to_owned(), "x-a".to_owned()], true));
    }
}
