//! One cluster's section of the HTML report: status, score, issues, rollouts, resource
//! use and recommendations.

use std::fmt::Write as _;

use super::{anchor, escape, table};
use crate::report::format::{cpu, cpu_share, memory, memory_share, rollout_changes, when};
use crate::report::model::ClusterReport;

pub(super) fn cluster(out: &mut String, c: &ClusterReport) {
    let grade = c.score.as_ref().map_or("unreadable".into(), |s| {
        format!("{} ({}/100)", s.grade, s.score)
    });
    let _ = write!(
        out,
        r#"<section class="cluster" id="cluster-{}"><h2>Cluster {} — {}</h2>"#,
        anchor(&c.name),
        escape(&c.name),
        escape(&grade)
    );
    if let Some(e) = &c.error {
        let _ = write!(out, "<p>Could not be read: {}</p></section>", escape(e));
        return;
    }
    let _ = write!(
        out,
        r#"<p class="muted">{}{} · captured {}</p>"#,
        escape(&c.scope),
        c.server_version
            .as_deref()
            .map(|v| format!(" · server {}", escape(v)))
            .unwrap_or_default(),
        when(c.captured_at)
    );

    out.push_str("<h3>Status per namespace</h3>");
    let rows = c.namespaces.iter().map(|n| {
        let not_ready: Vec<String> = n
            .not_ready
            .iter()
            .map(|p| {
                format!(
                    "<code>{}</code> {} ({} ready, {} restarts)",
                    escape(&p.pod),
                    escape(&p.status),
                    p.ready,
                    p.restarts
                )
            })
            .collect();
        vec![
            escape(&n.name),
            format!("{}/{}", n.pods_ready, n.pods_total),
            n.pods_completed.to_string(),
            n.restarts.to_string(),
            not_ready.join("<br>"),
        ]
    });
    table(
        out,
        &["namespace", "ready", "completed", "restarts", "not ready"],
        rows,
    );

    if let Some(s) = &c.score {
        let _ = write!(
            out,
            "<h3>Health score: {} ({}/100)</h3>",
            escape(&s.grade),
            s.score
        );
        let rows = s.sections.iter().map(|x| {
            vec![
                escape(&x.name),
                x.checked().to_string(),
                x.passed.to_string(),
                x.warned.to_string(),
                x.failed.to_string(),
                x.score.to_string(),
            ]
        });
        table(
            out,
            &["section", "checked", "passed", "warned", "failed", "score"],
            rows,
        );
    }

    let _ = write!(out, "<h3>Issues in the window ({})</h3>", c.issues.len());
    if c.issues.is_empty() {
        out.push_str("<p>No problems found.</p>");
    }
    for i in &c.issues {
        let _ = write!(
            out,
            r#"<div class="card issue" id="issue-{fp}"><p><span class="sev sev-{s}">{s}</span> <code>{}</code> <strong>{}</strong></p><p>{} <span class="muted">({:.0}%, {})</span></p>"#,
            escape(i.category.id()),
            escape(&i.subject.to_string()),
            escape(&i.cause),
            i.confidence * 100.0,
            escape(&i.engine),
            fp = escape(&i.fingerprint),
            s = i.severity
        );
        out.push_str("<ul>");
        if let Some(remedy) = &i.remedy {
            let _ = write!(out, "<li>Remedy: {}</li>", escape(remedy));
        }
        if let Some(first) = i.fix.first() {
            let _ = write!(out, "<li>Fix: {}</li>", escape(first));
        }
        for ch in i.changes.iter().take(3) {
            let _ = write!(
                out,
                "<li>Changed in the last rollout: <code>{}</code></li>",
                escape(&crate::report::format::change(ch))
            );
        }
        let _ = write!(
            out,
            r#"<li class="muted">fingerprint <code>{}</code></li></ul></div>"#,
            escape(&i.fingerprint)
        );
    }
    if c.issues_outside_window > 0 {
        let _ = write!(
            out,
            r#"<p class="muted">{} older problem(s) with no evidence in the window are left out.</p>"#,
            c.issues_outside_window
        );
    }

    let _ = write!(
        out,
        "<h3>Deployments in the window ({})</h3>",
        c.deployments.len()
    );
    if c.deployments.is_empty() {
        out.push_str("<p>No rollouts in the window.</p>");
    } else {
        let rows = c.deployments.iter().map(|d| {
            vec![
                escape(&d.workload.to_string()),
                format!(
                    "{} <span class=\"muted\">{}</span>",
                    d.revision,
                    escape(&d.revision_name)
                ),
                when(d.at),
                format!("<strong>{}</strong>: {}", d.outcome, escape(&d.detail)),
                escape(&rollout_changes(d)),
            ]
        });
        table(
            out,
            &[
                "workload",
                "revision",
                "rolled out",
                "outcome",
                "what changed",
            ],
            rows,
        );
    }

    out.push_str("<h3>Resource use</h3>");
    for note in &c.resources.notes {
        let _ = write!(out, r#"<p class="muted">{}</p>"#, escape(note));
    }
    let rows = c.resources.nodes.iter().map(|n| {
        vec![
            escape(&n.name),
            n.pods.to_string(),
            cpu_share(&n.requests, &n.allocatable),
            memory_share(&n.requests, &n.allocatable),
            n.usage
                .map_or("—".into(), |u| cpu_share(&u, &n.allocatable)),
            n.usage
                .map_or("—".into(), |u| memory_share(&u, &n.allocatable)),
        ]
    });
    table(
        out,
        &[
            "node",
            "pods",
            "cpu requests / allocatable",
            "memory requests / allocatable",
            "cpu used",
            "memory used",
        ],
        rows,
    );
    let rows = c.resources.namespaces.iter().map(|n| {
        vec![
            escape(&n.name),
            format!(
                "{} / {}",
                cpu(n.requests.cpu_millicores),
                cpu(n.limits.cpu_millicores)
            ),
            format!(
                "{} / {}",
                memory(n.requests.memory_bytes),
                memory(n.limits.memory_bytes)
            ),
            n.usage.map_or("—".into(), |u| {
                format!("{} · {}", cpu(u.cpu_millicores), memory(u.memory_bytes))
            }),
            n.containers_without_limits.to_string(),
        ]
    });
    table(
        out,
        &[
            "namespace",
            "cpu req / lim",
            "memory req / lim",
            "used",
            "no memory limit",
        ],
        rows,
    );

    let _ = write!(
        out,
        "<h3>Recommendations ({})</h3>",
        c.recommendations.len()
    );
    if c.recommendations.is_empty() {
        out.push_str("<p>Nothing to recommend.</p>");
    }
    for rec in &c.recommendations {
        let _ = write!(
            out,
            r#"<div class="card"><p><code>{}</code> <strong>{}</strong>: {}</p><p class="muted">{}</p><p>{}</p></div>"#,
            rec.kind.id(),
            escape(&rec.subject.to_string()),
            escape(&rec.summary),
            escape(&rec.arithmetic),
            escape(&rec.action)
        );
    }
    out.push_str("</section>");
}
