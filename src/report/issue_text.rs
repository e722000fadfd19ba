//! GitHub issue texts for the critical issues of a report (`--create-issue`): a title, a
//! Markdown body for a new issue and a comment for an open one with the same fingerprint.

use std::fmt::Write as _;

use super::format::{change, when};
use super::model::Report;
use crate::analyze::Severity;
use crate::notify::github_issue::IssueDraft;

/// One draft per critical issue of every cluster.
pub fn drafts(r: &Report) -> Vec<IssueDraft> {
    let mut out = Vec::new();
    for c in &r.clusters {
        for i in c.issues.iter().filter(|i| i.severity == Severity::Critical) {
            let mut body = format!(
                "**{}** · `{}` · {} · cluster `{}`\n\n**Cause** ({:.0}% confidence, {}): {}\n\n",
                i.severity,
                i.category,
                i.subject,
                c.name,
                i.confidence * 100.0,
                i.engine,
                i.cause
            );
            if !i.evidence.is_empty() {
                body.push_str("| source | object | evidence | seen |\n| --- | --- | --- | --- |\n");
                for e in &i.evidence {
                    let excerpt: String = e
                        .excerpt
                        .split_whitespace()
                        .collect::<Vec<_>>()
                        .join(" ")
                        .replace('|', "\\|");
                    let _ = writeln!(
                        body,
                        "| {} | {} | {} | {} |",
                        e.source,
                        e.object,
                        excerpt,
                        e.at.map(when).unwrap_or_default()
                    );
                }
                body.push('\n');
            }
            if !i.fix.is_empty() {
                body.push_str("**Fix**\n\n");
                for step in &i.fix {
                    let _ = writeln!(body, "1. {step}");
                }
                body.push('\n');
            }
            if let Some(remedy) = &i.remedy {
                let _ = writeln!(body, "**Remedy**: {remedy}\n");
            }
            if !i.changes.is_empty() {
                body.push_str("**What the last rollout changed**\n\n");
                for ch in &i.changes {
                    let _ = writeln!(body, "- `{}`", change(ch));
                }
                body.push('\n');
            }
            let _ = write!(
                body,
                "_Filed by `k8sops report daily` from the capture of {}. While this issue is open, later reports comment here instead of opening another; close it once fixed._",
                when(c.captured_at)
            );
            out.push(IssueDraft {
                fingerprint: i.fingerprint.clone(),
                title: format!("k8sops: {} on {} ({})", i.category, i.subject, c.name),
                body,
                comment: format!(
                    "Still {} in the k8sops daily report of {}: {} ({:.0}% confidence, {}).",
                    i.severity,
                    when(c.captured_at),
                    i.cause,
                    i.confidence * 100.0,
                    i.engine
                ),
            });
        }
    }
    out
}
