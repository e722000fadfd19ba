//! Fault injection, checked per request before it is handled.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::Mutex;
use std::time::Duration;

use k8sops::model::Kind;

use super::lock;

#[derive(Debug, Default, Clone)]
pub(crate) struct FaultState {
    pub forbidden: BTreeSet<Kind>,
    pub forbid_logs: bool,
    pub failing: BTreeMap<Kind, u16>,
    pub latency: Option<Duration>,
    pub drop_watch_after: Option<usize>,
}

/// What goes wrong, set by tests while the server runs. Every method takes `&self`.
#[derive(Debug, Default)]
pub struct Faults {
    state: Mutex<FaultState>,
}

impl Faults {
    /// 403 Forbidden (a real RBAC message) for list, watch and get of `kind`.
    pub fn forbid(&self, kind: Kind) {
        lock(&self.state).forbidden.insert(kind);
    }

    /// 403 Forbidden for `pods/log`.
    pub fn forbid_logs(&self) {
        lock(&self.state).forbid_logs = true;
    }

    /// An error `Status` with this HTTP code (500 → InternalError, 503 → ServiceUnavailable,
    /// 429 → TooManyRequests, 504 → Timeout) for list, watch and get of `kind`.
    pub fn fail(&self, kind: Kind, code: u16) {
        lock(&self.state).failing.insert(kind, code);
    }

    /// Sleeps this long before answering each request (discovery included).
    pub fn latency(&self, delay: Duration) {
        lock(&self.state).latency = Some(delay);
    }

    /// Aborts every watch stream opened from now on after it has sent `events` events
    /// (bookmarks not counted): the connection is cut without the closing chunk.
    pub fn drop_watch_after(&self, events: usize) {
        lock(&self.state).drop_watch_after = Some(events);
    }

    /// Back to a healthy server.
    pub fn clear(&self) {
        *lock(&self.state) = FaultState::default();
    }

    pub(crate) fn get(&self) -> FaultState {
        lock(&self.state).clone()
    }
}
