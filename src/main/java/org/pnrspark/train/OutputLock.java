package org.pnrspark.train;

import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileAlreadyExistsException;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.RawLocalFileSystem;
import org.pnrspark.util.Storage;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.StringReader;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One job at a time in an output directory: the file {@value #FILE} in it, created exclusively (Hadoop's
 * {@code create} with overwrite off, atomic on HDFS and on a local file system) before the job writes anything
 * there (on a local file system, the operating system's exclusive create), its modification time refreshed while
 * the job runs, and deleted at the end. It names its holder
 * (application id and attempt, host, process id, start time).
 *
 * <p>A lock left by a job that is gone does not block the next one, which takes it over when
 * <ul>
 * <li>it was not refreshed for {@code output.lock_stale_seconds} (its job stopped without removing it);</li>
 * <li>its process ran on this host and has exited (a local job killed with SIGKILL); or</li>
 * <li>it belongs to an earlier attempt of this same application (a driver that YARN restarted).</li>
 * </ul>
 * A holder that finds its lock gone or taken over stops at its next checkpoint ({@link #ensureHeld}).
 */
public final class OutputLock implements AutoCloseable {
    public static final String FILE = "run.lock";

    /** Who holds a lock; {@code attempt} is "" outside YARN's cluster mode. */
    public record Holder(String application, String attempt, String host, long pid, Instant started, String token) {
        /** This process, running the Spark application {@code application} (attempt {@code attempt} or ""). */
        public static Holder of(String application, String attempt) {
            return new Holder(application, attempt == null ? "" : attempt, localHost(),
                    ProcessHandle.current().pid(), Instant.now(), UUID.randomUUID().toString());
        }

        String text() {
            return "application=" + application + "\nattempt=" + attempt + "\nhost=" + host + "\npid=" + pid
                    + "\nstarted=" + started + "\ntoken=" + token + "\n";
        }

        static Holder parse(String text) {
            Properties p = new Properties();
            try {
                p.load(new StringReader(text));
                return new Holder(p.getProperty("application", "?"), p.getProperty("attempt", ""),
                        p.getProperty("host", "?"), Long.parseLong(p.getProperty("pid", "-1")),
                        Instant.parse(p.getProperty("started", Instant.EPOCH.toString())), p.getProperty("token", ""));
            } catch (IOException | RuntimeException e) {
                return new Holder("?", "", "?", -1, Instant.EPOCH, ""); // unreadable: only its age counts
            }
        }

        String describe() {
            return "application " + application + (attempt.isEmpty() ? "" : " (attempt " + attempt + ")")
                    + " on host " + host + " (process " + pid + "), started " + started;
        }
    }

    private final FileSystem fs;
    private final Path file;
    private final Holder holder;
    private final ScheduledExecutorService refresher;
    private volatile String lost;

    private OutputLock(FileSystem fs, Path file, Holder holder, Duration refreshEvery) {
        this.fs = fs;
        this.file = file;
        this.holder = holder;
        this.refresher = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "pnr-output-lock");
            t.setDaemon(true);
            return t;
        });
        long ms = Math.max(1, refreshEvery.toMillis());
        refresher.scheduleWithFixedDelay(this::refresh, ms, ms, TimeUnit.MILLISECONDS);
    }

    /**
     * Takes the lock of {@code dir} for {@code me}, or takes over one left by a job that is gone (said on
     * {@code log}); refreshed every sixth of {@code staleAfter} until {@link #close}.
     *
     * @throws OutputLockedException if another job holds it
     */
    public static OutputLock acquire(Storage storage, String dir, Holder me, Duration staleAfter, Clock clock,
            Consumer<String> log) throws IOException {
        Path file = new Path(Storage.child(dir, FILE));
        FileSystem fs = file.getFileSystem(storage.conf());
        if (fs instanceof LocalFileSystem local) fs = local.getRaw(); // no .crc file next to the lock
        fs.mkdirs(file.getParent());
        for (int tries = 0; tries < 3; tries++) {
            if (createExclusively(fs, file, me)) return new OutputLock(fs, file, me, staleAfter.dividedBy(6));
            FileStatus status;
            Holder other;
            try {
                status = fs.getFileStatus(file);
                other = Holder.parse(read(fs, file));
            } catch (FileNotFoundException e) {
                continue; // released in between: try again
            }
            Duration age = Duration.ofMillis(Math.max(0, clock.millis() - status.getModificationTime()));
            String gone = gone(other, me, age, staleAfter);
            if (gone == null) throw new OutputLockedException(dir, file.toString(), other.describe(), age);
            log.accept(String.format("output lock: taking over %s from %s (%s)", file, other.describe(), gone));
            // only the lock just read is removed: a job that took it over meanwhile keeps its own
            if (Holder.parse(read(fs, file)).token().equals(other.token())) fs.delete(file, false);
        }
        throw new IOException("could not create the lock file " + file + " (it keeps reappearing)");
    }

    /** Why the holder of the lock is gone, or null if it may still be running. */
    static String gone(Holder other, Holder me, Duration age, Duration staleAfter) {
        if (age.compareTo(staleAfter) > 0) {
            return "not refreshed for " + age.toSeconds() + " s, more than output.lock_stale_seconds = "
                    + staleAfter.toSeconds();
        }
        if (other.application().equals(me.application()) && !me.attempt().isEmpty()
                && !other.attempt().equals(me.attempt())) {
            return "an earlier attempt of this application";
        }
        if (other.host().equals(me.host()) && other.pid() != me.pid() && other.pid() > 0
                && ProcessHandle.of(other.pid()).isEmpty()) {
            return "its process " + other.pid() + " on this host has exited";
        }
        return null;
    }

    private static boolean createExclusively(FileSystem fs, Path file, Holder me) throws IOException {
        byte[] text = me.text().getBytes(StandardCharsets.UTF_8);
        if (fs instanceof RawLocalFileSystem local) {
            // Hadoop's local create checks for the file, then opens it: the operating system's exclusive create
            try {
                Files.write(local.pathToFile(file).toPath(), text, StandardOpenOption.CREATE_NEW,
                        StandardOpenOption.WRITE);
                return true;
            } catch (java.nio.file.FileAlreadyExistsException e) {
                return false;
            }
        }
        FSDataOutputStream out;
        try {
            out = fs.create(file, false);
        } catch (FileAlreadyExistsException e) {
            return false;
        } catch (IOException e) {
            // some file systems say "already exists" with a plain IOException
            if (fs.exists(file)) return false;
            throw e;
        }
        try (out) {
            out.write(text);
        }
        return true;
    }

    private static String read(FileSystem fs, Path file) throws IOException {
        try (var in = fs.open(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** Moves the lock's modification time to now, after checking it is still this job's. */
    void refresh() {
        if (lost != null) return;
        try {
            Holder now = Holder.parse(read(fs, file));
            if (!now.token().equals(holder.token())) {
                lost = "taken over by " + now.describe();
                return;
            }
            fs.setTimes(file, System.currentTimeMillis(), -1);
        } catch (FileNotFoundException e) {
            lost = "its file was removed";
        } catch (IOException e) {
            // the file system is unavailable for a moment: the next refresh tries again
        }
    }

    /** Stops the job if its lock is no longer its own (removed, or taken over after it went stale). */
    public void ensureHeld() {
        if (lost != null) {
            throw new OutputLockedException("lost the lock " + file + " of the output directory: " + lost
                    + "; this job stops so that two jobs do not write the same directory");
        }
    }

    /** Stops refreshing and removes the lock if it is still this job's. */
    @Override
    public void close() throws IOException {
        refresher.shutdownNow();
        try {
            if (Holder.parse(read(fs, file)).token().equals(holder.token())) fs.delete(file, false);
        } catch (FileNotFoundException e) {
            // already gone
        }
    }

    private static String localHost() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (IOException e) {
            return "unknown-host";
        }
    }
}
