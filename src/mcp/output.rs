//! What a tool call answers: sanitized JSON on success, an MCP tool error (`isError: true`)
//! with the one-line message and its hint on failure. Nothing reaches the client without
//! passing through the sanitizer; when sanitizing fails, the answer says only that.

use rmcp::model::{CallToolResult, ContentBlock};
use serde::Serialize;

use crate::error::Error;
use crate::sanitize::Sanitizer;

/// `value` as JSON, every string sanitized (structured content and its text rendering).
pub fn json(sanitizer: &Sanitizer, value: &impl Serialize) -> CallToolResult {
    match sanitized_value(sanitizer, value) {
        Ok(v) => CallToolResult::structured(v),
        Err(e) => error(sanitizer, &e),
    }
}

/// The sanitized JSON value of `value`.
pub fn sanitized_value(
    sanitizer: &Sanitizer,
    value: &impl Serialize,
) -> Result<serde_json::Value, Error> {
    let fail = |message: String| Error::Sanitize {
        what: "the tool output".into(),
        message,
    };
    let mut v = serde_json::to_value(value).map_err(|e| fail(e.to_string()))?;
    sanitizer
        .sanitize_json(&mut v)
        .map_err(|e| fail(e.to_string()))?;
    Ok(v)
}

/// `error: …` and `hint: …`, sanitized: API and git messages can quote what they were sent.
pub fn error(sanitizer: &Sanitizer, e: &Error) -> CallToolResult {
    let text = format!("error: {e}\nhint: {}", e.hint());
    let text = match sanitizer.sanitize(&text) {
        Ok(s) => s.into_string(),
        Err(_) => "error: the error message could not be sanitized, so it is not shown\nhint: run the same request with the k8sops CLI to see it".into(),
    };
    CallToolResult::error(vec![ContentBlock::text(text)])
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
