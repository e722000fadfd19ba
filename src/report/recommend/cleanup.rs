//! What is left behind: per-branch namespaces nobody touched for a while, and finished
//! Jobs that nothing cleans up.

use std::collections::BTreeMap;

use k8s_openapi::api::batch::v1::Job;

use super::super::config::ReportConfig;
use super::super::model::{Recommendation, RecommendationKind};
use crate::model::age;
use crate::model::{ObjectRef, Snapshot, event_last_seen};

/// Namespaces named like a branch environment (`[report] feature_namespace_prefixes`)
/// whose newest activity — an object created or an event seen in it — is older than
/// `stale_namespace_days` before the capture.
pub(super) fn stale_namespaces(snapshot: &Snapshot, config: &ReportConfig) -> Vec<Recommendation> {
    let now = snapshot.meta.captured_at;
    let threshold = i64::from(config.stale_namespace_days) * 86_400;
    let mut newest: BTreeMap<String, (jiff::Timestamp, String)> = BTreeMap::new();
    let mut note = |ns: &str, at: jiff::Timestamp, what: String| {
        let e = newest.entry(ns.to_string()).or_insert((at, what.clone()));
        if at > e.0 {
            *e = (at, what);
        }
    };
    for (kind, meta) in snapshot.objects.metas() {
        let (Some(ns), Some(created)) =
            (meta.namespace.as_deref(), meta.creation_timestamp.as_ref())
        else {
            continue;
        };
        let name = meta.name.as_deref().unwrap_or("");
        note(
            ns,
            created.0,
            format!("{} {name} created", kind.info().name),
        );
    }
    for event in &snapshot.objects.events {
        if let (Some(ns), Some(seen)) =
            (event.metadata.namespace.as_deref(), event_last_seen(event))
        {
            let reason = event.reason.as_deref().unwrap_or("an event");
            note(ns, seen, format!("{reason} event seen"));
        }
    }
    let mut out = Vec::new();
    for ns in snapshot.namespaces() {
        let Some(prefix) = config
            .feature_namespace_prefixes
            .iter()
            .find(|p| ns.starts_with(p.as_str()))
        else {
            continue;
        };
        let created = snapshot
            .objects
            .namespaces
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(ns.as_str()))
            .and_then(|n| n.metadata.creation_timestamp.as_ref())
            .map(|t| (t.0, "namespace created".to_string()));
        let Some((at, what)) = newest
            .get(&ns)
            .cloned()
            .into_iter()
            .chain(created)
            .max_by_key(|(t, _)| *t)
        else {
            continue;
        };
        let idle = now.duration_since(at).as_secs();
        if idle <= threshold {
            continue;
        }
        out.push(Recommendation {
            kind: RecommendationKind::StaleNamespace,
            subject: ObjectRef::new("Namespace", None, ns.clone()),
            summary: format!("per-branch namespace (prefix {prefix}) idle for {}", age(now, at)),
            arithmetic: format!(
                "newest activity {at} ({what}) is {} days before the capture; the threshold is {} days",
                idle / 86_400,
                config.stale_namespace_days
            ),
            action: format!(
                "if its branch is merged or closed, delete it (`kubectl delete namespace {ns}`) or let the preview tooling expire it"
            ),
        });
    }
    out
}

/// When a Job finished (completed or failed), if it has.
fn finished_at(job: &Job) -> Option<jiff::Timestamp> {
    let st = job.status.as_ref()?;
    if let Some(t) = &st.completion_time {
        return Some(t.0);
    }
    st.conditions
        .iter()
        .flatten()
        .find(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True")
        .map(|c| {
            c.last_transition_time
                .as_ref()
                .map_or(jiff::Timestamp::UNIX_EPOCH, |t| t.0)
        })
}

/// Namespaces holding at least `finished_jobs_threshold` finished Jobs that no CronJob
/// prunes and no `ttlSecondsAfterFinished` removes.
pub(super) fn finished_jobs(snapshot: &Snapshot, config: &ReportConfig) -> Vec<Recommendation> {
    const DAY: i64 = 86_400;
    let now = snapshot.meta.captured_at;
    let mut by_ns: BTreeMap<&str, Vec<(jiff::Timestamp, bool)>> = BTreeMap::new();
    for job in &snapshot.objects.jobs {
        let pruned = snapshot.controller_of(&job.metadata).is_some()
            || job
                .spec
                .as_ref()
                .and_then(|s| s.ttl_seconds_after_finished)
                .is_some();
        let (false, Some(at)) = (pruned, finished_at(job)) else {
            continue;
        };
        let failed = job.status.as_ref().and_then(|s| s.failed).unwrap_or(0) > 0
            && job.status.as_ref().and_then(|s| s.succeeded).unwrap_or(0) == 0;
        by_ns
            .entry(job.metadata.namespace.as_deref().unwrap_or(""))
            .or_default()
            .push((at, failed));
    }
    let mut out = Vec::new();
    for (ns, jobs) in by_ns {
        if jobs.len() < config.finished_jobs_threshold as usize {
            continue;
        }
        let failed = jobs.iter().filter(|(_, f)| *f).count();
        let oldest = jobs.iter().map(|(t, _)| *t).min().unwrap_or(now);
        let older_than_a_day = jobs
            .iter()
            .filter(|(t, _)| now.duration_since(*t).as_secs() > DAY)
            .count();
        out.push(Recommendation {
            kind: RecommendationKind::FinishedJobs,
            subject: ObjectRef::new("Namespace", None, ns),
            summary: format!("{} finished Jobs pile up (none has ttlSecondsAfterFinished)", jobs.len()),
            arithmetic: format!(
                "{} finished ({} complete, {failed} failed), the oldest {} ago; with ttlSecondsAfterFinished: {DAY}, {older_than_a_day} of them would already be gone (threshold {})",
                jobs.len(),
                jobs.len() - failed,
                age(now, oldest),
                config.finished_jobs_threshold
            ),
            action: format!(
                "set spec.ttlSecondsAfterFinished on the Jobs in {ns} (or run them from a CronJob with history limits)"
            ),
        });
    }
    out
}
