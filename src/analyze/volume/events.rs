//! Volume chains read from events when the claim's objects are absent. A `kubectl
//! cluster-info dump` has no PersistentVolumeClaims, PersistentVolumes or StorageClasses,
//! but its events still tell the chain: the scheduler's `FailedScheduling` on the pod
//! (`pod has unbound immediate PersistentVolumeClaims`, `node(s) had volume node affinity
//! conflict`) and the volume controller's events on the claim (`ProvisioningFailed`,
//! `FailedBinding`, `ExternalProvisioning`). The claim is named from the pod's volumes; what
//! it asks for (its StorageClass, its provisioner) from those events.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::Event;
use regex::Regex;

use crate::analyze::signatures;
use crate::analyze::{Category, Context, EvidenceSource, Finding, PodContext, Severity, Strength};
use crate::model::{Kind, Snapshot, event_last_seen};

static WITH_CLASS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:with StorageClass|storageclass\.storage\.k8s\.io) "([^"]+)""#).expect("regex")
});
static PROVISIONER: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:external provisioner|provisioner) "?'?([a-z0-9.-]+\.[a-z0-9.-]+)"?'?"#)
        .expect("regex")
});

const UNBOUND: &str = "unbound immediate PersistentVolumeClaims";
const VOLUME_AFFINITY: &str = "volume node affinity conflict";

/// Claims of pods that wait for them, named from the scheduler's events; only claims whose
/// object the input lacks (`pending_claim` speaks for the others).
pub(super) fn analyze(cx: &Context<'_>, pc: &PodContext<'_>, out: &mut Vec<Finding>) {
    let snapshot = cx.snapshot;
    let Some(spec) = pc.pod.spec.as_ref() else {
        return;
    };
    let scheduled = spec.node_name.as_deref().is_some_and(|n| !n.is_empty());
    let phase = pc.pod.status.as_ref().and_then(|s| s.phase.as_deref());
    if scheduled || phase != Some("Pending") || pc.pod.metadata.deletion_timestamp.is_some() {
        return;
    }
    let Some(event) = pc
        .events_with(&["FailedScheduling"])
        .into_iter()
        .next_back()
    else {
        return;
    };
    let message = event.message.as_deref().unwrap_or("");
    let claims: Vec<&str> = spec
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| v.persistent_volume_claim.as_ref())
        .map(|c| c.claim_name.as_str())
        .filter(|c| {
            snapshot
                .index()
                .position(Kind::PersistentVolumeClaim, pc.namespace, c)
                .is_none()
        })
        .collect();
    if claims.is_empty() {
        return;
    }
    if message.contains(VOLUME_AFFINITY) {
        out.push(volume_affinity(snapshot, pc, event, &claims));
    } else if message.contains(UNBOUND) {
        for claim in claims {
            if let Some(f) = unbound(snapshot, pc, event, claim) {
                out.push(f);
            }
        }
    }
}

/// Events about a claim, oldest first by last observation.
fn claim_events<'a>(snapshot: &'a Snapshot, namespace: &str, claim: &str) -> Vec<&'a Event> {
    let mut events: Vec<&Event> = snapshot
        .index()
        .events_for("PersistentVolumeClaim", namespace, claim, None)
        .into_iter()
        .filter_map(|i| snapshot.objects.events.get(i))
        .collect();
    events.sort_by_key(|e| event_last_seen(e));
    events
}

fn latest<'a>(events: &[&'a Event], reason: &str) -> Option<&'a Event> {
    events
        .iter()
        .copied()
        .rfind(|e| e.reason.as_deref() == Some(reason))
}

fn start(pc: &PodContext<'_>, detail: &str, claim: &str) -> Finding {
    let mut f = Finding::new(
        "volume",
        Category::Volume,
        pc.subject.clone(),
        pc.workload.clone(),
        detail,
    );
    f.severity = Severity::Critical;
    f = f.fact("pvc", claim);
    f.prevention = vec![
        "Validate storageClassName against the cluster's StorageClasses before deploying, and use volumeBindingMode: WaitForFirstConsumer so volumes are created where the pod can run.".into(),
    ];
    f
}

fn unbound(
    snapshot: &Snapshot,
    pc: &PodContext<'_>,
    scheduling: &Event,
    claim: &str,
) -> Option<Finding> {
    let ns = pc.namespace;
    let events = claim_events(snapshot, ns, claim);
    let class = events.iter().rev().find_map(|e| {
        WITH_CLASS
            .captures(e.message.as_deref()?)
            .map(|c| c[1].to_string())
    });
    let asks = class
        .as_deref()
        .map(|c| format!(" (StorageClass {c})"))
        .unwrap_or_default();
    let (detail, cause, fix, event) = if let Some(e) = latest(&events, "ProvisioningFailed") {
        let msg = e.message.as_deref().unwrap_or("").trim();
        let missing = msg.contains("storageclass.storage.k8s.io") && msg.contains("not found");
        let known = signatures::active().match_line(msg);
        let (cause, fix) = if missing {
            let class = class.as_deref().unwrap_or("it names");
            (
                format!(
                    "PersistentVolumeClaim {claim} asks for StorageClass {class}, which does not exist, so it stays Pending and pod {} cannot be scheduled (`{msg}`).",
                    pc.name
                ),
                vec![
                    format!(
                        "Point the claim (or the StatefulSet's volumeClaimTemplates) at an existing StorageClass (`kubectl get storageclass`), or create StorageClass {class}."
                    ),
                    format!(
                        "A claim's storageClassName cannot be changed in place: delete PVC {claim} (it holds no data while Pending) so it is recreated from the fixed template."
                    ),
                ],
            )
        } else {
            let fix = match &known {
                Some(m) => m.fix(),
                None => vec![format!(
                    "Fix what the provisioner reports for PVC {claim}{asks} (`kubectl describe pvc {claim} -n {ns}`): the StorageClass's parameters, the CSI driver's credentials or quota; it retries by itself."
                )],
            };
            (
                format!(
                    "Provisioning PersistentVolumeClaim {claim}{asks} fails, so pod {} cannot be scheduled: {msg}",
                    pc.name
                ),
                fix,
            )
        };
        let detail = if missing {
            format!("{claim}/missing-class")
        } else {
            format!("{claim}/provisioning-failed")
        };
        (detail, cause, fix, e)
    } else if let Some(e) = latest(&events, "FailedBinding") {
        let msg = e.message.as_deref().unwrap_or("").trim();
        (
            format!("{claim}/no-volume"),
            format!(
                "PersistentVolumeClaim {claim} cannot bind: {msg}; pod {} waits for it.",
                pc.name
            ),
            vec![format!(
                "Set a storageClassName on PVC {claim} (or mark a StorageClass as default) so a volume is provisioned, or create a PersistentVolume that matches its size and access modes."
            )],
            e,
        )
    } else if let Some(e) = latest(&events, "ExternalProvisioning") {
        let provisioner = e
            .message
            .as_deref()
            .and_then(|m| PROVISIONER.captures(m))
            .map(|c| c[1].to_string())
            .unwrap_or_else(|| "the external provisioner".into());
        (
            format!("{claim}/provisioner-silent"),
            format!(
                "PersistentVolumeClaim {claim}{asks} waits for {provisioner} to create its volume and pod {} waits for the claim; the provisioner has not answered.",
                pc.name
            ),
            vec![format!(
                "Check that the CSI driver for {provisioner} is installed and its controller pods are running (`kubectl get pods -A | grep csi`)."
            )],
            e,
        )
    } else {
        return None;
    };
    let mut f = start(pc, &detail, claim);
    f.summary = format!("PersistentVolumeClaim {claim} is not bound");
    f.cause = cause;
    f.fix = fix;
    if let Some(c) = &class {
        f = f.fact("storage_class", c);
    }
    if let Some(m) = event
        .message
        .as_deref()
        .and_then(|msg| signatures::active().match_line(msg))
    {
        f = f.fact("signature", &m.signature.id);
    }
    f.evidence
        .push(Context::event_evidence(event, Strength::Direct));
    f.evidence
        .push(Context::event_evidence(scheduling, Strength::Indirect));
    Some(f)
}

/// The zones the nodes that are up and schedulable are in.
fn zones(snapshot: &Snapshot) -> BTreeSet<String> {
    snapshot
        .objects
        .nodes
        .iter()
        .filter(|n| {
            !n.spec
                .as_ref()
                .and_then(|s| s.unschedulable)
                .unwrap_or(false)
        })
        .filter_map(|n| {
            n.metadata
                .labels
                .as_ref()?
                .get("topology.kubernetes.io/zone")
                .cloned()
        })
        .collect()
}

fn volume_affinity(
    snapshot: &Snapshot,
    pc: &PodContext<'_>,
    scheduling: &Event,
    claims: &[&str],
) -> Finding {
    let names = claims.join(", ");
    let msg = scheduling.message.as_deref().unwrap_or("").trim();
    let zones = zones(snapshot);
    let zones_text = if zones.is_empty() {
        String::new()
    } else {
        format!(
            "; the schedulable nodes are in {}",
            zones.into_iter().collect::<Vec<_>>().join(", ")
        )
    };
    let mut f = start(
        pc,
        &format!("{}/volume-node-affinity", claims[0]),
        claims[0],
    );
    f.summary = format!("Pod {} cannot run where its volume lives", pc.name);
    f.cause = format!(
        "The PersistentVolume bound to claim {names} is pinned by its node affinity (its zone or node) to nodes that pod {} cannot use, so the pod stays Pending (`{msg}`){zones_text}.",
        pc.name
    );
    f.fix = vec![
        format!(
            "See where the volume lives: `kubectl get pv $(kubectl get pvc {} -n {} -o jsonpath='{{.spec.volumeName}}') -o jsonpath='{{.spec.nodeAffinity}}'`, then bring back a schedulable node there (a node group in that zone, an uncordoned node).",
            claims[0], pc.namespace
        ),
        format!(
            "If the data can be rebuilt (a replica that resyncs), delete PVC {} and the pod so the claim is provisioned again where nodes are; use volumeBindingMode: WaitForFirstConsumer so new volumes follow the pod.",
            claims[0]
        ),
    ];
    f.evidence
        .push(Context::event_evidence(scheduling, Strength::Direct));
    f.evidence.push(Context::evidence(
        EvidenceSource::Spec,
        &pc.subject,
        format!("volumes: persistentVolumeClaim {names} (no PVC or PV object in the input)"),
        Strength::Circumstantial,
    ));
    f
}

#[cfg(test)]
mod tests {
    use std::path::PathBuf;

    use super::*;
    use crate::analyze::testing::findings;
    use crate::analyze::volume::Volume;

    fn example(name: &str) -> Snapshot {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        crate::source::bundle::read(&path).expect("example reads")
    }

    #[test]
    fn a_claim_that_cannot_be_provisioned_is_named_with_its_class_from_the_events() {
        let out = findings(&Volume, &example("dump-provisioning-failed"));
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.workload.to_string(), "StatefulSet shop/rabbitmq");
        assert_eq!(f.facts["pvc"], "data-rabbitmq-0");
        assert_eq!(f.facts["storage_class"], "gp3-encrypted");
        assert_eq!(f.facts["signature"], "aws-unauthorized-operation");
        assert!(f.cause.contains("ec2:CreateVolume"), "{}", f.cause);
        assert!(
            f.fix[0].starts_with("Add the action the message names"),
            "{:?}",
            f.fix
        );
    }

    #[test]
    fn a_volume_node_affinity_conflict_names_the_claim_and_the_zones_left() {
        let out = findings(&Volume, &example("dump-volume-node-affinity"));
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.workload.to_string(), "StatefulSet shop/postgres");
        for s in ["data-postgres-0", "eu-west-1a, eu-west-1b"] {
            assert!(f.cause.contains(s), "{s} in {}", f.cause);
        }
    }

    #[test]
    fn a_claim_present_in_the_input_is_left_to_the_claim_analysis() {
        // examples/volume carries its PVC: `pending_claim` speaks, not the events.
        let out = findings(&Volume, &example("volume"));
        assert_eq!(out.len(), 1, "{out:#?}");
        assert!(
            out[0].id.ends_with("data-postgres-0/missing-class"),
            "{}",
            out[0].id
        );
        assert_eq!(out[0].subject.kind, "PersistentVolumeClaim");
    }
}
