//! The live object store: one `kube::runtime` reflector store per kind. Writers are fed by
//! watchers (live) or by a bundle (`--from`, `--replay`); readers copy the objects of one
//! partition into a typed [`Objects`] for the analyzers.
//!
//! Objects enter through the model's edge, so ConfigMaps and Secrets keep key names only —
//! the values of a Secret are never deserialized, not even into the watch cache.

use std::sync::Arc;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::runtime::reflector::{self, Store, store::Writer};
use kube::runtime::watcher;
use serde::{Deserialize, Deserializer};

use crate::model::edge::Edge;
use crate::model::{Kind, Objects};

/// An API object as it enters k8sops: deserialized through [`Edge`].
#[derive(Debug, Clone)]
pub struct Entry<T>(pub T);

impl<'de, T: Edge> Deserialize<'de> for Entry<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_edge(deserializer).map(Entry)
    }
}

impl<T: k8s_openapi::Resource> k8s_openapi::Resource for Entry<T> {
    const API_VERSION: &'static str = T::API_VERSION;
    const GROUP: &'static str = T::GROUP;
    const KIND: &'static str = T::KIND;
    const VERSION: &'static str = T::VERSION;
    const URL_PATH_SEGMENT: &'static str = T::URL_PATH_SEGMENT;
    type Scope = T::Scope;
}

impl<T: k8s_openapi::Metadata<Ty = ObjectMeta>> k8s_openapi::Metadata for Entry<T> {
    type Ty = ObjectMeta;
    fn metadata(&self) -> &ObjectMeta {
        self.0.metadata()
    }
    fn metadata_mut(&mut self) -> &mut ObjectMeta {
        self.0.metadata_mut()
    }
}

/// What a writer saw change: the engine turns these into dirty partitions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Touch {
    pub kind: Kind,
    /// `None` for cluster-scoped objects.
    pub namespace: Option<String>,
    /// For events: the kind of the involved object (an event about a Node concerns the
    /// cluster partition).
    pub about: Option<String>,
    /// A relist replaced the whole kind: every partition may have changed.
    pub relisted: bool,
}

impl Touch {
    fn of(kind: Kind, meta: &ObjectMeta, about: Option<String>) -> Self {
        Touch {
            kind,
            namespace: meta.namespace.clone().filter(|n| !n.is_empty()),
            about,
            relisted: false,
        }
    }

    fn relist(kind: Kind) -> Self {
        Touch {
            kind,
            namespace: None,
            about: None,
            relisted: true,
        }
    }
}

/// Applies one watcher event to a writer and says what it touched (nothing for the
/// `Init`/`InitApply` part of a relist until `InitDone` swaps the new list in).
pub fn apply<T>(
    kind: Kind,
    writer: &mut Writer<Entry<T>>,
    event: &watcher::Event<Entry<T>>,
) -> Option<Touch>
where
    Entry<T>: kube::Resource<DynamicType = ()> + Clone,
    T: Route,
{
    writer.apply_watcher_event(event);
    match event {
        watcher::Event::Apply(o) | watcher::Event::Delete(o) => {
            let meta = k8s_openapi::Metadata::metadata(&o.0);
            Some(Touch::of(kind, meta, o.0.involved_kind()))
        }
        watcher::Event::InitDone => Some(Touch::relist(kind)),
        watcher::Event::Init | watcher::Event::InitApply(_) => None,
    }
}

/// Decides which partitions' copies an object goes into (see `watch::partition`).
pub trait Sort {
    /// Buckets that get a full copy of an object of `kind`.
    fn object(&self, kind: Kind, meta: &ObjectMeta, full: &mut Vec<usize>);
    /// Buckets that get the pod in full, and those that get only its [`Route::stub`].
    fn pod(&self, pod: &Pod, full: &mut Vec<usize>, stub: &mut Vec<usize>);
    /// Buckets that get the event.
    fn event(&self, event: &k8s_openapi::api::core::v1::Event, full: &mut Vec<usize>);
}

/// How one kind is routed by a [`Sort`]; most kinds go by their metadata alone.
pub trait Route: k8s_openapi::Metadata<Ty = ObjectMeta> + Sized {
    fn route(&self, kind: Kind, sort: &dyn Sort, full: &mut Vec<usize>, _stub: &mut Vec<usize>) {
        sort.object(kind, self.metadata(), full);
    }

    /// The reduced copy given to partitions that need only part of the object.
    fn stub(&self) -> Option<Self> {
        None
    }

    /// The kind of object an event is about; `None` for everything but Events.
    fn involved_kind(&self) -> Option<String> {
        None
    }
}

impl Route for k8s_openapi::api::core::v1::Event {
    fn route(&self, _: Kind, sort: &dyn Sort, full: &mut Vec<usize>, _: &mut Vec<usize>) {
        sort.event(self, full);
    }

    fn involved_kind(&self) -> Option<String> {
        self.involved_object.kind.clone()
    }
}

impl Route for Pod {
    fn route(&self, _: Kind, sort: &dyn Sort, full: &mut Vec<usize>, stub: &mut Vec<usize>) {
        sort.pod(self, full, stub);
    }

    fn stub(&self) -> Option<Self> {
        Some(super::partition::capacity_stub(self))
    }
}

macro_rules! stores {
    ($($variant:ident : $ty:ty => $field:ident;)*) => {
        /// Readers of every kind's store; cheap to clone.
        #[derive(Clone)]
        pub struct Readers {
            $(pub $field: Store<Entry<$ty>>,)*
        }

        /// Writers of every kind's store; each is moved to the task that feeds it.
        pub struct Writers {
            $(pub $field: Writer<Entry<$ty>>,)*
        }


        /// Every kind held, in the order of the registry.
        pub const STORED: &[Kind] = &[$(Kind::$variant),*];

        /// A fresh, empty set of stores.
        pub fn stores() -> (Readers, Writers) {
            $(let $field = reflector::store::<Entry<$ty>>();)*
            (Readers { $($field: $field.0.clone(),)* }, Writers { $($field: $field.1,)* })
        }

        impl Readers {
            /// Copies every stored object into the buckets `sort` assigns it to.
            pub fn copy_into(&self, sort: &dyn Sort, buckets: &mut [Objects]) {
                let (mut full, mut stub) = (Vec::new(), Vec::new());
                $(
                    for o in self.$field.state() {
                        full.clear();
                        stub.clear();
                        o.0.route(Kind::$variant, sort, &mut full, &mut stub);
                        for &b in &full {
                            if let Some(bucket) = buckets.get_mut(b) {
                                bucket.$field.push(o.0.clone());
                            }
                        }
                        if !stub.is_empty() && let Some(s) = o.0.stub() {
                            for &b in &stub {
                                if let Some(bucket) = buckets.get_mut(b) {
                                    bucket.$field.push(s.clone());
                                }
                            }
                        }
                    }
                )*
            }

            /// How many objects each kind holds, for the header.
            pub fn count(&self, kind: Kind) -> usize {
                match kind {
                    $(Kind::$variant => self.$field.state().len(),)*
                }
            }

            /// Every namespace that holds an object, or is one.
            pub fn namespaces(&self) -> std::collections::BTreeSet<String> {
                let mut out = std::collections::BTreeSet::new();
                $(
                    for o in self.$field.state() {
                        let meta = k8s_openapi::Metadata::metadata(&o.0);
                        match (Kind::$variant, meta.namespace.as_deref()) {
                            (Kind::Namespace, _) => out.extend(meta.name.clone()),
                            (_, Some(ns)) if !ns.is_empty() => { out.insert(ns.to_string()); }
                            _ => {}
                        }
                    }
                )*
                out
            }

            /// One stored object as JSON (for YAML and describe views).
            pub fn json(&self, kind: Kind, namespace: Option<&str>, name: &str) -> Option<serde_json::Value> {
                let wanted = |m: &ObjectMeta| {
                    m.name.as_deref() == Some(name)
                        && m.namespace.as_deref().filter(|n| !n.is_empty()) == namespace
                };
                match kind {
                    $(Kind::$variant => self.$field
                        .find(|o| wanted(k8s_openapi::Metadata::metadata(&o.0)))
                        .and_then(|o| serde_json::to_value(&o.0).ok())
                        .map(|v| crate::model::with_type_meta(v, Kind::$variant.info())),)*
                }
            }

            /// Every pod, shared (no copy).
            pub fn pods(&self) -> Vec<Arc<Entry<k8s_openapi::api::core::v1::Pod>>> {
                self.pods.state()
            }
        }

        impl Writers {
            /// Replaces every store's content with `objects` (a bundle, or its state at the
            /// start of a replay); returns what changed.
            pub fn load(&mut self, objects: Objects) -> Vec<Touch> {
                let mut touched = Vec::new();
                $(
                    touched.extend(apply(Kind::$variant, &mut self.$field, &watcher::Event::Init));
                    for o in objects.$field {
                        touched.extend(apply(Kind::$variant, &mut self.$field, &watcher::Event::InitApply(Entry(o))));
                    }
                    touched.extend(apply(Kind::$variant, &mut self.$field, &watcher::Event::InitDone));
                )*
                touched
            }

            /// Starts one watcher per watched kind, each feeding its store.
            pub fn spawn(self, feed: &super::live::Feed) -> Vec<tokio::task::JoinHandle<()>> {
                let mut handles = Vec::new();
                $(handles.extend(super::live::spawn::<$ty>(Kind::$variant, self.$field, feed));)*
                handles
            }

            /// Adds or replaces every object held in `objects` (one step of a replay).
            pub fn upsert(&mut self, objects: Objects) -> Vec<Touch> {
                let mut touched = Vec::new();
                $(
                    for o in objects.$field {
                        touched.extend(apply(Kind::$variant, &mut self.$field, &watcher::Event::Apply(Entry(o))));
                    }
                )*
                touched
            }
        }
    };
}

use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, LimitRange, Namespace, Node, PersistentVolume, PersistentVolumeClaim,
    Pod, ReplicationController, ResourceQuota, Secret, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;

macro_rules! plain_route {
    ($($ty:ty),*) => {$(impl Route for $ty {})*};
}

plain_route!(
    Namespace,
    Node,
    PersistentVolume,
    StorageClass,
    Deployment,
    ReplicaSet,
    StatefulSet,
    DaemonSet,
    ControllerRevision,
    ReplicationController,
    Job,
    CronJob,
    Service,
    Endpoints,
    EndpointSlice,
    PersistentVolumeClaim,
    HorizontalPodAutoscaler,
    ResourceQuota,
    LimitRange,
    ConfigMap,
    Secret
);

// The same list as `model::kinds` (checked by the test below), typed for the watchers.
stores! {
    Namespace: Namespace => namespaces;
    Node: Node => nodes;
    PersistentVolume: PersistentVolume => persistent_volumes;
    StorageClass: StorageClass => storage_classes;
    Pod: Pod => pods;
    Event: k8s_openapi::api::core::v1::Event => events;
    Deployment: Deployment => deployments;
    ReplicaSet: ReplicaSet => replica_sets;
    StatefulSet: StatefulSet => stateful_sets;
    DaemonSet: DaemonSet => daemon_sets;
    ControllerRevision: ControllerRevision => controller_revisions;
    ReplicationController: ReplicationController => replication_controllers;
    Job: Job => jobs;
    CronJob: CronJob => cron_jobs;
    Service: Service => services;
    Endpoints: Endpoints => endpoints;
    EndpointSlice: EndpointSlice => endpoint_slices;
    PersistentVolumeClaim: PersistentVolumeClaim => persistent_volume_claims;
    HorizontalPodAutoscaler: HorizontalPodAutoscaler => horizontal_pod_autoscalers;
    ResourceQuota: ResourceQuota => resource_quotas;
    LimitRange: LimitRange => limit_ranges;
    ConfigMap: ConfigMap => config_maps;
    Secret: Secret => secrets;
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_registered_kind_has_a_store() {
        let registry: Vec<_> = crate::model::KINDS.iter().map(|k| k.kind).collect();
        assert_eq!(super::STORED, registry.as_slice());
    }
}
