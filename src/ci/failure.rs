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
    from_log_against(job, text, source, sanitizer, None)
}

/// A passing log of the same job: what it is (`deploy.yml #811`, a file name) and its text.
#[derive(Debug, Clone, Copy)]
pub struct PassingLog<'a> {
    pub label: &'a str,
    pub text: &'a str,
}

/// [`from_log`], compared with a passing log of the same job when one is given.
pub fn from_log_against(
    job: &JobSummary,
    text: &str,
    source: LogSource,
    sanitizer: &Sanitizer,
    pass: Option<PassingLog<'_>>,
) -> Result<Failure, SanitizeError> {
    let step = job.failed_step();
    let hint = step.map(|s| StepHint {
        name: &s.name,
        started_at: s.started_at,
        completed_at: s.completed_at,
    });
    let r = log::analyze_against(text, hint.as_ref(), pass.map(|p| p.text));
    let kind = match r.kind {
        FailureKind::Unknown => step
            .and_then(|s| classify::kind_of_command(&s.name))
            .or_else(|| classify::kind_of_command(&job.name))
            .unwrap_or(FailureKind::Unknown),
        k => k,
    };
    let clean = |s: &str| sanitizer.sanitize(s).map(|o| o.into_string());
    let clean_opt = |s: Option<String>| s.map(|s| clean(&s)).transpose();
    // Lines are sanitized together: a secret split over two lines is still seen whole.
    let clean_lines = |v: &[String]| -> Result<Vec<String>, SanitizeError> {
        match v.is_empty() {
            true => Ok(Vec::new()),
            false => Ok(clean(&v.join("\n"))?
                .split('\n')
                .map(str::to_string)
                .collect()),
        }
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
        first_error_line: r.first_error_line,
        excerpt: clean_lines(&r.excerpt)?,
        consequences: clean_lines(&r.consequences)?,
        compared_with: pass.map(|p| clean(p.label)).transpose()?,
        new_lines: clean_lines(&r.new_lines)?,
        source,
    })
}
