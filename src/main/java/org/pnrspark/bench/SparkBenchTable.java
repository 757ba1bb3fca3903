package org.pnrspark.bench;

import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.DatasetKind;
import org.pnrspark.config.JobConfig;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench --spark}: {@link SparkBench}'s rows for every encoder, master, batch and averaging frequency, each
 * round's coordination in parts, and the scaling model's coefficients fitted through rows at several worker counts
 * (docs/performance.md, "How far it scales").
 */
final class SparkBenchTable {
    private SparkBenchTable() {}

    /** bench --spark: the training path through Spark, per master and averaging frequency, with the time split. */
    static int run(BenchCommand.Options o, List<ConfigLoader.Source> sources, JobConfig base, PrintStream out) {
        out.printf(Locale.ROOT, "bench --spark: task 1 of %s x %s through Spark (real loader, parameter averaging); "
                        + "%d timed rounds after warm-up rounds; img/s min / median / max over the "
                        + "rounds; the split is of the median round's wall time%n",
                base.method().name(), base.continual().strategy().configName(), o.repeats());
        out.printf(Locale.ROOT, "%-15s %-8s %5s %-9s %4s %9s %9s %9s %8s %8s %8s %8s %9s %8s %8s %10s %10s %10s %8s%n",
                "encoder", "input", "batch", "master", "avg", "img/s min", "median", "max", "s/round", "compute",
                "teacher", "data", "averaging", "other", "step/raw", "peak heap", "native", "RSS", "ceiling");
        org.apache.spark.sql.SparkSession spark = null;
        java.nio.file.Path cifar = null;
        java.util.Map<String, Double> rawMs = new java.util.HashMap<>();
        java.util.Map<String, Double> ceilings = new java.util.HashMap<>();
        String kernels = "";
        List<String> warmups = new ArrayList<>();
        java.util.Map<String, List<SparkBench.Row>> fits = new java.util.LinkedHashMap<>();
        try {
            // encoder by encoder, smallest first: memory is the process's peak, so a row carries what earlier
            // rows left allocated, and a row of the larger network should not cover a smaller one's
            for (String encoder : o.encoders()) {
                List<String> data = List.of();
                if (encoder.equals("resnet18-cifar") && base.data().dataset() != DatasetKind.CIFAR100) {
                    if (cifar == null) cifar = SyntheticCifar.write(base.run().seed());
                    data = List.of("data.dataset=cifar100", "data.root=" + cifar, "scenario.class_order=[]");
                }
                for (String master : o.masters()) {
                    for (int batch : o.batches(encoder)) {
                        for (int frequency : o.frequencies()) {
                            List<String> s = new ArrayList<>(o.sets());
                            s.addAll(data);
                            s.addAll(List.of("model.encoder=" + encoder, "spark.master=" + master, "spark.workers=0",
                                    "spark.batch_size_per_worker=" + batch, "spark.averaging_frequency=" + frequency));
                            JobConfig c = ConfigLoader.load(sources, s);
                            spark = SparkBench.session(c);
                            SparkBench.Row r = SparkBench.measure(spark, c, o.repeats(), o.warmupSeconds(), rawMs,
                                    ceilings);
                            warmups.add(String.format(Locale.ROOT, "%s %d %s %d: %s", encoder, batch, master,
                                    frequency, r.warmup().describe()));
                            var d = c.data().dataset();
                            out.printf(Locale.ROOT, "%-15s %-8s %5d %-9s %4d %9.1f %9.1f %9.1f %8.2f %7.0f%% %7.0f%% "
                                            + "%7.0f%% %8.0f%% %7.0f%% %8.2f %10s %10s %10s %7.2fx%n", encoder,
                                    d.height() + "x" + d.width() + "x" + d.channels(), batch, master, frequency,
                                    r.minImagesPerSecond(), r.medianImagesPerSecond(), r.maxImagesPerSecond(),
                                    r.roundSeconds(), 100 * r.compute(), 100 * r.teacher(), 100 * r.data(),
                                    100 * r.averaging(), 100 * r.other(), r.stepPerForwardBackward(),
                                    BenchCommand.bytes(r.memory().heap()), BenchCommand.bytes(r.memory().nativeBytes()),
                                    BenchCommand.bytes(r.memory().rss()), r.concurrencyCeiling());
                            out.printf(Locale.ROOT, "  coordination of that round: %s%n",
                                    r.coordination().describe());
                            out.flush();
                            kernels = r.kernels();
                            fits.computeIfAbsent(String.format(Locale.ROOT, "%s, batch %d, averaging every %d",
                                    encoder, batch, frequency), k -> new ArrayList<>()).add(r);
                        }
                    }
                }
            }
            coordinationFits(fits, out);
            out.println("before the timed rounds, " + String.join("; ", warmups));
            out.println("kernels: " + kernels);
        } finally {
            if (spark != null) spark.stop();
            if (cifar != null) SyntheticCifar.delete(cifar);
        }
        return 0;
    }

    /**
     * The scaling model's coefficients (docs/performance.md, "How far it scales"): for each encoder, batch and
     * frequency measured at two or more worker counts, a least-squares line through each round's coordination time
     * (the averaging and other parts of its wall time: broadcast, the workers' results, their averaging, scheduling)
     * against the results some process receives one after the other ({@link #resultsInSequence}).
     */
    static void coordinationFits(java.util.Map<String, List<SparkBench.Row>> fits, PrintStream out) {
        for (var e : fits.entrySet()) {
            List<SparkBench.Row> rows = e.getValue();
            if (rows.stream().mapToInt(SparkBench.Row::workers).distinct().count() < 2) continue;
            double[] x = rows.stream().mapToDouble(r -> resultsInSequence(r.workers())).toArray();
            double[] t = rows.stream().mapToDouble(r -> r.roundSeconds() * (r.averaging() + r.other())).toArray();
            double[] line = leastSquaresLine(x, t);
            StringBuilder points = new StringBuilder();
            for (int i = 0; i < x.length; i++) {
                points.append(String.format(Locale.ROOT, "%s%d workers: %.3f s", i == 0 ? "" : ", ",
                        rows.get(i).workers(), t[i]));
            }
            out.printf(Locale.ROOT, "coordination per round, %s: %.3f s + %.4f s per result received in sequence "
                    + "(%s)%n", e.getKey(), line[0], line[1], points);
        }
    }

    /**
     * How many workers' results a round's aggregation receives one after the other: dl4j-spark averages with
     * Spark's {@code treeAggregate} at depth 2, which sums the N results on the driver while that is quicker, and
     * otherwise first on N / scale executors (scale = max(2, ceil(sqrt N))); each level's receiver takes its inputs
     * in turn, and the levels follow each other. 1, 2, 4 workers: 1, 2, 4; 8: 4 + 2; 64: 8 + 8.
     */
    static int resultsInSequence(int workers) {
        int partitions = workers;
        int scale = Math.max((int) Math.ceil(Math.sqrt(partitions)), 2);
        int total = 0;
        while (partitions > scale + (int) Math.ceil((double) partitions / scale)) {
            int next = partitions / scale;
            total += (int) Math.ceil((double) partitions / next);
            partitions = next;
        }
        return total + partitions;
    }

    /** Intercept and slope of the least-squares line through (x, y). */
    static double[] leastSquaresLine(double[] x, double[] y) {
        double mx = java.util.Arrays.stream(x).average().orElse(0), my = java.util.Arrays.stream(y).average().orElse(0);
        double sxy = 0, sxx = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
        }
        double slope = sxx == 0 ? 0 : sxy / sxx;
        return new double[] {my - slope * mx, slope};
    }
}
