//! Usage samples from `metrics.k8s.io/v1beta1` (metrics-server), for the commands that ask
//! for them (`report daily`). Two list calls: nodes, and pods in the snapshot's scope.
//!
//! metrics-server is an add-on: a cluster without it answers 404 (the aggregated API is not
//! registered), one with it down answers 503 (which the client retries until a short budget
//! runs out), and a role without access answers 403. Each of
//! those is a note on the snapshot's [`Metrics`], never a warning that makes the result
//! partial: usage is optional, and everything else the snapshot holds is still complete.

use serde::de::DeserializeOwned;
use tokio::time::Instant;

use crate::model::metrics::{MetricsList, NodeMetrics, PodMetrics};
use crate::model::{Metrics, Scope};

const PREFIX: &str = "/apis/metrics.k8s.io/v1beta1";

/// How long the two calls may take. The client retries 503s with backoff (metrics-server
/// registered but down), which would otherwise hold the whole report until `--timeout`.
const BUDGET: std::time::Duration = std::time::Duration::from_secs(5);

/// Reads node and pod metrics; never fails, says what is missing in `notes`.
pub async fn collect(client: &kube::Client, scope: &Scope, deadline: Instant) -> Metrics {
    let deadline = deadline.min(Instant::now() + BUDGET);
    let pods_path = match scope.namespaces.first() {
        Some(ns) => format!("{PREFIX}/namespaces/{ns}/pods"),
        None => format!("{PREFIX}/pods"),
    };
    let pods_path = match &scope.selector {
        Some(sel) => format!("{pods_path}?labelSelector={}", super::live::encode(sel)),
        None => pods_path,
    };
    let nodes_path = format!("{PREFIX}/nodes");
    let (nodes, pods) = futures::join!(
        list::<NodeMetrics>(client, &nodes_path, "nodes", deadline),
        list::<PodMetrics>(client, &pods_path, "pods", deadline)
    );
    let mut metrics = Metrics::default();
    match (nodes, pods) {
        (Err(a), Err(b)) if a == b => metrics.notes.push(format!("no usage: {a}")),
        (nodes, pods) => {
            match nodes {
                Ok(items) => metrics.nodes = Some(items),
                Err(why) => metrics.notes.push(format!("no node usage: {why}")),
            }
            match pods {
                Ok(items) => metrics.pods = Some(items),
                Err(why) => metrics.notes.push(format!("no pod usage: {why}")),
            }
        }
    }
    metrics
}

/// One list call; the error is the reason for the reader.
async fn list<T: DeserializeOwned>(
    client: &kube::Client,
    path: &str,
    resource: &str,
    deadline: Instant,
) -> Result<Vec<T>, String> {
    let request = http::Request::get(path)
        .body(Vec::new())
        .map_err(|e| format!("cannot build the request {path}: {e}"))?;
    let text = match tokio::time::timeout_at(deadline, client.request_text(request)).await {
        Err(_) => {
            return Err(format!(
                "metrics.k8s.io did not answer within {}s (metrics-server down or overloaded?)",
                BUDGET.as_secs()
            ));
        }
        Ok(Err(kube::Error::Api(status))) => {
            return Err(match status.code {
                404 => "metrics.k8s.io is not served (no metrics-server in this cluster)".into(),
                403 => format!(
                    "forbidden — missing RBAC verb \"list\" on \"{resource}.metrics.k8s.io\""
                ),
                code => format!("metrics.k8s.io answered {code} {}", status.reason),
            });
        }
        Ok(Err(e)) => return Err(format!("metrics.k8s.io could not be read ({e})")),
        Ok(Ok(text)) => text,
    };
    let parsed: MetricsList<T> = serde_json::from_str(&text)
        .map_err(|e| format!("metrics.k8s.io answered something unreadable ({e})"))?;
    Ok(parsed.items)
}
