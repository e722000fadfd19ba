//! The dashboard's state and its keys (k9s' keys). Pure: keys and actions in, state and
//! requests out; drawing is in `view`, the loop in `mod.rs`.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::action::{Action, Request};
use super::rows::Rows;
use crate::model::ObjectRef;
use crate::rca::Diagnosis;
use crate::watch::health::{self, Health};
use crate::watch::track::{Tracker, fingerprint};

/// The pane with the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Problems,
    Pods,
    Events,
}

/// A line being typed at the bottom.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    None,
    Filter(String),
    Command(String),
}

/// A view over the panes; `esc` closes the top one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Popup {
    Help,
    Text {
        title: String,
        lines: Vec<String>,
        scroll: u16,
    },
}

/// What the header says about where the data comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub context: String,
    pub server_version: String,
    pub scope: String,
    /// `replay` or `bundle` for offline sessions.
    pub mode: Option<String>,
}

pub struct App {
    pub source: Source,
    pub diagnoses: Arc<Vec<Diagnosis>>,
    /// Indices into `diagnoses`, as shown: filtered, most severe first, newest first.
    pub shown: Vec<usize>,
    pub selected: usize,
    pub pod_selected: usize,
    pub event_selected: usize,
    pub focus: Focus,
    pub input: Input,
    pub filter: String,
    pub namespace: Option<String>,
    pub popups: Vec<Popup>,
    pub rows: Rows,
    pub warnings: Vec<String>,
    pub health: Health,
    pub now: Option<jiff::Timestamp>,
    pub speed: Option<(f64, bool)>,
    /// False until the first complete analysis.
    pub ready: bool,
    pub message: Option<String>,
    tracker: Tracker,
    quit: bool,
}

impl App {
    pub fn new(source: Source) -> Self {
        App {
            source,
            diagnoses: Arc::default(),
            shown: Vec::new(),
            selected: 0,
            pod_selected: 0,
            event_selected: 0,
            focus: Focus::Problems,
            input: Input::None,
            filter: String::new(),
            namespace: None,
            popups: Vec::new(),
            rows: Rows::default(),
            warnings: Vec::new(),
            health: health::score(&[]),
            now: None,
            speed: None,
            ready: false,
            message: None,
            tracker: Tracker::new(std::time::Duration::ZERO),
            quit: false,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The diagnosis under the cursor.
    pub fn current(&self) -> Option<&Diagnosis> {
        self.shown
            .get(self.selected)
            .and_then(|&i| self.diagnoses.get(i))
    }

    /// When a diagnosis was first seen by this dashboard.
    pub fn first_seen(&self, d: &Diagnosis) -> Option<jiff::Timestamp> {
        d.findings
            .iter()
            .filter_map(|f| self.tracker.first_seen(&fingerprint(&d.subject, f)))
            .min()
    }

    /// Applies one action; returns a follow-up for the loop (a request for the worker).
    pub fn apply(&mut self, action: Action) -> Option<Action> {
        match action {
            Action::Quit => self.quit = true,
            Action::Update(u) => {
                self.tracker.update(&u.diagnoses, u.at);
                self.now = Some(u.at);
                self.ready |= u.complete;
                self.diagnoses = u.diagnoses.clone();
                self.health = health::score(&self.diagnoses);
                self.reshow();
            }
            Action::Rows(rows) => {
                self.rows = *rows;
                self.pod_selected = self
                    .pod_selected
                    .min(self.rows.pods.len().saturating_sub(1));
                self.event_selected = self
                    .event_selected
                    .min(self.rows.events.len().saturating_sub(1));
            }
            Action::Show { title, lines } => self.popups.push(Popup::Text {
                title,
                lines,
                scroll: 0,
            }),
            Action::Tick | Action::Render => {}
            other => return Some(other),
        }
        None
    }

    /// Recomputes what the problems list shows, keeping the cursor on the same subject.
    pub fn reshow(&mut self) {
        let keep = self.current().map(|d| d.subject.clone());
        let needle = self.filter.to_ascii_lowercase();
        let mut shown: Vec<usize> = (0..self.diagnoses.len())
            .filter(|&i| {
                let d = &self.diagnoses[i];
                let ns_ok = self
                    .namespace
                    .as_deref()
                    .is_none_or(|n| d.subject.namespace.as_deref() == Some(n));
                ns_ok && (needle.is_empty() || matches(d, &needle))
            })
            .collect();
        // Most severe first, newest first within a severity.
        shown.sort_by(|&a, &b| {
            let (da, db) = (&self.diagnoses[a], &self.diagnoses[b]);
            db.severity
                .cmp(&da.severity)
                .then_with(|| self.first_seen(db).cmp(&self.first_seen(da)))
                .then_with(|| a.cmp(&b))
        });
        self.shown = shown;
        self.selected = keep
            .and_then(|s| {
                self.shown
                    .iter()
                    .position(|&i| self.diagnoses[i].subject == s)
            })
            .unwrap_or(0)
            .min(self.shown.len().saturating_sub(1));
    }

    /// Handles a key; returns an action for the loop when the key asks for work.
    pub fn key(&mut self, key: KeyEvent) -> Option<Action> {
        self.message = None;
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return Some(Action::Quit);
        }
        if self.input != Input::None {
            return self.key_input(key);
        }
        if let Some(popup) = self.popups.last_mut() {
            match key.code {
                KeyCode::Esc | KeyCode::Char('q') => {
                    self.popups.pop();
                }
                KeyCode::Down | KeyCode::Char('j') => scroll(popup, 1),
                KeyCode::Up | KeyCode::Char('k') => scroll(popup, -1),
                KeyCode::PageDown | KeyCode::Char(' ') => scroll(popup, 10),
                KeyCode::PageUp => scroll(popup, -10),
                KeyCode::Char('?') => self.popups.push(Popup::Help),
                _ => {}
            }
            return None;
        }
        match key.code {
            KeyCode::Char('q') => return Some(Action::Quit),
            KeyCode::Char('?') => self.popups.push(Popup::Help),
            KeyCode::Esc => {
                if !self.filter.is_empty() {
                    self.filter.clear();
                    self.reshow();
                } else {
                    self.focus = Focus::Problems;
                }
            }
            KeyCode::Tab => {
                self.focus = match self.focus {
                    Focus::Problems => Focus::Pods,
                    Focus::Pods => Focus::Events,
                    Focus::Events => Focus::Problems,
                }
            }
            KeyCode::Down | KeyCode::Char('j') => self.step(1),
            KeyCode::Up | KeyCode::Char('k') => self.step(-1),
            KeyCode::PageDown => self.step(10),
            KeyCode::PageUp => self.step(-10),
            KeyCode::Home | KeyCode::Char('g') => self.step(-(i64::from(u16::MAX))),
            KeyCode::End | KeyCode::Char('G') => self.step(i64::from(u16::MAX)),
            KeyCode::Char('/') => self.input = Input::Filter(self.filter.clone()),
            KeyCode::Char(':') => self.input = Input::Command(String::new()),
            KeyCode::Char('l') => return self.logs(false),
            KeyCode::Char('p') => return self.logs(true),
            KeyCode::Char('d') => {
                return self.target().map(|t| Action::Request(Request::Describe(t)));
            }
            KeyCode::Char('y') => return self.target().map(|t| Action::Request(Request::Yaml(t))),
            KeyCode::Char('e') => {
                return self
                    .current()
                    .map(|d| Action::Request(Request::Explain(Box::new(d.clone()))));
            }
            KeyCode::Char('f') => {
                return self
                    .current()
                    .map(|d| Action::Request(Request::Fix(Box::new(d.clone()))));
            }
            KeyCode::Char('+') => return Some(Action::Speed(2.0)),
            KeyCode::Char('-') => return Some(Action::Speed(0.5)),
            KeyCode::Char(' ') => return Some(Action::Pause),
            _ => {}
        }
        None
    }

    fn key_input(&mut self, key: KeyEvent) -> Option<Action> {
        let text = match &mut self.input {
            Input::Filter(t) | Input::Command(t) => t,
            Input::None => return None,
        };
        match key.code {
            KeyCode::Esc => self.input = Input::None,
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char(c) => text.push(c),
            KeyCode::Enter => {
                let input = std::mem::replace(&mut self.input, Input::None);
                match input {
                    Input::Filter(t) => {
                        self.filter = t;
                        self.reshow();
                    }
                    Input::Command(t) => return self.command(&t),
                    Input::None => {}
                }
            }
            _ => {}
        }
        // Filtering follows the typing.
        if let Input::Filter(t) = &self.input {
            self.filter = t.clone();
            self.reshow();
        }
        None
    }

    /// `:ns NAME`, `:ns all`, `:ctx NAME` (k9s' `:` prompt, for the two things one switches).
    fn command(&mut self, line: &str) -> Option<Action> {
        let mut words = line.split_whitespace();
        match (words.next(), words.next()) {
            (Some("ns" | "namespace"), Some("all" | "-A")) | (Some("ns" | "namespace"), None) => {
                self.namespace = None;
            }
            (Some("ns" | "namespace"), Some(ns)) => self.namespace = Some(ns.to_string()),
            (Some("ctx" | "context"), Some(ctx)) => {
                return Some(Action::SwitchContext(ctx.to_string()));
            }
            (Some("q" | "quit"), _) => return Some(Action::Quit),
            _ => {
                self.message = Some(format!(
                    "unknown command :{line} — use :ns NAME, :ns all, :ctx NAME"
                ));
                return None;
            }
        }
        self.selected = 0;
        self.reshow();
        None
    }

    fn step(&mut self, by: i64) {
        let (cursor, len) = match self.focus {
            Focus::Problems => (&mut self.selected, self.shown.len()),
            Focus::Pods => (&mut self.pod_selected, self.rows.pods.len()),
            Focus::Events => (&mut self.event_selected, self.rows.events.len()),
        };
        let max = len.saturating_sub(1) as i64;
        *cursor = (*cursor as i64 + by).clamp(0, max) as usize;
    }

    /// The object `d`/`y` act on: the selected pod in the pods table, else the subject of
    /// the selected problem.
    fn target(&self) -> Option<ObjectRef> {
        match self.focus {
            Focus::Pods => self
                .rows
                .pods
                .get(self.pod_selected)
                .map(|p| ObjectRef::new("Pod", Some(&p.namespace), &p.name)),
            _ => self.current().map(|d| d.subject.clone()),
        }
    }

    /// Logs of the selected pod, or of the first pod the selected problem's evidence names.
    fn logs(&mut self, previous: bool) -> Option<Action> {
        let pod = match self.focus {
            Focus::Pods => self.target(),
            _ => self.current().and_then(|d| {
                d.evidence
                    .iter()
                    .map(|e| &e.object)
                    .chain(d.findings.iter().map(|f| &f.subject))
                    .find(|o| o.kind == "Pod")
                    .cloned()
                    .or_else(|| (d.subject.kind == "Pod").then(|| d.subject.clone()))
            }),
        };
        let Some(pod) = pod else {
            self.message =
                Some("no pod to show logs of; select one in the pods table (tab)".into());
            return None;
        };
        let container = self.current().and_then(|d| {
            d.findings
                .iter()
                .filter(|f| f.subject == pod)
                .find_map(|f| f.facts.get("container").cloned())
        });
        Some(Action::Request(Request::Logs {
            pod,
            container,
            previous,
        }))
    }
}

fn scroll(popup: &mut Popup, by: i32) {
    if let Popup::Text { scroll, lines, .. } = popup {
        let max = lines.len().saturating_sub(1) as i32;
        *scroll = (i32::from(*scroll) + by).clamp(0, max) as u16;
    }
}

fn matches(d: &Diagnosis, needle: &str) -> bool {
    let subject = d.subject.to_string().to_ascii_lowercase();
    subject.contains(needle)
        || d.hypotheses.iter().any(|h| {
            h.category.id().contains(needle) || h.cause.to_ascii_lowercase().contains(needle)
        })
}
