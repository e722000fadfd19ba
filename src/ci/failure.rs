//! From a failed job's log to the [`Failure`] the model keeps: the log is read with the
//! jobs API's failing step as a hint, then every string that leaves this function has gone
//! through the sanitizer (fail closed: a sanitizer error keeps nothing).

use super::classify;
use super::log::{self, StepHint};
use crate::model::ci::{Failure, FailureKind, JobSummary, LogSource};
use crate::sanitize::{SanitizeError, Sanitizer};

/// Reads `text`, the log of `job`, into a sanitized [`Failure`].
pub fn from_log(
    job: &JobSummary,
    text: &str,
    source: LogSource,
    sanitizer: &Sanitizer,
) -> Result<Failure, SanitizeError> {
    let step = job.failed_step();
    let hint = step.map(|s| StepHint {
        name: &s.name,
        started_at: s.started_at,
        completed_at: s.completed_at,
    });
    let r = log::analyze(text, hint.as_ref());
    let kind = match r.kind {
        FailureKind::Unknown => step
            .and_then(|s| classify::kind_of_command(&s.name))
            .or_else(|| classify::kind_of_command(&job.name))
            .unwrap_or(FailureKind::Unknown),
        k => k,
    };
    let clean = |s: &str| sanitizer.sanitize(s).map(|o| o.into_string());
    let clean_opt = |s: Option<String>| s.map(|s| clean(&s)).transpose();
    let excerpt = match r.excerpt.is_empty() {
        true => Vec::new(),
        false => clean(&r.excerpt.join("\n"))?
            .split('\n')
            .map(str::to_string)
            .collect(),
    };
    let command = r
        .failing_step
        .as_deref()
        .and_then(|t| t.strip_prefix("Run "))
        .map(str::to_string);
    Ok(Failure {
        kind,
        command: clean_opt(command)?,
        step: clean_opt(step.map(|s| s.name.clone()).or(r.failing_step))?,
        first_error: clean_opt(r.first_error)?,
        summary: clean_opt(r.summary)?,
        tests: r.tests.iter().map(|t| clean(t)).collect::<Result<_, _>>()?,
        exit_code: r.exit_code,
        tool: r.tool,
        empty_secrets: r.empty_secrets,
        excerpt,
        source,
    })
}
