package org.pnrspark.eval;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Weighted k-NN on frozen features, as solo-learn's WeightedKNNClassifier: features L2-normalised, the k most
 * cosine-similar training images vote for their class with weight exp(similarity / temperature).
 */
public final class KnnClassifier {
    private static final int CHUNK = 256;

    private KnnClassifier() {}

    public static int[] predict(FeatureSet train, FeatureSet test, int numClasses, int k, double temperature) {
        INDArray trainUnit = normalizeRows(train.features());
        INDArray testUnit = normalizeRows(test.features());
        int n = train.size(), kk = Math.min(k, n);
        int[] predicted = new int[test.size()];
        for (int start = 0; start < test.size(); start += CHUNK) {
            int end = Math.min(test.size(), start + CHUNK);
            float[][] sims = testUnit.get(NDArrayIndex.interval(start, end), NDArrayIndex.all())
                    .mmul(trainUnit.transpose()).toFloatMatrix();
            for (int r = 0; r < sims.length; r++) {
                predicted[start + r] = vote(sims[r], train.labels(), numClasses, kk, temperature);
            }
        }
        return predicted;
    }

    /** The class with the largest sum of exp(sim / T) over the k most similar training images. */
    static int vote(float[] sims, int[] labels, int numClasses, int k, double temperature) {
        // the indices of the k largest similarities (a min-heap by similarity)
        int[] heap = new int[k];
        int size = 0;
        for (int j = 0; j < sims.length; j++) {
            if (size < k) {
                heap[size++] = j;
                siftUp(heap, size - 1, sims);
            } else if (sims[j] > sims[heap[0]]) {
                heap[0] = j;
                siftDown(heap, size, sims);
            }
        }
        double[] votes = new double[numClasses];
        for (int i = 0; i < size; i++) votes[labels[heap[i]]] += Math.exp(sims[heap[i]] / temperature);
        int best = 0;
        for (int c = 1; c < numClasses; c++) if (votes[c] > votes[best]) best = c;
        return best;
    }

    private static void siftUp(int[] heap, int i, float[] key) {
        while (i > 0) {
            int parent = (i - 1) / 2;
            if (key[heap[i]] >= key[heap[parent]]) return;
            swap(heap, i, parent);
            i = parent;
        }
    }

    private static void siftDown(int[] heap, int size, float[] key) {
        int i = 0;
        while (true) {
            int l = 2 * i + 1, r = l + 1, min = i;
            if (l < size && key[heap[l]] < key[heap[min]]) min = l;
            if (r < size && key[heap[r]] < key[heap[min]]) min = r;
            if (min == i) return;
            swap(heap, i, min);
            i = min;
        }
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }

    private static INDArray normalizeRows(INDArray x) {
        INDArray norms = x.norm2(1).reshape(x.size(0), 1);
        return x.divColumnVector(Transforms.max(norms, 1e-12));
    }
}
