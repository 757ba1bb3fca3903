package org.pnrspark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * submit/pnr-local under Spark's local-cluster master, with no Spark installation: the script lays one out from the
 * build's jars (target/local-spark-home), and the master's in-process workers start two executor JVMs from it, as
 * a cluster's would; every round's parameters, the frozen model, the Hadoop configuration through which executors
 * read the dataset's files, and the features cross process boundaries.
 */
class LocalClusterIT {
    private static final String MASTER = "local-cluster[2,1,1536]";

    @Test
    void pnrLocalRunsTwoExecutorJvms(@TempDir Path dir) throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath();
        Path work = root.resolve("target/local-spark-home/work");
        Set<Path> before = new HashSet<>(apps(work));
        Path out = dir.resolve("run");
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/pnr-local", "train", "--conf", "conf/fmnist-5t.conf"));
        cmd.addAll(SparkDistribution.tinyJobSettings(out));
        // the dataset's files, not the bundled sample: executors of their own must reach them through the
        // driver's Hadoop configuration, as they reach HDFS on a cluster
        cmd.addAll(List.of("--set", "spark.master=" + MASTER,
                "--set", "data.root=" + org.pnrspark.testutil.TestData.fashionMnist()));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile());
        pb.environment().remove("SPARK_HOME");
        pb.environment().put("PNR_JAVA_OPTS", "-Xmx2g");
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        Process p = pb.start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        String console = Files.readString(dir.resolve("console.log"));
        if (!done) SparkDistribution.stop(p);
        assertTrue(done, "pnr-local did not finish in time:\n" + console);
        assertEquals(0, p.exitValue(), console);
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(MASTER, results.get("run").get("spark_master").asText());
        assertEquals(2, results.get("run").get("workers").asInt(), "replicas: one per executor");
        assertEquals(2, results.get("tasks").size());

        List<Path> apps = new ArrayList<>(apps(work));
        apps.removeAll(before);
        assertEquals(1, apps.size(), "one new application under " + work + ": " + apps);
        List<Path> executors;
        try (Stream<Path> s = Files.list(apps.get(0))) {
            executors = s.filter(Files::isDirectory).sorted().toList();
        }
        assertEquals(2, executors.size(), "executor directories " + executors);
        Set<Long> pids = new HashSet<>();
        for (Path e : executors) pids.add(SparkDistribution.assertOwnExecutorJvm(e, p.pid(), console));
        assertEquals(2, pids.size(), "two executor JVMs, not one");
        assertFalse(pids.contains(ProcessHandle.current().pid()));
    }

    private static List<Path> apps(Path work) throws IOException {
        if (!Files.isDirectory(work)) return List.of();
        try (Stream<Path> s = Files.list(work)) {
            return s.filter(a -> a.getFileName().toString().startsWith("app-")).toList();
        }
    }
}
