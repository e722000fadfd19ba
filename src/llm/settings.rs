//! The `[llm]` table of the config file and the flags that override it.
//!
//! ```toml
//! [llm]
//! base_url = "http://127.0.0.1:11434/v1"   # any OpenAI-compatible endpoint
//! model = "qwen2.5:7b"
//! api_key = "sk-…"                         # else K8SOPS_LLM_API_KEY, else OPENAI_API_KEY
//! mode = "auto"                            # auto | always | never
//! context_tokens = 6000                    # budget of the evidence sent per diagnosis
//!
//! [llm.azure]                              # Azure OpenAI: base_url is the resource endpoint
//! deployment = "gpt-4o"
//! api_version = "2024-10-21"
//! ```
//!
//! Precedence: file, then `K8SOPS_LLM_*` variables (applied by `Config::load_with`), then
//! flags ([`Overrides`]). Nothing set means rules only, never an error.

use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::env::{Env, Secret};
use crate::error::{Error, Result};

/// When the LLM engine runs (`--llm`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Mode {
    /// Only for ambiguous, multi-signal or `unknown` diagnoses (and all with `--explain`).
    #[default]
    Auto,
    /// For every diagnosis.
    Always,
    /// Never: rules engine only.
    Never,
}

/// Which structured-output request the endpoint gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ResponseFormatChoice {
    /// `json_schema`, falling back to `json_object` once the endpoint rejects it.
    #[default]
    Auto,
    JsonSchema,
    JsonObject,
}

/// Azure OpenAI: requests go to `{base_url}/openai/deployments/{deployment}/…?api-version=`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct AzureSettings {
    pub deployment: Option<String>,
    pub api_version: String,
}

impl Default for AzureSettings {
    fn default() -> Self {
        AzureSettings {
            deployment: None,
            api_version: "2024-10-21".into(),
        }
    }
}

/// The `[llm]` table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct LlmConfig {
    /// `…/v1` of an OpenAI-compatible server; the Azure resource endpoint with `[llm.azure]`.
    pub base_url: Option<String>,
    pub model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_key: Option<Secret>,
    pub mode: Mode,
    /// Tokens of evidence per diagnosis.
    pub context_tokens: usize,
    /// Longest answer asked for.
    pub max_completion_tokens: u32,
    /// Per run: requests sent, and prompt plus completion tokens spent.
    pub max_requests: u64,
    pub max_tokens: u64,
    /// Seconds to connect, and for one answer including retries.
    pub connect_timeout_secs: u64,
    pub timeout_secs: u64,
    /// Answers are cached on disk under `$XDG_CACHE_HOME/k8sops/llm`.
    pub cache: bool,
    pub response_format: ResponseFormatChoice,
    pub azure: AzureSettings,
}

impl Default for LlmConfig {
    fn default() -> Self {
        LlmConfig {
            base_url: None,
            model: None,
            api_key: None,
            mode: Mode::Auto,
            context_tokens: 6000,
            max_completion_tokens: 1500,
            max_requests: 20,
            max_tokens: 200_000,
            connect_timeout_secs: 10,
            timeout_secs: 120,
            cache: true,
            response_format: ResponseFormatChoice::Auto,
            azure: AzureSettings::default(),
        }
    }
}

impl LlmConfig {
    /// `K8SOPS_LLM_*` over the table; the API key falls back to `OPENAI_API_KEY`
    /// (and `AZURE_OPENAI_API_KEY` for Azure), the Azure endpoint to `AZURE_OPENAI_ENDPOINT`.
    pub fn apply_env(&mut self, env: &Env<'_>) -> Result<()> {
        let llm = self;
        if let Some(v) = env.get("K8SOPS_LLM_BASE_URL") {
            llm.base_url = Some(v);
        }
        if let Some(v) = env.get("K8SOPS_LLM_MODEL") {
            llm.model = Some(v);
        }
        if let Some(v) = env.get("K8SOPS_LLM_AZURE_DEPLOYMENT") {
            llm.azure.deployment = Some(v);
        }
        if let Some(v) = env
            .get("K8SOPS_LLM_AZURE_API_VERSION")
            .or_else(|| env.get("OPENAI_API_VERSION"))
        {
            llm.azure.api_version = v;
        }
        let azure = llm.azure.deployment.is_some();
        if azure && llm.base_url.is_none() {
            llm.base_url = env.get("AZURE_OPENAI_ENDPOINT");
        }
        let key = env.get("K8SOPS_LLM_API_KEY").or_else(|| {
            llm.api_key
                .is_none()
                .then(|| {
                    azure
                        .then(|| env.get("AZURE_OPENAI_API_KEY"))
                        .flatten()
                        .or_else(|| env.get("OPENAI_API_KEY"))
                })
                .flatten()
        });
        if let Some(k) = key {
            llm.api_key = Some(Secret::new(k));
        }
        if let Some(v) = env.get("K8SOPS_LLM_MODE") {
            llm.mode = match v.as_str() {
                "auto" => Mode::Auto,
                "always" => Mode::Always,
                "never" => Mode::Never,
                _ => return Err(env_error("K8SOPS_LLM_MODE", &v, "auto, always or never")),
            };
        }
        if let Some(v) = env.get("K8SOPS_LLM_CONTEXT_TOKENS") {
            llm.context_tokens = v.parse().ok().filter(|n| *n > 0).ok_or_else(|| {
                env_error(
                    "K8SOPS_LLM_CONTEXT_TOKENS",
                    &v,
                    "a positive number of tokens",
                )
            })?;
        }
        Ok(())
    }

    pub fn connect_timeout(&self) -> Duration {
        Duration::from_secs(self.connect_timeout_secs)
    }

    pub fn timeout(&self) -> Duration {
        Duration::from_secs(self.timeout_secs)
    }

    /// Applies the flags of one command on top.
    pub fn apply(&mut self, o: &Overrides) {
        if let Some(v) = &o.base_url {
            self.base_url = Some(v.clone());
        }
        if let Some(v) = &o.model {
            self.model = Some(v.clone());
        }
        if let Some(v) = o.mode {
            self.mode = v;
        }
        if let Some(v) = o.context_tokens {
            self.context_tokens = v;
        }
        if let Some(v) = o.timeout {
            self.timeout_secs = v.as_secs().max(1);
        }
        if o.no_cache {
            self.cache = false;
        }
    }
}

/// What flags can override (`diagnose --llm …`, later `ci diagnose`, the TUI).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Overrides {
    pub mode: Option<Mode>,
    pub base_url: Option<String>,
    pub model: Option<String>,
    pub context_tokens: Option<usize>,
    pub timeout: Option<Duration>,
    pub no_cache: bool,
}

fn env_error(var: &str, value: &str, expected: &str) -> Error {
    Error::Config {
        path: None,
        message: format!("{var}={value:?} is not valid"),
        hint: format!("set {var} to {expected}, or unset it"),
    }
}
