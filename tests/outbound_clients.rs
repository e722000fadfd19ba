//! The shared outbound clients against stand-ins on 127.0.0.1: the GitHub client (token,
//! Enterprise base URL, one clear message per failure status) and the Slack webhook poster
//! (sanitized payloads, the URL never in an error).

mod support;

use axum::Router;
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use k8sops::env::{Env, Secret};
use k8sops::github::{Github, GithubConfig};
use k8sops::notify::slack::{self, Message};
use k8sops::sanitize::Sanitizer;
use serde_json::{Value, json};
use support::http::RecordingServer;

const TOKEN: &str = "ghp_k8sopsTestToken0000000000000000000000";

fn init() {
    let _ = rustls::crypto::ring::default_provider().install_default();
}

fn github(server: &RecordingServer) -> Github {
    let cfg = GithubConfig {
        api_url: Some(format!("{}/api/v3", server.url())),
        token: Some(Secret::new(TOKEN)),
    };
    Github::connect(&cfg, &Env::from_fn(|_| None)).expect("client builds")
}

fn github_error(
    status: StatusCode,
    message: &'static str,
) -> (StatusCode, HeaderMap, axum::Json<Value>) {
    let mut headers = HeaderMap::new();
    if status == StatusCode::FORBIDDEN && message.contains("rate limit") {
        let reset = jiff::Timestamp::now().as_second() + 120;
        headers.insert("x-ratelimit-remaining", "0".parse().expect("header"));
        headers.insert(
            "x-ratelimit-reset",
            reset.to_string().parse().expect("header"),
        );
    }
    (
        status,
        headers,
        axum::Json(json!({
            "message": message,
            "documentation_url": "https://docs.github.com/rest",
            "status": status.as_u16().to_string(),
        })),
    )
}

#[tokio::test]
async fn an_enterprise_base_url_and_the_token_are_used() {
    init();
    let server = RecordingServer::start(Router::new().route(
        "/api/v3/user",
        get(|| async { axum::Json(json!({"login": "k8sops-bot", "id": 7, "type": "Bot"})) }),
    ))
    .await;
    let gh = github(&server);
    let user: Value = gh
        .client
        .get("/user", None::<&()>)
        .await
        .expect("GET /user");
    assert_eq!(user["login"], "k8sops-bot");
    let sent = server.requests_to("GET", "/api/v3/user");
    assert_eq!(sent.len(), 1);
    let auth = sent[0]
        .header("authorization")
        .expect("authorization header");
    assert!(auth.ends_with(TOKEN), "{auth}");
}

#[tokio::test]
async fn each_failure_status_says_what_to_do() {
    init();
    let server = RecordingServer::start(
        Router::new()
            .route(
                "/api/v3/repos/acme/bad-credentials",
                get(|| async { github_error(StatusCode::UNAUTHORIZED, "Bad credentials") }),
            )
            .route(
                "/api/v3/repos/acme/private",
                get(|| async { github_error(StatusCode::NOT_FOUND, "Not Found") }),
            )
            .route(
                "/api/v3/repos/acme/limited",
                get(|| async {
                    github_error(
                        StatusCode::FORBIDDEN,
                        "API rate limit exceeded for installation ID 1.",
                    )
                }),
            )
            .route(
                "/api/v3/repos/acme/no-scope",
                get(|| async {
                    github_error(
                        StatusCode::FORBIDDEN,
                        "Resource not accessible by personal access token",
                    )
                }),
            ),
    )
    .await;
    let gh = github(&server);
    let cases = [
        ("bad-credentials", 401, "was rejected"),
        ("private", 404, "OWNER/NAME"),
        ("limited", 403, "resets in"),
        ("no-scope", 403, "lacks permission"),
    ];
    for (repo, status, hint) in cases {
        let e = gh
            .client
            .get::<Value, _, _>(format!("/repos/acme/{repo}"), None::<&()>)
            .await
            .expect_err("fails");
        let err = gh.error(format!("reading acme/{repo}"), e);
        let msg = err.to_string();
        assert!(
            msg.starts_with(&format!("reading acme/{repo}: GitHub answered {status}")),
            "{msg}"
        );
        assert!(!msg.contains('\n'), "one line: {msg}");
        assert!(err.hint().contains(hint), "{repo}: {}", err.hint());
        assert_eq!(err.exit_code(), 2);
    }
}

#[tokio::test]
async fn without_any_token_the_error_says_how_to_get_one() {
    let cfg = GithubConfig {
        api_url: Some("http://127.0.0.1:9/api/v3".into()),
        token: None,
    };
    // An environment without GITHUB_TOKEN/GH_TOKEN and without gh on its PATH.
    let err = Github::connect(&cfg, &Env::from_fn(|_| None)).expect_err("no token");
    assert!(err.to_string().contains("no GitHub token"), "{err}");
    assert!(
        err.hint().contains("GITHUB_TOKEN") && err.hint().contains("gh auth login"),
        "{}",
        err.hint()
    );
}

const WEBHOOK_PATH: &str = "/services/T0K8SOPS/B0K8SOPS/s3cr3tw3bh00kpath";

#[tokio::test]
async fn slack_messages_are_sanitized_before_they_are_posted() {
    init();
    let server =
        RecordingServer::start(Router::new().route(WEBHOOK_PATH, post(|| async { "ok" }))).await;
    let webhook = Secret::new(format!("{}{WEBHOOK_PATH}", server.url()));
    let leaked = "postgres://orders:Sup3rS3cret!@pg.shop:5432/orders";
    let message = Message::new("1 critical problem in prod")
        .header("k8sops: prod")
        .section(&format!(
            "*Deployment shop/orders* cannot connect: `{leaked}`"
        ))
        .fields(&["*Severity*\ncritical".into(), format!("*Token*\n{TOKEN}")]);
    slack::post(&webhook, &message, &Sanitizer::new())
        .await
        .expect("posted");
    let sent = server.requests_to("POST", WEBHOOK_PATH);
    assert_eq!(sent.len(), 1);
    let body = &sent[0].body;
    assert!(
        !body.contains("Sup3rS3cret!") && !body.contains(TOKEN),
        "{body}"
    );
    assert!(body.contains("<redacted:password#"), "{body}");
    let json = sent[0].json();
    assert_eq!(json["text"], "1 critical problem in prod");
    assert_eq!(json["blocks"][0]["type"], "header");
    assert_eq!(sent[0].header("content-type"), Some("application/json"));
}

#[tokio::test]
async fn slack_failures_name_the_cause_but_never_the_url() {
    init();
    let server = RecordingServer::start(
        Router::new()
            .route(
                "/services/revoked",
                post(|| async { (StatusCode::NOT_FOUND, "no_service") }),
            )
            .route(
                "/services/archived",
                post(|| async { (StatusCode::GONE, "channel_is_archived") }),
            )
            .route(
                "/services/busy",
                post(|| async {
                    (
                        StatusCode::TOO_MANY_REQUESTS,
                        [("retry-after", "7")],
                        "rate_limited",
                    )
                }),
            ),
    )
    .await;
    let cases = [
        ("revoked", "revoked"),
        ("archived", "archived"),
        ("busy", "retry after 7s"),
    ];
    for (path, hint) in cases {
        let webhook = Secret::new(format!("{}/services/{path}", server.url()));
        let err = slack::post(&webhook, &Message::new("hello"), &Sanitizer::new())
            .await
            .expect_err("fails");
        let msg = err.to_string();
        assert!(msg.starts_with("Slack: the webhook answered"), "{msg}");
        assert!(!msg.contains("/services/"), "the URL is a secret: {msg}");
        assert!(err.hint().contains(hint), "{path}: {}", err.hint());
    }
    // Nothing listens on port 9: a connection error, again without the URL.
    let err = slack::post(
        &Secret::new(format!("http://127.0.0.1:9{WEBHOOK_PATH}")),
        &Message::new("hello"),
        &Sanitizer::new(),
    )
    .await
    .expect_err("no server");
    assert!(!err.to_string().contains(WEBHOOK_PATH), "{err}");
}
