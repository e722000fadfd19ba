//! The context builder on every labelled scenario in `examples/`: within the default budget,
//! the evidence for the labelled true cause is always inside — the rules engine's evidence
//! for it, and every `cause_mentions` fragment in the evidence items themselves, not only
//! in the rules engine's one-sentence conclusion (so the model sees what the cause rests on);
//! and no line is said twice.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use k8sops::context::{self, Context, DEFAULT_BUDGET, TokenCounter};
use k8sops::rca::Diagnosis;
use k8sops::sanitize::Sanitizer;

fn examples() -> Vec<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

fn expected(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected.json"))
        .expect("json")
}

/// The labelled workload's diagnosis and its context within the default budget.
fn labelled_context(dir: &Path) -> Result<(Diagnosis, Context), String> {
    let want = expected(dir);
    let snapshot = k8sops::source::bundle::read(dir).expect("bundle");
    let list = k8sops::rca::run(&snapshot);
    let workload = want["workload"].as_str().expect("workload");
    let d = list
        .items
        .into_iter()
        .find(|d| format!("{}/{}", d.subject.kind, d.subject.name) == workload)
        .ok_or_else(|| format!("no diagnosis for {workload}"))?;
    let ctx = context::build(
        &snapshot,
        &d,
        &Sanitizer::new(),
        TokenCounter::o200k(),
        DEFAULT_BUDGET,
    )
    .expect("sanitizes");
    Ok((d, ctx))
}

fn name(dir: &Path) -> String {
    dir.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or("?")
        .to_string()
}

#[test]
fn the_true_cause_is_always_inside_the_budgeted_context() {
    let dirs = examples();
    assert!(dirs.len() >= 26);
    let mut failures = Vec::new();
    for dir in &dirs {
        let name = name(dir);
        let want = expected(dir);
        let (d, ctx) = match labelled_context(dir) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if ctx.tokens > DEFAULT_BUDGET {
            failures.push(format!("{name}: {} tokens over the budget", ctx.tokens));
        }
        let top = d.top().expect("a hypothesis");
        for id in &top.evidence {
            if ctx.item(id).is_none() {
                failures.push(format!("{name}: rules evidence {id} is not in the context"));
            }
        }
        let evidence: String = ctx
            .items
            .iter()
            .map(|i| format!("{}\n{}\n", i.title, i.text))
            .collect::<String>()
            .to_lowercase();
        for m in want["cause_mentions"].as_array().into_iter().flatten() {
            let m = m.as_str().unwrap_or("").to_lowercase();
            if !evidence.contains(&m) {
                failures.push(format!("{name}: {m:?} is not in the evidence items"));
            }
        }
        // The builder's own selection, beyond the rules engine's evidence, is not empty.
        if ctx.items.iter().all(|i| i.from_rules) {
            failures.push(format!(
                "{name}: nothing selected beyond the rules evidence"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_context_carries_the_evidence_of_the_chain_to_affected_workloads() {
    let mut failures = Vec::new();
    let mut chains = 0;
    for dir in &examples() {
        let want = expected(dir);
        let Some(affected) = want["affected"].as_array() else {
            continue;
        };
        chains += 1;
        let name = name(dir);
        let (d, ctx) = match labelled_context(dir) {
            Ok(c) => c,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        if !ctx.header.contains("Also failing because of this") {
            failures.push(format!("{name}: the header does not state the chain"));
        }
        for a in affected {
            let workload = a["workload"].as_str().unwrap_or("");
            let Some(entry) = d
                .affected
                .iter()
                .find(|x| format!("{}/{}", x.kind, x.name) == workload)
            else {
                failures.push(format!("{name}: {workload} is not affected"));
                continue;
            };
            for id in &entry.evidence {
                if ctx.item(id).is_none() {
                    failures.push(format!(
                        "{name}: evidence {id} of the link to {workload} is not in the context"
                    ));
                }
            }
        }
    }
    assert!(chains >= 5, "{chains} scenarios with affected workloads");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_context_says_each_line_once() {
    let mut failures = Vec::new();
    for dir in &examples() {
        let Ok((_, ctx)) = labelled_context(dir) else {
            continue;
        };
        let mut first: HashMap<&str, &str> = HashMap::new();
        for item in &ctx.items {
            let lines: BTreeSet<&str> = item
                .text
                .lines()
                .map(str::trim)
                .filter(|l| l.len() >= 20)
                .collect();
            for line in lines {
                match first.get(line) {
                    Some(id) => failures.push(format!(
                        "{}: {line:?} is in {id} and {}",
                        name(dir),
                        item.id
                    )),
                    None => {
                        first.insert(line, &item.id);
                    }
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_tiny_budget_keeps_the_rules_evidence_and_drops_the_rest() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples/crash-loop");
    let snapshot = k8sops::source::bundle::read(&dir).expect("bundle");
    let list = k8sops::rca::run(&snapshot);
    let d = &list.items[0];
    let ctx = context::build(&snapshot, d, &Sanitizer::new(), TokenCounter::o200k(), 50)
        .expect("sanitizes");
    assert!(ctx.omitted > 0);
    assert!(
        ctx.items.iter().all(|i| i.from_rules),
        "only the rules evidence fits"
    );
    // Joined or folded, every id the rules engine cites still names an item.
    for e in &d.evidence {
        assert!(ctx.item(&e.id).is_some(), "{} is in the context", e.id);
    }
    assert!(ctx.items.len() <= d.evidence.len());
}
