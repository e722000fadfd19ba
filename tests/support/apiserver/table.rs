//! `meta.k8s.io/v1 Table` responses, as kubectl's default printers ask for them
//! (`Accept: application/json;as=Table;v=v1;g=meta.k8s.io,...`).

use k8sops::model::{Kind, KindInfo};
use serde_json::{Value, json};

/// What `includeObject` asked for in each row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Include {
    None,
    Metadata,
    Object,
}

impl Include {
    pub fn parse(s: Option<&str>) -> Include {
        match s {
            Some("None") => Include::None,
            Some("Object") => Include::Object,
            _ => Include::Metadata,
        }
    }
}

/// Whether an `Accept` header asks for a Table.
pub(crate) fn wants_table(accept: &str) -> bool {
    accept.split(',').any(|part| {
        let part = part.replace(' ', "");
        part.contains("as=Table") && part.contains("g=meta.k8s.io") && part.contains("v=v1")
    })
}

fn col(name: &str, ty: &str, format: &str, description: &str, priority: i32) -> Value {
    json!({"name": name, "type": ty, "format": format, "description": description, "priority": priority})
}

const NAME_DESC: &str = "Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names";
const AGE_DESC: &str = "CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata";

fn columns(kind: Kind) -> Vec<Value> {
    let name = col("Name", "string", "name", NAME_DESC, 0);
    let age = col("Age", "string", "", AGE_DESC, 0);
    match kind {
        Kind::Namespace => vec![
            name,
            col("Status", "string", "", "The status of the namespace", 0),
            age,
        ],
        Kind::Pod => vec![
            name,
            col(
                "Ready",
                "string",
                "",
                "The aggregate readiness state of this pod for accepting traffic.",
                0,
            ),
            col(
                "Status",
                "string",
                "",
                "The aggregate status of the containers in this pod.",
                0,
            ),
            col(
                "Restarts",
                "string",
                "",
                "The number of times the containers in this pod have been restarted and when the last container in this pod has restarted.",
                0,
            ),
            age,
            col("IP", "string", "", "The IP address assigned to the pod", 1),
            col(
                "Node",
                "string",
                "",
                "The name of the node the pod is scheduled to",
                1,
            ),
        ],
        Kind::Event => vec![
            col(
                "Last Seen",
                "string",
                "",
                "Time when the most recent occurrence of this event was recorded.",
                0,
            ),
            col(
                "Type",
                "string",
                "",
                "Type of this event (Normal, Warning), new types could be added in the future",
                0,
            ),
            col(
                "Reason",
                "string",
                "",
                "This should be a short, machine understandable string that gives the reason for the transition into the object's current status.",
                0,
            ),
            col(
                "Object",
                "string",
                "",
                "The object that this event is about.",
                0,
            ),
            col(
                "Subobject",
                "string",
                "",
                "The field of the object this event is about.",
                1,
            ),
            col(
                "Source",
                "string",
                "",
                "The component reporting this event. Should be a short machine understandable string.",
                1,
            ),
            col(
                "Message",
                "string",
                "",
                "A human-readable description of the status of this operation.",
                0,
            ),
            col(
                "First Seen",
                "string",
                "",
                "The time at which the event was first recorded. (Time of server receipt is in TypeMeta.)",
                1,
            ),
            col(
                "Count",
                "string",
                "",
                "The number of times this event has occurred.",
                1,
            ),
            col("Name", "string", "name", NAME_DESC, 1),
        ],
        _ => vec![name, age],
    }
}

/// The row of an event, as the apiserver's `printEvent` fills it.
fn event_cells(event: &Value) -> Vec<Value> {
    let since = |v: &Value| match v.as_str() {
        Some(_) => age_of(v),
        None => "<unknown>".to_string(),
    };
    let mut first = since(&event["firstTimestamp"]);
    if event["firstTimestamp"].is_null() {
        first = since(&event["eventTime"]);
    }
    let mut last = since(&event["lastTimestamp"]);
    if event["lastTimestamp"].is_null() {
        last = first.clone();
    }
    let mut count = event["count"].as_i64().unwrap_or(0);
    if event["series"].is_object() {
        last = since(&event["series"]["lastObservedTime"]);
        count = event["series"]["count"].as_i64().unwrap_or(count);
    } else if count == 0 {
        count = 1;
    }
    let involved = &event["involvedObject"];
    let kind = involved["kind"]
        .as_str()
        .unwrap_or_default()
        .to_ascii_lowercase();
    let target = match involved["name"].as_str().filter(|n| !n.is_empty()) {
        Some(name) => format!("{kind}/{name}"),
        None => kind,
    };
    let component = event["source"]["component"]
        .as_str()
        .filter(|c| !c.is_empty())
        .or(event["reportingComponent"].as_str())
        .unwrap_or_default();
    let host = event["source"]["host"]
        .as_str()
        .filter(|h| !h.is_empty())
        .or(event["reportingInstance"].as_str())
        .unwrap_or_default();
    let source = if host.is_empty() {
        component.to_string()
    } else {
        format!("{component}, {host}")
    };
    vec![
        last.into(),
        event["type"].clone(),
        event["reason"].clone(),
        target.into(),
        involved["fieldPath"].as_str().unwrap_or_default().into(),
        source.into(),
        event["message"].as_str().unwrap_or_default().trim().into(),
        first.into(),
        count.into(),
        event["metadata"]["name"].clone(),
    ]
}

/// kube's `duration.HumanDuration`.
pub(crate) fn human_duration(secs: i64) -> String {
    if secs < -1 {
        return "<invalid>".into();
    }
    if secs < 0 {
        return "0s".into();
    }
    if secs < 120 {
        return format!("{secs}s");
    }
    let minutes = secs / 60;
    if minutes < 10 {
        let s = secs % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 180 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        let d = hours / 24;
        return if h == 0 {
            format!("{d}d")
        } else {
            format!("{d}d{h}h")
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let y = hours / 24 / 365;
        let dy = (hours / 24) % 365;
        return if dy == 0 {
            format!("{y}y")
        } else {
            format!("{y}y{dy}d")
        };
    }
    format!("{}y", hours / 24 / 365)
}

fn age_of(ts: &Value) -> String {
    ts.as_str()
        .and_then(|s| s.parse::<jiff::Timestamp>().ok())
        .map(|t| human_duration(jiff::Timestamp::now().as_second() - t.as_second()))
        .unwrap_or_else(|| "<unknown>".into())
}

/// kubectl's pod STATUS column (printPod in pkg/printers/internalversion), simplified.
fn pod_status(pod: &Value) -> String {
    let status = &pod["status"];
    let mut reason = status["reason"]
        .as_str()
        .or(status["phase"].as_str())
        .unwrap_or("Unknown")
        .to_string();
    let mut initializing = false;
    let inits = status["initContainerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let n_init = pod["spec"]["initContainers"].as_array().map_or(0, Vec::len);
    for (i, c) in inits.iter().enumerate() {
        let term = &c["state"]["terminated"];
        if term.is_object() && term["exitCode"].as_i64() == Some(0) {
            continue;
        }
        if term.is_object() {
            reason = match term["reason"].as_str() {
                Some(r) if !r.is_empty() => format!("Init:{r}"),
                _ => match term["signal"].as_i64() {
                    Some(sig) if sig != 0 => format!("Init:Signal:{sig}"),
                    _ => format!("Init:ExitCode:{}", term["exitCode"].as_i64().unwrap_or(0)),
                },
            };
        } else if let Some(r) = c["state"]["waiting"]["reason"]
            .as_str()
            .filter(|r| *r != "PodInitializing")
        {
            reason = format!("Init:{r}");
        } else {
            reason = format!("Init:{i}/{n_init}");
        }
        initializing = true;
        break;
    }
    if !initializing {
        let mut has_running = false;
        let statuses = status["containerStatuses"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for c in statuses.iter().rev() {
            let state = &c["state"];
            if let Some(r) = state["waiting"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if let Some(r) = state["terminated"]["reason"]
                .as_str()
                .filter(|r| !r.is_empty())
            {
                reason = r.to_string();
            } else if state["terminated"].is_object() {
                reason = match state["terminated"]["signal"].as_i64() {
                    Some(sig) if sig != 0 => format!("Signal:{sig}"),
                    _ => format!(
                        "ExitCode:{}",
                        state["terminated"]["exitCode"].as_i64().unwrap_or(0)
                    ),
                };
            } else if c["ready"].as_bool() == Some(true) && state["running"].is_object() {
                has_running = true;
            }
        }
        if reason == "Completed" && has_running {
            reason = "Running".into();
        }
    }
    if !pod["metadata"]["deletionTimestamp"].is_null() {
        reason = if status["reason"].as_str() == Some("NodeLost") {
            "Unknown".into()
        } else {
            "Terminating".into()
        };
    }
    reason
}

fn pod_cells(pod: &Value) -> Vec<Value> {
    let total = pod["spec"]["containers"].as_array().map_or(0, Vec::len);
    let statuses = pod["status"]["containerStatuses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let ready = statuses
        .iter()
        .filter(|c| c["ready"].as_bool() == Some(true))
        .count();
    let restarts: i64 = statuses
        .iter()
        .filter_map(|c| c["restartCount"].as_i64())
        .sum();
    let last_restart = statuses
        .iter()
        .filter_map(|c| c["lastState"]["terminated"]["finishedAt"].as_str())
        .filter_map(|s| s.parse::<jiff::Timestamp>().ok())
        .max();
    let restarts = match last_restart {
        Some(t) if restarts > 0 => {
            format!(
                "{restarts} ({} ago)",
                human_duration(jiff::Timestamp::now().as_second() - t.as_second())
            )
        }
        _ => restarts.to_string(),
    };
    let none = || Value::String("<none>".into());
    vec![
        pod["metadata"]["name"].clone(),
        format!("{ready}/{total}").into(),
        pod_status(pod).into(),
        restarts.into(),
        age_of(&pod["metadata"]["creationTimestamp"]).into(),
        pod["status"]["podIP"]
            .as_str()
            .map_or_else(none, |s| s.into()),
        pod["spec"]["nodeName"]
            .as_str()
            .map_or_else(none, |s| s.into()),
    ]
}

fn cells(kind: Kind, object: &Value) -> Vec<Value> {
    let name = object["metadata"]["name"].clone();
    let age = Value::String(age_of(&object["metadata"]["creationTimestamp"]));
    match kind {
        Kind::Namespace => vec![
            name,
            object["status"]["phase"]
                .as_str()
                .unwrap_or("Active")
                .into(),
            age,
        ],
        Kind::Pod => pod_cells(object),
        Kind::Event => event_cells(object),
        _ => vec![name, age],
    }
}

fn row(info: &KindInfo, object: &Value, include: Include) -> Value {
    let mut row = json!({"cells": cells(info.kind, object)});
    match include {
        Include::None => {}
        Include::Metadata => {
            row["object"] = json!({
                "kind": "PartialObjectMetadata",
                "apiVersion": "meta.k8s.io/v1",
                "metadata": object["metadata"],
            });
        }
        Include::Object => {
            row["object"] = k8sops::model::with_type_meta(object.clone(), info);
        }
    }
    row
}

/// A Table of `objects` (list items, without type meta). `list_meta` is the list's metadata.
pub(crate) fn table(
    info: &KindInfo,
    objects: &[&Value],
    include: Include,
    list_meta: Value,
) -> Value {
    json!({
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": list_meta,
        "columnDefinitions": columns(info.kind),
        "rows": objects.iter().map(|o| row(info, o, include)).collect::<Vec<_>>(),
    })
}
