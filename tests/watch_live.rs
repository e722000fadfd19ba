//! The watch engine against the test API server, through real `kube::runtime` watchers:
//! a pod turning CrashLoopBackOff by pushed watch events gets its finding; a dropped and
//! compacted watch relists and carries on; a 403 on events shows a degraded status.

mod support;

use std::time::Duration;

use k8sops::model::Kind;
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

/// A diagnosis about api-0 (healthy in the fixture, so only the pushed crash makes one).
fn api_crash_found(u: &Update) -> bool {
    u.diagnoses.iter().any(|d| {
        d.subject.to_string() == "Pod shop/api-0"
            && d.severity == k8sops::analyze::Severity::Critical
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

/// `api-0` crash-looping: a MODIFIED pod and the kubelet's BackOff event.
fn crash_api(server: &ApiServer) {
    let mut pod = server
        .object(Kind::Pod, "shop", "api-0")
        .expect("api-0 is served");
    pod["status"]["containerStatuses"][0] = json!({
        "name": "api", "ready": false, "restartCount": 6, "image": "registry.example.com/shop/api:2.4.1",
        "imageID": "", "containerID": "containerd://api1",
        "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 5m0s restarting failed container=api"}},
        "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
            "startedAt": "2026-11-23T09:18:00Z", "finishedAt": "2026-11-23T09:18:02Z"}},
    });
    server.push(Kind::Pod, "MODIFIED", pod);
    server.push(
        Kind::Event,
        "ADDED",
        json!({"metadata": {"name": "api-0.187a3c5f0e2b5e01", "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": "api-0", "apiVersion": "v1"},
            "reason": "BackOff", "message": "Back-off restarting failed container api in pod api-0_shop",
            "type": "Warning", "count": 12, "source": {"component": "kubelet", "host": "node-a"},
            "firstTimestamp": "2026-11-23T09:10:00Z", "lastTimestamp": "2026-11-23T09:19:30Z"}),
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_pod_turning_crash_loop_through_watch_events_gets_its_finding() {
    let mut s = setup(|_| {}).await;
    let first = until(&mut s.session, |u| has(u, &crashing(), "crash-loop")).await;
    assert!(!api_crash_found(&first), "api-0 is healthy at first");
    crash_api(&s.server);
    let after = until(&mut s.session, api_crash_found).await;
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
    until(&mut s.session, api_crash_found).await;
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
