//! Sanitizer throughput: `cargo bench --bench sanitize` (release, one thread).
//!
//! Prints MB/s (10^6 bytes) on ~100 MB of generated, realistic, clean log mix (klog,
//! access logs, JSON app logs, events, stack traces, CI output and the corpus'
//! look-alike lines), on a secret-dense mix (10 % of lines from the positive corpus), and
//! the cost per finding at several densities to show it is linear in findings.
//!
//! Extra modes, used by `scripts/bench-sanitize-peers.sh`:
//! - `-- --emit DIR [--mb N]`: write `clean.log`, `dense.log` and `positives.txt` to DIR;
//! - `-- --file PATH`: sanitize one file, print MB/s and findings;
//! - `-- --recall`: line-level recall on `tests/data/sanitize/positives.tsv` and the number
//!   of changed look-alike lines in `negatives.txt`.

use std::hint::black_box;
use std::path::{Path, PathBuf};
use std::time::Instant;

use k8sops::sanitize::Sanitizer;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const HEX: &[u8] = b"0123456789abcdef";
const POD: &[u8] = b"bcdfghjklmnpqrstvwxz2456789";

fn corpus(name: &str) -> String {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/sanitize")
        .join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn positive_lines() -> Vec<String> {
    corpus("positives.tsv")
        .lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| l.splitn(3, '\t').nth(2).map(str::to_owned))
        .collect()
}

fn rs(rng: &mut StdRng, chars: &[u8], n: usize) -> String {
    (0..n)
        .map(|_| char::from(chars[rng.random_range(0..chars.len())]))
        .collect()
}

/// One realistic clean log line.
fn clean_line(rng: &mut StdRng, negatives: &[&str]) -> String {
    let (h, m, s, us) = (
        rng.random_range(0..24),
        rng.random_range(0..60),
        rng.random_range(0..60),
        rng.random_range(0..1_000_000),
    );
    let ts = format!("2026-11-23T{h:02}:{m:02}:{s:02}.{us:06}Z");
    let pod = format!(
        "{}-{}-{}",
        ["web", "api", "orders", "worker"][rng.random_range(0..4)],
        rs(rng, POD, 10),
        rs(rng, POD, 5)
    );
    let ip = format!(
        "10.244.{}.{}",
        rng.random_range(0..255),
        rng.random_range(1..255)
    );
    match rng.random_range(0..12) {
        0 => format!(
            "I1123 {h:02}:{m:02}:{s:02}.{us:06}       1 reflector.go:368] Caches populated for *v1.Pod from k8s.io/client-go/informers/factory.go:160"
        ),
        1 => format!(
            "{ip} - - [23/Nov/2026:{h:02}:{m:02}:{s:02} +0000] \"GET /api/v1/orders/{} HTTP/1.1\" 200 {} \"-\" \"kube-probe/1.33\" 0.00{}",
            rng.random_range(1..99999),
            rng.random_range(10..9999),
            rng.random_range(1..9)
        ),
        2 => format!(
            "{{\"ts\":\"{ts}\",\"level\":\"info\",\"msg\":\"request finished\",\"trace_id\":\"{}\",\"span_id\":\"{}\",\"method\":\"GET\",\"path\":\"/healthz\",\"status\":200,\"duration_ms\":{},\"pod\":\"{pod}\"}}",
            rs(rng, HEX, 32),
            rs(rng, HEX, 16),
            rng.random_range(1..900)
        ),
        3 => format!(
            "{ts} Warning BackOff pod/{pod} Back-off restarting failed container web in pod {pod}_shop({}-{}-4{}-a{}-{})",
            rs(rng, HEX, 8),
            rs(rng, HEX, 4),
            rs(rng, HEX, 3),
            rs(rng, HEX, 3),
            rs(rng, HEX, 12)
        ),
        4 => format!(
            "main.(*Server).handle(0xc000{}, {{0x1a2b3c, 0xc0001}})\n\t/app/internal/server/handler.go:{} +0x1f4",
            rs(rng, HEX, 6),
            rng.random_range(10..900)
        ),
        5 => format!(
            "2026-11-23 {h:02}:{m:02}:{s:02}.{} ERROR 1 --- [nio-8080-exec-{}] o.a.c.c.C.[.[.[/].[dispatcherServlet] : Servlet.service() threw exception java.lang.NullPointerException: null",
            us / 1000,
            rng.random_range(1..20)
        ),
        6 => format!(
            "2026-11-23 {h:02}:{m:02}:{s:02}.{} UTC [{}] LOG:  checkpoint complete: wrote {} buffers (0.8%); 0 WAL file(s) added, 0 removed, 1 recycled",
            us / 1000,
            rng.random_range(30..900),
            rng.random_range(1..9000)
        ),
        7 => format!(
            "time=\"{ts}\" level=info msg=\"StartContainer for \\\"{}\\\" returns successfully\"",
            rs(rng, HEX, 64)
        ),
        8 => format!(
            "{ts} stdout F msg=\"cache key computed\" key=orders:{} hit={} latency={}ms upstream=http://api.shop.svc.cluster.local:8080/v1/orders",
            rng.random_range(1..99999),
            rng.random_bool(0.5),
            rng.random_range(1..90)
        ),
        9 => format!(
            "Step {}/12 : RUN go build -trimpath -o /app ./cmd/server  ---> Using cache ---> sha256:{}",
            rng.random_range(1..12),
            rs(rng, HEX, 64)
        ),
        10 => format!(
            "  File \"/app/service/handlers.py\", line {}, in handle_request\n    result = self.client.fetch(order_id, timeout=5.0)",
            rng.random_range(10..900)
        ),
        _ => negatives[rng.random_range(0..negatives.len())].to_owned(),
    }
}

/// About `bytes` of log text where `density` of the lines hold a corpus secret.
fn log_mix(bytes: usize, density: f64, seed: u64) -> String {
    let negatives_text = corpus("negatives.txt");
    let negatives: Vec<&str> = negatives_text.lines().collect();
    let positives = positive_lines();
    let mut rng = StdRng::seed_from_u64(seed);
    let mut out = String::with_capacity(bytes + 4096);
    while out.len() < bytes {
        if density > 0.0 && rng.random_bool(density) {
            out.push_str(&positives[rng.random_range(0..positives.len())]);
        } else {
            out.push_str(&clean_line(&mut rng, &negatives));
        }
        out.push('\n');
    }
    out
}

/// On-CPU nanoseconds of this thread (Linux schedstat); `None` elsewhere.
fn thread_cpu_ns() -> Option<u64> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    stat.split_whitespace().next()?.parse().ok()
}

/// Best-of-`runs` MB/s and the findings of one pass. Time is the thread's CPU time when
/// the OS reports it (a shared, busy machine otherwise bills us for time spent waiting for
/// a core), else wall time.
fn measure(s: &Sanitizer, text: &str, runs: usize) -> (f64, usize, f64) {
    let mut best = f64::INFINITY;
    let mut findings = 0;
    for _ in 0..runs {
        let (wall, cpu) = (Instant::now(), thread_cpu_ns());
        let out = s.sanitize(black_box(text)).expect("sanitize");
        let secs = match (cpu, thread_cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => wall.elapsed().as_secs_f64(),
        };
        findings = out.report.total();
        black_box(out);
        best = best.min(secs);
    }
    (text.len() as f64 / 1e6 / best, findings, best)
}

fn arg_value(args: &[String], flag: &str) -> Option<String> {
    args.iter()
        .position(|a| a == flag)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let s = Sanitizer::new();
    let mb: usize = arg_value(&args, "--mb")
        .and_then(|v| v.parse().ok())
        .unwrap_or(100);

    if let Some(dir) = arg_value(&args, "--emit") {
        let dir = Path::new(&dir);
        std::fs::create_dir_all(dir).expect("create dir");
        std::fs::write(dir.join("clean.log"), log_mix(mb * 1_000_000, 0.0, 1)).expect("write");
        std::fs::write(dir.join("dense.log"), log_mix(mb * 1_000_000, 0.10, 2)).expect("write");
        std::fs::write(
            dir.join("positives.txt"),
            positive_lines().join("\n") + "\n",
        )
        .expect("write");
        println!(
            "wrote {mb} MB clean.log, dense.log and positives.txt to {}",
            dir.display()
        );
        return;
    }
    if let Some(file) = arg_value(&args, "--file") {
        let text = std::fs::read_to_string(&file).expect("read file");
        let (mbps, findings, secs) = measure(&s, &text, 3);
        println!(
            "k8sops {file}: {:.1} MB in {secs:.3}s = {mbps:.1} MB/s, {findings} findings",
            text.len() as f64 / 1e6
        );
        return;
    }
    if args.iter().any(|a| a == "--recall") {
        let lines = positive_lines();
        let flagged = lines
            .iter()
            .filter(|l| s.sanitize(l).expect("sanitize").text != l.as_str())
            .count();
        println!(
            "k8sops line recall: {flagged}/{} = {:.2} %",
            lines.len(),
            100.0 * flagged as f64 / lines.len() as f64
        );
        let negatives = corpus("negatives.txt");
        let changed = negatives
            .lines()
            .filter(|l| s.sanitize(l).expect("sanitize").text != *l)
            .count();
        println!(
            "k8sops negatives changed: {changed}/{}",
            negatives.lines().count()
        );
        return;
    }

    println!(
        "sanitize throughput, one thread, {mb} MB per input (MB = 10^6 bytes), best of 3, thread CPU time"
    );
    let clean = log_mix(mb * 1_000_000, 0.0, 1);
    let (mbps, findings, secs) = measure(&s, &clean, 3);
    println!("clean log mix:        {mbps:>8.1} MB/s  ({secs:.3}s, {findings} findings)");
    let dense = log_mix(mb * 1_000_000, 0.10, 2);
    let (mbps, findings, secs) = measure(&s, &dense, 3);
    println!("secret-dense (10 %):  {mbps:>8.1} MB/s  ({secs:.3}s, {findings} findings)");
    drop((clean, dense));

    println!("cost vs findings ({} MB each):", mb / 5);
    let mut base = None;
    for density in [0.0, 0.01, 0.05, 0.10, 0.25] {
        let text = log_mix(mb * 200_000, density, 3);
        let (mbps, findings, secs) = measure(&s, &text, 3);
        let base_secs = *base.get_or_insert(secs);
        let per_finding = if findings > 0 {
            (secs - base_secs).max(0.0) / findings as f64 * 1e6
        } else {
            0.0
        };
        println!(
            "  density {:>4.0} %: {mbps:>8.1} MB/s, {findings:>8} findings, +{per_finding:.2} µs per finding over clean",
            density * 100.0
        );
    }
}
