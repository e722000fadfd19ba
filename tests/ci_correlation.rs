//! The cluster ↔ CI join inside `k8sops diagnose`: on the example bundle whose image tag
//! carries the SHA of a failed build (`examples/ci-failed-build`), on variants of it built
//! here, and live — the cluster from the test API server, the runs from a GitHub stand-in —
//! through `diagnose` and `snapshot` and back from the written bundle.

mod support;

use std::path::{Path, PathBuf};

use k8sops::source::bundle;
use serde_json::Value;
use support::ApiServer;
use support::github_actions::{self as github, BUILD_RUN, E2E_RUN, Options, TOKEN, UNRELATED_RUN};
use support::http::RecordingServer;

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/ci-failed-build")
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn command(home: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("k8sops").expect("binary");
    cmd.current_dir(home)
        .env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("K8SOPS_CONFIG")
        .env_remove("K8SOPS_CI_REPO")
        .env_remove("GITHUB_TOKEN")
        .env_remove("GH_TOKEN")
        .env_remove("GITHUB_API_URL")
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("NO_COLOR", "1");
    cmd
}

fn diagnose_json(bundle: &Path) -> Value {
    let home = tempfile::tempdir().expect("tempdir");
    let out = command(home.path())
        .args(["diagnose", "-o", "json", "--from"])
        .arg(bundle)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("json")
}

fn web(doc: &Value) -> &Value {
    doc["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|d| d["subject"]["kind"] == "Deployment" && d["subject"]["name"] == "web")
        .unwrap_or_else(|| panic!("no diagnosis for Deployment web: {doc:#}"))
}

fn categories(d: &Value) -> Vec<String> {
    d["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .map(|h| h["category"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[test]
fn a_missing_image_is_linked_to_the_build_run_that_failed_to_push_it() {
    let doc = diagnose_json(&example());
    assert_eq!(doc["apiVersion"], "k8sops/v1");
    assert_eq!(doc["items"].as_array().map(Vec::len), Some(1), "{doc:#}");
    let d = web(&doc);
    let top = &d["hypotheses"][0];
    assert_eq!(top["category"], "ci-failure");
    let cause = top["cause"].as_str().unwrap_or_default();
    for mention in [
        "web:main-4f2c9e1",
        "run #812 of build.yml",
        "commit 4f2c9e1",
        "\"Build and push image\"",
        "npm ci --omit=dev",
        "no run of build.yml succeeded",
    ] {
        assert!(cause.contains(mention), "{mention:?} in {cause}");
    }
    assert!(
        !cause.contains("e2e.yml"),
        "the failed e2e run on the same commit pushes no image: {cause}"
    );
    assert_eq!(
        categories(d)[1],
        "image-pull",
        "the pull error is the symptom, next in line"
    );
    let sources: Vec<&str> = top["evidence"]
        .as_array()
        .expect("ids")
        .iter()
        .filter_map(|id| {
            d["evidence"].as_array()?.iter().find(|e| e["id"] == *id)?["source"].as_str()
        })
        .collect();
    assert!(
        sources.contains(&"ci-log") && sources.contains(&"status"),
        "{sources:?}"
    );
    assert_eq!(
        top["remedy"]["change"]["to"], "ghcr.io/acme/web:main-9b1d3a7",
        "roll back to the image that ran"
    );
}

#[test]
fn the_same_bundle_without_ci_runs_reads_as_an_image_pull_as_before() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let old = tmp.path().join("old");
    copy_dir(&example(), &old);
    std::fs::remove_dir_all(old.join("ci")).expect("rm ci");
    let doc = diagnose_json(&old);
    assert_eq!(categories(web(&doc))[0], "image-pull");
    assert!(
        !doc.to_string().contains("ci-failure"),
        "nothing about CI without runs"
    );
}

#[test]
fn a_failed_deploy_of_the_running_commit_is_shown_below_the_cluster_cause() {
    // The image was built (build.yml succeeded) and deploy.yml failed in its Helm step: the
    // link is context, the cluster's own cause stays first.
    let tmp = tempfile::tempdir().expect("tempdir");
    let dir = tmp.path().join("deploy-failed");
    copy_dir(&example(), &dir);
    let path = dir.join("ci/runs.json");
    let mut doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("read")).expect("json");
    let runs = doc["runs"].as_array_mut().expect("runs");
    runs.retain(|r| r["workflow_file"] != "e2e.yml");
    for r in runs.iter_mut() {
        match r["workflow_file"].as_str() {
            Some("build.yml") => {
                r["conclusion"] = "success".into();
                r.as_object_mut().expect("run").remove("jobs");
            }
            Some("deploy.yml") => {
                r["conclusion"] = "failure".into();
                r["jobs"] = serde_json::json!([{
                    "id": 33512940077u64, "name": "deploy", "status": "completed", "conclusion": "failure",
                    "url": format!("{}/job/33512940077", r["url"].as_str().unwrap_or_default()),
                    "steps": [
                        {"number": 1, "name": "Set up job", "status": "completed", "conclusion": "success"},
                        {"number": 2, "name": "Deploy with Helm", "status": "completed", "conclusion": "failure"}],
                    "failure": {"kind": "deploy", "step": "Deploy with Helm",
                                "first_error": "Error: UPGRADE FAILED: timed out waiting for the condition",
                                "excerpt": ["Error: UPGRADE FAILED: timed out waiting for the condition"],
                                "source": "job-log"}}]);
            }
            _ => {}
        }
    }
    std::fs::write(&path, serde_json::to_vec_pretty(&doc).expect("json")).expect("write");
    let d = web(&diagnose_json(&dir)).clone();
    let cats = categories(&d);
    assert_eq!(cats[0], "image-pull", "{cats:?}");
    let link = d["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .find(|h| h["category"] == "ci-failure")
        .unwrap_or_else(|| panic!("no ci-failure hypothesis: {cats:?}"));
    assert_eq!(
        link["cause"],
        "web:main-4f2c9e1 was deployed by run #377 of deploy.yml, whose deploy step \"Deploy with Helm\" failed (Error: UPGRADE FAILED: timed out waiting for the condition)."
    );
    assert!(
        link["confidence"].as_f64() < d["hypotheses"][0]["confidence"].as_f64(),
        "{d:#}"
    );
}

/// The example as the cluster serves it: the runs come from GitHub, not the bundle.
fn cluster() -> k8sops::model::Snapshot {
    let mut snapshot = bundle::read(&example()).expect("example reads");
    snapshot.ci = None;
    snapshot
}

#[tokio::test(flavor = "multi_thread")]
async fn live_diagnose_and_snapshot_collect_the_runs_of_the_failing_commit() {
    let kube = ApiServer::start(cluster()).await;
    let gh = RecordingServer::start(github::router(Options::default())).await;
    let home = tempfile::tempdir().expect("tempdir");
    let kubeconfig = kube.write_kubeconfig(home.path(), "test");
    let api = format!("{}/api/v3", gh.url());
    let bundle_dir = home.path().join("bundle");
    let run = |args: Vec<String>| {
        let home = home.path().to_path_buf();
        let (kubeconfig, api) = (kubeconfig.clone(), api.clone());
        tokio::task::spawn_blocking(move || {
            let out = command(&home)
                .env("KUBECONFIG", &kubeconfig)
                .env("GITHUB_API_URL", &api)
                .env("GITHUB_TOKEN", TOKEN)
                .args(&args)
                .output()
                .expect("runs");
            (
                out.status.code().unwrap_or(-1),
                String::from_utf8_lossy(&out.stdout).into_owned(),
                String::from_utf8_lossy(&out.stderr).into_owned(),
            )
        })
    };
    let args = |a: &[&str]| a.iter().map(|s| s.to_string()).collect::<Vec<_>>();

    let (code, stdout, stderr) = run(args(&[
        "diagnose",
        "-A",
        "--ci-repo",
        "acme/web",
        "-o",
        "json",
    ]))
    .await
    .expect("joins");
    assert_eq!(code, 0, "{stderr}");
    let doc: Value = serde_json::from_str(&stdout).expect("json");
    assert_eq!(doc["warnings"], serde_json::json!([]), "{stderr}");
    let top = &web(&doc)["hypotheses"][0];
    assert_eq!(top["category"], "ci-failure");
    assert!(
        top["cause"]
            .as_str()
            .is_some_and(|c| c.contains("run #812 of build.yml")),
        "{top:#}"
    );

    // One page of recent runs names the commit; only its failed runs are looked into.
    let runs = "/api/v3/repos/acme/web/actions/runs";
    let listed: Vec<String> = gh
        .requests_to("GET", runs)
        .into_iter()
        .map(|r| r.query)
        .collect();
    assert_eq!(listed, vec!["per_page=100&page=1"]);
    for id in [BUILD_RUN, E2E_RUN] {
        assert_eq!(
            gh.requests_to("GET", &format!("{runs}/{id}/jobs")).len(),
            1,
            "{id}"
        );
    }
    assert!(
        gh.requests_to("GET", &format!("{runs}/{UNRELATED_RUN}/jobs"))
            .is_empty(),
        "a failed run of another commit is none of this workload's business"
    );

    // The bundle carries the runs; read offline it says the same.
    let (code, _, stderr) = run(args(&[
        "snapshot",
        "-A",
        "--ci-repo",
        "acme/web",
        "-o",
        bundle_dir.to_str().expect("utf8"),
    ]))
    .await
    .expect("joins");
    assert_eq!(code, 0, "{stderr}");
    let written: Value = serde_json::from_str(
        &std::fs::read_to_string(bundle_dir.join("ci/runs.json")).expect("ci/runs.json written"),
    )
    .expect("json");
    assert_eq!(written["apiVersion"], "k8sops/v1");
    assert_eq!(written["repo"], "acme/web");
    assert!(
        written.get("kind").is_none(),
        "older readers skip a file without kind"
    );
    let offline = diagnose_json(&bundle_dir);
    assert_eq!(web(&offline)["hypotheses"][0]["cause"], top["cause"]);
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_token_live_diagnose_stays_quiet_about_ci() {
    let Some(git_bin) = support::tool::require(&support::tool::GIT) else {
        return;
    };
    let kube = ApiServer::start(cluster()).await;
    let home = tempfile::tempdir().expect("tempdir");
    let kubeconfig = kube.write_kubeconfig(home.path(), "test");
    let out = tokio::task::spawn_blocking(move || {
        // A clone of acme/web on github.com, but no token (HOME is empty, so `gh` has none).
        let dir = home.path();
        let git = |a: &[&str]| {
            std::process::Command::new(&git_bin)
                .arg("-C")
                .arg(dir)
                .args(a)
                .output()
                .expect("git")
        };
        git(&["init", "-q"]);
        git(&["remote", "add", "origin", "git@github.com:acme/web.git"]);
        command(dir)
            .env("KUBECONFIG", &kubeconfig)
            .env_remove("GH_CONFIG_DIR")
            .args(["diagnose", "-A", "-o", "json"])
            .output()
            .expect("runs")
    })
    .await
    .expect("joins");
    assert_eq!(out.status.code(), Some(0));
    let doc: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(doc["warnings"], serde_json::json!([]));
    assert_eq!(categories(web(&doc))[0], "image-pull");
}
