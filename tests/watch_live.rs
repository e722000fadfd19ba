//! The watch engine against the test API server, through real `kube::runtime` watchers:
//! a pod turning CrashLoopBackOff by pushed watch events gets its crash-loop finding, the
//! cause read from the crashed container's log the watcher fetches; a dropped and
//! compacted watch relists and carries on; a 403 on events shows a degraded status.

mod support;

use std::time::Duration;

use k8sops::analyze::Severity;
use k8sops::model::Kind;
use k8sops::rca::Diagnosis;
use k8sops::source::live::LiveOptions;
use k8sops::watch::{Input, Session, Update, live, start};
use serde_json::json;
use support::{ApiServer, fixture};

struct Setup {
    server: ApiServer,
    _dir: tempfile::TempDir,
    session: Session,
}

async fn setup(before: impl FnOnce(&ApiServer)) -> Setup {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let server = ApiServer::start(fixture::snapshot()).await;
    before(&server);
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = server.write_kubeconfig(dir.path(), "test");
    let opts = LiveOptions {
        kubeconfig: Some(kubeconfig),
        all_namespaces: true,
        timeout: Duration::from_secs(10),
        ..LiveOptions::default()
    };
    let session = start(Input::Live(opts), Duration::from_millis(50))
        .await
        .expect("session starts");
    Setup {
        server,
        _dir: dir,
        session,
    }
}

/// Waits (at most 20 s) for a complete update that satisfies `ok`.
async fn until(session: &mut Session, ok: impl Fn(&Update) -> bool) -> Update {
    let mut seen = Vec::new();
    let wait = async {
        loop {
            let u = session.updates.recv().await.expect("engine runs");
            if u.complete && ok(&u) {
                return u;
            }
            seen = u
                .diagnoses
                .iter()
                .map(|d| format!("{} {:?}", d.subject, d.top().map(|h| h.category)))
                .collect();
        }
    };
    match tokio::time::timeout(Duration::from_secs(20), wait).await {
        Ok(u) => u,
        Err(_) => panic!("the expected update did not arrive within 20 s; last: {seen:?}"),
    }
}

/// The diagnosis about api-0 (healthy in the fixture, so only the pushed crash makes one).
fn api_diagnosis(u: &Update) -> Option<&Diagnosis> {
    u.diagnoses
        .iter()
        .find(|d| d.subject.to_string() == "Pod shop/api-0")
}

/// api-0 is diagnosed as a critical crash loop whose cause quotes the log's error line.
fn api_crash_loop_found(u: &Update) -> bool {
    api_diagnosis(u).is_some_and(|d| {
        d.severity == Severity::Critical
            && d.top().is_some_and(|h| {
                h.category.id() == "crash-loop" && h.cause.contains(fixture::API_CRASH_LINE)
            })
    })
}

fn has(u: &Update, subject: &str, category: &str) -> bool {
    u.diagnoses.iter().any(|d| {
        d.subject.to_string() == subject && d.hypotheses.iter().any(|h| h.category.id() == category)
    })
}

/// The fixture's pod that crash-loops from the start (a bare pod: its own subject).
fn crashing() -> String {
    format!("Pod shop/{}", fixture::CRASHING_POD)
}

/// `api-0`'s container `api` crash-looping, as the kubelet reports it: the crashed
/// instance's log (served as `previous`), the pod status with the restart, the terminated
/// last state and the CrashLoopBackOff wait, then the BackOff event.
fn crash_api(server: &ApiServer) {
    let now = jiff::Timestamp::now();
    let ago = |secs: i64| {
        now.checked_sub(jiff::SignedDuration::from_secs(secs))
            .expect("a recent time")
            .to_string()
    };
    server.push_log("shop", "api-0", "api", true, fixture::API_CRASH_LOG);
    let mut pod = server
        .object(Kind::Pod, "shop", "api-0")
        .expect("api-0 is served");
    let uid = pod["metadata"]["uid"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    pod["status"]["containerStatuses"][0] = json!({
        "name": "api", "ready": false, "started": false, "restartCount": 6,
        "image": "registry.example.com/shop/api:2.4.1",
        "imageID": "registry.example.com/shop/api@sha256:3f1c9a",
        "containerID": "containerd://api6f3e1b",
        "state": {"waiting": {"reason": "CrashLoopBackOff",
            "message": format!("back-off 5m0s restarting failed container=api pod=api-0_shop({uid})")}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
            "containerID": "containerd://api6f3e1b", "startedAt": ago(12), "finishedAt": ago(10)}},
    });
    pod["status"]["conditions"] = json!([
        {"type": "Ready", "status": "False", "reason": "ContainersNotReady",
            "message": "containers with unready status: [api]", "lastTransitionTime": ago(10)},
        {"type": "ContainersReady", "status": "False", "reason": "ContainersNotReady",
            "message": "containers with unready status: [api]", "lastTransitionTime": ago(10)},
    ]);
    server.push(Kind::Pod, "MODIFIED", pod);
    server.push(
        Kind::Event,
        "ADDED",
        json!({"metadata": {"name": "api-0.187a3c5f0e2b5e01", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "api-0", "uid": uid,
                "apiVersion": "v1", "fieldPath": "spec.containers{api}"},
            "reason": "BackOff", "message": format!("Back-off restarting failed container api in pod api-0_shop({uid})"),
            "type": "Warning", "count": 12, "source": {"component": "kubelet", "host": "node-a"},
            "firstTimestamp": ago(540), "lastTimestamp": ago(1)}),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pod_turning_crash_loop_through_watch_events_gets_a_crash_loop_finding_citing_its_log() {
    let mut s = setup(|_| {}).await;
    let first = until(&mut s.session, |u| has(u, &crashing(), "crash-loop")).await;
    assert!(api_diagnosis(&first).is_none(), "api-0 is healthy at first");
    s.server.reset_requests();
    crash_api(&s.server);
    let after = until(&mut s.session, api_crash_loop_found).await;
    let fetched = s.server.request_log().iter().any(|r| {
        r.starts_with("GET /api/v1/namespaces/shop/pods/api-0/log?")
            && r.contains("container=api")
            && r.contains("previous=true")
    });
    assert!(
        fetched,
        "the crashed instance's log was fetched: {:?}",
        s.server.request_log()
    );
    assert!(
        has(&after, &crashing(), "crash-loop"),
        "the old finding stays"
    );
    assert!(live::warnings(&s.session.status).is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn a_dropped_and_compacted_watch_relists_and_carries_on() {
    let mut s = setup(|_| {}).await;
    until(&mut s.session, |u| has(u, &crashing(), "crash-loop")).await;
    // Every watch is cut after one event from now on, and history is compacted: resuming
    // from the old resourceVersion gets 410 Gone, so the watchers must list again.
    s.server.faults().drop_watch_after(1);
    s.server.compact();
    s.server.reset_requests();
    crash_api(&s.server);
    until(&mut s.session, api_crash_loop_found).await;
    let relisted = s
        .server
        .request_log()
        .iter()
        .any(|r| r.starts_with("GET /api/v1/pods?") && !r.contains("watch=true"));
    assert!(
        relisted,
        "pods were listed again: {:?}",
        s.server.request_log()
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn forbidden_events_show_a_degraded_status_and_findings_go_on() {
    let mut s = setup(|server| server.faults().forbid(Kind::Event)).await;
    let u = until(&mut s.session, |u| has(u, &crashing(), "crash-loop")).await;
    assert!(!u.diagnoses.is_empty());
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    let warnings = loop {
        let w = live::warnings(&s.session.status);
        if !w.is_empty() || tokio::time::Instant::now() > deadline {
            break w;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].starts_with("events: forbidden"), "{warnings:?}");
}
