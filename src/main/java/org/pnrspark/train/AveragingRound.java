package org.pnrspark.train;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.util.CollectionAccumulator;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.Networks;

import java.util.ArrayList;
import java.util.List;

/**
 * One averaging round of a task on the driver: broadcast what the executors' loaders need besides the images (the
 * momentum target's parameters, a snapshot of MoCo's queues), train one {@code fitPaths} call of exactly one
 * partition of minibatches per worker with parameter averaging, then bring the driver's state up to the averaged
 * network: the keys the workers queued, the momentum target's EMA step.
 */
final class AveragingRound {
    private final JavaSparkContext sc;
    private final JobConfig config;
    private final ImageAccess imageAccess;
    private final SparkComputationGraph sparkNet;
    private final int task;
    private final int workers;
    private final Broadcast<ModelSnapshot> frozen;
    private final ComputationGraph momentum;
    private final SslMethod.MomentumTarget momentumSpec;
    private final long totalSteps;
    private final KeyQueues queues;
    private final int queueCount;
    private final CollectionAccumulator<QueueWrite> queueWrites;

    /**
     * @param frozen       the frozen previous model, broadcast once per task (or null)
     * @param momentum     the momentum target, updated here after every round (or null)
     * @param momentumSpec its τ schedule (null without a target)
     * @param totalSteps   the task's steps per worker, over which τ follows its schedule
     * @param queues       MoCo's queues, updated here after every round (or null)
     */
    AveragingRound(JavaSparkContext sc, JobConfig config, ImageAccess imageAccess, SparkComputationGraph sparkNet, int task,
            int workers, Broadcast<ModelSnapshot> frozen, ComputationGraph momentum,
            SslMethod.MomentumTarget momentumSpec, long totalSteps, KeyQueues queues, int queueCount) {
        this.sc = sc;
        this.config = config;
        this.imageAccess = imageAccess;
        this.sparkNet = sparkNet;
        this.task = task;
        this.workers = workers;
        this.frozen = frozen;
        this.momentum = momentum;
        this.momentumSpec = momentumSpec;
        this.totalSteps = totalSteps;
        this.queues = queues;
        this.queueCount = queueCount;
        this.queueWrites = queues == null ? null : sc.sc().<QueueWrite>collectionAccumulator("queued keys");
    }

    /**
     * Trains round {@code round} of {@code epoch}: the minibatches {@code paths}, the first of them the epoch's
     * minibatch {@code first}, after {@code stepsBefore} steps per worker of the task; returns the averaged score.
     */
    double run(int epoch, int round, List<String> paths, int first, boolean frozenBatchStatistics, long stepsBefore) {
        int batch = config.spark().batchSizePerWorker();
        Broadcast<ModelSnapshot> target = momentum == null ? null : sc.broadcast(ModelSnapshot.of(momentum));
        List<TaskBatchLoader.Target> targets = TrainingPath.teachers(target, frozen, frozenBatchStatistics);
        int roundSteps = paths.size() / workers;
        QueueRound queueRound = null;
        if (queues != null) {
            queueWrites.reset();
            long[] pointers = new long[queueCount];
            for (int q = 0; q < queueCount; q++) pointers[q] = queues.pointer(q);
            queueRound = new QueueRound(sc.broadcast(queues.snapshot(queueCount)), pointers, first,
                    roundSteps, workers, batch, queueWrites);
        }
        // the second minibatch of the round, so that the failing attempt has trained one already
        JobConfig.Fault fault = config.fault();
        var faults = new TaskBatchLoader.InjectedFaults(
                fault.failAttempt().matches(task, epoch, round) ? first + Math.min(1, paths.size() - 1) : -1,
                fault.nanInput().matches(task, epoch, round) ? first : -1);
        JavaRDD<String> rdd = sc.parallelize(paths, workers);
        sparkNet.fitPaths(rdd, new TaskBatchLoader(config, imageAccess, targets, queueRound, faults));
        rdd.unpersist(false);
        if (queueRound != null) {
            queues.apply(queueWrites.value(), queueCount, queueRound);
            queueRound.start().destroy();
        }
        if (target != null) {
            target.destroy();
            // the reference updates the target after every step; here after every round, with the τ of
            // each of the round's steps compounded, towards the averaged online parameters
            Networks.emaUpdate(momentum, sparkNet.getNetwork(),
                    momentumSpec.keepOverSteps(stepsBefore, roundSteps, totalSteps));
        }
        return sparkNet.getScore();
    }
}
