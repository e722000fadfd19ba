//! Remediation: from a hypothesis's typed remedy to a reviewed pull request. k8sops never
//! changes the cluster; the change lands on a branch of the GitOps repository.
//!
//! `plan` turns the remedy into field edits (or refuses: no value to write), `policy`
//! decides whether it may be proposed, `git` fetches the base branch into a temporary
//! worktree, `locate` finds the file that sets the field there, `yaml_edit` changes only
//! the bytes of the value, and `forge` opens or updates the pull request. Every step is
//! written to the audit log.
//!
//! The library API has no terminal in it, so the CLI, the TUI and an MCP server share it
//! through one [`flow::Flow`]: [`propose`] gives a [`Proposal`] with its diff (nothing
//! pushed yet), and [`open_pr`] commits, pushes and opens the PR once someone confirmed.
//! The prompts live in the front-ends (`cmd::fix`, `tui::fix`, `mcp::fixes`). Both run
//! `git` as child processes and wait for it: an async UI calls `propose` from
//! `spawn_blocking` and runs `open_pr` on a task of its own.

pub mod flow;
pub mod forge;
pub mod git;
pub mod locate;
pub mod plan;
pub mod policy;
pub mod yaml_edit;

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::audit::{AuditLog, Entry};
use crate::env::Env;
use crate::error::{Error, Input, Result};
use crate::github::Github;
use crate::rca::Diagnosis;
use crate::sanitize::Sanitizer;

pub use forge::PullRequest;
pub use locate::{Candidate, Hints, Layout};
pub use plan::Plan;
pub use policy::PolicyConfig;

/// The `[fix]` table of the config file.
///
/// ```toml
/// [fix]
/// repo = "~/src/gitops"          # local clone (or a directory in it) of the GitOps repository
/// github_repo = "acme/gitops"    # default: OWNER/NAME of the clone's remote
/// remote = "origin"
/// base = "main"                  # default: the remote's default branch
/// labels = ["k8sops"]
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct FixConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub repo: Option<PathBuf>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub github_repo: Option<String>,
    pub remote: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub base: Option<String>,
    pub labels: Vec<String>,
}

impl Default for FixConfig {
    fn default() -> Self {
        FixConfig {
            repo: None,
            github_repo: None,
            remote: "origin".into(),
            base: None,
            labels: vec!["k8sops".into()],
        }
    }
}

impl FixConfig {
    /// `K8SOPS_FIX_REPO`, `K8SOPS_FIX_GITHUB_REPO` and `K8SOPS_FIX_BASE` over the file.
    pub fn apply_env(&mut self, env: &Env<'_>) {
        if let Some(repo) = env.get("K8SOPS_FIX_REPO") {
            self.repo = Some(PathBuf::from(repo));
        }
        if let Some(gh) = env.get("K8SOPS_FIX_GITHUB_REPO") {
            self.github_repo = Some(gh);
        }
        if let Some(base) = env.get("K8SOPS_FIX_BASE") {
            self.base = Some(base);
        }
    }
}

/// Picks one of several candidate files (a prompt, a TUI popup); `None` declines.
pub type Chooser<'a> = &'a dyn Fn(&[Candidate]) -> Option<usize>;

/// Everything [`propose`] needs.
pub struct Request<'a> {
    pub diagnosis: &'a Diagnosis,
    /// Index into `diagnosis.hypotheses`.
    pub hypothesis: usize,
    /// The local clone (any directory inside it).
    pub repo: &'a Path,
    /// From the live object, when there is one.
    pub hints: Hints,
    pub fix: &'a FixConfig,
    pub policy: &'a PolicyConfig,
    /// `--base`, over `[fix] base` and the remote's default branch.
    pub base: Option<String>,
    /// `OWNER/NAME` for the PR, over `[fix] github_repo` and the URL of the clone's
    /// `[fix] remote`.
    pub github_repo: Option<(String, String)>,
    /// Propose below `[policy] min_confidence`.
    pub force: bool,
    /// Whether git may prompt for credentials.
    pub interactive: bool,
    /// Asked when several files could hold the change; without one, k8sops refuses.
    pub choose: Option<Chooser<'a>>,
    pub audit: &'a AuditLog,
}

/// A change ready to be confirmed: the diff is made in a temporary worktree at the fresh
/// base; nothing is committed or pushed until [`open_pr`].
#[derive(Debug)]
pub struct Proposal {
    pub plan: Plan,
    pub candidate: Candidate,
    /// Unified diff of the file, `a/`/`b/` paths, no colour.
    pub diff: String,
    pub before_sha256: String,
    pub after_sha256: String,
    pub base: String,
    pub base_commit: String,
    pub branch: String,
    pub owner: String,
    pub repo_name: String,
    worktree: git::Worktree,
    repo: git::Repo,
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn entry(event: &str, plan: Option<&Plan>, reasoning: impl Into<String>) -> Entry {
    let mut e = Entry::new(event, reasoning);
    if let Some(p) = plan {
        e.fingerprint = Some(p.fingerprint.clone());
        e.target = Some(p.target.to_string());
        e.details.insert("category".into(), p.category.id().into());
    }
    e
}

/// Records a refusal or failure of `result` before passing it on.
fn audited<T>(audit: &AuditLog, plan: Option<&Plan>, result: Result<T>) -> Result<T> {
    if let Err(err) = &result {
        let event = match err {
            Error::Refused { .. } => "refusal",
            _ => "failure",
        };
        audit.record(&entry(event, plan, format!("{err} (hint: {})", err.hint())))?;
    }
    result
}

/// Plans, checks policy, fetches, locates and edits: the diff to confirm.
pub fn propose(req: &Request<'_>) -> Result<Proposal> {
    let Some(hypothesis) = req.diagnosis.hypotheses.get(req.hypothesis) else {
        return Err(Error::Invalid {
            input: Input::Hypothesis,
            message: format!(
                "{} has {} hypotheses, not {}",
                req.diagnosis.subject,
                req.diagnosis.hypotheses.len(),
                req.hypothesis + 1
            ),
            hint: "pick one of the listed hypotheses".into(),
        });
    };
    let plan = audited(req.audit, None, Plan::new(req.diagnosis, hypothesis))?;
    audited(req.audit, Some(&plan), req.policy.check(&plan, req.force))?;
    let result = prepare(req, &plan);
    let proposal = audited(req.audit, Some(&plan), result)?;
    req.audit.record(
        &entry(
            "proposal",
            Some(&plan),
            format!("{} — {}", plan.cause, plan.rationale),
        )
        .detail("confidence", format!("{:.2}", plan.confidence))
        .detail("change", plan.describe_edits().join("; "))
        .detail("file", proposal.candidate.file.display())
        .detail(
            "base",
            format!("{} {}", proposal.base, proposal.base_commit),
        )
        .detail("branch", &proposal.branch)
        .detail("before_sha256", &proposal.before_sha256)
        .detail("after_sha256", &proposal.after_sha256),
    )?;
    Ok(proposal)
}

fn github_repo(req: &Request<'_>, repo: &git::Repo) -> Result<(String, String)> {
    if let Some(r) = &req.github_repo {
        return Ok(r.clone());
    }
    if let Some(r) = &req.fix.github_repo {
        return crate::github::parse_repo(r).map_err(|message| Error::Config {
            path: None,
            message: format!("[fix] github_repo: {message}"),
            hint: "write it as OWNER/NAME".into(),
        });
    }
    crate::github::remote_url(&repo.root, &repo.remote)
        .and_then(|url| crate::github::repo_of_remote(&url))
        .ok_or_else(|| Error::Invalid {
            input: Input::GithubRepository,
            message: format!(
                "the {} remote of {} is not a GitHub URL",
                repo.remote,
                repo.root.display()
            ),
            hint: "pass --github-repo OWNER/NAME, or set github_repo in the [fix] table".into(),
        })
}

fn prepare(req: &Request<'_>, plan: &Plan) -> Result<Proposal> {
    let repo = git::Repo::open(req.repo, &req.fix.remote, req.interactive)?;
    let (owner, repo_name) = github_repo(req, &repo)?;
    let base = match req.base.clone().or_else(|| req.fix.base.clone()) {
        Some(b) => b,
        None => repo.default_branch()?,
    };
    let base_commit = repo.fetch(&base)?;
    let worktree = repo.worktree(&base_commit)?;
    let mut candidates = locate::locate(worktree.path(), &repo.prefix, plan, &req.hints)?;
    let candidate = match candidates.len() {
        0 => {
            return Err(Error::Locate {
                target: plan.target.to_string(),
                message: format!(
                    "no manifest, kustomization or Helm values file on {}/{base} sets container {} of it",
                    req.fix.remote, plan.container
                ),
                hint: "check that --repo is the GitOps repository that deploys it (and --base its branch)".into(),
            });
        }
        1 => candidates.remove(0),
        _ => match req.choose.and_then(|choose| choose(&candidates)) {
            Some(i) if i < candidates.len() => candidates.remove(i),
            _ => {
                let list: Vec<String> = candidates.iter().map(|c| c.to_string()).collect();
                return Err(Error::Refused {
                    reason: format!(
                        "{} places could hold the change to {}: {}",
                        candidates.len(),
                        plan.target,
                        list.join("; ")
                    ),
                    hint: "run in a terminal to choose one, or narrow --repo to the directory that deploys it".into(),
                });
            }
        },
    };
    // What the file holds now is the `from` of edits the remedy could not know (a probe's
    // port); the policy sees those too.
    let mut plan = plan.clone();
    if candidate.layout != Layout::KustomizeImages && candidate.current.len() == plan.edits.len() {
        for (e, now) in plan.edits.iter_mut().zip(&candidate.current) {
            if e.from.is_none() {
                e.from.clone_from(now);
            }
        }
        req.policy.check(&plan, req.force)?;
    }
    let path = worktree.path().join(&candidate.file);
    let before = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    let after =
        yaml_edit::apply_all(&before, &candidate.edits).map_err(|e| Error::Locate {
            target: plan.target.to_string(),
            message: format!("{}: {e}", candidate.file.display()),
            hint: "make this change by hand; k8sops edits a file only when it can prove it changed just the one value".into(),
        })?;
    std::fs::write(&path, &after).map_err(|e| Error::io(&path, e))?;
    let file = candidate.file.display().to_string();
    let diff = similar::TextDiff::from_lines(&before, &after)
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{file}"), &format!("b/{file}"))
        .to_string();
    Ok(Proposal {
        branch: plan.branch(),
        plan,
        candidate,
        diff,
        before_sha256: sha256(before.as_bytes()),
        after_sha256: sha256(after.as_bytes()),
        base,
        base_commit,
        owner,
        repo_name,
        worktree,
        repo,
    })
}

/// Who said yes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Confirmation {
    /// At the terminal prompt.
    Prompt,
    /// `--yes`.
    Flag,
    /// Through the library (TUI) by its own confirm.
    Caller,
    /// By an MCP client's `open_fix_pr` call, on a server started with `--allow-pr`.
    McpClient,
}

impl Confirmation {
    /// How the audit log names it.
    pub fn id(self) -> &'static str {
        match self {
            Confirmation::Prompt => "prompt",
            Confirmation::Flag => "flag",
            Confirmation::Caller => "caller",
            Confirmation::McpClient => "mcp-client",
        }
    }
}

/// What [`open_pr`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Opened {
    pub commit: String,
    /// False when the branch already held exactly this change.
    pub pushed: bool,
    pub pull_request: PullRequest,
}

/// Commits the proposal on its branch, pushes it with the user's git credentials and opens
/// (or updates) the pull request. Title and body are sanitized first; if that fails,
/// nothing is committed or sent.
pub async fn open_pr(
    proposal: Proposal,
    diagnosis: &Diagnosis,
    github: &Github,
    sanitizer: &Sanitizer,
    labels: &[String],
    confirmation: Confirmation,
    audit: &AuditLog,
) -> Result<Opened> {
    let plan = proposal.plan.clone();
    audit.record(
        &entry("confirmation", Some(&plan), "the diff was confirmed")
            .detail("by", confirmation.id())
            .detail("after_sha256", &proposal.after_sha256),
    )?;
    let result = publish(&proposal, diagnosis, github, sanitizer, labels, audit).await;
    audited(audit, Some(&plan), result)
}

async fn publish(
    p: &Proposal,
    diagnosis: &Diagnosis,
    github: &Github,
    sanitizer: &Sanitizer,
    labels: &[String],
    audit: &AuditLog,
) -> Result<Opened> {
    let plan = &p.plan;
    // Everything that leaves for the remote and the forge goes through the gate first; a
    // failure sends nothing.
    let clean = |what: &str, text: &str| {
        sanitizer.outbound(text).map_err(|e| Error::Sanitize {
            what: what.into(),
            message: e.to_string(),
        })
    };
    let message = clean("the commit message", &plan.commit_message())?;
    let title = clean(
        "the pull request title",
        message.lines().next().unwrap_or_default(),
    )?;
    let body = clean("the pull request body", &forge::body(p, diagnosis))?;
    let branch = clean("the branch name", &p.branch)?;
    let base = clean("the base branch name", &p.base)?;
    // A placeholder is no valid ref name, and a ref that needed one must not be pushed.
    if !branch.report().is_empty() || !base.report().is_empty() {
        return Err(Error::Sanitize {
            what: "the branch name".into(),
            message: format!(
                "{} or {} looks like it holds a secret, so nothing was pushed",
                branch, base
            ),
        });
    }
    let draft = forge::Draft {
        owner: &p.owner,
        repo: &p.repo_name,
        branch: &branch,
        base: &base,
        title: &title,
        body: &body,
        labels,
    };
    let existing = forge::find_open(github, &draft).await?;
    let commit = p.worktree.commit(&[p.candidate.file.as_path()], &message)?;
    audit.record(
        &entry("commit", Some(plan), title.to_string())
            .detail("commit", &commit)
            .detail("parent", &p.base_commit),
    )?;
    let remote = p.repo.remote_branch(&p.branch)?;
    let same = match &remote {
        Some(sha) => {
            p.worktree.fetch_branch(&p.branch)?;
            p.worktree.tree_of(sha)? == p.worktree.tree_of(&commit)?
        }
        None => false,
    };
    if !same {
        p.worktree.push(&branch, remote.as_deref())?;
    }
    audit.record(
        &entry(
            "push",
            Some(plan),
            match (same, &remote) {
                (true, _) => "the branch already holds this change; nothing pushed".to_string(),
                (false, Some(old)) => format!("replaced {old} on the remote branch"),
                (false, None) => "new branch".to_string(),
            },
        )
        .detail("remote", &p.repo.remote)
        .detail("branch", &p.branch)
        .detail("commit", &commit),
    )?;
    let pr = forge::upsert(github, &draft, existing).await?;
    audit.record(
        &entry(
            "pull-request",
            Some(plan),
            match pr.updated {
                true => format!("updated #{}", pr.number),
                false => format!("opened #{}", pr.number),
            },
        )
        .detail("url", &pr.url)
        .detail("body_sha256", sha256(body.as_bytes())),
    )?;
    Ok(Opened {
        commit,
        pushed: !same,
        pull_request: pr,
    })
}
