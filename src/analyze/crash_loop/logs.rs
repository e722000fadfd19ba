//! Reading container logs for the pod-level analyzers (`crash_loop`, `oom`, `probe`,
//! `unknown`): the crashed instance's log, its first error with the stack trace that
//! follows (Python tracebacks, Go panics, Java exceptions, levelled and JSON log lines),
//! and its last lines.

use std::sync::LazyLock;

use regex::Regex;

use crate::analyze::{Context, PodContext};
use crate::model::log_line::{Strictness, is_error_line};

/// Lines of trace kept with the first error.
const MAX_TRACE: usize = 12;
/// Lines of trace quoted in evidence.
pub(in crate::analyze) const TRACE_IN_EVIDENCE: usize = 8;

/// The log of the crashed instance when there is one, else the current log; with whether
/// it is the previous instance's.
pub(in crate::analyze) fn container_log<'a>(
    cx: &Context<'a>,
    pod: &PodContext<'_>,
    container: &str,
) -> Option<(&'a str, bool)> {
    let s = cx.snapshot;
    s.log(pod.namespace, pod.name, container, true)
        .filter(|t| !t.trim().is_empty())
        .map(|t| (t, true))
        .or_else(|| {
            s.log(pod.namespace, pod.name, container, false)
                .map(|t| (t, false))
        })
}

/// The first error a log reports, with the stack trace that follows it.
#[derive(Debug, Clone, PartialEq)]
pub(in crate::analyze) struct LogError {
    /// The concrete line: the exception of a Python traceback, the `panic:` line…
    pub line: String,
    pub trace: Vec<String>,
    /// `file:line` of the innermost frame, when the trace says.
    pub location: Option<String>,
}

static PY_TRACEBACK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s*Traceback \(most recent call last\):").expect("valid regex"));
static PY_FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"^\s*File "([^"]+)", line (\d+)"#).expect("valid regex"));
static GO_FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+(/\S+\.go:\d+)").expect("valid regex"));
static JAVA_FRAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^\s+at \S+\(([^)]+:\d+)\)").expect("valid regex"));

/// Finds the first error in a log (ignoring kubectl's block markers) and its trace.
pub(in crate::analyze) fn first_error(log: &str) -> Option<LogError> {
    let lines: Vec<&str> = log.lines().filter(|l| !l.starts_with("==== ")).collect();
    for (i, line) in lines.iter().enumerate() {
        if PY_TRACEBACK.is_match(line) {
            return Some(python_traceback(&lines[i..]));
        }
        if is_error_line(line, Strictness::Stated) {
            let trace: Vec<String> = lines[i + 1..]
                .iter()
                .take_while(|l| is_trace_line(l))
                .take(MAX_TRACE)
                .map(|l| l.to_string())
                .collect();
            let location = trace.iter().find_map(|l| {
                GO_FRAME
                    .captures(l)
                    .or_else(|| JAVA_FRAME.captures(l))
                    .map(|c| c[1].to_string())
            });
            return Some(LogError {
                line: condense(line),
                trace,
                location,
            });
        }
    }
    None
}

/// A structured (JSON) log line shortened to its message and error: `msg: error`.
fn condense(line: &str) -> String {
    let trimmed = line.trim();
    let Ok(serde_json::Value::Object(map)) = serde_json::from_str::<serde_json::Value>(trimmed)
    else {
        return trimmed.to_string();
    };
    let field = |keys: &[&str]| {
        keys.iter()
            .find_map(|k| map.get(*k).and_then(|v| v.as_str()).map(str::to_string))
    };
    match (
        field(&["msg", "message"]),
        field(&["error", "err", "exception", "reason"]),
    ) {
        (Some(m), Some(e)) => format!("{m}: {e}"),
        (Some(m), None) => m,
        (None, Some(e)) => e,
        (None, None) => trimmed.to_string(),
    }
}

/// Lines that continue a stack trace: indented frames, goroutine headers, `Caused by:`.
fn is_trace_line(l: &str) -> bool {
    l.starts_with(char::is_whitespace)
        || l.starts_with("goroutine ")
        || l.starts_with("Caused by:")
        || l.starts_with("[signal ")
        || l.starts_with("main.")
        || l.starts_with("github.com/")
        || l.trim().is_empty()
        || (l.contains('(') && l.contains(')') && l.contains('.') && !l.contains(' '))
}

/// The exception line closing a Python traceback, with the frames before it.
fn python_traceback(lines: &[&str]) -> LogError {
    let mut trace = Vec::new();
    let mut location = None;
    for l in lines.iter().skip(1) {
        if let Some(c) = PY_FRAME.captures(l) {
            // The innermost frame of the application, not of the interpreter or a library.
            let file = &c[1];
            let library = file.starts_with('<')
                || file.contains("site-packages")
                || file.contains("/lib/python");
            if !library || location.is_none() {
                location = Some(format!("{file}:{}", &c[2]));
            }
        }
        if !l.starts_with(char::is_whitespace) && !l.trim().is_empty() {
            let mut keep: Vec<String> = trace.iter().rev().take(MAX_TRACE).cloned().collect();
            keep.reverse();
            return LogError {
                line: l.trim().to_string(),
                trace: keep,
                location,
            };
        }
        trace.push(l.to_string());
    }
    LogError {
        line: lines
            .first()
            .map(|l| l.trim().to_string())
            .unwrap_or_default(),
        trace,
        location,
    }
}

/// The last `n` non-empty lines of a log, without kubectl's block markers.
pub(in crate::analyze) fn last_lines(log: &str, n: usize) -> Vec<&str> {
    let lines: Vec<&str> = log
        .lines()
        .filter(|l| !l.starts_with("==== ") && !l.trim().is_empty())
        .collect();
    lines[lines.len().saturating_sub(n)..].to_vec()
}
