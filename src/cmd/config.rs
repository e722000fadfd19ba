//! Configuration: the file `$XDG_CONFIG_HOME/k8sops/config.toml` (or `--config PATH`,
//! `K8SOPS_CONFIG`), overridden by `K8SOPS_*` environment variables, overridden by flags.
//! This module aggregates the tables and reads the file; the command layer applies flags on
//! top. `k8sops config show` prints the merged result with secrets masked.
//!
//! Each feature owns one table (`[sanitize]` in `sanitize`, `[watch]` in `watch`, …) and
//! the variables over it; unknown tables and keys are errors that name the file, line and
//! key, so a typo never silently falls back to a default.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::cli::ConfigCommand;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::github::GithubConfig;
use crate::llm::LlmConfig;
use crate::notify::slack::SlackConfig;
use crate::remediate::{FixConfig, PolicyConfig};
use crate::report::ReportConfig;
use crate::sanitize::{SanitizeConfig, Sanitizer};
use crate::source::ci::CiConfig;
use crate::watch::WatchConfig;

/// The merged configuration.
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    /// User rules and allowlists for the sanitizer.
    pub sanitize: SanitizeConfig,
    /// API base and token for GitHub (Actions runs, pull requests, issues).
    pub github: GithubConfig,
    /// The incoming webhook for Slack messages.
    pub slack: SlackConfig,
    /// `k8sops watch`: debounces and limits.
    pub watch: WatchConfig,
    /// What `fix` may propose as a pull request.
    pub policy: PolicyConfig,
    /// Where `fix` opens pull requests: the local clone, remote, base branch, labels.
    pub fix: FixConfig,
    /// Where `report daily --create-issue` files issues, and recommendation thresholds.
    pub report: ReportConfig,
    /// The default repository and rate-limit patience of the `ci` commands.
    pub ci: CiConfig,
    /// The optional LLM engine: endpoint, model, budgets.
    pub llm: LlmConfig,
}

/// A configuration, where it came from, and the sanitizer its rules make.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Config,
    /// The file that was read; `None` when no file exists and defaults apply.
    pub path: Option<PathBuf>,
    /// Built-in rules plus `[sanitize]`, with this run's placeholder key.
    pub sanitizer: Arc<Sanitizer>,
}

impl Loaded {
    /// Checks `config` (read from `path`, if any) and builds its sanitizer.
    pub fn new(config: Config, path: Option<PathBuf>) -> Result<Loaded> {
        let sanitizer = Arc::new(config.validate(path.as_deref())?);
        Ok(Loaded {
            config,
            path,
            sanitizer,
        })
    }
}

impl Config {
    /// Reads the configuration from the process environment: `explicit` (from `--config`),
    /// else `K8SOPS_CONFIG`, else the XDG file when it exists, else defaults.
    pub fn load(explicit: Option<&Path>) -> Result<Loaded> {
        Self::load_with(explicit, &Env::process())
    }

    /// Like [`Config::load`] with the environment given.
    pub fn load_with(explicit: Option<&Path>, env: &Env<'_>) -> Result<Loaded> {
        let named = explicit
            .map(Path::to_path_buf)
            .or_else(|| env.get("K8SOPS_CONFIG").map(PathBuf::from));
        let (config, path) = match named {
            // A file the user named must exist.
            Some(path) => (Self::read(&path)?, Some(path)),
            None => match env.config_dir().map(|d| d.join("config.toml")) {
                Some(path) if path.is_file() => (Self::read(&path)?, Some(path)),
                _ => (Config::default(), None),
            },
        };
        let mut config = config;
        config.watch.apply_env(env)?;
        config.apply_env(env);
        config.llm.apply_env(env)?;
        Loaded::new(config, path)
    }

    /// Parses one file; errors name the file, line and column.
    pub fn read(path: &Path) -> Result<Config> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        Self::parse(&text, path)
    }

    /// Parses `text` as the contents of `path`.
    pub fn parse(text: &str, path: &Path) -> Result<Config> {
        toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map(|s| line_column(text, s.start))
                .unwrap_or((1, 1));
            Error::Malformed {
                path: path.to_path_buf(),
                line,
                column,
                message: e.message().to_string(),
            }
        })
    }

    /// `K8SOPS_*` (and the well-known `GITHUB_*`) variables over the file.
    fn apply_env(&mut self, env: &Env<'_>) {
        self.github.apply_env(env);
        self.slack.apply_env(env);
        self.fix.apply_env(env);
        self.report.apply_env(env);
        self.ci.apply_env(env);
    }

    /// Checks what the types cannot; the user's sanitize rules compile into the sanitizer.
    fn validate(&self, path: Option<&Path>) -> Result<Sanitizer> {
        let sanitizer = Sanitizer::with_config(&self.sanitize).map_err(|e| Error::Config {
            path: path.map(Path::to_path_buf),
            message: e.to_string(),
            hint: "fix the [sanitize] table; rules are Rust regexes (https://docs.rs/regex)".into(),
        })?;
        self.policy.validate().map_err(|message| Error::Config {
            path: path.map(Path::to_path_buf),
            message,
            hint: "fix the [policy] table (`k8sops config show` prints the defaults)".into(),
        })?;
        self.ci.validate().map_err(|message| Error::Config {
            path: path.map(Path::to_path_buf),
            message,
            hint: "write the repository as OWNER/NAME, e.g. repo = \"acme/shop\"".into(),
        })?;
        Ok(sanitizer)
    }

    /// The merged configuration as TOML, secrets masked.
    pub fn show(&self) -> String {
        // Plain data with string keys always serializes.
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

/// `k8sops config show|path`.
pub fn run(settings: &super::settings::Settings, cmd: ConfigCommand) -> Result<u8> {
    let loaded = settings.loaded()?;
    let text = match cmd {
        ConfigCommand::Show => {
            let source = match &loaded.path {
                Some(p) => format!("# from {}", p.display()),
                None => "# no config file; defaults".to_string(),
            };
            format!("{source}\n{}\n", loaded.config.show())
        }
        ConfigCommand::Path => {
            let path = loaded
                .path
                .clone()
                .or_else(|| settings.env.config_dir().map(|d| d.join("config.toml")));
            match path {
                Some(p) => format!("{}\n", p.display()),
                None => {
                    return Err(Error::Usage {
                        flag: "--config".into(),
                        message: "neither XDG_CONFIG_HOME nor HOME is set".into(),
                        hint: "pass --config PATH or set K8SOPS_CONFIG".into(),
                    });
                }
            }
        }
    };
    super::output::print(&text)?;
    Ok(0)
}

/// 1-based line and column of byte `offset` in `text`.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = &text[..offset.min(text.len())];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;
    use crate::env::Secret;

    fn env(vars: &[(&str, &str)]) -> Env<'static> {
        let map: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Env::from_fn(move |k| map.get(k).cloned())
    }

    #[test]
    fn no_file_means_defaults() {
        let dir = tempfile::tempdir().expect("tempdir");
        let home = dir.path().to_str().expect("utf8");
        let loaded = Config::load_with(None, &env(&[("HOME", home)])).expect("defaults");
        assert_eq!(loaded.config, Config::default());
        assert!(loaded.path.is_none());
    }

    #[test]
    fn xdg_config_home_wins_over_home() {
        let dir = tempfile::tempdir().expect("tempdir");
        let xdg = dir.path().join("xdg");
        std::fs::create_dir_all(xdg.join("k8sops")).expect("mkdir");
        std::fs::write(
            xdg.join("k8sops/config.toml"),
            "[sanitize]\nallow = [\"demo:demo\"]\n",
        )
        .expect("write");
        let e = env(&[
            ("HOME", "/nonexistent"),
            ("XDG_CONFIG_HOME", xdg.to_str().expect("utf8")),
        ]);
        let loaded = Config::load_with(None, &e).expect("reads");
        assert_eq!(loaded.config.sanitize.allow, vec!["demo:demo".to_string()]);
        assert_eq!(loaded.path, Some(xdg.join("k8sops/config.toml")));
        assert_eq!(
            e.cache_dir(),
            Some(PathBuf::from("/nonexistent/.cache/k8sops"))
        );
        assert_eq!(
            e.state_dir(),
            Some(PathBuf::from("/nonexistent/.local/state/k8sops"))
        );
    }

    #[test]
    fn a_named_file_must_exist() {
        let err = Config::load_with(Some(Path::new("/nonexistent/k.toml")), &env(&[]))
            .expect_err("missing");
        assert!(matches!(err, Error::NotFound { .. }), "{err}");
        let err = Config::load_with(None, &env(&[("K8SOPS_CONFIG", "/nonexistent/k.toml")]))
            .expect_err("missing");
        assert!(err.to_string().contains("/nonexistent/k.toml"), "{err}");
    }

    #[test]
    fn unknown_keys_name_the_line() {
        let err = Config::parse("\n[sanitize]\nredact_email = true\n", Path::new("c.toml"))
            .expect_err("typo");
        let msg = err.to_string();
        assert!(msg.starts_with("c.toml:3:1: "), "{msg}");
        assert!(msg.contains("redact_email"), "{msg}");
        let err = Config::parse("[sanitise]\n", Path::new("c.toml")).expect_err("typo");
        assert!(err.to_string().contains("sanitise"), "{err}");
    }

    #[test]
    fn invalid_user_rules_are_config_errors() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[[sanitize.rules]]\nname = \"acme\"\nregex = \"acme_[0-9\"\n",
        )
        .expect("write");
        let err = Config::load_with(Some(&path), &env(&[])).expect_err("bad regex");
        assert!(matches!(err, Error::Config { .. }), "{err}");
        assert!(err.to_string().contains("acme"), "{err}");
    }

    #[test]
    fn the_ci_table_takes_a_repo_and_the_environment_overrides_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "[ci]\nrepo = \"acme/shop\"\nrate_limit_wait = 5\n").expect("write");
        let loaded = Config::load_with(Some(&path), &env(&[])).expect("reads");
        assert_eq!(loaded.config.ci.repo.as_deref(), Some("acme/shop"));
        assert_eq!(
            loaded.config.ci.rate_limit_wait(),
            std::time::Duration::from_secs(5)
        );
        let loaded =
            Config::load_with(Some(&path), &env(&[("K8SOPS_CI_REPO", "acme/web")])).expect("reads");
        assert_eq!(loaded.config.ci.repo.as_deref(), Some("acme/web"));
        std::fs::write(&path, "[ci]\nrepo = \"shop\"\n").expect("write");
        let err = Config::load_with(Some(&path), &env(&[])).expect_err("not OWNER/NAME");
        assert!(matches!(err, Error::Config { .. }), "{err}");
        assert!(err.to_string().contains("[ci] repo"), "{err}");
    }

    #[test]
    fn policy_and_fix_tables_read_with_defaults_and_env_overrides() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[policy]\nmax_memory_factor = 3.0\nforbidden_namespaces = [\"kube-system\", \"prod-db\"]\n\n[fix]\nrepo = \"/src/gitops\"\nlabels = [\"k8sops\", \"sre\"]\n",
        )
        .expect("write");
        let loaded = Config::load_with(
            Some(&path),
            &env(&[("K8SOPS_FIX_GITHUB_REPO", "acme/gitops")]),
        )
        .expect("reads");
        let c = loaded.config;
        assert_eq!(c.policy.max_memory_factor, 3.0);
        assert_eq!(
            c.policy.min_confidence, 0.8,
            "unset keys keep their defaults"
        );
        assert_eq!(c.policy.forbidden_namespaces, ["kube-system", "prod-db"]);
        assert_eq!(c.fix.repo, Some(PathBuf::from("/src/gitops")));
        assert_eq!(c.fix.remote, "origin");
        assert_eq!(c.fix.github_repo.as_deref(), Some("acme/gitops"));
        let shown = c.show();
        assert!(
            shown.contains("[policy]") && shown.contains("[fix]"),
            "{shown}"
        );

        std::fs::write(&path, "[policy]\nmax_memory_factor = 0.5\n").expect("write");
        let err = Config::load_with(Some(&path), &env(&[])).expect_err("factor < 1");
        assert!(err.to_string().contains("max_memory_factor"), "{err}");
        let err = Config::parse("[policy]\nmax_factor = 2\n", Path::new("c.toml"))
            .expect_err("unknown key");
        assert!(err.to_string().contains("max_factor"), "{err}");
    }

    #[test]
    fn the_llm_table_is_read_and_variables_override_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[llm]\nbase_url = \"http://file:8080/v1\"\nmodel = \"file-model\"\nmode = \"never\"\ncontext_tokens = 4000\n",
        )
        .expect("write");
        let loaded = Config::load_with(Some(&path), &env(&[])).expect("reads");
        assert_eq!(loaded.config.llm.model.as_deref(), Some("file-model"));
        assert_eq!(loaded.config.llm.mode, crate::llm::Mode::Never);
        assert_eq!(loaded.config.llm.context_tokens, 4000);
        assert!(loaded.config.llm.api_key.is_none());

        let e = env(&[
            ("K8SOPS_LLM_MODEL", "env-model"),
            ("K8SOPS_LLM_MODE", "always"),
            ("OPENAI_API_KEY", "sk-from-openai-var"),
        ]);
        let llm = Config::load_with(Some(&path), &e)
            .expect("reads")
            .config
            .llm;
        assert_eq!(llm.base_url.as_deref(), Some("http://file:8080/v1"));
        assert_eq!(llm.model.as_deref(), Some("env-model"));
        assert_eq!(llm.mode, crate::llm::Mode::Always);
        assert_eq!(
            llm.api_key.as_ref().map(Secret::expose),
            Some("sk-from-openai-var")
        );

        let e = env(&[
            ("K8SOPS_LLM_API_KEY", "sk-k8sops"),
            ("OPENAI_API_KEY", "sk-other"),
        ]);
        let llm = Config::load_with(Some(&path), &e)
            .expect("reads")
            .config
            .llm;
        assert_eq!(llm.api_key.as_ref().map(Secret::expose), Some("sk-k8sops"));
        let shown = Config::load_with(Some(&path), &e)
            .expect("reads")
            .config
            .show();
        assert!(!shown.contains("sk-k8sops"), "{shown}");

        let e = env(&[
            ("K8SOPS_LLM_AZURE_DEPLOYMENT", "gpt-4o-prod"),
            ("AZURE_OPENAI_ENDPOINT", "https://acme.openai.azure.com"),
            ("AZURE_OPENAI_API_KEY", "azure-key"),
        ]);
        let llm = Config::load_with(None, &e).expect("reads").config.llm;
        assert_eq!(
            llm.base_url.as_deref(),
            Some("https://acme.openai.azure.com")
        );
        assert_eq!(llm.azure.deployment.as_deref(), Some("gpt-4o-prod"));
        assert_eq!(llm.api_key.as_ref().map(Secret::expose), Some("azure-key"));

        let err = Config::load_with(None, &env(&[("K8SOPS_LLM_CONTEXT_TOKENS", "lots")]))
            .expect_err("not a number");
        assert!(
            err.to_string().contains("K8SOPS_LLM_CONTEXT_TOKENS"),
            "{err}"
        );
        let err = Config::parse("[llm]\nmodle = \"x\"\n", Path::new("c.toml")).expect_err("typo");
        assert!(err.to_string().contains("modle"), "{err}");
    }

    #[test]
    fn the_watch_table_reads_from_the_file_and_env_overrides_it() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("c.toml");
        std::fs::write(
            &path,
            "[watch]\ndebounce_ms = 500\nrate_limit_per_hour = 5\n",
        )
        .expect("write");
        let loaded = Config::load_with(Some(&path), &env(&[])).expect("reads");
        assert_eq!(loaded.config.watch.debounce_ms, 500);
        assert_eq!(loaded.config.watch.rate_limit_per_hour, 5);
        assert_eq!(
            loaded.config.watch.notify_debounce_secs, 120,
            "default kept"
        );
        let e = env(&[("K8SOPS_WATCH_RATE_LIMIT_PER_HOUR", "12")]);
        let loaded = Config::load_with(Some(&path), &e).expect("reads");
        assert_eq!(loaded.config.watch.rate_limit_per_hour, 12);
        let e = env(&[("K8SOPS_WATCH_DEBOUNCE_MS", "soon")]);
        let err = Config::load_with(Some(&path), &e).expect_err("not a number");
        assert!(
            err.to_string().contains("K8SOPS_WATCH_DEBOUNCE_MS"),
            "{err}"
        );
        let err = Config::parse("[watch]\ndebounce = 1\n", Path::new("c.toml")).expect_err("typo");
        assert!(err.to_string().contains("debounce"), "{err}");
    }

    #[test]
    fn show_round_trips_the_non_secret_parts() {
        let text = "[sanitize]\nallow = [\"x\"]\nredact_emails = false\n";
        let cfg = Config::parse(text, Path::new("c.toml")).expect("parses");
        let shown = cfg.show();
        assert_eq!(
            Config::parse(&shown, Path::new("shown")).expect("re-parses"),
            cfg
        );
    }
}
