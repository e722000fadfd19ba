//! Renderers for a `DiagnosisList`: terminal text, JSON (the `k8sops/v1` contract) and
//! Markdown. One model, several views; none of them decides anything.

pub mod ci;
mod markdown;
mod text;

pub use markdown::markdown;
pub use text::{describe_change, text};

use crate::rca::{DiagnosisList, Usage};

/// Output formats of `diagnose -o`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
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

/// `llm: 2 requests (1 from cache), 5123 prompt + 410 completion tokens, 3.2s`, when the
/// LLM engine ran.
pub fn usage_line(u: &Usage) -> Option<String> {
    if u.llm_requests == 0 && u.llm_cache_hits == 0 {
        return None;
    }
    let cached = match u.llm_cache_hits {
        0 => String::new(),
        n => format!(" ({n} from cache)"),
    };
    Some(format!(
        "llm: {} requests{cached}, {} prompt + {} completion tokens, {:.1}s",
        u.llm_requests,
        u.prompt_tokens,
        u.completion_tokens,
        u.llm_latency_ms as f64 / 1000.0
    ))
}

/// Words of `text` in lines of at most `width` characters.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        if !line.is_empty() && line.chars().count() + 1 + word.chars().count() > width {
            lines.push(std::mem::take(&mut line));
        }
        if !line.is_empty() {
            line.push(' ');
        }
        line.push_str(word);
    }
    if !line.is_empty() {
        lines.push(line);
    }
    lines
}
