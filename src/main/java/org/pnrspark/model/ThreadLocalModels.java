package org.pnrspark.model;

import org.apache.spark.SparkEnv;
import org.deeplearning4j.nn.graph.ComputationGraph;

import java.util.function.Supplier;

/**
 * Executor-side networks built from broadcasts, one per thread (DL4J networks are not thread-safe) and only the
 * latest per thread and kind, so that a long run does not accumulate the networks of finished tasks.
 *
 * <p>A network is known by its Spark application and broadcast id: broadcast ids restart at 0 in every
 * SparkContext, and a thread that outlives one (the driver's, in local mode) must not take the network of a
 * stopped context's broadcast for the new context's broadcast of the same id.
 */
public final class ThreadLocalModels {
    private record Entry(String application, long broadcastId, ComputationGraph net) {}

    private final ThreadLocal<Entry> current = new ThreadLocal<>();

    public ComputationGraph get(long broadcastId, Supplier<ComputationGraph> build) {
        SparkEnv env = SparkEnv.get();
        return get(env == null ? "" : env.conf().get("spark.app.id", ""), broadcastId, build);
    }

    ComputationGraph get(String application, long broadcastId, Supplier<ComputationGraph> build) {
        Entry e = current.get();
        if (e == null || e.broadcastId() != broadcastId || !e.application().equals(application)) {
            e = new Entry(application, broadcastId, build.get());
            current.set(e);
        }
        return e.net();
    }
}
