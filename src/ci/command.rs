//! The `ci runs` and `ci diagnose` commands, and CI collection for `diagnose` and
//! `snapshot` ([`attach`]), on top of the pure pieces of [`crate::ci`] and the REST client of
//! [`crate::source::ci`]. `main.rs` only dispatches here.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::{IsTerminal as _, Write as _};
use std::path::PathBuf;

use super::repo::{self, Repo, RepoOrigin};
use super::{CiRuns, Status, commits, render, rules};
use crate::cli::{CiCommand, CiDiagnoseArgs, CiRunsArgs, CiScope, Global, RunsFormat, SourceArgs};
use crate::config::{Config, Env};
use crate::error::{Error, Result};
use crate::github::Github;
use crate::model::{Objects, Snapshot, SnapshotMeta};
use crate::rca::DiagnosisList;
use crate::render::Format;
use crate::sanitize::Sanitizer;
use crate::source::ci::{Actions, Notify, RunFilter, collect, fetch_failures};

/// Runs one `ci` subcommand; the exit code per DESIGN §5.
pub async fn run(global: &Global, cmd: &CiCommand) -> Result<u8> {
    match cmd {
        CiCommand::Runs(args) => runs(global, args).await,
        CiCommand::Diagnose(args) => diagnose(global, args).await,
    }
}

/// Notices go to stderr as the work happens (a rate-limit wait says how long).
fn notify() -> Notify {
    Box::new(|m| eprintln!("note: {m}"))
}

fn sanitizer(config: &Config) -> Result<Sanitizer> {
    Sanitizer::with_config(&config.sanitize).map_err(|e| Error::Sanitize {
        what: "the configured rules".into(),
        message: e.to_string(),
    })
}

fn cwd() -> PathBuf {
    std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."))
}

/// The configuration, the repository and a client for it; no repository is a usage error.
fn connect(global: &Global, flag: Option<&(String, String)>) -> Result<(Config, Repo, Actions)> {
    let config = Config::load(global.config.as_deref())?.config;
    let repo = repo::resolve(flag, &config.ci, &config.github.api_url(), &cwd()).ok_or_else(|| {
        Error::Usage {
            flag: "--repo".into(),
            message: "no repository given, and the current directory is not a clone of one on this GitHub".into(),
            hint: "pass --repo OWNER/NAME, or set [ci] repo in the config file or K8SOPS_CI_REPO".into(),
        }
    })?;
    let gh = Github::connect(&config.github, &Env::process())?;
    let api = Actions::new(
        gh,
        &repo.owner,
        &repo.name,
        config.ci.rate_limit_wait(),
        notify(),
    );
    Ok((config, repo, api))
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

fn color(global: &Global) -> bool {
    match global.color {
        crate::cli::ColorChoice::Always => true,
        crate::cli::ColorChoice::Never => false,
        crate::cli::ColorChoice::Auto => {
            std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
        }
    }
}

fn print(text: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
        // A closed pipe (`| head`) is not an error worth a message.
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(Error::io("stdout", e)),
        _ => Ok(()),
    }
}

async fn runs(global: &Global, args: &CiRunsArgs) -> Result<u8> {
    let (_, repo, api) = connect(global, args.scope.repo.as_ref())?;
    let status = args.status.map(|s| s.as_api());
    let runs = api
        .runs(&filter(&args.scope, status, args.limit.into()))
        .await?;
    let repo = repo.to_string();
    let text = match args.output {
        RunsFormat::Json => render::runs_json(&repo, &runs),
        RunsFormat::Table if runs.is_empty() => format!("No workflow runs found in {repo}.\n"),
        RunsFormat::Table => render::runs_table(&runs, jiff::Timestamp::now(), color(global)),
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

async fn diagnose(global: &Global, args: &CiDiagnoseArgs) -> Result<u8> {
    let target = args.run.as_deref().map(parse_run).transpose()?;
    let flag = args
        .scope
        .repo
        .clone()
        .or_else(|| target.as_ref().and_then(|(r, _)| r.clone()));
    let (config, repo, api) = connect(global, flag.as_ref())?;
    let sanitizer = sanitizer(&config)?;
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
                print(&output(args.output, &empty, jiff::Timestamp::now(), false))?;
                return Ok(0);
            };
            run
        }
    };
    let mut warnings = Vec::new();
    if run.failed() || run.status != Status::Completed {
        fetch_failures(&api, &mut run, &sanitizer, &mut warnings).await?;
    } else {
        eprintln!(
            "note: {} ({}) concluded {}; nothing to diagnose",
            run.label(),
            run.short_commit(),
            run.conclusion.as_ref().map(|c| c.as_str()).unwrap_or("")
        );
    }
    let repo = repo.to_string();
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
    let outcome = crate::llm::command::apply(global, &args.llm, &snapshot, list).await?;
    let list = outcome.list;
    let run = snapshot.ci.as_ref().and_then(|c| c.runs.first());
    let mut text = output(args.output, &list, now, color(global));
    if args.output == Format::Text {
        text += &run.map(render::error_regions).unwrap_or_default();
    }
    print(&text)?;
    if matches!(args.output, Format::Json | Format::Markdown) {
        for w in &list.warnings {
            eprintln!("warning: {w}");
        }
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

fn output(format: Format, list: &DiagnosisList, now: jiff::Timestamp, color: bool) -> String {
    match format {
        Format::Json => crate::render::json(list),
        Format::Markdown => crate::render::markdown(list, now),
        Format::Text => crate::render::text(list, now, color),
    }
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

/// Joins CI runs into a snapshot for `diagnose` and `snapshot`: when a repository is known
/// (`--repo`, `[ci] repo`, or — for a live cluster — the directory's git remote), a token
/// is available, and a failing workload carries a commit. Bundles keep the runs they were
/// written with unless `--repo` is given. Problems become warnings on the snapshot; this
/// never fails the command.
pub async fn attach(global: &Global, source: &SourceArgs, snapshot: &mut Snapshot) {
    let explicit = source.ci_repo.is_some();
    // Nothing to join (the common case) costs no config read, no git and no network.
    if (source.from.is_some() && !explicit) || commits::wanted(snapshot).is_empty() {
        return;
    }
    let config = match Config::load(global.config.as_deref()) {
        Ok(l) => l.config,
        Err(e) => {
            if explicit {
                warn(snapshot, format!("CI runs not collected: {e}"));
            }
            return;
        }
    };
    let Some(repo) = repo::resolve(
        source.ci_repo.as_ref(),
        &config.ci,
        &config.github.api_url(),
        &cwd(),
    ) else {
        return;
    };
    let gh = match Github::connect(&config.github, &Env::process()) {
        Ok(gh) => gh,
        Err(e) => {
            // An inferred repository without a token is the normal offline case: stay quiet.
            if repo.origin != RepoOrigin::Remote {
                warn(snapshot, format!("CI runs of {repo} not collected: {e}"));
            }
            return;
        }
    };
    let sanitizer = match sanitizer(&config) {
        Ok(s) => s,
        Err(e) => {
            warn(snapshot, format!("CI runs of {repo} not collected: {e}"));
            return;
        }
    };
    let api = Actions::new(
        gh,
        &repo.owner,
        &repo.name,
        config.ci.rate_limit_wait().min(global.timeout),
        notify(),
    );
    let mut warnings = Vec::new();
    let collected = tokio::time::timeout(
        global.timeout,
        collect(&api, snapshot, &sanitizer, &mut warnings),
    )
    .await;
    match collected {
        Ok(Ok(Some(ci))) => snapshot.ci = Some(ci),
        Ok(Ok(None)) => {}
        Ok(Err(e)) => warnings.push(format!("CI runs of {repo} not collected: {e}")),
        Err(_) => warnings.push(format!(
            "CI runs of {repo} not collected: gave up after {}s (--timeout)",
            global.timeout.as_secs()
        )),
    }
    snapshot
        .warnings
        .extend(warnings.into_iter().map(|w| format!("ci: {w}")));
}

/// Runs of a report's window listed at most.
const WINDOW_RUNS: usize = 300;

/// The workflow runs created since `start`, for `report daily`: of `--ci-repo`, else
/// `[ci] repo` / `K8SOPS_CI_REPO`, else — unless the report reads a bundle — the current
/// directory's git remote. `Ok(None)`: no repository is known, or only an inferred one and
/// no token (the quiet offline case). An error is a warning for the report, never fatal.
pub async fn window_runs(
    global: &Global,
    source: &SourceArgs,
    config: &Config,
    start: jiff::Timestamp,
) -> std::result::Result<Option<(String, Vec<super::RunSummary>)>, String> {
    let explicit = source.ci_repo.is_some();
    if source.from.is_some() && !explicit {
        return Ok(None);
    }
    let Some(repo) = repo::resolve(
        source.ci_repo.as_ref(),
        &config.ci,
        &config.github.api_url(),
        &cwd(),
    ) else {
        return Ok(None);
    };
    let gh = match Github::connect(&config.github, &Env::process()) {
        Ok(gh) => gh,
        Err(_) if repo.origin == RepoOrigin::Remote => return Ok(None),
        Err(e) => return Err(format!("CI runs of {repo} not listed: {e}")),
    };
    let api = Actions::new(
        gh,
        &repo.owner,
        &repo.name,
        config.ci.rate_limit_wait().min(global.timeout),
        notify(),
    );
    let filter = RunFilter {
        created: Some(format!(">={start}")),
        limit: WINDOW_RUNS,
        ..RunFilter::default()
    };
    match tokio::time::timeout(global.timeout, api.runs(&filter)).await {
        Ok(Ok(mut runs)) => {
            // GitHub filters by date already; a server that does not must not widen the window.
            runs.retain(|r| r.created_at >= start);
            Ok(Some((repo.to_string(), runs)))
        }
        Ok(Err(e)) => Err(format!("CI runs of {repo} not listed: {e}")),
        Err(_) => Err(format!(
            "CI runs of {repo} not listed: gave up after {}s (--timeout)",
            global.timeout.as_secs()
        )),
    }
}

fn warn(snapshot: &mut Snapshot, message: String) {
    snapshot.warnings.push(format!("ci: {message}"));
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
