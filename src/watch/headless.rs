//! `watch --headless`: the engine without the UI. Prints new and resolved findings as JSON
//! lines on stdout (one object per line), and a `status` line whenever the set of warnings
//! changes (a forbidden kind, a failing watch). Announcements are debounced per
//! fingerprint (`track`). With `--slack` each announcement is also posted to the Slack
//! webhook (sanitized, within the hourly rate limit); LLM explanations, when an engine is
//! configured, go through the same limit and the circuit breaker (`policy`).

use std::collections::HashMap;
use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use super::assist::{ExplainError, Explainer};
use super::engine::Update;
use super::policy::{CircuitBreaker, RateLimit};
use super::track::{Tracked, Tracker};
use crate::env::Secret;
use crate::model::ObjectRef;
use crate::notify::slack::{self, Message};
use crate::sanitize::{Outbound, Sanitizer};

/// The limits, from the `[watch]` configuration table.
#[derive(Debug, Clone)]
pub struct Limits {
    pub debounce: Duration,
    pub per_hour: usize,
    pub llm_failures: u32,
    pub llm_cooldown: Duration,
}

pub struct Headless<W: Write> {
    out: W,
    /// The gate every printed line passes: summaries, causes and explanations quote
    /// events, logs and the model.
    sanitizer: Arc<Sanitizer>,
    tracker: Tracker,
    rate: RateLimit,
    breaker: CircuitBreaker,
    /// The LLM engine, and the stores it reads a diagnosis's snapshot from.
    explainer: Option<(Arc<dyn Explainer>, super::Slices)>,
    warnings: Vec<String>,
    slack: Option<Slack>,
}

/// Where announcements are posted, and their own hourly budget.
pub struct Slack {
    pub webhook: Secret,
    pub sanitizer: std::sync::Arc<Sanitizer>,
    pub rate: RateLimit,
    /// The cluster's name in the message header.
    pub context: String,
}

impl<W: Write> Headless<W> {
    pub fn new(
        out: W,
        limits: &Limits,
        sanitizer: Arc<Sanitizer>,
        explainer: Option<(Arc<dyn Explainer>, super::Slices)>,
    ) -> Self {
        Headless {
            out,
            sanitizer,
            tracker: Tracker::new(limits.debounce),
            rate: RateLimit::new(limits.per_hour),
            breaker: CircuitBreaker::new(limits.llm_failures, limits.llm_cooldown),
            explainer,
            warnings: Vec::new(),
            slack: None,
        }
    }

    /// Also posts every announcement to Slack.
    pub fn with_slack(mut self, slack: Slack) -> Self {
        self.slack = Some(slack);
        self
    }

    /// Prints what each update changed until `updates` closes. Every update holds every
    /// partition's latest diagnoses, so one sent halfway through a pass (after its first
    /// batch: the partitions where pods changed) announces new findings without waiting
    /// for the rest of the pass.
    pub async fn run(
        mut self,
        mut updates: mpsc::Receiver<Update>,
        status: impl Fn() -> Vec<String>,
    ) {
        while let Some(update) = updates.recv().await {
            let warnings = status();
            if warnings != self.warnings {
                self.line(json!({"type": "status", "at": update.at, "warnings": warnings}));
                self.warnings = warnings;
            }
            let changes = self.tracker.update(&update.diagnoses, update.at);
            // Findings of one diagnosis share its explanation: one LLM call per subject.
            let mut explained: HashMap<ObjectRef, Option<String>> = HashMap::new();
            for t in &changes.new {
                let explanation = match explained.get(&t.subject) {
                    Some(e) => e.clone(),
                    None => {
                        let e = self.explain(&update, t).await;
                        explained.insert(t.subject.clone(), e.clone());
                        e
                    }
                };
                let mut line = record("new", t, update.at);
                if let Some(text) = &explanation {
                    line["explanation"] = json!(text);
                }
                self.line(line);
                self.post("new", t, update.at, explanation.as_deref()).await;
            }
            for t in &changes.resolved {
                self.line(record("resolved", t, update.at));
                self.post("resolved", t, update.at, None).await;
            }
        }
    }

    async fn explain(&mut self, update: &Update, t: &Tracked) -> Option<String> {
        let (explainer, slices) = self.explainer.clone()?;
        let now = update.at;
        if !self.breaker.allow(now) || !self.rate.allow(now) {
            return None;
        }
        let diagnosis = update.diagnoses.iter().find(|d| d.subject == t.subject)?;
        let snapshot = slices.snapshot(&diagnosis.subject);
        match explainer.explain(&snapshot, diagnosis).await {
            Ok(d) => {
                self.breaker.success();
                d.explanation.map(|x| x.text)
            }
            Err(ExplainError::NotConfigured) => None,
            Err(ExplainError::Failed(m)) => {
                tracing::warn!("explaining {}: {m}", t.fingerprint);
                self.breaker.failure(now);
                None
            }
        }
    }

    async fn post(
        &mut self,
        kind: &str,
        t: &Tracked,
        at: jiff::Timestamp,
        explanation: Option<&str>,
    ) {
        let Some(slack) = &mut self.slack else { return };
        if !slack.rate.allow(at) {
            tracing::warn!("slack: hourly limit reached, {} not posted", t.fingerprint);
            return;
        }
        let verb = if kind == "new" { "New" } else { "Resolved" };
        let mut message = Message::new(format!("{verb} {} problem: {}", t.severity, t.subject))
            .header(&format!("k8sops: {} {}", slack.context, kind))
            .section(&format!("*{}* — `{}`\n{}", t.subject, t.category, t.cause))
            .fields(&[
                format!("*Severity*\n{}", t.severity),
                format!("*Since*\n{}", t.first_seen),
            ]);
        if let Some(text) = explanation {
            message = message.section(text);
        }
        // Sanitized inside `post`; a failure is reported and the watcher goes on.
        if let Err(e) = slack::post(&slack.webhook, &message, &slack.sanitizer).await {
            eprintln!("warning: {e}");
        }
    }

    fn line(&mut self, value: serde_json::Value) {
        match self.sanitizer.outbound_json(value) {
            Ok(line) => self.write(&line.to_text()),
            // Fail closed: the line is dropped, and the reader told so.
            Err(e) => tracing::warn!("a watch line could not be sanitized and was dropped: {e}"),
        }
    }

    /// Writes one gated line. A closed stdout (the reader went away) ends nothing here: the
    /// engine goes on.
    fn write(&mut self, line: &Outbound<String>) {
        let _ = writeln!(self.out, "{line}");
        let _ = self.out.flush();
    }
}

fn record(kind: &str, t: &Tracked, at: jiff::Timestamp) -> serde_json::Value {
    json!({
        "type": kind,
        "at": at,
        "fingerprint": t.fingerprint,
        "subject": t.subject,
        "category": t.category,
        "severity": t.severity,
        "summary": t.summary,
        "cause": t.cause,
        "firstSeen": t.first_seen,
    })
}
