//! A small, realistic snapshot built in code, for tests that need a cluster without a bundle.
//!
//! Namespaces `shop` and `kube-system` (no Namespace objects: the server synthesizes them),
//! one node, a Deployment `web` in `shop` with two pods (one crash-looping: `web-…-x2k9p`
//! with a previous log), a two-container pod `api-0`, a pending pod `worker-1`, a CoreDNS pod,
//! a StorageClass and events.

use std::collections::BTreeMap;

use k8sops::model::{Kind, LogKey, Objects, Snapshot, SnapshotMeta};
use serde_json::{Value, json};

pub const CRASHING_POD: &str = "web-7d9f8b6c5d-x2k9p";
pub const HEALTHY_POD: &str = "web-7d9f8b6c5d-8qf4m";
pub const PREVIOUS_LOG: &str = "2026-11-23T09:14:02.117Z INFO  starting web v2.4.1\n\
2026-11-23T09:14:02.240Z INFO  loading config from /etc/web/config.yaml\n\
2026-11-23T09:14:02.251Z ERROR failed to connect to postgres at db.shop.svc:5432: connection refused\n\
panic: dial tcp 10.96.14.3:5432: connect: connection refused\n";
/// What `api-0`'s `api` container logged before it exited, for tests that crash it live.
pub const API_CRASH_LOG: &str = "2026-11-23T09:18:00.412Z INFO  api v2.4.1 starting, 4 workers\n\
2026-11-23T09:18:00.530Z INFO  running database migrations\n\
2026-11-23T09:18:01.977Z ERROR migrate: relation \"orders\" does not exist (SQLSTATE 42P01)\n\
2026-11-23T09:18:01.978Z INFO  shutting down\n";
/// The line of [`API_CRASH_LOG`] that says why it exited.
pub const API_CRASH_LINE: &str = "migrate: relation \"orders\" does not exist (SQLSTATE 42P01)";
pub const CURRENT_LOG: &str = "2026-11-23T09:19:40.002Z INFO  starting web v2.4.1\n\
2026-11-23T09:19:40.118Z INFO  loading config from /etc/web/config.yaml\n";

fn container_status(name: &str, ready: bool, restarts: i64, state: Value, last: Value) -> Value {
    json!({
        "name": name,
        "ready": ready,
        "restartCount": restarts,
        "state": state,
        "lastState": last,
        "image": format!("registry.example.com/shop/{name}:2.4.1"),
        "imageID": format!("registry.example.com/shop/{name}@sha256:3f1c9a"),
        "containerID": format!("containerd://{name}0c4d2e"),
        "started": ready,
    })
}

/// A pod as list items carry it (no apiVersion/kind).
pub fn pod(
    ns: &str,
    name: &str,
    labels: Value,
    containers: &[&str],
    statuses: Vec<Value>,
    phase: &str,
) -> Value {
    json!({
        "metadata": {
            "name": name,
            "namespace": ns,
            "uid": format!("6a1f3c2e-0000-4000-8000-{:012}", name.len() * 7919 + ns.len()),
            "resourceVersion": "4711",
            "creationTimestamp": "2026-11-20T08:00:00Z",
            "labels": labels,
        },
        "spec": {
            "nodeName": if phase == "Pending" { Value::Null } else { json!("node-a") },
            "containers": containers.iter().map(|c| json!({
                "name": c,
                "image": format!("registry.example.com/shop/{c}:2.4.1"),
            })).collect::<Vec<_>>(),
            "restartPolicy": "Always",
        },
        "status": {
            "phase": phase,
            "podIP": if phase == "Pending" { Value::Null } else { json!("10.244.1.17") },
            "containerStatuses": statuses,
        },
    })
}

/// The snapshot described in the module docs.
pub fn snapshot() -> Snapshot {
    let running = json!({"running": {"startedAt": "2026-11-20T08:01:00Z"}});
    let crashed = json!({"terminated": {"exitCode": 2, "reason": "Error",
        "startedAt": "2026-11-23T09:14:02Z", "finishedAt": "2026-11-23T09:14:03Z"}});
    let mut objects = Objects::default();
    let mut add = |kind: Kind, v: Value| objects.insert_json(kind, v).expect("fixture object");
    add(
        Kind::Node,
        json!({"metadata": {"name": "node-a", "uid": "n-1", "resourceVersion": "4100",
            "labels": {"kubernetes.io/hostname": "node-a"}, "creationTimestamp": "2026-11-01T00:00:00Z"},
            "status": {"conditions": [{"type": "Ready", "status": "True"}]}}),
    );
    add(
        Kind::StorageClass,
        json!({"metadata": {"name": "standard", "resourceVersion": "300"}, "provisioner": "rancher.io/local-path"}),
    );
    add(
        Kind::Deployment,
        json!({"metadata": {"name": "web", "namespace": "shop", "uid": "d-1", "resourceVersion": "4600",
            "labels": {"app": "web"}},
            "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
                "template": {"metadata": {"labels": {"app": "web"}},
                    "spec": {"containers": [{"name": "web", "image": "registry.example.com/shop/web:2.4.1"}]}}},
            "status": {"replicas": 2, "readyReplicas": 1, "availableReplicas": 1, "unavailableReplicas": 1}}),
    );
    add(
        Kind::Pod,
        pod(
            "shop",
            HEALTHY_POD,
            json!({"app": "web", "tier": "frontend"}),
            &["web"],
            vec![container_status("web", true, 0, running.clone(), json!({}))],
            "Running",
        ),
    );
    add(
        Kind::Pod,
        pod(
            "shop",
            CRASHING_POD,
            json!({"app": "web", "tier": "frontend"}),
            &["web"],
            vec![container_status(
                "web",
                false,
                5,
                json!({"waiting": {"reason": "CrashLoopBackOff",
                    "message": "back-off 2m40s restarting failed container=web pod=web-7d9f8b6c5d-x2k9p_shop(6a1f)"}}),
                crashed,
            )],
            "Running",
        ),
    );
    add(
        Kind::Pod,
        pod(
            "shop",
            "api-0",
            json!({"app": "api", "tier": "backend"}),
            &["api", "envoy"],
            vec![
                container_status("api", true, 0, running.clone(), json!({})),
                container_status("envoy", true, 0, running.clone(), json!({})),
            ],
            "Running",
        ),
    );
    add(
        Kind::Pod,
        pod(
            "shop",
            "worker-1",
            json!({"app": "worker"}),
            &["worker"],
            vec![container_status(
                "worker",
                false,
                0,
                json!({"waiting": {"reason": "ContainerCreating"}}),
                json!({}),
            )],
            "Pending",
        ),
    );
    add(
        Kind::Pod,
        pod(
            "kube-system",
            "coredns-668d6bf9bc-k7lxr",
            json!({"k8s-app": "kube-dns"}),
            &["coredns"],
            vec![container_status("coredns", true, 0, running, json!({}))],
            "Running",
        ),
    );
    add(
        Kind::Event,
        json!({"metadata": {"name": format!("{CRASHING_POD}.187a3c5f0e2b4d11"), "namespace": "shop",
                "resourceVersion": "4650"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": CRASHING_POD,
                "uid": "6a1f", "apiVersion": "v1", "fieldPath": "spec.containers{web}"},
            "reason": "BackOff", "message": "Back-off restarting failed container web in pod web-7d9f8b6c5d-x2k9p_shop(6a1f)",
            "type": "Warning", "count": 27, "source": {"component": "kubelet", "host": "node-a"},
            "firstTimestamp": "2026-11-23T09:00:00Z", "lastTimestamp": "2026-11-23T09:19:00Z"}),
    );
    add(
        Kind::Event,
        json!({"metadata": {"name": "worker-1.187a3c5f0e2b4d99", "namespace": "shop", "resourceVersion": "4651"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "worker-1", "apiVersion": "v1"},
            "reason": "Scheduled", "message": "Successfully assigned shop/worker-1 to node-a",
            "type": "Normal", "count": 1, "source": {"component": "default-scheduler"},
            "firstTimestamp": "2026-11-23T09:00:00Z", "lastTimestamp": "2026-11-23T09:00:00Z"}),
    );
    let mut logs = BTreeMap::new();
    let key = |pod: &str, container: &str, previous: bool| LogKey {
        namespace: "shop".into(),
        pod: pod.into(),
        container: container.into(),
        previous,
    };
    logs.insert(key(CRASHING_POD, "web", true), PREVIOUS_LOG.to_string());
    logs.insert(key(CRASHING_POD, "web", false), CURRENT_LOG.to_string());
    logs.insert(
        key("api-0", "envoy", false),
        "[2026-11-23 09:00:00.000][1][info][main] starting envoy\n".into(),
    );
    let captured = "2026-11-23T09:20:00Z".parse().expect("timestamp");
    let mut meta = SnapshotMeta::new(captured);
    meta.server_version = Some("v1.32.4".into());
    Snapshot::new(meta, objects, logs, Vec::new())
}
