//! An OpenAI-compatible chat-completions server on 127.0.0.1 that records every request and
//! answers from a script, as OpenAI, Azure OpenAI, vLLM or llama.cpp server would.
//!
//! ```ignore
//! let server = LlmServer::start().await;                    // 127.0.0.1:0
//! server.url();                                             // http://127.0.0.1:PORT/v1
//! server.push(Reply::content(json!({"hypotheses": [...], "explanation": "…"}).to_string()));
//! server.push(Reply::error(429, "rate_limit_exceeded").header("retry-after", "1"));
//! server.push(Reply::content("{}").delay(Duration::from_secs(3)));
//! server.otherwise(Reply::content(...));                    // when the script is used up
//! server.requests();                                        // method, path, query, headers, body
//! ```
//!
//! Any path is accepted (OpenAI's `/v1/chat/completions`, Azure's
//! `/openai/deployments/{name}/chat/completions?api-version=`), so tests assert on the path
//! the client chose. Completions report `usage` like OpenAI does.

use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

/// One recorded request.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub query: String,
    pub headers: Vec<(String, String)>,
    pub body: String,
    pub at: Instant,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> Value {
        serde_json::from_str(&self.body).unwrap_or(Value::Null)
    }

    /// The text of every message sent, joined.
    pub fn messages_text(&self) -> String {
        self.json()["messages"]
            .as_array()
            .map(|m| {
                m.iter()
                    .filter_map(|m| m["content"].as_str())
                    .collect::<Vec<_>>()
                    .join("\n")
            })
            .unwrap_or_default()
    }
}

/// One scripted answer.
#[derive(Debug, Clone)]
pub struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: String,
    delay: Duration,
}

impl Reply {
    /// A chat completion whose message content is `content`.
    pub fn content(content: impl Into<String>) -> Self {
        let content = content.into();
        let body = json!({
            "id": "chatcmpl-k8sops-test",
            "object": "chat.completion",
            "created": 1_764_000_000u32,
            "model": "test-model",
            "choices": [{"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": content}}],
            "usage": {"prompt_tokens": 1200, "completion_tokens": 150, "total_tokens": 1350}
        });
        Reply {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// An OpenAI-style error body.
    pub fn error(status: u16, code: &str) -> Self {
        let body = json!({"error": {"message": format!("scripted {status}: {code}"),
            "type": code, "param": null, "code": code}});
        Reply {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string(),
            delay: Duration::ZERO,
        }
    }

    /// A raw body (for replies that are not chat completions at all).
    pub fn raw(status: u16, body: &str) -> Self {
        Reply {
            status,
            headers: vec![("content-type".into(), "text/plain".into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn header(mut self, name: &str, value: &str) -> Self {
        self.headers.push((name.into(), value.into()));
        self
    }

    pub fn delay(mut self, d: Duration) -> Self {
        self.delay = d;
        self
    }
}

#[derive(Default)]
struct Shared {
    script: Mutex<VecDeque<Reply>>,
    otherwise: Mutex<Option<Reply>>,
    requests: Mutex<Vec<Recorded>>,
}

/// A running server; dropping it stops it.
pub struct LlmServer {
    addr: SocketAddr,
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for LlmServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

impl LlmServer {
    pub async fn start() -> Self {
        let shared = Arc::new(Shared::default());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1");
        let addr = listener.local_addr().expect("local addr");
        let state = shared.clone();
        let app = axum::Router::new().fallback(
            move |method: Method, uri: Uri, headers: HeaderMap, body: Bytes| {
                let state = state.clone();
                async move { answer(state, method, uri, headers, body).await }
            },
        );
        let task = tokio::spawn(async move {
            let _ = axum::serve(listener, app).await;
        });
        LlmServer { addr, shared, task }
    }

    /// The OpenAI-style base URL (`…/v1`).
    pub fn url(&self) -> String {
        format!("http://{}/v1", self.addr)
    }

    /// The root, as Azure resource endpoints are given.
    pub fn root(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn push(&self, reply: Reply) {
        self.shared.script.lock().expect("lock").push_back(reply);
    }

    pub fn otherwise(&self, reply: Reply) {
        *self.shared.otherwise.lock().expect("lock") = Some(reply);
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.shared.requests.lock().expect("lock").clone()
    }
}

async fn answer(
    shared: Arc<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    shared.requests.lock().expect("lock").push(Recorded {
        method: method.to_string(),
        path: uri.path().to_string(),
        query: uri.query().unwrap_or("").to_string(),
        headers: headers
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_str().unwrap_or("").to_string()))
            .collect(),
        body: String::from_utf8_lossy(&body).into_owned(),
        at: Instant::now(),
    });
    let next = shared.script.lock().expect("lock").pop_front();
    let reply = next
        .or_else(|| shared.otherwise.lock().expect("lock").clone())
        .unwrap_or_else(|| Reply::error(500, "script_exhausted"));
    if !reply.delay.is_zero() {
        tokio::time::sleep(reply.delay).await;
    }
    let mut response = (
        StatusCode::from_u16(reply.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        reply.body,
    )
        .into_response();
    for (k, v) in reply.headers {
        if let (Ok(k), Ok(v)) = (
            axum::http::HeaderName::try_from(k.as_str()),
            axum::http::HeaderValue::try_from(v.as_str()),
        ) {
            response.headers_mut().insert(k, v);
        }
    }
    response
}
