//! How long ago, as kubectl's AGE column says it: `45s`, `12m`, `5h`, `3d`.

/// `3m`, `2h`, `5d`: how long before `now` something happened.
pub fn age(now: jiff::Timestamp, then: jiff::Timestamp) -> String {
    let secs = now.duration_since(then).as_secs().max(0);
    match secs {
        s if s < 120 => format!("{s}s"),
        s if s < 7200 => format!("{}m", s / 60),
        s if s < 172_800 => format!("{}h", s / 3600),
        s => format!("{}d", s / 86_400),
    }
}
