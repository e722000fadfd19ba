//! Quota and limits: controllers that cannot create pods because a ResourceQuota is
//! exhausted (`exceeded quota: NAME, requested: …, used: …, limited: …`) or a LimitRange
//! rejects the pod (`maximum memory usage per Container is 1Gi, but limit is 2Gi`). The
//! finding names the quota or LimitRange with requested/used/limit, cross-checked against
//! the objects in the snapshot, and goes to the workload that owns the controller.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Container, Event, PodTemplateSpec};
use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use regex::Regex;

use super::{
    Analyzer, Category, Change, Context, EvidenceSource, Finding, Remedy, Severity, Strength,
};
use crate::model::quantity::{exact_resource, format_resource, parse_quantity};
use crate::model::{Kind, ObjectRef, Snapshot, event_last_seen};

pub struct QuotaLimits;

impl Analyzer for QuotaLimits {
    fn name(&self) -> &'static str {
        "quota-limits"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let snapshot = cx.snapshot;
        // The newest FailedCreate per controller: older ones are the same story.
        let mut latest: BTreeMap<(String, String, String), &Event> = BTreeMap::new();
        for e in &snapshot.objects.events {
            if e.reason.as_deref() != Some("FailedCreate") {
                continue;
            }
            let obj = &e.involved_object;
            let kind = obj.kind.clone().unwrap_or_default();
            if !Kind::from_kind_field(&kind).is_some_and(|k| k.info().creates_pods()) {
                continue;
            }
            let ns = obj
                .namespace
                .clone()
                .or_else(|| e.metadata.namespace.clone())
                .unwrap_or_default();
            let key = (kind, ns, obj.name.clone().unwrap_or_default());
            let newer = latest
                .get(&key)
                .is_none_or(|old| event_last_seen(old) <= event_last_seen(e));
            if newer {
                latest.insert(key, e);
            }
        }
        for ((kind, ns, name), event) in latest {
            if let Some(f) = analyze_failed_create(snapshot, &kind, &ns, &name, event) {
                out.push(f);
            }
        }
    }
}

/// A FailedCreate on a controller that no longer misses pods, seen longer ago than this,
/// is history.
const RECENT: jiff::SignedDuration = jiff::SignedDuration::from_mins(30);

static EXCEEDED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"exceeded quota: ([^,]+), requested: (.*?), used: (.*?), limited: ([^\s]*)")
        .expect("regex")
});
static MUST_SPECIFY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"failed quota: ([^:]+): must specify ([A-Za-z0-9.,/_-]+)").expect("regex")
});
static LIMIT_RANGE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(maximum|minimum) ([A-Za-z0-9./_-]+) usage per (Container|Pod|PersistentVolumeClaim) is (\S+?), but (limit|request) is (\S+?)(?:[.,;\s]|$)").expect("regex")
});
static RATIO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"([A-Za-z0-9./_-]+) max limit to request ratio per (Container|Pod) is (\S+?), but provided ratio is (\S+?)(?:[.,;\s]|$)").expect("regex")
});

/// The controller's template and whether it still misses pods.
struct Controller<'a> {
    meta: &'a ObjectMeta,
    template: Option<&'a PodTemplateSpec>,
    /// `have/want`, when the controller reports it.
    replicas: Option<(i32, i32)>,
}

fn controller<'a>(
    snapshot: &'a Snapshot,
    kind: &str,
    ns: &str,
    name: &str,
) -> Option<Controller<'a>> {
    let o = &snapshot.objects;
    let idx = |k: Kind| snapshot.index().position(k, ns, name);
    Some(match kind {
        "ReplicaSet" => {
            let rs = o.replica_sets.get(idx(Kind::ReplicaSet)?)?;
            let want = rs.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let have = rs.status.as_ref().map(|s| s.replicas).unwrap_or(0);
            Controller {
                meta: &rs.metadata,
                template: rs.spec.as_ref().and_then(|s| s.template.as_ref()),
                replicas: Some((have, want)),
            }
        }
        "StatefulSet" => {
            let s = o.stateful_sets.get(idx(Kind::StatefulSet)?)?;
            let want = s.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
            let have = s.status.as_ref().map(|s| s.replicas).unwrap_or(0);
            Controller {
                meta: &s.metadata,
                template: s.spec.as_ref().map(|s| &s.template),
                replicas: Some((have, want)),
            }
        }
        "DaemonSet" => {
            let d = o.daemon_sets.get(idx(Kind::DaemonSet)?)?;
            let st = d.status.as_ref();
            let replicas = st.map(|s| (s.current_number_scheduled, s.desired_number_scheduled));
            Controller {
                meta: &d.metadata,
                template: d.spec.as_ref().map(|s| &s.template),
                replicas,
            }
        }
        "Job" => {
            let j = o.jobs.get(idx(Kind::Job)?)?;
            let done = j
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .into_iter()
                .flatten()
                .any(|c| (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True");
            let want = j.spec.as_ref().and_then(|s| s.parallelism).unwrap_or(1);
            let have = j.status.as_ref().and_then(|s| s.active).unwrap_or(0);
            Controller {
                meta: &j.metadata,
                template: j.spec.as_ref().map(|s| &s.template),
                replicas: Some(if done { (want, want) } else { (have, want) }),
            }
        }
        _ => return None,
    })
}

fn analyze_failed_create(
    snapshot: &Snapshot,
    kind: &str,
    ns: &str,
    name: &str,
    event: &Event,
) -> Option<Finding> {
    let message = event.message.as_deref()?.trim();
    let ctrl = controller(snapshot, kind, ns, name);
    let now = snapshot.meta.captured_at;
    let recent = event_last_seen(event).is_none_or(|t| now.duration_since(t) < RECENT);
    let short = ctrl
        .as_ref()
        .and_then(|c| c.replicas)
        .map(|(have, want)| have < want);
    // Current when the controller still misses pods, or (not in the snapshot) when recent.
    if !(short.unwrap_or(recent)) {
        return None;
    }
    let controller_ref = ObjectRef::new(kind, Some(ns), name);
    let workload = match &ctrl {
        Some(c) => snapshot.workload_of(
            Kind::from_kind_field(kind).unwrap_or(Kind::ReplicaSet),
            c.meta,
        ),
        None => controller_ref.clone(),
    };
    let count = ctrl
        .as_ref()
        .and_then(|c| c.replicas)
        .map(|(have, want)| format!(" ({have}/{want} pods)"))
        .unwrap_or_default();
    let containers: Vec<&Container> = ctrl
        .as_ref()
        .and_then(|c| c.template)
        .and_then(|t| t.spec.as_ref())
        .map(|s| {
            s.init_containers
                .iter()
                .flatten()
                .chain(s.containers.iter())
                .collect()
        })
        .unwrap_or_default();

    let mut f = if let Some(c) = EXCEEDED.captures(message) {
        quota_exceeded(snapshot, ns, &controller_ref, &workload, &count, &c)
    } else if let Some(c) = MUST_SPECIFY.captures(message) {
        let quota = c[1].trim().to_string();
        let what = c[2].trim_end_matches(['.', ',']).to_string();
        let mut f = Finding::new(
            "quota-limits",
            Category::QuotaLimits,
            controller_ref.clone(),
            workload.clone(),
            &format!("quota/{quota}/must-specify"),
        );
        f.cause = format!(
            "ResourceQuota {quota} in {ns} requires every pod to set {what}, and the pod template of {} does not, so {kind} {name} cannot create pods{count}.",
            workload
        );
        f.fix = vec![format!(
            "Set {what} on every container of {workload} (or add a LimitRange with defaults in {ns})."
        )];
        f.facts.insert("quota".into(), quota);
        f
    } else if let Some(c) = LIMIT_RANGE.captures(message) {
        limit_range(
            snapshot,
            ns,
            &controller_ref,
            &workload,
            &count,
            &containers,
            &c,
        )
    } else if let Some(c) = RATIO.captures(message) {
        let resource = c[1].to_string();
        let lr = limit_range_name(snapshot, ns, |_| true).unwrap_or_else(|| "a LimitRange".into());
        let mut f = Finding::new(
            "quota-limits",
            Category::QuotaLimits,
            controller_ref.clone(),
            workload.clone(),
            &format!("limitrange/ratio/{resource}"),
        );
        f.cause = format!(
            "LimitRange {lr} in {ns} allows a {resource} limit at most {}× the request per {}, but {workload} asks for {}×, so {kind} {name} cannot create pods{count}.",
            &c[3], &c[2], &c[4]
        );
        f.fix = vec![format!(
            "Bring the {resource} limit of {workload} within {}× its request.",
            &c[3]
        )];
        f
    } else {
        return None;
    };
    f.severity = Severity::Critical;
    f.summary = format!("{kind} {name} cannot create pods{count}");
    f.evidence
        .insert(0, Context::event_evidence(event, Strength::Direct));
    if let Some(cond) = replica_failure(snapshot, kind, ns, name) {
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &controller_ref,
            cond,
            Strength::Direct,
        ));
    }
    if f.prevention.is_empty() {
        f.prevention = vec![
            "Check manifests against the namespace's ResourceQuota and LimitRange in CI (server-side dry-run: `kubectl apply --dry-run=server`).".into(),
            "Alert on ReplicaFailure conditions and FailedCreate events.".into(),
        ];
    }
    Some(f)
}

/// A ReplicaSet's `ReplicaFailure` condition, which says the same as the event, currently.
fn replica_failure(snapshot: &Snapshot, kind: &str, ns: &str, name: &str) -> Option<String> {
    if kind != "ReplicaSet" {
        return None;
    }
    let rs = snapshot
        .objects
        .replica_sets
        .get(snapshot.index().position(Kind::ReplicaSet, ns, name)?)?;
    let c = rs
        .status
        .as_ref()?
        .conditions
        .as_ref()?
        .iter()
        .find(|c| c.type_ == "ReplicaFailure" && c.status == "True")?;
    Some(format!(
        "ReplicaFailure=True {}: {}",
        c.reason.as_deref().unwrap_or(""),
        c.message.as_deref().unwrap_or("").trim()
    ))
}

fn parse_pairs(s: &str) -> BTreeMap<String, String> {
    s.split(',')
        .filter_map(|p| {
            let (k, v) = p.split_once('=')?;
            Some((k.trim().to_string(), v.trim().to_string()))
        })
        .collect()
}

fn quota_exceeded(
    snapshot: &Snapshot,
    ns: &str,
    controller: &ObjectRef,
    workload: &ObjectRef,
    count: &str,
    c: &regex::Captures<'_>,
) -> Finding {
    let quota = c[1].trim().to_string();
    let requested = parse_pairs(&c[2]);
    let used = parse_pairs(&c[3]);
    let limited = parse_pairs(&c[4]);
    let quota_obj = snapshot
        .index()
        .position(Kind::ResourceQuota, ns, &quota)
        .and_then(|i| snapshot.objects.resource_quotas.get(i));
    let status_of = |field: &str, resource: &str| -> Option<String> {
        let st = quota_obj?.status.as_ref()?;
        let map = if field == "hard" {
            st.hard.as_ref()?
        } else {
            st.used.as_ref()?
        };
        map.get(resource).map(|q| q.0.clone())
    };
    let mut parts = Vec::new();
    let mut f = Finding::new(
        "quota-limits",
        Category::QuotaLimits,
        controller.clone(),
        workload.clone(),
        &format!("quota/{quota}"),
    );
    for (resource, req) in &limited {
        let r = requested.get(resource).cloned().unwrap_or_default();
        let u = status_of("used", resource)
            .or_else(|| used.get(resource).cloned())
            .unwrap_or_default();
        let hard = status_of("hard", resource).unwrap_or_else(|| req.clone());
        let (rv, uv, hv) = (
            parse_quantity(&r),
            parse_quantity(&u),
            parse_quantity(&hard),
        );
        let arithmetic = match (rv, uv, hv) {
            (Some(rv), Some(uv), Some(hv)) => format!(
                " ({u} + {r} = {} > {hard}; {} left)",
                format_resource(resource, uv + rv),
                format_resource(resource, (hv - uv).max(0.0))
            ),
            _ => String::new(),
        };
        parts.push(format!(
            "{resource} is capped at {hard}, {u} is used and the new pod requests {r}{arithmetic}"
        ));
        f.facts.insert(format!("{resource}.requested"), r.clone());
        f.facts.insert(format!("{resource}.used"), u.clone());
        f.facts.insert(format!("{resource}.limit"), hard.clone());
        if let (Some(rv), Some(uv)) = (rv, uv) {
            f.fix.push(format!(
                "Raise {resource} in ResourceQuota {quota} to at least {} (`kubectl edit resourcequota {quota} -n {ns}`), or lower the {resource} of {workload}'s pods, or free quota held by other workloads in {ns}.",
                format_resource(resource, uv + rv)
            ));
        }
    }
    f.facts.insert("quota".into(), quota.clone());
    f.cause = format!(
        "ResourceQuota {quota} in {ns} is exhausted: {}, so {} {} cannot create pods{count}.",
        parts.join("; "),
        controller.kind,
        controller.name
    );
    if let Some(q) = quota_obj {
        let st = q.status.as_ref();
        let summary: Vec<String> = limited
            .keys()
            .map(|r| {
                let hard = st
                    .and_then(|s| s.hard.as_ref())
                    .and_then(|m| m.get(r))
                    .map(|q| q.0.as_str())
                    .unwrap_or("?");
                let used = st
                    .and_then(|s| s.used.as_ref())
                    .and_then(|m| m.get(r))
                    .map(|q| q.0.as_str())
                    .unwrap_or("?");
                format!("{r}: used {used} of {hard}")
            })
            .collect();
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &ObjectRef::from_meta(Kind::ResourceQuota, &q.metadata),
            summary.join(", "),
            Strength::Indirect,
        ));
    }
    f
}

fn limit_range_name(
    snapshot: &Snapshot,
    ns: &str,
    matches: impl Fn(&k8s_openapi::api::core::v1::LimitRangeItem) -> bool,
) -> Option<String> {
    snapshot
        .objects
        .limit_ranges
        .iter()
        .filter(|lr| lr.metadata.namespace.as_deref() == Some(ns))
        .find(|lr| {
            lr.spec
                .as_ref()
                .is_some_and(|s| s.limits.iter().any(&matches))
        })
        .and_then(|lr| lr.metadata.name.clone())
}

fn limit_range(
    snapshot: &Snapshot,
    ns: &str,
    controller: &ObjectRef,
    workload: &ObjectRef,
    count: &str,
    containers: &[&Container],
    c: &regex::Captures<'_>,
) -> Finding {
    let bound = c[1].to_string(); // maximum | minimum
    let resource = c[2].to_string();
    let per = c[3].to_string();
    let allowed = c[4].to_string();
    let field = c[5].to_string(); // limit | request
    let actual = c[6].to_string();
    let key = if bound == "maximum" { "max" } else { "min" };
    let lr = limit_range_name(snapshot, ns, |item| {
        item.type_ == per
            && if key == "max" {
                item.max.as_ref()
            } else {
                item.min.as_ref()
            }
            .and_then(|m| m.get(&resource))
            .is_some_and(|q| parse_quantity(&q.0) == parse_quantity(&allowed))
    });
    let lr_text = lr
        .as_deref()
        .map(|n| format!("LimitRange {n}"))
        .unwrap_or_else(|| "A LimitRange".into());
    // The container whose value the message quotes.
    let which = if field == "limit" {
        "limits"
    } else {
        "requests"
    };
    let value_of = |c: &Container, which: &str| -> Option<String> {
        let r = c.resources.as_ref()?;
        let m = if which == "limits" {
            r.limits.as_ref()?
        } else {
            r.requests.as_ref()?
        };
        m.get(&resource).map(|q| q.0.clone())
    };
    let container = containers
        .iter()
        .find(|c| value_of(c, which).and_then(|v| parse_quantity(&v)) == parse_quantity(&actual))
        .copied();
    let container_text = container
        .map(|c| format!("container {} of {workload}", c.name))
        .unwrap_or_else(|| workload.to_string());
    let verb = if bound == "maximum" {
        "at most"
    } else {
        "at least"
    };
    let mut f = Finding::new(
        "quota-limits",
        Category::QuotaLimits,
        controller.clone(),
        workload.clone(),
        &format!("limitrange/{key}/{resource}/{field}"),
    );
    f.cause = format!(
        "{lr_text} in {ns} allows {verb} {allowed} {resource} per {per}, but {container_text} sets {which}.{resource} {actual}, so {} {} cannot create any pod{count}.",
        controller.kind, controller.name
    );
    f.facts
        .insert(format!("limitrange.{key}.{resource}"), allowed.clone());
    f.facts
        .insert(format!("{which}.{resource}"), actual.clone());
    if let Some(n) = &lr {
        f.facts.insert("limitrange".into(), n.clone());
    }
    f.fix = vec![
        format!(
            "Set {which}.{resource} of {container_text} to {verb} {allowed}, or change {lr_text} if the workload really needs {actual}."
        ),
        format!("See the limits with `kubectl describe limitrange -n {ns}`."),
    ];
    f.remedy = container.and_then(|c| {
        limit_range_remedy(
            workload,
            c,
            &bound,
            &resource,
            &field,
            &allowed,
            &actual,
            lr.as_deref(),
        )
    });
    f
}

/// Memory limit down to the LimitRange maximum (when the request still fits under it), or
/// a request up to the minimum; other fields have no typed change.
#[allow(clippy::too_many_arguments)]
fn limit_range_remedy(
    workload: &ObjectRef,
    c: &Container,
    bound: &str,
    resource: &str,
    field: &str,
    allowed: &str,
    actual: &str,
    lr: Option<&str>,
) -> Option<Remedy> {
    let lr = lr.unwrap_or("the LimitRange");
    let allowed_v = parse_quantity(allowed)?;
    let request = c
        .resources
        .as_ref()
        .and_then(|r| r.requests.as_ref())
        .and_then(|m| m.get(resource))
        .map(|q| q.0.clone());
    let to = exact_resource(resource, allowed_v);
    match (bound, field, resource) {
        ("maximum", "limit", "memory") => {
            let req_v = request.as_deref().and_then(parse_quantity);
            if req_v.is_some_and(|r| r > allowed_v) {
                return None;
            }
            let req_text = request
                .map(|r| format!("; the request ({r}) still fits under it"))
                .unwrap_or_default();
            Some(Remedy {
                target: workload.clone(),
                change: Change::SetMemoryLimit {
                    container: c.name.clone(),
                    from: Some(actual.to_string()),
                    to: to.clone(),
                },
                rationale: format!(
                    "{lr} allows at most {allowed} memory per container and the limit is {actual}: {actual} > {allowed}, so set the limit to {to}{req_text}"
                ),
            })
        }
        ("minimum", "request", "memory") => Some(Remedy {
            target: workload.clone(),
            change: Change::SetMemoryRequest {
                container: c.name.clone(),
                from: Some(actual.to_string()),
                to: to.clone(),
            },
            rationale: format!(
                "{lr} requires at least {allowed} memory per container and the request is {actual}: raise it to {to}"
            ),
        }),
        ("minimum", "request", "cpu") => Some(Remedy {
            target: workload.clone(),
            change: Change::SetCpuRequest {
                container: c.name.clone(),
                from: Some(actual.to_string()),
                to: to.clone(),
            },
            rationale: format!(
                "{lr} requires at least {allowed} cpu per container and the request is {actual}: raise it to {to}"
            ),
        }),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn exceeded_quota_names_the_quota_and_requested_used_limit() {
        let out = run(&QuotaLimits, "quota/exceeded-quota.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.category, Category::QuotaLimits);
        assert_eq!(f.workload.to_string(), "Deployment shop/web");
        for s in ["compute-quota", "limits.memory", "4Gi", "3584Mi", "1Gi"] {
            assert!(f.cause.contains(s), "{s} in {}", f.cause);
        }
        assert!(
            f.remedy.is_none(),
            "lowering every pod's limit is a judgement call"
        );
    }

    #[test]
    fn limit_range_maximum_sets_the_memory_limit_down_to_the_maximum() {
        let out = run(&QuotaLimits, "quota/limitrange-max.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.workload.to_string(), "Deployment analytics/etl-worker");
        assert!(
            f.cause.contains("container-limits")
                && f.cause.contains("1Gi")
                && f.cause.contains("2Gi"),
            "{}",
            f.cause
        );
        let remedy = f.remedy.as_ref().expect("remedy");
        assert_eq!(
            remedy.change,
            Change::SetMemoryLimit {
                container: "worker".into(),
                from: Some("2Gi".into()),
                to: "1Gi".into()
            }
        );
    }

    #[test]
    fn podsecurity_rejection_and_satisfied_replicasets_are_not_quota_problems() {
        assert!(run(&QuotaLimits, "quota/not-quota.json").is_empty());
    }
}
