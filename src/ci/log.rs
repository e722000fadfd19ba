//! Job logs of any CI, read in one pass: GitHub Actions (every line prefixed with a timestamp
//! `2026-11-20T08:41:07.1234567Z `, a step starting at `##[group]Run …` with its script,
//! `env:` and `with:` block up to `##[endgroup]`, annotations as `##[error]…`, post steps at
//! `Post job cleanup.`), `gh run view --log` columns, GitLab sections
//! (`section_start:…:name`), Jenkins steps (`[job] $ command`), and logs with no steps at
//! all (Maven, Gradle, a local `act` run). [`analyze`] says which step failed, the error
//! that caused it (see [`super::cause`]), the consequences it had, the test runner's
//! summary, the failing tests, the exit code and the kind of failure — unsanitized;
//! `failure.rs` sanitizes it.

use super::cause::{self, Mark};
use super::classify::{decide_kind, tool_of_command};
use super::diff::PassLog;
use super::lines;
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
#[derive(Debug, Clone, PartialEq, Default)]
pub struct LogReport {
    /// The failing step's section title (`Run cargo test --locked`); none for a log without
    /// steps.
    pub failing_step: Option<String>,
    /// The line that states the cause.
    pub first_error: Option<String>,
    /// Its 1-based number in the log (a lone `\r` counts as a line break).
    pub first_error_line: Option<usize>,
    pub summary: Option<String>,
    pub tests: Vec<String>,
    pub exit_code: Option<i32>,
    pub tool: Option<String>,
    pub kind: FailureKind,
    pub empty_secrets: Vec<String>,
    /// The cause: its error block whole, then further errors of the same tool, `…` between.
    pub excerpt: Vec<String>,
    /// What the failure ended with, under the cause: wrappers and `##[error]` annotations.
    pub consequences: Vec<String>,
    /// The 1-based numbers of the log lines `excerpt` and `consequences` show.
    pub shown: Vec<usize>,
    /// With a passing log to compare with: lines of the failing step that it lacks, lines
    /// that state an error first (at most [`MAX_NEW`]).
    pub new_lines: Vec<String>,
}

/// Characters per line shown, failing tests named, summaries kept, new lines listed.
const MAX_LINE: usize = 300;
const MAX_TESTS: usize = 10;
const MAX_SUMMARIES: usize = 32;
pub const MAX_NEW: usize = 12;

/// One step's part of the log and what was seen in it.
#[derive(Debug, Default)]
pub(super) struct Section {
    pub title: String,
    pub post: bool,
    /// First line after the step's header group.
    pub body: usize,
    pub end: usize,
    in_header: bool,
    in_inputs: bool,
    empty_secrets: Vec<String>,
    /// `##[error]` lines, with the timestamp of the first.
    pub annotations: Vec<usize>,
    first_annotation_at: Option<jiff::Timestamp>,
    pub infra_annotation: Option<usize>,
    /// Every line that says something about a failure, in order.
    pub marks: Vec<Mark>,
    summaries: Vec<(usize, Option<FailureKind>)>,
    pub detail: Option<usize>,
    infra: Option<usize>,
    secret: Option<usize>,
    tests: Vec<String>,
    exit_code: Option<i32>,
    /// Maven's module headers (`Building NAME VERSION`), plugin executions
    /// (`--- A:V:GOAL (ID) @ P ---`), the first module its last reactor summary marks
    /// FAILURE, and its last `Failed to execute goal` line.
    pub maven: cause::Maven,
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

    fn has_marks(&self) -> bool {
        self.marks
            .iter()
            .any(|m| matches!(m.class, Class::Primary | Class::Generic | Class::Summary))
    }

    fn note(&mut self, i: usize, s: &Signal) {
        match s.class {
            Class::Summary if self.summaries.len() < MAX_SUMMARIES => {
                self.summaries.push((i, s.kind));
            }
            Class::Detail => {
                self.detail.get_or_insert(i);
            }
            _ => {}
        }
        self.marks.push(Mark::new(i, s));
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
    analyze_against(text, hint, None)
}

/// [`analyze`], with the log of a passing run of the same job to compare with: errors it
/// printed too are not taken for the cause, and the lines it lacks are listed.
pub fn analyze_against(text: &str, hint: Option<&StepHint<'_>>, pass: Option<&str>) -> LogReport {
    let lines = lines::split(text);
    let pass = pass.map(PassLog::new);
    let mut sections = vec![Section::new("", 0, false, false)];
    sections[0].body = 0;
    let mut actions = false;
    for (i, raw) in lines.iter().enumerate() {
        let (stamp, content) = lines::content(raw);
        let content = content.as_ref();
        actions |= stamp.is_some();
        if let Some(title) = step_start(content) {
            let header = content.starts_with("##[group]");
            actions |= header;
            sections.push(Section::new(title, i, false, header));
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
        section.maven.read(i, content);
        let signal = match lines::buildx_output(content) {
            Some((_, output)) => classify_line(output),
            None => classify_line(content),
        };
        if let Some(s) = signal {
            section.note(i, &s);
        }
    }
    if actions && sections[0].title.is_empty() {
        sections[0].title = "Set up job".into();
    }
    report(&lines, &sections, hint, pass.as_ref())
}

/// Where a step starts, and its title: the runner's `##[group]Run …`, a GitLab
/// `section_start:TIME:NAME`, a Jenkins `[job] $ command`.
fn step_start(content: &str) -> Option<String> {
    if let Some(title) = content.strip_prefix("##[group]") {
        return title
            .starts_with("Run ")
            .then(|| title.trim_end().to_string());
    }
    if let Some(rest) = content.strip_prefix("section_start:") {
        let name = rest.split_once(':').map(|(_, n)| n).unwrap_or("");
        let name = name.split('[').next().unwrap_or(name).trim();
        return (!name.is_empty()).then(|| name.to_string());
    }
    // A Jenkins pipeline stage: `[Pipeline] { (Build)`.
    if let Some(stage) = content
        .strip_prefix("[Pipeline] { (")
        .and_then(|r| r.strip_suffix(')'))
    {
        return Some(stage.to_string());
    }
    if content.starts_with('[')
        && let Some(at) = content.find("] $ ")
        && !content[1..at].contains([' ', ']'])
    {
        return Some(format!("Run {}", content[at + 4..].trim_end()));
    }
    None
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

/// A line as shown: no timestamp, no colour, no annotation prefix, bounded length.
pub(super) fn shown(raw: &str) -> String {
    let (_, content) = lines::content(raw);
    let content = content
        .strip_prefix("##[error]")
        .unwrap_or(&content)
        .trim_end();
    clip(content, Budget::Chars(MAX_LINE))
}

/// What a line says once decoration and a buildx step prefix are gone.
fn said(raw: &str) -> String {
    let (_, content) = lines::content(raw);
    let content = content.strip_prefix("##[error]").unwrap_or(&content);
    let text = lines::buildx_output(content).map_or(content, |(_, t)| t);
    clip(text.trim(), Budget::Chars(MAX_LINE))
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
        // Without annotations, the last step that printed an error: errors of an earlier
        // step did not stop the build.
        .or_else(|| sections.iter().rposition(|s| !s.post && s.has_marks()))
        .or_else(|| sections.iter().rposition(|s| !s.post))
}

fn report(
    lines: &[&str],
    sections: &[Section],
    hint: Option<&StepHint<'_>>,
    pass: Option<&PassLog>,
) -> LogReport {
    let Some(s) = failing_section(sections, hint).map(|i| &sections[i]) else {
        return LogReport::default();
    };
    let is_new = |i: usize| pass.is_none_or(|p| p.is_new(&lines::content(lines[i]).1));
    let found = cause::find(lines, s, &is_new);
    let first = found.anchor;
    let stated = found.stated.or(first);
    let first_signal = first.and_then(|i| {
        let (_, content) = lines::content(lines[i]);
        let content = content.strip_prefix("##[error]").unwrap_or(&content);
        match lines::buildx_output(content) {
            Some((_, output)) => classify_line(output),
            None => classify_line(content),
        }
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
    let new_lines = match pass {
        Some(p) => new_lines(lines, s, p),
        None => Vec::new(),
    };
    LogReport {
        failing_step: (!s.title.is_empty()).then(|| s.title.clone()),
        first_error: stated.map(|i| said(lines[i])),
        first_error_line: stated.map(|i| i + 1),
        summary,
        tests: s.tests.clone(),
        exit_code: s.exit_code,
        tool,
        kind,
        empty_secrets: s.empty_secrets.clone(),
        excerpt: found.excerpt,
        consequences: found.consequences,
        shown: found.shown.iter().map(|i| i + 1).collect(),
        new_lines,
    }
}

/// The failing step's lines the passing log lacks: those that state an error first, then
/// the others, each once, in log order within each group.
fn new_lines(lines: &[&str], s: &Section, pass: &PassLog) -> Vec<String> {
    let mut errors = Vec::new();
    let mut others = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for raw in lines.iter().take(s.end + 1).skip(s.body) {
        let (_, content) = lines::content(raw);
        let t = content.trim();
        if t.is_empty()
            || cause::is_marker(t)
            || !pass.is_new(t)
            || !seen.insert(super::diff::mask(t))
        {
            continue;
        }
        let error =
            crate::model::log_line::is_error_line(t, crate::model::log_line::Strictness::Any);
        match error {
            true if errors.len() < MAX_NEW => errors.push(shown(raw)),
            false if others.len() < MAX_NEW => others.push(shown(raw)),
            _ => {}
        }
        if errors.len() >= MAX_NEW {
            break;
        }
    }
    errors.extend(others);
    errors.truncate(MAX_NEW);
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

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
