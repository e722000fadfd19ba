//! Partitions: what the analyzers re-run over when objects change, instead of the whole
//! cluster. A partition is one namespace (its diagnoses are those whose subject lives
//! there) or the cluster (diagnoses about Nodes and other cluster-scoped subjects).
//!
//! A partition's sub-snapshot holds its own objects plus the context analyzers read across
//! namespaces, so its diagnoses equal those of a full run (`tests/watch_incremental.rs`
//! checks this on every example):
//! - always: cluster-scoped objects (Nodes, PVs, StorageClasses, Namespaces) and events
//!   about them;
//! - when the namespace has a pod in trouble (not healthy, or restarted): the pods of
//!   `kube-system` (DNS health) and every Service, EndpointSlice and Endpoints (a log may
//!   name `db.other-namespace.svc`);
//! - when it has a pod waiting to be scheduled: every pod bound to a node, reduced to what
//!   node capacity needs ([`capacity_stub`]). Such namespaces are analyzed together, so the
//!   stubs are built once per pass.
//!
//! The cluster partition holds the cluster-scoped objects, the pods in trouble, their
//! events (evictions are read from them) and the owners that name their workloads.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use k8s_openapi::api::core::v1::{
    Container, ContainerState, ContainerStateRunning, ContainerStatus, Event, Pod, PodSpec,
    PodStatus, ResourceRequirements,
};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use super::objects::{Readers, Sort, Touch};
use crate::model::{Kind, ObjectRef, Objects, pod_is_healthy};

/// The unit of re-analysis.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Partition {
    Cluster,
    Namespace(String),
}

impl Partition {
    /// The partition a diagnosis about `subject` belongs to.
    pub fn of(subject: &ObjectRef) -> Partition {
        match subject.namespace.as_deref() {
            Some(ns) if !ns.is_empty() => Partition::Namespace(ns.to_string()),
            _ => Partition::Cluster,
        }
    }
}

/// What needs re-analysis.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Dirty {
    /// Everything (a relist, or a change to context every partition holds).
    pub all: bool,
    pub partitions: BTreeSet<Partition>,
    /// Partitions touched by a pod change: analyzed first, since that is where new
    /// findings come from.
    pub urgent: BTreeSet<Partition>,
}

impl Dirty {
    pub fn is_empty(&self) -> bool {
        !self.all && self.partitions.is_empty()
    }

    /// Records one change. Changes to objects that are context for troubled namespaces
    /// (pods, Services, EndpointSlices, Endpoints) make those namespaces dirty too;
    /// `troubled` is the engine's view of them from the previous pass.
    pub fn record(&mut self, touch: &Touch, troubled: &BTreeSet<String>) {
        let cluster_level = |kind: Option<&str>| {
            kind.and_then(Kind::from_kind_field)
                .is_some_and(|k| !k.info().namespaced)
        };
        if touch.relisted || touch.namespace.is_none() || cluster_level(touch.about.as_deref()) {
            self.all = true;
            return;
        }
        let ns = touch.namespace.clone().unwrap_or_default();
        let here = Partition::Namespace(ns);
        match touch.kind {
            Kind::Pod => {
                self.urgent.insert(here.clone());
                self.partitions.insert(Partition::Cluster);
                self.context_of_troubled(troubled);
            }
            Kind::Event => {
                self.partitions.insert(Partition::Cluster);
            }
            Kind::Service | Kind::EndpointSlice | Kind::Endpoints => {
                self.context_of_troubled(troubled);
            }
            _ => {}
        }
        self.partitions.insert(here);
    }

    fn context_of_troubled(&mut self, troubled: &BTreeSet<String>) {
        for ns in troubled {
            self.partitions.insert(Partition::Namespace(ns.clone()));
        }
    }
}

/// What the routing needs to know about the pods right now.
#[derive(Debug, Default)]
pub struct PodFacts {
    /// Namespaces with a pod in trouble.
    pub troubled: BTreeSet<String>,
    /// Namespaces with a pod waiting for a node.
    pub unscheduled: BTreeSet<String>,
    /// Pods in trouble, for the cluster partition (namespace, name).
    pub troubled_pods: HashSet<(String, String)>,
}

/// A pod that analyzers look at: not healthy, or restarted (a superset of what
/// `analyze::Context` selects, so the context given is never too small).
pub fn in_trouble(pod: &Pod) -> bool {
    !pod_is_healthy(pod)
        || pod
            .status
            .as_ref()
            .and_then(|s| s.container_statuses.as_ref())
            .is_some_and(|cs| cs.iter().any(|c| c.restart_count > 0))
}

fn unscheduled(pod: &Pod) -> bool {
    let phase = pod.status.as_ref().and_then(|s| s.phase.as_deref());
    phase == Some("Pending")
        && pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_ref())
            .is_none()
}

impl PodFacts {
    pub fn read(readers: &Readers) -> PodFacts {
        let mut facts = PodFacts::default();
        for p in readers.pods() {
            let pod = &p.0;
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            if in_trouble(pod) {
                facts.troubled.insert(ns.clone());
                facts
                    .troubled_pods
                    .insert((ns.clone(), pod.metadata.name.clone().unwrap_or_default()));
            }
            if unscheduled(pod) {
                facts.unscheduled.insert(ns);
            }
        }
        facts
    }
}

/// A pod reduced to what node capacity reads (node, phase, container requests), shaped as
/// a healthy pod so analyzers pass over it.
pub fn capacity_stub(pod: &Pod) -> Pod {
    let reduce = |c: &Container| Container {
        name: c.name.clone(),
        resources: c.resources.as_ref().map(|r| ResourceRequirements {
            requests: r.requests.clone(),
            ..ResourceRequirements::default()
        }),
        ..Container::default()
    };
    let spec = pod.spec.as_ref();
    let containers: Vec<Container> = spec
        .map(|s| s.containers.iter().map(reduce).collect())
        .unwrap_or_default();
    let phase = pod.status.as_ref().and_then(|s| s.phase.clone());
    let running = phase.as_deref() == Some("Running");
    let statuses = containers
        .iter()
        .map(|c| ContainerStatus {
            name: c.name.clone(),
            ready: running,
            state: running.then(|| ContainerState {
                running: Some(ContainerStateRunning::default()),
                ..ContainerState::default()
            }),
            ..ContainerStatus::default()
        })
        .collect();
    Pod {
        metadata: ObjectMeta {
            name: pod.metadata.name.clone(),
            namespace: pod.metadata.namespace.clone(),
            uid: pod.metadata.uid.clone(),
            ..ObjectMeta::default()
        },
        spec: Some(PodSpec {
            node_name: spec.and_then(|s| s.node_name.clone()),
            init_containers: spec
                .and_then(|s| s.init_containers.as_ref())
                .map(|cs| cs.iter().map(reduce).collect()),
            containers,
            ..PodSpec::default()
        }),
        status: Some(PodStatus {
            phase,
            container_statuses: Some(statuses),
            ..PodStatus::default()
        }),
    }
}

/// A set of partitions analyzed over one sub-snapshot.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Group {
    pub partitions: Vec<Partition>,
    /// Namespaces whose objects are held in full.
    namespaces: BTreeSet<String>,
    cluster: bool,
    context: bool,
    capacity: bool,
}

impl Group {
    /// Whether a diagnosis about `subject` is this group's to report.
    pub fn owns(&self, subject: &ObjectRef) -> bool {
        self.partitions.contains(&Partition::of(subject))
    }
}

/// Splits the partitions to analyze into groups, urgent ones first: one group per
/// namespace, except that namespaces with pods waiting for a node share one group.
pub fn groups(
    partitions: &[Partition],
    urgent: &BTreeSet<Partition>,
    facts: &PodFacts,
) -> Vec<Group> {
    let mut ordered: Vec<&Partition> = partitions.iter().collect();
    ordered.sort_by_key(|p| !urgent.contains(*p));
    let mut out: Vec<Group> = Vec::new();
    let mut capacity: Option<usize> = None;
    for p in ordered {
        match p {
            Partition::Cluster => out.push(Group {
                partitions: vec![Partition::Cluster],
                namespaces: BTreeSet::new(),
                cluster: true,
                context: false,
                capacity: false,
            }),
            Partition::Namespace(ns) if facts.unscheduled.contains(ns) => {
                let i = *capacity.get_or_insert_with(|| {
                    out.push(Group {
                        partitions: Vec::new(),
                        namespaces: BTreeSet::new(),
                        cluster: false,
                        context: true,
                        capacity: true,
                    });
                    out.len() - 1
                });
                out[i].partitions.push(p.clone());
                out[i].namespaces.insert(ns.clone());
            }
            Partition::Namespace(ns) => out.push(Group {
                partitions: vec![p.clone()],
                namespaces: BTreeSet::from([ns.clone()]),
                cluster: false,
                context: facts.troubled.contains(ns),
                capacity: false,
            }),
        }
    }
    out
}

/// Routes objects into the buckets of a batch of groups.
struct Router<'a> {
    groups: &'a [Group],
    facts: &'a PodFacts,
    /// Namespace → the group holding it in full.
    home: BTreeMap<&'a str, usize>,
}

impl<'a> Router<'a> {
    fn new(groups: &'a [Group], facts: &'a PodFacts) -> Self {
        let mut home = BTreeMap::new();
        for (i, g) in groups.iter().enumerate() {
            for ns in &g.namespaces {
                home.insert(ns.as_str(), i);
            }
        }
        Router {
            groups,
            facts,
            home,
        }
    }

    fn cluster_scoped(&self, full: &mut Vec<usize>) {
        full.extend(0..self.groups.len());
    }
}

impl Sort for Router<'_> {
    fn object(&self, kind: Kind, meta: &ObjectMeta, full: &mut Vec<usize>) {
        let ns = meta.namespace.as_deref().unwrap_or("");
        if !kind.info().namespaced || ns.is_empty() {
            return self.cluster_scoped(full);
        }
        let home = self.home.get(ns).copied();
        full.extend(home);
        if matches!(kind, Kind::Service | Kind::EndpointSlice | Kind::Endpoints) {
            for (i, g) in self.groups.iter().enumerate() {
                if g.context && Some(i) != home {
                    full.push(i);
                }
            }
        }
        // The owner chain names the workload of a pod in trouble (Pod → ReplicaSet →
        // Deployment, Pod → Job → CronJob).
        let owner = matches!(
            kind,
            Kind::ReplicaSet
                | Kind::Deployment
                | Kind::StatefulSet
                | Kind::DaemonSet
                | Kind::Job
                | Kind::CronJob
        );
        if owner && self.facts.troubled.contains(ns) {
            full.extend(self.groups.iter().position(|g| g.cluster));
        }
    }

    fn pod(&self, pod: &Pod, full: &mut Vec<usize>, stub: &mut Vec<usize>) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let home = self.home.get(ns).copied();
        full.extend(home);
        let troubled = self.facts.troubled_pods.contains(&(
            ns.to_string(),
            pod.metadata.name.clone().unwrap_or_default(),
        ));
        let bound = pod
            .spec
            .as_ref()
            .and_then(|s| s.node_name.as_ref())
            .is_some();
        for (i, g) in self.groups.iter().enumerate() {
            if Some(i) == home {
                continue;
            }
            if (g.cluster && troubled) || (g.context && ns == "kube-system") {
                full.push(i);
            } else if g.capacity && bound {
                stub.push(i);
            }
        }
    }

    fn event(&self, event: &Event, full: &mut Vec<usize>) {
        let obj = &event.involved_object;
        let kind = obj.kind.as_deref().and_then(Kind::from_kind_field);
        if kind.is_some_and(|k| !k.info().namespaced) {
            return self.cluster_scoped(full);
        }
        let ns = obj
            .namespace
            .as_deref()
            .or(event.metadata.namespace.as_deref())
            .unwrap_or("");
        full.extend(self.home.get(ns).copied());
        if kind == Some(Kind::Pod)
            && self
                .facts
                .troubled_pods
                .contains(&(ns.to_string(), obj.name.clone().unwrap_or_default()))
        {
            full.extend(self.groups.iter().position(|g| g.cluster));
        }
    }
}

/// The objects of each group in `batch`, copied from the stores in one pass.
pub fn copy(readers: &Readers, batch: &[Group], facts: &PodFacts) -> Vec<Objects> {
    let mut buckets: Vec<Objects> = batch.iter().map(|_| Objects::default()).collect();
    readers.copy_into(&Router::new(batch, facts), &mut buckets);
    buckets
}
