//! `diagnose -f` end to end through the binary, and the paste reader on what people really
//! paste: the real kubectl output in `tests/data/paste/kubectl-1.32/` (written by
//! `tests/paste_examples.rs`) with what terminals and chat clients do to it — CRLF, ANSI
//! colours, prompts, quotes, indentation, prose around it — and older kubectl layouts
//! (`tests/data/paste/hand/`).

use std::path::PathBuf;

use assert_cmd::Command;
use k8sops::source::paste::{self, Paste};
use serde_json::Value;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> String {
    let path = root().join("tests/data/paste").join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn k8sops() -> Command {
    let mut cmd = Command::cargo_bin("k8sops").expect("binary built");
    cmd.env_remove("KUBECONFIG")
        .env("HOME", std::env::temp_dir())
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("K8SOPS_CONFIG")
        .env_remove("KUBERNETES_SERVICE_HOST")
        .env_remove("K8SOPS_LLM_BASE_URL")
        .env("NO_COLOR", "1");
    cmd
}

/// When the fixtures were printed (kubectl's ages count back from it); the hand-written ones
/// are dated to match.
const ANCHOR: &str = "2026-12-07T23:35:00Z";

/// (kind/name, category) of each diagnosis, in order.
fn verdicts(text: &str) -> Vec<(String, String)> {
    let snapshot = paste::read(
        &[Paste {
            name: "paste.txt",
            text,
        }],
        ANCHOR.parse().expect("time"),
    )
    .expect("the paste reads");
    k8sops::rca::run(&snapshot)
        .items
        .iter()
        .filter_map(|d| {
            let category = serde_json::to_value(d.hypotheses.first()?.category).ok()?;
            Some((
                format!("{}/{}", d.subject.kind, d.subject.name),
                category.as_str()?.to_string(),
            ))
        })
        .collect()
}

fn expected(example: &str) -> (String, String) {
    let path = root().join("examples").join(example).join("expected.json");
    let v: Value = serde_json::from_slice(&std::fs::read(path).expect("read")).expect("json");
    (
        v["workload"].as_str().expect("workload").to_string(),
        v["category"].as_str().expect("category").to_string(),
    )
}

/// How a paste reaches k8sops after a terminal, a chat client or a ticket had it.
fn variants(text: &str) -> Vec<(&'static str, String)> {
    let each_line = |f: &dyn Fn(&str) -> String| -> String {
        text.lines().map(f).collect::<Vec<_>>().join("\n")
    };
    vec![
        ("CRLF", text.replace('\n', "\r\n")),
        (
            "ANSI colours",
            each_line(&|l| match l.split_once(':') {
                Some((k, v)) if !k.starts_with(' ') => format!("\u{1b}[1m{k}:\u{1b}[0m{v}"),
                _ => l.to_string(),
            }),
        ),
        ("leading spaces", each_line(&|l| format!("    {l}"))),
        ("quoted", each_line(&|l| format!("> {l}"))),
        (
            "zsh prompts",
            text.replace("$ kubectl", "dev@laptop ~/src/infra % kubectl"),
        ),
        (
            "fenced with prose",
            format!(
                "Hi! prod is broken since this morning, output below.\n```\n{text}\n```\nthanks"
            ),
        ),
    ]
}

#[test]
fn hand_pasted_variants_diagnose_like_the_clean_paste() {
    let mut checked = 0;
    for example in [
        "crash-loop",
        "oom-killed",
        "image-pull",
        "config-missing",
        "job-failed",
    ] {
        let text = fixture(&format!("kubectl-1.32/{example}.txt"));
        let clean = verdicts(&text);
        assert!(clean.contains(&expected(example)), "{example}: {clean:?}");
        for (how, variant) in variants(&text) {
            assert_eq!(verdicts(&variant), clean, "{example}, {how}");
            checked += 1;
        }
    }
    assert_eq!(checked, 30);
}

#[test]
fn older_kubectl_layouts_read() {
    let v = verdicts(&fixture("hand/kubectl-1.24-oom-describe-pod.txt"));
    assert_eq!(
        v.first().map(|(_, c)| c.as_str()),
        Some("oom-killed"),
        "{v:?}"
    );
    let v = verdicts(&fixture("hand/kubectl-1.19-crashloop-chat.txt"));
    assert_eq!(
        v.first().map(|(_, c)| c.as_str()),
        Some("crash-loop"),
        "{v:?}"
    );
}

#[test]
fn a_paste_on_stdin_diagnoses_with_notes_on_what_was_inferred() {
    let text = fixture("kubectl-1.32/oom-killed.txt");
    let out = k8sops()
        .args(["diagnose", "-f", "-", "-o", "json"])
        .write_stdin(text)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list["kind"], "DiagnosisList");
    let (workload, category) = expected("oom-killed");
    let item = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .find(|d| {
            format!(
                "{}/{}",
                d["subject"]["kind"].as_str().unwrap_or_default(),
                d["subject"]["name"].as_str().unwrap_or_default()
            ) == workload
        })
        .expect("the broken workload");
    assert_eq!(item["hypotheses"][0]["category"], category.as_str());
    let warnings = list["warnings"].to_string();
    assert!(warnings.contains("paste: read"), "{warnings}");
    assert!(warnings.contains("Controlled By:"), "{warnings}");
}

#[test]
fn several_files_and_skipped_lines_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let text = fixture("hand/kubectl-1.19-crashloop-chat.txt");
    let (describe, logs) = text.split_at(text.find("and the logs:").expect("two parts"));
    let a = dir.path().join("describe.txt");
    let b = dir.path().join("previous.log");
    std::fs::write(&a, describe).expect("write");
    std::fs::write(&b, logs).expect("write");
    let out = k8sops()
        .args(["diagnose", "-o", "json", "-f"])
        .arg(&a)
        .arg("-f")
        .arg(&b)
        .output()
        .expect("runs");
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let list: Value = serde_json::from_slice(&out.stdout).expect("json");
    assert_eq!(list["items"][0]["hypotheses"][0]["category"], "crash-loop");
    let warnings = list["warnings"].to_string();
    for file in ["describe.txt", "previous.log"] {
        assert!(
            warnings.contains(&format!(
                "{file}: skipped lines that are not kubectl output: 1\""
            )),
            "{warnings}"
        );
    }
}

#[test]
fn text_without_kubectl_output_is_refused_with_what_is_understood() {
    let dir = tempfile::tempdir().expect("tempdir");
    let notes = dir.path().join("notes.txt");
    std::fs::write(
        &notes,
        "the checkout page is slow since Tuesday\nplease have a look\n",
    )
    .expect("write");
    let out = k8sops()
        .args(["diagnose", "-f"])
        .arg(&notes)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "found nothing kubectl prints in {}",
            notes.display()
        )),
        "{stderr}"
    );
    assert!(
        stderr.contains("kubectl describe") && stderr.contains("kubectl get events"),
        "{stderr}"
    );
    for garbage in [&b"\xff\xfe\x00\x01binary"[..], b"", b"\n\n\n"] {
        let out = k8sops()
            .args(["diagnose", "-f", "-"])
            .write_stdin(garbage)
            .output()
            .expect("runs");
        assert_eq!(out.status.code(), Some(2));
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("found nothing kubectl prints in stdin")
        );
    }
}

#[test]
fn a_paste_and_a_bundle_do_not_mix() {
    let out = k8sops()
        .args(["diagnose", "-f", "-", "--from"])
        .arg(root().join("examples/oom-killed"))
        .write_stdin("")
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("--from") && stderr.contains("--file"),
        "{stderr}"
    );
}
