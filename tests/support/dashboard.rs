//! The dashboard's real loop on a `TestBackend`, typed into by a test: `dashboard(session,
//! assist, |ui| async move { ui.press(..); ui.shows(&[..]).await; .. })`.

use std::future::Future;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crossterm::event::{Event, KeyCode, KeyEvent, KeyModifiers};
use k8sops::source::live::LiveOptions;
use k8sops::tui::Assist;
use k8sops::tui::app::App;
use k8sops::watch::WatchConfig;
use k8sops::watch::{Input, Session, start};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use tokio::sync::mpsc;

use super::ApiServer;
use super::apiserver::kubeconfig;

/// Types into the dashboard and reads what it drew last.
pub struct Ui {
    keys: mpsc::UnboundedSender<Event>,
    screen: Arc<Mutex<String>>,
}

impl Ui {
    pub fn press(&self, code: KeyCode) {
        let _ = self
            .keys
            .send(Event::Key(KeyEvent::new(code, KeyModifiers::NONE)));
    }

    /// Types a `:` command and enter.
    pub fn command(&self, line: &str) {
        self.press(KeyCode::Char(':'));
        for c in line.chars() {
            self.press(KeyCode::Char(c));
        }
        self.press(KeyCode::Enter);
    }

    /// Waits (at most 20 s) until the screen shows every one of `wanted`; returns it.
    pub async fn shows(&self, wanted: &[&str]) -> String {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(20);
        loop {
            let screen = self.screen.lock().map(|s| s.clone()).unwrap_or_default();
            if wanted.iter().all(|w| screen.contains(w)) {
                return screen;
            }
            if tokio::time::Instant::now() > deadline {
                panic!("the screen did not show {wanted:?} within 20 s:\n{screen}");
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

/// Runs the dashboard on `session` while `script` types into it; `script` ends with `q`.
pub async fn dashboard<F, Fut>(session: Session, assist: Assist, script: F)
where
    F: FnOnce(Ui) -> Fut,
    Fut: Future<Output = ()>,
{
    let (tx, rx) = mpsc::unbounded_channel::<Event>();
    let keys = Box::pin(futures::stream::unfold(rx, |mut rx| async move {
        rx.recv().await.map(|e| (Ok(e), rx))
    }));
    let screen: Arc<Mutex<String>> = Arc::default();
    let mut terminal = Terminal::new(TestBackend::new(140, 40)).expect("terminal");
    let drawn = screen.clone();
    let draw = move |app: &App| {
        terminal.draw(|f| app.draw(f)).expect("draws");
        if let Ok(mut s) = drawn.lock() {
            *s = terminal.backend().to_string();
        }
        Ok(())
    };
    let config = WatchConfig::default();
    let ui = Ui { keys: tx, screen };
    let (result, ()) = tokio::join!(
        k8sops::tui::run_on(session, &config, assist, keys, draw),
        script(ui)
    );
    result.expect("the dashboard ends without an error");
}

/// Writes a kubeconfig with `contexts` and starts a live session on its current context.
pub async fn live(
    dir: &Path,
    contexts: &[(&str, &ApiServer, Option<&str>)],
    all_namespaces: bool,
) -> Session {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let path = dir.join("kubeconfig");
    std::fs::write(&path, kubeconfig(contexts)).expect("kubeconfig");
    let opts = LiveOptions {
        kubeconfig: Some(path),
        all_namespaces,
        timeout: Duration::from_secs(10),
        ..LiveOptions::default()
    };
    start(Input::Live(opts), Duration::from_millis(50))
        .await
        .expect("session starts")
}
