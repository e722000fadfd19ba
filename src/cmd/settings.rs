//! The settings of one invocation, built once from the flags, the configuration file and the
//! environment, and handed to the library as typed values (ripgrep's `hiargs.rs` is the
//! model): the configuration is read on first use (so `completions` works whatever the file
//! says), the sanitizer is built with it, and live options, colour and the GitHub client are
//! derived here and nowhere else.

use std::cell::OnceCell;
use std::io::IsTerminal as _;
use std::sync::Arc;
use std::time::Duration;

use super::cli::{ClusterArgs, Global, ScopeArgs, SourceArgs};
use super::config::{Config, Loaded};
use crate::env::Env;
use crate::error::Result;
use crate::github::{Connect, Github};
use crate::sanitize::Sanitizer;
use crate::source::ci::Join;
use crate::source::live::LiveOptions;

pub struct Settings {
    pub global: Global,
    pub env: Env<'static>,
    loaded: OnceCell<Loaded>,
}

impl Settings {
    pub fn new(global: Global) -> Settings {
        Settings {
            global,
            env: Env::process(),
            loaded: OnceCell::new(),
        }
    }

    /// Settings over a configuration and an environment given (tests, embedding).
    pub fn with_config(global: Global, env: Env<'static>, config: Config) -> Result<Settings> {
        let loaded = OnceCell::new();
        let _ = loaded.set(Loaded::new(config, None)?);
        Ok(Settings {
            global,
            env,
            loaded,
        })
    }

    /// The configuration file (if any) with the environment over it, read once.
    pub fn loaded(&self) -> Result<&Loaded> {
        if let Some(loaded) = self.loaded.get() {
            return Ok(loaded);
        }
        let loaded = Config::load_with(self.global.config.as_deref(), &self.env)?;
        Ok(self.loaded.get_or_init(|| loaded))
    }

    pub fn config(&self) -> Result<&Config> {
        Ok(&self.loaded()?.config)
    }

    /// The run's sanitizer, with the user's rules: one per invocation, so equal secrets get
    /// equal placeholders in everything the run writes or sends.
    pub fn sanitizer(&self) -> Result<Arc<Sanitizer>> {
        Ok(self.loaded()?.sanitizer.clone())
    }

    /// A GitHub client for the configured API base and token.
    pub fn github(&self) -> Result<Github> {
        Github::connect(&self.config()?.github, &self.env)
    }

    /// Connects to GitHub later, when a library engine needs to (joining CI runs, opening
    /// a pull request), so nothing is asked of `gh` when nothing needs it.
    pub fn github_later(&self) -> Result<Connect> {
        let github = self.config()?.github.clone();
        Ok(Arc::new(move || Github::connect(&github, &Env::process())))
    }

    /// What a command's cluster and source flags ask the live source for.
    pub fn live(&self, cluster: &ClusterArgs, source: &SourceArgs) -> LiveOptions {
        LiveOptions {
            context: cluster.context.clone(),
            ..self.scope(&cluster.scope, source)
        }
    }

    /// [`Settings::live`] without a context (`report daily` reads several).
    pub fn scope(&self, scope: &ScopeArgs, source: &SourceArgs) -> LiveOptions {
        LiveOptions {
            kubeconfig: scope.kubeconfig.clone(),
            context: None,
            namespace: scope.namespace.clone(),
            all_namespaces: scope.all_namespaces,
            selector: scope.selector.clone(),
            tail: source.tail,
            log_bytes: source.log_bytes,
            timeout: scope.timeout(),
            ..LiveOptions::default()
        }
    }

    /// How CI runs are joined into a snapshot read through `source`; collection gives up
    /// after `timeout`.
    pub fn ci_join(&self, source: &SourceArgs, timeout: Duration) -> Result<Join> {
        let loaded = self.loaded()?;
        Ok(Join {
            repo: source.ci_repo.clone(),
            config: loaded.config.ci.clone(),
            api_url: loaded.config.github.api_url(),
            github: self.github_later()?,
            sanitizer: loaded.sanitizer.clone(),
            timeout,
            notify: |m| eprintln!("note: {m}"),
            wanted: crate::analyze::commits::wanted,
        })
    }

    /// Whether to colour stdout (`--color`, `NO_COLOR`, a terminal).
    pub fn color_stdout(&self) -> bool {
        self.global.color.enabled(std::io::stdout().is_terminal())
    }

    /// Whether to colour stderr (errors and hints).
    pub fn color_stderr(&self) -> bool {
        self.global.color.enabled(std::io::stderr().is_terminal())
    }
}
