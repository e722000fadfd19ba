#!/usr/bin/env bash
# Smoke test of the dashboard in a real terminal: starts `k8sops watch --from
# examples/oom-killed` inside tmux, sends keys, captures the pane and checks the text.
# Run by .ci/run (which installs tmux); exits non-zero with the captured pane on failure.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

# A missing tmux follows the tests' rule (tests/support/tool.rs): under CI it fails, since
# .ci/run installs it; elsewhere one SKIP line says how to get it.
if ! command -v tmux >/dev/null 2>&1; then
  case "${CI:-}" in
    "" | 0 | false | False)
      echo "SKIP tui-smoke: tmux not found (get it with: apt-get install tmux)" >&2
      exit 0
      ;;
  esac
  echo "tui-smoke: tmux is missing: .ci/run installs it (apt-get install tmux); under CI every test must run" >&2
  exit 1
fi
BIN="${K8SOPS_BIN:-$ROOT/target/debug/k8sops}"
[ -x "$BIN" ] || cargo build --quiet --bin k8sops
SOCKET="k8sops-smoke-$$"
SESSION=smoke
tmuxs() { tmux -L "$SOCKET" "$@"; }
cleanup() { tmuxs kill-server >/dev/null 2>&1 || true; }
trap cleanup EXIT

tmuxs new-session -d -s "$SESSION" -x 140 -y 40 \
  "env HOME=/nonexistent TERM=xterm-256color $BIN watch --from $ROOT/examples/oom-killed; echo smoke-exit-\$?; sleep 30"

# Polls the pane until it shows $1 (up to 10 s).
expect() {
  local want="$1" pane=""
  for _ in $(seq 1 100); do
    pane=$(tmuxs capture-pane -p -t "$SESSION")
    if grep -qF -- "$want" <<<"$pane"; then
      return 0
    fi
    sleep 0.1
  done
  echo "tui-smoke: expected '$want' on screen; the pane was:" >&2
  echo "$pane" >&2
  exit 1
}

expect "k8sops watch"
expect "oom-killed"
expect "Deployment shop/web"
expect "health "
tmuxs send-keys -t "$SESSION" '?'
expect "propose a fix"
tmuxs send-keys -t "$SESSION" Escape
tmuxs send-keys -t "$SESSION" f
expect "k8sops diagnose deploy/web -n shop --fix"
tmuxs send-keys -t "$SESSION" Escape
tmuxs send-keys -t "$SESSION" e
expect "No LLM is configured"
tmuxs send-keys -t "$SESSION" Escape
tmuxs send-keys -t "$SESSION" l
expect "logs shop/web-"
tmuxs send-keys -t "$SESSION" Escape
tmuxs send-keys -t "$SESSION" y
expect "kind: Deployment"
tmuxs send-keys -t "$SESSION" Escape
tmuxs send-keys -t "$SESSION" q
# After q the program restores the terminal and exits 0.
expect "smoke-exit-0"
echo "tui-smoke: ok"
