//! What k8sops may propose as a pull request: the `[policy]` table. A refusal says which
//! rule refused and how to change it (exit 4); nothing is written before the plan passes.
//!
//! Deletions are not a rule here because no plan can express one: a plan only sets values
//! (see `plan.rs`), and the YAML edit verifies that nothing else changed.

use serde::{Deserialize, Serialize};

use super::plan::{Field, Plan};
use crate::error::{Error, Result};
use crate::model::quantity::parse_quantity;

/// The `[policy]` table of the config file.
///
/// ```toml
/// [policy]
/// allowed_kinds = ["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"]
/// allowed_fields = ["image", "resources.limits.memory", "resources.requests.memory",
///                   "resources.requests.cpu", "livenessProbe", "readinessProbe", "startupProbe"]
/// forbidden_namespaces = ["kube-system"]
/// max_memory_factor = 2.0     # 512Mi → at most 1Gi (and at least 256Mi) in one PR
/// max_cpu_factor = 2.0
/// min_confidence = 0.8        # below: only with --force
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(default, deny_unknown_fields)]
pub struct PolicyConfig {
    pub allowed_kinds: Vec<String>,
    pub allowed_fields: Vec<String>,
    pub forbidden_namespaces: Vec<String>,
    pub max_memory_factor: f64,
    pub max_cpu_factor: f64,
    pub min_confidence: f64,
}

impl Default for PolicyConfig {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|s| s.to_string()).collect();
        PolicyConfig {
            allowed_kinds: s(&["Deployment", "StatefulSet", "DaemonSet", "CronJob", "Job"]),
            allowed_fields: s(&[
                "image",
                "resources.limits.memory",
                "resources.requests.memory",
                "resources.requests.cpu",
                "livenessProbe",
                "readinessProbe",
                "startupProbe",
            ]),
            forbidden_namespaces: s(&["kube-system"]),
            max_memory_factor: 2.0,
            max_cpu_factor: 2.0,
            min_confidence: 0.8,
        }
    }
}

impl PolicyConfig {
    /// Checks what the types cannot (a factor below 1 would refuse every change).
    pub fn validate(&self) -> std::result::Result<(), String> {
        for (name, v) in [
            ("max_memory_factor", self.max_memory_factor),
            ("max_cpu_factor", self.max_cpu_factor),
        ] {
            if !(v.is_finite() && v >= 1.0) {
                return Err(format!("[policy] {name} = {v} must be a number ≥ 1"));
            }
        }
        if !(0.0..=1.0).contains(&self.min_confidence) {
            return Err(format!(
                "[policy] min_confidence = {} must be between 0 and 1",
                self.min_confidence
            ));
        }
        Ok(())
    }

    /// Refuses `plan` unless every rule allows it; `force` lifts only the confidence rule.
    pub fn check(&self, plan: &Plan, force: bool) -> Result<()> {
        let refuse = |reason: String, hint: &str| {
            Err(Error::Refused {
                reason,
                hint: hint.to_string(),
            })
        };
        let t = &plan.target;
        if !self.allowed_kinds.iter().any(|k| k == &t.kind) {
            return refuse(
                format!(
                    "policy allows pull requests for {} only, not {}",
                    self.allowed_kinds.join(", "),
                    t
                ),
                "add the kind to allowed_kinds in the [policy] table, or change it by hand",
            );
        }
        if let Some(ns) = t
            .namespace
            .as_deref()
            .filter(|ns| self.forbidden_namespaces.iter().any(|f| f == ns))
        {
            return refuse(
                format!("policy forbids changes in namespace {ns} ({t})"),
                "change it by hand, or remove the namespace from forbidden_namespaces in [policy]",
            );
        }
        for e in &plan.edits {
            let name = e.field.policy_name();
            if !self.allowed_fields.iter().any(|f| f == name) {
                return refuse(
                    format!("policy does not allow changing {name} ({t})"),
                    "add the field to allowed_fields in the [policy] table, or change it by hand",
                );
            }
            if e.to.to_string().trim().is_empty() {
                return refuse(
                    format!("the remedy would empty {name} of {t}; k8sops never deletes"),
                    "change it by hand",
                );
            }
            let limit = match e.field {
                f if f.is_memory() => Some(("max_memory_factor", self.max_memory_factor)),
                Field::CpuRequest => Some(("max_cpu_factor", self.max_cpu_factor)),
                _ => None,
            };
            let (Some((rule, max)), Some(from)) = (limit, e.from.as_deref()) else {
                continue;
            };
            let to = e.to.to_string();
            let (Some(a), Some(b)) = (parse_quantity(from), parse_quantity(&to)) else {
                return refuse(
                    format!("cannot compare {from} with {to} for {name} of {t}"),
                    "change it by hand",
                );
            };
            if a <= 0.0 || b <= 0.0 {
                continue;
            }
            let factor = if b >= a { b / a } else { a / b };
            if factor > max + 1e-9 {
                return refuse(
                    format!(
                        "{name} of container {} in {t} would go from {from} to {to}, a factor of {}, more than the {} ({rule}) the policy allows in one pull request",
                        plan.container,
                        trim(factor),
                        trim(max),
                    ),
                    &format!(
                        "make the change in steps, change it by hand, or raise {rule} in the [policy] table of the config file"
                    ),
                );
            }
        }
        if plan.confidence < self.min_confidence && !force {
            return refuse(
                format!(
                    "the confidence of this hypothesis is {:.2}, below the {:.2} (min_confidence) the policy requires to propose a pull request",
                    plan.confidence, self.min_confidence
                ),
                "check the evidence yourself; pass --force to propose it anyway, or lower min_confidence in [policy]",
            );
        }
        Ok(())
    }
}

/// `2.5×`, `2×`.
fn trim(f: f64) -> String {
    let s = format!("{f:.2}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    format!("{s}×")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::Category;
    use crate::model::ObjectRef;
    use crate::remediate::plan::{FieldEdit, Scalar};

    fn plan(ns: &str, from: &str, to: &str, confidence: f64) -> Plan {
        Plan {
            target: ObjectRef::new("Deployment", Some(ns), "web"),
            category: Category::OomKilled,
            container: "web".into(),
            edits: vec![FieldEdit {
                field: Field::MemoryLimit,
                from: Some(from.into()),
                to: Scalar::Str(to.into()),
            }],
            cause: String::new(),
            confidence,
            rationale: String::new(),
            fingerprint: "0".repeat(64),
        }
    }

    #[test]
    fn more_than_twice_the_memory_is_refused_with_the_arithmetic() {
        let p = PolicyConfig::default();
        let err = p
            .check(&plan("shop", "512Mi", "1280Mi", 0.96), false)
            .expect_err("2.5× > 2×");
        assert_eq!(err.exit_code(), 4);
        let msg = err.to_string();
        assert!(
            msg.contains(
                "from 512Mi to 1280Mi, a factor of 2.5×, more than the 2× (max_memory_factor)"
            ),
            "{msg}"
        );
        assert!(err.hint().contains("max_memory_factor"), "{}", err.hint());
        p.check(&plan("shop", "512Mi", "1Gi", 0.96), false)
            .expect("exactly 2× is allowed");
        p.check(&plan("shop", "2Gi", "1Gi", 0.96), false)
            .expect("halving is 2× too");
    }

    #[test]
    fn kube_system_is_forbidden_by_default() {
        let err = PolicyConfig::default()
            .check(&plan("kube-system", "512Mi", "768Mi", 0.96), true)
            .expect_err("forbidden");
        assert!(err.to_string().contains("namespace kube-system"), "{err}");
    }

    #[test]
    fn low_confidence_needs_force_and_says_so() {
        let p = PolicyConfig::default();
        let err = p
            .check(&plan("shop", "128Mi", "192Mi", 0.76), false)
            .expect_err("below 0.8");
        assert!(err.to_string().contains("0.76, below the 0.80"), "{err}");
        assert!(err.hint().contains("--force"), "{}", err.hint());
        p.check(&plan("shop", "128Mi", "192Mi", 0.76), true)
            .expect("--force lifts it");
    }

    #[test]
    fn fields_outside_the_allowlist_are_refused() {
        let p = PolicyConfig {
            allowed_fields: vec!["image".into()],
            ..PolicyConfig::default()
        };
        let err = p
            .check(&plan("shop", "512Mi", "768Mi", 0.96), false)
            .expect_err("not allowed");
        assert!(err.to_string().contains("resources.limits.memory"), "{err}");
    }
}
