//! `propose_fix` and `open_fix_pr`. A proposal is made exactly as `k8sops fix --dry-run`
//! makes it (`remediate::propose`: plan, policy, fresh worktree of the base, located file,
//! byte-preserving edit, audit entry) and kept in the server's memory under a fix id, so
//! the client can show the diff to its user first. Opening it goes through
//! `remediate::open_pr` with the confirmation recorded as the MCP client's — and only on
//! a server started with `--allow-pr`; otherwise the refusal is audited and answered.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use serde::Serialize;

use super::views::View;
use crate::analyze::Category;
use crate::error::{Error, Result};
use crate::model::ObjectRef;
use crate::rca::Diagnosis;
use crate::remediate::flow::{Ask, Flow};
use crate::remediate::{Confirmation, Proposal};

/// Proposals kept at once; each holds a worktree on disk, so the oldest goes first.
const MAX_PENDING: usize = 16;

struct Pending {
    /// Order of proposal, to forget the oldest first.
    number: u64,
    proposal: Proposal,
    diagnosis: Diagnosis,
}

/// The proposals made by this server, by fix id.
pub struct Fixes {
    /// `None` when no GitOps clone was given or configured.
    flow: Option<Arc<Flow>>,
    /// `--allow-pr`: whether `open_fix_pr` may open what was proposed.
    allow_pr: bool,
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

impl Fixes {
    pub fn new(flow: Option<Flow>, allow_pr: bool) -> Fixes {
        Fixes {
            flow: flow.map(Arc::new),
            allow_pr,
            pending: Mutex::new(HashMap::new()),
            next: AtomicU64::new(1),
        }
    }

    pub fn allow_pr(&self) -> bool {
        self.allow_pr
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Pending>> {
        // A panic while holding the lock leaves plain data behind; keep serving it.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Proposes the remedy of `hypothesis` (else the first remedy among the top ones) of
    /// the diagnosis about `subject`.
    pub async fn propose(
        &self,
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
        let hypothesis = hypothesis.unwrap_or_else(|| Flow::default_hypothesis(diagnosis));
        let flow = self.flow.clone().ok_or_else(|| Error::Usage {
            flag: "--repo".into(),
            message: "no GitOps repository to propose the fix in".into(),
            hint: "start the server as `k8sops mcp --repo PATH` (a local clone), or set repo in the [fix] table / K8SOPS_FIX_REPO".into(),
        })?;
        let hints = Flow::hints(Some(&view.snapshot), subject);
        let diagnosis = diagnosis.clone();
        // git runs as child processes and is waited for: off the async workers.
        let (proposal, diagnosis) = tokio::task::spawn_blocking(move || {
            let ask = Ask {
                // The policy's min_confidence is the operator's, not the client's, to lift.
                force: false,
                // stdin is the protocol: git must never prompt.
                interactive: false,
                choose: None,
            };
            flow.propose(&diagnosis, hypothesis, hints, ask)
                .map(|p| (p, diagnosis))
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
            pull_requests_allowed: self.allow_pr,
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
    pub async fn open(&self, fix_id: &str) -> Result<OpenedPr> {
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
        // A pending proposal was made by the flow.
        let Some(flow) = &self.flow else {
            return Err(Error::Usage {
                flag: "fix_id".into(),
                message: format!("no proposed fix {fix_id}"),
                hint: "call propose_fix first".into(),
            });
        };
        if !self.allow_pr {
            let err = Error::Refused {
                reason: "this MCP server was started without --allow-pr, so it does not open pull requests".into(),
                hint: "show the diff of propose_fix to the user; whoever runs the server can restart it as `k8sops mcp --allow-pr`, or open it with `k8sops fix`".into(),
            };
            flow.record_for(
                &fingerprint,
                &target,
                "refusal",
                &format!("open_fix_pr {fix_id}: {err}"),
                &[("by", Confirmation::McpClient.id())],
            )?;
            return Err(err);
        }
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
        let opened = flow
            .open(proposal, &diagnosis, Confirmation::McpClient)
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
