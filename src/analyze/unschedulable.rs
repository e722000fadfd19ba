//! Unschedulable: Pending pods the scheduler cannot place. Parses the scheduler's
//! `0/N nodes are available: …` message into reasons with node counts and compares the
//! pod's requests with what the nodes can offer (status.allocatable), so the cause names
//! the requested amount against the largest node, the taint, or the node selector.

use std::cell::OnceCell;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Node, Pod};
use regex::Regex;

use super::{
    Analyzer, Change, Context, EvidenceSource, Finding, PodContext, Remedy, Role, Severity,
    Strength,
};
use crate::model::quantity::{MI, exact_resource, format_resource, parse_quantity};
use crate::model::{Kind, NodeRequests, Snapshot};

pub struct Unschedulable;

impl Analyzer for Unschedulable {
    fn name(&self) -> &'static str {
        "unschedulable"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let usage = NodeUsage::new(cx.snapshot);
        for pc in &cx.pods {
            if let Some(f) = analyze_pod(&usage, pc) {
                out.push(f);
            }
        }
    }
}

/// What the pods bound to each node request, summed once per snapshot and only when a
/// pending pod asks: per pending pod, re-summing every node's pods was quadratic.
struct NodeUsage<'s> {
    snapshot: &'s Snapshot,
    requested: OnceCell<NodeRequests>,
}

impl<'s> NodeUsage<'s> {
    fn new(snapshot: &'s Snapshot) -> Self {
        NodeUsage {
            snapshot,
            requested: OnceCell::new(),
        }
    }

    /// `resource` requested on node `name` by pods that still hold it (not Succeeded or
    /// Failed).
    fn requested(&self, name: &str, resource: &str) -> f64 {
        let by_node = match self.snapshot.node_requests() {
            Some(given) => given,
            None => self
                .requested
                .get_or_init(|| node_requests(&self.snapshot.objects.pods)),
        };
        by_node
            .get(name)
            .and_then(|r| r.get(resource))
            .copied()
            .unwrap_or(0.0)
    }

    /// Allocatable minus requested.
    fn free_on(&self, node: &Node, resource: &str) -> Option<f64> {
        let name = node.metadata.name.as_deref()?;
        Some(allocatable(node, resource)? - self.requested(name, resource))
    }
}

/// One reason from the scheduler's message, with how many nodes it excluded.
#[derive(Debug, Clone, PartialEq)]
enum Reason {
    Insufficient(String),
    Taint(String),
    Affinity,
    UnboundPvc,
    VolumeAffinity,
    TooManyPods,
    Cordoned,
    Other(String),
}

impl Reason {
    fn id(&self) -> String {
        match self {
            Reason::Insufficient(r) => format!("insufficient-{r}"),
            Reason::Taint(t) => format!("taint-{t}"),
            Reason::Affinity => "node-affinity".into(),
            Reason::UnboundPvc => "unbound-pvc".into(),
            Reason::VolumeAffinity => "volume-node-affinity".into(),
            Reason::TooManyPods => "too-many-pods".into(),
            Reason::Cordoned => "cordoned".into(),
            Reason::Other(_) => "other".into(),
        }
    }

    /// Taints every cluster has on its control plane: they explain why those nodes are
    /// excluded, never why the pod is Pending.
    fn is_routine(&self) -> bool {
        matches!(self, Reason::Taint(t) if t.starts_with("{node-role.kubernetes.io/control-plane") || t.starts_with("{node-role.kubernetes.io/master"))
    }
}

#[derive(Debug, Clone, PartialEq)]
struct Parsed {
    total: Option<u32>,
    reasons: Vec<(u32, Reason, String)>,
}

static HEADER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^0/(\d+) nodes are available:\s*").expect("regex"));
static COUNTED: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"^(\d+)\s+(.*)$").expect("regex"));
static TAINT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"untolerated taint(?:\(s\))?\s*(\{.*\})").expect("regex"));
static INSUFFICIENT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^Insufficient (\S+)").expect("regex"));

/// Parses `0/4 nodes are available: 1 node(s) had untolerated taint {k: v}, 3 Insufficient
/// memory. preemption: …` into counted reasons.
fn parse_message(message: &str) -> Parsed {
    let main = message
        .split(" preemption:")
        .next()
        .unwrap_or(message)
        .trim();
    let (total, rest) = match HEADER.captures(main) {
        Some(c) => (
            c[1].parse().ok(),
            &main[c.get(0).map(|m| m.end()).unwrap_or(0)..],
        ),
        None => (None, main),
    };
    let rest = rest.trim_end_matches('.');
    let mut reasons = Vec::new();
    for part in split_outside_braces(rest) {
        let part = part.trim().trim_end_matches('.');
        if part.is_empty() {
            continue;
        }
        let (count, text) = match COUNTED.captures(part) {
            Some(c) => (
                c[1].parse().unwrap_or(0),
                c.get(2).map(|m| m.as_str()).unwrap_or(""),
            ),
            None => (0, part),
        };
        let reason = if let Some(c) = INSUFFICIENT.captures(text) {
            Reason::Insufficient(c[1].to_string())
        } else if let Some(c) = TAINT.captures(text) {
            Reason::Taint(c[1].to_string())
        } else if text.contains("node affinity/selector") || text.contains("node selector") {
            Reason::Affinity
        } else if text.contains("unbound immediate PersistentVolumeClaims") {
            Reason::UnboundPvc
        } else if text.contains("volume node affinity conflict") {
            Reason::VolumeAffinity
        } else if text.contains("Too many pods") {
            Reason::TooManyPods
        } else if text.contains("were unschedulable") {
            Reason::Cordoned
        } else {
            Reason::Other(text.to_string())
        };
        reasons.push((count, reason, part.to_string()));
    }
    Parsed { total, reasons }
}

fn split_outside_braces(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut depth = 0i32;
    let mut start = 0;
    let bytes = s.as_bytes();
    for (i, &b) in bytes.iter().enumerate() {
        match b {
            b'{' => depth += 1,
            b'}' => depth -= 1,
            b',' if depth <= 0 && bytes.get(i + 1) == Some(&b' ') => {
                out.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    out.push(&s[start..]);
    out
}

fn analyze_pod(usage: &NodeUsage<'_>, pc: &PodContext<'_>) -> Option<Finding> {
    let snapshot = usage.snapshot;
    let spec = pc.pod.spec.as_ref()?;
    let status = pc.pod.status.as_ref()?;
    // A pod on a node is scheduled: old FailedScheduling events are history.
    if spec.node_name.as_deref().is_some_and(|n| !n.is_empty())
        || pc.pod.metadata.deletion_timestamp.is_some()
    {
        return None;
    }
    if status.phase.as_deref().is_some_and(|p| p != "Pending") {
        return None;
    }
    let condition = status
        .conditions
        .iter()
        .flatten()
        .find(|c| c.type_ == "PodScheduled");
    if condition.is_some_and(|c| c.status == "True") {
        return None;
    }
    let condition = condition.filter(|c| c.status == "False");
    let event = pc
        .events_with(&["FailedScheduling"])
        .into_iter()
        .next_back();
    let message = event
        .and_then(|e| e.message.as_deref())
        .or_else(|| condition.and_then(|c| c.message.as_deref()))?;
    let parsed = parse_message(message);
    let primary = primary_reason(&parsed)?;

    let nodes = &snapshot.objects.nodes;
    let requests = pod_requests(pc.pod);
    let mut finding = Finding::new(
        "unschedulable",
        super::Category::Unschedulable,
        pc.subject.clone(),
        pc.workload.clone(),
        &primary.id(),
    );
    finding.severity = Severity::Critical;
    finding.summary = format!("Pod {} is Pending: {}", pc.name, summarize(&parsed));
    if let Some(total) = parsed.total {
        finding = finding.fact("nodes", total);
    }
    for (n, r, _) in &parsed.reasons {
        finding = finding.fact(&format!("excluded.{}", r.id()), n);
    }
    let also = others(&parsed, &primary);
    let quoted = parsed
        .reasons
        .iter()
        .find(|(_, r, _)| *r == primary)
        .map(|(_, _, t)| t.clone())
        .unwrap_or_default();
    match &primary {
        Reason::Insufficient(resource) => {
            insufficient(
                usage,
                pc,
                nodes,
                &requests,
                resource,
                &quoted,
                &also,
                &mut finding,
            );
        }
        Reason::Taint(taint) => {
            finding.cause = format!(
                "{} does not tolerate the taint {taint} that the scheduler reports on the nodes it could use ({quoted}){also}.",
                subject_name(pc)
            );
            finding.fix = vec![
                format!(
                    "Add a toleration for {taint} to the pod template of {}, or remove the taint from the nodes meant to run it.",
                    pc.workload
                ),
                "Check with `kubectl describe nodes | grep -A3 Taints` which nodes carry it."
                    .into(),
            ];
            finding = finding.fact("taint", taint);
        }
        Reason::Affinity => {
            let wanted = required_labels(pc.pod);
            let have = node_values(nodes, &wanted);
            let wanted_text = if wanted.is_empty() {
                "its node selector/affinity".to_string()
            } else {
                wanted
                    .iter()
                    .map(|(k, op, v)| describe_term(k, op, v))
                    .collect::<Vec<_>>()
                    .join(" and ")
            };
            let have_text = if have.is_empty() {
                String::new()
            } else {
                format!(" (nodes have {})", have.join(", "))
            };
            finding.cause = format!(
                "{} requires nodes with {wanted_text}, but no node matches{have_text}: {quoted}{also}.",
                subject_name(pc)
            );
            finding.fix = vec![
                format!(
                    "Label the nodes meant for {} to match ({wanted_text}), or correct the nodeSelector/nodeAffinity in its pod template.",
                    pc.workload
                ),
                "Compare with `kubectl get nodes --show-labels`.".into(),
            ];
            for (k, _, v) in &wanted {
                finding = finding.fact(&format!("requires.{k}"), v.join(","));
            }
        }
        Reason::UnboundPvc | Reason::VolumeAffinity => {
            let claims = pod_claims(pc.pod);
            let pending: Vec<String> = claims
                .iter()
                .filter(|c| pvc_phase(snapshot, pc.namespace, c).as_deref() != Some("Bound"))
                .cloned()
                .collect();
            let names = if pending.is_empty() {
                claims.join(", ")
            } else {
                pending.join(", ")
            };
            finding.cause = if primary == Reason::UnboundPvc {
                format!(
                    "Pod {} waits for its PersistentVolumeClaim {names} to bind ({quoted}){also}.",
                    pc.name
                )
            } else {
                format!(
                    "Pod {} cannot run where its volume {names} lives ({quoted}){also}.",
                    pc.name
                )
            };
            // The volume analyzer names why the claim is unbound; this is its consequence.
            if !pending.is_empty() {
                finding.role = Role::Symptom;
            }
            finding.fix = vec![format!(
                "Find why PersistentVolumeClaim {names} is not usable: `kubectl describe pvc {names} -n {}`.",
                pc.namespace
            )];
        }
        Reason::TooManyPods => {
            finding.cause = format!("Every eligible node is at its pod limit ({quoted}){also}.");
            finding.fix =
                vec!["Add nodes or raise the kubelet's maxPods; remove finished pods.".into()];
        }
        Reason::Cordoned => {
            finding.cause = format!("The nodes the pod could use are cordoned ({quoted}){also}.");
            finding.fix = vec!["Uncordon a node (`kubectl uncordon NODE`) or add capacity.".into()];
        }
        Reason::Other(text) => {
            finding.cause = format!("The scheduler cannot place pod {}: {text}{also}.", pc.name);
            finding.fix = vec![format!(
                "Read the full scheduler message: `kubectl describe pod {} -n {}`.",
                pc.name, pc.namespace
            )];
        }
    }
    if finding.prevention.is_empty() {
        finding.prevention = vec![
            "Check requests, selectors and tolerations against the node pools in CI (e.g. a dry-run schedule with kube-score or a policy).".into(),
        ];
    }
    if let Some(e) = event {
        finding
            .evidence
            .push(Context::event_evidence(e, Strength::Direct));
    }
    if let Some(c) = condition {
        finding.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &pc.subject,
            format!(
                "PodScheduled=False {}: {}",
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("").trim()
            ),
            Strength::Direct,
        ));
    }
    Some(finding)
}

/// The reason that keeps the pod off the nodes it is meant for: the one excluding the most
/// nodes, routine control-plane taints last.
fn primary_reason(parsed: &Parsed) -> Option<Reason> {
    let mut reasons: Vec<&(u32, Reason, String)> = parsed.reasons.iter().collect();
    reasons.sort_by_key(|(n, r, _)| (r.is_routine(), std::cmp::Reverse(*n)));
    reasons.first().map(|(_, r, _)| r.clone())
}

fn summarize(parsed: &Parsed) -> String {
    parsed
        .reasons
        .iter()
        .map(|(_, _, t)| t.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn others(parsed: &Parsed, primary: &Reason) -> String {
    let rest: Vec<String> = parsed
        .reasons
        .iter()
        .filter(|(_, r, _)| r != primary)
        .map(|(_, r, t)| {
            if r.is_routine() {
                format!("{t}, which is expected")
            } else {
                t.clone()
            }
        })
        .collect();
    if rest.is_empty() {
        String::new()
    } else {
        format!("; also: {}", rest.join("; "))
    }
}

#[allow(clippy::too_many_arguments)]
fn insufficient(
    usage: &NodeUsage<'_>,
    pc: &PodContext<'_>,
    nodes: &[Node],
    requests: &BTreeMap<String, f64>,
    resource: &str,
    quoted: &str,
    also: &str,
    finding: &mut Finding,
) {
    let requested = requests.get(resource).copied().unwrap_or(0.0);
    let candidates = candidate_nodes(nodes, pc.pod);
    let largest = candidates
        .iter()
        .filter_map(|n| {
            Some((
                allocatable(n, resource).unwrap_or(0.0),
                n.metadata.name.as_deref()?,
            ))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0));
    let req_text = format_resource(resource, requested);
    let who = who(pc);
    let per = if pc.workload == pc.subject {
        ""
    } else {
        " per pod"
    };
    finding
        .facts
        .insert(format!("requests.{resource}"), req_text.clone());
    let Some((largest, largest_node)) = largest else {
        finding.cause =
            format!("{who} {resource} {req_text}{per} and no node can offer it: {quoted}{also}.");
        finding.fix = vec![format!(
            "Lower the {resource} request of {} or add nodes with more {resource}.",
            pc.workload
        )];
        return;
    };
    let largest_text = format_resource(resource, largest);
    finding.facts.insert(
        format!("largest_allocatable.{resource}"),
        format!("{largest_text} ({largest_node})"),
    );
    if requested > largest {
        finding.cause = format!(
            "{who} {resource} {req_text}{per} but the largest node allocatable is {largest_text} ({largest_node}), so no node can ever fit it: {quoted}{also}."
        );
        finding.fix = vec![format!(
            "Lower the {resource} request of {} below {largest_text} (what the app really needs), or add a node pool with more than {req_text} allocatable {resource}.",
            pc.workload
        )];
        finding.remedy = fitting_remedy(usage, pc, &candidates, resource, requested);
    } else {
        let free = candidates
            .iter()
            .filter_map(|n| Some((usage.free_on(n, resource)?, n.metadata.name.as_deref()?)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        let free_text = free
            .map(|(f, n)| {
                format!(
                    "; the most free is {} on {n}",
                    format_resource(resource, f.max(0.0))
                )
            })
            .unwrap_or_default();
        finding.cause = format!(
            "{who} {resource} {req_text}{per}, which fits a node's allocatable ({largest_text} on {largest_node}) but not what is left after the pods already there{free_text}: {quoted}{also}."
        );
        finding.fix = vec![
            "Add capacity (scale the node pool) or free requests held by other pods on the nodes."
                .into(),
            format!(
                "If {} asks for more {resource} than it uses, lower its request.",
                pc.workload
            ),
        ];
    }
    finding.prevention = vec![format!(
        "Size {resource} requests from observed usage and keep them below the node pool's allocatable; alert on Pending pods."
    )];
}

/// `Pod x requests` or `Deployment shop/web requests … per pod` (findings merge across pods).
fn subject_name(pc: &PodContext<'_>) -> String {
    if pc.workload == pc.subject {
        format!("Pod {}", pc.name)
    } else {
        format!("{} {}", pc.workload.kind, pc.workload.name)
    }
}

fn who(pc: &PodContext<'_>) -> String {
    if pc.workload == pc.subject {
        format!("Pod {} requests", pc.name)
    } else {
        format!("{} {} requests", pc.workload.kind, pc.workload.name)
    }
}

/// Nodes the pod could use but for resources: not cordoned, no untolerated NoSchedule taint.
/// Falls back to every node when none qualifies.
fn candidate_nodes<'a>(nodes: &'a [Node], pod: &Pod) -> Vec<&'a Node> {
    let tolerations = pod.spec.as_ref().and_then(|s| s.tolerations.as_ref());
    let tolerated = |key: &str, effect: &str| {
        tolerations.into_iter().flatten().any(|t| {
            let key_ok = t.key.as_deref().is_none_or(|k| k.is_empty() || k == key);
            let effect_ok = t
                .effect
                .as_deref()
                .is_none_or(|e| e.is_empty() || e == effect);
            key_ok && effect_ok
        })
    };
    let usable: Vec<&Node> = nodes
        .iter()
        .filter(|n| {
            let spec = n.spec.as_ref();
            !spec.and_then(|s| s.unschedulable).unwrap_or(false)
                && spec
                    .and_then(|s| s.taints.as_ref())
                    .into_iter()
                    .flatten()
                    .filter(|t| t.effect == "NoSchedule" || t.effect == "NoExecute")
                    .all(|t| tolerated(&t.key, &t.effect))
        })
        .collect();
    if usable.is_empty() {
        nodes.iter().collect()
    } else {
        usable
    }
}

fn allocatable(node: &Node, resource: &str) -> Option<f64> {
    let q = node.status.as_ref()?.allocatable.as_ref()?.get(resource)?;
    parse_quantity(&q.0)
}

/// A request that fits the node with the most room, rounded down; only for the largest
/// container, and only when that still leaves it a positive request.
fn fitting_remedy(
    usage: &NodeUsage<'_>,
    pc: &PodContext<'_>,
    nodes: &[&Node],
    resource: &str,
    requested: f64,
) -> Option<Remedy> {
    if resource != "memory" && resource != "cpu" {
        return None;
    }
    let (free, node) = nodes
        .iter()
        .filter_map(|n| {
            Some((
                usage.free_on(n, resource)?,
                n.metadata.name.clone()?,
                allocatable(n, resource)?,
            ))
        })
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(f, n, a)| (f.min(a), (n, a)))?;
    let step = if resource == "memory" {
        256.0 * MI
    } else {
        0.1
    };
    let target_total = (free / step).floor() * step;
    let over = requested - target_total;
    let spec = pc.pod.spec.as_ref()?;
    let (container, current) = spec
        .containers
        .iter()
        .filter_map(|c| {
            let q = c.resources.as_ref()?.requests.as_ref()?.get(resource)?;
            Some((c.name.clone(), parse_quantity(&q.0)?, q.0.clone()))
        })
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(n, v, s)| (n, (v, s)))?;
    let to = current.0 - over;
    if to <= 0.0 || over <= 0.0 {
        return None;
    }
    let to_text = exact_resource(resource, to);
    let (node_name, alloc) = node;
    let rationale = format!(
        "pod requests {resource} {} in total but the largest node allocatable is {} ({node_name}); after the requests of pods already there {} is free, rounded down to {}: container {container} goes from {} to {to_text}",
        format_resource(resource, requested),
        format_resource(resource, alloc),
        format_resource(resource, free),
        exact_resource(resource, target_total),
        current.1,
    );
    let change = if resource == "memory" {
        Change::SetMemoryRequest {
            container,
            from: Some(current.1),
            to: to_text,
        }
    } else {
        Change::SetCpuRequest {
            container,
            from: Some(current.1),
            to: to_text,
        }
    };
    Some(Remedy {
        target: pc.workload.clone(),
        change,
        rationale,
    })
}

/// What the pods bound to each node request in total ([`pod_requests`]), counting the
/// pods that still hold their node (not Succeeded or Failed).
pub fn node_requests<'a>(pods: impl IntoIterator<Item = &'a Pod>) -> NodeRequests {
    let mut by_node = NodeRequests::new();
    for pod in pods {
        if let Some((node, requests)) = node_share(pod) {
            add_share(
                &mut by_node,
                node,
                requests.iter().map(|(k, v)| (k.as_str(), *v)),
            );
        }
    }
    by_node
}

/// What one pod adds to [`node_requests`]: its node and its effective requests; `None`
/// when it holds no node.
pub fn node_share(pod: &Pod) -> Option<(&str, BTreeMap<String, f64>)> {
    let node = pod.spec.as_ref()?.node_name.as_deref()?;
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    if matches!(phase, Some("Succeeded" | "Failed")) {
        return None;
    }
    Some((node, pod_requests(pod)))
}

/// Adds one pod's [`node_share`] to the totals.
pub fn add_share<'a>(
    by_node: &mut NodeRequests,
    node: &str,
    requests: impl IntoIterator<Item = (&'a str, f64)>,
) {
    let sums = match by_node.get_mut(node) {
        Some(sums) => sums,
        None => by_node.entry(node.to_string()).or_default(),
    };
    for (k, v) in requests {
        match sums.get_mut(k) {
            Some(sum) => *sum += v,
            None => {
                sums.insert(k.to_string(), v);
            }
        }
    }
}

/// The pod's effective requests: the sum over containers, or the largest init container
/// when that is bigger, plus the pod overhead.
pub(super) fn pod_requests(pod: &Pod) -> BTreeMap<String, f64> {
    let mut total: BTreeMap<String, f64> = BTreeMap::new();
    let Some(spec) = pod.spec.as_ref() else {
        return total;
    };
    let requests = |c: &k8s_openapi::api::core::v1::Container| -> Vec<(String, f64)> {
        c.resources
            .as_ref()
            .and_then(|r| r.requests.as_ref())
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| Some((k.clone(), parse_quantity(&v.0)?)))
                    .collect()
            })
            .unwrap_or_default()
    };
    for c in &spec.containers {
        for (k, v) in requests(c) {
            *total.entry(k).or_default() += v;
        }
    }
    for c in spec.init_containers.iter().flatten() {
        for (k, v) in requests(c) {
            let e = total.entry(k).or_default();
            if v > *e {
                *e = v;
            }
        }
    }
    for (k, v) in spec.overhead.iter().flatten() {
        if let Some(v) = parse_quantity(&v.0) {
            *total.entry(k.clone()).or_default() += v;
        }
    }
    total
}

/// `(key, operator, values)` from nodeSelector and required node affinity.
fn required_labels(pod: &Pod) -> Vec<(String, String, Vec<String>)> {
    let Some(spec) = pod.spec.as_ref() else {
        return Vec::new();
    };
    let mut out: Vec<(String, String, Vec<String>)> = spec
        .node_selector
        .iter()
        .flatten()
        .map(|(k, v)| (k.clone(), "In".to_string(), vec![v.clone()]))
        .collect();
    let terms = spec
        .affinity
        .as_ref()
        .and_then(|a| a.node_affinity.as_ref())
        .and_then(|n| {
            n.required_during_scheduling_ignored_during_execution
                .as_ref()
        })
        .map(|r| r.node_selector_terms.as_slice())
        .unwrap_or(&[]);
    for term in terms {
        for e in term.match_expressions.iter().flatten() {
            out.push((
                e.key.clone(),
                e.operator.clone(),
                e.values.clone().unwrap_or_default(),
            ));
        }
    }
    out
}

fn describe_term(key: &str, op: &str, values: &[String]) -> String {
    match op {
        "In" if values.len() == 1 => format!("{key}={}", values[0]),
        "In" => format!("{key} in ({})", values.join(", ")),
        "NotIn" => format!("{key} not in ({})", values.join(", ")),
        "Exists" => format!("label {key}"),
        "DoesNotExist" => format!("no label {key}"),
        _ => format!("{key} {op} {}", values.join(",")),
    }
}

/// What the nodes carry for the wanted keys: `acme.io/pool=general (3 nodes)`.
fn node_values(nodes: &[Node], wanted: &[(String, String, Vec<String>)]) -> Vec<String> {
    let keys: BTreeSet<&str> = wanted.iter().map(|(k, _, _)| k.as_str()).collect();
    let mut out = Vec::new();
    for key in keys {
        let mut counts: BTreeMap<String, usize> = BTreeMap::new();
        let mut missing = 0;
        for n in nodes {
            match n.metadata.labels.as_ref().and_then(|l| l.get(key)) {
                Some(v) => *counts.entry(v.clone()).or_default() += 1,
                None => missing += 1,
            }
        }
        for (v, c) in counts {
            out.push(format!(
                "{key}={v} ({c} node{})",
                if c == 1 { "" } else { "s" }
            ));
        }
        if missing > 0 && out.is_empty() {
            out.push(format!("no {key} label"));
        }
    }
    out
}

fn pod_claims(pod: &Pod) -> Vec<String> {
    pod.spec
        .as_ref()
        .and_then(|s| s.volumes.as_ref())
        .into_iter()
        .flatten()
        .filter_map(|v| {
            v.persistent_volume_claim
                .as_ref()
                .map(|c| c.claim_name.clone())
        })
        .collect()
}

fn pvc_phase(snapshot: &Snapshot, namespace: &str, name: &str) -> Option<String> {
    let i = snapshot
        .index()
        .position(Kind::PersistentVolumeClaim, namespace, name)?;
    snapshot
        .objects
        .persistent_volume_claims
        .get(i)?
        .status
        .as_ref()?
        .phase
        .clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Category;
    use crate::analyze::testing::{findings, fixture, run};

    #[test]
    fn scheduler_message_splits_into_counted_reasons() {
        let p = parse_message(
            "0/4 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 3 Insufficient memory. preemption: 0/4 nodes are available: 1 Preemption is not helpful for scheduling, 3 No preemption victims found for incoming pod.",
        );
        assert_eq!(p.total, Some(4));
        assert_eq!(p.reasons.len(), 2);
        assert_eq!(p.reasons[1].1, Reason::Insufficient("memory".into()));
        assert_eq!(
            primary_reason(&p),
            Some(Reason::Insufficient("memory".into()))
        );
    }

    #[test]
    fn memory_request_larger_than_every_node_is_named_with_the_largest_allocatable() {
        let out = run(&Unschedulable, "unschedulable/insufficient-memory.json");
        assert_eq!(out.len(), 2, "one per Pending pod, merged by id: {out:#?}");
        assert_eq!(out[0].id, out[1].id);
        let f = &out[0];
        assert_eq!(f.category, Category::Unschedulable);
        assert_eq!(f.workload.to_string(), "Deployment shop/search");
        assert!(
            f.cause.contains("6Gi")
                && f.cause.contains("3.4Gi")
                && f.cause.contains("Insufficient memory"),
            "{}",
            f.cause
        );
        let remedy = f.remedy.as_ref().expect("remedy");
        match &remedy.change {
            Change::SetMemoryRequest {
                container,
                from,
                to,
            } => {
                assert_eq!(container, "opensearch");
                assert_eq!(from.as_deref(), Some("6Gi"));
                assert_eq!(to, "3328Mi");
            }
            other => panic!("unexpected change {other:?}"),
        }
    }

    #[test]
    fn node_affinity_mismatch_names_the_label_and_what_nodes_have() {
        let out = run(&Unschedulable, "unschedulable/node-affinity.json");
        assert!(
            !out.is_empty() && out.iter().all(|f| f.id == out[0].id),
            "{out:#?}"
        );
        let f = &out[0];
        assert!(
            f.cause.contains("acme.io/pool=highmem") && f.cause.contains("acme.io/pool=general"),
            "{}",
            f.cause
        );
        assert!(f.remedy.is_none());
    }

    #[test]
    fn scheduled_pod_with_an_old_failed_scheduling_event_is_healthy() {
        assert!(run(&Unschedulable, "unschedulable/scheduled-now.json").is_empty());
    }

    #[test]
    fn odd_objects_with_missing_fields_never_panic_any_resource_analyzer() {
        let snapshot = fixture("unschedulable/odd-objects.json");
        let analyzers: [&dyn Analyzer; 6] = [
            &Unschedulable,
            &super::super::volume::Volume,
            &super::super::node::NodeProblem,
            &super::super::quota::QuotaLimits,
            &super::super::rollout::RolloutStuck,
            &super::super::job::JobFailed,
        ];
        for a in analyzers {
            let out = findings(a, &snapshot);
            assert!(
                out.iter().all(|f| !f.cause.is_empty()),
                "{}: {out:#?}",
                a.name()
            );
        }
    }
}
