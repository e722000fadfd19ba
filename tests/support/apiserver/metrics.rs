//! `metrics.k8s.io/v1beta1`, as metrics-server serves it through API aggregation: node and
//! pod usage lists at `/apis/metrics.k8s.io/v1beta1/{nodes,pods}` and
//! `/apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods`.
//!
//! ```ignore
//! server.metrics().serve(node_list, pod_list);  // NodeMetricsList / PodMetricsList JSON
//! server.metrics().forbid();                    // 403, as for a role without the rule
//! server.metrics().unavailable();               // 503, metrics-server registered but down
//! // never set: 404, the group is not served — a cluster without metrics-server
//! ```

use std::sync::Mutex;

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::{Value, json};

use super::routes::{Query, json_ok, status};
use super::{USER, lock};

#[derive(Debug, Default, Clone)]
enum State {
    /// No metrics-server: the aggregated group is not registered.
    #[default]
    Absent,
    Forbidden,
    Unavailable,
    Serving {
        nodes: Value,
        pods: Value,
    },
}

/// What the metrics API answers; set by tests while the server runs.
#[derive(Debug, Default)]
pub struct MetricsApi {
    state: Mutex<State>,
}

impl MetricsApi {
    /// Serves these lists (`NodeMetricsList`, `PodMetricsList`); pods are filtered by the
    /// namespace in the path.
    pub fn serve(&self, nodes: Value, pods: Value) {
        *lock(&self.state) = State::Serving { nodes, pods };
    }

    /// 403 Forbidden with the API server's RBAC message.
    pub fn forbid(&self) {
        *lock(&self.state) = State::Forbidden;
    }

    /// 503, as when the APIService exists but metrics-server is not answering.
    pub fn unavailable(&self) {
        *lock(&self.state) = State::Unavailable;
    }

    /// Answers a request under `/apis/metrics.k8s.io/v1beta1/`; `rest` is the path after it.
    pub(crate) fn handle(&self, rest: &[&str], query: &Query) -> Response {
        let state = lock(&self.state).clone();
        let (resource, ns) = match rest {
            ["nodes"] => ("nodes", None),
            ["pods"] => ("pods", None),
            ["namespaces", ns, "pods"] => ("pods", Some(*ns)),
            _ => return not_served(),
        };
        match state {
            State::Absent => not_served(),
            State::Forbidden => {
                let scope = ns.map_or("at the cluster scope".to_string(), |n| {
                    format!("in the namespace \"{n}\"")
                });
                status(
                    StatusCode::FORBIDDEN,
                    "Forbidden",
                    format!(
                        "{resource}.metrics.k8s.io is forbidden: User \"{USER}\" cannot list resource \"{resource}\" in API group \"metrics.k8s.io\" {scope}"
                    ),
                    json!({"group": "metrics.k8s.io", "kind": resource}),
                )
            }
            State::Unavailable => status(
                StatusCode::SERVICE_UNAVAILABLE,
                "ServiceUnavailable",
                "the server is currently unable to handle the request".into(),
                json!({"group": "metrics.k8s.io", "kind": resource}),
            ),
            State::Serving { nodes, pods } => {
                let mut list = match resource {
                    "nodes" => nodes,
                    _ => pods,
                };
                let selector = query.get("labelSelector").filter(|s| !s.is_empty());
                if let Some(items) = list["items"].as_array_mut() {
                    items.retain(|i| {
                        ns.is_none_or(|n| i["metadata"]["namespace"] == n)
                            && selector.is_none_or(|s| labels_match(&i["metadata"]["labels"], s))
                    });
                }
                json_ok(list)
            }
        }
    }
}

/// Equality selectors only (`app=web,tier=frontend`): what metrics requests use.
fn labels_match(labels: &Value, selector: &str) -> bool {
    selector.split(',').all(|term| match term.split_once('=') {
        Some((k, v)) => labels[k.trim()] == v.trim_start_matches('='),
        None => labels.get(term.trim()).is_some(),
    })
}

/// The aggregator's answer for a group it does not serve.
fn not_served() -> Response {
    status(
        StatusCode::NOT_FOUND,
        "NotFound",
        "the server could not find the requested resource".into(),
        json!({}),
    )
}
