package org.pnrspark.config;

import java.util.List;

/** The datasets pnr-spark reads, with their fixed geometry and default statistics. */
public enum DatasetKind implements Named {
    FASHION_MNIST("fashion-mnist", 10, 1, 28, 28, new double[] {0.2860}, new double[] {0.3530}),
    CIFAR100("cifar100", 100, 3, 32, 32,
            new double[] {0.4914, 0.4822, 0.4465}, new double[] {0.247, 0.243, 0.261}),
    /** Class folders {@code <root>/<train_dir|val_dir>/<wnid>/<image>}; 224x224 crops; std 0.228 as the reference. */
    IMAGENET100("imagenet100", 100, 3, 224, 224, Stats.IMAGENET_MEAN, Stats.IMAGENET_STD),
    /** {@code <root>/<domain>_train.txt} and {@code _test.txt} lists of "relative/path label". */
    DOMAINNET("domainnet", 345, 3, 224, 224, Stats.IMAGENET_MEAN, Stats.IMAGENET_STD),
    /** The user's own class folders, laid out as ImageNet's; data.num_classes says how many. */
    IMAGE_FOLDER("image-folder", 0, 3, 224, 224, Stats.IMAGENET_MEAN, Stats.IMAGENET_STD);

    /** The reference's ImageNet-100 / DomainNet normalisation (docs/reference.md §6.2, §11.11: 0.228, not 0.229). */
    private static final class Stats {
        static final double[] IMAGENET_MEAN = {0.485, 0.456, 0.406};
        static final double[] IMAGENET_STD = {0.228, 0.224, 0.225};
    }

    /**
     * CIFAR-100 class order of the reference: torch.randperm(100) after seed_everything(5), cut in 5
     * (docs/reference.md §1.2).
     */
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

    /** Whether images are files decoded on the executors (JPEG, PNG), cropped to data.image_size. */
    public boolean imageFiles() {
        return this == IMAGENET100 || this == DOMAINNET || this == IMAGE_FOLDER;
    }

    /**
     * The class order used when scenario.class_order is empty: the reference's seed-5 permutation for 100 classes
     * (CIFAR-100 and ImageNet-100 draw the same torch.randperm(100)), else 0..C-1.
     */
    public static List<Integer> defaultClassOrder(DatasetKind kind, int numClasses) {
        if ((kind == CIFAR100 || kind == IMAGENET100) && numClasses == 100) return CIFAR100_SEED5_ORDER;
        return java.util.stream.IntStream.range(0, numClasses).boxed().toList();
    }
}
