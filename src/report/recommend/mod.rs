//! Recommendations, each with the arithmetic behind it (krr's habit): right-sizing from
//! observed usage, containers without limits or probes, stale per-branch namespaces and
//! finished Jobs piling up. Read-only like everything else: they say what to change, and
//! the change goes through Git and review.
//!
//! Workloads in `kube-*` namespaces are left out of the hygiene checks: the platform owns
//! them, not the team reading the report.

mod cleanup;
mod hygiene;
mod right_size;

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::Pod;

use super::config::ReportConfig;
use super::model::Recommendation;
use crate::model::{Kind, ObjectRef, Snapshot};

/// Every recommendation for one snapshot, grouped by kind, then by subject.
pub fn recommendations(snapshot: &Snapshot, config: &ReportConfig) -> Vec<Recommendation> {
    let pods = pods_by_workload(snapshot);
    let mut out = Vec::new();
    out.extend(right_size::right_size(snapshot, &pods));
    out.extend(hygiene::missing_limits(snapshot, &pods));
    out.extend(hygiene::missing_probes(snapshot));
    out.extend(cleanup::stale_namespaces(snapshot, config));
    out.extend(cleanup::finished_jobs(snapshot, config));
    out.sort_by(|a, b| a.kind.cmp(&b.kind).then_with(|| a.subject.cmp(&b.subject)));
    out
}

/// Running pods by the workload that owns them.
pub(super) type PodsByWorkload<'a> = BTreeMap<ObjectRef, Vec<&'a Pod>>;

fn pods_by_workload(snapshot: &Snapshot) -> PodsByWorkload<'_> {
    let mut map: PodsByWorkload<'_> = BTreeMap::new();
    for pod in &snapshot.objects.pods {
        let running = pod.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running");
        if running {
            map.entry(snapshot.workload_of(Kind::Pod, &pod.metadata))
                .or_default()
                .push(pod);
        }
    }
    map
}

/// Namespaces the platform runs (kube-system, kube-public, …).
fn platform_namespace(subject: &ObjectRef) -> bool {
    subject
        .namespace
        .as_deref()
        .is_some_and(|ns| ns.starts_with("kube-"))
}

/// `n` rounded up to a multiple of `step`.
fn round_up(n: f64, step: u64) -> u64 {
    ((n / step as f64).ceil() as u64).max(1) * step
}

const MI: u64 = 1024 * 1024;

/// `512Mi`, `1.5Gi` for bytes; `250m`, `2` for millicores.
fn bytes(b: u64) -> String {
    crate::model::quantity::format_bytes(b as f64)
}

fn millicores(m: u64) -> String {
    crate::model::quantity::format_cpu(m as f64 / 1000.0)
}
