//! The user's error signatures end to end through the binary: `diagnose --help` shows how to
//! write one, a file in `$XDG_CONFIG_HOME/k8sops/signatures/` names the cause of a diagnosis,
//! and a bad file stops the command with one line naming the file and the field.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn k8sops(config_home: &Path) -> Command {
    let mut cmd = Command::cargo_bin("k8sops").expect("binary built");
    cmd.env_remove("KUBECONFIG")
        .env("HOME", config_home)
        .env("XDG_CONFIG_HOME", config_home)
        .env_remove("K8SOPS_CONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env("NO_COLOR", "1");
    cmd
}

fn write_signatures(config_home: &Path, text: &str) -> PathBuf {
    let dir = config_home.join("k8sops/signatures");
    std::fs::create_dir_all(&dir).expect("mkdir");
    let file = dir.join("team.toml");
    std::fs::write(&file, text).expect("write");
    file
}

#[test]
fn diagnose_help_shows_how_to_add_a_signature() {
    let home = tempfile::tempdir().expect("tempdir");
    let out = k8sops(home.path())
        .args(["diagnose", "--help"])
        .output()
        .expect("runs");
    let help = String::from_utf8_lossy(&out.stdout);
    for s in [
        "k8sops/signatures/*.toml",
        "[[signature]]",
        "category = ",
        "regex = ",
        "cause = ",
        "fix = [",
    ] {
        assert!(help.contains(s), "{s} in:\n{help}");
    }
}

#[test]
fn a_user_signature_names_the_cause_of_a_crash() {
    let home = tempfile::tempdir().expect("tempdir");
    write_signatures(
        home.path(),
        r#"
[[signature]]
id = "acme-setting-missing"
category = "config-missing"
regex = "KeyError: '(?P<var>[A-Z][A-Z0-9_]+)'"
cause = "Setting {var} is missing from the environment (`{line}`)."
fix = ["Add {var} to the acme-settings ConfigMap the service loads."]
example = "KeyError: 'PAYMENT_API_URL'"
"#,
    );
    let out = k8sops(home.path())
        .args(["diagnose", "-o", "json", "--from"])
        .arg(root().join("examples/crash-loop"))
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: serde_json::Value = serde_json::from_slice(&out.stdout).expect("json");
    let item = &list["items"][0];
    let top = &item["hypotheses"][0];
    assert_eq!(top["category"], "config-missing", "{top:#}");
    assert!(
        top["cause"]
            .as_str()
            .is_some_and(|c| c.contains("Setting PAYMENT_API_URL is missing")),
        "{top:#}"
    );
    assert!(
        top["fix"][0]
            .as_str()
            .is_some_and(|f| f.contains("acme-settings ConfigMap")),
        "{top:#}"
    );
    let named = item["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .any(|f| f["facts"]["signature"] == "acme-setting-missing");
    assert!(named, "{item:#}");
}

#[test]
fn a_bad_signature_file_is_one_error_naming_the_file_and_the_field() {
    let home = tempfile::tempdir().expect("tempdir");
    let file = write_signatures(
        home.path(),
        "[[signature]]\nid = \"acme-broken\"\ncategory = \"crash-loop\"\nregex = \"(unclosed\"\ncause = \"c\"\nfix = [\"f\"]\n",
    );
    let out = k8sops(home.path())
        .args(["diagnose", "--from"])
        .arg(root().join("examples/crash-loop"))
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    for s in [
        file.display().to_string().as_str(),
        "signature \"acme-broken\"",
        "field `regex`",
    ] {
        assert!(errors[0].contains(s), "{s} in {}", errors[0]);
    }
    assert!(stderr.lines().any(|l| l.starts_with("hint: ")), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}
