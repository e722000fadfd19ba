//! The LLM context against a naive dump, on every labelled example: tokens (o200k, OpenAI's
//! current encoding) of the built context for the labelled workload vs what pasting
//! `kubectl describe` of the workload and its pods, all their events and the last 200
//! lines of every container log would cost; and the time to build one context.
//!
//! The describe-equivalent is the objects as YAML without `managedFields` (what describe
//! shows, in about as many tokens). Run with `cargo bench --bench context`;
//! `K8SOPS_BENCH_ITEMS=1` lists each context's items with their tokens.

use std::path::{Path, PathBuf};
use std::time::Instant;

use k8sops::context::{self, DEFAULT_BUDGET, TokenCounter};
use k8sops::model::{Kind, Snapshot};
use k8sops::rca::Diagnosis;
use k8sops::sanitize::Sanitizer;

fn main() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    dirs.sort();
    let counter = TokenCounter::o200k();
    let sanitizer = Sanitizer::new();
    let mut ratios = Vec::new();
    let mut build_us = Vec::new();
    println!(
        "{:<26} {:>8} {:>8} {:>7} {:>6} {:>9}",
        "example", "naive", "context", "ratio", "items", "build µs"
    );
    for dir in &dirs {
        let (snapshot, d) = labelled(dir);
        let naive = counter.count(&naive_dump(&snapshot, &d));
        let ctx =
            context::build(&snapshot, &d, &sanitizer, counter, DEFAULT_BUDGET).expect("sanitizes");
        const RUNS: u32 = 20;
        let started = Instant::now();
        for _ in 0..RUNS {
            let c = context::build(&snapshot, &d, &sanitizer, counter, DEFAULT_BUDGET)
                .expect("sanitizes");
            std::hint::black_box(c);
        }
        let us = started.elapsed().as_micros() as f64 / RUNS as f64;
        if std::env::var_os("K8SOPS_BENCH_ITEMS").is_some() {
            for i in &ctx.items {
                println!("    {:>5} {:<6} {}", i.tokens, i.id, i.title);
            }
        }
        let ratio = naive as f64 / ctx.tokens.max(1) as f64;
        ratios.push(ratio);
        build_us.push(us);
        println!(
            "{:<26} {:>8} {:>8} {:>6.1}x {:>6} {:>9.0}",
            dir.file_name().and_then(|n| n.to_str()).unwrap_or("?"),
            naive,
            ctx.tokens,
            ratio,
            ctx.items.len(),
            us
        );
    }
    ratios.sort_by(f64::total_cmp);
    build_us.sort_by(f64::total_cmp);
    let median = |v: &[f64]| v[v.len() / 2];
    println!(
        "median: context {:.1}x smaller than the naive dump (min {:.1}x, max {:.1}x; target >= 5x); median build {:.0} µs",
        median(&ratios),
        ratios[0],
        ratios[ratios.len() - 1],
        median(&build_us)
    );
}

fn labelled(dir: &Path) -> (Snapshot, Diagnosis) {
    let want: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("expected"))
            .expect("json");
    let workload = want["workload"].as_str().expect("workload").to_string();
    let snapshot = k8sops::source::bundle::read(dir).expect("bundle");
    let list = k8sops::rca::run(&snapshot);
    let d = list
        .items
        .into_iter()
        .find(|d| format!("{}/{}", d.subject.kind, d.subject.name) == workload)
        .expect("the labelled workload is diagnosed");
    (snapshot, d)
}

/// describe of the workload and its pods + all their events + the last 200 lines of every
/// container log.
fn naive_dump(snapshot: &Snapshot, d: &Diagnosis) -> String {
    let mut out = String::new();
    let ns = d.subject.namespace.as_deref().unwrap_or("");
    let strip = |mut v: serde_json::Value| {
        if let Some(m) = v.get_mut("metadata").and_then(|m| m.as_object_mut()) {
            m.remove("managedFields");
        }
        serde_saphyr::to_string(&v).unwrap_or_default()
    };
    if let Some(kind) = d.subject.known_kind() {
        for v in snapshot.objects.to_json(kind) {
            if v["metadata"]["name"] == d.subject.name.as_str()
                && v["metadata"]["namespace"].as_str().unwrap_or("") == ns
            {
                out.push_str(&strip(v));
            }
        }
        if let Some(meta) = snapshot.meta(kind, ns, &d.subject.name) {
            events(snapshot, kind, meta, &mut out);
        }
    }
    for pod in &snapshot.objects.pods {
        let is_subject = d.subject.kind == "Pod"
            && pod.metadata.name.as_deref() == Some(d.subject.name.as_str());
        if !is_subject && snapshot.workload_of(Kind::Pod, &pod.metadata) != d.subject {
            continue;
        }
        out.push_str(&strip(serde_json::to_value(pod).unwrap_or_default()));
        events(snapshot, Kind::Pod, &pod.metadata, &mut out);
        let name = pod.metadata.name.as_deref().unwrap_or("");
        for (key, text) in &snapshot.logs {
            if key.namespace == ns && key.pod == name {
                let lines: Vec<&str> = text.lines().collect();
                for l in &lines[lines.len().saturating_sub(200)..] {
                    out.push_str(l);
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn events(
    snapshot: &Snapshot,
    kind: Kind,
    meta: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta,
    out: &mut String,
) {
    for e in snapshot.events_about(kind, meta) {
        out.push_str(&format!(
            "{}\t{}\t{}\t{}\n",
            e.type_.as_deref().unwrap_or(""),
            e.reason.as_deref().unwrap_or(""),
            e.count.unwrap_or(1),
            e.message.as_deref().unwrap_or("")
        ));
    }
}
