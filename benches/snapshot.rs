//! Snapshot and diagnose figures on a large synthetic bundle (10k pods, 100k events from
//! `scripts/gen-synthetic.py`). Run through `scripts/bench.sh`; prints figures, asserts
//! nothing. Each phase runs in a fresh child process so its peak RSS is its own.

#[path = "../tests/support/mod.rs"]
mod support;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use k8sops::source::bundle;
use k8sops::source::live::{self, LiveOptions};

const PHASE: &str = "K8SOPS_BENCH_PHASE";

fn bundle_path() -> PathBuf {
    std::env::var_os("K8SOPS_BENCH_BUNDLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data/synthetic-10k")
        })
}

/// Peak resident set size of this process so far, in MiB (Linux `VmHWM`).
fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Current resident set size in MiB.
fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map(|kb| kb / 1024.0)
        .unwrap_or(0.0)
}

/// Resets the peak RSS counter, so a phase after setup measures only itself.
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn main() {
    let path = bundle_path();
    if !path.exists() {
        eprintln!(
            "{} is missing: run scripts/bench.sh (it generates the bundle first)",
            path.display()
        );
        std::process::exit(2);
    }
    match std::env::var(PHASE).as_deref() {
        Ok("read") => read(&path),
        Ok("diagnose") => diagnose(&path),
        Ok("collect") => collect(&path),
        _ => {
            for phase in ["read", "diagnose", "collect"] {
                let exe = std::env::current_exe().expect("own path");
                let status = std::process::Command::new(exe)
                    .env(PHASE, phase)
                    .status()
                    .expect("child runs");
                if !status.success() {
                    eprintln!("phase {phase} failed: {status}");
                    std::process::exit(1);
                }
            }
        }
    }
}

fn read(path: &std::path::Path) {
    let started = Instant::now();
    let snap = bundle::read(path).expect("bundle reads");
    let elapsed = started.elapsed();
    println!(
        "read bundle from disk: {:.3} s, peak RSS {:.0} MiB, RSS after {:.0} MiB ({} pods, {} events, {} logs) [target ≤ 1 s, ≤ 400 MB]",
        elapsed.as_secs_f64(),
        peak_rss_mib(),
        rss_mib(),
        snap.objects.pods.len(),
        snap.objects.events.len(),
        snap.logs.len()
    );
}

fn diagnose(path: &std::path::Path) {
    let started = Instant::now();
    let snap = bundle::read(path).expect("bundle reads");
    let read = started.elapsed();
    let analysis_started = Instant::now();
    let list = k8sops::rca::run(&snap);
    let analysis = analysis_started.elapsed();
    let json = k8sops::render::json(&list);
    let total = started.elapsed();
    println!(
        "diagnose end to end: {:.3} s, peak RSS {:.0} MiB; read {:.3} s, analysis {:.3} s ({:.2}× read), {} items, {} KiB JSON [target ≤ 1 s, ≤ 400 MB, analysis ≤ 0.5× read]",
        total.as_secs_f64(),
        peak_rss_mib(),
        read.as_secs_f64(),
        analysis.as_secs_f64(),
        analysis.as_secs_f64() / read.as_secs_f64().max(1e-9),
        list.items.len(),
        json.len() / 1024
    );
}

fn collect(path: &std::path::Path) {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let snap = bundle::read(path).expect("bundle reads");
    let needing_logs = snap
        .objects
        .pods
        .iter()
        .filter(|p| !live::containers_needing_logs(p).is_empty())
        .count();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        let server = support::ApiServer::start(snap).await;
        server.faults().latency(Duration::from_millis(10));
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = server.write_kubeconfig(dir.path(), "bench");
        let opts = LiveOptions {
            kubeconfig: Some(kubeconfig),
            all_namespaces: true,
            timeout: Duration::from_secs(60),
            ..LiveOptions::default()
        };
        server.reset_requests();
        reset_peak_rss();
        let started = Instant::now();
        let live = live::collect(&opts).await.expect("collects");
        let elapsed = started.elapsed();
        let requests = server.requests();
        let budget = k8sops::model::KINDS.len() + 2 * needing_logs;
        println!(
            "collect through the test API server (+10 ms per request): {:.3} s, {} HTTP requests (budget kinds + 2 × {} pods needing logs = {}), {} pods, {} logs, peak RSS {:.0} MiB incl. the in-process server [target ≤ 3 s]",
            elapsed.as_secs_f64(),
            requests,
            needing_logs,
            budget,
            live.objects.pods.len(),
            live.logs.len(),
            peak_rss_mib()
        );
    });
}
