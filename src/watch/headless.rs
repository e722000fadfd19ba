//! `watch --headless`: the engine without the UI. Prints new and resolved findings as JSON
//! lines on stdout (one object per line), and a `status` line whenever the set of warnings
//! changes (a forbidden kind, a failing watch). Announcements are debounced per
//! fingerprint (`track`); LLM explanations, when an engine is configured, go through the
//! hourly rate limit and the circuit breaker (`policy`).

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use serde_json::json;
use tokio::sync::mpsc;

use super::assist::{ExplainError, Explainer};
use super::engine::Update;
use super::policy::{CircuitBreaker, RateLimit};
use super::track::{Tracked, Tracker};

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
    tracker: Tracker,
    rate: RateLimit,
    breaker: CircuitBreaker,
    explainer: Option<Arc<dyn Explainer>>,
    warnings: Vec<String>,
}

impl<W: Write> Headless<W> {
    pub fn new(out: W, limits: &Limits, explainer: Option<Arc<dyn Explainer>>) -> Self {
        Headless {
            out,
            tracker: Tracker::new(limits.debounce),
            rate: RateLimit::new(limits.per_hour),
            breaker: CircuitBreaker::new(limits.llm_failures, limits.llm_cooldown),
            explainer,
            warnings: Vec::new(),
        }
    }

    /// Prints what each complete pass changed until `updates` closes.
    pub async fn run(
        mut self,
        mut updates: mpsc::Receiver<Update>,
        status: impl Fn() -> Vec<String>,
    ) {
        while let Some(update) = updates.recv().await {
            if !update.complete {
                continue;
            }
            let warnings = status();
            if warnings != self.warnings {
                self.line(json!({"type": "status", "at": update.at, "warnings": warnings}));
                self.warnings = warnings;
            }
            let changes = self.tracker.update(&update.diagnoses, update.at);
            for t in &changes.new {
                let explanation = self.explain(&update, t).await;
                let mut line = record("new", t, update.at);
                if let Some(text) = explanation {
                    line["explanation"] = json!(text);
                }
                self.line(line);
            }
            for t in &changes.resolved {
                self.line(record("resolved", t, update.at));
            }
        }
    }

    async fn explain(&mut self, update: &Update, t: &Tracked) -> Option<String> {
        let explainer = self.explainer.clone()?;
        let now = update.at;
        if !self.breaker.allow(now) || !self.rate.allow(now) {
            return None;
        }
        let diagnosis = update.diagnoses.iter().find(|d| d.subject == t.subject)?;
        match explainer.explain(diagnosis).await {
            Ok(text) => {
                self.breaker.success();
                Some(text)
            }
            Err(ExplainError::NotConfigured) => None,
            Err(ExplainError::Failed(m)) => {
                tracing::warn!("explaining {}: {m}", t.fingerprint);
                self.breaker.failure(now);
                None
            }
        }
    }

    fn line(&mut self, value: serde_json::Value) {
        // A closed stdout (the reader went away) ends nothing here: the engine goes on.
        let _ = writeln!(self.out, "{value}");
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
