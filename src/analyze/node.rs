//! Node problems: nodes NotReady or Unknown (the kubelet stopped posting status), memory,
//! disk or PID pressure, and the evictions they cause. The finding is about the node
//! (`Node/<name>`, the thing to fix); pods evicted from it or stranded on it are attributed
//! to that finding as subjects, so they are not reported as workload failures, and the
//! workload that caused the pressure is named when the eviction message shows it.
//! SystemOOM events are the oom analyzer's; here they only add context.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Event, Node, NodeCondition};
use regex::Regex;

use super::graph::{eviction_hogs, node_broken_by_itself};
use super::oom::format_quantity;
use super::{
    Analyzer, Category, Change, Context, Evidence, EvidenceSource, Finding, PodContext, Remedy,
    Role, Severity, Strength,
};
use crate::model::quantity::{format_resource, parse_quantity};
use crate::model::{ObjectRef, event_last_seen};

pub struct NodeProblem;

impl Analyzer for NodeProblem {
    fn name(&self) -> &'static str {
        "node-problem"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let mut node_events: BTreeMap<&str, Vec<&Event>> = BTreeMap::new();
        for e in &cx.snapshot.objects.events {
            if let (Some("Node"), Some(name)) = (
                e.involved_object.kind.as_deref(),
                e.involved_object.name.as_deref(),
            ) {
                node_events.entry(name).or_default().push(e);
            }
        }
        for events in node_events.values_mut() {
            events.sort_by_key(|e| event_last_seen(e));
        }
        for node in &cx.snapshot.objects.nodes {
            let Some(name) = node.metadata.name.as_deref() else {
                continue;
            };
            let events = node_events.get(name).map(Vec::as_slice).unwrap_or(&[]);
            analyze_node(cx, node, name, events, out);
        }
    }
}

/// Evictions older than this on a node that is fine now are history.
const RECENT: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

static LOW_ON: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"low on resource: ([A-Za-z0-9._-]+?)\.").expect("regex"));

const PRESSURES: [(&str, &str); 4] = [
    ("MemoryPressure", "memory"),
    ("DiskPressure", "disk (ephemeral-storage)"),
    ("PIDPressure", "process IDs"),
    ("NetworkUnavailable", "network"),
];

/// One evicted pod and what the kubelet said about it.
struct Eviction<'a> {
    pod: &'a PodContext<'a>,
    message: String,
    event: Option<&'a Event>,
    resource: Option<String>,
    /// `(container, using, request)` for containers well above their request.
    hogs: Vec<(String, String, String)>,
}

fn analyze_node(
    cx: &Context<'_>,
    node: &Node,
    name: &str,
    events: &[&Event],
    out: &mut Vec<Finding>,
) {
    let snapshot = cx.snapshot;
    let now = snapshot.meta.captured_at;
    let node_ref = ObjectRef::new("Node", None, name);
    let conditions: &[NodeCondition] = node
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_deref())
        .unwrap_or(&[]);
    let ready = conditions.iter().find(|c| c.type_ == "Ready");
    let not_ready = ready.filter(|c| c.status != "True");
    let pressures: Vec<&NodeCondition> = conditions
        .iter()
        .filter(|c| c.status == "True" && PRESSURES.iter().any(|(t, _)| *t == c.type_))
        .collect();

    let pods_here: Vec<&PodContext<'_>> = cx
        .pods
        .iter()
        .filter(|p| p.pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) == Some(name))
        .collect();
    let evictions: Vec<Eviction<'_>> = pods_here.iter().filter_map(|p| eviction(p)).collect();
    let recent_eviction = evictions.iter().any(|e| {
        let at = e
            .event
            .and_then(event_last_seen)
            .or_else(|| pod_finished(e.pod));
        at.is_none_or(|t| now.duration_since(t) < RECENT)
    });
    if not_ready.is_none() && pressures.is_empty() && (!recent_eviction || evictions.is_empty()) {
        return;
    }

    // What went wrong, most serious first.
    let mut parts: Vec<String> = Vec::new();
    let mut node_evidence: Vec<Evidence> = Vec::new();
    let detail;
    if let Some(c) = not_ready {
        let since = c
            .last_transition_time
            .as_ref()
            .map(|t| format!(" since {}", t.0))
            .unwrap_or_default();
        let why = c
            .message
            .as_deref()
            .or(c.reason.as_deref())
            .unwrap_or("")
            .trim()
            .trim_end_matches('.');
        parts.push(format!(
            "Node {name} is NotReady (Ready={}{since}: {why})",
            c.status
        ));
        node_evidence.push(condition_evidence(&node_ref, c, Strength::Direct));
        detail = "not-ready".to_string();
    } else if let Some(first) = pressures.first() {
        let list: Vec<String> = pressures.iter().map(|c| pressure_text(c)).collect();
        parts.push(format!("Node {name} has {}", list.join(" and ")));
        detail = first.type_.to_lowercase();
    } else {
        parts.push(format!("Node {name} evicted pods under resource pressure"));
        detail = "evictions".to_string();
    }
    for c in &pressures {
        node_evidence.push(condition_evidence(&node_ref, c, Strength::Direct));
    }

    // Context from the node's own events: what the kubelet tried, what the kernel killed.
    let mut context: Vec<String> = Vec::new();
    let reasons_seen = |r: &'static str| {
        events
            .iter()
            .copied()
            .filter(move |e| e.reason.as_deref() == Some(r))
    };
    if let Some(e) = reasons_seen("EvictionThresholdMet").next_back() {
        context.push(format!(
            "EvictionThresholdMet: {}",
            e.message
                .as_deref()
                .unwrap_or("")
                .trim()
                .trim_end_matches('.')
        ));
        node_evidence.push(Context::event_evidence(e, Strength::Indirect));
    }
    let oom_victims: Vec<String> = reasons_seen("SystemOOM")
        .filter_map(|e| {
            e.message
                .as_deref()?
                .split("victim process: ")
                .nth(1)?
                .split(',')
                .next()
                .map(str::to_string)
        })
        .collect();
    if !oom_victims.is_empty() {
        context.push(format!("SystemOOM killed {}", oom_victims.join(", ")));
        if let Some(e) = reasons_seen("SystemOOM").next_back() {
            node_evidence.push(Context::event_evidence(e, Strength::Indirect));
        }
    }
    if let Some(e) = reasons_seen("FreeDiskSpaceFailed")
        .chain(reasons_seen("ImageGCFailed"))
        .last()
    {
        context.push(format!(
            "image garbage collection cannot free enough: {}",
            e.message
                .as_deref()
                .unwrap_or("")
                .trim()
                .trim_end_matches('.')
        ));
        node_evidence.push(Context::event_evidence(e, Strength::Indirect));
    }
    if not_ready.is_some() {
        if let Some(e) = reasons_seen("NodeNotReady").next_back() {
            node_evidence.push(Context::event_evidence(e, Strength::Direct));
        }
        let earlier: Vec<&str> = reasons_seen("NodeHasInsufficientMemory")
            .map(|_| "MemoryPressure")
            .chain(reasons_seen("NodeHasDiskPressure").map(|_| "DiskPressure"))
            .chain(reasons_seen("NodeHasInsufficientPID").map(|_| "PIDPressure"))
            .collect();
        if let Some(p) = earlier.first() {
            context.insert(0, format!("it reported {p} before"));
        }
    } else {
        for (t, r) in [
            ("NodeHasDiskPressure", "DiskPressure"),
            ("NodeHasInsufficientMemory", "MemoryPressure"),
            ("NodeHasInsufficientPID", "PIDPressure"),
        ] {
            if !pressures.iter().any(|c| c.type_ == r) {
                continue;
            }
            if let Some(e) = reasons_seen(t).next_back() {
                node_evidence.push(Context::event_evidence(e, Strength::Direct));
            }
        }
    }
    if !context.is_empty() {
        parts.push(context.join("; "));
    }

    // Evictions, and who used far more than requested.
    let mut culprits: Vec<String> = Vec::new();
    for ev in &evictions {
        for (container, using, request) in &ev.hogs {
            let resource = ev.resource.as_deref().unwrap_or("memory");
            culprits.push(format!(
                "{} (pod {}) container {container} was using {} {resource} against a request of {}",
                workload_name(ev.pod),
                ev.pod.name,
                humanize(resource, using),
                humanize(resource, request)
            ));
        }
    }
    if !evictions.is_empty() {
        let resources: Vec<String> = {
            let mut r: Vec<String> = evictions
                .iter()
                .filter_map(|e| e.resource.clone())
                .collect();
            r.sort();
            r.dedup();
            r
        };
        let on = if resources.is_empty() {
            String::new()
        } else {
            format!(" for low {}", resources.join(", "))
        };
        parts.push(format!(
            "the kubelet evicted {} pod(s){on}",
            evictions.len()
        ));
    }
    if !culprits.is_empty() {
        parts.push(format!("the pressure came from {}", culprits.join("; ")));
    }
    let stranded = if not_ready.is_some() {
        pods_here.len()
    } else {
        evictions.len()
    };
    if not_ready.is_some() && stranded > 0 {
        parts.push(format!(
            "{stranded} pod(s) on it are unavailable or terminating"
        ));
    }
    // A Ready node that is fine by itself was starved by the workload the kubelet names: that
    // workload is the diagnosis, the node's pressure its evidence, the other evicted pods
    // its victims (`rca` lists them as affected).
    if not_ready.is_none()
        && !node_broken_by_itself(Some(node), events)
        && let Some(hog) = evictions.iter().find(|e| !e.hogs.is_empty())
    {
        starved_by(name, &pressures, node_evidence, hog, &evictions, out);
        return;
    }
    let cause = format!("{}.", parts.join("; "));

    let critical = not_ready.is_some() || !evictions.is_empty();
    let fix = fix_steps(name, not_ready.is_some(), &pressures, &culprits);
    let base = |subject: ObjectRef| {
        let mut f = Finding::new(
            "node-problem",
            Category::NodeProblem,
            subject,
            node_ref.clone(),
            &detail,
        );
        f.severity = if critical {
            Severity::Critical
        } else {
            Severity::Warning
        };
        f.summary = match (not_ready, pressures.first()) {
            (Some(_), _) => format!("Node {name} is NotReady"),
            (None, Some(p)) => format!("Node {name} has {}", p.type_),
            _ => format!("Node {name} evicted pods"),
        };
        f.cause = cause.clone();
        f.fix = fix.clone();
        f.prevention = vec![
            "Set requests close to real usage (and memory limits) so one pod cannot starve a node; alert on node conditions and evictions.".into(),
            "Keep kube-reserved/system-reserved and eviction thresholds configured so the kubelet survives pressure.".into(),
        ];
        f.facts.insert("node".into(), name.to_string());
        if let Some(c) = not_ready {
            f.facts.insert("ready".into(), c.status.clone());
        }
        for c in &pressures {
            f.facts.insert(c.type_.clone(), c.status.clone());
        }
        if !evictions.is_empty() {
            f.facts
                .insert("evictions".into(), evictions.len().to_string());
        }
        f
    };

    // Pods on a NotReady node are all stranded; on a pressured one only the evicted.
    let affected: Vec<&PodContext<'_>> = if not_ready.is_some() {
        pods_here.clone()
    } else {
        evictions.iter().map(|e| e.pod).collect()
    };
    if affected.is_empty() {
        let mut f = base(node_ref.clone());
        f.evidence = node_evidence;
        out.push(f);
        return;
    }
    for (i, pod) in affected.iter().enumerate() {
        let mut f = base(pod.subject.clone());
        if i == 0 {
            f.evidence = node_evidence.clone();
        }
        if let Some(ev) = evictions
            .iter()
            .find(|e| e.pod.name == pod.name && e.pod.namespace == pod.namespace)
        {
            match ev.event {
                Some(e) => f
                    .evidence
                    .push(Context::event_evidence(e, Strength::Direct)),
                None => f.evidence.push(Context::evidence(
                    EvidenceSource::Status,
                    &pod.subject,
                    format!("Evicted: {}", ev.message),
                    Strength::Direct,
                )),
            }
        } else if let Some(e) = pod.events_with(&["NodeNotReady"]).last() {
            f.evidence
                .push(Context::event_evidence(e, Strength::Indirect));
        }
        out.push(f);
    }
}

/// The findings for a node starved by one workload: the root on that workload (the node's
/// conditions and the kubelet's words as evidence, a limit as the fix), and one symptom per
/// other evicted pod, on its own workload.
fn starved_by(
    node: &str,
    pressures: &[&NodeCondition],
    node_evidence: Vec<Evidence>,
    hog: &Eviction<'_>,
    evictions: &[Eviction<'_>],
    out: &mut Vec<Finding>,
) {
    let pod = hog.pod;
    let (container, using, request) = hog.hogs[0].clone();
    let resource = hog.resource.clone().unwrap_or_else(|| "memory".into());
    let limit = pod
        .container(&container)
        .and_then(|c| c.resource("limits", &resource))
        .map(str::to_string);
    let pressure = match pressures.first() {
        Some(c) => c.type_.clone(),
        None => format!("low {resource}"),
    };
    let victims: Vec<&Eviction<'_>> = evictions
        .iter()
        .filter(|e| e.pod.workload != pod.workload)
        .collect();
    let limit_text = match &limit {
        Some(l) => format!("its {resource} limit is {}", humanize(&resource, l)),
        None => format!("it sets no {resource} limit"),
    };
    let mut cause = format!(
        "{} {}'s container {container} used {} of {resource} against a request of {} and {limit_text}, so node {node} ran into {pressure} and the kubelet evicted it",
        pod.workload.kind,
        pod.workload.name,
        humanize(&resource, &using),
        humanize(&resource, &request),
    );
    if !victims.is_empty() {
        let names: Vec<String> = victims
            .iter()
            .map(|v| format!("{} {}", v.pod.workload.kind, v.pod.workload.name))
            .collect();
        cause.push_str(&format!(
            " and {} other pod(s) ({})",
            victims.len(),
            names.join(", ")
        ));
    }
    cause.push('.');
    let mut f = Finding::new(
        "node-problem",
        Category::NodeProblem,
        pod.subject.clone(),
        pod.workload.clone(),
        &format!("starves-{node}"),
    )
    .fact("node", node)
    .fact("container", &container)
    .fact("resource", &resource)
    .fact("using", &using)
    .fact("request", &request);
    if let Some(l) = &limit {
        f.facts.insert("limit".into(), l.clone());
    }
    f.summary = format!("{} starves node {node} of {resource}", pod.workload.name);
    f.cause = cause;
    f.evidence = node_evidence;
    f.evidence.push(match hog.event {
        Some(e) => Context::event_evidence(e, Strength::Direct),
        None => Context::evidence(
            EvidenceSource::Status,
            &pod.subject,
            format!("Evicted: {}", hog.message),
            Strength::Direct,
        ),
    });
    let bytes = parse_quantity(&using).unwrap_or(0.0);
    // Headroom over the usage the kubelet saw, so the limit stops a runaway without
    // killing the workload at its observed peak.
    let proposed = format_quantity((bytes * 1.25).ceil() as u64);
    f.fix = vec![
        match &limit {
            None => format!(
                "Set a {resource} limit on container {container} of {} {} (it used {}; about {proposed} leaves headroom), so it is stopped before it starves {node}.",
                pod.workload.kind,
                pod.workload.name,
                humanize(&resource, &using)
            ),
            Some(_) => format!(
                "Lower the {resource} use of container {container} or raise its request to what it uses, so the scheduler places it where it fits."
            ),
        },
        format!(
            "Raise the {resource} request of {container} to its real usage so the scheduler counts it, then check {node}: `kubectl describe node {node}`."
        ),
    ];
    f.prevention = vec![
        "Give every container requests close to real usage and memory/ephemeral-storage limits; a LimitRange with defaults catches the ones that forget.".into(),
    ];
    if resource == "memory" && limit.is_none() && bytes > 0.0 {
        f.remedy = Some(Remedy {
            target: pod.workload.clone(),
            change: Change::SetMemoryLimit {
                container: container.clone(),
                from: None,
                to: proposed.clone(),
            },
            rationale: format!(
                "{container} used {} against a request of {} with no limit and starved node {node}; {} × 1.25, rounded up.",
                humanize(&resource, &using),
                humanize(&resource, &request),
                humanize(&resource, &using)
            ),
        });
    }
    out.push(f);
    for v in victims {
        let mut s = Finding::new(
            "node-problem",
            Category::NodeProblem,
            v.pod.subject.clone(),
            v.pod.workload.clone(),
            &format!("evicted-{node}"),
        )
        .fact("node", node);
        s.role = Role::Symptom;
        s.summary = format!("{} evicted from {node}", v.pod.name);
        s.cause = format!(
            "Pod {} was evicted from node {node} under {pressure} caused by {} {}.",
            v.pod.name, pod.workload.kind, pod.workload.name
        );
        s.evidence.push(match v.event {
            Some(e) => Context::event_evidence(e, Strength::Direct),
            None => Context::evidence(
                EvidenceSource::Status,
                &v.pod.subject,
                format!("Evicted: {}", v.message),
                Strength::Direct,
            ),
        });
        s.facts
            .insert("starved_by".into(), pod.workload.to_string());
        out.push(s);
    }
}

fn condition_evidence(node: &ObjectRef, c: &NodeCondition, strength: Strength) -> Evidence {
    let since = c
        .last_transition_time
        .as_ref()
        .map(|t| format!(" (since {})", t.0))
        .unwrap_or_default();
    Context::evidence(
        EvidenceSource::Status,
        node,
        format!(
            "{}={} {}: {}{since}",
            c.type_,
            c.status,
            c.reason.as_deref().unwrap_or(""),
            c.message.as_deref().unwrap_or("").trim()
        ),
        strength,
    )
}

fn pressure_text(c: &NodeCondition) -> String {
    let what = PRESSURES
        .iter()
        .find(|(t, _)| *t == c.type_)
        .map(|(_, w)| *w)
        .unwrap_or("");
    let since = c
        .last_transition_time
        .as_ref()
        .map(|t| format!(" since {}", t.0))
        .unwrap_or_default();
    format!("{} (low {what}{since})", c.type_)
}

fn eviction<'a>(pod: &'a PodContext<'a>) -> Option<Eviction<'a>> {
    let status = pod.pod.status.as_ref()?;
    let event = pod.events_with(&["Evicted"]).into_iter().next_back();
    let evicted = status.reason.as_deref() == Some("Evicted") || event.is_some();
    if !evicted {
        return None;
    }
    let message = status
        .message
        .clone()
        .or_else(|| event.and_then(|e| e.message.clone()))
        .unwrap_or_default();
    let resource = LOW_ON.captures(&message).map(|c| c[1].to_string());
    let hogs = eviction_hogs(&message)
        .into_iter()
        .map(|(container, using, request, _)| (container, using, request))
        .collect();
    Some(Eviction {
        pod,
        message,
        event,
        resource,
        hogs,
    })
}

fn pod_finished(pod: &PodContext<'_>) -> Option<jiff::Timestamp> {
    pod.containers
        .iter()
        .filter_map(|c| c.terminated()?.finished_at.as_ref().map(|t| t.0))
        .max()
}

fn workload_name(pod: &PodContext<'_>) -> String {
    format!("{} {}", pod.workload.kind, pod.workload.name)
}

/// `1843200Ki` → `1.8Gi (1843200Ki)`; `0` stays `0`.
fn humanize(resource: &str, q: &str) -> String {
    match parse_quantity(q) {
        Some(v) if v > 0.0 => {
            let h = format_resource(resource, v);
            if h == q { h } else { format!("{h} ({q})") }
        }
        _ => q.to_string(),
    }
}

fn fix_steps(
    name: &str,
    not_ready: bool,
    pressures: &[&NodeCondition],
    culprits: &[String],
) -> Vec<String> {
    let mut fix = Vec::new();
    if not_ready {
        fix.push(format!(
            "Check the kubelet and container runtime on {name} (`journalctl -u kubelet`, `systemctl status containerd`) or replace the node; pods on it are rescheduled after the eviction timeout."
        ));
        fix.push(format!("Cordon and drain {name} (`kubectl drain {name} --ignore-daemonsets --delete-emptydir-data`) until it is healthy."));
    }
    for c in pressures {
        match c.type_.as_str() {
            "DiskPressure" => fix.push(format!(
                "Free disk on {name}: remove unused images (`crictl rmi --prune`), large container logs and emptyDir data; give pods that write to local disk an ephemeral-storage limit, or grow the node's disk."
            )),
            "MemoryPressure" => fix.push(format!("Find the pods using the most memory on {name} (`kubectl top pod -A --sort-by=memory`) and set their requests and limits to real usage.")),
            "PIDPressure" => fix.push(format!("Find the process leaking PIDs on {name} and set a pod PID limit.")),
            _ => {}
        }
    }
    if !culprits.is_empty() {
        fix.push(format!(
            "Set requests/limits that match real usage for {}.",
            culprits.join("; ")
        ));
    }
    fix
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Vec<Finding> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        let snapshot = crate::source::bundle::read(&dir).expect("example bundle");
        crate::analyze::testing::findings(&NodeProblem, &snapshot)
    }

    #[test]
    fn a_ready_node_starved_by_one_workload_blames_that_workload_and_its_missing_limit() {
        let out = example("node-memory-pressure");
        let root: Vec<&Finding> = out.iter().filter(|f| f.role == Role::Cause).collect();
        assert_eq!(root.len(), 1);
        assert_eq!(root[0].workload.name, "search-indexer");
        assert!(
            root[0].cause.contains("sets no memory limit"),
            "{}",
            root[0].cause
        );
        assert!(matches!(
            root[0].remedy.as_ref().map(|r| &r.change),
            Some(Change::SetMemoryLimit { from: None, .. })
        ));
        let victims: Vec<&str> = out
            .iter()
            .filter(|f| f.role == Role::Symptom)
            .map(|f| f.workload.name.as_str())
            .collect();
        assert_eq!(victims, ["checkout"]);
    }

    #[test]
    fn a_node_whose_image_store_cannot_be_freed_stays_a_node_problem() {
        let out = example("node-disk-pressure");
        assert!(!out.is_empty());
        assert!(out.iter().all(|f| f.workload.kind == "Node"), "{out:#?}");
    }
    use crate::analyze::testing::run;

    #[test]
    fn not_ready_node_owns_its_stranded_and_evicted_pods_and_names_the_memory_hog() {
        let out = run(&NodeProblem, "node/not-ready.json");
        assert!(!out.is_empty());
        assert!(
            out.iter()
                .all(|f| f.id == out[0].id && f.workload.to_string() == "Node worker-2"),
            "{out:#?}"
        );
        let f = &out[0];
        assert_eq!(f.category, Category::NodeProblem);
        assert!(
            f.cause.contains("worker-2") && f.cause.contains("NotReady"),
            "{}",
            f.cause
        );
        assert!(
            f.cause.contains("Deployment reports") && f.cause.contains("512Mi"),
            "{}",
            f.cause
        );
        let subjects: Vec<String> = out.iter().map(|f| f.subject.name.clone()).collect();
        assert!(
            subjects.iter().any(|s| s.starts_with("reports-"))
                && subjects.iter().any(|s| s.starts_with("cart-")),
            "{subjects:?}"
        );
        assert!(f.remedy.is_none());
    }

    #[test]
    fn disk_pressure_names_the_condition_and_the_evicted_pod() {
        let out = run(&NodeProblem, "node/disk-pressure.json");
        assert!(!out.is_empty());
        let f = &out[0];
        assert_eq!(f.workload.to_string(), "Node worker-3");
        assert!(
            f.cause.contains("DiskPressure")
                && f.cause.contains("ephemeral-storage")
                && f.cause.contains("exporter"),
            "{}",
            f.cause
        );
    }

    #[test]
    fn healthy_nodes_and_a_cordoned_node_are_not_problems() {
        assert!(run(&NodeProblem, "node/healthy.json").is_empty());
    }
}
