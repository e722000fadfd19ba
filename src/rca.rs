//! The rules engine: findings → one diagnosis per object a human would fix, with ranked
//! hypotheses and a confidence computed from the evidence.
//!
//! Confidence rules (the only place confidence is decided):
//! - each piece of evidence supports its finding with a weight by strength —
//!   direct 0.85 (the system states the cause), indirect 0.45 (inferred from a log line or a
//!   spec value against a fact), circumstantial 0.15 (consistent with several causes);
//! - independent pieces combine as `1 − Π(1 − w)` and the result is capped at 0.97: rules
//!   never claim certainty;
//! - a symptom (a finding another finding explains) keeps half its confidence, so a cause
//!   always outranks the symptoms it produces. Analyzers mark symptoms they recognise
//!   themselves; `EXPLAINED_BY` below adds the ones that take two families to see (a crash
//!   loop is the symptom when the same workload misses a ConfigMap key; a missing image is
//!   the symptom when the CI run that should have pushed it failed).

mod propagate;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::analyze::changes::{ChangeRecord, what_changed};
use crate::analyze::graph::Graph;
use crate::analyze::{Category, Evidence, Finding, Remedy, Role, Severity, Strength};
use crate::model::{ObjectRef, Snapshot};

pub use propagate::{Affected, propagate};

const CAP: f64 = 0.97;
const SYMPTOM_FACTOR: f64 = 0.5;
/// Evidence kept per finding once findings from several pods are merged.
const MAX_EVIDENCE: usize = 6;

pub fn weight(strength: Strength) -> f64 {
    match strength {
        Strength::Direct => 0.85,
        Strength::Indirect => 0.45,
        Strength::Circumstantial => 0.15,
    }
}

/// Confidence of a finding from its evidence and role.
pub fn confidence(evidence: &[Evidence], role: Role) -> f64 {
    let miss: f64 = evidence.iter().map(|e| 1.0 - weight(e.strength)).product();
    let c = ((1.0 - miss) * CAP).min(CAP);
    let c = if role == Role::Symptom {
        c * SYMPTOM_FACTOR
    } else {
        c
    };
    (c * 100.0).round() / 100.0
}

/// An object the cause rests on was inferred, not read (an owner absent from a dump): the
/// analyzer marks the finding with the fact `inferred`.
const INFERRED_FACTOR: f64 = 0.85;
/// Nothing but log lines suggest the cause, none states it: a log says what a process saw,
/// not why.
const LOGS_ONLY_FACTOR: f64 = 0.9;
/// Another cause of a different category scored within `COMPETING_GAP`: either may be it.
const COMPETING_FACTOR: f64 = 0.85;
const COMPETING_GAP: f64 = 0.1;

/// Confidence of a finding: its evidence's [`confidence`], lowered when the chain behind it
/// is incomplete (an inferred object, a cause only logs suggest).
pub fn finding_confidence(evidence: &[Evidence], finding: &Finding) -> f64 {
    let mut c = confidence(evidence, finding.role);
    if finding.facts.contains_key("inferred") {
        c *= INFERRED_FACTOR;
    }
    // Logs that quote the system stating the cause (an API server's 403) are not a guess;
    // logs that only suggest it are.
    if !evidence.is_empty()
        && evidence.iter().all(|e| {
            e.source == crate::analyze::EvidenceSource::Log && e.strength != Strength::Direct
        })
    {
        c *= LOGS_ONLY_FACTOR;
    }
    round2(c)
}

fn round2(c: f64) -> f64 {
    (c * 100.0).round() / 100.0
}

/// One candidate root cause.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hypothesis {
    pub cause: String,
    pub category: Category,
    pub confidence: f64,
    /// `rules` or `llm:<model>`.
    pub engine: String,
    pub evidence: Vec<String>,
    pub fix: Vec<String>,
    pub prevention: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
    /// The catalog id of the known error signature the cause rests on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
    /// What was inferred rather than read (an owner a `cluster-info dump` does not carry).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub inferred: Vec<String>,
}

/// Everything k8sops concluded about one object a human would fix.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnosis {
    pub subject: ObjectRef,
    pub severity: Severity,
    pub hypotheses: Vec<Hypothesis>,
    pub findings: Vec<Finding>,
    pub evidence: Vec<Evidence>,
    pub changes: Vec<ChangeRecord>,
    /// Workloads failing because of this root cause (they call it, wait for it, resolve
    /// names through it, share a node it starves), listed here instead of as roots.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub affected: Vec<Affected>,
    /// Prose from the LLM engine (`--explain`), absent for the rules engine.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub explanation: Option<Explanation>,
}

/// A paragraph for the on-call engineer, and the engine that wrote it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// `llm:<model>`.
    pub engine: String,
    pub text: String,
}

impl Diagnosis {
    pub fn top(&self) -> Option<&Hypothesis> {
        self.hypotheses.first()
    }

    pub fn evidence_by_id(&self, id: &str) -> Option<&Evidence> {
        self.evidence.iter().find(|e| e.id == id)
    }
}

/// LLM usage for the run (zero for the rules engine). The fields after the first three
/// appear only when the LLM engine ran, so rules-only output is unchanged.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Usage {
    /// Chat completions asked for (async-openai's own retries of one call count once).
    pub llm_requests: u64,
    pub prompt_tokens: u64,
    pub completion_tokens: u64,
    /// Answers taken from the on-disk cache instead of a request.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub llm_cache_hits: u64,
    /// Wall time spent waiting for the endpoint, summed over requests.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub llm_latency_ms: u64,
    /// The slowest single request.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub llm_max_latency_ms: u64,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

impl Usage {
    pub fn add(&mut self, other: &Usage) {
        self.llm_requests += other.llm_requests;
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
        self.llm_cache_hits += other.llm_cache_hits;
        self.llm_latency_ms += other.llm_latency_ms;
        self.llm_max_latency_ms = self.llm_max_latency_ms.max(other.llm_max_latency_ms);
    }
}

/// The `diagnose -o json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DiagnosisList {
    pub api_version: String,
    pub kind: String,
    pub items: Vec<Diagnosis>,
    pub warnings: Vec<String>,
    pub usage: Usage,
}

impl DiagnosisList {
    pub fn new(items: Vec<Diagnosis>, warnings: Vec<String>) -> Self {
        DiagnosisList {
            api_version: "k8sops/v1".into(),
            kind: "DiagnosisList".into(),
            items,
            warnings,
            usage: Usage::default(),
        }
    }
}

/// Runs the analyzers and the ranking over a snapshot: the `diagnose` pipeline.
pub fn run(snapshot: &Snapshot) -> DiagnosisList {
    DiagnosisList::new(diagnose_snapshot(snapshot), snapshot.warnings.clone())
}

/// The diagnoses of a snapshot: analyzers, grouping and ranking, then root causes
/// propagated over the object graph so dependents appear under what broke them.
pub fn diagnose_snapshot(snapshot: &Snapshot) -> Vec<Diagnosis> {
    let (mut items, graph) = diagnose_unpropagated(snapshot);
    propagate(&graph, &mut items);
    items
}

/// The diagnoses of a snapshot before propagation, and the graph to propagate them over:
/// for callers that analyze a cluster in parts and propagate over the union (watch).
pub fn diagnose_unpropagated(snapshot: &Snapshot) -> (Vec<Diagnosis>, Graph) {
    let (findings, graph) = crate::analyze::run(snapshot);
    (diagnose(snapshot, findings), graph)
}

/// Groups findings by the object to fix and ranks what explains each.
pub fn diagnose(snapshot: &Snapshot, findings: Vec<Finding>) -> Vec<Diagnosis> {
    let mut groups: BTreeMap<ObjectRef, Vec<Finding>> = BTreeMap::new();
    for f in findings {
        groups.entry(f.workload.clone()).or_default().push(f);
    }
    let mut items: Vec<Diagnosis> = groups
        .into_iter()
        .map(|(subject, findings)| build(snapshot, subject, merge(findings)))
        .collect();
    rank(&mut items);
    items
}

/// Most severe first, then most confident, then by subject: the order of `items`.
pub fn rank(items: &mut [Diagnosis]) {
    items.sort_by(|a, b| {
        b.severity
            .cmp(&a.severity)
            .then_with(|| top_confidence(b).total_cmp(&top_confidence(a)))
            .then_with(|| a.subject.cmp(&b.subject))
    });
}

/// Generic categories and the specific ones that, on the same workload, explain them.
const EXPLAINED_BY: &[(Category, &[Category])] = &[
    (
        Category::CrashLoop,
        &[
            Category::ConfigMissing,
            Category::NetworkDns,
            Category::Permission,
            Category::OomKilled,
            Category::Volume,
        ],
    ),
    (Category::ImagePull, &[Category::CiFailure]),
    (
        Category::ProbeFailure,
        &[
            Category::OomKilled,
            Category::ConfigMissing,
            Category::NetworkDns,
        ],
    ),
    (
        Category::RolloutStuck,
        &[
            Category::ImagePull,
            Category::CrashLoop,
            Category::ConfigMissing,
            Category::OomKilled,
            Category::Unschedulable,
            Category::QuotaLimits,
            Category::ProbeFailure,
            Category::Permission,
            Category::Volume,
            Category::NetworkDns,
            Category::CiFailure,
        ],
    ),
    (Category::Unknown, &Category::ALL),
];

/// Marks findings that another finding on the same workload explains as symptoms.
fn demote_explained(findings: &mut [Finding]) {
    let causes: Vec<Category> = findings
        .iter()
        .filter(|f| f.role == Role::Cause)
        .map(|f| f.category)
        .collect();
    for f in findings.iter_mut() {
        let explained = EXPLAINED_BY
            .iter()
            .find(|(c, _)| *c == f.category)
            .is_some_and(|(own, by)| causes.iter().any(|c| c != own && by.contains(c)));
        if explained {
            f.role = Role::Symptom;
        }
    }
}

fn top_confidence(d: &Diagnosis) -> f64 {
    d.top().map(|h| h.confidence).unwrap_or(0.0)
}

/// Findings with the same id (the same cause seen on several pods) become one, with the
/// evidence of each pod and a `pods` fact.
fn merge(findings: Vec<Finding>) -> Vec<Finding> {
    let mut merged: Vec<Finding> = Vec::new();
    let mut pods: BTreeMap<String, usize> = BTreeMap::new();
    for f in findings {
        *pods.entry(f.id.clone()).or_default() += 1;
        match merged.iter_mut().find(|m| m.id == f.id) {
            Some(m) => {
                for e in f.evidence {
                    if m.evidence.len() < MAX_EVIDENCE
                        && !m.evidence.iter().any(|x| x.excerpt == e.excerpt)
                    {
                        m.evidence.push(e);
                    }
                }
            }
            None => merged.push(f),
        }
    }
    for m in &mut merged {
        let n = pods.get(&m.id).copied().unwrap_or(1);
        if n > 1 {
            m.facts.insert("pods".into(), n.to_string());
        }
        m.evidence.truncate(MAX_EVIDENCE);
    }
    merged
}

fn build(snapshot: &Snapshot, subject: ObjectRef, mut findings: Vec<Finding>) -> Diagnosis {
    demote_explained(&mut findings);
    let mut evidence = Vec::new();
    let mut hypotheses = Vec::new();
    for f in &mut findings {
        let ids: Vec<String> = f
            .evidence
            .drain(..)
            .map(|mut e| {
                e.id = format!("ev-{}", evidence.len() + 1);
                let id = e.id.clone();
                evidence.push(e);
                id
            })
            .collect();
        f.evidence_ids = ids.clone();
        let own: Vec<Evidence> = evidence
            .iter()
            .filter(|e| ids.contains(&e.id))
            .cloned()
            .collect();
        hypotheses.push((
            f.role,
            f.severity,
            Hypothesis {
                cause: f.cause.clone(),
                category: f.category,
                confidence: finding_confidence(&own, f),
                engine: "rules".into(),
                evidence: ids,
                fix: f.fix.clone(),
                prevention: f.prevention.clone(),
                remedy: f.remedy.clone(),
                signature: f.facts.get("signature").cloned(),
                inferred: f.facts.get("inferred").cloned().into_iter().collect(),
            },
        ));
    }
    hypotheses.sort_by(|a, b| {
        let rank = |r: Role| if r == Role::Cause { 0 } else { 1 };
        rank(a.0)
            .cmp(&rank(b.0))
            .then_with(|| b.2.confidence.total_cmp(&a.2.confidence))
            .then_with(|| b.1.cmp(&a.1))
    });
    // Two causes of different families scored alike: the top one is less certain.
    if let [(Role::Cause, _, first), (Role::Cause, _, second), ..] = hypotheses.as_mut_slice()
        && first.category != second.category
        && first.confidence - second.confidence < COMPETING_GAP
    {
        first.confidence = round2(first.confidence * COMPETING_FACTOR);
    }
    let severity = findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Warning);
    let changes = what_changed(snapshot, &subject);
    Diagnosis {
        subject,
        severity,
        hypotheses: hypotheses.into_iter().map(|(_, _, h)| h).collect(),
        findings,
        evidence,
        changes,
        affected: Vec::new(),
        explanation: None,
    }
}

/// Confidence an LLM hypothesis can reach: a model's self-reported probability is not
/// calibrated, and its evidence is graded by nobody.
pub const LLM_CAP: f64 = 0.85;
/// A rules hypothesis at or above this confidence, resting on at least one piece of direct
/// evidence, is strong: no LLM hypothesis is ranked above it.
pub const STRONG: f64 = 0.7;

/// Whether a rules hypothesis is strong (see [`STRONG`]).
pub fn is_strong(d: &Diagnosis, h: &Hypothesis) -> bool {
    is_strong_in(&d.evidence, h)
}

/// Merges LLM hypotheses into a diagnosis: one ranking of both engines.
///
/// LLM confidences are capped at [`LLM_CAP`]; strong rules hypotheses keep their places at
/// the top; everything else is ordered by confidence, the rules engine first on a tie.
/// `evidence` holds the context items the LLM cited that the rules engine had not, so
/// every cited id resolves in the diagnosis.
pub fn merge_llm(
    d: &mut Diagnosis,
    llm: Vec<Hypothesis>,
    evidence: Vec<Evidence>,
    explanation: Option<Explanation>,
) {
    for e in evidence {
        if d.evidence_by_id(&e.id).is_none() {
            d.evidence.push(e);
        }
    }
    let mut strong = Vec::new();
    let mut rest = Vec::new();
    for h in d.hypotheses.drain(..) {
        // Strong hypotheses are already in the rules ranking's order.
        if rest.is_empty() && is_strong_in(&d.evidence, &h) {
            strong.push(h);
        } else {
            rest.push(h);
        }
    }
    rest.extend(llm.into_iter().map(|mut h| {
        h.confidence = (h.confidence.min(LLM_CAP) * 100.0).round() / 100.0;
        h
    }));
    // A stable sort keeps the rules engine's order among equals, and rules before LLM.
    rest.sort_by(|a, b| {
        b.confidence
            .total_cmp(&a.confidence)
            .then_with(|| (a.engine != "rules").cmp(&(b.engine != "rules")))
    });
    d.hypotheses = strong;
    d.hypotheses.extend(rest);
    if explanation.is_some() {
        d.explanation = explanation;
    }
}

fn is_strong_in(evidence: &[Evidence], h: &Hypothesis) -> bool {
    h.engine == "rules"
        && h.confidence >= STRONG
        && h.evidence.iter().any(|id| {
            evidence
                .iter()
                .any(|e| &e.id == id && e.strength == Strength::Direct)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::EvidenceSource;

    fn ev(strength: Strength) -> Evidence {
        Evidence {
            id: String::new(),
            source: EvidenceSource::Status,
            object: ObjectRef::new("Pod", Some("shop"), "web-1"),
            excerpt: format!("{strength:?}"),
            timestamp: None,
            strength,
        }
    }

    #[test]
    fn direct_evidence_outweighs_circumstantial() {
        let direct = confidence(&[ev(Strength::Direct)], Role::Cause);
        let weak = confidence(
            &[ev(Strength::Circumstantial), ev(Strength::Circumstantial)],
            Role::Cause,
        );
        assert!(direct > weak, "{direct} > {weak}");
    }

    #[test]
    fn confidence_is_capped_below_certainty() {
        let many = vec![ev(Strength::Direct); 10];
        assert!(confidence(&many, Role::Cause) <= CAP);
    }

    #[test]
    fn a_symptom_never_outranks_its_cause_with_the_same_evidence() {
        let e = vec![ev(Strength::Direct), ev(Strength::Indirect)];
        assert!(confidence(&e, Role::Symptom) < confidence(&e, Role::Cause));
    }
}
