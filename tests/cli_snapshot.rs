//! `k8sops snapshot` end to end through the binary: reading every input format, writing
//! bundles that read back identically, and one clear error line (plus a hint, exit 2)
//! for each kind of bad input.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use k8sops::source::bundle;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn k8sops() -> Command {
    let mut cmd = Command::cargo_bin("k8sops").expect("binary built");
    // Keep the user's kubeconfig out of every test.
    cmd.env_remove("KUBECONFIG")
        .env("HOME", std::env::temp_dir())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("K8SOPS_CONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST");
    cmd
}

fn example_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("examples"))
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("nodes.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

/// Runs the binary and returns (exit code, stdout, stderr).
fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn assert_one_error(stderr: &str, must_name: &str) {
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "one error line expected, got:\n{stderr}");
    assert!(
        errors[0].contains(must_name),
        "the error should name {must_name:?}: {}",
        errors[0]
    );
    assert!(
        stderr.lines().any(|l| l.starts_with("hint: ")),
        "a hint is expected:\n{stderr}"
    );
    assert!(!stderr.contains("panicked"), "no panic:\n{stderr}");
}

#[test]
fn every_example_converts_to_a_bundle_that_reads_back_identically() {
    let examples = example_dirs();
    assert!(
        examples.len() >= 8,
        "at least 8 example bundles, found {}",
        examples.len()
    );
    let tmp = tempfile::tempdir().expect("tempdir");
    for example in examples {
        let out = tmp.path().join(example.file_name().expect("name"));
        let (code, stdout, stderr) = run(k8sops()
            .args(["snapshot", "--no-sanitize", "--from"])
            .arg(&example)
            .arg("-o")
            .arg(&out));
        assert_eq!(code, 0, "{}: {stderr}", example.display());
        assert!(stdout.contains("pods"), "summary expected: {stdout}");
        let original = bundle::read(&example).expect("example reads");
        let copy = bundle::read(&out).expect("written bundle reads");
        assert_eq!(
            original.objects,
            copy.objects,
            "{}: objects differ after a round trip",
            example.display()
        );
        assert_eq!(
            original.logs,
            copy.logs,
            "{}: logs differ after a round trip",
            example.display()
        );
        assert!(!original.objects.pods.is_empty());
    }
}

#[test]
fn tar_gz_bundles_round_trip() {
    let example = &example_dirs()[0];
    let tmp = tempfile::tempdir().expect("tempdir");
    let archive = tmp.path().join("b.tar.gz");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--no-sanitize", "--from"])
        .arg(example)
        .arg("-o")
        .arg(&archive));
    assert_eq!(code, 0, "{stderr}");
    let original = bundle::read(example).expect("reads");
    let copy = bundle::read(&archive).expect("archive reads");
    assert_eq!(original.objects, copy.objects);
    assert_eq!(original.logs, copy.logs);
    assert_eq!(original.meta.captured_at, copy.meta.captured_at);
}

#[test]
fn namespace_flag_narrows_a_bundle() {
    let example = &example_dirs()[0];
    let tmp = tempfile::tempdir().expect("tempdir");
    let out = tmp.path().join("ns");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "-n", "kube-system", "--from"])
        .arg(example)
        .arg("-o")
        .arg(&out));
    assert_eq!(code, 0, "{stderr}");
    let snap = bundle::read(&out).expect("reads");
    assert!(!snap.objects.pods.is_empty());
    assert!(
        snap.objects
            .pods
            .iter()
            .all(|p| p.metadata.namespace.as_deref() == Some("kube-system"))
    );
    assert!(
        !snap.objects.nodes.is_empty(),
        "cluster-scoped objects stay"
    );
}

#[test]
fn a_v1_list_file_is_read_and_unknown_kinds_are_skipped_with_a_warning() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let input = root().join("tests/data/inputs/pods-list.json");
    let (code, stdout, stderr) = run(k8sops()
        .args(["snapshot", "--from"])
        .arg(&input)
        .arg("-o")
        .arg(tmp.path().join("b")));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("warning:") && stderr.contains("Ingress"),
        "{stderr}"
    );
    assert!(
        stdout.contains("1 pods") && stdout.contains("1 events"),
        "{stdout}"
    );
    assert!(stdout.contains("CrashLoopBackOff"), "{stdout}");
}

#[test]
fn a_multi_document_yaml_file_is_read() {
    let snap = bundle::read(&root().join("tests/data/inputs/manifests.yaml")).expect("reads");
    assert_eq!(snap.objects.deployments.len(), 1);
    assert_eq!(snap.objects.services.len(), 1);
}

#[test]
fn an_existing_directory_that_is_not_a_bundle_is_never_overwritten() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let precious = tmp.path().join("notes.txt");
    std::fs::write(&precious, "mine").expect("write");
    let example = &example_dirs()[0];
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--from"])
        .arg(example)
        .arg("-o")
        .arg(tmp.path()));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "not a k8sops bundle");
    assert_eq!(
        std::fs::read_to_string(&precious).expect("still there"),
        "mine"
    );
}

#[test]
fn missing_path_is_named() {
    let (code, _, stderr) = run(k8sops().args([
        "snapshot",
        "--from",
        "/nonexistent/bundle",
        "-o",
        "/tmp/never",
    ]));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "/nonexistent/bundle");
}

#[test]
fn a_directory_that_is_not_a_bundle_is_named() {
    let dir = root().join("tests/data/bad/not-a-bundle");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--from"])
        .arg(&dir)
        .args(["-o", "/tmp/never"]));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "not a bundle");
    assert!(stderr.contains("not-a-bundle"));
}

#[test]
fn malformed_json_names_file_line_and_column() {
    let dir = root().join("tests/data/bad/malformed");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--from"])
        .arg(&dir)
        .args(["-o", "/tmp/never"]));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "shop/pods.json:8:");
}

/// Found by `tests/fuzz.rs`: a member header claiming exabytes made the reader reserve
/// them up front, and the process aborted.
#[test]
fn a_tar_gz_whose_member_claims_a_huge_size_is_an_error_not_an_abort() {
    let archive =
        root().join("tests/data/fuzz/regressions/bundle/tar-member-claims-huge-size.tar.gz");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--from"])
        .arg(&archive)
        .args(["-o", "/tmp/never"]));
    assert_eq!(code, 2, "{stderr}");
    assert_one_error(&stderr, "not a readable .tar.gz");
}

#[test]
fn a_file_that_is_not_kubernetes_is_named() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = tmp.path().join("expected.json");
    std::fs::write(&file, r#"{"category": "oom-killed"}"#).expect("write");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--from"])
        .arg(&file)
        .args(["-o", "/tmp/never"]));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "expected.json");
}

fn kubeconfig(dir: &Path, server: &str, extra_cluster: &str) -> PathBuf {
    let path = dir.join("kubeconfig");
    let text = format!(
        "apiVersion: v1\nkind: Config\ncurrent-context: test\nclusters:\n- name: test\n  cluster:\n    server: {server}\n{extra_cluster}contexts:\n- name: test\n  context:\n    cluster: test\n    user: test\n    namespace: shop\n- name: staging\n  context:\n    cluster: test\n    user: test\nusers:\n- name: test\n  user:\n    token: not-a-real-token\n"
    );
    std::fs::write(&path, text).expect("write kubeconfig");
    path
}

#[test]
fn a_missing_kubeconfig_is_named() {
    let (code, _, stderr) = run(k8sops().args([
        "snapshot",
        "--kubeconfig",
        "/nonexistent/kubeconfig",
        "-o",
        "/tmp/never",
    ]));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "/nonexistent/kubeconfig");
}

#[test]
fn no_kubeconfig_at_all_says_where_it_looked() {
    let (code, _, stderr) = run(k8sops().args(["snapshot", "-o", "/tmp/never"]));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "no kubeconfig found");
}

#[test]
fn an_unknown_context_lists_the_available_ones() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let cfg = kubeconfig(tmp.path(), "http://127.0.0.1:9", "");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--context", "prod", "-o", "/tmp/never"])
        .env("KUBECONFIG", &cfg));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "\"prod\"");
    assert!(
        stderr.contains("staging") && stderr.contains("test"),
        "{stderr}"
    );
}

#[test]
fn several_kubeconfig_files_are_merged_like_kubectl() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let first = kubeconfig(tmp.path(), "http://127.0.0.1:9", "");
    let second = tmp.path().join("second");
    std::fs::write(&second, "apiVersion: v1\nkind: Config\nclusters: []\ncontexts:\n- name: dev\n  context:\n    cluster: test\n    user: test\nusers: []\n").expect("write");
    let joined = std::env::join_paths([&first, &second]).expect("join");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--context", "nope", "-o", "/tmp/never"])
        .env("KUBECONFIG", &joined));
    assert_eq!(code, 2);
    assert!(
        stderr.contains("dev") && stderr.contains("staging"),
        "contexts of both files listed: {stderr}"
    );
}

#[test]
fn an_unreachable_server_is_named_with_its_context() {
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
        l.local_addr().expect("addr").port()
    };
    let tmp = tempfile::tempdir().expect("tempdir");
    let server = format!("http://127.0.0.1:{port}");
    let cfg = kubeconfig(tmp.path(), &server, "");
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--timeout", "5s", "-o", "/tmp/never"])
        .env("KUBECONFIG", &cfg));
    assert_eq!(code, 2);
    assert_one_error(&stderr, &format!("127.0.0.1:{port}"));
    assert!(stderr.contains("context test"), "{stderr}");
}

#[test]
fn a_certificate_mismatch_is_reported_as_such() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    // A real TLS server on loopback whose certificate no CA in the kubeconfig signed.
    let server_cert = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).expect("cert");
    let other_ca = rcgen::generate_simple_self_signed(vec!["127.0.0.1".into()]).expect("cert");
    let config = tokio_rustls::rustls::ServerConfig::builder()
        .with_no_client_auth()
        .with_single_cert(
            vec![server_cert.cert.der().clone()],
            tokio_rustls::rustls::pki_types::PrivateKeyDer::Pkcs8(
                server_cert.signing_key.serialize_der().into(),
            ),
        )
        .expect("server config");
    let acceptor = tokio_rustls::TlsAcceptor::from(std::sync::Arc::new(config));
    let listener = runtime
        .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
        .expect("bind");
    let port = listener.local_addr().expect("addr").port();
    runtime.spawn(async move {
        while let Ok((tcp, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            tokio::spawn(async move {
                let _ = acceptor.accept(tcp).await;
            });
        }
    });
    let tmp = tempfile::tempdir().expect("tempdir");
    let ca = base64_encode(other_ca.cert.pem().as_bytes());
    let cfg = kubeconfig(
        tmp.path(),
        &format!("https://127.0.0.1:{port}"),
        &format!("    certificate-authority-data: {ca}\n"),
    );
    let (code, _, stderr) = run(k8sops()
        .args(["snapshot", "--timeout", "5s", "-o", "/tmp/never"])
        .env("KUBECONFIG", &cfg));
    assert_eq!(code, 2);
    assert_one_error(&stderr, "TLS error");
    assert!(stderr.to_lowercase().contains("certificate"), "{stderr}");
}

fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}
