//! How the dashboard looks, shared by its components: colours by severity and failure
//! family, pane borders that show the focus, the cursor, and the window of a list that
//! is visible (so a pane draws only those rows, whatever the list's length).

use ratatui::style::{Color, Modifier, Style};
use ratatui::widgets::{Block, Borders};

use crate::analyze::{Category, Severity};

pub fn severity(s: Severity) -> Style {
    match s {
        Severity::Critical => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Severity::Warning => Style::new().fg(Color::Yellow),
        Severity::Info => Style::new().fg(Color::Blue),
    }
}

pub fn severity_short(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::Warning => "WARN",
        Severity::Info => "INFO",
    }
}

/// One colour per failure family, so a glance groups the list.
pub fn category(c: Category) -> Color {
    match c {
        Category::OomKilled | Category::QuotaLimits => Color::Magenta,
        Category::CrashLoop | Category::JobFailed => Color::Red,
        Category::ImagePull | Category::CiFailure => Color::LightRed,
        Category::ConfigMissing | Category::Permission => Color::Yellow,
        Category::Unschedulable | Category::NodeProblem | Category::Volume => Color::Cyan,
        Category::ProbeFailure | Category::NetworkDns => Color::LightBlue,
        Category::RolloutStuck | Category::Unknown => Color::Gray,
    }
}

pub fn dim() -> Style {
    Style::new().fg(Color::DarkGray)
}

pub fn pane(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::new().fg(Color::Cyan)
    } else {
        dim()
    };
    Block::new()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

pub fn cursor(selected: bool, focused: bool) -> Style {
    match (selected, focused) {
        (true, true) => Style::new().bg(Color::Blue).fg(Color::White),
        (true, false) => Style::new().add_modifier(Modifier::REVERSED),
        _ => Style::new(),
    }
}

/// Rows `[start, end)` that keep `selected` visible in `height` rows.
pub fn window(selected: usize, len: usize, height: usize) -> (usize, usize) {
    if height == 0 {
        return (0, 0);
    }
    let start = selected
        .saturating_sub(height - 1)
        .min(len.saturating_sub(height));
    (start, (start + height).min(len))
}
