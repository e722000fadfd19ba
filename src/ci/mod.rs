//! CI logs: reading a failed job's log — GitHub Actions' or any other CI's — into the
//! [`crate::model::ci::Failure`] a run carries: the failing step, the error that caused the
//! failure and the wrappers it led to, the kind of failure, and what is new since a passing
//! log of the same job.
//!
//! The run model lives in [`crate::model::ci`]; the REST calls and collection in
//! [`crate::source::ci`]; CI findings and the cluster↔CI join in `analyze` (`ci_rules`,
//! `commits`, `ci_correlation`); the `ci` commands in `cmd::ci`.
//!
//! # The run model (stable JSON, `k8sops/v1`, in `model::ci`)
//!
//! - [`RunSummary`](crate::model::ci::RunSummary) — one workflow run: `id`, `number` (`#812`), `attempt`, `workflow`
//!   (name), `workflow_file` (`deploy.yml`), `title`, `event`, `status` (`Status`:
//!   `queued`, `in_progress`, `completed`, …), `conclusion` (`Conclusion`: `success`,
//!   `failure`, `cancelled`, `timed_out`, …; absent while running), `commit` (full SHA),
//!   `branch`, `actor`, `url`, `created_at`, `started_at`, `updated_at`, `duration`
//!   (seconds, completed runs only) and, for runs k8sops looked into, `jobs`.
//! - `JobSummary` / `StepSummary` — a job with its steps, and the `Failure` its log
//!   shows: the failing `step`, the `first_error` line, the runner's `summary`, failing
//!   `tests`, `exit_code`, `tool`, `empty_secrets` and the sanitized error `excerpt`.
//! - `FailureKind` — the `ci-failure` sub-kinds: `test`, `build`, `dependency`, `lint`,
//!   `deploy`, `infrastructure` (timeouts, cancellations, lost runners, a full disk, out of
//!   memory), `secret-permission` (a missing secret or a token without a permission),
//!   `unknown`.
//! - `CiRuns` — what a [`crate::model::Snapshot`] carries in `ci` and a bundle in
//!   `ci/runs.json`: the runs of one repository that match the commits of its workloads.
//!
//! `ci runs -o json` prints `{"apiVersion": "k8sops/v1", "kind": "WorkflowRunList",
//! "repo": "OWNER/NAME", "items": [RunSummary…]}`.
//!
//! # Pieces
//!
//! - `lines`: a log as lines without the runner's decoration; `log` + `signals`: one pass
//!   over it → the steps and every line that says something about a failure; `cause`: the
//!   cause in the failing step, its block, the consequences; `diff`: the comparison with a
//!   passing log; `classify`: the kind; `failure`: that report, sanitized, as a `Failure`;
//!   `archive`: job logs out of a run's zip.

pub mod archive;
mod cause;
pub mod classify;
pub mod diff;
pub mod failure;
pub mod lines;
pub mod log;
mod signals;
