//! Job logs as the Actions runner writes them: every line prefixed with a timestamp
//! (`2026-11-20T08:41:07.1234567Z `), a step starting at `##[group]Run …` with its script,
//! `env:` and `with:` block up to `##[endgroup]`, annotations as `##[error]…`, post steps at
//! `Post job cleanup.`. [`analyze`] reads one log in a single pass and says which step
//! failed, its first error line, the test runner's summary, the failing tests, the exit code,
//! the kind of failure and the error region — unsanitized; `failure.rs` sanitizes it.

use std::borrow::Cow;

use super::classify::{decide_kind, tool_of_command};
use super::signals::{Class, Signal, classify_line};
use crate::model::ci::FailureKind;
use crate::model::text::{Budget, clip};

/// What the jobs API says about the failing step, to pick its section of the log when
/// several steps printed errors (a `continue-on-error` step before the real failure).
#[derive(Debug, Clone, Copy)]
pub struct StepHint<'a> {
    pub name: &'a str,
    pub started_at: Option<jiff::Timestamp>,
    pub completed_at: Option<jiff::Timestamp>,
}

/// What a job log says about its failure, before sanitizing.
#[derive(Debug, Clone, PartialEq)]
pub struct LogReport {
    /// The failing step's section title (`Run cargo test --locked`).
    pub failing_step: Option<String>,
    pub first_error: Option<String>,
    pub summary: Option<String>,
    pub tests: Vec<String>,
    pub exit_code: Option<i32>,
    pub tool: Option<String>,
    pub kind: FailureKind,
    pub empty_secrets: Vec<String>,
    pub excerpt: Vec<String>,
}

/// Lines kept in an excerpt, and characters per line.
const MAX_EXCERPT: usize = 40;
const MAX_LINE: usize = 300;
const MAX_TESTS: usize = 10;
const MAX_SUMMARIES: usize = 32;

/// One step's part of the log and what was seen in it.
#[derive(Debug, Default)]
struct Section {
    title: String,
    post: bool,
    /// First line after the step's header group.
    body: usize,
    end: usize,
    in_header: bool,
    in_inputs: bool,
    empty_secrets: Vec<String>,
    /// `##[error]` lines, with the timestamp of the first.
    annotations: Vec<usize>,
    first_annotation_at: Option<jiff::Timestamp>,
    infra_annotation: Option<usize>,
    specific_primary: Option<usize>,
    catch_all_primary: Option<usize>,
    summaries: Vec<(usize, Option<FailureKind>)>,
    detail: Option<usize>,
    generic: Option<usize>,
    infra: Option<usize>,
    secret: Option<usize>,
    tests: Vec<String>,
    exit_code: Option<i32>,
}

impl Section {
    fn new(title: impl Into<String>, start: usize, post: bool, header: bool) -> Self {
        Section {
            title: title.into(),
            post,
            body: start + 1,
            end: start,
            in_header: header,
            ..Section::default()
        }
    }

    fn has_errors(&self) -> bool {
        !self.annotations.is_empty()
    }

    fn note(&mut self, i: usize, s: &Signal) {
        match s.class {
            Class::Primary if s.specific => {
                self.specific_primary.get_or_insert(i);
            }
            Class::Primary => {
                self.catch_all_primary.get_or_insert(i);
            }
            Class::Summary if self.summaries.len() < MAX_SUMMARIES => {
                self.summaries.push((i, s.kind));
            }
            Class::Detail => {
                self.detail.get_or_insert(i);
            }
            Class::Generic => {
                self.generic.get_or_insert(i);
            }
            Class::Summary | Class::TestName => {}
        }
        match s.kind {
            Some(FailureKind::Infrastructure) => {
                self.infra.get_or_insert(i);
            }
            Some(FailureKind::SecretPermission) => {
                self.secret.get_or_insert(i);
            }
            _ => {}
        }
        if let Some(t) = &s.test
            && self.tests.len() < MAX_TESTS
            && !self.tests.contains(t)
        {
            self.tests.push(t.clone());
        }
    }
}

/// Reads one job log. `hint` names the step the jobs API says failed, when known.
pub fn analyze(text: &str, hint: Option<&StepHint<'_>>) -> LogReport {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    let mut sections = vec![Section::new("Set up job", 0, false, false)];
    sections[0].body = 0;
    for (i, raw) in lines.iter().enumerate() {
        let (stamp, content) = strip_timestamp(raw);
        let content = strip_ansi(content);
        let content = content.as_ref();
        if let Some(title) = content.strip_prefix("##[group]")
            && title.starts_with("Run ")
        {
            sections.push(Section::new(title.trim_end(), i, false, true));
            continue;
        }
        if content == "Post job cleanup." {
            sections.push(Section::new("Post job cleanup", i, true, false));
            continue;
        }
        if content == "Cleaning up orphan processes" {
            sections.push(Section::new("Complete job", i, true, false));
            continue;
        }
        let Some(section) = sections.last_mut() else {
            continue;
        };
        section.end = i;
        if section.in_header {
            read_header_line(section, content, i);
            continue;
        }
        if let Some(message) = content.strip_prefix("##[error]") {
            if section.annotations.is_empty() {
                section.first_annotation_at = stamp.and_then(|s| s.parse().ok());
            }
            section.annotations.push(i);
            if section.exit_code.is_none() {
                section.exit_code = exit_code(message);
            }
            if let Some(s) = classify_line(message) {
                if s.kind == Some(FailureKind::Infrastructure) {
                    section.infra_annotation.get_or_insert(i);
                }
                section.note(i, &s);
            }
            continue;
        }
        if content.starts_with("##[") {
            continue;
        }
        if section.exit_code.is_none() && content.starts_with("Error: Process completed") {
            section.exit_code = exit_code(content);
        }
        if let Some(s) = classify_line(content) {
            section.note(i, &s);
        }
    }
    report(&lines, &sections, hint)
}

/// The script, `shell:`, `env:` and `with:` lines of a step's header group.
fn read_header_line(section: &mut Section, content: &str, i: usize) {
    if content.starts_with("##[endgroup]") {
        section.in_header = false;
        section.body = i + 1;
        return;
    }
    if content == "env:" || content == "with:" {
        section.in_inputs = true;
        return;
    }
    if !section.in_inputs {
        return;
    }
    // `  NAME: value`; a secret the repository does not have expands to nothing.
    let Some(entry) = content.strip_prefix("  ") else {
        section.in_inputs = false;
        return;
    };
    if let Some((name, value)) = entry.split_once(':')
        && value.trim().is_empty()
        && !name.starts_with(' ')
        && looks_secret(name)
        && !section.empty_secrets.iter().any(|n| n == name)
    {
        section.empty_secrets.push(name.to_string());
    }
}

fn looks_secret(name: &str) -> bool {
    const WORDS: &[&str] = &[
        "TOKEN",
        "SECRET",
        "PASSWORD",
        "PASSWD",
        "API_KEY",
        "APIKEY",
        "PRIVATE_KEY",
        "ACCESS_KEY",
        "CREDENTIAL",
        "KUBECONFIG",
        "KUBE_CONFIG",
        "AUTH",
        "WEBHOOK",
        "DSN",
    ];
    let upper = name.to_ascii_uppercase();
    WORDS.iter().any(|w| upper.contains(w))
}

/// `Process completed with exit code 101.` → 101.
fn exit_code(message: &str) -> Option<i32> {
    let at = message.find("exit code ")?;
    let digits: String = message[at + 10..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '-')
        .collect();
    digits.parse().ok()
}

/// Splits `2026-11-20T08:41:07.1234567Z rest` into the timestamp and the rest.
fn strip_timestamp(line: &str) -> (Option<&str>, &str) {
    let b = line.as_bytes();
    let looks = b.len() > 20
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':';
    if !looks {
        return (None, line);
    }
    let window = &b[19..b.len().min(40)];
    match window.iter().position(|&c| c == b'Z') {
        Some(z) => {
            let end = 19 + z + 1;
            let rest = line.get(end..).unwrap_or("");
            (line.get(..end), rest.strip_prefix(' ').unwrap_or(rest))
        }
        None => (None, line),
    }
}

/// Removes ANSI colour and cursor sequences (`\x1b[1;31m`), which many tools print in CI.
fn strip_ansi(s: &str) -> Cow<'_, str> {
    if !s.contains('\x1b') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '\x1b' {
            out.push(c);
            continue;
        }
        if chars.peek() == Some(&'[') {
            chars.next();
            for d in chars.by_ref() {
                if ('\x40'..='\x7e').contains(&d) {
                    break;
                }
            }
        }
    }
    Cow::Owned(out)
}

/// A line as shown: no timestamp, no colour, no annotation prefix, bounded length.
fn shown(raw: &str) -> String {
    let (_, content) = strip_timestamp(raw);
    let content = strip_ansi(content);
    let content = content
        .strip_prefix("##[error]")
        .unwrap_or(&content)
        .trim_end();
    clip(content, Budget::Chars(MAX_LINE))
}

fn failing_section(sections: &[Section], hint: Option<&StepHint<'_>>) -> Option<usize> {
    let named = |s: &Section, h: &StepHint<'_>| {
        s.title == h.name || s.title.strip_prefix("Run ") == Some(h.name)
    };
    // The API's step times are whole seconds; a second of slack catches rounding, the strict
    // window is tried first so the step before does not win on the boundary.
    let within = |s: &Section, h: &StepHint<'_>, slack: i64| {
        let (Some(at), Some(from)) = (s.first_annotation_at, h.started_at) else {
            return false;
        };
        let slack = jiff::SignedDuration::from_secs(slack);
        let to = h.completed_at.unwrap_or(at);
        at >= from - slack && at <= to + jiff::SignedDuration::from_secs(1)
    };
    let erroring = || {
        sections
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.post && s.has_errors())
    };
    if let Some(h) = hint {
        let found = erroring()
            .find(|(_, s)| named(s, h))
            .or_else(|| erroring().find(|(_, s)| within(s, h, 0)))
            .or_else(|| erroring().find(|(_, s)| within(s, h, 1)))
            .or_else(|| sections.iter().enumerate().find(|(_, s)| named(s, h)));
        if let Some((i, _)) = found {
            return Some(i);
        }
    }
    erroring()
        .map(|(i, _)| i)
        .next()
        .or_else(|| sections.iter().position(|s| s.post && s.has_errors()))
        .or_else(|| {
            sections
                .iter()
                .position(|s| s.specific_primary.is_some() || s.catch_all_primary.is_some())
        })
        .or_else(|| sections.iter().rposition(|s| !s.post))
}

fn report(lines: &[&str], sections: &[Section], hint: Option<&StepHint<'_>>) -> LogReport {
    let Some(s) = failing_section(sections, hint).map(|i| &sections[i]) else {
        return LogReport {
            failing_step: None,
            first_error: None,
            summary: None,
            tests: Vec::new(),
            exit_code: None,
            tool: None,
            kind: FailureKind::Unknown,
            empty_secrets: Vec::new(),
            excerpt: Vec::new(),
        };
    };
    let not_exit_code = s
        .annotations
        .iter()
        .copied()
        .find(|&i| exit_code(lines[i]).is_none());
    let first = s
        .infra_annotation
        .or(s.specific_primary)
        .or(s.catch_all_primary)
        .or(s.summaries.first().map(|(i, _)| *i))
        .or(not_exit_code)
        .or(s.generic)
        .or(s.annotations.first().copied());
    let first_signal = first.and_then(|i| {
        let (_, content) = strip_timestamp(lines[i]);
        let content = strip_ansi(content);
        classify_line(content.strip_prefix("##[error]").unwrap_or(&content))
    });
    let evidence = super::classify::Evidence {
        title: &s.title,
        infrastructure: s.infra_annotation.is_some() || s.infra.is_some(),
        secret: s.secret.is_some(),
        empty_secrets: &s.empty_secrets,
    };
    let kind = decide_kind(&evidence, first_signal.as_ref());
    let summary = s
        .summaries
        .iter()
        .find(|(_, k)| *k == Some(kind))
        .or(s.summaries.first())
        .map(|(i, _)| *i)
        .filter(|&i| Some(i) != first)
        .map(|i| shown(lines[i]).trim_start().to_string());
    let tool = first_signal
        .as_ref()
        .filter(|sig| sig.specific)
        .map(|sig| sig.tool.to_string())
        .or_else(|| tool_of_command(&s.title).map(str::to_string));
    LogReport {
        failing_step: Some(s.title.clone()),
        first_error: first.map(|i| shown(lines[i]).trim_start().to_string()),
        summary,
        tests: s.tests.clone(),
        exit_code: s.exit_code,
        tool,
        kind,
        empty_secrets: s.empty_secrets.clone(),
        excerpt: excerpt(lines, s, first),
    }
}

/// The error region: around the first error, around the first detail line (pytest's `E`
/// lines above its summary), and the lines before the first `##[error]`.
fn excerpt(lines: &[&str], s: &Section, first: Option<usize>) -> Vec<String> {
    let lo = s.body.min(s.end);
    let clamp = |a: usize, b: usize| (a.max(lo), b.min(s.end));
    let mut ranges: Vec<(usize, usize)> = Vec::new();
    if let Some(f) = first {
        ranges.push(clamp(f.saturating_sub(3), f + 8));
    }
    if let Some(a) = s.annotations.first() {
        ranges.push(clamp(a.saturating_sub(10), *a));
    }
    if let Some(d) = s.detail.filter(|&d| first.is_some_and(|f| d < f)) {
        ranges.push(clamp(d.saturating_sub(6), d + 4));
    }
    // Keep the first ranges whole within the budget, then merge what overlaps.
    let mut budget = MAX_EXCERPT;
    let mut kept: Vec<(usize, usize)> = Vec::new();
    for (a, b) in ranges {
        if a > b || budget == 0 {
            continue;
        }
        let b = b.min(a + budget - 1);
        budget -= b - a + 1;
        kept.push((a, b));
    }
    kept.sort();
    let mut merged: Vec<(usize, usize)> = Vec::new();
    for (a, b) in kept {
        match merged.last_mut() {
            Some(last) if a <= last.1 + 1 => last.1 = last.1.max(b),
            _ => merged.push((a, b)),
        }
    }
    let mut out = Vec::new();
    for (n, (a, b)) in merged.into_iter().enumerate() {
        if n > 0 {
            out.push("…".to_string());
        }
        // Group markers are the runner's bookkeeping, not output.
        out.extend(
            lines[a..=b]
                .iter()
                .filter(|l| {
                    let (_, content) = strip_timestamp(l);
                    !content.starts_with("##[group]") && !content.starts_with("##[endgroup]")
                })
                .map(|l| shown(l)),
        );
    }
    while out.last().is_some_and(|l| l.is_empty()) {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_and_colours_are_removed() {
        assert_eq!(
            strip_timestamp("2026-11-20T08:41:07.1234567Z hello"),
            (Some("2026-11-20T08:41:07.1234567Z"), "hello")
        );
        assert_eq!(strip_timestamp("no stamp"), (None, "no stamp"));
        assert_eq!(strip_ansi("\x1b[1m\x1b[91merror\x1b[0m: x"), "error: x");
    }

    #[test]
    fn garbage_never_panics() {
        for text in [
            "",
            "\u{feff}",
            "2026-11-20T08:41:07.1234567Z",
            "2026-11-20T08:41:07.1234567Zé",
            "##[group]Run \n##[error]",
            "\x1b[",
            "é\r\n\r\n##[error]Process completed with exit code é",
            "2026-11-20T08:41:07.1é",
        ] {
            let _ = analyze(text, None);
        }
    }

    #[test]
    fn the_api_step_picks_the_section_when_an_earlier_step_continued_on_error() {
        let log = "\
2026-11-20T08:00:01.0000000Z ##[group]Run ./scripts/optional-check.sh
2026-11-20T08:00:01.0000000Z ##[endgroup]
2026-11-20T08:00:02.0000000Z ##[error]Process completed with exit code 1.
2026-11-20T08:00:03.0000000Z ##[group]Run cargo test
2026-11-20T08:00:03.0000000Z ##[endgroup]
2026-11-20T08:00:09.0000000Z thread 'cart::total' panicked at src/cart.rs:9:5:
2026-11-20T08:00:09.5000000Z ##[error]Process completed with exit code 101.
";
        let without = analyze(log, None);
        assert_eq!(
            without.failing_step.as_deref(),
            Some("Run ./scripts/optional-check.sh")
        );
        let hint = StepHint {
            name: "Unit tests",
            started_at: "2026-11-20T08:00:03Z".parse().ok(),
            completed_at: "2026-11-20T08:00:10Z".parse().ok(),
        };
        let with = analyze(log, Some(&hint));
        assert_eq!(with.failing_step.as_deref(), Some("Run cargo test"));
        assert_eq!(with.exit_code, Some(101));
        assert_eq!(with.kind, FailureKind::Test);
    }

    #[test]
    fn an_empty_secret_in_the_step_env_is_named() {
        let log = "\
2026-11-20T08:00:03.0000000Z ##[group]Run ./deploy.sh
2026-11-20T08:00:03.0000000Z ./deploy.sh
2026-11-20T08:00:03.0000000Z shell: /usr/bin/bash -e {0}
2026-11-20T08:00:03.0000000Z env:
2026-11-20T08:00:03.0000000Z   REGION: eu-west-1
2026-11-20T08:00:03.0000000Z   DEPLOY_TOKEN: 
2026-11-20T08:00:03.0000000Z ##[endgroup]
2026-11-20T08:00:04.0000000Z curl: (22) The requested URL returned error: 401
2026-11-20T08:00:04.5000000Z ##[error]Process completed with exit code 22.
";
        let r = analyze(log, None);
        assert_eq!(r.empty_secrets, vec!["DEPLOY_TOKEN".to_string()]);
        assert_eq!(r.kind, FailureKind::SecretPermission);
        assert_eq!(r.exit_code, Some(22));
    }
}
