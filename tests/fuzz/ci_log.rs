//! Target `ci_log`: GitHub Actions job logs through `ci::log::analyze`, with and without the
//! jobs API's failing step as a hint, and a run's log archive (a zip, its entries and bytes
//! mutated) through `ci::archive::Archive` to each job's log.

use std::io::Write as _;
use std::path::Path;
use std::sync::OnceLock;

use k8sops::ci::archive::Archive;
use k8sops::ci::log::{StepHint, analyze};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::Index;

use crate::mutate::{Input, Mutation, apply_mutations, input, mutation};
use crate::{fuzz, keep_input, root, with_extension, work_dir};

fn log_seeds() -> &'static Vec<Vec<u8>> {
    static SEEDS: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    SEEDS.get_or_init(|| {
        let seeds = with_extension(&root().join("tests/data/ci/logs"), &[".log"]);
        assert!(seeds.len() > 10, "tests/data/ci/logs");
        seeds
    })
}

const STEP_NAMES: &[&str] = &[
    "Run cargo test --locked",
    "cargo test --locked",
    "Set up job",
    "Build",
    "",
    "Run ",
    "é",
];

const JOB_NAMES: &[&str] = &[
    "build",
    "test",
    "lint",
    "build (ubuntu-latest, 1.80)",
    "",
    "é",
];

/// Entries of a run's log archive.
const ZIP_NAMES: &[&str] = &[
    "0_lint.txt",
    "1_build.txt",
    "1_build _ubuntu-latest, 1.80_.txt",
    "build/1_Set up job.txt",
    "build/2_Run cargo test.txt",
    "test/99999999999_Post.txt",
    "test/_x.txt",
    "é/1_é.txt",
    "../1_test.txt",
    "dir/",
    "a.bin",
];

#[derive(Debug, Clone)]
enum CiCase {
    Log {
        text: Input,
        /// The step the jobs API names, and its start and end in seconds.
        hint: Option<(Index, Option<i32>, Option<i32>)>,
    },
    Zip {
        entries: Vec<(Index, Input)>,
        raw: Vec<Mutation>,
    },
}

fn ci_case() -> impl Strategy<Value = CiCase> {
    let second = prop_oneof![Just(None), any::<i32>().prop_map(Some)];
    prop_oneof![
        4 => (
            input(),
            proptest::option::of((any::<Index>(), second.clone(), second)),
        )
            .prop_map(|(text, hint)| CiCase::Log { text, hint }),
        1 => (vec((any::<Index>(), input()), 0..4), vec(mutation(), 0..3))
            .prop_map(|(entries, raw)| CiCase::Zip { entries, raw }),
    ]
}

fn zip_of(entries: &[(Index, Input)], raw: &[Mutation]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, text) in entries {
        // The writer refuses a duplicate name; the archive then has one entry fewer.
        if w.start_file(*name.get(ZIP_NAMES), options).is_ok() {
            w.write_all(&text.build(log_seeds()))
                .expect("zip in memory");
        }
    }
    let mut bytes = w.finish().expect("zip in memory").into_inner();
    apply_mutations(&mut bytes, raw, log_seeds());
    bytes
}

fn timestamp(second: Option<i32>) -> Option<jiff::Timestamp> {
    second.and_then(|s| jiff::Timestamp::from_second(i64::from(s)).ok())
}

/// Whether an error line was found.
fn read_log(case: &CiCase, dir: &Path) -> bool {
    match case {
        CiCase::Log { text, hint } => {
            let text = text.text(log_seeds());
            keep_input(dir, "job.log", text.as_bytes());
            let hint = hint.as_ref().map(|(name, started, completed)| StepHint {
                name: name.get::<&str>(STEP_NAMES),
                started_at: timestamp(*started),
                completed_at: timestamp(*completed),
            });
            analyze(&text, hint.as_ref()).first_error.is_some()
        }
        CiCase::Zip { entries, raw } => {
            let bytes = zip_of(entries, raw);
            keep_input(dir, "logs.zip", &bytes);
            let Ok(archive) = Archive::read(&bytes) else {
                return false;
            };
            let mut found = false;
            for job in JOB_NAMES {
                if let Some(text) = archive.job_log(job) {
                    found |= analyze(&text, None).first_error.is_some();
                }
            }
            found
        }
    }
}

#[test]
fn never_panics() {
    let dir = work_dir("ci_log");
    fuzz("ci_log", ci_case(), |case| read_log(case, &dir));
}
