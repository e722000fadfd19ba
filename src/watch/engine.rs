//! The watch engine: collects changes from the stores' writers, waits a debounce window,
//! and re-runs the analyzers over the dirty partitions only, off the async threads. Each
//! batch of partitions analyzed sends a fresh, ranked list of diagnoses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::objects::{Readers, Touch};
use super::partition::{self, Dirty, Partition, PodFacts, Seen};
use crate::analyze::graph::Graph;
use crate::model::ci::CiRuns;
use crate::model::{LogKey, NodeRequests, Scope, Snapshot, SnapshotMeta};
use crate::rca::Diagnosis;

/// "What time is it": the wall clock live, the bundle's capture time with `--from`, the
/// replay position with `--replay`. Analyzers judge "recent" against it.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// Container logs the analyzers may read, shared with whoever fetches them.
pub type Logs = Arc<Mutex<BTreeMap<LogKey, String>>>;

/// Groups analyzed per copy pass: bounds the memory a pass holds at once (each group's
/// objects are deep copies of the stores'), against one walk of the stores per batch.
const BATCH: usize = 4;

/// Where the cluster is and what is in scope; stamped on every sub-snapshot.
#[derive(Debug, Clone, Default)]
pub struct Origin {
    pub context: Option<String>,
    pub server: Option<String>,
    pub server_version: Option<String>,
    pub scope: Scope,
    /// The CI runs a bundle was captured with (`ci/runs.json`): the CI correlation reads
    /// them in every partition, as `diagnose --from` does.
    pub ci: Option<Arc<CiRuns>>,
}

/// How one pass went, for the bench and the status line.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PassStats {
    pub partitions: usize,
    pub groups: usize,
    pub elapsed: Duration,
    /// Touches folded into this pass.
    pub touches: usize,
}

/// What a pass leaves for the next one: the touches that arrived while it ran, and the
/// partitions it did not reach when it stopped early.
#[derive(Debug, Default)]
struct Carry {
    dirty: Dirty,
    touches: usize,
    /// When the first of those touches arrived: the debounce window counts from there,
    /// so a touch that waited through the end of a pass does not wait a whole window more.
    since: Option<Instant>,
}

/// What the engine sends after each batch.
#[derive(Debug, Clone)]
pub struct Update {
    /// Every current diagnosis, most severe first.
    pub diagnoses: Arc<Vec<Diagnosis>>,
    pub at: jiff::Timestamp,
    /// Whether the pass this batch belongs to is complete.
    pub complete: bool,
    pub stats: PassStats,
}

pub struct Engine {
    readers: Readers,
    logs: Logs,
    clock: Clock,
    origin: Origin,
    debounce: Duration,
    /// Each partition's diagnoses before root causes are propagated across partitions.
    results: BTreeMap<Partition, Vec<Diagnosis>>,
    /// The object graph of the group each partition was last analyzed in: merged, they let
    /// a dependent in one namespace be listed under its cause in another (cluster DNS).
    graphs: BTreeMap<Partition, Arc<Graph>>,
    /// The pods as the last pass saw them.
    facts: PodFacts,
    pass_done: Option<Arc<tokio::sync::Notify>>,
}

impl Engine {
    pub fn new(
        readers: Readers,
        logs: Logs,
        clock: Clock,
        origin: Origin,
        debounce: Duration,
    ) -> Self {
        Engine {
            readers,
            logs,
            clock,
            origin,
            debounce,
            results: BTreeMap::new(),
            graphs: BTreeMap::new(),
            facts: PodFacts::default(),
            pass_done: None,
        }
    }

    /// Signals `notify` after every pass (the live log fetcher waits on it).
    pub fn with_pass_signal(mut self, notify: Arc<tokio::sync::Notify>) -> Self {
        self.pass_done = Some(notify);
        self
    }

    /// Runs until `touches` closes or `out` has no receiver.
    pub async fn run(mut self, mut touches: mpsc::Receiver<Touch>, out: mpsc::Sender<Update>) {
        let mut carry = Carry::default();
        loop {
            let mut dirty = std::mem::take(&mut carry.dirty);
            let mut count = std::mem::take(&mut carry.touches);
            let mut since = carry.since.take().map(tokio::time::Instant::from_std);
            // A change nothing reads starts no debounce window.
            while dirty.is_empty() {
                let Some(t) = touches.recv().await else {
                    return;
                };
                self.record(&mut dirty, &t);
                count += 1;
                since = None;
            }
            let deadline = since.unwrap_or_else(tokio::time::Instant::now) + self.debounce;
            loop {
                tokio::select! {
                    t = touches.recv() => match t {
                        Some(t) => { self.record(&mut dirty, &t); count += 1; }
                        None => break,
                    },
                    _ = tokio::time::sleep_until(deadline) => break,
                }
            }
            // The analysis is CPU work: keep it off the threads that serve the UI and I/O.
            // The touches go along, so that the pass can see a pod fall into trouble while
            // it works through the rest of a storm.
            let (tx, mut rx) = mpsc::unbounded_channel();
            let handle = tokio::task::spawn_blocking(move || {
                let carry = self.pass_until(&dirty, count, Some(&mut touches), &mut |u| {
                    let _ = tx.send(u);
                });
                (self, touches, carry)
            });
            while let Some(update) = rx.recv().await {
                if out.send(update).await.is_err() {
                    return;
                }
            }
            match handle.await {
                Ok((engine, rx, left)) => (self, touches, carry) = (engine, rx, left),
                Err(_) => return,
            }
        }
    }

    fn record(&self, dirty: &mut Dirty, touch: &Touch) {
        let seen = Seen {
            before: &self.facts,
            readers: &self.readers,
        };
        dirty.record(touch, &seen);
    }

    /// Re-analyzes the dirty partitions; calls `emit` after each batch.
    pub fn pass(&mut self, dirty: &Dirty, touches: usize, emit: &mut dyn FnMut(Update)) {
        self.pass_until(dirty, touches, None, emit);
    }

    /// [`Engine::pass`], reading `incoming` between batches: the touches that arrive go
    /// into the returned [`Carry`], and when one of them is urgent the pass stops there,
    /// leaving the partitions it has not reached in the carry too. The next pass starts
    /// with the urgent ones, so a new finding never waits for a whole storm's pass.
    fn pass_until(
        &mut self,
        dirty: &Dirty,
        touches: usize,
        mut incoming: Option<&mut mpsc::Receiver<Touch>>,
        emit: &mut dyn FnMut(Update),
    ) -> Carry {
        let mut carry = Carry::default();
        let started = Instant::now();
        let facts = PodFacts::read(&self.readers);
        let mut partitions: BTreeSet<Partition> = if dirty.all {
            let mut all: BTreeSet<Partition> = self
                .readers
                .namespaces()
                .into_iter()
                .map(Partition::Namespace)
                .collect();
            all.insert(Partition::Cluster);
            all.extend(self.results.keys().cloned());
            all
        } else {
            dirty.partitions.clone()
        };
        // Partitions that were troubled and are not any more must be re-read once more.
        partitions.extend(
            self.facts
                .troubled
                .difference(&facts.troubled)
                .map(|ns| Partition::Namespace(ns.clone())),
        );
        let partitions: Vec<Partition> = partitions.into_iter().collect();
        let groups = partition::groups(&partitions, &dirty.urgent, &facts);
        let now = (self.clock)();
        let mut stats = PassStats {
            partitions: partitions.len(),
            groups: groups.len(),
            elapsed: Duration::ZERO,
            touches,
        };
        // The urgent groups (a pod in trouble changed) form the first batch on their own,
        // so their findings go out before the rest of the pass is analyzed.
        let urgent = groups
            .iter()
            .take_while(|g| g.partitions.iter().any(|p| dirty.urgent.contains(p)))
            .count()
            .min(BATCH);
        let (first, rest) = groups.split_at(urgent);
        let batches: Vec<&[partition::Group]> = std::iter::once(first)
            .filter(|b| !b.is_empty())
            .chain(rest.chunks(BATCH))
            .collect();
        let last = batches.len().saturating_sub(1);
        // Summed once per pass, for the groups that weigh node capacity.
        let mut node_requests = None;
        for (i, batch) in batches.iter().enumerate() {
            let buckets = partition::copy(&self.readers, batch, &facts);
            for (group, objects) in batch.iter().zip(buckets) {
                let requests = group.weighs_capacity().then(|| {
                    node_requests
                        .get_or_insert_with(|| Arc::new(self.readers.pods.node_requests()))
                        .clone()
                });
                let snapshot = snapshot(&self.origin, &self.logs, group, objects, requests, now);
                let (items, graph) = crate::rca::diagnose_unpropagated(&snapshot);
                let graph = Arc::new(graph);
                for p in &group.partitions {
                    self.results.insert(p.clone(), Vec::new());
                    self.graphs.insert(p.clone(), graph.clone());
                }
                for d in items.into_iter().filter(|d| group.owns(&d.subject)) {
                    self.results
                        .entry(Partition::of(&d.subject))
                        .or_default()
                        .push(d);
                }
            }
            self.results.retain(|_, v| !v.is_empty());
            stats.elapsed = started.elapsed();
            let stop = i != last
                && incoming.as_deref_mut().is_some_and(|rx| {
                    while let Ok(t) = rx.try_recv() {
                        self.record(&mut carry.dirty, &t);
                        carry.touches += 1;
                        carry.since.get_or_insert_with(Instant::now);
                    }
                    !carry.dirty.urgent.is_empty()
                });
            emit(Update {
                diagnoses: Arc::new(self.ranked()),
                at: now,
                complete: i == last,
                stats: stats.clone(),
            });
            if stop {
                for p in batches[i + 1..]
                    .iter()
                    .flat_map(|b| b.iter())
                    .flat_map(|g| &g.partitions)
                {
                    if dirty.urgent.contains(p) {
                        carry.dirty.urgent.insert(p.clone());
                    }
                    carry.dirty.partitions.insert(p.clone());
                }
                break;
            }
        }
        if groups.is_empty() {
            emit(Update {
                diagnoses: Arc::new(self.ranked()),
                at: now,
                complete: true,
                stats,
            });
        }
        self.facts = facts;
        release_freed_memory();
        if let Some(n) = &self.pass_done {
            n.notify_one();
        }
        carry
    }

    /// Every partition's diagnoses, ranked as `diagnose` ranks them.
    fn ranked(&self) -> Vec<Diagnosis> {
        let mut all: Vec<Diagnosis> = self.results.values().flatten().cloned().collect();
        crate::rca::rank(&mut all);
        let mut graph = Graph::default();
        let mut seen: Vec<&Arc<Graph>> = Vec::new();
        for g in self.graphs.values() {
            // A group's graph is shared by its partitions: merge it once.
            if !seen.iter().any(|s| Arc::ptr_eq(s, g)) {
                graph.merge(g);
                seen.push(g);
            }
        }
        crate::rca::propagate(&graph, &mut all);
        all
    }
}

/// Hands the memory the pass freed back to the system. A pass deep-copies partitions on a
/// blocking-pool thread, and glibc keeps what such a thread frees in that thread's arena:
/// over a storm, passes on different threads would each keep a pass's worth of copies
/// resident (the watcher grew by hundreds of megabytes without holding more objects).
fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only returns free heap pages to the kernel; it is thread-safe and
    // touches no memory that is in use.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// The snapshot one group of partitions is analyzed from: its objects, the logs of its
/// namespaces, and the origin (and CI runs) stamped on it.
pub fn snapshot(
    origin: &Origin,
    logs: &Logs,
    group: &partition::Group,
    objects: crate::model::Objects,
    node_requests: Option<Arc<NodeRequests>>,
    now: jiff::Timestamp,
) -> Snapshot {
    let mut meta = SnapshotMeta::new(now);
    meta.context = origin.context.clone();
    meta.server = origin.server.clone();
    meta.server_version = origin.server_version.clone();
    meta.scope = origin.scope.clone();
    let namespaces: BTreeSet<&str> = group
        .partitions
        .iter()
        .filter_map(|p| match p {
            Partition::Namespace(ns) => Some(ns.as_str()),
            Partition::Cluster => None,
        })
        .collect();
    let logs = match logs.lock() {
        Ok(all) => all
            .iter()
            .filter(|(k, _)| namespaces.contains(k.namespace.as_str()))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect(),
        Err(_) => BTreeMap::new(),
    };
    let mut snapshot = Snapshot::new(meta, objects, logs, Vec::new());
    if let Some(requests) = node_requests {
        snapshot = snapshot.with_node_requests(requests);
    }
    match &origin.ci {
        Some(ci) => snapshot.with_ci(CiRuns::clone(ci)),
        None => snapshot,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Kind;

    /// The crash-loop example (`shop/orders-…` restarts), as the stores hold it.
    fn engine() -> Engine {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/crash-loop");
        let snapshot = crate::source::bundle::read(std::path::Path::new(path)).expect("reads");
        let (readers, mut writers) = super::super::objects::stores();
        writers.load(snapshot.objects.clone());
        let captured = snapshot.meta.captured_at;
        let mut engine = Engine::new(
            readers,
            Arc::new(Mutex::new(snapshot.logs)),
            Arc::new(move || captured),
            Origin::default(),
            Duration::ZERO,
        );
        engine.pass(&Dirty::default(), 0, &mut |_| {});
        engine
    }

    #[test]
    fn a_pod_falling_into_trouble_mid_pass_stops_the_pass_and_goes_first_in_the_next() {
        let mut engine = engine();
        // A storm's pass: many quiet namespaces, `shop` among the last.
        let mut dirty = Dirty::default();
        for ns in ["a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "shop"] {
            dirty.partitions.insert(Partition::Namespace(ns.into()));
        }
        let (tx, mut rx) = mpsc::channel(8);
        let crashing = Touch {
            kind: Kind::Pod,
            namespace: Some("shop".into()),
            name: Some("orders-9hp9g6842b-g6k84".into()),
            about: None,
            capacity: false,
        };
        tx.try_send(crashing).expect("queued");
        let mut updates = Vec::new();
        let carry = engine.pass_until(&dirty, 9, Some(&mut rx), &mut |u| updates.push(u));
        assert_eq!(updates.len(), 1, "the pass stops after its first batch");
        assert!(!updates[0].complete);
        let shop = Partition::Namespace("shop".into());
        assert_eq!(carry.dirty.urgent, BTreeSet::from([shop.clone()]));
        for ns in ["a5", "a6", "a7", "a8", "shop"] {
            assert!(
                carry
                    .dirty
                    .partitions
                    .contains(&Partition::Namespace(ns.into())),
                "{ns} is carried: {:?}",
                carry.dirty.partitions
            );
        }
        assert_eq!(carry.touches, 1);
        assert!(carry.since.is_some());

        let mut first = None;
        engine.pass_until(&carry.dirty, carry.touches, None, &mut |u| {
            first.get_or_insert(u);
        });
        let first = first.expect("an update");
        assert!(
            first
                .diagnoses
                .iter()
                .any(|d| d.subject.namespace.as_deref() == Some("shop")),
            "the first batch of the next pass is shop's: {:?}",
            first.stats
        );
    }
}
