# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_k8sops_global_optspecs
    string join \n kubeconfig= context= n/namespace= A/all-namespaces l/selector= timeout= color= config= v/verbose h/help V/version
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

complete -c k8sops -n "__fish_k8sops_needs_command" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_needs_command" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_needs_command" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_needs_command" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_needs_command" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_needs_command" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_needs_command" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_needs_command" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_needs_command" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_needs_command" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c k8sops -n "__fish_k8sops_needs_command" -s V -l version -d 'Print version'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "diagnose" -d 'Find the root cause of what is broken, with evidence, ranked hypotheses and a fix'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "snapshot" -d 'Capture pods, events, logs and related objects into a bundle you can share or read offline'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "eval" -d 'Score diagnose on labelled scenarios: accuracy, confusion matrix, calibration'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "sanitize" -d 'Redact secrets and personal data from text: FILE (or stdin) to stdout'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "watch" -d 'Live dashboard of what is broken (read-only), or with --headless a watcher that prints new and resolved findings as JSON lines'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "config" -d 'Show the configuration k8sops runs with'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c k8sops -n "__fish_k8sops_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l from -d 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l tail -d 'Log lines per container to fetch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l log-bytes -d 'Log bytes per container to fetch at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''
markdown\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -l exit-code -d 'Exit with 1 when problems are found (for scripts and CI gates)'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand diagnose" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l from -d 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l tail -d 'Log lines per container to fetch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l log-bytes -d 'Log bytes per container to fetch at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s o -l output -d 'Write the bundle here: a directory, or a file ending in .tar.gz' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l sanitize -d 'Redact secrets and personal data from every object and log in the bundle (the default, so a bundle can be shared)'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -l no-sanitize -d 'Write objects and logs exactly as collected (keep the bundle on this machine)'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand snapshot" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s o -l output -d 'Output format' -r -f -a "text\t''
json\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l min-accuracy -d 'Exit with 1 when accuracy is below this fraction (e.g. 0.9)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand eval" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -l report -d 'Print how many redactions of each kind were made on stderr'
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand sanitize" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l from -d 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l tail -d 'Log lines per container to fetch' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l log-bytes -d 'Log bytes per container to fetch at most' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l speed -d 'Replay speed: seconds of bundle time per second (0 plays as fast as possible)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l replay -d 'Play the bundle given with --from in time order: objects appear when they were created, events when they were seen'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l headless -d 'No UI: print new and resolved findings as JSON lines on stdout'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -l slack -d 'With --headless, also post new and resolved findings to Slack (the webhook from the [slack] table or K8SOPS_SLACK_WEBHOOK_URL), sanitized, within the hourly limit'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand watch" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -f -a "show" -d 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -f -a "path" -d 'Print the path of the configuration file k8sops reads'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and not __fish_seen_subcommand_from show path help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from path" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "show" -d 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "path" -d 'Print the path of the configuration file k8sops reads'
complete -c k8sops -n "__fish_k8sops_using_subcommand config; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -l kubeconfig -d 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -l context -d 'The kubeconfig context to use (default: its current-context)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -s n -l namespace -d 'Only this namespace (default: the context\'s namespace)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -s l -l selector -d 'Only workloads matching this label selector (e.g. app=web,tier!=cache)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -l timeout -d 'Give up collecting after this long (e.g. 30s, 2m)' -r
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -l color -d 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never' -r -f -a "auto\t''
always\t''
never\t''"
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -l config -d 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)' -r -F
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -s A -l all-namespaces -d 'Every namespace'
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -s v -l verbose -d 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides'
complete -c k8sops -n "__fish_k8sops_using_subcommand completions" -s h -l help -d 'Print help'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval sanitize watch config completions help" -f -a "diagnose" -d 'Find the root cause of what is broken, with evidence, ranked hypotheses and a fix'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval sanitize watch config completions help" -f -a "snapshot" -d 'Capture pods, events, logs and related objects into a bundle you can share or read offline'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval sanitize watch config completions help" -f -a "eval" -d 'Score diagnose on labelled scenarios: accuracy, confusion matrix, calibration'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval sanitize watch config completions help" -f -a "sanitize" -d 'Redact secrets and personal data from text: FILE (or stdin) to stdout'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval sanitize watch config completions help" -f -a "watch" -d 'Live dashboard of what is broken (read-only), or with --headless a watcher that prints new and resolved findings as JSON lines'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval sanitize watch config completions help" -f -a "config" -d 'Show the configuration k8sops runs with'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval sanitize watch config completions help" -f -a "completions" -d 'Print a shell completion script'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and not __fish_seen_subcommand_from diagnose snapshot eval sanitize watch config completions help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "show" -d 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked'
complete -c k8sops -n "__fish_k8sops_using_subcommand help; and __fish_seen_subcommand_from config" -f -a "path" -d 'Print the path of the configuration file k8sops reads'
