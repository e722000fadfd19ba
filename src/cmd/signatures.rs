//! The user's error signatures: every `*.toml` in `<config dir>/signatures/`
//! (`$XDG_CONFIG_HOME/k8sops/signatures`, else `~/.config/k8sops/signatures`), in the format of
//! the built-in catalog, read once per invocation and handed to the analyzers before they run.
//! A bad file stops the command with one line naming the file, the signature and the field.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use crate::analyze::signatures::{self, Catalog};
use crate::env::Env;
use crate::error::{Error, Result};

const HINT: &str = "each [[signature]] needs id, category, match (a substring) or regex, cause and fix; `k8sops diagnose --help` shows an example";

/// Reads the user's signature files (none is fine) and installs them with the built-in ones.
pub fn install(env: &Env<'_>) -> Result<()> {
    let Some(dir) = env.config_dir().map(|d| d.join("signatures")) else {
        return Ok(());
    };
    let files = match toml_files(&dir) {
        Ok(files) => files,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(Error::io(&dir, e)),
    };
    if files.is_empty() {
        return Ok(());
    }
    let mut all = Vec::new();
    let mut defined_in: HashMap<String, PathBuf> = HashMap::new();
    for file in files {
        let text = std::fs::read_to_string(&file).map_err(|e| Error::io(&file, e))?;
        let parsed = signatures::parse(&text).map_err(|e| invalid(&file, e.to_string()))?;
        for s in &parsed {
            if let Some(other) = defined_in.insert(s.id.clone(), file.clone()) {
                return Err(invalid(
                    &file,
                    format!(
                        "signature \"{}\", field `id`: also defined in {}",
                        s.id,
                        other.display()
                    ),
                ));
            }
        }
        all.extend(parsed);
    }
    let catalog = Catalog::with_user(all).map_err(|e| {
        invalid(
            &dir,
            format!(
                "the signatures together are too large to compile ({})",
                e.to_string().lines().last().unwrap_or("")
            ),
        )
    })?;
    signatures::install(catalog);
    Ok(())
}

fn invalid(path: &Path, message: String) -> Error {
    Error::Config {
        path: Some(path.to_path_buf()),
        message,
        hint: HINT.into(),
    }
}

/// The directory's `*.toml` files, sorted so the order signatures are tried in is stable.
fn toml_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file() && p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    Ok(files)
}
