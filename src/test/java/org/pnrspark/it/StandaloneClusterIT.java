package org.pnrspark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The shaded jar on a Spark standalone cluster on loopback: a master and a worker started from the Spark
 * distribution's jars (SparkDistribution), and submit/local.sh with MASTER=spark://... . The worker runs two
 * executors of one core each, each in a JVM of its own, so the training replicas, the broadcasts (the frozen
 * model, the network configuration) and the features all cross process boundaries as they do on a real cluster;
 * in local mode they share the driver's heap and a broadcast is never deserialised.
 */
class StandaloneClusterIT {

    @Test
    void trainsWithExecutorsInTheirOwnJvms(@TempDir Path dir) throws Exception {
        SparkDistribution spark = new SparkDistribution();
        int masterPort = SparkDistribution.freePort();
        int masterUiPort = SparkDistribution.freePort();
        String masterUrl = "spark://127.0.0.1:" + masterPort;
        Path workDir = dir.resolve("worker");
        Path out = dir.resolve("run");
        Path masterLog = dir.resolve("master.log");
        Path workerLog = dir.resolve("worker.log");
        Path console = dir.resolve("console.log");
        Process master = null;
        Process worker = null;
        Process driver = null;
        try {
            master = start(spark, dir, masterLog, spark.sparkClass("256m", "org.apache.spark.deploy.master.Master",
                    "--host", "127.0.0.1", "--port", "" + masterPort, "--webui-port", "" + masterUiPort));
            // 2 cores and memory for two executors of 1536m each
            worker = start(spark, dir, workerLog, spark.sparkClass("256m", "org.apache.spark.deploy.worker.Worker",
                    "--host", "127.0.0.1", "--webui-port", "0", "--cores", "2", "--memory", "3200m",
                    "--work-dir", workDir.toString(), masterUrl));
            URI masterJson = URI.create("http://127.0.0.1:" + masterUiPort + "/json/");
            awaitWorker(masterJson, master, worker, masterLog, workerLog);

            // ND4J keeps its arrays off-heap: the executors' heap is also the cap of JavaCPP's off-heap memory
            String submit = spark.sparkSubmit("2g", "spark.executor.cores=1", "spark.executor.memory=1536m",
                    "spark.cores.max=2");
            ProcessBuilder pb = new ProcessBuilder(spark.tinyJob(out)).directory(spark.root.toFile())
                    .redirectErrorStream(true).redirectOutput(console.toFile());
            pb.environment().put("SPARK_SUBMIT", submit);
            pb.environment().put("MASTER", masterUrl);
            pb.environment().put("DRIVER_MEMORY", "2g");
            pb.environment().put("SPARK_HOME", spark.home.toString());
            pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
            long t0 = System.nanoTime();
            driver = pb.start();
            boolean done = driver.waitFor(5, TimeUnit.MINUTES);
            String logs = SparkDistribution.tail(console, 80) + "\n" + SparkDistribution.tail(workerLog, 40);
            assertTrue(done, "the job did not finish in 5 minutes (a driver whose executors cannot start waits "
                    + "forever):\n" + logs);
            assertEquals(0, driver.exitValue(), "the job failed:\n" + logs);
            System.out.printf("standalone run: %.0f s%n", (System.nanoTime() - t0) / 1e9);
            String driverOut = Files.readString(console);
            // a task that failed and succeeded on retry (e.g. a broadcast that does not deserialise) is a bug
            assertFalse(driverOut.contains("Lost task"), "tasks failed on the executors:\n" + logs);

            JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
            assertEquals(2, results.get("tasks").size(), "tasks in results.json");
            assertEquals(masterUrl, results.get("run").get("spark_master").asText());
            assertEquals(2, results.get("run").get("workers").asInt(), "replicas: one per executor core");
            for (int t = 0; t < 2; t++) {
                assertTrue(Files.size(out.resolve("task-" + t + "/model.zip")) > 0, "checkpoint of task " + t);
                assertTrue(Files.isRegularFile(out.resolve("task-" + t + "/model.zip.sha256")));
                double acc = results.get("tasks").get(t).get("accuracy_all").asDouble();
                assertTrue(acc > 0.1 && acc <= 1.0, "linear-probe accuracy after task " + t + ": " + acc);
            }

            assertExecutorsRanInOwnJvms(workDir, driver.pid(), logs);
            JsonNode app = completedApp(masterJson);
            assertEquals("FINISHED", app.get("state").asText(), "the application's state on the master: " + app);
        } finally {
            SparkDistribution.stop(driver);
            SparkDistribution.stop(worker);
            SparkDistribution.stop(master);
        }
    }

    private static Process start(SparkDistribution spark, Path dir, Path log, List<String> cmd) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile());
        pb.environment().put("SPARK_HOME", spark.home.toString());
        // the launcher asks for the Scala version before it looks at the distribution's layout
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    private static void awaitWorker(URI masterJson, Process master, Process worker, Path masterLog, Path workerLog)
            throws InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (System.nanoTime() < deadline) {
            if (!master.isAlive() || !worker.isAlive()) break;
            try {
                JsonNode state = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(masterJson)
                        .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString()).body());
                if (state.get("aliveworkers").asInt() == 1 && state.get("cores").asInt() == 2) return;
            } catch (IOException e) {
                // the master's UI is not up yet
            }
            Thread.sleep(500);
        }
        fail("no worker registered with the master:\n" + SparkDistribution.tail(masterLog, 30) + "\n"
                + SparkDistribution.tail(workerLog, 30));
    }

    /** Every executor the worker launched started, registered with the driver, and ran tasks in its own JVM. */
    private static void assertExecutorsRanInOwnJvms(Path workDir, long driverPid, String logs) throws IOException {
        List<Path> apps;
        try (Stream<Path> s = Files.list(workDir)) {
            apps = s.filter(p -> p.getFileName().toString().startsWith("app-")).toList();
        }
        assertEquals(1, apps.size(), "applications in the worker's directory " + apps + "\n" + logs);
        List<Path> executors;
        try (Stream<Path> s = Files.list(apps.get(0))) {
            executors = new ArrayList<>(s.filter(Files::isDirectory).toList());
        }
        // a launch that failed leaves a directory too: every one must be a working executor
        assertEquals(2, executors.size(), "executor directories " + executors + "\n" + logs);
        Set<Long> pids = new HashSet<>();
        for (Path e : executors) pids.add(SparkDistribution.assertOwnExecutorJvm(e, driverPid, logs));
        assertEquals(2, pids.size(), "two executor JVMs: " + pids);
    }

    private static JsonNode completedApp(URI masterJson) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        // the master learns of the application's end shortly after the driver exits
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode state = null;
        while (System.nanoTime() < deadline) {
            state = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(masterJson).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            if (state.get("completedapps").size() == 1) return state.get("completedapps").get(0);
            Thread.sleep(500);
        }
        fail("the master lists no completed application: " + state);
        return null;
    }
}
