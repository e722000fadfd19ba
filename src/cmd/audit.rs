//! `k8sops audit`: the audit log, as text or JSON lines.

use super::cli::{AuditArgs, EvalFormat};
use super::output;
use super::settings::Settings;
use crate::audit::{self, AuditLog};
use crate::error::Result;

pub fn run(settings: &Settings, args: &AuditArgs) -> Result<u8> {
    let log = AuditLog::open(&settings.env)?;
    let mut entries = log.read()?;
    if let Some(n) = args.limit {
        entries.drain(..entries.len().saturating_sub(n));
    }
    output::print(&audit::render(&entries, args.output == EvalFormat::Json))?;
    Ok(0)
}
