//! The dashboard (ratatui + crossterm): app state and keys in `app`, drawing in `view`,
//! table rows in `rows`, background work in `worker`. The loop below only waits on
//! channels and timers — keys, engine updates, worker answers, the tick and the frame —
//! so it never waits on the network; ticks (clock, ages) and frames (redraws) run at
//! their own rates.

pub mod action;
pub mod app;
pub mod rows;
pub mod view;
pub mod worker;

use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::StreamExt as _;
use tokio::sync::mpsc;

use crate::config::WatchConfig;
use crate::error::{Error, Result};
use crate::watch::{Session, live};
use action::{Action, Request};
use app::{App, Source};

/// How the dashboard ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Exit {
    Quit,
    /// `:ctx NAME`: start again on this context.
    Context(String),
}

/// What the header shows about a session.
pub fn source_of(session: &Session) -> Source {
    let o = &session.origin;
    Source {
        context: o.context.clone().unwrap_or_default(),
        server_version: o.server_version.clone().unwrap_or_default(),
        scope: o.scope.describe(),
        mode: match (&session.client, &session.speed) {
            (Some(_), _) => None,
            (None, Some(_)) => Some("replay".into()),
            (None, None) => Some("bundle".into()),
        },
    }
}

/// Runs the dashboard on the terminal until `q` or `:ctx`.
pub async fn run(mut session: Session, config: &WatchConfig) -> Result<Exit> {
    let mut terminal = ratatui::try_init().map_err(|e| Error::io("the terminal", e))?;
    let result = run_loop(&mut terminal, &mut session, config).await;
    ratatui::restore();
    result
}

async fn run_loop(
    terminal: &mut ratatui::DefaultTerminal,
    session: &mut Session,
    config: &WatchConfig,
) -> Result<Exit> {
    let mut app = App::new(source_of(session));
    app.speed = session.speed.as_ref().map(|s| {
        let v = *s.borrow();
        (v.factor, v.paused)
    });
    let (action_tx, mut actions) = mpsc::channel::<Action>(256);
    let (request_tx, requests) = mpsc::channel::<Request>(32);
    let worker = worker::Worker {
        readers: session.readers.clone(),
        logs: session.logs.clone(),
        client: session.client.clone(),
        context: session.origin.context.clone(),
        explainer: crate::watch::assist::explainer(),
        tail: 200,
    };
    let worker = tokio::spawn(worker.run(requests, action_tx.clone()));
    let mut keys = EventStream::new();
    let mut tick = tokio::time::interval(Duration::from_millis(config.tick_ms.max(50)));
    let mut frame = tokio::time::interval(Duration::from_millis(config.frame_ms.max(10)));
    frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    let mut rows_pending = false;
    let exit = loop {
        let action = tokio::select! {
            key = keys.next() => match key {
                Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => app.key(k),
                Some(Ok(Event::Resize(..))) => Some(Action::Render),
                Some(Ok(_)) => None,
                Some(Err(e)) => return Err(Error::io("the terminal", e)),
                None => Some(Action::Quit),
            },
            Some(update) = session.updates.recv() => {
                app.warnings = live::warnings(&session.status);
                if !rows_pending {
                    rows_pending = true;
                    let readers = session.readers.clone();
                    let tx = action_tx.clone();
                    let ns = app.namespace.clone();
                    tokio::task::spawn_blocking(move || {
                        let rows = rows::compute(&readers, ns.as_deref());
                        let _ = tx.blocking_send(Action::Rows(Box::new(rows)));
                    });
                }
                Some(Action::Update(Box::new(update)))
            },
            Some(a) = actions.recv() => {
                if matches!(a, Action::Rows(_)) {
                    rows_pending = false;
                }
                Some(a)
            },
            _ = tick.tick() => {
                app.warnings = live::warnings(&session.status);
                if let Some(speed) = &session.speed {
                    let v = *speed.borrow();
                    app.speed = Some((v.factor, v.paused));
                    app.now = Some((session.clock)());
                }
                Some(Action::Tick)
            },
            _ = frame.tick() => {
                if dirty {
                    terminal
                        .draw(|f| view::draw(f, &app))
                        .map_err(|e| Error::io("the terminal", e))?;
                    dirty = false;
                }
                None
            },
        };
        let Some(action) = action else { continue };
        dirty = true;
        match app.apply(action) {
            Some(Action::Request(r)) => {
                let _ = request_tx.try_send(r);
            }
            Some(Action::SwitchContext(c)) => {
                if session.client.is_none() {
                    app.message = Some("this is a bundle; :ctx needs a live cluster".into());
                } else {
                    break Exit::Context(c);
                }
            }
            Some(Action::Speed(by)) => change_speed(session, |s| {
                let f = if s.factor <= 0.0 { 1.0 } else { s.factor };
                s.factor = (f * by).clamp(0.25, 100_000.0);
            }),
            Some(Action::Pause) => change_speed(session, |s| s.paused = !s.paused),
            Some(Action::Quit) => break Exit::Quit,
            _ => {}
        }
        if app.should_quit() {
            break Exit::Quit;
        }
    };
    worker.abort();
    Ok(exit)
}

fn change_speed(session: &Session, f: impl FnOnce(&mut crate::watch::replay::Speed)) {
    if let Some(tx) = &session.speed {
        tx.send_modify(f);
    }
}
