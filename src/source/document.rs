//! One file of Kubernetes JSON or YAML → typed objects: a typed list (`PodList`, as
//! `kubectl get` and `cluster-info dump` write), a `v1 List` of mixed kinds, or one object.

use std::path::Path;

use serde::Deserialize;
use serde_json::value::RawValue;

use crate::error::{Error, Result};
use crate::model::{Kind, Objects};

/// What a file contributed besides objects.
#[derive(Debug, Default)]
pub struct Parsed {
    pub objects: usize,
    /// Kinds k8sops does not use, with how many objects were skipped.
    pub skipped: Vec<(String, usize)>,
    /// False when the document carries no `kind` at all (not a Kubernetes file).
    pub is_kubernetes: bool,
}

#[derive(Deserialize)]
struct RawDoc<'a> {
    #[serde(default)]
    kind: Option<String>,
    #[serde(default, borrow)]
    items: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct Head {
    #[serde(default)]
    kind: Option<String>,
}

/// Parses a JSON document into `objects`. A file named like a kind's bundle file
/// (`pods.json`) is first read as that kind's typed list in a single pass.
pub fn parse_json(path: &Path, text: &str, objects: &mut Objects) -> Result<Parsed> {
    let hint = path
        .file_name()
        .and_then(|f| f.to_str())
        .and_then(Kind::from_file_name);
    if let Some(kind) = hint {
        match objects.append_list(kind, text) {
            Ok(Some(n)) => {
                return Ok(Parsed {
                    objects: n,
                    skipped: Vec::new(),
                    is_kubernetes: true,
                });
            }
            Ok(None) => {}
            // Not this kind's list after all (another kind's fields, a mixed `List`): read it
            // the general way, which also reports real syntax errors at their position.
            Err(_) => {}
        }
    }
    let doc: RawDoc = serde_json::from_str(text).map_err(|e| malformed(path, &e, 0, text))?;
    let mut parsed = Parsed::default();
    let Some(kind) = doc.kind else {
        return Ok(parsed);
    };
    parsed.is_kubernetes = true;
    match doc.items {
        Some(items) if kind == "List" => {
            for item in items {
                let head: Head = serde_json::from_str(item.get())
                    .map_err(|e| malformed(path, &e, offset(text, item), text))?;
                let item_kind = head.kind.unwrap_or_default();
                insert(path, text, objects, &mut parsed, &item_kind, item)?;
            }
        }
        Some(items) => {
            let item_kind = kind.strip_suffix("List").unwrap_or(&kind).to_string();
            match Kind::from_kind_field(&item_kind) {
                Some(k) => {
                    for item in &items {
                        objects
                            .insert_raw(k, item.get())
                            .map_err(|e| malformed(path, &e, offset(text, item), text))?;
                    }
                    parsed.objects += items.len();
                }
                None => skip(&mut parsed, &item_kind, items.len()),
            }
        }
        None => {
            let whole: &RawValue =
                serde_json::from_str(text).map_err(|e| malformed(path, &e, 0, text))?;
            insert(path, text, objects, &mut parsed, &kind, whole)?;
        }
    }
    Ok(parsed)
}

fn insert(
    path: &Path,
    text: &str,
    objects: &mut Objects,
    parsed: &mut Parsed,
    kind: &str,
    raw: &RawValue,
) -> Result<()> {
    match Kind::from_kind_field(kind) {
        Some(k) => {
            objects
                .insert_raw(k, raw.get())
                .map_err(|e| malformed(path, &e, offset(text, raw), text))?;
            parsed.objects += 1;
        }
        None => skip(parsed, kind, 1),
    }
    Ok(())
}

fn skip(parsed: &mut Parsed, kind: &str, n: usize) {
    let kind = if kind.is_empty() { "(no kind)" } else { kind };
    match parsed.skipped.iter_mut().find(|(k, _)| k == kind) {
        Some((_, count)) => *count += n,
        None => parsed.skipped.push((kind.to_string(), n)),
    }
}

/// Byte offset of a borrowed item inside the document, to report errors at file positions.
fn offset(text: &str, item: &RawValue) -> usize {
    (item.get().as_ptr() as usize).saturating_sub(text.as_ptr() as usize)
}

fn malformed(path: &Path, e: &serde_json::Error, base: usize, text: &str) -> Error {
    let (mut line, mut column) = (e.line(), e.column());
    if base > 0 {
        let before = &text[..base.min(text.len())];
        let base_line = before.matches('\n').count();
        let base_col = before.len() - before.rfind('\n').map(|i| i + 1).unwrap_or(0);
        if line == 1 {
            column += base_col;
        }
        line += base_line;
    }
    let message = e.to_string();
    // serde_json appends " at line L column C"; the path prefix already says where.
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    Error::Malformed {
        path: path.to_path_buf(),
        line,
        column,
        message,
    }
}

/// Parses a YAML stream (one or more documents) into `objects`.
pub fn parse_yaml(path: &Path, text: &str, objects: &mut Objects) -> Result<Parsed> {
    let docs: Vec<serde_json::Value> = serde_saphyr::from_multiple(text).map_err(|e| {
        let (line, column) = e
            .location()
            .map(|l| (l.line() as usize, l.column() as usize))
            .unwrap_or((0, 0));
        Error::Malformed {
            path: path.to_path_buf(),
            line,
            column,
            message: first_line(&e.to_string()),
        }
    })?;
    let mut total = Parsed::default();
    for doc in docs {
        if doc.is_null() {
            continue;
        }
        // Re-enter the JSON path so lists and objects are handled one way.
        let text = doc.to_string();
        let parsed = parse_json(path, &text, objects).map_err(|e| match e {
            Error::Malformed { path, message, .. } => Error::NotKubernetes { path, message },
            other => other,
        })?;
        total.objects += parsed.objects;
        total.is_kubernetes |= parsed.is_kubernetes;
        for (kind, n) in parsed.skipped {
            skip(&mut total, &kind, n);
        }
    }
    Ok(total)
}

fn first_line(s: &str) -> String {
    s.lines().next().unwrap_or(s).to_string()
}

/// Parses a file by its extension: `.yaml`/`.yml` as YAML, anything else as JSON.
pub fn parse_file(path: &Path, bytes: &[u8], objects: &mut Objects) -> Result<Parsed> {
    let text = std::str::from_utf8(bytes).map_err(|e| Error::NotKubernetes {
        path: path.to_path_buf(),
        message: format!("not UTF-8 text ({e})"),
    })?;
    if is_yaml(path) {
        parse_yaml(path, text, objects)
    } else {
        parse_json(path, text, objects)
    }
}

pub fn is_yaml(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("yaml" | "yml")
    )
}

pub fn is_document(path: &Path) -> bool {
    is_yaml(path) || path.extension().and_then(|e| e.to_str()) == Some("json")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn typed_list_items_without_kind_are_read() {
        let mut o = Objects::default();
        let text = r#"{"kind":"PodList","apiVersion":"v1","metadata":{},"items":[{"metadata":{"name":"a","namespace":"x"}},{"metadata":{"name":"b","namespace":"x"}}]}"#;
        let p = parse_json(Path::new("pods.json"), text, &mut o).expect("parses");
        assert_eq!((p.objects, o.pods.len()), (2, 2));
    }

    #[test]
    fn mixed_list_skips_unknown_kinds_with_a_count() {
        let mut o = Objects::default();
        let text = r#"{"kind":"List","apiVersion":"v1","items":[
            {"kind":"Pod","apiVersion":"v1","metadata":{"name":"a"}},
            {"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"i"}},
            {"kind":"Ingress","apiVersion":"networking.k8s.io/v1","metadata":{"name":"j"}}]}"#;
        let p = parse_json(Path::new("all.json"), text, &mut o).expect("parses");
        assert_eq!(o.pods.len(), 1);
        assert_eq!(p.skipped, vec![("Ingress".to_string(), 2)]);
    }

    #[test]
    fn malformed_item_is_reported_at_its_line_in_the_file() {
        let mut o = Objects::default();
        let text = "{\"kind\":\"PodList\",\"items\":[\n{\"metadata\":{\"name\":\"a\"}},\n{\"metadata\":{\"name\":\"b\"},\"spec\":{\"containers\":\"oops\"}}]}";
        let err = parse_json(Path::new("pods.json"), text, &mut o).expect_err("bad item");
        let Error::Malformed { line, .. } = err else {
            panic!("expected Malformed, got {err}")
        };
        assert_eq!(line, 3);
    }

    #[test]
    fn yaml_documents_and_single_objects() {
        let mut o = Objects::default();
        let text = "apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n---\napiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n";
        let p = parse_yaml(Path::new("x.yaml"), text, &mut o).expect("parses");
        assert_eq!((p.objects, o.pods.len(), o.deployments.len()), (2, 1, 1));
    }

    #[test]
    fn json_without_kind_is_not_kubernetes() {
        let mut o = Objects::default();
        let p = parse_json(
            Path::new("expected.json"),
            r#"{"category":"oom-killed"}"#,
            &mut o,
        )
        .expect("parses");
        assert!(!p.is_kubernetes);
    }
}
