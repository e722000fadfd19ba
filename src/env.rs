//! The process environment and secret values: where variables are read from (tests pass
//! their own [`Env`]), the XDG base directories derived from them, and [`Secret`], a value
//! that never prints. The bottom layer: it imports nothing of k8sops.
//!
//! The XDG base directories are resolved here by hand (a dozen lines): the common crates
//! map them to `~/Library/…` on macOS, while a CLI for SREs should honour `XDG_*` and
//! `~/.config` on every Unix, as kubectl plugins, gh and k9s do.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Answers "what is variable K set to?".
pub type Lookup<'a> = Box<dyn Fn(&str) -> Option<String> + 'a>;

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

    /// `$HOME`.
    pub fn home(&self) -> Option<PathBuf> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_print() {
        let s = Secret::new("sk-live-abcdef");
        assert_eq!(format!("{s:?}"), "Secret(<masked>)");
        let json = serde_json::to_string(&s).expect("serializes");
        assert!(!json.contains("abcdef"), "{json}");
        assert_eq!(s.expose(), "sk-live-abcdef");
    }
}
