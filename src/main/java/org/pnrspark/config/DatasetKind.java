package org.pnrspark.config;

import java.util.List;

/** The datasets pnr-spark reads, with their fixed geometry and default statistics. */
public enum DatasetKind implements Named {
    FASHION_MNIST("fashion-mnist", 10, 1, 28, 28, new double[] {0.2860}, new double[] {0.3530}),
    CIFAR100("cifar100", 100, 3, 32, 32,
            new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.247, 0.243, 0.261});

    /** CIFAR-100 class order of the reference: torch.randperm(100) after seed_everything(5), cut in 5 (PNR_SPEC §1.2). */
    public static final List<Integer> CIFAR100_SEED5_ORDER = List.of(
            11, 22, 39, 23, 42, 30, 78, 81, 64, 20, 29, 79, 15, 69, 86, 63, 55, 53, 73, 68,
            89, 67, 58, 97, 96, 92, 37, 14, 75, 51, 54, 7, 3, 6, 50, 40, 45, 4, 83, 98,
            27, 12, 8, 99, 60, 87, 28, 5, 84, 34, 82, 16, 72, 49, 59, 31, 71, 35, 66, 76,
            61, 17, 36, 62, 13, 2, 38, 94, 80, 19, 25, 18, 0, 1, 46, 74, 85, 91, 52, 77,
            21, 33, 32, 88, 93, 70, 44, 47, 26, 57, 90, 95, 48, 65, 43, 10, 9, 56, 24, 41);

    private final String configName;
    private final int numClasses;
    private final int channels;
    private final int height;
    private final int width;
    private final double[] mean;
    private final double[] std;

    DatasetKind(String configName, int numClasses, int channels, int height, int width, double[] mean, double[] std) {
        this.configName = configName;
        this.numClasses = numClasses;
        this.channels = channels;
        this.height = height;
        this.width = width;
        this.mean = mean;
        this.std = std;
    }

    @Override
    public String configName() {
        return configName;
    }

    public int numClasses() {
        return numClasses;
    }

    public int channels() {
        return channels;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public double[] defaultMean() {
        return mean.clone();
    }

    public double[] defaultStd() {
        return std.clone();
    }

    /** The class order used when scenario.class_order is empty. */
    public List<Integer> defaultClassOrder() {
        if (this == CIFAR100) return CIFAR100_SEED5_ORDER;
        return java.util.stream.IntStream.range(0, numClasses).boxed().toList();
    }
}
