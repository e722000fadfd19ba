//! The append-only audit log: one JSON line per decision — every proposal, confirmation,
//! refusal, commit, push and pull request, with its reasoning and hashes — in
//! `$XDG_STATE_HOME/k8sops/audit.jsonl` (else `~/.local/state/k8sops/audit.jsonl`).
//! `k8sops audit` lists it. Lines are written with one `write` on a file opened for
//! appending, so concurrent runs interleave whole lines.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::env::Env;
use crate::error::{Error, Result};

/// One decision.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub ts: jiff::Timestamp,
    /// `proposal`, `confirmation`, `declined`, `refusal`, `commit`, `push`, `pull-request`,
    /// `failure`.
    pub event: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// `Deployment shop/web`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    /// Why: the cause and arithmetic of a proposal, the rule of a refusal, git's message.
    pub reasoning: String,
    /// Hashes, branch, commit, URL …
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub details: BTreeMap<String, String>,
}

impl Entry {
    pub fn new(event: &str, reasoning: impl Into<String>) -> Entry {
        Entry {
            ts: jiff::Timestamp::now(),
            event: event.to_string(),
            fingerprint: None,
            target: None,
            reasoning: reasoning.into(),
            details: BTreeMap::new(),
        }
    }

    pub fn detail(mut self, key: &str, value: impl ToString) -> Entry {
        self.details.insert(key.to_string(), value.to_string());
        self
    }
}

/// The log file.
#[derive(Debug, Clone)]
pub struct AuditLog {
    path: PathBuf,
}

impl AuditLog {
    /// The log in the XDG state directory of `env`.
    pub fn open(env: &Env<'_>) -> Result<AuditLog> {
        let dir = env.state_dir().ok_or_else(|| Error::Usage {
            flag: "XDG_STATE_HOME".into(),
            message:
                "neither XDG_STATE_HOME nor HOME is set, so there is no place for the audit log"
                    .into(),
            hint: "set XDG_STATE_HOME (or HOME)".into(),
        })?;
        Ok(AuditLog::at(dir.join("audit.jsonl")))
    }

    pub fn at(path: impl Into<PathBuf>) -> AuditLog {
        AuditLog { path: path.into() }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `entry`. A log that cannot be written stops the run: an unaudited change is
    /// not made.
    pub fn record(&self, entry: &Entry) -> Result<()> {
        if let Some(dir) = self.path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        let mut line = serde_json::to_string(entry).map_err(|e| Error::Io {
            path: self.path.clone(),
            source: std::io::Error::other(e),
        })?;
        line.push('\n');
        std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .and_then(|mut f| f.write_all(line.as_bytes()))
            .map_err(|e| Error::io(&self.path, e))
    }

    /// Every entry, oldest first; no file yet means none. A line that does not parse is an
    /// error naming its line.
    pub fn read(&self) -> Result<Vec<Entry>> {
        let text = match std::fs::read_to_string(&self.path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
            Err(e) => return Err(Error::io(&self.path, e)),
        };
        text.lines()
            .enumerate()
            .filter(|(_, l)| !l.trim().is_empty())
            .map(|(i, l)| {
                serde_json::from_str(l).map_err(|e| Error::Malformed {
                    path: self.path.clone(),
                    line: i + 1,
                    column: e.column(),
                    message: e.to_string(),
                })
            })
            .collect()
    }
}

/// The entries as aligned text, or as JSON lines.
pub fn render(entries: &[Entry], json: bool) -> String {
    let mut out = String::new();
    for e in entries {
        if json {
            out.push_str(&serde_json::to_string(e).unwrap_or_default());
            out.push('\n');
            continue;
        }
        let ts = e.ts.strftime("%Y-%m-%d %H:%M:%S").to_string();
        let target = e.target.as_deref().unwrap_or("-");
        // Anyone can write the log: cut at a char boundary, never inside a character.
        let fp = e.fingerprint.as_deref().map_or("-", |f| {
            f.char_indices().nth(7).map_or(f, |(end, _)| &f[..end])
        });
        out.push_str(&format!(
            "{ts}  {:<13} {fp:<7}  {target}  {}\n",
            e.event, e.reasoning
        ));
        for (k, v) in &e.details {
            out.push_str(&format!("{:>21}{k}: {v}\n", ""));
        }
    }
    if entries.is_empty() {
        out.push_str("The audit log is empty.\n");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_round_trip_in_order() {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = AuditLog::at(dir.path().join("state/k8sops/audit.jsonl"));
        assert!(log.read().expect("no file yet").is_empty());
        log.record(&Entry::new("proposal", "raise the limit").detail("branch", "k8sops/x"))
            .expect("write");
        log.record(&Entry::new("refusal", "policy")).expect("write");
        let entries = log.read().expect("read");
        assert_eq!(
            entries.iter().map(|e| e.event.as_str()).collect::<Vec<_>>(),
            ["proposal", "refusal"]
        );
        assert_eq!(entries[0].details["branch"], "k8sops/x");
        let text = render(&entries, false);
        assert!(
            text.contains("proposal") && text.contains("branch: k8sops/x"),
            "{text}"
        );
    }

    #[test]
    fn a_short_or_multi_byte_fingerprint_written_by_anyone_is_listed() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("audit.jsonl");
        // Byte 7 falls inside `é`; `ab` is shorter than the column.
        std::fs::write(
            &path,
            concat!(
                r#"{"ts":"2026-01-02T03:04:05Z","event":"proposal","fingerprint":"abcdefé0123","reasoning":"r"}"#,
                "\n",
                r#"{"ts":"2026-01-02T03:04:05Z","event":"refusal","fingerprint":"ab","reasoning":"r"}"#,
                "\n",
                r#"{"ts":"2026-01-02T03:04:05Z","event":"commit","fingerprint":"ééééééééé","reasoning":"r"}"#,
                "\n",
            ),
        )
        .expect("write");
        let entries = AuditLog::at(&path).read().expect("read");
        let text = render(&entries, false);
        let fps: Vec<&str> = text
            .lines()
            .filter_map(|l| l.split_whitespace().nth(3))
            .collect();
        assert_eq!(fps, ["abcdefé", "ab", "ééééééé"], "{text}");
    }

    #[test]
    fn the_log_lives_in_the_xdg_state_dir() {
        let env = Env::from_fn(|k| (k == "XDG_STATE_HOME").then(|| "/var/lib/me".to_string()));
        let log = AuditLog::open(&env).expect("path");
        assert_eq!(log.path(), Path::new("/var/lib/me/k8sops/audit.jsonl"));
    }
}
