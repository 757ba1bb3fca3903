package org.pnrspark.bench;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.util.LongAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.api.Repartition;
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
     * Medians over the timed rounds; the parts are fractions of the round's wall time (each worker's time divided
     * by the number of workers, as they run side by side).
     */
    record Row(int workers, double minImagesPerSecond, double medianImagesPerSecond, double maxImagesPerSecond,
            double roundSeconds, double compute, double teacher, double data, double rest) {}

    /** Times {@code rounds} averaging rounds after one warm-up round; the session is the caller's. */
    static Row measure(SparkSession spark, JobConfig c, int rounds) {
        // dl4j-spark's statistics time events with an NTP clock by default, which needs the network; one JVM here
        System.setProperty("org.deeplearning4j.spark.time.TimeSource",
                "org.deeplearning4j.spark.time.SystemClockTimeSource");
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int workers = c.spark().workers() > 0 ? c.spark().workers() : sc.defaultParallelism();
        int batch = c.spark().batchSizePerWorker();
        int frequency = c.spark().averagingFrequency();
        SslMethod method = Methods.of(c);
        ImageAccess hadoop = ImageAccess.create(sc);
        ImageSource train = ImageSources.get(c, Split.TRAIN, hadoop.value());
        ComputationGraph previous = Networks.build(method.online(0));
        ComputationGraph online = Networks.build(method.online(1));
        Networks.copyParameters(previous, online);
        List<TaskBatchLoader.Target> targets = new ArrayList<>();
        Broadcast<ModelSnapshot> frozen = null;
        if (method.usesFrozenModel(1)) {
            frozen = sc.broadcast(ModelSnapshot.of(method.frozen(), previous));
            targets.add(new TaskBatchLoader.Target(frozen, false));
        }
        ComputationGraph momentum = null;
        if (method.momentum().isPresent()) {
            momentum = Networks.build(method.momentum().get().network());
            Networks.copyParameters(online, momentum);
            targets.add(0, new TaskBatchLoader.Target(sc.broadcast(ModelSnapshot.of(momentum)), true));
        }
        if (method.queues(1).isPresent()) {
            throw new IllegalArgumentException("the Spark bench does not drive MoCo's queues; bench another method");
        }
        LongAccumulator teacherNanos = sc.sc().longAccumulator("bench teacher ns");
        LongAccumulator dataNanos = sc.sc().longAccumulator("bench data ns");
        TaskBatchLoader loader = new TaskBatchLoader(c, hadoop, targets).timedBy(dataNanos, teacherNanos);
        ParameterAveragingTrainingMaster master = new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch).averagingFrequency(frequency).saveUpdater(true)
                .workerPrefetchNumBatches(0).repartionData(Repartition.Never).rngSeed(c.run().seed())
                .collectTrainingStats(true).build();
        SparkComputationGraph net = new SparkComputationGraph(sc, online, master);
        net.setCollectTrainingStats(true);
        int perRound = workers * frequency;
        int[] images = SampleRandom.shuffled(java.util.stream.IntStream.range(0, train.size()).toArray(),
                SampleRandom.forPurpose(c.run().seed(), "bench", 0, 0));
        double[] rates = new double[rounds];
        double[] seconds = new double[rounds];
        double[][] parts = new double[rounds][];
        Map<String, Double> before = Map.of();
        for (int r = -1; r < rounds; r++) {
            List<String> paths = new ArrayList<>(perRound);
            for (int b = 0; b < perRound; b++) {
                int from = ((r + 1) * perRound + b) * batch % Math.max(1, train.size() - batch);
                paths.add(new BatchPath(1, 0, b, Arrays.copyOfRange(images, from, from + batch)).encode());
            }
            teacherNanos.reset();
            dataNanos.reset();
            JavaRDD<String> rdd = sc.parallelize(paths, workers);
            sc.setJobDescription(String.format("bench · %d workers · averaging every %d · round %d", workers,
                    frequency, r + 1));
            long start = System.nanoTime();
            net.fitPaths(rdd, loader);
            double wall = (System.nanoTime() - start) / 1e9;
            rdd.unpersist(false);
            if (!Double.isFinite(net.getScore())) throw new IllegalStateException("the loss became " + net.getScore());
            // dl4j-spark's statistics may accumulate over fits: this round's part is the difference
            Map<String, Double> total = sumsMs(net.getSparkTrainingStats());
            Map<String, Double> stats = new HashMap<>();
            for (var e : total.entrySet()) {
                double earlier = before.getOrDefault(e.getKey(), 0.0);
                stats.put(e.getKey(), e.getValue() >= earlier ? e.getValue() - earlier : e.getValue());
            }
            before = total;
            if (r < 0) continue; // warm-up: JIT, native kernels, first broadcast
            double perWorker = 1.0 / workers / 1000.0;
            double minibatchSeconds = stat(stats, "WorkerFlatMapProcessMiniBatchTimesMs") * perWorker;
            double teacher = teacherNanos.value() / 1e9 / workers;
            double data = dataNanos.value() / 1e9 / workers;
            rates[r] = 2.0 * perRound * batch / wall;
            seconds[r] = wall;
            parts[r] = new double[] {minibatchSeconds / wall, teacher / wall, (data - teacher) / wall,
                    Math.max(0, wall - minibatchSeconds - data) / wall};
        }
        if (frozen != null) frozen.destroy();
        hadoop.destroy();
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        int mid = median(rates);
        return new Row(workers, sorted[0], rates[mid], sorted[sorted.length - 1], seconds[mid], parts[mid][0],
                parts[mid][1], parts[mid][2], parts[mid][3]);
    }

    /** A fresh session on the given master for each master in turn (one SparkContext per JVM at a time). */
    static SparkSession session(JobConfig c) {
        SparkSession.getActiveSession().foreach(s -> {
            if (!s.sparkContext().master().equals(c.spark().master())) s.stop();
            return null;
        });
        return SparkSessions.create(c, "bench");
    }

    /** Index of the round with the median rate. */
    private static int median(double[] xs) {
        Integer[] order = new Integer[xs.length];
        for (int i = 0; i < xs.length; i++) order[i] = i;
        Arrays.sort(order, (a, b) -> Double.compare(xs[a], xs[b]));
        return order[xs.length / 2];
    }

    /**
     * The sum of the durations of each statistic, from this object or the ones nested in it (dl4j-spark merges the
     * workers' statistics into the master's, so a statistic may appear at two levels: the larger is the whole).
     */
    private static Map<String, Double> sumsMs(SparkTrainingStats stats) {
        Map<String, Double> out = new HashMap<>();
        for (SparkTrainingStats s = stats; s != null; s = s.getNestedTrainingStats()) {
            for (String key : s.getKeySet()) {
                double sum = 0;
                List<EventStats> events = s.getValue(key);
                if (events != null) for (EventStats e : events) sum += e.getDurationMs();
                out.merge(key, sum, Math::max);
            }
        }
        return out;
    }

    private static double stat(Map<String, Double> stats, String name) {
        for (var e : stats.entrySet()) if (e.getKey().equalsIgnoreCase(name)) return e.getValue();
        throw new IllegalStateException("dl4j-spark collected no " + name + " (it has " + stats.keySet() + ")");
    }
}
