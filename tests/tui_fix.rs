//! `f` in the dashboard, through its real loop against the test API server serving the
//! oom-killed example, a real GitOps repository (bare remote and clone) and a GitHub
//! stand-in: the diff is shown first, `y` pushes a branch and opens the pull request, `esc`
//! pushes nothing, a policy refusal says why, and without a repository configured `f`
//! shows the command to run. The cluster only ever sees reads.

mod support;

use std::path::PathBuf;

use crossterm::event::KeyCode;
use k8sops::audit::AuditLog;
use k8sops::cmd::cli::{Cli, FixTarget};
use k8sops::cmd::config::Config;
use k8sops::cmd::settings::Settings;
use k8sops::env::{Env, Secret};
use k8sops::github::GithubConfig;
use k8sops::source::bundle;
use k8sops::tui::Assist;
use k8sops::tui::fix::FixFlow;
use support::ApiServer;
use support::dashboard::{dashboard, live};
use support::github_pulls::{CreateMode, FakeGithub};
use support::gitops::Gitops;

const TOKEN: &str = "ghp_k8sopsTestToken0000000000000000000000";

/// The cluster (oom-killed served live), the GitOps repository and GitHub.
struct World {
    server: ApiServer,
    repo: Gitops,
    github: FakeGithub,
    state: tempfile::TempDir,
}

impl World {
    async fn new() -> Option<World> {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/oom-killed");
        Some(World {
            server: ApiServer::start(bundle::read(&path).expect("example reads")).await,
            repo: Gitops::new("plain")?,
            github: FakeGithub::start(CreateMode::Created).await,
            state: tempfile::tempdir().expect("tempdir"),
        })
    }

    /// A configuration with `[fix] repo` set to the clone; `max_memory_factor` is the
    /// policy's (the oom-killed remedy raises the limit 2.5×).
    fn config(&self, max_memory_factor: f64) -> Config {
        let mut config = Config::default();
        config.fix.repo = Some(self.repo.user.clone());
        config.fix.github_repo = Some("acme/gitops".into());
        config.policy.max_memory_factor = max_memory_factor;
        config.github = GithubConfig {
            api_url: Some(self.github.api_url()),
            token: Some(Secret::new(TOKEN)),
        };
        config
    }

    fn assist(&self, config: &Config) -> Assist {
        let state = self.state.path().to_path_buf();
        let env =
            Env::from_fn(move |k| (k == "XDG_STATE_HOME").then(|| state.display().to_string()));
        let global = <Cli as clap::Parser>::parse_from(["k8sops", "watch"]).global;
        let settings =
            Settings::with_config(global, env, config.clone()).expect("the configuration");
        Assist {
            fix: k8sops::cmd::fix::flow(&settings, &FixTarget::default())
                .expect("the fix flow starts")
                .map(FixFlow::new),
            ..Assist::default()
        }
    }

    fn audit_events(&self) -> Vec<String> {
        AuditLog::at(self.state.path().join("k8sops/audit.jsonl"))
            .read()
            .unwrap_or_default()
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    fn k8sops_branches(&self) -> Vec<String> {
        self.repo
            .remote_branches()
            .into_iter()
            .filter(|b| b.starts_with("k8sops/"))
            .collect()
    }

    fn pulls_created(&self) -> usize {
        self.github
            .server
            .requests_to("POST", "/api/v3/repos/acme/gitops/pulls")
            .len()
    }

    /// Every request the cluster saw was a read.
    fn assert_cluster_only_read(&self) {
        let log = self.server.request_log();
        assert!(!log.is_empty());
        for r in &log {
            assert!(
                r.starts_with("GET "),
                "the dashboard wrote to the cluster: {r}"
            );
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn f_shows_the_diff_and_y_opens_the_pull_request() {
    let Some(w) = World::new().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let session = live(dir.path(), &[("prod", &w.server, None)], true).await;
    let assist = w.assist(&w.config(3.0));
    let world = &w;
    dashboard(session, assist, |ui| async move {
        ui.shows(&["Deployment shop/web"]).await;
        ui.press(KeyCode::Char('f'));
        ui.shows(&[
            "y to confirm, esc to cancel",
            "-              memory: 512Mi",
            "+              memory: 1280Mi",
            "apps/shop/web.yaml",
        ])
        .await;
        assert!(
            world.k8sops_branches().is_empty(),
            "nothing is pushed before y"
        );
        ui.press(KeyCode::Char('y'));
        ui.shows(&[
            "Opened pull request #42",
            "https://github.example.com/acme/gitops/pull/42",
        ])
        .await;
        ui.press(KeyCode::Esc);
        ui.press(KeyCode::Char('q'));
    })
    .await;
    let branches = w.k8sops_branches();
    assert_eq!(branches.len(), 1, "{branches:?}");
    assert!(
        branches[0].starts_with("k8sops/oom-killed-web-"),
        "{branches:?}"
    );
    let diff = w.repo.diff(&branches[0]);
    assert!(diff.contains("+              memory: 1280Mi"), "{diff}");
    assert_eq!(w.pulls_created(), 1);
    let events = w.audit_events();
    for e in ["proposal", "confirmation", "commit", "push", "pull-request"] {
        assert!(events.iter().any(|x| x == e), "audit lacks {e}: {events:?}");
    }
    w.assert_cluster_only_read();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn esc_on_the_diff_pushes_nothing_and_is_audited_as_declined() {
    let Some(w) = World::new().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let session = live(dir.path(), &[("prod", &w.server, None)], true).await;
    let assist = w.assist(&w.config(3.0));
    dashboard(session, assist, |ui| async move {
        ui.shows(&["Deployment shop/web"]).await;
        ui.press(KeyCode::Char('f'));
        ui.shows(&["+              memory: 1280Mi"]).await;
        ui.press(KeyCode::Esc);
        ui.shows(&["fix cancelled: nothing was committed or pushed"])
            .await;
        ui.press(KeyCode::Char('q'));
    })
    .await;
    assert!(w.k8sops_branches().is_empty());
    assert_eq!(w.pulls_created(), 0);
    let events = w.audit_events();
    assert_eq!(events, ["proposal", "declined"]);
    w.assert_cluster_only_read();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_remedy_over_the_policy_limit_is_refused_with_the_rule_named() {
    let Some(w) = World::new().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let session = live(dir.path(), &[("prod", &w.server, None)], true).await;
    // The default policy: memory may at most double; the remedy is 2.5×.
    let assist = w.assist(&w.config(2.0));
    dashboard(session, assist, |ui| async move {
        ui.shows(&["Deployment shop/web"]).await;
        ui.press(KeyCode::Char('f'));
        ui.shows(&[
            "No fix proposed",
            "max_memory_factor",
            "Nothing was changed.",
        ])
        .await;
        ui.press(KeyCode::Esc);
        ui.press(KeyCode::Char('q'));
    })
    .await;
    assert!(w.k8sops_branches().is_empty());
    assert_eq!(w.pulls_created(), 0);
    assert_eq!(w.audit_events(), ["refusal"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_gitops_repo_f_shows_the_command_and_what_to_configure() {
    let Some(w) = World::new().await else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let session = live(dir.path(), &[("prod", &w.server, None)], true).await;
    let assist = w.assist(&Config::default());
    assert!(assist.fix.is_none(), "no [fix] repo, no flow");
    dashboard(session, assist, |ui| async move {
        ui.shows(&["Deployment shop/web"]).await;
        ui.press(KeyCode::Char('f'));
        ui.shows(&[
            "No GitOps repository is configured",
            "[fix] table",
            "K8SOPS_FIX_REPO",
            "k8sops diagnose deploy/web -n shop --context prod --fix --repo PATH",
        ])
        .await;
        ui.press(KeyCode::Esc);
        ui.press(KeyCode::Char('q'));
    })
    .await;
    assert!(w.k8sops_branches().is_empty());
    assert!(w.audit_events().is_empty());
    w.assert_cluster_only_read();
}
