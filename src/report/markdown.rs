//! The report as Markdown: the default output, readable in a terminal, a PR, a wiki page.

use std::fmt::Write as _;

use super::ci::CiSection;
use super::format::{
    cpu, cpu_share, duration, headline, issue_counts, memory, memory_share, pods_ready,
    rollout_changes, span, when,
};
use super::model::{ClusterReport, Delta, Report};
use super::score::Score;

pub fn markdown(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "# k8sops daily report — {}\n", headline(r));
    let _ = writeln!(
        out,
        "Window: {} → {} (last {}). Score formula: each section scores 100 × (passed + ½ warned) / checked; the score is their mean; A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E ≥ 50, else F.\n",
        when(r.window.start),
        when(r.window.end),
        span(r.window.since_seconds)
    );
    out.push_str("| cluster | score | pods ready | issues | rollouts | recommendations |\n| --- | --- | --- | --- | --- | --- |\n");
    for c in &r.clusters {
        let score = c.score.as_ref().map_or("unreadable".to_string(), |s| {
            format!("{} ({})", s.grade, s.score)
        });
        let (ready, total) = pods_ready(c);
        let _ = writeln!(
            out,
            "| {} | {score} | {ready}/{total} | {} | {} | {} |",
            cell(&c.name),
            issue_counts(c),
            c.deployments.len(),
            c.recommendations.len()
        );
    }
    out.push('\n');
    if let Some(d) = &r.since_previous {
        delta(&mut out, d, r.score.score);
    }
    for c in &r.clusters {
        cluster(&mut out, c);
    }
    ci(&mut out, &r.ci);
    if !r.warnings.is_empty() {
        out.push_str("## Warnings\n\n");
        for w in &r.warnings {
            let _ = writeln!(out, "- {w}");
        }
        out.push('\n');
    }
    out
}

fn delta(out: &mut String, d: &Delta, score: u8) {
    let _ = writeln!(
        out,
        "## Since the previous report ({}, score {} → {score})\n",
        when(d.previous_generated_at),
        d.previous_score
    );
    let list = |out: &mut String, title: &str, items: &[super::model::IssueRef]| {
        let _ = writeln!(out, "**{title}** ({})\n", items.len());
        for i in items {
            let _ = writeln!(
                out,
                "- {} · {} · {} ({}) — {}",
                i.severity, i.category, i.subject, i.cluster, i.cause
            );
        }
        if !items.is_empty() {
            out.push('\n');
        }
    };
    list(out, "New", &d.new);
    list(out, "Resolved", &d.resolved);
    let _ = writeln!(out, "Still open: {}.\n", d.ongoing);
}

fn cluster(out: &mut String, c: &ClusterReport) {
    let grade = c.score.as_ref().map_or("unreadable".to_string(), |s| {
        format!("{} ({}/100)", s.grade, s.score)
    });
    let _ = writeln!(out, "## Cluster {} — {grade}\n", c.name);
    if let Some(e) = &c.error {
        let _ = writeln!(out, "Could not be read: {e}\n");
        return;
    }
    let server = c
        .server_version
        .as_deref()
        .map(|v| format!(" · server {v}"))
        .unwrap_or_default();
    let _ = writeln!(
        out,
        "_{}{server} · captured {}_\n",
        c.scope,
        when(c.captured_at)
    );
    let h = "###";

    let _ = writeln!(out, "{h} Status per namespace\n");
    out.push_str("| namespace | ready | completed | restarts | not ready |\n| --- | --- | --- | --- | --- |\n");
    for n in &c.namespaces {
        let not_ready: Vec<String> = n
            .not_ready
            .iter()
            .map(|p| {
                format!(
                    "{} ({}, {} ready, {} restarts)",
                    p.pod, p.status, p.ready, p.restarts
                )
            })
            .collect();
        let _ = writeln!(
            out,
            "| {} | {}/{} | {} | {} | {} |",
            n.name,
            n.pods_ready,
            n.pods_total,
            n.pods_completed,
            n.restarts,
            cell(&not_ready.join("; "))
        );
    }
    out.push('\n');

    if let Some(s) = &c.score {
        score(out, s, h);
    }

    let _ = writeln!(out, "{h} Issues in the window ({})\n", c.issues.len());
    if c.issues.is_empty() {
        out.push_str("No problems found.\n\n");
    }
    for (n, i) in c.issues.iter().enumerate() {
        let _ = writeln!(
            out,
            "{}. **{}** · `{}` · {} — {} ({:.0}%, {})",
            n + 1,
            i.severity,
            i.category,
            i.subject,
            i.cause,
            i.confidence * 100.0,
            i.engine
        );
        if let Some(remedy) = &i.remedy {
            let _ = writeln!(out, "   - Remedy: {remedy}");
        }
        if let Some(first) = i.fix.first() {
            let _ = writeln!(out, "   - Fix: {first}");
        }
        for ch in i.changes.iter().take(3) {
            let _ = writeln!(
                out,
                "   - Changed in the last rollout: `{}`",
                super::format::change(ch)
            );
        }
        let _ = writeln!(
            out,
            "   - Fingerprint `{}`{}",
            i.fingerprint,
            i.last_seen
                .map(|t| format!(", last seen {}", when(t)))
                .unwrap_or_default()
        );
    }
    if c.issues_outside_window > 0 {
        let _ = writeln!(
            out,
            "{} older problem(s) with no evidence in the window are left out (see `k8sops diagnose`).",
            c.issues_outside_window
        );
    }
    out.push('\n');

    let _ = writeln!(
        out,
        "{h} Deployments in the window ({})\n",
        c.deployments.len()
    );
    if c.deployments.is_empty() {
        out.push_str("No rollouts in the window.\n\n");
    } else {
        out.push_str("| workload | revision | rolled out | outcome | what changed |\n| --- | --- | --- | --- | --- |\n");
        for d in &c.deployments {
            let _ = writeln!(
                out,
                "| {} | {} ({}) | {} | {}: {} | {} |",
                d.workload,
                d.revision,
                d.revision_name,
                when(d.at),
                d.outcome,
                d.detail,
                cell(&rollout_changes(d))
            );
        }
        out.push('\n');
    }

    let _ = writeln!(out, "{h} Resource use\n");
    for note in &c.resources.notes {
        let _ = writeln!(out, "> {note}");
    }
    if !c.resources.notes.is_empty() {
        out.push('\n');
    }
    out.push_str("| node | pods | cpu requests / allocatable | memory requests / allocatable | cpu limits | memory limits | cpu used | memory used |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for n in &c.resources.nodes {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            n.name,
            n.pods,
            cpu_share(&n.requests, &n.allocatable),
            memory_share(&n.requests, &n.allocatable),
            cpu_share(&n.limits, &n.allocatable),
            memory_share(&n.limits, &n.allocatable),
            n.usage
                .map_or("—".into(), |u| cpu_share(&u, &n.allocatable)),
            n.usage
                .map_or("—".into(), |u| memory_share(&u, &n.allocatable)),
        );
    }
    out.push('\n');
    out.push_str("| namespace | cpu requests | memory requests | cpu limits | memory limits | cpu used | memory used | containers without a memory limit |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n");
    for n in &c.resources.namespaces {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} | {} |",
            n.name,
            cpu(n.requests.cpu_millicores),
            memory(n.requests.memory_bytes),
            cpu(n.limits.cpu_millicores),
            memory(n.limits.memory_bytes),
            n.usage.map_or("—".into(), |u| cpu(u.cpu_millicores)),
            n.usage.map_or("—".into(), |u| memory(u.memory_bytes)),
            n.containers_without_limits
        );
    }
    out.push('\n');

    let _ = writeln!(out, "{h} Recommendations ({})\n", c.recommendations.len());
    if c.recommendations.is_empty() {
        out.push_str("Nothing to recommend.\n\n");
    }
    for rec in &c.recommendations {
        let _ = writeln!(
            out,
            "- **{}** {}: {}",
            rec.kind.id(),
            rec.subject,
            rec.summary
        );
        let _ = writeln!(out, "  - Arithmetic: {}", rec.arithmetic);
        let _ = writeln!(out, "  - Action: {}", rec.action);
    }
    if !c.recommendations.is_empty() {
        out.push('\n');
    }
}

fn score(out: &mut String, s: &Score, h: &str) {
    let _ = writeln!(out, "{h} Health score: {} ({}/100)\n", s.grade, s.score);
    out.push_str("| section | checked | passed | warned | failed | score |\n| --- | --- | --- | --- | --- | --- |\n");
    for sec in &s.sections {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            sec.name,
            sec.checked(),
            sec.passed,
            sec.warned,
            sec.failed,
            sec.score
        );
    }
    out.push('\n');
}

fn ci(out: &mut String, s: &CiSection) {
    out.push_str("## CI runs in the window\n\n");
    if let Some(note) = &s.note {
        let _ = writeln!(out, "{}\n", capitalized(note));
    }
    if !s.available || s.total == 0 {
        return;
    }
    let median = s
        .median_duration_seconds
        .map(duration)
        .unwrap_or("—".into());
    let _ = writeln!(
        out,
        "{} runs: {} succeeded, {} failed, {} cancelled, {} in progress; median duration {median}.\n",
        s.total, s.succeeded, s.failed, s.cancelled, s.in_progress
    );
    out.push_str("| workflow | runs | failed | median |\n| --- | --- | --- | --- |\n");
    for w in &s.workflows {
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} |",
            cell(&w.workflow),
            w.runs,
            w.failed,
            w.median_duration_seconds
                .map(duration)
                .unwrap_or("—".into())
        );
    }
    out.push('\n');
    if !s.failures.is_empty() {
        out.push_str("**Failures**\n\n");
        for f in &s.failures {
            let short: String = f.commit.chars().take(7).collect();
            let _ = writeln!(
                out,
                "- [{} on {}]({}) — {} at `{short}` by {}, {}{}",
                f.workflow,
                f.branch,
                f.url,
                f.conclusion.as_deref().unwrap_or("failed"),
                f.actor,
                when(f.started_at),
                f.duration_seconds
                    .map(|d| format!(", {}", duration(d)))
                    .unwrap_or_default()
            );
        }
        out.push('\n');
    }
    if let Some(l) = &s.longest {
        let _ = writeln!(
            out,
            "Longest: [{} on {}]({}), {}.\n",
            l.workflow,
            l.branch,
            l.url,
            l.duration_seconds.map(duration).unwrap_or_default()
        );
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// A table cell: one line, pipes escaped.
fn cell(s: &str) -> String {
    s.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .replace('|', "\\|")
}
