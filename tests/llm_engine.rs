//! The LLM engine against a local OpenAI-compatible server that records requests and
//! answers from a script: good answers are merged with their engine named, invalid ones
//! re-asked once and then dropped for the rules result, unknown evidence ids dropped,
//! 429/500 retried (honouring Retry-After), slow answers timed out, Azure paths, the
//! json_schema downgrade, the cache, the run budget and the router.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use k8sops::context::{self, TokenCounter};
use k8sops::env::Env;
use k8sops::llm::{Engine, LlmConfig, Mode, Request};
use k8sops::model::Snapshot;
use k8sops::rca::{self, DiagnosisList};
use k8sops::sanitize::{SanitizeConfig, Sanitizer};
use serde_json::json;
use support::llm_server::{LlmServer, Reply};

const MODEL: &str = "test-model";

fn example(name: &str) -> Snapshot {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name);
    k8sops::source::bundle::read(&dir).expect("example bundle")
}

struct Setup {
    server: LlmServer,
    cache: tempfile::TempDir,
}

impl Setup {
    async fn new() -> Self {
        Setup {
            server: LlmServer::start().await,
            cache: tempfile::tempdir().expect("tempdir"),
        }
    }

    fn config(&self) -> LlmConfig {
        LlmConfig {
            base_url: Some(self.server.url()),
            model: Some(MODEL.into()),
            cache: false,
            timeout_secs: 20,
            ..LlmConfig::default()
        }
    }

    fn engine(&self, cfg: &LlmConfig) -> Engine {
        let cache = self.cache.path().to_str().expect("utf8").to_string();
        let env = Env::from_fn(move |k| (k == "XDG_CACHE_HOME").then(|| cache.clone()));
        Engine::from_config(cfg, &SanitizeConfig::default(), &env)
            .expect("valid configuration")
            .expect("configured")
    }
}

/// The ids the engine's context will hold for the first diagnosis of `list`: the rules
/// engine's, then new ones.
fn context_ids(snapshot: &Snapshot, list: &DiagnosisList) -> (Vec<String>, Vec<String>) {
    let d = &list.items[0];
    let ctx = context::build(
        snapshot,
        d,
        &Sanitizer::new(),
        TokenCounter::for_model(MODEL),
        context::DEFAULT_BUDGET,
    )
    .expect("context");
    let (rules, new): (Vec<_>, Vec<_>) = ctx.items.iter().partition(|i| i.from_rules);
    (
        rules.into_iter().map(|i| i.id.clone()).collect(),
        new.into_iter().map(|i| i.id.clone()).collect(),
    )
}

fn answer(category: &str, confidence: f64, evidence: &[&str]) -> String {
    json!({
        "hypotheses": [{
            "cause": "legacy-billing exits 1 because its license file /etc/billing/license is missing from the image",
            "category": category,
            "confidence": confidence,
            "evidence": evidence,
            "fix": ["mount the license Secret at /etc/billing/license"],
            "prevention": ["fail with a clear message when the license is missing"],
            "remedy": null
        }],
        "explanation": "The daemon starts, looks for its license and exits without logging why."
    })
    .to_string()
}

fn auto() -> Request {
    Request {
        mode: Mode::Auto,
        explain: false,
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn an_unknown_cause_gets_an_llm_hypothesis_that_cites_context_evidence() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    let (rules_ids, new_ids) = context_ids(&snapshot, &rules);
    let cited = [rules_ids[0].as_str(), new_ids[0].as_str()];
    s.server
        .push(Reply::content(answer("crash-loop", 0.8, &cited)));

    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;

    let d = &list.items[0];
    let top = &d.hypotheses[0];
    assert_eq!(top.engine, "llm:test-model");
    assert_eq!(top.category.id(), "crash-loop");
    assert_eq!(top.confidence, 0.8);
    assert_eq!(
        d.hypotheses[1].engine, "rules",
        "the rules hypothesis stays, ranked below"
    );
    for id in &top.evidence {
        assert!(
            d.evidence_by_id(id).is_some(),
            "{id} resolves in the diagnosis"
        );
    }
    assert_eq!(list.usage.llm_requests, 1);
    assert_eq!(list.usage.prompt_tokens, 1200);
    assert_eq!(list.usage.completion_tokens, 150);
    assert!(list.warnings.is_empty(), "{:?}", list.warnings);

    let reqs = s.server.requests();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].path, "/v1/chat/completions");
    let body = reqs[0].json();
    assert_eq!(body["model"], MODEL);
    assert_eq!(body["response_format"]["type"], "json_schema");
    let text = reqs[0].messages_text();
    assert!(
        text.contains("starting billing daemon"),
        "the log is in the context"
    );
    assert!(
        text.contains(&format!("[{}]", new_ids[0])),
        "items carry their ids"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn invalid_json_is_re_asked_once_with_the_validation_error() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    let (rules_ids, _) = context_ids(&snapshot, &rules);
    s.server.push(Reply::content(
        "The root cause is probably a missing license file.",
    ));
    s.server
        .push(Reply::content(answer("crash-loop", 0.6, &[&rules_ids[0]])));

    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;

    assert_eq!(list.items[0].hypotheses[0].engine, "llm:test-model");
    assert_eq!(list.usage.llm_requests, 2);
    let reqs = s.server.requests();
    assert_eq!(reqs.len(), 2);
    let second = reqs[1].json();
    let msgs = second["messages"].as_array().expect("messages");
    assert_eq!(
        msgs.len(),
        4,
        "system, user, the invalid answer, the re-ask"
    );
    assert_eq!(msgs[2]["role"], "assistant");
    assert!(
        msgs[3]["content"]
            .as_str()
            .unwrap_or("")
            .contains("not valid"),
        "{}",
        msgs[3]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_wrong_schema_twice_falls_back_to_the_rules_result() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    s.server.otherwise(Reply::content(
        r#"{"root_cause": "license", "confidence": "high"}"#,
    ));

    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;

    assert_eq!(list.items, rules.items, "the rules result, untouched");
    assert_eq!(s.server.requests().len(), 2, "one re-ask, no more");
    assert!(
        list.warnings
            .iter()
            .any(|w| w.contains("invalid twice") && w.contains("legacy-billing")),
        "{:?}",
        list.warnings
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn hypotheses_citing_unknown_evidence_are_dropped_without_a_re_ask() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    s.server
        .push(Reply::content(answer("volume", 0.9, &["ev-1", "ev-404"])));

    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;

    assert!(list.items[0].hypotheses.iter().all(|h| h.engine == "rules"));
    assert_eq!(s.server.requests().len(), 1);
    assert!(
        list.warnings.iter().any(|w| w.contains("ev-404")),
        "{:?}",
        list.warnings
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_429_is_retried_after_the_retry_after_delay() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    let (ids, _) = context_ids(&snapshot, &rules);
    s.server
        .push(Reply::error(429, "rate_limit_exceeded").header("retry-after", "1"));
    s.server
        .push(Reply::content(answer("crash-loop", 0.7, &[&ids[0]])));

    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;

    assert_eq!(
        list.items[0].hypotheses[0].engine, "llm:test-model",
        "{:?}",
        list.warnings
    );
    let reqs = s.server.requests();
    assert_eq!(reqs.len(), 2);
    let waited = reqs[1].at.duration_since(reqs[0].at);
    assert!(
        waited >= Duration::from_millis(950),
        "waited {waited:?}, Retry-After said 1s"
    );
    assert_eq!(list.usage.llm_requests, 1, "one completion asked for");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_500_is_retried_and_a_persistent_one_falls_back() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    let (ids, _) = context_ids(&snapshot, &rules);
    s.server.push(Reply::error(500, "server_error"));
    s.server
        .push(Reply::content(answer("crash-loop", 0.7, &[&ids[0]])));
    let engine = s.engine(&s.config());
    let list = engine.diagnose(&snapshot, &rules, &auto()).await;
    assert_eq!(list.items[0].hypotheses[0].engine, "llm:test-model");
    assert_eq!(s.server.requests().len(), 2);

    let s = Setup::new().await;
    s.server.otherwise(Reply::error(503, "overloaded"));
    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;
    assert_eq!(list.items, rules.items);
    assert_eq!(
        s.server.requests().len(),
        4,
        "the first try and three retries"
    );
    assert!(
        list.warnings.iter().any(|w| w.contains("503")),
        "{:?}",
        list.warnings
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reply_slower_than_the_timeout_falls_back() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    s.server
        .push(Reply::content(answer("crash-loop", 0.7, &["ev-1"])).delay(Duration::from_secs(5)));
    let cfg = LlmConfig {
        timeout_secs: 1,
        ..s.config()
    };

    let list = s.engine(&cfg).diagnose(&snapshot, &rules, &auto()).await;

    assert_eq!(list.items, rules.items);
    assert!(
        list.warnings.iter().any(|w| w.contains("within 1s")),
        "{:?}",
        list.warnings
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn azure_requests_go_to_the_deployment_with_api_version_and_api_key() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    let (ids, _) = context_ids(&snapshot, &rules);
    s.server
        .push(Reply::content(answer("crash-loop", 0.7, &[&ids[0]])));
    let mut cfg = s.config();
    cfg.base_url = Some(s.server.root());
    cfg.model = None;
    cfg.api_key = Some(k8sops::env::Secret::new("azure-key-123"));
    cfg.azure.deployment = Some("gpt-4o-prod".into());

    let list = s.engine(&cfg).diagnose(&snapshot, &rules, &auto()).await;

    assert_eq!(list.items[0].hypotheses[0].engine, "llm:gpt-4o-prod");
    let r = &s.server.requests()[0];
    assert_eq!(r.path, "/openai/deployments/gpt-4o-prod/chat/completions");
    assert_eq!(r.query, "api-version=2024-10-21");
    assert_eq!(r.header("api-key"), Some("azure-key-123"));
}

#[tokio::test(flavor = "multi_thread")]
async fn an_endpoint_without_json_schema_gets_json_object() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    let (ids, _) = context_ids(&snapshot, &rules);
    s.server.push(Reply::raw(
        400,
        r#"{"error": {"message": "response_format.type 'json_schema' is not supported", "type": "invalid_request_error", "param": "response_format", "code": null}}"#,
    ));
    s.server
        .push(Reply::content(answer("crash-loop", 0.7, &[&ids[0]])));

    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;

    assert_eq!(
        list.items[0].hypotheses[0].engine, "llm:test-model",
        "{:?}",
        list.warnings
    );
    let reqs = s.server.requests();
    assert_eq!(reqs[0].json()["response_format"]["type"], "json_schema");
    assert_eq!(reqs[1].json()["response_format"]["type"], "json_object");

    // llama-cpp-python answers FastAPI's 422 shape, not OpenAI's.
    let s = Setup::new().await;
    s.server.push(Reply::raw(
        422,
        r#"{"detail": [{"type": "literal_error", "loc": ["body", "response_format", "type"], "msg": "Input should be 'text' or 'json_object'", "input": "json_schema"}]}"#,
    ));
    s.server
        .push(Reply::content(answer("crash-loop", 0.7, &[&ids[0]])));
    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;
    assert_eq!(
        list.items[0].hypotheses[0].engine, "llm:test-model",
        "{:?}",
        list.warnings
    );
    assert_eq!(
        s.server.requests()[1].json()["response_format"]["type"],
        "json_object"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reasoning_model_that_rejects_max_tokens_gets_only_max_completion_tokens() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    let (ids, _) = context_ids(&snapshot, &rules);
    s.server.push(Reply::raw(
        400,
        r#"{"error": {"message": "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead.", "type": "invalid_request_error", "param": "max_tokens", "code": "unsupported_parameter"}}"#,
    ));
    s.server
        .push(Reply::content(answer("crash-loop", 0.7, &[&ids[0]])));

    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;

    assert_eq!(
        list.items[0].hypotheses[0].engine, "llm:test-model",
        "{:?}",
        list.warnings
    );
    let reqs = s.server.requests();
    assert_eq!(reqs[0].json()["max_tokens"], 1500);
    assert!(reqs[1].json().get("max_tokens").is_none());
    assert_eq!(reqs[1].json()["max_completion_tokens"], 1500);
}

#[tokio::test(flavor = "multi_thread")]
async fn a_strong_rules_cause_is_not_displaced_by_a_weak_llm_guess() {
    let s = Setup::new().await;
    let snapshot = example("oom-killed");
    let rules = rca::run(&snapshot);
    let (ids, _) = context_ids(&snapshot, &rules);
    s.server
        .otherwise(Reply::content(answer("network-dns", 0.84, &[&ids[0]])));

    let always = Request {
        mode: Mode::Always,
        explain: false,
    };
    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &always)
        .await;

    let web = list
        .items
        .iter()
        .find(|d| d.subject.name == "web")
        .expect("web");
    assert_eq!(web.hypotheses[0].engine, "rules");
    assert_eq!(web.hypotheses[0].category.id(), "oom-killed");
    assert!(
        web.hypotheses.iter().any(|h| h.engine == "llm:test-model"),
        "the LLM's view is kept below"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn auto_mode_leaves_strong_canonical_failures_to_the_rules() {
    let s = Setup::new().await;
    let snapshot = example("oom-killed");
    let rules = rca::run(&snapshot);
    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &auto())
        .await;
    assert_eq!(list, rules);
    assert!(s.server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread")]
async fn explain_adds_prose_to_a_strong_diagnosis() {
    let s = Setup::new().await;
    let snapshot = example("oom-killed");
    let rules = rca::run(&snapshot);
    let (ids, _) = context_ids(&snapshot, &rules);
    s.server
        .otherwise(Reply::content(answer("oom-killed", 0.8, &[&ids[0]])));
    let req = Request {
        mode: Mode::Auto,
        explain: true,
    };
    let list = s
        .engine(&s.config())
        .diagnose(&snapshot, &rules, &req)
        .await;
    let x = list.items[0].explanation.as_ref().expect("explanation");
    assert_eq!(x.engine, "llm:test-model");
    assert!(x.text.contains("license"));
    let system = &s.server.requests()[0].json()["messages"][0]["content"];
    assert!(system.as_str().unwrap_or("").contains("short paragraph"));
}

#[tokio::test(flavor = "multi_thread")]
async fn the_cache_answers_the_same_question_without_a_request() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    let (ids, _) = context_ids(&snapshot, &rules);
    s.server
        .push(Reply::content(answer("crash-loop", 0.7, &[&ids[0]])));
    let cfg = LlmConfig {
        cache: true,
        ..s.config()
    };

    let first = s.engine(&cfg).diagnose(&snapshot, &rules, &auto()).await;
    // A new engine (a new run) with a fresh sanitizer: placeholders must not change the key.
    let second = s.engine(&cfg).diagnose(&snapshot, &rules, &auto()).await;

    assert_eq!(s.server.requests().len(), 1);
    assert_eq!(second.usage.llm_requests, 0);
    assert_eq!(second.usage.llm_cache_hits, 1);
    assert_eq!(first.items, second.items);
    assert!(
        std::fs::read_dir(s.cache.path().join("k8sops/llm"))
            .expect("cache dir")
            .count()
            >= 2,
        "an entry and the placeholder key"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_run_budget_caps_requests() {
    let s = Setup::new().await;
    let snapshot = example("unknown");
    let rules = rca::run(&snapshot);
    // The re-ask after this invalid answer would be the second request.
    s.server.otherwise(Reply::content("no JSON here"));
    let cfg = LlmConfig {
        max_requests: 1,
        ..s.config()
    };

    let list = s.engine(&cfg).diagnose(&snapshot, &rules, &auto()).await;

    assert_eq!(s.server.requests().len(), 1);
    assert_eq!(list.usage.llm_requests, 1);
    assert_eq!(list.items, rules.items);
    assert!(
        list.warnings
            .iter()
            .any(|w| w.contains("budget of 1 LLM requests")),
        "{:?}",
        list.warnings
    );

    let s = Setup::new().await;
    let cfg = LlmConfig {
        max_tokens: 500,
        ..s.config()
    };
    let list = s.engine(&cfg).diagnose(&snapshot, &rules, &auto()).await;
    assert!(
        s.server.requests().is_empty(),
        "a request over the token budget is not sent"
    );
    assert!(
        list.warnings
            .iter()
            .any(|w| w.contains("budget of 500 LLM tokens")),
        "{:?}",
        list.warnings
    );
}
