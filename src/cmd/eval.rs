//! `k8sops eval DIR`: score the rules engine on labelled scenarios.

use super::cli::{EvalArgs, EvalFormat};
use super::output;
use crate::error::Result;

pub fn run(args: EvalArgs) -> Result<u8> {
    let report = crate::eval::run(&args.dir)?;
    let rendered = match args.output {
        EvalFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        EvalFormat::Text => crate::eval::render_text(&report),
    };
    output::print(&rendered)?;
    Ok(match args.min_accuracy {
        Some(min) if report.accuracy < min => 1,
        _ => 0,
    })
}
