//! Describe-like text for one pod: its containers' states (less what the rules engine's
//! evidence states), its spec (images, commands, resources, probes without their defaults,
//! env with values already redacted by the structured rules, mounts, scheduling), and
//! whether the objects it depends on exist.

use std::collections::BTreeSet;
use std::fmt::Write as _;

use k8s_openapi::api::core::v1::{
    Container, ContainerStateTerminated, ContainerStatus, Pod, PodSpec,
};

use crate::model::{Kind, Snapshot};

/// What the rules engine's evidence already states about one pod, line by line: a waiting
/// reason or a termination (reason and exit code) it quotes is not repeated in the pod's
/// state, since that evidence is always in the context.
pub(super) struct Said<'a> {
    pub lines: Vec<&'a str>,
    /// With one container, a line need not name it to be about it.
    pub single: bool,
}

impl Said<'_> {
    /// Whether a line about container `name` satisfies `fact`.
    fn any(&self, name: &str, fact: impl Fn(&str) -> bool) -> bool {
        self.lines
            .iter()
            .any(|l| (self.single || l.contains(name)) && fact(l))
    }

    /// A termination with this reason and exit code, in any of the shapes the analyzers
    /// quote it (`exitCode=137 reason=OOMKilled`, `terminated with exit code 2`).
    fn exit(&self, name: &str, reason: &str, code: i32) -> bool {
        static EXIT: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
        let exit = EXIT.get_or_init(|| {
            regex::Regex::new(r"(?i)\bexit(?:s|ed)?(?:\s*code|\s+with\s+code)?[\s=:]*(-?\d+)\b")
                .expect("a valid regex")
        });
        self.any(name, |l| {
            l.contains(reason)
                && exit
                    .captures_iter(l)
                    .any(|c| c[1].parse::<i32>() == Ok(code))
        })
    }
}

/// One container's state, as `kubectl describe` leads with it: ready, restarts, waiting
/// or terminated and the last termination, less what `said` states already.
pub(super) fn container_state(out: &mut String, init: bool, cs: &ContainerStatus, said: &Said<'_>) {
    let name = cs.name.as_str();
    let _ = write!(
        out,
        // The image is in the spec; a digest costs forty tokens each time it is repeated.
        "{}container {name}: {}, restarts {}",
        if init { "init " } else { "" },
        if cs.ready { "ready" } else { "not ready" },
        cs.restart_count,
    );
    let exit = |out: &mut String, lead: &str, t: &ContainerStateTerminated, when: bool| {
        let reason = t.reason.as_deref().unwrap_or("");
        if said.exit(name, reason, t.exit_code) {
            return;
        }
        let _ = write!(out, "; {lead} {reason} exit {}", t.exit_code);
        if let Some(f) = t.finished_at.as_ref().filter(|_| when) {
            let _ = write!(out, " at {}", f.0);
        }
        if let Some(m) = t
            .message
            .as_deref()
            .map(str::trim)
            .filter(|m| !m.is_empty())
        {
            let _ = write!(out, ": {m}");
        }
    };
    if let Some(st) = &cs.state {
        if let Some(w) = &st.waiting {
            let reason = w.reason.as_deref().unwrap_or("");
            // A back-off's message only repeats the reason, the container and the pod
            // (`back-off 5m0s restarting failed container=… pod=…`); other reasons'
            // messages say what is wrong (`secret "x" not found`).
            let message = match reason {
                "CrashLoopBackOff" => "",
                _ => w.message.as_deref().unwrap_or("").trim(),
            };
            if !said.any(name, |l| l.contains(reason) && l.contains(message)) {
                let _ = write!(out, "; waiting {reason}");
                if !message.is_empty() {
                    let _ = write!(out, ": {message}");
                }
            }
        }
        if let Some(t) = &st.terminated {
            exit(out, "terminated", t, false);
        }
        // Running is what a ready container does; said of one that is not, it matters.
        if st.running.is_some() && !cs.ready {
            let _ = write!(out, "; running");
        }
    }
    if let Some(t) = cs.last_state.as_ref().and_then(|s| s.terminated.as_ref()) {
        exit(out, "last terminated", t, true);
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
    // `default` is what every pod runs as unless it says otherwise.
    if let Some(sa) = spec
        .service_account_name
        .as_ref()
        .filter(|sa| *sa != "default")
    {
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
        let (requests, limits) = (fmt(&r.requests), fmt(&r.limits));
        // No requests and no limits is itself a finding (BestEffort): it is said.
        let _ = match (requests.is_empty(), limits.is_empty()) {
            (true, true) => writeln!(out, "  resources: none"),
            (false, true) => writeln!(out, "  resources: requests {requests}, no limits"),
            (true, false) => writeln!(out, "  resources: limits {limits}"),
            (false, false) => writeln!(out, "  resources: requests {requests} limits {limits}"),
        };
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
    let ports: Vec<String> = c
        .ports
        .iter()
        .flatten()
        .map(|p| match &p.name {
            Some(n) => format!("{} ({n})", p.container_port),
            None => p.container_port.to_string(),
        })
        .collect();
    if !ports.is_empty() {
        let _ = writeln!(out, "  ports {}", ports.join(", "));
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

/// `httpGet :8080/healthz delay=30 timeout=2`, as describe prints it, less the defaults.
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
    // Only what differs from Kubernetes' defaults (delay 0, period 10, timeout 1,
    // failure 3, success 1): the defaults are what an SRE assumes when none are shown.
    let mut out = how;
    for (name, value, default) in [
        ("delay", p.initial_delay_seconds, 0),
        ("period", p.period_seconds, 10),
        ("timeout", p.timeout_seconds, 1),
        ("failure", p.failure_threshold, 3),
        ("success", p.success_threshold, 1),
    ] {
        if let Some(v) = value.filter(|v| *v != default) {
            let _ = write!(out, " {name}={v}");
        }
    }
    out
}

/// Whether the objects the pod depends on exist, one line each: ConfigMaps and Secrets
/// (with their key names), PVCs, the ServiceAccount, and the Services selecting the pod.
/// All are in the pod's namespace, which the title names. An object the rules engine's
/// evidence is about (`covered`) is left to that evidence: it says what is wrong with it.
pub(super) fn related(
    snapshot: &Snapshot,
    ns: &str,
    spec: &PodSpec,
    pod: &Pod,
    covered: &BTreeSet<(&str, &str)>,
) -> String {
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
    for (kind, name) in refs
        .iter()
        .filter(|(k, n)| !covered.contains(&(k.info().name, n.as_str())))
    {
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
            "ServiceAccount {sa}: not collected{}",
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
            "Service {svc_name} selects this pod ({}); {ready} ready endpoints",
            kv(sel)
        );
    }
    text
}

fn existence(snapshot: &Snapshot, kind: Kind, ns: &str, name: &str) -> String {
    let label = format!("{} {name}", kind.info().name);
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

#[cfg(test)]
mod tests {
    use super::*;

    fn crashing(name: &str) -> ContainerStatus {
        serde_json::from_value(serde_json::json!({
            "name": name, "image": "ghcr.io/acme/api:1.8.2", "imageID": "", "ready": false,
            "restartCount": 6,
            "state": {"waiting": {"reason": "CrashLoopBackOff",
                "message": "back-off 5m0s restarting failed container=api pod=api-0"}},
            "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                "finishedAt": "2026-11-20T09:28:16Z"}}
        }))
        .expect("a container status")
    }

    fn state(cs: &ContainerStatus, said: &Said<'_>) -> String {
        let mut out = String::new();
        container_state(&mut out, false, cs, said);
        out
    }

    #[test]
    fn what_the_rules_evidence_states_of_a_container_is_not_repeated() {
        let said = Said {
            lines: vec![
                "containerStatuses[api].lastState.terminated: exitCode=1 reason=Error finishedAt=86s ago",
                "containerStatuses[api].state.waiting: reason=CrashLoopBackOff",
            ],
            single: true,
        };
        assert_eq!(
            state(&crashing("api"), &said),
            "container api: not ready, restarts 6\n"
        );
        let nothing = Said {
            lines: vec![],
            single: true,
        };
        assert_eq!(
            state(&crashing("api"), &nothing),
            "container api: not ready, restarts 6; waiting CrashLoopBackOff; last terminated Error exit 1 at 2026-11-20T09:28:16Z\n"
        );
    }

    #[test]
    fn another_containers_exit_or_another_code_does_not_hide_this_ones() {
        let sidecar = Said {
            lines: vec!["containerStatuses[proxy].lastState.terminated: exitCode=1 reason=Error"],
            single: false,
        };
        assert!(state(&crashing("api"), &sidecar).contains("last terminated Error exit 1"));
        let other_code = Said {
            lines: vec!["container api terminated with exit code 137 (Error)"],
            single: true,
        };
        assert!(state(&crashing("api"), &other_code).contains("last terminated Error exit 1"));
    }

    #[test]
    fn a_probe_shows_only_what_differs_from_the_defaults() {
        let p: k8s_openapi::api::core::v1::Probe = serde_json::from_value(serde_json::json!({
            "httpGet": {"path": "/health", "port": 8080},
            "initialDelaySeconds": 0, "periodSeconds": 10, "timeoutSeconds": 2,
            "failureThreshold": 3, "successThreshold": 1
        }))
        .expect("a probe");
        assert_eq!(probe(&p), "httpGet :8080/health timeout=2");
    }
}
