//! The Pods store. After Events, Pods are a cluster's most numerous objects and the
//! largest once typed, so they are kept packed (`watch::pack`) like events. Beside each
//! pod the store keeps what is read of every pod at every change: whether it is in
//! trouble or waiting for a node, what it takes of its node's capacity, and its row in
//! the dashboard ([`Glance`]). A pass unpacks only the pods of the partitions it analyzes.
//! Fed by the same `kube::runtime` watcher events as the reflector stores, with the same
//! relist: a new list is gathered aside and swapped in whole when it is complete.

use std::collections::{BTreeSet, HashMap};
use std::sync::{Arc, RwLock};

use k8s_openapi::api::core::v1::Pod;
use kube::runtime::watcher;

use super::objects::{Apply, Entry, Touch};
use super::pack::{Codec, Gather, Packer, Unpacker};
use crate::model::{Kind, NodeRequests, pod_is_healthy, pod_ready, pod_status};

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
    /// Has an owner, so the health score counts it with its workload.
    pub owned: bool,
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
            owned: pod
                .metadata
                .owner_references
                .as_ref()
                .is_some_and(|o| !o.is_empty()),
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

/// One pod: its glance, and its packed JSON.
#[derive(Debug)]
pub struct Slot {
    pub glance: Glance,
    json: Box<[u8]>,
}

/// Namespace → name → pod.
type Map = HashMap<Box<str>, HashMap<Box<str>, Slot>>;

/// Where a pod goes (namespace, name) and its glance, waiting for its packed JSON.
type Place = (Box<str>, Box<str>, Glance);

fn place_of(pod: &Pod) -> (Place, Vec<u8>) {
    let meta = &pod.metadata;
    let namespace = meta.namespace.as_deref().unwrap_or("").into();
    let name = meta.name.as_deref().unwrap_or("").into();
    // Serializing a typed Pod cannot fail: it holds no maps with non-string keys.
    let json = serde_json::to_vec(pod).unwrap_or_default();
    ((namespace, name, Glance::of(pod)), json)
}

/// Puts a pod in; gives back the one it replaces.
fn put(map: &mut Map, (namespace, name, glance): Place, json: Box<[u8]>) -> Option<Slot> {
    map.entry(namespace)
        .or_default()
        .insert(name, Slot { glance, json })
}

#[derive(Default)]
struct Store {
    codec: Arc<Codec>,
    pods: Map,
}

/// The pods, for reading; cheap to clone.
#[derive(Clone, Default)]
pub struct Pods(Arc<RwLock<Store>>);

/// Feeds [`Pods`] from watcher events; moved to the task that watches Pods.
pub struct PodsWriter {
    pods: Pods,
    packer: Packer,
    /// A relist being gathered.
    relist: Option<(Gather<Place>, Map)>,
}

/// A fresh, empty pods store.
pub fn store() -> (Pods, PodsWriter) {
    let pods = Pods::default();
    let writer = PodsWriter {
        pods: pods.clone(),
        packer: Arc::new(Codec::default()).packer(),
        relist: None,
    };
    (pods, writer)
}

impl Apply<Pod> for PodsWriter {
    fn apply(&mut self, kind: Kind, event: &watcher::Event<Entry<Pod>>) -> Option<Touch> {
        match event {
            watcher::Event::Init => {
                self.relist = Some(Default::default());
                None
            }
            watcher::Event::InitApply(o) => {
                let (gather, map) = self.relist.get_or_insert_default();
                let (place, json) = place_of(&o.0);
                gather.push(place, json, &mut |p, j| {
                    put(map, p, j);
                });
                None
            }
            watcher::Event::InitDone => {
                let (gather, mut map) = self.relist.take().unwrap_or_default();
                self.packer = gather.finish(&mut |p, j| {
                    put(&mut map, p, j);
                });
                let codec = self.packer.codec().clone();
                if let Ok(mut store) = self.pods.0.write() {
                    *store = Store { codec, pods: map };
                }
                Some(Touch::everywhere(kind))
            }
            watcher::Event::Apply(o) | watcher::Event::Delete(o) => {
                let meta = &o.0.metadata;
                let (namespace, name) = (
                    meta.namespace.as_deref().unwrap_or(""),
                    meta.name.as_deref().unwrap_or(""),
                );
                let new = matches!(event, watcher::Event::Apply(_)).then(|| {
                    let (place, json) = place_of(&o.0);
                    (place, self.packer.pack(&json))
                });
                let held = |g: Option<&Glance>| g.and_then(|g| g.share.clone());
                let now = held(new.as_ref().map(|((_, _, g), _)| g));
                let old = match self.pods.0.write() {
                    Ok(mut store) => match new {
                        Some((place, json)) => put(&mut store.pods, place, json),
                        None => store
                            .pods
                            .get_mut(namespace)
                            .and_then(|pods| pods.remove(name)),
                    },
                    Err(_) => None,
                };
                let capacity = held(old.as_ref().map(|s| &s.glance)) != now;
                Some(Touch::of(kind, meta, None, capacity))
            }
        }
    }
}

impl Pods {
    /// Calls `f` with every pod: its namespace, name and glance, and a way to unpack it.
    pub fn each(&self, mut f: impl FnMut(&str, &str, &Glance, &mut dyn FnMut() -> Option<Pod>)) {
        let Ok(store) = self.0.read() else { return };
        let mut unpacker = store.codec.unpacker();
        for (namespace, pods) in &store.pods {
            for (name, slot) in pods {
                f(namespace, name, &slot.glance, &mut || {
                    unpack(&mut unpacker, &slot.json)
                });
            }
        }
    }

    /// What is read of one pod without unpacking it.
    pub fn glance(&self, namespace: &str, name: &str) -> Option<Glance> {
        let store = self.0.read().ok()?;
        Some(store.pods.get(namespace)?.get(name)?.glance.clone())
    }

    /// One pod, unpacked.
    pub fn get(&self, namespace: &str, name: &str) -> Option<Pod> {
        let store = self.0.read().ok()?;
        let slot = store.pods.get(namespace)?.get(name)?;
        unpack(&mut store.codec.unpacker(), &slot.json)
    }

    /// The pods in trouble, unpacked.
    pub fn troubled(&self) -> Vec<Pod> {
        let mut out = Vec::new();
        self.each(|_, _, glance, unpack| {
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
        self.each(|_, _, glance, _| {
            if let Some(s) = &glance.share {
                let requests = s.requests.iter().map(|(k, v)| (&**k, *v));
                crate::analyze::add_share(&mut by_node, &s.node, requests);
            }
        });
        by_node
    }

    /// The namespaces pods live in.
    pub fn namespaces(&self, out: &mut BTreeSet<String>) {
        let Ok(store) = self.0.read() else { return };
        for (namespace, pods) in &store.pods {
            if !namespace.is_empty() && !pods.is_empty() && !out.contains(&**namespace) {
                out.insert(namespace.to_string());
            }
        }
    }

    /// How many pods are held.
    pub fn len(&self) -> usize {
        self.0
            .read()
            .map(|s| s.pods.values().map(HashMap::len).sum())
            .unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Pods come back through the model's edge, as they went in.
fn unpack(unpacker: &mut Unpacker, json: &[u8]) -> Option<Pod> {
    unpacker.object::<Entry<Pod>>(json).map(|e| e.0)
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let (pods, mut w) = store();
        let all: Vec<Pod> = (0..1500)
            .map(|i| pod("shop", &format!("web-7d9f8-{i:05}"), Some("node-a"), i % 2))
            .collect();
        list(&mut w, all.clone());
        assert_eq!(pods.len(), 1500);
        for p in [&all[0], &all[1], &all[1499]] {
            let name = p.metadata.name.as_deref().expect("named");
            assert_eq!(pods.get("shop", name).as_ref(), Some(p));
            assert_eq!(pods.glance("shop", name), Some(Glance::of(p)));
        }
        let glance = pods.glance("shop", "web-7d9f8-00001").expect("held");
        assert!(glance.troubled, "a restarted pod is in trouble");
        assert_eq!(&*glance.workload, "ReplicaSet/web-7d9f8");
        assert_eq!(pods.troubled().len(), 750);
    }

    #[test]
    fn a_change_says_whether_node_capacity_reads_it_differently() {
        let (pods, mut w) = store();
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
        assert!(pods.glance("shop", "web-2").expect("held").unscheduled);
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
        let (pods, mut w) = store();
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
        let (pods, mut w) = store();
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
