package org.pnrspark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.hdfs.MiniDFSCluster;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.io.TempDir;
import org.pnrspark.cli.Main;
import org.pnrspark.testutil.MiniHdfs;
import org.pnrspark.testutil.SparkTestSession;
import org.pnrspark.util.Storage;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One job at a time in an output directory, on the local file system and on HDFS (an in-process MiniDFS): a second
 * job is refused naming the holder and writes nothing; a lock left by a job that is gone (not refreshed for the
 * stale time, a process on this host that has exited, an earlier YARN attempt of the same application) is taken
 * over, and the job it was taken from finds out. ResumeAndFaultsTest runs two real jobs on one directory and
 * resumes after a SIGKILL.
 */
class OutputLockTest {
    private static final Duration STALE = Duration.ofSeconds(300);

    @TempDir
    static java.nio.file.Path tmp;
    private static MiniDFSCluster hdfs;
    private static final Storage STORAGE = new Storage(new Configuration());

    @BeforeAll
    static void startHdfs() throws IOException {
        hdfs = MiniHdfs.start(tmp.resolve("hdfs"));
    }

    @AfterAll
    static void stopHdfs() {
        if (hdfs != null) hdfs.shutdown();
    }

    static Stream<String> roots() {
        return Stream.of(tmp.resolve("local").toUri().toString(), MiniHdfs.uri(hdfs) + "/locks");
    }

    private static OutputLock acquire(String dir, OutputLock.Holder who, List<String> log) throws IOException {
        return OutputLock.acquire(STORAGE, dir, who, STALE, Clock.systemUTC(), log::add);
    }

    private static OutputLock.Holder holder(String application, String attempt, String host, long pid) {
        return new OutputLock.Holder(application, attempt, host, pid, Instant.parse("2026-12-01T10:00:00Z"),
                java.util.UUID.randomUUID().toString());
    }

    @ParameterizedTest
    @MethodSource("roots")
    void aSecondJobIsRefusedNamingTheHolderUntilTheFirstEnds(String root) throws IOException {
        String dir = root + "/refused";
        String file = Storage.child(dir, OutputLock.FILE);
        List<String> log = new ArrayList<>();
        try (OutputLock first = acquire(dir, OutputLock.Holder.of("application_1_0001", "1"), log)) {
            OutputLockedException e = assertThrows(OutputLockedException.class,
                    () -> acquire(dir, OutputLock.Holder.of("application_2_0001", "1"), log));
            String host = java.net.InetAddress.getLocalHost().getHostName();
            assertTrue(e.getMessage().startsWith("output.dir " + dir + " is in use by application "
                    + "application_1_0001 (attempt 1) on host " + host + " (process " + ProcessHandle.current().pid()
                    + "), started 20"), e.getMessage());
            assertTrue(e.getMessage().contains("(lock " + new Path(file) + ")"), e.getMessage());
            assertFalse(e.getMessage().contains("\n"), "one line");
            assertTrue(log.isEmpty(), "nothing taken over: " + log);
            assertDoesNotThrow(first::ensureHeld);
        }
        assertFalse(STORAGE.exists(file), "released at the end");
        acquire(dir, OutputLock.Holder.of("application_2_0001", "1"), log).close();
        assertTrue(log.isEmpty(), "a released lock is taken, not taken over: " + log);
    }

    @ParameterizedTest
    @MethodSource("roots")
    void aLockNotRefreshedForTheStaleTimeIsTakenOverAndItsHolderFindsOut(String root) throws IOException {
        String dir = root + "/stale";
        Path file = new Path(Storage.child(dir, OutputLock.FILE));
        List<String> log = new ArrayList<>();
        OutputLock first = acquire(dir, OutputLock.Holder.of("application_1_0001", "1"), log);
        var fs = file.getFileSystem(STORAGE.conf());
        long mtime = fs.getFileStatus(file).getModificationTime();
        first.refresh();
        assertTrue(fs.getFileStatus(file).getModificationTime() >= mtime, "a refresh moves the time on");
        // the holder stopped refreshing 301 s ago
        fs.setTimes(file, System.currentTimeMillis() - STALE.plusSeconds(1).toMillis(), -1);
        try (OutputLock second = acquire(dir, OutputLock.Holder.of("application_2_0001", "1"), log)) {
            assertEquals(1, log.size(), log.toString());
            assertTrue(log.get(0).contains("not refreshed for 301 s, more than output.lock_stale_seconds = 300"),
                    log.get(0));
            first.refresh();
            OutputLockedException e = assertThrows(OutputLockedException.class, first::ensureHeld);
            assertTrue(e.getMessage().contains("taken over by application application_2_0001"), e.getMessage());
            first.close();
            assertTrue(fs.exists(file), "the job that lost the lock leaves the new holder's alone");
            assertDoesNotThrow(second::ensureHeld);
        }
        assertFalse(fs.exists(file));
    }

    @ParameterizedTest
    @MethodSource("roots")
    void aLockOfAProcessOnThisHostThatHasExitedIsTakenOverOneThatRunsIsNot(String root) throws Exception {
        String dir = root + "/exited";
        String file = Storage.child(dir, OutputLock.FILE);
        String host = OutputLock.Holder.of("x", "").host();
        Process running = new ProcessBuilder("sleep", "60").start();
        try {
            STORAGE.writeString(file, holder("local-1", "", host, running.pid()).text());
            List<String> log = new ArrayList<>();
            OutputLockedException e = assertThrows(OutputLockedException.class,
                    () -> acquire(dir, OutputLock.Holder.of("local-2", ""), log));
            assertTrue(e.getMessage().contains("(process " + running.pid() + ")"), e.getMessage());
            running.destroyForcibly().waitFor();
            try (OutputLock lock = acquire(dir, OutputLock.Holder.of("local-2", ""), log)) {
                assertTrue(log.get(0).contains("its process " + running.pid() + " on this host has exited"),
                        log.get(0));
            }
        } finally {
            running.destroyForcibly();
        }
    }

    @ParameterizedTest
    @MethodSource("roots")
    void aRestartedAttemptOfTheSameApplicationTakesItsLockOver(String root) throws IOException {
        String dir = root + "/attempts";
        String file = Storage.child(dir, OutputLock.FILE);
        // the first attempt's driver ran on another node; its lock is fresh
        STORAGE.writeString(file, holder("application_7_0001", "1", "node-a", 4242).text());
        List<String> log = new ArrayList<>();
        assertThrows(OutputLockedException.class,
                () -> acquire(dir, OutputLock.Holder.of("application_8_0001", "2"), log));
        assertThrows(OutputLockedException.class,
                () -> acquire(dir, OutputLock.Holder.of("application_7_0001", ""), log));
        try (OutputLock lock = acquire(dir, OutputLock.Holder.of("application_7_0001", "2"), log)) {
            assertEquals(List.of("output lock: taking over " + new Path(file) + " from application application_7_0001 "
                    + "(attempt 1) on host node-a (process 4242), started 2026-12-01T10:00:00Z (an earlier attempt "
                    + "of this application)"), log);
        }
    }

    /** `train` on a directory another job holds: exit code 2, one line naming the holder, nothing written. */
    @ParameterizedTest
    @MethodSource("roots")
    void trainOnAHeldDirectoryStopsNamingTheHolderAndWritesNothing(String root) throws IOException {
        SparkTestSession.get();
        String dir = root + "/train";
        try (OutputLock other = acquire(dir, OutputLock.Holder.of("application_1_0001", "1"), new ArrayList<>())) {
            String file = Storage.child(dir, OutputLock.FILE);
            String lockText = STORAGE.readString(file);
            ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
            int code = Main.run(new String[] {"train", "--conf", "conf/fmnist-5t.conf", "--set", "output.dir=" + dir,
                    "--set", "scenario.tasks=2", "--set", "data.max_train_per_class=20",
                    "--set", "data.max_test_per_class=10", "--set", "spark.batch_size_per_worker=8"},
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            String message = err.toString(StandardCharsets.UTF_8);
            assertEquals(2, code, message + out);
            assertTrue(message.startsWith("error: output.dir " + STORAGE.qualify(dir) + " is in use by application "
                    + "application_1_0001 (attempt 1) on host "), message);
            assertEquals(1, message.lines().count(), message);
            assertEquals(List.of(OutputLock.FILE), STORAGE.list(dir), "nothing written");
            assertEquals(lockText, STORAGE.readString(file), "the holder's lock untouched");
        }
    }
}
