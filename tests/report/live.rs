//! `report daily` against live clusters: the test API server serves the prod fixture through
//! the real REST paths, plus metrics.k8s.io when a test says so. Usage feeds resource use
//! and right-sizing; a cluster without metrics-server gets a note, never a failure; several
//! contexts give a section each, and an unreachable one a partial report (exit 3).

use std::path::{Path, PathBuf};

use crate::support::ApiServer;
use k8sops::source::bundle;
use serde_json::Value;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(rel)
}

fn metrics(file: &str) -> Value {
    let text = std::fs::read_to_string(data("tests/data/report/prod-metrics").join(file))
        .expect("metrics fixture");
    serde_json::from_str(&text).expect("json")
}

async fn serve(bundle_dir: &str) -> ApiServer {
    ApiServer::start(bundle::read(&data(bundle_dir)).expect("bundle reads")).await
}

/// A kubeconfig with one context per (name, server URL).
fn kubeconfig(dir: &Path, contexts: &[(&str, String)]) -> PathBuf {
    let mut clusters = String::new();
    let mut ctxs = String::new();
    for (name, url) in contexts {
        clusters.push_str(&format!("- name: {name}\n  cluster:\n    server: {url}\n"));
        ctxs.push_str(&format!(
            "- name: {name}\n  context:\n    cluster: {name}\n    user: tester\n"
        ));
    }
    let text = format!(
        "apiVersion: v1\nkind: Config\nclusters:\n{clusters}users:\n- name: tester\n  user:\n    token: {}\ncontexts:\n{ctxs}current-context: {}\n",
        crate::support::apiserver::TOKEN,
        contexts[0].0
    );
    let path = dir.join("kubeconfig");
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

async fn daily(kubeconfig: &Path, args: &[&str]) -> (i32, String, String) {
    let kubeconfig = kubeconfig.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    tokio::task::spawn_blocking(move || {
        let out = assert_cmd::Command::cargo_bin("k8sops")
            .expect("binary")
            .env("KUBECONFIG", &kubeconfig)
            .env("HOME", std::env::temp_dir())
            .env_remove("KUBERNETES_SERVICE_HOST")
            .env_remove("K8SOPS_CONFIG")
            .env_remove("XDG_CONFIG_HOME")
            .args([
                "report",
                "daily",
                "-A",
                "--format",
                "json",
                "--timeout",
                "20s",
            ])
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

fn parse(stdout: &str) -> Value {
    serde_json::from_str(stdout).expect("report JSON")
}

#[tokio::test(flavor = "multi_thread")]
async fn usage_from_metrics_server_feeds_resource_use_and_right_sizing() {
    let server = serve("tests/data/report/prod").await;
    server
        .metrics()
        .serve(metrics("nodes.json"), metrics("pods.json"));
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = kubeconfig(dir.path(), &[("prod", server.url())]);
    let (code, stdout, stderr) = daily(&kc, &[]).await;
    assert_eq!(code, 0, "{stderr}");
    let log = server.request_log();
    assert!(
        log.iter()
            .any(|r| r == "GET /apis/metrics.k8s.io/v1beta1/nodes"),
        "{log:#?}"
    );
    assert!(
        log.iter()
            .any(|r| r == "GET /apis/metrics.k8s.io/v1beta1/pods"),
        "{log:#?}"
    );

    let v = parse(&stdout);
    let c = &v["clusters"][0];
    assert_eq!(c["name"], "prod");
    assert!(c["resources"].get("notes").is_none(), "{}", c["resources"]);
    let node_a = &c["resources"]["nodes"][0];
    // 412639587n of cpu and 3981320Ki of memory, as metrics-server said.
    assert_eq!(node_a["usage"]["cpu_millicores"], 413);
    assert_eq!(node_a["usage"]["memory_bytes"], 3_981_320u64 * 1024);
    let shop = c["resources"]["namespaces"]
        .as_array()
        .expect("namespaces")
        .iter()
        .find(|n| n["name"] == "shop")
        .expect("shop");
    // Three web pods and two running orders pods; the crash-looping one has no sample.
    assert_eq!(shop["usage"]["cpu_millicores"], 38 + 42 + 35 + 61 + 58);

    let recs = c["recommendations"].as_array().expect("recommendations");
    let web = recs
        .iter()
        .find(|r| r["kind"] == "right-size" && r["subject"]["name"] == "web")
        .expect("web is over-provisioned");
    assert_eq!(
        web["summary"],
        "container web: cpu request 500m → 60m, memory request 512Mi → 240Mi"
    );
    let math = web["arithmetic"].as_str().expect("arithmetic");
    assert!(math.starts_with("cpu: observed 42m (the largest of 3 pods) × 1.3 = 55m → 60m; requested 500m (8.3× over; frees 440m × 3 replicas = 1320m)"), "{math}");
    assert!(
        math.contains("memory: observed 180Mi (the largest of 3 pods) × 1.3 = 234Mi → 240Mi"),
        "{math}"
    );
    let orders = recs
        .iter()
        .find(|r| r["kind"] == "missing-limits" && r["subject"]["name"] == "orders")
        .expect("orders has no limits");
    assert!(
        orders["arithmetic"]
            .as_str()
            .expect("arithmetic")
            .contains("orders: observed 235Mi × 1.5 = 353Mi → memory limit 384Mi"),
        "{orders}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_metrics_server_usage_is_a_note_not_a_failure() {
    let server = serve("tests/data/report/prod").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = kubeconfig(dir.path(), &[("prod", server.url())]);
    // Never set: 404, as in a cluster without metrics-server.
    let (code, stdout, stderr) = daily(&kc, &[]).await;
    assert_eq!(code, 0, "not partial: {stderr}");
    let notes = parse(&stdout)["clusters"][0]["resources"]["notes"].clone();
    assert_eq!(
        notes[0],
        "no usage: metrics.k8s.io is not served (no metrics-server in this cluster)"
    );
    assert!(!stderr.contains("warning"), "{stderr}");

    server.metrics().forbid();
    let (code, stdout, stderr) = daily(&kc, &[]).await;
    assert_eq!(code, 0, "{stderr}");
    let notes = parse(&stdout)["clusters"][0]["resources"]["notes"].to_string();
    assert!(
        notes.contains(r#"missing RBAC verb \"list\" on \"nodes.metrics.k8s.io\""#),
        "{notes}"
    );
    assert!(notes.contains("pods.metrics.k8s.io"), "{notes}");

    server.metrics().unavailable();
    let (code, stdout, _) = daily(&kc, &[]).await;
    assert_eq!(code, 0);
    let md_notes = parse(&stdout)["clusters"][0]["resources"]["notes"][0].clone();
    assert_eq!(
        md_notes,
        "no usage: metrics.k8s.io did not answer within 5s (metrics-server down or overloaded?)"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn several_contexts_give_a_section_each_and_an_unreachable_one_a_partial_report() {
    let prod = serve("tests/data/report/prod").await;
    let staging = serve("examples/oom-killed").await;
    let dir = tempfile::tempdir().expect("tempdir");
    let kc = kubeconfig(
        dir.path(),
        &[
            ("prod", prod.url()),
            ("staging", staging.url()),
            // Nothing listens on port 9.
            ("gone", "http://127.0.0.1:9".to_string()),
        ],
    );
    // The examples were captured days ago; live collection dates the report now.
    let (code, stdout, stderr) = daily(
        &kc,
        &[
            "--context",
            "prod",
            "--context",
            "staging",
            "--since",
            "30d",
        ],
    )
    .await;
    assert_eq!(code, 0, "{stderr}");
    let v = parse(&stdout);
    let names: Vec<&str> = v["clusters"]
        .as_array()
        .expect("clusters")
        .iter()
        .map(|c| c["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names, ["prod", "staging"]);
    let staging_issue = &v["clusters"][1]["issues"][0];
    assert_eq!(staging_issue["category"], "oom-killed");
    assert_eq!(staging_issue["subject"]["name"], "web");
    // The overall score adds the two clusters' tallies.
    let pods_checked = |c: &Value| -> u64 {
        let s = &c["score"]["sections"][0];
        s["passed"].as_u64().unwrap_or(0)
            + s["warned"].as_u64().unwrap_or(0)
            + s["failed"].as_u64().unwrap_or(0)
    };
    assert_eq!(v["score"]["sections"][0]["name"], "pods");
    assert_eq!(
        pods_checked(&v),
        pods_checked(&v["clusters"][0]) + pods_checked(&v["clusters"][1])
    );

    let (code, stdout, stderr) = daily(&kc, &["--all-contexts"]).await;
    assert_eq!(code, 3, "partial: {stderr}");
    let v = parse(&stdout);
    assert_eq!(v["clusters"].as_array().map(Vec::len), Some(3));
    let gone = &v["clusters"][2];
    assert_eq!(gone["name"], "gone");
    assert!(gone.get("score").is_none());
    assert!(
        gone["error"]
            .as_str()
            .expect("error")
            .contains("cannot reach the API server http://127.0.0.1:9"),
        "{gone}"
    );
    assert!(
        stderr.contains("warning: gone: cannot reach the API server"),
        "{stderr}"
    );

    // One context alone that cannot be read is an error, as in diagnose.
    let (code, stdout, stderr) = daily(&kc, &["--context", "gone"]).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("error: cannot reach the API server"),
        "{stderr}"
    );
}
