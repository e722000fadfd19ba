//! `k8sops mcp` driven by a real MCP client: the official Python SDK (`mcp` on PyPI, in the
//! venv `.ci/run` creates; `K8SOPS_MCP_PYTHON` names its python) runs `tests/mcp/client.py`,
//! which launches `target/debug/k8sops mcp …` over stdio, and the answers it parsed are
//! asserted here: the tools and their schemas, diagnoses of example bundles, redacted logs,
//! tool errors that leave the server serving, and fixes proposed against a real GitOps
//! repository with a bare remote — refused without `--allow-pr`, opened with it against the
//! GitHub stand-in on 127.0.0.1.

mod support;

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use support::ApiServer;
use support::github_pulls::{CreateMode, FakeGithub};
use support::gitops::Gitops;

const TOKEN: &str = "ghp_k8sopsTestToken0000000000000000000000";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn example(name: &str) -> String {
    root().join("examples").join(name).display().to_string()
}

/// A home for the server: config file, audit log, no global git config.
struct Home {
    dir: tempfile::TempDir,
    github: Option<String>,
}

impl Home {
    fn new(config: &str) -> Home {
        let dir = tempfile::tempdir().expect("tempdir");
        std::fs::write(dir.path().join("config.toml"), config).expect("config");
        Home { dir, github: None }
    }

    fn env(&self) -> Value {
        let p = self.dir.path();
        let mut env = json!({
            "HOME": p,
            "XDG_STATE_HOME": p.join("state"),
            "K8SOPS_CONFIG": p.join("config.toml"),
            "GIT_CONFIG_GLOBAL": "/dev/null",
            "GIT_CONFIG_NOSYSTEM": "1",
            "NO_COLOR": "1",
        });
        if let Some(url) = &self.github {
            env["GITHUB_API_URL"] = json!(url);
            env["GITHUB_TOKEN"] = json!(TOKEN);
        }
        env
    }

    fn audit(&self) -> String {
        std::fs::read_to_string(self.dir.path().join("state/k8sops/audit.jsonl"))
            .unwrap_or_default()
    }
}

/// Runs `k8sops ARGS` under the Python client with `steps`; the client's JSON document.
async fn session(home: &Home, args: &[&str], steps: Value) -> Option<Value> {
    let python = support::tool::require(&support::tool::MCP_PYTHON_SDK)?;
    let plan = json!({
        "command": assert_cmd::cargo::cargo_bin("k8sops"),
        "args": args,
        "env": home.env(),
        "cwd": home.dir.path(),
        "steps": steps,
    });
    let plan_path = home.dir.path().join("plan.json");
    std::fs::write(&plan_path, plan.to_string()).expect("plan");
    let client = root().join("tests/mcp/client.py");
    // Off the async runtime: the GitHub stand-in serves on it meanwhile.
    let out = tokio::task::spawn_blocking(move || {
        std::process::Command::new(python)
            .arg(client)
            .arg(plan_path)
            .output()
            .expect("python runs")
    })
    .await
    .expect("joins");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "client failed:\n{stdout}\n{stderr}");
    Some(serde_json::from_str(&stdout).unwrap_or_else(|e| panic!("{e}: {stdout}\n{stderr}")))
}

fn call(tool: &str, arguments: Value) -> Value {
    json!({"op": "call", "tool": tool, "arguments": arguments})
}

/// The result of step `i`, which must have been answered.
fn result(doc: &Value, i: usize) -> &Value {
    let step = &doc["steps"][i];
    assert!(step.get("error").is_none(), "step {i} raised: {step}");
    &step["result"]
}

/// A successful tool call's JSON answer (its structured content, equal to its text).
fn answer(doc: &Value, i: usize) -> Value {
    let r = result(doc, i);
    assert_eq!(r["isError"], false, "step {i}: {r}");
    let text: Value = serde_json::from_str(r["content"][0]["text"].as_str().expect("text"))
        .expect("the text content is JSON");
    assert_eq!(text, r["structuredContent"], "step {i}");
    text
}

/// A failed tool call's message: an MCP tool error, not a protocol error.
fn tool_error(doc: &Value, i: usize) -> String {
    let r = result(doc, i);
    assert_eq!(r["isError"], true, "step {i} should be a tool error: {r}");
    let text = r["content"][0]["text"].as_str().expect("text").to_string();
    assert!(
        text.starts_with("error: ") && text.contains("\nhint: "),
        "{text}"
    );
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_sdk_lists_every_tool_with_its_input_schema() {
    let home = Home::new("");
    let Some(doc) = session(
        &home,
        &["mcp", "--from", &example("oom-killed")],
        json!([{"op": "list_tools"}, {"op": "list_resources"}, {"op": "list_prompts"}]),
    )
    .await
    else {
        return;
    };
    assert_eq!(doc["server"]["name"], "k8sops");
    assert!(
        doc["protocol_version"]
            .as_str()
            .is_some_and(|v| !v.is_empty())
    );
    assert!(
        doc["instructions"]
            .as_str()
            .is_some_and(|i| i.contains("list_problems")),
        "{}",
        doc["instructions"]
    );
    let tools = result(&doc, 0)["tools"].as_array().expect("tools").clone();
    let mut names: Vec<&str> = tools.iter().filter_map(|t| t["name"].as_str()).collect();
    names.sort();
    assert_eq!(
        names,
        [
            "diagnose",
            "diagnose_text",
            "get_logs",
            "list_problems",
            "open_fix_pr",
            "propose_fix",
            "report",
            "what_changed"
        ]
    );
    let schema = |name: &str| -> Value {
        let tool = tools.iter().find(|t| t["name"] == name).expect("tool");
        assert!(
            tool["description"].as_str().is_some_and(|d| d.len() > 20),
            "{tool}"
        );
        tool["inputSchema"].clone()
    };
    let props = |name: &str| -> Vec<String> {
        let mut p: Vec<String> = schema(name)["properties"]
            .as_object()
            .expect("properties")
            .keys()
            .cloned()
            .collect();
        p.sort();
        p
    };
    let required = |name: &str| schema(name)["required"].clone();
    assert_eq!(props("list_problems"), ["context", "namespaces"]);
    assert_eq!(props("diagnose"), ["context", "namespace", "target"]);
    assert_eq!(required("diagnose"), json!(["target"]));
    assert_eq!(
        props("get_logs"),
        [
            "container",
            "context",
            "namespace",
            "pod",
            "previous",
            "tail"
        ]
    );
    assert_eq!(required("get_logs"), json!(["pod"]));
    assert_eq!(
        schema("get_logs")["properties"]["previous"]["type"],
        "boolean"
    );
    assert_eq!(props("what_changed"), ["context", "namespace", "workload"]);
    assert_eq!(props("report"), ["context", "namespace", "window"]);
    assert_eq!(
        props("propose_fix"),
        ["context", "hypothesis", "namespace", "target"]
    );
    assert_eq!(props("diagnose_text"), ["text"]);
    assert_eq!(required("diagnose_text"), json!(["text"]));
    assert_eq!(props("open_fix_pr"), ["fix_id"]);
    assert_eq!(required("open_fix_pr"), json!(["fix_id"]));
    let read_only = |name: &str| {
        tools.iter().find(|t| t["name"] == name).expect("tool")["annotations"]["readOnlyHint"]
            .clone()
    };
    assert_eq!(read_only("diagnose"), true);
    assert_eq!(read_only("diagnose_text"), true);
    assert_eq!(read_only("propose_fix"), true, "proposing writes nothing");
    assert_eq!(read_only("open_fix_pr"), false);

    let resources = &result(&doc, 1)["resources"];
    assert_eq!(resources[0]["uri"], "k8sops://report/daily");
    let prompts = &result(&doc, 2)["prompts"];
    assert_eq!(prompts[0]["name"], "diagnose");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn list_problems_and_diagnose_name_the_root_cause_of_each_example() {
    for (bundle, kind, name, category) in [
        ("oom-killed", "Deployment", "web", "oom-killed"),
        ("config-missing", "Deployment", "web", "config-missing"),
        ("crash-loop", "Deployment", "orders", "crash-loop"),
    ] {
        let home = Home::new("");
        let Some(doc) = session(
            &home,
            &["mcp", "--from", &example(bundle)],
            json!([
                call("list_problems", json!({})),
                call(
                    "diagnose",
                    json!({"target": format!("{}/{name}", kind.to_lowercase())})
                ),
                call(
                    "list_problems",
                    json!({"namespaces": ["shop", "monitoring"]})
                ),
            ]),
        )
        .await
        else {
            return;
        };
        let problems = answer(&doc, 0);
        assert_eq!(problems["kind"], "ProblemList");
        let top = &problems["items"][0];
        assert_eq!(top["category"], category, "{bundle}: {problems}");
        assert_eq!(
            top["subject"],
            json!({"kind": kind, "namespace": "shop", "name": name})
        );
        assert_eq!(top["engine"], "rules");
        assert_eq!(top["target"], format!("{}/{name}", kind.to_lowercase()));

        let list = answer(&doc, 1);
        assert_eq!(list["apiVersion"], "k8sops/v1");
        assert_eq!(list["kind"], "DiagnosisList");
        let items = list["items"].as_array().expect("items");
        assert_eq!(items.len(), 1, "{bundle}: only the target: {list}");
        assert_eq!(items[0]["subject"]["name"], name);
        let h = &items[0]["hypotheses"][0];
        assert_eq!(h["category"], category, "{bundle}");
        assert!(h["confidence"].as_f64().is_some_and(|c| c > 0.5), "{h}");
        let cited = h["evidence"].as_array().expect("evidence ids");
        assert!(!cited.is_empty());
        for id in cited {
            assert!(
                items[0]["evidence"]
                    .as_array()
                    .expect("evidence")
                    .iter()
                    .any(|e| e["id"] == *id),
                "{id} is cited and listed"
            );
        }
        assert_eq!(
            answer(&doc, 2)["items"][0],
            *top,
            "namespaces narrow the same list"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_token_in_a_container_log_is_redacted_by_get_logs_and_diagnose() {
    let home = Home::new("");
    let bundle = leaky_bundle(&home);
    let Some(doc) = session(
        &home,
        &["mcp", "--from", bundle.to_str().expect("utf8")],
        json!([
            call(
                "get_logs",
                json!({"pod": "web-fhg4c78rp-5ggjr", "namespace": "shop"})
            ),
            call(
                "get_logs",
                json!({"pod": "pod/web-fhg4c78rp-5ggjr", "tail": 2})
            ),
            call("diagnose", json!({"target": "deploy/web"})),
            call("report", json!({"window": "7d"})),
        ]),
    )
    .await
    else {
        return;
    };
    let logs = answer(&doc, 0);
    assert_eq!(logs["container"], "web");
    assert_eq!(logs["source"], "bundle");
    assert_eq!(logs["lines"], 5);
    let log = logs["log"].as_str().expect("log");
    assert!(
        log.contains("Authorization: token <redacted:github-token#"),
        "{log}"
    );
    assert!(log.contains("postgres://shop:<redacted:password#"), "{log}");
    let tail = answer(&doc, 1);
    assert_eq!(tail["lines"], 2);
    assert_eq!(tail["truncated"], true);
    assert!(
        tail["log"].as_str().expect("log").ends_with("912.330ms"),
        "{tail}"
    );
    for (i, step) in doc["steps"].as_array().expect("steps").iter().enumerate() {
        let text = step.to_string();
        for secret in [
            "ghp_R8fXq2LmN4vT7yZ1wK9bC3dE6gH0jP5sU2aQ",
            "Tr0ub4dor-and-3",
        ] {
            assert!(!text.contains(secret), "step {i} leaks {secret}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_calls_are_tool_errors_and_the_server_keeps_serving() {
    let home = Home::new("");
    let Some(doc) = session(
        &home,
        &["mcp", "--from", &example("oom-killed")],
        json!([
            call("diagnose", json!({"target": "deploy/nope"})),
            call("diagnose", json!({"target": "web"})),
            call("get_logs", json!({"pod": "web-0"})),
            call("get_logs", json!({"pod": "web-fhg4c78rp-5ggjr", "container": "sidecar"})),
            call("get_logs", json!({"pod": "cart-kb8gfn85ch-8tmbc", "previous": true})),
            call("list_problems", json!({"context": "prod"})),
            call("report", json!({"window": "a while"})),
            call("open_fix_pr", json!({"fix_id": "fix-7"})),
            call("propose_fix", json!({"target": "deploy/web"})),
            {"op": "read_resource", "uri": "k8sops://report/weekly"},
            call("list_problems", json!({})),
        ]),
    )
    .await
    else {
        return;
    };
    let expect = [
        "deployment/nope not found in any namespace",
        "'web' is not KIND/NAME",
        "pod web-0 not found",
        "has no container sidecar",
        "no previous log of container cart",
        "not context prod",
        "'a while' is not a duration",
        "no proposed fix fix-7",
        "no GitOps repository",
    ];
    for (i, want) in expect.iter().enumerate() {
        let text = tool_error(&doc, i);
        assert!(text.contains(want), "step {i}: {text}");
    }
    let missing = &doc["steps"][9];
    assert!(
        missing["error"]
            .as_str()
            .is_some_and(|e| e.contains("k8sops://report/weekly")),
        "an unknown resource is a protocol error naming it: {missing}"
    );
    assert_eq!(
        answer(&doc, 10)["items"][0]["category"],
        "oom-killed",
        "still serving"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_daily_report_resource_and_the_diagnose_prompt() {
    let home = Home::new("");
    let Some(doc) = session(
        &home,
        &["mcp", "--from", &example("oom-killed")],
        json!([
            {"op": "read_resource", "uri": "k8sops://report/daily"},
            {"op": "get_prompt", "name": "diagnose", "arguments": {"target": "deploy/web", "namespace": "shop"}},
        ]),
    )
    .await
    else {
        return;
    };
    let contents = &result(&doc, 0)["contents"][0];
    assert_eq!(contents["mimeType"], "application/json");
    let report: Value =
        serde_json::from_str(contents["text"].as_str().expect("text")).expect("JSON");
    assert_eq!(report["kind"], "DailyReport", "{}", report["kind"]);
    let issues = &report["clusters"][0]["issues"];
    assert!(
        issues
            .as_array()
            .expect("issues")
            .iter()
            .any(|i| i["category"] == "oom-killed"),
        "{issues}"
    );
    let prompt = &result(&doc, 1)["messages"][0];
    assert_eq!(prompt["role"], "user");
    let text = prompt["content"]["text"].as_str().expect("text");
    assert!(
        text.contains("diagnose tool on deploy/web in namespace shop"),
        "{text}"
    );
    assert!(
        text.contains("do not call open_fix_pr unless I accept"),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_live_cluster_is_read_through_the_kubeconfig_and_its_logs_come_redacted() {
    let home = Home::new("");
    let bundle = leaky_bundle(&home);
    let cluster = ApiServer::start(k8sops::source::bundle::read(&bundle).expect("reads")).await;
    let kubeconfig = cluster.write_kubeconfig(home.dir.path(), "kind-shop");
    let Some(doc) = session(
        &home,
        &[
            "mcp",
            "--kubeconfig",
            kubeconfig.to_str().expect("utf8"),
            "-n",
            "shop",
        ],
        json!([
            call("list_problems", json!({})),
            call("diagnose", json!({"target": "deploy/web"})),
            call("get_logs", json!({"pod": "web-fhg4c78rp-5ggjr", "tail": 4})),
            call("list_problems", json!({"context": "kind-prod"})),
        ]),
    )
    .await
    else {
        return;
    };
    let problems = answer(&doc, 0);
    assert_eq!(problems["items"][0]["category"], "oom-killed", "{problems}");
    assert_eq!(problems["items"][0]["subject"]["namespace"], "shop");
    assert_eq!(
        answer(&doc, 1)["items"][0]["hypotheses"][0]["category"],
        "oom-killed"
    );
    let logs = answer(&doc, 2);
    assert_eq!(logs["source"], "cluster");
    assert_eq!(logs["lines"], 4);
    let log = logs["log"].as_str().expect("log");
    assert!(
        log.contains("Authorization: token <redacted:github-token#"),
        "{log}"
    );
    assert!(
        !doc.to_string()
            .contains("ghp_R8fXq2LmN4vT7yZ1wK9bC3dE6gH0jP5sU2aQ")
    );
    let wrong = tool_error(&doc, 3);
    assert!(
        wrong.contains("context \"kind-prod\" not found in kubeconfig"),
        "{wrong}"
    );
    let log = cluster.request_log();
    let pod_lists = log
        .iter()
        .filter(|r| r.contains("/api/v1/namespaces/shop/pods") && !r.contains("/log"))
        .count();
    assert_eq!(
        pod_lists, 1,
        "diagnose reused the collection of list_problems: {log:?}"
    );
    assert!(
        log.iter()
            .any(|r| r.contains("/pods/web-fhg4c78rp-5ggjr/log") && r.contains("tailLines=4")),
        "{log:?}"
    );
}

/// The oom-killed bundle, with a log that leaks a GitHub token and a database password.
fn leaky_bundle(home: &Home) -> PathBuf {
    let bundle = home.dir.path().join("leaky");
    copy_tree(&root().join("examples/oom-killed"), &bundle);
    std::fs::copy(
        root().join("tests/mcp/leaky-logs.txt"),
        bundle.join("shop/web-fhg4c78rp-5ggjr/logs.txt"),
    )
    .expect("leaky log");
    bundle
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for e in std::fs::read_dir(from).expect("read dir") {
        let e = e.expect("entry");
        let dest = to.join(e.file_name());
        if e.file_type().expect("type").is_dir() {
            copy_tree(&e.path(), &dest);
        } else {
            std::fs::copy(e.path(), dest).expect("copy");
        }
    }
}

/// The GitOps repository, its remote, the GitHub stand-in and a config that lets the
/// oom-killed remedy (512Mi → 1280Mi, 2.5×) through the policy.
async fn gitops(policy: &str) -> Option<(Gitops, FakeGithub, Home)> {
    let repo = Gitops::new("plain")?;
    let github = FakeGithub::start(CreateMode::Created).await;
    let mut home = Home::new(&format!("[fix]\ngithub_repo = \"acme/gitops\"\n\n{policy}"));
    home.github = Some(github.api_url());
    Some((repo, github, home))
}

fn k8sops_branches(repo: &Gitops) -> Vec<String> {
    repo.remote_branches()
        .into_iter()
        .filter(|b| b.starts_with("k8sops/"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn propose_fix_returns_the_diff_and_open_fix_pr_is_refused_without_allow_pr() {
    let Some((repo, github, home)) = gitops("[policy]\nmax_memory_factor = 3.0\n").await else {
        return;
    };
    let user = repo.user.to_str().expect("utf8");
    let Some(doc) = session(
        &home,
        &["mcp", "--from", &example("oom-killed"), "--repo", user],
        json!([
            call(
                "propose_fix",
                json!({"target": "deploy/web", "namespace": "shop"})
            ),
            call("open_fix_pr", json!({"fix_id": "fix-1"})),
        ]),
    )
    .await
    else {
        return;
    };
    let fix = answer(&doc, 0);
    assert_eq!(fix["fix_id"], "fix-1");
    assert_eq!(fix["category"], "oom-killed");
    assert_eq!(fix["subject"]["name"], "web");
    assert_eq!(fix["repository"], "acme/gitops");
    assert_eq!(fix["base"], "main");
    assert_eq!(fix["pull_requests_allowed"], false);
    let diff = fix["diff"].as_str().expect("diff");
    let changed: Vec<&str> = diff
        .lines()
        .filter(|l| l.starts_with(['+', '-']) && !l.starts_with("+++") && !l.starts_with("---"))
        .collect();
    assert_eq!(
        changed,
        [
            "-              memory: 512Mi    # OOM guard; see runbook/web-memory.md",
            "+              memory: 1280Mi    # OOM guard; see runbook/web-memory.md",
        ]
    );

    let refused = tool_error(&doc, 1);
    assert!(
        refused.contains("refused: this MCP server was started without --allow-pr"),
        "{refused}"
    );
    assert!(k8sops_branches(&repo).is_empty(), "nothing pushed");
    assert!(github.server.requests().is_empty(), "GitHub never called");
    let audit = home.audit();
    assert!(audit.contains("\"event\":\"proposal\""), "{audit}");
    assert!(
        audit.contains("\"event\":\"refusal\"") && audit.contains("--allow-pr"),
        "the refusal is audited: {audit}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_policy_refuses_a_fix_and_the_refusal_is_a_tool_error() {
    let Some((repo, _github, home)) = gitops("").await else {
        return;
    };
    let user = repo.user.to_str().expect("utf8");
    let Some(doc) = session(
        &home,
        &[
            "mcp",
            "--from",
            &example("oom-killed"),
            "--repo",
            user,
            "--allow-pr",
        ],
        json!([call("propose_fix", json!({"target": "deploy/web"}))]),
    )
    .await
    else {
        return;
    };
    let text = tool_error(&doc, 0);
    assert!(
        text.contains("a factor of 2.5×") && text.contains("max_memory_factor"),
        "{text}"
    );
    assert!(k8sops_branches(&repo).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn with_allow_pr_open_fix_pr_pushes_the_branch_and_opens_the_pull_request() {
    let Some((repo, github, home)) = gitops("[policy]\nmax_memory_factor = 3.0\n").await else {
        return;
    };
    let user = repo.user.to_str().expect("utf8");
    let Some(doc) = session(
        &home,
        &[
            "mcp",
            "--from",
            &example("oom-killed"),
            "--repo",
            user,
            "--allow-pr",
        ],
        json!([
            call("propose_fix", json!({"target": "deploy/web"})),
            call("open_fix_pr", json!({"fix_id": "fix-1"})),
            call("open_fix_pr", json!({"fix_id": "fix-1"})),
        ]),
    )
    .await
    else {
        return;
    };
    assert_eq!(answer(&doc, 0)["pull_requests_allowed"], true);
    let opened = answer(&doc, 1);
    assert_eq!(opened["number"], 42);
    assert_eq!(
        opened["url"],
        "https://github.example.com/acme/gitops/pull/42"
    );
    assert_eq!(opened["updated"], false);
    assert_eq!(opened["pushed"], true);
    let branches = k8sops_branches(&repo);
    assert_eq!(branches, [opened["branch"].as_str().expect("branch")]);
    assert!(
        repo.diff(&branches[0])
            .contains("+              memory: 1280Mi")
    );
    let created = github
        .server
        .requests_to("POST", "/api/v3/repos/acme/gitops/pulls");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].json()["head"], branches[0].as_str());
    assert!(
        tool_error(&doc, 2).contains("no proposed fix fix-1"),
        "an opened fix is gone"
    );
    let audit = home.audit();
    assert!(audit.contains("\"by\":\"mcp-client\""), "{audit}");
    for event in ["proposal", "confirmation", "commit", "push", "pull-request"] {
        assert!(
            audit.contains(&format!("\"event\":\"{event}\"")),
            "audit lacks {event}: {audit}"
        );
    }
}

#[test]
fn a_bundle_that_is_not_there_fails_before_serving_and_prints_nothing_on_stdout() {
    let home = Home::new("");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("k8sops"))
        .args(["mcp", "--from", "/nonexistent/bundle"])
        .env("HOME", home.dir.path())
        .env("K8SOPS_CONFIG", home.dir.path().join("config.toml"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "stdout is the protocol channel");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("error: /nonexistent/bundle: no such file or directory")
            && stderr.contains("hint: "),
        "{stderr}"
    );
}

#[test]
fn without_a_client_on_stdin_the_server_says_so_and_exits_2() {
    let home = Home::new("");
    let out = std::process::Command::new(assert_cmd::cargo::cargo_bin("k8sops"))
        .args(["mcp", "--from", &example("oom-killed")])
        .env("HOME", home.dir.path())
        .env("K8SOPS_CONFIG", home.dir.path().join("config.toml"))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the MCP client did not connect"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_text_reads_what_a_user_pasted() {
    let home = Home::new("");
    let pasted = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/paste/hand/kubectl-1.19-crashloop-chat.txt"),
    )
    .expect("the chat paste");
    let Some(doc) = session(
        &home,
        &["mcp", "--from", &example("oom-killed")],
        json!([
            call("diagnose_text", json!({"text": pasted})),
            call(
                "diagnose_text",
                json!({"text": "the checkout page is slow, any idea?"})
            ),
        ]),
    )
    .await
    else {
        return;
    };
    let list = answer(&doc, 0);
    assert_eq!(list["kind"], "DiagnosisList");
    assert_eq!(
        list["items"][0]["hypotheses"][0]["category"], "crash-loop",
        "{list}"
    );
    assert!(
        list["warnings"].to_string().contains("paste: read"),
        "{list}"
    );
    let error = tool_error(&doc, 1);
    assert!(
        error.contains("found nothing kubectl prints in text"),
        "{error}"
    );
}
