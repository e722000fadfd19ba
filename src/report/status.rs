//! Cluster status per namespace: pods ready of total, restarts, and what is not ready.

use std::collections::BTreeMap;

use super::model::{NamespaceStatus, PodProblem};
use crate::model::{Snapshot, pod_ready, pod_status};

/// Namespaces that have pods, sorted by name.
pub fn namespaces(snapshot: &Snapshot) -> Vec<NamespaceStatus> {
    let mut by_ns: BTreeMap<&str, NamespaceStatus> = BTreeMap::new();
    for pod in &snapshot.objects.pods {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let entry = by_ns.entry(ns).or_insert_with(|| NamespaceStatus {
            name: ns.to_string(),
            pods_ready: 0,
            pods_total: 0,
            pods_completed: 0,
            restarts: 0,
            not_ready: Vec::new(),
        });
        let status = pod.status.as_ref();
        let restarts: u64 = status
            .and_then(|s| s.container_statuses.as_ref())
            .map(|cs| cs.iter().map(|c| c.restart_count.max(0) as u64).sum())
            .unwrap_or(0);
        entry.restarts += restarts;
        if status.and_then(|s| s.phase.as_deref()) == Some("Succeeded") {
            entry.pods_completed += 1;
            continue;
        }
        entry.pods_total += 1;
        let (ready, total) = pod_ready(pod);
        let shown = pod_status(pod);
        if ready == total && total > 0 && shown == "Running" {
            entry.pods_ready += 1;
        } else {
            entry.not_ready.push(PodProblem {
                pod: pod.metadata.name.clone().unwrap_or_default(),
                status: shown,
                ready: format!("{ready}/{total}"),
                restarts,
            });
        }
    }
    by_ns.into_values().collect()
}
