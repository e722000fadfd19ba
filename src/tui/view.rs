//! Drawing: header, problems, pods, events, detail, the bottom line and popups. Every
//! pane draws only what is visible, so a frame costs the same with 10 or 10,000 pods.

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};

use super::app::{App, Focus, Input, Popup};
use crate::analyze::{Category, Severity};
use crate::rca::Diagnosis;
use crate::render::{age, describe_change};

pub fn draw(frame: &mut Frame, app: &App) {
    let [header, body, footer] = Layout::vertical([
        Constraint::Length(2),
        Constraint::Min(6),
        Constraint::Length(1),
    ])
    .areas(frame.area());
    draw_header(frame, header, app);
    let wide = body.width >= 100;
    let [left, right] = Layout::horizontal(if wide {
        [Constraint::Percentage(50), Constraint::Percentage(50)]
    } else {
        [Constraint::Percentage(55), Constraint::Percentage(45)]
    })
    .areas(body);
    let [problems, pods, events] = Layout::vertical([
        Constraint::Percentage(45),
        Constraint::Percentage(30),
        Constraint::Percentage(25),
    ])
    .areas(left);
    draw_problems(frame, problems, app);
    draw_pods(frame, pods, app);
    draw_events(frame, events, app);
    draw_detail(frame, right, app);
    draw_footer(frame, footer, app);
    if let Some(popup) = app.popups.last() {
        draw_popup(frame, frame.area(), popup);
    }
}

fn severity_style(s: Severity) -> Style {
    match s {
        Severity::Critical => Style::new().fg(Color::Red).add_modifier(Modifier::BOLD),
        Severity::Warning => Style::new().fg(Color::Yellow),
        Severity::Info => Style::new().fg(Color::Blue),
    }
}

/// One colour per failure family, so a glance groups the list.
fn category_color(c: Category) -> Color {
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

fn pane(title: String, focused: bool) -> Block<'static> {
    let style = if focused {
        Style::new().fg(Color::Cyan)
    } else {
        Style::new().fg(Color::DarkGray)
    };
    Block::new()
        .borders(Borders::ALL)
        .border_style(style)
        .title(title)
}

fn draw_header(frame: &mut Frame, area: Rect, app: &App) {
    let s = &app.source;
    let mut first = vec![
        Span::styled("k8sops watch", Style::new().add_modifier(Modifier::BOLD)),
        Span::raw(format!("  ctx {}", or_dash(&s.context))),
        Span::raw(format!("  {}", or_dash(&s.server_version))),
        Span::raw(format!("  {}", s.scope)),
    ];
    if let Some(ns) = &app.namespace {
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
    let grade = match app.health.grade {
        'A' | 'B' => Style::new().fg(Color::Green),
        'C' => Style::new().fg(Color::Yellow),
        _ => Style::new().fg(Color::Red),
    }
    .add_modifier(Modifier::BOLD);
    let count = |sev: Severity| app.diagnoses.iter().filter(|d| d.severity == sev).count();
    let mut second = vec![
        Span::raw("health "),
        Span::styled(format!("{} {}", app.health.score, app.health.grade), grade),
        Span::raw(format!("  problems {} (", app.diagnoses.len())),
        Span::styled(
            format!("{} critical", count(Severity::Critical)),
            severity_style(Severity::Critical),
        ),
        Span::raw(", "),
        Span::styled(
            format!("{} warning", count(Severity::Warning)),
            severity_style(Severity::Warning),
        ),
        Span::raw(format!(
            ")  pods {} ({} not ready)  namespaces {}",
            app.rows.pods_total, app.rows.pods_unhealthy, app.rows.namespaces
        )),
    ];
    if let Some(now) = app.now {
        second.push(Span::styled(
            format!("  at {}", now.strftime("%Y-%m-%d %H:%M:%S")),
            Style::new().fg(Color::DarkGray),
        ));
    }
    if let Some((factor, paused)) = app.speed {
        let state = if paused {
            " paused".to_string()
        } else {
            String::new()
        };
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

fn or_dash(s: &str) -> &str {
    if s.is_empty() { "-" } else { s }
}

/// Rows `[start, end)` that keep `selected` visible in `height` rows.
fn window(selected: usize, len: usize, height: usize) -> (usize, usize) {
    if height == 0 {
        return (0, 0);
    }
    let start = selected
        .saturating_sub(height - 1)
        .min(len.saturating_sub(height));
    (start, (start + height).min(len))
}

fn cursor(selected: bool, focused: bool) -> Style {
    match (selected, focused) {
        (true, true) => Style::new().bg(Color::Blue).fg(Color::White),
        (true, false) => Style::new().add_modifier(Modifier::REVERSED),
        _ => Style::new(),
    }
}

fn draw_problems(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Problems;
    let mut title = format!(" Problems ({}) ", app.shown.len());
    if !app.filter.is_empty() {
        title = format!(" Problems ({}) /{} ", app.shown.len(), app.filter);
    }
    let block = pane(title, focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    if app.shown.is_empty() {
        let text = if !app.ready {
            "Analyzing…"
        } else if app.diagnoses.is_empty() {
            "No problems found: every workload in scope is healthy."
        } else {
            "Nothing matches the filter (esc clears it)."
        };
        frame.render_widget(
            Paragraph::new(text)
                .style(Style::new().fg(Color::Green))
                .wrap(Wrap { trim: true }),
            inner,
        );
        return;
    }
    let (start, end) = window(app.selected, app.shown.len(), inner.height as usize);
    let lines: Vec<Line> = (start..end)
        .map(|row| {
            let d = &app.diagnoses[app.shown[row]];
            let top = d.top();
            let category = top.map(|h| h.category).unwrap_or(Category::Unknown);
            let when = app
                .first_seen(d)
                .zip(app.now)
                .map(|(t, now)| age(now, t))
                .unwrap_or_default();
            let style = cursor(row == app.selected, focused);
            Line::from(vec![
                Span::styled(
                    format!("{:<5}", sev_short(d.severity)),
                    severity_style(d.severity),
                ),
                Span::styled(
                    format!("{:<14} ", category.id()),
                    Style::new().fg(category_color(category)),
                ),
                Span::raw(subject(d)),
                Span::styled(format!(" {when}"), Style::new().fg(Color::DarkGray)),
            ])
            .style(style)
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn sev_short(s: Severity) -> &'static str {
    match s {
        Severity::Critical => "CRIT",
        Severity::Warning => "WARN",
        Severity::Info => "INFO",
    }
}

fn subject(d: &Diagnosis) -> String {
    match &d.subject.namespace {
        Some(ns) => format!(
            "{}/{} {}",
            ns,
            d.subject.name,
            d.subject.kind.to_ascii_lowercase()
        ),
        None => format!("{} {}", d.subject.name, d.subject.kind.to_ascii_lowercase()),
    }
}

fn draw_pods(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Pods;
    let block = pane(format!(" Pods ({}) ", app.rows.pods.len()), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (start, end) = window(app.pod_selected, app.rows.pods.len(), inner.height as usize);
    let lines: Vec<Line> = app.rows.pods[start..end]
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let color = if p.healthy { Color::Green } else { Color::Red };
            Line::from(vec![
                Span::styled(format!("{:<5}", p.ready), Style::new().fg(color)),
                Span::styled(
                    format!("{:<18} ", clip(&p.status, 18)),
                    Style::new().fg(color),
                ),
                Span::raw(format!("{:>3} ", p.restarts)),
                Span::raw(format!("{}/{}", p.namespace, p.name)),
            ])
            .style(cursor(start + i == app.pod_selected, focused))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

fn draw_events(frame: &mut Frame, area: Rect, app: &App) {
    let focused = app.focus == Focus::Events;
    let block = pane(" Events ".to_string(), focused);
    let inner = block.inner(area);
    frame.render_widget(block, area);
    let (start, end) = window(
        app.event_selected,
        app.rows.events.len(),
        inner.height as usize,
    );
    let lines: Vec<Line> = app.rows.events[start..end]
        .iter()
        .enumerate()
        .map(|(i, e)| {
            let style = if e.warning {
                Style::new().fg(Color::Yellow)
            } else {
                Style::new()
            };
            let when = e
                .last_seen
                .zip(app.now)
                .map(|(t, now)| age(now, t))
                .unwrap_or_default();
            Line::from(vec![
                Span::styled(format!("{when:>4} "), Style::new().fg(Color::DarkGray)),
                Span::styled(format!("{} ", e.reason), style),
                Span::raw(format!("{} ", e.object)),
                Span::styled(e.message.clone(), Style::new().fg(Color::DarkGray)),
            ])
            .style(cursor(start + i == app.event_selected, focused))
        })
        .collect();
    frame.render_widget(Paragraph::new(lines), inner);
}

/// The selected problem: ranked hypotheses, evidence, what changed, remedy.
pub fn detail_lines(d: &Diagnosis) -> Vec<Line<'static>> {
    let bold = Style::new().add_modifier(Modifier::BOLD);
    let dim = Style::new().fg(Color::DarkGray);
    let mut lines = vec![Line::from(vec![
        Span::styled(
            sev_short(d.severity).to_string(),
            severity_style(d.severity),
        ),
        Span::styled(format!(" {}", d.subject), bold),
    ])];
    for (i, h) in d.hypotheses.iter().take(3).enumerate() {
        lines.push(Line::from(vec![
            Span::styled(format!("{}. ", i + 1), bold),
            Span::styled(
                format!("{} ", h.category.id()),
                Style::new().fg(category_color(h.category)),
            ),
            Span::styled(format!("{:.2} {}", h.confidence, h.engine), dim),
        ]));
        lines.push(Line::from(format!("   {}", h.cause)));
    }
    if let Some(top) = d.top() {
        lines.push(Line::styled("evidence", bold));
        for id in &top.evidence {
            if let Some(e) = d.evidence_by_id(id) {
                lines.push(Line::from(vec![
                    Span::styled(format!(" {id} "), dim),
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

fn draw_detail(frame: &mut Frame, area: Rect, app: &App) {
    let block = pane(" Detail ".to_string(), false);
    let lines = app.current().map(detail_lines).unwrap_or_else(|| {
        vec![Line::styled(
            "Select a problem to see its hypotheses, evidence, what changed and the remedy.",
            Style::new().fg(Color::DarkGray),
        )]
    });
    frame.render_widget(
        Paragraph::new(lines)
            .block(block)
            .wrap(Wrap { trim: false }),
        area,
    );
}

fn draw_footer(frame: &mut Frame, area: Rect, app: &App) {
    let line = match &app.input {
        Input::Filter(t) => Line::from(format!("/{t}")),
        Input::Command(t) => Line::from(format!(":{t}")),
        Input::None => match (&app.message, app.warnings.first()) {
            (Some(m), _) => Line::styled(m.clone(), Style::new().fg(Color::Yellow)),
            (None, Some(w)) => Line::styled(
                format!("degraded: {w}{}", more(app.warnings.len())),
                Style::new().fg(Color::Black).bg(Color::Yellow),
            ),
            (None, None) => Line::styled(
                "?help  l logs  d describe  y yaml  e explain  f fix  / filter  : ns/ctx  tab pane  q quit",
                Style::new().fg(Color::DarkGray),
            ),
        },
    };
    frame.render_widget(Paragraph::new(line), area);
}

fn more(n: usize) -> String {
    if n > 1 {
        format!(" (+{} more)", n - 1)
    } else {
        String::new()
    }
}

pub const HELP: &[(&str, &str)] = &[
    ("↑/↓ j/k", "move in the focused pane"),
    ("tab", "next pane: problems → pods → events"),
    ("l / p", "logs of the pod (current / previous container)"),
    ("d", "describe the object"),
    ("y", "YAML of the object"),
    ("e", "explain with the LLM (when one is configured)"),
    ("f", "propose a fix (the diff-confirm-PR flow)"),
    ("/", "filter problems (esc clears)"),
    (":", ":ns NAME, :ns all, :ctx NAME"),
    ("+ / - / space", "replay faster / slower / pause"),
    ("?", "this help"),
    ("esc", "back"),
    ("q", "quit (k8sops never changes the cluster)"),
];

fn draw_popup(frame: &mut Frame, area: Rect, popup: &Popup) {
    let w = area.width.saturating_sub(4).min(110);
    let h = area.height.saturating_sub(2);
    let rect = Rect {
        x: area.x + (area.width - w) / 2,
        y: area.y + 1,
        width: w,
        height: h,
    };
    frame.render_widget(Clear, rect);
    match popup {
        Popup::Help => {
            let lines: Vec<Line> = HELP
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
            frame.render_widget(Paragraph::new(lines).block(block), rect);
        }
        Popup::Text {
            title,
            lines,
            scroll,
        } => {
            let block = Block::new()
                .borders(Borders::ALL)
                .title(format!(" {title} — esc to close "));
            let text: Vec<Line> = lines.iter().map(|l| Line::raw(l.clone())).collect();
            frame.render_widget(
                Paragraph::new(text)
                    .block(block)
                    .wrap(Wrap { trim: false })
                    .scroll((*scroll, 0)),
                rect,
            );
        }
    }
}

fn one_line(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn clip(s: &str, n: usize) -> String {
    if s.chars().count() > n {
        s.chars().take(n - 1).chain(['…']).collect()
    } else {
        s.to_string()
    }
}
