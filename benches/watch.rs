//! `k8sops watch` under load: the synthetic 10k-pod bundle served by the test API server,
//! a storm of 1,000 watch events per second for 60 s (new Events, and pod status changes,
//! one of which turns a healthy pod CrashLoopBackOff every second), watched by the real
//! binary (`watch --headless -A`). Prints event → finding latency (push to the JSON line),
//! the watcher's peak RSS, and the dashboard's frame render time on the same 10k pods.
//! The machine is shared, so wall times come with CPU times (a frame's thread CPU time,
//! the watcher's CPU seconds) and the load average. Run through `scripts/bench.sh watch`;
//! asserts nothing.

#[path = "../tests/support/mod.rs"]
mod support;

use std::collections::HashMap;
use std::io::BufRead as _;
use std::os::unix::process::CommandExt as _;
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

/// CPU time this thread has run (CLOCK_THREAD_CPUTIME_ID: not counting the time other
/// processes on this shared machine had the core).
fn thread_cpu() -> Duration {
    let mut t = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `t` is a valid timespec for the call to write into.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0;
    match ok {
        true => Duration::new(t.tv_sec as u64, t.tv_nsec as u32),
        false => Duration::ZERO,
    }
}

/// User + system CPU time of a process, from `/proc/PID/stat` (in clock ticks of 10 ms).
fn process_cpu_secs(pid: u32) -> f64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // The fields after the command name, which is in parentheses and may hold spaces.
    let after = stat.rsplit_once(')').map_or("", |(_, rest)| rest);
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| {
        fields
            .get(i)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(0.0)
    };
    (ticks(11) + ticks(12)) / 100.0
}

fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .unwrap_or_default()
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
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
    use k8sops::tui::{action::Action, app::App, rows};
    let (readers, mut writers) = k8sops::watch::objects::stores();
    writers.load(snapshot.objects.clone());
    let list = k8sops::rca::run(snapshot);
    let problems = list.items.len();
    let rows = rows::compute(&readers, None, &list.items);
    let mut app = App::new(Default::default());
    app.apply(Action::Update(Box::new(k8sops::watch::Update {
        diagnoses: Arc::new(list.items),
        at: snapshot.meta.captured_at,
        complete: true,
        stats: Default::default(),
    })));
    let pods = rows.pods.len();
    app.apply(Action::Rows(Arc::new(rows)));
    let mut terminal =
        ratatui::Terminal::new(ratatui::backend::TestBackend::new(200, 60)).expect("terminal");
    let mut times = Vec::new();
    let mut cpu = Vec::new();
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
        let (started, cpu_started) = (Instant::now(), thread_cpu());
        terminal.draw(|f| app.draw(f)).expect("draws");
        times.push(started.elapsed().as_secs_f64() * 1000.0);
        cpu.push((thread_cpu() - cpu_started).as_secs_f64() * 1000.0);
    }
    times.sort_by(f64::total_cmp);
    cpu.sort_by(f64::total_cmp);
    println!(
        "frame render (200×60, {} pods, {} problems): wall p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; thread CPU p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms [target p99 ≤ 10 ms]",
        pods,
        problems,
        percentile(&times, 0.5),
        percentile(&times, 0.99),
        times.last().copied().unwrap_or(0.0),
        percentile(&cpu, 0.5),
        percentile(&cpu, 0.99),
        cpu.last().copied().unwrap_or(0.0)
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
    // K8SOPS_BENCH_WRAP="heaptrack -o /tmp/watch" (or perf, valgrind …) runs the watcher
    // under a profiler; the RSS and CPU figures are then the wrapper's.
    let wrap = std::env::var("K8SOPS_BENCH_WRAP").unwrap_or_default();
    let mut argv: Vec<&str> = wrap.split_whitespace().collect();
    argv.push(env!("CARGO_BIN_EXE_k8sops"));
    let mut child = std::process::Command::new(argv[0])
        .args(&argv[1..])
        .args(["watch", "--headless", "-A", "--kubeconfig"])
        .arg(&kubeconfig)
        .env("HOME", dir.path())
        .env_remove("K8SOPS_CONFIG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        // Its own process group, so a wrapper's child goes with it at the end.
        .process_group(0)
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
    let cpu_before = process_cpu_secs(pid);
    println!(
        "initial list and analysis of the bundle: {:.1} s ({cpu_before:.1} s CPU); load average {}",
        started.elapsed().as_secs_f64(),
        load_average()
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
    let storm_cpu = process_cpu_secs(pid) - cpu_before;
    let load = load_average();
    // SAFETY: a plain kill(2) of the process group started above.
    unsafe { libc::kill(-(pid as i32), libc::SIGKILL) };
    let _ = child.wait();
    let seen = seen.lock().expect("lock").clone();
    let mut latencies: Vec<f64> = Vec::new();
    let mut missed = 0;
    for (pod, at) in &broken {
        // A pod's finding is filed under its workload, whose name prefixes the pod's
        // (`shop/api` for `shop/api-6c…-x2k9p`, and not for `shop/api-1-…`).
        let found = seen
            .iter()
            .filter(|(k, t)| {
                let rest = pod.strip_prefix(k.as_str()).unwrap_or("");
                **t >= *at && (rest.is_empty() || is_pod_suffix(rest))
            })
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
        "watcher CPU during the storm: {storm_cpu:.1} s over {:.0} s ({:.0}% of one core); load average {load}",
        storm_elapsed + 3.0,
        storm_cpu / (storm_elapsed + 3.0) * 100.0
    );
    println!(
        "watcher peak RSS: {rss:.0} MiB ({rss_before:.0} MiB after the initial list) [target ≤ 250 MB]"
    );
}

/// `-6c9f8b7d4-x2k9p` (a ReplicaSet's pod), `-x2k9p` (a DaemonSet's) or `-0` (a
/// StatefulSet's): what follows a workload's name in the names of its pods.
fn is_pod_suffix(rest: &str) -> bool {
    let word = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric());
    let parts: Vec<&str> = rest.strip_prefix('-').unwrap_or("?").split('-').collect();
    match parts.as_slice() {
        [one] => one.chars().all(|c| c.is_ascii_digit()) || (one.len() == 5 && word(one)),
        [hash, id] => word(hash) && word(id),
        _ => false,
    }
}
