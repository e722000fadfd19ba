//! `?watch=true` streams: one JSON object per line, chunked, as the apiserver sends them.

use std::sync::Arc;
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use k8sops::model::{KindInfo, with_type_meta};
use serde_json::{Value, json};
use tokio::sync::{broadcast, mpsc};
use tokio::time::Instant;

use super::faults::FaultState;
use super::routes::{Query, status, status_body};
use super::select::Filter;
use super::table::{Include, table};
use super::{Msg, Shared};

/// How often BOOKMARK events go out when the client allows them.
pub const BOOKMARK_EVERY: Duration = Duration::from_secs(1);

/// One line of a watch stream, and whether it counts towards `drop_watch_after`.
struct Frame {
    line: Bytes,
    counts: bool,
}

struct Ctx {
    info: &'static KindInfo,
    filter: Filter,
    include: Option<Include>,
    bookmarks: bool,
    deadline: Option<Instant>,
    drop_after: Option<usize>,
}

impl Ctx {
    fn event(&self, event_type: &str, object: &Value) -> Frame {
        // `object` carries apiVersion/kind already.
        let object = match self.include {
            Some(include) => {
                let mut item = object.clone();
                if let Some(map) = item.as_object_mut() {
                    map.remove("apiVersion");
                    map.remove("kind");
                }
                let rv = item["metadata"]["resourceVersion"].clone();
                table(self.info, &[&item], include, json!({"resourceVersion": rv}))
            }
            None => object.clone(),
        };
        line(json!({"type": event_type, "object": object}), true)
    }

    fn bookmark(&self, rv: u64, initial_end: bool) -> Frame {
        let mut metadata = json!({"resourceVersion": rv.to_string()});
        if initial_end {
            metadata["annotations"] = json!({"k8s.io/initial-events-end": "true"});
        }
        let object = json!({"kind": self.info.name, "apiVersion": self.info.api_version(), "metadata": metadata});
        line(json!({"type": "BOOKMARK", "object": object}), false)
    }
}

fn line(value: Value, counts: bool) -> Frame {
    let mut text = value.to_string();
    text.push('\n');
    Frame {
        line: Bytes::from(text),
        counts,
    }
}

pub(crate) fn watch(
    shared: Arc<Shared>,
    info: &'static KindInfo,
    filter: Filter,
    query: &Query,
    include: Option<Include>,
    faults: &FaultState,
) -> Response {
    let flag = |name: &str| matches!(query.get(name).map(String::as_str), Some("true" | "1"));
    let rv_param = query.get("resourceVersion").cloned().unwrap_or_default();
    let send_initial = flag("sendInitialEvents");
    let ctx = Ctx {
        info,
        filter,
        include,
        bookmarks: flag("allowWatchBookmarks"),
        deadline: query
            .get("timeoutSeconds")
            .and_then(|t| t.parse::<u64>().ok())
            .filter(|&t| t > 0)
            .map(|t| Instant::now() + Duration::from_secs(t)),
        drop_after: faults.drop_watch_after,
    };
    let resume_from = if rv_param.is_empty() || rv_param == "0" || send_initial {
        None
    } else {
        match rv_param.parse::<u64>() {
            Ok(rv) => Some(rv),
            Err(_) => {
                return status(
                    StatusCode::BAD_REQUEST,
                    "BadRequest",
                    format!("invalid resource version: {rv_param}"),
                    json!({}),
                );
            }
        }
    };

    // Subscribe and collect what precedes live events under one lock, so nothing is missed
    // or sent twice.
    let store = shared.store();
    let rx = shared.events.subscribe();
    let current = store.rv;
    let mut initial = Vec::new();
    match resume_from {
        None => {
            if let Some(objects) = store.objects.get(&info.kind) {
                for object in objects.values().filter(|o| ctx.filter.matches(o)) {
                    initial.push(ctx.event("ADDED", &with_type_meta(object.clone(), info)));
                }
            }
            if send_initial {
                initial.push(ctx.bookmark(current, true));
            }
        }
        Some(rv) if rv < store.floor => {
            let message = format!("too old resource version: {rv} ({})", store.floor);
            let error = status_body(410, "Expired", &message, json!({}));
            initial.push(line(json!({"type": "ERROR", "object": error}), false));
            drop(store);
            return stream_response(tokio_stream::iter(initial.into_iter().map(|f| Ok(f.line))));
        }
        Some(rv) => {
            for event in store
                .history
                .iter()
                .filter(|e| e.rv > rv && e.kind == info.kind)
            {
                if ctx.filter.matches(&event.object) {
                    initial.push(ctx.event(&event.event_type, &event.object));
                }
            }
        }
    }
    drop(store);

    let (tx, body) = mpsc::channel::<Result<Bytes, std::io::Error>>(64);
    tokio::spawn(run(ctx, tx, initial, rx, current));
    stream_response(tokio_stream::wrappers::ReceiverStream::new(body))
}

fn stream_response<S>(stream: S) -> Response
where
    S: futures::Stream<Item = Result<Bytes, std::io::Error>> + Send + 'static,
{
    (
        StatusCode::OK,
        [(header::CONTENT_TYPE, "application/json")],
        Body::from_stream(stream),
    )
        .into_response()
}

/// Sends one frame; false when the stream is over (client gone or connection dropped).
async fn emit(
    ctx: &Ctx,
    tx: &mpsc::Sender<Result<Bytes, std::io::Error>>,
    frame: Frame,
    sent: &mut usize,
) -> bool {
    if tx.send(Ok(frame.line)).await.is_err() {
        return false;
    }
    if frame.counts {
        *sent += 1;
        if ctx.drop_after.is_some_and(|n| *sent >= n) {
            abort(tx).await;
            return false;
        }
    }
    true
}

/// Cuts the connection: hyper aborts a response whose body stream fails.
async fn abort(tx: &mpsc::Sender<Result<Bytes, std::io::Error>>) {
    // Let the last lines reach the socket first.
    tokio::time::sleep(Duration::from_millis(50)).await;
    let err = std::io::Error::new(
        std::io::ErrorKind::ConnectionAborted,
        "watch dropped by fault injection",
    );
    let _ = tx.send(Err(err)).await;
}

async fn run(
    ctx: Ctx,
    tx: mpsc::Sender<Result<Bytes, std::io::Error>>,
    initial: Vec<Frame>,
    mut rx: broadcast::Receiver<Msg>,
    mut seen_rv: u64,
) {
    let mut sent = 0usize;
    if ctx.drop_after == Some(0) {
        abort(&tx).await;
        return;
    }
    for frame in initial {
        if !emit(&ctx, &tx, frame, &mut sent).await {
            return;
        }
    }
    let mut ticker = tokio::time::interval_at(Instant::now() + BOOKMARK_EVERY, BOOKMARK_EVERY);
    let deadline = ctx
        .deadline
        .unwrap_or_else(|| Instant::now() + Duration::from_secs(365 * 24 * 3600));
    loop {
        tokio::select! {
            msg = rx.recv() => match msg {
                Ok(Msg::Event(event)) => {
                    if event.rv <= seen_rv {
                        continue;
                    }
                    seen_rv = event.rv;
                    if event.kind != ctx.info.kind || !ctx.filter.matches(&event.object) {
                        continue;
                    }
                    let frame = ctx.event(&event.event_type, &event.object);
                    if !emit(&ctx, &tx, frame, &mut sent).await {
                        return;
                    }
                }
                // Compaction, server gone, or this watcher fell too far behind: end the
                // stream cleanly; the client resumes from its last resourceVersion.
                Ok(Msg::CloseAll) | Err(_) => return,
            },
            _ = ticker.tick(), if ctx.bookmarks => {
                let frame = ctx.bookmark(seen_rv, false);
                if !emit(&ctx, &tx, frame, &mut sent).await {
                    return;
                }
            }
            _ = tokio::time::sleep_until(deadline) => return,
            _ = tx.closed() => return,
        }
    }
}
