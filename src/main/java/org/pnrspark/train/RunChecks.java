package org.pnrspark.train;

import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.TaskSplit;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The checks that need the tasks' sizes and the number of workers. The command line runs them before Spark starts
 * (with the workers a local master or {@code spark.workers} gives), the trainer again with the workers Spark
 * reports, before it writes anything into the output directory.
 */
public final class RunChecks {
    private static final Pattern LOCAL = Pattern.compile("local(?:\\[(\\d+|\\*)(?:,\\s*\\d+)?])?");

    private RunChecks() {}

    /**
     * The number of workers when it is known before Spark starts: {@code spark.workers}, or the cores of a local
     * master (the master spark-submit sets wins over the configured one); 0 when only the cluster knows.
     */
    public static int workersBeforeSpark(JobConfig config) {
        if (config.spark().workers() > 0) return config.spark().workers();
        if (System.getProperty("spark.default.parallelism") != null) return 0;
        Matcher m = LOCAL.matcher(System.getProperty("spark.master", config.spark().master()).trim());
        if (!m.matches()) return 0;
        if (m.group(1) == null) return 1;
        return m.group(1).equals("*") ? Runtime.getRuntime().availableProcessors() : Integer.parseInt(m.group(1));
    }

    /**
     * Checks that every task holds at least one minibatch per worker, and MoCo's queue a whole number of global
     * batches (the reference asserts K % B = 0).
     *
     * @param workers the number of workers, or 0 if not known yet (the task sizes are then checked for one worker)
     */
    public static void check(JobConfig config, List<TaskSplit> tasks, int workers) {
        int batch = config.spark().batchSizePerWorker();
        int known = Math.max(1, workers);
        String global = workers > 0
                ? "spark.workers x spark.batch_size_per_worker = " + workers + " x " + batch + " = " + workers * batch
                : "spark.batch_size_per_worker = " + batch + " (per worker)";
        TaskSplit smallest = null;
        for (TaskSplit task : tasks) {
            if (smallest == null || task.trainIndices().length < smallest.trainIndices().length) smallest = task;
        }
        if (smallest != null && smallest.trainIndices().length < (long) known * batch) {
            int n = smallest.trainIndices().length;
            throw InvalidConfigException.expected("spark.batch_size_per_worker", batch, "",
                    "at most " + n / known + ": task " + smallest.task() + " (" + smallest.description() + ") has "
                    + n + " training images, fewer than one minibatch for each worker, " + global
                    + "; lower the batch size" + (workers > 1 ? " or spark.workers" : ""));
        }
        SslMethod method = Methods.of(config);
        if (workers > 0 && method.queues(0).isPresent()) {
            int size = method.queues(0).get().size();
            if (size % (workers * batch) != 0) {
                throw InvalidConfigException.expected("mocov2plus.queue_size", size, "",
                        "a multiple of the global batch, " + global + " (the reference asserts K % B = 0)");
            }
        }
    }
}
