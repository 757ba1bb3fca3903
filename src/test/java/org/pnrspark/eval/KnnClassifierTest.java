package org.pnrspark.eval;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.ops.transforms.Transforms;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.IntStream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The blocked, streaming k-NN against a brute-force reference: every similarity, every row sorted (most similar
 * first, the earlier training image first among equal ones), the first k voting from the most similar down. The
 * features have four non-zero coordinates of ±1/2, so they are unit vectors and every similarity is a multiple of
 * 1/4, exact in any order of summation: the two must agree exactly, ties included (and ties abound).
 */
class KnnClassifierTest {
    private static final int DIM = 16, CLASSES = 7;

    @Test
    void randomFeaturesAcrossSeveralBlocksInBothDirections() {
        SplittableRandom rng = new SplittableRandom(11);
        int n = 2 * KnnClassifier.TRAIN_BLOCK + 517, m = KnnClassifier.TEST_BLOCK + 300;
        FeatureSet train = sparse(rng, n, null), test = sparse(rng, m, null);
        for (int k : new int[] {1, 20, 57}) assertSameAsBruteForce(train, test, k, 0.07);
    }

    @Test
    void clusteredFeatures() {
        SplittableRandom rng = new SplittableRandom(12);
        float[][] centres = sparse(rng, CLASSES, null).features().toFloatMatrix();
        FeatureSet train = sparse(rng, 5000, centres), test = sparse(rng, 1200, centres);
        int[] predicted = assertSameAsBruteForce(train, test, 20, 0.07);
        double accuracy = accuracy(predicted, test.labels());
        assertTrue(accuracy > 0.5, "clusters are found: " + accuracy);
        assertSameAsBruteForce(train, test, 20, 100);
    }

    @Test
    void moreNeighboursThanTrainingImagesAndDuplicates() {
        SplittableRandom rng = new SplittableRandom(13);
        FeatureSet small = sparse(rng, 30, null), test = sparse(rng, 200, null);
        assertSameAsBruteForce(small, test, 50, 0.07);
        assertSameAsBruteForce(small, test, 30, 0.07);
        // every training image twice, under different labels: only the tie rule decides which copy counts
        float[][] once = small.features().toFloatMatrix();
        float[][] twice = new float[60][];
        int[] labels = new int[60];
        for (int i = 0; i < 30; i++) {
            twice[2 * i] = once[i];
            twice[2 * i + 1] = once[i];
            labels[2 * i] = small.labels()[i];
            labels[2 * i + 1] = (small.labels()[i] + 1) % CLASSES;
        }
        FeatureSet duplicated = new FeatureSet(Nd4j.create(twice), labels);
        for (int k : new int[] {1, 3, 20}) assertSameAsBruteForce(duplicated, test, k, 0.07);
    }

    @Test
    void gaussianFeaturesAgreeWithOneWholeMatrixProduct() {
        // general values: the reference takes its similarities from one product of the whole matrices
        SplittableRandom rng = new SplittableRandom(14);
        int n = KnnClassifier.TRAIN_BLOCK + 999, m = 700, dim = 48;
        FeatureSet train = gaussian(rng, n, dim), test = gaussian(rng, m, dim);
        float[][] sims = unit(test.features()).mmul(unit(train.features()).transpose()).toFloatMatrix();
        int[] expected = new int[m];
        for (int i = 0; i < m; i++) expected[i] = bruteForceVote(sims[i], train.labels(), 20, 0.07);
        assertArrayEquals(expected, KnnClassifier.predict(train, test, CLASSES, 20, 0.07));
    }

    @Test
    void equalVotesGoToTheLowestClass() {
        // two neighbours of classes 2 and 1, equally similar: the lowest class wins
        assertEquals(1, KnnClassifier.vote(new float[] {0.5f, 0.5f, -1f}, new int[] {2, 1, 0}, 3, 2, 0.07));
        // equal similarities at the k-th place: the earlier training image is kept
        assertEquals(2, KnnClassifier.vote(new float[] {0.5f, 0.5f, 0.5f}, new int[] {2, 1, 1}, 3, 1, 0.07));
    }

    private static int[] assertSameAsBruteForce(FeatureSet train, FeatureSet test, int k, double temperature) {
        float[][] x = train.features().toFloatMatrix(), q = test.features().toFloatMatrix();
        int[] expected = new int[q.length];
        for (int i = 0; i < q.length; i++) {
            float[] sims = new float[x.length];
            for (int j = 0; j < x.length; j++) {
                float s = 0;
                for (int d = 0; d < q[i].length; d++) s += q[i][d] * x[j][d];
                sims[j] = s;
            }
            expected[i] = bruteForceVote(sims, train.labels(), k, temperature);
        }
        int[] predicted = KnnClassifier.predict(train, test, CLASSES, k, temperature);
        assertArrayEquals(expected, predicted, "k = " + k + ", T = " + temperature);
        return predicted;
    }

    /** All similarities sorted, most similar first and the earlier image first among equal ones; the first k vote. */
    private static int bruteForceVote(float[] sims, int[] labels, int k, double temperature) {
        Integer[] order = IntStream.range(0, sims.length).boxed().toArray(Integer[]::new);
        Arrays.sort(order, (a, b) -> sims[a] > sims[b] ? -1 : sims[a] < sims[b] ? 1 : Integer.compare(a, b));
        double[] votes = new double[CLASSES];
        for (int r = 0; r < Math.min(k, sims.length); r++) {
            votes[labels[order[r]]] += Math.exp(sims[order[r]] / temperature);
        }
        int best = 0;
        for (int c = 1; c < CLASSES; c++) if (votes[c] > votes[best]) best = c;
        return best;
    }

    /**
     * Unit vectors with four coordinates of ±1/2; with centres, each vector is its class's centre with one of the
     * four coordinates moved to a random place and a random sign (so near its centre, not always nearest to it).
     */
    private static FeatureSet sparse(SplittableRandom rng, int n, float[][] centres) {
        float[][] x = new float[n][DIM];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(CLASSES);
            if (centres != null) {
                float[] v = centres[labels[i]].clone();
                int[] on = IntStream.range(0, DIM).filter(d -> v[d] != 0).toArray();
                v[on[rng.nextInt(on.length)]] = 0;
                int free;
                do free = rng.nextInt(DIM); while (v[free] != 0);
                v[free] = rng.nextBoolean() ? 0.5f : -0.5f;
                x[i] = v;
            } else {
                for (int placed = 0; placed < 4; ) {
                    int d = rng.nextInt(DIM);
                    if (x[i][d] == 0) {
                        x[i][d] = rng.nextBoolean() ? 0.5f : -0.5f;
                        placed++;
                    }
                }
            }
        }
        return new FeatureSet(Nd4j.create(x), labels);
    }

    private static FeatureSet gaussian(SplittableRandom rng, int n, int dim) {
        float[][] x = new float[n][dim];
        int[] labels = new int[n];
        for (int i = 0; i < n; i++) {
            labels[i] = rng.nextInt(CLASSES);
            for (int d = 0; d < dim; d++) x[i][d] = (float) (rng.nextGaussian() + (d == labels[i] ? 1.5 : 0));
        }
        return new FeatureSet(Nd4j.create(x), labels);
    }

    /** Rows divided by their L2 norm, as KnnClassifier normalises them. */
    private static INDArray unit(INDArray x) {
        INDArray norms = x.norm2(1).reshape(x.size(0), 1);
        return x.divColumnVector(Transforms.max(norms, 1e-12)).castTo(DataType.FLOAT);
    }

    private static double accuracy(int[] predicted, int[] labels) {
        int ok = 0;
        for (int i = 0; i < labels.length; i++) if (predicted[i] == labels[i]) ok++;
        return (double) ok / labels.length;
    }
}
