//! The answer the model must give: a JSON schema (sent as `response_format` where the
//! endpoint supports it, and described in the prompt for the others), and its validation.
//!
//! Validation is strict about shape — required fields, types, categories, ranges (extra
//! fields are ignored) — and an answer of the wrong shape is re-asked once with the error.
//! It is lenient about content: a hypothesis that cites an evidence id the context
//! does not hold, or cites none, is dropped (the model never invents evidence), and a
//! remedy that does not name a container of the workload is dropped from its hypothesis.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::analyze::{Category, Change};

/// Hypotheses kept from one answer.
pub const MAX_HYPOTHESES: usize = 3;

/// The remedy types a model may propose; they map onto [`Change`].
const REMEDY_TYPES: &[&str] = &[
    "set-memory-limit",
    "set-memory-request",
    "set-cpu-request",
    "set-image",
    "set-probe",
    "create-key",
];

/// The JSON schema of an answer.
pub fn schema() -> Value {
    let categories: Vec<&str> = Category::ALL.iter().map(|c| c.id()).collect();
    let strings = json!({"type": "array", "items": {"type": "string"}});
    let nullable = json!({"type": ["string", "null"]});
    json!({
        "type": "object",
        "additionalProperties": false,
        "required": ["hypotheses", "explanation"],
        "properties": {
            "hypotheses": {
                "type": "array",
                "maxItems": MAX_HYPOTHESES,
                "items": {
                    "type": "object",
                    "additionalProperties": false,
                    "required": ["cause", "category", "confidence", "evidence", "fix", "prevention", "remedy"],
                    "properties": {
                        "cause": {"type": "string", "description": "one sentence naming the concrete root cause"},
                        "category": {"type": "string", "enum": categories},
                        "confidence": {"type": "number", "minimum": 0, "maximum": 1},
                        "evidence": {"type": "array", "items": {"type": "string"}, "description": "ids like ev-3 from the context"},
                        "fix": strings.clone(),
                        "prevention": strings,
                        "remedy": {
                            "anyOf": [
                                {"type": "null"},
                                {
                                    "type": "object",
                                    "additionalProperties": false,
                                    "required": ["type", "container", "to", "probe", "path", "port", "kind", "name", "key", "rationale"],
                                    "properties": {
                                        "type": {"type": "string", "enum": REMEDY_TYPES},
                                        "container": nullable.clone(),
                                        "to": nullable.clone(),
                                        "probe": nullable.clone(),
                                        "path": nullable.clone(),
                                        "port": nullable.clone(),
                                        "kind": nullable.clone(),
                                        "name": nullable.clone(),
                                        "key": nullable.clone(),
                                        "rationale": {"type": "string"}
                                    }
                                }
                            ]
                        }
                    }
                }
            },
            "explanation": {"type": "string", "description": "a short paragraph for the on-call engineer"}
        }
    })
}

/// An answer as parsed, before the evidence check.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Answer {
    pub hypotheses: Vec<RawHypothesis>,
    #[serde(default)]
    pub explanation: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RawHypothesis {
    pub cause: String,
    pub category: String,
    pub confidence: f64,
    pub evidence: Vec<String>,
    #[serde(default)]
    pub fix: Vec<String>,
    #[serde(default)]
    pub prevention: Vec<String>,
    #[serde(default)]
    pub remedy: Option<RawRemedy>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct RawRemedy {
    #[serde(rename = "type")]
    pub kind_of_change: String,
    #[serde(default)]
    pub container: Option<String>,
    #[serde(default)]
    pub to: Option<String>,
    #[serde(default)]
    pub probe: Option<String>,
    #[serde(default)]
    pub path: Option<String>,
    #[serde(default)]
    pub port: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub key: Option<String>,
    #[serde(default)]
    pub rationale: String,
}

/// A hypothesis that passed validation.
#[derive(Debug, Clone, PartialEq)]
pub struct Valid {
    pub cause: String,
    pub category: Category,
    pub confidence: f64,
    pub evidence: Vec<String>,
    pub fix: Vec<String>,
    pub prevention: Vec<String>,
    pub remedy: Option<(Change, String)>,
}

/// What came of one answer.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    pub hypotheses: Vec<Valid>,
    pub explanation: Option<String>,
    /// Why hypotheses or remedies were dropped, for the warnings.
    pub dropped: Vec<String>,
}

/// Parses an answer; `Err` is the validation error the model is told on the re-ask.
pub fn parse(content: &str) -> Result<Answer, String> {
    let body = strip_fences(content);
    let answer: Answer =
        serde_json::from_str(body).map_err(|e| format!("not valid JSON for the schema: {e}"))?;
    for (i, h) in answer.hypotheses.iter().enumerate() {
        if Category::parse(&h.category).is_none() {
            return Err(format!(
                "hypotheses[{i}].category {:?} is not one of the allowed categories",
                h.category
            ));
        }
        if !(0.0..=1.0).contains(&h.confidence) || h.confidence.is_nan() {
            return Err(format!(
                "hypotheses[{i}].confidence {} is not within [0, 1]",
                h.confidence
            ));
        }
        if h.cause.trim().is_empty() {
            return Err(format!("hypotheses[{i}].cause is empty"));
        }
        if let Some(r) = &h.remedy
            && !REMEDY_TYPES.contains(&r.kind_of_change.as_str())
        {
            return Err(format!(
                "hypotheses[{i}].remedy.type {:?} is not an allowed type",
                r.kind_of_change
            ));
        }
    }
    Ok(answer)
}

/// Models wrap JSON in Markdown fences even when told not to.
fn strip_fences(s: &str) -> &str {
    let t = s.trim();
    let Some(rest) = t.strip_prefix("```") else {
        return t;
    };
    let rest = rest.strip_prefix("json").unwrap_or(rest);
    rest.strip_suffix("```").unwrap_or(rest).trim()
}

/// Keeps the hypotheses whose every cited id is in `known` (and that cite at least one),
/// at most [`MAX_HYPOTHESES`]; turns remedies into typed changes for `containers`.
pub fn check(answer: Answer, known: &dyn Fn(&str) -> bool, containers: &[String]) -> Checked {
    let mut out = Checked {
        hypotheses: Vec::new(),
        explanation: answer.explanation.filter(|e| !e.trim().is_empty()),
        dropped: Vec::new(),
    };
    for h in answer.hypotheses {
        if out.hypotheses.len() >= MAX_HYPOTHESES {
            out.dropped.push(format!(
                "more than {MAX_HYPOTHESES} hypotheses; kept the first {MAX_HYPOTHESES}"
            ));
            break;
        }
        let unknown: Vec<&String> = h.evidence.iter().filter(|id| !known(id)).collect();
        if !unknown.is_empty() {
            out.dropped.push(format!(
                "a hypothesis citing unknown evidence {} was dropped",
                unknown
                    .iter()
                    .map(|s| s.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
            continue;
        }
        if h.evidence.is_empty() {
            out.dropped
                .push("a hypothesis citing no evidence was dropped".into());
            continue;
        }
        let Some(category) = Category::parse(&h.category) else {
            continue;
        };
        let remedy = match h.remedy {
            Some(r) => match change(&r, containers) {
                Ok(c) => Some((c, r.rationale)),
                Err(why) => {
                    out.dropped.push(format!("a remedy was dropped: {why}"));
                    None
                }
            },
            None => None,
        };
        let mut evidence = h.evidence;
        evidence.dedup();
        out.hypotheses.push(Valid {
            cause: h.cause.trim().to_string(),
            category,
            confidence: h.confidence,
            evidence,
            fix: h.fix,
            prevention: h.prevention,
            remedy,
        });
    }
    out
}

fn change(r: &RawRemedy, containers: &[String]) -> Result<Change, String> {
    let need = |v: &Option<String>, field: &str| {
        v.clone()
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| format!("{} needs {field}", r.kind_of_change))
    };
    let container = || -> Result<String, String> {
        let c = need(&r.container, "container")?;
        if containers.contains(&c) {
            Ok(c)
        } else {
            Err(format!("container {c:?} is not in the workload"))
        }
    };
    Ok(match r.kind_of_change.as_str() {
        "set-memory-limit" => Change::SetMemoryLimit {
            container: container()?,
            from: None,
            to: need(&r.to, "to")?,
        },
        "set-memory-request" => Change::SetMemoryRequest {
            container: container()?,
            from: None,
            to: need(&r.to, "to")?,
        },
        "set-cpu-request" => Change::SetCpuRequest {
            container: container()?,
            from: None,
            to: need(&r.to, "to")?,
        },
        "set-image" => Change::SetImage {
            container: container()?,
            from: String::new(),
            to: need(&r.to, "to")?,
        },
        "set-probe" => Change::SetProbe {
            container: container()?,
            probe: need(&r.probe, "probe")?,
            port: r.port.clone(),
            path: r.path.clone(),
            initial_delay_seconds: None,
        },
        "create-key" => Change::CreateKey {
            kind: need(&r.kind, "kind")?,
            name: need(&r.name, "name")?,
            key: r.key.clone(),
        },
        other => return Err(format!("unknown remedy type {other}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(id: &str) -> bool {
        matches!(id, "ev-1" | "ev-2" | "ev-5")
    }

    #[test]
    fn a_well_formed_answer_passes_and_fences_are_tolerated() {
        let text = "```json\n{\"hypotheses\": [{\"cause\": \"web is OOMKilled at 256Mi\", \"category\": \"oom-killed\", \"confidence\": 0.8, \"evidence\": [\"ev-1\", \"ev-5\"], \"fix\": [\"raise the limit\"], \"prevention\": [], \"remedy\": {\"type\": \"set-memory-limit\", \"container\": \"web\", \"to\": \"512Mi\", \"probe\": null, \"path\": null, \"port\": null, \"kind\": null, \"name\": null, \"key\": null, \"rationale\": \"peak 400Mi\"}}], \"explanation\": \"It runs out of memory.\"}\n```";
        let checked = check(parse(text).expect("valid"), &known, &["web".into()]);
        assert_eq!(checked.hypotheses.len(), 1);
        assert!(matches!(
            checked.hypotheses[0].remedy,
            Some((Change::SetMemoryLimit { .. }, _))
        ));
        assert!(checked.dropped.is_empty());
    }

    #[test]
    fn wrong_shapes_are_errors_that_name_the_field() {
        assert!(parse("I think it is OOM").is_err());
        let e = parse(r#"{"hypotheses": [{"cause": "x", "category": "cosmic-rays", "confidence": 0.5, "evidence": ["ev-1"]}]}"#).expect_err("category");
        assert!(e.contains("category"), "{e}");
        let e = parse(r#"{"hypotheses": [{"cause": "x", "category": "volume", "confidence": 7, "evidence": ["ev-1"]}]}"#).expect_err("confidence");
        assert!(e.contains("confidence"), "{e}");
        let e = parse(r#"{"answer": "oom"}"#).expect_err("unknown field");
        assert!(e.contains("answer") || e.contains("hypotheses"), "{e}");
    }

    #[test]
    fn hypotheses_citing_unknown_or_no_evidence_are_dropped() {
        let text = r#"{"hypotheses": [
            {"cause": "a", "category": "volume", "confidence": 0.9, "evidence": ["ev-99"]},
            {"cause": "b", "category": "volume", "confidence": 0.9, "evidence": []},
            {"cause": "c", "category": "crash-loop", "confidence": 0.4, "evidence": ["ev-2"],
             "remedy": {"type": "set-image", "container": "sidecar", "to": "x:1", "rationale": ""}}
        ], "explanation": ""}"#;
        let checked = check(parse(text).expect("valid"), &known, &["web".into()]);
        assert_eq!(checked.hypotheses.len(), 1);
        assert_eq!(checked.hypotheses[0].cause, "c");
        assert!(
            checked.hypotheses[0].remedy.is_none(),
            "remedy for a container not in the pod"
        );
        assert_eq!(checked.dropped.len(), 3, "{:?}", checked.dropped);
        assert!(checked.explanation.is_none());
    }

    #[test]
    fn the_schema_lists_every_category() {
        let s = schema().to_string();
        for c in Category::ALL {
            assert!(s.contains(&format!("\"{}\"", c.id())), "{c}");
        }
    }
}
