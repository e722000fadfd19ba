//! The outbound gate cannot be bypassed: every place that can send bytes off the machine
//! (HTTP clients, GitHub writes, git pushes, MCP answers, `watch --headless` lines, bundle
//! files) lives in a module that takes `sanitize::Outbound` for them, and a new such place
//! anywhere else fails this test until it is routed through the gate and listed here.

use std::path::{Path, PathBuf};

/// A code shape that sends bytes somewhere, and the only files allowed to hold it.
struct Sink {
    what: &'static str,
    pattern: &'static str,
    allowed: &'static [&'static str],
}

/// Modules that send: each must take `Outbound` for what it sends.
const SINKS: &[Sink] = &[
    Sink {
        what: "an HTTP client",
        pattern: "reqwest::Client",
        allowed: &["src/notify/slack.rs", "src/llm/provider.rs"],
    },
    Sink {
        what: "an LLM request",
        pattern: "chat().create",
        allowed: &["src/llm/provider.rs"],
    },
    Sink {
        what: "a pull request",
        pattern: ".pulls(",
        allowed: &["src/remediate/forge.rs"],
    },
    Sink {
        what: "a GitHub issue, comment or label",
        pattern: ".issues(",
        allowed: &["src/remediate/forge.rs", "src/notify/github_issue.rs"],
    },
    Sink {
        what: "a GitHub comment",
        pattern: "create_comment",
        allowed: &["src/notify/github_issue.rs"],
    },
    Sink {
        what: "an MCP tool result",
        pattern: "CallToolResult::",
        allowed: &["src/mcp/output.rs"],
    },
    Sink {
        what: "an MCP resource",
        pattern: "ReadResourceResult::",
        allowed: &["src/mcp/output.rs"],
    },
    Sink {
        what: "an MCP prompt",
        pattern: "PromptMessage::",
        allowed: &["src/mcp/output.rs"],
    },
    Sink {
        what: "a watch --headless line",
        pattern: "writeln!(self.out",
        allowed: &["src/watch/headless.rs"],
    },
    Sink {
        what: "a bundle archive",
        pattern: "tar::Builder",
        allowed: &["src/source/bundle.rs"],
    },
];

/// `git` run as a process: pushes go through `remediate/git.rs` (which takes `Outbound` for
/// the commit message and the branch); the others only read the user's config.
const GIT_COMMAND: &str = "Command::new(\"git\")";
const GIT_ALLOWED: &[&str] = &[
    "src/remediate/git.rs",
    // Reads `remote.NAME.url`.
    "src/github.rs",
    // Its tests build a repository to read the remote from.
    "src/source/ci/repo.rs",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("readable src/") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn sources() -> Vec<(String, String)> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let rel = p
                .strip_prefix(&root)
                .expect("under the crate")
                .to_string_lossy()
                .replace('\\', "/");
            let text = std::fs::read_to_string(&p).expect("utf-8 source");
            (rel, text)
        })
        .collect()
}

#[test]
fn every_sink_is_in_a_module_that_takes_outbound() {
    let sources = sources();
    let mut wrong = Vec::new();
    for sink in SINKS {
        for (rel, text) in &sources {
            if text.contains(sink.pattern) && !sink.allowed.contains(&rel.as_str()) {
                wrong.push(format!(
                    "{rel} builds {} ({}) outside the gated sinks {:?}: take a sanitize::Outbound for its bytes and list it here",
                    sink.what, sink.pattern, sink.allowed
                ));
            }
        }
        for allowed in sink.allowed {
            let (_, text) = sources
                .iter()
                .find(|(rel, _)| rel == allowed)
                .unwrap_or_else(|| panic!("{allowed} is listed but does not exist"));
            if !text.contains("Outbound") {
                wrong.push(format!(
                    "{allowed} sends {} but never names sanitize::Outbound",
                    sink.what
                ));
            }
        }
    }
    for (rel, text) in &sources {
        if text.contains(GIT_COMMAND) && !GIT_ALLOWED.contains(&rel.as_str()) {
            wrong.push(format!(
                "{rel} runs git outside remediate/git.rs: pushes must take Outbound"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn outbound_has_no_public_constructor() {
    let (_, text) = sources()
        .into_iter()
        .find(|(rel, _)| rel == "src/sanitize/outbound.rs")
        .expect("the gate's module");
    let def = text
        .split("pub struct Outbound<T> {")
        .nth(1)
        .and_then(|rest| rest.split('}').next())
        .expect("Outbound is a struct with named fields");
    assert!(
        !def.contains("pub "),
        "Outbound's fields must stay private to the gate:\n{def}"
    );
    for forbidden in [
        "impl<T> From<T> for Outbound",
        "Deserialize for Outbound",
        "Default for Outbound",
    ] {
        assert!(
            !text.contains(forbidden),
            "{forbidden} would let bytes skip the gate"
        );
    }
}
