//! Name lookups and connections that fail in the logs of broken pods, resolved against the
//! snapshot's Services: a name that matches no Service but a similar one is a configuration
//! typo (`postgres` vs `postgresql`), a Service without ready endpoints refuses connections,
//! and only when nothing in the snapshot explains it is it a DNS outage (CoreDNS down).

use std::collections::BTreeMap;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Pod, Service};
use regex::Regex;

use super::config_missing::edit_distance;
use super::{
    Analyzer, Category, Change, ContainerView, Context, EvidenceSource, Finding, PodContext,
    Remedy, Severity, Strength,
};
use crate::model::text::{Budget, clip};
use crate::model::{Kind, ObjectRef, Snapshot, pod_is_healthy, pod_ready};

pub struct NetworkDns;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Problem {
    /// The name does not resolve.
    Lookup,
    /// Resolution itself fails (timeouts, temporary failures): the resolver, not the name.
    Resolver,
    Refused,
    Timeout,
}

impl Problem {
    fn describe(self) -> &'static str {
        match self {
            Problem::Lookup => "the name does not resolve",
            Problem::Resolver => "name resolution fails",
            Problem::Refused => "connections are refused",
            Problem::Timeout => "connections time out",
        }
    }
}

/// One failing lookup or connection seen in a log.
#[derive(Debug, Clone, PartialEq)]
struct Hit {
    problem: Problem,
    host: Option<String>,
    port: Option<String>,
    line: String,
}

struct Pattern {
    re: Regex,
    problem: Problem,
    /// Capture groups of host and port (0 = none).
    host: usize,
    port: usize,
}

fn pattern(re: &str, problem: Problem, host: usize, port: usize) -> Pattern {
    Pattern {
        re: Regex::new(re).expect("valid regex"),
        problem,
        host,
        port,
    }
}

const HOST: &str = r"([A-Za-z0-9][A-Za-z0-9.\-]*[A-Za-z0-9]|[0-9.]+)";

/// Most specific first; the first pattern that matches a line wins.
static PATTERNS: LazyLock<Vec<Pattern>> = LazyLock::new(|| {
    vec![
        pattern(
            &format!(r"lookup {HOST}(?: on [0-9A-Fa-f.:\[\]]+)?: no such host"),
            Problem::Lookup,
            1,
            0,
        ),
        pattern(
            &format!(r"lookup {HOST}(?: on [0-9A-Fa-f.:\[\]]+)?: (?:read udp .*)?i/o timeout"),
            Problem::Resolver,
            1,
            0,
        ),
        pattern(
            &format!(r"lookup {HOST}(?: on [0-9A-Fa-f.:\[\]]+)?: server misbehaving"),
            Problem::Resolver,
            1,
            0,
        ),
        pattern(
            &format!(r"getaddrinfo ENOTFOUND {HOST}"),
            Problem::Lookup,
            1,
            0,
        ),
        pattern(
            &format!(r"getaddrinfo EAI_AGAIN {HOST}"),
            Problem::Resolver,
            1,
            0,
        ),
        pattern(
            r#"could not translate host name "([^"]+)" to address: Name or service not known"#,
            Problem::Lookup,
            1,
            0,
        ),
        pattern(
            r#"could not translate host name "([^"]+)" to address: Temporary failure"#,
            Problem::Resolver,
            1,
            0,
        ),
        pattern(
            &format!(r"UnknownHostException: {HOST}"),
            Problem::Lookup,
            1,
            0,
        ),
        pattern(
            &format!(r"connecting to {HOST}:(\d+)\. Name or service not known"),
            Problem::Lookup,
            1,
            2,
        ),
        pattern(
            &format!(r"{HOST}: Name or service not known"),
            Problem::Lookup,
            1,
            0,
        ),
        pattern(
            &format!(r"{HOST}: Temporary failure in name resolution"),
            Problem::Resolver,
            1,
            0,
        ),
        pattern(
            r"Name or service not known|nodename nor servname provided",
            Problem::Lookup,
            0,
            0,
        ),
        pattern(
            r"Temporary failure in name resolution",
            Problem::Resolver,
            0,
            0,
        ),
        pattern(
            &format!(r"connect ECONNREFUSED {HOST}:(\d+)"),
            Problem::Refused,
            1,
            2,
        ),
        pattern(
            &format!(r"connect ETIMEDOUT {HOST}:(\d+)"),
            Problem::Timeout,
            1,
            2,
        ),
        pattern(
            &format!(r"dial tcp {HOST}:(\d+): connect: connection refused"),
            Problem::Refused,
            1,
            2,
        ),
        pattern(
            &format!(r"dial tcp {HOST}:(\d+): (?:i/o timeout|connect: connection timed out)"),
            Problem::Timeout,
            1,
            2,
        ),
        pattern(
            r#"connection to server at "([^"]+)"[^,]*, port (\d+) failed: Connection refused"#,
            Problem::Refused,
            1,
            2,
        ),
        pattern(
            &format!(r"connecting to {HOST}:(\d+)\. Connection refused"),
            Problem::Refused,
            1,
            2,
        ),
        pattern(
            &format!(r"(?i)connection refused[^A-Za-z0-9]+{HOST}:(\d+)"),
            Problem::Refused,
            1,
            2,
        ),
        pattern(
            &format!(r"(?i){HOST}:(\d+)[^A-Za-z0-9]+connection refused"),
            Problem::Refused,
            1,
            2,
        ),
    ]
});

fn scan_line(line: &str) -> Option<Hit> {
    PATTERNS.iter().find_map(|p| {
        let c = p.re.captures(line)?;
        let group = |i: usize| {
            (i > 0)
                .then(|| c.get(i))
                .flatten()
                .map(|m| m.as_str().trim_end_matches('.').to_string())
        };
        Some(Hit {
            problem: p.problem,
            host: group(p.host),
            port: group(p.port),
            line: line.trim().to_string(),
        })
    })
}

/// Failing lookups/connections in a container's current and previous log, one per
/// (problem, host), the latest line kept.
fn scan_logs(snapshot: &Snapshot, ns: &str, pod: &str, container: &str) -> Vec<Hit> {
    let mut hits: BTreeMap<(Problem, Option<String>), Hit> = BTreeMap::new();
    for previous in [true, false] {
        let Some(log) = snapshot.log(ns, pod, container, previous) else {
            continue;
        };
        for line in log.lines() {
            if let Some(h) = scan_line(line) {
                hits.insert((h.problem, h.host.clone()), h);
            }
        }
    }
    hits.into_values().collect()
}

/// What a host in a log refers to in the cluster.
#[derive(Debug, Clone, PartialEq)]
enum Target<'a> {
    Service(&'a Service),
    /// An in-cluster name with no Service of that name in its namespace.
    Missing {
        namespace: String,
        name: String,
    },
}

fn service_ns_name(s: &Service) -> (&str, &str) {
    (
        s.metadata.namespace.as_deref().unwrap_or(""),
        s.metadata.name.as_deref().unwrap_or(""),
    )
}

fn services_in<'a>(snapshot: &'a Snapshot, ns: &str) -> impl Iterator<Item = &'a Service> {
    let ns = ns.to_string();
    snapshot
        .objects
        .services
        .iter()
        .filter(move |s| s.metadata.namespace.as_deref() == Some(ns.as_str()))
}

fn is_ipv4(host: &str) -> bool {
    host.split('.').count() == 4
        && host
            .split('.')
            .all(|p| !p.is_empty() && p.parse::<u8>().is_ok())
}

/// Resolves a host from a log line of a pod in `pod_ns` to a Service (by ClusterIP or DNS
/// name), or to a missing in-cluster name; external hosts and unknown IPs give `None`.
fn resolve<'a>(snapshot: &'a Snapshot, pod_ns: &str, host: &str) -> Option<Target<'a>> {
    if is_ipv4(host) {
        return snapshot
            .objects
            .services
            .iter()
            .find(|s| {
                s.spec.as_ref().is_some_and(|sp| {
                    sp.cluster_ip.as_deref() == Some(host)
                        || sp.cluster_ips.iter().flatten().any(|ip| ip == host)
                })
            })
            .map(Target::Service);
    }
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    if host == "localhost" {
        return None;
    }
    let parts: Vec<&str> = host.split('.').collect();
    let known_ns = |n: &str| snapshot.namespaces().iter().any(|x| x == n);
    let (ns, name) = match parts.as_slice() {
        [name] => (pod_ns.to_string(), name.to_string()),
        [name, ns] if known_ns(ns) => (ns.to_string(), name.to_string()),
        [name, ns, "svc", ..] => (ns.to_string(), name.to_string()),
        _ => return None,
    };
    // Without any Service of the namespace in the snapshot there is nothing to check against.
    services_in(snapshot, &ns).next()?;
    match snapshot
        .index()
        .position(Kind::Service, &ns, &name)
        .and_then(|i| snapshot.objects.services.get(i))
    {
        Some(s) => Some(Target::Service(s)),
        None => Some(Target::Missing {
            namespace: ns,
            name,
        }),
    }
}

/// Ready endpoints of a Service: EndpointSlices first, the Endpoints object otherwise;
/// when the input carries neither kind at all (a `kubectl cluster-info dump`), the ready
/// pods its selector matches, as the endpoints controller counts them; `None` when none of
/// these can say.
fn ready_endpoints(snapshot: &Snapshot, ns: &str, name: &str) -> Option<usize> {
    if snapshot.objects.endpoint_slices.is_empty() && snapshot.objects.endpoints.is_empty() {
        return ready_selected_pods(snapshot, ns, name);
    }
    let slices = snapshot.index().endpoint_slices_for(ns, name);
    if !slices.is_empty() {
        let n = slices
            .iter()
            .filter_map(|i| snapshot.objects.endpoint_slices.get(*i))
            .flat_map(|s| s.endpoints.iter())
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready) != Some(false))
            .count();
        return Some(n);
    }
    let ep = snapshot
        .index()
        .position(Kind::Endpoints, ns, name)
        .and_then(|i| snapshot.objects.endpoints.get(i))?;
    Some(
        ep.subsets
            .iter()
            .flatten()
            .flat_map(|s| s.addresses.iter().flatten())
            .count(),
    )
}

fn ready_selected_pods(snapshot: &Snapshot, ns: &str, name: &str) -> Option<usize> {
    let service = snapshot
        .index()
        .position(Kind::Service, ns, name)
        .and_then(|i| snapshot.objects.services.get(i))?;
    let selector = selector_of(service);
    if selector.is_empty() {
        return None;
    }
    let ready = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
        .filter(|p| p.metadata.deletion_timestamp.is_none() && matches_selector(p, &selector))
        .filter(|p| {
            let (ready, total) = pod_ready(p);
            total > 0 && ready == total
        })
        .count();
    Some(ready)
}

fn selector_of(s: &Service) -> Vec<(String, String)> {
    s.spec
        .as_ref()
        .and_then(|sp| sp.selector.as_ref())
        .map(|m| m.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
        .unwrap_or_default()
}

fn matches_selector(pod: &Pod, selector: &[(String, String)]) -> bool {
    let labels = pod.metadata.labels.as_ref();
    !selector.is_empty()
        && selector
            .iter()
            .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
}

/// Why a Service has no ready endpoints, in words: which pods back it, or which pods were
/// probably meant to.
fn backing_pods(snapshot: &Snapshot, s: &Service) -> String {
    let (ns, _) = service_ns_name(s);
    let selector = selector_of(s);
    if selector.is_empty() {
        return "it has no selector, so its endpoints must be managed by hand".into();
    }
    let sel = selector
        .iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",");
    let pods: Vec<&Pod> = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
        .collect();
    let backing: Vec<&&Pod> = pods
        .iter()
        .filter(|p| matches_selector(p, &selector))
        .collect();
    if !backing.is_empty() {
        let names: Vec<String> = backing
            .iter()
            .take(3)
            .map(|p| p.metadata.name.clone().unwrap_or_default())
            .collect();
        return format!(
            "its selector {sel} matches pods {} but none of them is ready",
            names.join(", ")
        );
    }
    // Pods carrying one of the selector's values under another key: a relabelled workload.
    let mut near: Vec<(String, String)> = Vec::new();
    for p in &pods {
        for (k, v) in p.metadata.labels.iter().flatten() {
            if selector.iter().any(|(sk, sv)| sv == v && sk != k)
                && !near.iter().any(|(_, l)| l == &format!("{k}={v}"))
            {
                near.push((
                    p.metadata.name.clone().unwrap_or_default(),
                    format!("{k}={v}"),
                ));
            }
        }
    }
    match near.first() {
        Some((pod, label)) => {
            format!("its selector {sel} matches no pod (pods such as {pod} carry {label} instead)")
        }
        None => format!("its selector {sel} matches no pod"),
    }
}

/// CoreDNS health: `Some(true)` when its pods are all down, `None` when not in the snapshot.
fn dns_down(snapshot: &Snapshot) -> Option<bool> {
    let pods: Vec<&Pod> = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some("kube-system"))
        .filter(|p| {
            p.metadata
                .labels
                .as_ref()
                .and_then(|l| l.get("k8s-app"))
                .map(String::as_str)
                == Some("kube-dns")
                || p.metadata
                    .name
                    .as_deref()
                    .is_some_and(|n| n.starts_with("coredns"))
        })
        .collect();
    if pods.is_empty() {
        return None;
    }
    Some(!pods.iter().any(|p| pod_is_healthy(p)))
}

/// The env var of the pod that names `host` (`DB_HOST=postgres`), if any.
fn env_naming(pod: &Pod, host: &str) -> Option<(String, String, String)> {
    let spec = pod.spec.as_ref()?;
    for c in spec
        .init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
    {
        for e in c.env.iter().flatten() {
            let Some(v) = e.value.as_deref() else {
                continue;
            };
            let hit = v
                .split(|ch: char| !(ch.is_ascii_alphanumeric() || ch == '.' || ch == '-'))
                .any(|tok| {
                    let tok = tok.trim_end_matches('.');
                    tok == host || tok.starts_with(&format!("{host}."))
                });
            if hit {
                return Some((c.name.clone(), e.name.clone(), v.to_string()));
            }
        }
    }
    None
}

/// Services in `ns` similar to `name`, best first, with their edit distance.
fn similar_services<'a>(snapshot: &'a Snapshot, ns: &str, name: &str) -> Vec<(usize, &'a str)> {
    let names: Vec<&str> = services_in(snapshot, ns)
        .filter_map(|s| s.metadata.name.as_deref())
        .collect();
    let mut out: Vec<(usize, &str)> = Vec::new();
    let mut rest: Vec<&str> = names.clone();
    while let Some(best) = super::config_missing::closest(name, rest.iter().copied()) {
        out.push((edit_distance(name, best), best));
        rest.retain(|n| *n != best);
    }
    out
}

impl Analyzer for NetworkDns {
    fn name(&self) -> &'static str {
        "network_dns"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for pod in &cx.pods {
            for c in pod
                .containers
                .iter()
                .filter(|c| !c.ready() || c.restarts() > 0)
            {
                let hits = scan_logs(cx.snapshot, pod.namespace, pod.name, c.name);
                let mut explained = false;
                for hit in hits.iter().filter(|h| h.host.is_some()) {
                    if let Some(f) = host_finding(self.name(), cx.snapshot, pod, c, hit) {
                        explained = true;
                        out.push(f);
                    }
                }
                if explained {
                    continue;
                }
                // Nothing about a specific Service explains it: a resolver outage, if CoreDNS is down.
                let dns_hit = hits
                    .iter()
                    .find(|h| matches!(h.problem, Problem::Lookup | Problem::Resolver));
                if let (Some(hit), Some(true)) = (dns_hit, dns_down(cx.snapshot)) {
                    out.push(outage(self.name(), cx.snapshot, pod, c, hit));
                }
            }
        }
    }
}

fn log_evidence(pod: &PodContext<'_>, c: &ContainerView<'_>, hit: &Hit) -> super::Evidence {
    let excerpt = format!("{}: {}", c.name, clip(&hit.line, Budget::Bytes(400)));
    Context::evidence(
        EvidenceSource::Log,
        &pod.subject,
        excerpt,
        Strength::Indirect,
    )
}

fn base(
    analyzer: &str,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
    hit: &Hit,
    detail: &str,
) -> Finding {
    let mut f = Finding::new(
        analyzer,
        Category::NetworkDns,
        pod.subject.clone(),
        pod.workload.clone(),
        detail,
    )
    .fact("container", c.name)
    .fact("problem", format!("{:?}", hit.problem).to_ascii_lowercase());
    if let Some(h) = &hit.host {
        f.facts.insert("host".into(), h.clone());
    }
    if let Some(p) = &hit.port {
        f.facts.insert("port".into(), p.clone());
    }
    f.severity = Severity::Critical;
    f.evidence.push(log_evidence(pod, c, hit));
    f
}

fn host_finding(
    analyzer: &str,
    snapshot: &Snapshot,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
    hit: &Hit,
) -> Option<Finding> {
    let host = hit.host.as_deref()?;
    let target = resolve(snapshot, pod.namespace, host)?;
    let who = format!("{} {}", pod.workload.kind, pod.workload.name);
    match target {
        // A name that resolved (the connection was refused) is not a missing Service, and a
        // lookup that timed out says nothing about the name.
        Target::Missing { .. } if hit.problem != Problem::Lookup => None,
        Target::Missing { namespace, name } => {
            let mut f = base(
                analyzer,
                pod,
                c,
                hit,
                &format!("missing-service/{namespace}/{name}"),
            );
            let present: Vec<&str> = services_in(snapshot, &namespace)
                .filter_map(|s| s.metadata.name.as_deref())
                .collect();
            let svc_ref = ObjectRef::new("Service", Some(&namespace), name.clone());
            f.evidence.push(Context::evidence(
                EvidenceSource::Spec,
                &svc_ref,
                format!(
                    "no Service {name} in namespace {namespace} (Services: {})",
                    present.join(", ")
                ),
                Strength::Indirect,
            ));
            let configured = env_naming(pod.pod, host);
            if let Some((container, var, value)) = &configured {
                f.evidence.push(Context::evidence(
                    EvidenceSource::Spec,
                    &pod.subject,
                    format!("container {container} env {var}={value}"),
                    Strength::Indirect,
                ));
                f.facts.insert("env".into(), format!("{var}={value}"));
            }
            let by = match &configured {
                Some((_, var, value)) => format!("{who} is configured with {var}={value}, but"),
                None => format!("{who} connects to {host}, but"),
            };
            let similar = similar_services(snapshot, &namespace, &name);
            let elsewhere: Vec<String> = snapshot
                .objects
                .services
                .iter()
                .filter(|s| s.metadata.name.as_deref() == Some(name.as_str()))
                .filter_map(|s| s.metadata.namespace.clone())
                .filter(|n| *n != namespace)
                .collect();
            if let Some((d, right)) = similar.first().copied() {
                let certain = similar.get(1).is_none_or(|(d2, _)| *d2 > d);
                f.summary = format!("Service {name} does not exist; {right} does");
                f.cause = format!(
                    "{by} no Service {name} exists in namespace {namespace} — the Service is named {right}: a configuration typo ({name} vs {right}), not a DNS outage, so {}.",
                    hit.problem.describe()
                );
                f.facts.insert("intended_service".into(), right.to_string());
                f.fix = vec![
                    match &configured {
                        Some((container, var, _)) => format!(
                            "Set {var} of container {container} to {right} (or {right}.{namespace}.svc.cluster.local)."
                        ),
                        None => format!(
                            "Point the application's host setting at {right} instead of {name}."
                        ),
                    },
                    format!(
                        "Check with `kubectl get svc -n {namespace}` that {right} is the intended Service."
                    ),
                ];
                if certain {
                    f.remedy = Some(Remedy {
                        target: pod.workload.clone(),
                        change: Change::SetServiceSelectorOrName {
                            service: name.clone(),
                            to: right.to_string(),
                        },
                        rationale: format!(
                            "Service {name} does not exist in {namespace}; {right} is the only Service with a similar name (edit distance {d})."
                        ),
                    });
                }
            } else if elsewhere.len() == 1 {
                let other = &elsewhere[0];
                f.summary = format!("Service {name} is in namespace {other}, not {namespace}");
                f.cause = format!(
                    "{by} Service {name} exists only in namespace {other}, not in {namespace}, so the short name does not resolve from {namespace}; use {name}.{other}."
                );
                f.fix = vec![format!(
                    "Use the qualified name {name}.{other}.svc.cluster.local in the configuration."
                )];
                f.remedy = Some(Remedy {
                    target: pod.workload.clone(),
                    change: Change::SetServiceSelectorOrName {
                        service: name.clone(),
                        to: format!("{name}.{other}"),
                    },
                    rationale: format!("Service {name} exists only in namespace {other}."),
                });
            } else if dns_down(snapshot) == Some(true) {
                return Some(outage(analyzer, snapshot, pod, c, hit));
            } else {
                f.summary = format!("Service {name} does not exist");
                f.cause = format!(
                    "{by} no Service {name} exists in namespace {namespace} (and none with a similar name), so {}; CoreDNS is not the problem.",
                    hit.problem.describe()
                );
                f.fix = vec![
                    format!(
                        "Create Service {name} in {namespace} for the backend {who} needs, or correct the host in its configuration."
                    ),
                    format!("List what exists: `kubectl get svc -n {namespace}`."),
                ];
            }
            f.prevention = vec![
                "Template service hostnames from the same source as the Services (Helm values, kustomize vars) instead of typing them.".into(),
                "Fail readiness (not liveness) on a missing dependency so a bad rollout stops instead of crash-looping.".into(),
            ];
            Some(f)
        }
        Target::Service(s) => {
            let (ns, name) = service_ns_name(s);
            let svc_ref = ObjectRef::new("Service", Some(ns), name);
            let ready = ready_endpoints(snapshot, ns, name);
            let addr = match (
                &hit.port,
                s.spec.as_ref().and_then(|sp| sp.cluster_ip.as_deref()),
            ) {
                (Some(p), Some(ip)) if ip != "None" => format!(" ({ip}:{p})"),
                (None, Some(ip)) if ip != "None" => format!(" ({ip})"),
                _ => String::new(),
            };
            if ready == Some(0) {
                let mut f = base(analyzer, pod, c, hit, &format!("no-endpoints/{ns}/{name}"));
                let why = backing_pods(snapshot, s);
                f.evidence.push(Context::evidence(
                    EvidenceSource::Status,
                    &svc_ref,
                    format!("Service {ns}/{name} has 0 ready endpoints; {why}"),
                    Strength::Indirect,
                ));
                f.summary = format!("Service {name} has no ready endpoints");
                f.cause = format!(
                    "Service {name}{addr} has no ready endpoints — {why} — so {} from {who}.",
                    hit.problem
                        .describe()
                        .replace("connections are", "connections to it are")
                        .replace("connections time", "connections to it time")
                );
                f.fix = vec![
                    format!(
                        "Make the selector of Service {name} match the labels of the pods that should serve it (or label those pods), then check `kubectl get endpointslices -n {ns} -l kubernetes.io/service-name={name}`."
                    ),
                    format!(
                        "If the backing pods exist but are not ready, diagnose them first: `k8sops diagnose -n {ns}`."
                    ),
                ];
                f.prevention = vec![
                    "Change Service selectors and pod labels in the same commit; alert on Services with zero ready endpoints.".into(),
                ];
                return Some(f);
            }
            // The Service exists and has endpoints (or they were not collected).
            let refused = matches!(hit.problem, Problem::Refused | Problem::Timeout);
            let exposes = |p: &str| {
                s.spec
                    .as_ref()
                    .and_then(|sp| sp.ports.as_ref())
                    .is_some_and(|ports| ports.iter().any(|sp| sp.port.to_string() == p))
            };
            match (&hit.port, refused) {
                (Some(p), true) if ready.is_some() && !exposes(p) => {
                    let mut f = base(
                        analyzer,
                        pod,
                        c,
                        hit,
                        &format!("wrong-port/{ns}/{name}/{p}"),
                    );
                    let ports: Vec<String> = s
                        .spec
                        .as_ref()
                        .and_then(|sp| sp.ports.as_ref())
                        .map(|ps| ps.iter().map(|sp| sp.port.to_string()).collect())
                        .unwrap_or_default();
                    f.summary = format!("Service {name} does not expose port {p}");
                    f.cause = format!(
                        "{who} connects to Service {name} on port {p}, which the Service does not expose (ports: {}), so {}.",
                        ports.join(", "),
                        hit.problem.describe()
                    );
                    f.fix = vec![format!(
                        "Use one of the ports of Service {name} ({}) in the configuration.",
                        ports.join(", ")
                    )];
                    Some(f)
                }
                _ if matches!(hit.problem, Problem::Lookup | Problem::Resolver)
                    && dns_down(snapshot) == Some(true) =>
                {
                    Some(outage(analyzer, snapshot, pod, c, hit))
                }
                _ => None,
            }
        }
    }
}

fn outage(
    analyzer: &str,
    snapshot: &Snapshot,
    pod: &PodContext<'_>,
    c: &ContainerView<'_>,
    hit: &Hit,
) -> Finding {
    let mut f = base(analyzer, pod, c, hit, "dns-outage");
    let coredns: Vec<String> = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some("kube-system"))
        .filter_map(|p| p.metadata.name.clone())
        .filter(|n| n.starts_with("coredns"))
        .collect();
    f.evidence.push(Context::evidence(
        EvidenceSource::Status,
        &ObjectRef::new("Deployment", Some("kube-system"), "coredns"),
        format!(
            "no ready CoreDNS pod in kube-system ({})",
            coredns.join(", ")
        ),
        Strength::Indirect,
    ));
    let host = hit
        .host
        .as_deref()
        .map(|h| format!(" of {h}"))
        .unwrap_or_default();
    f.summary = "cluster DNS is down".into();
    f.cause = format!(
        "Cluster DNS is down — no CoreDNS pod in kube-system is ready — so name resolution{host} fails for {}.",
        pod.workload.name
    );
    f.fix = vec![
        "Check CoreDNS: `kubectl -n kube-system get pods -l k8s-app=kube-dns` and its logs and events.".into(),
        "Check that the kube-dns Service in kube-system has ready endpoints.".into(),
    ];
    f.prevention = vec![
        "Run CoreDNS with at least two replicas spread over nodes, with a PodDisruptionBudget."
            .into(),
    ];
    f
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn lookup_of_a_mistyped_service_names_both_names_and_the_fix() {
        let findings = run(&NetworkDns, "network_dns/service-name-typo");
        assert!(!findings.is_empty());
        assert!(
            findings.iter().all(|f| f.id == findings[0].id),
            "{findings:#?}"
        );
        let f = &findings[0];
        assert_eq!(f.category, Category::NetworkDns);
        assert_eq!(f.workload.to_string(), "Deployment shop/api");
        assert!(
            f.cause.contains("postgres ") && f.cause.contains("postgresql"),
            "{}",
            f.cause
        );
        assert!(f.cause.contains("DB_HOST=postgres"), "{}", f.cause);
        assert_eq!(
            f.remedy.as_ref().map(|r| &r.change),
            Some(&Change::SetServiceSelectorOrName {
                service: "postgres".into(),
                to: "postgresql".into()
            })
        );
    }

    #[test]
    fn refused_connection_to_a_cluster_ip_names_the_service_without_endpoints() {
        let findings = run(&NetworkDns, "network_dns/service-without-endpoints");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.workload.to_string(), "Deployment shop/storefront");
        assert!(
            f.cause.contains("Service catalog") && f.cause.contains("no ready endpoints"),
            "{}",
            f.cause
        );
        assert!(
            f.cause.contains("app.kubernetes.io/name=catalog"),
            "{}",
            f.cause
        );
        assert_eq!(f.remedy, None);
    }

    #[test]
    fn lookup_timeouts_with_coredns_down_are_a_dns_outage() {
        let findings = run(&NetworkDns, "network_dns/dns-outage");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert!(
            f.cause.contains("Cluster DNS is down") && f.cause.contains("payments"),
            "{}",
            f.cause
        );
        assert_eq!(f.remedy, None);
    }

    #[test]
    fn healthy_pods_with_old_connection_errors_are_silent() {
        assert!(run(&NetworkDns, "network_dns/healthy-stale-errors").is_empty());
    }

    #[test]
    fn lines_yield_host_and_port() {
        let h = scan_line("Error: connect ECONNREFUSED 10.96.12.4:80").expect("hit");
        assert_eq!(
            (h.problem, h.host.as_deref(), h.port.as_deref()),
            (Problem::Refused, Some("10.96.12.4"), Some("80"))
        );
        let h = scan_line(
            "dial tcp: lookup postgres.shop.svc.cluster.local on 10.96.0.10:53: no such host",
        )
        .expect("hit");
        assert_eq!(
            (h.problem, h.host.as_deref()),
            (Problem::Lookup, Some("postgres.shop.svc.cluster.local"))
        );
        let h = scan_line("java.net.UnknownHostException: redis: Name or service not known")
            .expect("hit");
        assert_eq!(h.host.as_deref(), Some("redis"));
        let h = scan_line("Error: getaddrinfo ENOTFOUND orders-api").expect("hit");
        assert_eq!(h.host.as_deref(), Some("orders-api"));
        let h = scan_line("socket.gaierror: [Errno -3] Temporary failure in name resolution")
            .expect("hit");
        assert_eq!((h.problem, h.host), (Problem::Resolver, None));
        assert!(scan_line("request completed status=200").is_none());
    }
}
