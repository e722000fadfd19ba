//! Public IP addresses (PII). Private, loopback, link-local, CGNAT, documentation and other
//! non-global ranges are kept: pod, node and service addresses matter for diagnosis.
//!
//! Addresses have no keyword to gate on, so this is the one scan over the whole input. A
//! candidate is only a span after `std::net` parses it and it is globally routable.

use std::net::{Ipv4Addr, Ipv6Addr};

use regex::Regex;

use super::SanitizeError;

/// Finds public IPv4/IPv6 addresses.
pub(crate) struct IpScanner {
    re: Regex,
}

impl IpScanner {
    pub(crate) fn new() -> Result<Self, SanitizeError> {
        let re = Regex::new(
            // IPv6 candidates need `::` or all eight groups, so `18:45:32` is never one.
            r"[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}\.[0-9]{1,3}|[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4})*::[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{1,4})*|(?:[0-9A-Fa-f]{1,4}:){7}[0-9A-Fa-f]{1,4}",
        )
        .map_err(|_| SanitizeError::Internal("ip scanner regex"))?;
        Ok(Self { re })
    }

    /// Pushes `(start, end, kind)` for every public address in `text`.
    pub(crate) fn scan(&self, text: &str, out: &mut Vec<(usize, usize, &'static str)>) {
        let bytes = text.as_bytes();
        for m in self.re.find_iter(text) {
            let (s, e) = (m.start(), m.end());
            if !m.as_str().contains(':') {
                let prev_ok = s == 0 || !is_v4_neighbour(bytes[s - 1]);
                let next_ok = match bytes.get(e) {
                    None => true,
                    Some(b'.') => !bytes.get(e + 1).is_some_and(u8::is_ascii_digit),
                    Some(&b) => !(b.is_ascii_alphanumeric() || b == b'_'),
                };
                if prev_ok
                    && next_ok
                    && !after_version_word(text, s)
                    && m.as_str().parse::<Ipv4Addr>().is_ok_and(is_public_v4)
                {
                    out.push((s, e, "ipv4"));
                }
            } else if m.as_str().len() >= 3 {
                let prev_ok = s == 0 || !is_v6_neighbour(bytes[s - 1]);
                let next_ok = bytes
                    .get(e)
                    .is_none_or(|&b| !is_v6_neighbour(b) || b == b'.');
                if prev_ok && next_ok && m.as_str().parse::<Ipv6Addr>().is_ok_and(is_public_v6) {
                    out.push((s, e, "ipv6"));
                }
            }
        }
    }
}

/// Words after which a dotted quad is a four-part version (`runtime version 3.0.11.1`,
/// `firmware: 20.1.4.2`, `Version=1.2.3.4`), not an address.
const VERSION_WORDS: &[&str] = &["version", "ver", "release", "build", "firmware", "revision"];

/// Whether the dotted quad at `at` follows a version word and a separator.
fn after_version_word(text: &str, at: usize) -> bool {
    let from = crate::model::text::floor_boundary(text, at.saturating_sub(24));
    let before = text.get(from..at).unwrap_or("");
    let word = before.trim_end_matches([' ', '\t', ':', '=', '"', '\'']);
    if word.len() == before.len() && !before.is_empty() {
        return false;
    }
    let lower = word.to_ascii_lowercase();
    VERSION_WORDS.iter().any(|v| {
        lower.ends_with(v)
            && !lower[..lower.len() - v.len()]
                .bytes()
                .next_back()
                .is_some_and(|b| b.is_ascii_alphabetic())
    })
}

fn is_v4_neighbour(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'.' || b == b'_'
}

fn is_v6_neighbour(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b':' || b == b'_' || b == b'.'
}

/// Globally routable unicast IPv4.
pub(crate) fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || a >= 240
        || (a == 100 && (64..128).contains(&b)) // CGNAT, used by many CNIs
        || (a == 192 && b == 0 && c == 0)
        || (a == 198 && (b == 18 || b == 19)))
}

/// Globally routable unicast IPv6 (2000::/3 minus documentation), or a mapped public IPv4.
pub(crate) fn is_public_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return is_public_v4(v4);
    }
    let seg = ip.segments();
    (seg[0] & 0xe000) == 0x2000 && !(seg[0] == 0x2001 && seg[1] == 0x0db8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        IpScanner::new().unwrap().scan(text, &mut out);
        out.iter().map(|&(s, e, _)| &text[s..e]).collect()
    }

    #[test]
    fn public_addresses_found_cluster_ones_kept() {
        assert_eq!(
            found("client 52.14.120.7 via 10.244.1.17"),
            vec!["52.14.120.7"]
        );
        assert_eq!(
            found("peer [2a00:1450:4001:82a::200e]:443"),
            vec!["2a00:1450:4001:82a::200e"]
        );
        assert!(
            found("100.64.3.2 169.254.169.254 127.0.0.1 fe80::1 ::1 fd00::5 192.168.1.1")
                .is_empty()
        );
        assert!(found("at 18:45:32.123 v1.2.3.4 oid 1.3.6.1.4.1 std::io 5.15.0.1034").is_empty());
        assert!(found("runtime version 3.0.11.1, Version=20.1.4.2, firmware: 35.2.1.7").is_empty());
        assert_eq!(found("version 1 via 52.14.120.7"), vec!["52.14.120.7"]);
    }
}
