//! `k8sops watch` under load: the synthetic 10k-pod bundle served by the test API server,
//! a storm of 1,000 watch events per second for 60 s (new Events, and pod status changes,
//! one of which turns a healthy pod CrashLoopBackOff every second), watched by the real
//! binary (`watch --headless -A`). Prints event → finding latency (push to the JSON line),
//! the watcher's peak RSS, and the dashboard's frame render time on the same 10k pods.
//! Run through `scripts/bench.sh watch`; asserts nothing.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::io::BufRead as _;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use k8sops::model::{Kind, pod_is_healthy};
use k8sops::source::bundle;
use serde_json::json;

const STORM_SECS: u64 = 60;
const PER_SECOND: usize = 1000;

fn bundle_path() -> PathBuf {
    std::env::var_os("K8SOPS_BENCH_BUNDLE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("bench-data/synthetic-10k")
        })
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn peak_rss_mib(pid: u32) -> f64 {
    std::fs::read_to_string(format!("/proc/{pid}/status"))
        .unwrap_or_default()
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.split_whitespace().next())
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
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
    let _ = rustls::crypto::ring::default_provider().install_default();
    let snapshot = bundle::read(&path).expect("bundle reads");
    frames(&snapshot);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(storm(snapshot));
}

/// Frame render time of the dashboard holding every pod and diagnosis of the bundle.
fn frames(snapshot: &k8sops::model::Snapshot) {
    use k8sops::tui::{action::Action, app::App, rows, view};
    let (readers, mut writers) = k8sops::watch::objects::stores();
    writers.load(snapshot.objects.clone());
    let list = k8sops::rca::run(snapshot);
    let mut app = App::new(Default::default());
    app.apply(Action::Update(Box::new(k8sops::watch::Update {
        diagnoses: Arc::new(list.items),
        at: snapshot.meta.captured_at,
        complete: true,
        stats: Default::default(),
    })));
    app.apply(Action::Rows(Box::new(rows::compute(&readers, None))));
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).expect("terminal");
    let mut times = Vec::new();
    for i in 0..2000 {
        // Move the cursors as a user would, so each frame draws a different window.
        let code = if i % 50 < 25 {
            crossterm::event::KeyCode::Down
        } else {
            crossterm::event::KeyCode::Up
        };
        app.key(crossterm::event::KeyEvent::new(
            code,
            crossterm::event::KeyModifiers::NONE,
        ));
        if i % 200 == 0 {
            app.key(crossterm::event::KeyEvent::new(
                crossterm::event::KeyCode::Tab,
                crossterm::event::KeyModifiers::NONE,
            ));
        }
        let started = Instant::now();
        terminal.draw(|f| view::draw(f, &app)).expect("draws");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    println!(
        "frame render (200×60, {} pods, {} problems): p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms [target p99 ≤ 10 ms]",
        app.rows.pods.len(),
        app.diagnoses.len(),
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(0.0)
    );
}

async fn storm(snapshot: k8sops::model::Snapshot) {
    // Pods to break: healthy pods of Deployments whose pods are all healthy.
    let mut by_owner: HashMap<(String, String), Vec<(String, bool)>> = HashMap::new();
    for p in &snapshot.objects.pods {
        let ns = p.metadata.namespace.clone().unwrap_or_default();
        let owner = p
            .metadata
            .owner_references
            .iter()
            .flatten()
            .next()
            .map(|o| o.name.clone())
            .unwrap_or_default();
        by_owner.entry((ns, owner)).or_default().push((
            p.metadata.name.clone().unwrap_or_default(),
            pod_is_healthy(p),
        ));
    }
    let mut victims: Vec<(String, String)> = by_owner
        .iter()
        .filter(|(_, pods)| pods.iter().all(|(_, ok)| *ok))
        .map(|((ns, _), pods)| (ns.clone(), pods[0].0.clone()))
        .collect();
    victims.sort();
    victims.truncate(STORM_SECS as usize);
    let pods: Vec<(String, String)> = snapshot
        .objects
        .pods
        .iter()
        .map(|p| {
            (
                p.metadata.namespace.clone().unwrap_or_default(),
                p.metadata.name.clone().unwrap_or_default(),
            )
        })
        .collect();
    let server = support::ApiServer::start(snapshot).await;
    let dir = tempfile::tempdir().expect("tempdir");
    let kubeconfig = server.write_kubeconfig(dir.path(), "bench");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_k8sops"))
        .args(["watch", "--headless", "-A", "--kubeconfig"])
        .arg(&kubeconfig)
        .env("HOME", dir.path())
        .env_remove("K8SOPS_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("k8sops starts");
    let pid = child.id();
    // The first "new" line for a victim's pod prefix (its ReplicaSet's pods share it).
    let seen: Arc<Mutex<HashMap<String, Instant>>> = Arc::default();
    let first_line: Arc<Mutex<Option<Instant>>> = Arc::default();
    let stdout = child.stdout.take().expect("stdout");
    {
        let seen = seen.clone();
        let first_line = first_line.clone();
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout)
                .lines()
                .map_while(Result::ok)
            {
                let now = Instant::now();
                first_line.lock().expect("lock").get_or_insert(now);
                let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                    continue;
                };
                if v["type"] == "new" {
                    let key = format!(
                        "{}/{}",
                        v["subject"]["namespace"].as_str().unwrap_or(""),
                        v["subject"]["name"].as_str().unwrap_or("")
                    );
                    seen.lock().expect("lock").entry(key).or_insert(now);
                }
            }
        });
    }
    let started = Instant::now();
    // Wait until the initial analysis printed something (the list is done).
    while first_line.lock().expect("lock").is_none() && started.elapsed() < Duration::from_secs(120)
    {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "initial list and analysis of the bundle: {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let rss_before = peak_rss_mib(pid);
    let mut pushes = 0usize;
    let mut broken: Vec<(String, Instant)> = Vec::new();
    let storm_started = Instant::now();
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = |n: usize| {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        (rng % n as u64) as usize
    };
    for second in 0..STORM_SECS {
        for slice in 0..20 {
            let due = storm_started + Duration::from_millis(second * 1000 + slice * 50);
            tokio::time::sleep_until(due.into()).await;
            for i in 0..PER_SECOND / 20 {
                let (ns, pod) = &pods[next(pods.len())];
                if i % 10 == 0 {
                    if let Some(mut p) = server.object(Kind::Pod, ns, pod) {
                        p["metadata"]["annotations"]["bench/tick"] = json!(pushes.to_string());
                        server.push(Kind::Pod, "MODIFIED", p);
                    }
                } else {
                    let at = jiff::Timestamp::now().to_string();
                    server.push(
                        Kind::Event,
                        "ADDED",
                        json!({"metadata": {"name": format!("{pod}.storm{pushes}"), "namespace": ns},
                            "involvedObject": {"kind": "Pod", "namespace": ns, "name": pod, "apiVersion": "v1"},
                            "reason": "Pulled", "message": "Container image already present on machine",
                            "type": "Normal", "count": 1, "source": {"component": "kubelet"},
                            "firstTimestamp": at, "lastTimestamp": at}),
                    );
                }
                pushes += 1;
            }
            if slice == 0
                && let Some((ns, pod)) = victims.get(second as usize)
                && let Some(mut p) = server.object(Kind::Pod, ns, pod)
            {
                let name = p["spec"]["containers"][0]["name"].clone();
                p["status"]["containerStatuses"][0] = json!({
                    "name": name, "ready": false, "restartCount": 4, "image": "", "imageID": "",
                    "state": {"waiting": {"reason": "CrashLoopBackOff", "message": "back-off 1m20s restarting failed container"}},
                    "lastState": {"terminated": {"exitCode": 1, "reason": "Error",
                        "startedAt": jiff::Timestamp::now().to_string(), "finishedAt": jiff::Timestamp::now().to_string()}},
                });
                server.push(Kind::Pod, "MODIFIED", p);
                pushes += 1;
                broken.push((format!("{ns}/{pod}"), Instant::now()));
            }
        }
    }
    let storm_elapsed = storm_started.elapsed().as_secs_f64();
    tokio::time::sleep(Duration::from_secs(3)).await;
    let rss = peak_rss_mib(pid);
    let _ = child.kill();
    let _ = child.wait();
    let seen = seen.lock().expect("lock").clone();
    let mut latencies: Vec<f64> = Vec::new();
    let mut missed = 0;
    for (pod, at) in &broken {
        // A pod's finding is filed under its workload, whose name prefixes the pod's.
        let found = seen
            .iter()
            .filter(|(k, t)| pod.starts_with(k.as_str()) && **t >= *at)
            .map(|(_, t)| t.duration_since(*at).as_secs_f64() * 1000.0)
            .fold(None, |m: Option<f64>, v| Some(m.map_or(v, |m| m.min(v))));
        match found {
            Some(ms) => latencies.push(ms),
            None => missed += 1,
        }
    }
    latencies.sort_by(f64::total_cmp);
    println!(
        "storm: {pushes} watch events in {storm_elapsed:.1} s ({:.0}/s) over {} pods",
        pushes as f64 / storm_elapsed,
        pods.len()
    );
    println!(
        "event → finding: p50 {:.0} ms, p95 {:.0} ms, max {:.0} ms over {} pods turned CrashLoopBackOff ({missed} without a finding) [target p95 ≤ 1000 ms]",
        percentile(&latencies, 0.5),
        percentile(&latencies, 0.95),
        latencies.last().copied().unwrap_or(f64::NAN),
        latencies.len()
    );
    println!(
        "watcher peak RSS: {rss:.0} MiB ({rss_before:.0} MiB after the initial list) [target ≤ 250 MB]"
    );
}
