//! The event stream: the newest events in view, warnings in yellow. Its keys act on the
//! object the event under the cursor is about: describe, YAML, and logs when it is a pod.

use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::action::{Action, Request};
use super::component::{Component, Handled, movement, step};
use super::rows::Rows;
use super::style;
use crate::model::ObjectRef;
use crate::model::age;

#[derive(Default)]
pub struct Events {
    rows: Arc<Rows>,
    selected: usize,
    now: Option<jiff::Timestamp>,
}

impl Events {
    /// The object the event under the cursor is about.
    fn current(&self) -> Option<ObjectRef> {
        self.rows
            .events
            .get(self.selected)
            .and_then(|e| e.about.clone())
    }

    fn on_current(&self, request: impl FnOnce(ObjectRef) -> Option<Request>) -> Handled {
        match self.current().and_then(request) {
            Some(r) => Handled::Then(Action::Request(r)),
            None => Handled::Yes,
        }
    }
}

impl Component for Events {
    fn handle_event(&mut self, key: KeyEvent) -> Handled {
        if let Some(by) = movement(&key) {
            step(&mut self.selected, self.rows.events.len(), by);
            return Handled::Yes;
        }
        let logs = |previous| {
            move |o: ObjectRef| {
                (o.kind == "Pod").then_some(Request::Logs {
                    pod: o,
                    container: None,
                    previous,
                })
            }
        };
        match key.code {
            KeyCode::Char('l') => self.on_current(logs(false)),
            KeyCode::Char('p') => self.on_current(logs(true)),
            KeyCode::Char('d') => self.on_current(|o| Some(Request::Describe(o))),
            KeyCode::Char('y') => self.on_current(|o| Some(Request::Yaml(o))),
            _ => Handled::No,
        }
    }

    fn update(&mut self, action: &Action) -> Option<Action> {
        match action {
            Action::Rows(rows) => {
                self.rows = rows.clone();
                self.selected = self.selected.min(self.rows.events.len().saturating_sub(1));
            }
            Action::Update(u) => self.now = Some(u.at),
            Action::Status(s) if s.clock.is_some() => self.now = s.clock,
            _ => {}
        }
        None
    }

    fn draw(&self, frame: &mut Frame, area: Rect, focused: bool) {
        let events = &self.rows.events;
        let block = style::pane(" Events ".to_string(), focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let (start, end) = style::window(self.selected, events.len(), inner.height as usize);
        let lines: Vec<Line> = events[start..end]
            .iter()
            .enumerate()
            .map(|(i, e)| {
                let reason = if e.warning {
                    Style::new().fg(Color::Yellow)
                } else {
                    Style::new()
                };
                let when = e
                    .last_seen
                    .zip(self.now)
                    .map(|(t, now)| age(now, t))
                    .unwrap_or_default();
                Line::from(vec![
                    Span::styled(format!("{when:>4} "), style::dim()),
                    Span::styled(format!("{} ", e.reason), reason),
                    Span::raw(format!("{} ", e.object)),
                    Span::styled(e.message.clone(), style::dim()),
                ])
                .style(style::cursor(start + i == self.selected, focused))
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
