package org.pnrspark.util;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.apache.spark.SparkEnv;
import org.nd4j.linalg.factory.Nd4j;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Threads of ND4J's native kernels per Spark task. Each training or feature-extraction task uses as many threads
 * as Spark reserves CPUs for it (spark.task.cpus), unless spark.threads_per_task says otherwise: local[2] then
 * runs two single-threaded replicas instead of two replicas fighting over the same two cores (about 25 % faster
 * on 2 cores). The thread count changes the order of floating-point reductions in oneDNN, so it is part of what
 * makes a run reproducible.
 *
 * <p>oneDNN runs on OpenMP, whose thread count is per calling thread (the OMP_NUM_THREADS environment variable
 * sets it for every thread of the process). ND4J offers no call for it, so it is set through the very libgomp that
 * ND4J loaded (found in /proc/self/maps), once per Spark task thread.
 */
public final class NativeThreads {
    private static final Logger LOG = LoggerFactory.getLogger(NativeThreads.class);
    private static final ThreadLocal<Integer> APPLIED = new ThreadLocal<>();
    private static volatile Optional<Gomp> gomp;

    /** The one libgomp entry point needed. */
    public interface Gomp extends Library {
        void omp_set_num_threads(int n);
    }

    private NativeThreads() {}

    /** Sets the thread count of the calling thread's native kernels (free when already set). */
    public static void applyForSparkTask(int configured) {
        int n = configured > 0 ? configured : taskCpus();
        Integer current = APPLIED.get();
        if (current != null && current == n) return;
        Nd4j.getEnvironment().setMaxThreads(n);
        openMp().ifPresent(g -> g.omp_set_num_threads(n));
        APPLIED.set(n);
    }

    /**
     * The native thread count of the calling thread: what {@link #applyForSparkTask} last set on it, else ND4J's
     * process-wide maximum. pnr-spark's own Java kernels split their work into as many parts.
     */
    public static int current() {
        Integer applied = APPLIED.get();
        return applied != null ? applied : Math.max(1, Nd4j.getEnvironment().maxThreads());
    }

    private static int taskCpus() {
        SparkEnv env = SparkEnv.get();
        return env == null ? Runtime.getRuntime().availableProcessors()
                : Math.max(1, env.conf().getInt("spark.task.cpus", 1));
    }

    private static Optional<Gomp> openMp() {
        Optional<Gomp> g = gomp;
        if (g != null) return g;
        synchronized (NativeThreads.class) {
            if (gomp != null) return gomp;
            Nd4j.getEnvironment(); // makes sure ND4J's native libraries (and their libgomp) are loaded
            Optional<Gomp> found = Optional.empty();
            try {
                Optional<String> path = Files.readAllLines(Path.of("/proc/self/maps")).stream()
                        .map(line -> line.substring(line.lastIndexOf(' ') + 1))
                        .filter(p -> p.contains("/libgomp.so")).findFirst();
                if (path.isPresent()) found = Optional.of(Native.loadLibrary(path.get(), Gomp.class));
            } catch (Exception | LinkageError e) {
                LOG.debug("cannot reach libgomp; OpenMP threads follow OMP_NUM_THREADS", e);
            }
            if (found.isEmpty()) LOG.info("libgomp not found: native threads follow OMP_NUM_THREADS");
            gomp = found;
            return found;
        }
    }
}
