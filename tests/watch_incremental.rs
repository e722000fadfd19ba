//! The watch engine re-analyzes partitions (a namespace, or the cluster) instead of the
//! whole snapshot. Whatever the partitioning, the diagnoses must be exactly those of a
//! full `diagnose` run: checked on every example bundle.

use std::path::PathBuf;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8sops::source::bundle;
use k8sops::watch::engine::{Engine, Origin};
use k8sops::watch::objects::stores;
use k8sops::watch::partition::Dirty;

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

#[test]
fn partitioned_analysis_equals_a_full_diagnose_on_every_example() {
    let dirs = examples();
    assert!(dirs.len() >= 20, "examples found: {}", dirs.len());
    for dir in dirs {
        let snapshot = bundle::read(&dir).expect("example reads");
        let full = k8sops::rca::run(&snapshot).items;
        let (readers, mut writers) = stores();
        writers.load(snapshot.objects.clone());
        let captured = snapshot.meta.captured_at;
        let logs = Arc::new(Mutex::new(snapshot.logs.clone()));
        let mut engine = Engine::new(
            readers,
            logs,
            Arc::new(move || captured),
            Origin::default(),
            Duration::ZERO,
        );
        let dirty = Dirty {
            all: true,
            ..Dirty::default()
        };
        let mut last = None;
        engine.pass(&dirty, 1, &mut |u| last = Some(u));
        let update = last.expect("a pass sends an update");
        assert!(update.complete);
        assert_eq!(
            *update.diagnoses,
            full,
            "{}: partitioned analysis differs from diagnose",
            dir.display()
        );
    }
}
