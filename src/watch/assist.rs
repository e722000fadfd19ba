//! The two seams to engines that live elsewhere: explaining a diagnosis with an LLM (`e`
//! in the TUI; the headless watcher's explanations), and what `f` says when the
//! diff-confirm-PR flow (`tui::fix`) has no repository to work on.

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use crate::env::Env;
use crate::error::Result;
use crate::llm::{self, Mode};
use crate::model::{Kind, ObjectRef, Snapshot};
use crate::rca::{Diagnosis, DiagnosisList};
use crate::sanitize::SanitizeConfig;

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

/// The diagnosis with the LLM's hypotheses merged in and its `explanation` set.
pub type Explanation<'a> =
    Pin<Box<dyn Future<Output = std::result::Result<Diagnosis, ExplainError>> + Send + 'a>>;

/// Explains one diagnosis in prose, from `snapshot` (what the analyzers read for it, see
/// [`super::Slices`]). Implementations sanitize what they send.
pub trait Explainer: Send + Sync {
    fn explain<'a>(&'a self, snapshot: &'a Snapshot, diagnosis: &'a Diagnosis) -> Explanation<'a>;
}

/// The configured LLM engine as an explainer, or `None` when no endpoint is configured. A
/// half configuration is an error, as for `diagnose`.
pub fn explainer(
    llm: &llm::LlmConfig,
    sanitize: &SanitizeConfig,
    env: &Env<'_>,
) -> Result<Option<Arc<dyn Explainer>>> {
    let engine = llm::Engine::from_config(llm, sanitize, env)?;
    Ok(engine.map(|e| Arc::new(LlmExplainer(Arc::new(e))) as Arc<dyn Explainer>))
}

/// `diagnose --llm always --explain` for one diagnosis: the engine's hypotheses merged with
/// the rules' and its prose.
struct LlmExplainer(Arc<llm::Engine>);

impl Explainer for LlmExplainer {
    fn explain<'a>(&'a self, snapshot: &'a Snapshot, diagnosis: &'a Diagnosis) -> Explanation<'a> {
        let engine = self.0.clone();
        let snapshot = snapshot.clone();
        let rules = DiagnosisList::new(vec![diagnosis.clone()], Vec::new());
        let request = llm::Request {
            mode: Mode::Always,
            explain: true,
        };
        // `Engine::diagnose` gives a future the compiler cannot prove `Send` (a stream of
        // futures borrowing the list), and the dashboard's worker and the headless printer
        // run on tasks that must be: it is driven on a blocking thread of the same runtime.
        let handle = tokio::runtime::Handle::current();
        let call = tokio::task::spawn_blocking(move || {
            handle.block_on(engine.diagnose(&snapshot, &rules, &request))
        });
        Box::pin(async move {
            let merged = call
                .await
                .map_err(|e| ExplainError::Failed(format!("the LLM call stopped: {e}")))?;
            match merged.items.into_iter().find(|d| d.explanation.is_some()) {
                Some(d) => Ok(d),
                // The engine kept the rules result: its warnings say why.
                None => Err(ExplainError::Failed(merged.warnings.join("; "))),
            }
        })
    }
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
