//! The commits a workload says it runs: a SHA in its image tag (`web:main-4f2c9e1`,
//! `sha-4f2c9e1`, `1.4.3-g4f2c9e1`), its `app.kubernetes.io/version` label, or an
//! annotation about commits or revisions (`git-commit`, `org.opencontainers.image.revision`,
//! `kubernetes.io/change-cause`). A digest (`@sha256:…`) is an image's content, not a commit,
//! and is never read as one.

use std::collections::BTreeSet;

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;

use crate::analyze::{Context, PodContext};
use crate::model::Snapshot;

/// A commit prefix found on a workload, and where.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Commit {
    /// Lower-case hex, 7 to 40 characters.
    pub prefix: String,
    pub origin: Origin,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Origin {
    /// The tag of this container's image.
    Image { container: String, image: String },
    /// A label or annotation (`key`) of the pod or its workload.
    Metadata { key: String, value: String },
}

/// Commit prefixes of every failing workload in the snapshot: what CI collection looks for.
pub fn wanted(snapshot: &Snapshot) -> BTreeSet<String> {
    let cx = Context::new(snapshot);
    cx.pods
        .iter()
        .flat_map(|p| of_pod(snapshot, p))
        .map(|c| c.prefix)
        .collect()
}

/// The commits one pod (and the workload owning it) carries, without repeats.
pub fn of_pod(snapshot: &Snapshot, pod: &PodContext<'_>) -> Vec<Commit> {
    let mut out: Vec<Commit> = Vec::new();
    let mut push = |prefix: String, origin: Origin| {
        if !out.iter().any(|c| c.prefix == prefix) {
            out.push(Commit { prefix, origin });
        }
    };
    for c in &pod.containers {
        let Some(image) = c.spec.and_then(|s| s.image.as_deref()) else {
            continue;
        };
        for prefix in shas(tag_of(image)) {
            let origin = Origin::Image {
                container: c.name.to_string(),
                image: image.to_string(),
            };
            push(prefix, origin);
        }
    }
    let workload = pod.workload.known_kind().and_then(|k| {
        snapshot.meta(
            k,
            pod.workload.namespace.as_deref().unwrap_or(""),
            &pod.workload.name,
        )
    });
    for meta in [Some(&pod.pod.metadata), workload].into_iter().flatten() {
        for (key, value) in commit_metadata(meta) {
            for prefix in shas(value) {
                push(
                    prefix,
                    Origin::Metadata {
                        key: key.to_string(),
                        value: value.to_string(),
                    },
                );
            }
        }
    }
    out
}

/// The tag of an image reference (`…/web:main-4f2c9e1@sha256:…` → `main-4f2c9e1`).
fn tag_of(image: &str) -> &str {
    let name = image.split('@').next().unwrap_or(image);
    let last = name.rsplit('/').next().unwrap_or(name);
    last.split_once(':').map(|(_, t)| t).unwrap_or("")
}

/// Labels and annotations that name commits.
fn commit_metadata(meta: &ObjectMeta) -> impl Iterator<Item = (&str, &str)> {
    let labels = meta.labels.iter().flatten();
    let annotations = meta.annotations.iter().flatten();
    labels.chain(annotations).filter_map(|(k, v)| {
        let key = k.to_ascii_lowercase();
        let name = key.rsplit('/').next().unwrap_or(&key);
        let about_commits = ["commit", "sha", "revision", "git"]
            .iter()
            .any(|w| name.contains(w))
            || key == "app.kubernetes.io/version"
            || key == "kubernetes.io/change-cause";
        // Kubernetes' own revision counters and hashes are not commits.
        let ours = key.starts_with("deployment.kubernetes.io/")
            || name.ends_with("-hash")
            || name == "revision-history-limit";
        (about_commits && !ours).then_some((k.as_str(), v.as_str()))
    })
}

/// The hex words of 7–40 characters in `text` that look like commit SHAs: with at least
/// one letter (all digits is a build number or a date) and, after a `g`, as `git describe`
/// writes them.
pub fn shas(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_ascii_alphanumeric())
        .filter_map(|word| {
            let w = word.to_ascii_lowercase();
            let hex = match w.strip_prefix('g') {
                Some(rest) if rest.len() >= 7 && is_hex(rest) => rest.to_string(),
                _ => w,
            };
            let fits = (7..=40).contains(&hex.len())
                && is_hex(&hex)
                && hex.bytes().any(|b| b.is_ascii_alphabetic());
            fits.then_some(hex)
        })
        .collect()
}

fn is_hex(s: &str) -> bool {
    s.bytes().all(|b| b.is_ascii_hexdigit())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_carry_shas_in_the_usual_spellings() {
        for (tag, want) in [
            ("main-4f2c9e1", vec!["4f2c9e1"]),
            ("sha-4f2c9e1", vec!["4f2c9e1"]),
            ("1.4.3-g4f2c9e1", vec!["4f2c9e1"]),
            (
                "4f2c9e1d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d",
                vec!["4f2c9e1d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d"],
            ),
            ("1.4.3", vec![]),
            ("20261120", vec![]),
            ("latest", vec![]),
            ("feature-cafe", vec![]),
        ] {
            assert_eq!(shas(tag), want, "{tag}");
        }
    }

    #[test]
    fn the_digest_is_not_the_tag() {
        assert_eq!(
            tag_of("ghcr.io/acme/web:main-4f2c9e1@sha256:9c0d3a"),
            "main-4f2c9e1"
        );
        assert_eq!(tag_of("ghcr.io/acme/web@sha256:9c0d3a"), "");
        assert_eq!(tag_of("localhost:5000/web"), "");
    }
}
