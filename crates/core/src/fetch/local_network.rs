//! Local Network Access: the IP address space a request's target is in,
//! and the gate on a step into a more private one. Since Chromium 142 and
//! Firefox 153 a page in a less private space (a public website) needs the
//! user's permission to reach a more private one (the user's LAN, or the
//! machine itself); WebKit has no such gate.
//!
//! <https://wicg.github.io/local-network-access/#ip-address-space>

use std::fmt::{self, Write as _};
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};
use url::Url;

use crate::browsers::profile::{Browser, LocalNetworkGate, Profile};
use crate::fetch::client::Client;
use crate::origin::Origin;
use crate::sorted_map::SortedMap;

/// An [IP address space](https://wicg.github.io/local-network-access/#ip-address-space),
/// from the least private to the most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressSpace {
    /// Anywhere on the Internet.
    Public,
    /// The user's local network (RFC 1918, link-local, CGNAT, unique-local);
    /// `private` (its former name, and Firefox's) reads as this.
    #[serde(alias = "private")]
    Local,
    /// The user's own machine.
    Loopback,
}

impl AddressSpace {
    /// The space of `ip`, as Chromium and Firefox classify it.
    ///
    /// # Examples
    ///
    /// ```
    /// use corslab::fetch::local_network::AddressSpace;
    ///
    /// assert_eq!(AddressSpace::of("127.0.0.1".parse().unwrap()), AddressSpace::Loopback);
    /// assert_eq!(AddressSpace::of("192.168.1.20".parse().unwrap()), AddressSpace::Local);
    /// assert_eq!(AddressSpace::of("93.184.215.14".parse().unwrap()), AddressSpace::Public);
    /// ```
    pub fn of(ip: IpAddr) -> AddressSpace {
        match ip {
            IpAddr::V4(v4) => of_v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => of_v4(v4),
                None => of_v6(v6),
            },
        }
    }

    /// `public`, `local` or `loopback` (Chromium's names; Firefox calls the
    /// loopback space `local` and the local one `private`).
    pub fn as_str(self) -> &'static str {
        match self {
            AddressSpace::Public => "public",
            AddressSpace::Local => "local",
            AddressSpace::Loopback => "loopback",
        }
    }

    /// The permission a page in a less private space needs to reach this
    /// one (Chromium's names), if any.
    pub fn permission(self) -> Option<&'static str> {
        match self {
            AddressSpace::Public => None,
            AddressSpace::Local => Some("local-network"),
            AddressSpace::Loopback => Some("loopback-network"),
        }
    }
}

impl fmt::Display for AddressSpace {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How long the recordings watch a fetch: one that has neither resolved nor
/// rejected by then is `pending` (`../shared/scenarios/README.md`).
pub const PENDING_AFTER_MS: u64 = 8_000;

/// Firefox's `network.lna.prompt.timeout` default, in milliseconds: how long
/// its unanswered permission prompt keeps a fetch waiting.
pub const FIREFOX_PROMPT_TIMEOUT_MS: u64 = 300_000;

/// The network a fetch runs in, as a scenario's `environment` states it:
/// the address space of some origins, the permissions granted to the page,
/// and what the browsers were started with. The default (nothing stated)
/// gates nothing an origin's host does not tell.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct NetworkEnvironment {
    /// The address space of an origin (serialized), overriding the one its
    /// host is in.
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub address_space: SortedMap<String, AddressSpace>,
    /// Permissions granted to the top-level page's origin before the fetch,
    /// by CDP `PermissionType` name (`loopbackNetwork`, `localNetwork`,
    /// `localNetworkAccess`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub grant: Vec<String>,
    /// Prefs written to Firefox's profile (`network.lna.blocking`,
    /// `network.lna.prompt.timeout`, `network.lna.enabled` are read).
    #[serde(default, skip_serializing_if = "SortedMap::is_empty")]
    pub firefox_prefs: SortedMap<String, FirefoxPref>,
    /// Chromium's extra command-line switches
    /// (`--disable-features=LocalNetworkAccessChecks` is read).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub chromium_switches: Vec<String>,
}

/// A Firefox pref's value, as a profile's `user.js` sets it: Firefox's
/// prefs are booleans, integers or strings, nothing else. (Typed rather
/// than any JSON value: the page then carries no JSON value reader, 1.4 KB
/// gzipped.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FirefoxPref {
    /// A boolean pref.
    Bool(bool),
    /// An integer pref (Firefox's are 32-bit; any `i64` is read).
    Int(i64),
    /// A string pref.
    String(String),
}

impl FirefoxPref {
    /// The value, if it is a boolean.
    pub fn as_bool(&self) -> Option<bool> {
        match self {
            FirefoxPref::Bool(b) => Some(*b),
            _ => None,
        }
    }

    /// The value, if it is a non-negative integer.
    pub fn as_u64(&self) -> Option<u64> {
        match self {
            FirefoxPref::Int(n) => u64::try_from(*n).ok(),
            _ => None,
        }
    }

    /// The value as JSON (what WebDriver's `moz:firefoxOptions` prefs take).
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            FirefoxPref::Bool(b) => serde_json::Value::Bool(*b),
            FirefoxPref::Int(n) => serde_json::Value::from(*n),
            FirefoxPref::String(s) => serde_json::Value::String(s.clone()),
        }
    }
}

impl Serialize for FirefoxPref {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            FirefoxPref::Bool(b) => serializer.serialize_bool(*b),
            FirefoxPref::Int(n) => serializer.serialize_i64(*n),
            FirefoxPref::String(s) => serializer.serialize_str(s),
        }
    }
}

impl<'de> Deserialize<'de> for FirefoxPref {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PrefVisitor;

        impl serde::de::Visitor<'_> for PrefVisitor {
            type Value = FirefoxPref;

            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a Firefox pref value: a boolean, an integer or a string")
            }

            fn visit_bool<E: serde::de::Error>(self, b: bool) -> Result<FirefoxPref, E> {
                Ok(FirefoxPref::Bool(b))
            }

            fn visit_i64<E: serde::de::Error>(self, n: i64) -> Result<FirefoxPref, E> {
                Ok(FirefoxPref::Int(n))
            }

            fn visit_u64<E: serde::de::Error>(self, n: u64) -> Result<FirefoxPref, E> {
                i64::try_from(n).map(FirefoxPref::Int).map_err(|_| E::custom("a Firefox integer pref out of range"))
            }

            fn visit_str<E: serde::de::Error>(self, s: &str) -> Result<FirefoxPref, E> {
                Ok(FirefoxPref::String(s.to_owned()))
            }
        }

        deserializer.deserialize_any(PrefVisitor)
    }
}

impl NetworkEnvironment {
    /// Whether nothing is stated.
    pub fn is_empty(&self) -> bool {
        self == &NetworkEnvironment::default()
    }

    /// The address space `origin` is in: the stated one, else the one of the
    /// address its host names (an IP literal, or `localhost`); `None` when
    /// neither tells (a name only DNS would resolve).
    pub fn space_of(&self, origin: &Origin) -> Option<AddressSpace> {
        // (The serialized origin is written only when spaces are stated.)
        if !self.address_space.is_empty()
            && let Some(space) = self.address_space.get(&origin.ascii_serialization())
        {
            return Some(*space);
        }
        address_of(origin).map(AddressSpace::of)
    }

    fn firefox_pref(&self, name: &str) -> Option<&FirefoxPref> {
        self.firefox_prefs.get(name)
    }

    fn chromium_disables(&self, feature: &str) -> bool {
        self.chromium_switches.iter().any(|switch| {
            switch
                .strip_prefix("--disable-features=")
                .is_some_and(|list| list.split(',').any(|f| f.trim() == feature))
        })
    }

    fn granted(&self, name: &str) -> bool {
        self.grant.iter().any(|g| g == name)
    }
}

/// The IP address the host of `origin` names without DNS: an IP literal,
/// or `localhost` (and its subdomains), which browsers keep on the loopback
/// address.
pub fn address_of(origin: &Origin) -> Option<IpAddr> {
    let tuple = origin.tuple()?;
    if let Some(ip) = tuple.ip() {
        return Some(ip);
    }
    let host = tuple.host();
    let host = host.strip_suffix('.').unwrap_or(host);
    (host == "localhost" || host.ends_with(".localhost")).then_some(IpAddr::V4(Ipv4Addr::LOCALHOST))
}

/// What a browser does about one request's step between address spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum LocalNetworkVerdict {
    /// No step into a more private space (or one the browser does not gate,
    /// or spaces nobody knows).
    NotLocal,
    /// A local network request let through: granted, or not blocked.
    Allowed {
        /// Firefox's `prompt action` (`auto_allow` when granted, `None`
        /// when blocking is off).
        prompt_action: Option<&'static str>,
    },
    /// Refused at once: no permission, and no prompt (Chromium headless).
    Denied,
    /// Refused: the page is not a secure context (Chromium).
    InsecureContext,
    /// Waiting on a permission prompt nobody answers (Firefox headless).
    Pending,
    /// The unanswered prompt gave up (Firefox's `network.lna.prompt.timeout`).
    PromptTimedOut,
}

/// One Local Network Access check: the spaces, the permission the step
/// needs, and the verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct LocalNetworkCheck {
    /// The page's address space (the top-level document's).
    pub initiator: Option<AddressSpace>,
    /// The target's.
    pub target: Option<AddressSpace>,
    /// The permission the step needs, in this browser's names.
    pub permission: Option<&'static str>,
    /// Whether the page is a secure context.
    pub secure_context: bool,
    /// What happens.
    pub verdict: LocalNetworkVerdict,
}

/// The address a request to `url` (whose origin is `target_origin`)
/// connects to, as the browsers' messages write it: `ip:port`, or the host
/// and port when the address is not known. Written only for a message or
/// the trace, not for every request.
pub fn address(url: &Url, target_origin: &Origin) -> String {
    let port = url.port_or_known_default().unwrap_or_default();
    // An IPv6 address as the URL serializes it (in brackets, its own
    // writer); `localhost` as the loopback address it names.
    let mut address = match (address_of(target_origin), target_origin.tuple()) {
        (Some(IpAddr::V4(ip)), _) => ip.to_string(),
        (_, Some(tuple)) => tuple.host().to_owned(),
        (_, None) => url.host_str().unwrap_or_default().to_owned(),
    };
    // (Written to a String, which cannot fail.)
    let _ = write!(address, ":{port}");
    address
}

/// Checks a request from `client` to `target_origin` under `profile` in
/// `env`.
///
/// <https://wicg.github.io/local-network-access/#integration-fetch>
pub fn check(profile: &Profile, env: &NetworkEnvironment, client: &Client, target_origin: &Origin) -> LocalNetworkCheck {
    let initiator = env.space_of(&client.top_origin);
    let target = env.space_of(target_origin);
    let secure_context = client.is_secure_context();
    let step = match (initiator, target) {
        (Some(from), Some(to)) if to > from => {
            !(from == AddressSpace::Local && to == AddressSpace::Loopback && !profile.local_to_loopback_gated)
        }
        _ => false,
    };
    let permission = target.filter(|_| step).and_then(|to| permission_name(profile.browser, to));
    let mut result = LocalNetworkCheck {
        initiator,
        target,
        permission,
        secure_context,
        verdict: LocalNetworkVerdict::NotLocal,
    };
    let Some(to) = target.filter(|_| step) else { return result };
    result.verdict = match profile.local_network {
        LocalNetworkGate::None => LocalNetworkVerdict::NotLocal,
        LocalNetworkGate::Deny => {
            if profile.browser == Browser::Chrome && env.chromium_disables("LocalNetworkAccessChecks") {
                LocalNetworkVerdict::NotLocal
            } else if !secure_context {
                LocalNetworkVerdict::InsecureContext
            } else if chromium_grants(env, to) {
                LocalNetworkVerdict::Allowed { prompt_action: None }
            } else {
                LocalNetworkVerdict::Denied
            }
        }
        LocalNetworkGate::Prompt => {
            let enabled = env.firefox_pref("network.lna.enabled").and_then(FirefoxPref::as_bool);
            let blocking = env.firefox_pref("network.lna.blocking").and_then(FirefoxPref::as_bool);
            let timeout = env
                .firefox_pref("network.lna.prompt.timeout")
                .and_then(FirefoxPref::as_u64)
                .unwrap_or(FIREFOX_PROMPT_TIMEOUT_MS);
            if enabled == Some(false) {
                LocalNetworkVerdict::NotLocal
            } else if blocking == Some(false) {
                LocalNetworkVerdict::Allowed { prompt_action: None }
            } else if firefox_grants(env, to) {
                LocalNetworkVerdict::Allowed { prompt_action: Some("auto_allow") }
            } else if timeout < PENDING_AFTER_MS {
                LocalNetworkVerdict::PromptTimedOut
            } else {
                LocalNetworkVerdict::Pending
            }
        }
    };
    result
}

/// The permission a step into `space` needs, in `browser`'s names.
fn permission_name(browser: Browser, space: AddressSpace) -> Option<&'static str> {
    match (browser, space) {
        (_, AddressSpace::Public) | (Browser::Webkit, _) => None,
        (Browser::Firefox, AddressSpace::Local) => Some("local-network"),
        (Browser::Firefox, AddressSpace::Loopback) => Some("loopback-network"),
        (Browser::Chrome | Browser::Spec, space) => space.permission(),
    }
}

/// The permission that lets a page reach the loopback space (CDP
/// `PermissionType` name; Firefox's `loopback-network`).
pub const LOOPBACK_NETWORK: &str = "loopbackNetwork";
/// The permission that lets a page reach the local space (Firefox's
/// `local-network`).
pub const LOCAL_NETWORK: &str = "localNetwork";
/// Chromium's older name for [`LOCAL_NETWORK`].
pub const LOCAL_NETWORK_ACCESS: &str = "localNetworkAccess";
/// Every permission name an environment's `grant` can hold that some
/// browser reads.
pub const PERMISSIONS: [&str; 3] = [LOOPBACK_NETWORK, LOCAL_NETWORK, LOCAL_NETWORK_ACCESS];

/// Chromium 156: `loopbackNetwork` covers loopback; `localNetwork` (and the
/// older `localNetworkAccess`, assumed its alias) covers the local space
/// only (`lna-granted-localNetwork-get`, `lna-granted-localNetworkAccess-get`).
fn chromium_grants(env: &NetworkEnvironment, space: AddressSpace) -> bool {
    match space {
        AddressSpace::Loopback => env.granted(LOOPBACK_NETWORK),
        AddressSpace::Local => env.granted(LOCAL_NETWORK) || env.granted(LOCAL_NETWORK_ACCESS),
        AddressSpace::Public => true,
    }
}

/// Firefox: `loopbackNetwork` is its `loopback-network` permission,
/// `localNetwork` its `local-network`; other names grant nothing.
fn firefox_grants(env: &NetworkEnvironment, space: AddressSpace) -> bool {
    match space {
        AddressSpace::Loopback => env.granted(LOOPBACK_NETWORK),
        AddressSpace::Local => env.granted(LOCAL_NETWORK),
        AddressSpace::Public => true,
    }
}

fn of_v4(ip: Ipv4Addr) -> AddressSpace {
    let [a, b, ..] = ip.octets();
    if ip.is_loopback() {
        AddressSpace::Loopback
    } else if ip.is_private()          // 10/8, 172.16/12, 192.168/16
        || ip.is_link_local()          // 169.254/16
        || (a == 100 && (64..128).contains(&b)) // 100.64/10, carrier-grade NAT
        || ip.is_unspecified()
    {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

fn of_v6(ip: Ipv6Addr) -> AddressSpace {
    let first = ip.segments()[0];
    if ip.is_loopback() {
        AddressSpace::Loopback
    } else if (first & 0xfe00) == 0xfc00   // fc00::/7, unique local
        || (first & 0xffc0) == 0xfe80      // fe80::/10, link-local
        || ip.is_unspecified()
    {
        AddressSpace::Local
    } else {
        AddressSpace::Public
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn firefox_prefs_are_booleans_integers_or_strings() {
        let env: Result<NetworkEnvironment, _> = serde_json::from_str(
            r#"{"firefox_prefs": {"network.lna.blocking": false, "network.lna.prompt.timeout": 2000, "x.list": "a,b", "x.neg": -1}}"#,
        );
        let env = env.unwrap_or_default();
        assert_eq!(env.firefox_pref("network.lna.blocking").and_then(FirefoxPref::as_bool), Some(false));
        assert_eq!(env.firefox_pref("network.lna.prompt.timeout").and_then(FirefoxPref::as_u64), Some(2000));
        assert_eq!(env.firefox_pref("x.list"), Some(&FirefoxPref::String("a,b".to_owned())));
        assert_eq!(env.firefox_pref("x.neg").and_then(FirefoxPref::as_u64), None);
        assert_eq!(serde_json::to_string(&env.firefox_prefs).unwrap_or_default(), r#"{"network.lna.blocking":false,"network.lna.prompt.timeout":2000,"x.list":"a,b","x.neg":-1}"#);
        for bad in ["1.5", "null", "[true]", r#"{"a": 1}"#] {
            let read: Result<FirefoxPref, _> = serde_json::from_str(bad);
            assert!(read.is_err_and(|e| e.to_string().contains("a Firefox pref value: a boolean, an integer or a string")), "{bad}");
        }
        let too_big: Result<FirefoxPref, _> = serde_json::from_str("18446744073709551615");
        assert!(too_big.is_err_and(|e| e.to_string().contains("a Firefox integer pref out of range")));
    }

    #[wasm_bindgen_test::wasm_bindgen_test(unsupported = test)]
    fn spaces_of_addresses() {
        let space = |s: &str| AddressSpace::of(s.parse().unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED)));
        for (ip, want) in [
            ("127.0.0.1", AddressSpace::Loopback),
            ("127.8.9.10", AddressSpace::Loopback),
            ("::1", AddressSpace::Loopback),
            ("::ffff:127.0.0.1", AddressSpace::Loopback),
            ("10.1.2.3", AddressSpace::Local),
            ("172.16.0.1", AddressSpace::Local),
            ("172.32.0.1", AddressSpace::Public),
            ("192.168.0.10", AddressSpace::Local),
            ("169.254.1.1", AddressSpace::Local),
            ("100.64.0.1", AddressSpace::Local),
            ("100.128.0.1", AddressSpace::Public),
            ("fd00::1", AddressSpace::Local),
            ("fe80::1", AddressSpace::Local),
            ("8.8.8.8", AddressSpace::Public),
            ("2001:db8::1", AddressSpace::Public),
        ] {
            assert_eq!(space(ip), want, "{ip}");
        }
        assert!(AddressSpace::Loopback > AddressSpace::Local && AddressSpace::Local > AddressSpace::Public);
    }
}
