//! The shape of every part of the dashboard (gitui's components, the ratatui component
//! template): a component handles the keys it is given while it has the keyboard, reacts
//! to the actions every component sees, and draws itself into the area it is given.

use crossterm::event::{KeyCode, KeyEvent};
use ratatui::Frame;
use ratatui::layout::Rect;

use super::action::Action;

/// What a component did with a key.
#[derive(Debug)]
pub enum Handled {
    /// Not one of its keys: the app's global keys get it.
    No,
    Yes,
    /// Used, and this follows.
    Then(Action),
}

pub trait Component {
    /// A key, while this component has the keyboard.
    fn handle_event(&mut self, _key: KeyEvent) -> Handled {
        Handled::No
    }

    /// An action; every component sees every action. May answer with a follow-up.
    fn update(&mut self, _action: &Action) -> Option<Action> {
        None
    }

    /// Draws into `area`; `focused` when it has the keyboard.
    fn draw(&self, frame: &mut Frame, area: Rect, focused: bool);
}

/// How far a movement key moves a cursor (k9s' and less' keys).
pub fn movement(key: &KeyEvent) -> Option<i64> {
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => Some(1),
        KeyCode::Up | KeyCode::Char('k') => Some(-1),
        KeyCode::PageDown => Some(10),
        KeyCode::PageUp => Some(-10),
        KeyCode::Home | KeyCode::Char('g') => Some(-i64::from(u32::MAX)),
        KeyCode::End | KeyCode::Char('G') => Some(i64::from(u32::MAX)),
        _ => None,
    }
}

/// Moves `cursor` by `by` within a list of `len` rows.
pub fn step(cursor: &mut usize, len: usize, by: i64) {
    let max = len.saturating_sub(1) as i64;
    *cursor = (*cursor as i64).saturating_add(by).clamp(0, max) as usize;
}
