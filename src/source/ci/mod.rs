//! GitHub Actions over REST (octocrab, any base URL incl. Enterprise `…/api/v3`): workflow
//! runs, their jobs and steps, job logs (`…/jobs/ID/logs`, a 302 to blob storage that the
//! client follows) and run log archives. Answers become the run model of [`crate::ci`].
//!
//! Rate limits are waited out when the reset is near (`[ci] rate_limit_wait`, 60 s by
//! default) with a notice saying how long; beyond that the error says when the limit
//! resets. What to fetch for a snapshot or a diagnosis is in `collect`.

mod api;
pub mod collect;
mod join;
pub mod repo;

use std::time::Duration;

use http_body_util::BodyExt as _;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::env::Env;
use crate::error::{Error, Result};
use crate::github::Github;
use crate::model::ci::{JobSummary, RunSummary};

pub use collect::{collect, fetch_failures, fetch_failures_compared};
pub use join::{Join, attach, window_runs};
pub use repo::{Repo, RepoOrigin};

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

/// A notice for the user while work goes on ("waiting 42s for the rate limit").
pub type Notify = Box<dyn Fn(&str) + Send + Sync>;

/// Retries after a rate limit, at most.
const RATE_LIMIT_RETRIES: usize = 2;
/// Pages of runs read at most (100 runs each).
const MAX_PAGES: usize = 10;

/// Which runs to list.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct RunFilter {
    /// A workflow file (`deploy.yml`) or id.
    #[serde(skip)]
    pub workflow: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// `failure`, `success`, `in_progress`, … as GitHub filters them.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_sha: Option<String>,
    /// GitHub's date filter, e.g. `>=2026-11-30T08:00:00Z`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<String>,
    /// Runs wanted at most.
    #[serde(skip)]
    pub limit: usize,
}

/// The Actions API of one repository.
pub struct Actions {
    gh: Github,
    owner: String,
    name: String,
    max_wait: Duration,
    notify: Notify,
}

impl Actions {
    /// `repo` is `OWNER/NAME`; rate limits resetting within `max_wait` are waited out.
    pub fn new(gh: Github, owner: &str, name: &str, max_wait: Duration, notify: Notify) -> Self {
        Actions {
            gh,
            owner: owner.to_string(),
            name: name.to_string(),
            max_wait,
            notify,
        }
    }

    /// `OWNER/NAME`.
    pub fn repo(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    fn route(&self, rest: &str) -> String {
        format!("/repos/{}/{}/{rest}", self.owner, self.name)
    }

    /// Recent runs, newest first.
    pub async fn runs(&self, filter: &RunFilter) -> Result<Vec<RunSummary>> {
        let path = match &filter.workflow {
            Some(w) => self.route(&format!("actions/workflows/{}/runs", workflow_id(w))),
            None => self.route("actions/runs"),
        };
        let limit = filter.limit.max(1);
        let per_page = limit.min(100);
        let mut out = Vec::new();
        for page in 1..=MAX_PAGES {
            #[derive(Serialize)]
            struct Query<'a> {
                #[serde(flatten)]
                filter: &'a RunFilter,
                per_page: usize,
                page: usize,
            }
            let query = Query {
                filter,
                per_page,
                page,
            };
            let what = format!("listing workflow runs of {}", self.repo());
            let list: api::RunList = self.get(&what, &path, Some(&query)).await?;
            let n = list.workflow_runs.len();
            out.extend(list.workflow_runs.into_iter().map(api::Run::into_summary));
            if out.len() >= limit || n < per_page {
                break;
            }
        }
        out.truncate(limit);
        Ok(out)
    }

    /// One run by id.
    pub async fn run(&self, id: u64) -> Result<RunSummary> {
        let what = format!("reading run {id} of {}", self.repo());
        let run: api::Run = self
            .get(
                &what,
                &self.route(&format!("actions/runs/{id}")),
                None::<&()>,
            )
            .await?;
        Ok(run.into_summary())
    }

    /// The jobs of the run's latest attempt.
    pub async fn jobs(&self, run_id: u64) -> Result<Vec<JobSummary>> {
        let what = format!("listing the jobs of run {run_id} of {}", self.repo());
        let path = self.route(&format!("actions/runs/{run_id}/jobs"));
        let query = [("filter", "latest"), ("per_page", "100")];
        let list: api::JobList = self.get(&what, &path, Some(&query)).await?;
        Ok(list.jobs.into_iter().map(api::Job::into_summary).collect())
    }

    /// The plain-text log of one job.
    pub async fn job_log(&self, job_id: u64) -> Result<String> {
        let what = format!("downloading the log of job {job_id} of {}", self.repo());
        let bytes = self
            .download(&what, &self.route(&format!("actions/jobs/{job_id}/logs")))
            .await?;
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    /// The zip of every job log of a run.
    pub async fn run_archive(&self, run_id: u64) -> Result<Vec<u8>> {
        let what = format!(
            "downloading the log archive of run {run_id} of {}",
            self.repo()
        );
        self.download(&what, &self.route(&format!("actions/runs/{run_id}/logs")))
            .await
    }

    /// The full SHA of a commit given by a prefix; `None` when the repository has no such
    /// commit (or the prefix is ambiguous).
    pub async fn commit_sha(&self, prefix: &str) -> Result<Option<String>> {
        let what = format!("resolving commit {prefix} of {}", self.repo());
        let path = self.route(&format!("commits/{prefix}"));
        match self.get::<api::Commit, ()>(&what, &path, None).await {
            Ok(c) => Ok(Some(c.sha)),
            Err(Error::Github {
                status: Some(404 | 409 | 422),
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    async fn get<T: DeserializeOwned, Q: Serialize + ?Sized>(
        &self,
        what: &str,
        path: &str,
        query: Option<&Q>,
    ) -> Result<T> {
        self.with_backoff(what, || self.gh.client.get(path, query))
            .await
    }

    /// GETs raw bytes (following the redirect to blob storage), mapping statuses to errors.
    async fn download(&self, what: &str, path: &str) -> Result<Vec<u8>> {
        self.with_backoff(what, || async {
            let response = self.gh.client._get(path).await?;
            let response = octocrab::map_github_error(response).await?;
            let body = response.into_body().collect().await?;
            Ok(body.to_bytes().to_vec())
        })
        .await
    }

    /// Runs `call`, waiting out rate limits that reset within `max_wait`.
    async fn with_backoff<T, F, Fut>(&self, what: &str, call: F) -> Result<T>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = octocrab::Result<T>>,
    {
        let mut attempt = 0;
        loop {
            match call().await {
                Ok(v) => return Ok(v),
                Err(e) => match rate_limit_wait(&e) {
                    Some(wait) if wait <= self.max_wait && attempt < RATE_LIMIT_RETRIES => {
                        attempt += 1;
                        (self.notify)(&format!(
                            "GitHub rate limit reached while {what}; waiting {}s before retrying",
                            wait.as_secs()
                        ));
                        tokio::time::sleep(wait).await;
                    }
                    _ => return Err(self.gh.error(what, e)),
                },
            }
        }
    }
}

/// `deploy.yml`, `.github/workflows/deploy.yml` or a numeric id → what the API takes.
fn workflow_id(w: &str) -> &str {
    w.rsplit('/').next().unwrap_or(w)
}

/// How long a rate-limited answer asks us to wait: `retry-after`, else until
/// `x-ratelimit-reset`. `None` when the error is not a rate limit.
fn rate_limit_wait(e: &octocrab::Error) -> Option<Duration> {
    let octocrab::Error::GitHub { source, .. } = e else {
        return None;
    };
    let status = source.status_code.as_u16();
    let header = |name: &str| {
        source
            .headers
            .as_ref()?
            .get(name)?
            .to_str()
            .ok()?
            .trim()
            .parse::<u64>()
            .ok()
    };
    let exhausted = header("x-ratelimit-remaining") == Some(0);
    let says_so = source.message.to_ascii_lowercase().contains("rate limit");
    if !(status == 429 || (status == 403 && (exhausted || says_so))) {
        return None;
    }
    if let Some(secs) = header("retry-after") {
        return Some(Duration::from_secs(secs.max(1)));
    }
    let now = jiff::Timestamp::now().as_second().max(0) as u64;
    Some(
        match source.rate_limit_reset.or(header("x-ratelimit-reset")) {
            Some(reset) => Duration::from_secs(reset.saturating_sub(now).max(1)),
            // A secondary limit without headers: GitHub asks for at least a minute.
            None => Duration::from_secs(60),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workflow_files_are_named_as_the_api_wants() {
        assert_eq!(workflow_id(".github/workflows/deploy.yml"), "deploy.yml");
        assert_eq!(workflow_id("deploy.yml"), "deploy.yml");
        assert_eq!(workflow_id("161335"), "161335");
    }
}
