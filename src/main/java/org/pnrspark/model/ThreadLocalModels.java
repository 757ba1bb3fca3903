package org.pnrspark.model;

import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.function.Supplier;

/**
 * Executor-side networks built from broadcasts, one per thread (DL4J networks are not thread-safe) and only the
 * latest per thread and kind, so that a long run does not accumulate the networks of finished tasks.
 */
public final class ThreadLocalModels {
    private record Entry(long broadcastId, ComputationGraph net) {}

    private final ThreadLocal<Entry> current = new ThreadLocal<>();

    public ComputationGraph get(long broadcastId, Supplier<ComputationGraph> build) {
        Entry e = current.get();
        if (e == null || e.broadcastId() != broadcastId) {
            e = new Entry(broadcastId, build.get());
            current.set(e);
        }
        return e.net();
    }
}
