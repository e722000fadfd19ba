//! Where snapshots come from: the live API (`live`, with usage from `metrics`), bundles on
//! disk (`bundle`, `kubectl_dump`, `document`); and the CI runs joined into them (`ci`,
//! GitHub Actions).

pub mod bundle;
pub mod ci;
pub mod document;
pub mod kubectl_dump;
pub mod live;
pub mod metrics;

use std::path::Path;

use crate::error::Result;
use crate::model::Snapshot;

/// A snapshot and whether collecting it failed in part (exit code 3).
pub struct Loaded {
    pub snapshot: Snapshot,
    pub partial: bool,
}

/// Reads `--from PATH` when given, else collects from the cluster. With `--from`, `-n`
/// narrows the bundle to one namespace.
pub async fn load(from: Option<&Path>, live: &live::LiveOptions) -> Result<Loaded> {
    match from {
        Some(path) => {
            let mut snapshot = bundle::read(path)?;
            if let (Some(ns), false) = (&live.namespace, live.all_namespaces) {
                snapshot = bundle::restrict_to_namespace(snapshot, ns);
            }
            Ok(Loaded {
                snapshot,
                partial: false,
            })
        }
        None => {
            let snapshot = live::collect(live).await?;
            let partial = !snapshot.warnings.is_empty();
            Ok(Loaded { snapshot, partial })
        }
    }
}
