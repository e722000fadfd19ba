//! Failed Jobs: `Failed` with BackoffLimitExceeded (every retry failed) or DeadlineExceeded
//! (ran past activeDeadlineSeconds), with the failed pods' exit codes and the first error
//! line of their logs (or the known signature it matches). The CronJob that owns a failing
//! Job is the thing to fix; a failure that a later successful run of the same CronJob
//! superseded is history.
//!
//! A `kubectl cluster-info dump` carries no Jobs or CronJobs: there the Job is read from its
//! pods alone (their owner reference or job-name label, their exit codes and logs, the Job's
//! events), and its CronJob inferred from the Job's name.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::{Job, JobCondition};
use k8s_openapi::api::core::v1::Pod;

use super::signatures::{self, Match};
use super::{Analyzer, Category, Context, EvidenceSource, Finding, Severity, Strength};
use crate::model::log_line::{Strictness, is_error_line};
use crate::model::text::{Budget, clip};
use crate::model::{Kind, ObjectRef, Snapshot};

mod absent;

pub struct JobFailed;

impl Analyzer for JobFailed {
    fn name(&self) -> &'static str {
        "job-failed"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let snapshot = cx.snapshot;
        for job in &snapshot.objects.jobs {
            let Some(failed) = condition(job, "Failed") else {
                continue;
            };
            if superseded(snapshot, job) {
                continue;
            }
            out.push(job_finding(snapshot, job, failed));
        }
        absent::analyze(cx, out);
    }
}

fn condition<'a>(job: &'a Job, type_: &str) -> Option<&'a JobCondition> {
    job.status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == type_ && c.status == "True")
}

fn started(job: &Job) -> Option<jiff::Timestamp> {
    job.status
        .as_ref()
        .and_then(|s| s.start_time.as_ref())
        .or(job.metadata.creation_timestamp.as_ref())
        .map(|t| t.0)
}

/// A later Job of the same CronJob finished (succeeded: healthy again; failed: that one is
/// reported), or the CronJob last succeeded after this one started: this failure is no
/// longer the state of things.
fn superseded(snapshot: &Snapshot, job: &Job) -> bool {
    let Some(owner) = snapshot
        .controller_of(&job.metadata)
        .filter(|o| o.kind == "CronJob")
    else {
        return false;
    };
    let this = started(job);
    let later_finished = snapshot.objects.jobs.iter().any(|other| {
        other.metadata.namespace == job.metadata.namespace
            && other.metadata.name != job.metadata.name
            && snapshot
                .controller_of(&other.metadata)
                .is_some_and(|o| o.kind == "CronJob" && o.name == owner.name)
            && (condition(other, "Complete").is_some() || condition(other, "Failed").is_some())
            && started(other) > this
    });
    let cron_success = owner
        .known_kind()
        .and_then(|_| {
            snapshot.index().position(
                Kind::CronJob,
                owner.namespace.as_deref().unwrap_or(""),
                &owner.name,
            )
        })
        .and_then(|i| snapshot.objects.cron_jobs.get(i))
        .and_then(|c| {
            c.status
                .as_ref()?
                .last_successful_time
                .as_ref()
                .map(|t| t.0)
        });
    later_finished || (cron_success.is_some() && this.is_some() && cron_success > this)
}

fn pods_of<'a>(snapshot: &'a Snapshot, job: &Job) -> Vec<&'a Pod> {
    let name = job.metadata.name.as_deref().unwrap_or("");
    let uid = job.metadata.uid.as_deref();
    let mut pods: Vec<&Pod> = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace == job.metadata.namespace)
        .filter(|p| {
            p.metadata
                .owner_references
                .iter()
                .flatten()
                .any(|o| o.kind == "Job" && (Some(o.uid.as_str()) == uid || o.name == name))
        })
        .collect();
    pods.sort_by_key(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0));
    pods
}

/// What one failed container said: exit code, reason, first error line of its log.
pub(super) struct Failure {
    pod: String,
    container: String,
    exit_code: i32,
    reason: Option<String>,
    log_line: Option<String>,
    last_line: Option<String>,
    /// The known signature of the first error line, else of another error line.
    signature: Option<Match<'static>>,
}

pub(super) fn failures(snapshot: &Snapshot, pods: &[&Pod]) -> Vec<Failure> {
    let mut out = Vec::new();
    for pod in pods {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let name = pod.metadata.name.as_deref().unwrap_or("");
        let statuses = pod.status.as_ref().map(|s| {
            s.init_container_statuses
                .iter()
                .flatten()
                .chain(s.container_statuses.iter().flatten())
                .collect::<Vec<_>>()
        });
        for cs in statuses.into_iter().flatten() {
            let term = cs
                .state
                .as_ref()
                .and_then(|s| s.terminated.as_ref())
                .or_else(|| cs.last_state.as_ref()?.terminated.as_ref());
            let Some(term) = term.filter(|t| t.exit_code != 0) else {
                continue;
            };
            let log = snapshot
                .log(ns, name, &cs.name, false)
                .filter(|l| !l.trim().is_empty())
                .or_else(|| snapshot.log(ns, name, &cs.name, true));
            let log_line = log.and_then(first_error_line);
            let signature = log.and_then(|l| {
                signatures::active().find(
                    log_line
                        .as_deref()
                        .into_iter()
                        .chain(l.lines().filter(|x| is_error_line(x, Strictness::Any))),
                )
            });
            out.push(Failure {
                pod: name.to_string(),
                container: cs.name.clone(),
                exit_code: term.exit_code,
                reason: term.reason.clone().filter(|r| r != "Error"),
                signature,
                log_line,
                last_line: log
                    .and_then(|l| l.lines().rev().find(|x| !x.trim().is_empty()))
                    .map(|l| clip(l.trim(), Budget::Bytes(MAX_LINE))),
            });
        }
    }
    out
}

/// The first line that reads like an error; structured info/debug lines are skipped.
pub(super) fn first_error_line(log: &str) -> Option<String> {
    log.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .find(|l| is_error_line(l, Strictness::Mentioned))
        .map(|l| clip(l, Budget::Bytes(MAX_LINE)))
}

/// Log lines quoted in a finding keep at most this many bytes.
const MAX_LINE: usize = 300;

fn signal_note(code: i32) -> &'static str {
    match code {
        137 => " (SIGKILL)",
        143 => " (SIGTERM)",
        _ => "",
    }
}

fn job_finding(snapshot: &Snapshot, job: &Job, failed: &JobCondition) -> Finding {
    let subject = ObjectRef::from_meta(Kind::Job, &job.metadata);
    let spec = job.spec.as_ref();
    let reason = failed.reason.as_deref().unwrap_or("Failed");
    let pods = pods_of(snapshot, job);
    let fails = failures(snapshot, &pods);
    let failed_count = job
        .status
        .as_ref()
        .and_then(|s| s.failed)
        .unwrap_or(fails.len() as i32);
    let mut f = describe(FailedJob {
        name: job.metadata.name.as_deref().unwrap_or(""),
        namespace: job.metadata.namespace.as_deref(),
        subject: subject.clone(),
        workload: snapshot.workload_of(Kind::Job, &job.metadata),
        reason,
        message: failed.message.as_deref().unwrap_or("").trim().to_string(),
        backoff_limit: Some(spec.and_then(|s| s.backoff_limit).unwrap_or(6)),
        deadline: spec.and_then(|s| s.active_deadline_seconds),
        failed_count,
        fails,
    });
    f.evidence.insert(
        0,
        Context::evidence(
            EvidenceSource::Status,
            &subject,
            format!(
                "Failed=True {reason}: {}",
                failed.message.as_deref().unwrap_or("").trim()
            ),
            Strength::Direct,
        ),
    );
    if let Some(e) = snapshot
        .events_about(Kind::Job, &job.metadata)
        .into_iter()
        .rfind(|e| e.reason.as_deref() == Some(reason))
    {
        f.evidence
            .insert(1, Context::event_evidence(e, Strength::Direct));
    }
    f
}

/// What is known of one failed Job: from its object, or from its pods alone when the
/// input has no Job objects.
pub(super) struct FailedJob<'a> {
    name: &'a str,
    namespace: Option<&'a str>,
    subject: ObjectRef,
    workload: ObjectRef,
    /// The Failed condition's reason (`BackoffLimitExceeded`, `DeadlineExceeded`…), or
    /// [`PODS_FAILED`] when only the pods say it failed.
    reason: &'a str,
    message: String,
    /// The spec's backoffLimit, when the Job object was read.
    backoff_limit: Option<i32>,
    deadline: Option<i64>,
    failed_count: i32,
    fails: Vec<Failure>,
}

/// The reason of a Job seen only through its pods: every one of them failed.
pub(super) const PODS_FAILED: &str = "PodsFailed";

/// The finding for a failed Job, with the pods' evidence; the caller adds the Job's own.
fn describe(job: FailedJob<'_>) -> Finding {
    let FailedJob {
        name,
        namespace,
        subject,
        workload,
        reason,
        message,
        backoff_limit,
        deadline,
        failed_count,
        fails,
    } = job;
    let owner = if workload != subject {
        format!(" ({} {})", workload.kind, workload.name)
    } else {
        String::new()
    };

    // Exit codes across attempts: `exited 2 (3 pods)`.
    let mut codes: BTreeMap<i32, usize> = BTreeMap::new();
    for f in &fails {
        *codes.entry(f.exit_code).or_default() += 1;
    }
    let codes_text = codes
        .iter()
        .map(|(c, n)| {
            format!(
                "{c}{}{}",
                signal_note(*c),
                if *n > 1 {
                    format!(" ({n} pods)")
                } else {
                    String::new()
                }
            )
        })
        .collect::<Vec<_>>()
        .join(", ");
    let error_line = fails.iter().find_map(|f| f.log_line.clone());
    let signature = fails.iter().find_map(|f| f.signature.clone());
    let every = if codes.len() == 1 && fails.len() > 1 {
        "every pod"
    } else {
        "its pods"
    };

    let mut f = Finding::new(
        "job-failed",
        Category::JobFailed,
        subject.clone(),
        workload.clone(),
        reason,
    );
    f.severity = Severity::Critical;
    f.summary = match reason {
        PODS_FAILED => format!("Job {name} failed: its pods failed"),
        _ => format!("Job {name} failed: {reason}"),
    };
    let ns = namespace.unwrap_or("default");
    match reason {
        "DeadlineExceeded" => {
            let deadline_text = deadline
                .map(|d| format!("activeDeadlineSeconds ({d}s)"))
                .unwrap_or_else(|| "activeDeadlineSeconds".into());
            let killed = if codes_text.is_empty() {
                String::new()
            } else {
                format!("; its pod was stopped with exit code {codes_text}")
            };
            let last = fails
                .iter()
                .find_map(|f| f.last_line.clone())
                .map(|l| format!("; last log line: `{l}`"))
                .unwrap_or_default();
            f.cause = format!(
                "Job {name}{owner} ran longer than its {deadline_text} and was terminated (DeadlineExceeded){killed}{last}."
            );
            f.fix = vec![
                format!("If the work legitimately takes longer, raise activeDeadlineSeconds of {workload} above the real run time (measure it from the logs); otherwise find why it is slow."),
                "Split the work into smaller Jobs (indexed completions) or make it resumable so a retry continues instead of restarting.".into(),
            ];
            if let Some(d) = deadline {
                f = f.fact("active_deadline_seconds", d);
            }
        }
        _ => {
            // A signature whose cause quotes the line says it once, with what it means.
            let quoted_by_signature = signature
                .as_ref()
                .is_some_and(|m| m.cause().contains(&m.line));
            let said = error_line
                .as_ref()
                .filter(|_| !quoted_by_signature)
                .map(|l| format!(" after logging `{l}`"))
                .unwrap_or_default();
            let exits = if codes_text.is_empty() {
                String::new()
            } else {
                format!(": {every} exited with code {codes_text}{said}")
            };
            let what = match (reason, backoff_limit) {
                ("BackoffLimitExceeded", Some(limit)) => format!(
                    "failed {failed_count} time(s) and hit its backoffLimit ({limit}, BackoffLimitExceeded)"
                ),
                ("BackoffLimitExceeded", None) => format!(
                    "failed {failed_count} time(s) and hit its backoffLimit (BackoffLimitExceeded)"
                ),
                (PODS_FAILED, _) => {
                    format!("failed ({failed_count} failed pod(s), none succeeded)")
                }
                _ => format!("failed ({reason}: {message})"),
            };
            let meaning = signature
                .as_ref()
                .map(|m| format!(" {}", m.cause()))
                .unwrap_or_default();
            f.cause = format!("Job {name}{owner} {what}{exits}.{meaning}");
            // Only a CronJob can stamp out a fresh Job; a finished Job never runs again.
            let rerun = match workload.kind.as_str() {
                "CronJob" => format!(
                    "rerun it: `kubectl create job --from=cronjob/{0} {0}-manual -n {ns}`",
                    workload.name
                ),
                _ => format!(
                    "recreate it (a failed Job does not run again): `kubectl delete job {name} -n {ns}` and apply its manifest, or let the GitOps tool resync it"
                ),
            };
            f.fix = match (&signature, &error_line) {
                (Some(m), _) => {
                    let mut steps = m.fix();
                    steps.push(format!("Then {rerun}."));
                    steps
                }
                (None, Some(l)) => vec![format!("Fix what the job reports (`{l}`), then {rerun}.")],
                (None, None) => vec![format!(
                    "Read the failed pods' logs (`kubectl logs job/{name} -n {ns}`) and fix the error, then {rerun}."
                )],
            };
            if let Some(limit) = backoff_limit {
                f = f.fact("backoff_limit", limit);
            }
            f = f.fact("failed", failed_count);
        }
    }
    f.prevention = vec!["Alert on failed Jobs (kube_job_status_failed) and on CronJobs whose last success is older than their schedule.".into()];
    if let Some((code, _)) = codes.iter().next() {
        f = f.fact("exit_code", code);
    }
    if let Some(m) = &signature {
        f = f.fact("signature", &m.signature.id);
    }
    for fl in fails.iter().take(3) {
        let pod = ObjectRef::new("Pod", namespace, fl.pod.clone());
        let why = fl
            .reason
            .as_deref()
            .map(|r| format!(" {r}"))
            .unwrap_or_default();
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &pod,
            format!(
                "container {} terminated{why} with exit code {}",
                fl.container, fl.exit_code
            ),
            Strength::Circumstantial,
        ));
    }
    if let Some(fl) = fails.iter().find(|f| f.log_line.is_some()) {
        let pod = ObjectRef::new("Pod", namespace, fl.pod.clone());
        f.evidence.push(Context::evidence(
            EvidenceSource::Log,
            &pod,
            fl.log_line.clone().unwrap_or_default(),
            Strength::Indirect,
        ));
    }
    if let Some((fl, m)) = fails
        .iter()
        .find_map(|fl| Some((fl, fl.signature.as_ref()?)))
        .filter(|(fl, m)| fl.log_line.as_deref() != Some(m.line.as_str()))
    {
        let pod = ObjectRef::new("Pod", namespace, fl.pod.clone());
        f.evidence.push(Context::evidence(
            EvidenceSource::Log,
            &pod,
            format!("signature {}: {}", m.signature.id, m.line),
            Strength::Indirect,
        ));
    }
    f
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn backoff_limit_names_the_cronjob_exit_code_and_first_error_line() {
        let out = run(&JobFailed, "job/backoff-limit");
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.category, Category::JobFailed);
        assert_eq!(f.workload.to_string(), "CronJob shop/nightly-backup");
        for s in [
            "BackoffLimitExceeded",
            "password authentication failed for user \"backup\"",
            "code 2",
        ] {
            assert!(f.cause.contains(s), "{s} in {}", f.cause);
        }
        assert!(f.remedy.is_none());
    }

    #[test]
    fn a_known_error_in_the_log_names_its_signature_and_says_what_to_do() {
        let f = &run(&JobFailed, "job/backoff-limit")[0];
        assert_eq!(
            f.facts.get("signature").map(String::as_str),
            Some("postgres-password-authentication-failed")
        );
        assert!(
            f.cause
                .contains("PostgreSQL rejects the password of user backup"),
            "{}",
            f.cause
        );
        assert!(
            f.fix[0].contains("Secret the workload reads for backup")
                && !f
                    .fix
                    .iter()
                    .any(|x| x.starts_with("Fix what the job reports")),
            "{:?}",
            f.fix
        );
    }

    #[test]
    fn deadline_exceeded_names_the_deadline() {
        let out = run(&JobFailed, "job/deadline-exceeded.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.workload.to_string(), "Job shop/reindex-catalog");
        assert!(
            f.cause.contains("DeadlineExceeded") && f.cause.contains("1800"),
            "{}",
            f.cause
        );
    }

    #[test]
    fn a_failed_job_of_a_cronjob_is_rerun_from_the_cronjob_and_a_standalone_one_recreated() {
        let cron = &run(&JobFailed, "job/backoff-limit")[0];
        assert!(
            cron.fix
                .last()
                .is_some_and(|f| f.contains("kubectl create job --from=cronjob/nightly-backup")),
            "{:?}",
            cron.fix
        );
        let out = run(&JobFailed, "job/standalone-backoff.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        let job = &out[0];
        assert_eq!(job.workload.to_string(), "Job shop/reindex-catalog");
        assert!(
            job.fix[0].contains("kubectl delete job reindex-catalog -n shop")
                && !job.fix[0].contains("--from=cronjob"),
            "{:?}",
            job.fix
        );
    }

    #[test]
    fn failure_superseded_by_a_later_successful_run_is_healthy() {
        assert!(run(&JobFailed, "job/superseded.json").is_empty());
    }

    #[test]
    fn of_two_failed_runs_only_the_latest_is_reported() {
        let out = run(&JobFailed, "job/two-failed-runs.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].subject.name, "nightly-backup-29920440");
        assert_eq!(out[0].workload.to_string(), "CronJob shop/nightly-backup");
    }

    /// The fixture as a `cluster-info dump` has it: no Job or CronJob objects.
    fn without_jobs(path: &str) -> Snapshot {
        let s = crate::analyze::testing::fixture(path);
        let mut objects = s.objects;
        objects.jobs.clear();
        objects.cron_jobs.clear();
        Snapshot::new(s.meta, objects, s.logs, s.warnings)
    }

    #[test]
    fn a_job_absent_from_the_input_is_read_from_its_pods_and_its_cronjob_inferred() {
        let out = crate::analyze::testing::findings(&JobFailed, &without_jobs("job/backoff-limit"));
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.subject.to_string(), "Job shop/nightly-backup-29919000");
        assert_eq!(f.workload.to_string(), "CronJob shop/nightly-backup");
        assert!(
            f.facts["inferred"].contains(
                "CronJob nightly-backup inferred from the name of Job nightly-backup-29919000"
            ),
            "{:?}",
            f.facts
        );
        for s in [
            "BackoffLimitExceeded",
            "code 2",
            "PostgreSQL rejects the password of user backup",
        ] {
            assert!(f.cause.contains(s), "{s} in {}", f.cause);
        }
        assert!(
            f.evidence
                .iter()
                .any(|e| e.excerpt.starts_with("owner inferred: ")),
            "{:#?}",
            f.evidence
        );
    }

    #[test]
    fn a_standalone_job_absent_from_the_input_stays_the_job() {
        let out = crate::analyze::testing::findings(
            &JobFailed,
            &without_jobs("job/standalone-backoff.json"),
        );
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].workload.to_string(), "Job shop/reindex-catalog");
        assert!(!out[0].facts.contains_key("inferred"), "{:?}", out[0].facts);
    }

    #[test]
    fn error_line_skips_info_lines() {
        let log = "{\"level\":\"info\",\"msg\":\"retry failed once\"}\nERROR: disk full\n";
        assert_eq!(first_error_line(log).as_deref(), Some("ERROR: disk full"));
    }
}
