package org.pnrspark.bench;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The bench command's table (what it prints, not how fast: figures come from running it, not from tests). */
class BenchCommandTest {
    private static String[] run(int expectedCode, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = BenchCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        String o = out.toString(StandardCharsets.UTF_8), e = err.toString(StandardCharsets.UTF_8);
        assertEquals(expectedCode, code, o + e);
        return new String[] {o, e};
    }

    @Test
    void printsOneRowPerEncoderAndBatch() {
        String out = run(0, "--encoders", "small-cnn,resnet18-cifar", "--batches", "4,6", "--steps", "1",
                "--repeats", "2", "--warmup", "0", "--set", "mocov2plus.queue_size=12", "--set", "method.name=mocov2plus",
                "--set", "mocov2plus.proj_hidden_dim=64")[0];
        assertTrue(out.contains("mocov2plus x pnr"), out);
        // --warmup 0: one warm-up step per row, said so
        assertTrue(out.contains("before the timed steps, small-cnn 4: warm-up 1 steps"), out);
        assertTrue(out.contains("kernels: CpuBackend (-onednn-avx2); layer helpers: convolution MKLDNNConvHelper"), out);
        for (String encoder : List.of("small-cnn +28x28x1", "resnet18-cifar +32x32x3")) {
            for (int batch : new int[] {4, 6}) {
                Matcher m = Pattern.compile(encoder + " +" + batch + " +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)")
                        .matcher(out);
                assertTrue(m.find(), encoder + " batch " + batch + " in\n" + out);
                double min = Double.parseDouble(m.group(1)), median = Double.parseDouble(m.group(2)),
                        max = Double.parseDouble(m.group(3));
                assertTrue(min > 0 && min <= median && median <= max, m.group());
                // then the raw forward and backward ms, the step's ratio to it, and three memory peaks
                Matcher rest = Pattern.compile(Pattern.quote(m.group()) + " +([0-9.]+) +([0-9.]+) +([0-9.]+) MB"
                        + " +([0-9.]+) MB +([0-9.]+) MB").matcher(out);
                assertTrue(rest.find(), out);
                double step = Double.parseDouble(m.group(4)), raw = Double.parseDouble(rest.group(1));
                assertTrue(step > 0 && raw > 0, rest.group());
                // the ratio is the median of each repeat's own ratio: near, not equal to, the two medians' ratio
                double ratio = Double.parseDouble(rest.group(2));
                assertTrue(ratio > step / raw / 3 && ratio < 3 * step / raw, rest.group());
                assertTrue(Double.parseDouble(rest.group(3)) > 0 && Double.parseDouble(rest.group(5)) > 0, rest.group());
            }
        }
    }

    @Test
    void serializationRowsCompareTheRegistrators() {
        String out = run(0, "--serialization", "--encoders", "small-cnn", "--repeats", "2")[0];
        for (String registrator : List.of("nd4j", "pnr-spark")) {
            Matcher m = Pattern.compile("small-cnn +" + registrator + " +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)"
                    + " +([0-9.]+) +([0-9.]+) +([0-9.]+)").matcher(out);
            assertTrue(m.find(), registrator + " in\n" + out);
            // parameters and LARS momentum of the small CNN with SimCLR's 2048-wide projector: about 2 x 4 MB
            double mb = Double.parseDouble(m.group(1));
            assertTrue(mb > 4 && mb < 20, m.group());
            assertTrue(Double.parseDouble(m.group(2)) > 0 && Double.parseDouble(m.group(5)) > 0, m.group());
        }
    }

    @Test
    void sparkRowsSplitTheRound() {
        // both encoders on both masters: a second SparkContext in the same JVM starts its broadcast ids at 0 again
        String out = run(0, "--spark", "--masters", "local[1],local[2]", "--encoders", "small-cnn,resnet18-cifar",
                "--batches", "4", "--frequencies", "1,2", "--repeats", "1", "--warmup", "0",
                "--set", "simclr.proj_hidden_dim=64")[0];
        for (String encoder : List.of("small-cnn +28x28x1", "resnet18-cifar +32x32x3")) {
            for (String master : List.of("local\\[1\\]", "local\\[2\\]")) {
                for (int frequency : new int[] {1, 2}) {
                    Matcher m = Pattern.compile(encoder + " +4 " + master + " +" + frequency
                            + " +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9]+)% +([0-9]+)% +([0-9]+)% +([0-9]+)%"
                            + " +([0-9]+)% +([0-9.]+) +([0-9.]+) MB +([0-9.]+) MB +([0-9.]+) MB +([0-9.]+)x")
                            .matcher(out);
                    assertTrue(m.find(), encoder + " " + master + " frequency " + frequency + " in\n" + out);
                    assertTrue(Double.parseDouble(m.group(2)) > 0, m.group());
                    int parts = 0;
                    for (int g = 5; g <= 9; g++) parts += Integer.parseInt(m.group(g));
                    assertTrue(parts >= 97 && parts <= 103, "the split adds up to " + parts + "%: " + m.group());
                    assertTrue(Double.parseDouble(m.group(10)) > 0 && Double.parseDouble(m.group(11)) > 0, m.group());
                    // the concurrency ceiling: 1 for one worker by definition, measured for two
                    double ceiling = Double.parseDouble(m.group(14));
                    if (master.contains("1")) assertEquals(1.0, ceiling, m.group());
                    else assertTrue(ceiling > 0.3 && ceiling < 2.5, m.group());
                }
            }
        }
        assertTrue(out.contains("kernels: CpuBackend"), out);
        // each row's coordination in parts, and the model's line through one and two workers per setting
        assertTrue(Pattern.compile("coordination of that round: broadcast [0-9.]+ s, worker set-up [0-9.]+ s, results "
                + "[0-9.]+ s, averaging [0-9.]+ s, scheduling [0-9.]+ s").matcher(out).find(), out);
        for (String setting : List.of("small-cnn, batch 4, averaging every 1", "resnet18-cifar, batch 4, averaging every 2")) {
            assertTrue(Pattern.compile("coordination per round, " + setting + ": -?[0-9.]+ s \\+ -?[0-9.]+ s per result "
                    + "received in sequence \\(1 workers: [0-9.]+ s, 2 workers: [0-9.]+ s\\)").matcher(out).find(), out);
        }
    }

    @Test
    void quickFillsWhatTheCommandLineLeavesUnset() {
        BenchCommand.Options quick = BenchCommand.parse(new String[] {"--quick", "--spark"});
        assertEquals(List.of(32), quick.batches("resnet18-cifar"));
        assertEquals(List.of(64), quick.batches("small-cnn"));
        assertEquals(List.of(5), quick.frequencies());
        assertEquals(2, quick.repeats());
        assertEquals(20, quick.warmupSeconds());
        assertEquals(90, BenchCommand.parse(new String[0]).warmupSeconds());
        assertEquals(5, BenchCommand.parse(new String[] {"--quick", "--warmup", "5"}).warmupSeconds());
        BenchCommand.Options given = BenchCommand.parse(new String[] {"--quick", "--spark", "--batches", "16",
                "--repeats", "4", "--frequencies", "1,20"});
        assertEquals(List.of(16), given.batches("resnet18-cifar"));
        assertEquals(4, given.repeats());
        assertEquals(List.of(1, 20), given.frequencies());
        assertEquals(List.of(64, 128, 256), BenchCommand.parse(new String[0]).batches("resnet18-cifar"));
    }

    @Test
    void torchRowsComeAfterPnrSparksOnceTheJvmIsQuiet() {
        String[] r = run(0, "--torch", "--encoders", "small-cnn", "--batches", "4", "--steps", "1", "--repeats", "2",
                "--warmup", "0");
        assumeTrue(!r[1].contains("no PyTorch column"), "python3 with torch and torchvision is not installed");
        String out = r[0];
        Matcher spark = Pattern.compile("small-cnn +28x28x1 +4 +[0-9.]+ +([0-9.]+) .* ([0-9.]+) MB +[0-9]+%")
                .matcher(out);
        Matcher torch = Pattern.compile("small-cnn +4 +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+)x +"
                + "([0-9]+)% +([0-9]+)% +([0-9.]+) MB").matcher(out);
        assertTrue(spark.find() && torch.find(), out + r[1]);
        // the second table comes after the first, and repeats pnr-spark's median next to PyTorch's
        assertTrue(torch.start() > spark.end(), out);
        double sparkMedian = Double.parseDouble(spark.group(1)), torchMedian = Double.parseDouble(torch.group(3));
        assertEquals(sparkMedian, Double.parseDouble(torch.group(1)), 0.051);
        assertTrue(Double.parseDouble(torch.group(2)) <= torchMedian && torchMedian <= Double.parseDouble(torch.group(4)));
        assertEquals(sparkMedian / torchMedian, Double.parseDouble(torch.group(5)), 0.01 + 0.01 * sparkMedian / torchMedian);
        // what the JVM kept resident while PyTorch ran, its measurements' native memory given back: not above their peak
        double resident = Double.parseDouble(torch.group(8)), peak = Double.parseDouble(spark.group(2));
        assertTrue(resident > 0 && resident < 1.1 * peak, resident + " MB resident during PyTorch, peak " + peak + " MB");
        assertTrue(out.contains("PyTorch alone: ") && out.contains("tools/torch_bench.py --encoder small-cnn --batch 4 "
                + "--steps 1 --repeats 2 --threads "), out);
    }

    @Test
    void roundVolumeCountsWhatMocoShipsBesidesTheNetwork() {
        String out = run(0, "--serialization", "--conf", "conf/fmnist-5t-mocov2plus.conf", "--encoders", "small-cnn",
                "--repeats", "1")[0];
        Matcher m = Pattern.compile("small-cnn +(\\d+) +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+) +([0-9.]+) "
                + "+([0-9.]+) +([0-9.]+)").matcher(out);
        assertTrue(m.find(), out);
        double state = Double.parseDouble(m.group(2)), momentum = Double.parseDouble(m.group(3));
        // parameters and SGD momentum: twice the parameters' float32 bytes, and a little
        assertTrue(state >= 2 * 4 * Long.parseLong(m.group(1)) / 1e6 - 0.05, m.group());
        // the momentum target is the encoder and projector, without the PNR predictor of the online network
        assertTrue(momentum > 0 && momentum < state / 2, m.group());
        // two queues (momentum keys, frozen keys) of two views x 128 x 1,024 float32; a worker's keys of a round:
        // 2 queues x 2 views x 128 x 64 images x 5 steps
        assertEquals(2.1, Double.parseDouble(m.group(4)), 1e-9, m.group());
        assertEquals(0.7, Double.parseDouble(m.group(6)), 1e-9, m.group());
        assertEquals(state + momentum + 2.1, Double.parseDouble(m.group(5)), 0.11, m.group());
        assertTrue(Double.parseDouble(m.group(8)) > 0, "the frozen model under PNR: " + m.group());
    }

    @Test
    void mastersKeepTheirOwnCommas() {
        assertEquals(List.of("local[1]", "local-cluster[4,1,2048]", "spark://h:7077"),
                BenchArgs.masters("local[1],local-cluster[4,1,2048], spark://h:7077"));
        assertTrue(run(2, "--spark", "--masters", "local-cluster[2,1")[1].contains("--masters: unbalanced brackets"));
        assertTrue(run(2, "--spark", "--masters", "local[1],,local[2]")[1].contains("--masters: an empty master"));
    }

    @Test
    void coordinationIsFittedAgainstTheWorkers() {
        double[] line = SparkBenchTable.leastSquaresLine(new double[] {1, 2, 4, 8}, new double[] {0.3, 0.4, 0.6, 1.0});
        assertEquals(0.2, line[0], 1e-12);
        assertEquals(0.1, line[1], 1e-12);
        // Spark's treeAggregate at depth 2: the driver alone up to 5 results, then a level of executors first
        int[] workers = {1, 2, 4, 5, 6, 8, 16, 64};
        int[] inSequence = {1, 2, 4, 5, 5, 6, 8, 16};
        for (int i = 0; i < workers.length; i++) {
            assertEquals(inSequence[i], SparkBenchTable.resultsInSequence(workers[i]), workers[i] + " workers");
        }
    }

    @Test
    void badArgumentsAreNamed() {
        assertTrue(run(2, "--batches", "64,x")[1].contains("--batches: \"x\" is not a positive integer"));
        assertTrue(run(2, "--encoders", "vgg")[1].contains("\"vgg\" is not one of"));
        assertTrue(run(2, "--warmup", "-1")[1].contains("--warmup: \"-1\" is not a number of seconds"));
        assertTrue(run(2, "--set", "optim.lr=-1")[1].contains("optim.lr"));
        assertTrue(run(2, "--all", "--spark")[1].contains("--all runs the one-JVM, --spark, --serialization and --decode"));
        String[] eval = run(2, "--eval", "--repeats", "0");
        assertTrue(eval[1].contains("--repeats: \"0\" is not a positive integer") && eval[1].contains("bench --eval"),
                eval[1]);
        assertTrue(run(2, "--eval", "--set", "eval.knn.k=0")[1].contains("eval.knn.k"));
    }
}
