//! Evidence selection: what an SRE would look at for one diagnosis, as candidate items
//! with a priority. Texts here are raw; `build` sanitizes and budgets them.
//!
//! Priorities (lower is kept first): 0 the rules engine's own evidence; 1 the failing
//! containers' states, the workload's status and what changed; 2 warning events and the
//! error regions of current and previous logs; 3 the related objects (exist or not, their
//! keys, endpoints, node conditions) and the container specs; 4 normal events.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{Container, ContainerStatus, Event, Pod, PodSpec};

use super::logs;
use crate::analyze::EvidenceSource;
use crate::model::{Kind, ObjectRef, Snapshot, event_count, event_last_seen, pod_is_healthy};
use crate::rca::Diagnosis;
use crate::sanitize::{SanitizeError, Sanitizer};

/// Pods of one workload looked at in detail; the others are counted.
const MAX_PODS: usize = 3;
/// Distinct events kept per object.
const MAX_EVENTS: usize = 12;

/// A candidate piece of evidence.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub priority: u8,
    pub source: EvidenceSource,
    pub object: ObjectRef,
    pub title: String,
    pub text: String,
    pub timestamp: Option<jiff::Timestamp>,
    /// Set for the rules engine's own evidence, which keeps its id.
    pub rules_id: Option<String>,
    /// A log, already sanitized, which the budget may ask to shorten.
    pub log: Option<String>,
}

impl Candidate {
    fn new(
        priority: u8,
        source: EvidenceSource,
        object: ObjectRef,
        title: String,
        text: String,
    ) -> Self {
        Candidate {
            priority,
            source,
            object,
            title,
            text,
            timestamp: None,
            rules_id: None,
            log: None,
        }
    }
}

/// Every candidate for `d`, in priority order (stable within a priority).
pub fn candidates(
    snapshot: &Snapshot,
    d: &Diagnosis,
    sanitizer: &Sanitizer,
) -> Result<Vec<Candidate>, SanitizeError> {
    let mut out = Vec::new();
    for e in &d.evidence {
        let mut c = Candidate::new(
            0,
            e.source,
            e.object.clone(),
            format!("{} {}", source_name(e.source), e.object),
            e.excerpt.clone(),
        );
        c.timestamp = e.timestamp;
        c.rules_id = Some(e.id.clone());
        out.push(c);
    }
    if !d.changes.is_empty() {
        let mut text = String::new();
        for ch in &d.changes {
            let _ = writeln!(
                text,
                "{}: {} -> {} (revision {}{})",
                ch.field,
                ch.from.as_deref().unwrap_or("(none)"),
                ch.to.as_deref().unwrap_or("(none)"),
                ch.revision.as_deref().unwrap_or("?"),
                ch.at
                    .map(|t| format!(", rolled out {t}"))
                    .unwrap_or_default()
            );
        }
        out.push(Candidate::new(
            1,
            EvidenceSource::Spec,
            d.subject.clone(),
            format!("what changed in {}", d.subject),
            text,
        ));
    }
    if let Some(status) = workload_status(snapshot, &d.subject) {
        out.push(Candidate::new(
            1,
            EvidenceSource::Status,
            d.subject.clone(),
            format!("status of {}", d.subject),
            status,
        ));
    }
    let pods = pods_of(snapshot, &d.subject, d);
    let mut events_seen = BTreeSet::new();
    workload_events(snapshot, &d.subject, &mut events_seen, &mut out);
    for pod in &pods {
        pod_candidates(snapshot, pod, sanitizer, &mut events_seen, &mut out)?;
    }
    let total = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| snapshot.workload_of(Kind::Pod, &p.metadata) == d.subject)
        .count();
    if total > pods.len() {
        let broken = snapshot
            .objects
            .pods
            .iter()
            .filter(|p| snapshot.workload_of(Kind::Pod, &p.metadata) == d.subject)
            .filter(|p| !pod_is_healthy(p))
            .count();
        out.push(Candidate::new(
            3,
            EvidenceSource::Status,
            d.subject.clone(),
            format!("pods of {}", d.subject),
            format!(
                "{total} pods, {broken} not healthy; {} shown in detail",
                pods.len()
            ),
        ));
    }
    if let Some(node) = node_of_subject(snapshot, &d.subject) {
        out.push(node);
    }
    out.sort_by_key(|c| c.priority);
    Ok(out)
}

fn source_name(s: EvidenceSource) -> &'static str {
    match s {
        EvidenceSource::Status => "status",
        EvidenceSource::Event => "event",
        EvidenceSource::Log => "log",
        EvidenceSource::Spec => "spec",
        EvidenceSource::CiLog => "ci-log",
        EvidenceSource::Metric => "metric",
    }
}

/// The pods worth detail: those the findings name first, then the unhealthy, newest first.
fn pods_of<'a>(snapshot: &'a Snapshot, subject: &ObjectRef, d: &Diagnosis) -> Vec<&'a Pod> {
    let named: BTreeSet<&str> = d
        .findings
        .iter()
        .filter(|f| f.subject.kind == "Pod")
        .map(|f| f.subject.name.as_str())
        .collect();
    let mut pods: Vec<&Pod> = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| {
            if subject.kind == "Pod" {
                p.metadata.name.as_deref() == Some(subject.name.as_str())
                    && p.metadata.namespace == subject.namespace
            } else {
                snapshot.workload_of(Kind::Pod, &p.metadata) == *subject
            }
        })
        .collect();
    pods.sort_by_key(|p| {
        let name = p.metadata.name.as_deref().unwrap_or("");
        (
            !named.contains(name),
            pod_is_healthy(p),
            std::cmp::Reverse(p.metadata.creation_timestamp.as_ref().map(|t| t.0)),
        )
    });
    // One healthy pod shows what "working" looks like; the rest are noise.
    let mut kept = Vec::new();
    let mut healthy = 0;
    for p in pods {
        if kept.len() >= MAX_PODS {
            break;
        }
        if pod_is_healthy(p) {
            if healthy > 0 {
                continue;
            }
            healthy += 1;
        }
        kept.push(p);
    }
    kept
}

fn pod_candidates(
    snapshot: &Snapshot,
    pod: &Pod,
    sanitizer: &Sanitizer,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<Candidate>,
) -> Result<(), SanitizeError> {
    let pref = ObjectRef::from_meta(Kind::Pod, &pod.metadata);
    let ns = pod.metadata.namespace.as_deref().unwrap_or("");
    let name = pod.metadata.name.as_deref().unwrap_or("");
    let healthy = pod_is_healthy(pod);
    let mut state = format!(
        "phase {}, status {}",
        pod.status
            .as_ref()
            .and_then(|s| s.phase.as_deref())
            .unwrap_or("?"),
        crate::model::pod_status(pod)
    );
    if let Some(node) = pod.spec.as_ref().and_then(|s| s.node_name.as_deref()) {
        let _ = write!(state, ", node {node}");
    }
    let _ = writeln!(state);
    if let Some(status) = &pod.status {
        for c in status
            .conditions
            .iter()
            .flatten()
            .filter(|c| c.status != "True")
        {
            let _ = writeln!(
                state,
                "condition {}={} {} {}",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            );
        }
        for cs in status
            .init_container_statuses
            .iter()
            .flatten()
            .map(|c| (true, c))
            .chain(
                status
                    .container_statuses
                    .iter()
                    .flatten()
                    .map(|c| (false, c)),
            )
        {
            container_state(&mut state, cs.0, cs.1);
        }
    }
    out.push(Candidate::new(
        if healthy { 3 } else { 1 },
        EvidenceSource::Status,
        pref.clone(),
        format!(
            "state of {pref}{}",
            if healthy {
                " (healthy, for comparison)"
            } else {
                ""
            }
        ),
        state,
    ));
    if let Some(spec) = &pod.spec {
        let mut spec = spec.clone();
        sanitizer.redact_pod_spec(&mut spec)?;
        out.push(Candidate::new(
            3,
            EvidenceSource::Spec,
            pref.clone(),
            format!("spec of {pref}"),
            pod_spec(&spec),
        ));
        related(snapshot, ns, &spec, pod, out);
    }
    for e in snapshot.events_about(Kind::Pod, &pod.metadata) {
        push_event(e, seen, out);
    }
    if healthy {
        return Ok(());
    }
    for previous in [true, false] {
        for (key, text) in snapshot.logs.range(
            crate::model::LogKey {
                namespace: ns.to_string(),
                pod: name.to_string(),
                container: String::new(),
                previous: false,
            }..,
        ) {
            if key.namespace != ns || key.pod != name {
                break;
            }
            if key.previous != previous || text.trim().is_empty() {
                continue;
            }
            // Sanitize the whole log before compressing: folding lines into templates
            // could separate a secret from what identifies it (a PEM body from its
            // BEGIN line, a value from its `password=` key).
            let text = sanitizer.sanitize(text)?.into_string();
            let compressed = logs::compress(&text, 1.0);
            let mut c = Candidate::new(
                2,
                EvidenceSource::Log,
                pref.clone(),
                format!(
                    "{} log of container {} in {pref} ({} lines, compressed)",
                    if previous {
                        "previous (crashed instance)"
                    } else {
                        "current"
                    },
                    key.container,
                    compressed.lines_in
                ),
                compressed.text,
            );
            c.log = Some(text);
            out.push(c);
        }
    }
    Ok(())
}

fn container_state(out: &mut String, init: bool, cs: &ContainerStatus) {
    let _ = write!(
        out,
        "{}container {}: ready={} restarts={} image={}",
        if init { "init " } else { "" },
        cs.name,
        cs.ready,
        cs.restart_count,
        cs.image
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
fn pod_spec(spec: &PodSpec) -> String {
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
    for t in spec.tolerations.iter().flatten() {
        let _ = writeln!(
            out,
            "toleration: {}={}:{}",
            t.key.as_deref().unwrap_or("*"),
            t.value.as_deref().unwrap_or(""),
            t.effect.as_deref().unwrap_or("")
        );
    }
    for v in spec.volumes.iter().flatten() {
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
        if let Some(p) = p
            && let Ok(json) = serde_json::to_string(p)
        {
            let _ = writeln!(out, "  {name}Probe: {json}");
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
    for m in c.volume_mounts.iter().flatten() {
        let _ = writeln!(out, "  mount {} at {}", m.name, m.mount_path);
    }
}

/// Whether the objects the pod depends on exist: ConfigMaps and Secrets (with their key
/// names), PVCs, the ServiceAccount, and the Services selecting the pod.
fn related(snapshot: &Snapshot, ns: &str, spec: &PodSpec, pod: &Pod, out: &mut Vec<Candidate>) {
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

fn push_event(e: &Event, seen: &mut BTreeSet<String>, out: &mut Vec<Candidate>) {
    let reason = e.reason.as_deref().unwrap_or("");
    let message = e.message.as_deref().unwrap_or("").trim();
    let obj = &e.involved_object;
    let key = format!(
        "{}|{}|{reason}|{message}",
        obj.kind.as_deref().unwrap_or(""),
        obj.name.as_deref().unwrap_or("")
    );
    let warning = e.type_.as_deref() == Some("Warning");
    if !seen.insert(key) || seen.len() > MAX_EVENTS * 4 {
        return;
    }
    let evidence =
        crate::analyze::Context::event_evidence(e, crate::analyze::Strength::Circumstantial);
    let count = event_count(e);
    let mut c = Candidate::new(
        if warning { 2 } else { 4 },
        EvidenceSource::Event,
        evidence.object.clone(),
        format!(
            "event on {}{}",
            evidence.object,
            if count > 1 {
                format!(" (x{count})")
            } else {
                String::new()
            }
        ),
        evidence.excerpt,
    );
    c.timestamp = event_last_seen(e);
    out.push(c);
}

/// Events about the workload itself and its ReplicaSets (rollout and quota failures land
/// there, not on pods).
fn workload_events(
    snapshot: &Snapshot,
    subject: &ObjectRef,
    seen: &mut BTreeSet<String>,
    out: &mut Vec<Candidate>,
) {
    let ns = subject.namespace.as_deref().unwrap_or("");
    if let Some(kind) = subject.known_kind()
        && let Some(meta) = snapshot.meta(kind, ns, &subject.name)
    {
        for e in snapshot.events_about(kind, meta) {
            push_event(e, seen, out);
        }
    }
    if subject.kind == "Deployment" || subject.kind == "CronJob" {
        let children: Vec<(
            Kind,
            &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
        )> = snapshot
            .objects
            .replica_sets
            .iter()
            .map(|rs| (Kind::ReplicaSet, &rs.metadata))
            .chain(
                snapshot
                    .objects
                    .jobs
                    .iter()
                    .map(|j| (Kind::Job, &j.metadata)),
            )
            .filter(|(_, m)| m.namespace.as_deref() == Some(ns))
            .filter(|(_, m)| {
                snapshot
                    .controller_of(m)
                    .is_some_and(|o| o.kind == subject.kind && o.name == subject.name)
            })
            .collect();
        for (kind, meta) in children {
            for e in snapshot.events_about(kind, meta) {
                push_event(e, seen, out);
            }
        }
    }
}

/// Replicas, conditions and limits of the workload, as `kubectl describe` leads with.
fn workload_status(snapshot: &Snapshot, subject: &ObjectRef) -> Option<String> {
    let ns = subject.namespace.as_deref().unwrap_or("");
    let kind = subject.known_kind()?;
    let i = snapshot.index().position(kind, ns, &subject.name)?;
    let o = &snapshot.objects;
    let value = match kind {
        Kind::Deployment => {
            let d = o.deployments.get(i)?;
            let spec = d.spec.as_ref();
            serde_json::json!({"spec": {"replicas": spec.and_then(|s| s.replicas),
                "paused": spec.and_then(|s| s.paused),
                "progressDeadlineSeconds": spec.and_then(|s| s.progress_deadline_seconds),
                "strategy": spec.and_then(|s| s.strategy.clone()),
                "images": images(spec.and_then(|s| s.template.spec.as_ref()))},
                "status": d.status})
        }
        Kind::StatefulSet => {
            let s = o.stateful_sets.get(i)?;
            serde_json::json!({"images": images(s.spec.as_ref().and_then(|s| s.template.spec.as_ref())),
                "status": s.status})
        }
        Kind::DaemonSet => {
            let s = o.daemon_sets.get(i)?;
            serde_json::json!({"images": images(s.spec.as_ref().and_then(|s| s.template.spec.as_ref())),
                "status": s.status})
        }
        Kind::Job => {
            let j = o.jobs.get(i)?;
            serde_json::json!({"spec": {"backoffLimit": j.spec.as_ref().and_then(|s| s.backoff_limit),
                "activeDeadlineSeconds": j.spec.as_ref().and_then(|s| s.active_deadline_seconds),
                "completions": j.spec.as_ref().and_then(|s| s.completions)},
                "status": j.status})
        }
        Kind::CronJob => {
            let c = o.cron_jobs.get(i)?;
            serde_json::json!({"spec": {"schedule": c.spec.as_ref().map(|s| s.schedule.clone()),
                "suspend": c.spec.as_ref().and_then(|s| s.suspend)},
                "status": c.status})
        }
        Kind::Node => {
            serde_json::json!({"conditions": o.nodes.get(i)?.status.as_ref().and_then(|s| s.conditions.clone()),
            "unschedulable": o.nodes.get(i)?.spec.as_ref().and_then(|s| s.unschedulable)})
        }
        _ => return None,
    };
    serde_json::to_string(&value).ok()
}

/// `container=image` of a pod template: what the workload wants to run, which its pods
/// may not (a paused or stuck rollout).
fn images(spec: Option<&PodSpec>) -> Vec<String> {
    spec.into_iter()
        .flat_map(|s| s.init_containers.iter().flatten().chain(&s.containers))
        .map(|c| format!("{}={}", c.name, c.image.as_deref().unwrap_or("?")))
        .collect()
}

/// For a Node subject, nothing more; for pods, the node they run on when it is not Ready.
fn node_of_subject(snapshot: &Snapshot, subject: &ObjectRef) -> Option<Candidate> {
    let ns = subject.namespace.as_deref()?;
    let node_name = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| p.metadata.namespace.as_deref() == Some(ns))
        .filter(|p| !pod_is_healthy(p))
        .filter(|p| snapshot.workload_of(Kind::Pod, &p.metadata) == *subject)
        .find_map(|p| p.spec.as_ref()?.node_name.clone())?;
    let i = snapshot.index().position(Kind::Node, "", &node_name)?;
    let node = snapshot.objects.nodes.get(i)?;
    let conditions = node.status.as_ref()?.conditions.as_ref()?;
    let mut text = String::new();
    for c in conditions {
        let bad = (c.type_ == "Ready") != (c.status == "True");
        if bad {
            let _ = writeln!(
                text,
                "{}={} {} {}",
                c.type_,
                c.status,
                c.reason.as_deref().unwrap_or(""),
                c.message.as_deref().unwrap_or("")
            );
        }
    }
    if text.is_empty() {
        return None;
    }
    let nref = ObjectRef::new("Node", None, node_name);
    Some(Candidate::new(
        2,
        EvidenceSource::Status,
        nref.clone(),
        format!("conditions of {nref}"),
        text,
    ))
}
