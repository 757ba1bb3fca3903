package org.pnrspark.data;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.apache.spark.util.LongAccumulator;
import org.pnrspark.util.HadoopConf;

import java.io.Serializable;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What executors need to reach the images: the driver's Hadoop configuration, and the counters through which they
 * report images skipped under {@code data.bad_images = skip}, so that the driver can print them after the task.
 */
public final class ImageAccess implements Serializable {
    /** Examples each JVM sends to the driver, at most: the count is exact, the examples are a sample. */
    private static final int EXAMPLES_PER_JVM = 20;
    private static final AtomicInteger EXAMPLES_SENT = new AtomicInteger();

    private final Broadcast<HadoopConf> hadoop;
    private final LongAccumulator skipped;
    private final CollectionAccumulator<String> examples;

    private ImageAccess(Broadcast<HadoopConf> hadoop, LongAccumulator skipped, CollectionAccumulator<String> examples) {
        this.hadoop = hadoop;
        this.skipped = skipped;
        this.examples = examples;
    }

    public static ImageAccess create(JavaSparkContext sc) {
        return new ImageAccess(sc.broadcast(new HadoopConf(sc.hadoopConfiguration())),
                sc.sc().longAccumulator("skipped images"), sc.sc().collectionAccumulator("skipped image examples"));
    }

    public HadoopConf value() {
        return hadoop.value();
    }

    /** Executor side: one image skipped. */
    public void skipped(BadImageException e) {
        skipped.add(1);
        if (EXAMPLES_SENT.incrementAndGet() <= EXAMPLES_PER_JVM) examples.add(e.getMessage());
    }

    /**
     * Driver side: a sentence on the images skipped since the last call (null if none), and the counters reset.
     */
    public String takeSkipReport() {
        long n = skipped.value();
        if (n == 0) return null;
        List<String> seen = List.copyOf(new LinkedHashSet<>(examples.value()));
        skipped.reset();
        examples.reset();
        return n + " unreadable image(s) skipped (data.bad_images = skip), e.g. "
                + String.join("; ", seen.subList(0, Math.min(3, seen.size())));
    }

    public void destroy() {
        hadoop.destroy();
    }
}
