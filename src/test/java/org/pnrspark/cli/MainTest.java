package org.pnrspark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.testutil.Cli;
import org.pnrspark.train.SparkSessions;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pnrspark.testutil.Cli.run;

/** The command line: bad input is reported in one line, with exit code 2, before Spark starts. */
class MainTest {
    @Test
    void badConfigurationStopsBeforeSparkStarts() {
        int sessions = SparkSessions.requested();
        Cli.Outcome o = run("train", "--conf", "conf/fmnist-5t.conf", "--set", "optim.lr=-1");
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("error: Invalid configuration: optim.lr: got -1"), o.err());
        assertEquals(sessions, SparkSessions.requested(), "Spark was not asked for a session");
    }

    @Test
    void aBatchLargerThanATaskStopsBeforeSparkStartsAndWritesNothing(@TempDir Path dir) {
        int sessions = SparkSessions.requested();
        Path out = dir.resolve("run");
        // the bundled sample: 2000 training images per task
        Cli.Outcome o = run("train", "--conf", "conf/fmnist-5t.conf", "--set", "spark.batch_size_per_worker=100000",
                "--set", "output.dir=" + out, "--strategies", "finetune,pnr");
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().startsWith("error: Invalid configuration: spark.batch_size_per_worker: got 100000"), o.err());
        assertTrue(o.err().contains("at most 1000") && o.err().contains("2000 training images"), o.err());
        assertFalse(o.err().contains("\tat "), "no stack trace: " + o.err());
        assertEquals(sessions, SparkSessions.requested(), "Spark was not asked for a session");
        assertFalse(Files.exists(out), "nothing written");
        // a MoCo queue that is no whole number of global batches, known before Spark from spark.workers
        o = run("train", "--conf", "conf/fmnist-5t-mocov2plus.conf", "--set", "spark.workers=2",
                "--set", "spark.batch_size_per_worker=48", "--set", "output.dir=" + out);
        assertEquals(2, o.code(), o.err());
        assertTrue(o.err().contains("mocov2plus.queue_size: got 1024") && o.err().contains("2 x 48 = 96"), o.err());
        assertEquals(sessions, SparkSessions.requested());
        assertFalse(Files.exists(out));
    }

    @Test
    void anUnexpectedFailureIsOneLineWithItsTraceInAFile() throws Exception {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        int code = Main.unexpected(new IllegalStateException("boom", new ArithmeticException("deep")),
                new java.io.PrintStream(bytes, true, java.nio.charset.StandardCharsets.UTF_8));
        String err = bytes.toString(java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(1, code);
        assertTrue(err.startsWith("error: java.lang.IllegalStateException: boom\n"), err);
        assertFalse(err.contains("\tat "), err);
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("the stack trace is in (\\S+)\\)").matcher(err);
        assertTrue(m.find(), err);
        String trace = Files.readString(Path.of(m.group(1)));
        assertTrue(trace.contains("Caused by: java.lang.ArithmeticException: deep") && trace.contains("\tat "), trace);
        Files.delete(Path.of(m.group(1)));
    }

    @Test
    void unreadableDataPath(@TempDir Path dir) {
        Cli.Outcome o = run("train", "--conf", "conf/fmnist-5t.conf", "--set", "data.root=" + dir.resolve("missing"));
        assertEquals(2, o.code());
        assertTrue(o.err().contains("data.root") && o.err().contains("missing"), o.err());
    }

    @Test
    void missingConfigFileAndUnknownArguments() {
        Cli.Outcome o = run("train", "--conf", "conf/does-not-exist.conf");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("does-not-exist.conf"), o.err());
        o = run("train", "--epochs", "3");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("unknown argument \"--epochs\""), o.err());
        o = run("fly");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("unknown command \"fly\""), o.err());
        o = run("train", "--strategies", "finetune,ewc");
        assertEquals(2, o.code());
        assertTrue(o.err().contains("continual.strategy"), o.err());
    }

    @Test
    void validatePrintsTheEffectiveConfiguration() {
        Cli.Outcome o = run("validate", "--conf", "conf/fmnist-5t.conf", "--set", "optim.epochs=9");
        assertEquals(0, o.code(), o.err());
        assertTrue(o.out().contains("epochs=9") || o.out().contains("epochs = 9"), o.out());
        assertTrue(run("--help").out().contains("usage: pnr-spark"));
    }
}
