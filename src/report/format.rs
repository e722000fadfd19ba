//! Words and numbers the report writers share, so Markdown, HTML and Slack say the same.

use super::model::{Amount, ClusterReport, Report, Rollout};
use crate::analyze::Severity;
use crate::analyze::changes::ChangeRecord;

/// `2026-11-23 09:20 UTC`.
pub fn when(t: jiff::Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M UTC").to_string()
}

/// `24h`, `7d`, `90m`, `45s`.
pub fn span(seconds: u64) -> String {
    match seconds {
        s if s >= 172_800 && s % 86_400 == 0 => format!("{}d", s / 86_400),
        s if s >= 3600 && s % 3600 == 0 => format!("{}h", s / 3600),
        s if s >= 60 && s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// `3m 12s`, `45s`, `1h 02m`.
pub fn duration(seconds: u64) -> String {
    match seconds {
        s if s >= 3600 => format!("{}h {:02}m", s / 3600, (s % 3600) / 60),
        s if s >= 60 => format!("{}m {:02}s", s / 60, s % 60),
        s => format!("{s}s"),
    }
}

/// `250m` below a core, else cores: `1`, `1.5`, `3.92`.
pub fn cpu(millicores: u64) -> String {
    match millicores {
        0 => "0".into(),
        m if m < 1000 => format!("{m}m"),
        m => {
            let cores = format!("{:.2}", m as f64 / 1000.0);
            cores
                .trim_end_matches('0')
                .trim_end_matches('.')
                .to_string()
        }
    }
}

pub fn memory(bytes: u64) -> String {
    crate::model::quantity::format_bytes(bytes as f64)
}

/// `1200m / 4 (30%)`.
pub fn share(used: u64, of: u64, unit: fn(u64) -> String) -> String {
    match of {
        0 => unit(used),
        _ => format!(
            "{} / {} ({:.0}%)",
            unit(used),
            unit(of),
            used as f64 * 100.0 / of as f64
        ),
    }
}

pub fn cpu_share(a: &Amount, of: &Amount) -> String {
    share(a.cpu_millicores, of.cpu_millicores, cpu)
}

pub fn memory_share(a: &Amount, of: &Amount) -> String {
    share(a.memory_bytes, of.memory_bytes, memory)
}

/// Ready pods over pods, summed over namespaces.
pub fn pods_ready(c: &ClusterReport) -> (usize, usize) {
    c.namespaces
        .iter()
        .fold((0, 0), |(r, t), n| (r + n.pods_ready, t + n.pods_total))
}

/// `1 critical, 2 warning` or `none`.
pub fn issue_counts(c: &ClusterReport) -> String {
    counts_by_severity(c.issues.iter().map(|i| i.severity))
}

pub fn counts_by_severity(severities: impl Iterator<Item = Severity>) -> String {
    let mut n = [0usize; 3];
    for s in severities {
        n[s as usize] += 1;
    }
    let parts: Vec<String> = [Severity::Critical, Severity::Warning, Severity::Info]
        .into_iter()
        .filter(|s| n[*s as usize] > 0)
        .map(|s| format!("{} {s}", n[s as usize]))
        .collect();
    match parts.is_empty() {
        true => "none".into(),
        false => parts.join(", "),
    }
}

/// The one-line headline: `B (84/100) · last 24h · 2 clusters · 1 critical`.
pub fn headline(r: &Report) -> String {
    let clusters = match r.clusters.len() {
        1 => "1 cluster".to_string(),
        n => format!("{n} clusters"),
    };
    let issues = counts_by_severity(
        r.clusters
            .iter()
            .flat_map(|c| &c.issues)
            .map(|i| i.severity),
    );
    let issues = match issues.as_str() {
        "none" => "no issues".to_string(),
        s => s.to_string(),
    };
    format!(
        "{} ({}/100) · last {} · {clusters} · {issues}",
        r.score.grade,
        r.score.score,
        span(r.window.since_seconds)
    )
}

/// `containers[web].image: a → b`.
pub fn change(c: &ChangeRecord) -> String {
    format!(
        "{}: {} → {}",
        c.field,
        c.from.as_deref().unwrap_or("(none)"),
        c.to.as_deref().unwrap_or("(none)")
    )
}

/// What a rollout changed, in one line.
pub fn rollout_changes(r: &Rollout) -> String {
    match r.changes.len() {
        0 => "no template change recorded".into(),
        _ => r.changes.iter().map(change).collect::<Vec<_>>().join("; "),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spans_and_durations_read_like_flags() {
        assert_eq!(span(86_400), "24h");
        assert_eq!(span(7 * 86_400), "7d");
        assert_eq!(span(24 * 3600 + 3600), "25h");
        assert_eq!(span(90 * 60), "90m");
        assert_eq!(duration(192), "3m 12s");
        assert_eq!(duration(3720), "1h 02m");
        assert_eq!(share(1200, 4000, cpu), "1.2 / 4 (30%)");
        assert_eq!(share(250, 3920, cpu), "250m / 3.92 (6%)");
        assert_eq!(cpu(0), "0");
    }
}
