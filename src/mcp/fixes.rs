//! `propose_fix` and `open_fix_pr`. A proposal is made exactly as `k8sops fix --dry-run`
//! makes it (`remediate::propose`: plan, policy, fresh worktree of the base, located file,
//! byte-preserving edit, audit entry) and kept in the server's memory under a fix id, so
//! the client can show the diff to its user first. Opening it goes through
//! `remediate::open_pr` with the confirmation recorded as the MCP client's — and only on
//! a server started with `--allow-pr`; otherwise the refusal is audited and answered.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::Serialize;

use super::views::View;
use crate::analyze::Category;
use crate::audit::{AuditLog, Entry};
use crate::config::{Config, Env};
use crate::error::{Error, Result};
use crate::github::Github;
use crate::model::ObjectRef;
use crate::rca::Diagnosis;
use crate::remediate::{self, Confirmation, Hints, Proposal};
use crate::sanitize::Sanitizer;

/// Hypotheses per diagnosis whose remedies are offered when the call names none (as `fix`).
const TOP: usize = 3;
/// Proposals kept at once; each holds a worktree on disk, so the oldest goes first.
const MAX_PENDING: usize = 16;

/// Where pull requests go, from `k8sops mcp` flags over the `[fix]` table.
pub struct Settings {
    pub repo: Option<PathBuf>,
    pub github_repo: Option<(String, String)>,
    pub base: Option<String>,
    pub allow_pr: bool,
}

struct Pending {
    /// Order of proposal, to forget the oldest first.
    number: u64,
    proposal: Proposal,
    diagnosis: Diagnosis,
}

/// The proposals made by this server, by fix id.
pub struct Fixes {
    settings: Settings,
    pending: Mutex<HashMap<String, Pending>>,
    next: AtomicU64,
}

/// The answer of `propose_fix`.
#[derive(Debug, Serialize)]
pub struct Proposed {
    pub fix_id: String,
    pub subject: ObjectRef,
    pub category: Category,
    pub cause: String,
    pub confidence: f64,
    pub change: Vec<String>,
    pub rationale: String,
    pub file: String,
    pub base: String,
    pub base_commit: String,
    pub branch: String,
    pub repository: String,
    /// Unified diff of the file, `a/`/`b/` paths.
    pub diff: String,
    /// Whether `open_fix_pr` may open it on this server.
    pub pull_requests_allowed: bool,
}

/// The answer of `open_fix_pr`.
#[derive(Debug, Serialize)]
pub struct OpenedPr {
    pub fix_id: String,
    pub number: u64,
    pub url: String,
    /// An open pull request for the branch was updated rather than a new one opened.
    pub updated: bool,
    pub branch: String,
    pub commit: String,
    /// False when the remote branch already held exactly this change.
    pub pushed: bool,
}

fn audit_log() -> Result<AuditLog> {
    AuditLog::open(&Env::process())
}

impl Fixes {
    pub fn new(settings: Settings) -> Fixes {
        Fixes {
            settings,
            pending: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
        }
    }

    pub fn allow_pr(&self) -> bool {
        self.settings.allow_pr
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Proposes the remedy of `hypothesis` (else the first remedy among the top ones) of
    /// the diagnosis about `subject`.
    pub async fn propose(
        &self,
        config: &Config,
        view: &View,
        subject: &ObjectRef,
        hypothesis: Option<usize>,
    ) -> Result<Proposed> {
        let Some(diagnosis) = view.list.items.iter().find(|d| &d.subject == subject) else {
            return Err(Error::Usage {
                flag: "target".into(),
                message: format!(
                    "k8sops found no problem with {subject}, so there is nothing to fix"
                ),
                hint: "list_problems lists what has a diagnosis".into(),
            });
        };
        let hypothesis = hypothesis.unwrap_or_else(|| {
            diagnosis
                .hypotheses
                .iter()
                .take(TOP)
                .position(|h| h.remedy.is_some())
                // Plan::new says why the top one has nothing to write.
                .unwrap_or(0)
        });
        let repo = self
            .settings
            .repo
            .clone()
            .or_else(|| {
                config
                    .fix
                    .repo
                    .as_deref()
                    .map(|r| remediate::command::expand_home(r, &Env::process()))
            })
            .ok_or_else(|| Error::Usage {
                flag: "--repo".into(),
                message: "no GitOps repository to propose the fix in".into(),
                hint: "start the server as `k8sops mcp --repo PATH` (a local clone), or set repo in the [fix] table / K8SOPS_FIX_REPO".into(),
            })?;
        let hints = subject
            .known_kind()
            .and_then(|kind| {
                view.snapshot.meta(
                    kind,
                    subject.namespace.as_deref().unwrap_or(""),
                    &subject.name,
                )
            })
            .map(Hints::from_meta)
            .unwrap_or_default();
        let diagnosis = diagnosis.clone();
        let fix = config.fix.clone();
        let policy = config.policy.clone();
        let base = self.settings.base.clone();
        let github_repo = self.settings.github_repo.clone();
        let audit = audit_log()?;
        // git runs as child processes and is waited for: off the async workers.
        let (proposal, diagnosis) = tokio::task::spawn_blocking(move || {
            let request = remediate::Request {
                diagnosis: &diagnosis,
                hypothesis,
                repo: &repo,
                hints,
                fix: &fix,
                policy: &policy,
                base,
                github_repo,
                // The policy's min_confidence is the operator's, not the client's, to lift.
                force: false,
                // stdin is the protocol: git must never prompt.
                interactive: false,
                choose: None,
                audit: &audit,
            };
            remediate::propose(&request).map(|p| (p, diagnosis))
        })
        .await
        .map_err(|e| Error::Git {
            what: "proposing the fix".into(),
            message: e.to_string(),
            hint: "this is a bug; the k8sops CLI (`k8sops fix --dry-run`) does the same".into(),
        })??;
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        let fix_id = format!("fix-{n}");
        let plan = &proposal.plan;
        let answer = Proposed {
            fix_id: fix_id.clone(),
            subject: diagnosis.subject.clone(),
            category: plan.category,
            cause: plan.cause.clone(),
            confidence: plan.confidence,
            change: plan.describe_edits(),
            rationale: plan.rationale.clone(),
            file: proposal.candidate.file.display().to_string(),
            base: proposal.base.clone(),
            base_commit: proposal.base_commit.clone(),
            branch: proposal.branch.clone(),
            repository: format!("{}/{}", proposal.owner, proposal.repo_name),
            diff: proposal.diff.clone(),
            pull_requests_allowed: self.settings.allow_pr,
        };
        let mut pending = self.lock();
        while pending.len() >= MAX_PENDING {
            let Some(oldest) = pending
                .iter()
                .min_by_key(|(_, p)| p.number)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            pending.remove(&oldest);
        }
        pending.insert(
            fix_id,
            Pending {
                number: n,
                proposal,
                diagnosis,
            },
        );
        Ok(answer)
    }

    /// Commits, pushes and opens (or updates) the pull request of a proposal.
    pub async fn open(
        &self,
        config: &Config,
        sanitizer: &Sanitizer,
        fix_id: &str,
    ) -> Result<OpenedPr> {
        let (fingerprint, target) = {
            let pending = self.lock();
            let Some(p) = pending.get(fix_id) else {
                let mut known: Vec<&str> = pending.keys().map(String::as_str).collect();
                known.sort();
                return Err(Error::Usage {
                    flag: "fix_id".into(),
                    message: match known.is_empty() {
                        true => format!("no proposed fix {fix_id}: nothing was proposed yet"),
                        false => format!("no proposed fix {fix_id} (proposed: {})", known.join(", ")),
                    },
                    hint: "call propose_fix (again): fix ids last while this server runs, the oldest go after 16 newer ones, and an opened fix is gone".into(),
                });
            };
            (
                p.proposal.plan.fingerprint.clone(),
                p.proposal.plan.target.to_string(),
            )
        };
        let audit = audit_log()?;
        if !self.settings.allow_pr {
            let err = Error::Refused {
                reason: "this MCP server was started without --allow-pr, so it does not open pull requests".into(),
                hint: "show the diff of propose_fix to the user; whoever runs the server can restart it as `k8sops mcp --allow-pr`, or open it with `k8sops fix`".into(),
            };
            let mut entry = Entry::new("refusal", format!("open_fix_pr {fix_id}: {err}"));
            entry.fingerprint = Some(fingerprint);
            entry.target = Some(target);
            audit.record(&entry.detail("by", Confirmation::McpClient.id()))?;
            return Err(err);
        }
        let github = Github::connect(&config.github, &Env::process())?;
        let Some(Pending {
            proposal,
            diagnosis,
            ..
        }) = self.lock().remove(fix_id)
        else {
            return Err(Error::Usage {
                flag: "fix_id".into(),
                message: format!("{fix_id} is being opened by another call"),
                hint: "wait for that call's answer".into(),
            });
        };
        let branch = proposal.branch.clone();
        let opened = remediate::open_pr(
            proposal,
            &diagnosis,
            &github,
            sanitizer,
            &config.fix.labels,
            Confirmation::McpClient,
            &audit,
        )
        .await?;
        Ok(OpenedPr {
            fix_id: fix_id.to_string(),
            number: opened.pull_request.number,
            url: opened.pull_request.url.clone(),
            updated: opened.pull_request.updated,
            branch,
            commit: opened.commit,
            pushed: opened.pushed,
        })
    }
}
