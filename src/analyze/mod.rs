//! Analyzers: pure functions from a snapshot to findings, one file per failure family.
//! They never touch the network; `rca` groups and ranks what they find.

pub mod changes;
pub mod ci_rules;
pub mod commits;
mod context;
mod finding;
pub mod graph;

mod ci_correlation;
mod cluster_dns;
mod config_missing;
mod controller_logs;
mod crash_loop;
mod image_pull;
mod job;
mod network_dns;
mod node;
mod oom;
mod permission;
mod probe;
mod quota;
mod rollout;
pub mod signatures;
#[cfg(test)]
mod testing;
mod unknown;
mod unschedulable;
mod volume;

pub use context::{ContainerView, Context, PodContext};
pub use finding::{
    Category, Change, Evidence, EvidenceSource, Finding, Remedy, Role, Severity, Strength,
};
pub use unschedulable::{add_share, node_requests, node_share};

use crate::model::Snapshot;

/// One failure family.
pub trait Analyzer: Sync {
    /// Stable name, shown in findings.
    fn name(&self) -> &'static str;
    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>);
}

/// Every analyzer, in no particular order (ranking happens in `rca`); `unknown` runs last
/// and only speaks for broken pods nobody else explained.
pub fn registry() -> Vec<Box<dyn Analyzer>> {
    vec![
        Box::new(oom::OomKilled),
        Box::new(crash_loop::CrashLoop),
        Box::new(image_pull::ImagePull),
        Box::new(config_missing::ConfigMissing),
        Box::new(probe::ProbeFailure),
        Box::new(network_dns::NetworkDns),
        Box::new(permission::Permission),
        Box::new(unschedulable::Unschedulable),
        Box::new(volume::Volume),
        Box::new(node::NodeProblem),
        Box::new(quota::QuotaLimits),
        Box::new(rollout::RolloutStuck),
        Box::new(job::JobFailed),
        Box::new(ci_correlation::CiCorrelation),
        Box::new(cluster_dns::ClusterDns),
        Box::new(controller_logs::ControllerLogs),
        Box::new(unknown::Unknown),
    ]
}

/// Runs every analyzer over the snapshot and hands back the object graph they shared, for
/// `rca` to propagate root causes along.
pub fn run(snapshot: &Snapshot) -> (Vec<Finding>, graph::Graph) {
    let cx = Context::new(snapshot);
    let mut findings = Vec::new();
    for analyzer in registry() {
        analyzer.analyze(&cx, &mut findings);
    }
    cx.mark_inferred(&mut findings);
    (findings, cx.graph)
}
