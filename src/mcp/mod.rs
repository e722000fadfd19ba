//! `k8sops mcp`: the diagnosis engine as a Model Context Protocol server over stdio (rmcp),
//! for assistants and agent frameworks (Claude Desktop and Code, Cursor, kagent) to call
//! instead of raw kubectl.
//!
//! - `tools`: list_problems, diagnose, get_logs, what_changed, report, propose_fix and
//!   open_fix_pr, with JSON schemas from their parameter types;
//! - `views`: the snapshots they read — a bundle read once, or the live cluster collected
//!   per call (a few seconds of cache) with the usual global flags;
//! - `logs`: one container's log from the bundle or the API;
//! - `fixes`: proposals kept in memory by fix id; pull requests only with `--allow-pr`,
//!   through `remediate::open_pr`, its policy and the audit log;
//! - `resources` (`k8sops://report/daily`) and `prompts` (`diagnose`);
//! - `output`: every answer sanitized; every failure a tool error with its hint.
//!
//! stdout is the protocol channel: nothing else writes to it while serving (tracing and
//! warnings go to stderr, git and `gh` run with captured output and no stdin).

mod fixes;
mod logs;
pub mod output;
mod prompts;
mod resources;
mod tools;
mod views;

use rmcp::handler::server::router::prompt::PromptRouter;
use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::model::{
    Implementation, ListResourcesResult, PaginatedRequestParams, ReadResourceRequestParams,
    ReadResourceResponse, ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, ServiceExt as _, prompt_handler, tool_handler};

use std::path::PathBuf;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::remediate::flow::Flow;
use crate::report::ReportConfig;
use crate::sanitize::Sanitizer;
use crate::source::ci::Join;
use crate::source::live::LiveOptions;

/// What the server is started with, from the command layer.
pub struct Options {
    /// A bundle to read once instead of the cluster (`--from`).
    pub bundle: Option<PathBuf>,
    /// The cluster flags; a call may name another context or namespace.
    pub live: LiveOptions,
    /// How CI runs are joined into live snapshots.
    pub ci: Join,
    /// Thresholds of the daily report resource and tool.
    pub report: ReportConfig,
    pub sanitizer: Arc<Sanitizer>,
    /// The fix flow; `None` when no GitOps clone is given or configured.
    pub fix: Option<Flow>,
    /// Whether `open_fix_pr` may open pull requests (`--allow-pr`).
    pub allow_pr: bool,
}

/// The server's state, shared by every call.
#[derive(Clone)]
pub struct Server {
    inner: std::sync::Arc<Inner>,
}

pub struct Inner {
    report: ReportConfig,
    sanitizer: Arc<Sanitizer>,
    views: views::Views,
    fixes: fixes::Fixes,
    tool_router: ToolRouter<Server>,
    prompt_router: PromptRouter<Server>,
}

impl std::ops::Deref for Server {
    type Target = Inner;
    fn deref(&self) -> &Inner {
        &self.inner
    }
}

impl Server {
    /// Reads the bundle: what can be wrong is wrong before serving.
    pub fn new(options: Options) -> Result<Server> {
        let views = views::Views::new(options.bundle, options.live, options.ci)?;
        let fixes = fixes::Fixes::new(options.fix, options.allow_pr);
        Ok(Server {
            inner: std::sync::Arc::new(Inner {
                report: options.report,
                sanitizer: options.sanitizer,
                views,
                fixes,
                tool_router: Self::tool_router(),
                prompt_router: Self::prompt_router(),
            }),
        })
    }

    fn instructions(&self) -> String {
        format!(
            "k8sops diagnoses broken Kubernetes workloads in {} with deterministic rules and evidence. \
Start with list_problems, then diagnose a target from it; get_logs and what_changed give the raw evidence. \
propose_fix returns a diff of the GitOps repository and a fix_id, and writes nothing; {} \
Every output is sanitized: <redacted:KIND#tag> stands for a secret that was removed.",
            self.views.describe(),
            match self.fixes.allow_pr() {
                true =>
                    "open_fix_pr opens the pull request once the user has seen and accepted the diff.",
                false =>
                    "this server does not open pull requests (it was started without --allow-pr).",
            }
        )
    }
}

#[tool_handler(router = self.tool_router)]
#[prompt_handler(router = self.prompt_router)]
impl ServerHandler for Server {
    fn get_info(&self) -> ServerConfig {
        ServerConfig::new(
            ServerCapabilities::builder()
                .enable_tools()
                .enable_resources()
                .enable_prompts()
                .build(),
        )
        .with_server_info(
            Implementation::new("k8sops", env!("CARGO_PKG_VERSION"))
                .with_title("k8sops: root causes of broken Kubernetes workloads"),
        )
        .with_instructions(self.instructions())
    }

    async fn list_resources(
        &self,
        _request: Option<PaginatedRequestParams>,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<ListResourcesResult, ErrorData> {
        Ok(ListResourcesResult::with_all_items(resources::list()))
    }

    async fn read_resource(
        &self,
        request: ReadResourceRequestParams,
        _context: RequestContext<RoleServer>,
    ) -> std::result::Result<ReadResourceResponse, ErrorData> {
        resources::read(self, &request.uri).await.map(Into::into)
    }
}

/// Serves until the client closes stdin.
pub async fn serve(options: Options) -> Result<u8> {
    let server = Server::new(options)?;
    tracing::info!("serving MCP on stdio ({})", server.views.describe());
    let running = server
        .serve(rmcp::transport::stdio())
        .await
        .map_err(|e| Error::Usage {
            flag: "mcp".into(),
            message: format!("the MCP client did not connect: {e}"),
            hint: "run k8sops mcp from an MCP client (Claude Desktop, Claude Code, Cursor, kagent); it speaks JSON-RPC on stdin/stdout".into(),
        })?;
    let reason = running.waiting().await.map_err(|e| Error::Usage {
        flag: "mcp".into(),
        message: format!("the server stopped: {e}"),
        hint: "run with -v for details on stderr".into(),
    })?;
    tracing::info!("MCP client gone: {reason:?}");
    Ok(0)
}
