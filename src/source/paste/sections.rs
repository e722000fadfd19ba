//! A paste cut into sections by shape — a `$ kubectl …` line, a describe block (`Name:`
//! then more keys at column 0), a table header, a JSON or YAML document, a log after its
//! `kubectl logs` line — each handed to its reader; what fits none is named as skipped.

use std::path::Path;

use jiff::Timestamp;

use super::clean::{self, Line};
use super::columns::{self, Columns};
use super::{Found, LogHeader, Paste, UNDERSTOOD, describe, events, table, tree};
use crate::error::{Error, Result};
use crate::model::{Kind, Objects};

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

pub(super) fn read_one(paste: &Paste<'_>, anchor: Timestamp, found: &mut Found) -> Result<()> {
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
pub(super) fn ranges(lines: &[usize]) -> String {
    let mut out: Vec<String> = Vec::new();
    let Some((&first, rest)) = lines.split_first() else {
        return String::new();
    };
    let mut start = first;
    let mut prev = first;
    for &n in rest {
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
        crate::source::document::parse_yaml(path, &text, &mut objects)
    } else {
        crate::source::document::parse_json(path, &text, &mut objects)
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
