//! Failures that show only in the logs of Running, Ready pods: controllers and operators that
//! are "up" but cannot do their job. A sustained pattern counts, never one line: RBAC denials
//! on the API server (`… cannot list resource "pods" in API group "" at the cluster scope`),
//! named down to the rule to add and the ServiceAccount to bind it to; leader election that
//! never wins; and `Reconciler error` repeated every few seconds.
//!
//! Unhealthy pods are the other analyzers'; this one reads only healthy ones, and only logs
//! that mention one of its patterns at all (a cheap substring test first), so the scan stays
//! linear in the log bytes.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

use regex::Regex;

use super::permission::Denial;
use super::{Analyzer, Category, Context, EvidenceSource, Finding, Severity, Strength};
use crate::model::text::{Budget, clip};
use crate::model::{Kind, ObjectRef, pod_is_healthy};

pub struct ControllerLogs;

/// Fewer matching lines than this are an incident, not a pattern.
const SUSTAINED: usize = 3;

static LEASE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"attempting to acquire leader lease\s+(\S+?)\.*$").expect("regex")
});
static RECONCILE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"Reconciler error.*?"error"\s*:\s*"((?:[^"\\]|\\.)*)"|Reconciler error.*?\berr(?:or)?="((?:[^"\\]|\\.)*)""#)
        .expect("regex")
});

/// One denied rule, as `(namespace, serviceaccount, resource, group, namespace or cluster)`.
type RuleKey = (String, String, String, String, Option<String>);

/// A denial of a ServiceAccount, keyed by the rule it lacks, and the verb denied.
fn denied_rule(line: &str) -> Option<(RuleKey, String)> {
    let d = Denial::parse(line)?;
    let (ns, sa) = d.service_account()?;
    let key = (
        ns.to_string(),
        sa.to_string(),
        d.resource.clone(),
        d.group.clone(),
        d.namespace.clone(),
    );
    Some((key, d.verb))
}

#[derive(Default)]
struct Denied {
    verbs: BTreeSet<String>,
    lines: usize,
    example: String,
}

impl Analyzer for ControllerLogs {
    fn name(&self) -> &'static str {
        "controller_logs"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let snapshot = cx.snapshot;
        for (key, log) in &snapshot.logs {
            if key.previous
                || !(log.contains("forbidden")
                    || log.contains("leader lease")
                    || log.contains("Reconciler error"))
            {
                continue;
            }
            let Some(i) = snapshot
                .index()
                .position(Kind::Pod, &key.namespace, &key.pod)
            else {
                continue;
            };
            let Some(pod) = snapshot.objects.pods.get(i) else {
                continue;
            };
            if !pod_is_healthy(pod) {
                continue;
            }
            let subject = ObjectRef::from_meta(Kind::Pod, &pod.metadata);
            let workload = snapshot.workload_of(Kind::Pod, &pod.metadata);
            scan(self.name(), &subject, &workload, &key.container, log, out);
        }
    }
}

fn scan(
    analyzer: &str,
    subject: &ObjectRef,
    workload: &ObjectRef,
    container: &str,
    log: &str,
    out: &mut Vec<Finding>,
) {
    let mut denied: BTreeMap<RuleKey, Denied> = BTreeMap::new();
    let mut lease: Option<String> = None;
    let mut acquired = false;
    let mut reconcile: BTreeMap<String, (usize, String)> = BTreeMap::new();
    for line in log.lines() {
        if let Some((key, verb)) = denied_rule(line) {
            let d = denied.entry(key).or_default();
            d.verbs.insert(verb);
            d.lines += 1;
            if d.example.is_empty() {
                d.example = line.trim().to_string();
            }
        }
        if let Some(c) = LEASE.captures(line) {
            lease = Some(c[1].to_string());
        }
        if line.contains("successfully acquired lease") {
            acquired = true;
        }
        if let Some(c) = RECONCILE.captures(line) {
            let err = c
                .get(1)
                .or_else(|| c.get(2))
                .map(|m| m.as_str())
                .unwrap_or("");
            let e = reconcile
                .entry(err.to_string())
                .or_insert((0, line.trim().to_string()));
            e.0 += 1;
        }
    }
    let never_leader = lease.as_deref().filter(|_| !acquired);
    for (key, d) in denied.into_iter().filter(|(_, d)| d.lines >= SUSTAINED) {
        out.push(rbac_finding(
            analyzer,
            subject,
            workload,
            container,
            &key,
            &d,
            never_leader,
        ));
    }
    if let Some((err, (n, line))) = reconcile
        .into_iter()
        .filter(|(e, (n, _))| *n >= SUSTAINED && Denial::parse(e).is_none())
        .max_by_key(|(_, (n, _))| *n)
    {
        out.push(reconcile_finding(
            analyzer, subject, workload, container, &err, n, &line,
        ));
    }
}

/// The verbs a rule needs for what was denied: an informer lists and watches; leader
/// election gets, creates and updates its lease.
fn verbs_needed(resource: &str, group: &str, seen: &BTreeSet<String>) -> Vec<String> {
    let mut verbs: BTreeSet<String> = seen.clone();
    if seen.contains("list") || seen.contains("watch") {
        verbs.insert("list".into());
        verbs.insert("watch".into());
    }
    if resource == "leases" && group == "coordination.k8s.io" {
        for v in ["get", "create", "update"] {
            verbs.insert(v.into());
        }
    }
    let order = [
        "get", "list", "watch", "create", "update", "patch", "delete",
    ];
    let mut out: Vec<String> = order
        .iter()
        .filter(|v| verbs.contains(**v))
        .map(|v| v.to_string())
        .collect();
    out.extend(verbs.into_iter().filter(|v| !order.contains(&v.as_str())));
    out
}

fn rbac_finding(
    analyzer: &str,
    subject: &ObjectRef,
    workload: &ObjectRef,
    container: &str,
    key: &RuleKey,
    d: &Denied,
    never_leader: Option<&str>,
) -> Finding {
    let (sa_ns, sa, resource, group, scope_ns) = key;
    let user = format!("system:serviceaccount:{sa_ns}:{sa}");
    let verbs_seen: Vec<&str> = d.verbs.iter().map(String::as_str).collect();
    let verbs = verbs_needed(resource, group, &d.verbs);
    let quoted: Vec<String> = verbs.iter().map(|v| format!("\"{v}\"")).collect();
    let qualified = if group.is_empty() {
        resource.clone()
    } else {
        format!("{resource}.{group}")
    };
    let scope = match scope_ns {
        Some(ns) => format!("in namespace {ns}"),
        None => "at the cluster scope".to_string(),
    };
    let leader = match never_leader {
        Some(lock) if resource == "leases" => {
            format!(" It never acquires its leader lease {lock}, so it does nothing while it runs.")
        }
        _ => String::new(),
    };
    let mut f = Finding::new(
        analyzer,
        Category::Permission,
        subject.clone(),
        workload.clone(),
        &format!("rbac-{qualified}"),
    )
    .fact("serviceaccount", format!("{sa_ns}/{sa}"))
    .fact("resource", &qualified)
    .fact("verbs", verbs_seen.join(","))
    .fact("denials", d.lines)
    .fact("container", container);
    f.severity = Severity::Critical;
    f.summary = format!(
        "{} is denied {} on {qualified}",
        workload.name,
        verbs_seen.join("/")
    );
    f.cause = format!(
        "{} is Running but cannot do its job: the API server denied User \"{user}\" {} on {qualified} (resource \"{resource}\" in API group \"{group}\") {scope} {} times in its log.{leader}",
        workload.name,
        verbs_seen.join("/"),
        d.lines
    );
    f.evidence.push(Context::evidence(
        EvidenceSource::Log,
        subject,
        format!("{container}: {}", clip(&d.example, Budget::Bytes(400))),
        Strength::Direct,
    ));
    f.evidence.push(Context::evidence(
        EvidenceSource::Log,
        subject,
        format!(
            "{} denials of {qualified} in the log of {container}",
            d.lines
        ),
        // Sustained repetition rules out a transient denial (a role being rolled out).
        Strength::Indirect,
    ));
    let rule = format!(
        "- apiGroups: [\"{group}\"]\n  resources: [\"{resource}\"]\n  verbs: [{}]",
        quoted.join(", ")
    );
    let binding = match scope_ns {
        Some(ns) => format!(
            "Add this rule to a Role in namespace {ns} and bind it to ServiceAccount {sa_ns}/{sa} with a RoleBinding:\n{rule}"
        ),
        None => format!(
            "Add this rule to a ClusterRole and bind it to ServiceAccount {sa_ns}/{sa} with a ClusterRoleBinding:\n{rule}"
        ),
    };
    let check_ns = scope_ns
        .as_ref()
        .map(|ns| format!(" -n {ns}"))
        .unwrap_or_default();
    f.fix = vec![
        binding,
        format!(
            "Check it: `kubectl auth can-i {} {qualified}{check_ns} --as={user}`.",
            verbs.first().map(String::as_str).unwrap_or("list")
        ),
    ];
    f.prevention = vec![
        "Ship the controller's RBAC with its manifests (generated from its kubebuilder markers) and alert on sustained 403s in its logs.".into(),
    ];
    f
}

fn reconcile_finding(
    analyzer: &str,
    subject: &ObjectRef,
    workload: &ObjectRef,
    container: &str,
    err: &str,
    n: usize,
    line: &str,
) -> Finding {
    let lower = err.to_ascii_lowercase();
    let category = if [
        "no such host",
        "connection refused",
        "i/o timeout",
        "server misbehaving",
    ]
    .iter()
    .any(|w| lower.contains(w))
    {
        Category::NetworkDns
    } else {
        Category::Unknown
    };
    let err = err.replace("\\\"", "\"");
    let mut f = Finding::new(
        analyzer,
        category,
        subject.clone(),
        workload.clone(),
        "reconcile-error",
    )
    .fact("errors", n)
    .fact("container", container);
    f.severity = Severity::Warning;
    f.summary = format!("{} fails to reconcile", workload.name);
    f.cause = format!(
        "{} is Running but every reconcile fails ({n} times in its log): {}.",
        workload.name,
        clip(&err, Budget::Bytes(300))
    );
    f.evidence.push(Context::evidence(
        EvidenceSource::Log,
        subject,
        format!("{container}: {}", clip(line, Budget::Bytes(400))),
        Strength::Indirect,
    ));
    f.fix = vec![format!(
        "Fix what the reconcile error says, then watch the controller's log: `kubectl logs -n {} {} -c {container} -f`.",
        subject.namespace.as_deref().unwrap_or("default"),
        subject.name
    )];
    f
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_informer_denied_needs_list_and_watch_and_a_lease_needs_get_create_update() {
        let seen: BTreeSet<String> = ["list".to_string()].into();
        assert_eq!(verbs_needed("pods", "", &seen), vec!["list", "watch"]);
        let seen: BTreeSet<String> = ["get".to_string()].into();
        assert_eq!(
            verbs_needed("leases", "coordination.k8s.io", &seen),
            vec!["get", "create", "update"]
        );
    }

    #[test]
    fn sustained_denials_name_the_rule_and_the_service_account_one_line_does_not() {
        let line = r#"W1120 09:12:03.512771       1 reflector.go:561] failed to list *v1.Pod: pods is forbidden: User "system:serviceaccount:ops:watcher" cannot list resource "pods" in API group "" at the cluster scope"#;
        let subject = ObjectRef::new("Pod", Some("ops"), "watcher-1");
        let workload = ObjectRef::new("Deployment", Some("ops"), "watcher");
        let mut out = Vec::new();
        scan("t", &subject, &workload, "manager", line, &mut out);
        assert!(out.is_empty(), "one denial is not a pattern");
        let log = [line; 4].join("\n");
        scan("t", &subject, &workload, "manager", &log, &mut out);
        assert_eq!(out.len(), 1);
        let f = &out[0];
        assert_eq!(f.category, Category::Permission);
        assert!(
            f.cause.contains("system:serviceaccount:ops:watcher"),
            "{}",
            f.cause
        );
        assert!(f.fix[0].contains("ClusterRole"), "{}", f.fix[0]);
        assert!(
            f.fix[0].contains(r#"verbs: ["list", "watch"]"#),
            "{}",
            f.fix[0]
        );
    }
}
