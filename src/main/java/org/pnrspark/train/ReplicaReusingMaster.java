package org.pnrspark.train;

import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.core.storage.StatsStorageRouterProvider;
import org.deeplearning4j.nn.api.Layer;
import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.conf.graph.GraphVertex;
import org.deeplearning4j.nn.conf.graph.LayerVertex;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.optimize.api.TrainingListener;
import org.deeplearning4j.spark.api.TrainingHook;
import org.deeplearning4j.spark.api.WorkerConfiguration;
import org.deeplearning4j.spark.api.worker.NetBroadcastTuple;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingWorker;
import org.deeplearning4j.spark.impl.paramavg.stats.ParameterAveragingTrainingWorkerStats;
import org.nd4j.linalg.factory.Nd4j;

import java.lang.reflect.Field;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Collection;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;

/**
 * dl4j-spark's parameter averaging, but each worker thread keeps its network replica from one round to the next.
 *
 * <p>dl4j-spark's worker builds a new network from the broadcast configuration every round (configuration clone,
 * layer construction, three fresh buffers of the parameters' size): most of a round's set-up time on each worker,
 * 0.3 s for ResNet-18 (docs/performance.md). Here a worker whose thread holds a replica of the same configuration
 * only copies the round's averaged parameters and optimizer state into it and resets its step counters, which is what
 * the new network would have held; the arithmetic of the round is the same. The configuration's identity is a hash of
 * its JSON with the step counters zeroed, computed on the driver once per round: an epoch's learning rate or a new
 * task's heads give another hash, and the replica is built again.
 *
 * <p>One replica per thread, never shared: in local[N] the N workers are N threads of one JVM, and a worker's result
 * holds its replica's live arrays until Spark has serialised it, which happens before the thread takes another task.
 */
final class ReplicaReusingMaster extends ParameterAveragingTrainingMaster {
    /** Replicas built and reused in this JVM (the executors' side), for the tests and the bench. */
    static final AtomicLong BUILT = new AtomicLong(), REUSED = new AtomicLong();

    ReplicaReusingMaster(Builder builder) {
        super(builder);
    }

    @Override
    public ParameterAveragingTrainingWorker getWorkerInstance(SparkComputationGraph graph) {
        // as dl4j-spark's own (its worker's broadcast field is private), plus the configuration's identity
        ComputationGraph net = graph.getNetwork();
        NetBroadcastTuple tuple = new NetBroadcastTuple(net.getConfiguration(), net.params(),
                net.getUpdater().getStateViewArray());
        if (collectTrainingStats) stats.logBroadcastStart();
        Broadcast<NetBroadcastTuple> broadcast = graph.getSparkContext().broadcast(tuple);
        if (collectTrainingStats) stats.logBroadcastEnd();
        WorkerConfiguration configuration = new WorkerConfiguration(true, rddDataSetNumExamples, batchSizePerWorker,
                averagingFrequency, prefetchNumBatches, collectTrainingStats);
        return new Worker(broadcast, saveUpdater, configuration, trainingHookList, listeners, getRouterProvider(),
                configurationKey(net.getConfiguration()));
    }

    /** A hash of the configuration as JSON, its step counters (which the driver advances every round) zeroed. */
    static String configurationKey(ComputationGraphConfiguration configuration) {
        ComputationGraphConfiguration c = configuration.clone();
        c.setIterationCount(0);
        c.setEpochCount(0);
        for (GraphVertex vertex : c.getVertices().values()) {
            if (vertex instanceof LayerVertex layer) {
                layer.getLayerConf().setIterationCount(0);
                layer.getLayerConf().setEpochCount(0);
            }
        }
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(c.toJson().getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }

    /** The worker of one round: the thread's replica when its configuration is this round's, else a new one. */
    static final class Worker extends ParameterAveragingTrainingWorker {
        private record Replica(String key, ComputationGraph graph) {}

        private static final ThreadLocal<Replica> REPLICA = new ThreadLocal<>();

        private final Broadcast<NetBroadcastTuple> broadcast;
        private final WorkerConfiguration configuration;
        private final String key;

        Worker(Broadcast<NetBroadcastTuple> broadcast, boolean saveUpdater, WorkerConfiguration configuration,
                Collection<TrainingHook> hooks, Collection<TrainingListener> listeners,
                StatsStorageRouterProvider routerProvider, String key) {
            super(broadcast, saveUpdater, configuration, hooks, listeners, routerProvider);
            this.broadcast = broadcast;
            this.configuration = configuration;
            this.key = key;
        }

        @Override
        public ComputationGraph getInitialModelGraph() {
            Replica replica = REPLICA.get();
            if (replica == null || !replica.key().equals(key)) {
                // let go of the old replica before building the new one
                REPLICA.remove();
                ComputationGraph built = super.getInitialModelGraph();
                REPLICA.set(new Replica(key, built));
                BUILT.incrementAndGet();
                return built;
            }
            ParameterAveragingTrainingWorkerStats.ParameterAveragingTrainingWorkerStatsHelper timing = null;
            if (configuration.isCollectTrainingStats()) {
                timing = new ParameterAveragingTrainingWorkerStats.ParameterAveragingTrainingWorkerStatsHelper();
                setStats(timing);
                timing.logBroadcastGetValueStart();
            }
            NetBroadcastTuple tuple = broadcast.getValue();
            if (timing != null) timing.logBroadcastGetValueEnd();
            ComputationGraph graph = replica.graph();
            graph.clear();
            graph.setParams(tuple.getParameters());
            if (tuple.getUpdaterState() != null) graph.getUpdater().setStateViewArray(tuple.getUpdaterState());
            // a new network's gradient buffer is zero; a step writes every gradient before it reads it, but a
            // replica should not depend on that
            if (graph.getFlattenedGradients() != null) graph.getFlattenedGradients().assign(0);
            // a network built from the broadcast configuration starts at step 0 (its clone drops the counters)
            graph.getConfiguration().setIterationCount(0);
            graph.getConfiguration().setEpochCount(0);
            for (Layer layer : graph.getLayers()) {
                layer.setIterationCount(0);
                layer.setEpochCount(0);
            }
            Nd4j.getExecutioner().commit();
            REUSED.incrementAndGet();
            if (timing != null) timing.logInitEnd();
            return graph;
        }

        /** dl4j-spark's worker times its minibatches in a private field its own set-up fills. */
        private void setStats(ParameterAveragingTrainingWorkerStats.ParameterAveragingTrainingWorkerStatsHelper s) {
            try {
                Field field = ParameterAveragingTrainingWorker.class.getDeclaredField("stats");
                field.setAccessible(true);
                field.set(this, s);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException("dl4j-spark's worker has no stats field to time a reused replica by"
                        + " (set spark.reuse_replicas = false)", e);
            }
        }
    }
}
