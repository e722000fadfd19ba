//! The pull request on GitHub (octocrab): one per branch — an open PR for the branch is
//! updated rather than duplicated — with a body that explains itself: the cause, its
//! evidence and confidence, what changed in the cluster, the exact change and its
//! arithmetic, and how to verify after merge. The caller sanitizes title and body.

use std::fmt::Write as _;

use octocrab::params::State;

use crate::sanitize::Outbound;

use super::Proposal;
use crate::error::Result;
use crate::github::Github;
use crate::model::Kind;
use crate::rca::Diagnosis;

/// Evidence items quoted in a body; the rest are counted.
const MAX_EVIDENCE: usize = 8;

/// The pull request as GitHub answered.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct PullRequest {
    pub number: u64,
    pub url: String,
    /// True when an open PR for the branch existed and was updated.
    pub updated: bool,
}

/// What a pull request is made of. Branch, base, title and body are [`Outbound`]: only the
/// sanitizer's gate makes them.
pub struct Draft<'a> {
    pub owner: &'a str,
    pub repo: &'a str,
    pub branch: &'a Outbound<String>,
    pub base: &'a Outbound<String>,
    pub title: &'a Outbound<String>,
    pub body: &'a Outbound<String>,
    pub labels: &'a [String],
}

/// The open pull request whose head is the branch. Asked before anything is pushed, so a
/// bad token or an unreachable API stops the run with nothing left behind.
pub async fn find_open(gh: &Github, d: &Draft<'_>) -> Result<Option<u64>> {
    let open = gh
        .client
        .pulls(d.owner, d.repo)
        .list()
        .state(State::Open)
        .head(format!("{}:{}", d.owner, d.branch))
        .per_page(10u8)
        .send()
        .await
        .map_err(|e| {
            gh.error(
                format!("listing open pull requests on {}/{}", d.owner, d.repo),
                e,
            )
        })?;
    Ok(open
        .items
        .into_iter()
        .find(|pr| pr.head.ref_field == d.branch.as_str())
        .map(|pr| pr.number))
}

/// Updates the open pull request `existing`, or creates one; then labels it.
pub async fn upsert(gh: &Github, d: &Draft<'_>, existing: Option<u64>) -> Result<PullRequest> {
    let slug = format!("{}/{}", d.owner, d.repo);
    let pulls = gh.client.pulls(d.owner, d.repo);
    let (pr, updated) = match existing {
        Some(number) => {
            let pr = pulls
                .update(number)
                .title(d.title.as_str())
                .body(d.body.as_str())
                .send()
                .await
                .map_err(|e| gh.error(format!("updating pull request #{number} on {slug}"), e))?;
            (pr, true)
        }
        None => {
            let pr = pulls
                .create(d.title.as_str(), d.branch.as_str(), d.base.as_str())
                .body(d.body.as_str())
                .send()
                .await
                .map_err(|e| gh.error(format!("creating the pull request on {slug}"), e))?;
            (pr, false)
        }
    };
    if !d.labels.is_empty() {
        gh.client
            .issues(d.owner, d.repo)
            .add_labels(pr.number, d.labels)
            .await
            .map_err(|e| {
                gh.error(
                    format!("labelling pull request #{} on {slug}", pr.number),
                    e,
                )
            })?;
    }
    let url = pr
        .html_url
        .map(|u| u.to_string())
        .unwrap_or_else(|| pr.url.clone());
    Ok(PullRequest {
        number: pr.number,
        url,
        updated,
    })
}

/// `deploy/web`, as kubectl and `k8sops diagnose` take it: kubectl's short name for the
/// kinds `kubectl rollout` takes, the plain name of the other workloads (`cronjob/backup`
/// reads better than `cj/backup`), and a pod for anything else.
fn short_target(kind: &str, name: &str) -> String {
    let kind = match Kind::from_kind_field(kind).map(Kind::info) {
        Some(k) if k.rolls_out() => k.short_names.first().copied().unwrap_or(k.plural).into(),
        Some(k) if k.edited && k.is_workload() => k.name.to_ascii_lowercase(),
        _ => "pod".to_string(),
    };
    format!("{kind}/{name}")
}

/// The body, before sanitizing.
pub fn body(p: &Proposal, diagnosis: &Diagnosis) -> String {
    let plan = &p.plan;
    let t = &plan.target;
    let ns = t.namespace.as_deref().unwrap_or("default");
    let hypothesis = diagnosis
        .hypotheses
        .iter()
        .find(|h| h.cause == plan.cause && h.category == plan.category);
    let mut b = String::new();
    let _ = writeln!(b, "## Cause\n\n{}\n", plan.cause);
    let engine = hypothesis.map_or("rules", |h| h.engine.as_str());
    let _ = writeln!(
        b,
        "**Confidence** {:.2} ({engine}) · **Category** `{}` · **Target** {t}\n",
        plan.confidence, plan.category
    );
    let _ = writeln!(b, "### Evidence\n");
    let ids = hypothesis
        .map(|h| h.evidence.as_slice())
        .unwrap_or_default();
    for id in ids.iter().take(MAX_EVIDENCE) {
        if let Some(e) = diagnosis.evidence_by_id(id) {
            let source = serde_json::to_value(e.source)
                .ok()
                .and_then(|v| v.as_str().map(str::to_string))
                .unwrap_or_default();
            let _ = writeln!(
                b,
                "- `{id}` {source} {}: `{}`",
                e.object,
                e.excerpt.replace('`', "'")
            );
        }
    }
    if ids.len() > MAX_EVIDENCE {
        let _ = writeln!(b, "- … and {} more", ids.len() - MAX_EVIDENCE);
    }
    let _ = writeln!(b, "\n### What changed in the cluster\n");
    if diagnosis.changes.is_empty() {
        let _ = writeln!(
            b,
            "Nothing in the pod template changed between the revisions k8sops saw."
        );
    }
    for c in &diagnosis.changes {
        let _ = writeln!(
            b,
            "- `{}`: {} → {}{}",
            c.field,
            c.from.as_deref().unwrap_or("(unset)"),
            c.to.as_deref().unwrap_or("(unset)"),
            c.revision
                .as_deref()
                .map(|r| format!(" (revision {r})"))
                .unwrap_or_default()
        );
    }
    let _ = writeln!(b, "\n### The change\n");
    for line in plan.describe_edits() {
        let _ = writeln!(b, "- {line}");
    }
    let _ = writeln!(b, "- Why: {}", plan.rationale);
    let _ = writeln!(
        b,
        "- In `{}` ({})\n\n```diff\n{}```\n",
        p.candidate.file.display(),
        p.candidate.note,
        p.diff
    );
    let _ = writeln!(b, "### How to verify after merge\n");
    let short = short_target(&t.kind, &t.name);
    if Kind::from_kind_field(&t.kind).is_some_and(|k| k.info().rolls_out()) {
        let _ = writeln!(
            b,
            "1. Once your GitOps tool has synced: `kubectl rollout status {short} -n {ns}`"
        );
    } else {
        let _ = writeln!(
            b,
            "1. Once your GitOps tool has synced: `kubectl get {short} -n {ns} -o yaml` shows the new value"
        );
    }
    let _ = writeln!(
        b,
        "2. Watch the pods: `kubectl get pods -n {ns} -w` — restarts stop and pods turn Ready"
    );
    let _ = writeln!(
        b,
        "3. `k8sops diagnose {short} -n {ns}` no longer reports `{}`",
        plan.category
    );
    let _ = writeln!(
        b,
        "\n---\nProposed by k8sops; nothing was changed in the cluster.\n\n<!-- k8sops-fingerprint: {} -->",
        plan.fingerprint
    );
    b
}

#[cfg(test)]
mod tests {
    use super::short_target;

    #[test]
    fn targets_are_spelled_as_kubectl_users_type_them() {
        let spelled = |kind: &str| short_target(kind, "web");
        assert_eq!(spelled("Deployment"), "deploy/web");
        assert_eq!(spelled("StatefulSet"), "sts/web");
        assert_eq!(spelled("DaemonSet"), "ds/web");
        assert_eq!(spelled("CronJob"), "cronjob/web");
        assert_eq!(spelled("Job"), "job/web");
        assert_eq!(spelled("Pod"), "pod/web");
        assert_eq!(spelled("ReplicaSet"), "pod/web");
    }
}
