//! Joining CI runs into a snapshot (`diagnose`, `snapshot`, `mcp`) and listing a report's
//! window of runs (`report daily`): which repository, whether a token is at hand, and how
//! long to wait. Problems become warnings; joining never fails the command.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Duration;

use super::repo::{self, Repo, RepoOrigin};
use super::{Actions, CiConfig, Notify, RunFilter, collect};
use std::sync::Arc;

use crate::github::{Connect, Github};
use crate::model::Snapshot;
use crate::model::ci::RunSummary;
use crate::sanitize::Sanitizer;

/// Runs of a report's window listed at most.
const WINDOW_RUNS: usize = 300;

/// What CI collection needs, handed down by the command layer.
#[derive(Clone)]
pub struct Join {
    /// The repository named on the command line (`--ci-repo`). A bundle keeps the runs it
    /// was written with unless one is named.
    pub repo: Option<(String, String)>,
    pub config: CiConfig,
    /// The GitHub API base, to tell whether the directory's remote lives there.
    pub api_url: String,
    /// A client, asked for only when there is something to join.
    pub github: Connect,
    pub sanitizer: Arc<Sanitizer>,
    /// The whole collection's deadline; a rate limit is waited out no longer.
    pub timeout: Duration,
    /// Where notices go while work goes on ("waiting 42s for the rate limit").
    pub notify: fn(&str),
    /// The commit prefixes to look for: those the snapshot's failing workloads carry
    /// (`analyze::commits::wanted`, which the command layer hands down).
    pub wanted: fn(&Snapshot) -> BTreeSet<String>,
}

impl Join {
    fn explicit(&self) -> bool {
        self.repo.is_some()
    }

    fn resolve(&self) -> Option<Repo> {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        repo::resolve(self.repo.as_ref(), &self.config, &self.api_url, &cwd)
    }

    fn actions(&self, gh: Github, repo: &Repo) -> Actions {
        let notify: Notify = Box::new(self.notify);
        Actions::new(
            gh,
            &repo.owner,
            &repo.name,
            self.config.rate_limit_wait().min(self.timeout),
            notify,
        )
    }
}

/// Joins the runs of the commits that `snapshot`'s failing workloads carry, when a
/// repository is known (`--ci-repo`, `[ci] repo`, or — for a live cluster — the directory's
/// git remote) and a token is available. `bundle` says the snapshot was read from disk.
pub async fn attach(snapshot: &mut Snapshot, join: &Join, bundle: bool) {
    // Nothing to join (the common case) costs no git and no network.
    let wanted = (join.wanted)(snapshot);
    if (bundle && !join.explicit()) || wanted.is_empty() {
        return;
    }
    let Some(repo) = join.resolve() else {
        return;
    };
    let gh = match (join.github)() {
        Ok(gh) => gh,
        Err(e) => {
            // An inferred repository without a token is the normal offline case: stay quiet.
            if repo.origin != RepoOrigin::Remote {
                snapshot
                    .warnings
                    .push(format!("ci: CI runs of {repo} not collected: {e}"));
            }
            return;
        }
    };
    let api = join.actions(gh, &repo);
    let mut warnings = Vec::new();
    let collected = tokio::time::timeout(
        join.timeout,
        collect(&api, wanted, &join.sanitizer, &mut warnings),
    )
    .await;
    match collected {
        Ok(Ok(Some(ci))) => snapshot.ci = Some(ci),
        Ok(Ok(None)) => {}
        Ok(Err(e)) => warnings.push(format!("CI runs of {repo} not collected: {e}")),
        Err(_) => warnings.push(format!(
            "CI runs of {repo} not collected: gave up after {}s (--timeout)",
            join.timeout.as_secs()
        )),
    }
    snapshot
        .warnings
        .extend(warnings.into_iter().map(|w| format!("ci: {w}")));
}

/// The workflow runs created since `start`, for `report daily`: of the named repository,
/// else `[ci] repo` / `K8SOPS_CI_REPO`, else — unless the report reads a bundle — the
/// current directory's git remote. `Ok(None)`: no repository is known, or only an inferred
/// one and no token (the quiet offline case). An error is a warning for the report.
pub async fn window_runs(
    join: &Join,
    bundle: bool,
    start: jiff::Timestamp,
) -> std::result::Result<Option<(String, Vec<RunSummary>)>, String> {
    if bundle && !join.explicit() {
        return Ok(None);
    }
    let Some(repo) = join.resolve() else {
        return Ok(None);
    };
    let gh = match (join.github)() {
        Ok(gh) => gh,
        Err(_) if repo.origin == RepoOrigin::Remote => return Ok(None),
        Err(e) => return Err(format!("CI runs of {repo} not listed: {e}")),
    };
    let api = join.actions(gh, &repo);
    let filter = RunFilter {
        created: Some(format!(">={start}")),
        limit: WINDOW_RUNS,
        ..RunFilter::default()
    };
    match tokio::time::timeout(join.timeout, api.runs(&filter)).await {
        Ok(Ok(mut runs)) => {
            // GitHub filters by date already; a server that does not must not widen the window.
            runs.retain(|r| r.created_at >= start);
            Ok(Some((repo.to_string(), runs)))
        }
        Ok(Err(e)) => Err(format!("CI runs of {repo} not listed: {e}")),
        Err(_) => Err(format!(
            "CI runs of {repo} not listed: gave up after {}s (--timeout)",
            join.timeout.as_secs()
        )),
    }
}
