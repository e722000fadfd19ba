//! The cause of a failure inside the failing step, and what followed from it.
//!
//! - **Where to look.** The failing step's body, narrowed for Maven to the module its last
//!   reactor summary marks FAILURE first (else to the plugin execution its `Failed to
//!   execute goal` names): errors of modules and steps that did not fail the build are not
//!   the cause.
//! - **The anchor.** A runner annotation saying timeout or cancellation; else the first
//!   error a known tool states (a compiler error, a failing test, a panic, a traceback,
//!   `npm ERR! code`, a full disk, also when logged at WARNING); else `error:`; else a
//!   summary; else any line stating an error; else the wrapper itself (then its message is
//!   all the log says). With a passing log, a line it printed too is passed over while a new
//!   one qualifies. A Docker build is read inside the step buildx says failed
//!   (`#12 ERROR: process …`): that step's own output holds the cause.
//! - **The block.** The anchor with the lines of its paragraph: the error lines just
//!   before it, and what follows up to a blank line, an INFO line, a wrapper or the cap —
//!   continuation lines, stack frames, `npm ERR!` explanations. Further errors of the same
//!   tool (the compiler's next errors) follow, then the consequences: wrappers and
//!   `##[error]` annotations, each once, never dropped.
//! - A short step is shown whole: all of its output is context.

use std::borrow::Cow;

use super::lines;
use super::log::{Section, shown};
use super::signals::{Class, Signal, classify_line};

/// Lines of one block, lines of the excerpt, consequences, and the size of a step shown
/// whole.
const MAX_BLOCK: usize = 25;
const MAX_EXCERPT: usize = 45;
const MAX_CONSEQUENCES: usize = 8;
const SHORT_STEP: usize = 25;
/// Lines looked at before the anchor for the start of its paragraph.
const LOOK_BACK: usize = 6;

/// A line that says something about the failure.
#[derive(Debug, Clone, Copy)]
pub(super) struct Mark {
    pub line: usize,
    pub class: Class,
    pub specific: bool,
    pub tool: &'static str,
}

impl Mark {
    pub fn new(line: usize, s: &Signal) -> Self {
        Mark {
            line,
            class: s.class,
            specific: s.specific,
            tool: s.tool,
        }
    }
}

/// What Maven printed about its modules and plugin executions, to find the one that failed.
#[derive(Debug, Default)]
pub(super) struct Maven {
    /// `Building NAME VERSION [k/n]` → (line, `NAME VERSION [k/n]`).
    modules: Vec<(usize, String)>,
    /// `--- A:V:GOAL (ID) @ P ---` → (line, `V:GOAL (ID) @ P`).
    plugins: Vec<(usize, String)>,
    in_reactor: bool,
    /// The first module the last reactor summary marks FAILURE.
    failed_module: Option<String>,
    /// The last `[ERROR] Failed to execute goal` line, and its execution as `V:GOAL (ID) @ P`.
    goal_failed: Option<(usize, Option<String>)>,
}

impl Maven {
    /// Notes `content` (line `i`) when it is one of Maven's structural lines.
    pub fn read(&mut self, i: usize, content: &str) {
        if let Some(rest) = content.strip_prefix("[INFO] ") {
            let rest = rest.trim_end();
            if let Some(name) = rest.strip_prefix("Building ") {
                const ARCHIVES: &[&str] = &["jar:", "war:", "ear:", "zip:", "tar:", "rar:", "aar:"];
                if !ARCHIVES.iter().any(|a| name.starts_with(a)) {
                    self.modules.push((i, name.to_string()));
                }
            } else if rest.contains("Reactor Summary") {
                self.in_reactor = true;
                self.failed_module = None;
            } else if let Some(inner) = rest
                .strip_prefix("--- ")
                .and_then(|r| r.strip_suffix(" ---"))
            {
                if let Some((_, key)) = inner.split_once(':') {
                    self.plugins.push((i, key.to_string()));
                }
            } else if self.in_reactor
                && self.failed_module.is_none()
                && rest.contains(" FAILURE")
                && let Some((name, _)) = rest.split_once(" ..")
            {
                self.failed_module = Some(name.trim().to_string());
            }
        } else if let Some(rest) = content.strip_prefix("[ERROR] Failed to execute goal ") {
            self.in_reactor = false;
            self.goal_failed = Some((i, execution(rest)));
        }
    }

    /// Where the failing module or plugin execution starts, when the log says.
    fn failing_start(&self) -> Option<usize> {
        let (wrapper, key) = self.goal_failed.as_ref()?;
        let module = self.failed_module.as_deref().and_then(|name| {
            self.modules
                .iter()
                .rev()
                .find(|(i, m)| {
                    i < wrapper
                        && m.strip_prefix(name)
                            .is_some_and(|r| r.is_empty() || r.starts_with(' '))
                })
                .map(|(i, _)| *i)
        });
        module.or_else(|| {
            let key = key.as_deref()?;
            self.plugins
                .iter()
                .rev()
                .find(|(i, p)| i < wrapper && p == key)
                .map(|(i, _)| *i)
        })
    }
}

/// `G:A:V:GOAL (ID) on project P: message` → `V:GOAL (ID) @ P`, as its execution header
/// names it (Maven 3.9 shortens the artifact there, so it is left out).
fn execution(rest: &str) -> Option<String> {
    let (coords, rest) = rest.split_once(" (")?;
    let (id, rest) = rest.split_once(')')?;
    let project = rest.strip_prefix(" on project ")?;
    let project = project.split([':', ' ']).next()?;
    let parts: Vec<&str> = coords.split(':').collect();
    let n = parts.len();
    (n >= 3).then(|| format!("{}:{} ({id}) @ {project}", parts[n - 2], parts[n - 1]))
}

/// The cause found in a step: its anchor line, the excerpt, the consequences, and the
/// (0-based) lines shown.
#[derive(Debug, Default)]
pub(super) struct Found {
    pub anchor: Option<usize>,
    /// The line that states the error, when it is not the anchor (a traceback's exception).
    pub stated: Option<usize>,
    pub excerpt: Vec<String>,
    pub consequences: Vec<String>,
    pub shown: Vec<usize>,
}

fn content<'a>(lines: &[&'a str], i: usize) -> Cow<'a, str> {
    lines::content(lines[i]).1
}

fn class_of(c: &str) -> Option<Class> {
    let text = lines::buildx_output(c).map_or(c, |(_, t)| t);
    classify_line(text).map(|s| s.class)
}

fn is_blank(c: &str) -> bool {
    let t = c.trim();
    t.is_empty()
        || matches!(
            t,
            "[ERROR]" | "[INFO]" | "[WARNING]" | "npm ERR!" | "npm error"
        )
}

/// A line at a level below error (`[INFO]`, `INFO:`, `[main] DEBUG …`).
fn level(c: &str) -> Option<&'static str> {
    const LEVELS: &[(&str, &str)] = &[
        ("[INFO]", "info"),
        ("INFO:", "info"),
        ("[DEBUG]", "debug"),
        ("DEBUG:", "debug"),
        ("[WARNING]", "warning"),
        ("[WARN]", "warning"),
        ("WARNING:", "warning"),
    ];
    let t = c.trim_start();
    LEVELS
        .iter()
        .find(|(p, _)| t.starts_with(p))
        .map(|(_, l)| *l)
}

/// The runner's bookkeeping, never output: `##[group]`, `##[endgroup]`, GitLab's section
/// markers, Jenkins' `[Pipeline]` lines.
pub(super) fn is_marker(c: &str) -> bool {
    c.starts_with("##[")
        || c.starts_with("section_end:")
        || c.starts_with("section_start:")
        || c.starts_with("[Pipeline] ")
}

/// A command the runner or a shell echoes before running it.
fn is_echo(c: &str) -> bool {
    let t = c.trim_start();
    t.starts_with("+ ")
        || t.starts_with("$ ")
        || t.starts_with("[command]")
        || t.starts_with("> git ")
        || c.starts_with('[') && c.contains("] $ ")
}

/// Finds the cause in the failing section `s`; `is_new` says whether a line is absent from
/// the passing log (always true without one).
pub(super) fn find(lines: &[&str], s: &Section, is_new: &dyn Fn(usize) -> bool) -> Found {
    let narrowed = s
        .maven
        .failing_start()
        .filter(|&i| i >= s.body && i <= s.end);
    let start = narrowed.unwrap_or(s.body.min(s.end));
    let end = s.end;
    let marks: Vec<&Mark> = s
        .marks
        .iter()
        .filter(|m| m.line >= start && m.line <= end)
        .collect();
    let annotation = |i: usize| content(lines, i).starts_with("##[error]");
    let mut found = Found::default();

    // Buildx: the failing step's own output.
    let docker = marks.iter().find_map(|m| {
        let c = content(lines, m.line);
        let (id, rest) = c.strip_prefix('#')?.split_once(' ')?;
        (m.class == Class::Wrapper && rest.starts_with("ERROR: process "))
            .then(|| (id.to_string(), m.line))
    });
    let mut excerpt: Vec<usize> = Vec::new();
    // Whether the last block was cut at its cap.
    let mut capped = false;
    if let Some((id, wrapper)) = &docker {
        let output = |i: usize| {
            let c = content(lines, i);
            lines::buildx_output(&c).is_some_and(|(n, _)| n == id)
        };
        let header = (start..*wrapper).rev().find(|&i| {
            let c = content(lines, i);
            c.strip_prefix('#')
                .and_then(|r| r.split_once(' '))
                .is_some_and(|(n, r)| n == id && r.starts_with('['))
        });
        let steps: Vec<usize> = (header.unwrap_or(start)..*wrapper)
            .filter(|&i| output(i))
            .collect();
        let anchor = marks
            .iter()
            .filter(|m| m.line < *wrapper && output(m.line))
            .filter(|m| matches!(m.class, Class::Primary | Class::Summary | Class::Generic))
            .min_by_key(|m| (m.class != Class::Primary, !is_new(m.line), m.line))
            .map(|m| m.line);
        let from = match anchor {
            Some(a) => steps.iter().position(|&i| i == a).unwrap_or(0),
            None => steps.len().saturating_sub(10),
        };
        excerpt.extend(header);
        capped = steps.len() - from > MAX_BLOCK;
        excerpt.extend(steps.iter().skip(from).take(MAX_BLOCK));
        found.anchor = anchor.or(Some(*wrapper));
    } else {
        let pick = |want: &dyn Fn(&Mark) -> bool| {
            let mut it = marks.iter().filter(|m| want(m));
            let first = it.clone().next().map(|m| m.line);
            it.find(|m| is_new(m.line)).map(|m| m.line).or(first)
        };
        let not_exit_code = s
            .annotations
            .iter()
            .copied()
            .filter(|&i| i >= start)
            .find(|&i| !content(lines, i).contains("exit code"));
        let anchor = s
            .infra_annotation
            .or_else(|| pick(&|m| m.class == Class::Primary && m.specific))
            .or_else(|| pick(&|m| m.class == Class::Primary))
            .or_else(|| pick(&|m| m.class == Class::Summary))
            .or(not_exit_code)
            .or_else(|| pick(&|m| m.class == Class::Generic))
            .or_else(|| pick(&|m| m.class == Class::Wrapper && !annotation(m.line)))
            .or_else(|| s.annotations.first().copied());
        found.anchor = anchor;
        // A traceback states its error on its last line, after the frames.
        if let Some(a) = anchor
            && content(lines, a)
                .trim_start()
                .starts_with("Traceback (most recent call last)")
        {
            found.stated = block(lines, a, start, end, false)
                .into_iter()
                .rev()
                .find(|&i| {
                    let c = content(lines, i);
                    !c.starts_with([' ', '\t']) && c.contains(':')
                });
        }
        let whole = narrowed.is_none() && !s.title.is_empty() && end + 1 - start <= SHORT_STEP;
        if whole {
            excerpt.extend((start..=end).filter(|&i| {
                let c = content(lines, i);
                let bookkeeping =
                    is_marker(&c) || matches!(class_of(&c), Some(Class::Wrapper | Class::Banner));
                Some(i) == anchor || !bookkeeping
            }));
        } else if let Some(a) = anchor {
            if let Some(d) = s.detail.filter(|&d| d < a && d >= start) {
                excerpt.extend(d.saturating_sub(6).max(start)..=(d + 4).min(a.saturating_sub(1)));
            }
            let first_block = block(lines, a, start, end, true);

            capped = first_block.len() >= MAX_BLOCK;
            let mut last = first_block.last().copied().unwrap_or(a);
            excerpt.extend(first_block);
            // The same tool's further errors (the compiler's next ones), up to its wrapper.
            let anchor_mark = marks.iter().find(|m| m.line == a);
            if let Some(am) = anchor_mark.filter(|m| m.specific && m.class == Class::Primary) {
                let stop = marks
                    .iter()
                    .find(|m| m.line > a && m.class == Class::Wrapper)
                    .map_or(end, |m| m.line.saturating_sub(1));
                let mut texts: Vec<String> = excerpt.iter().map(|&i| shown(lines[i])).collect();
                for m in marks.iter().filter(|m| {
                    m.line > a && m.line <= stop && m.class == Class::Primary && m.tool == am.tool
                }) {
                    if m.line <= last || excerpt.len() >= MAX_EXCERPT {
                        continue;
                    }
                    let text = shown(lines[m.line]);
                    if texts.contains(&text) {
                        continue;
                    }
                    let room = MAX_EXCERPT - excerpt.len();
                    let more: Vec<usize> = block(lines, m.line, start, stop, false)
                        .into_iter()
                        .take(room)
                        .collect();
                    capped = more.len() >= MAX_BLOCK;
                    texts.extend(more.iter().map(|&i| shown(lines[i])));
                    last = more.last().copied().unwrap_or(m.line);
                    excerpt.extend(more);
                }
            }
        }
    }
    excerpt.sort_unstable();
    excerpt.dedup();
    while excerpt
        .last()
        .is_some_and(|&i| is_blank(&content(lines, i)))
    {
        excerpt.pop();
    }

    // Consequences: wrappers after the cause, every annotation of the step.
    let after = excerpt.last().copied().max(found.anchor).unwrap_or(start);
    let mut consequences: Vec<usize> = Vec::new();
    let mut seen: Vec<String> = excerpt.iter().map(|&i| shown(lines[i])).collect();
    let wrappers = s
        .marks
        .iter()
        .filter(|m| m.line > after && m.class == Class::Wrapper && !annotation(m.line))
        .map(|m| m.line);
    for i in s.annotations.iter().copied().chain(wrappers) {
        if excerpt.contains(&i) {
            continue;
        }
        let text = shown(lines[i]);
        if seen.contains(&text) {
            continue;
        }
        seen.push(text);
        consequences.push(i);
    }
    consequences.sort_unstable();
    let annotations = consequences.iter().filter(|&&i| annotation(i)).count();
    let mut kept = 0;
    consequences.retain(|&i| {
        // Annotations are never dropped; wrappers fill what room is left.
        let keep = annotation(i) || kept + annotations < MAX_CONSEQUENCES;
        if keep && !annotation(i) {
            kept += 1;
        }
        keep
    });

    let mut prev: Option<usize> = None;
    for &i in &excerpt {
        if prev.is_some_and(|p| i > p + 1 && !skippable_between(lines, p, i)) {
            found.excerpt.push("…".into());
        }
        found.excerpt.push(shown(lines[i]));
        prev = Some(i);
    }
    if capped {
        found.excerpt.push("…".into());
    }
    found.consequences = consequences.iter().map(|&i| shown(lines[i])).collect();
    found.shown = excerpt.iter().chain(&consequences).copied().collect();
    found.shown.sort_unstable();
    found
}

/// Whether every line between `a` and `b` is one a block skips (banners, markers).
fn skippable_between(lines: &[&str], a: usize, b: usize) -> bool {
    (a + 1..b).all(|i| {
        let c = content(lines, i);
        is_marker(&c) || class_of(&c) == Some(Class::Banner)
    })
}

/// The block of the error at `a`: with `back`, the error lines of its paragraph just
/// before it; then the lines after it up to a blank line, a lower log level, a wrapper, a
/// runner marker or [`MAX_BLOCK`] lines. Banners inside are skipped (tools interleave
/// stdout and stderr).
fn block(lines: &[&str], a: usize, start: usize, end: usize, back: bool) -> Vec<usize> {
    let mut first = a;
    if back {
        let mut j = a;
        for _ in 0..LOOK_BACK {
            if j == 0 || j - 1 < start {
                break;
            }
            j -= 1;
            let c = content(lines, j);
            if is_blank(&c) || level(&c).is_some() || is_echo(&c) || is_marker(&c) {
                break;
            }
            match class_of(&c) {
                Some(Class::Wrapper | Class::Banner) => break,
                Some(_) => first = j,
                None => {}
            }
        }
    }
    // One plain line just before the paragraph is context: what the tool or the test was
    // doing when it failed.
    if back && first > start {
        let c = content(lines, first - 1);
        let plain = !is_blank(&c) && level(&c).is_none() && !is_echo(&c) && !is_marker(&c);
        if plain && class_of(&c).is_none() {
            first -= 1;
        }
    }
    let anchor_level = level(&content(lines, a));
    let mut out: Vec<usize> = (first..a)
        .filter(|&i| class_of(&content(lines, i)) != Some(Class::Banner))
        .collect();
    out.push(a);
    let mut i = a + 1;
    while i <= end && out.len() < MAX_BLOCK {
        let c = content(lines, i);
        if is_marker(&c) || is_blank(&c) || is_echo(&c) {
            break;
        }
        if let Some(l) = level(&c)
            && Some(l) != anchor_level
        {
            break;
        }
        match class_of(&c) {
            Some(Class::Wrapper) => break,
            Some(Class::Banner) => {}
            _ => out.push(i),
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_failed_goal_names_the_execution_its_header_shows() {
        assert_eq!(
            execution(
                "org.apache.maven.plugins:maven-compiler-plugin:3.8.1:compile (default-compile) on project jimfs: Compilation failure"
            )
            .as_deref(),
            Some("3.8.1:compile (default-compile) @ jimfs")
        );
        let mut m = Maven::default();
        m.read(
            3,
            "[INFO] --- maven-compiler-plugin:3.8.1:compile (default-compile) @ jimfs ---",
        );
        m.read(9, "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-compiler-plugin:3.8.1:compile (default-compile) on project jimfs: Compilation failure");
        assert_eq!(m.failing_start(), Some(3));
    }

    #[test]
    fn the_reactor_s_first_failed_module_starts_the_search() {
        let mut m = Maven::default();
        m.read(
            1,
            "[INFO] Building core 1.0                                  [1/2]",
        );
        m.read(2, "[INFO] Building jar: /w/core/target/core-1.0.jar");
        m.read(
            5,
            "[INFO] Building web 1.0                                   [2/2]",
        );
        m.read(8, "[INFO] Reactor Summary for parent 1.0:");
        m.read(
            9,
            "[INFO] core ............................................ SUCCESS [  1.0 s]",
        );
        m.read(
            10,
            "[INFO] web ............................................. FAILURE [  1.0 s]",
        );
        m.read(12, "[ERROR] Failed to execute goal org.apache.maven.plugins:maven-surefire-plugin:3.0.0:test (default-test) on project web: There are test failures.");
        assert_eq!(m.failing_start(), Some(5));
    }
}
