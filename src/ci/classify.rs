//! The kind of a failure, from what the failing step's log showed and, when the log names
//! no tool, from the step's command (`cargo clippy` lints, `helm upgrade` deploys).

use super::signals::Signal;
use crate::model::ci::FailureKind;

/// What the failing step's log showed, as far as the kind depends on it.
pub(super) struct Evidence<'a> {
    pub title: &'a str,
    /// A runner annotation or line said timeout, cancellation, lost runner, full disk.
    pub infrastructure: bool,
    /// A line said missing credentials or permission.
    pub secret: bool,
    /// Secret-looking variables the step received empty.
    pub empty_secrets: &'a [String],
}

/// The runner's own verdict first, then what the first error line says; a test or lint
/// failure is not re-labelled by a credential word in its output, while a build or deploy
/// that also said "denied" is.
pub(super) fn decide_kind(s: &Evidence<'_>, first: Option<&Signal>) -> FailureKind {
    use FailureKind::*;
    let first_kind = first.and_then(|f| f.kind);
    if s.infrastructure {
        return Infrastructure;
    }
    if let Some(k @ (SecretPermission | Test | Lint)) = first_kind {
        return k;
    }
    if s.secret {
        return SecretPermission;
    }
    if let Some(k @ (Build | Dependency | Deploy)) = first_kind {
        return k;
    }
    if !s.empty_secrets.is_empty() {
        return SecretPermission;
    }
    kind_of_command(s.title).unwrap_or(Unknown)
}

/// The kind a step's command suggests: `cargo clippy` lints, `helm upgrade` deploys.
pub fn kind_of_command(title: &str) -> Option<FailureKind> {
    const LINT: &[&str] = &[
        "clippy",
        "fmt",
        "lint",
        "eslint",
        "ruff",
        "flake8",
        "pylint",
        "golangci",
        "prettier",
        "black",
        "isort",
        "mypy",
        "hadolint",
        "shellcheck",
        "rubocop",
        "stylelint",
        "ktlint",
        "checkstyle",
        "spotless",
        "go vet",
        "detekt",
    ];
    const TEST: &[&str] = &[
        "test", "pytest", "jest", "vitest", "mocha", "rspec", "ctest", "verify", "tox", "nox",
    ];
    const DEPLOY: &[&str] = &[
        "kubectl",
        "helm",
        "kustomize",
        "argocd",
        "flux ",
        "deploy",
        "skaffold",
        "rollout",
        "release",
        "terraform apply",
    ];
    const BUILD: &[&str] = &[
        "build",
        "docker",
        "compile",
        "package",
        "assemble",
        "make",
        "tsc",
        "webpack",
        "goreleaser",
        "install",
    ];
    let t = title.to_ascii_lowercase();
    let has = |words: &[&str]| words.iter().any(|w| t.contains(w));
    [
        (LINT, FailureKind::Lint),
        (TEST, FailureKind::Test),
        (DEPLOY, FailureKind::Deploy),
        (BUILD, FailureKind::Build),
    ]
    .into_iter()
    .find(|(words, _)| has(words))
    .map(|(_, k)| k)
}

pub(super) fn tool_of_command(title: &str) -> Option<&'static str> {
    const TOOLS: &[(&str, &str)] = &[
        ("cargo", "cargo"),
        ("pytest", "pytest"),
        ("go test", "go"),
        ("go build", "go"),
        ("npm", "npm"),
        ("yarn", "npm"),
        ("pnpm", "npm"),
        ("jest", "jest"),
        ("mvn", "maven"),
        ("gradle", "gradle"),
        ("docker", "docker"),
        ("kubectl", "kubectl"),
        ("helm", "helm"),
    ];
    let t = title.to_ascii_lowercase();
    TOOLS.iter().find(|(w, _)| t.contains(w)).map(|(_, n)| *n)
}
