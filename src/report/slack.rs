//! The Block Kit summary `--post slack` sends: the grade, one field per cluster, what is new
//! since the previous report, the critical issues and a CI line. The full report stays in
//! the file; Slack gets what fits a glance. `notify::slack::post` sanitizes it as a whole.

use super::format::{counts_by_severity, issue_counts, pods_ready, span, when};
use super::model::Report;
use crate::analyze::Severity;
use crate::notify::slack::Message;

/// Issues listed by name; the rest are counted.
const LISTED: usize = 8;

/// Slack's mrkdwn needs only `&`, `<` and `>` escaped.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

pub fn slack_message(r: &Report) -> Message {
    let issues = counts_by_severity(
        r.clusters
            .iter()
            .flat_map(|c| &c.issues)
            .map(|i| i.severity),
    );
    let mut m = Message::new(format!(
        "k8sops daily report: {} ({}/100), issues: {issues}",
        r.score.grade, r.score.score
    ))
    .header(&format!(
        "k8sops daily report — {} ({}/100)",
        r.score.grade, r.score.score
    ))
    .section(&format!(
        "Last {}: {} → {}",
        span(r.window.since_seconds),
        when(r.window.start),
        when(r.window.end)
    ));
    let fields: Vec<String> = r
        .clusters
        .iter()
        .map(|c| match (&c.score, &c.error) {
            (_, Some(e)) => format!("*{}*\nunreadable: {}", esc(&c.name), esc(e)),
            (Some(s), None) => {
                let (ready, total) = pods_ready(c);
                format!(
                    "*{}*\n{} ({}) · {ready}/{total} pods ready · {} · {} rollout(s)",
                    esc(&c.name),
                    s.grade,
                    s.score,
                    issue_counts(c),
                    c.deployments.len()
                )
            }
            (None, None) => format!("*{}*", esc(&c.name)),
        })
        .collect();
    m = m.fields(&fields);
    if let Some(d) = &r.since_previous {
        let mut text = format!(
            "*Since the previous report* ({}): {} new, {} resolved, {} still open",
            when(d.previous_generated_at),
            d.new.len(),
            d.resolved.len(),
            d.ongoing
        );
        for i in d.new.iter().take(LISTED) {
            text.push_str(&format!(
                "\n• new {} `{}` {} ({}): {}",
                i.severity,
                i.category,
                esc(&i.subject.to_string()),
                esc(&i.cluster),
                esc(&i.cause)
            ));
        }
        for i in d.resolved.iter().take(LISTED) {
            text.push_str(&format!(
                "\n• resolved `{}` {} ({})",
                i.category,
                esc(&i.subject.to_string()),
                esc(&i.cluster)
            ));
        }
        m = m.divider().section(&text);
    }
    let critical: Vec<_> = r
        .clusters
        .iter()
        .flat_map(|c| c.issues.iter().map(move |i| (c, i)))
        .filter(|(_, i)| i.severity == Severity::Critical)
        .collect();
    if !critical.is_empty() {
        let mut text = format!("*Critical issues* ({})", critical.len());
        for (c, i) in critical.iter().take(LISTED) {
            text.push_str(&format!(
                "\n• `{}` {} ({}): {}",
                i.category,
                esc(&i.subject.to_string()),
                esc(&c.name),
                esc(&i.cause)
            ));
        }
        if critical.len() > LISTED {
            text.push_str(&format!(
                "\n…and {} more in the report",
                critical.len() - LISTED
            ));
        }
        m = m.divider().section(&text);
    }
    let ci = match (r.ci.available, r.ci.failed) {
        (false, _) => "CI: no CI data".to_string(),
        (true, 0) => format!("CI: {} run(s), none failed", r.ci.total),
        (true, n) => format!("CI: {} run(s), {n} failed", r.ci.total),
    };
    let recommendations: usize = r.clusters.iter().map(|c| c.recommendations.len()).sum();
    m.context(&format!(
        "{ci} · {recommendations} recommendation(s) · k8sops {}",
        r.version
    ))
}
