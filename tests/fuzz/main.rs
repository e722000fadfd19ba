//! Fuzzing of everything that reads untrusted bytes, on stable Rust: proptest mutates the
//! real inputs in `examples/` and `tests/data/` — byte flips, truncations, deletions,
//! duplications, splices from other inputs, inserted (and repeated) JSON, YAML, tar and log
//! tokens, random tar and zip members, and fully random bytes (`mutate`) — and hands them to
//! the library's own readers, one module per target:
//!
//! - `bundle`: `source::bundle::read` on single JSON/YAML files, dump trees on disk and
//!   `.tar.gz` archives (with forged headers), then `rca::run` on what it read, as
//!   `diagnose --from` does;
//! - `yaml_edit`: `remediate::yaml_edit::apply_all` with the edits remediation plans make;
//! - `llm_answer`: `llm::schema::parse` and `check`, what the engine does with a reply;
//! - `ci_log`: `ci::log::analyze`, with and without the jobs API's step hint, and the job
//!   logs of a run's zip through `ci::archive::Archive`;
//! - `paste`: `source::paste::read` on pasted kubectl text (describe, get, events, logs),
//!   then `rca::run` on what it read, as `diagnose -f` does.
//!
//! A reader may refuse an input with an error; it must never panic. Each target runs for
//! `K8SOPS_FUZZ_SECS` seconds (3 by default: CI's short pass); `scripts/fuzz.sh MINUTES` runs
//! long passes and prints the case counts. A failure names the RNG seed
//! (`K8SOPS_FUZZ_SEED` replays it) and leaves the shrunk input in
//! `target/tmp/fuzz/<target>/`; the input a crashed process (abort, stack overflow) was on
//! stays there too. What a pass finds is fixed in the reader and kept as a regression test
//! in `tests/data/fuzz/regressions/`, replayed below on every run.

mod bundle;
mod ci_log;
mod llm_answer;
mod mutate;
mod paste;
mod yaml_edit;

use std::cell::Cell;
use std::fmt::Debug;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

use k8sops::ci::log::analyze;
use k8sops::remediate::plan::Scalar;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed, TestError, TestRunner};

// ---------------------------------------------------------------------------------------
// The harness: proptest's runner, one case at a time, until the time budget is spent.

fn budget() -> Duration {
    let secs = std::env::var("K8SOPS_FUZZ_SECS")
        .ok()
        .and_then(|s| s.trim().parse::<f64>().ok())
        .filter(|s| s.is_finite() && *s >= 0.0)
        .unwrap_or(3.0);
    Duration::from_secs_f64(secs)
}

fn rng_seed(target: &str) -> u64 {
    if let Some(seed) = std::env::var("K8SOPS_FUZZ_SEED")
        .ok()
        .and_then(|s| s.trim().parse().ok())
    {
        return seed;
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos() as u64);
    // Targets started in the same nanosecond still get different streams.
    target
        .bytes()
        .fold(nanos, |h, b| h.rotate_left(7) ^ u64::from(b))
}

/// Where a target keeps the input it is on: a crashed process leaves it behind.
fn work_dir(target: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("fuzz")
        .join(target);
    std::fs::create_dir_all(&dir).expect("fuzz work dir");
    dir
}

/// Writes `bytes` as the input `target` is on.
fn keep_input(dir: &Path, name: &str, bytes: &[u8]) {
    std::fs::write(dir.join(name), bytes).expect("write the input being tried");
}

thread_local! {
    static FUZZING: Cell<bool> = const { Cell::new(false) };
}

/// Fuzz targets running in this process.
static ACTIVE: AtomicUsize = AtomicUsize::new(0);

/// The first panic of a fuzz run, with its location.
static FIRST_PANIC: Mutex<Option<String>> = Mutex::new(None);

/// While a target shrinks an input it panics hundreds of times: keep the first message (with
/// its location) for the report instead of printing each, with its backtrace. Panics of
/// other tests go to the default hook. The readers' own threads are unnamed; libtest names
/// each test's thread.
fn quiet_panics() {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let default = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let reader_thread = std::thread::current().name().is_none();
            let ours = FUZZING.get() || (reader_thread && ACTIVE.load(Ordering::SeqCst) > 0);
            if !ours {
                return default(info);
            }
            let mut first = FIRST_PANIC.lock().unwrap_or_else(|e| e.into_inner());
            first.get_or_insert_with(|| info.to_string());
        }));
    });
}

fn take_first_panic() -> Option<String> {
    FIRST_PANIC.lock().unwrap_or_else(|e| e.into_inner()).take()
}

/// A case that runs this long hangs.
const CASE_LIMIT: Duration = Duration::from_secs(60);

/// When the current case started. While the caller holds it, a thread checks it every second
/// and stops the process on a hang, leaving the input in the target's work dir.
fn watchdog(target: &str) -> Arc<Mutex<Instant>> {
    let beat = Arc::new(Mutex::new(Instant::now()));
    let watched = Arc::downgrade(&beat);
    let dir = work_dir(target);
    let target = target.to_string();
    std::thread::spawn(move || {
        loop {
            std::thread::sleep(Duration::from_secs(1));
            let Some(beat) = watched.upgrade() else {
                return;
            };
            let running = beat.lock().unwrap_or_else(|e| e.into_inner()).elapsed();
            if running > CASE_LIMIT {
                eprintln!(
                    "fuzz {target}: one case has run for {}s; the input is in {}",
                    running.as_secs(),
                    dir.display()
                );
                std::process::abort();
            }
        }
    });
    beat
}

/// Runs `case` on values of `strategy` for the time budget; a panic fails the test with the
/// shrunk input. `case` says whether the reader accepted the input (the share tells how deep
/// the inputs get).
fn fuzz<S>(target: &str, strategy: S, case: impl Fn(&S::Value) -> bool)
where
    S: Strategy,
    S::Value: Debug,
{
    quiet_panics();
    FUZZING.set(true);
    ACTIVE.fetch_add(1, Ordering::SeqCst);
    let seed = rng_seed(target);
    let config = Config {
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(seed),
        max_shrink_time: 120_000,
        ..Config::default()
    };
    let mut runner = TestRunner::new(config);
    let beat = watchdog(target);
    let started = Instant::now();
    let deadline = started + budget();
    let mut cases: u64 = 0;
    let accepted = Cell::new(0u64);
    while cases == 0 || Instant::now() < deadline {
        let tree = strategy
            .new_tree(&mut runner)
            .unwrap_or_else(|e| panic!("fuzz {target}: no input generated: {e}"));
        match runner.run_one(tree, |value| {
            *beat.lock().unwrap_or_else(|e| e.into_inner()) = Instant::now();
            if case(&value) {
                accepted.set(accepted.get() + 1);
            }
            Ok(())
        }) {
            Ok(_) => cases += 1,
            Err(TestError::Fail(why, minimal)) => {
                // Once more, so the shrunk input is the one left on disk and its panic is the
                // one reported.
                take_first_panic();
                let _ = catch_unwind(AssertUnwindSafe(|| case(&minimal)));
                let panic = take_first_panic().unwrap_or_else(|| why.to_string());
                FUZZING.set(false);
                ACTIVE.fetch_sub(1, Ordering::SeqCst);
                panic!(
                    "fuzz {target}: {panic}\nafter {cases} cases (K8SOPS_FUZZ_SEED={seed}); \
                     the input is in {}:\n{minimal:#?}",
                    work_dir(target).display()
                );
            }
            Err(TestError::Abort(why)) => panic!("fuzz {target}: aborted: {why}"),
        }
    }
    FUZZING.set(false);
    ACTIVE.fetch_sub(1, Ordering::SeqCst);
    eprintln!(
        "fuzz {target}: {cases} cases ({} accepted, the rest refused with an error) in {:.1}s \
         without a panic (K8SOPS_FUZZ_SEED={seed})",
        accepted.get(),
        started.elapsed().as_secs_f64()
    );
}

// ---------------------------------------------------------------------------------------
// The real inputs.

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Every file under `dir`, relative to it with `/` separators, sorted.
fn files_under(dir: &Path) -> Vec<(String, Vec<u8>)> {
    fn walk(base: &Path, dir: &Path, out: &mut Vec<(String, Vec<u8>)>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.is_dir() {
                walk(base, &path, out);
            } else if let (Ok(rel), Ok(bytes)) = (path.strip_prefix(base), std::fs::read(&path)) {
                let rel: Vec<_> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().into_owned())
                    .collect();
                out.push((rel.join("/"), bytes));
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

fn with_extension(dir: &Path, extensions: &[&str]) -> Vec<Vec<u8>> {
    files_under(dir)
        .into_iter()
        .filter(|(rel, _)| extensions.iter().any(|e| rel.ends_with(e)))
        .map(|(_, bytes)| bytes)
        .collect()
}

// ---------------------------------------------------------------------------------------
// What the passes found, replayed on every run.

/// The inputs under `tests/data/fuzz/regressions/<target>/`.
fn regressions(target: &str) -> Vec<PathBuf> {
    let dir = root().join("tests/data/fuzz/regressions").join(target);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .map(|entries| entries.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    paths.sort();
    paths
}

#[test]
fn inputs_that_once_crashed_a_reader_are_read_without_a_panic() {
    let mut replayed = 0;
    for path in regressions("bundle") {
        bundle::read_and_diagnose(&path);
        replayed += 1;
    }
    let dir = work_dir("regressions");
    for path in regressions("yaml_edit") {
        let text = std::fs::read_to_string(&path).expect("a YAML regression is text");
        for path in yaml_edit::EDIT_PATHS {
            let edits = [yaml_edit::edit(
                0,
                path,
                "web",
                Scalar::Str("1280Mi".into()),
            )];
            yaml_edit::edit_yaml(&text, &edits, &dir);
        }
        replayed += 1;
    }
    for path in regressions("llm_answer") {
        llm_answer::read_answer(
            &String::from_utf8_lossy(&std::fs::read(&path).expect("read")),
            &dir,
        );
        replayed += 1;
    }
    for path in regressions("paste") {
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
        paste::read_paste(&text, &dir);
        replayed += 1;
    }
    for path in regressions("ci_log") {
        let text = String::from_utf8_lossy(&std::fs::read(&path).expect("read")).into_owned();
        let _ = analyze(&text, None);
        replayed += 1;
    }
    assert!(
        replayed > 0,
        "tests/data/fuzz/regressions/ holds the inputs"
    );
}
