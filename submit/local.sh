#!/usr/bin/env bash
# spark-submit the jar on Spark's local mode (or any master that runs the driver here: standalone, yarn client).
#
#   submit/local.sh CONF [pnr-spark options...]      e.g. submit/local.sh conf/fmnist-5t.conf --strategies finetune,pnr
#
# Environment:
#   MASTER        Spark master (default local[2]; local[2,3] retries a failed task attempt twice)
#   DRIVER_MEMORY driver heap (default 8g); ND4J's arrays live off-heap, next to it
#   SPARK_SUBMIT  the spark-submit command (default: $SPARK_HOME/bin/spark-submit, else spark-submit on PATH)
#   JAR           the jar to submit (default: the one in target/)
#   DRY_RUN=1     print the command instead of running it
set -euo pipefail
# shellcheck source=submit/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pnr_conf_arg "$@"
shift
pnr_find_jar
pnr_jvm_flags
pnr_allocator_env
pnr_find_spark_submit
pnr_run "${pnr_submit[@]}" \
  --master "${MASTER:-local[2]}" \
  --name "$pnr_name" \
  --class org.pnrspark.cli.Main \
  --driver-memory "${DRIVER_MEMORY:-8g}" \
  --driver-java-options "$pnr_flags -Dlog4j2.configurationFile=file:$pnr_root/submit/log4j2.properties" \
  --conf "spark.executor.extraJavaOptions=$pnr_flags" \
  ${pnr_env_confs[@]+"${pnr_env_confs[@]}"} \
  "$pnr_jar" train --conf "$pnr_conf" "$@"
