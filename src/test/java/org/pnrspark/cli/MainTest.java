package org.pnrspark.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.testutil.Cli;

import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pnrspark.testutil.Cli.run;

/** The command line: bad input is reported in one line, with exit code 2, before Spark starts. */
class MainTest {
    @Test
    void badConfigurationStopsBeforeSparkStarts() {
        var before = org.apache.spark.SparkContext$.MODULE$.getActive();
        Cli.Outcome o = run("train", "--conf", "conf/fmnist-5t.conf", "--set", "optim.lr=-1");
        assertEquals(2, o.code());
        assertTrue(o.err().startsWith("error: Invalid configuration: optim.lr: got -1"), o.err());
        assertEquals(before, org.apache.spark.SparkContext$.MODULE$.getActive(), "no Spark context was started");
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
