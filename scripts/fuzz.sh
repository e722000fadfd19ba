#!/usr/bin/env bash
# Long fuzzing passes over what reads untrusted bytes (tests/fuzz.rs): each target for
# MINUTES (default 10), one after the other, in the debug test build. Prints each target's
# case count; a panic fails with the seed and the shrunk input (see tests/fuzz.rs).
#
#   scripts/fuzz.sh               # every target, 10 minutes each
#   scripts/fuzz.sh 1 bundle      # one target, one minute
#
# Targets: bundle, yaml_edit, llm_answer, ci_log, paste. K8SOPS_FUZZ_SEED replays a seed.
set -euo pipefail
cd "$(dirname "$0")/.."

minutes="${1:-10}"
shift || true
all=(bundle yaml_edit llm_answer ci_log paste)
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=("${all[@]}")
for target in "${targets[@]}"; do
  case " ${all[*]} " in
    *" $target "*) ;;
    *) echo "fuzz: no target '$target' (targets: ${all[*]})" >&2; exit 2 ;;
  esac
done

K8SOPS_FUZZ_SECS=$(awk -v m="$minutes" 'BEGIN { if (m + 0 <= 0) exit 1; print m * 60 }') || {
  echo "fuzz: MINUTES must be a positive number, not '$minutes'" >&2
  exit 2
}
export K8SOPS_FUZZ_SECS

cargo test --locked --test fuzz --no-run
for target in "${targets[@]}"; do
  cargo test --locked --test fuzz -- --exact "$target::never_panics" --nocapture
done
