package org.pnrspark.testutil;

import org.apache.spark.sql.SparkSession;

/** One local[2] Spark session for every test in the JVM (starting Spark takes seconds). */
public final class SparkTestSession {
    private static SparkSession session;

    private SparkTestSession() {}

    public static synchronized SparkSession get() {
        if (session == null || session.sparkContext().isStopped()) {
            session = SparkSession.builder()
                    .master("local[2]")
                    .appName("pnr-spark tests")
                    .config("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                    .config("spark.kryo.registrator", org.pnrspark.train.SparkKryo.REGISTRATOR)
                    .config("spark.ui.enabled", "false")
                    .config("spark.ui.showConsoleProgress", "false")
                    .getOrCreate();
        }
        return session;
    }
}
