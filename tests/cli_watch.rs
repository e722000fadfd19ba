//! `k8sops watch` through the binary: headless JSON lines from a bundle and from a replay,
//! and the dashboard refusing to start without a terminal.

mod support;

use std::path::PathBuf;

fn example(name: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

fn k8sops(args: &[&str]) -> (i32, String, String) {
    let out = assert_cmd::Command::cargo_bin("k8sops")
        .expect("binary")
        .env_remove("K8SOPS_CONFIG")
        .env("HOME", "/nonexistent")
        .args(args)
        .output()
        .expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn lines(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not a JSON line ({e}): {l}")))
        .collect()
}

#[test]
fn headless_on_a_bundle_prints_the_oom_finding_as_a_new_json_line() {
    let (code, stdout, stderr) = k8sops(&["watch", "--headless", "--from", &example("oom-killed")]);
    assert_eq!(code, 0, "{stderr}");
    let found = lines(&stdout);
    let oom = found
        .iter()
        .find(|l| l["type"] == "new" && l["category"] == "oom-killed")
        .unwrap_or_else(|| panic!("no new oom-killed line in {stdout}"));
    assert_eq!(oom["subject"]["name"], "web");
    assert!(
        oom["fingerprint"]
            .as_str()
            .unwrap_or("")
            .starts_with("shop/oom-killed/")
    );
    assert!(found.iter().all(|l| l["type"] != "resolved"), "{stdout}");
}

#[test]
fn headless_replay_announces_findings_in_time_order() {
    let (code, stdout, stderr) = k8sops(&[
        "watch",
        "--headless",
        "--from",
        &example("crash-loop"),
        "--replay",
        "--speed",
        "0",
    ]);
    assert_eq!(code, 0, "{stderr}");
    let found = lines(&stdout);
    assert!(
        found
            .iter()
            .any(|l| l["type"] == "new" && l["category"] == "crash-loop"),
        "{stdout}"
    );
    let times: Vec<String> = found
        .iter()
        .map(|l| l["at"].as_str().unwrap_or("").to_string())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "lines come in replay time order");
}

#[test]
fn the_dashboard_without_a_terminal_is_a_usage_error_with_a_hint() {
    let (code, _, stderr) = k8sops(&["watch", "--from", &example("oom-killed")]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("needs a terminal"), "{stderr}");
    assert!(
        stderr.contains("hint: ") && stderr.contains("--headless"),
        "{stderr}"
    );
}

#[test]
fn replay_without_a_bundle_is_refused() {
    let (code, _, stderr) = k8sops(&["watch", "--headless", "--replay"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--from"), "{stderr}");
}

#[tokio::test(flavor = "multi_thread")]
async fn headless_slack_posts_each_new_finding_sanitized_to_the_webhook() {
    use axum::Router;
    use axum::routing::post;
    let server = support::http::RecordingServer::start(
        Router::new().route("/services/T1/B1/x", post(|| async { "ok" })),
    )
    .await;
    let url = format!("{}/services/T1/B1/x", server.url());
    let bundle = example("oom-killed");
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("k8sops")
            .expect("binary")
            .env_remove("K8SOPS_CONFIG")
            .env("HOME", "/nonexistent")
            .env("K8SOPS_SLACK_WEBHOOK_URL", url)
            .args(["watch", "--headless", "--slack", "--from", &bundle])
            .output()
            .expect("runs")
    })
    .await
    .expect("joins");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let posts = server.requests_to("POST", "/services/T1/B1/x");
    assert!(!posts.is_empty(), "nothing was posted");
    let sent = server.everything_sent();
    assert!(
        sent.contains("oom-killed") && sent.contains("Deployment shop/web"),
        "{sent}"
    );
}

#[test]
fn slack_without_a_webhook_is_a_config_error() {
    let (code, _, stderr) = k8sops(&[
        "watch",
        "--headless",
        "--slack",
        "--from",
        &example("oom-killed"),
    ]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("K8SOPS_SLACK_WEBHOOK_URL"), "{stderr}");
}
