#!/usr/bin/env bash
# spark-submit pnr-spark to YARN; data and results on HDFS.
#
#   OUTPUT_DIR=hdfs:///user/$USER/pnr/cifar100-5t submit/yarn.sh conf/cifar100-5t.conf --set data.root=hdfs:///datasets/cifar-100
#
# Environment:
#   OUTPUT_DIR         required: the run's directory (re-submitting with the same one resumes the run)
#   HADOOP_CONF_DIR    required: the cluster's client configuration (yarn-site.xml, core-site.xml, hdfs-site.xml)
#   DEPLOY_MODE        cluster (default: the driver runs in YARN, which restarts it once if it fails) or client
#   QUEUE              YARN queue (default: the cluster's default)
#   NUM_EXECUTORS      executors (default 2); EXECUTOR_CORES cores each (default 4)
#   EXECUTOR_MEMORY    heap per executor (default 4g); EXECUTOR_OFFHEAP ND4J's arrays per executor (default 6g)
#   DRIVER_MEMORY      driver heap (default 8g); GPUS_PER_EXECUTOR GPUs per executor (default 0; needs the CUDA jar)
#   PRINCIPAL, KEYTAB  Kerberos login for long jobs on a secure cluster (Spark renews the delegation tokens)
#   SPARK_SUBMIT, JAR, DRY_RUN=1   as for submit/local.sh
set -euo pipefail
# shellcheck source=submit/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
pnr_conf_arg "$@"
shift
[[ -n "${HADOOP_CONF_DIR:-}" || "${DRY_RUN:-0}" == 1 ]] || pnr_die "set HADOOP_CONF_DIR to the directory of the cluster's yarn-site.xml"
pnr_cluster_job ""
pnr_driver_env_conf spark.yarn.appMasterEnv
mode=${DEPLOY_MODE:-cluster}
[[ $mode == cluster || $mode == client ]] || pnr_die "DEPLOY_MODE must be cluster or client, got $mode"
# the configuration travels with the job, with the files it includes (its directory's .conf files)
conf_arg=$pnr_conf
log4j="file:$pnr_root/submit/log4j2.properties"
if [[ $mode == cluster ]]; then
  for f in "$(dirname "$pnr_conf")"/*.conf; do pnr_files+=("$f"); done
  pnr_files+=("$pnr_root/submit/log4j2.properties")
  conf_arg=$(basename "$pnr_conf")
  log4j=log4j2.properties
fi
extra=()
if [[ -n "${QUEUE:-}" ]]; then extra+=(--queue "$QUEUE"); fi
if [[ -n "${PRINCIPAL:-}" || -n "${KEYTAB:-}" ]]; then
  [[ -n "${PRINCIPAL:-}" && -f "${KEYTAB:-}" ]] || pnr_die "PRINCIPAL and KEYTAB (an existing file) go together"
  extra+=(--principal "$PRINCIPAL" --keytab "$KEYTAB")
fi
if [[ ${#pnr_files[@]} -gt 0 ]]; then
  files=$(IFS=,; echo "${pnr_files[*]}")
  extra+=(--files "$files")
fi
pnr_run "${pnr_submit[@]}" \
  --master yarn \
  --deploy-mode "$mode" \
  --name "$pnr_name" \
  --class org.pnrspark.cli.Main \
  --driver-memory "${DRIVER_MEMORY:-8g}" \
  --driver-java-options "$pnr_driver_java_opts -Dlog4j2.configurationFile=$log4j" \
  --conf "spark.executor.extraJavaOptions=$pnr_executor_java_opts" \
  --conf "spark.yarn.maxAppAttempts=${MAX_APP_ATTEMPTS:-2}" \
  --conf "spark.task.maxFailures=4" \
  ${pnr_memory_confs[@]+"${pnr_memory_confs[@]}"} ${pnr_env_confs[@]+"${pnr_env_confs[@]}"} ${pnr_executor_confs[@]+"${pnr_executor_confs[@]}"} ${pnr_gpu[@]+"${pnr_gpu[@]}"} ${extra[@]+"${extra[@]}"} \
  "$pnr_jar" train --conf "$conf_arg" --set "output.dir=$OUTPUT_DIR" --set "spark.workers=$pnr_workers" "$@"
