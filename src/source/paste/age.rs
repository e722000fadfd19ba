//! kubectl's relative ages (`45s`, `3m12s`, `5h`, `2d3h`, `2y10d`, `<invalid>`) turned back
//! into times, against the moment the paste is taken to have been printed.

use jiff::{SignedDuration, Timestamp};

/// What an AGE or LAST SEEN cell says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Age {
    /// This long before kubectl printed it.
    Ago(i64),
    /// `<invalid>`: the time lay in the future of kubectl's clock (clock skew), so it was
    /// about when kubectl printed it.
    Invalid,
}

/// Reads one age cell; `None` for anything else (`<unknown>`, a word, an empty cell).
pub fn parse(cell: &str) -> Option<Age> {
    let cell = cell.trim();
    if cell == "<invalid>" {
        return Some(Age::Invalid);
    }
    if cell.is_empty() || !cell.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    let mut total: i64 = 0;
    let mut number: Option<i64> = None;
    for c in cell.chars() {
        if let Some(d) = c.to_digit(10) {
            number = Some(
                number
                    .unwrap_or(0)
                    .checked_mul(10)?
                    .checked_add(i64::from(d))?,
            );
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            'y' => 365 * 86_400,
            _ => return None,
        };
        total = total.checked_add(number.take()?.checked_mul(unit)?)?;
    }
    if number.is_some() {
        return None;
    }
    Some(Age::Ago(total))
}

/// The time an age points at, seen from `anchor`.
pub fn resolve(age: Age, anchor: Timestamp) -> Timestamp {
    match age {
        Age::Invalid => anchor,
        Age::Ago(secs) => anchor
            .checked_sub(SignedDuration::from_secs(secs))
            .unwrap_or(Timestamp::MIN),
    }
}

/// `Fri, 20 Nov 2026 09:08:03 +0000` (describe's RFC 1123 with a numeric zone), or RFC
/// 3339 (`-o yaml`, logs).
pub fn parse_time(s: &str) -> Option<Timestamp> {
    let s = s.trim();
    if let Ok(t) = s.parse::<Timestamp>() {
        return Some(t);
    }
    jiff::fmt::rfc2822::parse(s)
        .ok()
        .map(|z| z.timestamp())
        .or_else(|| {
            jiff::Zoned::strptime("%a, %d %b %Y %H:%M:%S %z", s)
                .ok()
                .map(|z| z.timestamp())
        })
}

/// The RFC 3339 form the API writes.
pub fn rfc3339(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubectl_ages_read_back() {
        assert_eq!(parse("3m12s"), Some(Age::Ago(192)));
        assert_eq!(parse("2d"), Some(Age::Ago(172_800)));
        assert_eq!(parse("2y10d"), Some(Age::Ago(740 * 86_400)));
        assert_eq!(parse("<invalid>"), Some(Age::Invalid));
        assert_eq!(parse("<unknown>"), None);
        assert_eq!(parse("12"), None);
        assert_eq!(parse("99999999999999999999d"), None);
        let now: Timestamp = "2026-11-20T10:00:00Z".parse().unwrap();
        assert_eq!(
            rfc3339(resolve(Age::Ago(3600), now)),
            "2026-11-20T09:00:00Z"
        );
        assert_eq!(resolve(Age::Invalid, now), now);
    }

    #[test]
    fn describe_times_read_back() {
        let t = parse_time("Fri, 20 Nov 2026 09:08:03 +0000").expect("RFC 1123");
        assert_eq!(rfc3339(t), "2026-11-20T09:08:03Z");
        assert!(parse_time("Fri, 20 Nov 2026 09:08:03 +0100").is_some());
        assert!(parse_time("2026-11-20T09:08:03Z").is_some());
        assert!(parse_time("yesterday").is_none());
    }
}
