package org.pnrspark.eval;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.pnrspark.augment.EvalTransform;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.data.ImageSource;
import org.pnrspark.data.ImageSources;
import org.pnrspark.data.PermutedPixelsScenario;
import org.pnrspark.data.Split;
import org.pnrspark.method.Methods;
import org.pnrspark.model.BatchNormFolding;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.Networks;
import org.pnrspark.testutil.SparkTestSession;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Under permuted-pixels the evaluation sees every image as its domain shows it: the features the executors extract
 * for test image i are the encoder's output on image i, normalised and, in a shuffled domain, shuffled by that
 * domain's order; the images of domain 0 are seen as they are.
 */
class PermutedPixelsFeaturesTest {
    @Test
    void everyTestImageIsSeenAsItsDomainShowsIt() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        JobConfig cfg = ConfigLoader.load(List.of(), List.of("scenario.type=permuted-pixels", "scenario.tasks=3",
                "data.max_test_per_class=4"));
        ComputationGraph net = Networks.build(Methods.of(cfg).online(0));
        Broadcast<ModelSnapshot> encoder = sc.broadcast(BatchNormFolding.featureExtractor(cfg, net));
        ImageAccess access = ImageAccess.create(sc);
        try {
            ImageSource test = ImageSources.get(cfg, Split.TEST, access.value());
            int n = test.size();
            assertEquals(40, n);
            INDArray features = FeatureSet.collect(FeatureExtraction.blocks(sc, cfg, access, encoder, Split.TEST, n, 2),
                    n).features();
            int[] domain = PermutedPixelsScenario.domains(n, 3, cfg.scenario().splitSeed(), true);
            int[][] orders = PermutedPixelsScenario.pixelOrders(3, 784, cfg.scenario().splitSeed());
            ComputationGraph extractor = encoder.value().build();
            EvalTransform transform = new EvalTransform(cfg.data(), cfg.augment());
            int[] seen = new int[3];
            for (int i = 0; i < n; i++) {
                float[] x = new float[784];
                transform.apply(test.read(i), x, 0);
                int[] order = orders[domain[i]];
                if (order != null) PermutedPixelsScenario.shuffle(x, 0, 1, order, new float[784]);
                INDArray expected = extractor.outputSingle(false, Nd4j.create(x, new long[] {1, 1, 28, 28}, 'c'));
                assertArrayEquals(expected.castTo(DataType.DOUBLE).toDoubleVector(),
                        features.getRow(i).castTo(DataType.DOUBLE).toDoubleVector(), 1e-4, "test image " + i);
                seen[domain[i]]++;
            }
            for (int d = 0; d < 3; d++) assertTrue(seen[d] >= 13, "domain " + d + " holds a third of the images");
        } finally {
            encoder.destroy();
            access.destroy();
        }
    }
}
