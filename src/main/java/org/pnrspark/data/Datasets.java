package org.pnrspark.data;

import org.pnrspark.config.DatasetKind;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds and decodes the files of a dataset: under {@code data.root} through the Hadoop FileSystem API, or the
 * Fashion-MNIST sample bundled in the jar when {@code data.root = "sample"}.
 */
public final class Datasets {
    /** Classpath folder of the bundled Fashion-MNIST sample (see the README in that folder). */
    public static final String SAMPLE_RESOURCE = "/datasets/fashion-mnist-sample/";

    private Datasets() {}

    /** The file names a dataset needs for a split, in the order they are read. */
    static List<String> fileNames(DatasetKind kind, Split split) {
        return switch (kind) {
            case FASHION_MNIST -> split == Split.TRAIN
                    ? List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte")
                    : List.of("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");
            case CIFAR100 -> List.of(split == Split.TRAIN ? "train.bin" : "test.bin");
            default -> throw new IllegalArgumentException(kind.configName() + " is read by ImageSources");
        };
    }

    /**
     * Checks, before Spark starts, that the dataset can be read: the files of Fashion-MNIST and CIFAR-100; for image
     * files, the whole layout (class folders or lists, every listed file, labels), whose index is kept for the run.
     */
    public static void checkReadable(JobConfig config, Storage storage) throws IOException {
        JobConfig.Data data = config.data();
        if (!data.dataset().imageFiles()) {
            checkReadable(data, storage);
            return;
        }
        if (data.bundledSample() || !storage.exists(data.root())) {
            throw InvalidConfigException.expected("data.root", data.root(), "",
                    "the directory of the " + data.dataset().configName() + " dataset (docs/running.md: Image datasets)");
        }
        for (Split split : Split.values()) ImageSources.preload(config, split, storage);
    }

    /**
     * Checks, before any training starts, that every file the run needs is present and readable; the error
     * names data.root and the missing files.
     */
    public static void checkReadable(JobConfig.Data data, Storage storage) {
        if (data.bundledSample()) {
            if (data.dataset() != DatasetKind.FASHION_MNIST) {
                throw InvalidConfigException.expected("data.root", data.root(), "",
                        "a path to the " + data.dataset().configName() + " files (the bundled sample is Fashion-MNIST)");
            }
            return;
        }
        List<String> missing = new ArrayList<>();
        for (Split split : Split.values()) {
            for (String name : fileNames(data.dataset(), split)) {
                try {
                    locate(data, name, storage);
                } catch (IOException | DataFormatException e) {
                    missing.add(name);
                }
            }
        }
        if (!missing.isEmpty()) {
            String expected = data.dataset() == DatasetKind.FASHION_MNIST
                    ? "a directory holding the Fashion-MNIST IDX files (plain or .gz), e.g. /usr/share/datasets/fashion-mnist"
                    : "a directory holding train.bin and test.bin of the CIFAR-100 binary version";
            throw InvalidConfigException.expected("data.root", data.root(), "",
                    expected + "; cannot read " + String.join(", ", missing));
        }
    }

    /** Reads and decodes one split, applying data.max_*_per_class. */
    public static ImageSet load(JobConfig.Data data, Split split, Storage storage) throws IOException {
        DatasetKind kind = data.dataset();
        List<String> names = fileNames(kind, split);
        ImageSet set = switch (kind) {
            case FASHION_MNIST -> readIdx(data, names.get(0), names.get(1), storage);
            default -> {
                String file = locate(data, names.get(0), storage);
                try (InputStream in = storage.open(file)) {
                    yield Cifar100BinaryReader.read(file, in, storage.size(file),
                            split == Split.TRAIN ? Cifar100BinaryReader.TRAIN_RECORDS : Cifar100BinaryReader.TEST_RECORDS);
                }
            }
        };
        int perClass = split == Split.TRAIN ? data.maxTrainPerClass() : data.maxTestPerClass();
        return set.firstPerClass(perClass, kind.numClasses());
    }

    private static ImageSet readIdx(JobConfig.Data data, String imagesName, String labelsName, Storage storage)
            throws IOException {
        String imagesFile = locate(data, imagesName, storage);
        String labelsFile = locate(data, labelsName, storage);
        IdxReader.Images images;
        byte[] labels;
        try (InputStream in = open(data, imagesFile, storage)) {
            images = IdxReader.readImages(imagesFile, in);
        }
        try (InputStream in = open(data, labelsFile, storage)) {
            labels = IdxReader.readLabels(labelsFile, in, data.dataset().numClasses());
        }
        DatasetKind kind = data.dataset();
        if (images.rows() != kind.height() || images.cols() != kind.width()) {
            throw new DataFormatException(imagesFile + ": images are " + images.rows() + "x" + images.cols()
                    + ", expected " + kind.height() + "x" + kind.width() + " for " + kind.configName());
        }
        if (labels.length != images.count()) {
            throw new DataFormatException(labelsFile + ": " + labels.length + " labels for the " + images.count()
                    + " images of " + imagesFile + ", expected as many labels as images");
        }
        int[] intLabels = new int[labels.length];
        for (int i = 0; i < labels.length; i++) intLabels[i] = labels[i] & 0xff;
        return new ImageSet(imagesFile, images.pixels(), intLabels, 1, images.rows(), images.cols());
    }

    /** The full name of a file of the dataset: the plain name if present, else the gzipped one. */
    private static String locate(JobConfig.Data data, String name, Storage storage) throws IOException {
        if (data.bundledSample()) {
            String resource = SAMPLE_RESOURCE + name + ".gz";
            if (Datasets.class.getResource(resource) == null) {
                throw new DataFormatException("bundled sample file " + resource + " is missing from the jar");
            }
            return "classpath:" + resource;
        }
        String plain = Storage.child(data.root(), name);
        if (storage.isFile(plain)) return plain;
        String gz = plain + ".gz";
        if (storage.isFile(gz)) return gz;
        throw new DataFormatException("data.root = " + data.root() + ": neither " + plain + " nor " + gz + " exists");
    }

    private static InputStream open(JobConfig.Data data, String file, Storage storage) throws IOException {
        if (data.bundledSample()) {
            return Datasets.class.getResourceAsStream(file.substring("classpath:".length()));
        }
        return storage.open(file);
    }
}
