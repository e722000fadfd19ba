//! No secret leaves by any sink, whatever field of the cluster it hides in.
//!
//! Each case takes the `crash-loop` example and plants generated secrets — every kind the
//! rules know (token shapes, and the corpus's own lines for kinds that need their context)
//! plus random high-entropy strings under random names — in every field a user controls:
//! env values and names, args, command, annotations, labels, image names, event messages,
//! container logs, ConfigMap data keys, and a CI job log. Then every sink runs in-process
//! on that snapshot: the LLM engine against the recording OpenAI-compatible server, the
//! Slack poster against a recording webhook, GitHub issues against a recording stand-in,
//! the MCP answer builder, `watch --headless` lines and the bundle writer. No generated
//! secret may appear in any byte they sent or wrote. 2000 cases by default (Slack on about
//! half of them, a bundle on an eighth); `PROPTEST_CASES` changes the count.
//!
//! The reported leak — the context rendered env as `env NAME=value`, and neither `SECRET_1`
//! nor a bare AWS secret key was redacted — is the first, fixed scenario.

mod support;

use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::routing::post;
use k8s_openapi::api::core::v1::{ConfigMap, EnvVar, Pod};
use k8sops::ci::failure;
use k8sops::env::{Env, Secret};
use k8sops::llm::{Engine, LlmConfig, Mode, Request};
use k8sops::model::ci::{JobSummary, LogSource};
use k8sops::model::{Kind, LogKey, Snapshot};
use k8sops::notify::slack;
use k8sops::rca::{self, DiagnosisList};
use k8sops::sanitize::{SanitizeConfig, Sanitizer};
use k8sops::source::bundle;
use k8sops::watch::headless::{Headless, Limits};
use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::json;
use support::http::RecordingServer;
use support::llm_server::{LlmServer, Reply};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The failing namespace of the example: the sinks see every object of it, and the cases
/// stay quick.
fn base() -> Snapshot {
    let snapshot = bundle::read(&root().join("examples/crash-loop")).expect("example bundle");
    bundle::restrict_to_namespace(snapshot, "shop")
}

/// Lines of the labelled corpus with their secrets: kinds that need context (a password
/// in a URL, a bearer header, a PEM body on one line) are planted as whole lines.
fn corpus_lines() -> Vec<(Vec<String>, String)> {
    let text =
        std::fs::read_to_string(root().join("tests/data/sanitize/positives.tsv")).expect("corpus");
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let mut cols = l.splitn(3, '\t');
            let (_, secrets, line) = (cols.next()?, cols.next()?, cols.next()?);
            Some((
                secrets.split("|||").map(str::to_owned).collect(),
                line.to_owned(),
            ))
        })
        .collect()
}

/// Tokens whose shape alone says which secret they are.
fn known_token() -> impl Strategy<Value = String> {
    prop_oneof![
        "ghp_[A-Za-z0-9]{36}",
        "github_pat_11[A-Z0-9]{20}_[A-Za-z0-9]{59}",
        "glpat-[A-Za-z0-9_-]{20}",
        "xoxb-[0-9]{12}-[0-9]{13}-[A-Za-z0-9]{24}",
        "sk_live_[A-Za-z0-9]{24}",
        "sk-proj-[A-Za-z0-9_-]{30}T3BlbkFJ[A-Za-z0-9_-]{30}",
        "sk-ant-api03-[A-Za-z0-9_-]{93}AA",
        "hf_[A-Za-z]{34}",
        "SG\\.[A-Za-z0-9_-]{22}\\.[A-Za-z0-9_-]{43}",
        "npm_[A-Za-z0-9]{36}",
        "hvs\\.[A-Za-z0-9_-]{24}",
        "AIza[A-Za-z0-9_-]{35}",
        "(AKIA|ASIA)[A-Z2-7]{16}",
        "eyJ[A-Za-z0-9_-]{20}\\.eyJ[A-Za-z0-9_-]{30}\\.[A-Za-z0-9_-]{43}",
    ]
}

/// Random key material: base64 of 30–48 random bytes, as cloud secret keys and API
/// tokens are.
fn random_secret() -> impl Strategy<Value = String> {
    "[A-Za-z0-9+/]{40,64}"
}

/// A variable or key name that says nothing.
fn random_name() -> impl Strategy<Value = String> {
    "[A-Z][A-Z0-9]{1,6}_[A-Z][A-Z0-9]{1,8}"
}

/// Names that say secret, at the end or in the middle.
fn secret_name() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "DB_PASSWORD",
        "SECRET_1",
        "STRIPE_SECRET_LIVE",
        "API_KEY_2",
        "DB_PASS",
        "SMTP_PWD",
        "SENTRY_DSN",
        "GOOGLE_CREDENTIALS_JSON",
        "jwtSecretV2",
        "clientSecret",
    ])
    .prop_map(str::to_owned)
}

/// What one case plants.
#[derive(Debug, Clone)]
struct Plant {
    env_named: (String, String),
    env_random: (String, String),
    env_name_token: String,
    arg_known: String,
    arg_random: (String, String),
    command_token: String,
    annotation_random: (String, String),
    annotation_line: usize,
    label: (String, String),
    image_token: String,
    event_line: usize,
    log_lines: Vec<usize>,
    log_random: (String, String),
    configmap_key: String,
    ci_line: usize,
}

fn plant(lines: usize) -> impl Strategy<Value = Plant> {
    let pair = |n: BoxedStrategy<String>, v: BoxedStrategy<String>| (n, v);
    (
        (
            pair(secret_name().boxed(), known_token().boxed()),
            pair(random_name().boxed(), random_secret().boxed()),
            known_token(),
            known_token(),
            pair("[a-z]{3,8}-[a-z]{2,6}".boxed(), random_secret().boxed()),
            known_token(),
        ),
        (
            pair(
                "[a-z]{3,8}\\.acme\\.io/[a-z]{3,8}".boxed(),
                random_secret().boxed(),
            ),
            0..lines,
            pair("[a-z]{3,8}".boxed(), known_token().boxed()),
            known_token(),
            0..lines,
            prop::collection::vec(0..lines, 1..4),
            pair(random_name().boxed(), random_secret().boxed()),
            known_token(),
            0..lines,
        ),
    )
        .prop_map(
            |(
                (env_named, env_random, env_name_token, arg_known, arg_random, command_token),
                (
                    annotation_random,
                    annotation_line,
                    label,
                    image_token,
                    event_line,
                    log_lines,
                    log_random,
                    configmap_key,
                    ci_line,
                ),
            )| Plant {
                env_named,
                env_random,
                env_name_token,
                arg_known,
                arg_random,
                command_token,
                annotation_random,
                annotation_line,
                label,
                image_token,
                event_line,
                log_lines,
                log_random,
                configmap_key,
                ci_line,
            },
        )
}

/// The snapshot with `p` planted, and every secret planted.
fn planted(
    base: &Snapshot,
    corpus: &[(Vec<String>, String)],
    p: &Plant,
) -> (Snapshot, Vec<String>) {
    let mut secrets = vec![
        p.env_named.1.clone(),
        p.env_random.1.clone(),
        p.env_name_token.clone(),
        p.arg_known.clone(),
        p.arg_random.1.clone(),
        p.command_token.clone(),
        p.annotation_random.1.clone(),
        p.label.1.clone(),
        p.image_token.clone(),
        p.log_random.1.clone(),
        p.configmap_key.clone(),
    ];
    let mut objects = base.objects.clone();
    for pod in objects
        .pods
        .iter_mut()
        .filter(|pod: &&mut Pod| pod.metadata.namespace.as_deref() == Some("shop"))
    {
        let meta = &mut pod.metadata;
        meta.annotations.get_or_insert_with(BTreeMap::new).extend([
            p.annotation_random.clone(),
            (
                "acme.io/deploy-note".to_owned(),
                corpus[p.annotation_line].1.clone(),
            ),
        ]);
        meta.labels
            .get_or_insert_with(BTreeMap::new)
            .insert(p.label.0.clone(), p.label.1.clone());
        let Some(spec) = pod.spec.as_mut() else {
            continue;
        };
        for c in &mut spec.containers {
            let env = c.env.get_or_insert_with(Vec::new);
            for (name, value) in [
                p.env_named.clone(),
                p.env_random.clone(),
                (p.env_name_token.clone(), "1".to_owned()),
            ] {
                env.push(EnvVar {
                    name,
                    value: Some(value),
                    value_from: None,
                });
            }
            c.args.get_or_insert_with(Vec::new).extend([
                format!("--auth-token={}", p.arg_known),
                format!("--{}={}", p.arg_random.0, p.arg_random.1),
            ]);
            c.command
                .get_or_insert_with(Vec::new)
                .push(p.command_token.clone());
            c.image = Some(format!("registry.acme.io/shop/orders:{}", p.image_token));
        }
    }
    secrets.extend(corpus[p.annotation_line].0.iter().cloned());
    for ev in objects.events.iter_mut() {
        if ev.metadata.namespace.as_deref() == Some("shop") {
            let line = &corpus[p.event_line].1;
            ev.message = Some(format!(
                "{} ({line})",
                ev.message.clone().unwrap_or_default()
            ));
        }
    }
    secrets.extend(corpus[p.event_line].0.iter().cloned());
    let cm: ConfigMap = serde_json::from_value(json!({
        "metadata": {"name": "orders-settings", "namespace": "shop"},
        "data": {p.configmap_key.clone(): "1", "LOG_LEVEL": "info"},
    }))
    .expect("configmap");
    objects.config_maps.push(cm);
    let mut logs = base.logs.clone();
    for (key, body) in logs.iter_mut() {
        if key.namespace != "shop" {
            continue;
        }
        for &i in &p.log_lines {
            body.push_str(&corpus[i].1);
            body.push('\n');
        }
        body.push_str(&format!("{}={}\n", p.log_random.0, p.log_random.1));
    }
    for &i in &p.log_lines {
        secrets.extend(corpus[i].0.iter().cloned());
    }
    let snapshot = Snapshot::new(base.meta.clone(), objects, logs, Vec::new());
    (snapshot, secrets)
}

/// A CI job's log with a corpus line in its failing step, through the collector's reader.
fn ci_failure(corpus: &[(Vec<String>, String)], line: usize, sanitizer: &Sanitizer) -> String {
    let job: JobSummary = serde_json::from_value(json!({
        "id": 33512940131u64, "name": "deploy", "status": "completed", "conclusion": "failure",
        "started_at": "2026-11-20T08:50:12Z", "completed_at": "2026-11-20T08:56:12Z",
        "url": "https://github.com/acme/web/actions/runs/11893475044/job/33512940131",
        "steps": [{"number": 1, "name": "Deploy", "status": "completed", "conclusion": "failure",
                   "started_at": "2026-11-20T08:50:12Z", "completed_at": "2026-11-20T08:56:12Z"}],
    }))
    .expect("job");
    let log = format!(
        "2026-11-20T08:50:12.0000000Z ##[group]Run ./deploy.sh\n2026-11-20T08:50:13.0000000Z {}\n2026-11-20T08:50:14.0000000Z Error: deploy failed\n2026-11-20T08:50:14.1000000Z ##[error]Process completed with exit code 1.\n",
        corpus[line].1
    );
    let f = failure::from_log(&job, &log, LogSource::JobLog, sanitizer).expect("sanitizes");
    serde_json::to_string(&f).expect("json")
}

/// Every sink, in-process, on one snapshot; what they sent or wrote.
struct Sinks {
    llm: LlmServer,
    webhook: RecordingServer,
    engine: Engine,
    sanitizer: Arc<Sanitizer>,
    _cache: tempfile::TempDir,
    out: tempfile::TempDir,
}

impl Sinks {
    async fn new() -> Sinks {
        let llm = LlmServer::start().await;
        llm.otherwise(Reply::content(
            json!({"hypotheses": [], "explanation": "The container exits at start."}).to_string(),
        ));
        let webhook = RecordingServer::start(
            Router::new().route("/hook", post(|| async { (StatusCode::OK, "ok") })),
        )
        .await;
        let cache = tempfile::tempdir().expect("tempdir");
        let dir = cache.path().to_str().expect("utf8").to_owned();
        let env = Env::from_fn(move |k| (k == "XDG_CACHE_HOME").then(|| dir.clone()));
        let cfg = LlmConfig {
            base_url: Some(llm.url()),
            model: Some("test-model".into()),
            cache: false,
            timeout_secs: 20,
            ..LlmConfig::default()
        };
        let engine = Engine::from_config(&cfg, &SanitizeConfig::default(), &env)
            .expect("valid")
            .expect("configured");
        Sinks {
            llm,
            webhook,
            engine,
            sanitizer: Arc::new(Sanitizer::new()),
            _cache: cache,
            // Memory-backed when the machine has it: a bundle per case is many small files.
            out: match std::path::Path::new("/dev/shm").is_dir() {
                true => tempfile::tempdir_in("/dev/shm").expect("tempdir"),
                false => tempfile::tempdir().expect("tempdir"),
            },
        }
    }

    /// Runs the sinks on `snapshot`; what each sent or wrote. A bundle costs more than all
    /// the rest together and a Slack post builds an HTTP client, so `turn` spreads them:
    /// Slack on every second turn, the bundle on every eighth (turn 0 runs all).
    async fn run(
        &self,
        snapshot: &Snapshot,
        extra: &str,
        turn: usize,
    ) -> Vec<(&'static str, String)> {
        let (llm_before, hook_before) = (self.llm.requests().len(), self.webhook.requests().len());
        let rules = rca::run(snapshot);
        let list = self
            .engine
            .diagnose(
                snapshot,
                &rules,
                &Request {
                    mode: Mode::Always,
                    explain: true,
                },
            )
            .await;
        let mut sent = Vec::new();
        let llm: String = self
            .llm
            .requests()
            .iter()
            .skip(llm_before)
            .map(|r| r.body.clone())
            .collect();
        sent.push(("llm", llm));
        // Slack: every diagnosis's summary and the raw evidence it quotes.
        if turn.is_multiple_of(2) {
            self.slack(&list, extra, hook_before, &mut sent).await;
        }
        // MCP: the answer every tool builds, and a tool error quoting the input.
        let answer = k8sops::mcp::output::json(&self.sanitizer, &list);
        sent.push(("mcp result", serde_json::to_string(&answer).expect("json")));
        let failed = k8sops::mcp::output::error(
            &self.sanitizer,
            &k8sops::Error::Usage {
                flag: "target".into(),
                message: format!("no such target: {extra}"),
                hint: "check the name".into(),
            },
        );
        sent.push(("mcp error", serde_json::to_string(&failed).expect("json")));
        sent.push((
            "watch --headless",
            headless_lines(&list, &self.sanitizer).await,
        ));
        if !turn.is_multiple_of(8) {
            return sent;
        }
        // The bundle `snapshot` writes.
        let out = self.out.path().join("bundle");
        bundle::write(
            snapshot,
            &out,
            &bundle::WriteOptions {
                sanitizer: Some(&self.sanitizer),
            },
        )
        .expect("bundle written");
        sent.push(("bundle", read_tree(&out)));
        sent
    }
}

impl Sinks {
    async fn slack(
        &self,
        list: &DiagnosisList,
        extra: &str,
        hook_before: usize,
        sent: &mut Vec<(&'static str, String)>,
    ) {
        let mut message = slack::Message::new("k8sops: problems found");
        for d in &list.items {
            message = message.section(&format!("*{}*\n{}", d.subject, quoted(d, extra)));
        }
        let hook = Secret::new(format!("{}/hook", self.webhook.url()));
        slack::post(&hook, &message, &self.sanitizer)
            .await
            .expect("posted");
        let hook: String = self
            .webhook
            .requests()
            .iter()
            .skip(hook_before)
            .map(|r| r.body.clone())
            .collect();
        sent.push(("slack", hook));
    }
}

/// Every raw text a diagnosis holds: summaries, facts, evidence excerpts, causes.
fn quoted(d: &k8sops::rca::Diagnosis, extra: &str) -> String {
    let value = serde_json::to_value(d).expect("diagnosis json");
    let mut out = String::new();
    collect_strings(&value, &mut out);
    out.push_str(extra);
    out
}

fn collect_strings(v: &serde_json::Value, out: &mut String) {
    match v {
        serde_json::Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        serde_json::Value::Array(a) => a.iter().for_each(|v| collect_strings(v, out)),
        serde_json::Value::Object(m) => m.values().for_each(|v| collect_strings(v, out)),
        _ => {}
    }
}

/// What `watch --headless` prints for these diagnoses appearing.
async fn headless_lines(list: &DiagnosisList, sanitizer: &Arc<Sanitizer>) -> String {
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0.lock().expect("buf").extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let buf = Buf::default();
    let limits = Limits {
        debounce: Duration::ZERO,
        per_hour: 100,
        llm_failures: 3,
        llm_cooldown: Duration::from_secs(60),
    };
    let printer = Headless::new(buf.clone(), &limits, sanitizer.clone(), None);
    let (tx, rx) = tokio::sync::mpsc::channel(1);
    tx.send(k8sops::watch::Update {
        diagnoses: Arc::new(list.items.clone()),
        at: jiff::Timestamp::now(),
        complete: true,
        stats: Default::default(),
    })
    .await
    .expect("sent");
    drop(tx);
    printer
        .run(rx, || vec!["watch pods: forbidden".to_owned()])
        .await;
    let bytes = buf.0.lock().expect("buf").clone();
    String::from_utf8(bytes).expect("utf-8")
}

fn read_tree(dir: &std::path::Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).expect("bundle dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.push_str(&read_tree(&path));
        } else {
            out.push_str(&std::fs::read_to_string(&path).expect("utf-8 file"));
        }
    }
    out
}

/// `sink: secret` for every secret some sink sent.
fn leaks(sent: &[(&'static str, String)], secrets: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    for (sink, bytes) in sent {
        for s in secrets.iter().filter(|s| !s.is_empty()) {
            if bytes.contains(s.as_str()) {
                out.push(format!("{sink}: {s}"));
            }
        }
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_reported_env_leak_secret_1_and_a_bare_aws_key_never_reach_the_llm() {
    let sinks = Sinks::new().await;
    let mut snapshot = base();
    let (password, aws) = (
        "Zq8sT3-hunter22",
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY",
    );
    let mut objects = snapshot.objects.clone();
    for pod in objects.pods.iter_mut() {
        for c in pod.spec.iter_mut().flat_map(|s| s.containers.iter_mut()) {
            c.env.get_or_insert_with(Vec::new).extend([
                EnvVar {
                    name: "SECRET_1".into(),
                    value: Some(password.into()),
                    value_from: None,
                },
                EnvVar {
                    name: "AWS_SK".into(),
                    value: Some(aws.into()),
                    value_from: None,
                },
            ]);
        }
    }
    snapshot = Snapshot::new(
        snapshot.meta.clone(),
        objects,
        snapshot.logs.clone(),
        Vec::new(),
    );
    let sent = sinks.run(&snapshot, "", 0).await;
    let prompts: String = sinks
        .llm
        .requests()
        .iter()
        .map(|r| r.messages_text())
        .collect();
    assert!(
        prompts.contains("env SECRET_1=<redacted:"),
        "the env line is in the context, redacted:\n{prompts}"
    );
    assert!(
        prompts.contains("env AWS_SK=<redacted:high-entropy#"),
        "{prompts}"
    );
    assert_eq!(
        leaks(&sent, &[password.into(), aws.into()]),
        Vec::<String>::new()
    );
}

#[test]
fn no_generated_secret_leaves_by_any_sink() {
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sinks = rt.block_on(Sinks::new());
    let base = base();
    let corpus = corpus_lines();
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse().ok())
        .unwrap_or(2000);
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        // Each case runs every sink: a few shrink steps name the field, more only cost.
        max_shrink_iters: 32,
        ..Config::default()
    });
    let result = runner.run(&plant(corpus.len()), |p| {
        let (snapshot, mut secrets) = planted(&base, &corpus, &p);
        let ci = ci_failure(&corpus, p.ci_line, &sinks.sanitizer);
        secrets.extend(corpus[p.ci_line].0.iter().cloned());
        let extra = format!(
            "{}={} {}={}",
            p.env_named.0, p.env_named.1, p.env_random.0, p.env_random.1
        );
        let mut sent = rt.block_on(sinks.run(&snapshot, &extra, p.ci_line));
        sent.push(("ci failure", ci));
        let leaked = leaks(&sent, &secrets);
        prop_assert!(leaked.is_empty(), "leaked {:?} (plant {:?})", leaked, p);
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}

/// Keeps `Kind` and `LogKey` in the public API this test reaches for: a ConfigMap planted
/// through `insert_json` is stored like one read from a bundle.
#[test]
fn a_configmap_with_a_secret_key_is_written_redacted() {
    let sanitizer = Sanitizer::new();
    let token = "ghp_0123456789abcdefABCDEF0123456789abcd";
    let mut objects = base().objects.clone();
    objects
        .insert_json(
            Kind::ConfigMap,
            json!({"metadata": {"name": "flags", "namespace": "shop"}, "data": {token: "on"}}),
        )
        .expect("configmap");
    let mut logs = BTreeMap::new();
    logs.insert(
        LogKey {
            namespace: "shop".into(),
            pod: "orders-9hp9g6842b-2nzkj".into(),
            container: "orders".into(),
            previous: false,
        },
        format!("using {token}\n"),
    );
    let snapshot = Snapshot::new(base().meta.clone(), objects, logs, Vec::new());
    let dir = tempfile::tempdir().expect("tempdir");
    let out = dir.path().join("b");
    bundle::write(
        &snapshot,
        &out,
        &bundle::WriteOptions {
            sanitizer: Some(&sanitizer),
        },
    )
    .expect("written");
    let written = read_tree(&out);
    assert!(!written.contains(token), "{written}");
    assert!(written.contains("<redacted:github-token#"), "{written}");
}

/// The oom-killed example's diagnosis with generated secrets in what a pull request quotes:
/// evidence excerpts (as a crashing app's log would), the cause and the fix steps.
fn leaky_fix_diagnosis(
    base: &k8sops::rca::Diagnosis,
    known: &[String],
    random: &[(String, String)],
) -> (k8sops::rca::Diagnosis, Vec<String>) {
    let mut d = base.clone();
    let mut secrets: Vec<String> = known.to_vec();
    let template = d.evidence[0].clone();
    for (i, token) in known.iter().enumerate() {
        let mut e = template.clone();
        e.id = format!("ev-planted-{i}");
        e.excerpt = format!("level=error msg=\"upstream rejected {token}\" retry=3");
        d.evidence.push(e.clone());
        d.hypotheses[0].evidence.insert(0, e.id);
    }
    for (name, value) in random {
        d.hypotheses[0]
            .fix
            .push(format!("unset {name}={value} before the next rollout"));
        secrets.push(value.clone());
    }
    if let Some(token) = known.first() {
        d.hypotheses[0].cause = format!("{} (seen with {token})", d.hypotheses[0].cause);
    }
    (d, secrets)
}

#[test]
fn the_fix_flow_sends_no_planted_secret_to_the_remote_or_github() {
    use k8sops::audit::AuditLog;
    use k8sops::github::{Github, GithubConfig};
    use k8sops::remediate::{Confirmation, FixConfig, Hints, PolicyConfig, open_pr, propose};
    use support::github_pulls::{CreateMode, FakeGithub};
    use support::gitops::{Gitops, git};

    let _ = rustls::crypto::ring::default_provider().install_default();
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    // octocrab's middleware spawns onto the runtime it is built in.
    let _runtime = rt.enter();
    let example = bundle::read(&root().join("examples/oom-killed")).expect("example");
    let base = rca::run(&example).items.remove(0);
    // Each case is a real clone, commit, push and PR: a few dozen cover the shapes.
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|c| c.parse::<u32>().ok())
        .map_or(16, |c| (c / 100).max(8));
    let mut runner = TestRunner::new(Config {
        cases,
        failure_persistence: None,
        // Each case runs every sink: a few shrink steps name the field, more only cost.
        max_shrink_iters: 32,
        ..Config::default()
    });
    let strategy = (
        prop::collection::vec(known_token(), 1..6),
        prop::collection::vec((random_name(), random_secret()), 1..4),
    );
    let result = runner.run(&strategy, |(known, random)| {
        let Some(repo) = Gitops::new("plain") else {
            return Ok(());
        };
        let github = rt.block_on(FakeGithub::start(CreateMode::Created));
        let (d, secrets) = leaky_fix_diagnosis(&base, &known, &random);
        let audit_dir = tempfile::tempdir().expect("tempdir");
        let audit = AuditLog::at(audit_dir.path().join("audit.jsonl"));
        let (fix, policy) = (
            FixConfig::default(),
            PolicyConfig {
                max_memory_factor: 3.0,
                ..PolicyConfig::default()
            },
        );
        let request = k8sops::remediate::Request {
            diagnosis: &d,
            hypothesis: 0,
            repo: &repo.user,
            hints: Hints::default(),
            fix: &fix,
            policy: &policy,
            base: None,
            github_repo: Some(("acme".into(), "gitops".into())),
            force: false,
            interactive: false,
            choose: None,
            audit: &audit,
        };
        let proposal = propose(&request).expect("proposes");
        let client = Github::connect(
            &GithubConfig {
                api_url: Some(github.api_url()),
                token: Some(Secret::new("ghp_k8sopsTestToken0000000000000000000000")),
            },
            &Env::from_fn(|_| None),
        )
        .expect("client");
        rt.block_on(open_pr(
            proposal,
            &d,
            &client,
            &Sanitizer::new(),
            &fix.labels,
            Confirmation::Flag,
            &audit,
        ))
        .expect("opens");
        let pushed = git(
            &repo.remote,
            &["log", "--all", "--format=%D%n%B", "--max-count=5"],
        );
        let sent = vec![
            ("github", github.server.everything_sent()),
            ("pushed commit and branch", pushed),
        ];
        let leaked = leaks(&sent, &secrets);
        prop_assert!(leaked.is_empty(), "leaked {:?}", leaked);
        prop_assert!(
            sent[0].1.contains("<redacted:"),
            "the quotes were sent, redacted"
        );
        Ok(())
    });
    if let Err(e) = result {
        panic!("{e}");
    }
}
