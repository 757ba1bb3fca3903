package org.pnrspark.eval;

import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;
import org.pnrspark.augment.SampleRandom;
import org.pnrspark.config.JobConfig;

import java.util.SplittableRandom;

/**
 * The reference's linear evaluation (docs/reference.md §8.2, main_linear.py) on frozen features: Linear(d, C) with
 * PyTorch's default initialisation, mini-batch SGD on softmax cross-entropy with momentum (0.0 in the PNR code,
 * 0.9 in CaSSLe's), weight decay 0, the rate multiplied by gamma at each milestone, minibatches reshuffled every
 * epoch. Float64 on the driver.
 */
public final class OfflineLinearProbe {
    private OfflineLinearProbe() {}

    /** The rate of an epoch: base × gamma^(milestones passed), milestone m at epoch round(m × epochs). */
    static double lrAt(int epoch, double base, JobConfig.OfflineProbe p) {
        double lr = base;
        for (double m : p.milestones()) if (epoch >= Math.round(m * p.epochs())) lr *= p.gamma();
        return lr;
    }

    /** Trains on {@code train}, returns the predicted class of every test image. */
    public static int[] predict(FeatureSet train, FeatureSet test, int numClasses, JobConfig.OfflineProbe p,
            double baseLr, long seed) {
        int d = train.dim(), n = train.size();
        SplittableRandom rng = SampleRandom.forPurpose(seed, "linear-probe", 0, 0);
        double bound = 1 / Math.sqrt(d);
        INDArray w = uniform(rng, d, numClasses, bound);
        INDArray b = uniform(rng, 1, numClasses, bound);
        INDArray vw = Nd4j.zeros(DataType.DOUBLE, d, numClasses), vb = Nd4j.zeros(DataType.DOUBLE, 1, numClasses);
        INDArray x = train.asDouble();
        INDArray y = oneHot(train.labels(), numClasses);
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        for (int epoch = 0; epoch < p.epochs(); epoch++) {
            double lr = lrAt(epoch, baseLr, p);
            int[] shuffled = SampleRandom.shuffled(order, rng);
            for (int start = 0; start < n; start += p.batchSize()) {
                int end = Math.min(n, start + p.batchSize());
                long[] rows = new long[end - start];
                for (int i = start; i < end; i++) rows[i - start] = shuffled[i];
                INDArray xb = x.get(NDArrayIndex.indices(rows), NDArrayIndex.all());
                INDArray yb = y.get(NDArrayIndex.indices(rows), NDArrayIndex.all());
                INDArray delta = softmax(xb.mmul(w).addiRowVector(b)).subi(yb).divi(rows.length);
                INDArray gw = xb.transpose().mmul(delta);
                INDArray gb = delta.sum(true, 0);
                if (p.weightDecay() > 0) {
                    gw.addi(w.mul(p.weightDecay()));
                    gb.addi(b.mul(p.weightDecay()));
                }
                vw.muli(p.momentum()).addi(gw);
                vb.muli(p.momentum()).addi(gb);
                w.subi(vw.mul(lr));
                b.subi(vb.mul(lr));
            }
        }
        INDArray logits = test.asDouble().mmul(w).addiRowVector(b);
        int[] predicted = new int[test.size()];
        INDArray argmax = logits.argMax(1);
        for (int i = 0; i < predicted.length; i++) predicted[i] = argmax.getInt(i);
        return predicted;
    }

    private static INDArray softmax(INDArray logits) {
        INDArray shifted = logits.subColumnVector(logits.max(1).reshape(logits.size(0), 1));
        INDArray e = Transforms.exp(shifted, false);
        return e.diviColumnVector(e.sum(1).reshape(e.size(0), 1));
    }

    private static INDArray uniform(SplittableRandom rng, int rows, int cols, double bound) {
        double[] v = new double[rows * cols];
        for (int i = 0; i < v.length; i++) v[i] = (2 * rng.nextDouble() - 1) * bound;
        return Nd4j.create(v, new long[] {rows, cols}, 'c');
    }

    private static INDArray oneHot(int[] labels, int numClasses) {
        INDArray y = Nd4j.zeros(DataType.DOUBLE, labels.length, numClasses);
        for (int i = 0; i < labels.length; i++) y.putScalar(i, labels[i], 1.0);
        return y;
    }
}
