//! The table: one row per literal a tool or the runner prints when something fails, where
//! the literal must sit, what role the line plays, which tool and kind it points at, and a
//! check of the line's shape. Kept one row per line (rustfmt would spread each over seven).

use super::Class::{self, *};
use crate::model::ci::FailureKind::{
    self, Build, Dependency, Deploy, Infrastructure, Lint, SecretPermission, Test,
};

/// Where a literal must sit in the line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Anchor {
    /// After leading whitespace.
    Start,
    /// At column 0.
    Column0,
    Anywhere,
}
use Anchor::*;

pub(super) struct Pattern {
    pub literal: &'static str,
    pub anchor: Anchor,
    pub class: Class,
    /// Empty for the catch-alls that no known tool claims.
    pub tool: &'static str,
    pub kind: Option<FailureKind>,
    /// Confirms the shape; gets the whole line.
    pub check: fn(&str) -> bool,
}

fn any(_: &str) -> bool {
    true
}

macro_rules! p {
    ($lit:literal, $anchor:ident, $class:ident, $tool:literal, $kind:expr) => {
        p!($lit, $anchor, $class, $tool, $kind, any)
    };
    ($lit:literal, $anchor:ident, $class:ident, $tool:literal, $kind:expr, $check:expr) => {
        Pattern {
            literal: $lit,
            anchor: $anchor,
            class: $class,
            tool: $tool,
            kind: $kind,
            check: $check,
        }
    };
}

#[rustfmt::skip]
pub(super) static PATTERNS: &[Pattern] = &[
    // The runner: timeouts, cancellations, lost runners, full disks.
    p!("has exceeded the maximum execution time", Anywhere, Primary, "actions", Some(Infrastructure)),
    p!("has timed out after", Anywhere, Primary, "actions", Some(Infrastructure), |l| l.contains("The action")),
    p!("The operation was canceled.", Anywhere, Primary, "actions", Some(Infrastructure)),
    p!("lost communication with the server", Anywhere, Primary, "actions", Some(Infrastructure)),
    p!("The runner has received a shutdown signal", Anywhere, Primary, "actions", Some(Infrastructure)),
    p!("No space left on device", Anywhere, Primary, "actions", Some(Infrastructure)),
    // Out of memory, whatever runs out of it.
    p!("OutOfMemoryError", Anywhere, Primary, "java", Some(Infrastructure)),
    p!("JavaScript heap out of memory", Anywhere, Primary, "node", Some(Infrastructure)),
    p!("Cannot allocate memory", Anywhere, Primary, "runner", Some(Infrastructure)),
    // What a step's failure ends with: consequences, shown under the cause, never the cause
    // while one precedes them.
    p!("Process completed with exit code", Anywhere, Wrapper, "actions", None),
    p!("buildx failed with", Anywhere, Wrapper, "docker", Some(Build)),
    p!("marked build as failure", Anywhere, Wrapper, "jenkins", None, |l| l.trim_start().starts_with("Build step ")),
    p!("ERROR: Step ", Start, Wrapper, "jenkins", None, |l| l.contains(" failed") || l.contains(" aborted")),
    p!("ERROR: Job failed", Start, Wrapper, "gitlab", None),
    p!("ERROR: script returned exit code", Start, Wrapper, "jenkins", None),
    p!("*** [", Anywhere, Wrapper, "make", None, |l| l.trim_start().starts_with("make")),
    // Banners: a tool's verdict in words, never shown.
    p!("Finished: FAILURE", Column0, Banner, "jenkins", None),
    p!("BUILD FAILURE", Anywhere, Banner, "maven", None, |l| l.trim_end().ends_with("BUILD FAILURE")),
    p!(" FAILURE [", Anywhere, Banner, "maven", None, |l| l.contains(" ..")),
    p!("BUILD FAILED", Start, Banner, "gradle", None),
    p!("* What went wrong:", Start, Banner, "gradle", None),
    p!("actionable task", Anywhere, Banner, "gradle", None, |l| l.trim_start().starts_with(|c: char| c.is_ascii_digit())),
    p!("-> [Help ", Anywhere, Banner, "maven", None),
    p!("[Help ", Start, Banner, "maven", None, |l| l.contains("] http")),
    p!("To see the full stack trace of the errors", Anywhere, Banner, "maven", None),
    p!("Re-run Maven using the -X switch", Anywhere, Banner, "maven", None),
    p!("For more information about the errors and possible solutions", Anywhere, Banner, "maven", None),
    p!("After correcting the problems, you can resume the build", Anywhere, Banner, "maven", None),
    p!(" -rf :", Anywhere, Banner, "maven", None, |l| l.contains("mvn ")),
    p!("A complete log of this run can be found in", Anywhere, Banner, "npm", None),
    // Dependencies that cannot be resolved or fetched.
    p!("Could not resolve dependencies for project", Anywhere, Primary, "maven", Some(Dependency)),
    p!(" could not be resolved: ", Anywhere, Primary, "maven", Some(Dependency), |l| l.contains("[ERROR]")),
    p!("Could not resolve all ", Start, Primary, "gradle", Some(Dependency)),
    p!("No matching distribution found for", Anywhere, Primary, "pip", Some(Dependency)),
    p!("Could not find a version that satisfies the requirement", Anywhere, Primary, "pip", Some(Dependency)),
    p!("missing go.sum entry", Anywhere, Primary, "go", Some(Dependency)),
    p!("failed to select a version for", Anywhere, Primary, "cargo", Some(Dependency)),
    p!("Couldn't find any versions for", Anywhere, Primary, "yarn", Some(Dependency)),
    // Missing secrets and permissions.
    p!("Input required and not supplied:", Anywhere, Primary, "actions", Some(SecretPermission)),
    p!("Username and password required", Anywhere, Primary, "actions", Some(SecretPermission)),
    p!("Resource not accessible by integration", Anywhere, Primary, "actions", Some(SecretPermission)),
    p!("Resource not accessible by personal access token", Anywhere, Primary, "actions", Some(SecretPermission)),
    p!("Bad credentials", Anywhere, Primary, "actions", Some(SecretPermission)),
    p!("Could not load credentials from any providers", Anywhere, Primary, "aws", Some(SecretPermission)),
    p!("Permission to ", Anywhere, Primary, "git", Some(SecretPermission), |l| l.contains(" denied to ")),
    p!("The requested URL returned error: 40", Anywhere, Primary, "git", Some(SecretPermission),
        |l| l.contains("error: 401") || l.contains("error: 403")),
    p!("You must be logged in to the server", Anywhere, Primary, "kubectl", Some(SecretPermission)),
    // No kubeconfig at all: kubectl and helm fall back to localhost:8080.
    p!("localhost:8080", Anywhere, Generic, "kubectl", Some(SecretPermission),
        |l| l.contains("the server localhost:8080") || l.contains("Kubernetes cluster unreachable")),
    p!("denied: ", Anywhere, Generic, "docker", Some(SecretPermission), is_denied),
    p!("unauthorized: ", Anywhere, Generic, "docker", Some(SecretPermission)),
    // Rust.
    p!("error[E", Start, Primary, "cargo", Some(Build)),
    p!("error: could not compile", Start, Summary, "cargo", Some(Build)),
    p!("error: test failed", Start, Summary, "cargo", Some(Test)),
    p!("' panicked at ", Anywhere, Primary, "cargo", Some(Test), |l| l.trim_start().starts_with("thread '")),
    p!("test result: FAILED", Start, Summary, "cargo", Some(Test)),
    p!(" ... FAILED", Anywhere, TestName, "cargo", Some(Test), |l| l.trim_start().starts_with("test ")),
    p!("---- ", Start, TestName, "cargo", Some(Test), |l| l.trim_end().ends_with(" stdout ----")),
    p!("Diff in ", Start, Primary, "rustfmt", Some(Lint), |l| l.contains(" at line ")),
    // Python.
    p!("FAILED ", Start, Primary, "pytest", Some(Test), |l| l.contains("::")),
    p!("ERROR ", Start, Primary, "pytest", Some(Test), |l| l.contains(".py")),
    p!("E   ", Column0, Detail, "pytest", Some(Test)),
    p!(" failed", Anywhere, Summary, "pytest", Some(Test), |l| { let t = l.trim(); t.starts_with('=') && t.ends_with('=') }),
    p!("Traceback (most recent call last):", Start, Primary, "python", None),
    p!("would reformat ", Start, Primary, "black", Some(Lint)),
    p!("Found ", Start, Summary, "ruff", Some(Lint), |l| { let t = l.trim_end(); t.ends_with(" error.") || t.ends_with(" errors.") }),
    // Go. Jest writes `FAIL src/cart.test.ts` too; its `Tests:` line is the better summary.
    p!("--- FAIL: ", Start, Primary, "go", Some(Test)),
    p!("FAIL\t", Column0, Summary, "go", Some(Test)),
    p!("FAIL ", Column0, Summary, "go", Some(Test), |l| !names_js_file(l)),
    p!("panic: ", Start, Primary, "go", None),
    p!(".go:", Anywhere, Primary, "go", None, is_go_position),
    // JavaScript / TypeScript.
    p!("● ", Start, Primary, "jest", Some(Test), |l| l.contains(" › ")),
    p!("Tests:", Start, Summary, "jest", Some(Test), |l| l.contains(" failed")),
    // npm states its error as a code and a block under it; ELIFECYCLE only says a script failed.
    p!("npm ERR! code ", Start, Primary, "npm", None, |l| !l.contains("ELIFECYCLE")),
    p!("npm error code ", Start, Primary, "npm", None, |l| !l.contains("ELIFECYCLE")),
    p!("npm ERR! code ELIFECYCLE", Start, Wrapper, "npm", None),
    p!("npm error Lifecycle script", Start, Wrapper, "npm", None),
    p!("npm error command failed", Start, Wrapper, "npm", None),
    p!("npm ERR! ", Start, Generic, "npm", None),
    p!("npm error ", Start, Generic, "npm", None),
    p!("error TS", Anywhere, Primary, "tsc", Some(Build), is_tsc_error),
    p!("✖ ", Start, Summary, "eslint", Some(Lint), |l| l.contains(" problem")),
    p!("  error  ", Anywhere, Primary, "eslint", Some(Lint), is_eslint_error),
    // JVM.
    p!("[ERROR] Failed to execute goal", Start, Wrapper, "maven", None),
    p!("Exception in thread \"", Anywhere, Primary, "java", None),
    p!("[ERROR] COMPILATION ERROR", Start, Summary, "maven", Some(Build)),
    p!("[ERROR] Tests run:", Start, Summary, "maven", Some(Test)),
    p!("<<< FAILURE!", Anywhere, Primary, "maven", Some(Test), |l| !l.contains("Tests run:")),
    p!("<<< ERROR!", Anywhere, Primary, "maven", Some(Test), |l| !l.contains("Tests run:")),
    p!(".java:[", Anywhere, Primary, "maven", Some(Build), |l| l.contains("[ERROR]")),
    p!(".java:", Anywhere, Primary, "javac", Some(Build), |l| l.contains(": error: ")),
    p!("e: ", Start, Primary, "kotlin", Some(Build), |l| l.contains(".kt")),
    p!(" FAILED", Anywhere, Primary, "gradle", Some(Test), is_gradle_test),
    p!("> Task ", Start, Summary, "gradle", None, |l| l.trim_end().ends_with(" FAILED")),
    p!("Execution failed for task '", Start, Wrapper, "gradle", None),
    p!("FAILURE: Build failed with an exception.", Start, Banner, "gradle", None),
    // Images.
    // Buildx's verdicts: the failing step's own output above them is the cause.
    p!("ERROR: failed to solve:", Anywhere, Wrapper, "docker", Some(Build)),
    p!("ERROR: failed to build:", Anywhere, Wrapper, "docker", Some(Build)),
    p!(" ERROR: process \"", Anywhere, Wrapper, "docker", Some(Build), |l| l.trim_start().starts_with('#')),
    p!(" ERROR: failed to push", Anywhere, Primary, "docker", Some(Build), |l| l.trim_start().starts_with('#')),
    p!("returned a non-zero code:", Anywhere, Wrapper, "docker", Some(Build)),
    // Deploys.
    p!("error: error validating", Start, Primary, "kubectl", Some(Deploy)),
    p!("Error from server", Start, Primary, "kubectl", Some(Deploy)),
    p!("error: unable to recognize", Start, Primary, "kubectl", Some(Deploy)),
    p!("error: resource mapping not found", Start, Primary, "kubectl", Some(Deploy)),
    p!("exceeded its progress deadline", Anywhere, Primary, "kubectl", Some(Deploy)),
    p!("error: timed out waiting for the condition", Start, Primary, "kubectl", Some(Deploy)),
    p!(" is invalid: ", Anywhere, Primary, "kubectl", Some(Deploy), |l| l.trim_start().starts_with("The ")),
    p!("Unable to connect to the server", Start, Primary, "kubectl", Some(Infrastructure)),
    p!("The connection to the server ", Start, Primary, "kubectl", None),
    p!("Error: UPGRADE FAILED:", Start, Primary, "helm", Some(Deploy)),
    p!("Error: INSTALLATION FAILED:", Start, Primary, "helm", Some(Deploy)),
    p!("Error: Kubernetes cluster unreachable", Start, Primary, "helm", Some(Infrastructure)),
    p!("Error: template:", Start, Primary, "helm", Some(Deploy)),
    p!("Error: unable to build kubernetes objects", Start, Primary, "helm", Some(Deploy)),
    p!("curl: (", Start, Generic, "curl", None),
    // Anything else that states an error is `model::log_line`'s call (see `classify_line`).
];

/// A registry refusing a push or pull for want of permission or credentials.
fn is_denied(line: &str) -> bool {
    let l = line.to_ascii_lowercase();
    l.contains("permission")
        || l.contains("not allowed")
        || l.contains("access to the resource is denied")
}

/// `FAIL src/cart.test.ts`: jest's file line, not go's package line.
fn names_js_file(line: &str) -> bool {
    let file = line.split_whitespace().nth(1).unwrap_or("");
    [".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs"]
        .iter()
        .any(|x| file.ends_with(x))
}

/// `path/file.go:12:5: message` (build, vet, lint) at the start of a line.
fn is_go_position(line: &str) -> bool {
    let t = line.trim_start();
    let Some(at) = t.find(".go:") else {
        return false;
    };
    !t[..at].contains(' ')
        && t[at + 4..]
            .split(':')
            .next()
            .is_some_and(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
}

/// `src/a.ts(12,5): error TS2322:` or `src/a.ts:12:5 - error TS2322:`.
fn is_tsc_error(line: &str) -> bool {
    line.find("error TS").is_some_and(|at| {
        let rest = &line[at + 8..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        digits > 0 && rest[digits..].starts_with(':')
    })
}

/// `  12:5  error  'x' is assigned a value but never used  no-unused-vars`.
fn is_eslint_error(line: &str) -> bool {
    let pos = line.split_whitespace().next().unwrap_or("");
    matches!(pos.split_once(':'), Some((a, b)) if !a.is_empty() && !b.is_empty()
        && a.bytes().all(|c| c.is_ascii_digit()) && b.bytes().all(|c| c.is_ascii_digit()))
}

/// `OrderServiceTest > refundsPartially() FAILED` (not `> Task :test FAILED`).
fn is_gradle_test(line: &str) -> bool {
    let t = line.trim();
    t.ends_with(" FAILED") && t.contains(" > ") && !t.starts_with('>')
}
