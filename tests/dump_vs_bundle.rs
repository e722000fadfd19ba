//! The same incident read from a `kubectl cluster-info dump` and from a bundle that carries
//! the owners: every labelled scenario in `examples/` that is a full bundle is cut down to
//! what `kubectl cluster-info dump --all-namespaces --output-directory` writes (nodes.json, the
//! seven namespaced Lists, current logs — no Jobs, CronJobs, StatefulSets, PVCs, StorageClasses,
//! ConfigMaps or Secrets), and both must name the same subjects with the same categories.
//! Where the dump lacks an owner the diagnosis names, its finding says what was inferred.

use std::path::{Path, PathBuf};

use k8sops::source::bundle;

/// The namespaced Lists `kubectl cluster-info dump` writes.
const DUMPED: &[&str] = &[
    "events.json",
    "replication-controllers.json",
    "services.json",
    "daemonsets.json",
    "deployments.json",
    "replicasets.json",
    "pods.json",
];

fn examples() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples")
}

/// Full bundles: they list namespaces (a dump does not) and carry no CI runs (a dump has none
/// to cut away, so a scenario about CI cannot be told from its dump).
fn full_bundles() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(examples())
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file() && p.join("namespaces.json").is_file())
        .filter(|p| !p.join("ci").exists())
        .collect();
    dirs.sort();
    dirs
}

fn copy(from: &Path, to: &Path) {
    if let Some(parent) = to.parent() {
        std::fs::create_dir_all(parent).expect("mkdir");
    }
    std::fs::copy(from, to).expect("copy");
}

/// Writes the part of `bundle` that `kubectl cluster-info dump` would have written to `out`.
fn as_dump(bundle: &Path, out: &Path) {
    copy(&bundle.join("nodes.json"), &out.join("nodes.json"));
    for ns in std::fs::read_dir(bundle).expect("bundle").flatten() {
        let ns = ns.path();
        if !ns.join("pods.json").is_file() {
            continue;
        }
        let name = ns.file_name().expect("name");
        for list in DUMPED {
            copy(&ns.join(list), &out.join(name).join(list));
        }
        for pod in std::fs::read_dir(&ns).expect("namespace").flatten() {
            let logs = pod.path().join("logs.txt");
            if logs.is_file() {
                copy(
                    &logs,
                    &out.join(name).join(pod.file_name()).join("logs.txt"),
                );
            }
        }
    }
}

/// `(subject, top category)` of every diagnosis.
fn verdicts(path: &Path) -> (Vec<(String, String)>, k8sops::rca::DiagnosisList) {
    let snapshot = bundle::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let list = k8sops::rca::run(&snapshot);
    let verdicts = list
        .items
        .iter()
        .map(|d| {
            let category = d.top().map(|h| h.category.to_string()).unwrap_or_default();
            (d.subject.to_string(), category)
        })
        .collect();
    (verdicts, list)
}

#[test]
fn a_dump_without_owners_and_the_bundle_with_them_give_the_same_subjects_and_categories() {
    let bundles = full_bundles();
    assert!(bundles.len() >= 20, "{} full bundles", bundles.len());
    let tmp = tempfile::tempdir().expect("tempdir");
    let mut absent_owners = 0;
    let mut mismatches = Vec::new();
    for full in &bundles {
        let name = full.file_name().expect("name");
        let dump = tmp.path().join(name);
        as_dump(full, &dump);
        let (with_owners, _) = verdicts(full);
        let (from_dump, list) = verdicts(&dump);
        assert!(
            !with_owners.is_empty(),
            "{}: nothing diagnosed",
            full.display()
        );
        if with_owners != from_dump {
            mismatches.push(format!(
                "{}:\n  bundle {with_owners:?}\n  dump   {from_dump:?}",
                name.to_string_lossy()
            ));
        }
        // A subject the dump has no object for: an owner it lacks, named from references or
        // inferred from names and labels.
        let dumped = bundle::read(&dump).expect("dump reads");
        for d in &list.items {
            let present = d.subject.known_kind().is_some_and(|k| {
                dumped
                    .meta(
                        k,
                        d.subject.namespace.as_deref().unwrap_or(""),
                        &d.subject.name,
                    )
                    .is_some()
            });
            if present {
                continue;
            }
            absent_owners += 1;
            if d.subject.kind == "CronJob" {
                assert!(
                    d.findings.iter().any(|f| f
                        .facts
                        .get("inferred")
                        .is_some_and(|w| w.contains(&d.subject.name))),
                    "{}: a CronJob read from a dump is inferred: {:?}",
                    name.to_string_lossy(),
                    d.findings.iter().map(|f| &f.facts).collect::<Vec<_>>()
                );
            }
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
    // The pairs must exercise owners the dump does not carry (StatefulSets, Jobs, CronJobs).
    assert!(
        absent_owners >= 5,
        "{absent_owners} subjects absent from the dumps"
    );
}

#[test]
fn a_cronjob_whose_job_is_absent_is_inferred_and_its_failure_read_from_the_pods() {
    let (verdicts, list) = verdicts(&examples().join("dump-cronjob-failed"));
    assert_eq!(
        verdicts,
        vec![(
            "CronJob shop/daily-report".to_string(),
            "job-failed".to_string()
        )]
    );
    let finding = &list.items[0].findings[0];
    assert_eq!(
        finding.subject.to_string(),
        "Job shop/daily-report-29919420"
    );
    assert!(
        finding.facts["inferred"].contains("daily-report-29919420"),
        "{:?}",
        finding.facts
    );
    assert_eq!(finding.facts["signature"], "postgres-too-many-connections");
    let evidence = &list.items[0].evidence;
    assert!(
        evidence.iter().any(|e| e
            .excerpt
            .starts_with("owner inferred: CronJob daily-report")),
        "{evidence:#?}"
    );
}
