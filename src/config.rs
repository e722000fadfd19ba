//! Configuration: the file `$XDG_CONFIG_HOME/k8sops/config.toml` (or `--config PATH`,
//! `K8SOPS_CONFIG`), overridden by `K8SOPS_*` environment variables, overridden by flags.
//! This module owns the file and the environment; each command applies its own flags on
//! top. `k8sops config show` prints the merged result with secrets masked.
//!
//! Each feature owns one table (`[sanitize]`, …); unknown tables and keys are errors that
//! name the file, line and key, so a typo never silently falls back to a default.
//!
//! The XDG base directories are resolved here by hand (a dozen lines): the common crates
//! map them to `~/Library/…` on macOS, while a CLI for SREs should honour `XDG_*` and
//! `~/.config` on every Unix, as kubectl plugins, gh and k9s do.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::ci::CiConfig;
use crate::error::{Error, Result};
use crate::github::GithubConfig;
use crate::llm::LlmConfig;
use crate::notify::slack::SlackConfig;
use crate::remediate::{FixConfig, PolicyConfig};
use crate::report::ReportConfig;
use crate::sanitize::{SanitizeConfig, Sanitizer};

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

/// The `[watch]` table.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct WatchConfig {
    /// Milliseconds to gather changes before the analyzers re-run (`K8SOPS_WATCH_DEBOUNCE_MS`).
    pub debounce_ms: u64,
    /// Seconds a finding must stay away before it is announced as resolved; one that comes
    /// back sooner is not announced again (`K8SOPS_WATCH_NOTIFY_DEBOUNCE_SECS`).
    pub notify_debounce_secs: u64,
    /// Notifications and LLM calls per hour at most (`K8SOPS_WATCH_RATE_LIMIT_PER_HOUR`).
    pub rate_limit_per_hour: u32,
    /// Consecutive LLM failures that open the circuit breaker.
    pub llm_failure_threshold: u32,
    /// Seconds the breaker stays open before one trial call.
    pub llm_cooldown_secs: u64,
    /// Milliseconds between redraws of the dashboard (the frame rate).
    pub frame_ms: u64,
    /// Milliseconds between ticks (ages, the replay clock in the header).
    pub tick_ms: u64,
}

impl Default for WatchConfig {
    fn default() -> Self {
        WatchConfig {
            debounce_ms: 250,
            notify_debounce_secs: 120,
            rate_limit_per_hour: 30,
            llm_failure_threshold: 3,
            llm_cooldown_secs: 300,
            frame_ms: 50,
            tick_ms: 1000,
        }
    }
}

impl WatchConfig {
    /// Applies `K8SOPS_WATCH_*` variables; a value that is not a number is an error naming it.
    fn apply_env(&mut self, env: &Env<'_>) -> Result<()> {
        let number = |key: &str| -> Result<Option<u64>> {
            match env.get(key) {
                None => Ok(None),
                Some(v) => v.trim().parse().map(Some).map_err(|_| Error::Config {
                    path: None,
                    message: format!("{key}={v} is not a whole number"),
                    hint: format!("set {key} to a number such as 250, or unset it"),
                }),
            }
        };
        if let Some(v) = number("K8SOPS_WATCH_DEBOUNCE_MS")? {
            self.debounce_ms = v;
        }
        if let Some(v) = number("K8SOPS_WATCH_NOTIFY_DEBOUNCE_SECS")? {
            self.notify_debounce_secs = v;
        }
        if let Some(v) = number("K8SOPS_WATCH_RATE_LIMIT_PER_HOUR")? {
            self.rate_limit_per_hour = u32::try_from(v).unwrap_or(u32::MAX);
        }
        Ok(())
    }
}

/// A configuration and where it came from.
#[derive(Debug, Clone, Default)]
pub struct Loaded {
    pub config: Config,
    /// The file that was read; `None` when no file exists and defaults apply.
    pub path: Option<PathBuf>,
}

/// Answers "what is variable K set to?".
type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

/// Where the process environment is read from; tests pass their own.
pub struct Env<'a> {
    lookup: Lookup<'a>,
}

impl Env<'static> {
    /// The process environment.
    pub fn process() -> Self {
        Env {
            lookup: Box::new(|k| std::env::var(k).ok()),
        }
    }
}

impl<'a> Env<'a> {
    /// An environment answered by `lookup` (tests, embedding).
    pub fn from_fn(lookup: impl Fn(&str) -> Option<String> + 'a) -> Self {
        Env {
            lookup: Box::new(lookup),
        }
    }

    /// The variable's value; unset and empty are the same.
    pub fn get(&self, key: &str) -> Option<String> {
        (self.lookup)(key).filter(|v| !v.is_empty())
    }

    fn home(&self) -> Option<PathBuf> {
        self.get("HOME").map(PathBuf::from)
    }

    fn xdg(&self, var: &str, fallback: &str) -> Option<PathBuf> {
        self.get(var)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
            .or_else(|| self.home().map(|h| h.join(fallback)))
            .map(|p| p.join("k8sops"))
    }

    /// `$XDG_CONFIG_HOME/k8sops`, else `~/.config/k8sops`.
    pub fn config_dir(&self) -> Option<PathBuf> {
        self.xdg("XDG_CONFIG_HOME", ".config")
    }

    /// `$XDG_CACHE_HOME/k8sops`, else `~/.cache/k8sops`.
    pub fn cache_dir(&self) -> Option<PathBuf> {
        self.xdg("XDG_CACHE_HOME", ".cache")
    }

    /// `$XDG_STATE_HOME/k8sops`, else `~/.local/state/k8sops`.
    pub fn state_dir(&self) -> Option<PathBuf> {
        self.xdg("XDG_STATE_HOME", ".local/state")
    }
}

/// A secret value in the configuration (an API key, a webhook URL). It deserializes from
/// a plain string and never prints: `Debug` and `Serialize` show only that it is set.
#[derive(Clone, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }

    /// The value itself, for the one place that must send it (an HTTP header).
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Secret(<masked>)")
    }
}

impl Serialize for Secret {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&format!("<masked, {} chars>", self.0.chars().count()))
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
        let mut loaded = Loaded { config, path };
        loaded.config.watch.apply_env(env)?;
        loaded.config.apply_env(env);
        loaded.config.llm_from_env(env)?;
        loaded.config.validate(loaded.path.as_deref())?;
        Ok(loaded)
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

    /// `K8SOPS_LLM_*` over the `[llm]` table; the API key falls back to `OPENAI_API_KEY`
    /// (and `AZURE_OPENAI_API_KEY` for Azure), the Azure endpoint to `AZURE_OPENAI_ENDPOINT`.
    fn llm_from_env(&mut self, env: &Env<'_>) -> Result<()> {
        let llm = &mut self.llm;
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
                "auto" => crate::llm::Mode::Auto,
                "always" => crate::llm::Mode::Always,
                "never" => crate::llm::Mode::Never,
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

    /// Checks what the types cannot: that user sanitize rules compile.
    fn validate(&self, path: Option<&Path>) -> Result<()> {
        Sanitizer::with_config(&self.sanitize).map_err(|e| Error::Config {
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
        Ok(())
    }

    /// The merged configuration as TOML, secrets masked.
    pub fn show(&self) -> String {
        // Plain data with string keys always serializes.
        toml::to_string_pretty(self).unwrap_or_default()
    }
}

fn env_error(var: &str, value: &str, expected: &str) -> Error {
    Error::Config {
        path: None,
        message: format!("{var}={value:?} is not valid"),
        hint: format!("set {var} to {expected}, or unset it"),
    }
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
    fn secrets_never_print() {
        let s = Secret::new("sk-live-abcdef");
        assert_eq!(format!("{s:?}"), "Secret(<masked>)");
        let json = serde_json::to_string(&s).expect("serializes");
        assert!(!json.contains("abcdef"), "{json}");
        assert_eq!(s.expose(), "sk-live-abcdef");
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
