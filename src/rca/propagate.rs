//! Root-cause propagation over the object graph: when the failure of one workload is
//! explained by a failing workload upstream of it — it calls it, waits for it, resolves
//! names through it, or shares a node it starves — the upstream one is the diagnosis and
//! the dependent is listed under it as affected, with the link's evidence, instead of being
//! a root of its own.
//!
//! Only generic failures are explained away (a crash loop, failing lookups or connections,
//! failing probes, an eviction, an unknown exit): a dependent with a specific cause of its
//! own (a missing key, a bad image, its own memory limit) stays a root.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Diagnosis;
use crate::analyze::graph::{Graph, Link, Relation};
use crate::analyze::{Category, Evidence, Role};
use crate::model::ObjectRef;

/// A workload failing because of a diagnosis's root cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Affected {
    pub kind: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    pub name: String,
    /// `checkout-web fails because it calls inventory, which is OOMKilled`.
    pub why: String,
    /// Ids in the diagnosis's evidence: the link and the dependent's own failure.
    pub evidence: Vec<String>,
}

impl Affected {
    pub fn object(&self) -> ObjectRef {
        ObjectRef {
            kind: self.kind.clone(),
            namespace: self.namespace.clone(),
            name: self.name.clone(),
        }
    }
}

/// Whether a dependent's top category can be the consequence of an upstream failure along
/// this relation.
fn explainable(category: Category, relation: Relation) -> bool {
    let generic = matches!(
        category,
        Category::CrashLoop
            | Category::NetworkDns
            | Category::ProbeFailure
            | Category::Unknown
            | Category::RolloutStuck
            | Category::JobFailed
    );
    match relation {
        Relation::StarvedBy => {
            generic || matches!(category, Category::NodeProblem | Category::OomKilled)
        }
        Relation::Calls | Relation::WaitsFor | Relation::ResolvesThrough | Relation::AdmittedBy => {
            generic
        }
        Relation::RunsOn | Relation::Mounts | Relation::Reads => false,
    }
}

/// Whether the link is strong enough to carry the blame.
fn carries(
    link: &Link,
    dependent: Category,
    upstream: Category,
    graph: &Graph,
    to: &ObjectRef,
) -> bool {
    match link.relation {
        // A configured dependency explains a failure only when the dependent's failure is
        // about reaching it (its logs say the call fails) or it is stuck waiting for it.
        Relation::Calls => link.failing || dependent == Category::NetworkDns,
        Relation::WaitsFor | Relation::StarvedBy | Relation::AdmittedBy => true,
        Relation::ResolvesThrough => {
            graph.is_dns(to) && matches!(upstream, Category::NetworkDns | Category::CrashLoop)
        }
        Relation::RunsOn | Relation::Mounts | Relation::Reads => false,
    }
}

/// The state of an upstream workload, for the chain sentence.
fn state(category: Category) -> &'static str {
    match category {
        Category::OomKilled => "is OOMKilled",
        Category::CrashLoop => "is crash-looping",
        Category::ImagePull => "cannot pull its image",
        Category::ConfigMissing => "is missing its configuration",
        Category::Unschedulable => "cannot be scheduled",
        Category::ProbeFailure => "fails its probes",
        Category::Volume => "cannot mount its volume",
        Category::NodeProblem => "is starving its node",
        Category::NetworkDns => "is failing",
        Category::Permission => "is denied by RBAC",
        Category::RolloutStuck => "is stuck in its rollout",
        Category::JobFailed => "failed",
        Category::QuotaLimits => "is blocked by a quota or limit",
        Category::CiFailure => "was never built",
        Category::Unknown => "is failing",
    }
}

fn target_name(link: &Link, upstream: &ObjectRef) -> String {
    match link.relation {
        Relation::Calls | Relation::WaitsFor | Relation::AdmittedBy
            if link.to.name != upstream.name =>
        {
            format!("Service {} (backed by {})", link.to.name, upstream.name)
        }
        _ => upstream.name.clone(),
    }
}

/// Folds dependents into the diagnosis of the workload that explains them, then re-ranks.
pub fn propagate(graph: &Graph, items: &mut Vec<Diagnosis>) {
    let position: BTreeMap<ObjectRef, usize> = items
        .iter()
        .enumerate()
        .map(|(i, d)| (d.subject.clone(), i))
        .collect();
    // The upstream diagnosis each item is explained by, with the link that says so.
    let mut parent: BTreeMap<usize, (usize, Link)> = BTreeMap::new();
    for (i, d) in items.iter().enumerate() {
        let Some(top) = d.top() else { continue };
        let mut best: Option<(usize, &Link)> = None;
        for link in graph.links_from(&d.subject) {
            if !explainable(top.category, link.relation) {
                continue;
            }
            for provider in graph.providers(link) {
                let Some(&j) = position.get(provider) else {
                    continue;
                };
                if j == i {
                    continue;
                }
                let up = &items[j];
                let Some(up_top) = up.top() else { continue };
                let up_is_cause = up
                    .findings
                    .iter()
                    .any(|f| f.role == Role::Cause && f.category == up_top.category);
                if !up_is_cause || !carries(link, top.category, up_top.category, graph, provider) {
                    continue;
                }
                // A failing sighting beats a configured one.
                if best.is_none_or(|(_, l)| !l.failing && link.failing) {
                    best = Some((j, link));
                }
            }
        }
        if let Some((j, link)) = best {
            parent.insert(i, (j, link.clone()));
        }
    }
    // Follow each chain to its root; a cycle (two workloads calling each other) folds nothing.
    let mut root_of: BTreeMap<usize, usize> = BTreeMap::new();
    for &i in parent.keys() {
        let mut at = i;
        let mut steps = 0;
        while let Some((j, _)) = parent.get(&at) {
            at = *j;
            steps += 1;
            if at == i || steps > items.len() {
                break;
            }
        }
        if at != i && !parent.contains_key(&at) {
            root_of.insert(i, at);
        }
    }
    if root_of.is_empty() {
        return;
    }
    let tops: Vec<(ObjectRef, Category)> = items
        .iter()
        .map(|d| {
            let c = d.top().map(|h| h.category).unwrap_or(Category::Unknown);
            (d.subject.clone(), c)
        })
        .collect();
    let mut taken: Vec<Option<Diagnosis>> = items.drain(..).map(Some).collect();
    // Dependents in order; each is folded into its root with the link to its direct parent.
    for (&i, &root) in &root_of {
        let Some(dependent) = taken[i].take() else {
            continue;
        };
        let Some((j, link)) = parent.get(&i) else {
            continue;
        };
        let Some(root_d) = taken[root].as_mut() else {
            continue;
        };
        let (up_subject, up_category) = &tops[*j];
        let selects = graph.backing_evidence(&link.to, up_subject).cloned();
        fold(root_d, dependent, link, selects, up_subject, *up_category);
    }
    *items = taken.into_iter().flatten().collect();
    super::rank(items);
}

/// Moves a dependent's evidence into the root diagnosis and lists it as affected.
fn fold(
    root: &mut Diagnosis,
    dependent: Diagnosis,
    link: &Link,
    selects: Option<Evidence>,
    upstream: &ObjectRef,
    up_category: Category,
) {
    let mut ids = Vec::new();
    let mut push = |root: &mut Diagnosis, mut e: Evidence| {
        if let Some(existing) = root
            .evidence
            .iter()
            .find(|x| x.excerpt == e.excerpt && x.object == e.object)
        {
            if !ids.contains(&existing.id) {
                ids.push(existing.id.clone());
            }
            return;
        }
        e.id = format!("ev-{}", root.evidence.len() + 1);
        ids.push(e.id.clone());
        root.evidence.push(e);
    };
    push(root, link.evidence.clone());
    // A call reaches a workload through a Service: the selector is the second half of the edge.
    if let Some(e) = selects {
        push(root, e);
    }
    // The dependent's own failure, as its top hypothesis cited it.
    if let Some(top) = dependent.top() {
        for id in &top.evidence {
            if let Some(e) = dependent.evidence_by_id(id) {
                push(root, e.clone());
            }
        }
    }
    let why = match link.relation {
        Relation::StarvedBy => format!(
            "{} fails because {} starves the node they share",
            dependent.subject.name, upstream.name
        ),
        Relation::ResolvesThrough => format!(
            "{} fails because it resolves names through cluster DNS ({}), which {}",
            dependent.subject.name,
            upstream.name,
            state(up_category)
        ),
        _ => format!(
            "{} fails because it {} {}, which {}",
            dependent.subject.name,
            link.relation.phrase(),
            target_name(link, upstream),
            state(up_category)
        ),
    };
    let evidence = &root.evidence;
    if let Some(h) = root.hypotheses.first_mut() {
        let sentence = format!("{why}.");
        if !h.cause.contains(&sentence) {
            h.cause = format!("{} {sentence}", h.cause.trim_end());
        }
        let cited = |ids: &[String]| -> Vec<Evidence> {
            evidence
                .iter()
                .filter(|e| ids.contains(&e.id))
                .cloned()
                .collect()
        };
        let before = super::confidence(&cited(&h.evidence), Role::Cause);
        for id in &ids {
            if !h.evidence.contains(id) {
                h.evidence.push(id.clone());
            }
        }
        // A dependent failing the way the root predicts corroborates it: the confidence is
        // recomputed over the added evidence, keeping the discounts the root already had.
        let after = super::confidence(&cited(&h.evidence), Role::Cause);
        if before > 0.0 && h.engine == "rules" {
            h.confidence = ((h.confidence * after / before).min(after) * 100.0).round() / 100.0;
        }
    }
    root.severity = root.severity.max(dependent.severity);
    root.affected.push(Affected {
        kind: dependent.subject.kind.clone(),
        namespace: dependent.subject.namespace.clone(),
        name: dependent.subject.name.clone(),
        why,
        evidence: ids,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn diagnose(example: &str) -> Vec<Diagnosis> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example);
        let snapshot = crate::source::bundle::read(&dir).expect("example bundle");
        let (findings, _) = crate::analyze::run(&snapshot);
        super::super::diagnose(&snapshot, findings)
    }

    #[test]
    fn without_the_graph_the_caller_is_a_root_and_with_it_an_affected_workload() {
        let before = diagnose("dependency-oom");
        assert!(before.iter().any(|d| d.subject.name == "checkout-web"));
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/dependency-oom");
        let snapshot = crate::source::bundle::read(&dir).expect("example bundle");
        let after = super::super::diagnose_snapshot(&snapshot);
        assert_eq!(after.len(), 1);
        assert_eq!(after[0].affected[0].name, "checkout-web");
    }

    #[test]
    fn a_dependent_with_a_specific_cause_of_its_own_stays_a_root() {
        for category in [
            Category::ConfigMissing,
            Category::ImagePull,
            Category::OomKilled,
        ] {
            assert!(!explainable(category, Relation::Calls), "{category}");
        }
        assert!(explainable(Category::OomKilled, Relation::StarvedBy));
        assert!(explainable(Category::CrashLoop, Relation::Calls));
        assert!(!explainable(Category::CrashLoop, Relation::Reads));
    }
}
