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

/// Every kind of the table but the three with an edge of their own (below).
macro_rules! plain_edges {
    () => {};
    (Pod : $ty:ty => $($col:tt),* ; $($rest:tt)*) => {
        plain_edges! { $($rest)* }
    };
    (ConfigMap : $ty:ty => $($col:tt),* ; $($rest:tt)*) => {
        plain_edges! { $($rest)* }
    };
    (Secret : $ty:ty => $($col:tt),* ; $($rest:tt)*) => {
        plain_edges! { $($rest)* }
    };
    ($variant:ident : $ty:ty => $($col:tt),* ; $($rest:tt)*) => {
        plain_edge!($ty);
        plain_edges! { $($rest)* }
    };
}

super::kinds::for_each_kind!(plain_edges);

impl Edge for Pod {
    fn deserialize_edge<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let mut pod = Pod::deserialize(deserializer)?;
        pod.metadata.managed_fields = None;
        drop_service_account_volume(&mut pod);
        shrink_pod(&mut pod);
        Ok(pod)
    }
}

/// Gives back the spare capacity serde's growth by doubling leaves in a pod's lists: a
/// one-container pod's `containerStatuses` holds room for four (~3 KB). Over 10k pods that
/// is tens of megabytes of nothing.
fn shrink_pod(pod: &mut Pod) {
    fn tight<T>(list: &mut Option<Vec<T>>) {
        if let Some(list) = list {
            list.shrink_to_fit();
        }
    }
    if let Some(status) = pod.status.as_mut() {
        tight(&mut status.container_statuses);
        tight(&mut status.init_container_statuses);
        tight(&mut status.ephemeral_container_statuses);
        tight(&mut status.conditions);
        tight(&mut status.pod_ips);
        tight(&mut status.host_ips);
    }
    if let Some(spec) = pod.spec.as_mut() {
        spec.containers.shrink_to_fit();
        tight(&mut spec.init_containers);
        tight(&mut spec.volumes);
        tight(&mut spec.tolerations);
        let containers = spec
            .containers
            .iter_mut()
            .chain(spec.init_containers.iter_mut().flatten());
        for c in containers {
            tight(&mut c.env);
            tight(&mut c.env_from);
            tight(&mut c.ports);
            tight(&mut c.volume_mounts);
            tight(&mut c.args);
            tight(&mut c.command);
        }
    }
    tight(&mut pod.metadata.owner_references);
}

/// Where the ServiceAccount admission controller mounts the API token in every container.
const SERVICE_ACCOUNT_MOUNT: &str = "/var/run/secrets/kubernetes.io/serviceaccount";

/// Drops the token volume that the ServiceAccount admission controller injects into every
/// pod (`kube-api-access-xxxxx`: a projected token, the `kube-root-ca.crt` ConfigMap and
/// the namespace) and its mounts. It is identical in every pod, nothing is diagnosed from
/// it (a FailedMount on it is diagnosed from the event), and in memory it is ~5 KB per
/// pod — the largest part of a typical pod spec. Only the exact injected shape is
/// dropped; a user-defined projected volume stays.
fn drop_service_account_volume(pod: &mut Pod) {
    let Some(spec) = pod.spec.as_mut() else {
        return;
    };
    let Some(volumes) = spec.volumes.as_mut() else {
        return;
    };
    let before = volumes.len();
    let mut dropped = Vec::new();
    volumes.retain(|v| {
        let injected = v.name.starts_with("kube-api-access-") && is_injected_projection(v);
        if injected {
            dropped.push(v.name.clone());
        }
        !injected
    });
    if volumes.len() == before {
        return;
    }
    if volumes.is_empty() {
        spec.volumes = None;
    }
    let containers = spec
        .containers
        .iter_mut()
        .chain(spec.init_containers.iter_mut().flatten());
    for c in containers {
        if let Some(mounts) = c.volume_mounts.as_mut() {
            mounts
                .retain(|m| !(dropped.contains(&m.name) && m.mount_path == SERVICE_ACCOUNT_MOUNT));
            if mounts.is_empty() {
                c.volume_mounts = None;
            }
        }
    }
}

fn is_injected_projection(v: &k8s_openapi::api::core::v1::Volume) -> bool {
    let Some(sources) = v.projected.as_ref().and_then(|p| p.sources.as_ref()) else {
        return false;
    };
    sources.len() == 3
        && sources.iter().any(|s| s.service_account_token.is_some())
        && sources.iter().any(|s| {
            s.config_map
                .as_ref()
                .is_some_and(|c| c.name == "kube-root-ca.crt")
        })
        && sources.iter().any(|s| s.downward_api.is_some())
}

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

#[cfg(test)]
mod tests {
    use super::*;

    fn pod(volumes: serde_json::Value) -> Pod {
        let json = serde_json::json!({
            "metadata": {"name": "web-1", "namespace": "shop"},
            "spec": {
                "containers": [{"name": "web", "image": "web:1", "volumeMounts": [
                    {"name": "kube-api-access-x2k4p", "mountPath": SERVICE_ACCOUNT_MOUNT, "readOnly": true},
                    {"name": "config", "mountPath": "/etc/web"}
                ]}],
                "volumes": volumes
            }
        });
        Pod::from_raw(&json.to_string()).expect("pod parses")
    }

    fn injected() -> serde_json::Value {
        serde_json::json!({"name": "kube-api-access-x2k4p", "projected": {"defaultMode": 420, "sources": [
            {"serviceAccountToken": {"expirationSeconds": 3607, "path": "token"}},
            {"configMap": {"name": "kube-root-ca.crt", "items": [{"key": "ca.crt", "path": "ca.crt"}]}},
            {"downwardAPI": {"items": [{"path": "namespace", "fieldRef": {"apiVersion": "v1", "fieldPath": "metadata.namespace"}}]}}
        ]}})
    }

    #[test]
    fn the_injected_token_volume_and_its_mount_are_dropped() {
        let p = pod(
            serde_json::json!([injected(), {"name": "config", "configMap": {"name": "web-config"}}]),
        );
        let spec = p.spec.expect("spec");
        let volumes: Vec<&str> = spec
            .volumes
            .iter()
            .flatten()
            .map(|v| v.name.as_str())
            .collect();
        assert_eq!(volumes, ["config"]);
        let mounts: Vec<&str> = spec.containers[0]
            .volume_mounts
            .iter()
            .flatten()
            .map(|m| m.name.as_str())
            .collect();
        assert_eq!(mounts, ["config"]);
    }

    #[test]
    fn a_projected_volume_of_the_users_own_stays() {
        let mut own = injected();
        own["projected"]["sources"][1]["configMap"]["name"] = "my-ca".into();
        let p = pod(serde_json::json!([own]));
        let spec = p.spec.expect("spec");
        assert_eq!(spec.volumes.map(|v| v.len()), Some(1));
        assert_eq!(
            spec.containers[0].volume_mounts.as_ref().map(Vec::len),
            Some(2)
        );
    }
}
