//! One object of `kubectl describe` (pods, deployments, replicasets, statefulsets,
//! daemonsets, jobs, cronjobs, nodes, PVCs, services) back to the API object, as far as
//! describe shows it. Its kind is told by the keys it prints, not by a name. What describe
//! leaves out (uids, most of the status) stays absent; `Controlled By:` gives the owner.

use jiff::Timestamp;
use serde_json::{Map, Value, json};

use super::age::{parse_time, rfc3339};
use super::clean::Line;
use super::columns::Columns;
use super::container;
use super::events::{self, EventRow};
use super::tree::{self, Node};
use crate::model::Kind;

/// What one described object gave.
pub struct Described {
    pub kind: Kind,
    pub object: Value,
    pub events: Vec<EventRow>,
    /// What was inferred rather than read, for the user.
    pub inferred: Vec<String>,
    /// The owner came from `Controlled By:`.
    pub owned: bool,
    /// Objects the block implies (a Service's EndpointSlice from its `Endpoints:` line).
    pub implied: Vec<(Kind, Value)>,
}

/// The kind a describe block is about, by the keys only that kind prints.
fn kind_of(root: &Node) -> Option<Kind> {
    let has = |k: &str| root.get(k).is_some();
    let replicas = root.val("Replicas").unwrap_or_default();
    if has("Containers") && (has("QoS Class") || has("IP") || has("Start Time")) {
        Some(Kind::Pod)
    } else if has("StrategyType") || has("NewReplicaSet") {
        Some(Kind::Deployment)
    } else if has("Desired Number of Nodes Scheduled") {
        Some(Kind::DaemonSet)
    } else if has("Schedule") && has("Concurrency Policy") {
        Some(Kind::CronJob)
    } else if has("Pods Statuses") || has("Completion Mode") {
        Some(Kind::Job)
    } else if has("Update Strategy") || has("Volume Claims") {
        Some(Kind::StatefulSet)
    } else if replicas.contains(" current / ") {
        Some(Kind::ReplicaSet)
    } else if has("Kubelet Version") || has("System Info") || has("Roles") || has("Taints") {
        Some(Kind::Node)
    } else if has("Access Modes") || has("VolumeMode") || has("StorageClass") {
        Some(Kind::PersistentVolumeClaim)
    } else if has("Session Affinity") || (has("Type") && has("TargetPort")) {
        Some(Kind::Service)
    } else {
        None
    }
}

/// Reads one described object; `namespace` is used when the block does not print one.
pub fn read(lines: &[Line], namespace: &str, anchor: Timestamp) -> Result<Described, String> {
    let root = tree::parse(lines);
    let name = root
        .val("Name")
        .ok_or("a describe block without a Name")?
        .to_string();
    let kind = kind_of(&root).ok_or_else(|| {
        format!("describe output for {name} is of a kind k8sops does not read (it reads pods, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs, nodes, PVCs and services)")
    })?;
    let namespace = root.val("Namespace").unwrap_or(namespace).to_string();
    let mut inferred = Vec::new();
    let mut metadata = json!({"name": name});
    if kind.info().namespaced {
        metadata["namespace"] = namespace.clone().into();
    }
    if let Some(labels) = pairs(&root.lines("Labels"), '=') {
        metadata["labels"] = labels;
    }
    if let Some(annotations) = pairs(&root.lines("Annotations"), ':') {
        metadata["annotations"] = annotations;
    }
    if let Some(t) = root.val("CreationTimestamp").and_then(parse_time) {
        metadata["creationTimestamp"] = rfc3339(t).into();
    }
    if let Some((owner_kind, owner)) = root.val("Controlled By").and_then(|c| c.split_once('/')) {
        let api_version = Kind::from_kind_field(owner_kind)
            .map(|k| k.info().api_version())
            .unwrap_or_else(|| "v1".into());
        metadata["ownerReferences"] = json!([{
            "apiVersion": api_version, "kind": owner_kind, "name": owner,
            "uid": "", "controller": true,
        }]);
    }
    let mut object = match kind {
        Kind::Pod => pod(&root),
        Kind::Deployment => deployment(&root),
        Kind::ReplicaSet => replica_set(&root),
        Kind::StatefulSet => stateful_set(&root),
        Kind::DaemonSet => daemon_set(&root),
        Kind::Job => job(&root),
        Kind::CronJob => cron_job(&root),
        Kind::Node => node(&root),
        Kind::PersistentVolumeClaim => pvc(&root),
        _ => service(&root),
    };
    object["metadata"] = metadata;
    let events = root
        .get("Events")
        .map(|e| events::from_describe(&e.rows, kind.info().name, &namespace, &name, anchor))
        .unwrap_or_default();
    if kind == Kind::Job {
        infer_job_outcome(&mut object, &events, &name, &mut inferred);
    }
    let mut implied = Vec::new();
    if kind == Kind::Service
        && let Some(slice) = endpoint_slice(&root, &name, &namespace)
    {
        implied.push((Kind::EndpointSlice, slice));
        inferred.push(format!(
            "the ready endpoints of Service {name} from its `Endpoints:` line"
        ));
    }
    Ok(Described {
        kind,
        implied,
        owned: object["metadata"]["ownerReferences"].is_array(),
        object,
        events,
        inferred,
    })
}

/// `key=value` (labels) or `key: value` (annotations) lines to a map.
fn pairs(lines: &[&str], sep: char) -> Option<Value> {
    let map: Map<String, Value> = lines
        .iter()
        .filter_map(|l| {
            let (k, v) = l.split_once(sep)?;
            Some((k.trim().to_string(), Value::from(v.trim())))
        })
        .collect();
    (!map.is_empty()).then(|| map.into())
}

fn int(node: &Node, key: &str) -> Option<i64> {
    node.val(key)?
        .split_whitespace()
        .next()?
        .trim_end_matches('s')
        .parse()
        .ok()
}

/// `app=web,tier=front` to a `matchLabels` selector; selectors with set expressions stay
/// unknown.
fn selector(node: &Node) -> Option<Value> {
    let s = node.val("Selector")?;
    let mut labels = Map::new();
    for term in s.split(',') {
        let (k, v) = term.split_once('=')?;
        if k.ends_with('!') || v.contains('(') {
            return None;
        }
        labels.insert(k.trim().into(), v.trim().into());
    }
    Some(json!({"matchLabels": labels}))
}

/// `Type Status [Reason …]` rows to conditions; columns past `Status` are read by the
/// header when there is one.
fn conditions(node: Option<&Node>) -> Vec<Value> {
    let Some(node) = node else {
        return Vec::new();
    };
    let mut rows = node.rows.iter();
    let Some(header) = rows.next() else {
        return Vec::new();
    };
    let columns = Columns::parse(header);
    rows.filter(|r| !r.starts_with("----"))
        .filter_map(|row| {
            let cells = columns.cells(row);
            let cell = |name: &str| {
                columns
                    .index(name)
                    .and_then(|i| cells.get(i))
                    .filter(|c| !c.is_empty())
            };
            let mut c = json!({"type": cell("Type")?, "status": cell("Status")?});
            if let Some(r) = cell("Reason") {
                c["reason"] = r.clone().into();
            }
            if let Some(m) = cell("Message") {
                c["message"] = m.clone().into();
            }
            for (col, field) in [
                ("LastHeartbeatTime", "lastHeartbeatTime"),
                ("LastTransitionTime", "lastTransitionTime"),
            ] {
                if let Some(t) = cell(col).and_then(|t| parse_time(t)) {
                    c[field] = rfc3339(t).into();
                }
            }
            Some(c)
        })
        .collect()
}

fn containers(parent: Option<&Node>, with_status: bool) -> (Vec<Value>, Vec<Value>) {
    let mut specs = Vec::new();
    let mut statuses = Vec::new();
    for c in parent.map(|p| p.children.as_slice()).unwrap_or_default() {
        let read = container::read(c, with_status);
        specs.push(read.spec);
        statuses.extend(read.status);
    }
    (specs, statuses)
}

/// `Volumes:` blocks: `name:` with `Type:  ConfigMap (…)`, `Name:`/`SecretName:`/`ClaimName:`.
fn volumes(node: Option<&Node>) -> Vec<Value> {
    let mut out = Vec::new();
    for v in node.map(|n| n.children.as_slice()).unwrap_or_default() {
        let ty = v.val("Type").unwrap_or_default();
        let optional = v.val("Optional") == Some("true");
        let source = if ty.starts_with("ConfigMap") {
            json!({"configMap": {"name": v.val("Name").unwrap_or_default(), "optional": optional}})
        } else if ty.starts_with("Secret") {
            json!({"secret": {"secretName": v.val("SecretName").unwrap_or_default(), "optional": optional}})
        } else if ty.starts_with("PersistentVolumeClaim") {
            json!({"persistentVolumeClaim": {"claimName": v.val("ClaimName").unwrap_or_default(), "readOnly": v.val("ReadOnly") == Some("true")}})
        } else if ty.starts_with("HostPath") {
            json!({"hostPath": {"path": v.val("Path").unwrap_or_default()}})
        } else if ty.starts_with("EmptyDir") {
            json!({"emptyDir": {}})
        } else if ty.starts_with("Projected") {
            json!({"projected": {"sources": []}})
        } else {
            continue;
        };
        let mut volume = source;
        volume["name"] = v.key.clone().into();
        out.push(volume);
    }
    out
}

/// `key=value:Effect`, `key:Effect op=Exists for 300s`, `key=value:NoSchedule`.
fn tolerations(lines: &[&str]) -> Vec<Value> {
    lines
        .iter()
        .filter_map(|l| {
            let mut words = l.split_whitespace();
            let head = words.next()?;
            let (kv, effect) = head.rsplit_once(':').unwrap_or((head, ""));
            let mut t = json!({});
            match kv.split_once('=') {
                Some((k, v)) => {
                    t["key"] = k.into();
                    t["operator"] = "Equal".into();
                    t["value"] = v.into();
                }
                None => {
                    if !kv.is_empty() {
                        t["key"] = kv.into();
                    }
                    t["operator"] = "Exists".into();
                }
            }
            if !effect.is_empty() {
                t["effect"] = effect.into();
            }
            let rest: Vec<&str> = words.collect();
            if let Some(secs) = rest
                .iter()
                .position(|w| *w == "for")
                .and_then(|i| rest.get(i + 1))
                .and_then(|s| s.trim_end_matches('s').parse::<i64>().ok())
            {
                t["tolerationSeconds"] = secs.into();
            }
            Some(t)
        })
        .collect()
}

fn node_selector(lines: &[&str]) -> Option<Value> {
    pairs(lines, '=')
}

fn pod_spec(root: &Node, with_status: bool) -> (Value, Vec<Value>, Vec<Value>) {
    let (containers, statuses) = containers(root.get("Containers"), with_status);
    let (inits, init_statuses) = containers_init(root, with_status);
    let mut spec = json!({"containers": containers});
    if !inits.is_empty() {
        spec["initContainers"] = inits.into();
    }
    let volumes = volumes(root.get("Volumes"));
    if !volumes.is_empty() {
        spec["volumes"] = volumes.into();
    }
    if let Some(sel) = node_selector(&root.lines("Node-Selectors")) {
        spec["nodeSelector"] = sel;
    }
    let tolerations = tolerations(&root.lines("Tolerations"));
    if !tolerations.is_empty() {
        spec["tolerations"] = tolerations.into();
    }
    (spec, statuses, init_statuses)
}

fn containers_init(root: &Node, with_status: bool) -> (Vec<Value>, Vec<Value>) {
    containers(root.get("Init Containers"), with_status)
}

fn template(root: &Node) -> Value {
    let Some(t) = root.get("Pod Template") else {
        return json!({"spec": {"containers": []}});
    };
    let (spec, _, _) = pod_spec(t, false);
    let mut template = json!({"spec": spec, "metadata": {}});
    if let Some(labels) = pairs(&t.lines("Labels"), '=') {
        template["metadata"]["labels"] = labels;
    }
    if let Some(sa) = t.val("Service Account") {
        template["spec"]["serviceAccountName"] = sa.into();
    }
    template
}

fn pod(root: &Node) -> Value {
    let (mut spec, statuses, init_statuses) = pod_spec(root, true);
    if let Some(node) = root.val("Node").map(|n| n.split('/').next().unwrap_or(n)) {
        spec["nodeName"] = node.into();
    }
    if let Some(sa) = root.val("Service Account") {
        spec["serviceAccountName"] = sa.into();
    }
    if let Some(p) = int(root, "Priority") {
        spec["priority"] = p.into();
    }
    let mut status = json!({"containerStatuses": statuses});
    if !init_statuses.is_empty() {
        status["initContainerStatuses"] = init_statuses.into();
    }
    // `Terminating (lasts 2m)` says nothing of the phase.
    if let Some(phase) = root.val("Status").filter(|s| {
        matches!(
            *s,
            "Pending" | "Running" | "Succeeded" | "Failed" | "Unknown"
        )
    }) {
        status["phase"] = phase.into();
    }
    for (key, field) in [
        ("Reason", "reason"),
        ("Message", "message"),
        ("IP", "podIP"),
        ("QoS Class", "qosClass"),
    ] {
        if let Some(v) = root.val(key) {
            status[field] = v.into();
        }
    }
    if let Some(t) = root.val("Start Time").and_then(parse_time) {
        status["startTime"] = rfc3339(t).into();
    }
    let conditions = conditions(root.get("Conditions"));
    if !conditions.is_empty() {
        status["conditions"] = conditions.into();
    }
    json!({"spec": spec, "status": status})
}

/// `2 desired | 2 updated | 2 total | 0 available | 2 unavailable` to its numbers by word.
fn counts(s: &str) -> Map<String, Value> {
    s.split(['|', '/'])
        .filter_map(|part| {
            let mut words = part.split_whitespace();
            let n: i64 = words.next()?.parse().ok()?;
            Some((words.next()?.to_string(), n.into()))
        })
        .collect()
}

fn deployment(root: &Node) -> Value {
    let c = counts(root.val("Replicas").unwrap_or_default());
    let mut spec = json!({"template": template(root)});
    if let Some(s) = selector(root) {
        spec["selector"] = s;
    }
    if let Some(n) = c.get("desired") {
        spec["replicas"] = n.clone();
    }
    if let Some(t) = root.val("StrategyType") {
        spec["strategy"] = json!({"type": t});
    }
    if let Some(n) = int(root, "MinReadySeconds") {
        spec["minReadySeconds"] = n.into();
    }
    let mut status = json!({});
    for (word, field) in [
        ("updated", "updatedReplicas"),
        ("total", "replicas"),
        ("available", "availableReplicas"),
        ("unavailable", "unavailableReplicas"),
    ] {
        if let Some(n) = c.get(word) {
            status[field] = n.clone();
        }
    }
    let conditions = conditions(root.get("Conditions"));
    if conditions.iter().any(|c| c["reason"] == "DeploymentPaused") {
        spec["paused"] = true.into();
    }
    if !conditions.is_empty() {
        status["conditions"] = conditions.into();
    }
    json!({"spec": spec, "status": status})
}

fn replica_set(root: &Node) -> Value {
    let c = counts(root.val("Replicas").unwrap_or_default());
    let pods = counts(root.val("Pods Status").unwrap_or_default());
    let mut spec = json!({"template": template(root)});
    if let Some(s) = selector(root) {
        spec["selector"] = s;
    }
    if let Some(n) = c.get("desired") {
        spec["replicas"] = n.clone();
    }
    let mut status = json!({"replicas": c.get("current").cloned().unwrap_or(0.into())});
    if let Some(n) = pods.get("Running") {
        status["readyReplicas"] = n.clone();
    }
    let conditions = conditions(root.get("Conditions"));
    if !conditions.is_empty() {
        status["conditions"] = conditions.into();
    }
    json!({"spec": spec, "status": status})
}

fn stateful_set(root: &Node) -> Value {
    let c = counts(root.val("Replicas").unwrap_or_default());
    let pods = counts(root.val("Pods Status").unwrap_or_default());
    let mut spec = json!({"template": template(root), "serviceName": ""});
    if let Some(s) = selector(root) {
        spec["selector"] = s;
    }
    if let Some(n) = c.get("desired") {
        spec["replicas"] = n.clone();
    }
    if let Some(claims) = root.get("Volume Claims") {
        let templates: Vec<Value> = claims
            .all("Name")
            .map(|n| json!({"metadata": {"name": n.value}}))
            .collect();
        if !templates.is_empty() {
            spec["volumeClaimTemplates"] = templates.into();
        }
    }
    let mut status = json!({"replicas": c.get("total").cloned().unwrap_or(0.into())});
    if let Some(n) = pods.get("Running") {
        status["readyReplicas"] = n.clone();
    }
    json!({"spec": spec, "status": status})
}

fn daemon_set(root: &Node) -> Value {
    let mut spec = json!({"template": template(root)});
    if let Some(s) = selector(root) {
        spec["selector"] = s;
    }
    let mut status = json!({});
    for (key, field) in [
        (
            "Desired Number of Nodes Scheduled",
            "desiredNumberScheduled",
        ),
        (
            "Current Number of Nodes Scheduled",
            "currentNumberScheduled",
        ),
        (
            "Number of Nodes Scheduled with Up-to-date Pods",
            "updatedNumberScheduled",
        ),
        (
            "Number of Nodes Scheduled with Available Pods",
            "numberAvailable",
        ),
        ("Number of Nodes Misscheduled", "numberMisscheduled"),
    ] {
        status[field] = int(root, key).unwrap_or(0).into();
    }
    let pods = counts(root.val("Pods Status").unwrap_or_default());
    status["numberReady"] = pods.get("Running").cloned().unwrap_or(0.into());
    json!({"spec": spec, "status": status})
}

fn job(root: &Node) -> Value {
    let mut spec = json!({"template": template(root)});
    for (key, field) in [
        ("Parallelism", "parallelism"),
        ("Completions", "completions"),
        ("Backoff Limit", "backoffLimit"),
        ("Active Deadline Seconds", "activeDeadlineSeconds"),
    ] {
        if let Some(n) = int(root, key) {
            spec[field] = n.into();
        }
    }
    if let Some(s) = selector(root) {
        spec["selector"] = s;
    }
    let pods = counts(root.val("Pods Statuses").unwrap_or_default());
    let mut status = json!({});
    for (word, field) in [
        ("Active", "active"),
        ("Succeeded", "succeeded"),
        ("Failed", "failed"),
    ] {
        if let Some(n) = pods.get(word) {
            status[field] = n.clone();
        }
    }
    if let Some(t) = root.val("Start Time").and_then(parse_time) {
        status["startTime"] = rfc3339(t).into();
    }
    if let Some(t) = root.val("Completed At").and_then(parse_time) {
        status["completionTime"] = rfc3339(t).into();
    }
    json!({"spec": spec, "status": status})
}

/// describe does not print a Job's conditions; the job controller's Warning events say how
/// it failed (`BackoffLimitExceeded`, `DeadlineExceeded`).
fn infer_job_outcome(job: &mut Value, events: &[EventRow], name: &str, inferred: &mut Vec<String>) {
    let Some(failed) = events.iter().find(|e| {
        e.type_ == "Warning"
            && matches!(
                e.reason.as_str(),
                "BackoffLimitExceeded"
                    | "DeadlineExceeded"
                    | "PodFailurePolicy"
                    | "MaxFailedIndexesExceeded"
            )
    }) else {
        return;
    };
    let mut condition = json!({"type": "Failed", "status": "True", "reason": failed.reason, "message": failed.message});
    if let Some(t) = failed.last {
        condition["lastTransitionTime"] = rfc3339(t).into();
    }
    job["status"]["conditions"] = json!([condition]);
    inferred.push(format!(
        "Job {name} failed ({}), from its {} event",
        failed.reason, failed.reason
    ));
}

fn cron_job(root: &Node) -> Value {
    let mut job_spec = json!({"template": template(root)});
    if let Some(n) = int(root, "Active Deadline Seconds") {
        job_spec["activeDeadlineSeconds"] = n.into();
    }
    let mut spec = json!({
        "schedule": root.val("Schedule").unwrap_or_default(),
        "jobTemplate": {"spec": job_spec},
    });
    if let Some(p) = root.val("Concurrency Policy") {
        spec["concurrencyPolicy"] = p.into();
    }
    if let Some(s) = root.val("Suspend") {
        spec["suspend"] = s.eq_ignore_ascii_case("true").into();
    }
    let mut status = json!({});
    if let Some(t) = root.val("Last Schedule Time").and_then(parse_time) {
        status["lastScheduleTime"] = rfc3339(t).into();
    }
    if let Some(t) = root.val("Last Successful Time").and_then(parse_time) {
        status["lastSuccessfulTime"] = rfc3339(t).into();
    }
    json!({"spec": spec, "status": status})
}

fn resources(node: Option<&Node>) -> Option<Value> {
    let map: Map<String, Value> = node?
        .children
        .iter()
        .filter(|c| tree::known(&c.value))
        .map(|c| (c.key.clone(), Value::from(c.value.as_str())))
        .collect();
    (!map.is_empty()).then(|| map.into())
}

fn node(root: &Node) -> Value {
    let mut spec = json!({});
    if root.val("Unschedulable") == Some("true") {
        spec["unschedulable"] = true.into();
    }
    let taints: Vec<Value> = root
        .lines("Taints")
        .iter()
        .filter_map(|t| {
            let (kv, effect) = t.rsplit_once(':')?;
            let mut taint = json!({"effect": effect});
            match kv.split_once('=') {
                Some((k, v)) => {
                    taint["key"] = k.into();
                    taint["value"] = v.into();
                }
                None => taint["key"] = kv.into(),
            }
            Some(taint)
        })
        .collect();
    if !taints.is_empty() {
        spec["taints"] = taints.into();
    }
    if let Some(id) = root.val("ProviderID") {
        spec["providerID"] = id.into();
    }
    let mut status = json!({});
    let conditions = conditions(root.get("Conditions"));
    if !conditions.is_empty() {
        status["conditions"] = conditions.into();
    }
    if let Some(c) = resources(root.get("Capacity")) {
        status["capacity"] = c;
    }
    if let Some(a) = resources(root.get("Allocatable")) {
        status["allocatable"] = a;
    }
    if let Some(addresses) = root.get("Addresses") {
        let list: Vec<Value> = addresses
            .children
            .iter()
            .map(|a| json!({"type": a.key, "address": a.value}))
            .collect();
        status["addresses"] = list.into();
    }
    if let Some(info) = root.get("System Info") {
        let v = |k: &str| info.val(k).unwrap_or_default();
        status["nodeInfo"] = json!({
            "machineID": v("Machine ID"), "systemUUID": v("System UUID"), "bootID": v("Boot ID"),
            "kernelVersion": v("Kernel Version"), "osImage": v("OS Image"),
            "containerRuntimeVersion": v("Container Runtime Version"),
            "kubeletVersion": v("Kubelet Version"), "kubeProxyVersion": v("Kube-Proxy Version"),
            "operatingSystem": v("Operating System"), "architecture": v("Architecture"),
        });
    }
    json!({"spec": spec, "status": status})
}

fn pvc(root: &Node) -> Value {
    let mut spec = json!({});
    if let Some(sc) = root.val("StorageClass") {
        spec["storageClassName"] = sc.into();
    }
    if let Some(v) = root.val("Volume") {
        spec["volumeName"] = v.into();
    }
    if let Some(m) = root.val("VolumeMode") {
        spec["volumeMode"] = m.into();
    }
    let modes: Vec<Value> = root
        .val("Access Modes")
        .map(|m| {
            m.split(',')
                .filter_map(|m| match m.trim() {
                    "RWO" => Some("ReadWriteOnce"),
                    "ROX" => Some("ReadOnlyMany"),
                    "RWX" => Some("ReadWriteMany"),
                    "RWOP" => Some("ReadWriteOncePod"),
                    _ => None,
                })
                .map(Value::from)
                .collect()
        })
        .unwrap_or_default();
    if !modes.is_empty() {
        spec["accessModes"] = modes.clone().into();
    }
    let mut status = json!({});
    if let Some(phase) = root.val("Status") {
        status["phase"] = phase.into();
    }
    if let Some(c) = root.val("Capacity") {
        status["capacity"] = json!({"storage": c});
    }
    json!({"spec": spec, "status": status})
}

fn service(root: &Node) -> Value {
    let mut spec = json!({});
    if let Some(t) = root.val("Type") {
        spec["type"] = t.into();
    }
    if let Some(sel) = pairs(
        &root
            .val("Selector")
            .map(|s| s.split(',').collect::<Vec<_>>())
            .unwrap_or_default(),
        '=',
    ) {
        spec["selector"] = sel;
    }
    if let Some(ip) = root.val("IP") {
        spec["clusterIP"] = ip.into();
    }
    // `Port:  http  80/TCP` and its `TargetPort:  8080/TCP`, once per port.
    let targets: Vec<&Node> = root.all("TargetPort").collect();
    let ports: Vec<Value> = root
        .all("Port")
        .enumerate()
        .filter_map(|(i, p)| {
            let words: Vec<&str> = p.value.split_whitespace().collect();
            let (name, number) = match words.as_slice() {
                [name, number] => (Some(*name).filter(|n| *n != "<unset>"), *number),
                [number] => (None, *number),
                _ => return None,
            };
            let (port, protocol) = number.split_once('/')?;
            let mut port = json!({"port": port.parse::<i64>().ok()?, "protocol": protocol});
            if let Some(name) = name {
                port["name"] = name.into();
            }
            if let Some(target) = targets.get(i).and_then(|t| t.value.split('/').next()) {
                port["targetPort"] = match target.parse::<i64>() {
                    Ok(n) => n.into(),
                    Err(_) => target.into(),
                };
            }
            Some(port)
        })
        .collect();
    if !ports.is_empty() {
        spec["ports"] = ports.into();
    }
    json!({"spec": spec})
}

/// describe prints a Service's ready addresses (`10.244.1.5:8080,10.244.2.3:8080 + 1 more...`),
/// nothing when its EndpointSlices hold none ready, and `<none>` when it has no EndpointSlice
/// at all (then nothing is known). The first two say what the analyzers read from a slice.
fn endpoint_slice(root: &Node, service: &str, namespace: &str) -> Option<Value> {
    let line = root.get("Endpoints")?.value.trim();
    if line == "<none>" {
        return None;
    }
    let shown = line.split(" + ").next().unwrap_or_default();
    let mut ports = Vec::new();
    let endpoints: Vec<Value> = shown
        .split(',')
        .filter_map(|a| {
            let (ip, port) = a.trim().rsplit_once(':')?;
            if let Ok(port) = port.parse::<i64>()
                && !ports.contains(&port)
            {
                ports.push(port);
            }
            Some(json!({"addresses": [ip], "conditions": {"ready": true}}))
        })
        .collect();
    Some(json!({
        "metadata": {
            "name": format!("{service}-paste"),
            "namespace": namespace,
            "labels": {"kubernetes.io/service-name": service},
        },
        "addressType": "IPv4",
        "endpoints": endpoints,
        "ports": ports.iter().map(|p| json!({"port": p})).collect::<Vec<_>>(),
    }))
}
