//! What every analyzer needs, computed once per run: the pods worth looking at, each with
//! its owning workload, its events and its containers' status and spec side by side.

use std::collections::HashMap;

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Event, Pod};

use super::finding::{Evidence, EvidenceSource, Finding, Strength};
use super::graph::Graph;
use crate::model::{Kind, ObjectRef, Snapshot, event_count, event_last_seen, pod_is_healthy};

/// A container's spec and status together.
#[derive(Debug, Clone, Copy)]
pub struct ContainerView<'a> {
    pub name: &'a str,
    pub init: bool,
    pub spec: Option<&'a Container>,
    pub status: Option<&'a ContainerStatus>,
}

impl<'a> ContainerView<'a> {
    pub fn waiting_reason(&self) -> Option<&'a str> {
        self.status?
            .state
            .as_ref()?
            .waiting
            .as_ref()?
            .reason
            .as_deref()
    }

    pub fn waiting_message(&self) -> Option<&'a str> {
        self.status?
            .state
            .as_ref()?
            .waiting
            .as_ref()?
            .message
            .as_deref()
    }

    pub fn restarts(&self) -> i32 {
        self.status.map(|s| s.restart_count).unwrap_or(0)
    }

    pub fn ready(&self) -> bool {
        self.status.is_some_and(|s| s.ready)
    }

    /// The current termination, or the last one (for a restarted container).
    pub fn terminated(&self) -> Option<&'a k8s_openapi::api::core::v1::ContainerStateTerminated> {
        let s = self.status?;
        s.state
            .as_ref()
            .and_then(|st| st.terminated.as_ref())
            .or_else(|| s.last_state.as_ref()?.terminated.as_ref())
    }

    /// The resource value from the spec, e.g. `("limits", "memory")` → `512Mi`.
    pub fn resource(&self, which: &str, resource: &str) -> Option<&'a str> {
        let r = self.spec?.resources.as_ref()?;
        let map = match which {
            "limits" => r.limits.as_ref()?,
            _ => r.requests.as_ref()?,
        };
        map.get(resource).map(|q| q.0.as_str())
    }
}

/// A pod with what analyzers ask about it.
#[derive(Debug)]
pub struct PodContext<'a> {
    pub pod: &'a Pod,
    pub namespace: &'a str,
    pub name: &'a str,
    pub subject: ObjectRef,
    pub workload: ObjectRef,
    /// What of the owner chain to `workload` was inferred rather than read (an owner
    /// absent from a `cluster-info dump`).
    pub inferred: Option<String>,
    /// Events about the pod, oldest first.
    pub events: Vec<&'a Event>,
    pub containers: Vec<ContainerView<'a>>,
}

impl<'a> PodContext<'a> {
    /// Events with one of these reasons.
    pub fn events_with(&self, reasons: &[&str]) -> Vec<&'a Event> {
        self.events
            .iter()
            .copied()
            .filter(|e| e.reason.as_deref().is_some_and(|r| reasons.contains(&r)))
            .collect()
    }

    pub fn container(&self, name: &str) -> Option<&ContainerView<'a>> {
        self.containers.iter().find(|c| c.name == name)
    }
}

/// The analyzers' view of a snapshot.
pub struct Context<'a> {
    pub snapshot: &'a Snapshot,
    /// Pods that are not healthy, or restarted recently: the only ones worth analyzing.
    pub pods: Vec<PodContext<'a>>,
    /// Who depends on whom, built once over those pods and the whole snapshot.
    pub graph: Graph,
    /// Workloads whose owner chain was inferred for some pod, with what was inferred.
    inferred: HashMap<ObjectRef, String>,
}

/// A restart older than this on a pod that is ready now is history, not a problem.
const RECENT_RESTART: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

impl<'a> Context<'a> {
    pub fn new(snapshot: &'a Snapshot) -> Self {
        let now = snapshot.meta.captured_at;
        let pods: Vec<PodContext<'a>> = snapshot
            .objects
            .pods
            .iter()
            .filter(|p| needs_analysis(p, now))
            .map(|pod| pod_context(snapshot, pod))
            .collect::<Vec<_>>();
        let inferred = pods
            .iter()
            .filter_map(|p| Some((p.workload.clone(), p.inferred.clone()?)))
            .collect();
        let graph = Graph::build(snapshot, &pods);
        Context {
            snapshot,
            pods,
            graph,
            inferred,
        }
    }

    /// Findings about a workload whose owner chain was inferred say so: the fact `inferred`
    /// and a piece of evidence naming what was inferred from what.
    pub fn mark_inferred(&self, findings: &mut [Finding]) {
        for f in findings {
            let Some(why) = self.inferred.get(&f.workload) else {
                continue;
            };
            if f.facts.contains_key("inferred") {
                continue;
            }
            f.facts.insert("inferred".into(), why.clone());
            // Second, after the evidence that states the finding: `rca` keeps only the
            // first few pieces, and what was inferred must not be the one dropped.
            let at = f.evidence.len().min(1);
            f.evidence.insert(
                at,
                Context::evidence(
                    EvidenceSource::Spec,
                    &f.subject,
                    format!("owner inferred: {why}"),
                    Strength::Circumstantial,
                ),
            );
        }
    }

    /// Evidence from an event: `Warning BackOff (x7): message`.
    pub fn event_evidence(event: &Event, strength: Strength) -> Evidence {
        let obj = &event.involved_object;
        let count = event_count(event);
        let times = if count > 1 {
            format!(" (x{count})")
        } else {
            String::new()
        };
        Evidence {
            id: String::new(),
            source: EvidenceSource::Event,
            object: ObjectRef::new(
                obj.kind.clone().unwrap_or_default(),
                obj.namespace
                    .as_deref()
                    .or(event.metadata.namespace.as_deref()),
                obj.name.clone().unwrap_or_default(),
            ),
            excerpt: format!(
                "{} {}{times}: {}",
                event.type_.as_deref().unwrap_or("Normal"),
                event.reason.as_deref().unwrap_or(""),
                event.message.as_deref().unwrap_or("").trim()
            ),
            timestamp: event_last_seen(event),
            strength,
        }
    }

    /// Evidence from an object's status or spec.
    pub fn evidence(
        source: EvidenceSource,
        object: &ObjectRef,
        excerpt: impl Into<String>,
        strength: Strength,
    ) -> Evidence {
        Evidence {
            id: String::new(),
            source,
            object: object.clone(),
            excerpt: excerpt.into(),
            timestamp: None,
            strength,
        }
    }
}

fn needs_analysis(pod: &Pod, now: jiff::Timestamp) -> bool {
    if !pod_is_healthy(pod) {
        return true;
    }
    let statuses = pod
        .status
        .as_ref()
        .and_then(|s| s.container_statuses.as_ref());
    statuses.into_iter().flatten().any(|cs| {
        let finished = cs
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .and_then(|t| t.finished_at.as_ref())
            .map(|t| t.0);
        cs.restart_count > 0 && finished.is_some_and(|f| now.duration_since(f) < RECENT_RESTART)
    })
}

fn pod_context<'a>(snapshot: &'a Snapshot, pod: &'a Pod) -> PodContext<'a> {
    let namespace = pod.metadata.namespace.as_deref().unwrap_or("");
    let name = pod.metadata.name.as_deref().unwrap_or("");
    let spec = pod.spec.as_ref();
    let status = pod.status.as_ref();
    let mut containers = Vec::new();
    let pairs = [
        (
            true,
            spec.and_then(|s| s.init_containers.as_ref()),
            status.and_then(|s| s.init_container_statuses.as_ref()),
        ),
        (
            false,
            spec.map(|s| &s.containers),
            status.and_then(|s| s.container_statuses.as_ref()),
        ),
    ];
    for (init, specs, statuses) in pairs {
        for c in specs.into_iter().flatten() {
            let st = statuses.into_iter().flatten().find(|s| s.name == c.name);
            containers.push(ContainerView {
                name: &c.name,
                init,
                spec: Some(c),
                status: st,
            });
        }
    }
    let (workload, inferred) = snapshot.workload_inferring(Kind::Pod, &pod.metadata);
    PodContext {
        pod,
        namespace,
        name,
        subject: ObjectRef::from_meta(Kind::Pod, &pod.metadata),
        workload,
        inferred,
        events: snapshot.events_about(Kind::Pod, &pod.metadata),
        containers,
    }
}
