//! A GitHub REST stand-in for pull requests, on the recording server: list open PRs by
//! head branch, create, update, label — with the payload shapes GitHub answers, and modes
//! for the failures a user meets (422 validation, 401 bad credentials).

use std::sync::{Arc, Mutex};

use axum::Json;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::{get, patch, post};
use serde_json::{Value, json};

use super::http::RecordingServer;

/// How the API answers: pull requests are created, POST /pulls fails validation, or every
/// request is refused for bad credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CreateMode {
    Created,
    Invalid,
    BadCredentials,
}

struct Gh {
    base: String,
    open: Vec<Value>,
    mode: CreateMode,
    next: u64,
}

type Shared = Arc<Mutex<Gh>>;

pub struct FakeGithub {
    pub server: RecordingServer,
    state: Shared,
}

/// A pull request as GitHub returns it; `fields` holds head, base, title and body as a
/// create request does.
pub fn pr_json(base_url: &str, owner: &str, repo: &str, number: u64, fields: &Value) -> Value {
    let field = |k: &str| fields[k].as_str().unwrap_or("").to_string();
    let (head, base) = (field("head"), field("base"));
    json!({
        "url": format!("{base_url}/api/v3/repos/{owner}/{repo}/pulls/{number}"),
        "id": 1_800_000_000u64 + number,
        "node_id": format!("PR_kwDOAbc{number}"),
        "html_url": format!("https://github.example.com/{owner}/{repo}/pull/{number}"),
        "diff_url": format!("https://github.example.com/{owner}/{repo}/pull/{number}.diff"),
        "number": number,
        "state": "open",
        "locked": false,
        "title": field("title"),
        "body": field("body"),
        "created_at": "2026-11-20T10:02:11Z",
        "updated_at": "2026-11-20T10:02:11Z",
        "draft": false,
        "head": {"label": format!("{owner}:{head}"), "ref": head, "sha": "6dcb09b5b57875f334f61aebed695e2e4193db5e"},
        "base": {"label": format!("{owner}:{base}"), "ref": base, "sha": "c5b97d5ae6c19d5c5df71a34c7fbeeda2479ccbc"},
        "author_association": "MEMBER",
        "labels": [],
    })
}

fn error(status: StatusCode, body: Value) -> (StatusCode, Json<Value>) {
    (status, Json(body))
}

fn bad_credentials() -> (StatusCode, Json<Value>) {
    error(
        StatusCode::UNAUTHORIZED,
        json!({"message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401"}),
    )
}

async fn list(
    State(s): State<Shared>,
    Query(q): Query<std::collections::HashMap<String, String>>,
) -> (StatusCode, Json<Value>) {
    let s = s.lock().expect("state");
    if s.mode == CreateMode::BadCredentials {
        return bad_credentials();
    }
    let head = q.get("head").cloned().unwrap_or_default();
    let matching: Vec<Value> = s
        .open
        .iter()
        .filter(|pr| pr["head"]["label"].as_str() == Some(head.as_str()))
        .cloned()
        .collect();
    (StatusCode::OK, Json(Value::Array(matching)))
}

async fn create(
    State(s): State<Shared>,
    Path((owner, repo)): Path<(String, String)>,
    Json(req): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut s = s.lock().expect("state");
    match s.mode {
        CreateMode::BadCredentials => bad_credentials(),
        CreateMode::Invalid => error(
            StatusCode::UNPROCESSABLE_ENTITY,
            json!({"message": "Validation Failed",
                   "errors": [{"resource": "PullRequest", "field": "base", "code": "invalid",
                               "message": "base: branch does-not-exist does not exist"}],
                   "documentation_url": "https://docs.github.com/rest/pulls/pulls#create-a-pull-request",
                   "status": "422"}),
        ),
        CreateMode::Created => {
            let n = s.next;
            s.next += 1;
            let pr = pr_json(&s.base, &owner, &repo, n, &req);
            s.open.push(pr.clone());
            (StatusCode::CREATED, Json(pr))
        }
    }
}

async fn update(
    State(s): State<Shared>,
    Path((_, _, number)): Path<(String, String, u64)>,
    Json(req): Json<Value>,
) -> (StatusCode, Json<Value>) {
    let mut s = s.lock().expect("state");
    let Some(pr) = s.open.iter_mut().find(|p| p["number"] == number) else {
        return error(
            StatusCode::NOT_FOUND,
            json!({"message": "Not Found", "status": "404"}),
        );
    };
    for key in ["title", "body"] {
        if let Some(v) = req.get(key) {
            pr[key] = v.clone();
        }
    }
    (StatusCode::OK, Json(pr.clone()))
}

async fn labels(Json(req): Json<Value>) -> Json<Value> {
    let labels: Vec<Value> = req["labels"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            json!({"id": 208045946 + i as u64, "node_id": "MDU6TGFiZWwyMDgwNDU5NDY=",
            "url": format!("https://api.github.example.com/labels/{}", name.as_str().unwrap_or("")),
            "name": name, "color": "ededed", "default": false, "description": null})
        })
        .collect();
    Json(Value::Array(labels))
}

impl FakeGithub {
    pub async fn start(mode: CreateMode) -> FakeGithub {
        let state: Shared = Arc::new(Mutex::new(Gh {
            base: String::new(),
            open: Vec::new(),
            mode,
            next: 42,
        }));
        let routes = Router::new()
            .route("/api/v3/repos/{owner}/{repo}/pulls", get(list).post(create))
            .route("/api/v3/repos/{owner}/{repo}/pulls/{number}", patch(update))
            .route(
                "/api/v3/repos/{owner}/{repo}/issues/{number}/labels",
                post(labels),
            )
            .with_state(state.clone());
        let server = RecordingServer::start(routes).await;
        state.lock().expect("state").base = server.url();
        FakeGithub { server, state }
    }

    /// `GITHUB_API_URL` for this server (Enterprise-style `/api/v3`).
    pub fn api_url(&self) -> String {
        format!("{}/api/v3", self.server.url())
    }

    /// An open PR that already exists for `head`.
    pub fn add_open(&self, owner: &str, repo: &str, number: u64, head: &str, base: &str) {
        let mut s = self.state.lock().expect("state");
        let fields = json!({"head": head, "base": base,
            "title": "an older title", "body": "an older body"});
        let pr = pr_json(&s.base, owner, repo, number, &fields);
        s.open.push(pr);
    }
}
