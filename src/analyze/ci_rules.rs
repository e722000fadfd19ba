//! The `ci-failure` rules: a failed run → one finding per failed job, with the sub-kind
//! (`test`, `build`, `lint`, `deploy`, `infrastructure`, `secret-permission`) as the `kind`
//! fact, evidence from the jobs API and the sanitized log, and fix steps for that kind.
//! `rca` ranks them like any other findings, so `ci diagnose` prints the same
//! `DiagnosisList` as `diagnose` (and an LLM engine can take it the same way).

use crate::analyze::{
    Category, Context, Evidence, EvidenceSource, Finding, Role, Severity, Strength,
};
use crate::model::ObjectRef;

use crate::model::ci::{Conclusion, Failure, FailureKind, JobSummary, RunSummary};

pub const ANALYZER: &str = "ci_failure";

/// `WorkflowRun acme/shop/deploy.yml#812`: what a human fixes; `CiLog build.log` for a log
/// read from a file (see [`is_local`]).
pub fn run_ref(repo: &str, run: &RunSummary) -> ObjectRef {
    if is_local(run) {
        return ObjectRef::new("CiLog", None, run.workflow_file.clone());
    }
    ObjectRef::new(
        "WorkflowRun",
        Some(repo),
        format!("{}#{}", run.workflow_file, run.number),
    )
}

/// A run that stands for a log read from a file or stdin (`ci diagnose --log`): id 0, the
/// file's name as its workflow file, no commit. GitHub never numbers a run 0.
pub fn is_local(run: &RunSummary) -> bool {
    run.id == 0
}

/// How the cause names where the failure happened: `job build (deploy.yml #812, commit
/// 4f2c9e1 on main)`, or the log's file name.
fn origin(run: &RunSummary, job: &JobSummary) -> String {
    match is_local(run) {
        true => run.workflow_file.clone(),
        false => format!("job {} ({}, {})", job.name, run.label(), where_(run)),
    }
}

/// `WorkflowJob acme/shop/deploy.yml#812/deploy`.
pub fn job_ref(repo: &str, run: &RunSummary, job: &JobSummary) -> ObjectRef {
    ObjectRef::new(
        "WorkflowJob",
        Some(repo),
        format!("{}#{}/{}", run.workflow_file, run.number, job.name),
    )
}

/// The sub-kind of a failed job: from its log when read, else from what the API says
/// (a cancelled or timed-out job, the failing step's name).
pub fn kind_of(job: &JobSummary) -> FailureKind {
    if let Some(f) = &job.failure {
        return f.kind;
    }
    match job.conclusion {
        Some(Conclusion::Cancelled | Conclusion::TimedOut) => FailureKind::Infrastructure,
        _ => job
            .failed_step()
            .and_then(|s| crate::ci::classify::kind_of_command(&s.name))
            .or_else(|| crate::ci::classify::kind_of_command(&job.name))
            .unwrap_or(FailureKind::Unknown),
    }
}

/// The failing step's name: the API's, else the log's.
pub fn step_of(job: &JobSummary) -> Option<&str> {
    job.failed_step()
        .map(|s| s.name.as_str())
        .or_else(|| job.failure.as_ref()?.step.as_deref())
}

/// One finding per failed job of `run` (one for the run when its jobs are unknown).
pub fn findings(repo: &str, run: &RunSummary) -> Vec<Finding> {
    let subject = run_ref(repo, run);
    let failed: Vec<&JobSummary> = run.failed_jobs().collect();
    if failed.is_empty() {
        return run_only(&subject, run).into_iter().collect();
    }
    failed
        .into_iter()
        .map(|job| job_finding(repo, &subject, run, job))
        .collect()
}

fn run_only(subject: &ObjectRef, run: &RunSummary) -> Option<Finding> {
    let conclusion = run.conclusion.as_ref().filter(|c| c.is_failure())?;
    let mut f = Finding::new(
        ANALYZER,
        Category::CiFailure,
        subject.clone(),
        subject.clone(),
        "run",
    );
    let kind = match conclusion {
        Conclusion::Cancelled | Conclusion::TimedOut => FailureKind::Infrastructure,
        _ => FailureKind::Unknown,
    };
    f = f
        .fact("kind", kind)
        .fact("run", run.number)
        .fact("workflow", &run.workflow_file)
        .fact("commit", run.short_commit());
    f.severity = Severity::Warning;
    f.summary = format!("{} {conclusion}", run.label());
    f.cause = format!(
        "{} ({}) concluded {conclusion}; its jobs could not be read.",
        run.label(),
        where_(run)
    );
    f.evidence.push(Context::evidence(
        EvidenceSource::Status,
        subject,
        format!(
            "{}: status {}, conclusion {conclusion}",
            run.label(),
            run.status
        ),
        Strength::Direct,
    ));
    f.fix = vec![format!("Open {} and read the failed job's log.", run.url)];
    Some(f)
}

/// `commit 4f2c9e1 on main`.
fn where_(run: &RunSummary) -> String {
    match &run.branch {
        Some(b) => format!("commit {} on {b}", run.short_commit()),
        None => format!("commit {}", run.short_commit()),
    }
}

fn job_finding(repo: &str, subject: &ObjectRef, run: &RunSummary, job: &JobSummary) -> Finding {
    let kind = kind_of(job);
    let step = step_of(job).unwrap_or("(unknown step)");
    let jref = job_ref(repo, run, job);
    let mut f = Finding::new(
        ANALYZER,
        Category::CiFailure,
        jref.clone(),
        subject.clone(),
        &format!("{}/{kind}", job.name),
    )
    .fact("kind", kind)
    .fact("step", step);
    if !is_local(run) {
        f = f
            .fact("run", run.number)
            .fact("workflow", &run.workflow_file)
            .fact("job", &job.name)
            .fact("commit", run.short_commit());
    }
    if let Some(b) = &run.branch {
        f = f.fact("branch", b);
    }
    let failure = job.failure.as_ref();
    if let Some(code) = failure.and_then(|x| x.exit_code) {
        f = f.fact("exit_code", code);
    }
    if let Some(tool) = failure.and_then(|x| x.tool.as_deref()) {
        f = f.fact("tool", tool);
    }
    f.severity = match kind {
        FailureKind::Lint | FailureKind::Infrastructure | FailureKind::Unknown => Severity::Warning,
        _ => Severity::Critical,
    };
    f.role = Role::Cause;
    let label = match is_local(run) {
        true => run.workflow_file.clone(),
        false => run.label(),
    };
    f.summary = format!("{label}: {} in {step}", kind_phrase(kind));
    let what = failure
        .and_then(|x| x.first_error.as_deref())
        .map(|e| format!(": {}", trim_end_punct(e)))
        .unwrap_or_default();
    f.cause = match (kind, failure) {
        (FailureKind::SecretPermission, Some(x)) if !x.empty_secrets.is_empty() => format!(
            "Step \"{step}\" of {} ran with {} empty — the secret is not set for this repository or environment{what}.",
            origin(run, job),
            x.empty_secrets.join(", ")
        ),
        _ => format!(
            "{} in step \"{step}\" of {}{what}.",
            capitalized(kind_phrase(kind)),
            origin(run, job)
        ),
    };
    f.evidence = evidence(&jref, run, job, step, failure);
    f.fix = fix(kind, run, job, failure);
    f.prevention = prevention(kind);
    f
}

fn evidence(
    jref: &ObjectRef,
    run: &RunSummary,
    job: &JobSummary,
    step: &str,
    failure: Option<&Failure>,
) -> Vec<Evidence> {
    let conclusion = job
        .conclusion
        .as_ref()
        .map(|c| c.to_string())
        .unwrap_or_else(|| job.status.to_string());
    let number = job
        .failed_step()
        .map(|s| format!("step {} ", s.number))
        .unwrap_or_default();
    let mut out = vec![Evidence {
        timestamp: job.completed_at,
        ..Context::evidence(
            EvidenceSource::Status,
            jref,
            match is_local(run) {
                true => format!("{}: failed at \"{step}\"", run.workflow_file),
                false => format!(
                    "{}: job {} {conclusion} at {number}\"{step}\"",
                    run.label(),
                    job.name
                ),
            },
            Strength::Direct,
        )
    }];
    let Some(x) = failure else { return out };
    let log = |text: String, strength| Evidence {
        timestamp: job.completed_at,
        ..Context::evidence(EvidenceSource::CiLog, jref, text, strength)
    };
    if let Some(e) = &x.first_error {
        let strength = match x.kind {
            FailureKind::Unknown => Strength::Indirect,
            _ => Strength::Direct,
        };
        out.push(log(e.clone(), strength));
    }
    if let Some(s) = &x.summary {
        out.push(log(s.clone(), Strength::Indirect));
    }
    if !x.empty_secrets.is_empty() {
        out.push(log(
            format!(
                "empty in the step's env/with: {}",
                x.empty_secrets.join(", ")
            ),
            Strength::Indirect,
        ));
    }
    if !x.excerpt.is_empty() {
        out.push(log(x.excerpt.join("\n"), Strength::Circumstantial));
    }
    out
}

fn kind_phrase(kind: FailureKind) -> &'static str {
    match kind {
        FailureKind::Test => "tests failed",
        FailureKind::Build => "the build failed",
        FailureKind::Dependency => "a dependency could not be resolved",
        FailureKind::Lint => "a lint check failed",
        FailureKind::Deploy => "the deploy failed",
        FailureKind::Infrastructure => "the runner gave up (timeout, cancellation or lost runner)",
        FailureKind::SecretPermission => "a secret is missing or the token lacks a permission",
        FailureKind::Unknown => "the step failed",
    }
}

fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn trim_end_punct(s: &str) -> &str {
    s.trim_end_matches(['.', ':', ' '])
}

/// What to do about a failed job of this kind.
pub fn fix(
    kind: FailureKind,
    run: &RunSummary,
    job: &JobSummary,
    x: Option<&Failure>,
) -> Vec<String> {
    // `uses: docker/build-push-action@v6` is an action, not something to type.
    let command = x
        .and_then(|x| x.command.as_deref())
        .filter(|c| c.contains(' ') || !c.contains('@'));
    let at = match run.commit.is_empty() {
        true => String::new(),
        false => format!(" at commit {}", run.short_commit()),
    };
    let reproduce = |what: &str| match command {
        Some(c) => format!("Reproduce it locally{at}: `{c}`."),
        None => format!("Reproduce {what} locally{at}."),
    };
    let rerun = match is_local(run) {
        true => "re-run the job in its CI".to_string(),
        false => format!("gh run rerun {} --failed", run.id),
    };
    let mut out = match kind {
        FailureKind::Test => {
            let tests = x.map(|x| x.tests.as_slice()).unwrap_or_default();
            let mut v = vec![reproduce("the failing tests")];
            if !tests.is_empty() {
                v.push(format!("Fix the code or the test: {}.", tests.join(", ")));
            }
            v.push(format!(
                "Only if the test is known to be flaky, re-run the job: `{rerun}`."
            ));
            v
        }
        FailureKind::Build => {
            let docker = x.and_then(|x| x.tool.as_deref()) == Some("docker");
            let mut v = vec![reproduce("the build")];
            if docker {
                v.push("Build the image locally (`docker build .`): the failing Dockerfile instruction and its own output are the error lines shown with this diagnosis.".into());
            }
            v.push("Fix the first error; later errors often follow from it.".into());
            v
        }
        FailureKind::Dependency => vec![
            reproduce("the dependency install"),
            "The resolver's message names the package, the version it found and the requirement it cannot satisfy: align them in the manifest and regenerate the lockfile (for npm peer conflicts, upgrade the package that declares the peer; `--legacy-peer-deps` only hides the conflict).".into(),
            "If the package or plugin cannot be downloaded at all, check the registry or repository is reachable from the runner and the version exists.".into(),
        ],
        FailureKind::Lint => vec![
            reproduce("the lint check"),
            "Commit the fixes (most linters fix formatting themselves, e.g. `cargo fmt`, `eslint --fix`, `ruff --fix`).".into(),
        ],
        FailureKind::Deploy => vec![
            "Read the API server's or Helm's answer in the error lines: it names the object and the field it rejected or the condition it waited for.".into(),
            "Check the manifests against the cluster before the next deploy: `kubectl apply --dry-run=server -f …` or `helm upgrade --dry-run …`.".into(),
            "If the rollout itself failed, run `k8sops diagnose -n NAMESPACE` on the target to see why the pods do not become ready.".into(),
        ],
        FailureKind::Infrastructure => vec![
            format!(
                "If the job timed out, find what hangs (the last lines before the timeout) or raise `timeout-minutes` of job {}.",
                job.name
            ),
            format!("Re-run the failed jobs: `{rerun}`."),
        ],
        FailureKind::SecretPermission => {
            let empty = x.map(|x| x.empty_secrets.as_slice()).unwrap_or_default();
            let mut v = Vec::new();
            if !empty.is_empty() {
                v.push(format!(
                    "Add {} under Settings → Secrets and variables → Actions (or the job's environment); secrets are not passed to runs from forks.",
                    empty.join(", ")
                ));
            }
            v.push("If GITHUB_TOKEN was refused, grant the job what it needs in the workflow (`permissions:` e.g. `packages: write`, `contents: write`, `id-token: write`).".into());
            v.push("If a cloud or registry credential was refused, check it has not expired or been rotated.".into());
            v
        }
        FailureKind::Unknown if is_local(run) => vec![
            "Read the log's lines before the error shown: the command that ran and what it printed.".into(),
        ],
        FailureKind::Unknown => vec![format!(
            "Open {} and read the lines before the error.",
            if job.url.is_empty() { &run.url } else { &job.url }
        )],
    };
    let url = if job.url.is_empty() {
        &run.url
    } else {
        &job.url
    };
    if !url.is_empty() {
        out.push(format!("Job log: {url}"));
    }
    out
}

fn prevention(kind: FailureKind) -> Vec<String> {
    let v: &[&str] = match kind {
        FailureKind::Test | FailureKind::Lint => &[
            "Run the same checks before pushing (a pre-commit hook or `make check`), and require them on pull requests.",
        ],
        FailureKind::Build => {
            &["Build on every pull request so a broken build never reaches the main branch."]
        }
        FailureKind::Dependency => &[
            "Change a dependency and its lockfile in the same commit, and let an update bot (Renovate, Dependabot) propose upgrades with CI running on them.",
        ],
        FailureKind::Deploy => &[
            "Validate manifests in CI (`kubeconform`, `helm lint`, `kubectl apply --dry-run=server`) before the deploy job.",
        ],
        FailureKind::Infrastructure => &[
            "Give every job a `timeout-minutes` close to its normal duration, so a hang fails fast.",
        ],
        FailureKind::SecretPermission => &[
            "Declare `permissions:` explicitly per workflow and check required secrets at the start of the job.",
        ],
        FailureKind::Unknown => &[],
    };
    v.iter().map(|s| s.to_string()).collect()
}
