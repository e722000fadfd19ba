//! The k8sops binary: parse flags, build the runtime, dispatch, and turn errors into one
//! clear message plus a hint and an exit code (0 ok, 2 usage/config/input, 3 partial,
//! 4 refused by policy).

use std::io::{IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};
use k8sops::cli::{
    Cli, ColorChoice, Command, ConfigCommand, DiagnoseArgs, EvalArgs, EvalFormat, Global,
    ReportCommand, SanitizeArgs, SnapshotArgs, SourceArgs,
};
use k8sops::config::{Config, Loaded};
use k8sops::model::{Snapshot, pod_is_healthy, pod_ready, pod_status};
use k8sops::render::{self, Format};
use k8sops::sanitize::Sanitizer;
use k8sops::source::{self, bundle, live::LiveOptions};

fn main() -> ExitCode {
    // One crypto provider for every rustls user (kube); a second install is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = Cli::parse();
    init_tracing(cli.global.verbose);
    let color = use_color(cli.global.color, std::io::stderr().is_terminal());
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e, color);
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn report(e: &k8sops::Error, color: bool) {
    let (red, dim, reset) = if color {
        ("\x1b[1;31m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{red}error{reset}: {e}");
    let _ = writeln!(err, "{dim}hint{reset}: {}", e.hint());
}

fn init_tracing(verbose: u8) {
    let default = match verbose {
        // kube logs every failed request at error level; k8sops reports them itself.
        0 => "k8sops=warn",
        1 => "k8sops=info",
        _ => "k8sops=debug,kube=debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .try_init();
}

fn use_color(choice: ColorChoice, terminal: bool) -> bool {
    choice.enabled(terminal)
}

async fn run(cli: Cli) -> k8sops::Result<u8> {
    match cli.command {
        Command::Diagnose(args) => diagnose(&cli.global, args).await,
        Command::Snapshot(args) => snapshot(&cli.global, args).await,
        Command::Eval(args) => eval(args),
        Command::Watch(args) => k8sops::watch::command::run(&cli.global, &args).await,
        Command::Fix(args) => k8sops::remediate::command::run(&cli.global, &args).await,
        Command::Audit(args) => k8sops::audit::run(&args),
        Command::Sanitize(args) => sanitize(&cli.global, args),
        Command::Report(ReportCommand::Daily(args)) => {
            k8sops::report::daily::run(&cli.global, &args).await
        }
        Command::Ci(cmd) => k8sops::ci::command::run(&cli.global, &cmd).await,
        Command::Mcp(args) => k8sops::mcp::run(&cli.global, &args).await,
        Command::Config(cmd) => config(&cli.global, cmd),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "k8sops", &mut std::io::stdout());
            Ok(0)
        }
    }
}

fn live_options(global: &Global, source: &SourceArgs) -> LiveOptions {
    LiveOptions::from_flags(global, source)
}

/// Prints collection warnings on stderr.
fn warn_all(snapshot: &Snapshot) {
    let mut err = std::io::stderr().lock();
    for w in &snapshot.warnings {
        let _ = writeln!(err, "warning: {w}");
    }
}

async fn diagnose(global: &Global, args: DiagnoseArgs) -> k8sops::Result<u8> {
    if !args.fix && k8sops::remediate::command::any_option(&args.fix_options) {
        return Err(k8sops::Error::Usage {
            flag: "--fix".into(),
            message:
                "--repo, --github-repo, --base, --yes, --dry-run and --force only apply with --fix"
                    .into(),
            hint: "add --fix to propose the top remedy as a pull request".into(),
        });
    }
    let opts = live_options(global, &args.source);
    let mut loaded = source::load(args.source.from.as_deref(), &opts).await?;
    k8sops::ci::command::attach(global, &args.source, &mut loaded.snapshot).await;
    let snapshot = &loaded.snapshot;
    let mut list = k8sops::rca::run(snapshot);
    if let Some(target) = &args.target {
        let namespace = if global.all_namespaces {
            None
        } else {
            global.namespace.as_deref()
        };
        let Some(subject) = target.resolve(snapshot, namespace) else {
            let scope = namespace
                .map(|n| format!("namespace {n}"))
                .unwrap_or_else(|| "the snapshot".into());
            return Err(k8sops::Error::Usage {
                flag: "TARGET".into(),
                message: format!("{target} not found in {scope}"),
                hint: "check the name with `kubectl get`, or pass -n NAMESPACE".into(),
            });
        };
        list.items.retain(|d| d.subject == subject);
    }
    let outcome = k8sops::llm::command::apply(global, &args.llm, snapshot, list).await?;
    let list = outcome.list;
    if args.fix {
        if outcome.interrupted {
            return Ok(130);
        }
        warn_all(snapshot);
        return k8sops::remediate::command::fix(global, &list, Some(snapshot), &args.fix_options)
            .await;
    }
    let now = snapshot.meta.captured_at;
    let rendered = match args.output {
        Format::Json => render::json(&list),
        Format::Markdown => render::markdown(&list, now),
        Format::Text => render::text(
            &list,
            now,
            use_color(global.color, std::io::stdout().is_terminal()),
        ),
    };
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(rendered.as_bytes());
    if args.output == Format::Json || args.output == Format::Markdown {
        warn_all(snapshot);
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

fn eval(args: EvalArgs) -> k8sops::Result<u8> {
    let report = k8sops::eval::run(&args.dir)?;
    let rendered = match args.output {
        EvalFormat::Json => serde_json::to_string_pretty(&report).unwrap_or_default() + "\n",
        EvalFormat::Text => k8sops::eval::render_text(&report),
    };
    let _ = std::io::stdout().lock().write_all(rendered.as_bytes());
    Ok(match args.min_accuracy {
        Some(min) if report.accuracy < min => 1,
        _ => 0,
    })
}

/// The configuration, read only by the commands that use it (so `completions` works
/// whatever the file says).
fn load_config(global: &Global) -> k8sops::Result<Loaded> {
    Config::load(global.config.as_deref())
}

/// The sanitizer with the user's rules; an invalid rule is a configuration error.
fn sanitizer(config: &Config) -> k8sops::Result<Sanitizer> {
    Sanitizer::with_config(&config.sanitize).map_err(|e| k8sops::Error::Sanitize {
        what: "the configured rules".into(),
        message: e.to_string(),
    })
}

async fn snapshot(global: &Global, args: SnapshotArgs) -> k8sops::Result<u8> {
    let sanitizer = match args.no_sanitize {
        true => None,
        false => Some(sanitizer(&load_config(global)?.config)?),
    };
    let opts = live_options(global, &args.source);
    let loaded = source::load(args.source.from.as_deref(), &opts).await?;
    let mut snapshot = loaded.snapshot;
    k8sops::ci::command::attach(global, &args.source, &mut snapshot).await;
    warn_all(&snapshot);
    let options = bundle::WriteOptions {
        sanitizer: sanitizer.as_ref(),
    };
    bundle::write(&snapshot, &args.output, &options)?;
    print_summary(&snapshot, &args.output);
    Ok(if loaded.partial { 3 } else { 0 })
}

fn sanitize(global: &Global, args: SanitizeArgs) -> k8sops::Result<u8> {
    use std::io::Read as _;
    let sanitizer = sanitizer(&load_config(global)?.config)?;
    let (name, bytes) = match args.file.as_deref() {
        None => ("stdin".to_string(), read_stdin()?),
        Some(p) if p.as_os_str() == "-" => ("stdin".to_string(), read_stdin()?),
        Some(p) => (
            p.display().to_string(),
            std::fs::read(p).map_err(|e| k8sops::Error::io(p, e))?,
        ),
    };
    let text = String::from_utf8_lossy(&bytes);
    if let std::borrow::Cow::Owned(_) = text {
        eprintln!("warning: {name} is not valid UTF-8; invalid bytes were replaced with U+FFFD");
    }
    // Fail closed: on an error nothing reaches stdout.
    let out = sanitizer
        .sanitize(&text)
        .map_err(|e| k8sops::Error::Sanitize {
            what: name,
            message: e.to_string(),
        })?;
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(out.text.as_bytes())
        .and_then(|_| stdout.flush())
    {
        // A closed pipe (`| head`) is not an error worth a message.
        if e.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(k8sops::Error::io("stdout", e));
        }
    }
    if args.report {
        let mut err = std::io::stderr().lock();
        let _ = write!(err, "{}", out.report);
        let _ = writeln!(err, "total\t{}", out.report.total());
    }
    return Ok(0);

    fn read_stdin() -> k8sops::Result<Vec<u8>> {
        let mut buf = Vec::new();
        std::io::stdin()
            .lock()
            .read_to_end(&mut buf)
            .map_err(|e| k8sops::Error::io("stdin", e))?;
        Ok(buf)
    }
}

fn config(global: &Global, cmd: ConfigCommand) -> k8sops::Result<u8> {
    let loaded = load_config(global)?;
    let mut out = std::io::stdout().lock();
    match cmd {
        ConfigCommand::Show => {
            let source = match &loaded.path {
                Some(p) => format!("# from {}", p.display()),
                None => "# no config file; defaults".to_string(),
            };
            let _ = writeln!(out, "{source}\n{}", loaded.config.show());
        }
        ConfigCommand::Path => {
            let path = loaded.path.or_else(|| {
                k8sops::config::Env::process()
                    .config_dir()
                    .map(|d| d.join("config.toml"))
            });
            match path {
                Some(p) => {
                    let _ = writeln!(out, "{}", p.display());
                }
                None => {
                    return Err(k8sops::Error::Usage {
                        flag: "--config".into(),
                        message: "neither XDG_CONFIG_HOME nor HOME is set".into(),
                        hint: "pass --config PATH or set K8SOPS_CONFIG".into(),
                    });
                }
            }
        }
    }
    Ok(0)
}

fn print_summary(snapshot: &Snapshot, out: &std::path::Path) {
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
