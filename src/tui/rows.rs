//! What the tables and the header show, computed from the stores in the background after
//! each update so a frame only draws what is visible: pods sorted unhealthy first, the
//! newest events, and the health score.

use crate::model::{ObjectRef, event_count, event_last_seen};
use crate::rca::Diagnosis;
use crate::report::score::{self, Score};
use crate::watch::Readers;
use crate::watch::objects::Held;

/// Events kept for the stream.
const EVENTS: usize = 200;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PodRow {
    pub namespace: String,
    pub name: String,
    pub ready: String,
    pub status: String,
    pub restarts: i32,
    pub healthy: bool,
    pub workload: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventRow {
    pub last_seen: Option<jiff::Timestamp>,
    pub warning: bool,
    pub reason: String,
    pub object: String,
    pub message: String,
    pub count: i32,
    /// The object the event is about, for describe, YAML and logs.
    pub about: Option<ObjectRef>,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Rows {
    pub pods: Vec<PodRow>,
    pub events: Vec<EventRow>,
    pub pods_total: usize,
    pub pods_unhealthy: usize,
    pub namespaces: usize,
    /// The daily report's score of what is shown; `None` before the first computation.
    pub health: Option<Score>,
}

/// Rows for the pods in `namespace` (all when `None`), and the health score of that view
/// given the current `diagnoses`.
pub fn compute(readers: &Readers, namespace: Option<&str>, diagnoses: &[Diagnosis]) -> Rows {
    let mut rows = Rows {
        namespaces: readers.namespaces().len(),
        health: Some(health(readers, namespace, diagnoses)),
        ..Rows::default()
    };
    readers.pods.each_glimpse(|ns, name, pod, _| {
        if namespace.is_some_and(|n| n != ns) {
            return;
        }
        let (ready, total) = pod.ready;
        rows.pods.push(PodRow {
            namespace: ns.to_string(),
            name: name.to_string(),
            ready: format!("{ready}/{total}"),
            status: pod.status.to_string(),
            restarts: pod.restarts,
            healthy: pod.healthy,
            workload: pod.workload.to_string(),
        });
    });
    rows.pods_total = rows.pods.len();
    rows.pods_unhealthy = rows.pods.iter().filter(|p| !p.healthy).count();
    rows.pods.sort_by(|a, b| {
        a.healthy
            .cmp(&b.healthy)
            .then_with(|| a.namespace.cmp(&b.namespace))
            .then_with(|| a.name.cmp(&b.name))
    });
    let events = readers.events.newest(namespace, EVENTS);
    rows.events = events
        .iter()
        .map(|e| {
            let obj = &e.involved_object;
            EventRow {
                last_seen: event_last_seen(e),
                warning: e.type_.as_deref() == Some("Warning"),
                reason: e.reason.clone().unwrap_or_default(),
                object: format!(
                    "{}/{}",
                    obj.kind.as_deref().unwrap_or("").to_ascii_lowercase(),
                    obj.name.as_deref().unwrap_or("")
                ),
                message: e.message.clone().unwrap_or_default().trim().to_string(),
                count: event_count(e),
                about: obj
                    .kind
                    .as_deref()
                    .zip(obj.name.as_deref())
                    .map(|(kind, name)| {
                        let ns = obj.namespace.as_deref().or(e.metadata.namespace.as_deref());
                        ObjectRef::new(kind, ns.filter(|n| !n.is_empty()), name)
                    }),
            }
        })
        .collect();
    rows
}

/// `report::score::health` over what the stores keep beside each pod and workload, and
/// the nodes: the header and `report daily` give the same cluster the same score, and
/// nothing is unpacked. A view narrowed to one namespace is scored on that namespace
/// alone, without the nodes.
fn health(readers: &Readers, namespace: Option<&str>, diagnoses: &[Diagnosis]) -> Score {
    let keep = |ns: &str| namespace.is_none_or(|n| ns == n);
    let mut pods = score::PodTally::default();
    let mut work = Vec::new();
    readers.pods.each_glimpse(|ns, _, pod, _| {
        if keep(ns) {
            pods.count(pod.succeeded, pod.healthy);
            work.extend(pod.work.clone());
        }
    });
    macro_rules! tally {
        ($($field:ident),*) => {
            $(readers.$field.each_glimpse(|ns, _, w, _| {
                if keep(ns) {
                    work.extend(w.0.clone());
                }
            });)*
        };
    }
    tally!(
        deployments,
        replica_sets,
        stateful_sets,
        daemon_sets,
        jobs,
        cron_jobs
    );
    let nodes = match namespace {
        None => readers.nodes.all(&|_| true),
        Some(_) => Vec::new(),
    };
    let shown: Vec<Diagnosis> = diagnoses
        .iter()
        .filter(|d| namespace.is_none() || d.subject.namespace.as_deref() == namespace)
        .cloned()
        .collect();
    score::health_with(&nodes, &shown, pods, &work)
}
