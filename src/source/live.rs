//! The live source: a `kube::Client` resolved like kubectl resolves it, one list call per
//! kind per scope (bounded concurrency), logs only for containers that need them, one
//! overall deadline. Access problems on a kind give a partial snapshot with a warning.

use std::collections::BTreeMap;
use std::io::IsTerminal as _;
use std::path::PathBuf;
use std::time::Duration;

use futures::StreamExt as _;
use k8s_openapi::api::core::v1::{ContainerStatus, Pod};
use kube::config::{KubeConfigOptions, Kubeconfig};
use tokio::time::Instant;

use crate::error::{Error, Input, Result};
use crate::model::{KINDS, Kind, KindInfo, LogKey, Objects, Scope, Snapshot, SnapshotMeta};

/// What to collect and how.
#[derive(Debug, Clone)]
pub struct LiveOptions {
    pub kubeconfig: Option<PathBuf>,
    pub context: Option<String>,
    pub namespace: Option<String>,
    pub all_namespaces: bool,
    pub selector: Option<String>,
    /// Lines of log per container (`--tail`).
    pub tail: u32,
    /// Bytes of log per container at most.
    pub log_bytes: u64,
    /// The whole collection's deadline.
    pub timeout: Duration,
    /// Requests in flight at once.
    pub concurrency: usize,
    /// Also read usage from metrics.k8s.io (two more requests; see `source::metrics`).
    pub metrics: bool,
}

impl Default for LiveOptions {
    fn default() -> Self {
        LiveOptions {
            kubeconfig: None,
            context: None,
            namespace: None,
            all_namespaces: false,
            selector: None,
            tail: 200,
            log_bytes: 256 * 1024,
            timeout: Duration::from_secs(30),
            concurrency: 8,
            metrics: false,
        }
    }
}

/// A client plus what was resolved to build it.
pub struct Connection {
    pub client: kube::Client,
    pub context: String,
    pub server: String,
    /// The namespace to use when neither `-n` nor `-A` is given.
    pub default_namespace: String,
}

/// Resolves kubeconfig as kubectl does: `--kubeconfig`, else `$KUBECONFIG` (several files,
/// merged), else `~/.kube/config`, else the in-cluster service account.
pub async fn connect(opts: &LiveOptions) -> Result<Connection> {
    let kubeconfig = load_kubeconfig(opts)?;
    let Some(kubeconfig) = kubeconfig else {
        return in_cluster(opts);
    };
    let context = match opts
        .context
        .clone()
        .or_else(|| kubeconfig.current_context.clone())
    {
        Some(c) => c,
        None => {
            return Err(Error::Kubeconfig {
                message: "no current-context is set".into(),
                hint: "pass --context NAME or run `kubectl config use-context NAME`".into(),
            });
        }
    };
    if !kubeconfig.contexts.iter().any(|c| c.name == context) {
        return Err(Error::UnknownContext {
            context,
            available: kubeconfig.contexts.iter().map(|c| c.name.clone()).collect(),
        });
    }
    let options = KubeConfigOptions {
        context: Some(context.clone()),
        cluster: None,
        user: None,
    };
    let mut config = kube::Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .map_err(|e| Error::Kubeconfig {
            message: format!("context {context}: {e}"),
            hint: "check the context's cluster and user entries (`kubectl config view`)".into(),
        })?;
    // The overall deadline (`--timeout`) bounds reads; only connecting gets its own limit.
    config.connect_timeout = Some(opts.timeout.min(Duration::from_secs(10)));
    build(config, context)
}

/// The context names of the kubeconfig `opts` resolves to, in file order (`--all-contexts`).
pub fn context_names(opts: &LiveOptions) -> Result<Vec<String>> {
    match load_kubeconfig(opts)? {
        Some(kubeconfig) => Ok(kubeconfig.contexts.into_iter().map(|c| c.name).collect()),
        None => Err(Error::Kubeconfig {
            message: "no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config) to list contexts from".into(),
            hint: "set KUBECONFIG or pass --kubeconfig PATH; --all-contexts needs a kubeconfig".into(),
        }),
    }
}

fn load_kubeconfig(opts: &LiveOptions) -> Result<Option<Kubeconfig>> {
    let bad = |path: String, e: kube::config::KubeconfigError| Error::Kubeconfig {
        message: format!("{path}: {e}"),
        hint: "fix the file, or point --kubeconfig / KUBECONFIG at a valid one".into(),
    };
    if let Some(path) = &opts.kubeconfig {
        if !path.exists() {
            return Err(Error::Kubeconfig {
                message: format!("{}: no such file (from --kubeconfig)", path.display()),
                hint: "check the path given to --kubeconfig".into(),
            });
        }
        return Kubeconfig::read_from(path)
            .map(Some)
            .map_err(|e| bad(path.display().to_string(), e));
    }
    if let Some(paths) = std::env::var_os("KUBECONFIG").filter(|v| !v.is_empty()) {
        // kubectl merges the files in order, skipping ones that do not exist.
        let mut merged: Option<Kubeconfig> = None;
        for path in std::env::split_paths(&paths).filter(|p| p.exists()) {
            let next =
                Kubeconfig::read_from(&path).map_err(|e| bad(path.display().to_string(), e))?;
            merged = Some(match merged {
                Some(m) => m
                    .merge(next)
                    .map_err(|e| bad(path.display().to_string(), e))?,
                None => next,
            });
        }
        return match merged {
            Some(m) => Ok(Some(m)),
            None => Err(Error::Kubeconfig {
                message: format!(
                    "none of the files in KUBECONFIG exist ({})",
                    paths.to_string_lossy()
                ),
                hint: "fix KUBECONFIG, or pass --kubeconfig PATH".into(),
            }),
        };
    }
    let home = std::env::var_os("HOME").map(PathBuf::from);
    if let Some(path) = home
        .map(|h| h.join(".kube").join("config"))
        .filter(|p| p.exists())
    {
        return Kubeconfig::read_from(&path)
            .map(Some)
            .map_err(|e| bad(path.display().to_string(), e));
    }
    Ok(None)
}

fn in_cluster(opts: &LiveOptions) -> Result<Connection> {
    if std::env::var_os("KUBERNETES_SERVICE_HOST").is_none() {
        return Err(Error::Kubeconfig {
            message: "no kubeconfig found (--kubeconfig, $KUBECONFIG, ~/.kube/config) and not running inside a cluster".into(),
            hint: "set KUBECONFIG or pass --kubeconfig PATH; or read a bundle with --from PATH".into(),
        });
    }
    let mut config = kube::Config::incluster().map_err(|e| Error::Kubeconfig {
        message: format!("in-cluster configuration: {e}"),
        hint: "mount the service account token, or pass --kubeconfig".into(),
    })?;
    config.connect_timeout = Some(opts.timeout.min(Duration::from_secs(10)));
    build(config, "in-cluster".into())
}

fn build(config: kube::Config, context: String) -> Result<Connection> {
    let server = config
        .cluster_url
        .to_string()
        .trim_end_matches('/')
        .to_string();
    let default_namespace = config.default_namespace.clone();
    let client = kube::Client::try_from(config).map_err(|e| Error::Kubeconfig {
        message: format!("context {context}: cannot build a client: {e}"),
        hint: "check the certificate and key data of the context's user and cluster".into(),
    })?;
    Ok(Connection {
        client,
        context,
        server,
        default_namespace,
    })
}

/// Kinds that `-l` filters: pods, the workloads that run them and the Services that
/// select them; the others (events, nodes, storage…) are taken whole.
pub fn takes_selector(kind: Kind) -> bool {
    matches!(kind, Kind::Pod | Kind::Service) || kind.info().is_workload()
}

/// Kinds collected live.
fn collected_kinds(scope: &Scope) -> impl Iterator<Item = &'static KindInfo> {
    let all = scope.is_all();
    KINDS.iter().filter(move |k| k.listed_for(all))
}

fn list_path(info: &KindInfo, namespace: Option<&str>, selector: Option<&str>) -> String {
    let mut path = info.api_prefix();
    if let (true, Some(ns)) = (info.namespaced, namespace) {
        path.push_str(&format!("/namespaces/{ns}"));
    }
    path.push('/');
    path.push_str(info.plural);
    if let (true, Some(sel)) = (takes_selector(info.kind), selector) {
        path.push_str("?labelSelector=");
        path.push_str(&encode(sel));
    }
    path
}

/// Percent-encodes a query value.
pub(crate) fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

fn get(path: &str) -> Result<http::Request<Vec<u8>>> {
    http::Request::get(path)
        .body(Vec::new())
        .map_err(|e| Error::Invalid {
            input: Input::Scope,
            message: format!("cannot build request {path}: {e}"),
            hint: "check the namespace and selector for stray characters".into(),
        })
}

/// How one request failed, for warnings and errors.
enum Failure {
    Forbidden(String),
    Api(u16, String, String),
    Timeout,
    Transport(String),
}

fn classify(e: kube::Error) -> Failure {
    match e {
        kube::Error::Api(status) if status.code == 403 => {
            Failure::Forbidden(status.message.clone())
        }
        kube::Error::Api(status) => {
            Failure::Api(status.code, status.reason.clone(), status.message.clone())
        }
        other => {
            let mut text = other.to_string();
            let mut source = std::error::Error::source(&other);
            while let Some(s) = source {
                text.push_str(": ");
                text.push_str(&s.to_string());
                source = s.source();
            }
            Failure::Transport(text)
        }
    }
}

async fn with_deadline<T>(
    deadline: Instant,
    fut: impl std::future::Future<Output = Result<T, kube::Error>>,
) -> Result<T, Failure> {
    match tokio::time::timeout_at(deadline, fut).await {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(classify(e)),
        Err(_) => Err(Failure::Timeout),
    }
}

fn transport_error(conn: &Connection, message: String) -> Error {
    let lower = message.to_ascii_lowercase();
    if lower.contains("certificate") || lower.contains("tls") || lower.contains("handshake") {
        Error::Certificate {
            server: conn.server.clone(),
            context: conn.context.clone(),
            message,
        }
    } else {
        Error::Unreachable {
            server: conn.server.clone(),
            context: conn.context.clone(),
            message,
        }
    }
}

/// The scope `opts` asks for, given the context's default namespace.
pub fn scope_of(opts: &LiveOptions, default_namespace: &str) -> Scope {
    let namespaces = match (&opts.namespace, opts.all_namespaces) {
        (_, true) => Vec::new(),
        (Some(ns), false) => vec![ns.clone()],
        (None, false) => vec![default_namespace.to_string()],
    };
    Scope {
        namespaces,
        selector: opts.selector.clone(),
    }
}

/// Collects a snapshot from the cluster.
pub async fn collect(opts: &LiveOptions) -> Result<Snapshot> {
    let conn = connect(opts).await?;
    collect_with(&conn, opts).await
}

/// Collects with an existing connection.
pub async fn collect_with(conn: &Connection, opts: &LiveOptions) -> Result<Snapshot> {
    let started = Instant::now();
    let deadline = started + opts.timeout;
    let scope = scope_of(opts, &conn.default_namespace);
    let progress = Progress::new();
    let seconds = opts.timeout.as_secs().max(1);

    progress.set("contacting the API server");
    let version = match with_deadline(deadline, conn.client.apiserver_version()).await {
        Ok(info) => info.git_version,
        Err(Failure::Timeout) => {
            return Err(Error::Timeout {
                what: format!("contacting {}", conn.server),
                seconds,
            });
        }
        Err(Failure::Transport(message)) => return Err(transport_error(conn, message)),
        Err(Failure::Api(code, reason, message)) => {
            return Err(Error::Api {
                what: format!("GET {}/version", conn.server),
                code,
                reason,
                message,
            });
        }
        // Some clusters forbid /version to anonymous-ish roles; collection can go on.
        Err(Failure::Forbidden(_)) => String::new(),
    };

    let namespace = scope.namespaces.first().map(String::as_str);
    let kinds: Vec<&KindInfo> = collected_kinds(&scope).collect();
    let total = kinds.len();
    let mut objects = Objects::default();
    let mut warnings = Vec::new();
    let mut done = 0;
    let mut lists = futures::stream::iter(kinds.into_iter().map(|info| {
        let path = list_path(info, namespace, scope.selector.as_deref());
        let client = conn.client.clone();
        async move {
            let result = match get(&path) {
                Ok(req) => with_deadline(deadline, client.request_text(req)).await,
                Err(e) => Err(Failure::Transport(e.to_string())),
            };
            (info, result)
        }
    }))
    // Boxed, so the whole collection is a `Send` future for any caller (rustc cannot prove
    // it for a buffered stream of borrowing closures: rust-lang/rust#104382).
    .boxed()
    .buffer_unordered(opts.concurrency.max(1));

    while let Some((info, result)) = lists.next().await {
        done += 1;
        progress.set(&format!("listed {} ({done}/{total})", info.plural));
        let where_ = match (info.namespaced, namespace) {
            (true, Some(ns)) => format!(" in namespace {ns}"),
            _ => " at the cluster scope".to_string(),
        };
        match result {
            Ok(text) => match objects.append_list(info.kind, &text) {
                Ok(Some(_)) => {}
                Ok(None) => warnings.push(format!("{}: the API server did not answer with a {}List", info.plural, info.name)),
                Err(e) => warnings.push(format!("{}: the API server's answer cannot be read: {e}", info.plural)),
            },
            Err(Failure::Forbidden(message)) => warnings.push(format!(
                "{}: forbidden{where_} — missing RBAC verb \"list\" on \"{}\" ({message}); the snapshot has no {}",
                info.plural, info.plural, info.plural
            )),
            Err(Failure::Timeout) if info.kind == Kind::Pod => {
                return Err(Error::Timeout { what: format!("listing pods{where_} from {}", conn.server), seconds });
            }
            Err(Failure::Timeout) => warnings.push(format!("{}: not listed within --timeout {seconds}s; the snapshot has no {}", info.plural, info.plural)),
            Err(Failure::Api(code, reason, message)) if info.kind == Kind::Pod => {
                return Err(Error::Api { what: format!("listing pods{where_} (context {})", conn.context), code, reason, message });
            }
            Err(Failure::Api(code, reason, message)) => {
                warnings.push(format!("{}: the API server answered {code} {reason} ({message}); the snapshot has no {}", info.plural, info.plural));
            }
            Err(Failure::Transport(message)) if info.kind == Kind::Pod => return Err(transport_error(conn, message)),
            Err(Failure::Transport(message)) => warnings.push(format!("{}: {message}", info.plural)),
        }
    }
    drop(lists);

    if scope.selector.is_some() {
        keep_events_in_scope(&mut objects);
    }

    let logs = collect_logs(
        conn,
        opts,
        &objects.pods,
        deadline,
        &mut warnings,
        &progress,
    )
    .await;
    let metrics = match opts.metrics {
        true => {
            progress.set("reading metrics.k8s.io");
            super::metrics::collect(&conn.client, &scope, deadline).await
        }
        false => Default::default(),
    };
    progress.finish();

    let mut meta = SnapshotMeta::new(jiff::Timestamp::now());
    meta.context = Some(conn.context.clone());
    meta.server = Some(conn.server.clone());
    meta.server_version = (!version.is_empty()).then_some(version);
    meta.scope = scope;
    let mut snapshot = Snapshot::new(meta, objects, logs, warnings);
    snapshot.metrics = metrics;
    Ok(snapshot)
}

/// With `-l`, events about objects outside the selection are noise: an event stays when
/// its object is held (same kind, namespace and name) or is a node. Used on live lists and
/// on bundles narrowed by [`super::bundle::restrict_to_selector`].
pub(crate) fn keep_events_in_scope(objects: &mut Objects) {
    let held: std::collections::HashSet<(String, String, String)> = objects
        .metas()
        .filter(|(k, _)| *k != Kind::Event)
        .map(|(k, m)| {
            (
                k.info().name.to_string(),
                m.namespace.clone().unwrap_or_default(),
                m.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    objects.events.retain(|e| {
        let about = &e.involved_object;
        let kind = about.kind.clone().unwrap_or_default();
        kind == "Node"
            || held.contains(&(
                kind,
                about.namespace.clone().unwrap_or_default(),
                about.name.clone().unwrap_or_default(),
            ))
    });
}

/// Containers whose logs explain something: restarted, waiting, terminated non-zero, or
/// not ready. Returns (container, previous) pairs.
pub fn containers_needing_logs(pod: &Pod) -> Vec<(String, bool)> {
    let Some(status) = pod.status.as_ref() else {
        return Vec::new();
    };
    let statuses = status
        .init_container_statuses
        .iter()
        .flatten()
        .map(|s| (s, true))
        .chain(
            status
                .container_statuses
                .iter()
                .flatten()
                .map(|s| (s, false)),
        );
    let mut out = Vec::new();
    for (cs, init) in statuses {
        let state = cs.state.as_ref();
        let waiting = state.and_then(|s| s.waiting.as_ref()).is_some();
        let running = state.and_then(|s| s.running.as_ref()).is_some();
        let terminated = state.and_then(|s| s.terminated.as_ref());
        let failed_exit = terminated.is_some_and(|t| t.exit_code != 0);
        let unhealthy =
            cs.restart_count > 0 || waiting || failed_exit || (running && !cs.ready && !init);
        if !unhealthy {
            continue;
        }
        // A container that never started has no current log.
        if running || terminated.is_some() {
            out.push((cs.name.clone(), false));
        }
        if has_previous(cs) {
            out.push((cs.name.clone(), true));
        }
    }
    out
}

fn has_previous(cs: &ContainerStatus) -> bool {
    cs.restart_count > 0
        && cs
            .last_state
            .as_ref()
            .and_then(|s| s.terminated.as_ref())
            .is_some()
}

async fn collect_logs(
    conn: &Connection,
    opts: &LiveOptions,
    pods: &[Pod],
    deadline: Instant,
    warnings: &mut Vec<String>,
    progress: &Progress,
) -> BTreeMap<LogKey, String> {
    let wanted: Vec<LogKey> = pods
        .iter()
        .flat_map(|pod| {
            let ns = pod.metadata.namespace.clone().unwrap_or_default();
            let name = pod.metadata.name.clone().unwrap_or_default();
            containers_needing_logs(pod)
                .into_iter()
                .map(move |(container, previous)| LogKey {
                    namespace: ns.clone(),
                    pod: name.clone(),
                    container,
                    previous,
                })
        })
        .collect();
    let total = wanted.len();
    let mut logs = BTreeMap::new();
    let mut forbidden = 0;
    let mut done = 0;
    let mut fetches = futures::stream::iter(wanted.into_iter().map(|key| {
        let client = conn.client.clone();
        async move {
            let fetch = container_log(&client, &key, opts.tail, Some(opts.log_bytes));
            let result = with_deadline(deadline, fetch).await;
            (key, result)
        }
    }))
    // Boxed, so the whole collection is a `Send` future for any caller (rustc cannot prove
    // it for a buffered stream of borrowing closures: rust-lang/rust#104382).
    .boxed()
    .buffer_unordered(opts.concurrency.max(1));
    while let Some((key, result)) = fetches.next().await {
        done += 1;
        progress.set(&format!("fetched logs ({done}/{total})"));
        match result {
            Ok(text) => {
                logs.insert(key, text);
            }
            Err(Failure::Forbidden(_)) => forbidden += 1,
            // A container can restart between the list and the log call; its log is gone.
            Err(Failure::Api(400 | 404, ..)) => {}
            Err(Failure::Api(code, reason, message)) => warnings.push(format!(
                "logs of {}/{} container {}: {code} {reason} ({message})",
                key.namespace, key.pod, key.container
            )),
            Err(Failure::Timeout) => warnings.push(format!(
                "logs of {}/{} container {}: not fetched within --timeout",
                key.namespace, key.pod, key.container
            )),
            Err(Failure::Transport(message)) => warnings.push(format!(
                "logs of {}/{} container {}: {message}",
                key.namespace, key.pod, key.container
            )),
        }
    }
    if forbidden > 0 {
        warnings.push(format!("pods/log: forbidden for {forbidden} container log(s) — missing RBAC verb \"get\" on \"pods/log\""));
    }
    logs
}

/// One container's log as `kubectl logs --tail=N [--limit-bytes=B] [--previous]` reads it:
/// the one request every reader of logs makes (collection, the watcher, the dashboard's
/// `l`, MCP's `get_logs`).
pub async fn container_log(
    client: &kube::Client,
    key: &LogKey,
    tail: u32,
    limit_bytes: Option<u64>,
) -> std::result::Result<String, kube::Error> {
    let path = format!(
        "/api/v1/namespaces/{}/pods/{}/log?container={}&tailLines={tail}{}{}",
        encode(&key.namespace),
        encode(&key.pod),
        encode(&key.container),
        limit_bytes
            .map(|b| format!("&limitBytes={b}"))
            .unwrap_or_default(),
        if key.previous { "&previous=true" } else { "" }
    );
    let request = http::Request::get(path)
        .body(Vec::new())
        .map_err(kube::Error::HttpError)?;
    client.request_text(request).await
}

/// One container's log as `kubectl logs --tail` fetches it (at most `log_bytes`), for the
/// callers that ask for a log the snapshot did not need (the MCP `get_logs` tool).
pub async fn fetch_log(opts: &LiveOptions, key: &LogKey, tail: u32) -> Result<String> {
    let conn = connect(opts).await?;
    let deadline = Instant::now() + opts.timeout;
    let what = format!(
        "the {}log of container {} of pod {}/{} (context {})",
        if key.previous { "previous " } else { "" },
        key.container,
        key.namespace,
        key.pod,
        conn.context
    );
    let fetch = container_log(&conn.client, key, tail, Some(opts.log_bytes));
    match with_deadline(deadline, fetch).await {
        Ok(text) => Ok(text),
        Err(Failure::Timeout) => Err(Error::Timeout {
            what: format!("fetching {what}"),
            seconds: opts.timeout.as_secs().max(1),
        }),
        Err(Failure::Transport(message)) => Err(transport_error(&conn, message)),
        Err(Failure::Forbidden(message)) => Err(Error::Api {
            what,
            code: 403,
            reason: "Forbidden".into(),
            message,
        }),
        Err(Failure::Api(code, reason, message)) => Err(Error::Api {
            what,
            code,
            reason,
            message,
        }),
    }
}

/// A spinner on stderr, only when stderr is a terminal.
struct Progress(Option<indicatif::ProgressBar>);

impl Progress {
    fn new() -> Self {
        if !std::io::stderr().is_terminal() {
            return Progress(None);
        }
        let bar = indicatif::ProgressBar::new_spinner();
        bar.enable_steady_tick(Duration::from_millis(100));
        Progress(Some(bar))
    }

    fn set(&self, message: &str) {
        if let Some(bar) = &self.0 {
            bar.set_message(message.to_string());
        }
    }

    fn finish(&self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}
