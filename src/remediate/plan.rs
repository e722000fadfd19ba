//! From a typed remedy to the field edits it means, and the names that follow from them:
//! the fingerprint, the branch and the commit message.
//!
//! Which remedies become a manifest edit:
//! - `set-memory-limit`, `set-memory-request`, `set-cpu-request`, `set-image` and
//!   `set-probe` (port, path, initialDelaySeconds) are values of one container of the
//!   workload's pod template: they become edits.
//! - `create-key` has no value to write: the remedy says a ConfigMap or Secret key is
//!   missing, never what it should hold. k8sops never invents one, so it refuses.
//! - `set-service-selector-or-name` names the Service the client should reach, but that
//!   name lives in the application's configuration (an env var, a config file, code), not in
//!   a field k8sops can identify: refused too.

use serde::Serialize;
use sha2::{Digest as _, Sha256};

use crate::analyze::{Category, Change};
use crate::error::{Error, Result};
use crate::model::ObjectRef;
use crate::rca::{Diagnosis, Hypothesis};

/// A value to write: strings stay strings, numbers stay numbers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Scalar {
    Str(String),
    Int(i64),
}

impl std::fmt::Display for Scalar {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Scalar::Str(s) => f.write_str(s),
            Scalar::Int(n) => write!(f, "{n}"),
        }
    }
}

impl Scalar {
    /// The value as serde reads it from YAML.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Scalar::Str(s) => serde_json::Value::String(s.clone()),
            Scalar::Int(n) => serde_json::Value::from(*n),
        }
    }
}

/// One of the probes of a container.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum Probe {
    Liveness,
    Readiness,
    Startup,
}

impl Probe {
    fn parse(s: &str) -> Option<Probe> {
        match s.trim_end_matches("Probe").to_ascii_lowercase().as_str() {
            "liveness" => Some(Probe::Liveness),
            "readiness" => Some(Probe::Readiness),
            "startup" => Some(Probe::Startup),
            _ => None,
        }
    }

    /// The container key: `livenessProbe`.
    pub fn key(self) -> &'static str {
        match self {
            Probe::Liveness => "livenessProbe",
            Probe::Readiness => "readinessProbe",
            Probe::Startup => "startupProbe",
        }
    }
}

/// A field of a container that a remedy sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Field {
    MemoryLimit,
    MemoryRequest,
    CpuRequest,
    Image,
    ProbePort(Probe),
    ProbePath(Probe),
    ProbeInitialDelay(Probe),
}

/// Probe handlers that carry a port, in the order a container would declare one.
const PORT_HANDLERS: [&str; 3] = ["httpGet", "tcpSocket", "grpc"];

impl Field {
    /// The name `[policy] allowed_fields` uses: the container field as the manifest spells
    /// it (`resources.limits.memory`, `image`, `livenessProbe`).
    pub fn policy_name(self) -> &'static str {
        match self {
            Field::MemoryLimit => "resources.limits.memory",
            Field::MemoryRequest => "resources.requests.memory",
            Field::CpuRequest => "resources.requests.cpu",
            Field::Image => "image",
            Field::ProbePort(p) | Field::ProbePath(p) | Field::ProbeInitialDelay(p) => p.key(),
        }
    }

    /// The path below the container. A probe's port is under whichever handler the
    /// container's probe uses, so `container` (as the manifest has it) decides; `None`
    /// when the probe or its handler is not there (k8sops does not invent a probe).
    pub fn path(self, container: &serde_json::Value) -> Option<Vec<String>> {
        let own = |parts: &[&str]| Some(parts.iter().map(|s| s.to_string()).collect());
        match self {
            Field::MemoryLimit => own(&["resources", "limits", "memory"]),
            Field::MemoryRequest => own(&["resources", "requests", "memory"]),
            Field::CpuRequest => own(&["resources", "requests", "cpu"]),
            Field::Image => own(&["image"]),
            Field::ProbePort(p) => {
                let probe = container.get(p.key())?;
                let handler = PORT_HANDLERS.iter().find(|h| probe.get(**h).is_some())?;
                own(&[p.key(), handler, "port"])
            }
            Field::ProbePath(p) => {
                container.get(p.key())?.get("httpGet")?;
                own(&[p.key(), "httpGet", "path"])
            }
            Field::ProbeInitialDelay(p) => {
                container.get(p.key())?;
                own(&[p.key(), "initialDelaySeconds"])
            }
        }
    }

    /// Quantities whose change `[policy]` bounds by a factor.
    pub fn is_memory(self) -> bool {
        matches!(self, Field::MemoryLimit | Field::MemoryRequest)
    }
}

/// One value to set in the target's container.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FieldEdit {
    pub field: Field,
    /// What the cluster runs now, when the remedy knows it.
    pub from: Option<String>,
    pub to: Scalar,
}

/// What a remedy means for the manifests.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Plan {
    pub target: ObjectRef,
    pub category: Category,
    pub container: String,
    pub edits: Vec<FieldEdit>,
    /// The hypothesis's cause, confidence and the remedy's arithmetic.
    pub cause: String,
    pub confidence: f64,
    pub rationale: String,
    /// Stable for the same change to the same object: names the branch and finds the PR.
    pub fingerprint: String,
}

impl Plan {
    /// The plan for `hypothesis` of `diagnosis`; a refusal when its remedy is no edit.
    pub fn new(diagnosis: &Diagnosis, hypothesis: &Hypothesis) -> Result<Plan> {
        let Some(remedy) = &hypothesis.remedy else {
            return Err(Error::Refused {
                reason: format!(
                    "the {} hypothesis for {} has no remedy k8sops can write",
                    hypothesis.category, diagnosis.subject
                ),
                hint: "follow its fix steps by hand (`k8sops diagnose` lists them)".into(),
            });
        };
        let (container, edits) = edits_of(&remedy.change)?;
        let mut plan = Plan {
            target: remedy.target.clone(),
            category: hypothesis.category,
            container,
            edits,
            cause: hypothesis.cause.clone(),
            confidence: hypothesis.confidence,
            rationale: remedy.rationale.clone(),
            fingerprint: String::new(),
        };
        plan.fingerprint = plan.compute_fingerprint();
        Ok(plan)
    }

    fn compute_fingerprint(&self) -> String {
        let mut h = Sha256::new();
        h.update(b"k8sops-fix/v1\n");
        let t = &self.target;
        for part in [
            &t.kind,
            t.namespace.as_deref().unwrap_or(""),
            &t.name,
            &self.container,
        ] {
            h.update(part.as_bytes());
            h.update(b"\n");
        }
        for e in &self.edits {
            h.update(format!("{}={}\n", e.field.policy_name(), e.to).as_bytes());
        }
        hex(&h.finalize())
    }

    /// `k8sops/<category>-<workload>-<short-hash>`.
    pub fn branch(&self) -> String {
        let workload: String = self
            .target
            .name
            .chars()
            .map(
                |c| match c.is_ascii_alphanumeric() || c == '-' || c == '.' {
                    true => c.to_ascii_lowercase(),
                    false => '-',
                },
            )
            .collect();
        format!(
            "k8sops/{}-{}-{}",
            self.category.id(),
            workload,
            &self.fingerprint[..7]
        )
    }

    /// One line per edit: `memory limit of container web: 512Mi → 1280Mi`.
    pub fn describe_edits(&self) -> Vec<String> {
        self.edits
            .iter()
            .map(|e| {
                let what = match e.field {
                    Field::MemoryLimit => "memory limit".to_string(),
                    Field::MemoryRequest => "memory request".to_string(),
                    Field::CpuRequest => "cpu request".to_string(),
                    Field::Image => "image".to_string(),
                    Field::ProbePort(p) => format!("{} port", p.key()),
                    Field::ProbePath(p) => format!("{} path", p.key()),
                    Field::ProbeInitialDelay(p) => format!("{} initialDelaySeconds", p.key()),
                };
                match &e.from {
                    Some(from) => {
                        format!("{what} of container {}: {from} → {}", self.container, e.to)
                    }
                    None => format!("{what} of container {}: set to {}", self.container, e.to),
                }
            })
            .collect()
    }

    /// A conventional commit: `fix(oom-killed): set memory limit of shop/web container web
    /// to 1280Mi`, the arithmetic in the body and the fingerprint as a trailer.
    pub fn commit_message(&self) -> String {
        let ns = self.target.namespace.as_deref().unwrap_or("");
        let subject = match self.edits.as_slice() {
            [e] => format!(
                "fix({}): set {} of {ns}/{} container {} to {}",
                self.category.id(),
                e.field.policy_name(),
                self.target.name,
                self.container,
                e.to
            ),
            _ => format!(
                "fix({}): {} of {ns}/{} container {}",
                self.category.id(),
                self.edits
                    .iter()
                    .map(|e| e.field.policy_name())
                    .collect::<Vec<_>>()
                    .join(", "),
                self.target.name,
                self.container
            ),
        };
        format!(
            "{subject}\n\n{}\n\nWhy: {}\n\nK8sops-Fingerprint: {}\n",
            self.describe_edits().join("\n"),
            self.rationale,
            self.fingerprint
        )
    }
}

fn edits_of(change: &Change) -> Result<(String, Vec<FieldEdit>)> {
    let edit = |field, from: &Option<String>, to: &str| FieldEdit {
        field,
        from: from.clone(),
        to: Scalar::Str(to.to_string()),
    };
    Ok(match change {
        Change::SetMemoryLimit {
            container,
            from,
            to,
        } => (container.clone(), vec![edit(Field::MemoryLimit, from, to)]),
        Change::SetMemoryRequest {
            container,
            from,
            to,
        } => (
            container.clone(),
            vec![edit(Field::MemoryRequest, from, to)],
        ),
        Change::SetCpuRequest {
            container,
            from,
            to,
        } => (container.clone(), vec![edit(Field::CpuRequest, from, to)]),
        Change::SetImage {
            container,
            from,
            to,
        } => (
            container.clone(),
            vec![edit(Field::Image, &Some(from.clone()), to)],
        ),
        Change::SetProbe {
            container,
            probe,
            port,
            path,
            initial_delay_seconds,
        } => {
            let Some(p) = Probe::parse(probe) else {
                return Err(Error::Refused {
                    reason: format!("the remedy names an unknown probe {probe:?}"),
                    hint: "expected liveness, readiness or startup".into(),
                });
            };
            let mut edits = Vec::new();
            if let Some(port) = port {
                // A numeric port stays a number; a named port is a string.
                let to = match port.parse::<i64>() {
                    Ok(n) => Scalar::Int(n),
                    Err(_) => Scalar::Str(port.clone()),
                };
                edits.push(FieldEdit {
                    field: Field::ProbePort(p),
                    from: None,
                    to,
                });
            }
            if let Some(path) = path {
                edits.push(edit(Field::ProbePath(p), &None, path));
            }
            if let Some(delay) = initial_delay_seconds {
                edits.push(FieldEdit {
                    field: Field::ProbeInitialDelay(p),
                    from: None,
                    to: Scalar::Int(i64::from(*delay)),
                });
            }
            (container.clone(), edits)
        }
        Change::CreateKey { kind, name, key } => {
            let what = match key {
                Some(k) => format!("key {k} in {kind} {name}"),
                None => format!("{kind} {name}"),
            };
            return Err(Error::Refused {
                reason: format!(
                    "the remedy is to create {what}, and k8sops never invents a value for it"
                ),
                hint: format!(
                    "add {what} with its real value where it is managed (its manifest, sealed secret or secret manager); k8sops opens PRs only for values it can state"
                ),
            });
        }
        Change::SetServiceSelectorOrName { service, to } => {
            return Err(Error::Refused {
                reason: format!(
                    "the remedy is to reach Service {to} instead of {service}; that name lives in the application's configuration, not in a field k8sops can identify"
                ),
                hint: format!(
                    "change the host the application connects to ({service} → {to}) in its env or config file, or create Service {service}"
                ),
            });
        }
    })
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Remedy;
    use crate::analyze::Severity;

    fn diagnosis(change: Change) -> (Diagnosis, Hypothesis) {
        let target = ObjectRef::new("Deployment", Some("shop"), "web");
        let h = Hypothesis {
            cause: "OOMKilled at 512Mi".into(),
            category: Category::OomKilled,
            confidence: 0.96,
            engine: "rules".into(),
            evidence: vec![],
            fix: vec![],
            prevention: vec![],
            remedy: Some(Remedy {
                target: target.clone(),
                change,
                rationale: "heap 1Gi + 25% = 1280Mi".into(),
            }),
            signature: None,
            inferred: Vec::new(),
        };
        let d = Diagnosis {
            subject: target,
            severity: Severity::Critical,
            hypotheses: vec![h.clone()],
            findings: vec![],
            evidence: vec![],
            changes: vec![],
            affected: vec![],
            explanation: None,
        };
        (d, h)
    }

    #[test]
    fn a_memory_remedy_is_one_edit_with_a_predictable_branch() {
        let (d, h) = diagnosis(Change::SetMemoryLimit {
            container: "web".into(),
            from: Some("512Mi".into()),
            to: "1280Mi".into(),
        });
        let plan = Plan::new(&d, &h).expect("plan");
        assert_eq!(plan.edits.len(), 1);
        assert_eq!(plan.edits[0].to, Scalar::Str("1280Mi".into()));
        let branch = plan.branch();
        assert!(branch.starts_with("k8sops/oom-killed-web-"), "{branch}");
        assert_eq!(branch.len(), "k8sops/oom-killed-web-".len() + 7);
        assert_eq!(Plan::new(&d, &h).expect("plan").branch(), branch);
        let msg = plan.commit_message();
        assert!(
            msg.starts_with(
                "fix(oom-killed): set resources.limits.memory of shop/web container web to 1280Mi\n"
            ),
            "{msg}"
        );
        assert!(msg.contains(&format!("K8sops-Fingerprint: {}", plan.fingerprint)));
    }

    #[test]
    fn a_missing_key_is_refused_because_there_is_no_value_to_write() {
        let (d, h) = diagnosis(Change::CreateKey {
            kind: "ConfigMap".into(),
            name: "web-config".into(),
            key: Some("DATABASE_URL".into()),
        });
        let err = Plan::new(&d, &h).expect_err("refused");
        assert_eq!(err.exit_code(), 4);
        assert!(err.to_string().contains("never invents a value"), "{err}");
        assert!(err.to_string().contains("DATABASE_URL"), "{err}");
    }

    #[test]
    fn a_numeric_probe_port_stays_a_number() {
        let (d, h) = diagnosis(Change::SetProbe {
            container: "web".into(),
            probe: "readiness".into(),
            port: Some("3000".into()),
            path: None,
            initial_delay_seconds: None,
        });
        let plan = Plan::new(&d, &h).expect("plan");
        assert_eq!(plan.edits[0].to, Scalar::Int(3000));
        let container = serde_json::json!({"readinessProbe": {"tcpSocket": {"port": 8080}}});
        assert_eq!(
            plan.edits[0].field.path(&container),
            Some(vec![
                "readinessProbe".into(),
                "tcpSocket".into(),
                "port".into()
            ])
        );
        assert_eq!(plan.edits[0].field.path(&serde_json::json!({})), None);
    }
}
