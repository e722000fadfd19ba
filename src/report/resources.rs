//! Resource use: requests and limits of running pods against node allocatable (always
//! there, from the specs), and observed usage from metrics.k8s.io when the snapshot has it.

use std::collections::BTreeMap;

use k8s_openapi::api::core::v1::{Pod, ResourceRequirements};
use k8s_openapi::apimachinery::pkg::api::resource::Quantity;

use super::model::{Amount, NamespaceUse, NodeUse, Resources};
use crate::model::Snapshot;
use crate::model::quantity::{quantity_bytes, quantity_millicores};

/// `cpu` and `memory` of a quantity map as an [`Amount`].
pub fn amount(map: Option<&BTreeMap<String, Quantity>>) -> Amount {
    let get = |key: &str, read: fn(&str) -> Option<u64>| {
        map.and_then(|m| m.get(key))
            .and_then(|q| read(&q.0))
            .unwrap_or(0)
    };
    Amount {
        cpu_millicores: get("cpu", quantity_millicores),
        memory_bytes: get("memory", quantity_bytes),
    }
}

/// Requests and limits of a pod as the scheduler counts them: the sum over containers, or
/// the largest init container when that is more.
pub fn pod_requests_limits(pod: &Pod) -> (Amount, Amount) {
    let Some(spec) = pod.spec.as_ref() else {
        return Default::default();
    };
    let of = |r: Option<&ResourceRequirements>| {
        (
            amount(r.and_then(|r| r.requests.as_ref().or(r.limits.as_ref()))),
            amount(r.and_then(|r| r.limits.as_ref())),
        )
    };
    let (mut req, mut lim) = (Amount::default(), Amount::default());
    for c in &spec.containers {
        let (r, l) = of(c.resources.as_ref());
        req += r;
        lim += l;
    }
    for c in spec.init_containers.iter().flatten() {
        let (r, l) = of(c.resources.as_ref());
        req.cpu_millicores = req.cpu_millicores.max(r.cpu_millicores);
        req.memory_bytes = req.memory_bytes.max(r.memory_bytes);
        lim.cpu_millicores = lim.cpu_millicores.max(l.cpu_millicores);
        lim.memory_bytes = lim.memory_bytes.max(l.memory_bytes);
    }
    (req, lim)
}

/// Pods that hold resources: scheduled and not finished.
fn holds_resources(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    !matches!(phase, Some("Succeeded" | "Failed"))
}

pub fn resources(snapshot: &Snapshot) -> Resources {
    let metrics = &snapshot.metrics;
    let mut notes = metrics.notes.clone();
    if !metrics.collected() {
        notes.push(
            "no observed usage: a bundle carries no metrics.k8s.io samples; run against the cluster for usage".into(),
        );
    }
    let pod_usage = |pod: &Pod| -> Option<Amount> {
        let m = metrics.pod(
            pod.metadata.namespace.as_deref().unwrap_or(""),
            pod.metadata.name.as_deref().unwrap_or(""),
        )?;
        let mut total = Amount::default();
        for c in &m.containers {
            total += amount(Some(&c.usage));
        }
        Some(total)
    };

    let mut nodes = Vec::new();
    for node in &snapshot.objects.nodes {
        let name = node.metadata.name.clone().unwrap_or_default();
        let allocatable = amount(node.status.as_ref().and_then(|s| s.allocatable.as_ref()));
        let (mut requests, mut limits, mut pods) = (Amount::default(), Amount::default(), 0);
        for &i in snapshot.index().pods_on_node(&name) {
            let Some(pod) = snapshot.objects.pods.get(i).filter(|p| holds_resources(p)) else {
                continue;
            };
            let (r, l) = pod_requests_limits(pod);
            requests += r;
            limits += l;
            pods += 1;
        }
        let usage = metrics.node(&name).map(|m| amount(Some(&m.usage)));
        nodes.push(NodeUse {
            name,
            allocatable,
            requests,
            limits,
            usage,
            pods,
        });
    }

    let mut by_ns: BTreeMap<&str, NamespaceUse> = BTreeMap::new();
    for pod in snapshot.objects.pods.iter().filter(|p| holds_resources(p)) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let entry = by_ns.entry(ns).or_insert_with(|| NamespaceUse {
            name: ns.to_string(),
            requests: Amount::default(),
            limits: Amount::default(),
            usage: metrics.pods.as_ref().map(|_| Amount::default()),
            containers_without_limits: 0,
        });
        let (r, l) = pod_requests_limits(pod);
        entry.requests += r;
        entry.limits += l;
        if let (Some(total), Some(u)) = (entry.usage.as_mut(), pod_usage(pod)) {
            *total += u;
        }
        entry.containers_without_limits += pod
            .spec
            .iter()
            .flat_map(|s| &s.containers)
            .filter(|c| {
                !c.resources
                    .as_ref()
                    .and_then(|r| r.limits.as_ref())
                    .is_some_and(|l| l.contains_key("memory"))
            })
            .count();
    }
    Resources {
        notes,
        nodes,
        namespaces: by_ns.into_values().collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quantities_become_millicores_and_bytes() {
        let map: BTreeMap<String, Quantity> = [
            ("cpu".to_string(), Quantity("1930m".into())),
            ("memory".to_string(), Quantity("3605684Ki".into())),
        ]
        .into();
        assert_eq!(
            amount(Some(&map)),
            Amount {
                cpu_millicores: 1930,
                memory_bytes: 3605684 * 1024
            }
        );
        let nano: BTreeMap<String, Quantity> =
            [("cpu".to_string(), Quantity("4123456n".into()))].into();
        assert_eq!(amount(Some(&nano)).cpu_millicores, 4);
    }
}
