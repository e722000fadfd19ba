//! The LLM context for one diagnosis: the evidence an SRE would read, selected by
//! relevance, compressed, sanitized and fitted into a token budget. Pure: no I/O.
//!
//! - `select.rs` lists candidates with a priority: the rules engine's evidence first, then
//!   failing containers' states, the workload's status and what changed, warning events
//!   and the error regions of current and previous logs, the related objects (do the
//!   ConfigMaps, Secrets, PVCs exist, with which keys; which Services select the pod), the
//!   container specs, and normal events last.
//! - `logs.rs` compresses logs: repeats and templated variants collapse into one line with
//!   a count (a Drain-style template miner), the first error and full stack traces stay.
//! - `tokens.rs` counts tokens with the model family's BPE (tiktoken) or an estimate.
//!
//! [`build`] sanitizes every item (fail closed: an error means no context, so nothing is
//! sent), skips items that repeat one already kept (sibling pods, a current log equal to
//! the previous one), then keeps items in priority order while they fit the budget; a log that does
//! not fit is re-compressed with less detail before it is dropped. Each kept item gets an
//! id: the rules engine's evidence keeps its `ev-N`, new items continue the numbering, so
//! a hypothesis can cite either and the ids resolve in the diagnosis's `evidence` list.
//!
//! [`compress_log`] is the log compressor on its own (CI logs use it too).

mod describe;
mod logs;
mod select;
mod tokens;

use std::fmt::Write as _;

pub use logs::{Compressed, compress as compress_log, is_error};
pub use tokens::TokenCounter;

use crate::analyze::{Evidence, EvidenceSource, Strength};
use crate::model::{ObjectRef, Snapshot};
use crate::rca::Diagnosis;
use crate::sanitize::{Report, SanitizeError, Sanitizer};

/// The budget applies to the evidence; the fixed instructions come on top.
pub const DEFAULT_BUDGET: usize = 6000;
/// Levels of detail a log is retried at before it is dropped.
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
            let when = item
                .timestamp
                .map(|t| format!(" at {t}"))
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
    let header = clean(&header(snapshot, d))?;
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
    for c in select::candidates(snapshot, d, sanitizer)? {
        let masked = c.text.replace(&c.object.name, "<name>");
        if let Some(first) = seen.get(&masked) {
            if let (Some(i), Some(id)) = (first, &c.rules_id) {
                items[*i].also.push(id.clone());
                used += 2;
            }
            if c.rules_id.is_none() || first.is_some() {
                continue;
            }
        }
        let title = clean(&c.title)?;
        let versions: Vec<String> = match &c.log {
            Some(raw) => LOG_DETAIL
                .iter()
                .map(|&detail| logs::compress(raw, detail).text)
                .collect(),
            None => vec![c.text.clone()],
        };
        let mut kept = None;
        for text in versions {
            let text = mask_uids(&clean(&text)?);
            // Title, id line and indentation cost a little beyond the text.
            let tokens = counter.count(&text) + counter.count(&title) + 4;
            // The rules engine's own evidence always goes in: the model must see it.
            if used + tokens <= budget || c.rules_id.is_some() {
                kept = Some((text, tokens));
                break;
            }
        }
        let Some((text, tokens)) = kept else {
            omitted += 1;
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
        seen.entry(c.text.replace(&c.object.name, "<name>"))
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
    Ok(Context {
        subject: d.subject.clone(),
        header,
        items,
        tokens: used,
        budget,
        omitted,
        redactions,
    })
}

/// The pod UID kubelet appends to names in its messages (`pod web-…_shop(667752c0-…)`)
/// costs two dozen tokens and never explains a failure; it becomes `(<uid>)`. UUIDs
/// elsewhere (PV names, trace ids) are kept: they correlate evidence.
/// Image digests are cut to their first 12 hex digits, as `docker images` shows them:
/// enough to tell two images apart, a fifth of the tokens.
fn mask_uids(text: &str) -> String {
    static UID: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    static DIGEST: std::sync::OnceLock<regex::Regex> = std::sync::OnceLock::new();
    let uid = UID.get_or_init(|| {
        regex::Regex::new(r"\([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\)")
            .expect("a valid regex")
    });
    let digest = DIGEST.get_or_init(|| {
        regex::Regex::new(r"sha256:([0-9a-f]{12})[0-9a-f]{52}").expect("a valid regex")
    });
    let text = uid.replace_all(text, "(<uid>)");
    digest.replace_all(&text, "sha256:${1}…").into_owned()
}

fn header(snapshot: &Snapshot, d: &Diagnosis) -> String {
    let mut out = format!(
        "Subject: {} (severity {})\nSnapshot captured at {}",
        d.subject, d.severity, snapshot.meta.captured_at
    );
    if let Some(v) = &snapshot.meta.server_version {
        let _ = write!(out, ", Kubernetes {v}");
    }
    out.push('\n');
    if d.hypotheses.is_empty() {
        out.push_str("The rules engine found nothing specific.\n");
        return out;
    }
    out.push_str(
        "\nThe deterministic rules engine concluded (it can miss causes it has no rule for):\n",
    );
    for h in &d.hypotheses {
        let _ = writeln!(
            out,
            "- {} (confidence {:.2}, evidence {}): {}",
            h.category,
            h.confidence,
            h.evidence.join(", "),
            h.cause
        );
    }
    out
}
