package org.pnrspark.train;

import org.junit.jupiter.api.Test;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The task slots of a local-cluster master, which decide the run's workers before its executors register. */
class SparkSessionsTest {
    @Test
    void localClusterSlotsAreExecutorsTimesCores() {
        assertEquals(OptionalInt.of(4), SparkSessions.localClusterSlots("local-cluster[4,1,2048]"));
        assertEquals(OptionalInt.of(6), SparkSessions.localClusterSlots(" local-cluster[ 3 , 2 , 1024 ] "));
        assertEquals(OptionalInt.empty(), SparkSessions.localClusterSlots("local[4]"));
        assertEquals(OptionalInt.empty(), SparkSessions.localClusterSlots("spark://host:7077"));
        assertEquals(OptionalInt.empty(), SparkSessions.localClusterSlots("local-cluster[4,1]"));
    }
}
