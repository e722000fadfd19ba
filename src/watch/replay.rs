//! Bundles as a feed: `--from` loads a bundle's objects into the stores once and the clock
//! stays at its capture time; `--replay` plays it in time order — objects appear at their
//! creation time, events at the time they were first seen (count 1) and again when last
//! seen (the full count) — at an adjustable speed, the clock following the play position.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use k8s_openapi::api::core::v1::Event;
use tokio::sync::{mpsc, watch};

use super::objects::{Touch, Writers};
use crate::model::{Objects, Snapshot, event_first_seen, event_last_seen};

/// How fast a replay runs; changed while it plays (`+`/`-`/space in the TUI).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Speed {
    /// Seconds of bundle time per second of wall time; 0 plays as fast as possible.
    pub factor: f64,
    pub paused: bool,
}

/// One thing that happens during a replay.
struct Step {
    at: jiff::Timestamp,
    objects: Objects,
}

/// The replay position, read by the engine's clock.
pub type Position = Arc<Mutex<jiff::Timestamp>>;

/// Splits a bundle into the state at its first event and the steps after it.
fn timeline(snapshot: Snapshot) -> (jiff::Timestamp, Objects, Vec<Step>) {
    let Snapshot {
        meta, mut objects, ..
    } = snapshot;
    let events = std::mem::take(&mut objects.events);
    let start = events
        .iter()
        .filter_map(event_first_seen)
        .min()
        .unwrap_or(meta.captured_at);
    let mut steps: Vec<Step> = Vec::new();
    // Objects created after the first event appear when they were created.
    let mut later = Objects::default();
    let mut initial = Objects::default();
    std::mem::swap(&mut later, &mut objects);
    let created_late = |m: &k8s_openapi::apimachinery::pkg::apis::meta::v1::ObjectMeta| {
        m.creation_timestamp.as_ref().is_some_and(|t| t.0 > start)
    };
    let mut early = later.clone();
    early.retain(|_, m| !created_late(m));
    later.retain(|_, m| created_late(m));
    initial.append(&mut early);
    for (kind, value) in split(&later) {
        let mut one = Objects::default();
        if one.insert_json(kind, value.clone()).is_ok() {
            let at = value["metadata"]["creationTimestamp"]
                .as_str()
                .and_then(|t| t.parse().ok())
                .unwrap_or(start);
            steps.push(Step { at, objects: one });
        }
    }
    for e in events {
        let first = event_first_seen(&e).unwrap_or(start);
        let last = event_last_seen(&e).unwrap_or(first);
        if last > first {
            let mut opening = e.clone();
            opening.count = Some(1);
            opening.last_timestamp = opening.first_timestamp.clone();
            opening.series = None;
            steps.push(Step {
                at: first,
                objects: events_of(vec![opening]),
            });
        }
        steps.push(Step {
            at: last,
            objects: events_of(vec![e]),
        });
    }
    steps.sort_by_key(|s| s.at);
    (start, initial, steps)
}

fn events_of(events: Vec<Event>) -> Objects {
    Objects {
        events,
        ..Objects::default()
    }
}

/// Every object of `objects` with its kind, as JSON.
fn split(objects: &Objects) -> Vec<(crate::model::Kind, serde_json::Value)> {
    crate::model::KINDS
        .iter()
        .flat_map(|k| {
            objects
                .to_json(k.kind)
                .into_iter()
                .map(move |v| (k.kind, v))
        })
        .collect()
}

/// Loads the whole bundle at once (`--from`). With `hold`, keeps the feed open so the
/// engine waits for more (the dashboard); without, the engine ends after one pass.
pub async fn load(
    mut writers: Writers,
    snapshot: Snapshot,
    touches: mpsc::Sender<Touch>,
    hold: bool,
) {
    for t in writers.load(snapshot.objects) {
        if touches.send(t).await.is_err() {
            return;
        }
    }
    if hold {
        touches.closed().await;
    }
}

/// Plays the bundle; returns when the last step is played (the position then moves to the
/// capture time, so the final state is what `--from` shows).
pub async fn play(
    mut writers: Writers,
    snapshot: Snapshot,
    touches: mpsc::Sender<Touch>,
    position: Position,
    mut speed: watch::Receiver<Speed>,
) {
    let captured = snapshot.meta.captured_at;
    let (start, initial, steps) = timeline(snapshot);
    set(&position, start);
    for t in writers.load(initial) {
        if touches.send(t).await.is_err() {
            return;
        }
    }
    let mut now = start;
    for step in steps {
        while now < step.at {
            let s = *speed.borrow();
            if s.paused {
                if speed.changed().await.is_err() {
                    return;
                }
                continue;
            }
            if s.factor <= 0.0 {
                now = step.at;
                break;
            }
            // Move in slices of at most 100 ms of wall time, so speed changes apply at once.
            let gap = step.at.duration_since(now).as_secs_f64();
            let wall = (gap / s.factor).min(0.1);
            tokio::select! {
                _ = tokio::time::sleep(Duration::from_secs_f64(wall)) => {}
                _ = speed.changed() => continue,
            }
            now = now
                .checked_add(jiff::SignedDuration::from_secs_f64(wall * s.factor))
                .unwrap_or(step.at)
                .min(step.at);
            set(&position, now);
        }
        set(&position, step.at.max(now));
        for t in writers.upsert(step.objects) {
            if touches.send(t).await.is_err() {
                return;
            }
        }
    }
    set(&position, captured.max(now));
    // One more pass at the final position.
    let _ = touches
        .send(Touch::everywhere(crate::model::Kind::Namespace))
        .await;
}

fn set(position: &Position, at: jiff::Timestamp) {
    if let Ok(mut p) = position.lock() {
        *p = at;
    }
}
