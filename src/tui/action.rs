//! What moves the dashboard: keys become actions, background work answers with actions,
//! and the loop applies them to the app. Nothing that waits on the network happens in
//! the loop itself; it is a [`Request`] to the worker.

use crate::model::ObjectRef;
use crate::rca::Diagnosis;
use crate::watch::Update;

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
    Fix(Box<Diagnosis>),
}

/// One change to the app.
#[derive(Debug, Clone)]
pub enum Action {
    Quit,
    Tick,
    Render,
    /// New diagnoses from the engine.
    Update(Box<Update>),
    /// Fresh table rows (computed in the background after an update).
    Rows(Box<Rows>),
    /// Ask the worker for something.
    Request(Request),
    /// A text view to show (logs, describe, YAML, explain, fix).
    Show {
        title: String,
        lines: Vec<String>,
    },
    /// Switch the kube context (the session restarts).
    SwitchContext(String),
    /// Change the replay speed by this factor, or pause/resume.
    Speed(f64),
    Pause,
}
