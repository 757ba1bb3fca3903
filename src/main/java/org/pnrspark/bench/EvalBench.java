package org.pnrspark.bench;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.data.ImageSource;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.Split;
import org.pnrspark.eval.FeatureBlock;
import org.pnrspark.eval.FeatureExtraction;
import org.pnrspark.eval.FeatureSet;
import org.pnrspark.eval.KnnClassifier;
import org.pnrspark.eval.LinearProbe;
import org.pnrspark.method.Methods;
import org.pnrspark.model.BatchNormFolding;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.Networks;
import org.pnrspark.train.SparkSessions;
import org.pnrspark.train.TrainingPath;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * {@code bench --eval}: what an evaluation after a task costs, part by part, on the configured dataset's full splits:
 * the features of every training and test image from the randomly initialised encoder (through Spark, twice: the
 * first pass of a JVM and a later one), then k-NN and the fast linear probe (on the driver and by MLlib) on them,
 * each repeated.
 */
final class EvalBench {
    static final String USAGE = """
            usage: pnr-spark bench --eval [--conf FILE] [--set KEY=VALUE] [--repeats 3]

            Extracts the features of every training and test image of the configured dataset (e.g. --set
            data.root=/usr/share/datasets/fashion-mnist for the full Fashion-MNIST) with the randomly initialised
            encoder through Spark (spark.master), twice, and times each pass; then times k-NN and the fast linear
            probe (fitted on the driver, and by Spark MLlib) on those features --repeats times each, and prints
            seconds (min / median / max), the accuracy on all test images and the cores the JVM kept busy meanwhile
            (its CPU time over the wall time), and how many test images the two probes predict alike.
            """;

    private EvalBench() {}

    record Options(List<String> confs, List<String> sets, int repeats) {}

    static int run(String[] args, PrintStream out, PrintStream err) {
        Options o;
        JobConfig config;
        try {
            o = parse(args);
            List<ConfigLoader.Source> sources = new ArrayList<>();
            for (String f : o.confs()) sources.add(ConfigLoader.readLocalFile(f));
            config = ConfigLoader.load(sources, o.sets());
        } catch (IllegalArgumentException | InvalidConfigException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        SparkSession spark = SparkSessions.create(config, "bench --eval");
        try {
            measure(spark, config, o.repeats(), out);
        } finally {
            spark.stop();
        }
        return 0;
    }

    private static void measure(SparkSession spark, JobConfig c, int repeats, PrintStream out) {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        int workers = TrainingPath.workers(c, sc);
        ImageAccess imageAccess = ImageAccess.create(sc);
        ImageSource trainImages = ImageSources.get(c, Split.TRAIN, imageAccess.value());
        ImageSource testImages = ImageSources.get(c, Split.TEST, imageAccess.value());
        int numClasses = c.data().numClasses();
        Broadcast<ModelSnapshot> encoder = sc.broadcast(BatchNormFolding.featureExtractor(c,
                Networks.build(Methods.of(c).online(0))));
        out.printf(Locale.ROOT, "bench --eval: %s, %d training / %d test images, %s encoder at random init, %s, "
                        + "%d workers, eval.batch_size %d; seconds min / median / max over %d repeats%n",
                c.data().dataset().configName(), trainImages.size(), testImages.size(), c.model().encoder().configName(),
                sc.master(), workers, c.eval().batchSize(), repeats);
        JavaRDD<FeatureBlock> trainBlocks = null, testBlocks = null;
        FeatureSet train = null, test = null;
        double[] passes = new double[2];
        for (int pass = 0; pass < 2; pass++) {
            if (trainBlocks != null) {
                trainBlocks.unpersist();
                testBlocks.unpersist();
            }
            sc.setJobDescription("bench --eval · features, pass " + (pass + 1));
            long start = System.nanoTime();
            // kept for the MLlib probe, as an evaluation keeps them when the probe runs there
            trainBlocks = FeatureExtraction.blocks(sc, c, imageAccess, encoder, Split.TRAIN, trainImages.size(), workers)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            testBlocks = FeatureExtraction.blocks(sc, c, imageAccess, encoder, Split.TEST, testImages.size(), workers)
                    .persist(StorageLevel.MEMORY_AND_DISK());
            train = FeatureSet.collect(trainBlocks, trainImages.size());
            test = FeatureSet.collect(testBlocks, testImages.size());
            passes[pass] = (System.nanoTime() - start) / 1e9;
        }
        out.printf(Locale.ROOT, "%-34s %8.2f s (first pass in this JVM), %.2f s (second)%n",
                "features " + train.size() + " + " + test.size() + " x " + train.dim(), passes[0], passes[1]);
        out.printf(Locale.ROOT, "%-34s %8s %8s %8s %9s %6s%n", "", "min", "median", "max", "accuracy", "cores");
        int[] testLabels = test.labels();
        FeatureSet trainSet = train, testSet = test;
        sc.setJobDescription("bench --eval · k-NN");
        row(out, "k-NN (k " + c.eval().knn().k() + ")", repeats, testLabels, () -> KnnClassifier.predict(trainSet,
                testSet, numClasses, c.eval().knn().k(), c.eval().knn().temperature()));
        int[] driver = row(out, "linear probe, driver (" + c.eval().probeMaxIter() + " iter)", repeats, testLabels,
                () -> LinearProbe.predict(trainSet, testSet, c.eval()));
        Dataset<Row> trainRows = FeatureExtraction.frame(spark, trainBlocks);
        Dataset<Row> testRows = FeatureExtraction.frame(spark, testBlocks);
        sc.setJobDescription("bench --eval · linear probe, MLlib");
        int[] mllib = row(out, "linear probe, MLlib (" + c.eval().probeMaxIter() + " iter)", repeats, testLabels,
                () -> LinearProbe.predictWithMllib(trainRows, testRows, testSet.size(), c.eval()));
        int same = 0;
        for (int i = 0; i < driver.length; i++) if (driver[i] == mllib[i]) same++;
        out.printf(Locale.ROOT, "the two probes' predictions: %d of %d identical%n", same, driver.length);
        sc.setJobDescription(null);
        out.println("measured on this machine as it was: other work sharing its cores slows every figure");
        encoder.destroy();
        imageAccess.destroy();
    }

    /**
     * Runs {@code predict} {@code repeats} times and prints its seconds, the accuracy of its last answer and the
     * cores it kept busy (the process's CPU time over the wall time, all repeats together).
     */
    private static int[] row(PrintStream out, String name, int repeats, int[] labels, Supplier<int[]> predict) {
        double[] seconds = new double[repeats];
        int[] predicted = null;
        long cpuStart = processCpuNanos(), wallStart = System.nanoTime();
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            predicted = predict.get();
            seconds[r] = (System.nanoTime() - start) / 1e9;
        }
        double cores = (double) (processCpuNanos() - cpuStart) / (System.nanoTime() - wallStart);
        int correct = 0;
        for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) correct++;
        out.printf(Locale.ROOT, "%-34s %8.2f %8.2f %8.2f %8.2f%% %6.2f%n", name, Repeats.min(seconds),
                Repeats.median(seconds), Repeats.max(seconds), 100.0 * correct / labels.length, cores);
        out.flush();
        return predicted;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
                .getOperatingSystemMXBean()).getProcessCpuTime();
    }

    static Options parse(String[] args) {
        List<String> confs = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        int repeats = 3;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--eval" -> { }
                case "--conf" -> confs.add(BenchArgs.value(args, ++i, a));
                case "--set" -> sets.add(BenchArgs.value(args, ++i, a));
                case "--repeats" -> repeats = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                default -> throw new IllegalArgumentException("unknown argument \"" + a + "\"");
            }
        }
        return new Options(confs, sets, repeats);
    }
}
