#!/usr/bin/env bash
# Spark's GPU discovery script (spark.executor.resource.gpu.discoveryScript): prints the executor's GPUs as
# {"name": "gpu", "addresses": ["0", "1", ...]}, from nvidia-smi.
set -euo pipefail
command -v nvidia-smi > /dev/null || { echo "gpu-discovery.sh: nvidia-smi not found on $(hostname)" >&2; exit 1; }
addresses=$(nvidia-smi --query-gpu=index --format=csv,noheader | sed 's/.*/"&"/' | paste -sd, -)
echo "{\"name\": \"gpu\", \"addresses\": [$addresses]}"
