//! The `[watch]` table: debounces, limits and frame rates of `k8sops watch`, and the
//! `K8SOPS_WATCH_*` variables over it.

use serde::{Deserialize, Serialize};

use crate::env::Env;
use crate::error::{Error, Result};

/// The `[watch]` table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchConfig {
    /// Milliseconds to gather changes before the analyzers re-run (`K8SOPS_WATCH_DEBOUNCE_MS`).
    pub debounce_ms: u64,
    /// Seconds a finding must stay away before it is announced as resolved; one that comes
    /// back sooner is not announced again (`K8SOPS_WATCH_NOTIFY_DEBOUNCE_SECS`).
    pub notify_debounce_secs: u64,
    /// Notifications and LLM calls per hour at most (`K8SOPS_WATCH_RATE_LIMIT_PER_HOUR`).
    pub rate_limit_per_hour: u32,
    /// Consecutive LLM failures that open the circuit breaker.
    pub llm_failure_threshold: u32,
    /// Seconds the breaker stays open before one trial call.
    pub llm_cooldown_secs: u64,
    /// Milliseconds between redraws of the dashboard (the frame rate).
    pub frame_ms: u64,
    /// Milliseconds between ticks (ages, the replay clock in the header).
    pub tick_ms: u64,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            debounce_ms: 250,
            notify_debounce_secs: 120,
            rate_limit_per_hour: 30,
            llm_failure_threshold: 3,
            llm_cooldown_secs: 300,
            frame_ms: 50,
            tick_ms: 1000,
        }
    }
}

impl WatchConfig {
    /// Applies `K8SOPS_WATCH_*` variables; a value that is not a number is an error naming it.
    pub fn apply_env(&mut self, env: &Env<'_>) -> Result<()> {
        let number = |key: &str| -> Result<Option<u64>> {
            match env.get(key) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| Error::Config {
                    path: None,
                    message: format!("{key}={v} is not a whole number"),
                    hint: format!("set {key} to a number such as 250, or unset it"),
                }),
            }
        };
        if let Some(v) = number("K8SOPS_WATCH_DEBOUNCE_MS")? {
            self.debounce_ms = v;
        }
        if let Some(v) = number("K8SOPS_WATCH_NOTIFY_DEBOUNCE_SECS")? {
            self.notify_debounce_secs = v;
        }
        if let Some(v) = number("K8SOPS_WATCH_RATE_LIMIT_PER_HOUR")? {
            self.rate_limit_per_hour = u32::try_from(v).unwrap_or(u32::MAX);
        }
        Ok(())
    }
}
