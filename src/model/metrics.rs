//! Resource usage from `metrics.k8s.io/v1beta1` (metrics-server): one sample per node and
//! per pod container. Optional by nature — many clusters have no metrics-server — so a
//! snapshot says what it has and, when it has none, why (a note for the reader, never a
//! collection failure).

use std::collections::BTreeMap;

use k8s_openapi::apimachinery::pkg::api::resource::Quantity;
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

/// A `NodeMetrics` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeMetrics {
    pub metadata: ObjectMeta,
    /// When the sample was taken.
    #[serde(default)]
    pub timestamp: Option<jiff::Timestamp>,
    /// The interval the sample averages over (`10.5s`).
    #[serde(default)]
    pub window: Option<String>,
    /// `cpu` and `memory`.
    #[serde(default)]
    pub usage: BTreeMap<String, Quantity>,
}

/// A `PodMetrics` object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PodMetrics {
    pub metadata: ObjectMeta,
    #[serde(default)]
    pub timestamp: Option<jiff::Timestamp>,
    #[serde(default)]
    pub window: Option<String>,
    #[serde(default)]
    pub containers: Vec<ContainerMetrics>,
}

/// One container's usage inside a `PodMetrics`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContainerMetrics {
    pub name: String,
    #[serde(default)]
    pub usage: BTreeMap<String, Quantity>,
}

/// What a snapshot knows of resource usage. The default (nothing, no notes) means the
/// source did not ask: a bundle, or a command that does not need usage.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Metrics {
    /// Node samples; `None` when they could not be read (see `notes`).
    pub nodes: Option<Vec<NodeMetrics>>,
    /// Pod samples in the snapshot's scope; `None` when they could not be read.
    pub pods: Option<Vec<PodMetrics>>,
    /// Why something is missing: "metrics.k8s.io is not served (no metrics-server)".
    pub notes: Vec<String>,
}

impl Metrics {
    /// Whether the source asked for metrics at all.
    pub fn collected(&self) -> bool {
        self.nodes.is_some() || self.pods.is_some() || !self.notes.is_empty()
    }

    /// The sample of one pod, if there is one.
    pub fn pod(&self, namespace: &str, name: &str) -> Option<&PodMetrics> {
        self.pods.as_ref()?.iter().find(|p| {
            p.metadata.namespace.as_deref() == Some(namespace)
                && p.metadata.name.as_deref() == Some(name)
        })
    }

    /// The sample of one node, if there is one.
    pub fn node(&self, name: &str) -> Option<&NodeMetrics> {
        self.nodes
            .as_ref()?
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(name))
    }
}

/// A `NodeMetricsList` / `PodMetricsList` as the API serves it.
#[derive(Debug, Deserialize)]
pub struct MetricsList<T> {
    pub kind: Option<String>,
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_parse_as_metrics_server_serves_them() {
        let text = r#"{"kind":"PodMetricsList","apiVersion":"metrics.k8s.io/v1beta1","metadata":{},
            "items":[{"metadata":{"name":"web-1","namespace":"shop","creationTimestamp":"2026-11-23T09:20:00Z"},
            "timestamp":"2026-11-23T09:19:52Z","window":"10.046s",
            "containers":[{"name":"web","usage":{"cpu":"4123456n","memory":"181236Ki"}}]}]}"#;
        let list: MetricsList<PodMetrics> = serde_json::from_str(text).expect("parses");
        assert_eq!(list.kind.as_deref(), Some("PodMetricsList"));
        let m = Metrics {
            pods: Some(list.items),
            ..Metrics::default()
        };
        let pod = m.pod("shop", "web-1").expect("sample");
        assert_eq!(pod.containers[0].usage["memory"].0, "181236Ki");
        assert!(m.collected() && m.pod("shop", "web-2").is_none());
        assert!(!Metrics::default().collected());
    }
}
