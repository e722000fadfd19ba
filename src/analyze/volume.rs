//! Volume: PersistentVolumeClaims stuck Pending (missing StorageClass, provisioning
//! failures, an external provisioner that never answers), Multi-Attach errors, and attach
//! or mount failures of data volumes. ConfigMap/Secret/projected volumes that fail to
//! mount belong to config-missing and are skipped here. Where the input has no claim
//! objects (a `cluster-info dump`), `events` reads the chain from the events.

use std::collections::BTreeSet;
use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Event, PersistentVolumeClaim, Pod, Volume as PodVolume};
use regex::Regex;

use super::signatures;
use super::{Analyzer, Category, Context, EvidenceSource, Finding, PodContext, Severity, Strength};
use crate::model::{Kind, ObjectRef, Snapshot};

mod events;

pub struct Volume;

impl Analyzer for Volume {
    fn name(&self) -> &'static str {
        "volume"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for pvc in &cx.snapshot.objects.persistent_volume_claims {
            pending_claim(cx, pvc, out);
        }
        for pc in &cx.pods {
            attach_or_mount(cx.snapshot, pc, out);
            events::analyze(cx, pc, out);
        }
    }
}

/// An external provisioner that has not answered for this long is stuck, not slow.
const PROVISIONER_PATIENCE: jiff::SignedDuration = jiff::SignedDuration::from_mins(10);

static CLASS_NOT_FOUND: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"storageclass\.storage\.k8s\.io "([^"]+)" not found"#).expect("regex")
});
static EXTERNAL: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"external provisioner "([^"]+)""#).expect("regex"));
static MULTI_ATTACH: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"Multi-Attach error for volume "([^"]+)""#).expect("regex"));
static FOR_VOLUME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"for volume "([^"]+)""#).expect("regex"));
static UNMOUNTED: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"unmounted volumes=\[([^\]]*)\]").expect("regex"));

fn pending_claim(cx: &Context<'_>, pvc: &PersistentVolumeClaim, out: &mut Vec<Finding>) {
    let snapshot = cx.snapshot;
    let phase = pvc.status.as_ref().and_then(|s| s.phase.as_deref());
    if phase != Some("Pending") {
        return;
    }
    let ns = pvc.metadata.namespace.as_deref().unwrap_or("");
    let name = pvc.metadata.name.as_deref().unwrap_or("");
    let subject = ObjectRef::from_meta(Kind::PersistentVolumeClaim, &pvc.metadata);
    let events = snapshot.events_about(Kind::PersistentVolumeClaim, &pvc.metadata);
    let class = pvc.spec.as_ref().and_then(|s| s.storage_class_name.clone());
    let classes = existing_classes(snapshot);
    let now = snapshot.meta.captured_at;
    let latest = |reason: &str| -> Option<&Event> {
        events
            .iter()
            .copied()
            .rfind(|e| e.reason.as_deref() == Some(reason))
    };

    let not_found_event = latest("ProvisioningFailed").filter(|e| {
        e.message
            .as_deref()
            .is_some_and(|m| CLASS_NOT_FOUND.is_match(m))
    });
    let missing_class = not_found_event
        .and_then(|e| {
            CLASS_NOT_FOUND
                .captures(e.message.as_deref()?)
                .map(|c| c[1].to_string())
        })
        .or_else(|| {
            let c = class.clone().filter(|c| !c.is_empty())?;
            (!snapshot.objects.storage_classes.is_empty() && !classes.iter().any(|(n, _)| *n == c))
                .then_some(c)
        });

    let existing = if classes.is_empty() {
        "no StorageClass in the snapshot".to_string()
    } else {
        format!(
            "existing: {}",
            classes
                .iter()
                .map(|(n, default)| if *default {
                    format!("{n} (default)")
                } else {
                    n.clone()
                })
                .collect::<Vec<_>>()
                .join(", ")
        )
    };
    let pods = pods_using(snapshot, ns, name);
    let pod_names: Vec<&str> = pods
        .iter()
        .filter_map(|p| p.metadata.name.as_deref())
        .collect();
    let blocked = if pod_names.is_empty() {
        String::new()
    } else {
        format!(" and pod {} cannot start", pod_names.join(", "))
    };

    let mut evidence = Vec::new();
    let (detail, cause, fix) = if let Some(missing) = missing_class {
        if let Some(e) = not_found_event {
            evidence.push(Context::event_evidence(e, Strength::Direct));
        }
        if !snapshot.objects.storage_classes.is_empty() {
            evidence.push(Context::evidence(
                EvidenceSource::Spec,
                &subject,
                format!("storageClassName: {missing} ({existing})"),
                if evidence.is_empty() {
                    Strength::Direct
                } else {
                    Strength::Indirect
                },
            ));
        }
        (
            format!("{name}/missing-class"),
            format!(
                "PersistentVolumeClaim {name} asks for StorageClass {missing}, which does not exist ({existing}), so it stays Pending{blocked}."
            ),
            vec![
                format!(
                    "Point the claim (or the StatefulSet's volumeClaimTemplates) at an existing StorageClass ({existing}), or create StorageClass {missing}."
                ),
                format!(
                    "A claim's storageClassName cannot be changed in place: delete PVC {name} (it holds no data while Pending) so it is recreated from the fixed template."
                ),
            ],
        )
    } else if let Some(e) = latest("ProvisioningFailed") {
        evidence.push(Context::event_evidence(e, Strength::Direct));
        let msg = e.message.as_deref().unwrap_or("").trim();
        (
            format!("{name}/provisioning-failed"),
            format!(
                "Provisioning PersistentVolumeClaim {name} (StorageClass {}) fails: {msg}{blocked}.",
                class.as_deref().unwrap_or("default")
            ),
            match signatures::active().match_line(msg) {
                Some(m) => m.fix(),
                None => vec![format!(
                    "Fix what the provisioner reports for PVC {name} (`kubectl describe pvc {name} -n {ns}`), then let it retry."
                )],
            },
        )
    } else if let Some(e) = latest("ExternalProvisioning") {
        let since = pvc.metadata.creation_timestamp.as_ref().map(|t| t.0);
        let waited = since.map(|s| now.duration_since(s)).unwrap_or_default();
        if waited < PROVISIONER_PATIENCE {
            return;
        }
        let provisioner = e
            .message
            .as_deref()
            .and_then(|m| EXTERNAL.captures(m))
            .map(|c| c[1].to_string())
            .unwrap_or_else(|| "the external provisioner".into());
        evidence.push(Context::event_evidence(e, Strength::Indirect));
        (
            format!("{name}/provisioner-silent"),
            format!(
                "PersistentVolumeClaim {name} has waited {} minutes for {provisioner} (StorageClass {}) to create a volume{blocked}; the CSI driver is not answering.",
                waited.as_mins(),
                class.as_deref().unwrap_or("default")
            ),
            vec![format!(
                "Check that the CSI driver for {provisioner} is installed and its controller pods are running."
            )],
        )
    } else if class.is_none() && !classes.is_empty() && !classes.iter().any(|(_, d)| *d) {
        evidence.push(Context::evidence(
            EvidenceSource::Spec,
            &subject,
            format!("no storageClassName and no default StorageClass ({existing})"),
            Strength::Indirect,
        ));
        (
            format!("{name}/no-default-class"),
            format!(
                "PersistentVolumeClaim {name} names no StorageClass and the cluster has no default one ({existing}), so it stays Pending{blocked}."
            ),
            vec!["Set storageClassName on the claim, or mark a StorageClass as default.".into()],
        )
    } else {
        return;
    };

    let mut workloads: BTreeSet<ObjectRef> = pods
        .iter()
        .map(|p| snapshot.workload_of(Kind::Pod, &p.metadata))
        .collect();
    if workloads.is_empty() {
        workloads
            .insert(statefulset_of_claim(snapshot, ns, name).unwrap_or_else(|| subject.clone()));
    }
    for workload in workloads {
        let mut f = Finding::new(
            "volume",
            Category::Volume,
            subject.clone(),
            workload,
            &detail,
        );
        f.severity = Severity::Critical;
        f.summary = format!("PersistentVolumeClaim {name} is Pending");
        f.cause = cause.clone();
        f.fix = fix.clone();
        f.prevention = vec![
            "Validate storageClassName against the cluster's StorageClasses before deploying (a policy or a CI check).".into(),
        ];
        f.evidence = evidence.clone();
        f.evidence.push(Context::evidence(
            EvidenceSource::Status,
            &subject,
            "phase: Pending",
            Strength::Circumstantial,
        ));
        f = f.fact("pvc", name);
        if let Some(c) = &class {
            f = f.fact("storage_class", c);
        }
        out.push(f);
    }
}

/// StorageClasses in the snapshot, with whether each is the default.
fn existing_classes(snapshot: &Snapshot) -> Vec<(String, bool)> {
    snapshot
        .objects
        .storage_classes
        .iter()
        .filter_map(|sc| {
            let name = sc.metadata.name.clone()?;
            let default = sc.metadata.annotations.as_ref().is_some_and(|a| {
                a.get("storageclass.kubernetes.io/is-default-class")
                    .map(String::as_str)
                    == Some("true")
                    || a.get("storageclass.beta.kubernetes.io/is-default-class")
                        .map(String::as_str)
                        == Some("true")
            });
            Some((name, default))
        })
        .collect()
}

fn pods_using<'a>(snapshot: &'a Snapshot, ns: &str, claim: &str) -> Vec<&'a Pod> {
    snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
        .filter(|p| {
            p.spec
                .as_ref()
                .and_then(|s| s.volumes.as_ref())
                .into_iter()
                .flatten()
                .any(|v| {
                    v.persistent_volume_claim
                        .as_ref()
                        .is_some_and(|c| c.claim_name == claim)
                })
        })
        .collect()
}

/// `data-db-0` → StatefulSet db when db has a volumeClaimTemplate named `data`.
fn statefulset_of_claim(snapshot: &Snapshot, ns: &str, claim: &str) -> Option<ObjectRef> {
    snapshot
        .objects
        .stateful_sets
        .iter()
        .filter(|s| s.metadata.namespace.as_deref() == Some(ns))
        .find(|s| {
            let Some(sts) = s.metadata.name.as_deref() else {
                return false;
            };
            s.spec
                .as_ref()
                .and_then(|sp| sp.volume_claim_templates.as_ref())
                .into_iter()
                .flatten()
                .any(|t| {
                    let Some(tmpl) = t.metadata.name.as_deref() else {
                        return false;
                    };
                    claim
                        .strip_prefix(&format!("{tmpl}-{sts}-"))
                        .is_some_and(|ordinal| {
                            !ordinal.is_empty() && ordinal.chars().all(|c| c.is_ascii_digit())
                        })
                })
        })
        .map(|s| ObjectRef::from_meta(Kind::StatefulSet, &s.metadata))
}

fn is_config_volume(v: &PodVolume) -> bool {
    v.config_map.is_some()
        || v.secret.is_some()
        || v.projected.is_some()
        || v.downward_api.is_some()
}

/// Multi-Attach, FailedAttachVolume and FailedMount of data volumes on a pod that has not
/// started.
fn attach_or_mount(snapshot: &Snapshot, pc: &PodContext<'_>, out: &mut Vec<Finding>) {
    let Some(spec) = pc.pod.spec.as_ref() else {
        return;
    };
    let phase = pc.pod.status.as_ref().and_then(|s| s.phase.as_deref());
    let creating = pc
        .containers
        .iter()
        .any(|c| c.waiting_reason() == Some("ContainerCreating"))
        || pc.containers.iter().all(|c| c.status.is_none());
    if phase != Some("Pending") || !creating || pc.pod.metadata.deletion_timestamp.is_some() {
        return;
    }
    let volumes = spec.volumes.as_deref().unwrap_or(&[]);
    let attach = pc.events_with(&["FailedAttachVolume"]);
    let mounts = pc.events_with(&["FailedMount"]);
    let data_mounts: Vec<&Event> = mounts
        .iter()
        .copied()
        .filter(|e| mount_concerns_data_volume(e.message.as_deref().unwrap_or(""), volumes))
        .collect();
    let node = spec.node_name.as_deref().unwrap_or("its node");

    if let Some(e) = attach.last() {
        let msg = e.message.as_deref().unwrap_or("").trim();
        let multi = MULTI_ATTACH.captures(msg).map(|c| c[1].to_string());
        let volume = multi
            .clone()
            .or_else(|| FOR_VOLUME.captures(msg).map(|c| c[1].to_string()))
            .unwrap_or_default();
        let claim = claim_for_volume(snapshot, pc, &volume);
        let claim_text = claim
            .as_ref()
            .map(|(c, modes)| format!(" (PVC {c}{modes})"))
            .unwrap_or_default();
        let other_nodes = nodes_holding(
            snapshot,
            pc,
            &volume,
            claim.as_ref().map(|(c, _)| c.as_str()),
        );
        let (detail, cause, fix) = if multi.is_some() {
            let elsewhere = if other_nodes.is_empty() {
                "another node".to_string()
            } else {
                format!("node {}", other_nodes.join(", "))
            };
            (
                format!("multi-attach/{volume}"),
                format!(
                    "Multi-Attach error: volume {volume}{claim_text} is still attached to {elsewhere}, so it cannot attach to {node} where pod {} was scheduled, and the pod stays in ContainerCreating.",
                    pc.name
                ),
                vec![
                    format!("Make sure no pod on {elsewhere} still uses the volume; if that node is gone or drained, the attach detaches after the 6-minute force-detach timeout, or delete the stale VolumeAttachment for {volume} (`kubectl get volumeattachment | grep {volume}`)."),
                    "Use a ReadWriteMany StorageClass only if the workload really needs the volume on two nodes at once.".into(),
                ],
            )
        } else {
            (
                format!("attach/{volume}"),
                format!(
                    "Attaching volume {volume}{claim_text} to {node} fails for pod {}: {msg}",
                    pc.name
                ),
                match signatures::active().match_line(msg) {
                    Some(m) => m.fix(),
                    None => vec![format!(
                        "Fix what the attacher reports (`kubectl describe pod {} -n {}`); check the CSI driver on {node}.",
                        pc.name, pc.namespace
                    )],
                },
            )
        };
        let mut f = Finding::new(
            "volume",
            Category::Volume,
            pc.subject.clone(),
            pc.workload.clone(),
            &detail,
        );
        f.severity = Severity::Critical;
        f.summary = format!("Pod {} cannot attach volume {volume}", pc.name);
        f.cause = cause;
        f.fix = fix;
        f.prevention = vec!["Drain nodes with `kubectl drain` and wait for VolumeAttachments to clear before moving ReadWriteOnce volumes.".into()];
        f.evidence
            .push(Context::event_evidence(e, Strength::Direct));
        for m in &data_mounts {
            f.evidence
                .push(Context::event_evidence(m, Strength::Circumstantial));
        }
        f = f.fact("volume", &volume).fact("node", node);
        if let Some((c, _)) = &claim {
            f = f.fact("pvc", c);
        }
        if let Some(m) = signatures::active().match_line(msg) {
            f = f.fact("signature", &m.signature.id);
        }
        out.push(f);
        return;
    }
    let Some(e) = data_mounts.last() else { return };
    let msg = e.message.as_deref().unwrap_or("").trim();
    let volume = FOR_VOLUME
        .captures(msg)
        .map(|c| c[1].to_string())
        .or_else(|| UNMOUNTED.captures(msg).map(|c| c[1].trim().to_string()))
        .unwrap_or_default();
    let mut f = Finding::new(
        "volume",
        Category::Volume,
        pc.subject.clone(),
        pc.workload.clone(),
        &format!("mount/{volume}"),
    );
    f.severity = Severity::Critical;
    f.summary = format!("Pod {} cannot mount volume {volume}", pc.name);
    f.cause = format!(
        "Mounting volume {volume} on {node} fails for pod {}: {msg}",
        pc.name
    );
    f.fix = vec![format!(
        "Read the kubelet's mount error (`kubectl describe pod {} -n {}`) and check the volume's backend and CSI node plugin on {node}.",
        pc.name, pc.namespace
    )];
    f.evidence
        .push(Context::event_evidence(e, Strength::Indirect));
    out.push(f.fact("volume", &volume).fact("node", node));
}

/// Whether a FailedMount message is about a volume other than ConfigMap/Secret/projected.
fn mount_concerns_data_volume(msg: &str, volumes: &[PodVolume]) -> bool {
    let names: Vec<String> = if let Some(c) = UNMOUNTED.captures(msg) {
        c[1].split_whitespace().map(str::to_string).collect()
    } else if let Some(c) = FOR_VOLUME.captures(msg) {
        vec![c[1].to_string()]
    } else {
        return false;
    };
    names
        .iter()
        .any(|n| match volumes.iter().find(|v| &v.name == n) {
            Some(v) => !is_config_volume(v),
            // A PV name (`pvc-…`) rather than a pod volume name.
            None => n.starts_with("pvc-"),
        })
}

/// The claim behind a volume name in an event (a PV name or a pod volume name), with its
/// access modes.
fn claim_for_volume(
    snapshot: &Snapshot,
    pc: &PodContext<'_>,
    volume: &str,
) -> Option<(String, String)> {
    let claims: Vec<String> = pc
        .pod
        .spec
        .as_ref()?
        .volumes
        .iter()
        .flatten()
        .filter_map(|v| {
            let c = v.persistent_volume_claim.as_ref()?;
            Some((v.name.clone(), c.claim_name.clone()))
        })
        .filter(|(vname, _)| vname == volume || volume.starts_with("pvc-") || volume.is_empty())
        .map(|(_, c)| c)
        .collect();
    let found = claims.iter().find_map(|c| {
        let i = snapshot
            .index()
            .position(Kind::PersistentVolumeClaim, pc.namespace, c)?;
        let pvc = snapshot.objects.persistent_volume_claims.get(i)?;
        let bound = pvc.spec.as_ref()?.volume_name.as_deref();
        (bound == Some(volume) || !volume.starts_with("pvc-")).then_some(pvc)
    });
    let pvc = match found {
        Some(p) => p,
        None => return claims.first().map(|c| (c.clone(), String::new())),
    };
    let modes = pvc
        .spec
        .as_ref()
        .and_then(|s| s.access_modes.clone())
        .filter(|m| !m.is_empty())
        .map(|m| format!(", {}", m.join(",")))
        .unwrap_or_default();
    Some((pvc.metadata.name.clone().unwrap_or_default(), modes))
}

/// Nodes that still hold the volume: reported attached in node status, or running another
/// pod that mounts the same claim.
fn nodes_holding(
    snapshot: &Snapshot,
    pc: &PodContext<'_>,
    volume: &str,
    claim: Option<&str>,
) -> Vec<String> {
    let here = pc.pod.spec.as_ref().and_then(|s| s.node_name.as_deref());
    let mut out: BTreeSet<String> = BTreeSet::new();
    for n in &snapshot.objects.nodes {
        let Some(name) = n.metadata.name.as_deref() else {
            continue;
        };
        if Some(name) == here {
            continue;
        }
        let attached = n
            .status
            .as_ref()
            .and_then(|s| s.volumes_attached.as_ref())
            .into_iter()
            .flatten()
            .any(|a| a.name.contains(volume));
        if attached && !volume.is_empty() {
            out.insert(name.to_string());
        }
    }
    if let Some(claim) = claim {
        for p in pods_using(snapshot, pc.namespace, claim) {
            if p.metadata.name.as_deref() == Some(pc.name) {
                continue;
            }
            if let Some(n) = p
                .spec
                .as_ref()
                .and_then(|s| s.node_name.as_deref())
                .filter(|n| Some(*n) != here)
            {
                out.insert(format!(
                    "{n} (pod {})",
                    p.metadata.name.as_deref().unwrap_or("")
                ));
            }
        }
    }
    out.into_iter().collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::testing::run;

    #[test]
    fn missing_storage_class_names_the_claim_the_class_and_the_existing_ones() {
        let out = run(&Volume, "volume/missing-storage-class.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.category, Category::Volume);
        assert_eq!(f.workload.to_string(), "StatefulSet shop/postgres");
        for s in [
            "data-postgres-0",
            "fast-ssd",
            "standard (default)",
            "standard-rwx",
        ] {
            assert!(f.cause.contains(s), "{s} in {}", f.cause);
        }
        assert!(f.remedy.is_none());
    }

    #[test]
    fn multi_attach_on_a_statefulset_names_the_volume_and_the_claim() {
        let out = run(&Volume, "volume/multi-attach.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        let f = &out[0];
        assert_eq!(f.workload.to_string(), "StatefulSet shop/postgres");
        assert!(
            f.cause.contains("Multi-Attach")
                && f.cause.contains("pvc-eda4fdef-aade-4b7b-9fa2-331169258ec1")
                && f.cause.contains("data-postgres-0"),
            "{}",
            f.cause
        );
    }

    #[test]
    fn projected_token_volume_mount_failure_is_not_a_volume_problem() {
        assert!(run(&Volume, "volume/projected-mount.json").is_empty());
    }

    #[test]
    fn claim_from_a_statefulset_template_without_pods_maps_to_the_statefulset() {
        let out = run(&Volume, "volume/missing-storage-class-no-pod.json");
        assert_eq!(out.len(), 1, "{out:#?}");
        assert_eq!(out[0].workload.to_string(), "StatefulSet shop/postgres");
    }
}
