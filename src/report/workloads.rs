//! The objects a human fixes, with the pod template they run: what the score's
//! `workloads` and `containers` sections and the hygiene recommendations walk over.

use std::collections::BTreeMap;

use k8s_openapi::api::apps::v1::{DaemonSet, Deployment, ReplicaSet, StatefulSet};
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{Container, Pod, PodSpec};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

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

/// A kind that may be a workload of its own.
pub trait AsWorkload {
    /// The object as a workload; `None` when it belongs to another (a ReplicaSet, Job or
    /// Pod with an owner: its owner is the workload).
    fn workload(&self) -> Option<Workload<'_>>;
}

/// Whether an object has an owner (`Snapshot::controller_of` names one).
fn owned(meta: &ObjectMeta) -> bool {
    meta.owner_references
        .as_ref()
        .is_some_and(|o| !o.is_empty())
}

fn workload<'a>(
    kind: Kind,
    meta: &ObjectMeta,
    spec: Option<&'a PodSpec>,
    long_running: bool,
) -> Option<Workload<'a>> {
    Some(Workload {
        subject: ObjectRef::from_meta(kind, meta),
        spec,
        long_running,
    })
}

impl AsWorkload for Deployment {
    fn workload(&self) -> Option<Workload<'_>> {
        let spec = self.spec.as_ref().and_then(|s| s.template.spec.as_ref());
        workload(Kind::Deployment, &self.metadata, spec, true)
    }
}

impl AsWorkload for StatefulSet {
    fn workload(&self) -> Option<Workload<'_>> {
        let spec = self.spec.as_ref().and_then(|s| s.template.spec.as_ref());
        workload(Kind::StatefulSet, &self.metadata, spec, true)
    }
}

impl AsWorkload for DaemonSet {
    fn workload(&self) -> Option<Workload<'_>> {
        let spec = self.spec.as_ref().and_then(|s| s.template.spec.as_ref());
        workload(Kind::DaemonSet, &self.metadata, spec, true)
    }
}

impl AsWorkload for ReplicaSet {
    fn workload(&self) -> Option<Workload<'_>> {
        if owned(&self.metadata) {
            return None;
        }
        let spec = self
            .spec
            .as_ref()
            .and_then(|s| s.template.as_ref())
            .and_then(|t| t.spec.as_ref());
        workload(Kind::ReplicaSet, &self.metadata, spec, true)
    }
}

impl AsWorkload for CronJob {
    fn workload(&self) -> Option<Workload<'_>> {
        let spec = self
            .spec
            .as_ref()
            .and_then(|s| s.job_template.spec.as_ref())
            .and_then(|j| j.template.spec.as_ref());
        workload(Kind::CronJob, &self.metadata, spec, false)
    }
}

impl AsWorkload for Job {
    fn workload(&self) -> Option<Workload<'_>> {
        if owned(&self.metadata) {
            return None;
        }
        let spec = self.spec.as_ref().and_then(|s| s.template.spec.as_ref());
        workload(Kind::Job, &self.metadata, spec, false)
    }
}

impl AsWorkload for Pod {
    fn workload(&self) -> Option<Workload<'_>> {
        if owned(&self.metadata) {
            return None;
        }
        let spec = self.spec.as_ref();
        let long_running = !matches!(
            spec.and_then(|s| s.restart_policy.as_deref()),
            Some("Never" | "OnFailure")
        );
        workload(Kind::Pod, &self.metadata, spec, long_running)
    }
}

/// Every workload in the snapshot, in a stable order (kind, namespace, name).
pub fn workloads(snapshot: &Snapshot) -> Vec<Workload<'_>> {
    fn of<T: AsWorkload>(objects: &[T]) -> impl Iterator<Item = Workload<'_>> {
        objects.iter().filter_map(AsWorkload::workload)
    }
    let o = &snapshot.objects;
    of(&o.deployments)
        .chain(of(&o.stateful_sets))
        .chain(of(&o.daemon_sets))
        .chain(of(&o.replica_sets))
        .chain(of(&o.cron_jobs))
        .chain(of(&o.jobs))
        .chain(of(&o.pods))
        .collect()
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
