//! The report as one self-contained HTML file: inline CSS, inline SVG charts (restarts per
//! namespace, ready vs total pods), no script. A Content-Security-Policy that allows only
//! inline styles makes "no external requests" a property of the file, not a promise: a
//! browser refuses any fetch it would make. Laid out for a phone first; wide tables
//! scroll sideways instead of squeezing.

use std::fmt::Write as _;

use super::ci::CiSection;
use super::format::{duration, headline, issue_counts, pods_ready, span, when};
use super::model::{ClusterReport, Delta, IssueRef, Report};
use super::svg;

mod cluster;
use cluster::cluster;

/// Only inline styles; no scripts, images, fonts, frames or connections.
pub const CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const STYLE: &str = r#"
:root{--fg:#1d2430;--muted:#5b6575;--bg:#fff;--card:#f5f7fa;--line:#dde2ea;--ok:#2e9e5b;--warn:#d98e04;--bad:#d64545}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ef;--muted:#9aa4b2;--bg:#14171c;--card:#1d2129;--line:#303643}}
*{box-sizing:border-box}
body{margin:0;font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:980px;margin:0 auto;padding:12px}
h1{font-size:1.35rem;margin:.2rem 0}
h2{font-size:1.15rem;margin:1.6rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.2rem}
h3{font-size:1rem;margin:1.1rem 0 .4rem}
p,li{overflow-wrap:anywhere}
.muted{color:var(--muted);font-size:.9rem}
.grade{display:inline-block;font-weight:700;font-size:1.6rem;padding:.1rem .6rem;border-radius:8px;color:#fff;background:var(--bad)}
.grade-A,.grade-B{background:var(--ok)}.grade-C,.grade-D{background:var(--warn)}
.scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{text-align:left;padding:.3rem .45rem;border-bottom:1px solid var(--line);vertical-align:top}
th{color:var(--muted);font-weight:600;white-space:nowrap}
.card{background:var(--card);border-radius:8px;padding:.6rem .8rem;margin:.5rem 0}
.sev{font-weight:700;text-transform:uppercase;font-size:.75rem;padding:.05rem .35rem;border-radius:4px;color:#fff}
.sev-critical{background:var(--bad)}.sev-warning{background:var(--warn)}.sev-info{background:var(--muted)}
code{font-size:.85em;overflow-wrap:anywhere}
.charts{display:grid;grid-template-columns:1fr;gap:.8rem}
@media (min-width:720px){.charts{grid-template-columns:1fr 1fr}}
.chart{display:block;max-width:100%;height:auto}
.chart .label,.chart .value{font:12px system-ui,sans-serif;fill:var(--fg)}
.bar.ok{fill:var(--ok)}.bar.bad{fill:var(--bad)}.bar.warn{fill:var(--warn)}
"#;

/// Escapes text for HTML content and attribute values.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An `id` attribute from a name: letters, digits and `-`.
fn anchor(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect()
}

/// Links only to http(s) pages; anything else is shown as text.
fn link(url: &str, text: &str) -> String {
    match url.starts_with("https://") || url.starts_with("http://") {
        true => format!(r#"<a href="{}">{}</a>"#, escape(url), escape(text)),
        false => escape(text),
    }
}

fn table(out: &mut String, head: &[&str], rows: impl IntoIterator<Item = Vec<String>>) {
    out.push_str(r#"<div class="scroll"><table><thead><tr>"#);
    for h in head {
        let _ = write!(out, "<th>{}</th>", escape(h));
    }
    out.push_str("</tr></thead><tbody>");
    for row in rows {
        out.push_str("<tr>");
        for cell in row {
            let _ = write!(out, "<td>{cell}</td>");
        }
        out.push_str("</tr>");
    }
    out.push_str("</tbody></table></div>");
}

pub fn html(r: &Report) -> String {
    let mut out = String::new();
    let title = format!("k8sops daily report — {}", headline(r));
    let _ = write!(
        out,
        r#"<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta http-equiv="Content-Security-Policy" content="{CSP}"><title>{}</title><style>{STYLE}</style></head><body><main>"#,
        escape(&title)
    );
    let _ = write!(
        out,
        r#"<header><h1>k8sops daily report</h1><p><span class="grade grade-{g}">{g} {s}</span> <span class="muted">health score out of 100</span></p><p class="muted">Last {since}: {start} → {end} · {n} cluster(s)</p></header>"#,
        g = escape(&r.score.grade),
        s = r.score.score,
        since = span(r.window.since_seconds),
        start = when(r.window.start),
        end = when(r.window.end),
        n = r.clusters.len()
    );
    summary(&mut out, r);
    charts(&mut out, r);
    if let Some(d) = &r.since_previous {
        delta(&mut out, d, r.score.score);
    }
    for c in &r.clusters {
        cluster(&mut out, c);
    }
    ci(&mut out, &r.ci);
    if !r.warnings.is_empty() {
        out.push_str(r#"<section id="warnings"><h2>Warnings</h2><ul>"#);
        for w in &r.warnings {
            let _ = write!(out, "<li>{}</li>", escape(w));
        }
        out.push_str("</ul></section>");
    }
    let _ = write!(
        out,
        r#"<footer><p class="muted">Score: each section scores 100 × (passed + ½ warned) / checked, the score is their mean; A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E ≥ 50, else F. Generated by k8sops {}.</p></footer></main></body></html>"#,
        escape(&r.version)
    );
    out.push('\n');
    out
}

fn summary(out: &mut String, r: &Report) {
    out.push_str(r#"<section id="summary"><h2>Summary</h2>"#);
    let rows = r.clusters.iter().map(|c| {
        let (ready, total) = pods_ready(c);
        vec![
            format!(
                r##"<a href="#cluster-{}">{}</a>"##,
                anchor(&c.name),
                escape(&c.name)
            ),
            c.score.as_ref().map_or("unreadable".into(), |s| {
                format!("{} ({})", escape(&s.grade), s.score)
            }),
            format!("{ready}/{total}"),
            escape(&issue_counts(c)),
            c.deployments.len().to_string(),
            c.recommendations.len().to_string(),
        ]
    });
    table(
        out,
        &[
            "cluster",
            "score",
            "pods ready",
            "issues",
            "rollouts",
            "recommendations",
        ],
        rows,
    );
    out.push_str("</section>");
}

fn charts(out: &mut String, r: &Report) {
    let several = r.clusters.len() > 1;
    let name = |c: &ClusterReport, ns: &str| match several {
        true => format!("{}/{ns}", c.name),
        false => ns.to_string(),
    };
    let restarts: Vec<(String, u64)> = r
        .clusters
        .iter()
        .flat_map(|c| {
            c.namespaces
                .iter()
                .map(move |n| (name(c, &n.name), n.restarts))
        })
        .collect();
    let ready: Vec<(String, usize, usize)> = r
        .clusters
        .iter()
        .flat_map(|c| {
            c.namespaces
                .iter()
                .map(move |n| (name(c, &n.name), n.pods_ready, n.pods_total))
        })
        .collect();
    out.push_str(r#"<section id="charts"><h2>At a glance</h2><div class="charts"><figure class="card"><figcaption>Restarts per namespace</figcaption>"#);
    out.push_str(&svg::bars(
        "restarts",
        "Container restarts per namespace",
        &restarts,
    ));
    out.push_str(r#"</figure><figure class="card"><figcaption>Ready vs total pods</figcaption>"#);
    out.push_str(&svg::ready_of_total(
        "ready",
        "Ready pods of all pods per namespace",
        &ready,
    ));
    out.push_str("</figure></div></section>");
}

fn issue_ref(i: &IssueRef) -> String {
    format!(
        r#"<li><span class="sev sev-{s}">{s}</span> <code>{}</code> {} ({}) — {}</li>"#,
        escape(i.category.id()),
        escape(&i.subject.to_string()),
        escape(&i.cluster),
        escape(&i.cause),
        s = i.severity
    )
}

fn delta(out: &mut String, d: &Delta, score: u8) {
    let _ = write!(
        out,
        r#"<section id="since-previous"><h2>Since the previous report</h2><p class="muted">{} · score {} → {score} · still open: {}</p><h3>New ({})</h3><ul>"#,
        when(d.previous_generated_at),
        d.previous_score,
        d.ongoing,
        d.new.len()
    );
    for i in &d.new {
        out.push_str(&issue_ref(i));
    }
    let _ = write!(out, "</ul><h3>Resolved ({})</h3><ul>", d.resolved.len());
    for i in &d.resolved {
        out.push_str(&issue_ref(i));
    }
    out.push_str("</ul></section>");
}

fn ci(out: &mut String, s: &CiSection) {
    out.push_str(r#"<section id="ci"><h2>CI runs in the window</h2>"#);
    if let Some(note) = &s.note {
        let _ = write!(out, "<p>{}</p>", escape(note));
    }
    if s.available && s.total > 0 {
        let _ = write!(
            out,
            "<p>{} runs: {} succeeded, {} failed, {} cancelled, {} in progress; median {}.</p>",
            s.total,
            s.succeeded,
            s.failed,
            s.cancelled,
            s.in_progress,
            s.median_duration_seconds
                .map(duration)
                .unwrap_or("—".into())
        );
        let rows = s.workflows.iter().map(|w| {
            vec![
                escape(&w.workflow),
                w.runs.to_string(),
                w.failed.to_string(),
                w.median_duration_seconds
                    .map(duration)
                    .unwrap_or("—".into()),
            ]
        });
        table(out, &["workflow", "runs", "failed", "median"], rows);
        if !s.failures.is_empty() {
            out.push_str("<h3>Failures</h3><ul>");
            for f in &s.failures {
                let short: String = f.commit.chars().take(7).collect();
                let _ = write!(
                    out,
                    "<li>{} — {} at <code>{}</code> by {}, {}</li>",
                    link(&f.url, &format!("{} on {}", f.workflow, f.branch)),
                    escape(f.conclusion.as_deref().unwrap_or("failed")),
                    escape(&short),
                    escape(&f.actor),
                    when(f.started_at)
                );
            }
            out.push_str("</ul>");
        }
    }
    out.push_str("</section>");
}
