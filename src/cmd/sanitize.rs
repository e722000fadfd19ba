//! `k8sops sanitize`: FILE or stdin to stdout with secrets and personal data redacted; on a
//! failure nothing reaches stdout (fail closed).

use std::io::{Read as _, Write as _};

use super::cli::SanitizeArgs;
use super::output;
use super::settings::Settings;
use crate::error::{Error, Result};

pub fn run(settings: &Settings, args: SanitizeArgs) -> Result<u8> {
    let sanitizer = settings.sanitizer()?;
    let (name, bytes) = match args.file.as_deref() {
        None => ("stdin".to_string(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("stdin".to_string(), read_stdin()?),
        Some(p) => (
            p.display().to_string(),
            std::fs::read(p).map_err(|e| Error::io(p, e))?,
        ),
    };
    let text = String::from_utf8_lossy(&bytes);
    if let std::borrow::Cow::Owned(_) = text {
        eprintln!("warning: {name} is not valid UTF-8; invalid bytes were replaced with U+FFFD");
    }
    let out = sanitizer.sanitize(&text).map_err(|e| Error::Sanitize {
        what: name,
        message: e.to_string(),
    })?;
    output::print(&out.text)?;
    if args.report {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{}", out.report);
        let _ = writeln!(err, "total\t{}", out.report.total());
    }
    Ok(0)
}

fn read_stdin() -> Result<Vec<u8>> {
    let mut buf = Vec::new();
    std::io::stdin()
        .lock()
        .read_to_end(&mut buf)
        .map_err(|e| Error::io("stdin", e))?;
    Ok(buf)
}
