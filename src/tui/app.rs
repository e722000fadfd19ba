//! The dashboard's root component: lays the panes out, routes keys — to the prompt while
//! typing, else to the popup on top, else to the focused pane, then to the global keys —
//! and hands every action to every component. Pure: keys and actions in, state and the
//! actions for the loop out.

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};

use super::action::Action;
use super::component::{Component, Handled};
use super::detail::Detail;
use super::events::Events;
use super::header::{Header, Source};
use super::pods::Pods;
use super::popup;
use super::problems::Problems;
use super::prompt::{Mode, Prompt};
use crate::rca::Diagnosis;
use crate::watch::Switch;

/// The pane with the keyboard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Focus {
    Problems,
    Pods,
    Events,
}

pub struct App {
    header: Header,
    problems: Problems,
    pods: Pods,
    events: Events,
    detail: Detail,
    prompt: Prompt,
    /// Open popups, the top last.
    popups: Vec<Box<dyn Component + Send>>,
    focus: Focus,
    /// The namespace shown when all are watched (`:ns NAME`).
    namespace: Option<String>,
    quit: bool,
}

impl App {
    pub fn new(source: Source) -> Self {
        App {
            header: Header::new(source),
            problems: Problems::default(),
            pods: Pods::default(),
            events: Events::default(),
            detail: Detail::default(),
            prompt: Prompt::default(),
            popups: Vec::new(),
            focus: Focus::Problems,
            namespace: None,
            quit: false,
        }
    }

    pub fn should_quit(&self) -> bool {
        self.quit
    }

    pub fn problems(&self) -> &Problems {
        &self.problems
    }

    /// The diagnosis under the cursor.
    pub fn current(&self) -> Option<&Diagnosis> {
        self.problems.current()
    }

    /// How many popups are open.
    pub fn popups(&self) -> usize {
        self.popups.len()
    }

    /// The namespace shown, when the view is narrowed to one.
    pub fn namespace(&self) -> Option<&str> {
        self.namespace.as_deref()
    }

    pub fn focus(&self) -> Focus {
        self.focus
    }

    /// Handles a key; returns what the loop has to carry out.
    pub fn key(&mut self, key: KeyEvent) -> Vec<Action> {
        self.prompt.clear_message();
        if key.modifiers.contains(KeyModifiers::CONTROL) && key.code == KeyCode::Char('c') {
            return self.apply(Action::Quit);
        }
        let handled = if self.prompt.is_open() {
            self.prompt.handle_event(key)
        } else if let Some(top) = self.popups.last_mut() {
            top.handle_event(key)
        } else {
            match self.pane_mut().handle_event(key) {
                Handled::No => self.global(key),
                h => h,
            }
        };
        match handled {
            Handled::Then(action) => self.apply(action),
            Handled::No | Handled::Yes => Vec::new(),
        }
    }

    fn pane_mut(&mut self) -> &mut dyn Component {
        match self.focus {
            Focus::Problems => &mut self.problems,
            Focus::Pods => &mut self.pods,
            Focus::Events => &mut self.events,
        }
    }

    /// Keys that mean the same whichever pane has the keyboard.
    fn global(&mut self, key: KeyEvent) -> Handled {
        let action = match key.code {
            KeyCode::Char('q') => Action::Quit,
            KeyCode::Char('?') => Action::Help,
            KeyCode::Char('+') => Action::Speed(2.0),
            KeyCode::Char('-') => Action::Speed(0.5),
            KeyCode::Char(' ') => Action::Pause,
            KeyCode::Esc if !self.problems.filter().is_empty() => Action::Filter(String::new()),
            KeyCode::Esc => {
                self.focus = Focus::Problems;
                return Handled::Yes;
            }
            KeyCode::Tab => {
                self.focus = match self.focus {
                    Focus::Problems => Focus::Pods,
                    Focus::Pods => Focus::Events,
                    Focus::Events => Focus::Problems,
                };
                return Handled::Yes;
            }
            KeyCode::Char('/') => {
                let filter = self.problems.filter().to_string();
                self.prompt.open(Mode::Filter, &filter);
                return Handled::Yes;
            }
            KeyCode::Char(':') => {
                self.prompt.open(Mode::Command, "");
                return Handled::Yes;
            }
            _ => return Handled::No,
        };
        Handled::Then(action)
    }

    /// Applies an action and the follow-ups it causes; returns those the loop carries out.
    pub fn apply(&mut self, action: Action) -> Vec<Action> {
        let mut queue = std::collections::VecDeque::from([action]);
        let mut out = Vec::new();
        while let Some(action) = queue.pop_front() {
            match &action {
                Action::Quit => self.quit = true,
                Action::Help => self.popups.push(Box::new(popup::Help)),
                Action::Show { title, lines } => self
                    .popups
                    .push(Box::new(popup::Text::new(title.clone(), lines.clone()))),
                Action::Ask(ask) => self
                    .popups
                    .push(Box::new(popup::Text::asking(ask.as_ref().clone()))),
                Action::Answer(request) => {
                    self.popups.pop();
                    queue.push_back(Action::Request(request.clone()));
                }
                Action::Back => {
                    self.popups.pop();
                }
                Action::Command(line) => {
                    queue.push_back(self.command(line));
                    continue;
                }
                Action::ViewNamespace(ns) => self.namespace = ns.clone(),
                _ => {}
            }
            let components: [&mut dyn Component; 6] = [
                &mut self.header,
                &mut self.problems,
                &mut self.pods,
                &mut self.events,
                &mut self.detail,
                &mut self.prompt,
            ];
            queue.extend(components.into_iter().filter_map(|c| c.update(&action)));
            if action.leaves_the_app() {
                out.push(action);
            }
        }
        out
    }

    /// `:ns NAME`, `:ns all`, `:ctx NAME` (k9s' `:` prompt, for the two things one
    /// switches). On a live watch of one namespace `:ns` watches another one; otherwise
    /// every namespace is already there and `:ns` narrows the view.
    fn command(&self, line: &str) -> Action {
        let mut words = line.split_whitespace();
        let (verb, arg) = (words.next(), words.next());
        let namespace = match (verb, arg) {
            (Some("ns" | "namespace"), None | Some("all" | "-A")) => None,
            (Some("ns" | "namespace"), Some(ns)) => Some(ns.to_string()),
            (Some("ctx" | "context"), Some(ctx)) => {
                return Action::Switch(Switch::Context(ctx.to_string()));
            }
            (Some("q" | "quit"), _) => return Action::Quit,
            _ => {
                return Action::Message(format!(
                    "unknown command :{line} — use :ns NAME, :ns all, :ctx NAME"
                ));
            }
        };
        match &self.header.source().watched_namespace {
            Some(watched) if namespace.as_ref() == Some(watched) => {
                Action::Message(format!("already watching namespace {watched}"))
            }
            Some(_) => Action::Switch(Switch::Namespace(namespace)),
            None => Action::ViewNamespace(namespace),
        }
    }

    pub fn draw(&self, frame: &mut Frame) {
        let [header, body, footer] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Min(6),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        self.header.draw(frame, header, false);
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
        let panes: [(&dyn Component, Rect, Focus); 3] = [
            (&self.problems, problems, Focus::Problems),
            (&self.pods, pods, Focus::Pods),
            (&self.events, events, Focus::Events),
        ];
        for (pane, area, focus) in panes {
            pane.draw(frame, area, self.focus == focus);
        }
        self.detail.draw(frame, right, false);
        self.prompt.draw(frame, footer, false);
        if let Some(top) = self.popups.last() {
            top.draw(frame, popup::area(frame.area()), true);
        }
    }
}
