//! The live feed: one `kube::runtime::watcher` per kind into its reflector store, with the
//! watcher's own relist on `410 Gone` and backoff on errors. Each kind's state (syncing,
//! ready, forbidden, failing) is shared for the status line; a kind that fails keeps the
//! objects it had and the others carry on. Logs are fetched in the background for the pods
//! in trouble, and their namespace re-analyzed when they arrive.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Debug;
use std::sync::{Arc, Mutex};

use futures::StreamExt as _;
use kube::Api;
use kube::runtime::{WatchStreamExt as _, watcher};
use tokio::sync::{Notify, mpsc};

use super::engine::Logs;
use super::objects::{Apply, Entry, Readers, Route, Touch};
use crate::model::edge::Edge;
use crate::model::{Kind, LogKey, Scope};
use crate::source::live::{container_log, containers_needing_logs, takes_selector};

/// How the watch of one kind is doing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindState {
    Syncing,
    Ready,
    /// 403: the kind is missing from the analysis.
    Forbidden(String),
    /// Another error; the watcher retries with backoff and relists.
    Failing(String),
}

/// Every watched kind's state.
pub type Status = Arc<Mutex<BTreeMap<Kind, KindState>>>;

/// The warnings a status implies, for the status line and `warnings` (one per kind).
pub fn warnings(status: &Status) -> Vec<String> {
    let Ok(map) = status.lock() else {
        return Vec::new();
    };
    map.iter()
        .filter_map(|(kind, state)| {
            let plural = kind.info().plural;
            match state {
                KindState::Forbidden(m) => Some(format!(
                    "{plural}: forbidden — missing RBAC verbs \"list\"/\"watch\" on \"{plural}\" ({m}); findings lack {plural}"
                )),
                KindState::Failing(m) => Some(format!("{plural}: watch failing, retrying ({m})")),
                _ => None,
            }
        })
        .collect()
}

/// Builds the right `Api` for a kind's scope.
pub trait ScopeApi {
    fn api<K>(client: kube::Client, namespace: Option<&str>) -> Api<K>
    where
        K: kube::Resource<Scope = Self, DynamicType = ()>;
}

impl ScopeApi for k8s_openapi::NamespaceResourceScope {
    fn api<K>(client: kube::Client, namespace: Option<&str>) -> Api<K>
    where
        K: kube::Resource<Scope = Self, DynamicType = ()>,
    {
        match namespace {
            Some(ns) => Api::namespaced(client, ns),
            None => Api::all(client),
        }
    }
}

impl ScopeApi for k8s_openapi::ClusterResourceScope {
    fn api<K>(client: kube::Client, _: Option<&str>) -> Api<K>
    where
        K: kube::Resource<Scope = Self, DynamicType = ()>,
    {
        Api::all(client)
    }
}

/// What every kind's watcher shares.
pub struct Feed {
    pub client: kube::Client,
    pub scope: Scope,
    pub touches: mpsc::Sender<Touch>,
    pub status: Status,
}

impl Feed {
    /// As the snapshot collects.
    fn watched(&self, kind: Kind) -> bool {
        kind.info().listed_for(self.scope.is_all())
    }
}

/// Starts the watcher of one kind (called for every kind by [`super::objects::Writers::spawn`]),
/// feeding `writer`.
pub fn spawn<T, W>(kind: Kind, writer: W, feed: &Feed) -> Option<tokio::task::JoinHandle<()>>
where
    T: Edge + Route + k8s_openapi::Resource + Clone + Debug + Send + Sync + 'static,
    T::Scope: ScopeApi,
    Entry<T>: kube::Resource<Scope = T::Scope, DynamicType = ()>,
    W: Apply<T> + Send + 'static,
{
    if !feed.watched(kind) {
        return None;
    }
    let namespace = feed.scope.namespaces.first().map(String::as_str);
    let api = <T::Scope as ScopeApi>::api::<Entry<T>>(feed.client.clone(), namespace);
    let mut config = watcher::Config::default();
    if let (Some(sel), true) = (&feed.scope.selector, takes_selector(kind)) {
        config = config.labels(sel);
    }
    let touches = feed.touches.clone();
    let status = feed.status.clone();
    set(&status, kind, KindState::Syncing);
    Some(tokio::spawn(watch_kind(
        kind, api, config, writer, touches, status,
    )))
}

/// Records a kind's state; returns whether it changed.
fn set(status: &Status, kind: Kind, state: KindState) -> bool {
    match status.lock() {
        Ok(mut map) => map.insert(kind, state.clone()) != Some(state),
        Err(_) => false,
    }
}

async fn watch_kind<T, W>(
    kind: Kind,
    api: Api<Entry<T>>,
    config: watcher::Config,
    mut writer: W,
    touches: mpsc::Sender<Touch>,
    status: Status,
) where
    T: Route + Clone + Debug + Send + Sync + 'static,
    Entry<T>: kube::Resource<DynamicType = ()> + serde::de::DeserializeOwned,
    W: Apply<T>,
{
    let mut stream = watcher(api, config).default_backoff().boxed();
    while let Some(item) = stream.next().await {
        match item {
            Ok(event) => {
                if matches!(
                    event,
                    watcher::Event::InitDone | watcher::Event::Apply(_) | watcher::Event::Delete(_)
                ) {
                    // The touch of the event itself brings the status change along.
                    set(&status, kind, KindState::Ready);
                }
                if let Some(t) = writer.apply(kind, &event)
                    && touches.send(t).await.is_err()
                {
                    return;
                }
            }
            Err(e) => {
                let state = classify(&e);
                tracing::info!("watch {}: {e}", kind.info().plural);
                // A changed status is worth a pass: the warnings go out with the results.
                // Retries that fail the same way are not (the analysis would not change).
                if set(&status, kind, state) {
                    let _ = touches.try_send(Touch::everywhere(kind));
                }
            }
        }
    }
}

fn classify(e: &watcher::Error) -> KindState {
    let api = match e {
        watcher::Error::InitialListFailed(kube::Error::Api(s))
        | watcher::Error::WatchStartFailed(kube::Error::Api(s))
        | watcher::Error::WatchFailed(kube::Error::Api(s)) => Some((s.code, s.message.clone())),
        watcher::Error::WatchError(s) => Some((s.code, s.message.clone())),
        _ => None,
    };
    match api {
        Some((403, message)) => KindState::Forbidden(message),
        Some((code, message)) => KindState::Failing(format!("{code}: {message}")),
        None => KindState::Failing(e.to_string()),
    }
}

/// Fetches the logs analyzers want for pods in trouble, after each analysis pass, and
/// asks for the namespace to be analyzed again once they are in.
pub struct LogFetcher {
    pub client: kube::Client,
    pub readers: Readers,
    pub logs: Logs,
    pub touches: mpsc::Sender<Touch>,
    pub pass_done: Arc<Notify>,
    pub tail: u32,
    pub log_bytes: u64,
}

impl LogFetcher {
    pub async fn run(self) {
        // (key) → the restart count its log was fetched at: a new restart means a new log.
        let mut fetched: HashMap<LogKey, (String, i32)> = HashMap::new();
        loop {
            self.pass_done.notified().await;
            let mut wanted = Vec::new();
            for pod in &self.readers.pods.troubled() {
                let ns = pod.metadata.namespace.clone().unwrap_or_default();
                let name = pod.metadata.name.clone().unwrap_or_default();
                let uid = pod.metadata.uid.clone().unwrap_or_default();
                for (container, previous) in containers_needing_logs(pod) {
                    let restarts = restarts_of(pod, &container);
                    let key = LogKey {
                        namespace: ns.clone(),
                        pod: name.clone(),
                        container,
                        previous,
                    };
                    let stamp = (uid.clone(), restarts);
                    if fetched.get(&key) != Some(&stamp) {
                        wanted.push((key, stamp));
                    }
                }
            }
            let mut namespaces = std::collections::BTreeSet::new();
            let results = futures::stream::iter(wanted.into_iter().map(|(key, stamp)| {
                let client = self.client.clone();
                let (tail, bytes) = (self.tail, self.log_bytes);
                async move {
                    let text = container_log(&client, &key, tail, Some(bytes)).await;
                    (key, stamp, text)
                }
            }))
            .buffer_unordered(4)
            .collect::<Vec<_>>()
            .await;
            for (key, stamp, text) in results {
                // A log that cannot be read (gone, forbidden) is not asked for again until
                // the container restarts.
                if let Ok(text) = text
                    && let Ok(mut logs) = self.logs.lock()
                {
                    namespaces.insert(key.namespace.clone());
                    logs.insert(key.clone(), text);
                }
                fetched.insert(key, stamp);
            }
            for ns in namespaces {
                if self.touches.send(Touch::logs(ns)).await.is_err() {
                    return;
                }
            }
        }
    }
}

fn restarts_of(pod: &k8s_openapi::api::core::v1::Pod, container: &str) -> i32 {
    let status = pod.status.as_ref();
    status
        .and_then(|s| s.container_statuses.as_ref())
        .into_iter()
        .chain(status.and_then(|s| s.init_container_statuses.as_ref()))
        .flatten()
        .find(|c| c.name == container)
        .map_or(0, |c| c.restart_count)
}
