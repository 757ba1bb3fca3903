package org.pnrspark.bench;

import org.bytedeco.javacpp.Pointer;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.Networks;
import org.pnrspark.util.NativeThreads;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench}: the training throughput of one optimisation step inside one JVM, without Spark: the configured
 * method's online network of task 0 on synthetic views, for each encoder and minibatch size, with the minimum,
 * median and maximum over repeated timings, and the memory it took (JVM heap, process resident memory). Two views count as two images, as in the
 * training log.
 *
 * <pre>bench [--conf FILE] [--set KEY=VALUE] [--encoders small-cnn,resnet18-cifar] [--batches 64,128,256]
 *       [--steps 10] [--repeats 3] [--threads N] [--quick]</pre>
 */
public final class BenchCommand {
    static final String USAGE = """
            usage: pnr-spark bench [--conf FILE] [--set KEY=VALUE] [--encoders small-cnn,resnet18-cifar]
                                   [--batches 64,128,256] [--steps 10] [--repeats 3] [--threads N] [--quick]
                   pnr-spark bench --spark [--masters local[1],local[2]] [--frequencies 1,5,20] [--conf FILE] ...

            Times training steps of the configured method (task 0) in this JVM on synthetic views: small-cnn at
            28x28x1, resnet18-cifar at 32x32x3. Prints images per second (two
            views per image counted as two) as min / median / max over the repeats, the time per step, the JVM's
            peak heap and the process's peak resident memory (heap plus ND4J's off-heap arrays). --quick: batch 64 only, 5 steps, 2 repeats.

            --spark: averaging rounds of task 1 through Spark with the real loader on the configured dataset (the
            bundled Fashion-MNIST sample by default), per master, encoder, batch and averaging frequency (--repeats
            timed rounds after a warm-up); prints images per second and the split of a round's wall time: compute
            (forward and backward), teacher (the frozen/momentum networks in the loader), data (read and augment)
            and other (Spark scheduling, parameter broadcast, serialisation and averaging). --quick: frequency 5.

            bench --decode times image decoding and augmentation instead (bench --decode --help).
            """;

    private BenchCommand() {}

    record Options(List<String> confs, List<String> sets, List<String> encoders, List<Integer> batches, int steps,
            int repeats, int threads, List<String> masters, List<Integer> frequencies) {
        boolean spark() {
            return !masters.isEmpty();
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        if (Arrays.asList(args).contains("--decode")) return DecodeBench.run(args, out, err);
        Options o;
        try {
            o = parse(args);
        } catch (IllegalArgumentException | InvalidConfigException e) {
            err.println("error: " + e.getMessage());
            err.print(USAGE);
            return 2;
        }
        List<ConfigLoader.Source> sources = new ArrayList<>();
        JobConfig base;
        try {
            for (String f : o.confs()) sources.add(ConfigLoader.readLocalFile(f));
            base = ConfigLoader.load(sources, o.sets());
        } catch (InvalidConfigException e) {
            err.println("error: " + e.getMessage());
            return 2;
        }
        if (o.spark()) return runSpark(o, sources, out);
        int threads = o.threads() > 0 ? o.threads() : Runtime.getRuntime().availableProcessors();
        NativeThreads.applyForSparkTask(threads);
        out.printf(Locale.ROOT, "bench: %s x %s, task 0 objective, one JVM without Spark, %d native threads; "
                        + "%d repeats of %d steps after 2 warm-up steps%n", base.method().name(),
                base.continual().strategy().configName(), threads, o.repeats(), o.steps());
        out.printf(Locale.ROOT, "%-18s %-10s %6s %10s %10s %10s %10s %12s %14s%n", "encoder", "input", "batch",
                "img/s min", "median", "max", "ms/step", "peak heap", "peak RSS");
        for (String encoder : o.encoders()) {
            List<String> sets = new ArrayList<>(o.sets());
            sets.add("model.encoder=" + encoder);
            sets.add("data.dataset=" + (encoder.equals("small-cnn") ? "fashion-mnist" : "cifar100"));
            sets.add("scenario.class_order=[]");
            for (int batch : o.batches()) {
                List<String> s = new ArrayList<>(sets);
                s.add("spark.batch_size_per_worker=" + batch);
                JobConfig c = ConfigLoader.load(sources, s);
                Row row = measure(c, encoder, batch, o.steps(), o.repeats());
                out.printf(Locale.ROOT, "%-18s %-10s %6d %10.1f %10.1f %10.1f %10.1f %12s %14s%n", encoder, row.input(),
                        batch, row.min(), row.median(), row.max(), row.msPerStep(), bytes(row.peakHeap()),
                        bytes(row.peakRss()));
            }
        }
        return 0;
    }

    /** bench --spark: the training path through Spark, per master and averaging frequency, with the time split. */
    private static int runSpark(Options o, List<ConfigLoader.Source> sources, PrintStream out) {
        out.printf(Locale.ROOT, "bench --spark: task 1 of the configured method and strategy through Spark (real loader, "
                + "parameter averaging); %d timed rounds after a warm-up round; the split is of a round's wall time%n",
                o.repeats());
        out.printf(Locale.ROOT, "%-15s %-8s %5s %-10s %4s %9s %9s %9s %8s %8s %8s %8s %8s%n", "encoder", "input",
                "batch", "master", "avg", "img/s min", "median", "max", "s/round", "compute", "teacher", "data",
                "other");
        org.apache.spark.sql.SparkSession spark = null;
        try {
            for (String master : o.masters()) {
                for (String encoder : o.encoders()) {
                    for (int batch : o.batches()) {
                        for (int frequency : o.frequencies()) {
                            List<String> s = new ArrayList<>(o.sets());
                            s.addAll(List.of("model.encoder=" + encoder, "spark.master=" + master, "spark.workers=0",
                                    "spark.batch_size_per_worker=" + batch, "spark.averaging_frequency=" + frequency));
                            JobConfig c = ConfigLoader.load(sources, s);
                            spark = SparkBench.session(c);
                            SparkBench.Row r = SparkBench.measure(spark, c, o.repeats());
                            var d = c.data().dataset();
                            out.printf(Locale.ROOT, "%-15s %-8s %5d %-10s %4d %9.1f %9.1f %9.1f %8.2f %7.0f%% %7.0f%% "
                                            + "%7.0f%% %7.0f%%%n", encoder, d.height() + "x" + d.width() + "x" + d.channels(),
                                    batch, master, frequency, r.minImagesPerSecond(), r.medianImagesPerSecond(),
                                    r.maxImagesPerSecond(), r.roundSeconds(), 100 * r.compute(), 100 * r.teacher(),
                                    100 * r.data(), 100 * r.rest());
                            out.flush();
                        }
                    }
                }
            }
        } finally {
            if (spark != null) spark.stop();
        }
        return 0;
    }

    /** @param peakRss the process's resident memory (JVM heap and ND4J's off-heap arrays), sampled after each repeat */
    record Row(String input, double min, double median, double max, double msPerStep, long peakHeap, long peakRss) {}

    static Row measure(JobConfig c, String encoder, int batch, int steps, int repeats) {
        SslMethod method = Methods.of(c);
        ComputationGraph net = Networks.build(method.online(0));
        int channels = c.data().dataset().channels();
        int side = c.data().height();
        Nd4j.getRandom().setSeed(c.run().seed());
        INDArray views = Nd4j.randn(DataType.FLOAT, batch, 2L * channels, side, side);
        INDArray labels = Nd4j.rand(DataType.FLOAT, batch, method.targetWidth(0));
        DataSet data = new DataSet(views, labels);
        for (int i = 0; i < 2; i++) net.fit(data);
        double[] rates = new double[repeats];
        long peakHeap = 0, peakRss = Pointer.physicalBytes();
        for (int r = 0; r < repeats; r++) {
            long start = System.nanoTime();
            for (int i = 0; i < steps; i++) net.fit(data);
            double seconds = (System.nanoTime() - start) / 1e9;
            rates[r] = 2.0 * batch * steps / seconds;
            Runtime rt = Runtime.getRuntime();
            peakHeap = Math.max(peakHeap, rt.totalMemory() - rt.freeMemory());
            peakRss = Math.max(peakRss, Pointer.physicalBytes());
        }
        if (!Double.isFinite(net.score())) throw new IllegalStateException("the loss became " + net.score());
        double[] sorted = rates.clone();
        Arrays.sort(sorted);
        double median = sorted.length % 2 == 1 ? sorted[sorted.length / 2]
                : (sorted[sorted.length / 2 - 1] + sorted[sorted.length / 2]) / 2;
        return new Row(side + "x" + side + "x" + channels, sorted[0], median, sorted[sorted.length - 1],
                1000.0 * 2 * batch / median, peakHeap, peakRss);
    }

    static Options parse(String[] args) {
        List<String> confs = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        List<String> encoders = List.of("small-cnn", "resnet18-cifar");
        List<Integer> batches = List.of(64, 128, 256);
        int steps = 10, repeats = 3, threads = 0;
        List<String> masters = List.of();
        List<Integer> frequencies = List.of(1, 5, 20);
        boolean quick = false;
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            switch (a) {
                case "--conf" -> confs.add(BenchArgs.value(args, ++i, a));
                case "--set" -> sets.add(BenchArgs.value(args, ++i, a));
                case "--encoders" -> encoders = List.of(BenchArgs.value(args, ++i, a).split(","));
                case "--batches" -> batches = Arrays.stream(BenchArgs.value(args, ++i, a).split(",")).map(v -> BenchArgs.positive(v, a))
                        .toList();
                case "--steps" -> steps = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                case "--repeats" -> repeats = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                case "--threads" -> threads = BenchArgs.positive(BenchArgs.value(args, ++i, a), a);
                case "--spark" -> masters = List.of("local[1]", "local[2]");
                case "--masters" -> masters = List.of(BenchArgs.value(args, ++i, a).split(","));
                case "--frequencies" -> frequencies = Arrays.stream(BenchArgs.value(args, ++i, a).split(","))
                        .map(v -> BenchArgs.positive(v, a)).toList();
                case "--quick" -> quick = true;
                default -> throw new IllegalArgumentException("unknown argument \"" + a + "\"");
            }
        }
        if (quick) {
            batches = List.of(64);
            steps = 5;
            repeats = 2;
            if (!masters.isEmpty()) frequencies = List.of(5);
        }
        for (String e : encoders) {
            if (!List.of("small-cnn", "resnet18-cifar").contains(e)) {
                throw new IllegalArgumentException("--encoders: \"" + e + "\" is not one of small-cnn, resnet18-cifar");
            }
        }
        return new Options(confs, sets, encoders, batches, steps, repeats, threads, masters, frequencies);
    }


    private static String bytes(long n) {
        return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
    }
}
