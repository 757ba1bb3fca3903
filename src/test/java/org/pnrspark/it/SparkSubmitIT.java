package org.pnrspark.it;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The shaded jar through spark-submit, as a user with a Spark installation runs it: submit/local.sh with
 * Spark's own launcher class (org.apache.spark.deploy.SparkSubmit) on the classpath of a Spark distribution
 * (Spark, Scala, Hadoop and their dependencies, resolved from src/test/spark-distribution/pom.xml). Nothing of
 * the project is on that classpath but the jar given to spark-submit.
 */
class SparkSubmitIT {
    @Test
    void shadedJarRunsUnderSparkSubmit(@TempDir Path dir) throws IOException, InterruptedException {
        Path root = Path.of("").toAbsolutePath();
        Path cpFile = root.resolve("target/spark-distribution-classpath.txt");
        Process resolve = new ProcessBuilder("mvn", "-q", "-B", "-f", "src/test/spark-distribution/pom.xml",
                "dependency:build-classpath", "-Dmdep.outputFile=" + cpFile).directory(root.toFile()).inheritIO().start();
        assertEquals(0, resolve.waitFor(), "resolving the Spark distribution's jars");
        String sparkClasspath = Files.readString(cpFile).trim();
        String flags = org.pnrspark.testutil.ChildJvm.flags();
        String sparkSubmit = System.getProperty("java.home") + "/bin/java " + flags + " -Xmx3g -Dlog4j2.configurationFile=file:"
                + root.resolve("submit/log4j2.properties") + " -cp " + sparkClasspath
                + " org.apache.spark.deploy.SparkSubmit";
        Path out = dir.resolve("run");
        List<String> cmd = new ArrayList<>(List.of("bash", "submit/local.sh", "conf/fmnist-5t.conf"));
        cmd.addAll(List.of("--set", "data.max_train_per_class=30", "--set", "data.max_test_per_class=30",
                "--set", "scenario.tasks=2", "--set", "optim.epochs=1", "--set", "spark.batch_size_per_worker=16",
                "--set", "spark.averaging_frequency=2", "--set", "eval.linear_probe.max_iter=30",
                "--set", "output.dir=" + out));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile()).redirectErrorStream(true)
                .redirectOutput(dir.resolve("console.log").toFile());
        pb.environment().put("SPARK_SUBMIT", sparkSubmit);
        pb.environment().put("MASTER", "local[2]");
        Process p = pb.start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        String console = Files.readString(dir.resolve("console.log"));
        if (!done) p.destroyForcibly();
        assertTrue(done, "spark-submit did not finish in time:\n" + console);
        assertEquals(0, p.exitValue(), console);
        assertTrue(console.contains("Linear-probe accuracy (%), simclr · pnr"), console);
        JsonNode results = new ObjectMapper().readTree(out.resolve("results.json").toFile());
        assertEquals(2, results.get("tasks").size());
        assertEquals("local[2]", results.get("run").get("spark_master").asText());
        assertTrue(Files.isRegularFile(out.resolve("task-1/model.zip")));
    }
}
