//! Address ranges (CIDR) such as `10.60.3.0/24`, for the source network of a team: a flag
//! submission connection from inside it belongs to that team without any token.

use std::net::IpAddr;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// An IPv4 or IPv6 range, kept as written (`10.60.3.0/24`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Network {
    addr: IpAddr,
    prefix: u8,
}

impl Network {
    /// Whether `ip` lies in the range (an IPv4-mapped IPv6 address counts as IPv4).
    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX.checked_shl(32 - self.prefix as u32).unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX.checked_shl(128 - self.prefix as u32).unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

impl FromStr for Network {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let (a, p) = s.split_once('/').unwrap_or((s, ""));
        let addr: IpAddr = a
            .trim()
            .parse()
            .map_err(|_| format!("`{a}` is not an IP address"))?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if p.is_empty() {
            max
        } else {
            p.trim()
                .parse::<u8>()
                .ok()
                .filter(|n| *n <= max)
                .ok_or_else(|| format!("`/{p}` is not a prefix length from 0 to {max}"))?
        };
        Ok(Network { addr, prefix })
    }
}

impl TryFrom<String> for Network {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        s.parse()
    }
}

impl From<Network> for String {
    fn from(n: Network) -> String {
        format!("{}/{}", n.addr, n.prefix)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_contain_what_they_should() {
        let n: Network = "10.60.3.0/24".parse().unwrap();
        assert!(n.contains("10.60.3.77".parse().unwrap()));
        assert!(n.contains("::ffff:10.60.3.1".parse().unwrap()));
        assert!(!n.contains("10.60.4.1".parse().unwrap()));
        let one: Network = "127.0.0.2".parse().unwrap();
        assert!(one.contains("127.0.0.2".parse().unwrap()));
        assert!(!one.contains("127.0.0.1".parse().unwrap()));
        let all: Network = "0.0.0.0/0".parse().unwrap();
        assert!(all.contains("192.0.2.1".parse().unwrap()));
        let v6: Network = "fd00:60:3::/48".parse().unwrap();
        assert!(v6.contains("fd00:60:3:1::5".parse().unwrap()));
        assert!(!v6.contains("fd00:60:4::5".parse().unwrap()));
        for bad in ["10.60.3.0/33", "10.60.3/24", "nope", "::/129"] {
            assert!(bad.parse::<Network>().is_err(), "{bad}");
        }
        assert_eq!(String::from(n), "10.60.3.0/24");
    }
}
