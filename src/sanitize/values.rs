//! What a matched value is: a reference to a secret rather than one (`${VAR}`, `<set to
//! the key …>`), prose rather than a credential, a YAML value that runs to the end of its
//! line, or the value half of a two-line `- name:` / `value:` env pair.

use super::names::{Says, name_says};
use crate::model::text::{ceil_boundary, floor_boundary};

/// Suffixes that look like top-level domains in `icon@2x.png`-style names or cluster DNS.
pub(super) const NOT_TLDS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "ico", "css", "js", "json", "yaml", "yml", "txt",
    "log", "html", "htm", "local", "internal", "svc", "cluster", "lan", "tar", "gz", "zip",
];

/// Values that name a secret instead of holding one: `${VAR}`, `$(VAR)`, `$VAR`,
/// `{{ .Values.x }}`, `<set to the key …>`, our own placeholders, empty, null, booleans,
/// masks and YAML block indicators.
pub(super) fn is_reference(v: &str) -> bool {
    let t = v.trim();
    if t.is_empty()
        || t.starts_with("${")
        || t.starts_with("$(")
        || t.starts_with("{{")
        || t.starts_with('<')
    {
        return true;
    }
    if let Some(name) = t.strip_prefix('$')
        && !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
    {
        return true;
    }
    if t.bytes().all(|b| b == b'*') || (t.len() >= 3 && t.bytes().all(|b| b == b'x' || b == b'X')) {
        return true;
    }
    matches!(
        t.to_ascii_lowercase().as_str(),
        "null"
            | "none"
            | "nil"
            | "true"
            | "false"
            | "undefined"
            | "\"\""
            | "''"
            | "[]"
            | "{}"
            | "|"
            | ">"
            | "|-"
            | ">-"
            | "|+"
            | ">+"
            | "-"
            | "~"
            | "redacted"
            | "[redacted]"
            | "[filtered]"
            | "********"
    )
}

/// Is the key at `key_at` the first thing on its line (after indentation and `- `)?
pub(super) fn starts_yaml_line(text: &str, key_at: usize) -> bool {
    // Walk back over the indentation only, so giant one-line inputs stay linear.
    let b = text.as_bytes();
    let mut i = key_at;
    while i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'-') {
        i -= 1;
    }
    let indent = text.get(i..key_at).unwrap_or("x");
    (i == 0 || b[i - 1] == b'\n')
        && indent
            .trim_start_matches([' ', '\t'])
            .trim_start_matches("- ")
            .trim_start()
            .is_empty()
}

/// Is the key wrapped in quotes (`"token": …`, `'token': …`)?
pub(super) fn quoted_key(text: &str, start: usize, end: usize) -> bool {
    let b = text.as_bytes();
    start > 0
        && matches!(b[start - 1], b'"' | b'\'')
        && matches!(b.get(end), Some(b'"' | b'\'' | b'\\'))
}

/// A lowercase word after `token:` in running text is prose, not a credential.
pub(super) fn looks_like_credential(v: &str) -> bool {
    v.len() >= 20 || v.bytes().any(|b| !b.is_ascii_lowercase())
}

/// A bare value of a `key: value` YAML line runs to the end of the line (spaces included,
/// ` #comment` excluded); elsewhere a bare value ends at whitespace.
pub(super) fn yaml_value_end(text: &str, end: usize) -> usize {
    let rest = text.get(end..).unwrap_or("");
    let line_rest = rest.split('\n').next().unwrap_or("");
    let line_rest = line_rest.split(" #").next().unwrap_or("");
    end + line_rest.trim_end().len()
}

/// `- name: DB_PASSWORD` on the line holding `at`, `value: x` on the next: the value span.
pub(super) fn yaml_env_pair(text: &str, at: usize) -> Option<(usize, usize, &'static str)> {
    // A `name:` line is short; bounded look-around keeps giant one-line inputs linear.
    let from = floor_boundary(text, at.saturating_sub(512));
    let ls = match text.get(from..at)?.rfind('\n') {
        Some(i) => from + i + 1,
        None if from == 0 => 0,
        None => return None,
    };
    let to = ceil_boundary(text, at.saturating_add(512).min(text.len()));
    let le = text.get(at..to)?.find('\n').map(|i| at + i)?;
    // `- name: X` may follow a log prefix (`[pod] - name: X`); the name ends the line.
    let line = text.get(ls..le)?.trim_end();
    let name = line
        .rsplit_once("name:")?
        .1
        .trim()
        .trim_matches(['"', '\'']);
    let says = name_says(name)?;
    let ns = le + 1;
    let ne = text.get(ns..)?.find('\n').map_or(text.len(), |i| ns + i);
    let next = text.get(ns..ne)?;
    let indent = next.len() - next.trim_start().len();
    let v = next.trim_start().strip_prefix("value:")?;
    let lead = v.len() - v.trim_start().len();
    let mut vs = ns + indent + "value:".len() + lead;
    let mut ve = ns + next.trim_end().len();
    let raw = text.get(vs..ve)?;
    if raw.len() >= 2
        && (raw.starts_with('"') && raw.ends_with('"')
            || raw.starts_with('\'') && raw.ends_with('\''))
    {
        vs += 1;
        ve -= 1;
    }
    let value = text.get(vs..ve)?;
    let secret = match says {
        Says::Secret(_) => !is_reference(value),
        Says::IfValueLooksRandom(_) => plausible_credential(value),
    };
    secret.then_some((vs, ve, says.kind()))
}

/// Characters of a credential-like token: base64 (standard and URL-safe) and the few
/// punctuation marks random API tokens use.
pub(super) fn is_token_byte(b: u8) -> bool {
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
pub(super) fn looks_random(v: &str) -> bool {
    let t = v.trim_end_matches('=');
    let n = t.len();
    if !(20..=512).contains(&n)
        || !t.bytes().all(is_token_byte)
        || t.starts_with(['/', '.', '-'])
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
    let mut switches = 0usize;
    let mut hist = [0u32; 128];
    let bytes = t.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        seen[usize::from(class(b))] += 1;
        hist[usize::from(b & 0x7f)] += 1;
        if i > 0 && class(bytes[i - 1]) != class(b) {
            switches += 1;
        }
    }
    let [upper, lower, digit, symbol] = seen;
    if upper == 0 || lower == 0 || (digit == 0 && symbol == 0 && n < 24) {
        return false;
    }
    // Words and identifiers (`ReplicaSetControllerManager`) switch case every few letters;
    // random text switches class on most characters.
    if switches * 10 < n * 3 {
        return false;
    }
    let len = n as f64;
    let entropy: f64 = hist
        .iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / len;
            -p * p.log2()
        })
        .sum();
    if entropy < 3.5 {
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

/// A value under a name that says secret only with a credential-like value
/// (`PRIVATE_KEY_ID`, `api_key_id`, `TOKEN_SCOPE`): random-looking, or a long run of
/// letters and digits (a 40-hex key id), never prose, a number, a path or a URL.
pub(super) fn plausible_credential(v: &str) -> bool {
    let t = v.trim();
    if t.len() < 12 || is_reference(t) || !t.bytes().all(is_token_byte) || t.starts_with('/') {
        return false;
    }
    looks_random(t)
        || (t.len() >= 16
            && t.bytes().any(|b| b.is_ascii_digit())
            && t.bytes().any(|b| b.is_ascii_alphabetic()))
}
