package org.pnrspark.submit;

import org.junit.jupiter.api.Test;
import org.pnrspark.testutil.ExternalTools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The spark-submit wrappers: clean under shellcheck, and the command each prints in dry-run mode carries what the
 * cluster needs (the jar, the configuration shipped with the job, the JVM flags for driver and executors, memory
 * for ND4J's off-heap arrays, GPU requests, the output directory a restarted driver resumes from). The Dockerfiles
 * copy files that exist, and the jar the build makes.
 */
class SubmitScriptsTest {
    private static final Path ROOT = Path.of("").toAbsolutePath();
    private static final String CPU_JAR = "/tmp/pnr-spark-test-spark.jar";
    private static final String CUDA_JAR = "/tmp/pnr-spark-test-spark-cuda.jar";

    @Test
    void shellcheckFindsNothing() throws Exception {
        List<String> cmd = new ArrayList<>(List.of(ExternalTools.require("/usr/bin/shellcheck", "shellcheck"), "-x"));
        try (var files = Files.list(ROOT.resolve("submit"))) {
            files.filter(f -> f.toString().endsWith(".sh")).forEach(f -> cmd.add(ROOT.relativize(f).toString()));
        }
        cmd.add("submit/pnr-local");
        Run r = run(cmd, Map.of());
        assertEquals(0, r.code, r.output);
    }

    @Test
    void localDryRun() throws Exception {
        Run r = script("local.sh", Map.of("JAR", CPU_JAR, "MASTER", "local[2,3]"), "conf/fmnist-5t.conf", "--strategies", "pnr");
        assertEquals(0, r.code, r.output);
        assertTrue(r.output.startsWith("spark-submit --master local\\[2\\,3\\] "), r.output);
        assertTrue(r.output.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), r.output);
        assertTrue(r.output.contains("spark.executor.extraJavaOptions="), r.output);
        // ND4J's large arrays on transparent huge pages, in the executors and (exported) in the driver
        assertTrue(r.output.contains("spark.executorEnv.GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), r.output);
        // OpenMP threads that sleep between parallel regions, likewise
        assertTrue(r.output.contains("spark.executorEnv.OMP_WAIT_POLICY=PASSIVE"), r.output);
        assertTrue(r.output.trim().endsWith(CPU_JAR + " train --conf conf/fmnist-5t.conf --strategies pnr"), r.output);
        // the user's own setting wins; set empty, nothing is passed
        Run own = script("local.sh", Map.of("JAR", CPU_JAR, "GLIBC_TUNABLES", "glibc.malloc.arena_max=2"),
                "conf/fmnist-5t.conf");
        assertTrue(own.output.contains("spark.executorEnv.GLIBC_TUNABLES=glibc.malloc.arena_max=2"), own.output);
        Run off = script("local.sh", Map.of("JAR", CPU_JAR, "GLIBC_TUNABLES", ""), "conf/fmnist-5t.conf");
        assertEquals(0, off.code, off.output);
        assertFalse(off.output.contains("GLIBC_TUNABLES"), off.output);
        assertTrue(off.output.contains("OMP_WAIT_POLICY=PASSIVE"), off.output);
        Run ompOff = script("local.sh", Map.of("JAR", CPU_JAR, "OMP_WAIT_POLICY", ""), "conf/fmnist-5t.conf");
        assertFalse(ompOff.output.contains("OMP_WAIT_POLICY"), ompOff.output);
    }

    @Test
    void yarnDryRunShipsTheConfigurationAndResumesIntoOutputDir() throws Exception {
        Map<String, String> env = Map.of("JAR", CPU_JAR, "OUTPUT_DIR", "hdfs:///pnr/run", "NUM_EXECUTORS", "3",
                "EXECUTOR_CORES", "4", "EXECUTOR_OFFHEAP", "10g", "HADOOP_CONF_DIR", "/etc/hadoop/conf");
        Run r = script("yarn.sh", env, "conf/fmnist-5t-byol.conf", "--set", "optim.epochs=2");
        assertEquals(0, r.code, r.output);
        String out = r.output;
        assertTrue(out.contains("--master yarn --deploy-mode cluster "), out);
        // the conf and the file it includes travel with the job; the driver reads them from its working directory
        assertTrue(out.matches("(?s).*--files \\S*conf/fmnist-5t-byol\\.conf\\S*conf/fmnist-5t\\.conf\\S*log4j2\\.properties .*"), out);
        assertTrue(out.contains("train --conf fmnist-5t-byol.conf --set output.dir=hdfs:///pnr/run --set spark.workers=12 --set optim.epochs=2"), out);
        assertTrue(out.contains("spark.executor.memoryOverhead=11g"), out);
        assertTrue(out.contains("-Dorg.bytedeco.javacpp.maxbytes=10G\\ -Dorg.bytedeco.javacpp.maxphysicalbytes=14G"), out);
        assertTrue(out.contains("spark.driver.memoryOverhead=5g"), out);
        assertTrue(out.contains("spark.yarn.maxAppAttempts=2"), out);
        assertTrue(out.contains("spark.yarn.appMasterEnv.GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), out);
        assertTrue(out.contains("spark.yarn.appMasterEnv.OMP_WAIT_POLICY=PASSIVE"), out);
        assertFalse(out.contains("gpu"), out);

        Run client = script("yarn.sh", Map.of("JAR", CPU_JAR, "OUTPUT_DIR", "hdfs:///x", "DEPLOY_MODE", "client",
                "HADOOP_CONF_DIR", "/etc/hadoop/conf"), "conf/fmnist-5t.conf");
        assertTrue(client.output.contains("train --conf conf/fmnist-5t.conf"), client.output);
        assertFalse(client.output.contains("--files"), client.output);
    }

    @Test
    void gpuExecutorsNeedTheCudaJar() throws Exception {
        Map<String, String> env = Map.of("JAR", CPU_JAR, "OUTPUT_DIR", "hdfs:///x", "GPUS_PER_EXECUTOR", "2",
                "HADOOP_CONF_DIR", "/etc/hadoop/conf");
        Run cpu = script("yarn.sh", env, "conf/fmnist-5t.conf");
        assertEquals(2, cpu.code, cpu.output);
        assertTrue(cpu.output.contains("GPUS_PER_EXECUTOR=2 needs the CUDA jar"), cpu.output);

        Run gpu = script("yarn.sh", Map.of("JAR", CUDA_JAR, "OUTPUT_DIR", "hdfs:///x", "GPUS_PER_EXECUTOR", "2",
                "EXECUTOR_CORES", "8", "NUM_EXECUTORS", "2", "HADOOP_CONF_DIR", "/etc/hadoop/conf"), "conf/fmnist-5t.conf");
        assertEquals(0, gpu.code, gpu.output);
        assertTrue(gpu.output.contains("spark.executor.resource.gpu.amount=2"), gpu.output);
        assertTrue(gpu.output.contains("spark.task.resource.gpu.amount=1"), gpu.output);
        assertTrue(gpu.output.contains("spark.task.cpus=4"), gpu.output);
        assertTrue(gpu.output.contains("spark.executor.resource.gpu.discoveryScript=./gpu-discovery.sh"), gpu.output);
        assertTrue(gpu.output.matches("(?s).*--files \\S*submit/gpu-discovery\\.sh.*"), gpu.output);
        assertTrue(gpu.output.contains("--set spark.workers=4"), "one worker per GPU: " + gpu.output);
        assertTrue(gpu.output.contains("platform.extension=-cudnn"), gpu.output);
        assertTrue(gpu.output.contains("spark.driver.resource.gpu.amount=1"), "the driver runs CUDA too: " + gpu.output);
        assertFalse(gpu.output.contains("-onednn-avx2"), gpu.output);
    }

    /** The GPU acceptance check: its steps, in order, with the CUDA build's native libraries and files that exist. */
    @Test
    void gpuCheckDryRunListsItsSteps() throws Exception {
        Run r = script("gpu-check.sh", Map.of());
        assertEquals(0, r.code, r.output);
        List<String> lines = r.output.lines().toList();
        assertEquals("env: PNR_JAVA_OPTS=-Xmx8g -Dorg.bytedeco.javacpp.platform.extension=-cudnn", lines.get(0));
        assertEquals(List.of("device", "cudnn", "parity-float64", "parity-float32", "bench", "train"),
                lines.subList(1, lines.size()).stream().map(l -> l.substring(0, l.indexOf(':'))).toList(), r.output);
        String networks = ROOT + "/src/test/resources/golden/networks-reference.json";
        assertTrue(Files.exists(Path.of(networks)) && Files.exists(ROOT.resolve("conf/fmnist-5t.conf")), r.output);
        assertEquals("parity-float32: " + ROOT + "/submit/pnr-local parity --networks " + networks
                + " --dtype float32 --tol 1e-2", lines.get(4));
        assertEquals("bench: " + ROOT + "/submit/pnr-local bench --quick", lines.get(5));
        assertTrue(lines.get(6).startsWith("train: " + ROOT + "/submit/pnr-local train --conf " + ROOT
                + "/conf/fmnist-5t.conf --set optim.epochs=1 "), r.output);
    }

    @Test
    void kubernetesDryRunUsesTheImage() throws Exception {
        Map<String, String> env = Map.of("JAR", CPU_JAR, "OUTPUT_DIR", "hdfs://nn:8020/pnr/run",
                "K8S_MASTER", "k8s://https://api.example:6443", "IMAGE", "registry.example/pnr-spark:0.1",
                "NAMESPACE", "ml");
        Run r = script("k8s.sh", env, "conf/cifar100-5t.conf");
        assertEquals(0, r.code, r.output);
        String out = r.output;
        assertTrue(out.contains("--master k8s://https://api.example:6443 --deploy-mode cluster"), out);
        assertTrue(out.contains("spark.kubernetes.container.image=registry.example/pnr-spark:0.1"), out);
        assertTrue(out.contains("spark.kubernetes.namespace=ml"), out);
        assertTrue(out.contains("spark.kubernetes.driverEnv.GLIBC_TUNABLES=glibc.malloc.hugetlb=1"), out);
        assertTrue(out.contains("spark.kubernetes.driverEnv.OMP_WAIT_POLICY=PASSIVE"), out);
        assertTrue(out.contains("local:///opt/pnr-spark/pnr-spark.jar train --conf /opt/pnr-spark/conf/cifar100-5t.conf"
                + " --set output.dir=hdfs://nn:8020/pnr/run --set spark.workers=8"), out);

        Run missing = script("k8s.sh", Map.of("JAR", CPU_JAR, "OUTPUT_DIR", "x", "IMAGE", "i"), "conf/cifar100-5t.conf");
        assertEquals(2, missing.code);
        assertTrue(missing.output.contains("set K8S_MASTER"), missing.output);
    }

    @Test
    void missingOutputDirOrConfIsAClearError() throws Exception {
        Run noOut = script("yarn.sh", Map.of("JAR", CPU_JAR, "HADOOP_CONF_DIR", "/etc/hadoop/conf"), "conf/fmnist-5t.conf");
        assertEquals(2, noOut.code);
        assertTrue(noOut.output.contains("set OUTPUT_DIR"), noOut.output);
        Run noConf = script("local.sh", Map.of("JAR", CPU_JAR), "conf/no-such.conf");
        assertEquals(2, noConf.code);
        assertTrue(noConf.output.contains("no configuration file conf/no-such.conf"), noConf.output);
    }

    @Test
    void dockerfilesCopyFilesThatExistAndTheJarTheBuildMakes() throws IOException {
        String pom = Files.readString(ROOT.resolve("pom.xml"));
        Matcher v = Pattern.compile("<artifactId>pnr-spark</artifactId>\\s*<version>([^<]+)</version>").matcher(pom);
        assertTrue(v.find(), "project version in pom.xml");
        for (String name : List.of("Dockerfile", "Dockerfile.cuda")) {
            String docker = Files.readString(ROOT.resolve("submit").resolve(name));
            String jar = "target/pnr-spark-" + v.group(1) + (name.endsWith("cuda") ? "-spark-cuda.jar" : "-spark.jar");
            assertTrue(docker.contains("ARG JAR=" + jar), name + " builds from " + jar);
            Matcher copy = Pattern.compile("(?m)^COPY (?!--from)(.+) (\\S+)$").matcher(docker);
            int copies = 0;
            while (copy.find()) {
                for (String src : copy.group(1).trim().split("\\s+")) {
                    if (src.startsWith("${")) continue;
                    assertTrue(Files.exists(ROOT.resolve(src)), name + ": COPY of a missing file " + src);
                    copies++;
                }
            }
            assertTrue(copies >= 4, name + " copies the configurations and submit files");
        }
    }

    private record Run(int code, String output) {}

    private static Run script(String name, Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/" + name));
        cmd.addAll(List.of(args));
        Map<String, String> withDryRun = new java.util.HashMap<>(env);
        withDryRun.put("DRY_RUN", "1");
        return run(cmd, withDryRun);
    }

    private static Run run(List<String> cmd, Map<String, String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(ROOT.toFile()).redirectErrorStream(true);
        // only what the test sets: nothing of the developer's shell
        for (String k : List.of("SPARK_SUBMIT", "SPARK_HOME", "JAR", "OUTPUT_DIR", "HADOOP_CONF_DIR", "K8S_MASTER",
                "IMAGE", "GPUS_PER_EXECUTOR", "MASTER", "EXECUTOR_CORES", "NUM_EXECUTORS", "DEPLOY_MODE",
                "EXECUTOR_MEMORY", "EXECUTOR_OFFHEAP", "DRIVER_MEMORY", "DRIVER_OFFHEAP", "QUEUE", "PRINCIPAL", "KEYTAB",
                "NAMESPACE", "SERVICE_ACCOUNT", "MAX_APP_ATTEMPTS", "DRY_RUN", "OUT", "PNR_JAVA_OPTS", "GLIBC_TUNABLES",
                "OMP_WAIT_POLICY")) {
            pb.environment().remove(k);
        }
        pb.environment().putAll(env);
        Process p = pb.start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        return new Run(p.waitFor(), output);
    }
}
