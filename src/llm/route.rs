//! Which diagnoses go to the LLM. Canonical failures with strong rule evidence do not need
//! it; ambiguous, multi-signal and `unknown` ones do; `--explain` and `--llm always` send
//! every one.

use std::collections::BTreeSet;

use super::settings::Mode;
use crate::analyze::{Category, Role};
use crate::rca::{self, Diagnosis};

/// Whether the engine would ask about `d` under `request`.
pub fn wants(d: &Diagnosis, request: &super::Request) -> bool {
    reason(d, request.mode, request.explain).is_some()
}

/// Why a diagnosis is sent, or `None` when the rules result stands on its own.
pub fn reason(d: &Diagnosis, mode: Mode, explain: bool) -> Option<&'static str> {
    match mode {
        Mode::Never => return None,
        Mode::Always => return Some("--llm always"),
        Mode::Auto => {}
    }
    if explain {
        return Some("--explain");
    }
    let Some(top) = d.top() else {
        return Some("no hypothesis");
    };
    if top.category == Category::Unknown {
        return Some("unknown cause");
    }
    let causes: BTreeSet<Category> = d
        .findings
        .iter()
        .filter(|f| f.role == Role::Cause)
        .map(|f| f.category)
        .collect();
    if causes.len() > 1 {
        return Some("several independent signals");
    }
    if !rca::is_strong(d, top) {
        return Some("weak rule evidence");
    }
    None
}
