//! Containers without limits or probes (popeye's container checks), per workload.

use super::super::model::{Recommendation, RecommendationKind};
use super::super::resources::amount;
use super::super::workloads::{missing_resources, workloads};
use super::{MI, PodsByWorkload, bytes, platform_namespace, round_up};
use crate::model::Snapshot;

/// Workloads whose containers lack a cpu/memory request or a memory limit. The arithmetic
/// is what an unbounded container can take: the node's allocatable memory, and — with a
/// usage sample — a limit of `observed × 1.5` rounded up to 64Mi.
pub(super) fn missing_limits(
    snapshot: &Snapshot,
    pods: &PodsByWorkload<'_>,
) -> Vec<Recommendation> {
    let mut out = Vec::new();
    for w in workloads(snapshot) {
        let Some(spec) = w.spec else { continue };
        if platform_namespace(&w.subject) {
            continue;
        }
        let running = pods.get(&w.subject).map(Vec::as_slice).unwrap_or(&[]);
        let mut parts = Vec::new();
        let mut math = Vec::new();
        for c in &spec.containers {
            let missing = missing_resources(c);
            if missing.is_empty() {
                continue;
            }
            parts.push(format!("{} ({})", c.name, missing.join(", ")));
            if !missing.contains(&"memory limit") {
                continue;
            }
            let seen = running
                .iter()
                .filter_map(|p| {
                    let m = snapshot.metrics.pod(
                        p.metadata.namespace.as_deref().unwrap_or(""),
                        p.metadata.name.as_deref().unwrap_or(""),
                    )?;
                    let cm = m.containers.iter().find(|x| x.name == c.name)?;
                    Some(amount(Some(&cm.usage)).memory_bytes)
                })
                .max();
            if let Some(seen) = seen {
                let limit = round_up(seen as f64 * 1.5, 64 * MI);
                math.push(format!(
                    "{}: observed {} × 1.5 = {} → memory limit {}",
                    c.name,
                    bytes(seen),
                    bytes((seen as f64 * 1.5).round() as u64),
                    bytes(limit)
                ));
            }
        }
        if parts.is_empty() {
            continue;
        }
        let node_memory = running
            .iter()
            .filter_map(|p| p.spec.as_ref()?.node_name.as_deref())
            .filter_map(|n| {
                snapshot
                    .objects
                    .nodes
                    .iter()
                    .find(|x| x.metadata.name.as_deref() == Some(n))
            })
            .map(|n| {
                (
                    n.metadata.name.clone().unwrap_or_default(),
                    amount(n.status.as_ref().and_then(|s| s.allocatable.as_ref())).memory_bytes,
                )
            })
            .max_by_key(|(_, m)| *m);
        let mut arithmetic = match (running.len(), node_memory) {
            (0, _) | (_, None) => "without a limit a container may use all memory of its node; without requests the scheduler counts it as 0".to_string(),
            (n, Some((node, mem))) => format!(
                "{n} running replica(s) without a memory limit can each grow to {node}'s {} allocatable; without requests the scheduler counts them as 0",
                bytes(mem)
            ),
        };
        if !math.is_empty() {
            arithmetic = format!("{arithmetic}; {}", math.join("; "));
        }
        out.push(Recommendation {
            kind: RecommendationKind::MissingLimits,
            subject: w.subject.clone(),
            summary: format!("no requests/limits on {}", parts.join(", ")),
            arithmetic,
            action:
                "set resources.requests (cpu, memory) and resources.limits.memory on each container"
                    .into(),
        });
    }
    out
}

/// Long-running workloads with containers that have no readiness probe: traffic reaches
/// them as soon as they start.
pub(super) fn missing_probes(snapshot: &Snapshot) -> Vec<Recommendation> {
    let mut out = Vec::new();
    for w in workloads(snapshot) {
        let Some(spec) = w.spec else { continue };
        if !w.long_running || platform_namespace(&w.subject) {
            continue;
        }
        let total = spec.containers.len();
        let unprobed: Vec<&str> = spec
            .containers
            .iter()
            .filter(|c| c.readiness_probe.is_none())
            .map(|c| c.name.as_str())
            .collect();
        if unprobed.is_empty() {
            continue;
        }
        let liveness = spec
            .containers
            .iter()
            .filter(|c| c.liveness_probe.is_some())
            .count();
        out.push(Recommendation {
            kind: RecommendationKind::MissingProbes,
            subject: w.subject.clone(),
            summary: format!("no readiness probe on {}", unprobed.join(", ")),
            arithmetic: format!(
                "{} of {total} container(s) have a readiness probe, {liveness} of {total} a liveness probe; without one a pod counts as ready the moment it starts",
                total - unprobed.len()
            ),
            action: "add a readinessProbe (httpGet on the health endpoint, or tcpSocket on the serving port)".into(),
        });
    }
    out
}
