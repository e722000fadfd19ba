//! Publishing the daily report against stand-ins on 127.0.0.1: the Slack incoming webhook
//! (a Block Kit summary, sanitized) and the GitHub issues API (one issue per critical
//! finding, deduplicated by fingerprint across pages of open issues, pull requests ignored,
//! every byte sanitized).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use crate::support::http::RecordingServer;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use k8sops::notify::github_issue::marker;
use serde_json::{Value, json};

const SECRET: &str = "Sup3rS3cret!";
const TOKEN: &str = "ghp_k8sopsReportTestToken000000000000000";
const WEBHOOK: &str = "/services/T0K8SOPS/B0REPORT/w3bh00ks3cr3tpath";

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/report")
        .join(rel)
}

fn fixture(rel: &str) -> Value {
    serde_json::from_str(&std::fs::read_to_string(data(rel)).expect("fixture")).expect("json")
}

/// Runs the binary on the prod fixture with `env`; returns (exit code, stdout, stderr).
async fn daily(args: &[&str], env: &[(&str, String)]) -> (i32, String, String) {
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let mut cmd = assert_cmd::Command::cargo_bin("k8sops").expect("binary");
        cmd.env_remove("KUBECONFIG")
            .env("HOME", std::env::temp_dir())
            .env("PATH", "/nonexistent")
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("K8SOPS_CONFIG")
            .env_remove("K8SOPS_SLACK_WEBHOOK_URL")
            .env_remove("K8SOPS_REPORT_REPO")
            .env_remove("GITHUB_TOKEN")
            .env_remove("GH_TOKEN")
            .env_remove("GITHUB_API_URL")
            .args(["report", "daily", "--from"])
            .arg(data("prod"))
            .args(&args);
        for (k, v) in &env {
            cmd.env(k, v);
        }
        let out = cmd.output().expect("runs");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    })
    .await
    .expect("joins")
}

#[tokio::test(flavor = "multi_thread")]
async fn slack_gets_a_sanitized_block_kit_summary() {
    let server =
        RecordingServer::start(Router::new().route(WEBHOOK, post(|| async { "ok" }))).await;
    let env = [(
        "K8SOPS_SLACK_WEBHOOK_URL",
        format!("{}{WEBHOOK}", server.url()),
    )];
    // Even a report kept raw on this machine is sanitized on its way out.
    let (code, stdout, stderr) = daily(&["--post", "slack", "--no-sanitize"], &env).await;
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(SECRET),
        "the local report was asked to stay raw"
    );
    assert!(stderr.contains("posted the summary to Slack"), "{stderr}");
    let sent = server.requests_to("POST", WEBHOOK);
    assert_eq!(sent.len(), 1);
    assert!(
        !server.everything_sent().contains(SECRET),
        "{}",
        sent[0].body
    );
    let m = sent[0].json();
    assert!(
        m["text"]
            .as_str()
            .expect("text")
            .starts_with("k8sops daily report: B (87/100)"),
        "{m}"
    );
    let blocks = m["blocks"].as_array().expect("blocks");
    assert!(blocks.len() <= 50);
    assert_eq!(blocks[0]["type"], "header");
    assert_eq!(
        blocks[0]["text"]["text"],
        "k8sops daily report — B (87/100)"
    );
    let fields = blocks
        .iter()
        .find(|b| b.get("fields").is_some())
        .expect("a field per cluster");
    assert!(
        fields["fields"][0]["text"]
            .as_str()
            .expect("field")
            .starts_with("*prod*\nB (87)"),
        "{fields}"
    );
    let critical = blocks
        .iter()
        .filter_map(|b| b["text"]["text"].as_str())
        .find(|t| t.starts_with("*Critical issues* (2)"))
        .expect("critical issues listed");
    assert!(
        critical.contains("Deployment shop/orders (prod)"),
        "{critical}"
    );
    assert!(critical.contains("<redacted:password#"), "{critical}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_failed_post_still_writes_the_report_and_says_why() {
    let server = RecordingServer::start(Router::new().route(
        WEBHOOK,
        post(|| async { (StatusCode::NOT_FOUND, "no_service") }),
    ))
    .await;
    let env = [(
        "K8SOPS_SLACK_WEBHOOK_URL",
        format!("{}{WEBHOOK}", server.url()),
    )];
    let (code, stdout, stderr) = daily(&["--post", "slack"], &env).await;
    assert_eq!(code, 2);
    assert!(stdout.starts_with("# k8sops daily report"), "written first");
    assert!(
        stderr.contains("error: Slack: the webhook answered 404"),
        "{stderr}"
    );
    assert!(
        !stderr.contains("w3bh00ks3cr3tpath"),
        "the URL is a secret: {stderr}"
    );

    // Without a webhook the command stops before collecting anything.
    let (code, stdout, stderr) = daily(&["--post", "slack"], &[]).await;
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(stderr.contains("K8SOPS_SLACK_WEBHOOK_URL"), "{stderr}");
}

/// The GitHub stand-in: open issues over two pages (a pull request and an unrelated issue
/// on the first, an earlier k8sops issue on the second), and creation of issues and
/// comments echoing what was sent.
#[derive(Clone)]
struct Repo {
    existing: Arc<Vec<Value>>,
    next: Arc<Mutex<u64>>,
    base: Arc<Mutex<String>>,
}

fn issue(number: u64, title: &str, body: &str, pull_request: bool) -> Value {
    let mut i = fixture("github/issue.json");
    let text = i
        .to_string()
        .replace("/issues/0", &format!("/issues/{number}"));
    i = serde_json::from_str(&text).expect("json");
    i["number"] = number.into();
    i["id"] = (2_718_281_000 + number).into();
    i["title"] = title.into();
    i["body"] = body.into();
    i["user"] = fixture("github/user.json");
    if pull_request {
        i["pull_request"] = json!({
            "url": format!("https://api.github.com/repos/acme/platform/pulls/{number}"),
            "html_url": format!("https://github.com/acme/platform/pull/{number}"),
            "diff_url": format!("https://github.com/acme/platform/pull/{number}.diff"),
            "patch_url": format!("https://github.com/acme/platform/pull/{number}.patch"),
        });
    }
    i
}

async fn list(
    State(repo): State<Repo>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> (HeaderMap, Json<Value>) {
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let mut headers = HeaderMap::new();
    let items: Vec<Value> = match page {
        1 => {
            let base = repo.base.lock().expect("base").clone();
            let next = format!(
                "<{base}/api/v3/repos/acme/platform/issues?state=open&labels=k8sops&per_page=100&page=2>; rel=\"next\", <{base}/api/v3/repos/acme/platform/issues?state=open&labels=k8sops&per_page=100&page=2>; rel=\"last\""
            );
            headers.insert("link", next.parse().expect("header"));
            repo.existing[..2].to_vec()
        }
        2 => repo.existing[2..].to_vec(),
        _ => Vec::new(),
    };
    (headers, Json(Value::Array(items)))
}

async fn create(State(repo): State<Repo>, Json(sent): Json<Value>) -> (StatusCode, Json<Value>) {
    let mut next = repo.next.lock().expect("next");
    *next += 1;
    let mut i = issue(
        *next,
        sent["title"].as_str().unwrap_or(""),
        sent["body"].as_str().unwrap_or(""),
        false,
    );
    i["labels"][0]["name"] = sent["labels"][0].clone();
    (StatusCode::CREATED, Json(i))
}

async fn comment(Path(number): Path<u64>, Json(sent): Json<Value>) -> (StatusCode, Json<Value>) {
    let mut c = fixture("github/comment.json");
    let text = c
        .to_string()
        .replace("/issues/0", &format!("/issues/{number}"))
        .replace(
            "issuecomment-0",
            &format!("issuecomment-{}", 90_000 + number),
        );
    c = serde_json::from_str(&text).expect("json");
    c["id"] = (90_000 + number).into();
    c["body"] = sent["body"].clone();
    c["user"] = fixture("github/user.json");
    (StatusCode::CREATED, Json(c))
}

/// The fingerprints of the prod fixture's critical issues, from the report itself.
async fn critical_fingerprints() -> Vec<(String, String)> {
    let (code, stdout, stderr) = daily(&["--format", "json"], &[]).await;
    assert_eq!(code, 0, "{stderr}");
    let v: Value = serde_json::from_str(&stdout).expect("json");
    v["clusters"][0]["issues"]
        .as_array()
        .expect("issues")
        .iter()
        .filter(|i| i["severity"] == "critical")
        .map(|i| {
            (
                i["subject"]["name"].as_str().expect("name").to_string(),
                i["fingerprint"].as_str().expect("fingerprint").to_string(),
            )
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread")]
async fn critical_findings_become_one_issue_each_and_open_ones_get_a_comment() {
    let fps = critical_fingerprints().await;
    let orders = fps
        .iter()
        .find(|(n, _)| n == "orders")
        .expect("orders")
        .1
        .clone();
    let job = fps
        .iter()
        .find(|(n, _)| n == "report-export-20261120")
        .expect("job")
        .1
        .clone();
    let earlier = format!("Earlier report body\n\n{}\n", marker(&orders));
    let repo = Repo {
        existing: Arc::new(vec![
            // A pull request that quotes the marker is not the issue.
            issue(7, "Bump orders to 3.2.0", &earlier, true),
            issue(12, "Flaky login test", "unrelated", false),
            issue(
                41,
                "k8sops: rollout-stuck on Deployment shop/orders (prod)",
                &earlier,
                false,
            ),
        ]),
        next: Arc::new(Mutex::new(41)),
        base: Arc::default(),
    };
    let server = RecordingServer::start(
        Router::new()
            .route("/api/v3/repos/acme/platform/issues", get(list).post(create))
            .route(
                "/api/v3/repos/acme/platform/issues/{number}/comments",
                post(comment),
            )
            .with_state(repo.clone()),
    )
    .await;
    *repo.base.lock().expect("base") = server.url();
    let env = [
        ("GITHUB_API_URL", format!("{}/api/v3", server.url())),
        ("GITHUB_TOKEN", TOKEN.to_string()),
    ];
    let (code, _, stderr) = daily(
        &["--create-issue", "--repo", "acme/platform", "--no-sanitize"],
        &env,
    )
    .await;
    assert_eq!(code, 0, "{stderr}");

    let listed = server.requests_to("GET", "/api/v3/repos/acme/platform/issues");
    assert_eq!(listed.len(), 2, "both pages were read");
    assert!(
        listed[0].query.contains("state=open") && listed[0].query.contains("labels=k8sops"),
        "{}",
        listed[0].query
    );
    assert!(listed[1].query.contains("page=2"), "{}", listed[1].query);
    assert!(
        listed[0]
            .header("authorization")
            .is_some_and(|a| a.ends_with(TOKEN))
    );

    // The open issue for orders got a comment, not a twin; the pull request nothing.
    let comments = server.requests_to("POST", "/api/v3/repos/acme/platform/issues/41/comments");
    assert_eq!(comments.len(), 1);
    let comment = comments[0].json()["body"]
        .as_str()
        .expect("body")
        .to_string();
    assert!(
        comment.starts_with("Still critical in the k8sops daily report of 2026-11-23 09:20 UTC"),
        "{comment}"
    );
    assert!(
        server
            .requests_to("POST", "/api/v3/repos/acme/platform/issues/7/comments")
            .is_empty()
    );

    // The failed Job had no issue: one was created, labelled, with its marker.
    let created = server.requests_to("POST", "/api/v3/repos/acme/platform/issues");
    assert_eq!(created.len(), 1);
    let new = created[0].json();
    assert_eq!(
        new["title"],
        "k8sops: job-failed on Job batch/report-export-20261120 (prod)"
    );
    assert_eq!(new["labels"], json!(["k8sops"]));
    let body = new["body"].as_str().expect("body");
    assert!(body.trim_end().ends_with(&marker(&job)), "{body}");
    assert!(body.contains("**Cause**"), "{body}");
    assert!(
        stderr.contains("created acme/platform#42")
            && stderr.contains("commented on acme/platform#41"),
        "{stderr}"
    );

    // The orders cause quotes a log line with the database password: never sent.
    assert!(!server.everything_sent().contains(SECRET));
    assert!(comment.contains("<redacted:password#"), "{comment}");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_repository_comes_from_the_environment_and_is_checked_before_collecting() {
    // K8SOPS_REPORT_REPO as a CronJob sets it; a bad value names where it came from.
    let env = [
        ("K8SOPS_REPORT_REPO", "not-a-repo".to_string()),
        ("GITHUB_TOKEN", TOKEN.to_string()),
    ];
    let (code, stdout, stderr) = daily(&["--create-issue"], &env).await;
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "nothing collected or written");
    assert!(
        stderr.starts_with(
            "error: [report] repo / K8SOPS_REPORT_REPO: 'not-a-repo' is not OWNER/NAME"
        ),
        "{stderr}"
    );

    // No token anywhere (and no gh on PATH): said before anything is collected.
    let env = [("K8SOPS_REPORT_REPO", "acme/platform".to_string())];
    let (code, stdout, stderr) = daily(&["--create-issue"], &env).await;
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("no GitHub token") && stderr.contains("hint: "),
        "{stderr}"
    );
}
