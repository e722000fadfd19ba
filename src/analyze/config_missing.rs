//! ConfigMaps, Secrets and keys that a pod references but that do not exist: the kubelet's
//! CreateContainerConfigError and FailedMount messages, cross-checked against the names and
//! key names in the snapshot (Secrets may be absent for RBAC reasons — then the kubelet's
//! word is all there is, and the cause says so).

use std::sync::LazyLock;

use k8s_openapi::api::core::v1::{Container, Event, PodSpec};
use regex::Regex;

use super::{
    Analyzer, Category, Change, ContainerView, Context, EvidenceSource, Finding, PodContext,
    Remedy, Severity, Strength,
};
use crate::model::Snapshot;
use crate::model::edge::{config_map_keys, secret_keys};

pub struct ConfigMissing;

/// `couldn't find key DATABASE_URL in ConfigMap shop/web-config`
static KEY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"couldn't find key ([^\s"]+) in (ConfigMap|Secret) ([^\s/"]+)/([^\s"]+)"#)
        .expect("valid regex")
});
/// `configmap "web-config" not found`, `secret "db-creds" not found`
static OBJECT_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?i)\b(configmap|secret)s? "([^"]+)" not found"#).expect("valid regex")
});
/// `MountVolume.SetUp failed for volume "config" : …`
static VOLUME_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"MountVolume\.SetUp failed for volume "([^"]+)""#).expect("valid regex")
});
/// `configmap references non-existent config key: app.yaml`, `secret references non-existent secret key: tls.crt`
static VOLUME_KEY_RE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(configmap|secret) references non-existent (?:config|secret) key: (\S+)")
        .expect("valid regex")
});

/// What is missing: a whole ConfigMap/Secret, or one key of it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Missing {
    /// `ConfigMap` or `Secret`.
    kind: &'static str,
    name: String,
    key: Option<String>,
}

fn kind_of(s: &str) -> &'static str {
    if s.eq_ignore_ascii_case("secret") {
        "Secret"
    } else {
        "ConfigMap"
    }
}

/// Parses a kubelet message (container state or event).
fn parse_message(message: &str) -> Option<Missing> {
    if let Some(c) = KEY_RE.captures(message) {
        return Some(Missing {
            kind: kind_of(&c[2]),
            name: c[4].to_string(),
            key: Some(c[1].to_string()),
        });
    }
    let c = OBJECT_RE.captures(message)?;
    Some(Missing {
        kind: kind_of(&c[1]),
        name: c[2].to_string(),
        key: None,
    })
}

/// Parses a FailedMount message, resolving the volume to the object it mounts.
fn parse_mount(message: &str, spec: Option<&PodSpec>) -> Option<Missing> {
    let volume = VOLUME_RE.captures(message)?.get(1)?.as_str();
    if let Some(m) = OBJECT_RE.captures(message) {
        return Some(Missing {
            kind: kind_of(&m[1]),
            name: m[2].to_string(),
            key: None,
        });
    }
    let key = VOLUME_KEY_RE.captures(message)?;
    let v = spec?.volumes.iter().flatten().find(|v| v.name == volume)?;
    let (kind, name) = match (&v.config_map, &v.secret) {
        (Some(cm), _) => ("ConfigMap", cm.name.clone()),
        (None, Some(s)) => ("Secret", s.secret_name.clone()?),
        _ => return None,
    };
    Some(Missing {
        kind,
        name,
        key: Some(key[2].to_string()),
    })
}

impl Analyzer for ConfigMissing {
    fn name(&self) -> &'static str {
        "config_missing"
    }

    fn analyze(&self, cx: &Context<'_>, out: &mut Vec<Finding>) {
        for pod in &cx.pods {
            let mut seen: Vec<Missing> = Vec::new();
            for c in &pod.containers {
                if c.waiting_reason() != Some("CreateContainerConfigError") {
                    continue;
                }
                let message = c.waiting_message().unwrap_or("");
                let found = match parse_message(message) {
                    Some(m) => Some((m, true)),
                    None => spec_missing(cx.snapshot, pod.namespace, c).map(|m| (m, false)),
                };
                let Some((missing, stated)) = found else {
                    continue;
                };
                if seen.contains(&missing) {
                    continue;
                }
                let mut f = finding(self.name(), cx.snapshot, pod, &missing);
                let strength = if stated {
                    Strength::Direct
                } else {
                    Strength::Circumstantial
                };
                let excerpt = format!(
                    "container {}: CreateContainerConfigError: {message}",
                    c.name
                );
                f.evidence.insert(
                    0,
                    Context::evidence(
                        EvidenceSource::Status,
                        &pod.subject,
                        excerpt.trim_end_matches([' ', ':']),
                        strength,
                    ),
                );
                f.facts.insert("container".into(), c.name.to_string());
                seen.push(missing);
                out.push(f);
            }
            // Volumes that cannot be mounted keep the pod in ContainerCreating.
            if !pod_is_creating(pod) {
                continue;
            }
            let spec = pod.pod.spec.as_ref();
            for e in pod.events_with(&["FailedMount"]) {
                let Some(missing) = e.message.as_deref().and_then(|m| parse_mount(m, spec)) else {
                    continue;
                };
                if seen.contains(&missing) {
                    continue;
                }
                let mut f = finding(self.name(), cx.snapshot, pod, &missing);
                f.evidence
                    .insert(0, Context::event_evidence(e, Strength::Direct));
                seen.push(missing);
                out.push(f);
            }
        }
    }
}

/// Whether some container still waits to be created (volumes not mounted yet).
fn pod_is_creating(pod: &PodContext<'_>) -> bool {
    let phase = pod.pod.status.as_ref().and_then(|s| s.phase.as_deref());
    phase == Some("Pending")
        && pod.containers.iter().any(|c| {
            matches!(
                c.waiting_reason(),
                Some("ContainerCreating" | "PodInitializing")
            )
        })
}

/// A non-optional reference of the container to a ConfigMap/Secret or key that the snapshot
/// shows missing (used when the kubelet's message is absent or unfamiliar).
fn spec_missing(snapshot: &Snapshot, ns: &str, c: &ContainerView<'_>) -> Option<Missing> {
    refs_of(c.spec?).into_iter().find_map(|r| {
        let state = lookup(snapshot, ns, r.kind, &r.name)?;
        match (&r.key, state) {
            (_, None) => Some(Missing {
                kind: r.kind,
                name: r.name,
                key: None,
            }),
            (Some(k), Some(keys)) if !keys.contains(k) => Some(Missing {
                kind: r.kind,
                name: r.name,
                key: Some(k.clone()),
            }),
            _ => None,
        }
    })
}

/// One reference from a container to a ConfigMap/Secret.
#[derive(Debug, Clone)]
struct Ref {
    kind: &'static str,
    name: String,
    key: Option<String>,
    /// `env DATABASE_URL`, `envFrom`.
    via: String,
}

fn refs_of(c: &Container) -> Vec<Ref> {
    let mut out = Vec::new();
    for e in c.env.iter().flatten() {
        let Some(from) = e.value_from.as_ref() else {
            continue;
        };
        if let Some(r) = from
            .config_map_key_ref
            .as_ref()
            .filter(|r| r.optional != Some(true))
        {
            out.push(Ref {
                kind: "ConfigMap",
                name: r.name.clone(),
                key: Some(r.key.clone()),
                via: format!("env {}", e.name),
            });
        }
        if let Some(r) = from
            .secret_key_ref
            .as_ref()
            .filter(|r| r.optional != Some(true))
        {
            out.push(Ref {
                kind: "Secret",
                name: r.name.clone(),
                key: Some(r.key.clone()),
                via: format!("env {}", e.name),
            });
        }
    }
    for e in c.env_from.iter().flatten() {
        if let Some(r) = e
            .config_map_ref
            .as_ref()
            .filter(|r| r.optional != Some(true))
        {
            out.push(Ref {
                kind: "ConfigMap",
                name: r.name.clone(),
                key: None,
                via: "envFrom".into(),
            });
        }
        if let Some(r) = e.secret_ref.as_ref().filter(|r| r.optional != Some(true)) {
            out.push(Ref {
                kind: "Secret",
                name: r.name.clone(),
                key: None,
                via: "envFrom".into(),
            });
        }
    }
    out
}

/// Where the pod references the missing object: `env DATABASE_URL of container web`,
/// `envFrom of container inventory`, `volume config`.
fn references(spec: Option<&PodSpec>, missing: &Missing) -> Vec<String> {
    let Some(spec) = spec else { return Vec::new() };
    let mut out = Vec::new();
    for c in spec
        .init_containers
        .iter()
        .flatten()
        .chain(spec.containers.iter())
    {
        for r in refs_of(c) {
            let key_matches = missing.key.is_none() || r.key.is_none() || r.key == missing.key;
            if r.kind == missing.kind && r.name == missing.name && key_matches {
                out.push(format!("{} of container {}", r.via, c.name));
            }
        }
    }
    for v in spec.volumes.iter().flatten() {
        let name = match missing.kind {
            "ConfigMap" => v.config_map.as_ref().map(|cm| cm.name.clone()),
            _ => v.secret.as_ref().and_then(|s| s.secret_name.clone()),
        };
        if name.as_deref() == Some(missing.name.as_str()) {
            out.push(format!("volume {}", v.name));
        }
    }
    out
}

/// What the snapshot knows about a ConfigMap/Secret: `None` when that kind was not collected
/// in the namespace, `Some(None)` when it is absent, `Some(Some(keys))` when present.
fn lookup(snapshot: &Snapshot, ns: &str, kind: &str, name: &str) -> Option<Option<Vec<String>>> {
    let in_ns = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        m.namespace.as_deref() == Some(ns)
    };
    if kind == "Secret" {
        let objects = &snapshot.objects.secrets;
        if !objects.iter().any(|s| in_ns(&s.metadata)) {
            return None;
        }
        let found = objects
            .iter()
            .find(|s| in_ns(&s.metadata) && s.metadata.name.as_deref() == Some(name));
        Some(found.map(|s| secret_keys(s).map(str::to_string).collect()))
    } else {
        let objects = &snapshot.objects.config_maps;
        if !objects.iter().any(|s| in_ns(&s.metadata)) {
            return None;
        }
        let found = objects
            .iter()
            .find(|s| in_ns(&s.metadata) && s.metadata.name.as_deref() == Some(name));
        Some(found.map(|s| config_map_keys(s).map(str::to_string).collect()))
    }
}

/// Names of the objects of one kind in a namespace.
fn names_in(snapshot: &Snapshot, ns: &str, kind: &str) -> Vec<String> {
    let metas: Vec<_> = if kind == "Secret" {
        snapshot
            .objects
            .secrets
            .iter()
            .map(|s| &s.metadata)
            .collect()
    } else {
        snapshot
            .objects
            .config_maps
            .iter()
            .map(|s| &s.metadata)
            .collect()
    };
    metas
        .into_iter()
        .filter(|m| m.namespace.as_deref() == Some(ns))
        .filter_map(|m| m.name.clone())
        .collect()
}

fn finding(
    analyzer: &str,
    snapshot: &Snapshot,
    pod: &PodContext<'_>,
    missing: &Missing,
) -> Finding {
    let ns = pod.namespace;
    let Missing { kind, name, key } = missing;
    let detail = match key {
        Some(k) => format!("{kind}/{name}/{k}"),
        None => format!("{kind}/{name}"),
    };
    let mut f = Finding::new(
        analyzer,
        Category::ConfigMissing,
        pod.subject.clone(),
        pod.workload.clone(),
        &detail,
    )
    .fact("kind", kind)
    .fact("name", name);
    if let Some(k) = key {
        f.facts.insert("key".into(), k.clone());
    }
    f.severity = Severity::Critical;
    let refs = references(pod.pod.spec.as_ref(), missing);
    let via = if refs.is_empty() {
        String::new()
    } else {
        format!(", referenced by {}", refs.join(", "))
    };
    let object = crate::model::ObjectRef::new(*kind, Some(ns), name.clone());
    let state = lookup(snapshot, ns, kind, name);

    let (summary, cause) = match (key, &state) {
        (Some(k), Some(Some(keys))) if keys.contains(k) => (
            format!("key {k} of {kind} {name} was missing"),
            format!(
                "Key {k} of {kind} {name} was missing when the kubelet started the container{via}; the snapshot now shows it, so the pod should recover on its next retry."
            ),
        ),
        (Some(k), Some(Some(keys))) => {
            let near = closest(k, keys.iter().map(String::as_str))
                .map(|n| format!("; {n} is the closest, likely a typo"))
                .unwrap_or_default();
            let have = if keys.is_empty() {
                "no keys at all".to_string()
            } else {
                format!("only {}", keys.join(", "))
            };
            f.evidence.push(Context::evidence(
                EvidenceSource::Spec,
                &object,
                format!(
                    "{kind} {ns}/{name} keys: {}",
                    if keys.is_empty() {
                        "(none)".into()
                    } else {
                        keys.join(", ")
                    }
                ),
                Strength::Indirect,
            ));
            (
                format!("key {k} missing from {kind} {name}"),
                format!(
                    "Key {k} does not exist in {kind} {name} (namespace {ns}){via}: the {kind} has {have}{near}."
                ),
            )
        }
        (Some(k), Some(None)) => (
            format!("{kind} {name} not found"),
            format!(
                "{kind} {name}, whose key {k} the pod reads{via}, does not exist in namespace {ns}{}.",
                similar_object(snapshot, ns, kind, name)
            ),
        ),
        (Some(k), None) => (
            format!("key {k} missing from {kind} {name}"),
            format!(
                "Key {k} does not exist in {kind} {name} (namespace {ns}){via}, per the kubelet; {kind}s are not in the snapshot, so this was not cross-checked."
            ),
        ),
        (None, Some(Some(_))) => (
            format!("{kind} {name} was missing"),
            format!(
                "{kind} {name} was missing when the kubelet started the container{via}; the snapshot now shows it, so the pod should recover on its next retry."
            ),
        ),
        (None, Some(None)) => (
            format!("{kind} {name} not found"),
            format!(
                "{kind} {name}{via}, does not exist in namespace {ns}{}.",
                similar_object(snapshot, ns, kind, name)
            ),
        ),
        (None, None) => (
            format!("{kind} {name} not found"),
            format!(
                "{kind} {name}{via}, does not exist in namespace {ns}, per the kubelet; {kind}s are not in the snapshot, so this was not cross-checked."
            ),
        ),
    };
    let now_present = matches!((key, &state), (Some(k), Some(Some(keys))) if keys.contains(k))
        || matches!((key, &state), (None, Some(Some(_))));
    if now_present {
        f.severity = Severity::Warning;
    }
    if matches!(state, Some(None)) {
        f.evidence.push(Context::evidence(
            EvidenceSource::Spec,
            &object,
            format!(
                "no {kind} named {name} in namespace {ns} (present: {})",
                names_in(snapshot, ns, kind).join(", ")
            ),
            Strength::Indirect,
        ));
    }
    for e in pod
        .events_with(&["Failed"])
        .into_iter()
        .rev()
        .filter(|e| mentions(e, missing))
        .take(1)
    {
        f.evidence
            .push(Context::event_evidence(e, Strength::Direct));
    }
    f.summary = summary;
    f.cause = cause;
    f.fix = match key {
        Some(k) => vec![
            format!(
                "Add key {k} to {kind} {name} in namespace {ns} (in the manifest that defines it), or change the reference to a key the {kind} has."
            ),
            format!(
                "The kubelet retries on its own; once the key exists, check with `kubectl get pods -n {ns}`."
            ),
        ],
        None => vec![
            format!(
                "Create {kind} {name} in namespace {ns} with the keys the workload expects, or correct the name in the reference."
            ),
            format!(
                "The kubelet retries on its own; once the {kind} exists, check with `kubectl get pods -n {ns}`."
            ),
        ],
    };
    f.prevention = vec![
        format!("Deploy the {kind} together with the workload (same kustomization/Helm release) so they cannot drift apart."),
        "Validate references with a pre-deploy check (e.g. a policy that every configMapKeyRef/secretKeyRef resolves).".into(),
    ];
    if !now_present {
        f.remedy = Some(Remedy {
            target: pod.workload.clone(),
            change: Change::CreateKey {
                kind: kind.to_string(),
                name: name.clone(),
                key: key.clone(),
            },
            rationale: match key {
                Some(k) => format!(
                    "The container cannot be created until key {k} exists in {kind} {ns}/{name}; its value must come from the application's configuration."
                ),
                None => format!(
                    "The container cannot be created until {kind} {ns}/{name} exists; its values must come from the application's configuration."
                ),
            },
        });
    }
    f
}

fn mentions(e: &Event, missing: &Missing) -> bool {
    e.message
        .as_deref()
        .and_then(parse_message)
        .is_some_and(|m| &m == missing)
}

/// `(Secret inventory-db-creds exists)` when a similar name exists in the namespace.
fn similar_object(snapshot: &Snapshot, ns: &str, kind: &str, name: &str) -> String {
    let names = names_in(snapshot, ns, kind);
    match closest(name, names.iter().map(String::as_str)) {
        Some(n) => format!(" ({kind} {n} does, a likely mix-up)"),
        None => String::new(),
    }
}

/// Edit distance between two names (bytes; names are ASCII).
pub(super) fn edit_distance(a: &str, b: &str) -> usize {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.iter().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The candidate most like `target` (a typo or a prefixed/suffixed variant), if any is close.
pub(super) fn closest<'a>(
    target: &str,
    candidates: impl Iterator<Item = &'a str>,
) -> Option<&'a str> {
    let t = target.to_ascii_lowercase();
    candidates
        .filter(|c| !c.is_empty() && *c != target)
        .filter_map(|c| {
            let l = c.to_ascii_lowercase();
            let d = edit_distance(&t, &l);
            let affix = l.starts_with(&t)
                || t.starts_with(&l)
                || l.ends_with(&format!("-{t}"))
                || t.ends_with(&format!("-{l}"));
            let typo = d <= 2.max(t.len() / 5) && t.len() >= 3;
            (affix || typo).then_some((d, c))
        })
        .min_by_key(|(d, c)| (*d, c.len()))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {

    use super::*;
    use crate::analyze::Role;
    use crate::analyze::testing::run;

    #[test]
    fn missing_configmap_key_names_the_key_and_the_configmap() {
        let findings = run(&ConfigMissing, "config_missing/configmap-key-missing.json");
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.category, Category::ConfigMissing);
        assert_eq!(f.role, Role::Cause);
        assert_eq!(f.workload.to_string(), "Deployment shop/web");
        assert!(
            f.cause.contains("DATABASE_URL") && f.cause.contains("web-config"),
            "{}",
            f.cause
        );
        assert!(
            f.cause.contains("DATABASE_URI"),
            "names the near miss: {}",
            f.cause
        );
        assert_eq!(
            f.remedy.as_ref().map(|r| &r.change),
            Some(&Change::CreateKey {
                kind: "ConfigMap".into(),
                name: "web-config".into(),
                key: Some("DATABASE_URL".into())
            })
        );
    }

    #[test]
    fn secret_loaded_by_env_from_that_does_not_exist() {
        let findings = run(
            &ConfigMissing,
            "config_missing/secret-not-found-envfrom.json",
        );
        assert!(!findings.is_empty());
        assert!(
            findings.iter().all(|f| f.id == findings[0].id),
            "one cause for both pods"
        );
        let f = &findings[0];
        assert_eq!(f.workload.to_string(), "Deployment shop/inventory");
        assert!(
            f.cause.contains("Secret db-creds") && f.cause.contains("envFrom"),
            "{}",
            f.cause
        );
        assert!(f.cause.contains("inventory-db-creds"), "{}", f.cause);
        assert_eq!(
            f.remedy.as_ref().map(|r| &r.change),
            Some(&Change::CreateKey {
                kind: "Secret".into(),
                name: "db-creds".into(),
                key: None
            })
        );
    }

    #[test]
    fn secrets_not_collected_rely_on_the_kubelet_and_say_so() {
        let findings = run(&ConfigMissing, "config_missing/secret-not-collected.json");
        assert!(!findings.is_empty());
        assert!(
            findings[0].cause.contains("not cross-checked"),
            "{}",
            findings[0].cause
        );
    }

    #[test]
    fn healthy_pods_and_benign_kube_root_ca_mount_warning_are_silent() {
        assert!(
            run(
                &ConfigMissing,
                "config_missing/healthy-benign-mount-warning.json"
            )
            .is_empty()
        );
    }

    #[test]
    fn configmap_volume_that_cannot_mount_names_the_configmap_and_a_similar_one() {
        let findings = run(
            &ConfigMissing,
            "config_missing/failedmount-configmap-volume.json",
        );
        assert_eq!(findings.len(), 1, "{findings:#?}");
        let f = &findings[0];
        assert_eq!(f.workload.to_string(), "Deployment shop/app");
        assert!(
            f.cause.contains("ConfigMap app-config") && f.cause.contains("volume config"),
            "{}",
            f.cause
        );
        assert!(f.cause.contains("app-config-v2"), "{}", f.cause);
        assert_eq!(
            f.remedy.as_ref().map(|r| &r.change),
            Some(&Change::CreateKey {
                kind: "ConfigMap".into(),
                name: "app-config".into(),
                key: None
            })
        );
    }

    #[test]
    fn messages_parse() {
        assert_eq!(
            parse_message("couldn't find key K in Secret ns/x"),
            Some(Missing {
                kind: "Secret",
                name: "x".into(),
                key: Some("K".into())
            })
        );
        assert_eq!(
            parse_message("configmap \"app\" not found"),
            Some(Missing {
                kind: "ConfigMap",
                name: "app".into(),
                key: None
            })
        );
        assert_eq!(
            parse_mount(
                "MountVolume.SetUp failed for volume \"cfg\" : configmap \"app\" not found",
                None
            ),
            Some(Missing {
                kind: "ConfigMap",
                name: "app".into(),
                key: None
            })
        );
        assert_eq!(
            parse_mount(
                "MountVolume.SetUp failed for volume \"x\" : object \"shop\"/\"kube-root-ca.crt\" not registered",
                None
            ),
            None
        );
    }

    #[test]
    fn closest_names() {
        assert_eq!(
            closest(
                "postgres",
                ["cart", "postgresql-hl", "postgresql"].into_iter()
            ),
            Some("postgresql")
        );
        assert_eq!(
            closest("db-creds", ["inventory-db-creds", "redis"].into_iter()),
            Some("inventory-db-creds")
        );
        assert_eq!(
            closest("DATABASE_URL", ["LOG_LEVEL", "DATABASE_URI"].into_iter()),
            Some("DATABASE_URI")
        );
        assert_eq!(closest("catalog", ["cart", "redis"].into_iter()), None);
    }
}
