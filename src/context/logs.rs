//! Log compression for the LLM context: the lines that explain a failure verbatim, the rest
//! folded into templates with counts.
//!
//! Kept verbatim: the first lines (start-up banner, version, config path), the first error
//! line, every stack trace in full (Java/Go/Python/Node/Rust shapes), and the last lines
//! (where a crashed container died). Everything else goes through a Drain-style template
//! miner (He et al., 2017): lines are masked (numbers, hex ids, IPs, durations, quoted
//! values), bucketed by token count and first token, and joined to the most similar
//! template in the bucket when at least half of the tokens match, the differing positions
//! becoming `<*>`. Each template is printed once, where it first occurred, with its count.
//! An error line repeated hundreds of times costs one line.

use std::fmt::Write as _;

use crate::model::log_line::{Strictness, is_error_line};
use crate::model::text::{Budget, clip};

/// Lines kept verbatim at the start and at the end.
const HEAD: usize = 2;
const TAIL: usize = 8;
/// A stack trace longer than this keeps its first lines and its last (the root frame and
/// the `Caused by` chain are usually at the ends).
const MAX_TRACE: usize = 60;
/// Drain's similarity threshold.
const SIMILARITY: f64 = 0.5;
/// How similar consecutive verbatim lines are to count as one retried thing: stricter than
/// Drain's, since these lines are otherwise kept as they are.
const ALIKE: f64 = 0.8;
/// Longest line kept; longer ones are cut (JSON blobs, base64).
const MAX_LINE: usize = 400;

/// A compressed log and what it was made from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Compressed {
    pub text: String,
    pub lines_in: usize,
    pub lines_out: usize,
    pub templates: usize,
}

/// How a line is treated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    Verbatim,
    Template,
    /// Inside a run of alike verbatim lines: counted.
    Alike,
    /// Banner art: counted.
    Decoration,
}

/// Compresses one container log. `detail` shrinks the verbatim regions (1.0 = full) so the
/// budget can ask for a shorter version of the same log.
pub fn compress(log: &str, detail: f64) -> Compressed {
    let lines: Vec<&str> = log.lines().filter(|l| !l.trim().is_empty()).collect();
    let n = lines.len();
    let head = scaled(HEAD, detail);
    let tail = scaled(TAIL, detail);
    let max_trace = scaled(MAX_TRACE, detail).max(8);
    let mut keep = vec![Keep::Template; n];
    for k in keep.iter_mut().take(head) {
        *k = Keep::Verbatim;
    }
    for k in keep.iter_mut().skip(n.saturating_sub(tail)) {
        *k = Keep::Verbatim;
    }
    // The first error and the traces are kept whole; elsewhere a run of alike lines in the
    // verbatim regions keeps its ends.
    let mut whole = vec![false; n];
    if let Some(first) = lines.iter().position(|l| is_error_line(l, Strictness::Any)) {
        keep[first] = Keep::Verbatim;
        whole[first] = true;
        // The line before an error often names what was being attempted.
        if first > 0 {
            keep[first - 1] = Keep::Verbatim;
            whole[first - 1] = true;
        }
    }
    for (start, end) in traces(&lines) {
        let len = end - start;
        for (i, k) in keep.iter_mut().enumerate().take(end).skip(start) {
            let offset = i - start;
            whole[i] = true;
            if len <= max_trace || offset < max_trace * 2 / 3 || offset >= len - max_trace / 3 {
                *k = Keep::Verbatim;
            }
        }
    }
    // Banner art and separator rules carry no words: three or more in a row are counted.
    let mut i = 0;
    while i < n {
        let art = |j: usize| keep[j] == Keep::Template && !whole[j] && is_decoration(lines[j]);
        let run = (i..n).take_while(|&j| art(j)).count();
        if run >= 3 {
            keep[i..i + run].fill(Keep::Decoration);
        }
        i += run.max(1);
    }
    // Retries a few seconds apart (`attempt 1`, `attempt 2`, …) say it once more each: the
    // middle of a run of alike verbatim lines is counted, its first and last lines stay.
    let verbatim: Vec<bool> = keep.iter().map(|k| *k == Keep::Verbatim).collect();
    let masked: Vec<Vec<String>> = lines
        .iter()
        .zip(&verbatim)
        .map(|(l, v)| match v {
            true => l.split_whitespace().map(mask).collect(),
            false => Vec::new(),
        })
        .collect();
    for i in 1..n.saturating_sub(1) {
        if !whole[i]
            && verbatim[i - 1..=i + 1].iter().all(|v| *v)
            && alike(&masked[i - 1], &masked[i])
            && alike(&masked[i], &masked[i + 1])
        {
            keep[i] = Keep::Alike;
        }
    }

    let mut miner = Miner::default();
    // Per output slot: a verbatim line, or a template index printed at first occurrence.
    enum Slot<'a> {
        Line(&'a str),
        Template(usize),
        Elided(Cut, usize),
    }
    #[derive(Clone, Copy, PartialEq)]
    enum Cut {
        Frames,
        Alike,
        Decoration,
    }
    let mut slots: Vec<Slot<'_>> = Vec::new();
    // Cut lines of one kind in a row are counted in one slot.
    let elide = |slots: &mut Vec<Slot<'_>>, kind: Cut| match slots.last_mut() {
        Some(Slot::Elided(k, count)) if *k == kind => *count += 1,
        _ => slots.push(Slot::Elided(kind, 1)),
    };
    for (i, line) in lines.iter().enumerate() {
        match keep[i] {
            Keep::Verbatim => slots.push(Slot::Line(line)),
            Keep::Alike => elide(&mut slots, Cut::Alike),
            // Inside a long trace, cut frames are counted, not mined.
            Keep::Template if in_trace_middle(&lines, i) => elide(&mut slots, Cut::Frames),
            Keep::Decoration => elide(&mut slots, Cut::Decoration),
            Keep::Template => {
                let (t, new) = miner.add(line);
                if new {
                    slots.push(Slot::Template(t));
                }
            }
        }
    }

    let mut text = String::new();
    let mut lines_out = 0;
    for slot in &slots {
        match slot {
            Slot::Line(l) => {
                let _ = writeln!(text, "{}", clip(l, Budget::Bytes(MAX_LINE)));
            }
            Slot::Template(t) => {
                let c = &miner.clusters[*t];
                if c.count == 1 {
                    let _ = writeln!(text, "{}", clip(&c.first, Budget::Bytes(MAX_LINE)));
                } else {
                    let _ = writeln!(
                        text,
                        "[x{}] {}",
                        c.count,
                        clip(&c.tokens.join(" "), Budget::Bytes(MAX_LINE))
                    );
                }
            }
            Slot::Elided(kind, k) => {
                let what = match kind {
                    Cut::Frames => "more frames",
                    Cut::Alike if *k == 1 => "line like those around it",
                    Cut::Alike => "lines like those around them",
                    Cut::Decoration => "lines of banner art",
                };
                let _ = writeln!(text, "  … {k} {what} …");
            }
        }
        lines_out += 1;
    }
    Compressed {
        text,
        lines_in: n,
        lines_out,
        templates: miner.clusters.len(),
    }
}

fn scaled(n: usize, detail: f64) -> usize {
    ((n as f64) * detail.clamp(0.0, 1.0)).round() as usize
}

/// Retries of one thing: as many tokens, most of them equal once masked (the attempt
/// number and the timestamp differ).
fn alike(a: &[String], b: &[String]) -> bool {
    a.len() == b.len() && a.len() >= 3 && similarity(a, b) >= ALIKE
}

/// A line without a word or a number of three characters (`  .   ____   _  __ _ _`,
/// `=====|_|====`): banner art or a separator.
fn is_decoration(line: &str) -> bool {
    !line
        .split(|c: char| !c.is_ascii_alphanumeric())
        .any(|w| w.len() >= 3)
}

/// Whether a line belongs to a stack trace or traceback.
fn is_trace_line(line: &str) -> bool {
    let t = line.trim_start();
    let indented = line.len() != t.len();
    t.starts_with("at ") && indented
        || t.starts_with("Traceback (most recent call last)")
        || t.starts_with("File \"") && indented
        || t.starts_with("Caused by:")
        || t.starts_with("goroutine ") && t.ends_with(':')
        || t.starts_with("panic:")
        || t.starts_with("thread '") && t.contains("panicked")
        || t.starts_with("stack backtrace:")
        || t.starts_with("... ") && t.ends_with(" more")
        || (indented && (t.ends_with(".go") || t.contains(".go:") || t.contains(".rs:")))
        || (indented && t.starts_with(char::is_numeric) && t.contains(": "))
        || t.starts_with("created by ")
        || (t.starts_with("main.") || t.starts_with("runtime.")) && t.ends_with(')')
}

/// `[start, end)` ranges of stack traces: a run of trace lines, with the line before it
/// (the exception message) and the one after (Python's final `XError: …`).
fn traces(lines: &[&str]) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < lines.len() {
        if !is_trace_line(lines[i]) {
            i += 1;
            continue;
        }
        let start = i.saturating_sub(1);
        let mut end = i;
        while end < lines.len() && (is_trace_line(lines[end]) || continues_trace(lines, end)) {
            end += 1;
        }
        // The exception line that closes a Python traceback.
        if end < lines.len() && is_error_line(lines[end], Strictness::Any) {
            end += 1;
        }
        out.push((start, end));
        i = end.max(i + 1);
    }
    out
}

/// Python and Go traces alternate frame lines with indented source lines.
fn continues_trace(lines: &[&str], i: usize) -> bool {
    let line = lines[i];
    i > 0
        && is_trace_line(lines[i - 1])
        && line.starts_with(char::is_whitespace)
        && !line.trim().is_empty()
}

fn in_trace_middle(lines: &[&str], i: usize) -> bool {
    is_trace_line(lines[i]) || continues_trace(lines, i)
}

/// One log template.
#[derive(Debug, Clone)]
struct Cluster {
    tokens: Vec<String>,
    first: String,
    count: usize,
}

/// A Drain-style miner: a bucket per (token count, first token), clusters inside.
#[derive(Debug, Default)]
struct Miner {
    clusters: Vec<Cluster>,
    buckets: std::collections::HashMap<(usize, String), Vec<usize>>,
}

impl Miner {
    /// Adds a line; returns its cluster and whether the cluster is new.
    fn add(&mut self, line: &str) -> (usize, bool) {
        let tokens: Vec<String> = line.split_whitespace().map(mask).collect();
        let key = (tokens.len(), tokens.first().cloned().unwrap_or_default());
        let bucket = self.buckets.entry(key).or_default();
        let best = bucket
            .iter()
            .map(|&c| (c, similarity(&self.clusters[c].tokens, &tokens)))
            .filter(|(_, s)| *s >= SIMILARITY)
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((c, _)) = best {
            let cluster = &mut self.clusters[c];
            for (t, new) in cluster.tokens.iter_mut().zip(&tokens) {
                if t != new {
                    *t = "<*>".into();
                }
            }
            cluster.count += 1;
            return (c, false);
        }
        let id = self.clusters.len();
        self.clusters.push(Cluster {
            tokens,
            first: line.to_string(),
            count: 1,
        });
        bucket.push(id);
        (id, true)
    }
}

fn similarity(a: &[String], b: &[String]) -> f64 {
    if a.is_empty() {
        return 1.0;
    }
    let same = a
        .iter()
        .zip(b)
        .filter(|(x, y)| x == y || x.as_str() == "<*>")
        .count();
    same as f64 / a.len() as f64
}

/// Masks the variable parts of a token: numbers, hex ids, durations, IPs, timestamps.
fn mask(token: &str) -> String {
    let core =
        token.trim_matches(|c: char| matches!(c, ',' | ';' | '"' | '\'' | '(' | ')' | '[' | ']'));
    if core.is_empty() {
        return token.to_string();
    }
    let digits = core.chars().filter(char::is_ascii_digit).count();
    let hex = core.chars().all(|c| c.is_ascii_hexdigit() || c == '-');
    if digits > 0 && (digits * 2 >= core.len() || (hex && core.len() >= 8)) {
        return "<*>".into();
    }
    // key=value with a variable value keeps the key: `latency=12ms` → `latency=<*>`.
    if let Some((k, v)) = core.split_once('=')
        && v.chars().any(|c| c.is_ascii_digit())
    {
        return format!("{k}=<*>");
    }
    token.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repeated_lines_collapse_into_one_template_with_a_count() {
        let mut log = String::from("starting api v1.2\nlistening on :8080\nconfig loaded\n");
        for i in 0..500 {
            log.push_str(&format!(
                "GET /healthz 200 {}ms from 10.0.0.{}\n",
                i % 7,
                i % 200
            ));
        }
        log.push_str("shutting down\n");
        let c = compress(&log, 1.0);
        assert!(c.text.contains("[x"), "{}", c.text);
        assert!(c.lines_out < 30, "{} lines:\n{}", c.lines_out, c.text);
        assert!(c.text.contains("starting api v1.2"));
    }

    #[test]
    fn the_first_error_and_a_full_java_stack_trace_are_kept_verbatim() {
        let mut log = String::new();
        for i in 0..100 {
            log.push_str(&format!("INFO processed batch {i} in {}ms\n", i * 3));
        }
        log.push_str("ERROR Failed to start bean 'dataSource'\n");
        log.push_str("java.lang.IllegalStateException: Driver org.postgresql.Driver claims to not accept jdbcUrl\n");
        for f in 0..20 {
            log.push_str(&format!(
                "\tat com.zaxxer.hikari.pool.Frame{f}.run(Frame{f}.java:{})\n",
                100 + f
            ));
        }
        for i in 0..100 {
            log.push_str(&format!("INFO retrying {i}\n"));
        }
        let c = compress(&log, 1.0);
        assert!(c.text.contains("ERROR Failed to start bean 'dataSource'"));
        assert!(c.text.contains("IllegalStateException"));
        for f in 0..20 {
            assert!(
                c.text.contains(&format!("Frame{f}.java")),
                "frame {f} missing:\n{}",
                c.text
            );
        }
        assert!(c.lines_out < 60, "{}", c.text);
    }

    #[test]
    fn a_python_traceback_keeps_its_closing_exception() {
        let log = "booting\nTraceback (most recent call last):\n  File \"/app/settings.py\", line 12, in <module>\n    PAYMENT = os.environ[\"PAYMENT_API_URL\"]\n  File \"/usr/lib/python3.12/os.py\", line 714, in __getitem__\n    raise KeyError(key) from None\nKeyError: 'PAYMENT_API_URL'\n";
        let c = compress(log, 1.0);
        assert!(c.text.contains("KeyError: 'PAYMENT_API_URL'"), "{}", c.text);
        assert!(c.text.contains("settings.py"), "{}", c.text);
    }

    #[test]
    fn less_detail_means_fewer_verbatim_lines() {
        let mut log = String::new();
        for i in 0..200 {
            log.push_str(&format!(
                "worker {i} step {} done token={}\n",
                i * 7,
                i * 13
            ));
            log.push_str(&format!("unique message number {i} about item {}\n", i * i));
        }
        let full = compress(&log, 1.0);
        let short = compress(&log, 0.3);
        assert!(short.text.len() < full.text.len());
    }

    #[test]
    fn retries_in_a_row_keep_their_first_and_last_lines() {
        let mut log = String::from("starting api 1.8.2\nconnecting to postgres:5432\n");
        for attempt in 1..=5 {
            log.push_str(&format!(
                "09:28:0{attempt} warn database not reachable, retrying attempt={attempt} error=\"lookup postgres: no such host\"\n"
            ));
        }
        log.push_str("09:28:09 fatal cannot connect to database\n");
        let c = compress(&log, 1.0);
        assert!(c.text.contains("attempt=1 "), "{}", c.text);
        assert!(c.text.contains("attempt=5 "), "{}", c.text);
        for cut in 2..=4 {
            assert!(!c.text.contains(&format!("attempt={cut} ")), "{}", c.text);
        }
        assert!(
            c.text.contains("… 3 lines like those around them …"),
            "{}",
            c.text
        );
        assert!(c.text.contains("fatal cannot connect to database"));
    }

    #[test]
    fn banner_art_is_counted_and_a_lone_caret_is_kept() {
        let mut log = String::from("Picked up JAVA_TOOL_OPTIONS: -Xmx1024m\nbooting\n");
        for art in [
            "  .   ____          _            __ _ _",
            " /\\\\ / ___'_ __ _ _(_)_ __  __ _ \\ \\ \\ \\",
            " =========|_|==============|___/=/_/_/_/",
        ] {
            log.push_str(art);
            log.push('\n');
        }
        log.push_str(" :: Spring Boot ::                (v3.3.5)\n");
        for i in 0..10 {
            log.push_str(&format!("INFO handled request {i}\n"));
        }
        let c = compress(&log, 1.0);
        assert!(c.text.contains("… 3 lines of banner art …"), "{}", c.text);
        assert!(c.text.contains("Spring Boot"), "{}", c.text);
        let node = "node:internal/process/promises:394\n    triggerUncaughtException(err, true);\n    ^\nError: connect ECONNREFUSED 10.96.12.4:80\n";
        assert!(compress(node, 1.0).text.contains("    ^\n"));
    }
}
