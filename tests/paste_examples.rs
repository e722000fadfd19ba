//! The paste workflow against every scenario in `examples/`: the test API server serves the
//! bundle, the real `kubectl` prints what a person would paste — `kubectl describe` of the
//! namespace's workloads, pods, PVCs and services and of the nodes, `kubectl get events`
//! (default layout, or `-o wide` for every other example) and `kubectl logs --previous` (the
//! current log where a container has no previous one) behind `$ kubectl …` prompt lines —
//! and `diagnose -f` must find the same workload and category as `diagnose --from` on the
//! bundle. The bundle is served as if captured now (kubectl prints ages against its clock).
//! The directory is iterated, so a new example is covered when it lands.
//!
//! `K8SOPS_WRITE_PASTE_FIXTURES=1` also writes the generated pastes to
//! `tests/data/paste/kubectl-1.32/` (the fuzz seeds and the hand-pasted variants' base).

mod support;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use k8sops::model::Snapshot;
use k8sops::rca::DiagnosisList;
use k8sops::source::paste::{self, Paste};
use serde_json::Value;
use support::ApiServer;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

struct Kubectl {
    bin: PathBuf,
    kubeconfig: PathBuf,
    dir: tempfile::TempDir,
}

impl Kubectl {
    /// kubectl's stdout, or its stderr when it failed (a paste shows what the terminal did).
    async fn run(&self, args: &[&str]) -> (bool, String) {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .env_remove("KUBECONFIG")
            .env("HOME", self.dir.path())
            .stdin(Stdio::null());
        let out = tokio::task::spawn_blocking(move || cmd.output().expect("run kubectl"))
            .await
            .expect("join");
        let ok = out.status.success();
        let text = if ok { out.stdout } else { out.stderr };
        (ok, String::from_utf8(text).expect("UTF-8 output"))
    }
}

/// The bundle as its cluster would be now: every timestamp moved by the time since it was
/// captured. kubectl prints ages against its own clock, so a paste is taken as printed just
/// now; serving a bundle frozen weeks ago would make all of it look like history.
fn as_if_captured_now(bundle: Snapshot) -> Snapshot {
    let now = jiff::Timestamp::now();
    let shift = now.duration_since(bundle.meta.captured_at);
    fn walk(v: &mut Value, shift: jiff::SignedDuration) {
        match v {
            Value::String(s)
                if s.len() >= 20 && s.as_bytes()[0].is_ascii_digit() && s.contains('T') =>
            {
                if let Ok(t) = s.parse::<jiff::Timestamp>()
                    && let Ok(moved) = t.checked_add(shift)
                {
                    *s = moved.to_string();
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|i| walk(i, shift)),
            Value::Object(map) => map.values_mut().for_each(|i| walk(i, shift)),
            _ => {}
        }
    }
    let mut objects = k8sops::model::Objects::default();
    for info in k8sops::model::KINDS {
        for mut value in bundle.objects.to_json(info.kind) {
            walk(&mut value, shift);
            objects
                .insert_json(info.kind, value)
                .expect("a shifted object reads back");
        }
    }
    let mut meta = bundle.meta.clone();
    meta.captured_at = now;
    Snapshot::new(meta, objects, bundle.logs.clone(), bundle.warnings.clone())
}

/// `(workload, category)` of the diagnosis about `workload`, else of the first one.
fn verdict(list: &DiagnosisList, workload: &str) -> Option<(String, String)> {
    let item = list
        .items
        .iter()
        .find(|d| format!("{}/{}", d.subject.kind, d.subject.name) == workload)
        .or(list.items.first())?;
    let category = serde_json::to_value(item.hypotheses.first()?.category).ok()?;
    Some((
        format!("{}/{}", item.subject.kind, item.subject.name),
        category.as_str()?.to_string(),
    ))
}

/// What a person pastes for `namespace` of the served bundle.
async fn paste_for(kubectl: &Kubectl, bundle: &Snapshot, namespace: &str, wide: bool) -> String {
    let mut text = String::new();
    let mut section = |command: String, out: String| {
        text.push_str(&format!("$ {command}\n{out}"));
        if !out.ends_with('\n') {
            text.push('\n');
        }
    };
    let kinds = "deployments,replicasets,statefulsets,daemonsets,jobs,cronjobs,pods,pvc,services";
    let (_, out) = kubectl.run(&["describe", kinds, "-n", namespace]).await;
    section(format!("kubectl describe {kinds} -n {namespace}"), out);
    let (_, out) = kubectl.run(&["describe", "nodes"]).await;
    section("kubectl describe nodes".into(), out);
    let mut events = vec!["get", "events", "-n", namespace];
    if wide {
        events.extend(["-o", "wide"]);
    }
    let (_, out) = kubectl.run(&events).await;
    section(format!("kubectl {}", events.join(" ")), out);
    for (key, _) in bundle.logs.iter().filter(|(k, _)| k.namespace == namespace) {
        let has_previous = bundle
            .log(&key.namespace, &key.pod, &key.container, true)
            .is_some();
        if has_previous != key.previous {
            continue;
        }
        let mut args = vec!["logs", &key.pod, "-c", &key.container, "-n", namespace];
        if key.previous {
            args.push("--previous");
        }
        let (ok, out) = kubectl.run(&args).await;
        assert!(ok, "kubectl {}: {out}", args.join(" "));
        section(format!("kubectl {}", args.join(" ")), out);
    }
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pasted_kubectl_output_diagnoses_like_the_bundle_for_every_example() {
    let Some(bin) = support::tool::require(&support::tool::KUBECTL) else {
        return;
    };
    let write_fixtures = std::env::var_os("K8SOPS_WRITE_PASTE_FIXTURES").is_some();
    let fixtures = root().join("tests/data/paste/kubectl-1.32");
    let mut examples: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    examples.sort();
    assert!(examples.len() >= 20, "{examples:?}");
    let mut failures = Vec::new();
    for (i, dir) in examples.iter().enumerate() {
        let name = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let expected: Value =
            serde_json::from_slice(&std::fs::read(dir.join("expected.json")).expect("read"))
                .expect("expected.json");
        let namespace = expected["namespace"]
            .as_str()
            .unwrap_or("default")
            .to_string();
        let workload = expected["workload"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        // CI runs are joined from GitHub, never printed by kubectl: the paste is compared
        // with what the cluster alone shows (the bundle without them).
        // The verdict is the bundle's own, read as captured: moving its clock would break
        // what the controllers wrote into names (a CronJob's Job is named for its scheduled
        // minute).
        let mut captured = k8sops::source::bundle::read(dir).expect("bundle");
        captured.ci = None;
        let want = verdict(&k8sops::rca::run(&captured), &workload);
        let bundle = as_if_captured_now(captured);

        let server = ApiServer::start(bundle.clone()).await;
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = server.write_kubeconfig(dir.path(), "paste");
        let kubectl = Kubectl {
            bin: bin.clone(),
            kubeconfig,
            dir,
        };
        let text = paste_for(&kubectl, &bundle, &namespace, i % 2 == 1).await;
        if write_fixtures {
            std::fs::create_dir_all(&fixtures).expect("fixtures dir");
            std::fs::write(fixtures.join(format!("{name}.txt")), &text).expect("write fixture");
        }
        let snapshot = match paste::read(
            &[Paste {
                name: &name,
                text: &text,
            }],
            jiff::Timestamp::now(),
        ) {
            Ok(s) => s,
            Err(e) => {
                failures.push(format!("{name}: {e}"));
                continue;
            }
        };
        let got = verdict(&k8sops::rca::run(&snapshot), &workload);
        if got != want {
            failures.push(format!(
                "{name}: the bundle says {want:?}, the paste {got:?}\n  paste warnings: {:?}",
                snapshot.warnings
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} examples differ:\n{}",
        failures.len(),
        examples.len(),
        failures.join("\n")
    );
}
