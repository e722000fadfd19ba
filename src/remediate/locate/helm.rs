//! Helm: values files of the charts in scope (filtered by the `helm.sh/chart` label) whose
//! keys hold the cluster's value and are read by the chart's templates.

use std::path::Path;

use serde_json::Value;

use super::{Candidate, Hints, Layout, YamlFileDocs, scalar_text, split_image};
use crate::remediate::plan::{Field, Plan, Scalar};
use crate::remediate::yaml_edit::{Edit, Seg, get};

pub(super) fn from_helm(
    root: &Path,
    files: &[YamlFileDocs],
    hints: &Hints,
    plan: &Plan,
    in_scope: &dyn Fn(&Path) -> bool,
) -> Vec<Candidate> {
    let mut out = Vec::new();
    for chart in files
        .iter()
        .filter(|f| f.rel.ends_with("Chart.yaml") && in_scope(&f.rel))
    {
        let Some(name) = chart
            .docs
            .first()
            .and_then(|d| d.get("name"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        if let Some(label) = &hints.helm_chart
            && !label.starts_with(&format!("{name}-"))
        {
            continue;
        }
        let dir = chart.rel.parent().unwrap_or(Path::new(""));
        let templates = read_templates(&root.join(dir).join("templates"));
        let values = files.iter().filter(|f| {
            f.rel.parent() == Some(dir)
                && f.rel
                    .file_name()
                    .and_then(|n| n.to_str())
                    .is_some_and(|n| n.contains("values"))
        });
        for v in values {
            let Some(doc) = v.docs.first() else { continue };
            let mut found = Vec::new();
            helm_matches(doc, &mut Vec::new(), plan, &templates, &mut found);
            out.extend(found.into_iter().map(|(edits, current)| Candidate {
                file: v.rel.clone(),
                layout: Layout::HelmValues,
                edits,
                current,
                note: format!("values of chart {name}"),
            }));
        }
    }
    out
}

fn read_templates(dir: &Path) -> String {
    let mut text = String::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.filter_map(|e| e.ok()) {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if let Ok(t) = std::fs::read_to_string(&p) {
                text.push_str(&t);
                text.push('\n');
            }
        }
    }
    text
}

/// Values mappings that hold the cluster's value for every edit, and that the templates
/// read (`.Values.web.resources`, `.Values.image`).
fn helm_matches(
    node: &Value,
    prefix: &mut Vec<String>,
    plan: &Plan,
    templates: &str,
    out: &mut Vec<(Vec<Edit>, Vec<Option<String>>)>,
) {
    let Value::Object(map) = node else { return };
    let read = |keys: &[String]| templates.contains(&format!(".Values.{}", keys.join(".")));
    let mut edits = Vec::new();
    let mut current = Vec::new();
    for e in &plan.edits {
        let rel: Vec<String> = match e.field {
            Field::Image => {
                let (Some(repo), Some(tag)) = (
                    map.get("repository").and_then(Value::as_str),
                    map.get("tag").and_then(scalar_text),
                ) else {
                    break;
                };
                let (from_name, from_tag, _) = split_image(e.from.as_deref().unwrap_or(""));
                let to = e.to.to_string();
                let (to_name, to_tag, _) = split_image(&to);
                let same_repo = from_name == repo || from_name.ends_with(&format!("/{repo}"));
                if !same_repo || from_tag != Some(tag.as_str()) || to_name != from_name {
                    break;
                }
                let Some(to_tag) = to_tag else { break };
                if !read(prefix) {
                    break;
                }
                let mut path = prefix.clone();
                path.push("tag".into());
                current.push(Some(tag));
                edits.push(Edit {
                    doc: 0,
                    path: path.into_iter().map(Seg::Key).collect(),
                    value: Scalar::Str(to_tag.to_string()),
                });
                continue;
            }
            f => match f.path(node) {
                Some(rel) => rel,
                None => break,
            },
        };
        let segs: Vec<Seg> = rel.iter().cloned().map(Seg::Key).collect();
        // Helm values must hold the value: without it there is no key the chart reads.
        let Some(now) = get(node, &segs).and_then(scalar_text) else {
            break;
        };
        let mut top = prefix.clone();
        top.push(rel[0].clone());
        if !read(&top) {
            break;
        }
        let mut path: Vec<Seg> = prefix.iter().cloned().map(Seg::Key).collect();
        path.extend(segs);
        current.push(Some(now));
        edits.push(Edit {
            doc: 0,
            path,
            value: e.to.clone(),
        });
    }
    if !edits.is_empty() && edits.len() == plan.edits.len() {
        out.push((edits, current));
        return;
    }
    for (k, v) in map {
        prefix.push(k.clone());
        helm_matches(v, prefix, plan, templates, out);
        prefix.pop();
    }
}
