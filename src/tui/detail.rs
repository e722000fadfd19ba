//! The detail pane: the selected problem's ranked hypotheses, the evidence the top one
//! cites, what changed, and the remedy with its fix steps.

use ratatui::Frame;
use ratatui::layout::Rect;
use ratatui::style::{Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Wrap};

use super::action::Action;
use super::component::Component;
use super::style;
use crate::model::text::one_line;
use crate::rca::Diagnosis;
use crate::render::describe_change;

#[derive(Default)]
pub struct Detail {
    diagnosis: Option<Box<Diagnosis>>,
}

impl Component for Detail {
    fn update(&mut self, action: &Action) -> Option<Action> {
        if let Action::Select(d) = action {
            self.diagnosis = d.clone();
        }
        None
    }

    fn draw(&self, frame: &mut Frame, area: Rect, focused: bool) {
        let block = style::pane(" Detail ".to_string(), focused);
        let lines = match &self.diagnosis {
            Some(d) => lines(d),
            None => vec![Line::styled(
                "Select a problem to see its hypotheses, evidence, what changed and the remedy.",
                style::dim(),
            )],
        };
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false }),
            area,
        );
    }
}

fn lines(d: &Diagnosis) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            style::severity_short(d.severity).to_string(),
            style::severity(d.severity),
        ),
        Span::styled(format!(" {}", d.subject), bold),
    ])];
    for (i, h) in d.hypotheses.iter().take(3).enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("{}. ", i + 1), bold),
            Span::styled(
                format!("{} ", h.category.id()),
                Style::new().fg(style::category(h.category)),
            ),
            Span::styled(format!("{:.2} {}", h.confidence, h.engine), style::dim()),
        ]));
        lines.push(Line::from(format!("   {}", h.cause)));
    }
    if let Some(top) = d.top() {
        lines.push(Line::styled("evidence", bold));
        for id in &top.evidence {
            if let Some(e) = d.evidence_by_id(id) {
                lines.push(Line::from(vec![
                    Span::styled(format!(" {id} "), style::dim()),
                    Span::raw(one_line(&e.excerpt)),
                ]));
            }
        }
    }
    if !d.changes.is_empty() {
        lines.push(Line::styled("what changed", bold));
        for c in d.changes.iter().take(5) {
            lines.push(Line::from(format!(
                " {}: {} → {}",
                c.field,
                one_line(c.from.as_deref().unwrap_or("(none)")),
                one_line(c.to.as_deref().unwrap_or("(none)"))
            )));
        }
    }
    if let Some(top) = d.top() {
        if let Some(r) = &top.remedy {
            lines.push(Line::styled("remedy", bold));
            lines.push(Line::from(format!(" {}", describe_change(&r.change))));
        }
        if !top.fix.is_empty() {
            lines.push(Line::styled("fix", bold));
            for step in &top.fix {
                lines.push(Line::from(format!(" - {step}")));
            }
        }
    }
    lines
}
