//! Right-sizing from observed usage (metrics.k8s.io): one sample per pod, so the rule is
//! deliberately coarse and says so.
//!
//! For each container of a long-running workload, `observed` is the largest usage over its
//! running pods, and `suggested = observed × 1.3` rounded up (CPU to 10m, at least 10m;
//! memory to 16Mi, at least 16Mi). A request is reported when it is at least twice the
//! suggestion and frees at least 100m / 64Mi per replica, or when observed usage is above
//! it. A memory limit is reported when observed usage is above 90% of it, with
//! `observed × 1.5` rounded up to 64Mi.

use super::super::model::{Recommendation, RecommendationKind};
use super::super::resources::amount;
use super::super::workloads::workloads;
use super::{MI, PodsByWorkload, bytes, millicores, platform_namespace, round_up};
use crate::model::Snapshot;

const HEADROOM: f64 = 1.3;
const LIMIT_HEADROOM: f64 = 1.5;

pub(super) fn right_size(snapshot: &Snapshot, pods: &PodsByWorkload<'_>) -> Vec<Recommendation> {
    let metrics = &snapshot.metrics;
    if metrics.pods.is_none() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for w in workloads(snapshot) {
        let (Some(spec), Some(running)) = (w.spec, pods.get(&w.subject)) else {
            continue;
        };
        if !w.long_running || platform_namespace(&w.subject) {
            continue;
        }
        for c in &spec.containers {
            let samples: Vec<_> = running
                .iter()
                .filter_map(|p| {
                    let m = metrics.pod(
                        p.metadata.namespace.as_deref().unwrap_or(""),
                        p.metadata.name.as_deref().unwrap_or(""),
                    )?;
                    let cm = m.containers.iter().find(|x| x.name == c.name)?;
                    Some(amount(Some(&cm.usage)))
                })
                .collect();
            let Some(cpu_seen) = samples.iter().map(|a| a.cpu_millicores).max() else {
                continue;
            };
            let mem_seen = samples.iter().map(|a| a.memory_bytes).max().unwrap_or(0);
            let r = c.resources.as_ref();
            let req = amount(r.and_then(|r| r.requests.as_ref().or(r.limits.as_ref())));
            let lim = amount(r.and_then(|r| r.limits.as_ref()));
            let n = samples.len();
            let replicas = running.len() as u64;
            let over = if n == 1 {
                "1 pod".to_string()
            } else {
                format!("the largest of {n} pods")
            };

            let mut changes = Vec::new();
            let mut math = Vec::new();
            let cpu_sugg = round_up(cpu_seen as f64 * HEADROOM, 10).max(10);
            let cpu_req = req.cpu_millicores;
            if cpu_req > 0
                && (cpu_seen > cpu_req || (cpu_req >= 2 * cpu_sugg && cpu_req - cpu_sugg >= 100))
            {
                changes.push(format!(
                    "cpu request {} → {}",
                    millicores(cpu_req),
                    millicores(cpu_sugg)
                ));
                let effect = match cpu_seen > cpu_req {
                    true => format!("uses more than the {} requested", millicores(cpu_req)),
                    false => format!(
                        "{:.1}× over; frees {} × {replicas} replicas = {}",
                        cpu_req as f64 / cpu_sugg as f64,
                        millicores(cpu_req - cpu_sugg),
                        millicores((cpu_req - cpu_sugg) * replicas)
                    ),
                };
                math.push(format!(
                    "cpu: observed {} ({over}) × {HEADROOM} = {} → {}; requested {} ({effect})",
                    millicores(cpu_seen),
                    millicores((cpu_seen as f64 * HEADROOM).round() as u64),
                    millicores(cpu_sugg),
                    millicores(cpu_req),
                ));
            }
            let mem_sugg = round_up(mem_seen as f64 * HEADROOM, 16 * MI).max(16 * MI);
            let mem_req = req.memory_bytes;
            if mem_req > 0
                && (mem_seen > mem_req
                    || (mem_req >= 2 * mem_sugg && mem_req - mem_sugg >= 64 * MI))
            {
                changes.push(format!(
                    "memory request {} → {}",
                    bytes(mem_req),
                    bytes(mem_sugg)
                ));
                let effect = match mem_seen > mem_req {
                    true => format!("uses more than the {} requested", bytes(mem_req)),
                    false => format!(
                        "{:.1}× over; frees {} × {replicas} replicas = {}",
                        mem_req as f64 / mem_sugg as f64,
                        bytes(mem_req - mem_sugg),
                        bytes((mem_req - mem_sugg) * replicas)
                    ),
                };
                math.push(format!(
                    "memory: observed {} ({over}) × {HEADROOM} = {} → {}; requested {} ({effect})",
                    bytes(mem_seen),
                    bytes((mem_seen as f64 * HEADROOM).round() as u64),
                    bytes(mem_sugg),
                    bytes(mem_req),
                ));
            }
            let mem_lim = lim.memory_bytes;
            if mem_lim > 0 && mem_seen as f64 > 0.9 * mem_lim as f64 {
                let to = round_up(mem_seen as f64 * LIMIT_HEADROOM, 64 * MI);
                changes.push(format!("memory limit {} → {}", bytes(mem_lim), bytes(to)));
                math.push(format!(
                    "memory limit: observed {} is {:.0}% of the {} limit (over 90%); {} × {LIMIT_HEADROOM} = {} → {}",
                    bytes(mem_seen),
                    mem_seen as f64 * 100.0 / mem_lim as f64,
                    bytes(mem_lim),
                    bytes(mem_seen),
                    bytes((mem_seen as f64 * LIMIT_HEADROOM).round() as u64),
                    bytes(to)
                ));
            }
            if changes.is_empty() {
                continue;
            }
            out.push(Recommendation {
                kind: RecommendationKind::RightSize,
                subject: w.subject.clone(),
                summary: format!("container {}: {}", c.name, changes.join(", ")),
                arithmetic: math.join("; "),
                action: format!(
                    "set these in the {} manifest; usage is one metrics-server sample, so confirm over a busy day (e.g. krr or Prometheus) before lowering",
                    w.subject
                ),
            });
        }
    }
    out
}
