//! Deployments in the window: every revision of a Deployment (its ReplicaSets), StatefulSet
//! or DaemonSet (its ControllerRevisions) created in the window, what it changed against
//! the revision before, and whether it rolled out.
//!
//! Outcome rules: a revision replaced by a later one is `superseded`. The current revision
//! `succeeded` when every desired replica is updated and available (and the controller has
//! seen the latest spec); it `failed` when the progress deadline passed or the workload has
//! a critical diagnosis while replicas are missing; otherwise it is `in-progress`.

use std::collections::BTreeSet;

use super::model::{Outcome, Rollout, Window};
use crate::analyze::Severity;
use crate::analyze::changes::{changes_between, revisions};
use crate::model::{Kind, ObjectRef, Snapshot};
use crate::rca::Diagnosis;

/// Rollouts in the window, newest first.
pub fn rollouts(snapshot: &Snapshot, diagnoses: &[Diagnosis], window: &Window) -> Vec<Rollout> {
    let critical: BTreeSet<&ObjectRef> = diagnoses
        .iter()
        .filter(|d| d.severity == Severity::Critical)
        .map(|d| &d.subject)
        .collect();
    let o = &snapshot.objects;
    let workloads = o
        .deployments
        .iter()
        .map(|d| {
            (
                ObjectRef::from_meta(Kind::Deployment, &d.metadata),
                current_deployment(d),
            )
        })
        .chain(o.stateful_sets.iter().map(|s| {
            (
                ObjectRef::from_meta(Kind::StatefulSet, &s.metadata),
                current_stateful_set(s),
            )
        }))
        .chain(o.daemon_sets.iter().map(|d| {
            (
                ObjectRef::from_meta(Kind::DaemonSet, &d.metadata),
                current_daemon_set(d),
            )
        }));
    let mut out = Vec::new();
    for (workload, state) in workloads {
        let revs = revisions(snapshot, &workload);
        for (i, rev) in revs.iter().enumerate() {
            let Some(at) = rev.created.filter(|t| window.contains(*t)) else {
                continue;
            };
            let changes = match i.checked_sub(1).and_then(|p| revs.get(p)) {
                Some(prev) => changes_between(prev, rev),
                None => Vec::new(),
            };
            let latest = i + 1 == revs.len();
            let (outcome, detail) = match (latest, &state) {
                (false, _) => (
                    Outcome::Superseded,
                    format!("replaced by revision {}", revs[i + 1].number),
                ),
                (
                    true,
                    State {
                        done: true, detail, ..
                    },
                ) => (Outcome::Succeeded, detail.clone()),
                (
                    true,
                    State {
                        stalled, detail, ..
                    },
                ) if *stalled || critical.contains(&workload) => (Outcome::Failed, detail.clone()),
                (true, State { detail, .. }) => (Outcome::InProgress, detail.clone()),
            };
            let detail = match (i, rev.number) {
                (0, 1) => format!("{detail}; first revision"),
                (0, _) => format!("{detail}; no earlier revision kept to compare"),
                _ => detail,
            };
            out.push(Rollout {
                workload: workload.clone(),
                revision: rev.number,
                revision_name: rev.name.clone(),
                at,
                outcome,
                detail,
                changes,
            });
        }
    }
    out.sort_by(|a, b| b.at.cmp(&a.at).then_with(|| a.workload.cmp(&b.workload)));
    out
}

/// Where the current revision of a workload stands.
struct State {
    done: bool,
    stalled: bool,
    detail: String,
}

fn counts(desired: i32, updated: i32, available: i32) -> String {
    format!("{updated}/{desired} updated, {available}/{desired} available")
}

fn current_deployment(d: &k8s_openapi::api::apps::v1::Deployment) -> State {
    let desired = d.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let paused = d.spec.as_ref().and_then(|s| s.paused).unwrap_or(false);
    let Some(st) = d.status.as_ref() else {
        return State {
            done: false,
            stalled: false,
            detail: "no status yet".into(),
        };
    };
    let updated = st.updated_replicas.unwrap_or(0);
    let available = st.available_replicas.unwrap_or(0);
    let total = st.replicas.unwrap_or(0);
    let observed = st.observed_generation.unwrap_or(0) >= d.metadata.generation.unwrap_or(0);
    let deadline = st.conditions.iter().flatten().any(|c| {
        c.type_ == "Progressing" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    });
    let mut detail = counts(desired, updated, available);
    if total > updated {
        detail.push_str(&format!(", {} old still running", total - updated));
    }
    if deadline {
        detail.push_str(", progress deadline exceeded");
    }
    if paused {
        detail.push_str(", paused");
    }
    State {
        done: observed && updated == desired && available == desired && total == desired,
        stalled: deadline,
        detail,
    }
}

fn current_stateful_set(s: &k8s_openapi::api::apps::v1::StatefulSet) -> State {
    let desired = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
    let Some(st) = s.status.as_ref() else {
        return State {
            done: false,
            stalled: false,
            detail: "no status yet".into(),
        };
    };
    let updated = st.updated_replicas.unwrap_or(0);
    let ready = st.ready_replicas.unwrap_or(0);
    let same = st.current_revision.is_some() && st.current_revision == st.update_revision;
    State {
        done: same && ready == desired,
        stalled: false,
        detail: format!("{updated}/{desired} updated, {ready}/{desired} ready"),
    }
}

fn current_daemon_set(d: &k8s_openapi::api::apps::v1::DaemonSet) -> State {
    let Some(st) = d.status.as_ref() else {
        return State {
            done: false,
            stalled: false,
            detail: "no status yet".into(),
        };
    };
    let desired = st.desired_number_scheduled;
    let updated = st.updated_number_scheduled.unwrap_or(0);
    let available = st.number_available.unwrap_or(0);
    State {
        done: updated == desired && available == desired,
        stalled: false,
        detail: counts(desired, updated, available),
    }
}
