package org.pnrspark.data;

import org.pnrspark.config.JobConfig;
import org.pnrspark.util.HadoopConf;
import org.pnrspark.util.Storage;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One decoded copy of each dataset split per JVM: executors read the files once and serve every minibatch of
 * every task and epoch from memory (in local mode, driver and executors share this copy).
 */
public final class ImageSetCache {
    private static final Map<String, ImageSet> CACHE = new ConcurrentHashMap<>();

    private ImageSetCache() {}

    public static ImageSet get(JobConfig.Data data, Split split, HadoopConf hadoop) {
        String key = data.dataset().configName() + '|' + data.root() + '|' + split + '|'
                + data.maxTrainPerClass() + '|' + data.maxTestPerClass();
        return CACHE.computeIfAbsent(key, k -> {
            try {
                return Datasets.load(data, split, new Storage(hadoop.get()));
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + split.name().toLowerCase() + " split of "
                        + data.dataset().configName() + " under " + data.root() + ": " + e.getMessage(), e);
            }
        });
    }
}
