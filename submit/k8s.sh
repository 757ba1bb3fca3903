#!/usr/bin/env bash
# spark-submit pnr-spark to Kubernetes (cluster mode), from the image of submit/Dockerfile; data and results on HDFS
# (or any Hadoop file system the image can reach).
#
#   K8S_MASTER=k8s://https://api.example:6443 IMAGE=registry.example/pnr-spark:0.1 \
#   OUTPUT_DIR=hdfs://namenode:8020/pnr/cifar100-5t submit/k8s.sh conf/cifar100-5t.conf --set data.root=hdfs://namenode:8020/datasets/cifar-100
#
# CONF is a path inside the image (/opt/pnr-spark/conf/...), given as conf/<name>.conf or absolute.
#
# Environment:
#   K8S_MASTER, IMAGE, OUTPUT_DIR   required (re-submitting with the same OUTPUT_DIR resumes the run)
#   NAMESPACE (default "default"), SERVICE_ACCOUNT (default "spark": may create pods in NAMESPACE)
#   HADOOP_CONF_DIR    the Hadoop client configuration: spark-submit mounts it into driver and executors
#   NUM_EXECUTORS, EXECUTOR_CORES, EXECUTOR_MEMORY, EXECUTOR_OFFHEAP, DRIVER_MEMORY, GPUS_PER_EXECUTOR,
#   SPARK_SUBMIT, DRY_RUN=1   as for submit/yarn.sh (the jar is the image's: IMAGE must be built from the CUDA jar
#                             for GPUS_PER_EXECUTOR > 0, and JAR names the local copy it was built from)
set -euo pipefail
# shellcheck source=submit/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"
[[ $# -ge 1 ]] || pnr_die "usage: $0 CONF [pnr-spark options...]   (CONF inside the image, e.g. conf/cifar100-5t.conf)"
[[ -n "${K8S_MASTER:-}" ]] || pnr_die "set K8S_MASTER, e.g. k8s://https://<api-server>:6443"
[[ $K8S_MASTER == k8s://* ]] || pnr_die "K8S_MASTER must start with k8s://, got $K8S_MASTER"
[[ -n "${IMAGE:-}" ]] || pnr_die "set IMAGE to the pnr-spark image (built from submit/Dockerfile)"
conf=$1
shift
[[ $conf == /* ]] || conf=/opt/pnr-spark/$conf
pnr_conf=$conf
pnr_name="pnr-spark-$(basename "$conf" .conf)"
pnr_cluster_job /opt/pnr-spark/submit/gpu-discovery.sh
pnr_driver_env_conf spark.kubernetes.driverEnv
extra=(--conf "spark.kubernetes.container.image=$IMAGE"
  --conf "spark.kubernetes.namespace=${NAMESPACE:-default}"
  --conf "spark.kubernetes.authenticate.driver.serviceAccountName=${SERVICE_ACCOUNT:-spark}")
if [[ ${GPUS_PER_EXECUTOR:-0} -gt 0 ]]; then extra+=(--conf "spark.executor.resource.gpu.vendor=nvidia.com"); fi
pnr_run "${pnr_submit[@]}" \
  --master "$K8S_MASTER" \
  --deploy-mode cluster \
  --name "$pnr_name" \
  --class org.pnrspark.cli.Main \
  --driver-memory "${DRIVER_MEMORY:-8g}" \
  --driver-java-options "$pnr_driver_java_opts -Dlog4j2.configurationFile=/opt/pnr-spark/submit/log4j2.properties" \
  --conf "spark.executor.extraJavaOptions=$pnr_executor_java_opts" \
  --conf "spark.task.maxFailures=4" \
  ${pnr_memory_confs[@]+"${pnr_memory_confs[@]}"} ${pnr_env_confs[@]+"${pnr_env_confs[@]}"} \
  --conf "spark.executor.instances=${NUM_EXECUTORS:-2}" --conf "spark.executor.cores=${EXECUTOR_CORES:-4}" \
  --conf "spark.dynamicAllocation.enabled=false" \
  ${pnr_gpu[@]+"${pnr_gpu[@]}"} ${extra[@]+"${extra[@]}"} \
  "local:///opt/pnr-spark/pnr-spark.jar" train --conf "$pnr_conf" --set "output.dir=$OUTPUT_DIR" \
  --set "spark.workers=$pnr_workers" "$@"
