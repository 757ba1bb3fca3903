package org.pnrspark.data;

import org.pnrspark.image.DecodedImage;
import org.pnrspark.util.Storage;

import java.io.IOException;

/**
 * A split of image files: the index in memory, each image read through the Hadoop FileSystem API (whole file or
 * shard range) when a minibatch needs it, its encoded bytes kept in a bounded per-JVM cache, and decoded to RGB.
 */
public final class FileImageSource implements ImageSource {
    private static final java.util.concurrent.atomic.AtomicLong SOURCES = new java.util.concurrent.atomic.AtomicLong();

    /** This split's part of the JVM's cache keys. */
    private final long cacheKey = SOURCES.incrementAndGet() << 32;
    private final ImageIndex index;
    private final Listing.Skipped skipped;
    private final Storage storage;
    private final ShardStreams shards;
    private final BytesCache cache;

    FileImageSource(Listing listing, Storage storage, long cacheBytes) {
        this.index = listing.index();
        this.skipped = listing.skippedEntries();
        this.storage = storage;
        this.shards = new ShardStreams(storage.conf());
        this.cache = BytesCache.shared(cacheBytes);
    }

    public ImageIndex index() {
        return index;
    }

    @Override
    public int size() {
        return index.size();
    }

    @Override
    public int label(int i) {
        return index.labels()[i];
    }

    @Override
    public int[] labels() {
        return index.labels().clone();
    }

    @Override
    public int domain(int i) {
        return index.domains()[i];
    }

    @Override
    public Listing.Skipped skipped() {
        return skipped;
    }

    /** The encoded bytes of image i (from the cache, or storage). */
    public byte[] bytes(int i) {
        byte[] bytes = cache.get(cacheKey | i);
        if (bytes != null) return bytes;
        try {
            bytes = index.read(i, storage, shards);
        } catch (IOException | RuntimeException e) {
            throw new BadImageException(index.describe(i), "cannot read: " + e, e);
        }
        cache.put(cacheKey | i, bytes);
        return bytes;
    }

    @Override
    public DecodedImage read(int i) {
        return ImageDecoder.decode(index.describe(i), bytes(i));
    }
}
