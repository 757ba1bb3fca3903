package org.pnrspark.train;

import org.apache.hadoop.conf.Configuration;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import org.pnrspark.config.JobConfig;

import java.util.Map;

/** The Spark session of a run, and the Hadoop configuration used before Spark starts. */
public final class SparkSessions {
    /** How many sessions this JVM asked for: "nothing reached Spark" is checkable even when a session runs. */
    private static final java.util.concurrent.atomic.AtomicInteger REQUESTED = new java.util.concurrent.atomic.AtomicInteger();

    private SparkSessions() {}

    public static int requested() {
        return REQUESTED.get();
    }

    /**
     * A session whose master comes from spark-submit when it sets one, else from spark.master of the
     * configuration; Kryo with pnr-spark's registrator ({@link SparkKryo}); the configuration's spark.conf properties on top.
     */
    public static SparkSession create(JobConfig config, String strategies) {
        REQUESTED.incrementAndGet();
        SparkConf conf = new SparkConf()
                .setAppName("pnr-spark " + config.run().name() + " (" + config.method().name() + ", " + strategies + ")")
                .setIfMissing("spark.master", config.spark().master())
                .setIfMissing("spark.serializer", "org.apache.spark.serializer.KryoSerializer")
                .setIfMissing("spark.kryo.registrator", SparkKryo.REGISTRATOR)
                .setIfMissing("spark.ui.showConsoleProgress", "false");
        for (Map.Entry<String, String> e : config.spark().conf().entrySet()) conf.set(e.getKey(), e.getValue());
        return SparkSession.builder().config(conf).getOrCreate();
    }

    /**
     * The Hadoop configuration the driver has before Spark starts: the defaults and site files on the classpath,
     * plus every spark.hadoop.* property (from spark-submit's system properties and from spark.conf), as Spark
     * itself will apply them.
     */
    public static Configuration hadoopConfigurationBeforeSpark(JobConfig config) {
        Configuration conf = new Configuration();
        for (String name : System.getProperties().stringPropertyNames()) {
            if (name.startsWith("spark.hadoop.")) conf.set(name.substring(13), System.getProperty(name));
        }
        for (Map.Entry<String, String> e : config.spark().conf().entrySet()) {
            if (e.getKey().startsWith("spark.hadoop.")) conf.set(e.getKey().substring(13), e.getValue());
        }
        return conf;
    }
}
