//! Views over the panes: the help, and text (logs, describe, YAML, explain, fix). They
//! stack — `?` over a log opens the help on top — and `esc` closes the top one.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::action::{Action, Ask, Request};
use super::component::{Component, Handled};

/// The keys, as the help shows them.
pub const KEYS: &[(&str, &str)] = &[
    ("↑/↓ j/k", "move in the focused pane"),
    ("tab", "next pane: problems → pods → events"),
    ("l / p", "logs of the pod (current / previous container)"),
    ("d", "describe the object"),
    ("y", "YAML of the object"),
    ("e", "explain with the LLM (when one is configured)"),
    ("f", "propose a fix (the diff-confirm-PR flow)"),
    ("/", "filter problems (esc clears)"),
    (
        ":ctx NAME",
        "switch to another kube context (the watch restarts there)",
    ),
    (
        ":ns NAME",
        "watching one namespace: watch NAME instead (the watch restarts)",
    ),
    ("", "watching all namespaces, or a bundle: show only NAME"),
    (":ns all", "watch, or show, every namespace again"),
    ("+ / - / space", "replay faster / slower / pause"),
    ("?", "this help"),
    ("esc", "back"),
    ("q", "quit (k8sops never changes the cluster)"),
];

/// The area a popup covers: most of the screen, centred, at most 110 columns wide.
pub fn area(screen: Rect) -> Rect {
    let width = screen.width.saturating_sub(4).min(110);
    Rect {
        x: screen.x + (screen.width - width) / 2,
        y: screen.y + 1,
        width,
        height: screen.height.saturating_sub(2),
    }
}

/// `esc` and `q` close a popup; it keeps every other key from the panes below.
fn close_or_keep(key: &KeyEvent) -> Handled {
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') => Handled::Then(Action::Back),
        _ => Handled::Yes,
    }
}

pub struct Help;

impl Component for Help {
    fn handle_event(&mut self, key: KeyEvent) -> Handled {
        close_or_keep(&key)
    }

    fn draw(&self, frame: &mut Frame, area: Rect, _focused: bool) {
        let lines: Vec<Line> = KEYS
            .iter()
            .map(|(k, v)| {
                Line::from(vec![
                    Span::styled(format!("{k:>14}  "), Style::new().fg(Color::Cyan)),
                    Span::raw(*v),
                ])
            })
            .collect();
        let block = Block::new()
            .borders(Borders::ALL)
            .title(" Help — esc to close ");
        frame.render_widget(Clear, area);
        frame.render_widget(Paragraph::new(lines).block(block), area);
    }
}

pub struct Text {
    title: String,
    lines: Vec<String>,
    scroll: u16,
    /// What `y` and `esc` answer, when the text asks (the fix diff).
    ask: Option<(Request, Request)>,
}

impl Text {
    pub fn new(title: String, lines: Vec<String>) -> Self {
        Text {
            title,
            lines,
            scroll: 0,
            ask: None,
        }
    }

    /// A text that asks: `y` answers `yes`, `esc` (or `n`, `q`) answers `no`.
    pub fn asking(ask: Ask) -> Self {
        Text {
            ask: Some((ask.yes, ask.no)),
            ..Text::new(ask.title, ask.lines)
        }
    }

    fn scroll(&mut self, by: i32) {
        let max = self
            .lines
            .len()
            .saturating_sub(1)
            .min(usize::from(u16::MAX)) as i32;
        self.scroll = (i32::from(self.scroll) + by).clamp(0, max) as u16;
    }
}

impl Component for Text {
    fn handle_event(&mut self, key: KeyEvent) -> Handled {
        match key.code {
            KeyCode::Down | KeyCode::Char('j') => self.scroll(1),
            KeyCode::Up | KeyCode::Char('k') => self.scroll(-1),
            KeyCode::PageDown | KeyCode::Char(' ') => self.scroll(10),
            KeyCode::PageUp => self.scroll(-10),
            KeyCode::Char('?') => return Handled::Then(Action::Help),
            code => match (&self.ask, code) {
                (Some((yes, _)), KeyCode::Char('y')) => {
                    return Handled::Then(Action::Answer(yes.clone()));
                }
                (Some((_, no)), KeyCode::Esc | KeyCode::Char('n' | 'q')) => {
                    return Handled::Then(Action::Answer(no.clone()));
                }
                _ => return close_or_keep(&key),
            },
        }
        Handled::Yes
    }

    fn draw(&self, frame: &mut Frame, area: Rect, _focused: bool) {
        let keys = match self.ask {
            Some(_) => "y to confirm, esc to cancel",
            None => "esc to close",
        };
        let block = Block::new()
            .borders(Borders::ALL)
            .title(format!(" {} — {keys} ", self.title));
        let text: Vec<Line> = self.lines.iter().map(|l| Line::raw(l.clone())).collect();
        frame.render_widget(Clear, area);
        frame.render_widget(
            Paragraph::new(text)
                .block(block)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            area,
        );
    }
}
