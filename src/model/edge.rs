//! The edge where API objects enter k8sops. ConfigMaps and Secrets keep their names and key
//! names only: values are never deserialized into memory (Secret `data` is skipped while
//! parsing), and `last-applied-configuration` — which would carry the values — is dropped.

use std::collections::BTreeMap;

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{ConfigMap, Secret};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::de::IgnoredAny;
use serde::{Deserialize, Deserializer};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

/// How an object of one kind is read from the API or a bundle.
pub trait Edge: Sized {
    fn deserialize_edge<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;

    fn from_value(value: serde_json::Value) -> Result<Self, serde_json::Error> {
        Self::deserialize_edge(value)
    }

    fn from_raw(raw: &str) -> Result<Self, serde_json::Error> {
        let mut de = serde_json::Deserializer::from_str(raw);
        let value = Self::deserialize_edge(&mut de)?;
        de.end()?;
        Ok(value)
    }
}

/// Deserializes any `T: Edge` through its edge, e.g. as the items of a typed list.
pub struct Edged<T>(pub T);

impl<'de, T: Edge> Deserialize<'de> for Edged<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize_edge(deserializer).map(Edged)
    }
}

/// A typed list (`PodList`) whose items go through the edge.
#[derive(Deserialize)]
#[serde(bound = "T: Edge")]
pub struct TypedList<T> {
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub items: Vec<Edged<T>>,
}

macro_rules! plain_edge {
    ($($ty:ty),*) => {$(
        impl Edge for $ty {
            fn deserialize_edge<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let mut object = <$ty>::deserialize(deserializer)?;
                // Server-side apply bookkeeping: large, and nothing k8sops reads.
                object.metadata.managed_fields = None;
                Ok(object)
            }
        }
    )*};
}

use k8s_openapi::api::apps::v1::{
    ControllerRevision, DaemonSet, Deployment, ReplicaSet, StatefulSet,
};
use k8s_openapi::api::autoscaling::v2::HorizontalPodAutoscaler;
use k8s_openapi::api::batch::v1::{CronJob, Job};
use k8s_openapi::api::core::v1::{
    Endpoints, Event, LimitRange, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod,
    ReplicationController, ResourceQuota, Service,
};
use k8s_openapi::api::discovery::v1::EndpointSlice;
use k8s_openapi::api::storage::v1::StorageClass;

plain_edge!(
    Namespace,
    Node,
    PersistentVolume,
    StorageClass,
    Pod,
    Event,
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
    LimitRange
);

/// A ConfigMap or Secret as read at the edge: metadata and key names, values skipped.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct KeysOnly {
    #[serde(default)]
    metadata: ObjectMeta,
    #[serde(default, rename = "type")]
    type_: Option<String>,
    #[serde(default)]
    immutable: Option<bool>,
    #[serde(default)]
    data: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default)]
    binary_data: Option<BTreeMap<String, IgnoredAny>>,
    #[serde(default)]
    string_data: Option<BTreeMap<String, IgnoredAny>>,
}

impl KeysOnly {
    fn read<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut keys = KeysOnly::deserialize(deserializer)?;
        if let Some(annotations) = keys.metadata.annotations.as_mut() {
            annotations.remove(LAST_APPLIED);
        }
        keys.metadata.managed_fields = None;
        Ok(keys)
    }

    fn names(map: Option<BTreeMap<String, IgnoredAny>>) -> impl Iterator<Item = String> {
        map.into_iter().flat_map(|m| m.into_keys())
    }
}

impl Edge for ConfigMap {
    fn deserialize_edge<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        KeysOnly::read(deserializer).map(Into::into)
    }
}

impl From<KeysOnly> for ConfigMap {
    fn from(k: KeysOnly) -> Self {
        let data: BTreeMap<String, String> = KeysOnly::names(k.data)
            .map(|key| (key, String::new()))
            .collect();
        let binary: BTreeMap<String, ByteString> = KeysOnly::names(k.binary_data)
            .map(|key| (key, ByteString(Vec::new())))
            .collect();
        ConfigMap {
            metadata: k.metadata,
            immutable: k.immutable,
            data: (!data.is_empty()).then_some(data),
            binary_data: (!binary.is_empty()).then_some(binary),
        }
    }
}

impl Edge for Secret {
    fn deserialize_edge<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        KeysOnly::read(deserializer).map(Into::into)
    }
}

impl From<KeysOnly> for Secret {
    fn from(k: KeysOnly) -> Self {
        // stringData is write-only in the API; its keys become data keys once applied.
        let data: BTreeMap<String, ByteString> = KeysOnly::names(k.data)
            .chain(KeysOnly::names(k.string_data))
            .map(|key| (key, ByteString(Vec::new())))
            .collect();
        Secret {
            metadata: k.metadata,
            immutable: k.immutable,
            type_: k.type_,
            data: (!data.is_empty()).then_some(data),
            string_data: None,
        }
    }
}

/// Key names of a ConfigMap (data and binaryData).
pub fn config_map_keys(cm: &ConfigMap) -> impl Iterator<Item = &str> {
    cm.data
        .iter()
        .flat_map(|d| d.keys())
        .chain(cm.binary_data.iter().flat_map(|d| d.keys()))
        .map(String::as_str)
}

/// Key names of a Secret.
pub fn secret_keys(secret: &Secret) -> impl Iterator<Item = &str> {
    secret
        .data
        .iter()
        .flat_map(|d| d.keys())
        .map(String::as_str)
}
