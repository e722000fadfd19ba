//! What to fetch: for a diagnosis, a failed run's jobs and the logs of the failed ones (the
//! job log, else the run's archive); for a snapshot, the runs of the commits its failing
//! workloads carry, and the failures of those that failed. Missing access yields partial
//! results and a warning, never an error; a sanitizer failure stops everything (fail
//! closed).

use std::collections::BTreeSet;

use super::{Actions, RunFilter};
use crate::ci::archive::Archive;
use crate::ci::failure::{self, PassingLog};
use crate::error::{Error, Result};
use crate::model::ci::{CiRuns, LogSource, RunSummary};
use crate::sanitize::Sanitizer;

/// Failed jobs whose logs are read per run, at most.
const MAX_JOBS: usize = 5;
/// Runs listed when looking for a snapshot's commits.
const RECENT_RUNS: usize = 100;
/// Commits looked up one by one when the recent runs do not name them.
const MAX_LOOKUPS: usize = 5;
/// Failed runs whose jobs are fetched for a snapshot.
const MAX_FAILED_RUNS: usize = 5;
/// Successful runs looked through for the last green one before a failure.
const GREEN_RUNS: usize = 20;

fn sanitize_error(what: String) -> impl FnOnce(crate::sanitize::SanitizeError) -> Error {
    move |e| Error::Sanitize {
        what,
        message: e.to_string(),
    }
}

/// Fills `run.jobs` and the failures of its failed jobs. What could not be read becomes a
/// warning in `warnings`; the run is then diagnosed from its steps alone.
pub async fn fetch_failures(
    api: &Actions,
    run: &mut RunSummary,
    sanitizer: &Sanitizer,
    warnings: &mut Vec<String>,
) -> Result<()> {
    fetch(api, run, sanitizer, warnings, None).await
}

/// [`fetch_failures`], each failed job's log compared with the same job's log in the
/// workflow's most recent successful run on the run's branch (before it): lines new in the
/// failing log rank first, errors the green run printed too are not taken for the cause.
/// Why no comparison could be made goes to `notes` (the diagnosis is whole without it).
pub async fn fetch_failures_compared(
    api: &Actions,
    run: &mut RunSummary,
    sanitizer: &Sanitizer,
    warnings: &mut Vec<String>,
    notes: &mut Vec<String>,
) -> Result<()> {
    fetch(api, run, sanitizer, warnings, Some(notes)).await
}

/// The last green run of `run`'s workflow on its branch, created before it, with its jobs.
async fn last_green(api: &Actions, run: &RunSummary) -> Result<Option<RunSummary>> {
    let Some(branch) = &run.branch else {
        return Ok(None);
    };
    let filter = RunFilter {
        workflow: Some(run.workflow_file.clone()),
        branch: Some(branch.clone()),
        status: Some("success".into()),
        limit: GREEN_RUNS,
        ..RunFilter::default()
    };
    let runs = api.runs(&filter).await?;
    let Some(mut green) = runs
        .into_iter()
        .find(|r| r.id != run.id && r.succeeded() && r.created_at <= run.created_at)
    else {
        return Ok(None);
    };
    green.jobs = api.jobs(green.id).await?;
    Ok(Some(green))
}

/// The log of the job named `name` in `green`, when it succeeded there.
async fn green_log(api: &Actions, green: &RunSummary, name: &str) -> Result<Option<String>> {
    let Some(job) = green.jobs.iter().find(|j| j.name == name && !j.failed()) else {
        return Ok(None);
    };
    api.job_log(job.id).await.map(Some)
}

async fn fetch(
    api: &Actions,
    run: &mut RunSummary,
    sanitizer: &Sanitizer,
    warnings: &mut Vec<String>,
    mut notes: Option<&mut Vec<String>>,
) -> Result<()> {
    run.jobs = match api.jobs(run.id).await {
        Ok(jobs) => jobs,
        Err(e) => {
            warnings.push(format!(
                "{}: {e}; diagnosed from the run alone",
                run.label()
            ));
            return Ok(());
        }
    };
    let failed: Vec<usize> = (0..run.jobs.len())
        .filter(|&i| run.jobs[i].failed())
        .take(MAX_JOBS)
        .collect();
    let green = match notes.as_deref_mut() {
        Some(notes) if !failed.is_empty() => match last_green(api, run).await {
            Ok(Some(g)) => Some(g),
            Ok(None) => {
                notes.push(format!(
                    "{}: no earlier successful run of {} on {} to compare with",
                    run.label(),
                    run.workflow_file,
                    run.branch.as_deref().unwrap_or("its branch")
                ));
                None
            }
            Err(e) => {
                notes.push(format!(
                    "{}: not compared with the last green run: {e}",
                    run.label()
                ));
                None
            }
        },
        _ => None,
    };
    let mut unread: Vec<(usize, Error)> = Vec::new();
    for &i in &failed {
        match api.job_log(run.jobs[i].id).await {
            Ok(text) => {
                let job = &run.jobs[i];
                let pass = match (&green, notes.as_deref_mut()) {
                    (Some(g), Some(notes)) => match green_log(api, g, &job.name).await {
                        Ok(Some(text)) => Some((g.label(), text)),
                        Ok(None) => {
                            notes.push(format!(
                                "job {} did not succeed in {}; not compared",
                                job.name,
                                g.label()
                            ));
                            None
                        }
                        Err(e) => {
                            notes.push(format!(
                                "job {} of {}: not compared: {e}",
                                job.name,
                                g.label()
                            ));
                            None
                        }
                    },
                    _ => None,
                };
                let passing = pass
                    .as_ref()
                    .map(|(label, text)| PassingLog { label, text });
                let what = format!("the log of job {} of {}", job.name, run.label());
                let f =
                    failure::from_log_against(job, &text, LogSource::JobLog, sanitizer, passing)
                        .map_err(sanitize_error(what))?;
                run.jobs[i].failure = Some(f);
            }
            Err(e) => unread.push((i, e)),
        }
    }
    if unread.is_empty() {
        return Ok(());
    }
    // One archive holds every job's log: the fallback when job logs are refused or gone.
    let archive = match api.run_archive(run.id).await {
        Ok(bytes) => Archive::read(&bytes).map_err(|e| format!("not a readable zip ({e})")),
        Err(e) => Err(e.to_string()),
    };
    for (i, job_error) in unread {
        let job = &run.jobs[i];
        let text = match &archive {
            Ok(a) => a
                .job_log(&job.name)
                .ok_or_else(|| "not in the run's archive".into()),
            Err(e) => Err(e.clone()),
        };
        match text {
            Ok(text) => {
                let what = format!("the log of job {} of {}", job.name, run.label());
                let f = failure::from_log(job, &text, LogSource::RunArchive, sanitizer)
                    .map_err(sanitize_error(what))?;
                run.jobs[i].failure = Some(f);
            }
            Err(archive_error) => warnings.push(format!(
                "{job_error}; the run's log archive: {archive_error}; job {} of {} is diagnosed from its steps alone",
                job.name,
                run.label()
            )),
        }
    }
    Ok(())
}

/// The runs of the `wanted` commits — those the snapshot's failing workloads carry (image
/// tags, version labels, commit annotations) — with the failures of those that failed.
/// `None` when no commit is wanted: then nothing is fetched.
pub async fn collect(
    api: &Actions,
    wanted: BTreeSet<String>,
    sanitizer: &Sanitizer,
    warnings: &mut Vec<String>,
) -> Result<Option<CiRuns>> {
    if wanted.is_empty() {
        return Ok(None);
    }
    let recent = api
        .runs(&RunFilter {
            limit: RECENT_RUNS,
            ..RunFilter::default()
        })
        .await?;
    let matches = |r: &RunSummary, p: &str| r.commit.starts_with(p);
    let mut runs: Vec<RunSummary> = recent
        .into_iter()
        .filter(|r| wanted.iter().any(|p| matches(r, p)))
        .collect();
    let missing: Vec<&String> = wanted
        .iter()
        .filter(|p| !runs.iter().any(|r| matches(r, p)))
        .take(MAX_LOOKUPS)
        .collect();
    for prefix in missing {
        let sha = match prefix.len() {
            40 => Some(prefix.clone()),
            _ => api.commit_sha(prefix).await?,
        };
        let Some(sha) = sha else { continue };
        let filter = RunFilter {
            head_sha: Some(sha),
            limit: 20,
            ..RunFilter::default()
        };
        for r in api.runs(&filter).await? {
            if !runs.iter().any(|x| x.id == r.id) {
                runs.push(r);
            }
        }
    }
    runs.sort_by(|a, b| b.created_at.cmp(&a.created_at).then(b.id.cmp(&a.id)));
    for run in runs.iter_mut().filter(|r| r.failed()).take(MAX_FAILED_RUNS) {
        fetch_failures(api, run, sanitizer, warnings).await?;
    }
    Ok(Some(CiRuns {
        repo: api.repo(),
        collected_at: jiff::Timestamp::now(),
        runs,
    }))
}
