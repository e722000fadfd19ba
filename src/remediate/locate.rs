//! Where a workload's field is written in a GitOps repository: plain manifests
//! (multi-document files), Kustomize (the patch or base where the field is set, image tags
//! through the `images:` list of the kustomization that builds the object) and Helm values
//! (when the object carries Helm labels and a values key the chart's templates read holds
//! the cluster's value).
//!
//! Argo CD's `argocd.argoproj.io/tracking-id` annotation (its Application's
//! `spec.source.path`) and Flux's `kustomize.toolkit.fluxcd.io/name|namespace` labels (its
//! Kustomization's `spec.path`) narrow the search to the directory that deploys the object
//! when the repository holds those objects.
//!
//! When the remedy knows the cluster's current value, a candidate whose file says otherwise
//! is dropped: the file is not what runs (another overlay, a stale copy). Several remaining
//! candidates are the caller's to choose between; k8sops never guesses.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde_json::Value;

use super::plan::{Field, FieldEdit, Plan, Scalar};
use super::yaml_edit::{Edit, Seg, get};
use crate::error::{Error, Result};

/// Files larger than this are not manifests anyone edits by hand.
const MAX_FILE: u64 = 4 << 20;

/// What the live object says about how it was deployed.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Hints {
    /// The Argo CD Application from the tracking-id annotation.
    pub argocd_app: Option<String>,
    /// The Flux Kustomization (name, namespace) from its labels.
    pub flux: Option<(String, String)>,
    /// The `helm.sh/chart` label (`web-1.2.0`), or the Helm managed-by label.
    pub helm_chart: Option<String>,
    pub helm: bool,
    /// Whether these come from the live object; without one (a saved diagnosis) Helm values
    /// are searched when no manifest matches.
    pub known: bool,
}

impl Hints {
    /// Reads the hints from the live object's metadata.
    pub fn from_meta(meta: &ObjectMeta) -> Hints {
        let labels = meta.labels.clone().unwrap_or_default();
        let annotations = meta.annotations.clone().unwrap_or_default();
        let argocd_app = annotations
            .get("argocd.argoproj.io/tracking-id")
            .and_then(|t| t.split_once(':'))
            .map(|(app, _)| app.to_string());
        let flux = match (
            labels.get("kustomize.toolkit.fluxcd.io/name"),
            labels.get("kustomize.toolkit.fluxcd.io/namespace"),
        ) {
            (Some(n), Some(ns)) => Some((n.clone(), ns.clone())),
            _ => None,
        };
        let helm_chart = labels.get("helm.sh/chart").cloned();
        let helm = helm_chart.is_some()
            || labels
                .get("app.kubernetes.io/managed-by")
                .is_some_and(|m| m == "Helm");
        Hints {
            argocd_app,
            flux,
            helm_chart,
            helm,
            known: true,
        }
    }
}

/// How the source of a candidate is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Layout {
    Plain,
    Kustomize,
    KustomizeImages,
    HelmValues,
}

/// One place the change can be made.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// Relative to the repository root.
    pub file: PathBuf,
    pub layout: Layout,
    pub edits: Vec<Edit>,
    /// What the file holds now at each edit (`None`: the key is created).
    pub current: Vec<Option<String>>,
    /// For people choosing: `patch in overlays/prod`, `values of chart web`.
    pub note: String,
}

impl std::fmt::Display for Candidate {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.file.display(), self.note)
    }
}

struct YamlFileDocs {
    rel: PathBuf,
    docs: Vec<Value>,
}

/// A kustomization.yaml and what it references.
struct Kustomization {
    dir: PathBuf,
    file: PathBuf,
    namespace: Option<String>,
    /// Directories with their own kustomization.
    children: Vec<PathBuf>,
    /// Resource files.
    resources: Vec<PathBuf>,
    /// Strategic-merge patch files.
    patches: Vec<PathBuf>,
    images: Vec<Value>,
}

/// The candidates for `plan` in the repository at `root`, among the objects under `within`
/// (relative to `root`; empty for all). Kustomize bases outside `within` are still read.
pub fn locate(root: &Path, within: &Path, plan: &Plan, hints: &Hints) -> Result<Vec<Candidate>> {
    let files = read_tree(root)?;
    let scope = scope(&files, hints);
    let in_scope = |p: &Path| {
        p.starts_with(within) && (scope.is_empty() || scope.iter().any(|s| p.starts_with(s)))
    };
    let kustomizations = kustomizations(root, &files);
    let referenced: BTreeSet<&Path> = kustomizations
        .values()
        .flat_map(|k| k.children.iter().map(PathBuf::as_path))
        .collect();
    let in_kustomize: BTreeSet<&Path> = kustomizations
        .values()
        .flat_map(|k| k.resources.iter().chain(&k.patches).map(PathBuf::as_path))
        .collect();
    let by_path: BTreeMap<&Path, &YamlFileDocs> =
        files.iter().map(|f| (f.rel.as_path(), f)).collect();

    let mut out = Vec::new();
    // Kustomize: every root (a kustomization nothing else includes) that builds the object.
    for k in kustomizations.values() {
        if referenced.contains(k.dir.as_path()) || !in_scope(&k.dir) {
            continue;
        }
        out.extend(from_kustomize(k, &kustomizations, &by_path, plan));
    }
    // Plain manifests outside any kustomization.
    for f in files.iter().filter(|f| in_scope(&f.rel)) {
        if in_kustomize.contains(f.rel.as_path()) || is_kustomization(&f.rel) {
            continue;
        }
        for (i, doc) in f.docs.iter().enumerate() {
            if is_object(doc, &plan.target) && namespace_fits(doc, None, plan) {
                out.extend(field_edits(doc, i, plan).map(|(edits, current)| Candidate {
                    file: f.rel.clone(),
                    layout: Layout::Plain,
                    edits,
                    current,
                    note: "manifest".into(),
                }));
            }
        }
    }
    if hints.helm || (!hints.known && out.is_empty()) {
        out.extend(from_helm(root, &files, hints, plan, &in_scope));
    }
    dedupe(&mut out);
    filter_by_cluster_value(out, plan)
}

fn is_kustomization(p: &Path) -> bool {
    matches!(
        p.file_name().and_then(|n| n.to_str()),
        Some("kustomization.yaml" | "kustomization.yml")
    )
}

/// Every YAML file under `root`, parsed; Helm templates (not YAML) and dot-directories are
/// skipped, and so are files that do not parse (they are not what k8sops edits).
fn read_tree(root: &Path) -> Result<Vec<YamlFileDocs>> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| Error::io(&dir, e))?;
        let chart = dir.join("Chart.yaml").is_file();
        let mut entries: Vec<_> = entries.filter_map(|e| e.ok()).collect();
        entries.sort_by_key(|e| e.file_name());
        for e in entries {
            let name = e.file_name().to_string_lossy().into_owned();
            let path = e.path();
            let Ok(ty) = e.file_type() else { continue };
            if ty.is_dir() {
                if !name.starts_with('.')
                    && name != "node_modules"
                    && !(chart && name == "templates")
                {
                    stack.push(path);
                }
                continue;
            }
            let yaml = name.ends_with(".yaml") || name.ends_with(".yml");
            if !ty.is_file() || !yaml || e.metadata().map_or(true, |m| m.len() > MAX_FILE) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            match serde_saphyr::from_multiple::<Value>(&text) {
                Ok(docs) => out.push(YamlFileDocs {
                    rel: path.strip_prefix(root).unwrap_or(&path).to_path_buf(),
                    docs,
                }),
                Err(e) => tracing::debug!("{}: skipped, not YAML: {e}", path.display()),
            }
        }
    }
    out.sort_by(|a, b| a.rel.cmp(&b.rel));
    Ok(out)
}

/// Directories that deploy the object, from Argo CD and Flux objects in the repository.
fn scope(files: &[YamlFileDocs], hints: &Hints) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let api = |d: &Value, prefix: &str| {
        d.get("apiVersion")
            .and_then(Value::as_str)
            .is_some_and(|a| a.starts_with(prefix))
    };
    fn name(d: &Value) -> Option<&str> {
        d.pointer("/metadata/name").and_then(Value::as_str)
    }
    let rel = |p: &str| PathBuf::from(p.trim_start_matches("./").trim_end_matches('/'));
    for doc in files.iter().flat_map(|f| &f.docs) {
        let kind = doc.get("kind").and_then(Value::as_str);
        if let Some(app) = &hints.argocd_app
            && kind == Some("Application")
            && api(doc, "argoproj.io/")
            && name(doc) == Some(app)
        {
            let sources = doc.pointer("/spec/source").into_iter().chain(
                doc.pointer("/spec/sources")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten(),
            );
            out.extend(
                sources
                    .filter_map(|s| s.get("path").and_then(Value::as_str))
                    .map(rel),
            );
        }
        if let Some((n, ns)) = &hints.flux
            && kind == Some("Kustomization")
            && api(doc, "kustomize.toolkit.fluxcd.io/")
            && name(doc) == Some(n)
            && doc
                .pointer("/metadata/namespace")
                .and_then(Value::as_str)
                .is_none_or(|x| x == ns)
            && let Some(p) = doc.pointer("/spec/path").and_then(Value::as_str)
        {
            out.push(rel(p));
        }
    }
    // `path: .` deploys the whole repository: no narrowing.
    out.retain(|p| !p.as_os_str().is_empty() && p != Path::new("."));
    out
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

fn kustomizations(root: &Path, files: &[YamlFileDocs]) -> BTreeMap<PathBuf, Kustomization> {
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

fn is_object(doc: &Value, target: &crate::model::ObjectRef) -> bool {
    doc.get("kind").and_then(Value::as_str) == Some(target.kind.as_str())
        && doc.pointer("/metadata/name").and_then(Value::as_str) == Some(target.name.as_str())
}

/// The object lands in the target's namespace: the kustomization's `namespace:` wins over
/// the manifest's, and a manifest without one is deployed wherever its tool says.
fn namespace_fits(doc: &Value, kustomize: Option<&str>, plan: &Plan) -> bool {
    let Some(want) = plan.target.namespace.as_deref() else {
        return true;
    };
    let own = doc.pointer("/metadata/namespace").and_then(Value::as_str);
    kustomize.or(own).is_none_or(|ns| ns == want)
}

/// Where the pod spec of a workload kind is.
fn pod_spec(kind: &str) -> Vec<Seg> {
    let keys: &[&str] = match kind {
        "CronJob" => &["spec", "jobTemplate", "spec", "template", "spec"],
        "Pod" => &["spec"],
        _ => &["spec", "template", "spec"],
    };
    keys.iter().map(|k| Seg::Key(k.to_string())).collect()
}

/// The container's path in `doc` (containers or initContainers), when the doc has it.
fn container_path(doc: &Value, plan: &Plan) -> Option<Vec<Seg>> {
    let base = pod_spec(&plan.target.kind);
    ["containers", "initContainers"]
        .into_iter()
        .find_map(|list| {
            let mut p = base.clone();
            p.push(Seg::Key(list.into()));
            p.push(Seg::Named(plan.container.clone()));
            get(doc, &p).map(|_| p)
        })
}

fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The edits of `plan` in document `index`, with the values there now; `None` when the doc
/// does not hold the container or a probe the remedy changes.
fn field_edits(doc: &Value, index: usize, plan: &Plan) -> Option<(Vec<Edit>, Vec<Option<String>>)> {
    let container = container_path(doc, plan)?;
    let c = get(doc, &container)?;
    let mut edits = Vec::new();
    let mut current = Vec::new();
    for e in &plan.edits {
        let rel = e.field.path(c)?;
        let mut path = container.clone();
        path.extend(rel.into_iter().map(Seg::Key));
        current.push(get(doc, &path).and_then(scalar_text));
        edits.push(Edit {
            doc: index,
            path,
            value: e.to.clone(),
        });
    }
    Some((edits, current))
}

/// Whether the doc sets every field the plan changes.
fn sets_fields(doc: &Value, plan: &Plan) -> bool {
    field_edits(doc, 0, plan).is_some_and(|(_, current)| current.iter().all(Option::is_some))
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

fn from_kustomize(
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

/// `registry/name:tag@digest` → (name, tag, digest).
fn split_image(image: &str) -> (&str, Option<&str>, Option<&str>) {
    let (rest, digest) = match image.split_once('@') {
        Some((r, d)) => (r, Some(d)),
        None => (image, None),
    };
    // A colon after the last slash is a tag; before it, a registry port.
    match rest.rfind(':') {
        Some(i) if !rest[i..].contains('/') => (&rest[..i], Some(&rest[i + 1..]), digest),
        _ => (rest, None, digest),
    }
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

fn from_helm(
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

fn dedupe(out: &mut Vec<Candidate>) {
    let mut seen = BTreeSet::new();
    out.retain(|c| seen.insert((c.file.clone(), format!("{:?}", c.edits))));
}

/// Keeps the candidates whose file holds what the cluster runs, when the remedy says.
fn filter_by_cluster_value(candidates: Vec<Candidate>, plan: &Plan) -> Result<Vec<Candidate>> {
    let agrees = |c: &Candidate| match c.layout {
        // The tag (or digest) the kustomization holds is part of the cluster's reference.
        Layout::KustomizeImages => {
            let (_, tag, digest) = split_image(plan.edits[0].from.as_deref().unwrap_or(""));
            c.edits.iter().zip(&c.current).all(|(edit, now)| {
                let field = match edit.path.last() {
                    Some(Seg::Key(k)) => k.as_str(),
                    _ => "",
                };
                match (field, now.as_deref()) {
                    ("newTag", Some(n)) => tag == Some(n),
                    ("digest", Some(n)) => digest == Some(n),
                    _ => true,
                }
            })
        }
        // helm_matches only keeps values that hold the cluster's value.
        Layout::HelmValues => true,
        Layout::Plain | Layout::Kustomize => {
            plan.edits
                .iter()
                .zip(&c.current)
                .all(|(e, now)| match (&e.from, now) {
                    (Some(from), Some(now)) => from == now,
                    _ => true,
                })
        }
    };
    let (keep, drop): (Vec<_>, Vec<_>) = candidates.into_iter().partition(agrees);
    if keep.is_empty() && !drop.is_empty() {
        let said: Vec<String> = drop
            .iter()
            .map(|c| {
                let now: Vec<&str> = c.current.iter().flatten().map(String::as_str).collect();
                format!("{} has {}", c.file.display(), now.join(", "))
            })
            .collect();
        let from: Vec<&str> = plan
            .edits
            .iter()
            .filter_map(|e| e.from.as_deref())
            .collect();
        return Err(Error::Locate {
            target: plan.target.to_string(),
            message: format!(
                "the repository disagrees with the cluster: {}, the cluster runs {}",
                said.join("; "),
                from.join(", ")
            ),
            hint: "check --repo is the repository (and base branch, --base) that deploys it; the cluster may run an unmerged or manual change".into(),
        });
    }
    Ok(keep)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_references_split_at_the_tag_not_the_registry_port() {
        assert_eq!(
            split_image("registry.example.com:5000/shop/web:1.4.3"),
            ("registry.example.com:5000/shop/web", Some("1.4.3"), None)
        );
        assert_eq!(
            split_image("ghcr.io/acme/web@sha256:abc"),
            ("ghcr.io/acme/web", None, Some("sha256:abc"))
        );
        assert_eq!(split_image("nginx"), ("nginx", None, None));
    }

    #[test]
    fn tracking_ids_and_flux_labels_become_hints() {
        let meta: ObjectMeta = serde_json::from_value(serde_json::json!({
            "name": "web",
            "annotations": {"argocd.argoproj.io/tracking-id": "shop-web:apps/Deployment:shop/web"},
            "labels": {"kustomize.toolkit.fluxcd.io/name": "apps",
                       "kustomize.toolkit.fluxcd.io/namespace": "flux-system",
                       "helm.sh/chart": "web-1.2.0"}
        }))
        .expect("meta");
        let h = Hints::from_meta(&meta);
        assert_eq!(h.argocd_app.as_deref(), Some("shop-web"));
        assert_eq!(h.flux, Some(("apps".into(), "flux-system".into())));
        assert!(h.helm && h.known);
    }
}
