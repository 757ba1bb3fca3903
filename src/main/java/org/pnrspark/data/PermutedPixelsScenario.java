package org.pnrspark.data;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Domain-incremental over pixel shuffles ({@code scenario.type = permuted-pixels}; pnr-spark's own, after the
 * "Permuted MNIST" of the continual-learning literature, not a setting of the reference). Domain 0 is the images as
 * they are; domain d ≥ 1 is one fixed shuffle of the pixel positions, the same for every channel. The training images
 * are dealt into T parts of all classes as the data-incremental split deals them (the same parts for the same
 * split_seed), the test images likewise, and part d belongs to domain d:
 * <ul>
 * <li>task t trains on training part t, each view cropped, jittered and normalised from the image as it is and then
 *     shuffled by domain t's order ({@link #shuffle}, in {@code train.TaskBatchLoader}), so that the two views of an
 *     image are shuffled alike and no augmentation undoes the shuffle;</li>
 * <li>evaluation sees every image of part d shuffled by domain d's order (the probes fit on the training images and
 *     test on the test images of all domains, {@code eval.FeatureExtraction}); column t of the accuracy matrix is test
 *     part t.</li>
 * </ul>
 * Everything follows from scenario.split_seed, so the driver and the executors derive the same parts and orders.
 */
public final class PermutedPixelsScenario {
    // distinct random streams for the test split's parts and the domains' orders, all from one split_seed
    private static final long TEST_STREAM = 0x5DEECE66DL;
    private static final long ORDER_STRIDE = 1_000_003L;

    private PermutedPixelsScenario() {}

    /** The tasks: training part t and test part t, all classes in each. */
    public static List<TaskSplit> split(int tasks, int numClasses, int trainSize, int testSize, long seed) {
        if (trainSize / tasks == 0 || testSize / tasks == 0) {
            throw new DataFormatException("scenario.tasks = " + tasks + " permuted-pixels tasks need at least " + tasks
                    + " training and test images, found " + trainSize + " and " + testSize);
        }
        int[] trainDomain = domains(trainSize, tasks, seed, false);
        int[] testDomain = domains(testSize, tasks, seed, true);
        List<Integer> classes = IntStream.range(0, numClasses).boxed().toList();
        List<TaskSplit> out = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            out.add(new TaskSplit(t, classes, of(trainDomain, t), of(testDomain, t),
                    "part " + (t + 1) + "/" + tasks + " of the images, all " + numClasses + " classes, "
                            + (t == 0 ? "pixels as they are" : "pixels shuffled (domain " + t + ")")));
        }
        return out;
    }

    /**
     * The domain (0..tasks-1) of each of the {@code size} images of a split: the data-incremental parts of a
     * permutation drawn from the seed (the test split's from a stream of its own), the remainder to domain 0.
     */
    public static int[] domains(int size, int tasks, long seed, boolean test) {
        int[] permutation = DataIncrementalScenario.permutation(size, test ? seed ^ TEST_STREAM : seed);
        int[] domain = new int[size];
        int start = 0;
        for (int t = 0; t < tasks; t++) {
            int length = DataIncrementalScenario.partSize(size, tasks, t);
            for (int i = start; i < start + length; i++) domain[permutation[i]] = t;
            start += length;
        }
        return domain;
    }

    /**
     * Domain d's order of the {@code pixels} positions of a channel: position i of a shuffled image holds position
     * order[i] of the image as it is. Null for domain 0 (no shuffle).
     */
    public static int[] pixelOrder(int domain, int pixels, long seed) {
        if (domain == 0) return null;
        return DataIncrementalScenario.permutation(pixels, seed * ORDER_STRIDE + domain);
    }

    /** The orders of domains 0..tasks-1 (null for domain 0), for one image size. */
    public static int[][] pixelOrders(int tasks, int pixels, long seed) {
        int[][] orders = new int[tasks][];
        for (int d = 0; d < tasks; d++) orders[d] = pixelOrder(d, pixels, seed);
        return orders;
    }

    /**
     * Shuffles one image of {@code channels} x {@code order.length} floats at {@code data[offset ..]} in place, every
     * channel by {@code order}; {@code scratch} holds at least {@code order.length} floats.
     */
    public static void shuffle(float[] data, int offset, int channels, int[] order, float[] scratch) {
        int pixels = order.length;
        for (int c = 0; c < channels; c++) {
            int base = offset + c * pixels;
            System.arraycopy(data, base, scratch, 0, pixels);
            for (int i = 0; i < pixels; i++) data[base + i] = scratch[order[i]];
        }
    }

    private static int[] of(int[] domainOf, int d) {
        return IntStream.range(0, domainOf.length).filter(i -> domainOf[i] == d).toArray();
    }
}
