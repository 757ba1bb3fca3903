package org.pnrspark.model;

import org.deeplearning4j.nn.conf.ComputationGraphConfiguration;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.loss.LossEvaluation;
import org.pnrspark.loss.LossParams;
import org.pnrspark.loss.Losses;
import org.pnrspark.loss.SimclrPnrLoss;
import org.pnrspark.testutil.TinyNetworks;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The loss layer inside a DL4J network: DL4J's score equals the reference's loss (gradients: ObjectiveGradientCheckTest). */
class SslLossLayerTest {
    private static final int DIM = 3;

    private static SslLossLayer pnrLayer() {
        return new SslLossLayer("loss", List.of(new LossTerm(SimclrPnrLoss.NAME, 1.0, Map.of("temperature", 0.5))),
                List.of("z1", "z2", "p1", "p2"), List.of("f1", "f2"), DIM);
    }

    @Test
    void scoreIsTheReferenceLossOfTheBatch() {
        SslLossLayer layer = pnrLayer();
        ComputationGraph g = TinyNetworks.denseIntoLoss(layer, 4 * DIM);
        Nd4j.getRandom().setSeed(5);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 4);
        INDArray f = Nd4j.rand(DataType.DOUBLE, 6, 2 * DIM);
        double score = g.score(new DataSet(x, f));
        INDArray emb = g.feedForward(x, false).get("dense");
        Map<String, INDArray> in = Map.of(
                "z1", emb.get(all(), interval(0, DIM)), "z2", emb.get(all(), interval(DIM, 2 * DIM)),
                "p1", emb.get(all(), interval(2 * DIM, 3 * DIM)), "p2", emb.get(all(), interval(3 * DIM, 4 * DIM)),
                "f1", f.get(all(), interval(0, DIM)), "f2", f.get(all(), interval(DIM, 2 * DIM)));
        double reference = LossEvaluation.evaluate(Losses.require(SimclrPnrLoss.NAME), in, LossParams.of("temperature", 0.5)).value();
        assertEquals(reference, score, 1e-9);
    }

    /** The per-term values the training curves record add up to the score; duplicate losses get numbered names. */
    @Test
    void termValuesSumToTheScore() {
        SslLossLayer layer = new SslLossLayer("loss", List.of(
                new LossTerm(SimclrPnrLoss.NAME, 1.0, Map.of("temperature", 0.5)),
                new LossTerm("cassle_contrastive", 0.7, Map.of("temperature", 0.2)),
                new LossTerm("cassle_contrastive", 0.3, Map.of("temperature", 0.4))),
                List.of("z1", "z2", "p1", "p2"), List.of("f1", "f2"), DIM);
        assertEquals(List.of("simclr_pnr", "cassle_contrastive#1", "cassle_contrastive#2"), layer.termLabels());
        ComputationGraph g = TinyNetworks.denseIntoLoss(layer, 4 * DIM);
        Nd4j.getRandom().setSeed(6);
        INDArray x = Nd4j.rand(DataType.DOUBLE, 6, 4);
        INDArray f = Nd4j.rand(DataType.DOUBLE, 6, 2 * DIM);
        double score = g.score(new DataSet(x, f));
        Map<String, Double> terms = layer.termValues(g.feedForward(x, false).get("dense"), f);
        assertEquals(score, terms.values().stream().mapToDouble(Double::doubleValue).sum(), 1e-9);
        assertTrue(terms.values().stream().allMatch(v -> v > 0), terms.toString());
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex all() {
        return org.nd4j.linalg.indexing.NDArrayIndex.all();
    }

    private static org.nd4j.linalg.indexing.INDArrayIndex interval(int a, int b) {
        return org.nd4j.linalg.indexing.NDArrayIndex.interval(a, b);
    }

    @Test
    void configurationSurvivesJson() {
        SslLossLayer layer = pnrLayer();
        ComputationGraph g = TinyNetworks.denseIntoLoss(layer, 4 * DIM);
        String json = g.getConfiguration().toJson();
        ComputationGraphConfiguration back = ComputationGraphConfiguration.fromJson(json);
        assertEquals(g.getConfiguration(), back);
    }
}
