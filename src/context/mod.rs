//! The LLM context for one diagnosis: the evidence an SRE would read, selected by
//! relevance, compressed, sanitized and fitted into a token budget, each fact said once.
//! Pure: no I/O.
//!
//! - `header.rs` says the subject, the capture time and the rules engine's conclusions; a
//!   log line a conclusion quotes is pointed to in the evidence that holds it.
//! - `select.rs` lists candidates with a priority: the rules engine's evidence first, then
//!   failing containers' states, the workload's status and what changed, warning events
//!   and the error regions of current and previous logs, the container specs with the
//!   objects they use (do the ConfigMaps, Secrets, PVCs exist, with which keys; which
//!   Services select the pod), and normal events last.
//! - `describe.rs` and `status.rs` render pods, workloads and conditions tersely: defaults,
//!   a controller's fixed wording and what the rules engine's evidence states are left out.
//! - `logs.rs` compresses logs: repeats and templated variants collapse into one line with
//!   a count (a Drain-style template miner), the first error and full stack traces stay.
//! - `tokens.rs` counts tokens with the model family's BPE (tiktoken) or an estimate.
//!
//! [`build`] sanitizes every item (fail closed: an error means no context, so nothing is
//! sent), skips items that repeat one already kept (sibling pods, a current log equal to
//! the previous one) and lines the rules engine's evidence holds, then keeps items in
//! priority order while they fit the budget; a log that does not fit is re-compressed with
//! less detail before it is dropped. A pod's state goes on under the rules engine's status
//! of that pod. Each kept item gets an id: the rules engine's evidence keeps its `ev-N`,
//! new items continue the numbering, so a hypothesis can cite either and the ids resolve in
//! the diagnosis's `evidence` list. Titles name objects in the subject's namespace without
//! it.
//!
//! [`compress_log`] is the log compressor on its own (CI logs use it too).

mod describe;
mod header;
mod logs;
mod select;
mod status;
mod tokens;

use std::fmt::Write as _;

pub use logs::{Compressed, compress as compress_log};
pub use tokens::TokenCounter;

use crate::analyze::{Evidence, EvidenceSource, Strength};
use crate::model::{ObjectRef, Snapshot};
use crate::rca::Diagnosis;
use crate::sanitize::{Report, SanitizeError, Sanitizer};

/// The budget applies to the evidence; the fixed instructions come on top.
pub const DEFAULT_BUDGET: usize = 6000;
/// Lines shorter than this may coincide without being the same fact.
const MIN_REPEAT: usize = 16;
/// Levels of detail a log is retried at before it is dropped; a candidate log's text is
/// the first.
const LOG_DETAIL: [f64; 3] = [1.0, 0.5, 0.2];

/// One piece of evidence in the context, sanitized.
#[derive(Debug, Clone, PartialEq)]
pub struct Item {
    pub id: String,
    /// Other ids of the same evidence (the rules engine quoting it for several pods).
    pub also: Vec<String>,
    pub source: EvidenceSource,
    pub object: ObjectRef,
    pub title: String,
    pub text: String,
    pub timestamp: Option<jiff::Timestamp>,
    pub tokens: usize,
    /// Whether the rules engine produced it (its id is already in the diagnosis).
    pub from_rules: bool,
}

/// The context sent for one diagnosis.
#[derive(Debug, Clone)]
pub struct Context {
    pub subject: ObjectRef,
    /// The header: subject, capture time and the rules engine's conclusions, sanitized.
    pub header: String,
    /// When the snapshot was taken: item times are said relative to it.
    pub captured_at: jiff::Timestamp,
    pub items: Vec<Item>,
    /// Tokens of header and items as the counter counts them.
    pub tokens: usize,
    pub budget: usize,
    /// Candidates left out for the budget.
    pub omitted: usize,
    pub redactions: Report,
}

impl Context {
    /// The item an id names, by its own id or one it was merged with.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.items
            .iter()
            .find(|i| i.id == id || i.also.iter().any(|a| a == id))
    }

    /// The item as evidence for the diagnosis, when an LLM hypothesis cites a new one.
    pub fn evidence(&self, id: &str) -> Option<Evidence> {
        let item = self.item(id)?;
        Some(Evidence {
            id: item.id.clone(),
            source: item.source,
            object: item.object.clone(),
            excerpt: item.text.trim_end().to_string(),
            timestamp: item.timestamp,
            // The model chose it; the rules engine did not grade it.
            strength: Strength::Circumstantial,
        })
    }

    /// The text of the user message.
    pub fn render(&self) -> String {
        let mut out = self.header.clone();
        out.push_str("\nEvidence (cite these ids):\n");
        for item in &self.items {
            // `3m ago` (before the capture) reads better than a second timestamp to
            // subtract, and costs a third of the tokens.
            let when = item
                .timestamp
                .map(|t| format!(" ({} ago)", crate::model::age(self.captured_at, t)))
                .unwrap_or_default();
            let ids = std::iter::once(&item.id)
                .chain(&item.also)
                .map(String::as_str)
                .collect::<Vec<_>>()
                .join(", ");
            let _ = writeln!(out, "\n[{ids}] {}{when}", item.title);
            for line in item.text.lines() {
                let _ = writeln!(out, "  {line}");
            }
        }
        if self.omitted > 0 {
            let _ = writeln!(
                out,
                "\n({} less relevant items were left out for the token budget.)",
                self.omitted
            );
        }
        out
    }
}

/// Builds the context for `d` within `budget` tokens.
pub fn build(
    snapshot: &Snapshot,
    d: &Diagnosis,
    sanitizer: &Sanitizer,
    counter: TokenCounter,
    budget: usize,
) -> Result<Context, SanitizeError> {
    let mut redactions = Report::default();
    let mut clean = |text: &str| -> Result<String, SanitizeError> {
        let out = sanitizer.sanitize(text)?;
        redactions.merge(&out.report);
        Ok(out.into_string())
    };
    let header = clean(&header::header(snapshot, d))?;
    let mut used = counter.count(&header);
    let mut next_id = d.evidence.len() + 1;
    let mut items: Vec<Item> = Vec::new();
    let mut omitted = 0;
    // Sibling pods of one ReplicaSet repeat each other (the same log, spec and BackOff
    // event), and a restarted container's current log often repeats its previous one:
    // an item whose text, with its own object's name masked, was already kept is skipped.
    // The rules engine's evidence repeats itself the same way (one status per crashing
    // pod): a repeat joins the first as another id, `[ev-1, ev-4]`, so citations resolve.
    let mut seen: std::collections::HashMap<String, Option<usize>> = Default::default();
    let mut extensions = Vec::new();
    let mut rules_lines: std::collections::HashSet<String> = Default::default();
    for c in select::candidates(snapshot, d, sanitizer)? {
        let masked = repeat_key(&c.text, &c.object.name);
        if let Some(first) = seen.get(&masked) {
            if let (Some(i), Some(id)) = (first, &c.rules_id) {
                items[*i].also.push(id.clone());
                used += 2;
            }
            if c.rules_id.is_none() || first.is_some() {
                continue;
            }
        }
        // A pod's state goes on under the rules engine's status of that pod, when there is
        // one: one item, one title, the status read whole. It is appended once the rules
        // engine's pieces of that status are joined (below), so that it follows them.
        if c.extends && items.iter().any(|i| extended_by(i, &c)) {
            let text = ages(&mask_uids(&clean(&c.text)?), snapshot.meta.captured_at);
            let tokens = counter.count(&text) + 1;
            if used + tokens > budget {
                omitted += 1;
                continue;
            }
            used += tokens;
            seen.entry(masked).or_insert(None);
            extensions.push((c, text, tokens));
            continue;
        }
        let title = clean(&local(&c.title, &c.object, &d.subject))?;
        // A log's text is its compression at full detail; shorter ones are made only when
        // the budget asks for them.
        let version = |level: usize| match (level, &c.log) {
            (0, _) => Some(c.text.clone()),
            (_, Some(raw)) => LOG_DETAIL
                .get(level)
                .map(|&detail| logs::compress(raw, detail).text),
            (_, None) => None,
        };
        let (mut kept, mut said_already) = (None, false);
        for text in (0..).map_while(version) {
            let mut text = mask_uids(&clean(&text)?);
            // Logs keep their own clock; elsewhere a time is said as an age.
            if c.source != EvidenceSource::Log {
                text = ages(&text, snapshot.meta.captured_at);
            }
            // A line the rules engine's evidence holds already is not said again (the
            // spec's `serviceAccountName: x` the rules engine quoted). Logs stay whole.
            if c.rules_id.is_none() && c.source != EvidenceSource::Log {
                text = text
                    .lines()
                    .filter(|l| l.trim().len() < MIN_REPEAT || !rules_lines.contains(l.trim()))
                    .map(|l| format!("{l}\n"))
                    .collect();
            }
            // Nothing left to say: a repeat, not a candidate the budget left out.
            if c.rules_id.is_none() && text.trim().is_empty() {
                said_already = true;
                break;
            }
            // Title, id line and indentation cost a little beyond the text.
            let tokens = counter.count(&text) + counter.count(&title) + 4;
            // The rules engine's own evidence always goes in: the model must see it.
            if used + tokens <= budget || c.rules_id.is_some() {
                kept = Some((text, tokens));
                break;
            }
        }
        let Some((text, tokens)) = kept else {
            omitted += usize::from(!said_already);
            continue;
        };
        used += tokens;
        let id = match &c.rules_id {
            Some(id) => id.clone(),
            None => {
                let id = format!("ev-{next_id}");
                next_id += 1;
                id
            }
        };
        if c.rules_id.is_some() {
            rules_lines.extend(text.lines().map(|l| l.trim().to_string()));
        }
        seen.entry(masked)
            .or_insert(c.rules_id.is_some().then_some(items.len()));
        items.push(Item {
            also: Vec::new(),
            id,
            source: c.source,
            object: c.object,
            title,
            text,
            timestamp: c.timestamp,
            tokens,
            from_rules: c.rules_id.is_some(),
        });
    }
    used -= fold_quoted_logs(&mut items);
    used -= join_same_titles(&mut items, counter);
    for (c, text, tokens) in extensions {
        if let Some(target) = items.iter_mut().find(|i| extended_by(i, &c)) {
            target.text = format!("{}\n{text}", target.text.trim_end());
            target.tokens += tokens;
        }
    }
    Ok(Context {
        subject: d.subject.clone(),
        header,
        captured_at: snapshot.meta.captured_at,
        items,
        tokens: used,
        budget,
        omitted,
        redactions,
    })
}

/// Whether `item` is the rules engine's evidence that `c` goes on from: the status of the
/// same object, without a time of its own (the extension has none).
fn extended_by(item: &Item, c: &select::Candidate) -> bool {
    item.from_rules
        && item.source == c.source
        && item.object == c.object
        && item.timestamp.is_none()
}

/// The rules engine quotes a log's error region; when the whole (compressed) log of the
/// same pod is in the context too, the quote is a repeat: its ids move to the log item and
/// the quote goes. A quote counts as inside the log when each of its lines is in the log,
/// without its lead-in (`previous log of web: `) if need be. Returns the tokens saved.
fn fold_quoted_logs(items: &mut Vec<Item>) -> usize {
    let mut saved = 0;
    let mut i = 0;
    while i < items.len() {
        let quote = &items[i];
        let lines: Vec<&str> = quote
            .text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        // A quote's first line carries its lead-in (`previous log of web: …`), or is one
        // (`previous log of web (last lines):`).
        let inside = |log: &Item| {
            lines.iter().enumerate().all(|(i, l)| {
                log.text.contains(l)
                    || l.split_once(": ")
                        .is_some_and(|(_, rest)| log.text.contains(rest))
                    || i == 0 && lines.len() > 1 && l.ends_with(':')
            })
        };
        let target = (quote.from_rules && quote.source == EvidenceSource::Log && !lines.is_empty())
            .then(|| {
                items.iter().position(|log| {
                    !log.from_rules
                        && log.source == EvidenceSource::Log
                        && log.object == quote.object
                        && inside(log)
                })
            })
            .flatten();
        match target {
            Some(t) => {
                let quote = items.remove(i);
                let t = if t > i { t - 1 } else { t };
                saved += quote.tokens;
                items[t].also.push(quote.id);
                items[t].also.extend(quote.also);
            }
            None => i += 1,
        }
    }
    saved
}

/// The rules engine states one pod's status in several pieces (the last termination, the
/// waiting reason), each under the same title: adjacent items with one title and no time
/// of their own become one item under all their ids. Returns the tokens saved.
fn join_same_titles(items: &mut Vec<Item>, counter: TokenCounter) -> usize {
    let mut saved = 0;
    let mut i = 1;
    while i < items.len() {
        let (before, rest) = items.split_at_mut(i);
        let (prev, item) = (&mut before[i - 1], &rest[0]);
        if prev.title != item.title || prev.timestamp.is_some() || item.timestamp.is_some() {
            i += 1;
            continue;
        }
        let item = items.remove(i);
        let prev = &mut items[i - 1];
        let title = counter.count(&item.title) + 2;
        prev.text = format!("{}\n{}", prev.text.trim_end(), item.text);
        prev.tokens += item.tokens - title;
        prev.also.push(item.id);
        prev.also.extend(item.also);
        saved += title;
    }
    saved
}

/// A title names its object without the namespace when it is the subject's: the header
/// says which that is, and most objects of a diagnosis live there.
fn local(title: &str, object: &ObjectRef, subject: &ObjectRef) -> String {
    match &object.namespace {
        Some(ns) if subject.namespace.as_ref() == Some(ns) => title.replacen(
            &object.to_string(),
            &format!("{} {}", object.kind, object.name),
            1,
        ),
        _ => title.to_string(),
    }
}

/// RFC 3339 times in `text` as ages before the capture (`finishedAt=3m ago`).
fn ages(text: &str, captured_at: jiff::Timestamp) -> String {
    static TIME: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let time = TIME.get_or_init(|| {
        regex::Regex::new(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)")
            .expect("a valid regex")
    });
    time.replace_all(text, |c: &regex::Captures<'_>| match c[0].parse() {
        Ok(t) => format!("{} ago", crate::model::age(captured_at, t)),
        Err(_) => c[0].to_string(),
    })
    .into_owned()
}

/// What makes two candidates the same evidence: the text with its own object's name, pod
/// UIDs, timestamps, IPv4 addresses and event counts masked — the same exit, back-off or
/// probe failure on a sibling pod (its own IP, a minute later, a few more times) tells the
/// model nothing new.
fn repeat_key(text: &str, name: &str) -> String {
    static VARYING: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let varying = VARYING.get_or_init(|| {
        regex::Regex::new(concat!(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)",
            r"|\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b",
            r"|\(x\d+\)",
        ))
        .expect("a valid regex")
    });
    let text = mask_uids(&text.replace(name, "<name>"));
    varying.replace_all(&text, "<v>").into_owned()
}

/// The namespace and pod UID kubelet appends to pod names in its messages (`pod
/// web-…_shop(667752c0-…)`) cost two dozen tokens and never explain a failure (the item's
/// title names the namespace); they go. UUIDs elsewhere (PV names, trace ids) are kept:
/// they correlate evidence.
/// Image digests are cut to their first 12 hex digits, as `docker images` shows them:
/// enough to tell two images apart, a fifth of the tokens.
fn mask_uids(text: &str) -> String {
    static UID: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static DIGEST: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let uid = UID.get_or_init(|| {
        regex::Regex::new(
            r"(?:_[a-z0-9][-a-z0-9]*)?\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)",
        )
        .expect("a valid regex")
    });
    let digest = DIGEST.get_or_init(|| {
        regex::Regex::new(r"sha256:([0-9a-f]{12})[0-9a-f]{52}").expect("a valid regex")
    });
    let text = uid.replace_all(text, "");
    digest.replace_all(&text, "sha256:${1}…").into_owned()
}
