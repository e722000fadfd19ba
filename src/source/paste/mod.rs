//! What people paste, read into a [`Snapshot`]: `kubectl describe` of pods, workloads,
//! nodes, PVCs and services; `kubectl get` tables (with or without `-A`, `-o wide`,
//! headers); `kubectl get events` in both layouts; `kubectl logs` (named by a `$ kubectl
//! logs POD -c C --previous` line, or not); `-o yaml` / `-o json` of an object or a List.
//! Each section is recognised by its shape. Relative ages are read against `anchor` (when
//! the paste was printed, taken to be now). What the text does not show stays unknown; what
//! was inferred, and the lines that did not read, are listed in the snapshot's warnings.

mod age;
mod clean;
mod columns;
mod container;
mod describe;
mod events;
mod table;
mod tree;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use jiff::Timestamp;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::model::{Kind, LogKey, Objects, Snapshot, SnapshotMeta};
use clean::Line;
use columns::Columns;
use events::EventRow;

/// What k8sops understands in a paste, for the hint of a paste it found nothing in.
pub const UNDERSTOOD: &str = "kubectl describe (pods, deployments, replicasets, statefulsets, daemonsets, jobs, cronjobs, nodes, pvc, services), kubectl get <kind> [-o wide] tables, kubectl get events [-o wide], kubectl logs (after a `$ kubectl logs POD -c C --previous` line), -o yaml / -o json";

/// One pasted text and the name it is reported by (a file name, `stdin`).
#[derive(Debug, Clone, Copy)]
pub struct Paste<'a> {
    pub name: &'a str,
    pub text: &'a str,
}

/// Everything read from all pastes, before it becomes a snapshot.
#[derive(Default)]
struct Found {
    objects: Vec<(Kind, Value, String)>,
    events: Vec<EventRow>,
    /// (namespace or none, pod, container or none, previous) → text.
    logs: Vec<(LogHeader, String, String)>,
    inferred: Vec<String>,
    /// Objects whose owner came from `Controlled By:`.
    owned: usize,
    notes: Vec<String>,
}

/// What a `kubectl logs` line names.
#[derive(Debug, Clone, Default, PartialEq)]
struct LogHeader {
    namespace: Option<String>,
    pod: Option<String>,
    container: Option<String>,
    previous: bool,
}

/// The kubectl command a section was printed by, as far as it matters to reading it.
#[derive(Debug, Clone, Default)]
struct Command {
    verb: String,
    kind: Option<Kind>,
    namespace: Option<String>,
    log: LogHeader,
}

fn parse_command(words: &[String]) -> Command {
    let mut command = Command::default();
    let mut positional = Vec::new();
    let mut i = 1;
    while i < words.len() {
        let w = words[i].as_str();
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with('-') => (f, Some(v.to_string())),
            _ => (w, None),
        };
        let mut value = || {
            inline.clone().or_else(|| {
                i += 1;
                words.get(i).cloned()
            })
        };
        match flag {
            "-n" | "--namespace" => command.namespace = value(),
            "-c" | "--container" => command.log.container = value(),
            "-p" | "--previous" => command.log.previous = inline.as_deref() != Some("false"),
            "-o" | "--output" | "--tail" | "--since" | "-l" | "--selector" | "--context"
            | "--kubeconfig" | "--since-time" | "--limit-bytes" | "--field-selector" => {
                value();
            }
            f if f.starts_with('-') => {}
            _ => positional.push(w.to_string()),
        }
        i += 1;
    }
    command.verb = positional.first().cloned().unwrap_or_default();
    if command.verb == "logs" {
        if let Some(pod) = positional.get(1) {
            match pod.split_once('/') {
                Some((k, n)) if Kind::parse(k) == Some(Kind::Pod) => {
                    command.log.pod = Some(n.to_string())
                }
                Some(_) => {}
                None => command.log.pod = Some(pod.clone()),
            }
        }
        // `kubectl logs POD CONTAINER`, the older spelling.
        if command.log.container.is_none() {
            command.log.container = positional.get(2).cloned();
        }
    } else if let Some(what) = positional.get(1) {
        command.kind = what.split([',', '/']).next().and_then(Kind::parse);
    }
    command.log.namespace = command.namespace.clone();
    command
}

/// Where a section ends: a new command, or (after a blank line) a new describe block,
/// table, or document.
fn starts_section(lines: &[Line], i: usize) -> bool {
    let line = &lines[i];
    if clean::command(&line.text).is_some() {
        return true;
    }
    let after_blank = i > 0 && lines[i - 1].is_blank();
    after_blank && line.indent() == 0 && starts_block(lines, i)
}

/// A describe block, table or document starts at line `i`.
fn starts_block(lines: &[Line], i: usize) -> bool {
    let text = &lines[i].text;
    is_describe_start(lines, i)
        || columns::is_header(text)
        || text.starts_with('{')
        || text.starts_with("apiVersion:")
        || text.starts_with("kind:")
}

fn is_describe_start(lines: &[Line], i: usize) -> bool {
    lines[i].text.starts_with("Name:")
        && lines
            .get(i + 1)
            .is_some_and(|next| tree::key_value(next.text.trim()).is_some() && next.indent() == 0)
}

/// Reads pasted files (`-` is stdin) into one snapshot taken now.
pub fn read_files(paths: &[std::path::PathBuf]) -> Result<Snapshot> {
    let mut texts = Vec::with_capacity(paths.len());
    for path in paths {
        let (name, bytes) = if path.as_os_str() == "-" {
            let mut bytes = Vec::new();
            std::io::Read::read_to_end(&mut std::io::stdin().lock(), &mut bytes)
                .map_err(|e| Error::io("stdin", e))?;
            ("stdin".to_string(), bytes)
        } else {
            let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
            (path.display().to_string(), bytes)
        };
        texts.push((name, String::from_utf8_lossy(&bytes).into_owned()));
    }
    let pastes: Vec<Paste<'_>> = texts
        .iter()
        .map(|(name, text)| Paste { name, text })
        .collect();
    read(&pastes, Timestamp::now())
}

/// Reads every paste into one snapshot taken at `anchor`. A paste with nothing kubectl
/// prints is an error naming it; lines that did not read are named in the warnings.
pub fn read(pastes: &[Paste<'_>], anchor: Timestamp) -> Result<Snapshot> {
    let mut found = Found::default();
    for paste in pastes {
        read_one(paste, anchor, &mut found)?;
    }
    Ok(assemble(found, anchor))
}

fn read_one(paste: &Paste<'_>, anchor: Timestamp, found: &mut Found) -> Result<()> {
    let lines = clean::lines(paste.text);
    let mut command = Command::default();
    let mut understood = 0usize;
    let mut loose: Vec<&Line> = Vec::new();
    let mut skipped: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        let line = &lines[i];
        if line.is_blank() {
            i += 1;
            continue;
        }
        if let Some(words) = clean::command(&line.text) {
            command = parse_command(&words);
            i += 1;
            if command.verb == "logs" {
                let end = section_end(&lines, i);
                let text = join(&lines[i..end]);
                found
                    .logs
                    .push((command.log.clone(), text, paste.name.to_string()));
                understood += 1;
                i = end;
            }
            continue;
        }
        let default_ns = command.namespace.clone().unwrap_or_default();
        if line.indent() == 0 && is_describe_start(&lines, i) {
            let end = section_end(&lines, i + 1);
            match describe::read(&lines[i..end], &default_ns, anchor) {
                Ok(d) => {
                    found
                        .objects
                        .push((d.kind, d.object, paste.name.to_string()));
                    for (kind, object) in d.implied {
                        found.objects.push((kind, object, paste.name.to_string()));
                    }
                    for e in d.events {
                        events::merge(&mut found.events, e);
                    }
                    found.inferred.extend(d.inferred);
                    found.owned += usize::from(d.owned);
                    understood += 1;
                }
                Err(why) => {
                    found
                        .notes
                        .push(format!("{}:{}: {why}", paste.name, line.no));
                }
            }
            i = end;
            continue;
        }
        if line.indent() == 0 && (line.text.starts_with('{') || line.text.starts_with('[')) {
            let end = json_end(&lines, i);
            understood += document(paste, &lines[i..end], false, found);
            i = end;
            continue;
        }
        if line.indent() == 0
            && (line.text.starts_with("apiVersion:") || line.text.starts_with("kind:"))
        {
            let end = section_end(&lines, i + 1);
            understood += document(paste, &lines[i..end], true, found);
            i = end;
            continue;
        }
        if line.indent() == 0 && columns::is_header(&line.text) {
            let mut end = i + 1;
            while end < lines.len()
                && !lines[end].is_blank()
                && clean::command(&lines[end].text).is_none()
            {
                end += 1;
            }
            let columns = Columns::parse(&line.text);
            let rows: Vec<(usize, String)> = lines[i + 1..end]
                .iter()
                .map(|l| (l.no, l.text.clone()))
                .collect();
            match read_table(&columns, &rows, &command, &default_ns, anchor, found) {
                Some(bad) => {
                    understood += 1;
                    skipped.extend(bad);
                }
                None => skipped.extend(lines[i..end].iter().map(|l| l.no)),
            }
            i = end;
            continue;
        }
        if line.text.starts_with("No resources found") {
            understood += 1;
            i += 1;
            continue;
        }
        loose.push(line);
        i += 1;
    }
    if understood == 0 {
        return Err(Error::NothingPasted {
            name: paste.name.to_string(),
            understood: UNDERSTOOD.into(),
        });
    }
    if !loose.is_empty() {
        // Text around the output (a question, a headerless log) goes to the only pod
        // described when it reads like a log; otherwise it is named as skipped.
        let text = loose
            .iter()
            .map(|l| l.text.as_str())
            .collect::<Vec<_>>()
            .join("\n");
        if looks_like_log(&loose) {
            found
                .logs
                .push((LogHeader::default(), text + "\n", paste.name.to_string()));
        } else {
            skipped.extend(loose.iter().map(|l| l.no));
        }
    }
    if !skipped.is_empty() {
        skipped.sort_unstable();
        found.notes.push(format!(
            "{}: skipped lines that are not kubectl output: {}",
            paste.name,
            ranges(&skipped)
        ));
    }
    Ok(())
}

/// Log lines: most carry a timestamp, a level or a stack frame.
fn looks_like_log(lines: &[&Line]) -> bool {
    let marked = lines
        .iter()
        .filter(|l| {
            let t = l.text.trim_start();
            t.as_bytes().first().is_some_and(u8::is_ascii_digit)
                || crate::model::log_line::is_error_line(
                    t,
                    crate::model::log_line::Strictness::Stated,
                )
                || ["at ", "File \"", "Traceback", "{\""]
                    .iter()
                    .any(|m| t.starts_with(m))
                || t.contains("level=")
                || t.split(|c: char| !c.is_ascii_alphabetic())
                    .any(|w| matches!(w, "INFO" | "WARN" | "WARNING" | "DEBUG" | "ERROR" | "FATAL"))
        })
        .count();
    marked * 2 >= lines.len() && !lines.is_empty()
}

/// `3-5, 9, 12-14`.
fn ranges(lines: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut start = lines[0];
    let mut prev = lines[0];
    for &n in &lines[1..] {
        if n == prev + 1 || n == prev {
            prev = n;
            continue;
        }
        out.push(range(start, prev));
        start = n;
        prev = n;
    }
    out.push(range(start, prev));
    let shown = out.len().min(12);
    let more = out.len() - shown;
    let mut text = out[..shown].join(", ");
    if more > 0 {
        text.push_str(&format!(" and {more} more"));
    }
    text
}

fn range(a: usize, b: usize) -> String {
    if a == b {
        a.to_string()
    } else {
        format!("{a}-{b}")
    }
}

fn section_end(lines: &[Line], from: usize) -> usize {
    let mut end = from;
    while end < lines.len() && !starts_section(lines, end) {
        end += 1;
    }
    end
}

/// The line after a JSON document's closing bracket (brackets counted outside strings).
fn json_end(lines: &[Line], from: usize) -> usize {
    let mut depth: i64 = 0;
    let mut in_string = false;
    let mut escaped = false;
    for (i, line) in lines.iter().enumerate().skip(from) {
        for b in line.text.bytes() {
            match (in_string, escaped, b) {
                (true, true, _) => escaped = false,
                (true, false, b'\\') => escaped = true,
                (true, false, b'"') => in_string = false,
                (false, _, b'"') => in_string = true,
                (false, _, b'{' | b'[') => depth += 1,
                (false, _, b'}' | b']') => depth -= 1,
                _ => {}
            }
        }
        if depth <= 0 {
            return i + 1;
        }
    }
    lines.len()
}

fn join(lines: &[Line]) -> String {
    let mut text = String::new();
    for line in lines {
        text.push_str(&line.text);
        text.push('\n');
    }
    while text.ends_with("\n\n") {
        text.pop();
    }
    if text.trim().is_empty() {
        text.clear();
    }
    text
}

/// `-o json` / `-o yaml` through the bundle reader's document parser; 1 when it read.
fn document(paste: &Paste<'_>, lines: &[Line], yaml: bool, found: &mut Found) -> usize {
    let text = join(lines);
    let path = Path::new(paste.name);
    let mut objects = Objects::default();
    let parsed = if yaml {
        super::document::parse_yaml(path, &text, &mut objects)
    } else {
        super::document::parse_json(path, &text, &mut objects)
    };
    match parsed {
        Ok(p) if p.is_kubernetes => {
            for info in crate::model::KINDS {
                for value in objects.to_json(info.kind) {
                    found
                        .objects
                        .push((info.kind, value, paste.name.to_string()));
                }
            }
            1
        }
        Ok(_) => 0,
        Err(e) => {
            let first = lines.first().map_or(0, |l| l.no);
            found.notes.push(format!(
                "{}:{first}: a {} document that did not read ({e})",
                paste.name,
                if yaml { "YAML" } else { "JSON" }
            ));
            0
        }
    }
}

/// A table's rows into events or objects. `None` when the table is of no kind k8sops
/// reads; else the line numbers of rows that did not read.
fn read_table(
    columns: &Columns,
    rows: &[(usize, String)],
    command: &Command,
    namespace: &str,
    anchor: Timestamp,
    found: &mut Found,
) -> Option<Vec<usize>> {
    if events::is_events_header(columns) {
        let (rows, bad) = events::from_table(columns, rows, namespace, anchor);
        for e in rows {
            events::merge(&mut found.events, e);
        }
        return Some(bad);
    }
    let kind = table::kind_of(columns).or(command.kind).or_else(|| {
        // `kubectl get all` names rows `kind/name`.
        let first = rows.first()?;
        let name = columns
            .cells(&first.1)
            .into_iter()
            .find(|c| c.contains('/'))?;
        Kind::parse(name.split('/').next()?)
    })?;
    let mut bad = Vec::new();
    for (no, row) in rows {
        match table::object(kind, columns, row, namespace, anchor) {
            Some((kind, object)) => found.objects.push((kind, object, String::new())),
            None => bad.push(*no),
        }
    }
    Some(bad)
}

fn key(kind: Kind, value: &Value) -> (Kind, String, String) {
    let meta = &value["metadata"];
    (
        kind,
        meta["namespace"].as_str().unwrap_or_default().to_string(),
        meta["name"].as_str().unwrap_or_default().to_string(),
    )
}

/// Builds the snapshot: objects (a described object wins over its `get` row), events,
/// logs resolved to a pod and container, and the notes.
fn assemble(mut found: Found, anchor: Timestamp) -> Snapshot {
    // Namespaces the paste names, to place sections printed without one.
    let named: BTreeSet<String> = found
        .objects
        .iter()
        .filter_map(|(_, v, _)| v["metadata"]["namespace"].as_str())
        .chain(found.events.iter().map(|e| e.namespace.as_str()))
        .chain(
            found
                .logs
                .iter()
                .filter_map(|(h, _, _)| h.namespace.as_deref()),
        )
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .collect();
    let fallback = match named.iter().next() {
        Some(only) if named.len() == 1 => only.clone(),
        _ => "default".to_string(),
    };
    let mut warnings = Vec::new();
    let mut unplaced = false;
    let owners = found.owned;
    let place = |ns: &mut String, unplaced: &mut bool| {
        if ns.is_empty() {
            ns.clone_from(&fallback);
            *unplaced = true;
        }
    };
    infer_waiting_messages(&mut found);
    // Rich objects first so a `get` row of the same object is dropped.
    found
        .objects
        .sort_by_key(|(_, _, source)| source.is_empty());
    let mut seen = BTreeSet::new();
    let mut objects = Objects::default();
    let mut pods: BTreeMap<(String, String), Vec<(String, bool)>> = BTreeMap::new();
    for (kind, mut value, _) in found.objects.drain(..) {
        if kind.info().namespaced {
            let mut ns = value["metadata"]["namespace"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            place(&mut ns, &mut unplaced);
            value["metadata"]["namespace"] = ns.into();
        }
        let id = key(kind, &value);
        if !seen.insert(id.clone()) {
            continue;
        }
        if kind == Kind::Pod {
            let containers = value["status"]["containerStatuses"]
                .as_array()
                .map(|cs| {
                    cs.iter()
                        .map(|c| {
                            (
                                c["name"].as_str().unwrap_or_default().to_string(),
                                c["lastState"]["terminated"].is_object(),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            pods.insert((id.1.clone(), id.2.clone()), containers);
        }
        if let Err(e) = objects.insert_json(kind, value) {
            warnings.push(format!(
                "paste: {} {}/{} did not read: {e}",
                kind.info().name,
                id.1,
                id.2
            ));
        }
    }
    for (seq, mut event) in found.events.into_iter().enumerate() {
        place(&mut event.namespace, &mut unplaced);
        if let Err(e) = objects.insert_json(Kind::Event, event.to_json(seq)) {
            warnings.push(format!(
                "paste: an event about {} did not read: {e}",
                event.object
            ));
        }
    }
    let mut logs = BTreeMap::new();
    for (header, text, source) in found.logs {
        if text.is_empty() {
            continue;
        }
        match resolve_log(&header, &pods, &fallback) {
            Ok((key, inferred)) => {
                if let Some(why) = inferred {
                    found.inferred.push(why);
                }
                logs.insert(key, text);
            }
            Err(why) => found.notes.push(format!("{source}: {why}")),
        }
    }
    if unplaced {
        found.inferred.push(format!(
            "namespace {fallback} for output printed without one"
        ));
    }
    let mut meta = SnapshotMeta::new(anchor);
    meta.context = Some("paste".into());
    let counts: Vec<String> = crate::model::KINDS
        .iter()
        .filter(|k| objects.count(k.kind) > 0)
        .map(|k| format!("{} {}", objects.count(k.kind), k.plural))
        .chain((!logs.is_empty()).then(|| format!("{} logs", logs.len())))
        .collect();
    warnings.insert(
        0,
        format!(
            "paste: read {}; ages are taken relative to {} and uids, full statuses and whatever describe does not print are unknown",
            if counts.is_empty() { "nothing".into() } else { counts.join(", ") },
            rfc(anchor)
        ),
    );
    if owners > 0 {
        found.inferred.push(format!(
            "the owners of {owners} objects from their `Controlled By:` lines (owner uids are unknown)"
        ));
    }
    if !found.inferred.is_empty() {
        found.inferred.dedup();
        warnings.insert(1, format!("paste: inferred {}", found.inferred.join("; ")));
    }
    warnings.extend(found.notes.into_iter().map(|n| format!("paste: {n}")));
    Snapshot::new(meta, objects, logs, warnings)
}

/// describe prints a waiting container's reason but not its message; the kubelet reports
/// the same text in a `Failed` event (`Error: configmap "web-config" not found`). With one
/// waiting container in the pod, the newest such event gives it back.
fn infer_waiting_messages(found: &mut Found) {
    for (_, pod, _) in found.objects.iter_mut().filter(|(k, _, _)| *k == Kind::Pod) {
        let ns = pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let name = pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        let Some(statuses) = pod["status"]["containerStatuses"].as_array_mut() else {
            continue;
        };
        let mut waiting: Vec<&mut Value> = statuses
            .iter_mut()
            .filter(|c| {
                c["state"]["waiting"].is_object() && c["state"]["waiting"]["message"].is_null()
            })
            .collect();
        let [only] = waiting.as_mut_slice() else {
            continue;
        };
        let Some(event) = found
            .events
            .iter()
            .filter(|e| {
                e.kind == "Pod"
                    && e.object == name
                    && (e.namespace == ns || e.namespace.is_empty())
                    && e.type_ == "Warning"
                    && e.reason == "Failed"
                    && e.message.starts_with("Error: ")
            })
            .max_by_key(|e| e.last)
        else {
            continue;
        };
        let message = event.message.trim_start_matches("Error: ").to_string();
        if message
            == only["state"]["waiting"]["reason"]
                .as_str()
                .unwrap_or_default()
        {
            continue;
        }
        only["state"]["waiting"]["message"] = message.into();
        found.inferred.push(format!(
            "the waiting message of pod {name}'s container from its kubelet Failed event"
        ));
    }
}

fn rfc(t: Timestamp) -> String {
    age::rfc3339(t)
}

/// The pod and container a log belongs to: as its `kubectl logs` line names them, else the
/// only pod described (and its first container, kubectl's default).
fn resolve_log(
    header: &LogHeader,
    pods: &BTreeMap<(String, String), Vec<(String, bool)>>,
    fallback: &str,
) -> std::result::Result<(LogKey, Option<String>), String> {
    let mut inferred = None;
    let (namespace, pod) = match &header.pod {
        Some(pod) => {
            let ns = header.namespace.clone().or_else(|| {
                pods.keys()
                    .find(|(_, p)| p == pod)
                    .map(|(ns, _)| ns.clone())
            });
            (ns.unwrap_or_else(|| fallback.to_string()), pod.clone())
        }
        None => match pods.keys().collect::<Vec<_>>().as_slice() {
            [(ns, pod)] => {
                inferred = Some(format!(
                    "that the log without a `kubectl logs` line is pod {pod}'s (the only pod in the paste)"
                ));
                (ns.clone(), pod.clone())
            }
            _ => {
                return Err(
                    "a log that names no pod (paste it after its `$ kubectl logs POD -c CONTAINER` line)"
                        .into(),
                );
            }
        },
    };
    let containers = pods.get(&(namespace.clone(), pod.clone()));
    let container = match (&header.container, containers.and_then(|c| c.first())) {
        (Some(c), _) => c.clone(),
        (None, Some((first, _))) => first.clone(),
        (None, None) => {
            return Err(format!(
                "the log of pod {pod} names no container and the pod is not described (add -c CONTAINER to its `kubectl logs` line)"
            ));
        }
    };
    // A headerless log of a container that restarted is most likely the crashed one's.
    let previous = if header.pod.is_some() {
        header.previous
    } else {
        containers
            .and_then(|cs| cs.iter().find(|(c, _)| *c == container))
            .is_some_and(|(_, restarted)| *restarted)
    };
    Ok((
        LogKey {
            namespace,
            pod,
            container,
            previous,
        },
        inferred,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-20T10:00:00Z".parse().expect("time")
    }

    fn read_text(text: &str) -> Snapshot {
        read(
            &[Paste {
                name: "p.txt",
                text,
            }],
            now(),
        )
        .expect("reads")
    }

    const POD: &str = "Name:         web-1\nNamespace:    shop\nNode:         worker-1/10.0.1.11\nStart Time:   Fri, 20 Nov 2026 09:00:00 +0000\nStatus:       Running\nIP:           10.244.1.2\nControlled By:  ReplicaSet/web-7d9f\nContainers:\n  app:\n    Image:          ghcr.io/acme/web:1.2\n    State:          Waiting\n      Reason:       CrashLoopBackOff\n    Last State:     Terminated\n      Reason:       Error\n      Message:      panic: config file /etc/web/app.yaml: no such file or directory\ngoroutine 1 [running]:\n      Exit Code:    2\n    Ready:          False\n    Restart Count:  4\nEvents:\n  Type     Reason   Age                From     Message\n  ----     ------   ----               ----     -------\n  Warning  BackOff  2m (x9 over 10m)   kubelet  Back-off restarting failed container app in pod\nweb-1_shop(0f1e)\n";

    #[test]
    fn wrapped_messages_join_their_line() {
        let s = read_text(POD);
        let pod = &s.objects.pods[0];
        let status = &pod
            .status
            .as_ref()
            .expect("status")
            .container_statuses
            .as_ref()
            .expect("statuses")[0];
        let last = status
            .last_state
            .as_ref()
            .and_then(|l| l.terminated.as_ref())
            .expect("terminated");
        assert_eq!(last.exit_code, 2);
        assert!(
            last.message
                .as_deref()
                .is_some_and(|m| m.ends_with("\ngoroutine 1 [running]:"))
        );
        let event = &s.objects.events[0];
        assert_eq!(event.count, Some(9));
        assert!(
            event
                .message
                .as_deref()
                .is_some_and(|m| m.ends_with("in pod\nweb-1_shop(0f1e)"))
        );
        let owner = &pod.metadata.owner_references.as_ref().expect("owner")[0];
        assert_eq!(
            (owner.kind.as_str(), owner.name.as_str(), owner.uid.as_str()),
            ("ReplicaSet", "web-7d9f", "")
        );
    }

    #[test]
    fn a_headed_log_goes_to_its_container_and_prose_is_named_as_skipped() {
        let text = format!(
            "can someone look at this?\n\n{POD}\n$ kubectl logs web-1 -n shop -c app -p\npanic: boom\n"
        );
        let s = read_text(&text);
        assert_eq!(s.log("shop", "web-1", "app", true), Some("panic: boom\n"));
        assert!(
            s.warnings
                .iter()
                .any(|w| w.ends_with("p.txt: skipped lines that are not kubectl output: 1")),
            "{:?}",
            s.warnings
        );
    }

    #[test]
    fn get_tables_with_and_without_namespace_and_nothing_else_is_an_error() {
        let text = "$ kubectl get pods -n shop -o wide\nNAME    READY   STATUS             RESTARTS      AGE   IP           NODE       NOMINATED NODE   READINESS GATES\nweb-1   0/1     CrashLoopBackOff   4 (2m ago)    1h    10.244.1.2   worker-1   <none>           <none>\n\n$ kubectl get nodes\nNAME       STATUS     ROLES    AGE   VERSION\nworker-1   NotReady   <none>   40d   v1.31.2\n";
        let s = read_text(text);
        assert_eq!(
            s.objects.pods[0].metadata.namespace.as_deref(),
            Some("shop")
        );
        let node = &s.objects.nodes[0];
        let ready = &node
            .status
            .as_ref()
            .and_then(|st| st.conditions.as_ref())
            .expect("conditions")[0];
        assert_eq!(
            (ready.type_.as_str(), ready.status.as_str()),
            ("Ready", "False")
        );
        let err = read(
            &[Paste {
                name: "notes.md",
                text: "nothing to see\n",
            }],
            now(),
        )
        .expect_err("no kubectl output");
        assert_eq!(err.to_string(), "found nothing kubectl prints in notes.md");
        assert!(err.hint().contains("kubectl get events"));
    }

    #[test]
    fn skipped_lines_are_given_as_ranges() {
        assert_eq!(ranges(&[1, 2, 3, 7, 9, 10]), "1-3, 7, 9-10");
    }
}
