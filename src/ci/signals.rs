//! What a line of runner output says: the error statements, summaries and test names of the
//! tools CI runs (cargo, pytest, go test, jest/npm, tsc, eslint, maven, gradle, docker build,
//! kubectl, helm) and of the runner itself (timeouts, cancellations, missing credentials).
//!
//! One Aho-Corasick automaton finds every literal of the table in a line; a small check per
//! pattern then confirms the shape (where the literal sits, what surrounds it). Lines with no
//! literal — nearly all of them — cost one automaton pass. A line no tool claims is an error
//! when [`is_error_line`] says it states one: the same classifier the pod-log analyzers use,
//! so `ERROR:`, `fatal:`, `[ERROR]`, exceptions and logger levels read the same everywhere.

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind};

mod patterns;

use patterns::{Anchor, PATTERNS, Pattern};

use crate::model::ci::FailureKind;
use crate::model::log_line::{Strictness, is_error_line};
use FailureKind::{Build, Dependency, Infrastructure, Lint, SecretPermission, Test};

/// What role a line plays in a failure, most telling first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Class {
    /// States the error itself: a panic, a compiler error, a failing test with its reason.
    Primary,
    /// A tool's verdict over many errors: `test result: FAILED.`, `Tests: 1 failed`.
    Summary,
    /// Detail under an error (pytest's `E   …` lines).
    Detail,
    /// Names a failing test but not why.
    TestName,
    /// An error-looking line of no known tool (`Error: …`, `fatal: …`).
    Generic,
    /// A step or build giving up because of an earlier error: `Process completed with exit
    /// code 1`, `[ERROR] Failed to execute goal …`, `buildx failed with`, `Build step '…'
    /// marked build as failure`. Shown under the cause as its consequence.
    Wrapper,
    /// A verdict banner or boilerplate (`BUILD FAILURE`, `-> [Help 1]`, reactor lines): never
    /// shown, never the cause.
    Banner,
}

/// What one line says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Signal {
    pub class: Class,
    pub tool: &'static str,
    /// The kind the line points at, if it points at one.
    pub kind: Option<FailureKind>,
    /// A failing test the line names.
    pub test: Option<String>,
    /// False for the catch-alls (`error: …`, `Error: …`) that no known tool claims.
    pub specific: bool,
}

static MATCHER: LazyLock<AhoCorasick> = LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(PATTERNS.iter().map(|p| p.literal))
        .expect("the literal table builds")
});

/// The strongest signal in `line` (timestamp and colour codes already removed), if any.
pub(super) fn classify_line(line: &str) -> Option<Signal> {
    let mut best: Option<&Pattern> = None;
    let mut overriding: Option<FailureKind> = None;
    let mut wrapped = false;
    let indent = line.len() - line.trim_start().len();
    for m in MATCHER.find_overlapping_iter(line) {
        let p = &PATTERNS[m.pattern().as_usize()];
        let placed = match p.anchor {
            Anchor::Start => m.start() == indent,
            Anchor::Column0 => m.start() == 0,
            Anchor::Anywhere => true,
        };
        if !placed || !(p.check)(line) {
            continue;
        }
        wrapped |= p.class == Class::Wrapper;
        if matches!(p.kind, Some(Infrastructure | SecretPermission)) {
            overriding = match (overriding, p.kind) {
                (Some(Infrastructure), _) => Some(Infrastructure),
                (_, k) => k,
            };
        }
        // A known tool's pattern beats a catch-all; then the most telling class, a pattern
        // that knows its kind, and the longer (more specific) literal.
        let rank = |p: &Pattern| {
            (
                p.tool.is_empty(),
                p.class,
                p.kind.is_none(),
                std::cmp::Reverse(p.literal.len()),
            )
        };
        let better = best.is_none_or(|b| rank(p) < rank(b));
        if better {
            best = Some(p);
        }
    }
    let Some(p) = best else {
        return stated(line);
    };
    // A verdict that names a credential or runner problem (`failed to solve: … denied`) is
    // itself the cause.
    let class = match (p.class, overriding) {
        (Class::Wrapper | Class::Generic, Some(_)) if wrapped => Class::Primary,
        (c, _) => c,
    };
    Some(Signal {
        class,
        tool: p.tool,
        kind: overriding.or(p.kind).or_else(|| kind_from_text(p, line)),
        test: test_name(p, line),
        specific: !p.tool.is_empty(),
    })
}

/// A line no tool claims that states an error anyway; `error:` at the start is how compilers
/// and CLIs state theirs, so it counts as a primary error.
fn stated(line: &str) -> Option<Signal> {
    if !is_error_line(line, Strictness::Stated) {
        return None;
    }
    let t = line.trim_start();
    let class = match t.starts_with("error:") || t.starts_with("error[") {
        true => Class::Primary,
        false => Class::Generic,
    };
    Some(Signal {
        class,
        tool: "",
        kind: None,
        test: None,
        specific: false,
    })
}

/// Kinds that depend on the text: the maven goal or the gradle task that failed.
fn kind_from_text(p: &Pattern, line: &str) -> Option<FailureKind> {
    let l = line.to_ascii_lowercase();
    match p.tool {
        "maven" if l.contains("surefire") || l.contains("failsafe") => Some(Test),
        "maven" if l.contains("compiler") => Some(Build),
        "maven" if l.contains("could not be resolved") || l.contains("dependencies") => {
            Some(Dependency)
        }
        "maven" if l.contains("checkstyle") || l.contains("spotless") || l.contains("pmd") => {
            Some(Lint)
        }
        "npm" => match l.split("code ").nth(1).map(|c| c.trim()) {
            Some("eresolve" | "etarget" | "e404" | "enoversions" | "epeerinvalid") => {
                Some(Dependency)
            }
            Some("e401" | "e403" | "eneedauth") => Some(SecretPermission),
            Some("econnreset" | "etimedout" | "enotfound" | "eai_again") => Some(Infrastructure),
            _ => None,
        },
        "gradle" if l.contains(":test") => Some(Test),
        "gradle" if l.contains("compile") => Some(Build),
        "gradle"
            if ["lint", "checkstyle", "ktlint", "detekt", "spotless"]
                .iter()
                .any(|t| l.contains(t)) =>
        {
            Some(Lint)
        }
        _ => None,
    }
}

/// The failing test a line names, as its runner writes it.
fn test_name(p: &Pattern, line: &str) -> Option<String> {
    let t = line.trim();
    let name = match (p.tool, p.literal) {
        ("cargo", " ... FAILED") => t.strip_prefix("test ")?.split(" ... ").next()?,
        ("cargo", "---- ") => t.strip_prefix("---- ")?.strip_suffix(" stdout ----")?,
        ("cargo", "' panicked at ") => t.strip_prefix("thread '")?.split('\'').next()?,
        ("pytest", "FAILED ") => t
            .strip_prefix("FAILED ")?
            .split(" - ")
            .next()?
            .split_whitespace()
            .next()?,
        ("go", "--- FAIL: ") => t.strip_prefix("--- FAIL: ")?.split(" (").next()?,
        ("jest", "● ") => t.strip_prefix("● ")?,
        ("maven", "<<< FAILURE!" | "<<< ERROR!") => {
            t.trim_start_matches("[ERROR]").trim().split("  ").next()?
        }
        ("gradle", " FAILED") => t.strip_suffix(" FAILED")?,
        _ => return None,
    };
    let name = name.trim();
    (!name.is_empty() && name != "main").then(|| name.to_string())
}

#[cfg(test)]
mod tests {
    use super::Class::*;
    use super::*;

    fn sig(line: &str) -> Signal {
        classify_line(line).unwrap_or_else(|| panic!("no signal in {line:?}"))
    }

    #[test]
    fn a_panic_is_the_primary_error_of_a_cargo_test() {
        let s = sig("thread 'cart::tests::total' panicked at src/cart.rs:88:9:");
        assert_eq!((s.class, s.tool, s.kind), (Primary, "cargo", Some(Test)));
        assert_eq!(s.test.as_deref(), Some("cart::tests::total"));
    }

    #[test]
    fn a_push_denied_is_a_permission_problem_even_inside_a_build_error() {
        let s = sig(
            "ERROR: failed to solve: failed to push ghcr.io/acme/web:main-4f2c9e1: denied: permission_denied: write_package",
        );
        assert_eq!(s.class, Primary);
        assert_eq!(s.kind, Some(SecretPermission));
    }

    #[test]
    fn shapes_are_checked_not_just_literals() {
        assert!(classify_line("all 12 tests passed, 0 failed").is_none());
        assert!(classify_line("cart.go is fine").is_none());
        assert_eq!(sig("./cart/cart.go:12:2: undefined: Total").class, Primary);
        assert_eq!(sig("    cart_test.go:42: got 3, want 4").class, Primary);
        assert!(classify_line("● Console").is_none());
        assert_eq!(
            sig("src/cart.ts(12,5): error TS2322: Type 'string' is not assignable").kind,
            Some(Build)
        );
        assert_eq!(
            sig("  12:5  error  'total' is never reassigned  prefer-const").kind,
            Some(Lint)
        );
        assert_eq!(sig("> Task :test FAILED").kind, Some(Test));
        assert_eq!(
            sig("OrderServiceTest > refundsPartially() FAILED")
                .test
                .as_deref(),
            Some("OrderServiceTest > refundsPartially()")
        );
    }

    #[test]
    fn a_local_test_server_on_8080_is_not_a_missing_kubeconfig() {
        let s = classify_line("E   requests.exceptions.ConnectionError: localhost:8080 refused");
        assert_ne!(s.and_then(|s| s.kind), Some(SecretPermission));
        assert_eq!(
            sig("The connection to the server localhost:8080 was refused - did you specify the right host or port?").kind,
            Some(SecretPermission)
        );
    }
}
