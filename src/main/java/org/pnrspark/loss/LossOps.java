package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

/**
 * The building blocks the SSL losses share, written so that their SameDiff gradients are exact
 * ({@code logSumExp} by hand: the built-in one has a broken gradient in ND4J 1.0.0-M2.1).
 */
public final class LossOps {
    /** Added (negated) to logits that a mask excludes: exp(-1e4 - max) is exactly 0 in float32 and float64. */
    private static final double EXCLUDED = 1e4;

    private LossOps() {}

    /** Row-wise x / max(‖x‖₂, 1e-12), as torch.nn.functional.normalize. */
    public static SDVariable normalizeRows(SameDiff sd, SDVariable x) {
        SDVariable norm = x.norm2(true, 1);
        return x.div(sd.scalarMax(norm, 1e-12));
    }

    /** Rows of a followed by rows of b. */
    public static SDVariable stackRows(SameDiff sd, SDVariable a, SDVariable b) {
        return sd.concat(0, a, b);
    }

    /** a · bᵀ. */
    public static SDVariable gram(SameDiff sd, SDVariable a, SDVariable b) {
        return sd.mmul(a, b, false, true, false);
    }

    /** The identity matrix with as many rows as x (dynamic shape; sd.math.eye needs a static size). */
    public static SDVariable identityLike(SameDiff sd, SDVariable x) {
        return sd.math.diag(onesPerRow(x));
    }

    /** A vector of ones, one per row of x (x·0 + 1 rather than onesLike, which ND4J warns about at every build). */
    private static SDVariable onesPerRow(SDVariable x) {
        return x.sum(1).mul(0.0).add(1.0);
    }

    /** logits with the entries where mask is 1 pushed to -1e4 (excluded from any log-sum-exp). */
    public static SDVariable exclude(SDVariable logits, SDVariable mask) {
        return logits.sub(mask.mul(EXCLUDED));
    }

    /** Numerically stable log Σ_j exp(x_ij) for each row i. */
    public static SDVariable logSumExpRows(SameDiff sd, SDVariable x) {
        SDVariable max = x.max(true, 1);
        SDVariable sum = sd.math.exp(x.sub(max)).sum(true, 1);
        return sd.math.log(sum).add(max).reshape(-1);
    }

    /** The number of rows of x as a scalar of x's data type (dynamic: minibatches may differ in size). */
    public static SDVariable rowCount(SameDiff sd, SDVariable x) {
        return onesPerRow(x).sum();
    }

    /** Σ_d a_id · b_id for each row i. */
    public static SDVariable rowDot(SDVariable a, SDVariable b) {
        return a.mul(b).sum(1);
    }

    /** Row-wise cosine similarity of a and b, averaged over the batch (F.cosine_similarity(...).mean()). */
    public static SDVariable meanCosine(SameDiff sd, SDVariable a, SDVariable b) {
        return rowDot(normalizeRows(sd, a), normalizeRows(sd, b)).mean();
    }

    /** Mean over all entries of (a - b)² (F.mse_loss). */
    public static SDVariable mse(SDVariable a, SDVariable b) {
        SDVariable d = a.sub(b);
        return d.mul(d).mean();
    }

    /**
     * Cross-entropy with the positive in column 0 (MoCo): mean over rows of
     * -a·pos/τ + log(exp(a·pos/τ) + Σ_j exp(a·n_j/τ)), negatives given as the columns of a D x K matrix.
     */
    public static SDVariable queueCrossEntropy(SameDiff sd, SDVariable a, SDVariable positive, SDVariable negatives,
            double temperature) {
        SDVariable pos = rowDot(a, positive).div(temperature);
        SDVariable neg = sd.mmul(a, negatives).div(temperature);
        SDVariable logits = sd.concat(1, pos.reshape(-1, 1), neg);
        return logSumExpRows(sd, logits).sub(pos).mean();
    }

    /** Slice v of a (2, D, K) queue: a D x K matrix. */
    public static SDVariable queueView(SDVariable queue, int v) {
        return queue.get(org.nd4j.autodiff.samediff.SDIndex.point(v), org.nd4j.autodiff.samediff.SDIndex.all(),
                org.nd4j.autodiff.samediff.SDIndex.all());
    }

    /** Rows shifted by half: row i of the result is row (i + n/2) mod n of x (the other view of the same image). */
    public static SDVariable swapHalves(SameDiff sd, SDVariable first, SDVariable second) {
        return sd.concat(0, second, first);
    }
}
