//! Command-line definitions (clap). One source of truth for flags: `--help`, the man-style
//! long help and the shell completions in `completions/` are generated from these.

use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::model::parse_duration;

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

    #[command(flatten)]
    pub cluster: ClusterArgs,

    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command understands.
#[derive(Debug, Args, Clone)]
pub struct Global {
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

/// Which cluster, spelled as kubectl spells it: the flags of the commands that read one.
/// They may also stand before the command (`k8sops -n shop diagnose`), as kubectl's do.
#[derive(Debug, Args, Clone, Default, PartialEq)]
#[command(next_help_heading = "Cluster")]
pub struct ClusterArgs {
    /// The kubeconfig context to use (default: its current-context)
    #[arg(long, value_name = "NAME")]
    pub context: Option<String>,

    #[command(flatten)]
    pub scope: ScopeArgs,
}

/// The cluster flags besides `--context` (which `report daily` takes several times).
#[derive(Debug, Args, Clone, Default, PartialEq)]
#[command(next_help_heading = "Cluster")]
pub struct ScopeArgs {
    /// Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)
    #[arg(long, value_name = "PATH")]
    pub kubeconfig: Option<PathBuf>,

    /// Only this namespace (default: the context's namespace)
    #[arg(short = 'n', long, value_name = "NS")]
    pub namespace: Option<String>,

    /// Every namespace
    #[arg(short = 'A', long, conflicts_with = "namespace")]
    pub all_namespaces: bool,

    /// Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle
    /// read with --from is narrowed the same way
    #[arg(short = 'l', long, value_name = "SELECTOR")]
    pub selector: Option<String>,

    /// Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub timeout: Option<Duration>,
}

/// How long collection takes at most when `--timeout` is not given.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);

impl ScopeArgs {
    /// These flags, with those given before the command where these are absent.
    pub fn or(self, outer: &ScopeArgs) -> ScopeArgs {
        let outer = outer.clone();
        let namespaced = self.namespace.is_some() || self.all_namespaces;
        ScopeArgs {
            kubeconfig: self.kubeconfig.or(outer.kubeconfig),
            namespace: if namespaced {
                self.namespace
            } else {
                outer.namespace
            },
            all_namespaces: if namespaced {
                self.all_namespaces
            } else {
                outer.all_namespaces
            },
            selector: self.selector.or(outer.selector),
            timeout: self.timeout.or(outer.timeout),
        }
    }

    pub fn timeout(&self) -> Duration {
        self.timeout.unwrap_or(DEFAULT_TIMEOUT)
    }

    /// Whether any flag was given.
    pub fn is_set(&self) -> bool {
        self != &ScopeArgs::default()
    }
}

impl ClusterArgs {
    /// These flags, with those given before the command where these are absent.
    pub fn or(self, outer: &ClusterArgs) -> ClusterArgs {
        ClusterArgs {
            context: self.context.or_else(|| outer.context.clone()),
            scope: self.scope.or(&outer.scope),
        }
    }

    /// Whether any flag was given.
    pub fn is_set(&self) -> bool {
        self.context.is_some() || self.scope.is_set()
    }
}

impl Cli {
    /// Hands the cluster flags given before the command to the command (its own win), and
    /// refuses them before a command that reads no cluster.
    pub fn resolve(mut self) -> Result<Cli, String> {
        let outer = &self.cluster;
        match &mut self.command {
            Command::Diagnose(a) => a.cluster = a.cluster.clone().or(outer),
            Command::Snapshot(a) => a.cluster = a.cluster.clone().or(outer),
            Command::Watch(a) => a.cluster = a.cluster.clone().or(outer),
            Command::Mcp(a) => a.cluster = a.cluster.clone().or(outer),
            Command::Report(ReportCommand::Daily(a)) => {
                a.scope = a.scope.clone().or(&outer.scope);
                if a.contexts.is_empty() && !a.all_contexts {
                    a.contexts.extend(outer.context.clone());
                }
            }
            _ if outer.is_set() => {
                return Err("--kubeconfig, --context, -n, -A, -l and --timeout apply to the commands that read a cluster (diagnose, snapshot, watch, report daily, mcp); this one reads none".into());
            }
            _ => {}
        }
        Ok(self)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

impl ColorChoice {
    /// Whether to colour a stream that is (or is not) a terminal; `auto` honours NO_COLOR.
    pub fn enabled(self, terminal: bool) -> bool {
        match self {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => std::env::var_os("NO_COLOR").is_none() && terminal,
        }
    }
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Find the root cause of what is broken, with evidence, ranked hypotheses and a fix
    #[command(
        after_help = "Examples:\n  k8sops diagnose --from examples/oom-killed\n  k8sops diagnose deploy/web -n shop\n  k8sops diagnose -A -o json | jq '.items[0].hypotheses[0]'\n  K8SOPS_LLM_BASE_URL=http://127.0.0.1:11434/v1 K8SOPS_LLM_MODEL=qwen2.5:7b k8sops diagnose -n shop --explain\n  k8sops diagnose --from examples/unknown --llm always --no-cache -o json | jq .usage\n  k8sops diagnose deploy/web -n shop --fix --repo ~/src/gitops --dry-run\n  kubectl describe pod web-7d9f8b6c4d-x2k4p | k8sops diagnose -f -\n  k8sops diagnose -f describe.txt -f events.txt -f previous.log\n\nThe LLM engine is optional: with no endpoint configured, or when it fails, the rules engine answers alone (a note or warning says so).\n\nKnown error messages (exec format error, an expired certificate, JVM OutOfMemoryError, postgres password authentication failed, …) are matched against a catalog of signatures; a diagnosis names the one it matched (fact `signature`). Add your own in $XDG_CONFIG_HOME/k8sops/signatures/*.toml (else ~/.config/k8sops/signatures/), tried before the built-in ones; a signature with a built-in id replaces it:\n  [[signature]]\n  id = \"acme-license-expired\"            # lower-case words joined by '-'\n  category = \"config-missing\"            # oom-killed, crash-loop, image-pull, config-missing, network-dns, permission, volume, node-problem, …\n  regex = 'ACME-E(?P<code>\\d{4}): license expired'   # or: match = \"a substring\" (any case)\n  cause = \"The ACME licence has expired (error {code}): `{line}`.\"\n  fix = [\"Renew the licence in Secret acme-license, then restart the pods.\"]\n  example = \"ACME-E0042: license expired on 2026-11-01\"   # checked against the pattern\n\nExit codes: 0 ok (or nothing found), 1 problems found with --exit-code, 2 usage or input error, 3 partial collection, 4 the fix was refused (policy, no confirmation), 130 interrupted (Ctrl-C; the rules result is printed)."
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

    /// Turn the remedy of a saved diagnosis (`diagnose -o json`) into a pull request on the
    /// GitOps repository, after you confirm the diff
    #[command(
        after_help = "Reads the DiagnosisList JSON that `k8sops diagnose -o json` prints, picks the top remedy \
(or lets you choose), finds the manifest, kustomization or Helm values file that sets the field in a \
fresh worktree of the base branch, shows the diff and, once you confirm, pushes branch \
k8sops/<category>-<workload>-<hash> with your own git credentials and opens (or updates) the pull request. \
The cluster is never changed.\n\n\
Examples:\n  k8sops diagnose deploy/web -n shop -o json > web.json\n  k8sops fix web.json --repo ~/src/gitops --dry-run\n  k8sops fix web.json --repo ~/src/gitops --yes\n\n\
Exit codes: 0 ok (or declined), 2 usage, input, git or GitHub error, 4 refused (policy, no terminal without --yes, \
several candidate files, or a remedy with no value to write)."
    )]
    Fix(FixArgs),

    /// List the audit log: every proposal, confirmation, refusal, commit, push and PR
    #[command(
        after_help = "The log is $XDG_STATE_HOME/k8sops/audit.jsonl (else ~/.local/state/k8sops/audit.jsonl), \
one JSON object per line.\n\nExamples:\n  k8sops audit\n  k8sops audit --limit 20\n  k8sops audit -o json | jq 'select(.event == \"refusal\")'"
    )]
    Audit(AuditArgs),

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
    /// Reports for people: the daily health report
    #[command(subcommand)]
    Report(ReportCommand),
    /// GitHub Actions: recent workflow runs, and why a run failed
    #[command(
        subcommand,
        after_help = "The repository is --repo OWNER/NAME, else [ci] repo in the config file or K8SOPS_CI_REPO, \
else the `origin` remote of the current directory's clone. The token comes from GITHUB_TOKEN, GH_TOKEN, \
the [github] table or `gh auth token`; GITHUB_API_URL selects GitHub Enterprise (https://HOST/api/v3).\n\n\
Examples:\n  k8sops ci runs --status failure --limit 10\n  k8sops ci diagnose --latest-failed --workflow deploy.yml\n  k8sops ci diagnose 11893475023 -o json"
    )]
    Ci(CiCommand),

    /// Serve the diagnosis engine to AI assistants over the Model Context Protocol (stdio)
    #[command(
        after_help = "Tools: list_problems, diagnose, get_logs, what_changed, report, propose_fix (returns the diff \
and a fix id, writes nothing) and open_fix_pr (refused unless --allow-pr; always subject to the [policy] table \
and the audit log). Resource k8sops://report/daily; prompt diagnose. Every tool output is sanitized. \
stdout carries the protocol; messages go to stderr.\n\n\
Examples:\n  k8sops mcp\n  k8sops mcp --context prod -n shop\n  k8sops mcp --from examples/oom-killed\n  \
k8sops mcp --repo ~/src/gitops --allow-pr\n  claude mcp add k8sops -- k8sops mcp\n\n\
Exit codes: 0 when the client disconnects, 2 usage, configuration or input error (before serving)."
    )]
    Mcp(McpArgs),

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

    /// GitHub repository whose Actions runs are joined with failing workloads (default:
    /// [ci] repo or K8SOPS_CI_REPO, else the current directory's git remote; with --from,
    /// runs are fetched only when this is given)
    #[arg(long, value_name = "OWNER/NAME", value_parser = parse_repo)]
    pub ci_repo: Option<(String, String)>,
}

fn parse_repo(s: &str) -> Result<(String, String), String> {
    crate::github::parse_repo(s)
}

#[derive(Debug, Subcommand)]
pub enum CiCommand {
    /// Recent workflow runs: status, conclusion, duration, commit, branch, actor, URL
    #[command(
        after_help = "Examples:\n  k8sops ci runs\n  k8sops ci runs --repo acme/shop --workflow deploy.yml --branch main\n  k8sops ci runs --status failure --limit 5 -o json | jq '.items[0].url'\n\nExit codes: 0 ok, 2 usage, configuration or GitHub error (the message says which)."
    )]
    Runs(CiRunsArgs),

    /// Why a run failed: the failing step, its error lines, the kind of failure and the fix
    #[command(
        after_help = "Reads the failed jobs' logs (each job's log, else the run's log archive), finds the failing \
step, the error that caused the failure (shown whole, the wrappers it led to under it), sanitizes it and \
diagnoses it by rules (category ci-failure, kind test, build, dependency, lint, deploy, infrastructure or \
secret-permission). Each failed job is compared with the same job of the workflow's last successful run on \
the branch: lines new in the failing log rank first. --log reads any CI's log from a file or stdin instead, \
--pass-log a passing log to compare it with.\n\n\
Examples:\n  k8sops ci diagnose --latest-failed\n  k8sops ci diagnose 11893475023\n  k8sops ci diagnose https://github.com/acme/shop/actions/runs/11893475023 -o json\n  \
k8sops ci diagnose --log build.log --pass-log last-green.log\n  gh run view 11893475023 --log-failed | k8sops ci diagnose --log -\n\n\
Exit codes: 0 ok, 1 failures found with --exit-code, 2 usage, configuration or GitHub error, 3 partial (a log could not be read; the output says which)."
    )]
    Diagnose(CiDiagnoseArgs),
}

/// Filters and repository shared by the `ci` commands.
#[derive(Debug, Args)]
pub struct CiScope {
    /// The repository (default: [ci] repo or K8SOPS_CI_REPO, else the current directory's
    /// git remote)
    #[arg(long, value_name = "OWNER/NAME", value_parser = parse_repo)]
    pub repo: Option<(String, String)>,

    /// Only runs of this workflow file (e.g. deploy.yml)
    #[arg(long, value_name = "FILE")]
    pub workflow: Option<String>,

    /// Only runs on this branch
    #[arg(long, value_name = "B")]
    pub branch: Option<String>,
}

#[derive(Debug, Args)]
pub struct CiRunsArgs {
    #[command(flatten)]
    pub scope: CiScope,

    /// Only runs with this status or conclusion
    #[arg(long, value_enum, value_name = "STATUS")]
    pub status: Option<RunStatusFilter>,

    /// Runs to show at most
    #[arg(long, value_name = "N", default_value_t = 20, value_parser = clap::value_parser!(u16).range(1..=1000))]
    pub limit: u16,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = RunsFormat::Table)]
    pub output: RunsFormat,
}

#[derive(Debug, Args)]
#[group(id = "which", required = true, multiple = false, args = ["run", "latest_failed", "log"])]
pub struct CiDiagnoseArgs {
    /// The run: its id, or its URL (…/OWNER/NAME/actions/runs/ID)
    #[arg(value_name = "RUN_ID")]
    pub run: Option<String>,

    /// Diagnose the most recent failed run (of --workflow, on --branch) instead of a given one
    #[arg(long)]
    pub latest_failed: bool,

    /// Read a failed build's log from FILE (`-` for stdin) instead of GitHub: any CI's log
    /// (GitHub Actions, `gh run view --log`, GitLab, Jenkins, CircleCI, Maven, Gradle, a local
    /// `act` run)
    #[arg(long, value_name = "FILE")]
    pub log: Option<PathBuf>,

    /// With --log: a passing build's log of the same job; lines new in the failing log rank
    /// first, and errors the passing build printed too are not taken for the cause
    #[arg(long, value_name = "FILE", requires = "log")]
    pub pass_log: Option<PathBuf>,

    #[command(flatten)]
    pub scope: CiScope,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = crate::render::Format::Text)]
    pub output: crate::render::Format,

    /// Exit with 1 when the run failed (for scripts)
    #[arg(long)]
    pub exit_code: bool,

    #[command(flatten)]
    pub llm: LlmArgs,
}

/// Statuses and conclusions GitHub filters runs by, spelled as GitHub spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunStatusFilter {
    Failure,
    Success,
    Cancelled,
    #[value(name = "timed_out", alias = "timed-out")]
    TimedOut,
    #[value(name = "in_progress", alias = "in-progress")]
    InProgress,
    Queued,
    Completed,
    #[value(name = "action_required", alias = "action-required")]
    ActionRequired,
    Skipped,
    Waiting,
}

impl RunStatusFilter {
    /// The `status` query parameter.
    pub fn as_api(self) -> &'static str {
        match self {
            RunStatusFilter::Failure => "failure",
            RunStatusFilter::Success => "success",
            RunStatusFilter::Cancelled => "cancelled",
            RunStatusFilter::TimedOut => "timed_out",
            RunStatusFilter::InProgress => "in_progress",
            RunStatusFilter::Queued => "queued",
            RunStatusFilter::Completed => "completed",
            RunStatusFilter::ActionRequired => "action_required",
            RunStatusFilter::Skipped => "skipped",
            RunStatusFilter::Waiting => "waiting",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum RunsFormat {
    Table,
    Json,
}

#[derive(Debug, Args)]
pub struct DiagnoseArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,

    /// What to diagnose, as kubectl writes it: pod/NAME, deploy/NAME, sts/NAME, ds/NAME,
    /// job/NAME, cronjob/NAME, node/NAME. Without it: everything with a problem in scope
    #[arg(value_name = "TARGET", value_parser = parse_target)]
    pub target: Option<crate::model::Target>,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Read text kubectl printed instead of the cluster: `describe`, `get` tables, `get
    /// events`, `logs` (after its `$ kubectl logs POD -c C` line), `-o yaml|json`; repeat
    /// for several files, `-` reads stdin
    #[arg(
        short = 'f',
        long = "file",
        value_name = "FILE",
        conflicts_with = "from"
    )]
    pub file: Vec<PathBuf>,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = crate::render::Format::Text)]
    pub output: crate::render::Format,

    /// Exit with 1 when problems are found (for scripts and CI gates)
    #[arg(long)]
    pub exit_code: bool,

    /// Propose the top remedy as a pull request on the GitOps repository (see `k8sops fix`)
    #[arg(long)]
    pub fix: bool,

    #[command(flatten)]
    pub fix_options: FixOptions,

    #[command(flatten)]
    pub llm: LlmArgs,
}

/// Where fixes go (`diagnose --fix`, `fix` and `mcp`).
#[derive(Debug, Args, Clone, Default, PartialEq)]
pub struct FixTarget {
    /// The local clone of the GitOps repository (default: repo in the [fix] table,
    /// K8SOPS_FIX_REPO)
    #[arg(long, value_name = "PATH")]
    pub repo: Option<PathBuf>,

    /// The GitHub repository for the pull request (default: github_repo in [fix], else
    /// the clone's remote)
    #[arg(long, value_name = "OWNER/NAME", value_parser = crate::github::parse_repo)]
    pub github_repo: Option<(String, String)>,

    /// The branch the pull request targets (default: base in [fix], else the remote's
    /// default branch)
    #[arg(long, value_name = "BRANCH")]
    pub base: Option<String>,
}

/// How a remedy becomes a pull request (`diagnose --fix` and `fix`).
#[derive(Debug, Args, Clone, Default, PartialEq)]
pub struct FixOptions {
    #[command(flatten)]
    pub target: FixTarget,

    /// Do not ask: confirm the diff (needed without a terminal)
    #[arg(short = 'y', long)]
    pub yes: bool,

    /// Show the diff and stop: nothing is committed, pushed or opened
    #[arg(long)]
    pub dry_run: bool,

    /// Propose even when the confidence is below the policy's min_confidence
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct FixArgs {
    /// The saved diagnosis: a file written by `k8sops diagnose -o json`, or `-` for stdin
    #[arg(value_name = "DIAGNOSIS.json")]
    pub diagnosis: PathBuf,

    #[command(flatten)]
    pub options: FixOptions,
}

#[derive(Debug, Args)]
pub struct McpArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,

    #[command(flatten)]
    pub source: SourceArgs,

    /// Let clients open pull requests with open_fix_pr (pushes a branch with your git
    /// credentials); without it, propose_fix still shows diffs
    #[arg(long)]
    pub allow_pr: bool,

    /// Where propose_fix edits and open_fix_pr opens pull requests
    #[command(flatten)]
    pub target: FixTarget,
}

#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only the last N entries
    #[arg(long, value_name = "N")]
    pub limit: Option<usize>,

    /// Output format
    #[arg(short = 'o', long, value_enum, default_value_t = EvalFormat::Text)]
    pub output: EvalFormat,
}

/// The LLM engine's flags, shared by every command that can use it.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "LLM engine")]
pub struct LlmArgs {
    /// When to ask the LLM: auto (ambiguous, multi-signal or unknown cases), always, never.
    /// Default: [llm] mode in the config file, else auto. Without an endpoint configured
    /// the rules engine answers alone
    #[arg(long = "llm", value_enum, value_name = "WHEN")]
    pub mode: Option<crate::llm::Mode>,

    /// Ask the LLM for a short explanation of every diagnosis (implies the LLM for all)
    #[arg(long)]
    pub explain: bool,

    /// OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (env K8SOPS_LLM_BASE_URL).
    /// The API key comes from K8SOPS_LLM_API_KEY or OPENAI_API_KEY, never from a flag
    #[arg(long, value_name = "URL")]
    pub llm_base_url: Option<String>,

    /// Model name, or the Azure deployment's model (env K8SOPS_LLM_MODEL)
    #[arg(long, value_name = "NAME")]
    pub llm_model: Option<String>,

    /// Token budget of the evidence sent per diagnosis [default: 6000]
    #[arg(long, value_name = "TOKENS")]
    pub context_tokens: Option<usize>,

    /// Give up on one LLM answer after this long, retries included (e.g. 60s) [default: 120s]
    #[arg(long, value_name = "DURATION", value_parser = parse_duration)]
    pub llm_timeout: Option<Duration>,

    /// Neither read nor write the on-disk answer cache ($XDG_CACHE_HOME/k8sops/llm)
    #[arg(long)]
    pub no_cache: bool,
}

impl LlmArgs {
    /// The flags as overrides of the `[llm]` table.
    pub fn overrides(&self) -> crate::llm::Overrides {
        crate::llm::Overrides {
            mode: self.mode,
            base_url: self.llm_base_url.clone(),
            model: self.llm_model.clone(),
            context_tokens: self.context_tokens,
            timeout: self.llm_timeout,
            no_cache: self.no_cache,
        }
    }
}

fn parse_target(s: &str) -> Result<crate::model::Target, String> {
    crate::model::Target::parse(s)
}

#[derive(Debug, Args)]
pub struct WatchArgs {
    #[command(flatten)]
    pub cluster: ClusterArgs,

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
    pub cluster: ClusterArgs,

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
pub enum ReportCommand {
    /// The health report a team reads every morning: status per namespace, a score and grade,
    /// issues, rollouts and CI runs in the window, resource use and recommendations
    #[command(
        after_help = "The score: each section (pods, workloads, nodes, containers) scores \
100 × (passed + ½ warned) / checked; the score is their mean; A ≥ 90, B ≥ 80, C ≥ 70, D ≥ 60, E ≥ 50, else F.\n\n\
Examples:\n  k8sops report daily --from examples/oom-killed\n  k8sops report daily -A -o report.html\n  \
k8sops report daily -A --context prod --context staging -o report.md\n  \
k8sops report daily -A -o today.json --previous yesterday.json --post slack\n  \
k8sops report daily --all-contexts -A --create-issue --repo acme/platform\n\n\
Exit codes: 0 ok, 1 issues found with --exit-code, 2 usage, config or input error (also a failed post), \
3 partial: a context or a kind could not be read (the report says which)."
    )]
    Daily(DailyArgs),
}

/// Formats of `report daily`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ReportFormat {
    Markdown,
    Html,
    Json,
}

/// Where `report daily --post` sends a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum PostTarget {
    /// A Block Kit summary to the incoming webhook of [slack] or K8SOPS_SLACK_WEBHOOK_URL
    Slack,
}

#[derive(Debug, Args)]
pub struct DailyArgs {
    #[command(flatten)]
    pub scope: ScopeArgs,

    #[command(flatten)]
    pub source: SourceArgs,

    /// A kubeconfig context to report on; repeat it for several clusters, one section each
    /// (default: the current context)
    #[arg(long = "context", id = "context", value_name = "NAME", action = clap::ArgAction::Append)]
    pub contexts: Vec<String>,

    /// Every context of the kubeconfig, one section each
    #[arg(long, conflicts_with_all = ["context", "from"])]
    pub all_contexts: bool,

    /// How far back to look for issues, rollouts and CI runs (e.g. 24h, 90m, 7d)
    #[arg(long, value_name = "DURATION", default_value = "24h", value_parser = parse_duration)]
    pub since: Duration,

    /// Write the report to FILE instead of stdout; .html or .json picks the format
    #[arg(short = 'o', long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The format (default: from the extension of -o, else markdown)
    #[arg(long, value_enum)]
    pub format: Option<ReportFormat>,

    /// A report written earlier with -o FILE.json: say what is new and what was resolved
    #[arg(long, value_name = "FILE.json")]
    pub previous: Option<PathBuf>,

    /// Also send a summary there (repeatable)
    #[arg(long, value_enum, value_name = "TARGET")]
    pub post: Vec<PostTarget>,

    /// File a GitHub issue for each critical finding; an open issue with the same
    /// fingerprint gets a comment instead
    #[arg(long)]
    pub create_issue: bool,

    /// The repository for --create-issue (default: repo in [report] or
    /// K8SOPS_REPORT_REPO, else the origin of the current checkout)
    #[arg(long, value_name = "OWNER/NAME", value_parser = crate::github::parse_repo, requires = "create_issue")]
    pub repo: Option<(String, String)>,

    /// Keep secrets in the report as collected (by default they are redacted, as in
    /// bundles, so the report can be shared; what is posted is always redacted)
    #[arg(long)]
    pub no_sanitize: bool,

    /// Exit with 1 when the report lists issues (for scripts and CI gates)
    #[arg(long)]
    pub exit_code: bool,
}

#[derive(Debug, Subcommand)]
pub enum ConfigCommand {
    /// Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked
    Show,
    /// Print the path of the configuration file k8sops reads
    Path,
}

// The library's own enums, spelled as flags here so no module below the command layer
// names clap.
impl ValueEnum for crate::render::Format {
    fn value_variants<'a>() -> &'a [Self] {
        use crate::render::Format::*;
        &[Text, Json, Markdown]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use crate::render::Format::*;
        Some(clap::builder::PossibleValue::new(match self {
            Text => "text",
            Json => "json",
            Markdown => "markdown",
        }))
    }
}

impl ValueEnum for crate::llm::Mode {
    fn value_variants<'a>() -> &'a [Self] {
        use crate::llm::Mode::*;
        &[Auto, Always, Never]
    }

    fn to_possible_value(&self) -> Option<clap::builder::PossibleValue> {
        use crate::llm::Mode::*;
        let (name, help) = match self {
            Auto => (
                "auto",
                "Only for ambiguous, multi-signal or `unknown` diagnoses (and all with `--explain`)",
            ),
            Always => ("always", "For every diagnosis"),
            Never => ("never", "Never: rules engine only"),
        };
        Some(clap::builder::PossibleValue::new(name).help(help))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn report_daily_takes_several_contexts_and_other_commands_one() {
        let parse = |args: &[&str]| Cli::try_parse_from(args);
        let cli = parse(&[
            "k8sops",
            "report",
            "daily",
            "--context",
            "a",
            "--context",
            "b",
        ])
        .expect("repeatable");
        let Command::Report(ReportCommand::Daily(daily)) = cli.command else {
            panic!("report daily")
        };
        assert_eq!(daily.contexts, ["a", "b"]);
        // The global spelling before the subcommand still reaches the report.
        let cli = parse(&["k8sops", "--context", "a", "report", "daily"])
            .expect("before the command")
            .resolve()
            .expect("reaches the command");
        assert_eq!(cli.cluster.context.as_deref(), Some("a"));
        let Command::Report(ReportCommand::Daily(daily)) = cli.command else {
            panic!("report daily")
        };
        assert_eq!(daily.contexts, ["a"]);
        // Elsewhere --context stays single-valued, as kubectl's is.
        let err =
            parse(&["k8sops", "diagnose", "--context", "a", "--context", "b"]).expect_err("single");
        assert_eq!(err.kind(), clap::error::ErrorKind::ArgumentConflict);
        assert!(
            parse(&[
                "k8sops",
                "report",
                "daily",
                "--all-contexts",
                "--context",
                "a"
            ])
            .is_err()
        );
        assert!(parse(&["k8sops", "report", "daily", "--repo", "acme/ops"]).is_err());
    }

    #[test]
    fn cluster_flags_are_shown_and_taken_only_where_a_cluster_is_read() {
        use clap::CommandFactory;
        let mut cmd = Cli::command();
        let help = |cmd: &mut clap::Command, path: &[&str]| {
            let mut sub = cmd.clone();
            for p in path {
                sub = sub.find_subcommand(p).expect("subcommand").clone();
            }
            sub.render_long_help().to_string()
        };
        for path in [
            &["ci", "runs"][..],
            &["ci", "diagnose"],
            &["sanitize"],
            &["audit"],
            &["completions"],
            &["fix"],
            &["eval"],
        ] {
            let text = help(&mut cmd, path);
            for flag in [
                "--kubeconfig <",
                "--context <",
                "--namespace <",
                "--all-namespaces",
                "--selector <",
                "--timeout <",
            ] {
                assert!(!text.contains(flag), "{path:?} shows {flag}:\n{text}");
            }
        }
        for path in [
            &["diagnose"][..],
            &["snapshot"],
            &["watch"],
            &["mcp"],
            &["report", "daily"],
        ] {
            let text = help(&mut cmd, path);
            assert!(
                text.contains("--namespace <") && text.contains("--context <"),
                "{path:?}:\n{text}"
            );
        }
        let parse = |args: &[&str]| Cli::try_parse_from(args).expect("parses").resolve();
        let err = parse(&["k8sops", "-n", "shop", "sanitize"]).expect_err("no cluster");
        assert!(err.contains("reads none"), "{err}");
        let cli = parse(&[
            "k8sops",
            "-n",
            "shop",
            "--timeout",
            "1m",
            "diagnose",
            "-l",
            "app=web",
        ])
        .expect("merged");
        let Command::Diagnose(d) = cli.command else {
            panic!("diagnose")
        };
        assert_eq!(d.cluster.scope.namespace.as_deref(), Some("shop"));
        assert_eq!(d.cluster.scope.selector.as_deref(), Some("app=web"));
        assert_eq!(d.cluster.scope.timeout(), Duration::from_secs(60));
        let cli = parse(&["k8sops", "-n", "shop", "diagnose", "-A"]).expect("merged");
        let Command::Diagnose(d) = cli.command else {
            panic!("diagnose")
        };
        assert!(
            d.cluster.scope.all_namespaces && d.cluster.scope.namespace.is_none(),
            "the command's own -A wins"
        );
    }

    #[test]
    fn cli_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
