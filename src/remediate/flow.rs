//! The one fix flow behind every front-end — `diagnose --fix` and `fix` (the command layer),
//! `f` on the dashboard (`tui`) and `propose_fix`/`open_fix_pr` (`mcp`): which remedies are
//! on offer, where the GitOps clone is, the proposal, the audit records and the pull
//! request. Front-ends only ask the human (or the client) and show what comes back.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{
    Confirmation, FixConfig, Hints, Opened, PolicyConfig, Proposal, Request, open_pr, propose,
};
use crate::audit::{AuditLog, Entry};
use crate::error::Result;
use crate::github::Connect;
use crate::model::{ObjectRef, Snapshot};
use crate::rca::{Diagnosis, DiagnosisList};
use crate::sanitize::Sanitizer;

/// Hypotheses per diagnosis whose remedies are offered.
pub const TOP: usize = 3;

/// Where fixes go and what they may be, from the command layer.
pub struct Settings {
    /// The local clone of the GitOps repository (any directory inside it).
    pub repo: PathBuf,
    /// `OWNER/NAME` for pull requests, over `[fix] github_repo` and the clone's origin.
    pub github_repo: Option<(String, String)>,
    /// The branch pull requests target, over `[fix] base` and the remote's default branch.
    pub base: Option<String>,
    pub fix: FixConfig,
    pub policy: PolicyConfig,
    /// Pull request titles and bodies go through it.
    pub sanitizer: Arc<Sanitizer>,
    pub audit: AuditLog,
    /// Asked for when a pull request is about to be opened: a diff needs no token.
    pub github: Connect,
}

/// How one proposal is asked for.
#[derive(Default)]
pub struct Ask<'a> {
    /// Propose below `[policy] min_confidence` (a human's `--force`, never a client's).
    pub force: bool,
    /// Whether git may prompt for credentials on the terminal.
    pub interactive: bool,
    /// Asked when several files could hold the change; without one, k8sops refuses.
    pub choose: Option<super::Chooser<'a>>,
}

pub struct Flow {
    settings: Settings,
}

impl Flow {
    pub fn new(settings: Settings) -> Flow {
        Flow { settings }
    }

    pub fn repo(&self) -> &Path {
        &self.settings.repo
    }

    /// The remedies on offer in `list`: (diagnosis, hypothesis) of the top hypotheses that
    /// have one.
    pub fn remedies(list: &DiagnosisList) -> Vec<(usize, usize)> {
        list.items
            .iter()
            .enumerate()
            .flat_map(|(i, d)| {
                d.hypotheses
                    .iter()
                    .take(TOP)
                    .enumerate()
                    .filter(|(_, h)| h.remedy.is_some())
                    .map(move |(j, _)| (i, j))
            })
            .collect()
    }

    /// The hypothesis proposed when none is named: the first of the top ones with a remedy,
    /// else the top one (planning it says why there is nothing to write).
    pub fn default_hypothesis(diagnosis: &Diagnosis) -> usize {
        diagnosis
            .hypotheses
            .iter()
            .take(TOP)
            .position(|h| h.remedy.is_some())
            .unwrap_or(0)
    }

    /// What the live object says about how it is deployed (Argo CD, Flux, Helm).
    pub fn hints(snapshot: Option<&Snapshot>, subject: &ObjectRef) -> Hints {
        snapshot
            .and_then(|s| {
                s.meta(
                    subject.known_kind()?,
                    subject.namespace.as_deref().unwrap_or(""),
                    &subject.name,
                )
            })
            .map(Hints::from_meta)
            .unwrap_or_default()
    }

    /// Plans the remedy of `hypothesis`, checks the policy, fetches the base and edits the
    /// file in a temporary worktree. Blocking git work: async callers use `spawn_blocking`.
    pub fn propose(
        &self,
        diagnosis: &Diagnosis,
        hypothesis: usize,
        hints: Hints,
        ask: Ask<'_>,
    ) -> Result<Proposal> {
        let s = &self.settings;
        propose(&Request {
            diagnosis,
            hypothesis,
            repo: &s.repo,
            hints,
            fix: &s.fix,
            policy: &s.policy,
            base: s.base.clone(),
            github_repo: s.github_repo.clone(),
            force: ask.force,
            interactive: ask.interactive,
            choose: ask.choose,
            audit: &s.audit,
        })
    }

    /// Records what became of a proposal that was not opened (a dry run, a refusal, a
    /// decline), with its reasoning.
    pub fn record(&self, p: &Proposal, event: &str, reasoning: &str) -> Result<()> {
        self.record_for(
            &p.plan.fingerprint,
            &p.plan.target,
            event,
            reasoning,
            &[("branch", &p.branch)],
        )
    }

    /// Records a decision about a proposal known by its fingerprint and target.
    pub fn record_for(
        &self,
        fingerprint: &str,
        target: &impl std::fmt::Display,
        event: &str,
        reasoning: &str,
        details: &[(&str, &str)],
    ) -> Result<()> {
        let mut e = Entry::new(event, reasoning);
        e.fingerprint = Some(fingerprint.to_string());
        e.target = Some(target.to_string());
        for (k, v) in details {
            e = e.detail(k, v);
        }
        self.settings.audit.record(&e)
    }

    /// Commits, pushes and opens (or updates) the pull request of a confirmed proposal.
    pub async fn open(
        &self,
        proposal: Proposal,
        diagnosis: &Diagnosis,
        confirmation: Confirmation,
    ) -> Result<Opened> {
        let github = match (self.settings.github)() {
            Ok(g) => g,
            Err(e) => {
                let _ = self.record(&proposal, "failure", &format!("{e} (hint: {})", e.hint()));
                return Err(e);
            }
        };
        open_pr(
            proposal,
            diagnosis,
            &github,
            &self.settings.sanitizer,
            &self.settings.fix.labels,
            confirmation,
            &self.settings.audit,
        )
        .await
    }
}
