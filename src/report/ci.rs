//! CI runs in the window: counts, failures with links, durations.
//!
//! The report takes runs through its own small [`CiRun`] so it does not depend on how the
//! CI source models GitHub Actions; whoever holds runs maps them onto it. Without runs the
//! section says so and how to get them — it never invents any.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::model::Window;

/// What the section says when the report was built without CI runs.
pub const NO_CI_DATA: &str = "no CI data: this report was built without GitHub Actions runs; \
they appear here once the snapshot carries them (GitHub Actions collection with a token from \
GITHUB_TOKEN, GH_TOKEN or `gh auth token`)";

/// One workflow run, as the report needs it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CiRun {
    pub workflow: String,
    /// `queued`, `in_progress`, `completed`.
    pub status: String,
    /// For completed runs: `success`, `failure`, `cancelled`, `timed_out`, `skipped`, …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration_seconds: Option<u64>,
    /// The head commit SHA.
    pub commit: String,
    pub branch: String,
    pub actor: String,
    /// The run's page.
    pub url: String,
    pub started_at: jiff::Timestamp,
}

impl From<&crate::model::ci::RunSummary> for CiRun {
    fn from(r: &crate::model::ci::RunSummary) -> Self {
        CiRun {
            workflow: r.workflow_file.clone(),
            status: r.status.to_string(),
            conclusion: r.conclusion.as_ref().map(ToString::to_string),
            duration_seconds: r.duration,
            commit: r.commit.clone(),
            branch: r.branch.clone().unwrap_or_default(),
            actor: r.actor.clone().unwrap_or_default(),
            url: r.url.clone(),
            started_at: r.started_at.unwrap_or(r.created_at),
        }
    }
}

impl CiRun {
    fn finished(&self) -> bool {
        self.status == "completed"
    }

    fn failed(&self) -> bool {
        matches!(
            self.conclusion.as_deref(),
            Some("failure" | "timed_out" | "startup_failure")
        )
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CiSection {
    /// False when the report had no CI data; `note` says how to get it.
    pub available: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    pub total: usize,
    pub succeeded: usize,
    pub failed: usize,
    pub cancelled: usize,
    pub in_progress: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_duration_seconds: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub longest: Option<CiRun>,
    pub workflows: Vec<WorkflowSummary>,
    /// Failed runs, newest first.
    pub failures: Vec<CiRun>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WorkflowSummary {
    pub workflow: String,
    pub runs: usize,
    pub failed: usize,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub median_duration_seconds: Option<u64>,
}

/// The section for the runs started in `window`; `None` means no CI data at all.
pub fn section(runs: Option<&[CiRun]>, window: &Window) -> CiSection {
    let Some(runs) = runs else {
        return CiSection {
            note: Some(NO_CI_DATA.into()),
            ..CiSection::default()
        };
    };
    let runs: Vec<&CiRun> = runs
        .iter()
        .filter(|r| window.contains(r.started_at))
        .collect();
    let mut failures: Vec<CiRun> = runs
        .iter()
        .filter(|r| r.failed())
        .map(|r| (*r).clone())
        .collect();
    failures.sort_by_key(|r| std::cmp::Reverse(r.started_at));
    let mut by_workflow: BTreeMap<&str, Vec<&CiRun>> = BTreeMap::new();
    for r in &runs {
        by_workflow.entry(&r.workflow).or_default().push(r);
    }
    CiSection {
        available: true,
        note: runs
            .is_empty()
            .then(|| "no runs started in the window".to_string()),
        total: runs.len(),
        succeeded: runs
            .iter()
            .filter(|r| r.conclusion.as_deref() == Some("success"))
            .count(),
        failed: failures.len(),
        cancelled: runs
            .iter()
            .filter(|r| r.conclusion.as_deref() == Some("cancelled"))
            .count(),
        in_progress: runs.iter().filter(|r| !r.finished()).count(),
        median_duration_seconds: median(
            runs.iter()
                .filter(|r| r.finished())
                .filter_map(|r| r.duration_seconds),
        ),
        longest: runs
            .iter()
            .filter(|r| r.duration_seconds.is_some())
            .max_by_key(|r| r.duration_seconds)
            .map(|r| (*r).clone()),
        workflows: by_workflow
            .into_iter()
            .map(|(workflow, rs)| WorkflowSummary {
                workflow: workflow.to_string(),
                runs: rs.len(),
                failed: rs.iter().filter(|r| r.failed()).count(),
                median_duration_seconds: median(
                    rs.iter()
                        .filter(|r| r.finished())
                        .filter_map(|r| r.duration_seconds),
                ),
            })
            .collect(),
        failures,
    }
}

/// The median, the lower of the two middle values for an even count.
fn median(values: impl Iterator<Item = u64>) -> Option<u64> {
    let mut v: Vec<u64> = values.collect();
    v.sort_unstable();
    v.get(v.len().checked_sub(1)? / 2).copied()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn medians_take_the_lower_middle() {
        assert_eq!(median([30, 10, 20].into_iter()), Some(20));
        assert_eq!(median([40, 10, 30, 20].into_iter()), Some(20));
        assert_eq!(median(std::iter::empty()), None);
    }

    fn runs() -> Vec<CiRun> {
        let path =
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/report/ci-runs.json");
        serde_json::from_str(&std::fs::read_to_string(path).expect("fixture")).expect("runs")
    }

    #[test]
    fn runs_in_the_window_are_counted_and_failures_linked() {
        let end: jiff::Timestamp = "2026-11-23T09:20:00Z".parse().expect("ts");
        let w = Window {
            since_seconds: 86_400,
            start: end - jiff::SignedDuration::from_hours(24),
            end,
        };
        let s = section(Some(&runs()), &w);
        // The failure of 2026-11-20 is older than the window.
        assert_eq!(
            (s.total, s.succeeded, s.failed, s.cancelled, s.in_progress),
            (5, 2, 1, 1, 1)
        );
        // Completed: 31, 198, 305, 412 → the lower middle.
        assert_eq!(s.median_duration_seconds, Some(198));
        assert_eq!(s.failures[0].branch, "feature/checkout-redesign");
        assert_eq!(
            s.longest.as_ref().map(|r| r.duration_seconds),
            Some(Some(412))
        );
        let ci = &s.workflows[0];
        assert_eq!((ci.workflow.as_str(), ci.runs, ci.failed), ("ci", 3, 1));

        let report = crate::report::build(crate::report::Input {
            clusters: Vec::new(),
            ci_runs: Some(&runs()),
            since: std::time::Duration::from_secs(86_400),
            config: &crate::report::ReportConfig::default(),
            now: end,
        });
        let md = crate::report::markdown(&report);
        assert!(
            md.contains(
                "5 runs: 2 succeeded, 1 failed, 1 cancelled, 1 in progress; median duration 3m 18s."
            ),
            "{md}"
        );
        assert!(md.contains("- [ci on feature/checkout-redesign](https://github.com/acme/shop/actions/runs/11872654) — failure at `3c4d5e6` by bob"), "{md}");
        let html = crate::report::html(&report);
        assert!(html.contains(r#"<a href="https://github.com/acme/shop/actions/runs/11872654">ci on feature/checkout-redesign</a>"#), "{html}");
    }

    #[test]
    fn without_runs_the_section_says_how_to_get_them() {
        let t: jiff::Timestamp = "2026-11-23T09:00:00Z".parse().expect("ts");
        let w = Window {
            since_seconds: 3600,
            start: t,
            end: t,
        };
        let s = section(None, &w);
        assert!(!s.available && s.total == 0);
        assert!(
            s.note
                .as_deref()
                .is_some_and(|n| n.contains("GITHUB_TOKEN"))
        );
    }
}
