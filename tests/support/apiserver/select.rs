//! `labelSelector` and `fieldSelector` as the apiserver parses them.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq)]
enum Req {
    Eq(String, String),
    Ne(String, String),
    In(String, Vec<String>),
    NotIn(String, Vec<String>),
    Exists(String),
    NotExists(String),
    Gt(String, i64),
    Lt(String, i64),
}

/// A parsed label or field selector; empty matches everything.
#[derive(Debug, Clone, Default)]
pub(crate) struct Selector {
    reqs: Vec<Req>,
    field: bool,
}

/// Splits on commas outside parentheses.
fn split_terms(s: &str) -> Vec<&str> {
    let mut terms = Vec::new();
    let (mut depth, mut start) = (0i32, 0usize);
    for (i, c) in s.char_indices() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            ',' if depth == 0 => {
                terms.push(&s[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    terms.push(&s[start..]);
    terms
        .into_iter()
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect()
}

fn valid_key(k: &str) -> bool {
    !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.' | '/'))
}

fn set_op(term: &str, op: &str) -> Option<(String, Vec<String>)> {
    let (key, rest) = term.split_once(op)?;
    let key = key.trim();
    let rest = rest.trim();
    let inner = rest.strip_prefix('(')?.strip_suffix(')')?;
    if !valid_key(key) {
        return None;
    }
    let values = inner
        .split(',')
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
        .collect();
    Some((key.to_string(), values))
}

impl Selector {
    pub fn label(s: &str) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        for term in split_terms(s) {
            let req = if let Some(key) = term.strip_prefix('!') {
                Req::NotExists(key.trim().to_string())
            } else if let Some((k, vs)) = set_op(term, " notin ") {
                Req::NotIn(k, vs)
            } else if let Some((k, vs)) = set_op(term, " in ") {
                Req::In(k, vs)
            } else if let Some((k, v)) = term.split_once("!=") {
                Req::Ne(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = term.split_once("==") {
                Req::Eq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = term.split_once('=') {
                Req::Eq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = term.split_once('>') {
                Req::Gt(
                    k.trim().to_string(),
                    v.trim().parse().map_err(|_| bad_label(s))?,
                )
            } else if let Some((k, v)) = term.split_once('<') {
                Req::Lt(
                    k.trim().to_string(),
                    v.trim().parse().map_err(|_| bad_label(s))?,
                )
            } else {
                Req::Exists(term.to_string())
            };
            let key = match &req {
                Req::Eq(k, _)
                | Req::Ne(k, _)
                | Req::In(k, _)
                | Req::NotIn(k, _)
                | Req::Exists(k)
                | Req::NotExists(k)
                | Req::Gt(k, _)
                | Req::Lt(k, _) => k,
            };
            if !valid_key(key) {
                return Err(bad_label(s));
            }
            reqs.push(req);
        }
        Ok(Selector { reqs, field: false })
    }

    pub fn field(s: &str) -> Result<Selector, String> {
        let mut reqs = Vec::new();
        for term in split_terms(s) {
            let req = if let Some((k, v)) = term.split_once("!=") {
                Req::Ne(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = term.split_once("==") {
                Req::Eq(k.trim().to_string(), v.trim().to_string())
            } else if let Some((k, v)) = term.split_once('=') {
                Req::Eq(k.trim().to_string(), v.trim().to_string())
            } else {
                return Err(format!(
                    "invalid selector: '{s}'; can't understand '{term}'"
                ));
            };
            reqs.push(req);
        }
        Ok(Selector { reqs, field: true })
    }

    pub fn matches(&self, object: &Value) -> bool {
        self.reqs.iter().all(|req| {
            let lookup = |key: &str| -> Option<String> {
                if self.field {
                    Some(field_value(object, key))
                } else {
                    object["metadata"]["labels"][key]
                        .as_str()
                        .map(str::to_string)
                }
            };
            match req {
                Req::Eq(k, v) => lookup(k).as_deref() == Some(v.as_str()),
                Req::Ne(k, v) => lookup(k).as_deref() != Some(v.as_str()),
                Req::In(k, vs) => lookup(k).is_some_and(|l| vs.contains(&l)),
                Req::NotIn(k, vs) => lookup(k).is_none_or(|l| !vs.contains(&l)),
                Req::Exists(k) => lookup(k).is_some(),
                Req::NotExists(k) => lookup(k).is_none(),
                Req::Gt(k, n) => lookup(k)
                    .and_then(|l| l.parse::<i64>().ok())
                    .is_some_and(|l| l > *n),
                Req::Lt(k, n) => lookup(k)
                    .and_then(|l| l.parse::<i64>().ok())
                    .is_some_and(|l| l < *n),
            }
        })
    }
}

fn bad_label(s: &str) -> String {
    format!("unable to parse requirement: found '{s}', expected: valid label selector")
}

/// The value of a dotted field path (`spec.nodeName`, `involvedObject.kind`); missing → "".
fn field_value(object: &Value, path: &str) -> String {
    let mut v = object;
    for part in path.split('.') {
        v = &v[part];
    }
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// Both selectors of a request.
#[derive(Debug, Clone, Default)]
pub(crate) struct Filter {
    pub namespace: Option<String>,
    pub labels: Option<Selector>,
    pub fields: Option<Selector>,
}

impl Filter {
    pub fn matches(&self, object: &Value) -> bool {
        if let Some(ns) = &self.namespace
            && object["metadata"]["namespace"].as_str().unwrap_or_default() != ns
        {
            return false;
        }
        self.labels.as_ref().is_none_or(|s| s.matches(object))
            && self.fields.as_ref().is_none_or(|s| s.matches(object))
    }
}
