//! The `ci runs` and `ci diagnose` commands, on top of the log reading of [`crate::ci`],
//! the REST client of [`crate::source::ci`] and the CI rules of `analyze::ci_rules`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Read as _;
use std::path::{Path, PathBuf};

use super::cli::{CiCommand, CiDiagnoseArgs, CiRunsArgs, CiScope, RunsFormat};
use super::output::{self, print};
use super::settings::Settings;
use crate::analyze::ci_rules as rules;
use crate::ci::failure::{self, PassingLog};
use crate::error::{Error, Result};
use crate::model::ci::{CiRuns, Conclusion, JobSummary, LogSource, RunSummary, Status};
use crate::model::{Objects, Snapshot, SnapshotMeta};
use crate::rca::DiagnosisList;
use crate::render::{Format, ci as render};
use crate::source::ci::{Actions, Notify, Repo, RunFilter, fetch_failures_compared, repo};

/// Runs one `ci` subcommand; the exit code per DESIGN §5.
pub async fn run(settings: &Settings, cmd: &CiCommand) -> Result<u8> {
    match cmd {
        CiCommand::Runs(args) => runs(settings, args).await,
        CiCommand::Diagnose(args) => diagnose(settings, args).await,
    }
}

/// The repository and a client for it; no repository is a usage error.
fn connect(settings: &Settings, flag: Option<&(String, String)>) -> Result<(Repo, Actions)> {
    let config = settings.config()?;
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let repo = repo::resolve(flag, &config.ci, &config.github.api_url(), &cwd).ok_or_else(|| {
        Error::Usage {
            flag: "--repo".into(),
            message: "no repository given, and the current directory is not a clone of one on this GitHub".into(),
            hint: "pass --repo OWNER/NAME, or set [ci] repo in the config file or K8SOPS_CI_REPO".into(),
        }
    })?;
    // Notices go to stderr as the work happens (a rate-limit wait says how long).
    let notify: Notify = Box::new(|m| eprintln!("note: {m}"));
    let api = Actions::new(
        settings.github()?,
        &repo.owner,
        &repo.name,
        config.ci.rate_limit_wait(),
        notify,
    );
    Ok((repo, api))
}

fn filter(scope: &CiScope, status: Option<&str>, limit: usize) -> RunFilter {
    RunFilter {
        workflow: scope.workflow.clone(),
        branch: scope.branch.clone(),
        status: status.map(str::to_string),
        head_sha: None,
        created: None,
        limit,
    }
}

async fn runs(settings: &Settings, args: &CiRunsArgs) -> Result<u8> {
    let (repo, api) = connect(settings, args.scope.repo.as_ref())?;
    let status = args.status.map(|s| s.as_api());
    let runs = api
        .runs(&filter(&args.scope, status, args.limit.into()))
        .await?;
    let repo = repo.to_string();
    let text = match args.output {
        RunsFormat::Json => render::runs_json(&repo, &runs),
        RunsFormat::Table if runs.is_empty() => format!("No workflow runs found in {repo}.\n"),
        RunsFormat::Table => {
            render::runs_table(&runs, jiff::Timestamp::now(), settings.color_stdout())
        }
    };
    print(&text)?;
    Ok(0)
}

/// `RUN_ID` or `https://HOST/OWNER/NAME/actions/runs/ID[/…]` → (repo from the URL, id).
fn parse_run(s: &str) -> Result<(Option<(String, String)>, u64)> {
    if let Ok(id) = s.trim().parse::<u64>() {
        return Ok((None, id));
    }
    let bad = || Error::Usage {
        flag: "RUN_ID".into(),
        message: format!("'{s}' is not a run id or a run URL"),
        hint: "pass the number from …/actions/runs/ID (see `k8sops ci runs`), or --latest-failed"
            .into(),
    };
    let path = s.split_once("://").map(|(_, r)| r).ok_or_else(bad)?;
    let parts: Vec<&str> = path.split('/').collect();
    let at = parts
        .windows(2)
        .position(|w| w == ["actions", "runs"])
        .filter(|&i| i >= 3)
        .ok_or_else(bad)?;
    let id = parts
        .get(at + 2)
        .and_then(|p| p.parse().ok())
        .ok_or_else(bad)?;
    Ok((
        Some((parts[at - 2].to_string(), parts[at - 1].to_string())),
        id,
    ))
}

async fn diagnose(settings: &Settings, args: &CiDiagnoseArgs) -> Result<u8> {
    if let Some(path) = &args.log {
        return diagnose_log(settings, args, path).await;
    }
    if args.pass_log.is_some() {
        return Err(Error::Usage {
            flag: "--pass-log".into(),
            message: "a passing log is compared with a failing one given by --log".into(),
            hint:
                "pass --log FILE too; a GitHub run is compared with its last green run on its own"
                    .into(),
        });
    }
    let target = match (&args.run, args.latest_failed) {
        (Some(run), false) => Some(parse_run(run)?),
        (None, true) => None,
        // The flags' group asks for exactly one of them.
        _ => {
            return Err(Error::Usage {
                flag: "RUN_ID".into(),
                message: "give either a run or --latest-failed".into(),
                hint: "pass the run's id or URL (see `k8sops ci runs`), or --latest-failed".into(),
            });
        }
    };
    let flag = args
        .scope
        .repo
        .clone()
        .or_else(|| target.as_ref().and_then(|(r, _)| r.clone()));
    let (repo, api) = connect(settings, flag.as_ref())?;
    let sanitizer = settings.sanitizer()?;
    let mut run = match target {
        Some((_, id)) => api.run(id).await?,
        None => {
            let latest = api
                .runs(&filter(&args.scope, Some("failure"), 1))
                .await?
                .into_iter()
                .next();
            let Some(run) = latest else {
                eprintln!(
                    "note: no failed run in {repo}{}",
                    describe_scope(&args.scope)
                );
                let empty = DiagnosisList::new(Vec::new(), Vec::new());
                print(&output::diagnoses(
                    args.output,
                    &empty,
                    jiff::Timestamp::now(),
                    false,
                ))?;
                return Ok(0);
            };
            run
        }
    };
    let mut warnings = Vec::new();
    if run.failed() || run.status != Status::Completed {
        let mut notes = Vec::new();
        fetch_failures_compared(&api, &mut run, &sanitizer, &mut warnings, &mut notes).await?;
        for n in notes {
            eprintln!("note: {n}");
        }
    } else {
        eprintln!(
            "note: {} ({}) concluded {}; nothing to diagnose",
            run.label(),
            run.short_commit(),
            run.conclusion.as_ref().map(|c| c.as_str()).unwrap_or("")
        );
    }
    finish(settings, args, repo.to_string(), run, warnings).await
}

/// `--log FILE|-` (and `--pass-log FILE`): a failed build's log from any CI, diagnosed as the
/// one failed job of a run that stands for the file (see `ci_rules::is_local`).
async fn diagnose_log(settings: &Settings, args: &CiDiagnoseArgs, path: &Path) -> Result<u8> {
    let text = read_log(path)?;
    let pass = match &args.pass_log {
        Some(p) => Some((p.display().to_string(), read_log(p)?)),
        None => None,
    };
    let name = match path == Path::new("-") {
        true => "stdin".to_string(),
        false => path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| path.display().to_string()),
    };
    let sanitizer = settings.sanitizer()?;
    let now = jiff::Timestamp::now();
    let mut job = JobSummary {
        id: 0,
        name: name.clone(),
        status: Status::Completed,
        conclusion: Some(Conclusion::Failure),
        started_at: None,
        completed_at: None,
        url: String::new(),
        runner: None,
        steps: Vec::new(),
        failure: None,
    };
    let passing = pass
        .as_ref()
        .map(|(label, text)| PassingLog { label, text });
    let f = failure::from_log_against(&job, &text, LogSource::File, &sanitizer, passing).map_err(
        |e| Error::Sanitize {
            what: format!("the log {}", path.display()),
            message: e.to_string(),
        },
    )?;
    job.failure = Some(f);
    let run = RunSummary {
        id: 0,
        number: 0,
        attempt: 1,
        workflow: name.clone(),
        workflow_file: name,
        title: String::new(),
        event: String::new(),
        status: Status::Completed,
        conclusion: Some(Conclusion::Failure),
        commit: String::new(),
        branch: None,
        actor: None,
        url: String::new(),
        created_at: now,
        started_at: None,
        updated_at: None,
        duration: None,
        jobs: vec![job],
    };
    finish(settings, args, String::new(), run, Vec::new()).await
}

/// The log at `path`, `-` for stdin; bytes that are not UTF-8 are replaced, not refused
/// (CI logs mix encodings).
fn read_log(path: &Path) -> Result<String> {
    let bytes = match path == Path::new("-") {
        true => {
            let mut buf = Vec::new();
            std::io::stdin()
                .lock()
                .read_to_end(&mut buf)
                .map_err(|e| Error::io("stdin", e))?;
            buf
        }
        false => std::fs::read(path).map_err(|e| Error::io(path, e))?,
    };
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Diagnoses `run` by rules (and the LLM engine when configured) and prints it.
async fn finish(
    settings: &Settings,
    args: &CiDiagnoseArgs,
    repo: String,
    run: RunSummary,
    warnings: Vec<String>,
) -> Result<u8> {
    let findings = rules::findings(&repo, &run);
    let now = jiff::Timestamp::now();
    // The Snapshot is the hub here too: a CI-only one, so the ranking and the LLM engine
    // take the same input as in `diagnose`.
    let snapshot = Snapshot::new(
        SnapshotMeta::new(now),
        Objects::default(),
        BTreeMap::new(),
        Vec::new(),
    )
    .with_ci(CiRuns {
        repo: repo.clone(),
        collected_at: now,
        runs: vec![run],
    });
    let partial = !warnings.is_empty();
    let list = DiagnosisList::new(crate::rca::diagnose(&snapshot, findings), warnings);
    let outcome = super::llm::apply(settings, &args.llm, &snapshot, list).await?;
    let list = outcome.list;
    let run = snapshot.ci.as_ref().and_then(|c| c.runs.first());
    let mut text = output::diagnoses(args.output, &list, now, settings.color_stdout());
    if args.output == Format::Text {
        text += &run.map(render::error_regions).unwrap_or_default();
    }
    print(&text)?;
    if matches!(args.output, Format::Json | Format::Markdown) {
        output::warn_all(&list.warnings);
    }
    if outcome.interrupted {
        return Ok(130);
    }
    Ok(match (partial, args.exit_code && !list.items.is_empty()) {
        (true, _) => 3,
        (false, true) => 1,
        (false, false) => 0,
    })
}

fn describe_scope(scope: &CiScope) -> String {
    let mut s = String::new();
    if let Some(w) = &scope.workflow {
        let _ = write!(s, " for {w}");
    }
    if let Some(b) = &scope.branch {
        let _ = write!(s, " on {b}");
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_run_is_an_id_or_its_url() {
        assert_eq!(parse_run("11893475023").ok(), Some((None, 11893475023)));
        let (repo, id) =
            parse_run("https://github.com/acme/shop/actions/runs/812000/job/99").expect("url");
        assert_eq!(repo, Some(("acme".into(), "shop".into())));
        assert_eq!(id, 812000);
        let err = parse_run("#812").expect_err("not an id");
        assert!(err.to_string().starts_with("RUN_ID: '#812'"), "{err}");
    }
}
