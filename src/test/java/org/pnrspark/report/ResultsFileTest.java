package org.pnrspark.report;

import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.eval.Evaluation;
import org.pnrspark.eval.FeatureDrift;
import org.pnrspark.testutil.ExternalTools;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * results.json read back: files of older versions of schema 2, what the writer adds to them, and the console's time
 * line made of it.
 */
class ResultsFileTest {
    /** Written before the evaluation's parts, checkpoint_seconds and time_split were recorded. */
    static final Path OLDER = Path.of("src/test/resources/results/written-before-time-split.json");

    private final Storage storage = new Storage(new Configuration());

    @Test
    void anOlderFileReadsWithTheNewFieldsUnknown(@TempDir Path dir) throws IOException {
        Files.copy(OLDER, dir.resolve(ResultsWriter.RESULTS_JSON));
        ResultsFile.Finished read = ResultsFile.read(storage, dir.toString()).finished();
        assertEquals(2, read.tasks().size());
        assertEquals(61.0, read.seconds());
        assertEquals(TimeSplit.NONE, read.timeSplit(), "the earlier sessions' parts are unknown: all of it is other");
        assertEquals(61.0, read.timeSplit().other(read.seconds()));
        for (TaskResult t : read.tasks()) {
            assertTrue(Double.isNaN(t.checkpointSeconds()), "checkpoint_seconds absent: " + t.checkpointSeconds());
            assertTrue(Double.isNaN(t.evaluation().featureSeconds()), "features_seconds absent");
            assertFalse(t.evaluation().drift().measured(), "feature_drift absent");
            assertTrue(Double.isNaN(t.previousTaskDrift(false)));
        }
        assertEquals(14.0, read.tasks().get(1).trainSeconds());
        assertEquals(4.5, read.randomInit().seconds());
    }

    @Test
    void anOlderFileMatchesTheSchema() throws Exception {
        assertEquals("", schemaErrors(OLDER));
    }

    @Test
    void checkpointSecondsAndTimeSplitAreWrittenAndReadBack(@TempDir Path dir) throws Exception {
        RunResult run = runOfTheOlderFile(dir, new TimeSplit(20, 9, 0.75), 0.5);
        String json = ResultsWriter.json(run);
        Path file = dir.resolve(ResultsWriter.RESULTS_JSON);
        Files.writeString(file, json);
        assertEquals("", schemaErrors(file));
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(json);
        assertEquals(61 - 20 - 9 - 0.75, root.get("time_split").get("other").asDouble(), 1e-9);
        assertEquals(List.of("train", "evaluate", "checkpoint", "other"), fieldNames(root.get("time_split")));
        ResultsFile.Finished read = ResultsFile.read(storage, dir.toString()).finished();
        assertEquals(new TimeSplit(20, 9, 0.75), read.timeSplit());
        for (TaskResult t : read.tasks()) assertEquals(0.5, t.checkpointSeconds());
    }

    @Test
    void theFeatureDriftIsWrittenReadBackAndShown(@TempDir Path dir) throws Exception {
        RunResult older = runOfTheOlderFile(dir, TimeSplit.NONE, 0.5);
        List<TaskResult> tasks = new ArrayList<>();
        for (TaskResult t : older.tasks()) {
            Evaluation e = t.evaluation();
            FeatureDrift drift = t.task() == 0 ? FeatureDrift.none(2)
                    : new FeatureDrift(new double[] {0.125, 0.0625}, 0.09375, new double[] {0.25, 0.5}, 0.375, 1.5);
            tasks.add(new TaskResult(t.task(), t.classes(), t.objective(), t.trainImages(), t.epochs(), t.steps(),
                    t.finalLoss(), t.curve(), t.trainSeconds(), t.imagesPerSecond(),
                    new Evaluation(e.scores(), e.seconds(), e.featureSeconds(), drift), t.checkpoint(),
                    t.checkpointSha256(), t.checkpointSeconds(), t.frozenModelSha256()));
        }
        RunResult run = new RunResult(older.config(), older.outputDir(), older.randomInit(), tasks, older.seconds(),
                older.timeSplit(), older.sparkVersion(), older.master(), older.workers());
        Path file = dir.resolve(ResultsWriter.RESULTS_JSON);
        Files.writeString(file, ResultsWriter.json(run));
        assertEquals("", schemaErrors(file));
        List<TaskResult> read = ResultsFile.read(storage, dir.toString()).finished().tasks();
        assertFalse(read.get(0).evaluation().drift().measured());
        assertTrue(Double.isNaN(read.get(0).previousTaskDrift(false)), "task 0 has no previous task");
        FeatureDrift back = read.get(1).evaluation().drift();
        assertArrayEquals(new double[] {0.125, 0.0625}, back.cosine());
        assertArrayEquals(new double[] {0.25, 0.5}, back.cka());
        assertEquals(0.375, back.ckaAll());
        assertEquals(1.5, back.seconds());
        assertEquals(0.125, read.get(1).previousTaskDrift(false));
        assertEquals(0.25, read.get(1).previousTaskDrift(true));
        assertTrue(ResultsTable.accuracyMatrix(run).contains("feature drift of the previous task's test images from "
                + "the previous model (cosine / CKA distance): task 1 0.1250 / 0.2500\n"), ResultsTable.accuracyMatrix(run));
        assertTrue(HtmlReport.run(Files.readString(file), "results.json").contains("<td>0.1250 / 0.2500</td>"));
        // the runs' table gives the mean CKA distance (here of task 1 alone), the measure distillation keeps small
        assertEquals(0.25, run.meanPreviousTaskDrift());
        String table = ResultsTable.comparison(List.of(run));
        assertTrue(table.contains("| 0.2500 |"), table);
    }

    @Test
    void unknownCheckpointSecondsAreWrittenAsNull(@TempDir Path dir) throws Exception {
        RunResult run = runOfTheOlderFile(dir, TimeSplit.NONE, Double.NaN);
        var root = new com.fasterxml.jackson.databind.ObjectMapper().readTree(ResultsWriter.json(run));
        for (var t : root.get("tasks")) assertTrue(t.get("checkpoint_seconds").isNull(), t.toString());
    }

    @Test
    void theTimeLineSplitsTheRunsTimeInPercentsThatAddUpTo100(@TempDir Path dir) throws IOException {
        RunResult run = runOfTheOlderFile(dir, new TimeSplit(26.5, 11, 0.5), 0.25);
        // views: 2 tasks x 2 steps x 2 workers x 16 images x 2 views = 256, over 12.5 + 14 train_seconds
        assertEquals("time: 1m01s = train 27s (43 %) · evaluate 11s (18 %) · checkpoint 1s (1 %) · other 23s (38 %); "
                + "training 10 img/s over the tasks", ResultsTable.timeLine(run));
    }

    @Test
    void wholePercentagesAddUpTo100() {
        assertArrayEquals(new int[] {34, 33, 33}, ResultsTable.wholePercentages(new double[] {1, 1, 1}));
        assertArrayEquals(new int[] {67, 0, 1, 32},
                ResultsTable.wholePercentages(new double[] {66.6, 0.4, 0.6, 32.4}));
        assertArrayEquals(new int[] {0, 0}, ResultsTable.wholePercentages(new double[] {0, 0}));
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 1000; i++) {
            double[] parts = random.doubles(4, 0, 100).toArray();
            assertEquals(100, Arrays.stream(ResultsTable.wholePercentages(parts)).sum(), Arrays.toString(parts));
        }
    }

    /** The run of the older file, with the given time split and every task's checkpoint_seconds. */
    private RunResult runOfTheOlderFile(Path dir, TimeSplit split, double checkpointSeconds) throws IOException {
        Path older = dir.resolve("older");
        Files.createDirectories(older);
        Files.copy(OLDER, older.resolve(ResultsWriter.RESULTS_JSON));
        ResultsFile.Finished read = ResultsFile.read(storage, older.toString()).finished();
        List<TaskResult> tasks = new ArrayList<>();
        for (TaskResult t : read.tasks()) {
            tasks.add(new TaskResult(t.task(), t.classes(), t.objective(), t.trainImages(), t.epochs(), t.steps(),
                    t.finalLoss(), t.curve(), t.trainSeconds(), t.imagesPerSecond(), t.evaluation(), t.checkpoint(),
                    t.checkpointSha256(), checkpointSeconds, t.frozenModelSha256()));
        }
        JobConfig config = ConfigLoader.load(List.of(), List.of("scenario.tasks=2", "spark.batch_size_per_worker=16",
                "continual.strategy=pnr", "output.dir=" + dir));
        return new RunResult(config, dir.toString(), read.randomInit(), tasks, read.seconds(), split, "3.5.1",
                "local[2]", read.workers());
    }

    private static List<String> fieldNames(com.fasterxml.jackson.databind.JsonNode node) {
        List<String> names = new ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** What Debian's python3-jsonschema finds wrong with {@code file} against results.schema.json. */
    static String schemaErrors(Path file) throws Exception {
        String python = ExternalTools.require("/usr/bin/python3", "python3-jsonschema");
        ExternalTools.Result r = ExternalTools.run(List.of(python, "-c", String.join("\n",
                "import json, sys, jsonschema",
                "schema = json.load(open(sys.argv[1]))",
                "v = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())",
                "print('\\n'.join(e.message for e in v.iter_errors(json.load(open(sys.argv[2])))), end='')"),
                Path.of("src/main/resources/results.schema.json").toAbsolutePath().toString(),
                file.toAbsolutePath().toString()), Map.of(), Path.of("."), 120);
        assertEquals(0, r.exitCode(), r.stderr());
        return r.stdout();
    }
}
