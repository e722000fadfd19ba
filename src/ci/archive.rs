//! A run's log archive (`GET …/actions/runs/ID/logs`, a zip): one `N_<job>.txt` per job
//! with its whole log, and a `<job>/N_<step>.txt` per step (absent in some archives). Job
//! names are mangled into file names (`/`, `:` and friends dropped or replaced), so a job is
//! found by its name with everything but letters and digits removed.

use std::io::{Cursor, Read as _};

/// Bytes read from one entry at most: a runner log beyond this is not worth the memory, and
/// a zip bomb stops here.
const MAX_ENTRY: u64 = 256 << 20;

/// The log files of one archive, by path.
pub struct Archive {
    files: Vec<(String, String)>,
}

impl Archive {
    /// Reads every `.txt` entry of a zip.
    pub fn read(bytes: &[u8]) -> Result<Archive, String> {
        let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| e.to_string())?;
        let mut files = Vec::new();
        for i in 0..zip.len() {
            let mut entry = zip.by_index(i).map_err(|e| e.to_string())?;
            if entry.is_dir() {
                continue;
            }
            let name = entry.name().map_err(|e| e.to_string())?.into_owned();
            if !name.ends_with(".txt") {
                continue;
            }
            let mut data = Vec::new();
            (&mut entry)
                .take(MAX_ENTRY)
                .read_to_end(&mut data)
                .map_err(|e| format!("{name}: {e}"))?;
            files.push((name, String::from_utf8_lossy(&data).into_owned()));
        }
        Ok(Archive { files })
    }

    /// The whole log of job `name`: its top-level file, else its step files in order.
    pub fn job_log(&self, name: &str) -> Option<String> {
        let want = normalize(name);
        let top = self
            .files
            .iter()
            .find(|(path, _)| !path.contains('/') && normalize(strip_number(stem(path))) == want);
        if let Some((_, text)) = top {
            return Some(text.clone());
        }
        let mut steps: Vec<(u32, &str)> = self
            .files
            .iter()
            .filter_map(|(path, text)| {
                let (dir, file) = path.split_once('/')?;
                if normalize(dir) != want {
                    return None;
                }
                let n = stem(file).split('_').next()?.parse().ok()?;
                Some((n, text.as_str()))
            })
            .collect();
        if steps.is_empty() {
            return None;
        }
        steps.sort_by_key(|(n, _)| *n);
        Some(steps.iter().map(|(_, t)| *t).collect::<Vec<_>>().join("\n"))
    }
}

fn stem(file: &str) -> &str {
    file.strip_suffix(".txt").unwrap_or(file)
}

/// `3_build (ubuntu-latest)` → `build (ubuntu-latest)`.
fn strip_number(stem: &str) -> &str {
    match stem.split_once('_') {
        Some((n, rest)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => rest,
        _ => stem,
    }
}

fn normalize(s: &str) -> String {
    s.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

#[cfg(test)]
mod tests {
    use std::io::Write as _;

    use super::*;

    fn zip(files: &[(&str, &str)]) -> Vec<u8> {
        let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let opts = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, text) in files {
            w.start_file(*name, opts).expect("entry");
            w.write_all(text.as_bytes()).expect("write");
        }
        w.finish().expect("finish").into_inner()
    }

    #[test]
    fn a_job_is_found_by_its_mangled_name() {
        let bytes = zip(&[
            ("0_lint.txt", "lint log"),
            ("1_build _ubuntu-latest, 1.80_.txt", "build log"),
            ("build _ubuntu-latest, 1.80_/1_Set up job.txt", "step 1"),
        ]);
        let a = Archive::read(&bytes).expect("reads");
        assert_eq!(
            a.job_log("build (ubuntu-latest, 1.80)").as_deref(),
            Some("build log")
        );
        assert_eq!(a.job_log("lint").as_deref(), Some("lint log"));
        assert_eq!(a.job_log("deploy"), None);
    }

    #[test]
    fn without_a_job_file_the_step_files_are_joined_in_order() {
        let bytes = zip(&[
            ("test/10_Post Run actions_checkout@v4.txt", "post"),
            ("test/2_Run cargo test.txt", "two"),
            ("test/1_Set up job.txt", "one"),
        ]);
        let a = Archive::read(&bytes).expect("reads");
        assert_eq!(a.job_log("test").as_deref(), Some("one\ntwo\npost"));
    }

    #[test]
    fn not_a_zip_is_an_error() {
        assert!(Archive::read(b"<html>not a zip</html>").is_err());
    }
}
