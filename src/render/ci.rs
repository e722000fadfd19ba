//! Views of the run model: the `ci runs` table and JSON list, and the error regions that
//! `ci diagnose` prints under the diagnosis (which itself renders like `diagnose`).

use std::fmt::Write as _;

use serde::Serialize;

use crate::model::age;
use crate::model::ci::{Conclusion, LogSource, RunSummary, Status};

/// `ci runs -o json`.
#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunList<'a> {
    pub api_version: &'static str,
    pub kind: &'static str,
    pub repo: &'a str,
    pub items: &'a [RunSummary],
}

pub fn runs_json(repo: &str, runs: &[RunSummary]) -> String {
    let list = RunList {
        api_version: "k8sops/v1",
        kind: "WorkflowRunList",
        repo,
        items: runs,
    };
    // Plain data with string keys always serializes.
    serde_json::to_string_pretty(&list).unwrap_or_default() + "\n"
}

/// `4m12s`, `58s`, `1h02m`.
pub fn duration(secs: u64) -> String {
    match secs {
        s if s < 60 => format!("{s}s"),
        s if s < 3600 => format!("{}m{:02}s", s / 60, s % 60),
        s => format!("{}h{:02}m", s / 3600, (s % 3600) / 60),
    }
}

/// The table `ci runs` prints, aligned, newest first, failures in red when `color`.
pub fn runs_table(runs: &[RunSummary], now: jiff::Timestamp, color: bool) -> String {
    let header = [
        "ID",
        "WORKFLOW",
        "BRANCH",
        "COMMIT",
        "ACTOR",
        "STATUS",
        "CONCLUSION",
        "DURATION",
        "STARTED",
        "URL",
    ];
    let rows: Vec<[String; 10]> = runs
        .iter()
        .map(|r| {
            [
                r.id.to_string(),
                r.label(),
                r.branch.clone().unwrap_or_else(|| "-".into()),
                r.short_commit().to_string(),
                r.actor.clone().unwrap_or_else(|| "-".into()),
                r.status.to_string(),
                r.conclusion
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_else(|| "-".into()),
                r.duration.map(duration).unwrap_or_else(|| "-".into()),
                format!("{} ago", age(now, r.started_at.unwrap_or(r.created_at))),
                r.url.clone(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: [&str; 10], paint: Option<&str>| {
        for (i, cell) in cells.iter().enumerate() {
            let last = i == cells.len() - 1;
            let pad = if last {
                0
            } else {
                widths[i] - cell.chars().count() + 2
            };
            match (i, paint) {
                (6, Some(code)) => {
                    let _ = write!(out, "\x1b[{code}m{cell}\x1b[0m{:pad$}", "");
                }
                _ => {
                    let _ = write!(out, "{cell}{:pad$}", "");
                }
            }
        }
        out.push('\n');
    };
    line(&mut out, header, None);
    for (run, row) in runs.iter().zip(&rows) {
        let paint = color.then(|| match (&run.status, &run.conclusion) {
            (_, Some(Conclusion::Success)) => "32",
            (_, Some(c)) if c.is_failure() => "31",
            (Status::Completed, _) => "2",
            _ => "33",
        });
        line(&mut out, row.each_ref().map(String::as_str), paint);
    }
    out
}

/// The error region of each failed job whose log was read, as an indented block: the
/// cause, the consequences under it, and what is new since the passing log.
pub fn error_regions(run: &RunSummary) -> String {
    let mut out = String::new();
    for job in run.failed_jobs() {
        let Some(f) = &job.failure else { continue };
        if f.excerpt.is_empty() && f.consequences.is_empty() {
            continue;
        }
        let at = f
            .first_error_line
            .map(|n| format!(", line {n}"))
            .unwrap_or_default();
        let step = f
            .step
            .as_deref()
            .map(|s| format!(" at step \"{s}\""))
            .unwrap_or_default();
        let _ = match f.source {
            LogSource::JobLog => writeln!(out, "\nlog of job {}{step} (job log{at}):", job.name),
            LogSource::RunArchive => {
                writeln!(
                    out,
                    "\nlog of job {}{step} (run log archive{at}):",
                    job.name
                )
            }
            LogSource::File => match f.first_error_line {
                Some(n) => writeln!(out, "\nlog {}{step} (line {n}):", job.name),
                None => writeln!(out, "\nlog {}{step}:", job.name),
            },
        };
        for l in &f.excerpt {
            let _ = writeln!(out, "  │ {l}");
        }
        for l in &f.consequences {
            let _ = writeln!(out, "  └ then: {l}");
        }
        if let Some(against) = &f.compared_with {
            match f.new_lines.is_empty() {
                true => {
                    let _ = writeln!(out, "\nno line of the failing step is new since {against}");
                }
                false => {
                    let _ = writeln!(out, "\nnew since {against}:");
                    for l in &f.new_lines {
                        let _ = writeln!(out, "  + {l}");
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_read_like_gh() {
        assert_eq!(duration(58), "58s");
        assert_eq!(duration(252), "4m12s");
        assert_eq!(duration(3720), "1h02m");
    }
}
