//! GitHub access shared by CI runs (`ci`), pull requests (`fix`) and issues (`report`):
//! who we are — a token from `GITHUB_TOKEN`, `GH_TOKEN`, the `[github]` table or
//! `gh auth token` — and where — `GITHUB_API_URL` (as in Actions), the table, else
//! api.github.com (GitHub Enterprise is `https://HOST/api/v3`) — plus the octocrab
//! client built from them, the `OWNER/NAME` of a git remote, and one mapping from API
//! failures to errors that say what to do.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::env::{Env, Secret};
use crate::error::{Error, Result};

/// Connects when asked: engines that may need GitHub (joining CI runs, opening a pull
/// request) take this, so nothing runs `gh auth token` when nothing needs a token.
pub type Connect = std::sync::Arc<dyn Fn() -> Result<Github> + Send + Sync>;

/// The public API; Enterprise servers answer under `https://HOST/api/v3`.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// The `[github]` table of the config file.
///
/// ```toml
/// [github]
/// api_url = "https://github.example.com/api/v3"   # GitHub Enterprise
/// token = "ghp_…"                                  # prefer GITHUB_TOKEN or `gh auth login`
/// ```
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct GithubConfig {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub token: Option<Secret>,
}

impl GithubConfig {
    /// `GITHUB_API_URL` and `GITHUB_TOKEN`/`GH_TOKEN` override the file, as gh and Actions
    /// do.
    pub fn apply_env(&mut self, env: &Env<'_>) {
        if let Some(url) = env.get("GITHUB_API_URL") {
            self.api_url = Some(url);
        }
        if let Some(token) = env.get("GITHUB_TOKEN").or_else(|| env.get("GH_TOKEN")) {
            self.token = Some(Secret::new(token));
        }
    }

    /// The API base without a trailing slash.
    pub fn api_url(&self) -> String {
        self.api_url
            .as_deref()
            .unwrap_or(DEFAULT_API_URL)
            .trim_end_matches('/')
            .to_string()
    }
}

/// Where the token came from, for messages ("the token from GITHUB_TOKEN was rejected").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenSource {
    Environment,
    ConfigFile,
    GhCli,
}

impl std::fmt::Display for TokenSource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            TokenSource::Environment => "GITHUB_TOKEN/GH_TOKEN",
            TokenSource::ConfigFile => "the [github] table of the config file",
            TokenSource::GhCli => "`gh auth token`",
        })
    }
}

/// An authenticated client for one API base.
#[derive(Debug, Clone)]
pub struct Github {
    pub client: octocrab::Octocrab,
    pub api_url: String,
    pub token_source: TokenSource,
}

impl Github {
    /// Builds the client. `cfg` already carries the environment (see
    /// [`GithubConfig::apply_env`]); without a token there, `gh auth token` is asked for
    /// the API's host. No token at all is an error that says how to get one. Call it inside
    /// a Tokio runtime (octocrab's middleware spawns onto it).
    pub fn connect(cfg: &GithubConfig, env: &Env<'_>) -> Result<Github> {
        let api_url = cfg.api_url();
        let uri: http::Uri = api_url.parse().map_err(|e| Error::Usage {
            flag: "GITHUB_API_URL".into(),
            message: format!("{api_url:?} is not a URL: {e}"),
            hint: "use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise".into(),
        })?;
        let (token, token_source) = match &cfg.token {
            Some(t) => {
                let from_env = env.get("GITHUB_TOKEN").or_else(|| env.get("GH_TOKEN"));
                let source = match from_env.as_deref() == Some(t.expose()) {
                    true => TokenSource::Environment,
                    false => TokenSource::ConfigFile,
                };
                (t.expose().to_string(), source)
            }
            None => match gh_auth_token(uri.host().unwrap_or("github.com"), env) {
                Some(t) => (t, TokenSource::GhCli),
                None => {
                    return Err(Error::Github {
                        what: format!("connecting to {api_url}"),
                        status: None,
                        message: "no GitHub token".into(),
                        hint: "set GITHUB_TOKEN (or GH_TOKEN), run `gh auth login`, or add token to the [github] table".into(),
                    });
                }
            },
        };
        let client = octocrab::Octocrab::builder()
            .base_uri(uri)
            .map_err(|e| Error::Usage {
                flag: "GITHUB_API_URL".into(),
                message: format!("{api_url:?}: {e}"),
                hint: "use https://api.github.com, or https://HOST/api/v3 for GitHub Enterprise"
                    .into(),
            })?
            .personal_token(token)
            .set_connect_timeout(Some(Duration::from_secs(10)))
            .set_read_timeout(Some(Duration::from_secs(60)))
            .build()
            .map_err(|e| Error::Github {
                what: format!("connecting to {api_url}"),
                status: None,
                message: one_line(&e.to_string()),
                hint: "check GITHUB_API_URL".into(),
            })?;
        Ok(Github {
            client,
            api_url,
            token_source,
        })
    }

    /// Turns an API failure while doing `what` ("creating the pull request on acme/gitops")
    /// into an error with a hint for its status.
    pub fn error(&self, what: impl Into<String>, e: octocrab::Error) -> Error {
        let what = what.into();
        let octocrab::Error::GitHub { source, .. } = &e else {
            return Error::Github {
                what,
                status: None,
                message: one_line(&e.to_string()),
                hint: format!(
                    "check that {} is reachable (proxy, VPN, GITHUB_API_URL)",
                    self.api_url
                ),
            };
        };
        let status = source.status_code.as_u16();
        let mut message = source.message.clone();
        if let Some(details) = source.errors.as_ref().filter(|e| !e.is_empty()) {
            let details: Vec<String> = details
                .iter()
                .map(|d| match d.get("message").and_then(|m| m.as_str()) {
                    Some(m) => m.to_string(),
                    None => d.to_string(),
                })
                .collect();
            message = format!("{message} ({})", details.join("; "));
        }
        let rate_limited = status == 429
            || (status == 403 && source.message.to_ascii_lowercase().contains("rate limit"));
        let hint = if rate_limited {
            match source.rate_limit_reset {
                Some(reset) => {
                    let now = jiff::Timestamp::now().as_second().max(0) as u64;
                    format!(
                        "rate limited; the limit resets in {}s — retry then, or authenticate to get a higher limit",
                        reset.saturating_sub(now)
                    )
                }
                None => "rate limited; wait a minute and retry".into(),
            }
        } else {
            match status {
                401 => format!(
                    "the token from {} was rejected; refresh it (`gh auth refresh`) or set a valid GITHUB_TOKEN",
                    self.token_source
                ),
                403 => format!(
                    "the token from {} lacks permission; it needs repo (and workflow/actions read) scope",
                    self.token_source
                ),
                404 => "check OWNER/NAME and that the token can see the repository (private repositories answer 404 without access)".into(),
                422 => "GitHub refused the request as invalid; the message says which field".into(),
                _ => "GitHub had a problem; retry later".into(),
            }
        };
        Error::Github {
            what,
            status: Some(status),
            message: one_line(&message),
            hint,
        }
    }
}

/// `gh auth token` for `host`, when gh is on the `PATH` of `env` and logged in.
fn gh_auth_token(host: &str, env: &Env<'_>) -> Option<String> {
    // api.github.com is gh's github.com; Enterprise API hosts are the server's own host.
    let host = if host == "api.github.com" {
        "github.com"
    } else {
        host
    };
    let out = Command::new("gh")
        .env("PATH", env.get("PATH").unwrap_or_default())
        .args(["auth", "token", "--hostname", host])
        .output()
        .ok()?;
    let token = String::from_utf8(out.stdout).ok()?.trim().to_string();
    (out.status.success() && !token.is_empty()).then_some(token)
}

/// `OWNER/NAME` of a GitHub remote URL: `git@github.com:acme/shop.git`,
/// `https://github.com/acme/shop`, `ssh://git@ghe.example.com/acme/shop.git`.
pub fn repo_of_remote(url: &str) -> Option<(String, String)> {
    let url = url.trim();
    let path = if let Some(rest) = url.split_once("://").map(|(_, r)| r) {
        rest.split_once('/')?.1
    } else {
        // scp-like syntax: [user@]host:owner/name
        url.split_once(':')?.1
    };
    let path = path.trim_end_matches('/').trim_end_matches(".git");
    let mut parts = path.rsplitn(2, '/');
    let name = parts.next()?;
    let owner = parts.next()?.rsplit('/').next()?;
    (!owner.is_empty() && !name.is_empty()).then(|| (owner.to_string(), name.to_string()))
}

/// `OWNER/NAME` of the `origin` remote of the git repository at `dir`.
pub fn repo_of_checkout(dir: &Path) -> Option<(String, String)> {
    repo_of_remote(&origin_url(dir)?)
}

/// The URL of the `origin` remote of the git repository at `dir`.
pub fn origin_url(dir: &Path) -> Option<String> {
    remote_url(dir, "origin")
}

/// The URL of `remote` as written in the repository's config, before any
/// `url.<base>.insteadOf` rewrite: a rewrite to an SSH alias or a mirror says how to reach
/// the repository, not which one it is (`git remote get-url` would apply it). Of several
/// URLs, the first, the one git fetches from.
pub fn remote_url(dir: &Path, remote: &str) -> Option<String> {
    let out = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["config", "--get-all", &format!("remote.{remote}.url")])
        .output()
        .ok()?;
    if !out.status.success() {
        return None;
    }
    let stdout = String::from_utf8_lossy(&out.stdout);
    let url = stdout.lines().next()?.trim();
    (!url.is_empty()).then(|| url.to_string())
}

/// Parses `OWNER/NAME` as given to `--repo`.
pub fn parse_repo(s: &str) -> std::result::Result<(String, String), String> {
    match s.split_once('/') {
        Some((owner, name)) if !owner.is_empty() && !name.is_empty() && !name.contains('/') => {
            Ok((owner.to_string(), name.to_string()))
        }
        _ => Err(format!("'{s}' is not OWNER/NAME (e.g. acme/shop)")),
    }
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remotes_in_every_spelling() {
        let want = Some(("acme".to_string(), "shop".to_string()));
        for url in [
            "git@github.com:acme/shop.git",
            "https://github.com/acme/shop",
            "https://github.com/acme/shop.git\n",
            "ssh://git@ghe.example.com/acme/shop.git",
            "https://user:tok@ghe.example.com/acme/shop/",
        ] {
            assert_eq!(repo_of_remote(url), want, "{url}");
        }
        assert_eq!(repo_of_remote("/srv/git/shop.git"), None);
        assert_eq!(parse_repo("acme/shop"), Ok(("acme".into(), "shop".into())));
        assert!(parse_repo("acme").is_err() && parse_repo("a/b/c").is_err());
    }

    /// `git ARGS` in `dir`, away from the machine's own git config.
    fn git(dir: &Path, args: &[&str]) -> String {
        let out = Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .output()
            .expect("git runs");
        assert!(out.status.success(), "git {args:?}: {out:?}");
        String::from_utf8_lossy(&out.stdout).trim().to_string()
    }

    #[test]
    fn a_clone_is_known_by_its_configured_url_not_its_insteadof_rewrite() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let dir = tmp.path();
        git(dir, &["init", "--quiet"]);
        git(
            dir,
            &[
                "remote",
                "add",
                "origin",
                "https://github.com/acme/shop.git",
            ],
        );
        // Work's SSH alias, holding the org's repositories under another owner name.
        git(
            dir,
            &[
                "config",
                "url.git@gh-work:acme-mirror/.insteadOf",
                "https://github.com/acme/",
            ],
        );
        git(
            dir,
            &[
                "remote",
                "add",
                "upstream",
                "git@github.com:acme/upstream.git",
            ],
        );
        git(
            dir,
            &[
                "config",
                "--add",
                "remote.upstream.url",
                "https://example.com/b.git",
            ],
        );
        assert_eq!(
            git(dir, &["remote", "get-url", "origin"]),
            "git@gh-work:acme-mirror/shop.git",
            "the rewrite applies to what git reaches"
        );
        let want = Some(("acme".to_string(), "shop".to_string()));
        assert_eq!(repo_of_checkout(dir), want);
        assert_eq!(
            origin_url(dir).as_deref(),
            Some("https://github.com/acme/shop.git")
        );
        assert_eq!(
            remote_url(dir, "upstream").as_deref(),
            Some("git@github.com:acme/upstream.git"),
            "the first URL, the one git fetches from"
        );
        assert_eq!(remote_url(dir, "fork"), None);
        assert_eq!(remote_url(&dir.join("absent"), "origin"), None);
    }

    #[tokio::test]
    async fn environment_overrides_the_file() {
        let mut cfg = GithubConfig {
            api_url: Some("https://ghe.example.com/api/v3/".into()),
            token: Some(Secret::new("from-file")),
        };
        assert_eq!(cfg.api_url(), "https://ghe.example.com/api/v3");
        let env = Env::from_fn(|k| match k {
            "GH_TOKEN" => Some("from-env".into()),
            "GITHUB_API_URL" => Some("http://127.0.0.1:9/api/v3".into()),
            _ => None,
        });
        cfg.apply_env(&env);
        assert_eq!(cfg.token.as_ref().map(Secret::expose), Some("from-env"));
        assert_eq!(cfg.api_url(), "http://127.0.0.1:9/api/v3");
        let gh = Github::connect(&cfg, &env).expect("builds");
        assert_eq!(gh.token_source, TokenSource::Environment);
    }
}
