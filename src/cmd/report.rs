//! `k8sops report daily`: collect (one snapshot per context, or a bundle), build the
//! report, write it, then publish. The effects of the command live here; building and
//! rendering are pure (`crate::report`).
//!
//! Everything that can be checked before collecting is (the output format, the previous
//! report, the Slack webhook, the repository and token for issues), so a misconfigured
//! CronJob fails in a second with a clear message rather than after a full collection.

use std::io::Write as _;
use std::path::Path;

use super::cli::{DailyArgs, PostTarget, ReportFormat};
use super::config::Config;
use super::settings::Settings;
use crate::error::{Error, Result};
use crate::model::ci::CiRuns;
use crate::notify::github_issue::{self, Filed};
use crate::notify::slack;
use crate::report::{self, CiRun, ClusterInput, Input};
use crate::source::live::{self, LiveOptions};

/// Runs the command; the exit code follows DESIGN §5 (3 when a cluster or a kind could not
/// be read, 1 with `--exit-code` when there are issues).
pub async fn run(settings: &Settings, args: &DailyArgs) -> Result<u8> {
    let config = settings.config()?;
    let format = format_of(args);
    let previous = args
        .previous
        .as_deref()
        .map(report::previous::read)
        .transpose()?;
    let sanitizer = settings.sanitizer()?;
    let webhook = match args.post.contains(&PostTarget::Slack) {
        true => Some(config.slack.webhook()?.clone()),
        false => None,
    };
    let issues_to = match args.create_issue {
        true => Some((repository(args, config)?, settings.github()?)),
        false => None,
    };

    let (clusters, partial) = collect(settings, args).await?;
    let now = jiff::Timestamp::now();
    let window = report::window(&clusters, args.since, now);
    let (ci_runs, ci_warning) = ci_runs(settings, args, &clusters, window.start).await?;
    let mut report = report::build(Input {
        clusters,
        ci_runs: ci_runs.as_deref(),
        since: args.since,
        config: &config.report,
        now,
    });
    report.warnings.extend(ci_warning);
    if let Some(p) = &previous {
        report.since_previous = Some(report::previous::delta(p, &report));
    }
    // What leaves the machine is always the sanitized report; the file is too by default.
    let shared = report::sanitized(&report, &sanitizer)?;
    let report = match args.no_sanitize {
        true => report,
        false => shared.clone(),
    };

    let rendered = match format {
        ReportFormat::Markdown => report::markdown(&report),
        ReportFormat::Html => report::html(&report),
        ReportFormat::Json => report::json(&report),
    };
    write_output(args.output.as_deref(), &rendered)?;
    let mut err = std::io::stderr().lock();
    for w in &report.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
    drop(err);

    if let Some(webhook) = &webhook {
        slack::post(webhook, &report::slack_message(&shared), &sanitizer).await?;
        eprintln!("posted the summary to Slack");
    }
    if let Some(((owner, repo), gh)) = &issues_to {
        let drafts = report::issue_drafts(&shared);
        let filed = github_issue::file(
            gh,
            (owner, repo),
            &config.report.issue_labels,
            &drafts,
            &sanitizer,
        )
        .await?;
        for (fingerprint, f) in filed {
            match f {
                Filed::Created { number, url } => {
                    eprintln!("created {owner}/{repo}#{number} for {fingerprint}: {url}")
                }
                Filed::Commented { number, url } => {
                    eprintln!("commented on {owner}/{repo}#{number} ({fingerprint}): {url}")
                }
            }
        }
        if drafts.is_empty() {
            eprintln!("no critical issues: nothing filed in {owner}/{repo}");
        }
    }

    let problems = report.clusters.iter().any(|c| !c.issues.is_empty());
    Ok(match (partial, args.exit_code && problems) {
        (true, _) => 3,
        (false, true) => 1,
        (false, false) => 0,
    })
}

/// The CI runs of the window: those the snapshots carry (a bundle keeps the runs it was
/// written with) and those the repository lists since `start` (see
/// [`crate::source::ci::window_runs`]), each run once. `None` when there is no CI data at
/// all; the warning says why the repository could not be listed.
async fn ci_runs(
    settings: &Settings,
    args: &DailyArgs,
    clusters: &[ClusterInput],
    start: jiff::Timestamp,
) -> Result<(Option<Vec<CiRun>>, Option<String>)> {
    let carried: Vec<&CiRuns> = clusters
        .iter()
        .filter_map(|c| c.snapshot.as_ref().ok()?.ci.as_ref())
        .collect();
    let join = settings.ci_join(&args.source, args.scope.timeout())?;
    let bundle = args.source.from.is_some();
    let (listed, warning) = match crate::source::ci::window_runs(&join, bundle, start).await {
        Ok(listed) => (listed.map(|(_, runs)| runs), None),
        Err(w) => (None, Some(format!("ci: {w}"))),
    };
    if carried.is_empty() && listed.is_none() {
        return Ok((None, warning));
    }
    let mut seen = std::collections::HashSet::new();
    let runs = carried
        .iter()
        .flat_map(|ci| &ci.runs)
        .chain(listed.iter().flatten())
        .filter(|r| seen.insert(r.id))
        .map(CiRun::from)
        .collect();
    Ok((Some(runs), warning))
}

/// `--format`, else the extension of `-o`, else Markdown.
fn format_of(args: &DailyArgs) -> ReportFormat {
    if let Some(f) = args.format {
        return f;
    }
    let ext = args
        .output
        .as_deref()
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("html" | "htm") => ReportFormat::Html,
        Some("json") => ReportFormat::Json,
        _ => ReportFormat::Markdown,
    }
}

/// `--repo`, else `[report] repo` / `K8SOPS_REPORT_REPO`, else the `origin` of the current
/// directory's checkout.
fn repository(args: &DailyArgs, config: &Config) -> Result<(String, String)> {
    if let Some(repo) = &args.repo {
        return Ok(repo.clone());
    }
    if let Some(repo) = &config.report.repo {
        return crate::github::parse_repo(repo).map_err(|message| Error::Usage {
            flag: "[report] repo / K8SOPS_REPORT_REPO".into(),
            message,
            hint: "write it as OWNER/NAME, e.g. repo = \"acme/platform\"".into(),
        });
    }
    let here = std::env::current_dir().map_err(|e| Error::io(".", e))?;
    crate::github::repo_of_checkout(&here).ok_or_else(|| Error::Usage {
        flag: "--create-issue".into(),
        message: "no repository to file issues in".into(),
        hint: "pass --repo OWNER/NAME, set repo in the [report] table or K8SOPS_REPORT_REPO, or run inside a checkout with a GitHub origin".into(),
    })
}

/// The live options of one context; the report also reads usage from metrics.k8s.io.
fn live_options(settings: &Settings, args: &DailyArgs, context: Option<String>) -> LiveOptions {
    LiveOptions {
        context,
        metrics: true,
        ..settings.scope(&args.scope, &args.source)
    }
}

/// One input per cluster and whether any was read only in part. One cluster that cannot be
/// read is an error (as in `diagnose`); one of several is a section saying why, and exit 3.
async fn collect(settings: &Settings, args: &DailyArgs) -> Result<(Vec<ClusterInput>, bool)> {
    if let Some(from) = &args.source.from {
        if args.contexts.len() > 1 {
            return Err(Error::Usage {
                flag: "--context".into(),
                message: "several contexts are read from clusters, and --from reads one bundle"
                    .into(),
                hint: "drop --from to report on several clusters, or the extra --context flags"
                    .into(),
            });
        }
        let loaded =
            crate::source::load(Some(from), &live_options(settings, args, None), None).await?;
        let name = loaded.snapshot.meta.context.clone().unwrap_or_else(|| {
            from.file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_else(|| from.display().to_string())
        });
        let name = name.trim_end_matches(".tar.gz").to_string();
        return Ok((
            vec![ClusterInput {
                name,
                snapshot: Ok(loaded.snapshot),
            }],
            loaded.partial,
        ));
    }
    let contexts: Vec<Option<String>> = match (args.all_contexts, args.contexts.as_slice()) {
        (true, _) => live::context_names(&live_options(settings, args, None))?
            .into_iter()
            .map(Some)
            .collect(),
        (false, []) => vec![None],
        (false, named) => named.iter().cloned().map(Some).collect(),
    };
    let single = contexts.len() == 1;
    let results = futures::future::join_all(contexts.iter().map(|context| {
        let opts = live_options(settings, args, context.clone());
        async move { crate::source::load(None, &opts, None).await }
    }))
    .await;
    let mut clusters = Vec::new();
    let mut partial = false;
    for (context, result) in contexts.into_iter().zip(results) {
        match result {
            Ok(loaded) => {
                partial |= loaded.partial;
                let name = context
                    .or_else(|| loaded.snapshot.meta.context.clone())
                    .unwrap_or_else(|| "current context".into());
                clusters.push(ClusterInput {
                    name,
                    snapshot: Ok(loaded.snapshot),
                });
            }
            Err(e) if single => return Err(e),
            Err(e) => {
                partial = true;
                clusters.push(ClusterInput {
                    name: context.unwrap_or_else(|| "current context".into()),
                    snapshot: Err(format!("{e} (hint: {})", e.hint())),
                });
            }
        }
    }
    Ok((clusters, partial))
}

/// Stdout, or the file (a closed pipe is not an error).
fn write_output(path: Option<&Path>, text: &str) -> Result<()> {
    match path {
        Some(p) if p.as_os_str() != "-" => {
            std::fs::write(p, text).map_err(|e| Error::Usage {
                flag: "-o".into(),
                message: format!("cannot write {}: {e}", p.display()),
                hint: "check that the directory exists and is writable".into(),
            })?;
            eprintln!("wrote {}", p.display());
            Ok(())
        }
        _ => super::output::print(text),
    }
}
