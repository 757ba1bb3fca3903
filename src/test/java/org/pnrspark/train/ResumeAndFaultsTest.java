package org.pnrspark.train;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.hadoop.conf.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.cli.Main;
import org.pnrspark.testutil.ChildJvm;
import org.pnrspark.testutil.SparkTestSession;
import org.pnrspark.util.Storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A run survives what a long job on a shared cluster meets, shown on MoCo v2+ with PNR (online network, momentum
 * target, frozen model and both queues all carried): a Spark task attempt that fails mid-epoch is retried; a driver
 * killed mid-task (the job runs in a child JVM) resumes from its last epoch checkpoint without retraining finished
 * tasks, and ends with exactly the results of an uninterrupted run; a second job on the running job's directory is
 * refused, and the lock the killed job left behind does not block the resume; a corrupt checkpoint and a different
 * configuration are refused; a NaN loss stops the task and keeps the last good checkpoint.
 */
class ResumeAndFaultsTest {
    private static final List<String> TINY = List.of("--conf", "conf/fmnist-5t-mocov2plus.conf",
            "--set", "scenario.tasks=2", "--set", "optim.epochs=3", "--set", "data.max_train_per_class=40",
            "--set", "data.max_test_per_class=20", "--set", "spark.batch_size_per_worker=16",
            "--set", "spark.averaging_frequency=2", "--set", "mocov2plus.queue_size=64",
            "--set", "mocov2plus.proj_hidden_dim=64", "--set", "mocov2plus.proj_output_dim=32",
            "--set", "mocov2plus.distill_proj_hidden_dim=64", "--set", "eval.linear_probe.max_iter=30",
            "--set", "spark.workers=2");

    @TempDir
    static Path dir;
    private static JsonNode uninterrupted;

    /** The run every other one is compared with, in this JVM. */
    @BeforeAll
    static void runUninterrupted() throws IOException {
        SparkTestSession.get();
        Path out = dir.resolve("uninterrupted");
        Result r = inProcess(out);
        assertEquals(0, r.code, r.err);
        uninterrupted = results(out);
    }

    @Test
    void killedDriverResumesFromItsLastEpochCheckpointWithTheSameResults() throws Exception {
        Path out = dir.resolve("killed");
        Path console = dir.resolve("killed-1.log");
        // the first attempt also loses a Spark task attempt mid-epoch: local[2,2] lets Spark retry it once
        Process job = childJvm(out, console, "--set", "spark.master=local[2,2]",
                "--set", "fault.fail_attempt.task=0", "--set", "fault.fail_attempt.epoch=1",
                "--set", "fault.fail_attempt.round=0");
        String log;
        Result second;
        try {
            log = waitFor(job, console, "task 2/2 · epoch 2/3");
            // a second job on the running job's directory stops at once, naming the holder
            second = inProcess(out);
        } finally {
            job.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
        }
        assertEquals(2, second.code, second.err + second.out);
        assertTrue(second.err.matches("error: output\\.dir \\S+ is in use by application local-\\d+ on host \\S+ "
                + "\\(process " + job.pid() + "\\), started \\S+, refreshed \\d+ s ago \\(lock \\S+run\\.lock\\); .*\n"),
                second.err);
        assertTrue(Files.exists(out.resolve(OutputLock.FILE)), "the killed job left its lock behind");
        assertTrue(log.contains("fault.fail_attempt: attempt 0"), "the injected failure happened:\n" + log);
        JsonNode beforeResume = results(out);
        assertEquals(1, beforeResume.get("tasks").size(), "task 1 was finished before the kill");
        assertTrue(Files.isDirectory(out.resolve("task-1/epoch-1")) || Files.isDirectory(out.resolve("task-1/epoch-2")),
                "an epoch checkpoint of task 2 exists");
        String task0Sha = Files.readString(out.resolve("task-0/model.zip.sha256"));

        // a copy with a truncated task checkpoint is refused before anything is trained
        Path corrupt = dir.resolve("corrupt");
        copyTree(out, corrupt);
        byte[] model = Files.readAllBytes(corrupt.resolve("task-0/model.zip"));
        Files.write(corrupt.resolve("task-0/model.zip"), java.util.Arrays.copyOf(model, model.length / 2));
        Result refused = inProcess(corrupt);
        assertEquals(2, refused.code, refused.err);
        assertTrue(refused.err.contains("task-0/model.zip is corrupt or truncated"), refused.err);

        // the same directory with another configuration is refused, naming the key, unless --force
        Result other = inProcess(out, "--set", "optim.lr=0.5");
        assertEquals(2, other.code, other.err);
        assertTrue(other.err.contains("optim.lr: 0.05 → 0.5"), other.err);

        Path console2 = dir.resolve("killed-2.log");
        Process resumed = childJvm(out, console2);
        boolean finished;
        try {
            finished = resumed.waitFor(5, TimeUnit.MINUTES);
        } finally {
            resumed.destroyForcibly();
        }
        assertTrue(finished, "the resumed run finishes:\n" + Files.readString(console2));
        String log2 = Files.readString(console2);
        assertEquals(0, resumed.exitValue(), log2);
        assertTrue(log2.contains("resuming: task 1 finished"), log2);
        assertTrue(log2.contains("output lock: taking over"), log2);
        assertTrue(log2.contains("(its process " + job.pid() + " on this host has exited)"), log2);
        assertFalse(Files.exists(out.resolve(OutputLock.FILE)), "the resumed job released its lock at the end");
        assertTrue(log2.matches("(?s).*task 2/2: resuming after epoch [12]/3 from .*task-1/epoch-[12].*"), log2);
        assertFalse(log2.contains("task 1/2 · epoch"), "task 1 is not retrained:\n" + log2);
        assertEquals(task0Sha, Files.readString(out.resolve("task-0/model.zip.sha256")));
        assertFalse(Files.exists(out.resolve("task-1/epoch-3")), "epoch checkpoints are removed once the task is done");

        JsonNode resumedResults = results(out);
        assertEquals(uninterrupted.get("accuracy_matrix"), resumedResults.get("accuracy_matrix"));
        assertEquals(uninterrupted.get("knn_accuracy_matrix"), resumedResults.get("knn_accuracy_matrix"));
        for (String key : List.of("accuracy", "accuracy_all", "knn_accuracy", "knn_accuracy_all")) {
            assertEquals(uninterrupted.get("random_init").get(key), resumedResults.get("random_init").get(key), key);
        }
        for (int t = 0; t < 2; t++) {
            JsonNode a = uninterrupted.get("tasks").get(t), b = resumedResults.get("tasks").get(t);
            for (String entry : List.of("coefficients.bin", "updaterState.bin")) {
                assertTrue(java.util.Arrays.equals(zipEntry(dir.resolve("uninterrupted/task-" + t + "/model.zip"), entry),
                        zipEntry(out.resolve("task-" + t + "/model.zip"), entry)), "task " + t + ": the same " + entry);
            }
            assertEquals(a.get("final_loss"), b.get("final_loss"));
            assertEquals(a.get("steps"), b.get("steps"));
            for (int e = 0; e < 3; e++) {
                assertEquals(a.get("curve").get(e).get("loss"), b.get("curve").get(e).get("loss"), "task " + t + " epoch " + e);
                assertEquals(a.get("curve").get(e).get("loss_terms"), b.get("curve").get(e).get("loss_terms"));
            }
        }

        // the resumed attempt added its parts to the killed one's: of task 2 only the epochs it trained itself, as
        // total_seconds has none of the killed attempt's time after task 1
        JsonNode split = resumedResults.get("time_split"), splitBefore = beforeResume.get("time_split");
        JsonNode task2 = resumedResults.get("tasks").get(1);
        double total = resumedResults.get("total_seconds").asDouble();
        assertEquals(splitBefore.get("evaluate").asDouble() + task2.get("eval_seconds").asDouble(),
                split.get("evaluate").asDouble(), 1e-9 * total, split.toString());
        assertEquals(splitBefore.get("checkpoint").asDouble() + task2.get("checkpoint_seconds").asDouble(),
                split.get("checkpoint").asDouble(), 1e-9 * total, split.toString());
        double trainedHere = split.get("train").asDouble() - splitBefore.get("train").asDouble();
        assertTrue(trainedHere > 0 && trainedHere < task2.get("train_seconds").asDouble(), split + " " + task2);
        assertEquals(total, split.get("train").asDouble() + split.get("evaluate").asDouble()
                + split.get("checkpoint").asDouble() + split.get("other").asDouble(), 1e-6 * total, split.toString());

        // a finished run is not trained again
        Result again = inProcess(out);
        assertEquals(0, again.code, again.err);
        assertTrue(again.out.contains("nothing left to train"), again.out);
        JsonNode splitAgain = results(out).get("time_split");
        for (String part : List.of("train", "evaluate", "checkpoint")) {
            assertEquals(split.get(part), splitAgain.get(part), part + " of a run found finished");
        }
    }

    /**
     * Resuming at a task boundary reads the finished task's checkpoint, momentum target and queues; and --force
     * starts over once per Spark application, so the same command run again by the same application (a restarted
     * driver) resumes.
     */
    @Test
    void resumesAtATaskBoundaryAndForceStartsOverOncePerApplication() throws IOException {
        Path out = dir.resolve("boundary");
        Files.createDirectories(out.resolve("task-0"));
        Files.writeString(out.resolve("results.json"), "{ \"left\": \"by another run\" }");
        Result stopped = inProcess(out, "--force", "--set", "fault.nan_input.task=1", "--set", "fault.nan_input.round=0");
        assertEquals(1, stopped.code, stopped.err);
        assertTrue(stopped.err.contains("task 2/2, epoch 1/3, round 1/3: the loss is NaN"), stopped.err);
        assertFalse(Files.exists(out.resolve("task-1/epoch-1")), "no epoch of task 2 was finished");
        Result resumed = inProcess(out, "--force");
        assertEquals(0, resumed.code, resumed.err);
        assertTrue(resumed.out.contains("resuming: task 1 finished"), resumed.out);
        assertFalse(resumed.out.contains("task 1/2 · epoch"), resumed.out);
        JsonNode r = results(out);
        assertEquals(uninterrupted.get("accuracy_matrix"), r.get("accuracy_matrix"));
        assertEquals(uninterrupted.get("tasks").get(1).get("final_loss"), r.get("tasks").get(1).get("final_loss"));
    }

    @Test
    void nanLossStopsTheTaskAndKeepsTheLastGoodCheckpoint() throws IOException {
        Path out = dir.resolve("nan");
        Result r = inProcess(out, "--set", "fault.nan_input.task=0", "--set", "fault.nan_input.epoch=1",
                "--set", "fault.nan_input.round=1", "--set", "eval.random_init_baseline=false");
        assertEquals(1, r.code, r.out + r.err);
        assertTrue(r.err.contains("task 1/2, epoch 2/3, round 2/3: the loss is NaN"), r.err);
        assertTrue(r.err.matches("(?s).*the last good checkpoint is \\S*/nan/task-0/epoch-1\\b.*"), r.err);
        Storage storage = new Storage(new Configuration());
        String epoch1 = out.resolve("task-0/epoch-1").toString();
        Checkpoints.readVerified(storage, epoch1 + "/model.zip", Long.MAX_VALUE);
        assertFalse(Files.exists(out.resolve("task-0/epoch-2")), "nothing of the diverged epoch was saved");
        assertFalse(Files.exists(out.resolve("task-0/model.zip")));
    }

    @Test
    void truncatedEpochCheckpointIsRefusedNotSkipped() throws IOException {
        Path out = dir.resolve("epoch-corrupt");
        Result r = inProcess(out, "--set", "fault.nan_input.task=0",
                "--set", "fault.nan_input.epoch=2", "--set", "eval.random_init_baseline=false");
        assertEquals(1, r.code, r.err);
        Path queues = out.resolve("task-0/epoch-2/queues.bin");
        Files.write(queues, new byte[] {1, 2, 3});
        Result resumed = inProcess(out, "--set", "eval.random_init_baseline=false");
        assertEquals(2, resumed.code, resumed.err);
        assertTrue(resumed.err.contains("task-0/epoch-2/queues.bin is corrupt or truncated"), resumed.err);
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.readVerified(
                new Storage(new Configuration()), queues.toString(), Long.MAX_VALUE));
        assertTrue(e.getMessage().contains("3 bytes read"), e.getMessage());
    }

    /**
     * A checkpoint file and its checksum are two writes; what commits them comes after both (state.json for an epoch
     * checkpoint, the task's entry in results.json for a task checkpoint). A crash between the two leaves files that
     * nothing commits: resume ignores them, trains from the last committed state and writes them again.
     */
    @Test
    void aCrashBetweenACheckpointAndItsChecksumIsRedoneOnResume() throws IOException {
        Path out = dir.resolve("crash-between");
        Result stopped = inProcess(out, "--set", "fault.nan_input.task=1", "--set", "fault.nan_input.epoch=2");
        assertEquals(1, stopped.code, stopped.err);
        assertTrue(Files.isRegularFile(out.resolve("task-1/epoch-2/state.json")), "task 2's second epoch is committed");
        // the crash: epoch 3's model written, not its checksum nor state.json; the task's model written, not its
        // checksum nor its row in results.json
        Files.createDirectories(out.resolve("task-1/epoch-3"));
        Files.copy(out.resolve("task-1/epoch-2/model.zip"), out.resolve("task-1/epoch-3/model.zip"));
        Files.copy(out.resolve("task-1/epoch-2/model.zip"), out.resolve("task-1/model.zip"));
        assertEquals(1, results(out).get("tasks").size());

        Result resumed = inProcess(out);
        assertEquals(0, resumed.code, resumed.err);
        assertTrue(resumed.out.contains("task 2/2: resuming after epoch 2/3"), resumed.out);
        JsonNode r = results(out);
        assertEquals(uninterrupted.get("accuracy_matrix"), r.get("accuracy_matrix"));
        assertTrue(java.util.Arrays.equals(zipEntry(dir.resolve("uninterrupted/task-1/model.zip"), "coefficients.bin"),
                zipEntry(out.resolve("task-1/model.zip"), "coefficients.bin")), "the same parameters as uninterrupted");
        Checkpoints.readVerified(new Storage(new Configuration()), out.resolve("task-1/model.zip").toString(),
                Long.MAX_VALUE);
        assertFalse(Files.exists(out.resolve("task-1/epoch-3")), "the uncommitted epoch directory is gone");
    }

    /** A committed file that does not verify is refused with its name, never skipped or retrained silently. */
    @Test
    void corruptStateOrMomentumTargetIsRefusedByName() throws IOException {
        Path out = dir.resolve("state-corrupt");
        String[] args = {"--set", "fault.nan_input.task=1", "--set", "fault.nan_input.epoch=2",
                "--set", "eval.random_init_baseline=false"};
        Result stopped = inProcess(out, args);
        assertEquals(1, stopped.code, stopped.err);
        Path state = out.resolve("task-1/epoch-2/state.json");
        String good = Files.readString(state);

        Files.writeString(state, good.substring(0, good.length() / 2));
        Result truncated = inProcess(out, "--set", "eval.random_init_baseline=false");
        assertEquals(2, truncated.code, truncated.err);
        assertTrue(truncated.err.contains("task-1/epoch-2/state.json cannot be read"), truncated.err);
        assertFalse(truncated.err.contains("\tat "), truncated.err);

        Files.writeString(state, good.replace("\"epochs_done\" : 2", "\"epochs_done\" : 1"));
        Result inconsistent = inProcess(out, "--set", "eval.random_init_baseline=false");
        assertEquals(2, inconsistent.code, inconsistent.err);
        assertTrue(inconsistent.err.contains("task-1/epoch-2/state.json: expected format 1 and epochs_done 2"),
                inconsistent.err);

        Files.writeString(state, good);
        Path momentum = out.resolve("task-0/momentum.zip");
        byte[] bytes = Files.readAllBytes(momentum);
        bytes[bytes.length / 2] ^= 1;
        Files.write(momentum, bytes);
        Result flipped = inProcess(out, "--set", "eval.random_init_baseline=false");
        assertEquals(2, flipped.code, flipped.err);
        assertTrue(flipped.err.contains("task-0/momentum.zip is corrupt or truncated"), flipped.err);
        assertTrue(Files.isRegularFile(state) && Files.isRegularFile(out.resolve("task-1/epoch-2/model.zip")),
                "a refused resume removes nothing");
    }

    private record Result(int code, String out, String err) {}

    private static Result inProcess(Path out, String... extra) {
        List<String> args = new ArrayList<>(List.of("train"));
        args.addAll(TINY);
        args.addAll(List.of("--set", "output.dir=" + out));
        args.addAll(List.of(extra));
        ByteArrayOutputStream o = new ByteArrayOutputStream(), e = new ByteArrayOutputStream();
        int code = Main.run(args.toArray(String[]::new), new PrintStream(o, true, StandardCharsets.UTF_8),
                new PrintStream(e, true, StandardCharsets.UTF_8));
        return new Result(code, o.toString(StandardCharsets.UTF_8), e.toString(StandardCharsets.UTF_8));
    }

    /** The job as a user starts it: its own JVM, console (stdout and stderr) into a file. */
    private static Process childJvm(Path out, Path console, String... extra) throws IOException {
        Path root = Path.of("").toAbsolutePath();
        List<String> cmd = ChildJvm.command("-Xmx2g",
                "-Dlog4j2.configurationFile=" + root.resolve("submit/log4j2.properties"),
                "-cp", System.getProperty("java.class.path"), "org.pnrspark.cli.Main", "train");
        cmd.addAll(TINY);
        cmd.addAll(List.of("--set", "output.dir=" + out));
        cmd.addAll(List.of(extra));
        return new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(console.toFile()).start();
    }

    private static String waitFor(Process p, Path console, String line) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(5);
        while (System.nanoTime() < deadline) {
            String log = Files.exists(console) ? Files.readString(console) : "";
            if (log.contains(line)) return log;
            if (!p.isAlive()) throw new AssertionError("the job ended before \"" + line + "\":\n" + log);
            Thread.sleep(200);
        }
        p.destroyForcibly();
        throw new AssertionError("no \"" + line + "\" within 5 minutes:\n" + Files.readString(console));
    }

    private static byte[] zipEntry(Path zip, String name) throws IOException {
        try (java.util.zip.ZipFile z = new java.util.zip.ZipFile(zip.toFile())) {
            return z.getInputStream(z.getEntry(name)).readAllBytes();
        }
    }

    private static JsonNode results(Path out) throws IOException {
        return new ObjectMapper().readTree(out.resolve("results.json").toFile());
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> files = Files.walk(from)) {
            for (Path f : (Iterable<Path>) files::iterator) {
                Path target = to.resolve(from.relativize(f).toString());
                if (Files.isDirectory(f)) Files.createDirectories(target);
                else Files.copy(f, target);
            }
        }
    }
}
