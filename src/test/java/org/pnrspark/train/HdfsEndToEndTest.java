package org.pnrspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.testutil.RandomInitBaseline;
import org.pnrspark.testutil.TestData;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.InputStream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Data read from and every output written to a real (in-process) HDFS. */
class HdfsEndToEndTest {
    private static MiniDFSCluster cluster;
    private static String base;

    @BeforeAll
    static void startHdfs(@TempDir java.nio.file.Path dir) throws IOException {
        cluster = org.pnrspark.testutil.MiniHdfs.start(dir);
        base = org.pnrspark.testutil.MiniHdfs.uri(cluster);
        FileSystem fs = cluster.getFileSystem();
        for (String name : new String[] {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"}) {
            fs.copyFromLocalFile(new Path(TestData.fashionMnist().resolve(name).toString()),
                    new Path("/datasets/fashion-mnist/" + name));
        }
    }

    @AfterAll
    static void stopHdfs() {
        if (cluster != null) cluster.shutdown();
    }

    @Test
    void trainsFromHdfsAndWritesResultsThere() throws IOException {
        String out = base + "/runs/hdfs-test";
        String[] args = EndToEndTest.args(java.nio.file.Path.of("unused"), "--set",
                "data.root=" + base + "/datasets/fashion-mnist", "--set", "output.dir=" + out,
                "--set", "optim.epochs=1", "--set", "continual.strategy=cassle");
        // the first attempt stops in task 1 (a NaN loss), after task 0's checkpoint and results are on HDFS
        java.util.List<String> failing = new java.util.ArrayList<>(java.util.List.of(args));
        failing.addAll(java.util.List.of("--set", "fault.nan_input.task=1", "--set", "fault.nan_input.round=1"));
        java.io.ByteArrayOutputStream err = new java.io.ByteArrayOutputStream();
        assertEquals(1, org.pnrspark.cli.Main.run(failing.toArray(String[]::new),
                new java.io.PrintStream(new java.io.ByteArrayOutputStream()), new java.io.PrintStream(err, true)));
        assertTrue(err.toString().contains("the loss is NaN"), err.toString());
        // the second resumes on HDFS: task 0 is read back (checkpoint verified), task 1 is trained
        String console = EndToEndTest.run(args);
        assertTrue(console.contains("resuming: task 1 finished"), console);
        assertFalse(console.contains("task 1/2 · epoch"), "task 0 is not retrained:\n" + console);
        Storage hdfs = new Storage(new Configuration());
        for (String f : new String[] {"results.json", "accuracy.csv", "knn_accuracy.csv", "curves.csv", "report.html",
                "config.conf", "task-0/model.zip",
                "task-0/model.zip.sha256", "task-1/model.zip", "task-1/config.conf"}) {
            assertTrue(hdfs.isFile(out + "/" + f), f + " on HDFS");
        }
        String recorded = hdfs.readString(out + "/task-1/model.zip.sha256").split(" ")[0];
        assertEquals(hdfs.sha256(out + "/task-1/model.zip"), recorded);
        JsonNode results;
        try (InputStream in = hdfs.open(out + "/results.json")) {
            results = new ObjectMapper().readTree(in);
        }
        assertEquals(base + "/datasets/fashion-mnist", results.get("run").get("data_root").asText());
        assertEquals(2, results.get("tasks").size());
        RandomInitBaseline.assertNotBelow(results, "on HDFS");
        assertTrue(hdfs.readString(out + "/report.html").contains("<svg"), "the report on HDFS");
        // compare reads runs from HDFS too
        String html = base + "/runs/compare.html";
        EndToEndTest.run("compare", out, "--out", html);
        assertTrue(hdfs.readString(html).contains("cassle"));
        assertFalse(hdfs.list(out + "/task-0").stream().anyMatch(n -> n.contains(".tmp-")), "no temporary files left");
    }
}
