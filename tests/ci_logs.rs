//! Failing GitHub Actions job logs (`tests/data/ci/logs/*.log`, as the runner writes them)
//! read by the log parser: for every fixture the failing step, the first error line, the
//! kind of failure, the exit code, the failing tests and the summary its `.expected.json`
//! names; and the excerpt that leaves the machine is sanitized.

use std::path::PathBuf;

use k8sops::ci::failure;
use k8sops::ci::log::analyze;
use k8sops::model::ci::{FailureKind, JobSummary, LogSource, Status};
use k8sops::sanitize::Sanitizer;
use serde::Deserialize;

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/ci/logs")
}

#[derive(Debug, Deserialize)]
struct Expected {
    runner: String,
    step: String,
    first_error: String,
    kind: String,
    exit_code: Option<i32>,
    #[serde(default)]
    tests: Vec<String>,
    summary: Option<String>,
    #[serde(default)]
    empty_secrets: Vec<String>,
}

fn fixtures() -> Vec<(String, String, Expected)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir()).expect("fixture dir") {
        let path = entry.expect("entry").path();
        let Some(name) = path
            .file_name()
            .and_then(|n| n.to_str())
            .and_then(|n| n.strip_suffix(".log"))
        else {
            continue;
        };
        let text = std::fs::read_to_string(&path).expect("log reads");
        let expected: Expected = serde_json::from_str(
            &std::fs::read_to_string(path.with_extension("expected.json")).expect("expectation"),
        )
        .expect("expectation parses");
        out.push((name.to_string(), text, expected));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

#[test]
fn every_fixture_yields_its_failing_step_first_error_and_kind() {
    let all = fixtures();
    assert!(all.len() >= 8, "at least 8 fixtures, found {}", all.len());
    let mut wrong = Vec::new();
    for (name, text, want) in &all {
        let got = analyze(text, None);
        let mut check = |what: &str, ok: bool, got: String| {
            if !ok {
                wrong.push(format!("{name} ({}): {what} was {got}", want.runner));
            }
        };
        check(
            "step",
            got.failing_step.as_deref() == Some(want.step.as_str()),
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
        check(
            "exit code",
            got.exit_code == want.exit_code,
            format!("{:?}", got.exit_code),
        );
        check(
            "tests",
            want.tests.is_empty() || got.tests == want.tests,
            format!("{:?}", got.tests),
        );
        check(
            "summary",
            want.summary.is_none() || got.summary == want.summary,
            format!("{:?}", got.summary),
        );
        check(
            "empty secrets",
            got.empty_secrets == want.empty_secrets,
            format!("{:?}", got.empty_secrets),
        );
        check(
            "excerpt holds the first error",
            // A buildx step's output keeps its `#7 2.114` prefix in the excerpt.
            got.excerpt
                .iter()
                .any(|l| l.trim().ends_with(&want.first_error)),
            format!("{:#?}", got.excerpt),
        );
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

#[test]
fn the_fixtures_cover_every_runner_family_and_kind() {
    let all = fixtures();
    let runners: Vec<&str> = all.iter().map(|(_, _, e)| e.runner.as_str()).collect();
    for family in [
        "cargo",
        "pytest",
        "go test",
        "jest",
        "maven",
        "gradle",
        "docker",
        "kubectl",
        "helm",
        "timeout",
        "cancelled",
    ] {
        assert!(
            runners.iter().any(|r| r.contains(family)),
            "no fixture for {family}: {runners:?}"
        );
    }
    for kind in [
        "test",
        "build",
        "dependency",
        "lint",
        "deploy",
        "infrastructure",
        "secret-permission",
    ] {
        assert!(
            all.iter().any(|(_, _, e)| e.kind == kind),
            "no fixture of kind {kind}"
        );
    }
}

fn failed_job(name: &str) -> JobSummary {
    JobSummary {
        id: 1,
        name: name.into(),
        status: Status::Completed,
        conclusion: Some(k8sops::model::ci::Conclusion::Failure),
        started_at: None,
        completed_at: None,
        url: String::new(),
        runner: None,
        steps: Vec::new(),
        failure: None,
    }
}

fn fixture(name: &str) -> String {
    std::fs::read_to_string(dir().join(format!("{name}.log"))).expect("fixture")
}

#[test]
fn a_token_printed_next_to_the_error_never_reaches_the_excerpt() {
    // A test that dumps its request, as real suites do, right above the panic.
    let leaked = "ghp_R4nd0mT0k3nV4lu3F0rT3st1ngOnly0000001";
    let text = fixture("cargo-test").replace(
        "thread 'cart::tests::total_includes_tax' panicked",
        &format!(
            "request: POST /checkout Authorization: Bearer {leaked}\n2026-11-20T08:14:59.0000000Z thread 'cart::tests::total_includes_tax' panicked"
        ),
    );
    assert!(
        analyze(&text, None)
            .excerpt
            .iter()
            .any(|l| l.contains(leaked)),
        "the raw report holds the line, so the sanitizer is what removes it"
    );
    let f = failure::from_log(
        &failed_job("test"),
        &text,
        LogSource::JobLog,
        &Sanitizer::new(),
    )
    .expect("sanitizes");
    let everything = serde_json::to_string(&f).expect("serializes");
    assert!(!everything.contains(leaked), "{everything}");
    assert!(everything.contains("<redacted:"), "{everything}");
    assert_eq!(f.kind, FailureKind::Test);
}

#[test]
fn an_empty_secret_names_the_variable_in_the_failure() {
    let f = failure::from_log(
        &failed_job("deploy"),
        &fixture("kubeconfig-missing"),
        LogSource::RunArchive,
        &Sanitizer::new(),
    )
    .expect("sanitizes");
    assert_eq!(f.kind, FailureKind::SecretPermission);
    assert_eq!(f.empty_secrets, vec!["KUBECONFIG_DATA".to_string()]);
    assert_eq!(
        f.command.as_deref(),
        Some("kubectl rollout status deployment/web -n shop --timeout=120s")
    );
    assert_eq!(f.source, LogSource::RunArchive);
}

#[test]
fn windows_line_endings_and_a_log_without_timestamps_read_the_same() {
    let text = fixture("go-test");
    let crlf = text.replace('\n', "\r\n");
    let bare: String = text
        .trim_start_matches('\u{feff}')
        .lines()
        .map(|l| l.split_once(' ').map(|(_, r)| r).unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n");
    let want = analyze(&text, None);
    for variant in [crlf, bare] {
        let got = analyze(&variant, None);
        assert_eq!(got.failing_step, want.failing_step);
        assert_eq!(got.first_error, want.first_error);
        assert_eq!(got.kind, want.kind);
    }
}
