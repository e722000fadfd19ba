//! The status of the workload (replicas, conditions, what its template runs) and the
//! conditions of pods and nodes, rendered once: a condition the rules engine's evidence
//! quotes is left to it, conditions that say the same thing share a line, and a
//! controller's fixed wording (`Deployment has minimum availability.`) is left to its
//! reason.

use std::fmt::Write as _;

use k8s_openapi::api::core::v1::PodSpec;

use crate::model::{Kind, ObjectRef, Snapshot};

/// Replicas, conditions and limits of the workload, as `kubectl describe` leads with.
/// `rollout` adds how a Deployment rolls out; `running` is what the pod shown in detail
/// runs: the template's images are said only when they differ from it (a paused or stuck
/// rollout). `said` is the rules engine's evidence.
pub(super) fn workload_status(
    snapshot: &Snapshot,
    subject: &ObjectRef,
    rollout: bool,
    running: Option<&PodSpec>,
    said: &[&str],
) -> Option<String> {
    let ns = subject.namespace.as_deref().unwrap_or("");
    let kind = subject.known_kind()?;
    let i = snapshot.index().position(kind, ns, &subject.name)?;
    let o = &snapshot.objects;
    let running = running.map(|s| images(Some(s)));
    let images = |spec: Option<&PodSpec>| {
        let wanted = images(spec);
        (running.as_ref() != Some(&wanted)).then_some(wanted)
    };
    let value = match kind {
        Kind::Deployment => {
            let d = o.deployments.get(i)?;
            let spec = d.spec.as_ref();
            let (deadline, strategy) = match rollout {
                true => (
                    spec.and_then(|s| s.progress_deadline_seconds),
                    spec.and_then(|s| s.strategy.as_ref()).map(strategy),
                ),
                false => (None, None),
            };
            serde_json::json!({"spec": {"replicas": spec.and_then(|s| s.replicas),
                "paused": spec.and_then(|s| s.paused),
                "progressDeadlineSeconds": deadline,
                "strategy": strategy,
                "images": images(spec.and_then(|s| s.template.spec.as_ref()))},
                "status": d.status})
        }
        Kind::StatefulSet => {
            let s = o.stateful_sets.get(i)?;
            serde_json::json!({"images": images(s.spec.as_ref().and_then(|s| s.template.spec.as_ref())),
                "status": s.status})
        }
        Kind::DaemonSet => {
            let s = o.daemon_sets.get(i)?;
            serde_json::json!({"images": images(s.spec.as_ref().and_then(|s| s.template.spec.as_ref())),
                "status": s.status})
        }
        Kind::Job => {
            let j = o.jobs.get(i)?;
            serde_json::json!({"spec": {"backoffLimit": j.spec.as_ref().and_then(|s| s.backoff_limit),
                "activeDeadlineSeconds": j.spec.as_ref().and_then(|s| s.active_deadline_seconds),
                "completions": j.spec.as_ref().and_then(|s| s.completions)},
                "status": j.status})
        }
        Kind::CronJob => {
            let c = o.cron_jobs.get(i)?;
            serde_json::json!({"spec": {"schedule": c.spec.as_ref().map(|s| s.schedule.clone()),
                "suspend": c.spec.as_ref().and_then(|s| s.suspend)},
                "status": c.status})
        }
        Kind::Node => {
            serde_json::json!({"conditions": o.nodes.get(i)?.status.as_ref().and_then(|s| s.conditions.clone()),
            "unschedulable": o.nodes.get(i)?.spec.as_ref().and_then(|s| s.unschedulable)})
        }
        _ => return None,
    };
    let mut out = String::new();
    let mut conditions = Conditions::default();
    flatten("", &value, &mut out, &mut conditions);
    let out = fold_revisions(&fold_counts(&out));
    Some(out + &conditions.render(said))
}

/// `RollingUpdate maxSurge=1 maxUnavailable=0`.
fn strategy(s: &k8s_openapi::api::apps::v1::DeploymentStrategy) -> String {
    let mut out = s.type_.clone().unwrap_or_else(|| "RollingUpdate".into());
    if let Some(r) = &s.rolling_update {
        for (name, v) in [
            ("maxSurge", &r.max_surge),
            ("maxUnavailable", &r.max_unavailable),
        ] {
            if let Some(v) = v {
                let v = match v {
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => {
                        n.to_string()
                    }
                    k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => {
                        s.clone()
                    }
                };
                let _ = write!(out, " {name}={v}");
            }
        }
    }
    out
}

/// Conditions as they are met, rendered together at the end.
#[derive(Default)]
pub(super) struct Conditions(Vec<(String, String, String, String)>);

/// Reasons whose message is the controller's fixed wording: it adds nothing to the reason
/// but the name of a ReplicaSet, which is kept.
const FIXED_WORDING: [&str; 9] = [
    "MinimumReplicasAvailable",
    "MinimumReplicasUnavailable",
    "NewReplicaSetAvailable",
    "ReplicaSetUpdated",
    "NewReplicaSetCreated",
    "FoundNewReplicaSet",
    "ProgressDeadlineExceeded",
    "DeploymentPaused",
    "DeploymentResumed",
];

impl Conditions {
    pub fn push(&mut self, type_: &str, status: &str, reason: &str, message: &str) {
        self.0.push((
            type_.into(),
            status.into(),
            reason.into(),
            message.trim().into(),
        ));
    }

    /// `condition Type=Status Reason: message` lines. One the rules engine's evidence
    /// (`said`) quotes is left out, and its message alone is not repeated either;
    /// conditions with one status, reason and message share a line (`condition
    /// MemoryPressure, DiskPressure=Unknown NodeStatusUnknown: Kubelet stopped posting
    /// node status.`).
    pub fn render(&self, said: &[&str]) -> String {
        let in_said = |s: &str| said.iter().any(|e| e.contains(s));
        let mut lines: Vec<(Vec<&str>, String)> = Vec::new();
        for (t, st, reason, message) in &self.0 {
            let full = match message.is_empty() {
                true => format!("{t}={st} {reason}"),
                false => format!("{t}={st} {reason}: {message}"),
            };
            if in_said(full.trim_end()) {
                continue;
            }
            let mut tail = format!("={st}");
            if !reason.is_empty() {
                let _ = write!(tail, " {reason}");
            }
            if FIXED_WORDING.contains(&reason.as_str()) {
                if let Some(name) = message.split('"').nth(1) {
                    let _ = write!(tail, " ({name})");
                }
            } else if !message.is_empty() && !in_said(message) {
                let _ = write!(tail, ": {message}");
            }
            match lines.iter_mut().find(|(_, t)| *t == tail) {
                Some((types, _)) => types.push(t),
                None => lines.push((vec![t], tail)),
            }
        }
        lines
            .into_iter()
            .map(|(types, tail)| format!("condition {}{tail}\n", types.join(", ")))
            .collect()
    }
}

/// `spec.replicas=3`, `status.replicas=4`, `status.readyReplicas=3`… on one line, as
/// `kubectl get deploy` shows them: `replicas: desired 3, current 4, ready 3, …`; a Job's
/// pod counts likewise: `pods: active 1, failed 2`.
fn fold_counts(flat: &str) -> String {
    const NAMES: [(&str, &str, &str); 12] = [
        ("replicas", "spec.replicas", "desired"),
        ("replicas", "status.replicas", "current"),
        ("replicas", "status.updatedReplicas", "updated"),
        ("replicas", "status.readyReplicas", "ready"),
        ("replicas", "status.availableReplicas", "available"),
        ("replicas", "status.unavailableReplicas", "unavailable"),
        ("replicas", "status.currentReplicas", "at current revision"),
        ("pods", "status.active", "active"),
        ("pods", "status.ready", "ready"),
        ("pods", "status.succeeded", "succeeded"),
        ("pods", "status.failed", "failed"),
        ("pods", "status.terminating", "terminating"),
    ];
    /// A group's line goes where its first count was, `at`; counts are ordered as in
    /// `NAMES`.
    struct Group {
        name: &'static str,
        at: usize,
        counts: Vec<(usize, String)>,
    }
    let mut groups: Vec<Group> = Vec::new();
    let mut out = String::new();
    for line in flat.lines() {
        let named = line.split_once('=').and_then(|(path, n)| {
            let i = NAMES.iter().position(|(_, p, _)| *p == path)?;
            Some((i, format!("{} {n}", NAMES[i].2)))
        });
        match named {
            Some((i, count)) => match groups.iter_mut().find(|g| g.name == NAMES[i].0) {
                Some(g) => g.counts.push((i, count)),
                None => groups.push(Group {
                    name: NAMES[i].0,
                    at: out.len(),
                    counts: vec![(i, count)],
                }),
            },
            None => {
                out.push_str(line);
                out.push('\n');
            }
        }
    }
    // Inserted from the last so that earlier offsets stay valid.
    for mut g in groups.into_iter().rev() {
        g.counts.sort_by_key(|(i, _)| *i);
        let line: Vec<String> = g.counts.into_iter().map(|(_, c)| c).collect();
        out.insert_str(g.at, &format!("{}: {}\n", g.name, line.join(", ")));
    }
    out
}

/// A StatefulSet's or DaemonSet's current and update revisions, on one line when they are
/// the same (no rollout under way).
fn fold_revisions(flat: &str) -> String {
    let value = |key: &str| {
        flat.lines()
            .find_map(|l| l.strip_prefix(key)?.strip_prefix('='))
    };
    match (
        value("status.currentRevision"),
        value("status.updateRevision"),
    ) {
        (Some(current), Some(update)) if current == update => flat
            .lines()
            .filter(|l| !l.starts_with("status.updateRevision="))
            .map(|l| match l.starts_with("status.currentRevision=") {
                true => format!("revision {current} (current and update)\n"),
                false => format!("{l}\n"),
            })
            .collect(),
        _ => flat.to_string(),
    }
}

/// `path=value` lines of a status, without what says nothing about the failure
/// (timestamps, generations, nulls); conditions go to `conditions`.
fn flatten(path: &str, v: &serde_json::Value, out: &mut String, conditions: &mut Conditions) {
    use serde_json::Value;
    match v {
        Value::Null => {}
        Value::Object(map) => {
            if let (Some(Value::String(t)), Some(Value::String(st))) =
                (map.get("type"), map.get("status"))
            {
                let text = |k: &str| map.get(k).and_then(Value::as_str).unwrap_or("");
                conditions.push(t, st, text("reason"), text("message"));
                return;
            }
            for (k, v) in map {
                if k.starts_with("last") && k.ends_with("Time")
                    || k == "observedGeneration"
                    || k == "collisionCount"
                {
                    continue;
                }
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                flatten(&p, v, out, conditions);
            }
        }
        Value::Array(items) if items.iter().all(|i| !i.is_object()) => {
            let joined: Vec<String> = items
                .iter()
                .map(|i| {
                    i.as_str()
                        .map(str::to_string)
                        .unwrap_or_else(|| i.to_string())
                })
                .collect();
            if !joined.is_empty() {
                let _ = writeln!(out, "{path}={}", joined.join(", "));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                flatten(&format!("{path}[{i}]"), item, out, conditions);
            }
        }
        Value::String(s) => {
            let _ = writeln!(out, "{path}={s}");
        }
        other => {
            let _ = writeln!(out, "{path}={other}");
        }
    }
}

/// `container=image` of a pod template: what the workload wants to run.
fn images(spec: Option<&PodSpec>) -> Vec<String> {
    spec.into_iter()
        .flat_map(|s| s.init_containers.iter().flatten().chain(&s.containers))
        .map(|c| format!("{}={}", c.name, c.image.as_deref().unwrap_or("?")))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conditions_the_evidence_quotes_go_and_alike_ones_share_a_line() {
        let mut c = Conditions::default();
        let stopped = "Kubelet stopped posting node status.";
        for t in ["MemoryPressure", "DiskPressure", "Ready"] {
            c.push(t, "Unknown", "NodeStatusUnknown", stopped);
        }
        let said = [
            "Ready=Unknown NodeStatusUnknown: Kubelet stopped posting node status. (since 5m ago)",
        ];
        assert_eq!(
            c.render(&said),
            "condition MemoryPressure, DiskPressure=Unknown NodeStatusUnknown\n",
            "the message is the evidence's; Ready is the evidence itself"
        );
        assert_eq!(
            c.render(&[]),
            format!(
                "condition MemoryPressure, DiskPressure, Ready=Unknown NodeStatusUnknown: {stopped}\n"
            )
        );
    }

    #[test]
    fn a_controllers_fixed_wording_keeps_only_the_replica_set_it_names() {
        let mut c = Conditions::default();
        c.push(
            "Available",
            "False",
            "MinimumReplicasUnavailable",
            "Deployment does not have minimum availability.",
        );
        c.push(
            "Progressing",
            "False",
            "ProgressDeadlineExceeded",
            "ReplicaSet \"web-7d9f8b6c5d\" has timed out progressing.",
        );
        c.push(
            "ReplicaFailure",
            "True",
            "FailedCreate",
            "pods \"web-\" is forbidden: exceeded quota",
        );
        assert_eq!(
            c.render(&[]),
            "condition Available=False MinimumReplicasUnavailable\n\
             condition Progressing=False ProgressDeadlineExceeded (web-7d9f8b6c5d)\n\
             condition ReplicaFailure=True FailedCreate: pods \"web-\" is forbidden: exceeded quota\n"
        );
    }

    #[test]
    fn counts_fold_into_one_line_per_group_and_equal_revisions_into_one() {
        let flat = "spec.replicas=3\nstatus.replicas=4\nstatus.readyReplicas=3\nstatus.currentRevision=pg-1\nstatus.updateRevision=pg-1\nstatus.failed=2\nstatus.ready=0\n";
        assert_eq!(
            fold_revisions(&fold_counts(flat)),
            "replicas: desired 3, current 4, ready 3\nrevision pg-1 (current and update)\npods: ready 0, failed 2\n"
        );
    }
}
