//! `f` in the dashboard: the diff-confirm-PR flow of `diagnose --fix`, through the same
//! [`Flow`] (a proposal, then the pull request once `y` is pressed on the diff). The cluster is never touched: the change goes to a branch of the GitOps
//! repository and a pull request. Without a repository configured, `f` shows the remedy
//! and the command that runs the flow in a terminal.

use std::sync::{Arc, Mutex};

use crate::error::Result;
use crate::rca::Diagnosis;
use crate::remediate::flow::{Ask, Flow};
use crate::remediate::{Confirmation, Hints, Proposal};
use crate::watch::assist::FixProposal;

/// The flow, and the proposal on screen waiting for `y` or `esc`.
pub struct FixFlow {
    flow: Flow,
    /// The proposal on screen, waiting for `y` or `esc`, with its diagnosis.
    pending: Mutex<Option<(Proposal, Diagnosis)>>,
}

impl FixFlow {
    /// The dashboard's side of `flow` (built by the command layer when a GitOps clone is
    /// configured).
    pub fn new(flow: Flow) -> Arc<FixFlow> {
        Arc::new(FixFlow {
            flow,
            pending: Mutex::new(None),
        })
    }

    /// Plans the top remedy, checks the policy, fetches the base and edits the file in a
    /// temporary worktree: blocking git work, for `spawn_blocking`. The proposal is kept
    /// for [`FixFlow::open`] (a new one replaces it); the lines show it.
    pub fn propose(&self, diagnosis: Diagnosis, hints: Hints) -> Result<Vec<String>> {
        let hypothesis = Flow::default_hypothesis(&diagnosis);
        let ask = Ask {
            force: false,
            // Git must not prompt for credentials on the dashboard's terminal.
            interactive: false,
            // Several candidate files are refused with the list; a terminal can choose.
            choose: None,
        };
        let proposal = self.flow.propose(&diagnosis, hypothesis, hints, ask)?;
        let lines = proposal_lines(&diagnosis, &proposal);
        self.decline(Some((proposal, diagnosis)));
        Ok(lines)
    }

    /// Commits, pushes and opens (or updates) the pull request of the proposal on screen.
    pub async fn open(&self) -> Vec<String> {
        let Some((proposal, diagnosis)) = self.take() else {
            return vec!["No proposal is waiting for a confirmation; press f on a problem.".into()];
        };
        let branch = proposal.branch.clone();
        let opened = self
            .flow
            .open(proposal, &diagnosis, Confirmation::Caller)
            .await;
        match opened {
            Ok(o) => {
                let pr = &o.pull_request;
                let verb = if pr.updated { "Updated" } else { "Opened" };
                let pushed = match o.pushed {
                    true => format!("pushed {branch}"),
                    false => format!("{branch} already held this change"),
                };
                vec![
                    format!("{verb} pull request #{} ({pushed}):", pr.number),
                    format!("  {}", pr.url),
                    String::new(),
                    "The cluster changes when the pull request is merged and deployed.".into(),
                ]
            }
            Err(e) => vec![
                format!("Cannot open the pull request: {e}"),
                format!("hint: {}", e.hint()),
            ],
        }
    }

    /// `esc` on the diff: the proposal is dropped (its worktree with it) and the audit log
    /// says so. With `replaced`, a newer proposal takes its place.
    pub fn decline(&self, replaced: Option<(Proposal, Diagnosis)>) {
        let old = match self.pending.lock() {
            Ok(mut p) => std::mem::replace(&mut *p, replaced),
            Err(_) => None,
        };
        if let Some((p, _)) = old {
            let _ = self.flow.record(&p, "declined", "closed on the dashboard");
        }
    }

    fn take(&self) -> Option<(Proposal, Diagnosis)> {
        self.pending.lock().ok().and_then(|mut p| p.take())
    }
}

/// The proposal as the diff popup shows it: cause, change, file, diff, and the question.
fn proposal_lines(d: &Diagnosis, p: &Proposal) -> Vec<String> {
    let plan = &p.plan;
    let mut lines = vec![
        format!("{}: {}", plan.category, plan.target),
        format!("  {}", plan.cause),
        format!("  confidence {:.2}", plan.confidence),
    ];
    if let Some(h) = d.hypotheses.iter().find(|h| h.cause == plan.cause) {
        for id in &h.evidence {
            if let Some(e) = d.evidence_by_id(id) {
                lines.push(format!("  {id} {}", e.excerpt));
            }
        }
    }
    lines.push(String::new());
    lines.push("change:".into());
    lines.extend(plan.describe_edits().into_iter().map(|l| format!("  {l}")));
    lines.push(format!("  why: {}", plan.rationale));
    lines.push(format!(
        "  in {} ({}) on {} {}",
        p.candidate.file.display(),
        p.candidate.note,
        p.base,
        &p.base_commit[..p.base_commit.len().min(12)]
    ));
    lines.push(String::new());
    lines.extend(p.diff.lines().map(str::to_string));
    lines.push(String::new());
    lines.push(format!(
        "y: push branch {} and open a pull request on {}/{} (base {})   esc: cancel",
        p.branch, p.owner, p.repo_name, p.base
    ));
    lines.push("Nothing is committed or pushed before y; the cluster is never changed.".into());
    lines
}

/// What `f` shows when no GitOps repository is configured.
pub fn unconfigured_lines(p: &FixProposal) -> Vec<String> {
    let mut lines = vec![match &p.remedy {
        Some(r) => format!("Top remedy: {r}"),
        None => "The rules found no typed remedy for this one; the fix steps:".into(),
    }];
    lines.extend(p.steps.iter().map(|s| format!("  - {s}")));
    lines.push(String::new());
    lines.push("No GitOps repository is configured, so the fix cannot be proposed here.".into());
    lines.push(
        "Set repo in the [fix] table of the config file (or K8SOPS_FIX_REPO) to a local clone \
         of the repository that deploys it, and press f again; or run the flow in a terminal:"
            .into(),
    );
    lines.push(format!("  {}", p.command));
    lines.push(String::new());
    lines.push("The dashboard is read-only: nothing was changed.".into());
    lines
}
