//! `diagnose --fix` and `fix` end to end through the binary: an example bundle, a real
//! GitOps repository with a bare remote, and the GitHub stand-in on 127.0.0.1. The branch
//! lands on the remote with the one-line diff and the PR request is recorded; policy
//! refusals, a missing terminal and remedies without a value exit 4 and write nothing.

mod support;

use std::path::PathBuf;
use std::process::Command;

use support::github_pulls::{CreateMode, FakeGithub};
use support::gitops::Gitops;

const TOKEN: &str = "ghp_k8sopsTestToken0000000000000000000000";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

struct Env {
    repo: Gitops,
    github: FakeGithub,
    home: tempfile::TempDir,
}

impl Env {
    async fn new(config: &str) -> Option<Env> {
        let env = Env {
            repo: Gitops::new("plain")?,
            github: FakeGithub::start(CreateMode::Created).await,
            home: tempfile::tempdir().expect("tempdir"),
        };
        std::fs::write(
            env.config(),
            format!("[fix]\ngithub_repo = \"acme/gitops\"\n\n{config}"),
        )
        .expect("config");
        Some(env)
    }

    fn config(&self) -> PathBuf {
        self.home.path().join("config.toml")
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("k8sops"));
        cmd.args(args)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.home.path())
            .env("XDG_STATE_HOME", self.home.path().join("state"))
            .env("K8SOPS_CONFIG", self.config())
            .env("GITHUB_API_URL", self.github.api_url())
            .env("GITHUB_TOKEN", TOKEN)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("NO_COLOR", "1");
        cmd
    }

    /// Runs k8sops off the async runtime (the GitHub stand-in runs on it).
    async fn run(&self, args: &[&str]) -> (i32, String, String) {
        let mut cmd = self.command(args);
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("runs"))
            .await
            .expect("joins");
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn user(&self) -> &str {
        self.repo.user.to_str().expect("utf8")
    }
}

fn example(name: &str) -> String {
    root().join("examples").join(name).display().to_string()
}

fn k8sops_branches(repo: &Gitops) -> Vec<String> {
    repo.remote_branches()
        .into_iter()
        .filter(|b| b.starts_with("k8sops/"))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn diagnose_fix_yes_pushes_the_one_line_change_and_opens_the_pull_request() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    // The remedy raises 512Mi to 1280Mi (2.5×); this team allows 3× per PR.
    let Some(env) = Env::new("[policy]\nmax_memory_factor = 3.0\n").await else {
        return;
    };
    let (code, stdout, stderr) = env
        .run(&[
            "diagnose",
            "--from",
            &example("oom-killed"),
            "--fix",
            "--yes",
            "--repo",
            env.user(),
        ])
        .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("oom-killed: Deployment shop/web"),
        "{stdout}"
    );
    assert!(stdout.contains("confidence 0.97"), "{stdout}");
    assert!(stdout.contains("+              memory: 1280Mi"), "{stdout}");
    assert!(
        stdout.contains("Opened pull request #42")
            && stdout.contains("https://github.example.com/acme/gitops/pull/42"),
        "{stdout}"
    );

    let branches = k8sops_branches(&env.repo);
    assert_eq!(branches.len(), 1, "{branches:?}");
    let diff = env.repo.diff(&branches[0]);
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
    let created = env
        .github
        .server
        .requests_to("POST", "/api/v3/repos/acme/gitops/pulls");
    assert_eq!(created.len(), 1);
    assert_eq!(created[0].json()["head"], branches[0].as_str());

    let (code, stdout, _) = env.run(&["audit"]).await;
    assert_eq!(code, 0);
    for event in ["proposal", "confirmation", "commit", "push", "pull-request"] {
        assert!(stdout.contains(event), "audit lacks {event}:\n{stdout}");
    }
    let (_, json, _) = env.run(&["audit", "-o", "json", "--limit", "1"]).await;
    let last: serde_json::Value = serde_json::from_str(json.trim()).expect("one JSON line");
    assert_eq!(last["event"], "pull-request");
    assert_eq!(
        last["details"]["url"],
        "https://github.example.com/acme/gitops/pull/42"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_policy_refuses_more_than_twice_the_memory_and_says_why() {
    let Some(env) = Env::new("").await else {
        return;
    };
    let (code, stdout, stderr) = env
        .run(&[
            "diagnose",
            "--from",
            &example("oom-killed"),
            "--fix",
            "--yes",
            "--repo",
            env.user(),
        ])
        .await;
    assert_eq!(code, 4, "{stdout}\n{stderr}");
    assert!(
        stderr.contains(
            "error: refused: resources.limits.memory of container web in Deployment shop/web would go from 512Mi to 1280Mi, a factor of 2.5×, more than the 2× (max_memory_factor) the policy allows in one pull request"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains("hint: ") && stderr.contains("raise max_memory_factor"),
        "{stderr}"
    );
    assert!(k8sops_branches(&env.repo).is_empty());
    assert!(env.github.server.requests().is_empty());
    let (_, audit, _) = env.run(&["audit"]).await;
    assert!(
        audit.contains("refusal") && audit.contains("max_memory_factor"),
        "{audit}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_and_without_yes_nothing_is_written() {
    let Some(env) = Env::new("[policy]\nmax_memory_factor = 3.0\n").await else {
        return;
    };
    let (code, stdout, stderr) = env
        .run(&[
            "diagnose",
            "--from",
            &example("oom-killed"),
            "--fix",
            "--repo",
            env.user(),
        ])
        .await;
    assert_eq!(code, 4, "{stdout}\n{stderr}");
    assert!(
        stdout.contains("+              memory: 1280Mi"),
        "the diff is shown: {stdout}"
    );
    assert!(stderr.contains("no terminal to confirm"), "{stderr}");
    assert!(stderr.contains("--yes"), "{stderr}");
    assert!(k8sops_branches(&env.repo).is_empty());
    assert!(env.github.server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fix_reads_a_saved_diagnosis_and_dry_run_stops_after_the_diff() {
    let Some(env) = Env::new("[policy]\nmax_memory_factor = 3.0\n").await else {
        return;
    };
    let (code, json, stderr) = env
        .run(&["diagnose", "--from", &example("oom-killed"), "-o", "json"])
        .await;
    assert_eq!(code, 0, "{stderr}");
    let saved = env.home.path().join("web.json");
    std::fs::write(&saved, json).expect("save");
    let (code, stdout, stderr) = env
        .run(&[
            "fix",
            saved.to_str().expect("utf8"),
            "--dry-run",
            "--repo",
            env.user(),
        ])
        .await;
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stdout.contains("--- a/apps/shop/web.yaml"), "{stdout}");
    assert!(stdout.contains("-              memory: 512Mi"), "{stdout}");
    assert!(stdout.contains("+              memory: 1280Mi"), "{stdout}");
    assert!(
        stdout.contains("Dry run: would push branch k8sops/oom-killed-web-"),
        "{stdout}"
    );
    assert!(k8sops_branches(&env.repo).is_empty());
    assert!(env.github.server.requests().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_missing_key_has_no_value_to_write_and_is_refused_plainly() {
    let Some(env) = Env::new("").await else {
        return;
    };
    let (code, stdout, stderr) = env
        .run(&[
            "diagnose",
            "--from",
            &example("config-missing"),
            "--fix",
            "--yes",
            "--repo",
            env.user(),
        ])
        .await;
    assert_eq!(code, 4, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("the remedy is to create key DATABASE_URL in ConfigMap web-config, and k8sops never invents a value for it"),
        "{stderr}"
    );
    assert!(k8sops_branches(&env.repo).is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_input_is_one_line_with_a_hint() {
    let Some(env) = Env::new("").await else {
        return;
    };
    let (code, _, stderr) = env
        .run(&["diagnose", "--from", &example("oom-killed"), "--yes"])
        .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.starts_with("error: --fix: "), "{stderr}");

    let (code, _, stderr) = env
        .run(&[
            "diagnose",
            "--from",
            &example("oom-killed"),
            "--fix",
            "--yes",
        ])
        .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("error: --repo: no GitOps repository"),
        "{stderr}"
    );

    let not_json = env.home.path().join("notes.json");
    std::fs::write(&not_json, "{\"items\": 3}").expect("write");
    let (code, _, stderr) = env
        .run(&[
            "fix",
            not_json.to_str().expect("utf8"),
            "--repo",
            env.user(),
        ])
        .await;
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("notes.json:1:") && stderr.contains("not a k8sops DiagnosisList"),
        "{stderr}"
    );
}
