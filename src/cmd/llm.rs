//! The LLM step of `diagnose`: flags over the config file, the note when nothing is
//! configured, a spinner on a terminal, and Ctrl-C, which abandons the LLM and keeps the
//! rules result.

use std::io::IsTerminal as _;

use super::cli::LlmArgs;
use super::settings::Settings;
use crate::error::Result;
use crate::llm::{Engine, Mode, Request};
use crate::model::Snapshot;
use crate::rca::DiagnosisList;

/// The merged list, and whether the user interrupted (the process then exits 130).
#[derive(Debug)]
pub struct Outcome {
    pub list: DiagnosisList,
    pub interrupted: bool,
}

const NOT_CONFIGURED: &str = "no LLM endpoint configured; rules engine only (set K8SOPS_LLM_BASE_URL and K8SOPS_LLM_MODEL, or [llm] in the config file)";

/// Runs the LLM engine over the rules result as the flags and configuration ask.
pub async fn apply(
    settings: &Settings,
    args: &LlmArgs,
    snapshot: &Snapshot,
    rules: DiagnosisList,
) -> Result<Outcome> {
    let unchanged = |list| {
        Ok(Outcome {
            list,
            interrupted: false,
        })
    };
    // `--llm never` reads no configuration: rules-only runs behave as before the engine.
    if args.mode == Some(Mode::Never) || rules.items.is_empty() {
        return unchanged(rules);
    }
    let config = settings.config()?;
    let mut llm = config.llm.clone();
    llm.apply(&args.overrides());
    let request = Request {
        mode: llm.mode,
        explain: args.explain,
    };
    if request.mode == Mode::Never {
        return unchanged(rules);
    }
    let Some(engine) = Engine::from_config(&llm, &config.sanitize, &settings.env)? else {
        let mut list = rules;
        // Said once: where the user asked for the LLM, in the output; otherwise on stderr,
        // which keeps rules-only stdout and JSON exactly as they were.
        if request.mode == Mode::Always || request.explain {
            list.warnings.push(NOT_CONFIGURED.to_string());
        } else {
            eprintln!("note: {NOT_CONFIGURED}");
        }
        return unchanged(list);
    };
    let asked = rules
        .items
        .iter()
        .filter(|d| crate::llm::wants(d, &request))
        .count();
    if asked == 0 {
        return unchanged(rules);
    }
    let spinner = std::io::stderr().is_terminal().then(|| {
        let s = indicatif::ProgressBar::new_spinner();
        s.set_message(format!(
            "asking {} about {asked} diagnoses…",
            engine.label()
        ));
        s.enable_steady_tick(std::time::Duration::from_millis(120));
        s
    });
    let outcome = tokio::select! {
        list = engine.diagnose(snapshot, &rules, &request) => Outcome { list, interrupted: false },
        _ = tokio::signal::ctrl_c() => {
            let mut list = rules;
            list.warnings.push("llm: interrupted (Ctrl-C); the LLM requests were cancelled and the rules result is shown".into());
            Outcome { list, interrupted: true }
        }
    };
    if let Some(s) = spinner {
        s.finish_and_clear();
    }
    Ok(outcome)
}
