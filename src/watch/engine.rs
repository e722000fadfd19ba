//! The watch engine: collects changes from the stores' writers, waits a debounce window,
//! and re-runs the analyzers over the dirty partitions only, off the async threads. Each
//! batch of partitions analyzed sends a fresh, ranked list of diagnoses.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;

use super::objects::{Readers, Touch};
use super::partition::{self, Dirty, Partition, PodFacts, Seen};
use crate::ci::CiRuns;
use crate::model::{LogKey, Scope, Snapshot, SnapshotMeta};
use crate::rca::Diagnosis;

/// "What time is it": the wall clock live, the bundle's capture time with `--from`, the
/// replay position with `--replay`. Analyzers judge "recent" against it.
pub type Clock = Arc<dyn Fn() -> jiff::Timestamp + Send + Sync>;

/// Container logs the analyzers may read, shared with whoever fetches them.
pub type Logs = Arc<Mutex<BTreeMap<LogKey, String>>>;

/// Groups analyzed per copy pass: bounds the memory a pass holds at once.
const BATCH: usize = 8;

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
    results: BTreeMap<Partition, Vec<Diagnosis>>,
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
        while let Some(first) = touches.recv().await {
            let mut dirty = Dirty::default();
            self.record(&mut dirty, &first);
            // A change nothing reads starts no debounce window.
            if dirty.is_empty() {
                continue;
            }
            let mut count = 1;
            let deadline = tokio::time::Instant::now() + self.debounce;
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
            let (tx, mut rx) = mpsc::unbounded_channel();
            let handle = tokio::task::spawn_blocking(move || {
                self.pass(&dirty, count, &mut |u| {
                    let _ = tx.send(u);
                });
                self
            });
            while let Some(update) = rx.recv().await {
                if out.send(update).await.is_err() {
                    return;
                }
            }
            match handle.await {
                Ok(engine) => self = engine,
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
        let batches: Vec<&[partition::Group]> = groups.chunks(BATCH).collect();
        let last = batches.len().saturating_sub(1);
        for (i, batch) in batches.into_iter().enumerate() {
            let buckets = partition::copy(&self.readers, batch, &facts);
            for (group, objects) in batch.iter().zip(buckets) {
                let snapshot = snapshot(&self.origin, &self.logs, group, objects, now);
                let findings = crate::analyze::run_all(&snapshot);
                let items = crate::rca::diagnose(&snapshot, findings);
                for p in &group.partitions {
                    self.results.insert(p.clone(), Vec::new());
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
            emit(Update {
                diagnoses: Arc::new(self.ranked()),
                at: now,
                complete: i == last,
                stats: stats.clone(),
            });
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
        if let Some(n) = &self.pass_done {
            n.notify_one();
        }
    }

    /// Every partition's diagnoses, ranked as `diagnose` ranks them.
    fn ranked(&self) -> Vec<Diagnosis> {
        let mut all: Vec<Diagnosis> = self.results.values().flatten().cloned().collect();
        crate::rca::rank(&mut all);
        all
    }
}

/// The snapshot one group of partitions is analyzed from: its objects, the logs of its
/// namespaces, and the origin (and CI runs) stamped on it.
pub fn snapshot(
    origin: &Origin,
    logs: &Logs,
    group: &partition::Group,
    objects: crate::model::Objects,
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
    let snapshot = Snapshot::new(meta, objects, logs, Vec::new());
    match &origin.ci {
        Some(ci) => snapshot.with_ci(CiRuns::clone(ci)),
        None => snapshot,
    }
}
