package org.pnrspark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.testutil.RandomInitBaseline;

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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
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
 * in local mode they share the driver's heap and a broadcast is never deserialised. Then the same job runs again and
 * one executor JVM is killed with SIGKILL while it runs a training task: the driver loses that task, Spark runs it
 * again, and the job finishes with the same results.
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
            long t0 = System.nanoTime();
            driver = submit(spark, submit, masterUrl, out, console);
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
            }
            RandomInitBaseline.assertNotBelow(results, "standalone cluster");

            Path firstApp = assertExecutorsRanInOwnJvms(workDir, driver.pid(), logs);
            JsonNode app = completedApp(masterJson, 1);
            assertEquals("FINISHED", app.get("state").asText(), "the application's state on the master: " + app);

            // the same job again, with one executor JVM killed (SIGKILL) while it runs a training task: Spark runs
            // the lost tasks again (the worker starts a new executor), and the results are those of the first run
            Path killedOut = dir.resolve("run-killed");
            Path killedConsole = dir.resolve("console-killed.log");
            driver = submit(spark, submit, masterUrl, killedOut, killedConsole);
            Killed killed = killAnExecutorRunningATrainingTask(workDir, firstApp, killedConsole, driver);
            boolean killedDone = driver.waitFor(6, TimeUnit.MINUTES);
            String killedLogs = SparkDistribution.tail(killedConsole, 80) + "\n" + SparkDistribution.tail(workerLog, 40);
            assertTrue(killedDone, "the job with a killed executor did not finish in 6 minutes:\n" + killedLogs);
            assertEquals(0, driver.exitValue(), "the job with a killed executor failed:\n" + killedLogs);
            String killedOutput = Files.readString(killedConsole);
            assertTrue(killedOutput.matches("(?s).*Lost executor \\d+ on .*exited with code 137.*"),
                    "the driver lost the executor of pid " + killed.pid() + ":\n" + killedLogs);
            // the task in flight on that executor was lost with it, and Spark ran it again
            TaskAttempt lost = killed.lost();
            List<TaskAttempt> retries = attempts(workDir, firstApp).stream()
                    .filter(a -> a.index().equals(lost.index()) && a.stage().equals(lost.stage())
                            && !a.tid().equals(lost.tid())).toList();
            assertFalse(retries.isEmpty(), "Spark ran task " + lost.index() + " of stage " + lost.stage()
                    + " again after losing " + lost + ":\n" + killedLogs);
            JsonNode again = new ObjectMapper().readTree(killedOut.resolve("results.json").toFile());
            assertEquals(results.get("accuracy_matrix"), again.get("accuracy_matrix"), "linear probe");
            assertEquals(results.get("knn_accuracy_matrix"), again.get("knn_accuracy_matrix"), "k-NN");
            for (int t = 0; t < 2; t++) {
                assertEquals(results.get("tasks").get(t).get("final_loss"), again.get("tasks").get(t).get("final_loss"),
                        "task " + t + ": the training loss");
            }
            assertEquals("FINISHED", completedApp(masterJson, 2).get("state").asText());
        } finally {
            SparkDistribution.stop(driver);
            SparkDistribution.stop(worker);
            SparkDistribution.stop(master);
        }
    }

    /**
     * The tiny job through submit/local.sh against the standalone master, console into a file; with its random-init
     * row, which the accuracy after each task is checked against.
     */
    private static Process submit(SparkDistribution spark, String submit, String masterUrl, Path out, Path console)
            throws IOException {
        List<String> job = spark.tinyJob(out);
        job.set(job.indexOf("eval.random_init_baseline=false"), "eval.random_init_baseline=true");
        ProcessBuilder pb = new ProcessBuilder(job).directory(spark.root.toFile())
                .redirectErrorStream(true).redirectOutput(console.toFile());
        pb.environment().put("SPARK_SUBMIT", submit);
        pb.environment().put("MASTER", masterUrl);
        pb.environment().put("DRIVER_MEMORY", "2g");
        pb.environment().put("SPARK_HOME", spark.home.toString());
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        return pb.start();
    }

    /** "Running task 3.0 in stage 7.0 (TID 21)": task index 3, its attempt 0, stage 7, the stage's attempt 0. */
    private static final Pattern RUNNING = Pattern.compile(
            "Running task (\\d+)\\.(\\d+) in stage (\\d+)\\.(\\d+) \\(TID (\\d+)\\)");
    private static final Pattern FINISHED = Pattern.compile("Finished task \\S+ in stage \\S+ \\(TID (\\d+)\\)");

    /** One attempt of a Spark task, as an executor's log names it. */
    private record TaskAttempt(String index, String attempt, String stage, String stageAttempt, String tid) {
        /** "3.0 in stage 7.0", as the driver's log names it too. */
        String id() {
            return index + "." + attempt + " in stage " + stage + "." + stageAttempt;
        }
    }

    /** The executor killed, and the task attempt the driver lost with it. */
    private record Killed(long pid, TaskAttempt lost) {}

    private static List<TaskAttempt> attemptsIn(String log) {
        List<TaskAttempt> out = new ArrayList<>();
        for (Matcher m = RUNNING.matcher(log); m.find(); ) {
            out.add(new TaskAttempt(m.group(1), m.group(2), m.group(3), m.group(4), m.group(5)));
        }
        return out;
    }

    /** Every task attempt that an executor of an application other than {@code firstApp} started. */
    private static List<TaskAttempt> attempts(Path workDir, Path firstApp) throws IOException {
        List<TaskAttempt> out = new ArrayList<>();
        for (Path e : executorsOfLaterApps(workDir, firstApp)) {
            Path stderr = e.resolve("stderr");
            if (Files.exists(stderr)) out.addAll(attemptsIn(Files.readString(stderr)));
        }
        return out;
    }

    private static List<Path> executorsOfLaterApps(Path workDir, Path firstApp) throws IOException {
        try (Stream<Path> apps = Files.list(workDir)) {
            return apps.filter(a -> a.getFileName().toString().startsWith("app-") && !a.equals(firstApp))
                    .flatMap(StandaloneClusterIT::children).filter(Files::isDirectory).toList();
        }
    }

    /**
     * Once the driver trains task 1, waits for a task that an executor of the new application has been running for
     * half a second (a training task: the jobs around training run tasks of milliseconds) and kills that executor's
     * JVM with SIGKILL (kill -9). The driver must then report the task lost with the executor; should the task have
     * finished in the instant before the kill, the next one is tried (three kills at most). Returns the executor's
     * process id and the task attempt lost with it.
     */
    private static Killed killAnExecutorRunningATrainingTask(Path workDir, Path firstApp, Path console, Process driver)
            throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(4);
        java.util.Map<String, Long> firstSeen = new java.util.HashMap<>();
        int kills = 0;
        while (System.nanoTime() < deadline && driver.isAlive() && kills < 3) {
            if (Files.exists(console) && Files.readString(console).contains("task 1/2: ")) {
                for (Path e : executorsOfLaterApps(workDir, firstApp)) {
                    Path stderr = e.resolve("stderr");
                    String log = Files.exists(stderr) ? Files.readString(stderr) : "";
                    Set<String> finished = tids(FINISHED, log);
                    long now = System.nanoTime();
                    List<TaskAttempt> running = attemptsIn(log).stream()
                            .filter(a -> !finished.contains(a.tid())).toList();
                    running.forEach(a -> firstSeen.putIfAbsent(a.tid(), now));
                    boolean longRunning = running.stream()
                            .anyMatch(a -> now - firstSeen.get(a.tid()) >= TimeUnit.MILLISECONDS.toNanos(500));
                    var pid = SparkDistribution.executorPid(e);
                    if (!longRunning || pid.isEmpty()) continue;
                    ProcessHandle handle = ProcessHandle.of(pid.getAsLong()).orElse(null);
                    if (handle == null) continue;
                    handle.destroyForcibly();
                    handle.onExit().get(30, TimeUnit.SECONDS);
                    kills++;
                    TaskAttempt lost = lostWith(e.getFileName().toString(), running, console);
                    if (lost != null) return new Killed(pid.getAsLong(), lost);
                }
            }
            Thread.sleep(20);
        }
        fail("no executor was killed while it ran a training task (" + kills + " kills):\n"
                + SparkDistribution.tail(console, 60));
        return null;
    }

    /** Which of {@code running} the driver reports lost with executor {@code executor}, or null if none. */
    private static TaskAttempt lostWith(String executor, List<TaskAttempt> running, Path console) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (Files.readString(console).contains("Lost executor " + executor + " on")) {
                Thread.sleep(2000); // its tasks are reported lost right after it
                String log = Files.readString(console);
                return running.stream().filter(a -> log.contains("Lost task " + a.id() + " (TID " + a.tid() + ")"))
                        .findFirst().orElse(null);
            }
            Thread.sleep(100);
        }
        return null;
    }

    private static Set<String> tids(Pattern p, String log) {
        Set<String> out = new HashSet<>();
        for (Matcher m = p.matcher(log); m.find(); ) out.add(m.group(1));
        return out;
    }

    private static Stream<Path> children(Path dir) {
        try {
            return Files.list(dir).toList().stream();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
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
    private static Path assertExecutorsRanInOwnJvms(Path workDir, long driverPid, String logs) throws IOException {
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
        return apps.get(0);
    }

    /** The latest completed application once the master lists {@code count} of them. */
    private static JsonNode completedApp(URI masterJson, int count) throws IOException, InterruptedException {
        HttpClient http = HttpClient.newHttpClient();
        // the master learns of the application's end shortly after the driver exits
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        JsonNode state = null;
        while (System.nanoTime() < deadline) {
            state = new ObjectMapper().readTree(http.send(HttpRequest.newBuilder(masterJson).build(),
                    HttpResponse.BodyHandlers.ofString()).body());
            JsonNode apps = state.get("completedapps");
            if (apps.size() == count) {
                JsonNode latest = apps.get(0);
                for (JsonNode a : apps) if (a.get("starttime").asLong() > latest.get("starttime").asLong()) latest = a;
                return latest;
            }
            Thread.sleep(500);
        }
        fail("the master lists no completed application: " + state);
        return null;
    }
}
