//! The dashboard's screens, drawn on ratatui's `TestBackend` from example bundles and
//! compared with committed snapshots: problems, detail, help, an empty cluster, 80×24.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8sops::source::bundle;
use k8sops::tui::action::Action;
use k8sops::tui::app::{App, Source};
use k8sops::tui::{rows, view};
use k8sops::watch::Update;
use k8sops::watch::engine::PassStats;
use k8sops::watch::objects::stores;
use ratatui::Terminal;
use ratatui::backend::TestBackend;

fn app_for(example: &str) -> App {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("examples")
        .join(example);
    let snapshot = bundle::read(&path).expect("example reads");
    let list = k8sops::rca::run(&snapshot);
    let (readers, mut writers) = stores();
    writers.load(snapshot.objects.clone());
    let mut app = App::new(Source {
        context: "kind-shop".into(),
        server_version: "v1.32.4".into(),
        scope: "all namespaces".into(),
        mode: Some("bundle".into()),
    });
    app.apply(Action::Update(Box::new(Update {
        diagnoses: Arc::new(list.items),
        at: snapshot.meta.captured_at,
        complete: true,
        stats: PassStats::default(),
    })));
    app.apply(Action::Rows(Box::new(rows::compute(&readers, None))));
    app
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| view::draw(f, app)).expect("draws");
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) -> Option<Action> {
    app.key(KeyEvent::new(code, KeyModifiers::NONE))
}

#[test]
fn problems_list_ranks_the_oom_killed_deployment_first() {
    let app = app_for("oom-killed");
    let shown = app.current().expect("a problem is selected");
    assert_eq!(shown.subject.to_string(), "Deployment shop/web");
    insta::assert_snapshot!("problems", screen(&app, 140, 40));
}

#[test]
fn detail_pane_shows_hypotheses_evidence_and_remedy_of_the_selection() {
    let mut app = app_for("config-missing");
    press(&mut app, KeyCode::Down);
    press(&mut app, KeyCode::Up);
    let text = screen(&app, 140, 40);
    assert!(text.contains("evidence"), "{text}");
    insta::assert_snapshot!("detail", text);
}

#[test]
fn help_lists_every_key() {
    let mut app = app_for("oom-killed");
    press(&mut app, KeyCode::Char('?'));
    let text = screen(&app, 100, 30);
    for key in [
        "l / p",
        "describe",
        "YAML",
        "explain",
        "propose a fix",
        "filter",
        ":ns NAME",
    ] {
        assert!(text.contains(key), "help lacks {key}:\n{text}");
    }
    insta::assert_snapshot!("help", text);
    press(&mut app, KeyCode::Esc);
    assert!(app.popups.is_empty(), "esc closes the help");
}

#[test]
fn an_empty_cluster_says_everything_is_healthy() {
    let mut app = App::new(Source::default());
    app.apply(Action::Update(Box::new(Update {
        diagnoses: Arc::new(Vec::new()),
        at: "2026-11-20T09:30:00Z".parse().expect("time"),
        complete: true,
        stats: PassStats::default(),
    })));
    let text = screen(&app, 100, 24);
    assert!(text.contains("No problems found"), "{text}");
    assert!(text.contains("health 100 A"), "{text}");
    insta::assert_snapshot!("empty", text);
}

#[test]
fn an_80_by_24_terminal_still_shows_header_problems_and_keys() {
    let app = app_for("crash-loop");
    let text = screen(&app, 80, 24);
    assert!(text.contains("health"), "{text}");
    assert!(text.contains("crash-loop"), "{text}");
    insta::assert_snapshot!("small_80x24", text);
}

#[test]
fn filter_narrows_the_list_and_esc_clears_it() {
    let mut app = app_for("oom-killed");
    let all = app.shown.len();
    press(&mut app, KeyCode::Char('/'));
    for c in "no-such-thing".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    assert!(app.shown.is_empty());
    assert!(screen(&app, 100, 24).contains("Nothing matches the filter"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.shown.len(), all);
}

#[test]
fn f_and_e_go_through_their_seams_as_requests() {
    let mut app = app_for("oom-killed");
    assert!(matches!(
        press(&mut app, KeyCode::Char('f')),
        Some(Action::Request(k8sops::tui::action::Request::Fix(_)))
    ));
    assert!(matches!(
        press(&mut app, KeyCode::Char('e')),
        Some(Action::Request(k8sops::tui::action::Request::Explain(_)))
    ));
    let fix = k8sops::watch::assist::propose_fix(app.current().expect("selected"), Some("prod"));
    assert_eq!(
        fix.command,
        "k8sops diagnose deploy/web -n shop --context prod --fix"
    );
    assert!(
        fix.remedy.as_deref().unwrap_or("").contains("memory limit"),
        "{fix:?}"
    );
}

#[test]
fn namespace_command_restricts_the_view() {
    let mut app = app_for("oom-killed");
    press(&mut app, KeyCode::Char(':'));
    for c in "ns monitoring".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.namespace.as_deref(), Some("monitoring"));
    assert!(
        app.shown
            .iter()
            .all(|&i| app.diagnoses[i].subject.namespace.as_deref() == Some("monitoring"))
    );
}
