//! The on-disk answer cache: `$XDG_CACHE_HOME/k8sops/llm/<sha256>.json`, keyed by the
//! model and the exact messages sent. Only answers that passed validation are stored;
//! entries are written to a temporary file and renamed, so a cancelled run never leaves a
//! torn one, and an unreadable entry is a miss.
//!
//! Placeholders in sanitized text carry an HMAC tag under a per-run random key, which
//! would make every prompt new. With the cache on, the sanitizer for LLM context uses a
//! key kept in this directory instead (64 random bytes, mode 0600): tags stay stable on
//! this machine and still mean nothing anywhere else.

use std::io::Write as _;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::provider::Message;

/// A stored answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub model: String,
    pub content: String,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
}

#[derive(Debug, Clone)]
pub struct Cache {
    dir: PathBuf,
}

impl Cache {
    pub fn new(dir: PathBuf) -> Self {
        Cache { dir }
    }

    /// The key of a request: model, response format and every message.
    pub fn key(model: &str, schema: bool, messages: &[Message]) -> String {
        let mut h = Sha256::new();
        h.update(model.as_bytes());
        h.update([0, schema as u8]);
        for m in messages {
            h.update([0, m.role as u8]);
            h.update(m.text.as_bytes());
        }
        h.finalize().iter().map(|b| format!("{b:02x}")).collect()
    }

    pub fn get(&self, key: &str) -> Option<Entry> {
        let bytes = std::fs::read(self.dir.join(format!("{key}.json"))).ok()?;
        serde_json::from_slice(&bytes).ok()
    }

    /// Stores an entry; a cache that cannot be written is not worth failing a run for.
    pub fn put(&self, key: &str, entry: &Entry) {
        let write = || -> std::io::Result<()> {
            std::fs::create_dir_all(&self.dir)?;
            let tmp = self.dir.join(format!(".{key}.{}.tmp", std::process::id()));
            let mut f = std::fs::File::create(&tmp)?;
            f.write_all(&serde_json::to_vec(entry).unwrap_or_default())?;
            f.sync_all()?;
            std::fs::rename(&tmp, self.dir.join(format!("{key}.json")))
        };
        if let Err(e) = write() {
            tracing::warn!("cannot write the LLM cache in {}: {e}", self.dir.display());
        }
    }

    /// The placeholder key of this machine, created on first use.
    pub fn sanitizer_key(&self) -> std::io::Result<[u8; 64]> {
        let path = self.dir.join("placeholder.key");
        if let Ok(bytes) = std::fs::read(&path)
            && let Ok(key) = <[u8; 64]>::try_from(bytes.as_slice())
        {
            return Ok(key);
        }
        std::fs::create_dir_all(&self.dir)?;
        let mut key = [0u8; 64];
        rand::fill(&mut key);
        let tmp = self
            .dir
            .join(format!(".placeholder.key.{}", std::process::id()));
        {
            let mut opts = std::fs::OpenOptions::new();
            opts.write(true).create(true).truncate(true);
            #[cfg(unix)]
            {
                use std::os::unix::fs::OpenOptionsExt as _;
                opts.mode(0o600);
            }
            let mut f = opts.open(&tmp)?;
            f.write_all(&key)?;
            f.sync_all()?;
        }
        std::fs::rename(&tmp, &path)?;
        Ok(key)
    }
}

#[cfg(test)]
mod tests {
    use super::super::provider::Role;
    use super::*;

    fn msgs(text: &str) -> Vec<Message> {
        let gate = crate::sanitize::Sanitizer::new();
        vec![Message {
            role: Role::User,
            text: gate.outbound(text).expect("sanitizes"),
        }]
    }

    #[test]
    fn entries_round_trip_and_keys_depend_on_model_and_prompt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::new(dir.path().join("llm"));
        let k = Cache::key("m", true, &msgs("a"));
        assert_ne!(k, Cache::key("n", true, &msgs("a")));
        assert_ne!(k, Cache::key("m", true, &msgs("b")));
        assert_ne!(k, Cache::key("m", false, &msgs("a")));
        assert!(cache.get(&k).is_none());
        let e = Entry {
            model: "m".into(),
            content: "{}".into(),
            prompt_tokens: 3,
            completion_tokens: 1,
        };
        cache.put(&k, &e);
        assert_eq!(cache.get(&k), Some(e));
    }

    #[test]
    fn the_placeholder_key_is_stable_and_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let cache = Cache::new(dir.path().join("llm"));
        let a = cache.sanitizer_key().expect("key");
        assert_eq!(a, cache.sanitizer_key().expect("key again"));
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join("llm/placeholder.key"))
                .expect("meta")
                .permissions()
                .mode();
            assert_eq!(mode & 0o077, 0, "{mode:o}");
        }
    }
}
