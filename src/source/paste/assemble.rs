//! The sections read from every paste, made one snapshot: objects (a described object wins
//! over its `get` row), events, logs resolved to their pod and container, namespaces for
//! output printed without one, and the notes on what was inferred or skipped.

use std::collections::{BTreeMap, BTreeSet};

use jiff::Timestamp;
use serde_json::Value;

use super::{Found, LogHeader, age};
use crate::model::{Kind, LogKey, Objects, Snapshot, SnapshotMeta};

fn key(kind: Kind, value: &Value) -> (Kind, String, String) {
    let meta = &value["metadata"];
    (
        kind,
        meta["namespace"].as_str().unwrap_or_default().to_string(),
        meta["name"].as_str().unwrap_or_default().to_string(),
    )
}

/// Builds the snapshot: objects (a described object wins over its `get` row), events,
/// logs resolved to a pod and container, and the notes.
pub(super) fn assemble(mut found: Found, anchor: Timestamp) -> Snapshot {
    // Namespaces the paste names, to place sections printed without one.
    let named: BTreeSet<String> = found
        .objects
        .iter()
        .filter_map(|(_, v, _)| v["metadata"]["namespace"].as_str())
        .chain(found.events.iter().map(|e| e.namespace.as_str()))
        .chain(
            found
                .logs
                .iter()
                .filter_map(|(h, _, _)| h.namespace.as_deref()),
        )
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    let fallback = match named.iter().next() {
        Some(only) if named.len() == 1 => only.clone(),
        _ => "default".to_string(),
    };
    let mut warnings = Vec::new();
    let mut unplaced = false;
    let owners = found.owned;
    let place = |ns: &mut String, unplaced: &mut bool| {
        if ns.is_empty() {
            ns.clone_from(&fallback);
            *unplaced = true;
        }
    };
    infer_waiting_messages(&mut found);
    // Rich objects first so a `get` row of the same object is dropped.
    found
        .objects
        .sort_by_key(|(_, _, source)| source.is_empty());
    let mut seen = BTreeSet::new();
    let mut objects = Objects::default();
    let mut pods: BTreeMap<(String, String), Vec<(String, bool)>> = BTreeMap::new();
    for (kind, mut value, _) in found.objects.drain(..) {
        if kind.info().namespaced {
            let mut ns = value["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            place(&mut ns, &mut unplaced);
            value["metadata"]["namespace"] = ns.into();
        }
        let id = key(kind, &value);
        if !seen.insert(id.clone()) {
            continue;
        }
        if kind == Kind::Pod {
            let containers = value["status"]["containerStatuses"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .map(|c| {
                            (
                                c["name"].as_str().unwrap_or_default().to_string(),
                                c["lastState"]["terminated"].is_object(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            pods.insert((id.1.clone(), id.2.clone()), containers);
        }
        if let Err(e) = objects.insert_json(kind, value) {
            warnings.push(format!(
                "paste: {} {}/{} did not read: {e}",
                kind.info().name,
                id.1,
                id.2
            ));
        }
    }
    for (seq, mut event) in found.events.into_iter().enumerate() {
        place(&mut event.namespace, &mut unplaced);
        if let Err(e) = objects.insert_json(Kind::Event, event.to_json(seq)) {
            warnings.push(format!(
                "paste: an event about {} did not read: {e}",
                event.object
            ));
        }
    }
    let mut logs = BTreeMap::new();
    for (header, text, source) in found.logs {
        if text.is_empty() {
            continue;
        }
        match resolve_log(&header, &pods, &fallback) {
            Ok((key, inferred)) => {
                if let Some(why) = inferred {
                    found.inferred.push(why);
                }
                logs.insert(key, text);
            }
            Err(why) => found.notes.push(format!("{source}: {why}")),
        }
    }
    if unplaced {
        found.inferred.push(format!(
            "namespace {fallback} for output printed without one"
        ));
    }
    let mut meta = SnapshotMeta::new(anchor);
    meta.context = Some("paste".into());
    let counts: Vec<String> = crate::model::KINDS
        .iter()
        .filter(|k| objects.count(k.kind) > 0)
        .map(|k| format!("{} {}", objects.count(k.kind), k.plural))
        .chain((!logs.is_empty()).then(|| format!("{} logs", logs.len())))
        .collect();
    warnings.insert(
        0,
        format!(
            "paste: read {}; ages are taken relative to {} and uids, full statuses and whatever describe does not print are unknown",
            if counts.is_empty() { "nothing".into() } else { counts.join(", ") },
            rfc(anchor)
        ),
    );
    if owners > 0 {
        found.inferred.push(format!(
            "the owners of {owners} objects from their `Controlled By:` lines (owner uids are unknown)"
        ));
    }
    if !found.inferred.is_empty() {
        found.inferred.dedup();
        warnings.insert(1, format!("paste: inferred {}", found.inferred.join("; ")));
    }
    warnings.extend(found.notes.into_iter().map(|n| format!("paste: {n}")));
    Snapshot::new(meta, objects, logs, warnings)
}

/// describe prints a waiting container's reason but not its message; the kubelet reports
/// the same text in a `Failed` event (`Error: configmap "web-config" not found`). With one
/// waiting container in the pod, the newest such event gives it back.
fn infer_waiting_messages(found: &mut Found) {
    for (_, pod, _) in found.objects.iter_mut().filter(|(k, _, _)| *k == Kind::Pod) {
        let ns = pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let Some(statuses) = pod["status"]["containerStatuses"].as_array_mut() else {
            continue;
        };
        let mut waiting: Vec<&mut Value> = statuses
            .iter_mut()
            .filter(|c| {
                c["state"]["waiting"].is_object() && c["state"]["waiting"]["message"].is_null()
            })
            .collect();
        let [only] = waiting.as_mut_slice() else {
            continue;
        };
        let Some(event) = found
            .events
            .iter()
            .filter(|e| {
                e.kind == "Pod"
                    && e.object == name
                    && (e.namespace == ns || e.namespace.is_empty())
                    && e.type_ == "Warning"
                    && e.reason == "Failed"
                    && e.message.starts_with("Error: ")
            })
            .max_by_key(|e| e.last)
        else {
            continue;
        };
        let message = event.message.trim_start_matches("Error: ").to_string();
        if message
            == only["state"]["waiting"]["reason"]
                .as_str()
                .unwrap_or_default()
        {
            continue;
        }
        only["state"]["waiting"]["message"] = message.into();
        found.inferred.push(format!(
            "the waiting message of pod {name}'s container from its kubelet Failed event"
        ));
    }
}

fn rfc(t: Timestamp) -> String {
    age::rfc3339(t)
}

/// The pod and container a log belongs to: as its `kubectl logs` line names them, else the
/// only pod described (and its first container, kubectl's default).
fn resolve_log(
    header: &LogHeader,
    pods: &BTreeMap<(String, String), Vec<(String, bool)>>,
    fallback: &str,
) -> std::result::Result<(LogKey, Option<String>), String> {
    let mut inferred = None;
    let (namespace, pod) = match &header.pod {
        Some(pod) => {
            let ns = header.namespace.clone().or_else(|| {
                pods.keys()
                    .find(|(_, p)| p == pod)
                    .map(|(ns, _)| ns.clone())
            });
            (ns.unwrap_or_else(|| fallback.to_string()), pod.clone())
        }
        None => match pods.keys().collect::<Vec<_>>().as_slice() {
            [(ns, pod)] => {
                inferred = Some(format!(
                    "that the log without a `kubectl logs` line is pod {pod}'s (the only pod in the paste)"
                ));
                (ns.clone(), pod.clone())
            }
            _ => {
                return Err(
                    "a log that names no pod (paste it after its `$ kubectl logs POD -c CONTAINER` line)"
                        .into(),
                );
            }
        },
    };
    let containers = pods.get(&(namespace.clone(), pod.clone()));
    let container = match (&header.container, containers.and_then(|c| c.first())) {
        (Some(c), _) => c.clone(),
        (None, Some((first, _))) => first.clone(),
        (None, None) => {
            return Err(format!(
                "the log of pod {pod} names no container and the pod is not described (add -c CONTAINER to its `kubectl logs` line)"
            ));
        }
    };
    // A headerless log of a container that restarted is most likely the crashed one's.
    let previous = if header.pod.is_some() {
        header.previous
    } else {
        containers
            .and_then(|cs| cs.iter().find(|(c, _)| *c == container))
            .is_some_and(|(_, restarted)| *restarted)
    };
    Ok((
        LogKey {
            namespace,
            pod,
            container,
            previous,
        },
        inferred,
    ))
}
