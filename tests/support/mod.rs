//! Test support shared by the integration tests and the benches.
//!
//! Used as `mod support;` from `tests/*.rs` and as
//! `#[path = "../tests/support/mod.rs"] mod support;` from `benches/*.rs`.
//! Each test binary uses a different part of it, hence the module-level `dead_code` and
//! `unused_imports` allowances.

#![allow(dead_code, unused_imports)]

pub mod apiserver;
pub mod fixture;
pub mod llm_server;

pub use apiserver::ApiServer;
pub mod ci_logs;
pub mod dashboard;
pub mod github_actions;
pub mod github_pulls;
pub mod gitops;
pub mod http;
pub mod tool;
