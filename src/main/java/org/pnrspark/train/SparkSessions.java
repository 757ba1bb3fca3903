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
        SparkSession session = SparkSession.builder().config(conf).getOrCreate();
        awaitLocalClusterExecutors(session, EXECUTOR_START_SECONDS);
        return session;
    }

    /** How long a local-cluster master's executor JVMs may take to start and register. */
    static final int EXECUTOR_START_SECONDS = 180;

    private static final java.util.regex.Pattern LOCAL_CLUSTER =
            java.util.regex.Pattern.compile("local-cluster\\[\\s*(\\d+)\\s*,\\s*(\\d+)\\s*,\\s*(\\d+)\\s*]");

    /**
     * The task slots (executors x cores each) of Spark's {@code local-cluster[N,cores,MB]} master, which runs N
     * executor JVMs on this machine; empty for any other master.
     */
    public static java.util.OptionalInt localClusterSlots(String master) {
        java.util.regex.Matcher m = LOCAL_CLUSTER.matcher(master.trim());
        if (!m.matches()) return java.util.OptionalInt.empty();
        return java.util.OptionalInt.of(Integer.parseInt(m.group(1)) * Integer.parseInt(m.group(2)));
    }

    /**
     * Under a local-cluster master, waits until its N executors have registered, so that the first round is
     * spread over all of them (Spark schedules on the executors it has) and the run's worker count is the
     * master's; a clear error when they do not start (a missing Spark installation, too little memory).
     */
    static void awaitLocalClusterExecutors(SparkSession session, int seconds) {
        String master = session.sparkContext().master();
        java.util.regex.Matcher m = LOCAL_CLUSTER.matcher(master.trim());
        if (!m.matches()) return;
        int expected = Integer.parseInt(m.group(1));
        long deadline = System.nanoTime() + seconds * 1_000_000_000L;
        int registered;
        while ((registered = session.sparkContext().statusTracker().getExecutorInfos().length - 1) < expected) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(String.format(java.util.Locale.ROOT, "spark.master %s: %d of its %d "
                        + "executors registered within %d s; its workers start executor JVMs from SPARK_HOME (%s), "
                        + "each with spark.executor.memory (%s) at most the master's MB; see the executors' logs "
                        + "under SPARK_HOME/work", master, registered, expected, seconds,
                        System.getenv().getOrDefault("SPARK_HOME", "not set"),
                        session.sparkContext().getConf().get("spark.executor.memory", "1g")));
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for the executors of " + master, e);
            }
        }
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
