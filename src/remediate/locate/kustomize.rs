//! Kustomize: the kustomizations of the repository, the roots that build the object (a
//! kustomization nothing else includes, whose `namespace:` puts it in the target's
//! namespace), and where in that build the field is written — the image tag in the
//! nearest `images:` entry, else the overlay patch closest to the root that sets the
//! field, else the base resource.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::Value;

use super::{
    Candidate, Layout, YamlFileDocs, field_edits, is_object, namespace_fits, scalar_text,
    sets_fields, split_image,
};
use crate::remediate::plan::{Field, FieldEdit, Plan, Scalar};
use crate::remediate::yaml_edit::{Edit, Seg};

/// A kustomization.yaml and what it references.
pub(super) struct Kustomization {
    pub(super) dir: PathBuf,
    file: PathBuf,
    namespace: Option<String>,
    /// Directories with their own kustomization.
    pub(super) children: Vec<PathBuf>,
    /// Resource files.
    pub(super) resources: Vec<PathBuf>,
    /// Strategic-merge patch files.
    pub(super) patches: Vec<PathBuf>,
    images: Vec<Value>,
}

pub(super) fn is_kustomization(p: &Path) -> bool {
    matches!(
        p.file_name().and_then(|n| n.to_str()),
        Some("kustomization.yaml" | "kustomization.yml")
    )
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// Normalises `a/b/../c` without touching the disk.
fn join(dir: &Path, rel: &str) -> PathBuf {
    let mut out = PathBuf::new();
    for part in dir.join(rel).components() {
        match part {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

pub(super) fn kustomizations(
    root: &Path,
    files: &[YamlFileDocs],
) -> BTreeMap<PathBuf, Kustomization> {
    let mut out = BTreeMap::new();
    for f in files.iter().filter(|f| is_kustomization(&f.rel)) {
        let Some(doc) = f.docs.first() else { continue };
        let dir = f.rel.parent().unwrap_or(Path::new("")).to_path_buf();
        let mut k = Kustomization {
            dir: dir.clone(),
            file: f.rel.clone(),
            namespace: doc
                .get("namespace")
                .and_then(Value::as_str)
                .map(str::to_string),
            children: Vec::new(),
            resources: Vec::new(),
            patches: Vec::new(),
            images: doc
                .get("images")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default(),
        };
        let mut refs = strings(doc.get("resources"));
        refs.extend(strings(doc.get("bases")));
        for r in refs
            .iter()
            .filter(|r| !r.contains("://") && !r.starts_with("github.com/"))
        {
            let p = join(&dir, r);
            if root.join(&p).is_dir() {
                k.children.push(p);
            } else {
                k.resources.push(p);
            }
        }
        let mut patches = strings(doc.get("patchesStrategicMerge"));
        if let Some(list) = doc.get("patches").and_then(Value::as_array) {
            patches.extend(
                list.iter()
                    .filter_map(|p| p.get("path").and_then(Value::as_str))
                    .map(str::to_string),
            );
        }
        k.patches = patches.iter().map(|p| join(&dir, p)).collect();
        out.insert(dir, k);
    }
    out
}

/// The kustomizations from `root` down to the one whose resources hold the object, and
/// that resource file.
fn chain_to<'k>(
    k: &'k Kustomization,
    all: &'k BTreeMap<PathBuf, Kustomization>,
    files: &BTreeMap<&Path, &YamlFileDocs>,
    plan: &Plan,
    seen: &mut BTreeSet<PathBuf>,
) -> Option<(Vec<&'k Kustomization>, PathBuf, usize)> {
    if !seen.insert(k.dir.clone()) {
        return None;
    }
    for r in &k.resources {
        if let Some(f) = files.get(r.as_path())
            && let Some(i) = f.docs.iter().position(|d| is_object(d, &plan.target))
        {
            return Some((vec![k], r.clone(), i));
        }
    }
    for child in &k.children {
        if let Some(ck) = all.get(child)
            && let Some((mut chain, file, i)) = chain_to(ck, all, files, plan, seen)
        {
            chain.insert(0, k);
            return Some((chain, file, i));
        }
    }
    None
}

pub(super) fn from_kustomize(
    root: &Kustomization,
    all: &BTreeMap<PathBuf, Kustomization>,
    files: &BTreeMap<&Path, &YamlFileDocs>,
    plan: &Plan,
) -> Vec<Candidate> {
    let Some((chain, resource, index)) = chain_to(root, all, files, plan, &mut BTreeSet::new())
    else {
        return Vec::new();
    };
    let doc = &files[resource.as_path()].docs[index];
    let namespace = chain.iter().find_map(|k| k.namespace.as_deref());
    if !namespace_fits(doc, namespace, plan) {
        return Vec::new();
    }
    let built_by = root.dir.display().to_string();
    let built_by = if built_by.is_empty() {
        ".".into()
    } else {
        built_by
    };
    if let [e] = plan.edits.as_slice()
        && e.field == Field::Image
        && let Some(c) = images_candidate(&chain, e, &built_by)
    {
        return vec![c];
    }
    // The last writer wins: overlay patches before their bases, then the resource.
    for k in &chain {
        for p in &k.patches {
            let Some(f) = files.get(p.as_path()) else {
                continue;
            };
            for (i, d) in f.docs.iter().enumerate() {
                if is_object(d, &plan.target)
                    && sets_fields(d, plan)
                    && let Some((edits, current)) = field_edits(d, i, plan)
                {
                    return vec![Candidate {
                        file: p.clone(),
                        layout: Layout::Kustomize,
                        edits,
                        current,
                        note: format!("patch in {}, built by {built_by}", k.dir.display()),
                    }];
                }
            }
        }
    }
    field_edits(doc, index, plan)
        .map(|(edits, current)| Candidate {
            file: resource.clone(),
            layout: Layout::Kustomize,
            edits,
            current,
            note: format!("resource of {built_by}"),
        })
        .into_iter()
        .collect()
}

/// The `images:` entry of the kustomization nearest the root that rewrites the image.
fn images_candidate(chain: &[&Kustomization], e: &FieldEdit, built_by: &str) -> Option<Candidate> {
    let from = e.from.as_deref()?;
    let to = e.to.to_string();
    let (from_name, _, _) = split_image(from);
    let (to_name, to_tag, to_digest) = split_image(&to);
    for k in chain {
        for entry in &k.images {
            let Some(name) = entry.get("name").and_then(Value::as_str) else {
                continue;
            };
            let new_name = entry.get("newName").and_then(Value::as_str);
            if new_name.unwrap_or(name) != from_name && name != from_name {
                continue;
            }
            let key = |k: &str| {
                vec![
                    Seg::Key("images".into()),
                    Seg::Named(name.to_string()),
                    Seg::Key(k.into()),
                ]
            };
            let mut edits = Vec::new();
            let mut current = Vec::new();
            let mut add = |field: &str, value: &str| {
                current.push(entry.get(field).and_then(scalar_text));
                edits.push(Edit {
                    doc: 0,
                    path: key(field),
                    value: Scalar::Str(value.to_string()),
                });
            };
            if to_name != new_name.unwrap_or(name) {
                add("newName", to_name);
            }
            match (to_tag, to_digest) {
                (_, Some(d)) => add("digest", d),
                (Some(t), None) if entry.get("digest").is_none() => add("newTag", t),
                // A digest pins the image whatever the tag says; a tag alone cannot undo it.
                _ => return None,
            }
            return Some(Candidate {
                file: k.file.clone(),
                layout: Layout::KustomizeImages,
                edits,
                current,
                note: format!("images: of {}, built by {built_by}", k.dir.display()),
            });
        }
    }
    None
}
