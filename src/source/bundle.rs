//! Bundles on disk: reading a k8sops bundle, a `kubectl cluster-info dump --output-directory`
//! tree, a `.tar.gz` of either, or one JSON/YAML file; writing k8sops bundles.
//!
//! Layout (a superset of kubectl's): `meta.json`; cluster-scoped Lists at the root
//! (`nodes.json`, …); namespaced Lists in `<ns>/<kind>.json`; logs in `<ns>/<pod>/logs.txt`
//! and `<ns>/<pod>/previous-logs.txt` as blocks; the CI runs in `ci/runs.json` (no `kind`
//! field, so readers that predate it skip it as a non-Kubernetes file).

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta;
use serde::{Deserialize, Serialize};

use super::document::{self, Parsed};
use super::kubectl_dump::{self, CURRENT_LOGS, PREVIOUS_LOGS};
use super::live;
use crate::error::{Error, Input, Result};
use crate::model::ci::CiRuns;
use crate::model::{KINDS, Kind, LogKey, Objects, Selector, Snapshot, SnapshotMeta};
use crate::sanitize::{Outbound, Sanitizer};

const META: &str = "meta.json";
/// Bytes reserved up front for one member of a `.tar.gz`; a larger member grows as it reads.
const MAX_RESERVE: usize = 64 << 20;
const CI_RUNS: &str = "ci/runs.json";

/// `ci/runs.json` of a k8sops bundle.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct CiFile {
    api_version: String,
    #[serde(flatten)]
    ci: CiRuns,
}

/// `meta.json` of a k8sops bundle.
#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MetaFile {
    api_version: String,
    kind: String,
    #[serde(flatten)]
    meta: SnapshotMeta,
}

/// Where the files of a bundle come from.
enum Files {
    Dir(PathBuf),
    /// A `.tar.gz`, held in memory by relative path.
    Archive(PathBuf, BTreeMap<String, Vec<u8>>),
}

impl Files {
    fn list(&self) -> Result<Vec<String>> {
        match self {
            Files::Dir(root) => {
                let mut out = Vec::new();
                walk(root, root, 0, &mut out)?;
                Ok(out)
            }
            Files::Archive(_, entries) => Ok(entries.keys().cloned().collect()),
        }
    }

    fn read(&self, rel: &str) -> Result<std::borrow::Cow<'_, [u8]>> {
        match self {
            Files::Dir(root) => {
                let path = root.join(rel);
                std::fs::read(&path)
                    .map(Into::into)
                    .map_err(|e| Error::io(path, e))
            }
            Files::Archive(archive, entries) => entries
                .get(rel)
                .map(|b| b.as_slice().into())
                .ok_or_else(|| Error::NotFound {
                    path: archive.join(rel),
                }),
        }
    }

    /// The path shown to the user for a file of the bundle.
    fn display(&self, rel: &str) -> PathBuf {
        match self {
            Files::Dir(root) | Files::Archive(root, _) => root.join(rel),
        }
    }
}

/// Lists files up to `<ns>/<pod>/file` depth, relative to `root`, with `/` separators.
fn walk(root: &Path, dir: &Path, depth: usize, out: &mut Vec<String>) -> Result<()> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io(dir, e))?;
        let path = entry.path();
        let file_type = entry.file_type().map_err(|e| Error::io(&path, e))?;
        if file_type.is_dir() && depth < 2 {
            walk(root, &path, depth + 1, out)?;
        } else if file_type.is_file()
            && let Ok(rel) = path.strip_prefix(root)
        {
            let rel: Vec<_> = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect();
            out.push(rel.join("/"));
        }
    }
    Ok(())
}

/// What to do with one file of a bundle.
#[derive(Debug, Clone, PartialEq)]
enum Job {
    Document(String),
    Logs(String, bool),
    CiRuns(String),
}

fn classify(rel: &str) -> Option<Job> {
    let parts: Vec<&str> = rel.split('/').collect();
    let name = *parts.last()?;
    match (parts.len(), name) {
        (1, META) => None,
        _ if rel == CI_RUNS => Some(Job::CiRuns(rel.to_string())),
        (1 | 2, _) if document::is_document(Path::new(name)) => {
            Some(Job::Document(rel.to_string()))
        }
        (3, CURRENT_LOGS) => Some(Job::Logs(rel.to_string(), false)),
        (3, PREVIOUS_LOGS) => Some(Job::Logs(rel.to_string(), true)),
        _ => None,
    }
}

/// Reads a snapshot from a bundle directory, a `.tar.gz`, or a single JSON/YAML file.
pub fn read(path: &Path) -> Result<Snapshot> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if metadata.is_dir() {
        return read_files(path, Files::Dir(path.to_path_buf()));
    }
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    if bytes.starts_with(&[0x1f, 0x8b]) {
        let entries = unpack(path, &bytes)?;
        return read_files(path, Files::Archive(path.to_path_buf(), entries));
    }
    read_single(path, &bytes)
}

fn read_single(path: &Path, bytes: &[u8]) -> Result<Snapshot> {
    let mut objects = Objects::default();
    let text = std::str::from_utf8(bytes).map_err(|e| Error::NotKubernetes {
        path: path.to_path_buf(),
        message: format!("not UTF-8 text ({e})"),
    })?;
    let looks_json = text.trim_start().starts_with('{');
    let parsed = if looks_json && !document::is_yaml(path) {
        document::parse_json(path, text, &mut objects)?
    } else {
        document::parse_yaml(path, text, &mut objects)?
    };
    if !parsed.is_kubernetes {
        return Err(Error::NotKubernetes {
            path: path.to_path_buf(),
            message: "no `kind` field: not a Kubernetes object or List".into(),
        });
    }
    let warnings = skipped_warnings(path, &parsed);
    let meta = inferred_meta(&objects);
    Ok(Snapshot::new(meta, objects, BTreeMap::new(), warnings))
}

fn unpack(path: &Path, bytes: &[u8]) -> Result<BTreeMap<String, Vec<u8>>> {
    let bad = |e: std::io::Error| Error::NotKubernetes {
        path: path.to_path_buf(),
        message: format!("not a readable .tar.gz ({e})"),
    };
    let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(bytes));
    let mut entries = BTreeMap::new();
    for entry in archive.entries().map_err(bad)? {
        let mut entry = entry.map_err(bad)?;
        if !entry.header().entry_type().is_file() {
            continue;
        }
        let name = entry
            .path()
            .map_err(bad)?
            .to_string_lossy()
            .trim_start_matches("./")
            .to_string();
        // The header's size is whatever the archive says: reserve at most a sane amount up
        // front, so a forged size is a short read, not an allocation that aborts.
        let claimed = usize::try_from(entry.size()).unwrap_or(usize::MAX);
        let mut data = Vec::with_capacity(claimed.min(MAX_RESERVE));
        entry.read_to_end(&mut data).map_err(bad)?;
        entries.insert(name, data);
    }
    // A tarball of a directory (`tar czf b.tgz bundle/`) has everything under one prefix.
    let prefix = common_prefix(&entries);
    if let Some(prefix) = prefix {
        entries = entries
            .into_iter()
            .map(|(k, v)| (k[prefix.len()..].to_string(), v))
            .collect();
    }
    Ok(entries)
}

fn common_prefix(entries: &BTreeMap<String, Vec<u8>>) -> Option<String> {
    let first = entries.keys().next()?;
    let (top, _) = first.split_once('/')?;
    let prefix = format!("{top}/");
    let all_under = entries.keys().all(|k| k.starts_with(&prefix));
    let is_namespace_dir = entries.keys().any(|k| !k.contains('/'));
    (all_under
        && !is_namespace_dir
        && !entries.contains_key(META)
        && !entries.contains_key(&format!("{prefix}{}", Kind::Pod.info().file)))
    .then_some(prefix)
}

#[derive(Default)]
struct Partial {
    logs: BTreeMap<LogKey, String>,
    warnings: Vec<String>,
    documents: usize,
    ci: Option<CiRuns>,
}

fn read_files(path: &Path, files: Files) -> Result<Snapshot> {
    let names = files.list()?;
    let meta = match names.iter().any(|n| n == META) {
        true => Some(read_meta(&files)?),
        false => None,
    };
    let mut jobs: Vec<Job> = names.iter().filter_map(|n| classify(n)).collect();
    if meta.is_none() && !jobs.iter().any(|j| matches!(j, Job::Document(_))) {
        return Err(Error::NotABundle {
            path: path.to_path_buf(),
        });
    }
    // Big files first, so the threads finish together.
    if let Files::Dir(root) = &files {
        jobs.sort_by_cached_key(|j| {
            let rel = match j {
                Job::Document(r) | Job::Logs(r, _) | Job::CiRuns(r) => r,
            };
            std::cmp::Reverse(
                std::fs::metadata(root.join(rel))
                    .map(|m| m.len())
                    .unwrap_or(0),
            )
        });
    }

    let next = AtomicUsize::new(0);
    // Every file's objects go straight into one shared `Objects`: per-thread collections
    // merged at the end would hold two copies of the 100k-event vector at once.
    let objects = Mutex::new(Objects::default());
    let results: Mutex<Vec<Result<Partial>>> = Mutex::new(Vec::new());
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            scope.spawn(|| {
                let result = run_jobs(&files, &jobs, &next, &objects);
                if let Ok(mut r) = results.lock() {
                    r.push(result);
                }
            });
        }
    });

    let mut total = Partial::default();
    for partial in results.into_inner().unwrap_or_default() {
        let mut partial = partial?;
        total.logs.append(&mut partial.logs);
        total.warnings.append(&mut partial.warnings);
        total.documents += partial.documents;
        total.ci = total.ci.or(partial.ci);
    }
    if meta.is_none() && total.documents == 0 {
        return Err(Error::NotABundle {
            path: path.to_path_buf(),
        });
    }
    total.warnings.sort();
    let mut objects = objects.into_inner().unwrap_or_else(|e| e.into_inner());
    objects.shrink_to_fit();
    let meta = meta.unwrap_or_else(|| inferred_meta(&objects));
    let snapshot = Snapshot::new(meta, objects, total.logs, total.warnings);
    Ok(match total.ci {
        Some(ci) => snapshot.with_ci(ci),
        None => snapshot,
    })
}

fn run_jobs(
    files: &Files,
    jobs: &[Job],
    next: &AtomicUsize,
    objects: &Mutex<Objects>,
) -> Result<Partial> {
    let mut partial = Partial::default();
    let mut local = Objects::default();
    loop {
        let i = next.fetch_add(1, Ordering::Relaxed);
        let Some(job) = jobs.get(i) else {
            return Ok(partial);
        };
        match job {
            Job::Document(rel) => {
                let bytes = files.read(rel)?;
                let shown = files.display(rel);
                let parsed = document::parse_file(&shown, &bytes, &mut local)?;
                drop(bytes);
                objects
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .append(&mut local);
                if parsed.is_kubernetes {
                    partial.documents += 1;
                }
                partial.warnings.extend(skipped_warnings(&shown, &parsed));
            }
            Job::Logs(rel, previous) => {
                let bytes = files.read(rel)?;
                let text = String::from_utf8_lossy(&bytes);
                kubectl_dump::parse_log_blocks(&text, *previous, &mut partial.logs);
            }
            Job::CiRuns(rel) => {
                let bytes = files.read(rel)?;
                let file: CiFile =
                    serde_json::from_slice(&bytes).map_err(|e| Error::Malformed {
                        path: files.display(rel),
                        line: e.line(),
                        column: e.column(),
                        message: e.to_string(),
                    })?;
                partial.ci = Some(file.ci);
            }
        }
    }
}

fn skipped_warnings(path: &Path, parsed: &Parsed) -> Vec<String> {
    parsed
        .skipped
        .iter()
        .map(|(kind, n)| {
            format!(
                "{}: skipped {n} {kind} object(s): k8sops does not use this kind",
                path.display()
            )
        })
        .collect()
}

fn read_meta(files: &Files) -> Result<SnapshotMeta> {
    let bytes = files.read(META)?;
    let path = files.display(META);
    let file: MetaFile = serde_json::from_slice(&bytes).map_err(|e| Error::Malformed {
        path,
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })?;
    Ok(file.meta)
}

/// A bundle without `meta.json` (a kubectl dump) says nothing of when it was taken; the
/// newest timestamp it holds is the best estimate, and it keeps ages stable across reads.
fn inferred_meta(objects: &Objects) -> SnapshotMeta {
    let newest_event = objects
        .events
        .iter()
        .filter_map(crate::model::event_last_seen)
        .max();
    let newest_object = objects
        .metas()
        .filter_map(|(_, m)| m.creation_timestamp.as_ref().map(|t| t.0))
        .max();
    let captured_at = newest_event
        .into_iter()
        .chain(newest_object)
        .max()
        .unwrap_or_else(jiff::Timestamp::now);
    let mut meta = SnapshotMeta::new(captured_at);
    meta.version = String::new();
    meta
}

/// How a bundle is written.
#[derive(Debug, Clone, Copy, Default)]
pub struct WriteOptions<'a> {
    /// Every string of every object and every log goes through this sanitizer first, and
    /// `meta.json` says so. `None` writes the snapshot as collected.
    pub sanitizer: Option<&'a Sanitizer>,
}

/// Writes `snapshot` as a k8sops bundle: a directory, or a `.tar.gz` when `out` ends so.
/// Nothing is left half-written: files go to a temporary sibling that replaces `out` at
/// the end. An existing `out` is replaced only when it is itself a k8sops bundle.
pub fn write(snapshot: &Snapshot, out: &Path, options: &WriteOptions<'_>) -> Result<()> {
    // Built in memory before anything touches the disk: a sanitizer error writes nothing.
    let files = bundle_files(snapshot, options.sanitizer.is_some())?;
    let files = match options.sanitizer {
        Some(s) => Outgoing::Gated(gate(s, files)?),
        None => Outgoing::Raw(files),
    };
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("bundle");
    let archive = name.ends_with(".tar.gz") || name.ends_with(".tgz");
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    if !parent.is_dir() {
        return Err(Error::NotFound { path: parent });
    }
    if out.exists() && !archive && !out.join(META).is_file() && !is_empty_dir(out) {
        return Err(Error::Invalid {
            input: Input::Output,
            message: format!("{} exists and is not a k8sops bundle", out.display()),
            hint: "choose a new directory; k8sops only replaces bundles it wrote".into(),
        });
    }
    let tmp = parent.join(format!(".{name}.k8sops-tmp-{}", std::process::id()));
    let bytes = files.bytes();
    let written = if archive {
        write_archive(&tmp, &bytes)
    } else {
        write_dir(&tmp, &bytes)
    };
    if let Err(e) = written {
        let _ = std::fs::remove_dir_all(&tmp);
        let _ = std::fs::remove_file(&tmp);
        return Err(e);
    }
    if out.is_dir() {
        std::fs::remove_dir_all(out).map_err(|e| Error::io(out, e))?;
    }
    std::fs::rename(&tmp, out).map_err(|e| Error::io(out, e))
}

/// A bundle file's content before it is written.
enum Body {
    Json(serde_json::Value),
    Text(String),
}

/// What is written: files through the sanitizer's gate, or — only with `--no-sanitize`,
/// for a bundle that stays on this machine — as collected.
enum Outgoing {
    Gated(Vec<(String, Outbound<String>)>),
    Raw(Vec<(String, Body)>),
}

impl Outgoing {
    fn bytes(&self) -> Vec<(&str, Cow<'_, [u8]>)> {
        match self {
            Outgoing::Gated(files) => files
                .iter()
                .map(|(rel, text)| (rel.as_str(), Cow::Borrowed(text.as_bytes())))
                .collect(),
            Outgoing::Raw(files) => files
                .iter()
                .map(|(rel, body)| (rel.as_str(), Cow::Owned(body_text(body).into_bytes())))
                .collect(),
        }
    }
}

/// A file's text: JSON indented, with a final newline.
fn body_text(body: &Body) -> String {
    match body {
        Body::Json(v) => {
            let mut text = serde_json::to_string_pretty(v).unwrap_or_else(|_| "null".into());
            text.push('\n');
            text
        }
        Body::Text(t) => t.clone(),
    }
}

/// Every file through the gate: JSON documents structurally (Secrets, env entries, keys
/// that say secret) and every string by the text rules; logs by the text rules.
fn gate(s: &Sanitizer, files: Vec<(String, Body)>) -> Result<Vec<(String, Outbound<String>)>> {
    files
        .into_iter()
        .map(|(rel, body)| {
            let gated = match body {
                Body::Json(v) => s.outbound_json(v).map(|v| {
                    let mut text = v.to_pretty_text();
                    text.push_newline();
                    text
                }),
                Body::Text(t) => s.outbound(&t),
            };
            gated
                .map(|g| (rel.clone(), g))
                .map_err(|e| Error::Sanitize {
                    what: rel,
                    message: e.to_string(),
                })
        })
        .collect()
}

fn is_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path)
        .map(|mut d| d.next().is_none())
        .unwrap_or(false)
}

fn write_dir(root: &Path, files: &[(&str, Cow<'_, [u8]>)]) -> Result<()> {
    for (rel, bytes) in files {
        let path = root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).map_err(|e| Error::io(dir, e))?;
        }
        std::fs::write(&path, bytes).map_err(|e| Error::io(&path, e))?;
    }
    Ok(())
}

fn write_archive(path: &Path, files: &[(&str, Cow<'_, [u8]>)]) -> Result<()> {
    let file = std::fs::File::create(path).map_err(|e| Error::io(path, e))?;
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut builder = tar::Builder::new(gz);
    for (rel, bytes) in files {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_mtime(0);
        header.set_cksum();
        builder
            .append_data(&mut header, rel, bytes.as_ref())
            .map_err(|e| Error::io(path, e))?;
    }
    let gz = builder.into_inner().map_err(|e| Error::io(path, e))?;
    gz.finish().map_err(|e| Error::io(path, e))?;
    Ok(())
}

/// The files of a bundle, by relative path, in a stable order, as collected; `sanitized`
/// is what `meta.json` says.
fn bundle_files(snapshot: &Snapshot, sanitized: bool) -> Result<Vec<(String, Body)>> {
    let to_err = |rel: &str, e: serde_json::Error| Error::Io {
        path: rel.into(),
        source: e.into(),
    };
    let mut files = Vec::new();
    let mut meta = MetaFile {
        api_version: "k8sops/v1".into(),
        kind: "BundleMeta".into(),
        meta: snapshot.meta.clone(),
    };
    meta.meta.sanitized |= sanitized;
    let meta = serde_json::to_value(&meta).map_err(|e| to_err(META, e))?;
    files.push((META.to_string(), Body::Json(meta)));

    for info in KINDS {
        let items = snapshot.objects.to_json(info.kind);
        let mut by_ns: BTreeMap<String, Vec<serde_json::Value>> = BTreeMap::new();
        for item in items {
            let ns = match info.namespaced {
                true => item
                    .pointer("/metadata/namespace")
                    .and_then(|n| n.as_str())
                    .unwrap_or("default")
                    .to_string(),
                false => String::new(),
            };
            by_ns.entry(ns).or_default().push(item);
        }
        for (ns, items) in by_ns {
            let rel = if ns.is_empty() {
                info.file.to_string()
            } else {
                format!("{ns}/{}", info.file)
            };
            let list = serde_json::json!({
                "kind": format!("{}List", info.name),
                "apiVersion": info.api_version(),
                "metadata": {"resourceVersion": ""},
                "items": items,
            });
            files.push((rel, Body::Json(list)));
        }
    }

    if let Some(ci) = &snapshot.ci {
        let file = CiFile {
            api_version: "k8sops/v1".into(),
            ci: ci.clone(),
        };
        let value = serde_json::to_value(&file).map_err(|e| to_err(CI_RUNS, e))?;
        files.push((CI_RUNS.to_string(), Body::Json(value)));
    }

    // One file per (namespace, pod, previous), holding every container's block.
    type PodLogs<'a> = Vec<(&'a LogKey, &'a str)>;
    let mut by_pod: BTreeMap<(&str, &str, bool), PodLogs<'_>> = BTreeMap::new();
    for (key, body) in &snapshot.logs {
        by_pod
            .entry((&key.namespace, &key.pod, key.previous))
            .or_default()
            .push((key, body.as_str()));
    }
    for ((ns, pod, previous), logs) in by_pod {
        let file = if previous {
            PREVIOUS_LOGS
        } else {
            CURRENT_LOGS
        };
        files.push((
            format!("{ns}/{pod}/{file}"),
            Body::Text(kubectl_dump::format_log_blocks(logs.iter().copied())),
        ));
    }
    Ok(files)
}

/// Keeps only what `namespace` holds (and cluster-scoped objects such as nodes).
pub fn restrict_to_namespace(snapshot: Snapshot, namespace: &str) -> Snapshot {
    let Snapshot {
        mut meta,
        mut objects,
        mut logs,
        warnings,
        ci,
        ..
    } = snapshot;
    objects.retain(|kind, m| {
        !kind.info().namespaced
            || m.namespace.as_deref() == Some(namespace)
            || kind == Kind::Namespace
    });
    objects.retain(|kind, m| kind != Kind::Namespace || m.name.as_deref() == Some(namespace));
    logs.retain(|k, _| k.namespace == namespace);
    meta.scope.namespaces = vec![namespace.to_string()];
    let restricted = Snapshot::new(meta, objects, logs, warnings);
    // CI runs belong to a repository, not a namespace.
    match ci {
        Some(ci) => restricted.with_ci(ci),
        None => restricted,
    }
}

/// Keeps what `-l` would have listed from a cluster: objects of the kinds the API server
/// filters by label ([`live::takes_selector`]) only when their labels match, every other
/// kind whole; then drops events about objects filtered out, and the logs (and usage) of
/// pods filtered out. Warnings and CI runs stay: they are about the collection and the
/// repository, not about labelled objects.
pub fn restrict_to_selector(snapshot: Snapshot, selector: &Selector) -> Snapshot {
    if selector.is_empty() {
        return snapshot;
    }
    let Snapshot {
        mut meta,
        mut objects,
        mut logs,
        warnings,
        mut metrics,
        ci,
        ..
    } = snapshot;
    let unlabelled = BTreeMap::new();
    let selected = |kind: Kind, m: &ObjectMeta| {
        !live::takes_selector(kind) || selector.matches(m.labels.as_ref().unwrap_or(&unlabelled))
    };
    let dropped_pods: HashSet<(String, String)> = objects
        .pods
        .iter()
        .filter(|p| !selected(Kind::Pod, &p.metadata))
        .map(|p| pod_key(&p.metadata))
        .collect();
    objects.retain(selected);
    live::keep_events_in_scope(&mut objects);
    logs.retain(|k, _| !dropped_pods.contains(&(k.namespace.clone(), k.pod.clone())));
    if let Some(pods) = &mut metrics.pods {
        pods.retain(|p| !dropped_pods.contains(&pod_key(&p.metadata)));
    }
    let given = selector.to_string();
    meta.scope.selector = Some(match meta.scope.selector.take() {
        // A bundle collected with `-l` is narrowed again: both hold.
        Some(before) if !before.trim().is_empty() && before != given => {
            format!("{before},{given}")
        }
        _ => given,
    });
    let mut restricted = Snapshot::new(meta, objects, logs, warnings);
    restricted.metrics = metrics;
    match ci {
        Some(ci) => restricted.with_ci(ci),
        None => restricted,
    }
}

fn pod_key(m: &ObjectMeta) -> (String, String) {
    (
        m.namespace.clone().unwrap_or_default(),
        m.name.clone().unwrap_or_default(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn example(name: &str) -> Snapshot {
        let path = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(name);
        read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    fn narrowed(name: &str, selector: &str) -> Snapshot {
        let selector = Selector::parse(selector).expect("selector parses");
        restrict_to_selector(example(name), &selector)
    }

    fn names(objects: &Objects, kind: Kind) -> Vec<String> {
        objects
            .metas()
            .filter(|(k, _)| *k == kind)
            .map(|(_, m)| {
                format!(
                    "{}/{}",
                    m.namespace.as_deref().unwrap_or(""),
                    m.name.as_deref().unwrap_or("")
                )
            })
            .collect()
    }

    #[test]
    fn a_selector_keeps_the_labelled_workload_and_its_pods() {
        let before = example("crash-loop");
        let after = narrowed("crash-loop", "app=cart");
        assert_eq!(
            names(&after.objects, Kind::Pod),
            ["shop/cart-n8mrdb6q9j-4s8h4", "shop/cart-n8mrdb6q9j-khbz4"]
        );
        assert_eq!(names(&after.objects, Kind::Deployment), ["shop/cart"]);
        assert_eq!(
            names(&after.objects, Kind::ReplicaSet),
            ["shop/cart-n8mrdb6q9j"]
        );
        // The example's Services carry no labels, so `app=cart` lists none, as live.
        assert!(names(&after.objects, Kind::Service).is_empty());
        assert!(names(&after.objects, Kind::StatefulSet).is_empty());
        assert_eq!(after.meta.scope.selector.as_deref(), Some("app=cart"));
        assert_eq!(after.warnings, before.warnings);
    }

    #[test]
    fn kinds_the_api_server_does_not_filter_are_kept_whole() {
        let before = example("crash-loop");
        let after = narrowed("crash-loop", "app=cart");
        for info in KINDS {
            if !live::takes_selector(info.kind) && info.kind != Kind::Event {
                assert_eq!(
                    names(&after.objects, info.kind),
                    names(&before.objects, info.kind),
                    "{}",
                    info.plural
                );
            }
        }
        assert!(before.objects.count(Kind::Node) > 0 && before.objects.count(Kind::Secret) > 0);
    }

    #[test]
    fn events_and_logs_of_objects_filtered_out_are_dropped() {
        let before = example("crash-loop");
        let after = narrowed("crash-loop", "app=cart");
        let kept: HashSet<(String, String)> = after
            .objects
            .metas()
            .filter(|(k, _)| *k != Kind::Event)
            .map(|(k, m)| (k.info().name.to_string(), pod_key(m).1))
            .collect();
        assert!(!after.objects.events.is_empty());
        assert!(after.objects.events.len() < before.objects.events.len());
        for e in &after.objects.events {
            let about = &e.involved_object;
            let kind = about.kind.clone().unwrap_or_default();
            let name = about.name.clone().unwrap_or_default();
            assert!(
                kind == "Node" || kept.contains(&(kind.clone(), name.clone())),
                "{kind} {name}"
            );
        }
        assert!(before.logs.keys().any(|k| k.pod.starts_with("orders-")));
        assert!(!after.logs.is_empty());
        assert!(
            after.logs.keys().all(|k| k.pod.starts_with("cart-")),
            "{:?}",
            after.logs.keys()
        );
    }

    #[test]
    fn absence_and_set_requirements_select_as_the_api_server_does() {
        let after = narrowed("oom-killed", "app notin (cart, redis), !k8s-app");
        assert_eq!(
            names(&after.objects, Kind::Deployment),
            ["monitoring/grafana", "shop/web"]
        );
        // Services without an `app` label match: `notin` holds when the key is absent, so
        // the unlabelled `shop/cart` Service stays beside the API server's own.
        assert_eq!(
            names(&after.objects, Kind::Service),
            [
                "default/kubernetes",
                "monitoring/grafana",
                "shop/cart",
                "shop/redis",
                "shop/web"
            ]
        );
        let after = narrowed("oom-killed", "app.kubernetes.io/name in (grafana)");
        assert_eq!(
            names(&after.objects, Kind::Pod),
            ["monitoring/grafana-q7lb2ft5q-f4z86"]
        );
    }

    #[test]
    fn ci_runs_stay_and_the_empty_selector_changes_nothing() {
        let before = example("ci-failed-build");
        assert!(before.ci.is_some());
        let after = narrowed("ci-failed-build", "app=nothing-has-this");
        assert!(after.objects.pods.is_empty());
        assert_eq!(after.ci, before.ci);
        let same = narrowed("ci-failed-build", "");
        assert_eq!(same.objects, before.objects);
        assert_eq!(same.meta, before.meta);
    }

    #[test]
    fn a_bundle_taken_with_a_selector_keeps_both() {
        let first = narrowed("crash-loop", "app");
        let selector = Selector::parse("app in (cart,orders)").expect("parses");
        let second = restrict_to_selector(first, &selector);
        assert_eq!(
            second.meta.scope.selector.as_deref(),
            Some("app,app in (cart,orders)")
        );
        assert_eq!(
            names(&second.objects, Kind::Deployment),
            ["shop/cart", "shop/orders"]
        );
    }
}
