//! The problems list: the live diagnoses, most severe first and newest first within a
//! severity, coloured by category, narrowed by the `/` filter and the namespace shown.
//! Its keys act on the problem under the cursor: logs of the pod its evidence names,
//! describe and YAML of its subject, explain, propose a fix.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::action::{Action, Request};
use super::component::{Component, Handled, movement, step};
use super::style;
use crate::analyze::Category;
use crate::model::age;
use crate::rca::Diagnosis;
use crate::watch::track::{Tracker, fingerprint};

pub struct Problems {
    diagnoses: Arc<Vec<Diagnosis>>,
    /// Indices into `diagnoses`, as shown.
    shown: Vec<usize>,
    selected: usize,
    filter: String,
    namespace: Option<String>,
    /// When each finding was first seen, for ages and "newest first".
    tracker: Tracker,
    now: Option<jiff::Timestamp>,
    /// False until the first complete analysis.
    ready: bool,
}

impl Default for Problems {
    fn default() -> Self {
        Problems {
            diagnoses: Arc::default(),
            shown: Vec::new(),
            selected: 0,
            filter: String::new(),
            namespace: None,
            tracker: Tracker::new(std::time::Duration::ZERO),
            now: None,
            ready: false,
        }
    }
}

impl Problems {
    /// The diagnosis under the cursor.
    pub fn current(&self) -> Option<&Diagnosis> {
        self.shown
            .get(self.selected)
            .and_then(|&i| self.diagnoses.get(i))
    }

    /// The diagnoses shown, in order.
    pub fn shown(&self) -> impl ExactSizeIterator<Item = &Diagnosis> + '_ {
        self.shown.iter().map(|&i| &self.diagnoses[i])
    }

    /// Every current diagnosis, whatever is shown.
    pub fn all(&self) -> &[Diagnosis] {
        &self.diagnoses
    }

    pub fn filter(&self) -> &str {
        &self.filter
    }

    /// When a diagnosis was first seen by this dashboard.
    fn first_seen(&self, d: &Diagnosis) -> Option<jiff::Timestamp> {
        d.findings
            .iter()
            .filter_map(|f| self.tracker.first_seen(&fingerprint(&d.subject, f)))
            .min()
    }

    fn selection(&self) -> Action {
        Action::Select(self.current().cloned().map(Box::new))
    }

    /// Recomputes what is shown, keeping the cursor on the same subject.
    fn reshow(&mut self) {
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

    /// Logs of the first pod the selected problem's evidence names.
    fn logs(&self, previous: bool) -> Action {
        let Some(d) = self.current() else {
            return Action::Message("no problem selected".into());
        };
        let pod = d
            .evidence
            .iter()
            .map(|e| &e.object)
            .chain(d.findings.iter().map(|f| &f.subject))
            .find(|o| o.kind == "Pod")
            .cloned()
            .or_else(|| (d.subject.kind == "Pod").then(|| d.subject.clone()));
        let Some(pod) = pod else {
            return Action::Message(
                "no pod to show logs of; select one in the pods table (tab)".into(),
            );
        };
        let container = d
            .findings
            .iter()
            .filter(|f| f.subject == pod)
            .find_map(|f| f.facts.get("container").cloned());
        Action::Request(Request::Logs {
            pod,
            container,
            previous,
        })
    }

    fn on_current(&self, request: impl FnOnce(&Diagnosis) -> Request) -> Handled {
        match self.current() {
            Some(d) => Handled::Then(Action::Request(request(d))),
            None => Handled::Yes,
        }
    }
}

impl Component for Problems {
    fn handle_event(&mut self, key: KeyEvent) -> Handled {
        if let Some(by) = movement(&key) {
            step(&mut self.selected, self.shown.len(), by);
            return Handled::Then(self.selection());
        }
        match key.code {
            KeyCode::Char('l') => Handled::Then(self.logs(false)),
            KeyCode::Char('p') => Handled::Then(self.logs(true)),
            KeyCode::Char('d') => self.on_current(|d| Request::Describe(d.subject.clone())),
            KeyCode::Char('y') => self.on_current(|d| Request::Yaml(d.subject.clone())),
            KeyCode::Char('e') => self.on_current(|d| Request::Explain(Box::new(d.clone()))),
            KeyCode::Char('f') => self.on_current(|d| Request::Fix(Box::new(d.clone()))),
            _ => Handled::No,
        }
    }

    fn update(&mut self, action: &Action) -> Option<Action> {
        match action {
            Action::Update(u) => {
                self.tracker.update(&u.diagnoses, u.at);
                self.now = Some(u.at);
                self.ready |= u.complete;
                self.diagnoses = u.diagnoses.clone();
            }
            Action::Status(s) => {
                if s.clock.is_some() {
                    self.now = s.clock;
                }
                return None;
            }
            Action::Filter(f) => self.filter = f.clone(),
            Action::ViewNamespace(ns) => {
                self.namespace = ns.clone();
                self.selected = 0;
            }
            _ => return None,
        }
        self.reshow();
        Some(self.selection())
    }

    fn draw(&self, frame: &mut Frame, area: Rect, focused: bool) {
        let title = if self.filter.is_empty() {
            format!(" Problems ({}) ", self.shown.len())
        } else {
            format!(" Problems ({}) /{} ", self.shown.len(), self.filter)
        };
        let block = style::pane(title, focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        if self.shown.is_empty() {
            let text = match (&self.namespace, self.filter.is_empty()) {
                _ if !self.ready => "Analyzing…".to_string(),
                _ if self.diagnoses.is_empty() => {
                    "No problems found: every workload in scope is healthy.".to_string()
                }
                (_, false) => "Nothing matches the filter (esc clears it).".to_string(),
                (Some(ns), true) => {
                    format!("No problems in namespace {ns} (:ns all shows every namespace).")
                }
                (None, true) => String::new(),
            };
            frame.render_widget(
                Paragraph::new(text)
                    .style(Style::new().fg(Color::Green))
                    .wrap(Wrap { trim: true }),
                inner,
            );
            return;
        }
        let (start, end) = style::window(self.selected, self.shown.len(), inner.height as usize);
        let lines: Vec<Line> = (start..end)
            .map(|row| {
                let d = &self.diagnoses[self.shown[row]];
                let category = d.top().map(|h| h.category).unwrap_or(Category::Unknown);
                let when = self
                    .first_seen(d)
                    .zip(self.now)
                    .map(|(t, now)| age(now, t))
                    .unwrap_or_default();
                Line::from(vec![
                    Span::styled(
                        format!("{:<5}", style::severity_short(d.severity)),
                        style::severity(d.severity),
                    ),
                    Span::styled(
                        format!("{:<14} ", category.id()),
                        Style::new().fg(style::category(category)),
                    ),
                    Span::raw(subject(d)),
                    Span::styled(format!(" {when}"), style::dim()),
                ])
                .style(style::cursor(row == self.selected, focused))
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

fn subject(d: &Diagnosis) -> String {
    let kind = d.subject.kind.to_ascii_lowercase();
    match &d.subject.namespace {
        Some(ns) => format!("{ns}/{} {kind}", d.subject.name),
        None => format!("{} {kind}", d.subject.name),
    }
}

fn matches(d: &Diagnosis, needle: &str) -> bool {
    let subject = d.subject.to_string().to_ascii_lowercase();
    subject.contains(needle)
        || d.hypotheses.iter().any(|h| {
            h.category.id().contains(needle) || h.cause.to_ascii_lowercase().contains(needle)
        })
}
