//! Logs of any CI (`tests/data/ci/any/*.log`: GitLab with section markers, `gh run view --log`
//! columns, a Maven reactor without steps, a Jenkins pipeline) read by the parser: the cause
//! each `.expected.json` names, the lines shown with it and under it, the bookkeeping and
//! unrelated errors left out; the same log decorated another way reads the same; and
//! `ci diagnose --log FILE|-` with `--pass-log` through the binary.

use std::path::{Path, PathBuf};

use k8sops::ci::log::{analyze, analyze_against};
use serde::Deserialize;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ci/any")
}

#[derive(Debug, Deserialize)]
struct Expected {
    runner: String,
    step: Option<String>,
    first_error: String,
    kind: String,
    shows: Vec<String>,
    hides: Vec<String>,
    consequences: Vec<String>,
}

fn fixtures() -> Vec<(String, String, Expected)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir()).expect("fixture dir") {
        let path = entry.expect("entry").path();
        if path.extension().is_none_or(|x| x != "log") {
            continue;
        }
        let name = path
            .file_stem()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(&path).expect("log reads");
        let expected =
            std::fs::read_to_string(path.with_extension("expected.json")).expect("expectation");
        out.push((
            name,
            text,
            serde_json::from_str(&expected).expect("expectation parses"),
        ));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_ci_s_log_yields_its_cause_with_its_context_and_its_consequences() {
    let all = fixtures();
    assert!(all.len() >= 4, "{} fixtures", all.len());
    let mut wrong = Vec::new();
    for (name, text, want) in &all {
        let got = analyze(text, None);
        let shown = got.excerpt.join("\n");
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                wrong.push(format!("{name} ({}): {what}: {got}", want.runner));
            }
        };
        check(
            "step",
            got.failing_step == want.step,
            format!("{:?}", got.failing_step),
        );
        check(
            "first error",
            got.first_error.as_deref() == Some(want.first_error.as_str()),
            format!("{:?}", got.first_error),
        );
        check(
            "kind",
            got.kind.id() == want.kind,
            got.kind.id().to_string(),
        );
        for line in &want.shows {
            check(
                "shown",
                got.excerpt.iter().any(|l| l == line),
                format!("no {line:?} in\n{shown}"),
            );
        }
        for part in &want.hides {
            let everything = format!("{shown}\n{}", got.consequences.join("\n"));
            check(
                "hidden",
                !everything.contains(part.as_str()),
                format!("{part:?} in\n{everything}"),
            );
        }
        check(
            "consequences",
            got.consequences == want.consequences,
            format!("{:#?}", got.consequences),
        );
        check(
            "first error line",
            got.first_error_line.is_some_and(|n| got.shown.contains(&n)),
            format!("{:?} not among {:?}", got.first_error_line, got.shown),
        );
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn a_log_decorated_another_way_reads_the_same() {
    let plain = std::fs::read_to_string(dir().join("maven-reactor-test.log")).expect("fixture");
    let want = analyze(&plain, None);
    // Windows line breaks, colours on the levels, Actions timestamps, `gh run view` columns.
    let crlf = plain.replace('\n', "\r\n");
    let coloured = plain
        .replace("[INFO]", "[\x1b[1;34mINFO\x1b[m]")
        .replace("[ERROR]", "[\x1b[1;31mERROR\x1b[m]");
    let columns: String = plain
        .lines()
        .enumerate()
        .map(|(i, l)| {
            format!(
                "build\tRun mvn -B verify\t2026-11-21T10:00:{:02}.{i:07}Z {l}\n",
                i % 60
            )
        })
        .collect();
    for (how, text) in [("crlf", crlf), ("ansi", coloured), ("columns", columns)] {
        let got = analyze(&text, None);
        assert_eq!(got.first_error, want.first_error, "{how}");
        assert_eq!(got.shown, want.shown, "{how}");
        assert_eq!(got.excerpt, want.excerpt, "{how}");
    }
}

#[test]
fn a_progress_bar_redrawn_with_carriage_returns_counts_one_line_per_redraw() {
    let log =
        "step 1\rstep 2\rstep 3\nerror: could not write target/app: No space left on device\n";
    let got = analyze(log, None);
    assert_eq!(got.first_error_line, Some(4));
    assert_eq!(got.kind.id(), "infrastructure");
}

#[test]
fn an_error_the_passing_log_printed_too_is_not_the_cause() {
    // A flaky-looking warning both runs print, then the real failure.
    let pass = "$ make test\nERROR: cache server unreachable, building without cache\nok  \tshop/cart\t0.412s\n";
    let fail = "$ make test\nERROR: cache server unreachable, building without cache\n--- FAIL: TestTotal (0.00s)\n    cart_test.go:42: got 3, want 4\nFAIL\tshop/cart\t0.398s\n";
    let alone = analyze(fail, None);
    let compared = analyze_against(fail, None, Some(pass));
    assert_eq!(
        compared.first_error.as_deref(),
        Some("--- FAIL: TestTotal (0.00s)")
    );
    assert_eq!(
        alone.first_error, compared.first_error,
        "a known tool's error wins either way"
    );
    assert_eq!(
        compared.new_lines.first().map(String::as_str),
        Some("--- FAIL: TestTotal (0.00s)"),
        "new error lines rank first: {:?}",
        compared.new_lines
    );
    assert!(
        !compared
            .new_lines
            .iter()
            .any(|l| l.contains("cache server"))
    );

    let generic_pass = "deploying\nERROR: optional metrics push refused\ndone\n";
    let generic_fail = "deploying\nERROR: optional metrics push refused\nERROR: manifest apply refused: namespace shop not found\n";
    assert_eq!(
        analyze(generic_fail, None).first_error.as_deref(),
        Some("ERROR: optional metrics push refused")
    );
    assert_eq!(
        analyze_against(generic_fail, None, Some(generic_pass))
            .first_error
            .as_deref(),
        Some("ERROR: manifest apply refused: namespace shop not found")
    );
}

fn k8sops(args: &[&str], stdin: Option<&str>, cwd: &Path) -> (i32, String, String) {
    let mut cmd = assert_cmd::Command::cargo_bin("k8sops").expect("binary");
    cmd.current_dir(cwd)
        .env("HOME", cwd)
        .env("NO_COLOR", "1")
        .env_remove("XDG_CONFIG_HOME")
        .env_remove("K8SOPS_CONFIG")
        .env_remove("K8SOPS_LLM_BASE_URL")
        .env_remove("K8SOPS_LLM_MODEL")
        .env_remove("OPENAI_API_KEY")
        .args(args);
    if let Some(input) = stdin {
        cmd.write_stdin(input);
    }
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn ci_diagnose_reads_a_log_from_a_file_or_stdin_with_the_same_json() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let file = dir().join("gh-run-view-go-build.log");
    let path = file.to_string_lossy().into_owned();
    let (code, from_file, err) = k8sops(
        &["ci", "diagnose", "--log", &path, "-o", "json"],
        None,
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    let text = std::fs::read_to_string(&file).expect("fixture");
    let (code, from_stdin, err) = k8sops(
        &["ci", "diagnose", "--log", "-", "-o", "json"],
        Some(&text),
        tmp.path(),
    );
    assert_eq!(code, 0, "{err}");
    let a: serde_json::Value = serde_json::from_str(&from_file).expect("json");
    let b: serde_json::Value = serde_json::from_str(&from_stdin).expect("json");
    assert_eq!(a["apiVersion"], "k8sops/v1");
    assert_eq!(a["kind"], "DiagnosisList");
    let item = &a["items"][0];
    assert_eq!(item["subject"]["kind"], "CiLog");
    assert_eq!(item["subject"]["name"], "gh-run-view-go-build.log");
    assert_eq!(b["items"][0]["subject"]["name"], "stdin");
    assert_eq!(item["hypotheses"][0]["category"], "ci-failure");
    assert_eq!(item["findings"][0]["facts"]["kind"], "build");
    assert_eq!(
        item["hypotheses"][0]["cause"],
        b["items"][0]["hypotheses"][0]["cause"]
            .as_str()
            .map(|c| c.replace("stdin", "gh-run-view-go-build.log"))
            .unwrap_or_default()
    );
}

#[test]
fn pass_log_ranks_the_new_lines_first_in_the_text_output() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let fail = tmp.path().join("fail.log");
    let pass = tmp.path().join("pass.log");
    std::fs::write(&fail, "$ go test ./...\nok  \tshop/api\t0.101s\n--- FAIL: TestRefund (0.01s)\n    refund_test.go:17: got 409, want 200\nFAIL\tshop/cart\t0.398s\n").expect("write");
    std::fs::write(
        &pass,
        "$ go test ./...\nok  \tshop/api\t0.097s\nok  \tshop/cart\t0.377s\n",
    )
    .expect("write");
    let (code, out, err) = k8sops(
        &[
            "ci",
            "diagnose",
            "--log",
            "fail.log",
            "--pass-log",
            "pass.log",
            "--exit-code",
        ],
        None,
        tmp.path(),
    );
    assert_eq!(code, 1, "a failure found with --exit-code: {err}");
    let new = out
        .split("new since pass.log:")
        .nth(1)
        .unwrap_or_else(|| panic!("{out}"));
    let first = new.lines().nth(1).unwrap_or_default();
    assert_eq!(first, "  + --- FAIL: TestRefund (0.01s)", "{out}");
    assert!(
        !new.contains("shop/api"),
        "the passing run printed it: {out}"
    );
}

#[test]
fn a_missing_log_is_one_line_naming_the_file_and_pass_log_needs_a_log() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let (code, out, err) = k8sops(&["ci", "diagnose", "--log", "nope.log"], None, tmp.path());
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("nope.log"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    let (code, _, err) = k8sops(
        &["ci", "diagnose", "--latest-failed", "--pass-log", "p.log"],
        None,
        tmp.path(),
    );
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("--log"), "{err}");
}
