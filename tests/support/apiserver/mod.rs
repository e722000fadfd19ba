//! A small Kubernetes API server on 127.0.0.1 that serves a [`Snapshot`] through the real REST
//! paths, so `kube::Client`, `kube::runtime::watcher` and a real `kubectl` can talk to it.
//!
//! ```ignore
//! let server = ApiServer::start(snapshot).await;          // binds 127.0.0.1:0
//! let server = ApiServer::start_with(snapshot, ServerOptions { synthesize_namespaces: false }).await;
//! let kubeconfig = server.write_kubeconfig(dir, "test");   // DIR/kubeconfig: cluster + token user + context
//! server.kubeconfig_yaml("test", Some("shop"));            // the text, with a default namespace
//! kubeconfig(&[("a", &one, None), ("b", &two, Some("shop"))]); // two clusters, "a" current
//! server.url(); server.addr();                             // http://127.0.0.1:PORT
//! server.faults().forbid(Kind::Event);                     // 403 on list/watch/get of events
//! server.faults().fail(Kind::Pod, 500);                    // 500 on pods
//! server.faults().latency(Duration::from_millis(10));      // per request
//! server.faults().drop_watch_after(2);                     // abort watch streams after 2 events
//! server.faults().forbid_logs();                           // 403 on pods/log
//! server.faults().clear();
//! server.metrics().serve(node_list, pod_list);            // metrics.k8s.io (404 until set)
//! server.push(Kind::Pod, "MODIFIED", pod_json);            // store + resourceVersion + fan-out
//! server.push_log("shop", "api-0", "api", true, text);     // what pods/api-0/log?previous=true serves
//! server.compact();                                        // older resourceVersions → 410 Gone
//! server.requests(); server.request_log();                 // "GET /api/v1/pods?limit=500"
//! server.reset_requests();
//! server.objects(Kind::Pod); server.object(Kind::Pod, "shop", "web-1"); // the store, now
//! server.resource_version();                               // the current resourceVersion
//! ```
//!
//! Faults are read when a request arrives (a watch keeps the `drop_watch_after` it opened
//! with). Dropping a watch cuts the connection without the final chunk; kube-client sees the
//! stream end and `watcher` resumes from its last resourceVersion.
//!
//! What is served (JSON in real Kubernetes shapes and status codes; auth headers are ignored):
//! - discovery: `/version`, `/api`, `/apis`, `/api/v1`, `/apis/{group}/{version}` (legacy,
//!   non-aggregated discovery; `/openapi/v2` and `/openapi/v3` answer 404 like a locked-down
//!   server, which kubectl copes with);
//! - lists at cluster scope and per namespace for every kind of [`KINDS`], with
//!   `labelSelector`, `fieldSelector`, `limit`/`continue`; single GETs; `meta.k8s.io/v1 Table`
//!   when the `Accept` header asks for it (as kubectl's printers do);
//! - `pods/{name}/log` with `container`, `previous`, `tailLines`, `limitBytes`;
//! - `?watch=true` streams (JSON lines) with history replay from `resourceVersion`, synthetic
//!   ADDED events for `resourceVersion` absent/"0", `sendInitialEvents`, BOOKMARKs every second
//!   when `allowWatchBookmarks=true`, `timeoutSeconds`, and a 410 `Expired` ERROR event for a
//!   compacted resourceVersion.
//!
//! resourceVersions: objects keep the resourceVersion they have in the snapshot; the server's
//! counter starts above the largest numeric one (so a round trip leaves objects untouched) and
//! every [`ApiServer::push`] bumps it and stamps the pushed object with it.

mod faults;
mod metrics;
mod routes;
mod select;
mod table;
mod watch;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

use k8sops::model::{KINDS, Kind, LogKey, Snapshot, with_type_meta};
use serde_json::{Value, json};
use tokio::sync::broadcast;

pub use faults::Faults;
pub use metrics::MetricsApi;

/// The server version `/version` reports when the snapshot does not say.
pub const DEFAULT_SERVER_VERSION: &str = "v1.32.4";

/// The identity named in 403 messages.
pub const USER: &str = "system:serviceaccount:ops:k8sops";

/// Token written into the kubeconfig (the server accepts anything).
pub const TOKEN: &str = "k8sops-test-token";

/// How a server is started.
#[derive(Debug, Clone)]
pub struct ServerOptions {
    /// When the snapshot holds no Namespace objects, serve one `Active` namespace per
    /// namespace in use (as a real cluster would have). Turn off for exact round trips.
    pub synthesize_namespaces: bool,
}

impl Default for ServerOptions {
    fn default() -> Self {
        ServerOptions {
            synthesize_namespaces: true,
        }
    }
}

/// A running test API server. Dropping it stops accepting connections.
pub struct ApiServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

/// One change of the store, as watch streams send it.
#[derive(Debug, Clone)]
pub(crate) struct StoredEvent {
    pub rv: u64,
    pub kind: Kind,
    pub event_type: String,
    /// With `apiVersion`/`kind`.
    pub object: Value,
}

#[derive(Debug, Clone)]
pub(crate) enum Msg {
    Event(Arc<StoredEvent>),
    /// End every open watch (after a compaction), as the apiserver does when it restarts.
    CloseAll,
}

pub(crate) struct Store {
    /// Per kind, objects as list items (no `apiVersion`/`kind`) by (namespace, name).
    pub objects: BTreeMap<Kind, BTreeMap<(String, String), Value>>,
    /// The current resourceVersion.
    pub rv: u64,
    /// The oldest resourceVersion a watch may resume from; older ones get 410.
    pub floor: u64,
    /// Events after `floor`, oldest first.
    pub history: Vec<Arc<StoredEvent>>,
}

pub(crate) struct Shared {
    pub store: Mutex<Store>,
    pub faults: Faults,
    pub metrics: MetricsApi,
    /// Container logs by (namespace, pod, container, previous); [`ApiServer::push_log`] sets them.
    pub logs: Mutex<BTreeMap<LogKey, String>>,
    pub server_version: String,
    pub addr: Mutex<Option<SocketAddr>>,
    pub requests: AtomicUsize,
    pub request_log: Mutex<Vec<String>>,
    pub events: broadcast::Sender<Msg>,
}

impl Shared {
    pub fn store(&self) -> MutexGuard<'_, Store> {
        lock(&self.store)
    }
}

/// Locks a mutex, ignoring poisoning (a panicking test thread must not hide the real failure).
pub(crate) fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

pub(crate) fn object_key(object: &Value) -> (String, String) {
    let meta = &object["metadata"];
    (
        meta["namespace"].as_str().unwrap_or_default().to_string(),
        meta["name"].as_str().unwrap_or_default().to_string(),
    )
}

fn build_store(snapshot: &Snapshot, options: &ServerOptions) -> Store {
    let mut objects: BTreeMap<Kind, BTreeMap<(String, String), Value>> = BTreeMap::new();
    let mut max_rv = 0u64;
    for info in KINDS {
        let items = objects.entry(info.kind).or_default();
        for item in snapshot.objects.to_json(info.kind) {
            if let Some(rv) = item["metadata"]["resourceVersion"]
                .as_str()
                .and_then(|s| s.parse().ok())
            {
                max_rv = max_rv.max(rv);
            }
            items.insert(object_key(&item), item);
        }
    }
    let rv = max_rv + 1;
    if options.synthesize_namespaces && snapshot.objects.count(Kind::Namespace) == 0 {
        let created = snapshot
            .objects
            .metas()
            .filter_map(|(_, m)| m.creation_timestamp.as_ref())
            .map(|t| t.0)
            .min()
            .unwrap_or(snapshot.meta.captured_at);
        let namespaces = objects.entry(Kind::Namespace).or_default();
        for name in snapshot.namespaces() {
            let ns = json!({
                "metadata": {
                    "name": name,
                    "uid": format!("00000000-0000-4000-8000-{:012x}", fnv(&name)),
                    "resourceVersion": rv.to_string(),
                    "creationTimestamp": created.to_string(),
                    "labels": {"kubernetes.io/metadata.name": name},
                },
                "spec": {"finalizers": ["kubernetes"]},
                "status": {"phase": "Active"},
            });
            namespaces.insert((String::new(), name), ns);
        }
    }
    Store {
        objects,
        rv,
        floor: rv,
        history: Vec::new(),
    }
}

/// A stable 48-bit hash for synthetic uids.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    }) & 0xffff_ffff_ffff
}

impl ApiServer {
    /// Serves `snapshot` on 127.0.0.1 (a free port) from a tokio task.
    pub async fn start(snapshot: Snapshot) -> ApiServer {
        Self::start_with(snapshot, ServerOptions::default()).await
    }

    pub async fn start_with(snapshot: Snapshot, options: ServerOptions) -> ApiServer {
        let store = build_store(&snapshot, &options);
        let (events, _) = broadcast::channel(16 * 1024);
        let shared = Arc::new(Shared {
            store: Mutex::new(store),
            faults: Faults::default(),
            metrics: MetricsApi::default(),
            logs: Mutex::new(snapshot.logs.clone()),
            server_version: snapshot
                .meta
                .server_version
                .clone()
                .unwrap_or_else(|| DEFAULT_SERVER_VERSION.to_string()),
            addr: Mutex::new(None),
            requests: AtomicUsize::new(0),
            request_log: Mutex::new(Vec::new()),
            events,
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0 for the test API server");
        let addr = listener
            .local_addr()
            .expect("local address of the test API server");
        *lock(&shared.addr) = Some(addr);
        let app = routes::router(shared.clone());
        let task = tokio::spawn(async move {
            if let Err(err) = axum::serve(listener, app).await {
                eprintln!("test API server stopped: {err}");
            }
        });
        ApiServer { addr, shared, task }
    }

    /// `http://127.0.0.1:PORT`
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Writes `DIR/kubeconfig`: one cluster (server = [`Self::url`]), one user with a bearer
    /// token, the context `context` and `current-context: context`. Returns its path.
    pub fn write_kubeconfig(&self, dir: &Path, context: &str) -> PathBuf {
        let path = dir.join("kubeconfig");
        std::fs::write(&path, self.kubeconfig_yaml(context, None)).expect("write kubeconfig");
        path
    }

    /// The kubeconfig text; `namespace` sets the context's default namespace.
    pub fn kubeconfig_yaml(&self, context: &str, namespace: Option<&str>) -> String {
        kubeconfig(&[(context, self, namespace)])
    }

    pub fn faults(&self) -> &Faults {
        &self.shared.faults
    }

    /// What `/apis/metrics.k8s.io/v1beta1/…` answers (404, no metrics-server, until set).
    pub fn metrics(&self) -> &MetricsApi {
        &self.shared.metrics
    }

    /// Requests served so far (every path, discovery included).
    pub fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::SeqCst)
    }

    /// `METHOD path?query` of every request so far, in arrival order.
    pub fn request_log(&self) -> Vec<String> {
        lock(&self.shared.request_log).clone()
    }

    /// Forgets the request counter and log.
    pub fn reset_requests(&self) {
        let mut log = lock(&self.shared.request_log);
        log.clear();
        self.shared.requests.store(0, Ordering::SeqCst);
    }

    /// The current resourceVersion.
    pub fn resource_version(&self) -> u64 {
        self.shared.store().rv
    }

    /// Applies one change: `ADDED`/`MODIFIED` store the object, `DELETED` removes it. Bumps
    /// the resourceVersion, stamps it on the object and sends the event to open watches.
    /// `object` may carry `apiVersion`/`kind` or not. Returns the new resourceVersion.
    pub fn push(&self, kind: Kind, event_type: &str, object: Value) -> u64 {
        assert!(
            matches!(event_type, "ADDED" | "MODIFIED" | "DELETED"),
            "push: event type must be ADDED, MODIFIED or DELETED, not {event_type}"
        );
        let mut item = object;
        if let Some(map) = item.as_object_mut() {
            map.remove("apiVersion");
            map.remove("kind");
        }
        let mut store = self.shared.store();
        store.rv += 1;
        let rv = store.rv;
        item["metadata"]["resourceVersion"] = Value::String(rv.to_string());
        let key = object_key(&item);
        let items = store.objects.entry(kind).or_default();
        if event_type == "DELETED" {
            items.remove(&key);
        } else {
            items.insert(key, item.clone());
        }
        let event = Arc::new(StoredEvent {
            rv,
            kind,
            event_type: event_type.to_string(),
            object: with_type_meta(item, kind.info()),
        });
        store.history.push(event.clone());
        // No receiver is fine: nobody is watching.
        let _ = self.shared.events.send(Msg::Event(event));
        rv
    }

    /// Sets the log a container writes: its current log (`previous: false`), or the log of
    /// its last terminated instance (`previous: true`, what `kubectl logs -p` shows after a
    /// restart). Replaces what was there; served from the next `pods/NAME/log` request on.
    /// Logs are not watched, so nothing is sent to open watches: push the pod status that
    /// goes with the log (a restart, a `lastState.terminated`) separately.
    pub fn push_log(
        &self,
        namespace: &str,
        pod: &str,
        container: &str,
        previous: bool,
        text: &str,
    ) {
        let key = LogKey {
            namespace: namespace.to_string(),
            pod: pod.to_string(),
            container: container.to_string(),
            previous,
        };
        lock(&self.shared.logs).insert(key, text.to_string());
    }

    /// Simulates an etcd compaction the clients did not see: the resourceVersion moves on,
    /// history is forgotten (a watch from any older resourceVersion gets a 410 `Expired`
    /// ERROR event) and every open watch is ended, so watchers resume with a stale version.
    pub fn compact(&self) {
        let mut store = self.shared.store();
        store.rv += 1;
        store.floor = store.rv;
        store.history.clear();
        let _ = self.shared.events.send(Msg::CloseAll);
    }

    /// Every stored object of `kind` (as list items, without `apiVersion`/`kind`), sorted by
    /// namespace and name.
    pub fn objects(&self, kind: Kind) -> Vec<Value> {
        self.shared
            .store()
            .objects
            .get(&kind)
            .map(|m| m.values().cloned().collect())
            .unwrap_or_default()
    }

    /// The stored object, with `apiVersion`/`kind`.
    pub fn object(&self, kind: Kind, namespace: &str, name: &str) -> Option<Value> {
        self.shared
            .store()
            .objects
            .get(&kind)
            .and_then(|m| m.get(&(namespace.to_string(), name.to_string())))
            .map(|v| with_type_meta(v.clone(), kind.info()))
    }
}

/// A kubeconfig with one cluster and one context per `(context, server, default namespace)`,
/// the first one current, all with the same token user: several clusters in one file, as
/// `--context` and the dashboard's `:ctx` see them.
pub fn kubeconfig(contexts: &[(&str, &ApiServer, Option<&str>)]) -> String {
    let cluster = |i: usize| match i {
        0 => "k8sops-test".to_string(),
        i => format!("k8sops-test-{}", i + 1),
    };
    let mut clusters = String::new();
    let mut named = String::new();
    for (i, (context, server, namespace)) in contexts.iter().enumerate() {
        clusters.push_str(&format!(
            "- name: {}\n  cluster:\n    server: {}\n",
            cluster(i),
            server.url()
        ));
        let ns = namespace
            .map(|n| format!("\n    namespace: {n}"))
            .unwrap_or_default();
        named.push_str(&format!(
            "- name: {context}\n  context:\n    cluster: {}\n    user: k8sops-test-user{ns}\n",
            cluster(i)
        ));
    }
    let current = contexts.first().map_or("", |c| c.0);
    format!(
        "apiVersion: v1\nkind: Config\npreferences: {{}}\nclusters:\n{clusters}users:\n- name: k8sops-test-user\n  user:\n    token: {TOKEN}\ncontexts:\n{named}current-context: {current}\n"
    )
}

impl Drop for ApiServer {
    fn drop(&mut self) {
        self.task.abort();
        let _ = self.shared.events.send(Msg::CloseAll);
    }
}
