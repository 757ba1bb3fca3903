package org.pnrspark.train;

import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.deeplearning4j.nn.graph.ComputationGraph;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.dataset.DataSet;
import org.nd4j.common.loader.Source;
import org.pnrspark.config.ConfigLoader;
import org.pnrspark.config.JobConfig;
import org.pnrspark.data.ImageAccess;
import org.pnrspark.method.Methods;
import org.pnrspark.method.SslMethod;
import org.pnrspark.model.ModelSnapshot;
import org.pnrspark.model.Networks;
import org.pnrspark.testutil.SparkTestSession;

import java.io.InputStream;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

class TaskBatchLoaderTest {
    private static Source path(String p) {
        return new Source() {
            @Override
            public InputStream getInputStream() {
                throw new AssertionError("a minibatch path is never opened");
            }

            @Override
            public String getPath() {
                return p;
            }
        };
    }

    @Test
    void batchPathRoundTrip() throws Exception {
        BatchPath b = new BatchPath(3, 17, 42, new int[] {5, 0, 59999, 12});
        BatchPath back = BatchPath.decode("hdfs://nn:8020/user/x/" + b.encode());
        assertEquals(3, back.task());
        assertEquals(17, back.epoch());
        assertEquals(42, back.batch());
        assertArrayEquals(b.indices(), back.indices());
        new java.net.URI(b.encode()).getPath(); // dl4j-spark parses paths as URIs
    }

    @Test
    void labelsAreTheFrozenModelsOutputsOnTheSameViews() throws Exception {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        JobConfig cfg = ConfigLoader.load(List.of(), List.of("continual.strategy=pnr"));
        SslMethod method = Methods.of(cfg);
        ComputationGraph previous = Networks.build(method.online(0));
        ImageAccess imageAccess = ImageAccess.create(sc);
        Broadcast<ModelSnapshot> frozen = sc.broadcast(ModelSnapshot.of(method.frozen(), previous));
        String p = new BatchPath(1, 0, 0, new int[] {7, 3000 - 1, 123, 456}).encode();

        DataSet withFrozen = new TaskBatchLoader(cfg, imageAccess, List.of(new TaskBatchLoader.Target(frozen, false))).load(path(p));
        assertArrayEquals(new long[] {4, 2, 28, 28}, withFrozen.getFeatures().shape());
        assertArrayEquals(new long[] {4, 2 * 128}, withFrozen.getLabels().shape());
        ComputationGraph reference = frozen.value().build();
        INDArray expected = reference.outputSingle(false, withFrozen.getFeatures());
        assertEquals(expected, withFrozen.getLabels());
        // batch statistics give other targets than running statistics
        DataSet trainMode = new TaskBatchLoader(cfg, imageAccess, List.of(new TaskBatchLoader.Target(frozen, true))).load(path(p));
        assertEquals(withFrozen.getFeatures(), trainMode.getFeatures());
        assertNotEquals(withFrozen.getLabels(), trainMode.getLabels());

        DataSet plain = new TaskBatchLoader(cfg, imageAccess, List.of()).load(path(p));
        assertEquals(withFrozen.getFeatures(), plain.getFeatures(), "views depend only on seed, task, epoch, image");
        assertArrayEquals(new long[] {4, 1}, plain.getLabels().shape());

        DataSet otherEpoch = new TaskBatchLoader(cfg, imageAccess, List.of())
                .load(path(new BatchPath(1, 1, 0, new int[] {7, 3000 - 1, 123, 456}).encode()));
        assertNotEquals(plain.getFeatures(), otherEpoch.getFeatures());
        INDArray views = plain.getFeatures();
        assertFalse(views.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(0))
                .equals(views.get(org.nd4j.linalg.indexing.NDArrayIndex.point(0), org.nd4j.linalg.indexing.NDArrayIndex.point(1))),
                "the two views of an image differ");
        // two targets: their outputs side by side, in order
        DataSet both = new TaskBatchLoader(cfg, imageAccess, List.of(new TaskBatchLoader.Target(frozen, true),
                new TaskBatchLoader.Target(frozen, false))).load(path(p));
        assertEquals(org.nd4j.linalg.factory.Nd4j.hstack(trainMode.getLabels(), withFrozen.getLabels()), both.getLabels());
        frozen.destroy();
        imageAccess.destroy();
    }

    /**
     * Under permuted-pixels each view is the data-incremental view of the same image (same seed, task, epoch) with its
     * pixels shuffled by the task's order: augmented as it is, then shuffled; task 0's views are not shuffled.
     */
    @Test
    void permutedPixelsShuffleEachAugmentedView() {
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(SparkTestSession.get().sparkContext());
        ImageAccess imageAccess = ImageAccess.create(sc);
        JobConfig plain = ConfigLoader.load(List.of(), List.of("scenario.type=data-incremental", "scenario.tasks=3"));
        JobConfig permuted = ConfigLoader.load(List.of(), List.of("scenario.type=permuted-pixels", "scenario.tasks=3"));
        int[] images = {7, 3000 - 1, 123};
        // one loader for every task: its pixel order follows the task of each minibatch
        TaskBatchLoader shuffling = new TaskBatchLoader(permuted, imageAccess, List.of());
        for (int task : new int[] {0, 1, 2, 1}) {
            String p = new BatchPath(task, 2, 0, images).encode();
            float[] expected = new TaskBatchLoader(plain, imageAccess, List.of()).load(path(p)).getFeatures()
                    .dup('c').data().asFloat();
            float[] views = shuffling.load(path(p)).getFeatures().dup('c').data().asFloat();
            int[] order = org.pnrspark.data.PermutedPixelsScenario.pixelOrder(task, 784, permuted.scenario().splitSeed());
            if (order != null) {
                for (int v = 0; v < 2 * images.length; v++) {
                    org.pnrspark.data.PermutedPixelsScenario.shuffle(expected, v * 784, 1, order, new float[784]);
                }
            }
            assertArrayEquals(expected, views, "task " + task);
            if (task > 0) {
                float[] unshuffled = new TaskBatchLoader(plain, imageAccess, List.of()).load(path(p)).getFeatures()
                        .dup('c').data().asFloat();
                assertFalse(java.util.Arrays.equals(unshuffled, views), "task " + task + "'s views are shuffled");
            }
        }
        imageAccess.destroy();
    }
}
