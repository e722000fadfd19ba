//! Text cut to a budget without splitting a character: the one clip that table cells,
//! chat messages, evidence excerpts and log lines go through, and the char-boundary
//! arithmetic under it.

/// What a clip's budget counts. Every clip marks a cut with `…`; they differ in whether the
/// mark is part of the budget, because their readers differ.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Budget {
    /// At most this many characters in all, the `…` included: a column, a cell or a chat
    /// field that must not grow past its width.
    Width(usize),
    /// This many characters of the text kept, then `…`: an excerpt that promises how much of
    /// the original it quotes.
    Chars(usize),
    /// At most this many bytes of the text kept, cut back to a char boundary, then `…`: a
    /// bound on what a log line costs in memory and in an LLM's context, at no more than one
    /// pass over the bytes kept.
    Bytes(usize),
}

/// `s` within `budget`, unchanged when it fits.
pub fn clip(s: &str, budget: Budget) -> String {
    let (keep, fits) = match budget {
        Budget::Width(n) => (n.saturating_sub(1), s.chars().nth(n).is_none()),
        Budget::Chars(n) => (n, s.chars().nth(n).is_none()),
        Budget::Bytes(n) => {
            if s.len() <= n {
                return s.to_string();
            }
            return format!("{}…", &s[..floor_boundary(s, n)]);
        }
    };
    if fits {
        return s.to_string();
    }
    let end = s.char_indices().nth(keep).map_or(s.len(), |(i, _)| i);
    format!("{}…", &s[..end])
}

/// `s` on one line: every run of whitespace, newlines included, becomes one space.
pub fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The last char boundary at or before byte `i`; `s.len()` for any `i` past the end.
pub fn floor_boundary(s: &str, i: usize) -> usize {
    if i >= s.len() {
        return s.len();
    }
    (0..=i).rev().find(|&b| s.is_char_boundary(b)).unwrap_or(0)
}

/// The first char boundary at or after byte `i`; `s.len()` for any `i` past the end.
pub fn ceil_boundary(s: &str, i: usize) -> usize {
    (i..s.len())
        .find(|&b| s.is_char_boundary(b))
        .unwrap_or(s.len())
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn width_counts_the_ellipsis() {
        assert_eq!(clip("abcdef", Budget::Width(4)), "abc…");
        assert_eq!(clip("abcd", Budget::Width(4)), "abcd");
        assert_eq!(clip("ééééé", Budget::Width(3)), "éé…");
        assert_eq!(clip("ab", Budget::Width(0)), "…");
        assert_eq!(clip("", Budget::Width(0)), "");
    }

    #[test]
    fn chars_keeps_that_many_then_marks_the_cut() {
        assert_eq!(clip("abcdef", Budget::Chars(4)), "abcd…");
        assert_eq!(clip("abcd", Budget::Chars(4)), "abcd");
        assert_eq!(clip("日本語テキスト", Budget::Chars(3)), "日本語…");
    }

    #[test]
    fn bytes_cuts_back_to_a_char_boundary() {
        assert_eq!(clip("abcdef", Budget::Bytes(4)), "abcd…");
        assert_eq!(clip("abcd", Budget::Bytes(4)), "abcd");
        // `é` is two bytes: a cut after three bytes falls inside the second one.
        assert_eq!(clip("ééé", Budget::Bytes(3)), "é…");
        assert_eq!(clip("é", Budget::Bytes(1)), "…");
    }

    #[test]
    fn one_line_folds_whitespace() {
        assert_eq!(one_line("  a\n\tb   c \n"), "a b c");
    }

    #[test]
    fn boundaries_round_down_and_up_inside_a_character() {
        let s = "aé日b";
        assert_eq!(floor_boundary(s, 2), 1);
        assert_eq!(ceil_boundary(s, 2), 3);
        assert_eq!(floor_boundary(s, 4), 3);
        assert_eq!(ceil_boundary(s, 4), 6);
        assert_eq!(floor_boundary(s, 99), s.len());
        assert_eq!(ceil_boundary(s, 99), s.len());
    }

    proptest! {
        /// Any text, any budget: no panic, the budget holds, and what is kept is a prefix.
        #[test]
        fn every_budget_holds(s in "\\PC{0,40}", n in 0usize..48) {
            let width = clip(&s, Budget::Width(n));
            prop_assert!(width.chars().count() <= n.max(usize::from(!s.is_empty())));
            let chars = clip(&s, Budget::Chars(n));
            prop_assert!(chars.chars().count() <= n + 1);
            let bytes = clip(&s, Budget::Bytes(n));
            prop_assert!(bytes.len() <= n + '…'.len_utf8());
            for out in [width, chars, bytes] {
                let kept = out.strip_suffix('…').filter(|_| out != s).unwrap_or(&out);
                prop_assert!(s.starts_with(kept));
            }
            let i = n.min(s.len() + 2);
            prop_assert!(s.is_char_boundary(floor_boundary(&s, i)));
            prop_assert!(s.is_char_boundary(ceil_boundary(&s, i)));
        }
    }
}
