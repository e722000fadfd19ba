//! Remediation against real git repositories (a bare remote in a temp dir and the user's
//! clone) and a GitHub stand-in on 127.0.0.1: the three layouts, a dirty working tree, a
//! base behind the remote, an existing branch and PR, a push refused by a pre-receive hook,
//! a detached HEAD, GitHub's 422 and 401. In every case the user's checkout is exactly as
//! it was.

mod support;

use std::path::Path;

use k8sops::audit::AuditLog;
use k8sops::env::{Env, Secret};
use k8sops::github::{Github, GithubConfig};
use k8sops::rca::Diagnosis;
use k8sops::remediate::{
    Candidate, Confirmation, FixConfig, Hints, Opened, PolicyConfig, Request, open_pr, propose,
};
use k8sops::sanitize::Sanitizer;
use support::github_pulls::{CreateMode, FakeGithub};
use support::gitops::{Gitops, git};

const TOKEN: &str = "ghp_k8sopsTestToken0000000000000000000000";

fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

/// The top diagnosis of an example bundle, through the real pipeline.
fn diagnosis(example: &str) -> Diagnosis {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(example);
    let snapshot = k8sops::source::bundle::read(&path).expect("example reads");
    k8sops::rca::run(&snapshot).items.remove(0)
}

/// The default policy, but memory may grow 3× (the oom-killed remedy is 2.5×).
fn policy() -> PolicyConfig {
    PolicyConfig {
        max_memory_factor: 3.0,
        ..PolicyConfig::default()
    }
}

struct World {
    repo: Gitops,
    github: FakeGithub,
    audit_dir: tempfile::TempDir,
    fix: FixConfig,
    policy: PolicyConfig,
}

impl World {
    async fn new(layout: &str, mode: CreateMode) -> Option<World> {
        init();
        Some(World {
            repo: Gitops::new(layout)?,
            github: FakeGithub::start(mode).await,
            audit_dir: tempfile::tempdir().expect("tempdir"),
            fix: FixConfig::default(),
            policy: policy(),
        })
    }

    fn audit(&self) -> AuditLog {
        AuditLog::at(self.audit_dir.path().join("audit.jsonl"))
    }

    fn events(&self) -> Vec<String> {
        self.audit()
            .read()
            .expect("audit reads")
            .into_iter()
            .map(|e| e.event)
            .collect()
    }

    fn client(&self) -> Github {
        let cfg = GithubConfig {
            api_url: Some(self.github.api_url()),
            token: Some(Secret::new(TOKEN)),
        };
        Github::connect(&cfg, &Env::from_fn(|_| None)).expect("client")
    }

    fn request<'a>(
        &'a self,
        d: &'a Diagnosis,
        audit: &'a AuditLog,
        hints: Hints,
        force: bool,
    ) -> Request<'a> {
        Request {
            diagnosis: d,
            hypothesis: 0,
            repo: &self.repo.user,
            hints,
            fix: &self.fix,
            policy: &self.policy,
            base: None,
            github_repo: Some(("acme".into(), "gitops".into())),
            force,
            interactive: false,
            choose: None,
            audit,
        }
    }

    /// propose + open_pr with `--yes`.
    async fn fix(&self, d: &Diagnosis, hints: Hints, force: bool) -> k8sops::Result<Opened> {
        let audit = self.audit();
        let proposal = propose(&self.request(d, &audit, hints, force))?;
        open_pr(
            proposal,
            d,
            &self.client(),
            &Sanitizer::new(),
            &self.fix.labels,
            Confirmation::Flag,
            &audit,
        )
        .await
    }

    fn branch(&self) -> String {
        let branches: Vec<String> = self
            .repo
            .remote_branches()
            .into_iter()
            .filter(|b| b.starts_with("k8sops/"))
            .collect();
        assert_eq!(branches.len(), 1, "{branches:?}");
        branches[0].clone()
    }
}

/// `-  old` / `+  new` lines of a diff.
fn changed_lines(diff: &str) -> Vec<&str> {
    diff.lines()
        .filter(|l| {
            (l.starts_with('+') || l.starts_with('-'))
                && !l.starts_with("+++")
                && !l.starts_with("---")
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_plain_manifest_becomes_a_one_line_branch_and_a_pull_request() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    let before = w.repo.state();
    let d = diagnosis("oom-killed");
    let opened = w.fix(&d, Hints::default(), false).await.expect("opens");

    let branch = w.branch();
    assert!(branch.starts_with("k8sops/oom-killed-web-"), "{branch}");
    let diff = w.repo.diff(&branch);
    assert!(diff.contains("+++ b/apps/shop/web.yaml"), "{diff}");
    assert_eq!(
        changed_lines(&diff),
        [
            "-              memory: 512Mi    # OOM guard; see runbook/web-memory.md",
            "+              memory: 1280Mi    # OOM guard; see runbook/web-memory.md",
        ]
    );
    let message = git(&w.repo.remote, &["log", "-1", "--format=%B", &branch]);
    assert!(
        message.starts_with(
            "fix(oom-killed): set resources.limits.memory of shop/web container web to 1280Mi\n"
        ),
        "{message}"
    );
    let parent = git(&w.repo.remote, &["rev-parse", &format!("{branch}^")]);
    assert_eq!(Some(parent.trim().to_string()), w.repo.remote_ref("main"));

    assert_eq!(opened.pull_request.number, 42);
    assert!(!opened.pull_request.updated);
    assert_eq!(
        opened.pull_request.url,
        "https://github.example.com/acme/gitops/pull/42"
    );
    let created = w
        .github
        .server
        .requests_to("POST", "/api/v3/repos/acme/gitops/pulls");
    assert_eq!(created.len(), 1);
    let req = created[0].json();
    assert_eq!(req["head"], branch.as_str());
    assert_eq!(req["base"], "main");
    let body = req["body"].as_str().expect("body");
    for part in [
        "## Cause",
        "**Confidence** 0.97 (rules)",
        "### Evidence",
        "### What changed in the cluster",
        "memory limit of container web: 512Mi → 1280Mi",
        "heap + 25%",
        "```diff",
        "kubectl rollout status deploy/web -n shop",
        "k8sops-fingerprint:",
    ] {
        assert!(body.contains(part), "body lacks {part:?}:\n{body}");
    }
    let labels = w
        .github
        .server
        .requests_to("POST", "/api/v3/repos/acme/gitops/issues/42/labels");
    assert_eq!(labels[0].json()["labels"], serde_json::json!(["k8sops"]));
    assert!(
        created[0]
            .header("authorization")
            .is_some_and(|a| a.ends_with(TOKEN)),
        "the token is sent"
    );

    assert_eq!(w.repo.state(), before, "the user's checkout is untouched");
    assert_eq!(
        w.events(),
        ["proposal", "confirmation", "commit", "push", "pull-request"]
    );
}

/// `(family, secrets)` of the first row of each family in the sanitizer corpus.
fn corpus_secrets() -> Vec<(String, String, Vec<String>)> {
    let text = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/sanitize/positives.tsv"),
    )
    .expect("corpus");
    let mut seen = std::collections::BTreeSet::new();
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .filter_map(|l| {
            let mut cols = l.splitn(3, '\t');
            let (family, secrets, line) = (cols.next()?, cols.next()?, cols.next()?);
            seen.insert(family.to_string()).then(|| {
                (
                    family.to_string(),
                    line.to_string(),
                    secrets.split("|||").map(str::to_string).collect(),
                )
            })
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_secret_from_the_evidence_reaches_github() {
    let mut d = diagnosis("oom-killed");
    let corpus = corpus_secrets();
    assert!(corpus.len() >= 10, "families: {}", corpus.len());
    // Log evidence that quotes secrets, as a crashing app's log would.
    let template = d.evidence[0].clone();
    for (i, (_, line, _)) in corpus.iter().enumerate() {
        let mut e = template.clone();
        e.id = format!("ev-secret-{i}");
        e.excerpt = line.clone();
        d.evidence.push(e.clone());
        d.hypotheses[0].evidence.insert(0, e.id);
    }
    // A body quotes at most eight pieces of evidence: send the corpus eight at a time.
    for chunk in 0..corpus.len().div_ceil(8) {
        let mut d = d.clone();
        d.hypotheses[0].evidence = (chunk * 8..((chunk + 1) * 8).min(corpus.len()))
            .map(|i| format!("ev-secret-{i}"))
            .collect();
        let Some(w) = World::new("plain", CreateMode::Created).await else {
            return;
        };
        w.fix(&d, Hints::default(), false).await.expect("opens");
        let sent = w.github.server.everything_sent();
        for (family, _, secrets) in &corpus {
            for s in secrets {
                assert!(
                    !sent.contains(s.as_str()),
                    "{family} secret {s:?} was sent:\n{sent}"
                );
            }
        }
        assert!(
            sent.contains("<redacted:"),
            "the excerpts were sent, redacted"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_pull_request_goes_to_the_configured_repository_through_an_insteadof_rewrite() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    // The clone names its GitHub repository; the user's config sends git elsewhere to
    // reach it (here the bare remote on disk, for many users an SSH alias or a mirror).
    let remote = w.repo.remote.to_str().expect("utf8");
    let user = &w.repo.user;
    git(
        user,
        &[
            "remote",
            "set-url",
            "origin",
            "https://github.com/acme/gitops.git",
        ],
    );
    git(
        user,
        &[
            "config",
            &format!("url.{remote}.insteadOf"),
            "https://github.com/acme/gitops.git",
        ],
    );
    let d = diagnosis("oom-killed");
    let audit = w.audit();
    let request = Request {
        github_repo: None,
        ..w.request(&d, &audit, Hints::default(), false)
    };
    let proposal = propose(&request).expect("proposes through the rewritten URL");
    assert_eq!(
        (proposal.owner.as_str(), proposal.repo_name.as_str()),
        ("acme", "gitops")
    );
    assert_eq!(
        Some(proposal.base_commit.clone()),
        w.repo.remote_ref("main")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kustomize_edits_the_overlay_patch_that_sets_the_field() {
    let Some(w) = World::new("kustomize", CreateMode::Created).await else {
        return;
    };
    let before = w.repo.state();
    w.fix(&diagnosis("oom-killed"), Hints::default(), false)
        .await
        .expect("opens");
    let diff = w.repo.diff(&w.branch());
    assert!(
        diff.contains("+++ b/overlays/prod/patch-resources.yaml"),
        "{diff}"
    );
    assert_eq!(
        changed_lines(&diff),
        [
            "-              memory: 512Mi   # prod heap is 1Gi",
            "+              memory: 1280Mi   # prod heap is 1Gi",
        ]
    );
    assert_eq!(w.repo.state(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kustomize_image_tags_change_in_the_images_list_of_the_overlay() {
    let Some(w) = World::new("kustomize", CreateMode::Created).await else {
        return;
    };
    // image-pull's confidence (0.76) is below the default 0.8: --force.
    w.fix(&diagnosis("image-pull"), Hints::default(), true)
        .await
        .expect("opens");
    let diff = w.repo.diff(&w.branch());
    assert!(
        diff.contains("+++ b/overlays/prod/kustomization.yaml"),
        "{diff}"
    );
    assert_eq!(
        changed_lines(&diff),
        ["-    newTag: \"1.4.3\"", "+    newTag: \"1.4.2\""]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn helm_values_hold_the_change_when_the_object_is_helm_managed() {
    let Some(w) = World::new("helm", CreateMode::Created).await else {
        return;
    };
    let hints = Hints {
        argocd_app: Some("shop-web".into()),
        helm_chart: Some("web-1.2.0".into()),
        helm: true,
        known: true,
        ..Hints::default()
    };
    w.fix(&diagnosis("oom-killed"), hints, false)
        .await
        .expect("opens");
    let diff = w.repo.diff(&w.branch());
    assert!(diff.contains("+++ b/charts/web/values.yaml"), "{diff}");
    assert_eq!(
        changed_lines(&diff),
        ["-    memory: 512Mi", "+    memory: 1280Mi"]
    );
    // The request of the same value above it is not touched.
    assert!(diff.contains("     memory: 512Mi\n   limits:"), "{diff}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dirty_working_tree_is_left_exactly_as_it_was() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    let u = &w.repo.user;
    // An unstaged edit to the very file, a staged edit elsewhere, an untracked file and a
    // stash.
    std::fs::write(u.join("apps/shop/cart.yaml"), "# stashed work\n").expect("write");
    git(u, &["stash", "--quiet"]);
    let web = std::fs::read_to_string(u.join("apps/shop/web.yaml")).expect("read");
    std::fs::write(
        u.join("apps/shop/web.yaml"),
        web.replace("replicas: 3", "replicas: 5"),
    )
    .expect("write");
    std::fs::write(u.join("infra/coredns.yaml"), "# staged edit\n").expect("write");
    git(u, &["add", "infra/coredns.yaml"]);
    std::fs::write(u.join("notes.txt"), "untracked\n").expect("write");
    let before = w.repo.state();

    w.fix(&diagnosis("oom-killed"), Hints::default(), false)
        .await
        .expect("opens");
    assert_eq!(w.repo.state(), before);
    let diff = w.repo.diff(&w.branch());
    assert_eq!(
        changed_lines(&diff).len(),
        2,
        "only the limit, none of the user's edits: {diff}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_local_base_behind_the_remote_is_fetched_fresh() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    let tip = w
        .repo
        .push_elsewhere("apps/shop/README.md", "shop namespace\n", "docs: shop");
    let before = w.repo.state();
    w.fix(&diagnosis("oom-killed"), Hints::default(), false)
        .await
        .expect("opens");
    let branch = w.branch();
    let parent = git(&w.repo.remote, &["rev-parse", &format!("{branch}^")]);
    assert_eq!(parent.trim(), tip, "the branch starts at the remote's tip");
    assert_eq!(
        w.repo.state(),
        before,
        "the local main stays behind, untouched"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_branch_is_replaced_and_its_open_pr_updated() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    let d = diagnosis("oom-killed");
    w.fix(&d, Hints::default(), false).await.expect("first run");
    let branch = w.branch();
    let first = w.repo.remote_ref(&branch).expect("pushed");
    // The user has a local branch of that name, and main moves on.
    git(&w.repo.user, &["branch", &branch, "HEAD"]);
    w.repo
        .push_elsewhere("apps/shop/README.md", "shop\n", "docs");
    let before = w.repo.state();

    let again = w
        .fix(&d, Hints::default(), false)
        .await
        .expect("second run");
    assert!(again.pushed && again.pull_request.updated, "{again:?}");
    assert_eq!(again.pull_request.number, 42);
    let second = w.repo.remote_ref(&branch).expect("still there");
    assert_ne!(first, second, "rebased on the new main");
    assert_eq!(w.branch(), branch, "the same branch, not a second one");
    assert_eq!(
        w.github
            .server
            .requests_to("POST", "/api/v3/repos/acme/gitops/pulls")
            .len(),
        1
    );
    let patched = w
        .github
        .server
        .requests_to("PATCH", "/api/v3/repos/acme/gitops/pulls/42");
    assert_eq!(patched.len(), 1);
    assert_eq!(w.repo.state(), before, "the local branch is not moved");

    // A third run with nothing new: the branch already holds the change.
    let third = w.fix(&d, Hints::default(), false).await.expect("third run");
    assert!(!third.pushed && third.pull_request.updated, "{third:?}");
    assert_eq!(w.repo.remote_ref(&branch), Some(second));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_push_refused_by_a_pre_receive_hook_loses_nothing() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    let hook = w.repo.remote.join("hooks/pre-receive");
    std::fs::write(
        &hook,
        "#!/bin/sh\necho 'k8sops/* branches need the release-bot; ask #platform' >&2\nexit 1\n",
    )
    .expect("hook");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt as _;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).expect("chmod");
    }
    let before = w.repo.state();
    let err = w
        .fix(&diagnosis("oom-killed"), Hints::default(), false)
        .await
        .expect_err("refused by the remote");
    let msg = err.to_string();
    assert!(msg.starts_with("pushing k8sops/oom-killed-web-"), "{msg}");
    assert!(
        msg.contains("need the release-bot"),
        "the hook's message: {msg}"
    );
    assert!(err.hint().contains("hook"), "{}", err.hint());
    assert_eq!(w.repo.state(), before);
    assert!(w.repo.remote_branches() == ["main"], "nothing pushed");
    let writes: Vec<String> = w
        .github
        .server
        .requests()
        .into_iter()
        .filter(|r| r.method != "GET")
        .map(|r| format!("{} {}", r.method, r.path))
        .collect();
    assert!(
        writes.is_empty(),
        "no pull request without a branch: {writes:?}"
    );
    assert_eq!(w.events().last().map(String::as_str), Some("failure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_detached_head_stays_detached() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    git(&w.repo.user, &["checkout", "--quiet", "--detach", "HEAD"]);
    let before = w.repo.state();
    assert!(before.symbolic_head.is_empty(), "detached");
    w.fix(&diagnosis("oom-killed"), Hints::default(), false)
        .await
        .expect("opens");
    assert_eq!(w.repo.state(), before);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_open_pr_for_the_branch_is_updated_instead_of_duplicated() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    let d = diagnosis("oom-killed");
    let audit = w.audit();
    let branch = propose(&w.request(&d, &audit, Hints::default(), false))
        .expect("proposes")
        .branch;
    w.github.add_open("acme", "gitops", 7, &branch, "main");
    let opened = w.fix(&d, Hints::default(), false).await.expect("opens");
    assert_eq!(opened.pull_request.number, 7);
    assert!(opened.pull_request.updated);
    let listed = w
        .github
        .server
        .requests_to("GET", "/api/v3/repos/acme/gitops/pulls");
    assert!(
        listed[0]
            .query
            .contains(&format!("head=acme%3A{}", branch.replace('/', "%2F")))
            || listed[0].query.contains(&format!("head=acme:{branch}")),
        "{}",
        listed[0].query
    );
    assert!(
        w.github
            .server
            .requests_to("POST", "/api/v3/repos/acme/gitops/pulls")
            .is_empty()
    );
    let patched = w
        .github
        .server
        .requests_to("PATCH", "/api/v3/repos/acme/gitops/pulls/7");
    assert!(
        patched[0].json()["body"]
            .as_str()
            .is_some_and(|b| b.contains("## Cause"))
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_validation_errors_and_bad_credentials_say_what_happened() {
    let Some(w) = World::new("plain", CreateMode::Invalid).await else {
        return;
    };
    let err = w
        .fix(&diagnosis("oom-killed"), Hints::default(), false)
        .await
        .expect_err("422");
    let msg = err.to_string();
    assert!(
        msg.starts_with(
            "creating the pull request on acme/gitops: GitHub answered 422: Validation Failed"
        ),
        "{msg}"
    );
    assert!(
        msg.contains("branch does-not-exist does not exist"),
        "{msg}"
    );
    assert!(err.hint().contains("invalid"), "{}", err.hint());

    let Some(w) = World::new("plain", CreateMode::BadCredentials).await else {
        return;
    };
    let err = w
        .fix(&diagnosis("oom-killed"), Hints::default(), false)
        .await
        .expect_err("401");
    assert!(
        err.to_string()
            .contains("GitHub answered 401: Bad credentials"),
        "{err}"
    );
    assert!(err.hint().contains("was rejected"), "{}", err.hint());
    assert_eq!(w.events().last().map(String::as_str), Some("failure"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_manifests_for_the_same_object_are_listed_and_refused_or_chosen() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    let u = &w.repo.user;
    std::fs::create_dir_all(u.join("legacy")).expect("mkdir");
    std::fs::copy(u.join("apps/shop/web.yaml"), u.join("legacy/web.yaml")).expect("copy");
    git(u, &["add", "-A"]);
    git(u, &["commit", "--quiet", "-m", "legacy copy"]);
    git(u, &["push", "--quiet", "origin", "main"]);
    let d = diagnosis("oom-killed");
    let audit = w.audit();
    let err = propose(&w.request(&d, &audit, Hints::default(), false)).expect_err("ambiguous");
    assert_eq!(err.exit_code(), 4);
    let msg = err.to_string();
    assert!(
        msg.contains("apps/shop/web.yaml") && msg.contains("legacy/web.yaml"),
        "{msg}"
    );
    assert_eq!(w.events(), ["refusal"]);

    let pick_legacy = |c: &[Candidate]| c.iter().position(|c| c.file.starts_with("legacy"));
    let mut req = w.request(&d, &audit, Hints::default(), false);
    req.choose = Some(&pick_legacy);
    let p = propose(&req).expect("chosen");
    assert_eq!(p.candidate.file, Path::new("legacy/web.yaml"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_repository_that_does_not_deploy_the_object_says_so() {
    let Some(w) = World::new("plain", CreateMode::Created).await else {
        return;
    };
    // unschedulable's Deployment shop/search is not in this repository.
    let d = diagnosis("unschedulable");
    let audit = w.audit();
    let err = propose(&w.request(&d, &audit, Hints::default(), false)).expect_err("absent");
    let msg = err.to_string();
    assert!(
        msg.starts_with("Deployment shop/search: no manifest"),
        "{msg}"
    );
    assert!(err.hint().contains("--repo"), "{}", err.hint());
    assert_eq!(w.events(), ["failure"]);
    assert_eq!(w.repo.remote_branches(), ["main"]);
}
