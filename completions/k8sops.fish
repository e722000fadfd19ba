# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_k8sops_global_optspecs
    string join \n color= config= v/verbose context= kubeconfig= n/namespace= A/all-namespaces l/selector= timeout= h/help V/version
end

function __fish_k8sops_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_k8sops_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_k8sops_using_subcommand
    set -l cmd (__fish_k8sops_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c k8sops -n "__fish_k8sops_needs_command" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_needs_command" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_needs_command" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_needs_command" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_needs_command" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way' -r
complete -c k8sops -n "__fish_k8sops_needs_command" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]' -r
complete -c k8sops -n "__fish_k8sops_needs_command" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_needs_command" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c k8sops -n "__fish_k8sops_needs_command" -s V -l version -d 'Print version'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "diagnose" -d 'Find the root cause of what is broken, with evidence, ranked hypotheses and a fix'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "snapshot" -d 'Capture pods, events, logs and related objects into a bundle you can share or read offline'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "eval" -d 'Score diagnose on labelled scenarios: accuracy, confusion matrix, calibration'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "fix" -d 'Turn the remedy of a saved diagnosis (`diagnose -o json`) into a pull request on the GitOps repository, after you confirm the diff'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "audit" -d 'List the audit log: every proposal, confirmation, refusal, commit, push and PR'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "sanitize" -d 'Redact secrets and personal data from text: FILE (or stdin) to stdout'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "watch" -d 'Live dashboard of what is broken (read-only), or with --headless a watcher that prints new and resolved findings as JSON lines'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "report" -d 'Reports for people: the daily health report'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "ci" -d 'GitHub Actions: recent workflow runs, and why a run failed'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "mcp" -d 'Serve the diagnosis engine to AI assistants over the Model Context Protocol (stdio)'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "config" -d 'Show the configuration k8sops runs with'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l from -d 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l tail -d 'Log lines per container to fetch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l log-bytes -d 'Log bytes per container to fetch at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l ci-repo -d 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory\'s git remote; with --from, runs are fetched only when this is given)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s f -l file -d 'Read text kubectl printed instead of the cluster: `describe`, `get` tables, `get events`, `logs` (after its `$ kubectl logs POD -c C` line), `-o yaml|json`; repeat for several files, `-` reads stdin' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''
markdown\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l repo -d 'The local clone of the GitOps repository (default: repo in the [fix] table, K8SOPS_FIX_REPO)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l github-repo -d 'The GitHub repository for the pull request (default: github_repo in [fix], else the clone\'s remote)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l base -d 'The branch the pull request targets (default: base in [fix], else the remote\'s default branch)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l llm -d 'When to ask the LLM: auto (ambiguous, multi-signal or unknown cases), always, never. Default: [llm] mode in the config file, else auto. Without an endpoint configured the rules engine answers alone' -r -f -a "auto\t'Only for ambiguous, multi-signal or `unknown` diagnoses (and all with `--explain`)'
always\t'For every diagnosis'
never\t'Never: rules engine only'"
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l llm-base-url -d 'OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (env K8SOPS_LLM_BASE_URL). The API key comes from K8SOPS_LLM_API_KEY or OPENAI_API_KEY, never from a flag' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l llm-model -d 'Model name, or the Azure deployment\'s model (env K8SOPS_LLM_MODEL)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l context-tokens -d 'Token budget of the evidence sent per diagnosis [default: 6000]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l llm-timeout -d 'Give up on one LLM answer after this long, retries included (e.g. 60s) [default: 120s]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l exit-code -d 'Exit with 1 when problems are found (for scripts and CI gates)'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l fix -d 'Propose the top remedy as a pull request on the GitOps repository (see `k8sops fix`)'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s y -l yes -d 'Do not ask: confirm the diff (needed without a terminal)'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l dry-run -d 'Show the diff and stop: nothing is committed, pushed or opened'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l force -d 'Propose even when the confidence is below the policy\'s min_confidence'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l explain -d 'Ask the LLM for a short explanation of every diagnosis (implies the LLM for all)'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l no-cache -d 'Neither read nor write the on-disk answer cache ($XDG_CACHE_HOME/k8sops/llm)'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l from -d 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l tail -d 'Log lines per container to fetch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l log-bytes -d 'Log bytes per container to fetch at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l ci-repo -d 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory\'s git remote; with --from, runs are fetched only when this is given)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s o -l output -d 'Write the bundle here: a directory, or a file ending in .tar.gz' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l sanitize -d 'Redact secrets and personal data from every object and log in the bundle (the default, so a bundle can be shared)'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l no-sanitize -d 'Write objects and logs exactly as collected (keep the bundle on this machine)'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l min-accuracy -d 'Exit with 1 when accuracy is below this fraction (e.g. 0.9)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -l repo -d 'The local clone of the GitOps repository (default: repo in the [fix] table, K8SOPS_FIX_REPO)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -l github-repo -d 'The GitHub repository for the pull request (default: github_repo in [fix], else the clone\'s remote)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -l base -d 'The branch the pull request targets (default: base in [fix], else the remote\'s default branch)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -s y -l yes -d 'Do not ask: confirm the diff (needed without a terminal)'
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -l dry-run -d 'Show the diff and stop: nothing is committed, pushed or opened'
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -l force -d 'Propose even when the confidence is below the policy\'s min_confidence'
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand fix" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand audit" -l limit -d 'Only the last N entries' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand audit" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand audit" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand audit" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand audit" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand audit" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l report -d 'Print how many redactions of each kind were made on stderr'
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l from -d 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l tail -d 'Log lines per container to fetch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l log-bytes -d 'Log bytes per container to fetch at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l ci-repo -d 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory\'s git remote; with --from, runs are fetched only when this is given)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l speed -d 'Replay speed: seconds of bundle time per second (0 plays as fast as possible)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l replay -d 'Play the bundle given with --from in time order: objects appear when they were created, events when they were seen'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l headless -d 'No UI: print new and resolved findings as JSON lines on stdout'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l slack -d 'With --headless, also post new and resolved findings to Slack (the webhook from the [slack] table or K8SOPS_SLACK_WEBHOOK_URL), sanitized, within the hourly limit'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and not __fish_seen_subcommand_from daily help" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and not __fish_seen_subcommand_from daily help" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and not __fish_seen_subcommand_from daily help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and not __fish_seen_subcommand_from daily help" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and not __fish_seen_subcommand_from daily help" -f -a "daily" -d 'The health report a team reads every morning: status per namespace, a score and grade, issues, rollouts and CI runs in the window, resource use and recommendations'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and not __fish_seen_subcommand_from daily help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l from -d 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l tail -d 'Log lines per container to fetch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l log-bytes -d 'Log bytes per container to fetch at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l ci-repo -d 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory\'s git remote; with --from, runs are fetched only when this is given)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l context -d 'A kubeconfig context to report on; repeat it for several clusters, one section each (default: the current context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l since -d 'How far back to look for issues, rollouts and CI runs (e.g. 24h, 90m, 7d)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -s o -l output -d 'Write the report to FILE instead of stdout; .html or .json picks the format' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l format -d 'The format (default: from the extension of -o, else markdown)' -r -f -a "markdown\t''
html\t''
json\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l previous -d 'A report written earlier with -o FILE.json: say what is new and what was resolved' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l post -d 'Also send a summary there (repeatable)' -r -f -a "slack\t'A Block Kit summary to the incoming webhook of [slack] or K8SOPS_SLACK_WEBHOOK_URL'"
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l repo -d 'The repository for --create-issue (default: repo in [report] or K8SOPS_REPORT_REPO, else the origin of the current checkout)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l all-contexts -d 'Every context of the kubeconfig, one section each'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l create-issue -d 'File a GitHub issue for each critical finding; an open issue with the same fingerprint gets a comment instead'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l no-sanitize -d 'Keep secrets in the report as collected (by default they are redacted, as in bundles, so the report can be shared; what is posted is always redacted)'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -l exit-code -d 'Exit with 1 when the report lists issues (for scripts and CI gates)'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from daily" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "daily" -d 'The health report a team reads every morning: status per namespace, a score and grade, issues, rollouts and CI runs in the window, resource use and recommendations'
complete -c k8sops -n "__fish_k8sops_using_subcommand report; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and not __fish_seen_subcommand_from runs diagnose help" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and not __fish_seen_subcommand_from runs diagnose help" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and not __fish_seen_subcommand_from runs diagnose help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and not __fish_seen_subcommand_from runs diagnose help" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and not __fish_seen_subcommand_from runs diagnose help" -f -a "runs" -d 'Recent workflow runs: status, conclusion, duration, commit, branch, actor, URL'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and not __fish_seen_subcommand_from runs diagnose help" -f -a "diagnose" -d 'Why a run failed: the failing step, its error lines, the kind of failure and the fix'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and not __fish_seen_subcommand_from runs diagnose help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -l repo -d 'The repository (default: [ci] repo or K8SOPS_CI_REPO, else the current directory\'s git remote)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -l workflow -d 'Only runs of this workflow file (e.g. deploy.yml)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -l branch -d 'Only runs on this branch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -l status -d 'Only runs with this status or conclusion' -r -f -a "failure\t''
success\t''
cancelled\t''
timed_out\t''
in_progress\t''
queued\t''
completed\t''
action_required\t''
skipped\t''
waiting\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -l limit -d 'Runs to show at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -s o -l output -d 'Output format' -r -f -a "table\t''
json\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from runs" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l log -d 'Read a failed build\'s log from FILE (`-` for stdin) instead of GitHub: any CI\'s log (GitHub Actions, `gh run view --log`, GitLab, Jenkins, CircleCI, Maven, Gradle, a local `act` run)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l pass-log -d 'With --log: a passing build\'s log of the same job; lines new in the failing log rank first, and errors the passing build printed too are not taken for the cause' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l repo -d 'The repository (default: [ci] repo or K8SOPS_CI_REPO, else the current directory\'s git remote)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l workflow -d 'Only runs of this workflow file (e.g. deploy.yml)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l branch -d 'Only runs on this branch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''
markdown\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l llm -d 'When to ask the LLM: auto (ambiguous, multi-signal or unknown cases), always, never. Default: [llm] mode in the config file, else auto. Without an endpoint configured the rules engine answers alone' -r -f -a "auto\t'Only for ambiguous, multi-signal or `unknown` diagnoses (and all with `--explain`)'
always\t'For every diagnosis'
never\t'Never: rules engine only'"
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l llm-base-url -d 'OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (env K8SOPS_LLM_BASE_URL). The API key comes from K8SOPS_LLM_API_KEY or OPENAI_API_KEY, never from a flag' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l llm-model -d 'Model name, or the Azure deployment\'s model (env K8SOPS_LLM_MODEL)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l context-tokens -d 'Token budget of the evidence sent per diagnosis [default: 6000]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l llm-timeout -d 'Give up on one LLM answer after this long, retries included (e.g. 60s) [default: 120s]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l latest-failed -d 'Diagnose the most recent failed run (of --workflow, on --branch) instead of a given one'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l exit-code -d 'Exit with 1 when the run failed (for scripts)'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l explain -d 'Ask the LLM for a short explanation of every diagnosis (implies the LLM for all)'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -l no-cache -d 'Neither read nor write the on-disk answer cache ($XDG_CACHE_HOME/k8sops/llm)'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from diagnose" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from help" -f -a "runs" -d 'Recent workflow runs: status, conclusion, duration, commit, branch, actor, URL'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from help" -f -a "diagnose" -d 'Why a run failed: the failing step, its error lines, the kind of failure and the fix'
complete -c k8sops -n "__fish_k8sops_using_subcommand ci; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l from -d 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l tail -d 'Log lines per container to fetch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l log-bytes -d 'Log bytes per container to fetch at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l ci-repo -d 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory\'s git remote; with --from, runs are fetched only when this is given)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l repo -d 'The local clone of the GitOps repository (default: repo in the [fix] table, K8SOPS_FIX_REPO)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l github-repo -d 'The GitHub repository for the pull request (default: github_repo in [fix], else the clone\'s remote)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l base -d 'The branch the pull request targets (default: base in [fix], else the remote\'s default branch)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -l allow-pr -d 'Let clients open pull requests with open_fix_pr (pushes a branch with your git credentials); without it, propose_fix still shows diffs'
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand mcp" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -f -a "show" -d 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -f -a "path" -d 'Print the path of the configuration file k8sops reads'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the path of the configuration file k8sops reads'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "diagnose" -d 'Find the root cause of what is broken, with evidence, ranked hypotheses and a fix'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "snapshot" -d 'Capture pods, events, logs and related objects into a bundle you can share or read offline'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "eval" -d 'Score diagnose on labelled scenarios: accuracy, confusion matrix, calibration'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "fix" -d 'Turn the remedy of a saved diagnosis (`diagnose -o json`) into a pull request on the GitOps repository, after you confirm the diff'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "audit" -d 'List the audit log: every proposal, confirmation, refusal, commit, push and PR'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "sanitize" -d 'Redact secrets and personal data from text: FILE (or stdin) to stdout'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "watch" -d 'Live dashboard of what is broken (read-only), or with --headless a watcher that prints new and resolved findings as JSON lines'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "report" -d 'Reports for people: the daily health report'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "ci" -d 'GitHub Actions: recent workflow runs, and why a run failed'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "mcp" -d 'Serve the diagnosis engine to AI assistants over the Model Context Protocol (stdio)'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "config" -d 'Show the configuration k8sops runs with'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval fix audit sanitize watch report ci mcp config completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and __fish_seen_subcommand_from report" -f -a "daily" -d 'The health report a team reads every morning: status per namespace, a score and grade, issues, rollouts and CI runs in the window, resource use and recommendations'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and __fish_seen_subcommand_from ci" -f -a "runs" -d 'Recent workflow runs: status, conclusion, duration, commit, branch, actor, URL'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and __fish_seen_subcommand_from ci" -f -a "diagnose" -d 'Why a run failed: the failing step, its error lines, the kind of failure and the fix'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print the path of the configuration file k8sops reads'
