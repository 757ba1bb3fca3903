package org.pnrspark.loss;

import org.nd4j.autodiff.samediff.SDVariable;
import org.nd4j.autodiff.samediff.SameDiff;

import java.util.List;
import java.util.Map;

/**
 * PNR for SimCLR (docs/reference.md §5.1), which replaces NT-Xent from task 1 on. With Z, F, P the normalised stacked
 * projections, frozen projections and distill-predictor outputs (2B rows each) and pos(i) = (i + B) mod 2B:
 * <ul>
 * <li>Term 1, anchor Z_i, positive Z_pos(i); negatives: every Z_j and every F_j with j ≠ i (the frozen embedding
 *     of the anchor's own view is excluded, that of the other view is a pseudo-negative).</li>
 * <li>Term 2, anchor P_i, positive F_i; negatives: every F_j and every Z_j with j ≠ i, so the positive is not in
 *     its own denominator (the term can be negative).</li>
 * </ul>
 * L = mean(Term 1) + mean(Term 2), one temperature for both. The reference averages the loss with its view-swapped
 * twin, which only permutes rows, so one evaluation is the same value.
 */
public final class SimclrPnrLoss extends BaseLoss {
    public static final String NAME = "simclr_pnr";

    public SimclrPnrLoss() {
        super(NAME, List.of("p1", "p2", "z1", "z2"), List.of("f1", "f2"));
    }

    @Override
    public SDVariable define(SameDiff sd, Map<String, SDVariable> in, LossParams params) {
        return define(sd, in.get("p1"), in.get("p2"), in.get("z1"), in.get("z2"), in.get("f1"), in.get("f2"),
                params.get("temperature"));
    }

    public static SDVariable define(SameDiff sd, SDVariable p1, SDVariable p2, SDVariable z1, SDVariable z2,
            SDVariable f1, SDVariable f2, double temperature) {
        SDVariable zn1 = LossOps.normalizeRows(sd, z1);
        SDVariable zn2 = LossOps.normalizeRows(sd, z2);
        SDVariable z = LossOps.stackRows(sd, zn1, zn2);
        SDVariable f = LossOps.normalizeRows(sd, LossOps.stackRows(sd, f1, f2));
        SDVariable p = LossOps.normalizeRows(sd, LossOps.stackRows(sd, p1, p2));
        SDVariable self = LossOps.identityLike(sd, z);

        SDVariable term1Logits = sd.concat(1,
                LossOps.exclude(LossOps.gram(sd, z, z).div(temperature), self),
                LossOps.exclude(LossOps.gram(sd, z, f).div(temperature), self));
        SDVariable term1Positive = LossOps.rowDot(z, LossOps.swapHalves(sd, zn1, zn2)).div(temperature);
        SDVariable term1 = LossOps.logSumExpRows(sd, term1Logits).sub(term1Positive).mean();

        SDVariable term2Logits = sd.concat(1,
                LossOps.exclude(LossOps.gram(sd, p, f).div(temperature), self),
                LossOps.exclude(LossOps.gram(sd, p, z).div(temperature), self));
        SDVariable term2Positive = LossOps.rowDot(p, f).div(temperature);
        SDVariable term2 = LossOps.logSumExpRows(sd, term2Logits).sub(term2Positive).mean();

        return term1.add(term2);
    }
}
