#!/usr/bin/env bash
# Prints the performance figures the issues ask for. Release builds; not run by CI.
#
#   scripts/bench.sh                 # everything
#   scripts/bench.sh snapshot sanitize   # only these sections
#
# Sections:
#   snapshot  10k-pod / 100k-event synthetic bundle: read from disk, diagnose end to end,
#             collect through the test API server with 10 ms per request
#   sanitize  sanitizer throughput on ~100 MB of log mix (clean, secret-dense, per finding)
#   watch     the same 10k pods served by the test API server, 1,000 watch events/s for
#             60 s watched by `watch --headless`: event → finding latency, peak RSS, and
#             the dashboard's frame render time, with CPU times beside the wall times;
#             K8SOPS_BENCH_WRAP="heaptrack -o /tmp/watch" runs the watcher under a profiler
#   peers     gitleaks, kingfisher and detect-secrets (PyPI, throw-away venv) beside k8sops on the
#             same corpus and mix; prints k8sops' throughput ratio to gitleaks and kingfisher
#   ci        CI job logs: failing step and first error found in the fixtures; on the
#             labelled real logs of ../shared/ci-logs (K8SOPS_CI_LOGS), first labelled error
#             line reported and share of reported lines labelled; a 50 MB log parsed (and
#             sanitized, and read out of a run archive)
#   context   LLM context vs a naive dump (describe + all events + last 200 log lines) for
#             every example: tokens, ratio (target: median >= 5x smaller), build time
#   mcp       `k8sops mcp` tool calls timed from the official Python SDK (PyPI, throw-away
#             venv): diagnose on examples/oom-killed, list_problems and diagnose on the
#             synthetic bundle (first call, then served from the view)
#
# The synthetic bundle is generated once into bench-data/ (git-ignored).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

BUNDLE="$ROOT/bench-data/synthetic-10k"
export K8SOPS_BENCH_BUNDLE="$BUNDLE"

ensure_bundle() {
  if [ ! -f "$BUNDLE/nodes.json" ]; then
    echo "== generating the synthetic bundle (10,000 pods, 100,000 events) in $BUNDLE"
    rm -rf "$BUNDLE"
    python3 scripts/gen-synthetic.py --pods 10000 --events 100000 -o "$BUNDLE"
  fi
}

section_snapshot() {
  ensure_bundle
  echo "== snapshot: read, diagnose, collect (release)"
  cargo bench --quiet --bench snapshot
}

section_sanitize() {
  echo "== sanitize: throughput (release, one thread)"
  cargo bench --quiet --bench sanitize
}

section_watch() {
  ensure_bundle
  echo "== watch: storm through the test API server (release, ~90 s)"
  cargo bench --quiet --bench watch
}

section_peers() {
  echo "== sanitize: peers side by side"
  scripts/bench-sanitize-peers.sh
}

section_ci() {
  echo "== ci: job log parsing (release, one thread)"
  cargo bench --quiet --bench ci
}

section_context() {
  echo "== context: LLM context vs naive dump per example (release, o200k tokens)"
  cargo bench --quiet --bench context
}

section_mcp() {
  ensure_bundle
  echo "== mcp: tool-call latency from the Python SDK client (release binary)"
  cargo build --quiet --release
  local venv="${TMPDIR:-/tmp}/k8sops-ci-mcp"
  if ! "$venv/bin/python" -c 'import mcp' >/dev/null 2>&1; then
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check mcp==2.3.0
  fi
  local plan out target
  plan=$(mktemp) out=$(mktemp)
  for bundle in "$ROOT/examples/oom-killed" "$BUNDLE"; do
    # The bundle's most severe problem is the one diagnosed.
    printf '{"command": "%s", "args": ["mcp", "--from", "%s"], "steps": [{"op": "call", "tool": "list_problems"}]}' \
      "$ROOT/target/release/k8sops" "$bundle" >"$plan"
    target=$("$venv/bin/python" tests/mcp/client.py "$plan" | python3 -c '
import json, sys
top = json.load(sys.stdin)["steps"][0]["result"]["structuredContent"]["items"][0]
print(json.dumps({"target": top["target"], "namespace": top["subject"].get("namespace")}))')
    cat >"$plan" <<JSON
{"command": "$ROOT/target/release/k8sops", "args": ["mcp", "--from", "$bundle"],
 "steps": [{"op": "call", "tool": "list_problems", "arguments": {}, "repeat": 20},
           {"op": "call", "tool": "diagnose", "arguments": $target, "repeat": 200}]}
JSON
    "$venv/bin/python" tests/mcp/client.py "$plan" >"$out"
    python3 - "$out" "$(basename "$bundle")" <<'PY'
import json, statistics, sys
doc = json.load(open(sys.argv[1]))
for step, name in zip(doc["steps"], ["list_problems", "diagnose"]):
    ms = step["ms"]
    rest = sorted(ms[1:])
    p95 = rest[int(len(rest) * 0.95) - 1]
    print(f"  {sys.argv[2]:<16} {name:<14} first {ms[0]:8.1f} ms, then median {statistics.median(rest):6.2f} ms, p95 {p95:6.2f} ms ({len(rest)} calls)")
PY
  done
  rm -f "$plan" "$out"
}

ALL=(snapshot sanitize watch peers ci context mcp)
if [ $# -eq 0 ]; then
  set -- "${ALL[@]}"
fi
for s in "$@"; do
  if ! declare -F "section_$s" >/dev/null; then
    echo "unknown section '$s'; sections: ${ALL[*]}" >&2
    exit 2
  fi
done
for s in "$@"; do
  "section_$s"
  echo
done
