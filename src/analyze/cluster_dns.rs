//! Cluster DNS itself broken: CoreDNS / kube-dns crashing on a forwarding loop
//! (`plugin/loop`), down altogether, or up but unable to reach its upstream resolver
//! (`[ERROR] plugin/errors: … read udp …->UPSTREAM:53: i/o timeout`, sustained). The finding
//! is on the DNS workload, category `network-dns`; workloads whose lookups fail are listed
//! under it by `rca` (they resolve names through it). CoreDNS's own HINFO self-check
//! queries time out harmlessly at startup and are not counted.

use std::collections::BTreeMap;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::Pod;
use regex::Regex;

use super::graph::is_dns_pod;
use super::{Analyzer, Category, Context, EvidenceSource, Finding, Severity, Strength};
use crate::model::text::{Budget, clip};
use crate::model::{Kind, ObjectRef, pod_is_healthy};

pub struct ClusterDns;

/// Upstream errors below this many are noise (a resolver hiccup), not an outage.
const SUSTAINED: usize = 3;

static LOOP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"plugin/loop: Loop \(([^)]*)\) detected").expect("regex"));
/// `[ERROR] plugin/errors: 2 api.example.com. A: read udp 10.244.1.3:40000->10.0.0.2:53: i/o timeout`
static UPSTREAM: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"plugin/errors: \d+ (\S+) ([A-Z]+): (?:read|dial|write) (?:udp|tcp) \S*->([0-9A-Fa-f.:\[\]]+)",
        r": (i/o timeout|connection refused|no route to host|network is unreachable)"
    ))
    .expect("regex")
});

/// What one DNS workload's pods show.
#[derive(Default)]
struct Seen<'a> {
    pods: Vec<&'a Pod>,
    loop_line: Option<(&'a Pod, String)>,
    /// Upstream → (errors, an example line and its pod).
    upstream: BTreeMap<String, (usize, String, Option<&'a Pod>)>,
}

impl Analyzer for ClusterDns {
    fn name(&self) -> &'static str {
        "cluster_dns"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        let snapshot = cx.snapshot;
        let mut by_workload: BTreeMap<ObjectRef, Seen<'_>> = BTreeMap::new();
        for pod in snapshot.objects.pods.iter().filter(|p| is_dns_pod(p)) {
            let w = snapshot.workload_of(Kind::Pod, &pod.metadata);
            let seen = by_workload.entry(w).or_default();
            seen.pods.push(pod);
            let name = pod.metadata.name.as_deref().unwrap_or("");
            let containers = pod.spec.iter().flat_map(|s| s.containers.iter());
            for c in containers {
                for previous in [true, false] {
                    let Some(log) = snapshot.log("kube-system", name, &c.name, previous) else {
                        continue;
                    };
                    for line in log.lines() {
                        if seen.loop_line.is_none() && LOOP.is_match(line) {
                            seen.loop_line = Some((pod, line.trim().to_string()));
                        }
                        if let Some(m) = UPSTREAM.captures(line)
                            && &m[2] != "HINFO"
                        {
                            let e = seen.upstream.entry(m[3].to_string()).or_insert((
                                0,
                                String::new(),
                                None,
                            ));
                            e.0 += 1;
                            if e.1.is_empty() {
                                e.1 = line.trim().to_string();
                                e.2 = Some(pod);
                            }
                        }
                    }
                }
            }
        }
        for (workload, seen) in by_workload {
            if let Some(f) = finding(self.name(), &workload, &seen) {
                out.push(f);
            }
        }
    }
}

fn finding(analyzer: &str, workload: &ObjectRef, seen: &Seen<'_>) -> Option<Finding> {
    let down = !seen.pods.is_empty() && !seen.pods.iter().any(|p| pod_is_healthy(p));
    let upstream = seen
        .upstream
        .iter()
        .filter(|(_, (n, _, _))| *n >= SUSTAINED)
        .max_by_key(|(_, (n, _, _))| *n);
    let subject_pod = seen
        .loop_line
        .as_ref()
        .map(|(p, _)| *p)
        .or_else(|| upstream.and_then(|(_, (_, _, p))| *p))
        .or_else(|| seen.pods.first().copied())?;
    let subject = ObjectRef::from_meta(Kind::Pod, &subject_pod.metadata);
    let pod_names: Vec<&str> = seen
        .pods
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .collect();
    let state = if down {
        format!(
            "no {} pod is ready ({})",
            workload.name,
            pod_names.join(", ")
        )
    } else {
        format!("its pods are Running ({})", pod_names.join(", "))
    };
    let mut f;
    if let Some((_, line)) = &seen.loop_line {
        f = Finding::new(
            analyzer,
            Category::NetworkDns,
            subject.clone(),
            workload.clone(),
            "loop",
        );
        f.summary = "CoreDNS detects a forwarding loop and exits".into();
        f.cause = format!(
            "Cluster DNS is down: {} exits on a forwarding loop (plugin/loop: it forwards queries back to itself, usually because the nodes' /etc/resolv.conf points at a local stub resolver such as 127.0.0.53), and {state}.",
            workload.name
        );
        f.evidence.push(log(&subject, line, Strength::Direct));
        if down {
            f.evidence.push(Context::evidence(
                EvidenceSource::Status,
                &subject,
                format!("no ready pod of {workload}: {}", pod_names.join(", ")),
                Strength::Indirect,
            ));
        }
        f.fix = vec![
            "Forward CoreDNS to a real upstream: set the kubelet's `resolvConf` to /run/systemd/resolve/resolv.conf on systemd-resolved hosts, or replace `forward . /etc/resolv.conf` in the kube-system/coredns ConfigMap with the upstream resolvers' IPs.".into(),
            "Then restart CoreDNS: `kubectl -n kube-system rollout restart deployment/coredns`.".into(),
        ];
        f = f.fact("problem", "loop");
    } else if let Some((addr, (n, line, _))) = upstream {
        f = Finding::new(
            analyzer,
            Category::NetworkDns,
            subject.clone(),
            workload.clone(),
            "upstream",
        );
        f.summary = format!("CoreDNS cannot reach its upstream resolver {addr}");
        f.cause = format!(
            "Cluster DNS cannot resolve names outside the cluster: {} cannot reach its upstream resolver {addr} ({n} failed forwards in its log, e.g. `{}`), so external lookups fail with SERVFAIL while {state}.",
            workload.name,
            clip(line, Budget::Bytes(200))
        );
        f.evidence.push(log(&subject, line, Strength::Direct));
        f.evidence.push(Context::evidence(
            EvidenceSource::Log,
            &subject,
            format!("{n} queries forwarded to {addr} failed"),
            Strength::Indirect,
        ));
        f.fix = vec![
            format!("Check that CoreDNS pods can reach {addr} on UDP and TCP 53 (NetworkPolicies in kube-system, security groups, the node's route to the VPC resolver): `kubectl -n kube-system exec deploy/coredns -- nslookup example.com {addr}` from a debug pod."),
            "If that resolver is gone, point `forward` in the kube-system/coredns ConfigMap at one that answers.".into(),
        ];
        f = f
            .fact("problem", "upstream")
            .fact("upstream", addr)
            .fact("errors", n);
    } else if down {
        f = Finding::new(
            analyzer,
            Category::NetworkDns,
            subject.clone(),
            workload.clone(),
            "down",
        );
        f.summary = "cluster DNS is down".into();
        f.cause =
            format!("Cluster DNS is down: {state}, so every name lookup in the cluster fails.");
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &subject,
            format!("no ready pod of {workload}: {}", pod_names.join(", ")),
            Strength::Indirect,
        ));
        f.fix = vec![format!(
            "Find why {} is not ready: `kubectl -n kube-system describe pods -l k8s-app=kube-dns` and its logs (`--previous` for crashes).",
            workload.name
        )];
        f = f.fact("problem", "down");
    } else {
        return None;
    }
    f.severity = Severity::Critical;
    f.prevention = vec![
        "Run CoreDNS with at least two replicas spread over nodes and alert on its SERVFAIL rate (coredns_dns_responses_total{rcode=\"SERVFAIL\"}).".into(),
    ];
    Some(f)
}

fn log(subject: &ObjectRef, line: &str, strength: Strength) -> super::Evidence {
    Context::evidence(
        EvidenceSource::Log,
        subject,
        format!("coredns: {}", clip(line, Budget::Bytes(400))),
        strength,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::findings;

    fn example(name: &str) -> Vec<Finding> {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        let snapshot = crate::source::bundle::read(&dir).expect("example bundle");
        findings(&ClusterDns, &snapshot)
    }

    #[test]
    fn a_coredns_forwarding_loop_is_a_dns_outage_on_the_coredns_deployment() {
        let out = example("dns-coredns-loop");
        assert_eq!(out.len(), 1);
        assert_eq!(out[0].workload.name, "coredns");
        assert_eq!(
            out[0].facts.get("problem").map(String::as_str),
            Some("loop")
        );
        assert!(out[0].cause.contains("forwarding loop"), "{}", out[0].cause);
    }

    #[test]
    fn sustained_upstream_timeouts_name_the_upstream_resolver() {
        let out = example("dns-upstream-timeout");
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0].facts.get("upstream").map(String::as_str),
            Some("10.0.0.2:53")
        );
    }

    #[test]
    fn hinfo_self_check_timeouts_and_healthy_coredns_are_silent() {
        assert!(example("service-no-endpoints").is_empty());
        assert!(example("oom-killed").is_empty());
    }
}
