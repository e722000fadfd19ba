//! `k8sops diagnose`: load the snapshot (with its CI runs; or read pasted kubectl text with
//! `-f`), run the rules engine, narrow to
//! the target, ask the LLM engine when configured, then print — or hand the top remedy to
//! the fix flow with `--fix`.

use super::cli::DiagnoseArgs;
use super::output;
use super::settings::Settings;
use crate::error::{Error, Result};
use crate::render::Format;
use crate::source;

pub async fn run(settings: &Settings, args: DiagnoseArgs) -> Result<u8> {
    if !args.fix && super::fix::any_option(&args.fix_options) {
        return Err(Error::Usage {
            flag: "--fix".into(),
            message:
                "--repo, --github-repo, --base, --yes, --dry-run and --force only apply with --fix"
                    .into(),
            hint: "add --fix to propose the top remedy as a pull request".into(),
        });
    }
    let live = settings.live(&args.cluster, &args.source);
    let join = settings.ci_join(&args.source, live.timeout)?;
    let loaded = if args.file.is_empty() {
        source::load(args.source.from.as_deref(), &live, Some(&join)).await?
    } else {
        let snapshot = source::paste::read_files(&args.file)?;
        source::Loaded {
            snapshot: source::narrow(snapshot, &live)?,
            partial: false,
        }
    };
    let snapshot = &loaded.snapshot;
    let mut list = crate::rca::run(snapshot);
    if let Some(target) = &args.target {
        let namespace = if live.all_namespaces {
            None
        } else {
            live.namespace.as_deref()
        };
        let Some(subject) = target.resolve(snapshot, namespace) else {
            let scope = namespace
                .map(|n| format!("namespace {n}"))
                .unwrap_or_else(|| "the snapshot".into());
            return Err(Error::Usage {
                flag: "TARGET".into(),
                message: format!("{target} not found in {scope}"),
                hint: "check the name with `kubectl get`, or pass -n NAMESPACE".into(),
            });
        };
        list.items.retain(|d| d.subject == subject);
    }
    let outcome = super::llm::apply(settings, &args.llm, snapshot, list).await?;
    let list = outcome.list;
    if args.fix {
        if outcome.interrupted {
            return Ok(130);
        }
        output::warn_all(&snapshot.warnings);
        return super::fix::fix(settings, &list, Some(snapshot), &args.fix_options).await;
    }
    let now = snapshot.meta.captured_at;
    output::print(&output::diagnoses(
        args.output,
        &list,
        now,
        settings.color_stdout(),
    ))?;
    if args.output == Format::Json || args.output == Format::Markdown {
        output::warn_all(&snapshot.warnings);
    }
    if outcome.interrupted {
        return Ok(130);
    }
    Ok(
        match (loaded.partial, args.exit_code && !list.items.is_empty()) {
            (true, _) => 3,
            (false, true) => 1,
            (false, false) => 0,
        },
    )
}
