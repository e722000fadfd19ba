//! The Pods store. After Events, Pods are a cluster's most numerous objects and the
//! largest once typed, so they are kept packed (`watch::packed`). Beside each pod the
//! store keeps what is read of every pod at every change: whether it is in trouble or
//! waiting for a node, what it takes of its node's capacity, and its row in the dashboard
//! ([`Glance`]). A pass unpacks only the pods of the partitions it analyzes.

use k8s_openapi::api::core::v1::Pod;

use super::packed::{Glimpse, Packed, PackedWriter};
use crate::model::{NodeRequests, pod_is_healthy, pod_ready, pod_status};
use crate::report::score::WorkloadTally;
use crate::report::workloads::AsWorkload;

/// What is read of a pod without unpacking it.
#[derive(Debug, Clone, PartialEq)]
pub struct Glance {
    /// Not healthy, or restarted: what analyzers look at (`partition::in_trouble`).
    pub troubled: bool,
    /// Pending and not bound to a node.
    pub unscheduled: bool,
    pub healthy: bool,
    /// Phase `Succeeded`: done, not counted by the health score.
    pub succeeded: bool,
    /// What the health score reads of a bare pod, a workload of its own (`None` for a
    /// pod with an owner: its owner is the workload).
    pub work: Option<WorkloadTally>,
    /// Ready containers and all containers.
    pub ready: (usize, usize),
    /// As kubectl's STATUS column shows it.
    pub status: Box<str>,
    pub restarts: i32,
    /// `Kind/name` of its controller; empty for a bare pod.
    pub workload: Box<str>,
    /// What the pod takes of its node's capacity, when it holds a node.
    pub share: Option<Share>,
}

impl Glance {
    pub fn of(pod: &Pod) -> Glance {
        let status = pod.status.as_ref();
        let phase = status.and_then(|s| s.phase.as_deref());
        let bound = pod.spec.as_ref().and_then(|s| s.node_name.as_ref());
        Glance {
            troubled: super::partition::in_trouble(pod),
            unscheduled: phase == Some("Pending") && bound.is_none(),
            healthy: pod_is_healthy(pod),
            succeeded: phase == Some("Succeeded"),
            work: pod.workload().as_ref().map(WorkloadTally::of),
            ready: pod_ready(pod),
            status: pod_status(pod).into(),
            restarts: status
                .and_then(|s| s.container_statuses.as_ref())
                .map_or(0, |cs| cs.iter().map(|c| c.restart_count).sum()),
            workload: pod
                .metadata
                .owner_references
                .iter()
                .flatten()
                .find(|o| o.controller == Some(true))
                .map(|o| format!("{}/{}", o.kind, o.name))
                .unwrap_or_default()
                .into(),
            share: crate::analyze::node_share(pod).map(|(node, requests)| Share {
                node: node.into(),
                requests: requests.into_iter().map(|(k, v)| (k.into(), v)).collect(),
            }),
        }
    }
}

/// What a pod takes of its node's capacity (`analyze::node_share`).
#[derive(Debug, Clone, PartialEq)]
pub struct Share {
    node: Box<str>,
    requests: Box<[(Box<str>, f64)]>,
}

impl Glimpse<Pod> for Glance {
    fn of(pod: &Pod) -> Glance {
        Glance::of(pod)
    }

    fn capacity_changed(old: Option<&Glance>, new: Option<&Glance>) -> bool {
        old.and_then(|g| g.share.as_ref()) != new.and_then(|g| g.share.as_ref())
    }
}

/// The pods, for reading; cheap to clone.
pub type Pods = Packed<Pod, Glance>;

/// Feeds [`Pods`] from watcher events.
pub type PodsWriter = PackedWriter<Pod, Glance>;

impl Packed<Pod, Glance> {
    /// The pods in trouble, unpacked.
    pub fn troubled(&self) -> Vec<Pod> {
        let mut out = Vec::new();
        self.each_glimpse(|_, _, glance, unpack| {
            if glance.troubled
                && let Some(pod) = unpack()
            {
                out.push(pod);
            }
        });
        out
    }

    /// What the pods bound to each node request.
    pub fn node_requests(&self) -> NodeRequests {
        let mut by_node = NodeRequests::new();
        self.each_glimpse(|_, _, glance, _| {
            if let Some(s) = &glance.share {
                let requests = s.requests.iter().map(|(k, v)| (&**k, *v));
                crate::analyze::add_share(&mut by_node, &s.node, requests);
            }
        });
        by_node
    }
}

#[cfg(test)]
mod tests {
    use kube::runtime::watcher;

    use super::*;
    use crate::model::Kind;
    use crate::watch::objects::{Apply, Entry, Touch};
    use crate::watch::packed::{Held, store};

    fn pod(ns: &str, name: &str, node: Option<&str>, restarts: i32) -> Pod {
        serde_json::from_value(serde_json::json!({
            "metadata": {"name": name, "namespace": ns, "uid": format!("uid-{name}"),
                "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet",
                    "name": "web-7d9f8", "uid": "rs-uid", "controller": true}]},
            "spec": {"nodeName": node, "containers": [{"name": "web", "image": "web:1",
                "resources": {"requests": {"cpu": "100m", "memory": "128Mi"}}}]},
            "status": {"phase": if node.is_some() { "Running" } else { "Pending" },
                "containerStatuses": [{"name": "web", "ready": node.is_some(),
                    "restartCount": restarts, "image": "web:1", "imageID": "",
                    "state": {"running": {"startedAt": "2026-11-20T09:00:00Z"}}}]},
        }))
        .expect("a pod")
    }

    fn apply(w: &mut PodsWriter, e: watcher::Event<Entry<Pod>>) -> Option<Touch> {
        w.apply(Kind::Pod, &e)
    }

    fn list(w: &mut PodsWriter, pods: impl IntoIterator<Item = Pod>) {
        apply(w, watcher::Event::Init);
        for p in pods {
            apply(w, watcher::Event::InitApply(Entry(p)));
        }
        apply(w, watcher::Event::InitDone);
    }

    #[test]
    fn a_listed_pod_comes_back_unpacked_as_it_went_in_with_its_glance() {
        let (pods, mut w) = store::<Pod, Glance>();
        let all: Vec<Pod> = (0..1500)
            .map(|i| pod("shop", &format!("web-7d9f8-{i:05}"), Some("node-a"), i % 2))
            .collect();
        list(&mut w, all.clone());
        assert_eq!(pods.len(), 1500);
        for p in [&all[0], &all[1], &all[1499]] {
            let name = p.metadata.name.as_deref().expect("named");
            assert_eq!(pods.get("shop", name).as_ref(), Some(p));
            assert_eq!(pods.glimpse("shop", name), Some(Glance::of(p)));
        }
        let glance = pods.glimpse("shop", "web-7d9f8-00001").expect("held");
        assert!(glance.troubled, "a restarted pod is in trouble");
        assert_eq!(&*glance.workload, "ReplicaSet/web-7d9f8");
        assert_eq!(pods.troubled().len(), 750);
    }

    #[test]
    fn a_change_says_whether_node_capacity_reads_it_differently() {
        let (pods, mut w) = store::<Pod, Glance>();
        list(&mut w, [pod("shop", "web-1", Some("node-a"), 0)]);
        let restarted = apply(
            &mut w,
            watcher::Event::Apply(Entry(pod("shop", "web-1", Some("node-a"), 3))),
        )
        .expect("a touch");
        assert!(!restarted.capacity, "restarts do not change node capacity");
        let moved = apply(
            &mut w,
            watcher::Event::Apply(Entry(pod("shop", "web-1", Some("node-b"), 3))),
        )
        .expect("a touch");
        assert!(moved.capacity);
        let pending = apply(
            &mut w,
            watcher::Event::Apply(Entry(pod("shop", "web-2", None, 0))),
        )
        .expect("a touch");
        assert!(!pending.capacity, "an unbound pod takes no node capacity");
        assert!(pods.glimpse("shop", "web-2").expect("held").unscheduled);
        let gone = apply(
            &mut w,
            watcher::Event::Delete(Entry(pod("shop", "web-1", Some("node-b"), 3))),
        )
        .expect("a touch");
        assert!(gone.capacity);
        assert_eq!(pods.len(), 1);
    }

    #[test]
    fn node_requests_sum_the_pods_holding_each_node() {
        let (pods, mut w) = store::<Pod, Glance>();
        let all = [
            pod("shop", "web-1", Some("node-a"), 0),
            pod("shop", "web-2", Some("node-a"), 2),
            pod("billing", "api-1", Some("node-b"), 0),
            pod("billing", "api-2", None, 0),
        ];
        list(&mut w, all.clone());
        assert_eq!(pods.node_requests(), crate::analyze::node_requests(&all));
        let a = &pods.node_requests()["node-a"];
        assert_eq!((a["cpu"], a["memory"]), (0.2, 256.0 * 1024.0 * 1024.0));
    }

    #[test]
    fn a_relist_replaces_everything_when_it_is_complete() {
        let (pods, mut w) = store::<Pod, Glance>();
        list(&mut w, [pod("shop", "old", Some("node-a"), 0)]);
        apply(&mut w, watcher::Event::Init);
        apply(
            &mut w,
            watcher::Event::InitApply(Entry(pod("shop", "new", Some("node-a"), 0))),
        );
        assert!(
            pods.get("shop", "old").is_some(),
            "the old list stays until the new one is complete"
        );
        let done = apply(&mut w, watcher::Event::InitDone).expect("a touch");
        assert_eq!(done.namespace, None, "a relist concerns every partition");
        assert!(pods.get("shop", "old").is_none());
        assert!(pods.get("shop", "new").is_some());
    }
}
