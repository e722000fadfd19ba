//! The command layer: flags (`cli`), the configuration file (`config`), the settings of one
//! invocation built once (`settings`), and one `run` per command. It hands each library
//! module only the typed values it needs — nothing below this layer names a clap type or
//! reads the configuration file — and turns results into exit codes (0 ok, 1 problems found
//! with `--exit-code`, 2 usage/config/input, 3 partial, 4 refused by policy, 130
//! interrupted) and errors into one message plus a hint.

mod audit;
mod ci;
pub mod cli;
pub mod config;
mod diagnose;
mod eval;
pub mod fix;
mod llm;
mod mcp;
mod output;
mod report;
mod sanitize;
pub mod settings;
mod signatures;
mod snapshot;
mod watch;

use std::io::Write as _;
use std::process::ExitCode;

use clap::{CommandFactory as _, Parser as _};

use crate::Input;
use cli::{Cli, Command, ReportCommand};
use settings::Settings;

/// The binary's `main`: parse, run on a Tokio runtime, report.
pub fn main() -> ExitCode {
    // One crypto provider for every rustls user (kube); a second install is harmless.
    let _ = rustls::crypto::ring::default_provider().install_default();
    let cli = match Cli::parse().resolve() {
        Ok(cli) => cli,
        Err(message) => {
            let mut cmd = Cli::command();
            cmd.error(clap::error::ErrorKind::ArgumentConflict, message)
                .exit()
        }
    };
    init_tracing(cli.global.verbose);
    let settings = Settings::new(cli.global.clone());
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
    match runtime.block_on(run(&settings, cli.command)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            report(&e, settings.color_stderr());
            ExitCode::from(e.exit_code() as u8)
        }
    }
}

fn report(e: &crate::Error, color: bool) {
    let (red, dim, reset) = if color {
        ("\x1b[1;31m", "\x1b[2m", "\x1b[0m")
    } else {
        ("", "", "")
    };
    let message = match e {
        crate::Error::Invalid { input, message, .. } => format!("{}: {message}", flag_of(*input)),
        other => other.to_string(),
    };
    let mut err = std::io::stderr().lock();
    let _ = writeln!(err, "{red}error{reset}: {message}");
    let _ = writeln!(err, "{dim}hint{reset}: {}", e.hint());
}

/// The flag a library input comes from on the command line.
fn flag_of(input: Input) -> &'static str {
    match input {
        Input::Repository => "--repo",
        Input::GithubRepository => "--github-repo",
        Input::Hypothesis => "hypothesis",
        Input::Output => "-o",
        Input::Scope => "-n/-l",
        Input::Selector => "-l/--selector",
        Input::PreviousReport => "--previous",
        Input::Scenarios => "DIR",
    }
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

async fn run(settings: &Settings, command: Command) -> crate::Result<u8> {
    // The commands that run the analyzers match the user's signatures too.
    if matches!(
        command,
        Command::Diagnose(_)
            | Command::Eval(_)
            | Command::Watch(_)
            | Command::Report(_)
            | Command::Mcp(_)
    ) {
        signatures::install(&settings.env)?;
    }
    match command {
        Command::Diagnose(args) => diagnose::run(settings, args).await,
        Command::Snapshot(args) => snapshot::run(settings, args).await,
        Command::Eval(args) => eval::run(args),
        Command::Watch(args) => watch::run(settings, &args).await,
        Command::Fix(args) => fix::run(settings, &args).await,
        Command::Audit(args) => audit::run(settings, &args),
        Command::Sanitize(args) => sanitize::run(settings, args),
        Command::Report(ReportCommand::Daily(args)) => report::run(settings, &args).await,
        Command::Ci(cmd) => ci::run(settings, &cmd).await,
        Command::Mcp(args) => mcp::run(settings, &args).await,
        Command::Config(cmd) => config::run(settings, cmd),
        Command::Completions { shell } => {
            let mut cmd = Cli::command();
            clap_complete::generate(shell, &mut cmd, "k8sops", &mut std::io::stdout());
            Ok(0)
        }
    }
}
