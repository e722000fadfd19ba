//! The HTML report rendered by a real browser: Debian's headless Chromium takes a phone-sized
//! screenshot of it. The page's Content-Security-Policy forbids every fetch, so a stylesheet,
//! script, image or font the page tried to load would show up as a console message — the
//! test wants none, a zero exit and a real PNG.
//!
//! Chromium comes from apt (`.ci/run` installs it). Under `CI=true` a missing chromium fails
//! the test; on a developer machine without it the test prints a SKIP line (`support::tool`).

use std::path::PathBuf;
use std::process::Command;

use crate::support;

#[test]
fn chromium_renders_the_html_report_on_a_phone_screen_without_errors() {
    let Some(chromium) = support::tool::require(&support::tool::CHROMIUM) else {
        return;
    };
    let dir = tempfile::tempdir().expect("tempdir");
    let html = dir.path().join("report.html");
    let bundle = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/data/report/prod");
    let out = assert_cmd::Command::cargo_bin("k8sops")
        .expect("binary")
        .env_remove("K8SOPS_CONFIG")
        .env("HOME", dir.path())
        .args(["report", "daily", "--from"])
        .arg(&bundle)
        .arg("-o")
        .arg(&html)
        .output()
        .expect("runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let png = dir.path().join("r.png");
    let profile = dir.path().join("profile");
    let run = Command::new(&chromium)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
            "--enable-logging=stderr",
            "--v=0",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg("--window-size=420,900")
        .arg(format!("file://{}", html.display()))
        .output()
        .expect("chromium starts");
    let stderr = String::from_utf8_lossy(&run.stderr);
    assert!(run.status.success(), "chromium failed: {stderr}");
    // Page problems (blocked loads, script errors) are logged as CONSOLE lines; the
    // browser's own D-Bus and GPU chatter in a container is not about the page.
    let console: Vec<&str> = stderr.lines().filter(|l| l.contains(":CONSOLE")).collect();
    assert!(console.is_empty(), "the page logged: {console:#?}");
    let bytes = std::fs::read(&png).expect("screenshot written");
    assert!(bytes.starts_with(b"\x89PNG\r\n\x1a\n"), "not a PNG");
    // A 420×900 screenshot of a real page is tens of kilobytes; a blank one is ~4 KB.
    assert!(
        bytes.len() > 20_000,
        "suspiciously small screenshot: {} bytes",
        bytes.len()
    );
}
