//! Prompts: `diagnose`, the way an SRE would use the tools — problems first, then the
//! evidence, then a fix the user reviews.

use rmcp::handler::server::wrapper::Parameters;
use rmcp::model::PromptMessage;
use rmcp::{prompt, prompt_router, schemars};
use serde::Deserialize;

use super::Server;

#[derive(Debug, Deserialize, schemars::JsonSchema)]
pub struct DiagnoseArgs {
    /// What to diagnose (deploy/NAME, pod/NAME …); leave it out for everything in scope
    #[serde(default)]
    pub target: Option<String>,
    /// The namespace to look in
    #[serde(default)]
    pub namespace: Option<String>,
}

#[prompt_router(vis = "pub(super)")]
impl Server {
    /// Find the root cause of what is broken, with evidence, and propose a reviewed fix.
    #[prompt(name = "diagnose")]
    async fn diagnose_prompt(&self, Parameters(a): Parameters<DiagnoseArgs>) -> Vec<PromptMessage> {
        let scope = a
            .namespace
            .as_deref()
            .map(|ns| format!(" in namespace {ns}"))
            .unwrap_or_default();
        let first = match &a.target {
            Some(t) => format!("Call the k8sops diagnose tool on {t}{scope}."),
            None => format!(
                "Call the k8sops list_problems tool{scope}, then diagnose the first (most severe) target it lists."
            ),
        };
        let text = format!(
            "{first} State the most likely root cause in one sentence with its confidence and the \
engine that produced it, and quote the evidence it cites by id. If the evidence is thin, read \
get_logs (previous=true for a crashed container) and what_changed before concluding. Give the \
fix steps. If the hypothesis carries a remedy, call propose_fix and show me the diff; do not \
call open_fix_pr unless I accept that diff."
        );
        match self.sanitizer.outbound(&text) {
            Ok(text) => super::output::prompt(text),
            // The prompt quotes the client's own arguments; unsanitizable, it is dropped.
            Err(_) => Vec::new(),
        }
    }
}
