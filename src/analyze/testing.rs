//! The one shape of an analyzer test: a fixture under `tests/data/analyze/`, one analyzer
//! run over it, its findings. Every analyzer's tests read their fixtures through here, so a
//! fixture is found, and its logs attached, the same way everywhere.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{Analyzer, Context, Finding};
use crate::model::Snapshot;
use crate::source::kubectl_dump::parse_log_blocks;

/// Reads `tests/data/analyze/<path>`: a bundle directory, or a `.json` List whose logs sit
/// beside it as `<name>.logs.txt` and `<name>.previous-logs.txt` (kubectl dump blocks).
pub fn fixture(path: &str) -> Snapshot {
    let full = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/analyze")
        .join(path);
    let snapshot = crate::source::bundle::read(&full)
        .unwrap_or_else(|e| panic!("fixture {}: {e}", full.display()));
    let Some(stem) = path.strip_suffix(".json") else {
        return snapshot;
    };
    let mut logs = BTreeMap::new();
    for (suffix, previous) in [(".logs.txt", false), (".previous-logs.txt", true)] {
        let beside = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/analyze")
            .join(format!("{stem}{suffix}"));
        if let Ok(text) = std::fs::read_to_string(beside) {
            parse_log_blocks(&text, previous, &mut logs);
        }
    }
    if logs.is_empty() {
        return snapshot;
    }
    Snapshot::new(snapshot.meta, snapshot.objects, logs, snapshot.warnings)
}

/// What `analyzer` finds in `snapshot`.
pub fn findings(analyzer: &dyn Analyzer, snapshot: &Snapshot) -> Vec<Finding> {
    let cx = Context::new(snapshot);
    let mut out = Vec::new();
    analyzer.analyze(&cx, &mut out);
    cx.mark_inferred(&mut out);
    out
}

/// What `analyzer` finds in the fixture at `path` (see [`fixture`]).
pub fn run(analyzer: &dyn Analyzer, path: &str) -> Vec<Finding> {
    findings(analyzer, &fixture(path))
}
