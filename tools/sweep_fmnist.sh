#!/usr/bin/env bash
# Runs a list of tools/torch_fmnist_cssl.py settings on the bundled Fashion-MNIST sample, a few at a time, each on
# one thread, and prints a summary line per run (the sweeps of docs/results.md).
#
#   tools/sweep_fmnist.sh RUNS_FILE [PARALLEL] [OUT_DIR]
#
# RUNS_FILE: one run a line, "NAME ARGUMENTS..." (lines starting with # are skipped), e.g.
#   byol-sgd30-t90-pnr --method byol --strategy pnr --optimizer sgd --lr 0.3 --tau-base 0.9 --tau-final 0.99
# Every run uses the sample, a global batch of 128 (as conf/fmnist-5t.conf's 2 workers x 64) and seed 5 unless its
# arguments say otherwise; a run whose OUT_DIR/NAME.json exists is skipped. PARALLEL defaults to 2, OUT_DIR to
# tools/results/sweeps.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
runs=${1:?usage: tools/sweep_fmnist.sh RUNS_FILE [PARALLEL] [OUT_DIR]}
parallel=${2:-2}
out=${3:-$root/tools/results/sweeps}
mkdir -p "$out"
export root out
run_one() {
  local name=$1
  shift
  [[ -f "$out/$name.json" ]] && return 0
  /usr/bin/python3 "$root/tools/torch_fmnist_cssl.py" --data "$root/src/main/resources/datasets/fashion-mnist-sample" \
    --batch 128 --threads 1 --out "$out/$name.json" "$@" > "$out/$name.log" 2>&1
  echo "$name: $(tail -n 2 "$out/$name.log" | tr -s ' \n' ' ')"
}
export -f run_one
grep -v '^#' "$runs" | grep . | xargs -P "$parallel" -L 1 bash -c 'run_one "$@"' _
