//! Jobs the input does not carry: a `kubectl cluster-info dump` has pods but no Jobs or
//! CronJobs. A Job is then known by its pods (their owner reference, else their job-name
//! label), whether it failed by their phases and exit codes and the Job's events (which
//! the dump does carry), and its CronJob by the Job's name (`model::owners`). Of a
//! CronJob's runs only the latest finished one speaks, as with Job objects.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::{FailedJob, PODS_FAILED, describe, failures};
use crate::analyze::{Context, Finding, Strength};
use crate::model::{Kind, ObjectRef, Snapshot};

/// Job events that say the Job controller marked it failed.
const FAILED_REASONS: &[&str] = &["BackoffLimitExceeded", "DeadlineExceeded"];

/// One Job seen through its pods.
struct Run<'a> {
    namespace: &'a str,
    name: &'a str,
    pods: Vec<&'a Pod>,
    workload: ObjectRef,
    started: Option<jiff::Timestamp>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Running,
    Succeeded,
    Failed,
}

/// The Job a pod belongs to: its owner reference, else the label the Job controller sets.
fn job_of(pod: &Pod) -> Option<&str> {
    let meta = &pod.metadata;
    if let Some(owner) = meta
        .owner_references
        .iter()
        .flatten()
        .find(|o| o.kind == "Job")
    {
        return Some(owner.name.as_str());
    }
    if meta
        .owner_references
        .as_ref()
        .is_some_and(|o| !o.is_empty())
    {
        return None;
    }
    let labels = meta.labels.as_ref()?;
    labels
        .get("batch.kubernetes.io/job-name")
        .or_else(|| labels.get("job-name"))
        .map(String::as_str)
}

fn phase(pod: &Pod) -> Option<&str> {
    pod.status.as_ref()?.phase.as_deref()
}

fn job_events<'a>(
    snapshot: &'a Snapshot,
    run: &Run<'_>,
) -> Vec<&'a k8s_openapi::api::core::v1::Event> {
    let mut events: Vec<_> = snapshot
        .index()
        .events_for("Job", run.namespace, run.name, None)
        .into_iter()
        .filter_map(|i| snapshot.objects.events.get(i))
        .collect();
    events.sort_by_key(|e| crate::model::event_last_seen(e));
    events
}

fn state(snapshot: &Snapshot, run: &Run<'_>) -> State {
    if run.pods.iter().any(|p| phase(p) == Some("Succeeded")) {
        return State::Succeeded;
    }
    let marked_failed = job_events(snapshot, run).iter().any(|e| {
        e.reason
            .as_deref()
            .is_some_and(|r| FAILED_REASONS.contains(&r))
    });
    let latest_failed = run.pods.last().is_some_and(|p| phase(p) == Some("Failed"));
    // restartPolicy OnFailure: one pod whose container keeps failing in place.
    let crash_looping = run.pods.iter().any(|p| {
        p.status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .into_iter()
            .flatten()
            .any(|cs| {
                cs.state
                    .as_ref()
                    .and_then(|s| s.waiting.as_ref())
                    .and_then(|w| w.reason.as_deref())
                    == Some("CrashLoopBackOff")
            })
    });
    if marked_failed || latest_failed || crash_looping {
        State::Failed
    } else {
        State::Running
    }
}

pub(super) fn analyze(cx: &Context<'_>, out: &mut Vec<Finding>) {
    let snapshot = cx.snapshot;
    let mut by_job: BTreeMap<(&str, &str), Vec<&Pod>> = BTreeMap::new();
    for pod in &snapshot.objects.pods {
        let Some(job) = job_of(pod) else { continue };
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        if snapshot.index().position(Kind::Job, ns, job).is_some() {
            continue;
        }
        by_job.entry((ns, job)).or_default().push(pod);
    }
    // Runs grouped by what a human fixes: a CronJob's runs together.
    let mut by_workload: BTreeMap<ObjectRef, Vec<Run<'_>>> = BTreeMap::new();
    for ((namespace, name), mut pods) in by_job {
        pods.sort_by_key(|p| p.metadata.creation_timestamp.as_ref().map(|t| t.0));
        let workload = snapshot.workload_of(Kind::Pod, &pods[0].metadata);
        let started = crate::model::owners::cronjob_of_job(
            name,
            pods[0].metadata.creation_timestamp.as_ref().map(|t| t.0),
        )
        .map(|(_, at)| at)
        .or_else(|| pods[0].metadata.creation_timestamp.as_ref().map(|t| t.0));
        by_workload.entry(workload.clone()).or_default().push(Run {
            namespace,
            name,
            pods,
            workload,
            started,
        });
    }
    for (_, mut runs) in by_workload {
        runs.sort_by_key(|r| r.started);
        // The latest run that finished is the state of things; each standalone Job is its
        // own workload, so it is its own latest run.
        let Some(run) = runs
            .iter()
            .rev()
            .find(|r| state(snapshot, r) != State::Running)
        else {
            continue;
        };
        if state(snapshot, run) == State::Failed {
            out.push(finding(snapshot, run));
        }
    }
}

fn finding(snapshot: &Snapshot, run: &Run<'_>) -> Finding {
    let events = job_events(snapshot, run);
    let failed_event = events.iter().rev().find(|e| {
        e.reason
            .as_deref()
            .is_some_and(|r| FAILED_REASONS.contains(&r))
    });
    let fails = failures(snapshot, &run.pods);
    let failed_pods = run
        .pods
        .iter()
        .filter(|p| phase(p) == Some("Failed"))
        .count();
    let failed_count = (failed_pods.max(fails.len())) as i32;
    let mut f = describe(FailedJob {
        name: run.name,
        namespace: Some(run.namespace),
        subject: ObjectRef::new("Job", Some(run.namespace), run.name),
        workload: run.workload.clone(),
        reason: failed_event
            .and_then(|e| e.reason.as_deref())
            .unwrap_or(PODS_FAILED),
        message: failed_event
            .and_then(|e| e.message.as_deref())
            .unwrap_or("")
            .trim()
            .to_string(),
        backoff_limit: None,
        deadline: None,
        failed_count,
        fails,
    });
    if let Some(e) = failed_event {
        f.evidence
            .insert(0, Context::event_evidence(e, Strength::Direct));
    }
    f
}
