//! The live object store, one store per kind: the namespaced kinds, which grow with the
//! workloads, packed (`watch::packed`; Pods with what routing reads of them,
//! `watch::pods`; Events indexed by the partition they are read with, `watch::events`),
//! and the few cluster-scoped objects typed, in `kube::runtime` reflector stores. Writers
//! are fed by watchers (live) or by a bundle (`--from`, `--replay`); readers copy the
//! objects of one partition into a typed [`Objects`] for the analyzers.
//!
//! Objects enter through the model's edge, so ConfigMaps and Secrets keep key names only —
//! the values of a Secret are never deserialized, not even into the watch cache.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use kube::runtime::reflector::{self, Store, store::Writer};
use kube::runtime::watcher;
use serde::{Deserialize, Deserializer};

pub use super::events::Events;
use super::events::{EventsWriter, Home, Packed as PackedEvent};
pub use super::packed::Held;
use super::packed::{Packed, PackedWriter};
pub use super::pods::Pods;
use super::pods::PodsWriter;
use super::work::Work;
use crate::model::edge::Edge;
use crate::model::{Kind, ObjectRef, Objects};

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
    /// `None` for cluster-scoped objects and for changes that concern every partition (a
    /// relist, a kind's watch failing).
    pub namespace: Option<String>,
    /// `None` when the touch is not about one object (logs of the namespace arrived).
    pub name: Option<String>,
    /// For events: the object the event is about.
    pub about: Option<ObjectRef>,
    /// For pods: what node capacity reads of it (node, phase, requests) changed.
    pub capacity: bool,
}

impl Touch {
    pub(super) fn of(
        kind: Kind,
        meta: &ObjectMeta,
        about: Option<ObjectRef>,
        capacity: bool,
    ) -> Self {
        Touch {
            kind,
            namespace: meta.namespace.clone().filter(|n| !n.is_empty()),
            name: meta.name.clone(),
            about,
            capacity,
        }
    }

    /// A change every partition may see: a relist of `kind`, its watch failing or coming
    /// back.
    pub fn everywhere(kind: Kind) -> Self {
        Touch {
            kind,
            namespace: None,
            name: None,
            about: None,
            capacity: false,
        }
    }

    /// Container logs of pods in `namespace` arrived.
    pub fn logs(namespace: String) -> Self {
        Touch {
            kind: Kind::Pod,
            namespace: Some(namespace),
            name: None,
            about: None,
            capacity: false,
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
    let touched = match event {
        watcher::Event::Apply(o) | watcher::Event::Delete(o) => {
            let meta = k8s_openapi::Metadata::metadata(&o.0);
            Some(Touch::of(kind, meta, o.0.involved(), false))
        }
        watcher::Event::InitDone => Some(Touch::everywhere(kind)),
        watcher::Event::Init | watcher::Event::InitApply(_) => None,
    };
    writer.apply_watcher_event(event);
    touched
}

/// What the watcher events of one kind are applied to: a reflector store's writer, or
/// a packed store's (`watch::packed`, `watch::events`).
pub trait Apply<T> {
    fn apply(&mut self, kind: Kind, event: &watcher::Event<Entry<T>>) -> Option<Touch>;
}

impl<T> Apply<T> for Writer<Entry<T>>
where
    Entry<T>: kube::Resource<DynamicType = ()> + Clone,
    T: Route,
{
    fn apply(&mut self, kind: Kind, event: &watcher::Event<Entry<T>>) -> Option<Touch> {
        apply(kind, self, event)
    }
}

/// Decides which partitions' copies an object goes into (see `watch::partition`).
pub trait Sort {
    /// Buckets that get a copy of an object of `kind` in `namespace` (empty: cluster
    /// scoped).
    fn object(&self, kind: Kind, namespace: &str, full: &mut Vec<usize>);
    /// Buckets that get the pod.
    fn pod(&self, namespace: &str, name: &str, full: &mut Vec<usize>);
    /// Whether any bucket may want events of `home` (the others are not even looked at).
    fn wants_events(&self, home: &Home) -> bool;
    /// Buckets that get the event.
    fn event(&self, home: &Home, event: &PackedEvent, full: &mut Vec<usize>);
}

/// What a watcher feeds into a store: an object with metadata, and for Events the object
/// they are about.
pub trait Route: k8s_openapi::Metadata<Ty = ObjectMeta> + Sized {
    /// The object an event is about; `None` for everything but Events.
    fn involved(&self) -> Option<ObjectRef> {
        None
    }
}

impl Route for k8s_openapi::api::core::v1::Event {
    fn involved(&self) -> Option<ObjectRef> {
        let o = &self.involved_object;
        let namespace = o
            .namespace
            .as_deref()
            .or(self.metadata.namespace.as_deref())
            .filter(|n| !n.is_empty());
        Some(ObjectRef::new(
            o.kind.clone().unwrap_or_default(),
            namespace,
            o.name.clone().unwrap_or_default(),
        ))
    }
}

/// The reader's type of a kind's store.
macro_rules! held {
    (reflected, $ty:ty, $g:ty) => { Store<Entry<$ty>> };
    (packed, $ty:ty, $g:ty) => { Packed<$ty, $g> };
}

/// The writer's type of a kind's store.
macro_rules! writer {
    (reflected, $ty:ty, $g:ty) => { Writer<Entry<$ty>> };
    (packed, $ty:ty, $g:ty) => { PackedWriter<$ty, $g> };
}

/// A fresh store of a kind: its reader and its writer.
macro_rules! fresh {
    (reflected, $ty:ty, $g:ty) => {
        reflector::store::<Entry<$ty>>()
    };
    (packed, $ty:ty, $g:ty) => {
        super::packed::store::<$ty, $g>()
    };
}

macro_rules! stores {
    ($($variant:ident : $ty:ty => $field:ident, $how:ident($g:ty);)*) => {
        /// Readers of every kind's store; cheap to clone.
        #[derive(Clone)]
        pub struct Readers {
            $(pub $field: held!($how, $ty, $g),)*
            pub pods: Pods,
            pub events: Events,
        }

        /// Writers of every kind's store; each is moved to the task that feeds it.
        pub struct Writers {
            $(pub $field: writer!($how, $ty, $g),)*
            pub pods: PodsWriter,
            pub events: EventsWriter,
        }

        /// Every kind but Pods and Events, in the order of the registry (those two have
        /// stores of their own).
        pub const PLAIN: &[Kind] = &[$(Kind::$variant),*];

        $(impl Route for $ty {})*

        /// A fresh, empty set of stores.
        pub fn stores() -> (Readers, Writers) {
            $(let $field = fresh!($how, $ty, $g);)*
            let (pods, pods_writer) = super::packed::store();
            let (events, events_writer) = super::events::store();
            (
                Readers { $($field: $field.0.clone(),)* pods, events },
                Writers { $($field: $field.1,)* pods: pods_writer, events: events_writer },
            )
        }

        impl Readers {
            /// Copies every stored object into the buckets `sort` assigns it to.
            pub fn copy_into(&self, sort: &dyn Sort, buckets: &mut [Objects]) {
                let mut full = Vec::new();
                $(
                    Held::each(&self.$field, &mut |ns, _, get| {
                        full.clear();
                        sort.object(Kind::$variant, ns, &mut full);
                        if !full.is_empty() && let Some(o) = get() {
                            for &b in &full {
                                if let Some(bucket) = buckets.get_mut(b) {
                                    bucket.$field.push(o.clone());
                                }
                            }
                        }
                    });
                )*
                Held::each(&self.pods, &mut |ns, name, unpack| {
                    full.clear();
                    sort.pod(ns, name, &mut full);
                    if !full.is_empty() && let Some(pod) = unpack() {
                        for &b in &full {
                            if let Some(bucket) = buckets.get_mut(b) {
                                bucket.pods.push(pod.clone());
                            }
                        }
                    }
                });
                self.events.each(
                    |home| sort.wants_events(home),
                    |home, packed, unpack| {
                        full.clear();
                        sort.event(home, packed, &mut full);
                        if full.is_empty() {
                            return;
                        }
                        if let Some(event) = unpack() {
                            for &b in &full {
                                if let Some(bucket) = buckets.get_mut(b) {
                                    bucket.events.push(event.clone());
                                }
                            }
                        }
                    },
                );
            }

            /// Every namespace that holds an object, or is one.
            pub fn namespaces(&self) -> std::collections::BTreeSet<String> {
                let mut out = std::collections::BTreeSet::new();
                $(Held::namespaces(&self.$field, Kind::$variant, &mut out);)*
                Held::namespaces(&self.pods, Kind::Pod, &mut out);
                self.events.namespaces(&mut out);
                out
            }

            /// One stored object as JSON (for YAML and describe views).
            pub fn json(&self, kind: Kind, namespace: Option<&str>, name: &str) -> Option<serde_json::Value> {
                let ns = namespace.unwrap_or("");
                let value = match kind {
                    $(Kind::$variant => Held::get(&self.$field, ns, name)
                        .and_then(|o| serde_json::to_value(&o).ok()),)*
                    Kind::Pod => Held::get(&self.pods, ns, name).and_then(|p| serde_json::to_value(&p).ok()),
                    Kind::Event => self.events.get(namespace, name).and_then(|e| serde_json::to_value(&e).ok()),
                };
                value.map(|v| crate::model::with_type_meta(v, kind.info()))
            }
        }

        impl Writers {
            /// Replaces every store's content with `objects` (a bundle, or its state at the
            /// start of a replay); returns what changed.
            pub fn load(&mut self, objects: Objects) -> Vec<Touch> {
                fn list<T>(kind: Kind, w: &mut dyn Apply<T>, objects: Vec<T>, touched: &mut Vec<Touch>) {
                    touched.extend(w.apply(kind, &watcher::Event::Init));
                    for o in objects {
                        touched.extend(w.apply(kind, &watcher::Event::InitApply(Entry(o))));
                    }
                    touched.extend(w.apply(kind, &watcher::Event::InitDone));
                }
                let mut touched = Vec::new();
                $(list(Kind::$variant, &mut self.$field, objects.$field, &mut touched);)*
                list(Kind::Pod, &mut self.pods, objects.pods, &mut touched);
                list(Kind::Event, &mut self.events, objects.events, &mut touched);
                touched
            }

            /// Starts one watcher per watched kind, each feeding its store.
            pub fn spawn(self, feed: &super::live::Feed) -> Vec<tokio::task::JoinHandle<()>> {
                let mut handles = Vec::new();
                $(handles.extend(super::live::spawn::<$ty, _>(Kind::$variant, self.$field, feed));)*
                handles.extend(super::live::spawn::<Pod, _>(Kind::Pod, self.pods, feed));
                handles.extend(super::live::spawn::<k8s_openapi::api::core::v1::Event, _>(Kind::Event, self.events, feed));
                handles
            }

            /// Adds or replaces every object held in `objects` (one step of a replay).
            pub fn upsert(&mut self, objects: Objects) -> Vec<Touch> {
                fn each<T>(kind: Kind, w: &mut dyn Apply<T>, objects: Vec<T>, touched: &mut Vec<Touch>) {
                    for o in objects {
                        touched.extend(w.apply(kind, &watcher::Event::Apply(Entry(o))));
                    }
                }
                let mut touched = Vec::new();
                $(each(Kind::$variant, &mut self.$field, objects.$field, &mut touched);)*
                each(Kind::Pod, &mut self.pods, objects.pods, &mut touched);
                each(Kind::Event, &mut self.events, objects.events, &mut touched);
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

impl Route for Pod {}

/// Turns the rows of the kinds table (`model::kinds::for_each_kind`) into the rows of
/// [`stores!`]: every kind but Pods and Events (which have stores of their own), the
/// cluster-scoped ones, few and read by every partition, in reflector stores; the
/// namespaced ones packed, workloads with what the header's health score reads of them
/// (`watch::work`).
macro_rules! watched_stores {
    (@rows [$($out:tt)*]) => {
        stores! { $($out)* }
    };
    (@rows $out:tt Pod : $ty:ty => $($col:tt),* ; $($rest:tt)*) => {
        watched_stores! { @rows $out $($rest)* }
    };
    (@rows $out:tt Event : $ty:ty => $($col:tt),* ; $($rest:tt)*) => {
        watched_stores! { @rows $out $($rest)* }
    };
    (@rows [$($out:tt)*] $variant:ident : $ty:ty => $field:ident, $plural:tt, $group:tt, $version:tt, false, $($col:tt),* ; $($rest:tt)*) => {
        watched_stores! { @rows [$($out)* $variant: $ty => $field, reflected(());] $($rest)* }
    };
    (@rows [$($out:tt)*] $variant:ident : $ty:ty => $field:ident, $plural:tt, $group:tt, $version:tt, true, $short:tt, $file:tt, [$creates:ident], $edited:tt, true ; $($rest:tt)*) => {
        watched_stores! { @rows [$($out)* $variant: $ty => $field, packed(Work);] $($rest)* }
    };
    (@rows [$($out:tt)*] $variant:ident : $ty:ty => $field:ident, $($col:tt),* ; $($rest:tt)*) => {
        watched_stores! { @rows [$($out)* $variant: $ty => $field, packed(());] $($rest)* }
    };
    ($($rows:tt)*) => {
        watched_stores! { @rows [] $($rows)* }
    };
}

crate::model::kinds::for_each_kind!(watched_stores);

#[cfg(test)]
mod tests {
    use crate::model::Kind;

    /// Every object of an example, held packed or typed, comes back from the stores as
    /// the bundle holds it.
    #[test]
    fn every_object_comes_back_from_its_store_as_it_went_in() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/crash-loop");
        let snapshot = crate::source::bundle::read(std::path::Path::new(path)).expect("reads");
        let (readers, mut writers) = super::stores();
        writers.load(snapshot.objects.clone());
        let mut seen = 0;
        for info in crate::model::KINDS {
            for want in snapshot.objects.to_json(info.kind) {
                let meta = &want["metadata"];
                let name = meta["name"].as_str().expect("named");
                let got = readers.json(info.kind, meta["namespace"].as_str(), name);
                let want = crate::model::with_type_meta(want.clone(), info);
                assert_eq!(got.as_ref(), Some(&want), "{} {name}", info.name);
                seen += 1;
            }
        }
        assert!(seen > 50, "{seen} objects");
        let namespaces = readers.namespaces();
        for ns in snapshot.index().namespaces() {
            assert!(namespaces.contains(ns), "namespace {ns}");
        }
    }

    #[test]
    fn every_registered_kind_has_a_store() {
        let registry: Vec<_> = crate::model::KINDS
            .iter()
            .map(|k| k.kind)
            .filter(|k| !matches!(k, Kind::Pod | Kind::Event))
            .collect();
        assert_eq!(super::PLAIN, registry.as_slice());
    }
}
