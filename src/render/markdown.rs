//! Markdown, for issues, PR bodies and chat: one section per diagnosis.

use std::fmt::Write as _;

use super::text::describe_change;
use crate::model::age;
use crate::model::text::{Budget, clip, one_line};
use crate::rca::DiagnosisList;

pub fn markdown(list: &DiagnosisList, now: jiff::Timestamp) -> String {
    let mut out = String::from("# k8sops diagnosis\n\n");
    if list.items.is_empty() {
        out.push_str("No problems found.\n");
    }
    for d in &list.items {
        let Some(top) = d.top() else { continue };
        let _ = writeln!(
            out,
            "## {} — {} ({})\n",
            d.subject, top.category, d.severity
        );
        let _ = writeln!(
            out,
            "**Cause** ({:.0}% confidence, {}): {}\n",
            top.confidence * 100.0,
            top.engine,
            top.cause
        );
        if let Some(x) = &d.explanation {
            let _ = writeln!(out, "**Explanation** ({}): {}\n", x.engine, x.text.trim());
        }
        out.push_str(
            "| id | source | object | evidence | age |\n| --- | --- | --- | --- | --- |\n",
        );
        for id in &top.evidence {
            if let Some(e) = d.evidence_by_id(id) {
                let when = e.timestamp.map(|t| age(now, t)).unwrap_or_default();
                let _ = writeln!(
                    out,
                    "| {id} | {} | {} | {} | {when} |",
                    format!("{:?}", e.source).to_lowercase(),
                    e.object,
                    cell(&e.excerpt)
                );
            }
        }
        out.push('\n');
        if !d.affected.is_empty() {
            out.push_str("**Also failing because of this**\n\n");
            for a in &d.affected {
                let _ = writeln!(
                    out,
                    "- {}: {} ({})",
                    a.object(),
                    a.why,
                    a.evidence.join(", ")
                );
            }
            out.push('\n');
        }
        if !d.changes.is_empty() {
            out.push_str("**What changed**\n\n");
            for c in &d.changes {
                let _ = writeln!(
                    out,
                    "- `{}`: `{}` → `{}` (revision {})",
                    c.field,
                    c.from.as_deref().unwrap_or("(none)"),
                    c.to.as_deref().unwrap_or("(none)"),
                    c.revision.as_deref().unwrap_or("?")
                );
            }
            out.push('\n');
        }
        if !top.fix.is_empty() {
            out.push_str("**Fix**\n\n");
            for step in &top.fix {
                let _ = writeln!(out, "1. {step}");
            }
            out.push('\n');
        }
        if let Some(r) = &top.remedy {
            let _ = writeln!(
                out,
                "**Remedy**: {} — {}\n",
                describe_change(&r.change),
                r.rationale
            );
        }
        if !top.prevention.is_empty() {
            out.push_str("**Prevention**\n\n");
            for p in &top.prevention {
                let _ = writeln!(out, "- {p}");
            }
            out.push('\n');
        }
        let others: Vec<_> = d.hypotheses.iter().skip(1).take(2).collect();
        if !others.is_empty() {
            out.push_str("**Also considered**\n\n");
            for h in others {
                let engine = match h.engine.as_str() {
                    "rules" => String::new(),
                    e => format!(" ({e})"),
                };
                let _ = writeln!(
                    out,
                    "- {} ({:.0}%): {}{engine}",
                    h.category,
                    h.confidence * 100.0,
                    h.cause
                );
            }
            out.push('\n');
        }
    }
    for w in &list.warnings {
        let _ = writeln!(out, "> warning: {w}");
    }
    if let Some(line) = super::usage_line(&list.usage) {
        let _ = writeln!(out, "\n_{line}_");
    }
    out
}

fn cell(s: &str) -> String {
    clip(&one_line(s).replace('|', "\\|"), Budget::Width(200))
}
