//! Library errors. Each says what went wrong and names the file, flag or object; `hint()`
//! says what to do next. The binary prints both and maps `exit_code()` to the process.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{}: no such file or directory", path.display())]
    NotFound { path: PathBuf },

    #[error("{}: not a bundle (no meta.json, nodes.json, or <namespace>/pods.json inside)", path.display())]
    NotABundle { path: PathBuf },

    #[error("{}:{line}:{column}: {message}", path.display())]
    Malformed {
        path: PathBuf,
        line: usize,
        column: usize,
        message: String,
    },

    #[error("{}: {message}", path.display())]
    NotKubernetes { path: PathBuf, message: String },

    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },

    #[error("kubeconfig: {message}")]
    Kubeconfig { message: String, hint: String },

    #[error("context \"{context}\" not found in kubeconfig (available: {})", available.join(", "))]
    UnknownContext {
        context: String,
        available: Vec<String>,
    },

    #[error("cannot reach the API server {server} (context {context}): {message}")]
    Unreachable {
        server: String,
        context: String,
        message: String,
    },

    #[error("TLS error talking to {server} (context {context}): {message}")]
    Certificate {
        server: String,
        context: String,
        message: String,
    },

    #[error("{what}: the API server answered {code} {reason}: {message}")]
    Api {
        what: String,
        code: u16,
        reason: String,
        message: String,
    },

    #[error("timed out after {seconds}s {what}")]
    Timeout { what: String, seconds: u64 },

    #[error("{}: {message}", path.as_deref().map_or("configuration".into(), |p| p.display().to_string()))]
    Config {
        path: Option<PathBuf>,
        message: String,
        hint: String,
    },

    /// A GitHub API call failed; `status` is the HTTP status when GitHub answered.
    #[error("{what}: {}{message}", status.map(|s| format!("GitHub answered {s}: ")).unwrap_or_default())]
    Github {
        what: String,
        status: Option<u16>,
        message: String,
        hint: String,
    },

    /// Posting to a chat or notification endpoint failed.
    #[error("{target}: {message}")]
    Notify {
        target: String,
        message: String,
        hint: String,
    },

    /// Sanitizing failed; nothing was sent or written (fail closed).
    #[error("sanitizing {what} failed, so nothing was sent or written: {message}")]
    Sanitize { what: String, message: String },

    /// k8sops refused to write a change: policy, no confirmation, several candidate
    /// sources, or a remedy that is no manifest edit. Nothing was written (exit 4).
    #[error("refused: {reason}")]
    Refused { reason: String, hint: String },

    /// A git command failed; `what` says which step ("pushing k8sops/… to origin").
    #[error("{what}: {message}")]
    Git {
        what: String,
        message: String,
        hint: String,
    },

    /// The GitOps repository holds no source for the object, or not in a form k8sops edits.
    #[error("{target}: {message}")]
    Locate {
        target: String,
        message: String,
        hint: String,
    },

    /// A paste (`diagnose -f`, MCP `diagnose_text`) holds nothing kubectl prints.
    #[error("found nothing kubectl prints in {name}")]
    NothingPasted { name: String, understood: String },

    /// A command-line or tool-call mistake, named by the flag or parameter it came from.
    #[error("{flag}: {message}")]
    Usage {
        flag: String,
        message: String,
        hint: String,
    },

    /// A value a library function was handed and cannot use. The library names the input;
    /// the command layer names the flag or setting it came from (`cmd::flag_of`).
    #[error("{input}: {message}")]
    Invalid {
        input: Input,
        message: String,
        hint: String,
    },
}

/// What a library function was given, named without a command line in mind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Input {
    /// The GitOps clone the fix flow edits.
    Repository,
    /// `OWNER/NAME` of the GitHub repository pull requests go to.
    GithubRepository,
    /// Which hypothesis of a diagnosis to fix.
    Hypothesis,
    /// Where a bundle is written.
    Output,
    /// The namespace and label selector a collection is scoped to.
    Scope,
    /// A label selector.
    Selector,
    /// An earlier report to compare with.
    PreviousReport,
    /// A directory of labelled scenarios.
    Scenarios,
}

impl std::fmt::Display for Input {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Input::Repository => "GitOps repository",
            Input::GithubRepository => "GitHub repository",
            Input::Hypothesis => "hypothesis",
            Input::Output => "output",
            Input::Scope => "scope",
            Input::Selector => "label selector",
            Input::PreviousReport => "previous report",
            Input::Scenarios => "scenarios",
        })
    }
}

impl Error {
    /// What the user can do about it.
    pub fn hint(&self) -> String {
        match self {
            Error::NotFound { path } if path.extension().is_some_and(|e| e == "toml") => {
                "create the file, or unset --config / K8SOPS_CONFIG to run with defaults".into()
            }
            Error::NotFound { .. } => "check the path; --from takes a bundle directory, a .tar.gz bundle, or a JSON/YAML file from `kubectl get -o json`".into(),
            Error::NotABundle { .. } => "write one with `k8sops snapshot -o DIR` or `kubectl cluster-info dump --output-directory DIR -A`".into(),
            Error::Malformed { path, .. } if path.extension().is_some_and(|e| e == "toml") => {
                "fix the config file; `k8sops config show` prints every table and key it accepts".into()
            }
            Error::Malformed { .. } => "fix or remove the file; bundles hold the JSON that `kubectl get -o json` prints".into(),
            Error::NotKubernetes { .. } => "pass a Kubernetes List or object (`kubectl get pods -o json`), or a bundle directory".into(),
            Error::NothingPasted { understood, .. } => format!("paste what kubectl printed: {understood}"),
            Error::Io { .. } => "check the file's permissions and that the disk is not full".into(),
            Error::Kubeconfig { hint, .. }
            | Error::Usage { hint, .. }
            | Error::Invalid { hint, .. }
            | Error::Config { hint, .. }
            | Error::Github { hint, .. }
            | Error::Notify { hint, .. }
            | Error::Refused { hint, .. }
            | Error::Git { hint, .. }
            | Error::Locate { hint, .. } => hint.clone(),
            Error::Sanitize { .. } => "check the [sanitize] rules in the config file (`k8sops config show`); this is a bug if it happens with the built-in rules".into(),
            Error::UnknownContext { .. } => "pick one with --context NAME (see `kubectl config get-contexts`)".into(),
            Error::Unreachable { .. } => "check the cluster is up and the kubeconfig's server URL (`kubectl cluster-info`), VPN or proxy".into(),
            Error::Certificate { .. } => "the kubeconfig's certificate-authority data does not match the server; refresh the kubeconfig from your provider".into(),
            Error::Api { code: 401, .. } => "your credentials were rejected; refresh them (e.g. re-run your cloud provider's get-credentials)".into(),
            Error::Api { code: 403, .. } => "ask for list/get access (`kubectl auth can-i list pods -A`), or narrow the scope with -n".into(),
            Error::Api { .. } => "the API server had a problem; retry, or run with --from on a bundle".into(),
            Error::Timeout { .. } => "raise --timeout, or narrow the scope with -n / -l".into(),
        }
    }

    /// The process exit code (DESIGN §5): 4 when k8sops refused to write a change, 2 for
    /// usage, config and input errors.
    pub fn exit_code(&self) -> i32 {
        match self {
            Error::Refused { .. } => 4,
            _ => 2,
        }
    }

    /// An I/O error on `path`; a missing file becomes [`Error::NotFound`].
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        let path = path.into();
        if source.kind() == std::io::ErrorKind::NotFound {
            Error::NotFound { path }
        } else {
            Error::Io { path, source }
        }
    }
}

pub type Result<T, E = Error> = std::result::Result<T, E>;
