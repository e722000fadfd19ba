//! Durations as people type them (`--timeout 30s`, `--since 1h30m`, MCP's `window: "7d"`),
//! read by jiff's friendly parser. Input may come from an MCP client, so every failure —
//! garbage, a negative span, a number past what a duration holds — is an error, never a
//! panic or a wrapped value.

use std::time::Duration;

use jiff::fmt::friendly::SpanParser;
use jiff::{Span, SpanRelativeTo};

const EXAMPLES: &str = "use e.g. 30s, 500ms, 2m, 1h30m, 7d";

static PARSER: SpanParser = SpanParser::new();

/// `30` (seconds), `30s`, `500ms`, `2m`, `1h`, `7d` (7×24h), and compounds: `1h30m`,
/// `1d12h`, `1h 30m`, `2 hours`, `1.5s`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let text = s.trim();
    if text.is_empty() {
        return Err(format!("the duration is empty; {EXAMPLES}"));
    }
    // A bare number has always meant seconds; jiff wants a unit.
    let with_unit;
    let input = match text.bytes().all(|b| b.is_ascii_digit()) {
        true => {
            with_unit = format!("{text}s");
            with_unit.as_str()
        }
        false => text,
    };
    // jiff words a number too big in several ways; the same text with small numbers
    // parsing tells that the size alone was wrong.
    let span: Span = PARSER.parse_span(input).map_err(|_| {
        match PARSER.parse_span(with_small_numbers(input)) {
            Ok(span) if span.is_negative() => negative(text),
            Ok(_) => too_long(text),
            Err(_) => format!("'{text}' is not a duration; {EXAMPLES}"),
        }
    })?;
    if span.is_negative() {
        return Err(negative(text));
    }
    if span.get_years() != 0 || span.get_months() != 0 || span.get_weeks() != 0 {
        return Err(format!(
            "'{text}' uses weeks, months or years; give days instead (months and years vary in length): {EXAMPLES}"
        ));
    }
    let signed = span
        .to_duration(SpanRelativeTo::days_are_24_hours())
        .map_err(|_| too_long(text))?;
    Duration::try_from(signed).map_err(|_| too_long(text))
}

/// `text` with every whole number cut to `1` (the digits of a fraction stay).
fn with_small_numbers(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    // Inside a run of digits: whether it is a whole number, being cut.
    let mut run: Option<bool> = None;
    let mut prev = None;
    for c in text.chars() {
        match (c.is_ascii_digit(), run) {
            (true, Some(true)) => {}
            (true, Some(false)) => out.push(c),
            (true, None) => {
                let whole = !matches!(prev, Some('.' | ','));
                run = Some(whole);
                out.push(if whole { '1' } else { c });
            }
            (false, _) => {
                run = None;
                out.push(c);
            }
        }
        prev = Some(c);
    }
    out
}

fn negative(text: &str) -> String {
    format!("'{text}' is negative; a duration counts forward: {EXAMPLES}")
}

fn too_long(text: &str) -> String {
    format!(
        "'{text}' is too long a duration (each unit holds at most about 20,000 years); {EXAMPLES}"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: u64 = 60;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;

    #[test]
    fn every_form_read_before_jiff() {
        for (text, secs) in [
            ("30", 30),
            ("0", 0),
            (" 30 ", 30),
            ("30s", 30),
            ("2m", 2 * MINUTE),
            ("1h", HOUR),
            ("24h", DAY),
            ("7d", 7 * DAY),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
    }

    #[test]
    fn compound_forms() {
        for (text, secs) in [
            ("1h30m", HOUR + 30 * MINUTE),
            ("1h 30m", HOUR + 30 * MINUTE),
            ("1d12h", DAY + 12 * HOUR),
            ("2m30s", 2 * MINUTE + 30),
            ("2 hours", 2 * HOUR),
            ("1 day, 2 hours", DAY + 2 * HOUR),
        ] {
            assert_eq!(
                parse_duration(text),
                Ok(Duration::from_secs(secs)),
                "{text}"
            );
        }
        assert_eq!(parse_duration("1s500ms"), Ok(Duration::from_millis(1500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
    }

    #[test]
    fn garbage_is_refused_with_examples() {
        for text in [
            "", "  ", "s", "ms", "abc", "1x", "30 s x", "1h30", "--1h", "1e3s",
        ] {
            let err = parse_duration(text).expect_err(text);
            assert!(
                err.contains("e.g. 30s, 500ms, 2m, 1h30m, 7d"),
                "{text}: {err}"
            );
        }
    }

    #[test]
    fn negatives_are_refused() {
        for text in ["-5", "-5s", "-1h30m", "5s ago"] {
            let err = parse_duration(text).expect_err(text);
            assert!(
                err.contains("negative") || err.contains("not a duration"),
                "{text}: {err}"
            );
        }
        for text in ["-1h", "-99999999999999999s"] {
            assert!(
                parse_duration(text).is_err_and(|e| e.contains("negative")),
                "{text}"
            );
        }
    }

    #[test]
    fn calendar_units_are_refused() {
        for text in ["2 weeks", "1w", "1mo", "1y"] {
            let err = parse_duration(text).expect_err(text);
            assert!(err.contains("give days instead"), "{text}: {err}");
        }
    }

    #[test]
    fn overflow_is_refused_not_wrapped() {
        for text in [
            "99999999999999999d",
            "99999999999999999",
            "99999999999999999999999999s",
            "18446744073709551616ms",
            "9223372036854775808 nanoseconds",
            "1043498 weeks",
        ] {
            let err = parse_duration(text).expect_err(text);
            assert!(err.contains("too long"), "{text}: {err}");
        }
    }

    #[test]
    fn numbers_are_cut_but_fractions_kept_to_tell_overflow_from_garbage() {
        assert_eq!(with_small_numbers("99999d 12h1.25s"), "1d 1h1.25s");
        assert_eq!(with_small_numbers("2,500s x"), "1,500s x");
    }

    proptest::proptest! {
        #[test]
        fn parsing_never_panics(text in "\\PC{0,30}") {
            let _ = parse_duration(&text);
        }

        #[test]
        fn numbers_with_units_never_panic(n in proptest::num::u64::ANY, unit in "(ms|s|m|h|d|w|us|ns|)") {
            let _ = parse_duration(&format!("{n}{unit}"));
        }
    }
}
