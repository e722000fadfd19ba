//! What the cluster forbids a workload to do: RBAC denials its ServiceAccount meets at the API
//! (in logs and events), PodSecurity admission rejecting the pods its controller creates, and
//! `runAsNonRoot` containers whose image runs as root. RBAC and namespace policy live outside
//! the workload's manifests, so no typed remedy is proposed; the fix names the exact rule.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::Event;
use regex::Regex;

use super::{
    Analyzer, Category, ContainerView, Context, EvidenceSource, Finding, PodContext, Severity,
    Strength,
};
use crate::model::text::floor_boundary;
use crate::model::{Kind, ObjectRef, Snapshot, event_last_seen};

pub struct Permission;

/// `User "system:serviceaccount:ops:reporter" cannot list resource "pods" in API group "" in
/// the namespace "shop"` — also with the quotes JSON-escaped, as client libraries log it.
static RBAC_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"User \\?"([^"\\]+)\\?" cannot ([A-Za-z]+) resource \\?"([^"\\]+)\\?"(?: in API group \\?"([^"\\]*)\\?")?(?: in the namespace \\?"([^"\\]+)\\?")?"#,
    )
    .expect("valid regex")
});
/// `violates PodSecurity "baseline:latest": host namespaces (…), privileged (…)`
static PSA_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"violates PodSecurity "([a-z]+)(?::([^"]+))?": (.+)$"#).expect("valid regex")
});

/// An event about a controller that is not in the snapshot is current if this recent.
const RECENT: jiff::SignedDuration = jiff::SignedDuration::from_hours(1);

/// One RBAC denial.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Denial {
    pub(super) user: String,
    pub(super) verb: String,
    pub(super) resource: String,
    pub(super) group: String,
    /// `None` at cluster scope.
    pub(super) namespace: Option<String>,
}

impl Denial {
    pub(super) fn parse(text: &str) -> Option<Denial> {
        let c = RBAC_RE.captures(text)?;
        Some(Denial {
            user: c[1].to_string(),
            verb: c[2].to_string(),
            resource: c[3].to_string(),
            group: c.get(4).map(|m| m.as_str().to_string()).unwrap_or_default(),
            namespace: c.get(5).map(|m| m.as_str().to_string()),
        })
    }

    /// `list pods in namespace shop`, `get deployments.apps at cluster scope`.
    fn describe(&self) -> String {
        let resource = if self.group.is_empty() {
            self.resource.clone()
        } else {
            format!("{}.{}", self.resource, self.group)
        };
        match &self.namespace {
            Some(ns) => format!("{} {resource} in namespace {ns}", self.verb),
            None => format!("{} {resource} at cluster scope", self.verb),
        }
    }

    /// The Role rule that grants it.
    fn rule(&self) -> String {
        format!(
            "- apiGroups: [\"{}\"] resources: [\"{}\"] verbs: [\"{}\"]",
            self.group, self.resource, self.verb
        )
    }

    /// `(namespace, name)` of a ServiceAccount user.
    pub(super) fn service_account(&self) -> Option<(&str, &str)> {
        let rest = self.user.strip_prefix("system:serviceaccount:")?;
        rest.split_once(':')
    }
}

impl Analyzer for Permission {
    fn name(&self) -> &'static str {
        "permission"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for pod in &cx.pods {
            rbac(self.name(), cx.snapshot, pod, out);
            for c in &pod.containers {
                if let Some(f) = run_as_non_root(self.name(), pod, c) {
                    out.push(f);
                }
            }
        }
        for e in &cx.snapshot.objects.events {
            if let Some(f) = pod_security(self.name(), cx.snapshot, e) {
                out.push(f);
            }
        }
    }
}

/// RBAC denials in the logs of failing containers and in the pod's events, one finding per
/// user.
fn rbac(analyzer: &str, snapshot: &Snapshot, pod: &PodContext<'_>, out: &mut Vec<Finding>) {
    let mut found: Vec<(Denial, super::Evidence)> = Vec::new();
    for c in pod
        .containers
        .iter()
        .filter(|c| !c.ready() || c.restarts() > 0)
    {
        for previous in [true, false] {
            let Some(log) = snapshot.log(pod.namespace, pod.name, c.name, previous) else {
                continue;
            };
            for line in log.lines() {
                let Some(d) = Denial::parse(line) else {
                    continue;
                };
                if found.iter().any(|(x, _)| *x == d) {
                    continue;
                }
                let excerpt = format!("{}: {}", c.name, excerpt_around(line, "User"));
                // The API server's own denial, quoted: the system states the cause.
                found.push((
                    d,
                    Context::evidence(EvidenceSource::Log, &pod.subject, excerpt, Strength::Direct),
                ));
            }
        }
    }
    for e in &pod.events {
        let Some(d) = e.message.as_deref().and_then(Denial::parse) else {
            continue;
        };
        if !found.iter().any(|(x, _)| *x == d) {
            found.push((d, Context::event_evidence(e, Strength::Direct)));
        }
    }
    let users: BTreeSet<String> = found.iter().map(|(d, _)| d.user.clone()).collect();
    let sa = pod
        .pod
        .spec
        .as_ref()
        .and_then(|s| s.service_account_name.as_deref())
        .unwrap_or("default");
    for user in users {
        let mine: Vec<&(Denial, super::Evidence)> =
            found.iter().filter(|(d, _)| d.user == user).collect();
        let Some((first, _)) = mine.first() else {
            continue;
        };
        let mut f = Finding::new(
            analyzer,
            Category::Permission,
            pod.subject.clone(),
            pod.workload.clone(),
            &format!("rbac/{user}"),
        )
        .fact("user", &user)
        .fact("verb", &first.verb)
        .fact("resource", &first.resource)
        .fact(
            "api_group",
            if first.group.is_empty() {
                "\"\" (core)"
            } else {
                first.group.as_str()
            },
        )
        .fact(
            "namespace",
            first.namespace.as_deref().unwrap_or("(cluster scope)"),
        );
        f.severity = Severity::Critical;
        f.evidence
            .extend(mine.iter().map(|(_, e)| e.clone()).take(4));
        let who = match first.service_account() {
            Some((ns, name)) => {
                f.facts
                    .insert("service_account".into(), format!("{ns}/{name}"));
                if name == sa {
                    f.evidence.push(Context::evidence(
                        EvidenceSource::Spec,
                        &pod.subject,
                        format!("serviceAccountName: {sa}"),
                        Strength::Indirect,
                    ));
                }
                format!("ServiceAccount {ns}/{name} ({user})")
            }
            None => format!("User {user}"),
        };
        let what: Vec<String> = mine.iter().map(|(d, _)| d.describe()).collect();
        let more = if what.len() > 3 {
            format!(" and {} more", what.len() - 3)
        } else {
            String::new()
        };
        f.summary = format!("{user} cannot {}", first.describe());
        f.cause = format!(
            "{who} has no RBAC permission to {}{more}, so the API answers 403 Forbidden and {} fails.",
            what.iter().take(3).cloned().collect::<Vec<_>>().join(", "),
            pod.workload.name
        );
        f.fix = fix_steps(&mine.iter().map(|(d, _)| d.clone()).collect::<Vec<_>>());
        if first
            .service_account()
            .is_some_and(|(_, name)| name == "default")
        {
            f.fix.push("The pod runs as the `default` ServiceAccount: give the workload its own ServiceAccount (serviceAccountName) and bind the rule to that.".into());
        }
        f.prevention = vec![
            "Ship the Role/RoleBinding with the workload's manifests and test its API calls with `kubectl auth can-i --as=<user>` in CI.".into(),
        ];
        out.push(f);
    }
}

/// Role and binding steps per namespace (ClusterRole for cluster-scoped denials).
fn fix_steps(denials: &[Denial]) -> Vec<String> {
    let mut steps = Vec::new();
    let scopes: BTreeSet<Option<String>> = denials.iter().map(|d| d.namespace.clone()).collect();
    for scope in scopes {
        let rules: Vec<String> = denials
            .iter()
            .filter(|d| d.namespace == scope)
            .map(Denial::rule)
            .collect();
        let subject = denials
            .iter()
            .find_map(|d| {
                d.service_account()
                    .map(|(ns, n)| format!("ServiceAccount {n} in namespace {ns}"))
            })
            .unwrap_or_else(|| {
                format!(
                    "User {}",
                    denials.first().map(|d| d.user.as_str()).unwrap_or("")
                )
            });
        let rules = rules.join(" ");
        steps.push(match scope {
            Some(ns) => format!(
                "Add the rule `{rules}` to a Role in namespace {ns}, and bind it with a RoleBinding in {ns} to {subject}."
            ),
            None => format!("Add the rule `{rules}` to a ClusterRole and bind it with a ClusterRoleBinding to {subject}."),
        });
    }
    if let Some(d) = denials.first() {
        let ns = d
            .namespace
            .as_deref()
            .map(|n| format!(" -n {n}"))
            .unwrap_or_default();
        steps.push(format!(
            "Verify: `kubectl auth can-i {} {}{ns} --as={}`.",
            d.verb, d.resource, d.user
        ));
    }
    steps
}

/// A line shortened around its interesting part.
fn excerpt_around(line: &str, marker: &str) -> String {
    let line = line.trim();
    if line.len() <= 300 {
        return line.to_string();
    }
    let at = line.find(marker).unwrap_or(0);
    let start = floor_boundary(line, at.saturating_sub(60));
    let end = floor_boundary(line, at + 240);
    format!("…{}…", &line[start..end])
}

/// `container has runAsNonRoot and image will run as root`.
fn run_as_non_root(analyzer: &str, pod: &PodContext<'_>, c: &ContainerView<'_>) -> Option<Finding> {
    if c.waiting_reason() != Some("CreateContainerConfigError") {
        return None;
    }
    let message = c.waiting_message().filter(|m| m.contains("runAsNonRoot"))?;
    let image = c.spec.and_then(|s| s.image.as_deref()).unwrap_or("");
    let mut f = Finding::new(
        analyzer,
        Category::Permission,
        pod.subject.clone(),
        pod.workload.clone(),
        &format!("{}/run-as-non-root", c.name),
    )
    .fact("container", c.name)
    .fact("image", image);
    f.severity = Severity::Critical;
    f.evidence.push(Context::evidence(
        EvidenceSource::Status,
        &pod.subject,
        format!(
            "container {}: CreateContainerConfigError: {message}",
            c.name
        ),
        Strength::Direct,
    ));
    static USER_RE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"non-numeric user \(([^)]+)\)").expect("valid regex"));
    let (why, fix) = match USER_RE.captures(message) {
        Some(u) => (
            format!(
                "the image's user {} is not numeric, so the kubelet cannot verify that it is non-root",
                &u[1]
            ),
            format!(
                "Set securityContext.runAsUser of container {} to the numeric uid of user {} (from the image's /etc/passwd).",
                c.name, &u[1]
            ),
        ),
        None => (
            "the image runs as root (uid 0)".to_string(),
            format!(
                "Set securityContext.runAsUser of container {} to a non-zero uid the image supports, or rebuild the image with a numeric non-root USER.",
                c.name
            ),
        ),
    };
    f.summary = format!(
        "container {} requires non-root but the image runs as root",
        c.name
    );
    f.cause = format!(
        "Container {} sets securityContext.runAsNonRoot, but {why} (image {image}), so the kubelet refuses to start it.",
        c.name
    );
    f.fix = vec![fix];
    f.prevention = vec!["Build images with a numeric non-root USER and test them under the namespace's PodSecurity level in CI.".into()];
    Some(f)
}

/// Splits `a (x, y), b (z)` at the commas outside parentheses.
fn split_violations(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut depth = 0usize;
    let mut cur = String::new();
    for ch in s.chars() {
        match ch {
            '(' => depth += 1,
            ')' => depth = depth.saturating_sub(1),
            ',' if depth == 0 => {
                out.push(cur.trim().to_string());
                cur.clear();
                continue;
            }
            _ => {}
        }
        cur.push(ch);
    }
    if !cur.trim().is_empty() {
        out.push(cur.trim().to_string());
    }
    out
}

/// A FailedCreate event of a controller whose pods PodSecurity admission rejects, while the
/// controller is still short of pods.
fn pod_security(analyzer: &str, snapshot: &Snapshot, e: &Event) -> Option<Finding> {
    if e.reason.as_deref() != Some("FailedCreate") {
        return None;
    }
    let obj = &e.involved_object;
    // Only a controller that creates pods itself carries their admission rejections.
    let kind = obj
        .kind
        .as_deref()
        .filter(|k| Kind::from_kind_field(k).is_some_and(|k| k.info().creates_pods()))?;
    let message = e.message.as_deref()?;
    let c = PSA_RE.captures(message)?;
    let level = c[1].to_string();
    let version = c.get(2).map(|m| m.as_str()).unwrap_or("latest").to_string();
    let violations = split_violations(&c[3]);
    let ns = obj
        .namespace
        .as_deref()
        .or(e.metadata.namespace.as_deref())
        .unwrap_or("");
    let name = obj.name.as_deref().unwrap_or("");
    let known = Kind::from_kind_field(kind);
    let meta = known.and_then(|k| snapshot.meta(k, ns, name));
    let controller = ObjectRef::new(kind, Some(ns), name);
    let workload = match (known, meta) {
        (Some(k), Some(m)) => snapshot.workload_of(k, m),
        _ => controller.clone(),
    };
    let current = match meta {
        Some(_) => still_short(snapshot, kind, ns, name),
        None => {
            event_last_seen(e).is_some_and(|t| snapshot.meta.captured_at.duration_since(t) < RECENT)
        }
    };
    if !current {
        return None;
    }
    let mut f = Finding::new(
        analyzer,
        Category::Permission,
        controller.clone(),
        workload.clone(),
        &format!("pod-security/{level}"),
    )
    .fact("level", &level)
    .fact("version", &version)
    .fact("violations", violations.join("; "));
    f.severity = Severity::Critical;
    f.evidence
        .push(Context::event_evidence(e, Strength::Direct));
    let labels = snapshot
        .meta(Kind::Namespace, "", ns)
        .and_then(|m| m.labels.as_ref());
    if let Some(enforce) = labels.and_then(|l| l.get("pod-security.kubernetes.io/enforce")) {
        f.evidence.push(Context::evidence(
            EvidenceSource::Spec,
            &ObjectRef::new("Namespace", None, ns),
            format!("pod-security.kubernetes.io/enforce={enforce}"),
            Strength::Indirect,
        ));
    }
    f.summary = format!(
        "PodSecurity {level} rejects the pods of {} {}",
        workload.kind, workload.name
    );
    f.cause = format!(
        "PodSecurity admission rejects every pod {kind} {name} creates: namespace {ns} enforces the \"{level}:{version}\" level, which the pod template violates with {}.",
        violations.join("; ")
    );
    f.fix = violations
        .iter()
        .map(|v| {
            format!(
                "Remove from the pod template of {} {} what the {level} level forbids: {v}.",
                workload.kind, workload.name
            )
        })
        .collect();
    f.fix.push(format!(
        "If the workload truly needs these privileges (node agents often do), run it in a namespace labelled pod-security.kubernetes.io/enforce=privileged instead of relaxing {ns} — a cluster policy decision."
    ));
    f.prevention = vec![format!(
        "Check manifests against the target namespace's level before deploying: `kubectl label --dry-run=server --overwrite ns {ns} pod-security.kubernetes.io/enforce={level}` warns about violating workloads."
    )];
    Some(f)
}

/// Whether a controller still has fewer pods than it wants.
fn still_short(snapshot: &Snapshot, kind: &str, ns: &str, name: &str) -> bool {
    let o = &snapshot.objects;
    let at = |k: Kind| snapshot.index().position(k, ns, name);
    match kind {
        "DaemonSet" => at(Kind::DaemonSet)
            .and_then(|i| o.daemon_sets.get(i))
            .is_none_or(|d| {
                d.status.as_ref().is_none_or(|s| {
                    s.current_number_scheduled < s.desired_number_scheduled
                        || s.number_ready < s.desired_number_scheduled
                        || s.number_unavailable.unwrap_or(0) > 0
                })
            }),
        "ReplicaSet" => at(Kind::ReplicaSet)
            .and_then(|i| o.replica_sets.get(i))
            .is_none_or(|r| {
                let want = r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                r.status.as_ref().map(|s| s.replicas).unwrap_or(0) < want
            }),
        "StatefulSet" => at(Kind::StatefulSet)
            .and_then(|i| o.stateful_sets.get(i))
            .is_none_or(|r| {
                let want = r.spec.as_ref().and_then(|s| s.replicas).unwrap_or(1);
                r.status.as_ref().map(|s| s.replicas).unwrap_or(0) < want
            }),
        "Job" => at(Kind::Job).and_then(|i| o.jobs.get(i)).is_none_or(|j| {
            let done = j
                .status
                .as_ref()
                .and_then(|s| s.conditions.as_ref())
                .is_some_and(|cs| {
                    cs.iter().any(|c| {
                        (c.type_ == "Complete" || c.type_ == "Failed") && c.status == "True"
                    })
                });
            !done
        }),
        _ => true,
    }
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn rbac_forbidden_in_logs_names_service_account_verb_resource_and_rule() {
        let findings = run(&Permission, "permission/rbac-forbidden");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.category, Category::Permission);
        assert_eq!(f.workload.to_string(), "Deployment ops/reporter");
        assert!(
            f.cause.contains("system:serviceaccount:ops:reporter"),
            "{}",
            f.cause
        );
        assert!(
            f.cause.contains("list pods in namespace shop"),
            "{}",
            f.cause
        );
        assert!(
            f.fix
                .iter()
                .any(|s| s.contains(r#"- apiGroups: [""] resources: ["pods"] verbs: ["list"]"#)),
            "{:?}",
            f.fix
        );
        assert_eq!(f.remedy, None);
    }

    #[test]
    fn pod_security_rejection_on_a_daemonset_names_level_and_violations() {
        let findings = run(&Permission, "permission/podsecurity-daemonset.json");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.workload.to_string(), "DaemonSet monitoring/node-agent");
        assert!(
            f.cause.contains("PodSecurity") && f.cause.contains("baseline"),
            "{}",
            f.cause
        );
        assert!(
            f.cause.contains("hostNetwork=true") && f.cause.contains("privileged"),
            "{}",
            f.cause
        );
        assert_eq!(f.facts.get("level").map(String::as_str), Some("baseline"));
        assert_eq!(f.remedy, None);
    }

    #[test]
    fn healthy_daemonset_with_an_old_rejection_is_silent() {
        assert!(run(&Permission, "permission/podsecurity-resolved.json").is_empty());
    }

    #[test]
    fn run_as_non_root_with_a_root_image_names_container_and_image() {
        let findings = run(&Permission, "permission/run-as-non-root.json");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.category, Category::Permission);
        assert!(
            f.cause.contains("runAsNonRoot") && f.cause.contains("docker.io/library/nginx:1.27"),
            "{}",
            f.cause
        );
        assert!(f.cause.contains("root"), "{}", f.cause);
    }

    #[test]
    fn denial_parses_with_escaped_quotes_and_cluster_scope() {
        let d = Denial::parse(r#"message":"nodes is forbidden: User \"system:serviceaccount:ops:agent\" cannot list resource \"nodes\" in API group \"\" at the cluster scope""#)
            .expect("denial");
        assert_eq!(
            (d.verb.as_str(), d.resource.as_str(), d.namespace.as_deref()),
            ("list", "nodes", None)
        );
        assert_eq!(d.service_account(), Some(("ops", "agent")));
        assert_eq!(
            split_violations(
                r#"host namespaces (hostNetwork=true, hostPID=true), privileged (container "agent" must not set x=true)"#
            ),
            vec![
                "host namespaces (hostNetwork=true, hostPID=true)".to_string(),
                r#"privileged (container "agent" must not set x=true)"#.to_string()
            ]
        );
    }
}
