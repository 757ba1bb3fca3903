package org.pnrspark.data;

import java.util.LinkedHashMap;
import java.util.Map;

/** A JVM's least-recently-used cache of encoded images, bounded in bytes: small datasets are read once per JVM. */
final class BytesCache {
    private final long capacity;
    private long used;
    private final LinkedHashMap<Integer, byte[]> entries = new LinkedHashMap<>(16, 0.75f, true);

    BytesCache(long capacityBytes) {
        this.capacity = capacityBytes;
    }

    synchronized byte[] get(int key) {
        return entries.get(key);
    }

    synchronized void put(int key, byte[] value) {
        if (value.length > capacity) return;
        byte[] old = entries.put(key, value);
        if (old != null) used -= old.length;
        used += value.length;
        var it = entries.entrySet().iterator();
        while (used > capacity && it.hasNext()) {
            Map.Entry<Integer, byte[]> eldest = it.next();
            used -= eldest.getValue().length;
            it.remove();
        }
    }
}
