package org.pnrspark.data;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A JVM's least-recently-used cache of encoded images, bounded in bytes and shared by the splits it reads: small
 * datasets are read once per JVM. Keys combine a split's number with the image's index.
 */
final class BytesCache {
    private static BytesCache shared;

    private final long capacity;
    private long used;
    private final LinkedHashMap<Long, byte[]> entries = new LinkedHashMap<>(16, 0.75f, true);

    BytesCache(long capacityBytes) {
        this.capacity = capacityBytes;
    }

    /** The JVM's cache; its capacity is data.cache_mb of the first run that asks for it. */
    static synchronized BytesCache shared(long capacityBytes) {
        if (shared == null) shared = new BytesCache(capacityBytes);
        return shared;
    }

    synchronized byte[] get(long key) {
        return entries.get(key);
    }

    synchronized void put(long key, byte[] value) {
        if (value.length > capacity) return;
        byte[] old = entries.put(key, value);
        if (old != null) used -= old.length;
        used += value.length;
        var it = entries.entrySet().iterator();
        while (used > capacity && it.hasNext()) {
            Map.Entry<Long, byte[]> eldest = it.next();
            used -= eldest.getValue().length;
            it.remove();
        }
    }
}
