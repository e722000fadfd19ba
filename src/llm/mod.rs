//! The optional LLM engine: ranked hypotheses over a sanitized, budgeted context, merged
//! with the rules engine's. k8sops never depends on it: with nothing configured, or on any
//! failure, the rules result stands and `warnings` says why.
//!
//! # Library API (used by `diagnose`; meant for `watch`'s explain key and `ci diagnose`)
//!
//! ```no_run
//! # async fn demo(snapshot: &k8sops::model::Snapshot) -> k8sops::Result<()> {
//! use k8sops::cmd::config::Config;
//! use k8sops::env::Env;
//! use k8sops::llm::{Engine, Mode, Request};
//!
//! let config = Config::load(None)?.config;         // file + K8SOPS_LLM_* variables
//! let rules = k8sops::rca::run(snapshot);          // the rules engine's DiagnosisList
//! match Engine::from_config(&config.llm, &config.sanitize, &Env::process())? {
//!     None => { /* nothing configured: rules only */ }
//!     Some(engine) => {
//!         let request = Request { mode: Mode::Always, explain: true };
//!         let merged = engine.diagnose(snapshot, &rules, &request).await;
//!         // merged.usage: requests, tokens, latency; merged.warnings: what fell back
//!     }
//! }
//! # Ok(()) }
//! ```
//!
//! - [`Engine::from_config`] — `Ok(None)` when no endpoint is configured; `Err` only for a
//!   half or invalid configuration (an endpoint without a model, a non-URL).
//! - [`Engine::diagnose`] — takes the rules list by reference and returns a new one, so a
//!   caller can drop the future (Ctrl-C, a closed TUI popup) and still show the rules
//!   result. Hypotheses say their engine (`rules` or `llm:<model>`); cited context items
//!   the rules engine did not have are appended to the diagnosis's `evidence`;
//!   `--explain` prose lands in `explanation`. It never fails: each diagnosis that keeps
//!   the rules result gets a warning (`llm: Deployment shop/web: …`).
//! - [`Request`] — `mode` ([`Mode::Auto`] routes only ambiguous, multi-signal and `unknown`
//!   diagnoses; see `route.rs`) and `explain`.
//! - One engine per run: its request and token budget is shared by every `diagnose` call.
//!
//! Inside: `settings.rs` (the `[llm]` table and flag overrides), `provider.rs` (async-openai:
//! OpenAI-compatible or Azure, timeouts, format downgrades), `prompt.rs`, `schema.rs`
//! (response schema and validation), `cache.rs` (on-disk cache keyed by model and prompt
//! hash), `route.rs`, `engine.rs` (the loop: context → ask → validate → re-ask once →
//! merge). The `diagnose` glue (flags, the once-said note, Ctrl-C) is `cmd::llm`.

mod cache;
mod engine;
mod prompt;
mod provider;
mod route;
pub mod schema;
mod settings;

pub use engine::{Engine, Request};
pub use route::wants;
pub use settings::{AzureSettings, LlmConfig, Mode, Overrides, ResponseFormatChoice};
