package org.pnrspark.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.nio.FloatBuffer;
import java.util.stream.IntStream;

/**
 * Weighted k-NN on frozen features, as solo-learn's WeightedKNNClassifier: features L2-normalised, the k most
 * cosine-similar training images vote for their class with weight exp(similarity / temperature); equal votes go to
 * the lowest class, equal similarities to the earlier training image.
 *
 * <p>The similarities are computed a block at a time (one matrix product of a block of test rows with a block of
 * training rows, on ND4J's threads) and streamed, training block after training block in index order, through one
 * bounded heap per test row (on all cores, rows split among them): the test x training matrix never exists whole,
 * nor does any part of it on the Java heap but one row per thread.
 */
public final class KnnClassifier {
    /** Test rows per block; with {@link #TRAIN_BLOCK}, 40 MB of similarities (larger blocks ran the product faster). */
    static final int TEST_BLOCK = 5000;
    /** Training rows per block. */
    static final int TRAIN_BLOCK = 2048;

    private KnnClassifier() {}

    public static int[] predict(FeatureSet train, FeatureSet test, int numClasses, int k, double temperature) {
        INDArray trainUnit = normalizeRows(train.features());
        INDArray testUnit = normalizeRows(test.features());
        int n = train.size(), kk = Math.min(k, n);
        int[] predicted = new int[test.size()];
        // one array for the similarities of a whole block, reused: allocating one per block cost more than the product
        INDArray block = Nd4j.createUninitialized(DataType.FLOAT, Math.min(TEST_BLOCK, test.size()),
                Math.min(TRAIN_BLOCK, n));
        java.util.Map<Long, INDArray> edges = new java.util.HashMap<>();
        for (int first = 0; first < test.size(); first += TEST_BLOCK) {
            int rows = Math.min(TEST_BLOCK, test.size() - first);
            INDArray testRows = testUnit.get(NDArrayIndex.interval(first, first + rows), NDArrayIndex.all());
            Nearest[] nearest = new Nearest[rows];
            for (int r = 0; r < rows; r++) nearest[r] = new Nearest(kk);
            for (int from = 0; from < n; from += TRAIN_BLOCK) {
                int cols = Math.min(TRAIN_BLOCK, n - from);
                INDArray trainRows = trainUnit.get(NDArrayIndex.interval(from, from + cols), NDArrayIndex.all());
                // the last blocks of either side are shorter: one array per shape, reused too
                INDArray sims = block.size(0) == rows && block.size(1) == cols ? block
                        : edges.computeIfAbsent(((long) rows << 32) | cols,
                                shape -> Nd4j.createUninitialized(DataType.FLOAT, rows, cols));
                Nd4j.gemm(testRows, trainRows, sims, false, true, 1.0, 0.0);
                FloatBuffer values = sims.data().asNioFloat();
                int offset = from;
                parallelRows(rows, (lo, hi) -> {
                    float[] row = new float[cols];
                    for (int r = lo; r < hi; r++) {
                        values.get(r * cols, row, 0, cols);
                        nearest[r].offer(row, cols, offset);
                    }
                });
            }
            int base = first;
            parallelRows(rows, (lo, hi) -> {
                for (int r = lo; r < hi; r++) {
                    predicted[base + r] = nearest[r].vote(train.labels(), numClasses, temperature);
                }
            });
        }
        return predicted;
    }

    /** The class with the largest sum of exp(sim / T) over the k most similar training images. */
    static int vote(float[] sims, int[] labels, int numClasses, int k, double temperature) {
        Nearest nearest = new Nearest(Math.min(k, sims.length));
        nearest.offer(sims, sims.length, 0);
        return nearest.vote(labels, numClasses, temperature);
    }

    private interface RowRange {
        void run(int from, int to);
    }

    /** Splits rows 0..rows-1 into one contiguous part per core and runs the parts in parallel. */
    private static void parallelRows(int rows, RowRange work) {
        int parts = Math.min(rows, Runtime.getRuntime().availableProcessors());
        IntStream.range(0, parts).parallel()
                .forEach(p -> work.run((int) ((long) rows * p / parts), (int) ((long) rows * (p + 1) / parts)));
    }

    /**
     * The k most similar training images seen so far by one test image: a min-heap whose root is the worst kept
     * neighbour (the least similar; of equal similarities, the later image). Images arrive in increasing index,
     * so a newcomer replaces the root only if it is strictly more similar.
     */
    static final class Nearest {
        private final int[] index;
        private final float[] sim;
        private int size;

        Nearest(int k) {
            index = new int[k];
            sim = new float[k];
        }

        /** Offers training images {@code first .. first + count - 1}, whose similarities are {@code sims[0..count)}. */
        void offer(float[] sims, int count, int first) {
            int k = index.length;
            if (k == 0) return;
            int j = 0;
            for (; j < count && size < k; j++) {
                index[size] = first + j;
                sim[size] = sims[j];
                siftUp(size++);
            }
            float worst = sim[0];
            for (; j < count; j++) {
                float s = sims[j];
                if (s > worst) {
                    index[0] = first + j;
                    sim[0] = s;
                    siftDown();
                    worst = sim[0];
                }
            }
        }

        /** The weighted vote, summed from the most similar neighbour down (so the sum's order is fixed). */
        int vote(int[] labels, int numClasses, double temperature) {
            Integer[] order = new Integer[size];
            for (int i = 0; i < size; i++) order[i] = i;
            java.util.Arrays.sort(order, (a, b) -> worse(a, b) ? 1 : worse(b, a) ? -1 : 0);
            double[] votes = new double[numClasses];
            for (int i : order) votes[labels[index[i]]] += Math.exp(sim[i] / temperature);
            int best = 0;
            for (int c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
            return best;
        }

        /** Whether neighbour a ranks below neighbour b: less similar, or as similar and later. */
        private boolean worse(int a, int b) {
            return sim[a] < sim[b] || (sim[a] == sim[b] && index[a] > index[b]);
        }

        private void siftUp(int i) {
            while (i > 0) {
                int parent = (i - 1) / 2;
                if (!worse(i, parent)) return;
                swap(i, parent);
                i = parent;
            }
        }

        private void siftDown() {
            int i = 0;
            while (true) {
                int l = 2 * i + 1, r = l + 1, min = i;
                if (l < size && worse(l, min)) min = l;
                if (r < size && worse(r, min)) min = r;
                if (min == i) return;
                swap(i, min);
                i = min;
            }
        }

        private void swap(int a, int b) {
            int ti = index[a];
            index[a] = index[b];
            index[b] = ti;
            float ts = sim[a];
            sim[a] = sim[b];
            sim[b] = ts;
        }
    }

    private static INDArray normalizeRows(INDArray x) {
        INDArray norms = x.norm2(1).reshape(x.size(0), 1);
        return x.divColumnVector(Transforms.max(norms, 1e-12));
    }
}
