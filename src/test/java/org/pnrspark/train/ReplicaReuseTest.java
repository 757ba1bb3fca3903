package org.pnrspark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.deeplearning4j.util.ModelSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.Networks;
import org.pnrspark.testutil.SparkTestSession;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Workers that keep their replica across averaging rounds (spark.reuse_replicas) train exactly what dl4j-spark's
 * own workers, which build a new network every round, train: the same parameters and optimizer state after every
 * round, through a change of learning rate that makes them build again.
 */
class ReplicaReuseTest {
    private static final int WORKERS = 2;
    private static final int FREQUENCY = 2;
    private static final int BATCH = 8;

    @Test
    void reusedReplicasTrainWhatNewOnesTrain() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        JobConfig stock = config("false"), reusing = config("true");
        SslMethod method = Methods.of(stock);
        ComputationGraph start = Networks.build(method.online(0));
        double baseLr = LearningRateSchedule.scaledBaseLr(stock.optim(), WORKERS * BATCH);
        LearningRateSchedule.apply(start, 0, baseLr, stock.optim(), method.distillHeadLrScale());
        ImageAccess imageAccess = ImageAccess.create(sc);
        TaskBatchLoader loader = new TaskBatchLoader(stock, imageAccess, List.of());

        ParameterAveragingTrainingMaster stockMaster = TrainingPath.master(stock, WORKERS, 5, false);
        ParameterAveragingTrainingMaster reusingMaster = TrainingPath.master(reusing, WORKERS, 5, false);
        assertFalse(stockMaster instanceof ReplicaReusingMaster);
        assertInstanceOf(ReplicaReusingMaster.class, reusingMaster);
        SparkComputationGraph a = new SparkComputationGraph(sc, copy(start), stockMaster);
        SparkComputationGraph b = new SparkComputationGraph(sc, copy(start), reusingMaster);

        long builtBefore = ReplicaReusingMaster.BUILT.get(), reusedBefore = ReplicaReusingMaster.REUSED.get();
        for (int round = 0; round < 4; round++) {
            if (round == 3) {
                // the next epoch's rate: another configuration, so the replicas are built again
                for (SparkComputationGraph net : List.of(a, b)) {
                    LearningRateSchedule.apply(net.getNetwork(), 1, baseLr * 0.5, stock.optim(),
                            method.distillHeadLrScale());
                }
            }
            List<String> paths = new ArrayList<>();
            for (int i = 0; i < WORKERS * FREQUENCY; i++) paths.add(path(round * WORKERS * FREQUENCY + i));
            a.fitPaths(sc.parallelize(paths, WORKERS), loader);
            long builtBeforeRound = ReplicaReusingMaster.BUILT.get();
            b.fitPaths(sc.parallelize(paths, WORKERS), loader);
            if (round == 3) {
                assertEquals(builtBeforeRound + WORKERS, ReplicaReusingMaster.BUILT.get(),
                        "a new learning rate builds every replica again");
            }
            assertEquals(a.getNetwork().params(), b.getNetwork().params(), "parameters after round " + round);
            assertEquals(a.getNetwork().getUpdater().getStateViewArray(),
                    b.getNetwork().getUpdater().getStateViewArray(), "optimizer state after round " + round);
        }
        // rounds 1 and 2 found replicas of their configuration (a thread of round 0 may be gone, hence at least one)
        assertTrue(ReplicaReusingMaster.REUSED.get() - reusedBefore >= 1, "no replica was reused");
        assertTrue(ReplicaReusingMaster.BUILT.get() - builtBefore <= 3 * WORKERS, "replicas built every round");
        assertTrue(a.getNetwork().params().sub(start.params()).norm2Number().doubleValue() > 1e-3, "it trained");
        imageAccess.destroy();
    }

    /**
     * The whole trainer under PNR over two tiny tasks (task 1 with the frozen model; MoCo's queues, the momentum
     * targets, LARS (VICReg); a new replica at every epoch's rate): the same networks with and without reuse.
     */
    @ParameterizedTest(name = "{0} x pnr")
    @ValueSource(strings = {"mocov2plus", "byol", "vicreg"})
    void theTrainerEndsWithTheSameNetworks(String method, @TempDir Path dir) throws IOException {
        ComputationGraph[] ends = new ComputationGraph[2];
        for (int i = 0; i < 2; i++) {
            Path out = dir.resolve("reuse-" + (i == 1));
            List<String> a = new ArrayList<>(List.of("train", "--conf", "conf/fmnist-5t-" + method + ".conf"));
            a.addAll(EndToEndTest.TINY);
            a.addAll(List.of("--set", "continual.strategy=pnr", "--set", "output.dir=" + out,
                    "--set", method + ".proj_hidden_dim=128", "--set", method + ".proj_output_dim=64",
                    "--set", method + ".distill_proj_hidden_dim=128", "--set", "byol.pred_hidden_dim=128",
                    "--set", "mocov2plus.queue_size=64", "--set", "eval.knn.enabled=false",
                    "--set", "eval.random_init_baseline=false", "--set", "eval.feature_drift=false",
                    "--set", "spark.reuse_replicas=" + (i == 1)));
            long reused = ReplicaReusingMaster.REUSED.get();
            EndToEndTest.run(a.toArray(String[]::new));
            assertEquals(i == 1, ReplicaReusingMaster.REUSED.get() > reused, "replicas reused");
            ends[i] = ModelSerializer.restoreComputationGraph(out.resolve("task-1/model.zip").toFile(), true);
        }
        assertEquals(ends[0].params(), ends[1].params(), "the online network after task 1");
        assertEquals(ends[0].getUpdater().getStateViewArray(), ends[1].getUpdater().getStateViewArray(),
                "the optimizer state after task 1");
    }

    @Test
    void theConfigurationsIdentityIgnoresStepCountersButNotTheLearningRate() {
        JobConfig config = config("true");
        SslMethod method = Methods.of(config);
        ComputationGraph net = Networks.build(method.online(0));
        LearningRateSchedule.apply(net, 0, 0.1, config.optim(), method.distillHeadLrScale());
        String key = ReplicaReusingMaster.configurationKey(net.getConfiguration());
        net.getConfiguration().setIterationCount(17);
        net.getConfiguration().setEpochCount(3);
        for (var layer : net.getLayers()) layer.setIterationCount(17);
        assertEquals(key, ReplicaReusingMaster.configurationKey(net.getConfiguration()));
        LearningRateSchedule.apply(net, 0, 0.05, config.optim(), method.distillHeadLrScale());
        assertNotEquals(key, ReplicaReusingMaster.configurationKey(net.getConfiguration()));
        ComputationGraph otherTask = Networks.build(Methods.of(ConfigLoader.load(List.of(
                ConfigLoader.readLocalFile("conf/fmnist-5t.conf")), List.of("continual.strategy=pnr",
                "simclr.proj_hidden_dim=32", "simclr.proj_output_dim=16"))).online(1));
        LearningRateSchedule.apply(otherTask, 0, 0.1, config.optim(), method.distillHeadLrScale());
        assertNotEquals(key, ReplicaReusingMaster.configurationKey(otherTask.getConfiguration()));
    }

    private static JobConfig config(String reuse) {
        return ConfigLoader.load(List.of(ConfigLoader.readLocalFile("conf/fmnist-5t.conf")), List.of(
                "data.max_train_per_class=20", "data.max_test_per_class=10", "simclr.proj_hidden_dim=32",
                "simclr.proj_output_dim=16", "spark.workers=" + WORKERS, "spark.batch_size_per_worker=" + BATCH,
                "spark.averaging_frequency=" + FREQUENCY, "spark.threads_per_task=1", "spark.reuse_replicas=" + reuse));
    }

    private static String path(int b) {
        int[] indices = new int[BATCH];
        for (int i = 0; i < BATCH; i++) indices[i] = (b * BATCH + i * 7) % 160;
        return new BatchPath(0, 0, b, indices).encode();
    }

    /** A network with the same configuration, parameters and optimizer state. */
    private static ComputationGraph copy(ComputationGraph from) {
        ComputationGraph to = Networks.build(from.getConfiguration().clone());
        to.params().assign(from.params());
        return to;
    }
}
