package org.pnrspark.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A Spark 3.5 installation for the integration tests, built from Maven: the jars of
 * src/test/spark-distribution/pom.xml linked into target/spark-home/jars next to a RELEASE file, the layout
 * Spark's launcher expects of a distribution (a standalone worker builds its executors' classpath from it), and
 * helpers to run Spark's own processes and the project's submit script on it.
 */
final class SparkDistribution {
    final Path root = Path.of("").toAbsolutePath();
    final Path home = root.resolve("target/spark-home");
    final String classpath;
    final String jvmFlags;

    SparkDistribution() throws IOException, InterruptedException {
        Path cpFile = root.resolve("target/spark-distribution-classpath.txt");
        Path pom = root.resolve("src/test/spark-distribution/pom.xml");
        // one resolution per build: each Maven start costs seconds of the CI's two cores
        if (!Files.exists(cpFile) || Files.getLastModifiedTime(cpFile).compareTo(Files.getLastModifiedTime(pom)) < 0
                || Stream.of(Files.readString(cpFile).trim().split(":")).anyMatch(j -> !Files.exists(Path.of(j)))) {
            Process resolve = new ProcessBuilder("mvn", "-q", "-B", "-f", pom.toString(), "dependency:build-classpath",
                    "-Dmdep.outputFile=" + cpFile).directory(root.toFile()).inheritIO().start();
            assertEquals(0, resolve.waitFor(), "resolving the Spark distribution's jars");
        }
        classpath = Files.readString(cpFile).trim();
        jvmFlags = org.pnrspark.testutil.ChildJvm.flags();
        deleteRecursively(home);
        Files.createDirectories(home.resolve("jars"));
        Files.createDirectories(home.resolve("conf"));
        Files.writeString(home.resolve("RELEASE"), "Spark 3.5.9 built for the integration tests from Maven artifacts\n");
        for (String jar : classpath.split(":")) {
            Path target = Path.of(jar);
            Files.createSymbolicLink(home.resolve("jars").resolve(target.getFileName()), target);
        }
    }

    String java() {
        return System.getProperty("java.home") + "/bin/java";
    }

    /** A Spark class run the way bin/spark-class runs it: the project's JVM flags, the installation's jars. */
    List<String> sparkClass(String heap, String mainClass, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java()));
        cmd.addAll(List.of(jvmFlags.split(" ")));
        cmd.addAll(List.of("-Xmx" + heap, "-cp", home.resolve("conf") + "/:" + home.resolve("jars") + "/*", mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** The SPARK_SUBMIT command for submit/local.sh (split on spaces by the script), with extra --conf settings. */
    String sparkSubmit(String heap, String... confs) {
        return sparkSubmit(heap, null, confs);
    }

    /** The same with a Hadoop configuration directory on the classpath, as bin/spark-submit adds HADOOP_CONF_DIR. */
    String sparkSubmit(String heap, Path hadoopConfDir, String... confs) {
        StringBuilder s = new StringBuilder(java()).append(' ').append(jvmFlags).append(" -Xmx").append(heap)
                .append(" -Dlog4j2.configurationFile=file:").append(root.resolve("submit/log4j2.properties"))
                .append(" -cp ").append(hadoopConfDir == null ? "" : hadoopConfDir + "/:").append(home.resolve("jars"))
                .append("/* org.apache.spark.deploy.SparkSubmit");
        for (String c : confs) s.append(" --conf ").append(c);
        return s.toString();
    }

    /** The tiny job of the integration tests: two tasks of one epoch on 30 images per class. */
    List<String> tinyJob(Path out) {
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/local.sh", "conf/fmnist-5t.conf"));
        cmd.addAll(tinyJobSettings(out));
        return cmd;
    }

    /** The settings of the tiny job, after its configuration file. */
    static List<String> tinyJobSettings(Path out) {
        return new ArrayList<>(List.of("--set", "data.max_train_per_class=30", "--set", "data.max_test_per_class=30",
                "--set", "scenario.tasks=2", "--set", "optim.epochs=1", "--set", "spark.batch_size_per_worker=16",
                "--set", "spark.averaging_frequency=2", "--set", "eval.linear_probe.max_iter=30",
                "--set", "eval.random_init_baseline=false", "--set", "output.dir=" + out));
    }

    private static final java.util.regex.Pattern EXECUTOR_PID =
            java.util.regex.Pattern.compile("Started daemon with process name: (\\d+)@");

    /**
     * Checks the log directory of one executor (a standalone worker's executor directory or a YARN container): the
     * executor registered with the driver, ran tasks, and was a JVM of its own; returns its process id.
     */
    static long assertOwnExecutorJvm(Path dir, long driverPid, String logs) throws IOException {
        Path stderr = dir.resolve("stderr");
        String log = Files.exists(stderr) ? Files.readString(stderr) : "";
        String why = dir.getFileName() + ":\n" + tail(stderr, 40) + "\n" + logs;
        org.junit.jupiter.api.Assertions.assertTrue(log.contains("Successfully registered with driver"), why);
        org.junit.jupiter.api.Assertions.assertTrue(log.contains("Finished task"), "the executor ran no task: " + why);
        java.util.regex.Matcher m = EXECUTOR_PID.matcher(log);
        org.junit.jupiter.api.Assertions.assertTrue(m.find(), why);
        long pid = Long.parseLong(m.group(1));
        org.junit.jupiter.api.Assertions.assertNotEquals(driverPid, pid, "an executor in the driver's JVM");
        return pid;
    }

    /** The process id an executor's log directory names, if its JVM got as far as logging it. */
    static java.util.OptionalLong executorPid(Path dir) throws IOException {
        Path stderr = dir.resolve("stderr");
        if (!Files.exists(stderr)) return java.util.OptionalLong.empty();
        java.util.regex.Matcher m = EXECUTOR_PID.matcher(Files.readString(stderr));
        return m.find() ? java.util.OptionalLong.of(Long.parseLong(m.group(1))) : java.util.OptionalLong.empty();
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    static String tail(Path log, int lines) {
        try {
            if (!Files.exists(log)) return "(no " + log + ")";
            List<String> all = Files.readAllLines(log);
            return "--- " + log.getFileName() + " (last " + Math.min(lines, all.size()) + " lines) ---\n"
                    + String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(unreadable " + log + ": " + e + ")";
        }
    }

    /**
     * Stops a process and everything it started (a worker's executors, the driver's children): SIGTERM first so
     * Spark's shutdown hooks run, then SIGKILL for whatever is left. The descendants are listed before the parent
     * goes, since they would no longer be found once re-parented.
     */
    static void stop(Process p) {
        if (p == null) return;
        List<ProcessHandle> all = new ArrayList<>(p.descendants().toList());
        all.add(p.toHandle());
        all.forEach(ProcessHandle::destroy);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        for (ProcessHandle h : all) {
            try {
                h.onExit().get(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (Exception e) {
                h.destroyForcibly();
            }
        }
    }

    static void deleteRecursively(Path dir) throws IOException {
        if (!Files.exists(dir)) return;
        try (Stream<Path> s = Files.walk(dir)) {
            s.sorted(Comparator.reverseOrder()).forEach(f -> {
                try {
                    Files.delete(f);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        }
    }
}
