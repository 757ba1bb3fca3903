package org.pnrspark.bench;

import org.bytedeco.javacpp.Pointer;

import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;

/**
 * The peak memory of this JVM while a measurement runs, sampled every 20 ms by a daemon thread: the Java heap in
 * use, the process's resident memory (RSS), and the native part of it: RSS beyond what the JVM itself has committed
 * (heap, metaspace, code cache, direct buffers). ND4J allocates its arrays and workspaces with the native
 * allocator, outside JavaCPP's accounting, so the native part is how its off-heap memory shows (with the native
 * libraries' pages and thread stacks, a baseline of some 100 MB).
 */
final class MemoryPeaks implements AutoCloseable {
    /** Peaks in bytes. */
    record Peaks(long heap, long nativeBytes, long rss) {}

    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final Thread sampler;
    private volatile boolean running = true;
    private long heap, nativeBytes, rss;

    private MemoryPeaks() {
        sample();
        sampler = new Thread(() -> {
            while (running) {
                sample();
                try {
                    Thread.sleep(20);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "bench memory sampler");
        sampler.setDaemon(true);
        sampler.start();
    }

    static MemoryPeaks start() {
        return new MemoryPeaks();
    }

    private synchronized void sample() {
        long usedHeap = memory.getHeapMemoryUsage().getUsed();
        long jvm = memory.getHeapMemoryUsage().getCommitted() + memory.getNonHeapMemoryUsage().getCommitted();
        for (BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class)) {
            jvm += Math.max(0, pool.getMemoryUsed());
        }
        long resident = Pointer.physicalBytes();
        heap = Math.max(heap, usedHeap);
        rss = Math.max(rss, resident);
        // committed heap pages not yet touched are not resident: never below zero
        nativeBytes = Math.max(nativeBytes, Math.max(0, resident - jvm));
    }

    /** The peaks so far (the sampler keeps running). */
    synchronized Peaks peaks() {
        return new Peaks(heap, nativeBytes, rss);
    }

    @Override
    public void close() {
        running = false;
        sampler.interrupt();
        sample();
    }
}
