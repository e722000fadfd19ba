//! Kubernetes resource quantities (`250m`, `512Mi`, `1.5G`, `2e3`): the one parser of their
//! grammar, the typed readings callers need (bytes, millicores) and their spelling for
//! humans. Every layer that does resource arithmetic reads quantities through here.
//!
//! The grammar, as `k8s.io/apimachinery/pkg/api/resource` accepts it:
//!
//! ```text
//! quantity  ::= [sign] number [suffix]
//! sign      ::= "+" | "-"
//! number    ::= digits | digits "." [digits] | "." digits
//! suffix    ::= binarySI | decimalSI | ("e" | "E") [sign] digits
//! binarySI  ::= Ki | Mi | Gi | Ti | Pi | Ei
//! decimalSI ::= n | u | m | k | M | G | T | P | E
//! ```

/// Bytes in a kibibyte, mebibyte, gibibyte, tebibyte.
pub const KI: f64 = 1024.0;
pub const MI: f64 = KI * 1024.0;
pub const GI: f64 = MI * 1024.0;
pub const TI: f64 = GI * 1024.0;

/// A quantity as a plain number: bytes for memory and storage, cores for cpu. `None` for
/// anything outside the grammar and for values no `f64` holds.
///
/// The result is the `f64` nearest the exact decimal value: decimal suffixes and exponents
/// are folded into the number's own exponent before it is read, and binary suffixes scale
/// by a power of two, which is exact.
pub fn parse_quantity(s: &str) -> Option<f64> {
    let s = s.trim();
    let (negative, unsigned) = match s.as_bytes().first()? {
        b'+' => (false, &s[1..]),
        b'-' => (true, &s[1..]),
        _ => (false, s),
    };
    let split = unsigned
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(unsigned.len());
    let (number, suffix) = unsigned.split_at(split);
    if !is_number(number) {
        return None;
    }
    let (exponent, binary) = match suffix {
        "" => (0, 0),
        "n" => (-9, 0),
        "u" => (-6, 0),
        "m" => (-3, 0),
        "k" => (3, 0),
        "M" => (6, 0),
        "G" => (9, 0),
        "T" => (12, 0),
        "P" => (15, 0),
        "E" => (18, 0),
        "Ki" => (0, 10),
        "Mi" => (0, 20),
        "Gi" => (0, 30),
        "Ti" => (0, 40),
        "Pi" => (0, 50),
        "Ei" => (0, 60),
        s if s.starts_with(['e', 'E']) => (exponent(&s[1..])?, 0),
        _ => return None,
    };
    // Rust's float syntax is a superset of `digits[.digits]e[sign]digits`, and `number` was
    // checked above, so this reads exactly the grammar's value, rounded once.
    let magnitude: f64 = format!("{number}e{exponent}").parse().ok()?;
    let v = magnitude * 2f64.powi(binary);
    let v = if negative { -v } else { v };
    v.is_finite().then_some(v)
}

/// Whole bytes of a memory or storage quantity (`1.5Gi`, `268435456`, `1e9`), rounded to
/// the nearest byte; `None` when it is negative or more than a `u64` counts.
pub fn quantity_bytes(s: &str) -> Option<u64> {
    whole(parse_quantity(s)?)
}

/// Millicores of a cpu quantity (`250m`, `1.5`, `2`), rounded to the nearest millicore;
/// `None` when it is negative or more than a `u64` counts.
pub fn quantity_millicores(s: &str) -> Option<u64> {
    whole(parse_quantity(s)? * 1000.0)
}

/// `v` rounded, when a `u64` holds it (2^64 is the first `f64` past `u64::MAX`).
fn whole(v: f64) -> Option<u64> {
    let r = v.round();
    (0.0..18_446_744_073_709_551_616.0)
        .contains(&r)
        .then_some(r as u64)
}

/// `digits`, `digits.`, `digits.digits` or `.digits`.
fn is_number(s: &str) -> bool {
    let (int, frac) = s.split_once('.').unwrap_or((s, ""));
    let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
    !(int.is_empty() && frac.is_empty()) && digits(int) && digits(frac)
}

/// The `[sign] digits` after `e`. Exponents past what an `f64` spans make the value
/// infinite or zero, so any that fits an `i32` is fine to pass on.
fn exponent(s: &str) -> Option<i32> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// `6Gi`, `3.4Gi`, `512Mi`, `1843200Ki` → `1.8Gi`.
pub fn format_bytes(bytes: f64) -> String {
    for (unit, size) in [("Ti", TI), ("Gi", GI), ("Mi", MI), ("Ki", KI)] {
        if bytes >= size {
            let v = bytes / size;
            return if (v - v.round()).abs() < 1e-9 || v >= 10.0 || unit == "Ki" {
                format!("{}{unit}", v.round() as i64)
            } else {
                format!("{}{unit}", trim_float((v * 10.0).round() / 10.0))
            };
        }
    }
    format!("{}", bytes.round() as i64)
}

/// `1`, `1.5`, `250m`.
pub fn format_cpu(cores: f64) -> String {
    if (cores - cores.round()).abs() < 1e-9 {
        format!("{}", cores.round() as i64)
    } else {
        format!("{}m", (cores * 1000.0).round() as i64)
    }
}

/// A value for humans in the unit kubectl users think in for this resource.
pub fn format_resource(resource: &str, value: f64) -> String {
    let r = resource.rsplit('.').next().unwrap_or(resource);
    if r == "cpu" || resource.ends_with("cpu") {
        format_cpu(value)
    } else if r == "memory"
        || r == "storage"
        || r == "ephemeral-storage"
        || resource.contains("memory")
        || resource.contains("storage")
    {
        format_bytes(value)
    } else {
        trim_float(value)
    }
}

/// A value to write into a manifest: exact, in the largest unit that keeps it whole
/// (`3Gi`, `3328Mi`, `250m`).
pub fn exact_resource(resource: &str, value: f64) -> String {
    if resource == "cpu" {
        return format_cpu(value);
    }
    for (unit, size) in [("Gi", GI), ("Mi", MI), ("Ki", KI)] {
        let v = value / size;
        if v >= 1.0 && (v - v.round()).abs() < 1e-9 {
            return format!("{}{unit}", v.round() as i64);
        }
    }
    format!("{}", value.round() as i64)
}

fn trim_float(v: f64) -> String {
    let s = format!("{v:.1}");
    s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    #[test]
    fn every_suffix_of_the_grammar_reads() {
        for (q, want) in [
            ("3605684Ki", 3605684.0 * KI),
            ("512Mi", 512.0 * MI),
            ("6Gi", 6.0 * GI),
            ("2Ti", 2.0 * TI),
            ("1Pi", TI * KI),
            ("1Ei", TI * KI * KI),
            ("1930m", 1.93),
            ("250u", 0.00025),
            ("5n", 0.000000005),
            ("1.5", 1.5),
            (".5", 0.5),
            ("2.", 2.0),
            ("1k", 1e3),
            ("1.5G", 1.5e9),
            ("2M", 2e6),
            ("3T", 3e12),
            ("4P", 4e15),
            ("1E", 1e18),
            ("1e3", 1000.0),
            ("1E3", 1000.0),
            ("1e-3", 0.001),
            ("1e+3", 1000.0),
            ("+1Gi", GI),
            ("-250m", -0.25),
            ("74748293722", 74748293722.0),
            ("0e400", 0.0),
            (" 1Gi ", GI),
        ] {
            assert_eq!(parse_quantity(q), Some(want), "{q}");
        }
    }

    #[test]
    fn garbage_and_overflow_are_none() {
        for q in [
            "",
            "lots",
            ".",
            "+",
            "-",
            "1.2.3",
            "Mi",
            "1Mb",
            "1 Mi",
            "1e",
            "1e+",
            "1ee3",
            "1e3.5",
            "e3",
            "1Ki2",
            "--1",
            "+-1",
            "1e400",
            "1e99999999999",
            "inf",
            "NaN",
            "1_000",
        ] {
            assert_eq!(parse_quantity(q), None, "{q:?}");
        }
        let huge = format!("{}Ei", "9".repeat(300));
        assert_eq!(parse_quantity(&huge), None);
    }

    #[test]
    fn bytes_and_millicores_are_rounded_and_checked() {
        assert_eq!(quantity_bytes("512Mi"), Some(512 * 1024 * 1024));
        assert_eq!(quantity_bytes("1Gi"), Some(1 << 30));
        assert_eq!(quantity_bytes("1G"), Some(1_000_000_000));
        assert_eq!(quantity_bytes("1.5"), Some(2));
        assert_eq!(quantity_bytes("15Ei"), Some(15 << 60));
        assert_eq!(quantity_bytes("16Ei"), None);
        assert_eq!(quantity_bytes("-1Mi"), None);
        assert_eq!(quantity_millicores("250m"), Some(250));
        assert_eq!(quantity_millicores("1.5"), Some(1500));
        assert_eq!(quantity_millicores("100u"), Some(0));
        assert_eq!(quantity_millicores("-1"), None);
        assert_eq!(quantity_millicores("1E"), None);
    }

    #[test]
    fn quantities_format_for_humans_and_manifests() {
        assert_eq!(
            parse_quantity("6Gi").map(format_bytes).as_deref(),
            Some("6Gi")
        );
        assert_eq!(format_bytes(3605684.0 * KI), "3.4Gi");
        assert_eq!(format_bytes(3584.0 * MI), "3.5Gi");
        assert_eq!(format_bytes(512.0 * MI), "512Mi");
        assert_eq!(format_cpu(0.25), "250m");
        assert_eq!(format_resource("requests.memory", 1.5 * GI), "1.5Gi");
        assert_eq!(format_resource("cpu", 2.0), "2");
        assert_eq!(format_resource("pods", 3.0), "3");
        assert_eq!(exact_resource("memory", 3328.0 * MI), "3328Mi");
        assert_eq!(exact_resource("cpu", 0.25), "250m");
    }

    const SUFFIXES: &[(&str, i32, i32)] = &[
        ("", 0, 0),
        ("n", -9, 0),
        ("u", -6, 0),
        ("m", -3, 0),
        ("k", 3, 0),
        ("M", 6, 0),
        ("G", 9, 0),
        ("T", 12, 0),
        ("P", 15, 0),
        ("E", 18, 0),
        ("Ki", 0, 10),
        ("Mi", 0, 20),
        ("Gi", 0, 30),
        ("Ti", 0, 40),
        ("Pi", 0, 50),
        ("Ei", 0, 60),
        ("e2", 2, 0),
        ("E-4", -4, 0),
        ("e+7", 7, 0),
    ];

    proptest! {
        /// No input panics, and whatever reads is finite.
        #[test]
        fn never_panics(s in "\\PC{0,24}") {
            if let Some(v) = parse_quantity(&s) {
                prop_assert!(v.is_finite());
            }
            let _ = quantity_bytes(&s);
            let _ = quantity_millicores(&s);
        }

        /// Nor do strings made of the grammar's own characters, which reach every branch.
        #[test]
        fn never_panics_on_near_misses(s in "[+\\-]?[0-9.]{0,6}[eEnumkMGTPKi+\\-0-9.]{0,5}") {
            if let Some(v) = parse_quantity(&s) {
                prop_assert!(v.is_finite());
            }
        }

        /// A generated quantity reads as the reference computes it: the integer and
        /// fraction digits times ten and two to the suffix's powers.
        #[test]
        fn agrees_with_the_reference(
            sign in prop::sample::select(vec!["", "+", "-"]),
            int in 0u64..1_000_000,
            frac in prop::option::of(0u32..1000),
            suffix in prop::sample::select(SUFFIXES.to_vec()),
        ) {
            let (text, number) = match frac {
                Some(f) => (format!("{int}.{f:03}"), int as f64 + f as f64 / 1000.0),
                None => (format!("{int}"), int as f64),
            };
            let (s, ten, two) = suffix;
            let want = number * 10f64.powi(ten) * 2f64.powi(two);
            let want = if sign == "-" { -want } else { want };
            let got = parse_quantity(&format!("{sign}{text}{s}"));
            prop_assert!(got.is_some());
            let got = got.unwrap_or_default();
            prop_assert!((got - want).abs() <= want.abs() * 1e-12, "{sign}{text}{s}: {got} != {want}");
            // An integer times a power of two is exact in an f64: bytes come back exactly,
            // or not at all past a u64.
            if sign != "-" && frac.is_none() && ten == 0 {
                let exact = u128::from(int) << two;
                let want = (exact <= u128::from(u64::MAX)).then_some(exact);
                prop_assert_eq!(quantity_bytes(&format!("{sign}{text}{s}")).map(u128::from), want);
            }
        }
    }
}
