//! The OpenAI-compatible endpoint, through async-openai: OpenAI, Azure OpenAI (deployment +
//! api-version), Ollama, vLLM, llama.cpp server, LM Studio, gateways.
//!
//! async-openai retries 429 and 5xx answers and refused connections itself (three retries,
//! exponential backoff from 100 ms, `Retry-After` honoured); this module bounds each call
//! with the connect and overall timeouts, and drops what an endpoint rejects — `json_schema`
//! for `json_object`, `max_tokens`, an explicit temperature — each once per run,
//! remembered for the following calls.

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use async_openai::Client;
use async_openai::config::{AzureConfig, Config, OpenAIConfig};
use async_openai::error::OpenAIError;
use async_openai::types::chat::{
    ChatCompletionRequestAssistantMessage, ChatCompletionRequestMessage,
    ChatCompletionRequestSystemMessage, ChatCompletionRequestUserMessage,
    CreateChatCompletionRequest, ResponseFormat, ResponseFormatJsonSchema,
};

use super::settings::{LlmConfig, ResponseFormatChoice};
use crate::error::{Error, Result};
use crate::model::text::{self, Budget, clip};
use crate::sanitize::Outbound;

/// Who says a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    System,
    User,
    Assistant,
}

/// One chat message. Its text is [`Outbound`]: only the sanitizer's gate makes one, so no
/// message reaches the endpoint unsanitized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message {
    pub role: Role,
    pub text: Outbound<String>,
}

/// A completed call.
#[derive(Debug, Clone, PartialEq)]
pub struct Reply {
    pub content: String,
    /// What the server reported, when it did.
    pub prompt_tokens: Option<u64>,
    pub completion_tokens: Option<u64>,
    pub latency: Duration,
}

/// Why a call failed; every variant ends in the rules result, never in a crash.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CallError {
    #[error("no answer within {0}s")]
    Timeout(u64),
    #[error("the endpoint answered {code}: {message}")]
    Status { code: u16, message: String },
    #[error("cannot reach the endpoint: {0}")]
    Transport(String),
    #[error("the endpoint's reply is not a chat completion: {0}")]
    Decode(String),
}

/// The endpoint and what it turned out to accept.
pub struct Provider {
    client: Client<Box<dyn Config>>,
    model: String,
    timeout: Duration,
    max_completion_tokens: u32,
    format: ResponseFormatChoice,
    schema_rejected: AtomicBool,
    max_tokens_rejected: AtomicBool,
    temperature_rejected: AtomicBool,
}

impl std::fmt::Debug for Provider {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Provider")
            .field("model", &self.model)
            .field("timeout", &self.timeout)
            .finish_non_exhaustive()
    }
}

impl Provider {
    /// The endpoint of a configuration whose `base_url` and model are set.
    pub fn new(cfg: &LlmConfig, base_url: &str, model: &str) -> Result<Provider> {
        // reqwest builds its TLS configuration up front and needs the process-level
        // provider; the binary installs ring first thing, library callers may not have.
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let http = reqwest::Client::builder()
            .connect_timeout(cfg.connect_timeout())
            .timeout(cfg.timeout())
            .user_agent(concat!("k8sops/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| Error::Config {
                path: None,
                message: format!("cannot set up the HTTP client for the LLM: {e}"),
                hint: "this is a bug; run with -vv and report it".into(),
            })?;
        let key = cfg
            .api_key
            .as_ref()
            .map(|k| k.expose().to_string())
            .unwrap_or_default();
        let base = base_url.trim_end_matches('/');
        let config: Box<dyn Config> = match &cfg.azure.deployment {
            Some(deployment) => Box::new(
                AzureConfig::new()
                    .with_api_base(base)
                    .with_deployment_id(deployment)
                    .with_api_version(&cfg.azure.api_version)
                    .with_api_key(key),
            ),
            None => Box::new(OpenAIConfig::new().with_api_base(base).with_api_key(key)),
        };
        Ok(Provider {
            client: Client::build(http, config),
            model: model.to_string(),
            timeout: cfg.timeout(),
            max_completion_tokens: cfg.max_completion_tokens,
            format: cfg.response_format,
            schema_rejected: AtomicBool::new(false),
            max_tokens_rejected: AtomicBool::new(false),
            temperature_rejected: AtomicBool::new(false),
        })
    }

    pub fn model(&self) -> &str {
        &self.model
    }

    /// Whether the next call asks for `json_schema` (else `json_object`).
    pub fn uses_schema(&self) -> bool {
        match self.format {
            ResponseFormatChoice::JsonSchema => true,
            ResponseFormatChoice::JsonObject => false,
            ResponseFormatChoice::Auto => !self.schema_rejected.load(Ordering::Relaxed),
        }
    }

    /// One chat completion, within the overall timeout.
    pub async fn complete(&self, messages: &[Message]) -> Result<Reply, CallError> {
        let started = Instant::now();
        // Each rejected parameter is dropped at most once, so this loop ends.
        loop {
            let request = self.request(messages);
            let result =
                tokio::time::timeout(self.timeout, self.client.chat().create(request)).await;
            let response = match result {
                Err(_) => return Err(CallError::Timeout(self.timeout.as_secs())),
                Ok(Ok(r)) => r,
                Ok(Err(e)) => {
                    let err = classify(e, self.timeout.as_secs());
                    if self.downgrade(&err) {
                        continue;
                    }
                    return Err(err);
                }
            };
            let content = response
                .choices
                .into_iter()
                .next()
                .and_then(|c| c.message.content.or(c.message.refusal))
                .unwrap_or_default();
            return Ok(Reply {
                content,
                prompt_tokens: response.usage.as_ref().map(|u| u.prompt_tokens as u64),
                completion_tokens: response.usage.as_ref().map(|u| u.completion_tokens as u64),
                latency: started.elapsed(),
            });
        }
    }

    /// Drops the parameter a rejection names, if it is one this provider may drop:
    /// `json_schema` (llama-cpp-python, older vLLM and gateways know only `json_object`),
    /// `max_tokens` (OpenAI's reasoning models want only `max_completion_tokens`),
    /// `temperature` (reasoning models accept only their default).
    fn downgrade(&self, err: &CallError) -> bool {
        // Any status: llama-cpp-python reports a rejected field as a 500.
        let m = match err {
            CallError::Status { message, .. } | CallError::Decode(message) => {
                message.to_ascii_lowercase()
            }
            _ => return false,
        };
        let flag = if self.format == ResponseFormatChoice::Auto
            && self.uses_schema()
            && (m.contains("response_format") || m.contains("json_schema"))
        {
            &self.schema_rejected
        } else if m.contains("max_tokens") && !self.max_tokens_rejected.load(Ordering::Relaxed) {
            &self.max_tokens_rejected
        } else if m.contains("temperature") && !self.temperature_rejected.load(Ordering::Relaxed) {
            &self.temperature_rejected
        } else {
            return false;
        };
        flag.store(true, Ordering::Relaxed);
        true
    }

    fn request(&self, messages: &[Message]) -> CreateChatCompletionRequest {
        let format = if self.uses_schema() {
            ResponseFormat::JsonSchema {
                json_schema: ResponseFormatJsonSchema {
                    description: Some("Ranked root-cause hypotheses citing evidence ids".into()),
                    name: "k8sops_diagnosis".into(),
                    schema: super::schema::schema(),
                    strict: Some(true),
                },
            }
        } else {
            ResponseFormat::JsonObject
        };
        #[allow(deprecated)]
        CreateChatCompletionRequest {
            messages: messages.iter().map(to_openai).collect(),
            model: self.model.clone(),
            response_format: Some(format),
            max_completion_tokens: Some(self.max_completion_tokens),
            // Local servers (llama.cpp, older vLLM) read only the deprecated name and
            // otherwise generate until the context is full.
            max_tokens: (!self.max_tokens_rejected.load(Ordering::Relaxed))
                .then_some(self.max_completion_tokens),
            // Diagnosis wants the most likely answer, not a creative one.
            temperature: (!self.temperature_rejected.load(Ordering::Relaxed)).then_some(0.0),
            ..Default::default()
        }
    }
}

fn to_openai(m: &Message) -> ChatCompletionRequestMessage {
    match m.role {
        Role::System => ChatCompletionRequestMessage::System(ChatCompletionRequestSystemMessage {
            content: m.text.as_str().to_owned().into(),
            name: None,
        }),
        Role::User => ChatCompletionRequestMessage::User(ChatCompletionRequestUserMessage {
            content: m.text.as_str().to_owned().into(),
            name: None,
        }),
        Role::Assistant => {
            ChatCompletionRequestMessage::Assistant(ChatCompletionRequestAssistantMessage {
                content: Some(m.text.as_str().to_owned().into()),
                ..Default::default()
            })
        }
    }
}

fn classify(e: OpenAIError, timeout_secs: u64) -> CallError {
    match e {
        OpenAIError::ApiError(api) => CallError::Status {
            code: api.status_code.as_u16(),
            message: one_line(&api.api_error.message),
        },
        OpenAIError::Reqwest(e) if e.is_timeout() => CallError::Timeout(timeout_secs),
        OpenAIError::Reqwest(e) => CallError::Transport(one_line(&error_chain(&e))),
        // Error bodies that are not OpenAI's shape (FastAPI's 422 `detail`) land here too;
        // keep the start of the body, it says what was rejected.
        OpenAIError::JSONDeserialize(e, body) => {
            CallError::Decode(one_line(&format!("{e}; body: {body}")))
        }
        other => CallError::Transport(one_line(&other.to_string())),
    }
}

/// reqwest's Display stops at "error sending request"; the cause says why.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        out.push_str(": ");
        out.push_str(&s.to_string());
        source = s.source();
    }
    out
}

fn one_line(s: &str) -> String {
    clip(&text::one_line(s), Budget::Chars(300))
}
