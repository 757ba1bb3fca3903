package org.pnrspark.data;

import org.pnrspark.config.DatasetKind;
import org.pnrspark.config.JobConfig;
import org.pnrspark.util.HadoopConf;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The split of the configured dataset that a JVM reads, built once per JVM: the decoded images of Fashion-MNIST and
 * CIFAR-100 ({@link ImageSetCache}), or, for image files, the index of the split (class folders, DomainNet lists, or
 * a packed dataset) whose images are read on demand. Driver and executors build the same index from the same files.
 */
public final class ImageSources {
    private static final Map<String, ImageSource> CACHE = new ConcurrentHashMap<>();

    private ImageSources() {}

    public static ImageSource get(JobConfig config, Split split, HadoopConf hadoop) {
        JobConfig.Data data = config.data();
        if (!data.dataset().imageFiles()) return ImageSetCache.get(data, split, hadoop);
        return CACHE.computeIfAbsent(key(config, split), k -> {
            try {
                return load(config, split, new Storage(hadoop.get()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot list the " + split.name().toLowerCase() + " split of "
                        + data.dataset().configName() + " under " + data.root() + ": " + e.getMessage(), e);
            }
        });
    }

    /** Builds a split's index now (on the driver, before Spark starts) and keeps it for the run. */
    public static ImageSource preload(JobConfig config, Split split, Storage storage) throws IOException {
        ImageSource source = load(config, split, storage);
        CACHE.put(key(config, split), source);
        return source;
    }

    private static String key(JobConfig config, Split split) {
        return config.data() + "|" + config.scenario().domains() + "|" + split;
    }

    static FileImageSource load(JobConfig config, Split split, Storage storage) throws IOException {
        JobConfig.Data data = config.data();
        JobConfig.ImageFiles files = data.images();
        Listing listing;
        if (PackedShards.isPacked(storage, data.root())) {
            listing = new Listing(packed(config, split, storage), 0, List.of());
        } else if (data.dataset() == DatasetKind.DOMAINNET) {
            listing = DomainNetLists.read(storage, data.root(), config.scenario().domains(), split, data.numClasses(),
                    files.skipBad());
        } else {
            String trainDir = Storage.child(data.root(), files.trainDir());
            List<String> classes = ClassFolders.classNames(storage, trainDir);
            if (classes.size() != data.numClasses()) {
                throw new DataFormatException(trainDir + ": " + classes.size() + " class folders ("
                        + ClassFolders.first(classes) + "), expected data.num_classes = " + data.numClasses()
                        + " for " + data.dataset().configName());
            }
            String dir = split == Split.TRAIN ? trainDir : Storage.child(data.root(), files.valDir());
            listing = ClassFolders.read(storage, dir, classes, files.skipBad());
        }
        int perClass = split == Split.TRAIN ? data.maxTrainPerClass() : data.maxTestPerClass();
        ImageIndex index = listing.index().firstPerClass(perClass, data.numClasses());
        if (index.size() == 0) {
            throw new DataFormatException(index.name() + ": the " + split.name().toLowerCase()
                    + " split holds no images");
        }
        return new FileImageSource(new Listing(index, listing.skipped(), listing.notes()), storage,
                (long) files.cacheMb() << 20);
    }

    private static ImageIndex packed(JobConfig config, Split split, Storage storage) throws IOException {
        JobConfig.Data data = config.data();
        PackedShards.checkManifest(storage, data.root(), data.dataset());
        String suffix = split == Split.TRAIN ? "train" : "test";
        if (data.dataset() != DatasetKind.DOMAINNET) {
            return PackedShards.read(storage, data.root(), suffix, 0, data.numClasses());
        }
        List<String> domains = config.scenario().domains();
        List<ImageIndex> parts = new ArrayList<>();
        for (int d = 0; d < domains.size(); d++) {
            parts.add(PackedShards.read(storage, data.root(), domains.get(d) + "_" + suffix, d, data.numClasses()));
        }
        return ImageIndex.concat(data.root() + " (" + suffix + ")", data.root(), parts);
    }
}
