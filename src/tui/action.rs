//! What moves the dashboard: keys become actions in the components, every component sees
//! every action, and the loop carries out those that leave the app — a [`Request`] to the
//! worker, a [`Switch`] of what is watched, the replay controls. Nothing that waits on
//! the network happens in the loop itself.

use std::sync::Arc;

use crate::model::ObjectRef;
use crate::rca::Diagnosis;
use crate::watch::{Switch, Update};

use super::rows::Rows;

/// Work the worker does off the UI loop.
#[derive(Debug, Clone)]
pub enum Request {
    Logs {
        pod: ObjectRef,
        container: Option<String>,
        previous: bool,
    },
    Describe(ObjectRef),
    Yaml(ObjectRef),
    Explain(Box<Diagnosis>),
    /// Propose a fix: the diff, to confirm.
    Fix(Box<Diagnosis>),
    /// `y` on the diff: open the pull request.
    OpenPr,
    /// `esc` on the diff: drop the proposal.
    DeclineFix,
}

/// A text view that asks: `y` sends `yes` to the worker, `esc` sends `no`.
#[derive(Debug, Clone)]
pub struct Ask {
    pub title: String,
    pub lines: Vec<String>,
    pub yes: Request,
    pub no: Request,
}

/// What the loop reads from the session on every tick.
#[derive(Debug, Clone, Default)]
pub struct Status {
    /// Degraded kinds (forbidden, failing watches).
    pub warnings: Vec<String>,
    /// The replay position, while a bundle is played.
    pub clock: Option<jiff::Timestamp>,
    /// The replay speed factor and whether it is paused.
    pub speed: Option<(f64, bool)>,
}

/// One change to the app.
#[derive(Debug, Clone)]
pub enum Action {
    Quit,
    /// Draw again (the terminal was resized).
    Render,
    Status(Box<Status>),
    /// New diagnoses from the engine.
    Update(Box<Update>),
    /// Fresh table rows (computed in the background after an update).
    Rows(Arc<Rows>),
    /// The problem under the cursor (the detail pane follows it).
    Select(Option<Box<Diagnosis>>),
    /// Ask the worker for something.
    Request(Request),
    /// A text view to open over the panes (logs, describe, YAML, explain, fix).
    Show {
        title: String,
        lines: Vec<String>,
    },
    /// A text view that asks (the fix diff).
    Ask(Box<Ask>),
    /// The answer to the popup on top that asked: it closes, and the request goes out.
    Answer(Request),
    Help,
    /// Close the popup on top (`esc`).
    Back,
    /// The problems filter, as typed after `/`.
    Filter(String),
    /// A line entered after `:`.
    Command(String),
    /// Show only this namespace, or every namespace (`:ns` when all are watched).
    ViewNamespace(Option<String>),
    /// Watch something else (`:ctx NAME`, `:ns NAME` on a watch of one namespace): the
    /// loop starts a new session and keeps the old one until the new one is up.
    Switch(Switch),
    /// A line for the bottom of the screen until the next key.
    Message(String),
    /// Change the replay speed by this factor.
    Speed(f64),
    Pause,
}

impl Action {
    /// Whether the loop has something to do with this action once the app applied it.
    pub fn leaves_the_app(&self) -> bool {
        matches!(
            self,
            Action::Quit
                | Action::Request(_)
                | Action::Switch(_)
                | Action::Speed(_)
                | Action::Pause
                | Action::ViewNamespace(_)
        )
    }
}
