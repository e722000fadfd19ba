//! A recording HTTP server on 127.0.0.1 for stand-ins of GitHub, Slack and LLM endpoints.
//! A test builds an axum `Router` with the routes it needs (realistic payloads, error
//! statuses), starts it here, points k8sops at `url()`, and afterwards asserts on what was
//! sent: every request is recorded with its method, path, query, headers and body.
//!
//! ```ignore
//! let server = RecordingServer::start(
//!     Router::new().route("/repos/{owner}/{repo}/pulls", post(|| async { (StatusCode::CREATED, Json(pr)) })),
//! ).await;
//! // … run k8sops with GITHUB_API_URL=server.url() …
//! let sent = server.requests();
//! assert_eq!(sent[0].method, "POST");
//! assert!(!server.bodies().contains("hunter2"));
//! ```

use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::extract::{Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;

/// One request as the server received it.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    /// The raw query string, empty when there was none.
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Recorded {
    /// The first value of header `name` (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The body parsed as JSON (`Null` when it is not JSON).
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or(serde_json::Value::Null)
    }
}

type Log = Arc<Mutex<Vec<Recorded>>>;

pub struct RecordingServer {
    addr: SocketAddr,
    log: Log,
    task: tokio::task::JoinHandle<()>,
}

impl RecordingServer {
    /// Serves `routes` on 127.0.0.1 (an ephemeral port), recording every request.
    pub async fn start(routes: Router) -> Self {
        let log: Log = Arc::default();
        let app = routes.layer(middleware::from_fn_with_state(log.clone(), record));
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        RecordingServer { addr, log, task }
    }

    /// `http://127.0.0.1:PORT`, no trailing slash.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request so far, in arrival order.
    pub fn requests(&self) -> Vec<Recorded> {
        self.log.lock().expect("request log").clone()
    }

    /// Requests whose method and path are these.
    pub fn requests_to(&self, method: &str, path: &str) -> Vec<Recorded> {
        self.requests()
            .into_iter()
            .filter(|r| r.method == method && r.path == path)
            .collect()
    }

    /// Every body and query string sent, concatenated: what a leak check searches.
    pub fn everything_sent(&self) -> String {
        self.requests()
            .iter()
            .map(|r| format!("{} {}?{}\n{}\n", r.method, r.path, r.query, r.body))
            .collect()
    }
}

impl Drop for RecordingServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn record(State(log): State<Log>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    // Request bodies in tests are small; 64 MiB bounds a runaway one.
    let bytes = to_bytes(body, 64 << 20).await.unwrap_or_default();
    log.lock().expect("request log").push(Recorded {
        method: parts.method.to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers: parts
            .headers
            .iter()
            .map(|(k, v)| {
                (
                    k.to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect(),
        body: String::from_utf8_lossy(&bytes).into_owned(),
    });
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}
