//! `TARGET` as kubectl writes it: `pod/NAME`, `deploy/NAME`, `sts/…`, `ds/…`, `job/…`,
//! `cronjob/…`, `node/…` — resolved to the object a diagnosis is about.

use super::{Kind, ObjectRef, Snapshot};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub kind: Kind,
    pub name: String,
}

/// What a diagnosis can be about: a pod, a node, or a workload on the chain between them
/// and the object a human fixes.
fn is_target(kind: Kind) -> bool {
    matches!(kind, Kind::Pod | Kind::Node) || kind.info().is_workload()
}

impl Target {
    pub fn parse(s: &str) -> Result<Target, String> {
        let (kind, name) = s.split_once('/').ok_or_else(|| {
            format!(
                "'{s}' is not KIND/NAME (e.g. deploy/web, pod/web-7d9f8b6c4d-x2k4p, node/worker-1)"
            )
        })?;
        let kind = Kind::parse(kind)
            .filter(|k| is_target(*k))
            .ok_or_else(|| format!("'{kind}' is not a kind diagnose takes; use pod, deploy, sts, ds, job, cronjob or node"))?;
        if name.is_empty() {
            return Err(format!("'{s}' has no name after the '/'"));
        }
        Ok(Target {
            kind,
            name: name.to_string(),
        })
    }

    /// The workload a diagnosis about this target is filed under, if the object exists in
    /// the snapshot (searched in `namespace`, or anywhere when `None`).
    pub fn resolve(&self, snapshot: &Snapshot, namespace: Option<&str>) -> Option<ObjectRef> {
        let namespaces: Vec<String> = match (self.kind.info().namespaced, namespace) {
            (false, _) => vec![String::new()],
            (true, Some(ns)) => vec![ns.to_string()],
            (true, None) => snapshot.namespaces(),
        };
        namespaces.iter().find_map(|ns| {
            let meta = snapshot.meta(self.kind, ns, &self.name)?;
            Some(if self.kind.is_created() {
                snapshot.workload_of(self.kind, meta)
            } else {
                ObjectRef::from_meta(self.kind, meta)
            })
        })
    }
}

impl std::fmt::Display for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}/{}",
            self.kind.info().name.to_ascii_lowercase(),
            self.name
        )
    }
}
