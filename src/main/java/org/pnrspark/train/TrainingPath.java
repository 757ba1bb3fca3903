package org.pnrspark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.spark.api.Repartition;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.pnrspark.config.JobConfig;
import org.pnrspark.model.ModelSnapshot;

import java.util.ArrayList;
import java.util.List;

/**
 * The parts of a task's training path that the trainer, {@code bench --spark} and the tests must build alike: how
 * many workers train, the parameter-averaging master, and the teachers the minibatch loader runs, in their order.
 */
public final class TrainingPath {
    private TrainingPath() {}

    /**
     * The training replicas: {@code spark.workers}, or when it is 0 the task slots of a local-cluster master, else
     * the Spark context's default parallelism.
     */
    public static int workers(JobConfig config, JavaSparkContext sc) {
        if (config.spark().workers() > 0) return config.spark().workers();
        // a local-cluster's executors may still be registering, when Spark's default parallelism counts fewer
        return SparkSessions.localClusterSlots(sc.master()).orElseGet(sc::defaultParallelism);
    }

    /**
     * The parameter-averaging master: {@code workers} replicas of {@code spark.batch_size_per_worker} examples a
     * step, averaged with their optimizer state every {@code spark.averaging_frequency} steps, each partition trained
     * where it lies; with {@code collectStats}, dl4j-spark's timing of its phases (the bench's).
     */
    public static ParameterAveragingTrainingMaster master(JobConfig config, int workers, long seed,
            boolean collectStats) {
        int batch = config.spark().batchSizePerWorker();
        return new ParameterAveragingTrainingMaster.Builder(workers, batch)
                .batchSizePerWorker(batch)
                .averagingFrequency(config.spark().averagingFrequency())
                .saveUpdater(true)
                // no prefetch thread: with one, dl4j-spark's AsyncDataSetIterator hung when the loader ran the
                // frozen model (measured on M2); minibatches are built in the training thread instead
                .workerPrefetchNumBatches(0)
                .repartionData(Repartition.Never)
                .rngSeed(seed)
                .collectTrainingStats(collectStats)
                .build();
    }

    /**
     * The teachers of a round, in the order the loss layer reads their outputs: the momentum target (in train
     * mode, as the reference's) then the frozen previous model; either may be null.
     */
    public static List<TaskBatchLoader.Target> teachers(Broadcast<ModelSnapshot> momentum,
            Broadcast<ModelSnapshot> frozen, boolean frozenBatchStatistics) {
        List<TaskBatchLoader.Target> targets = new ArrayList<>();
        if (momentum != null) targets.add(new TaskBatchLoader.Target(momentum, true));
        if (frozen != null) targets.add(new TaskBatchLoader.Target(frozen, frozenBatchStatistics));
        return targets;
    }
}
