package org.pnrspark.model;

import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.pnrspark.util.NativeThreads;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Batch norm's and ReLU's float32 training kernels, in Java. ND4J's reductions along a dimension, its pairwise
 * ReLU derivative (a {@code std::function} call per value) and its batchnorm op on plain NCHW data run at a fifth
 * to a tenth of the memory speed of the machine; these loops run close to it: the data go through the core's L2
 * cache in blocks of 256 KB (copied in from ND4J's buffer, computed, copied out), split into contiguous parts, one
 * per native thread the calling task has ({@link NativeThreads#current()}).
 *
 * <p>NCHW data are N·C rows of H·W values; row r belongs to channel r mod C. Every sum is taken per row in float
 * (four partial sums) and combined in double in row order, so results do not depend on the thread count: a run
 * stays reproducible from its seed.
 */
final class FloatKernels {
    /** Values per block: 256 KB of floats, two blocks per thread fit in the L2 cache with room to spare. */
    private static final int BLOCK = 1 << 16;
    /** Below this many values the work stays on the calling thread. */
    private static final long PARALLEL_FROM = 1 << 15;
    private static final ThreadLocal<float[][]> FLOATS = ThreadLocal.withInitial(() -> new float[2][]);
    private static final ThreadLocal<int[][]> INTS = ThreadLocal.withInitial(() -> new int[2][]);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();
    private static final ExecutorService HELPERS = Executors.newCachedThreadPool(r -> {
        Thread t = new Thread(r, "pnr-kernels-" + THREAD_IDS.incrementAndGet());
        t.setDaemon(true);
        return t;
    });

    private FloatKernels() {}

    /**
     * Whether {@code a} is float32 in one C-ordered block in host memory (ND4J's CPU backend), as these kernels read
     * and write it.
     */
    static boolean applies(INDArray a) {
        return KernelSwitches.onCpuBackend() && a.dataType() == DataType.FLOAT && denseInCOrder(a);
    }

    /**
     * Whether the elements of {@code a} follow one another in C order. A dimension of size 1 may have any stride:
     * ND4J's own test ({@code Shape.hasDefaultStridesForShape}) refuses the [N, G·C, H·W, 1] view batch norm's view
     * groups are read through, whose data are laid out exactly as these kernels read them.
     */
    static boolean denseInCOrder(INDArray a) {
        long expected = 1;
        for (int i = a.rank() - 1; i >= 0; i--) {
            if (a.size(i) == 1) continue;
            if (a.stride(i) != expected) return false;
            expected *= a.size(i);
        }
        return true;
    }

    /**
     * Per channel of NCHW {@code x}: the mean and the biased variance over N, H and W. Each row's moments are
     * taken around its first value (so a mean far from 0 costs no precision) and combined per channel exactly
     * (Chan et al.): M2 = Σ M2_row + S·Σ (mean_row − mean)².
     */
    static void channelMoments(INDArray x, double[] mean, double[] var) {
        long n = x.size(0);
        int c = (int) x.size(1), s = (int) (x.length() / n / c);
        int rows = (int) (n * c);
        double[] rowMean = new double[rows], rowM2 = new double[rows];
        FloatPointer base = pointer(x);
        forRowBlocks(rows, s, (first, count) -> {
            float[] v = floats(0, count * s);
            read(base, (long) first * s, v, count * s);
            for (int r = 0; r < count; r++) {
                int at = r * s, end = at + s, i = at;
                float k = v[at];
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
                for (; i + 4 <= end; i += 4) {
                    float d0 = v[i] - k, d1 = v[i + 1] - k, d2 = v[i + 2] - k, d3 = v[i + 3] - k;
                    a0 += d0;
                    a1 += d1;
                    a2 += d2;
                    a3 += d3;
                    b0 += d0 * d0;
                    b1 += d1 * d1;
                    b2 += d2 * d2;
                    b3 += d3 * d3;
                }
                double sum = (double) a0 + a1 + a2 + a3, sumSq = (double) b0 + b1 + b2 + b3;
                for (; i < end; i++) {
                    double d = v[i] - k;
                    sum += d;
                    sumSq += d * d;
                }
                rowMean[first + r] = k + sum / s;
                rowM2[first + r] = Math.max(0, sumSq - sum * sum / s);
            }
        });
        double[] m2 = new double[c];
        perChannel(rowMean, c, mean);
        perChannel(rowM2, c, m2);
        for (int j = 0; j < c; j++) {
            mean[j] /= n;
            double spread = 0;
            for (int r = j; r < rows; r += c) spread += (rowMean[r] - mean[j]) * (rowMean[r] - mean[j]);
            var[j] = (m2[j] + s * spread) / ((double) n * s);
        }
    }

    /** Per channel c: the sum of {@code rowValues} over the rows of that channel (r mod C = c), in row order. */
    private static void perChannel(double[] rowValues, int c, double[] sums) {
        Arrays.fill(sums, 0, c, 0.0);
        for (int r = 0; r < rowValues.length; r++) sums[r % c] += rowValues[r];
    }

    /** out = scale_c·(x − center_c) + shift_c per channel c of NCHW {@code x}. */
    static void channelAffine(INDArray x, float[] center, float[] scale, float[] shift, INDArray out) {
        long n = x.size(0);
        int c = (int) x.size(1), s = (int) (x.length() / n / c);
        FloatPointer src = pointer(x), dst = pointer(out);
        forRowBlocks((int) (n * c), s, (first, count) -> {
            float[] v = floats(0, count * s);
            read(src, (long) first * s, v, count * s);
            for (int r = 0; r < count; r++) {
                int ch = (first + r) % c, at = r * s;
                float m = center[ch], k = scale[ch], b = shift[ch];
                for (int i = at; i < at + s; i++) v[i] = (v[i] - m) * k + b;
            }
            write(v, count * s, dst, (long) first * s);
        });
    }

    /** Per channel c of NCHW data: Σ dy (into {@code sumDy}) and Σ dy·(x − center_c) (into {@code sumDyX}). */
    static void channelGradientSums(INDArray dy, INDArray x, float[] center, double[] sumDy, double[] sumDyX) {
        long n = x.size(0);
        int c = (int) x.size(1), s = (int) (x.length() / n / c);
        int rows = (int) (n * c);
        double[] rowDy = new double[rows], rowDyX = new double[rows];
        FloatPointer g = pointer(dy), src = pointer(x);
        forRowBlocks(rows, s, (first, count) -> {
            float[] gv = floats(0, count * s), xv = floats(1, count * s);
            read(g, (long) first * s, gv, count * s);
            read(src, (long) first * s, xv, count * s);
            for (int r = 0; r < count; r++) {
                int at = r * s, end = at + s, i = at;
                float m = center[(first + r) % c];
                float a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
                for (; i + 4 <= end; i += 4) {
                    a0 += gv[i];
                    a1 += gv[i + 1];
                    a2 += gv[i + 2];
                    a3 += gv[i + 3];
                    b0 += gv[i] * (xv[i] - m);
                    b1 += gv[i + 1] * (xv[i + 1] - m);
                    b2 += gv[i + 2] * (xv[i + 2] - m);
                    b3 += gv[i + 3] * (xv[i + 3] - m);
                }
                double sa = (double) a0 + a1 + a2 + a3, sb = (double) b0 + b1 + b2 + b3;
                for (; i < end; i++) {
                    sa += gv[i];
                    sb += (double) gv[i] * (xv[i] - m);
                }
                rowDy[first + r] = sa;
                rowDyX[first + r] = sb;
            }
        });
        perChannel(rowDy, c, sumDy);
        perChannel(rowDyX, c, sumDyX);
    }

    /** dx = k1_c·dy + k2_c·(x − center_c) + k3_c per channel c of NCHW data. */
    static void channelGradientInput(INDArray dy, INDArray x, float[] center, float[] k1, float[] k2, float[] k3,
            INDArray dx) {
        long n = x.size(0);
        int c = (int) x.size(1), s = (int) (x.length() / n / c);
        FloatPointer g = pointer(dy), src = pointer(x), dst = pointer(dx);
        forRowBlocks((int) (n * c), s, (first, count) -> {
            float[] gv = floats(0, count * s), xv = floats(1, count * s);
            read(g, (long) first * s, gv, count * s);
            read(src, (long) first * s, xv, count * s);
            for (int r = 0; r < count; r++) {
                int ch = (first + r) % c, at = r * s;
                float m = center[ch], a = k1[ch], b = k2[ch], d = k3[ch];
                for (int i = at; i < at + s; i++) gv[i] = a * gv[i] + b * (xv[i] - m) + d;
            }
            write(gv, count * s, dst, (long) first * s);
        });
    }

    /**
     * dx = dy where x > 0, else 0 (PyTorch's threshold_backward: a NaN input passes the gradient). Branch-free on
     * the bit patterns: a float is > 0 exactly when its bits, read as an int, are > 0 (+0.0 is 0, negatives and
     * −0.0 have the sign bit).
     */
    static void reluGradient(INDArray x, INDArray dy, INDArray dx) {
        long length = x.length();
        IntPointer src = new IntPointer(x.data().addressPointer()), g = new IntPointer(dy.data().addressPointer()),
                dst = new IntPointer(dx.data().addressPointer());
        int blocks = (int) ((length + BLOCK - 1) / BLOCK);
        forRowBlocks(blocks, BLOCK, (first, count) -> {
            int[] xs = ints(0), gs = ints(1);
            for (int b = first; b < first + count; b++) {
                long from = (long) b * BLOCK;
                int len = (int) Math.min(BLOCK, length - from);
                new IntPointer(src).position(from).get(xs, 0, len);
                new IntPointer(g).position(from).get(gs, 0, len);
                for (int i = 0; i < len; i++) {
                    int bits = xs[i];
                    gs[i] &= ((-bits) & ~bits) >> 31;
                }
                new IntPointer(dst).position(from).put(gs, 0, len);
            }
        });
    }

    /** The float32 values of a contiguous array, from its first element. */
    private static FloatPointer pointer(INDArray a) {
        if (!applies(a)) throw new IllegalArgumentException("not a contiguous float32 array: " + a.shapeInfoToString());
        return new FloatPointer(a.data().addressPointer());
    }

    private static void read(FloatPointer from, long offset, float[] to, int length) {
        new FloatPointer(from).position(offset).get(to, 0, length);
    }

    private static void write(float[] from, int length, FloatPointer to, long offset) {
        new FloatPointer(to).position(offset).put(from, 0, length);
    }

    /** A block of {@code count} rows from row {@code first}. */
    @FunctionalInterface
    private interface RowBlock {
        void run(int first, int count);
    }

    /**
     * Runs {@code body} over rows [0, rows) of {@code rowLength} values each, in blocks of whole rows of about
     * {@link #BLOCK} values (one row at least), the rows split into one contiguous part per native thread of the
     * caller. A part's blocks run in order on one thread.
     */
    private static void forRowBlocks(int rows, int rowLength, RowBlock body) {
        int perBlock = Math.max(1, BLOCK / rowLength);
        long values = (long) rows * rowLength;
        int threads = values < PARALLEL_FROM ? 1 : Math.max(1, Math.min(NativeThreads.current(), rows));
        Runnable[] parts = new Runnable[threads];
        for (int t = 0; t < threads; t++) {
            int from = (int) ((long) rows * t / threads), to = (int) ((long) rows * (t + 1) / threads);
            parts[t] = () -> {
                for (int first = from; first < to; first += perBlock) body.run(first, Math.min(perBlock, to - first));
            };
        }
        if (threads == 1) {
            parts[0].run();
            return;
        }
        List<Future<?>> helpers = new ArrayList<>(threads - 1);
        for (int t = 1; t < threads; t++) helpers.add(HELPERS.submit(parts[t]));
        Throwable failure = null;
        try {
            parts[0].run();
        } catch (RuntimeException | Error e) {
            failure = e;
        }
        for (Future<?> f : helpers) {
            try {
                f.get();
            } catch (ExecutionException e) {
                if (failure == null) failure = e.getCause();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                if (failure == null) failure = e;
            }
        }
        if (failure instanceof RuntimeException r) throw r;
        if (failure instanceof Error e) throw e;
        if (failure != null) throw new IllegalStateException(failure);
    }

    /** The calling thread's scratch array {@code which} (0 or 1), at least {@code length} long, kept for reuse. */
    private static float[] floats(int which, int length) {
        float[][] s = FLOATS.get();
        if (s[which] == null || s[which].length < length) s[which] = new float[Math.max(length, BLOCK)];
        return s[which];
    }

    private static int[] ints(int which) {
        int[][] s = INTS.get();
        if (s[which] == null) s[which] = new int[BLOCK];
        return s[which];
    }
}
