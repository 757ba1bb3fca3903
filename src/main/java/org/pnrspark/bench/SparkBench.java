package org.pnrspark.bench;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.stats.SparkTrainingStats;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.stats.EventStats;
import org.pnrspark.augment.SampleRandom;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.data.ImageSource;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.Split;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.Networks;
import org.pnrspark.train.BatchPath;
import org.pnrspark.train.SparkSessions;
import org.pnrspark.train.TaskBatchLoader;
import org.pnrspark.train.TrainingPath;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The training path of a real run, timed: averaging rounds of task 1 (so that the frozen previous model runs in
 * the loader when the strategy has one) through SparkComputationGraph with parameter averaging on a given master,
 * with the real loader (read, augment twice, teacher forward) on the configured dataset. Besides images per second
 * it splits the time of a round into what each worker spends computing (forward and backward of the online
 * network), running the teacher, reading and augmenting, and the rest of the round's wall time: Spark's
 * scheduling, the broadcast and serialisation of parameters, and their averaging.
 */
final class SparkBench {
    private SparkBench() {}

    /**
     * Rates and round times are medians over the timed rounds; the split comes from one real round, the one with the
     * median rate (the slower of two). Its parts are fractions of the round's wall time (each worker's time divided
     * by the number of workers, as they run side by side): compute (forward, backward and update of the minibatches),
     * teacher (target networks in the loader), data (read and augment), averaging (the parameters' broadcast, the
     * workers' set-up, the results' serialisation and transfer, their averaging; at most what compute and data
     * leave of the round, which uneven workers' overlap can exceed) and other (the rest: job scheduling,
     * dl4j-spark's count of the round's minibatches, workers waiting for the slowest).
     *
     * @param stepPerForwardBackward a worker's wall time per minibatch over the raw forward and backward time of
     *                               the same graph and minibatch on the driver with a task's threads
     */
    record Row(int workers, double minImagesPerSecond, double medianImagesPerSecond, double maxImagesPerSecond,
            double roundSeconds, double compute, double teacher, double data, double averaging, double other,
            double stepPerForwardBackward, MemoryPeaks.Peaks memory, String kernels, JitWarmup.Summary warmup,
            double concurrencyCeiling, Coordination coordination) {}

    /**
     * The median round's coordination in seconds, from dl4j-spark's statistics: the driver serialising the
     * broadcast, the slowest worker's set-up (reading the broadcast, building its replica), the aggregation's time
     * beyond the slowest worker (the results' serialisation, transfer, deserialisation and sums), the driver's
     * averaging of the sums into the network, and the rest of the round outside compute and data (scheduling).
     */
    record Coordination(double broadcast, double workerSetup, double results, double averaging, double scheduling) {
        String describe() {
            return String.format(java.util.Locale.ROOT, "broadcast %.3f s, worker set-up %.3f s, results %.3f s, "
                    + "averaging %.3f s, scheduling %.3f s", broadcast, workerSetup, results, averaging, scheduling);
        }
    }

    /** How long the concurrency ceiling runs one worker, then all of them, then one again, at most. */
    static final double CEILING_SECONDS = 8;

    /**
     * Times {@code rounds} averaging rounds after warm-up rounds ({@link JitWarmup}, at most {@code warmupSeconds});
     * the session is the caller's.
     *
     * @param rawMs the raw forward and backward times measured so far, by encoder, batch and threads (filled in)
     * @param ceilings the concurrency ceilings measured so far, by encoder, batch, threads and workers (filled in)
     */
    static Row measure(SparkSession spark, JobConfig c, int rounds, double warmupSeconds,
            Map<String, Double> rawMs, Map<String, Double> ceilings) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int workers = TrainingPath.workers(c, sc);
        int batch = c.spark().batchSizePerWorker();
        int frequency = c.spark().averagingFrequency();
        SslMethod method = Methods.of(c);
        ImageAccess imageAccess = ImageAccess.create(sc);
        ImageSource train = ImageSources.get(c, Split.TRAIN, imageAccess.value());
        ComputationGraph previous = Networks.build(method.online(0));
        ComputationGraph online = Networks.build(method.online(1));
        Networks.copyParameters(previous, online);
        Broadcast<ModelSnapshot> frozen = method.usesFrozenModel(1)
                ? sc.broadcast(ModelSnapshot.of(method.frozen(), previous)) : null;
        ComputationGraph momentum = null;
        if (method.momentum().isPresent()) {
            momentum = Networks.build(method.momentum().get().network());
            Networks.copyParameters(online, momentum);
        }
        List<TaskBatchLoader.Target> targets = TrainingPath.teachers(
                momentum == null ? null : sc.broadcast(ModelSnapshot.of(momentum)), frozen, false);
        if (method.queues(1).isPresent()) {
            throw new IllegalArgumentException("the Spark bench does not drive MoCo's queues; bench another method");
        }
        LongAccumulator teacherNanos = sc.sc().longAccumulator("bench teacher ns");
        LongAccumulator dataNanos = sc.sc().longAccumulator("bench data ns");
        TaskBatchLoader loader = new TaskBatchLoader(c, imageAccess, targets).timedBy(dataNanos, teacherNanos);
        ParameterAveragingTrainingMaster master = TrainingPath.master(c, workers, c.run().seed(), true);
        SparkComputationGraph net = new SparkComputationGraph(sc, online, master);
        net.setCollectTrainingStats(true);
        int perRound = workers * frequency;
        int threads = c.spark().threadsPerTask() > 0 ? c.spark().threadsPerTask()
                : Integer.parseInt(sc.getConf().get("spark.task.cpus", "1"));
        int[] images = SampleRandom.shuffled(java.util.stream.IntStream.range(0, train.size()).toArray(),
                SampleRandom.forPurpose(c.run().seed(), "bench", 0, 0));
        double[] rates = new double[rounds];
        double[] seconds = new double[rounds];
        double[][] parts = new double[rounds][];
        Coordination[] coordination = new Coordination[rounds];
        MemoryPeaks memory = MemoryPeaks.start();
        int[] done = {0};
        Runnable round = () -> {
            int r = done[0]++;
            List<String> paths = new ArrayList<>(perRound);
            for (int b = 0; b < perRound; b++) {
                int from = (r * perRound + b) * batch % Math.max(1, train.size() - batch);
                paths.add(new BatchPath(1, 0, b, Arrays.copyOfRange(images, from, from + batch)).encode());
            }
            teacherNanos.reset();
            dataNanos.reset();
            JavaRDD<String> rdd = sc.parallelize(paths, workers);
            sc.setJobDescription(String.format("bench · %d workers · averaging every %d · round %d", workers,
                    frequency, r + 1));
            net.fitPaths(rdd, loader);
            rdd.unpersist(false);
            if (!Double.isFinite(net.getScore())) throw new IllegalStateException("the loss became " + net.getScore());
        };
        // warm-up: the JIT compiler, native kernels, the first broadcast
        JitWarmup.Summary warmup = JitWarmup.run(round, warmupSeconds);
        org.nd4j.linalg.dataset.DataSet first = minibatch(loader, train.size(), batch);
        double raw = rawMs.computeIfAbsent(c.model().encoder().configName() + " " + batch + " " + threads,
                k -> forwardBackwardMs(online, first, threads));
        for (int r = 0; r < rounds; r++) {
            long startMillis = System.currentTimeMillis();
            long start = System.nanoTime();
            round.run();
            double wall = (System.nanoTime() - start) / 1e9;
            Map<String, List<Long>> stats = eventsSince(net.getSparkTrainingStats(), startMillis);
            double perWorker = 1.0 / workers / 1000.0;
            double compute = sum(stats, "WorkerFlatMapProcessMiniBatchTimesMs") * perWorker;
            double teacher = teacherNanos.value() / 1e9 / workers;
            double data = dataNanos.value() / 1e9 / workers;
            // the aggregation runs the round's job: beyond the slowest worker's time it waits for the results
            double broadcast = sum(stats, "ParameterAveragingMasterBroadcastCreateTimesMs") / 1000.0;
            double setup = max(stats, "WorkerFlatMapGetInitialModelTimeMs") / 1000.0;
            double results = Math.max(0, sum(stats, "ParameterAveragingMasterAggregateTimesMs")
                    - max(stats, "WorkerFlatMapTotalTimeMs")) / 1000.0;
            double sums = sum(stats, "ParameterAveragingMasterProcessParamsUpdaterTimesMs") / 1000.0;
            // with uneven workers (a busy machine) one worker's set-up overlaps another's compute, and the parts,
            // the compute averaged over the workers and the set-up the slowest's, can exceed the round: the
            // averaging share is then what is left of it, so that the split still adds up to the wall time
            double averaging = Math.min(broadcast + setup + results + sums, Math.max(0, wall - compute - data));
            double other = Math.max(0, wall - compute - data - averaging);
            rates[r] = 2.0 * perRound * batch / wall;
            seconds[r] = wall;
            coordination[r] = new Coordination(broadcast, setup, results, sums, other);
            parts[r] = new double[] {compute / wall, teacher / wall, (data - teacher) / wall, averaging / wall,
                    other / wall};
        }
        memory.close();
        double ceiling = workers == 1 ? 1.0 : ceilings.computeIfAbsent(c.model().encoder().configName() + " " + batch + " "
                + threads + " " + workers, k -> concurrencyCeiling(online, first, workers, threads,
                Math.min(CEILING_SECONDS, Math.max(1, warmupSeconds / 10))));
        // the rate is the true median; the split must come from one real round: the median one (the slower of two)
        int mid = Repeats.medianIndex(rates);
        double stepMs = 1000.0 * Repeats.median(seconds) / frequency;
        if (frozen != null) frozen.destroy();
        imageAccess.destroy();
        return new Row(workers, Repeats.min(rates), Repeats.median(rates), Repeats.max(rates),
                Repeats.median(seconds), parts[mid][0],
                parts[mid][1], parts[mid][2], parts[mid][3], parts[mid][4], stepMs / raw, memory.peaks(),
                org.pnrspark.model.NativeKernels.describe(online), warmup, ceiling, coordination[mid]);
    }

    /**
     * The raw forward and backward time of the online network on one minibatch the loader builds, on the driver
     * with as many native threads as a training task has: the median of up to five passes after up to two warm-up
     * passes (fewer when passes are long).
     */
    private static double forwardBackwardMs(ComputationGraph online, org.nd4j.linalg.dataset.DataSet minibatch,
            int threads) {
        org.pnrspark.util.NativeThreads.applyForSparkTask(threads);
        ComputationGraph copy = online.clone();
        // warm-up (JIT, oneDNN primitives): two passes or 15 s; then up to five passes or 10 s
        double spent = 0;
        for (int i = 0; i < 2 && spent < 15_000; i++) {
            spent += BenchCommand.forwardBackwardMs(copy, minibatch.getFeatures(), minibatch.getLabels());
        }
        List<Double> passes = new ArrayList<>();
        spent = 0;
        while (passes.size() < 5 && spent < 10_000) {
            passes.add(BenchCommand.forwardBackwardMs(copy, minibatch.getFeatures(), minibatch.getLabels()));
            spent += passes.get(passes.size() - 1);
        }
        double ms = Repeats.median(passes.stream().mapToDouble(Double::doubleValue).toArray());
        // a real run's driver holds no such workspaces: release them before memory is measured
        org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
        org.pnrspark.util.NativeThreads.applyForSparkTask(Runtime.getRuntime().availableProcessors());
        return ms;
    }

    /** The loader's minibatch of the first {@code batch} training images (views and targets), built on the driver. */
    private static org.nd4j.linalg.dataset.DataSet minibatch(TaskBatchLoader loader, int images, int batch) {
        int[] first = java.util.stream.IntStream.range(0, Math.min(batch, images)).toArray();
        String path = new BatchPath(1, 0, 0, first).encode();
        return loader.load(new org.nd4j.common.loader.Source() {
            @Override
            public java.io.InputStream getInputStream() {
                throw new UnsupportedOperationException("a minibatch path names images, not a file");
            }

            @Override
            public String getPath() {
                return path;
            }
        });
    }

    /**
     * What this machine lets {@code workers} concurrent workers gain over one, without Spark: images per second of
     * {@code workers} threads each running forward and backward passes of its own copy of the network (with
     * {@code threads} native threads, as a training task), over that of one such thread alone, each for
     * {@code seconds} after three warm-up passes. On a machine whose cores share their vector units (SMT siblings
     * under a hypervisor) it stays well below {@code workers}, however little Spark adds. One thread is timed before
     * and after the team and the faster of the two counts: with a short warm-up the first timing can be slowed (the
     * JIT compiling the layer kernels on the same cores, most likely), which made one thread look slow and the
     * ceiling exceed the number of cores (2.8 for two workers on two cores).
     */
    static double concurrencyCeiling(ComputationGraph online, org.nd4j.linalg.dataset.DataSet minibatch,
            int workers, int threads, double seconds) {
        double before = concurrentPasses(online, minibatch, 1, threads, seconds);
        double team = concurrentPasses(online, minibatch, workers, threads, seconds);
        double after = concurrentPasses(online, minibatch, 1, threads, seconds);
        return team / Math.max(before, after);
    }

    /** Passes per second of {@code workers} threads together, each on its own copy of the network. */
    private static double concurrentPasses(ComputationGraph online, org.nd4j.linalg.dataset.DataSet minibatch,
            int workers, int threads, double seconds) {
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(workers);
        java.util.concurrent.atomic.AtomicLong passes = new java.util.concurrent.atomic.AtomicLong();
        var failure = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        double[] wall = new double[workers];
        List<Thread> team = new ArrayList<>();
        for (int w = 0; w < workers; w++) {
            int id = w;
            Thread t = new Thread(() -> {
                try {
                    org.pnrspark.util.NativeThreads.applyForSparkTask(threads);
                    ComputationGraph copy = online.clone();
                    for (int i = 0; i < 3; i++) {
                        BenchCommand.forwardBackwardMs(copy, minibatch.getFeatures(), minibatch.getLabels());
                    }
                    start.await();
                    long from = System.nanoTime(), until = from + (long) (seconds * 1e9);
                    long n = 0;
                    while (System.nanoTime() < until) {
                        BenchCommand.forwardBackwardMs(copy, minibatch.getFeatures(), minibatch.getLabels());
                        n++;
                    }
                    wall[id] = (System.nanoTime() - from) / 1e9;
                    passes.addAndGet(n);
                    org.nd4j.linalg.factory.Nd4j.getWorkspaceManager().destroyAllWorkspacesForCurrentThread();
                } catch (Throwable e) {
                    failure.compareAndSet(null, e);
                    start.reset();
                }
            }, "bench-worker-" + w);
            team.add(t);
            t.start();
        }
        for (Thread t : team) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while measuring concurrent workers", e);
            }
        }
        if (failure.get() != null) throw new IllegalStateException("a concurrent worker failed", failure.get());
        return passes.get() / java.util.Arrays.stream(wall).max().orElse(seconds);
    }

    /** A fresh session on the given master for each master in turn (one SparkContext per JVM at a time). */
    static SparkSession session(JobConfig c) {
        SparkSession.getActiveSession().foreach(s -> {
            if (!s.sparkContext().master().equals(c.spark().master())) s.stop();
            return null;
        });
        // dl4j-spark's statistics time events with an NTP clock by default, which needs the network: the system
        // clock instead, in this JVM and in executor JVMs of their own (local-cluster, a cluster's)
        String clock = "-D" + TIME_SOURCE + "=org.deeplearning4j.spark.time.SystemClockTimeSource";
        System.setProperty(TIME_SOURCE, "org.deeplearning4j.spark.time.SystemClockTimeSource");
        String executorOptions = System.getProperty("spark.executor.extraJavaOptions", "");
        if (!executorOptions.contains(clock)) {
            System.setProperty("spark.executor.extraJavaOptions", (executorOptions + " " + clock).trim());
        }
        return SparkSessions.create(c, "bench");
    }

    private static final String TIME_SOURCE = "org.deeplearning4j.spark.time.TimeSource";

    /**
     * The durations (ms) of each statistic's events that started at or after {@code sinceMillis}, from this object or
     * the ones nested in it (dl4j-spark merges the workers' statistics into the master's, so a statistic may appear
     * at two levels: the one with more events is the whole).
     */
    private static Map<String, List<Long>> eventsSince(SparkTrainingStats stats, long sinceMillis) {
        Map<String, List<Long>> out = new HashMap<>();
        for (SparkTrainingStats s = stats; s != null; s = s.getNestedTrainingStats()) {
            for (String key : s.getKeySet()) {
                List<Long> durations = new ArrayList<>();
                List<EventStats> events = s.getValue(key);
                if (events != null) {
                    for (EventStats e : events) if (e.getStartTime() >= sinceMillis) durations.add(e.getDurationMs());
                }
                out.merge(key.toLowerCase(java.util.Locale.ROOT), durations, (a, b) -> a.size() >= b.size() ? a : b);
            }
        }
        return out;
    }

    private static List<Long> events(Map<String, List<Long>> stats, String name) {
        List<Long> events = stats.get(name.toLowerCase(java.util.Locale.ROOT));
        if (events == null) {
            throw new IllegalStateException("dl4j-spark collected no " + name + " (it has " + stats.keySet() + ")");
        }
        return events;
    }

    private static double sum(Map<String, List<Long>> stats, String name) {
        return events(stats, name).stream().mapToLong(Long::longValue).sum();
    }

    private static double max(Map<String, List<Long>> stats, String name) {
        return events(stats, name).stream().mapToLong(Long::longValue).max().orElse(0);
    }
}
