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

use super::plan::Plan;
use super::yaml_edit::{Edit, Seg, get};
use crate::error::{Error, Result};

mod helm;
mod kustomize;

use kustomize::is_kustomization;

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

/// The candidates for `plan` in the repository at `root`, among the objects under `within`
/// (relative to `root`; empty for all). Kustomize bases outside `within` are still read.
pub fn locate(root: &Path, within: &Path, plan: &Plan, hints: &Hints) -> Result<Vec<Candidate>> {
    let files = read_tree(root)?;
    let scope = scope(&files, hints);
    let in_scope = |p: &Path| {
        p.starts_with(within) && (scope.is_empty() || scope.iter().any(|s| p.starts_with(s)))
    };
    let kustomizations = kustomize::kustomizations(root, &files);
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
        out.extend(kustomize::from_kustomize(
            k,
            &kustomizations,
            &by_path,
            plan,
        ));
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
        out.extend(helm::from_helm(root, &files, hints, plan, &in_scope));
    }
    dedupe(&mut out);
    filter_by_cluster_value(out, plan)
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
