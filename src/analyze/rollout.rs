//! Rollout stuck: Deployments whose rollout does not finish — the progress deadline was
//! exceeded (`Progressing=False ProgressDeadlineExceeded`), the Deployment is paused with a
//! template change that never rolls out, or a new ReplicaSet keeps failing while the old
//! one serves. Names both ReplicaSets and what changed between them. When the new pods
//! fail for a reason another analyzer explains, `rca` demotes this finding to a symptom.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use k8s_openapi::api::apps::v1::{Deployment, ReplicaSet};
use k8s_openapi::api::core::v1::{Container, PodTemplateSpec};
use regex::Regex;

use super::changes::{ChangeRecord, what_changed};
use super::{
    Analyzer, Category, Change, Context, EvidenceSource, Finding, PodContext, Remedy, Severity,
    Strength,
};
use crate::model::{Kind, ObjectRef, Snapshot};

pub struct RolloutStuck;

impl Analyzer for RolloutStuck {
    fn name(&self) -> &'static str {
        "rollout-stuck"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for d in &cx.snapshot.objects.deployments {
            if let Some(f) = analyze_deployment(cx, d) {
                out.push(f);
            }
        }
    }
}

/// A new ReplicaSet failing for less than this may still be starting.
const GRACE: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

static TIMED_OUT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"ReplicaSet "([^"]+)" has timed out progressing"#).expect("regex")
});

/// A ReplicaSet of the Deployment with its revision.
struct Rs<'a> {
    rs: &'a ReplicaSet,
    name: &'a str,
    revision: i64,
}

impl Rs<'_> {
    fn ready(&self) -> i32 {
        self.rs
            .status
            .as_ref()
            .and_then(|s| s.ready_replicas)
            .unwrap_or(0)
    }
    fn replicas(&self) -> i32 {
        self.rs.status.as_ref().map(|s| s.replicas).unwrap_or(0)
    }
    fn template(&self) -> Option<&PodTemplateSpec> {
        self.rs.spec.as_ref()?.template.as_ref()
    }
}

fn replica_sets<'a>(snapshot: &'a Snapshot, d: &Deployment) -> Vec<Rs<'a>> {
    let ns = d.metadata.namespace.as_deref();
    let name = d.metadata.name.as_deref().unwrap_or("");
    let mut out: Vec<Rs<'a>> = snapshot
        .objects
        .replica_sets
        .iter()
        .filter(|rs| rs.metadata.namespace.as_deref() == ns)
        .filter(|rs| {
            snapshot
                .controller_of(&rs.metadata)
                .is_some_and(|o| o.kind == "Deployment" && o.name == name)
        })
        .map(|rs| Rs {
            rs,
            name: rs.metadata.name.as_deref().unwrap_or(""),
            revision: rs
                .metadata
                .annotations
                .as_ref()
                .and_then(|a| a.get("deployment.kubernetes.io/revision"))
                .and_then(|r| r.parse().ok())
                .unwrap_or(0),
        })
        .collect();
    out.sort_by_key(|r| r.revision);
    out
}

fn containers(t: Option<&PodTemplateSpec>) -> Vec<&Container> {
    t.and_then(|t| t.spec.as_ref())
        .map(|s| {
            s.init_containers
                .iter()
                .flatten()
                .chain(s.containers.iter())
                .collect()
        })
        .unwrap_or_default()
}

fn images(t: Option<&PodTemplateSpec>) -> String {
    containers(t)
        .iter()
        .filter_map(|c| c.image.as_deref())
        .collect::<Vec<_>>()
        .join(", ")
}

fn analyze_deployment(cx: &Context<'_>, d: &Deployment) -> Option<Finding> {
    let snapshot = cx.snapshot;
    let spec = d.spec.as_ref()?;
    let status = d.status.as_ref();
    let name = d.metadata.name.as_deref()?;
    let workload = ObjectRef::from_meta(Kind::Deployment, &d.metadata);
    let conditions = status.and_then(|s| s.conditions.as_deref()).unwrap_or(&[]);
    let progressing = conditions.iter().find(|c| c.type_ == "Progressing");
    let want = spec.replicas.unwrap_or(1);
    let updated = status.and_then(|s| s.updated_replicas).unwrap_or(0);
    let unavailable = status.and_then(|s| s.unavailable_replicas).unwrap_or(0);
    let deadline_hit = progressing.is_some_and(|c| {
        c.status == "False" && c.reason.as_deref() == Some("ProgressDeadlineExceeded")
    });
    // A finished rollout needs no look at its ReplicaSets (cheap on big clusters).
    if spec.paused != Some(true) && !deadline_hit && updated >= want && unavailable == 0 {
        return None;
    }
    let rss = replica_sets(snapshot, d);

    if spec.paused == Some(true) {
        return paused(d, &workload, &rss, want, updated);
    }
    let deadline = progressing
        .filter(|c| c.status == "False" && c.reason.as_deref() == Some("ProgressDeadlineExceeded"));
    let new_rs = deadline
        .and_then(|c| {
            TIMED_OUT
                .captures(c.message.as_deref()?)
                .map(|m| m[1].to_string())
        })
        .and_then(|n| rss.iter().position(|r| r.name == n))
        .or_else(|| rss.len().checked_sub(1))?;
    let new = &rss[new_rs];
    let old: Vec<&Rs<'_>> = rss
        .iter()
        .filter(|r| r.revision < new.revision && r.replicas() > 0)
        .collect();
    let failing: Vec<&PodContext<'_>> = cx
        .pods
        .iter()
        .filter(|p| p.pod.metadata.namespace.as_deref() == d.metadata.namespace.as_deref())
        .filter(|p| {
            snapshot
                .controller_of(&p.pod.metadata)
                .is_some_and(|o| o.kind == "ReplicaSet" && o.name == new.name)
        })
        .collect();

    if deadline.is_none() {
        // A new ReplicaSet failing while an older one serves, past a grace period.
        let created = new.rs.metadata.creation_timestamp.as_ref().map(|t| t.0);
        let old_enough =
            created.is_some_and(|c| snapshot.meta.captured_at.duration_since(c) > GRACE);
        let new_short = new.ready() < new.rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(0)
            || updated < want;
        if old.is_empty() || failing.is_empty() || !old_enough || !new_short {
            return None;
        }
    }

    let changes = what_changed(snapshot, &workload);
    let changed = describe_changes(&changes);
    let failure = pod_failure(&failing);
    let logged = failing.iter().find_map(|p| {
        p.containers.iter().filter(|c| !c.ready()).find_map(|c| {
            let log = snapshot
                .log(p.namespace, p.name, c.name, true)
                .or_else(|| snapshot.log(p.namespace, p.name, c.name, false))?;
            super::job::first_error_line(log).map(|l| (p, l))
        })
    });
    let failure = match &logged {
        Some((_, line)) => format!("{failure}, logging `{line}`"),
        None => failure,
    };
    let serving = if old.is_empty() {
        String::new()
    } else {
        let list: Vec<String> = old
            .iter()
            .map(|r| {
                format!(
                    "{} ({}, {}/{} ready)",
                    r.name,
                    images(r.template()),
                    r.ready(),
                    r.replicas()
                )
            })
            .collect();
        format!(" while the old ReplicaSet {} still serves", list.join(", "))
    };
    let new_text = format!(
        "ReplicaSet {} (revision {}, {})",
        new.name,
        new.revision,
        images(new.template())
    );
    let mut f = Finding::new(
        "rollout-stuck",
        Category::RolloutStuck,
        workload.clone(),
        workload.clone(),
        &format!("rollout/{}", new.name),
    );
    f.severity = if old.iter().any(|r| r.ready() > 0) {
        Severity::Warning
    } else {
        Severity::Critical
    };
    let deadline_secs = spec.progress_deadline_seconds.unwrap_or(600);
    f.cause = match deadline {
        Some(_) => format!(
            "Deployment {name}'s rollout to {new_text} exceeded its progress deadline (ProgressDeadlineExceeded after {deadline_secs}s): {}/{} new pods ready{failure}{serving}{changed}.",
            new.ready(),
            new.replicas().max(1)
        ),
        None => format!(
            "Deployment {name}'s new {new_text} is not becoming ready ({}/{} pods ready{failure}){serving}{changed}.",
            new.ready(),
            new.replicas().max(1)
        ),
    };
    f.summary = format!("Deployment {name} rollout of {} is stuck", new.name);
    f = f
        .fact("new_replicaset", new.name)
        .fact("revision", new.revision)
        .fact("updated", format!("{updated}/{want}"));
    if let Some(o) = old.last() {
        f = f.fact("old_replicaset", o.name);
    }
    if let Some(c) = deadline {
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &workload,
            format!(
                "Progressing=False {}: {}",
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("").trim()
            ),
            Strength::Direct,
        ));
    }
    for p in failing.iter().take(3) {
        if let Some(c) = p.containers.iter().find(|c| !c.ready() && !c.init) {
            let state = c
                .waiting_reason()
                .map(str::to_string)
                .or_else(|| c.terminated().map(|t| format!("exit code {}", t.exit_code)))
                .unwrap_or_else(|| "not ready".into());
            f.evidence.push(Context::evidence(
                EvidenceSource::Status,
                &p.subject,
                format!(
                    "container {} of the new ReplicaSet: {state}, restarts {}",
                    c.name,
                    c.restarts()
                ),
                if deadline.is_some() {
                    Strength::Circumstantial
                } else {
                    Strength::Indirect
                },
            ));
        }
    }
    if let Some((p, line)) = &logged {
        f.evidence.push(Context::evidence(
            EvidenceSource::Log,
            &p.subject,
            line.clone(),
            Strength::Circumstantial,
        ));
    }
    let undo = old.last().map(|o| {
        format!(
            "`kubectl rollout undo deployment/{name} -n {}` returns to {} ({}).",
            d.metadata.namespace.as_deref().unwrap_or("default"),
            o.name,
            images(o.template())
        )
    });
    f.fix = vec![format!(
        "Find why the new pods fail (`kubectl describe rs {} `, the pods' logs) and fix it in a new revision.",
        new.name
    )];
    if let Some(u) = undo {
        f.fix.insert(0, format!("Roll back while you fix it: {u}"));
    }
    f.prevention = vec![
        "Gate rollouts on readiness (a readinessProbe, minReadySeconds) and a canary; alert on ProgressDeadlineExceeded.".into(),
    ];
    f.remedy = image_rollback(
        &workload,
        &changes,
        old.last().copied(),
        new,
        !failing.is_empty(),
    );
    Some(f)
}

/// `; changed: containers[web].image a → b`.
fn describe_changes(changes: &[ChangeRecord]) -> String {
    if changes.is_empty() {
        return String::new();
    }
    let parts: Vec<String> = changes
        .iter()
        .take(4)
        .map(|c| match (&c.from, &c.to) {
            (Some(a), Some(b)) if a.len() + b.len() < 160 => format!("{} {a} → {b}", c.field),
            _ => c.field.clone(),
        })
        .collect();
    format!("; what changed: {}", parts.join(", "))
}

/// `, container checkout CrashLoopBackOff (exit code 2, 10 restarts)`.
fn pod_failure(failing: &[&PodContext<'_>]) -> String {
    let mut seen: BTreeMap<String, usize> = BTreeMap::new();
    for p in failing {
        for c in p.containers.iter().filter(|c| !c.ready()) {
            let mut what = c.waiting_reason().unwrap_or("not ready").to_string();
            if let Some(t) = c.terminated() {
                what.push_str(&format!(", exit code {}", t.exit_code));
            }
            if c.restarts() > 0 {
                what.push_str(&format!(", {} restarts", c.restarts()));
            }
            *seen
                .entry(format!("container {} {what}", c.name))
                .or_default() += 1;
        }
    }
    if seen.is_empty() {
        return String::new();
    }
    format!(" ({})", seen.into_keys().collect::<Vec<_>>().join("; "))
}

/// SetImage back to the old ReplicaSet's image when the image is the only change and the
/// new pods fail.
fn image_rollback(
    workload: &ObjectRef,
    changes: &[ChangeRecord],
    old: Option<&Rs<'_>>,
    new: &Rs<'_>,
    failing: bool,
) -> Option<Remedy> {
    let old = old?;
    if !failing
        || changes.is_empty()
        || !changes.iter().all(|c| c.field.ends_with(".image"))
        || changes.len() != 1
    {
        return None;
    }
    let c = &changes[0];
    let container = c
        .field
        .strip_prefix("containers[")?
        .split(']')
        .next()?
        .to_string();
    let from = containers(new.template())
        .iter()
        .find(|k| k.name == container)?
        .image
        .clone()?;
    let to = containers(old.template())
        .iter()
        .find(|k| k.name == container)?
        .image
        .clone()?;
    (from != to).then(|| Remedy {
        target: workload.clone(),
        change: Change::SetImage { container, from: from.clone(), to: to.clone() },
        rationale: format!(
            "the image is the only change between revision {} ({}, {from}) and revision {} ({}, {to}); the new pods fail while the old ones serve, so go back to {to}",
            new.revision, new.name, old.revision, old.name
        ),
    })
}

fn paused(
    d: &Deployment,
    workload: &ObjectRef,
    rss: &[Rs<'_>],
    want: i32,
    updated: i32,
) -> Option<Finding> {
    let name = d.metadata.name.as_deref()?;
    let template = &d.spec.as_ref()?.template;
    // The ReplicaSet matching the Deployment's revision is the one serving.
    let revision: Option<i64> = d
        .metadata
        .annotations
        .as_ref()
        .and_then(|a| a.get("deployment.kubernetes.io/revision"))
        .and_then(|r| r.parse().ok());
    let current = rss
        .iter()
        .rev()
        .find(|r| Some(r.revision) == revision)
        .or_else(|| rss.last())?;
    let diffs = template_diff(current.template(), template);
    if diffs.is_empty() && updated >= want {
        return None;
    }
    let what = if diffs.is_empty() {
        "its pending template change".to_string()
    } else {
        format!("its template change ({})", diffs.join(", "))
    };
    let mut f = Finding::new(
        "rollout-stuck",
        Category::RolloutStuck,
        workload.clone(),
        workload.clone(),
        "paused",
    );
    f.severity = Severity::Warning;
    f.summary = format!("Deployment {name} is paused with an unrolled change");
    f.cause = format!(
        "Deployment {name} is paused (spec.paused: true), so {what} never rolls out: {updated}/{want} replicas updated and every pod still runs ReplicaSet {} ({}).",
        current.name,
        images(current.template())
    );
    f = f
        .fact("paused", "true")
        .fact("updated", format!("{updated}/{want}"))
        .fact("current_replicaset", current.name);
    f.evidence.push(Context::evidence(
        EvidenceSource::Spec,
        workload,
        "spec.paused: true",
        Strength::Direct,
    ));
    let progressing = d
        .status
        .as_ref()
        .and_then(|s| s.conditions.as_ref())
        .into_iter()
        .flatten()
        .find(|c| c.type_ == "Progressing" && c.reason.as_deref() == Some("DeploymentPaused"));
    if let Some(c) = progressing {
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            workload,
            format!(
                "Progressing={} DeploymentPaused: {}",
                c.status,
                c.message.as_deref().unwrap_or("").trim()
            ),
            Strength::Direct,
        ));
    }
    if !diffs.is_empty() {
        f.evidence.push(Context::evidence(
            EvidenceSource::Spec,
            workload,
            format!(
                "template differs from ReplicaSet {}: {}",
                current.name,
                diffs.join(", ")
            ),
            Strength::Indirect,
        ));
    }
    let ns = d.metadata.namespace.as_deref().unwrap_or("default");
    f.fix = vec![
        format!("Resume the rollout: `kubectl rollout resume deployment/{name} -n {ns}` (and watch `kubectl rollout status`)."),
        "If the pause is deliberate (a staged rollout), finish or revert the pending change instead of leaving it.".into(),
    ];
    f.prevention = vec!["Alert on Deployments paused for longer than a maintenance window.".into()];
    Some(f)
}

/// Fields that differ between the serving ReplicaSet's template and the Deployment's.
fn template_diff(current: Option<&PodTemplateSpec>, wanted: &PodTemplateSpec) -> Vec<String> {
    let mut out = Vec::new();
    let old = containers(current);
    for c in containers(Some(wanted)) {
        match old.iter().find(|o| o.name == c.name) {
            None => out.push(format!("containers[{}] added", c.name)),
            Some(o) => {
                if o.image != c.image {
                    out.push(format!(
                        "containers[{}].image {} → {}",
                        c.name,
                        o.image.as_deref().unwrap_or("?"),
                        c.image.as_deref().unwrap_or("?")
                    ));
                }
                let same = |a: &Container, b: &Container| {
                    serde_json::to_value((
                        &a.env,
                        &a.resources,
                        &a.command,
                        &a.args,
                        &a.liveness_probe,
                        &a.readiness_probe,
                    ))
                    .ok()
                        == serde_json::to_value((
                            &b.env,
                            &b.resources,
                            &b.command,
                            &b.args,
                            &b.liveness_probe,
                            &b.readiness_probe,
                        ))
                        .ok()
                };
                if !same(o, c) {
                    out.push(format!("containers[{}] settings", c.name));
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn progress_deadline_exceeded_names_both_replicasets_and_rolls_the_image_back() {
        let out = run(&RolloutStuck, "rollout/deadline-exceeded.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.category, Category::RolloutStuck);
        assert_eq!(f.workload.to_string(), "Deployment shop/checkout");
        for s in [
            "ProgressDeadlineExceeded",
            "2.8.0",
            "checkout-lslljhctb9",
            "checkout-cw4j7c4jp",
            "2.7.4",
        ] {
            assert!(f.cause.contains(s), "{s} in {}", f.cause);
        }
        let remedy = f.remedy.as_ref().expect("remedy");
        assert_eq!(
            remedy.change,
            Change::SetImage {
                container: "checkout".into(),
                from: "ghcr.io/acme/checkout:2.8.0".into(),
                to: "ghcr.io/acme/checkout:2.7.4".into()
            }
        );
    }

    #[test]
    fn paused_deployment_with_a_pending_image_change() {
        let out = run(&RolloutStuck, "rollout/paused.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert!(
            f.cause.contains("paused") && f.cause.contains("1.5.0") && f.cause.contains("1.4.2"),
            "{}",
            f.cause
        );
        assert!(f.remedy.is_none());
    }

    #[test]
    fn finished_rollouts_are_healthy() {
        assert!(run(&RolloutStuck, "rollout/healthy.json").is_empty());
    }
}
