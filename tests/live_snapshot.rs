//! The live source end to end: `k8sops snapshot` (the real binary) collects through
//! `kube::Client` from the test API server, which serves a bundle through the real REST
//! paths. Round trip, partial access, server errors, the deadline and the request budget.

mod support;

use std::path::{Path, PathBuf};
use std::time::Duration;

use k8sops::model::{Kind, Snapshot};
use k8sops::source::bundle;
use k8sops::source::live::containers_needing_logs;
use support::ApiServer;
use support::apiserver::ServerOptions;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// The example as live collection would see it: live collection fetches logs only for the
/// containers that need them, so the original keeps only those.
fn original(name: &str) -> Snapshot {
    let snap = bundle::read(&example(name)).expect("example reads");
    let wanted: Vec<(String, String, String, bool)> = snap
        .objects
        .pods
        .iter()
        .flat_map(|p| {
            let ns = p.metadata.namespace.clone().unwrap_or_default();
            let pod = p.metadata.name.clone().unwrap_or_default();
            containers_needing_logs(p)
                .into_iter()
                .map(move |(c, prev)| (ns.clone(), pod.clone(), c, prev))
        })
        .collect();
    let Snapshot {
        meta,
        objects,
        mut logs,
        warnings,
        ..
    } = snap;
    logs.retain(|k, _| {
        wanted.contains(&(
            k.namespace.clone(),
            k.pod.clone(),
            k.container.clone(),
            k.previous,
        ))
    });
    Snapshot::new(meta, objects, logs, warnings)
}

/// Runs the binary against the server; returns (exit code, stdout, stderr).
async fn snapshot_cmd(kubeconfig: &Path, args: &[&str]) -> (i32, String, String) {
    let kubeconfig = kubeconfig.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let out = assert_cmd::Command::cargo_bin("k8sops")
            .expect("binary")
            .env("KUBECONFIG", &kubeconfig)
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env_remove("K8SOPS_CONFIG")
            .args(["snapshot", "--no-sanitize"])
            .args(&args)
            .output()
            .expect("runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .expect("joins")
}

struct Setup {
    server: ApiServer,
    dir: tempfile::TempDir,
    kubeconfig: PathBuf,
}

async fn setup(snapshot: Snapshot) -> Setup {
    let server = ApiServer::start_with(
        snapshot,
        ServerOptions {
            synthesize_namespaces: false,
        },
    )
    .await;
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = server.write_kubeconfig(dir.path(), "test");
    Setup {
        server,
        dir,
        kubeconfig,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn bundle_served_and_collected_live_equals_the_original() {
    let original = original("oom-killed");
    let s = setup(original.clone()).await;
    let out = s.dir.path().join("live");
    let (code, stdout, stderr) = snapshot_cmd(
        &s.kubeconfig,
        &["-A", "--tail", "100000", "-o", out.to_str().expect("utf8")],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("context test"), "{stdout}");
    let live = bundle::read(&out).expect("written bundle reads");
    assert_eq!(
        live.objects, original.objects,
        "objects differ after bundle → API → live → bundle"
    );
    assert_eq!(live.logs, original.logs, "logs differ");
    assert!(
        !live.logs.is_empty(),
        "the OOM-killed pods' logs were fetched"
    );
    assert_eq!(live.meta.context.as_deref(), Some("test"));
    assert!(live.meta.server_version.is_some());
    assert!(live.meta.scope.is_all());
}

#[tokio::test(flavor = "multi_thread")]
async fn requests_stay_within_kinds_plus_two_per_pod_needing_logs() {
    let original = original("crash-loop");
    let pods_needing_logs = original
        .objects
        .pods
        .iter()
        .filter(|p| !containers_needing_logs(p).is_empty())
        .count();
    let s = setup(original).await;
    let out = s.dir.path().join("live");
    let (code, _, stderr) =
        snapshot_cmd(&s.kubeconfig, &["-A", "-o", out.to_str().expect("utf8")]).await;
    assert_eq!(code, 0, "{stderr}");
    let requests = s.server.requests();
    let budget = k8sops::model::KINDS.len() + 2 * pods_needing_logs;
    assert!(
        requests <= budget,
        "{requests} requests > {budget}: {:#?}",
        s.server.request_log()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_events_give_a_partial_snapshot_a_warning_and_exit_3() {
    let s = setup(original("oom-killed")).await;
    s.server.faults().forbid(Kind::Event);
    let out = s.dir.path().join("partial");
    let (code, _, stderr) =
        snapshot_cmd(&s.kubeconfig, &["-A", "-o", out.to_str().expect("utf8")]).await;
    assert_eq!(code, 3, "{stderr}");
    let warning = stderr
        .lines()
        .find(|l| l.starts_with("warning: events"))
        .unwrap_or_else(|| panic!("no events warning: {stderr}"));
    assert!(
        warning.contains("forbidden") && warning.contains("\"list\""),
        "{warning}"
    );
    let partial = bundle::read(&out).expect("partial bundle written");
    assert!(partial.objects.events.is_empty());
    assert!(!partial.objects.pods.is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_server_error_on_pods_is_a_clear_error() {
    let s = setup(original("oom-killed")).await;
    s.server.faults().fail(Kind::Pod, 500);
    let out = s.dir.path().join("never");
    let (code, _, stderr) = snapshot_cmd(
        &s.kubeconfig,
        &["-n", "shop", "-o", out.to_str().expect("utf8")],
    )
    .await;
    assert_eq!(code, 2, "{stderr}");
    let error = stderr
        .lines()
        .find(|l| l.starts_with("error:"))
        .unwrap_or_else(|| panic!("no error: {stderr}"));
    assert!(
        error.contains("listing pods in namespace shop") && error.contains("500"),
        "{error}"
    );
    assert!(stderr.contains("hint:"));
    assert!(!out.exists(), "nothing written on error");
}

#[tokio::test(flavor = "multi_thread")]
async fn latency_is_bounded_by_the_timeout() {
    let s = setup(original("oom-killed")).await;
    s.server.faults().latency(Duration::from_secs(3));
    let out = s.dir.path().join("never");
    let (code, _, stderr) = snapshot_cmd(
        &s.kubeconfig,
        &["-A", "--timeout", "1s", "-o", out.to_str().expect("utf8")],
    )
    .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("timed out after 1s"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_namespace_scope_lists_only_that_namespace() {
    let s = setup(original("oom-killed")).await;
    let out = s.dir.path().join("ns");
    let (code, _, stderr) = snapshot_cmd(
        &s.kubeconfig,
        &["-n", "shop", "-o", out.to_str().expect("utf8")],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    let snap = bundle::read(&out).expect("reads");
    assert!(
        snap.objects
            .pods
            .iter()
            .all(|p| p.metadata.namespace.as_deref() == Some("shop"))
    );
    assert!(
        !snap.objects.nodes.is_empty(),
        "nodes are cluster-scoped and still listed"
    );
    assert!(
        s.server
            .request_log()
            .iter()
            .any(|r| r.contains("/namespaces/shop/pods"))
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_logs_are_a_warning_naming_the_verb() {
    let s = setup(original("oom-killed")).await;
    s.server.faults().forbid_logs();
    let out = s.dir.path().join("nologs");
    let (code, _, stderr) =
        snapshot_cmd(&s.kubeconfig, &["-A", "-o", out.to_str().expect("utf8")]).await;
    assert_eq!(code, 3, "{stderr}");
    assert!(
        stderr.contains("pods/log") && stderr.contains("\"get\""),
        "{stderr}"
    );
}
