//! The object graph: who depends on whom in one snapshot, built once (linear in objects and
//! in the log bytes of the pods worth analysing) and shared by every analyzer and by `rca`.
//!
//! Nodes are the objects a human fixes (workloads, Nodes, Services, volumes, config); every
//! link names its relation and carries the evidence it was read from — a selector, an env
//! value, a log line, an event — so `rca` never propagates a failure along an invented edge.
//! Structural links (node, volumes, config, service account) are kept for the pods worth
//! analysing; Service → backing workloads is kept for every Service, since any of them may
//! be the dependency of a failing pod.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Event, Node, Pod, Service};
use regex::Regex;

use super::context::PodContext;
use super::finding::{Evidence, EvidenceSource, Strength};
use super::oom::{VICTIM, process_names};
use crate::model::log_line::{Strictness, is_error_line};
use crate::model::text::{Budget, clip};
use crate::model::{Kind, ObjectRef, Snapshot, parse_quantity};

/// How one object depends on another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Relation {
    /// Pod → Node it is bound to.
    RunsOn,
    /// Pod → PersistentVolumeClaim it mounts.
    Mounts,
    /// Pod → ConfigMap, Secret or ServiceAccount it reads.
    Reads,
    /// Pod → Service it calls (named in its env, args or log lines).
    Calls,
    /// Pod stuck in an init container → the Service that container waits for.
    WaitsFor,
    /// Pod → cluster DNS it resolves names through (its lookups fail).
    ResolvesThrough,
    /// Pod evicted or OOM-killed on a node → the workload the kubelet named as the one
    /// consuming far more than it requested.
    StarvedBy,
    /// Workload → admission webhook Service that rejects its pods.
    AdmittedBy,
}

impl Relation {
    /// How a dependent's failure reads when this link explains it.
    pub fn phrase(self) -> &'static str {
        match self {
            Relation::RunsOn => "runs on",
            Relation::Mounts => "mounts",
            Relation::Reads => "reads",
            Relation::Calls => "calls",
            Relation::WaitsFor => "waits in an init container for",
            Relation::ResolvesThrough => "resolves names through",
            Relation::StarvedBy => "shares a node starved by",
            Relation::AdmittedBy => "is admitted by the webhook behind",
        }
    }
}

/// One edge: `from` (a pod's workload, or the pod itself for structural links) depends on
/// `to` in the way `relation` says, as `evidence` shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    pub from: ObjectRef,
    pub to: ObjectRef,
    pub relation: Relation,
    /// The link was read from a failing call or wait (an error line naming the target, an
    /// init container still waiting), not only from configuration.
    pub failing: bool,
    pub evidence: Evidence,
}

/// The graph of one snapshot.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    links: Vec<Link>,
    /// Workload → positions in `links` where it is `from`.
    outgoing: HashMap<ObjectRef, Vec<usize>>,
    /// Service → the workloads whose pods it selects, each with the selector match that
    /// says so.
    backing: HashMap<ObjectRef, BTreeMap<ObjectRef, Evidence>>,
    /// The workloads that serve cluster DNS (CoreDNS / kube-dns), and the kube-dns Service.
    dns: BTreeSet<ObjectRef>,
}

impl Graph {
    /// Builds the graph for the pods worth analysing (`pods`) over the whole snapshot.
    pub fn build(snapshot: &Snapshot, pods: &[PodContext<'_>]) -> Graph {
        let mut g = Graph::default();
        g.index_services(snapshot);
        let by_ip = services_by_ip(snapshot);
        for pod in pods {
            g.structural_links(pod);
            g.host_links(snapshot, &by_ip, pod);
        }
        g.starvation_links(snapshot, pods);
        g.webhook_links(snapshot);
        for (i, l) in g.links.iter().enumerate() {
            g.outgoing.entry(l.from.clone()).or_default().push(i);
        }
        g
    }

    /// Links leaving a workload (or pod), in the order they were found.
    pub fn links_from(&self, from: &ObjectRef) -> impl Iterator<Item = &Link> {
        self.outgoing
            .get(from)
            .into_iter()
            .flatten()
            .filter_map(|&i| self.links.get(i))
    }

    /// The workloads behind a Service (empty for a Service that selects nothing).
    pub fn backing(&self, service: &ObjectRef) -> impl Iterator<Item = &ObjectRef> {
        self.backing.get(service).into_iter().flat_map(|m| m.keys())
    }

    /// The selector match that puts `workload` behind `service`.
    pub fn backing_evidence(&self, service: &ObjectRef, workload: &ObjectRef) -> Option<&Evidence> {
        self.backing.get(service)?.get(workload)
    }

    /// The workloads a link's target stands for: a Service's backing workloads, cluster
    /// DNS's workloads, or the target itself.
    pub fn providers<'g>(&'g self, link: &'g Link) -> Vec<&'g ObjectRef> {
        match link.relation {
            Relation::Calls | Relation::WaitsFor | Relation::AdmittedBy => {
                self.backing(&link.to).collect()
            }
            Relation::ResolvesThrough => self.dns.iter().filter(|d| d.kind != "Service").collect(),
            _ => vec![&link.to],
        }
    }

    /// Adds another graph's links, Services and cluster DNS: the graphs of the parts a
    /// cluster was analyzed in make the graph of the whole.
    pub fn merge(&mut self, other: &Graph) {
        for link in &other.links {
            self.outgoing
                .entry(link.from.clone())
                .or_default()
                .push(self.links.len());
            self.links.push(link.clone());
        }
        for (svc, workloads) in &other.backing {
            let mine = self.backing.entry(svc.clone()).or_default();
            for (w, e) in workloads {
                mine.entry(w.clone()).or_insert_with(|| e.clone());
            }
        }
        self.dns.extend(other.dns.iter().cloned());
    }

    /// Whether this workload serves cluster DNS.
    pub fn is_dns(&self, workload: &ObjectRef) -> bool {
        self.dns.contains(workload)
    }

    fn push(&mut self, link: Link) {
        let dup = self
            .links
            .iter()
            .rev()
            .take(32)
            .any(|l| l.from == link.from && l.to == link.to && l.relation == link.relation);
        match dup {
            // A failing sighting is worth more than a configured one: keep the stronger.
            true if link.failing => {
                if let Some(l) =
                    self.links.iter_mut().rev().find(|l| {
                        l.from == link.from && l.to == link.to && l.relation == link.relation
                    })
                    && !l.failing
                {
                    *l = link;
                }
            }
            true => {}
            false => self.links.push(link),
        }
    }

    /// Service → backing workloads by selector, matched against one pod per workload (a
    /// controller's pods share their template's labels), and cluster DNS.
    fn index_services(&mut self, snapshot: &Snapshot) {
        let mut reps: HashMap<&str, Vec<(ObjectRef, &Pod)>> = HashMap::new();
        let mut seen: BTreeSet<ObjectRef> = BTreeSet::new();
        for pod in &snapshot.objects.pods {
            let w = snapshot.workload_of(Kind::Pod, &pod.metadata);
            if seen.insert(w.clone()) {
                let ns = pod.metadata.namespace.as_deref().unwrap_or("");
                reps.entry(ns).or_default().push((w.clone(), pod));
            }
            if is_dns_pod(pod) {
                self.dns.insert(w);
            }
        }
        for svc in &snapshot.objects.services {
            let ns = svc.metadata.namespace.as_deref().unwrap_or("");
            let name = svc.metadata.name.as_deref().unwrap_or("");
            let sref = ObjectRef::new("Service", Some(ns), name);
            if ns == "kube-system" && name == "kube-dns" {
                self.dns.insert(sref.clone());
            }
            let Some(sel) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
                continue;
            };
            if sel.is_empty() {
                continue;
            }
            for (w, pod) in reps.get(ns).into_iter().flatten() {
                let labels = pod.metadata.labels.as_ref();
                if sel
                    .iter()
                    .all(|(k, v)| labels.and_then(|l| l.get(k)) == Some(v))
                {
                    let text: Vec<String> = sel.iter().map(|(k, v)| format!("{k}={v}")).collect();
                    let evidence = spec_evidence(
                        &sref,
                        format!(
                            "Service {ns}/{name} selects {} (pods of {w}, e.g. {})",
                            text.join(","),
                            pod.metadata.name.as_deref().unwrap_or("")
                        ),
                    );
                    self.backing
                        .entry(sref.clone())
                        .or_default()
                        .insert(w.clone(), evidence);
                }
            }
        }
    }

    /// Pod → node, volumes, ConfigMaps/Secrets and ServiceAccount, from its spec.
    fn structural_links(&mut self, pod: &PodContext<'_>) {
        let Some(spec) = pod.pod.spec.as_ref() else {
            return;
        };
        let ns = Some(pod.namespace);
        let mut link = |to: ObjectRef, relation: Relation, excerpt: String| {
            let evidence = spec_evidence(&pod.subject, excerpt);
            self.push(Link {
                from: pod.subject.clone(),
                to,
                relation,
                failing: false,
                evidence,
            });
        };
        if let Some(node) = &spec.node_name {
            link(
                ObjectRef::new("Node", None, node.as_str()),
                Relation::RunsOn,
                format!("spec.nodeName: {node}"),
            );
        }
        if let Some(sa) = &spec.service_account_name {
            link(
                ObjectRef::new("ServiceAccount", ns, sa.as_str()),
                Relation::Reads,
                format!("spec.serviceAccountName: {sa}"),
            );
        }
        for v in spec.volumes.iter().flatten() {
            if let Some(c) = &v.persistent_volume_claim {
                link(
                    ObjectRef::new("PersistentVolumeClaim", ns, c.claim_name.as_str()),
                    Relation::Mounts,
                    format!("volume {}: persistentVolumeClaim {}", v.name, c.claim_name),
                );
            }
            if let Some(name) = v.config_map.as_ref().map(|c| &c.name) {
                link(
                    ObjectRef::new("ConfigMap", ns, name.as_str()),
                    Relation::Reads,
                    format!("volume {}: configMap {name}", v.name),
                );
            }
            if let Some(name) = v.secret.as_ref().and_then(|s| s.secret_name.as_ref()) {
                link(
                    ObjectRef::new("Secret", ns, name.as_str()),
                    Relation::Reads,
                    format!("volume {}: secret {name}", v.name),
                );
            }
        }
        for c in pod.containers.iter().filter_map(|c| c.spec) {
            for e in c.env.iter().flatten() {
                let from = e.value_from.as_ref();
                if let Some(r) = from.and_then(|f| f.config_map_key_ref.as_ref()) {
                    link(
                        ObjectRef::new("ConfigMap", ns, r.name.as_str()),
                        Relation::Reads,
                        format!(
                            "{} env {}: configMapKeyRef {}/{}",
                            c.name, e.name, r.name, r.key
                        ),
                    );
                }
                if let Some(r) = from.and_then(|f| f.secret_key_ref.as_ref()) {
                    link(
                        ObjectRef::new("Secret", ns, r.name.as_str()),
                        Relation::Reads,
                        format!(
                            "{} env {}: secretKeyRef {}/{}",
                            c.name, e.name, r.name, r.key
                        ),
                    );
                }
            }
        }
    }

    /// Hosts a pod names — in env values, args and log lines — resolved to Services, and
    /// failing lookups resolved to cluster DNS.
    fn host_links(
        &mut self,
        snapshot: &Snapshot,
        by_ip: &HashMap<&str, ObjectRef>,
        pod: &PodContext<'_>,
    ) {
        let own = &pod.workload;
        for c in &pod.containers {
            // An init container that has not finished is waiting: what it names is what it
            // waits for.
            let waiting = c.init && c.terminated().is_none_or(|t| t.exit_code != 0);
            let relation = if waiting {
                Relation::WaitsFor
            } else {
                Relation::Calls
            };
            if let Some(spec) = c.spec {
                for e in spec.env.iter().flatten() {
                    let Some(value) = e.value.as_deref() else {
                        continue;
                    };
                    for host in hosts_in(value, true) {
                        if let Some(svc) = resolve(snapshot, pod.namespace, &host) {
                            let excerpt = format!(
                                "{} env {}={}",
                                c.name,
                                e.name,
                                clip(value, Budget::Bytes(200))
                            );
                            self.service_link(
                                own,
                                svc,
                                relation,
                                waiting,
                                spec_evidence(&pod.subject, excerpt),
                            );
                        }
                    }
                }
                let argv = spec
                    .command
                    .iter()
                    .flatten()
                    .chain(spec.args.iter().flatten());
                for arg in argv {
                    for host in hosts_in(arg, false) {
                        if let Some(svc) = resolve(snapshot, pod.namespace, &host) {
                            let excerpt =
                                format!("{} args: {}", c.name, clip(arg, Budget::Bytes(300)));
                            self.service_link(
                                own,
                                svc,
                                relation,
                                waiting,
                                spec_evidence(&pod.subject, excerpt),
                            );
                        }
                    }
                }
            }
            for previous in [true, false] {
                let Some(log) = snapshot.log(pod.namespace, pod.name, c.name, previous) else {
                    continue;
                };
                self.log_links(snapshot, by_ip, pod, c.name, relation, log);
            }
        }
    }

    fn log_links(
        &mut self,
        snapshot: &Snapshot,
        by_ip: &HashMap<&str, ObjectRef>,
        pod: &PodContext<'_>,
        container: &str,
        relation: Relation,
        log: &str,
    ) {
        let own = &pod.workload;
        let mut dns_line: Option<&str> = None;
        for line in log.lines() {
            let failing = is_error_line(line, Strictness::Any);
            if failing && RESOLVER.is_match(line) {
                dns_line = Some(line);
            }
            let evidence = || Evidence {
                id: String::new(),
                source: EvidenceSource::Log,
                object: pod.subject.clone(),
                excerpt: format!("{container}: {}", clip(line.trim(), Budget::Bytes(300))),
                timestamp: None,
                strength: if failing {
                    Strength::Indirect
                } else {
                    Strength::Circumstantial
                },
            };
            for cap in IP_PORT.captures_iter(line) {
                if let Some(svc) = by_ip.get(&cap[1]) {
                    self.service_link(own, svc.clone(), relation, failing, evidence());
                }
            }
            for host in hosts_in(line, false) {
                if let Some(svc) = resolve(snapshot, pod.namespace, &host) {
                    self.service_link(own, svc, relation, failing, evidence());
                }
            }
        }
        if let Some(line) = dns_line {
            let to = ObjectRef::new("Service", Some("kube-system"), "kube-dns");
            if !self.is_dns(own) {
                self.push(Link {
                    from: own.clone(),
                    to,
                    relation: Relation::ResolvesThrough,
                    failing: true,
                    evidence: Evidence {
                        id: String::new(),
                        source: EvidenceSource::Log,
                        object: pod.subject.clone(),
                        excerpt: format!("{container}: {}", clip(line.trim(), Budget::Bytes(300))),
                        timestamp: None,
                        strength: Strength::Indirect,
                    },
                });
            }
        }
    }

    fn service_link(
        &mut self,
        own: &ObjectRef,
        svc: ObjectRef,
        relation: Relation,
        failing: bool,
        evidence: Evidence,
    ) {
        // A pod naming its own Service (its advertised address) does not depend on itself;
        // the resolver's address in a lookup error is a ResolvesThrough link, not a call.
        if self.backing(&svc).any(|w| w == own) || self.dns.contains(&svc) {
            return;
        }
        self.push(Link {
            from: own.clone(),
            to: svc,
            relation,
            failing,
            evidence,
        });
    }

    /// A controller whose pods an admission webhook rejects → the webhook's Service, from
    /// the `FailedCreate` event that quotes the call (`failed calling webhook "…": failed to
    /// call webhook: Post "https://svc.ns.svc:443/…"`).
    fn webhook_links(&mut self, snapshot: &Snapshot) {
        for e in &snapshot.objects.events {
            if e.reason.as_deref() != Some("FailedCreate") {
                continue;
            }
            let Some(msg) = e
                .message
                .as_deref()
                .filter(|m| m.contains("calling webhook"))
            else {
                continue;
            };
            let obj = &e.involved_object;
            let ns = obj
                .namespace
                .as_deref()
                .or(e.metadata.namespace.as_deref())
                .unwrap_or("");
            let Some(kind) = obj.kind.as_deref().and_then(Kind::from_kind_field) else {
                continue;
            };
            let Some(meta) = snapshot.meta(kind, ns, obj.name.as_deref().unwrap_or("")) else {
                continue;
            };
            let from = snapshot.workload_of(kind, meta);
            for host in hosts_in(msg, false) {
                if let Some(svc) = resolve(snapshot, ns, &host) {
                    self.push(Link {
                        from: from.clone(),
                        to: svc,
                        relation: Relation::AdmittedBy,
                        failing: true,
                        evidence: super::Context::event_evidence(e, Strength::Direct),
                    });
                }
            }
        }
    }

    /// Evicted or node-OOM-killed pods → the workload the kubelet named as consuming far
    /// more than it requested on the same node, unless the node is broken by itself.
    fn starvation_links(&mut self, snapshot: &Snapshot, pods: &[PodContext<'_>]) {
        let hogs = starving_workloads(snapshot, pods);
        if hogs.is_empty() {
            return;
        }
        let events = node_events(snapshot);
        for pod in pods {
            let Some(node) = pod.pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
                continue;
            };
            let Some((hog, evidence)) = hogs.get(node) else {
                continue;
            };
            if &pod.workload == hog {
                continue;
            }
            let evicted = pod.pod.status.as_ref().and_then(|s| s.reason.as_deref())
                == Some("Evicted")
                || !pod.events_with(&["Evicted"]).is_empty();
            // An OOM kill is the node's doing only when the kernel's global OOM killer
            // named this container's process; at its own limit it is the pod's own problem.
            let here = events.get(node).map(Vec::as_slice).unwrap_or(&[]);
            let oom = pod.containers.iter().any(|c| {
                c.terminated().and_then(|t| t.reason.as_deref()) == Some("OOMKilled")
                    && c.spec
                        .is_some_and(|spec| system_oom_names(here, &process_names(spec)))
            });
            if evicted || oom {
                self.push(Link {
                    from: pod.workload.clone(),
                    to: hog.clone(),
                    relation: Relation::StarvedBy,
                    failing: true,
                    evidence: evidence.clone(),
                });
            }
        }
    }
}

/// Whether a `SystemOOM` event among `events` names one of these process names as victim.
fn system_oom_names(events: &[&Event], names: &[String]) -> bool {
    events.iter().any(|e| {
        e.reason.as_deref() == Some("SystemOOM")
            && e.message
                .as_deref()
                .and_then(|m| VICTIM.captures(m))
                .and_then(|cap| cap.iter().skip(1).flatten().next())
                .is_some_and(|v| names.iter().any(|n| n == v.as_str()))
    })
}

/// Whether a pod serves cluster DNS.
pub fn is_dns_pod(pod: &Pod) -> bool {
    pod.metadata.namespace.as_deref() == Some("kube-system")
        && (pod
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("k8s-app"))
            .is_some_and(|v| v == "kube-dns")
            || pod
                .metadata
                .name
                .as_deref()
                .is_some_and(|n| n.starts_with("coredns")))
}

static USING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"Container (\S+) was using (\S+?), request is (\S+?), has larger consumption of ([A-Za-z0-9._-]+?)\.")
        .expect("regex")
});

/// 256Mi: what a container with no request must use before an eviction names it the hog.
const NO_REQUEST_HOG: f64 = 268_435_456.0;

/// `(container, using, request, resource)` for each container an eviction message shows
/// well above its request (more than 1.5×, or anything against no request).
pub fn eviction_hogs(message: &str) -> Vec<(String, String, String, String)> {
    USING
        .captures_iter(message)
        .filter(|c| {
            let using = parse_quantity(&c[2]).unwrap_or(0.0);
            let request = parse_quantity(&c[3]).unwrap_or(0.0);
            // Against no request, only a large amount marks a hog: every pod uses some.
            if request == 0.0 {
                using >= NO_REQUEST_HOG
            } else {
                using > 1.5 * request
            }
        })
        .map(|c| {
            (
                c[1].to_string(),
                c[2].to_string(),
                c[3].to_string(),
                c[4].to_string(),
            )
        })
        .collect()
}

/// Whether a node is broken by itself, not by a workload on it: it is not Ready, its image
/// store cannot be freed, or the kernel killed the node's own agents. `events` are the
/// node's events.
pub fn node_broken_by_itself(node: Option<&Node>, events: &[&Event]) -> bool {
    let ready = node
        .and_then(|n| n.status.as_ref()?.conditions.as_ref())
        .and_then(|cs| cs.iter().find(|c| c.type_ == "Ready"));
    if ready.is_some_and(|c| c.status != "True") {
        return true;
    }
    events.iter().any(|e| {
        let msg = e.message.as_deref().unwrap_or("");
        matches!(
            e.reason.as_deref(),
            Some("FreeDiskSpaceFailed" | "ImageGCFailed" | "ContainerGCFailed")
        ) || (e.reason.as_deref() == Some("SystemOOM")
            && ["kubelet", "containerd", "dockerd", "crio", "systemd"]
                .iter()
                .any(|p| msg.contains(&format!("victim process: {p},"))))
    })
}

/// Events about each Node, by node name. Kubelets record them with the node's name as uid
/// and in the `default` namespace, so they are matched by kind and name.
fn node_events(snapshot: &Snapshot) -> HashMap<&str, Vec<&Event>> {
    let mut out: HashMap<&str, Vec<&Event>> = HashMap::new();
    for e in &snapshot.objects.events {
        if let (Some("Node"), Some(name)) = (
            e.involved_object.kind.as_deref(),
            e.involved_object.name.as_deref(),
        ) {
            out.entry(name).or_default().push(e);
        }
    }
    out
}

/// Node → (the workload starving it, the kubelet's words) for Ready nodes whose evictions
/// name one workload far above its request.
fn starving_workloads(
    snapshot: &Snapshot,
    pods: &[PodContext<'_>],
) -> HashMap<String, (ObjectRef, Evidence)> {
    let mut out: HashMap<String, (ObjectRef, Evidence)> = HashMap::new();
    // Read only when some eviction names a hog: most snapshots have none.
    let mut events: Option<HashMap<&str, Vec<&Event>>> = None;
    for pod in pods {
        let Some(node) = pod.pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
            continue;
        };
        if out.contains_key(node) {
            continue;
        }
        let event = pod.events_with(&["Evicted"]).into_iter().next_back();
        let message = pod
            .pod
            .status
            .as_ref()
            .and_then(|s| s.message.clone())
            .filter(|m| m.contains("was using"))
            .or_else(|| event.and_then(|e| e.message.clone()))
            .unwrap_or_default();
        if eviction_hogs(&message).is_empty() {
            continue;
        }
        let events = events.get_or_insert_with(|| node_events(snapshot));
        let node_obj = snapshot
            .objects
            .nodes
            .iter()
            .find(|n| n.metadata.name.as_deref() == Some(node));
        let here = events.get(node).map(Vec::as_slice).unwrap_or(&[]);
        if node_broken_by_itself(node_obj, here) {
            continue;
        }
        let evidence = match event {
            Some(e) => super::Context::event_evidence(e, Strength::Direct),
            None => super::Context::evidence(
                EvidenceSource::Status,
                &pod.subject,
                format!("Evicted: {message}"),
                Strength::Direct,
            ),
        };
        out.insert(node.to_string(), (pod.workload.clone(), evidence));
    }
    // The kernel's OOM killer acting before the kubelet could evict: the hog is the
    // container with no memory limit whose process a SystemOOM event names.
    for pod in pods {
        let Some(node) = pod.pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) else {
            continue;
        };
        if out.contains_key(node) {
            continue;
        }
        let unbounded = pod.containers.iter().filter(|c| {
            c.resource("limits", "memory").is_none()
                && c.terminated().and_then(|t| t.reason.as_deref()) == Some("OOMKilled")
        });
        for c in unbounded {
            let Some(spec) = c.spec else { continue };
            let names = process_names(spec);
            let events = events.get_or_insert_with(|| node_events(snapshot));
            let here = events.get(node).map(Vec::as_slice).unwrap_or(&[]);
            let node_obj = snapshot
                .objects
                .nodes
                .iter()
                .find(|n| n.metadata.name.as_deref() == Some(node));
            if node_broken_by_itself(node_obj, here) {
                break;
            }
            let named = here
                .iter()
                .find(|e| system_oom_names(std::slice::from_ref(e), &names));
            if let Some(e) = named {
                let evidence = super::Context::event_evidence(e, Strength::Direct);
                out.insert(node.to_string(), (pod.workload.clone(), evidence));
                break;
            }
        }
    }
    out
}

fn spec_evidence(subject: &ObjectRef, excerpt: String) -> Evidence {
    Evidence {
        id: String::new(),
        source: EvidenceSource::Spec,
        object: subject.clone(),
        excerpt,
        timestamp: None,
        strength: Strength::Circumstantial,
    }
}

fn services_by_ip(snapshot: &Snapshot) -> HashMap<&str, ObjectRef> {
    snapshot
        .objects
        .services
        .iter()
        .filter_map(|s: &Service| {
            let ip = s.spec.as_ref()?.cluster_ip.as_deref()?;
            (ip != "None").then(|| (ip, ObjectRef::from_meta(Kind::Service, &s.metadata)))
        })
        .collect()
}

/// A lookup the cluster resolver failed to answer — a timeout, SERVFAIL, a temporary
/// failure — as Go, glibc, Node and curl say it. "No such host" is an answer (the name does
/// not exist), so it is the name's problem, not the resolver's.
static RESOLVER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"lookup \S+ on [0-9a-fA-F.:\[\]]+:53: (?:read udp \S+ )?(?:i/o timeout|server misbehaving)",
        r"|lookup \S+ on [0-9a-fA-F.:\[\]]+:53: .*connection refused",
        r"|Temporary failure in name resolution|getaddrinfo EAI_AGAIN",
        r"|Resolving timed out|DNS resolution timed out",
    ))
    .expect("regex")
});

static IP_PORT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b((?:\d{1,3}\.){3}\d{1,3}):\d{1,5}\b").expect("regex"));

/// `scheme://host[:port]`, `host:port`, `name.ns.svc[.cluster.local]`, `lookup host`.
static HOST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/\s]*@)?([A-Za-z0-9][A-Za-z0-9.-]*)",
        r"|\b([a-z0-9][a-z0-9-]*(?:\.[a-z0-9][a-z0-9-]*)*):\d{2,5}\b",
        r"|\b([a-z0-9][a-z0-9-]*\.[a-z0-9][a-z0-9-]*\.svc(?:\.cluster\.local)?)\b",
        r"|\blookup ([A-Za-z0-9][A-Za-z0-9.-]*)",
        r#"|\bhost(?:name)? "?([a-z0-9][a-z0-9.-]*)"?"#,
    ))
    .expect("regex")
});

static BARE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?$").expect("regex"));

/// Host names in a text; `bare` also takes the whole text as a name (`DB_HOST=postgres`).
fn hosts_in(text: &str, bare: bool) -> Vec<String> {
    let mut out: Vec<String> = HOST
        .captures_iter(text)
        .filter_map(|c| (1..=5).find_map(|i| c.get(i)))
        .map(|m| m.as_str().trim_end_matches('.').to_ascii_lowercase())
        .collect();
    if bare && BARE.is_match(text) {
        out.push(text.to_string());
    }
    out.sort();
    out.dedup();
    out
}

/// The Service an in-cluster name stands for, as the pod's resolver would find it:
/// `name`, `name.ns`, `name.ns.svc`, `name.ns.svc.cluster.local`.
fn resolve(snapshot: &Snapshot, pod_ns: &str, host: &str) -> Option<ObjectRef> {
    let host = host.strip_suffix(".cluster.local").unwrap_or(host);
    let host = host.strip_suffix(".svc").unwrap_or(host);
    let parts: Vec<&str> = host.split('.').collect();
    let (ns, name) = match parts.as_slice() {
        [name] => (pod_ns, *name),
        [name, ns] => (*ns, *name),
        _ => return None,
    };
    snapshot
        .index()
        .position(Kind::Service, ns, name)
        .map(|_| ObjectRef::new("Service", Some(ns), name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hosts_are_read_from_urls_host_ports_and_service_names() {
        assert_eq!(
            hosts_in("http://inventory:8080/api", false),
            vec!["inventory"]
        );
        assert_eq!(
            hosts_in("dial tcp postgres:5432: connect: connection refused", false),
            vec!["postgres"]
        );
        assert_eq!(
            hosts_in("connecting to db.data.svc.cluster.local", false),
            vec!["db.data.svc.cluster.local"]
        );
        assert_eq!(hosts_in("postgres", true), vec!["postgres"]);
        assert!(hosts_in("postgres", false).is_empty());
        assert!(hosts_in("starting worker with 4 threads", false).is_empty());
    }

    #[test]
    fn eviction_messages_name_the_container_far_above_its_request() {
        let msg = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 85Mi. Container app was using 1.8Gi, request is 256Mi, has larger consumption of memory.";
        let hogs = eviction_hogs(msg);
        assert_eq!(hogs.len(), 1);
        assert_eq!(hogs[0].0, "app");
        assert_eq!(hogs[0].3, "memory");
        let modest = "The node was low on resource: memory. Threshold quantity: 100Mi, available: 85Mi. Container web was using 120Mi, request is 128Mi, has larger consumption of memory.";
        assert!(eviction_hogs(modest).is_empty());
    }
}
