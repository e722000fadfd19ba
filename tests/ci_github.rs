//! `k8sops ci runs` and `k8sops ci diagnose` through the binary, against a GitHub Actions
//! stand-in on 127.0.0.1 (Enterprise base URL, recorded `acme/web` payloads, job logs behind a
//! 302, run archives as zips): what is asked of GitHub, what is printed, the fallbacks when
//! logs are refused, and one clear line for every failure status; and the runs of a
//! `report daily` window.

mod support;

use std::path::Path;

use serde_json::{Value, json};
use support::github_actions::{
    self as github, BUILD_GREEN_JOB, BUILD_JOB, BUILD_RUN, DEPLOY_GREEN_JOB, DEPLOY_RUN, E2E_RUN,
    Logs, Options, TOKEN, UNRELATED_RUN,
};
use support::http::RecordingServer;

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    fn json(&self) -> Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

/// Runs the binary with GitHub pointed at `server`, from `dir` (not a git clone unless a
/// test makes it one) and an empty HOME.
async fn k8sops(server: &RecordingServer, dir: &Path, args: &[&str]) -> Out {
    k8sops_with(server, dir, args, &[]).await
}

/// [`k8sops`] with more environment variables.
async fn k8sops_with(
    server: &RecordingServer,
    dir: &Path,
    args: &[&str],
    env: &[(&str, String)],
) -> Out {
    let api = format!("{}/api/v3", server.url());
    let dir = dir.to_path_buf();
    let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    let env: Vec<(String, String)> = env
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect();
    tokio::task::spawn_blocking(move || {
        let out = assert_cmd::Command::cargo_bin("k8sops")
            .expect("binary")
            .current_dir(&dir)
            .env("HOME", &dir)
            .env_remove("XDG_CONFIG_HOME")
            .env_remove("K8SOPS_CONFIG")
            .env_remove("K8SOPS_CI_REPO")
            .env_remove("K8SOPS_LLM_BASE_URL")
            .env_remove("K8SOPS_LLM_MODEL")
            .env_remove("OPENAI_API_KEY")
            .env_remove("GH_TOKEN")
            .env("GITHUB_API_URL", api)
            .env("GITHUB_TOKEN", TOKEN)
            .env("NO_COLOR", "1")
            .envs(env)
            .args(&args)
            .output()
            .expect("runs");
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    })
    .await
    .expect("joins")
}

async fn stand_in(options: Options) -> (RecordingServer, tempfile::TempDir) {
    let server = RecordingServer::start(github::router(options)).await;
    (server, tempfile::tempdir().expect("tempdir"))
}

fn query_of(server: &RecordingServer, path: &str) -> Vec<String> {
    server
        .requests_to("GET", path)
        .into_iter()
        .map(|r| r.query)
        .collect()
}

const RUNS: &str = "/api/v3/repos/acme/web/actions/runs";

#[tokio::test(flavor = "multi_thread")]
async fn ci_runs_lists_recent_runs_as_json_with_the_filters_sent_to_github() {
    let (server, dir) = stand_in(Options::default()).await;
    let out = k8sops(
        &server,
        dir.path(),
        &[
            "ci", "runs", "--repo", "acme/web", "--branch", "main", "--status", "failure",
            "--limit", "5", "-o", "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let queries = query_of(&server, RUNS);
    assert_eq!(
        queries,
        vec!["branch=main&status=failure&per_page=5&page=1"]
    );
    let auth = server.requests()[0]
        .header("authorization")
        .map(str::to_string)
        .unwrap_or_default();
    assert!(auth.ends_with(TOKEN), "{auth}");

    let doc = out.json();
    assert_eq!(doc["apiVersion"], "k8sops/v1");
    assert_eq!(doc["kind"], "WorkflowRunList");
    assert_eq!(doc["repo"], "acme/web");
    let items = doc["items"].as_array().expect("items");
    let numbers: Vec<u64> = items.iter().filter_map(|r| r["number"].as_u64()).collect();
    assert_eq!(
        numbers,
        vec![95, 812],
        "the failed runs on main, newest first"
    );
    let build = &items[1];
    for (field, want) in [
        ("status", "completed"),
        ("conclusion", "failure"),
        ("commit", "4f2c9e1d8a7b6c5d4e3f2a1b0c9d8e7f6a5b4c3d"),
        ("branch", "main"),
        ("actor", "dana-sre"),
        (
            "url",
            "https://github.com/acme/web/actions/runs/11893475023",
        ),
        ("workflow", "Build and push"),
        ("workflow_file", "build.yml"),
    ] {
        assert_eq!(build[field], want, "{field}: {build:#}");
    }
    assert_eq!(
        build["duration"], 170,
        "seconds from start to the last update"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ci_runs_prints_a_table_and_reads_one_workflow_from_its_endpoint() {
    let (server, dir) = stand_in(Options::default()).await;
    let out = k8sops(
        &server,
        dir.path(),
        &[
            "ci",
            "runs",
            "--repo",
            "acme/web",
            "--workflow",
            ".github/workflows/build.yml",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        query_of(
            &server,
            "/api/v3/repos/acme/web/actions/workflows/build.yml/runs"
        ),
        vec!["per_page=20&page=1"]
    );
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert!(lines[0].starts_with("ID "), "{}", out.stdout);
    for column in [
        "WORKFLOW",
        "BRANCH",
        "COMMIT",
        "ACTOR",
        "STATUS",
        "CONCLUSION",
        "DURATION",
        "URL",
    ] {
        assert!(lines[0].contains(column), "{column} in {}", lines[0]);
    }
    assert_eq!(
        lines.len(),
        3,
        "header and the two build.yml runs:\n{}",
        out.stdout
    );
    assert!(
        lines[1].contains("build.yml #812")
            && lines[1].contains("4f2c9e1")
            && lines[1].contains("failure")
            && lines[1].contains("2m50s")
            && lines[1].ends_with("https://github.com/acme/web/actions/runs/11893475023"),
        "{}",
        lines[1]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ci_diagnose_follows_the_log_redirect_and_names_the_failing_step() {
    let (server, dir) = stand_in(Options::default()).await;
    let out = k8sops(
        &server,
        dir.path(),
        &[
            "ci",
            "diagnose",
            &BUILD_RUN.to_string(),
            "--repo",
            "acme/web",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        query_of(&server, &format!("{RUNS}/{BUILD_RUN}/jobs")),
        vec!["filter=latest&per_page=100"]
    );
    let blob = server.requests_to("GET", &format!("/blobs/jobs/{BUILD_JOB}.txt"));
    assert_eq!(blob.len(), 1, "the 302 to blob storage was followed");

    let doc = out.json();
    assert_eq!(doc["apiVersion"], "k8sops/v1");
    assert_eq!(doc["kind"], "DiagnosisList");
    let item = &doc["items"][0];
    assert_eq!(item["subject"]["kind"], "WorkflowRun");
    assert_eq!(item["subject"]["namespace"], "acme/web");
    assert_eq!(item["subject"]["name"], "build.yml#812");
    let top = &item["hypotheses"][0];
    assert_eq!(top["category"], "ci-failure");
    assert_eq!(top["engine"], "rules");
    let cause = top["cause"].as_str().unwrap_or_default();
    assert!(
        cause.contains("\"Build and push image\"") && cause.contains("npm error code ERESOLVE"),
        "{cause}"
    );
    let facts = &item["findings"][0]["facts"];
    assert_eq!(facts["kind"], "dependency");
    assert_eq!(facts["step"], "Build and push image");
    assert_eq!(facts["tool"], "npm");
    let evidence: Vec<&str> = item["evidence"]
        .as_array()
        .expect("evidence")
        .iter()
        .filter(|e| e["source"] == "ci-log")
        .filter_map(|e| e["excerpt"].as_str())
        .collect();
    // The cause is npm's own error inside the buildx step, not buildx's verdict on it.
    assert_eq!(
        evidence.first(),
        Some(&"npm error code ERESOLVE"),
        "{evidence:#?}"
    );
    assert!(
        evidence
            .iter()
            .any(|e| e.contains("npm error peer react@\"^18.2.0\" from react-helmet-async@2.0.5")),
        "{evidence:#?}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn ci_diagnose_latest_failed_asks_github_for_the_newest_failure_of_the_workflow() {
    let (server, dir) = stand_in(Options::default()).await;
    let out = k8sops(
        &server,
        dir.path(),
        &[
            "ci",
            "diagnose",
            "--latest-failed",
            "--repo",
            "acme/web",
            "--workflow",
            "build.yml",
            "--branch",
            "main",
            "--exit-code",
        ],
    )
    .await;
    assert_eq!(out.code, 1, "--exit-code with a failed run: {}", out.stderr);
    assert_eq!(
        query_of(
            &server,
            "/api/v3/repos/acme/web/actions/workflows/build.yml/runs"
        ),
        // The newest failure, then the last green run to compare its failed job with.
        vec![
            "branch=main&status=failure&per_page=1&page=1",
            "branch=main&status=success&per_page=20&page=1"
        ]
    );
    assert!(
        out.stdout
            .starts_with("critical: WorkflowRun acme/web/build.yml#812 [ci-failure"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("log of job build-and-push at step \"Build and push image\" (job log, line "),
        "the error region follows the diagnosis:\n{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("  │ #7 2.114 npm error code ERESOLVE"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("  └ then: buildx failed with: ERROR: failed to solve: process"),
        "the wrapper goes under the cause:\n{}",
        out.stdout
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn an_npm_ci_conflict_in_a_docker_build_shows_npm_s_code_the_package_and_its_peer_requirement()
 {
    let (server, dir) = stand_in(Options {
        deploy_failure: true,
        ..Options::default()
    })
    .await;
    let run = DEPLOY_RUN.to_string();
    let out = k8sops(
        &server,
        dir.path(),
        &["ci", "diagnose", &run, "--repo", "acme/web"],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    for line in [
        "  │ #12 [build 4/7] RUN npm ci",
        "  │ #12 1.234 npm ERR! code ERESOLVE",
        "  │ #12 1.237 npm ERR! Found: react@18.2.0",
        "  │ #12 1.239 npm ERR! peer react@\"^17.0.0\" from react-dom@17.0.2",
        "  └ then: buildx failed with: ERROR: failed to solve: process \"/bin/sh -c npm ci\"",
    ] {
        assert!(out.stdout.contains(line), "no {line:?} in:\n{}", out.stdout);
    }
    // Everything the fix text points at is printed: it names no line "above".
    assert!(!out.stdout.contains("above"), "{}", out.stdout);

    // The same job of the last green run of deploy.yml on main was read and compared with.
    let asked = query_of(
        &server,
        "/api/v3/repos/acme/web/actions/workflows/deploy.yml/runs",
    );
    assert!(
        asked
            .iter()
            .any(|q| q.contains("branch=main") && q.contains("status=success")),
        "{asked:?}"
    );
    let green = server.requests_to("GET", &format!("/blobs/jobs/{DEPLOY_GREEN_JOB}.txt"));
    assert_eq!(green.len(), 1, "the green run's job log was downloaded");
    let new = out
        .stdout
        .split("new since deploy.yml #377:")
        .nth(1)
        .unwrap_or_else(|| panic!("no comparison in:\n{}", out.stdout));
    assert!(new.contains("npm ERR! code ERESOLVE"), "{new}");
    assert!(
        !new.contains("npm WARN config production"),
        "the green run printed it too:\n{new}"
    );

    let json = k8sops(
        &server,
        dir.path(),
        &["ci", "diagnose", &run, "--repo", "acme/web", "-o", "json"],
    )
    .await;
    let item = &json.json()["items"][0];
    assert_eq!(item["findings"][0]["facts"]["kind"], "dependency");
    assert!(
        item["hypotheses"][0]["cause"]
            .as_str()
            .is_some_and(|c| c.ends_with("npm ERR! code ERESOLVE.")),
        "{item:#}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn the_build_is_compared_with_the_same_job_of_the_last_green_run() {
    let (server, dir) = stand_in(Options::default()).await;
    let run = BUILD_RUN.to_string();
    let out = k8sops(
        &server,
        dir.path(),
        &["ci", "diagnose", &run, "--repo", "acme/web"],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        server
            .requests_to("GET", &format!("/blobs/jobs/{BUILD_GREEN_JOB}.txt"))
            .len(),
        1
    );
    let new = out
        .stdout
        .split("new since build.yml #811:")
        .nth(1)
        .unwrap_or_else(|| panic!("no comparison in:\n{}", out.stdout));
    // Errors first, and nothing the green run printed as well (its checkout, its login).
    assert!(
        new.lines().nth(1).is_some_and(|l| l.contains("npm error")),
        "{new}"
    );
    assert!(!new.contains("Login Succeeded!"), "{new}");
}

#[tokio::test(flavor = "multi_thread")]
async fn a_run_url_names_the_repository_and_the_run() {
    let (server, dir) = stand_in(Options::default()).await;
    let url = format!("https://github.com/acme/web/actions/runs/{BUILD_RUN}");
    let out = k8sops(&server, dir.path(), &["ci", "diagnose", &url, "-o", "json"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["items"][0]["subject"]["name"], "build.yml#812");
}

#[tokio::test(flavor = "multi_thread")]
async fn job_logs_refused_fall_back_to_the_run_archive() {
    let (server, dir) = stand_in(Options {
        job_logs: Logs::Refuse(404),
        ..Options::default()
    })
    .await;
    let out = k8sops(
        &server,
        dir.path(),
        &[
            "ci",
            "diagnose",
            &BUILD_RUN.to_string(),
            "--repo",
            "acme/web",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(
        server
            .requests_to("GET", &format!("/blobs/runs/{BUILD_RUN}.zip"))
            .len(),
        1
    );
    assert!(
        out.stdout.contains("(run log archive, line ") && out.stdout.contains("npm ci --omit=dev"),
        "{}",
        out.stdout
    );
    assert!(!out.stderr.contains("warning"), "{}", out.stderr);
}

#[tokio::test(flavor = "multi_thread")]
async fn logs_refused_everywhere_give_a_partial_diagnosis_from_the_steps_and_exit_3() {
    let (server, dir) = stand_in(Options {
        job_logs: Logs::Refuse(403),
        archive: Logs::Refuse(403),
        ..Options::default()
    })
    .await;
    let out = k8sops(
        &server,
        dir.path(),
        &[
            "ci",
            "diagnose",
            &BUILD_RUN.to_string(),
            "--repo",
            "acme/web",
            "-o",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 3, "partial: {}", out.stderr);
    let doc = out.json();
    let warnings = doc["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), 1, "{warnings:#?}");
    let w = warnings[0].as_str().unwrap_or_default();
    assert!(
        w.contains("GitHub answered 403")
            && w.contains("job build-and-push")
            && w.contains("steps alone"),
        "{w}"
    );
    assert!(
        out.stderr.contains(w),
        "the warning is on stderr too: {}",
        out.stderr
    );
    let facts = &doc["items"][0]["findings"][0]["facts"];
    assert_eq!(facts["step"], "Build and push image", "from the jobs API");
    assert_eq!(facts["kind"], "build", "from the step's name");
}

/// The docker build's job log with `token` printed in an npm error line.
fn build_log_leaking(token: &str) -> String {
    std::fs::read_to_string(
        std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data/ci/logs/docker-build.log"),
    )
    .expect("fixture")
    // Right under the code line, so even the clipped evidence of `-o markdown` holds it.
    .replace(
        "#7 2.115 npm error ERESOLVE unable",
        &format!("#7 2.114 npm error //npm.pkg.github.com/:_authToken={token}\n2026-11-20T08:51:30.9300000Z #7 2.115 npm error ERESOLVE unable"),
    )
}

#[tokio::test(flavor = "multi_thread")]
async fn a_secret_in_the_job_log_never_reaches_the_output() {
    let leaked = "ghp_PlantedInTheBuildLog0000000000000001";
    let log = build_log_leaking(leaked);
    let (server, dir) = stand_in(Options {
        build_log: Some(log),
        ..Options::default()
    })
    .await;
    for format in ["json", "text", "markdown"] {
        let out = k8sops(
            &server,
            dir.path(),
            &[
                "ci",
                "diagnose",
                &BUILD_RUN.to_string(),
                "--repo",
                "acme/web",
                "-o",
                format,
            ],
        )
        .await;
        assert_eq!(out.code, 0, "{}", out.stderr);
        assert!(
            !out.stdout.contains(leaked) && !out.stderr.contains(leaked),
            "{format}:\n{}",
            out.stdout
        );
        assert!(
            out.stdout.contains("_authToken="),
            "the line is kept, redacted"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn a_missing_run_is_one_line_with_a_hint_and_exit_2() {
    let (server, dir) = stand_in(Options::default()).await;
    let out = k8sops(
        &server,
        dir.path(),
        &["ci", "diagnose", "42", "--repo", "acme/web"],
    )
    .await;
    assert_eq!(out.code, 2);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(lines.len(), 2, "{}", out.stderr);
    assert_eq!(
        lines[0],
        "error: reading run 42 of acme/web: GitHub answered 404: Not Found"
    );
    assert!(
        lines[1].starts_with("hint: ") && lines[1].contains("OWNER/NAME"),
        "{}",
        lines[1]
    );
    let out = k8sops(&server, dir.path(), &["ci", "runs", "--repo", "acme/nope"]).await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.contains("acme/nope: GitHub answered 404"),
        "{}",
        out.stderr
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_token_without_actions_access_is_told_which_scope_it_needs() {
    let (server, dir) = stand_in(Options::default()).await;
    let out = k8sops(
        &server,
        dir.path(),
        &["ci", "runs", "--repo", "acme/locked"],
    )
    .await;
    assert_eq!(out.code, 2);
    let lines: Vec<&str> = out.stderr.lines().collect();
    assert_eq!(
        lines[0],
        "error: listing workflow runs of acme/locked: GitHub answered 403: Resource not accessible by personal access token"
    );
    assert!(
        lines[1].contains("token from GITHUB_TOKEN/GH_TOKEN lacks permission"),
        "{}",
        lines[1]
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_that_resets_soon_is_waited_out_and_the_wait_is_said() {
    let (server, dir) = stand_in(Options {
        rate_limited: 1,
        reset_in: 2,
        ..Options::default()
    })
    .await;
    let out = k8sops(
        &server,
        dir.path(),
        &["ci", "runs", "--repo", "acme/web", "-o", "json"],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(server.requests_to("GET", RUNS).len(), 2, "one retry");
    let note = out
        .stderr
        .lines()
        .find(|l| {
            l.starts_with(
                "note: GitHub rate limit reached while listing workflow runs of acme/web; waiting ",
            )
        })
        .unwrap_or_else(|| panic!("no rate-limit note: {}", out.stderr));
    assert!(note.ends_with("s before retrying"), "{note}");
    assert_eq!(out.json()["items"].as_array().map(Vec::len), Some(7));
}

#[tokio::test(flavor = "multi_thread")]
async fn a_rate_limit_far_from_reset_fails_saying_when_it_resets() {
    let (server, dir) = stand_in(Options {
        rate_limited: 5,
        reset_in: 3600,
        ..Options::default()
    })
    .await;
    let out = k8sops(&server, dir.path(), &["ci", "runs", "--repo", "acme/web"]).await;
    assert_eq!(out.code, 2);
    assert_eq!(
        server.requests_to("GET", RUNS).len(),
        1,
        "no waiting an hour"
    );
    assert!(
        out.stderr.starts_with(
            "error: listing workflow runs of acme/web: GitHub answered 403: API rate limit exceeded"
        ),
        "{}",
        out.stderr
    );
    let hint = out.stderr.lines().nth(1).unwrap_or_default();
    assert!(
        hint.starts_with("hint: rate limited; the limit resets in 3") && hint.contains("s —"),
        "{hint}"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn without_a_repository_the_error_says_how_to_name_one() {
    let (server, dir) = stand_in(Options::default()).await;
    let out = k8sops(&server, dir.path(), &["ci", "runs"]).await;
    assert_eq!(out.code, 2);
    assert!(
        out.stderr.starts_with("error: --repo: no repository given"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("hint: pass --repo OWNER/NAME"),
        "{}",
        out.stderr
    );
    assert!(server.requests().is_empty(), "nothing was asked of GitHub");
}

#[tokio::test(flavor = "multi_thread")]
async fn the_repository_is_inferred_from_the_clone_s_remote_on_the_api_s_host() {
    let Some(git_bin) = support::tool::require(&support::tool::GIT) else {
        return;
    };
    let (server, dir) = stand_in(Options::default()).await;
    let git = |args: &[&str]| {
        let ok = std::process::Command::new(&git_bin)
            .arg("-C")
            .arg(dir.path())
            .args(args)
            .status()
            .expect("git runs")
            .success();
        assert!(ok, "git {args:?}");
    };
    git(&["init", "-q"]);
    // GITHUB_API_URL is http://127.0.0.1:PORT/api/v3: an Enterprise server on that host.
    git(&["remote", "add", "origin", "http://127.0.0.1/acme/web.git"]);
    let out = k8sops(&server, dir.path(), &["ci", "runs", "-o", "json"]).await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.json()["repo"], "acme/web");
}

fn example(name: &str) -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(name)
        .display()
        .to_string()
}

#[tokio::test(flavor = "multi_thread")]
async fn the_daily_report_lists_the_runs_of_its_window_beside_those_the_bundle_carries() {
    let (server, dir) = stand_in(Options::default()).await;
    let bundle = example("ci-failed-build");
    let out = k8sops(
        &server,
        dir.path(),
        &[
            "report",
            "daily",
            "--from",
            &bundle,
            "--ci-repo",
            "acme/web",
            "--since",
            "2h",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    // The window ends at the bundle's capture time (09:29:36Z) and starts 2h before.
    assert_eq!(
        query_of(&server, RUNS),
        vec!["created=%3E%3D2026-11-20T07%3A29%3A36Z&per_page=100&page=1"]
    );
    let doc = out.json();
    assert_eq!(doc["warnings"], json!([]));
    let ci = &doc["ci"];
    assert_eq!(ci["available"], true);
    // Five runs since 07:29 — the bundle's four and the feature branch's; the two of the
    // day before are outside the window.
    assert_eq!(
        (&ci["total"], &ci["failed"]),
        (&json!(5), &json!(3)),
        "{ci:#}"
    );
    let failed: Vec<&str> = ci["failures"]
        .as_array()
        .expect("failures")
        .iter()
        .filter_map(|r| r["url"].as_str())
        .collect();
    assert_eq!(
        failed,
        [
            format!("https://github.com/acme/web/actions/runs/{UNRELATED_RUN}"),
            format!("https://github.com/acme/web/actions/runs/{E2E_RUN}"),
            format!("https://github.com/acme/web/actions/runs/{BUILD_RUN}"),
        ],
        "newest first, each once"
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn a_report_whose_ci_repository_cannot_be_read_warns_and_keeps_the_bundle_s_runs() {
    let (server, dir) = stand_in(Options::default()).await;
    let bundle = example("ci-failed-build");
    let out = k8sops(
        &server,
        dir.path(),
        &[
            "report",
            "daily",
            "--from",
            &bundle,
            "--ci-repo",
            "acme/locked",
            "--format",
            "json",
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let doc = out.json();
    let warnings = doc["warnings"].to_string();
    assert!(
        warnings.contains("ci: CI runs of acme/locked not listed") && warnings.contains("403"),
        "{warnings}"
    );
    assert_eq!(doc["ci"]["available"], true);
    assert_eq!(doc["ci"]["total"], 4, "the runs the bundle carries");
}

#[tokio::test(flavor = "multi_thread")]
async fn ci_diagnose_asks_the_llm_engine_over_the_sanitized_excerpt_when_one_is_configured() {
    let leaked = "ghp_PlantedInTheBuildLog0000000000000002";
    let log = build_log_leaking(leaked);
    let (server, dir) = stand_in(Options {
        build_log: Some(log),
        ..Options::default()
    })
    .await;
    let llm = support::llm_server::LlmServer::start().await;
    llm.otherwise(support::llm_server::Reply::content(
        json!({"hypotheses": [{"cause": "npm ci cannot resolve a dependency pinned by the lockfile",
            "category": "ci-failure", "confidence": 0.6, "evidence": ["ev-1"],
            "fix": ["update package-lock.json"], "prevention": [], "remedy": null}],
            "explanation": "The image build stops at npm ci."})
        .to_string(),
    ));
    let out = k8sops_with(
        &server,
        dir.path(),
        &[
            "ci",
            "diagnose",
            &BUILD_RUN.to_string(),
            "--repo",
            "acme/web",
            "--explain",
            "--no-cache",
            "-o",
            "json",
        ],
        &[
            ("K8SOPS_LLM_BASE_URL", llm.url()),
            ("K8SOPS_LLM_MODEL", "test-model".to_string()),
        ],
    )
    .await;
    assert_eq!(out.code, 0, "{}", out.stderr);
    let requests = llm.requests();
    assert_eq!(requests.len(), 1, "one diagnosis, one question");
    let sent = requests[0].messages_text();
    assert!(
        sent.contains("Build and push image") && sent.contains("npm ci --omit=dev"),
        "the failing step and its error reach the model:\n{sent}"
    );
    assert!(!sent.contains(leaked), "the excerpt is sanitized:\n{sent}");
    let item = &out.json()["items"][0];
    assert_eq!(
        item["explanation"]["text"],
        "The image build stops at npm ci."
    );
    let engines: Vec<&str> = item["hypotheses"]
        .as_array()
        .expect("hypotheses")
        .iter()
        .filter_map(|h| h["engine"].as_str())
        .collect();
    assert!(
        engines.contains(&"rules") && engines.contains(&"llm:test-model"),
        "{engines:?}"
    );
}
