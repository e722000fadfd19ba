//! Describe-like text for one pod: its containers' states, its spec (images, commands,
//! resources, probes, env with values already redacted by the structured rules, mounts,
//! scheduling), and whether the objects it depends on exist.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Pod, PodSpec};

use super::select::Candidate;
use crate::analyze::EvidenceSource;
use crate::model::{Kind, ObjectRef, Snapshot};

pub(super) fn container_state(out: &mut String, init: bool, cs: &ContainerStatus) {
    let _ = write!(
        out,
        // The image is in the spec; a digest costs forty tokens each time it is repeated.
        "{}container {}: ready={} restarts={}",
        if init { "init " } else { "" },
        cs.name,
        cs.ready,
        cs.restart_count,
    );
    if let Some(st) = &cs.state {
        if let Some(w) = &st.waiting {
            let _ = write!(
                out,
                "; waiting {} {}",
                w.reason.as_deref().unwrap_or(""),
                w.message.as_deref().unwrap_or("")
            );
        }
        if let Some(t) = &st.terminated {
            let _ = write!(
                out,
                "; terminated {} exit {} {}",
                t.reason.as_deref().unwrap_or(""),
                t.exit_code,
                t.message.as_deref().unwrap_or("")
            );
        }
        if st.running.is_some() {
            let _ = write!(out, "; running");
        }
    }
    if let Some(t) = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
        let _ = write!(
            out,
            "; last terminated {} exit {} at {} {}",
            t.reason.as_deref().unwrap_or(""),
            t.exit_code,
            t.finished_at
                .as_ref()
                .map(|f| f.0.to_string())
                .unwrap_or_default(),
            t.message.as_deref().unwrap_or("")
        );
    }
    let _ = writeln!(out);
}

/// A describe-like summary of what breaks pods: images, commands, resources, probes, env
/// (values already redacted by the structured rules), mounts, scheduling constraints.
pub(super) fn pod_spec(spec: &PodSpec) -> String {
    let mut out = String::new();
    for (init, c) in spec
        .init_containers
        .iter()
        .flatten()
        .map(|c| (true, c))
        .chain(spec.containers.iter().map(|c| (false, c)))
    {
        container_spec(&mut out, init, c);
    }
    if let Some(sa) = &spec.service_account_name {
        let _ = writeln!(out, "serviceAccountName: {sa}");
    }
    let pull: Vec<&str> = spec
        .image_pull_secrets
        .iter()
        .flatten()
        .map(|s| s.name.as_str())
        .collect();
    if !pull.is_empty() {
        let _ = writeln!(out, "imagePullSecrets: {}", pull.join(", "));
    }
    if let Some(sel) = &spec.node_selector {
        let _ = writeln!(out, "nodeSelector: {}", kv(sel));
    }
    if let Some(aff) = &spec.affinity
        && let Ok(json) = serde_json::to_string(aff)
    {
        let _ = writeln!(out, "affinity: {json}");
    }
    // The not-ready/unreachable tolerations admission adds to every pod say nothing.
    for t in spec.tolerations.iter().flatten().filter(|t| {
        !matches!(
            t.key.as_deref(),
            Some("node.kubernetes.io/not-ready" | "node.kubernetes.io/unreachable")
        )
    }) {
        let _ = writeln!(
            out,
            "toleration: {}={}:{}",
            t.key.as_deref().unwrap_or("*"),
            t.value.as_deref().unwrap_or(""),
            t.effect.as_deref().unwrap_or("")
        );
    }
    for v in spec
        .volumes
        .iter()
        .flatten()
        .filter(|v| !is_service_account_token(&v.name))
    {
        let what = if let Some(cm) = &v.config_map {
            format!("configMap {}", cm.name)
        } else if let Some(s) = &v.secret {
            format!("secret {}", s.secret_name.as_deref().unwrap_or(""))
        } else if let Some(p) = &v.persistent_volume_claim {
            format!("pvc {}", p.claim_name)
        } else if v.empty_dir.is_some() {
            "emptyDir".into()
        } else if v.projected.is_some() {
            "projected".into()
        } else {
            "other".into()
        };
        let _ = writeln!(out, "volume {}: {what}", v.name);
    }
    out
}

fn kv(map: &std::collections::BTreeMap<String, String>) -> String {
    map.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(",")
}

fn container_spec(out: &mut String, init: bool, c: &Container) {
    let _ = writeln!(
        out,
        "{}container {}: image {}",
        if init { "init " } else { "" },
        c.name,
        c.image.as_deref().unwrap_or("?")
    );
    if let Some(cmd) = &c.command {
        let _ = writeln!(out, "  command: {}", cmd.join(" "));
    }
    if let Some(args) = &c.args {
        let _ = writeln!(out, "  args: {}", args.join(" "));
    }
    if let Some(r) = &c.resources {
        let fmt = |m: &Option<
            std::collections::BTreeMap<
                String,
                k8s_openapi::apimachinery::pkg::api::resource::Quantity,
            >,
        >| {
            m.iter()
                .flatten()
                .map(|(k, v)| format!("{k}={}", v.0))
                .collect::<Vec<_>>()
                .join(",")
        };
        let _ = writeln!(
            out,
            "  resources: requests {} limits {}",
            fmt(&r.requests),
            fmt(&r.limits)
        );
    }
    for (name, p) in [
        ("liveness", &c.liveness_probe),
        ("readiness", &c.readiness_probe),
        ("startup", &c.startup_probe),
    ] {
        if let Some(p) = p {
            let _ = writeln!(out, "  {name}Probe: {}", probe(p));
        }
    }
    for port in c.ports.iter().flatten() {
        let _ = writeln!(
            out,
            "  port {}{}",
            port.container_port,
            port.name
                .as_deref()
                .map(|n| format!(" ({n})"))
                .unwrap_or_default()
        );
    }
    for e in c.env.iter().flatten() {
        let value = match (&e.value, &e.value_from) {
            (Some(v), _) => v.clone(),
            (None, Some(from)) => {
                if let Some(k) = &from.config_map_key_ref {
                    format!("<configMap {} key {}>", k.name, k.key)
                } else if let Some(k) = &from.secret_key_ref {
                    format!("<secret {} key {}>", k.name, k.key)
                } else if let Some(f) = &from.field_ref {
                    format!("<field {}>", f.field_path)
                } else {
                    "<from resource>".into()
                }
            }
            (None, None) => String::new(),
        };
        let _ = writeln!(out, "  env {}={value}", e.name);
    }
    for f in c.env_from.iter().flatten() {
        if let Some(cm) = &f.config_map_ref {
            let _ = writeln!(out, "  envFrom configMap {}", cm.name);
        }
        if let Some(s) = &f.secret_ref {
            let _ = writeln!(out, "  envFrom secret {}", s.name);
        }
    }
    for m in c
        .volume_mounts
        .iter()
        .flatten()
        .filter(|m| !is_service_account_token(&m.name))
    {
        let _ = writeln!(out, "  mount {} at {}", m.name, m.mount_path);
    }
}

/// The projected token volume every pod gets (`kube-api-access-xxxxx`).
fn is_service_account_token(name: &str) -> bool {
    name.starts_with("kube-api-access-")
}

/// `httpGet :8080/healthz delay=0 period=10 timeout=1 failure=3`, as describe prints it.
fn probe(p: &k8s_openapi::api::core::v1::Probe) -> String {
    let how = if let Some(h) = &p.http_get {
        let port = match &h.port {
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
        };
        format!("httpGet :{port}{}", h.path.as_deref().unwrap_or("/"))
    } else if let Some(t) = &p.tcp_socket {
        let port = match &t.port {
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::Int(n) => n.to_string(),
            k8s_openapi::apimachinery::pkg::util::intstr::IntOrString::String(s) => s.clone(),
        };
        format!("tcpSocket :{port}")
    } else if let Some(e) = &p.exec {
        format!(
            "exec {}",
            e.command.as_deref().unwrap_or_default().join(" ")
        )
    } else if let Some(g) = &p.grpc {
        format!("grpc :{}", g.port)
    } else {
        "(no handler)".into()
    };
    format!(
        "{how} delay={} period={} timeout={} failure={}",
        p.initial_delay_seconds.unwrap_or(0),
        p.period_seconds.unwrap_or(10),
        p.timeout_seconds.unwrap_or(1),
        p.failure_threshold.unwrap_or(3)
    )
}

/// Whether the objects the pod depends on exist: ConfigMaps and Secrets (with their key
/// names), PVCs, the ServiceAccount, and the Services selecting the pod.
pub(super) fn related(
    snapshot: &Snapshot,
    ns: &str,
    spec: &PodSpec,
    pod: &Pod,
    out: &mut Vec<Candidate>,
) {
    let mut refs: BTreeSet<(Kind, String)> = BTreeSet::new();
    for c in spec
        .containers
        .iter()
        .chain(spec.init_containers.iter().flatten())
    {
        for e in c.env.iter().flatten() {
            if let Some(from) = &e.value_from {
                if let Some(k) = &from.config_map_key_ref {
                    refs.insert((Kind::ConfigMap, k.name.clone()));
                }
                if let Some(k) = &from.secret_key_ref {
                    refs.insert((Kind::Secret, k.name.clone()));
                }
            }
        }
        for f in c.env_from.iter().flatten() {
            if let Some(cm) = &f.config_map_ref {
                refs.insert((Kind::ConfigMap, cm.name.clone()));
            }
            if let Some(s) = &f.secret_ref {
                refs.insert((Kind::Secret, s.name.clone()));
            }
        }
    }
    for v in spec.volumes.iter().flatten() {
        if let Some(cm) = &v.config_map {
            refs.insert((Kind::ConfigMap, cm.name.clone()));
        }
        if let Some(name) = v.secret.as_ref().and_then(|s| s.secret_name.clone()) {
            refs.insert((Kind::Secret, name));
        }
        if let Some(p) = &v.persistent_volume_claim {
            refs.insert((Kind::PersistentVolumeClaim, p.claim_name.clone()));
        }
    }
    for s in spec.image_pull_secrets.iter().flatten() {
        refs.insert((Kind::Secret, s.name.clone()));
    }
    let mut text = String::new();
    for (kind, name) in &refs {
        let _ = writeln!(text, "{}", existence(snapshot, *kind, ns, name));
    }
    if let Some(sa) = &spec.service_account_name
        && sa != "default"
    {
        let known =
            snapshot.objects.count(Kind::Secret) > 0 || snapshot.objects.count(Kind::ConfigMap) > 0;
        // ServiceAccounts are not collected; say so rather than claim it is missing.
        let _ = writeln!(
            text,
            "ServiceAccount {ns}/{sa}: not collected{}",
            if known {
                ""
            } else {
                " (nor ConfigMaps/Secrets)"
            }
        );
    }
    let labels = pod.metadata.labels.clone().unwrap_or_default();
    for svc in snapshot
        .objects
        .services
        .iter()
        .filter(|s| s.metadata.namespace.as_deref() == Some(ns))
    {
        let Some(sel) = svc.spec.as_ref().and_then(|s| s.selector.as_ref()) else {
            continue;
        };
        if sel.is_empty() || !sel.iter().all(|(k, v)| labels.get(k) == Some(v)) {
            continue;
        }
        let svc_name = svc.metadata.name.as_deref().unwrap_or("");
        let ready: usize = snapshot
            .index()
            .endpoint_slices_for(ns, svc_name)
            .iter()
            .filter_map(|&i| snapshot.objects.endpoint_slices.get(i))
            .flat_map(|s| s.endpoints.iter())
            .filter(|e| e.conditions.as_ref().and_then(|c| c.ready).unwrap_or(true))
            .count();
        let _ = writeln!(
            text,
            "Service {ns}/{svc_name} selects this pod ({}); {ready} ready endpoints",
            kv(sel)
        );
    }
    if text.is_empty() {
        return;
    }
    let pref = ObjectRef::from_meta(Kind::Pod, &pod.metadata);
    out.push(Candidate::new(
        3,
        EvidenceSource::Spec,
        pref.clone(),
        format!("objects {pref} depends on"),
        text,
    ));
}

fn existence(snapshot: &Snapshot, kind: Kind, ns: &str, name: &str) -> String {
    let label = format!("{} {ns}/{name}", kind.info().name);
    if snapshot.objects.count(kind) == 0 && kind != Kind::PersistentVolumeClaim {
        return format!("{label}: unknown (no {} collected)", kind.info().plural);
    }
    let Some(i) = snapshot.index().position(kind, ns, name) else {
        return format!("{label}: does not exist");
    };
    match kind {
        Kind::ConfigMap => {
            let keys: Vec<&str> = snapshot
                .objects
                .config_maps
                .get(i)
                .map(|cm| crate::model::edge::config_map_keys(cm).collect())
                .unwrap_or_default();
            format!("{label}: exists, keys {}", keys.join(", "))
        }
        Kind::Secret => {
            let keys: Vec<&str> = snapshot
                .objects
                .secrets
                .get(i)
                .map(|s| crate::model::edge::secret_keys(s).collect())
                .unwrap_or_default();
            format!("{label}: exists, keys {}", keys.join(", "))
        }
        Kind::PersistentVolumeClaim => {
            let pvc = snapshot.objects.persistent_volume_claims.get(i);
            let phase = pvc
                .and_then(|p| p.status.as_ref())
                .and_then(|s| s.phase.as_deref())
                .unwrap_or("?");
            let class = pvc
                .and_then(|p| p.spec.as_ref())
                .and_then(|s| s.storage_class_name.as_deref())
                .unwrap_or("(default)");
            format!("{label}: exists, phase {phase}, storageClass {class}")
        }
        _ => format!("{label}: exists"),
    }
}
