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
#   peers     detect-secrets and kingfisher (PyPI, throw-away venv) beside k8sops on the
#             same corpus and mix
#   ci        CI job logs: failing step and first error found in the fixtures, a 50 MB log
#             parsed (and sanitized, and read out of a run archive)
#   context   LLM context vs a naive dump (describe + all events + last 200 log lines) for
#             every example: tokens, ratio (target: median >= 5x smaller), build time
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

ALL=(snapshot sanitize watch peers ci context)
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
