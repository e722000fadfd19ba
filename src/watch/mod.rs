//! `k8sops watch`: the live engine behind the dashboard and the headless watcher.
//!
//! Data flows as the analyzers expect it, only incrementally: a feed (`live` watchers, or a
//! bundle through `replay`) writes into per-kind reflector stores (`objects`; Events packed
//! in `events`) and reports what it touched; the `engine` debounces those touches, re-runs
//! the analyzers over the dirty `partition`s only, and sends ranked diagnoses. `track`
//! turns successive results into new and resolved findings, `headless` prints them, and
//! `assist` holds the seams to the LLM and fix engines.

pub mod assist;
pub mod config;
pub mod engine;
pub mod events;
pub mod headless;
pub mod live;
pub mod objects;
pub mod pack;
pub mod packed;
pub mod partition;
pub mod pods;
pub mod policy;
pub mod replay;
pub mod track;
pub mod work;

use std::collections::BTreeSet;
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::{Notify, mpsc, watch};
use tokio::task::JoinHandle;

use crate::error::Result;
use crate::model::{ObjectRef, Snapshot};
use crate::source::live::{LiveOptions, connect, scope_of};

pub use config::WatchConfig;
pub use engine::{Clock, Logs, Origin, Update};
pub use objects::Readers;

/// Where a session's objects come from.
pub enum Input {
    Live(LiveOptions),
    /// A bundle shown as it is (`--from`), or played (`--replay`, at this speed).
    Bundle {
        snapshot: Box<Snapshot>,
        replay: Option<replay::Speed>,
        /// Keep the session open after the bundle is loaded (the dashboard does).
        hold: bool,
    },
}

/// What a dashboard asks to watch instead (`:ctx NAME`; `:ns NAME` on a watch of one
/// namespace).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Switch {
    Context(String),
    /// One namespace, or `None` for all of them.
    Namespace(Option<String>),
}

impl Switch {
    /// Changes the options a live session was started with. A new context keeps the
    /// namespace flags: without `-n` the context's own default namespace applies.
    pub fn apply(&self, opts: &mut LiveOptions) {
        match self {
            Switch::Context(c) => opts.context = Some(c.clone()),
            Switch::Namespace(Some(ns)) => {
                opts.namespace = Some(ns.clone());
                opts.all_namespaces = false;
            }
            Switch::Namespace(None) => opts.all_namespaces = true,
        }
    }

    /// `context prod`, `namespace shop`, `all namespaces`.
    pub fn describe(&self) -> String {
        match self {
            Switch::Context(c) => format!("context {c}"),
            Switch::Namespace(Some(ns)) => format!("namespace {ns}"),
            Switch::Namespace(None) => "all namespaces".into(),
        }
    }
}

/// A running engine and what the views need of it. Dropping it stops every task.
pub struct Session {
    pub readers: Readers,
    pub updates: mpsc::Receiver<Update>,
    pub status: live::Status,
    pub origin: Origin,
    pub logs: Logs,
    pub clock: Clock,
    /// The live client, for logs, describe and YAML on demand.
    pub client: Option<kube::Client>,
    /// Replay controls.
    pub speed: Option<watch::Sender<replay::Speed>>,
    /// Ends when the feed has nothing more to give (a bundle loaded or played to the end);
    /// never for a live cluster.
    pub feed: Option<JoinHandle<()>>,
    /// The options of a live session, for [`Session::switched`].
    live: Option<LiveOptions>,
    debounce: Duration,
    tasks: Vec<JoinHandle<()>>,
}

/// Cuts the stores into the snapshot the analyzers read for one subject (the group of
/// partitions it is analyzed in): what the LLM is given to explain a diagnosis. Cheap to
/// clone.
#[derive(Clone)]
pub struct Slices {
    readers: Readers,
    logs: Logs,
    origin: Origin,
    clock: Clock,
}

impl Slices {
    pub fn snapshot(&self, subject: &ObjectRef) -> Snapshot {
        let facts = partition::PodFacts::read(&self.readers);
        let wanted = partition::Partition::of(subject);
        let group = partition::groups(std::slice::from_ref(&wanted), &BTreeSet::new(), &facts)
            .into_iter()
            .find(|g| g.partitions.contains(&wanted));
        let Some(group) = group else {
            return Snapshot::new(
                crate::model::SnapshotMeta::new((self.clock)()),
                Default::default(),
                Default::default(),
                Vec::new(),
            );
        };
        let objects = partition::copy(&self.readers, std::slice::from_ref(&group), &facts)
            .pop()
            .unwrap_or_default();
        let requests = group
            .weighs_capacity()
            .then(|| Arc::new(self.readers.pods.node_requests()));
        engine::snapshot(
            &self.origin,
            &self.logs,
            &group,
            objects,
            requests,
            (self.clock)(),
        )
    }
}

impl Session {
    pub fn slices(&self) -> Slices {
        Slices {
            readers: self.readers.clone(),
            logs: self.logs.clone(),
            origin: self.origin.clone(),
            clock: self.clock.clone(),
        }
    }

    /// A session on what `switch` names, started from this one's options; `None` for a
    /// bundle, which has nothing else to watch. This session runs on until it is dropped,
    /// so a switch that fails leaves the dashboard where it was.
    pub fn switched(
        &self,
        switch: &Switch,
    ) -> Option<impl Future<Output = Result<Session>> + Send + 'static> {
        let mut opts = self.live.clone()?;
        switch.apply(&mut opts);
        Some(start(Input::Live(opts), self.debounce))
    }
}

impl Drop for Session {
    fn drop(&mut self) {
        for t in self.tasks.drain(..).chain(self.feed.take()) {
            t.abort();
        }
    }
}

/// Starts the feed and the engine.
pub async fn start(input: Input, debounce: Duration) -> Result<Session> {
    let (readers, writers) = objects::stores();
    let (touch_tx, touch_rx) = mpsc::channel(16 * 1024);
    let (update_tx, updates) = mpsc::channel(64);
    let status: live::Status = Arc::default();
    let logs: Logs = Arc::default();
    let pass_done = Arc::new(Notify::new());
    let mut tasks = Vec::new();
    let mut speed_tx = None;
    let mut client = None;
    let live = match &input {
        Input::Live(opts) => Some(opts.clone()),
        Input::Bundle { .. } => None,
    };
    let (origin, clock, feed): (Origin, Clock, Option<JoinHandle<()>>) = match input {
        Input::Live(opts) => {
            let conn = connect(&opts).await?;
            let scope = scope_of(&opts, &conn.default_namespace);
            let version = tokio::time::timeout(opts.timeout, conn.client.apiserver_version())
                .await
                .ok()
                .and_then(|r| r.ok())
                .map(|v| v.git_version);
            let feed = live::Feed {
                client: conn.client.clone(),
                scope: scope.clone(),
                touches: touch_tx.clone(),
                status: status.clone(),
            };
            tasks.extend(writers.spawn(&feed));
            let fetcher = live::LogFetcher {
                client: conn.client.clone(),
                readers: readers.clone(),
                logs: logs.clone(),
                touches: touch_tx.clone(),
                pass_done: pass_done.clone(),
                tail: opts.tail,
                log_bytes: opts.log_bytes,
            };
            tasks.push(tokio::spawn(fetcher.run()));
            client = Some(conn.client.clone());
            let origin = Origin {
                context: Some(conn.context.clone()),
                server: Some(conn.server.clone()),
                server_version: version,
                scope,
                ci: None,
            };
            (origin, Arc::new(jiff::Timestamp::now), None)
        }
        Input::Bundle {
            snapshot,
            replay,
            hold,
        } => {
            let meta = snapshot.meta.clone();
            if let Ok(mut l) = logs.lock() {
                *l = snapshot.logs.clone();
            }
            let origin = Origin {
                context: meta.context.clone(),
                server: meta.server.clone(),
                server_version: meta.server_version.clone(),
                scope: meta.scope.clone(),
                ci: snapshot.ci.clone().map(Arc::new),
            };
            match replay {
                None => {
                    let captured = meta.captured_at;
                    let clock: Clock = Arc::new(move || captured);
                    let task =
                        tokio::spawn(replay::load(writers, *snapshot, touch_tx.clone(), hold));
                    (origin, clock, Some(task))
                }
                Some(speed) => {
                    let position: replay::Position = Arc::new(Mutex::new(meta.captured_at));
                    let (tx, rx) = watch::channel(speed);
                    speed_tx = Some(tx);
                    let p = position.clone();
                    let clock: Clock =
                        Arc::new(move || p.lock().map(|t| *t).unwrap_or(meta.captured_at));
                    let task = tokio::spawn(replay::play(
                        writers,
                        *snapshot,
                        touch_tx.clone(),
                        position,
                        rx,
                    ));
                    (origin, clock, Some(task))
                }
            }
        }
    };
    drop(touch_tx);
    let engine = engine::Engine::new(
        readers.clone(),
        logs.clone(),
        clock.clone(),
        origin.clone(),
        debounce,
    )
    .with_pass_signal(pass_done);
    tasks.push(tokio::spawn(engine.run(touch_rx, update_tx)));
    Ok(Session {
        readers,
        updates,
        status,
        origin,
        logs,
        clock,
        client,
        speed: speed_tx,
        feed,
        live,
        debounce,
        tasks,
    })
}
