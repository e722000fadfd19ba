//! The watch engine re-analyzes partitions (a namespace, or the cluster) instead of the
//! whole snapshot. Whatever the partitioning, the diagnoses must be exactly those of a
//! full `diagnose` run: checked on every example bundle. And the engine re-analyzes
//! nothing for an event about a pod that is not in trouble: such events must change no
//! diagnosis, checked on every example too.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8sops::model::{Kind, Snapshot};
use k8sops::source::bundle;
use k8sops::watch::engine::{Engine, Origin};
use k8sops::watch::objects::stores;
use k8sops::watch::partition::{Dirty, in_trouble};
use serde_json::json;

fn examples() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// The diagnoses of one pass of the watch engine over every partition of `snapshot`.
fn partitioned(snapshot: &Snapshot) -> Vec<k8sops::rca::Diagnosis> {
    let (readers, mut writers) = stores();
    writers.load(snapshot.objects.clone());
    let captured = snapshot.meta.captured_at;
    let logs = Arc::new(Mutex::new(snapshot.logs.clone()));
    let mut engine = Engine::new(
        readers,
        logs,
        Arc::new(move || captured),
        Origin {
            ci: snapshot.ci.clone().map(Arc::new),
            ..Origin::default()
        },
        Duration::ZERO,
    );
    let dirty = Dirty {
        all: true,
        ..Dirty::default()
    };
    let mut last = None;
    engine.pass(&dirty, 1, &mut |u| last = Some(u));
    let update = last.expect("a pass sends an update");
    assert!(update.complete);
    update.diagnoses.to_vec()
}

#[test]
fn partitioned_analysis_equals_a_full_diagnose_on_every_example() {
    let dirs = examples();
    assert!(dirs.len() >= 20, "examples found: {}", dirs.len());
    for dir in dirs {
        let snapshot = bundle::read(&dir).expect("example reads");
        let full = k8sops::rca::run(&snapshot).items;
        assert_eq!(
            partitioned(&snapshot),
            full,
            "{}: partitioned analysis differs from diagnose",
            dir.display()
        );
    }
}

#[test]
fn a_pending_pods_remedy_counts_what_pods_of_other_namespaces_take_of_each_node() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/unschedulable");
    let snapshot = bundle::read(&dir).expect("example reads");
    let before = k8sops::rca::run(&snapshot).items;
    let mut objects = snapshot.objects.clone();
    for node in ["worker-1", "worker-2", "worker-3"] {
        let pod = json!({
            "metadata": {"name": format!("etl-{node}"), "namespace": "batch", "uid": format!("etl-{node}")},
            "spec": {"nodeName": node, "containers": [{"name": "etl", "image": "etl:3",
                "resources": {"requests": {"cpu": "250m", "memory": "1Gi"}}}]},
            "status": {"phase": "Running", "containerStatuses": [{"name": "etl", "ready": true,
                "restartCount": 0, "image": "etl:3", "imageID": "",
                "state": {"running": {"startedAt": "2026-11-20T08:00:00Z"}}}]},
        });
        objects.insert_json(Kind::Pod, pod).expect("a pod");
    }
    let mut busier = Snapshot::new(
        snapshot.meta.clone(),
        objects,
        snapshot.logs.clone(),
        snapshot.warnings.clone(),
    );
    busier.ci = snapshot.ci.clone();
    let full = k8sops::rca::run(&busier).items;
    assert_ne!(
        full, before,
        "the pods of namespace batch leave less memory free on every worker"
    );
    assert_eq!(partitioned(&busier), full);
}

/// What the kubelet and controllers say about pods that run fine, and what they say about
/// pods that are briefly unwell without the pod's status showing it yet.
const CHATTER: &[(&str, &str, &str)] = &[
    (
        "Normal",
        "Pulled",
        "Container image \"registry.example.com/app:1.4.2\" already present on machine",
    ),
    ("Normal", "Started", "Started container app"),
    (
        "Warning",
        "Unhealthy",
        "Readiness probe failed: HTTP probe failed with statuscode: 503",
    ),
    (
        "Warning",
        "BackOff",
        "Back-off restarting failed container app in pod",
    ),
    (
        "Warning",
        "FailedMount",
        "MountVolume.SetUp failed for volume \"config\" : configmap \"app\" not found",
    ),
];

#[test]
fn events_about_pods_not_in_trouble_change_no_diagnosis() {
    for dir in examples() {
        let snapshot = bundle::read(&dir).expect("example reads");
        let full = k8sops::rca::run(&snapshot).items;
        let mut objects = snapshot.objects.clone();
        let at = snapshot.meta.captured_at.to_string();
        let mut added = 0;
        for pod in snapshot.objects.pods.iter().filter(|p| !in_trouble(p)) {
            let ns = pod.metadata.namespace.as_deref().unwrap_or("default");
            let name = pod.metadata.name.as_deref().unwrap_or_default();
            for (i, (type_, reason, message)) in CHATTER.iter().enumerate() {
                let event = json!({
                    "metadata": {"name": format!("{name}.chatter{i}"), "namespace": ns},
                    "involvedObject": {"kind": "Pod", "apiVersion": "v1", "namespace": ns,
                        "name": name, "uid": pod.metadata.uid},
                    "type": type_, "reason": reason, "message": message, "count": 3,
                    "source": {"component": "kubelet"},
                    "firstTimestamp": at, "lastTimestamp": at,
                });
                objects.insert_json(Kind::Event, event).expect("an event");
                added += 1;
            }
        }
        let mut chatty = Snapshot::new(
            snapshot.meta.clone(),
            objects,
            snapshot.logs.clone(),
            snapshot.warnings.clone(),
        );
        chatty.ci = snapshot.ci.clone();
        assert_eq!(
            k8sops::rca::run(&chatty).items,
            full,
            "{}: {added} events about pods not in trouble changed the diagnoses",
            dir.display()
        );
    }
}
