//! The outbound gate: bytes that may leave the machine.
//!
//! [`Outbound<T>`] has a private field, so the only way to get one is through a
//! [`Sanitizer`]: [`Sanitizer::outbound`] (text), [`Sanitizer::outbound_json`] (a JSON
//! document) or [`Sanitizer::outbound_serialized`] (any serializable value). Every sink takes
//! an `Outbound` for its final bytes — the LLM provider's messages, the pull request's title,
//! body, commit message and branch name, GitHub issues and comments, Slack payloads, MCP
//! tool results, resources and prompts, `watch --headless` lines, published reports and
//! bundles written by `snapshot` — so code that skips the sanitizer does not compile.
//! `tests/outbound_gate.rs` fails when a new network, process or file sink appears outside
//! the modules that take an `Outbound`.

use std::fmt;
use std::ops::Deref;

use serde::Serialize;
use serde_json::Value;

use super::{Report, SanitizeError, Sanitizer};

/// A value that went through the sanitizer and may leave the machine. Read it freely; build
/// it only with the gate's methods on [`Sanitizer`].
#[derive(Clone, PartialEq, Eq)]
pub struct Outbound<T> {
    value: T,
    report: Report,
}

impl<T> Outbound<T> {
    /// The sanitized value.
    pub fn get(&self) -> &T {
        &self.value
    }

    /// The sanitized value, owned, for the sink that sends it.
    pub fn into_inner(self) -> T {
        self.value
    }

    /// What the gate redacted on the way out.
    pub fn report(&self) -> &Report {
        &self.report
    }
}

impl Outbound<String> {
    pub fn as_str(&self) -> &str {
        &self.value
    }
}

impl Outbound<String> {
    /// Ends the text with a newline (a file's last line); a newline carries nothing.
    pub fn push_newline(&mut self) {
        self.value.push('\n');
    }
}

impl Deref for Outbound<String> {
    type Target = str;
    fn deref(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for Outbound<String> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.value)
    }
}

/// Debug shows the sanitized value, which is safe to print.
impl<T: fmt::Debug> fmt::Debug for Outbound<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.value.fmt(f)
    }
}

impl<T: Serialize> Serialize for Outbound<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.value.serialize(s)
    }
}

impl Sanitizer {
    /// Text through the gate: every text rule, line structure kept.
    pub fn outbound(&self, text: &str) -> Result<Outbound<String>, SanitizeError> {
        let out = self.sanitize(text)?;
        let report = out.report.clone();
        Ok(Outbound {
            value: out.into_string(),
            report,
        })
    }

    /// A JSON document through the gate: structured redaction (Secrets, env entries, keys
    /// that say secret) and every string through the text rules.
    pub fn outbound_json(&self, mut value: Value) -> Result<Outbound<Value>, SanitizeError> {
        let report = self.sanitize_json(&mut value)?;
        Ok(Outbound { value, report })
    }

    /// Any serializable value through the gate as JSON (a Slack message, an MCP result).
    pub fn outbound_serialized<T: Serialize>(
        &self,
        value: &T,
    ) -> Result<Outbound<Value>, SanitizeError> {
        let value = serde_json::to_value(value)
            .map_err(|_| SanitizeError::Internal("value does not serialize to JSON"))?;
        self.outbound_json(value)
    }
}

impl Outbound<Value> {
    /// The document as compact JSON text, still gated (serializing adds no bytes of its own
    /// beyond JSON syntax).
    pub fn to_text(&self) -> Outbound<String> {
        Outbound {
            value: self.value.to_string(),
            report: self.report.clone(),
        }
    }

    /// The document as indented JSON text, still gated.
    pub fn to_pretty_text(&self) -> Outbound<String> {
        Outbound {
            value: serde_json::to_string_pretty(&self.value).unwrap_or_else(|_| "null".into()),
            report: self.report.clone(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::SanitizeConfig;
    use serde_json::json;

    fn s() -> Sanitizer {
        Sanitizer::with_key(&SanitizeConfig::default(), &[5; 64]).unwrap()
    }

    #[test]
    fn text_and_json_leave_only_sanitized() {
        let out = s().outbound("env SECRET_1=hunter2-Zq8").unwrap();
        assert!(!out.contains("hunter2"), "{out}");
        assert_eq!(out.report().get("secret"), 1);
        let doc = s()
            .outbound_json(json!({"env": [{"name": "DB_PASS", "value": "pa55-w0rd"}]}))
            .unwrap();
        assert!(!doc.to_text().contains("pa55"), "{}", doc.to_text());
    }
}
