//! GitHub issues for findings that need a human (`report daily --create-issue`), one per
//! fingerprint: the body carries a hidden `<!-- k8sops-fingerprint: … -->` marker, and an
//! open issue holding the marker gets a comment instead of a twin (Renovate's habit with
//! its PRs). Open issues are found by the first configured label, page by page.
//!
//! Everything sent is sanitized first, all drafts before the first request: one draft that
//! cannot be sanitized means nothing is sent at all (fail closed).

use octocrab::params::State;

use crate::error::{Error, Result};
use crate::github::Github;
use crate::sanitize::{Outbound, Sanitizer};

/// Pages of open issues read while looking for earlier ones (100 each).
const MAX_PAGES: u32 = 10;

/// One issue to file or update.
#[derive(Debug, Clone, PartialEq)]
pub struct IssueDraft {
    pub fingerprint: String,
    pub title: String,
    /// The body of a new issue.
    pub body: String,
    /// The comment on an open issue with the same fingerprint.
    pub comment: String,
}

/// A draft through the sanitizer's gate: only these are sent.
struct Gated {
    fingerprint: String,
    title: Outbound<String>,
    body: Outbound<String>,
    comment: Outbound<String>,
}

/// What was done for one draft.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Filed {
    Created { number: u64, url: String },
    Commented { number: u64, url: String },
}

/// The marker hidden in an issue body (an HTML comment renders as nothing).
pub fn marker(fingerprint: &str) -> String {
    format!("<!-- k8sops-fingerprint: {fingerprint} -->")
}

/// Files `drafts` in `owner/repo`: a comment where an open issue has the same fingerprint,
/// a new issue with `labels` otherwise.
pub async fn file(
    gh: &Github,
    (owner, repo): (&str, &str),
    labels: &[String],
    drafts: &[IssueDraft],
    sanitizer: &Sanitizer,
) -> Result<Vec<(String, Filed)>> {
    let clean = |what: &str, text: &str| -> Result<Outbound<String>> {
        sanitizer.outbound(text).map_err(|e| Error::Sanitize {
            what: what.to_string(),
            message: e.to_string(),
        })
    };
    let mut sanitized = Vec::with_capacity(drafts.len());
    for d in drafts {
        sanitized.push(Gated {
            fingerprint: d.fingerprint.clone(),
            title: clean("the issue title", &d.title)?,
            // The marker is k8sops' own hex, which the gate keeps intact.
            body: clean(
                "the issue body",
                &format!("{}\n\n{}\n", d.body, marker(&d.fingerprint)),
            )?,
            comment: clean("the issue comment", &d.comment)?,
        });
    }
    if sanitized.is_empty() {
        return Ok(Vec::new());
    }

    let issues = gh.client.issues(owner, repo);
    let mut open: Vec<(u64, String)> = Vec::new();
    for page in 1..=MAX_PAGES {
        let mut list = issues.list().state(State::Open).per_page(100u8).page(page);
        if let Some(first) = labels.first() {
            list = list.labels(std::slice::from_ref(first));
        }
        let found = list
            .send()
            .await
            .map_err(|e| gh.error(format!("listing open issues of {owner}/{repo}"), e))?;
        let last = found.next.is_none();
        open.extend(
            found
                .items
                .into_iter()
                .filter(|i| i.pull_request.is_none())
                .map(|i| (i.number, i.body.unwrap_or_default())),
        );
        if last {
            break;
        }
    }

    let mut out = Vec::new();
    for d in sanitized {
        let existing = open
            .iter()
            .find(|(_, body)| body.contains(&marker(&d.fingerprint)))
            .map(|(n, _)| *n);
        let filed = match existing {
            Some(number) => {
                let c = issues
                    .create_comment(number, d.comment.as_str())
                    .await
                    .map_err(|e| gh.error(format!("commenting on {owner}/{repo}#{number}"), e))?;
                Filed::Commented {
                    number,
                    url: c.html_url.to_string(),
                }
            }
            None => {
                let i = issues
                    .create(d.title.as_str())
                    .body(d.body.as_str())
                    .labels(labels.to_vec())
                    .send()
                    .await
                    .map_err(|e| gh.error(format!("creating an issue in {owner}/{repo}"), e))?;
                // A second draft with this fingerprint in the same run comments on it.
                open.push((i.number, d.body.to_string()));
                Filed::Created {
                    number: i.number,
                    url: i.html_url.to_string(),
                }
            }
        };
        out.push((d.fingerprint, filed));
    }
    Ok(out)
}
