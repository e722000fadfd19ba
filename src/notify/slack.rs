//! Slack incoming webhooks: a Block Kit [`Message`] built by the caller (the daily report,
//! the headless watcher), sanitized as a whole, then one POST to the webhook URL.
//!
//! The URL is a secret (anyone holding it can post): it comes from the `[slack]` table or
//! `K8SOPS_SLACK_WEBHOOK_URL`, is masked in `config show`, and never appears in errors.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use crate::env::{Env, Secret};
use crate::error::{Error, Result};
use crate::model::text::{Budget, clip};
use crate::sanitize::{Outbound, Sanitizer};

/// Slack's limits: a section's text is at most 3,000 characters, a message at most 50
/// blocks; longer ones are rejected with `invalid_blocks`.
const MAX_TEXT: usize = 3000;
const MAX_BLOCKS: usize = 50;

/// The `[slack]` table of the config file.
///
/// ```toml
/// [slack]
/// webhook_url = "https://hooks.slack.com/services/T000/B000/XXXX"
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct SlackConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub webhook_url: Option<Secret>,
}

impl SlackConfig {
    /// `K8SOPS_SLACK_WEBHOOK_URL` overrides the file.
    pub fn apply_env(&mut self, env: &Env<'_>) {
        if let Some(url) = env.get("K8SOPS_SLACK_WEBHOOK_URL") {
            self.webhook_url = Some(Secret::new(url));
        }
    }

    /// The webhook, or an error saying how to configure one.
    pub fn webhook(&self) -> Result<&Secret> {
        self.webhook_url.as_ref().ok_or_else(|| Error::Notify {
            target: "Slack".into(),
            message: "no incoming webhook URL is configured".into(),
            hint: "set K8SOPS_SLACK_WEBHOOK_URL or webhook_url in the [slack] table (Slack: Apps → Incoming Webhooks)".into(),
        })
    }
}

/// A Block Kit message: `text` is the notification fallback, `blocks` the layout.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Message {
    pub text: String,
    pub blocks: Vec<Value>,
}

impl Message {
    /// A message whose notification text is `text`.
    pub fn new(text: impl Into<String>) -> Self {
        Message {
            text: clip(&text.into(), Budget::Width(MAX_TEXT)),
            blocks: Vec::new(),
        }
    }

    /// A header block (plain text, Slack caps it at 150 characters).
    pub fn header(mut self, text: &str) -> Self {
        self.push(
            json!({"type": "header", "text": {"type": "plain_text", "text": clip(text, Budget::Width(150))}}),
        );
        self
    }

    /// A section of Slack mrkdwn.
    pub fn section(mut self, mrkdwn: &str) -> Self {
        self.push(json!({"type": "section", "text": {"type": "mrkdwn", "text": clip(mrkdwn, Budget::Width(MAX_TEXT))}}));
        self
    }

    /// A section with up to 10 two-column fields (mrkdwn).
    pub fn fields(mut self, fields: &[String]) -> Self {
        let fields: Vec<Value> = fields
            .iter()
            .take(10)
            .map(|f| json!({"type": "mrkdwn", "text": clip(f, Budget::Width(2000))}))
            .collect();
        if !fields.is_empty() {
            self.push(json!({"type": "section", "fields": fields}));
        }
        self
    }

    /// Small grey text.
    pub fn context(mut self, mrkdwn: &str) -> Self {
        self.push(json!({"type": "context", "elements": [{"type": "mrkdwn", "text": clip(mrkdwn, Budget::Width(MAX_TEXT))}]}));
        self
    }

    pub fn divider(mut self) -> Self {
        self.push(json!({"type": "divider"}));
        self
    }

    /// Keeps the message within Slack's block limit: the last slot says what was left out.
    fn push(&mut self, block: Value) {
        match self.blocks.len() {
            n if n < MAX_BLOCKS - 1 => self.blocks.push(block),
            n if n == MAX_BLOCKS - 1 => self.blocks.push(
                json!({"type": "context", "elements": [{"type": "mrkdwn", "text": "_more in the full report_"}]}),
            ),
            _ => {}
        }
    }
}

/// Sanitizes `message` and posts it to `webhook`. Fails closed: when sanitizing fails
/// nothing is sent.
pub async fn post(webhook: &Secret, message: &Message, sanitizer: &Sanitizer) -> Result<()> {
    let payload = sanitizer
        .outbound_serialized(message)
        .map_err(|e| Error::Sanitize {
            what: "the Slack message".into(),
            message: e.to_string(),
        })?;
    send(webhook, &payload).await
}

/// Posts a payload that passed the sanitizer's gate.
async fn send(webhook: &Secret, payload: &Outbound<serde_json::Value>) -> Result<()> {
    let client = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        .build()
        .map_err(|e| Error::Notify {
            target: "Slack".into(),
            message: format!("cannot build an HTTP client: {e}"),
            hint: "check the system's TLS certificates".into(),
        })?;
    let response = client
        .post(webhook.expose())
        .json(payload.get())
        .send()
        .await
        .map_err(|e| Error::Notify {
            target: "Slack".into(),
            // reqwest's message would carry the URL, which is the secret.
            message: format!("the webhook did not answer ({})", failure_kind(&e)),
            hint: "check the network (proxy, firewall) and the webhook URL".into(),
        })?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let retry_after = response
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = response.text().await.unwrap_or_default();
    let body = body.trim();
    let hint = match (status.as_u16(), body) {
        (429, _) => format!(
            "Slack rate-limits webhooks to about one message per second; retry after {}s",
            retry_after.as_deref().unwrap_or("a few")
        ),
        (_, "invalid_token" | "no_service" | "no_team") | (403 | 404, _) => {
            "the webhook URL was revoked or is wrong; create a new one and update K8SOPS_SLACK_WEBHOOK_URL".into()
        }
        (410, _) | (_, "channel_is_archived") => {
            "the webhook's channel is archived; point the webhook at another channel".into()
        }
        (400, _) => "Slack rejected the message layout; this is a bug worth reporting".into(),
        _ => "Slack had a problem; retry later".into(),
    };
    Err(Error::Notify {
        target: "Slack".into(),
        message: format!(
            "the webhook answered {status}: {}",
            clip(body, Budget::Width(200))
        ),
        hint,
    })
}

fn failure_kind(e: &reqwest::Error) -> &'static str {
    if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "connection failed"
    } else {
        "request failed"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_stay_within_slack_limits() {
        let long = "x".repeat(5000);
        let mut m = Message::new(&long).header(&long);
        for _ in 0..60 {
            m = m.section(&long);
        }
        assert_eq!(m.blocks.len(), MAX_BLOCKS);
        assert_eq!(m.text.chars().count(), MAX_TEXT);
        let header = m.blocks[0]["text"]["text"].as_str().expect("text");
        assert_eq!(header.chars().count(), 150);
        let last = m.blocks[MAX_BLOCKS - 1].to_string();
        assert!(last.contains("more in the full report"), "{last}");
    }

    #[test]
    fn the_webhook_comes_from_the_environment_or_says_how() {
        let mut cfg = SlackConfig::default();
        let err = cfg.webhook().expect_err("none configured");
        assert!(err.to_string().contains("no incoming webhook"), "{err}");
        cfg.apply_env(&Env::from_fn(|k| {
            (k == "K8SOPS_SLACK_WEBHOOK_URL")
                .then(|| "https://hooks.slack.com/services/T/B/X".into())
        }));
        assert_eq!(
            cfg.webhook().map(Secret::expose).ok(),
            Some("https://hooks.slack.com/services/T/B/X")
        );
    }
}
