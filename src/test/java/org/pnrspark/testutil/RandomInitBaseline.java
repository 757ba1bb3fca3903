package org.pnrspark.testutil;

import com.fasterxml.jackson.databind.JsonNode;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A short run's accuracy against its own random-initialisation row: on Fashion-MNIST the random features already
 * give about 73–80 % on the linear probe, so "above chance" says nothing; a run that barely trains should at
 * least not lose what it started from.
 */
public final class RandomInitBaseline {
    /**
     * The most a tiny run's linear probe (on all classes) may end below its random-init row: a check against
     * collapse (a constant or NaN encoder), not of learning (LearningTest). Measured over the tiny runs of
     * EndToEndTest and MethodStrategyMatrixTest (docs/results.md, "Learning tests"): at most 2.25 points below
     * (BYOL); the margin is about twice that.
     */
    public static final double MAX_DROP = 0.05;

    private RandomInitBaseline() {}

    /** Every task's linear probe on all classes is at most {@link #MAX_DROP} below the random-init row. */
    public static void assertNotBelow(JsonNode results, String run) {
        JsonNode randomInit = results.get("random_init");
        assertTrue(randomInit != null && randomInit.has("accuracy_all"), run + ": no random-init row to compare with");
        double random = randomInit.get("accuracy_all").asDouble();
        for (JsonNode task : results.get("tasks")) {
            double all = task.get("accuracy_all").asDouble();
            System.out.printf("%s: task %d linear probe %.4f, random init %.4f%n", run, task.get("task").asInt(), all,
                    random);
            assertTrue(all >= random - MAX_DROP, run + ": the linear probe after task " + task.get("task") + " is "
                    + all + ", more than " + MAX_DROP + " below the random initialisation's " + random);
        }
    }
}
