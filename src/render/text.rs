//! Terminal output, compact like a good compiler error: the cause first, the evidence
//! indented under it, what changed, and the fix last.

use std::fmt::Write as _;

use crate::analyze::{Change, Severity};
use crate::model::age;
use crate::model::text::{self, Budget, clip};
use crate::rca::{Diagnosis, DiagnosisList};

struct Style {
    on: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.on {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }
    fn severity(&self, s: Severity) -> String {
        match s {
            Severity::Critical => self.paint("1;31", "critical"),
            Severity::Warning => self.paint("1;33", "warning"),
            Severity::Info => self.paint("1;34", "info"),
        }
    }
    fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }
    fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }
}

/// Renders for a terminal; `color` adds ANSI colours. `now` is the snapshot's capture time.
pub fn text(list: &DiagnosisList, now: jiff::Timestamp, color: bool) -> String {
    let st = Style { on: color };
    let mut out = String::new();
    if list.items.is_empty() {
        out.push_str("No problems found.\n");
    }
    for (i, d) in list.items.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        item(&mut out, d, now, &st);
    }
    for w in &list.warnings {
        let _ = writeln!(out, "{}: {w}", st.paint("33", "warning"));
    }
    if let Some(line) = super::usage_line(&list.usage) {
        let _ = writeln!(out, "{}", st.dim(&line));
    }
    out
}

fn item(out: &mut String, d: &Diagnosis, now: jiff::Timestamp, st: &Style) {
    let Some(top) = d.top() else { return };
    let _ = writeln!(
        out,
        "{}: {} {}",
        st.severity(d.severity),
        st.bold(&d.subject.to_string()),
        st.dim(&format!(
            "[{} · {:.2} · {}]",
            top.category, top.confidence, top.engine
        ))
    );
    let _ = writeln!(out, "  {}", top.cause);
    if let Some(x) = &d.explanation {
        let _ = writeln!(
            out,
            "  {} {}",
            st.bold("explanation"),
            st.dim(&format!("({})", x.engine))
        );
        for line in super::wrap(&x.text, 96) {
            let _ = writeln!(out, "    {line}");
        }
    }
    for id in &top.evidence {
        if let Some(e) = d.evidence_by_id(id) {
            let when = e
                .timestamp
                .map(|t| format!(" ({} ago)", age(now, t)))
                .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {} {} {}{}",
                st.dim(&format!("{id:>5}")),
                st.dim(&format!("{:<6}", format!("{:?}", e.source).to_lowercase())),
                one_line(&e.excerpt, 160),
                st.dim(&when)
            );
        }
    }
    if !d.affected.is_empty() {
        let _ = writeln!(out, "  {}", st.bold("also failing because of this"));
        for a in &d.affected {
            let _ = writeln!(
                out,
                "    {} — {} {}",
                a.object(),
                one_line(&a.why, 120),
                st.dim(&format!("({})", a.evidence.join(", ")))
            );
        }
    }
    if !d.changes.is_empty() {
        let _ = writeln!(out, "  {}", st.bold("what changed"));
        for c in d.changes.iter().take(5) {
            let when =
                c.at.map(|t| format!(", {} ago", age(now, t)))
                    .unwrap_or_default();
            let _ = writeln!(
                out,
                "    {}: {} → {} {}",
                c.field,
                one_line(c.from.as_deref().unwrap_or("(none)"), 60),
                one_line(c.to.as_deref().unwrap_or("(none)"), 60),
                st.dim(&format!(
                    "(revision {}{when})",
                    c.revision.as_deref().unwrap_or("?")
                ))
            );
        }
    }
    let others: Vec<_> = d.hypotheses.iter().skip(1).take(2).collect();
    if !others.is_empty() {
        let _ = writeln!(out, "  {}", st.bold("also considered"));
        for h in others {
            let engine = match h.engine.as_str() {
                "rules" => String::new(),
                e => format!(" {}", st.dim(&format!("[{e}]"))),
            };
            let _ = writeln!(
                out,
                "    {:.2} {:<14} {}{engine}",
                h.confidence,
                h.category.id(),
                one_line(&h.cause, 120)
            );
        }
    }
    if !top.fix.is_empty() {
        let _ = writeln!(out, "  {}", st.bold("fix"));
        for step in &top.fix {
            let _ = writeln!(out, "    - {step}");
        }
    }
    if let Some(r) = &top.remedy {
        let _ = writeln!(
            out,
            "  {} {}",
            st.bold("remedy:"),
            describe_change(&r.change)
        );
    }
}

/// A remedy's change in words.
pub fn describe_change(change: &Change) -> String {
    let arrow = |from: &Option<String>, to: &str| match from {
        Some(f) => format!("{f} → {to}"),
        None => format!("(unset) → {to}"),
    };
    match change {
        Change::SetMemoryLimit {
            container,
            from,
            to,
        } => format!("memory limit of {container}: {}", arrow(from, to)),
        Change::SetMemoryRequest {
            container,
            from,
            to,
        } => format!("memory request of {container}: {}", arrow(from, to)),
        Change::SetCpuRequest {
            container,
            from,
            to,
        } => format!("cpu request of {container}: {}", arrow(from, to)),
        Change::SetImage {
            container,
            from,
            to,
        } => format!("image of {container}: {from} → {to}"),
        Change::SetProbe {
            container,
            probe,
            port,
            path,
            initial_delay_seconds,
        } => {
            let mut parts = Vec::new();
            if let Some(p) = port {
                parts.push(format!("port {p}"));
            }
            if let Some(p) = path {
                parts.push(format!("path {p}"));
            }
            if let Some(d) = initial_delay_seconds {
                parts.push(format!("initialDelaySeconds {d}"));
            }
            format!("{probe} probe of {container}: {}", parts.join(", "))
        }
        Change::CreateKey { kind, name, key } => match key {
            Some(k) => format!("add key {k} to {kind} {name}"),
            None => format!("create {kind} {name}"),
        },
        Change::SetServiceSelectorOrName { service, to } => {
            format!("point at Service {to} instead of {service}")
        }
    }
}

fn one_line(s: &str, max: usize) -> String {
    clip(&text::one_line(s), Budget::Width(max))
}
