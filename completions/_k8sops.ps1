
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'k8sops' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'k8sops'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'k8sops' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: its current-context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Find the root cause of what is broken, with evidence, ranked hypotheses and a fix')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Capture pods, events, logs and related objects into a bundle you can share or read offline')
            [CompletionResult]::new('eval', 'eval', [CompletionResultType]::ParameterValue, 'Score diagnose on labelled scenarios: accuracy, confusion matrix, calibration')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Turn the remedy of a saved diagnosis (`diagnose -o json`) into a pull request on the GitOps repository, after you confirm the diff')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'List the audit log: every proposal, confirmation, refusal, commit, push and PR')
            [CompletionResult]::new('sanitize', 'sanitize', [CompletionResultType]::ParameterValue, 'Redact secrets and personal data from text: FILE (or stdin) to stdout')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Live dashboard of what is broken (read-only), or with --headless a watcher that prints new and resolved findings as JSON lines')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Reports for people: the daily health report')
            [CompletionResult]::new('ci', 'ci', [CompletionResultType]::ParameterValue, 'GitHub Actions: recent workflow runs, and why a run failed')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve the diagnosis engine to AI assistants over the Model Context Protocol (stdio)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration k8sops runs with')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'k8sops;diagnose' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: its current-context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Log lines per container to fetch')
            [CompletionResult]::new('--log-bytes', '--log-bytes', [CompletionResultType]::ParameterName, 'Log bytes per container to fetch at most')
            [CompletionResult]::new('--ci-repo', '--ci-repo', [CompletionResultType]::ParameterName, 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory''s git remote; with --from, runs are fetched only when this is given)')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Read text kubectl printed instead of the cluster: `describe`, `get` tables, `get events`, `logs` (after its `$ kubectl logs POD -c C` line), `-o yaml|json`; repeat for several files, `-` reads stdin')
            [CompletionResult]::new('--file', '--file', [CompletionResultType]::ParameterName, 'Read text kubectl printed instead of the cluster: `describe`, `get` tables, `get events`, `logs` (after its `$ kubectl logs POD -c C` line), `-o yaml|json`; repeat for several files, `-` reads stdin')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The local clone of the GitOps repository (default: repo in the [fix] table, K8SOPS_FIX_REPO)')
            [CompletionResult]::new('--github-repo', '--github-repo', [CompletionResultType]::ParameterName, 'The GitHub repository for the pull request (default: github_repo in [fix], else the clone''s remote)')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'The branch the pull request targets (default: base in [fix], else the remote''s default branch)')
            [CompletionResult]::new('--llm', '--llm', [CompletionResultType]::ParameterName, 'When to ask the LLM: auto (ambiguous, multi-signal or unknown cases), always, never. Default: [llm] mode in the config file, else auto. Without an endpoint configured the rules engine answers alone')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (env K8SOPS_LLM_BASE_URL). The API key comes from K8SOPS_LLM_API_KEY or OPENAI_API_KEY, never from a flag')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Model name, or the Azure deployment''s model (env K8SOPS_LLM_MODEL)')
            [CompletionResult]::new('--context-tokens', '--context-tokens', [CompletionResultType]::ParameterName, 'Token budget of the evidence sent per diagnosis [default: 6000]')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Give up on one LLM answer after this long, retries included (e.g. 60s) [default: 120s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit with 1 when problems are found (for scripts and CI gates)')
            [CompletionResult]::new('--fix', '--fix', [CompletionResultType]::ParameterName, 'Propose the top remedy as a pull request on the GitOps repository (see `k8sops fix`)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask: confirm the diff (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask: confirm the diff (needed without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the diff and stop: nothing is committed, pushed or opened')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Propose even when the confidence is below the policy''s min_confidence')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Ask the LLM for a short explanation of every diagnosis (implies the LLM for all)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the on-disk answer cache ($XDG_CACHE_HOME/k8sops/llm)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'k8sops;snapshot' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: its current-context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Log lines per container to fetch')
            [CompletionResult]::new('--log-bytes', '--log-bytes', [CompletionResultType]::ParameterName, 'Log bytes per container to fetch at most')
            [CompletionResult]::new('--ci-repo', '--ci-repo', [CompletionResultType]::ParameterName, 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory''s git remote; with --from, runs are fetched only when this is given)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the bundle here: a directory, or a file ending in .tar.gz')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the bundle here: a directory, or a file ending in .tar.gz')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--sanitize', '--sanitize', [CompletionResultType]::ParameterName, 'Redact secrets and personal data from every object and log in the bundle (the default, so a bundle can be shared)')
            [CompletionResult]::new('--no-sanitize', '--no-sanitize', [CompletionResultType]::ParameterName, 'Write objects and logs exactly as collected (keep the bundle on this machine)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;eval' {
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--min-accuracy', '--min-accuracy', [CompletionResultType]::ParameterName, 'Exit with 1 when accuracy is below this fraction (e.g. 0.9)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;fix' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The local clone of the GitOps repository (default: repo in the [fix] table, K8SOPS_FIX_REPO)')
            [CompletionResult]::new('--github-repo', '--github-repo', [CompletionResultType]::ParameterName, 'The GitHub repository for the pull request (default: github_repo in [fix], else the clone''s remote)')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'The branch the pull request targets (default: base in [fix], else the remote''s default branch)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-y', '-y', [CompletionResultType]::ParameterName, 'Do not ask: confirm the diff (needed without a terminal)')
            [CompletionResult]::new('--yes', '--yes', [CompletionResultType]::ParameterName, 'Do not ask: confirm the diff (needed without a terminal)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Show the diff and stop: nothing is committed, pushed or opened')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Propose even when the confidence is below the policy''s min_confidence')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;audit' {
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Only the last N entries')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;sanitize' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('--report', '--report', [CompletionResultType]::ParameterName, 'Print how many redactions of each kind were made on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;watch' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: its current-context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Log lines per container to fetch')
            [CompletionResult]::new('--log-bytes', '--log-bytes', [CompletionResultType]::ParameterName, 'Log bytes per container to fetch at most')
            [CompletionResult]::new('--ci-repo', '--ci-repo', [CompletionResultType]::ParameterName, 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory''s git remote; with --from, runs are fetched only when this is given)')
            [CompletionResult]::new('--speed', '--speed', [CompletionResultType]::ParameterName, 'Replay speed: seconds of bundle time per second (0 plays as fast as possible)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--replay', '--replay', [CompletionResultType]::ParameterName, 'Play the bundle given with --from in time order: objects appear when they were created, events when they were seen')
            [CompletionResult]::new('--headless', '--headless', [CompletionResultType]::ParameterName, 'No UI: print new and resolved findings as JSON lines on stdout')
            [CompletionResult]::new('--slack', '--slack', [CompletionResultType]::ParameterName, 'With --headless, also post new and resolved findings to Slack (the webhook from the [slack] table or K8SOPS_SLACK_WEBHOOK_URL), sanitized, within the hourly limit')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;report' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('daily', 'daily', [CompletionResultType]::ParameterValue, 'The health report a team reads every morning: status per namespace, a score and grade, issues, rollouts and CI runs in the window, resource use and recommendations')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'k8sops;report;daily' {
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Log lines per container to fetch')
            [CompletionResult]::new('--log-bytes', '--log-bytes', [CompletionResultType]::ParameterName, 'Log bytes per container to fetch at most')
            [CompletionResult]::new('--ci-repo', '--ci-repo', [CompletionResultType]::ParameterName, 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory''s git remote; with --from, runs are fetched only when this is given)')
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'A kubeconfig context to report on; repeat it for several clusters, one section each (default: the current context)')
            [CompletionResult]::new('--since', '--since', [CompletionResultType]::ParameterName, 'How far back to look for issues, rollouts and CI runs (e.g. 24h, 90m, 7d)')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout; .html or .json picks the format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Write the report to FILE instead of stdout; .html or .json picks the format')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'The format (default: from the extension of -o, else markdown)')
            [CompletionResult]::new('--previous', '--previous', [CompletionResultType]::ParameterName, 'A report written earlier with -o FILE.json: say what is new and what was resolved')
            [CompletionResult]::new('--post', '--post', [CompletionResultType]::ParameterName, 'Also send a summary there (repeatable)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The repository for --create-issue (default: repo in [report] or K8SOPS_REPORT_REPO, else the origin of the current checkout)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--all-contexts', '--all-contexts', [CompletionResultType]::ParameterName, 'Every context of the kubeconfig, one section each')
            [CompletionResult]::new('--create-issue', '--create-issue', [CompletionResultType]::ParameterName, 'File a GitHub issue for each critical finding; an open issue with the same fingerprint gets a comment instead')
            [CompletionResult]::new('--no-sanitize', '--no-sanitize', [CompletionResultType]::ParameterName, 'Keep secrets in the report as collected (by default they are redacted, as in bundles, so the report can be shared; what is posted is always redacted)')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit with 1 when the report lists issues (for scripts and CI gates)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'k8sops;report;help' {
            [CompletionResult]::new('daily', 'daily', [CompletionResultType]::ParameterValue, 'The health report a team reads every morning: status per namespace, a score and grade, issues, rollouts and CI runs in the window, resource use and recommendations')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'k8sops;report;help;daily' {
            break
        }
        'k8sops;report;help;help' {
            break
        }
        'k8sops;ci' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Recent workflow runs: status, conclusion, duration, commit, branch, actor, URL')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Why a run failed: the failing step, its error lines, the kind of failure and the fix')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'k8sops;ci;runs' {
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The repository (default: [ci] repo or K8SOPS_CI_REPO, else the current directory''s git remote)')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Only runs of this workflow file (e.g. deploy.yml)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'Only runs on this branch')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only runs with this status or conclusion')
            [CompletionResult]::new('--limit', '--limit', [CompletionResultType]::ParameterName, 'Runs to show at most')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;ci;diagnose' {
            [CompletionResult]::new('--log', '--log', [CompletionResultType]::ParameterName, 'Read a failed build''s log from FILE (`-` for stdin) instead of GitHub: any CI''s log (GitHub Actions, `gh run view --log`, GitLab, Jenkins, CircleCI, Maven, Gradle, a local `act` run)')
            [CompletionResult]::new('--pass-log', '--pass-log', [CompletionResultType]::ParameterName, 'With --log: a passing build''s log of the same job; lines new in the failing log rank first, and errors the passing build printed too are not taken for the cause')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The repository (default: [ci] repo or K8SOPS_CI_REPO, else the current directory''s git remote)')
            [CompletionResult]::new('--workflow', '--workflow', [CompletionResultType]::ParameterName, 'Only runs of this workflow file (e.g. deploy.yml)')
            [CompletionResult]::new('--branch', '--branch', [CompletionResultType]::ParameterName, 'Only runs on this branch')
            [CompletionResult]::new('-o', '-o', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--output', '--output', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--llm', '--llm', [CompletionResultType]::ParameterName, 'When to ask the LLM: auto (ambiguous, multi-signal or unknown cases), always, never. Default: [llm] mode in the config file, else auto. Without an endpoint configured the rules engine answers alone')
            [CompletionResult]::new('--llm-base-url', '--llm-base-url', [CompletionResultType]::ParameterName, 'OpenAI-compatible base URL, e.g. http://127.0.0.1:11434/v1 (env K8SOPS_LLM_BASE_URL). The API key comes from K8SOPS_LLM_API_KEY or OPENAI_API_KEY, never from a flag')
            [CompletionResult]::new('--llm-model', '--llm-model', [CompletionResultType]::ParameterName, 'Model name, or the Azure deployment''s model (env K8SOPS_LLM_MODEL)')
            [CompletionResult]::new('--context-tokens', '--context-tokens', [CompletionResultType]::ParameterName, 'Token budget of the evidence sent per diagnosis [default: 6000]')
            [CompletionResult]::new('--llm-timeout', '--llm-timeout', [CompletionResultType]::ParameterName, 'Give up on one LLM answer after this long, retries included (e.g. 60s) [default: 120s]')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('--latest-failed', '--latest-failed', [CompletionResultType]::ParameterName, 'Diagnose the most recent failed run (of --workflow, on --branch) instead of a given one')
            [CompletionResult]::new('--exit-code', '--exit-code', [CompletionResultType]::ParameterName, 'Exit with 1 when the run failed (for scripts)')
            [CompletionResult]::new('--explain', '--explain', [CompletionResultType]::ParameterName, 'Ask the LLM for a short explanation of every diagnosis (implies the LLM for all)')
            [CompletionResult]::new('--no-cache', '--no-cache', [CompletionResultType]::ParameterName, 'Neither read nor write the on-disk answer cache ($XDG_CACHE_HOME/k8sops/llm)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'k8sops;ci;help' {
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Recent workflow runs: status, conclusion, duration, commit, branch, actor, URL')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Why a run failed: the failing step, its error lines, the kind of failure and the fix')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'k8sops;ci;help;runs' {
            break
        }
        'k8sops;ci;help;diagnose' {
            break
        }
        'k8sops;ci;help;help' {
            break
        }
        'k8sops;mcp' {
            [CompletionResult]::new('--context', '--context', [CompletionResultType]::ParameterName, 'The kubeconfig context to use (default: its current-context)')
            [CompletionResult]::new('--kubeconfig', '--kubeconfig', [CompletionResultType]::ParameterName, 'Path to the kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('--namespace', '--namespace', [CompletionResultType]::ParameterName, 'Only this namespace (default: the context''s namespace)')
            [CompletionResult]::new('-l', '-l', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--selector', '--selector', [CompletionResultType]::ParameterName, 'Only workloads matching this label selector (e.g. app=web,tier!=cache); a bundle read with --from is narrowed the same way')
            [CompletionResult]::new('--timeout', '--timeout', [CompletionResultType]::ParameterName, 'Give up collecting after this long (e.g. 30s, 2m, 1h30m) [default: 30s]')
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Read a bundle instead of the cluster: a k8sops bundle (directory or .tar.gz), a `kubectl cluster-info dump --output-directory` tree, or a JSON/YAML List file')
            [CompletionResult]::new('--tail', '--tail', [CompletionResultType]::ParameterName, 'Log lines per container to fetch')
            [CompletionResult]::new('--log-bytes', '--log-bytes', [CompletionResultType]::ParameterName, 'Log bytes per container to fetch at most')
            [CompletionResult]::new('--ci-repo', '--ci-repo', [CompletionResultType]::ParameterName, 'GitHub repository whose Actions runs are joined with failing workloads (default: [ci] repo or K8SOPS_CI_REPO, else the current directory''s git remote; with --from, runs are fetched only when this is given)')
            [CompletionResult]::new('--repo', '--repo', [CompletionResultType]::ParameterName, 'The local clone of the GitOps repository (default: repo in the [fix] table, K8SOPS_FIX_REPO)')
            [CompletionResult]::new('--github-repo', '--github-repo', [CompletionResultType]::ParameterName, 'The GitHub repository for the pull request (default: github_repo in [fix], else the clone''s remote)')
            [CompletionResult]::new('--base', '--base', [CompletionResultType]::ParameterName, 'The branch the pull request targets (default: base in [fix], else the remote''s default branch)')
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-A', '-A ', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--all-namespaces', '--all-namespaces', [CompletionResultType]::ParameterName, 'Every namespace')
            [CompletionResult]::new('--allow-pr', '--allow-pr', [CompletionResultType]::ParameterName, 'Let clients open pull requests with open_fix_pr (pushes a branch with your git credentials); without it, propose_fix still shows diffs')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;config' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the configuration file k8sops reads')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'k8sops;config;show' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;config;path' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;config;help' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the configuration file k8sops reads')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'k8sops;config;help;show' {
            break
        }
        'k8sops;config;help;path' {
            break
        }
        'k8sops;config;help;help' {
            break
        }
        'k8sops;completions' {
            [CompletionResult]::new('--color', '--color', [CompletionResultType]::ParameterName, 'Colour: auto (when stdout is a terminal and NO_COLOR is unset), always, never')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Configuration file (default: $XDG_CONFIG_HOME/k8sops/config.toml, else ~/.config/k8sops/config.toml; a missing default file means defaults)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More detail on stderr (-v info, -vv debug); RUST_LOG overrides')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'k8sops;help' {
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Find the root cause of what is broken, with evidence, ranked hypotheses and a fix')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Capture pods, events, logs and related objects into a bundle you can share or read offline')
            [CompletionResult]::new('eval', 'eval', [CompletionResultType]::ParameterValue, 'Score diagnose on labelled scenarios: accuracy, confusion matrix, calibration')
            [CompletionResult]::new('fix', 'fix', [CompletionResultType]::ParameterValue, 'Turn the remedy of a saved diagnosis (`diagnose -o json`) into a pull request on the GitOps repository, after you confirm the diff')
            [CompletionResult]::new('audit', 'audit', [CompletionResultType]::ParameterValue, 'List the audit log: every proposal, confirmation, refusal, commit, push and PR')
            [CompletionResult]::new('sanitize', 'sanitize', [CompletionResultType]::ParameterValue, 'Redact secrets and personal data from text: FILE (or stdin) to stdout')
            [CompletionResult]::new('watch', 'watch', [CompletionResultType]::ParameterValue, 'Live dashboard of what is broken (read-only), or with --headless a watcher that prints new and resolved findings as JSON lines')
            [CompletionResult]::new('report', 'report', [CompletionResultType]::ParameterValue, 'Reports for people: the daily health report')
            [CompletionResult]::new('ci', 'ci', [CompletionResultType]::ParameterValue, 'GitHub Actions: recent workflow runs, and why a run failed')
            [CompletionResult]::new('mcp', 'mcp', [CompletionResultType]::ParameterValue, 'Serve the diagnosis engine to AI assistants over the Model Context Protocol (stdio)')
            [CompletionResult]::new('config', 'config', [CompletionResultType]::ParameterValue, 'Show the configuration k8sops runs with')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'k8sops;help;diagnose' {
            break
        }
        'k8sops;help;snapshot' {
            break
        }
        'k8sops;help;eval' {
            break
        }
        'k8sops;help;fix' {
            break
        }
        'k8sops;help;audit' {
            break
        }
        'k8sops;help;sanitize' {
            break
        }
        'k8sops;help;watch' {
            break
        }
        'k8sops;help;report' {
            [CompletionResult]::new('daily', 'daily', [CompletionResultType]::ParameterValue, 'The health report a team reads every morning: status per namespace, a score and grade, issues, rollouts and CI runs in the window, resource use and recommendations')
            break
        }
        'k8sops;help;report;daily' {
            break
        }
        'k8sops;help;ci' {
            [CompletionResult]::new('runs', 'runs', [CompletionResultType]::ParameterValue, 'Recent workflow runs: status, conclusion, duration, commit, branch, actor, URL')
            [CompletionResult]::new('diagnose', 'diagnose', [CompletionResultType]::ParameterValue, 'Why a run failed: the failing step, its error lines, the kind of failure and the fix')
            break
        }
        'k8sops;help;ci;runs' {
            break
        }
        'k8sops;help;ci;diagnose' {
            break
        }
        'k8sops;help;mcp' {
            break
        }
        'k8sops;help;config' {
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Print the merged configuration (file, then K8SOPS_* variables) as TOML, secrets masked')
            [CompletionResult]::new('path', 'path', [CompletionResultType]::ParameterValue, 'Print the path of the configuration file k8sops reads')
            break
        }
        'k8sops;help;config;show' {
            break
        }
        'k8sops;help;config;path' {
            break
        }
        'k8sops;help;completions' {
            break
        }
        'k8sops;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
