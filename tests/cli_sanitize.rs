//! `k8sops sanitize`, `k8sops config` and the default sanitizing of written bundles, end
//! to end through the binary.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

const GITHUB_TOKEN: &str = "ghp_Zq8vR2mK7xT4nW9pL3cY6bH1fD5sJ0aQeUiO";
const DB_PASSWORD: &str = "Tr0ub4dor&3-prod";
const AWS_KEY: &str = "AKIAZ7QW3RTY5UIO2PLK";

fn k8sops(home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("k8sops").expect("binary built");
    cmd.env("HOME", home)
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("K8SOPS_CONFIG")
        .env_remove("KUBECONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST");
    cmd
}

fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("read_dir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).expect("copy");
        }
    }
}

/// Every file under `dir`, concatenated.
fn all_text(dir: &Path) -> String {
    let mut out = String::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.push_str(&all_text(&path));
        } else {
            out.push_str(&std::fs::read_to_string(&path).expect("utf8"));
        }
    }
    out
}

#[test]
fn stdin_to_stdout_keeps_lines_and_reports_counts() {
    let home = tempfile::tempdir().expect("tempdir");
    let input = format!(
        "starting web\nconnecting to postgres://app:{DB_PASSWORD}@pg:5432/orders\n\
         GITHUB_TOKEN={GITHUB_TOKEN}\nready on :8080\nno trailing newline"
    );
    let (code, stdout, stderr) = run(k8sops(home.path())
        .args(["sanitize", "--report"])
        .write_stdin(input.clone()));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        !stdout.contains(DB_PASSWORD) && !stdout.contains(GITHUB_TOKEN),
        "{stdout}"
    );
    assert_eq!(stdout.lines().count(), input.lines().count());
    assert!(!stdout.ends_with('\n'), "no newline is added");
    assert!(
        stdout.contains("postgres://app:<redacted:password#"),
        "{stdout}"
    );
    assert!(stdout.starts_with("starting web\n"));
    assert!(stderr.contains("password\t1"), "{stderr}");
    assert!(stderr.contains("total\t2"), "{stderr}");
}

#[test]
fn a_file_argument_and_user_rules_from_the_config_file() {
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("k8sops.toml");
    std::fs::write(
        &config,
        "[sanitize]\nallow = [\"postgres://demo:demo@localhost\"]\n\n\
         [[sanitize.rules]]\nname = \"acme-key\"\nregex = 'acme_[0-9a-f]{16}'\nkeywords = [\"acme_\"]\n",
    )
    .expect("write config");
    let log = home.path().join("app.log");
    std::fs::write(
        &log,
        "key acme_0123456789abcdef in use\nlocal db postgres://demo:demo@localhost\n",
    )
    .expect("write log");
    let (code, stdout, stderr) = run(k8sops(home.path())
        .arg("--config")
        .arg(&config)
        .arg("sanitize")
        .arg(&log));
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("key <redacted:acme-key#"), "{stdout}");
    assert!(
        stdout.contains("postgres://demo:demo@localhost"),
        "allowlisted: {stdout}"
    );
}

#[test]
fn an_invalid_rule_fails_closed_with_one_error() {
    let home = tempfile::tempdir().expect("tempdir");
    let config = home.path().join("k8sops.toml");
    std::fs::write(
        &config,
        "[[sanitize.rules]]\nname = \"broken\"\nregex = \"acme_[0-9\"\n",
    )
    .expect("write");
    let (code, stdout, stderr) = run(k8sops(home.path())
        .env("K8SOPS_CONFIG", &config)
        .arg("sanitize")
        .write_stdin(format!("token {GITHUB_TOKEN}\n")));
    assert_eq!(code, 2);
    assert!(stdout.is_empty(), "nothing is printed: {stdout}");
    let errors: Vec<_> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("k8sops.toml") && errors[0].contains("broken"),
        "{stderr}"
    );
    assert!(stderr.contains("hint: "), "{stderr}");
}

#[test]
fn a_missing_input_file_is_named() {
    let home = tempfile::tempdir().expect("tempdir");
    let (code, stdout, stderr) =
        run(k8sops(home.path()).args(["sanitize", "/nonexistent/app.log"]));
    assert_eq!(code, 2);
    assert!(stdout.is_empty());
    assert!(
        stderr.starts_with("error: /nonexistent/app.log: no such file"),
        "{stderr}"
    );
}

#[test]
fn config_show_names_the_file_and_a_typo_names_the_line() {
    let home = tempfile::tempdir().expect("tempdir");
    let dir = home.path().join(".config/k8sops");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join("config.toml"),
        "[sanitize]\nredact_emails = false\n",
    )
    .expect("write");
    let (code, stdout, stderr) = run(k8sops(home.path()).args(["config", "show"]));
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stdout.contains(&format!("# from {}", dir.join("config.toml").display())),
        "{stdout}"
    );
    assert!(stdout.contains("redact_emails = false"), "{stdout}");

    std::fs::write(
        dir.join("config.toml"),
        "[sanitize]\n\nredact_email = false\n",
    )
    .expect("write");
    let (code, _, stderr) = run(k8sops(home.path()).args(["config", "show"]));
    assert_eq!(code, 2);
    assert!(stderr.contains("config.toml:3:1: "), "{stderr}");
    assert!(stderr.contains("redact_email"), "{stderr}");
    assert!(stderr.contains("hint: "), "{stderr}");

    // A broken file does not stop commands that do not read it.
    let (code, _, _) = run(k8sops(home.path()).args(["completions", "bash"]));
    assert_eq!(code, 0);
}

/// Puts secrets where clusters leak them: a container log, an env value, an annotation.
fn seeded_bundle(dir: &Path) -> PathBuf {
    let bundle = dir.join("seeded");
    copy_dir(&example("crash-loop"), &bundle);
    let logs = walk_files(&bundle)
        .into_iter()
        .find(|p| p.ends_with("logs.txt"))
        .expect("the example has container logs");
    let text = std::fs::read_to_string(&logs).expect("read logs");
    let (first, rest) = text.split_once('\n').expect("a START line");
    std::fs::write(
        &logs,
        format!("{first}\nboot: AWS_ACCESS_KEY_ID={AWS_KEY} token={GITHUB_TOKEN}\n{rest}"),
    )
    .expect("seed logs");

    let pods = walk_files(&bundle)
        .into_iter()
        .find(|p| {
            p.ends_with("pods.json")
                && std::fs::read_to_string(p).is_ok_and(|t| t.contains("\"containers\""))
        })
        .expect("a pods.json");
    let mut list: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&pods).expect("read")).expect("json");
    let pod = &mut list["items"][0];
    pod["metadata"]["annotations"]["example.com/deploy-token"] =
        serde_json::Value::String(format!("Bearer {GITHUB_TOKEN}"));
    let container = &mut pod["spec"]["containers"][0];
    let env = container["env"].as_array().cloned().unwrap_or_default();
    let mut env = env;
    env.push(serde_json::json!({"name": "DB_PASSWORD", "value": DB_PASSWORD}));
    container["env"] = serde_json::Value::Array(env);
    std::fs::write(&pods, serde_json::to_vec_pretty(&list).expect("json")).expect("seed pods");
    bundle
}

fn walk_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read_dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk_files(&path));
        } else {
            out.push(path);
        }
    }
    out.sort();
    out
}

#[test]
fn written_bundles_are_sanitized_unless_told_otherwise() {
    let home = tempfile::tempdir().expect("tempdir");
    let seeded = seeded_bundle(home.path());
    let secrets = [GITHUB_TOKEN, DB_PASSWORD, AWS_KEY];
    let seeded_text = all_text(&seeded);
    assert!(
        secrets.iter().all(|s| seeded_text.contains(s)),
        "the seeds are in place"
    );

    let out = home.path().join("shared");
    let (code, _, stderr) = run(k8sops(home.path())
        .args(["snapshot", "--from"])
        .arg(&seeded)
        .arg("-o")
        .arg(&out));
    assert_eq!(code, 0, "{stderr}");
    let written = all_text(&out);
    for s in secrets {
        assert!(!written.contains(s), "{s} leaked into the bundle");
    }
    assert!(written.contains("<redacted:"));
    let snap = k8sops::source::bundle::read(&out).expect("the sanitized bundle reads");
    assert!(snap.meta.sanitized);
    assert!(!snap.logs.is_empty());

    let raw = home.path().join("raw");
    let (code, _, stderr) = run(k8sops(home.path())
        .args(["snapshot", "--no-sanitize", "--from"])
        .arg(&seeded)
        .arg("-o")
        .arg(&raw));
    assert_eq!(code, 0, "{stderr}");
    let written = all_text(&raw);
    assert!(
        secrets.iter().all(|s| written.contains(s)),
        "kept as collected"
    );
}

#[test]
fn a_sanitized_bundle_diagnoses_like_the_original() {
    let home = tempfile::tempdir().expect("tempdir");
    for name in ["crash-loop", "image-pull-unauthorized", "config-missing"] {
        let out = home.path().join(name);
        let (code, _, stderr) = run(k8sops(home.path())
            .args(["snapshot", "--from"])
            .arg(example(name))
            .arg("-o")
            .arg(&out));
        assert_eq!(code, 0, "{stderr}");
        let diagnose = |from: &Path| -> serde_json::Value {
            let (code, stdout, stderr) = run(k8sops(home.path())
                .args(["diagnose", "-o", "json", "--from"])
                .arg(from));
            assert_eq!(code, 0, "{stderr}");
            serde_json::from_str(&stdout).expect("json")
        };
        let (a, b) = (diagnose(&example(name)), diagnose(&out));
        let top = |v: &serde_json::Value| {
            (
                v["items"][0]["subject"].clone(),
                v["items"][0]["hypotheses"][0]["category"].clone(),
            )
        };
        assert_eq!(top(&a), top(&b), "{name}: sanitizing changed the diagnosis");
    }
}
