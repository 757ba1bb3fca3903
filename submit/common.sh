#!/usr/bin/env bash
# Shared by submit/local.sh, yarn.sh and k8s.sh (sourced, not run): finds the jar, spark-submit and the JVM flags,
# and turns the memory and GPU settings into Spark properties. Every script honours DRY_RUN=1 (print the command).
# shellcheck disable=SC2034  # the arrays and variables set here are read by the scripts that source this file

pnr_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

pnr_die() {
  echo "$(basename "$0"): $*" >&2
  exit 2
}

# The benchmark configuration: the first argument, an existing file.
pnr_conf_arg() {
  [[ $# -ge 1 ]] || pnr_die "usage: $0 CONF [pnr-spark options...]   (e.g. $0 conf/fmnist-5t.conf)"
  [[ -f "$1" ]] || pnr_die "no configuration file $1"
  pnr_conf=$1
  pnr_name="pnr-spark $(basename "$1" .conf)"
}

# The jar for spark-submit: $JAR, else the one the build wrote (CPU, or CUDA with mvn -Pcuda).
pnr_find_jar() {
  if [[ -n "${JAR:-}" ]]; then
    pnr_jar=$JAR
  else
    shopt -s nullglob
    local jars=("$pnr_root"/target/pnr-spark-*-spark.jar "$pnr_root"/target/pnr-spark-*-spark-cuda.jar)
    shopt -u nullglob
    [[ ${#jars[@]} -gt 0 ]] || pnr_die "build the jar first:  mvn -q package -DskipTests   (GPU: mvn -q -Pcuda package -DskipTests)"
    [[ ${#jars[@]} -eq 1 ]] || pnr_die "several jars in target/ (${jars[*]}): choose one with JAR=..."
    pnr_jar=${jars[0]}
  fi
}

# JVM flags of submit/jvm.properties, with the CUDA build's native extension for a -cuda jar.
pnr_jvm_flags() {
  pnr_flags=$(sed -n 's/^jvm.flags=//p' "$pnr_root/submit/jvm.properties")
  if [[ "$pnr_jar" == *-cuda.jar ]]; then
    pnr_flags=${pnr_flags//-Dorg.bytedeco.javacpp.platform.extension=-onednn-avx2/-Dorg.bytedeco.javacpp.platform.extension=-cudnn}
  fi
}

# glibc's allocator (glibc.tunables in submit/jvm.properties): large blocks on transparent huge pages (glibc 2.35 or
# later, THP "madvise" or "always"). ND4J
# allocates its arrays with malloc; every first touch of a 4 KiB page is a fault, which on virtual machines costs
# enough to make ResNet-18's step 3.5x slower (docs/performance.md). GLIBC_TUNABLES set in the environment, even
# empty, is passed on instead. Exported for a driver started here; pnr_env_confs carries it to the executors, and
# to a driver in the cluster with pnr_driver_env_conf KEY_PREFIX.
# OMP_WAIT_POLICY (omp.wait.policy there) the same way: OpenMP threads that sleep between parallel regions.
pnr_allocator_env() {
  export GLIBC_TUNABLES=${GLIBC_TUNABLES-$(sed -n 's/^glibc.tunables=//p' "$pnr_root/submit/jvm.properties")}
  export OMP_WAIT_POLICY=${OMP_WAIT_POLICY-$(sed -n 's/^omp.wait.policy=//p' "$pnr_root/submit/jvm.properties")}
  pnr_env_confs=()
  if [[ -n $GLIBC_TUNABLES ]]; then pnr_env_confs+=(--conf "spark.executorEnv.GLIBC_TUNABLES=$GLIBC_TUNABLES"); fi
  if [[ -n $OMP_WAIT_POLICY ]]; then pnr_env_confs+=(--conf "spark.executorEnv.OMP_WAIT_POLICY=$OMP_WAIT_POLICY"); fi
}

pnr_driver_env_conf() {
  if [[ -n $GLIBC_TUNABLES ]]; then pnr_env_confs+=(--conf "$1.GLIBC_TUNABLES=$GLIBC_TUNABLES"); fi
  if [[ -n $OMP_WAIT_POLICY ]]; then pnr_env_confs+=(--conf "$1.OMP_WAIT_POLICY=$OMP_WAIT_POLICY"); fi
}

# spark-submit: $SPARK_SUBMIT (a command line), else $SPARK_HOME/bin/spark-submit, else the one on PATH.
pnr_find_spark_submit() {
  if [[ -n "${SPARK_SUBMIT:-}" ]]; then
    read -r -a pnr_submit <<< "$SPARK_SUBMIT"
  elif [[ -n "${SPARK_HOME:-}" ]]; then
    pnr_submit=("$SPARK_HOME/bin/spark-submit")
  else
    pnr_submit=(spark-submit)
  fi
}

# ND4J keeps its arrays off-heap (JavaCPP): the container must hold heap + off-heap, and JavaCPP must know the
# limits, or YARN/Kubernetes kill the executor when ND4J grows. EXECUTOR_OFFHEAP caps ND4J's arrays.
pnr_executor_memory_confs() {
  local heap=${EXECUTOR_MEMORY:-4g} offheap=${EXECUTOR_OFFHEAP:-6g}
  [[ $heap =~ ^[0-9]+[gG]$ && $offheap =~ ^[0-9]+[gG]$ ]] \
    || pnr_die "EXECUTOR_MEMORY ($heap) and EXECUTOR_OFFHEAP ($offheap) must be whole gigabytes, e.g. 4g"
  local heap_g=${heap%[gG]} offheap_g=${offheap%[gG]}
  pnr_memory_confs=(--executor-memory "${heap_g}g"
    --conf "spark.executor.memoryOverhead=$((offheap_g + 1))g")
  # JavaCPP's limits below the container's (heap + overhead), so that ND4J fails with its own out-of-memory error
  pnr_executor_java_opts="$pnr_flags -Dorg.bytedeco.javacpp.maxbytes=${offheap_g}G -Dorg.bytedeco.javacpp.maxphysicalbytes=$((heap_g + offheap_g))G"
  # the driver also runs ND4J (evaluation, the momentum target): in cluster mode its container needs room too
  local driver_heap=${DRIVER_MEMORY:-8g} driver_offheap=${DRIVER_OFFHEAP:-4g}
  [[ $driver_heap =~ ^[0-9]+[gG]$ && $driver_offheap =~ ^[0-9]+[gG]$ ]] \
    || pnr_die "DRIVER_MEMORY ($driver_heap) and DRIVER_OFFHEAP ($driver_offheap) must be whole gigabytes, e.g. 4g"
  pnr_memory_confs+=(--conf "spark.driver.memoryOverhead=$((${driver_offheap%[gG]} + 1))g")
  pnr_driver_java_opts="$pnr_flags -Dorg.bytedeco.javacpp.maxbytes=${driver_offheap%[gG]}G -Dorg.bytedeco.javacpp.maxphysicalbytes=$((${driver_heap%[gG]} + ${driver_offheap%[gG]}))G"
}

# GPUS_PER_EXECUTOR > 0: one Spark task (one training replica) per GPU, found by submit/gpu-discovery.sh, which
# is shipped with the job, or found at $1 on the executors (an image's copy).
pnr_gpu_confs() {
  local gpus=${GPUS_PER_EXECUTOR:-0} cores=${EXECUTOR_CORES:-4} script=${1:-}
  pnr_gpu=()
  [[ $gpus =~ ^[0-9]+$ ]] || pnr_die "GPUS_PER_EXECUTOR must be a number, got $gpus"
  if [[ $gpus -gt 0 ]]; then
    [[ "$pnr_jar" == *-cuda.jar ]] || pnr_die "GPUS_PER_EXECUTOR=$gpus needs the CUDA jar: mvn -Pcuda package -DskipTests"
    [[ $((cores % gpus)) -eq 0 ]] || pnr_die "EXECUTOR_CORES ($cores) must be a multiple of GPUS_PER_EXECUTOR ($gpus)"
    # the driver runs ND4J's CUDA backend too (evaluation, the momentum target): in cluster mode it gets a GPU;
    # in client mode the submitting machine needs one
    pnr_gpu=(--conf "spark.executor.resource.gpu.amount=$gpus"
      --conf "spark.task.resource.gpu.amount=1"
      --conf "spark.task.cpus=$((cores / gpus))"
      --conf "spark.executor.resource.gpu.discoveryScript=${script:-./gpu-discovery.sh}")
    if [[ ${DEPLOY_MODE:-cluster} == cluster ]]; then
      pnr_gpu+=(--conf "spark.driver.resource.gpu.amount=1"
        --conf "spark.driver.resource.gpu.discoveryScript=${script:-./gpu-discovery.sh}")
    fi
    [[ -n "$script" ]] || pnr_files+=("$pnr_root/submit/gpu-discovery.sh")
    pnr_tasks_per_executor=$gpus
  else
    pnr_tasks_per_executor=$cores
  fi
}

# Where a job on a cluster writes: OUTPUT_DIR, required, so that a restarted driver finds and resumes the run.
pnr_output_dir() {
  [[ -n "${OUTPUT_DIR:-}" ]] || pnr_die "set OUTPUT_DIR to the run's directory on a file system every node reads, e.g. OUTPUT_DIR=hdfs:///user/${USER:-me}/pnr/$(basename "$pnr_conf" .conf) (re-submitting with the same OUTPUT_DIR resumes the run)"
}

# The numbers of executors and cores as spark-submit options; spark.workers = executors x tasks per executor.
pnr_executors() {
  local executors=${NUM_EXECUTORS:-2} cores=${EXECUTOR_CORES:-4}
  [[ $executors =~ ^[1-9][0-9]*$ && $cores =~ ^[1-9][0-9]*$ ]] \
    || pnr_die "NUM_EXECUTORS ($executors) and EXECUTOR_CORES ($cores) must be positive numbers"
  pnr_executor_confs=(--num-executors "$executors" --executor-cores "$cores"
    --conf "spark.dynamicAllocation.enabled=false")
  pnr_workers=$((executors * pnr_tasks_per_executor))
}

# Everything a job on a cluster needs: output directory, jar, flags, spark-submit, memory, GPUs, executors;
# $1 as for pnr_gpu_confs.
pnr_cluster_job() {
  pnr_output_dir
  pnr_find_jar
  pnr_jvm_flags
  pnr_allocator_env
  pnr_find_spark_submit
  pnr_files=()
  pnr_executor_memory_confs
  pnr_gpu_confs "$1"
  pnr_executors
}

# Prints the command (DRY_RUN=1) or replaces this shell with it.
pnr_run() {
  if [[ "${DRY_RUN:-0}" == 1 ]]; then
    printf '%q ' "$@"
    echo
    exit 0
  fi
  if [[ -z "${SPARK_SUBMIT:-}" ]] && ! command -v "$1" > /dev/null; then
    pnr_die "spark-submit not found: set SPARK_HOME (Spark 3.5, Scala 2.12) or SPARK_SUBMIT"
  fi
  exec "$@"
}
