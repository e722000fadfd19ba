//! Inline SVG bar charts for the HTML report: no script, no external font or image, and a
//! `viewBox` so they scale to a phone's width.

use std::fmt::Write as _;

use super::html::escape;
use crate::model::text::{Budget, clip};

const WIDTH: f64 = 400.0;
const LABEL: f64 = 150.0;
const VALUE: f64 = 52.0;
const ROW: f64 = 22.0;
const BAR: f64 = 14.0;

fn open(out: &mut String, id: &str, title: &str, rows: usize) {
    let height = (rows.max(1) as f64) * ROW + 8.0;
    let _ = write!(
        out,
        r#"<svg class="chart" id="{id}" viewBox="0 0 {WIDTH} {height}" width="100%" role="img" aria-labelledby="{id}-title" xmlns="http://www.w3.org/2000/svg"><title id="{id}-title">{}</title>"#,
        escape(title)
    );
}

/// Keeps a label within its column (about 22 characters at 12px).
fn label(s: &str) -> String {
    clip(s, Budget::Width(22))
}

fn row_label(out: &mut String, y: f64, text: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="end" class="label">{}</text>"#,
        LABEL - 6.0,
        y + BAR - 3.0,
        escape(&label(text))
    );
}

/// One horizontal bar per row, scaled to the largest value.
pub fn bars(id: &str, title: &str, rows: &[(String, u64)]) -> String {
    let mut out = String::new();
    open(&mut out, id, title, rows.len());
    let max = rows.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1) as f64;
    let span = WIDTH - LABEL - VALUE;
    for (i, (name, value)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        row_label(&mut out, y, name);
        let w = (*value as f64 / max * span).max(if *value > 0 { 2.0 } else { 0.0 });
        let _ = write!(
            out,
            r#"<rect x="{LABEL}" y="{y}" width="{w:.1}" height="{BAR}" class="bar warn"><title>{}: {value}</title></rect><text x="{:.1}" y="{}" class="value">{value}</text>"#,
            escape(name),
            LABEL + w + 4.0,
            y + BAR - 3.0
        );
    }
    out.push_str("</svg>");
    out
}

/// Ready of total per row: the ready part green, the rest red, on a common scale.
pub fn ready_of_total(id: &str, title: &str, rows: &[(String, usize, usize)]) -> String {
    let mut out = String::new();
    open(&mut out, id, title, rows.len());
    let max = rows.iter().map(|(_, _, t)| *t).max().unwrap_or(0).max(1) as f64;
    let span = WIDTH - LABEL - VALUE;
    for (i, (name, ready, total)) in rows.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        row_label(&mut out, y, name);
        let whole = *total as f64 / max * span;
        let ok = *ready as f64 / max * span;
        let _ = write!(
            out,
            r#"<rect x="{LABEL}" y="{y}" width="{whole:.1}" height="{BAR}" class="bar bad"><title>{}: {} not ready</title></rect><rect x="{LABEL}" y="{y}" width="{ok:.1}" height="{BAR}" class="bar ok"><title>{}: {ready} ready</title></rect><text x="{:.1}" y="{}" class="value">{ready}/{total}</text>"#,
            escape(name),
            total.saturating_sub(*ready),
            escape(name),
            LABEL + whole + 4.0,
            y + BAR - 3.0
        );
    }
    out.push_str("</svg>");
    out
}
