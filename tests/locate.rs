//! Finding the file that sets a field, on the layouts in `tests/data/gitops/`: Argo CD's
//! tracking id and Flux's labels narrow a fleet repository with one copy per cluster to
//! the directory that deploys the object, a directory given as `--repo` narrows it too, and
//! a file that disagrees with the cluster is never edited.

use std::path::{Path, PathBuf};

use k8sops::remediate::locate::{Layout, locate};
use k8sops::remediate::{Hints, Plan};

fn layout(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/gitops")
        .join(name)
}

/// The plan of the top remedy of an example bundle.
fn plan(example: &str) -> Plan {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(example);
    let snapshot = k8sops::source::bundle::read(&path).expect("example reads");
    let d = k8sops::rca::run(&snapshot).items.remove(0);
    Plan::new(&d, &d.hypotheses[0]).expect("plan")
}

fn files(root: &Path, within: &str, hints: &Hints) -> Vec<String> {
    locate(root, Path::new(within), &plan("oom-killed"), hints)
        .expect("locates")
        .iter()
        .map(|c| c.file.display().to_string())
        .collect()
}

#[test]
fn a_fleet_repository_without_hints_has_one_candidate_per_cluster() {
    assert_eq!(
        files(&layout("fleet"), "", &Hints::default()),
        [
            "clusters/prod/shop/web.yaml",
            "clusters/staging/shop/web.yaml"
        ]
    );
}

#[test]
fn flux_labels_narrow_to_the_path_of_their_kustomization() {
    let hints = Hints {
        flux: Some(("shop-apps".into(), "flux-system".into())),
        known: true,
        ..Hints::default()
    };
    assert_eq!(
        files(&layout("fleet"), "", &hints),
        ["clusters/prod/shop/web.yaml"]
    );
}

#[test]
fn an_argocd_tracking_id_narrows_to_the_path_of_its_application() {
    let hints = Hints {
        argocd_app: Some("shop-web-staging".into()),
        known: true,
        ..Hints::default()
    };
    assert_eq!(
        files(&layout("fleet"), "", &hints),
        ["clusters/staging/shop/web.yaml"]
    );
    // An application the repository does not hold narrows nothing.
    let elsewhere = Hints {
        argocd_app: Some("payments".into()),
        known: true,
        ..Hints::default()
    };
    assert_eq!(files(&layout("fleet"), "", &elsewhere).len(), 2);
}

#[test]
fn a_directory_inside_the_clone_narrows_the_search() {
    assert_eq!(
        files(&layout("fleet"), "clusters/staging", &Hints::default()),
        ["clusters/staging/shop/web.yaml"]
    );
}

#[test]
fn kustomize_overlays_of_other_namespaces_are_not_candidates() {
    let c = locate(
        &layout("kustomize"),
        Path::new(""),
        &plan("oom-killed"),
        &Hints::default(),
    )
    .expect("locates");
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].file, Path::new("overlays/prod/patch-resources.yaml"));
    assert_eq!(c[0].layout, Layout::Kustomize);
    assert_eq!(c[0].current, [Some("512Mi".to_string())]);
}

#[test]
fn helm_values_are_searched_for_a_saved_diagnosis_without_labels() {
    // No live object: no Helm labels known, no manifest matches, so the values are read.
    let c = locate(
        &layout("helm"),
        Path::new(""),
        &plan("oom-killed"),
        &Hints::default(),
    )
    .expect("locates");
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].file, Path::new("charts/web/values.yaml"));
    assert_eq!(c[0].layout, Layout::HelmValues);
    // A live object without Helm labels is not Helm-managed: nothing to edit.
    let live = Hints {
        known: true,
        ..Hints::default()
    };
    assert!(
        locate(&layout("helm"), Path::new(""), &plan("oom-killed"), &live)
            .expect("locates")
            .is_empty()
    );
}

#[test]
fn a_file_that_disagrees_with_the_cluster_is_never_edited() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = std::fs::read_to_string(layout("plain").join("apps/shop/web.yaml")).expect("read");
    std::fs::write(
        dir.path().join("web.yaml"),
        text.replace(
            "memory: 512Mi    # OOM guard",
            "memory: 768Mi    # OOM guard",
        ),
    )
    .expect("write");
    let err = locate(
        dir.path(),
        Path::new(""),
        &plan("oom-killed"),
        &Hints::default(),
    )
    .expect_err("disagrees");
    let msg = err.to_string();
    assert!(
        msg.contains(
            "the repository disagrees with the cluster: web.yaml has 768Mi, the cluster runs 512Mi"
        ),
        "{msg}"
    );
}

#[test]
fn a_probe_port_is_found_under_the_handler_the_manifest_uses() {
    let c = locate(
        &layout("plain"),
        Path::new(""),
        &plan("probe-failure"),
        &Hints::default(),
    )
    .expect("locates");
    assert_eq!(c.len(), 1, "{c:?}");
    assert_eq!(c[0].current, [Some("8080".to_string())]);
    assert_eq!(
        k8sops::remediate::yaml_edit::path_string(&c[0].edits[0].path),
        "spec.template.spec.containers[name=web].readinessProbe.httpGet.port"
    );
}
