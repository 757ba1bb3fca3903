package org.pnrspark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.yarn.api.records.ApplicationId;
import org.apache.hadoop.yarn.api.records.FinalApplicationStatus;
import org.apache.hadoop.yarn.conf.YarnConfiguration;
import org.apache.hadoop.yarn.server.MiniYARNCluster;
import org.apache.hadoop.yarn.server.resourcemanager.rmapp.RMApp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded jar submitted to YARN: a MiniYARNCluster (one resource manager, one node manager) in this JVM, its
 * configuration written to a HADOOP_CONF_DIR, and submit/local.sh with MASTER=yarn (client mode) on the Spark
 * distribution's jars (SparkDistribution, with spark-yarn). The node manager launches the application master and
 * an executor of two cores (two training replicas) as containers, each a JVM of its own started by YARN's launch
 * script. (StandaloneClusterIT has the replicas in two executor JVMs.) Then submit/yarn.sh in its default cluster
 * mode, with the application master killed mid-run.
 */
class YarnClusterIT {

    @Test
    void trainsOnYarn(@TempDir Path dir) throws Exception {
        SparkDistribution spark = new SparkDistribution();
        Path hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
        Path out = dir.resolve("run");
        Path console = dir.resolve("console.log");
        MiniYARNCluster yarn = null;
        Process driver = null;
        try {
            yarn = startYarn(6144, hadoopConf);

            String submit = yarnSparkSubmit(spark, hadoopConf, dir,
                    "spark.executor.instances=1", "spark.executor.cores=2", "spark.executor.memory=2g",
                    "spark.yarn.am.memory=512m");
            ProcessBuilder pb = new ProcessBuilder(spark.tinyJob(out)).directory(spark.root.toFile())
                    .redirectErrorStream(true).redirectOutput(console.toFile());
            Map<String, String> env = pb.environment();
            env.put("SPARK_SUBMIT", submit);
            env.put("MASTER", "yarn");
            env.put("DRIVER_MEMORY", "2g");
            env.put("SPARK_HOME", spark.home.toString());
            env.put("HADOOP_CONF_DIR", hadoopConf.toString());
            env.put("SPARK_LOCAL_IP", "127.0.0.1");
            long t0 = System.nanoTime();
            driver = pb.start();
            boolean done = driver.waitFor(6, TimeUnit.MINUTES);
            Path logDir = containerLogs(yarn);
            String logs = SparkDistribution.tail(console, 80) + "\n" + containerLogTails(logDir);
            assertTrue(done, "the job did not finish in 6 minutes:\n" + logs);
            assertEquals(0, driver.exitValue(), "the job failed:\n" + logs);
            System.out.printf("YARN run: %.0f s%n", (System.nanoTime() - t0) / 1e9);
            assertFalse(Files.readString(console).contains("Lost task"), "tasks failed on the executors:\n" + logs);

            JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
            assertEquals(2, results.get("tasks").size(), "tasks in results.json");
            assertEquals("yarn", results.get("run").get("spark_master").asText());
            assertEquals(2, results.get("run").get("workers").asInt(), "replicas: one per executor core");
            for (int t = 0; t < 2; t++) {
                assertTrue(Files.size(out.resolve("task-" + t + "/model.zip")) > 0, "checkpoint of task " + t);
                double acc = results.get("tasks").get(t).get("accuracy_all").asDouble();
                assertTrue(acc > 0.1 && acc <= 1.0, "linear-probe accuracy after task " + t + ": " + acc);
            }

            Map<ApplicationId, RMApp> apps = yarn.getResourceManager().getRMContext().getRMApps();
            assertEquals(1, apps.size(), "applications on the resource manager: " + apps.keySet());
            RMApp app = apps.values().iterator().next();
            assertEquals("SPARK", app.getApplicationType());
            assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(),
                    "final status of " + app.getApplicationId() + ":\n" + logs);
            assertExecutorContainers(logDir.resolve(app.getApplicationId().toString()), driver.pid(), logs);
        } finally {
            SparkDistribution.stop(driver);
            if (yarn != null) yarn.stop();
            // containers run under setsid: whatever outlived the node manager is still this JVM's descendant
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * submit/yarn.sh as a user runs it, in its default cluster mode: the driver runs in the application master's
     * container. During task 2 that JVM is killed with SIGKILL; YARN starts the application's second attempt, whose
     * driver takes the output lock over from the first attempt and resumes after task 1; spark-submit reports the
     * application's success, and the results are in the output directory.
     */
    @Test
    void clusterModeResumesInTheSecondAttemptAfterTheApplicationMasterIsKilled(@TempDir Path dir) throws Exception {
        SparkDistribution spark = new SparkDistribution();
        Path hadoopConf = Files.createDirectories(dir.resolve("hadoop-conf"));
        Path out = dir.resolve("run");
        Path console = dir.resolve("console.log");
        MiniYARNCluster yarn = null;
        Process submitter = null;
        try {
            yarn = startYarn(8192, hadoopConf);
            List<String> cmd = spark.tinyJob(out);
            cmd.set(1, "submit/yarn.sh");
            ProcessBuilder pb = new ProcessBuilder(cmd).directory(spark.root.toFile())
                    .redirectErrorStream(true).redirectOutput(console.toFile());
            Map<String, String> env = pb.environment();
            env.put("SPARK_SUBMIT", yarnSparkSubmit(spark, hadoopConf, dir));
            env.put("HADOOP_CONF_DIR", hadoopConf.toString());
            env.put("OUTPUT_DIR", out.toUri().toString());
            env.put("NUM_EXECUTORS", "1");
            env.put("EXECUTOR_CORES", "2");
            env.put("EXECUTOR_MEMORY", "1g");
            env.put("EXECUTOR_OFFHEAP", "1g");
            env.put("DRIVER_MEMORY", "1g");
            env.put("DRIVER_OFFHEAP", "1g");
            env.put("SPARK_HOME", spark.home.toString());
            env.put("SPARK_LOCAL_IP", "127.0.0.1");
            env.remove("DEPLOY_MODE");
            long t0 = System.nanoTime();
            submitter = pb.start();
            Path logDir = containerLogs(yarn);
            long killed = killTheFirstApplicationMasterDuring("task 2/2: ", logDir, submitter, console);
            boolean done = submitter.waitFor(10, TimeUnit.MINUTES);
            String logs = SparkDistribution.tail(console, 40) + "\n" + containerLogTails(logDir);
            assertTrue(done, "the job did not finish in 10 minutes:\n" + logs);
            assertEquals(0, submitter.exitValue(), "spark-submit reports a failure:\n" + logs);
            System.out.printf("YARN cluster-mode run with a killed application master: %.0f s%n",
                    (System.nanoTime() - t0) / 1e9);

            Map<ApplicationId, RMApp> apps = yarn.getResourceManager().getRMContext().getRMApps();
            assertEquals(1, apps.size(), "applications on the resource manager: " + apps.keySet());
            RMApp app = apps.values().iterator().next();
            assertEquals(2, app.getAppAttempts().size(), "attempts after the application master " + killed
                    + " was killed:\n" + logs);
            assertEquals(FinalApplicationStatus.SUCCEEDED, app.getFinalApplicationStatus(), logs);
            String second = driverOutput(logDir.resolve(app.getApplicationId().toString()), "_02_000001");
            assertTrue(second.contains("resuming: task 1 finished"), "the second attempt resumes:\n" + second);
            assertTrue(second.contains("(an earlier attempt of this application)"),
                    "the second attempt takes the first one's output lock over:\n" + second);
            assertFalse(second.contains("task 1/2: "), "task 1 is not trained again:\n" + second);

            JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
            assertEquals(2, results.get("tasks").size(), "tasks in results.json");
            assertEquals(2, results.get("run").get("workers").asInt(), "replicas: one per executor core");
            for (int t = 0; t < 2; t++) {
                assertTrue(Files.size(out.resolve("task-" + t + "/model.zip")) > 0, "checkpoint of task " + t);
            }
            assertFalse(Files.exists(out.resolve("run.lock")), "the lock is released at the end");
        } finally {
            SparkDistribution.stop(submitter);
            if (yarn != null) yarn.stop();
            ProcessHandle.current().descendants().forEach(ProcessHandle::destroyForcibly);
        }
    }

    /**
     * Waits until the first attempt's driver (in the application master's container, _01_000001) prints
     * {@code line}, then kills its JVM with SIGKILL; returns its process id.
     */
    private static long killTheFirstApplicationMasterDuring(String line, Path logDir, Process submitter, Path console)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(6);
        while (System.nanoTime() < deadline && submitter.isAlive()) {
            List<Path> masters;
            try (Stream<Path> s = Files.exists(logDir) ? Files.walk(logDir, 2) : Stream.empty()) {
                masters = s.filter(p -> p.getFileName().toString().endsWith("_01_000001")).toList();
            }
            for (Path container : masters) {
                Path stdout = container.resolve("stdout");
                if (!Files.exists(stdout) || !Files.readString(stdout).contains(line)) continue;
                String id = container.getFileName().toString();
                // the JVM itself, not the shells of YARN's launch script around it
                ProcessHandle am = ProcessHandle.current().descendants().filter(p -> {
                    String[] args = commandLine(p);
                    return args.length > 0 && args[0].endsWith("/java") && String.join(" ", args).contains(id)
                            && List.of(args).contains("org.apache.spark.deploy.yarn.ApplicationMaster");
                }).findFirst().orElse(null);
                if (am == null) continue;
                am.destroyForcibly();
                am.onExit().get(30, TimeUnit.SECONDS);
                System.out.printf("killed the application master's JVM %d (%s)%n", am.pid(), id);
                return am.pid();
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the first attempt's driver never printed \"" + line + "\":\n"
                + SparkDistribution.tail(console, 40) + "\n" + containerLogTails(logDir));
    }

    /** Where the node manager keeps its containers' logs. */
    private static Path containerLogs(MiniYARNCluster yarn) {
        return Path.of(yarn.getNodeManager(0).getConfig().get(YarnConfiguration.NM_LOG_DIRS).split(",")[0]);
    }

    /** A process's command line, from /proc (empty if it has exited). */
    private static String[] commandLine(ProcessHandle p) {
        try {
            String raw = new String(Files.readAllBytes(Path.of("/proc", "" + p.pid(), "cmdline")),
                    java.nio.charset.StandardCharsets.UTF_8);
            return raw.isEmpty() ? new String[0] : raw.split("\0");
        } catch (IOException e) {
            return new String[0];
        }
    }

    /** The console output (stdout) of the driver in the container whose id ends with {@code suffix}. */
    private static String driverOutput(Path appLogs, String suffix) throws IOException {
        try (Stream<Path> s = Files.list(appLogs)) {
            Path container = s.filter(p -> p.getFileName().toString().endsWith(suffix)).findFirst()
                    .orElseThrow(() -> new AssertionError("no container *" + suffix + " in " + appLogs));
            return Files.readString(container.resolve("stdout"));
        }
    }

    /**
     * A resource manager and a node manager of {@code nodeMemoryMb} and 4 cores; their client configuration in
     * {@code hadoopConf}.
     */
    private static MiniYARNCluster startYarn(int nodeMemoryMb, Path hadoopConf) throws Exception {
        YarnConfiguration conf = new YarnConfiguration();
        // the mini cluster's node manager takes its memory from this key, not from the node manager's own
        conf.setInt("yarn.minicluster.yarn.nodemanager.resource.memory-mb", nodeMemoryMb);
        conf.setInt(YarnConfiguration.NM_VCORES, 4);
        conf.setInt(YarnConfiguration.RM_SCHEDULER_MINIMUM_ALLOCATION_MB, 128);
        // ND4J's arrays live off-heap, outside what YARN would count against the container
        conf.setBoolean(YarnConfiguration.NM_PMEM_CHECK_ENABLED, false);
        conf.setBoolean(YarnConfiguration.NM_VMEM_CHECK_ENABLED, false);
        // a nearly full disk must not mark the only node unhealthy
        conf.setFloat(YarnConfiguration.NM_MAX_PER_DISK_UTILIZATION_PERCENTAGE, 100f);
        // the capacity scheduler's queues normally come from capacity-scheduler.xml
        conf.set("yarn.scheduler.capacity.root.queues", "default");
        conf.set("yarn.scheduler.capacity.root.default.capacity", "100");
        conf.set("yarn.scheduler.capacity.root.default.maximum-capacity", "100");
        MiniYARNCluster yarn = new MiniYARNCluster("pnr-yarn-it", 1, 1, 1);
        yarn.init(conf);
        yarn.start();
        assertTrue(yarn.waitForNodeManagersToConnect(60_000), "the node manager did not register");
        writeHadoopConf(yarn.getConfig(), hadoopConf);
        return yarn;
    }

    /** The SPARK_SUBMIT command for YARN: the distribution's jars already on the node, containers' JAVA_HOME. */
    private static String yarnSparkSubmit(SparkDistribution spark, Path hadoopConf, Path dir, String... confs) {
        String javaHome = System.getProperty("java.home");
        List<String> all = new ArrayList<>(List.of(
                // the distribution's jars are on the node already: nothing to upload
                "spark.yarn.jars=local:" + spark.home.resolve("jars") + "/*",
                "spark.yarn.stagingDir=" + dir.resolve("staging").toUri(),
                // containers run {{JAVA_HOME}}/bin/java; the node manager may not have JAVA_HOME set
                "spark.yarn.appMasterEnv.JAVA_HOME=" + javaHome, "spark.executorEnv.JAVA_HOME=" + javaHome));
        all.addAll(List.of(confs));
        return spark.sparkSubmit("2g", hadoopConf, all.toArray(String[]::new));
    }

    private static void writeHadoopConf(Configuration yarnConf, Path dir) throws IOException {
        try (OutputStream o = Files.newOutputStream(dir.resolve("yarn-site.xml"))) {
            yarnConf.writeXml(o);
        }
        Configuration core = new Configuration(false);
        core.set("fs.defaultFS", "file:///");
        try (OutputStream o = Files.newOutputStream(dir.resolve("core-site.xml"))) {
            core.writeXml(o);
        }
    }

    /** The application master's container and the executor's, a JVM that ran tasks. */
    private static void assertExecutorContainers(Path appLogs, long driverPid, String logs) throws IOException {
        List<Path> containers;
        try (Stream<Path> s = Files.list(appLogs)) {
            containers = new ArrayList<>(s.sorted().toList());
        }
        assertEquals(2, containers.size(), "containers (application master, executor) " + containers + "\n" + logs);
        SparkDistribution.assertOwnExecutorJvm(containers.get(1), driverPid, logs);
    }

    private static String containerLogTails(Path logDir) {
        StringBuilder s = new StringBuilder();
        try (Stream<Path> files = Files.walk(logDir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().equals("stderr")).sorted().toList()) {
                s.append(f.getParent().getFileName()).append(' ').append(SparkDistribution.tail(f, 25)).append('\n');
            }
        } catch (IOException e) {
            s.append("(no container logs under ").append(logDir).append(": ").append(e).append(")");
        }
        return s.toString();
    }
}
