//! The objects a human fixes, with the pod template they run: what the score's
//! `workloads` and `containers` sections and the hygiene recommendations walk over.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Container, PodSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use crate::model::{Kind, ObjectRef, Snapshot};

/// A Deployment, StatefulSet, DaemonSet, CronJob, a Job no CronJob owns, a ReplicaSet no
/// Deployment owns, or a bare Pod.
pub struct Workload<'a> {
    pub subject: ObjectRef,
    /// The pod template's spec (the pod's own spec for a bare Pod).
    pub spec: Option<&'a PodSpec>,
    /// Serves traffic or runs forever, so readiness matters (not a Job or CronJob).
    pub long_running: bool,
}

/// Every workload in the snapshot, in a stable order (kind, namespace, name).
pub fn workloads(snapshot: &Snapshot) -> Vec<Workload<'_>> {
    let o = &snapshot.objects;
    let mut out = Vec::new();
    let owned = |meta| snapshot.controller_of(meta).is_some();
    for d in &o.deployments {
        out.push(Workload {
            subject: ObjectRef::from_meta(Kind::Deployment, &d.metadata),
            spec: d.spec.as_ref().and_then(|s| s.template.spec.as_ref()),
            long_running: true,
        });
    }
    for s in &o.stateful_sets {
        out.push(Workload {
            subject: ObjectRef::from_meta(Kind::StatefulSet, &s.metadata),
            spec: s.spec.as_ref().and_then(|s| s.template.spec.as_ref()),
            long_running: true,
        });
    }
    for d in &o.daemon_sets {
        out.push(Workload {
            subject: ObjectRef::from_meta(Kind::DaemonSet, &d.metadata),
            spec: d.spec.as_ref().and_then(|s| s.template.spec.as_ref()),
            long_running: true,
        });
    }
    for rs in o.replica_sets.iter().filter(|rs| !owned(&rs.metadata)) {
        out.push(Workload {
            subject: ObjectRef::from_meta(Kind::ReplicaSet, &rs.metadata),
            spec: rs
                .spec
                .as_ref()
                .and_then(|s| s.template.as_ref())
                .and_then(|t| t.spec.as_ref()),
            long_running: true,
        });
    }
    for c in &o.cron_jobs {
        out.push(Workload {
            subject: ObjectRef::from_meta(Kind::CronJob, &c.metadata),
            spec: c
                .spec
                .as_ref()
                .and_then(|s| s.job_template.spec.as_ref())
                .and_then(|j| j.template.spec.as_ref()),
            long_running: false,
        });
    }
    for j in o.jobs.iter().filter(|j| !owned(&j.metadata)) {
        out.push(Workload {
            subject: ObjectRef::from_meta(Kind::Job, &j.metadata),
            spec: j.spec.as_ref().and_then(|s| s.template.spec.as_ref()),
            long_running: false,
        });
    }
    for p in o.pods.iter().filter(|p| !owned(&p.metadata)) {
        out.push(Workload {
            subject: ObjectRef::from_meta(Kind::Pod, &p.metadata),
            spec: p.spec.as_ref(),
            long_running: !matches!(
                p.spec.as_ref().and_then(|s| s.restart_policy.as_deref()),
                Some("Never" | "OnFailure")
            ),
        });
    }
    out
}

/// What a container lacks of the resource settings the report checks for. A limit without
/// a request counts as both: Kubernetes defaults the request to the limit.
pub fn missing_resources(c: &Container) -> Vec<&'static str> {
    let r = c.resources.as_ref();
    let requests = r.and_then(|r| r.requests.as_ref());
    let limits = r.and_then(|r| r.limits.as_ref());
    let has =
        |m: Option<&BTreeMap<String, Quantity>>, key: &str| m.is_some_and(|m| m.contains_key(key));
    let mut missing = Vec::new();
    if !has(requests, "cpu") && !has(limits, "cpu") {
        missing.push("cpu request");
    }
    if !has(requests, "memory") && !has(limits, "memory") {
        missing.push("memory request");
    }
    if !has(limits, "memory") {
        missing.push("memory limit");
    }
    missing
}
