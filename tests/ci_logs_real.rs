//! `ci diagnose --log` on real failed builds labelled by others (`../shared/ci-logs`, see
//! `support::ci_logs`): the first labelled error line is reported in at least 17 of 18
//! logs, and at least 75 % of the lines reported are labelled error or context, averaged
//! over the logs — read alone, and read against each build's passing log.

mod support;

use support::ci_logs::{dir, figures, load};

const MIN_FOUND: usize = 17;
const MIN_PRECISION: f64 = 0.75;

fn check(with_pass: bool) {
    let dir = dir();
    if !support::tool::require_dir(
        "the labelled CI logs",
        &dir,
        "they live in ../shared/ci-logs beside the repository; K8SOPS_CI_LOGS names another place",
    ) {
        return;
    }
    let cases = load(&dir);
    assert_eq!(cases.len(), 18, "the dataset holds 18 breakages");
    let f = figures(&cases, with_pass);
    let table = f.lines.join("\n");
    eprintln!(
        "first labelled error line reported in {}/{}; {:.1} % of reported lines labelled\n{table}",
        f.found,
        f.total,
        100.0 * f.precision
    );
    assert!(
        f.found >= MIN_FOUND,
        "first labelled error line reported in only {}/{} logs\n{table}",
        f.found,
        f.total
    );
    assert!(
        f.precision >= MIN_PRECISION,
        "only {:.1} % of reported lines are labelled\n{table}",
        100.0 * f.precision
    );
}

#[test]
fn the_first_labelled_error_is_reported_and_little_else() {
    check(false);
}

#[test]
fn against_the_passing_log_the_figures_hold_too() {
    check(true);
}
