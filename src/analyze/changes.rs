//! "What changed": the difference between a workload's current and previous pod template
//! (ReplicaSets of a Deployment, ControllerRevisions of a StatefulSet or DaemonSet), in the
//! fields that break things: image, env names, resources, probes, command and args.

use std::collections::BTreeSet;

use k8s_openapi::api::core::v1::{Container, PodTemplateSpec};
use serde::{Deserialize, Serialize};

use crate::model::{Kind, ObjectRef, Snapshot};

/// One changed field between two revisions.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRecord {
    /// `containers[web].image`, `containers[web].env`, …
    pub field: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<String>,
    /// The revision that introduced it and when it rolled out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<jiff::Timestamp>,
}

/// A revision of a workload's pod template.
pub struct Revision {
    pub number: i64,
    pub name: String,
    pub created: Option<jiff::Timestamp>,
    pub template: PodTemplateSpec,
}

/// The revisions of a workload, oldest first.
pub fn revisions(snapshot: &Snapshot, workload: &ObjectRef) -> Vec<Revision> {
    let ns = workload.namespace.as_deref().unwrap_or("");
    let owned = |meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        meta.namespace.as_deref() == Some(ns)
            && snapshot
                .controller_of(meta)
                .is_some_and(|o| o.kind == workload.kind && o.name == workload.name)
    };
    let mut out: Vec<Revision> = match workload.known_kind() {
        Some(Kind::Deployment) => snapshot
            .objects
            .replica_sets
            .iter()
            .filter(|rs| owned(&rs.metadata))
            .filter_map(|rs| {
                let number = rs
                    .metadata
                    .annotations
                    .as_ref()?
                    .get("deployment.kubernetes.io/revision")?
                    .parse()
                    .ok()?;
                Some(Revision {
                    number,
                    name: rs.metadata.name.clone().unwrap_or_default(),
                    created: rs.metadata.creation_timestamp.as_ref().map(|t| t.0),
                    template: rs.spec.as_ref()?.template.clone()?,
                })
            })
            .collect(),
        Some(Kind::StatefulSet | Kind::DaemonSet) => snapshot
            .objects
            .controller_revisions
            .iter()
            .filter(|cr| owned(&cr.metadata))
            .filter_map(|cr| {
                let template = cr.data.as_ref()?.0.pointer("/spec/template")?.clone();
                Some(Revision {
                    number: cr.revision,
                    name: cr.metadata.name.clone().unwrap_or_default(),
                    created: cr.metadata.creation_timestamp.as_ref().map(|t| t.0),
                    template: serde_json::from_value(template).ok()?,
                })
            })
            .collect(),
        _ => Vec::new(),
    };
    out.sort_by_key(|r| r.number);
    out
}

/// What the newest revision changed compared with the one before it.
pub fn what_changed(snapshot: &Snapshot, workload: &ObjectRef) -> Vec<ChangeRecord> {
    let revs = revisions(snapshot, workload);
    let [.., old, new] = revs.as_slice() else {
        return Vec::new();
    };
    changes_between(old, new)
}

/// What revision `new` changed compared with `old` (any two revisions of one workload).
pub fn changes_between(old: &Revision, new: &Revision) -> Vec<ChangeRecord> {
    let mut out = Vec::new();
    let containers = |t: &PodTemplateSpec| -> Vec<Container> {
        t.spec
            .as_ref()
            .map(|s| {
                s.init_containers
                    .iter()
                    .flatten()
                    .chain(s.containers.iter())
                    .cloned()
                    .collect()
            })
            .unwrap_or_default()
    };
    let old_containers = containers(&old.template);
    for c in containers(&new.template) {
        let Some(o) = old_containers.iter().find(|o| o.name == c.name) else {
            out.push(record(
                format!("containers[{}]", c.name),
                None,
                Some("added".into()),
            ));
            continue;
        };
        let field = |f: &str| format!("containers[{}].{f}", c.name);
        diff(&mut out, field("image"), o.image.clone(), c.image.clone());
        diff(
            &mut out,
            field("command"),
            json(&o.command),
            json(&c.command),
        );
        diff(&mut out, field("args"), json(&o.args), json(&c.args));
        diff(
            &mut out,
            field("resources"),
            json(&o.resources),
            json(&c.resources),
        );
        diff(
            &mut out,
            field("livenessProbe"),
            json(&o.liveness_probe),
            json(&c.liveness_probe),
        );
        diff(
            &mut out,
            field("readinessProbe"),
            json(&o.readiness_probe),
            json(&c.readiness_probe),
        );
        diff(
            &mut out,
            field("startupProbe"),
            json(&o.startup_probe),
            json(&c.startup_probe),
        );
        let names = |c: &Container| -> BTreeSet<String> {
            c.env.iter().flatten().map(|e| e.name.clone()).collect()
        };
        let (old_env, new_env) = (names(o), names(&c));
        if old_env != new_env {
            let added: Vec<_> = new_env.difference(&old_env).cloned().collect();
            let removed: Vec<_> = old_env.difference(&new_env).cloned().collect();
            out.push(record(
                field("env"),
                (!removed.is_empty()).then(|| format!("removed {}", removed.join(","))),
                (!added.is_empty()).then(|| format!("added {}", added.join(","))),
            ));
        }
        let env_from = |c: &Container| json(&c.env_from);
        diff(&mut out, field("envFrom"), env_from(o), env_from(&c));
    }
    for r in &mut out {
        r.revision = Some(format!("{} ({})", new.number, new.name));
        r.at = new.created;
    }
    out
}

fn json<T: Serialize>(v: &T) -> Option<String> {
    let value = serde_json::to_value(v).ok()?;
    (!value.is_null()).then(|| value.to_string())
}

fn record(field: String, from: Option<String>, to: Option<String>) -> ChangeRecord {
    ChangeRecord {
        field,
        from,
        to,
        revision: None,
        at: None,
    }
}

fn diff(out: &mut Vec<ChangeRecord>, field: String, from: Option<String>, to: Option<String>) {
    if from != to {
        out.push(record(field, from, to));
    }
}
