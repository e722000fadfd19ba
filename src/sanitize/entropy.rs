//! Random key material with no telling name: is a token random, and is it where a value is
//! written?
//!
//! Names decide most redactions; this catches what they miss — an AWS secret key in
//! `env AWS_SK=…`, a token passed as an argument — judged by length, alphabet, how often the
//! character class changes, Shannon entropy and whether base64 decodes to text. Digests, git
//! SHAs, UUIDs and trace ids (hex), pod-template hashes and object names (lowercase), paths,
//! certificates and base64 config blobs stay. The scan over the whole input is one byte loop
//! (linear, no regex); only a token of 20+ characters in a value position (after `=`, `:`,
//! a `--flag`, or as an array item) is judged.

/// Characters of a credential-like token: base64 (standard and URL-safe) and the few
/// punctuation marks random API tokens use.
pub(crate) fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'_' | b'.' | b'~' | b'-')
}

/// Prefixes of digests and checksums, which look random and are what diagnosis compares.
const DIGEST_PREFIXES: &[&str] = &["sha1-", "sha256-", "sha384-", "sha512-", "md5-", "sha256:"];

/// A token that reads as random key material: long enough, one token-alphabet run, upper
/// and lower case mixed with digits or symbols at a rate words never reach, high Shannon
/// entropy, and not one of the random-looking things diagnosis depends on — hex digests,
/// git SHAs, trace ids and UUIDs (all hex), pod-template hashes and object names
/// (lowercase), paths, and base64 that decodes to text (config blobs; the base64 rule looks
/// inside those).
/// Bits per character above which a token of 32 or more characters is random even with few
/// case switches: random base64 of that length measures about 5, English identifiers about 4.
const LONG_RANDOM_ENTROPY: f64 = 4.5;

pub(crate) fn looks_random(v: &str) -> bool {
    let t = v.trim_end_matches('=');
    let n = t.len();
    if !(20..=512).contains(&n)
        || !t.bytes().all(is_token_byte)
        || t.contains("..")
        || DIGEST_PREFIXES.iter().any(|p| t.starts_with(p))
    {
        return false;
    }
    if t.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return false;
    }
    let class = |b: u8| match b {
        b'A'..=b'Z' => 0u8,
        b'a'..=b'z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let mut seen = [0usize; 4];
    // Changes between upper case, lower case and digits, symbols skipped: separators in
    // `shop/oom-killed/Deployment/web` must not count as randomness.
    let (mut switches, mut last) = (0usize, None);
    let mut hist = [0u32; 128];
    for &b in t.as_bytes() {
        let c = class(b);
        seen[usize::from(c)] += 1;
        hist[usize::from(b & 0x7f)] += 1;
        if c < 3 {
            if last.is_some_and(|l| l != c) {
                switches += 1;
            }
            last = Some(c);
        }
    }
    let [upper, lower, digit, symbol] = seen;
    if upper == 0 || lower == 0 || (digit == 0 && symbol == 0 && n < 24) {
        return false;
    }
    // Words and identifiers (`ReplicaSetControllerManager`) switch case every few letters;
    // random text switches class on most characters.
    let few_switches = switches * 10 < (n - symbol) * 3;
    let len = n as f64;
    let entropy: f64 = hist
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum();
    // One random token in a few thousand has a long run of one case and so few switches;
    // when it is long and its characters rarely repeat it is still random, which names and
    // identifiers (a small alphabet of letters, repeated) never are.
    if entropy < 3.5 || (few_switches && (n < 32 || entropy < LONG_RANDOM_ENTROPY)) {
        return false;
    }
    !decodes_to_text(v)
}

/// Base64 (standard or URL-safe, padding optional) that decodes to printable text.
fn decodes_to_text(v: &str) -> bool {
    use base64::Engine as _;
    use base64::engine::{DecodePaddingMode, GeneralPurpose, GeneralPurposeConfig};
    let cfg = GeneralPurposeConfig::new()
        .with_decode_padding_mode(DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true);
    let t = v.trim_end_matches('=');
    let usable = t.len() - t.len() % 4 + if t.len() % 4 >= 2 { t.len() % 4 } else { 0 };
    let Some(t) = t.get(..usable) else {
        return false;
    };
    let alphabet = if t.contains(['-', '_']) {
        &base64::alphabet::URL_SAFE
    } else {
        &base64::alphabet::STANDARD
    };
    let Ok(bytes) = GeneralPurpose::new(alphabet, cfg).decode(t) else {
        return false;
    };
    let Ok(text) = std::str::from_utf8(&bytes) else {
        return false;
    };
    let printable = text
        .chars()
        .filter(|c| !c.is_control() || matches!(c, '\n' | '\r' | '\t'))
        .count();
    printable * 20 >= text.chars().count() * 19
}

/// Pushes `(start, end)` for every random-looking token of `text` in a value position.
pub(crate) fn scan(text: &str, out: &mut Vec<(usize, usize)>) {
    let b = text.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if !is_token_byte(b[i]) {
            i += 1;
            continue;
        }
        let s = i;
        let (mut upper, mut lower) = (false, false);
        while i < b.len() && is_token_byte(b[i]) {
            upper |= b[i].is_ascii_uppercase();
            lower |= b[i].is_ascii_lowercase();
            i += 1;
        }
        let mut e = i;
        while e < b.len() && e - i < 2 && b[e] == b'=' {
            e += 1;
        }
        // Cheap tests first: most tokens are short or single-case.
        // Next to a placeholder is the rest of a token a rule cut: leave it, so a second
        // pass changes nothing.
        let by_placeholder = (s > 0 && b[s - 1] == b'>') || b.get(e) == Some(&b'<');
        if e - s >= 20
            && !by_placeholder
            && upper
            && lower
            && value_position(b, s)
            && let Some(token) = text.get(s..e)
            && looks_random(token)
        {
            out.push((s, e));
        }
        i = e;
    }
}

/// Whether the token starting at `s` is a written value: after `=` or `:` (`KEY=v`,
/// `KEY:  v` as `kubectl describe` prints env), an array item (`args: ["--x", "v"]`), or
/// the argument of a `-flag`.
fn value_position(b: &[u8], s: usize) -> bool {
    let mut i = s;
    if i > 0 && matches!(b[i - 1], b'"' | b'\'') {
        i -= 1;
    }
    let mut spaces = 0;
    while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
        i -= 1;
        spaces += 1;
    }
    let Some(&prev) = i.checked_sub(1).and_then(|p| b.get(p)) else {
        return false;
    };
    match prev {
        b'=' | b':' | b'[' | b',' => true,
        _ if spaces > 0 => {
            // `--flag value`: the previous word starts with `-`.
            let mut w = i;
            while w > 0 && !matches!(b[w - 1], b' ' | b'\t' | b'\n' | b'"' | b'\'') {
                w -= 1;
            }
            b.get(w) == Some(&b'-') && w < i
        }
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<&str> {
        let mut out = Vec::new();
        scan(text, &mut out);
        out.iter().map(|&(s, e)| &text[s..e]).collect()
    }

    #[test]
    fn random_values_found_digests_and_names_kept() {
        let aws = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY";
        assert_eq!(found(&format!("env AWS_SK={aws}")), vec![aws]);
        assert_eq!(found(&format!("      S3_ACCESS:  {aws}")), vec![aws]);
        assert_eq!(found(&format!("/app --sig {aws} --port=80")), vec![aws]);
        assert_eq!(found(&format!(r#"args: ["serve", "{aws}"]"#)), vec![aws]);
        for kept in [
            "GIT_SHA=1154a25260900b2c6cfbb210560d48f80ce2c855",
            "uid: 35d8cf12-d0a6-4338-a804-16d01312521d",
            "pod-template-hash: 7d9f8c6b5",
            "CONTROLLER=ReplicaSetControllerManagerDefaults",
            "config.yaml: bG9nX2xldmVsOiBpbmZvCndvcmtlcnM6IDQK",
            "image=ghcr.io/acme/api@sha256:b5823047e6d11f276e95fc0583c23d36204f1a5cfa048867a943bf7ca095409d",
            "--integrity=sha512-3q2+7wAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA==",
            "prose with wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY inside",
            "fingerprint: shop/oom-killed/Deployment/web/web/OOMKilled",
        ] {
            assert!(found(kept).is_empty(), "{kept}: {:?}", found(kept));
        }
    }
}
