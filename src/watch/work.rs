//! What the dashboard's health score reads of a workload (`report::score::health_with`),
//! kept beside it in its packed store: the header tallies the score at every update
//! without unpacking a Deployment, ReplicaSet or Job.

use super::packed::Glimpse;
use crate::report::score::WorkloadTally;
use crate::report::workloads::AsWorkload;

/// A workload's tally; `None` for an object another workload owns (a Deployment's
/// ReplicaSet, a CronJob's Job).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Work(pub Option<WorkloadTally>);

impl<T: AsWorkload> Glimpse<T> for Work {
    fn of(object: &T) -> Work {
        Work(object.workload().as_ref().map(WorkloadTally::of))
    }
}
