//! The context's header: the subject, the capture time and the rules engine's conclusions.
//!
//! A conclusion often quotes the log line or message it rests on (``after logging `…` ``),
//! and the evidence it cites carries the same line in full: the header keeps the quote's
//! first words and names the item, so the model reads the line once, where it can cite it.
//! Times in the conclusions are ages, as everywhere below the capture time.

use std::fmt::Write as _;

use crate::analyze::Evidence;
use crate::model::Snapshot;
use crate::rca::Diagnosis;

/// Quotes shorter than this cost less than a pointer to them.
const MIN_QUOTE: usize = 40;
/// Characters of a long quote kept in the header (whole words).
const QUOTE_LEAD: usize = 20;

pub(super) fn header(snapshot: &Snapshot, d: &Diagnosis) -> String {
    let mut out = format!("Subject: {} (severity {})", d.subject, d.severity);
    if let Some(ns) = &d.subject.namespace {
        let _ = write!(out, "; objects named without a namespace are in {ns}");
    }
    let _ = write!(
        out,
        "\nCaptured {} (times below are ages before it)",
        snapshot.meta.captured_at
    );
    if let Some(v) = &snapshot.meta.server_version {
        let _ = write!(out, ", Kubernetes {v}");
    }
    out.push('\n');
    if d.hypotheses.is_empty() {
        out.push_str("The rules engine found nothing specific.\n");
        return out;
    }
    out.push_str("\nRules engine conclusions (it can miss causes it has no rule for):\n");
    for h in &d.hypotheses {
        let _ = writeln!(
            out,
            "- {} (confidence {:.2}, evidence {}): {}",
            h.category,
            h.confidence,
            h.evidence.join(", "),
            super::ages(
                &cite_quotes(&h.cause, &d.evidence),
                snapshot.meta.captured_at
            )
        );
    }
    // The chain the rules engine followed: the model should weigh the dependents' failures
    // as consequences, with the evidence of each link.
    if !d.affected.is_empty() {
        out.push_str(
            "
Also failing because of this (not separate causes):
",
        );
        for a in &d.affected {
            let _ = writeln!(
                out,
                "- {} (evidence {}): {}",
                a.object(),
                a.evidence.join(", "),
                a.why
            );
        }
    }
    out
}

/// `` `quote` `` spans of `cause` that an evidence excerpt holds in full become their first
/// words and the id of that evidence: `` `cannot connect to…` (ev-3) ``. A quote cut with `…`
/// by the analyzer counts as held when its uncut part is. A quoted log line may hold
/// backticks of its own: the longest span from an opening backtick that evidence holds is
/// the quote; with none held, the text is left as it is.
fn cite_quotes(cause: &str, evidence: &[Evidence]) -> String {
    fn held_by<'q, 'e>(quote: &'q str, evidence: &'e [Evidence]) -> Option<(&'q str, &'e str)> {
        let held = quote.trim_end_matches('…').trim();
        evidence
            .iter()
            .find(|e| held.len() >= MIN_QUOTE && e.excerpt.contains(held))
            .map(|e| (held, e.id.as_str()))
    }
    let mut out = String::with_capacity(cause.len());
    let mut rest = cause;
    while let Some(open) = rest.find('`') {
        let after = &rest[open + 1..];
        let cited = after
            .rmatch_indices('`')
            .find_map(|(close, _)| Some((close, held_by(&after[..close], evidence)?)));
        out.push_str(&rest[..open]);
        match cited {
            Some((close, (held, id))) => {
                let _ = write!(out, "`{}…` ({id})", lead(held));
                rest = &after[close + 1..];
            }
            None => {
                out.push('`');
                rest = after;
            }
        }
    }
    out.push_str(rest);
    out
}

/// The first words of `quote`, at least [`QUOTE_LEAD`] characters of them, and none of
/// its own backticks (they would pair with the header's).
fn lead(quote: &str) -> &str {
    let mut end = 0;
    for (i, c) in quote.char_indices() {
        if c == '`' || c.is_whitespace() && end >= QUOTE_LEAD {
            break;
        }
        end = i + c.len_utf8();
    }
    &quote[..end]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analyze::{EvidenceSource, Strength};
    use crate::model::ObjectRef;

    fn log(id: &str, excerpt: &str) -> Evidence {
        Evidence {
            id: id.into(),
            source: EvidenceSource::Log,
            object: ObjectRef::new("Pod", Some("shop"), "api-0"),
            excerpt: excerpt.into(),
            timestamp: None,
            strength: Strength::Indirect,
        }
    }

    #[test]
    fn a_quote_the_evidence_holds_becomes_its_first_words_and_the_id() {
        let ev = [log(
            "ev-3",
            "previous log of api: cannot connect to database: lookup postgres on 10.96.0.10:53: no such host",
        )];
        let cause = "Container api exits with code 1 after logging `cannot connect to database: lookup postgres on 10.96.0.10:53: no such host`.";
        assert_eq!(
            cite_quotes(cause, &ev),
            "Container api exits with code 1 after logging `cannot connect to database:…` (ev-3)."
        );
    }

    #[test]
    fn short_quotes_cut_quotes_and_quotes_no_evidence_holds() {
        let ev = [log(
            "ev-8",
            "Liveness probe failed: Get \"http://10.244.2.33:8080/livez\": context deadline exceeded (Client.Timeout exceeded while awaiting headers)",
        )];
        // Short: kept as it is.
        assert_eq!(
            cite_quotes("runs `celery` (exit 127)", &ev),
            "runs `celery` (exit 127)"
        );
        // Cut by the analyzer: its uncut part is in the event.
        assert_eq!(
            cite_quotes(
                "fails (`Get \"http://10.244.2.33:8080/livez\": context deadline exceeded (Client.Time…`)",
                &ev
            ),
            "fails (`Get \"http://10.244.2.33:8080/livez\":…` (ev-8))"
        );
        // Nowhere in the evidence: the model must read it here.
        let alone = "logs `ERROR: relation \"orders\" does not exist at character 15`";
        assert_eq!(cite_quotes(alone, &ev), alone);
    }

    #[test]
    fn a_quote_with_backticks_inside_is_cited_whole() {
        let line = "cannot connect: failed to connect to `user=api database=shop`: lookup postgres: no such host";
        let ev = [log("ev-3", &format!("previous log of api: {line}"))];
        assert_eq!(
            cite_quotes(
                &format!("exits after logging `{line}`; see `kubectl logs`"),
                &ev
            ),
            "exits after logging `cannot connect: failed…` (ev-3); see `kubectl logs`"
        );
    }
}
