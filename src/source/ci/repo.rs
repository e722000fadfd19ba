//! Which repository's Actions to read: `--repo OWNER/NAME`, else `[ci] repo` /
//! `K8SOPS_CI_REPO`, else the `origin` remote of the current directory's clone — when that
//! remote lives on the host the API base serves (github.com for api.github.com, the
//! Enterprise host for `https://HOST/api/v3`), so a GitLab clone is never asked about.

use std::path::Path;

use super::CiConfig;
use crate::github::{origin_url, parse_repo, repo_of_remote};

/// Where the repository came from; messages and warnings depend on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RepoOrigin {
    Flag,
    Config,
    Remote,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repo {
    pub owner: String,
    pub name: String,
    pub origin: RepoOrigin,
}

impl std::fmt::Display for Repo {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.owner, self.name)
    }
}

/// The repository to use; `None` when nothing names one.
pub fn resolve(
    flag: Option<&(String, String)>,
    cfg: &CiConfig,
    api_url: &str,
    dir: &Path,
) -> Option<Repo> {
    let make = |(owner, name): (String, String), origin| Repo {
        owner,
        name,
        origin,
    };
    if let Some(r) = flag {
        return Some(make(r.clone(), RepoOrigin::Flag));
    }
    if let Some(r) = cfg.repo.as_deref().and_then(|r| parse_repo(r).ok()) {
        return Some(make(r, RepoOrigin::Config));
    }
    let url = origin_url(dir)?;
    (remote_host(&url)? == web_host(api_url)?)
        .then(|| repo_of_remote(&url))
        .flatten()
        .map(|r| make(r, RepoOrigin::Remote))
}

/// The host a git remote URL points at: `git@github.com:a/b.git` → `github.com`.
fn remote_host(url: &str) -> Option<String> {
    let url = url.trim();
    let authority = match url.split_once("://") {
        Some((_, rest)) => rest.split('/').next()?,
        None => url.split_once(':')?.0,
    };
    let host = authority.rsplit('@').next()?;
    let host = host.split(':').next()?;
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

/// The web host whose repositories an API base serves.
fn web_host(api_url: &str) -> Option<String> {
    let host = remote_host(api_url)?;
    Some(match host.strip_prefix("api.") {
        Some(rest) if rest == "github.com" => rest.to_string(),
        _ => host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_hosts_in_every_spelling() {
        for (url, host) in [
            ("git@github.com:acme/shop.git", "github.com"),
            ("https://github.com/acme/shop", "github.com"),
            (
                "ssh://git@ghe.example.com:2222/acme/shop.git",
                "ghe.example.com",
            ),
            (
                "https://user:tok@GHE.example.com/acme/shop",
                "ghe.example.com",
            ),
        ] {
            assert_eq!(remote_host(url).as_deref(), Some(host), "{url}");
        }
        assert_eq!(
            web_host("https://api.github.com").as_deref(),
            Some("github.com")
        );
        assert_eq!(
            web_host("https://ghe.example.com/api/v3").as_deref(),
            Some("ghe.example.com")
        );
    }

    #[test]
    fn the_flag_wins_then_the_config_then_the_remote() {
        let cfg = CiConfig {
            repo: Some("acme/from-config".into()),
            ..CiConfig::default()
        };
        let flag = ("acme".to_string(), "from-flag".to_string());
        let dir = tempfile::tempdir().expect("tempdir");
        let r = resolve(Some(&flag), &cfg, "https://api.github.com", dir.path());
        assert_eq!(
            r.map(|r| (r.to_string(), r.origin)),
            Some(("acme/from-flag".into(), RepoOrigin::Flag))
        );
        let r = resolve(None, &cfg, "https://api.github.com", dir.path());
        assert_eq!(r.map(|r| r.origin), Some(RepoOrigin::Config));
        // Not a clone: nothing to infer.
        let r = resolve(
            None,
            &CiConfig::default(),
            "https://api.github.com",
            dir.path(),
        );
        assert_eq!(r, None);
    }

    #[test]
    fn a_clone_of_another_host_is_not_inferred() {
        let dir = tempfile::tempdir().expect("tempdir");
        let git = |args: &[&str]| {
            std::process::Command::new("git")
                .arg("-C")
                .arg(dir.path())
                .args(args)
                .output()
                .expect("git runs")
        };
        git(&["init", "-q"]);
        git(&["remote", "add", "origin", "git@gitlab.com:acme/shop.git"]);
        let none = CiConfig::default();
        assert_eq!(
            resolve(None, &none, "https://api.github.com", dir.path()),
            None
        );
        git(&[
            "remote",
            "set-url",
            "origin",
            "git@github.com:acme/shop.git",
        ]);
        let r = resolve(None, &none, "https://api.github.com", dir.path()).expect("inferred");
        assert_eq!(
            (r.to_string(), r.origin),
            ("acme/shop".into(), RepoOrigin::Remote)
        );
    }
}
