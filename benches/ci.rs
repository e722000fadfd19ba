//! CI log parsing: `cargo bench --bench ci` (release, one thread).
//!
//! Prints:
//! - on the failing-log fixtures (`tests/data/ci/logs`), in how many the parser finds the
//!   failing step and the first error line its `.expected.json` names;
//! - on the labelled real logs of `../shared/ci-logs` (or `K8SOPS_CI_LOGS`; a SKIP line when
//!   absent), in how many the first labelled error line is reported and which share of the
//!   reported lines are labelled, averaged over the logs — read alone and against each
//!   build's passing log (issue 18 asks ≥ 17/18 and ≥ 75 %);
//! - the time to read a 50 MB job log (a cargo test run with ~800k lines of passing tests
//!   before the failure) into a failure report, and the same through `failure::from_log`
//!   (report + sanitizing the excerpt), best and median of 7;
//! - the time to find that job's log in a deflated run archive holding it.

use std::hint::black_box;
use std::io::Write as _;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use k8sops::ci::archive::Archive;
use k8sops::ci::failure;
use k8sops::ci::log::analyze;
use k8sops::model::ci::{Conclusion, JobSummary, LogSource, Status};
use k8sops::sanitize::Sanitizer;

#[path = "../tests/support/ci_logs.rs"]
mod ci_logs;

const TARGET_BYTES: usize = 50_000_000;
const RUNS: usize = 7;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ci/logs")
}

fn fixture_rate() {
    let mut found = 0;
    let mut total = 0;
    let mut misses = Vec::new();
    let mut entries: Vec<_> = std::fs::read_dir(fixtures())
        .expect("fixtures")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "log"))
        .collect();
    entries.sort();
    for path in entries {
        let text = std::fs::read_to_string(&path).expect("log");
        let expected: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("expected.json")).expect("expected"),
        )
        .expect("json");
        let r = analyze(&text, None);
        total += 1;
        let step = r.failing_step.as_deref() == expected["step"].as_str();
        let error = r.first_error.as_deref() == expected["first_error"].as_str();
        if step && error {
            found += 1;
        } else {
            misses.push(
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    println!(
        "failing step and first error line found in {found}/{total} fixtures ({:.0} %){}",
        100.0 * found as f64 / total.max(1) as f64,
        if misses.is_empty() {
            String::new()
        } else {
            format!("; missed: {}", misses.join(", "))
        }
    );
}

/// The cargo-test fixture with its passing tests repeated until the log is 50 MB.
fn big_log() -> String {
    let base = std::fs::read_to_string(fixtures().join("cargo-test.log")).expect("fixture");
    let marker = "running 9 tests\n";
    let at = base.find(marker).expect("test list") + marker.len();
    let (head, tail) = base.split_at(at);
    let mut out = String::with_capacity(TARGET_BYTES + base.len());
    out.push_str(head);
    let mut i = 0u64;
    while out.len() + tail.len() < TARGET_BYTES {
        let (s, us) = (i / 20_000 % 60, i * 37 % 10_000_000);
        out.push_str(&format!(
            "2026-11-20T08:15:{s:02}.{us:07}Z test catalog::search::tests::ranks_case_{i:07} ... \x1b[32mok\x1b[0m\n"
        ));
        i += 1;
    }
    out.push_str(tail);
    out
}

fn time<T>(mut f: impl FnMut() -> T) -> (Duration, Duration) {
    let mut times: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            black_box(f());
            t.elapsed()
        })
        .collect();
    times.sort();
    (times[0], times[RUNS / 2])
}

fn zip_of(name: &str, text: &str) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (file, body) in [
        ("0_lint.txt", "2026-11-20T08:10:00.0000000Z lint ok\n"),
        (name, text),
    ] {
        w.start_file(file, opts).expect("entry");
        w.write_all(body.as_bytes()).expect("write");
    }
    w.finish().expect("finish").into_inner()
}

/// The figures on the labelled real logs.
fn labelled_logs() {
    let dir = ci_logs::dir();
    if !dir.is_dir() {
        println!(
            "SKIP labelled CI logs: not found at {} (set K8SOPS_CI_LOGS)",
            dir.display()
        );
        return;
    }
    let cases = ci_logs::load(&dir);
    for (how, with_pass) in [("alone", false), ("against the passing log", true)] {
        let f = ci_logs::figures(&cases, with_pass);
        println!(
            "labelled CI logs ({how}): first labelled error line reported in {}/{}; {:.1} % of reported lines labelled (E or C), averaged over logs",
            f.found,
            f.total,
            100.0 * f.precision
        );
        for line in &f.lines {
            println!("  {line}");
        }
    }
}

fn main() {
    // `cargo bench` passes `--bench`; nothing else to parse.
    fixture_rate();
    labelled_logs();

    let log = big_log();
    let mb = log.len() as f64 / 1e6;
    let r = analyze(&log, None);
    assert_eq!(
        r.first_error.as_deref(),
        Some("thread 'cart::tests::total_includes_tax' panicked at src/cart.rs:88:9:"),
        "the big log still fails where the fixture does"
    );
    let (best, median) = time(|| analyze(&log, None));
    println!(
        "{mb:.1} MB job log ({} lines) parsed: best {:.0} ms, median {:.0} ms ({:.0} MB/s)",
        log.lines().count(),
        best.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3,
        mb / median.as_secs_f64()
    );

    let job = JobSummary {
        id: 1,
        name: "test".into(),
        status: Status::Completed,
        conclusion: Some(Conclusion::Failure),
        started_at: None,
        completed_at: None,
        url: String::new(),
        runner: None,
        steps: Vec::new(),
        failure: None,
    };
    let sanitizer = Sanitizer::new();
    let (best, median) =
        time(|| failure::from_log(&job, &log, LogSource::JobLog, &sanitizer).expect("sanitizes"));
    println!(
        "{mb:.1} MB job log to a sanitized failure: best {:.0} ms, median {:.0} ms",
        best.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );

    let zip = zip_of("1_test.txt", &log);
    let (best, median) = time(|| {
        Archive::read(&zip)
            .expect("zip")
            .job_log("test")
            .expect("job")
    });
    println!(
        "{mb:.1} MB job log out of a {:.1} MB run archive: best {:.0} ms, median {:.0} ms",
        zip.len() as f64 / 1e6,
        best.as_secs_f64() * 1e3,
        median.as_secs_f64() * 1e3
    );
}
