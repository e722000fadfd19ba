//! The two seams to engines that live elsewhere: explaining a diagnosis with an LLM (`e`
//! in the TUI; the headless watcher's explanations) and proposing a fix (`f`). Each is one
//! type here, so plugging in the LLM engine or the diff-confirm-PR flow is one change.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::model::{Kind, ObjectRef};
use crate::rca::Diagnosis;

/// Why an explanation is not available.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ExplainError {
    /// No LLM endpoint is configured; the rules engine's answer stands.
    NotConfigured,
    /// The call failed (counts towards the circuit breaker).
    Failed(String),
}

impl std::fmt::Display for ExplainError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ExplainError::NotConfigured => f.write_str(
                "No LLM is configured, so there is nothing to explain with. Set K8SOPS_LLM_BASE_URL and K8SOPS_LLM_MODEL (or the config file) to use one; the rules engine's diagnosis is in the detail pane.",
            ),
            ExplainError::Failed(m) => write!(f, "the LLM call failed: {m}"),
        }
    }
}

pub type Explanation<'a> = Pin<Box<dyn Future<Output = Result<String, ExplainError>> + Send + 'a>>;

/// Explains one diagnosis in prose. Implementations sanitize what they send.
pub trait Explainer: Send + Sync {
    fn explain<'a>(&'a self, diagnosis: &'a Diagnosis) -> Explanation<'a>;
}

/// The explainer to use; `None` until an LLM engine is configured.
pub fn explainer() -> Option<Arc<dyn Explainer>> {
    None
}

/// What `f` shows: the top remedy and the command that runs the fix flow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FixProposal {
    pub subject: ObjectRef,
    /// The remedy in words, with its rationale; `None` when the rules found no typed fix.
    pub remedy: Option<String>,
    /// The fix steps of the top hypothesis.
    pub steps: Vec<String>,
    /// `k8sops diagnose deploy/web -n shop --fix --repo PATH`
    pub command: String,
}

/// The fix proposal for a diagnosis; `context` is added to the command when known.
pub fn propose_fix(diagnosis: &Diagnosis, context: Option<&str>) -> FixProposal {
    let top = diagnosis.top();
    let remedy = top.and_then(|h| h.remedy.as_ref()).map(|r| {
        format!(
            "{} on {}: {}",
            crate::render::describe_change(&r.change),
            r.target,
            r.rationale
        )
    });
    let subject = &diagnosis.subject;
    let kind = subject
        .known_kind()
        .map(|k: Kind| {
            let info = k.info();
            info.short_names
                .first()
                .copied()
                .map(str::to_string)
                .unwrap_or_else(|| info.name.to_ascii_lowercase())
        })
        .unwrap_or_else(|| subject.kind.to_ascii_lowercase());
    let mut command = format!("k8sops diagnose {kind}/{}", subject.name);
    if let Some(ns) = &subject.namespace {
        command.push_str(&format!(" -n {ns}"));
    }
    if let Some(c) = context {
        command.push_str(&format!(" --context {c}"));
    }
    command.push_str(" --fix --repo PATH");
    FixProposal {
        subject: subject.clone(),
        remedy,
        steps: top.map(|h| h.fix.clone()).unwrap_or_default(),
        command,
    }
}
