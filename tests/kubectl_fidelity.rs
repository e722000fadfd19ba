//! The test API server speaks Kubernetes well enough for the real `kubectl`: lists, tables,
//! logs, watches and `cluster-info dump` against it agree with the bundle it serves.
//!
//! Without kubectl on PATH each test prints a SKIP line, except under `CI=true`, where it
//! fails: `.ci/run` installs Debian's `kubernetes-client` (`support::tool`).

mod support;

use std::collections::BTreeSet;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use k8sops::model::{Kind, Snapshot};
use serde_json::{Value, json};
use support::ApiServer;

/// The bundle the tests serve: `examples/crash-loop` when present, else the code fixture.
fn bundle() -> Snapshot {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/crash-loop");
    if dir.is_dir() {
        match k8sops::source::bundle::read(&dir) {
            Ok(snapshot) => return snapshot,
            Err(err) => eprintln!(
                "note: {} unreadable ({err}); using the fixture",
                dir.display()
            ),
        }
    }
    support::fixture::snapshot()
}

struct Kubectl {
    bin: PathBuf,
    kubeconfig: PathBuf,
    dir: tempfile::TempDir,
}

impl Kubectl {
    fn new(server: &ApiServer) -> Option<Kubectl> {
        let bin = support::tool::require(&support::tool::KUBECTL)?;
        let dir = tempfile::tempdir().expect("tempdir");
        let kubeconfig = server.write_kubeconfig(dir.path(), "fidelity");
        Some(Kubectl {
            bin,
            kubeconfig,
            dir,
        })
    }

    fn command(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(&self.bin);
        cmd.arg("--kubeconfig")
            .arg(&self.kubeconfig)
            .arg("--cache-dir")
            .arg(self.dir.path().join("cache"))
            .args(args)
            .env_remove("KUBECONFIG")
            .env("HOME", self.dir.path())
            .stdin(Stdio::null());
        cmd
    }

    /// Runs kubectl off the async runtime (the server lives on it) and expects success.
    async fn run(&self, args: &[&str]) -> String {
        let output = self.output(args).await;
        assert!(
            output.status.success(),
            "kubectl {} failed ({}): {}",
            args.join(" "),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }

    async fn output(&self, args: &[&str]) -> Output {
        let mut cmd = self.command(args);
        tokio::task::spawn_blocking(move || cmd.output().expect("run kubectl"))
            .await
            .expect("join")
    }
}

fn pod_summary(pod: &Value) -> (String, String, String, i64) {
    let restarts = pod["status"]["containerStatuses"]
        .as_array()
        .map_or(0, |cs| {
            cs.iter().filter_map(|c| c["restartCount"].as_i64()).sum()
        });
    (
        pod["metadata"]["namespace"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        pod["metadata"]["name"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        pod["status"]["phase"]
            .as_str()
            .unwrap_or_default()
            .to_string(),
        restarts,
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_pods_all_namespaces_json_matches_the_bundle() {
    let snapshot = bundle();
    let expected: Vec<_> = snapshot
        .objects
        .to_json(Kind::Pod)
        .iter()
        .map(pod_summary)
        .collect();
    assert!(!expected.is_empty());
    let server = ApiServer::start(snapshot.clone()).await;
    let Some(kubectl) = Kubectl::new(&server) else {
        return;
    };

    let out: Value =
        serde_json::from_str(&kubectl.run(&["get", "pods", "-A", "-o", "json"]).await).unwrap();
    assert_eq!(out["kind"], "List");
    let items = out["items"].as_array().unwrap();
    assert!(
        items
            .iter()
            .all(|p| p["kind"] == "Pod" && p["apiVersion"] == "v1")
    );
    let mut got: Vec<_> = items.iter().map(pod_summary).collect();
    got.sort();
    let mut expected = expected;
    expected.sort();
    assert_eq!(got, expected);

    // One namespace, through a label selector, and a single object.
    let first = &snapshot.objects.pods[0];
    let ns = first.metadata.namespace.clone().unwrap();
    let name = first.metadata.name.clone().unwrap();
    let out: Value =
        serde_json::from_str(&kubectl.run(&["get", "pods", "-n", &ns, "-o", "json"]).await)
            .unwrap();
    let in_ns = expected.iter().filter(|p| p.0 == ns).count();
    assert_eq!(out["items"].as_array().unwrap().len(), in_ns);
    let out: Value = serde_json::from_str(
        &kubectl
            .run(&["get", "pod", &name, "-n", &ns, "-o", "json"])
            .await,
    )
    .unwrap();
    assert_eq!(out["metadata"]["name"], name.as_str());
    if let Some((key, value)) = first.metadata.labels.as_ref().and_then(|l| l.iter().next()) {
        let selector = format!("{key}={value}");
        let out = kubectl
            .run(&["get", "pods", "-A", "-l", &selector, "-o", "name"])
            .await;
        assert!(out.lines().any(|l| l == format!("pod/{name}")), "{out}");
    }
    let missing = kubectl
        .output(&["get", "pod", "no-such-pod", "-n", &ns])
        .await;
    assert!(!missing.status.success());
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(
        stderr.contains("Error from server (NotFound): pods \"no-such-pod\" not found"),
        "{stderr}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_ns_and_pods_print_tables() {
    let server = ApiServer::start(support::fixture::snapshot()).await;
    let Some(kubectl) = Kubectl::new(&server) else {
        return;
    };

    let out = kubectl.run(&["get", "ns"]).await;
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows[0], ["NAME", "STATUS", "AGE"], "{out}");
    let names: Vec<&str> = rows[1..].iter().map(|r| r[0]).collect();
    assert_eq!(names, ["kube-system", "shop"], "{out}");
    assert!(
        rows[1..].iter().all(|r| r[1] == "Active" && r.len() == 3),
        "{out}"
    );

    let out = kubectl.run(&["get", "pods", "-A"]).await;
    let rows: Vec<Vec<&str>> = out
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(
        rows[0],
        ["NAMESPACE", "NAME", "READY", "STATUS", "RESTARTS", "AGE"],
        "{out}"
    );
    let crashing = rows
        .iter()
        .find(|r| r[1] == support::fixture::CRASHING_POD)
        .expect("crashing pod row");
    assert_eq!(
        &crashing[..5],
        [
            "shop",
            support::fixture::CRASHING_POD,
            "0/1",
            "CrashLoopBackOff",
            "5"
        ],
        "{out}"
    );
    let pending = rows
        .iter()
        .find(|r| r[1] == "worker-1")
        .expect("worker row");
    assert_eq!(pending[3], "ContainerCreating", "{out}");

    let out = kubectl
        .run(&["get", "pods", "-n", "shop", "-o", "wide"])
        .await;
    assert!(out.lines().next().unwrap().contains("NODE"), "{out}");
    let out = kubectl.run(&["get", "deploy,nodes", "-A"]).await;
    assert!(
        out.contains("deployment.apps/web") && out.contains("node/node-a"),
        "{out}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_previous_and_current_equal_the_bundle() {
    let snapshot = bundle();
    let server = ApiServer::start(snapshot.clone()).await;
    let Some(kubectl) = Kubectl::new(&server) else {
        return;
    };

    let (key, text) = snapshot
        .logs
        .iter()
        .find(|(k, _)| k.previous)
        .expect("a previous log in the bundle");
    let out = kubectl
        .run(&[
            "logs",
            &key.pod,
            "-c",
            &key.container,
            "--previous",
            "-n",
            &key.namespace,
        ])
        .await;
    assert_eq!(out, *text);
    let tail = kubectl
        .run(&[
            "logs",
            &key.pod,
            "-c",
            &key.container,
            "--previous",
            "-n",
            &key.namespace,
            "--tail",
            "1",
        ])
        .await;
    assert_eq!(
        tail,
        text.split_inclusive('\n').next_back().unwrap_or_default()
    );

    if let Some((key, text)) = snapshot.logs.iter().find(|(k, _)| !k.previous) {
        let out = kubectl
            .run(&["logs", &key.pod, "-c", &key.container, "-n", &key.namespace])
            .await;
        assert_eq!(out, *text);
    }

    let healthy = support::fixture::HEALTHY_POD;
    let fixture_server = ApiServer::start(support::fixture::snapshot()).await;
    let Some(fixture_kubectl) = Kubectl::new(&fixture_server) else {
        return;
    };
    let out = fixture_kubectl
        .output(&["logs", healthy, "--previous", "-n", "shop"])
        .await;
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    let expected = format!(
        "Error from server (BadRequest): previous terminated container \"web\" in pod \"{healthy}\" not found"
    );
    assert!(stderr.contains(&expected), "{stderr}");
}

/// Reads JSON values from a child's stdout on a thread, handing them over a channel.
fn json_values(stdout: std::process::ChildStdout) -> mpsc::Receiver<Value> {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for value in
            serde_json::Deserializer::from_reader(BufReader::new(stdout)).into_iter::<Value>()
        {
            let Ok(value) = value else { return };
            if tx.send(value).is_err() {
                return;
            }
        }
    });
    rx
}

/// Waits for a watch event of `event_type` about `name`; returns the events seen on the way.
fn wait_event(
    rx: &mpsc::Receiver<Value>,
    event_type: &str,
    name: &str,
    seen: &mut Vec<String>,
) -> Value {
    let deadline = std::time::Instant::now() + Duration::from_secs(20);
    loop {
        let left = deadline.saturating_duration_since(std::time::Instant::now());
        match rx.recv_timeout(left) {
            Ok(event) => {
                let summary = format!(
                    "{} {}",
                    event["type"].as_str().unwrap_or("?"),
                    event["object"]["metadata"]["name"]
                );
                seen.push(summary);
                if event["type"] == event_type && event["object"]["metadata"]["name"] == name {
                    return event;
                }
            }
            Err(_) => panic!("no {event_type} {name} from kubectl get -w; saw {seen:?}"),
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_pods_watch_prints_pushed_events() {
    let server = ApiServer::start(support::fixture::snapshot()).await;
    let Some(kubectl) = Kubectl::new(&server) else {
        return;
    };

    let mut child = kubectl
        .command(&[
            "get",
            "pods",
            "-n",
            "shop",
            "-w",
            "-o",
            "json",
            "--output-watch-events",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn kubectl get -w");
    let rx = json_values(child.stdout.take().unwrap());
    let mut seen = Vec::new();
    // The initial list comes out as ADDED events.
    for pod in server
        .objects(Kind::Pod)
        .iter()
        .filter(|p| p["metadata"]["namespace"] == "shop")
    {
        wait_event(
            &rx,
            "ADDED",
            pod["metadata"]["name"].as_str().unwrap(),
            &mut seen,
        );
    }
    // Wait for the watch request itself before pushing (pushes before it are replayed anyway).
    for _ in 0..200 {
        if server
            .request_log()
            .iter()
            .any(|l| l.contains("watch=true"))
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }

    let mut pod = server
        .object(Kind::Pod, "shop", support::fixture::HEALTHY_POD)
        .unwrap();
    pod["metadata"]["labels"]["rollout"] = json!("2");
    let rv = server.push(Kind::Pod, "MODIFIED", pod);
    let new_pod = support::fixture::pod(
        "shop",
        "web-7d9f8b6c5d-n3w",
        json!({"app": "web"}),
        &["web"],
        vec![],
        "Pending",
    );
    server.push(Kind::Pod, "ADDED", new_pod.clone());
    server.push(Kind::Pod, "DELETED", new_pod);
    let mut other = server
        .object(Kind::Pod, "kube-system", "coredns-668d6bf9bc-k7lxr")
        .unwrap();
    other["metadata"]["labels"]["ignored"] = json!("yes");
    server.push(Kind::Pod, "MODIFIED", other);

    let rx2 = &rx;
    let modified = tokio::task::block_in_place(|| {
        let m = wait_event(rx2, "MODIFIED", support::fixture::HEALTHY_POD, &mut seen);
        wait_event(rx2, "ADDED", "web-7d9f8b6c5d-n3w", &mut seen);
        wait_event(rx2, "DELETED", "web-7d9f8b6c5d-n3w", &mut seen);
        m
    });
    assert_eq!(modified["object"]["metadata"]["labels"]["rollout"], "2");
    assert_eq!(
        modified["object"]["metadata"]["resourceVersion"],
        rv.to_string()
    );
    assert!(
        !seen.iter().any(|s| s.contains("coredns")),
        "other namespaces stay out: {seen:?}"
    );
    let _ = child.kill();
    let _ = child.wait();

    // The human-readable watch (Table rows) shows the pushed change too.
    let mut child = kubectl
        .command(&["get", "pods", "-n", "shop", "-w"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn kubectl get -w");
    let stdout = child.stdout.take().unwrap();
    let (tx, lines) = mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead;
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                return;
            }
        }
    });
    let mut table = Vec::new();
    while table.len() < 5 {
        table.push(
            lines
                .recv_timeout(Duration::from_secs(20))
                .expect("initial table rows"),
        );
    }
    tokio::time::sleep(Duration::from_millis(300)).await;
    let mut pod = server.object(Kind::Pod, "shop", "worker-1").unwrap();
    pod["status"]["phase"] = json!("Running");
    pod["status"]["containerStatuses"][0]["ready"] = json!(true);
    pod["status"]["containerStatuses"][0]["state"] =
        json!({"running": {"startedAt": "2026-11-23T09:30:00Z"}});
    server.push(Kind::Pod, "MODIFIED", pod);
    let row = tokio::task::block_in_place(|| {
        loop {
            let line = lines
                .recv_timeout(Duration::from_secs(20))
                .expect("a row for the pushed change");
            if line.starts_with("worker-1 ") && line.contains("Running") {
                return line;
            }
            table.push(line);
        }
    });
    assert!(
        row.split_whitespace().collect::<Vec<_>>()[1] == "1/1",
        "{row}; before: {table:?}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cluster_info_dump_reads_back_as_the_same_bundle() {
    let snapshot = bundle();
    let server = ApiServer::start(snapshot.clone()).await;
    let Some(kubectl) = Kubectl::new(&server) else {
        return;
    };
    let out_dir = kubectl.dir.path().join("dump");
    let out = kubectl
        .run(&[
            "cluster-info",
            "dump",
            "--output-directory",
            out_dir.to_str().unwrap(),
            "-A",
        ])
        .await;
    assert!(out.contains("Cluster info dumped to"), "{out}");

    let mut files: Vec<String> = Vec::new();
    let mut stack = vec![out_dir.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                files.push(
                    path.strip_prefix(&out_dir)
                        .unwrap()
                        .to_string_lossy()
                        .into_owned(),
                );
            }
        }
    }
    files.sort();
    eprintln!("cluster-info dump wrote {} files: {files:?}", files.len());
    assert!(files.contains(&"nodes.json".to_string()), "{files:?}");
    let namespaces: BTreeSet<String> = snapshot.namespaces().into_iter().collect();
    for ns in &namespaces {
        for file in [
            "events.json",
            "pods.json",
            "services.json",
            "deployments.json",
            "replicasets.json",
            "daemonsets.json",
            "replication-controllers.json",
        ] {
            assert!(
                files.contains(&format!("{ns}/{file}")),
                "{ns}/{file} missing: {files:?}"
            );
        }
    }
    for pod in &snapshot.objects.pods {
        let (ns, name) = (
            pod.metadata.namespace.as_deref().unwrap(),
            pod.metadata.name.as_deref().unwrap(),
        );
        assert!(
            files.contains(&format!("{ns}/{name}/logs.txt")),
            "logs of {ns}/{name}: {files:?}"
        );
    }
    let pods_file: Value = serde_json::from_slice(
        &std::fs::read(out_dir.join(files.iter().find(|f| f.ends_with("/pods.json")).unwrap()))
            .unwrap(),
    )
    .unwrap();
    assert_eq!(pods_file["kind"], "PodList");

    // Read back with k8sops' own reader: the same pods and events, and the current logs.
    let back = k8sops::source::bundle::read(&out_dir).expect("the dump reads as a bundle");
    let names = |s: &Snapshot, kind: Kind| -> Vec<(String, String)> {
        s.objects
            .metas()
            .filter(|(k, _)| *k == kind)
            .map(|(_, m)| {
                (
                    m.namespace.clone().unwrap_or_default(),
                    m.name.clone().unwrap_or_default(),
                )
            })
            .collect()
    };
    for kind in [
        Kind::Pod,
        Kind::Event,
        Kind::Node,
        Kind::Deployment,
        Kind::ReplicaSet,
        Kind::Service,
        Kind::DaemonSet,
    ] {
        assert_eq!(names(&back, kind), names(&snapshot, kind), "{kind:?}");
    }
    for (key, text) in snapshot.logs.iter().filter(|(k, _)| !k.previous) {
        assert_eq!(
            back.log(&key.namespace, &key.pod, &key.container, false),
            Some(text.as_str()),
            "{key:?}"
        );
    }
}
