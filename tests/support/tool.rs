//! External programs the integration tests drive — kubectl, Chromium, kubernetes-validate,
//! the MCP Python SDK, git — and the one rule for a missing one: under CI (`CI=true`) the
//! test fails, naming the program and how `.ci/run` installs it; elsewhere it prints one
//! `SKIP` line naming the test, the program and how to get it, and returns. A test that did
//! not run never passes silently: `.config/nextest.toml` shows the output of these tests
//! although they pass, so the SKIP line reaches the terminal under `cargo nextest run` — a
//! new test that calls [`require`] goes in its filter too.
//!
//! ```ignore
//! let Some(kubectl) = support::tool::require(&support::tool::KUBECTL) else {
//!     return;
//! };
//! ```

use std::path::PathBuf;
use std::process::{Command, Stdio};

/// A program a test needs, and where it is looked for.
pub struct Tool {
    /// What the messages call it.
    pub name: &'static str,
    /// A variable naming the program, read before `PATH` (the venvs `.ci/run` creates).
    pub env: Option<&'static str>,
    /// File names searched on `PATH`, in order.
    pub binaries: &'static [&'static str],
    /// Where `.ci/run` puts it when no variable names it, relative to the temp dir.
    pub in_temp: Option<&'static str>,
    /// Arguments the program must accept with success to count as present (an import of
    /// the SDK in a python that may lack it).
    pub probe: &'static [&'static str],
    /// How `.ci/run` installs it, which is also how a developer gets it.
    pub install: &'static str,
}

pub const KUBECTL: Tool = Tool {
    name: "kubectl",
    env: None,
    binaries: &["kubectl"],
    in_temp: None,
    probe: &[],
    install: "apt-get install kubernetes-client",
};

pub const CHROMIUM: Tool = Tool {
    name: "chromium",
    env: None,
    binaries: &["chromium", "chromium-browser"],
    in_temp: None,
    probe: &[],
    install: "apt-get install chromium",
};

pub const GIT: Tool = Tool {
    name: "git",
    env: None,
    binaries: &["git"],
    in_temp: None,
    probe: &[],
    install: "apt-get install git",
};

pub const KUBERNETES_VALIDATE: Tool = Tool {
    name: "kubernetes-validate",
    env: Some("KUBERNETES_VALIDATE"),
    binaries: &["kubernetes-validate"],
    in_temp: Some("k8sops-ci-kubernetes-validate/bin/kubernetes-validate"),
    probe: &[],
    install: "python3 -m venv /tmp/k8sops-ci-kubernetes-validate && \
              /tmp/k8sops-ci-kubernetes-validate/bin/pip install kubernetes-validate==1.37.0, \
              or set KUBERNETES_VALIDATE",
};

pub const MCP_PYTHON_SDK: Tool = Tool {
    name: "the MCP Python SDK",
    env: Some("K8SOPS_MCP_PYTHON"),
    binaries: &[],
    in_temp: Some("k8sops-ci-mcp/bin/python"),
    probe: &["-c", "import mcp"],
    install: "python3 -m venv /tmp/k8sops-ci-mcp && /tmp/k8sops-ci-mcp/bin/pip install mcp==2.3.0, \
              or set K8SOPS_MCP_PYTHON to a python that has it",
};

/// The program's path; `None` after printing the SKIP line when it is missing outside CI.
///
/// # Panics
///
/// Under CI, when the program is missing: CI must run every test.
#[must_use]
pub fn require(tool: &Tool) -> Option<PathBuf> {
    if let Some(path) = find(tool) {
        return Some(path);
    }
    assert!(
        !on_ci(),
        "{} is missing: .ci/run installs it ({}); under CI every test must run",
        tool.name,
        tool.install
    );
    eprintln!(
        "SKIP {}: {} not found (get it with: {})",
        test_name(),
        tool.name,
        tool.install
    );
    None
}

/// The same rule for data a test reads from outside the repository: `true` when `path`
/// exists; else a failure under CI, a SKIP line naming the test, `what` and `how` elsewhere.
pub fn require_dir(what: &str, path: &std::path::Path, how: &str) -> bool {
    if path.is_dir() {
        return true;
    }
    assert!(
        !on_ci(),
        "{what} is missing at {}: {how}; under CI every test must run",
        path.display()
    );
    eprintln!(
        "SKIP {}: {what} not found at {} ({how})",
        test_name(),
        path.display()
    );
    false
}

fn find(tool: &Tool) -> Option<PathBuf> {
    let named = tool.env.and_then(std::env::var_os).map(PathBuf::from);
    let on_path = std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .flat_map(|dir| tool.binaries.iter().map(move |b| dir.join(b)))
            .find(|p| p.is_file())
    });
    let in_temp = tool.in_temp.map(|rel| std::env::temp_dir().join(rel));
    // A variable that names a program wins even when the program is broken, so that a
    // wrong setting is reported rather than papered over by another copy.
    let candidate = match named {
        Some(path) => Some(path),
        None => on_path.or(in_temp),
    }?;
    works(&candidate, tool.probe).then_some(candidate)
}

fn works(path: &PathBuf, probe: &[&str]) -> bool {
    if probe.is_empty() {
        return path.is_file();
    }
    Command::new(path)
        .args(probe)
        .stdin(Stdio::null())
        .output()
        .is_ok_and(|o| o.status.success())
}

/// `CI=true` as GitHub Actions and `.ci/run` set it; `1` and other CIs' spellings count too.
fn on_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| !matches!(v.trim(), "" | "0" | "false" | "False"))
}

/// The running test as `binary::test`: libtest names each test's thread after the test (the
/// async tests poll their body on that thread), and cargo names the executable
/// `<binary>-<hash>`.
fn test_name() -> String {
    let test = std::thread::current()
        .name()
        .filter(|n| *n != "main")
        .map(str::to_string)
        .or_else(|| {
            // Run on the main thread (`--test-threads=1`): the test is the filter argument.
            std::env::args().skip(1).find(|a| !a.starts_with('-'))
        })
        .unwrap_or_else(|| "a test".to_string());
    let binary = std::env::current_exe().ok().and_then(|exe| {
        let stem = exe.file_stem()?.to_str()?.to_string();
        Some(
            stem.rsplit_once('-')
                .map_or(stem.clone(), |(b, _)| b.to_string()),
        )
    });
    match binary {
        Some(binary) => format!("{binary}::{test}"),
        None => test,
    }
}
