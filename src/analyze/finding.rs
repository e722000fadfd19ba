//! What analyzers produce: typed findings with their evidence, and typed remedies.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::model::ObjectRef;

/// Failure categories: stable ids used in JSON output and filters (DESIGN §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    OomKilled,
    CrashLoop,
    ImagePull,
    ConfigMissing,
    Unschedulable,
    ProbeFailure,
    Volume,
    NodeProblem,
    NetworkDns,
    Permission,
    RolloutStuck,
    JobFailed,
    QuotaLimits,
    CiFailure,
    Unknown,
}

impl Category {
    pub const ALL: [Category; 15] = [
        Category::OomKilled,
        Category::CrashLoop,
        Category::ImagePull,
        Category::ConfigMissing,
        Category::Unschedulable,
        Category::ProbeFailure,
        Category::Volume,
        Category::NodeProblem,
        Category::NetworkDns,
        Category::Permission,
        Category::RolloutStuck,
        Category::JobFailed,
        Category::QuotaLimits,
        Category::CiFailure,
        Category::Unknown,
    ];

    pub fn id(self) -> &'static str {
        match self {
            Category::OomKilled => "oom-killed",
            Category::CrashLoop => "crash-loop",
            Category::ImagePull => "image-pull",
            Category::ConfigMissing => "config-missing",
            Category::Unschedulable => "unschedulable",
            Category::ProbeFailure => "probe-failure",
            Category::Volume => "volume",
            Category::NodeProblem => "node-problem",
            Category::NetworkDns => "network-dns",
            Category::Permission => "permission",
            Category::RolloutStuck => "rollout-stuck",
            Category::JobFailed => "job-failed",
            Category::QuotaLimits => "quota-limits",
            Category::CiFailure => "ci-failure",
            Category::Unknown => "unknown",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.id() == s)
    }
}

impl fmt::Display for Category {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// How bad it is for the service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Critical,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Critical => "critical",
        })
    }
}

/// Where a piece of evidence was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EvidenceSource {
    Status,
    Event,
    Log,
    Spec,
    CiLog,
    Metric,
}

/// How directly a piece of evidence shows the cause; `rca` turns these into confidence.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Strength {
    /// Consistent with the cause but also with others (a restart count, a BackOff event).
    Circumstantial,
    /// Points at the cause through inference (a log line, a spec value compared with a fact).
    Indirect,
    /// The system says it in so many words (`reason: OOMKilled`, `configmap "x" not found`).
    Direct,
}

/// One observation that supports a finding.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    /// `ev-N`, unique within a diagnosis; assigned when findings are grouped.
    #[serde(default)]
    pub id: String,
    pub source: EvidenceSource,
    pub object: ObjectRef,
    /// What was seen, quoted (sanitized before it leaves the machine).
    pub excerpt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<jiff::Timestamp>,
    pub strength: Strength,
}

/// Whether a finding is a cause or a consequence of another finding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Cause,
    Symptom,
}

/// A typed change to a workload's spec; the remediation planner turns it into a file edit.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Change {
    SetMemoryLimit {
        container: String,
        from: Option<String>,
        to: String,
    },
    SetMemoryRequest {
        container: String,
        from: Option<String>,
        to: String,
    },
    SetCpuRequest {
        container: String,
        from: Option<String>,
        to: String,
    },
    SetImage {
        container: String,
        from: String,
        to: String,
    },
    SetProbe {
        container: String,
        probe: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        port: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        initial_delay_seconds: Option<i32>,
    },
    /// Create a missing ConfigMap/Secret or key. Never carries a value.
    CreateKey {
        kind: String,
        name: String,
        key: Option<String>,
    },
    SetServiceSelectorOrName {
        service: String,
        to: String,
    },
}

/// A proposed fix: which object, what change, and why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Remedy {
    pub target: ObjectRef,
    pub change: Change,
    pub rationale: String,
}

/// What one analyzer concluded about one object.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable across runs: analyzer, category, object and the distinguishing detail.
    pub id: String,
    pub analyzer: String,
    pub category: Category,
    pub severity: Severity,
    pub role: Role,
    /// The object observed (a Pod, a PVC, a Node…).
    pub subject: ObjectRef,
    /// The object a human would fix.
    pub workload: ObjectRef,
    /// One line for lists.
    pub summary: String,
    /// One sentence naming the concrete cause (the key, the tag, the limit…).
    pub cause: String,
    pub facts: BTreeMap<String, String>,
    /// The evidence, while the finding is on its own; `rca` moves it into the diagnosis's
    /// evidence list and leaves the ids in `evidence_ids`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence: Vec<Evidence>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub evidence_ids: Vec<String>,
    pub fix: Vec<String>,
    pub prevention: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<Remedy>,
}

impl Finding {
    /// Starts a finding; the analyzer fills in the rest.
    pub fn new(
        analyzer: &str,
        category: Category,
        subject: ObjectRef,
        workload: ObjectRef,
        detail: &str,
    ) -> Self {
        let id = format!(
            "{}/{}/{}/{}",
            category.id(),
            workload.kind,
            workload.name,
            detail
        );
        Finding {
            id,
            analyzer: analyzer.to_string(),
            category,
            severity: Severity::Critical,
            role: Role::Cause,
            subject,
            workload,
            summary: String::new(),
            cause: String::new(),
            facts: BTreeMap::new(),
            evidence: Vec::new(),
            evidence_ids: Vec::new(),
            fix: Vec::new(),
            prevention: Vec::new(),
            remedy: None,
        }
    }

    pub fn fact(mut self, key: &str, value: impl ToString) -> Self {
        self.facts.insert(key.to_string(), value.to_string());
        self
    }
}
