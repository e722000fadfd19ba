//! Command-line definitions (clap). One source of truth for flags: `--help`, the man-style
//! long help and the shell completions in `completions/` are generated from these.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "k8sops",
    version,
    about = "Find the root cause of broken Kubernetes workloads",
    long_about = "k8sops collects pod state, events and logs from a cluster (or an offline bundle), \
finds the root cause of what is broken, and explains it with evidence.\n\n\
It reads kubeconfig exactly as kubectl does (KUBECONFIG, --context, -n, -A) and never \
changes the cluster.",
    after_help = "Examples:\n  k8sops diagnose -n shop\n  k8sops diagnose deploy/web -n shop -o json\n  k8sops diagnose --from examples/oom-killed\n  k8sops snapshot -n shop -o shop.tar.gz\n  kubectl logs deploy/web | k8sops sanitize"
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command understands, spelled as kubectl spells them.
#[derive(Debug, Args, Clone)]
pub struct Global {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
    #[arg(long, global = true, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// The kubeconfig context to use (default: its current-context)
    #[arg(long, global = true, value_name = "NAME")]
    pub context: Option<String>,

    /// Only this namespace (default: the context's namespace)
    #[arg(short = 'n', long, global = true, value_name = "NS")]
    pub namespace: Option<String>,

    /// Every namespace
    #[arg(short = 'A', long, global = true, conflicts_with = "namespace")]
    pub all_namespaces: bool,

    /// Only workloads matching this label selector (e.g. app=web,tier!=cache)
    #[arg(short = 'l', long, global = true, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Give up collecting after this long (e.g. 30s, 2m)
    #[arg(long, global = true, value_name = "DURATION", default_value = "30s", value_parser = parse_duration)]
    pub timeout: Duration,

    /// Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else
    /// ~/.config/k8sops/config.toml; a missing default file means defaults)
    #[arg(long, global = true, value_name = "PATH", env = "K8SOPS_CONFIG")]
    pub config: Option<PathBuf>,

    /// More detail on stderr (-v info, -vv debug); RUST_LOG overrides
    #[arg(short = 'v', long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the root cause of what is broken, with evidence, ranked hypotheses and a fix
    #[command(
        after_help = "Examples:\n  k8sops diagnose --from examples/oom-killed\n  k8sops diagnose deploy/web -n shop\n  k8sops diagnose -A -o json | jq '.items[0].hypotheses[0]'\n\nExit codes: 0 ok (or nothing found), 1 problems found with --exit-code, 2 usage or input error, 3 partial collection."
    )]
    Diagnose(DiagnoseArgs),

    /// Capture pods, events, logs and related objects into a bundle you can share or read offline
    #[command(
        after_help = "Examples:\n  k8sops snapshot -n shop -o shop-bundle\n  k8sops snapshot -A -o cluster.tar.gz\n  k8sops snapshot --from dump-dir -o bundle.tar.gz   # convert a kubectl cluster-info dump"
    )]
    Snapshot(SnapshotArgs),

    /// Score diagnose on labelled scenarios: accuracy, confusion matrix, calibration
    #[command(
        after_help = "Each scenario is a bundle directory with an expected.json:\n  {\"category\": \"oom-killed\", \"namespace\": \"shop\", \"workload\": \"Deployment/web\", \"cause_mentions\": [\"512Mi\"]}\n\nExamples:\n  k8sops eval examples\n  k8sops eval examples -o json | jq .accuracy"
    )]
    Eval(EvalArgs),

    /// Redact secrets and personal data from text: FILE (or stdin) to stdout
    #[command(
        after_help = "Line structure is preserved, so the output lines up with the input. Equal secrets get \
equal placeholders within one run (<redacted:password#a1f3>), and different ones across runs.\n\
User rules and allowlists come from the [sanitize] table of the config file.\n\n\
Examples:\n  kubectl logs deploy/web | k8sops sanitize\n  k8sops sanitize app.log --report > app.clean.log\n\n\
Exit codes: 0 ok, 2 unreadable input or invalid rules (nothing is printed then)."
    )]
    Sanitize(SanitizeArgs),

    /// Live dashboard of what is broken (read-only), or with --headless a watcher that prints
    /// new and resolved findings as JSON lines
    #[command(
        after_help = "Keys: ↑/↓ or j/k move, tab next pane, l logs (p previous), d describe, y YAML, e explain (LLM), f propose a fix, / filter, :ctx NAME another context, :ns NAME another namespace (a watch of one namespace restarts on it; with -A or a bundle the view narrows to it), :ns all, +/- replay speed, space pause, ? help, esc back, q quit.\n\n\
Examples:\n  k8sops watch -A\n  k8sops watch --from examples/oom-killed\n  k8sops watch --from examples/crash-loop --replay --speed 60\n  k8sops watch --headless -A | jq -c 'select(.type == \"new\")'\n\n\
Exit codes: 0 ok, 2 usage, config or input error, 3 some kinds could not be watched (the status line and the `status` JSON lines say which)."
    )]
    Watch(WatchArgs),

    /// Show the configuration k8sops runs with
    #[command(subcommand)]
    Config(ConfigCommand),

    /// Print a shell completion script
    #[command(
        after_help = "Examples:\n  k8sops completions bash > ~/.local/share/bash-completion/completions/k8sops\n  k8sops completions zsh > \"${fpath[1]}/_k8sops\"\n  k8sops completions fish > ~/.config/fish/completions/k8sops.fish"
    )]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

/// Where a command reads its snapshot from.
#[derive(Debug, Args, Clone)]
pub struct SourceArgs {
    /// Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a
    /// `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file
    #[arg(long, value_name = "PATH")]
    pub from: Option<PathBuf>,

    /// Log lines per container to fetch
    #[arg(long, value_name = "LINES", default_value_t = 200)]
    pub tail: u32,

    /// Log bytes per container to fetch at most
    #[arg(long, value_name = "BYTES", default_value_t = 256 * 1024)]
    pub log_bytes: u64,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    /// What to diagnose, as kubectl writes it: pod/NAME, deploy/NAME, sts/NAME, ds/NAME,
    /// job/NAME, cronjob/NAME, node/NAME. Without it: everything with a problem in scope
    #[arg(value_name = "TARGET", value_parser = parse_target)]
    pub target: Option<crate::model::Target>,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = crate::render::Format::Text)]
    pub output: crate::render::Format,

    /// Exit with 1 when problems are found (for scripts and CI gates)
    #[arg(long)]
    pub exit_code: bool,
}

fn parse_target(s: &str) -> Result<crate::model::Target, String> {
    crate::model::Target::parse(s)
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Play the bundle given with --from in time order: objects appear when they were
    /// created, events when they were seen
    #[arg(long, requires = "from")]
    pub replay: bool,

    /// Replay speed: seconds of bundle time per second (0 plays as fast as possible)
    #[arg(
        long,
        value_name = "FACTOR",
        default_value_t = 10.0,
        requires = "replay"
    )]
    pub speed: f64,

    /// No UI: print new and resolved findings as JSON lines on stdout
    #[arg(long)]
    pub headless: bool,

    /// With --headless, also post new and resolved findings to Slack (the webhook from
    /// the [slack] table or K8SOPS_SLACK_WEBHOOK_URL), sanitized, within the hourly limit
    #[arg(long, requires = "headless")]
    pub slack: bool,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// Directory of scenarios (subdirectories holding a bundle and expected.json)
    #[arg(value_name = "DIR")]
    pub dir: PathBuf,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = EvalFormat::Text)]
    pub output: EvalFormat,

    /// Exit with 1 when accuracy is below this fraction (e.g. 0.9)
    #[arg(long, value_name = "FRACTION")]
    pub min_accuracy: Option<f64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    Text,
    Json,
}

#[derive(Debug, Args)]
pub struct SnapshotArgs {
    #[command(flatten)]
    pub source: SourceArgs,

    /// Write the bundle here: a directory, or a file ending in .tar.gz
    #[arg(short = 'o', long, value_name = "DIR|FILE.tar.gz")]
    pub output: PathBuf,

    /// Redact secrets and personal data from every object and log in the bundle (the
    /// default, so a bundle can be shared)
    #[arg(long, overrides_with = "no_sanitize")]
    pub sanitize: bool,

    /// Write objects and logs exactly as collected (keep the bundle on this machine)
    #[arg(long, overrides_with = "sanitize")]
    pub no_sanitize: bool,
}

#[derive(Debug, Args)]
pub struct SanitizeArgs {
    /// The file to read; stdin when absent or `-`
    #[arg(value_name = "FILE")]
    pub file: Option<PathBuf>,

    /// Print how many redactions of each kind were made on stderr
    #[arg(long)]
    pub report: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked
    Show,
    /// Print the path of the configuration file k8sops reads
    Path,
}

/// `30`, `30s`, `500ms`, `2m`, `1h`.
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
    let (digits, unit) = s.split_at(split);
    let n: u64 = digits
        .parse()
        .map_err(|_| format!("'{s}' is not a duration; use e.g. 30s, 500ms, 2m, 1h"))?;
    match unit {
        "" | "s" => Ok(Duration::from_secs(n)),
        "ms" => Ok(Duration::from_millis(n)),
        "m" => Ok(Duration::from_secs(n * 60)),
        "h" => Ok(Duration::from_secs(n * 3600)),
        _ => Err(format!(
            "'{s}' has an unknown unit '{unit}'; use ms, s, m or h"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("2m"), Ok(Duration::from_secs(120)));
        assert!(parse_duration("2 weeks").is_err());
        assert!(parse_duration("s").is_err());
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
