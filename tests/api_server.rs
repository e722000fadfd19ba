//! The test API server speaks Kubernetes to `kube::Client` and `kube::runtime::watcher`,
//! reached through a real kubeconfig file.

mod support;

use std::path::Path;
use std::time::{Duration, Instant};

use futures::{StreamExt, TryStreamExt};
use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::{Event, Namespace, Node, Pod};
use k8s_openapi::api::storage::v1::StorageClass;
use k8sops::model::Kind;
use kube::api::{Api, ListParams, LogParams, WatchEvent, WatchParams};
use kube::config::{KubeConfigOptions, Kubeconfig};
use kube::runtime::watcher;
use kube::{Client, Config};
use serde_json::json;
use support::ApiServer;
use support::fixture::{self, CRASHING_POD, CURRENT_LOG, HEALTHY_POD, PREVIOUS_LOG};
use tokio::sync::mpsc;

const CONTEXT: &str = "kind-test";

async fn client(server: &ApiServer, dir: &Path) -> Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let path = server.write_kubeconfig(dir, CONTEXT);
    let kubeconfig = Kubeconfig::read_from(&path).expect("read the written kubeconfig");
    let options = KubeConfigOptions {
        context: Some(CONTEXT.into()),
        ..Default::default()
    };
    let config = Config::from_custom_kubeconfig(kubeconfig, &options)
        .await
        .expect("kubeconfig resolves");
    assert_eq!(
        config.cluster_url.to_string().trim_end_matches('/'),
        server.url()
    );
    Client::try_from(config).expect("client")
}

/// A server over the fixture snapshot plus a client for it.
async fn setup() -> (ApiServer, Client, tempfile::TempDir) {
    let server = ApiServer::start(fixture::snapshot()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let client = client(&server, dir.path()).await;
    (server, client, dir)
}

fn names<K: kube::Resource>(items: &[K]) -> Vec<String> {
    items
        .iter()
        .map(|o| o.meta().name.clone().unwrap_or_default())
        .collect()
}

fn api_error(err: kube::Error) -> Box<kube::core::Status> {
    match err {
        kube::Error::Api(status) => status,
        other => panic!("expected an API error, got {other:?}"),
    }
}

#[tokio::test]
async fn lists_pods_across_and_within_namespaces() {
    let (_server, client, _dir) = setup().await;
    let all = Api::<Pod>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(all.items.len(), 5, "{:?}", names(&all.items));
    let rv: u64 = all
        .metadata
        .resource_version
        .as_deref()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        rv > 4711,
        "list resourceVersion {rv} is above every object's"
    );
    // Objects keep their own resourceVersion.
    assert!(
        all.items
            .iter()
            .all(|p| p.metadata.resource_version.as_deref() == Some("4711"))
    );

    let shop = Api::<Pod>::namespaced(client.clone(), "shop")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(
        names(&shop.items),
        ["api-0", HEALTHY_POD, CRASHING_POD, "worker-1"]
    );
    let system = Api::<Pod>::namespaced(client.clone(), "kube-system")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(names(&system.items), ["coredns-668d6bf9bc-k7lxr"]);
    let empty = Api::<Pod>::namespaced(client.clone(), "nope")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert!(empty.items.is_empty());

    // Other groups and cluster-scoped kinds.
    let deployments = Api::<Deployment>::namespaced(client.clone(), "shop")
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(names(&deployments.items), ["web"]);
    let nodes = Api::<Node>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(names(&nodes.items), ["node-a"]);
    let classes = Api::<StorageClass>::all(client.clone())
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(names(&classes.items), ["standard"]);

    // No Namespace objects in the snapshot: synthesized from the namespaces in use.
    let namespaces = Api::<Namespace>::all(client)
        .list(&ListParams::default())
        .await
        .unwrap();
    assert_eq!(names(&namespaces.items), ["kube-system", "shop"]);
    let phase = namespaces.items[1]
        .status
        .as_ref()
        .and_then(|s| s.phase.as_deref());
    assert_eq!(phase, Some("Active"));
}

#[tokio::test]
async fn label_and_field_selectors() {
    let (_server, client, _dir) = setup().await;
    let pods = Api::<Pod>::all(client.clone());
    let select = |labels: &'static str| {
        let pods = pods.clone();
        async move {
            names(
                &pods
                    .list(&ListParams::default().labels(labels))
                    .await
                    .unwrap()
                    .items,
            )
        }
    };
    assert_eq!(select("app=web").await, [HEALTHY_POD, CRASHING_POD]);
    assert_eq!(
        select("app==web,tier=frontend").await,
        [HEALTHY_POD, CRASHING_POD]
    );
    assert_eq!(
        select("tier in (frontend, backend)").await,
        ["api-0", HEALTHY_POD, CRASHING_POD]
    );
    assert_eq!(
        select("app notin (web,api)").await,
        ["coredns-668d6bf9bc-k7lxr", "worker-1"]
    );
    assert_eq!(
        select("app!=web").await,
        ["coredns-668d6bf9bc-k7lxr", "api-0", "worker-1"]
    );
    assert_eq!(
        select("!tier").await,
        ["coredns-668d6bf9bc-k7lxr", "worker-1"]
    );
    assert_eq!(select("k8s-app").await, ["coredns-668d6bf9bc-k7lxr"]);

    let fields = |f: &'static str| {
        let pods = pods.clone();
        async move {
            names(
                &pods
                    .list(&ListParams::default().fields(f))
                    .await
                    .unwrap()
                    .items,
            )
        }
    };
    assert_eq!(fields("status.phase=Pending").await, ["worker-1"]);
    assert_eq!(fields("metadata.name=api-0").await, ["api-0"]);
    assert_eq!(
        fields("metadata.namespace!=shop").await,
        ["coredns-668d6bf9bc-k7lxr"]
    );
    assert_eq!(fields("spec.nodeName=").await, ["worker-1"]);
    assert_eq!(
        fields("spec.nodeName=node-a,status.phase==Running")
            .await
            .len(),
        4
    );

    let events = Api::<Event>::namespaced(client, "shop");
    let lp = ListParams::default().fields(&format!(
        "involvedObject.kind=Pod,involvedObject.name={CRASHING_POD}"
    ));
    let found = events.list(&lp).await.unwrap();
    assert_eq!(found.items.len(), 1);
    assert_eq!(found.items[0].reason.as_deref(), Some("BackOff"));

    let err = pods
        .list(&ListParams::default().labels("app in web"))
        .await
        .unwrap_err();
    assert_eq!(api_error(err).code, 400);
}

#[tokio::test]
async fn pages_with_limit_and_continue() {
    let (_server, client, _dir) = setup().await;
    let pods = Api::<Pod>::all(client);
    let mut seen = Vec::new();
    let mut token: Option<String> = None;
    let mut pages = 0;
    loop {
        let mut lp = ListParams::default().limit(2);
        if let Some(t) = &token {
            lp = lp.continue_token(t);
        }
        let page = pods.list(&lp).await.unwrap();
        pages += 1;
        assert!(page.items.len() <= 2);
        seen.extend(names(&page.items));
        token = page.metadata.continue_.filter(|t| !t.is_empty());
        if token.is_none() {
            assert_eq!(page.metadata.remaining_item_count, None);
            break;
        }
        assert!(page.metadata.remaining_item_count.unwrap() > 0);
    }
    assert_eq!(pages, 3);
    let all = names(&pods.list(&ListParams::default()).await.unwrap().items);
    assert_eq!(seen, all);
}

#[tokio::test]
async fn single_get_and_not_found() {
    let (_server, client, _dir) = setup().await;
    let pods = Api::<Pod>::namespaced(client.clone(), "shop");
    let pod = pods.get(CRASHING_POD).await.unwrap();
    assert_eq!(pod.metadata.namespace.as_deref(), Some("shop"));
    let restarts = pod.status.unwrap().container_statuses.unwrap()[0].restart_count;
    assert_eq!(restarts, 5);

    let status = api_error(pods.get("ghost").await.unwrap_err());
    assert_eq!((status.code, status.reason.as_str()), (404, "NotFound"));
    assert_eq!(status.message, "pods \"ghost\" not found");

    let deployment = Api::<Deployment>::namespaced(client.clone(), "shop")
        .get("web")
        .await
        .unwrap();
    assert_eq!(deployment.spec.unwrap().replicas, Some(2));
    let status = api_error(
        Api::<Deployment>::namespaced(client.clone(), "shop")
            .get("nope")
            .await
            .unwrap_err(),
    );
    assert_eq!(status.message, "deployments.apps \"nope\" not found");

    let node = Api::<Node>::all(client.clone())
        .get("node-a")
        .await
        .unwrap();
    assert_eq!(node.metadata.name.as_deref(), Some("node-a"));
    let ns = Api::<Namespace>::all(client).get("shop").await.unwrap();
    assert_eq!(ns.metadata.name.as_deref(), Some("shop"));
}

#[tokio::test]
async fn serves_current_and_previous_logs() {
    let (_server, client, _dir) = setup().await;
    let pods = Api::<Pod>::namespaced(client, "shop");
    let previous = LogParams {
        container: Some("web".into()),
        previous: true,
        ..Default::default()
    };
    assert_eq!(
        pods.logs(CRASHING_POD, &previous).await.unwrap(),
        PREVIOUS_LOG
    );
    // No container: the pod has only one.
    assert_eq!(
        pods.logs(CRASHING_POD, &LogParams::default())
            .await
            .unwrap(),
        CURRENT_LOG
    );

    let tail = LogParams {
        previous: true,
        tail_lines: Some(2),
        ..Default::default()
    };
    let expected: Vec<&str> = PREVIOUS_LOG.lines().collect();
    assert_eq!(
        pods.logs(CRASHING_POD, &tail).await.unwrap(),
        format!("{}\n{}\n", expected[2], expected[3])
    );
    let limited = LogParams {
        previous: true,
        limit_bytes: Some(10),
        ..Default::default()
    };
    assert_eq!(
        pods.logs(CRASHING_POD, &limited).await.unwrap(),
        &PREVIOUS_LOG[..10]
    );

    let err = api_error(pods.logs(HEALTHY_POD, &previous).await.unwrap_err());
    assert_eq!(err.code, 400);
    assert_eq!(
        err.message,
        format!("previous terminated container \"web\" in pod \"{HEALTHY_POD}\" not found")
    );

    let err = api_error(pods.logs("api-0", &LogParams::default()).await.unwrap_err());
    assert_eq!(
        err.message,
        "a container name must be specified for pod api-0, choose one of: [api envoy]"
    );
    let envoy = LogParams {
        container: Some("envoy".into()),
        ..Default::default()
    };
    assert!(
        pods.logs("api-0", &envoy)
            .await
            .unwrap()
            .contains("starting envoy")
    );
    let wrong = LogParams {
        container: Some("sidecar".into()),
        ..Default::default()
    };
    assert_eq!(
        api_error(pods.logs("api-0", &wrong).await.unwrap_err()).message,
        "container sidecar is not valid for pod api-0"
    );
    // Running container without a collected log: empty, like a quiet container.
    let api = LogParams {
        container: Some("api".into()),
        ..Default::default()
    };
    assert_eq!(pods.logs("api-0", &api).await.unwrap(), "");

    let err = api_error(
        pods.logs("worker-1", &LogParams::default())
            .await
            .unwrap_err(),
    );
    assert_eq!(
        err.message,
        "container \"worker\" in pod \"worker-1\" is waiting to start: ContainerCreating"
    );
    assert_eq!(
        api_error(pods.logs("ghost", &LogParams::default()).await.unwrap_err()).code,
        404
    );
}

#[tokio::test]
async fn injected_forbidden_failure_and_latency() {
    let (server, client, _dir) = setup().await;
    let events = Api::<Event>::all(client.clone());
    let pods = Api::<Pod>::namespaced(client.clone(), "shop");

    server.faults().forbid(Kind::Event);
    let status = api_error(events.list(&ListParams::default()).await.unwrap_err());
    assert_eq!((status.code, status.reason.as_str()), (403, "Forbidden"));
    assert_eq!(
        status.message,
        "events is forbidden: User \"system:serviceaccount:ops:k8sops\" cannot list resource \"events\" in API group \"\" at the cluster scope"
    );
    let status = api_error(
        Api::<Event>::namespaced(client.clone(), "shop")
            .list(&ListParams::default())
            .await
            .unwrap_err(),
    );
    assert!(
        status.message.ends_with("in the namespace \"shop\""),
        "{}",
        status.message
    );
    // Other kinds are unaffected.
    assert_eq!(
        pods.list(&ListParams::default()).await.unwrap().items.len(),
        4
    );
    let deployments = Api::<Deployment>::namespaced(client.clone(), "shop");
    assert!(deployments.list(&ListParams::default()).await.is_ok());

    server.faults().fail(Kind::Pod, 500);
    let status = api_error(pods.list(&ListParams::default()).await.unwrap_err());
    assert_eq!(
        (status.code, status.reason.as_str()),
        (500, "InternalError")
    );
    let status = api_error(pods.get(HEALTHY_POD).await.unwrap_err());
    assert_eq!(status.code, 500);

    server.faults().forbid_logs();
    let status = api_error(
        pods.logs(CRASHING_POD, &LogParams::default())
            .await
            .unwrap_err(),
    );
    assert_eq!(status.code, 403);
    assert!(
        status.message.contains("cannot get resource \"pods/log\""),
        "{}",
        status.message
    );

    server.faults().clear();
    assert_eq!(
        events
            .list(&ListParams::default())
            .await
            .unwrap()
            .items
            .len(),
        2
    );
    assert_eq!(
        pods.list(&ListParams::default()).await.unwrap().items.len(),
        4
    );

    server.faults().latency(Duration::from_millis(150));
    let started = Instant::now();
    pods.list(&ListParams::default()).await.unwrap();
    pods.get(HEALTHY_POD).await.unwrap();
    assert!(
        started.elapsed() >= Duration::from_millis(300),
        "two requests, 150 ms each"
    );
}

#[tokio::test]
async fn counts_and_logs_requests() {
    let (server, client, _dir) = setup().await;
    server.reset_requests();
    let pods = Api::<Pod>::namespaced(client, "shop");
    pods.list(&ListParams::default().labels("app=web"))
        .await
        .unwrap();
    pods.get("api-0").await.unwrap();
    let _ = pods.get("ghost").await;
    assert_eq!(server.requests(), 3);
    let log = server.request_log();
    assert!(
        log[0].starts_with("GET /api/v1/namespaces/shop/pods?"),
        "{log:?}"
    );
    assert!(log[0].contains("labelSelector=app%3Dweb"), "{log:?}");
    assert_eq!(log[1], "GET /api/v1/namespaces/shop/pods/api-0");
    assert_eq!(log[2], "GET /api/v1/namespaces/shop/pods/ghost");
}

/// Runs a watcher in a task and hands its events over a channel.
fn spawn_watcher(api: Api<Pod>) -> mpsc::UnboundedReceiver<watcher::Result<watcher::Event<Pod>>> {
    spawn_watcher_with(api, watcher::Config::default())
}

fn spawn_watcher_with(
    api: Api<Pod>,
    config: watcher::Config,
) -> mpsc::UnboundedReceiver<watcher::Result<watcher::Event<Pod>>> {
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        let mut stream = watcher(api, config).boxed();
        while let Some(event) = stream.next().await {
            if tx.send(event).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits (up to 10 s) for an event `pred` accepts; returns everything received on the way.
async fn wait_for(
    rx: &mut mpsc::UnboundedReceiver<watcher::Result<watcher::Event<Pod>>>,
    what: &str,
    mut pred: impl FnMut(&watcher::Result<watcher::Event<Pod>>) -> bool,
) -> Vec<String> {
    let mut seen = Vec::new();
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        match tokio::time::timeout_at(deadline, rx.recv()).await {
            Ok(Some(event)) => {
                let hit = pred(&event);
                seen.push(describe(&event));
                if hit {
                    return seen;
                }
            }
            Ok(None) => panic!("watcher ended while waiting for {what}; saw {seen:?}"),
            Err(_) => panic!("timed out waiting for {what}; saw {seen:?}"),
        }
    }
}

fn describe(event: &watcher::Result<watcher::Event<Pod>>) -> String {
    match event {
        Ok(watcher::Event::Apply(p)) => {
            format!("Apply({})", p.metadata.name.as_deref().unwrap_or(""))
        }
        Ok(watcher::Event::Delete(p)) => {
            format!("Delete({})", p.metadata.name.as_deref().unwrap_or(""))
        }
        Ok(watcher::Event::Init) => "Init".into(),
        Ok(watcher::Event::InitApply(p)) => {
            format!("InitApply({})", p.metadata.name.as_deref().unwrap_or(""))
        }
        Ok(watcher::Event::InitDone) => "InitDone".into(),
        Err(e) => format!("Err({e})"),
    }
}

fn is_apply_with(event: &watcher::Result<watcher::Event<Pod>>, name: &str, label: &str) -> bool {
    matches!(event, Ok(watcher::Event::Apply(p))
        if p.metadata.name.as_deref() == Some(name)
            && p.metadata.labels.as_ref().is_some_and(|l| l.contains_key(label)))
}

fn relabel(server: &ApiServer, name: &str, label: &str) -> serde_json::Value {
    let mut pod = server
        .object(Kind::Pod, "shop", name)
        .expect("pod in store");
    pod["metadata"]["labels"][label] = json!("yes");
    pod
}

#[tokio::test]
async fn watcher_sees_pushed_events() {
    let (server, client, _dir) = setup().await;
    let mut rx = spawn_watcher(Api::<Pod>::namespaced(client, "shop"));
    let init = wait_for(&mut rx, "InitDone", |e| {
        matches!(e, Ok(watcher::Event::InitDone))
    })
    .await;
    assert_eq!(init.len(), 6, "Init, 4 × InitApply, InitDone: {init:?}");
    let log = server.request_log();
    assert!(
        log.iter()
            .any(|l| l.starts_with("GET /api/v1/namespaces/shop/pods?") && l.contains("limit=500")),
        "{log:?}"
    );

    let rv = server.push(
        Kind::Pod,
        "MODIFIED",
        relabel(&server, HEALTHY_POD, "rollout"),
    );
    let mut applied_rv = None;
    wait_for(&mut rx, "the MODIFIED pod", |e| {
        if is_apply_with(e, HEALTHY_POD, "rollout") {
            applied_rv = e.as_ref().ok().and_then(|ev| match ev {
                watcher::Event::Apply(p) => p.metadata.resource_version.clone(),
                _ => None,
            });
            true
        } else {
            false
        }
    })
    .await;
    assert_eq!(
        applied_rv,
        Some(rv.to_string()),
        "the pushed object carries the new resourceVersion"
    );

    let mut new_pod = fixture::pod(
        "shop",
        "web-7d9f8b6c5d-zzzzz",
        json!({"app": "web"}),
        &["web"],
        vec![],
        "Pending",
    );
    new_pod["metadata"]["resourceVersion"] = json!("1");
    server.push(Kind::Pod, "ADDED", new_pod.clone());
    wait_for(&mut rx, "the ADDED pod", |e| {
        is_apply_with(e, "web-7d9f8b6c5d-zzzzz", "app")
    })
    .await;
    server.push(Kind::Pod, "DELETED", new_pod);
    wait_for(&mut rx, "the DELETED pod", |e| matches!(e, Ok(watcher::Event::Delete(p)) if p.metadata.name.as_deref() == Some("web-7d9f8b6c5d-zzzzz"))).await;

    // Events of other namespaces and kinds do not reach this watch.
    let mut dns = server
        .object(Kind::Pod, "kube-system", "coredns-668d6bf9bc-k7lxr")
        .unwrap();
    dns["metadata"]["labels"]["x"] = json!("y");
    server.push(Kind::Pod, "MODIFIED", dns);
    server.push(Kind::Pod, "MODIFIED", relabel(&server, "api-0", "marker"));
    let seen = wait_for(&mut rx, "the marker", |e| {
        is_apply_with(e, "api-0", "marker")
    })
    .await;
    assert_eq!(seen, ["Apply(api-0)"]);
}

#[tokio::test]
async fn raw_watch_replays_history_bookmarks_and_times_out() {
    let (server, client, _dir) = setup().await;
    let pods = Api::<Pod>::namespaced(client, "shop");
    let start = server.resource_version();
    server.push(
        Kind::Pod,
        "MODIFIED",
        relabel(&server, HEALTHY_POD, "first"),
    );
    server.push(Kind::Pod, "MODIFIED", relabel(&server, "api-0", "second"));

    // From `start`: both events replayed, then bookmarks, then the stream ends at its timeout.
    let wp = WatchParams::default().timeout(2);
    let events: Vec<_> = pods
        .watch(&wp, &start.to_string())
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    let kinds: Vec<String> = events
        .iter()
        .map(|e| match e {
            WatchEvent::Added(p) => format!("ADDED {}", p.metadata.name.as_deref().unwrap_or("")),
            WatchEvent::Modified(p) => {
                format!("MODIFIED {}", p.metadata.name.as_deref().unwrap_or(""))
            }
            WatchEvent::Deleted(p) => {
                format!("DELETED {}", p.metadata.name.as_deref().unwrap_or(""))
            }
            WatchEvent::Bookmark(b) => format!("BOOKMARK {}", b.metadata.resource_version),
            WatchEvent::Error(e) => format!("ERROR {}", e.code),
        })
        .collect();
    assert_eq!(
        kinds[..2],
        [
            format!("MODIFIED {HEALTHY_POD}"),
            "MODIFIED api-0".to_string()
        ]
    );
    let current = server.resource_version().to_string();
    assert!(
        kinds[2..]
            .iter()
            .all(|k| *k == format!("BOOKMARK {current}")),
        "{kinds:?}"
    );
    assert!(
        !kinds[2..].is_empty(),
        "at least one bookmark in 2 s: {kinds:?}"
    );

    // resourceVersion "0": synthetic ADDED for what exists now.
    let wp = WatchParams::default().timeout(1);
    let events: Vec<_> = pods
        .watch(&wp, "0")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    assert_eq!(
        events
            .iter()
            .filter(|e| matches!(e, WatchEvent::Added(_)))
            .count(),
        4
    );

    // Older than the server's history: a 410 ERROR event.
    let events: Vec<_> = pods
        .watch(&wp, "1")
        .await
        .unwrap()
        .try_collect()
        .await
        .unwrap();
    match &events[..] {
        [WatchEvent::Error(status)] => {
            assert_eq!((status.code, status.reason.as_str()), (410, "Expired"));
            assert!(
                status.message.starts_with("too old resource version: 1 ("),
                "{}",
                status.message
            );
        }
        other => panic!("expected one 410 ERROR, got {other:?}"),
    }
}

#[tokio::test]
async fn watcher_relists_after_compaction() {
    let (server, client, _dir) = setup().await;
    let mut rx = spawn_watcher(Api::<Pod>::namespaced(client, "shop"));
    wait_for(&mut rx, "InitDone", |e| {
        matches!(e, Ok(watcher::Event::InitDone))
    })
    .await;
    let lists_before = server
        .request_log()
        .iter()
        .filter(|l| l.contains("limit=500"))
        .count();

    server.compact();
    let seen = wait_for(&mut rx, "the relist", |e| {
        matches!(e, Ok(watcher::Event::InitDone))
    })
    .await;
    assert!(
        seen.iter()
            .any(|s| s.contains("410") || s.contains("Expired")),
        "the resumed watch got 410 Gone: {seen:?}"
    );
    assert!(seen.contains(&"Init".to_string()), "{seen:?}");
    let lists_after = server
        .request_log()
        .iter()
        .filter(|l| l.contains("limit=500"))
        .count();
    assert_eq!(lists_after, lists_before + 1);

    server.push(
        Kind::Pod,
        "MODIFIED",
        relabel(&server, CRASHING_POD, "after-compaction"),
    );
    wait_for(&mut rx, "an event after the relist", |e| {
        is_apply_with(e, CRASHING_POD, "after-compaction")
    })
    .await;
}

#[tokio::test]
async fn watcher_recovers_from_dropped_connections() {
    let (server, client, _dir) = setup().await;
    // Every watch stream is cut right after its first event.
    server.faults().drop_watch_after(1);
    let mut rx = spawn_watcher(Api::<Pod>::namespaced(client, "shop"));
    wait_for(&mut rx, "InitDone", |e| {
        matches!(e, Ok(watcher::Event::InitDone))
    })
    .await;
    for (i, label) in ["one", "two", "three"].into_iter().enumerate() {
        let pod = if i % 2 == 0 { HEALTHY_POD } else { "api-0" };
        server.push(Kind::Pod, "MODIFIED", relabel(&server, pod, label));
        wait_for(&mut rx, label, |e| is_apply_with(e, pod, label)).await;
    }
    let watches = server
        .request_log()
        .iter()
        .filter(|l| l.contains("watch=true"))
        .count();
    assert!(
        watches >= 3,
        "the watcher reconnected after each dropped stream: {watches} watches"
    );
    let lists = server
        .request_log()
        .iter()
        .filter(|l| l.contains("limit=500"))
        .count();
    assert_eq!(
        lists, 1,
        "a dropped connection resumes the watch, it does not relist"
    );
}

/// The dropped stream is cut mid-response (no terminating chunk), not ended cleanly.
#[tokio::test]
async fn dropped_watch_is_cut_without_the_final_chunk() {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let (server, _client, _dir) = setup().await;
    let request = |rv: &str| {
        format!(
            "GET /api/v1/namespaces/shop/pods?watch=true&resourceVersion={rv} HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\n\r\n"
        )
    };
    let read_all = |req: String| {
        let addr = server.addr();
        async move {
            let mut tcp = tokio::net::TcpStream::connect(addr).await.unwrap();
            tcp.write_all(req.as_bytes()).await.unwrap();
            let mut raw = Vec::new();
            let read =
                tokio::time::timeout(Duration::from_secs(5), tcp.read_to_end(&mut raw)).await;
            assert!(read.is_ok(), "the server closed the connection");
            String::from_utf8_lossy(&raw).into_owned()
        }
    };
    server.faults().drop_watch_after(2);
    let raw = read_all(request("0")).await;
    assert!(raw.starts_with("HTTP/1.1 200 OK"), "{raw}");
    assert!(raw.contains("transfer-encoding: chunked"), "{raw}");
    assert_eq!(raw.matches("\"type\":\"ADDED\"").count(), 2, "{raw}");
    assert!(!raw.ends_with("0\r\n\r\n"), "no terminating chunk: {raw}");

    // For comparison, a watch that times out ends with the terminating chunk.
    server.faults().clear();
    let rv = server.resource_version();
    let raw = read_all(
        request(&format!("{rv}&timeoutSeconds=1"))
            .replace("Host: x", "Host: x\r\nConnection: close"),
    )
    .await;
    assert!(raw.ends_with("0\r\n\r\n"), "{raw}");
}

/// kube's streaming-list mode: `sendInitialEvents=true`, ended by an `initial-events-end` bookmark.
#[tokio::test]
async fn watcher_with_streaming_lists() {
    let (server, client, _dir) = setup().await;
    let mut rx = spawn_watcher_with(
        Api::<Pod>::namespaced(client, "shop"),
        watcher::Config::default().streaming_lists(),
    );
    let init = wait_for(&mut rx, "InitDone", |e| {
        matches!(e, Ok(watcher::Event::InitDone))
    })
    .await;
    assert_eq!(init.len(), 6, "Init, 4 × InitApply, InitDone: {init:?}");
    let log = server.request_log();
    assert!(
        log.iter().any(|l| l.contains("sendInitialEvents=true")),
        "{log:?}"
    );
    assert!(
        !log.iter().any(|l| l.contains("limit=500")),
        "no list call: {log:?}"
    );
    server.push(
        Kind::Pod,
        "MODIFIED",
        relabel(&server, "worker-1", "streamed"),
    );
    wait_for(&mut rx, "the MODIFIED pod", |e| {
        is_apply_with(e, "worker-1", "streamed")
    })
    .await;
}
