#!/usr/bin/env bash
# GPU acceptance check, about ten minutes on a machine with one NVIDIA GPU (docs/running.md, "GPU executors"). Build first:
#   mvn -q -Pcuda package -DskipTests
# Prints the GPU, its driver and cuDNN; checks every network against PyTorch's values on the device in float64
# and float32; times training steps (bench --quick); trains conf/fmnist-5t.conf for one epoch per task; then one
# line: PASS, or FAIL naming the steps that failed. bench and train must run on ND4J's CUDA backend.
# DRY_RUN=1 prints the commands instead of running them. Output of each step: $OUT (default /tmp/pnr-gpu-check).
set -uo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
out=${OUT:-/tmp/pnr-gpu-check}
export PNR_JAVA_OPTS="-Xmx8g -Dorg.bytedeco.javacpp.platform.extension=-cudnn"
failed=()

# step NAME COMMAND...: runs it (its output into $out/NAME.log and on the console), notes a failure
step() {
  local name=$1
  shift
  if [[ -n "${DRY_RUN:-}" ]]; then
    echo "$name: $*"
    return
  fi
  echo "== $name: $*"
  "$@" 2>&1 | tee "$out/$name.log"
  [[ ${PIPESTATUS[0]} -eq 0 ]] || failed+=("$name")
}

if [[ -n "${DRY_RUN:-}" ]]; then echo "env: PNR_JAVA_OPTS=$PNR_JAVA_OPTS"; else mkdir -p "$out"; fi
step device nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader
step cudnn bash -c "ldconfig -p | grep -m1 -o 'libcudnn\.so\.[0-9.]*'"
networks=$root/src/test/resources/golden/networks-reference.json
step parity-float64 "$root/submit/pnr-local" parity --networks "$networks"
# float32: a ReLU flips where a pre-activation is within rounding of 0, which moves ResNet gradients by about 1e-3
step parity-float32 "$root/submit/pnr-local" parity --networks "$networks" --dtype float32 --tol 1e-2
step bench "$root/submit/pnr-local" bench --quick
step train "$root/submit/pnr-local" train --conf "$root/conf/fmnist-5t.conf" --set optim.epochs=1 \
  --set "output.dir=$out/fmnist-5t" --force
[[ -n "${DRY_RUN:-}" ]] && exit 0

# the backend, helpers and layer kernels the JVMs ran: the CUDA build's, never a CPU one left on the classpath
grep -h "kernels:" "$out/bench.log" "$out/train.log" | sort -u
for name in bench train; do
  grep -q "kernels: JCublasBackend" "$out/$name.log" || failed+=("$name-not-on-the-CUDA-backend")
done
if [[ ${#failed[@]} -eq 0 ]]; then
  echo "PASS: pnr-spark on $(head -1 "$out/device.log") (logs in $out)"
else
  echo "FAIL: ${failed[*]} (logs in $out)"
  exit 1
fi
