package org.pnrspark.bench;

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
import org.pnrspark.model.NativeKernels;
import org.pnrspark.model.Networks;
import org.pnrspark.util.NativeThreads;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * {@code bench}: training throughput and memory. Without a mode, one optimisation step inside one JVM without
 * Spark (the configured method's online network of task 0 on synthetic views, per encoder and minibatch size)
 * against the raw forward and backward pass of the same graph; {@code --spark} the training path through Spark
 * ({@link SparkBench}); {@code --serialization} the network state through Spark's Kryo ({@link SerializationBench});
 * {@code --decode} decoding and augmentation ({@link DecodeBench}); {@code --all} all four; {@code --eval} the
 * evaluation after a task ({@link EvalBench}). Every figure is the
 * minimum, median and maximum over repeats; two views count as two images, as in the training log. See
 * {@link #USAGE}.
 */
public final class BenchCommand {
    static final String USAGE = """
            usage: pnr-spark bench [--conf FILE] [--set KEY=VALUE] [--encoders small-cnn,resnet18-cifar]
                                   [--batches 64,128,256] [--steps 10] [--repeats 3] [--threads N] [--quick]
                                   [--torch] [--warmup SECONDS]
                   pnr-spark bench --spark [--masters local[1],local[2]] [--frequencies 1,5,20] [--conf FILE] ...
                   pnr-spark bench --serialization [--encoders ...] [--repeats 3]
                   pnr-spark bench --profile [--ab conv|bn|relu|dense|threads] [--encoders ...] [--batches 64,256] [--repeats 3]
                   pnr-spark bench --all [--quick] ...   (the three above, then bench --decode)
                   pnr-spark bench --eval [--conf FILE] [--set KEY=VALUE] [--repeats 3]

            Times training steps of the configured method (task 0) in this JVM on synthetic views: small-cnn at
            28x28x1, resnet18-cifar at 32x32x3. Prints images per second (two views per image counted as two) as
            min / median / max over the repeats, the time per step, the raw forward and backward time of the same
            graph and minibatch and the step's ratio to it, and the peak memory: Java heap in use, native memory
            (resident memory beyond the JVM's own: ND4J's arrays and workspaces, native libraries) and the resident
            total, and 'others', the cores the rest of the machine kept busy meanwhile. --torch: then the same step
            in PyTorch (tools/torch_bench.py: same network, NT-Xent, LARS + momentum SGD, batch, threads, steps and
            repeats; python3 with torch, or $PNR_PYTHON), each row in its own process, after all of pnr-spark's
            rows and once this JVM has gone quiet (under 3 % of a core for 2 s), so that neither shares the cores
            with the other: PyTorch's img/s, the ratio of the medians, and the cores this JVM and the rest of the
            machine kept busy while PyTorch ran; then the command that times PyTorch with no JVM at all. Every bench first runs steps until the JVM's JIT
            compiler has gone quiet (the steady state of a training run), for at most --warmup seconds (default 90;
            0: one step), and says what the warm-up took. --quick (where not given): batch 64 (small-cnn) or 32
            (resnet18-cifar), 2 steps, 2 repeats, 20 s of warm-up.

            --spark: averaging rounds of task 1 through Spark with the real loader, per master, encoder, batch and
            averaging frequency (--repeats timed rounds after warm-up rounds). small-cnn reads the
            configured dataset (the bundled Fashion-MNIST sample by default); resnet18-cifar reads CIFAR-100 when
            it is configured, else generated files in its format. Prints images per second and the split of a
            round's wall time: compute (forward, backward, update), teacher (the frozen/momentum networks in the
            loader), data (read and augment), averaging (parameter broadcast, worker set-up, the results'
            serialisation, transfer and averaging) and other (job scheduling, dl4j-spark's count of the round's
            minibatches, workers waiting for the slowest); step/raw is a worker's
            wall time per minibatch over the raw forward and backward time; memory as above, for the driver and
            the executors together in local mode; ceiling: what as many workers as the master has gain on this
            machine without Spark (that many threads of forward and backward passes, each on its own network
            copy, over the faster of one thread alone before and after them, each for a tenth of --warmup, 1 to
            8 s): the most local[N] can gain over local[1] here. --quick: frequency 5, batches as above, 2 repeats.

            --serialization: writes and reads a network's parameters and optimizer state through Spark's Kryo, as
            every averaging round does, with ND4J's registrator and with pnr-spark's; MB/s.

            --profile: the time of every vertex of the training graph, forward and backward (walked without
            workspaces), next to the real step, and the optimizer's update alone; per vertex and per layer type.
            --ab NAME: every measurement with pnr-spark's fast kernel NAME off (A) and on (B), alternating.

            bench --decode times image decoding and augmentation instead (bench --decode --help); bench --eval
            the evaluation after a task: features, k-NN and the linear probe (bench --eval --help).
            """;


    private BenchCommand() {}

    record Options(List<String> confs, List<String> sets, List<String> encoders, List<Integer> batches, int steps,
            int repeats, int threads, List<String> masters, List<Integer> frequencies, boolean quickBatches,
            boolean torch, double warmupSeconds) {
        boolean spark() {
            return !masters.isEmpty();
        }

        /** --quick: batch 64 for the small CNN, 32 for ResNet-18 (a round of 5 minibatches then takes a minute). */
        List<Integer> batches(String encoder) {
            return quickBatches ? List.of(encoder.equals("resnet18-cifar") ? 32 : 64) : batches;
        }
    }

    public static int run(String[] args, PrintStream out, PrintStream err) {
        List<String> list = Arrays.asList(args);
        if (list.contains("--all")) return runAll(list, out, err);
        if (list.contains("--decode")) return DecodeBench.run(args, out, err);
        if (list.contains("--eval")) return EvalBench.run(args, out, err);
        boolean serialization = list.contains("--serialization");
        boolean profile = list.contains("--profile");
        String ab = null;
        if (serialization || profile) {
            List<String> rest = new ArrayList<>();
            for (int i = 0; i < args.length; i++) {
                if (args[i].equals("--ab") && profile) ab = BenchArgs.value(args, ++i, "--ab");
                else if (!args[i].equals("--serialization") && !args[i].equals("--profile")) rest.add(args[i]);
            }
            args = rest.toArray(String[]::new);
        }
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
        if (serialization) return SerializationBench.run(sources, o.sets(), o.encoders(), o.repeats(), out);
        if (profile) {
            return LayerProfile.run(sources, o.sets(), o.encoders(), o.batches(), o.repeats(), o.threads(), ab,
                    o.warmupSeconds(), out);
        }
        if (o.spark()) return SparkBenchTable.run(o, sources, base, out);
        int threads = o.threads() > 0 ? o.threads() : Runtime.getRuntime().availableProcessors();
        NativeThreads.applyForSparkTask(threads);
        out.printf(Locale.ROOT, "bench: %s x %s, task 0 objective, one JVM without Spark, %d native threads; "
                        + "%d repeats of %d steps and as many raw passes, alternating, after warm-up steps%n", base.method().name(),
                base.continual().strategy().configName(), threads, o.repeats(), o.steps());
        TorchBench torch = o.torch() ? TorchBench.find(err) : null;
        out.printf(Locale.ROOT, "%-15s %-8s %5s %9s %9s %9s %9s %9s %9s %10s %10s %10s %7s%n", "encoder", "input",
                "batch", "img/s min", "median", "max", "ms/step", "fwd+bwd", "step/raw", "peak heap", "native",
                "RSS", "others");
        String kernels = "";
        List<String> warmups = new ArrayList<>();
        List<TorchBench.MeasuredRow> torchRows = new ArrayList<>();
        for (String encoder : o.encoders()) {
            List<String> sets = new ArrayList<>(o.sets());
            sets.add("model.encoder=" + encoder);
            sets.add("data.dataset=" + (encoder.equals("small-cnn") ? "fashion-mnist" : "cifar100"));
            sets.add("scenario.class_order=[]");
            for (int batch : o.batches(encoder)) {
                List<String> s = new ArrayList<>(sets);
                s.add("spark.batch_size_per_worker=" + batch);
                JobConfig c = ConfigLoader.load(sources, s);
                Row row = measure(c, batch, o.steps(), o.repeats(), o.warmupSeconds());
                warmups.add(String.format(Locale.ROOT, "%s %d: %s", encoder, batch, row.warmup().describe()));
                out.printf(Locale.ROOT, "%-15s %-8s %5d %9.1f %9.1f %9.1f %9.0f %9.0f %9.2f %10s %10s %10s %7s%n",
                        encoder, row.input(), batch, row.min(), row.median(), row.max(), row.msPerStep(),
                        row.msForwardBackward(), row.stepPerForwardBackward(),
                        bytes(row.memory().heap()), bytes(row.memory().nativeBytes()), bytes(row.memory().rss()),
                        cores(row.otherCores()));
                out.flush();
                kernels = row.kernels();
                torchRows.add(new TorchBench.MeasuredRow(encoder, batch, row));
            }
        }
        out.println("before the timed steps, " + String.join("; ", warmups));
        out.println("kernels: " + kernels);
        out.println("others: the cores the rest of the machine kept busy during the timed steps");
        if (torch != null) torch.compare(torchRows, o, threads, out, err);
        return 0;
    }

    /** Cores as a percentage of one core, '-' where unknown. */
    static String cores(double c) {
        return Double.isNaN(c) ? "-" : String.format(Locale.ROOT, "%.0f%%", 100 * c);
    }

    /** bench --all: the one-JVM table, the Spark table, serialisation, then decoding and augmentation at 224. */
    private static int runAll(List<String> args, PrintStream out, PrintStream err) {
        List<String> rest = args.stream().filter(a -> !a.equals("--all")).toList();
        if (rest.contains("--spark") || rest.contains("--decode") || rest.contains("--serialization")) {
            err.println("error: --all runs the one-JVM, --spark, --serialization and --decode benches in turn; "
                    + "give none of the other three");
            err.print(USAGE);
            return 2;
        }
        for (String mode : new String[] {null, "--spark", "--serialization"}) {
            List<String> modeArgs = new ArrayList<>(rest);
            if (mode != null) modeArgs.add(mode);
            int code = run(modeArgs.toArray(String[]::new), out, err);
            if (code != 0) return code;
            out.println();
        }
        return DecodeBench.run(rest.contains("--quick") ? new String[] {"--decode", "--repeats", "3"}
                : new String[] {"--decode"}, out, err);
    }

    /**
     * @param msPerStep      one optimisation step (fit: forward, backward, optimizer update) at the median rate
     * @param msForwardBackward forward and backward of the same graph and minibatch without the update (median)
     * @param stepPerForwardBackward the median over the repeats of a repeat's step time over its raw time
     */
    record Row(String input, double min, double median, double max, double msPerStep, double msForwardBackward,
            double stepPerForwardBackward, MemoryPeaks.Peaks memory, String kernels, JitWarmup.Summary warmup,
            double otherCores) {}

    /** Task 0's online network and one seeded minibatch of synthetic views and labels for it. */
    record SyntheticStep(ComputationGraph net, DataSet data) {
        /** A view's size, height x width x channels. */
        String input() {
            long[] shape = data.getFeatures().shape();
            return shape[2] + "x" + shape[3] + "x" + shape[1] / 2;
        }

        static SyntheticStep of(JobConfig c, int batch) {
            SslMethod method = Methods.of(c);
            ComputationGraph net = Networks.build(method.online(0));
            int channels = c.data().dataset().channels();
            int side = c.data().height();
            Nd4j.getRandom().setSeed(c.run().seed());
            INDArray views = Nd4j.randn(DataType.FLOAT, batch, 2L * channels, side, side);
            INDArray labels = Nd4j.rand(DataType.FLOAT, batch, method.targetWidth(0));
            return new SyntheticStep(net, new DataSet(views, labels));
        }
    }

    static Row measure(JobConfig c, int batch, int steps, int repeats, double warmupSeconds) {
        SyntheticStep step = SyntheticStep.of(c, batch);
        ComputationGraph net = step.net();
        DataSet data = step.data();
        INDArray views = data.getFeatures(), labels = data.getLabels();
        double[] rates = new double[repeats];
        double[] raw = new double[repeats];
        double[] ratios = new double[repeats];
        try (MemoryPeaks memory = MemoryPeaks.start()) {
            // warm-up: the JIT compiler, oneDNN's primitives, workspaces
            JitWarmup.Summary warmup = JitWarmup.run(() -> net.fit(data), warmupSeconds);
            forwardBackwardMs(net, views, labels);
            CpuLoad.Mark mark = CpuLoad.Mark.now();
            for (int r = 0; r < repeats; r++) {
                // steps and raw passes alternate, so that a slower spell of the machine weighs on both alike
                double fitMs = 0, rawMs = 0;
                for (int i = 0; i < steps; i++) {
                    long start = System.nanoTime();
                    net.fit(data);
                    fitMs += (System.nanoTime() - start) / 1e6;
                    rawMs += forwardBackwardMs(net, views, labels);
                }
                rates[r] = 2.0 * batch * steps / (fitMs / 1000);
                raw[r] = rawMs / steps;
                ratios[r] = fitMs / rawMs;
            }
            double others = mark.otherCores(0);
            if (!Double.isFinite(net.score())) throw new IllegalStateException("the loss became " + net.score());
            double median = Repeats.median(rates);
            return new Row(step.input(), Repeats.min(rates), median, Repeats.max(rates),
                    1000.0 * 2 * batch / median, Repeats.median(raw), Repeats.median(ratios), memory.peaks(),
                    NativeKernels.describe(net), warmup, others);
        }
    }

    /**
     * Milliseconds of one forward and backward pass of the graph on the minibatch, without the optimizer's update: the
     * raw cost that a training step is compared with.
     */
    static double forwardBackwardMs(ComputationGraph net, INDArray features, INDArray labels) {
        long start = System.nanoTime();
        net.setInputs(features);
        net.setLabels(labels);
        net.computeGradientAndScore();
        double ms = (System.nanoTime() - start) / 1e6;
        net.clear();
        return ms;
    }

    static Options parse(String[] args) {
        List<String> confs = new ArrayList<>();
        List<String> sets = new ArrayList<>();
        List<String> encoders = List.of("small-cnn", "resnet18-cifar");
        List<Integer> batches = List.of(64, 128, 256);
        int steps = 10, repeats = 3, threads = 0;
        double warmup = 90;
        List<String> masters = List.of();
        List<Integer> frequencies = List.of(1, 5, 20);
        boolean quick = false, torch = false;
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
                case "--masters" -> masters = BenchArgs.masters(BenchArgs.value(args, ++i, a));
                case "--frequencies" -> frequencies = Arrays.stream(BenchArgs.value(args, ++i, a).split(","))
                        .map(v -> BenchArgs.positive(v, a)).toList();
                case "--quick" -> quick = true;
                case "--torch" -> torch = true;
                case "--warmup" -> warmup = BenchArgs.nonNegative(BenchArgs.value(args, ++i, a), a);
                default -> throw new IllegalArgumentException("unknown argument \"" + a + "\"");
            }
        }
        // --quick sets what the command line leaves unset
        List<String> given = Arrays.asList(args);
        if (quick) {
            if (!given.contains("--steps")) steps = 2;
            if (!given.contains("--repeats")) repeats = 2;
            if (!given.contains("--warmup")) warmup = 20;
            if (!masters.isEmpty() && !given.contains("--frequencies")) frequencies = List.of(5);
        }
        boolean quickBatches = quick && !given.contains("--batches");
        for (String e : encoders) {
            if (!List.of("small-cnn", "resnet18-cifar").contains(e)) {
                throw new IllegalArgumentException("--encoders: \"" + e + "\" is not one of small-cnn, resnet18-cifar");
            }
        }
        return new Options(confs, sets, encoders, batches, steps, repeats, threads, masters, frequencies,
                quickBatches, torch, warmup);
    }


    static String bytes(long n) {
        return String.format(Locale.ROOT, "%.1f MB", n / 1e6);
    }
}
