//! Byte-preserving YAML edits: set one scalar at a path, changing only the bytes of that
//! value (or inserting one key where it is absent), then prove it by re-parsing.
//!
//! `yaml-edit` gives a lossless syntax tree with exact byte ranges; the edit itself is a
//! splice into the original text, so comments, key order, quoting, indentation, blank
//! lines and line endings around the value are the file's own. Serialising the tree back
//! is never used. After the splice both texts are parsed with serde-saphyr and the new one
//! must equal the old one with exactly the intended value set — anything else (an anchor
//! shared with another path, a parse that moved) is an error and nothing is written.

use std::str::FromStr as _;

use serde_json::Value;
use yaml_edit::{Document, Mapping, Sequence, YamlFile, YamlNode};

use super::plan::Scalar;

/// One step of a path into a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Seg {
    /// A mapping key.
    Key(String),
    /// The item of a list whose `name` is this (containers, initContainers).
    Named(String),
}

impl std::fmt::Display for Seg {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Seg::Key(k) => f.write_str(k),
            Seg::Named(n) => write!(f, "[name={n}]"),
        }
    }
}

/// `spec.template.spec.containers[name=web].resources.limits.memory`.
pub fn path_string(path: &[Seg]) -> String {
    let mut s = String::new();
    for seg in path {
        if matches!(seg, Seg::Key(_)) && !s.is_empty() {
            s.push('.');
        }
        s.push_str(&seg.to_string());
    }
    s
}

/// Set `value` at `path` in the `doc`-th (non-empty) document.
#[derive(Debug, Clone, PartialEq)]
pub struct Edit {
    pub doc: usize,
    pub path: Vec<Seg>,
    pub value: Scalar,
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum EditError {
    #[error("not valid YAML: {0}")]
    Parse(String),
    #[error("the file has no document {0}")]
    NoDocument(usize),
    #[error("{path}: no list item with name {name:?}")]
    NoItem { path: String, name: String },
    #[error("{path}: not a mapping or list as expected")]
    Shape { path: String },
    #[error(
        "{path} is an alias (*{alias}); editing its anchor would change every place that uses it"
    )]
    Alias { path: String, alias: String },
    #[error("{path} is a block or empty value; k8sops edits only single-line values")]
    Unsupported { path: String },
    #[error("the edit did not change exactly {path}: {detail}")]
    Verify { path: String, detail: String },
}

/// Applies `edits` one after the other; each is verified on its own.
pub fn apply_all(text: &str, edits: &[Edit]) -> Result<String, EditError> {
    let mut out = text.to_string();
    for e in edits {
        out = apply(&out, e)?;
    }
    Ok(out)
}

/// The text with `edit` applied, verified by re-parsing.
pub fn apply(text: &str, edit: &Edit) -> Result<String, EditError> {
    // serde-saphyr reads the file first: its budget bounds the nesting, where yaml-edit
    // recurses without a bound on some malformed files (thousands of tags on one key, a run
    // of flow pairs in a block mapping) and overflows the stack. Its documents are also what
    // the result is verified against.
    let old: Vec<Value> =
        serde_saphyr::from_multiple(text).map_err(|e| EditError::Parse(first_line(&e)))?;
    let file = YamlFile::from_str(text).map_err(|e| EditError::Parse(e.to_string()))?;
    let doc = file
        .documents()
        .filter(|d| !is_empty(d))
        .nth(edit.doc)
        .ok_or(EditError::NoDocument(edit.doc))?;
    let root = doc.as_mapping().ok_or_else(|| EditError::Shape {
        path: "(document)".into(),
    })?;
    let step = indent_step(text, &root).unwrap_or(2);
    let eol = if text.contains("\r\n") { "\r\n" } else { "\n" };
    let (splice, expected) = plan_splice(text, &root, &edit.path, &edit.value, step, eol)?;
    let mut out = String::with_capacity(text.len() + splice.text.len());
    out.push_str(&text[..splice.start]);
    out.push_str(&splice.text);
    out.push_str(&text[splice.end..]);
    verify(old, &out, edit, expected)?;
    Ok(out)
}

fn is_empty(d: &Document) -> bool {
    d.as_mapping().is_none() && d.as_sequence().is_none() && d.as_scalar().is_none()
}

/// Replace `start..end` with `text`.
struct Splice {
    start: usize,
    end: usize,
    text: String,
}

fn range(node: &YamlNode) -> (usize, usize) {
    let r = node.byte_range();
    (r.start as usize, r.end as usize)
}

fn plan_splice(
    text: &str,
    root: &Mapping,
    path: &[Seg],
    value: &Scalar,
    step: usize,
    eol: &str,
) -> Result<(Splice, Value), EditError> {
    let mut mapping = root.clone();
    for (i, seg) in path.iter().enumerate() {
        let here = path_string(&path[..=i]);
        let last = i + 1 == path.len();
        let Seg::Key(key) = seg else {
            return Err(EditError::Shape { path: here });
        };
        let Some(entry) = mapping.find_entry_by_key(key.as_str()) else {
            // Absent from here on: create the rest, but never a list item.
            if let Some(Seg::Named(name)) = path[i..].iter().find(|s| matches!(s, Seg::Named(_))) {
                return Err(EditError::NoItem {
                    path: here,
                    name: name.clone(),
                });
            }
            let keys: Vec<&str> = path[i..]
                .iter()
                .filter_map(|s| match s {
                    Seg::Key(k) => Some(k.as_str()),
                    Seg::Named(_) => None,
                })
                .collect();
            return insert(text, &mapping, &keys, value, step, eol, &here);
        };
        let node = entry
            .value_node()
            .ok_or_else(|| EditError::Unsupported { path: here.clone() })?;
        if let Some(alias) = node.as_alias() {
            return Err(EditError::Alias {
                path: here,
                alias: alias.to_string().trim_start_matches('*').to_string(),
            });
        }
        if last {
            return replace(text, &node, value, mapping.is_flow_style(), &here);
        }
        mapping = match (&path[i + 1], &node) {
            (Seg::Named(name), YamlNode::Sequence(seq)) => {
                let item = named_item(seq, name).ok_or_else(|| EditError::NoItem {
                    path: path_string(&path[..=i + 1]),
                    name: name.clone(),
                })?;
                if i + 2 == path.len() {
                    return Err(EditError::Shape { path: here });
                }
                // Skip the item segment: the next key is looked up in the item.
                return plan_splice(text, &item, &path[i + 2..], value, step, eol)
                    .map_err(|e| prefix_error(e, &path_string(&path[..=i + 1])));
            }
            (Seg::Key(_), YamlNode::Mapping(m)) => m.clone(),
            _ => {
                let empty = node.as_scalar().is_some_and(|s| s.is_null());
                return Err(match empty {
                    true => EditError::Unsupported { path: here },
                    false => EditError::Shape { path: here },
                });
            }
        };
    }
    Err(EditError::Shape {
        path: "(empty path)".into(),
    })
}

/// Errors from inside a list item name the whole path.
fn prefix_error(e: EditError, prefix: &str) -> EditError {
    let join = |p: String| format!("{prefix}.{p}");
    match e {
        EditError::NoItem { path, name } => EditError::NoItem {
            path: join(path),
            name,
        },
        EditError::Shape { path } => EditError::Shape { path: join(path) },
        EditError::Alias { path, alias } => EditError::Alias {
            path: join(path),
            alias,
        },
        EditError::Unsupported { path } => EditError::Unsupported { path: join(path) },
        other => other,
    }
}

fn named_item(seq: &Sequence, name: &str) -> Option<Mapping> {
    seq.values().find_map(|item| {
        let m = item.as_mapping()?;
        let n = m.get("name")?;
        (n.as_scalar()?.as_string() == name).then(|| m.clone())
    })
}

/// Replaces the scalar's bytes, keeping its quoting style.
fn replace(
    text: &str,
    node: &YamlNode,
    value: &Scalar,
    flow: bool,
    path: &str,
) -> Result<(Splice, Value), EditError> {
    let Some(scalar) = node.as_scalar() else {
        return Err(EditError::Shape { path: path.into() });
    };
    let (start, end) = range(node);
    let raw = &text[start..end];
    if raw.is_empty() || raw.starts_with(['|', '>']) || scalar.is_null() && raw.trim().is_empty() {
        return Err(EditError::Unsupported { path: path.into() });
    }
    let v = value.to_string();
    let (written, expected) = match raw.as_bytes()[0] {
        b'"' => (double_quoted(&v), Value::String(v)),
        b'\'' => (format!("'{}'", v.replace('\'', "''")), Value::String(v)),
        _ => plain_or_quoted(value, flow),
    };
    Ok((
        Splice {
            start,
            end,
            text: written,
        },
        expected,
    ))
}

/// A new value: plain when YAML reads it back as written, else double-quoted.
fn plain_or_quoted(value: &Scalar, flow: bool) -> (String, Value) {
    match value {
        Scalar::Int(n) => (n.to_string(), Value::from(*n)),
        Scalar::Str(s) if plain_safe(s, flow) => (s.clone(), Value::String(s.clone())),
        Scalar::Str(s) => (double_quoted(s), Value::String(s.clone())),
    }
}

fn plain_safe(s: &str, flow: bool) -> bool {
    if s.is_empty() || s.trim() != s || s.contains(['\n', '\r', '#']) {
        return false;
    }
    if flow && s.contains([',', '[', ']', '{', '}']) {
        return false;
    }
    let probe = format!("k: {s}\n");
    matches!(
        serde_saphyr::from_str::<Value>(&probe),
        Ok(Value::Object(m)) if m.len() == 1 && m.get("k") == Some(&Value::String(s.to_string()))
    )
}

fn double_quoted(s: &str) -> String {
    // JSON string syntax is valid YAML double-quoted syntax.
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// Inserts `keys[0]: keys[1]: … value` at the end of `mapping`.
fn insert(
    text: &str,
    mapping: &Mapping,
    keys: &[&str],
    value: &Scalar,
    step: usize,
    eol: &str,
    path: &str,
) -> Result<(Splice, Value), EditError> {
    let (leaf, expected) = plain_or_quoted(value, mapping.is_flow_style());
    let key = |k: &str| match plain_safe(k, true) {
        true => k.to_string(),
        false => double_quoted(k),
    };
    if mapping.is_flow_style() {
        let mut nested = leaf;
        for k in keys.iter().skip(1).rev() {
            nested = format!("{{{}: {nested}}}", key(k));
        }
        let item = format!("{}: {nested}", key(keys[0]));
        let r = mapping.byte_range();
        let (start, end) = (r.start as usize, r.end as usize);
        let at_close = text[start..end].rfind('}').map(|i| start + i);
        let splice = match mapping.entries().last() {
            Some(last) => {
                let e = as_usize(last.byte_range().end);
                let e = start + text[start..e].trim_end().len();
                Splice {
                    start: e,
                    end: e,
                    text: format!(", {item}"),
                }
            }
            None => {
                let Some(close) = at_close else {
                    return Err(EditError::Shape { path: path.into() });
                };
                Splice {
                    start: close,
                    end: close,
                    text: item,
                }
            }
        };
        return Ok((splice, expected));
    }
    let Some(first) = mapping.entries().next() else {
        return Err(EditError::Unsupported { path: path.into() });
    };
    let indent = column(text, as_usize(first.byte_range().start));
    let last = mapping
        .entries()
        .last()
        .map(|e| as_usize(e.byte_range().end))
        .unwrap_or(text.len());
    let mut out = String::new();
    if !text[..last].ends_with('\n') {
        out.push_str(eol);
    }
    for (depth, k) in keys.iter().enumerate() {
        out.push_str(&" ".repeat(indent + depth * step));
        out.push_str(&key(k));
        out.push(':');
        if depth + 1 == keys.len() {
            out.push(' ');
            out.push_str(&leaf);
        }
        out.push_str(eol);
    }
    Ok((
        Splice {
            start: last,
            end: last,
            text: out,
        },
        expected,
    ))
}

fn as_usize(offset: u32) -> usize {
    offset as usize
}

/// Bytes from the start of the line to `offset`.
fn column(text: &str, offset: usize) -> usize {
    offset - text[..offset].rfind('\n').map_or(0, |i| i + 1)
}

/// How far a nested block mapping is indented below its key, the first time the
/// document shows it: new keys follow the file's own style.
fn indent_step(text: &str, mapping: &Mapping) -> Option<usize> {
    if mapping.is_flow_style() {
        return None;
    }
    for entry in mapping.entries() {
        let Some(value) = entry.value_node() else {
            continue;
        };
        let key_col = column(text, as_usize(entry.byte_range().start));
        match &value {
            YamlNode::Mapping(m) if !m.is_flow_style() => {
                let child = m.entries().next()?;
                let col = column(text, as_usize(child.byte_range().start));
                if col > key_col {
                    return Some(col - key_col);
                }
            }
            YamlNode::Sequence(s) => {
                for item in s.values() {
                    if let Some(step) = item.as_mapping().and_then(|m| indent_step(text, m)) {
                        return Some(step);
                    }
                }
            }
            _ => {}
        }
        if let Some(step) = value.as_mapping().and_then(|m| indent_step(text, m)) {
            return Some(step);
        }
    }
    None
}

/// The new text must parse to the old documents with exactly `expected` at the path.
fn verify(mut want: Vec<Value>, new: &str, edit: &Edit, expected: Value) -> Result<(), EditError> {
    let fail = |detail: String| EditError::Verify {
        path: path_string(&edit.path),
        detail,
    };
    let got: Vec<Value> = serde_saphyr::from_multiple(new)
        .map_err(|e| fail(format!("the result does not parse: {}", first_line(&e))))?;
    let doc = want
        .get_mut(edit.doc)
        .ok_or_else(|| fail("the document moved".into()))?;
    set(doc, &edit.path, expected).map_err(fail)?;
    if want.len() != got.len() {
        return Err(fail("the number of documents changed".into()));
    }
    for (i, (w, g)) in want.iter().zip(&got).enumerate() {
        if w != g {
            return Err(fail(format!(
                "document {i} differs elsewhere (an anchor shared with other paths?)"
            )));
        }
    }
    Ok(())
}

fn first_line(e: &impl std::fmt::Display) -> String {
    e.to_string().lines().next().unwrap_or_default().to_string()
}

/// Sets `value` at `path` in parsed YAML, creating absent mappings.
pub fn set(doc: &mut Value, path: &[Seg], value: Value) -> Result<(), String> {
    let Some((seg, rest)) = path.split_first() else {
        *doc = value;
        return Ok(());
    };
    let child = match seg {
        Seg::Key(k) => {
            let Value::Object(m) = doc else {
                return Err(format!("{k}: not a mapping"));
            };
            m.entry(k.clone())
                .or_insert_with(|| Value::Object(Default::default()))
        }
        Seg::Named(n) => doc
            .as_array_mut()
            .and_then(|a| {
                a.iter_mut()
                    .find(|i| i.get("name") == Some(&Value::from(n.as_str())))
            })
            .ok_or_else(|| format!("no item named {n}"))?,
    };
    set(child, rest, value)
}

/// The value at `path` in parsed YAML.
pub fn get<'v>(doc: &'v Value, path: &[Seg]) -> Option<&'v Value> {
    path.iter().try_fold(doc, |v, seg| match seg {
        Seg::Key(k) => v.get(k),
        Seg::Named(n) => v
            .as_array()?
            .iter()
            .find(|i| i.get("name").and_then(Value::as_str) == Some(n)),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(p: &str) -> Vec<Seg> {
        p.split('.').map(|k| Seg::Key(k.into())).collect()
    }

    /// Found by `tests/fuzz.rs`: yaml-edit's parser and key lookups recurse without a bound
    /// on these, and overflowed the stack of a 2 MiB thread (the fix flow runs on such).
    #[test]
    fn files_yaml_edit_would_recurse_through_are_refused_not_a_stack_overflow() {
        let tags_on_a_key = format!(
            "spec:\n  {}template: 1\n  replicas: 1\n",
            "!t ".repeat(5000)
        );
        let flow_pairs = format!(
            "spec:\n  replicas: {{e:{}}}\n",
            r#""limits":{"memory":"1Ei"}"#.repeat(3000)
        );
        for text in [tags_on_a_key, flow_pairs] {
            let edit = Edit {
                doc: 0,
                path: keys("spec.replicas"),
                value: Scalar::Int(3),
            };
            let result = std::thread::Builder::new()
                .stack_size(2 << 20)
                .spawn(move || apply(&text, &edit))
                .expect("thread")
                .join()
                .expect("no stack overflow");
            assert!(matches!(result, Err(EditError::Parse(_))), "{result:?}");
        }
    }

    #[test]
    fn only_the_value_bytes_change() {
        let text = "a:\n  b: 1Gi   # keep\n\n  c: x\n";
        let out = apply(
            text,
            &Edit {
                doc: 0,
                path: keys("a.b"),
                value: Scalar::Str("2Gi".into()),
            },
        )
        .expect("edits");
        assert_eq!(out, "a:\n  b: 2Gi   # keep\n\n  c: x\n");
    }

    #[test]
    fn a_shared_anchor_is_refused_by_verification() {
        let text = "a: &m 1Gi\nb: *m\n";
        let err = apply(
            text,
            &Edit {
                doc: 0,
                path: keys("a"),
                value: Scalar::Str("2Gi".into()),
            },
        )
        .expect_err("b would change too");
        assert!(matches!(err, EditError::Verify { .. }), "{err}");
        let err = apply(
            text,
            &Edit {
                doc: 0,
                path: keys("b"),
                value: Scalar::Str("2Gi".into()),
            },
        )
        .expect_err("alias");
        assert!(matches!(err, EditError::Alias { .. }), "{err}");
    }

    #[test]
    fn values_yaml_would_misread_are_quoted() {
        assert!(plain_safe("1280Mi", false));
        assert!(!plain_safe("1.10", false));
        assert!(!plain_safe("true", false));
        assert!(!plain_safe("a: b", false));
        assert!(!plain_safe("a,b", true));
    }
}
