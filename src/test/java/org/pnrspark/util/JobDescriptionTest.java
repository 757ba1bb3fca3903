package org.pnrspark.util;

import org.apache.spark.SparkContext;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.scheduler.SparkListener;
import org.apache.spark.scheduler.SparkListenerJobStart;
import org.junit.jupiter.api.Test;
import org.pnrspark.testutil.SparkTestSession;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

/** A phase's description names the jobs started in it, and the one around it returns when it ends. */
class JobDescriptionTest {
    @Test
    void namesTheJobsOfAPhaseAndRestoresTheOneBefore() throws Exception {
        SparkContext sc = SparkTestSession.get().sparkContext();
        List<String> seen = new CopyOnWriteArrayList<>();
        SparkListener listener = new SparkListener() {
            @Override
            public void onJobStart(SparkListenerJobStart start) {
                String d = start.properties() == null ? null : start.properties().getProperty(JobDescription.PROPERTY);
                seen.add(d == null ? "(none)" : d);
            }
        };
        sc.addSparkListener(listener);
        try {
            JavaSparkContext jsc = JavaSparkContext.fromSparkContext(sc);
            sc.setJobDescription("task 1/2");
            try (JobDescription features = JobDescription.of(sc, "task 1/2 · evaluation · features")) {
                jsc.parallelize(List.of(1, 2, 3)).count();
                try (JobDescription inner = JobDescription.of(sc, "task 1/2 · evaluation · linear probe")) {
                    jsc.parallelize(List.of(1, 2, 3)).count();
                }
                jsc.parallelize(List.of(1, 2, 3)).count();
            }
            assertEquals("task 1/2", sc.getLocalProperty(JobDescription.PROPERTY));
            sc.setJobDescription(null);
            try (JobDescription d = JobDescription.of(sc, "random init · evaluation · features")) {
                jsc.parallelize(List.of(1)).count();
            }
            assertNull(sc.getLocalProperty(JobDescription.PROPERTY));
            sc.listenerBus().waitUntilEmpty();
        } finally {
            sc.removeSparkListener(listener);
        }
        assertEquals(List.of("task 1/2 · evaluation · features", "task 1/2 · evaluation · linear probe",
                "task 1/2 · evaluation · features", "random init · evaluation · features"), seen);
    }
}
