//! `e` with an LLM configured, and the headless watcher's explanations: the LLM engine
//! behind a local OpenAI-compatible server that records what it was sent. The dashboard
//! shows the engine's prose and names it; the headless line for a new finding carries it;
//! a secret in the cluster's data never reaches the server.

mod support;

use std::path::PathBuf;

use crossterm::event::KeyCode;
use k8sops::cmd::config::Config;
use k8sops::env::Env;
use k8sops::source::bundle;
use k8sops::tui::Assist;
use serde_json::json;
use support::ApiServer;
use support::dashboard::{dashboard, live};
use support::llm_server::{LlmServer, Reply};

const MODEL: &str = "test-model";
const PROSE: &str = "The JVM heap grew past the 512Mi limit during the nightly import.";

fn example() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/oom-killed")
}

/// What the server answers: one hypothesis citing the rules' first evidence, and prose.
fn answer() -> String {
    json!({
        "hypotheses": [{
            "cause": "the nightly import loads every order into memory at once",
            "category": "oom-killed",
            "confidence": 0.7,
            "evidence": ["ev-1"],
            "fix": ["page the import in batches of 10k orders"],
            "prevention": ["load-test the import with production volumes"],
            "remedy": null
        }],
        "explanation": PROSE
    })
    .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn e_shows_the_llm_explanation_and_names_its_engine() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let llm = LlmServer::start().await;
    llm.otherwise(Reply::content(answer()));
    let server = ApiServer::start(bundle::read(&example()).expect("example reads")).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let session = live(dir.path(), &[("prod", &server, None)], true).await;
    let mut config = Config::default();
    config.llm.base_url = Some(llm.url());
    config.llm.model = Some(MODEL.into());
    config.llm.cache = false;
    let explainer =
        k8sops::watch::assist::explainer(&config.llm, &config.sanitize, &Env::from_fn(|_| None))
            .expect("a valid [llm] table");
    assert!(
        explainer.is_some(),
        "an endpoint and a model make an engine"
    );
    let assist = Assist {
        explainer,
        ..Assist::default()
    };
    dashboard(session, assist, |ui| async move {
        ui.shows(&["Deployment shop/web"]).await;
        ui.press(KeyCode::Char('e'));
        ui.shows(&[
            "explain Deployment shop/web",
            "nightly import",
            "llm:test-model",
        ])
        .await;
        ui.press(KeyCode::Esc);
        ui.press(KeyCode::Char('q'));
    })
    .await;
    let sent = llm.requests();
    assert_eq!(sent.len(), 1, "one call for one explain");
    let text = sent[0].messages_text();
    assert!(
        text.contains("web"),
        "the diagnosis is in the prompt: {text}"
    );
    assert!(
        !text.contains("eyJhbGciOi"),
        "no service-account token (or any JWT) is sent"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn headless_new_findings_carry_the_llm_explanation() {
    let llm = LlmServer::start().await;
    llm.otherwise(Reply::content(answer()));
    let cache = tempfile::tempdir().expect("tempdir");
    let url = llm.url();
    let example = example().display().to_string();
    let out = tokio::task::spawn_blocking(move || {
        assert_cmd::Command::cargo_bin("k8sops")
            .expect("binary")
            .env_remove("K8SOPS_CONFIG")
            .env("HOME", "/nonexistent")
            .env("XDG_CACHE_HOME", cache.path())
            .env("K8SOPS_LLM_BASE_URL", url)
            .env("K8SOPS_LLM_MODEL", MODEL)
            .args(["watch", "--headless", "--from", &example])
            .output()
            .expect("runs")
    })
    .await
    .expect("joins");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let new: Vec<serde_json::Value> = stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|l| l["type"] == "new")
        .collect();
    // The OOM kill and the two probe failures it causes: three findings, one diagnosis.
    assert_eq!(new.len(), 3, "{stdout}");
    for line in &new {
        assert_eq!(line["explanation"], PROSE, "{stdout}");
    }
    assert_eq!(llm.requests().len(), 1, "one LLM call per diagnosis");
}
