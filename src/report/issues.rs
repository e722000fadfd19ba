//! Issues found in the window: the diagnoses of the rules engine, most severe first, each
//! with its top cause, remedy and a fingerprint that names it across runs (for
//! `--previous` and for deduplicating GitHub issues).

use sha2::{Digest as _, Sha256};

use super::model::{EvidenceLine, Issue, Window};
use crate::analyze::Category;
use crate::model::ObjectRef;
use crate::rca::Diagnosis;
use crate::render::describe_change;

/// Evidence lines kept per issue.
const MAX_EVIDENCE: usize = 5;

/// Stable id of "this category of problem on this workload of this cluster": the first
/// 16 hex digits of SHA-256 over the four, so a cause worded differently tomorrow (a new
/// restart count, another pod) is still the same issue.
pub fn fingerprint(cluster: &str, subject: &ObjectRef, category: Category) -> String {
    let mut h = Sha256::new();
    for part in [
        cluster,
        &subject.kind,
        subject.namespace.as_deref().unwrap_or(""),
        &subject.name,
        category.id(),
    ] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    h.finalize()
        .iter()
        .take(8)
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The diagnoses with evidence in the window (or no timestamps at all: the current state),
/// and how many were left out because all their evidence is older.
pub fn issues(cluster: &str, diagnoses: &[Diagnosis], window: &Window) -> (Vec<Issue>, usize) {
    let mut out = Vec::new();
    let mut outside = 0;
    for d in diagnoses {
        let Some(top) = d.top() else { continue };
        let cited: Vec<_> = top
            .evidence
            .iter()
            .filter_map(|id| d.evidence_by_id(id))
            .collect();
        let last_seen = d.evidence.iter().filter_map(|e| e.timestamp).max();
        if last_seen.is_some_and(|t| t < window.start) {
            outside += 1;
            continue;
        }
        out.push(Issue {
            fingerprint: fingerprint(cluster, &d.subject, top.category),
            severity: d.severity,
            category: top.category,
            subject: d.subject.clone(),
            cause: top.cause.clone(),
            confidence: top.confidence,
            engine: top.engine.clone(),
            remedy: top
                .remedy
                .as_ref()
                .map(|r| format!("{} — {}", describe_change(&r.change), r.rationale)),
            fix: top.fix.clone(),
            evidence: cited
                .iter()
                .take(MAX_EVIDENCE)
                .map(|e| EvidenceLine {
                    source: serde_json::to_value(e.source)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                    object: e.object.clone(),
                    excerpt: e.excerpt.clone(),
                    at: e.timestamp,
                })
                .collect(),
            last_seen,
            changes: d.changes.clone(),
        });
    }
    (out, outside)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fingerprints_name_cluster_workload_and_category() {
        let web = ObjectRef::new("Deployment", Some("shop"), "web");
        let a = fingerprint("prod", &web, Category::OomKilled);
        assert_eq!(a.len(), 16);
        assert_eq!(a, fingerprint("prod", &web, Category::OomKilled));
        assert_ne!(a, fingerprint("staging", &web, Category::OomKilled));
        assert_ne!(a, fingerprint("prod", &web, Category::CrashLoop));
        // Field boundaries count: "shop/web" is not "sho/pweb".
        let other = ObjectRef::new("Deployment", Some("sho"), "pweb");
        assert_ne!(a, fingerprint("prod", &other, Category::OomKilled));
    }
}
