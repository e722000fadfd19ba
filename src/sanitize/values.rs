//! What a matched value is: a reference to a secret rather than one (`${VAR}`, `<set to
//! the key …>`), prose rather than a credential, a YAML value that runs to the end of its
//! line, or the value half of a two-line `- name:` / `value:` env pair.

use super::entropy::{is_token_byte, looks_random};
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
        Says::Secret(_) => !is_reference(value) && !url_with_password(value),
        Says::IfValueLooksRandom(_) => plausible_credential(value),
    };
    secret.then_some((vs, ve, says.kind()))
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

/// A URL whose userinfo holds a password (`postgres://app:pw@pg:5432/orders`): the URL rule
/// redacts just the password, so a value under a secret name (`DATABASE_DSN`) keeps the
/// host and database diagnosis needs.
pub(super) fn url_with_password(v: &str) -> bool {
    let Some((_, rest)) = v.split_once("://") else {
        return false;
    };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    authority
        .rsplit_once('@')
        .and_then(|(userinfo, _)| userinfo.split_once(':'))
        .is_some_and(|(_, password)| !password.is_empty())
}
