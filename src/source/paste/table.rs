//! `kubectl get <kind> [-o wide] [-A]` tables back to objects: the kind from the command
//! line when the paste shows it, else from the header's shape or a `kind/name` in the NAME
//! column. Pods, nodes and deployments carry what a diagnosis uses (phase, status, readiness,
//! restarts); other kinds are recognised and counted.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::age::{self, rfc3339};
use super::columns::Columns;
use crate::model::Kind;

/// The kind of a `get` table by its columns (kubectl 1.24–1.33 layouts).
pub fn kind_of(columns: &Columns) -> Option<Kind> {
    let has = |c: &str| columns.index(c).is_some();
    if has("RESTARTS") && has("READY") && has("STATUS") {
        Some(Kind::Pod)
    } else if has("ROLES") && has("VERSION") {
        Some(Kind::Node)
    } else if has("UP-TO-DATE") && has("NODE SELECTOR") {
        Some(Kind::DaemonSet)
    } else if has("UP-TO-DATE") && has("AVAILABLE") {
        Some(Kind::Deployment)
    } else if has("DESIRED") && has("CURRENT") {
        Some(Kind::ReplicaSet)
    } else if has("SCHEDULE") && has("SUSPEND") {
        Some(Kind::CronJob)
    } else if has("COMPLETIONS") {
        Some(Kind::Job)
    } else if has("ACCESS MODES") && has("VOLUME") {
        Some(Kind::PersistentVolumeClaim)
    } else if has("CLUSTER-IP") {
        Some(Kind::Service)
    } else if has("READY") && columns.names.len() <= 5 {
        Some(Kind::StatefulSet)
    } else {
        None
    }
}

/// An object of `kind` from one row, or `None` when the row does not read.
pub fn object(
    kind: Kind,
    columns: &Columns,
    row: &str,
    namespace: &str,
    anchor: Timestamp,
) -> Option<(Kind, Value)> {
    let cells = columns.cells(row);
    let cell = |name: &str| {
        columns
            .index(name)
            .and_then(|i| cells.get(i))
            .map(String::as_str)
    };
    let raw_name = cell("NAME").filter(|n| !n.is_empty())?;
    // `kubectl get all` prints `pod/web-1`, `deployment.apps/web`.
    let (kind, name) = match raw_name.split_once('/') {
        Some((k, n)) => (Kind::parse(k)?, n),
        None => (kind, raw_name),
    };
    let mut metadata = json!({"name": name});
    if kind.info().namespaced {
        metadata["namespace"] = cell("NAMESPACE").unwrap_or(namespace).into();
    }
    if let Some(t) = cell("AGE").and_then(age::parse) {
        metadata["creationTimestamp"] = rfc3339(age::resolve(t, anchor)).into();
    }
    let mut object = match kind {
        Kind::Pod => pod(&cell)?,
        Kind::Node => node(&cell),
        Kind::Deployment => deployment(&cell),
        _ => json!({}),
    };
    object["metadata"] = metadata;
    Some((kind, object))
}

/// `3/4`.
fn fraction(s: &str) -> Option<(i64, i64)> {
    let (a, b) = s.split_once('/')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

/// A pod's STATUS column names a phase or, for a pod whose containers are failing, their
/// reason; READY and RESTARTS count containers the table does not name, so container
/// statuses stay unknown.
fn pod<'a>(cell: &dyn Fn(&str) -> Option<&'a str>) -> Option<Value> {
    let status = cell("STATUS")?;
    let phase = match status {
        "Running" | "Terminating" | "CrashLoopBackOff" | "Error" | "OOMKilled"
        | "RunContainerError" | "NotReady" => "Running",
        "Completed" | "Succeeded" => "Succeeded",
        "Failed" | "Evicted" | "OutOfcpu" | "OutOfmemory" | "NodeAffinity" => "Failed",
        "Unknown" | "NodeLost" => "Unknown",
        _ => "Pending",
    };
    let mut pod_status = json!({"phase": phase});
    if matches!(
        status,
        "Evicted" | "OutOfcpu" | "OutOfmemory" | "NodeAffinity" | "NodeLost"
    ) {
        pod_status["reason"] = status.into();
    }
    if let Some(ip) = cell("IP").filter(|i| *i != "<none>" && !i.is_empty()) {
        pod_status["podIP"] = ip.into();
    }
    let mut spec = json!({"containers": []});
    if let Some(node) = cell("NODE").filter(|n| *n != "<none>" && !n.is_empty()) {
        spec["nodeName"] = node.into();
    }
    Some(json!({"spec": spec, "status": pod_status}))
}

fn node<'a>(cell: &dyn Fn(&str) -> Option<&'a str>) -> Value {
    let status = cell("STATUS").unwrap_or_default();
    let ready = if status.starts_with("NotReady") {
        "False"
    } else if status.starts_with("Ready") {
        "True"
    } else {
        "Unknown"
    };
    let mut node =
        json!({"spec": {}, "status": {"conditions": [{"type": "Ready", "status": ready}]}});
    if status.contains("SchedulingDisabled") {
        node["spec"]["unschedulable"] = true.into();
    }
    if let Some(v) = cell("VERSION") {
        node["status"]["nodeInfo"] = json!({"kubeletVersion": v, "machineID": "", "systemUUID": "", "bootID": "", "kernelVersion": "", "osImage": "", "containerRuntimeVersion": "", "kubeProxyVersion": "", "operatingSystem": "", "architecture": ""});
    }
    node
}

fn deployment<'a>(cell: &dyn Fn(&str) -> Option<&'a str>) -> Value {
    let mut spec = json!({"template": {"spec": {"containers": []}}});
    let mut status = json!({});
    if let Some((ready, desired)) = cell("READY").and_then(fraction) {
        spec["replicas"] = desired.into();
        status["readyReplicas"] = ready.into();
    }
    for (col, field) in [
        ("UP-TO-DATE", "updatedReplicas"),
        ("AVAILABLE", "availableReplicas"),
    ] {
        if let Some(n) = cell(col).and_then(|c| c.parse::<i64>().ok()) {
            status[field] = n.into();
        }
    }
    json!({"spec": spec, "status": status})
}
