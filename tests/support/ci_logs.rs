//! The labelled real CI logs in `../shared/ci-logs` (18 breakages from the CiDiff dataset,
//! Apache-2.0; someone else's data, so they stay outside this repository), read where
//! `K8SOPS_CI_LOGS` says or beside the repository, and the figures `ci diagnose --log` is
//! held to on them: in how many logs the first line labelled `E` is among the lines it
//! reports, and which share of the lines it reports are labelled `E` or `C`, averaged over
//! the logs. Line numbers count from 1, a lone `\r` counting as a line break.

use std::collections::BTreeSet;
use std::path::PathBuf;

use k8sops::ci::log::{LogReport, analyze, analyze_against};

/// Where the dataset is.
pub fn dir() -> PathBuf {
    match std::env::var_os("K8SOPS_CI_LOGS") {
        Some(d) => PathBuf::from(d),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/ci-logs"),
    }
}

/// One labelled breakage.
pub struct Case {
    pub name: String,
    pub fail: String,
    pub pass: String,
    pub error: BTreeSet<usize>,
    pub context: BTreeSet<usize>,
}

/// Every case of the dataset at `dir`, by name. Panics on a malformed groundtruth: the
/// figures would be wrong.
pub fn load(dir: &std::path::Path) -> Vec<Case> {
    let mut out = Vec::new();
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("the dataset directory lists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("groundtruth").is_file())
        .collect();
    entries.sort();
    for path in entries {
        let read = |f: &str| {
            let bytes = std::fs::read(path.join(f))
                .unwrap_or_else(|e| panic!("{}: {e}", path.join(f).display()));
            String::from_utf8_lossy(&bytes).into_owned()
        };
        let mut case = Case {
            name: path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned(),
            fail: read("fail.log"),
            pass: read("pass.log"),
            error: BTreeSet::new(),
            context: BTreeSet::new(),
        };
        for entry in read("groundtruth").lines().skip(1) {
            let Some((label, range)) = entry.trim().split_once(' ') else {
                continue;
            };
            let (a, b) = range.split_once('-').unwrap_or((range, range));
            let (a, b): (usize, usize) = (
                a.trim().parse().expect("groundtruth line number"),
                b.trim().parse().expect("groundtruth line number"),
            );
            let set = match label {
                "E" => &mut case.error,
                "C" => &mut case.context,
                other => panic!("{}: unknown label {other}", case.name),
            };
            set.extend(a..=b);
        }
        out.push(case);
    }
    out
}

/// How one report fares on one case.
pub struct Score {
    pub first_found: bool,
    /// Labelled lines among those reported, over the lines reported (0 when none are).
    pub precision: f64,
    pub reported: usize,
}

pub fn score(case: &Case, report: &LogReport) -> Score {
    let first = case.error.first().copied();
    let labelled = report
        .shown
        .iter()
        .filter(|l| case.error.contains(l) || case.context.contains(l))
        .count();
    Score {
        first_found: first.is_some_and(|f| report.shown.contains(&f)),
        precision: match report.shown.len() {
            0 => 0.0,
            n => labelled as f64 / n as f64,
        },
        reported: report.shown.len(),
    }
}

/// The figures over all cases, read alone or against their passing logs, and one line per
/// case.
pub struct Figures {
    pub found: usize,
    pub total: usize,
    pub precision: f64,
    pub lines: Vec<String>,
}

pub fn figures(cases: &[Case], with_pass: bool) -> Figures {
    let mut found = 0;
    let mut sum = 0.0;
    let mut lines = Vec::new();
    for case in cases {
        let report = match with_pass {
            true => analyze_against(&case.fail, None, Some(&case.pass)),
            false => analyze(&case.fail, None),
        };
        let s = score(case, &report);
        found += usize::from(s.first_found);
        sum += s.precision;
        lines.push(format!(
            "{:<28} first {:<5} precision {:>5.1} % of {:>2} lines  first error: {:?} (line {:?}), kind {}",
            case.name,
            if s.first_found { "found" } else { "MISSED" },
            100.0 * s.precision,
            s.reported,
            report.first_error.as_deref().map(|e| e.chars().take(80).collect::<String>()),
            report.first_error_line,
            report.kind,
        ));
    }
    Figures {
        found,
        total: cases.len(),
        precision: sum / cases.len().max(1) as f64,
        lines,
    }
}
