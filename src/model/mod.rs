//! The snapshot: everything k8sops knows about a cluster at one moment, typed and indexed.
//! Every source produces one; analyzers, renderers and writers consume one.

mod age;
pub mod ci;
mod duration;
pub mod edge;
mod events;
mod index;
pub mod kinds;
pub mod log_line;
pub mod metrics;
mod object_ref;
pub mod owners;
mod pod;
pub mod quantity;
mod selector;
mod target;
pub mod text;

use std::collections::{BTreeMap, HashMap};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use ci::CiRuns;

pub use age::age;
pub use duration::parse_duration;
pub use events::{event_count, event_first_seen, event_last_seen};
pub use index::Index;
pub use kinds::{KINDS, Kind, KindInfo, Objects, with_type_meta};
pub use metrics::Metrics;
pub use object_ref::ObjectRef;
pub use pod::{pod_is_healthy, pod_ready, pod_status};
pub use quantity::parse_quantity;
pub use selector::Selector;
pub use target::Target;

/// Which namespaces a snapshot covers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Scope {
    /// Empty means all namespaces.
    #[serde(default)]
    pub namespaces: Vec<String>,
    /// A label selector applied to pods, as given to `-l`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<String>,
}

impl Scope {
    pub fn all() -> Self {
        Scope::default()
    }

    pub fn is_all(&self) -> bool {
        self.namespaces.is_empty()
    }

    pub fn describe(&self) -> String {
        let ns = if self.is_all() {
            "all namespaces".to_string()
        } else {
            format!("namespace {}", self.namespaces.join(","))
        };
        match &self.selector {
            Some(sel) => format!("{ns}, selector {sel}"),
            None => ns,
        }
    }
}

/// Where and when a snapshot was taken.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotMeta {
    /// The k8sops version that captured it.
    pub version: String,
    pub captured_at: jiff::Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    #[serde(default)]
    pub scope: Scope,
    /// Whether text bound for this bundle went through the sanitizer.
    #[serde(default)]
    pub sanitized: bool,
}

impl SnapshotMeta {
    pub fn new(captured_at: jiff::Timestamp) -> Self {
        SnapshotMeta {
            version: env!("CARGO_PKG_VERSION").to_string(),
            captured_at,
            context: None,
            server: None,
            server_version: None,
            scope: Scope::all(),
            sanitized: false,
        }
    }
}

/// Identifies one container log: current or the previous (crashed) instance.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct LogKey {
    pub namespace: String,
    pub pod: String,
    pub container: String,
    pub previous: bool,
}

/// Everything collected, plus indices built once for O(1) lookups.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub meta: SnapshotMeta,
    pub objects: Objects,
    pub logs: BTreeMap<LogKey, String>,
    /// What could not be collected or read, for the user (partial results).
    pub warnings: Vec<String>,
    /// Resource usage from metrics.k8s.io, when the source asked for it.
    pub metrics: Metrics,
    /// The CI runs of the commits its workloads carry, when they were collected
    /// (see [`Snapshot::with_ci`]).
    pub ci: Option<CiRuns>,
    /// What the pods bound to each node request, when `objects` holds only some of the
    /// cluster's pods (a watch partition; see [`Snapshot::with_node_requests`]).
    node_requests: Option<Arc<NodeRequests>>,
    index: Index,
}

/// Node name → resource → what the pods bound to that node request in total.
pub type NodeRequests = HashMap<String, BTreeMap<String, f64>>;

impl Snapshot {
    /// Sorts the objects and builds the indices.
    pub fn new(
        meta: SnapshotMeta,
        mut objects: Objects,
        logs: BTreeMap<LogKey, String>,
        warnings: Vec<String>,
    ) -> Self {
        objects.sort();
        let index = Index::build(&objects);
        Snapshot {
            meta,
            objects,
            logs,
            warnings,
            metrics: Metrics::default(),
            ci: None,
            node_requests: None,
            index,
        }
    }

    /// The snapshot with these CI runs.
    pub fn with_ci(mut self, ci: CiRuns) -> Self {
        self.ci = Some(ci);
        self
    }

    /// The snapshot with the requests of every pod bound to a node, for analyzers that
    /// weigh a node's free capacity while `objects` holds only part of the pods.
    pub fn with_node_requests(mut self, requests: Arc<NodeRequests>) -> Self {
        self.node_requests = Some(requests);
        self
    }

    /// What [`Snapshot::with_node_requests`] gave; `None`: read them from `objects`.
    pub fn node_requests(&self) -> Option<&NodeRequests> {
        self.node_requests.as_deref()
    }

    pub fn index(&self) -> &Index {
        &self.index
    }

    /// The log of one container, if collected.
    pub fn log(&self, namespace: &str, pod: &str, container: &str, previous: bool) -> Option<&str> {
        self.logs
            .get(&LogKey {
                namespace: namespace.to_string(),
                pod: pod.to_string(),
                container: container.to_string(),
                previous,
            })
            .map(String::as_str)
    }

    /// Namespaces that hold at least one namespaced object, sorted.
    pub fn namespaces(&self) -> Vec<String> {
        let mut set: std::collections::BTreeSet<String> =
            self.index.namespaces().map(str::to_string).collect();
        for ns in &self.objects.namespaces {
            if let Some(name) = &ns.metadata.name {
                set.insert(name.clone());
            }
        }
        for key in self.logs.keys() {
            set.insert(key.namespace.clone());
        }
        set.into_iter().collect()
    }

    /// A one-line count of what the snapshot holds: `12 pods, 40 events, …`.
    pub fn summary(&self) -> String {
        let mut parts: Vec<String> = KINDS
            .iter()
            .filter(|k| self.objects.count(k.kind) > 0)
            .map(|k| format!("{} {}", self.objects.count(k.kind), k.plural))
            .collect();
        parts.push(format!("{} logs", self.logs.len()));
        if let Some(ci) = &self.ci {
            parts.push(format!("{} CI runs of {}", ci.runs.len(), ci.repo));
        }
        parts.join(", ")
    }
}
