//! Writing a command's result: stdout that tolerates a closed pipe (`| head`), warnings on
//! stderr, and a diagnosis list in the format `-o` asks for.

use std::io::Write as _;

use crate::error::{Error, Result};
use crate::rca::DiagnosisList;
use crate::render::{self, Format};

/// Writes `text` to stdout; a closed pipe is not an error worth a message.
pub fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("stdout", e)),
        _ => Ok(()),
    }
}

/// Prints each warning on stderr.
pub fn warn_all<'a>(warnings: impl IntoIterator<Item = &'a String>) {
    let mut err = std::io::stderr().lock();
    for w in warnings {
        let _ = writeln!(err, "warning: {w}");
    }
}

/// A diagnosis list as `-o` asks.
pub fn diagnoses(
    format: Format,
    list: &DiagnosisList,
    now: jiff::Timestamp,
    color: bool,
) -> String {
    match format {
        Format::Json => render::json(list),
        Format::Markdown => render::markdown(list, now),
        Format::Text => render::text(list, now, color),
    }
}
