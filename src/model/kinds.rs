//! The Kubernetes kinds k8sops collects: one registry that the live source, the bundle
//! reader/writer and the test API server all read, so a kind is added in one place.

use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    ConfigMap, Endpoints, Event, LimitRange, Namespace, Node, PersistentVolume,
    PersistentVolumeClaim, Pod, ReplicationController, ResourceQuota, Secret, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;

/// Static facts about one collected kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    pub kind: Kind,
    /// `Pod`, as in `kind:` fields.
    pub name: &'static str,
    /// The REST resource, `pods`.
    pub plural: &'static str,
    /// API group, empty for the core group.
    pub group: &'static str,
    pub version: &'static str,
    pub namespaced: bool,
    /// kubectl's short names (`po`, `deploy`).
    pub short_names: &'static [&'static str],
    /// File name inside a bundle directory, as `kubectl cluster-info dump` names it.
    pub file: &'static str,
    /// What its controller makes from its template: pods (ReplicaSet, StatefulSet,
    /// DaemonSet, Job), or the controllers that make them (Deployment, CronJob).
    pub creates: Option<Kind>,
    /// Written by people in manifests, so a fix edits it (a ReplicaSet is written by its
    /// Deployment's controller).
    pub edited: bool,
    /// Listed from a live cluster and watched. ReplicationControllers are read from dumps
    /// only: nothing current creates them.
    pub listed: bool,
}

impl KindInfo {
    /// `v1` or `apps/v1`, as in `apiVersion:` fields.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// `/api/v1` or `/apis/apps/v1`.
    pub fn api_prefix(&self) -> String {
        if self.group.is_empty() {
            format!("/api/{}", self.version)
        } else {
            format!("/apis/{}/{}", self.group, self.version)
        }
    }

    /// A controller on the chain k8sops follows from a pod to the object a human fixes
    /// (Pod → ReplicaSet → Deployment, Pod → Job → CronJob, StatefulSet, DaemonSet): what
    /// `diagnose` takes as a target, `-l` narrows and a watch partition follows.
    pub fn is_workload(&self) -> bool {
        self.creates.is_some() && self.listed
    }

    /// Creates pods itself, so admission rejects them with a `FailedCreate` event on it.
    pub fn creates_pods(&self) -> bool {
        self.creates == Some(Kind::Pod)
    }

    /// Has revisions `kubectl rollout` manages: the edited workloads of the `apps` group.
    pub fn rolls_out(&self) -> bool {
        self.edited && self.group == "apps"
    }

    /// Listed in a snapshot of `all` namespaces or of some: Namespace objects only matter,
    /// and can only be listed, cluster-wide.
    pub fn listed_for(&self, all: bool) -> bool {
        self.listed && (all || self.kind != Kind::Namespace)
    }
}

/// `Some(Kind::X)` from `[X]`, `None` from `[]`.
macro_rules! creates {
    () => {
        None
    };
    ($kind:ident) => {
        Some(Kind::$kind)
    };
}

macro_rules! kinds {
    ($( $variant:ident : $ty:ty => $field:ident, $plural:literal, $group:literal, $version:literal, $namespaced:literal, [$($short:literal),*], $file:literal, [$($creates:ident)?], $edited:literal, $listed:literal; )*) => {
        /// Every kind a snapshot holds.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Kind { $($variant),* }

        /// The registry, in collection order (cheap cluster-scoped kinds first, pods early).
        pub const KINDS: &[KindInfo] = &[$(
            KindInfo {
                kind: Kind::$variant,
                name: stringify!($variant),
                plural: $plural,
                group: $group,
                version: $version,
                namespaced: $namespaced,
                short_names: &[$($short),*],
                file: $file,
                creates: creates!($($creates)?),
                edited: $edited,
                listed: $listed,
            }
        ),*];

        /// Typed objects of every collected kind.
        #[derive(Debug, Clone, Default, PartialEq)]
        pub struct Objects {
            $(pub $field: Vec<$ty>,)*
        }

        impl Objects {
            /// Deserializes one object of `kind` and stores it.
            pub fn insert_json(&mut self, kind: Kind, value: serde_json::Value) -> Result<(), serde_json::Error> {
                match kind {
                    $(Kind::$variant => self.$field.push(<$ty as crate::model::edge::Edge>::from_value(value)?),)*
                }
                Ok(())
            }

            /// Deserializes one object of `kind` from raw JSON text and stores it.
            pub fn insert_raw(&mut self, kind: Kind, raw: &str) -> Result<(), serde_json::Error> {
                match kind {
                    $(Kind::$variant => self.$field.push(<$ty as crate::model::edge::Edge>::from_raw(raw)?),)*
                }
                Ok(())
            }

            /// The objects of `kind` as JSON, as list items (without `apiVersion`/`kind`).
            pub fn to_json(&self, kind: Kind) -> Vec<serde_json::Value> {
                match kind {
                    // Serializing a k8s-openapi object into a Value cannot fail (string keys only).
                    $(Kind::$variant => self.$field.iter().map(|o| serde_json::to_value(o).unwrap_or_default()).collect(),)*
                }
            }

            /// Parses a typed list (`PodList`) of `kind` in one pass and keeps its items.
            /// Returns `None`, keeping nothing, when the document's `kind` is not
            /// `<Kind>List` (the caller then reads it the general way).
            pub fn append_list(&mut self, kind: Kind, text: &str) -> Result<Option<usize>, serde_json::Error> {
                let expected = format!("{}List", kind.info().name);
                match kind {
                    $(Kind::$variant => {
                        let list: crate::model::edge::TypedList<$ty> = serde_json::from_str(text)?;
                        if list.kind.as_deref() != Some(expected.as_str()) {
                            return Ok(None);
                        }
                        let n = list.items.len();
                        self.$field.extend(list.items.into_iter().map(|e| e.0));
                        Ok(Some(n))
                    })*
                }
            }

            /// Moves every object of `other` into `self`, leaving `other` empty (`sort`
            /// follows). The bundle reader calls it once per file, under a lock, so no two
            /// copies of the large vectors are ever alive together.
            pub fn append(&mut self, other: &mut Objects) {
                $(self.$field.append(&mut other.$field);)*
            }

            /// Drops the spare capacity that growing by doubling left behind.
            pub fn shrink_to_fit(&mut self) {
                $(self.$field.shrink_to_fit();)*
            }

            /// The metadata of the `i`th object of `kind`.
            pub fn meta_at(&self, kind: Kind, i: usize) -> Option<&ObjectMeta> {
                match kind {
                    $(Kind::$variant => self.$field.get(i).map(|o| &o.metadata),)*
                }
            }

            /// How many objects of `kind` are held.
            pub fn count(&self, kind: Kind) -> usize {
                match kind {
                    $(Kind::$variant => self.$field.len(),)*
                }
            }

            /// Sorts every kind by (namespace, name) so output and comparisons are stable,
            /// keeping one object per name (the same object may come from two files).
            pub fn sort(&mut self) {
                $(
                    // In place: a stable sort would allocate half the vector again.
                    self.$field.sort_unstable_by(|a, b| sort_key(&a.metadata).cmp(&sort_key(&b.metadata)));
                    self.$field.dedup_by(|a, b| sort_key(&a.metadata) == sort_key(&b.metadata));
                )*
            }

            /// Keeps the objects for which `keep(kind, metadata)` holds.
            pub fn retain(&mut self, mut keep: impl FnMut(Kind, &ObjectMeta) -> bool) {
                $(self.$field.retain(|o| keep(Kind::$variant, &o.metadata));)*
            }

            /// Metadata of every object, with its kind.
            pub fn metas(&self) -> impl Iterator<Item = (Kind, &ObjectMeta)> {
                std::iter::empty()
                    $(.chain(self.$field.iter().map(|o| (Kind::$variant, &o.metadata))))*
            }
        }
    };
}

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

fn sort_key(m: &ObjectMeta) -> (&str, &str) {
    (
        m.namespace.as_deref().unwrap_or(""),
        m.name.as_deref().unwrap_or(""),
    )
}

/// Sets `apiVersion` and `kind` on an object, as single objects and watch events carry them.
pub fn with_type_meta(mut value: serde_json::Value, info: &KindInfo) -> serde_json::Value {
    if let Some(map) = value.as_object_mut() {
        map.insert("apiVersion".into(), info.api_version().into());
        map.insert("kind".into(), info.name.into());
    }
    value
}

/// Hands the table of kinds to the macro `$callback`, one row per kind:
///
/// `Variant: Type => field, plural, group, version, namespaced, [short names], bundle file,
/// [what its controller creates], edited, listed;`
///
/// The registry below and the watch stores (`watch::objects`) are both generated from it,
/// so a kind is added in one row.
macro_rules! for_each_kind {
    ($callback:ident) => {
        $callback! {
            Namespace: Namespace => namespaces, "namespaces", "", "v1", false, ["ns"], "namespaces.json", [], false, true;
            Node: Node => nodes, "nodes", "", "v1", false, ["no"], "nodes.json", [], false, true;
            PersistentVolume: PersistentVolume => persistent_volumes, "persistentvolumes", "", "v1", false, ["pv"], "persistentvolumes.json", [], false, true;
            StorageClass: StorageClass => storage_classes, "storageclasses", "storage.k8s.io", "v1", false, ["sc"], "storageclasses.json", [], false, true;
            Pod: Pod => pods, "pods", "", "v1", true, ["po"], "pods.json", [], false, true;
            Event: Event => events, "events", "", "v1", true, ["ev"], "events.json", [], false, true;
            Deployment: Deployment => deployments, "deployments", "apps", "v1", true, ["deploy"], "deployments.json", [ReplicaSet], true, true;
            ReplicaSet: ReplicaSet => replica_sets, "replicasets", "apps", "v1", true, ["rs"], "replicasets.json", [Pod], false, true;
            StatefulSet: StatefulSet => stateful_sets, "statefulsets", "apps", "v1", true, ["sts"], "statefulsets.json", [Pod], true, true;
            DaemonSet: DaemonSet => daemon_sets, "daemonsets", "apps", "v1", true, ["ds"], "daemonsets.json", [Pod], true, true;
            ControllerRevision: ControllerRevision => controller_revisions, "controllerrevisions", "apps", "v1", true, [], "controllerrevisions.json", [], false, true;
            ReplicationController: ReplicationController => replication_controllers, "replicationcontrollers", "", "v1", true, ["rc"], "replication-controllers.json", [Pod], true, false;
            Job: Job => jobs, "jobs", "batch", "v1", true, [], "jobs.json", [Pod], true, true;
            CronJob: CronJob => cron_jobs, "cronjobs", "batch", "v1", true, ["cj"], "cronjobs.json", [Job], true, true;
            Service: Service => services, "services", "", "v1", true, ["svc"], "services.json", [], false, true;
            Endpoints: Endpoints => endpoints, "endpoints", "", "v1", true, ["ep"], "endpoints.json", [], false, true;
            EndpointSlice: EndpointSlice => endpoint_slices, "endpointslices", "discovery.k8s.io", "v1", true, [], "endpointslices.json", [], false, true;
            PersistentVolumeClaim: PersistentVolumeClaim => persistent_volume_claims, "persistentvolumeclaims", "", "v1", true, ["pvc"], "persistentvolumeclaims.json", [], false, true;
            HorizontalPodAutoscaler: HorizontalPodAutoscaler => horizontal_pod_autoscalers, "horizontalpodautoscalers", "autoscaling", "v2", true, ["hpa"], "horizontalpodautoscalers.json", [], false, true;
            ResourceQuota: ResourceQuota => resource_quotas, "resourcequotas", "", "v1", true, ["quota"], "resourcequotas.json", [], false, true;
            LimitRange: LimitRange => limit_ranges, "limitranges", "", "v1", true, ["limits"], "limitranges.json", [], false, true;
            ConfigMap: ConfigMap => config_maps, "configmaps", "", "v1", true, ["cm"], "configmaps.json", [], false, true;
            Secret: Secret => secrets, "secrets", "", "v1", true, [], "secrets.json", [], false, true;
        }
    };
}
pub(crate) use for_each_kind;

for_each_kind!(kinds);

impl Kind {
    pub fn info(self) -> &'static KindInfo {
        // KINDS is generated in declaration order, so the discriminant is the index.
        &KINDS[self as usize]
    }

    /// Made by another kind's controller (a Pod by a ReplicaSet, a ReplicaSet by a
    /// Deployment, a Job by a CronJob), so what a human fixes is up its owner chain.
    pub fn is_created(self) -> bool {
        KINDS.iter().any(|k| k.creates == Some(self))
    }

    /// Resolves `Pod`, `PodList`, `pods`, `po`, `deploy`, `deployment.apps` (case-insensitive).
    pub fn parse(s: &str) -> Option<Kind> {
        let lower = s.to_ascii_lowercase();
        let base = lower.split('.').next().unwrap_or(&lower);
        KINDS
            .iter()
            .find(|k| {
                let name = k.name.to_ascii_lowercase();
                base == name
                    || base == k.plural
                    || k.short_names.contains(&base)
                    || base.strip_suffix("list") == Some(name.as_str())
                    || base.strip_suffix('s') == Some(name.as_str())
            })
            .map(|k| k.kind)
    }

    /// The kind whose bundle file is named `file` (`pods.json` → Pod).
    pub fn from_file_name(file: &str) -> Option<Kind> {
        KINDS.iter().find(|k| k.file == file).map(|k| k.kind)
    }

    /// Resolves the `kind` field of a typed list (`PodList`) or an object (`Pod`), exactly.
    pub fn from_kind_field(s: &str) -> Option<Kind> {
        let base = s.strip_suffix("List").unwrap_or(s);
        KINDS.iter().find(|k| k.name == base).map(|k| k.kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The sets the columns derive, spelled out: a row that changes one is a decision to
    /// review (what `diagnose` takes, what `-l` narrows, what a fix may say to roll out).
    #[test]
    fn the_columns_derive_the_workload_sets() {
        let names = |p: fn(&KindInfo) -> bool| -> Vec<&str> {
            KINDS.iter().filter(|k| p(k)).map(|k| k.name).collect()
        };
        assert_eq!(
            names(KindInfo::is_workload),
            [
                "Deployment",
                "ReplicaSet",
                "StatefulSet",
                "DaemonSet",
                "Job",
                "CronJob"
            ]
        );
        assert_eq!(
            names(KindInfo::creates_pods),
            [
                "ReplicaSet",
                "StatefulSet",
                "DaemonSet",
                "ReplicationController",
                "Job"
            ]
        );
        assert_eq!(
            names(KindInfo::rolls_out),
            ["Deployment", "StatefulSet", "DaemonSet"]
        );
        assert_eq!(names(|k| !k.listed), ["ReplicationController"]);
        assert_eq!(names(|k| k.kind.is_created()), ["Pod", "ReplicaSet", "Job"]);
        assert_eq!(
            names(|k| !k.listed_for(false)),
            ["Namespace", "ReplicationController"]
        );
    }
}
