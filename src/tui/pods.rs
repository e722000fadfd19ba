//! The pods table: every pod in view, unhealthy first, coloured by health. Its keys act on
//! the pod under the cursor: logs (current or previous container), describe, YAML.

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
use crate::model::text::{Budget, clip};

#[derive(Default)]
pub struct Pods {
    rows: Arc<Rows>,
    selected: usize,
}

impl Pods {
    /// The pod under the cursor.
    fn current(&self) -> Option<ObjectRef> {
        self.rows
            .pods
            .get(self.selected)
            .map(|p| ObjectRef::new("Pod", Some(&p.namespace), &p.name))
    }

    fn on_current(&self, request: impl FnOnce(ObjectRef) -> Request) -> Handled {
        match self.current() {
            Some(pod) => Handled::Then(Action::Request(request(pod))),
            None => Handled::Yes,
        }
    }
}

impl Component for Pods {
    fn handle_event(&mut self, key: KeyEvent) -> Handled {
        if let Some(by) = movement(&key) {
            step(&mut self.selected, self.rows.pods.len(), by);
            return Handled::Yes;
        }
        let logs = |previous| {
            move |pod| Request::Logs {
                pod,
                container: None,
                previous,
            }
        };
        match key.code {
            KeyCode::Char('l') => self.on_current(logs(false)),
            KeyCode::Char('p') => self.on_current(logs(true)),
            KeyCode::Char('d') => self.on_current(Request::Describe),
            KeyCode::Char('y') => self.on_current(Request::Yaml),
            _ => Handled::No,
        }
    }

    fn update(&mut self, action: &Action) -> Option<Action> {
        if let Action::Rows(rows) = action {
            self.rows = rows.clone();
            self.selected = self.selected.min(self.rows.pods.len().saturating_sub(1));
        }
        None
    }

    fn draw(&self, frame: &mut Frame, area: Rect, focused: bool) {
        let pods = &self.rows.pods;
        let block = style::pane(format!(" Pods ({}) ", pods.len()), focused);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let (start, end) = style::window(self.selected, pods.len(), inner.height as usize);
        let lines: Vec<Line> = pods[start..end]
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let color = if p.healthy { Color::Green } else { Color::Red };
                Line::from(vec![
                    Span::styled(format!("{:<5}", p.ready), Style::new().fg(color)),
                    Span::styled(
                        format!("{:<18} ", clip(&p.status, Budget::Width(18))),
                        Style::new().fg(color),
                    ),
                    Span::raw(format!("{:>3} ", p.restarts)),
                    Span::raw(format!("{}/{}", p.namespace, p.name)),
                ])
                .style(style::cursor(start + i == self.selected, focused))
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}
