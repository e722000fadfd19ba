//! The cluster ↔ CI join, over the CI runs a snapshot carries: a failing workload whose image
//! tag, version label or commit annotation names a commit is linked to that commit's runs.
//!
//! - An image that cannot be pulled because it does not exist, whose commit has a failed run
//!   and no successful run of the same workflow, was never pushed: that run is the cause
//!   (the pull error becomes its symptom).
//! - Otherwise a failed run of the commit is shown as related evidence ("web:main-4f2c9e1
//!   was deployed by run #377 of deploy.yml, whose deploy step failed"), ranked below the
//!   cluster's own cause: a deploy that fails because pods never become ready is the
//!   consequence, not the reason.

use std::collections::BTreeSet;

use super::ci_rules::{self as rules, job_ref, run_ref};
use super::image_pull::{image_missing, last_working_image};
use super::{
    Analyzer, Category, Change, Context, Evidence, EvidenceSource, Finding, PodContext, Remedy,
    Role, Severity, Strength,
};
use crate::analyze::commits::{self, Commit, Origin};
use crate::model::ci::{CiRuns, FailureKind, JobSummary, RunSummary};

pub struct CiCorrelation;

impl Analyzer for CiCorrelation {
    fn name(&self) -> &'static str {
        "ci_correlation"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let Some(ci) = &cx.snapshot.ci else { return };
        for pod in &cx.pods {
            let mut seen: BTreeSet<u64> = BTreeSet::new();
            for commit in commits::of_pod(cx.snapshot, pod) {
                let runs: Vec<&RunSummary> = ci
                    .for_commit(&commit.prefix)
                    .filter(|r| !seen.contains(&r.id))
                    .collect();
                if runs.is_empty() {
                    continue;
                }
                if let Some(f) = never_pushed(self.name(), cx, ci, pod, &commit, &runs) {
                    seen.extend(runs.iter().map(|r| r.id));
                    out.push(f);
                    continue;
                }
                for run in unresolved_failures(&runs) {
                    seen.insert(run.id);
                    out.push(related(self.name(), &ci.repo, pod, &commit, run));
                }
            }
        }
    }
}

/// The primary failed job of a run and its kind.
fn primary(run: &RunSummary) -> (Option<&JobSummary>, FailureKind) {
    match run.failed_jobs().next() {
        Some(job) => (Some(job), rules::kind_of(job)),
        None => (None, FailureKind::Unknown),
    }
}

/// Failed runs, newest first, of workflows that have no successful run for the commit.
fn unresolved_failures<'a>(runs: &[&'a RunSummary]) -> Vec<&'a RunSummary> {
    let succeeded: BTreeSet<&str> = runs
        .iter()
        .filter(|r| r.succeeded())
        .map(|r| r.workflow_file.as_str())
        .collect();
    let mut files = BTreeSet::new();
    runs.iter()
        .copied()
        .filter(|r| r.failed() && !succeeded.contains(r.workflow_file.as_str()))
        .filter(|r| files.insert(r.workflow_file.as_str()))
        .collect()
}

/// `ghcr.io/acme/web:main-4f2c9e1` → `web:main-4f2c9e1`.
fn short_image(image: &str) -> &str {
    image.rsplit('/').next().unwrap_or(image)
}

/// `run #812 of build.yml`.
fn run_phrase(run: &RunSummary) -> String {
    format!("run #{} of {}", run.number, run.workflow_file)
}

fn failing_step(job: Option<&JobSummary>) -> String {
    job.and_then(rules::step_of)
        .map(|s| format!(" \"{s}\""))
        .unwrap_or_default()
}

fn first_error(job: Option<&JobSummary>) -> String {
    job.and_then(|j| j.failure.as_ref()?.first_error.as_deref())
        .map(|e| format!(" ({})", e.trim_end_matches(['.', ' '])))
        .unwrap_or_default()
}

/// Evidence every link carries: the run's verdict, the log's first error, and how the
/// workload names the commit.
fn link_evidence(
    repo: &str,
    pod: &PodContext<'_>,
    commit: &Commit,
    run: &RunSummary,
    job: Option<&JobSummary>,
) -> Vec<Evidence> {
    let conclusion = run
        .conclusion
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_else(|| run.status.to_string());
    let branch = run
        .branch
        .as_deref()
        .map(|b| format!(" on {b}"))
        .unwrap_or_default();
    let at_job = job
        .map(|j| format!(": job {} failed at{}", j.name, failing_step(Some(j))))
        .unwrap_or_default();
    let mut out = vec![Evidence {
        timestamp: run.updated_at,
        ..Context::evidence(
            EvidenceSource::Status,
            &run_ref(repo, run),
            format!(
                "{} (commit {}{branch}) {conclusion}{at_job} — {}",
                run.label(),
                run.short_commit(),
                run.url
            ),
            Strength::Direct,
        )
    }];
    if let Some((j, e)) = job.and_then(|j| Some((j, j.failure.as_ref()?.first_error.as_ref()?))) {
        out.push(Evidence {
            timestamp: j.completed_at,
            ..Context::evidence(
                EvidenceSource::CiLog,
                &job_ref(repo, run, j),
                e.clone(),
                Strength::Direct,
            )
        });
    }
    let how = match &commit.origin {
        Origin::Image { container, image } => {
            format!(
                "container {container} runs {image}, whose tag names commit {}",
                commit.prefix
            )
        }
        Origin::Metadata { key, value } => {
            format!("{key}: {value} names commit {}", commit.prefix)
        }
    };
    out.push(Context::evidence(
        EvidenceSource::Spec,
        &pod.subject,
        how,
        Strength::Indirect,
    ));
    out
}

fn never_pushed(
    analyzer: &str,
    cx: &Context<'_>,
    ci: &CiRuns,
    pod: &PodContext<'_>,
    commit: &Commit,
    runs: &[&RunSummary],
) -> Option<Finding> {
    let Origin::Image { container, image } = &commit.origin else {
        return None;
    };
    let c = pod.container(container)?;
    if !image_missing(pod, c) {
        return None;
    }
    // A failed deploy does not explain a missing image; a failed build (or tests gating it)
    // does. Prefer the run that failed building (its dependencies included).
    let failed: Vec<&RunSummary> = unresolved_failures(runs)
        .into_iter()
        .filter(|r| primary(r).1 != FailureKind::Deploy)
        .collect();
    let run = failed
        .iter()
        .find(|r| matches!(primary(r).1, FailureKind::Build | FailureKind::Dependency))
        .or(failed.first())?;
    let (job, kind) = primary(run);
    let short = short_image(image);
    let mut f = Finding::new(
        analyzer,
        Category::CiFailure,
        pod.subject.clone(),
        pod.workload.clone(),
        &format!("never-pushed/{}", run.id),
    )
    .fact("kind", kind)
    .fact("run", run.number)
    .fact("workflow", &run.workflow_file)
    .fact("commit", run.short_commit())
    .fact("image", image);
    if let Some(j) = job {
        f = f.fact("job", &j.name);
    }
    f.severity = Severity::Critical;
    f.role = Role::Cause;
    f.summary = format!("{short} never pushed: {} failed", run.label());
    f.cause = format!(
        "{short} does not exist because {} for commit {} failed in its {kind} step{}{}, and no run of {} succeeded for that commit.",
        run_phrase(run),
        run.short_commit(),
        failing_step(job),
        first_error(job),
        run.workflow_file
    );
    f.evidence = link_evidence(&ci.repo, pod, commit, run, job);
    let others: Vec<String> = runs
        .iter()
        .map(|r| {
            let verdict = r
                .conclusion
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_else(|| r.status.to_string());
            format!("{} {verdict}", r.label())
        })
        .collect();
    f.evidence.push(Context::evidence(
        EvidenceSource::Status,
        &run_ref(&ci.repo, run),
        format!(
            "runs for commit {}: {}; none of {} succeeded",
            run.short_commit(),
            others.join(", "),
            run.workflow_file
        ),
        Strength::Indirect,
    ));
    f.fix = vec![format!(
        "Fix the {kind} failure of {} ({}) and re-run it (`gh run rerun {} --failed`); {image} exists once it succeeds.",
        run.label(),
        run.url,
        run.id
    )];
    if let Some(prev) = last_working_image(cx.snapshot, &pod.workload, container, image) {
        f.fix.push(format!(
            "To restore service now, set the image of container {container} back to {prev}, the last revision that ran."
        ));
        f.remedy = Some(Remedy {
            target: pod.workload.clone(),
            change: Change::SetImage {
                container: container.clone(),
                from: image.clone(),
                to: prev.clone(),
            },
            rationale: format!(
                "{image} was never pushed ({} failed); {prev} is the image of the last revision whose pods ran.",
                run.label()
            ),
        });
    }
    f.prevention = vec![
        "Deploy only images a successful build produced: make the deploy wait for the build (`needs:` in one workflow, or `on: workflow_run` with `conclusion == 'success'`), or let the image updater follow pushed tags only.".into(),
    ];
    Some(f)
}

fn related(
    analyzer: &str,
    repo: &str,
    pod: &PodContext<'_>,
    commit: &Commit,
    run: &RunSummary,
) -> Finding {
    let (job, kind) = primary(run);
    let what = match &commit.origin {
        Origin::Image { image, .. } => short_image(image).to_string(),
        Origin::Metadata { .. } => format!("{} at commit {}", pod.workload.name, commit.prefix),
    };
    let mut f = Finding::new(
        analyzer,
        Category::CiFailure,
        pod.subject.clone(),
        pod.workload.clone(),
        &format!("run/{}", run.id),
    )
    .fact("kind", kind)
    .fact("run", run.number)
    .fact("workflow", &run.workflow_file)
    .fact("commit", run.short_commit());
    // The cluster's own finding explains the workload; the run is context for it.
    f.role = Role::Symptom;
    f.severity = Severity::Warning;
    f.summary = format!("{} failed for this commit", run.label());
    f.cause = match kind {
        FailureKind::Deploy => format!(
            "{what} was deployed by {}, whose deploy step{} failed{}.",
            run_phrase(run),
            failing_step(job),
            first_error(job)
        ),
        _ => format!(
            "{what} comes from commit {}, whose {} failed in its {kind} step{}{}.",
            run.short_commit(),
            run_phrase(run),
            failing_step(job),
            first_error(job)
        ),
    };
    f.evidence = link_evidence(repo, pod, commit, run, job);
    f.fix = match job {
        Some(j) => rules::fix(kind, run, j, j.failure.as_ref()),
        None => vec![format!("Open {} and read the failed job's log.", run.url)],
    };
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn images_are_named_as_people_say_them() {
        assert_eq!(
            short_image("ghcr.io/acme/web:main-4f2c9e1"),
            "web:main-4f2c9e1"
        );
        assert_eq!(short_image("web:1.0"), "web:1.0");
    }
}
