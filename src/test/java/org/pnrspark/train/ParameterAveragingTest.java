package org.pnrspark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.deeplearning4j.spark.impl.graph.SparkComputationGraph;
import org.deeplearning4j.spark.impl.paramavg.ParameterAveragingTrainingMaster;
import org.junit.jupiter.api.Test;
import org.nd4j.common.loader.LocalFileSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.Networks;
import org.pnrspark.testutil.SparkTestSession;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Parameter averaging as the trainer drives it (with the trainer's own training master,
 * ContinualTrainer.trainingMaster): one round of W workers x F minibatches through Spark gives the mean of W
 * replicas trained separately here, parameters and optimizer state alike; and the momentum target's update
 * per round equals the reference's update after every step while the online network stays where the round ends.
 */
class ParameterAveragingTest {
    private static final int WORKERS = 2;
    private static final int FREQUENCY = 3;
    private static final int BATCH = 8;

    @Test
    void oneRoundIsTheMeanOfTheWorkersSeparatelyTrainedReplicas() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        JobConfig config = ConfigLoader.load(List.of(ConfigLoader.readLocalFile("conf/fmnist-5t.conf")), List.of(
                "data.max_train_per_class=20", "data.max_test_per_class=10", "simclr.proj_hidden_dim=32",
                "simclr.proj_output_dim=16", "spark.workers=" + WORKERS, "spark.batch_size_per_worker=" + BATCH,
                "spark.averaging_frequency=" + FREQUENCY, "spark.threads_per_task=1"));
        SslMethod method = Methods.of(config);
        ComputationGraph start = Networks.build(method.online(0));
        LearningRateSchedule.apply(start, 0, LearningRateSchedule.scaledBaseLr(config.optim(), WORKERS * BATCH),
                config.optim(), method.distillHeadLrScale());
        ImageAccess imageAccess = ImageAccess.create(sc);
        TaskBatchLoader loader = new TaskBatchLoader(config, imageAccess, List.of());
        // one step first, so that the momentum buffers the round starts from are not zero
        start.fit(loader.load(new LocalFileSource(path(99))));
        INDArray startState = start.getUpdater(true).getStateViewArray().dup();
        assertTrue(startState.norm2Number().doubleValue() > 0, "the optimizer state is not zero");

        // the round as the trainer runs it: worker w trains minibatches w*F .. w*F+F-1 (parallelize slices in order)
        List<String> paths = new ArrayList<>();
        for (int b = 0; b < WORKERS * FREQUENCY; b++) paths.add(path(b));
        ParameterAveragingTrainingMaster master = TrainingPath.master(config, TrainingPath.workers(config, sc), 5, false);
        SparkComputationGraph sparkNet = new SparkComputationGraph(sc, copy(start), master);
        sparkNet.fitPaths(sc.parallelize(paths, WORKERS), loader);
        ComputationGraph averaged = sparkNet.getNetwork();

        List<ComputationGraph> replicas = new ArrayList<>();
        for (int w = 0; w < WORKERS; w++) {
            ComputationGraph replica = copy(start);
            for (int b = w * FREQUENCY; b < (w + 1) * FREQUENCY; b++) replica.fit(loader.load(new LocalFileSource(paths.get(b))));
            replicas.add(replica);
        }
        INDArray meanParams = replicas.get(0).params().add(replicas.get(1).params()).divi(2);
        INDArray meanState = replicas.get(0).getUpdater(true).getStateViewArray()
                .add(replicas.get(1).getUpdater(true).getStateViewArray()).divi(2);
        double spread = replicas.get(0).params().sub(replicas.get(1).params()).norm2Number().doubleValue();
        double stateSpread = replicas.get(0).getUpdater(true).getStateViewArray()
                .sub(replicas.get(1).getUpdater(true).getStateViewArray()).norm2Number().doubleValue();
        assertTrue(spread > 1e-3 && stateSpread > 1e-3, "the replicas differ: " + spread + ", " + stateSpread);

        double paramError = averaged.params().sub(meanParams).norm2Number().doubleValue();
        double stateError = averaged.getUpdater(true).getStateViewArray().sub(meanState).norm2Number().doubleValue();
        // far below the distance between the replicas: the mean, not one replica nor their sum
        assertTrue(paramError < 1e-3 * spread, "parameters: |spark - mean| = " + paramError + ", replicas " + spread);
        assertTrue(stateError < 1e-3 * stateSpread, "optimizer state: |spark - mean| = " + stateError
                + ", replicas " + stateSpread);
        assertEquals(start.numParams(), averaged.numParams());
        imageAccess.destroy();
    }

    @Test
    void theRoundsMomentumUpdateEqualsOneUpdateAfterEveryStep() {
        JobConfig config = ConfigLoader.load(List.of(), List.of("method.name=byol", "byol.proj_hidden_dim=32",
                "byol.pred_hidden_dim=32", "byol.proj_output_dim=16"));
        SslMethod.MomentumTarget spec = Methods.of(config).momentum().orElseThrow();
        ComputationGraph online = Networks.build(Methods.of(config).online(0));
        ComputationGraph perStep = Networks.build(spec.network());
        perStep.params().assign(0.25);
        ComputationGraph perRound = copy(perStep);
        long total = 40;
        int first = 7, steps = 5;
        for (int s = 0; s < steps; s++) Networks.emaUpdate(perStep, online, spec.tau(first + s, total));
        Networks.emaUpdate(perRound, online, spec.keepOverSteps(first, steps, total));
        INDArray a = perStep.params(), b = perRound.params();
        assertTrue(a.equalsWithEps(b, 1e-6), "per step and per round differ by " + a.sub(b).amaxNumber());
        // and differs from what a round would give with τ of its first step only
        ComputationGraph firstTau = copy(perRound);
        firstTau.params().assign(0.25);
        Networks.emaUpdate(firstTau, online, Math.pow(spec.tau(first, total), steps));
        assertTrue(firstTau.params().sub(b).amaxNumber().doubleValue() > 1e-7, "the compounding uses each step's τ");
        assertEquals(spec.tau(first, total), spec.keepOverSteps(first, 1, total), 0.0);
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
        INDArray state = from.getUpdater(true) == null ? null : from.getUpdater(true).getStateViewArray();
        if (state != null) to.getUpdater(true).getStateViewArray().assign(state);
        return to;
    }
}
