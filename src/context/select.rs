//! Evidence selection: what an SRE would look at for one diagnosis, as candidate items
//! with a priority. Texts here are raw; `build` sanitizes and budgets them.
//!
//! Priorities (lower is kept first): 0 the rules engine's own evidence; 1 the failing
//! containers' states, the workload's status, what changed and the sibling pods; 2 warning
//! events (and normal ones that report a failure) and the error regions of current and
//! previous logs; 3 the container specs with the related objects (exist or not, their
//! keys, endpoints). One pod is described in full, the one the rules engine's evidence is
//! about; its siblings share its template and are summed up alike ones together.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{Event, Pod};

use super::describe::{Said, container_state, pod_spec, related};
use super::logs;
use super::status::{Conditions, workload_status};
use crate::analyze::{Category, EvidenceSource};
use crate::model::log_line::{Strictness, is_error_line};
use crate::model::{Kind, ObjectRef, Snapshot, event_last_seen, pod_is_healthy};
use crate::rca::Diagnosis;
use crate::sanitize::{SanitizeError, Sanitizer};

/// Sibling pods listed one line each beyond the one shown in detail.
const MAX_PODS: usize = 10;
/// Distinct events considered per diagnosis (a flapping cluster can have thousands).
const MAX_EVENTS: usize = 48;

/// A candidate piece of evidence.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub priority: u8,
    pub source: EvidenceSource,
    pub object: ObjectRef,
    pub title: String,
    pub text: String,
    pub timestamp: Option<jiff::Timestamp>,
    /// Set for the rules engine's own evidence, which keeps its id.
    pub rules_id: Option<String>,
    /// A log, already sanitized, which the budget may ask to shorten.
    pub log: Option<String>,
    /// More of what the rules engine's evidence on the same object says (a pod's state
    /// beyond its failing container's): appended to that evidence when it is in.
    pub extends: bool,
}

impl Candidate {
    pub(super) fn new(
        priority: u8,
        source: EvidenceSource,
        object: ObjectRef,
        title: String,
        text: String,
    ) -> Self {
        Candidate {
            priority,
            source,
            object,
            title,
            text,
            timestamp: None,
            rules_id: None,
            log: None,
            extends: false,
        }
    }
}

/// Every candidate for `d`, in priority order (stable within a priority).
pub fn candidates(
    snapshot: &Snapshot,
    d: &Diagnosis,
    sanitizer: &Sanitizer,
) -> Result<Vec<Candidate>, SanitizeError> {
    let mut out = Vec::new();
    for e in &d.evidence {
        let mut c = Candidate::new(
            0,
            e.source,
            e.object.clone(),
            format!("{} {}", source_name(e.source), e.object),
            e.excerpt.clone(),
        );
        c.timestamp = e.timestamp;
        c.rules_id = Some(e.id.clone());
        out.push(c);
    }
    if !d.changes.is_empty() {
        let mut text = String::new();
        for ch in &d.changes {
            let _ = writeln!(
                text,
                "{}: {} -> {} (revision {}{})",
                ch.field,
                ch.from.as_deref().unwrap_or("(none)"),
                ch.to.as_deref().unwrap_or("(none)"),
                ch.revision.as_deref().unwrap_or("?"),
                ch.at
                    .map(|t| format!(", rolled out {t}"))
                    .unwrap_or_default()
            );
        }
        out.push(Candidate::new(
            1,
            EvidenceSource::Spec,
            d.subject.clone(),
            format!("what changed in {}", d.subject),
            text,
        ));
    }
    // How a Deployment rolls out matters when the rollout is what is stuck, or when no
    // rule knows what is wrong.
    let rollout = d
        .hypotheses
        .first()
        .is_none_or(|h| matches!(h.category, Category::RolloutStuck | Category::Unknown));
    let said: Vec<&str> = d.evidence.iter().map(|e| e.excerpt.as_str()).collect();
    let pods = pods_of(snapshot, &d.subject, d);
    let running = pods.first().and_then(|p| p.spec.as_ref());
    if let Some(status) = workload_status(snapshot, &d.subject, rollout, running, &said) {
        out.push(Candidate::new(
            1,
            EvidenceSource::Status,
            d.subject.clone(),
            format!("status of {}", d.subject),
            status,
        ));
    }
    let mut events_seen = BTreeSet::new();
    workload_events(snapshot, &d.subject, &mut events_seen, &mut out);
    // One pod in detail (its siblings share the template, the logs and the failure);
    // the others in one line each, as `kubectl get pods -o wide` shows them.
    if let Some((detail, others)) = pods.split_first() {
        pod_candidates(snapshot, d, detail, sanitizer, &mut events_seen, &mut out)?;
        for pod in others.iter().take(MAX_PODS) {
            for e in snapshot.events_about(Kind::Pod, &pod.metadata) {
                push_event(e, &mut events_seen, &mut out);
            }
        }
        let mut text = siblings(snapshot, &others[..others.len().min(MAX_PODS)]);
        if others.len() > MAX_PODS {
            let _ = writeln!(text, "… and {} more pods", others.len() - MAX_PODS);
        }
        if !text.is_empty() {
            out.push(Candidate::new(
                1,
                EvidenceSource::Status,
                d.subject.clone(),
                format!("other pods of {}", d.subject),
                text,
            ));
        }
    }
    if let Some(node) = node_of_subject(snapshot, &d.subject) {
        out.push(node);
    }
    out.sort_by_key(|c| c.priority);
    Ok(out)
}

/// Pods alike, the replicas of one owner in one state.
struct Siblings<'a> {
    owner: String,
    state: String,
    /// Name and node of each.
    pods: Vec<(&'a str, &'a str)>,
}

/// One line per pod, as `kubectl get pods -o wide` shows them; pods alike (one owner,
/// status, readiness and restart count: the replicas of one ReplicaSet) share a line, with
/// the nodes they run on.
fn siblings(snapshot: &Snapshot, pods: &[&Pod]) -> String {
    let mut groups: Vec<Siblings<'_>> = Vec::new();
    for pod in pods {
        let (ready, total) = crate::model::pod_ready(pod);
        let restarts: i32 = pod
            .status
            .iter()
            .flat_map(|s| s.container_statuses.iter().flatten())
            .map(|c| c.restart_count)
            .sum();
        let name = pod.metadata.name.as_deref().unwrap_or("");
        // A pod nothing owns is a group of its own.
        let owner = snapshot
            .controller_of(&pod.metadata)
            .map_or_else(|| name.to_string(), |o| format!("{} {}", o.kind, o.name));
        let state = format!(
            "{} ready {ready}/{total}, restarts {restarts}",
            crate::model::pod_status(pod)
        );
        let node = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_deref())
            .unwrap_or("-");
        match groups
            .iter_mut()
            .find(|g| g.owner == owner && g.state == state)
        {
            Some(g) => g.pods.push((name, node)),
            None => groups.push(Siblings {
                owner,
                state,
                pods: vec![(name, node)],
            }),
        }
    }
    let mut text = String::new();
    for g in &groups {
        let state = &g.state;
        let _ = match g.pods.as_slice() {
            [(name, node)] => writeln!(text, "{name} {state}, node {node}"),
            pods => {
                let nodes: Vec<&str> = pods.iter().map(|(_, n)| *n).collect();
                writeln!(
                    text,
                    "{} pods of {}: {state}, nodes {}",
                    pods.len(),
                    g.owner,
                    nodes.join(", ")
                )
            }
        };
    }
    text
}

fn source_name(s: EvidenceSource) -> &'static str {
    match s {
        EvidenceSource::Status => "status",
        EvidenceSource::Event => "event",
        EvidenceSource::Log => "log",
        EvidenceSource::Spec => "spec",
        EvidenceSource::CiLog => "ci-log",
        EvidenceSource::Metric => "metric",
    }
}

/// The workload's pods, most telling first: those the findings name, then the one the
/// rules engine's evidence cites first (the log line and the exit it quotes are that
/// pod's), then the unhealthy, newest first.
fn pods_of<'a>(snapshot: &'a Snapshot, subject: &ObjectRef, d: &Diagnosis) -> Vec<&'a Pod> {
    let named: BTreeSet<&str> = d
        .findings
        .iter()
        .filter(|f| f.subject.kind == "Pod")
        .map(|f| f.subject.name.as_str())
        .collect();
    let cited = |name: &str| {
        d.evidence
            .iter()
            .position(|e| e.object.kind == "Pod" && e.object.name == name)
            .unwrap_or(usize::MAX)
    };
    let mut pods: Vec<&Pod> = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| {
            if subject.kind == "Pod" {
                p.metadata.name.as_deref() == Some(subject.name.as_str())
                    && p.metadata.namespace == subject.namespace
            } else {
                snapshot.workload_of(Kind::Pod, &p.metadata) == *subject
            }
        })
        .collect();
    pods.sort_by_key(|p| {
        let name = p.metadata.name.as_deref().unwrap_or("");
        (
            !named.contains(name),
            cited(name),
            pod_is_healthy(p),
            std::cmp::Reverse(p.metadata.creation_timestamp.as_ref().map(|t| t.0)),
        )
    });
    pods
}

fn pod_candidates(
    snapshot: &Snapshot,
    d: &Diagnosis,
    pod: &Pod,
    sanitizer: &Sanitizer,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<Candidate>,
) -> Result<(), SanitizeError> {
    let pref = ObjectRef::from_meta(Kind::Pod, &pod.metadata);
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let name = pod.metadata.name.as_deref().unwrap_or("");
    let healthy = pod_is_healthy(pod);
    // What the rules engine says about this pod is in the context whatever the budget:
    // the state below leaves it out.
    let about_pod: Vec<&str> = d
        .evidence
        .iter()
        .filter(|e| e.object == pref)
        .map(|e| e.excerpt.as_str())
        .collect();
    let containers = pod.spec.as_ref().map_or(0, |s| {
        s.containers.len() + s.init_containers.as_ref().map_or(0, Vec::len)
    });
    let said = Said {
        lines: about_pod.iter().flat_map(|e| e.lines()).collect(),
        single: containers == 1,
    };
    let mut state = format!(
        "phase {}",
        pod.status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("?"),
    );
    // kubectl's STATUS column is the phase or a container's reason, both shown; it says
    // more only for a pod being deleted or one the kubelet gave a reason (Evicted).
    let derived = pod.metadata.deletion_timestamp.is_none()
        && pod
            .status
            .as_ref()
            .and_then(|s| s.reason.as_deref())
            .is_none_or(str::is_empty);
    if !derived {
        let _ = write!(state, ", status {}", crate::model::pod_status(pod));
    }
    if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
        let _ = write!(state, ", node {node}");
    }
    let _ = writeln!(state);
    if let Some(status) = &pod.status {
        let mut conditions = Conditions::default();
        for c in status
            .conditions
            .iter()
            .flatten()
            // Ready and ContainersReady only repeat what the container states say.
            .filter(|c| c.status != "True" && c.type_ != "Ready" && c.type_ != "ContainersReady")
        {
            conditions.push(
                &c.type_,
                &c.status,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or(""),
            );
        }
        state.push_str(&conditions.render(&about_pod));
        for cs in status
            .init_container_statuses
            .iter()
            .flatten()
            .map(|c| (true, c))
            .chain(
                status
                    .container_statuses
                    .iter()
                    .flatten()
                    .map(|c| (false, c)),
            )
        {
            container_state(&mut state, cs.0, cs.1, &said);
        }
    }
    let mut c = Candidate::new(
        if healthy { 3 } else { 1 },
        EvidenceSource::Status,
        pref.clone(),
        format!(
            "state of {pref}{}",
            if healthy {
                " (healthy, for comparison)"
            } else {
                ""
            }
        ),
        state,
    );
    // A healthy pod is shown for comparison, under its own title.
    c.extends = !healthy;
    out.push(c);
    if let Some(spec) = &pod.spec {
        let mut spec = spec.clone();
        sanitizer.redact_pod_spec(&mut spec)?;
        let covered = d
            .evidence
            .iter()
            .map(|e| (e.object.kind.as_str(), e.object.name.as_str()))
            .collect();
        // What the spec refers to, and whether it exists, goes with the spec: one item,
        // where the reference and its target read together.
        let text = pod_spec(&spec) + &related(snapshot, ns, &spec, pod, &covered);
        out.push(Candidate::new(
            3,
            EvidenceSource::Spec,
            pref.clone(),
            format!("spec of {pref}"),
            text,
        ));
    }
    for e in snapshot.events_about(Kind::Pod, &pod.metadata) {
        push_event(e, seen, out);
    }
    if healthy {
        return Ok(());
    }
    for previous in [true, false] {
        for (key, text) in snapshot.logs.range(
            crate::model::LogKey {
                namespace: ns.to_string(),
                pod: name.to_string(),
                container: String::new(),
                previous: false,
            }..,
        ) {
            if key.namespace != ns || key.pod != name {
                break;
            }
            if key.previous != previous || text.trim().is_empty() {
                continue;
            }
            // After a crash the current instance has usually only started again; its log
            // matters when it reports an error itself, or when there is no previous one.
            if !previous
                && snapshot.log(ns, name, &key.container, true).is_some()
                && !text.lines().any(|l| is_error_line(l, Strictness::Any))
            {
                continue;
            }
            // Sanitize the whole log before compressing: folding lines into templates
            // could separate a secret from what identifies it (a PEM body from its
            // BEGIN line, a value from its `password=` key).
            let text = sanitizer.sanitize(text)?.into_string();
            let compressed = logs::compress(&text, 1.0);
            let mut c = Candidate::new(
                2,
                EvidenceSource::Log,
                pref.clone(),
                format!(
                    "{} log of container {} in {pref} ({} lines)",
                    if previous { "previous" } else { "current" },
                    key.container,
                    compressed.lines_in
                ),
                compressed.text,
            );
            c.log = Some(text);
            out.push(c);
        }
    }
    Ok(())
}

/// kubelet's `Error: ErrImagePull`, `Error: ImagePullBackOff`, `Error:
/// CreateContainerConfigError`: the container's waiting reason again, which the pod's state
/// already says.
fn is_state_echo(message: &str) -> bool {
    message.strip_prefix("Error: ").is_some_and(|reason| {
        !reason.is_empty()
            && reason.chars().all(|c| c.is_ascii_alphanumeric())
            && reason.starts_with(|c: char| c.is_ascii_uppercase())
    })
}

/// Adds an event unless one like it is in already: the same reason and message on a
/// sibling object (the name masked) is the same evidence. Normal events are kept only when
/// they report a failure (`Killing … failed liveness probe`); Scheduled, Pulled, Started
/// tell nothing a state does not.
fn push_event(e: &Event, seen: &mut BTreeSet<String>, out: &mut Vec<Candidate>) {
    let reason = e.reason.as_deref().unwrap_or("");
    let message = e.message.as_deref().unwrap_or("").trim();
    let warning = e.type_.as_deref() == Some("Warning");
    if !warning && !is_error_line(message, Strictness::Any) || is_state_echo(message) {
        return;
    }
    let obj = &e.involved_object;
    let name = obj.name.as_deref().unwrap_or("");
    let masked = if name.is_empty() {
        message.to_string()
    } else {
        message.replace(name, "<name>")
    };
    let key = format!("{}|{reason}|{masked}", obj.kind.as_deref().unwrap_or(""));
    if seen.len() >= MAX_EVENTS || !seen.insert(key) {
        return;
    }
    let evidence =
        crate::analyze::Context::event_evidence(e, crate::analyze::Strength::Circumstantial);
    // The excerpt says how often (`Warning BackOff (x38): …`).
    let mut c = Candidate::new(
        2,
        EvidenceSource::Event,
        evidence.object.clone(),
        format!("event on {}", evidence.object),
        evidence.excerpt,
    );
    c.timestamp = event_last_seen(e);
    out.push(c);
}

/// Events about the workload itself and its ReplicaSets (rollout and quota failures land
/// there, not on pods).
fn workload_events(
    snapshot: &Snapshot,
    subject: &ObjectRef,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<Candidate>,
) {
    let ns = subject.namespace.as_deref().unwrap_or("");
    if let Some(kind) = subject.known_kind()
        && let Some(meta) = snapshot.meta(kind, ns, &subject.name)
    {
        for e in snapshot.events_about(kind, meta) {
            push_event(e, seen, out);
        }
    }
    // What a Deployment or CronJob makes (ReplicaSets, Jobs) carries the events of its
    // rollouts and runs.
    let creates = subject.known_kind().and_then(|k| k.info().creates);
    if creates.is_some_and(|c| c != Kind::Pod) {
        let children: Vec<(
            Kind,
            &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
        )> = snapshot
            .objects
            .replica_sets
            .iter()
            .map(|rs| (Kind::ReplicaSet, &rs.metadata))
            .chain(
                snapshot
                    .objects
                    .jobs
                    .iter()
                    .map(|j| (Kind::Job, &j.metadata)),
            )
            .filter(|(_, m)| m.namespace.as_deref() == Some(ns))
            .filter(|(_, m)| {
                snapshot
                    .controller_of(m)
                    .is_some_and(|o| o.kind == subject.kind && o.name == subject.name)
            })
            .collect();
        for (kind, meta) in children {
            for e in snapshot.events_about(kind, meta) {
                push_event(e, seen, out);
            }
        }
    }
}

/// For a Node subject, nothing more; for pods, the node they run on when it is not Ready.
fn node_of_subject(snapshot: &Snapshot, subject: &ObjectRef) -> Option<Candidate> {
    let ns = subject.namespace.as_deref()?;
    let node_name = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
        .filter(|p| !pod_is_healthy(p))
        .filter(|p| snapshot.workload_of(Kind::Pod, &p.metadata) == *subject)
        .find_map(|p| p.spec.as_ref()?.node_name.clone())?;
    let i = snapshot.index().position(Kind::Node, "", &node_name)?;
    let node = snapshot.objects.nodes.get(i)?;
    let conditions = node.status.as_ref()?.conditions.as_ref()?;
    let mut text = String::new();
    for c in conditions {
        let bad = (c.type_ == "Ready") != (c.status == "True");
        if bad {
            let _ = writeln!(
                text,
                "{}={} {} {}",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            );
        }
    }
    if text.is_empty() {
        return None;
    }
    let nref = ObjectRef::new("Node", None, node_name);
    Some(Candidate::new(
        2,
        EvidenceSource::Status,
        nref.clone(),
        format!("conditions of {nref}"),
        text,
    ))
}
