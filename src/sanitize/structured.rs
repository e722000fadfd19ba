//! Structured redaction: fields redacted for what they *are*, before any text rule.
//!
//! - Pod specs: `env[].value` when the variable name says secret (`DB_PASSWORD`,
//!   `API_KEY` …); `command`/`args` go through the text rules (`--password=x`).
//! - Secrets: `data`/`stringData` values are never kept (key names are), and the
//!   `kubectl.kubernetes.io/last-applied-configuration` annotation, which repeats them, is
//!   dropped.
//! - Arbitrary JSON (`kubectl get -o json`, API responses): the above by shape, values under
//!   keys that say secret, and every other string through the text rules.

use k8s_openapi::ByteString;
use k8s_openapi::api::core::v1::{Container, EnvVar, EphemeralContainer, PodSpec, Secret};
use serde_json::Value;

use super::entropy::looks_random;
use super::names::{Says, name_says, secret_kind};
use super::values::{plausible_credential, url_with_password};
use super::{Report, SanitizeError, Sanitizer};

const LAST_APPLIED: &str = "kubectl.kubernetes.io/last-applied-configuration";

impl Sanitizer {
    /// Redacts a pod spec in place: secret-named env values, and secrets in commands,
    /// args and other env values.
    pub fn redact_pod_spec(&self, spec: &mut PodSpec) -> Result<Report, SanitizeError> {
        let mut report = Report::default();
        for c in spec
            .containers
            .iter_mut()
            .chain(spec.init_containers.iter_mut().flatten())
        {
            self.redact_container(c, &mut report)?;
        }
        for c in spec.ephemeral_containers.iter_mut().flatten() {
            self.redact_ephemeral(c, &mut report)?;
        }
        Ok(report)
    }

    fn redact_container(
        &self,
        c: &mut Container,
        report: &mut Report,
    ) -> Result<(), SanitizeError> {
        self.redact_strings(c.command.iter_mut().flatten(), report)?;
        self.redact_strings(c.args.iter_mut().flatten(), report)?;
        self.redact_env(c.env.iter_mut().flatten(), report)
    }

    fn redact_ephemeral(
        &self,
        c: &mut EphemeralContainer,
        report: &mut Report,
    ) -> Result<(), SanitizeError> {
        self.redact_strings(c.command.iter_mut().flatten(), report)?;
        self.redact_strings(c.args.iter_mut().flatten(), report)?;
        self.redact_env(c.env.iter_mut().flatten(), report)
    }

    fn redact_env<'e>(
        &self,
        env: impl Iterator<Item = &'e mut EnvVar>,
        report: &mut Report,
    ) -> Result<(), SanitizeError> {
        for var in env {
            let Some(value) = var.value.as_mut() else {
                continue;
            };
            match value_kind(&var.name, value) {
                Some(kind) => {
                    *value = self.placeholder(kind, value);
                    report.add(kind, 1);
                }
                None => self.redact_string(value, report)?,
            }
        }
        Ok(())
    }

    /// Command and args: the text rules, then a bare argument or a `--flag=` value that
    /// reads as random key material (`serve --upstream-auth=Xk9…`, `run Xk9…`).
    fn redact_strings<'s>(
        &self,
        strings: impl Iterator<Item = &'s mut String>,
        report: &mut Report,
    ) -> Result<(), SanitizeError> {
        for s in strings {
            self.redact_string(s, report)?;
            let value_at = match s.split_once('=') {
                Some((flag, _)) if flag.starts_with('-') => flag.len() + 1,
                _ => 0,
            };
            if let Some(value) = s.get(value_at..)
                && looks_random(value)
            {
                let redacted = self.placeholder("high-entropy", value);
                s.truncate(value_at);
                s.push_str(&redacted);
                report.add("high-entropy", 1);
            }
        }
        Ok(())
    }

    fn redact_string(&self, s: &mut String, report: &mut Report) -> Result<(), SanitizeError> {
        let out = self.sanitize(s)?;
        report.merge(&out.report);
        if let std::borrow::Cow::Owned(new) = out.text {
            *s = new;
        }
        Ok(())
    }

    /// Empties every `data`/`stringData` value of a Secret (key names stay) and drops its
    /// last-applied annotation. Infallible: nothing is parsed.
    pub fn redact_secret(&self, secret: &mut Secret) -> Report {
        let mut report = Report::default();
        for v in secret.data.iter_mut().flat_map(|d| d.values_mut()) {
            *v = ByteString(Vec::new());
            report.add("secret-data", 1);
        }
        for v in secret.string_data.iter_mut().flat_map(|d| d.values_mut()) {
            v.clear();
            report.add("secret-data", 1);
        }
        if let Some(ann) = secret.metadata.annotations.as_mut()
            && ann.remove(LAST_APPLIED).is_some()
        {
            report.add("last-applied-configuration", 1);
        }
        report
    }

    /// Redacts a JSON document in place: Secret objects (data values emptied,
    /// last-applied dropped), `{"name": SECRET_NAME, "value": …}` env entries, values under
    /// keys that say secret, and every other string through the text rules.
    pub fn sanitize_json(&self, v: &mut Value) -> Result<Report, SanitizeError> {
        let mut report = Report::default();
        self.walk(v, &mut report)?;
        Ok(report)
    }

    fn walk(&self, v: &mut Value, report: &mut Report) -> Result<(), SanitizeError> {
        match v {
            Value::String(s) => self.redact_string(s, report),
            Value::Array(items) => items.iter_mut().try_for_each(|i| self.walk(i, report)),
            Value::Object(map) => {
                if map.get("kind").and_then(Value::as_str) == Some("Secret") {
                    for field in ["data", "stringData"] {
                        if let Some(Value::Object(data)) = map.get_mut(field) {
                            for val in data.values_mut() {
                                *val = Value::String(String::new());
                                report.add("secret-data", 1);
                            }
                        }
                    }
                    let ann = map
                        .get_mut("metadata")
                        .and_then(|m| m.get_mut("annotations"));
                    if let Some(Value::Object(ann)) = ann
                        && ann.remove(LAST_APPLIED).is_some()
                    {
                        report.add("last-applied-configuration", 1);
                    }
                }
                let env_name = match (map.get("name"), map.get("value")) {
                    (Some(Value::String(name)), Some(Value::String(_))) => Some(name.clone()),
                    _ => None,
                };
                // Keys are user data too (ConfigMap data keys, label keys): a key that holds
                // a secret is renamed to its redacted form.
                // Field names and most label keys are letters, dots, dashes and slashes,
                // which no rule matches: skip them, they are most of every object.
                let keys: Vec<String> = map
                    .keys()
                    .filter(|k| {
                        !k.bytes()
                            .all(|b| b.is_ascii_alphabetic() || matches!(b, b'.' | b'-' | b'/'))
                    })
                    .cloned()
                    .collect();
                for key in keys {
                    let out = self.sanitize(&key)?;
                    if let std::borrow::Cow::Owned(clean) = out.text
                        && let Some(val) = map.remove(&key)
                    {
                        report.merge(&out.report);
                        map.insert(clean, val);
                    }
                }
                for (key, val) in map.iter_mut() {
                    let (name, env_value) = match (&env_name, key.as_str()) {
                        (Some(name), "value") => (name.as_str(), true),
                        _ => (key.as_str(), false),
                    };
                    let kind = match &*val {
                        Value::String(s) if s.starts_with("<redacted:") => None,
                        Value::String(s) => value_kind(name, s).filter(|_| {
                            env_value || named_value_kind(name, s).is_some() || !is_id_key(key)
                        }),
                        Value::Number(_) => secret_kind(name),
                        _ => None,
                    };
                    match (kind, &*val) {
                        (Some(kind), Value::String(s)) => {
                            *val = Value::String(self.placeholder(kind, s));
                            report.add(kind, 1);
                        }
                        (Some(kind), Value::Number(n)) => {
                            *val = Value::String(self.placeholder(kind, &n.to_string()));
                            report.add(kind, 1);
                        }
                        _ => self.walk(val, report)?,
                    }
                }
                Ok(())
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => Ok(()),
        }
    }
}

/// The placeholder kind for `value` stored under `name` (an env variable, a JSON key):
/// the name says secret, says so and the value looks like a credential, or the value is
/// random key material under an env variable whatever its name. `None` keeps it (the text
/// rules still run over it).
fn value_kind(name: &str, value: &str) -> Option<&'static str> {
    named_value_kind(name, value).or_else(|| looks_random(value).then_some("high-entropy"))
}

/// Keys whose values are identifiers that look random by design and say nothing secret
/// (GitHub's `node_id`, object `uid`s).
fn is_id_key(key: &str) -> bool {
    matches!(key, "node_id" | "uid" | "id" | "sha" | "head_sha" | "etag")
}

/// Like [`value_kind`] for a JSON key, where only the name can tell.
fn named_value_kind(name: &str, value: &str) -> Option<&'static str> {
    // The URL rule takes just the password out and leaves host and database.
    if value.is_empty() || url_with_password(value) {
        return None;
    }
    match name_says(name)? {
        Says::Secret(kind) => Some(kind),
        Says::IfValueLooksRandom(kind) => plausible_credential(value).then_some(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sanitize::SanitizeConfig;
    use serde_json::json;

    fn s() -> Sanitizer {
        Sanitizer::with_key(&SanitizeConfig::default(), &[9; 64]).unwrap()
    }

    #[test]
    fn pod_spec_env_values_by_name() {
        let mut spec: PodSpec = serde_json::from_value(json!({
            "containers": [{"name": "web", "image": "web:1",
                "args": ["--db-password=hunter2", "--port=8080"],
                "env": [{"name": "DB_PASSWORD", "value": "hunter2"},
                        {"name": "LOG_LEVEL", "value": "debug"},
                        {"name": "API_TOKEN", "valueFrom": {"secretKeyRef": {"name": "t", "key": "k"}}}]}]
        }))
        .unwrap();
        let report = s().redact_pod_spec(&mut spec).unwrap();
        let text = serde_json::to_string(&spec).unwrap();
        assert!(!text.contains("hunter2"), "{text}");
        assert!(
            text.contains("debug") && text.contains("--port=8080") && text.contains("secretKeyRef")
        );
        assert_eq!(report.get("password"), 2);
    }

    #[test]
    fn secret_values_and_last_applied_dropped() {
        let mut v = json!({"kind": "Secret", "metadata": {"name": "db", "annotations": {
            LAST_APPLIED: "{\"data\":{\"password\":\"aHVudGVyMg==\"}}"}},
            "data": {"password": "aHVudGVyMg=="}});
        s().sanitize_json(&mut v).unwrap();
        let text = v.to_string();
        assert!(
            !text.contains("aHVudGVyMg") && text.contains("\"password\""),
            "{text}"
        );
        let mut secret: Secret = serde_json::from_value(json!({"metadata": {"name": "db"},
            "stringData": {"token": "abc"}}))
        .unwrap();
        assert_eq!(s().redact_secret(&mut secret).get("secret-data"), 1);
    }

    #[test]
    fn json_keys_that_say_secret() {
        let mut v = json!({"config": {"clientSecret": "abc123", "secretName": "db", "port": 5432,
            "url": "redis://:pa55@redis:6379"}});
        s().sanitize_json(&mut v).unwrap();
        let text = v.to_string();
        assert!(
            !text.contains("abc123") && !text.contains("pa55") && text.contains("\"db\""),
            "{text}"
        );
    }
}
