//! Indices over a snapshot's objects, built once: by name, by uid, the owner chain
//! (Pod → ReplicaSet → Deployment, Pod → Job → CronJob, Pod → StatefulSet/DaemonSet),
//! pods by node, events by involved object, Services → EndpointSlices.

use std::collections::{BTreeSet, HashMap};

use k8s_openapi::api::core::v1::Event;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::{KINDS, Kind, ObjectRef, Objects, owners};

/// `kind\0namespace\0name` in one allocation: a tuple of Strings costs two, and at 100k
/// objects the index would weigh more than the objects it points into.
type NameKey = Box<str>;

fn name_key(kind: &str, namespace: &str, name: &str) -> NameKey {
    let mut key = String::with_capacity(kind.len() + namespace.len() + name.len() + 2);
    key.push_str(kind);
    key.push('\0');
    key.push_str(namespace);
    key.push('\0');
    key.push_str(name);
    key.into_boxed_str()
}

#[derive(Debug, Clone, Default)]
pub struct Index {
    by_name: HashMap<NameKey, usize>,
    by_uid: HashMap<String, (Kind, usize)>,
    pods_by_node: HashMap<String, Vec<usize>>,
    events_by_uid: HashMap<String, Vec<usize>>,
    /// By the involved object's `kind\0namespace\0name`.
    events_by_name: HashMap<NameKey, Vec<usize>>,
    slices_by_service: HashMap<(String, String), Vec<usize>>,
    namespaces: BTreeSet<String>,
}

fn key_parts(meta: &ObjectMeta) -> (&str, &str) {
    (
        meta.namespace.as_deref().unwrap_or_default(),
        meta.name.as_deref().unwrap_or_default(),
    )
}

impl Index {
    pub fn build(objects: &Objects) -> Index {
        let mut index = Index::default();
        // Events are looked up by the object they are about (below), never by their own
        // name or uid; indexing 100k of them by name would cost more than the rest.
        for info in KINDS.iter().filter(|k| k.kind != Kind::Event) {
            for i in 0..objects.count(info.kind) {
                let Some(meta) = objects.meta_at(info.kind, i) else {
                    continue;
                };
                let (ns, name) = key_parts(meta);
                if info.namespaced && !ns.is_empty() && !index.namespaces.contains(ns) {
                    index.namespaces.insert(ns.to_string());
                }
                if let Some(uid) = &meta.uid {
                    index.by_uid.insert(uid.clone(), (info.kind, i));
                }
                index.by_name.insert(name_key(info.name, ns, name), i);
            }
        }

        for (i, pod) in objects.pods.iter().enumerate() {
            if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_ref()) {
                index.pods_by_node.entry(node.clone()).or_default().push(i);
            }
        }
        for (i, event) in objects.events.iter().enumerate() {
            if let Some(ns) = event.metadata.namespace.as_ref()
                && !index.namespaces.contains(ns)
            {
                index.namespaces.insert(ns.clone());
            }
            let obj = &event.involved_object;
            if let Some(uid) = obj.uid.as_deref().filter(|u| !u.is_empty()) {
                match index.events_by_uid.get_mut(uid) {
                    Some(v) => v.push(i),
                    None => {
                        index.events_by_uid.insert(uid.to_string(), vec![i]);
                    }
                }
            }
            let ns = obj
                .namespace
                .as_deref()
                .or(event.metadata.namespace.as_deref())
                .unwrap_or_default();
            let key = name_key(
                obj.kind.as_deref().unwrap_or_default(),
                ns,
                obj.name.as_deref().unwrap_or_default(),
            );
            index.events_by_name.entry(key).or_default().push(i);
        }
        for (i, slice) in objects.endpoint_slices.iter().enumerate() {
            let service = slice
                .metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("kubernetes.io/service-name"));
            if let Some(service) = service {
                let ns = slice.metadata.namespace.clone().unwrap_or_default();
                index
                    .slices_by_service
                    .entry((ns, service.clone()))
                    .or_default()
                    .push(i);
            }
        }
        index
    }

    /// Position of the object `kind ns/name` in its vector (`ns` empty for cluster-scoped).
    pub fn position(&self, kind: Kind, namespace: &str, name: &str) -> Option<usize> {
        self.by_name
            .get(&name_key(kind.info().name, namespace, name))
            .copied()
    }

    /// Kind and position of the object with this uid.
    pub fn by_uid(&self, uid: &str) -> Option<(Kind, usize)> {
        self.by_uid.get(uid).copied()
    }

    pub fn pods_on_node(&self, node: &str) -> &[usize] {
        self.pods_by_node
            .get(node)
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Events about one object: matched by uid, and by kind/namespace/name for events
    /// recorded without a uid (or about an earlier object with the same name).
    pub fn events_for(
        &self,
        kind: &str,
        namespace: &str,
        name: &str,
        uid: Option<&str>,
    ) -> Vec<usize> {
        let mut out: Vec<usize> = uid
            .and_then(|u| self.events_by_uid.get(u))
            .cloned()
            .unwrap_or_default();
        if let Some(by_name) = self.events_by_name.get(&name_key(kind, namespace, name)) {
            out.extend(by_name);
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    pub fn endpoint_slices_for(&self, namespace: &str, service: &str) -> &[usize] {
        self.slices_by_service
            .get(&(namespace.to_string(), service.to_string()))
            .map(Vec::as_slice)
            .unwrap_or(&[])
    }

    /// Namespaces that hold at least one namespaced object.
    pub fn namespaces(&self) -> impl Iterator<Item = &str> {
        self.namespaces.iter().map(String::as_str)
    }
}

/// Owner-chain and lookup helpers on a snapshot.
impl super::Snapshot {
    /// The metadata of an object by kind, namespace and name.
    pub fn meta(&self, kind: Kind, namespace: &str, name: &str) -> Option<&ObjectMeta> {
        let i = self.index().position(kind, namespace, name)?;
        self.objects.meta_at(kind, i)
    }

    /// The controller that owns an object, resolved by uid when the owner is in the
    /// snapshot and by kind/name otherwise.
    pub fn controller_of(&self, meta: &ObjectMeta) -> Option<ObjectRef> {
        let owner = meta
            .owner_references
            .as_ref()?
            .iter()
            .find(|o| o.controller == Some(true))
            .or_else(|| meta.owner_references.as_ref()?.first())?;
        if let Some((kind, i)) = self.index().by_uid(&owner.uid)
            && let Some(owner_meta) = self.objects.meta_at(kind, i)
        {
            return Some(ObjectRef::from_meta(kind, owner_meta));
        }
        Some(ObjectRef::new(
            owner.kind.clone(),
            meta.namespace.as_deref(),
            owner.name.clone(),
        ))
    }

    /// The object a human would fix for this one: Pod → ReplicaSet → Deployment,
    /// Pod → Job → CronJob, Pod → StatefulSet/DaemonSet; a bare Pod is its own workload.
    pub fn workload_of(&self, kind: Kind, meta: &ObjectMeta) -> ObjectRef {
        self.workload_inferring(kind, meta).0
    }

    /// [`Snapshot::workload_of`], going on by the controllers' naming rules where an owner
    /// is absent from the input (`owners`), with what was inferred when anything was.
    pub fn workload_inferring(&self, kind: Kind, meta: &ObjectMeta) -> (ObjectRef, Option<String>) {
        let mut current = ObjectRef::from_meta(kind, meta);
        let mut current_meta = Some(meta);
        let mut inferred: Vec<String> = Vec::new();
        // The object whose labels speak for an absent owner: the last one that was read.
        let mut last_read = meta;
        // Owner chains are at most a few links; the bound guards against cycles.
        for _ in 0..4 {
            let next = match current_meta {
                Some(m) => match self.controller_of(m) {
                    Some(owner) => owner,
                    None if inferred.is_empty() && kind == Kind::Pod => {
                        match owners::owner_from_labels(m) {
                            Some(i) => {
                                // An owner the input carries confirms the label: read, not
                                // inferred.
                                let present = i.owner.known_kind().is_some_and(|k| {
                                    self.meta(
                                        k,
                                        i.owner.namespace.as_deref().unwrap_or(""),
                                        &i.owner.name,
                                    )
                                    .is_some()
                                });
                                if !present {
                                    inferred.push(i.why);
                                }
                                i.owner
                            }
                            None => break,
                        }
                    }
                    None => break,
                },
                None => match owners::owner_of_absent(&current, last_read) {
                    Some(i) => {
                        inferred.push(i.why);
                        i.owner
                    }
                    None => break,
                },
            };
            if let Some(m) = current_meta {
                last_read = m;
            }
            current_meta = next
                .known_kind()
                .and_then(|k| self.meta(k, next.namespace.as_deref().unwrap_or(""), &next.name));
            current = next;
        }
        let inferred = (!inferred.is_empty()).then(|| inferred.join("; "));
        (current, inferred)
    }

    /// Events about one object, oldest first by last observation.
    pub fn events_about(&self, kind: Kind, meta: &ObjectMeta) -> Vec<&Event> {
        let (ns, name) = key_parts(meta);
        let mut events: Vec<&Event> = self
            .index()
            .events_for(kind.info().name, ns, name, meta.uid.as_deref())
            .into_iter()
            .filter_map(|i| self.objects.events.get(i))
            .collect();
        events.sort_by_key(|e| super::event_last_seen(e));
        events
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Snapshot, SnapshotMeta};
    use super::*;

    fn objects() -> Objects {
        let mut o = Objects::default();
        let add = |o: &mut Objects, kind: Kind, v: serde_json::Value| {
            o.insert_json(kind, v).expect("valid object")
        };
        add(
            &mut o,
            Kind::Deployment,
            serde_json::json!({"metadata": {"name": "web", "namespace": "shop", "uid": "d1"}}),
        );
        add(
            &mut o,
            Kind::ReplicaSet,
            serde_json::json!({"metadata": {"name": "web-7d9f8b6c4d", "namespace": "shop", "uid": "r1",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "Deployment", "name": "web", "uid": "d1", "controller": true}]}}),
        );
        add(
            &mut o,
            Kind::Pod,
            serde_json::json!({"metadata": {"name": "web-7d9f8b6c4d-x2k4p", "namespace": "shop", "uid": "p1",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "web-7d9f8b6c4d", "uid": "r1", "controller": true}]},
            "spec": {"nodeName": "worker-1", "containers": [{"name": "web"}]}}),
        );
        add(
            &mut o,
            Kind::CronJob,
            serde_json::json!({"metadata": {"name": "backup", "namespace": "ops", "uid": "c1"}}),
        );
        add(
            &mut o,
            Kind::Job,
            serde_json::json!({"metadata": {"name": "backup-29000000", "namespace": "ops", "uid": "j1",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "CronJob", "name": "backup", "uid": "c1", "controller": true}]}}),
        );
        add(
            &mut o,
            Kind::Pod,
            serde_json::json!({"metadata": {"name": "backup-29000000-abcde", "namespace": "ops", "uid": "p2",
            "ownerReferences": [{"apiVersion": "batch/v1", "kind": "Job", "name": "backup-29000000", "uid": "j1", "controller": true}]}}),
        );
        add(
            &mut o,
            Kind::Pod,
            serde_json::json!({"metadata": {"name": "orphan-xyz", "namespace": "shop", "uid": "p3",
            "ownerReferences": [{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "gone-5f6d", "uid": "missing", "controller": true}]}}),
        );
        add(
            &mut o,
            Kind::Event,
            serde_json::json!({"metadata": {"name": "e1", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "web-7d9f8b6c4d-x2k4p", "uid": "p1"}, "reason": "BackOff"}),
        );
        add(
            &mut o,
            Kind::Event,
            serde_json::json!({"metadata": {"name": "e2", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "web-7d9f8b6c4d-x2k4p"}, "reason": "FailedScheduling",
            "eventTime": "2026-11-20T09:01:00.000000Z", "series": {"count": 3, "lastObservedTime": "2026-11-20T09:02:00.000000Z"}}),
        );
        add(
            &mut o,
            Kind::EndpointSlice,
            serde_json::json!({"metadata": {"name": "web-abc12", "namespace": "shop",
            "labels": {"kubernetes.io/service-name": "web"}}, "addressType": "IPv4", "endpoints": []}),
        );
        o
    }

    fn snapshot() -> Snapshot {
        let meta = SnapshotMeta::new(jiff::Timestamp::UNIX_EPOCH);
        Snapshot::new(meta, objects(), Default::default(), Vec::new())
    }

    #[test]
    fn pod_of_a_deployment_resolves_to_the_deployment() {
        let s = snapshot();
        let pod = &s.objects.pods[s
            .index()
            .position(Kind::Pod, "shop", "web-7d9f8b6c4d-x2k4p")
            .expect("pod")];
        assert_eq!(
            s.workload_of(Kind::Pod, &pod.metadata).to_string(),
            "Deployment shop/web"
        );
    }

    #[test]
    fn pod_of_a_cronjob_resolves_to_the_cronjob() {
        let s = snapshot();
        let pod = &s.objects.pods[s
            .index()
            .position(Kind::Pod, "ops", "backup-29000000-abcde")
            .expect("pod")];
        assert_eq!(
            s.workload_of(Kind::Pod, &pod.metadata).to_string(),
            "CronJob ops/backup"
        );
    }

    #[test]
    fn owner_missing_from_the_snapshot_is_named_from_the_reference() {
        let s = snapshot();
        let pod = &s.objects.pods[s
            .index()
            .position(Kind::Pod, "shop", "orphan-xyz")
            .expect("pod")];
        assert_eq!(
            s.workload_of(Kind::Pod, &pod.metadata).to_string(),
            "ReplicaSet shop/gone-5f6d"
        );
    }

    #[test]
    fn events_match_by_uid_and_by_name_without_uid() {
        let s = snapshot();
        let pod = &s.objects.pods[s
            .index()
            .position(Kind::Pod, "shop", "web-7d9f8b6c4d-x2k4p")
            .expect("pod")];
        let reasons: Vec<_> = s
            .events_about(Kind::Pod, &pod.metadata)
            .iter()
            .map(|e| e.reason.clone().unwrap_or_default())
            .collect();
        assert_eq!(reasons.len(), 2);
        assert!(
            reasons.contains(&"BackOff".to_string())
                && reasons.contains(&"FailedScheduling".to_string())
        );
    }

    #[test]
    fn pods_by_node_and_slices_by_service() {
        let s = snapshot();
        assert_eq!(s.index().pods_on_node("worker-1").len(), 1);
        assert_eq!(s.index().endpoint_slices_for("shop", "web").len(), 1);
        assert!(s.index().pods_on_node("worker-2").is_empty());
    }
}
