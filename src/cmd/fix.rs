//! The terminal side of `diagnose --fix` and `fix`: pick the remedy, show the hypothesis,
//! its evidence and the coloured diff, ask (dialoguer) unless `--yes`, refuse without a
//! terminal, then open the pull request and print its URL. The flow itself is
//! [`crate::remediate::flow`]; [`flow`] builds it for every front-end.

use std::io::{IsTerminal as _, Read as _, Write as _};
use std::path::{Path, PathBuf};

use super::cli::{FixArgs, FixOptions, FixTarget};
use super::settings::Settings;
use crate::audit::AuditLog;
use crate::env::Env;
use crate::error::{Error, Result};
use crate::model::Snapshot;
use crate::rca::{Diagnosis, DiagnosisList};
use crate::remediate::flow::{self, Ask, Flow};
use crate::remediate::{Candidate, Confirmation, Proposal};

/// `k8sops fix DIAGNOSIS.json`.
pub async fn run(settings: &Settings, args: &FixArgs) -> Result<u8> {
    let list = read_diagnosis(&args.diagnosis)?;
    fix(settings, &list, None, &args.options).await
}

/// The fix flow with `opts` over the `[fix]` and `[policy]` tables; `None` when no GitOps
/// clone is given or configured. Shared by `fix`, `diagnose --fix`, the dashboard and MCP.
pub fn flow(settings: &Settings, opts: &FixTarget) -> Result<Option<Flow>> {
    let config = settings.config()?;
    let Some(repo) = opts.repo.clone().or_else(|| {
        config
            .fix
            .repo
            .as_deref()
            .map(|r| expand_home(r, &settings.env))
    }) else {
        return Ok(None);
    };
    Ok(Some(Flow::new(flow::Settings {
        repo,
        github_repo: opts.github_repo.clone(),
        base: opts.base.clone(),
        fix: config.fix.clone(),
        policy: config.policy.clone(),
        sanitizer: settings.sanitizer()?,
        audit: AuditLog::open(&settings.env)?,
        github: settings.github_later()?,
    })))
}

fn read_diagnosis(path: &Path) -> Result<DiagnosisList> {
    let (name, text) = if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Error::io("stdin", e))?;
        (Path::new("stdin").to_path_buf(), s)
    } else {
        let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
        (path.to_path_buf(), text)
    };
    let list: DiagnosisList = serde_json::from_str(&text).map_err(|e| Error::Malformed {
        path: name.clone(),
        line: e.line(),
        column: e.column(),
        message: format!("not a k8sops DiagnosisList: {e}"),
    })?;
    if list.api_version != "k8sops/v1" || list.kind != "DiagnosisList" {
        return Err(Error::NotKubernetes {
            path: name,
            message: format!(
                "expected apiVersion k8sops/v1, kind DiagnosisList; found {} {}",
                list.api_version, list.kind
            ),
        });
    }
    Ok(list)
}

/// Whether any fix flag was given, so `diagnose` can say they need `--fix`.
pub fn any_option(opts: &FixOptions) -> bool {
    opts != &FixOptions::default()
}

struct Paint(bool);

impl Paint {
    fn code(&self, code: &str, s: &str) -> String {
        match self.0 {
            true => format!("\x1b[{code}m{s}\x1b[0m"),
            false => s.to_string(),
        }
    }
}

/// The diff with `+` green, `-` red and hunk headers cyan.
pub fn colour_diff(diff: &str, color: bool) -> String {
    let p = Paint(color);
    diff.split_inclusive('\n')
        .map(|l| {
            let (body, nl) = match l.strip_suffix('\n') {
                Some(b) => (b, "\n"),
                None => (l, ""),
            };
            let painted = if l.starts_with("+++") || l.starts_with("---") {
                p.code("1", body)
            } else if l.starts_with('+') {
                p.code("32", body)
            } else if l.starts_with('-') {
                p.code("31", body)
            } else if l.starts_with("@@") {
                p.code("36", body)
            } else {
                body.to_string()
            };
            painted + nl
        })
        .collect()
}

fn show(out: &mut impl std::io::Write, d: &Diagnosis, p: &Proposal, color: bool) {
    let paint = Paint(color);
    let plan = &p.plan;
    let _ = writeln!(
        out,
        "{} {}\n  {}",
        paint.code("1", &format!("{}:", plan.category)),
        plan.target,
        plan.cause
    );
    let _ = writeln!(out, "  confidence {:.2}", plan.confidence);
    if let Some(h) = d.hypotheses.iter().find(|h| h.cause == plan.cause) {
        for id in &h.evidence {
            if let Some(e) = d.evidence_by_id(id) {
                let _ = writeln!(out, "  {} {}", paint.code("2", id), e.excerpt);
            }
        }
    }
    let _ = writeln!(out, "\nchange:");
    for line in plan.describe_edits() {
        let _ = writeln!(out, "  {line}");
    }
    let _ = writeln!(out, "  why: {}", plan.rationale);
    let _ = writeln!(
        out,
        "  in {} ({}) on {} {}\n",
        p.candidate.file.display(),
        p.candidate.note,
        p.base,
        &p.base_commit[..p.base_commit.len().min(12)]
    );
    let _ = write!(out, "{}", colour_diff(&p.diff, color));
    let _ = writeln!(out);
}

/// `diagnose --fix` (with the snapshot, for Argo CD / Flux / Helm hints) and `fix`.
pub async fn fix(
    settings: &Settings,
    list: &DiagnosisList,
    snapshot: Option<&Snapshot>,
    opts: &FixOptions,
) -> Result<u8> {
    let tty = std::io::stdin().is_terminal() && std::io::stderr().is_terminal();
    let color = settings.color_stdout();
    let ask = tty && !opts.yes;
    let Some(flow) = flow(settings, &opts.target)? else {
        return Err(Error::Usage {
            flag: "--repo".into(),
            message: "no GitOps repository to open the pull request on".into(),
            hint:
                "pass --repo PATH (a local clone), or set repo in the [fix] table / K8SOPS_FIX_REPO"
                    .into(),
        });
    };
    let mut out = std::io::stdout().lock();
    if list.items.is_empty() {
        let _ = writeln!(out, "No problems found; nothing to fix.");
        return Ok(0);
    }
    let offered = Flow::remedies(list);
    let (item, hypothesis) = match offered.len() {
        // Planning says why the top hypothesis has nothing to write.
        0 => (0, 0),
        1 => offered[0],
        _ if ask => {
            let labels: Vec<String> = offered
                .iter()
                .map(|&(i, j)| {
                    let d = &list.items[i];
                    let h = &d.hypotheses[j];
                    format!(
                        "{} ({:.2}) {}: {}",
                        h.category, h.confidence, d.subject, h.cause
                    )
                })
                .collect();
            let picked = dialoguer::Select::new()
                .with_prompt("Which remedy?")
                .items(&labels)
                .default(0)
                .interact_opt()
                .map_err(prompt_error)?;
            match picked {
                Some(k) => offered[k],
                None => {
                    let _ = writeln!(out, "Nothing chosen; nothing was changed.");
                    return Ok(0);
                }
            }
        }
        _ => offered[0],
    };
    let diagnosis = &list.items[item];
    let chooser = |candidates: &[Candidate]| -> Option<usize> {
        let labels: Vec<String> = candidates.iter().map(|c| c.to_string()).collect();
        dialoguer::Select::new()
            .with_prompt("Several files could hold the change; which one deploys it?")
            .items(&labels)
            .default(0)
            .interact_opt()
            .ok()
            .flatten()
    };
    let proposal = flow.propose(
        diagnosis,
        hypothesis,
        Flow::hints(snapshot, &diagnosis.subject),
        Ask {
            force: opts.force,
            interactive: tty,
            choose: if ask { Some(&chooser) } else { None },
        },
    )?;
    show(&mut out, diagnosis, &proposal, color);
    let target = format!(
        "branch {} and a pull request on {}/{} (base {})",
        proposal.branch, proposal.owner, proposal.repo_name, proposal.base
    );
    if opts.dry_run {
        flow.record(
            &proposal,
            "dry-run",
            "shown with --dry-run; nothing committed",
        )?;
        let _ = writeln!(out, "Dry run: would push {target}. Nothing was committed.");
        return Ok(0);
    }
    let confirmation = match (opts.yes, tty) {
        (true, _) => Confirmation::Flag,
        (false, false) => {
            let err = Error::Refused {
                reason: "there is no terminal to confirm the change on, and --yes was not given"
                    .into(),
                hint: "pass --yes to confirm without a prompt, or --dry-run to only see the diff"
                    .into(),
            };
            flow.record(&proposal, "refusal", &err.to_string())?;
            return Err(err);
        }
        (false, true) => {
            let _ = out.flush();
            let yes = dialoguer::Confirm::new()
                .with_prompt(format!("Push {target}?"))
                .default(false)
                .interact()
                .map_err(prompt_error)?;
            if !yes {
                flow.record(&proposal, "declined", "declined at the prompt")?;
                let _ = writeln!(out, "Nothing was changed.");
                return Ok(0);
            }
            Confirmation::Prompt
        }
    };
    let branch = proposal.branch.clone();
    let opened = flow.open(proposal, diagnosis, confirmation).await?;
    let pr = &opened.pull_request;
    let verb = if pr.updated { "Updated" } else { "Opened" };
    let pushed = if opened.pushed {
        format!("pushed {branch}")
    } else {
        format!("{branch} already held this change")
    };
    let _ = writeln!(
        out,
        "{verb} pull request #{} ({pushed}):\n{}",
        pr.number, pr.url
    );
    Ok(0)
}

/// `~/src/gitops` in the config file, as a shell would read it.
fn expand_home(path: &Path, env: &Env<'_>) -> PathBuf {
    match (path.strip_prefix("~"), env.get("HOME")) {
        (Ok(rest), Some(home)) => Path::new(&home).join(rest),
        _ => path.to_path_buf(),
    }
}

fn prompt_error(e: dialoguer::Error) -> Error {
    Error::Refused {
        reason: format!("the prompt failed: {e}"),
        hint: "pass --yes to confirm without a prompt, or --dry-run to only see the diff".into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn diffs_are_coloured_only_when_asked() {
        let diff = "--- a/w.yaml\n+++ b/w.yaml\n@@ -1 +1 @@\n-memory: 512Mi\n+memory: 1Gi\n";
        assert_eq!(colour_diff(diff, false), diff);
        let coloured = colour_diff(diff, true);
        assert!(
            coloured.contains("\x1b[31m-memory: 512Mi\x1b[0m\n"),
            "{coloured:?}"
        );
        assert!(
            coloured.contains("\x1b[32m+memory: 1Gi\x1b[0m\n"),
            "{coloured:?}"
        );
        assert!(
            coloured.contains("\x1b[36m@@ -1 +1 @@\x1b[0m"),
            "{coloured:?}"
        );
    }
}
