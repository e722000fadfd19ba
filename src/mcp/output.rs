//! What the MCP server answers: tool results, resources and prompts. This is the only module
//! that builds them, and each builder takes an [`Outbound`] (the sanitizer's gate) — JSON on
//! success, an MCP tool error (`isError: true`) with the one-line message and its hint on
//! failure. When sanitizing fails, the answer says only that.

use rmcp::model::{
    CallToolResult, ContentBlock, PromptMessage, ReadResourceResult, ResourceContents, Role,
};
use serde::Serialize;
use serde_json::Value;

use crate::error::Error;
use crate::sanitize::{Outbound, Sanitizer};

/// `value` as JSON, every string sanitized (structured content and its text rendering).
pub fn json(sanitizer: &Sanitizer, value: &impl Serialize) -> CallToolResult {
    match sanitized_value(sanitizer, value) {
        Ok(v) => CallToolResult::structured(v.into_inner()),
        Err(e) => error(sanitizer, &e),
    }
}

/// `value` through the gate as JSON.
pub fn sanitized_value(
    sanitizer: &Sanitizer,
    value: &impl Serialize,
) -> Result<Outbound<Value>, Error> {
    sanitizer
        .outbound_serialized(value)
        .map_err(|e| Error::Sanitize {
            what: "the tool output".into(),
            message: e.to_string(),
        })
}

/// A resource's contents: gated JSON, indented.
pub fn resource(value: &Outbound<Value>, uri: &str) -> ReadResourceResult {
    ReadResourceResult::new(vec![
        ResourceContents::text(value.to_pretty_text().into_inner(), uri)
            .with_mime_type("application/json"),
    ])
}

/// A prompt: one user message, gated (it quotes the client's arguments).
pub fn prompt(text: Outbound<String>) -> Vec<PromptMessage> {
    vec![PromptMessage::new_text(Role::User, text.into_inner())]
}

/// `error: …` and `hint: …`, sanitized: API and git messages can quote what they were sent.
pub fn error(sanitizer: &Sanitizer, e: &Error) -> CallToolResult {
    let text = format!("error: {e}\nhint: {}", e.hint());
    match sanitizer.outbound(&text) {
        Ok(s) => CallToolResult::error(vec![ContentBlock::text(s.into_inner())]),
        // A fixed sentence: it carries nothing from the input.
        Err(_) => CallToolResult::error(vec![ContentBlock::text(
            "error: the error message could not be sanitized, so it is not shown\nhint: run the same request with the k8sops CLI to see it",
        )]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(r: &CallToolResult) -> String {
        r.content
            .iter()
            .filter_map(|c| c.as_text().map(|t| t.text.clone()))
            .collect()
    }

    #[test]
    fn outputs_are_sanitized_in_text_and_structure() {
        let s = Sanitizer::new();
        let r = json(
            &s,
            &serde_json::json!({"log": "DATABASE_URL=postgres://app:hunter2@db:5432/shop"}),
        );
        assert_eq!(r.is_error, Some(false));
        assert!(!text(&r).contains("hunter2"), "{}", text(&r));
        let structured = r.structured_content.expect("structured").to_string();
        assert!(!structured.contains("hunter2"), "{structured}");
        assert!(structured.contains("<redacted:password#"), "{structured}");
    }

    #[test]
    fn errors_are_tool_errors_with_their_hint() {
        let s = Sanitizer::new();
        let r = error(
            &s,
            &Error::Usage {
                flag: "target".into(),
                message: "deployment/nope not found in namespace shop".into(),
                hint: "check the name".into(),
            },
        );
        assert_eq!(r.is_error, Some(true));
        assert_eq!(
            text(&r),
            "error: target: deployment/nope not found in namespace shop\nhint: check the name"
        );
    }
}
