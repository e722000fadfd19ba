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
//! - when it has a pod waiting to be scheduled: what the pods bound to each node request
//!   (`Snapshot::with_node_requests`), summed once per pass from what the pods store
//!   keeps beside each pod.
//!
//! The cluster partition holds the cluster-scoped objects, the pods in trouble, their
//! events (evictions are read from them) and the owners that name their workloads.
//!
//! Events about pods that are not in trouble go into no partition, and change none.
//!
//! A change makes dirty its own partition and those holding the object as context. Events
//! about a pod that is not in trouble make nothing dirty: analyzers read a pod's events
//! only while it is in trouble (`tests/watch_incremental.rs` checks this too), and when
//! the pod gets into trouble its own change brings its namespace, events included, back.

use std::collections::{BTreeSet, HashMap, HashSet};

use k8s_openapi::api::core::v1::Pod;

use super::events::{Home, Packed};
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
    /// Partitions where a pod in trouble (now, or at the previous pass) changed: analyzed
    /// first, since that is where new findings come from. A healthy pod that stays
    /// healthy still dirties its namespace (its labels or readiness may matter to a
    /// Service or a rollout), but it does not jump the queue: in a storm every namespace
    /// has such changes, and the pod that just began to crash must not wait behind them.
    pub urgent: BTreeSet<Partition>,
}

impl Dirty {
    pub fn is_empty(&self) -> bool {
        !self.all && self.partitions.is_empty()
    }

    /// Records one change: its own partition, and the partitions that hold the changed
    /// object as context (see the module docs). A change nothing reads makes nothing
    /// dirty: analyzers read a pod's events only while the pod is in trouble.
    pub fn record(&mut self, touch: &Touch, seen: &Seen<'_>) {
        let (Some(ns), false) = (touch.namespace.as_deref(), cluster_level(touch)) else {
            self.all = true;
            return;
        };
        let before = seen.before;
        let mut here = Partition::Namespace(ns.to_string());
        match touch.kind {
            Kind::Pod => {
                if touch
                    .name
                    .as_deref()
                    .is_some_and(|name| seen.troubled(ns, name))
                {
                    self.urgent.insert(here.clone());
                    self.partitions.insert(Partition::Cluster);
                }
                if ns == "kube-system" {
                    self.context_of(&before.troubled);
                }
                if touch.capacity {
                    self.context_of(&before.unscheduled);
                }
            }
            Kind::Event => {
                if let Some(about) = touch.about.as_ref().filter(|a| a.kind == "Pod") {
                    let ns = about.namespace.as_deref().unwrap_or(ns);
                    if !seen.troubled(ns, &about.name) {
                        return;
                    }
                    here = Partition::Namespace(ns.to_string());
                    self.partitions.insert(Partition::Cluster);
                }
            }
            k if routes_traffic(k) => {
                self.context_of(&before.troubled);
            }
            k if names_workloads(k) && before.troubled.contains(ns) => {
                self.partitions.insert(Partition::Cluster);
            }
            _ => {}
        }
        self.partitions.insert(here);
    }

    fn context_of(&mut self, namespaces: &BTreeSet<String>) {
        for ns in namespaces {
            self.partitions.insert(Partition::Namespace(ns.clone()));
        }
    }
}

/// A cluster-scoped object, or an event about one: every partition holds those.
fn cluster_level(touch: &Touch) -> bool {
    let cluster_scoped =
        |kind: &str| Kind::from_kind_field(kind).is_some_and(|k| !k.info().namespaced);
    touch
        .about
        .as_ref()
        .is_some_and(|a| cluster_scoped(&a.kind))
}

/// Services and their endpoints: a namespace with a pod in trouble holds them all as
/// context, since a log may name `db.other-namespace.svc`.
fn routes_traffic(kind: Kind) -> bool {
    matches!(kind, Kind::Service | Kind::EndpointSlice | Kind::Endpoints)
}

/// Owners on the chain from a pod to the workload a human would fix (Pod → ReplicaSet →
/// Deployment, Pod → Job → CronJob): the cluster partition holds those of pods in trouble.
fn names_workloads(kind: Kind) -> bool {
    kind.info().is_workload()
}

/// What a change is judged against: the pods as the previous pass saw them, and as the
/// stores hold them now.
pub struct Seen<'a> {
    pub before: &'a PodFacts,
    pub readers: &'a Readers,
}

impl Seen<'_> {
    /// Whether a pod is in trouble now, or was at the previous pass.
    fn troubled(&self, namespace: &str, name: &str) -> bool {
        self.before.is_troubled(namespace, name)
            || self
                .readers
                .pods
                .glimpse(namespace, name)
                .is_some_and(|g| g.troubled)
    }
}

/// What the routing needs to know about the pods right now.
#[derive(Debug, Default)]
pub struct PodFacts {
    /// Namespaces with a pod in trouble.
    pub troubled: BTreeSet<String>,
    /// Namespaces with a pod waiting for a node.
    pub unscheduled: BTreeSet<String>,
    /// Pods in trouble, for the cluster partition: namespace → names.
    troubled_pods: HashMap<String, HashSet<String>>,
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

impl PodFacts {
    pub fn is_troubled(&self, namespace: &str, name: &str) -> bool {
        self.troubled_pods
            .get(namespace)
            .is_some_and(|names| names.contains(name))
    }

    pub fn read(readers: &Readers) -> PodFacts {
        let mut facts = PodFacts::default();
        readers.pods.each_glimpse(|ns, name, glance, _| {
            if glance.troubled {
                facts.troubled.insert(ns.to_string());
                facts
                    .troubled_pods
                    .entry(ns.to_string())
                    .or_default()
                    .insert(name.to_string());
            }
            if glance.unscheduled {
                facts.unscheduled.insert(ns.to_string());
            }
        });
        facts
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
    /// Whether its analyzers weigh node capacity: its snapshot is given what the pods
    /// bound to each node request (`Snapshot::with_node_requests`).
    pub fn weighs_capacity(&self) -> bool {
        self.capacity
    }

    /// Whether a diagnosis about `subject` is this group's to report.
    pub fn owns(&self, subject: &ObjectRef) -> bool {
        self.partitions.contains(&Partition::of(subject))
    }
}

/// Splits the partitions to analyze into groups, urgent ones first: one group per
/// partition, so a batch holds the objects of a few namespaces at a time.
pub fn groups(
    partitions: &[Partition],
    urgent: &BTreeSet<Partition>,
    facts: &PodFacts,
) -> Vec<Group> {
    let mut ordered: Vec<&Partition> = partitions.iter().collect();
    ordered.sort_by_key(|p| !urgent.contains(*p));
    ordered
        .into_iter()
        .map(|p| match p {
            Partition::Cluster => Group {
                partitions: vec![Partition::Cluster],
                namespaces: BTreeSet::new(),
                cluster: true,
                context: false,
                capacity: false,
            },
            Partition::Namespace(ns) => {
                let capacity = facts.unscheduled.contains(ns);
                Group {
                    partitions: vec![p.clone()],
                    namespaces: BTreeSet::from([ns.clone()]),
                    cluster: false,
                    context: capacity || facts.troubled.contains(ns),
                    capacity,
                }
            }
        })
        .collect()
}

/// Routes objects into the buckets of a batch of groups.
struct Router<'a> {
    groups: &'a [Group],
    facts: &'a PodFacts,
    /// Namespace → the group holding it in full.
    home: HashMap<&'a str, usize>,
    /// The cluster group, when in this batch.
    cluster: Option<usize>,
}

impl<'a> Router<'a> {
    fn new(groups: &'a [Group], facts: &'a PodFacts) -> Self {
        let mut home = HashMap::new();
        for (i, g) in groups.iter().enumerate() {
            for ns in &g.namespaces {
                home.insert(ns.as_str(), i);
            }
        }
        Router {
            groups,
            facts,
            home,
            cluster: groups.iter().position(|g| g.cluster),
        }
    }

    fn cluster_scoped(&self, full: &mut Vec<usize>) {
        full.extend(0..self.groups.len());
    }
}

impl Sort for Router<'_> {
    fn object(&self, kind: Kind, ns: &str, full: &mut Vec<usize>) {
        if !kind.info().namespaced || ns.is_empty() {
            return self.cluster_scoped(full);
        }
        let home = self.home.get(ns).copied();
        full.extend(home);
        if routes_traffic(kind) {
            for (i, g) in self.groups.iter().enumerate() {
                if g.context && Some(i) != home {
                    full.push(i);
                }
            }
        }
        if names_workloads(kind) && self.facts.troubled.contains(ns) {
            full.extend(self.cluster);
        }
    }

    fn pod(&self, ns: &str, name: &str, full: &mut Vec<usize>) {
        let home = self.home.get(ns).copied();
        full.extend(home);
        let troubled = self.facts.is_troubled(ns, name);
        for (i, g) in self.groups.iter().enumerate() {
            if Some(i) == home {
                continue;
            }
            if (g.cluster && troubled) || (g.context && ns == "kube-system") {
                full.push(i);
            }
        }
    }

    fn wants_events(&self, home: &Home) -> bool {
        match home.namespace() {
            None => true,
            Some(ns) => {
                self.home.contains_key(ns)
                    || (self.cluster.is_some() && self.facts.troubled.contains(ns))
            }
        }
    }

    fn event(&self, home: &Home, event: &Packed, full: &mut Vec<usize>) {
        let Some(ns) = home.namespace() else {
            return self.cluster_scoped(full);
        };
        if event.about_kind() == "Pod" {
            // Analyzers read a pod's events only while it is in trouble (see the module
            // docs): the events of the others, most of any cluster's, are not copied.
            if !self.facts.is_troubled(ns, event.about_name()) {
                return;
            }
            full.extend(self.cluster);
        }
        full.extend(self.home.get(ns).copied());
    }
}

/// The objects of each group in `batch`, copied from the stores in one pass.
pub fn copy(readers: &Readers, batch: &[Group], facts: &PodFacts) -> Vec<Objects> {
    let mut buckets: Vec<Objects> = batch.iter().map(|_| Objects::default()).collect();
    readers.copy_into(&Router::new(batch, facts), &mut buckets);
    buckets
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The crash-loop example: `shop/orders-…` pods restart, every other pod runs fine.
    fn stores() -> Readers {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/crash-loop");
        let snapshot = crate::source::bundle::read(std::path::Path::new(path)).expect("reads");
        let (readers, mut writers) = super::super::objects::stores();
        writers.load(snapshot.objects);
        readers
    }

    fn touch(kind: Kind, ns: Option<&str>, name: &str, about: Option<ObjectRef>) -> Touch {
        Touch {
            kind,
            namespace: ns.map(str::to_string),
            name: Some(name.to_string()),
            about,
            capacity: false,
        }
    }

    fn event_about(ns: &str, kind: &str, name: &str) -> Touch {
        let about = ObjectRef::new(kind, (kind != "Node").then_some(ns), name);
        touch(Kind::Event, Some(ns), &format!("{name}.17"), Some(about))
    }

    fn dirty(readers: &Readers, touches: &[Touch]) -> Dirty {
        let before = PodFacts::read(readers);
        let seen = Seen {
            before: &before,
            readers,
        };
        let mut d = Dirty::default();
        for t in touches {
            d.record(t, &seen);
        }
        d
    }

    fn namespaces(names: &[&str]) -> BTreeSet<Partition> {
        names
            .iter()
            .map(|n| match *n {
                "(cluster)" => Partition::Cluster,
                n => Partition::Namespace(n.to_string()),
            })
            .collect()
    }

    #[test]
    fn events_about_pods_running_fine_make_nothing_dirty() {
        let r = stores();
        let d = dirty(&r, &[event_about("shop", "Pod", "cart-n8mrdb6q9j-4s8h4")]);
        assert!(d.is_empty(), "{d:?}");
    }

    #[test]
    fn an_event_about_a_pod_in_trouble_dirties_its_namespace_and_the_cluster() {
        let r = stores();
        let d = dirty(&r, &[event_about("shop", "Pod", "orders-9hp9g6842b-2nzkj")]);
        assert_eq!(d.partitions, namespaces(&["shop", "(cluster)"]));
        assert!(!d.all);
    }

    #[test]
    fn a_pod_change_dirties_its_namespace_first_and_the_cluster_only_for_trouble() {
        let r = stores();
        let fine = dirty(&r, &[touch(Kind::Pod, Some("shop"), "redis-0", None)]);
        assert_eq!(fine.partitions, namespaces(&["shop"]));
        assert!(fine.urgent.is_empty(), "{fine:?}");
        let crashing = touch(Kind::Pod, Some("shop"), "orders-9hp9g6842b-g6k84", None);
        let crashing = dirty(&r, &[crashing]);
        assert_eq!(crashing.partitions, namespaces(&["shop", "(cluster)"]));
        assert_eq!(crashing.urgent, namespaces(&["shop"]));
    }

    #[test]
    fn kube_system_pods_are_context_of_every_namespace_in_trouble() {
        let r = stores();
        let dns = touch(
            Kind::Pod,
            Some("kube-system"),
            "coredns-lkcd4gr5px-d877v",
            None,
        );
        assert_eq!(
            dirty(&r, &[dns]).partitions,
            namespaces(&["kube-system", "shop"])
        );
    }

    #[test]
    fn nodes_and_events_about_them_concern_every_partition() {
        let r = stores();
        let node = touch(Kind::Node, None, "worker-1", None);
        assert!(dirty(&r, &[node]).all);
        assert!(dirty(&r, &[event_about("default", "Node", "worker-1")]).all);
    }
}
