//! The dashboard's screens, drawn on ratatui's `TestBackend` from example bundles and
//! compared with committed snapshots: problems, detail, help, an empty cluster, 80×24.

use std::path::PathBuf;
use std::sync::Arc;

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use k8sops::source::bundle;
use k8sops::tui::action::{Action, Request};
use k8sops::tui::app::App;
use k8sops::tui::header::Source;
use k8sops::tui::rows;
use k8sops::watch::engine::PassStats;
use k8sops::watch::objects::stores;
use k8sops::watch::{Switch, Update};
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
        watched_namespace: None,
    });
    let rows = rows::compute(&readers, None, &list.items);
    app.apply(Action::Update(Box::new(Update {
        diagnoses: Arc::new(list.items),
        at: snapshot.meta.captured_at,
        complete: true,
        stats: PassStats::default(),
    })));
    app.apply(Action::Rows(Arc::new(rows)));
    app
}

fn screen(app: &App, width: u16, height: u16) -> String {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).expect("terminal");
    terminal.draw(|f| app.draw(f)).expect("draws");
    terminal.backend().to_string()
}

fn press(app: &mut App, code: KeyCode) -> Vec<Action> {
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
fn the_header_scores_the_cluster_as_the_daily_report_does() {
    for example in ["oom-killed", "crash-loop", "node-problem"] {
        let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
            .join("examples")
            .join(example);
        let snapshot = bundle::read(&path).expect("example reads");
        let report = k8sops::report::score::health(&snapshot, &k8sops::rca::run(&snapshot).items);
        assert!(
            report.score < 100,
            "{example}: a broken cluster scores below 100"
        );
        let text = screen(&app_for(example), 140, 40);
        let header = format!("health {} {}", report.score, report.grade);
        assert!(text.contains(&header), "{example}: {header} not in\n{text}");
    }
}

#[test]
fn the_header_score_equals_the_daily_reports_section_by_section_on_every_example() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("examples");
    let mut examples: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("examples/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.join("expected.json").is_file())
        .collect();
    examples.sort();
    assert!(examples.len() >= 20, "examples found: {}", examples.len());
    for dir in examples {
        let snapshot = bundle::read(&dir).expect("example reads");
        let items = k8sops::rca::run(&snapshot).items;
        let report = k8sops::report::score::health(&snapshot, &items);
        let (readers, mut writers) = stores();
        writers.load(snapshot.objects.clone());
        let rows = rows::compute(&readers, None, &items);
        assert_eq!(rows.health, Some(report), "{}", dir.display());
    }
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
    assert_eq!(app.popups(), 0, "esc closes the help");
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
    let (readers, _writers) = stores();
    app.apply(Action::Rows(Arc::new(rows::compute(&readers, None, &[]))));
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
    let all = app.problems().shown().len();
    press(&mut app, KeyCode::Char('/'));
    for c in "no-such-thing".chars() {
        press(&mut app, KeyCode::Char(c));
    }
    press(&mut app, KeyCode::Enter);
    assert_eq!(app.problems().shown().len(), 0);
    assert!(screen(&app, 100, 24).contains("Nothing matches the filter"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.problems().shown().len(), all);
}

#[test]
fn f_and_e_go_through_their_seams_as_requests() {
    let mut app = app_for("oom-killed");
    assert!(matches!(
        press(&mut app, KeyCode::Char('f')).as_slice(),
        [Action::Request(Request::Fix(_))]
    ));
    assert!(matches!(
        press(&mut app, KeyCode::Char('e')).as_slice(),
        [Action::Request(Request::Explain(_))]
    ));
    let fix = k8sops::watch::assist::propose_fix(app.current().expect("selected"), Some("prod"));
    assert_eq!(
        fix.command,
        "k8sops diagnose deploy/web -n shop --context prod --fix --repo PATH"
    );
    assert!(
        fix.remedy.as_deref().unwrap_or("").contains("memory limit"),
        "{fix:?}"
    );
}

fn command(app: &mut App, line: &str) -> Vec<Action> {
    press(app, KeyCode::Char(':'));
    for c in line.chars() {
        press(app, KeyCode::Char(c));
    }
    press(app, KeyCode::Enter)
}

#[test]
fn ns_narrows_the_view_when_every_namespace_is_there() {
    let mut app = app_for("oom-killed");
    let out = command(&mut app, "ns monitoring");
    assert!(
        matches!(out.as_slice(), [Action::ViewNamespace(Some(ns))] if ns == "monitoring"),
        "the loop recomputes the rows for the namespace: {out:?}"
    );
    assert_eq!(app.namespace(), Some("monitoring"));
    assert!(
        app.problems()
            .shown()
            .all(|d| d.subject.namespace.as_deref() == Some("monitoring"))
    );
    assert!(screen(&app, 140, 40).contains(":ns monitoring"));
    command(&mut app, "ns all");
    assert_eq!(app.namespace(), None);
    assert_eq!(app.problems().shown().len(), app.problems().all().len());
}

#[test]
fn ns_on_a_watch_of_one_namespace_asks_for_a_new_watch() {
    let mut app = App::new(Source {
        context: "prod".into(),
        scope: "namespace shop".into(),
        watched_namespace: Some("shop".into()),
        ..Source::default()
    });
    let switch = |out: Vec<Action>| match out.as_slice() {
        [Action::Switch(s)] => s.clone(),
        other => panic!("not a switch: {other:?}"),
    };
    assert_eq!(
        switch(command(&mut app, "ns billing")),
        Switch::Namespace(Some("billing".into()))
    );
    assert_eq!(switch(command(&mut app, "ns all")), Switch::Namespace(None));
    assert_eq!(
        switch(command(&mut app, "ctx staging")),
        Switch::Context("staging".into())
    );
    assert!(command(&mut app, "ns shop").is_empty(), "already watched");
    assert_eq!(app.namespace(), None, "the view is not narrowed");
}

#[test]
fn popups_stack_and_esc_closes_the_top_one() {
    let mut app = app_for("oom-killed");
    app.apply(Action::Show {
        title: "logs shop/web-1".into(),
        lines: vec!["starting".into()],
    });
    press(&mut app, KeyCode::Char('?'));
    assert_eq!(app.popups(), 2);
    assert!(screen(&app, 100, 30).contains("Help — esc to close"));
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popups(), 1);
    assert!(screen(&app, 100, 30).contains("logs shop/web-1 — esc to close"));
    press(&mut app, KeyCode::Char('j'));
    assert_eq!(app.popups(), 1, "keys go to the popup, not to the panes");
    press(&mut app, KeyCode::Esc);
    assert_eq!(app.popups(), 0);
}

#[test]
fn each_pane_acts_on_its_own_selection() {
    let mut app = app_for("oom-killed");
    let target = |out: Vec<Action>| match out.as_slice() {
        [Action::Request(Request::Describe(o))] => o.clone(),
        other => panic!("not a describe request: {other:?}"),
    };
    let problem = target(press(&mut app, KeyCode::Char('d')));
    assert_eq!(problem.to_string(), "Deployment shop/web");
    press(&mut app, KeyCode::Tab);
    let pod = target(press(&mut app, KeyCode::Char('d')));
    assert_eq!(pod.kind, "Pod", "the pods table's selection: {pod}");
    assert!(
        matches!(press(&mut app, KeyCode::Char('p')).as_slice(),
            [Action::Request(Request::Logs { pod: p, previous: true, .. })] if *p == pod),
        "p: the previous log of the selected pod"
    );
    press(&mut app, KeyCode::Tab);
    let about = target(press(&mut app, KeyCode::Char('d')));
    assert!(
        about.name.starts_with("web-"),
        "the events pane's selection is about {about}"
    );
    press(&mut app, KeyCode::Esc);
    assert_eq!(target(press(&mut app, KeyCode::Char('d'))), problem);
}
