//! `--previous report.json`: what is new and what was resolved since an earlier report.
//! Issues are matched by fingerprint (cluster, workload, category), so a cause worded
//! differently today is the same issue. Only the fields needed are read, so a report written
//! by an older or newer k8sops still compares.

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::model::{Delta, IssueRef, KIND, Report};
use crate::error::{Error, Input, Result};

#[derive(Debug, Deserialize)]
pub struct Previous {
    kind: String,
    generated_at: jiff::Timestamp,
    score: PreviousScore,
    #[serde(default)]
    clusters: Vec<PreviousCluster>,
}

#[derive(Debug, Deserialize)]
struct PreviousScore {
    score: u8,
}

#[derive(Debug, Deserialize)]
struct PreviousCluster {
    name: String,
    /// Read as references; `cluster` is filled in from the cluster's name.
    #[serde(default)]
    issues: Vec<IssueRef>,
}

fn usage(message: String) -> Error {
    Error::Invalid {
        input: Input::PreviousReport,
        message,
        hint: "pass the JSON an earlier run wrote (`k8sops report daily -o report.json`)".into(),
    }
}

/// Reads an earlier `report daily -o report.json`.
pub fn read(path: &Path) -> Result<Previous> {
    let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => usage(format!("{}: no such file", path.display())),
        _ => Error::io(path, e),
    })?;
    let previous: Previous = serde_json::from_str(&text).map_err(|e| {
        usage(format!(
            "{}:{}:{}: not a k8sops daily report ({e})",
            path.display(),
            e.line(),
            e.column()
        ))
    })?;
    if previous.kind != KIND {
        return Err(usage(format!(
            "{}: kind is {:?}, not {KIND:?}",
            path.display(),
            previous.kind
        )));
    }
    Ok(previous)
}

/// New, resolved and ongoing issues of `current` against `previous`.
pub fn delta(previous: &Previous, current: &Report) -> Delta {
    let before: Vec<IssueRef> = previous
        .clusters
        .iter()
        .flat_map(|c| {
            c.issues.iter().map(|i| IssueRef {
                cluster: c.name.clone(),
                ..i.clone()
            })
        })
        .collect();
    let now: Vec<IssueRef> = current
        .clusters
        .iter()
        .flat_map(|c| c.issues.iter().map(|i| IssueRef::of(&c.name, i)))
        .collect();
    let was: BTreeSet<&str> = before.iter().map(|i| i.fingerprint.as_str()).collect();
    let is: BTreeSet<&str> = now.iter().map(|i| i.fingerprint.as_str()).collect();
    // A cluster that could not be read today resolved nothing: its issues are unknown.
    let unread: BTreeSet<&str> = current
        .clusters
        .iter()
        .filter(|c| c.error.is_some())
        .map(|c| c.name.as_str())
        .collect();
    Delta {
        previous_generated_at: previous.generated_at,
        previous_score: previous.score.score,
        ongoing: now
            .iter()
            .filter(|i| was.contains(i.fingerprint.as_str()))
            .count(),
        new: now
            .iter()
            .filter(|i| !was.contains(i.fingerprint.as_str()))
            .cloned()
            .collect(),
        resolved: before
            .iter()
            .filter(|i| {
                !is.contains(i.fingerprint.as_str()) && !unread.contains(i.cluster.as_str())
            })
            .cloned()
            .collect(),
    }
}
