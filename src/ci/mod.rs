//! CI: GitHub Actions failures, and their link to what runs in the cluster.
//!
//! This module owns the run model and everything pure about it; the REST calls live in
//! [`crate::source::ci`], the cluster↔CI join in `analyze::ci_correlation`.
//!
//! # The run model (stable JSON, `k8sops/v1`)
//!
//! - [`RunSummary`] — one workflow run: `id`, `number` (`#812`), `attempt`, `workflow`
//!   (name), `workflow_file` (`deploy.yml`), `title`, `event`, `status` ([`Status`]:
//!   `queued`, `in_progress`, `completed`, …), `conclusion` ([`Conclusion`]: `success`,
//!   `failure`, `cancelled`, `timed_out`, …; absent while running), `commit` (full SHA),
//!   `branch`, `actor`, `url`, `created_at`, `started_at`, `updated_at`, `duration`
//!   (seconds, completed runs only) and, for runs k8sops looked into, `jobs`.
//! - [`JobSummary`] / [`StepSummary`] — a job with its steps, and the [`Failure`] its log
//!   shows: the failing `step`, the `first_error` line, the runner's `summary`, failing
//!   `tests`, `exit_code`, `tool`, `empty_secrets` and the sanitized error `excerpt`.
//! - [`FailureKind`] — the `ci-failure` sub-kinds: `test`, `build`, `lint`, `deploy`,
//!   `infrastructure` (timeouts, cancellations, lost runners), `secret-permission` (a missing
//!   secret or a token without a permission), `unknown`.
//! - [`CiRuns`] — what a [`crate::model::Snapshot`] carries in `ci` and a bundle in
//!   `ci/runs.json`: the runs of one repository that match the commits of its workloads.
//!
//! `ci runs -o json` prints `{"apiVersion": "k8sops/v1", "kind": "WorkflowRunList",
//! "repo": "OWNER/NAME", "items": [RunSummary…]}`.
//!
//! # Pieces
//!
//! - `log` + `signals`: one pass over a job log → the failing step, the error region;
//!   `classify`: the kind; `failure`: that report, sanitized, as a [`Failure`]; `archive`: job logs out of
//!   a run's zip.
//! - `rules`: failed runs → `ci-failure` findings that `rca` ranks into a `DiagnosisList`.
//! - `commits`: the commit SHAs a workload carries (image tag, labels, annotations).
//! - `repo`: which repository (`--repo`, `[ci] repo`, the git remote of the directory).
//! - `render` and `command`: the `ci runs` / `ci diagnose` commands, and CI collection for
//!   `diagnose` and `snapshot`.

pub mod archive;
pub mod classify;
pub mod command;
pub mod commits;
pub mod failure;
pub mod log;
pub mod render;
pub mod repo;
pub mod rules;
mod run;
mod signals;

use serde::{Deserialize, Serialize};

pub use run::{
    CiRuns, Conclusion, Failure, FailureKind, JobSummary, LogSource, RunSummary, Status,
    StepSummary,
};

use crate::config::Env;

/// Seconds a rate limit is waited out by default before giving up.
pub const DEFAULT_RATE_LIMIT_WAIT: u64 = 60;

/// The `[ci]` table of the config file.
///
/// ```toml
/// [ci]
/// repo = "acme/shop"        # default for --repo (else the git remote of the directory)
/// rate_limit_wait = 60      # seconds to wait for a GitHub rate limit to reset, at most
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct CiConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rate_limit_wait: Option<u64>,
}

impl CiConfig {
    /// `K8SOPS_CI_REPO` overrides the file.
    pub fn apply_env(&mut self, env: &Env<'_>) {
        if let Some(repo) = env.get("K8SOPS_CI_REPO") {
            self.repo = Some(repo);
        }
    }

    /// Checks that `repo` is `OWNER/NAME`.
    pub fn validate(&self) -> Result<(), String> {
        match &self.repo {
            Some(r) => crate::github::parse_repo(r)
                .map(|_| ())
                .map_err(|e| format!("[ci] repo: {e}")),
            None => Ok(()),
        }
    }

    pub fn rate_limit_wait(&self) -> std::time::Duration {
        std::time::Duration::from_secs(self.rate_limit_wait.unwrap_or(DEFAULT_RATE_LIMIT_WAIT))
    }
}
