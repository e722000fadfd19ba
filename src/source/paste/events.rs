//! Events as pasted: the `Events:` table of a described object (`Type Reason Age From
//! Message`, ages like `17d (x38 over 17d)`), and `kubectl get events` in its default
//! (`LAST SEEN TYPE REASON OBJECT MESSAGE`) and wide layouts, with or without `NAMESPACE`.

use jiff::Timestamp;
use serde_json::{Value, json};

use super::age::{self, rfc3339};
use super::columns::Columns;
use crate::model::Kind;

/// One event, as much of it as the paste shows.
#[derive(Debug, Clone, PartialEq)]
pub struct EventRow {
    pub namespace: String,
    pub kind: String,
    pub object: String,
    pub field_path: Option<String>,
    pub type_: String,
    pub reason: String,
    pub message: String,
    pub component: Option<String>,
    pub host: Option<String>,
    pub count: i32,
    pub first: Option<Timestamp>,
    pub last: Option<Timestamp>,
    /// The event's own name, which only the wide layout prints.
    pub name: Option<String>,
}

impl EventRow {
    /// Same object, reason and message: one event seen twice (in a describe and in
    /// `get events`).
    fn same(&self, other: &EventRow) -> bool {
        self.namespace == other.namespace
            && self.kind.eq_ignore_ascii_case(&other.kind)
            && self.object == other.object
            && self.reason == other.reason
            && self.message == other.message
    }

    pub fn to_json(&self, seq: usize) -> Value {
        let name = self
            .name
            .clone()
            .unwrap_or_else(|| format!("{}.paste-{seq}", self.object));
        let api_version = Kind::from_kind_field(&self.kind)
            .map(|k| k.info().api_version())
            .unwrap_or_else(|| "v1".into());
        let mut involved =
            json!({"kind": self.kind, "name": self.object, "apiVersion": api_version});
        if Kind::from_kind_field(&self.kind).is_none_or(|k| k.info().namespaced) {
            involved["namespace"] = self.namespace.clone().into();
        }
        if let Some(path) = &self.field_path {
            involved["fieldPath"] = path.clone().into();
        }
        let mut event = json!({
            "metadata": {"name": name, "namespace": self.namespace},
            "involvedObject": involved,
            "type": self.type_,
            "reason": self.reason,
            "message": self.message,
            "count": self.count,
        });
        if let Some(first) = self.first {
            event["firstTimestamp"] = rfc3339(first).into();
        }
        if let Some(last) = self.last {
            event["lastTimestamp"] = rfc3339(last).into();
        }
        let mut source = serde_json::Map::new();
        if let Some(c) = &self.component {
            source.insert("component".into(), c.clone().into());
        }
        if let Some(h) = &self.host {
            source.insert("host".into(), h.clone().into());
        }
        if !source.is_empty() {
            event["source"] = source.into();
        }
        event
    }
}

/// Adds `row` unless the same event is already there; the fuller copy wins.
pub fn merge(into: &mut Vec<EventRow>, row: EventRow) {
    match into.iter_mut().find(|e| e.same(&row)) {
        Some(existing) => {
            existing.count = existing.count.max(row.count);
            existing.first = existing.first.or(row.first);
            existing.last = existing.last.max(row.last);
            existing.name = existing.name.take().or(row.name);
            existing.field_path = existing.field_path.take().or(row.field_path);
            existing.host = existing.host.take().or(row.host);
            existing.component = existing.component.take().or(row.component);
        }
        None => into.push(row),
    }
}

/// `kubelet` or, before 1.25 and for events without a reporting controller,
/// `kubelet, worker-1`.
fn source(cell: &str) -> (Option<String>, Option<String>) {
    let cell = cell.trim();
    if cell.is_empty() {
        return (None, None);
    }
    match cell.split_once(", ") {
        Some((c, h)) => (Some(c.to_string()), Some(h.to_string())),
        None => (Some(cell.to_string()), None),
    }
}

fn is_type(word: &str) -> bool {
    matches!(word, "Normal" | "Warning")
}

/// The rows of a describe `Events:` block (after its header and dashes) about `object`.
/// Tokens are read from the left (type, reason, age with its `(xN over M)`, source), so
/// rows a chat client re-spaced still read.
pub fn from_describe(
    rows: &[String],
    kind: &str,
    namespace: &str,
    object: &str,
    anchor: Timestamp,
) -> Vec<EventRow> {
    let mut out: Vec<EventRow> = Vec::new();
    for row in rows {
        let words: Vec<&str> = row.split_whitespace().collect();
        if words
            .first()
            .is_some_and(|w| *w == "Type" || w.starts_with("----"))
        {
            continue;
        }
        if words.len() < 4 || !is_type(words[0]) {
            // The rest of the previous event's message, printed on its own lines.
            if let Some(last) = out.last_mut() {
                last.message.push('\n');
                last.message.push_str(row.trim());
            }
            continue;
        }
        let mut i = 2;
        let last = age::parse(words[i]).map(|a| age::resolve(a, anchor));
        i += 1;
        let mut count = 1;
        let mut first = last;
        if words.get(i).is_some_and(|w| w.starts_with("(x")) {
            count = words[i].trim_start_matches("(x").parse().unwrap_or(1);
            if words.get(i + 1) == Some(&"over") {
                first = words
                    .get(i + 2)
                    .and_then(|w| age::parse(w.trim_end_matches(')')))
                    .map(|a| age::resolve(a, anchor));
                i += 3;
            } else {
                i += 1;
            }
        }
        let Some(from) = words.get(i) else {
            continue;
        };
        let (component, host) = match from.strip_suffix(',') {
            Some(c) => {
                i += 1;
                (Some(c.to_string()), words.get(i).map(|h| h.to_string()))
            }
            None => (Some(from.to_string()), None),
        };
        i += 1;
        let message = rest_after_words(row, i);
        out.push(EventRow {
            namespace: namespace.to_string(),
            kind: kind.to_string(),
            object: object.to_string(),
            field_path: None,
            type_: words[0].to_string(),
            reason: words[1].to_string(),
            message,
            component,
            host,
            count,
            first,
            last,
            name: None,
        });
    }
    out
}

/// The text of `line` after its first `n` whitespace-separated words, spacing kept.
fn rest_after_words(line: &str, n: usize) -> String {
    let mut rest = line.trim_start();
    for _ in 0..n {
        let end = rest.find(char::is_whitespace).unwrap_or(rest.len());
        rest = rest[end..].trim_start();
    }
    rest.trim_end().to_string()
}

/// Whether a header is `kubectl get events`': the default and wide layouts (`OBJECT`), or
/// the layout before 1.14 (`… COUNT NAME KIND SUBOBJECT TYPE REASON SOURCE MESSAGE`).
pub fn is_events_header(columns: &Columns) -> bool {
    let has = |c: &&str| columns.index(c).is_some();
    ["LAST SEEN", "TYPE", "REASON", "MESSAGE"].iter().all(has)
        && (has(&"OBJECT") || ["KIND", "NAME"].iter().all(has))
}

/// The rows of a `kubectl get events` table; `namespace` when the table has no
/// `NAMESPACE` column. Returns the events and the rows that did not read.
pub fn from_table(
    columns: &Columns,
    rows: &[(usize, String)],
    namespace: &str,
    anchor: Timestamp,
) -> (Vec<EventRow>, Vec<usize>) {
    let at = |name: &str| columns.index(name);
    let mut out: Vec<EventRow> = Vec::new();
    let mut skipped = Vec::new();
    for (no, row) in rows {
        let cells = columns.cells(row);
        let cell = |name: &str| at(name).and_then(|i| cells.get(i)).map(String::as_str);
        // Before 1.14 the object was two columns and NAME was its name.
        let old_layout = at("OBJECT").is_none();
        let object = match old_layout {
            true => cell("KIND")
                .zip(cell("NAME"))
                .map(|(k, n)| format!("{}/{n}", k.to_ascii_lowercase())),
            false => cell("OBJECT").map(str::to_string),
        };
        let (Some(type_), Some(reason), Some(object)) = (cell("TYPE"), cell("REASON"), object)
        else {
            skipped.push(*no);
            continue;
        };
        if !is_type(type_) {
            // A message that went on over several lines.
            match out.last_mut() {
                Some(last) => {
                    last.message.push('\n');
                    last.message.push_str(row.trim());
                }
                None => skipped.push(*no),
            }
            continue;
        }
        let Some((kind, name)) = object.split_once('/') else {
            skipped.push(*no);
            continue;
        };
        let kind = Kind::parse(kind)
            .map(|k| k.info().name.to_string())
            .unwrap_or_else(|| capitalize(kind));
        let (component, host) = source(cell("SOURCE").unwrap_or_default());
        let last = cell("LAST SEEN")
            .and_then(age::parse)
            .map(|a| age::resolve(a, anchor));
        let first = cell("FIRST SEEN")
            .and_then(age::parse)
            .map(|a| age::resolve(a, anchor))
            .or(last);
        out.push(EventRow {
            namespace: cell("NAMESPACE").unwrap_or(namespace).to_string(),
            kind,
            object: name.to_string(),
            field_path: cell("SUBOBJECT")
                .filter(|s| !s.is_empty())
                .map(str::to_string),
            type_: type_.to_string(),
            reason: reason.to_string(),
            message: cell("MESSAGE").unwrap_or_default().to_string(),
            component,
            host,
            count: cell("COUNT").and_then(|c| c.parse().ok()).unwrap_or(1),
            first,
            last,
            name: cell("NAME")
                .filter(|s| !s.is_empty() && !old_layout)
                .map(str::to_string),
        });
    }
    (out, skipped)
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn now() -> Timestamp {
        "2026-11-20T10:00:00Z".parse().unwrap()
    }

    #[test]
    fn describe_rows_read_counts_sources_and_wrapped_messages() {
        let rows: Vec<String> = [
            "Type     Reason   Age                From               Message",
            "----     ------   ----               ----               -------",
            "Warning  BackOff  2m (x38 over 1h)   kubelet, worker-1  Back-off restarting failed container",
            "Normal   Pulled   5m                 kubelet            Container image \"x\" already present",
            "on machine",
        ]
        .map(String::from)
        .to_vec();
        let events = from_describe(&rows, "Pod", "shop", "web-1", now());
        assert_eq!(events.len(), 2);
        assert_eq!(events[0].count, 38);
        assert_eq!(events[0].host.as_deref(), Some("worker-1"));
        assert_eq!(events[0].message, "Back-off restarting failed container");
        assert_eq!(rfc3339(events[0].first.unwrap()), "2026-11-20T09:00:00Z");
        assert!(events[1].message.ends_with("present\non machine"));
    }

    #[test]
    fn get_events_before_1_14_names_the_object_in_two_columns() {
        let header = "LAST SEEN   FIRST SEEN   COUNT   NAME          KIND   SUBOBJECT                TYPE      REASON    SOURCE              MESSAGE";
        let row = "2m          1h           38      web-1         Pod    spec.containers{app}     Warning   BackOff   kubelet, worker-1   Back-off restarting failed container";
        let columns = Columns::parse(header);
        assert!(is_events_header(&columns));
        let (events, _) = from_table(&columns, &[(2, row.to_string())], "shop", now());
        let e = &events[0];
        assert_eq!(
            (
                e.kind.as_str(),
                e.object.as_str(),
                e.count,
                e.name.as_deref()
            ),
            ("Pod", "web-1", 38, None)
        );
        assert_eq!(e.host.as_deref(), Some("worker-1"));
    }

    #[test]
    fn get_events_wide_reads_every_column() {
        let header = "NAMESPACE   LAST SEEN   TYPE      REASON    OBJECT      SUBOBJECT                SOURCE    MESSAGE                 FIRST SEEN   COUNT   NAME";
        let row = "shop        2m          Warning   BackOff   pod/web-1   spec.containers{app}     kubelet   Back-off restarting     1h           38      web-1.18e9";
        let columns = Columns::parse(header);
        assert!(is_events_header(&columns));
        let (events, skipped) = from_table(&columns, &[(2, row.to_string())], "default", now());
        assert!(skipped.is_empty());
        let e = &events[0];
        assert_eq!(
            (e.kind.as_str(), e.object.as_str(), e.count),
            ("Pod", "web-1", 38)
        );
        assert_eq!(e.field_path.as_deref(), Some("spec.containers{app}"));
        assert_eq!(e.name.as_deref(), Some("web-1.18e9"));
    }
}
