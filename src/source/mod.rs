//! Where snapshots come from: the live API (`live`, with usage from `metrics`), bundles on
//! disk (`bundle`, `kubectl_dump`, `document`), text people paste (`paste`); and the CI runs joined into them (`ci`,
//! GitHub Actions).

pub mod bundle;
pub mod ci;
pub mod document;
pub mod kubectl_dump;
pub mod live;
pub mod metrics;
pub mod paste;

use std::path::Path;

use crate::error::{Error, Input, Result};
use crate::model::{Selector, Snapshot};

/// A snapshot and whether collecting it failed in part (exit code 3).
pub struct Loaded {
    pub snapshot: Snapshot,
    pub partial: bool,
}

/// Reads `--from PATH` when given, else collects from the cluster, then joins the CI runs
/// of its failing workloads when `ci` says how. With `--from`, `-n` narrows the bundle to
/// one namespace.
pub async fn load(
    from: Option<&Path>,
    live: &live::LiveOptions,
    ci: Option<&ci::Join>,
) -> Result<Loaded> {
    let mut loaded = read(from, live).await?;
    if let Some(join) = ci {
        ci::attach(&mut loaded.snapshot, join, from.is_some()).await;
    }
    Ok(loaded)
}

async fn read(from: Option<&Path>, live: &live::LiveOptions) -> Result<Loaded> {
    match from {
        Some(path) => Ok(Loaded {
            snapshot: narrow(bundle::read(path)?, live)?,
            partial: false,
        }),
        None => {
            let snapshot = live::collect(live).await?;
            let partial = !snapshot.warnings.is_empty();
            Ok(Loaded { snapshot, partial })
        }
    }
}

/// A bundle narrowed as a collection is: to the namespace (unless all namespaces are
/// asked for), then to the label selector.
pub fn narrow(snapshot: Snapshot, live: &live::LiveOptions) -> Result<Snapshot> {
    let snapshot = match (&live.namespace, live.all_namespaces) {
        (Some(ns), false) => bundle::restrict_to_namespace(snapshot, ns),
        _ => snapshot,
    };
    let Some(selector) = &live.selector else {
        return Ok(snapshot);
    };
    let selector = Selector::parse(selector).map_err(|message| Error::Invalid {
        input: Input::Selector,
        message,
        hint: "write it as kubectl does, e.g. app=web,tier!=cache or 'env in (prod,staging)'"
            .into(),
    })?;
    Ok(bundle::restrict_to_selector(snapshot, &selector))
}
