//! `k8sops snapshot`: collect (or convert a dump), join CI runs, write a bundle — sanitized
//! unless `--no-sanitize` — and say what is in it.

use std::io::Write as _;
use std::path::Path;

use super::cli::SnapshotArgs;
use super::output;
use super::settings::Settings;
use crate::error::Result;
use crate::model::{Snapshot, pod_is_healthy, pod_ready, pod_status};
use crate::source::{self, bundle};

pub async fn run(settings: &Settings, args: SnapshotArgs) -> Result<u8> {
    let sanitizer = settings.sanitizer()?;
    let live = settings.live(&args.cluster, &args.source);
    let join = settings.ci_join(&args.source, live.timeout)?;
    let loaded = source::load(args.source.from.as_deref(), &live, Some(&join)).await?;
    let snapshot = loaded.snapshot;
    output::warn_all(&snapshot.warnings);
    let options = bundle::WriteOptions {
        sanitizer: (!args.no_sanitize).then_some(&*sanitizer),
    };
    bundle::write(&snapshot, &args.output, &options)?;
    print_summary(&snapshot, &args.output);
    Ok(if loaded.partial { 3 } else { 0 })
}

fn print_summary(snapshot: &Snapshot, out: &Path) {
    let mut o = std::io::stdout().lock();
    let meta = &snapshot.meta;
    let _ = writeln!(o, "wrote {}", out.display());
    let origin = match (&meta.context, &meta.server_version) {
        (Some(c), Some(v)) => format!("context {c}, server {v}, "),
        (Some(c), None) => format!("context {c}, "),
        _ => String::new(),
    };
    let _ = writeln!(
        o,
        "  {origin}{}, captured {}",
        meta.scope.describe(),
        meta.captured_at
    );
    let _ = writeln!(o, "  {}", snapshot.summary());
    let unhealthy: Vec<_> = snapshot
        .objects
        .pods
        .iter()
        .filter(|p| !pod_is_healthy(p))
        .collect();
    if unhealthy.is_empty() {
        let _ = writeln!(o, "  every pod is running and ready");
        return;
    }
    let _ = writeln!(
        o,
        "  {} of {} pods not ready:",
        unhealthy.len(),
        snapshot.objects.pods.len()
    );
    for pod in unhealthy.iter().take(10) {
        let ns = pod.metadata.namespace.as_deref().unwrap_or("");
        let name = pod.metadata.name.as_deref().unwrap_or("");
        let (ready, total) = pod_ready(pod);
        let _ = writeln!(
            o,
            "    {ns}/{name}  {} ({ready}/{total} ready)",
            pod_status(pod)
        );
    }
    if unhealthy.len() > 10 {
        let _ = writeln!(o, "    … and {} more", unhealthy.len() - 10);
    }
}
