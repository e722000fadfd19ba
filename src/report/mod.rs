//! The daily health report (`k8sops report daily`): one [`Report`] built from snapshots
//! (one per cluster), CI runs and metrics when there are any, then rendered by separate
//! writers — Markdown (the default), a self-contained HTML page, JSON, a Slack summary and
//! GitHub issue bodies. Building is pure; `daily` holds the command's effects (collection,
//! files, publishing).
//!
//! Sections: status per namespace (`status`), a health score and grade (`score`, shared
//! with the TUI), issues in the window (`issues`), rollouts in the window (`rollouts`), CI
//! runs (`ci`), resource use (`resources`), recommendations with their arithmetic
//! (`recommend`), and what changed since a previous report (`previous`).

pub mod ci;
mod config;
mod format;
mod html;
mod issue_text;
pub mod issues;
mod markdown;
pub mod model;
pub mod previous;
mod recommend;
mod resources;
mod rollouts;
pub mod score;
mod slack;
mod status;
mod svg;
pub mod workloads;

use std::time::Duration;

pub use ci::CiRun;
pub use config::ReportConfig;
pub use html::html;
pub use issue_text::drafts as issue_drafts;
pub use markdown::markdown;
pub use model::{ClusterReport, Report, Window};
pub use score::{Score, grade, health};
pub use slack::slack_message;

use crate::model::Snapshot;
use crate::sanitize::Sanitizer;

/// One cluster to report on: its snapshot, or why it could not be read.
pub struct ClusterInput {
    pub name: String,
    pub snapshot: std::result::Result<Snapshot, String>,
}

/// Everything a report is built from.
pub struct Input<'a> {
    pub clusters: Vec<ClusterInput>,
    /// `None`: no CI data (the section says how to get it).
    pub ci_runs: Option<&'a [CiRun]>,
    /// `--since`.
    pub since: Duration,
    pub config: &'a ReportConfig,
    /// When the clusters could not be read at all, the window ends now.
    pub now: jiff::Timestamp,
}

/// Builds the report. The window ends at the newest capture time (so a report of a bundle
/// is the same whenever it is built) and starts `since` before.
pub fn build(input: Input<'_>) -> Report {
    let window = window(&input.clusters, input.since, input.now);
    let several = input.clusters.len() > 1;
    let mut warnings = Vec::new();
    let clusters: Vec<ClusterReport> = input
        .clusters
        .into_iter()
        .map(|c| {
            let report = cluster(c, &window, input.config);
            for w in &report.warnings {
                warnings.push(match several {
                    true => format!("{}: {w}", report.name),
                    false => w.clone(),
                });
            }
            report
        })
        .collect();
    Report {
        api_version: model::API_VERSION.into(),
        kind: model::KIND.into(),
        version: env!("CARGO_PKG_VERSION").into(),
        generated_at: window.end,
        window,
        score: Score::combine(clusters.iter().filter_map(|c| c.score.as_ref())),
        ci: ci::section(input.ci_runs, &window),
        clusters,
        since_previous: None,
        warnings,
    }
}

/// The report's window: it ends at the newest capture time (`now` when no cluster could be
/// read) and starts `since` before.
pub fn window(clusters: &[ClusterInput], since: Duration, now: jiff::Timestamp) -> Window {
    let end = clusters
        .iter()
        .filter_map(|c| c.snapshot.as_ref().ok().map(|s| s.meta.captured_at))
        .max()
        .unwrap_or(now);
    let since = since.as_secs();
    let start = end
        .checked_sub(jiff::SignedDuration::from_secs(
            since.min(i64::MAX as u64) as i64
        ))
        .unwrap_or(jiff::Timestamp::MIN);
    Window {
        since_seconds: since,
        start,
        end,
    }
}

fn cluster(input: ClusterInput, window: &Window, config: &ReportConfig) -> ClusterReport {
    let ClusterInput { name, snapshot } = input;
    let snapshot = match snapshot {
        Ok(snapshot) => snapshot,
        Err(error) => {
            return ClusterReport {
                name,
                server_version: None,
                scope: String::new(),
                captured_at: window.end,
                warnings: vec![error.clone()],
                error: Some(error),
                score: None,
                namespaces: Vec::new(),
                issues: Vec::new(),
                issues_outside_window: 0,
                deployments: Vec::new(),
                resources: Default::default(),
                recommendations: Vec::new(),
            };
        }
    };
    let list = crate::rca::run(&snapshot);
    let (issues, outside) = issues::issues(&name, &list.items, window);
    ClusterReport {
        score: Some(health(&snapshot, &list.items)),
        server_version: snapshot.meta.server_version.clone(),
        scope: snapshot.meta.scope.describe(),
        captured_at: snapshot.meta.captured_at,
        error: None,
        namespaces: status::namespaces(&snapshot),
        issues,
        issues_outside_window: outside,
        deployments: rollouts::rollouts(&snapshot, &list.items, window),
        resources: resources::resources(&snapshot),
        recommendations: recommend::recommendations(&snapshot, config),
        warnings: snapshot.warnings.clone(),
        name,
    }
}

/// The report with every string through the sanitizer (evidence quotes log lines, which
/// may hold secrets). Renderers then escape placeholders like any other text.
pub fn sanitized(report: &Report, sanitizer: &Sanitizer) -> crate::Result<Report> {
    let fail = |message: String| crate::Error::Sanitize {
        what: "the report".into(),
        message,
    };
    let mut value = serde_json::to_value(report).map_err(|e| fail(e.to_string()))?;
    sanitizer
        .sanitize_json(&mut value)
        .map_err(|e| fail(e.to_string()))?;
    serde_json::from_value(value).map_err(|e| fail(e.to_string()))
}

/// The JSON document, pretty-printed.
pub fn json(report: &Report) -> String {
    // Plain data with string keys always serializes.
    serde_json::to_string_pretty(report).unwrap_or_default() + "\n"
}
