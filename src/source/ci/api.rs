//! The REST payloads k8sops reads, with only the fields it uses, each defaulted where GitHub
//! (or an older Enterprise server) may leave it out, so an unexpected shape degrades to an
//! empty field rather than an unreadable run.

use serde::Deserialize;

use crate::model::ci::{JobSummary, RunSummary, Status, StepSummary};

#[derive(Debug, Deserialize)]
pub struct RunList {
    #[serde(default)]
    pub workflow_runs: Vec<Run>,
}

#[derive(Debug, Deserialize)]
pub struct User {
    pub login: String,
}

#[derive(Debug, Deserialize)]
pub struct Run {
    pub id: u64,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub run_number: u64,
    #[serde(default)]
    pub run_attempt: Option<u32>,
    /// `.github/workflows/deploy.yml` (sometimes with `@ref`).
    #[serde(default)]
    pub path: String,
    #[serde(default)]
    pub display_title: Option<String>,
    #[serde(default)]
    pub event: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub head_sha: String,
    #[serde(default)]
    pub head_branch: Option<String>,
    #[serde(default)]
    pub actor: Option<User>,
    #[serde(default)]
    pub triggering_actor: Option<User>,
    #[serde(default)]
    pub html_url: String,
    pub created_at: jiff::Timestamp,
    #[serde(default)]
    pub run_started_at: Option<jiff::Timestamp>,
    #[serde(default)]
    pub updated_at: Option<jiff::Timestamp>,
}

impl Run {
    pub fn into_summary(self) -> RunSummary {
        let file = self
            .path
            .split('@')
            .next()
            .unwrap_or("")
            .rsplit('/')
            .next()
            .unwrap_or("")
            .to_string();
        let status = Status::from(self.status.unwrap_or_else(|| "completed".into()));
        let started = self.run_started_at.or(Some(self.created_at));
        let duration = match (&status, started, self.updated_at) {
            (Status::Completed, Some(s), Some(u)) if u >= s => {
                Some(u.duration_since(s).as_secs().max(0) as u64)
            }
            _ => None,
        };
        RunSummary {
            id: self.id,
            number: self.run_number,
            attempt: self.run_attempt.unwrap_or(1),
            workflow: self.name.unwrap_or_else(|| file.clone()),
            workflow_file: file,
            title: self.display_title.unwrap_or_default(),
            event: self.event,
            status,
            conclusion: self.conclusion.map(Into::into),
            commit: self.head_sha.to_ascii_lowercase(),
            branch: self.head_branch,
            actor: self.triggering_actor.or(self.actor).map(|u| u.login),
            url: self.html_url,
            created_at: self.created_at,
            started_at: started,
            updated_at: self.updated_at,
            duration,
            jobs: Vec::new(),
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct JobList {
    #[serde(default)]
    pub jobs: Vec<Job>,
}

#[derive(Debug, Deserialize)]
pub struct Job {
    pub id: u64,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub started_at: Option<jiff::Timestamp>,
    #[serde(default)]
    pub completed_at: Option<jiff::Timestamp>,
    #[serde(default)]
    pub html_url: Option<String>,
    #[serde(default)]
    pub runner_name: Option<String>,
    #[serde(default)]
    pub steps: Vec<Step>,
}

impl Job {
    pub fn into_summary(self) -> JobSummary {
        JobSummary {
            id: self.id,
            name: self.name,
            status: Status::from(self.status.unwrap_or_else(|| "completed".into())),
            conclusion: self.conclusion.map(Into::into),
            started_at: self.started_at,
            completed_at: self.completed_at,
            url: self.html_url.unwrap_or_default(),
            runner: self.runner_name.filter(|r| !r.is_empty()),
            steps: self.steps.into_iter().map(Step::into_summary).collect(),
            failure: None,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Step {
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub conclusion: Option<String>,
    #[serde(default)]
    pub number: u32,
    #[serde(default)]
    pub started_at: Option<jiff::Timestamp>,
    #[serde(default)]
    pub completed_at: Option<jiff::Timestamp>,
}

impl Step {
    fn into_summary(self) -> StepSummary {
        StepSummary {
            number: self.number,
            name: self.name,
            status: Status::from(self.status.unwrap_or_else(|| "completed".into())),
            conclusion: self.conclusion.map(Into::into),
            started_at: self.started_at,
            completed_at: self.completed_at,
        }
    }
}

#[derive(Debug, Deserialize)]
pub struct Commit {
    pub sha: String,
}
