//! `k8sops diagnose` with the LLM engine, end to end through the binary against a local
//! OpenAI-compatible server: the outbound guard (no secret of the sanitizer corpus reaches
//! any request body), nothing configured (rules only, said once, the same JSON), a half
//! configuration (exit 2 with a hint), Ctrl-C (the rules result and exit 130), and what the
//! terminal shows of the LLM's hypotheses and usage.

mod support;

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::llm_server::{LlmServer, Reply};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The binary with a clean environment: no kubeconfig, no user config, no LLM variables.
fn k8sops(home: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("k8sops"));
    for var in [
        "KUBECONFIG",
        "XDG_CONFIG_HOME",
        "XDG_CACHE_HOME",
        "K8SOPS_CONFIG",
        "KUBERNETES_SERVICE_HOST",
        "K8SOPS_LLM_BASE_URL",
        "K8SOPS_LLM_MODEL",
        "K8SOPS_LLM_API_KEY",
        "K8SOPS_LLM_MODE",
        "OPENAI_API_KEY",
        "AZURE_OPENAI_ENDPOINT",
        "AZURE_OPENAI_API_KEY",
    ] {
        cmd.env_remove(var);
    }
    cmd.env("HOME", home).env("NO_COLOR", "1");
    cmd
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

async fn run(mut cmd: std::process::Command) -> Run {
    tokio::task::spawn_blocking(move || {
        let out = cmd.output().expect("runs");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("joins")
}

fn answer(evidence: &str) -> String {
    json!({"hypotheses": [{"cause": "orders reads PAYMENT_API_URL, which the Deployment does not set",
        "category": "crash-loop", "confidence": 0.7, "evidence": [evidence],
        "fix": ["set PAYMENT_API_URL"], "prevention": [], "remedy": null}],
        "explanation": "orders dies at import time on a missing variable."})
    .to_string()
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Every secret of the sanitizer corpus, the lines that carry them, and the PEM blocks.
fn corpus() -> (Vec<String>, Vec<String>, Vec<String>) {
    let data = root().join("tests/data/sanitize");
    let mut secrets = Vec::new();
    let mut lines = Vec::new();
    for row in read(&data.join("positives.tsv")).lines() {
        if row.starts_with('#') || row.is_empty() {
            continue;
        }
        let mut cols = row.splitn(3, '\t');
        let (Some(_), Some(s), Some(line)) = (cols.next(), cols.next(), cols.next()) else {
            panic!("malformed corpus row {row}");
        };
        secrets.extend(s.split("|||").map(str::to_string));
        lines.push(line.to_string());
    }
    let mut keys = Vec::new();
    for block in read(&data.join("private_keys.txt")).split("%%") {
        secrets.extend(
            block
                .lines()
                .map(str::trim)
                // Body lines: base64 only (the corpus test's definition).
                .filter(|l| {
                    l.len() >= 16
                        && l.bytes()
                            .all(|b| b.is_ascii_alphanumeric() || b"+/=".contains(&b))
                })
                .map(str::to_string),
        );
        keys.push(block.trim().to_string());
    }
    (secrets, lines, keys)
}

/// The crash-loop example with every corpus line in the failing pods' logs, env values,
/// annotations and event messages, and every private key in the logs and env values.
fn seeded_bundle(dir: &Path, lines: &[String], keys: &[String]) {
    copy_dir(&root().join("examples/crash-loop"), dir);
    let shop = dir.join("shop");
    let mut pods: Value = serde_json::from_str(&read(&shop.join("pods.json"))).expect("pods");
    let mut orders = Vec::new();
    for pod in pods["items"].as_array_mut().expect("items") {
        let name = pod["metadata"]["name"].as_str().unwrap_or("").to_string();
        if !name.starts_with("orders-") {
            continue;
        }
        let annotations = pod["metadata"]["annotations"].as_object_mut();
        let mut map = annotations.cloned().unwrap_or_default();
        for (i, l) in lines.iter().enumerate().take(60) {
            map.insert(format!("seed.k8sops.io/line-{i}"), json!(l));
        }
        pod["metadata"]["annotations"] = Value::Object(map);
        let env = pod["spec"]["containers"][0]["env"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        let mut env = env;
        for (i, l) in lines.iter().chain(keys).enumerate() {
            env.push(json!({"name": format!("SEEDED_{i}"), "value": l}));
        }
        pod["spec"]["containers"][0]["env"] = Value::Array(env);
        orders.push(name);
    }
    std::fs::write(shop.join("pods.json"), pods.to_string()).expect("write pods");

    let mut events: Value = serde_json::from_str(&read(&shop.join("events.json"))).expect("events");
    let items = events["items"].as_array_mut().expect("items");
    for (i, l) in lines.iter().enumerate().take(40) {
        items.push(json!({
            "metadata": {"name": format!("seed.{i}"), "namespace": "shop"},
            "involvedObject": {"kind": "Pod", "namespace": "shop", "name": orders[0]},
            "reason": "Seeded", "type": "Warning", "message": l, "count": 1,
            "lastTimestamp": "2026-11-20T09:26:00Z"
        }));
    }
    std::fs::write(shop.join("events.json"), events.to_string()).expect("write events");

    for pod in &orders {
        for file in ["logs.txt", "previous-logs.txt"] {
            let path = shop.join(pod).join(file);
            let mut text = read(&path);
            for l in lines.iter().chain(keys) {
                text.push_str(l);
                text.push('\n');
            }
            std::fs::write(&path, text).expect("write log");
        }
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn no_secret_of_the_corpus_reaches_any_request_body() {
    let server = LlmServer::start().await;
    // An invalid first answer makes the engine send the model's words back too.
    server.push(Reply::content("not json at all"));
    server.otherwise(Reply::content(answer("ev-1")));
    let tmp = tempfile::tempdir().expect("tempdir");
    let (secrets, lines, keys) = corpus();
    assert!(secrets.len() >= 400, "{} secrets", secrets.len());
    let bundle = tmp.path().join("bundle");
    seeded_bundle(&bundle, &lines, &keys);
    // A budget large enough that every seeded item is selected and sent.
    let config = tmp.path().join("config.toml");
    std::fs::write(
        &config,
        "[llm]\ncontext_tokens = 2000000\nmax_tokens = 100000000\ncache = false\n",
    )
    .expect("config");

    let mut cmd = k8sops(tmp.path());
    cmd.args(["diagnose", "--llm", "always", "-o", "json", "--config"])
        .arg(&config)
        .arg("--from")
        .arg(&bundle)
        .env("K8SOPS_LLM_BASE_URL", server.url())
        .env("K8SOPS_LLM_MODEL", "gpt-4o-mini")
        .env("K8SOPS_LLM_API_KEY", "sk-test-not-a-secret-of-the-corpus");
    let out = run(cmd).await;
    assert_eq!(out.code, 0, "{}", out.stderr);

    let requests = server.requests();
    assert!(requests.len() >= 2, "{} requests", requests.len());
    let mut redacted = 0;
    for r in &requests {
        let decoded = r.messages_text();
        redacted += decoded.matches("<redacted:").count();
        for s in &secrets {
            assert!(
                !r.body.contains(s.as_str()),
                "secret {s:?} in a request body"
            );
            assert!(!decoded.contains(s.as_str()), "secret {s:?} in a message");
        }
    }
    assert!(
        redacted > 400,
        "the seeded lines went through the sanitizer ({redacted} placeholders)"
    );
    let v: Value = serde_json::from_str(&out.stdout).expect("json");
    assert_eq!(
        v["items"][0]["hypotheses"][0]["engine"], "rules",
        "strong rules cause stays first"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn with_nothing_configured_the_output_is_the_rules_result_and_a_note_says_so_once() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let example = root().join("examples/unknown");
    let mut auto = k8sops(tmp.path());
    auto.args(["diagnose", "-o", "json", "--from"])
        .arg(&example);
    let auto = run(auto).await;
    let mut never = k8sops(tmp.path());
    never
        .args(["diagnose", "--llm", "never", "-o", "json", "--from"])
        .arg(&example);
    let never = run(never).await;

    assert_eq!(auto.code, 0, "{}", auto.stderr);
    assert_eq!(auto.stdout, never.stdout, "the same JSON");
    assert_eq!(
        auto.stderr.matches("no LLM endpoint configured").count(),
        1,
        "{}",
        auto.stderr
    );
    assert!(!never.stderr.contains("LLM"), "{}", never.stderr);

    let mut always = k8sops(tmp.path());
    always
        .args(["diagnose", "--llm", "always", "-o", "json", "--from"])
        .arg(&example);
    let always = run(always).await;
    assert_eq!(always.code, 0, "{}", always.stderr);
    let v: Value = serde_json::from_str(&always.stdout).expect("json");
    let warnings = v["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0]
            .as_str()
            .unwrap_or("")
            .contains("rules engine only")
    );
    assert!(
        !always.stderr.contains("no LLM endpoint"),
        "said once: {}",
        always.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_without_a_model_is_a_configuration_error_with_a_hint() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cmd = k8sops(tmp.path());
    cmd.args(["diagnose", "--from"])
        .arg(root().join("examples/unknown"))
        .env("K8SOPS_LLM_BASE_URL", "http://127.0.0.1:9/v1");
    let out = run(cmd).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("no model"), "{}", out.stderr);
    assert!(
        out.stderr.contains("hint: set K8SOPS_LLM_MODEL"),
        "{}",
        out.stderr
    );

    let mut cmd = k8sops(tmp.path());
    cmd.args(["diagnose", "--from"])
        .arg(root().join("examples/unknown"))
        .env("K8SOPS_LLM_MODE", "sometimes");
    let out = run(cmd).await;
    assert_eq!(out.code, 2, "{}", out.stderr);
    assert!(out.stderr.contains("K8SOPS_LLM_MODE"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn ctrl_c_cancels_the_llm_and_prints_the_rules_result() {
    let server = LlmServer::start().await;
    server.otherwise(Reply::content(answer("ev-1")).delay(Duration::from_secs(60)));
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cmd = k8sops(tmp.path());
    cmd.args([
        "diagnose",
        "--llm",
        "always",
        "--no-cache",
        "-o",
        "json",
        "--from",
    ])
    .arg(root().join("examples/unknown"))
    .env("K8SOPS_LLM_BASE_URL", server.url())
    .env("K8SOPS_LLM_MODEL", "test-model")
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let child = cmd.spawn().expect("spawns");
    let pid = child.id();
    let started = Instant::now();
    while server.requests().is_empty() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "no request arrived"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // The shell's own `kill`, so the test needs no procps.
    let kill = std::process::Command::new("sh")
        .args(["-c", &format!("kill -INT {pid}")])
        .status()
        .expect("kill");
    assert!(kill.success());
    let out = tokio::task::spawn_blocking(move || child.wait_with_output().expect("waits"))
        .await
        .expect("joins");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(130),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_str(&stdout).expect("the rules result, as JSON");
    assert_eq!(v["items"][0]["hypotheses"][0]["engine"], "rules");
    assert!(
        v["warnings"][0]
            .as_str()
            .unwrap_or("")
            .contains("interrupted"),
        "{stdout}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_terminal_shows_each_hypothesis_engine_the_explanation_and_the_usage() {
    let server = LlmServer::start().await;
    server.otherwise(Reply::content(answer("ev-1")));
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut cmd = k8sops(tmp.path());
    cmd.args(["diagnose", "--explain", "--from"])
        .arg(root().join("examples/unknown"))
        .env("K8SOPS_LLM_BASE_URL", server.url())
        .env("K8SOPS_LLM_MODEL", "test-model")
        .env("XDG_CACHE_HOME", tmp.path().join("cache"));
    let out = run(cmd).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert!(
        out.stdout.contains("[crash-loop · 0.70 · llm:test-model]"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("explanation (llm:test-model)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("also considered\n    0.37 unknown"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("llm: 1 requests, 1200 prompt + 150 completion tokens"),
        "{}",
        out.stdout
    );
}
