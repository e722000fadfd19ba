//! The dashboard (ratatui + crossterm), built as gitui builds its UI: components that
//! each handle their keys and draw themselves (`component`, and `header`, `problems`,
//! `pods`, `events`, `detail`, `prompt`, `popup` under the root `app`), actions between
//! them (`action`), table rows computed off the loop (`rows`), and everything that reads
//! the network in the `worker`. The loop below only waits on channels and timers — keys,
//! engine updates, worker answers, a new session after `:ctx`/`:ns`, the tick and the
//! frame — so it never waits on the network; ticks (clock, status) and frames (redraws)
//! run at their own rates.

pub mod action;
pub mod app;
pub mod component;
pub mod detail;
pub mod events;
pub mod fix;
pub mod header;
pub mod pods;
pub mod popup;
pub mod problems;
pub mod prompt;
pub mod rows;
pub mod style;
pub mod worker;

use std::sync::Arc;
use std::time::Duration;

use crossterm::event::{Event, EventStream, KeyEventKind};
use futures::{Stream, StreamExt as _};
use tokio::sync::mpsc;

use crate::error::{Error, Result};
use crate::rca::Diagnosis;
use crate::watch::WatchConfig;
use crate::watch::assist::Explainer;
use crate::watch::{Session, Switch, live};
use action::{Action, Request, Status};
use app::App;
use header::Source;

/// What the header shows about a session.
pub fn source_of(session: &Session) -> Source {
    let o = &session.origin;
    let live = session.client.is_some();
    Source {
        context: o.context.clone().unwrap_or_default(),
        server_version: o.server_version.clone().unwrap_or_default(),
        scope: o.scope.describe(),
        mode: match (live, &session.speed) {
            (true, _) => None,
            (false, Some(_)) => Some("replay".into()),
            (false, None) => Some("bundle".into()),
        },
        watched_namespace: match o.scope.namespaces.as_slice() {
            [one] if live => Some(one.clone()),
            _ => None,
        },
    }
}

/// What the worker's `e` and `f` keys use, built once from the configuration.
#[derive(Clone, Default)]
pub struct Assist {
    /// `None` without an LLM: `e` says so.
    pub explainer: Option<Arc<dyn Explainer>>,
    /// `None` without a GitOps repository: `f` shows the command to run.
    pub fix: Option<Arc<fix::FixFlow>>,
}

/// Runs the dashboard on the terminal until `q`.
pub async fn run(session: Session, config: &WatchConfig, assist: Assist) -> Result<()> {
    let mut terminal = ratatui::try_init().map_err(|e| Error::io("the terminal", e))?;
    let result = run_on(session, config, assist, EventStream::new(), |app| {
        terminal
            .draw(|f| app.draw(f))
            .map(drop)
            .map_err(|e| Error::io("the terminal", e))
    })
    .await;
    ratatui::restore();
    result
}

/// The loop, on any stream of terminal events and any way of drawing (tests type into it
/// and draw on a `TestBackend`). Returns on `q`, or when the events end.
pub async fn run_on<K>(
    mut session: Session,
    config: &WatchConfig,
    assist: Assist,
    mut keys: K,
    mut draw: impl FnMut(&App) -> Result<()>,
) -> Result<()>
where
    K: Stream<Item = std::io::Result<Event>> + Unpin,
{
    let mut app = App::new(source_of(&session));
    let mut wires = Wires::new(&session, &assist);
    let (switched_tx, mut switched) = mpsc::channel::<(Switch, Result<Session>)>(1);
    let mut tick = tokio::time::interval(Duration::from_millis(config.tick_ms.max(50)));
    let mut frame = tokio::time::interval(Duration::from_millis(config.frame_ms.max(10)));
    frame.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Skip);
    let mut dirty = true;
    loop {
        let actions = tokio::select! {
            key = keys.next() => match key {
                Some(Ok(Event::Key(k))) if k.kind == KeyEventKind::Press => app.key(k),
                Some(Ok(Event::Resize(..))) => app.apply(Action::Render),
                Some(Ok(_)) => continue,
                Some(Err(e)) => return Err(Error::io("the terminal", e)),
                None => return Ok(()),
            },
            Some(update) = session.updates.recv() => {
                wires.diagnoses = update.diagnoses.clone();
                wires.rows(&session, app.namespace());
                let mut out = app.apply(Action::Status(Box::new(status_of(&session))));
                out.extend(app.apply(Action::Update(Box::new(update))));
                out
            },
            Some(action) = wires.actions.recv() => {
                let rows = matches!(action, Action::Rows(_));
                let out = app.apply(action);
                if rows {
                    wires.rows_arrived(&session, app.namespace());
                }
                out
            },
            Some((switch, result)) = switched.recv() => match result {
                Ok(new) => {
                    session = new;
                    app = App::new(source_of(&session));
                    wires = Wires::new(&session, &assist);
                    app.apply(Action::Message(format!("now watching {}", switch.describe())))
                }
                Err(e) => app.apply(Action::Message(format!(
                    "cannot switch to {}: {e} (still watching the same as before)",
                    switch.describe()
                ))),
            },
            _ = tick.tick() => app.apply(Action::Status(Box::new(status_of(&session)))),
            _ = frame.tick() => {
                if dirty {
                    draw(&app)?;
                    dirty = false;
                }
                continue;
            },
        };
        dirty = true;
        for action in actions {
            match action {
                Action::Quit => return Ok(()),
                Action::Request(r) => {
                    // A full queue means the worker is busy: dropping one view is better
                    // than blocking the keys.
                    let _ = wires.requests.try_send(r);
                }
                Action::Switch(switch) => match session.switched(&switch) {
                    Some(start) => {
                        app.apply(Action::Message(format!(
                            "connecting to {}…",
                            switch.describe()
                        )));
                        let tx = switched_tx.clone();
                        tokio::spawn(async move {
                            let _ = tx.send((switch, start.await)).await;
                        });
                    }
                    None => {
                        app.apply(Action::Message(
                            "this is a bundle: :ctx and :ns NAME need a live cluster".into(),
                        ));
                    }
                },
                Action::ViewNamespace(ns) => wires.rows(&session, ns.as_deref()),
                Action::Speed(by) => change_speed(&session, |s| {
                    let f = if s.factor <= 0.0 { 1.0 } else { s.factor };
                    s.factor = (f * by).clamp(0.25, 100_000.0);
                }),
                Action::Pause => change_speed(&session, |s| s.paused = !s.paused),
                _ => {}
            }
        }
        if app.should_quit() {
            return Ok(());
        }
    }
}

/// What the loop reads from the session for the header and the bottom line.
fn status_of(session: &Session) -> Status {
    Status {
        warnings: live::warnings(&session.status),
        clock: session.speed.as_ref().map(|_| (session.clock)()),
        speed: session.speed.as_ref().map(|s| {
            let v = *s.borrow();
            (v.factor, v.paused)
        }),
    }
}

fn change_speed(session: &Session, f: impl FnOnce(&mut crate::watch::replay::Speed)) {
    if let Some(tx) = &session.speed {
        tx.send_modify(f);
    }
}

/// What ties the loop to one session: its worker, and the channel its answers and the
/// table rows come back on. Dropped with the session, so nothing about a previous session
/// arrives after a switch.
struct Wires {
    tx: mpsc::Sender<Action>,
    actions: mpsc::Receiver<Action>,
    requests: mpsc::Sender<Request>,
    worker: tokio::task::JoinHandle<()>,
    /// The engine's latest diagnoses, which the health score in the rows is of.
    diagnoses: Arc<Vec<Diagnosis>>,
    /// Rows are being computed; `again` when they are wanted anew meanwhile.
    pending: bool,
    again: bool,
}

impl Wires {
    fn new(session: &Session, assist: &Assist) -> Wires {
        let (tx, actions) = mpsc::channel::<Action>(256);
        let (requests, incoming) = mpsc::channel::<Request>(32);
        let worker = worker::Worker {
            readers: session.readers.clone(),
            slices: session.slices(),
            logs: session.logs.clone(),
            client: session.client.clone(),
            context: session.origin.context.clone(),
            explainer: assist.explainer.clone(),
            fix: assist.fix.clone(),
            tail: 200,
        };
        let worker = tokio::spawn(worker.run(incoming, tx.clone()));
        Wires {
            tx,
            actions,
            requests,
            worker,
            diagnoses: Arc::default(),
            pending: false,
            again: false,
        }
    }

    /// Computes the table rows off the loop (one computation at a time).
    fn rows(&mut self, session: &Session, namespace: Option<&str>) {
        if self.pending {
            self.again = true;
            return;
        }
        self.pending = true;
        let readers = session.readers.clone();
        let namespace = namespace.map(str::to_string);
        let tx = self.tx.clone();
        let diagnoses = self.diagnoses.clone();
        tokio::task::spawn_blocking(move || {
            let rows = rows::compute(&readers, namespace.as_deref(), &diagnoses);
            let _ = tx.blocking_send(Action::Rows(Arc::new(rows)));
        });
    }

    fn rows_arrived(&mut self, session: &Session, namespace: Option<&str>) {
        self.pending = false;
        if std::mem::take(&mut self.again) {
            self.rows(session, namespace);
        }
    }
}

impl Drop for Wires {
    fn drop(&mut self) {
        self.worker.abort();
    }
}
