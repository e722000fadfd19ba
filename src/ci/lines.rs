//! A CI log as lines, the way every runner's output reads once its decoration is gone:
//! split on `\n`, `\r\n` and a lone `\r` (progress bars redraw with it, and a line numbered by
//! any viewer counts it as a break), then stripped of what the runner or the viewer added —
//! `gh run view --log` columns (`job<TAB>step<TAB>`), the Actions timestamp, a Jenkins
//! timestamper's `[2026-…]`, ANSI colour and cursor sequences, OSC-8 hyperlinks — leaving
//! what the tool printed.

use std::borrow::Cow;

/// The lines of `text` (a leading BOM dropped), each without its line break. Two memchr
/// passes, not a byte loop: a job log runs to tens of megabytes.
pub fn split(text: &str) -> Vec<&str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let mut out = Vec::with_capacity(text.len() / 48 + 1);
    for piece in text.split('\n') {
        let piece = piece.strip_suffix('\r').unwrap_or(piece);
        match piece.contains('\r') {
            true => out.extend(piece.split('\r')),
            false => out.push(piece),
        }
    }
    // A final line break ends the last line rather than starting an empty one.
    if text.ends_with('\n') || text.is_empty() {
        out.pop();
    }
    out
}

/// What the tool printed on `raw`: no viewer columns, no timestamp, no escape sequences.
/// The timestamp, when there was one, comes back too.
pub fn content(raw: &str) -> (Option<&str>, Cow<'_, str>) {
    let rest = strip_columns(raw);
    let (stamp, rest) = strip_timestamp(rest);
    (stamp, strip_escapes(rest))
}

/// `build<TAB>Run tests<TAB>2026-…Z line` (`gh run view --log`) → `2026-…Z line`.
fn strip_columns(line: &str) -> &str {
    let Some(first) = line.find('\t') else {
        return line;
    };
    let Some(second) = line[first + 1..].find('\t') else {
        return line;
    };
    let rest = &line[first + second + 2..];
    match looks_stamped(rest.as_bytes()) {
        true => rest,
        false => line,
    }
}

fn looks_stamped(b: &[u8]) -> bool {
    b.len() > 19
        && b[..4].iter().all(u8::is_ascii_digit)
        && b[4] == b'-'
        && b[7] == b'-'
        && b[10] == b'T'
        && b[13] == b':'
}

/// Splits `2026-11-20T08:41:07.1234567Z rest` (Actions) or `[2026-11-20T08:41:07.123Z] rest`
/// (Jenkins timestamper) into the timestamp and the rest.
pub fn strip_timestamp(line: &str) -> (Option<&str>, &str) {
    let b = line.as_bytes();
    if b.first() == Some(&b'[')
        && looks_stamped(&b[1..])
        && let Some(end) = line.find("] ")
    {
        return (line.get(1..end), &line[end + 2..]);
    }
    if !looks_stamped(b) || b.len() <= 20 {
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

/// Removes ANSI CSI sequences (`\x1b[1;31m`, GitLab's `\x1b[0K`), OSC sequences such as
/// OSC-8 hyperlinks (`\x1b]8;;URL\x1b\\text\x1b]8;;\x1b\\`, keeping the text), and stray
/// escapes.
pub fn strip_escapes(s: &str) -> Cow<'_, str> {
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
        match chars.peek() {
            Some('[') => {
                chars.next();
                for d in chars.by_ref() {
                    if ('\x40'..='\x7e').contains(&d) {
                        break;
                    }
                }
            }
            Some(']') => {
                // Up to BEL or ST (`ESC \`).
                chars.next();
                while let Some(d) = chars.next() {
                    if d == '\x07' {
                        break;
                    }
                    if d == '\x1b' {
                        if chars.peek() == Some(&'\\') {
                            chars.next();
                        }
                        break;
                    }
                }
            }
            Some(_) => {
                chars.next();
            }
            None => {}
        }
    }
    Cow::Owned(out)
}

/// Buildx prints a step's output as `#12 1.234 text`; the text alone, when it is one.
pub fn buildx_output(line: &str) -> Option<(&str, &str)> {
    let rest = line.strip_prefix('#')?;
    let (id, rest) = rest.split_once(' ')?;
    if id.is_empty() || !id.bytes().all(|c| c.is_ascii_digit()) {
        return None;
    }
    let (secs, text) = rest.split_once(' ').unwrap_or((rest, ""));
    let float = secs.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && !b.is_empty()
            && a.bytes().all(|c| c.is_ascii_digit())
            && b.bytes().all(|c| c.is_ascii_digit())
    });
    float.then_some((id, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_of_line_break_ends_a_line() {
        assert_eq!(split("a\nb\r\nc\rd\n"), vec!["a", "b", "c", "d"]);
        assert_eq!(split("\u{feff}a\r\rb"), vec!["a", "", "b"]);
        assert_eq!(split(""), Vec::<&str>::new());
    }

    #[test]
    fn decoration_is_removed() {
        let gh = "build\tRun tests\t2026-11-20T08:41:07.1234567Z \x1b[31merror\x1b[0m: x";
        assert_eq!(
            content(gh),
            (Some("2026-11-20T08:41:07.1234567Z"), Cow::from("error: x"))
        );
        assert_eq!(
            content("[2026-11-20T08:41:07.123Z] FATAL: boom").1,
            "FATAL: boom"
        );
        assert_eq!(
            strip_escapes("see \x1b]8;;https://x.test/a\x1b\\the docs\x1b]8;;\x1b\\ now"),
            "see the docs now"
        );
        assert_eq!(
            strip_escapes("\x1b[0Ksection_start:1:build"),
            "section_start:1:build"
        );
        assert_eq!(content("a\tb\tc").1, "a\tb\tc");
        assert_eq!(strip_timestamp("no stamp"), (None, "no stamp"));
    }

    #[test]
    fn buildx_step_output_is_recognised() {
        assert_eq!(
            buildx_output("#12 1.234 npm ERR! code ERESOLVE"),
            Some(("12", "npm ERR! code ERESOLVE"))
        );
        assert_eq!(buildx_output("#12 [build 4/7] RUN npm ci"), None);
        assert_eq!(buildx_output("#12 DONE 0.1s"), None);
    }
}
