//! The dashboard's `:` commands through its real loop — keys typed into it, frames drawn
//! on a `TestBackend` — against test API servers: `:ctx NAME` connects to the other
//! cluster, `:ns NAME` re-scopes a watch of one namespace and narrows the view of a watch
//! of all of them, and a switch that cannot connect leaves the dashboard where it was.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use crossterm::event::KeyCode;
use k8sops::source::bundle;
use k8sops::watch::{Input, start};
use support::dashboard::{dashboard, live};
use support::{ApiServer, fixture};

/// The fixture's crash-looping pod, as the problems list shows it.
const CRASHING_ROW: &str = "shop/web-7d9f8b6c5d-x2k9p pod";

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

/// Watches of `pods` the server was asked for since its requests were reset.
fn pod_watches(server: &ApiServer, path: &str) -> usize {
    server
        .request_log()
        .iter()
        .filter(|r| r.starts_with(&format!("GET {path}?")) && r.contains("watch=true"))
        .count()
}

#[tokio::test(flavor = "multi_thread")]
async fn ctx_connects_the_dashboard_to_the_other_cluster() {
    let alpha = ApiServer::start(fixture::snapshot()).await;
    let beta = ApiServer::start(bundle::read(&example("oom-killed")).expect("example")).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let session = live(
        dir.path(),
        &[("alpha", &alpha, None), ("beta", &beta, None)],
        true,
    )
    .await;
    dashboard(session, Default::default(), |ui| async move {
        ui.shows(&["ctx alpha", CRASHING_ROW]).await;
        ui.command("ctx beta");
        let screen = ui
            .shows(&["ctx beta", "oom-killed", "shop/web deployment"])
            .await;
        assert!(
            !screen.contains(CRASHING_ROW),
            "alpha's problems are gone:\n{screen}"
        );
        assert!(
            pod_watches(&beta, "/api/v1/pods") > 0,
            "{:?}",
            beta.request_log()
        );
        ui.press(KeyCode::Char('q'));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ns_rescopes_a_watch_of_one_namespace() {
    let server = ApiServer::start(fixture::snapshot()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    // No -n and no -A: the context's namespace is watched, as kubectl would read it.
    let session = live(
        dir.path(),
        &[("alpha", &server, Some("kube-system"))],
        false,
    )
    .await;
    dashboard(session, Default::default(), |ui| async move {
        ui.shows(&["namespace kube-system", "No problems found"])
            .await;
        server.reset_requests();
        ui.command("ns shop");
        ui.shows(&["namespace shop", CRASHING_ROW]).await;
        assert!(
            pod_watches(&server, "/api/v1/namespaces/shop/pods") > 0,
            "{:?}",
            server.request_log()
        );
        ui.command("ns all");
        ui.shows(&["all namespaces", CRASHING_ROW, "kube-system/coredns"])
            .await;
        ui.press(KeyCode::Char('q'));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn ns_narrows_the_view_when_every_namespace_is_watched() {
    let server = ApiServer::start(fixture::snapshot()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let session = live(dir.path(), &[("alpha", &server, None)], true).await;
    dashboard(session, Default::default(), |ui| async move {
        ui.shows(&[CRASHING_ROW, "kube-system/coredns"]).await;
        server.reset_requests();
        ui.command("ns kube-system");
        let screen = ui
            .shows(&[":ns kube-system", "No problems in namespace kube-system"])
            .await;
        assert!(
            !screen.contains("shop/"),
            "pods and events of shop are hidden:\n{screen}"
        );
        assert!(screen.contains("kube-system/coredns"), "{screen}");
        assert_eq!(
            pod_watches(&server, "/api/v1/namespaces/kube-system/pods"),
            0,
            "the watch stays on every namespace"
        );
        ui.command("ns all");
        ui.shows(&[CRASHING_ROW]).await;
        ui.press(KeyCode::Char('q'));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_switch_that_cannot_connect_leaves_the_dashboard_where_it_was() {
    let server = ApiServer::start(fixture::snapshot()).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let session = live(dir.path(), &[("alpha", &server, None)], true).await;
    dashboard(session, Default::default(), |ui| async move {
        ui.shows(&[CRASHING_ROW]).await;
        ui.command("ctx nowhere");
        ui.shows(&[
            "cannot switch to context nowhere",
            "ctx alpha",
            CRASHING_ROW,
        ])
        .await;
        ui.press(KeyCode::Char('q'));
    })
    .await;
}

#[tokio::test(flavor = "multi_thread")]
async fn a_bundle_has_no_context_to_switch_to() {
    let snapshot = bundle::read(&example("oom-killed")).expect("example");
    let input = Input::Bundle {
        snapshot: Box::new(snapshot),
        replay: None,
        hold: true,
    };
    let session = start(input, Duration::from_millis(10))
        .await
        .expect("session starts");
    dashboard(session, Default::default(), |ui| async move {
        ui.shows(&["shop/web deployment"]).await;
        ui.command("ctx prod");
        ui.shows(&["this is a bundle", "shop/web deployment"]).await;
        ui.press(KeyCode::Char('q'));
    })
    .await;
}
