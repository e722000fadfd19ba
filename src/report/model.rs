//! The daily report: one model, built once by `build`, rendered by the Markdown, HTML, JSON
//! and Slack writers. `-o report.json` prints it as `{"apiVersion": "k8sops/v1", "kind":
//! "DailyReport", …}`; `--previous` reads that document back, so fields are added, never
//! renamed.

use serde::{Deserialize, Serialize};

use super::ci::CiSection;
use super::score::Score;
use crate::analyze::changes::ChangeRecord;
use crate::analyze::{Category, Severity};
use crate::model::ObjectRef;

pub const API_VERSION: &str = "k8sops/v1";
pub const KIND: &str = "DailyReport";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    #[serde(rename = "apiVersion")]
    pub api_version: String,
    pub kind: String,
    /// The k8sops version that wrote it.
    pub version: String,
    /// The newest capture time among the clusters.
    pub generated_at: jiff::Timestamp,
    pub window: Window,
    /// Over every cluster together.
    pub score: Score,
    /// One section per cluster (context or bundle).
    pub clusters: Vec<ClusterReport>,
    pub ci: CiSection,
    /// With `--previous`: what is new and what was resolved since that report.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since_previous: Option<Delta>,
    /// What could not be collected, for every cluster.
    pub warnings: Vec<String>,
}

/// The time window the report looks back over (`--since`).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Window {
    pub since_seconds: u64,
    pub start: jiff::Timestamp,
    pub end: jiff::Timestamp,
}

impl Window {
    pub fn contains(&self, t: jiff::Timestamp) -> bool {
        t >= self.start && t <= self.end
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClusterReport {
    /// The context, or the bundle's directory name.
    pub name: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub server_version: Option<String>,
    /// `all namespaces`, `namespace shop`.
    pub scope: String,
    pub captured_at: jiff::Timestamp,
    /// Why nothing else is here (the context could not be read).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// `None` when the cluster could not be read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub score: Option<Score>,
    pub namespaces: Vec<NamespaceStatus>,
    pub issues: Vec<Issue>,
    /// Problems whose evidence is all older than the window (still in the snapshot).
    pub issues_outside_window: usize,
    pub deployments: Vec<Rollout>,
    pub resources: Resources,
    pub recommendations: Vec<Recommendation>,
    pub warnings: Vec<String>,
}

/// Pods of one namespace.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamespaceStatus {
    pub name: String,
    /// Running with every container ready.
    pub pods_ready: usize,
    /// Every pod but the completed ones.
    pub pods_total: usize,
    /// Succeeded (finished Job pods).
    pub pods_completed: usize,
    /// Container restarts summed over the namespace's pods.
    pub restarts: u64,
    pub not_ready: Vec<PodProblem>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PodProblem {
    pub pod: String,
    /// As kubectl's STATUS column: `CrashLoopBackOff`, `Pending`, `OOMKilled`.
    pub status: String,
    /// `0/1`.
    pub ready: String,
    pub restarts: u64,
}

/// One diagnosis, reduced to what a morning reader acts on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Issue {
    /// Stable across runs: cluster, workload and category (see `issues::fingerprint`).
    pub fingerprint: String,
    pub severity: Severity,
    pub category: Category,
    pub subject: ObjectRef,
    /// The top hypothesis.
    pub cause: String,
    pub confidence: f64,
    pub engine: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    pub fix: Vec<String>,
    /// The evidence the top hypothesis cites, newest observation of it.
    pub evidence: Vec<EvidenceLine>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_seen: Option<jiff::Timestamp>,
    /// What the workload's last rollout changed.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub changes: Vec<ChangeRecord>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EvidenceLine {
    pub source: String,
    pub object: ObjectRef,
    pub excerpt: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<jiff::Timestamp>,
}

/// How a rollout ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// The revision is current and every replica is updated and available.
    Succeeded,
    /// The revision is current and replicas are still being replaced.
    InProgress,
    /// The revision is current and the rollout stalled (progress deadline, rollout-stuck).
    Failed,
    /// A later revision replaced it within the window.
    Superseded,
}

impl std::fmt::Display for Outcome {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Outcome::Succeeded => "succeeded",
            Outcome::InProgress => "in progress",
            Outcome::Failed => "failed",
            Outcome::Superseded => "superseded",
        })
    }
}

/// One revision of a workload that rolled out in the window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rollout {
    pub workload: ObjectRef,
    pub revision: i64,
    /// The ReplicaSet or ControllerRevision.
    pub revision_name: String,
    pub at: jiff::Timestamp,
    pub outcome: Outcome,
    /// Why the outcome is what it is: `3/3 updated and available`.
    pub detail: String,
    pub changes: Vec<ChangeRecord>,
}

/// CPU in millicores and memory in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Amount {
    pub cpu_millicores: u64,
    pub memory_bytes: u64,
}

impl std::ops::AddAssign for Amount {
    fn add_assign(&mut self, o: Amount) {
        self.cpu_millicores += o.cpu_millicores;
        self.memory_bytes += o.memory_bytes;
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Resources {
    /// Why observed usage is missing (no metrics-server, a bundle).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notes: Vec<String>,
    pub nodes: Vec<NodeUse>,
    pub namespaces: Vec<NamespaceUse>,
}

/// Requests and limits of the pods scheduled on a node against what it can allocate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NodeUse {
    pub name: String,
    pub allocatable: Amount,
    pub requests: Amount,
    pub limits: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Amount>,
    pub pods: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NamespaceUse {
    pub name: String,
    pub requests: Amount,
    pub limits: Amount,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Amount>,
    /// Containers without a memory limit.
    pub containers_without_limits: usize,
}

/// Recommendation families: stable ids.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RecommendationKind {
    RightSize,
    MissingLimits,
    MissingProbes,
    StaleNamespace,
    FinishedJobs,
}

impl RecommendationKind {
    pub fn id(self) -> &'static str {
        match self {
            RecommendationKind::RightSize => "right-size",
            RecommendationKind::MissingLimits => "missing-limits",
            RecommendationKind::MissingProbes => "missing-probes",
            RecommendationKind::StaleNamespace => "stale-namespace",
            RecommendationKind::FinishedJobs => "finished-jobs",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    pub kind: RecommendationKind,
    /// The workload or namespace to change.
    pub subject: ObjectRef,
    /// One line: what is wrong.
    pub summary: String,
    /// The numbers behind it, spelled out.
    pub arithmetic: String,
    /// What to do.
    pub action: String,
}

/// What changed since the previous report.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Delta {
    pub previous_generated_at: jiff::Timestamp,
    pub previous_score: u8,
    pub new: Vec<IssueRef>,
    pub resolved: Vec<IssueRef>,
    /// Issues in both reports.
    pub ongoing: usize,
}

/// An issue named across reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueRef {
    pub fingerprint: String,
    #[serde(default)]
    pub cluster: String,
    pub severity: Severity,
    pub category: Category,
    pub subject: ObjectRef,
    pub cause: String,
}

impl IssueRef {
    pub fn of(cluster: &str, issue: &Issue) -> IssueRef {
        IssueRef {
            fingerprint: issue.fingerprint.clone(),
            cluster: cluster.to_string(),
            severity: issue.severity,
            category: issue.category,
            subject: issue.subject.clone(),
            cause: issue.cause.clone(),
        }
    }
}
