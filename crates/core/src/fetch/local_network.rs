//! Local Network Access: the IP address space a request's target is in.
//! Since Chromium 142 and Firefox 153 a page in a less private space (a
//! public website) needs the user's permission to reach a more private one
//! (the user's LAN, or the machine itself).
//!
//! <https://wicg.github.io/local-network-access/#ip-address-space>

use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

use serde::{Deserialize, Serialize};

/// An [IP address space](https://wicg.github.io/local-network-access/#ip-address-space),
/// from the least private to the most.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum AddressSpace {
    /// Anywhere on the Internet.
    Public,
    /// The user's local network (RFC 1918, link-local, CGNAT, unique-local).
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
