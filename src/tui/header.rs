//! The two header lines: where the data comes from (context, server version, scope, the
//! namespace shown, bundle or replay), and how it is doing (health score and grade,
//! problem counts by severity, pods, namespaces, the clock, the replay speed).

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::Paragraph;

use super::action::Action;
use super::component::Component;
use super::style;
use crate::analyze::Severity;
use crate::report::score::Score;

/// What the header says about where the data comes from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Source {
    pub context: String,
    pub server_version: String,
    pub scope: String,
    /// `replay` or `bundle` for offline sessions.
    pub mode: Option<String>,
    /// The one namespace a live session watches; `:ns` then re-scopes the watch instead of
    /// filtering the view.
    pub watched_namespace: Option<String>,
}

pub struct Header {
    source: Source,
    /// The daily report's score, computed with the rows.
    health: Option<Score>,
    problems: usize,
    critical: usize,
    warning: usize,
    pods: usize,
    pods_unhealthy: usize,
    namespaces: usize,
    namespace: Option<String>,
    now: Option<jiff::Timestamp>,
    speed: Option<(f64, bool)>,
}

impl Header {
    pub fn new(source: Source) -> Self {
        Header {
            source,
            health: None,
            problems: 0,
            critical: 0,
            warning: 0,
            pods: 0,
            pods_unhealthy: 0,
            namespaces: 0,
            namespace: None,
            now: None,
            speed: None,
        }
    }

    pub fn source(&self) -> &Source {
        &self.source
    }
}

impl Component for Header {
    fn update(&mut self, action: &Action) -> Option<Action> {
        match action {
            Action::Update(u) => {
                let count = |sev| u.diagnoses.iter().filter(|d| d.severity == sev).count();
                self.problems = u.diagnoses.len();
                self.critical = count(Severity::Critical);
                self.warning = count(Severity::Warning);
                self.now = Some(u.at);
            }
            Action::Rows(r) => {
                self.pods = r.pods_total;
                self.pods_unhealthy = r.pods_unhealthy;
                self.namespaces = r.namespaces;
                self.health.clone_from(&r.health);
            }
            Action::Status(s) => {
                self.speed = s.speed;
                if s.clock.is_some() {
                    self.now = s.clock;
                }
            }
            Action::ViewNamespace(ns) => self.namespace = ns.clone(),
            _ => {}
        }
        None
    }

    fn draw(&self, frame: &mut Frame, area: Rect, _focused: bool) {
        let s = &self.source;
        let mut first = vec![
            Span::styled("k8sops watch", Style::new().add_modifier(Modifier::BOLD)),
            Span::raw(format!("  ctx {}", or_dash(&s.context))),
            Span::raw(format!("  {}", or_dash(&s.server_version))),
            Span::raw(format!("  {}", s.scope)),
        ];
        if let Some(ns) = &self.namespace {
            first.push(Span::styled(
                format!("  :ns {ns}"),
                Style::new().fg(Color::Cyan),
            ));
        }
        if let Some(mode) = &s.mode {
            first.push(Span::styled(
                format!("  [{mode}]"),
                Style::new().fg(Color::Magenta),
            ));
        }
        let (health, grade) = match &self.health {
            Some(h) => (format!("{} {}", h.score, h.grade), h.grade.as_str()),
            None => ("-".to_string(), ""),
        };
        let grade = match grade {
            "A" | "B" => Style::new().fg(Color::Green),
            "C" | "D" => Style::new().fg(Color::Yellow),
            "" => style::dim(),
            _ => Style::new().fg(Color::Red),
        }
        .add_modifier(Modifier::BOLD);
        let mut second = vec![
            Span::raw("health "),
            Span::styled(health, grade),
            Span::raw(format!("  problems {} (", self.problems)),
            Span::styled(
                format!("{} critical", self.critical),
                style::severity(Severity::Critical),
            ),
            Span::raw(", "),
            Span::styled(
                format!("{} warning", self.warning),
                style::severity(Severity::Warning),
            ),
            Span::raw(format!(
                ")  pods {} ({} not ready)  namespaces {}",
                self.pods, self.pods_unhealthy, self.namespaces
            )),
        ];
        if let Some(now) = self.now {
            second.push(Span::styled(
                format!("  at {}", now.strftime("%Y-%m-%d %H:%M:%S")),
                style::dim(),
            ));
        }
        if let Some((factor, paused)) = self.speed {
            let state = if paused { " paused" } else { "" };
            second.push(Span::styled(
                format!("  ×{factor}{state}"),
                Style::new().fg(Color::Magenta),
            ));
        }
        frame.render_widget(
            Paragraph::new(vec![Line::from(first), Line::from(second)]),
            area,
        );
    }
}

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}
