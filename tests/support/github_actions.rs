//! A GitHub Actions stand-in for `RecordingServer`: the REST routes k8sops reads under an
//! Enterprise base (`/api/v3`), answering with the recorded payloads of `acme/web` in
//! `tests/data/ci/api/` and the runner logs in `tests/data/ci/logs/`. Job logs and run
//! archives answer like GitHub — a 302 to a signed blob URL on another path — and the
//! archive zip is built here from the logs; the last green runs' jobs answer with the passing
//! logs in `tests/data/ci/pass/`. Faults: refuse logs, rate-limit the first requests.

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::{Value, json};

pub const TOKEN: &str = "ghp_k8sopsCiStandInToken00000000000000000";
pub const REPO: &str = "acme/web";
/// The build run whose docker build failed, and its job.
pub const BUILD_RUN: u64 = 11893475023;
pub const BUILD_JOB: u64 = 33512940017;
pub const E2E_RUN: u64 = 11893475044;
pub const E2E_JOB: u64 = 33512940131;
/// A failing run of another commit on a feature branch.
pub const UNRELATED_RUN: u64 = 11893475102;
/// A deploy run whose image build fails at `npm ci` (ERESOLVE), served with
/// [`Options::deploy_failure`], and its job.
pub const DEPLOY_RUN: u64 = 11893475210;
pub const DEPLOY_JOB: u64 = 33512940288;
/// The jobs of the last green runs before the build and the deploy failures
/// (`build.yml #811`, `deploy.yml #377`), whose logs the diagnosis compares with.
pub const BUILD_GREEN_JOB: u64 = 33480112017;
pub const DEPLOY_GREEN_JOB: u64 = 33512940066;

fn data(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data/ci")
        .join(rel)
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(data(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// How the stand-in answers a log download.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Logs {
    /// A 302 to the blob, as GitHub does.
    Redirect,
    /// This status with GitHub's error body.
    Refuse(u16),
}

#[derive(Debug, Clone)]
pub struct Options {
    pub job_logs: Logs,
    pub archive: Logs,
    /// Requests answered `403 rate limit exceeded` before the first real answer.
    pub rate_limited: usize,
    /// Seconds until the rate limit resets, as `x-ratelimit-reset` says.
    pub reset_in: i64,
    /// Replaces the build job's log (e.g. with a planted secret).
    pub build_log: Option<String>,
    /// Adds the failed deploy run [`DEPLOY_RUN`] (`deploy.yml #378`, the newest run).
    pub deploy_failure: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            job_logs: Logs::Redirect,
            archive: Logs::Redirect,
            rate_limited: 0,
            reset_in: 2,
            build_log: None,
            deploy_failure: false,
        }
    }
}

struct Shared {
    options: Options,
    limited: AtomicUsize,
}

type St = State<Arc<Shared>>;

pub fn error(status: u16, message: &str) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (
        code,
        axum::Json(json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest/actions/workflow-runs",
            "status": status.to_string(),
        })),
    )
        .into_response()
}

fn rate_limited(s: &Shared) -> Option<Response> {
    let left = s.limited.load(Ordering::SeqCst);
    if left == 0 {
        return None;
    }
    s.limited.store(left - 1, Ordering::SeqCst);
    let reset = jiff::Timestamp::now().as_second() + s.options.reset_in;
    let mut r = error(
        403,
        "API rate limit exceeded for user ID 51234567. If you reach out to GitHub Support for help, please include the request ID 8F2A:3C1B:1D9E7A4:1E4F0B2:673DC1A2.",
    );
    let h = r.headers_mut();
    h.insert("x-ratelimit-limit", "5000".parse().expect("header"));
    h.insert("x-ratelimit-remaining", "0".parse().expect("header"));
    h.insert("x-ratelimit-used", "5000".parse().expect("header"));
    h.insert("x-ratelimit-resource", "core".parse().expect("header"));
    h.insert(
        "x-ratelimit-reset",
        reset.to_string().parse().expect("header"),
    );
    Some(r)
}

fn runs(s: &Shared) -> Vec<Value> {
    let doc: Value = serde_json::from_str(&read("api/runs.json")).expect("runs.json");
    let mut runs = doc["workflow_runs"].as_array().cloned().unwrap_or_default();
    if s.options.deploy_failure {
        let run: Value =
            serde_json::from_str(&read(&format!("api/run-{DEPLOY_RUN}.json"))).expect("run json");
        runs.insert(0, run);
    }
    runs
}

fn known_repo(owner: &str, repo: &str) -> bool {
    format!("{owner}/{repo}") == REPO
}

/// GitHub's filters: branch, status (a status or a conclusion), head_sha, paging.
fn list(mut items: Vec<Value>, q: &std::collections::HashMap<String, String>) -> Response {
    if let Some(b) = q.get("branch") {
        items.retain(|r| r["head_branch"] == b.as_str());
    }
    if let Some(s) = q.get("status") {
        items.retain(|r| r["status"] == s.as_str() || r["conclusion"] == s.as_str());
    }
    if let Some(sha) = q.get("head_sha") {
        items.retain(|r| r["head_sha"] == sha.as_str());
    }
    let total = items.len();
    let per_page: usize = q.get("per_page").and_then(|p| p.parse().ok()).unwrap_or(30);
    let page: usize = q.get("page").and_then(|p| p.parse().ok()).unwrap_or(1);
    let page_items: Vec<Value> = items
        .into_iter()
        .skip(per_page * (page.max(1) - 1))
        .take(per_page)
        .collect();
    axum::Json(json!({"total_count": total, "workflow_runs": page_items})).into_response()
}

async fn list_runs(
    State(s): St,
    Path((owner, repo)): Path<(String, String)>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(r) = rate_limited(&s) {
        return r;
    }
    // A repository the token can see but not read Actions of.
    if owner == "acme" && repo == "locked" {
        return error(403, "Resource not accessible by personal access token");
    }
    if !known_repo(&owner, &repo) {
        return error(404, "Not Found");
    }
    list(runs(&s), &q)
}

async fn workflow_runs(
    State(s): St,
    Path((owner, repo, workflow)): Path<(String, String, String)>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> Response {
    if let Some(r) = rate_limited(&s) {
        return r;
    }
    if !known_repo(&owner, &repo) {
        return error(404, "Not Found");
    }
    let path = format!(".github/workflows/{workflow}");
    let items = runs(&s)
        .into_iter()
        .filter(|r| r["path"] == path.as_str())
        .collect();
    list(items, &q)
}

async fn one_run(State(s): St, Path((owner, repo, id)): Path<(String, String, u64)>) -> Response {
    if let Some(r) = rate_limited(&s) {
        return r;
    }
    match runs(&s).into_iter().find(|r| r["id"] == id) {
        Some(run) if known_repo(&owner, &repo) => axum::Json(run).into_response(),
        _ => error(404, "Not Found"),
    }
}

async fn jobs(State(s): St, Path((owner, repo, id)): Path<(String, String, u64)>) -> Response {
    if let Some(r) = rate_limited(&s) {
        return r;
    }
    if !known_repo(&owner, &repo) {
        return error(404, "Not Found");
    }
    match std::fs::read_to_string(data(&format!("api/jobs-{id}.json"))) {
        Ok(text) => (
            [(header::CONTENT_TYPE, "application/json; charset=utf-8")],
            text,
        )
            .into_response(),
        Err(_) => axum::Json(json!({"total_count": 0, "jobs": []})).into_response(),
    }
}

fn redirect(headers: &HeaderMap, path: &str) -> Response {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("127.0.0.1");
    let location = format!(
        "http://{host}{path}?sv=2025-01-05&se=2026-11-20T09%3A41%3A00Z&sr=b&sp=r&sig=Xb1yQ%2F3kM%3D"
    );
    (StatusCode::FOUND, [(header::LOCATION, location)]).into_response()
}

async fn job_logs(
    State(s): St,
    headers: HeaderMap,
    Path((_, _, job)): Path<(String, String, u64)>,
) -> Response {
    match s.options.job_logs {
        Logs::Redirect => redirect(&headers, &format!("/blobs/jobs/{job}.txt")),
        Logs::Refuse(403) => error(403, "Must have admin rights to Repository."),
        Logs::Refuse(status) => error(status, "Not Found"),
    }
}

async fn run_logs(
    State(s): St,
    headers: HeaderMap,
    Path((_, _, id)): Path<(String, String, u64)>,
) -> Response {
    match s.options.archive {
        Logs::Redirect => redirect(&headers, &format!("/blobs/runs/{id}.zip")),
        Logs::Refuse(403) => error(403, "Must have admin rights to Repository."),
        Logs::Refuse(status) => error(status, "Not Found"),
    }
}

fn job_log(s: &Shared, job: u64) -> Option<String> {
    match job {
        BUILD_JOB => Some(
            s.options
                .build_log
                .clone()
                .unwrap_or_else(|| read("logs/docker-build.log")),
        ),
        E2E_JOB => Some(read("logs/pytest-e2e.log")),
        DEPLOY_JOB => Some(read("logs/npm-eresolve-deploy.log")),
        BUILD_GREEN_JOB => Some(read("pass/docker-build.log")),
        DEPLOY_GREEN_JOB => Some(read("pass/npm-deploy.log")),
        _ => None,
    }
}

async fn job_blob(State(s): St, Path(file): Path<String>) -> Response {
    let job = file.trim_end_matches(".txt").parse().unwrap_or(0);
    match job_log(&s, job) {
        Some(text) => ([(header::CONTENT_TYPE, "text/plain")], text).into_response(),
        None => (StatusCode::NOT_FOUND, "BlobNotFound").into_response(),
    }
}

/// The run's archive as GitHub lays it out: `N_<job>.txt` per job plus `<job>/system.txt`.
async fn run_blob(State(s): St, Path(file): Path<String>) -> Response {
    let run: u64 = file.trim_end_matches(".zip").parse().unwrap_or(0);
    let jobs = match run {
        BUILD_RUN => vec![("build-and-push", BUILD_JOB)],
        E2E_RUN => vec![("e2e", E2E_JOB)],
        _ => return (StatusCode::NOT_FOUND, "BlobNotFound").into_response(),
    };
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let opts = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (i, (name, job)) in jobs.iter().enumerate() {
        let text = job_log(&s, *job).unwrap_or_default();
        zip.start_file(format!("{}_{name}.txt", i + 1), opts)
            .expect("zip entry");
        zip.write_all(text.as_bytes()).expect("zip write");
        zip.start_file(format!("{name}/system.txt"), opts)
            .expect("zip entry");
        zip.write_all(b"2026-11-20T08:51:19.0000000Z Requested labels: ubuntu-latest\n")
            .expect("zip write");
    }
    let bytes = zip.finish().expect("zip finish").into_inner();
    ([(header::CONTENT_TYPE, "application/zip")], bytes).into_response()
}

async fn commit(State(s): St, Path((_, _, sha)): Path<(String, String, String)>) -> Response {
    if let Some(r) = rate_limited(&s) {
        return r;
    }
    let found = runs(&s)
        .into_iter()
        .filter_map(|r| r["head_sha"].as_str().map(str::to_string))
        .find(|full| full.starts_with(&sha));
    match found {
        Some(full) => {
            axum::Json(json!({"sha": full, "node_id": "C_kwDOKnZ3BtoAKDRm"})).into_response()
        }
        None => error(422, &format!("No commit found for SHA: {sha}")),
    }
}

/// The routes, under the Enterprise prefix `/api/v3`.
pub fn router(options: Options) -> Router {
    let shared = Arc::new(Shared {
        limited: AtomicUsize::new(options.rate_limited),
        options,
    });
    let base = "/api/v3/repos/{owner}/{repo}";
    Router::new()
        .route(&format!("{base}/actions/runs"), get(list_runs))
        .route(
            &format!("{base}/actions/workflows/{{workflow}}/runs"),
            get(workflow_runs),
        )
        .route(&format!("{base}/actions/runs/{{id}}"), get(one_run))
        .route(&format!("{base}/actions/runs/{{id}}/jobs"), get(jobs))
        .route(&format!("{base}/actions/runs/{{id}}/logs"), get(run_logs))
        .route(&format!("{base}/actions/jobs/{{job}}/logs"), get(job_logs))
        .route(&format!("{base}/commits/{{sha}}"), get(commit))
        .route("/blobs/jobs/{file}", get(job_blob))
        .route("/blobs/runs/{file}", get(run_blob))
        .with_state(shared)
}
