//! Redacts secrets and PII from everything bound outward, and is the one gate out.
//!
//! **The outbound gate** (`outbound.rs`): every sink takes an [`Outbound`] for its final
//! bytes, and only a [`Sanitizer`] makes one ([`Sanitizer::outbound`],
//! [`Sanitizer::outbound_json`], [`Sanitizer::outbound_serialized`]; the field is private).
//! The sinks: LLM chat messages (`llm::provider`), pull request title, body, commit message
//! and branch (`remediate::forge`, `remediate::git`), GitHub issues and comments
//! (`notify::github_issue`), Slack payloads (`notify::slack`), MCP tool results, resources
//! and prompts (`mcp::output`), `watch --headless` lines (`watch::headless`) and bundle files
//! (`source::bundle`). Skipping the sanitizer does not compile; `tests/outbound_gate.rs`
//! fails when a new sink shape appears outside these modules.
//!
//! The [`Sanitizer`] owns:
//! - the rule table (`rules.rs`): each text rule is anchored at a literal or keyword;
//! - the engine (`engine.rs`): one Aho-Corasick pass over the input finds every keyword, only
//!   the rules whose keywords occur run (and only near the keyword), spans are unioned and
//!   the output is built in one pass;
//! - placeholders (`placeholder.rs`): `<redacted:KIND#tag>`, the tag an HMAC under a per-run
//!   random key, so equal secrets correlate within a run and never across runs;
//! - structured redaction (`structured.rs`): pod-spec env values, Secret objects and JSON
//!   keys are redacted by what the field *is*, before any text rule runs;
//! - value checks (`values.rs`): `${VAR}`, `<set to …>`, prose and YAML values are not
//!   secrets, so look-alikes survive;
//! - names (`names.rs`): a secret word anywhere in a name, judged by the words after it;
//! - random key material (`entropy.rs`): a token with no telling name in a value position
//!   (`env AWS_SK=…`, `--sig …`), judged by length, alphabet, class changes, entropy and
//!   whether base64 decodes to text.
//!
//! ```
//! use k8sops::sanitize::Sanitizer;
//! let s = Sanitizer::new();
//! let out = s.sanitize("dsn=postgres://app:hunter2@pg:5432/orders").unwrap();
//! assert!(out.text.starts_with("dsn=postgres://app:<redacted:password#"));
//! assert!(!out.text.contains("hunter2"));
//! assert_eq!(out.report.get("password"), 1);
//! ```
//!
//! Public API:
//! - [`Sanitizer::new`] — built-in rules, fresh random key; [`Sanitizer::with_config`] — plus
//!   user rules and an allowlist from [`SanitizeConfig`] (the `[sanitize]` table of
//!   `config.toml`).
//! - [`Sanitizer::sanitize`] — text in, [`Sanitized`] (text + per-kind [`Report`]) out. Line
//!   structure is preserved: no newline is added or removed. Sanitizing sanitized text
//!   changes nothing (placeholders are never re-matched).
//! - [`Sanitizer::sanitize_json`], [`Sanitizer::redact_pod_spec`], [`Sanitizer::redact_secret`]
//!   — structured redaction.
//!
//! Everything fails closed: errors are `Result`s and callers send nothing on `Err`.
//! The entropy check never runs free-standing: only on whole tokens in value positions,
//! and it keeps hex (digests, SHAs, UUIDs, trace ids), lowercase names and hashes, and
//! base64 of text, which diagnosis depends on.

mod engine;
mod entropy;
mod names;
mod net;
mod outbound;
mod pem;
mod placeholder;
mod rules;
mod structured;
mod values;

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

pub use engine::Sanitizer;
pub use outbound::Outbound;

/// Why sanitizing failed. Callers must not send the input anywhere when they get one.
#[derive(Debug, thiserror::Error)]
pub enum SanitizeError {
    /// A user rule from the config file does not compile or has an unusable name.
    #[error("sanitize rule {name:?}: {reason}")]
    InvalidRule { name: String, reason: String },
    /// An allowlist regex from the config file does not compile.
    #[error("sanitize allowlist pattern {pattern:?}: {reason}")]
    InvalidAllowlist { pattern: String, reason: String },
    /// An internal invariant broke (e.g. a span off a character boundary); the input is
    /// treated as unsanitizable rather than passed through.
    #[error("sanitizer invariant violated: {0}")]
    Internal(&'static str),
}

/// A regex error on one line: its display draws a caret under the pattern over several
/// lines, while k8sops errors are one line; keep the pattern and the last line (the
/// reason).
fn one_line(e: &regex::Error) -> String {
    let text = e.to_string();
    let reason = text
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim()
        .trim_start_matches("error: ");
    match e {
        regex::Error::Syntax(_) => format!("regex does not parse: {reason}"),
        _ => reason.to_string(),
    }
}

/// The `[sanitize]` table of the config file.
///
/// ```toml
/// [sanitize]
/// allow = ["postgres://demo:demo@localhost"]      # never redacted inside these literals
/// allow_regex = ['^ci-bot@example\.com$']          # whole-span regexes never redacted
/// redact_emails = true
/// redact_public_ips = true
///
/// [[sanitize.rules]]
/// name = "acme-key"
/// regex = 'acme_[0-9a-f]{32}'                      # group `secret`, else the whole match
/// keywords = ["acme_"]                             # no keywords: runs on every input
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SanitizeConfig {
    /// Extra rules, run after the built-in ones.
    pub rules: Vec<UserRule>,
    /// Literal strings: a match that is one of them, or lies inside an occurrence of one
    /// in the text, is never redacted.
    pub allow: Vec<String>,
    /// Regexes; a match span that they match entirely is never redacted.
    pub allow_regex: Vec<String>,
    /// Redact e-mail addresses (PII).
    pub redact_emails: bool,
    /// Redact public IPv4/IPv6 addresses; private and cluster ranges are always kept.
    pub redact_public_ips: bool,
}

impl Default for SanitizeConfig {
    fn default() -> Self {
        Self {
            rules: Vec::new(),
            allow: Vec::new(),
            allow_regex: Vec::new(),
            redact_emails: true,
            redact_public_ips: true,
        }
    }
}

/// A user-defined text rule.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct UserRule {
    /// Placeholder kind and report key: lowercase letters, digits, `-`, `_`.
    pub name: String,
    /// Regex; the group named `secret` is redacted, or the whole match without one.
    pub regex: String,
    /// Literals (case-insensitive) gating the rule; empty means "run on every input".
    #[serde(default)]
    pub keywords: Vec<String>,
}

/// Result of sanitizing one text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sanitized<'a> {
    /// The sanitized text; borrowed when nothing was redacted.
    pub text: Cow<'a, str>,
    /// What was redacted, counted per kind.
    pub report: Report,
}

impl Sanitized<'_> {
    /// The sanitized text as an owned string.
    pub fn into_string(self) -> String {
        self.text.into_owned()
    }
}

/// Counts of redactions per kind (`password`, `github-token`, `email`, …).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(transparent)]
pub struct Report {
    counts: BTreeMap<String, usize>,
}

impl Report {
    /// Records `n` redactions of `kind`.
    pub fn add(&mut self, kind: &str, n: usize) {
        if n == 0 {
            return;
        }
        match self.counts.get_mut(kind) {
            Some(c) => *c += n,
            None => {
                self.counts.insert(kind.to_owned(), n);
            }
        }
    }

    /// Adds every count of `other` to this report.
    pub fn merge(&mut self, other: &Report) {
        for (kind, n) in other.iter() {
            self.add(kind, n);
        }
    }

    /// Redactions of `kind` so far.
    pub fn get(&self, kind: &str) -> usize {
        self.counts.get(kind).copied().unwrap_or(0)
    }

    /// Total redactions.
    pub fn total(&self) -> usize {
        self.counts.values().sum()
    }

    /// True when nothing was redacted.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// `(kind, count)` pairs, sorted by kind.
    pub fn iter(&self) -> impl Iterator<Item = (&str, usize)> {
        self.counts.iter().map(|(k, &n)| (k.as_str(), n))
    }
}

/// One `kind<TAB>count` line per kind, as `k8sops sanitize --report` prints on stderr.
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (kind, n) in self.iter() {
            writeln!(f, "{kind}\t{n}")?;
        }
        Ok(())
    }
}
