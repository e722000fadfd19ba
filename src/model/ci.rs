//! The run model: GitHub Actions runs, jobs and steps as k8sops keeps them — a summary of
//! each, stable JSON (`ci runs -o json`, `ci/runs.json` in bundles), and what the failing
//! job's log says once it has been parsed and sanitized ([`Failure`]).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Defines a string enum as GitHub spells it (`in_progress`, `timed_out`), keeping any
/// value GitHub adds later as `Other` instead of failing to read the run.
macro_rules! github_enum {
    ($(#[$doc:meta])* $name:ident { $($variant:ident => $text:literal),* $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
        #[serde(from = "String", into = "String")]
        pub enum $name {
            $($variant,)*
            /// A value this version of k8sops does not know, as GitHub wrote it.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)*
                    $name::Other(s) => s,
                }
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                match s.as_str() {
                    $($text => $name::$variant,)*
                    _ => $name::Other(s),
                }
            }
        }

        impl From<$name> for String {
            fn from(v: $name) -> String {
                v.as_str().to_string()
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

github_enum! {
    /// Where a run, job or step is in its life.
    Status {
        Queued => "queued",
        InProgress => "in_progress",
        Completed => "completed",
        Waiting => "waiting",
        Requested => "requested",
        Pending => "pending",
    }
}

github_enum! {
    /// How a completed run, job or step ended.
    Conclusion {
        Success => "success",
        Failure => "failure",
        Cancelled => "cancelled",
        TimedOut => "timed_out",
        Skipped => "skipped",
        Neutral => "neutral",
        ActionRequired => "action_required",
        Stale => "stale",
        StartupFailure => "startup_failure",
    }
}

impl Conclusion {
    /// Whether this ending means something went wrong.
    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            Conclusion::Failure
                | Conclusion::Cancelled
                | Conclusion::TimedOut
                | Conclusion::StartupFailure
        )
    }
}

/// One workflow run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunSummary {
    /// The run id, as in `…/actions/runs/ID` and `ci diagnose ID`.
    pub id: u64,
    /// The run number of its workflow (`#812`), what people say.
    pub number: u64,
    #[serde(default = "first_attempt")]
    pub attempt: u32,
    /// The workflow's name (`Deploy`).
    pub workflow: String,
    /// The workflow's file name (`deploy.yml`).
    pub workflow_file: String,
    /// What GitHub shows as the run's title (usually the commit subject).
    #[serde(default)]
    pub title: String,
    /// What triggered it: `push`, `pull_request`, `workflow_dispatch`, …
    #[serde(default)]
    pub event: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Conclusion>,
    /// The full head commit SHA.
    pub commit: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    /// Who triggered it (GitHub login).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub actor: Option<String>,
    /// The run's page on GitHub.
    pub url: String,
    pub created_at: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub updated_at: Option<jiff::Timestamp>,
    /// Seconds from start to the last update, for completed runs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub duration: Option<u64>,
    /// The run's jobs, when they were fetched (failed runs k8sops looked into).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub jobs: Vec<JobSummary>,
}

fn first_attempt() -> u32 {
    1
}

impl RunSummary {
    /// `deploy.yml #812`.
    pub fn label(&self) -> String {
        format!("{} #{}", self.workflow_file, self.number)
    }

    /// The first 7 characters of the commit, as GitHub shows it.
    pub fn short_commit(&self) -> &str {
        self.commit.get(..7).unwrap_or(&self.commit)
    }

    pub fn succeeded(&self) -> bool {
        self.conclusion == Some(Conclusion::Success)
    }

    pub fn failed(&self) -> bool {
        self.conclusion.as_ref().is_some_and(Conclusion::is_failure)
    }

    /// The jobs that failed, in order.
    pub fn failed_jobs(&self) -> impl Iterator<Item = &JobSummary> {
        self.jobs.iter().filter(|j| j.failed())
    }
}

/// One job of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobSummary {
    pub id: u64,
    pub name: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Conclusion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<jiff::Timestamp>,
    #[serde(default)]
    pub url: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub runner: Option<String>,
    #[serde(default)]
    pub steps: Vec<StepSummary>,
    /// What its log says, when the job failed and its log could be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub failure: Option<Failure>,
}

impl JobSummary {
    pub fn failed(&self) -> bool {
        self.conclusion.as_ref().is_some_and(Conclusion::is_failure)
    }

    /// The step the API marks as failed (the first one, when several are).
    pub fn failed_step(&self) -> Option<&StepSummary> {
        self.steps
            .iter()
            .find(|s| s.conclusion == Some(Conclusion::Failure))
            .or_else(|| {
                self.steps
                    .iter()
                    .find(|s| s.conclusion.as_ref().is_some_and(Conclusion::is_failure))
            })
    }
}

/// One step of a job.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepSummary {
    pub number: u32,
    pub name: String,
    pub status: Status,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conclusion: Option<Conclusion>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<jiff::Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<jiff::Timestamp>,
}

/// What kind of failure a job had: the sub-kinds of the `ci-failure` category.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum FailureKind {
    /// Tests ran and some failed.
    Test,
    /// Compiling, packaging or building an image failed.
    Build,
    /// A dependency could not be resolved or fetched (npm `ERESOLVE`, an unresolvable Maven
    /// artifact or plugin, pip's `No matching distribution`).
    Dependency,
    /// A linter or formatter check failed.
    Lint,
    /// Applying manifests or a release to a cluster failed.
    Deploy,
    /// The runner, not the code: a timeout, a cancellation, a lost runner, a full disk.
    Infrastructure,
    /// A secret is missing or empty, or the token lacks a permission.
    SecretPermission,
    /// The log shows an error k8sops does not recognise.
    #[default]
    Unknown,
}

impl FailureKind {
    pub fn id(self) -> &'static str {
        match self {
            FailureKind::Test => "test",
            FailureKind::Build => "build",
            FailureKind::Dependency => "dependency",
            FailureKind::Lint => "lint",
            FailureKind::Deploy => "deploy",
            FailureKind::Infrastructure => "infrastructure",
            FailureKind::SecretPermission => "secret-permission",
            FailureKind::Unknown => "unknown",
        }
    }
}

impl fmt::Display for FailureKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Where the failing job's log was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogSource {
    /// `GET …/actions/jobs/ID/logs`.
    JobLog,
    /// The run's log archive, `GET …/actions/runs/ID/logs`.
    RunArchive,
    /// A file or stdin (`ci diagnose --log`), from any CI.
    File,
}

/// What a failed job's log says. Every string here went through the sanitizer before it
/// was stored: the model never holds an unsanitized excerpt.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Failure {
    pub kind: FailureKind,
    /// The failing step: the API's name when known, else the log's section title.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<String>,
    /// The failing step's command as the log shows it (`cargo test --locked`,
    /// `docker/build-push-action@v6`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub command: Option<String>,
    /// The first line that states the error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error: Option<String>,
    /// The test runner's summary line (`test result: FAILED. 41 passed; 1 failed`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Failing tests, as the runner names them (at most ten).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tests: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub exit_code: Option<i32>,
    /// The tool that failed: `cargo`, `pytest`, `go`, `jest`, `npm`, `maven`, `gradle`,
    /// `docker`, `kubectl`, `helm`, `actions`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tool: Option<String>,
    /// Names of secret-looking variables or inputs the failing step received empty.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub empty_secrets: Vec<String>,
    /// Where `first_error` is in the log: its 1-based line number (a lone `\r` counts as a
    /// line break).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_error_line: Option<usize>,
    /// The cause as the log shows it: the first error's block whole (its context, the
    /// explanation or stack under it), then further errors of the same tool, `…` between.
    #[serde(default)]
    pub excerpt: Vec<String>,
    /// What the failure ended with, under the cause: wrappers (`Process completed with exit
    /// code 1`, `[ERROR] Failed to execute goal …`, `buildx failed with: …`) and every
    /// `##[error]` annotation of the step.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub consequences: Vec<String>,
    /// The passing log this one was compared with: `deploy.yml #811` (the last green run of
    /// the workflow on the branch) or a file given with `--pass-log`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub compared_with: Option<String>,
    /// Lines of the failing step the passing log lacks (timestamps, numbers, hashes and
    /// temporary paths masked), those stating an error first.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub new_lines: Vec<String>,
    pub source: LogSource,
}

/// The CI runs a snapshot carries (`ci/runs.json` in a bundle): those of one repository
/// whose commit a workload in the snapshot names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CiRuns {
    /// `OWNER/NAME`.
    pub repo: String,
    pub collected_at: jiff::Timestamp,
    pub runs: Vec<RunSummary>,
}

impl CiRuns {
    /// Runs whose commit starts with `prefix` (lower-case hex, at least 7 characters),
    /// newest first.
    pub fn for_commit<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a RunSummary> {
        self.runs
            .iter()
            .filter(move |r| prefix.len() >= 7 && r.commit.starts_with(prefix))
    }
}
