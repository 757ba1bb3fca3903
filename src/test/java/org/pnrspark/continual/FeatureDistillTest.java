package org.pnrspark.continual;

import com.typesafe.config.ConfigFactory;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.InvalidConfigException;
import org.pnrspark.config.JobConfig;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.NetworkBlocks;
import org.pnrspark.model.Networks;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The strategy added on top of the three of the reference, as any new one would be: plain feature distillation,
 * composed over any method, with no head of its own and one setting.
 */
class FeatureDistillTest {
    private static final int DIM = 16;

    private static JobConfig config(String method, String... sets) {
        List<String> all = new ArrayList<>(List.of("method.name=" + method, "continual.strategy=feature-distill",
                method + ".proj_hidden_dim=32", method + ".proj_output_dim=" + DIM, "byol.pred_hidden_dim=32",
                "mocov2plus.queue_size=16", "spark.batch_size_per_worker=8"));
        all.addAll(List.of(sets));
        return ConfigLoader.load(List.of(), all);
    }

    @Test
    void everyRegisteredStrategyHasItsBlockInTheDefaultsAndNoOtherBlockExists() {
        var blocks = ConfigFactory.parseResources(ConfigLoader.class, "/reference.conf")
                .getConfig("continual.strategies").root().keySet();
        assertEquals(new TreeSet<>(ContinualStrategies.names()), new TreeSet<>(blocks));
        for (String name : ContinualStrategies.names()) {
            JobConfig c = ConfigLoader.load(List.of(), List.of("continual.strategy=" + name));
            assertEquals(name, ContinualStrategies.of(c).configName());
        }
    }

    @Test
    void itsWeightIsASettingOfItsOwnBlockCheckedByName() {
        assertEquals(new FeatureDistill(1.0), ContinualStrategies.of(config("simclr")));
        assertEquals(new FeatureDistill(0.25),
                ContinualStrategies.of(config("simclr", "continual.strategies.feature-distill.lamb=0.25")));
        InvalidConfigException e = assertThrows(InvalidConfigException.class,
                () -> Methods.of(config("simclr", "continual.strategies.feature-distill.lamb=-1")));
        assertEquals("continual.strategies.feature-distill.lamb", e.key());
        assertTrue(e.getMessage().contains("a number >= 0"), e.getMessage());
        InvalidConfigException unknown = assertThrows(InvalidConfigException.class,
                () -> config("simclr", "continual.strategies.feature-distill.lambda=1"));
        assertEquals("continual.strategies.feature-distill.lambda", unknown.key());
    }

    @Test
    void itBringsNoHeadAndLeavesTaskZeroAlone() {
        for (String method : List.of("simclr", "mocov2plus", "byol", "barlow", "vicreg")) {
            SslMethod m = Methods.of(config(method));
            var task1 = m.online(1).getVertices().keySet();
            assertTrue(task1.contains("p"), method + ": " + task1);
            assertFalse(task1.stream().anyMatch(v -> v.startsWith(NetworkBlocks.DISTILL_PREFIX)),
                    method + " has no distill predictor: " + task1);
            assertEquals(Methods.of(config(method, "continual.strategy=finetune")).online(0).toJson(),
                    m.online(0).toJson(), method + ": task 0 is the method alone");
            assertTrue(m.usesFrozenModel(1) && !m.usesFrozenModel(0));
            assertEquals(1.0, m.distillHeadLrScale());
        }
        assertEquals(1, Methods.of(config("mocov2plus")).queues(1).orElseThrow().count(),
                "no queue of the frozen model's keys");
    }

    /**
     * The loss of task 1 with lamb = 2 exceeds the method's own (lamb = 0) by 2 × ½ Σ_views (2 − 2 mean cos(z_v, f_v)),
     * computed here from the network's own projections z: p is z, and the term is what its description says.
     */
    @Test
    void theTermIsTheWeightedCosineDistanceOfTheProjectionsToTheFrozenOnes() {
        ComputationGraph own = Networks.build(Methods.of(config("simclr",
                "continual.strategies.feature-distill.lamb=0")).online(1));
        ComputationGraph distilled = Networks.build(Methods.of(config("simclr",
                "continual.strategies.feature-distill.lamb=2")).online(1));
        assertEquals(own.params(), distilled.params(), "same seed, same initial parameters");

        Nd4j.getRandom().setSeed(7);
        INDArray views = Nd4j.rand(DataType.FLOAT, 8, 2, 28, 28);
        INDArray f = Nd4j.randn(DataType.FLOAT, 8, 2 * DIM);
        DataSet batch = new DataSet(views, f);
        double difference = distilled.score(batch, true) - own.score(batch, true);

        Map<String, INDArray> acts = distilled.feedForward(new INDArray[] {views}, true, false);
        INDArray z = acts.get("z"), p = acts.get("p");
        assertEquals(z, p, "p is the projection itself");
        double expected = 0;
        for (int v = 0; v < 2; v++) {
            INDArray zv = z.get(NDArrayIndex.all(), NDArrayIndex.interval(v * DIM, (v + 1) * DIM)).castTo(DataType.DOUBLE);
            INDArray fv = f.get(NDArrayIndex.all(), NDArrayIndex.interval(v * DIM, (v + 1) * DIM)).castTo(DataType.DOUBLE);
            INDArray cos = zv.mul(fv).sum(1).div(zv.norm2(1).mul(fv.norm2(1)));
            expected += 0.5 * (2 - 2 * cos.meanNumber().doubleValue());
        }
        assertEquals(2 * expected, difference, 1e-4 * Math.max(1, Math.abs(expected)));
        assertTrue(expected > 0.1, "random f is far from z: " + expected);
    }
}
