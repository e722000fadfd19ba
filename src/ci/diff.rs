//! The failing log against a passing one (the CiDiff idea): a line of the failing log is
//! *new* when no line of the passing log reads the same once what changes between any two
//! runs is masked — timestamps and runner columns (gone already), hex ids and hashes,
//! numbers (durations, counts, ports, line numbers of generated files), temporary paths.
//! Errors that the passing run printed too are not why this run failed.

use std::collections::HashSet;
use std::hash::{DefaultHasher, Hash, Hasher};

use super::lines;

/// The masked lines of a passing log, hashed.
pub struct PassLog {
    seen: HashSet<u64>,
}

impl PassLog {
    pub fn new(text: &str) -> Self {
        let seen = lines::split(text)
            .into_iter()
            .map(|raw| fingerprint(&lines::content(raw).1))
            .collect();
        PassLog { seen }
    }

    /// Whether the passing log has no line like `content` (decoration already removed).
    pub fn is_new(&self, content: &str) -> bool {
        !self.seen.contains(&fingerprint(content))
    }
}

fn fingerprint(content: &str) -> u64 {
    let mut h = DefaultHasher::new();
    mask(content).hash(&mut h);
    h.finish()
}

/// `content` with its run-specific parts replaced: digit runs by `0`, hex words of 7 or
/// more characters holding a digit (commit and image hashes, UUID parts) by `#`, the name
/// after a temporary directory by `*`; surrounding whitespace dropped.
pub fn mask(content: &str) -> String {
    let t = content.trim();
    let b = t.as_bytes();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    'scan: while i < b.len() {
        let c = b[i];
        let word_start = i == 0 || !b[i - 1].is_ascii_alphanumeric();
        if c.is_ascii_hexdigit() && word_start {
            let end = i + b[i..].iter().take_while(|c| c.is_ascii_hexdigit()).count();
            let word_ends = end == b.len() || !b[end].is_ascii_alphanumeric();
            if word_ends && end - i >= 7 && b[i..end].iter().any(u8::is_ascii_digit) {
                out.push('#');
                i = end;
                continue;
            }
        }
        if c.is_ascii_digit() {
            out.push('0');
            i += b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
            continue;
        }
        for temp in ["/tmp/", "/_temp/", "\\Temp\\"] {
            if t[i..].starts_with(temp) {
                out.push_str(temp);
                out.push('*');
                i += temp.len();
                i += b[i..]
                    .iter()
                    .take_while(|&&c| c != b'/' && c != b'\\' && !c.is_ascii_whitespace())
                    .count();
                continue 'scan;
            }
        }
        let ch = t[i..].chars().next().unwrap_or(' ');
        out.push(ch);
        i += ch.len_utf8();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_changes_between_runs_is_masked() {
        assert_eq!(mask("Total time:  16.397 s"), mask("Total time:  9.432 s"));
        assert_eq!(
            mask("Checking out Revision 779ff9c0c30a8e6e745844ba2c84ef74054f6f7a (origin/main)"),
            mask("Checking out Revision 4e8932e579d2e085ea2d9e6e88035d1ad0ad16a6 (origin/main)")
        );
        assert_eq!(
            mask("running /tmp/jenkins6935586436688970599.py"),
            mask("running /tmp/jenkins1234.py")
        );
        assert_ne!(mask("cannot find symbol"), mask("incompatible types"));
        assert_eq!(mask("café 12"), "café 0");
    }

    #[test]
    fn only_lines_the_passing_log_lacks_are_new() {
        let pass = PassLog::new(
            "[INFO] Building web 1.0\n[ERROR] Picked up JAVA_TOOL_OPTIONS\nok in 3s\n",
        );
        assert!(!pass.is_new("[ERROR] Picked up JAVA_TOOL_OPTIONS"));
        assert!(!pass.is_new("ok in 12s"));
        assert!(pass.is_new("[ERROR] Hex.java:[348,5] cannot find symbol"));
    }
}
