//! `k8sops eval DIR`: runs diagnose on every labelled scenario (a bundle plus
//! `expected.json`) and scores it — accuracy per category, a confusion matrix, items on
//! healthy objects, and calibration of the top hypothesis' confidence.
//!
//! The label is read here and only here; the bundle reader ignores files that are not
//! Kubernetes documents, so the engine never sees it.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Input, Result};
use crate::rca::Diagnosis;
use crate::source::bundle;

/// `expected.json`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Expected {
    pub category: String,
    pub namespace: Option<String>,
    /// `Kind/name`.
    pub workload: String,
    #[serde(default)]
    pub cause_mentions: Vec<String>,
    /// Workloads failing because of this cause, which the diagnosis must list under it.
    #[serde(default)]
    pub affected: Vec<ExpectedAffected>,
}

/// One entry of `expected.json`'s `affected`.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct ExpectedAffected {
    pub namespace: Option<String>,
    /// `Kind/name`.
    pub workload: String,
}

/// How one scenario went.
#[derive(Debug, Clone, Serialize)]
pub struct ScenarioResult {
    pub scenario: String,
    pub expected_category: String,
    pub expected_workload: String,
    /// Category of the top hypothesis on the expected workload, `none` when it was missed.
    pub predicted_category: String,
    pub workload_found: bool,
    pub category_correct: bool,
    /// `cause_mentions` missing from the cause sentence.
    pub missing_mentions: Vec<String>,
    /// Expected affected workloads the diagnosis does not list under the cause.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub missing_affected: Vec<String>,
    pub correct: bool,
    pub confidence: f64,
    pub cause: String,
    /// Items reported on other (healthy) objects.
    pub extra_items: Vec<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CalibrationBin {
    pub lower: f64,
    pub upper: f64,
    pub count: usize,
    pub mean_confidence: f64,
    pub accuracy: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct EvalReport {
    pub scenarios: Vec<ScenarioResult>,
    pub accuracy: f64,
    /// category → (correct, total)
    pub per_category: BTreeMap<String, (usize, usize)>,
    /// expected → predicted → count
    pub confusion: BTreeMap<String, BTreeMap<String, usize>>,
    pub items_on_healthy_objects: usize,
    pub calibration: Vec<CalibrationBin>,
    /// Scenarios whose top hypothesis names a cause: those the calibration covers.
    pub calibrated_scenarios: usize,
    /// Over the 10 bins of `calibration`, weighted by scenarios.
    pub expected_calibration_error: f64,
}

/// Scenario directories under `dir`: those holding an `expected.json`.
pub fn scenarios(dir: &Path) -> Result<Vec<PathBuf>> {
    let entries = std::fs::read_dir(dir).map_err(|e| Error::io(dir, e))?;
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    out.sort();
    if out.is_empty() {
        return Err(Error::Invalid {
            input: Input::Scenarios,
            message: format!("{}: no scenarios (subdirectories with expected.json)", dir.display()),
            hint: "each scenario is a bundle directory plus expected.json with category, namespace, workload".into(),
        });
    }
    Ok(out)
}

fn read_expected(dir: &Path) -> Result<Expected> {
    let path = dir.join("expected.json");
    let bytes = std::fs::read(&path).map_err(|e| Error::io(&path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| Error::Malformed {
        path,
        line: e.line(),
        column: e.column(),
        message: e.to_string(),
    })
}

fn label(d: &Diagnosis) -> String {
    format!("{}/{}", d.subject.kind, d.subject.name)
}

/// Scores one scenario.
pub fn run_scenario(dir: &Path) -> Result<ScenarioResult> {
    let expected = read_expected(dir)?;
    let snapshot = bundle::read(dir)?;
    let list = crate::rca::run(&snapshot);
    let is_expected = |d: &Diagnosis| {
        label(d) == expected.workload
            && (d.subject.namespace.is_none() || d.subject.namespace == expected.namespace)
    };
    let hit = list.items.iter().find(|d| is_expected(d));
    let extra_items: Vec<String> = list
        .items
        .iter()
        .filter(|d| !is_expected(d))
        .map(|d| d.subject.to_string())
        .collect();
    let top = hit.and_then(|d| d.top());
    let predicted = top
        .map(|h| h.category.id().to_string())
        .unwrap_or_else(|| "none".into());
    let cause = top.map(|h| h.cause.clone()).unwrap_or_default();
    let lower = cause.to_lowercase();
    let missing_mentions: Vec<String> = expected
        .cause_mentions
        .iter()
        .filter(|m| !lower.contains(&m.to_lowercase()))
        .cloned()
        .collect();
    let category_correct = predicted == expected.category;
    let missing_affected: Vec<String> = expected
        .affected
        .iter()
        .filter(|a| {
            !hit.is_some_and(|d| {
                d.affected.iter().any(|x| {
                    format!("{}/{}", x.kind, x.name) == a.workload && x.namespace == a.namespace
                })
            })
        })
        .map(|a| a.workload.clone())
        .collect();
    // With nothing reported, the most severe item's confidence is what a user would trust.
    let confidence = top
        .or_else(|| list.items.first().and_then(|d| d.top()))
        .map(|h| h.confidence)
        .unwrap_or(0.0);
    Ok(ScenarioResult {
        scenario: dir
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
        expected_category: expected.category.clone(),
        expected_workload: expected.workload.clone(),
        predicted_category: predicted,
        workload_found: hit.is_some(),
        category_correct,
        correct: hit.is_some()
            && category_correct
            && missing_mentions.is_empty()
            && missing_affected.is_empty(),
        missing_mentions,
        missing_affected,
        confidence,
        cause,
        extra_items,
    })
}

/// Scores every scenario under `dir`.
pub fn run(dir: &Path) -> Result<EvalReport> {
    let results = scenarios(dir)?
        .iter()
        .map(|s| run_scenario(s))
        .collect::<Result<Vec<_>>>()?;
    Ok(score(results))
}

fn score(scenarios: Vec<ScenarioResult>) -> EvalReport {
    let correct = scenarios.iter().filter(|s| s.correct).count();
    let mut per_category: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut confusion: BTreeMap<String, BTreeMap<String, usize>> = BTreeMap::new();
    for s in &scenarios {
        let e = per_category.entry(s.expected_category.clone()).or_default();
        e.1 += 1;
        if s.correct {
            e.0 += 1;
        }
        *confusion
            .entry(s.expected_category.clone())
            .or_default()
            .entry(s.predicted_category.clone())
            .or_default() += 1;
    }
    let mut calibration = Vec::new();
    let mut ece = 0.0;
    // Calibration asks whether a cause named with confidence p is right p of the time; an
    // `unknown` answer names no cause, so its confidence is no such probability.
    let calibrated: Vec<&ScenarioResult> = scenarios
        .iter()
        .filter(|s| s.predicted_category != "unknown")
        .collect();
    let n = calibrated.len().max(1);
    for b in 0..10 {
        let (lower, upper) = (b as f64 / 10.0, (b + 1) as f64 / 10.0);
        let in_bin: Vec<&ScenarioResult> = calibrated
            .iter()
            .copied()
            .filter(|s| {
                s.confidence >= lower && (s.confidence < upper || (b == 9 && s.confidence <= 1.0))
            })
            .collect();
        if in_bin.is_empty() {
            continue;
        }
        let count = in_bin.len();
        let mean_confidence = in_bin.iter().map(|s| s.confidence).sum::<f64>() / count as f64;
        let accuracy = in_bin.iter().filter(|s| s.correct).count() as f64 / count as f64;
        ece += count as f64 / n as f64 * (accuracy - mean_confidence).abs();
        calibration.push(CalibrationBin {
            lower,
            upper,
            count,
            mean_confidence,
            accuracy,
        });
    }
    EvalReport {
        accuracy: correct as f64 / scenarios.len().max(1) as f64,
        calibrated_scenarios: calibrated.len(),
        items_on_healthy_objects: scenarios.iter().map(|s| s.extra_items.len()).sum(),
        per_category,
        confusion,
        calibration,
        expected_calibration_error: (ece * 1000.0).round() / 1000.0,
        scenarios,
    }
}

/// The scorecard for a terminal.
pub fn render_text(r: &EvalReport) -> String {
    let mut out = String::new();
    let correct = r.scenarios.iter().filter(|s| s.correct).count();
    let _ = writeln!(
        out,
        "{correct}/{} scenarios correct ({:.1}%)\n",
        r.scenarios.len(),
        r.accuracy * 100.0
    );
    for s in &r.scenarios {
        let mark = if s.correct { "ok  " } else { "FAIL" };
        let _ = write!(
            out,
            "{mark} {:<28} expected {:<14} got {:<14} {:.2}",
            s.scenario, s.expected_category, s.predicted_category, s.confidence
        );
        if !s.workload_found {
            let _ = write!(out, "  (missed {})", s.expected_workload);
        }
        if !s.missing_mentions.is_empty() {
            let _ = write!(out, "  (cause lacks {})", s.missing_mentions.join(", "));
        }
        if !s.missing_affected.is_empty() {
            let _ = write!(
                out,
                "  (not listed as affected: {})",
                s.missing_affected.join(", ")
            );
        }
        if !s.extra_items.is_empty() {
            let _ = write!(
                out,
                "  (+{} on healthy: {})",
                s.extra_items.len(),
                s.extra_items.join(", ")
            );
        }
        out.push('\n');
    }
    let _ = writeln!(out, "\naccuracy per category");
    for (cat, (ok, total)) in &r.per_category {
        let _ = writeln!(out, "  {cat:<14} {ok}/{total}");
    }
    let _ = writeln!(out, "\nconfusion (expected → predicted)");
    for (expected, row) in &r.confusion {
        let cells: Vec<String> = row.iter().map(|(p, n)| format!("{p}×{n}")).collect();
        let _ = writeln!(out, "  {expected:<14} {}", cells.join("  "));
    }
    let _ = writeln!(
        out,
        "\nitems on healthy objects: {}",
        r.items_on_healthy_objects
    );
    let _ = writeln!(
        out,
        "\ncalibration over the {} of {} top hypotheses that name a cause (`unknown` names none)\n(confidence bin: scenarios, mean confidence, accuracy)",
        r.calibrated_scenarios,
        r.scenarios.len()
    );
    for b in &r.calibration {
        let _ = writeln!(
            out,
            "  [{:.1}, {:.1}): {:>3}  {:.2}  {:.2}",
            b.lower, b.upper, b.count, b.mean_confidence, b.accuracy
        );
    }
    let _ = writeln!(
        out,
        "expected calibration error: {:.3}",
        r.expected_calibration_error
    );
    out
}
