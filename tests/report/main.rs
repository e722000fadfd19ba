//! `k8sops report daily`, end to end: one test binary for the whole feature (each binary
//! links the full dependency tree, so one is much cheaper than five).
//!
//! - `cli`: goldens and properties of the reports for the examples and the prod fixture;
//! - `publish`: Slack and GitHub stand-ins on 127.0.0.1;
//! - `live`: the test API server, metrics.k8s.io, several contexts;
//! - `chromium`: the HTML rendered by headless Chromium;
//! - `deploy`: the in-cluster manifests under `examples/deploy/`.

#[path = "../support/mod.rs"]
mod support;

mod chromium;
mod cli;
mod deploy;
mod live;
mod publish;
