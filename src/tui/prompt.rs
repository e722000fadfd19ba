//! The bottom line: the `/` filter and `:` command being typed, else a message, else the
//! degraded status (a kind forbidden or failing), else the key hints.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::Line;
use ratatui::widgets::Paragraph;

use super::action::Action;
use super::component::{Component, Handled};
use super::style;

/// What is being typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Filter,
    Command,
}

#[derive(Default)]
pub struct Prompt {
    typing: Option<(Mode, String)>,
    message: Option<String>,
    warnings: Vec<String>,
}

impl Prompt {
    /// Starts typing, from `text`.
    pub fn open(&mut self, mode: Mode, text: &str) {
        self.typing = Some((mode, text.to_string()));
    }

    pub fn is_open(&self) -> bool {
        self.typing.is_some()
    }

    /// Messages last until the next key.
    pub fn clear_message(&mut self) {
        self.message = None;
    }
}

impl Component for Prompt {
    /// Every key while typing is the prompt's; the filter follows the typing.
    fn handle_event(&mut self, key: KeyEvent) -> Handled {
        let Some((mode, text)) = &mut self.typing else {
            return Handled::No;
        };
        let mode = *mode;
        match key.code {
            KeyCode::Esc => {
                self.typing = None;
                return Handled::Yes;
            }
            KeyCode::Enter => {
                let text = std::mem::take(text);
                self.typing = None;
                return Handled::Then(match mode {
                    Mode::Filter => Action::Filter(text),
                    Mode::Command => Action::Command(text),
                });
            }
            KeyCode::Backspace => {
                text.pop();
            }
            KeyCode::Char(c) => text.push(c),
            _ => return Handled::Yes,
        }
        match mode {
            Mode::Filter => Handled::Then(Action::Filter(text.clone())),
            Mode::Command => Handled::Yes,
        }
    }

    fn update(&mut self, action: &Action) -> Option<Action> {
        match action {
            Action::Status(s) => self.warnings = s.warnings.clone(),
            Action::Message(m) => self.message = Some(m.clone()),
            _ => {}
        }
        None
    }

    fn draw(&self, frame: &mut Frame, area: Rect, _focused: bool) {
        let line = match (&self.typing, &self.message, self.warnings.first()) {
            (Some((Mode::Filter, t)), _, _) => Line::from(format!("/{t}")),
            (Some((Mode::Command, t)), _, _) => Line::from(format!(":{t}")),
            (None, Some(m), _) => Line::styled(m.clone(), Style::new().fg(Color::Yellow)),
            (None, None, Some(w)) => Line::styled(
                format!("degraded: {w}{}", more(self.warnings.len())),
                Style::new().fg(Color::Black).bg(Color::Yellow),
            ),
            (None, None, None) => Line::styled(
                "?help  l logs  d describe  y yaml  e explain  f fix  / filter  : ns/ctx  tab pane  q quit",
                style::dim(),
            ),
        };
        frame.render_widget(Paragraph::new(line), area);
    }
}

fn more(n: usize) -> String {
    if n > 1 {
        format!(" (+{} more)", n - 1)
    } else {
        String::new()
    }
}
