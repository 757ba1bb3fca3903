package org.pnrspark.model;

import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.method.Methods;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

/** A thread's cached network is reused for the same broadcast of the same application only. */
class ThreadLocalModelsTest {
    @Test
    void aNewApplicationsBroadcastOfTheSameIdIsBuiltAgain() {
        ThreadLocalModels models = new ThreadLocalModels();
        AtomicInteger builds = new AtomicInteger();
        var conf = Methods.of(ConfigLoader.load(List.of(), List.of())).online(0);
        Supplier<ComputationGraph> build = () -> {
            builds.incrementAndGet();
            return new ComputationGraph(conf);
        };
        ComputationGraph first = models.get("local-1", 0, build);
        assertSame(first, models.get("local-1", 0, build));
        assertEquals(1, builds.get());
        ComputationGraph second = models.get("local-2", 0, build); // a new SparkContext: ids start at 0 again
        assertNotSame(first, second);
        assertEquals(2, builds.get());
        assertNotSame(second, models.get("local-2", 1, build));
        assertEquals(3, builds.get());
    }
}
