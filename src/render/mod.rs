//! Renderers for a `DiagnosisList`: terminal text, JSON (the `k8sops/v1` contract) and
//! Markdown. One model, several views; none of them decides anything.

mod markdown;
mod text;

pub use markdown::markdown;
pub use text::{describe_change, text};

use crate::rca::DiagnosisList;

/// Output formats of `diagnose -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

/// The JSON document, pretty-printed.
pub fn json(list: &DiagnosisList) -> String {
    // Serializing plain data with string keys cannot fail.
    serde_json::to_string_pretty(list).unwrap_or_default() + "\n"
}

/// `3m`, `2h`, `5d`: how long before `now` something happened.
pub fn age(now: jiff::Timestamp, then: jiff::Timestamp) -> String {
    let secs = now.duration_since(then).as_secs().max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}
