#!/usr/bin/env bash
# spark-submit the shaded jar on Spark local mode.
#
#   submit/local.sh CONF [pnr-spark options...]      e.g. submit/local.sh conf/fmnist-5t.conf --strategies finetune,pnr
#
# Environment:
#   MASTER        Spark master (default local[2])
#   DRIVER_MEMORY driver heap (default 8g); ND4J's arrays live off-heap, next to it
#   SPARK_SUBMIT  the spark-submit command (default: $SPARK_HOME/bin/spark-submit, else spark-submit on PATH)
#   DRY_RUN=1     print the command instead of running it
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
if [[ $# -lt 1 ]]; then
  echo "usage: submit/local.sh CONF [pnr-spark options...]" >&2
  exit 2
fi
conf=$1
shift
if [[ ! -f "$conf" ]]; then
  echo "local.sh: no configuration file $conf" >&2
  exit 2
fi
shopt -s nullglob
jars=("$root"/target/pnr-spark-*-spark.jar)
if [[ ${#jars[@]} -eq 0 ]]; then
  echo "local.sh: build the shaded jar first:  mvn -q package -DskipTests" >&2
  exit 2
fi
flags=$(sed -n 's/^jvm.flags=//p' "$root/submit/jvm.properties")
if [[ -n "${SPARK_SUBMIT:-}" ]]; then
  read -r -a submit <<< "$SPARK_SUBMIT"
elif [[ -n "${SPARK_HOME:-}" ]]; then
  submit=("$SPARK_HOME/bin/spark-submit")
else
  submit=(spark-submit)
fi
cmd=("${submit[@]}"
  --master "${MASTER:-local[2]}"
  --name "pnr-spark $(basename "$conf" .conf)"
  --class org.pnrspark.cli.Main
  --driver-memory "${DRIVER_MEMORY:-8g}"
  --driver-java-options "$flags -Dlog4j2.configurationFile=file:$root/submit/log4j2.properties"
  --conf "spark.executor.extraJavaOptions=$flags"
  "${jars[0]}" train --conf "$conf" "$@")
if [[ "${DRY_RUN:-0}" == 1 ]]; then
  printf '%q ' "${cmd[@]}"
  echo
  exit 0
fi
if [[ -z "${SPARK_SUBMIT:-}" && -z "${SPARK_HOME:-}" ]] && ! command -v spark-submit > /dev/null; then
  echo "local.sh: spark-submit not found: set SPARK_HOME (Spark 3.5, Scala 2.12), or use submit/pnr-local" >&2
  exit 2
fi
exec "${cmd[@]}"
