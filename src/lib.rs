//! k8sops: turns a broken Kubernetes workload into a root cause and a reviewed fix.
//!
//! The engine is a library so tests, benches and the binary share it:
//! a `source` produces a `model::Snapshot`, everything downstream consumes one.

pub mod analyze;
pub mod audit;
pub mod ci;
pub mod cmd;
pub mod context;
pub mod env;
pub mod error;
pub mod eval;
pub mod github;
pub mod llm;
pub mod mcp;
pub mod model;
pub mod notify;
pub mod rca;
pub mod remediate;
pub mod render;
pub mod report;
pub mod sanitize;
pub mod source;
pub mod tui;
pub mod watch;

pub use error::{Error, Input, Result};
