//! Placeholders that replace a secret: `<redacted:KIND#tag>`.
//!
//! The tag is the first four hex digits of HMAC-SHA256(per-run key, secret), so the same
//! secret gets the same tag within one run (a reader can tell "the same password appears in
//! the DSN and in the env dump") and nothing can be correlated across runs.

use hmac::digest::KeyInit;
use hmac::{Hmac, Mac};
use rand::RngCore;
use sha2::Sha256;

/// Literal that opens every placeholder; the engine never matches inside one.
pub(crate) const OPEN: &str = "<redacted:";

/// Per-run HMAC key plus the formatting of placeholders.
pub(crate) struct Tagger {
    mac: Hmac<Sha256>,
}

impl Tagger {
    /// A tagger with a fresh random key from the OS-seeded thread RNG.
    pub(crate) fn random() -> Self {
        let mut key = [0u8; 64];
        rand::rng().fill_bytes(&mut key);
        Self::with_key(&key)
    }

    /// A tagger with a fixed key (tests and reproducible tooling). The key is one SHA-256
    /// block, so construction is infallible.
    pub(crate) fn with_key(key: &[u8; 64]) -> Self {
        let mac = <Hmac<Sha256> as KeyInit>::new(&(*key).into());
        Self { mac }
    }

    /// Four lowercase hex digits identifying `secret` within this run.
    pub(crate) fn tag(&self, secret: &[u8]) -> [u8; 4] {
        let mut mac = self.mac.clone();
        mac.update(secret);
        let digest = mac.finalize().into_bytes();
        const HEX: &[u8; 16] = b"0123456789abcdef";
        [
            HEX[usize::from(digest[0] >> 4)],
            HEX[usize::from(digest[0] & 0x0f)],
            HEX[usize::from(digest[1] >> 4)],
            HEX[usize::from(digest[1] & 0x0f)],
        ]
    }

    /// Appends `<redacted:KIND#tag>` for `secret` to `out`.
    pub(crate) fn push_placeholder(&self, out: &mut String, kind: &str, secret: &str) {
        let tag = self.tag(secret.as_bytes());
        out.push_str(OPEN);
        out.push_str(kind);
        out.push('#');
        for b in tag {
            out.push(char::from(b));
        }
        out.push('>');
    }

    /// The placeholder for `secret` as an owned string.
    pub(crate) fn placeholder(&self, kind: &str, secret: &str) -> String {
        let mut out = String::with_capacity(OPEN.len() + kind.len() + 6);
        self.push_placeholder(&mut out, kind, secret);
        out
    }
}

/// Length of the placeholder starting at `s[0]`, if `s` starts with one.
pub(crate) fn placeholder_len(s: &str) -> Option<usize> {
    let rest = s.strip_prefix(OPEN)?;
    let kind_len = rest
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        .count();
    if kind_len == 0 {
        return None;
    }
    let tail = rest.get(kind_len..)?.as_bytes();
    if tail.len() < 6 || tail[0] != b'#' || tail[5] != b'>' {
        return None;
    }
    if !tail[1..5].iter().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(OPEN.len() + kind_len + 6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_secret_same_tag_different_key_differs() {
        let a = Tagger::with_key(&[1; 64]);
        let b = Tagger::with_key(&[2; 64]);
        assert_eq!(a.tag(b"hunter2"), a.tag(b"hunter2"));
        assert_ne!(a.tag(b"hunter2"), a.tag(b"hunter3"));
        assert_ne!(
            a.placeholder("password", "hunter2"),
            b.placeholder("password", "hunter2")
        );
    }

    #[test]
    fn placeholder_is_recognised() {
        let t = Tagger::with_key(&[3; 64]);
        let p = t.placeholder("password", "x");
        assert_eq!(placeholder_len(&p), Some(p.len()));
        assert_eq!(placeholder_len("<redacted:password#zzzz>"), None);
    }
}
