package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * CaSSLe's contrastive distillation (docs/reference.md §4): ½[Lc(p, f) + Lc(f, p)] where Lc(a, b) contrasts each
 * normalised a_i against all 2B normalised b_j, with b_i (same image and view, other model) as the positive and
 * the positive included in the denominator. f (the frozen model's output) is a constant.
 */
public final class CassleContrastiveLoss extends BaseLoss {
    public static final String NAME = "cassle_contrastive";

    public CassleContrastiveLoss() {
        super(NAME, List.of("p1", "p2"), List.of("f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        return define(sd, in.get("p1"), in.get("p2"), in.get("f1"), in.get("f2"), params.get("temperature"));
    }

    public static SDVariable define(SameDiff sd, SDVariable p1, SDVariable p2, SDVariable f1, SDVariable f2,
            double temperature) {
        SDVariable p = LossOps.normalizeRows(sd, LossOps.stackRows(sd, p1, p2));
        SDVariable f = LossOps.normalizeRows(sd, LossOps.stackRows(sd, f1, f2));
        return crossModel(sd, p, f, temperature).add(crossModel(sd, f, p, temperature)).mul(0.5);
    }

    /** Lc(a, b) = mean_i [ -a_i·b_i/τ + log Σ_j exp(a_i·b_j/τ) ] for normalised a, b. */
    private static SDVariable crossModel(SameDiff sd, SDVariable a, SDVariable b, double temperature) {
        SDVariable logits = LossOps.gram(sd, a, b).div(temperature);
        SDVariable positive = LossOps.rowDot(a, b).div(temperature);
        return LossOps.logSumExpRows(sd, logits).sub(positive).mean();
    }
}
