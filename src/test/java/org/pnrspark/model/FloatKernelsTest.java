package org.pnrspark.model;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.pnrspark.util.NativeThreads;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The Java float32 kernels against the same sums computed plainly in double, on shapes that exercise their edges:
 * rows whose length is not a multiple of the unrolling, rows longer than a block, arrays that are views into a
 * larger buffer, one thread and several. Their results do not depend on the thread count.
 */
class FloatKernelsTest {
    /** N, C, H, W: short odd rows; rows longer than a 64K-value block; enough rows to be split across threads. */
    private static final int[][] SHAPES = {{3, 5, 7, 7}, {2, 3, 300, 300}, {64, 16, 9, 9}};

    private static INDArray data(int[] shape, long seed, double mean) {
        Nd4j.getRandom().setSeed(seed);
        return Nd4j.randn(DataType.DOUBLE, shape[0], shape[1], shape[2], shape[3]).addi(mean).castTo(DataType.FLOAT);
    }

    @Test
    void channelMomentsAreTheBatchMeanAndBiasedVariance() {
        for (int[] shape : SHAPES) {
            INDArray x = data(shape, 1, 30); // a mean of 30 deviations costs no precision
            INDArray x64 = x.castTo(DataType.DOUBLE);
            double[] mean = new double[shape[1]], var = new double[shape[1]];
            FloatKernels.channelMoments(x, mean, var);
            INDArray m = x64.mean(0, 2, 3), v = x64.var(false, 0, 2, 3);
            for (int c = 0; c < shape[1]; c++) {
                assertEquals(m.getDouble(c), mean[c], 1e-5, "mean of channel " + c);
                assertEquals(v.getDouble(c), var[c], 1e-5 * v.getDouble(c), "variance of channel " + c);
            }
        }
    }

    @Test
    void theAffineMapAndTheInputGradientArePerChannel() {
        for (int[] shape : SHAPES) {
            int c = shape[1];
            INDArray x = data(shape, 2, 1), dy = data(shape, 3, 0);
            float[] center = new float[c], k1 = new float[c], k2 = new float[c], k3 = new float[c];
            for (int j = 0; j < c; j++) {
                center[j] = 0.1f * j;
                k1[j] = 1 + j;
                k2[j] = -0.5f * j;
                k3[j] = 0.25f - j;
            }
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
            FloatKernels.channelAffine(x, center, k1, k3, out);
            INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, x.shape());
            FloatKernels.channelGradientInput(dy, x, center, k1, k2, k3, dx);
            double[] sumDy = new double[c], sumDyX = new double[c];
            FloatKernels.channelGradientSums(dy, x, center, sumDy, sumDyX);
            INDArray x64 = x.castTo(DataType.DOUBLE), dy64 = dy.castTo(DataType.DOUBLE);
            for (int j = 0; j < c; j++) {
                INDArray xc = x64.get(NDArrayIndex.all(), NDArrayIndex.point(j)).sub(center[j]);
                INDArray gc = dy64.get(NDArrayIndex.all(), NDArrayIndex.point(j));
                INDArray expectedOut = xc.mul(k1[j]).add(k3[j]);
                INDArray expectedDx = gc.mul(k1[j]).add(xc.mul(k2[j])).add(k3[j]);
                assertClose(expectedOut, out.get(NDArrayIndex.all(), NDArrayIndex.point(j)), "affine, channel " + j);
                assertClose(expectedDx, dx.get(NDArrayIndex.all(), NDArrayIndex.point(j)), "dx, channel " + j);
                double scale = gc.norm2Number().doubleValue() * Math.sqrt(gc.length());
                assertEquals(gc.sumNumber().doubleValue(), sumDy[j], 1e-6 * scale, "sum of dy, channel " + j);
                assertEquals(gc.mul(xc).sumNumber().doubleValue(), sumDyX[j], 1e-6 * scale * 4,
                        "sum of dy(x - center), channel " + j);
            }
        }
    }

    /**
     * Batch norm reads its view groups through a [N, G·C, H·W, 1] reshape; ND4J's default-strides test refuses it,
     * which sent every batch norm with the views apart to ND4J's slower ops. The kernels take it, and compute on it
     * what they compute on the same data as [N, G·C, H, W].
     */
    @Test
    void theViewGroupsReshapeIsDenseAndGivesTheSameMoments() {
        INDArray x = data(new int[] {8, 3, 5, 5}, 7, 1);
        INDArray grouped = x.reshape('c', 4, 6, 25, 1);
        assertTrue(FloatKernels.applies(grouped), grouped.shapeInfoToString());
        // dense input [2N, C] read as [N, 2C, 1, 1]
        INDArray dense = x.reshape('c', 8, 75).reshape('c', 4, 150, 1, 1);
        assertTrue(FloatKernels.applies(dense), dense.shapeInfoToString());
        assertFalse(FloatKernels.applies(x.permute(1, 0, 2, 3)), "a permuted view is not dense in C order");
        assertFalse(FloatKernels.applies(x.get(NDArrayIndex.all(), NDArrayIndex.all(), NDArrayIndex.interval(0, 2),
                NDArrayIndex.all())), "a slice of the rows is not dense");
        double[] mean = new double[6], var = new double[6], mean4 = new double[6], var4 = new double[6];
        FloatKernels.channelMoments(grouped, mean, var);
        FloatKernels.channelMoments(x.reshape('c', 4, 6, 5, 5), mean4, var4);
        assertArrayEquals(mean4, mean, 0);
        assertArrayEquals(var4, var, 0);
    }

    @Test
    void reluGradientPassesWhereTheInputIsPositiveOnly() {
        float nan = Float.NaN;
        INDArray x = Nd4j.createFromArray(new float[] {1f, -1f, 0f, -0f, Float.MIN_VALUE, -Float.MIN_VALUE, nan,
                Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 3e38f});
        INDArray dy = Nd4j.createFromArray(new float[] {2f, 3f, 4f, 5f, 6f, 7f, 8f, -9f, 10f, -11f});
        INDArray dx = Nd4j.createUninitialized(DataType.FLOAT, 10);
        FloatKernels.reluGradient(x, dy, dx);
        // PyTorch's threshold_backward: dx = x <= 0 ? 0 : dy (so NaN passes dy)
        assertArrayEquals(new float[] {2f, 0f, 0f, 0f, 6f, 0f, 8f, -9f, 0f, -11f}, dx.toFloatVector());
        for (int[] shape : SHAPES) {
            INDArray big = data(shape, 4, 0), grad = data(shape, 5, 0);
            INDArray out = Nd4j.createUninitialized(DataType.FLOAT, big.shape());
            FloatKernels.reluGradient(big, grad, out);
            INDArray expected = grad.mul(big.gt(0).castTo(DataType.FLOAT));
            assertEquals(expected, out, "ReLU gradient of shape " + java.util.Arrays.toString(shape));
        }
    }

    @Test
    void viewsIntoALargerBufferAreReadAndWrittenWhereTheyLie() {
        INDArray whole = data(new int[] {6, 4, 5, 5}, 6, 2);
        INDArray view = whole.get(NDArrayIndex.interval(2, 5), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        assertTrue(view.offset() > 0 && FloatKernels.applies(view), "a contiguous view with an offset");
        double[] mean = new double[4], var = new double[4];
        FloatKernels.channelMoments(view, mean, var);
        INDArray expected = view.castTo(DataType.DOUBLE).mean(0, 2, 3);
        for (int c = 0; c < 4; c++) assertEquals(expected.getDouble(c), mean[c], 1e-6);
        INDArray target = Nd4j.zeros(DataType.FLOAT, 6, 4, 5, 5);
        INDArray targetView = target.get(NDArrayIndex.interval(1, 4), NDArrayIndex.all(), NDArrayIndex.all(),
                NDArrayIndex.all());
        float[] one = {1, 1, 1, 1}, zero = {0, 0, 0, 0};
        FloatKernels.channelAffine(view, zero, one, zero, targetView);
        assertEquals(view, targetView);
        assertEquals(0.0, target.get(NDArrayIndex.point(0)).norm2Number().doubleValue(), "before the view: untouched");
        assertEquals(0.0, target.get(NDArrayIndex.interval(4, 6)).norm2Number().doubleValue(), "after: untouched");
        assertFalse(FloatKernels.applies(whole.permute(1, 0, 2, 3)), "a permuted array is not one C-ordered block");
    }

    @Test
    void resultsDoNotDependOnTheThreadCount() throws Exception {
        int[] shape = {64, 16, 9, 9};
        INDArray x = data(shape, 7, 3), dy = data(shape, 8, 0);
        double[][] byThreads = new double[3][];
        for (int threads = 1; threads <= 3; threads++) {
            int n = threads;
            double[][] result = new double[1][];
            Throwable[] thrown = new Throwable[1];
            // a fresh thread: the thread count is per calling thread, as in a Spark task
            Thread t = new Thread(() -> {
                NativeThreads.applyForSparkTask(n);
                double[] mean = new double[16], var = new double[16], a = new double[16], b = new double[16];
                FloatKernels.channelMoments(x, mean, var);
                float[] center = new float[16];
                for (int j = 0; j < 16; j++) center[j] = (float) mean[j];
                FloatKernels.channelGradientSums(dy, x, center, a, b);
                result[0] = java.util.stream.Stream.of(mean, var, a, b).flatMapToDouble(java.util.Arrays::stream)
                        .toArray();
            });
            t.setUncaughtExceptionHandler((thread, e) -> thrown[0] = e);
            t.start();
            t.join();
            if (thrown[0] != null) throw new AssertionError(n + " threads: the kernels threw", thrown[0]);
            assertNotNull(result[0], n + " threads: no result");
            byThreads[threads - 1] = result[0];
        }
        assertArrayEquals(byThreads[0], byThreads[1], 0.0, "1 and 2 threads");
        assertArrayEquals(byThreads[0], byThreads[2], 0.0, "1 and 3 threads");
    }

    private static void assertClose(INDArray expected, INDArray actual, String what) {
        double err = actual.castTo(DataType.DOUBLE).sub(expected).norm2Number().doubleValue();
        assertTrue(err <= 1e-6 * expected.norm2Number().doubleValue(), what + ": off by " + err);
    }
}
