//! Whether a log line reports an error: the one classifier that the crash analyzers, the
//! Job analyzer, the LLM context's log compression and the CI log reader ask, each at the
//! strictness its use needs.

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;
use regex::Regex;

/// How much a line must say before it counts as an error. The levels differ in what a
/// false alarm costs the caller.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strictness {
    /// The line states an error the way a runtime or a logger writes one: `panic:`, an
    /// exception class, an ERROR/FATAL level (plain, `level=error`, JSON), `error:` at the
    /// start, klog's `E0102`, a shell's `not found`, a segfault. For naming *the* error a
    /// process died of, where a false alarm would be quoted as the cause.
    Stated,
    /// The line mentions a failure (`failed`, `refused`, `timed out`, `cannot`) and no
    /// structured logger levelled it info or debug. For quoting the first line that explains
    /// a failed run, where retries logged at info level would mislead.
    Mentioned,
    /// The line mentions a failure, whatever its level. For keeping every line that may
    /// explain a failure (log compression, picking what an LLM reads), where a false alarm
    /// costs one line.
    Any,
}

/// Whether `line` reports an error at `strictness`.
pub fn is_error_line(line: &str, strictness: Strictness) -> bool {
    match strictness {
        Strictness::Stated => might_state(line) && STATED.is_match(line),
        Strictness::Mentioned => {
            let lower = line.to_ascii_lowercase();
            mentions_failure(&lower) && !levelled_below_error(&lower)
        }
        Strictness::Any => mentions_failure(&line.to_ascii_lowercase()),
    }
}

/// The shapes of a stated error, in any of the languages and loggers pods run.
static STATED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"^\s*(?:panic: |fatal error: )",
        r#"|Exception in thread ""#,
        r"|^\s*(?:[a-z_][\w$]*\.)+[A-Z]\w*(?:Exception|Error)\b(?::|$)",
        r"|^\s*[A-Z]\w*(?:Error|Exception)(?::|$)",
        r"|(?:^|[\s\[|])(?:ERROR|FATAL|CRITICAL|CRIT|PANIC|SEVERE|EMERG)(?:[\s\]|:]|$)",
        r#"|"(?:level|severity|lvl)"\s*:\s*"(?i:error|fatal|panic|critical|crit|emerg)""#,
        r"|\b(?:level|lvl)=(?i:error|fatal|panic|critical)\b",
        r"|^\s*(?i:error|fatal)(?:\[\w+\])?:\s",
        r"|^\s*[\w./-]+: (?:error|fatal|FATAL|ERROR):\s",
        r"|^E\d{4} \d",
        r"|: (?:command )?not found\s*$|exec format error|[Pp]ermission denied|[Nn]o such file or directory",
        r"|\bSegmentation fault\b|\bAborted \(core dumped\)"
    ))
    .expect("valid regex")
});

/// Whether `line` holds a word every shape of [`STATED`] needs: one automaton pass, so the
/// regex runs only on the few lines that may match (CI logs run to millions of lines).
fn might_state(line: &str) -> bool {
    static WORDS: LazyLock<AhoCorasick> = LazyLock::new(|| {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build([
                "error",
                "exception",
                "fatal",
                "crit",
                "panic",
                "severe",
                "emerg",
                "not found",
                "ermission denied",
                "o such file or directory",
                "segmentation fault",
                "aborted (core dumped)",
            ])
            .expect("the word list builds")
    });
    let b = line.as_bytes();
    (b.len() > 1 && b[0] == b'E' && b[1].is_ascii_digit()) || WORDS.is_match(line)
}

/// Words of failure, lower case, as any language's messages put them.
const FAILURE_WORDS: &[&str] = &[
    "error",
    "fatal",
    "panic",
    "exception",
    "traceback",
    "failed",
    "failure",
    "refused",
    "denied",
    "forbidden",
    "unauthorized",
    "timeout",
    "timed out",
    "cannot",
    "can't ",
    "unable to",
    "not found",
    "no such",
    "invalid",
    "killed",
    "segmentation fault",
    "out of memory",
    "oomkill",
    "critical",
];

fn mentions_failure(lower: &str) -> bool {
    FAILURE_WORDS.iter().any(|w| lower.contains(w))
}

/// A structured line its logger marked info or debug (`level=info`, `"level":"debug"`).
fn levelled_below_error(lower: &str) -> bool {
    lower.contains("\"level\":\"info\"")
        || lower.contains("level=info")
        || lower.contains("\"level\":\"debug\"")
}

#[cfg(test)]
mod tests {
    use super::Strictness::{Any, Mentioned, Stated};
    use super::*;

    #[test]
    fn stated_errors_in_every_shape() {
        for line in [
            "panic: runtime error: invalid memory address or nil pointer dereference",
            "fatal error: all goroutines are asleep - deadlock!",
            "Exception in thread \"main\" java.lang.IllegalStateException: boom",
            "java.lang.NullPointerException: x",
            "KeyError: 'DATABASE_URL'",
            "2026-11-20 08:00:01 ERROR Failed to start bean 'dataSource'",
            "[FATAL] cannot bind",
            r#"{"level":"error","msg":"boom"}"#,
            "time=2026 level=error msg=boom",
            "error: could not compile `web`",
            "Error[E0308]: mismatched types",
            "E1120 08:00:01.000000 1 main.go:12] boom",
            "/bin/sh: 1: ./server: not found",
            "exec /app/server: exec format error",
            "open /etc/app.yaml: permission denied",
            "Segmentation fault",
        ] {
            assert!(is_error_line(line, Stated), "{line}");
        }
        for line in [
            "retry failed once",
            "ERRORS=0",
            "errors: 0",
            "INFO starting",
            "Error handling is configured",
        ] {
            assert!(!is_error_line(line, Stated), "{line}");
        }
    }

    #[test]
    fn mentioned_failures_skip_lines_levelled_info_or_debug() {
        assert!(is_error_line("retry failed once", Mentioned));
        assert!(is_error_line("ERROR: disk full", Mentioned));
        assert!(is_error_line("connection refused", Mentioned));
        assert!(!is_error_line(
            r#"{"level":"info","msg":"retry failed once"}"#,
            Mentioned
        ));
        assert!(!is_error_line(
            "level=debug msg=\"cannot\" level=info",
            Mentioned
        ));
        assert!(!is_error_line("listening on :8080", Mentioned));
    }

    #[test]
    fn any_mention_counts_whatever_its_level() {
        assert!(is_error_line(
            r#"{"level":"info","msg":"retry failed once"}"#,
            Any
        ));
        assert!(is_error_line("upstream timed out", Any));
        assert!(is_error_line("Can't connect", Any));
        assert!(!is_error_line("ready in 3s", Any));
    }
}
