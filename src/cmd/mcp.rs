//! `k8sops mcp`: the server's options from the flags and the configuration.

use super::cli::McpArgs;
use super::settings::Settings;
use crate::error::Result;
use crate::mcp::{self, Options};

pub async fn run(settings: &Settings, args: &McpArgs) -> Result<u8> {
    let live = settings.live(&args.cluster, &args.source);
    mcp::serve(Options {
        bundle: args.source.from.clone(),
        ci: settings.ci_join(&args.source, live.timeout)?,
        live,
        report: settings.config()?.report.clone(),
        sanitizer: settings.sanitizer()?,
        fix: super::fix::flow(settings, &args.target)?,
        allow_pr: args.allow_pr,
    })
    .await
}
